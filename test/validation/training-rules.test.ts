import * as path from 'path';
import { GPU_TOLERATION, lint, loadYaml, nodePool, of, workload } from './helpers';
import { Severity, validateManifests } from '../../src/validation';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');
const instanceTypes = (values: string[]) => [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values }];

function efaJob(efa: number, gpus = 1): any {
  return workload({ kind: 'Job', name: 'train', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': gpus, 'vpc.amazonaws.com/efa': efa } });
}

describe('GPU210 EFA requests need EFA instance types', () => {
  test('EFA on g5.xlarge (none) is an error naming the type and its 0 interfaces', () => {
    const [f, ...rest] = of(lint([nodePool({ name: 'g5', requirements: instanceTypes(['g5.xlarge']) }), efaJob(1)]), 'GPU210');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.template.spec.containers');
    expect(f.message).toContain('requests 1 vpc.amazonaws.com/efa per pod');
    expect(f.message).toContain('g5.xlarge: 0');
  });

  test('32 on p5.48xlarge passes; 33 fails; 32 on p4d.24xlarge (4) fails', () => {
    const p5 = nodePool({ name: 'p5', requirements: instanceTypes(['p5.48xlarge']) });
    expect(of(lint([p5, efaJob(32, 8)]), 'GPU210')).toEqual([]);
    expect(of(lint([p5, efaJob(33, 8)]), 'GPU210')[0].message).toContain('offer at most 32');
    const p4d = nodePool({ name: 'p4d', requirements: instanceTypes(['p4d.24xlarge']) });
    expect(of(lint([p4d, efaJob(32, 8)]), 'GPU210')[0].message).toContain('p4d.24xlarge: 4');
  });

  test('one EFA type among the fitting types is enough (Karpenter picks it)', () => {
    expect(of(lint([nodePool({ name: 'g5', requirements: instanceTypes(['g5.xlarge', 'g5.8xlarge']) }), efaJob(1)]), 'GPU210')).toEqual([]);
  });

  test('silent without NodePools, and for pods that fit no pool', () => {
    expect(of(lint([efaJob(1)]), 'GPU210')).toEqual([]);
    expect(of(lint([nodePool({ name: 'g5', requirements: instanceTypes(['g5.xlarge']) }), efaJob(1, 64)]), 'GPU210')).toEqual([]);
  });
});

describe('GPU211 multi-pod GPU Jobs on spot need a checkpoint volume', () => {
  const fail = () => loadYaml(path.join(FIXTURES, 'GPU211', 'fail.yaml')).map((m) => m.object);
  test('fires on parallelism 4 with only an emptyDir, at the volumes, as a warning', () => {
    const [f] = of(lint(fail()), 'GPU211');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.spec.volumes');
    expect(f.message).toContain('runs 4 GPU pods at once and may run on spot NodePool(s) g6-spot');
  });
  test('parallelism 1, on-demand pools, or a CPU job: silent', () => {
    const objs = fail();
    const job = objs.find((o) => o.kind === 'Job');
    job.spec.parallelism = 1;
    expect(of(lint(objs), 'GPU211')).toEqual([]);
    const od = fail();
    od.find((o) => o.kind === 'NodePool').spec.template.spec.requirements[1].values = ['on-demand'];
    expect(of(lint(od), 'GPU211')).toEqual([]);
    const cpu = fail();
    cpu.find((o) => o.kind === 'Job').spec.template.spec.containers[0].resources = { limits: { cpu: '1', memory: '1Gi' } };
    expect(of(lint(cpu), 'GPU211')).toEqual([]);
  });
  test('an NFS or CSI volume counts as a checkpoint volume; hostPath does not', () => {
    for (const [vol, fires] of [[{ name: 'c', nfs: { server: 'fs', path: '/' } }, false], [{ name: 'c', csi: { driver: 'efs.csi.aws.com' } }, false], [{ name: 'c', hostPath: { path: '/mnt' } }, true]] as const) {
      const objs = fail();
      objs.find((o) => o.kind === 'Job').spec.template.spec.volumes = [vol];
      expect(of(lint(objs), 'GPU211').length > 0).toBe(fires);
    }
  });
});

describe('GPU212 a gang must fit its pools at once', () => {
  test('2 × 8 GPUs on a pool limited to 8: error naming 16 and 8; the same on 16 passes', () => {
    const [f] = of(validateManifests(loadYaml(path.join(FIXTURES, 'GPU212', 'fail.yaml'))), 'GPU212');
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.parallelism');
    expect(f.message).toContain('2 ranks × 8 GPUs = 16 GPUs at once, but its NodePools allow 8 (p5-training: 8)');
    expect(of(validateManifests(loadYaml(path.join(FIXTURES, 'GPU212', 'pass.yaml'))), 'GPU212')).toEqual([]);
  });
  test('a non-Indexed parallel Job (a work queue) is not a gang', () => {
    const objs = loadYaml(path.join(FIXTURES, 'GPU212', 'fail.yaml')).map((m) => m.object);
    delete objs.find((o) => o.kind === 'Job').spec.completionMode;
    expect(of(lint(objs), 'GPU212')).toEqual([]);
  });
});

describe('GPU213 an EFA interface layout must fit the pool\'s instance types', () => {
  const load = (f: string) => loadYaml(path.join(FIXTURES, 'GPU213', f)).map((m) => m.object);
  test('32 efa-only interfaces on a p4d.24xlarge pool (4 EFA devices): error naming both', () => {
    const [f] = of(lint(load('fail.yaml')), 'GPU213');
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.template.spec.nodeClassRef');
    expect(f.message).toContain('whose 32 efa-only interfaces (network cards up to 31) fit none of the pool\'s instance types (EFA devices: p4d.24xlarge: 4)');
  });
  test('a 4-interface layout fits p4d.24xlarge; a pool mixing p4d and p5 fits through p5', () => {
    const objs = load('fail.yaml');
    const nc = objs.find((o) => o.kind === 'EC2NodeClass');
    nc.spec.networkInterfaces = nc.spec.networkInterfaces.filter((i: any) => i.networkCardIndex < 4);
    expect(of(lint(objs), 'GPU213')).toEqual([]);
    const mixed = load('fail.yaml');
    mixed.find((o) => o.kind === 'NodePool').spec.template.spec.requirements.find((r: any) => r.key === 'node.kubernetes.io/instance-type').values = ['p4d.24xlarge', 'p5.48xlarge'];
    expect(of(lint(mixed), 'GPU213')).toEqual([]);
  });
});

describe('GPU217 a multi-GPU container needs more than the runtime\'s 64 MiB /dev/shm', () => {
  const load = (f: string) => loadYaml(path.join(FIXTURES, 'GPU217', f)).map((m) => m.object);
  const gpus = (n: unknown, extra: any = {}) => {
    const w = workload({ name: 'tp', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': n } });
    Object.assign(w.spec.template.spec, extra.pod ?? {});
    Object.assign(w.spec.template.spec.containers[0], extra.container ?? {});
    return w;
  };
  const shm = (emptyDir: any, mountPath = '/dev/shm') => ({
    pod: { volumes: [{ name: 'dshm', emptyDir }] },
    container: { volumeMounts: [{ name: 'dshm', mountPath }] },
  });

  test('the seeds\' 4-GPU trainer without /dev/shm: a warning at the container\'s volumeMounts naming the 64 MiB', () => {
    const [f, g, ...rest] = of(lint(load('fail.yaml')), 'GPU217');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].volumeMounts');
    expect(f.message).toContain('container "trainer" uses 4 GPUs but mounts nothing at /dev/shm, so it gets the container runtime\'s 64 MiB');
    expect(g.fieldPath).toBe('spec.template.spec.volumes[0].emptyDir.sizeLimit');
    expect(g.message).toContain('mounts volume "dshm" at /dev/shm with a sizeLimit of "64Mi", no more than the container runtime\'s default 64 MiB');
    expect(of(lint(load('pass.yaml')), 'GPU217')).toEqual([]);
  });

  test('one GPU, or a whole-GPU count below 2, needs nothing; 2 GPUs do', () => {
    expect(of(lint([gpus(1)]), 'GPU217')).toEqual([]);
    expect(of(lint([gpus(2)]), 'GPU217')).toHaveLength(1);
    expect(of(lint([gpus('8')]), 'GPU217')[0].message).toContain('uses 8 GPUs');
    expect(of(lint([workload({ tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/mig-1g.10gb': 2 } })]), 'GPU217')).toEqual([]);
  });

  test('a memory-backed emptyDir above 64 MiB, one without sizeLimit, a disk-backed one, or hostIPC: silent', () => {
    expect(of(lint([gpus(4, shm({ medium: 'Memory', sizeLimit: '65Mi' }))]), 'GPU217')).toEqual([]);
    expect(of(lint([gpus(4, shm({ medium: 'Memory' }))]), 'GPU217')).toEqual([]);
    expect(of(lint([gpus(4, shm({}))]), 'GPU217')).toEqual([]);
    expect(of(lint([gpus(4, shm({ medium: 'Memory', sizeLimit: '8Gi' }, '//dev//shm/'))]), 'GPU217')).toEqual([]);
    expect(of(lint([gpus(4, { pod: { hostIPC: true } })]), 'GPU217')).toEqual([]);
  });

  test('64 MiB exactly, or less, is reported; a mount elsewhere is not /dev/shm', () => {
    expect(of(lint([gpus(4, shm({ medium: 'Memory', sizeLimit: '64Mi' }))]), 'GPU217')).toHaveLength(1);
    expect(of(lint([gpus(4, shm({ medium: 'Memory', sizeLimit: '1Mi' }))]), 'GPU217')).toHaveLength(1);
    const [f] = of(lint([gpus(4, shm({ medium: 'Memory', sizeLimit: '8Gi' }, '/dev/shmem'))]), 'GPU217');
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].volumeMounts');
  });

  test('a multi-GPU init container is judged too, at its own path', () => {
    const w = workload({ tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 }, initLimits: { 'nvidia.com/gpu': 2 } });
    const [f, ...rest] = of(lint([w]), 'GPU217');
    expect(rest).toEqual([]);
    expect(f.fieldPath).toBe('spec.template.spec.initContainers[0].volumeMounts');
  });
});

describe('GPU220 a training gang on Karpenter pools should carry karpenter.sh/do-not-disrupt', () => {
  const load = (f: string) => loadYaml(path.join(FIXTURES, 'GPU220', f)).map((m) => m.object);
  const job = (objs: any[]) => objs.find((o) => o.kind === 'Job');
  const pool = (objs: any[]) => objs.find((o) => o.kind === 'NodePool');

  test('a two-rank gang without the annotation: a warning at the pod template\'s annotations naming the pool', () => {
    const [f, ...rest] = of(lint(load('fail.yaml')), 'GPU220');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.metadata.annotations');
    expect(f.message).toContain('runs 2 GPU ranks as a gang on NodePool(s) p5, which Karpenter may drain');
  });

  test('"true" or a duration protects; "false" or an empty value does not', () => {
    for (const [value, fires] of [['true', false], ['30m', false], ['false', true], ['', true]] as const) {
      const objs = load('fail.yaml');
      job(objs).spec.template.metadata.annotations = { 'karpenter.sh/do-not-disrupt': value };
      expect(of(lint(objs), 'GPU220').length > 0).toBe(fires);
    }
  });

  test('a budget of nodes "0" without a schedule, for every reason, blocks voluntary disruption; a scheduled one does not', () => {
    for (const [budgets, fires] of [
      [[{ nodes: '0' }], false],
      [[{ nodes: '0%', reasons: ['Drifted', 'Underutilized', 'Empty'] }], false],
      [[{ nodes: '0', reasons: ['Underutilized'] }], true],
      [[{ nodes: '0', schedule: '0 9 * * 1-5', duration: '8h' }], true],
      [[{ nodes: '1' }], true],
    ] as const) {
      const objs = load('fail.yaml');
      pool(objs).spec.disruption.budgets = budgets;
      expect(of(lint(objs), 'GPU220').length > 0).toBe(fires);
    }
  });

  test('one-pod Jobs, CPU gangs and manifests without NodePools are not judged', () => {
    const single = load('fail.yaml');
    Object.assign(job(single).spec, { parallelism: 1, completions: 1 });
    expect(of(lint(single), 'GPU220')).toEqual([]);
    const cpu = load('fail.yaml');
    job(cpu).spec.template.spec.containers[0].resources = { limits: { cpu: '2', memory: '4Gi' } };
    expect(of(lint(cpu), 'GPU220')).toEqual([]);
    expect(of(lint(load('fail.yaml').filter((o) => o.kind !== 'NodePool')), 'GPU220')).toEqual([]);
  });
});

describe('GPU225 gangs confined to the same pools, beyond their limits together, should be admitted whole', () => {
  const load = (f: string) => loadYaml(path.join(FIXTURES, 'GPU225', f)).map((m) => m.object);
  const jobs = (objs: any[]) => objs.filter((o) => o.kind === 'Job');

  test('two gangs that fit alone but not together: one warning, on the gang asking for most, with the numbers', () => {
    const objs = load('fail.yaml');
    expect(of(lint(objs), 'GPU212')).toEqual([]);
    const [f, ...rest] = of(lint(objs), 'GPU225');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect([f.object.name, f.fieldPath]).toEqual(['llama-pretrain', 'spec.parallelism']);
    expect(f.message).toBe('is one of the gangs that can only use NodePools p5 (Job llama-pretrain 2 ranks × 8 = 16; Job llama-eval 2 ranks × 4 = 8: '
      + '24 GPUs), which allow 16 (p5: 16); if they are pending at the same time, kube-scheduler may give each some of its ranks\' nodes and '
      + 'every started rank waits for the rest');
    expect(of(lint(load('pass.yaml')), 'GPU225')).toEqual([]);
  });

  test('gangs queued by Kueue are admitted whole and not judged; a CronJob counts with its template, a Job it owns through it', () => {
    const queued = load('fail.yaml');
    // The label on the pods alone admits them one by one (Kueue's pod integration): no gang admission.
    jobs(queued)[1].spec.template.metadata = { ...jobs(queued)[1].spec.template.metadata, labels: { 'kueue.x-k8s.io/queue-name': 'training' } };
    expect(of(lint(queued), 'GPU225')).toHaveLength(1);
    jobs(queued)[1].metadata.labels = { 'kueue.x-k8s.io/queue-name': 'training' };
    expect(of(lint(queued), 'GPU225')).toEqual([]);
    // llama-eval as a CronJob: still a gang that may overlap.
    const cron = load('fail.yaml');
    const evalJob = jobs(cron)[1];
    cron[cron.indexOf(evalJob)] = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: evalJob.metadata, spec: { schedule: '0 2 * * 0', jobTemplate: { spec: evalJob.spec } } };
    expect(of(lint(cron), 'GPU225')[0].message).toContain('CronJob llama-eval 2 ranks × 4 = 8');
    // The CronJob's own labels are not copied to its Jobs: a label there queues nothing.
    cron[cron.indexOf(cron.find((o: any) => o.kind === 'CronJob'))].metadata.labels = { 'kueue.x-k8s.io/queue-name': 'training' };
    expect(of(lint(cron), 'GPU225')).toHaveLength(1);
    // Kueue's label on the CronJob's jobTemplate queues the Jobs it makes.
    cron[cron.indexOf(cron.find((o: any) => o.kind === 'CronJob'))].spec.jobTemplate.metadata = { labels: { 'kueue.x-k8s.io/queue-name': 'training' } };
    expect(of(lint(cron), 'GPU225')).toEqual([]);
    // A Job a CronJob made (kubectl's view) is its CronJob's run, not another gang.
    const owned = load('fail.yaml');
    jobs(owned)[1].metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'llama-eval', uid: 'u', controller: true }];
    expect(of(lint(owned), 'GPU225')).toEqual([]);
  });

  test('not judged: a gang over the limits alone (GPU212), a single gang, a job that is no gang', () => {
    const alone = load('fail.yaml');
    jobs(alone)[0].spec.parallelism = jobs(alone)[0].spec.completions = 3;
    expect(of(lint(alone), 'GPU225')).toEqual([]);
    expect(of(lint(alone), 'GPU212')).toHaveLength(1);
    const single = load('fail.yaml').filter((o: any) => o.metadata?.name !== 'llama-eval');
    expect(of(lint(single), 'GPU225')).toEqual([]);
    const noGang = load('fail.yaml');
    delete jobs(noGang)[1].spec.template.spec.subdomain;
    expect(of(lint(noGang), 'GPU225')).toEqual([]);
  });
});

describe('GPU231 a CronJob running a GPU gang should not let its runs overlap', () => {
  const load = (f: string) => loadYaml(path.join(FIXTURES, 'GPU231', f)).map((m) => m.object);
  const cron = (objs: any[]) => objs.find((o: any) => o.kind === 'CronJob');

  test('concurrencyPolicy unset or Allow on pools that hold one run: a warning naming the run and the limit', () => {
    const [f, ...rest] = of(lint(load('fail.yaml')), 'GPU231');
    expect(rest).toEqual([]);
    expect([f.severity, f.object.name, f.fieldPath]).toEqual([Severity.WARNING, 'nightly-pretrain', 'spec.concurrencyPolicy']);
    expect(f.message).toBe('is unset (Allow): a run still going at the next schedule time starts a second gang of 2 ranks × 8 = 16 GPUs beside it, '
      + 'but NodePools p5 allow 16 (p5: 16), one run: the two may each get some of their ranks\' nodes and every started rank waits for the rest');
    const allow = load('fail.yaml');
    cron(allow).spec.concurrencyPolicy = 'Allow';
    expect(of(lint(allow), 'GPU231')[0].message).toMatch(/^is "Allow": /);
  });

  test('not judged: Forbid or Replace, room for two runs, a Kueue-queued CronJob, a CronJob that runs no gang, a Job', () => {
    expect(of(lint(load('pass.yaml')), 'GPU231')).toEqual([]);
    const replace = load('fail.yaml');
    cron(replace).spec.concurrencyPolicy = 'Replace';
    expect(of(lint(replace), 'GPU231')).toEqual([]);
    const roomy = load('fail.yaml');
    roomy.find((o: any) => o.kind === 'NodePool').spec.limits['nvidia.com/gpu'] = 32;
    expect(of(lint(roomy), 'GPU231')).toEqual([]);
    const queued = load('fail.yaml');
    cron(queued).spec.jobTemplate.metadata = { labels: { 'kueue.x-k8s.io/queue-name': 'training' } };
    expect(of(lint(queued), 'GPU231')).toEqual([]);
    const noGang = load('fail.yaml');
    delete cron(noGang).spec.jobTemplate.spec.template.spec.subdomain;
    expect(of(lint(noGang), 'GPU231')).toEqual([]);
    // Over the limit for one run already: GPU212's finding.
    const tooBig = load('fail.yaml');
    tooBig.find((o: any) => o.kind === 'NodePool').spec.limits['nvidia.com/gpu'] = 8;
    expect(of(lint(tooBig), 'GPU231')).toEqual([]);
    expect(of(lint(tooBig), 'GPU212')).toHaveLength(1);
  });
});
