// Every keyboard shortcut of the window, in one table. One listener
// dispatches them and the help dialog is made from the same rows, so the two
// cannot disagree. Keys that widgets own (arrows in a menu, Enter on a
// button, Esc in a dialog) stay with the widget.
//
// `where` says when a row applies:
//   'anywhere' - even with a dialog open
//   'window'   - no dialog open
//   'adding'   - no dialog open, or only Add and the preview
//   'search'   - in the search field
//   'list'     - on an account row
// `singleKey` rows are letters alone; a setting turns them off (WCAG 2.1.4).
// `inText` rows apply in a text field too.

const plain = (event) => !event.ctrlKey && !event.metaKey && !event.altKey;
const ctrl = (event) => (event.ctrlKey || event.metaKey) && !event.altKey;
const is = (event, ...keys) => keys.includes(event.key.length === 1 ? event.key.toLowerCase() : event.key);

export const SHORTCUTS = [
  {
    id: 'typeToSearch', label: 'Type anything', help: 'Search accounts',
    where: 'window', singleKey: true,
    test: (e) => plain(e) && e.key.length === 1 && e.key !== ' ' && e.key !== '?',
  },
  {
    id: 'focusSearch', keys: [['Ctrl', 'F']], help: 'Go to the search',
    where: 'window', inText: true, test: (e) => ctrl(e) && is(e, 'f'),
  },
  {
    id: 'copyFirst', keys: [['Enter']], help: 'Copy the first match (in the search) or the focused code',
    where: 'search', inText: true, test: (e) => plain(e) && e.key === 'Enter',
  },
  {
    id: 'intoList', keys: [['↓']], help: null,
    where: 'search', inText: true, test: (e) => plain(e) && e.key === 'ArrowDown',
  },
  {
    id: 'moveUp', keys: [['Alt', '↑'], ['Alt', '↓']], help: 'Move the focused account up or down',
    where: 'list', test: (e) => e.altKey && !e.ctrlKey && e.key === 'ArrowUp',
  },
  {
    id: 'moveDown', help: null,
    where: 'list', test: (e) => e.altKey && !e.ctrlKey && e.key === 'ArrowDown',
  },
  {
    id: 'previous', keys: [['↑'], ['↓']], help: 'Move between accounts',
    where: 'list', test: (e) => plain(e) && e.key === 'ArrowUp',
  },
  {
    id: 'next', help: null,
    where: 'list', test: (e) => plain(e) && e.key === 'ArrowDown',
  },
  {
    id: 'timeLeft', keys: [['Ctrl', 'I']], help: 'Say the focused code, the seconds it has left and the next code',
    where: 'list', test: (e) => ctrl(e) && is(e, 'i'),
  },
  {
    id: 'clearSearch', keys: [['Esc']], help: 'Clear the search, close a dialog or menu',
    where: 'window', inText: true, test: (e) => plain(e) && e.key === 'Escape',
  },
  {
    id: 'paste', keys: [['Ctrl', 'V']], help: 'Add from a copied QR code screenshot, link or key',
    where: 'adding', test: (e) => ctrl(e) && is(e, 'v'),
  },
  {
    id: 'undo', keys: [['Ctrl', 'Z']], help: 'Undo a deletion (for 10 seconds)',
    where: 'anywhere', test: (e) => ctrl(e) && is(e, 'z'),
  },
  {
    id: 'lockNow', keys: [['Ctrl', 'L']], help: 'Lock Watchword (when the lock is on)',
    where: 'anywhere', inText: true, test: (e) => ctrl(e) && is(e, 'l'),
  },
  {
    id: 'help', keys: [['?']], help: 'This list',
    where: 'window', singleKey: true, test: (e) => !e.ctrlKey && !e.metaKey && e.key === '?',
  },
  {
    id: 'help', keys: [['F1']], help: 'This list',
    where: 'window', inText: true, test: (e) => e.key === 'F1',
  },
];

/** True for a field that takes typed text. */
export function isTextField(element) {
  if (!element) return false;
  if (element.isContentEditable || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true;
  return element.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'submit'].includes(element.type);
}

function applies(row, event) {
  // Locked, the page is the unlock form alone: no shortcut opens anything
  // over it.
  if (document.body.classList.contains('is-locked')) return false;
  const target = event.target instanceof Element ? event.target : document.activeElement;
  if (!row.inText && isTextField(target)) return false;
  switch (row.where) {
    case 'anywhere': return true;
    case 'window': return !document.querySelector('dialog[open]');
    // The window, or a dialog that adds (another screenshot joins the
    // preview); never stacked over Settings, a revealed key or a delete.
    case 'adding': return [...document.querySelectorAll('dialog[open]')]
      .every((dialog) => dialog.id === 'add-dialog' || dialog.id === 'enrol-dialog');
    case 'search': return target?.id === 'search';
    case 'list': return Boolean(target?.closest('#accounts li.account'));
    default: return false;
  }
}

/**
 * Dispatches the table. `actions[id](event)` runs the row's action; it
 * returns false when it did not handle the key (then the key goes on as
 * usual). `singleKeysOn()` says whether single-key rows apply now.
 */
export function install(actions, singleKeysOn) {
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented) return;
    for (const row of SHORTCUTS) {
      if (!row.test(event) || !applies(row, event)) continue;
      if (row.singleKey && !singleKeysOn()) continue;
      const act = actions[row.id];
      if (!act) continue;
      if (act(event) !== false) {
        event.preventDefault();
        event.stopPropagation();
      }
      return;
    }
  });
}

/** The help dialog's list, made from the table. */
export function helpList(singleKeysOn) {
  const items = [];
  for (const row of SHORTCUTS) {
    if (!row.help) continue;
    const dt = document.createElement('dt');
    if (row.label) dt.textContent = row.label;
    (row.keys ?? []).forEach((combo, i) => {
      if (i > 0) dt.append(' / ');
      combo.forEach((key, j) => {
        if (j > 0) dt.append('+');
        const kbd = document.createElement('kbd');
        kbd.textContent = key;
        dt.append(kbd);
      });
    });
    const dd = document.createElement('dd');
    dd.textContent = row.singleKey && !singleKeysOn()
      ? `${row.help} (off: single-key shortcuts are turned off in Settings)`
      : row.help;
    items.push(dt, dd);
  }
  return items;
}
