// Turning the lock on or off, and changing its password. Before it goes
// on, the user is told that a forgotten password can only be recovered
// from a backup, and offered to set up automatic backups first.

import * as ipc from '../ipc.js';
import { state, setLock } from '../state.js';
import { toast } from '../notices.js';
import { openDialog } from '../focus.js';
import { fieldError, setError } from '../fields.js';
import * as autobackup from './autobackup.js';

const root = document.getElementById('lock-dialog');
const $ = (selector) => root.querySelector(selector);
let mode = 'on';

const MODES = {
  on: {
    title: 'Turn on the lock',
    go: 'Turn on',
    old: false,
    fresh: true,
    call: () => ipc.turnLockOn($('#lock-new').value),
    done: 'The lock is on: Watchword asks for its password when it starts; Ctrl+L locks it',
  },
  off: {
    title: 'Turn off the lock',
    go: 'Turn off',
    old: true,
    fresh: false,
    call: () => ipc.turnLockOff($('#lock-old').value),
    done: 'The lock is off',
  },
  change: {
    title: 'Change the lock\u2019s password',
    go: 'Change',
    old: true,
    fresh: true,
    call: () => ipc.changeLockPassword($('#lock-old').value, $('#lock-new').value),
    done: 'The lock\u2019s password was changed',
  },
};

const fields = () => [$('#lock-old'), $('#lock-new'), $('#lock-again')];

/** Opens the dialog for `chosen`: 'on', 'off' or 'change'. */
export function open(chosen, { returnTo } = {}) {
  mode = chosen;
  const m = MODES[mode];
  $('#lock-title').textContent = m.title;
  $('#lock-go').textContent = m.go;
  $('#lock-old-field').hidden = !m.old;
  $('#lock-new-fields').hidden = !m.fresh;
  $('#lock-warning').hidden = !m.fresh;
  $('#lock-backups').hidden = mode !== 'on' || Boolean(state.autobackup?.enabled);
  for (const field of fields()) field.value = '';
  setError($('#lock-error'), '', fields());
  openDialog(root, { focus: m.old ? $('#lock-old') : $('#lock-new'), returnTo });
}

async function submit(event) {
  event.preventDefault();
  const m = MODES[mode];
  const error = (message, field) => {
    fieldError($('#lock-error'), message, field);
  };
  if (m.old && $('#lock-old').value === '') return error('Enter the current password.', $('#lock-old'));
  if (m.fresh && $('#lock-new').value === '') return error('Choose a password.', $('#lock-new'));
  if (m.fresh && $('#lock-new').value !== $('#lock-again').value) {
    return error('The two passwords differ.', $('#lock-again'));
  }
  const go = $('#lock-go');
  go.disabled = true;
  go.textContent = 'Working…';
  setError($('#lock-error'), '', fields());
  try {
    setLock(await m.call());
    for (const field of fields()) field.value = '';
    root.close();
    toast(m.done);
  } catch (failure) {
    const wrong = failure?.code === 'wrong_password';
    // A wrong password, or a try too soon after three, is about the
    // current password; anything else (the keychain, an empty new one)
    // goes on the new one where it is asked. Never on a hidden field
    // (Turn off asks no new one): it cannot take the focus, which would
    // fall to the page behind the dialog.
    const onOld = m.old && (wrong || failure?.code === 'too_soon');
    const field = onOld || !m.fresh ? $('#lock-old') : $('#lock-new');
    error(wrong ? 'Wrong password.' : ipc.messageOf(failure), field);
    // A change stopped partway may have turned the lock on or off all the
    // same: Settings and Ctrl+L go by the lock as it now stands.
    ipc.lockStatus().then((status) => { if (!state.locked) setLock(status); }, () => {});
  } finally {
    go.disabled = false;
    go.textContent = m.go;
  }
}

function close() {
  for (const field of fields()) field.value = '';
  root.close();
}

export function wire() {
  $('#lock-form').addEventListener('submit', submit);
  $('#lock-cancel').addEventListener('click', close);
  root.addEventListener('cancel', (event) => { event.preventDefault(); close(); });
  // However it closes (the lock closes it too), the passwords go.
  root.addEventListener('close', () => { for (const field of fields()) field.value = ''; });
  $('#lock-backups-setup').addEventListener('click', (event) => autobackup.open({ returnTo: event.currentTarget }));
}
