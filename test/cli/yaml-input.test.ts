import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { _lintValidation } from '../../src/cli/lint';
import {
  extractFencedYaml, madePlainJson, parseManifests, parseMarkdownManifests, parseText, readInputs, STDIN_NAME, walkDirectory,
} from '../../src/cli/yaml-input';
import { validateManifests } from '../../src/validation';

const DEPLOY = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n`;

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-cli-')); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

function write(rel: string, content: string | Buffer): string {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

const names = (r: { manifests: Array<{ object: any }> }) => r.manifests.map((m) => m.object.metadata?.name);
const lines = (r: { manifests: Array<{ source?: { line?: number } }> }) => r.manifests.map((m) => m.source?.line);

describe('parseManifests', () => {
  test('multi-document YAML keeps the 1-based line where each object starts', () => {
    const text = `# leading comment\n---\n${DEPLOY('a')}---\n\n# comment before b\n${DEPLOY('b')}---\n${DEPLOY('c')}`;
    const r = parseManifests(text, 'x.yaml');
    expect(names(r)).toEqual(['a', 'b', 'c']);
    // a: apiVersion on line 3; b: line 10 (after '---', a blank line and a comment); c: line 15
    expect(lines(r)).toEqual([3, 10, 15]);
    expect(r.manifests[0].source).toEqual({ file: 'x.yaml', line: 3 });
    expect(r.problems).toEqual([]);
  });

  test('kind: List is flattened and every item keeps its own line', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: Service',
      '    metadata: {name: s1}',
      '  - apiVersion: v1',
      '    kind: ConfigMapList',
      '    items:',
      '      - {apiVersion: v1, kind: ConfigMap, metadata: {name: cm1}}',
      '',
    ].join('\n');
    const r = parseManifests(text, 'list.yaml');
    expect(r.manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}@${m.source?.line}`))
      .toEqual(['Service/s1@4', 'ConfigMap/cm1@10']);
    expect(r.problems).toEqual([]);
  });

  test('bad YAML is an error with line and column; the good documents of the same file are still read', () => {
    const text = `${DEPLOY('ok')}---\nmetadata:\n  name: [broken\n---\n${DEPLOY('after')}`;
    const r = parseManifests(text, 'bad.yaml');
    expect(names(r)).toEqual(['ok', 'after']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: 'bad.yaml', severity: 'error' });
    expect(r.problems[0].line).toBeGreaterThanOrEqual(6);
    expect(r.problems[0].line).toBeLessThanOrEqual(8);
    expect(r.problems[0].column).toBeGreaterThanOrEqual(1);
    expect(r.problems[0].message).toMatch(/^invalid YAML: /);
    expect(r.problems[0].message).not.toMatch(/\n/);
  });

  test('duplicate keys are an error at the duplicate', () => {
    const r = parseManifests('apiVersion: v1\nkind: ConfigMap\nkind: Secret\n', 'dup.yaml');
    expect(r.manifests).toEqual([]);
    expect(r.problems).toEqual([expect.objectContaining({ line: 3, column: 1, severity: 'error' })]);
  });

  test('non-objects, empty documents and objects without kind/apiVersion are input problems, not crashes', () => {
    const text = ['- a list', '---', 'just a string', '---', '---', 'metadata: {name: x}', '---', 'kind: Pod', '---', '42', ''].join('\n');
    const r = parseManifests(text, 'odd.yaml');
    expect(r.manifests).toEqual([]);
    expect(r.problems.map((p) => [p.line, p.severity, p.message])).toEqual([
      [1, 'error', 'document is a list, not a Kubernetes object; skipped'],
      [3, 'error', 'document is a string ("just a string"), not a Kubernetes object; skipped'],
      [4, 'warning', 'empty YAML document skipped'], // the line of its '---'
      [6, 'error', 'object has no apiVersion or kind, not a Kubernetes object; skipped'],
      [8, 'error', 'object has no apiVersion, not a Kubernetes object; skipped'],
      [10, 'error', 'document is a number (42), not a Kubernetes object; skipped'],
    ]);
  });

  test('an empty or comment-only file is a warning', () => {
    expect(parseManifests('', 'e.yaml').problems).toEqual([{ file: 'e.yaml', severity: 'warning', message: 'holds no YAML documents' }]);
    expect(parseManifests('# nothing\n', 'e.yaml').problems).toHaveLength(1);
  });

  test('alias bombs and unresolved aliases are reported, not thrown', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    bomb.push('apiVersion: v1', 'kind: ConfigMap');
    const r = parseManifests(bomb.join('\n'), 'bomb.yaml');
    expect(r.manifests).toEqual([]);
    expect(r.problems[0]).toMatchObject({ severity: 'error', line: 1 });
    expect(parseManifests('x: *nope\n', 'u.yaml').problems[0].severity).toBe('error');
  });
});

describe('Markdown', () => {
  const md = [
    '# Title', //                  1
    '',
    '```yaml', //                  3
    'apiVersion: v1', //           4
    'kind: Service',
    'metadata: {name: one}',
    '```',
    '',
    '```bash', //                  9
    'kind: NotYaml',
    '```',
    '- item', //                   12
    '   ```yml title="x"', //      13  (indented fence: content loses 3 spaces)
    '   # comment', //             14
    '   apiVersion: v1', //        15
    '   kind: ConfigMap',
    '   metadata: {name: two}',
    '   ---',
    '   apiVersion: v1', //        19
    '   kind: ConfigMap',
    '   metadata: {name: three}',
    '   ```',
    '````markdown', //             23  (a yaml fence inside another fence is not a block)
    '```yaml',
    'apiVersion: v1',
    '````',
    '~~~ YAML', //                 27
    'values: {replicas: 2}', //    28  (not a Kubernetes object: a warning in Markdown)
    '~~~',
    '```yaml', //                  30
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: [oops}', //  33
    '```',
    '',
  ].join('\n');

  test('extractFencedYaml finds yaml/yml fences with the line of their first content line', () => {
    const blocks = extractFencedYaml(md);
    expect(blocks.map((b) => [b.line, b.indent])).toEqual([[4, 0], [14, 3], [28, 0], [31, 0]]);
    expect(blocks[1].text.split('\n')[1]).toBe('apiVersion: v1');
  });

  test('objects in fenced blocks carry their true line in the Markdown file', () => {
    const r = parseMarkdownManifests(md, 'README.md');
    expect(r.manifests.map((m) => `${m.object.metadata.name}@${m.source?.line}`)).toEqual(['one@4', 'two@15', 'three@19']);
    expect(r.problems.map((p) => [p.line, p.severity])).toEqual([[28, 'warning'], [33, 'error']]);
    expect(r.problems[1].column).toBeGreaterThan(1);
  });

  test('an unclosed fence runs to the end of the file and is flagged', () => {
    const r = parseMarkdownManifests('text\n```yaml\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n', 'a.md');
    expect(r.manifests.map((m) => m.source?.line)).toEqual([3]);
    expect(r.problems).toEqual([expect.objectContaining({ line: 2, severity: 'warning' })]);
  });

  test('parseText picks Markdown for .md/.markdown/.txt and YAML otherwise; a BOM is ignored', () => {
    const doc = '```yaml\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n```\n';
    for (const f of ['a.md', 'a.MARKDOWN', 'a.txt']) expect(parseText(doc, f).manifests).toHaveLength(1);
    expect(parseText(doc, 'a.yaml').manifests).toHaveLength(0);
    expect(parseText(`\ufeff${DEPLOY('bom')}`, 'b.yaml').manifests[0].source).toEqual({ file: 'b.yaml', line: 1 });
  });
});

describe('readInputs', () => {
  test('a directory is read recursively: *.yaml/*.yml only, sorted, node_modules and dot-dirs skipped', async () => {
    write('b.yaml', DEPLOY('b'));
    write('a.yml', DEPLOY('a'));
    write('sub/c.yaml', DEPLOY('c'));
    write('sub/deeper/d.YAML', DEPLOY('d'));
    write('notes.md', '```yaml\n' + DEPLOY('md') + '```\n');
    write('data.json', '{}');
    write('node_modules/pkg/e.yaml', DEPLOY('e'));
    write('.git/f.yaml', DEPLOY('f'));
    const r = await readInputs([tmp]);
    expect(names(r)).toEqual(['a', 'b', 'c', 'd']);
    expect(r.files.map((f) => path.relative(tmp, f))).toEqual(['a.yml', 'b.yaml', 'sub/c.yaml', 'sub/deeper/d.YAML']);
    expect(r.problems).toEqual([]);
  });

  test('a symlink loop does not hang the walk', () => {
    write('x/a.yaml', DEPLOY('a'));
    fs.symlinkSync(path.join(tmp, 'x'), path.join(tmp, 'x', 'loop'));
    expect(walkDirectory(tmp).files.map((f) => path.relative(tmp, f))).toEqual(['x/a.yaml']);
  });

  test('bad YAML in one file is reported with file and line; the other files are still read', async () => {
    const bad = write('1-bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "unterminated\n');
    write('2-good.yaml', DEPLOY('good'));
    const r = await readInputs([tmp]);
    expect(names(r)).toEqual(['good']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: bad, severity: 'error' });
    expect(r.problems[0].line).toBeGreaterThanOrEqual(4);
    expect(r.files).toHaveLength(2);
  });

  test('a missing file is an error and the next input is still read', async () => {
    const good = write('good.yaml', DEPLOY('good'));
    const r = await readInputs([path.join(tmp, 'missing.yaml'), good]);
    expect(names(r)).toEqual(['good']);
    expect(r.problems).toEqual([{ file: path.join(tmp, 'missing.yaml'), severity: 'error', message: 'cannot read: no such file or directory' }]);
  });

  test('a file named explicitly is read whatever its extension, and only once', async () => {
    const f = write('manifest.k8s', DEPLOY('x'));
    const r = await readInputs([f, f, tmp]);
    expect(names(r)).toEqual(['x']);
  });

  test('stdin ("-") as a string or a stream', async () => {
    const s = await readInputs(['-'], { stdin: DEPLOY('from-string') });
    expect(s.manifests[0].source).toEqual({ file: STDIN_NAME, line: 1 });
    const r = await readInputs(['-'], { stdin: Readable.from([Buffer.from(DEPLOY('from-').slice(0, 20)), Buffer.from(DEPLOY('from-stream').slice(20))]) });
    expect(names(r)).toEqual(['from-stream']);
    const none = await readInputs(['-']);
    expect(none.problems[0]).toMatchObject({ file: STDIN_NAME, severity: 'error' });
  });

  test('binary input (NUL bytes) and oversized input are reported, not parsed', async () => {
    const bin = write('bin.yaml', Buffer.from([0x61, 0x3a, 0x0a, 0x00, 0xff, 0xfe]));
    const big = write('big.yaml', DEPLOY('big') + '#'.repeat(2000));
    const r = await readInputs([bin, big], { maxBytes: 1000 });
    expect(r.manifests).toEqual([]);
    expect(r.problems.map((p) => [p.file, p.line, p.severity, p.message])).toEqual([
      [bin, 2, 'error', 'holds binary data (a NUL byte), not YAML text; skipped'],
      [big, undefined, 'error', expect.stringMatching(/over the 1000-byte limit/)],
    ]);
    const s = await readInputs(['-'], { stdin: Readable.from([Buffer.alloc(600, 0x20), Buffer.alloc(600, 0x20)]), maxBytes: 1000 });
    // A stream is read no further than the limit (it may be endless), so its size is not known.
    expect(s.problems[0].message).toBe('holds more than the 1000-byte limit; read stopped, skipped');
  });

  test('an empty directory is a warning', async () => {
    const r = await readInputs([tmp]);
    expect(r.problems).toEqual([expect.objectContaining({ file: tmp, severity: 'warning' })]);
  });
});

describe('madePlainJson: the reader vouches for plain JSON data, and lint judges the same with it', () => {
  const doc = (extra: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n${extra}`;

  test('a plain document is vouched for; one with a non-finite number, -0 or a __proto__ key is not', () => {
    expect(madePlainJson(parseManifests(doc(''), 'x.yaml').manifests[0].object)).toBe(true);
    expect(madePlainJson(parseManifests(doc('  minReadySeconds: 0.5\n  paused: false\n'), 'x.yaml').manifests[0].object)).toBe(true);
    for (const odd of ['  minReadySeconds: .inf\n', '  minReadySeconds: -.inf\n', '  minReadySeconds: .nan\n',
      '  minReadySeconds: -0\n', '  minReadySeconds: -0.0\n', '  selector:\n    matchLabels:\n      __proto__: x\n']) {
      const [m] = parseManifests(doc(odd), 'x.yaml').manifests;
      expect(m).toBeDefined();
      expect([odd, madePlainJson(m.object)]).toEqual([odd, false]);
    }
  });

  test('a document the yaml package reads (an anchor, a List) is not vouched for; neither is an object made elsewhere', () => {
    const anchored = parseManifests(doc('  template: &t\n    metadata: {}\n'), 'x.yaml').manifests[0];
    expect(madePlainJson(anchored.object)).toBe(false);
    const list = parseManifests(`apiVersion: v1\nkind: List\nitems:\n- ${DEPLOY('a').split('\n').join('\n  ')}`, 'x.yaml');
    expect(list.manifests).toHaveLength(1);
    expect(madePlainJson(list.manifests[0].object)).toBe(false);
    expect(madePlainJson({ apiVersion: 'v1', kind: 'ConfigMap' })).toBe(false);
  });

  test('lint with the vouching gives the findings of the walk, for plain and non-plain numbers alike', () => {
    const text = [doc('  minReadySeconds: .inf\n'), doc('  minReadySeconds: -0\n'), doc('  minReadySeconds: 5\n'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n  __proto__: x\n'].join('---\n');
    const read = parseManifests(text, 'x.yaml');
    expect(read.manifests.map((m) => madePlainJson(m.object))).toEqual([false, false, true, false]);
    const vouched = _lintValidation(read.manifests, {}).findings;
    expect(vouched).toEqual(validateManifests(read.manifests));
    expect(vouched.filter((f) => f.ruleId === 'GPU009').map((f) => f.fieldPath)).toContain('spec.minReadySeconds');
  });
});
