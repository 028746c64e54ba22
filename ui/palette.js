// The quick-copy palette, a window of its own (src-tauri/src/palette.rs):
// type a few letters, Enter copies the chosen account's code and the
// palette hides; Esc hides it. It shows names only, never a code, and runs
// nothing while hidden: it reads the list again each time it is shown.

import * as ipc from './ipc.js';
import { filterAccounts } from './search.js';

const $ = (id) => document.getElementById(id);
/** More than this is a search away: the palette stays small. */
const MOST = 8;

let accounts = [];
let lock = { state: 'off' };
let items = [];
let chosen = 0;
// What is chosen, as the list may be made again under it (the fresh list
// arriving): the same account stays chosen, not the same place.
let chosenKey = null;
let busy = false;
// Shown again and the list not read yet: what is on the page is the last
// showing's, so an Enter waits for the fresh one.
let loading = false;
let enterWhenLoaded = false;
// Each showing's reading of the list; only the latest one's is used.
let readings = 0;

/** What stays the same of an item from one list to the next. */
function keyOf(item) {
  return item.kind === 'account' ? `account:${item.account.id}` : item.kind;
}

/** What Enter can do now: accounts matching the search, and the actions
 *  whose words it matches ("lock", "show"). */
function itemsFor(query) {
  const q = query.trim().toLowerCase();
  if (lock.state === 'locked') {
    return [{ kind: 'show', label: 'Show Watchword to unlock it' }];
  }
  const found = filterAccounts(query, accounts).slice(0, MOST)
    .map((account) => ({ kind: 'account', account }));
  const actions = [];
  if (lock.state === 'unlocked' && q !== '' && 'lock now'.startsWith(q)) {
    actions.push({ kind: 'lock', label: 'Lock now' });
  }
  if (q !== '' && 'show watchword'.startsWith(q)) {
    actions.push({ kind: 'show', label: 'Show Watchword' });
  }
  return [...found, ...actions];
}

function labelOf(item) {
  if (item.kind !== 'account') return item.label;
  const { issuer, name } = item.account;
  return issuer && name ? `${issuer} · ${name}` : issuer || name || 'Unnamed account';
}

function render() {
  const list = $('quick-list');
  items = itemsFor($('quick-search').value);
  const kept = chosenKey === null ? -1 : items.findIndex((item) => keyOf(item) === chosenKey);
  chosen = kept >= 0 ? kept : Math.min(chosen, Math.max(items.length - 1, 0));
  list.replaceChildren(...items.map((item, index) => {
    const li = document.createElement('li');
    li.id = `quick-${index}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', String(index === chosen));
    li.className = item.kind === 'account' ? 'quick-account' : 'quick-action';
    li.textContent = labelOf(item);
    li.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      chosen = index;
      chosenKey = keyOf(item);
      run();
    });
    return li;
  }));
  const search = $('quick-search');
  if (items.length > 0) search.setAttribute('aria-activedescendant', `quick-${chosen}`);
  else search.removeAttribute('aria-activedescendant');
  $('quick-list').children[chosen]?.scrollIntoView({ block: 'nearest' });
  if (!busy) {
    say(lock.state === 'locked'
      ? 'Watchword is locked.'
      : items.length === 0
        ? (accounts.length === 0 ? 'No accounts yet.' : 'No account matches.')
        : '');
  }
}

function say(message) {
  $('quick-status').textContent = message;
}

/** Copies the chosen account's code (an HOTP account's shown one, else a
 *  new one), or runs the chosen action; the palette hides when done. */
async function run() {
  if (loading) {
    enterWhenLoaded = true;
    return;
  }
  const item = items[chosen];
  if (!item || busy) return;
  busy = true;
  // How many times Enter acted: a test tells by it that a cancelled one
  // did not.
  document.body.dataset.runs = String(Number(document.body.dataset.runs ?? 0) + 1);
  try {
    if (item.kind === 'show') {
      await ipc.showMainWindow();
      return;
    }
    if (item.kind === 'lock') {
      await ipc.lockNow();
      await ipc.hidePalette();
      return;
    }
    // An HOTP account with no code shown gets its next one, which goes
    // to the clipboard and the main window, never to this page.
    await ipc.copyCode(item.account.id, { generate: true });
    await ipc.hidePalette();
  } catch (failure) {
    say(ipc.messageOf(failure));
  } finally {
    busy = false;
  }
}

function move(by) {
  if (items.length === 0) return;
  chosen = (chosen + by + items.length) % items.length;
  chosenKey = keyOf(items[chosen]);
  render();
}

/** Shown again: an empty search over the list as it is now. */
async function reset() {
  $('quick-search').value = '';
  chosen = 0;
  chosenKey = null;
  loading = true;
  enterWhenLoaded = false;
  const reading = ++readings;
  // Focused now, not once the list has come: what is typed meanwhile is
  // the search, and its Enter waits for the list.
  $('quick-search').focus();
  say('');
  // How many times it was emptied for a showing: a test types after this
  // moves, and before the list is read if it likes.
  document.body.dataset.shown = String(Number(document.body.dataset.shown ?? 0) + 1);
  let read;
  try {
    const [settings, status] = await Promise.all([ipc.getSettings(), ipc.lockStatus()]);
    // Locked, not even the names come here.
    const listed = status.state === 'locked' ? [] : await ipc.listAccounts();
    read = { settings, status, listed };
  } catch (failure) {
    read = { failure };
  }
  // Shown again meanwhile: that showing's reading counts, not this one.
  if (reading !== readings) return;
  if (read.failure) {
    accounts = [];
    say(ipc.messageOf(read.failure));
  } else {
    const root = document.documentElement;
    if (read.settings.theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = read.settings.theme;
    lock = read.status;
    accounts = read.listed;
  }
  loading = false;
  render();
  $('quick-search').focus();
  // How many times it was made ready: a test types only after this moves.
  document.body.dataset.ready = String(Number(document.body.dataset.ready ?? 0) + 1);
  // Typed ahead of the list ("git⏎" as the palette came): done now, on it.
  if (enterWhenLoaded) {
    enterWhenLoaded = false;
    run();
  }
}

$('quick-search').addEventListener('input', () => { chosen = 0; chosenKey = null; render(); });
$('quick-search').addEventListener('keydown', (event) => {
  // An input method composing a word (CJK, dead keys) takes Enter and the
  // arrows itself.
  if (event.isComposing || event.keyCode === 229) return;
  if (event.key === 'ArrowDown') move(1);
  else if (event.key === 'ArrowUp') move(-1);
  else if (event.key === 'Enter') run();
  else if (event.key === 'Escape') {
    // An Enter typed ahead of the list is cancelled with the palette.
    enterWhenLoaded = false;
    ipc.hidePalette();
  }
  else return;
  event.preventDefault();
});
ipc.listen('palette-shown', reset);
// Hidden by the shell (the shortcut or `--quick` again): an Enter typed
// ahead of the list goes with it.
ipc.listen('palette-hidden', () => { enterWhenLoaded = false; });
// Locked meanwhile (the screen, Ctrl+L, another process): the names go.
ipc.listen('vault-locked', () => {
  // A list read before the lock must not come onto the page after it.
  readings += 1;
  loading = false;
  enterWhenLoaded = false;
  lock = { state: 'locked' };
  accounts = [];
  render();
  ipc.hidePalette();
});
reset();
