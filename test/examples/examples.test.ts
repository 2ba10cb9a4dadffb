/**
 * The cdk8s examples (examples/<name>/app.ts): each synthesises, its output is valid against the upstream schemas
 * (CRDs + CEL + core), passes every validation rule, holds no `undefined`/`NaN`/empty values, and is guarded by a
 * reviewed whole-output snapshot. Determinism (snapshot-friendly output) is proved in determinism.test.ts.
 */
import { Testing } from 'cdk8s';
import { cdk8sExamples, cleanup, parseYaml, suspiciousValues, synthFiles, tmpdir } from './helpers';
import { Severity, formatFinding, validateManifests } from '../../src/validation';
import { expectValid } from '../conformance/schema';

const examples = cdk8sExamples();

test('the issue\'s examples are discovered as cdk8s apps', () => {
  expect(examples.map((e) => e.name)).toEqual(expect.arrayContaining(['llm-serving', 'multi-tenant']));
  for (const e of examples) expect(typeof e.build).toBe('function');
});

describe.each(examples.map((e) => [e.name, e] as const))('examples/%s', (_name, example) => {
  let dir: string;
  let files: Map<string, string>;
  let objects: any[];

  beforeAll(() => {
    dir = tmpdir();
    files = synthFiles(example.build(dir));
    objects = [...files.values()].flatMap(parseYaml);
  });
  afterAll(() => cleanup(dir));

  test('synthesises one .k8s.yaml per chart, with objects', () => {
    expect(files.size).toBeGreaterThan(0);
    for (const f of files.keys()) expect(f).toMatch(/\.k8s\.yaml$/);
    expect(objects.length).toBeGreaterThan(5);
  });

  test('every object is valid against its upstream schema (CRDs, CEL, core kinds)', () => {
    // Karpenter's NodeOverlay (karpenter.sh/v1alpha1, made by MigConfig/DevicePluginConfig.applyTo) is checked
    // against the CRD vendored in crds/ (Karpenter v1.14.1), which shared/reference/crds does not have.
    expectValid(objects);
  });

  test('the validation rules find nothing: no errors and no unsuppressed warnings', () => {
    const findings = validateManifests(objects.map((object) => ({ object })));
    expect(findings.filter((f) => f.severity === Severity.ERROR).map(formatFinding)).toEqual([]);
    expect(findings.map(formatFinding)).toEqual([]);
  });

  test('no undefined, null, NaN or empty strings in the YAML', () => {
    for (const text of files.values()) expect(text).not.toMatch(/\b(undefined|NaN)\b|:\s+null\s*$|\[object Object\]/m);
    expect(objects.flatMap((o) => suspiciousValues(o, `${o.kind}/${o.metadata?.name}`))).toEqual([]);
  });

  test('object names are unique per kind and namespace', () => {
    const ids = objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  test('every Namespace carries Pod Security Admission labels; below restricted only with a reason', () => {
    // (An example may emit no Namespace: examples/distributed-training uses one made elsewhere.)
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    for (const ns of namespaces) {
      const labels = ns.metadata.labels ?? {};
      const enforce = labels['pod-security.kubernetes.io/enforce'];
      expect([ns.metadata.name, ['privileged', 'baseline', 'restricted'].includes(enforce)]).toEqual([ns.metadata.name, true]);
      expect(labels['pod-security.kubernetes.io/warn']).toBeDefined();
      expect(labels['pod-security.kubernetes.io/audit']).toBeDefined();
      if (enforce !== 'restricted') expect(ns.metadata.annotations?.['cdk8s-gpu.io/pod-security-reason']?.length).toBeGreaterThan(20);
    }
  });

  test('every team namespace (label team) has default-deny ingress and only scoped allows', () => {
    for (const ns of objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.team)) {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns.metadata.name);
      const deny = policies.find((p) => p.spec.policyTypes?.includes('Ingress') && p.spec.ingress === undefined);
      expect([ns.metadata.name, deny?.spec.podSelector]).toEqual([ns.metadata.name, {}]);
      // Every allow names its sources: the namespace's own pods, or a namespace by name (never everything).
      for (const p of policies) {
        for (const rule of p.spec.ingress ?? []) {
          expect(rule.from?.length).toBeGreaterThan(0);
          for (const peer of rule.from) expect(peer.podSelector ?? peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']).toBeDefined();
        }
      }
    }
  });

  test('whole output matches the reviewed snapshot', () => {
    expect(Object.fromEntries(files)).toMatchSnapshot();
  });
});

describe('the README\'s snapshot test works as written', () => {
  test('Testing.synth of an example chart runs GpuValidation and snapshots', () => {
    // What a user writes (README): a chart, Testing.synth (which runs every validation), toMatchSnapshot.
    const example = examples.find((e) => e.name === 'llm-serving')!;
    const chart = example.build(tmpdir()).charts[0];
    const objs = Testing.synth(chart);
    expect(objs.length).toBeGreaterThan(5);
    expect(objs).toEqual(parseYaml(example.build(tmpdir()).synthYaml()));
  });
});
