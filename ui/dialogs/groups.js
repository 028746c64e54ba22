// The groups of one account: tick the groups it is in, or name a new one.
// Groups are the user's own words ("Work", "Banks") and say nothing
// secret; the list can show one group at a time (rows.js).

import * as ipc from '../ipc.js';
import { state, setAccounts, allGroups } from '../state.js';
import { describeAccount } from '../format.js';
import { toast } from '../notices.js';
import { openDialog } from '../focus.js';
import { fieldError, setError } from '../fields.js';

const root = document.getElementById('groups-dialog');
const $ = (selector) => root.querySelector(selector);
let account = null;

function addChoice(name, checked) {
  const existing = [...$('#groups-list').querySelectorAll('input')].find((box) => box.value === name);
  if (existing) {
    existing.checked = true;
    return existing;
  }
  const label = document.createElement('label');
  label.className = 'check';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.value = name;
  box.checked = checked;
  label.append(box, document.createTextNode(` ${name}`));
  $('#groups-list').append(label);
  $('#groups-none').hidden = true;
  return box;
}

export function open(chosen, { returnTo } = {}) {
  account = chosen;
  $('#groups-title').textContent = `Groups of ${describeAccount(account)}`;
  $('#groups-list').replaceChildren();
  const mine = new Set(account.groups ?? []);
  for (const name of allGroups()) addChoice(name, mine.has(name));
  $('#groups-none').hidden = $('#groups-list').children.length > 0;
  $('#groups-new').value = '';
  setError($('#groups-error'), '', [$('#groups-new')]);
  openDialog(root, {
    focus: $('#groups-list input') ?? $('#groups-new'),
    returnTo,
  });
}

/** The typed group joins the choices, ticked. */
function addTyped() {
  const field = $('#groups-new');
  const name = field.value.trim().replace(/\s+/g, ' ');
  if (name === '') {
    fieldError($('#groups-error'), 'Type the new group\u2019s name first.', field);
    return;
  }
  setError($('#groups-error'), '', [field]);
  const same = allGroups().concat(
    [...$('#groups-list').querySelectorAll('input')].map((box) => box.value),
  ).find((other) => other.toLowerCase() === name.toLowerCase());
  addChoice(same ?? name, true);
  field.value = '';
  field.focus();
}

async function save(event) {
  event.preventDefault();
  // A name typed but not added yet is meant too.
  if ($('#groups-new').value.trim() !== '') addTyped();
  // Only what the user changed: a group another process gave the account
  // while the dialog was open stays.
  const boxes = [...$('#groups-list').querySelectorAll('input')];
  const mine = new Set(account.groups ?? []);
  const add = boxes.filter((box) => box.checked && !mine.has(box.value)).map((box) => box.value);
  const remove = boxes.filter((box) => !box.checked && mine.has(box.value)).map((box) => box.value);
  try {
    const summary = await ipc.changeGroups(account.id, add, remove);
    root.close();
    setAccounts(state.accounts.map((a) => (a.id === summary.id ? summary : a)));
    const who = describeAccount(summary);
    toast(summary.groups.length === 0
      ? `${who} is in no group`
      : `${who} is in ${summary.groups.join(', ')}`);
  } catch (error) {
    setError($('#groups-error'), ipc.messageOf(error), [$('#groups-new')]);
  }
}

export function wire() {
  $('#groups-form').addEventListener('submit', save);
  $('#groups-add').addEventListener('click', addTyped);
  // Enter in the new group's field adds it; Enter elsewhere saves.
  $('#groups-new').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && $('#groups-new').value.trim() !== '') {
      event.preventDefault();
      addTyped();
    }
  });
  $('#groups-cancel').addEventListener('click', () => root.close());
  // The account's name and its groups leave with the dialog (a locked
  // page holds none).
  root.addEventListener('close', () => {
    $('#groups-title').textContent = '';
    $('#groups-list').replaceChildren();
  });
}
