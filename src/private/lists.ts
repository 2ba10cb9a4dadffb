/**
 * Bounded lists of names in messages and human views (internal): a plan or a lint of a thousand NodePools names a few
 * of them and counts the rest; JSON views list every one.
 */

/** How many names a list in a message or a text/HTML view shows before it counts the rest. */
export const NAMED_IN_LIST = 5;

/**
 * `a, b, c`, or the first `bound` names and the count of the rest: `a, b, c, d, e and 7 more` (`separator` between
 * the names shown).
 */
export function listed(names: readonly string[], bound: number = NAMED_IN_LIST, separator: string = ', '): string {
  return listedFirst(names, (n) => n, bound, separator);
}

/** {@link listed} of `items` in words: only the items named are worded. */
export function listedFirst<T>(items: readonly T[], words: (item: T) => string, bound: number = NAMED_IN_LIST,
  separator: string = ', '): string {
  const named = items.slice(0, bound).map(words).join(separator);
  return items.length > bound ? `${named} and ${items.length - bound} more` : named;
}
