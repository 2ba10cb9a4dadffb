/**
 * The fast YAML writer (src/validation/yaml-writer.ts) against cdk8s's own `Yaml.stringify`, differentially: every
 * document the fast writer accepts must come out byte-identical to cdk8s's output, and a document may be refused
 * (`undefined`, so cdk8s's writer is used) only for a reason the module documents. Covered: targeted tricky scalars
 * in every position (map value, key, sequence item, nested), numbers, collections, objects that are not plain,
 * random documents (fast-check), every document of the example apps, `_stringifyDocs`, and the `GpuValidation`
 * integration (same `synthYaml()` output with and without the fast writer; cdk8s's writer put back after synth).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, Yaml, YamlOutputType } from 'cdk8s';
import * as fc from 'fast-check';
import { GpuValidation } from '../../src/validation';
import { _fastYamlDocument, _stringifyDocs } from '../../src/validation/yaml-writer';
import { CdkExample, cdk8sExamples } from '../examples/helpers';
import { params } from '../property/arbitraries';

/** cdk8s's writer as loaded (no synth session is open while this module loads). */
const CDK8S_STRINGIFY = Yaml.stringify;

/** Both writers on one document: `accepted` says whether the fast writer took it; `fast` is its output if so. */
function both(doc: unknown): { accepted: boolean; fast: string | undefined; cdk8s: () => string } {
  const fast = _fastYamlDocument(doc);
  return { accepted: fast !== undefined, fast, cdk8s: () => CDK8S_STRINGIFY(doc) };
}

/** Asserts the fast writer accepts (or refuses) `doc` as expected and, when it accepts it, matches cdk8s byte for byte. */
function expectWriter(doc: unknown, accepted: boolean): void {
  const r = both(doc);
  expect({ doc: safeJson(doc), accepted: r.accepted }).toEqual({ doc: safeJson(doc), accepted });
  if (r.accepted) expect(r.fast).toBe(r.cdk8s());
}

/** A short description of a document for assertion messages (never throws). */
function safeJson(doc: unknown): string {
  try {
    const s = JSON.stringify(doc, (_k, v) => (v === undefined ? '<undefined>' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
    return s === undefined ? String(doc) : s.length > 200 ? `${s.slice(0, 200)}…(${s.length})` : s;
  } catch {
    return Object.prototype.toString.call(doc);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The subset, as the module's documentation states it, written independently of its code: a document may be
// refused only when one of these holds somewhere in it.

/** Code points the subset allows in a string: printable ASCII and BMP characters from U+00A0, but no surrogates or U+FFFE/U+FFFF. */
function hasCharOutsideSubset(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const ok = (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xfffd && !(c >= 0xd800 && c <= 0xdfff));
    if (!ok) return true;
  }
  return false;
}

/** Why the documented subset excludes `doc` (the first reason found), or undefined if it is inside it. */
function documentedReason(doc: unknown): string | undefined {
  if (doc === null || typeof doc !== 'object') return 'top-level non-object';
  if (Array.isArray(doc) ? doc.length === 0 : isPlain(doc) && Object.keys(doc).length === 0) return 'top-level empty collection';
  const seen = new Set<object>();
  const str = (s: string, isKey: boolean): string | undefined => {
    if (s.includes('\r')) return 'carriage return';
    if (s.includes('\t')) return 'tab';
    if (s.includes('\n')) {
      // "a multi-line key, or a multi-line value with a leading space or line feed, more than one trailing line feed,
      // or only spaces after its last line feed"
      if (isKey) return 'multi-line key';
      if (s[0] === ' ' || s[0] === '\n') return 'multi-line value with leading whitespace';
      if (s.endsWith('\n\n')) return 'multi-line value with more than one trailing line feed';
      if (/\n +$/.test(s)) return 'multi-line value with only spaces after its last line feed';
      return hasCharOutsideSubset(s.replace(/\n/g, ' ')) ? 'control, astral or non-character code point' : undefined;
    }
    if (hasCharOutsideSubset(s)) return 'control, astral or non-character code point';
    // "a line starting with a document marker": JavaScript and YAML 1.1 also start a line after U+2028 and U+2029.
    if (/^(%|---|\.\.\.)/m.test(s)) return 'document marker';
    // "keys longer than 1024 characters once quoted": quoting adds at least 2, escapes more.
    if (isKey && JSON.stringify(s).length > 1024) return 'key longer than 1024 characters';
    return undefined;
  };
  const visit = (v: unknown): string | undefined => {
    switch (typeof v) {
      case 'string': return str(v, false);
      case 'number': return Number.isSafeInteger(v) && !Object.is(v, -0) ? undefined : 'number that is not a safe integer';
      case 'boolean': return undefined;
      case 'undefined': return 'undefined';
      case 'object': break;
      default: return typeof v;
    }
    if (v === null) return undefined;
    if (seen.has(v)) return 'object reachable twice (anchor)';
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) return 'array hole';
        const r = visit(v[i]);
        if (r) return r;
      }
      return undefined;
    }
    if (!isPlain(v)) return `not a plain object (${Object.prototype.toString.call(v)})`;
    for (const k of Object.keys(v)) {
      const r = str(k, true) ?? visit((v as Record<string, unknown>)[k]);
      if (r) return r;
    }
    return undefined;
  };
  return visit(doc);
}

function isPlain(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** The differential property: accepted ⇒ identical to cdk8s; refused ⇒ for a documented reason. */
function expectAgreesOrDocumentedFallback(doc: unknown): void {
  const r = both(doc);
  if (r.accepted) {
    expect(r.fast).toBe(r.cdk8s());
  } else {
    expect({ doc: safeJson(doc), reason: documentedReason(doc) }).toEqual({ doc: safeJson(doc), reason: expect.any(String) });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Targeted cases

/** A string for a test name: JSON, with every character outside printable ASCII as `\uXXXX`. */
function show(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A string in every position the writer handles: map value and key at the top, in a sequence, nested below a key. */
function positions(s: string): Array<[string, object]> {
  return [
    ['top-level value', { v: s }],
    ['top-level key', { [s]: 'v' }],
    ['sequence item', { l: [s, 'x'] }],
    ['key and value of a map in a sequence', { l: [{ [s]: s, k: s }] }],
    ['nested value', { a: { b: { c: s } } }],
    ['nested key', { a: { [s]: [s] } }],
    ['top-level sequence', [s, { [s]: s }]],
    ['sequence of sequences', [[s], [[s]]]],
  ];
}

const YAML11_WORDS = ['y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'on', 'On', 'ON', 'off', 'OFF', 'true', 'True', 'TRUE', 'false',
  'False', 'null', 'Null', 'NULL', '~', '', '<<', 'yess', 'nul', 'o', 'On1'];
const NUMBER_LIKE = ['8000', '0', '-0', '0x1F', '0X1F', '0o7', '0b101', '07', '08', '1_000', '0x_1F', '1e3', '1E3', '1.5e-3', '.5', '5.', '.inf',
  '-.inf', '.Inf', '.NaN', '.nan', '1:30', '1:30.5', '-1:30', '190:20:30', '2024-01-01', '2024-1-1', '2024-01-01T10:00:00Z',
  '2024-01-01 10:00:00.5 +01:00', '+1', '-1', '+.5', '1.', '1,000', '0.1.2', 'v1', '1Gi', '500m', '12345678901234567890',
  // A YAML 1.1 float needs no digit before its exponent: `e5`, `E-12`, `e12345` (a short git SHA can look like this).
  'e5', 'E-12', 'e1234', 'e12345', 'E-1234', 'e123456789', 'e12345x', 'ee12345'];
const INDICATOR_LED = ['-', '- a', '-a', '--', '?', '? a', '?a', ':', ':a', ': a', '*a', '&a', '!a', '!!str', '|', '|-', '>', '>-', '@a',
  '`a', '#a', ',a', '[a', ']a', '{a', '}a', '[]', '{}', "'a", '"a', '=', '<', '!', '*', '&'];
const OTHER_ONE_LINE = ['a: b', 'a:b', 'a:', 'a :', 'http://example.com:8080/x', 'a #b', 'a#b', 'a# b', 'trailing ', ' leading', '  ', ' ',
  'it\'s', 'say "hi"', 'both \' and "', '\'both\' "kinds"', 'back\\slash', '\\', '\\n', '\\"', 'a,b', 'a[0]', '{a: b}', 'é', 'café', '日本',
  '日本語: テキスト', '\u00a0', 'nbsp\u00a0end\u00a0', '\u2028', 'zwsp\u200b', '\ufeffbom', '\ufffd', 'x--- y', 'a...', 'a.b.c',
  'nvidia.com/gpu', 'vllm/vllm-openai:v0.7.3', '--model=/models/x', '${VAR}', '*', 'a*', 'a&b', 'a!b', 'a|b', 'a>b', 'a@b', 'a`b',
  '0x', '0o', '.', '..', '-.', '+', '1:', ':1', 'ab:cd:ef', 'a%b', '-%', '.%', '--x', '..x', '-- -', '.. .'];
/** Documented to fall back: line breaks, tabs, control and astral characters, unpaired surrogates, document markers. */
const OUTSIDE = ['\n', 'cr\rhere', '\r\n', 'tab\there', '\t', 'nul\u0000', 'bell\u0007', 'esc\u001b',
  'del\u007f', 'c1\u0085', 'c1\u009f', 'emoji 😀', '😀', '𝒳', 'lone \ud800', 'lone \udc00', 'nonchar \uffff', 'nonchar \ufffe',
  '---x', '---', '--- a', '...x', '...', '%x', '%', '%a', '%YAML 1.1'];

describe('targeted strings: in the subset, accepted and identical to cdk8s in every position', () => {
  const table = [
    ...YAML11_WORDS.map((s) => ['YAML 1.1 word', show(s), s] as const),
    ...NUMBER_LIKE.map((s) => ['number-like', show(s), s] as const),
    ...INDICATOR_LED.map((s) => ['indicator-led', show(s), s] as const),
    ...OTHER_ONE_LINE.map((s) => ['one-line', show(s), s] as const),
  ];
  test.each(table)('%s %s', (_kind, _shown, s) => {
    for (const [, doc] of positions(s)) expectWriter(doc, true);
  });
});

describe('targeted strings: outside the subset, refused', () => {
  test.each(OUTSIDE.map((s) => [show(s), s]))('%s', (_shown, s) => {
    for (const [, doc] of positions(s)) expectWriter(doc, false);
  });
  test('a string that only contains a document marker after its start stays in the subset', () => {
    expectWriter({ a: 'x---', b: 'x...', c: 'x%' }, true);
  });
});

describe('remembered answers (the writer keeps how it wrote each string of up to 256 characters)', () => {
  const strings = [...YAML11_WORDS, ...NUMBER_LIKE, ...INDICATOR_LED, ...OTHER_ONE_LINE];
  test('a string written before is written the same in every other position, as a value first or as a key first', () => {
    // Each string is met first as a key in one half and first as a value in the other; every later document reads the
    // remembered answer.
    strings.forEach((s, i) => {
      const first = i % 2 === 0 ? { [s]: 'v' } : { v: s };
      expectWriter(first, true);
      for (const [, doc] of positions(s)) expectWriter(doc, true);
      expectWriter(first, true);
    });
  });
  test('a refused string is refused again (a refusal is not remembered as an answer)', () => {
    for (const s of OUTSIDE) {
      for (let round = 0; round < 2; round++) {
        expectWriter({ v: s }, false);
        expectWriter({ [s]: 1 }, false);
      }
    }
  });
  test('a string of 256 characters (remembered) and one of 257 (not) are written as cdk8s writes them, twice', () => {
    for (const s of ['k'.repeat(256), `a: ${'k'.repeat(253)}`, 'k'.repeat(257), `a: ${'k'.repeat(254)}`]) {
      for (let round = 0; round < 2; round++) expectWriter({ [s]: s, l: [s] }, true);
    }
  });
});

/** Multi-line values the subset writes as literal blocks (`|-`, `|`). */
const MULTI_LINE = ['line\nbreak', 'trailing\n', 'a\n\nb', 'a\n\n\nb\n', 'a \nb', 'a \n', 'x\n  indented\n', 'key: v\nlist:\n  - a\n',
  '{\n  "json": true\n}\n', '#!/bin/sh\nexec vllm serve\n', '---\nkind: A\n...\n%YAML\n', 'a\n---\n', 'é\n日本', 'trailing space \nx',
  '- a\n- b', '? x\n: y', '|\n>', 'a: b\n', '"q"\n\'s\'', 'tab\u2028sep\nx'];
/** Multi-line strings the subset refuses: leading whitespace, `|+` (keep) chomping, spaces after the last line feed. */
const MULTI_LINE_OUTSIDE = ['\nleading', ' leading\nx', '  x\ny', 'a\n\n', 'a\n\n\n', 'a\n ', 'a\n  ', '\n\n', 'a\nb\tc', 'a\r\nb'];

/** Value positions (multi-line keys are refused): map value, sequence item, nested, top-level sequence. */
function valuePositions(s: string): object[] {
  return [{ v: s }, { l: [s, 'x'] }, { l: [{ k: s, j: s }] }, { a: { b: { c: s } } }, { a: [[s], [[s]]] }, [s, { k: s }], [[s]]];
}

describe('multi-line strings', () => {
  test.each(MULTI_LINE.map((s) => [show(s), s]))('value %s: accepted in every value position and identical to cdk8s', (_shown, s) => {
    for (const doc of valuePositions(s)) expectWriter(doc, true);
    expect(_fastYamlDocument({ v: s })).toMatch(/^v: \|-?\n/); // a literal block, not a quoted string
  });
  test.each(MULTI_LINE.map((s) => [show(s), s]))('key %s: refused', (_shown, s) => {
    expectWriter({ [s]: 1 }, false);
    expectWriter({ a: [{ [s]: 'v' }] }, false);
  });
  test.each(MULTI_LINE_OUTSIDE.map((s) => [show(s), s]))('value %s: refused', (_shown, s) => {
    for (const doc of valuePositions(s)) expectWriter(doc, false);
  });
});

describe('line separators U+2028/U+2029 (a line break for YAML 1.1 and for JavaScript\'s `^` in multiline mode)', () => {
  test.each(['\u2028%', '\u2028---', 'a\u2028---', 'a\u2029...x', 'a\u2028 ---', '\u2028', 'a\u2029b'].map((s) => [show(s), s]))(
    '%s: accepted ⇒ identical, refused ⇒ documented', (_shown, s) => {
      for (const [, doc] of positions(s)) expectAgreesOrDocumentedFallback(doc);
    });
});

describe('long strings', () => {
  test('long values (plain, single- and double-quoted) are accepted and never folded', () => {
    for (const s of ['a'.repeat(5000), 'word '.repeat(1000) + 'end', `"${'q'.repeat(3000)}`, `it's: ${'x'.repeat(3000)}`, '日本'.repeat(2000)]) {
      expectWriter({ v: s, l: [s, { k: s }] }, true);
    }
  });
  test.each([1000, 1022, 1023, 1024])('a plain key of %i characters (≤ 1024) is accepted', (n) => {
    expectWriter({ ['k'.repeat(n)]: 1, nested: { ['k'.repeat(n)]: 'v' } }, true);
  });
  test.each([1000, 1021, 1022])('a quoted key of %i characters (≤ 1024 once quoted) is accepted', (n) => {
    expectWriter({ [`a: ${'k'.repeat(n - 3)}`]: 1, nested: { [`"${'k'.repeat(n - 1)}`]: 1, [`'"${'\\'.repeat(Math.floor((n - 5) / 2))}`]: 2 } }, true);
  });
  test.each([
    ['plain, 1025 characters', 'k'.repeat(1025)],
    ['plain, 2000 characters', 'k'.repeat(2000)],
    ['plain with a space, 1100 characters', `k ${'k'.repeat(1098)}`],
    ['quoted, 1023 characters (1025 once quoted)', `a: ${'k'.repeat(1020)}`],
    ['quoted with escapes, 601 characters (1203 once escaped)', `"\\${'\\'.repeat(598)}'`],
    ['quoted, 2000 characters', `'${'k'.repeat(1999)}`],
  ])('a key longer than 1024 characters once written (%s) is refused: cdk8s writes it as an explicit `? key`', (_what, key) => {
    for (const doc of [{ [key]: 1 }, { a: { [key]: 'v' } }, [{ [key]: null }]]) expectWriter(doc, false);
  });
});

describe('numbers, booleans and null', () => {
  test.each([0, 1, -5, 42, 8080, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53 - 1)])('safe integer %p is accepted', (n) => {
    expectWriter({ n, l: [n], m: { [String(n)]: n } }, true);
  });
  test.each([2 ** 53, -(2 ** 53), 1.5, -0.25, -0, 1e21, 1e-7, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity])(
    'number %p (not a safe integer, or -0) is refused', (n) => {
      expectWriter({ n }, false);
      expectWriter({ a: [1, n] }, false);
    });
  test('booleans and null as values, in sequences and in nested maps', () => {
    expectWriter({ t: true, f: false, z: null, l: [true, false, null], m: { a: null, b: [null] } }, true);
  });
  test('maps whose values are all null', () => {
    expectWriter({ a: null, b: null }, true);
    expectWriter({ m: { a: null, b: null }, l: [{ x: null }, { y: null, z: null }] }, true);
    expectWriter({ m: { a: null } }, true);
  });
  test('bigint and symbol values are refused', () => {
    expectWriter({ a: BigInt(1) }, false);
    expectWriter({ a: Symbol('s') }, false);
  });
});

describe('collections', () => {
  test('nested empty maps and sequences are written inline', () => {
    expectWriter({ a: {}, b: [], c: { d: {}, e: [] }, f: [{}, [], [[]], [{}]], g: [{ h: {} }] }, true);
  });
  test('sequences of sequences, maps in sequences, sequences in maps in sequences', () => {
    expectWriter({ a: [[1, 2], [[3, [4, []]], {}], []] }, true);
    expectWriter([[[['deep']]], [{ a: [{ b: [[{ c: 1, d: [] }]] }] }]], true);
    expectWriter({ containers: [{ name: 'a', args: ['--x', '-y'], env: [{ name: 'E', value: '1' }], ports: [{ containerPort: 8000 }] }] }, true);
    expectWriter([{ a: 1, b: { c: [1, { d: 2 }] } }, [{ e: 3 }, { f: [] }]], true);
  });
  test('a top-level sequence is accepted', () => {
    expectWriter([1, 'a', null, true, { b: 2 }], true);
  });
  test('key order (including integer-like keys, which JavaScript lists first) is kept as cdk8s keeps it', () => {
    expectWriter({ 'b': 1, '10': 'x', 'a': 2, '2': 'y', '-1': 'z' }, true);
  });
  test('a null-prototype map and an own "__proto__" key', () => {
    const m = Object.assign(Object.create(null), { a: 1, b: { c: 2 } });
    expectWriter({ m }, true);
    expectWriter(m, true);
    const p = JSON.parse('{"__proto__": {"x": 1}, "y": 2}');
    expectWriter({ p }, true);
  });
  test('an object with an accessor property is written with its value', () => {
    expectWriter({ get a() { return 'x'; }, b: 1 }, true);
  });
});

describe('documents outside the subset are refused', () => {
  test('the same object twice (cdk8s would write an anchor and an alias), including empty ones and cycles', () => {
    const shared = { a: 1 };
    expectWriter({ x: shared, y: shared }, false);
    expectWriter({ x: [shared, shared] }, false);
    const empty = {};
    expectWriter({ x: empty, y: { z: empty } }, false);
    const list: unknown[] = [];
    expectWriter({ x: list, y: list }, false);
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    expect(_fastYamlDocument(cyclic)).toBeUndefined();
    const cyclicArray: any[] = [1];
    cyclicArray.push(cyclicArray);
    expect(_fastYamlDocument({ a: cyclicArray })).toBeUndefined();
  });
  test('equal but distinct objects are not shared references', () => {
    expectWriter({ x: { a: 1 }, y: { a: 1 }, z: [{}, {}, [], []] }, true);
  });
  test('undefined values, in maps and in sequences', () => {
    expectWriter({ a: undefined }, false);
    expectWriter({ a: 1, b: { c: undefined } }, false);
    expectWriter({ a: [1, undefined] }, false);
  });
  test('array holes', () => {
    // eslint-disable-next-line no-sparse-arrays
    expectWriter({ a: [1, , 3] }, false);
    expectWriter({ a: new Array(2) }, false);
  });
  test('Date, Map, Set, class instances, boxed primitives, typed arrays and functions', () => {
    class Point { public x = 1; public y = 2; }
    for (const v of [new Date(0), new Map([['a', 1]]), new Set([1]), new Point(), new String('s'), new Number(1), new Boolean(true),
      new Uint8Array([1]), () => 1, function named() { return 1; }, /re/]) {
      expect(_fastYamlDocument({ v })).toBeUndefined();
      expect(_fastYamlDocument({ l: [v] })).toBeUndefined();
    }
    expect(_fastYamlDocument(new Point())).toBeUndefined();
    expect(_fastYamlDocument(new Map([['a', 1]]))).toBeUndefined();
  });
  test.each([['a string', 'text'], ['a number', 1], ['a boolean', true], ['null', null], ['undefined', undefined], ['an empty map', {}],
    ['an empty sequence', []]] as const)('a top-level %s', (_what, doc) => {
    expect(_fastYamlDocument(doc)).toBeUndefined();
  });
  test('an error thrown while reading the document (not a refusal) propagates, as it does from cdk8s\'s writer', () => {
    const doc = { get a(): string { throw new Error('getter failed'); } };
    expect(() => _fastYamlDocument(doc)).toThrow('getter failed');
    expect(() => CDK8S_STRINGIFY(doc)).toThrow('getter failed');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Property-based

const TRICKY = [...YAML11_WORDS, ...NUMBER_LIKE, ...INDICATOR_LED, ...OTHER_ONE_LINE, ...OUTSIDE, ...MULTI_LINE, ...MULTI_LINE_OUTSIDE];

/** Strings a manifest might hold and strings designed to break a YAML writer, mixed. */
const trickyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...TRICKY), weight: 4 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 3 }, // printable ASCII
  { arbitrary: fc.string({ unit: 'binary', maxLength: 8 }), weight: 2 }, // any code point, astral included
  { arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 6 }), weight: 1 }, // lone surrogates too
  { arbitrary: fc.string({ unit: fc.constantFrom('a', '1', 'e', ' ', ':', '#', '-', '?', "'", '"', '\\', '.', '%', 'é', ',', '[', '~', '\u2028'), maxLength: 8 }), weight: 3 },
  { arbitrary: fc.tuple(fc.constantFrom(...TRICKY), fc.constantFrom(...TRICKY)).map(([a, b]) => a + b), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom('k', 'a b', '"', 'a: '), fc.integer({ min: 1015, max: 1030 })).map(([p, n]) => p + 'x'.repeat(n - p.length)), weight: 1 },
);

const trickyLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: trickyString, weight: 6 },
  { arbitrary: fc.integer(), weight: 2 },
  { arbitrary: fc.maxSafeInteger(), weight: 1 },
  { arbitrary: fc.double(), weight: 1 }, // NaN, ±Infinity, -0, fractions
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

function tree(leaf: fc.Arbitrary<unknown>, key: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.letrec<{ node: unknown; map: Record<string, unknown>; seq: unknown[] }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('map'), tie('seq')),
    map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
    seq: fc.array(tie('node'), { maxLength: 5 }),
  })).node;
}

/** An object document (what cdk8s writes): a non-empty map or sequence at the top. */
function objectDoc(leaf: fc.Arbitrary<unknown>, key: fc.Arbitrary<string>): fc.Arbitrary<object> {
  const t = tree(leaf, key);
  return fc.oneof(
    { arbitrary: fc.dictionary(key, t, { minKeys: 1, maxKeys: 6 }), weight: 4 },
    { arbitrary: fc.array(t, { minLength: 1, maxLength: 5 }), weight: 1 },
  );
}

/** Strings of [a-z0-9-], length ≥ 1, not starting with a document marker (`---`, documented to fall back). */
const slug = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split('')), minLength: 1, maxLength: 24 })
  .filter((s) => !s.startsWith('---'));
const slugLeaf: fc.Arbitrary<unknown> = fc.oneof(slug, fc.integer(), fc.maxSafeInteger(), fc.boolean(), fc.constant(null));

describe('property: random documents', () => {
  test('tricky trees: accepted ⇒ identical to cdk8s; refused ⇒ for a documented reason', () => {
    fc.assert(fc.property(objectDoc(trickyLeaf, trickyString), (doc) => {
      expectAgreesOrDocumentedFallback(doc);
    }), params(2000));
  });

  test('fc.jsonValue trees (full unicode): accepted ⇒ identical to cdk8s; refused ⇒ for a documented reason', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => {
      expectAgreesOrDocumentedFallback(doc);
    }), params(700));
  });

  test('documents of [a-z0-9-] strings, safe integers, booleans and null are always accepted, and identical', () => {
    let accepted = 0;
    fc.assert(fc.property(objectDoc(slugLeaf, slug), (doc) => {
      const r = both(doc);
      expect(r.accepted).toBe(true);
      expect(r.fast).toBe(r.cdk8s());
      accepted++;
    }), params(1000));
    expect(accepted).toBe(1000);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Every document of the example apps

describe('example apps: every document of every chart', () => {
  // Discovery loads the example sources; guarded so that a failure is reported by a test, not as a broken file.
  let examples: CdkExample[] = [];
  let discoveryError: unknown;
  try {
    examples = cdk8sExamples();
  } catch (e) {
    discoveryError = e;
  }
  /** The documents of each example app: `chart.toJson()` of each of its charts. */
  const docsOf = new Map<string, any[]>();
  beforeAll(() => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      // The outdir is never written: only chart.toJson() is called.
      for (const e of examples) docsOf.set(e.name, e.build('/nonexistent-outdir').charts.flatMap((c) => c.toJson()));
    } finally {
      warn.mockRestore();
    }
  });

  test('the examples are discovered', () => {
    expect(discoveryError).toBeUndefined();
    expect(examples.map((e) => e.name)).toEqual(expect.arrayContaining(['llm-serving', 'multi-tenant']));
  });

  test.each(examples.map((e) => [e.name] as const))('examples/%s: accepted documents are identical, refusals documented', (name) => {
    const docs = docsOf.get(name)!;
    expect(docs.length).toBeGreaterThan(5);
    for (const doc of docs) expectAgreesOrDocumentedFallback(doc);
    // The whole app, joined as cdk8s joins it.
    expect(_stringifyDocs(CDK8S_STRINGIFY, docs)).toBe(CDK8S_STRINGIFY(...docs));
  });

  test('every example document takes the fast path', () => {
    const all = [...docsOf.values()].flat();
    const refused = all.filter((d) => _fastYamlDocument(d) === undefined);
    // Which documents fell back and why, in the failure message.
    const why = refused.map((d) => `${d.kind}/${d.metadata?.name}: ${documentedReason(d)}`);
    expect(all.length).toBeGreaterThan(50);
    expect(why).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 4. _stringifyDocs

describe('_stringifyDocs', () => {
  const accepted1 = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { on: 'yes', 8000: '0x1F' } };
  const fallback = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: { script: '#!/bin/sh\necho\thi\n' } };
  const accepted2 = [{ a: [] }, { b: {} }];

  test.each([
    ['several documents with an undefined one and a refused one', [accepted1, undefined, fallback, accepted2]],
    ['undefined first and last', [undefined, accepted1, undefined]],
    ['only refused documents', [fallback, { n: 1.5 }]],
    ['one document', [accepted1]],
    ['only undefined', [undefined]],
    ['no documents', []],
  ] as Array<[string, unknown[]]>)('%s: exactly Yaml.stringify(...docs)', (_what, docs) => {
    expect(_stringifyDocs(CDK8S_STRINGIFY, docs)).toBe(CDK8S_STRINGIFY(...docs));
  });

  test('only the refused documents go to the original writer, one at a time', () => {
    const original = jest.fn((...d: unknown[]) => CDK8S_STRINGIFY(...d));
    const other = { n: NaN };
    const out = _stringifyDocs(original, [accepted1, undefined, fallback, accepted2, other]);
    expect(original.mock.calls).toEqual([[fallback], [other]]);
    expect(out).toBe(CDK8S_STRINGIFY(accepted1, undefined, fallback, accepted2, other));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Integration: GpuValidation swaps cdk8s's writer during synth and puts it back

describe('GpuValidation uses the fast writer during synth', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
  afterEach(() => {
    warn.mockRestore();
    Yaml.stringify = CDK8S_STRINGIFY; // never leak a swapped writer into other tests, even when one fails
  });

  /** An app with a valid GPU Deployment and objects both writers must agree on, including ones the fast writer refuses. */
  function buildApp(props: { fastYamlWriter?: boolean }, extra?: (chart: Chart) => void): { app: App; writerDuringSynth: () => unknown } {
    const app = Testing.app();
    const chart = new Chart(app, 'serving');
    GpuValidation.addTo(chart, props);
    new ApiObject(chart, 'vllm', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'vllm', namespace: 'default', labels: { 'app.kubernetes.io/name': 'vllm', 'on': 'yes' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'vllm' } },
        template: {
          metadata: { labels: { app: 'vllm' }, annotations: { 'example.com/port': '8000', 'example.com/ratio': '1:30' } },
          spec: {
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
            containers: [{
              name: 'vllm',
              image: 'vllm/vllm-openai:v0.7.3',
              args: ['--model', '/models/x', '--max-model-len=8192', '-'],
              ports: [{ containerPort: 8000 }],
              resources: { limits: { 'nvidia.com/gpu': 1 } },
            }],
          },
        },
      },
    });
    new ApiObject(chart, 'script', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'script' },
      data: { 'run.sh': '#!/bin/sh\nexec vllm serve\n', 'emoji': '🚀', 'ratio': '0.5' },
    });
    new Chart(app, 'empty');
    extra?.(chart);
    let seen: unknown;
    chart.node.addValidation({ validate: () => { seen = Yaml.stringify; return []; } });
    return { app, writerDuringSynth: () => seen };
  }

  test('synthYaml() is byte-identical with and without the fast writer, which is in place only during synth', () => {
    const fast = buildApp({});
    const slow = buildApp({ fastYamlWriter: false });
    const fastYaml = fast.app.synthYaml();
    expect(Yaml.stringify).toBe(CDK8S_STRINGIFY);
    const slowYaml = slow.app.synthYaml();
    expect(Yaml.stringify).toBe(CDK8S_STRINGIFY);
    expect(fastYaml).toBe(slowYaml);
    expect(fastYaml).toContain('kind: ConfigMap');
    expect(fastYaml).toContain('run.sh: |');
    // The fast writer really stood in for cdk8s's during the default synth, and not with fastYamlWriter: false.
    expect(fast.writerDuringSynth()).toEqual(expect.any(Function));
    expect(fast.writerDuringSynth()).not.toBe(CDK8S_STRINGIFY);
    expect(slow.writerDuringSynth()).toBe(CDK8S_STRINGIFY);
    // A second synth of the same app gives the same text and puts the writer back again.
    expect(fast.app.synthYaml()).toBe(fastYaml);
    expect(Yaml.stringify).toBe(CDK8S_STRINGIFY);
  });

  test('Testing.synth(chart) restores cdk8s\'s writer too', () => {
    const { app } = buildApp({});
    const chart = app.charts.find((c) => c.node.id === 'serving')!;
    expect(Testing.synth(chart)).toHaveLength(2);
    expect(Yaml.stringify).toBe(CDK8S_STRINGIFY);
  });

  test('when synth throws (a failing validation), cdk8s\'s writer is put back', () => {
    const { app, writerDuringSynth } = buildApp({}, (chart) => chart.node.addValidation({ validate: () => ['boom'] }));
    expect(() => app.synthYaml()).toThrow(/boom/);
    expect(writerDuringSynth()).not.toBe(CDK8S_STRINGIFY); // the session was open when it failed
    expect(Yaml.stringify).toBe(CDK8S_STRINGIFY);
    expect(() => app.synth()).toThrow(/boom/);
    expect(Yaml.stringify).toBe(CDK8S_STRINGIFY);
  });

  test('when a GPU rule fails synth, cdk8s\'s writer is put back', () => {
    const { app } = buildApp({}, (chart) => new ApiObject(chart, 'no-tolerations', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'no-tolerations', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'x', image: 'x:1', resources: { limits: { 'nvidia.com/gpu': 1 } } }] },
        },
      },
    }));
    expect(() => app.synthYaml()).toThrow(/GPU002/);
    expect(Yaml.stringify).toBe(CDK8S_STRINGIFY);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// App.synth() writes files through Yaml.save → Yaml.stringify: every output layout gives the same files either way

describe('App.synth() files are byte-identical with and without the fast writer, in every YamlOutputType', () => {
  /** Every file under `dir` (relative path → content). */
  function files(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
      }
    };
    walk(dir);
    return out;
  }

  function synthTo(yamlOutputType: YamlOutputType, fastYamlWriter: boolean): Record<string, string> {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-writer-'));
    try {
      const app = new App({ outdir, yamlOutputType });
      for (const name of ['serving', 'config']) {
        const chart = new Chart(app, name);
        GpuValidation.addTo(chart, { fastYamlWriter });
        new ApiObject(chart, 'cm', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${name}-files`, namespace: 'default' },
          data: { 'run.sh': '#!/bin/sh\nexec vllm serve "$@"\n', 'on': 'yes', 'ratio': '1:30', 'empty': '' },
        });
        new ApiObject(chart, 'svc', {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `${name}-svc`, namespace: 'default' },
          spec: { selector: { app: name }, ports: [{ port: 8000, targetPort: 8000, name: 'http' }] },
        });
      }
      let swapped = false;
      app.node.addValidation({ validate: () => { swapped = Yaml.stringify !== CDK8S_STRINGIFY; return []; } });
      app.synth();
      expect(swapped).toBe(fastYamlWriter);
      expect(Yaml.stringify).toBe(CDK8S_STRINGIFY);
      return files(outdir);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  const names = Object.keys(YamlOutputType).filter((k) => Number.isNaN(Number(k))) as Array<keyof typeof YamlOutputType>;
  test('all four layouts are covered', () => expect(names).toHaveLength(4));
  test.each(names)('%s', (name) => {
    const fast = synthTo(YamlOutputType[name], true);
    const slow = synthTo(YamlOutputType[name], false);
    expect(Object.keys(fast).length).toBeGreaterThan(0);
    expect(Object.keys(fast).sort()).toEqual(Object.keys(slow).sort());
    for (const f of Object.keys(slow)) expect({ f, same: fast[f] === slow[f] }).toEqual({ f, same: true });
  });
});
