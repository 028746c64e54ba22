// The preview of what QR codes, images and backups held: pick, rename and
// add; unlock an encrypted backup first. Every way of bringing accounts in
// (paste, drop, scan, open, import) ends here.

import * as ipc from '../ipc.js';
import { state, reloadAccounts, refreshCodes } from '../state.js';
import { announce, toast } from '../notices.js';
import { focusFirst, focusable, openDialog } from '../focus.js';
import { fieldError, setError } from '../fields.js';
import * as add from './add.js';

const root = document.getElementById('enrol-dialog');
const $ = (selector) => root.querySelector(selector);
// `work`: the number of the unlock or adding under way, which its Cancel
// names (null when nothing runs); `busy`: the work is an adding; `shown`:
// the enrolment on screen (its id); `dropped`: a view arrived while adding,
// to be fetched again once it is done; `newest`: views of an enrolment
// older than this are stale (ids only grow, and an older one is gone).
const enrol = { busy: false, locked: 0, work: null, shown: null, dropped: false, newest: 0 };

/** Numbers a new piece of long work, for its Cancel. */
function beginWork() {
  enrol.work = crypto.getRandomValues(new Uint32Array(1))[0];
  return enrol.work;
}

/** Ends work number `attempt`, unless other work has begun since. */
function endWork(attempt) {
  if (enrol.work === attempt) enrol.work = null;
}

/** Cancels the unlock or adding under way; false when none is. */
function cancelWork() {
  if (enrol.work === null) return false;
  ipc.cancelPreviewWork(enrol.work);
  // Adding stops before its next account: say the click was taken.
  if (enrol.busy) $('#enrol-confirm').textContent = 'Stopping…';
  return true;
}

function foundDetails(found) {
  const kind = found.kind === 'hotp'
    ? `Counter-based, ${found.digits} digits, counter ${found.counter}`
    : found.kind === 'steam'
      ? 'Steam Guard'
      : `${found.digits} digits every ${found.period} s, ${found.algorithm}`;
  const extras = [kind];
  if (found.groups?.length) extras.push(`${found.groups.length === 1 ? 'group' : 'groups'} ${found.groups.join(', ')}`);
  if (found.hasNote) extras.push('with a note');
  const said = extras.join(' · ');
  return found.duplicate ? `Already in Watchword · ${said}` : said;
}

/** Shows (or refreshes) the preview of what the QR codes held. */
export function show(view, { returnTo } = {}) {
  // Locked while it was found (the lock closed every dialog): nothing of
  // it comes onto the locked page.
  if (state.locked) return;
  // A view of a preview already added or closed, late (events from the
  // link and drop threads may cross): not shown again.
  if (view.id < enrol.newest) return;
  // While adding, the preview on screen is the one being added: what
  // arrives meanwhile is fetched once that is done (see confirm).
  if (enrol.busy) {
    enrol.dropped = true;
    return;
  }
  enrol.newest = view.id;
  // The control with the focus, before this repaint may take it away (a
  // row made again).
  const focused = root.open ? document.activeElement : null;
  const focusedRow = focused?.closest?.('#enrol-list li.found');
  const list = $('#enrol-list');
  const template = document.getElementById('found-template');
  // Keep what the user already edited or unticked when more codes arrive,
  // in this enrolment only: another one's rows at the same places are
  // other accounts.
  const edited = new Map();
  if (root.open && enrol.shown === view.id) {
    for (const li of list.children) {
      edited.set(li.dataset.index, {
        pick: li.querySelector('.pick').checked,
        issuer: li.querySelector('.found-issuer').value,
        name: li.querySelector('.found-name').value,
      });
    }
  }
  enrol.shown = view.id;
  // A link opened from outside (another program, a web page) while the
  // user reviews this preview: its accounts join unticked (the Rust side
  // says which), and are said, so that one click on Add stores nothing
  // the user did not choose.
  let joined = 0;
  const items = view.found.map((found) => {
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.index = String(found.index);
    li.classList.toggle('duplicate', found.duplicate);
    const before = edited.get(String(found.index));
    const pick = li.querySelector('.pick');
    if (!before && !found.asked && !found.duplicate) joined += 1;
    pick.checked = !found.duplicate && (before ? before.pick : found.proposed);
    pick.disabled = found.duplicate;
    const who = [found.issuer, found.name].filter(Boolean).join(' · ') || 'Unnamed account';
    pick.setAttribute('aria-label', `Add ${who}`);
    li.querySelector('.found-issuer').value = before ? before.issuer : found.issuer;
    li.querySelector('.found-name').value = before ? before.name : found.name;
    const details = li.querySelector('.found-details');
    details.textContent = foundDetails(found);
    details.id = `found-details-${found.index}`;
    pick.setAttribute('aria-describedby', details.id);
    return li;
  });
  list.replaceChildren(...items);
  const notes = view.notes.map((note) => {
    const li = document.createElement('li');
    li.textContent = `${note.source}: ${note.message}`;
    return li;
  });
  $('#enrol-notes').replaceChildren(...notes);
  const missing = $('#enrol-missing');
  const said = view.missing.join(' ');
  if (said !== '' && said !== missing.textContent) announce(said);
  missing.textContent = said;
  missing.hidden = view.missing.length === 0;
  enrol.locked = view.locked.length;
  const locked = $('#enrol-locked');
  locked.hidden = view.locked.length === 0;
  if (view.locked.length > 0) {
    const first = view.locked[0];
    $('#enrol-locked-label').textContent =
      `“${first.source}” is an encrypted ${first.format} backup. Enter its password:`;
    $('#enrol-password').value = '';
  }
  syncConfirm();
  if (joined > 0) {
    announce(`${joined === 1 ? '1 account' : `${joined} accounts`} joined the preview while it was open, not ticked: tick ${joined === 1 ? 'it' : 'them'} to add`);
  }
  const focus = view.locked.length > 0
    ? $('#enrol-password')
    : list.querySelector('.pick:not(:disabled)') ?? $('#enrol-cancel');
  if (!root.open) openDialog(root, { focus, returnTo });
  else if (view.locked.length > 0) focus.focus();
  else if (!root.contains(document.activeElement) || !focusable(document.activeElement)) {
    // The focus must not fall to the page behind the modal: the same
    // control in the row made again (its edits were kept above), else the
    // title, which then says what the preview now holds ("7 accounts
    // found") as the focus lands on it.
    const part = focusedRow && [...focused.classList].map((name) => `.${CSS.escape(name)}`).join('');
    const again = part && list.querySelector(`li.found[data-index="${CSS.escape(focusedRow.dataset.index)}"] ${part}`);
    const landed = focusFirst(again, $('#enrol-title'));
    // A name being typed goes on where the caret was.
    if (landed === again && typeof focused.selectionStart === 'number') {
      again.setSelectionRange(focused.selectionStart, focused.selectionEnd);
    }
  }
}

async function unlock() {
  // One piece of work at a time: its Cancel must name it.
  if (enrol.work !== null) return;
  const field = $('#enrol-password');
  const error = $('#enrol-password-error');
  if (field.value === '') {
    fieldError(error, 'Enter the password the backup was made with.', field);
    return;
  }
  const button = $('#enrol-unlock');
  const cancel = $('#enrol-unlock-cancel');
  const attempt = beginWork();
  syncConfirm();
  button.disabled = true;
  button.textContent = 'Unlocking…';
  // Key derivation may take a while (a real vault: about a second).
  cancel.hidden = false;
  setError(error, '', [field]);
  try {
    const view = await ipc.unlockBackup(field.value, attempt);
    field.value = '';
    show(view);
  } catch (failure) {
    fieldError(error, failure?.code === 'cancelled'
      ? 'Cancelled: enter the password again to unlock it.'
      : ipc.messageOf(failure), field, { select: true });
  } finally {
    endWork(attempt);
    syncConfirm();
    button.disabled = false;
    button.textContent = 'Unlock';
    cancel.hidden = true;
  }
}

function syncConfirm() {
  const picked = [...$('#enrol-list').querySelectorAll('.pick')].filter((p) => p.checked).length;
  const button = $('#enrol-confirm');
  // One piece of work at a time (its Cancel names it): nothing else starts
  // while an unlock or an adding runs.
  button.disabled = picked === 0 || enrol.work !== null;
  $('#enrol-unlock').disabled = enrol.work !== null;
  // Texts are replaced only when they change: this runs as a field is
  // left, which is on the press of the button clicked next, and a label
  // replaced between press and release loses that click in WebKit.
  setText(button, enrol.busy ? 'Adding…'
    : picked === 1 ? 'Add 1 account' : `Add ${picked} accounts`);
  const total = $('#enrol-list').children.length;
  const already = $('#enrol-list').querySelectorAll('li.duplicate').length;
  const found = total === 1 ? '1 account found' : `${total} accounts found`;
  setText($('#enrol-title'), total === 0 && enrol.locked > 0
    ? 'Encrypted backup'
    : already > 0 ? `${found}, ${already} already in Watchword` : found);
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

async function confirm(event) {
  event.preventDefault();
  if (enrol.work !== null) return;
  const rows = [...$('#enrol-list').children];
  const choices = rows
    .filter((li) => li.querySelector('.pick').checked)
    .map((li) => ({
      index: Number(li.dataset.index),
      issuer: li.querySelector('.found-issuer').value,
      name: li.querySelector('.found-name').value,
    }));
  const attempt = beginWork();
  enrol.busy = true;
  syncConfirm();
  // Many accounts take a while: Cancel (or Esc) stops before the next one.
  if (choices.length > 1) announce(`Adding ${choices.length} accounts…`);
  try {
    const result = await ipc.confirmEnrolment(choices, attempt, enrol.shown, rows.length);
    if (result.stopped) {
      // What went in stays; the rest wait here, marked as they now are.
      await reloadAccounts();
      await refreshCodes();
      enrol.busy = false;
      show(await ipc.pendingEnrolment());
      const added = result.added === 1 ? '1 account' : `${result.added} accounts`;
      toast(result.added === 0
        ? 'Stopped: nothing was added'
        : `Stopped after adding ${added} of ${choices.length}; the rest are still here to add`);
      return;
    }
    root.close();
    $('#enrol-list').replaceChildren();
    // What joined after the view added from (a link opened elsewhere, a
    // paste that crossed the click) or was not chosen among (an encrypted
    // backup still waiting) is fetched once this is done.
    enrol.newest = Math.max(enrol.newest, enrol.shown + 1);
    enrol.dropped = true;
    await reloadAccounts();
    await refreshCodes();
    const added = result.added === 1 ? 'Added 1 account' : `Added ${result.added} accounts`;
    const also = [];
    if (result.duplicates > 0) also.push(`${result.duplicates} already in Watchword`);
    if (result.notesCut > 0) {
      also.push(result.notesCut === 1
        ? '1 note cut to fit the keychain'
        : `${result.notesCut} notes cut to fit the keychain`);
    }
    toast([added, ...also].join('; '));
  } catch (error) {
    toast(ipc.messageOf(error));
    // The preview stays (or another took its place): show it as it is.
    enrol.dropped = true;
  } finally {
    endWork(attempt);
    enrol.busy = false;
    syncConfirm();
    // What arrived while adding (a link opened elsewhere) waits in the
    // preview: shown now.
    if (enrol.dropped) {
      enrol.dropped = false;
      await showPending();
    }
  }
}

/** Shows what waits in the preview, if anything does. */
async function showPending() {
  try {
    const view = await ipc.pendingEnrolment();
    // Parts of an export still missing, alone, were said already.
    if (view.found.length > 0 || view.locked.length > 0) show(view);
    // Rows of an enrolment that is gone: nothing can be added from them.
    else if (root.open && enrol.shown !== view.id) root.close();
  } catch (error) {
    toast(ipc.messageOf(error));
  }
}

async function discard() {
  const preview = enrol.shown;
  const seen = $('#enrol-list').children.length;
  root.close();
  $('#enrol-list').replaceChildren();
  if (preview === null) return;
  // Late views of the closed preview are not shown again.
  enrol.newest = Math.max(enrol.newest, preview + 1);
  try {
    // What joined after the view the user closed (a link opened
    // elsewhere meanwhile) stays, unticked, and is shown.
    await ipc.discardEnrolment(preview, seen);
    await showPending();
  } catch (error) {
    toast(ipc.messageOf(error));
  }
}

function busy(what) {
  const status = document.getElementById('loading');
  status.textContent = what;
  status.hidden = false;
  announce(what);
  return () => { status.hidden = true; };
}

/** Runs one way of bringing codes in, with a notice while it works. */
export async function bringIn(what, call, { returnTo } = {}) {
  const done = busy(what);
  try {
    const view = await call();
    if (view) show(view, { returnTo });
  } catch (error) {
    toast(ipc.messageOf(error));
  } finally {
    done();
  }
}

/** Ctrl+V: a QR code image to the preview, a link or key to the add form. */
export async function paste() {
  // Locked: the clipboard is not read (its text may be a key).
  if (state.locked) return;
  const done = busy('Reading the clipboard…');
  try {
    const pasted = await ipc.pasteClipboard();
    if (pasted.kind === 'preview') show(pasted);
    else await add.openWith(pasted.text);
  } catch (error) {
    toast(ipc.messageOf(error));
  } finally {
    done();
  }
}

export function wire() {
  $('#enrol-unlock').addEventListener('click', unlock);
  $('#enrol-unlock-cancel').addEventListener('click', cancelWork);
  $('#enrol-password').addEventListener('keydown', (event) => {
    // Enter here unlocks; it must not submit (add) the preview.
    if (event.key === 'Enter') {
      event.preventDefault();
      unlock();
    }
  });
  $('#enrol-form').addEventListener('submit', confirm);
  // Cancel stops the unlock or adding under way; otherwise it closes the
  // preview and forgets what it held. Esc does the same.
  const cancel = () => { if (!cancelWork()) discard(); };
  $('#enrol-cancel').addEventListener('click', cancel);
  // A backup's password must not linger in a closed dialog, nor the
  // list: the next preview would take its ticks and names by position (a
  // lock closes the dialog without discarding).
  root.addEventListener('close', () => {
    $('#enrol-password').value = '';
    $('#enrol-list').replaceChildren();
  });
  $('#enrol-list').addEventListener('change', syncConfirm);
  root.addEventListener('cancel', (event) => {
    event.preventDefault();
    cancel();
  });
  // Files dropped on the window are read by the Rust side; the page only
  // shows where to drop them and what came of it.
  const target = document.getElementById('drop-target');
  ipc.listen('tauri://drag-enter', () => { target.hidden = false; });
  ipc.listen('tauri://drag-over', () => { target.hidden = false; });
  ipc.listen('tauri://drag-leave', () => { target.hidden = true; });
  ipc.listen('tauri://drag-drop', () => { target.hidden = true; });
  // Resolves once the results of drops and opened links reach this page.
  return ipc.listen('enrol-result', ({ payload }) => {
    if (payload.ok) show(payload.ok);
    else toast(ipc.messageOf(payload.error));
  });
}
