import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeIOOptions, fakeIO, runCommand } from './fake-io';
import { LintReport, runLint } from '../../src/cli/lint';
import { main } from '../../src/cli/main';

const lint = (args: string[], opts: FakeIOOptions = {}) => runCommand(runLint, args, opts);

// A Deployment whose GPU request differs from its limit (GPU001, error) …
const BAD_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
  namespace: default
spec:
  selector: {matchLabels: {app: vllm}}
  template:
    metadata: {labels: {app: vllm}}
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai
          resources:
            requests: {nvidia.com/gpu: 1}
            limits: {nvidia.com/gpu: 2}
      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
`;
// … a tainted GPU NodePool without an nvidia.com/gpu limit (GPU005) whose EC2NodeClass is not in the same
// manifests (GPU106): warnings only …
const UNLIMITED_POOL = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: gpu
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
        - {key: node.kubernetes.io/instance-type, operator: In, values: [g5.xlarge]}
      taints:
        - {key: nvidia.com/gpu, effect: NoSchedule}
`;
// … and objects with nothing to say.
const CLEAN = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data: {a: b}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-lint-')); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });
function write(rel: string, content: string): string {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

describe('exit codes', () => {
  test('0 for clean input, and for warnings only', async () => {
    expect((await lint([write('clean.yaml', CLEAN)])).code).toBe(0);
    const warn = await lint([write('pool.yaml', UNLIMITED_POOL)]);
    expect(warn.out).toContain('GPU005');
    expect(warn.code).toBe(0);
  });

  test('1 when any finding is an error', async () => {
    const r = await lint([write('bad.yaml', BAD_DEPLOYMENT)]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('GPU001');
  });

  test('2 on a missing file or bad YAML, still printing the findings of the other inputs', async () => {
    const bad = write('bad.yaml', BAD_DEPLOYMENT);
    const missing = await lint([path.join(tmp, 'nope.yaml'), bad]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`${path.join(tmp, 'nope.yaml')}: error: cannot read: no such file or directory`);
    expect(missing.out).toContain('GPU001');

    const broken = write('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata: {a: [1, 2}\n');
    const r = await lint([broken, bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: error: invalid YAML: `, 'm'));
    expect(r.out).toContain('Deployment default/vllm');
    expect(r.out).toMatch(/1 error, 0 warnings in 1 object from 2 files; 1 input error/);
  });

  test('warning-level input problems (an empty document) do not change the exit code', async () => {
    const r = await lint([write('x.yaml', `${CLEAN}---\n---\n`)]);
    expect(r.code).toBe(0);
    expect(r.err.split('\n').map((l) => l.slice(tmp.length + 1))).toEqual([
      'x.yaml:12:1: warning: empty YAML document skipped', // between the two '---'
      'x.yaml:13:1: warning: empty YAML document skipped', // after the last '---'
      '',
    ]);
  });

  test('2 on usage errors: no input, unknown option, bad --format, unknown rule id in --disable', async () => {
    const f = write('clean.yaml', CLEAN);
    for (const args of [[], ['--bogus', f], ['--format', 'xml', f], ['--format'], ['--quiet=yes', f]]) {
      const r = await lint(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^cdk8s-gpu lint: /);
      expect(r.err).toContain('Usage: cdk8s-gpu lint');
    }
    const r = await lint(['--disable', 'GPU999', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/disabledRules names unknown rule "GPU999"/);
  });
});

describe('options', () => {
  test('--disable switches rules off (comma list, repeatable, = form, any case)', async () => {
    const bad = write('bad.yaml', BAD_DEPLOYMENT);
    const pool = write('pool.yaml', UNLIMITED_POOL);
    const r = await lint(['--disable', 'GPU001,gpu005', bad, pool]);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/GPU00[15]/);
    const r2 = await lint(['--disable=GPU001', '--disable', 'GPU005', bad, pool]);
    expect(r2.out).not.toMatch(/GPU00[15]/);
    expect((await lint(['--disable', 'GPU005', bad, pool])).code).toBe(1);
  });

  test('--quiet prints errors only', async () => {
    const r = await lint(['--quiet', write('bad.yaml', BAD_DEPLOYMENT), write('pool.yaml', UNLIMITED_POOL)]);
    expect(r.out).toContain('GPU001');
    expect(r.out).not.toContain('GPU005');
    expect(r.out).toContain('1 error, 0 warnings');
    const clean = await lint(['-q', write('pool2.yaml', UNLIMITED_POOL)]);
    expect(clean.out).toBe('');
    expect(clean.code).toBe(0);
  });

  test('--help and --version print and exit 0', async () => {
    const h = await lint(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('--disable');
    const v = await lint(['--version']);
    expect(v.code).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    expect(v.out).toBe(`${pkg.version}\n`);
  });

  test('"-" reads standard input; "--" ends the options', async () => {
    const r = await lint(['-'], { stdin: BAD_DEPLOYMENT });
    expect(r.code).toBe(1);
    expect(r.out).toContain('Deployment default/vllm  (<stdin>:1)');
    const dash = write('-odd.yaml', CLEAN);
    expect((await lint(['--', dash])).code).toBe(0);
  });
});

describe('text output', () => {
  test('findings grouped by object with file:line, then severity, rule, field, message and Fix, then a summary', async () => {
    const f = write('all.yaml', `${CLEAN}---\n${BAD_DEPLOYMENT}---\n${UNLIMITED_POOL}`);
    const r = await lint([f]);
    const lines = r.out.split('\n');
    const header = lines.indexOf(`Deployment default/vllm  (${f}:13)`);
    expect(header).toBeGreaterThanOrEqual(0);
    expect(lines[header + 1]).toMatch(/^ {2}error +GPU001 {2}spec\.template\.spec\.containers\[0\]\.resources\.requests\["nvidia\.com\/gpu"\]: .*requests 1 .*limits 2/);
    expect(lines[header + 2]).toMatch(/^ +Fix: \S/);
    expect(lines).toContain(`NodePool gpu  (${f}:31)`);
    expect(r.out).toMatch(/ {2}warning GPU005 {2}spec\.limits: /);
    expect(r.out).toMatch(/ {2}warning GPU106 {2}spec\.template\.spec\.nodeClassRef\.name: /);
    expect(lines[lines.length - 2]).toBe('1 error, 2 warnings in 4 objects from 1 file');
    expect(r.out).not.toContain('\u001b[');
  });

  test('colour only on a TTY without NO_COLOR', async () => {
    const f = write('bad.yaml', BAD_DEPLOYMENT);
    const tty = await lint([f], { isTTY: true });
    expect(tty.out).toContain('\u001b[31merror');
    expect((await lint([f], { isTTY: false })).out).not.toContain('\u001b[');
    expect((await lint([f], { isTTY: true, env: { NO_COLOR: '1' } })).out).not.toContain('\u001b[');
    expect((await lint([f, '--no-color'], { isTTY: true })).out).not.toContain('\u001b[');
    // NO_COLOR set but empty does not disable colour (https://no-color.org)
    expect((await lint([f], { isTTY: true, env: { NO_COLOR: '' } })).out).toContain('\u001b[');
  });
});

describe('JSON output', () => {
  test('{ findings, inputErrors, summary } with a stable shape and order', async () => {
    const good = write('a.yaml', `${BAD_DEPLOYMENT}---\n${UNLIMITED_POOL}`);
    const broken = write('b.yaml', 'kind: [\n');
    const r = await lint(['--format', 'json', good, broken]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('');
    const report: LintReport = JSON.parse(r.out);
    expect(Object.keys(report)).toEqual(['findings', 'inputErrors', 'summary']);
    expect(report.findings.map((f) => [f.ruleId, f.severity, f.object.kind, f.object.name, f.file, f.line])).toEqual([
      ['GPU001', 'error', 'Deployment', 'vllm', good, 1],
      ['GPU005', 'warning', 'NodePool', 'gpu', good, 19],
      ['GPU106', 'warning', 'NodePool', 'gpu', good, 19],
    ]);
    expect(Object.keys(report.findings[0])).toEqual(
      ['ruleId', 'severity', 'title', 'object', 'file', 'line', 'fieldPath', 'message', 'remediation']);
    expect(report.findings[0].object).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'vllm' });
    expect(report.findings[1].object).toEqual({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', name: 'gpu' });
    expect(report.inputErrors).toEqual([expect.objectContaining({ file: broken, line: 2, severity: 'error' })]);
    expect(report.summary).toEqual({
      errors: 1,
      warnings: 2,
      objects: 2,
      files: 2,
      inputErrors: 1,
      inputWarnings: 0,
      schemaGate: true,
      schemaChecked: 2,
      schemaFailed: 0,
      unknownKinds: {},
      exitCode: 2,
    });
    // Same input, same bytes.
    expect((await lint(['--format=json', good, broken])).out).toBe(r.out);
  });
});

describe('main', () => {
  async function run(args: string[]) {
    const f = fakeIO();
    const code = await main(args, f.io);
    return { code, out: f.out(), err: f.err() };
  }
  test('dispatches lint', async () => {
    expect((await run(['lint', write('bad.yaml', BAD_DEPLOYMENT)])).code).toBe(1);
  });
  test('dispatches plan (no input: usage error, exit 2)', async () => {
    const r = await run(['plan']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cdk8s-gpu plan: no input given');
  });
  test('unknown or missing command prints usage and exits 2; --help exits 0', async () => {
    for (const args of [['frobnicate'], []]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('Usage: cdk8s-gpu <command>');
    }
    expect((await run(['--help'])).code).toBe(0);
  });
  test('main.ts starts with a node shebang (the package bin)', () => {
    expect(fs.readFileSync(path.join(__dirname, '../../src/cli/main.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
});
