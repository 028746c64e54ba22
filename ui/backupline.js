// Where automatic backups stand, always in view: a quiet line under the list
// ("Backed up 2 minutes ago to ~/Sync/watchword") and, when the last backup
// failed, a problem bar that stays until a backup succeeds, with Try again.
// The store decides everything; this module only shows state.autobackup.

import * as ipc from './ipc.js';
import { state, on, setAutobackup } from './state.js';
import { ago } from './format.js';
import { announce } from './notices.js';
import { hideKeepingFocus } from './focus.js';

const line = document.getElementById('autobackup-line');
const problem = document.getElementById('autobackup-problem');
let timer = 0;
let saidProblem = '';

/** The line's words for `status` at `now`, or '' when backups are off. */
export function describe(status, now = Date.now() / 1000) {
  if (!status || !status.enabled) return '';
  const where = status.folder;
  if (status.lastGood === null || status.lastGood === undefined) return `Not backed up yet to ${where}`;
  const pending = status.pending && !status.lastError ? ' (backing up changes…)' : '';
  return `Backed up ${ago(status.lastGood, now)} to ${where}${pending}`;
}

function paint() {
  clearTimeout(timer);
  const status = state.autobackup;
  const words = describe(status);
  line.hidden = words === '';
  if (line.textContent !== words) line.textContent = words;
  const failure = status?.enabled ? status.lastError : null;
  // Its "Try again" may have the focus as it goes: the list takes it.
  if (failure) problem.hidden = false;
  else hideKeepingFocus(problem);
  const text = failure ? `Automatic backup failed: ${failure.message}` : '';
  document.getElementById('autobackup-problem-text').textContent = text;
  // Said once per new problem, not at every repaint.
  if (text !== '' && text !== saidProblem) announce(text);
  saidProblem = text;
  // "2 minutes ago" moves on once a minute; nothing runs while it is off.
  if (words !== '') timer = setTimeout(paint, 60_000);
}

/** Asks the store where backups stand. */
export async function refresh() {
  try {
    setAutobackup(await ipc.autoBackupStatus());
  } catch {
    // A keychain problem is reported by the list; the line just waits.
  }
}

async function retry() {
  const button = document.getElementById('autobackup-retry');
  button.disabled = true;
  try {
    setAutobackup(await ipc.autoBackupNow());
  } catch (failure) {
    announce(ipc.messageOf(failure));
    await refresh();
  } finally {
    button.disabled = false;
  }
}

export function wire({ change }) {
  on('autobackup', paint);
  document.getElementById('autobackup-retry').addEventListener('click', retry);
  document.getElementById('autobackup-change').addEventListener('click', (event) => change({ returnTo: event.currentTarget }));
  // The Rust side says when a backup ran (or failed) in the background.
  ipc.listen('autobackup-status', (event) => setAutobackup(event.payload));
}
