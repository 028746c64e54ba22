// Accounts whose keychain item went away without Watchword removing it
// (another tool or app deleted it): named in a bar that stays until they
// are restored or forgotten, since until then no automatic backup is
// pruned (the older ones may be all that holds their keys). The store
// decides what is missing; this module shows it.

import * as ipc from './ipc.js';
import { state, on } from './state.js';
import { describeAccount } from './format.js';
import { announce, toast } from './notices.js';
import { focusFirst, hideKeepingFocus } from './focus.js';
import * as enrol from './dialogs/enrol.js';
import * as restoreDialog from './dialogs/restore.js';

const bar = document.getElementById('missing-bar');
const text = document.getElementById('missing-text');
let shown = null; // the list as last painted: {accounts, backup}
let said = '';
let asking = 0;

/** "A", "A and B", "A, B, C and 2 more" for `accounts` ([{issuer, name}]). */
function names(accounts) {
  const named = accounts.slice(0, 3).map(describeAccount);
  const more = accounts.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more`
    : named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named[0];
}

/** The bar's words for `accounts` ([{issuer, name, listedAgain}]), or ''
 *  for none. One added again since under its name with another key may
 *  have a new key from its service, and the old one then no longer
 *  works: said, and the backup's Restore offers it unticked. (Two
 *  accounts may share a name, so it is not called dead.) */
export function describe(accounts) {
  if (!accounts || accounts.length === 0) return '';
  const one = accounts.length === 1;
  const words = `${names(accounts)} ${one ? 'is' : 'are'} no longer in your keychain: something other than Watchword removed ${one ? 'it' : 'them'}. `
    + `Older backups are kept until you restore or forget ${one ? 'it' : 'them'}.`;
  const again = accounts.filter((a) => a.listedAgain);
  if (again.length === 0) return words;
  const which = one ? 'It' : names(again);
  return again.length === 1
    ? `${words} ${which} is listed again since with another key. If its service gave you that new key, the old one no longer works.`
    : `${words} ${which} are listed again since with other keys. If their services gave you those new keys, the old ones no longer work.`;
}

function paint(list) {
  shown = list;
  const words = state.locked ? '' : describe(list?.accounts);
  if (words === '') {
    hideKeepingFocus(bar);
    said = '';
    return;
  }
  if (text.textContent !== words) text.textContent = words;
  bar.hidden = false;
  // Said once when it appears or changes, not at every repaint.
  if (words !== said) announce(words);
  said = words;
}

/** Asks the store what is missing (nothing is asked while locked). */
export async function refresh() {
  const ticket = ++asking;
  if (state.locked) {
    paint(null);
    return;
  }
  let list;
  try {
    list = await ipc.missingAccounts();
  } catch {
    // Locked meanwhile (the lock hides the bar), or a keychain problem
    // the list reports: the bar stays as it was, not said again later.
    return;
  }
  if (ticket === asking) paint(list);
}

function restore(event) {
  const returnTo = event.currentTarget;
  // No automatic backup from before they went: any backup file.
  if (!shown?.backup) {
    restoreDialog.open({ returnTo });
    return;
  }
  enrol.bringIn(`Reading ${shown.backup}…`, async () => {
    const { preview, skipped } = await ipc.restoreMissing();
    if (skipped.length > 0) toast(`Could not read ${skipped.join('; ')}. Showing the backup before ${skipped.length === 1 ? 'it' : 'them'}.`);
    return preview;
  }, { returnTo });
}

async function forget() {
  const button = document.getElementById('missing-forget');
  // Only what the bar named: one found since stays, to be shown.
  const foundBy = Math.max(0, ...(shown?.accounts ?? []).map((a) => a.since));
  button.disabled = true;
  try {
    const forgotten = await ipc.forgetMissing(foundBy);
    toast(`Forgot ${forgotten === 1 ? '1 account' : `${forgotten} accounts`}: older backups will be pruned again`);
  } catch (failure) {
    announce(ipc.messageOf(failure));
  } finally {
    button.disabled = false;
    await refresh();
    // Disabled, the button may have lost the focus to the page.
    if (document.activeElement === document.body || !document.activeElement) focusFirst(button);
  }
}

export function wire() {
  on('accounts', refresh);
  on('lock', () => { if (state.locked) paint(null); });
  document.getElementById('missing-restore').addEventListener('click', restore);
  document.getElementById('missing-forget').addEventListener('click', forget);
}
