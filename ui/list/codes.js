// Codes and countdowns in the rows: painted at most once a second, touching
// only what changed, and only in rows on screen. When every timed account
// has the same period (as almost always), their codes all change together
// and one countdown beside the title stands for them all, as Aegis shows
// it: each second then repaints one small place instead of one per row,
// which WebKit charges per place (README, "Where the CPU at rest goes").
// Copying and generating (HOTP) live here too, as does saying a code's
// time left on request.

import * as ipc from '../ipc.js';
import { state, on, clockNow, codesAreStale, refreshCodes } from '../state.js';
import { rows, onBeforeRender, onRow, onRendered, accountOf } from './rows.js';
import { codeButtonName, groupCode, maskCode, seconds, title } from '../format.js';
import { announce, toast, showStatus, clearStatus } from '../notices.js';

const RING = 2 * Math.PI * 15; // circumference of the countdown circle (r = 15)
const WARN_SECONDS = 5;

// Accounts whose hidden code was clicked; hidden again with the next code.
const revealed = new Set();
// The HOTP code each counter-based account shows (id -> code), made here,
// in the tray or in the palette: a row made again by a re-render (a pin, a
// rename, another process's change) shows it still, as a code that went
// away would have to be generated again, spending a counter value.
// Forgotten on a lock, or once the store says another code came after it.
const hotpShown = new Map();
const NO_CODE = '––– –––';
let timer = 0;
let restart = () => {};
let beforeCopy = async () => {};

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

function remainingOf(code, now) {
  return Math.min(code.period, Math.max(1, Math.ceil(code.validUntil - now)));
}

/** The code whose countdown stands for every row's, when all the timed
 *  accounts listed have one period; else null. (The rows, not every code
 *  held: an account deleted with Undo pending keeps its code a while.) */
function sharedCountdown() {
  let first = null;
  for (const id of rows.keys()) {
    const code = state.codes.get(id);
    if (!code) continue;
    if (first === null) first = code;
    else if (code.period !== first.period) return null;
  }
  return first;
}

const listCountdown = { shown: {} };

/** Shows the list's one countdown, or hides it when the rows show theirs. */
function paintListCountdown(shared, now) {
  const el = document.getElementById('list-countdown');
  const one = shared !== null;
  if (listCountdown.shown.one !== one) {
    el.hidden = !one;
    document.getElementById('accounts').classList.toggle('one-countdown', one);
    listCountdown.shown = { one };
  }
  if (!one) return;
  const remaining = remainingOf(shared, now);
  const shown = listCountdown.shown;
  if (shown.remaining === remaining && shown.period === shared.period) return;
  el.querySelector('.arc').style.strokeDashoffset = String(RING * (1 - remaining / shared.period));
  el.querySelector('.seconds').textContent = String(remaining);
  el.classList.toggle('expiring', remaining <= WARN_SECONDS);
  shown.remaining = remaining;
  shown.period = shared.period;
}

/** Updates codes and countdowns, touching the DOM only where a value
 *  changed: every row with `all` (new codes), else the rows in view (the
 *  countdown, once a second). */
export function paintCodes(now, all = false) {
  const shared = sharedCountdown();
  paintListCountdown(shared, now);
  for (const [id, row] of rows) {
    if (!all && !onScreen.has(id)) continue;
    // A counter-based code has no countdown: it changes only when one is
    // made, which repaints it.
    if (row.account.kind === 'hotp') {
      paintHotp(id, row);
      continue;
    }
    const code = state.codes.get(id);
    if (!code) continue;
    const remaining = remainingOf(code, now);
    const shown = row.shown;
    if (shown.current !== code.current && shown.current !== undefined) {
      // A new code is hidden again until clicked.
      revealed.delete(id);
    }
    const hidden = state.settings.hideCodes && !revealed.has(id);
    const button = row.el.querySelector('.code');
    if (shown.current !== code.current || shown.masked !== hidden) {
      button.textContent = hidden ? maskCode(code.current) : groupCode(code.current);
      button.classList.toggle('masked', hidden);
      shown.current = code.current;
      shown.masked = hidden;
      button.setAttribute('aria-label', codeButtonName(row.account, shown));
    }
    // A row's own countdown only while the list has no shared one.
    if (shared === null && shown.ring !== remaining) {
      const fraction = remaining / code.period;
      row.el.querySelector('.arc').style.strokeDashoffset = String(RING * (1 - fraction));
      row.el.querySelector('.seconds').textContent = String(remaining);
      shown.ring = remaining;
    }
    if (shown.remaining !== remaining) {
      const warn = remaining <= WARN_SECONDS;
      const showNext = (warn || state.settings.alwaysShowNext) && !shown.masked;
      if (shown.warn !== warn || shown.next !== code.next || shown.showNext !== showNext) {
        row.el.classList.toggle('expiring', warn);
        button.title = showNext && code.next ? `Next: ${groupCode(code.next)}` : '';
        // In its last seconds the next code is shown beside the current one,
        // so nobody types a code that dies on the way; a screen reader hears
        // it as the button's description, not as a separate number.
        const next = row.el.querySelector('.next-code');
        next.hidden = !(showNext && code.next);
        // Not kept in the page while it is not shown (a hidden code's).
        next.textContent = next.hidden ? '' : `next ${groupCode(code.next)}`;
        if (next.hidden) button.removeAttribute('aria-describedby');
        else button.setAttribute('aria-describedby', next.id);
        shown.warn = warn;
        shown.next = code.next;
        shown.showNext = showNext;
      }
      shown.remaining = remaining;
    }
  }
}

/** Paints an HOTP row's code under the same rule as a timed one: hidden
 *  (with Hide codes on) until clicked, and hidden again when the next
 *  one is made. */
function paintHotp(id, row) {
  const current = hotpShown.get(id);
  const hidden = current !== undefined && state.settings.hideCodes && !revealed.has(id);
  const shown = row.shown;
  if (shown.painted && shown.current === current && shown.masked === hidden) return;
  const button = row.el.querySelector('.code');
  button.textContent = current === undefined ? NO_CODE : hidden ? maskCode(current) : groupCode(current);
  button.classList.toggle('masked', hidden);
  shown.painted = true;
  shown.current = current;
  shown.masked = hidden;
  button.setAttribute('aria-label', codeButtonName(row.account, shown));
  if (current !== undefined) {
    button.disabled = false;
    return;
  }
  // No code to copy: Generate takes the focus the button held.
  const held = document.activeElement === button;
  button.disabled = true;
  if (held) row.el.querySelector('.generate').focus();
}

function scheduleTick() {
  clearTimeout(timer);
  timer = 0;
  // Only a time-based code changes by itself: with none (every account
  // counter-based, or none at all, or locked) nothing wakes until codes
  // come (the 'codes' listener below starts the ticks again).
  if (state.codes.size === 0) return;
  // Wake just after the next whole second: one repaint a second at most.
  timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
}

export async function tick() {
  try {
    const now = clockNow();
    if (codesAreStale(now)) await refreshCodes();
    else if (!document.hidden) paintCodes(now);
  } finally {
    // The next one is scheduled even if this one failed part-way.
    scheduleTick();
  }
}

async function copy(account) {
  try {
    // A settings change just made (say, the clipboard delay) applies to
    // this copy: let its save reach the store first.
    await beforeCopy();
    const result = await ipc.copyCode(account.id);
    const clears = result.clearsIn === null || result.clearsIn === undefined
      ? '' : `, clears in ${result.clearsIn} s`;
    toast(result.next
      ? `Copied the next code, as this one is about to expire${clears}`
      : `Copied${clears}`);
    // A hidden code shows itself once clicked (not if a lock came
    // meanwhile: it would show after the unlock).
    if (state.settings.hideCodes && !state.locked) {
      revealed.add(account.id);
      paintCodes(clockNow());
    }
  } catch (error) {
    // An HOTP code another process has since gone past: not shown longer.
    if (error?.code === 'no_code' && account.kind === 'hotp') forgetHotp(account);
    toast(ipc.messageOf(error));
  }
}

/** Back to no code shown for an HOTP account, as before Generate. */
function forgetHotp(account) {
  hotpShown.delete(account.id);
  revealed.delete(account.id);
  paintCodes(clockNow(), true);
}

/** Shows an HOTP code made now (here, in the tray or the palette); the
 *  button of its row, or null. */
function showHotp(view) {
  // Locked since it was made: nothing of it comes onto the locked page.
  if (state.locked || !state.accounts.some((a) => a.id === view.id)) return null;
  hotpShown.set(view.id, view.current);
  // A new code is hidden again until clicked, as a timed one is.
  revealed.delete(view.id);
  paintCodes(clockNow(), true);
  return rows.get(view.id)?.el.querySelector('.code') ?? null;
}

async function generateHotp(account) {
  try {
    const view = await ipc.generateHotp(account.id);
    const button = showHotp(view);
    if (!button) return;
    // The new code is read out where the focus lands: the code button is
    // named by its code. Said in the live region only where the focus
    // did not move (it was there already, or cannot go there), as
    // otherwise a screen reader would say it twice.
    const moved = document.activeElement !== button;
    button.focus();
    if (!moved || document.activeElement !== button) {
      // A hidden code is not read out either.
      announce(rows.get(account.id)?.shown.masked
        ? `New code for ${title(account)}, hidden: click it to show and copy it`
        : `New code for ${title(account)}: ${groupCode(view.current)}`);
    }
  } catch (error) {
    toast(ipc.messageOf(error));
  }
}

/** Says the focused row's code, its time left and the next code. */
export function sayTimeLeft(event) {
  const account = accountOf(event.target);
  if (!account) return false;
  const row = rows.get(account.id);
  const code = state.codes.get(account.id);
  if (account.kind === 'hotp' || !code) {
    announce(!row?.shown.current
      ? `${title(account)}: no code yet, press Generate`
      : row.shown.masked
        ? `${title(account)}: code hidden, counter-based, it does not expire`
        : `${title(account)}: ${groupCode(row.shown.current)}, counter-based, it does not expire`);
    return true;
  }
  const left = seconds(remainingOf(code, clockNow()));
  announce(row?.shown.masked
    ? `${title(account)}: code hidden, ${left} left`
    : `${title(account)}: ${groupCode(code.current)}, ${left} left, next ${groupCode(code.next)}`);
  return true;
}

/**
 * `retry` runs when the codes cannot be fetched; `settled()` is awaited
 * before a copy (a settings save in flight).
 */
export function wireCodes({ retry, settled }) {
  restart = retry;
  beforeCopy = settled;
  onRow((li, account) => {
    const code = li.querySelector('.code');
    code.addEventListener('click', () => copy(account));
    li.querySelector('.next-code').id = `next-${account.id}`;
    if (account.kind === 'hotp') {
      li.querySelector('.countdown').hidden = true;
      const generate = li.querySelector('.generate');
      generate.hidden = false;
      generate.setAttribute('aria-label', `Generate a code for ${title(account)}`);
      generate.addEventListener('click', () => generateHotp(account));
      // Until painted (just after the render), with the code it shows, if any.
      code.textContent = NO_CODE;
      code.disabled = true;
    }
    code.setAttribute('aria-label', codeButtonName(account, {}));
    visibility.observe(li);
  });
  onRendered(() => paintCodes(clockNow(), true));
  onBeforeRender(() => {
    // The rows of the last render are going; the new ones observe themselves.
    visibility.disconnect();
    onScreen.clear();
  });
  // Locked, the codes clicked into view are hidden again after the
  // unlock, however long the lock lasted, and the HOTP codes go, as the
  // store forgets them then. One goes with its account too (not while its
  // delete may still be undone).
  on('accounts', () => {
    if (state.locked) {
      revealed.clear();
      hotpShown.clear();
    }
    for (const id of hotpShown.keys()) {
      if (id !== state.leavingId && !state.accounts.some((a) => a.id === id)) hotpShown.delete(id);
    }
  });
  on('codes', ({ error }) => {
    if (error) showStatus(ipc.messageOf(error), restart, 'codes');
    else clearStatus('codes');
    // Ticks start again with codes to count down (first: a paint that
    // fails must not stop them).
    scheduleTick();
    paintCodes(clockNow(), true);
  });
  on('settings', () => {
    // Repaint every code under the new rules.
    for (const row of rows.values()) row.shown = {};
    document.getElementById('accounts').setAttribute('aria-label',
      state.settings.hideCodes ? 'Accounts, codes hidden until clicked' : 'Accounts');
    paintCodes(clockNow(), true);
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) tick(); });
  // Made by a copy from the tray: shown here too (the focus stays put).
  ipc.listen('hotp-generated', ({ payload }) => { showHotp(payload); });
}

export { scheduleTick };
