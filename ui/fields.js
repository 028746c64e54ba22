// A form field's error: the message under it, and the field marked invalid
// so a screen reader says so on the field itself (WCAG 3.3.1).

/** Shows `message` in `errorEl` and marks `fields` invalid; an empty
 *  message clears both. */
export function setError(errorEl, message, fields = []) {
  errorEl.textContent = message;
  for (const field of fields) {
    if (!field) continue;
    if (message) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
  }
}

/**
 * Shows `message` for `field` and puts the focus on the field (its text
 * selected if `select`), so that a screen reader says the message once.
 * The message's element is a live region, which says it; a focus that
 * moves to the field would say it again as the field's description. So
 * while the focus arrives the field is described by nothing, and its
 * description comes back as the focus leaves it (a later visit reads it).
 */
export function fieldError(errorEl, message, field, { select = false } = {}) {
  const describedBy = field.getAttribute('aria-describedby');
  const moving = document.activeElement !== field;
  if (moving && describedBy !== null) {
    field.removeAttribute('aria-describedby');
    field.addEventListener('blur', () => field.setAttribute('aria-describedby', describedBy), { once: true });
  }
  setError(errorEl, message, [field]);
  if (select) field.select();
  field.focus();
}
