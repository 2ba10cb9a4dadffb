/**
 * String order by UTF-16 code units, as `<` compares them (internal). For names Kubernetes allows (DNS labels and
 * subdomains, rule ids) it is the order `localeCompare` gives, and the byte order Go's `<` gives Karpenter, without
 * `localeCompare`'s first call, which loads ICU's collator (about 6 ms of a process's start).
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
