/**
 * Inputs that used to crash or hang the reader (issue 14): endless sources, many documents, merge keys, deep nesting,
 * symbolic links out of the tree; and control characters from the input in text output.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { runCommand } from './fake-io';
import { LintReport, runLint } from '../../src/cli/lint';
import { runPlan } from '../../src/cli/plan';
import { MAX_LISTED_EMPTY_DOCUMENTS, MAX_NESTING_DEPTH, readInputs } from '../../src/cli/yaml-input';

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-bounded-')); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

const MiB = 1024 * 1024;

describe('the size limit holds for every kind of source', () => {
  test('/dev/zero: stops one byte past the limit and reports it', async () => {
    const r = await readInputs(['/dev/zero'], { maxBytes: MiB });
    expect(r.manifests).toEqual([]);
    expect(r.problems).toEqual([{ file: '/dev/zero', severity: 'error', message: `holds more than the ${MiB}-byte limit; read stopped, skipped` }]);
  });

  test('a FIFO fed forever (`yes > fifo`)', async () => {
    const fifo = path.join(tmp, 'fifo.yaml');
    const mk = spawn('mkfifo', [fifo]);
    await new Promise((resolve) => mk.on('exit', resolve));
    const writer = spawn('sh', ['-c', `yes > '${fifo}'`], { stdio: 'ignore' });
    try {
      const r = await readInputs([fifo], { maxBytes: MiB });
      expect(r.problems.map((p) => p.message)).toEqual([`holds more than the ${MiB}-byte limit; read stopped, skipped`]);
    } finally {
      writer.kill();
    }
  });

  test('an endless standard input (`yes | cdk8s-gpu lint -`) is read no further than the limit', async () => {
    let pulled = 0;
    const endless = new Readable({ read() { pulled += 64 * 1024; this.push(Buffer.alloc(64 * 1024, 'y\n')); } });
    const r = await readInputs(['-'], { stdin: endless, maxBytes: MiB });
    expect(r.problems).toEqual([{ file: '<stdin>', severity: 'error', message: `holds more than the ${MiB}-byte limit; read stopped, skipped` }]);
    expect(pulled).toBeLessThan(4 * MiB);
    const lint = await runCommand(runLint, ['--format', 'json', '-'], { stdin: 'x'.repeat(10) });
    expect(() => JSON.parse(lint.out)).not.toThrow();
  });
});

describe('any number of documents', () => {
  test('30,000 objects and 130,000 empty documents: read in full, no stack overflow, empty documents counted past a limit', async () => {
    const objects = Array.from({ length: 30000 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join('---\n');
    const r = await readInputs(['-'], { stdin: `${objects}${'---\n'.repeat(130000)}` });
    expect(r.manifests).toHaveLength(30000);
    expect(r.problems).toHaveLength(MAX_LISTED_EMPTY_DOCUMENTS + 1);
    expect(r.problems[MAX_LISTED_EMPTY_DOCUMENTS].message).toBe(`${130000 - MAX_LISTED_EMPTY_DOCUMENTS} more empty YAML documents skipped (130000 in all)`);
  });
});

describe('YAML as kubectl reads it', () => {
  test('merge keys (`<<`) are applied, through an alias or inline: a GPU limit written with them is seen', async () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: base, namespace: default}
data: &gpu {a: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: w, namespace: default}
spec:
  selector: {matchLabels: {app: w}}
  template:
    metadata: {labels: {app: w}}
    spec:
      containers:
        - name: c
          image: i
          resources:
            limits:
              <<: {nvidia.com/gpu: 2}
          env:
            - <<: {name: A}
              value: "1"
`;
    const r = await readInputs(['-'], { stdin: yaml });
    expect(r.problems).toEqual([]);
    const c = r.manifests[1].object.spec.template.spec.containers[0];
    expect(c.resources.limits).toEqual({ 'nvidia.com/gpu': 2 });
    expect(c.env).toEqual([{ name: 'A', value: '1' }]);
    // No toleration for a GPU pod: GPU002 can only fire because the merged limit is seen.
    const lint = await runCommand(runLint, ['--format', 'json', '-'], {
      stdin: `${yaml}---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: gpu}
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: d}
      requirements: [{key: karpenter.k8s.aws/instance-family, operator: In, values: [g6]}]
      taints: [{key: nvidia.com/gpu, effect: NoSchedule}]
  limits: {nvidia.com/gpu: 8}
`,
    });
    expect((JSON.parse(lint.out) as LintReport).findings.map((f) => f.ruleId)).toContain('GPU002');
  });

  test(`nesting deeper than ${MAX_NESTING_DEPTH} levels is refused with a plain message, the other documents still read`, async () => {
    const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: {a: ${'['.repeat(5000)}${']'.repeat(5000)}}\n`;
    const fine = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n';
    const r = await readInputs(['-'], { stdin: `${deep}---\n${fine}` });
    expect(r.manifests.map((m) => m.object.metadata.name)).toEqual(['fine']);
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(new RegExp(`nested more than ${MAX_NESTING_DEPTH} levels deep; skipped`)) })]);
  });
});

describe('directory walks stay inside the tree', () => {
  test('a symbolic link out of the tree is reported and skipped; a link back into it (a cycle) is read once', async () => {
    const outside = path.join(tmp, 'outside');
    const tree = path.join(tmp, 'tree');
    fs.mkdirSync(outside);
    fs.mkdirSync(path.join(tree, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'secret.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n');
    fs.writeFileSync(path.join(tree, 'sub', 'in.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside}\n');
    fs.symlinkSync(outside, path.join(tree, 'escape'));
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(tree, 'link.yaml'));
    fs.symlinkSync(tree, path.join(tree, 'sub', 'loop'));
    const r = await readInputs([tree]);
    expect(r.manifests.map((m) => m.object.metadata.name)).toEqual(['inside']);
    expect(r.problems.map((p) => `${path.relative(tree, p.file)} ${p.severity}`)).toEqual(['escape warning', 'link.yaml warning']);
    expect(r.problems[0].message).toBe(`is a symbolic link to ${fs.realpathSync(outside)}, outside ${tree}; skipped`);
  });
});

describe('safe output', () => {
  const NAME_WITH_ESCAPES = 'evil\u001b[2J\r\n0 errors, 0 warnings\u0007\u009b';

  test('control characters from the input are escaped in text output (lint and plan)', async () => {
    const file = path.join(tmp, 'a\u001b[31mb\nc.yaml');
    fs.writeFileSync(file, `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${JSON.stringify(NAME_WITH_ESCAPES)}, namespace: default}
spec:
  selector: {matchLabels: {app: w}}
  template:
    metadata: {labels: {app: w}}
    spec:
      containers: [{name: c, image: i, resources: {limits: {nvidia.com/gpu: 1}}}]
`);
    for (const args of [[file], ['--no-schema', file]]) {
      const lint = await runCommand(runLint, args);
      expect(lint.code).toBe(1);
      // eslint-disable-next-line no-control-regex
      expect(lint.out + lint.err).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      expect(lint.out).toContain('evil\\e[2J\\r\\n0 errors, 0 warnings\\x07\\x9b');
      expect(lint.out).toContain('a\\e[31mb\\nc.yaml');
      expect(lint.out.split('\n').filter((l) => /^0 errors/.test(l))).toEqual([]);
    }
    const plan = await runCommand(runPlan, ['--no-schema', file]);
    // eslint-disable-next-line no-control-regex
    expect(plan.out + plan.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  test('--format json is valid JSON for wrong types anywhere, with exit 1', async () => {
    const file = path.join(tmp, 'w.yaml');
    fs.writeFileSync(file, `apiVersion: apps/v1
kind: Deployment
metadata: {name: w, namespace: default}
spec:
  replicas: "3"
  selector: {matchLabels: {app: w}}
  template:
    metadata: {labels: {app: w}}
    spec:
      tolerations: nvidia.com/gpu
      containers: {c: {name: c}}
`);
    const r = await runCommand(runLint, ['--format', 'json', file]);
    expect(r.code).toBe(1);
    const report: LintReport = JSON.parse(r.out);
    expect(report.findings.map((f) => `${f.ruleId} ${f.fieldPath}`).sort()).toEqual([
      'GPU009 spec.replicas', 'GPU009 spec.template.spec.containers', 'GPU009 spec.template.spec.tolerations',
    ]);
    expect(report.summary).toMatchObject({ errors: 3, schemaGate: true, schemaChecked: 1, schemaFailed: 1 });
  });
});
