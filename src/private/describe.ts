/**
 * Describing a bad value in an error message (internal). Never throws, whatever it is given: a construct (cyclic
 * through its scope), a cyclic object, a BigInt, a symbol, an object without a prototype or a hostile proxy.
 */

import { lazy } from './lazy';

/** constructs, loaded when an object is first described (the CLI, which describes values in messages, never needs it). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const constructsModule = lazy((): typeof import('constructs') => require('constructs'));

/** Longest description before it is cut (with `…`). */
const MAX = 80;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * A value for an error message: strings quoted (JSON), numbers and booleans as written, a BigInt as `7n`, a construct
 * by its path, a class instance by its class, other objects as JSON cut to {@link MAX} characters, falling back to
 * `Object.prototype.toString` (`[object Object]`) when JSON fails (cycles, BigInts inside).
 * @internal
 */
export function describeValue(v: unknown, max: number = MAX): string {
  try {
    return describeUnsafe(v, max);
  } catch {
    return '<an unprintable value>';
  }
}

function describeUnsafe(v: unknown, max: number): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return cut(JSON.stringify(v), max);
    case 'number':
    case 'boolean': return String(v);
    case 'bigint': return `${v.toString()}n`;
    case 'symbol': return v.toString();
    case 'function': return `a function${v.name ? ` (${v.name})` : ''}`;
    default: break;
  }
  if (constructsModule().Construct.isConstruct(v)) {
    const ctor = Object.getPrototypeOf(v)?.constructor?.name;
    return `the ${typeof ctor === 'string' && ctor ? ctor : 'construct'} ${v.node.path || v.node.id || '<root>'}`;
  }
  const proto = Object.getPrototypeOf(v);
  const ctor = proto && proto !== Object.prototype && !Array.isArray(v) ? proto.constructor?.name : undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    json = undefined;
  }
  const body = json === undefined ? Object.prototype.toString.call(v) : cut(json, max);
  return typeof ctor === 'string' && ctor ? `a ${ctor} ${body}` : body;
}

/** Whether `v` is a plain object (`{ … }` or `Object.create(null)`), not an array, class instance or construct. @internal */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * `v` as text inside a message that prints strings as they are (a taint `key=value`, a port name): a string itself,
 * anything else (a wrong type in YAML linted without the schema gate) as {@link describeValue} describes it, and
 * `<none>` for undefined — never `[object Object]` or `undefined`. @internal
 */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined ? '<none>' : describeValue(v);
}
