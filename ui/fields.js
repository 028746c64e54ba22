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
