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
let busy = false;

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
  chosen = Math.min(chosen, Math.max(items.length - 1, 0));
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
  const item = items[chosen];
  if (!item || busy) return;
  busy = true;
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
  render();
}

/** Shown again: an empty search over the list as it is now. */
async function reset() {
  $('quick-search').value = '';
  chosen = 0;
  say('');
  try {
    const [settings, status] = await Promise.all([ipc.getSettings(), ipc.lockStatus()]);
    const root = document.documentElement;
    if (settings.theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = settings.theme;
    lock = status;
    // Locked, not even the names come here.
    accounts = status.state === 'locked' ? [] : await ipc.listAccounts();
  } catch (failure) {
    accounts = [];
    say(ipc.messageOf(failure));
  }
  render();
  $('quick-search').focus();
  // How many times it was made ready: a test types only after this moves.
  document.body.dataset.ready = String(Number(document.body.dataset.ready ?? 0) + 1);
}

$('quick-search').addEventListener('input', () => { chosen = 0; render(); });
$('quick-search').addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown') move(1);
  else if (event.key === 'ArrowUp') move(-1);
  else if (event.key === 'Enter') run();
  else if (event.key === 'Escape') ipc.hidePalette();
  else return;
  event.preventDefault();
});
ipc.listen('palette-shown', reset);
// Locked meanwhile (the screen, Ctrl+L, another process): the names go.
ipc.listen('vault-locked', () => {
  lock = { state: 'locked' };
  accounts = [];
  render();
  ipc.hidePalette();
});
reset();
