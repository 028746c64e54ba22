// The Rename dialog: a new issuer and account name for one account.

import * as ipc from '../ipc.js';
import { state, setAccounts } from '../state.js';
import { describeAccount } from '../format.js';
import { toast } from '../notices.js';
import { openDialog } from '../focus.js';
import { setError } from '../fields.js';

const root = document.getElementById('rename-dialog');
const $ = (selector) => root.querySelector(selector);
let account = null;

export function open(chosen, { returnTo } = {}) {
  account = chosen;
  $('#rename-issuer').value = account.issuer;
  $('#rename-name').value = account.name;
  setError($('#rename-error'), '', [$('#rename-issuer'), $('#rename-name')]);
  openDialog(root, { focus: $('#rename-issuer'), returnTo });
}

async function save(event) {
  event.preventDefault();
  try {
    // Only what the user changed: the other part stays as the keychain
    // holds it (another program may have renamed it meanwhile).
    const changed = (field, was) => ($(field).value === was ? null : $(field).value);
    const summary = await ipc.renameAccount(
      account.id,
      changed('#rename-issuer', account.issuer),
      changed('#rename-name', account.name),
    );
    root.close();
    setAccounts(state.accounts.map((a) => (a.id === summary.id ? summary : a)));
    toast(`Renamed to ${describeAccount(summary)}`);
  } catch (error) {
    setError($('#rename-error'), ipc.messageOf(error), [$('#rename-issuer'), $('#rename-name')]);
  }
}

export function wire() {
  $('#rename-form').addEventListener('submit', save);
  $('#rename-cancel').addEventListener('click', () => root.close());
  // The names leave with the dialog (a locked page holds none).
  root.addEventListener('close', () => {
    $('#rename-issuer').value = '';
    $('#rename-name').value = '';
  });
}
