/** Go RE2 → JS RegExp translation for the patterns CRDs use (https://github.com/google/re2/wiki/Syntax). */

/**
 * Compile a Go RE2 pattern (as used in CRD `pattern`s) as a JS RegExp: `(?i)`-style flag groups
 * become JS flags, `\\A`/`\\z` become `^`/`$`. Used as ajv's `code.regExp`.
 */
export function re2(pattern: string, flags = ''): RegExp {
  let p = pattern;
  let f = flags;
  // RE2 flag groups such as `(?i)` (JS has none on Node 20): applied to the whole pattern, which is
  // exact for the top-level use CRDs make of them (`^(?i)(abort|warn)?$`).
  p = p.replace(/\(\?([ims]+)\)/g, (_all, flagChars: string) => {
    for (const c of flagChars) if (!f.includes(c)) f += c;
    return '';
  });
  p = p.replace(/\\A/g, '^').replace(/\\z/g, '$');
  try {
    return new RegExp(p, f);
  } catch {
    return new RegExp(p, f.replace('u', ''));
  }
}
