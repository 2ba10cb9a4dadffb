import { parseAllDocuments } from 'yaml';
import { GpuInstanceType } from '../../src/catalog';
import { GpuConfigError } from '../../src/errors';
import { ADVERTISED_RESOURCES_ANNOTATION, poolModelOf } from '../../src/scheduling/nodepool';
import { describeWithShared, readShared } from '../shared-data';

const nodePool = (requirements: any[], extra: any = {}) => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: extra.name ?? 'pool', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: {
    template: { metadata: { labels: extra.labels ?? {} }, spec: { requirements, taints: extra.taints, nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' } } },
    ...(extra.limits ? { limits: extra.limits } : {}),
  },
});
const names = (types: GpuInstanceType[]) => types.map((t) => t.name);
const families = (types: GpuInstanceType[]) => [...new Set(types.map((t) => t.name.split('.')[0]))].sort();

describe('poolModelOf on inline NodePools', () => {
  test('instance-type In [...] allows exactly those types', () => {
    const pool = poolModelOf(nodePool([{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge', 'g5.xlarge'] }]));
    expect(names(pool.instanceTypes)).toEqual(['p4d.24xlarge', 'g5.xlarge']);
    expect(pool.offersGpu).toBe(true);
  });
  test('instance-family In [p5]', () => {
    const pool = poolModelOf(nodePool([{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['p5'] }]));
    expect(names(pool.instanceTypes)).toEqual(['p5.4xlarge', 'p5.48xlarge']);
  });
  test('category In [g] + generation Gt 4 → g5, g6, g6e but not g4dn or p*', () => {
    const pool = poolModelOf(nodePool([
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['g'] },
      { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
    ]));
    expect(families(pool.instanceTypes)).toEqual(['g5', 'g6', 'g6e']);
  });
  test('gpu-name In [h100] → the p5 types', () => {
    const pool = poolModelOf(nodePool([{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['h100'] }]));
    expect(names(pool.instanceTypes)).toEqual(['p5.4xlarge', 'p5.48xlarge']);
  });
  test('gpu-count Gt 0 → every GPU type; Gt 4 → only 8-GPU types', () => {
    const all = poolModelOf(nodePool([{ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] }]));
    expect(all.instanceTypes).toHaveLength(GpuInstanceType.all().length);
    const big = poolModelOf(nodePool([{ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['4'] }]));
    expect(big.instanceTypes.length).toBeGreaterThan(0);
    expect(big.instanceTypes.every((t) => t.gpuCount === 8)).toBe(true);
  });
  test('capacity-type spot; default on-demand; NotIn', () => {
    expect(poolModelOf(nodePool([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }])).capacityTypes).toEqual(['spot']);
    expect(poolModelOf(nodePool([])).capacityTypes).toEqual(['on-demand']);
    expect(poolModelOf(nodePool([{ key: 'karpenter.sh/capacity-type', operator: 'NotIn', values: ['spot'] }])).capacityTypes)
      .toEqual(['on-demand', 'reserved']);
  });
  test('a Windows pool offers none of the catalog types (all Linux)', () => {
    expect(poolModelOf(nodePool([{ key: 'kubernetes.io/os', operator: 'In', values: ['windows'] }])).instanceTypes).toEqual([]);
  });
  test('a CPU pool (category c/m/r) offers no GPU', () => {
    const pool = poolModelOf(nodePool([{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] }]));
    expect(pool.instanceTypes).toEqual([]);
    expect(pool.offersGpu).toBe(false);
  });
  test('a pool without requirements can launch every GPU type', () => {
    expect(poolModelOf(nodePool([])).offersGpu).toBe(true);
  });
  test('NotIn family excludes it', () => {
    const pool = poolModelOf(nodePool([{ key: 'karpenter.k8s.aws/instance-family', operator: 'NotIn', values: ['g4dn', 'g5', 'g6', 'g6e'] }]));
    expect(families(pool.instanceTypes).every((f) => f.startsWith('p'))).toBe(true);
  });
  test('custom keys do not filter types and become node labels; unmodelled well-known keys are reported', () => {
    const pool = poolModelOf(nodePool([
      { key: 'team', operator: 'In', values: ['ml'] },
      { key: 'karpenter.k8s.aws/instance-accelerator-name', operator: 'In', values: ['inferentia'] },
      { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g6'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    ], { name: 'ml', labels: { accelerator: 'nvidia' } }));
    expect(families(pool.instanceTypes)).toEqual(['g6']);
    expect(pool.unmodelledRequirements.map((r) => r.key)).toEqual(['karpenter.k8s.aws/instance-accelerator-name']);
    const labels = pool.nodeLabels(pool.instanceTypes[0]);
    expect(labels).toMatchObject({
      'team': 'ml',
      'accelerator': 'nvidia',
      'karpenter.sh/nodepool': 'ml',
      'karpenter.sh/capacity-type': 'on-demand',
      'node.kubernetes.io/instance-type': 'g6.xlarge',
      'kubernetes.io/os': 'linux',
    });
    expect(pool.nodeLabels(pool.instanceTypes[0], 'spot')['karpenter.sh/capacity-type']).toBe('spot');
  });
  test('limits, gpuLimit and weight are read', () => {
    const np: any = nodePool([], { limits: { 'cpu': '1000', 'memory': '1000Gi', 'nvidia.com/gpu': 16 } });
    np.spec.weight = 50;
    const pool = poolModelOf(np);
    expect(pool.gpuLimit).toBe(16);
    expect(pool.limits).toEqual({ 'cpu': 1000, 'memory': 1000 * 2 ** 30, 'nvidia.com/gpu': 16 });
    expect(pool.weight).toBe(50);
  });
  test('taints and startupTaints are kept apart', () => {
    const np: any = nodePool([], { taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] });
    np.spec.template.spec.startupTaints = [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }];
    const pool = poolModelOf(np);
    expect(pool.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(pool.startupTaints).toEqual([{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }]);
  });
  test('advertisedResources: nvidia.com/gpu by default; per-GPU counts from the sharing annotation', () => {
    const p4d = GpuInstanceType.all().find((t) => t.name === 'p4d.24xlarge')!;
    expect(poolModelOf(nodePool([])).advertisedResources(p4d)).toEqual({ 'nvidia.com/gpu': 8 });
    const mig = poolModelOf(nodePool([], { annotations: { [ADVERTISED_RESOURCES_ANNOTATION]: '{"nvidia.com/mig-1g.5gb": 7}' } }));
    expect(mig.advertisedResources(p4d)).toEqual({ 'nvidia.com/gpu': 8, 'nvidia.com/mig-1g.5gb': 56 });
  });
  test('a malformed sharing annotation is a GpuConfigError', () => {
    expect(() => poolModelOf(nodePool([], { annotations: { [ADVERTISED_RESOURCES_ANNOTATION]: '{nope' } }))).toThrow(GpuConfigError);
    expect(() => poolModelOf(nodePool([], { annotations: { [ADVERTISED_RESOURCES_ANNOTATION]: '{"nvidia.com/gpu": "4"}' } })))
      .toThrow(/not a count\. Fix: /);
  });
  test('anything but a karpenter.sh NodePool is a GpuConfigError', () => {
    expect(() => poolModelOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } })).toThrow(GpuConfigError);
    expect(() => poolModelOf(undefined)).toThrow(/not a karpenter\.sh NodePool\. Fix: /);
  });
  test('an explicit catalog replaces GpuInstanceType.all()', () => {
    const only = GpuInstanceType.all().filter((t) => t.name === 'g6.xlarge');
    expect(names(poolModelOf(nodePool([]), only).instanceTypes)).toEqual(['g6.xlarge']);
  });
});

describeWithShared('poolModelOf on real-world NodePools', ['reference/real-world/ai-on-eks/karpenter-gpu.rendered.yaml', 'reference/real-world/data-on-eks/nodepool-gpu-g6.yaml'], () => {
  const load = (rel: string) => parseAllDocuments(readShared(`reference/real-world/${rel}`))
    .map((d) => d.toJS()).find((o) => o?.kind === 'NodePool');

  test('ai-on-eks karpenter-gpu (category g, generation > 4, reserved/spot/on-demand, GPU taint)', () => {
    const pool = poolModelOf(load('ai-on-eks/karpenter-gpu.rendered.yaml'));
    expect(pool.name).toBe('gpu');
    expect(pool.weight).toBe(10);
    expect(pool.taints).toEqual([{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }]);
    expect(pool.labels).toEqual({ 'ai-on-eks.io/amiFamily': 'al2023', 'accelerator': 'nvidia' });
    expect(pool.capacityTypes).toEqual(['reserved', 'spot', 'on-demand']);
    expect(families(pool.instanceTypes)).toEqual(['g5', 'g6', 'g6e']);
    expect(pool.offersGpu).toBe(true);
    expect(pool.gpuLimit).toBeUndefined();
    expect(pool.nodeLabels(pool.instanceTypes[0])).toMatchObject({ 'karpenter.sh/nodepool': 'gpu', 'karpenter.sh/capacity-type': 'reserved', 'accelerator': 'nvidia' });
  });

  test('data-on-eks nodepool-gpu-g6 (no taint: the real defect; size list drops 16xlarge)', () => {
    const pool = poolModelOf(load('data-on-eks/nodepool-gpu-g6.yaml'));
    expect(pool.taints).toEqual([]);
    expect(pool.offersGpu).toBe(true);
    expect(families(pool.instanceTypes)).toEqual(['g5', 'g6', 'g6e']);
    expect(pool.instanceTypes.map((t) => t.name)).not.toContain('g6.16xlarge');
    expect(pool.instanceTypes).toHaveLength(21);
    expect(pool.gpuLimit).toBe(8);
    expect(pool.limits.cpu).toBe(1000);
    expect(pool.weight).toBe(20);
    expect(pool.capacityTypes).toEqual(['on-demand', 'spot']);
    expect(pool.unmodelledRequirements).toEqual([]); // hypervisor In [nitro] is modelled by the catalog
  });
});
