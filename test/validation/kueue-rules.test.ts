import * as path from 'path';
import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { loadYaml, of } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodePool } from '../../src/pools';
import { GpuClusterQueue, GpuResourceFlavor } from '../../src/queues';
import { podTemplateOf } from '../../src/scheduling/workloads';
import { BUILTIN_RULES, Finding, validateManifests } from '../../src/validation';
import { WorkloadRef } from '../../src/validation/rule';
import { KUEUE_RULES, queueLabelOf } from '../../src/validation/rules/kueue';
import { crdsAvailable, expectValid } from '../conformance/schema';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');
const runFile = (id: string, kind: 'pass' | 'fail'): Finding[] => validateManifests(loadYaml(path.join(FIXTURES, id, `${kind}.yaml`)));
const ids = KUEUE_RULES.map((r) => r.id);

describe('KUEUE_RULES (GPU500-GPU510)', () => {
  test('ids are in the issue-18 range, registered among the built-in rules, documented', () => {
    expect(ids).toEqual(['GPU500', 'GPU501', 'GPU502', 'GPU503', 'GPU504', 'GPU505', 'GPU506', 'GPU507', 'GPU508', 'GPU509', 'GPU510']);
    for (const r of KUEUE_RULES) {
      expect(BUILTIN_RULES.filter((b) => b.id === r.id)).toEqual([r]);
      expect(r.description!.length).toBeGreaterThan(100);
    }
  });

  (crdsAvailable() ? test : test.skip)('every fixture is valid against the Kueue, Karpenter and core schemas', () => {
    for (const id of ids) for (const kind of ['pass', 'fail']) expectValid(loadYaml(path.join(FIXTURES, id, `${kind}.yaml`)).map((m) => m.object));
  });

  test('each fail fixture fires only its own Kueue rule; messages say what happens on the cluster', () => {
    const msgs: Record<string, string[]> = {};
    for (const id of ids) {
      const kueueFindings = runFile(id, 'fail').filter((f) => ids.includes(f.ruleId));
      expect(kueueFindings.map((f) => f.ruleId)).toEqual(kueueFindings.map(() => id));
      msgs[id] = kueueFindings.map((f) => `${f.object.kind}/${f.object.name} ${f.fieldPath}: ${f.message}`);
    }
    expect(msgs.GPU500).toEqual([expect.stringMatching(/^ResourceFlavor\/h100 spec.nodeLabels: carries a nominal nvidia.com\/gpu quota of 32 \(ClusterQueue team-a \(16\) \+ ClusterQueue team-b \(16\)\), but the NodePools it selects can run at most 16 \(h100: 16\).*cannot ask Karpenter/)]);
    expect(msgs.GPU501).toEqual([expect.stringMatching(/^Job\/prep metadata.labels\[kueue.x-k8s.io\/queue-name\]: names LocalQueue "reserch".*never admitted \(LocalQueues there: research\)/)]);
    expect(msgs.GPU502).toEqual([expect.stringMatching(/^LocalQueue\/research spec.clusterQueue: names ClusterQueue "reserch".*\(ClusterQueues: research\)/)]);
    expect(msgs.GPU503).toEqual([expect.stringMatching(/^ResourceFlavor\/g5 spec.nodeLabels: \(karpenter.sh\/nodepool=g6\) match the nodes of no NodePool .*\(g5\)/)]);
    expect(msgs.GPU504).toEqual([expect.stringMatching(/^ClusterQueue\/research spec.resourceGroups\[0\].flavors\[0\].resources\[1\]: covers nvidia.com\/mig-1g.10gb, but no NodePool of its flavors \(g5\) offers it/)]);
    expect(msgs.GPU505).toEqual([expect.stringMatching(/^ClusterQueue\/research spec.resourceGroups\[0\].flavors\[1\].name: names ResourceFlavor "h100"/)]);
    expect(msgs.GPU506).toEqual([expect.stringMatching(/^ClusterQueue\/research spec.namespaceSelector: is unset, which selects no namespace: workloads of LocalQueue research\/research are never admitted/)]);
    expect(msgs.GPU508).toEqual([expect.stringMatching(/^ResourceQuota\/gpu-quota spec.hard\[requests.nvidia.com\/gpu\]: is 8, but ClusterQueue research \(LocalQueue research\) may admit 16 GPUs .*\(nominal 8 \+ borrowing 8\)/)]);
    expect(msgs.GPU507).toEqual([expect.stringMatching(/^Job\/prep metadata.labels\[kueue.x-k8s.io\/priority-class\]: names WorkloadPriorityClass "training-nromal".*\(defined: training-normal\)/)]);
    expect(msgs.GPU509).toEqual([expect.stringMatching(/^Job\/finetune spec.template.spec.containers: requests ephemeral-storage, nvidia.com\/gpu, which ClusterQueue research/)]);
    expect(msgs.GPU510).toEqual([
      'CronJob/nightly-eval metadata.labels[kueue.x-k8s.io/queue-name]: names LocalQueue "research" on the CronJob, whose labels are not copied to '
      + 'the Jobs it creates: Kueue never sees it, and each Job starts outside the queue\'s quota',
      'Job/sweep spec.template.metadata.labels[kueue.x-k8s.io/queue-name]: names LocalQueue "research" on the pods only, not in metadata.labels: '
      + 'Kueue admits each pod alone (through its pod integration, if enabled; otherwise not at all), never the Job whole, so its 4 parallel pods '
      + 'may start a few at a time and wait for the rest',
    ]);
  });

  test('GPU506: a selector on namespace labels is judged with the Namespace object, skipped without it', () => {
    const base = loadYaml(path.join(FIXTURES, 'GPU506', 'pass.yaml')).map((m) => m.object);
    const cq = base.find((o) => o.kind === 'ClusterQueue');
    cq.spec.namespaceSelector = { matchLabels: { team: 'research' } };
    const run = (objs: any[]) => of(validateManifests(objs.map((object) => ({ object }))), 'GPU506').map((f) => f.message);
    expect(run(base)).toEqual([]); // no Namespace object: its labels are unknown
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'research', labels: { team: 'other' } } };
    expect(run([...base, ns])).toEqual([expect.stringMatching(/does not select namespace research of LocalQueue research/)]);
    expect(run([...base, { ...ns, metadata: { name: 'research', labels: { team: 'research' } } }])).toEqual([]);
  });

  test('GPU500 on a chart\'s objects: two queues within the pool limit each, above it together (synth itself refuses it too)', () => {
    const c = Testing.chart();
    const pool = new GpuNodePool(c, 'g5', { name: 'g5', families: ['g5'], gpuLimit: 16, nodeClassProps: { role: 'r', clusterName: 'c' } });
    const flavor = new GpuResourceFlavor(c, 'f', { pool });
    new GpuClusterQueue(c, 'a', { name: 'a', quotas: [{ flavor, gpus: 12 }] });
    new GpuClusterQueue(c, 'b', { name: 'b', quotas: [{ flavor, gpus: 8 }] });
    expect(() => Testing.synth(c)).toThrow(/quota of 20/); // GpuResourceFlavor's own validation
    const objects = c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject).map((o) => o.toJson());
    const f = of(validateManifests(objects.map((object) => ({ object }))), 'GPU500');
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/quota of 20 \(ClusterQueue a \(12\) \+ ClusterQueue b \(8\)\).*at most 16/)]);
  });

  test('GPU500 on MIG slices: quota against the pool limit × the slices per GPU of its declared layout', () => {
    const c = Testing.chart();
    const pool = new GpuNodePool(c, 'a100', { name: 'a100', instanceTypes: [GpuInstanceType.P4D_24XLARGE], gpuLimit: 16, nodeClassProps: { role: 'r', clusterName: 'c' } });
    pool.nodePool.metadata.addAnnotation('cdk8s-gpu.io/advertised-resources-per-gpu', JSON.stringify({ 'nvidia.com/mig-1g.5gb': 7 }));
    const flavor = new GpuResourceFlavor(c, 'f', { pool });
    const cq = new GpuClusterQueue(c, 'q', { name: 'q', quotas: [{ flavor, migSlices: [{ profile: '1g.5gb', count: 112 }] }] });
    const objects = () => c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject).map((o) => o.toJson());
    expect(of(validateManifests(objects().map((object) => ({ object }))), 'GPU500')).toEqual([]); // 16 × 7 = 112
    // The escape hatch: a patched quantity lands in the output (the generated binding would have dropped it).
    cq.clusterQueue.addJsonPatch(JsonPatch.replace('/spec/resourceGroups/0/flavors/0/resources/0/nominalQuota', 113));
    expect(objects().find((o) => o.kind === 'ClusterQueue').spec.resourceGroups[0].flavors[0].resources[0]).toEqual({ name: 'nvidia.com/mig-1g.5gb', nominalQuota: 113 });
    expect(of(validateManifests(objects().map((object) => ({ object }))), 'GPU500').map((f) => f.message))
      .toEqual([expect.stringMatching(/nominal nvidia.com\/mig-1g.5gb quota of 113 \(ClusterQueue q \(113\)\), but the NodePools it selects can run at most 112 \(a100: 112\)/)]);
  });

  test('GPU504: a MIG profile of an H100 pool without a declared layout gets the benefit of the doubt; quota on a flavor whose pool lacks it does not', () => {
    const base = loadYaml(path.join(FIXTURES, 'GPU504', 'fail.yaml')).map((m) => m.object);
    const h100Pool = JSON.parse(JSON.stringify(base[0]));
    h100Pool.metadata.name = 'h100';
    h100Pool.spec.template.spec.requirements[0].values = ['p5.48xlarge'];
    const h100Flavor = { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: 'h100' }, spec: { nodeLabels: { 'karpenter.sh/nodepool': 'h100' } } };
    const cq = JSON.parse(JSON.stringify(base[3]));
    cq.spec.resourceGroups[0].flavors.push({ name: 'h100', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 0 }, { name: 'nvidia.com/mig-1g.10gb', nominalQuota: 7 }, { name: 'cpu', nominalQuota: 8 }, { name: 'memory', nominalQuota: '64Gi' }] });
    const f = of(validateManifests([base[0], base[1], base[2], h100Pool, h100Flavor, cq].map((object) => ({ object }))), 'GPU504');
    // the resource is offered by h100's pool, so only g5's own MIG quota is wrong
    expect(f.map((x) => `${x.fieldPath}: ${x.message}`)).toEqual([expect.stringMatching(/flavors\[0\].resources\[1\].nominalQuota: gives flavor g5 a quota of 14 nvidia.com\/mig-1g.10gb, but none of its NodePools \(g5\) offers/)]);
  });
});

describe('GPU509 every resource a queued workload requests is covered by its ClusterQueue', () => {
  const lq = { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: 'team', namespace: 'ml' }, spec: { clusterQueue: 'team' } };
  const cq = (covered: string[]) => ({
    apiVersion: 'kueue.x-k8s.io/v1beta2',
    kind: 'ClusterQueue',
    metadata: { name: 'team' },
    spec: { resourceGroups: [{ coveredResources: covered, flavors: [{ name: 'default', resources: covered.map((name) => ({ name, nominalQuota: 8 })) }] }] },
  });
  const deployment = (resources: any, labels: { object?: boolean; pod?: boolean } = { object: true }) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'llm', namespace: 'ml', ...(labels.object ? { labels: { 'kueue.x-k8s.io/queue-name': 'team' } } : {}) },
    spec: {
      selector: { matchLabels: { app: 'llm' } },
      template: {
        metadata: { labels: { app: 'llm', ...(labels.pod ? { 'kueue.x-k8s.io/queue-name': 'team' } : {}) } },
        spec: { initContainers: [{ name: 'fetch', image: 'x', resources: { requests: { 'ephemeral-storage': '10Gi' } } }], containers: [{ name: 'main', image: 'x', resources }] },
      },
    },
  });
  const gpu509 = (objects: any[]) => validateManifests(objects.map((object) => ({ object })), { rules: KUEUE_RULES }).filter((f) => f.ruleId === 'GPU509');

  test('requests of app and init containers, a limit standing for an absent request; the message names the queues and Kueue\'s reason', () => {
    const found = gpu509([lq, cq(['cpu', 'memory']), deployment({ requests: { cpu: '1' }, limits: { 'nvidia.com/gpu': 1, 'memory': '1Gi' } })]);
    expect(found.map((f) => `${f.fieldPath}: ${f.message}`)).toEqual([
      'spec.template.spec.containers: requests ephemeral-storage, nvidia.com/gpu, which ClusterQueue team (through LocalQueue ml/team) does not cover: '
      + 'Kueue keeps the workload inadmissible ("resource ephemeral-storage unavailable in ClusterQueue")',
    ]);
    // the label on the pod template counts too
    expect(gpu509([lq, cq(['cpu', 'memory', 'nvidia.com/gpu']), deployment({ limits: { 'nvidia.com/gpu': 1 } }, { pod: true })]).map((f) => f.message))
      .toEqual([expect.stringMatching(/^requests ephemeral-storage, which/)]);
  });

  test('covered, zero amounts, and workloads whose queue is not resolved (GPU501/GPU502) pass', () => {
    expect(gpu509([lq, cq(['cpu', 'memory', 'nvidia.com/gpu', 'ephemeral-storage']), deployment({ requests: { cpu: '1' }, limits: { 'nvidia.com/gpu': 1 } })])).toEqual([]);
    expect(gpu509([lq, cq(['cpu', 'ephemeral-storage']), deployment({ requests: { 'cpu': '1', 'nvidia.com/gpu': 0 }, limits: { 'nvidia.com/gpu': 0 } })])).toEqual([]);
    expect(gpu509([cq(['cpu']), deployment({ limits: { 'nvidia.com/gpu': 1 } })])).toEqual([]);
    expect(gpu509([lq, deployment({ limits: { 'nvidia.com/gpu': 1 } })])).toEqual([]);
    expect(gpu509([lq, cq(['cpu']), deployment({ limits: { 'nvidia.com/gpu': 1 } }, {})])).toEqual([]);
  });
});

describe('where Kueue reads the queue-name label (queueLabelOf: GPU501, GPU509, GPU510, GPU225 and plan share it)', () => {
  const QUEUE = 'kueue.x-k8s.io/queue-name';
  const lq = { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: 'team', namespace: 'ml' }, spec: { clusterQueue: 'team' } };
  const cq = {
    apiVersion: 'kueue.x-k8s.io/v1beta2',
    kind: 'ClusterQueue',
    metadata: { name: 'team' },
    spec: { resourceGroups: [{ coveredResources: ['cpu'], flavors: [{ name: 'default', resources: [{ name: 'cpu', nominalQuota: 8 }] }] }] },
  };
  const pod = (labels?: Record<string, string>) => ({
    metadata: labels ? { labels } : {},
    spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'x', resources: { limits: { 'nvidia.com/gpu': 1 } } }] },
  });
  const job = (own?: string, onPods?: string, parallelism?: number) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'train', namespace: 'ml', ...(own ? { labels: { [QUEUE]: own } } : {}) },
    spec: { ...(parallelism ? { parallelism } : {}), template: pod(onPods ? { [QUEUE]: onPods } : undefined) },
  });
  const cron = (own?: string, template?: string, onPods?: string) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'ml', ...(own ? { labels: { [QUEUE]: own } } : {}) },
    spec: {
      schedule: '0 2 * * *',
      jobTemplate: {
        ...(template ? { metadata: { labels: { [QUEUE]: template } } } : {}),
        spec: { template: pod(onPods ? { [QUEUE]: onPods } : undefined) },
      },
    },
  });
  const ref = (object: any): WorkloadRef => ({ object, kind: object.kind, template: podTemplateOf(object)! });
  const run = (objects: any[], id: string) => validateManifests(objects.map((object) => ({ object })), { rules: KUEUE_RULES })
    .filter((f) => f.ruleId === id).map((f) => `${f.object.kind}/${f.object.name} ${f.fieldPath}: ${f.message}`);

  test('queueLabelOf: the Job\'s own label first, then its pods\'; a CronJob\'s Job template, never the CronJob\'s own labels', () => {
    expect(queueLabelOf(ref(job('a', 'b')))).toEqual({ name: 'a', fieldPath: `metadata.labels[${QUEUE}]`, onPods: false });
    expect(queueLabelOf(ref(job(undefined, 'b')))).toEqual({ name: 'b', fieldPath: `spec.template.metadata.labels[${QUEUE}]`, onPods: true });
    expect(queueLabelOf(ref(job()))).toBeUndefined();
    expect(queueLabelOf(ref(job('')))).toBeUndefined();
    expect(queueLabelOf(ref(cron('a', 'b', 'c')))).toEqual({ name: 'b', fieldPath: `spec.jobTemplate.metadata.labels[${QUEUE}]`, onPods: false });
    expect(queueLabelOf(ref(cron('a', undefined, 'c')))).toEqual({ name: 'c', fieldPath: `spec.jobTemplate.spec.template.metadata.labels[${QUEUE}]`, onPods: true });
    expect(queueLabelOf(ref(cron('a')))).toBeUndefined();
    const pod1 = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ml', labels: { [QUEUE]: 'a' } }, spec: pod().spec };
    expect(queueLabelOf(ref(pod1))).toEqual({ name: 'a', fieldPath: `metadata.labels[${QUEUE}]`, onPods: false });
  });

  test('GPU501 judges a CronJob\'s Job-template label (a typo there was missed) and leaves the CronJob\'s own label to GPU510', () => {
    expect(run([lq, cq, cron(undefined, 'teem')], 'GPU501')).toEqual([
      `CronJob/nightly spec.jobTemplate.metadata.labels[${QUEUE}]: names LocalQueue "teem", which is not in namespace ml in these manifests; `
      + 'the workload is never admitted (LocalQueues there: team)',
    ]);
    expect(run([lq, cq, cron('teem', 'team')], 'GPU501')).toEqual([]);
    expect(run([lq, cq, job(undefined, 'teem')], 'GPU501')).toEqual([expect.stringMatching(/^Job\/train spec.template.metadata.labels.*"teem"/)]);
  });

  test('GPU509 judges the resources of a CronJob queued through its Job template', () => {
    expect(run([lq, cq, cron(undefined, 'team')], 'GPU509')).toEqual([
      expect.stringMatching(/^CronJob\/nightly spec.jobTemplate.spec.template.spec.containers: requests nvidia.com\/gpu, which ClusterQueue team/),
    ]);
    expect(run([lq, cq, cron('team')], 'GPU509')).toEqual([]); // not queued at all: GPU510
  });

  test('GPU510: a CronJob\'s own label, a Job\'s pods-only label (the parallel pods named); quiet where Kueue reads it', () => {
    expect(run([lq, cq, cron('team')], 'GPU510')).toEqual([
      `CronJob/nightly metadata.labels[${QUEUE}]: names LocalQueue "team" on the CronJob, whose labels are not copied to the Jobs it creates: `
      + 'Kueue never sees it, and each Job starts outside the queue\'s quota',
    ]);
    expect(run([lq, cq, cron('team', undefined, 'team')], 'GPU510')).toEqual([
      expect.stringMatching(/Kueue never sees it on the Jobs \(their pods alone carry a queue, and are admitted one by one\), and each Job/),
    ]);
    expect(run([lq, cq, cron(undefined, undefined, 'team')], 'GPU510')).toEqual([
      `CronJob/nightly spec.jobTemplate.spec.template.metadata.labels[${QUEUE}]: names LocalQueue "team" on the pods only, not in `
      + 'spec.jobTemplate.metadata.labels: Kueue admits each pod alone (through its pod integration, if enabled; otherwise not at all), never the Job whole',
    ]);
    expect(run([lq, cq, job(undefined, 'team', 3)], 'GPU510')).toEqual([expect.stringMatching(/never the Job whole, so its 3 parallel pods may start a few at a time/)]);
    expect(run([lq, cq, job('team', 'team', 3), cron(undefined, 'team', 'team'), job()], 'GPU510')).toEqual([]);
    // Deployments are queued pod by pod anyway (Kueue's deployment and pod integrations): a pod-template label is fine.
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ml' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: pod({ app: 'd', [QUEUE]: 'team' }) },
    };
    expect(run([lq, cq, deployment], 'GPU510')).toEqual([]);
  });
});
