// Arranging the list: each row's ⋯ menu, pinning, moving (menu, Alt+arrows,
// drag), renaming, and deleting with a way back.

import * as ipc from '../ipc.js';
import { state, on, setAccounts, reloadAccounts, oneAtATime } from '../state.js';
import { rows, onRow, onRendered, control, accountOf, placeAllRows } from './rows.js';
import { title } from '../format.js';
import { announce, toast } from '../notices.js';
import { focusFirst, hideKeepingFocus, menuBehaviour, menusChanged } from '../focus.js';
import * as renameDialog from '../dialogs/rename.js';
import * as confirmDialog from '../dialogs/confirm.js';
import * as secretDialog from '../dialogs/secret.js';
import * as noteDialog from '../dialogs/note.js';
import * as groupsDialog from '../dialogs/groups.js';

const menu = () => document.getElementById('row-actions');
const opened = { account: null, button: null };

// ---------- the row menu ----------

function openRowMenu(account, button) {
  if (!menu().hidden && opened.account?.id === account.id) {
    closeRowMenu();
    return;
  }
  opened.account = account;
  opened.button?.setAttribute('aria-expanded', 'false');
  opened.button = button;
  const el = menu();
  el.querySelector('#row-pin').textContent = account.pinned ? 'Unpin' : 'Pin to top';
  el.querySelector('#row-note').textContent = account.has_note ? 'Show note…' : 'Add note…';
  const why = whyNoMove();
  const group = neighbours(account);
  const at = group.findIndex((a) => a.id === account.id);
  el.querySelector('#row-up').disabled = why !== '' || at <= 0;
  el.querySelector('#row-down').disabled = why !== '' || at === group.length - 1;
  el.querySelector('#row-up').title = why;
  el.querySelector('#row-down').title = why;
  el.setAttribute('aria-label', `Actions for ${title(account)}`);
  el.hidden = false;
  menusChanged();
  const rect = button.getBoundingClientRect();
  const below = rect.bottom + el.offsetHeight + 8 < window.innerHeight;
  el.style.top = `${below ? rect.bottom + 4 : Math.max(8, rect.top - el.offsetHeight - 4)}px`;
  el.style.left = `${Math.max(8, rect.right - el.offsetWidth)}px`;
  button.setAttribute('aria-expanded', 'true');
  el.querySelector('button:not(:disabled)').focus();
}

function closeRowMenu({ refocus = false } = {}) {
  menu().hidden = true;
  menusChanged();
  opened.button?.setAttribute('aria-expanded', 'false');
  if (refocus) focusFirst(opened.button);
}

/** The list drawn again under an open menu (another process's change, a
 *  backup's fresh read): the menu follows its row's new ⋯ button, with the
 *  account as it is now, and keeps the focus it had; it closes with a row
 *  that went. Left where it was, it would name an account as it was, hang
 *  over rows that moved, and its opener would say it is closed. */
function followRender() {
  if (menu().hidden || !opened.account) return;
  const account = state.accounts.find((a) => a.id === opened.account.id);
  const button = control(opened.account.id, '.row-menu');
  if (!account || !button) {
    closeRowMenu();
    return;
  }
  const focused = menu().contains(document.activeElement) ? document.activeElement.id : '';
  // Opened afresh, not toggled shut.
  menu().hidden = true;
  opened.account = null;
  openRowMenu(account, button);
  if (focused) document.getElementById(focused)?.focus();
}

/** The ⋯ button of an account's row, as painted now. */
const moreOf = (account) => () => control(account.id, '.row-menu');
/** Its code button, or Generate while an HOTP row has no code yet. */
const codeOf = (account) => () => {
  const code = control(account.id, '.code');
  return code && !code.disabled ? code : control(account.id, '.generate');
};

// ---------- pin and move ----------

const saveOrder = oneAtATime(async () => {
  try {
    await ipc.reorderAccounts(state.accounts.map((a) => a.id));
  } catch (error) {
    toast(ipc.messageOf(error));
  }
});

/** Why an account cannot be moved up or down now, or ''. While searching
 *  the rows stand best match first, where a place up or down means
 *  nothing (dragging is off then too). */
function whyNoMove() {
  return document.getElementById('search').value.trim() === ''
    ? '' : 'Clear the search to move accounts: its results are in best-match order';
}

/** The accounts a move steps among: those of its part of the list
 *  (pinned or not) that are shown. A group filter hides the others, and a
 *  move past one of them would change nothing to be seen. */
function neighbours(account) {
  return state.accounts.filter((a) => a.pinned === account.pinned && rows.get(a.id)?.el.hidden === false);
}

/** Moves an account up (-1) or down (+1) past the row shown next to it. */
async function moveAccount(account, step) {
  const why = whyNoMove();
  if (why !== '') {
    toast(why);
    return;
  }
  const group = neighbours(account);
  const at = group.findIndex((a) => a.id === account.id);
  const target = group[at + step];
  if (at < 0 || !target) return;
  const order = state.accounts.filter((a) => a.id !== account.id);
  order.splice(order.indexOf(target) + (step > 0 ? 1 : 0), 0, account);
  setAccounts(order);
  focusFirst(codeOf(account));
  announce(`${title(account)} moved ${step < 0 ? 'up' : 'down'}`);
  await saveOrder();
}

async function togglePin(account) {
  try {
    await ipc.setPinned(account.id, !account.pinned);
    await reloadAccounts();
    focusFirst(moreOf(account));
    toast(account.pinned ? `Unpinned ${title(account)}` : `Pinned ${title(account)} to the top`);
  } catch (error) {
    toast(ipc.messageOf(error));
  }
}

/** The list with `account` where a drag left it among the rows shown of
 *  its part (`was` their ids before, `shown` after): next to the row it
 *  was dragged past, just before it going up and just after it going
 *  down, as a move by the keyboard leaves it. Rows a group filter hides
 *  keep their places, rather than the row landing past them unseen. */
function placedAmongShown(account, was, shown) {
  const from = was.indexOf(account.id);
  const to = shown.indexOf(account.id);
  if (from < 0 || to < 0 || from === to) return state.accounts;
  const order = state.accounts.filter((a) => a.id !== account.id);
  const past = to < from ? shown[to + 1] : shown[to - 1];
  const at = order.findIndex((a) => a.id === past);
  if (at < 0) return state.accounts;
  order.splice(to < from ? at : at + 1, 0, account);
  return order;
}

/** Drag by the grip: the row follows the pointer within its group. */
function startDrag(event, account, li) {
  if (event.button !== 0 || document.getElementById('search').value.trim() !== '') return;
  event.preventDefault();
  // The order saved at the end is read from the list: all of it.
  placeAllRows();
  // Moves are followed on the whole document: pointer capture on the grip
  // is not dependable (WebKitGTK may drop it as soon as the row restyles).
  li.classList.add('dragging');
  const list = document.getElementById('accounts');
  // The rows shown at the start, in its part of the list, it among them.
  const was = neighbours(account).map((a) => a.id);
  const move = (e) => {
    const others = [...list.querySelectorAll('li.account:not(.dragging)')]
      .filter((row) => !row.hidden && row.classList.contains('pinned') === account.pinned);
    const before = others.find((row) => {
      const rect = row.getBoundingClientRect();
      return e.clientY < rect.top + rect.height / 2;
    });
    if (before) list.insertBefore(li, before);
    else if (others.length) others[others.length - 1].after(li);
  };
  const end = () => {
    document.removeEventListener('pointermove', move);
    document.removeEventListener('pointerup', end);
    document.removeEventListener('pointercancel', end);
    li.classList.remove('dragging');
    const shown = [...list.querySelectorAll('li.account')]
      .filter((row) => !row.hidden && row.classList.contains('pinned') === account.pinned)
      .map((row) => row.dataset.id);
    const moved = placedAmongShown(account, was, shown);
    if (moved.some((a, i) => a.id !== state.accounts[i]?.id)) {
      setAccounts(moved);
      saveOrder();
    }
  };
  document.addEventListener('pointermove', move);
  document.addEventListener('pointerup', end);
  document.addEventListener('pointercancel', end);
}

// ---------- deleting, with a way back ----------

// A deleted account leaves the list at once but the keychain only after
// the Undo window: closing the app meanwhile loses nothing.
const UNDO_SECONDS = 10;
let pending = null;

function scheduleDelete(account) {
  if (pending) commitDelete();
  const index = state.accounts.findIndex((a) => a.id === account.id);
  state.leavingId = account.id;
  setAccounts(state.accounts);
  pending = { account, index, timer: setTimeout(commitDelete, UNDO_SECONDS * 1000) };
  document.getElementById('undo-text').textContent = `Deleted ${title(account)}`;
  document.getElementById('undo-bar').hidden = false;
  announce(`Deleted ${title(account)}. Undo with Control Z for ${UNDO_SECONDS} seconds.`);
  // The focus goes to the account that took its place, else the one above.
  const next = state.accounts[Math.min(index, state.accounts.length - 1)];
  focusFirst(next && codeOf(next));
}

/** Hides the Undo bar, and the name it showed with it (a locked page
 *  holds no name). Its button may have the focus (the 10 s ran out, or
 *  it was pressed): it goes to the first of `instead` that can take it,
 *  else to the list. */
function hideUndo(...instead) {
  hideKeepingFocus(document.getElementById('undo-bar'), ...instead);
  document.getElementById('undo-text').textContent = '';
}

/** Puts a pending account back where it was. */
function putBack(entry) {
  state.leavingId = null;
  const accounts = [...state.accounts];
  accounts.splice(Math.min(entry.index, accounts.length), 0, entry.account);
  setAccounts(accounts);
}

async function commitDelete() {
  const entry = pending;
  if (!entry) return;
  pending = null;
  clearTimeout(entry.timer);
  hideUndo();
  try {
    await ipc.removeAccount(entry.account.id);
    state.leavingId = null;
    state.codes.delete(entry.account.id);
  } catch (error) {
    // Locked meanwhile: nothing goes back into the locked page.
    if (state.locked) {
      stoppedByLock = entry.account;
      state.leavingId = null;
      return;
    }
    // Not deleted after all: it comes back, with the reason.
    putBack(entry);
    toast(ipc.messageOf(error));
  }
}

// A lock stops a delete still waiting for Undo: the account stays (its row
// must not come back into the locked page, nor the account go unseen), and
// once unlocked the user is told.
let stoppedByLock = null;

function stopForLock() {
  const entry = pending;
  if (!entry) return;
  pending = null;
  clearTimeout(entry.timer);
  state.leavingId = null;
  hideUndo();
  stoppedByLock = entry.account;
}

on('lock', () => {
  if (state.lock?.state === 'locked') {
    stopForLock();
  } else if (stoppedByLock) {
    // Unlocked, or the lock turned off meanwhile.
    toast(`Deleting ${title(stoppedByLock)} was stopped by the lock: it is still here`);
    stoppedByLock = null;
  }
});

/** Ctrl+Z and the Undo button. False when there is nothing to undo. */
export function undoDelete() {
  const entry = pending;
  if (!entry) return false;
  pending = null;
  clearTimeout(entry.timer);
  // Back in the list first, so that the focus moves once, straight to it
  // (from the Undo button, or from a row the repaint replaced): a screen
  // reader would read a stop on the way too.
  putBack(entry);
  hideUndo(codeOf(entry.account));
  focusFirst(codeOf(entry.account));
  toast(`Restored ${title(entry.account)}`);
  return true;
}

/** Alt+↑/↓ on a row. */
export function moveFocused(event, step) {
  const account = accountOf(event.target);
  if (!account) return false;
  moveAccount(account, step);
  return true;
}

export function wireArrange() {
  onRow((li, account) => {
    const more = li.querySelector('.row-menu');
    more.addEventListener('click', () => openRowMenu(account, more));
    li.querySelector('.grip').addEventListener('pointerdown', (event) => startDrag(event, account, li));
  });
  onRendered(followRender);
  const actions = {
    'row-qr': (account) => secretDialog.open(account, 'qr', { returnTo: moreOf(account) }),
    'row-key': (account) => secretDialog.open(account, 'key', { returnTo: moreOf(account) }),
    'row-pin': togglePin,
    'row-up': (account) => moveAccount(account, -1),
    'row-down': (account) => moveAccount(account, 1),
    'row-rename': (account) => renameDialog.open(account, { returnTo: moreOf(account) }),
    'row-note': (account) => noteDialog.open(account, { returnTo: moreOf(account) }),
    'row-groups': (account) => groupsDialog.open(account, { returnTo: moreOf(account) }),
    'row-delete': (account) => confirmDialog.open(account, {
      onDelete: scheduleDelete,
      returnTo: moreOf(account),
    }),
  };
  for (const [id, act] of Object.entries(actions)) {
    document.getElementById(id).addEventListener('click', () => {
      const account = opened.account;
      closeRowMenu();
      if (account) act(account);
    });
  }
  menuBehaviour(menu(), {
    onClose: closeRowMenu,
    isOpener: (el) => Boolean(el.closest?.('.row-menu')),
  });
  document.getElementById('undo-button').addEventListener('click', undoDelete);
}
