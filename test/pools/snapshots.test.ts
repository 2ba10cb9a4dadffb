import * as fs from 'fs';
import { Duration, Size, Testing } from 'cdk8s';
import { BOUND, chart } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { CapacityReservation, CapacityType, DisruptionBudgets, GpuAmi, GpuNodePool, SpotGpuPool } from '../../src/pools';
import { poolModelOf } from '../../src/scheduling';
import { expectValid, parseManifests } from '../conformance/schema';
import { describeWithShared, readShared } from '../shared-data';

// Reviewed snapshots: every object also validates against the upstream CRDs (ajv + CEL).
describe('snapshots', () => {
  test('p4d/p5 on-demand pool', () => {
    const c = chart();
    new GpuNodePool(c, 'llm', {
      name: 'llm-on-demand',
      instanceTypes: [GpuInstanceType.P4D_24XLARGE, GpuInstanceType.P5_48XLARGE],
      maxNodes: 4,
      labels: { 'example.com/workload': 'llm-serving' },
      budgets: [DisruptionBudgets.businessHours(), DisruptionBudgets.atMost('1')],
      nodeClassProps: { name: 'llm', ami: GpuAmi.al2023('v20250505'), ...BOUND },
    });
    const out = Testing.synth(c);
    expectValid(out);
    expect(out).toMatchSnapshot();
  });

  test('g5/g6 spot pool', () => {
    const c = chart();
    new SpotGpuPool(c, 'small', {
      name: 'small-spot',
      families: ['g5', 'g6'],
      gpuNames: ['a10g', 'l4'],
      gpuLimit: 32,
      consolidateAfter: Duration.minutes(2),
      onDemandFallback: true,
      nodeClassProps: { name: 'small', ...BOUND },
    });
    const out = Testing.synth(c);
    expectValid(out);
    expect(out).toMatchSnapshot();
  });

  test('p5 Capacity-Block pool', () => {
    const c = chart();
    new GpuNodePool(c, 'train', {
      name: 'p5-capacity-block',
      instanceTypes: [GpuInstanceType.P5_48XLARGE],
      gpuLimit: 16,
      capacityType: CapacityType.RESERVED,
      capacityReservations: [CapacityReservation.capacityBlock('cr-0123456789abcdef0')],
      budgets: [DisruptionBudgets.keepReservedNodes(), DisruptionBudgets.atMost('1')],
      neverExpire: true,
      terminationGracePeriod: Duration.hours(1),
      weight: 100,
      nodeClassProps: { name: 'p5-training', maxParallelImagePulls: 8, ...BOUND },
    });
    const out = Testing.synth(c);
    expectValid(out);
    expect(out).toMatchSnapshot();
  });
});

// The founding document's two NodePools (seeds/001, gpu-inference-pool and gpu-spot-pool) in under 15 lines each.
describeWithShared('the seed NodePools, rewritten', ['seeds/001_*'], () => {
  test('each is written in under 15 lines of code (counted from this file)', () => {
    const me = fs.readFileSync(__filename, 'utf8');
    const blocks = [...me.matchAll(/\/\/ ---- seed pool: ([\w-]+) ----\n([\s\S]*?)\/\/ ---- end ----/g)];
    expect(blocks.map((b) => b[1])).toEqual(['gpu-inference-pool', 'gpu-spot-pool']);
    for (const [, , body] of blocks) {
      const code = body.split('\n').filter((l) => l.trim() !== '' && !/^\s*(\/\*|\/\/)/.test(l));
      expect(code.length).toBeLessThan(15);
    }
  });

  const seedText = readShared('seeds/001_*');
  const seedYaml = [...seedText.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((y) => /kind: (NodePool|EC2NodeClass)/.test(y));
  const seeds = seedYaml.flatMap((y) => parseManifests(y));
  const seed = (kind: string, name: string) => seeds.find((o) => o.kind === kind && o.metadata?.name === name);

  test('gpu-inference-pool with gpu-nodeclass', () => {
    const c = chart();
    // ---- seed pool: gpu-inference-pool ----
    /* eslint-disable @stylistic/object-property-newline */
    new GpuNodePool(c, 'inference', {
      name: 'gpu-inference-pool',
      instanceTypes: [GpuInstanceType.P4D_24XLARGE, GpuInstanceType.P5_48XLARGE, GpuInstanceType.G5_48XLARGE],
      capacityTypes: [CapacityType.ON_DEMAND, CapacityType.SPOT],
      labels: { 'node-type': 'gpu-inference', 'workload': 'genai' },
      gpuLimit: 64, consolidateAfter: Duration.seconds(30), weight: 100,
      nodeClassProps: {
        name: 'gpu-nodeclass', role: 'KarpenterNodeRole-demo', clusterName: 'demo',
        volume: { size: Size.gibibytes(500), iops: 10000, throughputMiBps: 500 },
        tags: { Environment: 'production', Workload: 'genai-inference' },
      },
    });
    /* eslint-enable @stylistic/object-property-newline */
    // ---- end ----
    const out = Testing.synth(c);
    expectValid(out);
    const ours = out.find((o: any) => o.kind === 'NodePool');
    const theirs = seed('NodePool', 'gpu-inference-pool');
    expect(ours.spec.template.metadata).toEqual(theirs.spec.template.metadata);
    expect(ours.spec.template.spec.taints).toEqual(theirs.spec.template.spec.taints);
    expect(ours.spec.limits['nvidia.com/gpu']).toBe(theirs.spec.limits['nvidia.com/gpu']);
    expect(ours.spec.weight).toBe(theirs.spec.weight);
    expect(ours.spec.disruption).toEqual(theirs.spec.disruption);
    expect(new Set(poolModelOf(ours).instanceTypes.map((t) => t.name))).toEqual(new Set(poolModelOf(theirs).instanceTypes.map((t) => t.name)));
    expect(poolModelOf(ours).capacityTypes).toEqual(poolModelOf(theirs).capacityTypes);
    const nodeClass = out.find((o: any) => o.kind === 'EC2NodeClass');
    const seedClass = seed('EC2NodeClass', 'gpu-nodeclass');
    expect(nodeClass.spec.blockDeviceMappings).toEqual(seedClass.spec.blockDeviceMappings);
    expect(nodeClass.spec.tags).toEqual(seedClass.spec.tags);
    expect(nodeClass.spec.amiSelectorTerms).toEqual(seedClass.spec.amiSelectorTerms);
    expect(nodeClass.spec.instanceStorePolicy).toBe(seedClass.spec.instanceStorePolicy);
    // The seed's limits (cpu 1000, memory 4000Gi) would stop Karpenter at 5 p5 nodes (192 vCPU each), 40 of 64 GPUs;
    // ours are derived so the GPU limit is the binding one.
    expect(ours.spec.limits.cpu).toBeGreaterThanOrEqual(64 / 8 * 192);
  });

  test('gpu-spot-pool', () => {
    const c = chart();
    // ---- seed pool: gpu-spot-pool ----
    /* eslint-disable @stylistic/object-property-newline */
    new SpotGpuPool(c, 'spot', {
      name: 'gpu-spot-pool',
      instanceTypes: [GpuInstanceType.G5_12XLARGE, GpuInstanceType.G5_24XLARGE, GpuInstanceType.G5_48XLARGE],
      gpuLimit: 32, consolidateAfter: Duration.seconds(30), weight: 50,
      nodeClassProps: { name: 'gpu-spot-nodeclass', role: 'KarpenterNodeRole-demo', clusterName: 'demo' },
    });
    /* eslint-enable @stylistic/object-property-newline */
    // ---- end ----
    const out = Testing.synth(c);
    expectValid(out);
    const ours = out.find((o: any) => o.kind === 'NodePool');
    const theirs = seed('NodePool', 'gpu-spot-pool');
    expect(ours.spec.template.spec.taints).toEqual(theirs.spec.template.spec.taints);
    expect(ours.spec.disruption).toEqual(theirs.spec.disruption);
    expect(ours.spec.weight).toBe(theirs.spec.weight);
    expect(ours.spec.limits['nvidia.com/gpu']).toBe(theirs.spec.limits['nvidia.com/gpu']);
    expect(ours.spec.template.spec.nodeClassRef).toEqual(theirs.spec.template.spec.nodeClassRef);
    expect(poolModelOf(ours).instanceTypes.map((t) => t.name)).toEqual(poolModelOf(theirs).instanceTypes.map((t) => t.name));
    expect(poolModelOf(ours).capacityTypes).toEqual(['spot']);
  });
});
