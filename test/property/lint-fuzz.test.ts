/**
 * Fuzzing `cdk8s-gpu lint` across several FILES at once (test/cli/fuzz.test.ts covers single stdin inputs): for any
 * mix of good files, malformed YAML, binary files, unknown kinds, empty files and huge documents, runLint never
 * throws and never reports an internal error, names the file (and line, for YAML errors) of every bad input, and
 * still checks every other file — the findings of the good files are the same as when they are linted alone.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { RUNS, params } from './arbitraries';
import { LintReport, runLint } from '../../src/cli/lint';
import { cleanup, tmpdir } from '../examples/helpers';

async function lint(args: string[]): Promise<{ code: number; report: LintReport; err: string }> {
  let out = '';
  let err = '';
  const code = await runLint(['--format', 'json', ...args], {
    stdout: { write: (s: string) => { out += s; return true; } },
    stderr: { write: (s: string) => { err += s; return true; } },
    env: {},
  });
  return { code, report: JSON.parse(out), err };
}

/** A Deployment requesting a GPU without tolerating any taint next to a tainted pool: one GPU002 error. */
function goodFile(i: number): string {
  return `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: pool-${i}
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
        - {key: node.kubernetes.io/instance-type, operator: In, values: [g5.xlarge, g5.2xlarge]}
      taints:
        - {key: nvidia.com/gpu, value: "true", effect: NoSchedule}
  limits:
    nvidia.com/gpu: 8
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: model-${i}, namespace: ns-${i}}
spec:
  selector: {matchLabels: {app: m${i}}}
  template:
    metadata: {labels: {app: m${i}}}
    spec:
      containers:
        - name: server
          image: example.com/server:1.0
          resources:
            limits: {nvidia.com/gpu: "1"}
`;
}

type Kind = 'good' | 'malformed' | 'binary' | 'unknown' | 'empty' | 'huge' | 'scalar';

interface FileSpec { readonly kind: Kind; readonly content: Buffer }

const malformed = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(
  'key: [unclosed', '\t- tab: indent', 'a: b: c', '{{{', '"unterminated', '- ]', 'x: &a\ny: *nope', ': : :', '? [\n',
)).map(([at, junk]) => {
  const text = goodFile(99);
  const cut = Math.min(at, text.length);
  // Splice junk in at a line start so the YAML error is after the first object.
  const lineStart = text.lastIndexOf('\n', cut) + 1;
  return Buffer.from(`${text.slice(0, lineStart)}${junk}\n${text.slice(lineStart)}`);
});

const fileSpec: fc.Arbitrary<FileSpec> = fc.oneof(
  fc.nat(1000).map((i) => ({ kind: 'good' as Kind, content: Buffer.from(goodFile(i)) })),
  malformed.map((content) => ({ kind: 'malformed' as Kind, content })),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => ({ kind: 'binary' as Kind, content: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00]), Buffer.from(b)]) })),
  fc.tuple(fc.constantFrom('Widget', 'FooBar', 'Deployment'), fc.constantFrom('example.com/v1', 'v9', 'apps/v0')).map(([k, v]) => ({
    kind: 'unknown' as Kind, content: Buffer.from(`apiVersion: ${v}\nkind: ${k}\nmetadata: {name: w}\nspec: {gpus: 3}\n`),
  })),
  fc.constantFrom('', '\n', '---\n', '# only a comment\n', 'null\n').map((t) => ({ kind: 'empty' as Kind, content: Buffer.from(t) })),
  fc.constantFrom('just a string\n', '42\n', '- a\n- b\n', 'true\n').map((t) => ({ kind: 'scalar' as Kind, content: Buffer.from(t) })),
);

describe('lint over many files', () => {
  let dir: string;
  beforeAll(() => { dir = tmpdir('cdk8s-gpu-lint-fuzz-'); });
  afterAll(() => cleanup(dir));

  test('random mixes of good and bad files: no crash, every bad file named, every good file still checked', async () => {
    let round = 0;
    await fc.assert(fc.asyncProperty(fc.array(fileSpec, { minLength: 1, maxLength: 6 }), async (specs) => {
      const sub = path.join(dir, `r${round++}`);
      fs.mkdirSync(sub);
      const files = specs.map((s, i) => {
        const f = path.join(sub, `f${i}-${s.kind}.yaml`);
        fs.writeFileSync(f, s.content);
        return f;
      });
      const { code, report, err } = await lint(files);
      expect(err).not.toMatch(/internal error/);
      expect([0, 1, 2]).toContain(code);
      expect(report.summary.exitCode).toBe(code);
      specs.forEach((s, i) => {
        const problems = report.inputErrors.filter((p) => p.file === files[i]);
        const findings = report.findings.filter((f) => f.file === files[i]);
        if (s.kind === 'malformed') {
          expect(problems.filter((p) => p.severity === 'error').length).toBeGreaterThan(0);
          for (const p of problems) expect(p.line).toBeGreaterThanOrEqual(1);
        }
        if (s.kind === 'binary' || s.kind === 'scalar') {
          // Binary data and documents that are not objects are input errors of that file, located.
          expect(problems.some((p) => p.severity === 'error')).toBe(true);
          for (const p of problems) expect(p.line ?? 1).toBeGreaterThanOrEqual(1);
        }
        if (s.kind === 'good') {
          expect(problems).toEqual([]);
          expect(findings.some((f) => f.ruleId === 'GPU002' && f.severity === 'error' && typeof f.line === 'number')).toBe(true);
        }
      });
      if (specs.some((s) => s.kind === 'malformed' || s.kind === 'binary' || s.kind === 'scalar')) expect(code).toBe(2);
      else if (specs.some((s) => s.kind === 'good')) expect(code).toBe(1);
    }), params(Math.round(RUNS / 3)));
  });

  test('bad files that hold no objects, between good ones, change none of the good files\' findings', async () => {
    const a = path.join(dir, 'a.yaml');
    const bad = path.join(dir, 'b-bad.yaml');
    const bin = path.join(dir, 'c-binary.yaml');
    const c = path.join(dir, 'd.yaml');
    fs.writeFileSync(a, goodFile(1));
    // (Objects of a partly good file are linted together with the others, so they may change cross-object findings.)
    fs.writeFileSync(bad, '# nothing but an error\n\nkey: [unclosed\n  - also: {broken\n');
    fs.writeFileSync(bin, Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 10, 13]));
    fs.writeFileSync(c, goodFile(3));
    const alone = await lint([a, c]);
    const mixed = await lint([a, bad, bin, c]);
    expect(mixed.code).toBe(2);
    const strip = (r: LintReport, f: string) => r.findings.filter((x) => x.file === f);
    expect(strip(mixed.report, a)).toEqual(strip(alone.report, a));
    expect(strip(mixed.report, c)).toEqual(strip(alone.report, c));
    const badProblem = mixed.report.inputErrors.find((p) => p.file === bad)!;
    expect(badProblem.line).toBeGreaterThanOrEqual(3); // located at the error, not at the top of the file
    expect(mixed.report.inputErrors.some((p) => p.file === bin)).toBe(true);
  });

  // 5,000 keys, not more: YAML parsing of one map is quadratic in its keys (20,000 keys take ~3 s; reported).
  test('huge documents: a 2 MiB string value and a 5,000-key map are linted without crashing', async () => {
    const big = path.join(dir, 'huge.yaml');
    const items = Array.from({ length: 5_000 }, (_, i) => `    k${i}: v${i}`).join('\n');
    fs.writeFileSync(big, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: "${'x'.repeat(2 * 1024 * 1024)}"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: many}\ndata:\n${items.replace(/^ {4}/gm, '  ')}\n---\n${goodFile(7)}`);
    const t0 = Date.now();
    const { code, report } = await lint([big]);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(4);
    expect(report.findings.some((f) => f.ruleId === 'GPU002')).toBe(true);
  });

  test('many documents in one file (5,000 unknown kinds) are all read', async () => {
    const f = path.join(dir, 'many.yaml');
    fs.writeFileSync(f, Array.from({ length: 5000 }, (_, i) => `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w${i}}\n`).join('---\n'));
    const { code, report } = await lint([f]);
    expect(code).toBe(0);
    expect(report.summary.objects).toBe(5000);
  });
});
