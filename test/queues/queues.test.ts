import { Cron, Size, Testing } from 'cdk8s';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodePool, TaintEffect } from '../../src/pools';
import { GpuClusterQueue, GpuLocalQueue, GpuResourceFlavor, GpuWorkloadPriorities } from '../../src/queues';
import { GpuRequest, InferenceDeployment, TieredPriorities, TrainingJob } from '../../src/workloads';
import { expectValid } from '../conformance/schema';
import { BOUND, chart, configError, g5, lintAll, ofKind, one, synth } from '../workloads/helpers';

function setup() {
  const c = chart();
  const pool = g5(c); // g5, gpuLimit 32, taint nvidia.com/gpu=true:NoSchedule
  const tiers = new TieredPriorities(c, 'tiers');
  const team = tiers.addTeam('research');
  const flavor = new GpuResourceFlavor(c, 'g5-flavor', { pool });
  return { c, pool, tiers, team, flavor };
}

describe('GpuResourceFlavor', () => {
  test('selects its pool by karpenter.sh/nodepool and tolerates its taints (also taints added later)', () => {
    const { c, pool } = setup();
    pool.addTaint({ key: 'team', value: 'research', effect: TaintEffect.NO_SCHEDULE });
    const rf = one(synth(c), 'ResourceFlavor');
    expect(rf.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(rf.metadata.name).toBe('g5');
    expect(rf.spec.nodeLabels).toEqual({ 'karpenter.sh/nodepool': 'g5' });
    expect(rf.spec.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'team', operator: 'Equal', value: 'research', effect: 'NoSchedule' },
    ]);
  });

  test('bad input is a GpuConfigError', () => {
    const c = chart();
    expect(configError(() => new GpuResourceFlavor(c, 'x', { pool: undefined as any })).property).toBe('pool');
    expect(configError(() => new GpuResourceFlavor(c, 'y', { pool: g5(c), name: 'Bad_Name' })).property).toBe('name');
  });
});

describe('GpuClusterQueue', () => {
  test('covers GPUs, cpu and memory per flavor, admits its LocalQueues\' namespaces, validates against the CRDs', () => {
    const { c, team, flavor } = setup();
    const cq = new GpuClusterQueue(c, 'research-cq', { name: 'research', quotas: [{ flavor, gpus: 8 }] });
    const lq = cq.addLocalQueue(team);
    const objs = synth(c);
    const spec = one(objs, 'ClusterQueue').spec;
    expect(spec.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['research'] }] });
    expect(spec.resourceGroups).toEqual([{
      coveredResources: ['nvidia.com/gpu', 'cpu', 'memory'],
      // g5: the highest vCPU/GPU is g5.16xlarge (64 vCPU, 1 GPU); memory/GPU likewise (256 GiB)
      flavors: [{ name: 'g5', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 8 }, { name: 'cpu', nominalQuota: 512 }, { name: 'memory', nominalQuota: '2048Gi' }] }],
    }]);
    expect(spec.cohortName).toBeUndefined();
    expect(spec.preemption).toBeUndefined();
    expect(one(objs, 'LocalQueue')).toMatchObject({ metadata: { name: 'research', namespace: 'research' }, spec: { clusterQueue: 'research' } });
    expect(lq.queueName).toBe('research');
    expectValid(objs);
    expect(lintAll(objs)).toEqual([]);
  });

  test('cohort with borrowing/lending limits; preemption follows the tiers; MIG slices are covered, 0 where a flavor lacks them', () => {
    const { c, tiers, flavor } = setup();
    const h100 = new GpuNodePool(c, 'h100', { name: 'h100', families: ['p5'], gpuLimit: 16, nodeClassProps: BOUND });
    const migFlavor = new GpuResourceFlavor(c, 'h100-flavor', { pool: h100 });
    const wp = new GpuWorkloadPriorities(c, 'wpc', { priorities: tiers });
    new GpuClusterQueue(c, 'cq', {
      name: 'research',
      cohort: 'gpus',
      priorities: wp,
      quotas: [
        { flavor, gpus: 8, gpuBorrowingLimit: 8, gpuLendingLimit: 4, cpu: 64, memory: Size.gibibytes(512) },
        { flavor: migFlavor, migSlices: [{ profile: '1g.10gb', count: 14 }] },
      ],
    });
    const objs = synth(c);
    const spec = one(objs, 'ClusterQueue').spec;
    expect(spec.cohortName).toBe('gpus');
    expect(spec.preemption).toEqual({ withinClusterQueue: 'LowerPriority', reclaimWithinCohort: 'Any', borrowWithinCohort: { policy: 'LowerPriority', maxPriorityThreshold: 100000 } });
    // p5 types all have EFA: its flavor covers their interfaces (the pool's 16 GPUs × 4), the g5 flavor none.
    expect(spec.resourceGroups[0].coveredResources).toEqual(['nvidia.com/gpu', 'nvidia.com/mig-1g.10gb', 'cpu', 'memory', 'vpc.amazonaws.com/efa']);
    expect(spec.resourceGroups[0].flavors.map((f: any) => f.resources[4])).toEqual([
      { name: 'vpc.amazonaws.com/efa', nominalQuota: 0 }, { name: 'vpc.amazonaws.com/efa', nominalQuota: 64 },
    ]);
    expect(spec.resourceGroups[0].flavors[0].resources.slice(0, 2)).toEqual([
      { name: 'nvidia.com/gpu', nominalQuota: 8, borrowingLimit: 8, lendingLimit: 4 },
      { name: 'nvidia.com/mig-1g.10gb', nominalQuota: 0 },
    ]);
    expect(spec.resourceGroups[0].flavors[1].resources[1]).toEqual({ name: 'nvidia.com/mig-1g.10gb', nominalQuota: 14 });
    expect(ofKind(objs, 'WorkloadPriorityClass').map((w) => [w.metadata.name, w.value])).toEqual([
      ['inference-critical', 1000000], ['training-normal', 500000], ['experiment-low', 100000],
    ]);
    expectValid(objs);
  });

  test('GPU quota above the pool limit, limits without a cohort, lending above nominal, duplicates: GpuConfigError', () => {
    const { c, flavor } = setup();
    const over = configError(() => new GpuClusterQueue(c, 'a', { quotas: [{ flavor, gpus: 33 }] }));
    expect(over.property).toBe('quotas[0].gpus');
    expect(over.message).toMatch(/above the GPU limit of pool g5 \(32\).*Pending holding quota/);
    expect(configError(() => new GpuClusterQueue(c, 'b', { quotas: [{ flavor, gpus: 4, gpuBorrowingLimit: 2 }] })).message).toMatch(/no cohort/);
    expect(configError(() => new GpuClusterQueue(c, 'c', { cohort: 'x', quotas: [{ flavor, gpus: 4, gpuLendingLimit: 5 }] })).property).toBe('quotas[0].gpuLendingLimit');
    expect(configError(() => new GpuClusterQueue(c, 'd', { quotas: [{ flavor, gpus: 1 }, { flavor, gpus: 1 }] })).property).toBe('quotas[1].flavor');
    expect(configError(() => new GpuClusterQueue(c, 'e', { quotas: [] })).property).toBe('quotas');
    expect(configError(() => new GpuClusterQueue(c, 'f', { quotas: [{ flavor, gpus: 1.5 }] })).property).toBe('quotas[0].gpus');
    expect(configError(() => new GpuClusterQueue(c, 'g', { quotas: [{ flavor, migSlices: [{ profile: 'bogus', count: 1 }] }] })).property).toBe('quotas[0].migSlices[0].profile');
    expect(configError(() => new GpuClusterQueue(c, 'h', { quotas: [{ flavor: {} as any, gpus: 1 }] })).property).toBe('quotas[0].flavor');
    expect(configError(() => new GpuClusterQueue(c, 'i', { cohort: 'Bad', quotas: [{ flavor }] })).property).toBe('cohort');
    const efa = configError(() => new GpuClusterQueue(c, 'j', { quotas: [{ flavor, gpus: 1, efaInterfaces: -4 }] }));
    expect([efa.property, efa.message]).toEqual(['quotas[0].efaInterfaces', expect.stringMatching(/is -4.*pass a whole number >= 0/)]);
  });
});

test('GpuResourceFlavor: queues within the pool limit each but above it together fail at synth (cdk8s validation)', () => {
  const { c, flavor } = setup(); // pool g5, gpuLimit 32
  const a = new GpuClusterQueue(c, 'a', { name: 'a', quotas: [{ flavor, gpus: 20 }] });
  expect(a.gpuQuotas).toEqual({ g5: 20 });
  expect(() => synth(c)).not.toThrow();
  new GpuClusterQueue(c, 'b', { name: 'b', quotas: [{ flavor, gpus: 16 }] });
  expect(() => synth(c)).toThrow(/nominal nvidia.com\/gpu quota of 36 \(test\/a 20 \+ test\/b 16\) is above the GPU limit of pool g5 \(32\)/);
});

describe('workloads in a queue', () => {
  test('TrainingJob: queue-name label, created suspended, WorkloadPriorityClass label when the queue mirrors the tier', () => {
    const { c, pool, tiers, team, flavor } = setup();
    const wp = new GpuWorkloadPriorities(c, 'wpc', { priorities: tiers });
    const cq = new GpuClusterQueue(c, 'cq', { name: 'research', quotas: [{ flavor, gpus: 8 }], priorities: wp });
    const queue = cq.addLocalQueue(team);
    new TrainingJob(c, 'train', { image: 'trainer:1', pools: [pool], team, queue, priority: tiers.training, gpus: GpuRequest.whole(4) });
    const objs = synth(c);
    const job = one(objs, 'Job');
    expect(job.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'research', 'kueue.x-k8s.io/priority-class': 'training-normal' });
    expect(job.spec.suspend).toBe(true);
    expectValid(objs);
    expect(lintAll(objs)).toEqual([]);
  });

  test('a multi-node TrainingJob on an EFA pool asks for vpc.amazonaws.com/efa: the queue covers the GPUs\' share of it, so Kueue admits the job', () => {
    const c = chart();
    const p5 = new GpuNodePool(c, 'p5', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: BOUND });
    const flavor = new GpuResourceFlavor(c, 'flavor', { pool: p5 });
    const cq = new GpuClusterQueue(c, 'cq', { name: 'training', quotas: [{ flavor, gpus: 16 }] });
    const queue = new GpuLocalQueue(c, 'lq', { clusterQueue: cq, namespace: 'training' });
    new TrainingJob(c, 'train', { name: 'train', namespace: 'training', image: 'trainer:1', pools: [p5], nodes: 2, queue });
    const objs = synth(c);
    expect(one(objs, 'Job').spec.template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe(32);
    const group = one(objs, 'ClusterQueue').spec.resourceGroups[0];
    expect(group.coveredResources).toEqual(['nvidia.com/gpu', 'cpu', 'memory', 'vpc.amazonaws.com/efa']);
    // p5.48xlarge: 32 EFA interfaces for 8 GPUs, so 16 GPUs carry 64.
    expect(group.flavors[0].resources[3]).toEqual({ name: 'vpc.amazonaws.com/efa', nominalQuota: 64 });
    expectValid(objs);
    expect(lintAll(objs).filter((f) => / GPU50\d /.test(f))).toEqual([]);
    // An explicit quota; a pool without EFA types covers none.
    const c2 = chart();
    const p5b = new GpuNodePool(c2, 'p5', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: BOUND });
    const g5b = g5(c2);
    const cq2 = new GpuClusterQueue(c2, 'cq', {
      name: 'training',
      quotas: [{ flavor: new GpuResourceFlavor(c2, 'f1', { pool: p5b }), gpus: 8, efaInterfaces: 40 },
        { flavor: new GpuResourceFlavor(c2, 'f2', { pool: g5b }), gpus: 8 }],
    });
    expect(cq2.node.id).toBe('cq');
    const flavors = one(synth(c2), 'ClusterQueue').spec.resourceGroups[0].flavors;
    expect(flavors.map((f: any) => f.resources.find((r: any) => r.name === 'vpc.amazonaws.com/efa')?.nominalQuota)).toEqual([40, 0]);
    const c3 = chart();
    new GpuClusterQueue(c3, 'cq', { name: 'research', quotas: [{ flavor: new GpuResourceFlavor(c3, 'f', { pool: g5(c3) }), gpus: 8 }] });
    expect(one(synth(c3), 'ClusterQueue').spec.resourceGroups[0].coveredResources).toEqual(['nvidia.com/gpu', 'cpu', 'memory']);
  });

  test('scheduled TrainingJob (CronJob): the labels go on the jobTemplate, whose Jobs Kueue suspends itself; the CronJob is not suspended', () => {
    const { c, pool, tiers, team, flavor } = setup();
    const wp = new GpuWorkloadPriorities(c, 'wpc', { priorities: tiers });
    const queue = new GpuClusterQueue(c, 'cq', { name: 'research', quotas: [{ flavor, gpus: 8 }], priorities: wp }).addLocalQueue(team);
    new TrainingJob(c, 'retrain', { image: 'trainer:1', pools: [pool], team, queue, priority: tiers.training, schedule: Cron.weekly() });
    const objs = synth(c);
    const cron = one(objs, 'CronJob');
    expect(cron.spec.jobTemplate.metadata).toEqual({ labels: { 'kueue.x-k8s.io/queue-name': 'research', 'kueue.x-k8s.io/priority-class': 'training-normal' } });
    expect(cron.spec.suspend).not.toBe(true);
    expect(cron.metadata.labels?.['kueue.x-k8s.io/queue-name']).toBeUndefined();
    expectValid(objs);
  });

  test('InferenceDeployment: queue-name label, not suspended; a queue of another namespace is a GpuConfigError', () => {
    const { c, pool, tiers, team, flavor } = setup();
    const cq = new GpuClusterQueue(c, 'cq', { name: 'serving', quotas: [{ flavor, gpus: 8 }] });
    const queue = cq.addLocalQueue(team);
    new InferenceDeployment(c, 'llm', { image: 'server:1', pools: [pool], team, queue });
    const dep = one(synth(c), 'Deployment');
    expect(dep.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('serving');
    expect(dep.metadata.labels['kueue.x-k8s.io/priority-class']).toBeUndefined();
    expect(dep.spec.suspend).toBeUndefined();
    const other = tiers.addTeam('other');
    const e = configError(() => new TrainingJob(c, 'bad', { image: 'x:1', pools: [pool], team: other, queue }));
    expect(e.property).toBe('queue');
    expect(e.message).toMatch(/namespace research, but the workload's namespace is other/);
    const lq = new GpuLocalQueue(c, 'explicit', { clusterQueue: cq, namespace: 'other', name: 'gpu' });
    expect(lq.queueName).toBe('gpu');
    expect(Testing.synth(c).length).toBeGreaterThan(0);
  });
});
