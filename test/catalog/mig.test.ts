import { parse } from 'yaml';
import { readJson } from './shared';
import { GpuInstanceType, MIG_MANAGER_DEFAULT_CONFIGS, MigGpu, MigLabels, MigProfileSpec } from '../../src/catalog';
import { configError } from '../config-error';
import { cases, describeWithShared, readShared } from '../shared-data';


describeWithShared('MigGpu cross-checked against mig-profiles.json', ['reference/mig-profiles.json'], () => {
  const json = readJson('mig-profiles.json');

  test('one MigGpu per json GPU, in json order', () => {
    expect(MigGpu.all().map((g) => g.name)).toEqual(json.gpus.map((g: any) => g.gpu));
  });

  test.each(cases(json.gpus.map((g: any) => [g.gpu, g]) as Array<[string, any]>, 'mig-profiles.json gpus'))('%s: GPU fields and every profile field', (_n, g) => {
    const gpu = MigGpu.of(g.gpu);
    expect(gpu.totalComputeSlices).toBe(g.total_compute_slices);
    expect(gpu.totalMemorySlices).toBe(g.total_memory_slices);
    expect(gpu.placementsVerified).toBe(g.placements_verified);
    expect(gpu.placementsBasis).toBe(g.placements_basis);
    expect(gpu.alsoAppliesTo).toEqual(g.also_applies_to);
    expect(gpu.awsInstanceTypes).toEqual(g.aws_instance_types.map((s: string) => s.split(' ')[0]));
    expect(gpu.profiles.map((p) => p.name)).toEqual(g.profiles.map((p: any) => p.profile));
    for (const p of g.profiles) {
      const spec = gpu.profile(p.profile);
      const expected: Record<string, unknown> = {
        gpu: g.gpu,
        name: p.profile,
        resourceName: p.k8s_mixed_resource,
        computeSlices: p.compute_slices,
        memorySlices: p.memory_slices,
        memoryGb: p.memory_gb_nominal,
        maxInstances: p.max_instances,
        placementStarts: p.placement_starts ?? undefined,
        nvidiaSmiProfileId: p.nvidia_smi_profile_id ?? undefined,
        mediaExtensions: p.profile.endsWith('+me'),
        copyEngines: p.published_copy_engines,
        publishedFractionOfMemory: p.published_fraction_of_memory,
        publishedFractionOfSms: p.published_fraction_of_sms,
        publishedHardwareUnits: p.published_hardware_units,
        sources: p.sources,
        note: p.note,
      };
      for (const [k, v] of Object.entries(expected)) expect([k, (spec as any)[k]]).toEqual([k, v]);
      // The mixed-strategy resource name rule ('+' becomes '.'; k8s-device-plugin internal/rm/rm.go).
      expect(spec.resourceName).toBe(`nvidia.com/mig-${p.profile.replace('+', '.')}`);
    }
  });

  test('MIG Manager default config names', () => {
    expect(MIG_MANAGER_DEFAULT_CONFIGS).toEqual(json.mig_manager_default_configs.names);
    expect(MigGpu.managerDefaultConfigs()).toEqual(json.mig_manager_default_configs.names);
  });

  test('label keys are the ones the reference documents', () => {
    const labels = Object.keys(json.kubernetes.node_labels);
    for (const k of [MigLabels.CONFIG, MigLabels.CONFIG_STATE, MigLabels.CAPABLE, MigLabels.STRATEGY, MigLabels.GPU_PRODUCT]) {
      expect(labels).toContain(k);
    }
    for (const s of MigLabels.CONFIG_STATES) expect(json.kubernetes.node_labels[MigLabels.CONFIG_STATE]).toContain(s);
  });
});

describeWithShared('migManagerConfig cross-checked against mig-parted-config-default.yaml', ['reference/mig-parted-config-default.yaml'], () => {
  const configs: Record<string, Array<{ 'mig-devices'?: Record<string, number> }>> = parse(readShared('reference/mig-parted-config-default.yaml'))['mig-configs'];

  test('the names match the file, in order', () => {
    expect(MigGpu.managerDefaultConfigs()).toEqual(Object.keys(configs));
  });

  test('each profile\'s migManagerConfig fills a GPU with maxInstances of that profile', () => {
    let checked = 0;
    for (const gpu of MigGpu.all()) {
      for (const p of gpu.profiles) {
        if (p.migManagerConfig === undefined) continue;
        const entries = configs[p.migManagerConfig];
        expect(entries).toBeDefined();
        const layouts = entries.map((e) => e['mig-devices']);
        // Named so a failure says which GPU and profile disagree.
        expect({ gpu: gpu.name, profile: p.name, layouts })
          .toEqual({ gpu: gpu.name, profile: p.name, layouts: expect.arrayContaining([{ [p.name]: p.maxInstances }]) });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('MigGpu: hard-coded facts (run without the reference folder)', () => {
  test('A100-40GB table (NVIDIA MIG User Guide)', () => {
    const a100 = MigGpu.A100_40GB;
    expect(a100.name).toBe('A100-SXM4-40GB');
    expect([a100.totalComputeSlices, a100.totalMemorySlices, a100.placementsVerified]).toEqual([7, 8, true]);
    expect(a100.profiles.map((p) => p.name)).toEqual(['1g.5gb', '1g.5gb+me', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb']);
    expect(a100.profile('3g.20gb')).toMatchObject({
      gpu: 'A100-SXM4-40GB',
      resourceName: 'nvidia.com/mig-3g.20gb',
      computeSlices: 3,
      memorySlices: 4,
      memoryGb: 20,
      maxInstances: 2,
      placementStarts: [0, 4],
      nvidiaSmiProfileId: 9,
      mediaExtensions: false,
      migManagerConfig: 'all-3g.20gb',
    });
    const me = a100.profile('1g.5gb+me');
    expect([me.mediaExtensions, me.maxInstances, me.resourceName, me.migManagerConfig])
      .toEqual([true, 1, 'nvidia.com/mig-1g.5gb.me', 'all-1g.5gb.me']);
  });

  test('unverified GPUs carry no placements or IDs, but placementStartsOf infers them by geometry', () => {
    const h200 = MigGpu.H200_141GB;
    expect(h200.placementsVerified).toBe(false);
    const p = h200.profile('3g.71gb');
    expect(p.placementStarts).toBeUndefined();
    expect(p.nvidiaSmiProfileId).toBeUndefined();
    expect(h200.placementStartsOf('3g.71gb')).toEqual([0, 4]);
    expect(h200.placementStartsOf('1g.18gb')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(h200.placementStartsOf('1g.35gb')).toEqual([0, 2, 4, 6]);
    expect(h200.placementStartsOf('2g.35gb')).toEqual([0, 2, 4]);
    expect(MigGpu.B200_180GB.placementStartsOf('7g.180gb')).toEqual([0]);
    // Verified ones come back as published, and as a copy.
    const starts = MigGpu.A30_24GB.placementStartsOf('2g.12gb');
    expect(starts).toEqual([0, 2]);
    starts.push(99);
    expect(MigGpu.A30_24GB.profile('2g.12gb').placementStarts).toEqual([0, 2]);
  });

  test('every profile of every GPU has placements (verified or inferred) that fit the GPU', () => {
    for (const g of MigGpu.all()) {
      for (const p of g.profiles) {
        const starts = g.placementStartsOf(p.name);
        expect(starts.length).toBeGreaterThanOrEqual(p.maxInstances);
        for (const s of starts) expect(s + p.memorySlices).toBeLessThanOrEqual(g.totalMemorySlices);
        expect(p.computeSlices).toBeLessThanOrEqual(g.totalComputeSlices);
      }
    }
  });

  test('of() accepts json names and friendly aliases', () => {
    expect(MigGpu.of('A100-40GB')).toBe(MigGpu.A100_40GB);
    expect(MigGpu.of('A100-80GB')).toBe(MigGpu.A100_80GB);
    expect(MigGpu.of('H100-80GB')).toBe(MigGpu.H100_80GB);
    expect(MigGpu.of('H100-80GB (SXM5 and PCIe)')).toBe(MigGpu.H100_80GB);
    expect(MigGpu.of('H100-SXM5-80GB')).toBe(MigGpu.H100_80GB);
    expect(MigGpu.of('H100 NVL')).toBe(MigGpu.H100_94GB);
    expect(MigGpu.of('H200')).toBe(MigGpu.H200_141GB);
    expect(MigGpu.of('H200-141GB')).toBe(MigGpu.H200_141GB);
    expect(MigGpu.of('B200')).toBe(MigGpu.B200_180GB);
    expect(MigGpu.of('A30')).toBe(MigGpu.A30_24GB);
    expect(MigGpu.of('a100.40gb')).toBe(MigGpu.A100_40GB); // Bottlerocket's key spelling
    expect(MigGpu.tryOf('B300')).toBeUndefined();
  });

  test('of() on an unknown GPU lists the valid names', () => {
    const e = configError(() => MigGpu.of('H100'));
    expect(e.message).toBe("MigGpu.of: name 'H100' is not a GPU with a known MIG profile table. "
      + 'Fix: use one of A100-40GB, A100-80GB, H100-80GB, H100-94GB, H100-96GB, H200, B200, A30 (closest: H100-80GB, H100-94GB, H100-96GB)');
    expect(configError(() => MigGpu.of('A31')).fix).toMatch(/\(closest: A30\)$/);
    expect(configError(() => MigGpu.of('T4')).fix).not.toMatch(/closest/);
    expect(configError(() => MigGpu.of(undefined as any)).property).toBe('name');
  });

  test('profile() accepts the +me, .me and resource-name spellings', () => {
    const h100 = MigGpu.H100_80GB;
    const me = h100.profile('1g.10gb+me');
    expect(h100.profile('1g.10gb.me')).toBe(me);
    expect(h100.profile('nvidia.com/mig-1g.10gb.me')).toBe(me);
    expect(h100.profile('nvidia.com/mig-7g.80gb').computeSlices).toBe(7);
    expect(h100.tryProfile('1g.5gb')).toBeUndefined();
  });

  test('profile() on an unknown profile names the GPU and lists its profiles', () => {
    const e = configError(() => MigGpu.H100_80GB.profile('1g.5gb'));
    expect(e.message).toBe("MigGpu(H100-80GB (SXM5 and PCIe)): profile '1g.5gb' is not a MIG profile of H100-80GB (SXM5 and PCIe). "
      + 'Fix: use one of 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb (closest: 1g.10gb, 1g.20gb)');
  });

  test('MIG GPUs link to catalog instance types whose GPU maps back to them', () => {
    for (const g of MigGpu.all()) {
      for (const name of g.awsInstanceTypes) {
        const t = GpuInstanceType.of(name);
        expect(t.migCapable).toBe(true);
        expect(t.gpu.migGpu).toBe(g);
      }
    }
    expect(MigGpu.H100_80GB.awsInstanceTypes).toEqual(['p5.48xlarge', 'p5.4xlarge']);
    expect(MigGpu.A30_24GB.awsInstanceTypes).toEqual([]);
  });

  test('profiles are frozen structs', () => {
    const p: MigProfileSpec = MigGpu.A30_24GB.profile('4g.24gb');
    expect(Object.isFrozen(p)).toBe(true);
    expect(MIG_MANAGER_DEFAULT_CONFIGS).toHaveLength(81);
    expect(MigLabels.CONFIG).toBe('nvidia.com/mig.config');
  });
});
