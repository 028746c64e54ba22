// The Settings dialog. Each change is saved as it is made; the store says
// what it kept, and the window follows through the state's 'settings' event.

import * as ipc from '../ipc.js';
import { state, setSettings, refreshCodes, oneAtATime } from '../state.js';
import { openDialog } from '../focus.js';
import { setError } from '../fields.js';

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
}

/** Saves the form; runs one save at a time, in order. */
export const save = oneAtATime(async () => {
  const clearing = $('#set-clear-on').checked;
  $('#set-clear').disabled = !clearing;
  const offset = Number($('#set-offset').value || '0');
  const wanted = {
    clearClipboardAfter: clearing ? Number($('#set-clear').value || '30') : null,
    hideCodes: $('#set-hide').checked,
    theme: $('#set-theme').value,
    timeOffset: Number.isInteger(offset) ? offset : Math.round(offset),
    alwaysShowNext: $('#set-next').checked,
    singleKeyShortcuts: $('#set-single-keys').checked,
  };
  const fields = [$('#set-clear'), $('#set-offset')];
  try {
    const offsetChanged = wanted.timeOffset !== state.settings.timeOffset;
    setSettings(await ipc.setSettings(wanted));
    setError($('#settings-error'), '', fields);
    if (offsetChanged) await refreshCodes();
  } catch (failure) {
    // Out of range: say so; what is saved stays as it was.
    const message = ipc.messageOf(failure);
    setError($('#settings-error'), message, [/clock/i.test(message) ? $('#set-offset') : $('#set-clear')]);
  }
});

export function open({ returnTo } = {}) {
  fill();
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
  $('#settings-done').addEventListener('click', () => root.close());
  on('settings', applyTheme);
}
