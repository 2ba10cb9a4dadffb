import { readCsv } from './shared';
import { GpuInstanceType, GpuModel, MigGpu } from '../../src/catalog';
import { configError } from '../config-error';
import { describeWithShared } from '../shared-data';


describeWithShared('GpuModel cross-checked against gpu-instances.csv', ['reference/gpu-instances.csv'], () => {
  const rows = readCsv('gpu-instances.csv');

  test('the models are exactly the CSV gpu_model values, in first-seen order', () => {
    const seen: string[] = [];
    for (const r of rows) if (!seen.includes(r.gpu_model)) seen.push(r.gpu_model);
    expect(GpuModel.all().map((m) => m.name)).toEqual(seen);
  });

  test.each(rows.map((r) => [r.instance_type, r]))('%s: its model agrees with every row of that model', (_n, r) => {
    const m = GpuModel.of(r.gpu_model);
    expect(m.karpenterGpuName).toBe(r.karpenter_gpu_name);
    expect(m.memoryMiB).toBe(Number(r.gpu_memory_mib_ec2));
    expect(m.memoryGiB).toBe(Number(r.gpu_memory_gib_per_gpu));
    expect(m.migCapable).toBe(r.mig_capable === 'yes');
  });
});

describe('GpuModel', () => {
  test('ten models with their Karpenter names', () => {
    expect(GpuModel.all().map((m) => [m.name, m.karpenterGpuName])).toEqual([
      ['A100-SXM4-40GB', 'a100'], ['A100-SXM4-80GB', 'a100'], ['H100-SXM5-80GB', 'h100'], ['H200-SXM5-141GB', 'h200'],
      ['B200-180GB', 'b200'], ['B300', 'b300'], ['A10G-24GB', 'a10g'], ['L4-24GB', 'l4'], ['L40S-48GB', 'l40s'], ['T4-16GB', 't4'],
    ]);
    for (const m of GpuModel.all()) expect(m.manufacturer).toBe('nvidia');
  });

  test('MIG links: each MIG-capable model with a table links to it; B300 has none; others are not MIG-capable', () => {
    expect(GpuModel.A100_40GB.migGpu).toBe(MigGpu.A100_40GB);
    expect(GpuModel.A100_80GB.migGpu).toBe(MigGpu.A100_80GB);
    expect(GpuModel.H100_80GB.migGpu).toBe(MigGpu.H100_80GB);
    expect(GpuModel.H200_141GB.migGpu).toBe(MigGpu.H200_141GB);
    expect(GpuModel.B200_180GB.migGpu).toBe(MigGpu.B200_180GB);
    expect(GpuModel.B300.migCapable).toBe(true);
    expect(GpuModel.B300.migGpu).toBeUndefined();
    for (const m of [GpuModel.A10G, GpuModel.L4, GpuModel.L40S, GpuModel.T4]) {
      expect(m.migCapable).toBe(false);
      expect(m.migGpu).toBeUndefined();
    }
  });

  test('every instance type links to a model of the catalog, and MIG tables list the instance types', () => {
    for (const t of GpuInstanceType.all()) {
      expect(GpuModel.all()).toContain(t.gpu);
      expect(t.gpuMemoryMiB).toBe(t.gpu.memoryMiB);
      if (t.gpu.migGpu) expect(t.gpu.migGpu.awsInstanceTypes).toContain(t.name);
    }
  });

  test('compute capabilities as NVIDIA lists them: only the T4 is below 8.0', () => {
    expect(Object.fromEntries(GpuModel.all().map((m) => [m.name, m.computeCapability]))).toEqual({
      'A100-SXM4-40GB': 8.0,
      'A100-SXM4-80GB': 8.0,
      'H100-SXM5-80GB': 9.0,
      'H200-SXM5-141GB': 9.0,
      'B200-180GB': 10.0,
      'B300': 10.3,
      'A10G-24GB': 8.6,
      'L4-24GB': 8.9,
      'L40S-48GB': 8.9,
      'T4-16GB': 7.5,
    });
  });

  test('of() accepts names, aliases and unambiguous Karpenter names', () => {
    expect(GpuModel.of('A100-SXM4-40GB')).toBe(GpuModel.A100_40GB);
    expect(GpuModel.of('A100_40GB')).toBe(GpuModel.A100_40GB);
    expect(GpuModel.of('h100')).toBe(GpuModel.H100_80GB);
    expect(GpuModel.of('l40s')).toBe(GpuModel.L40S);
    expect(GpuModel.of('H200')).toBe(GpuModel.H200_141GB);
    expect(GpuModel.of('b300')).toBe(GpuModel.B300);
    expect(String(GpuModel.T4)).toBe('T4-16GB');
  });

  test('of() refuses the ambiguous a100 and unknown names with GpuConfigError', () => {
    expect(configError(() => GpuModel.of('a100')).message).toBe(
      "GpuModel.of: name 'a100' is ambiguous: Karpenter calls A100-SXM4-40GB and A100-SXM4-80GB 'a100'. Fix: use one of A100-SXM4-40GB, A100-SXM4-80GB");
    const e = configError(() => GpuModel.of('L40'));
    expect(e.problem).toBe("'L40' is not a GPU model of the catalog");
    expect(e.fix).toMatch(/\(closest: L4, L40S/);
    expect(GpuModel.tryOf('V100')).toBeUndefined();
    expect(configError(() => GpuModel.of(null as any)).property).toBe('name');
  });
});
