import { readCsv } from './shared';
import { GpuInstanceType, GpuModel } from '../../src/catalog';
import { configError } from '../config-error';
import { describeWithShared } from '../shared-data';

/** The error thrown by `fn`, asserting it is a GpuConfigError. */

describeWithShared('GpuInstanceType cross-checked against gpu-instances.csv', ['reference/gpu-instances.csv'], () => {
  const rows = readCsv('gpu-instances.csv');

  test('the catalog has exactly the CSV rows, in CSV order', () => {
    expect(rows).toHaveLength(39);
    expect(GpuInstanceType.all().map((t) => t.name)).toEqual(rows.map((r) => r.instance_type));
  });

  test.each(rows.map((r) => [r.instance_type, r]))('%s matches its CSV row field by field', (_name, r) => {
    const t = GpuInstanceType.of(r.instance_type);
    const yes = (v: string) => {
      expect(['yes', 'no']).toContain(v);
      return v === 'yes';
    };
    expect(t.gpu.name).toBe(r.gpu_model);
    expect(t.gpuCount).toBe(Number(r.gpu_count));
    expect(t.gpuMemoryGiB).toBe(Number(r.gpu_memory_gib_per_gpu));
    expect(t.vcpu).toBe(Number(r.vcpu));
    expect(t.memoryGiB).toBe(Number(r.memory_gib));
    expect(t.networkGbps).toBe(Number(r.network_gbps));
    expect(t.efa).toBe(yes(r.efa));
    expect(t.nvlink).toBe(yes(r.nvlink));
    expect(t.localNvmeGb).toBe(Number(r.local_nvme_gb));
    expect(t.migCapable).toBe(yes(r.mig_capable));
    const price = r.on_demand_usd_per_hour_us_east_1;
    expect(t.onDemandUsdPerHour).toBe(price === '' ? undefined : Number(price));
    expect(t.source).toBe(r.source);
    expect(t.gpu.karpenterGpuName).toBe(r.karpenter_gpu_name);
    expect(t.gpuMemoryMiB).toBe(Number(r.gpu_memory_mib_ec2));
    expect(t.gpu.memoryMiB).toBe(Number(r.gpu_memory_mib_ec2));
    expect(t.gpu.memoryGiB).toBe(Number(r.gpu_memory_gib_per_gpu));
    expect(t.efaInterfaces).toBe(Number(r.efa_max_interfaces));
    expect(t.networkBandwidthMbps).toBe(Number(r.network_bandwidth_mbps_karpenter));
    expect(t.ebsBandwidthMbps).toBe(Number(r.ebs_bandwidth_mbps));
    expect(t.cpuManufacturer).toBe(r.cpu_manufacturer);
    // Derived values agree with the CSV too.
    expect(t.memoryMiB).toBe(Number(r.memory_gib) * 1024);
    expect(t.networkBandwidthMbps).toBe(Number(r.network_gbps) * 1000);
    expect(t.efa).toBe(Number(r.efa_max_interfaces) > 0);
    expect(t.gpuMemoryGiB).toBeCloseTo(Number(r.gpu_memory_mib_ec2) / 1024, 2);
    expect(t.karpenterAllocatable.nvidiaGpu).toBe(Number(r.gpu_count));
    expect(t.karpenterAllocatable.efa).toBe(Number(r.efa_max_interfaces));
    const labels = t.karpenterLabels();
    expect(labels['karpenter.k8s.aws/instance-gpu-memory']).toBe(r.gpu_memory_mib_ec2);
    expect(labels['karpenter.k8s.aws/instance-network-bandwidth']).toBe(r.network_bandwidth_mbps_karpenter);
    expect(labels['karpenter.k8s.aws/instance-local-nvme']).toBe(r.local_nvme_gb);
  });
});

describe('GpuInstanceType: hard-coded rows (run without the reference folder)', () => {
  test('p5.48xlarge', () => {
    const t = GpuInstanceType.P5_48XLARGE;
    expect(t).toBe(GpuInstanceType.of('p5.48xlarge'));
    expect(t).toMatchObject({
      name: 'p5.48xlarge',
      family: 'p5',
      size: '48xlarge',
      category: 'p',
      generation: 5,
      gpuCount: 8,
      gpuMemoryMiB: 81920,
      gpuMemoryGiB: 80,
      totalGpuMemoryGiB: 640,
      vcpu: 192,
      memoryGiB: 2048,
      memoryMiB: 2097152,
      networkGbps: 3200,
      efa: true,
      efaInterfaces: 32,
      nvlink: true,
      localNvmeGb: 30400,
      migCapable: true,
      onDemandUsdPerHour: 55.04,
      cpuManufacturer: 'amd',
      architecture: 'amd64',
      hypervisor: 'nitro',
    });
    expect(t.gpu).toBe(GpuModel.H100_80GB);
    expect(t.karpenterAllocatable).toEqual({
      cpuMillis: 191450, memoryMiB: 1938410, ephemeralStorageGiB: 17, pods: 100, nvidiaGpu: 8, efa: 32, podEni: 120,
    });
    expect(String(t)).toBe('p5.48xlarge');
  });

  test('p5e.48xlarge has no public price', () => {
    expect(GpuInstanceType.P5E_48XLARGE.onDemandUsdPerHour).toBeUndefined();
    expect(GpuInstanceType.P5E_48XLARGE.gpu).toBe(GpuModel.H200_141GB);
    expect(GpuInstanceType.P5EN_48XLARGE.onDemandUsdPerHour).toBe(63.296);
  });

  test('families with a dash and metal sizes', () => {
    const b200 = GpuInstanceType.P6_B200_48XLARGE;
    expect([b200.family, b200.size, b200.category, b200.generation]).toEqual(['p6-b200', '48xlarge', 'p', 6]);
    expect(b200.totalGpuMemoryGiB).toBe(1432.48);
    const metal = GpuInstanceType.G4DN_METAL;
    expect([metal.family, metal.size, metal.generation, metal.gpuCount, metal.hypervisor]).toEqual(['g4dn', 'metal', 4, 8, '']);
    expect(GpuInstanceType.G5_XLARGE.gpuMemoryGiB).toBe(22.35);
    expect(GpuInstanceType.G6E_48XLARGE.totalGpuMemoryGiB).toBe(357.6);
    expect(GpuInstanceType.P6_B300_48XLARGE.totalGpuMemoryGiB).toBe(2148.72);
  });

  test('generation follows Karpenter (first number of the family)', () => {
    const gen = (n: string) => GpuInstanceType.of(n).generation;
    expect([gen('p4d.24xlarge'), gen('p5en.48xlarge'), gen('g6e.xlarge'), gen('p6-b300.48xlarge'), gen('g4dn.xlarge')])
      .toEqual([4, 5, 6, 6, 4]);
  });

  test('one static per catalog type, all distinct, all() returns copies of the same order', () => {
    const statics = Object.entries(GpuInstanceType).filter(([, v]) => v instanceof GpuInstanceType);
    expect(statics).toHaveLength(39);
    for (const [key, t] of statics) {
      expect(key).toBe((t as GpuInstanceType).name.toUpperCase().replace(/[.-]/g, '_'));
    }
    const all = GpuInstanceType.all();
    expect(new Set(all).size).toBe(39);
    all.pop();
    expect(GpuInstanceType.all()).toHaveLength(39);
  });

  test('MIG capability follows the GPU model, and g5/g6/g6e/g4dn have none', () => {
    for (const t of GpuInstanceType.all()) expect(t.migCapable).toBe(t.gpu.migCapable);
    for (const f of ['g5', 'g6', 'g6e', 'g4dn']) expect(GpuInstanceType.ofFamily(f).some((t) => t.migCapable)).toBe(false);
  });
});

describe('GpuInstanceType.karpenterLabels', () => {
  // Expected values: Karpenter instance-types reference (karpenter-provider-aws website/content/en/docs/reference/
  // instance-types.md @ 1d927085), the "Labels" tables of p5.48xlarge and g6e.12xlarge.
  test('p5.48xlarge', () => {
    expect(GpuInstanceType.P5_48XLARGE.karpenterLabels()).toEqual({
      'karpenter.k8s.aws/instance-capability-flex': 'false',
      'karpenter.k8s.aws/instance-category': 'p',
      'karpenter.k8s.aws/instance-cpu': '192',
      'karpenter.k8s.aws/instance-cpu-manufacturer': 'amd',
      'karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz': '3600',
      'karpenter.k8s.aws/instance-ebs-bandwidth': '80000',
      'karpenter.k8s.aws/instance-encryption-in-transit-supported': 'true',
      'karpenter.k8s.aws/instance-family': 'p5',
      'karpenter.k8s.aws/instance-generation': '5',
      'karpenter.k8s.aws/instance-gpu-count': '8',
      'karpenter.k8s.aws/instance-gpu-manufacturer': 'nvidia',
      'karpenter.k8s.aws/instance-gpu-memory': '81920',
      'karpenter.k8s.aws/instance-gpu-name': 'h100',
      'karpenter.k8s.aws/instance-hypervisor': 'nitro',
      'karpenter.k8s.aws/instance-local-nvme': '30400',
      'karpenter.k8s.aws/instance-memory': '2097152',
      'karpenter.k8s.aws/instance-network-bandwidth': '3200000',
      'karpenter.k8s.aws/instance-size': '48xlarge',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'p5.48xlarge',
    });
  });

  test('g6e.12xlarge', () => {
    expect(GpuInstanceType.G6E_12XLARGE.karpenterLabels()).toEqual({
      'karpenter.k8s.aws/instance-capability-flex': 'false',
      'karpenter.k8s.aws/instance-category': 'g',
      'karpenter.k8s.aws/instance-cpu': '48',
      'karpenter.k8s.aws/instance-cpu-manufacturer': 'amd',
      'karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz': '3400',
      'karpenter.k8s.aws/instance-ebs-bandwidth': '20000',
      'karpenter.k8s.aws/instance-encryption-in-transit-supported': 'true',
      'karpenter.k8s.aws/instance-family': 'g6e',
      'karpenter.k8s.aws/instance-generation': '6',
      'karpenter.k8s.aws/instance-gpu-count': '4',
      'karpenter.k8s.aws/instance-gpu-manufacturer': 'nvidia',
      'karpenter.k8s.aws/instance-gpu-memory': '45776',
      'karpenter.k8s.aws/instance-gpu-name': 'l40s',
      'karpenter.k8s.aws/instance-hypervisor': 'nitro',
      'karpenter.k8s.aws/instance-local-nvme': '3800',
      'karpenter.k8s.aws/instance-memory': '393216',
      'karpenter.k8s.aws/instance-network-bandwidth': '100000',
      'karpenter.k8s.aws/instance-size': '12xlarge',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'g6e.12xlarge',
    });
  });

  test('returns a fresh object each call', () => {
    const a = GpuInstanceType.G5_XLARGE.karpenterLabels();
    a['node.kubernetes.io/instance-type'] = 'mutated';
    expect(GpuInstanceType.G5_XLARGE.karpenterLabels()['node.kubernetes.io/instance-type']).toBe('g5.xlarge');
  });
});

describe('GpuInstanceType lookups', () => {
  test('families() in catalog order', () => {
    expect(GpuInstanceType.families()).toEqual(['p4d', 'p4de', 'p5', 'p5e', 'p5en', 'p6-b200', 'p6-b300', 'g5', 'g6', 'g6e', 'g4dn']);
  });

  test('ofFamily returns the family, smallest first', () => {
    expect(GpuInstanceType.ofFamily('g6e').map((t) => t.size))
      .toEqual(['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge']);
    expect(GpuInstanceType.ofFamily('p5')).toEqual([GpuInstanceType.P5_4XLARGE, GpuInstanceType.P5_48XLARGE]);
    expect(GpuInstanceType.ofFamily('g4dn')).toHaveLength(7);
  });

  test('ofFamily on an unknown family', () => {
    const e = configError(() => GpuInstanceType.ofFamily('g6x'));
    expect(e.message).toBe("GpuInstanceType.ofFamily: family 'g6x' is not a known EC2 GPU instance family. Fix: use one of the close matches: g6, g6e, g5");
    expect(configError(() => GpuInstanceType.ofFamily('m5')).message).toMatch(/'m5' is an EC2 family without GPUs\. Fix: use one of p4d, p4de/);
    expect(configError(() => GpuInstanceType.ofFamily('inf2')).message).toMatch(/Inferentia2 accelerators that this catalog does not cover/);
  });

  test('ofGpu', () => {
    expect(GpuInstanceType.ofGpu(GpuModel.H200_141GB).map((t) => t.name)).toEqual(['p5e.48xlarge', 'p5en.48xlarge']);
    expect(GpuInstanceType.ofGpu(GpuModel.B300)).toEqual([GpuInstanceType.P6_B300_48XLARGE]);
  });

  test('of() on a near miss suggests close matches of the same family', () => {
    const e = configError(() => GpuInstanceType.of('g6e.13xlarge'));
    expect(e.constructPath).toBe('GpuInstanceType.of');
    expect(e.property).toBe('name');
    expect(e.problem).toBe("'g6e.13xlarge' is not a known EC2 GPU instance type");
    expect(e.fix).toBe('use one of the close matches: g6e.12xlarge, g6e.16xlarge, g6e.xlarge, g6e.2xlarge');
    expect(e.message).toBe(`GpuInstanceType.of: name ${e.problem}. Fix: ${e.fix}`);
  });

  test('of() on a typo in the family suggests by edit distance', () => {
    expect(configError(() => GpuInstanceType.of('p5n.48xlarge')).fix).toMatch(/^use one of the close matches: p5.48xlarge, p5e.48xlarge, p5en.48xlarge/);
    expect(configError(() => GpuInstanceType.of('p6-b20.48xlarge')).fix).toMatch(/^use one of the close matches: p6-b200.48xlarge, p6-b300.48xlarge/);
  });

  test('of() on a known type without a GPU says so', () => {
    const e = configError(() => GpuInstanceType.of('m5.large'));
    expect(e.problem).toBe("'m5.large' has no GPU (the EC2 m5 family has no GPUs or accelerators)");
    expect(e.fix).toMatch(/^choose a GPU instance type, e.g. one of the families p4d, p4de, p5/);
  });

  test('of() on GPU/accelerator types outside the catalog', () => {
    expect(configError(() => GpuInstanceType.of('p3.2xlarge')).problem).toBe("'p3.2xlarge' is an EC2 instance type with previous-generation NVIDIA GPUs that this catalog does not cover");
    expect(configError(() => GpuInstanceType.of('g4ad.xlarge')).problem).toMatch(/AMD Radeon Pro V520/);
    expect(configError(() => GpuInstanceType.of('trn1.32xlarge')).problem).toMatch(/Trainium/);
  });

  test('of() is exact about case and says how to fix it', () => {
    const e = configError(() => GpuInstanceType.of('P5.48XLARGE'));
    expect(e.fix).toBe("use 'p5.48xlarge' (EC2 instance type names are lower case)");
    expect(GpuInstanceType.tryOf('P5.48XLARGE')).toBeUndefined();
    expect(GpuInstanceType.of(' p5.48xlarge ')).toBe(GpuInstanceType.P5_48XLARGE);
  });

  test('of() on nonsense and non-strings throws GpuConfigError, never TypeError', () => {
    expect(configError(() => GpuInstanceType.of('banana')).fix).toMatch(/^use a type of the families p4d/);
    expect(configError(() => GpuInstanceType.of(undefined as any)).problem).toBe("'undefined' is not a known EC2 GPU instance type");
    expect(configError(() => GpuInstanceType.ofFamily(42 as any)).property).toBe('family');
    expect(GpuInstanceType.tryOf(undefined as any)).toBeUndefined();
  });
});
