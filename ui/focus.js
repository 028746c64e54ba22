// Where the keyboard focus goes when something closes: back to the control
// that opened it, or, when that control is gone, to the nearest sensible
// one (WCAG 2.4.3). Also the behaviour both menus share.

/** True for an element the user can see and focus now. */
export function focusable(el) {
  return Boolean(el && el.isConnected && !el.disabled && el.getClientRects().length > 0
    && !el.closest('[hidden], [inert]'));
}

/** The first visible code button, else the search field, else "Add account". */
export function homeFocus() {
  const code = [...document.querySelectorAll('#accounts li.account:not([hidden]) button.code')]
    .find(focusable);
  return code
    ?? [document.getElementById('search'), document.getElementById('add-button')].find(focusable);
}

/** Focuses the first of `candidates` (elements or functions returning
 *  one) that can take it, else the home control. */
export function focusFirst(...candidates) {
  for (const candidate of candidates) {
    const el = typeof candidate === 'function' ? candidate() : candidate;
    if (focusable(el)) {
      el.focus();
      return el;
    }
  }
  const home = homeFocus();
  home?.focus();
  return home;
}

/**
 * Opens `dialog` as a modal with the focus on `focus` (or its first
 * control). When it closes, the focus goes to `returnTo` (an element, or a
 * function asked at that moment: the opener may have been repainted) or
 * the home control.
 */
export function openDialog(dialog, { focus, returnTo } = {}) {
  const opener = returnTo ?? document.activeElement;
  if (!dialog.open) {
    dialog.showModal();
    dialog.addEventListener('close', () => {
      // After the close's own handlers have repainted what they change.
      setTimeout(() => {
        if (dialog.open) return;
        const outer = document.querySelector('dialog[open]');
        if (!outer) {
          focusFirst(opener);
          return;
        }
        // Opened from another dialog, still open: back to the control
        // that opened it there, or, gone (hidden by what was done),
        // that dialog's first control, never <body>.
        const now = document.activeElement;
        if (now !== outer && outer.contains(now) && focusable(now)) return;
        const back = typeof opener === 'function' ? opener() : opener;
        if (focusable(back) && outer.contains(back)) back.focus();
        else firstControl(outer)?.focus();
      }, 0);
    }, { once: true });
  }
  (focus ?? firstControl(dialog))?.focus();
}

/** The control a dialog's focus starts on. */
function firstControl(dialog) {
  return dialog.querySelector('[autofocus], input:not([type=hidden]), select, textarea, button');
}

/** Hides `el`; if it held the focus, the focus goes to the first of
 *  `instead` that can take it, else home (never left on <body>). */
export function hideKeepingFocus(el, ...instead) {
  const held = el.contains(document.activeElement);
  el.hidden = true;
  if (held) focusFirst(...instead);
}

/** What an open menu makes inert. */
const BEHIND_MENUS = 'main, #status, #backup-reminder, #autobackup-problem, #missing-bar, #autobackup-line, #undo-bar';

/**
 * While a menu is open the list and the bars around it are inert, as
 * behind a native menu: a click there only closes the menu (it does not
 * also copy the code under it), and nothing half-covered by the menu
 * counts as a target. Called as soon as a menu opens or closes, before
 * the focus moves (an inert control cannot take it).
 */
export function menusChanged() {
  const open = [...document.querySelectorAll('.menu')].some((menu) => !menu.hidden);
  for (const el of document.querySelectorAll(BEHIND_MENUS)) el.inert = open;
}

/**
 * A menu of buttons that opens from `button`: arrow keys move, Esc closes
 * and returns to the button, and it closes as soon as the focus or a click
 * goes elsewhere (an open menu must not cover the focused control).
 */
export function menuBehaviour(menu, { onClose, isOpener }) {
  const items = () => [...menu.querySelectorAll('button:not(:disabled)')];

  menu.addEventListener('keydown', (event) => {
    const at = items().indexOf(document.activeElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose({ refocus: true });
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const list = items();
      const step = event.key === 'ArrowDown' ? 1 : list.length - 1;
      list[(at + step) % list.length].focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      const list = items();
      list[event.key === 'Home' ? 0 : list.length - 1].focus();
    } else if (event.key === 'Tab') {
      onClose({ refocus: false });
    }
  });
  menu.addEventListener('focusout', (event) => {
    // Only a move to another control closes it: a click on a menu item may
    // blur first with nowhere to go, and must still reach the item.
    const to = event.relatedTarget;
    if (menu.hidden || !to || menu.contains(to) || isOpener(to)) return;
    onClose({ refocus: false });
  });
  document.addEventListener('click', (event) => {
    if (!menu.hidden && !menu.contains(event.target) && !isOpener(event.target)) {
      onClose({ refocus: false });
    }
  });
}
