/**
 * The fast YAML reader of `cdk8s-gpu lint` (src/cli/yaml-input.ts): the document splitter, the js-yaml fast path
 * under the YAML 1.2 core schema, the per-document fallback to the `yaml` package, and a differential property:
 * on valid streams, parseManifests gives exactly what parseManifestsWithYamlPackage (the old reader) gives.
 */
import * as fc from 'fast-check';
import * as yaml from 'yaml';
import { parseManifests, parseManifestsWithYamlPackage, splitDocuments } from '../../src/cli/yaml-input';
import { params } from '../property/arbitraries';

// The `yaml` package, with parseAllDocuments watched (it is a getter, so jest.spyOn cannot wrap it).
jest.mock('yaml', () => {
  const actual = jest.requireActual('yaml');
  return { ...actual, parseAllDocuments: jest.fn(actual.parseAllDocuments) };
});

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

/** The documents' texts, first content lines and marker lines. */
function split(text: string) {
  const r = splitDocuments(text);
  return {
    fallback: r.wholeTextFallback,
    docs: r.documents.map((d) => ({ text: text.slice(d.start, d.end), line: d.line, marker: d.markerLine, content: d.contentLine, plain: d.plain })),
  };
}

/** parseManifests, checked against the `yaml` package reader on the same text. */
function parseBoth(text: string, file = 'f.yaml') {
  const fast = parseManifests(text, file);
  expect(fast).toEqual(parseManifestsWithYamlPackage(text, file));
  return fast;
}

const summary = (r: ReturnType<typeof parseManifests>) => r.manifests.map((m) => `${m.object.metadata?.name}@${m.source?.line}`);

describe('splitDocuments', () => {
  test('--- markers, with or without a trailing comment, start documents; comments before a --- belong to its document', () => {
    const r = split(`# head\n--- # first\n${CM('a')}---\t# second\n\n# about b\n${CM('b')}`);
    expect(r.fallback).toBe(false);
    expect(r.docs.map((d) => [d.line, d.marker, d.content, d.plain])).toEqual([[1, 2, 3, true], [7, 7, 10, true]]);
    expect(r.docs[0].text).toBe(`# head\n--- # first\n${CM('a')}`);
    expect(r.docs[1].text.startsWith('---\t# second\n')).toBe(true);
  });

  test('----, ---x and an indented --- are not markers', () => {
    for (const t of [`${CM('a')}----\n`, `${CM('a')}---x: 1\n`, `${CM('a')}data:\n  ---\n`]) {
      expect(split(t).docs).toHaveLength(1);
    }
  });

  test('... ends a document: what follows is a new document, with or without its own ---', () => {
    const r = split(`${CM('a')}... # end\n# between\n${CM('b')}...\n---\n${CM('c')}`);
    expect(r.docs.map((d) => [d.line, d.marker, d.content])).toEqual([[1, undefined, 1], [6, undefined, 7], [12, 12, 13]]);
    expect(r.docs[0].text).toBe(`${CM('a')}... # end\n`);
    expect(summary(parseBoth(`${CM('a')}... # end\n# between\n${CM('b')}...\n---\n${CM('c')}`))).toEqual(['a@1', 'b@7', 'c@13']);
  });

  test('--- inside a block scalar: indented it is content, at column 0 it ends the scalar (as in YAML)', () => {
    const indented = `${CM('a')}data:\n  script: |\n    echo one\n    ---\n    echo two\n`;
    expect(split(indented).docs).toHaveLength(1);
    expect(parseBoth(indented).manifests[0].object.data).toEqual({ script: 'echo one\n---\necho two\n' });

    const column0 = `${CM('a')}data:\n  script: |\n    echo one\n---\n${CM('b')}`;
    expect(split(column0).docs.map((d) => d.content)).toEqual([1, 9]);
    const r = parseBoth(column0);
    expect(summary(r)).toEqual(['a@1', 'b@9']);
    expect(r.manifests[0].object.data).toEqual({ script: 'echo one\n' });
  });

  test('CRLF line endings', () => {
    const text = `---\r\n${CM('a')}--- # c\r\n\r\n${CM('b')}`.replace(/(?<!\r)\n/g, '\r\n');
    const r = split(text);
    expect(r.docs.map((d) => [d.marker, d.content, d.plain])).toEqual([[1, 2, true], [6, 8, true]]);
    const parsed = parseBoth(text);
    expect(summary(parsed)).toEqual(['a@2', 'b@8']);
    expect(parsed.manifests[0].object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    // A lone CR (old Mac line ends) is no line break for the yaml package: js-yaml must not read it either.
    const cr = parseBoth(`${CM('a')}data: {x: "1"}\n`.replace(/\n/g, '\r'));
    expect(cr.manifests).toEqual([]);
    expect(cr.problems).toEqual([expect.objectContaining({ line: 1, severity: 'error' })]);
  });

  test('a byte order mark before the first --- does not hide the marker', () => {
    const text = `\ufeff---\n${CM('a')}---\n${CM('b')}`;
    expect(split(text).docs.map((d) => [d.marker, d.content])).toEqual([[1, 2], [6, 7]]);
    expect(summary(parseBoth(text))).toEqual(['a@2', 'b@7']);
    expect(summary(parseBoth(`\ufeff${CM('c')}`))).toEqual(['c@1']);
  });

  test('a leading %YAML 1.2 directive belongs to the first document; other directives send the text to the yaml package', () => {
    const v12 = `%YAML 1.2\n---\n${CM('a')}data: {enabled: yes}\n---\n${CM('b')}`;
    const r = split(v12);
    expect(r.fallback).toBe(false);
    expect(r.docs.map((d) => [d.line, d.marker, d.content, d.plain])).toEqual([[1, 2, 3, true], [8, 8, 9, true]]);
    const parsed = parseBoth(v12);
    expect(summary(parsed)).toEqual(['a@3', 'b@9']);
    expect(parsed.manifests[0].object.data).toEqual({ enabled: 'yes' }); // YAML 1.2: yes is a string

    // %YAML 1.1 changes the schema (yes is true there): the yaml package reads the whole text, so that holds.
    const v11 = `%YAML 1.1\n---\n${CM('a')}data: {enabled: yes}\n`;
    expect(split(v11).fallback).toBe(true);
    expect(parseBoth(v11).manifests[0].object.data).toEqual({ enabled: true });
    expect(split(`%TAG !e! tag:example.com,2000:\n---\n${CM('a')}`).fallback).toBe(true);
    expect(split(`%YAML 1.2\n${CM('a')}`).fallback).toBe(true); // a directive without ---
  });

  test('content on the --- line (tags, block scalars, flow maps) makes the document not plain', () => {
    const r = split(`--- !tag\n${CM('a')}--- |\n  text\n--- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n`);
    expect(r.docs.map((d) => [d.marker, d.content, d.plain])).toEqual([[1, 1, false], [6, 6, false], [8, 8, false]]);
  });

  test('comments only: no document; a lone ---: one empty document; ... with content or no document: whole-text fallback', () => {
    expect(split('# only\n\n  # comments\n').docs).toEqual([]);
    expect(split('---\n').docs).toEqual([{ text: '---\n', line: 1, marker: 1, content: undefined, plain: true }]);
    expect(split(`${CM('a')}... junk\n`).fallback).toBe(true);
    expect(split('# c\n...\n').fallback).toBe(true);
  });
});

describe('parseManifests: the js-yaml fast path keeps the old semantics', () => {
  test('YAML 1.2 core schema: yes/on/no stay strings, 012 is 12, 0o17 is octal, dates stay strings', () => {
    const text = `${CM('s')}data:\n${[
      'a: yes', 'b: on', 'c: No', 'd: 012', 'e: 0o17', 'f: 0x1F', 'g: 0b101', 'h: 1_000', 'i: +12', 'j: 1e3', 'k: .5',
      'l: 5.', 'm: -.Inf', 'n: .NaN', 'o: ~', 'p: Null', 'q:', 'r: 2024-01-01', 's: True', 't: FALSE', 'u: "12"', 'v: 1.50',
      '"<<": merge-looking key', 'w: 12345678901234567890', 'x: -0',
    ].map((l) => `  ${l}`).join('\n')}\n`;
    const data = parseBoth(text).manifests[0].object.data;
    expect(data).toEqual(Object.fromEntries([
      ['a', 'yes'], ['b', 'on'], ['c', 'No'], ['d', 12], ['e', 15], ['f', 31], ['g', '0b101'], ['h', '1_000'], ['i', 12],
      ['j', 1000], ['k', 0.5], ['l', 5], ['m', -Infinity], ['n', NaN], ['o', null], ['p', null], ['q', null],
      ['r', '2024-01-01'], ['s', true], ['t', false], ['u', '12'], ['v', 1.5], ['<<', 'merge-looking key'],
      ['w', 12345678901234567890], ['x', -0],
    ]));
  });

  test('an object gets the line of its first key, after comments, blank lines and its ---; indented and flow documents too', () => {
    const text = `# c\n\n---\n\n# about a\n${CM('a')}---\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n---\n{apiVersion: v1, kind: Pod,\n metadata: {name: c}}\n`;
    expect(summary(parseBoth(text))).toEqual(['a@6', 'b@11', 'c@15']);
  });

  test('keys js-yaml would spell differently (null, collections) are read as the yaml package reads them', () => {
    parseBoth(`${CM('k')}data:\n  null: a\n  ~: b\n  [x, y]: c\n  {p: q}: d\n`);
    // One construct per document: any one of them sends its whole document to the yaml package.
    expect(parseBoth(`${CM('k')}data:\n  [x]: c\n`).manifests[0].object.data).toEqual({ '[ x ]': 'c' });
    expect(parseBoth(`${CM('k')}data:\n  ? - y\n  : d\n  ? - ""\n`).manifests[0].object.data).toEqual({ '[ y ]': 'd', '[ "" ]': null });
    expect(parseBoth(`${CM('k')}data: {[x]: c, {y: z}:d}\n`).manifests[0].object.data).toEqual({ '[ x ]': 'c', '{ y: z }': 'd' });
    parseBoth(`${CM('k')}data:\n  ${'k'.repeat(1100)}: long\n`);
  });

  test('anchors, aliases, tags, Lists, non-objects and empty documents go to the yaml package, at their true lines', () => {
    const text = [
      CM('a'), '---\n', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: &d {x: "1"}\nbinaryData: *d\n',
      '---\n', 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: c}\n',
      '---\n', '- not an object\n', '---\n', '---\n', 'apiVersion: v1\nkind: Secret\nmetadata: {name: d}\nstringData: !!str {x: y}\n',
      '---\n', CM('e'),
    ].join('');
    const r = parseBoth(text);
    // a: 1-4, b: 6-10 (an alias), List 12-17 (item c on 15), a list 19, an empty document 20, d: 21-25 (a tag), e: 27-30
    expect(summary(r)).toEqual(['a@1', 'b@6', 'c@15', 'd@22', 'e@27']);
    expect(r.manifests[1].object.binaryData).toEqual({ x: '1' });
    expect(r.problems.map((p) => [p.line, p.severity])).toEqual([[19, 'error'], [20, 'warning']]);
  });

  test('an alias bomb in one document is reported at its line; the other documents are still read', () => {
    const bomb = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'data:', '  a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) bomb.push(`  ${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const r = parseManifests(`${CM('a')}---\n${bomb.join('\n')}\n---\n${CM('b')}`, 'bomb.yaml');
    expect(summary(r)).toEqual(['a@1', `b@${bomb.length + 7}`]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: 'bomb.yaml', severity: 'error' });
    expect(r.problems[0].line).toBeGreaterThanOrEqual(6);
    expect(r.problems[0].line).toBeLessThanOrEqual(bomb.length + 5);
  });

  test('invalid YAML that js-yaml would accept or only warn about is still an error', () => {
    // A quoted scalar continued at column 0, a flow sequence closed at column 0, a comment glued to a quote.
    const bad = ['apiVersion: v1\nkind: "Config\nMap"\nmetadata: {name: a}\n', `${CM('a')}data: [a,\nb]\n`, `${CM('a')}data: 'x'#c\n`];
    for (const doc of bad) {
      const r = parseBoth(`${CM('ok')}---\n${doc}---\n${CM('after')}`);
      expect(summary(r)).toEqual(['ok@1', `after@${doc.split('\n').length + 6}`]);
      expect(r.problems).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/^invalid YAML: /) })]);
      expect(r.problems[0].line).toBeGreaterThanOrEqual(6);
    }
  });

  test('an error gets the line and column the yaml package gives, offset by the document start', () => {
    const r = parseBoth(`${CM('a')}---\n# comment\nmetadata:\n  name: [broken\n---\n${CM('b')}`);
    expect(r.problems).toEqual([expect.objectContaining({ line: 9, severity: 'error' })]);
    expect(parseBoth(`${CM('a')}---\n${CM('b')}kind: Secret\n`).problems).toEqual([expect.objectContaining({ line: 10, column: 1 })]);
  });

  test('plain Kubernetes objects never reach the yaml package; the others do, one document at a time', () => {
    const spy = yaml.parseAllDocuments as unknown as jest.Mock;
    spy.mockClear();
    expect(summary(parseManifests(`${CM('a')}---\n${CM('b')}---\n${CM('c')}`, 'f.yaml'))).toEqual(['a@1', 'b@6', 'c@11']);
    expect(spy).not.toHaveBeenCalled();
    expect(summary(parseManifests(`${CM('a')}---\n${CM('b')}data: &x {a: "1"}\n---\n${CM('c')}`, 'f.yaml'))).toEqual(['a@1', 'b@6', 'c@12']);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][0]).toBe(`---\n${CM('b')}data: &x {a: "1"}\n`);
  });
});

describe('property: the fast reader gives what the yaml package gives', () => {
  const tricky = fc.constantFrom(
    'yes', 'on', 'True', 'null', '~', '', '012', '0o17', '0x1F', '0b101', '1_000', '+12', '-0', '1e3', '.5', '5.', '.inf',
    '.NaN', '2024-01-01', '<<', '# x', 'a #b', 'a: b', '- x', '[x]', '{x}', '"q"', "'s'", 'multi\nline', 'trailing ',
    '  lead', 'tab\tin', '✓ 한글', '---', '...', 'x\n---\ny', '%YAML', '@at', '|', '>', '*star', '&amp', '!bang', 'k,c', '\n',
  );
  const str = fc.oneof(tricky, fc.string(), fc.string({ unit: 'grapheme', maxLength: 8 }));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, str, fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(str, tie('value'), { maxKeys: 3 })),
  }));
  const k8s = fc.record({ apiVersion: fc.constantFrom('v1', 'apps/v1'), kind: fc.constantFrom('ConfigMap', 'Deployment'), metadata: fc.record({ name: str }), data: value });
  /** Mostly Kubernetes objects, some Lists, objects with a shared (aliased) part, non-objects and empty documents. */
  const doc = fc.oneof(
    { weight: 6, arbitrary: k8s },
    { weight: 1, arbitrary: fc.array(k8s, { maxLength: 2 }).map((items) => ({ apiVersion: 'v1', kind: 'List', items })) },
    { weight: 1, arbitrary: k8s.map((o) => ({ ...o, spec: o.metadata, status: o.metadata })) }, // stringify writes &a1 / *a1
    { weight: 1, arbitrary: fc.oneof(value, fc.constant(null), fc.record({ metadata: value })) },
  );
  const options = fc.record({
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
    defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE'),
    collectionStyle: fc.constantFrom('any', 'block', 'flow'),
    indent: fc.integer({ min: 1, max: 4 }),
    indentSeq: fc.boolean(),
    lineWidth: fc.constantFrom(0, 20, 80),
  }) as fc.Arbitrary<yaml.ToStringOptions>;
  const separator = fc.constantFrom('---\n', '--- # c\n', '...\n---\n', '\n---\n# comment\n', '---\n\n', '...\n# c\n---\n');
  const stream = fc.tuple(fc.array(fc.tuple(doc, separator), { minLength: 1, maxLength: 4 }), options, fc.constantFrom('', '# head\n', '---\n', '%YAML 1.2\n---\n'), fc.boolean())
    .map(([docs, opts, lead, crlf]) => {
      const text = lead + docs.map(([d, sep], i) => (i ? sep : '') + yaml.stringify(d, opts)).join('');
      return crlf ? text.replace(/\n/g, '\r\n') : text;
    });

  test('valid streams: same objects, lines and problems', () => {
    fc.assert(fc.property(stream, (text) => {
      expect(parseManifests(text, 'p.yaml')).toEqual(parseManifestsWithYamlPackage(text, 'p.yaml'));
    }), params(300));
  });

  test('damaged streams: never throws, every problem has a line, and when neither reader sees a problem they agree', () => {
    const damage = fc.constantFrom(':', '-', '[', ']', '{', '}', '#', '&a ', '*a', '!', '|', '>', '"', "'", '\t', ' ', '%', '\n', '---\n', '\n...\n', '? ', ',');
    fc.assert(fc.property(stream, fc.nat(), damage, fc.nat(3), (text, at, junk, cut) => {
      const i = at % (text.length + 1);
      const damaged = text.slice(0, i) + junk + text.slice(i + cut);
      const fast = parseManifests(damaged, 'd.yaml');
      for (const p of fast.problems) {
        expect(p.file).toBe('d.yaml');
        if (p.message !== 'holds no YAML documents') expect(p.line).toBeGreaterThanOrEqual(1);
      }
      const reference = parseManifestsWithYamlPackage(damaged, 'd.yaml');
      if (fast.problems.length === 0 && reference.problems.length === 0) expect(fast).toEqual(reference);
    }), params(300));
  });
});
