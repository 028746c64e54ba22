// The printable recovery sheet: warn that it shows every key, choose the
// paper, then ask where to save the PDF (the shell writes only that file).

import * as ipc from '../ipc.js';
import { backedUp } from '../state.js';
import { toast } from '../notices.js';
import { leftOut } from './export.js';
import { openDialog } from '../focus.js';
import { setError } from '../fields.js';

const root = document.getElementById('sheet-dialog');
const $ = (selector) => root.querySelector(selector);

function showError(message, fields = []) {
  setError($('#sheet-error'), '', [$('#sheet-understood')]);
  setError($('#sheet-error'), message, fields);
}

/** Opens the dialog; the focus comes back to `returnTo` (or the opener). */
export function open({ returnTo } = {}) {
  $('#sheet-form').reset();
  showError('');
  openDialog(root, { focus: $('#sheet-understood'), returnTo });
}

async function run(event) {
  event.preventDefault();
  if (!$('#sheet-understood').checked) {
    showError('Tick “I understand” to save a sheet that shows your keys.', [$('#sheet-understood')]);
    return;
  }
  const paper = root.querySelector('input[name="sheet-paper"]:checked').value;
  const go = $('#sheet-go');
  go.disabled = true;
  try {
    const saved = await ipc.saveBackup('sheet', null, paper);
    if (!saved) return; // The user closed the save dialog.
    root.close();
    backedUp();
    toast(`Saved the recovery sheet (${saved.accounts === 1 ? '1 account' : `${saved.accounts} accounts`}) to ${saved.path}: print it, then delete the file.${leftOut(saved)}`,
      { seconds: leftOut(saved) ? 15 : 3 });
  } catch (failure) {
    showError(ipc.messageOf(failure));
  } finally {
    go.disabled = false;
  }
}

export function wire() {
  $('#sheet-form').addEventListener('submit', run);
  $('#sheet-form').addEventListener('change', (event) => {
    if (event.target.id === 'sheet-understood') showError('');
  });
  $('#sheet-cancel').addEventListener('click', () => root.close());
}
