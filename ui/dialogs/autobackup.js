// The "Back up automatically" dialog: a folder, a backup password typed
// twice with its strength shown, and how many versions to keep. Turning on
// writes and checks the first backup before the dialog closes.

import * as ipc from '../ipc.js';
import { state, setAutobackup } from '../state.js';
import { toast } from '../notices.js';
import { openDialog } from '../focus.js';
import { setError } from '../fields.js';

const root = document.getElementById('autobackup-dialog');
const $ = (selector) => root.querySelector(selector);
const WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];
let asked = 0;
const FIRST_HINT = root.querySelector('#autobackup-password-hint').textContent.replace(/\s+/g, ' ').trim();

const fields = () => [$('#autobackup-dir'), $('#autobackup-password'), $('#autobackup-repeat'), $('#autobackup-keep')];

function showError(message, about = []) {
  setError($('#autobackup-error'), '', fields());
  setError($('#autobackup-error'), message, about);
}

/** True when backups are on already: the dialog changes them. */
const changing = () => Boolean(state.autobackup?.enabled);

async function rateStrength() {
  const password = $('#autobackup-password').value;
  const ticket = ++asked;
  if (password === '') {
    $('#autobackup-meter').value = 0;
    $('#autobackup-strength').textContent = '';
    return;
  }
  try {
    const rating = await ipc.passwordStrength(password);
    if (ticket !== asked) return; // A later keystroke has its own answer.
    $('#autobackup-meter').value = rating.score;
    $('#autobackup-strength').textContent = rating.hint ? `${WORDS[rating.score]}: ${rating.hint}` : WORDS[rating.score];
  } catch {
    $('#autobackup-strength').textContent = '';
  }
}

/** Opens the dialog; the focus comes back to `returnTo` (or the opener). */
export function open({ returnTo } = {}) {
  $('#autobackup-form').reset();
  const status = state.autobackup;
  $('#autobackup-dir').value = status?.enabled ? status.folderPath : '';
  $('#autobackup-keep').value = String(status?.keep ?? 20);
  $('#autobackup-go').textContent = changing() ? 'Save' : 'Turn on';
  $('#autobackup-title').textContent = changing() ? 'Automatic backups' : 'Back up automatically';
  $('#autobackup-password-hint').textContent = changing()
    ? 'Type it again, or a new one for the backups from now on (older ones keep theirs).'
    : FIRST_HINT;
  showError('');
  rateStrength();
  openDialog(root, { focus: $('#autobackup-dir'), returnTo });
}

async function pick() {
  try {
    const folder = await ipc.pickBackupFolder();
    if (folder) $('#autobackup-dir').value = folder;
  } catch (failure) {
    showError(ipc.messageOf(failure), [$('#autobackup-dir')]);
  }
}

async function submit(event) {
  event.preventDefault();
  const folder = $('#autobackup-dir').value;
  const password = $('#autobackup-password').value;
  const keep = Number($('#autobackup-keep').value || '20');
  if (folder.trim() === '') { showError('Choose a folder for the backups.', [$('#autobackup-dir')]); return; }
  if (password === '') { showError('Choose a password for the backups.', [$('#autobackup-password')]); return; }
  if (password !== $('#autobackup-repeat').value) { showError('The two passwords differ.', [$('#autobackup-repeat')]); return; }
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) { showError('Keep from 1 to 1000 versions.', [$('#autobackup-keep')]); return; }
  const go = $('#autobackup-go');
  go.disabled = true;
  showError('');
  try {
    const status = await ipc.setupAutoBackup(folder.trim(), password, keep);
    setAutobackup(status);
    $('#autobackup-form').reset();
    root.close();
    toast(`Backing up automatically to ${status.folder}`);
  } catch (failure) {
    // The store's code says which field is wrong.
    const code = failure?.code ?? '';
    const field = code === 'empty_password' ? $('#autobackup-password')
      : code === 'backup_keep_out_of_range' ? $('#autobackup-keep')
        : code.startsWith('backup_folder') || code === 'backup_not_a_folder' ? $('#autobackup-dir')
          : null;
    showError(ipc.messageOf(failure), field ? [field] : []);
  } finally {
    go.disabled = false;
  }
}

export function wire() {
  $('#autobackup-pick').addEventListener('click', pick);
  $('#autobackup-password').addEventListener('input', rateStrength);
  $('#autobackup-form').addEventListener('submit', submit);
  $('#autobackup-cancel').addEventListener('click', () => root.close());
  // The passwords must not linger in a closed dialog.
  root.addEventListener('close', () => {
    $('#autobackup-password').value = '';
    $('#autobackup-repeat').value = '';
  });
}
