/**
 * The fast YAML writer (src/validation/yaml-writer.ts) against cdk8s's own `Yaml.stringify` on real-world documents,
 * and the divergences exploratory fuzzing found (test/validation/yaml-writer.test.ts holds the targeted and
 * property-based differential tests; nothing here repeats them).
 *
 * Corpus: every YAML document under test/fixtures and crds/ (always), and under ../shared/reference and
 * ../shared/seeds when that directory exists (*.yaml, *.yml, *.json, fenced YAML blocks and front matter in *.md and
 * *.txt). Each file is parsed with the `yaml` package twice, as YAML 1.2 (its default) and as YAML 1.1 (the version
 * cdk8s writes; `yes`, `0755` and sexagesimals read differently), documents that fail to parse are skipped, and every
 * object document goes through both writers: accepted by the fast writer ⇒ byte-identical to cdk8s. Every distinct
 * string of the corpus (keys, values, CRD descriptions) is also written as a key, a value and a sequence item.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { _fastYamlDocument } from '../../src/validation/yaml-writer';
import { describeWithShared, sharedPath } from '../shared-data';

/** cdk8s's writer as loaded (no synth session is open while this module loads). */
const CDK8S_STRINGIFY = Yaml.stringify;

const REPO = path.join(__dirname, '../..');

// ---------------------------------------------------------------------------------------------------------------
// Reading the corpus

/** Every file under `dir`, recursively, sorted (so failures and counts are stable). */
function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new Error(`corpus folder ${dir} is missing`);
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * The YAML texts of a file: the whole file for YAML and JSON; for Markdown and text, best effort, the fenced blocks
 * tagged `yaml`/`yml` or untagged (an untagged block that is not YAML fails to parse or is not an object, and is
 * skipped) and a leading `---` front matter block.
 */
function yamlTexts(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  if (/\.(ya?ml|json)$/i.test(file)) return [text];
  if (!/\.(md|txt)$/i.test(file)) return [];
  const blocks: string[] = [];
  const frontMatter = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
  if (frontMatter) blocks.push(frontMatter[1]);
  for (const m of text.matchAll(/^[ \t]*```[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)^[ \t]*```[ \t]*$/gm)) {
    if (['yaml', 'yml', ''].includes(m[1].toLowerCase())) blocks.push(m[2]);
  }
  return blocks;
}

interface CorpusDoc {
  /** `file#n@version` for messages. */
  readonly where: string;
  readonly doc: object;
}

/** The object documents of `files`, parsed as YAML 1.2 and as YAML 1.1; documents with parse errors are skipped. */
function corpusDocs(files: string[]): CorpusDoc[] {
  const docs: CorpusDoc[] = [];
  for (const file of files) {
    const texts = yamlTexts(file);
    for (const version of ['1.2', '1.1'] as const) {
      let n = 0;
      for (const text of texts) {
        for (const parsed of YAML.parseAllDocuments(text, { version })) {
          if (parsed.errors.length > 0) continue;
          const doc: unknown = parsed.toJS({ maxAliasCount: -1 });
          if (doc === null || typeof doc !== 'object') continue;
          docs.push({ where: `${path.relative(path.join(REPO, '..'), file)}#${n++}@${version}`, doc });
        }
      }
    }
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing

interface Comparison {
  accepted: number;
  refused: number;
  /** Documents the fast writer accepted and wrote differently from cdk8s: where, and the first differing line. */
  mismatches: string[];
  /** Accepted documents whose output has a literal block scalar (so multi-line strings are really exercised). */
  withBlockScalar: number;
}

/** The first line where two outputs differ, for a readable failure. */
function firstDifference(fast: string, cdk8s: string): string {
  const a = fast.split('\n');
  const b = cdk8s.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: fast ${JSON.stringify(a[i])}, cdk8s ${JSON.stringify(b[i])}`;
  }
  return 'same lines';
}

function compare(docs: Iterable<CorpusDoc>): Comparison {
  const r: Comparison = { accepted: 0, refused: 0, mismatches: [], withBlockScalar: 0 };
  for (const { where, doc } of docs) {
    const fast = _fastYamlDocument(doc);
    if (fast === undefined) {
      r.refused++;
      continue;
    }
    r.accepted++;
    if (/: \|-?\n/.test(fast)) r.withBlockScalar++;
    const cdk8s = CDK8S_STRINGIFY(doc);
    if (fast !== cdk8s) r.mismatches.push(`${where}: ${firstDifference(fast, cdk8s)}`);
  }
  return r;
}

/** Every distinct string in the documents, keys included. */
function stringsOf(docs: CorpusDoc[]): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      out.add(v);
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        out.add(k);
        visit(x);
      }
    }
  };
  for (const d of docs) visit(d.doc);
  return out;
}

/** Each string as a value, a key, a nested key and value, and a sequence item (a top-level sequence too). */
function* stringPositions(strings: Set<string>): Iterable<CorpusDoc> {
  let i = 0;
  for (const s of strings) {
    const where = `string #${i++} ${JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)}`;
    yield { where: `${where} as a value`, doc: { v: s } };
    yield { where: `${where} as a key`, doc: { [s]: 'v', n: { [s]: [s] } } };
    yield { where: `${where} as an item`, doc: [s, { k: s }] };
  }
}

/** Counts per corpus, printed once at the end. */
const summary: string[] = [];
afterAll(() => {
  if (summary.length > 0) console.log(`yaml-writer corpus (documents accepted / refused by the fast writer):\n${summary.join('\n')}`);
});

/**
 * The corpus tests for one directory: every object document, then every distinct string, compared. `minAccepted`
 * keeps the test from passing on an empty or unreadable corpus.
 */
function corpusTests(name: string, files: () => string[], minAccepted: number, minBlockScalars: number): void {
  const docs = corpusDocs(files());

  test(`${name}: every accepted document is byte-identical to cdk8s`, () => {
    const r = compare(docs);
    summary.push(`  ${name}: ${docs.length} documents, ${r.accepted} accepted, ${r.refused} refused (${r.withBlockScalar} accepted with a literal block)`);
    expect(r.mismatches).toEqual([]);
    expect(r.accepted).toBeGreaterThanOrEqual(minAccepted);
    expect(r.withBlockScalar).toBeGreaterThanOrEqual(minBlockScalars);
  });

  test(`${name}: every distinct string, as a key, a value and an item, is byte-identical to cdk8s when accepted`, () => {
    const strings = stringsOf(docs);
    const r = compare(stringPositions(strings));
    summary.push(`  ${name}, distinct strings: ${strings.size} strings, ${r.accepted} documents accepted, ${r.refused} refused`);
    expect(r.mismatches).toEqual([]);
    expect(r.accepted).toBeGreaterThanOrEqual(minAccepted);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Corpus

describe('corpus: the repository\'s own YAML', () => {
  corpusTests('test/fixtures', () => walk(path.join(REPO, 'test/fixtures')), 50, 0);
  corpusTests('crds', () => walk(path.join(REPO, 'crds')), 8, 8);
});

describeWithShared('corpus: ../shared', ['reference', 'seeds'], () => {
  corpusTests('../shared/reference', () => walk(sharedPath('reference')), 20, 10);
  corpusTests('../shared/seeds', () => walk(sharedPath('seeds')), 1, 0);
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Divergences found by exploratory fuzzing. Each document here was accepted by an earlier fast writer and written
// differently from cdk8s (now refused). The expectation is the module's contract: refused (undefined) or identical.

/** What a writer did: its output, or `throws <error name>`. */
function outcome(write: () => string | undefined): string | undefined {
  try {
    return write();
  } catch (e) {
    return `throws ${(e as Error).name}`;
  }
}

/** An outcome on one line, short enough for a failure message. */
function brief(s: string | undefined): string {
  return s === undefined ? '(refused)' : JSON.stringify(s.length <= 300 ? s : `${s.slice(0, 300)}…(${s.length} characters)`);
}

/**
 * The contract: the fast writer refuses `doc` (cdk8s's writer then runs, as without it), or does exactly what cdk8s's
 * writer does: the same output, or an error where cdk8s throws one.
 */
function expectRefusedOrIdentical(doc: unknown): void {
  const fast = outcome(() => _fastYamlDocument(doc));
  const cdk8s = outcome(() => CDK8S_STRINGIFY(doc));
  const shown = { fast: brief(fast), cdk8s: brief(cdk8s) };
  expect({ refusedOrIdentical: fast === undefined || fast === cdk8s, ...shown }).toEqual({ refusedOrIdentical: true, ...shown });
}

describe('fuzz-found: a multi-line value whose trailing whitespace holds a line of spaces then a line feed', () => {
  // The `yaml` package chomps with keep (`|+`) when the trailing run of spaces and line feeds holds a line feed before
  // its last character; the fast writer writes clip (`|`). Both read back as the same string; the bytes differ.
  test.each([
    ['minimal', { v: 'a\n \n' }],
    ['two spaces', { v: 'a\n  \n' }],
    ['a blank line before', { v: 'a\n\n \n' }],
    ['a trailing space on the last text line too', { v: 'a \n \n' }],
    ['a ConfigMap script ending in an indented blank line', { kind: 'ConfigMap', data: { 'run.sh': '#!/bin/sh\necho hi\n  \n' } }],
    ['a sequence item', { l: ['a\n \n', 'b'] }],
    ['a top-level sequence item', ['a\n \n']],
    ['a value in a map in a sequence, followed by another key', { l: [{ k: 'a\n \n' }], m: 2 }],
  ] as Array<[string, object]>)('%s', (_what, doc) => {
    expectRefusedOrIdentical(doc);
  });
});

describe('fuzz-found: objects whose toJSON, Symbol.iterator or prototype the yaml package consults', () => {
  // The yaml package's createNode calls a `toJSON` method when it finds one (enumerable or not, own or inherited),
  // writes anything with `Symbol.iterator` as a sequence, and an array without Array.prototype as a map; the fast
  // writer reads plain objects with Object.keys and arrays by index. ApiObject.toJson() rebuilds every document from
  // fresh plain objects and arrays (sanitizeValue, JSON-cloned patches), so these reach the fast writer only through
  // a direct Yaml.stringify call during synth (a Lazy value, a plugin) on a document built otherwise.
  const nonEnumerable = <T extends object>(o: T, key: string, value: unknown): T =>
    Object.defineProperty(o, key, { value, enumerable: false });
  test.each([
    ['plain object with a non-enumerable toJSON', () => ({ l: nonEnumerable({ a: 1 }, 'toJSON', () => 'x') })],
    ['null-prototype object with a non-enumerable toJSON', () => ({ l: nonEnumerable(Object.assign(Object.create(null), { a: 1 }), 'toJSON', () => 'x') })],
    ['top-level plain object with a non-enumerable toJSON', () => nonEnumerable({ a: 1 }, 'toJSON', () => ({ b: 2 }))],
    ['plain object with an own Symbol.iterator', () => ({ l: { a: 1, *[Symbol.iterator]() { yield 'x'; } } })],
    ['array with an own toJSON (an array with an extra property)', () => ({ l: Object.assign(['a'], { toJSON: () => 'x' }) })],
    ['top-level array with an own toJSON', () => Object.assign(['a'], { toJSON: () => ({ b: 1 }) })],
    ['array with an own Symbol.iterator', () => ({ l: Object.assign(['a'], { *[Symbol.iterator]() { yield 'x'; } }) })],
    ['array with a null prototype', () => ({ l: Object.setPrototypeOf(['a'], null) })],
    ['array with Object.prototype as its prototype', () => ({ l: Object.setPrototypeOf(['a'], Object.prototype) })],
    // The package takes anything carrying its node-type symbol for one of its own nodes (and here fails on it).
    ['plain object carrying the yaml package\'s node-type symbol', () => ({ l: { a: 1, [Symbol.for('yaml.node.type')]: Symbol.for('yaml.map') } })],
  ] as Array<[string, () => object]>)('%s', (_what, make) => {
    expectRefusedOrIdentical(make());
  });
});

describe('fuzz-found: nesting deeper than cdk8s\'s writer can go', () => {
  // The yaml package recurses through several frames per level and overflows the stack at several hundred levels of
  // maps (about 700 under plain node); an earlier fast writer still wrote the document, so a synth that failed with
  // cdk8s's writer succeeded with it. Now it refuses past 200 levels, and cdk8s's writer fails as before.
  test('a map nested 2,000 deep', () => {
    let doc: object = { k: 'x' };
    for (let i = 1; i < 2000; i++) doc = { k: doc };
    expectRefusedOrIdentical(doc);
  });
});
