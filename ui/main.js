// The main window: the account list with live codes, copy on click, and the
// add form. Repaints only what changed, at most once a second.

import * as ipc from './ipc.js';
import { filterAccounts } from './search.js';
import { brandFor, inkOn } from './icons.js';

const $ = (selector) => document.querySelector(selector);
const RING = 2 * Math.PI * 15; // circumference of the countdown circle (r = 15)
const WARN_SECONDS = 5;

/** Seconds since the epoch, by the user's clock correction: what the codes
 *  from Rust are computed for. */
function clockNow() {
  return Date.now() / 1000 + (state.settings.timeOffset || 0);
}

const state = {
  settings: { clearClipboardAfter: 30, hideCodes: false, theme: 'system', timeOffset: 0, alwaysShowNext: false },
  // Accounts whose hidden code was clicked; hidden again with the next code.
  revealed: new Set(),
  accounts: [],
  codes: new Map(), // id -> {current, next, remaining, period, validUntil}
  rows: new Map(), // id -> {el, shown: {...}}
  refreshing: false,
  timer: 0,
  toastTimer: 0,
};

// ---------- formatting ----------

/** "123456" -> "123 456", "12345678" -> "1234 5678"; Steam codes stay whole. */
export function groupCode(code) {
  if (!/^\d+$/.test(code) || code.length < 6) return code;
  if (code.length === 9) return code.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3');
  const half = Math.floor(code.length / 2);
  return `${code.slice(0, half)} ${code.slice(half)}`;
}

function monogramColor(text) {
  let hash = 0;
  for (const ch of text) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360} 55% 42%)`;
}

/** A brand icon on the brand's colour, or a monogram. */
function paintIcon(el, account) {
  const brand = account.issuer ? brandFor(account.issuer) : null;
  const background = brand ? `#${brand.hex}` : monogramColor(title(account));
  el.style.backgroundColor = background;
  el.style.color = brand ? inkOn(brand.hex) : '#fff';
  if (brand?.slug) {
    const glyph = document.createElement('span');
    glyph.className = 'brand';
    glyph.dataset.slug = brand.slug;
    glyph.style.setProperty('--icon', `url(icons/brands/${brand.slug}.svg)`);
    el.replaceChildren(glyph);
  } else {
    el.textContent = title(account).trim().charAt(0).toUpperCase() || '?';
  }
}

function title(account) {
  return account.issuer || account.name || 'Unnamed account';
}

// ---------- notices ----------

function toast(message) {
  const el = $('#toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => { el.hidden = true; }, 3000);
}

// The status line has one owner at a time ('start', 'codes', 'damaged'), so
// a later success clears only its own failure, never another's notice.
function showStatus(message, retry, owner = 'start') {
  const el = $('#status');
  el.dataset.owner = owner;
  el.replaceChildren(document.createTextNode(message));
  if (retry) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Try again';
    button.addEventListener('click', retry);
    el.append(' ', button);
  }
  el.hidden = false;
}

function clearStatus(owner) {
  const el = $('#status');
  if (owner === undefined || el.dataset.owner === owner) el.hidden = true;
}

// ---------- the list ----------

function render() {
  const list = $('#accounts');
  const template = $('#account-template');
  visibility.disconnect();
  onScreen.clear();
  state.rows.clear();
  const items = state.accounts.map((account) => {
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.id = account.id;
    li.dataset.kind = account.kind;
    paintIcon(li.querySelector('.monogram'), account);
    li.querySelector('.issuer').textContent = title(account);
    li.querySelector('.name').textContent = account.issuer ? account.name : '';
    const code = li.querySelector('.code');
    code.setAttribute('aria-label', `Copy code for ${title(account)}`);
    code.addEventListener('click', () => copy(account));
    const generate = li.querySelector('.generate');
    if (account.kind === 'hotp') {
      li.querySelector('.countdown').hidden = true;
      generate.hidden = false;
      generate.setAttribute('aria-label', `Generate a code for ${title(account)}`);
      generate.addEventListener('click', () => generateHotp(account));
      code.textContent = '––– –––';
      code.disabled = true;
    }
    li.classList.toggle('pinned', account.pinned);
    const more = li.querySelector('.row-menu');
    more.setAttribute('aria-label', `More for ${title(account)}`);
    more.addEventListener('click', () => openRowMenu(account, more));
    li.querySelector('.grip').addEventListener('pointerdown', (event) => startDrag(event, account, li));
    state.rows.set(account.id, { el: li, shown: {} });
    visibility.observe(li);
    return li;
  });
  list.replaceChildren(...items);
  $('#empty-state').hidden = state.accounts.length > 0;
  applySearch();
  paintCodes(clockNow(), true);
  // The list changed: so may what a backup would miss.
  refreshBackupReminder();
}

// Rows scrolled out of view are not repainted each second; they catch up
// when they come back into view.
const onScreen = new Set();
const visibility = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    const id = entry.target.dataset.id;
    if (entry.isIntersecting) onScreen.add(id);
    else onScreen.delete(id);
  }
  paintCodes(clockNow());
});

/** Updates codes and countdowns, touching the DOM only where a value
 *  changed: every row with `all` (new codes), else the rows in view (the
 *  countdown, once a second). */
function paintCodes(now, all = false) {
  for (const [id, row] of state.rows) {
    if (!all && !onScreen.has(id)) continue;
    const code = state.codes.get(id);
    if (!code) continue;
    const remaining = Math.min(code.period, Math.max(1, Math.ceil(code.validUntil - now)));
    const shown = row.shown;
    if (shown.current !== code.current && shown.current !== undefined) {
      // A new code is hidden again until clicked.
      state.revealed.delete(id);
    }
    const hidden = state.settings.hideCodes && !state.revealed.has(id);
    if (shown.current !== code.current || shown.masked !== hidden) {
      const button = row.el.querySelector('.code');
      button.textContent = hidden ? groupCode(code.current).replace(/[^ ]/g, '•') : groupCode(code.current);
      button.classList.toggle('masked', hidden);
      shown.current = code.current;
      shown.masked = hidden;
    }
    if (shown.remaining !== remaining) {
      const fraction = remaining / code.period;
      row.el.querySelector('.arc').style.strokeDashoffset = String(RING * (1 - fraction));
      row.el.querySelector('.seconds').textContent = String(remaining);
      const warn = remaining <= WARN_SECONDS;
      const showNext = (warn || state.settings.alwaysShowNext) && !shown.masked;
      if (shown.warn !== warn || shown.next !== code.next || shown.showNext !== showNext) {
        row.el.classList.toggle('expiring', warn);
        const button = row.el.querySelector('.code');
        button.title = showNext && code.next ? `Next: ${groupCode(code.next)}` : '';
        // In its last seconds the next code is shown beside the current one,
        // so nobody types a code that dies on the way.
        const next = row.el.querySelector('.next-code');
        next.hidden = !(showNext && code.next);
        next.textContent = code.next ? `next ${groupCode(code.next)}` : '';
        shown.warn = warn;
        shown.next = code.next;
        shown.showNext = showNext;
      }
      shown.remaining = remaining;
    }
  }
}

/** True when a code has run out, or the clock moved back past its period. */
function codesAreStale(now) {
  for (const code of state.codes.values()) {
    if (now >= code.validUntil || code.validUntil - now > code.period + 1) return true;
  }
  return false;
}

async function refreshCodes() {
  if (state.refreshing) return;
  state.refreshing = true;
  try {
    const codes = await ipc.getCodes();
    state.codes = new Map(codes.map((c) => [c.id, c]));
    clearStatus('codes');
  } catch (error) {
    showStatus(ipc.messageOf(error), start, 'codes');
  } finally {
    state.refreshing = false;
  }
  paintCodes(clockNow(), true);
}

function scheduleTick() {
  clearTimeout(state.timer);
  // Wake just after the next whole second: one repaint a second at most.
  state.timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
}

async function tick() {
  const now = clockNow();
  if (codesAreStale(now)) await refreshCodes();
  else if (!document.hidden) paintCodes(now);
  scheduleTick();
}

// ---------- actions ----------

async function copy(account) {
  try {
    // A settings change just made (say, the clipboard delay) applies to
    // this copy: let its save reach the store first.
    await saveSettings.settled();
    const result = await ipc.copyCode(account.id);
    const clears = result.clearsIn === null || result.clearsIn === undefined
      ? '' : `, clears in ${result.clearsIn} s`;
    toast(result.next
      ? `Copied the next code, as this one is about to expire${clears}`
      : `Copied${clears}`);
    // A hidden code shows itself once clicked.
    if (state.settings.hideCodes) {
      state.revealed.add(account.id);
      paintCodes(clockNow());
    }
  } catch (error) {
    toast(ipc.messageOf(error));
  }
}

async function generateHotp(account) {
  try {
    const view = await ipc.generateHotp(account.id);
    const row = state.rows.get(account.id);
    const button = row.el.querySelector('.code');
    button.textContent = groupCode(view.current);
    button.disabled = false;
  } catch (error) {
    toast(ipc.messageOf(error));
  }
}

function describeAccount(account) {
  return `${title(account)}${account.issuer && account.name ? ` (${account.name})` : ''}`;
}

function confirmDelete(account) {
  const dialog = $('#confirm-dialog');
  $('#confirm-text').textContent =
    `${describeAccount(account)} will be removed from Watchword and from your keychain. Make sure you can still sign in without it.`;
  dialog.returnValue = '';
  dialog.onclose = () => {
    if (dialog.returnValue === 'delete') scheduleDelete(account);
  };
  dialog.showModal();
}

// ---------- deleting, with a way back ----------

// A deleted account leaves the list at once but the keychain only after
// the Undo window: closing the app meanwhile loses nothing.
const UNDO_SECONDS = 10;
const undo = { pending: null };

/** The list from the store, without an account waiting to be deleted. */
function setAccounts(accounts) {
  const pending = undo.pending?.account.id;
  state.accounts = accounts.filter((a) => a.id !== pending);
}

function scheduleDelete(account) {
  if (undo.pending) commitDelete();
  const index = state.accounts.findIndex((a) => a.id === account.id);
  state.accounts = state.accounts.filter((a) => a.id !== account.id);
  render();
  undo.pending = { account, index, timer: setTimeout(commitDelete, UNDO_SECONDS * 1000) };
  $('#undo-text').textContent = `Deleted ${title(account)}`;
  $('#undo-bar').hidden = false;
}

async function commitDelete() {
  const pending = undo.pending;
  if (!pending) return;
  undo.pending = null;
  clearTimeout(pending.timer);
  $('#undo-bar').hidden = true;
  try {
    await ipc.removeAccount(pending.account.id);
    state.codes.delete(pending.account.id);
  } catch (error) {
    // Not deleted after all: it comes back, with the reason.
    state.accounts.splice(Math.min(pending.index, state.accounts.length), 0, pending.account);
    render();
    toast(ipc.messageOf(error));
  }
}

function undoDelete() {
  const pending = undo.pending;
  if (!pending) return;
  undo.pending = null;
  clearTimeout(pending.timer);
  $('#undo-bar').hidden = true;
  state.accounts.splice(Math.min(pending.index, state.accounts.length), 0, pending.account);
  render();
  toast(`Restored ${title(pending.account)}`);
}

// ---------- arranging: pin, move, rename ----------

const rowMenu = { account: null, button: null };

function openRowMenu(account, button) {
  const menu = $('#row-actions');
  if (!menu.hidden && rowMenu.account?.id === account.id) {
    closeRowMenu();
    return;
  }
  rowMenu.account = account;
  rowMenu.button = button;
  $('#row-pin').textContent = account.pinned ? 'Unpin' : 'Pin to top';
  const group = state.accounts.filter((a) => a.pinned === account.pinned);
  const at = group.findIndex((a) => a.id === account.id);
  $('#row-up').disabled = at <= 0;
  $('#row-down').disabled = at === group.length - 1;
  menu.hidden = false;
  const rect = button.getBoundingClientRect();
  const below = rect.bottom + menu.offsetHeight + 8 < window.innerHeight;
  menu.style.top = `${below ? rect.bottom + 4 : Math.max(8, rect.top - menu.offsetHeight - 4)}px`;
  menu.style.left = `${Math.max(8, rect.right - menu.offsetWidth)}px`;
  button.setAttribute('aria-expanded', 'true');
  menu.querySelector('button:not(:disabled)').focus();
}

function closeRowMenu() {
  $('#row-actions').hidden = true;
  rowMenu.button?.setAttribute('aria-expanded', 'false');
}

/**
 * `task` run one call at a time, in the order asked: each save must reach
 * the store after the one before it, or a quick second change could be
 * overwritten by the first (the commands run on separate worker threads).
 * Each run reads the state of the moment, so the last one saves the last.
 */
function oneAtATime(task) {
  let last = Promise.resolve();
  const run = () => {
    last = last.then(task, task);
    return last;
  };
  /** Resolves once every run asked for so far is over. */
  run.settled = () => last;
  return run;
}

const saveOrder = oneAtATime(async () => {
  try {
    await ipc.reorderAccounts(state.accounts.map((a) => a.id));
  } catch (error) {
    toast(ipc.messageOf(error));
  }
});

/** Moves an account one place up (-1) or down (+1) among its group. */
async function moveAccount(account, step) {
  const from = state.accounts.findIndex((a) => a.id === account.id);
  const to = from + step;
  const target = state.accounts[to];
  if (from < 0 || !target || target.pinned !== account.pinned) return;
  state.accounts.splice(from, 1);
  state.accounts.splice(to, 0, account);
  render();
  state.rows.get(account.id)?.el.querySelector('button.code').focus();
  await saveOrder();
}

async function togglePin(account) {
  try {
    await ipc.setPinned(account.id, !account.pinned);
    setAccounts(await ipc.listAccounts());
    render();
    toast(account.pinned ? `Unpinned ${title(account)}` : `Pinned ${title(account)} to the top`);
  } catch (error) {
    toast(ipc.messageOf(error));
  }
}

function openRename(account) {
  rowMenu.account = account;
  $('#rename-issuer').value = account.issuer;
  $('#rename-name').value = account.name;
  $('#rename-error').textContent = '';
  $('#rename-dialog').showModal();
  $('#rename-issuer').focus();
}

async function saveRename(event) {
  event.preventDefault();
  const account = rowMenu.account;
  try {
    const summary = await ipc.renameAccount(account.id, $('#rename-issuer').value, $('#rename-name').value);
    $('#rename-dialog').close();
    state.accounts = state.accounts.map((a) => (a.id === summary.id ? summary : a));
    render();
    toast(`Renamed to ${describeAccount(summary)}`);
  } catch (error) {
    $('#rename-error').textContent = ipc.messageOf(error);
  }
}

/** Drag by the grip: the row follows the pointer within its group. */
function startDrag(event, account, li) {
  if (event.button !== 0 || $('#search').value.trim() !== '') return;
  event.preventDefault();
  // Moves are followed on the whole document: pointer capture on the grip
  // is not dependable (WebKitGTK may drop it as soon as the row restyles).
  li.classList.add('dragging');
  const list = $('#accounts');
  const move = (e) => {
    const rows = [...list.querySelectorAll('li.account:not(.dragging)')]
      .filter((row) => row.classList.contains('pinned') === account.pinned);
    const before = rows.find((row) => {
      const rect = row.getBoundingClientRect();
      return e.clientY < rect.top + rect.height / 2;
    });
    if (before) list.insertBefore(li, before);
    else if (rows.length) rows[rows.length - 1].after(li);
  };
  const end = () => {
    document.removeEventListener('pointermove', move);
    document.removeEventListener('pointerup', end);
    document.removeEventListener('pointercancel', end);
    li.classList.remove('dragging');
    const order = [...list.querySelectorAll('li.account')].map((row) => row.dataset.id);
    const byId = new Map(state.accounts.map((a) => [a.id, a]));
    const moved = order.map((id) => byId.get(id)).filter(Boolean);
    if (moved.some((a, i) => a.id !== state.accounts[i]?.id)) {
      state.accounts = moved;
      render();
      saveOrder();
    }
  };
  document.addEventListener('pointermove', move);
  document.addEventListener('pointerup', end);
  document.addEventListener('pointercancel', end);
}

// ---------- showing a secret, on request ----------

const secret = { account: null, kind: null };

function openSecret(account, kind) {
  secret.account = account;
  secret.kind = kind;
  $('#secret-title').textContent = kind === 'qr'
    ? `QR code of ${describeAccount(account)}`
    : `Key of ${describeAccount(account)}`;
  $('#secret-warning').textContent = kind === 'qr'
    ? 'This QR code holds the account\'s secret key: anyone who scans it can make its codes. Show it only to your own phone, and not while sharing your screen.'
    : 'Anyone who sees this key can make this account\'s codes. Make sure nobody can see your screen, and stop any screen sharing.';
  $('#secret-confirm').hidden = false;
  $('#secret-shown').hidden = true;
  $('#secret-dialog').showModal();
  $('#secret-cancel').focus();
}

async function showSecret() {
  const { account, kind } = secret;
  try {
    if (kind === 'qr') {
      const code = await ipc.accountQr(account.id);
      $('#secret-qr').setAttribute('viewBox', `0 0 ${code.size} ${code.size}`);
      $('#secret-qr-path').setAttribute('d', code.path);
    } else {
      $('#secret-key').textContent = await ipc.revealKey(account.id);
    }
    $('#secret-qr-frame').hidden = kind !== 'qr';
    $('#secret-key').hidden = kind !== 'key';
    $('#secret-confirm').hidden = true;
    $('#secret-shown').hidden = false;
    $('#secret-done').focus();
  } catch (error) {
    closeSecret();
    toast(ipc.messageOf(error));
  }
}

function closeSecret() {
  $('#secret-dialog').close();
  // Forget what was shown.
  $('#secret-qr-path').setAttribute('d', '');
  $('#secret-key').textContent = '';
  secret.account = null;
}

function wireRows() {
  $('#secret-show').addEventListener('click', showSecret);
  $('#secret-cancel').addEventListener('click', closeSecret);
  $('#secret-done').addEventListener('click', closeSecret);
  $('#secret-dialog').addEventListener('cancel', (event) => { event.preventDefault(); closeSecret(); });
  const actions = {
    'row-qr': (account) => openSecret(account, 'qr'),
    'row-key': (account) => openSecret(account, 'key'),
    'row-pin': togglePin,
    'row-up': (account) => moveAccount(account, -1),
    'row-down': (account) => moveAccount(account, 1),
    'row-rename': openRename,
    'row-delete': confirmDelete,
  };
  for (const [id, act] of Object.entries(actions)) {
    $(`#${id}`).addEventListener('click', () => {
      const account = rowMenu.account;
      closeRowMenu();
      if (account) act(account);
    });
  }
  const menu = $('#row-actions');
  menu.addEventListener('keydown', (event) => {
    const items = [...menu.querySelectorAll('button:not(:disabled)')];
    const at = items.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      closeRowMenu();
      rowMenu.button?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : items.length - 1;
      items[(at + step) % items.length].focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (!menu.hidden && !event.target.closest('#row-actions, .row-menu')) closeRowMenu();
  });
  $('#rename-form').addEventListener('submit', saveRename);
  $('#rename-cancel').addEventListener('click', () => $('#rename-dialog').close());
  $('#undo-button').addEventListener('click', undoDelete);
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z' && undo.pending
        && !isTextField(document.activeElement)) {
      event.preventDefault();
      undoDelete();
    }
  });
  // Alt+↑/↓ on a row moves it.
  $('#accounts').addEventListener('keydown', (event) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    const li = document.activeElement.closest('li.account');
    const account = li && state.accounts.find((a) => a.id === li.dataset.id);
    if (!account) return;
    event.preventDefault();
    event.stopPropagation();
    moveAccount(account, event.key === 'ArrowUp' ? -1 : 1);
  }, true);
}

// ---------- the add form ----------

const form = {
  dialog: () => $('#add-dialog'),
  entry() {
    const number = (selector) => {
      const value = $(selector).value.trim();
      return value === '' ? null : Number(value);
    };
    return {
      input: $('#add-input').value,
      issuer: $('#add-issuer').value,
      name: $('#add-name').value,
      kind: $('#add-kind').value,
      algorithm: $('#add-algorithm').value,
      digits: number('#add-digits'),
      period: number('#add-period'),
      counter: number('#add-counter'),
    };
  },
  open() {
    $('#add-form').reset();
    $('#add-error').textContent = '';
    $('#add-preview').textContent = '';
    $('#add-submit').disabled = true;
    syncAdvanced();
    form.dialog().showModal();
    $('#add-input').focus();
  },
};

let validation = 0;

function describe(preview) {
  const who = [preview.issuer, preview.name].filter(Boolean).join(' · ') || 'Unnamed account';
  const kind = preview.kind === 'hotp'
    ? `counter-based, ${preview.digits} digits, counter ${preview.counter}`
    : preview.kind === 'steam'
      ? 'Steam Guard'
      : `${preview.digits} digits every ${preview.period} s, ${preview.algorithm}`;
  return `${who}: ${kind}`;
}

function syncAdvanced() {
  const isUri = $('#add-input').value.trim().toLowerCase().startsWith('otpauth://');
  const advanced = $('#add-advanced');
  advanced.classList.toggle('disabled', isUri);
  for (const field of advanced.querySelectorAll('select, input')) field.disabled = isUri;
  const kind = $('#add-kind').value;
  for (const el of advanced.querySelectorAll('.totp-only')) el.hidden = kind !== 'totp';
  for (const el of advanced.querySelectorAll('.hotp-only')) el.hidden = kind !== 'hotp';
  $('#add-digits').disabled = isUri || kind === 'steam';
}

async function validate() {
  syncAdvanced();
  const ticket = ++validation;
  const entry = form.entry();
  const error = $('#add-error');
  const preview = $('#add-preview');
  const submit = $('#add-submit');
  if (entry.input.trim() === '') {
    error.textContent = '';
    preview.textContent = '';
    submit.disabled = true;
    return;
  }
  try {
    const result = await ipc.previewAccount(entry);
    if (ticket !== validation) return; // A newer keystroke is being checked.
    if (result.duplicate) {
      error.textContent = 'This account is already in Watchword.';
      preview.textContent = '';
      submit.disabled = true;
    } else {
      error.textContent = '';
      preview.textContent = describe(result);
      submit.disabled = false;
    }
    $('#add-issuer').placeholder = result.issuer || 'e.g. Amazon';
    $('#add-name').placeholder = result.name || 'e.g. me@example.com';
  } catch (failure) {
    if (ticket !== validation) return;
    error.textContent = ipc.messageOf(failure);
    preview.textContent = '';
    submit.disabled = true;
  }
}

async function submitAdd(event) {
  event.preventDefault();
  const submit = $('#add-submit');
  submit.disabled = true;
  try {
    const summary = await ipc.addAccount(form.entry());
    form.dialog().close();
    setAccounts(await ipc.listAccounts());
    render();
    await refreshCodes();
    toast(`Added ${title(summary)}`);
  } catch (error) {
    $('#add-error').textContent = ipc.messageOf(error);
    submit.disabled = false;
  }
}

// ---------- adding from QR codes ----------

const enrol = {
  dialog: () => $('#enrol-dialog'),
  busy: false,
  locked: 0,
};

function foundDetails(found) {
  const kind = found.kind === 'hotp'
    ? `Counter-based, ${found.digits} digits, counter ${found.counter}`
    : found.kind === 'steam'
      ? 'Steam Guard'
      : `${found.digits} digits every ${found.period} s, ${found.algorithm}`;
  return found.duplicate ? `Already in Watchword · ${kind}` : kind;
}

/** Shows (or refreshes) the preview of what the QR codes held. */
function showEnrolment(view) {
  const list = $('#enrol-list');
  const template = $('#found-template');
  // Keep what the user already edited or unticked when more codes arrive.
  const edited = new Map();
  for (const li of list.children) {
    edited.set(li.dataset.index, {
      pick: li.querySelector('.pick').checked,
      issuer: li.querySelector('.found-issuer').value,
      name: li.querySelector('.found-name').value,
    });
  }
  const items = view.found.map((found) => {
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.index = String(found.index);
    li.classList.toggle('duplicate', found.duplicate);
    const before = edited.get(String(found.index));
    const pick = li.querySelector('.pick');
    pick.checked = !found.duplicate && (before ? before.pick : true);
    pick.disabled = found.duplicate;
    const who = [found.issuer, found.name].filter(Boolean).join(' · ') || 'Unnamed account';
    pick.setAttribute('aria-label', `Add ${who}`);
    li.querySelector('.found-issuer').value = before ? before.issuer : found.issuer;
    li.querySelector('.found-name').value = before ? before.name : found.name;
    li.querySelector('.found-details').textContent = foundDetails(found);
    return li;
  });
  list.replaceChildren(...items);
  const notes = view.notes.map((note) => {
    const li = document.createElement('li');
    li.textContent = `${note.source}: ${note.message}`;
    return li;
  });
  $('#enrol-notes').replaceChildren(...notes);
  const missing = $('#enrol-missing');
  missing.textContent = view.missing.join(' ');
  missing.hidden = view.missing.length === 0;
  enrol.locked = view.locked.length;
  const locked = $('#enrol-locked');
  locked.hidden = view.locked.length === 0;
  if (view.locked.length > 0) {
    const first = view.locked[0];
    $('#enrol-locked-label').textContent =
      `“${first.source}” is an encrypted ${first.format} backup. Enter its password:`;
    $('#enrol-password').value = '';
  }
  syncEnrolConfirm();
  const dialog = enrol.dialog();
  if (!dialog.open) dialog.showModal();
  if (view.locked.length > 0) $('#enrol-password').focus();
}

async function unlockBackup() {
  const field = $('#enrol-password');
  const error = $('#enrol-password-error');
  if (field.value === '') {
    error.textContent = 'Enter the password the backup was made with.';
    field.focus();
    return;
  }
  const button = $('#enrol-unlock');
  const cancel = $('#enrol-unlock-cancel');
  button.disabled = true;
  button.textContent = 'Unlocking…';
  // Key derivation may take a while (a real vault: about a second).
  cancel.hidden = false;
  error.textContent = '';
  try {
    const view = await ipc.unlockBackup(field.value);
    field.value = '';
    showEnrolment(view);
  } catch (failure) {
    error.textContent = failure?.code === 'cancelled'
      ? 'Cancelled: enter the password again to unlock it.'
      : ipc.messageOf(failure);
    field.select();
    field.focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Unlock';
    cancel.hidden = true;
  }
}

function syncEnrolConfirm() {
  const picked = [...$('#enrol-list').querySelectorAll('.pick')].filter((p) => p.checked).length;
  const button = $('#enrol-confirm');
  button.disabled = picked === 0 || enrol.busy;
  button.textContent = picked === 1 ? 'Add 1 account' : `Add ${picked} accounts`;
  const total = $('#enrol-list').children.length;
  const already = $('#enrol-list').querySelectorAll('li.duplicate').length;
  const found = total === 1 ? '1 account found' : `${total} accounts found`;
  $('#enrol-title').textContent = total === 0 && enrol.locked > 0
    ? 'Encrypted backup'
    : already > 0 ? `${found}, ${already} already in Watchword` : found;
}

async function confirmEnrolment(event) {
  event.preventDefault();
  const choices = [...$('#enrol-list').children]
    .filter((li) => li.querySelector('.pick').checked)
    .map((li) => ({
      index: Number(li.dataset.index),
      issuer: li.querySelector('.found-issuer').value,
      name: li.querySelector('.found-name').value,
    }));
  enrol.busy = true;
  syncEnrolConfirm();
  try {
    const result = await ipc.confirmEnrolment(choices);
    enrol.dialog().close();
    $('#enrol-list').replaceChildren();
    setAccounts(await ipc.listAccounts());
    render();
    await refreshCodes();
    const added = result.added === 1 ? 'Added 1 account' : `Added ${result.added} accounts`;
    toast(result.duplicates > 0 ? `${added}; ${result.duplicates} already in Watchword` : added);
  } catch (error) {
    toast(ipc.messageOf(error));
  } finally {
    enrol.busy = false;
    syncEnrolConfirm();
  }
}

async function discardEnrolment() {
  enrol.dialog().close();
  $('#enrol-list').replaceChildren();
  try {
    await ipc.discardEnrolment();
  } catch (error) {
    toast(ipc.messageOf(error));
  }
}

/** Runs one way of bringing codes in, with a notice while it works. */
async function bringIn(what, call) {
  const status = $('#loading');
  status.textContent = what;
  status.hidden = false;
  try {
    const view = await call();
    if (view) showEnrolment(view);
  } catch (error) {
    toast(ipc.messageOf(error));
  } finally {
    status.hidden = true;
  }
}

async function pasteFromClipboard() {
  const status = $('#loading');
  status.textContent = 'Reading the clipboard…';
  status.hidden = false;
  try {
    const pasted = await ipc.pasteClipboard();
    if (pasted.kind === 'preview') {
      showEnrolment(pasted);
    } else {
      // A link or a key as text: the add form, filled in and checked.
      if (!form.dialog().open) form.open();
      $('#add-input').value = pasted.text;
      await validate();
    }
  } catch (error) {
    toast(ipc.messageOf(error));
  } finally {
    status.hidden = true;
  }
}

// ---------- backups and exports ----------

const backup = { dismissed: false, google: null, shown: 0 };

async function refreshBackupReminder() {
  const reminder = $('#backup-reminder');
  try {
    const status = await ipc.backupStatus();
    const count = status.addedSince;
    reminder.hidden = backup.dismissed || count === 0 || state.accounts.length === 0;
    $('#backup-reminder-text').textContent = status.lastBackup === null || status.lastBackup === undefined
      ? `Your ${count === 1 ? 'account is' : `${count} accounts are`} not backed up yet.`
      : `${count === 1 ? '1 account was' : `${count} accounts were`} added since your last backup.`;
  } catch {
    // The reminder is a courtesy: a keychain problem is reported elsewhere.
    reminder.hidden = true;
  }
}

function exportKind() {
  return document.querySelector('input[name="export-kind"]:checked').value;
}

function syncExportForm(event) {
  // Only a change of kind resets the form's message; a password field's
  // change (on blur, as the Save button is clicked) must not.
  if (event && event.target.name !== 'export-kind') return;
  const kind = exportKind();
  $('#export-aegis').hidden = kind !== 'aegis';
  $('#export-plain').hidden = kind !== 'uris';
  $('#export-google').hidden = kind !== 'google';
  $('#export-go').textContent = kind === 'google' ? 'Show codes' : 'Save…';
  $('#export-error').textContent = '';
}

function openExport() {
  closeMenu();
  $('#export-form').reset();
  syncExportForm();
  $('#export-dialog').showModal();
  $('#export-password').focus();
}

async function runExport(event) {
  event.preventDefault();
  const kind = exportKind();
  const error = $('#export-error');
  const go = $('#export-go');
  if (kind === 'aegis') {
    const password = $('#export-password').value;
    if (password === '') { error.textContent = 'Choose a password for the backup.'; return; }
    if (password !== $('#export-repeat').value) { error.textContent = 'The two passwords differ.'; return; }
  }
  if (kind === 'uris' && !$('#export-understood').checked) {
    error.textContent = 'Tick “I understand” to save an unencrypted file.';
    return;
  }
  go.disabled = true;
  try {
    if (kind === 'google') {
      const view = await ipc.googleExport();
      $('#export-dialog').close();
      showGoogle(view);
      return;
    }
    const saved = await ipc.saveBackup(kind, kind === 'aegis' ? $('#export-password').value : null);
    if (!saved) return; // The user closed the save dialog.
    $('#export-dialog').close();
    $('#export-form').reset();
    toast(`Saved ${saved.accounts === 1 ? '1 account' : `${saved.accounts} accounts`} to ${saved.path}`);
    refreshBackupReminder();
  } catch (failure) {
    error.textContent = ipc.messageOf(failure);
  } finally {
    go.disabled = false;
  }
}

function showGoogle(view) {
  backup.google = view;
  backup.shown = 0;
  const leftOut = view.leftOut.map((reason) => {
    const li = document.createElement('li');
    li.textContent = `Not included: ${reason}`;
    return li;
  });
  $('#google-left-out').replaceChildren(...leftOut);
  paintGoogle();
  $('#google-dialog').showModal();
}

function paintGoogle() {
  const { codes, accounts } = backup.google;
  const code = codes[backup.shown];
  const svg = $('#google-qr');
  svg.setAttribute('viewBox', `0 0 ${code.size} ${code.size}`);
  $('#google-qr-path').setAttribute('d', code.path);
  $('#google-step').textContent = codes.length === 1
    ? `One code with ${accounts === 1 ? '1 account' : `${accounts} accounts`}: in Google Authenticator, choose “Import accounts” and scan it.`
    : `Code ${backup.shown + 1} of ${codes.length} (${accounts} accounts in all): scan them in order.`;
  $('#google-prev').hidden = codes.length === 1;
  $('#google-next').hidden = codes.length === 1;
  $('#google-prev').disabled = backup.shown === 0;
  $('#google-next').disabled = backup.shown === codes.length - 1;
}

function closeGoogle() {
  $('#google-dialog').close();
  // Forget the codes: they hold the keys.
  $('#google-qr-path').setAttribute('d', '');
  backup.google = null;
}

function wireBackup() {
  $('#export-button').addEventListener('click', openExport);
  $('#backup-now').addEventListener('click', openExport);
  $('#backup-later').addEventListener('click', () => {
    backup.dismissed = true;
    $('#backup-reminder').hidden = true;
  });
  $('#export-form').addEventListener('change', syncExportForm);
  $('#export-form').addEventListener('submit', runExport);
  $('#export-cancel').addEventListener('click', () => $('#export-dialog').close());
  $('#google-prev').addEventListener('click', () => { backup.shown -= 1; paintGoogle(); });
  $('#google-next').addEventListener('click', () => { backup.shown += 1; paintGoogle(); });
  $('#google-done').addEventListener('click', closeGoogle);
  $('#google-dialog').addEventListener('cancel', (event) => { event.preventDefault(); closeGoogle(); });
}

// ---------- settings ----------

function applySettings() {
  const settings = state.settings;
  const root = document.documentElement;
  if (settings.theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = settings.theme;
  // Repaint every code under the new rules.
  for (const row of state.rows.values()) row.shown = {};
  paintCodes(clockNow(), true);
}

function fillSettingsForm() {
  const settings = state.settings;
  const clearing = settings.clearClipboardAfter !== null && settings.clearClipboardAfter !== undefined;
  $('#set-clear-on').checked = clearing;
  $('#set-clear').value = String(clearing ? settings.clearClipboardAfter : 30);
  $('#set-clear').disabled = !clearing;
  $('#set-hide').checked = settings.hideCodes;
  $('#set-next').checked = settings.alwaysShowNext;
  $('#set-theme').value = settings.theme;
  $('#set-offset').value = String(settings.timeOffset);
}

const saveSettings = oneAtATime(async () => {
  const error = $('#settings-error');
  const clearing = $('#set-clear-on').checked;
  $('#set-clear').disabled = !clearing;
  const offset = Number($('#set-offset').value || '0');
  const wanted = {
    clearClipboardAfter: clearing ? Number($('#set-clear').value || '30') : null,
    hideCodes: $('#set-hide').checked,
    theme: $('#set-theme').value,
    timeOffset: Number.isInteger(offset) ? offset : Math.round(offset),
    alwaysShowNext: $('#set-next').checked,
  };
  try {
    const offsetChanged = wanted.timeOffset !== state.settings.timeOffset;
    state.settings = await ipc.setSettings(wanted);
    error.textContent = '';
    applySettings();
    if (offsetChanged) await refreshCodes();
  } catch (failure) {
    // Out of range: say so; what is saved stays as it was.
    error.textContent = ipc.messageOf(failure);
  }
});

async function loadSettings() {
  try {
    state.settings = await ipc.getSettings();
  } catch {
    // The defaults stand; a store problem is reported by the list.
  }
  applySettings();
}

function wireSettings() {
  $('#settings-button').addEventListener('click', () => {
    closeMenu();
    fillSettingsForm();
    $('#settings-error').textContent = '';
    $('#settings-dialog').showModal();
  });
  $('#settings-form').addEventListener('change', saveSettings);
  $('#settings-done').addEventListener('click', () => $('#settings-dialog').close());
}

// ---------- the "More" menu ----------

function closeMenu() {
  $('#more-menu').hidden = true;
  $('#more-button').setAttribute('aria-expanded', 'false');
}

function wireMenu() {
  const button = $('#more-button');
  const menu = $('#more-menu');
  button.addEventListener('click', () => {
    const open = menu.hidden;
    menu.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) menu.querySelector('button').focus();
  });
  menu.addEventListener('keydown', (event) => {
    const items = [...menu.querySelectorAll('button')];
    const at = items.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      closeMenu();
      button.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : items.length - 1;
      items[(at + step) % items.length].focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (!menu.hidden && !event.target.closest('.menu-anchor')) closeMenu();
  });
}

function isTextField(element) {
  if (!element) return false;
  if (element.isContentEditable || element.tagName === 'TEXTAREA') return true;
  return element.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'submit'].includes(element.type);
}

function wireEnrolment() {
  $('#scan-button').addEventListener('click', () => bringIn('Looking for a QR code on your screen…', ipc.scanScreen));
  $('#open-button').addEventListener('click', () => {
    closeMenu();
    bringIn('Reading the images…', ipc.openImages);
  });
  $('#import-button').addEventListener('click', () => {
    closeMenu();
    bringIn('Reading the backup…', ipc.importFiles);
  });
  $('#enrol-unlock').addEventListener('click', unlockBackup);
  $('#enrol-unlock-cancel').addEventListener('click', () => { ipc.cancelUnlock(); });
  $('#enrol-password').addEventListener('keydown', (event) => {
    // Enter here unlocks; it must not submit (add) the preview.
    if (event.key === 'Enter') {
      event.preventDefault();
      unlockBackup();
    }
  });
  wireMenu();
  $('#enrol-form').addEventListener('submit', confirmEnrolment);
  $('#enrol-cancel').addEventListener('click', discardEnrolment);
  $('#enrol-list').addEventListener('change', syncEnrolConfirm);
  // Esc closes the dialog: that is a cancel too.
  enrol.dialog().addEventListener('cancel', (event) => {
    event.preventDefault();
    discardEnrolment();
  });
  document.addEventListener('keydown', (event) => {
    const paste = (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'v';
    // In a text field, Ctrl+V pastes text there as usual.
    if (!paste || isTextField(document.activeElement)) return;
    event.preventDefault();
    pasteFromClipboard();
  });
  // Files dropped on the window are read by the Rust side; the page only
  // shows where to drop them and what came of it.
  const target = $('#drop-target');
  ipc.listen('tauri://drag-enter', () => { target.hidden = false; });
  ipc.listen('tauri://drag-over', () => { target.hidden = false; });
  ipc.listen('tauri://drag-leave', () => { target.hidden = true; });
  ipc.listen('tauri://drag-drop', () => { target.hidden = true; });
  ipc.listen('enrol-result', ({ payload }) => {
    if (payload.ok) showEnrolment(payload.ok);
    else toast(ipc.messageOf(payload.error));
  });
  // Another process (watchword-cli, an import elsewhere) changed accounts,
  // names, order or settings: show the store as it is now.
  ipc.listen('accounts-changed', reloadChanged);
}

async function reloadChanged() {
  try {
    await loadSettings();
    setAccounts(await ipc.listAccounts());
    render();
    await refreshCodes();
    $('#empty-state').hidden = state.accounts.length > 0 || !$('#status').hidden;
  } catch (error) {
    showStatus(ipc.messageOf(error), start);
  }
}

// ---------- start ----------

async function start() {
  clearStatus();
  await loadSettings();
  try {
    setAccounts(await ipc.listAccounts());
    render();
    const loaded = await ipc.loadAccounts();
    setAccounts(loaded.accounts);
    render();
    if (loaded.damaged.length > 0) {
      showStatus(`${loaded.damaged.length} keychain item(s) could not be read and were left untouched: ${loaded.damaged.join('; ')}`, null, 'damaged');
    }
    await refreshCodes();
  } catch (error) {
    showStatus(ipc.messageOf(error), start);
  } finally {
    $('#loading').hidden = true;
    $('#empty-state').hidden = state.accounts.length > 0 || !$('#status').hidden;
  }
  scheduleTick();
}

// ---------- finding ----------

/** Shows the rows matching the search, best first. */
function applySearch() {
  const query = $('#search').value;
  const shown = filterAccounts(query, state.accounts);
  const list = $('#accounts');
  const visible = new Set(shown.map((a) => a.id));
  for (const [id, row] of state.rows) {
    const hide = !visible.has(id);
    if (row.el.hidden !== hide) row.el.hidden = hide;
  }
  // Best first (Enter copies the top row), else the list's order. Rows move
  // only when the order of the visible ones changed: most keystrokes keep it.
  const order = query.trim() !== '' ? shown : state.accounts;
  const wanted = order.map((a) => a.id).filter((id) => visible.has(id));
  const current = [...list.children].filter((el) => !el.hidden).map((el) => el.dataset.id);
  if (wanted.length !== current.length || wanted.some((id, i) => id !== current[i])) {
    for (const id of wanted) list.append(state.rows.get(id).el);
  }
  const none = $('#no-match');
  none.hidden = shown.length > 0 || state.accounts.length === 0;
  none.textContent = `No account matches “${query.trim()}”.`;
  $('#search').closest('.search-bar').hidden = state.accounts.length === 0;
}

function visibleCodes() {
  return [...$('#accounts').querySelectorAll('li.account:not([hidden]) button.code')];
}

function anyDialogOpen() {
  return [...document.querySelectorAll('dialog')].some((d) => d.open);
}

function wireHelp() {
  $('#help-button').addEventListener('click', () => {
    $('#help-dialog').showModal();
    $('#help-close').focus();
  });
  $('#help-close').addEventListener('click', () => $('#help-dialog').close());
}

function wireSearch() {
  const search = $('#search');
  search.addEventListener('input', applySearch);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      const first = visibleCodes().find((button) => !button.disabled);
      if (first) first.click();
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      visibleCodes()[0]?.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      search.value = '';
      applySearch();
    }
  });
  $('#accounts').addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const codes = visibleCodes();
    const at = codes.indexOf(document.activeElement.closest('li.account')?.querySelector('button.code'));
    if (at < 0) return;
    event.preventDefault();
    if (event.key === 'ArrowUp' && at === 0) search.focus();
    else codes[Math.min(codes.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1))].focus();
  });
  document.addEventListener('keydown', (event) => {
    if (anyDialogOpen()) return;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
      event.preventDefault();
      search.focus();
      search.select();
      return;
    }
    if (event.key === 'Escape' && search.value !== '') {
      search.value = '';
      applySearch();
      return;
    }
    // "?" (with nothing typed) or F1: the list of shortcuts.
    if (event.key === 'F1' || (event.key === '?' && search.value === '' && !isTextField(document.activeElement))) {
      event.preventDefault();
      $('#help-dialog').showModal();
      $('#help-close').focus();
      return;
    }
    // Typing anywhere searches: the key lands in the search field.
    const printable = event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
    if (printable && !isTextField(document.activeElement) && event.key !== ' ') {
      search.focus();
    }
  });
}

function wire() {
  $('#add-button').addEventListener('click', form.open);
  $('#add-cancel').addEventListener('click', () => form.dialog().close());
  $('#add-form').addEventListener('submit', submitAdd);
  let debounce = 0;
  $('#add-form').addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(validate, 120);
  });
  $('#add-form').addEventListener('change', validate);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) tick(); });
}

wire();
wireHelp();
wireRows();
wireSettings();
wireSearch();
wireEnrolment();
wireBackup();
start();
