import { GPU_TOLERATION, nodePool, of, poolOfTypes, workload } from './helpers';
import { Finding, Severity, validateManifests } from '../../src/validation';
import { allowedDisruptions, rolloutFenceposts, WORKLOAD_RULES } from '../../src/validation/rules/workloads';

const run = (objects: any[]): Finding[] => validateManifests(objects.map((object) => ({ object })), { rules: WORKLOAD_RULES });

const gpuApp = (o: any = {}) => workload({ tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1, 'cpu': '2', 'memory': '8Gi' }, ...o });
const withPodSpec = (obj: any, fields: any) => { Object.assign(obj.spec.template.spec, fields); return obj; };

describe('WORKLOAD_RULES (GPU201-GPU205, GPU214, GPU218, GPU219, GPU223, GPU224, GPU226, GPU228-GPU230, GPU248-GPU250)', () => {
  test('ids are GPU2xx, unique, documented', () => {
    expect(WORKLOAD_RULES.map((r) => r.id)).toEqual(['GPU201', 'GPU202', 'GPU203', 'GPU204', 'GPU205', 'GPU214', 'GPU218', 'GPU219', 'GPU223', 'GPU224', 'GPU226', 'GPU228', 'GPU229', 'GPU230', 'GPU248', 'GPU249', 'GPU250']);
    for (const r of WORKLOAD_RULES) {
      expect(r.description!.length).toBeGreaterThan(50);
      expect(r.remediation.length).toBeGreaterThan(20);
      expect(r.title.length).toBeGreaterThan(10);
    }
    const { ERROR, WARNING } = Severity;
    expect(WORKLOAD_RULES.map((r) => r.severity))
      .toEqual([ERROR, ERROR, ERROR, ERROR, WARNING, ERROR, ERROR, ERROR, ERROR, WARNING, WARNING, ERROR, ERROR, WARNING, ERROR, WARNING, ERROR]);
  });

  // Each rule's pass/fail fixtures are run by the registry self-test (test/validation/registry.test.ts).
});

describe('GPU201 priority class exists', () => {
  const pc = (name: string) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: 1 });
  test('names the missing class and lists the defined ones', () => {
    const [f] = of(run([pc('inference-critical'), withPodSpec(gpuApp(), { priorityClassName: 'inference-critcal' })]), 'GPU201');
    expect(f.fieldPath).toBe('spec.template.spec.priorityClassName');
    expect(f.message).toMatch(/"inference-critcal".*defined here: inference-critical/);
  });
  test('built-ins, defined classes and no class pass; CPU workloads are judged too', () => {
    expect(of(run([withPodSpec(gpuApp(), { priorityClassName: 'system-cluster-critical' })]), 'GPU201')).toEqual([]);
    expect(of(run([pc('x'), withPodSpec(workload(), { priorityClassName: 'x' })]), 'GPU201')).toEqual([]);
    expect(of(run([gpuApp()]), 'GPU201')).toEqual([]);
    const cj = workload({ kind: 'CronJob' });
    cj.spec.jobTemplate.spec.template.spec.priorityClassName = 'nope';
    expect(of(run([cj]), 'GPU201')[0].fieldPath).toBe('spec.jobTemplate.spec.template.spec.priorityClassName');
  });
});

describe('GPU202 quota allows one pod', () => {
  const quota = (hard: any, ns = 'default', extra: any = {}) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: ns }, spec: { hard, ...extra } });
  test('GPU, cpu and memory hard limits below one pod', () => {
    const f = of(run([quota({ 'requests.nvidia.com/gpu': 0, 'requests.memory': '4Gi', 'cpu': 1 }), gpuApp()]), 'GPU202');
    expect(f.map((x) => x.message.split(',')[0])).toEqual([
      'one pod needs requests.nvidia.com/gpu 1', 'one pod needs requests.memory 8Gi', 'one pod needs cpu 2',
    ]);
  });
  test('quotas of another namespace, unknown scopes or a non-matching PriorityClass scope do not apply', () => {
    expect(of(run([quota({ 'requests.nvidia.com/gpu': 0 }, 'other'), gpuApp()]), 'GPU202')).toEqual([]);
    expect(of(run([quota({ 'requests.nvidia.com/gpu': 0 }, 'default', { scopes: ['BestEffort'] }), gpuApp()]), 'GPU202')).toEqual([]);
    const scoped = quota({ 'requests.nvidia.com/gpu': 0 }, 'default', { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['experiment-low'] }] } });
    expect(of(run([scoped, withPodSpec(gpuApp(), { priorityClassName: 'inference-critical' })]), 'GPU202')).toEqual([]);
    expect(of(run([scoped, withPodSpec(gpuApp(), { priorityClassName: 'experiment-low' })]), 'GPU202')).toHaveLength(1);
  });
  test('ephemeral storage: requests.ephemeral-storage and its short name', () => {
    const disky = gpuApp({ limits: { 'nvidia.com/gpu': 1, 'cpu': '2', 'memory': '8Gi', 'ephemeral-storage': '104Gi' } });
    expect(of(run([quota({ 'requests.ephemeral-storage': '100Gi' }), disky]), 'GPU202')[0].message)
      .toMatch(/^one pod needs requests\.ephemeral-storage 104Gi, but ResourceQuota q/);
    expect(of(run([quota({ 'ephemeral-storage': '100Gi' }), disky]), 'GPU202')).toHaveLength(1);
    expect(of(run([quota({ 'requests.ephemeral-storage': '200Gi' }), disky]), 'GPU202')).toEqual([]);
    expect(of(run([quota({ 'requests.ephemeral-storage': '1Gi' }), gpuApp()]), 'GPU202')).toEqual([]);
  });
  test('CPU workloads are not judged', () => {
    expect(of(run([quota({ 'requests.cpu': 0 }), workload({ limits: { cpu: 1 } })]), 'GPU202')).toEqual([]);
  });
});

describe('GPU203 fits its pools', () => {
  const g5small = nodePool({ name: 'small', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge'] }] });
  test('pinned by required node affinity to a pool too small: names the pool and the largest type', () => {
    const app = withPodSpec(gpuApp({ limits: { 'nvidia.com/gpu': 4 } }), {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['small'] }] }] } } },
    });
    const [f] = of(run([g5small, nodePool({ name: 'big', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.12xlarge'] }] }), app]), 'GPU203');
    expect(f.message).toBe('can never be scheduled: NodePool small: needs 4 nvidia.com/gpu per pod; the largest allowed type g5.xlarge has 1');
  });
  test('seven pools too small: the first five named with their reasons, the rest counted', () => {
    const small = (i: number) => nodePool({ name: `small-${i}`, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge'] }] });
    const [f] = of(run([...[0, 1, 2, 3, 4, 5, 6].map(small), gpuApp({ limits: { 'nvidia.com/gpu': 4 } })]), 'GPU203');
    const reason = 'needs 4 nvidia.com/gpu per pod; the largest allowed type g5.xlarge has 1';
    expect(f.message).toBe(`can never be scheduled: ${[0, 1, 2, 3, 4].map((i) => `NodePool small-${i}: ${reason}`).join('; ')} and 2 more`);
  });
  test('unpinned: judged against the pools offering GPUs whose taints it tolerates; memory too large', () => {
    const [f] = of(run([g5small, gpuApp({ limits: { 'nvidia.com/gpu': 1, 'memory': '64Gi' } })]), 'GPU203');
    expect(f.message).toMatch(/NodePool small: needs 64Gi memory per pod/);
  });
  test('a label GPU feature discovery writes after the node joins: Karpenter never launches for it; the message names Karpenter\'s label', () => {
    const p4de = nodePool({ name: 'a100', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4de.24xlarge'] }] });
    const product = withPodSpec(gpuApp(), { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } });
    const [f] = of(run([p4de, product]), 'GPU203');
    expect(f.message).toBe('can never be scheduled: NodePool a100: nodeSelector nvidia.com/gpu.product=NVIDIA-A100-SXM4-80GB matches no node '
      + 'of this pool: nvidia.com/gpu.product is written by GPU feature discovery after the node joins, so Karpenter, which chooses a node '
      + 'from the labels it knows before launch, never launches one for this pod (select karpenter.k8s.aws/instance-gpu-name=a100 and '
      + 'karpenter.k8s.aws/instance-gpu-memory=81920 instead, or add the label to the NodePool\'s template labels)');
    // The fix is the selection, not the pod's size.
    expect(f.remediation).toMatch(/^Select nodes by labels Karpenter knows before it launches them/);
    // The same through required node affinity, with the H100's GFD name (one Karpenter name: no memory needed).
    const h100 = { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3'] };
    const required = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [h100] }] } };
    const affinity = withPodSpec(gpuApp(), { affinity: { nodeAffinity: required } });
    expect(of(run([p4de, affinity]), 'GPU203')[0].message).toContain('(select karpenter.k8s.aws/instance-gpu-name=h100 instead,');
    // A pool that sets the label in its template: Karpenter knows it, the pod fits.
    const labelled = nodePool({ name: 'a100', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4de.24xlarge'] }] });
    labelled.spec.template.metadata = { labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } };
    expect(of(run([labelled, product]), 'GPU203')).toEqual([]);
    // A DaemonSet's pods go to nodes that exist, GFD's labels included: not judged.
    const ds = withPodSpec(gpuApp({ kind: 'DaemonSet' }), { nodeSelector: { 'nvidia.com/gpu.present': 'true' } });
    expect(of(run([p4de, ds]), 'GPU203')).toEqual([]);
    const deployment = withPodSpec(gpuApp(), { nodeSelector: { 'nvidia.com/gpu.present': 'true' } });
    expect(of(run([p4de, deployment]), 'GPU203')[0].message).toContain('nvidia.com/gpu.present is written by GPU feature discovery');
    // A Karpenter label with a value the pool never has: a selection failure, with no such explanation.
    const wrongName = withPodSpec(gpuApp(), { nodeSelector: { 'karpenter.k8s.aws/instance-gpu-name': 'h100' } });
    const [w] = of(run([p4de, wrongName]), 'GPU203');
    expect(w.message).toBe('can never be scheduled: NodePool a100: nodeSelector karpenter.k8s.aws/instance-gpu-name=h100 matches no node of this pool');
    expect(w.remediation).toMatch(/^Select nodes by labels Karpenter knows/);
    // A size failure keeps the rule's own fix.
    expect(of(run([g5small, gpuApp({ limits: { 'nvidia.com/gpu': 4 } })]), 'GPU203')[0].remediation).toMatch(/^Request fewer GPUs/);
  });
  test('silent when it fits, with no NodePools, or when only taints block (GPU002\'s job)', () => {
    expect(of(run([g5small, gpuApp()]), 'GPU203')).toEqual([]);
    expect(of(run([gpuApp({ limits: { 'nvidia.com/gpu': 64 } })]), 'GPU203')).toEqual([]);
    expect(of(run([g5small, workload({ limits: { 'nvidia.com/gpu': 4 } })]), 'GPU203')).toEqual([]);
  });
});

describe('GPU204 MIG resource offered', () => {
  const mig = gpuApp({ limits: { 'nvidia.com/mig-1g.10gb': 1 } });
  const pool = (types: string[], annotations?: any) => {
    const p = nodePool({ name: types[0].split('.')[0], requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: types }] });
    if (annotations) p.metadata.annotations = annotations;
    return p;
  };
  test('no MIG-capable GPU with that profile among the pools', () => {
    const [f] = of(run([pool(['g5.xlarge']), mig]), 'GPU204');
    expect(f.message).toMatch(/A10G-24GB\) have no MIG profile 1g\.10gb/);
    // A100-40GB (p4d) has no 1g.20gb (an H100/A100-80GB profile)
    expect(of(run([pool(['p4d.24xlarge']), gpuApp({ limits: { 'nvidia.com/mig-1g.20gb': 1 } })]), 'GPU204')[0].message).toMatch(/have no MIG profile 1g\.20gb/);
  });
  test('no benefit of the doubt: a MIG-capable pool without a layout or NodeOverlay offers nothing Karpenter can launch (issue 15, case 3)', () => {
    // p4d (A100-40GB) has 1g.10gb, but nothing tells Karpenter: the pod stays Pending.
    const [f] = of(run([pool(['p4d.24xlarge']), mig]), 'GPU204');
    expect(f.message).toMatch(/NodePool\(s\) p4d have GPUs with MIG profile 1g\.10gb \(A100-SXM4-40GB\), but neither a MIG layout nor a NodeOverlay offers it/);
    expect(f.remediation).toMatch(/MigConfig\.applyTo\(pool\)/);
    expect(f.remediation).toMatch(/\{nvidia\.com\/mig-1g\.10gb: "32"\}/); // 4 per A100-40GB × 8
    expect(of(run([pool(['p5.48xlarge']), mig]), 'GPU204')).toHaveLength(1);
  });
  test('a NodeOverlay in the manifests offering the slice to the pool satisfies it (Karpenter\'s view)', () => {
    const overlay = (name: string, poolName: string, capacity: Record<string, string>) => ({
      apiVersion: 'karpenter.sh/v1alpha1',
      kind: 'NodeOverlay',
      metadata: { name },
      spec: { requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: [poolName] }, { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'In', values: ['8'] }], capacity },
    });
    expect(of(run([pool(['p4d.24xlarge']), overlay('p4d-slices', 'p4d', { 'nvidia.com/mig-1g.10gb': '56' }), mig]), 'GPU204')).toEqual([]);
    // An overlay for another pool, or for another resource, does not.
    expect(of(run([pool(['p4d.24xlarge']), overlay('other', 'other', { 'nvidia.com/mig-1g.10gb': '56' }), mig]), 'GPU204')).toHaveLength(1);
    expect(of(run([pool(['p4d.24xlarge']), overlay('p4d-slices', 'p4d', { 'nvidia.com/mig-2g.20gb': '24' }), mig]), 'GPU204')).toHaveLength(1);
  });
  test('declared layouts are trusted', () => {
    const declared = pool(['p5.48xlarge'], { 'cdk8s-gpu.io/advertised-resources-per-gpu': '{"nvidia.com/mig-3g.40gb": 2}' });
    expect(of(run([declared, mig]), 'GPU204')[0].message).toMatch(/declared MIG layouts do not include it/);
  });
  test('silent without NodePools', () => {
    expect(of(run([mig]), 'GPU204')).toEqual([]);
  });
});

describe('GPU205 spot Deployment safety', () => {
  const spot = nodePool({
    name: 'spot',
    requirements: [
      { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g6'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
    ],
  });
  const pdb = (selector: any, ns = 'default') => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: ns }, spec: { maxUnavailable: 1, selector } });
  test('missing PDB and the default 30 s grace: one warning; 300 s grace: two', () => {
    expect(of(run([spot, gpuApp()]), 'GPU205').map((f) => f.fieldPath)).toEqual(['metadata.name']);
    const f = of(run([spot, withPodSpec(gpuApp(), { terminationGracePeriodSeconds: 300 })]), 'GPU205');
    expect(f.map((x) => x.fieldPath)).toEqual(['metadata.name', 'spec.template.spec.terminationGracePeriodSeconds']);
    expect(f[1].message).toMatch(/300 s on spot NodePool\(s\) spot/);
  });
  test('seven spot pools: the message names the first five and counts the rest', () => {
    const pools = Array.from({ length: 7 }, (_, i) => ({ ...spot, metadata: { name: `spot-${i}` } }));
    const [f] = of(run([...pools, gpuApp()]), 'GPU205');
    expect(f.message).toMatch(/^may run on spot NodePool\(s\) spot-0, spot-1, spot-2, spot-3, spot-4 and 2 more but no PodDisruptionBudget/);
  });
  test('a PDB selecting the pods (labels or expressions) in the same namespace satisfies it', () => {
    expect(of(run([spot, gpuApp(), pdb({ matchLabels: { app: 'app' } })]), 'GPU205')).toEqual([]);
    expect(of(run([spot, gpuApp(), pdb({ matchExpressions: [{ key: 'app', operator: 'Exists' }] })]), 'GPU205')).toEqual([]);
    expect(of(run([spot, gpuApp(), pdb({ matchLabels: { app: 'app' } }, 'other')]), 'GPU205')).toHaveLength(1);
    expect(of(run([spot, gpuApp(), pdb({ matchLabels: { app: 'else' } })]), 'GPU205')).toHaveLength(1);
  });
  test('not judged: Jobs, on-demand pools, pods that do not tolerate the spot pool', () => {
    expect(of(run([spot, gpuApp({ kind: 'Job' })]), 'GPU205')).toEqual([]);
    expect(of(run([nodePool(), gpuApp()]), 'GPU205')).toEqual([]);
    expect(of(run([spot, gpuApp({ tolerations: [] })]), 'GPU205')).toEqual([]);
  });
});

describe('GPU214 a quota caps an extended resource only as requests.<resource>', () => {
  const quota = (hard: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ml' }, spec: { hard } });
  const gpu214 = (hard: Record<string, unknown>) => of(run([quota(hard)]), 'GPU214');

  test('a bare or limits. key is reported at the key, with the key to write instead', () => {
    const [bare, limits, ...rest] = gpu214({ 'nvidia.com/gpu': 8, 'limits.aws.amazon.com/neuron': '4', 'requests.cpu': '64' });
    expect(rest).toEqual([]);
    expect(bare.severity).toBe(Severity.ERROR);
    expect(bare.fieldPath).toBe('spec.hard["nvidia.com/gpu"]');
    expect(bare.message).toBe('caps nvidia.com/gpu, a key no quota evaluator counts (extended resources are counted only as '
      + 'requests.nvidia.com/gpu): this quota does not limit nvidia.com/gpu at all');
    expect(bare.remediation).toBe('Write it as requests.nvidia.com/gpu: 8 (an extended resource\'s limit always equals its request).');
    expect(limits.fieldPath).toBe('spec.hard["limits.aws.amazon.com/neuron"]');
    expect(limits.remediation).toContain('requests.aws.amazon.com/neuron: "4"');
  });

  test('counted keys, native resources and other evaluators\' keys are not judged', () => {
    expect(gpu214({
      'requests.nvidia.com/gpu': 8,
      'requests.nvidia.com/mig-3g.40gb': 2,
      'cpu': '8',
      'limits.memory': '64Gi',
      'hugepages-2Mi': '1Gi',
      'pods': '10',
      'count/jobs.batch': '5',
      'gp3.storageclass.storage.k8s.io/persistentvolumeclaims': '3',
      'gpu.nvidia.com.deviceclass.resource.k8s.io/devices': '4',
      'example.kubernetes.io/thing': '1',
    })).toEqual([]);
  });
});

describe('GPU218 a rollout that keeps every old pod needs room for one more', () => {
  const p5 = (limit: number) => nodePool({ name: 'p5', limits: { 'nvidia.com/gpu': limit }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge'] }] });
  const server = (o: any = {}, spec: any = {}) => {
    const w = workload({ name: 'llm', namespace: 'inference', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': o.gpus ?? 8 }, ...o });
    Object.assign(w.spec, spec);
    return w;
  };
  const quota = (hard: any, extra: any = {}) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: 'inference' }, spec: { hard, ...extra } });
  const gpu218 = (objs: any[]) => of(run(objs), 'GPU218');

  test('one 8-GPU replica, default strategy, pool of 8: an error at spec.strategy with the fenceposts and the limit', () => {
    const [f, ...rest] = gpu218([p5(8), server()]);
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.strategy');
    expect(f.message).toContain('at 1 replica(s), maxSurge "25%" (the default) and maxUnavailable "25%" (the default) resolve to 1 and 0');
    expect(f.message).toContain('needs 2 pods of 8 GPU(s) at once (16 GPUs), but the NodePools it can use hold at most 1 within their limits (p5: limit 8 GPUs, a p5.48xlarge (8 GPUs) holds 1)');
  });

  test('room is counted node by node: 12 GPUs of limit buy one 8-GPU node, two 4-GPU pods, though 3 × 4 = 12', () => {
    const p4d = nodePool({ name: 'p4d', limits: { 'nvidia.com/gpu': 12 }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge'] }] });
    const [f] = gpu218([p4d, server({ gpus: 4 }, { replicas: 2 })]);
    expect(f.message).toContain('needs 3 pods of 4 GPU(s) at once (12 GPUs), but the NodePools it can use hold at most 2');
  });

  test('room for one more, Recreate, maxUnavailable ≥ 1, or 4 replicas (25% → 1): silent', () => {
    expect(gpu218([p5(16), server()])).toEqual([]);
    expect(gpu218([p5(8), server({}, { strategy: { type: 'Recreate' } })])).toEqual([]);
    expect(gpu218([p5(8), server({}, { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } })])).toEqual([]);
    expect(gpu218([p5(32), server({}, { replicas: 4 })])).toEqual([]);
    expect(gpu218([p5(24), server({}, { replicas: 3 })])).toHaveLength(1);
  });

  test('replicas beyond the limit already (another problem), CPU Deployments and StatefulSets: not judged', () => {
    expect(gpu218([p5(8), server({}, { replicas: 2 })])).toEqual([]);
    expect(gpu218([p5(8), workload({ name: 'web', namespace: 'inference', limits: { cpu: '1' } })])).toEqual([]);
    expect(gpu218([p5(8), server({ kind: 'StatefulSet' })])).toEqual([]);
  });

  test('the namespace quota counts; a scoped quota is not judged', () => {
    const [f] = gpu218([server({ gpus: 4 }, { replicas: 2, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }), quota({ 'requests.nvidia.com/gpu': '8' })]);
    expect(f.message).toContain('needs 3 pods of 4 GPU(s) at once (12 GPUs), but ResourceQuota gpu allows requests.nvidia.com/gpu 8');
    expect(gpu218([server({ gpus: 4 }, { replicas: 2 }), quota({ 'requests.nvidia.com/gpu': '8' }, { scopes: ['NotBestEffort'] })])).toEqual([]);
  });

  test('a scaler sets the replicas judged: its minimum, at least 1', () => {
    const so = (min: number | undefined) => ({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 's', namespace: 'inference' },
      spec: { scaleTargetRef: { name: 'llm' }, ...(min === undefined ? {} : { minReplicaCount: min }), maxReplicaCount: 3, triggers: [] },
    });
    expect(gpu218([p5(24), server({}, { replicas: 1 }), so(3)])[0].message).toContain('at 3 replica(s)');
    expect(gpu218([p5(24), server({}, { replicas: 3 }), so(1)])).toEqual([]);
    expect(gpu218([p5(8), server({}, { replicas: 3 }), so(undefined)])[0].message).toContain('at 1 replica(s)');
  });

  test('rolloutFenceposts resolves as the Deployment controller does', () => {
    const d = (strategy: any) => ({ spec: { strategy } });
    expect(rolloutFenceposts(d(undefined), 1)).toMatchObject({ surge: 1, unavailable: 0 });
    expect(rolloutFenceposts(d(undefined), 4)).toMatchObject({ surge: 1, unavailable: 1 });
    expect(rolloutFenceposts(d({ rollingUpdate: { maxSurge: '50%', maxUnavailable: '10%' } }), 10)).toMatchObject({ surge: 5, unavailable: 1 });
    expect(rolloutFenceposts(d({ rollingUpdate: { maxSurge: '0%', maxUnavailable: '10%' } }), 3)).toMatchObject({ surge: 0, unavailable: 1 });
    expect(rolloutFenceposts(d({ type: 'Recreate' }), 3)).toBeUndefined();
    expect(rolloutFenceposts(d({ rollingUpdate: { maxSurge: 'lots' } }), 3)).toBeUndefined();
  });
});

describe('GPU226 at its scaler\'s maximum, a rollout that keeps every old pod should have room for one more', () => {
  const p5 = (limit: number) => nodePool({ name: 'p5', limits: { 'nvidia.com/gpu': limit }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge'] }] });
  const SURGE = { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
  const server = (gpus = 8, strategy: any = SURGE) => {
    const w = workload({ name: 'llm', namespace: 'inference', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': gpus } });
    w.spec.strategy = strategy;
    return w;
  };
  const keda = (min: number | undefined, max: number | undefined) => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 's', namespace: 'inference' },
    spec: { scaleTargetRef: { name: 'llm' }, ...(min === undefined ? {} : { minReplicaCount: min }), ...(max === undefined ? {} : { maxReplicaCount: max }), triggers: [] },
  });
  const hpa = (min: number | undefined, max: number) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 's', namespace: 'inference' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' }, ...(min === undefined ? {} : { minReplicas: min }), maxReplicas: max },
  });
  const quota = (gpus: string) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: 'inference' }, spec: { hard: { 'requests.nvidia.com/gpu': gpus } } });
  const gpu226 = (objs: any[]) => of(run(objs), 'GPU226');

  test('room for the surge pod at the minimum, none at the maximum: a warning with the maximum, the fenceposts and the pools', () => {
    const [f, ...rest] = gpu226([p5(16), server(), keda(1, 2)]);
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.strategy');
    expect(f.message).toBe('rolls out keeping every old pod: at its scaler\'s maximum of 2 replicas, maxSurge 1 and maxUnavailable 0 resolve to 1 and 0, '
      + 'so a rollout needs 3 pods of 8 GPU(s) at once (24 GPUs), but the NodePools it can use hold at most 2 within their limits '
      + '(p5: limit 16 GPUs, a p5.48xlarge (8 GPUs) holds 1): a rollout started at the peak reaches no pod until the scaler removes a replica');
    expect(of(run([p5(16), server(), keda(1, 2)]), 'GPU218')).toEqual([]);
    // An HPA's maximum, its minimum defaulting to 1; KEDA's minimum defaulting to 0 (a running target has 1).
    expect(gpu226([p5(16), server(), hpa(undefined, 2)])).toHaveLength(1);
    expect(gpu226([p5(16), server(), keda(undefined, 2)])).toHaveLength(1);
  });

  test('the namespace quota counts as GPU218 counts it', () => {
    expect(gpu226([server(4), keda(1, 2), quota('8')]).map((f) => f.message))
      .toEqual([expect.stringMatching(/needs 3 pods of 4 GPU\(s\) at once \(12 GPUs\), but ResourceQuota gpu allows requests.nvidia.com\/gpu 8: a rollout started at the peak/)]);
    expect(gpu226([server(4), keda(1, 2), quota('12')])).toEqual([]);
  });

  test('silent: room at the maximum, an unavailable pod allowed there (25% of 4), GPU218\'s case, a maximum that does not fit, no range', () => {
    expect(gpu226([p5(24), server(), keda(1, 2)])).toEqual([]);
    expect(gpu226([p5(32), server(8, {}), keda(1, 4)])).toEqual([]); // 25% of 4 → 1 unavailable: old pods go first
    expect(gpu226([p5(40), server(8, {}), keda(1, 4)])).toEqual([]);
    expect(gpu226([p5(24), server(8, {}), keda(1, 3)])).toHaveLength(1); // 25% of 3 → 0
    expect(gpu226([p5(8), server(), keda(1, 2)])).toEqual([]); // no room at the minimum either: GPU218
    expect(of(run([p5(8), server(), keda(1, 2)]), 'GPU218')).toHaveLength(1);
    expect(gpu226([p5(16), server(), keda(1, 3)])).toEqual([]); // 3 replicas do not fit at all: GPU219
    expect(gpu226([p5(16), server(), keda(2, 2)])).toEqual([]); // GPU218 judges the one count
    expect(gpu226([p5(16), server()])).toEqual([]);
    expect(gpu226([p5(16), server(8, { type: 'Recreate' }), keda(1, 2)])).toEqual([]);
    expect(gpu226([p5(16), server(8, { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }), keda(1, 2)])).toEqual([]);
  });
});

describe('GPU228 the replicas a namespace\'s GPU workloads always run must fit its ResourceQuota together', () => {
  const quota = (hard: any, extra: any = {}, ns = 'research') => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: ns }, spec: { hard, ...extra } });
  const app = (name: string, replicas: number | undefined, limits: any, o: any = {}) => {
    const w = workload({ name, namespace: 'research', tolerations: [GPU_TOLERATION], limits, ...o });
    if (replicas === undefined) delete w.spec.replicas;
    else w.spec.replicas = replicas;
    return w;
  };
  const so = (target: string, spec: any) => ({
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: target, namespace: 'research' }, spec: { scaleTargetRef: { name: target }, triggers: [], ...spec },
  });
  const gpu228 = (objs: any[]) => of(run(objs), 'GPU228');

  test('two workloads that fit alone but not together: one error on the quota, the workloads listed largest first', () => {
    const [f, ...rest] = gpu228([quota({ 'requests.nvidia.com/gpu': '8' }), app('a', 1, { 'nvidia.com/gpu': 4 }), app('b', 2, { 'nvidia.com/gpu': 4 })]);
    expect(rest).toEqual([]);
    expect([f.object.kind, f.fieldPath, f.severity]).toEqual(['ResourceQuota', 'spec.hard[requests.nvidia.com/gpu]', Severity.ERROR]);
    expect(f.message).toBe('allows 8 nvidia.com/gpu in namespace research, but the replicas its workloads always run ask for 12: Deployment b 2 × 4 = 8; '
      + 'Deployment a 1 × 4 = 4; pods asking for at least 4 nvidia.com/gpu in total are refused at admission ("exceeded quota") and their controllers retry forever');
    // one workload whose replicas exceed the quota, though one pod fits (GPU202 is quiet)
    expect(gpu228([quota({ 'requests.nvidia.com/gpu': '8' }), app('a', 3, { 'nvidia.com/gpu': 4 })])).toHaveLength(1);
    expect(of(run([quota({ 'requests.nvidia.com/gpu': '8' }), app('a', 3, { 'nvidia.com/gpu': 4 })]), 'GPU202')).toEqual([]);
  });

  test('scalers count at their floor; MIG slices and other extended resources are judged by their own keys', () => {
    const base = [quota({ 'requests.nvidia.com/gpu': '8' }), app('a', 1, { 'nvidia.com/gpu': 4 }), app('b', 1, { 'nvidia.com/gpu': 4 })];
    expect(gpu228([...base, so('b', { minReplicaCount: 2, maxReplicaCount: 4 })])[0].message).toContain('Deployment b 2 × 4 = 8 (ScaledObject b minimum)');
    expect(gpu228([...base, so('b', { minReplicaCount: 1, maxReplicaCount: 4 })])).toEqual([]);
    expect(gpu228([...base, so('b', { minReplicaCount: 2, idleReplicaCount: 0, maxReplicaCount: 4 })])).toEqual([]);
    // The floor counts whatever the maximum says (an HPA without maxReplicas is the schema gate's finding).
    const hpaNoMax = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'b', namespace: 'research' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'b' }, minReplicas: 2 },
    };
    expect(gpu228([...base, hpaNoMax])[0].message).toContain('Deployment b 2 × 4 = 8 (HorizontalPodAutoscaler b minimum)');
    const mig = [quota({ 'requests.nvidia.com/mig-1g.10gb': '7' }), app('m', 4, { 'nvidia.com/mig-1g.10gb': 2 })];
    expect(gpu228(mig)[0].message).toMatch(/^allows 7 nvidia.com\/mig-1g.10gb .* ask for 8: Deployment m 4 × 2 = 8/);
  });

  test('not judged: within the quota, one pod over it (GPU202), other namespaces, scoped quotas, Jobs, owned ReplicaSets, cpu keys', () => {
    expect(gpu228([quota({ 'requests.nvidia.com/gpu': '12' }), app('a', 1, { 'nvidia.com/gpu': 4 }), app('b', 2, { 'nvidia.com/gpu': 4 })])).toEqual([]);
    expect(gpu228([quota({ 'requests.nvidia.com/gpu': '2' }), app('a', 1, { 'nvidia.com/gpu': 4 }), app('b', 2, { 'nvidia.com/gpu': 1 })])).toEqual([]);
    expect(gpu228([quota({ 'requests.nvidia.com/gpu': '4' }, {}, 'other'), app('a', 2, { 'nvidia.com/gpu': 4 })])).toEqual([]);
    expect(gpu228([quota({ 'requests.nvidia.com/gpu': '4' }, { scopes: ['NotBestEffort'] }), app('a', 2, { 'nvidia.com/gpu': 4 })])).toEqual([]);
    const scoped = quota({ 'requests.nvidia.com/gpu': '4' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['low'] }] } });
    expect(gpu228([scoped, app('a', 2, { 'nvidia.com/gpu': 4 })])).toEqual([]);
    expect(gpu228([scoped, withPodSpec(app('a', 2, { 'nvidia.com/gpu': 4 }), { priorityClassName: 'low' })])).toHaveLength(1);
    expect(gpu228([quota({ 'requests.nvidia.com/gpu': '4' }), app('j', undefined, { 'nvidia.com/gpu': 4 }, { kind: 'Job' }), app('k', undefined, { 'nvidia.com/gpu': 4 }, { kind: 'Job' })])).toEqual([]);
    const rs = app('rs', 2, { 'nvidia.com/gpu': 4 }, { kind: 'ReplicaSet' });
    rs.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'a', uid: 'u', controller: true }];
    expect(gpu228([quota({ 'requests.nvidia.com/gpu': '8' }), app('a', 2, { 'nvidia.com/gpu': 4 }), rs])).toEqual([]);
    expect(gpu228([quota({ 'requests.cpu': '1' }), app('a', 2, { 'nvidia.com/gpu': 4, 'cpu': '2' })])).toEqual([]);
  });
});

describe('GPU230 the maximum replicas of a namespace\'s scaled GPU workloads should fit its ResourceQuota together', () => {
  const quota = (gpus: string) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: 'research' }, spec: { hard: { 'requests.nvidia.com/gpu': gpus } } });
  const app = (name: string, replicas: number, gpus = 4) => {
    const w = workload({ name, namespace: 'research', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': gpus } });
    w.spec.replicas = replicas;
    return w;
  };
  const so = (target: string, min: number, max: number | undefined) => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: target, namespace: 'research' },
    spec: { scaleTargetRef: { name: target }, minReplicaCount: min, ...(max === undefined ? {} : { maxReplicaCount: max }), triggers: [] },
  });
  const hpa = (target: string, max: number) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: target, namespace: 'research' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, maxReplicas: max },
  });
  const gpu230 = (objs: any[]) => of(run(objs), 'GPU230');

  test('floors within the quota, maximums beyond it: a warning on the quota, the workloads at their peak, largest first', () => {
    const [f, ...rest] = gpu230([quota('16'), app('a', 1), app('b', 1), so('b', 1, 4)]);
    expect(rest).toEqual([]);
    expect([f.object.kind, f.fieldPath, f.severity]).toEqual(['ResourceQuota', 'spec.hard[requests.nvidia.com/gpu]', Severity.WARNING]);
    expect(f.message).toBe('allows 16 nvidia.com/gpu in namespace research, but at their scalers\' maximum its workloads ask for 20: '
      + 'Deployment b 4 × 4 = 16 (ScaledObject b maximum); Deployment a 1 × 4 = 4; at the peak, pods asking for 4 nvidia.com/gpu are refused at '
      + 'admission ("exceeded quota") and the load they were scaled for is not served');
    expect(of(run([quota('16'), app('a', 1), app('b', 1), so('b', 1, 4)]), 'GPU228')).toEqual([]);
    // An HPA's maximum; KEDA's default maximum of 100.
    expect(gpu230([quota('16'), app('b', 1), hpa('b', 5)])[0].message).toContain('Deployment b 5 × 4 = 20 (HorizontalPodAutoscaler b maximum)');
    expect(gpu230([quota('16'), app('b', 1), so('b', 1, undefined)])[0].message).toContain('Deployment b 100 × 4 = 400');
  });

  test('not judged: maximums within the quota, no scaler, floors over the quota (GPU228), one pod over it (GPU202)', () => {
    expect(gpu230([quota('20'), app('a', 1), app('b', 1), so('b', 1, 4)])).toEqual([]);
    expect(gpu230([quota('4'), app('a', 2)])).toEqual([]);
    expect(of(run([quota('4'), app('a', 2)]), 'GPU228')).toHaveLength(1);
    expect(gpu230([quota('4'), app('a', 1), app('b', 1), so('b', 1, 4)])).toEqual([]);
    expect(of(run([quota('4'), app('a', 1), app('b', 1), so('b', 1, 4)]), 'GPU228')).toHaveLength(1);
    expect(gpu230([quota('2'), app('b', 1), so('b', 1, 4)])).toEqual([]);
  });
});

describe('GPU229 a GPU pod under at most one PodDisruptionBudget', () => {
  const pdb = (name: string, selector: any, ns = 'inference') => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: ns }, spec: { maxUnavailable: 1, selector } });
  const server = (o: any = {}) => workload({ name: 'llm', namespace: 'inference', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 }, labels: { app: 'llm' }, ...o });
  const gpu229 = (objs: any[]) => of(run(objs), 'GPU229');

  test('a namespace-wide budget beside the workload\'s own: one error on the workload\'s pod labels, naming both', () => {
    const [f, ...rest] = gpu229([pdb('all', {}), pdb('llm', { matchLabels: { app: 'llm' } }), server()]);
    expect(rest).toEqual([]);
    expect([f.object.name, f.fieldPath, f.severity]).toEqual(['llm', 'spec.template.metadata.labels', Severity.ERROR]);
    expect(f.message).toMatch(/^its pods are selected by 2 PodDisruptionBudgets \(all, llm\): the eviction API refuses to evict a pod under more than one budget/);
    // a bare Pod: its own labels; a CronJob: its Job template's pods
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'inference', labels: { app: 'llm' } }, spec: server().spec.template.spec };
    expect(gpu229([pdb('all', {}), pdb('llm', { matchLabels: { app: 'llm' } }), pod]).map((x) => x.fieldPath)).toEqual(['metadata.labels']);
    expect(gpu229([pdb('all', {}), pdb('llm', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }), server({ kind: 'CronJob' })]).map((x) => x.fieldPath))
      .toEqual(['spec.jobTemplate.spec.template.metadata.labels']);
  });

  test('not judged: one budget, disjoint selectors, a null selector, another namespace, CPU pods, pods Karpenter does not evict, owned ReplicaSets', () => {
    expect(gpu229([pdb('llm', { matchLabels: { app: 'llm' } }), server()])).toEqual([]);
    expect(gpu229([pdb('rest', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['llm'] }] }), pdb('llm', { matchLabels: { app: 'llm' } }), server()])).toEqual([]);
    expect(gpu229([pdb('none', null), pdb('llm', { matchLabels: { app: 'llm' } }), server()])).toEqual([]);
    expect(gpu229([pdb('all', {}, 'other'), pdb('llm', { matchLabels: { app: 'llm' } }), server()])).toEqual([]);
    expect(gpu229([pdb('all', {}), pdb('llm', { matchLabels: { app: 'llm' } }), workload({ name: 'web', namespace: 'inference', labels: { app: 'llm' } })])).toEqual([]);
    // Pods that tolerate Karpenter's disrupted taint (here: every taint) are not evicted by its drains.
    expect(gpu229([pdb('all', {}), pdb('llm', { matchLabels: { app: 'llm' } }), server({ tolerations: [{ operator: 'Exists' }] })])).toEqual([]);
    expect(gpu229([pdb('all', {}), pdb('llm', { matchLabels: { app: 'llm' } }), server({ kind: 'DaemonSet', tolerations: [{ operator: 'Exists' }] })])).toEqual([]);
    // A DaemonSet that does not is drained like any other pod.
    expect(gpu229([pdb('all', {}), pdb('llm', { matchLabels: { app: 'llm' } }), server({ kind: 'DaemonSet' })])).toHaveLength(1);
    const rs = server({ kind: 'ReplicaSet' });
    rs.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm', uid: 'u', controller: true }];
    expect(gpu229([pdb('all', {}), pdb('llm', { matchLabels: { app: 'llm' } }), server(), rs])).toHaveLength(1);
  });
});

describe('GPU219 replicas must fit the pools\' limits node by node', () => {
  const pool = (name: string, limits: Record<string, unknown>, types: string[]) =>
    nodePool({ name, limits, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: types }] });
  const app = (replicas: number | undefined, gpus: number, extra: any = {}) => {
    const w = workload({ name: 'llm', namespace: 'inference', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': gpus, ...(extra.limits ?? {}) }, ...(extra.kind ? { kind: extra.kind } : {}) });
    if (replicas !== undefined) w.spec.replicas = replicas;
    w.spec.strategy = { type: 'Recreate' };
    if (extra.antiAffinity) {
      w.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'llm' } }, topologyKey: 'kubernetes.io/hostname', ...extra.antiAffinity }] } };
    }
    return w;
  };
  const gpu219 = (objs: any[]) => of(run(objs), 'GPU219');

  test('five 8-GPU replicas on a pool of 8 GPUs: an error at spec.replicas naming the one node the limit buys', () => {
    const [f, ...rest] = gpu219([pool('p5', { 'nvidia.com/gpu': 8 }, ['p5.48xlarge']), app(5, 8)]);
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.replicas');
    expect(f.message).toContain('needs 5 replicas of 8 GPU(s), but the limits of the NodePools it can use let Karpenter launch nodes for at most 1');
    expect(f.message).toContain('(p5: limit 8 GPUs, a p5.48xlarge (8 GPUs) holds 1): 4 stay Pending forever');
    expect(gpu219([pool('p5', { 'nvidia.com/gpu': 40 }, ['p5.48xlarge']), app(5, 8)])).toEqual([]);
  });

  test('several pods share a node unless a required hostname anti-affinity keeps one per node', () => {
    const p4d = pool('p4d', { 'nvidia.com/gpu': 16 }, ['p4d.24xlarge']);
    expect(gpu219([p4d, app(4, 4)])).toEqual([]);
    expect(gpu219([p4d, app(4, 4, { antiAffinity: {} })])[0].message).toContain('one per node (required anti-affinity on kubernetes.io/hostname)');
    // Another topology key, or a selector that does not match its own pods, does not keep them apart.
    expect(gpu219([p4d, app(4, 4, { antiAffinity: { topologyKey: 'topology.kubernetes.io/zone' } })])).toEqual([]);
    expect(gpu219([p4d, app(4, 4, { antiAffinity: { labelSelector: { matchLabels: { app: 'other' } } } })])).toEqual([]);
  });

  test('a host port keeps one pod per node too (NodePorts); with hostNetwork every container port is one', () => {
    const p4d = pool('p4d', { 'nvidia.com/gpu': 16 }, ['p4d.24xlarge']);
    const withPorts = (ports: any[], hostNetwork?: boolean) => {
      const w = app(4, 4);
      w.spec.template.spec.containers[0].ports = ports;
      if (hostNetwork !== undefined) w.spec.template.spec.hostNetwork = hostNetwork;
      return w;
    };
    expect(gpu219([p4d, withPorts([{ containerPort: 8000, hostPort: 8000 }])])[0].message).toContain('one per node (host port 8000)');
    expect(gpu219([p4d, withPorts([{ containerPort: 8000 }], true)])[0].message).toContain('one per node (hostNetwork port 8000)');
    expect(gpu219([p4d, withPorts([{ containerPort: 8000 }])])).toEqual([]);
    expect(gpu219([p4d, withPorts([{ containerPort: 8000 }], false)])).toEqual([]);
    // NodePorts reads the app containers only: an init container's host port does not spread the pods.
    const init = app(4, 4);
    init.spec.template.spec.initContainers = [{ name: 'i', image: 'x', ports: [{ containerPort: 9000, hostPort: 9000 }] }];
    expect(gpu219([p4d, init])).toEqual([]);
  });

  test('cpu and memory per pod, and the pool\'s cpu limit, count too', () => {
    // 60 of p4d.24xlarge's 96 vCPU: one pod per node though 1 GPU each; 16 GPUs buy two nodes.
    const p4d = pool('p4d', { 'nvidia.com/gpu': 16 }, ['p4d.24xlarge']);
    expect(gpu219([p4d, app(3, 1, { limits: { cpu: '60' } })])[0].message).toContain('at most 2');
    expect(gpu219([p4d, app(2, 1, { limits: { cpu: '60' } })])).toEqual([]);
    const cpuCapped = pool('p4d', { 'nvidia.com/gpu': 64, 'cpu': 96 }, ['p4d.24xlarge']);
    expect(gpu219([cpuCapped, app(9, 1)])[0].message).toContain('at most 8');
  });

  test('the best type of a mixed pool bounds it; one replica and pools without a GPU limit are not judged', () => {
    const mixed = pool('g6', { 'nvidia.com/gpu': 12 }, ['g6.12xlarge', 'g6.xlarge']);
    expect(gpu219([mixed, app(12, 1)])).toEqual([]);
    expect(gpu219([mixed, app(13, 1)])[0].message).toContain('at most 12');
    expect(gpu219([pool('p5', { 'nvidia.com/gpu': 8 }, ['p5.48xlarge']), app(1, 8)])).toEqual([]);
    expect(gpu219([pool('p5', {}, ['p5.48xlarge']), app(5, 8)])).toEqual([]);
  });

  test('a scaler\'s maximum is judged; beyond the sum of the limits it is GPU304\'s', () => {
    const so = (max: number) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 's', namespace: 'inference' }, spec: { scaleTargetRef: { name: 'llm' }, minReplicaCount: 1, maxReplicaCount: max, triggers: [] } });
    const p4d = pool('p4d', { 'nvidia.com/gpu': 16 }, ['p4d.24xlarge']);
    expect(gpu219([p4d, app(1, 4, { antiAffinity: {} }), so(4)])[0].message).toContain('needs 4 replicas');
    expect(gpu219([p4d, app(1, 4, { antiAffinity: {} }), so(8)])).toEqual([]);
  });
});

describe('GPU223 replicas always running on the same pools fit their GPU limits together', () => {
  const pool = (name: string, gpus: number | undefined, types = ['p5.48xlarge']) => nodePool({
    name, limits: gpus === undefined ? {} : { 'nvidia.com/gpu': gpus }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: types }],
  });
  /** A 4-GPU Deployment pinned to `pinned` (any pool when ''). */
  const model = (name: string, replicas: number | undefined, pinned = 'h100', o: any = {}) => {
    const w = workload({
      name,
      namespace: 'serving',
      tolerations: [GPU_TOLERATION],
      limits: { 'nvidia.com/gpu': 4 },
      ...(pinned ? { nodeSelector: { 'karpenter.sh/nodepool': pinned } } : {}),
      ...o,
    });
    if (replicas !== undefined) w.spec.replicas = replicas;
    w.spec.strategy = { type: 'Recreate' };
    return w;
  };
  const keda = (target: string, spec: any) => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: `${target}-scaler`, namespace: 'serving' },
    spec: { scaleTargetRef: { name: target }, maxReplicaCount: 4, triggers: [], ...spec },
  });
  const gpu223 = (objs: any[]) => of(run(objs), 'GPU223');

  test('two unscaled Deployments that each fit alone but not together: one error, on the one asking for most', () => {
    const objs = [pool('h100', 16), model('chat', 3), model('embed', 2)];
    expect(of(run(objs), 'GPU219')).toEqual([]);
    const [f, ...rest] = gpu223(objs);
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect([f.object.name, f.fieldPath]).toEqual(['chat', 'spec.replicas']);
    expect(f.message).toBe('the workloads that can only use NodePools h100 always run 20 GPUs, but those pools allow 16 (h100: 16): '
      + 'Deployment serving/chat 3 × 4 = 12 (replicas); Deployment serving/embed 2 × 4 = 8 (replicas); '
      + 'pods asking for at least 4 GPUs in total stay Pending forever');
    expect(f.remediation).toBe('Raise the pools\' limits["nvidia.com/gpu"] to at least 20 together, or lower these replicas by 4 GPUs in total.');
    // At the limit in whole nodes, or with the default of one replica each, they fit.
    expect(gpu223([pool('h100', 24), model('chat', 3), model('embed', 2)])).toEqual([]);
    expect(gpu223([pool('h100', 8), model('chat', undefined), model('embed', undefined)])).toEqual([]);
  });

  test('each limit counts in whole nodes of the types the pods fit: a limit of 20 buys two 8-GPU nodes, 16 GPUs', () => {
    const [f, ...rest] = gpu223([pool('h100', 20), model('chat', 3), model('embed', 2)]);
    expect(rest).toEqual([]);
    expect(f.message).toBe('the workloads that can only use NodePools h100 always run 20 GPUs, but those pools allow 16 (h100: 20, '
      + 'which buys whole 8-GPU nodes of 16 GPUs): Deployment serving/chat 3 × 4 = 12 (replicas); Deployment serving/embed 2 × 4 = 8 '
      + '(replicas); pods asking for at least 4 GPUs in total stay Pending forever');
    // with 4-GPU nodes allowed too, 20 GPUs are two 8-GPU nodes and a 4-GPU one: they fit
    expect(gpu223([pool('h100', 20, ['p5.48xlarge', 'g6.12xlarge']), model('chat', 3), model('embed', 2)])).toEqual([]);
    // only the types the pods fit count: 4-GPU pods pinned to 8-GPU nodes gain nothing from a 1-GPU type in the pool
    expect(gpu223([pool('h100', 20, ['p5.48xlarge', 'g6.xlarge']), model('chat', 3), model('embed', 2)])[0].message).toContain('(h100: 20, which buys whole 8-GPU nodes of 16 GPUs)');
  });

  test('a scaled workload counts with the replicas it never goes below, and is reported at its minimum', () => {
    const base = [pool('h100', 16), model('chat', 1), model('embed', 1)];
    // KEDA's minReplicaCount defaults to 0, and idleReplicaCount parks the target at 0: nothing always runs.
    expect(gpu223([...base, keda('chat', { maxReplicaCount: 10 }), keda('embed', { minReplicaCount: 5, idleReplicaCount: 0 })])).toEqual([]);
    // chat at least 3 × 4 = 12, embed at least 2 × 4 = 8: 20 > 16.
    const [f] = gpu223([...base, keda('chat', { minReplicaCount: 3 }), keda('embed', { minReplicaCount: 2 })]);
    expect([f.object.kind, f.object.name, f.fieldPath]).toEqual(['ScaledObject', 'chat-scaler', 'spec.minReplicaCount']);
    expect(f.message).toContain('Deployment serving/chat 3 × 4 = 12 (ScaledObject chat-scaler floor); Deployment serving/embed 2 × 4 = 8 (ScaledObject embed-scaler floor)');
    // An HPA's minReplicas (default 1) counts; spec.replicas of a scaled workload does not.
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'chat-hpa', namespace: 'serving' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat' }, minReplicas: 3, maxReplicas: 3 },
    };
    expect(gpu223([pool('h100', 16), model('chat', 1), model('embed', 2), hpa])[0].fieldPath).toBe('spec.minReplicas');
    expect(gpu223([pool('h100', 16), model('chat', 9), model('embed', 2), { ...hpa, spec: { ...hpa.spec, minReplicas: undefined } }])).toEqual([]);
  });

  test('not judged: a workload that can use another pool, one workload alone (GPU219), a pool without a GPU limit, a time-sliced pool', () => {
    // embed can also use pool other: h100 alone holds chat (12 ≤ 16); h100 + other hold 20 ≤ 32.
    expect(gpu223([pool('h100', 16), pool('other', 16), model('chat', 3), model('embed', 2, '')])).toEqual([]);
    // chat alone over-commits h100: GPU219 says so; this rule does not repeat it.
    const alone = run([pool('h100', 8), model('chat', 3), model('embed', 1)]);
    expect(of(alone, 'GPU223')).toEqual([]);
    expect(of(alone, 'GPU219')).toHaveLength(1);
    expect(gpu223([pool('h100', undefined), model('chat', 3), model('embed', 2)])).toEqual([]);
    const sliced = pool('h100', 16);
    sliced.metadata.annotations = { 'cdk8s-gpu.io/advertised-resources-per-gpu': '{"nvidia.com/gpu": 4}' };
    expect(gpu223([sliced, model('chat', 3), model('embed', 2)])).toEqual([]);
  });

  test('a ReplicaSet run by a Deployment is counted through it; a StatefulSet and a bare ReplicaSet count', () => {
    const owned = model('chat-7d9f', 3, 'h100', { kind: 'ReplicaSet' });
    owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat', uid: 'u', controller: true }];
    // The kubectl view of chat: the Deployment and its ReplicaSet, 12 GPUs once, with embed 4: 16 ≤ 16.
    expect(gpu223([pool('h100', 16), model('chat', 3), owned, model('embed', 1)])).toEqual([]);
    const bare = model('batch-rs', 1, 'h100', { kind: 'ReplicaSet' });
    const sts = model('db', 1, 'h100', { kind: 'StatefulSet' });
    expect(gpu223([pool('h100', 16), model('chat', 3), bare, sts])[0].message).toContain('always run 20 GPUs');
  });

  test('only the smallest over-committed set of pools is reported', () => {
    // h100: chat 12 + embed 8 = 20 > 16. h100+b: also rerank (either pool) 3 × 4 = 12 → 32 > 24.
    const f = gpu223([pool('h100', 16), pool('b', 8), model('chat', 3), model('embed', 2), model('rerank', 3, '')]);
    expect(f.map((x) => x.message.match(/NodePools ([a-z0-9, ]+) always/)![1])).toEqual(['h100']);
  });
});

describe('GPU224 a GPU workload\'s PodDisruptionBudget allows an eviction', () => {
  const pool = (grace?: string) => {
    const p = nodePool({ name: 'h100', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge'] }] });
    if (grace) p.spec.template.spec.terminationGracePeriod = grace;
    return p;
  };
  const app = (replicas: number | undefined, o: any = {}) => {
    const w = workload({ name: 'chat', namespace: 'serving', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 }, ...o });
    if (replicas !== undefined) w.spec.replicas = replicas;
    w.spec.strategy = { type: 'Recreate' };
    return w;
  };
  const pdb = (spec: any, selector: any = { matchLabels: { app: 'chat' } }) => ({
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'chat', namespace: 'serving' }, spec: { ...spec, selector },
  });
  const gpu224 = (objs: any[]) => of(run(objs), 'GPU224');

  test('minAvailable 1 of a single replica: a warning at the field, naming the pods and the pool without a drain deadline', () => {
    const [f, ...rest] = gpu224([pool(), app(1), pdb({ minAvailable: 1 })]);
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect([f.object.kind, f.fieldPath]).toEqual(['PodDisruptionBudget', 'spec.minAvailable']);
    expect(f.message).toBe('is 1 for the 1 pod(s) it selects (Deployment chat): no eviction is allowed, so a drain of their nodes never completes. '
      + 'Karpenter never consolidates or drifts those GPU nodes (a new AMI never reaches them), and an expired one stays, tainted, running only '
      + 'these pods (NodePool(s) h100 set no terminationGracePeriod)');
    // Two replicas leave one eviction; so does maxUnavailable 1 of one.
    expect(gpu224([pool(), app(2), pdb({ minAvailable: 1 })])).toEqual([]);
    expect(gpu224([pool(), app(1), pdb({ maxUnavailable: 1 })])).toEqual([]);
    // Pods that tolerate Karpenter's disrupted taint are not evicted by its drains: the budget holds nothing up.
    expect(gpu224([pool(), app(1, { tolerations: [{ operator: 'Exists' }] }), pdb({ minAvailable: 1 })])).toEqual([]);
    expect(gpu224([pool(), app(1, { tolerations: [GPU_TOLERATION, { key: 'karpenter.sh/disrupted', operator: 'Exists', effect: 'NoSchedule' }] }), pdb({ minAvailable: 1 })]))
      .toEqual([]);
  });

  test('maxUnavailable 0, 0% and minAvailable 100% block; percentages round up as the disruption controller does', () => {
    for (const spec of [{ maxUnavailable: 0 }, { maxUnavailable: '0%' }, { minAvailable: '100%' }, { minAvailable: 3 }]) {
      expect([spec, gpu224([pool(), app(3), pdb(spec)]).length]).toEqual([spec, 1]);
    }
    // 10% of 3 pods rounds up to 1 eviction; minAvailable 50% of 3 rounds up to 2, leaving 1; 90% of 3 rounds up to 3.
    expect(gpu224([pool(), app(3), pdb({ maxUnavailable: '10%' })])).toEqual([]);
    expect(gpu224([pool(), app(3), pdb({ minAvailable: '50%' })])).toEqual([]);
    expect(gpu224([pool(), app(3), pdb({ minAvailable: '90%' })])).toHaveLength(1);
    expect(allowedDisruptions(pdb({ minAvailable: '90%' }), 3)).toEqual({ allowed: 0, field: 'spec.minAvailable', value: '90%' });
    expect(allowedDisruptions(pdb({ maxUnavailable: '10%' }), 3)).toEqual({ allowed: 1, field: 'spec.maxUnavailable', value: '10%' });
    expect(allowedDisruptions(pdb({}), 3)).toBeUndefined();
  });

  test('judged at a scaler\'s minimum; pods of several workloads add up', () => {
    const keda = (min: number) => ({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'chat', namespace: 'serving' },
      spec: { scaleTargetRef: { name: 'chat' }, minReplicaCount: min, maxReplicaCount: 4, triggers: [] },
    });
    expect(gpu224([pool(), app(4), keda(1), pdb({ minAvailable: 1 })])).toHaveLength(1);
    expect(gpu224([pool(), app(1), keda(2), pdb({ minAvailable: 1 })])).toEqual([]);
    // chat and its canary share the label: 2 pods, minAvailable 1 leaves one eviction.
    const canary = app(1, { name: 'chat-canary', labels: { app: 'chat', track: 'canary' } });
    expect(gpu224([pool(), app(1), canary, pdb({ minAvailable: 1 })])).toEqual([]);
  });

  test('not judged: pools that all bound the drain, budgets of CPU pods, other namespaces, a null selector', () => {
    expect(gpu224([pool('2h'), app(1), pdb({ minAvailable: 1 })])).toEqual([]);
    const cpu = workload({ name: 'chat', namespace: 'serving' });
    expect(gpu224([pool(), cpu, pdb({ minAvailable: 1 })])).toEqual([]);
    expect(gpu224([pool(), app(1, { namespace: 'other' }), pdb({ minAvailable: 1 })])).toEqual([]);
    expect(gpu224([pool(), app(1), pdb({ minAvailable: 1 }, null)])).toEqual([]);
    // An empty selector selects every pod of the namespace (policy/v1).
    expect(gpu224([pool(), app(1), pdb({ minAvailable: 1 }, {})])).toHaveLength(1);
    // Without NodePools in the manifests the drain still never completes.
    expect(gpu224([app(1), pdb({ minAvailable: 1 })])[0].message).not.toContain('NodePool');
  });
});

describe('GPU248 a GPU pod\'s environment and volumes must name keys their Secret or ConfigMap holds', () => {
  const secret = (name: string, fields: any, extra: any = {}) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, ...fields, ...extra });
  const configMap = (name: string, fields: any) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, ...fields });
  const envFrom = (ref: any, o: any = {}) => {
    const w = gpuApp(o);
    w.spec.template.spec.containers[0].env = [{ name: 'TOKEN', valueFrom: ref }];
    return w;
  };
  const gpu248 = (objects: any[]) => of(run(objects), 'GPU248');

  test('a secretKeyRef or configMapKeyRef to a key the object lacks: the kubelet\'s own words', () => {
    const [f] = gpu248([secret('hf', { stringData: { HF_TOKEN: 'x' } }), envFrom({ secretKeyRef: { name: 'hf', key: 'token' } })]);
    expect([f.severity, f.fieldPath]).toEqual([Severity.ERROR, 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key']);
    expect(f.message).toBe('container "main" reads "TOKEN" from key "token" of Secret "hf", which holds only "HF_TOKEN": the kubelet does not start the '
      + 'container ("couldn\'t find key token in Secret default/hf", CreateContainerConfigError), and the pod holds its GPU node doing nothing');
    const [g] = gpu248([configMap('cfg', { data: { a: '1', b: '2' } }), envFrom({ configMapKeyRef: { name: 'cfg', key: 'c' } })]);
    expect(g.message).toContain('from key "c" of ConfigMap "cfg", which holds "a", "b": the kubelet does not start the container ("couldn\'t find key c in ConfigMap default/cfg"');
  });

  test('the keys held: Secret data and stringData, ConfigMap data and binaryData', () => {
    expect(gpu248([secret('s', { data: { a: 'eA==' }, stringData: { b: 'x' } }), envFrom({ secretKeyRef: { name: 's', key: 'b' } })])).toEqual([]);
    expect(gpu248([secret('s', { data: { a: 'eA==' }, stringData: { b: 'x' } }), envFrom({ secretKeyRef: { name: 's', key: 'a' } })])).toEqual([]);
    expect(gpu248([configMap('c', { binaryData: { k: 'eA==' } }), envFrom({ configMapKeyRef: { name: 'c', key: 'k' } })])).toEqual([]);
  });

  test('volumes projecting a missing key (items[].key) of a Secret or ConfigMap', () => {
    const w = gpuApp();
    w.spec.template.spec.volumes = [
      { name: 'certs', secret: { secretName: 'tls', items: [{ key: 'tls.crt', path: 'a' }, { key: 'ca.crt', path: 'b' }] } },
      { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'model.yaml', path: 'm' }] } },
    ];
    const found = gpu248([secret('tls', { data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } }), configMap('cfg', { data: { 'config.yaml': 'x' } }), w]);
    expect(found.map((f) => f.fieldPath)).toEqual(['spec.template.spec.volumes[0].secret.items[1].key', 'spec.template.spec.volumes[1].configMap.items[0].key']);
    expect(found[0].message).toBe('volume "certs" projects key "ca.crt" of Secret "tls", which holds "tls.crt", "tls.key": the kubelet cannot mount it '
      + '(FailedMount), the pod stays ContainerCreating and holds its GPU node doing nothing');
    w.spec.template.spec.volumes[0].secret.optional = true;
    expect(gpu248([secret('tls', { data: { 'tls.crt': 'eA==' } }), configMap('cfg', { data: { 'config.yaml': 'x' } }), w])).toHaveLength(1);
  });

  test('not judged: optional, an object not in the manifests or of another namespace, a placeholder, a token Secret, a pod without GPUs', () => {
    const hf = secret('hf', { stringData: { HF_TOKEN: 'x' } });
    const ref = { secretKeyRef: { name: 'hf', key: 'token' } };
    expect(gpu248([hf, envFrom({ secretKeyRef: { ...ref.secretKeyRef, optional: true } })])).toEqual([]);
    expect(gpu248([envFrom(ref)])).toEqual([]);
    expect(gpu248([{ ...hf, metadata: { name: 'hf', namespace: 'other' } }, envFrom(ref)])).toEqual([]);
    expect(gpu248([secret('hf', {}), envFrom(ref)])).toEqual([]);
    expect(gpu248([secret('hf', { data: { token: 'eA==' } }, { type: 'kubernetes.io/service-account-token' }), envFrom({ secretKeyRef: { name: 'hf', key: 'ca.crt' } })])).toEqual([]);
    const cpu = workload({ limits: { cpu: '1' } });
    cpu.spec.template.spec.containers[0].env = [{ name: 'TOKEN', valueFrom: ref }];
    expect(gpu248([hf, cpu])).toEqual([]);
  });
});

describe('GPU249 a GPU pod\'s Secrets, ConfigMaps, ServiceAccount and claims must be in its own namespace', () => {
  const obj = (kind: string, name: string, namespace?: string, extra: any = {}) =>
    ({ apiVersion: 'v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...extra });
  /** A Deployment in `namespace` (null: none written), asking for a GPU unless `gpu` is false, with `fields` applied. */
  const app = (fields: (spec: any, c: any) => void, namespace: string | null = 'inference', gpu = true) => {
    const w = gpu ? gpuApp({ namespace: namespace ?? undefined }) : workload({ namespace: namespace ?? undefined, limits: { cpu: '1' } });
    if (namespace === null) delete w.metadata.namespace;
    fields(w.spec.template.spec, w.spec.template.spec.containers[0]);
    return w;
  };
  const gpu249 = (objects: any[]) => of(run(objects), 'GPU249');

  test('each way a pod names an object: env, envFrom, volumes, its ServiceAccount, its claims; the outcome of each', () => {
    const w = app((spec, c) => {
      spec.serviceAccountName = 'runner';
      spec.imagePullSecrets = [{ name: 'ngc' }];
      c.env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }];
      c.envFrom = [{ secretRef: { name: 's' } }, { configMapRef: { name: 'cm' } }];
      spec.volumes = [{ name: 'v1', secret: { secretName: 's' } }, { name: 'v2', configMap: { name: 'cm' } }, { name: 'v3', persistentVolumeClaim: { claimName: 'models' } }];
    });
    const others = [obj('Secret', 's', 'default'), obj('ConfigMap', 'cm', 'default'), obj('ServiceAccount', 'runner', 'default'),
      obj('PersistentVolumeClaim', 'models', 'default'), obj('Secret', 'ngc', 'default', { type: 'kubernetes.io/dockerconfigjson' })];
    const found = gpu249([...others, w]);
    expect(found.map((f) => f.fieldPath)).toEqual([
      'spec.template.spec.serviceAccountName', 'spec.template.spec.imagePullSecrets[0].name',
      'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name', 'spec.template.spec.containers[0].env[1].valueFrom.configMapKeyRef.name',
      'spec.template.spec.containers[0].envFrom[0].secretRef.name', 'spec.template.spec.containers[0].envFrom[1].configMapRef.name',
      'spec.template.spec.volumes[0].secret.secretName', 'spec.template.spec.volumes[1].configMap.name', 'spec.template.spec.volumes[2].persistentVolumeClaim.claimName',
    ]);
    expect(found.every((f) => f.severity === Severity.WARNING)).toBe(true);
    expect(found[1].message).toContain('the kubelet pulls without it ("Unable to retrieve some image pull secrets"), so a private image');
    expect(found[2].message).toBe('names Secret "s", which these manifests hold only in namespace default, not in the pod\'s own, inference: unless inference '
      + 'gets one elsewhere, the kubelet does not start the container (CreateContainerConfigError) and the pod holds its GPU node doing nothing');
    expect(found[6].message).toContain('the kubelet cannot mount it (FailedMount)');
    expect(found[8].message).toContain('the scheduler leaves its pods Pending ("persistentvolumeclaim … not found")');
    // in the pod's own namespace too: nothing
    expect(gpu249([...others, ...others.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'inference' } })), w])).toEqual([]);
  });

  test('the namespaces it is in are listed', () => {
    const w = app((spec) => { spec.volumes = [{ name: 'v', secret: { secretName: 's' } }]; });
    expect(gpu249([obj('Secret', 's', 'b'), obj('Secret', 's', 'a'), w])[0].message).toContain('hold only in namespaces a, b, not in the pod\'s own');
  });

  test('not judged: optional references, the default ServiceAccount, an object or pod without a namespace, an object in no namespace of the manifests, a pod without GPUs', () => {
    const secretIn = (ns?: string) => obj('Secret', 's', ns);
    const reads = (optional?: boolean) => (_spec: any, c: any) => { c.env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k', ...(optional ? { optional } : {}) } } }]; };
    expect(gpu249([secretIn('default'), app(reads(true))])).toEqual([]);
    expect(gpu249([obj('ServiceAccount', 'default', 'kube-system'), app((spec) => { spec.serviceAccountName = 'default'; })])).toEqual([]);
    expect(gpu249([secretIn(undefined), app(reads())])).toEqual([]);
    expect(gpu249([secretIn('default'), app(reads(), null)])).toEqual([]);
    expect(gpu249([app(reads())])).toEqual([]);
    expect(gpu249([secretIn('default'), app(reads(), 'inference', false)])).toEqual([]);
  });
});

describe('GPU250 GPU pods that run at the same time on different nodes must not share a ReadWriteOnce claim', () => {
  const claim = (accessModes: string[], name = 'models', namespace = 'default') =>
    ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace }, spec: { accessModes, resources: { requests: { storage: '100Gi' } } } });
  /** A Deployment of `gpus` GPUs a pod mounting claim "models", with `extra` applied. */
  const mounting = (gpus: number, extra: (w: any) => void = () => undefined, o: any = {}) => {
    const w = gpuApp({ limits: { 'nvidia.com/gpu': gpus, 'cpu': '1', 'memory': '4Gi' }, ...o });
    w.spec.template.spec.volumes = [{ name: 'm', persistentVolumeClaim: { claimName: 'models' } }];
    extra(w);
    return w;
  };
  const gpu250 = (objects: any[]) => of(run(objects), 'GPU250');
  const rwo = claim(['ReadWriteOnce']);
  const oneGpuNodes = poolOfTypes('g6.xlarge');

  test('a single replica whose rollout surges onto another node; Recreate or maxSurge 0 replace it instead', () => {
    const [f] = gpu250([oneGpuNodes, rwo, mounting(1)]);
    expect([f.severity, f.fieldPath]).toEqual([Severity.ERROR, 'spec.template.spec.volumes[0].persistentVolumeClaim.claimName']);
    expect(f.message).toBe('mounts PersistentVolumeClaim "models" (ReadWriteOnce: one node at a time, and no node of its pools holds two of its pods, so '
      + 'they run on different nodes), and its rolling update starts a new pod while the old one holds the claim (maxSurge "25%" (the default) and '
      + 'maxUnavailable "25%" (the default) resolve to 1 and 0): the new pod cannot attach the volume ("Multi-Attach error") and stays '
      + 'ContainerCreating on its GPU node, and the rollout never ends');
    expect(gpu250([oneGpuNodes, rwo, mounting(1, (w) => { w.spec.strategy = { type: 'Recreate' }; })])).toEqual([]);
    // no replica, no pod
    expect(gpu250([oneGpuNodes, rwo, mounting(1, (w) => { w.spec.replicas = 0; })])).toEqual([]);
    expect(gpu250([oneGpuNodes, rwo, mounting(1, (w) => { w.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }; })])).toEqual([]);
  });

  test('several replicas, or a scaler\'s maximum above one, on nodes that hold one pod each', () => {
    const recreate = (w: any) => { w.spec.strategy = { type: 'Recreate' }; };
    expect(gpu250([oneGpuNodes, rwo, mounting(1, (w) => { recreate(w); w.spec.replicas = 2; })])[0].message).toContain('and 2 replicas run at once: the second pod');
    const scaler = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h', namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' }, minReplicas: 1, maxReplicas: 3, metrics: [] },
    };
    expect(gpu250([oneGpuNodes, rwo, scaler, mounting(1, recreate)])[0].message).toContain('and 3 replicas (its scaler\'s maximum) run at once');
  });

  test('one pod a node: by GPUs, by cpu or memory, or by anti-affinity; pods that may share a node are not judged', () => {
    const fourGpuNodes = poolOfTypes('g6.12xlarge');
    expect(gpu250([fourGpuNodes, rwo, mounting(1)])).toEqual([]);
    expect(gpu250([fourGpuNodes, rwo, mounting(4)])).toHaveLength(1);
    expect(gpu250([fourGpuNodes, rwo, mounting(1, () => undefined, { limits: { 'nvidia.com/gpu': 1, 'cpu': '30', 'memory': '4Gi' } })])).toHaveLength(1);
    const apart = (w: any) => {
      w.spec.template.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'app' } } }] } };
    };
    expect(gpu250([fourGpuNodes, rwo, mounting(1, apart)])).toHaveLength(1);
  });

  test('ReadWriteOncePod: one pod wherever it runs; ReadWriteMany or ReadOnlyMany claims, and claims not in the manifests, are not judged', () => {
    const fourGpuNodes = poolOfTypes('g6.12xlarge');
    expect(gpu250([fourGpuNodes, claim(['ReadWriteOncePod']), mounting(1)])[0].message)
      .toContain('(ReadWriteOncePod: one pod at a time, wherever it runs), and its rolling update starts a new pod while the old one holds the claim');
    for (const modes of [['ReadWriteMany'], ['ReadOnlyMany'], ['ReadWriteOnce', 'ReadOnlyMany']]) expect(gpu250([oneGpuNodes, claim(modes), mounting(1)])).toEqual([]);
    expect(gpu250([oneGpuNodes, mounting(1)])).toEqual([]);
    expect(gpu250([oneGpuNodes, claim(['ReadWriteOnce'], 'models', 'other'), mounting(1)])).toEqual([]);
  });

  test('a Job\'s parallel pods (a training gang sharing a checkpoint claim) count', () => {
    const job = (parallelism?: number) => {
      const w = workload({ kind: 'Job', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 } });
      if (parallelism !== undefined) Object.assign(w.spec, { parallelism, completions: parallelism, completionMode: 'Indexed' });
      w.spec.template.spec.volumes = [{ name: 'ckpt', persistentVolumeClaim: { claimName: 'models' } }];
      return w;
    };
    expect(gpu250([oneGpuNodes, rwo, job(4)])[0].message).toContain('and 4 pods (its parallelism) run at once: the second pod cannot attach the volume');
    expect(gpu250([oneGpuNodes, rwo, job()])).toEqual([]);
    expect(gpu250([oneGpuNodes, claim(['ReadWriteMany']), job(4)])).toEqual([]);
  });

  test('a StatefulSet sharing one claim counts; its own claims (volumeClaimTemplates) are not judged', () => {
    const sts = (shared: boolean) => {
      const w = workload({ kind: 'StatefulSet', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 } });
      w.spec.replicas = 2;
      if (shared) w.spec.template.spec.volumes = [{ name: 'm', persistentVolumeClaim: { claimName: 'models' } }];
      else w.spec.volumeClaimTemplates = [{ metadata: { name: 'models' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }];
      return w;
    };
    expect(gpu250([oneGpuNodes, rwo, sts(true)])).toHaveLength(1);
    expect(gpu250([oneGpuNodes, rwo, sts(false)])).toEqual([]);
  });
});
