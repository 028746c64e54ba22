// The list's rows: one per account, made from the template, in the store's
// order or, while searching, best match first. Codes and countdowns are
// painted by codes.js; menus, moves and deletes are arrange.js's.

import { state, on, allGroups } from '../state.js';
import { filterAccounts } from '../search.js';
import { paintIcon, title } from '../format.js';
import { settledVoice, statusShown } from '../notices.js';

const list = () => document.getElementById('accounts');
const search = () => document.getElementById('search');
const groupFilter = () => document.getElementById('group-filter');

/** id -> {el, shown}: the row elements and what each shows now. */
export const rows = new Map();

const hooks = { before: [], row: [], rendered: [] };
// Says how many accounts a search or a group shows, once typing settles:
// a screen reader hears nothing of the rows coming and going.
const results = settledVoice();

/** `before()` runs as a render starts, `wire(li, account)` for each new
 *  row, `after()` once the rows are in place. */
export function onBeforeRender(before) { hooks.before.push(before); }
export function onRow(wire) { hooks.row.push(wire); }
export function onRendered(after) { hooks.rendered.push(after); }

function makeRow(template, account) {
  const li = template.content.firstElementChild.cloneNode(true);
  li.dataset.id = account.id;
  li.dataset.kind = account.kind;
  paintIcon(li.querySelector('.monogram'), account);
  const issuer = li.querySelector('.issuer');
  issuer.textContent = title(account);
  const name = li.querySelector('.name');
  name.textContent = account.issuer ? account.name : '';
  // A name cut short by the window's width can be read whole on hover; on
  // focus the row shows it wrapped (style.css).
  issuer.title = issuer.textContent;
  name.title = name.textContent;
  const groups = account.groups ?? [];
  const tags = li.querySelector('.tags');
  const noteMark = li.querySelector('.note-mark');
  for (const group of groups) {
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = group;
    tag.title = `In the group ${group}`;
    noteMark.before(tag);
  }
  noteMark.hidden = !account.has_note;
  noteMark.title = 'Has a note: ⋯ → Show note…';
  tags.hidden = groups.length === 0 && !account.has_note;
  li.classList.toggle('pinned', account.pinned);
  li.querySelector('.row-menu').setAttribute('aria-label', `More for ${title(account)}`);
  for (const wire of hooks.row) wire(li, account);
  return li;
}

// When the list fills from empty (at start, after an unlock), the rows one
// window can show are laid out for the first frame and the others just after
// it: the first layout of 500 rows took 240 ms, of 15 rows 32 ms
// (scripts/bench_first_layout.sh). Every row exists from the start, with
// its code; only its place in the page waits. No row is shorter than this.
const MIN_ROW_PX = 32;
let renders = 0;
// How many rows the list may hold for now (applySearch puts no more in),
// and the rows made but not yet put in.
let placing = Infinity;
let unplaced = [];

/** Puts every row in the list now: a search, a group filter or a drag
 *  needs them all. */
export function placeAllRows() {
  if (unplaced.length === 0) return;
  placing = Infinity;
  list().append(...unplaced.filter((li) => !li.isConnected));
  unplaced = [];
}

/** Repaints every row from the state. */
export function render() {
  const template = document.getElementById('account-template');
  for (const before of hooks.before) before();
  rows.clear();
  const items = state.accounts.map((account) => {
    const li = makeRow(template, account);
    rows.set(account.id, { el: li, shown: {}, account });
    return li;
  });
  const generation = ++renders;
  // A hidden window (started in the tray) paints no frame to hurry.
  const fromEmpty = list().childElementCount === 0 && !document.hidden;
  placing = fromEmpty ? Math.ceil(window.innerHeight / MIN_ROW_PX) + 1 : Infinity;
  unplaced = items.slice(placing);
  if (unplaced.length === 0) placing = Infinity;
  list().replaceChildren(...items.slice(0, placing));
  if (unplaced.length > 0) {
    // Once the frame showing the first rows is painted; not at all if
    // another render has replaced them by then.
    requestAnimationFrame(() => setTimeout(() => {
      if (generation !== renders) return;
      placeAllRows();
      applySearch();
    }));
  }
  paintGroupFilter();
  showEmpty();
  applySearch();
  for (const after of hooks.rendered) after();
}

/** The "no accounts yet" page, unless a problem is being shown instead. */
export function showEmpty() {
  document.getElementById('empty-state').hidden = state.accounts.length > 0 || statusShown();
}

/** The group filter offers every group there is; the one chosen stays
 *  chosen while some account is still in it. */
function paintGroupFilter() {
  const select = groupFilter();
  const names = allGroups();
  const offered = [...select.options].slice(1).map((o) => o.value);
  if (offered.length !== names.length || offered.some((name, i) => name !== names[i])) {
    const chosen = select.value;
    select.replaceChildren(new Option('All groups', ''), ...names.map((name) => new Option(name, name)));
    select.value = names.includes(chosen) ? chosen : '';
  }
  select.hidden = names.length === 0;
}

/** The accounts of the group chosen, else all. */
function inGroup() {
  const group = groupFilter().value;
  return group === '' ? state.accounts : state.accounts.filter((a) => a.groups?.includes(group));
}

/** Shows the rows matching the search and the group, best first; returns
 *  how many. */
export function applySearch() {
  const query = search().value;
  const group = groupFilter().value;
  // The best match may be among the rows not yet in the list.
  if (query.trim() !== '' || group !== '') placeAllRows();
  const shown = filterAccounts(query, inGroup());
  const visible = new Set(shown.map((a) => a.id));
  for (const [id, row] of rows) {
    const hide = !visible.has(id);
    if (row.el.hidden !== hide) row.el.hidden = hide;
  }
  // Best first (Enter copies the top row); without a search, the store's
  // order, hidden rows included: a drag saves the order it finds, and rows
  // of other groups left where a search put them would move too. Rows move
  // only when that order changed: most keystrokes keep it.
  const searching = query.trim() !== '';
  const wanted = (searching ? shown : state.accounts)
    .map((a) => a.id).filter((id) => rows.has(id)).slice(0, placing);
  const current = [...list().children]
    .filter((el) => !searching || !el.hidden).map((el) => el.dataset.id);
  if (wanted.length !== current.length || wanted.some((id, i) => id !== current[i])) {
    for (const id of wanted) list().append(rows.get(id).el);
  }
  const none = document.getElementById('no-match');
  none.hidden = shown.length > 0 || state.accounts.length === 0;
  none.textContent = group === ''
    ? `No account matches “${query.trim()}”.`
    : `No account in “${group}” matches “${query.trim()}”.`;
  search().closest('.search-bar').hidden = state.accounts.length === 0;
  return shown.length;
}

/** What a search or a group filter shows, in words; '' with neither. */
function resultsWords(count) {
  const query = search().value.trim();
  const group = groupFilter().value;
  if ((query === '' && group === '') || state.accounts.length === 0) return '';
  if (count === 0) return document.getElementById('no-match').textContent;
  const accounts = count === 1 ? '1 account' : `${count} accounts`;
  if (query === '') return `${accounts} in “${group}”`;
  return `${accounts} ${count === 1 ? 'matches' : 'match'}${group === '' ? '' : ` in “${group}”`}`;
}

export function clearSearch() {
  if (search().value === '') return false;
  search().value = '';
  applySearch();
  // The next search's count is said even if it is the last one's.
  results.forget();
  return true;
}

/** The code buttons of the rows on show, top to bottom. */
export function visibleCodes() {
  return [...list().querySelectorAll('li.account:not([hidden]) button.code')];
}

/** Each row's main control, top to bottom: its code, or Generate while an
 *  HOTP row has no code yet. */
export function rowControls() {
  return [...list().querySelectorAll('li.account:not([hidden])')].map((li) => {
    const code = li.querySelector('button.code');
    return code.disabled ? li.querySelector('button.generate') : code;
  });
}

/** The account of the row holding `element`, if any. */
export function accountOf(element) {
  const li = element?.closest?.('#accounts li.account');
  return li ? state.accounts.find((a) => a.id === li.dataset.id) : undefined;
}

/** A row's control by account id ('.code', '.row-menu', …), as painted now. */
export function control(id, selector) {
  return rows.get(id)?.el.querySelector(selector) ?? null;
}

export function wireRows() {
  on('accounts', render);
  // Nothing said of a search after the lock took it away.
  on('accounts', () => { if (state.locked) results.forget(); });
  search().addEventListener('input', () => results.later(resultsWords(applySearch())));
  // Leaving the field (into the list, say) says at once what waits.
  search().addEventListener('focusout', () => results.now());
  // A group is chosen in one go: said at once.
  groupFilter().addEventListener('change', () => results.now(resultsWords(applySearch())));
}
