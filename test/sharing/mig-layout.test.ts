import { MigGpu } from '../../src/catalog';
import { MigLayout, MigSlice, MigStrategy } from '../../src/sharing';
import { findMigPlacement } from '../../src/sharing/private/placement';
import { configError } from '../config-error';

const A100 = MigGpu.of('A100-40GB');
const H100 = MigGpu.of('H100-80GB');


describe('MigLayout validation', () => {
  test('1g.5gb × 7 on an A100-40GB fits: 7 compute, 7 memory slices at starts 0-6', () => {
    const l = MigLayout.fromCounts(A100, { '1g.5gb': 7 });
    expect(l.computeSlicesUsed).toBe(7);
    expect(l.memorySlicesUsed).toBe(7);
    expect(l.placements.map((p) => p.start)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(l.placementsVerified).toBe(true);
    expect(l.migDevices()).toEqual({ '1g.5gb': 7 });
  });

  test('4g.20gb + 4g.20gb on an A100 is refused: 8 compute slices (and 4g.20gb only starts at 0)', () => {
    const e = configError(() => MigLayout.of(A100, [MigSlice.of('4g.20gb'), MigSlice.of('4g.20gb')]));
    expect(e.message).toMatch(/repeats the profile 4g\.20gb/);
    const e2 = configError(() => MigLayout.fromCounts(A100, { '4g.20gb': 2 }));
    expect(e2.message).toMatch(/MigLayout\(A100-SXM4-40GB\): slices\[0\] asks for 2 × 4g\.20gb, but one A100-SXM4-40GB holds at most 1 4g\.20gb/);
  });

  test('4g.20gb + 3g.20gb fits (the placement puts 4g at 0, 3g at 4)', () => {
    const l = MigLayout.fromCounts(A100, { '4g.20gb': 1, '3g.20gb': 1 });
    expect(l.placements).toEqual([{ profile: '4g.20gb', start: 0, size: 4 }, { profile: '3g.20gb', start: 4, size: 4 }]);
  });

  test('tight layouts get real placements (the search picks valid starts)', () => {
    expect(MigLayout.fromCounts(A100, { '4g.20gb': 1, '2g.10gb': 1, '1g.5gb': 1 }).placements.map((p) => `${p.profile}@${p.start}`))
      .toEqual(['4g.20gb@0', '2g.10gb@4', '1g.5gb@6']);
    // 3 + 2 + 2 = 7 compute, 4 + 2 + 2 = 8 memory: 3g.20gb must take slices 4-7 so both 2g.10gb fit at 0 and 2.
    expect(MigLayout.fromCounts(A100, { '3g.20gb': 1, '2g.10gb': 2 }).placements.map((p) => `${p.profile}@${p.start}`))
      .toEqual(['2g.10gb@0', '2g.10gb@2', '3g.20gb@4']);
    // 1g.10gb (starts 0,2,4,6; size 2) × 3 + 2g.10gb (starts 0,2,4): 1g.10gb must take slice pair 6-7.
    expect(MigLayout.fromCounts(A100, { '1g.10gb': 3, '2g.10gb': 1 }).placements.map((p) => `${p.profile}@${p.start}`))
      .toEqual(['2g.10gb@0', '1g.10gb@2', '1g.10gb@4', '1g.10gb@6']);
    // 7g.40gb with anything else: compute > 7.
    expect(configError(() => MigLayout.fromCounts(A100, { '7g.40gb': 1, '1g.5gb': 1 })).message).toMatch(/needs 8 compute slices, but A100-SXM4-40GB has 7/);
  });

  test('memory sums: 1g.10gb × 4 + 1g.5gb uses 9 memory slices of 8', () => {
    const e = configError(() => MigLayout.fromCounts(A100, { '1g.10gb': 4, '1g.5gb': 1 }));
    expect(e.message).toMatch(/needs 9 memory slices, but A100-SXM4-40GB has 8/);
  });

  test('placement search vs sums: on A100/H100/A30 every multiset within maxInstances whose sums fit has a placement', () => {
    // Found by exhaustive search: for these profile tables the sums, maxInstances and the one-+me rule already imply a
    // placement (slice 7 is reachable by 1g.10gb@6, 3g@4 and 7g@0). The search stays the final word (and explains
    // refusals such as 4g.20gb × 2, which has no second start); this test keeps the finding honest.
    for (const gpu of [A100, H100, MigGpu.of('A30')]) {
      const ps = gpu.profiles;
      let checked = 0;
      const rec = (i: number, counts: number[]) => {
        if (i === ps.length) {
          const inst = ps.flatMap((p, k) => Array(counts[k]).fill(p));
          const compute = inst.reduce((a, p) => a + p.computeSlices, 0);
          const memory = inst.reduce((a, p) => a + p.memorySlices, 0);
          const me = inst.filter((p) => p.mediaExtensions).length;
          if (inst.length === 0 || compute > gpu.totalComputeSlices || memory > gpu.totalMemorySlices || me > 1) return;
          checked++;
          const r = findMigPlacement(gpu, inst);
          expect([gpu.name, counts.join(','), r.placements !== undefined]).toEqual([gpu.name, counts.join(','), true]);
          const used = new Set<number>();
          for (const p of r.placements!) {
            expect(gpu.placementStartsOf(p.profile)).toContain(p.start);
            for (let k = p.start; k < p.start + p.size; k++) { expect(used.has(k)).toBe(false); used.add(k); }
          }
          return;
        }
        for (let n = 0; n <= ps[i].maxInstances; n++) rec(i + 1, [...counts, n]);
      };
      rec(0, []);
      expect(checked).toBeGreaterThan(10);
    }
  });

  test('4g.20gb twice: refused, the message says it only starts at memory slice 0', () => {
    const e = configError(() => MigLayout.fromCounts(A100, { '4g.20gb': 2 }));
    expect(e.message).toMatch(/starts only at memory slice 0/);
  });

  test('unknown profile names the GPU and lists its profiles', () => {
    const e = configError(() => MigLayout.fromCounts(A100, { '1g.10gb': 2, '3g.40gb': 1 }));
    expect(e.message).toBe("MigLayout(A100-SXM4-40GB): slices[1] names the profile '3g.40gb', which A100-SXM4-40GB does not have. "
      + 'Fix: use one of the A100-SXM4-40GB profiles: 1g.5gb, 1g.5gb+me, 1g.10gb, 2g.10gb, 3g.20gb, 4g.20gb, 7g.40gb');
  });

  test('one +me instance per GPU; bad counts and non-MigGpu are GpuConfigErrors', () => {
    expect(MigLayout.fromCounts(H100, { '1g.10gb+me': 1, '1g.10gb': 6 }).computeSlicesUsed).toBe(7);
    expect(configError(() => MigSlice.of('1g.5gb', 0)).message).toMatch(/not a whole number of instances/);
    expect(configError(() => MigSlice.of('1g.5gb', 1.5)).property).toBe('count (1g.5gb)');
    expect(configError(() => MigLayout.of('A100' as any, [])).property).toBe('gpu');
    expect(configError(() => MigLayout.fromCounts(A100, [] as any)).property).toBe('counts');
  });

  test('presets follow mig-parted config-default.yaml', () => {
    expect(MigLayout.preset(A100, 'all-1g.10gb').migDevices()).toEqual({ '1g.10gb': 4 });
    expect(MigLayout.preset(H100, 'all-1g.10gb').migDevices()).toEqual({ '1g.10gb': 7 });
    expect(MigLayout.preset(A100, 'all-balanced').migDevices()).toEqual({ '1g.5gb': 2, '2g.10gb': 1, '3g.20gb': 1 });
    expect(MigLayout.preset(MigGpu.H200_141GB, 'all-balanced').migDevices()).toEqual({ '1g.18gb': 2, '2g.35gb': 1, '3g.71gb': 1 });
    expect(MigLayout.preset(MigGpu.H200_141GB, 'all-balanced').placementsVerified).toBe(false);
    expect(MigLayout.preset(A100, 'all-1g.5gb.me').migDevices()).toEqual({ '1g.5gb+me': 1 });
    expect(MigLayout.preset(A100, 'all-disabled').migEnabled).toBe(false);
    expect(MigLayout.preset(A100, 'all-enabled').slices).toEqual([]);
    expect(configError(() => MigLayout.preset(A100, 'all-1g.20gb')).message).toMatch(/not a mig-parted default config for A100-SXM4-40GB. Fix: use one of all-disabled, all-enabled, all-balanced, all-1g.5gb/);
  });

  test('advertised resources per strategy', () => {
    const bal = MigLayout.preset(A100, 'all-balanced');
    expect(bal.advertisedResources(MigStrategy.MIXED)).toEqual({
      'nvidia.com/gpu': 0, 'nvidia.com/mig-1g.5gb': 2, 'nvidia.com/mig-2g.10gb': 1, 'nvidia.com/mig-3g.20gb': 1,
    });
    expect(configError(() => bal.advertisedResources(MigStrategy.SINGLE)).message).toMatch(/not one profile, which the single MIG strategy requires/);
    expect(MigLayout.preset(A100, 'all-1g.5gb').advertisedResources(MigStrategy.SINGLE)).toEqual({ 'nvidia.com/gpu': 7 });
    expect(MigLayout.disabled(A100).advertisedResources(MigStrategy.MIXED)).toEqual({ 'nvidia.com/gpu': 1 });
    expect(MigLayout.fromCounts(H100, { '1g.10gb+me': 1 }).advertisedResources(MigStrategy.MIXED)['nvidia.com/mig-1g.10gb.me']).toBe(1);
  });

  test('every default all-<profile> and all-balanced of every GPU is a valid layout', () => {
    for (const gpu of MigGpu.all()) {
      for (const p of gpu.profiles) {
        if (!p.migManagerConfig) continue;
        const l = MigLayout.preset(gpu, p.migManagerConfig);
        expect(l.placements.length).toBe(p.maxInstances);
      }
    }
  });
});

describe('findMigPlacement', () => {
  const specs = (gpu: MigGpu, counts: Record<string, number>) =>
    Object.entries(counts).flatMap(([p, n]) => Array(n).fill(gpu.profile(p)));
  test('finds non-overlapping placements within valid starts', () => {
    const r = findMigPlacement(A100, specs(A100, { '2g.10gb': 3, '1g.5gb': 1 }));
    expect(r.placements!.map((p) => [p.start, p.size])).toEqual([[0, 2], [2, 2], [4, 2], [6, 1]]);
  });
  test('reports the profile that could not be placed', () => {
    expect(findMigPlacement(A100, specs(A100, { '4g.20gb': 2 }))).toEqual({ stuck: '4g.20gb' });
    expect(findMigPlacement(A100, specs(A100, { '1g.5gb': 8 })).stuck).toBe('1g.5gb');
  });
  test('A30 geometry (4 memory slices)', () => {
    const a30 = MigGpu.of('A30');
    expect(findMigPlacement(a30, specs(a30, { '2g.12gb': 1, '1g.6gb': 2 })).placements!.map((p) => p.start)).toEqual([0, 2, 3]);
    expect(findMigPlacement(a30, specs(a30, { '4g.24gb': 1, '1g.6gb': 1 })).placements).toBeUndefined();
  });
});
