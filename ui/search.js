// Finding an account as you type: case- and accent-insensitive, and loose
// enough that "amzn" finds Amazon. Pure functions, no DOM.

/** "Société Générale" -> "societe generale". */
export function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * How well `query` (already folded) matches `text` (already folded):
 * 4 the whole text, 3 its start, 2 the start of a word, 1 anywhere inside,
 * 0.5 its letters in order (a subsequence), 0 not at all.
 */
function score(query, text) {
  if (text === query) return 4;
  if (text.startsWith(query)) return 3;
  const at = text.indexOf(query);
  if (at > 0) return /[\s\-_.@:/]/.test(text[at - 1]) ? 2 : 1;
  let from = 0;
  for (const ch of query) {
    if (ch === ' ') continue;
    from = text.indexOf(ch, from);
    if (from < 0) return 0;
    from += 1;
  }
  return 0.5;
}

// Folded names, kept per account object: folding is the costly part of a
// keystroke, and the list's objects live until it is reloaded.
const foldedNames = new WeakMap();

function folded(account) {
  let names = foldedNames.get(account);
  if (!names) {
    names = { issuer: fold(account.issuer), name: fold(account.name) };
    foldedNames.set(account, names);
  }
  return names;
}

/** The best of the issuer's and the account name's scores. */
export function matchScore(query, account) {
  const q = fold(query.trim());
  if (q === '') return 1;
  return scoreFolded(q, account);
}

function scoreFolded(q, account) {
  const names = folded(account);
  return Math.max(score(q, names.issuer), score(q, names.name) * 0.9);
}

/**
 * The accounts matching `query`, best first; equally good matches keep the
 * list's order. An empty query keeps everything as it is.
 */
export function filterAccounts(query, accounts) {
  const q = fold(query.trim());
  if (q === '') return accounts.slice();
  return accounts
    .map((account, index) => ({ account, index, score: scoreFolded(q, account) }))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((m) => m.account);
}
