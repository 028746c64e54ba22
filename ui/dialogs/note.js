// An account's note: recovery codes, often, so a note that exists is shown
// only after a warning, as a key is, and forgotten when the dialog closes.
// An account without one opens straight on an empty note to write.

import * as ipc from '../ipc.js';
import { state, setAccounts } from '../state.js';
import { describeAccount } from '../format.js';
import { toast } from '../notices.js';
import { openDialog } from '../focus.js';
import { fieldError, setError } from '../fields.js';

const root = document.getElementById('note-dialog');
const $ = (selector) => root.querySelector(selector);
let account = null;
// The note as the store gave it (empty: none), sent back with a change so
// that one made elsewhere meanwhile is never overwritten.
let before = '';

export function open(chosen, { returnTo } = {}) {
  account = chosen;
  const who = describeAccount(account);
  $('#note-title').textContent = account.has_note ? `Note of ${who}` : `Add a note to ${who}`;
  setError($('#note-error'), '', [$('#note-text')]);
  $('#note-text').value = '';
  before = '';
  $('#note-confirm').hidden = !account.has_note;
  $('#note-edit').hidden = account.has_note;
  openDialog(root, {
    focus: account.has_note ? $('#note-confirm-cancel') : $('#note-text'),
    returnTo,
  });
}

async function show() {
  const asked = account;
  try {
    const text = await ipc.revealNote(asked.id);
    // Closed, or opened for another account, while the keychain answered.
    if (!root.open || account !== asked) return;
    before = text;
    $('#note-text').value = text;
    $('#note-confirm').hidden = true;
    $('#note-edit').hidden = false;
    $('#note-text').focus();
  } catch (error) {
    if (!root.open || account !== asked) return;
    close();
    toast(ipc.messageOf(error));
  }
}

async function save(event) {
  event.preventDefault();
  if ($('#note-edit').hidden) return;
  const had = account.has_note;
  try {
    const summary = await ipc.setNote(account.id, before, $('#note-text').value);
    close();
    setAccounts(state.accounts.map((a) => (a.id === summary.id ? summary : a)));
    const who = describeAccount(summary);
    toast(summary.has_note
      ? `${had ? 'Saved the note of' : 'Added a note to'} ${who}`
      : had ? `Removed the note of ${who}` : `No note added to ${who}`);
  } catch (error) {
    fieldError($('#note-error'), ipc.messageOf(error), $('#note-text'));
  }
}

function close() {
  root.close();
  // Forget what was shown.
  $('#note-text').value = '';
  // The account's name too (a locked page holds none).
  $('#note-title').textContent = '';
  before = '';
  account = null;
}

export function wire() {
  $('#note-form').addEventListener('submit', save);
  $('#note-show').addEventListener('click', show);
  $('#note-confirm-cancel').addEventListener('click', close);
  // Enter makes a new line; Ctrl+Enter saves.
  $('#note-text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.ctrlKey) {
      event.preventDefault();
      $('#note-form').requestSubmit();
    }
  });
  $('#note-cancel').addEventListener('click', close);
  root.addEventListener('cancel', (event) => { event.preventDefault(); close(); });
}
