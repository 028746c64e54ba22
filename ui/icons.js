// Which icon an account gets: a bundled brand icon (Simple Icons) when the
// issuer names a known service, else a monogram, in the brand's colour
// when it is known. Pure functions, no DOM.

import { BRANDS } from './brands.js';
import { fold } from './search.js';

// Services people protect with codes that Simple Icons has no icon for (some
// were removed at their owners' request): their colour for the monogram.
const COLOURS = {
  amazon: 'FF9900',
  amazonsellercentral: 'FF9900',
  amazonwebservices: 'FF9900',
  aws: 'FF9900',
  microsoft: '0078D4',
  outlook: '0078D4',
  azure: '0078D4',
  xbox: '107C10',
  linkedin: '0A66C2',
  slack: '4A154B',
  adobe: 'FA0F00',
  yahoo: '6001D2',
  nintendo: 'E60012',
  heroku: '430098',
  openai: '10A37F',
  twilio: 'F22F46',
  kraken: '5741D9',
  fidelity: '368727',
  salesforce: '00A1E0',
  docusign: 'FFCC22',
  canva: '00C4CC',
  hulu: '1CE783',
  walmart: '0071CE',
  bestbuy: '0046BE',
};

/** "Amazon Seller Central" -> "amazonsellercentral". */
function key(text) {
  return fold(text).replace(/[^a-z0-9]/g, '');
}

const BY_NAME = new Map();
for (const brand of BRANDS) {
  for (const name of brand.names) {
    const k = key(name);
    if (k && !BY_NAME.has(k)) BY_NAME.set(k, brand);
  }
}

/**
 * The brand of an issuer: `{slug, hex}` with an icon, `{hex}` with only a
 * colour, or null. "Google Workspace" falls back to Google, "Amazon Seller
 * Central" to Amazon: the longest run of leading words that names a brand.
 */
export function brandFor(issuer) {
  const words = fold(issuer).split(/[^a-z0-9]+/).filter(Boolean);
  for (let n = words.length; n > 0; n -= 1) {
    const k = words.slice(0, n).join('');
    const brand = BY_NAME.get(k);
    if (brand) return { slug: brand.slug, hex: brand.hex };
    if (COLOURS[k]) return { hex: COLOURS[k] };
  }
  return null;
}

function luminance(hex) {
  const channel = (i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
}

/** White or black, whichever contrasts more with the colour `hex`. */
export function inkOn(hex) {
  const l = luminance(hex);
  return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? '#fff' : '#000';
}
