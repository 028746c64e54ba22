// The keyboard shortcuts, listed from the one table in shortcuts.js.

import { helpList } from '../shortcuts.js';
import { state } from '../state.js';
import { openDialog } from '../focus.js';

const root = document.getElementById('help-dialog');

export function open() {
  root.querySelector('#help-list').replaceChildren(...helpList(() => state.settings.singleKeyShortcuts));
  openDialog(root, { focus: root.querySelector('#help-close') });
  return true;
}

export function wire() {
  document.getElementById('help-button').addEventListener('click', open);
  root.querySelector('#help-close').addEventListener('click', () => root.close());
}
