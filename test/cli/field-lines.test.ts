/**
 * GPU009 findings point at the violating field's line (issue 14): file, line and field path, whichever way the reader
 * parsed the document (the js-yaml fast path, the `yaml` package for Lists and anchors, Markdown blocks); a missing
 * field keeps the object's line.
 */
import { runCommand } from './fake-io';
import { LintReport, runLint } from '../../src/cli/lint';
import { parseManifests, parseMarkdownManifests } from '../../src/cli/yaml-input';
import { fieldLine, pathSegments } from '../../src/schema/field-lines';

const json = async (stdin: string) => JSON.parse((await runCommand(runLint, ['--format', 'json', '-'], { stdin })).out) as LintReport;
const gpu009 = (r: LintReport) => r.findings.filter((f) => f.ruleId === 'GPU009').map((f) => `${f.object.name}@${f.objectLine ?? '-'}:${f.line} ${f.fieldPath}`);

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: "3"
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: c
          image: i
          resource:
            limits: {nvidia.com/gpu: 1}
`;

describe('GPU009 carries the line of the violating field', () => {
  test('fast path: each field its own line, the object line as objectLine; text output names the field line', async () => {
    const stdin = `# a comment\n${DEPLOYMENT}`;
    expect(gpu009(await json(stdin)).sort()).toEqual(['web@2:14 spec.template.spec.containers[0].resource', 'web@2:6 spec.replicas']);
    const text = (await runCommand(runLint, ['-'], { stdin })).out;
    expect(text).toContain('Deployment default/web  (<stdin>:2)');
    expect(text).toMatch(/GPU009 {2}spec\.replicas \(line 6\): Invalid value: "3": must be of type integer/);
    expect(text).toMatch(/GPU009 {2}spec\.template\.spec\.containers\[0\]\.resource \(line 14\): unknown field "resource"/);
  });

  test('a missing required field keeps the object\'s line', async () => {
    const r = await json('apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\nspec:\n  ports: [{name: http}]\n');
    expect(gpu009(r)).toEqual(['s@-:1 spec.ports[0].port']);
  });

  test('items of a List and documents with anchors (read by the `yaml` package) and later documents of a stream', async () => {
    const list = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
    data:
      ok: "1"
      bad: 2
`;
    const anchored = `apiVersion: v1
kind: ConfigMap
metadata: {name: b, labels: &l {app: b}}
data: {x: &v "1", n: 3}
`;
    const r = await json(`${list}---\n${anchored}---\n${DEPLOYMENT}`);
    expect(gpu009(r).sort()).toEqual(['a@4:9 data.bad', 'b@11:14 data.n', 'web@16:20 spec.replicas', 'web@16:28 spec.template.spec.containers[0].resource']);
  });

  test('Markdown blocks: lines of the Markdown file', () => {
    const md = `# Runbook\n\nSome text.\n\n\`\`\`yaml\n${DEPLOYMENT}\`\`\`\n`;
    const m = parseMarkdownManifests(md, 'runbook.md').manifests[0];
    expect(m.source?.line).toBe(6);
    expect(fieldLine(m.source, 'spec.replicas')).toBe(10);
    expect(fieldLine(m.source, 'spec.template.spec.containers[0].resource')).toBe(18);
  });

  test('keys that need quoting, list indexes, and paths the source does not hold', () => {
    const m = parseManifests(`apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec:
  hard:
    requests.nvidia.com/gpu: "4"
    "0": x
`, 'q.yaml').manifests[0];
    expect(pathSegments('spec.hard["requests.nvidia.com/gpu"]')).toEqual(['spec', 'hard', 'requests.nvidia.com/gpu']);
    expect(fieldLine(m.source, 'spec.hard["requests.nvidia.com/gpu"]')).toBe(6);
    expect(fieldLine(m.source, 'spec.hard[0]')).toBe(7); // a map key "0" is printed as an index
    // a map key as the API server writes it, unquoted (the gate's quota and LimitRange checks)
    expect(pathSegments('spec.hard[requests.nvidia.com/gpu]')).toEqual(['spec', 'hard', 'requests.nvidia.com/gpu']);
    expect(fieldLine(m.source, 'spec.hard[requests.nvidia.com/gpu]')).toBe(6);
    expect(pathSegments('spec.hard[]')).toBeUndefined();
    expect(pathSegments('spec.hard[requests')).toBeUndefined();
    expect(fieldLine(m.source, 'spec.scopes')).toBeUndefined();
    expect(fieldLine(m.source, '<root>')).toBeUndefined();
    expect(fieldLine(m.source, 'apiVersion/kind')).toBeUndefined();
    expect(fieldLine({ file: 'x.yaml', line: 1 }, 'kind')).toBeUndefined(); // not read by the YAML reader
  });
});
