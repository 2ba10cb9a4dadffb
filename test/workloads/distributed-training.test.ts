import { Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import * as fc from 'fast-check';
import { BOUND, chart, configError, g5, lintAll, ofKind, one, synth } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { CapacityReservation, CapacityType, GpuNodePool, GpuNodePoolProps } from '../../src/pools';
import { GpuRequest, TieredPriorities, TrainingJob, TrainingJobProps } from '../../src/workloads';
import { expectValid } from '../conformance/schema';

function p5Pool(c: ReturnType<typeof chart>, over: Partial<GpuNodePoolProps> = {}): GpuNodePool {
  return new GpuNodePool(c, over.name ?? 'p5', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: BOUND, ...over });
}

function twoNodeP5(over: Partial<TrainingJobProps> = {}, pool: Partial<GpuNodePoolProps> = {}) {
  const c = chart();
  const job = new TrainingJob(c, 'ft', {
    name: 'finetune',
    pools: [p5Pool(c, pool)],
    image: 'example.com/train:1.0',
    nodes: 2,
    command: ['torchrun', 'train.py'],
    checkpoint: { claimName: 'ckpt', mountPath: '/checkpoints' },
    ...over,
  });
  return { c, job, objs: synth(c) };
}

const env = (ct: any) => Object.fromEntries(ct.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('TrainingJob with nodes: an Indexed Job gang over torchrun', () => {
  test('2 × 8-GPU p5: Indexed Job, completions = parallelism = 2, subdomain = headless Service', () => {
    const { job, objs } = twoNodeP5();
    const j = one(objs, 'Job');
    expect(j.spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2 });
    expect(j.spec.template.spec.subdomain).toBe('finetune');
    const svc = one(objs, 'Service');
    expect(svc.metadata.name).toBe('finetune');
    expect(svc.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'c10d', port: 29500, targetPort: 29500 }] });
    // the Service selects exactly the job's pods
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(j.spec.template.metadata.labels[k]).toBe(v);
    expect(job.nodes).toBe(2);
    expect(job.service).toBeDefined();
    expect(job.job).toBeDefined();
    expect(job.cronJob).toBeUndefined();
  });

  test('each pod requests 8 GPUs and the 32 EFA interfaces of a p5.48xlarge (requests = limits), with the EFA environment', () => {
    const { job, objs } = twoNodeP5();
    const ct = one(objs, 'Job').spec.template.spec.containers[0];
    expect(ct.resources.limits).toMatchObject({ 'nvidia.com/gpu': 8, 'vpc.amazonaws.com/efa': 32 });
    expect(ct.resources.requests).toEqual(ct.resources.limits);
    expect(job.efaInterfaces).toBe(32);
    expect(env(ct)).toMatchObject({ FI_PROVIDER: 'efa', FI_EFA_USE_DEVICE_RDMA: '1' });
    expect(Object.keys(ct.resources.limits)).not.toContain('hugepages-2Mi');
  });

  test('p4d.24xlarge gets its 4 EFA interfaces', () => {
    const { objs } = twoNodeP5({}, { instanceTypes: [GpuInstanceType.P4D_24XLARGE] });
    expect(one(objs, 'Job').spec.template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe(4);
  });

  test('torchrun rendezvous: MASTER_ADDR is rank 0\'s DNS name, NODE_RANK from the completion index, NNODES, NPROC_PER_NODE (and PET_*)', () => {
    const ct = one(twoNodeP5().objs, 'Job').spec.template.spec.containers[0];
    const e = env(ct);
    const index = { fieldRef: { fieldPath: 'metadata.annotations[\'batch.kubernetes.io/job-completion-index\']' } };
    expect(e).toMatchObject({
      MASTER_ADDR: 'finetune-0.finetune',
      MASTER_PORT: '29500',
      NNODES: '2',
      NPROC_PER_NODE: '8',
      NODE_RANK: index,
      PET_MASTER_ADDR: 'finetune-0.finetune',
      PET_NNODES: '2',
      PET_NPROC_PER_NODE: '8',
      PET_NODE_RANK: index,
      TORCH_NCCL_ASYNC_ERROR_HANDLING: '1',
      CHECKPOINT_DIR: '/checkpoints',
    });
  });

  test('failure policy: fail fast on usage errors, ignore disruptions, retries per index, replacements only after the old pod is gone', () => {
    const spec = one(twoNodeP5({ backoffLimit: 5 }).objs, 'Job').spec;
    expect(spec.backoffLimit).toBeUndefined();
    expect(spec).toMatchObject({ backoffLimitPerIndex: 5, maxFailedIndexes: 0, podReplacementPolicy: 'Failed' });
    expect(spec.podFailurePolicy.rules).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [2, 126, 127] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    expect(spec.template.spec.restartPolicy).toBe('Never');
  });

  test('one pod per node: whole-node GPU count in the node affinity and required anti-affinity on the hostname', () => {
    const pod = one(twoNodeP5().objs, 'Job').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toContainEqual({ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'In', values: ['8'] });
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'finetune', 'app.kubernetes.io/component': 'training' } },
      topologyKey: 'kubernetes.io/hostname',
    }]);
  });

  test('/dev/shm is a memory emptyDir sized for NCCL (8 GiB per GPU) and the checkpoint PVC is mounted', () => {
    const pod = one(twoNodeP5().objs, 'Job').spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === 'shm').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '65536Mi' });
    expect(pod.volumes.find((v: any) => v.name === 'checkpoint').persistentVolumeClaim.claimName).toBe('ckpt');
  });

  test('schema-valid (Job, Service, NodePool, EC2NodeClass) and lint-clean', () => {
    const { objs } = twoNodeP5();
    expectValid(objs);
    expect(lintAll(objs).filter((f) => f.startsWith('error'))).toEqual([]);
  });

  test('the same job on a pool limited to 8 GPUs is refused, naming 16 and 8', () => {
    const e = configError(() => twoNodeP5({}, { gpuLimit: 8 }));
    expect(e.property).toBe('nodes');
    expect(e.message).toContain('2 nodes × 8 GPUs = 16 GPUs');
    expect(e.message).toContain('at most 8 GPUs');
    expect(e.message).toContain('p5: limits nvidia.com/gpu 8');
  });

  test('a Capacity Block of one instance cannot hold a 2-node gang; of two it can', () => {
    const reserved = (n: number) => ({
      capacityType: CapacityType.RESERVED,
      gpuLimit: 32,
      capacityReservations: [CapacityReservation.capacityBlock('cr-0123456789abcdef0', undefined, n)],
    });
    const e = configError(() => twoNodeP5({}, reserved(1)));
    expect(e.message).toMatch(/Capacity Block\(s\) of 1 instance \(8 GPUs\)/);
    expect(e.message).toContain('= 16 GPUs');
    expect(() => twoNodeP5({}, reserved(2))).not.toThrow();
  });

  test('a gang above the team quota is refused (the quota admits only some ranks)', () => {
    const c = chart();
    const team = new TieredPriorities(c, 'tiers').addTeam('ml', { gpuQuota: 8 });
    const e = configError(() => new TrainingJob(c, 'ft', { pools: [p5Pool(c)], image: 'x', nodes: 2, team }));
    expect(e.property).toBe('nodes');
    expect(e.message).toContain('16 GPUs, above team ml\'s gpuQuota of 8');
  });

  test.each([
    ['nodes 0', { nodes: 0 }, 'nodes'],
    ['nodes 1.5', { nodes: 1.5 }, 'nodes'],
    ['half a node of GPUs', { gpus: GpuRequest.whole(4) }, 'gpus'],
    ['a MIG slice per rank', { gpus: GpuRequest.mig('1g.10gb') }, 'gpus'],
    ['restartPolicy OnFailure', { restartPolicy: kplus.RestartPolicy.ON_FAILURE }, 'restartPolicy'],
    ['exit code 0', { failFastExitCodes: [0] }, 'failFastExitCodes'],
    ['port 70000', { rendezvousPort: 70000 }, 'rendezvousPort'],
    ['a name that is no DNS-1035 label (it names the Service)', { name: '1finetune' }, 'name'],
    ['timeZone without schedule', { timeZone: 'Asia/Seoul' }, 'timeZone'],
  ])('%s → GpuConfigError on %s', (_, over, property) => {
    expect(configError(() => twoNodeP5(over as any)).property).toBe(property);
  });

  test('efa: true on g5 (g5.xlarge has no EFA) is refused; a one-node job requests no EFA', () => {
    const c = chart();
    const pool = g5(c, { gpuLimit: 64 });
    const e = configError(() => new TrainingJob(c, 'ft', { pools: [pool], image: 'x', gpus: GpuRequest.whole(1), efa: true }));
    expect(e.property).toBe('efa');
    expect(e.message).toContain('g5.xlarge');
    const one1 = new TrainingJob(c, 'single', { pools: [pool], image: 'x' });
    expect(one1.efaInterfaces).toBe(0);
  });

  test('a pool mixing EFA counts (p5 32, p5en 16) cannot give every rank all interfaces', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'mix', { name: 'mix', instanceTypes: [GpuInstanceType.P5_48XLARGE, GpuInstanceType.P5EN_48XLARGE], gpuLimit: 32, nodeClassProps: BOUND });
    const e = configError(() => new TrainingJob(c, 'ft', { pools: [pool], image: 'x', nodes: 2 }));
    expect(e.property).toBe('efa');
    expect(e.message).toMatch(/p5\.48xlarge: 32, p5en\.48xlarge: 16/);
    expect(new TrainingJob(c, 'tcp', { pools: [pool], image: 'x', nodes: 2, efa: false }).efaInterfaces).toBe(0);
  });

  test('one node stays a plain Job (no Service, no EFA, backoffLimit)', () => {
    const c = chart();
    const t = new TrainingJob(c, 'ft', { pools: [p5Pool(c)], image: 'x', gpus: GpuRequest.whole(8) });
    const objs = synth(c);
    expect(ofKind(objs, 'Service')).toEqual([]);
    expect(one(objs, 'Job').spec.completionMode).toBeUndefined();
    expect(one(objs, 'Job').spec.backoffLimit).toBe(3);
    expect(t.efaInterfaces).toBe(0);
  });
});

describe('TrainingJob with schedule: a CronJob carrying the same pod', () => {
  test('CronJob: Forbid, starting deadline, history limits, no Job; the pod template is the one-off job\'s', () => {
    const c = chart();
    const pool = p5Pool(c);
    const t = new TrainingJob(c, 'nightly', { name: 'retrain', pools: [pool], image: 'x', gpus: GpuRequest.whole(8), schedule: Cron.schedule({ minute: '0', hour: '3' }), timeZone: 'Asia/Seoul' });
    new TrainingJob(c, 'once', { name: 'retrain', namespace: 'other', pools: [pool], image: 'x', gpus: GpuRequest.whole(8) });
    const objs = synth(c);
    const cron = one(objs, 'CronJob');
    expect(cron.spec).toMatchObject({
      schedule: '0 3 * * *',
      timeZone: 'Asia/Seoul',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
    expect(cron.spec.jobTemplate.spec.ttlSecondsAfterFinished).toBeUndefined();
    const job = one(objs, 'Job');
    const strip = (tpl: any) => {
      const copy = JSON.parse(JSON.stringify(tpl));
      delete copy.metadata.labels['cdk8s.io/metadata.addr'];
      return copy;
    };
    expect(strip(cron.spec.jobTemplate.spec.template)).toEqual(strip(job.spec.template));
    expect(t.cronJob).toBeDefined();
    expect(t.job).toBeUndefined();
    expect(t.workload).toBe(t.cronJob);
    expectValid(objs);
  });

  test('a scheduled multi-node job: the gang lives in the jobTemplate', () => {
    const { objs } = twoNodeP5({ schedule: Cron.weekly(), startingDeadline: Duration.minutes(10) });
    const cron = one(objs, 'CronJob');
    expect(cron.spec.startingDeadlineSeconds).toBe(600);
    expect(cron.spec.jobTemplate.spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimitPerIndex: 3 });
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe(32);
    // Each run's Job is named <cronjob>-<minutes>: rank 0's hostname comes from the pod's job-name label.
    const ct = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(ct.env[0]).toEqual({ name: 'JOB_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.labels[\'batch.kubernetes.io/job-name\']' } } });
    expect(env(ct)).toMatchObject({ MASTER_ADDR: '$(JOB_NAME)-0.finetune', PET_MASTER_ADDR: '$(JOB_NAME)-0.finetune' });
    expect(ofKind(objs, 'Job')).toEqual([]);
    expect(one(objs, 'Service').metadata.name).toBe('finetune');
    expectValid(objs);
  });

  test.each([
    ['startingDeadline under 10 s', { startingDeadline: Duration.seconds(5) }, 'startingDeadline'],
    ['negative history', { successfulJobsRetained: -1 }, 'successfulJobsRetained'],
    ['a time zone with spaces', { timeZone: 'Seoul time' }, 'timeZone'],
    ['a CronJob name over 52 characters (its Jobs append 11)', { name: 'r'.repeat(53) }, 'name'],
  ])('%s → GpuConfigError on %s', (_, over, property) => {
    const c = chart();
    const e = configError(() => new TrainingJob(c, 'ft', { pools: [p5Pool(c)], image: 'x', gpus: GpuRequest.whole(8), schedule: Cron.daily(), ...over } as any));
    expect(e.property).toBe(property);
  });
});

describe('gang capacity, property-based (fixed seed)', () => {
  test('a gang of N × 8-GPU p5 ranks builds iff N × 8 fits the pool limit (and Capacity Block size); then every rank asks for 32 EFA', () => {
    const n = fc.integer({ min: 1, max: 6 });
    fc.assert(fc.property(n, n, fc.option(n, { nil: undefined }),
      (nodes: number, poolNodes: number, block: number | undefined) => {
        const c = chart();
        const pool = p5Pool(c, block === undefined ? { gpuLimit: poolNodes * 8 } : {
          gpuLimit: poolNodes * 8,
          capacityType: CapacityType.RESERVED,
          capacityReservations: [CapacityReservation.capacityBlock('cr-0123456789abcdef0', undefined, block)],
        });
        const room = Math.min(poolNodes, block ?? Infinity);
        const make = () => new TrainingJob(c, 'ft', { name: 'ft', pools: [pool], image: 'x', nodes });
        if (nodes > 1 && nodes > room) {
          const e = configError(make);
          expect(e.property).toBe('nodes');
          expect(e.message).toContain(`${nodes} nodes × 8 GPUs = ${nodes * 8} GPUs`);
          expect(e.message).toContain(`at most ${room * 8} GPUs`);
          return;
        }
        const job = make();
        expect(job.nodes).toBe(nodes);
        expect(job.efaInterfaces).toBe(nodes > 1 ? 32 : 0);
        const spec = one(synth(c), 'Job').spec;
        if (nodes > 1) expect([spec.completions, spec.parallelism]).toEqual([nodes, nodes]);
      }), { numRuns: 40, seed: 20261205 });
  });
});
