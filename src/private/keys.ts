/**
 * Own keys of plain data without the `Object.keys` array (internal): the schema gate and the rules ask these of every
 * object or workload of a run.
 */

/** Whether `key` is an own property of `o` (not one it inherits). */
export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Whether `o` has an own enumerable key (that passes `test`): `Object.keys(o).some(test)`, or `.length > 0`. */
export function someOwnKey(o: object, test?: (key: string) => boolean): boolean {
  for (const k in o) if (hasOwn(o, k) && (test === undefined || test(k))) return true;
  return false;
}
