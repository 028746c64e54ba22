// What the window tells the user in passing: one polite live region that
// every notice goes through (it is never hidden, so screen readers hear each
// change), the toast that shows the same words, and the status line for
// problems that stay until fixed.

import { hideKeepingFocus } from './focus.js';

const live = () => document.getElementById('live');
let toastTimer = 0;
let spoken = 0;

/** Says `message` to screen readers, once, without moving the focus. */
export function announce(message) {
  const region = live();
  // The same words twice in a row must be heard twice: clear first, then
  // set the text in a later task.
  region.textContent = '';
  const ticket = ++spoken;
  setTimeout(() => {
    if (ticket === spoken) region.textContent = message;
  }, 50);
}

// Typing has settled once no key came for this long: what a field's
// typing changes (search results, the add form's verdict) is said then,
// not at each pause between two keys.
const SETTLE_MS = 1000;

/**
 * A voice for what follows typing. `later(message)` says it once typing
 * has settled, in place of whatever it was asked meanwhile; `now()` says
 * what waits at once (the field was left); `forget()` drops it. Words the
 * same as the last it said are not said again, and '' says nothing.
 */
export function settledVoice() {
  let timer = 0;
  let waiting = null;
  let last = '';
  const flush = () => {
    clearTimeout(timer);
    if (waiting === null) return;
    if (waiting !== '' && waiting !== last) announce(waiting);
    last = waiting;
    waiting = null;
  };
  return {
    later(message) {
      waiting = message;
      clearTimeout(timer);
      timer = setTimeout(flush, SETTLE_MS);
    },
    now(message = waiting) {
      waiting = message;
      flush();
    },
    forget() {
      clearTimeout(timer);
      waiting = null;
      last = '';
    },
  };
}

/** A short notice at the bottom of the window, and to screen readers;
 *  one that warns stays longer (`seconds`). */
export function toast(message, { seconds = 3 } = {}) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.hidden = false;
  announce(message);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, seconds * 1000);
}

/** Takes a notice off at once (a lock: "Renamed to …" names an account). */
export function dropToast() {
  const el = document.getElementById('toast');
  clearTimeout(toastTimer);
  el.hidden = true;
  el.textContent = '';
}

// The status line has one owner at a time ('start', 'codes', 'damaged'), so
// a later success clears only its own failure, never another's notice.
export function showStatus(message, retry, owner = 'start') {
  const el = document.getElementById('status');
  el.dataset.owner = owner;
  el.replaceChildren(document.createTextNode(message));
  if (retry) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Try again';
    button.addEventListener('click', retry);
    el.append(' ', button);
  }
  const wasHidden = el.hidden;
  el.hidden = false;
  if (wasHidden || el.dataset.said !== message) announce(message);
  el.dataset.said = message;
}

export function clearStatus(owner) {
  const el = document.getElementById('status');
  if (owner === undefined || el.dataset.owner === owner) {
    // Its "Try again" may have the focus: it goes to the list.
    hideKeepingFocus(el);
    el.dataset.said = '';
  }
}

/** True when the status line is showing a problem. */
export function statusShown() {
  return !document.getElementById('status').hidden;
}
