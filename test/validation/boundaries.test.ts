/**
 * Boundaries and mixed cases that the per-rule tests left open: each of these was once changed in the code (a `!==`
 * narrowed to `<`, an `every` widened to `some`, a `>` to `>=`, …) with every other test staying green. Each test
 * here fails on that change.
 */
import { DEFAULT_NODE_CLASS, GPU_TOLERATION, lint, nodePool, of, workload } from './helpers';
import { Severity } from '../../src/validation';

const gpuApp = (o: Parameters<typeof workload>[0] = {}) =>
  workload({ tolerations: [GPU_TOLERATION], ...o, limits: { cpu: '2', memory: '8Gi', ...(o.limits ?? { 'nvidia.com/gpu': 1 }) } });

describe('GPU001 a GPU request above its limit', () => {
  test('is an error at the request, like one below it (Kubernetes requires them equal)', () => {
    const [f, ...rest] = of(lint([workload({ tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 }, requests: { 'nvidia.com/gpu': 2 } })]), 'GPU001');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"]');
    expect(f.message).toMatch(/requests 2 nvidia.com\/gpu but limits 1; Kubernetes requires them equal/);
  });
});

describe('GPU002 a pool offering only some of the pod\'s GPU resources', () => {
  test('is no candidate: the pod is judged against the conventional taint, not the pool\'s taints', () => {
    // Pool g6 offers nvidia.com/gpu but no MIG slice; the pod asks for both. It tolerates g6's own taint only.
    const pool = nodePool({ name: 'g6', taints: [{ key: 'team', value: 'ml', effect: 'NoSchedule' }] });
    const pod = workload({
      limits: { 'nvidia.com/gpu': 1, 'nvidia.com/mig-1g.10gb': 1 },
      tolerations: [{ key: 'team', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
    });
    const [f, ...rest] = of(lint([DEFAULT_NODE_CLASS, pool, pod]), 'GPU002');
    expect(rest).toEqual([]);
    expect(f.fieldPath).toBe('spec.template.spec.tolerations');
    expect(f.message).toMatch(/^requests nvidia.com\/gpu \+ nvidia.com\/mig-1g.10gb but does not tolerate nvidia.com\/gpu:NoSchedule, the conventional taint of GPU nodes \(assumed because none of the 1 NodePool\(s\) in these manifests offers nvidia.com\/gpu \+ nvidia.com\/mig-1g.10gb\)/);
  });
});

describe('GPU304 one limited and one unlimited usable pool', () => {
  test('is not judged: the unlimited pool bounds nothing, so no maximum is too high', () => {
    const limited = nodePool({ name: 'a', limits: { 'nvidia.com/gpu': 8 } });
    const unlimited = nodePool({ name: 'b', limits: {} });
    const app = gpuApp({ name: 'model-a', namespace: 'inference', limits: { 'nvidia.com/gpu': 2 } });
    const so = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'model-a', namespace: 'inference' },
      spec: { scaleTargetRef: { name: 'model-a' }, maxReplicaCount: 1000, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] },
    };
    expect(of(lint([DEFAULT_NODE_CLASS, limited, unlimited, app, so]), 'GPU304')).toEqual([]);
    // Control: with the limited pool alone, the same maximum is an error.
    expect(of(lint([DEFAULT_NODE_CLASS, limited, app, so]), 'GPU304')).toHaveLength(1);
  });
});

describe('GPU401 MIG placement', () => {
  const migPool = (name: string, taints: any[], labels: Record<string, string> = { 'nvidia.com/mig.config': 'all-1g.5gb' }) => {
    const p = nodePool({ name, taints, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge'] }], limits: { 'nvidia.com/gpu': 64 } });
    p.spec.template.metadata = { labels };
    return p;
  };
  const gpuTaint = { key: 'nvidia.com/gpu', effect: 'NoSchedule' };
  // What tells Karpenter that the pools' nodes advertise the slices (GPU401 requires it on Karpenter pools).
  const overlay = (pools: string[], slices: number) => ({
    apiVersion: 'karpenter.sh/v1alpha1',
    kind: 'NodeOverlay',
    metadata: { name: `mig-${pools.join('-')}` },
    spec: {
      requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: pools }, { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'In', values: ['8'] }],
      capacity: { 'nvidia.com/mig-1g.5gb': String(slices) },
    },
  });

  test('two pools offer the slice and only one fits the pod: it can land there, no finding', () => {
    const closed = migPool('a100-team', [gpuTaint, { key: 'team', value: 'a', effect: 'NoSchedule' }]);
    const open = migPool('a100-open', [gpuTaint]);
    const pod = gpuApp({ limits: { 'nvidia.com/mig-1g.5gb': 1 } });
    expect(of(lint([DEFAULT_NODE_CLASS, closed, open, overlay(['a100-team', 'a100-open'], 56), pod]), 'GPU401')).toEqual([]);
    // Control: the closed pool alone is reported.
    expect(of(lint([DEFAULT_NODE_CLASS, closed, overlay(['a100-team'], 56), pod]), 'GPU401')[0].message).toMatch(/offered by NodePool\(s\) a100-team, but fits none of them/);
  });

  test('a mig-parted config with `devices: all` slices every GPU of the node', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mig-config', namespace: 'gpu-operator' },
      data: { 'config.yaml': 'version: v1\nmig-configs:\n  all-seven:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {"1g.5gb": 7}\n' },
    };
    const pool = migPool('a100', [gpuTaint], { 'nvidia.com/mig.config': 'all-seven' });
    // p4d.24xlarge: 8 × A100-40GB × 7 slices = 56 per node.
    expect(of(lint([DEFAULT_NODE_CLASS, cm, pool, overlay(['a100'], 56), gpuApp({ limits: { 'nvidia.com/mig-1g.5gb': 56 } })]), 'GPU401')).toEqual([]);
    // Without the NodeOverlay the layout alone is what the nodes would advertise: 8 GPUs × 7 slices = 56.
    expect(of(lint([DEFAULT_NODE_CLASS, cm, pool, gpuApp({ limits: { 'nvidia.com/mig-1g.5gb': 56 } })]), 'GPU401')[0].message)
      .toMatch(/Karpenter sees nvidia.com\/mig-1g.5gb 0 on p4d.24xlarge, not 56\)/);
    const [f] = of(lint([DEFAULT_NODE_CLASS, cm, pool, overlay(['a100'], 56), gpuApp({ limits: { 'nvidia.com/mig-1g.5gb': 57 } })]), 'GPU401');
    expect(f.message).toMatch(/needs 57 nvidia.com\/mig-1g.5gb per pod; the largest allowed type p4d.24xlarge has 56/);
  });
});

describe('GPU404 a non-production workload while a production namespace exists', () => {
  test('is not warned about: only workloads in the production namespace are', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'device-plugin-config', namespace: 'gpu-operator' },
      data: { ts: 'version: v1\nsharing:\n  timeSlicing:\n    resources: [{name: nvidia.com/gpu, replicas: 4}]\n' },
    };
    const pool = nodePool({ name: 'dev', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.12xlarge'] }], limits: { 'nvidia.com/gpu': 64 } });
    pool.spec.template.metadata = { labels: { 'nvidia.com/device-plugin.config': 'ts' } };
    const ns = (name: string, env: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'cdk8s-gpu.io/environment': env } } });
    const prodApp = gpuApp({ name: 'serve', namespace: 'ml-serving' });
    const devApp = gpuApp({ name: 'notebook', namespace: 'ml-dev' });
    const findings = of(lint([DEFAULT_NODE_CLASS, cm, pool, ns('ml-serving', 'production'), ns('ml-dev', 'development'), prodApp, devApp]), 'GPU404');
    expect(findings.map((f) => `${f.object.namespace}/${f.object.name}`)).toEqual(['ml-serving/serve']);
  });
});

describe('GPU205 terminationGracePeriodSeconds exactly at the spot notice', () => {
  test('120 s is within the two-minute notice; 121 s is not', () => {
    const spot = nodePool({ name: 'spot', requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g6'] }, { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] });
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'default' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'app' } } } };
    const withGrace = (s: number) => { const w = gpuApp(); w.spec.template.spec.terminationGracePeriodSeconds = s; return w; };
    expect(of(lint([DEFAULT_NODE_CLASS, spot, pdb, withGrace(120)]), 'GPU205')).toEqual([]);
    const [f] = of(lint([DEFAULT_NODE_CLASS, spot, pdb, withGrace(121)]), 'GPU205');
    expect(f.fieldPath).toBe('spec.template.spec.terminationGracePeriodSeconds');
    expect(f.message).toMatch(/^is 121 s on spot NodePool\(s\) spot, longer than the 120 s interruption notice/);
  });
});

describe('GPU202 a pod exactly filling its quota', () => {
  test('is admitted (the quota admission plugin allows used + requested ≤ hard)', () => {
    const quota = (hard: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard } });
    // gpuApp: 1 GPU, 2 cpu, 8Gi per pod.
    const exact = quota({ 'requests.nvidia.com/gpu': 1, 'requests.cpu': '2', 'requests.memory': '8Gi', 'pods': 1 });
    expect(of(lint([exact, gpuApp()]), 'GPU202')).toEqual([]);
    const below = quota({ 'requests.nvidia.com/gpu': 1, 'requests.cpu': '1999m', 'requests.memory': '8Gi', 'pods': 1 });
    expect(of(lint([below, gpuApp()]), 'GPU202').map((f) => f.message.split(',')[0])).toEqual(['one pod needs requests.cpu 2']);
  });
});
