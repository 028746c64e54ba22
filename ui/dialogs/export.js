// Backing up and exporting: the reminder, the "Back up or export" dialog
// (an encrypted Aegis vault, a plain list of links, or QR codes for Google
// Authenticator) and the dialog that shows those QR codes.

import * as ipc from '../ipc.js';
import { state, on } from '../state.js';
import { announce, toast } from '../notices.js';

/** What a saved file lacks: the accounts the keychain cannot read now
 *  (damaged, or written by a newer Watchword), for the notice. */
export function leftOut(saved) {
  const names = saved.leftOut ?? [];
  const notes = saved.notesLeftOut ?? 0;
  const them = names.length === 1 ? 'it' : 'them';
  return (names.length === 0 ? ''
    : ` Not in it, as the keychain cannot read ${them}: ${names.join(', ')}; keep an older backup that holds ${them}.`)
    + (notes === 0 ? ''
      : ` ${notes === 1 ? '1 note is' : `${notes} notes are`} not in it, which has no place for notes: the encrypted backup keeps them.`);
}
import { focusFirst, openDialog } from '../focus.js';
import { setError } from '../fields.js';

const root = document.getElementById('export-dialog');
const $ = (selector) => root.querySelector(selector);
const google = { view: null, shown: 0, root: document.getElementById('google-dialog') };
const reminder = { dismissed: false, el: document.getElementById('backup-reminder') };

async function refreshReminder() {
  try {
    const status = await ipc.backupStatus();
    const count = status.addedSince;
    // Automatic backups make the reminder needless; their line says how
    // they fare.
    const hide = reminder.dismissed || count === 0 || state.accounts.length === 0
      || Boolean(state.autobackup?.enabled);
    const words = status.lastBackup === null || status.lastBackup === undefined
      ? `Your ${count === 1 ? 'account is' : `${count} accounts are`} not backed up yet.`
      : `${count === 1 ? '1 account was' : `${count} accounts were`} added since your last backup.`;
    // Written only where they changed: the reminder is a status region, and
    // this runs at every pin, move or rename, which must not say it again.
    if (reminder.el.hidden !== hide) reminder.el.hidden = hide;
    const text = document.getElementById('backup-reminder-text');
    if (text.textContent !== words) text.textContent = words;
  } catch {
    // The reminder is a courtesy: a keychain problem is reported elsewhere.
    if (!reminder.el.hidden) reminder.el.hidden = true;
  }
}

function kind() {
  return root.querySelector('input[name="export-kind"]:checked').value;
}

const checked = () => [$('#export-password'), $('#export-repeat'), $('#export-understood')];

/** The form's message; `fields` are the ones it is about. */
function showError(message, fields = []) {
  setError($('#export-error'), '', checked());
  setError($('#export-error'), message, fields);
}

function syncForm(event) {
  // Only a change of kind resets the form's message; a password field's
  // change (on blur, as the Save button is clicked) must not.
  if (event && event.target.name !== 'export-kind') return;
  const chosen = kind();
  $('#export-aegis').hidden = chosen !== 'aegis';
  $('#export-plain').hidden = chosen !== 'uris';
  $('#export-google').hidden = chosen !== 'google';
  $('#export-go').textContent = chosen === 'google' ? 'Show codes' : 'Save…';
  showError('');
}

/** Opens the dialog; the focus comes back to `returnTo` (or the opener). */
export function open({ returnTo } = {}) {
  $('#export-form').reset();
  syncForm();
  openDialog(root, { focus: $('#export-password'), returnTo });
}

async function run(event) {
  event.preventDefault();
  const chosen = kind();
  const go = $('#export-go');
  if (chosen === 'aegis') {
    const password = $('#export-password').value;
    if (password === '') { showError('Choose a password for the backup.', [$('#export-password')]); return; }
    if (password !== $('#export-repeat').value) { showError('The two passwords differ.', [$('#export-repeat')]); return; }
  }
  if (chosen === 'uris' && !$('#export-understood').checked) {
    showError('Tick “I understand” to save an unencrypted file.', [$('#export-understood')]);
    return;
  }
  go.disabled = true;
  try {
    if (chosen === 'google') {
      const view = await ipc.googleExport();
      // Locked while the codes were drawn: they are not shown over the
      // lock screen (the lock closed this dialog).
      if (state.locked || !root.open) return;
      root.close();
      showGoogle(view);
      return;
    }
    const saved = await ipc.saveBackup(chosen, chosen === 'aegis' ? $('#export-password').value : null);
    if (!saved) return; // The user closed the save dialog.
    root.close();
    $('#export-form').reset();
    const left = leftOut(saved);
    toast(`Saved ${saved.accounts === 1 ? '1 account' : `${saved.accounts} accounts`} to ${saved.path}${left && `.${left}`}`,
      { seconds: left ? 15 : 3 });
    refreshReminder();
  } catch (failure) {
    showError(ipc.messageOf(failure));
  } finally {
    go.disabled = false;
  }
}

function showGoogle(view) {
  google.view = view;
  google.shown = 0;
  const leftOut = view.leftOut.map((reason) => {
    const li = document.createElement('li');
    li.textContent = `Not included: ${reason}`;
    return li;
  });
  const list = google.root.querySelector('#google-left-out');
  list.replaceChildren(...leftOut);
  // It scrolls (and so takes the focus) only when it says something.
  list.hidden = leftOut.length === 0;
  paintGoogle();
  openDialog(google.root, {
    focus: google.root.querySelector('#google-done'),
    returnTo: document.getElementById('more-button'),
  });
}

function paintGoogle() {
  const $g = (selector) => google.root.querySelector(selector);
  const held = document.activeElement;
  const { codes, accounts } = google.view;
  const code = codes[google.shown];
  $g('#google-qr').setAttribute('viewBox', `0 0 ${code.size} ${code.size}`);
  $g('#google-qr-path').setAttribute('d', code.path);
  $g('#google-step').textContent = codes.length === 1
    ? `One code with ${accounts === 1 ? '1 account' : `${accounts} accounts`}: in Google Authenticator, choose “Import accounts” and scan it.`
    : `Code ${google.shown + 1} of ${codes.length} (${accounts} accounts in all): scan them in order.`;
  $g('#google-prev').hidden = codes.length === 1;
  $g('#google-next').hidden = codes.length === 1;
  $g('#google-prev').disabled = google.shown === 0;
  $g('#google-next').disabled = google.shown === codes.length - 1;
  // A button disabled under the focus leaves it nowhere. Past the last
  // code Done takes it, so that Enter pressed on from Next closes rather
  // than goes back; before the first, Next.
  if (held?.disabled) focusFirst(held === $g('#google-prev') ? $g('#google-next') : $g('#google-done'), $g('#google-done'));
}

/** Next (+1) or Previous (-1): the step is said, as the focus stays on
 *  the button (or goes to Done) and the code's picture says nothing. */
function stepGoogle(by) {
  google.shown += by;
  paintGoogle();
  announce(google.root.querySelector('#google-step').textContent);
}

function closeGoogle() {
  google.root.close();
  // Forget the codes: they hold the keys.
  google.root.querySelector('#google-qr-path').setAttribute('d', '');
  google.view = null;
}

export function wire() {
  document.getElementById('backup-now').addEventListener('click', () => open());
  document.getElementById('backup-later').addEventListener('click', () => {
    reminder.dismissed = true;
    reminder.el.hidden = true;
    focusFirst();
  });
  $('#export-form').addEventListener('change', syncForm);
  $('#export-form').addEventListener('submit', run);
  $('#export-cancel').addEventListener('click', () => root.close());
  // The passwords must not linger in a closed dialog (closed by Cancel,
  // Esc, a save, or the lock).
  root.addEventListener('close', () => $('#export-form').reset());
  const $g = (selector) => google.root.querySelector(selector);
  $g('#google-prev').addEventListener('click', () => stepGoogle(-1));
  $g('#google-next').addEventListener('click', () => stepGoogle(1));
  $g('#google-done').addEventListener('click', closeGoogle);
  google.root.addEventListener('cancel', (event) => { event.preventDefault(); closeGoogle(); });
  // The list changed: so may what a backup would miss.
  on('accounts', refreshReminder);
  on('autobackup', refreshReminder);
  on('backed-up', refreshReminder);
}
