// Locked: the page shows the unlock form and nothing else. Every account,
// name and code leaves the page (and every open dialog, with whatever it
// showed); unlocking starts the window again as at launch.

import * as ipc from './ipc.js';
import { state, setAccounts, setLock } from './state.js';
import { announce } from './notices.js';
import { setError } from './fields.js';

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
  state.locked = true;
  closeDialogs();
  for (const menu of document.querySelectorAll('.menu')) menu.hidden = true;
  state.codes = new Map();
  setAccounts([]);
  document.getElementById('search').value = '';
  document.body.classList.add('is-locked');
  $('unlock-screen').hidden = false;
  $('unlock-password').value = '';
  setError($('unlock-error'), '', [$('unlock-password')]);
  $('unlock-password').focus();
  showNames();
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
    announce('Watchword is locked');
  }
  return true;
}

async function unlock(event) {
  event.preventDefault();
  const field = $('unlock-password');
  if (field.value === '') {
    setError($('unlock-error'), 'Enter the password.', [field]);
    field.focus();
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
  } catch (failure) {
    setError($('unlock-error'), failure?.code === 'wrong_password'
      ? 'Wrong password.'
      : ipc.messageOf(failure), [field]);
    field.select();
    field.focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Unlock';
  }
}

// ---------- locking after a while without use ----------

let lastUse = Date.now();
let idleTimer = null;

/** Schedules the next look at the idle time: once, when it would be up
 *  (no polling; a use in between only moves the time it compares to). */
function scheduleIdleLock() {
  clearTimeout(idleTimer);
  idleTimer = null;
  const minutes = state.settings.autoLockMinutes;
  if (!minutes || state.locked || !state.lock || state.lock.state !== 'unlocked') return;
  const due = lastUse + minutes * 60_000;
  idleTimer = setTimeout(() => {
    if (Date.now() >= lastUse + minutes * 60_000) lockNow();
    else scheduleIdleLock();
  }, Math.max(1000, due - Date.now()));
}

/** `then` runs once unlocked: the window's start. */
export function wire({ then, on }) {
  afterUnlock = then;
  $('unlock-form').addEventListener('submit', unlock);
  for (const kind of ['keydown', 'pointerdown', 'wheel']) {
    document.addEventListener(kind, () => { lastUse = Date.now(); }, { capture: true, passive: true });
  }
  // A code copied from the tray or the palette: use, though not here.
  ipc.listen('account-used', () => { lastUse = Date.now(); });
  on('lock', () => {
    lastUse = Date.now();
    scheduleIdleLock();
  });
  on('settings', scheduleIdleLock);
}
