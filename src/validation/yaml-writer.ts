/**
 * A fast YAML writer whose output is byte-identical to cdk8s's own `Yaml.stringify` for the documents cdk8s writes,
 * and which hands every other document to cdk8s's writer.
 *
 * cdk8s 2.x writes each document with the `yaml` package: `YAML.stringify(doc, { keepUndefined: true, lineWidth: 0,
 * version: '1.1' })` (node_modules/cdk8s/lib/yaml.js). That writer builds a YAML document tree of every value before
 * it prints it, and at 5,000 inference workloads it is two thirds of the whole synth. The documents cdk8s writes are
 * plain JSON trees (objects, arrays, strings, finite numbers, booleans, null), and for those the `yaml` package's
 * block style is fully determined:
 *
 * - a map is `key: value` per line in insertion order, nested collections on the next lines two spaces deeper, an
 *   empty map `{}` and an empty sequence `[]`; a sequence is `- item` at the same indent as its key (`indentSeq`),
 *   and a map or sequence inside a sequence starts on the dash's line;
 * - numbers print as `String(n)` for safe integers; `true`, `false` and `null` as themselves;
 * - a string is printed plain unless the `yaml` package's `plainString` rules forbid it (an indicator first, `: ` or
 *   ` #` inside, a space or `:` last) or the YAML 1.1 schema would read it back as another type (the schema's own
 *   tag tests are used, e.g. `yes`, `y`, `0x1F`, `1:30`, `2024-01-01`, `e12345`, the empty string); then it is
 *   quoted, in single quotes when it contains `"` but no `'`, otherwise in double quotes as JSON escapes it;
 * - a multi-line string value (a ConfigMap's file, user data) is a literal block, `|-` or `|`, its lines two spaces
 *   deeper than its key.
 *
 * Anything outside that subset sends the whole document to the original writer: a tab, a control or non-character
 * code point; a one-line string starting a line with a document marker (`---`, `...`, `%`); a multi-line key, or a
 * multi-line value with a leading space or line feed, a trailing run of spaces and line feeds the package keeps
 * (`|+`), or only spaces after its last line feed; collections nested more than 200 deep; numbers that are not safe
 * integers; `undefined`; objects that are not plain or that the package would read differently (a `toJSON` method,
 * `Symbol.iterator` on a non-array, an array with another prototype); an object reachable twice (the `yaml` package
 * writes anchors and aliases for those); keys longer than 1024 characters once quoted. So output never differs from
 * cdk8s's: test/validation/yaml-writer.test.ts compares both writers on every example app and on random documents,
 * and test/validation/yaml-writer-corpus.test.ts on every manifest and CRD of the repository and ../shared.
 */
import { Document } from 'yaml';
import { memoPerString } from '../private/memo';

/** Thrown inside the writer when a document is outside the subset; never escapes `stringifyDocs`. */
class OutsideSubset extends Error {}

/**
 * Tests of the YAML 1.1 schema's non-string tags, as the `yaml` package applies them to plain scalars. The merge tag
 * is left out: the package gives the string `<<` that tag when it builds the node (its `identify`), and the tag
 * writes it bare.
 */
const NON_STRING_TESTS: RegExp[] = (() => {
  const schema = new Document(null, { version: '1.1' }).schema as unknown as {
    tags: Array<{ default?: unknown; tag: string; test?: RegExp }>;
    compat?: Array<{ default?: unknown; tag: string; test?: RegExp }> | null;
  };
  return [...schema.tags, ...(schema.compat ?? [])]
    .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.tag !== 'tag:yaml.org,2002:merge' && t.test instanceof RegExp)
    .map((t) => t.test!);
})();

/** Characters the subset allows in a string: printable ASCII and every BMP character from U+00A0 but surrogates. */
const OUTSIDE_CHARS = /[^\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]/;
/** Where the `yaml` package refuses a plain scalar (its plainString rule, single-line form). */
const NOT_PLAIN = /^[ ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-] |: | #| $|:$/;
/**
 * A document marker at the start of a line makes the `yaml` package change style with the indent. Multi-line (`m`)
 * as in the package: U+2028 and U+2029 start a line for it too.
 */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/**
 * Most strings in Kubernetes manifests: names, labels, images, paths. Longer than 5 characters, such a string is
 * plain without further tests: the 1.1 schema's booleans and nulls are at most 5 characters, its numbers and
 * timestamps start with a digit, a sign or a dot, except an exponent alone (`e12345` is a float), excluded here.
 */
const SIMPLE = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const EXPONENT_ONLY = /^[eE][-+]?[0-9]+$/;
/** Characters a multi-line string may hold in the subset: those of one line, plus line feeds. */
const OUTSIDE_CHARS_MULTILINE = /[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]/;
const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
/** The symbol the `yaml` package marks its own nodes with. */
const YAML_NODE_TYPE = Symbol.for('yaml.node.type');
/**
 * Deeper documents go to the package, which overflows the stack at about 700 levels: a document cdk8s cannot write
 * fails the same way with the fast writer in place.
 */
const MAX_DEPTH = 200;

/** Strings up to this length have their written form remembered ({@link scalarString}). */
const REMEMBERED_LENGTH = 256;
/**
 * At most this many remembered strings (all are dropped when it is reached): the bench's synth of 1,000 inference
 * workloads writes 9,422 distinct strings of up to 256 characters, its synth of 5,000 writes 45,422. They stay
 * referenced until dropped: at most 12.8 MB of one-byte text (25.6 MB of two-byte), far less for the short names,
 * labels and images of manifests.
 */
const REMEMBERED_STRINGS = 50_000;

/**
 * {@link oneLineScalar}, remembered per string: a synth writes the same keys (`apiVersion`, `name`, `nvidia.com/gpu`)
 * and most values (images, labels, quantities) thousands of times, and each answer costs up to a dozen regular
 * expression tests (at 1,000 workloads the remembered answers cut the writer's instructions by two fifths). Strings
 * refused (thrown for) are not remembered; longer strings, rarely repeated, are not kept.
 */
const rememberedScalar = memoPerString(oneLineScalar, REMEMBERED_STRINGS);

/** A one-line string scalar, plain or quoted as the `yaml` package writes it. */
function scalarString(s: string, isKey: boolean): string {
  const out = s.length <= REMEMBERED_LENGTH ? rememberedScalar(s) : oneLineScalar(s);
  if (isKey && out.length > 1024) throw new OutsideSubset(); // the package writes an explicit `? key`
  return out;
}

/** {@link scalarString} of any position (the length of a key is checked by the caller). */
function oneLineScalar(s: string): string {
  let out: string;
  if (s.length > 5 && SIMPLE.test(s) && !EXPONENT_ONLY.test(s)) {
    out = s;
  } else {
    if (OUTSIDE_CHARS.test(s) || DOCUMENT_MARKER.test(s)) throw new OutsideSubset();
    if (!NOT_PLAIN.test(s) && !NON_STRING_TESTS.some((t) => t.test(s))) {
      out = s;
    } else if (s.includes('"') && !s.includes("'")) {
      out = `'${s}'`;
    } else {
      out = JSON.stringify(s);
    }
  }
  return out;
}

/**
 * A multi-line string value: the `yaml` package writes it as a literal block (`|`, since lineWidth 0 never folds),
 * its lines at `indent`. The subset: no leading space or line feed (indentation indicator), at most one trailing
 * line feed (strip `|-` or clip `|`; keep `|+` is left to the package), no spaces after the last line feed (the
 * package quotes those), and a non-empty indent (at the root the package indents differently around document markers).
 */
function blockString(s: string, indent: string): string {
  if (indent === '' || OUTSIDE_CHARS_MULTILINE.test(s) || s[0] === ' ' || s[0] === '\n') throw new OutsideSubset();
  let chomp = '-';
  let body = s;
  if (s.endsWith('\n')) {
    // The package keeps (`|+`) unless the first line feed of the trailing run of spaces and line feeds is its last
    // character: `a\n\n` and `a\n \n` are kept, `a  \n` is clipped.
    const run = /[ \n]*$/.exec(s)![0];
    if (run.indexOf('\n') !== run.length - 1) throw new OutsideSubset();
    chomp = '';
    body = s.slice(0, -1);
  } else if (/\n +$/.test(s)) {
    throw new OutsideSubset(); // the package quotes a string ending in a line feed and spaces
  }
  return `|${chomp}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

/**
 * A scalar value as the `yaml` package writes it, or undefined for a collection. `indent` is the indent of the
 * lines of the collection that holds it (a multi-line string's lines go two spaces deeper).
 */
function scalar(v: unknown, indent: string): string | undefined {
  switch (typeof v) {
    case 'string': return v.includes('\n') ? blockString(v, `${indent}  `) : scalarString(v, false);
    case 'number':
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new OutsideSubset();
      return String(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'object':
      if (v === null) return 'null';
      return undefined; // a collection
    default: throw new OutsideSubset();
  }
}

class Writer {
  /** Output pieces, joined once at the end (cheaper than growing one string of megabytes). */
  private readonly parts: string[] = [];
  private readonly seen = new Set<object>();
  private depth = 0;

  public doc(value: unknown): string {
    const s = scalar(value, '');
    if (s !== undefined) throw new OutsideSubset(); // cdk8s writes objects; leave anything else to the original
    const keys = this.enter(value as object);
    if (keys ? keys.length === 0 : (value as unknown[]).length === 0) throw new OutsideSubset();
    if (keys) this.map(value as Record<string, unknown>, keys, '', false);
    else this.seq(value as unknown[], '', false);
    return this.parts.join('');
  }

  /**
   * Checks a collection is plain and not seen before; returns a map's keys (read once, for the writer too), or
   * undefined for a sequence.
   */
  private enter(v: object): string[] | undefined {
    if (this.seen.has(v)) throw new OutsideSubset(); // the yaml package would write an anchor and an alias
    this.seen.add(v);
    // The package reads a `toJSON` method (even inherited or non-enumerable) and its own node-type symbol on anything,
    // and iterates any non-array object with `Symbol.iterator` or array with its own: all left to it.
    if ('toJSON' in v || YAML_NODE_TYPE in v) throw new OutsideSubset();
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== ARRAY_PROTO || Object.prototype.hasOwnProperty.call(v, Symbol.iterator)) throw new OutsideSubset();
      return undefined;
    }
    const proto = Object.getPrototypeOf(v);
    if ((proto !== OBJECT_PROTO && proto !== null) || Symbol.iterator in v) throw new OutsideSubset();
    return Object.keys(v);
  }

  /** Writes a map; `inline` means the first line continues a `- ` already written. */
  private map(m: Record<string, unknown>, keys: string[], indent: string, inline: boolean): void {
    if (++this.depth > MAX_DEPTH) throw new OutsideSubset();
    let first = true;
    for (const k of keys) {
      const v = m[k];
      const key = scalarString(k, true);
      const lead = first && inline ? '' : indent;
      first = false;
      const s = scalar(v, indent);
      if (s !== undefined) {
        this.parts.push(`${lead}${key}: ${s}\n`);
        continue;
      }
      const childKeys = this.enter(v as object);
      if (childKeys ? childKeys.length === 0 : (v as unknown[]).length === 0) {
        this.parts.push(`${lead}${key}: ${childKeys ? '{}' : '[]'}\n`);
      } else if (childKeys) {
        this.parts.push(`${lead}${key}:\n`);
        this.map(v as Record<string, unknown>, childKeys, indent + '  ', false);
      } else {
        this.parts.push(`${lead}${key}:\n`);
        this.seq(v as unknown[], indent + '  ', false);
      }
    }
    this.depth--;
  }

  private seq(a: unknown[], indent: string, inline: boolean): void {
    if (++this.depth > MAX_DEPTH) throw new OutsideSubset();
    for (let i = 0; i < a.length; i++) {
      if (!(i in a)) throw new OutsideSubset(); // a hole
      const v = a[i];
      const lead = i === 0 && inline ? '- ' : `${indent}- `;
      const s = scalar(v, indent);
      if (s !== undefined) {
        this.parts.push(`${lead}${s}\n`);
        continue;
      }
      const keys = this.enter(v as object);
      this.parts.push(lead);
      if (keys ? keys.length === 0 : (v as unknown[]).length === 0) this.parts.push(keys ? '{}\n' : '[]\n');
      else if (keys) this.map(v as Record<string, unknown>, keys, indent + '  ', true);
      else this.seq(v as unknown[], indent + '  ', true);
    }
    this.depth--;
  }
}

/**
 * Writes one document as cdk8s would, or returns undefined when it is outside the subset the fast writer proves
 * identical (the caller then uses cdk8s's writer for it).
 * @internal
 */
export function _fastYamlDocument(doc: unknown): string | undefined {
  try {
    return new Writer().doc(doc);
  } catch (e) {
    if (e instanceof OutsideSubset) return undefined;
    throw e;
  }
}

/**
 * `Yaml.stringify(...docs)` with the fast writer: each document in the subset is written by it, every other one by
 * `original` (cdk8s's own writer), joined as cdk8s joins them.
 * @internal
 */
export function _stringifyDocs(original: (...docs: any[]) => string, docs: any[]): string {
  return docs.map((d) => (d === undefined ? '\n' : _fastYamlDocument(d) ?? original(d))).join('---\n');
}
