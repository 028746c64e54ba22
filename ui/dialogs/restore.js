// "Restore from backup…": the newest automatic backup (or a file the user
// picks) goes through the usual preview, where its password is asked for,
// accounts already here are marked and nothing is added unconfirmed.

import * as ipc from '../ipc.js';
import { setAutobackup } from '../state.js';
import { openDialog } from '../focus.js';
import { setError } from '../fields.js';
import { ago } from '../format.js';
import { toast } from '../notices.js';
import * as enrol from './enrol.js';

const root = document.getElementById('restore-dialog');
const $ = (selector) => root.querySelector(selector);
let opener = null;

/** Opens the dialog; the focus comes back to `returnTo` (or the opener). */
export async function open({ returnTo } = {}) {
  opener = returnTo ?? document.activeElement;
  setError($('#restore-error'), '');
  let status = null;
  try {
    status = await ipc.autoBackupStatus();
    setAutobackup(status);
  } catch (failure) {
    setError($('#restore-error'), ipc.messageOf(failure));
  }
  const newest = status?.enabled ? status.newest : null;
  $('#restore-newest-go').hidden = !newest;
  $('#restore-newest').textContent = newest
    ? `The newest of ${status.versions === 1 ? 'your 1 backup' : `your ${status.versions} backups`} in ${status.folder} was made ${ago(newest.at, Date.now() / 1000)} (${newest.file}).`
    : status?.enabled
      ? `There is no backup in ${status.folder} yet. Choose a backup file: Watchword's, Aegis's or another app's.`
      : 'Choose a backup file: one Watchword made (automatically or not), or another app\'s.';
  openDialog(root, { focus: newest ? $('#restore-newest-go') : $('#restore-pick'), returnTo: opener });
}

function restore(call) {
  root.close();
  return enrol.bringIn('Reading the backup…', call, { returnTo: opener });
}

export function wire() {
  $('#restore-form').addEventListener('submit', (event) => {
    event.preventDefault();
    restore(async () => {
      const { preview, skipped } = await ipc.restoreNewest();
      // A damaged newest backup is named; the one before it is offered.
      if (skipped.length > 0) toast(`Could not read ${skipped.join('; ')}. Showing the backup before ${skipped.length === 1 ? 'it' : 'them'}.`);
      return preview;
    });
  });
  $('#restore-pick').addEventListener('click', () => restore(ipc.restorePick));
  $('#restore-cancel').addEventListener('click', () => root.close());
}
