import { Duration, Size, Testing } from 'cdk8s';
import { BOUND, chart, configError, nodePoolJson, requirement } from './helpers';
import { GpuInstanceType, GpuModel } from '../../src/catalog';
import {
  CapacityReservation, CapacityType, ConsolidationPolicy, DisruptionBudgets, DisruptionReason, GpuNodeClass, GpuNodePool,
  GpuNodePoolProps, GpuPoolPlacement, TaintEffect,
} from '../../src/pools';
import { poolModelOf } from '../../src/scheduling';
import { validateManifests, BUILTIN_RULES } from '../../src/validation';
import { expectValid } from '../conformance/schema';

const P5 = GpuInstanceType.P5_48XLARGE;
const P4D = GpuInstanceType.P4D_24XLARGE;
const make = (props: Partial<GpuNodePoolProps>, id = 'pool') => {
  const c = chart();
  const pool = new GpuNodePool(c, id, { nodeClassProps: BOUND, ...props } as GpuNodePoolProps);
  return { c, pool, json: () => nodePoolJson(c) };
};

describe('GpuNodePool', () => {
  test('explicit types: exact instance-type list, amd64/linux, on-demand, GPU taint, limits derived, schema-valid', () => {
    const { c, pool, json } = make({ name: 'gpu-inference', instanceTypes: [P5, P4D], gpuLimit: 64 });
    const np = json();
    expect(np.metadata.name).toBe('gpu-inference');
    expect(pool.poolName).toBe('gpu-inference');
    expect(requirement(np, 'node.kubernetes.io/instance-type').values).toEqual(['p4d.24xlarge', 'p5.48xlarge']);
    expect(requirement(np, 'kubernetes.io/arch')).toEqual({ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] });
    expect(requirement(np, 'karpenter.sh/capacity-type').values).toEqual(['on-demand']);
    expect(requirement(np, 'karpenter.k8s.aws/instance-gpu-count')).toEqual({ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] });
    expect(requirement(np, 'karpenter.k8s.aws/instance-family')).toBeUndefined();
    expect(np.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    // 64 GPUs × max(96/8, 192/8) vCPU per GPU; × max(1152/8, 2048/8) GiB per GPU
    expect(np.spec.limits).toEqual({ 'cpu': 1536, 'memory': '16384Gi', 'nvidia.com/gpu': 64 });
    expect(np.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '5m' });
    expect(np.spec.template.spec.expireAfter).toBe('720h');
    expect(np.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: pool.nodeClass.nodeClassName });
    expect(np.spec.weight).toBeUndefined();
    expect(pool.largestInstanceType).toBe(P4D);
    expectValid(Testing.synth(c));
  });

  test('the scheduling model reads back exactly the allowed types, taints and limits', () => {
    const { pool, json } = make({ families: ['g6', 'g6e'], minGpuMemoryGiB: 40, maxNodes: 2, capacityTypes: [CapacityType.SPOT, CapacityType.ON_DEMAND] });
    const model = poolModelOf(json());
    expect(model.instanceTypes.map((t) => t.name)).toEqual(pool.allowedInstanceTypes.map((t) => t.name));
    expect(pool.allowedInstanceTypes.every((t) => t.family === 'g6e')).toBe(true);
    expect(model.capacityTypes).toEqual(['spot', 'on-demand']);
    expect(model.gpuLimit).toBe(16);
    expect(model.taints).toEqual(pool.taints);
  });

  test('selectors render as well-known requirements', () => {
    const { json, pool } = make({ families: ['p5', 'p5e'], gpuModels: [GpuModel.H100_80GB], minGpuMemoryGiB: 80, maxNodes: 1 });
    const np = json();
    expect(requirement(np, 'karpenter.k8s.aws/instance-family').values).toEqual(['p5']);
    expect(requirement(np, 'karpenter.k8s.aws/instance-gpu-name').values).toEqual(['h100']);
    expect(requirement(np, 'karpenter.k8s.aws/instance-gpu-memory')).toEqual({ key: 'karpenter.k8s.aws/instance-gpu-memory', operator: 'Gt', values: ['81919'] });
    expect(pool.allowedInstanceTypes.map((t) => t.name)).toEqual(['p5.4xlarge', 'p5.48xlarge']);
    expect(pool.gpuLimit).toBe(8);
    expect(make({ gpuNames: ['a100'], migCapableOnly: true, gpuLimit: 8 }).pool.allowedInstanceTypes.map((t) => t.name)).toEqual(['p4d.24xlarge', 'p4de.24xlarge']);
  });

  test('maxNodes derives gpuLimit from the largest type; explicit cpu/memory limits are kept', () => {
    const { pool, json } = make({
      instanceTypes: [GpuInstanceType.G5_12XLARGE, GpuInstanceType.G5_48XLARGE], maxNodes: 3, cpuLimit: 600, memoryLimit: Size.gibibytes(3000),
    });
    expect(pool.gpuLimit).toBe(24);
    expect(json().spec.limits).toEqual({ 'cpu': 600, 'memory': '3000Gi', 'nvidia.com/gpu': 24 });
  });

  test('labels, extra taints, start-up taints, addTaint/addLabel after construction land in the output', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { pool, json, c } = make({
      instanceTypes: [P5],
      gpuLimit: 16,
      labels: { 'node-type': 'gpu-inference', 'workload': 'genai' },
      taints: [{ key: 'example.com/dedicated', value: 'ml', effect: TaintEffect.NO_EXECUTE }],
      startupTaints: [{ key: 'example.com/agent-not-ready', effect: TaintEffect.NO_SCHEDULE }],
    });
    pool.addTaint({ key: 'example.com/team', value: 'search', effect: TaintEffect.NO_SCHEDULE });
    pool.addLabel('example.com/team', 'search');
    const np = json();
    expect(np.spec.template.metadata.labels).toEqual({ 'node-type': 'gpu-inference', 'workload': 'genai', 'example.com/team': 'search' });
    expect(np.spec.template.spec.taints.map((t: any) => t.key)).toEqual(['nvidia.com/gpu', 'example.com/dedicated', 'example.com/team']);
    expect(np.spec.template.spec.startupTaints).toEqual([{ key: 'example.com/agent-not-ready', effect: 'NoSchedule' }]);
    expect(warn.mock.calls.map((a) => a[0]).join('\n')).toMatch(/^\[cdk8s-gpu\] warning GPU801 GpuNodePool test\/pool startupTaints: start-up taint example.com\/agent-not-ready:NoSchedule must be removed/);
    expect(pool.node.metadata.some((m) => m.type === 'cdk8s-gpu/warning')).toBe(true);
    warn.mockRestore();
    expectValid(Testing.synth(c));
  });

  test('tolerations match exactly the taints; affinity pins to the pool', () => {
    const { pool } = make({ name: 'a', instanceTypes: [P5], gpuLimit: 8, taints: [{ key: 'example.com/flag', effect: TaintEffect.NO_SCHEDULE }] });
    expect(pool.tolerations()).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'example.com/flag', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(pool.nodeSelectorRequirements()).toEqual([{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['a'] }]);
    expect(pool.requiredNodeAffinity()).toEqual({ nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['a'] }] }] });
    const { pool: b } = make({ name: 'b', instanceTypes: [P4D], gpuLimit: 8, gpuTaint: false });
    expect(b.taints).toEqual([]);
    expect(GpuPoolPlacement.requiredNodeAffinity([pool, b]).nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['a', 'b']);
    expect(GpuPoolPlacement.tolerations([pool, pool])).toHaveLength(2);
  });

  test('disruption: policy, consolidateAfter, budgets, expiry, termination grace period, weight', () => {
    const { json, c } = make({
      instanceTypes: [P5],
      gpuLimit: 8,
      weight: 100,
      consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY,
      consolidateAfter: Duration.seconds(90),
      budgets: [DisruptionBudgets.businessHours({ startHourUtc: 0, duration: Duration.minutes(9 * 60 + 30) }), DisruptionBudgets.atMost('10%'),
        { nodes: '1', reasons: [DisruptionReason.DRIFTED] }],
      expireAfter: Duration.days(14),
      terminationGracePeriod: Duration.hours(2),
    });
    const np = json();
    expect(np.spec.disruption).toEqual({
      consolidationPolicy: 'WhenEmpty',
      consolidateAfter: '1m30s',
      budgets: [{ nodes: '0', schedule: '0 0 * * 1-5', duration: '9h30m' }, { nodes: '10%' }, { nodes: '1', reasons: ['Drifted'] }],
    });
    expect(np.spec.template.spec.expireAfter).toBe('336h');
    expect(np.spec.template.spec.terminationGracePeriod).toBe('2h');
    expect(np.spec.weight).toBe(100);
    expectValid(Testing.synth(c));
    expect(make({ instanceTypes: [P5], gpuLimit: 8, neverExpire: true }).json().spec.template.spec.expireAfter).toBe('Never');
  });

  test('a shared node class is rendered once and referenced by both pools', () => {
    const c = chart();
    const nodeClass = new GpuNodeClass(c, 'shared', { name: 'gpu', ...BOUND });
    new GpuNodePool(c, 'a', { instanceTypes: [P5], gpuLimit: 8, nodeClass });
    new GpuNodePool(c, 'b', { families: ['g6'], gpuLimit: 8, nodeClass });
    const out = Testing.synth(c);
    expect(out.filter((o: any) => o.kind === 'EC2NodeClass')).toHaveLength(1);
    expect(out.filter((o: any) => o.kind === 'NodePool').map((o: any) => o.spec.template.spec.nodeClassRef.name)).toEqual(['gpu', 'gpu']);
    // our output passes every rule of the linter (built-in + pools)
    const findings = validateManifests(out.map((object: any) => ({ object })), { rules: [...BUILTIN_RULES] });
    expect(findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  });

  test('reserved capacity puts the reservations on the node class', () => {
    const { c, json } = make({ instanceTypes: [P5], gpuLimit: 16, capacityType: CapacityType.RESERVED, capacityReservations: [CapacityReservation.capacityBlock('cr-0abc')] });
    expect(requirement(json(), 'karpenter.sh/capacity-type').values).toEqual(['reserved']);
    expect(Testing.synth(c).find((o: any) => o.kind === 'EC2NodeClass').spec.capacityReservationSelectorTerms).toEqual([{ id: 'cr-0abc' }]);
  });

  describe('bad input → GpuConfigError with construct path and property', () => {
    test.each<[string, Partial<GpuNodePoolProps>, string, RegExp]>([
      ['no selection', { gpuLimit: 8 }, 'instanceTypes', /no families, gpuNames/],
      ['empty instanceTypes', { instanceTypes: [], gpuLimit: 8 }, 'instanceTypes', /empty list/],
      ['unknown family', { families: ['q9'], gpuLimit: 8 }, 'families[0]', /'q9' is not a known EC2 GPU instance family/],
      ['CPU family', { families: ['m5'], gpuLimit: 8 }, 'families[0]', /without GPUs/],
      ['unknown GPU name', { gpuNames: ['H100'], gpuLimit: 8 }, 'gpuNames[0]', /not a Karpenter GPU name/],
      ['type outside families', { instanceTypes: [P5], families: ['g6'], gpuLimit: 8 }, 'instanceTypes', /lists p5.48xlarge, which does not match families/],
      ['MIG on L4', { instanceTypes: [GpuInstanceType.G6_XLARGE], migCapableOnly: true, gpuLimit: 8 }, 'instanceTypes', /MIG-capable GPUs only/],
      ['selection excludes itself', { families: ['g6'], minGpuMemoryGiB: 40, gpuLimit: 8 }, 'instanceTypes', /selects no catalog instance type/],
      ['no limit', { instanceTypes: [P5] }, 'gpuLimit', /is not set \(nor maxNodes\)/],
      ['both limits', { instanceTypes: [P5], gpuLimit: 8, maxNodes: 1 }, 'maxNodes', /together with gpuLimit/],
      ['fractional maxNodes', { instanceTypes: [P5], maxNodes: 1.5 }, 'maxNodes', /is 1.5/],
      ['weight 0', { instanceTypes: [P5], gpuLimit: 8, weight: 0 }, 'weight', /is 0, outside 1-100/],
      ['weight 101', { instanceTypes: [P5], gpuLimit: 8, weight: 101 }, 'weight', /outside 1-100/],
      ['cpu limit below a node', { instanceTypes: [P5], gpuLimit: 8, cpuLimit: 100 }, 'cpuLimit', /below one p5.48xlarge node \(192 vCPU\)/],
      ['memory limit below a node', { instanceTypes: [P5], gpuLimit: 8, memoryLimit: Size.gibibytes(1024) }, 'memoryLimit', /below one p5.48xlarge node \(2048 GiB\)/],
      ['reserved without reservations', { instanceTypes: [P5], gpuLimit: 8, capacityType: CapacityType.RESERVED }, 'capacityReservations', /is empty, but the pool buys CapacityType.RESERVED/],
      ['reservations without reserved', { instanceTypes: [P5], gpuLimit: 8, capacityReservations: [CapacityReservation.onDemandReservation('cr-1')] }, 'capacityReservations', /never used/],
      ['capacityType and capacityTypes', { instanceTypes: [P5], gpuLimit: 8, capacityType: CapacityType.SPOT, capacityTypes: [CapacityType.SPOT] }, 'capacityTypes', /together/],
      ['duplicate capacity type', { instanceTypes: [P5], gpuLimit: 8, capacityTypes: [CapacityType.SPOT, CapacityType.SPOT] }, 'capacityTypes[1]', /repeats spot/],
      ['bad name', { name: 'GPU_Pool', instanceTypes: [P5], gpuLimit: 8 }, 'name', /not a valid NodePool name/],
      ['restricted label', { instanceTypes: [P5], gpuLimit: 8, labels: { 'karpenter.sh/team': 'x' } }, 'labels["karpenter.sh/team"]', /label domain "karpenter.sh" is restricted/],
      ['kubelet label domain', { instanceTypes: [P5], gpuLimit: 8, labels: { 'node-role.kubernetes.io/gpu': '' } }, 'labels["node-role.kubernetes.io/gpu"]', /reserved for the kubelet/],
      ['label set by requirements', { instanceTypes: [P5], gpuLimit: 8, labels: { 'karpenter.sh/capacity-type': 'spot' } }, 'labels["karpenter.sh/capacity-type"]', /set by the pool's own requirements/],
      ['bad label value', { instanceTypes: [P5], gpuLimit: 8, labels: { team: 'a b' } }, 'labels["team"]', /value "a b"/],
      ['bad taint key', { instanceTypes: [P5], gpuLimit: 8, taints: [{ key: 'bad key', effect: TaintEffect.NO_SCHEDULE }] }, 'taints', /not a valid taint key/],
      ['duplicate taint', { instanceTypes: [P5], gpuLimit: 8, taints: [{ key: 'nvidia.com/gpu', effect: TaintEffect.NO_SCHEDULE }] }, 'taints', /already has a taint nvidia.com\/gpu:NoSchedule/],
      ['sub-second consolidateAfter', { instanceTypes: [P5], gpuLimit: 8, consolidateAfter: Duration.millis(1500) }, 'consolidateAfter', /whole seconds only/],
      ['zero expireAfter', { instanceTypes: [P5], gpuLimit: 8, expireAfter: Duration.seconds(0) }, 'expireAfter', /is zero/],
      ['expireAfter and neverExpire', { instanceTypes: [P5], gpuLimit: 8, expireAfter: Duration.days(1), neverExpire: true }, 'expireAfter', /together with neverExpire/],
      ['budget schedule without duration', { instanceTypes: [P5], gpuLimit: 8, budgets: [{ nodes: '0', schedule: '0 9 * * *' }] }, 'budgets[0]', /sets schedule without duration/],
      ['budget bad cron', { instanceTypes: [P5], gpuLimit: 8, budgets: [{ nodes: '0', schedule: '0 9 * *', duration: Duration.hours(1) }] }, 'budgets[0].schedule', /has 4 fields/],
      ['budget seconds', { instanceTypes: [P5], gpuLimit: 8, budgets: [{ nodes: '0', schedule: '@daily', duration: Duration.seconds(90) }] }, 'budgets[0].duration', /whole minutes only/],
      ['budget nodes', { instanceTypes: [P5], gpuLimit: 8, budgets: [{ nodes: '150%' }] }, 'budgets[0].nodes', /neither a count nor a percentage/],
      ['node class twice', { instanceTypes: [P5], gpuLimit: 8, nodeClass: {} as any }, 'nodeClassProps', /together with nodeClass/],
    ])('%s', (_, props, property, msg) => {
      const e = configError(() => new GpuNodePool(chart(), 'platform', { nodeClassProps: BOUND, ...props } as GpuNodePoolProps));
      expect(e.constructPath).toBe('test/platform');
      expect(e.property).toBe(property);
      expect(e.message).toMatch(msg);
      expect(e.message).toMatch(/^test\/platform: .*\. Fix: .+/);
    });

    test('gpuLimit below one node of the largest type names the numbers', () => {
      const e = configError(() => new GpuNodePool(chart(), 'a100-pool', { instanceTypes: [P4D, GpuInstanceType.G6_XLARGE], gpuLimit: 4 }));
      expect(e.message).toBe('test/a100-pool: gpuLimit is 4, below one p4d.24xlarge node (8 GPUs). Fix: raise gpuLimit to at least 8 or drop p4d.24xlarge');
    });
  });
});
