// The Settings dialog. Each change is saved as it is made; the store says
// what it kept, and the window follows through the state's 'settings' event.

import * as ipc from '../ipc.js';
import { state, setSettings, setAutobackup, setLock, refreshCodes, oneAtATime } from '../state.js';
import { openDialog } from '../focus.js';
import { setError } from '../fields.js';
import { toast } from '../notices.js';
import { describe } from '../backupline.js';
import * as autobackup from './autobackup.js';
import * as lockDialog from './lock.js';
import { lockNow } from '../lockscreen.js';

const root = document.getElementById('settings-dialog');
const $ = (selector) => root.querySelector(selector);

function fill() {
  const settings = state.settings;
  const clearing = settings.clearClipboardAfter !== null && settings.clearClipboardAfter !== undefined;
  $('#set-clear-on').checked = clearing;
  $('#set-clear').value = String(clearing ? settings.clearClipboardAfter : 30);
  $('#set-clear').disabled = !clearing;
  $('#set-hide').checked = settings.hideCodes;
  $('#set-next').checked = settings.alwaysShowNext;
  $('#set-single-keys').checked = settings.singleKeyShortcuts;
  $('#set-theme').value = settings.theme;
  $('#set-offset').value = String(settings.timeOffset);
  const locking = settings.autoLockMinutes !== null && settings.autoLockMinutes !== undefined;
  $('#set-autolock-on').checked = locking;
  $('#set-autolock').value = String(locking ? settings.autoLockMinutes : 5);
  $('#set-autolock').disabled = !locking;
  $('#set-locked-names').checked = settings.namesWhileLocked;
  const quick = settings.quickShortcut !== null && settings.quickShortcut !== undefined;
  $('#set-quick-on').checked = quick;
  $('#set-quick').value = quick ? settings.quickShortcut : 'Ctrl+Alt+W';
  $('#set-quick').disabled = !quick;
  $('#set-close-tray').checked = settings.closeToTray === true;
  $('#set-start-tray').checked = settings.startInTray;
}

/** Keys a shortcut may end with, by the key's place on the keyboard. */
const NAMED_KEYS = {
  Space: 'Space', Enter: 'Enter', Backspace: 'Backspace', Delete: 'Delete', Insert: 'Insert',
  Home: 'Home', End: 'End', PageUp: 'PageUp', PageDown: 'PageDown',
  ArrowUp: 'Up', ArrowDown: 'Down', ArrowLeft: 'Left', ArrowRight: 'Right',
};

/** "Ctrl+Alt+W" for a key press, as the settings spell it; null for a
 *  press that is no shortcut (a modifier alone, or none held). */
function shortcutOf(event) {
  const modifiers = [];
  if (event.ctrlKey) modifiers.push('Ctrl');
  if (event.altKey) modifiers.push('Alt');
  if (event.metaKey) modifiers.push('Super');
  if (event.shiftKey) modifiers.push('Shift');
  const code = event.code;
  const key = /^Key[A-Z]$/.test(code) ? code.slice(3)
    : /^Digit[0-9]$/.test(code) ? code.slice(5)
      : /^F([1-9]|1[0-9]|2[0-4])$/.test(code) ? code
        : NAMED_KEYS[code] ?? null;
  if (!key || modifiers.length === 0 || modifiers.join() === 'Shift') return null;
  return [...modifiers, key].join('+');
}

/** The shortcut field: the keys pressed there become the shortcut. Tab
 *  and Esc keep their meaning, so the field never traps the keyboard. */
function recordShortcut(event) {
  if (event.key === 'Tab' || event.key === 'Escape') return;
  event.preventDefault();
  if (['Control', 'Alt', 'Shift', 'Meta', 'Super', 'OS', 'AltGraph'].includes(event.key)) return;
  const shortcut = shortcutOf(event);
  if (!shortcut) {
    setError($('#settings-error'), 'Hold Ctrl, Alt or Super while pressing the key.', [$('#set-quick')]);
    return;
  }
  $('#set-quick').value = shortcut;
  save();
}

/** Saves the form; runs one save at a time, in order. */
export const save = oneAtATime(async () => {
  const clearing = $('#set-clear-on').checked;
  $('#set-clear').disabled = !clearing;
  const offset = Number($('#set-offset').value || '0');
  const locking = $('#set-autolock-on').checked;
  $('#set-autolock').disabled = !locking;
  const wanted = {
    clearClipboardAfter: clearing ? Number($('#set-clear').value || '30') : null,
    hideCodes: $('#set-hide').checked,
    theme: $('#set-theme').value,
    timeOffset: Number.isInteger(offset) ? offset : Math.round(offset),
    alwaysShowNext: $('#set-next').checked,
    singleKeyShortcuts: $('#set-single-keys').checked,
    autoLockMinutes: locking ? Number($('#set-autolock').value || '5') : null,
    namesWhileLocked: $('#set-locked-names').checked,
    quickShortcut: $('#set-quick-on').checked ? $('#set-quick').value : null,
    // Not asked yet, and not touched here: asked at the first close.
    closeToTray: $('#set-close-tray').checked ? true
      : (state.settings.closeToTray === null || state.settings.closeToTray === undefined) ? null : false,
    startInTray: $('#set-start-tray').checked,
  };
  $('#set-quick').disabled = !$('#set-quick-on').checked;
  const fields = [$('#set-clear'), $('#set-offset'), $('#set-autolock'), $('#set-quick'), $('#set-start-tray')];
  try {
    const offsetChanged = wanted.timeOffset !== state.settings.timeOffset;
    setSettings(await ipc.setSettings(wanted));
    setError($('#settings-error'), '', fields);
    if (offsetChanged) await refreshCodes();
  } catch (failure) {
    // Out of range: say so; what is saved stays as it was.
    const message = ipc.messageOf(failure);
    const field = /clock/i.test(message) ? '#set-offset'
      : /minutes/i.test(message) ? '#set-autolock'
        : /shortcut|cannot be used|take keys/i.test(message) ? '#set-quick'
          : /login/i.test(message) ? '#set-start-tray' : '#set-clear';
    setError($('#settings-error'), message, [$(field)]);
  }
});

/** The "Automatic backups" section, as the store last said. */
function fillBackups() {
  const status = state.autobackup;
  const enabled = Boolean(status?.enabled);
  $('#set-autobackup-state').textContent = !enabled
    ? 'Off. Turn on to write an encrypted backup to a folder of your choice after every change.'
    : status.lastError
      ? `Failing: ${status.lastError.message}`
      : `${describe(status)}; the newest ${status.keep} are kept (${status.versions} now).`;
  $('#set-autobackup-setup').textContent = enabled ? 'Change…' : 'Set up…';
  $('#set-autobackup-now').hidden = !enabled;
  $('#set-autobackup-off').hidden = !enabled;
}

/** The "Lock" section, as the store last said. */
function fillLock() {
  const on = Boolean(state.lock) && state.lock.state !== 'off';
  // A change stopped partway (a keychain that failed): the next unlock
  // finishes it.
  const unfinished = on && (state.lock.rekeying || state.lock.sealed < state.lock.items);
  $('#set-lock-state').textContent = state.lock === null
    ? ''
    : unfinished
      ? `On, but ${state.lock.sealed} of ${state.lock.items} keychain items are sealed under the current password: a change stopped partway, or an item cannot be read. The next unlock seals what it can.`
      : on
        ? 'On: your keys are sealed in the keychain. Watchword asks for the password when it starts and after Lock now (Ctrl+L).'
        : 'Off: anyone using this computer while you are logged in can open Watchword and read your codes.';
  $('#set-lock-on').hidden = on;
  $('#set-lock-now').hidden = !on;
  $('#set-lock-change').hidden = !on;
  $('#set-lock-off').hidden = !on;
}

async function backupAction(button, call, done) {
  button.disabled = true;
  try {
    setAutobackup(await call());
    toast(done());
  } catch (failure) {
    setError($('#settings-error'), ipc.messageOf(failure));
  } finally {
    button.disabled = false;
  }
}

export async function open({ returnTo } = {}) {
  // Opened again just after a change: the form shows what the store kept
  // of it, not the settings from before (a change made next would save
  // those back).
  await save.settled().catch(() => {});
  fill();
  fillBackups();
  fillLock();
  ipc.lockStatus().then(setLock, () => {});
  setError($('#settings-error'), '', [$('#set-clear'), $('#set-offset')]);
  openDialog(root, { focus: $('#set-clear-on'), returnTo });
}

/** The theme on the page, as the settings say. */
function applyTheme() {
  const root = document.documentElement;
  if (state.settings.theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = state.settings.theme;
}

export function wire(on) {
  $('#settings-form').addEventListener('change', save);
  $('#set-quick').addEventListener('keydown', recordShortcut);
  $('#settings-done').addEventListener('click', () => root.close());
  on('settings', applyTheme);
  on('autobackup', fillBackups);
  on('lock', fillLock);
  for (const [id, chosen] of [['#set-lock-on', 'on'], ['#set-lock-change', 'change'], ['#set-lock-off', 'off']]) {
    $(id).addEventListener('click', (event) => {
      const button = event.currentTarget;
      lockDialog.open(chosen, { returnTo: () => {
        // The button that opened it may be hidden now (on ↔ off).
        const visible = ['#set-lock-on', '#set-lock-now'].map((css) => $(css)).find((b) => !b.hidden);
        return button.hidden ? visible : button;
      } });
    });
  }
  $('#set-lock-now').addEventListener('click', () => { lockNow(); });
  $('#set-autobackup-setup').addEventListener('click', (event) => autobackup.open({ returnTo: event.currentTarget }));
  $('#set-autobackup-now').addEventListener('click', (event) => backupAction(event.currentTarget, ipc.autoBackupNow,
    () => (state.autobackup?.lastError ? `Backup failed: ${state.autobackup.lastError.message}` : 'Backed up and checked')));
  $('#set-autobackup-off').addEventListener('click', (event) => {
    const folder = state.autobackup?.folder;
    backupAction(event.currentTarget, ipc.autoBackupOff, () => `Automatic backups are off; the backups in ${folder} stay`);
    $('#set-autobackup-setup').focus();
  });
}
