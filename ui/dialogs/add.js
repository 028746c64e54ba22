// The Add account dialog: a setup key or an otpauth:// link, checked as it
// is typed, with a preview of what will be added. Both are shown at once
// but said only once typing settles, or as the field is left: a screen
// reader would otherwise speak at nearly every pause in a key.

import * as ipc from '../ipc.js';
import { state, reloadAccounts, refreshCodes } from '../state.js';
import { title } from '../format.js';
import { settledVoice, toast } from '../notices.js';
import { openDialog } from '../focus.js';
import { setError } from '../fields.js';

const root = document.getElementById('add-dialog');
const $ = (selector) => root.querySelector(selector);
let validation = 0;
const voice = settledVoice();

/** What the form has to say now: its error, else what would be added. */
const verdict = () => $('#add-error').textContent || $('#add-preview').textContent;

function entry() {
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
}

function showError(message) {
  setError($('#add-error'), message, [$('#add-input')]);
}

export function open() {
  $('#add-form').reset();
  showError('');
  $('#add-preview').textContent = '';
  $('#add-submit').disabled = true;
  voice.forget();
  syncAdvanced();
  openDialog(root, { focus: $('#add-input'), returnTo: document.getElementById('add-button') });
}

/** Opens the dialog (if it is not open) with `text` in the key field. */
export async function openWith(text) {
  // Locked while the clipboard was read: the text (maybe a key) is not
  // shown on the locked page.
  if (state.locked) return;
  if (!root.open) open();
  $('#add-input').value = text;
  await validate();
}

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

/** Checks the form; `typing`: a keystroke asked, so the verdict is said
 *  once typing settles rather than at once. */
async function validate({ typing = false } = {}) {
  syncAdvanced();
  const ticket = ++validation;
  const wanted = entry();
  const preview = $('#add-preview');
  const submit = $('#add-submit');
  const say = () => (typing ? voice.later(verdict()) : voice.now(verdict()));
  if (wanted.input.trim() === '') {
    showError('');
    preview.textContent = '';
    submit.disabled = true;
    say();
    return;
  }
  try {
    const result = await ipc.previewAccount(wanted);
    if (ticket !== validation) return; // A newer keystroke is being checked.
    if (result.duplicate) {
      showError('This account is already in Watchword.');
      preview.textContent = '';
      submit.disabled = true;
    } else {
      showError('');
      preview.textContent = describe(result);
      submit.disabled = false;
    }
    $('#add-issuer').placeholder = result.issuer || 'e.g. Amazon';
    $('#add-name').placeholder = result.name || 'e.g. me@example.com';
  } catch (failure) {
    if (ticket !== validation) return;
    showError(ipc.messageOf(failure));
    preview.textContent = '';
    submit.disabled = true;
  }
  say();
}

async function submit(event) {
  event.preventDefault();
  const button = $('#add-submit');
  button.disabled = true;
  try {
    const summary = await ipc.addAccount(entry());
    root.close();
    await reloadAccounts();
    await refreshCodes();
    toast(`Added ${title(summary)}`);
  } catch (error) {
    showError(ipc.messageOf(error));
    voice.now(verdict());
    button.disabled = false;
  }
}

export function wire() {
  document.getElementById('add-button').addEventListener('click', open);
  $('#add-cancel').addEventListener('click', () => root.close());
  // A key typed or pasted must not linger in a closed dialog (closed by
  // Cancel, Esc, an add, or the lock).
  root.addEventListener('close', () => {
    $('#add-form').reset();
    $('#add-preview').textContent = '';
    voice.forget();
  });
  $('#add-form').addEventListener('submit', submit);
  let debounce = 0;
  $('#add-form').addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => validate({ typing: true }), 120);
  });
  $('#add-form').addEventListener('change', () => validate());
  // Leaving a field says at once what waits to be said.
  $('#add-form').addEventListener('focusout', () => { if (root.open) voice.now(); });
}
