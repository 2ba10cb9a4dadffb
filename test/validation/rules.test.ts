import { GPU_TOLERATION, lint, nodePool, of, workload } from './helpers';
import { formatFinding, Severity } from '../../src/validation';

describe('GPU001 extended resources in limits, requests = limits, whole positive counts', () => {
  const gpu001 = (o: Parameters<typeof workload>[0]) => of(lint([workload({ tolerations: [GPU_TOLERATION], ...o })]), 'GPU001');

  test('limits only, or equal requests (number vs string "2"), pass', () => {
    expect(gpu001({ limits: { 'nvidia.com/gpu': 1 } })).toEqual([]);
    expect(gpu001({ limits: { 'nvidia.com/gpu': 2 }, requests: { 'nvidia.com/gpu': '2' } })).toEqual([]);
    expect(gpu001({ limits: { 'nvidia.com/gpu': '2' } })).toEqual([]);
    expect(gpu001({ limits: { 'nvidia.com/mig-1g.10gb': 1, 'vpc.amazonaws.com/efa': 4 } })).toEqual([]);
  });

  test('requests != limits is an error at the request', () => {
    const [f, ...rest] = gpu001({ limits: { 'nvidia.com/gpu': 2 }, requests: { 'nvidia.com/gpu': 1 } });
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"]');
    expect(f.message).toMatch(/requests 1 nvidia.com\/gpu but limits 2/);
  });

  test('a request without a limit is an error, for GPUs, MIG and other vendor resources', () => {
    for (const r of ['nvidia.com/gpu', 'nvidia.com/mig-3g.40gb', 'aws.amazon.com/neuron', 'amd.com/gpu']) {
      const fs = gpu001({ requests: { [r]: 1 } });
      expect(fs).toHaveLength(1);
      expect(fs[0].fieldPath).toBe('spec.template.spec.containers[0].resources.limits');
      expect(fs[0].message).toContain(`requests ${r}`);
    }
  });

  test('cpu and memory requests without limits are fine (native resources)', () => {
    expect(gpu001({ requests: { cpu: '1', memory: '1Gi' } })).toEqual([]);
  });

  test.each([
    ['1.5', /whole units/],
    [1.5, /whole units/],
    ['500m', /whole units/],
    [0, /at least 1/],
    ['0', /at least 1/],
    [-1, /at least 1/],
    ['two', /not a Kubernetes quantity/],
  ])('GPU count %p is an error', (value, msg) => {
    const fs = gpu001({ limits: { 'nvidia.com/gpu': value } });
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toMatch(msg);
    expect(fs[0].fieldPath).toBe('spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]');
  });

  test('a bad value is reported once, not again as requests != limits', () => {
    const fs = gpu001({ limits: { 'nvidia.com/gpu': '1.5' }, requests: { 'nvidia.com/gpu': '1.5' } });
    expect(fs.map((f) => f.fieldPath)).toEqual([
      'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]',
      'spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"]',
    ]);
  });

  test('init containers are checked', () => {
    const fs = gpu001({ limits: { 'nvidia.com/gpu': 1 }, initLimits: { 'nvidia.com/gpu': 0.5 } });
    expect(fs).toHaveLength(1);
    expect(fs[0].fieldPath).toBe('spec.template.spec.initContainers[0].resources.limits["nvidia.com/gpu"]');
    expect(fs[0].message).toMatch(/init container "init"/);
  });

  test('CronJob and Pod paths', () => {
    const cron = gpu001({ kind: 'CronJob', limits: { 'nvidia.com/gpu': 2 }, requests: { 'nvidia.com/gpu': 1 } });
    expect(cron[0].fieldPath).toBe('spec.jobTemplate.spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"]');
    const pod = gpu001({ kind: 'Pod', requests: { 'nvidia.com/gpu': 1 } });
    expect(pod[0].fieldPath).toBe('spec.containers[0].resources.limits');
  });

  test('an unrelated CRD kind "Job" of another group is not read', () => {
    const crd = { apiVersion: 'example.com/v1', kind: 'Job', metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'a', resources: { requests: { 'nvidia.com/gpu': 1 } } }] } } } };
    expect(of(lint([crd]), 'GPU001')).toEqual([]);
  });
});

describe('GPU002 a GPU pod must tolerate the taints of a pool offering GPUs', () => {
  const gpuPod = (tolerations?: any[], extra: Parameters<typeof workload>[0] = {}) =>
    workload({ limits: { 'nvidia.com/gpu': 1 }, ...(tolerations ? { tolerations } : {}), ...extra });

  describe('without NodePools: the conventional nvidia.com/gpu:NoSchedule taint is assumed', () => {
    test('no toleration is an error that says the taint was assumed', () => {
      const [f, ...rest] = of(lint([gpuPod()]), 'GPU002');
      expect(rest).toEqual([]);
      expect(f.severity).toBe(Severity.ERROR);
      expect(f.fieldPath).toBe('spec.template.spec.tolerations');
      expect(f.message).toMatch(/does not tolerate nvidia.com\/gpu:NoSchedule.*assumed because no Karpenter NodePool is in these manifests/);
      expect(f.remediation).toContain('{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}');
    });
    test('the usual toleration (Exists, with or without effect) passes; so does an empty-key Exists', () => {
      expect(of(lint([gpuPod([GPU_TOLERATION])]), 'GPU002')).toEqual([]);
      expect(of(lint([gpuPod([{ key: 'nvidia.com/gpu', operator: 'Exists' }])]), 'GPU002')).toEqual([]);
      expect(of(lint([gpuPod([{ operator: 'Exists' }])]), 'GPU002')).toEqual([]);
    });
    test('a NoExecute toleration does not tolerate a NoSchedule taint', () => {
      expect(of(lint([gpuPod([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }])]), 'GPU002')).toHaveLength(1);
    });
    test('Equal with a value does not match the value-less taint', () => {
      expect(of(lint([gpuPod([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }])]), 'GPU002')).toHaveLength(1);
      expect(of(lint([gpuPod([{ key: 'nvidia.com/gpu', operator: 'Equal', effect: 'NoSchedule' }])]), 'GPU002')).toEqual([]);
    });
    test('init container GPU, MIG resources and CronJobs count', () => {
      expect(of(lint([workload({ initLimits: { 'nvidia.com/gpu': 1 } })]), 'GPU002')).toHaveLength(1);
      expect(of(lint([workload({ limits: { 'nvidia.com/mig-1g.10gb': 1 } })]), 'GPU002')).toHaveLength(1);
      const cron = of(lint([gpuPod(undefined, { kind: 'CronJob' })]), 'GPU002');
      expect(cron[0].fieldPath).toBe('spec.jobTemplate.spec.template.spec.tolerations');
    });
    test('AMD GPUs are checked against amd.com/gpu:NoSchedule', () => {
      const [f] = of(lint([workload({ limits: { 'amd.com/gpu': 1 }, tolerations: [GPU_TOLERATION] })]), 'GPU002');
      expect(f.message).toContain('amd.com/gpu:NoSchedule');
    });
    test('a pod without GPUs is not judged', () => {
      expect(of(lint([workload({ requests: { cpu: '1' } })]), 'GPU002')).toEqual([]);
    });
  });

  describe('with NodePools: the taints of the pools offering the resource', () => {
    const pool = nodePool({ taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] });
    test('Equal with the same value passes; with another value fails, naming the pool and taint', () => {
      expect(of(lint([pool, gpuPod([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }])]), 'GPU002')).toEqual([]);
      const [f] = of(lint([pool, gpuPod([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }])]), 'GPU002');
      expect(f.message).toMatch(/tolerates the taints of no NodePool offering it: NodePool gpu \(nvidia.com\/gpu=true:NoSchedule\)/);
      expect(f.remediation).toContain('{key: nvidia.com/gpu, operator: Equal, value: "true", effect: NoSchedule}');
    });
    test('seven pools none of whose taints it tolerates: the first five named with their taints, the rest counted', () => {
      const pools = Array.from({ length: 7 }, (_, i) => ({ ...pool, metadata: { name: `gpu-${i}` } }));
      const [f] = of(lint([...pools, gpuPod([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }])]), 'GPU002');
      expect(f.message).toMatch(/tolerates the taints of no NodePool offering it: NodePool gpu-0 \(nvidia.com\/gpu=true:NoSchedule\); (NodePool gpu-\d \(nvidia.com\/gpu=true:NoSchedule\); ){3}NodePool gpu-4 \(nvidia.com\/gpu=true:NoSchedule\) and 2 more; the pod would stay Pending$/);
    });
    test('a custom taint of the real pool replaces the conventional one', () => {
      const custom = nodePool({ taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }] });
      expect(of(lint([custom, gpuPod([GPU_TOLERATION])]), 'GPU002')).toHaveLength(1);
      expect(of(lint([custom, gpuPod([{ key: 'dedicated', operator: 'Equal', value: 'ml' }])]), 'GPU002')).toEqual([]);
    });
    test('every blocking taint of the pool must be tolerated; PreferNoSchedule need not', () => {
      const two = nodePool({ taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }, { key: 'team', value: 'a', effect: 'NoExecute' }, { key: 'soft', effect: 'PreferNoSchedule' }] });
      const [f] = of(lint([two, gpuPod([GPU_TOLERATION])]), 'GPU002');
      expect(f.message).toContain('team=a:NoExecute');
      expect(f.message).not.toContain('soft');
      expect(of(lint([two, gpuPod([GPU_TOLERATION, { key: 'team', operator: 'Exists' }])]), 'GPU002')).toEqual([]);
    });
    test('one tolerated pool among several is enough', () => {
      const a = nodePool({ name: 'a', taints: [{ key: 'x', effect: 'NoSchedule' }] });
      const b = nodePool({ name: 'b' });
      expect(of(lint([a, b, gpuPod([GPU_TOLERATION])]), 'GPU002')).toEqual([]);
    });
    test('an untainted pool offering GPUs takes the pod without toleration', () => {
      expect(of(lint([nodePool({ taints: [] }), gpuPod()]), 'GPU002')).toEqual([]);
    });
    test('startupTaints need no toleration', () => {
      const p = nodePool({ startupTaints: [{ key: 'node.example.com/init', effect: 'NoSchedule' }] });
      expect(of(lint([p, gpuPod([GPU_TOLERATION])]), 'GPU002')).toEqual([]);
    });
    test('pools that do not offer the resource fall back to the conventional taint, and say so', () => {
      const cpuPool = nodePool({ name: 'cpu', requirements: [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm'] }], taints: [] });
      const [f] = of(lint([cpuPool, gpuPod()]), 'GPU002');
      expect(f.message).toMatch(/none of the 1 NodePool\(s\) in these manifests offers nvidia.com\/gpu/);
    });
  });
});

describe('GPU003 a GPU NodePool must carry a NoSchedule/NoExecute taint', () => {
  const gpu003 = (o: Parameters<typeof nodePool>[0]) => of(lint([nodePool(o)]), 'GPU003');
  test('tainted pools pass (any blocking key, NoExecute too)', () => {
    expect(gpu003({})).toEqual([]);
    expect(gpu003({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] })).toEqual([]);
  });
  test.each([
    ['family', { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['p5'] }],
    ['category g', { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['g'] }],
    ['category c/m/g mixed', { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'g'] }],
    ['instance type', { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge'] }],
    ['GPU name', { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['h100'] }],
    ['GPU count', { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] }],
    ['GPU manufacturer exists', { key: 'karpenter.k8s.aws/instance-gpu-manufacturer', operator: 'Exists' }],
  ])('an untainted pool selecting GPUs by %s is an error', (_, req) => {
    const [f, ...rest] = gpu003({ requirements: [req], taints: [] });
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.template.spec.taints');
    expect(f.message).toMatch(/no NoSchedule\/NoExecute taint/);
  });
  test('a GPU taint only in startupTaints, or only PreferNoSchedule, does not count', () => {
    const [s] = gpu003({ taints: [], startupTaints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] });
    expect(s.message).toMatch(/startupTaints \(nvidia.com\/gpu:NoSchedule\) are removed/);
    const [p] = gpu003({ taints: [{ key: 'nvidia.com/gpu', effect: 'PreferNoSchedule' }] });
    expect(p.message).toMatch(/only a preference/);
  });
  test('CPU pools and general pools without instance requirements are not GPU pools', () => {
    expect(gpu003({ requirements: [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] }], taints: [] })).toEqual([]);
    expect(gpu003({ requirements: [], taints: [] })).toEqual([]);
    expect(gpu003({ requirements: [{ key: 'karpenter.k8s.aws/instance-category', operator: 'NotIn', values: ['t'] }], taints: [] })).toEqual([]);
  });
});

describe('GPU004 a pod tolerating the GPU taint without requesting a GPU', () => {
  test('without pools: tolerating nvidia.com/gpu:NoSchedule warns; blanket toleration explained', () => {
    const [f] = of(lint([workload({ tolerations: [GPU_TOLERATION] })]), 'GPU004');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toMatch(/requests no GPU but tolerates nvidia.com\/gpu:NoSchedule/);
    const [b] = of(lint([workload({ tolerations: [{ operator: 'Exists' }] })]), 'GPU004');
    expect(b.message).toMatch(/empty key and operator Exists/);
  });
  test('a NoExecute-only toleration, or none, does not warn', () => {
    expect(of(lint([workload({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }] })]), 'GPU004')).toEqual([]);
    expect(of(lint([workload({})]), 'GPU004')).toEqual([]);
  });
  test('DaemonSets and GPU pods are exempt', () => {
    expect(of(lint([workload({ kind: 'DaemonSet', tolerations: [GPU_TOLERATION] })]), 'GPU004')).toEqual([]);
    expect(of(lint([workload({ tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 } })]), 'GPU004')).toEqual([]);
  });
  test('with pools: warns only when the pod tolerates a GPU pool and could be placed there', () => {
    const pool = nodePool({ taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }] });
    expect(of(lint([pool, workload({ tolerations: [GPU_TOLERATION] })]), 'GPU004')).toEqual([]);
    const [f] = of(lint([pool, workload({ tolerations: [{ key: 'gpu', operator: 'Exists' }] })]), 'GPU004');
    expect(f.message).toContain('GPU NodePool(s) gpu (gpu=yes:NoSchedule)');
    const pinnedAway = workload({ tolerations: [{ key: 'gpu', operator: 'Exists' }], nodeSelector: { 'karpenter.sh/nodepool': 'cpu' } });
    expect(of(lint([pool, pinnedAway]), 'GPU004')).toEqual([]);
  });
});

describe('GPU005 a GPU NodePool without limits on nvidia.com/gpu', () => {
  test('warns when no GPU limit; passes with one; ignores CPU pools', () => {
    const [f] = of(lint([nodePool({ limits: { cpu: '1000' } })]), 'GPU005');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.limits');
    expect(of(lint([nodePool({ limits: {} })]), 'GPU005')).toHaveLength(1);
    expect(of(lint([nodePool({})]), 'GPU005')).toEqual([]);
    expect(of(lint([nodePool({ limits: {}, requirements: [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c'] }] })]), 'GPU005')).toEqual([]);
  });
});

describe('GPU006 GPU pods that may land on different GPU models', () => {
  const mixed = nodePool({ requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5', 'p5'] }] });
  const pod = (o: Parameters<typeof workload>[0] = {}) => workload({ limits: { 'nvidia.com/gpu': 1 }, tolerations: [GPU_TOLERATION], ...o });
  test('warns listing the models with their memory', () => {
    const [f] = of(lint([mixed, pod()]), 'GPU006');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toMatch(/a10g \(\d+ MiB, NodePool gpu\), h100/);
  });
  test('two single-model pools also count', () => {
    const a = nodePool({ name: 'a10g', requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5'] }] });
    const h = nodePool({ name: 'h100', requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['p5'] }] });
    expect(of(lint([a, h, pod()]), 'GPU006')).toHaveLength(1);
    expect(of(lint([a, pod()]), 'GPU006')).toEqual([]);
  });
  test('pinning by GPU name or pool, or no pools at all, is silent', () => {
    expect(of(lint([mixed, pod({ nodeSelector: { 'karpenter.k8s.aws/instance-gpu-name': 'h100' } })]), 'GPU006')).toEqual([]);
    expect(of(lint([pod()]), 'GPU006')).toEqual([]);
  });
  test('each model names its first five NodePools (sorted) and counts the rest', () => {
    const family = (name: string, f: string) => nodePool({ name, requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [f] }] });
    const g5 = Array.from({ length: 7 }, (_, i) => family(`g5-${i}`, 'g5'));
    const p5 = Array.from({ length: 5 }, (_, i) => family(`p5-${i}`, 'p5'));
    const [f] = of(lint([...g5, ...p5, pod()]), 'GPU006');
    expect(f.message).toMatch(/a10g \(\d+ MiB, NodePool g5-0\/g5-1\/g5-2\/g5-3\/g5-4 and 2 more\), h100 \(\d+ MiB, NodePool p5-0\/p5-1\/p5-2\/p5-3\/p5-4\)$/);
  });
  test('a pool the pod does not tolerate does not count', () => {
    const other = nodePool({ name: 'h100', requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['p5'] }], taints: [{ key: 'team', effect: 'NoSchedule' }] });
    const a = nodePool({ name: 'a10g', requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5'] }] });
    expect(of(lint([a, other, pod()]), 'GPU006')).toEqual([]);
  });
});

test('formatFinding prints one line with severity, id, object, path, message and fix', () => {
  const [f] = of(lint([workload({ name: 'vllm', limits: { 'nvidia.com/gpu': 1 } })]), 'GPU002');
  const line = formatFinding(f);
  expect(line).toMatch(/^error GPU002 apps\/v1 Deployment default\/vllm spec\.template\.spec\.tolerations: requests nvidia\.com\/gpu .*  Fix: Add the toleration/);
  expect(line).not.toContain('\n');
});
