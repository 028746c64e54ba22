// "Delete account?": the last word before an account leaves the list.

import { describeAccount } from '../format.js';
import { openDialog } from '../focus.js';

const root = document.getElementById('confirm-dialog');

/** Asks; `onDelete(account)` runs if the user confirms. */
export function open(account, { onDelete, returnTo }) {
  root.querySelector('#confirm-text').textContent =
    `${describeAccount(account)} will be removed from Watchword and from your keychain. Make sure you can still sign in without it.`;
  root.returnValue = '';
  root.onclose = () => {
    // The name leaves with the dialog (a locked page holds none).
    root.querySelector('#confirm-text').textContent = '';
    // Deleting moves the focus itself, to the row that takes its place.
    if (root.returnValue === 'delete') onDelete(account);
  };
  openDialog(root, {
    focus: root.querySelector('button[value="cancel"]'),
    returnTo: () => (root.returnValue === 'delete' ? document.activeElement : returnTo?.()),
  });
}
