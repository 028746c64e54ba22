// Showing an account's key or its QR code, only after a warning, and
// forgetting it as soon as the dialog closes.

import * as ipc from '../ipc.js';
import { describeAccount } from '../format.js';
import { toast } from '../notices.js';
import { openDialog } from '../focus.js';

const root = document.getElementById('secret-dialog');
const $ = (selector) => root.querySelector(selector);
const shown = { account: null, kind: null };

export function open(account, kind, { returnTo } = {}) {
  shown.account = account;
  shown.kind = kind;
  $('#secret-title').textContent = kind === 'qr'
    ? `QR code of ${describeAccount(account)}`
    : `Key of ${describeAccount(account)}`;
  $('#secret-warning').textContent = kind === 'qr'
    ? 'This QR code holds the account\'s secret key: anyone who scans it can make its codes. Show it only to your own phone, and not while sharing your screen.'
    : 'Anyone who sees this key can make this account\'s codes. Make sure nobody can see your screen, and stop any screen sharing.';
  $('#secret-confirm').hidden = false;
  $('#secret-shown').hidden = true;
  openDialog(root, { focus: $('#secret-cancel'), returnTo });
}

async function show() {
  const { account, kind } = shown;
  // Closed, or opened for another account, while the keychain answered.
  const stale = () => !root.open || shown.account !== account || shown.kind !== kind;
  try {
    if (kind === 'qr') {
      const code = await ipc.accountQr(account.id);
      if (stale()) return;
      $('#secret-qr').setAttribute('viewBox', `0 0 ${code.size} ${code.size}`);
      $('#secret-qr-path').setAttribute('d', code.path);
    } else {
      const key = await ipc.revealKey(account.id);
      if (stale()) return;
      $('#secret-key').textContent = key;
    }
    $('#secret-qr-frame').hidden = kind !== 'qr';
    $('#secret-key').hidden = kind !== 'key';
    $('#secret-confirm').hidden = true;
    $('#secret-shown').hidden = false;
    $('#secret-done').focus();
  } catch (error) {
    if (stale()) return;
    close();
    toast(ipc.messageOf(error));
  }
}

function close() {
  root.close();
  // Forget what was shown.
  $('#secret-qr-path').setAttribute('d', '');
  $('#secret-key').textContent = '';
  // The account's name too (a locked page holds none).
  $('#secret-title').textContent = '';
  shown.account = null;
}

export function wire() {
  $('#secret-show').addEventListener('click', show);
  $('#secret-cancel').addEventListener('click', close);
  $('#secret-done').addEventListener('click', close);
  root.addEventListener('cancel', (event) => { event.preventDefault(); close(); });
}
