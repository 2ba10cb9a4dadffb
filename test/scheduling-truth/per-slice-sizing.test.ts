/**
 * Issue 15, case 2: shared GPUs are sized per slice. Default cpu/memory = node allocatable / slices per node
 * (time-slicing replicas × GPUs; MIG by each profile's compute fraction); explicit cpu/memory that leave a node's
 * slices impossible to co-locate are refused; `plan` packs the slices onto shared nodes.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { GpuInstanceType, MigGpu } from '../../src/catalog';
import { planGpuWorkloads } from '../../src/plan';
import { GpuNodePool } from '../../src/pools';
import { allocatableOf } from '../../src/scheduling/placement';
import { DevicePluginConfig, MigConfig, MigLayout } from '../../src/sharing';
import { validateManifests } from '../../src/validation';
import { GpuRequest, InferenceDeployment } from '../../src/workloads';
import { configError } from '../config-error';
import { loadYaml, of } from '../validation/helpers';
import { BOUND, chart, synth } from '../workloads/helpers';

function timeSlicedPool(c: ReturnType<typeof chart>) {
  const pool = new GpuNodePool(c, 'notebooks', { name: 'notebooks', instanceTypes: [GpuInstanceType.of('g5.xlarge')], gpuLimit: 4, nodeClassProps: BOUND, consolidateAfter: Duration.minutes(5) });
  const dp = new DevicePluginConfig(c, 'dp');
  dp.addTimeSlicing('x4', { replicas: 4 });
  dp.applyTo(pool, 'x4');
  return pool;
}

describe('per-slice sizing on shared GPUs', () => {
  test('time-sliced ×4 g5.xlarge: a notebook gets a quarter of the node, and 4 replicas share one node in the plan', () => {
    const c = chart();
    const pool = timeSlicedPool(c);
    const nb = new InferenceDeployment(c, 'nb', { pools: [pool], image: 'jupyter/base-notebook:2024-05-27', replicas: 4 });
    const alloc = allocatableOf(GpuInstanceType.of('g5.xlarge'));
    // Before: 3.4 cpu / 12 GiB (the whole node) → 4 replicas needed 4 nodes.
    expect(nb.cpuCores).toBeLessThanOrEqual(alloc.cpu / 4);
    expect(nb.cpuCores).toBe(0.8);
    expect(nb.memoryMiB * 2 ** 20 * 4).toBeLessThanOrEqual(alloc.memoryBytes);
    const plan = planGpuWorkloads(synth(c).map((object) => ({ object })));
    const p = plan.pools.find((x) => x.name === 'notebooks')!;
    expect(p.nodes).toEqual({ min: 1, max: 1 });
    expect(p.nodesByType.map((n) => n.instanceType)).toEqual(['g5.xlarge']);
  });

  test('mixed MIG on H100 (3g.40gb + 2g.20gb + 2 × 1g.10gb): the slices\' defaults add up to at most one GPU\'s share', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'h100', { name: 'h100', instanceTypes: [GpuInstanceType.of('p5.48xlarge')], gpuLimit: 16, nodeClassProps: BOUND });
    const mig = new MigConfig(c, 'mig');
    mig.addLayout('mixed', MigLayout.fromCounts(MigGpu.H100_80GB, { '3g.40gb': 1, '2g.20gb': 1, '1g.10gb': 2 }));
    mig.applyTo(pool, 'mixed');
    const sizes = ['3g.40gb', '2g.20gb', '1g.10gb'].map((profile) =>
      new InferenceDeployment(c, `m-${profile.replace('.', '-')}`, { pools: [pool], image: 'vllm/vllm-openai:v0.12.0', gpus: GpuRequest.mig(profile) }));
    const alloc = allocatableOf(GpuInstanceType.of('p5.48xlarge'));
    // Per node: 8 GPUs × (3g + 2g + 2 × 1g). Before: 1/2 + 1/3 + 2/7 of a GPU each → 213 cpu against ~191.
    const perNodeCpu = 8 * (sizes[0].cpuCores + sizes[1].cpuCores + 2 * sizes[2].cpuCores);
    expect(perNodeCpu).toBeLessThanOrEqual(alloc.cpu);
    const perNodeMem = 8 * (sizes[0].memoryMiB + sizes[1].memoryMiB + 2 * sizes[2].memoryMiB) * 2 ** 20;
    expect(perNodeMem).toBeLessThanOrEqual(alloc.memoryBytes);
    expect(sizes[0].cpuCores).toBeCloseTo(Math.floor(alloc.cpu * 3 / 7 / 8 * 10) / 10, 6);
  });

  test('explicit cpu/memory that leave a node\'s slices unusable are refused at construction', () => {
    const c = chart();
    const pool = timeSlicedPool(c);
    const e = configError(() => new InferenceDeployment(c, 'big', { pools: [pool], image: 'x:1', cpu: kplus.Cpu.units(2), memory: Size.gibibytes(2) }));
    expect(e.property).toBe('cpu');
    expect(e.message).toMatch(/is 2 cpu per pod, so only 1 of the 4 GPU slices of a g5\.xlarge .* can be used; the other slices sit idle/);
    expect(e.message).toMatch(/Fix: use at most 800m cpu per pod/);
    const m = configError(() => new InferenceDeployment(c, 'fat', { pools: [pool], image: 'x:1', cpu: kplus.Cpu.millis(500), memory: Size.gibibytes(8) }));
    expect(m.property).toBe('memory');
    // Within a quarter of the node: accepted.
    expect(() => new InferenceDeployment(c, 'ok', { pools: [pool], image: 'x:1', cpu: kplus.Cpu.millis(500), memory: Size.gibibytes(2) })).not.toThrow();
  });
});

describe('GPU405: lint warns when sliced pods\' cpu/memory leave slices unusable (foreign YAML)', () => {
  const dir = `${__dirname}/../fixtures/rules/GPU405`;
  test('3 cpu / 12Gi notebooks on a 4-way time-sliced g5.xlarge: warning with the per-slice size', () => {
    const [f] = of(validateManifests(loadYaml(`${dir}/fail.yaml`)), 'GPU405');
    expect(f.severity).toBe('warning');
    expect(f.message).toMatch(/a g5.xlarge of NodePool notebooks offers 4 slices but its allocatable \(3.4\d cpu, .*Gi\) holds only 1 such pod; 3 slices per node sit idle/);
    expect(f.remediation).toMatch(/Request at most 0.8 cpu/);
    expect(of(validateManifests(loadYaml(`${dir}/pass.yaml`)), 'GPU405')).toEqual([]);
  });
});
