/**
 * The speed-ups of the lint path that add structure: rules judged once per placement signature (GPU203, GPU205,
 * GPU405), per-template facts memoised in the run's index, a pod spec path read without building the template, and
 * quantities parsed once per string. Each test compares with the plain computation, so a memo keyed too coarsely (two
 * templates that must be told apart sharing an answer) fails here.
 */
import * as path from 'path';
import { GPU_TOLERATION, loadYaml, nodePool, RULE_FIXTURES, ruleFixtureObjects, workload } from './helpers';
import { placementSignature } from '../../src/scheduling/placement';
import { podCpuMemoryRequests, podGpuDemand, tryParseQuantity } from '../../src/scheduling/resources';
import { podSpecPathOf, podTemplateOf } from '../../src/scheduling/workloads';
import { ManifestIndex } from '../../src/validation/context';
import { _runValidation } from '../../src/validation/engine';
import { suppressionsOf } from '../../src/validation/suppression';


const byRule = <F extends { ruleId: string }>(findings: F[], id: string): F[] => findings.filter((f) => f.ruleId === id);

describe('rules judged once per placement signature', () => {
  test('GPU203: two templates with one placement signature but different pool pins are judged apart', () => {
    // The signature reads required node affinity also when it is written without `nodeAffinity` (as the scheduling
    // model's affinity reader does); the pin to a pool by name is read from `nodeAffinity` only. So these two share a
    // signature, yet only the first is pinned (judged on pool `small` alone); the second is judged on every pool
    // offering its GPUs, and its message names both.
    const small = nodePool({ name: 'small', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge'] }] });
    const large = nodePool({ name: 'large', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.12xlarge'] }] });
    const required = { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['small'] }] }] };
    const pinned = workload({ name: 'pinned', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 2 } });
    pinned.spec.template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } };
    const unpinned = workload({ name: 'unpinned', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 2 } });
    unpinned.spec.template.spec.affinity = { requiredDuringSchedulingIgnoredDuringExecution: required };
    const manifests = [small, large, pinned, unpinned].map((object) => ({ object }));

    const index = new ManifestIndex(manifests);
    const [w1, w2] = index.workloads();
    expect(index.placementSignature(w1.template)).toBe(index.placementSignature(w2.template));

    for (const order of [manifests, [manifests[0], manifests[1], manifests[3], manifests[2]]]) {
      const run = _runValidation(order, { schemaGate: false });
      const gpu203 = new Map(byRule(run.findings, 'GPU203').map((f) => [f.object.name, f.message]));
      expect([...gpu203.keys()].sort()).toEqual(['pinned', 'unpinned']);
      expect(gpu203.get('pinned')).toContain('NodePool small');
      expect(gpu203.get('pinned')).not.toContain('NodePool large');
      expect(gpu203.get('unpinned')).toContain('NodePool large');
      expect(run.findings).toEqual(_runValidation(order, { schemaGate: false }, { memoise: false }).findings);
    }
  });

  test('GPU405 and GPU203: workloads of one signature and different kinds each get the finding at their own pod spec path', () => {
    const fixture = loadYaml(path.join(RULE_FIXTURES, 'GPU405', 'fail.yaml'));
    const deployment = fixture.find((m) => m.object.kind === 'Deployment')!.object;
    const podSpec = deployment.spec.template.spec;
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'research' },
      spec: { schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: { ...structuredClone(podSpec), restartPolicy: 'Never' } } } } },
    };
    // Same pod, less cpu: a signature of its own and another GPU405 message.
    const smaller = structuredClone(deployment);
    smaller.metadata.name = 'smaller';
    for (const c of smaller.spec.template.spec.containers) c.resources.limits.cpu = c.resources.requests.cpu = '1';
    // Eight GPUs on a pool of g5.xlarge nodes (4 time-sliced GPUs each): GPU203 on both kinds.
    const tooBig = structuredClone(deployment);
    tooBig.metadata.name = 'too-big';
    for (const c of tooBig.spec.template.spec.containers) c.resources.limits['nvidia.com/gpu'] = c.resources.requests['nvidia.com/gpu'] = 8;
    const tooBigJob = structuredClone(cronJob);
    tooBigJob.metadata.name = 'too-big-nightly';
    tooBigJob.spec.jobTemplate.spec.template.spec = { ...structuredClone(tooBig.spec.template.spec), restartPolicy: 'Never' };

    const manifests = [...fixture, ...[cronJob, smaller, tooBig, tooBigJob].map((object) => ({ object }))];
    const run = _runValidation(manifests, { schemaGate: false });
    expect(run.findings).toEqual(_runValidation(manifests, { schemaGate: false }, { memoise: false }).findings);

    const gpu405 = byRule(run.findings, 'GPU405');
    expect(gpu405.map((f) => [f.object.name, f.fieldPath])).toEqual([
      ['notebook', 'spec.template.spec.containers'],
      ['nightly', 'spec.jobTemplate.spec.template.spec.containers'],
      ['smaller', 'spec.template.spec.containers'],
    ]);
    expect(gpu405[1].message).toBe(gpu405[0].message);
    expect(gpu405[2].message).not.toBe(gpu405[0].message);
    expect(gpu405[2].message).toContain('requests 1 cpu and 12Gi');

    const gpu203 = byRule(run.findings, 'GPU203');
    expect(gpu203.map((f) => [f.object.name, f.fieldPath])).toEqual([
      ['too-big', 'spec.template.spec.containers'],
      ['too-big-nightly', 'spec.jobTemplate.spec.template.spec.containers'],
    ]);
  });
});

describe('per-template facts of the run\'s index', () => {
  const manifests = ruleFixtureObjects();

  test('signatures, GPU demand and cpu/memory requests equal the plain computations for every fixture workload', () => {
    const index = new ManifestIndex(manifests);
    const workloads = index.workloads();
    expect(workloads.length).toBeGreaterThan(50);
    for (const w of workloads) {
      expect(index.gpuDemand(w.template)).toEqual(podGpuDemand(w.template));
      expect(index.cpuMemoryRequests(w.template)).toEqual(podCpuMemoryRequests(w.template));
      expect(index.placementSignature(w.template)).toBe(placementSignature(w.template));
      // asked twice: the same answer
      expect(index.placementSignature(w.template)).toBe(placementSignature(w.template));
    }
  });

  test('facts kept on the index\'s own templates: the same answers, memoised, for its templates, spread copies and frozen templates made elsewhere; the templates\' keys and JSON unchanged', () => {
    const index = new ManifestIndex(manifests);
    for (const w of index.workloads()) {
      const made = podTemplateOf(w.object)!;
      // the index's template reads as one made without it (no new key; a symbol slot JSON does not write)
      expect(Object.keys(w.template).filter((k) => !['draDemand', 'requestDefaults'].includes(k)).sort()).toEqual(Object.keys(made).sort());
      expect(Object.getOwnPropertySymbols(w.template).every((s) => !Object.getOwnPropertyDescriptor(w.template, s)!.enumerable)).toBe(true);
      const demand = index.gpuDemand(w.template);
      expect(index.gpuDemand(w.template)).toBe(demand); // memoised on the template
      for (const other of [{ ...w.template }, Object.freeze({ ...w.template })]) {
        expect(index.gpuDemand(other)).toEqual(demand);
        expect(index.gpuDemand(other)).toBe(index.gpuDemand(other)); // memoised in the index's map
        expect(index.placementSignature(other)).toBe(index.placementSignature(w.template));
      }
    }
  });

  test('each object\'s suppressions are read once per run and equal a fresh read, for the rule ids asked', () => {
    // Suppressions on pod templates too (a Job's, a CronJob's, the per-rule form), and a malformed one (a problem).
    const templated = [
      workload({ kind: 'Job', name: 'j', podAnnotations: { 'cdk8s-gpu.io/suppress': 'GPU002=tolerated elsewhere' } }),
      workload({ kind: 'CronJob', name: 'c', podAnnotations: { 'cdk8s-gpu.io/suppress.GPU006': 'any model will do' } }),
      workload({ kind: 'Deployment', name: 'd', podAnnotations: { 'cdk8s-gpu.io/suppress': 'GPU004' } }),
      workload({ kind: 'Pod', name: 'p', annotations: { 'cdk8s-gpu.io/suppress.GPU003': 'pool elsewhere' } }),
    ].map((object) => ({ object }));
    const all = [...manifests, ...templated];
    const index = new ManifestIndex(all);
    const known = new Set(['GPU001', 'GPU002', 'GPU003', 'GPU004', 'GPU006']);
    const fewer = new Set(['GPU001']);
    for (const m of templated) {
      const s = suppressionsOf(m.object, known);
      expect(s.rules.size + s.problems.length).toBeGreaterThan(0);
    }
    expect(manifests.some((m) => suppressionsOf(m.object, known).rules.size > 0)).toBe(true);
    for (const m of all) {
      const first = index.suppressions(m.object, known);
      expect(first).toEqual(suppressionsOf(m.object, known));
      expect(index.suppressions(m.object, known)).toBe(first);
    }
    // Other rule ids: read again (an id unknown to them is a problem, not a suppression).
    for (const m of all) expect(index.suppressions(m.object, fewer)).toEqual(suppressionsOf(m.object, fewer));
  });
});

describe('podSpecPathOf', () => {
  test('is the path of the template podTemplateOf returns, and undefined exactly when it returns none', () => {
    const objects: any[] = ruleFixtureObjects().map((m) => m.object);
    const base = workload({ name: 'x' });
    objects.push(
      workload({ kind: 'Pod' }), workload({ kind: 'Job' }), workload({ kind: 'CronJob' }), workload({ kind: 'DaemonSet' }),
      { ...base, apiVersion: 'example.com/v1' }, // a CRD named Deployment
      { ...base, apiVersion: undefined },
      { ...base, spec: { template: { spec: [] } } },
      { ...base, spec: { template: 'x' } },
      { ...base, kind: 'constructor' },
      { ...base, kind: 7 },
      null, 'text', [],
    );
    let withTemplate = 0;
    for (const obj of objects) {
      const t = podTemplateOf(obj);
      expect(podSpecPathOf(obj)).toBe(t?.podSpecPath);
      if (t) withTemplate++;
    }
    expect(withTemplate).toBeGreaterThan(50);
  });
});

describe('tryParseQuantity', () => {
  test('answers the same for a string parsed before, also once more than the remembered number of strings were met', () => {
    const samples: Array<[unknown, number | undefined]> = [
      ['500m', 0.5], ['16Gi', 16 * 2 ** 30], ['1e3', 1000], ['1k', 1000], ['-2', -2], ['x', undefined], ['', undefined],
      [' 1', undefined], ['1.5', 1.5], [3, 3], [Infinity, undefined], [NaN, undefined], [null, undefined], [{}, undefined],
    ];
    for (const [q, want] of samples) expect(tryParseQuantity(q)).toBe(want);
    for (const [q, want] of samples) expect(tryParseQuantity(q)).toBe(want);
    // Many distinct strings (the remembered answers are dropped on the way): every answer is still right.
    for (let i = 0; i < 25_000; i++) expect(tryParseQuantity(`${i}Mi`)).toBe(i * 2 ** 20);
    for (const [q, want] of samples) expect(tryParseQuantity(q)).toBe(want);
    expect(tryParseQuantity('12Mi')).toBe(12 * 2 ** 20);
  });
});
