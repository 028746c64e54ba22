// "Keep Watchword in the tray?": asked the first time the window is closed
// while a tray shows Watchword's icon. The answer is saved (Settings →
// Tray changes it later); Cancel leaves the window open and asks again
// next time.

import * as ipc from '../ipc.js';
import { setSettings } from '../state.js';
import { openDialog } from '../focus.js';

const root = document.getElementById('close-dialog');
const $ = (selector) => root.querySelector(selector);

/** Asks (the window's close button was pressed). */
export function open() {
  if (root.open) return;
  $('#close-error').hidden = true;
  root.returnValue = '';
  openDialog(root, { focus: $('#close-keep') });
}

root.addEventListener('close', async () => {
  const answer = root.returnValue;
  if (answer !== 'keep' && answer !== 'quit') {
    // Cancel (or Esc): the window stays; the next close asks again.
    ipc.closeQuestionCancelled();
    return;
  }
  try {
    await ipc.answerCloseToTray(answer === 'keep');
    // Shown again from the tray, the Settings dialog says what was chosen.
    setSettings(await ipc.getSettings());
  } catch (failure) {
    // Not saved: asked again, with the reason.
    openDialog(root, { focus: $('#close-keep') });
    $('#close-error').textContent = ipc.messageOf(failure);
    $('#close-error').hidden = false;
  }
});
