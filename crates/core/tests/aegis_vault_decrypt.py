#!/usr/bin/env python3
"""Decrypts an Aegis vault with an implementation independent of Watchword.

Reads the vault JSON on stdin and the password as the first argument; prints
the decrypted db JSON on stdout. Follows Aegis' published format
(https://github.com/beemdevelopment/Aegis/blob/master/docs/vault.md) using
PyCA `cryptography` (pip install cryptography) for scrypt and AES-256-GCM.

Exit codes: 0 decrypted; 3 `cryptography` is not installed; 4 no password
slot opens with the password; 5 the file breaks the format.
"""

import base64
import json
import sys

try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
except ImportError:
    sys.stderr.write(
        "the Python package 'cryptography' is missing: pip install cryptography\n"
    )
    sys.exit(3)


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(5)


def main():
    password = sys.argv[1].encode("utf-8")
    vault = json.load(sys.stdin)
    if vault.get("version") != 1:
        fail("vault file version is not 1")
    header = vault["header"]
    master_key = None
    slots = [slot for slot in header["slots"] if slot["type"] == 1]
    if not slots:
        fail("no password slot")
    for slot in slots:
        for key in ("uuid", "key", "key_params", "n", "r", "p", "salt"):
            if key not in slot:
                fail("slot lacks " + key)
        derived = Scrypt(
            salt=bytes.fromhex(slot["salt"]),
            length=32,
            n=slot["n"],
            r=slot["r"],
            p=slot["p"],
        ).derive(password)
        sealed = bytes.fromhex(slot["key"]) + bytes.fromhex(slot["key_params"]["tag"])
        try:
            master_key = AESGCM(derived).decrypt(
                bytes.fromhex(slot["key_params"]["nonce"]), sealed, None
            )
            break
        except InvalidTag:
            continue
    if master_key is None:
        sys.stderr.write("wrong password\n")
        sys.exit(4)
    if len(master_key) != 32:
        fail("master key is not 32 bytes")
    params = header["params"]
    sealed_db = base64.b64decode(vault["db"], validate=True) + bytes.fromhex(params["tag"])
    try:
        db = AESGCM(master_key).decrypt(bytes.fromhex(params["nonce"]), sealed_db, None)
    except InvalidTag:
        fail("db does not decrypt with the master key")
    sys.stdout.write(db.decode("utf-8"))


if __name__ == "__main__":
    main()
