// The main window: it starts the parts, opens dialogs and binds the keyboard.
// The parts: state.js (the model and its events), list/ (rows, codes,
// arranging), dialogs/ (one module per dialog), shortcuts.js (every key),
// notices.js (toast, status, the live region), focus.js (where focus goes).

import * as ipc from './ipc.js';
import { state, on, setAccounts, setCodes, setSettings, setLock, loadSettings, refreshCodes } from './state.js';
import { wireRows, applySearch, clearSearch, visibleCodes, rowControls, showEmpty } from './list/rows.js';
import { wireCodes, sayTimeLeft, scheduleTick } from './list/codes.js';
import { wireArrange, undoDelete, moveFocused } from './list/arrange.js';
import { showStatus, clearStatus, toast } from './notices.js';
import { focusFirst, menuBehaviour, menusChanged } from './focus.js';
import { install as installShortcuts } from './shortcuts.js';
import * as add from './dialogs/add.js';
import * as enrol from './dialogs/enrol.js';
import * as exporting from './dialogs/export.js';
import * as settings from './dialogs/settings.js';
import * as sheet from './dialogs/sheet.js';
import * as help from './dialogs/help.js';
import * as rename from './dialogs/rename.js';
import * as secret from './dialogs/secret.js';
import * as note from './dialogs/note.js';
import * as groups from './dialogs/groups.js';
import * as autobackup from './dialogs/autobackup.js';
import * as restore from './dialogs/restore.js';
import * as backupLine from './backupline.js';
import * as missingBar from './missingbar.js';
import * as lockDialog from './dialogs/lock.js';
import * as lockScreen from './lockscreen.js';
import * as closing from './dialogs/closing.js';

const $ = (id) => document.getElementById(id);

// ---------- the "More" menu ----------

function closeMenu({ refocus = false } = {}) {
  $('more-menu').hidden = true;
  menusChanged();
  $('more-button').setAttribute('aria-expanded', 'false');
  if (refocus) $('more-button').focus();
}

function wireMenu() {
  const button = $('more-button');
  const menu = $('more-menu');
  button.addEventListener('click', () => {
    const open = menu.hidden;
    menu.hidden = !open;
    menusChanged();
    button.setAttribute('aria-expanded', String(open));
    if (open) menu.querySelector('button').focus();
  });
  menuBehaviour(menu, { onClose: closeMenu, isOpener: (el) => el === button });
  // What each item opens gives the focus back to ⋮ when it closes.
  const items = {
    'open-button': () => enrol.bringIn('Reading the images…', ipc.openImages, { returnTo: button }),
    'import-button': () => enrol.bringIn('Reading the backup…', ipc.importFiles, { returnTo: button }),
    'export-button': () => exporting.open({ returnTo: button }),
    'sheet-button': () => sheet.open({ returnTo: button }),
    'restore-button': () => restore.open({ returnTo: button }),
    'settings-button': () => settings.open({ returnTo: button }),
  };
  for (const [id, act] of Object.entries(items)) {
    $(id).addEventListener('click', () => {
      closeMenu();
      act();
    });
  }
}

// ---------- the keyboard ----------

/** ↑/↓ from a row: the row above or below, or the search above the first. */
function step(event, by) {
  const li = event.target.closest('li.account');
  const controls = rowControls();
  const at = controls.findIndex((control) => li.contains(control));
  if (at < 0) return false;
  if (by < 0 && at === 0) $('search').focus();
  else controls[Math.min(controls.length - 1, Math.max(0, at + by))].focus();
  return true;
}

function wireKeyboard() {
  const search = $('search');
  installShortcuts({
    typeToSearch: () => {
      // The key itself lands in the search field.
      search.focus();
      return false;
    },
    focusSearch: () => {
      search.focus();
      search.select();
    },
    copyFirst: () => visibleCodes().find((button) => !button.disabled)?.click(),
    intoList: () => rowControls()[0]?.focus(),
    moveUp: (event) => moveFocused(event, -1),
    moveDown: (event) => moveFocused(event, 1),
    previous: (event) => step(event, -1),
    next: (event) => step(event, 1),
    timeLeft: sayTimeLeft,
    clearSearch,
    paste: () => { enrol.paste(); },
    undo: undoDelete,
    lockNow: () => {
      lockScreen.lockNow();
      return state.lock !== null && state.lock.state !== 'off';
    },
    help: () => {
      if (search.value !== '' && document.activeElement !== search) return false;
      return help.open();
    },
  }, () => state.settings.singleKeyShortcuts);
}

// ---------- start ----------

let starting = false;

async function start() {
  if (starting) return;
  starting = true;
  clearStatus();
  try {
    // One call: the keychain read began in Rust as the app started, so the
    // settings, the list and its codes arrive together and the first paint
    // of the list already carries the codes.
    const view = await ipc.startView();
    // Locked while the view came (the screen locked as the window
    // started): nothing of it comes onto the locked page.
    if (state.locked) return;
    setSettings(view.settings);
    setCodes(view.codes);
    setAccounts(view.accounts);
    const said = [];
    if (view.damaged.length > 0) {
      said.push(`${view.damaged.length} keychain item(s) could not be read and were left untouched: ${view.damaged.join('; ')}`);
    }
    if (view.listRebuilt) {
      said.push("Watchword's list file was damaged: it was set aside and the list rebuilt from the keychain, so every account is here, but their order, groups and the settings are as new.");
    }
    if (view.backupsLost) {
      said.push('Automatic backups have stopped: their settings were lost. Set them up again in Settings → Automatic backups.');
    }
    if (said.length > 0) showStatus(said.join(' '), null, 'damaged');
    // The lock's state comes with the view (Ctrl+L goes by it); the
    // fuller status, for Settings, may follow or fail.
    setLock({ state: view.lock });
    ipc.lockStatus().then(setLock, () => {});
  } catch (error) {
    // The settings, at least, may be readable: the theme must not flash.
    await loadSettings();
    if (error?.code === 'vault_locked') {
      setLock({ state: 'locked' });
      lockScreen.showLocked();
    } else {
      showStatus(ipc.messageOf(error), start);
    }
  } finally {
    $('loading').hidden = true;
    showEmpty();
    starting = false;
  }
  scheduleTick();
}

/** Another process (watchword-cli, an import elsewhere) changed accounts,
 *  names, order or settings: show the store as it is now. */
async function reloadChanged() {
  // Locked: nothing of the accounts comes onto the page.
  if (state.locked) return;
  try {
    const settingsNow = await ipc.getSettings().catch(() => ({}));
    const accounts = await ipc.listAccounts();
    // Locked while the list came: it does not come onto the locked page.
    if (state.locked) return;
    // Where the focus is as the list is repainted, not when the event came:
    // the user may have opened a menu or a dialog while the store answered.
    const before = document.activeElement;
    const focusedId = before?.closest('li.account')?.dataset.id;
    const focusedPart = before?.classList.contains('row-menu') ? '.row-menu' : '.code';
    setSettings(settingsNow);
    setAccounts(accounts);
    showEmpty();
    // The lock may be among the changes (turned off elsewhere); an answer
    // that comes after a lock is not about the locked page.
    ipc.lockStatus().then((status) => { if (!state.locked) setLock(status); }, () => {});
    // The repaint must not drop the keyboard focus at the top of the page;
    // a focus it did not drop stays where it is.
    const now = document.activeElement;
    if (focusedId && (!now || now === document.body || !now.isConnected)) {
      focusFirst(() => document.querySelector(`#accounts li.account[data-id="${CSS.escape(focusedId)}"] ${focusedPart}`));
    }
    await refreshCodes();
  } catch (error) {
    showStatus(ipc.messageOf(error), start);
  }
}

wireRows();
wireCodes({ retry: start, settled: () => settings.save.settled() });
wireArrange();
wireMenu();
wireKeyboard();
add.wire();
const previewing = enrol.wire();
exporting.wire();
sheet.wire();
settings.wire(on);
help.wire();
rename.wire();
secret.wire();
note.wire();
groups.wire();
autobackup.wire();
restore.wire();
lockDialog.wire();
lockScreen.wire({ then: start });
backupLine.wire({ change: autobackup.open });
missingBar.wire();
$('backup-auto').addEventListener('click', (event) => autobackup.open({ returnTo: event.currentTarget }));
$('scan-button').addEventListener('click', () => enrol.bringIn('Looking for a QR code on your screen…', ipc.scanScreen));
ipc.listen('accounts-changed', reloadChanged);
// The window's close button, while a tray shows the icon: asked once.
ipc.listen('ask-close-to-tray', () => closing.open());
ipc.listen('vault-locked', () => {
  setLock({ ...(state.lock ?? {}), state: 'locked' });
  lockScreen.showLocked();
});
applySearch();
start().then(backupLine.refresh);
// A link or a file the app was started to open: its preview (or why not)
// once this page hears the answers.
Promise.all([previewing, ipc.listen('notice', ({ payload }) => toast(payload))])
  .then(() => ipc.openStartArgs());
