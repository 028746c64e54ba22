// How accounts and codes read: on screen, and to a screen reader.

import { brandFor, inkOn } from './icons.js';

/** "123456" -> "123 456", "12345678" -> "1234 5678"; Steam codes stay whole. */
export function groupCode(code) {
  if (!/^\d+$/.test(code) || code.length < 6) return code;
  if (code.length === 9) return code.replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3');
  const half = Math.floor(code.length / 2);
  return `${code.slice(0, half)} ${code.slice(half)}`;
}

/** The code as it is shown, each character a dot. */
export function maskCode(code) {
  return groupCode(code).replace(/[^ ]/g, '•');
}

/** What the list shows as an account's name. */
export function title(account) {
  return account.issuer || account.name || 'Unnamed account';
}

/** "GitHub (octocat)", for sentences. */
export function describeAccount(account) {
  return `${title(account)}${account.issuer && account.name ? ` (${account.name})` : ''}`;
}

/** The name of a row's code button. It starts with the code as shown, so a
 *  screen reader says it before the account and voice control can "click
 *  356 424" (WCAG 2.5.3); a hidden code says that it is hidden. */
export function codeButtonName(account, shown) {
  if (shown.masked) return `Hidden code, ${title(account)}, show and copy`;
  if (!shown.current) return `No code yet, ${title(account)}`;
  return `${groupCode(shown.current)}, ${title(account)}, copy`;
}

/** Seconds in words: "1 second", "12 seconds". */
export function seconds(count) {
  return count === 1 ? '1 second' : `${count} seconds`;
}

/** "just now", "5 minutes ago", "3 hours ago", "yesterday", "on 2026-11-28"
 *  for a Unix time, as seen at `now` (Unix seconds). */
export function ago(unix, now) {
  const elapsed = Math.max(0, Math.floor(now - unix));
  if (elapsed < 60) return 'just now';
  const minutes = Math.floor(elapsed / 60);
  if (minutes < 60) return minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  if (hours < 48) return 'yesterday';
  const date = new Date(unix * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `on ${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function monogramColor(text) {
  let hash = 0;
  for (const ch of text) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360} 55% 42%)`;
}

/** A brand icon on the brand's colour, or a monogram. */
export function paintIcon(el, account) {
  const brand = account.issuer ? brandFor(account.issuer) : null;
  const background = brand ? `#${brand.hex}` : monogramColor(title(account));
  el.style.backgroundColor = background;
  el.style.color = brand ? inkOn(brand.hex) : '#fff';
  if (brand?.slug) {
    const glyph = document.createElement('span');
    glyph.className = 'brand';
    glyph.dataset.slug = brand.slug;
    glyph.style.setProperty('--icon', `url(icons/brands/${brand.slug}.svg)`);
    el.replaceChildren(glyph);
  } else {
    el.textContent = title(account).trim().charAt(0).toUpperCase() || '?';
  }
}
