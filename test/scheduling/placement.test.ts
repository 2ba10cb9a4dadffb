import { GpuInstanceType } from '../../src/catalog';
import { ADVERTISED_RESOURCES_ANNOTATION, poolModelOf } from '../../src/scheduling/nodepool';
import { allocatableOf, limitCapacityOf, placeOnPool, placeOnPools, preferredVerdict } from '../../src/scheduling/placement';
import { podTemplateOf } from '../../src/scheduling/workloads';

const MiB = 2 ** 20;
const type = (name: string) => GpuInstanceType.all().find((t) => t.name === name)!;
const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' };
const TOLERATE_GPU = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];

const pool = (name: string, requirements: any[], extra: any = {}) => poolModelOf({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: {
    ...(extra.weight !== undefined ? { weight: extra.weight } : {}),
    ...(extra.limits ? { limits: extra.limits } : {}),
    template: { spec: { requirements, taints: extra.taints ?? [GPU_TAINT] } },
  },
});
const pod = (podSpec: any) => podTemplateOf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: podSpec } } })!;
const gpus = (n: number | string, resource = 'nvidia.com/gpu', more: any = {}) => ({ name: 'app', resources: { limits: { [resource]: n, ...more } } });

const mixed = pool('mixed', [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge', 'g5.xlarge'] }]);
const gNew = pool('g-new', [
  { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['g'] },
  { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
]);
const h100 = pool('h100', [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['h100'] }], { weight: 5 });

describe('placeOnPool: predicates and reasons', () => {
  test('taints first: a pod without toleration does not fit a tainted pool', () => {
    const v = placeOnPool(pod({ containers: [gpus(1)] }), gNew);
    expect(v.fits).toBe(false);
    expect(v.failedPredicate).toBe('taints');
    expect(v.reason).toBe('does not tolerate taint nvidia.com/gpu=true:NoSchedule');
    expect(v.instanceTypes).toEqual([]);
  });
  test('a NoExecute toleration does not help against a NoSchedule taint', () => {
    const v = placeOnPool(pod({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }], containers: [gpus(1)] }), gNew);
    expect(v.failedPredicate).toBe('taints');
  });
  test('startup taints need no toleration', () => {
    const p = poolModelOf({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 's' },
      spec: { template: { spec: { requirements: [], startupTaints: [{ key: 'x', effect: 'NoSchedule' }] } } },
    });
    expect(placeOnPool(pod({ containers: [gpus(1)] }), p).fits).toBe(true);
  });
  test('nodeSelector on a label Karpenter cannot know (GFD product label)', () => {
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, nodeSelector: { 'nvidia.com/gpu.product': 'H100' }, containers: [gpus(1)] }), gNew);
    expect(v.failedPredicate).toBe('nodeSelector');
    expect(v.reason).toBe('nodeSelector nvidia.com/gpu.product=H100 matches no node of this pool: nvidia.com/gpu.product is written by GPU '
      + 'feature discovery after the node joins, so Karpenter, which chooses a node from the labels it knows before launch, never launches '
      + 'one for this pod (select karpenter.k8s.aws/instance-gpu-name=h100 instead, or add the label to the NodePool\'s template labels)');
  });
  test('nodeSelector on gpu-name narrows the types', () => {
    const sel = (name: string) => pod({ tolerations: TOLERATE_GPU, nodeSelector: { 'karpenter.k8s.aws/instance-gpu-name': name }, containers: [gpus(1)] });
    expect(placeOnPool(sel('h100'), gNew).fits).toBe(false);
    const v = placeOnPool(sel('l4'), gNew);
    expect(v.fits).toBe(true);
    expect(new Set(v.instanceTypes.map((t) => t.name.split('.')[0]))).toEqual(new Set(['g6']));
  });
  test('nodeSelector on the nodepool name and a zone (chosen at launch) fits', () => {
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, nodeSelector: { 'karpenter.sh/nodepool': 'h100', 'topology.kubernetes.io/zone': 'us-east-1a' }, containers: [gpus(1)] }), h100);
    expect(v.fits).toBe(true);
    expect(v.instanceTypes.map((t) => t.name)).toEqual(['p5.4xlarge', 'p5.48xlarge']);
  });
  test('required node affinity on spot against an on-demand pool', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] },
          ],
        },
      },
    };
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, affinity, containers: [gpus(1)] }), gNew);
    expect(v.failedPredicate).toBe('nodeAffinity');
    expect(v.reason).toBe('required node affinity: karpenter.sh/capacity-type In [spot] matches no node of this pool');
  });
  test('capacity types: a spot affinity on a spot+on-demand pool fits only as spot', () => {
    const both = pool('both', [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand', 'spot'] }]);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] },
          ],
        },
      },
    };
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, affinity, containers: [gpus(1)] }), both);
    expect(v.fits).toBe(true);
    expect(v.capacityTypes).toEqual(['spot']);
  });
  test('too many GPUs per pod names the largest allowed type', () => {
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, containers: [gpus(16)] }), mixed);
    expect(v.failedPredicate).toBe('gpu');
    expect(v.reason).toBe('needs 16 nvidia.com/gpu per pod; the largest allowed type p4d.24xlarge has 8');
  });
  test('init container GPU demand counts (effective request)', () => {
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, initContainers: [gpus(4)], containers: [gpus(1)] }), mixed);
    expect(v.instanceTypes.map((t) => t.name)).toEqual(['p4d.24xlarge']);
  });
  test('GPU demand narrows the types: 4 GPUs on g5/g6/g6e', () => {
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, containers: [gpus(4)] }), gNew);
    expect(v.fits).toBe(true);
    expect(v.instanceTypes.every((t) => t.gpuCount >= 4)).toBe(true);
    expect(v.instanceTypes.map((t) => t.name)).toContain('g6.12xlarge');
  });
  test('MIG resources fit only where the pool advertises them', () => {
    const podMig = pod({ tolerations: TOLERATE_GPU, containers: [gpus(1, 'nvidia.com/mig-1g.10gb')] });
    const plain = placeOnPool(podMig, h100);
    expect(plain.failedPredicate).toBe('gpu');
    expect(plain.reason).toBe('needs 1 nvidia.com/mig-1g.10gb per pod; no allowed instance type of this pool advertises nvidia.com/mig-1g.10gb');
    const mig = pool('mig', [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['h100'] }],
      { annotations: { [ADVERTISED_RESOURCES_ANNOTATION]: '{"nvidia.com/mig-1g.10gb": 7}' } });
    expect(placeOnPool(podMig, mig).fits).toBe(true);
  });
  test('cpu that no type leaves for pods', () => {
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, containers: [gpus(1, 'nvidia.com/gpu', { cpu: '100' })] }), mixed);
    expect(v.failedPredicate).toBe('cpu');
    expect(v.reason).toMatch(/^needs 100 cpu per pod; the largest allowed type p4d\.24xlarge leaves 95\.19 cpu for pods$/);
  });
  test('memory that no type leaves for pods', () => {
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, containers: [gpus(1, 'nvidia.com/gpu', { memory: '1100Gi' })] }), mixed);
    expect(v.failedPredicate).toBe('memory');
    expect(v.reason).toMatch(/^needs 1100Gi memory per pod; the largest allowed type p4d\.24xlarge leaves 1\d{3}\.\dGi for pods$/);
  });
  test('a type whose capacity alone exceeds the pool limits can never launch', () => {
    const limited = pool('limited', [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge'] }], { limits: { 'nvidia.com/gpu': 4 } });
    const v = placeOnPool(pod({ tolerations: TOLERATE_GPU, containers: [gpus(1)] }), limited);
    expect(v.failedPredicate).toBe('limits');
    expect(v.reason).toContain('p4d.24xlarge has 8 nvidia.com/gpu, above limits.nvidia.com/gpu 4');
  });
  test('limits.nodes counts one per node, as the planner counts it: 0 launches nothing, 1 launches one node', () => {
    // Karpenter enforces limits.nodes at provisioning like cpu and memory (kubernetes-sigs/karpenter#2526); one helper,
    // limitCapacityOf, says what a node counts for placement (predicate 5) and for the planner's spill.
    const types = [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge'] }];
    const none = placeOnPool(pod({ tolerations: TOLERATE_GPU, containers: [gpus(1)] }), pool('none', types, { limits: { nodes: 0 } }));
    expect(none.fits).toBe(false);
    expect(none.failedPredicate).toBe('limits');
    expect(none.reason).toBe("every fitting type exceeds the pool's limits, e.g. p4d.24xlarge has 1 nodes, above limits.nodes 0");
    expect(placeOnPool(pod({ tolerations: TOLERATE_GPU, containers: [gpus(1)] }), pool('one', types, { limits: { nodes: 1 } })).fits).toBe(true);
    // A limit named like an Object.prototype member counts nothing (no node has that resource).
    const odd = pool('odd', types, { limits: { constructor: 0, toString: 0 } });
    expect(limitCapacityOf(odd, type('p4d.24xlarge')).constructor).toBeUndefined();
    expect(placeOnPool(pod({ tolerations: TOLERATE_GPU, containers: [gpus(1)] }), odd).fits).toBe(true);
  });
  test('a pool whose requirements allow no catalog type', () => {
    const cpu = pool('cpu', [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['m'] }], { taints: [] });
    expect(placeOnPool(pod({ containers: [{}] }), cpu).failedPredicate).toBe('instanceTypes');
  });
});

describe('placeOnPools / preferredVerdict', () => {
  test('one verdict per pool, in order; the heaviest fitting pool is preferred', () => {
    const t = pod({ tolerations: TOLERATE_GPU, containers: [gpus(1)] });
    const verdicts = placeOnPools(t, [mixed, gNew, h100]);
    expect(verdicts.map((v) => [v.pool.name, v.fits])).toEqual([['mixed', true], ['g-new', true], ['h100', true]]);
    expect(preferredVerdict(verdicts)!.pool.name).toBe('h100');
    expect(preferredVerdict(placeOnPools(pod({ containers: [gpus(1)] }), [mixed, gNew]))).toBeUndefined();
  });
  test('system reserve is configurable', () => {
    const t = pod({ tolerations: TOLERATE_GPU, containers: [gpus(1, 'nvidia.com/gpu', { cpu: '3.5' })] });
    const g5 = pool('g5x', [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge'] }]);
    expect(placeOnPools(t, [g5])[0].fits).toBe(false);
    expect(placeOnPools(t, [g5], { systemReserve: { daemonSetCpu: 0.1 } })[0].fits).toBe(true);
  });
});

describe('allocatableOf (EKS kube-reserved formula, Karpenter VM overhead, eviction, daemonsets)', () => {
  test('g5.xlarge: 4 vCPU, 16 GiB', () => {
    const a = allocatableOf(type('g5.xlarge'));
    expect(a.cpu).toBeCloseTo(4 - 0.08 - 0.5, 9); // 60m + 10m + 2 × 5m
    expect(a.memoryBytes / MiB).toBeCloseTo(16384 * 0.925 - (11 * 110 + 255) - 100 - 1024, 6);
  });
  test('p4d.24xlarge: 96 vCPU → 310m kube-reserved, maxPods 250', () => {
    const a = allocatableOf(type('p4d.24xlarge'));
    expect(a.cpu).toBeCloseTo(96 - 0.31 - 0.5, 9);
    expect(a.memoryBytes / MiB).toBeCloseTo(1152 * 1024 * 0.925 - (11 * 250 + 255) - 100 - 1024, 6);
  });
  test('overrides', () => {
    const a = allocatableOf(type('g5.xlarge'), { daemonSetCpu: 0, daemonSetMemoryBytes: 0, vmMemoryOverheadPercent: 0, evictionHardMemoryBytes: 0, maxPods: 10 });
    expect(a.cpu).toBeCloseTo(3.92, 9);
    expect(a.memoryBytes / MiB).toBeCloseTo(16384 - 365, 6);
  });
  test('the default reserve is remembered per type, read-only, and never used for an explicit reserve', () => {
    const g5 = type('g5.xlarge');
    const a = allocatableOf(g5);
    expect(allocatableOf(g5)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(allocatableOf(g5, {})).toEqual(a);
    expect(allocatableOf(g5, {})).not.toBe(a);
    expect(allocatableOf(g5, { daemonSetCpu: 0 }).cpu).toBeCloseTo(a.cpu + 0.5, 9);
    expect(allocatableOf(type('g5.2xlarge')).cpu).toBeCloseTo(8 - 0.09 - 0.5, 9); // its own entry: 60m + 10m + 2 × 5m + 4 × 2.5m
  });
});
