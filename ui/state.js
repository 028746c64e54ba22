// The window's model: the accounts, their codes and the settings, as the
// store last said, and events when they change. The parts listen: a dialog
// changes the store and hands the result here; only the list repaints the
// list.
//
// Events (detail in brackets):
//   'accounts' - the list of accounts changed
//   'codes'    - new codes arrived (or a refresh failed: {error})
//   'settings' - the settings changed ({before})
//   'autobackup' - where automatic backups stand changed
//   'lock'     - where the lock stands changed

import * as ipc from './ipc.js';

const events = new EventTarget();

export const state = {
  settings: {
    clearClipboardAfter: 30,
    hideCodes: false,
    theme: 'system',
    timeOffset: 0,
    alwaysShowNext: false,
    singleKeyShortcuts: true,
    autoLockMinutes: 5,
    namesWhileLocked: false,
    quickShortcut: 'Ctrl+Alt+W',
    closeToTray: null,
    startInTray: false,
  },
  accounts: [],
  codes: new Map(), // id -> {current, next, remaining, period, validUntil}
  // An account deleted in the window but still in the store until its undo
  // time is over: left out of every list the store hands back.
  leavingId: null,
  // Automatic backups as the store last said (see setAutobackup), or null
  // before the first answer.
  autobackup: null,
  // The lock as the store last said ({state: 'off'|'locked'|'unlocked',
  // items, sealed, …}), or null before the first answer.
  lock: null,
  // Locked: no account, name or code is on the page.
  locked: false,
};

/** Calls `handler(detail)` each time `name` happens. */
export function on(name, handler) {
  events.addEventListener(name, (event) => handler(event.detail ?? {}));
}

function emit(name, detail) {
  events.dispatchEvent(new CustomEvent(name, { detail }));
}

/** A file holding every account was saved (it counts as a backup): the
 *  reminder looks again. */
export function backedUp() {
  emit('backed-up');
}

/** Seconds since the epoch, by the user's clock correction: what the codes
 *  from Rust are computed for. */
export function clockNow() {
  return Date.now() / 1000 + (state.settings.timeOffset || 0);
}

/** The list as it is now; listeners repaint before this returns. */
export function setAccounts(accounts) {
  state.accounts = accounts.filter((a) => a.id !== state.leavingId);
  emit('accounts');
}

/** Reads the list from the store. */
export async function reloadAccounts() {
  setAccounts(await ipc.listAccounts());
}

/** Every group some account is in, sorted as the store sorts them. */
export function allGroups(accounts = state.accounts) {
  const names = new Set(accounts.flatMap((a) => a.groups ?? []));
  return [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b));
}

export function accountById(id) {
  return state.accounts.find((a) => a.id === id);
}

export function setSettings(settings) {
  const before = state.settings;
  state.settings = { ...before, ...settings };
  emit('settings', { before });
}

/** Where automatic backups stand: {enabled, folder, keep, lastGood,
 *  lastError: {at, message} | null, versions, pending, newest}. */
export function setAutobackup(status) {
  state.autobackup = status;
  emit('autobackup');
}

/** Where the lock stands, as the store said. */
export function setLock(status) {
  state.lock = status;
  emit('lock');
}

export async function loadSettings() {
  try {
    setSettings(await ipc.getSettings());
  } catch {
    // The defaults stand; a store problem is reported by the list.
    setSettings({});
  }
}

/** Codes handed over with the first view: painted with the first rows. */
export function setCodes(codes) {
  state.codes = new Map(codes.map((c) => [c.id, c]));
}

let refreshing = null;
let queued = null;

/** Fetches every code afresh. One fetch at a time: a call made while one
 *  is under way gets the next one, made after the call (a settings change
 *  must not get codes computed before it). */
export function refreshCodes() {
  if (state.locked) return Promise.resolve();
  if (refreshing) {
    queued ??= refreshing.then(() => {
      queued = null;
      return refreshCodes();
    });
    return queued;
  }
  refreshing = (async () => {
    try {
      const codes = await ipc.getCodes();
      // Locked while they came: none stays in the page.
      if (state.locked) return;
      state.codes = new Map(codes.map((c) => [c.id, c]));
      emit('codes');
    } catch (error) {
      emit('codes', { error });
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** True when a code has run out, or the clock moved back past its period. */
export function codesAreStale(now) {
  for (const code of state.codes.values()) {
    if (now >= code.validUntil || code.validUntil - now > code.period + 1) return true;
  }
  return false;
}

/**
 * `task` run one call at a time, in the order asked: each save must reach
 * the store after the one before it, or a quick second change could be
 * overwritten by the first (the commands run on separate worker threads).
 * Each run reads the state of the moment, so the last one saves the last.
 */
export function oneAtATime(task) {
  let last = Promise.resolve();
  const run = () => {
    last = last.then(task, task);
    return last;
  };
  /** Resolves once every run asked for so far is over. */
  run.settled = () => last;
  return run;
}
