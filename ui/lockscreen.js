// Locked: the page shows the unlock form and nothing else. Every account,
// name and code leaves the page (and every open dialog, with whatever it
// showed); unlocking starts the window again as at launch.

import * as ipc from './ipc.js';
import { state, setAccounts, setLock } from './state.js';
import { announce, dropToast } from './notices.js';
import { fieldError, setError } from './fields.js';
import { focusFirst, menusChanged } from './focus.js';

const $ = (id) => document.getElementById(id);
let afterUnlock = () => {};

/** Closes every dialog as its own Esc would (so each forgets what it
 *  showed), then any left open. */
function closeDialogs() {
  for (const dialog of document.querySelectorAll('dialog[open]')) {
    dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    if (dialog.open) dialog.close();
  }
}

/** Shows the unlock form; the accounts and codes leave the page. */
export function showLocked() {
  // Shown already (Ctrl+L's own call and the lock's event both come):
  // the password being typed stays, and the lock is said once.
  if (document.body.classList.contains('is-locked')) {
    ipc.lockShown().catch(() => {});
    return;
  }
  // A notice from before the lock may name an account ("Renamed to …");
  // one at a start that finds it locked says why ("unlock it, then open
  // the link again") and stays.
  if (state.accounts.length > 0) dropToast();
  state.locked = true;
  closeDialogs();
  // Closed as their own Esc would: what they made inert comes back for
  // after the unlock, and their buttons say they are closed.
  for (const menu of document.querySelectorAll('.menu')) menu.hidden = true;
  menusChanged();
  for (const opener of document.querySelectorAll('[aria-expanded="true"]')) {
    opener.setAttribute('aria-expanded', 'false');
  }
  state.codes = new Map();
  setAccounts([]);
  document.getElementById('search').value = '';
  document.body.classList.add('is-locked');
  $('unlock-screen').hidden = false;
  $('unlock-password').value = '';
  setError($('unlock-error'), '', [$('unlock-password')]);
  $('unlock-password').focus();
  // Said however it locked (Ctrl+L, the minutes without use, the screen,
  // the tray), and in place of anything said before: a code announced
  // must not stay readable behind the lock.
  announce('Watchword is locked');
  showNames();
  // The shell covers the window of a page that does not say this soon
  // after a lock (one that hangs keeps its last frame, codes and all).
  ipc.lockShown().catch(() => {});
}

/** The accounts' names under the form, when the user chose to see them
 *  there (the store hands out none otherwise). */
async function showNames() {
  let names = [];
  try {
    names = await ipc.lockedNames();
  } catch {
    // Not readable: the form alone, as with the choice off.
  }
  if (!state.locked) return;
  const list = $('unlock-names');
  list.replaceChildren(...names.map(({ issuer, name }) => {
    const item = document.createElement('li');
    item.textContent = issuer && name ? `${issuer} · ${name}` : issuer || name || 'Unnamed account';
    return item;
  }));
  list.hidden = names.length === 0;
  $('unlock-names-title').hidden = names.length === 0;
}

/** Unlocked: the names leave the lock screen with it. */
function hideNames() {
  $('unlock-names').replaceChildren();
  $('unlock-names').hidden = true;
  $('unlock-names-title').hidden = true;
}

/** Ctrl+L, Settings → Lock now. False when the lock is off. */
export async function lockNow() {
  if (state.locked || state.lock?.state === 'off' || state.lock === null) return false;
  try {
    await ipc.lockNow();
  } finally {
    showLocked();
    setLock({ ...state.lock, state: 'locked' });
  }
  return true;
}

async function unlock(event) {
  event.preventDefault();
  const field = $('unlock-password');
  if (field.value === '') {
    fieldError($('unlock-error'), 'Enter the password.', field);
    return;
  }
  const button = $('unlock-button');
  button.disabled = true;
  button.textContent = 'Unlocking…';
  setError($('unlock-error'), '', [field]);
  try {
    await ipc.unlock(field.value);
    field.value = '';
    state.locked = false;
    document.body.classList.remove('is-locked');
    $('unlock-screen').hidden = true;
    hideNames();
    setLock(await ipc.lockStatus());
    await afterUnlock();
    // The field that had the focus is gone with the lock screen: the list
    // takes it, as at launch.
    if (!state.locked && (document.activeElement === document.body || !document.activeElement)) {
      focusFirst();
    }
  } catch (failure) {
    fieldError($('unlock-error'), failure?.code === 'wrong_password'
      ? 'Wrong password.'
      : ipc.messageOf(failure), field, { select: true });
  } finally {
    button.disabled = false;
    button.textContent = 'Unlock';
  }
}

// ---------- use, for the lock after a while without it ----------

// The count itself is the shell's (idle.rs): a page loaded again after
// its web process ended, or one that hangs, must not hold the lock back.
// Use is said at once, then at most every few seconds (the last of a
// burst too, so the lock is never early).
const SAY_USE_EVERY = 5000;
let usedSaid = -SAY_USE_EVERY;
let useLater = null;

function used() {
  // The page's own clock, which never steps back as the wall clock may.
  const since = performance.now() - usedSaid;
  if (since >= SAY_USE_EVERY) sayUsed();
  else if (useLater === null) useLater = setTimeout(sayUsed, SAY_USE_EVERY - since);
}

function sayUsed() {
  clearTimeout(useLater);
  useLater = null;
  usedSaid = performance.now();
  ipc.noteUse().catch(() => {});
}

/** `then` runs once unlocked: the window's start. */
export function wire({ then }) {
  afterUnlock = then;
  $('unlock-form').addEventListener('submit', unlock);
  for (const kind of ['keydown', 'pointerdown', 'wheel']) {
    document.addEventListener(kind, used, { capture: true, passive: true });
  }
}
