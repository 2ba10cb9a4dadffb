/**
 * Property-based tests of GPU sharing (src/sharing): MigLayout on every MIG GPU of the catalog, MigConfig applied to
 * MIG-capable pools (with workloads requesting the slices), DevicePluginConfig time-slicing, GpuOperator and
 * GpuOperatorSettings.
 *
 * Random valid props synthesise objects that pass the upstream schemas (the Karpenter NodeOverlay and NVIDIA
 * ClusterPolicy CRDs included) and every validation rule with no errors and no suspicious values, and each property
 * also checks what it built against a model of its own (the mig-parted config holds exactly the generated profiles;
 * the NodeOverlays and the advertised-resources annotation hold the generated counts; the ClusterPolicy and the Helm
 * values agree with the props). One random invalid prop on top of valid props throws GpuConfigError naming the
 * construct and the property — never a TypeError.
 *
 * The last describe block keeps the inputs that break that contract today; its tests fail until the library is fixed.
 */
import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import {
  BOUND, RUNS, RUNS_HEAVY, chart, dnsLabel, expectCleanSynth, expectConfigError, instanceTypes, invalidDnsLabel,
  invalidLabelValue, labelKey, labelValue, params,
} from './arbitraries';
import { GpuInstanceType, MigGpu, MigLabels, MigProfileSpec } from '../../src/catalog';
import { GpuConfigError } from '../../src/errors';
import { GpuAmiFamily, GpuNodePool } from '../../src/pools';
import { ADVERTISED_RESOURCES_ANNOTATION } from '../../src/scheduling/nodepool';
import {
  DevicePluginConfig, GpuOperator, GpuOperatorProps, GpuOperatorSettings, MigConfig, MigDeviceGroup, MigLayout, MigSlice,
  MigStrategy,
} from '../../src/sharing';
import { GpuRequest, InferenceDeployment } from '../../src/workloads';

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

// ---------------------------------------------------------------------------------------------------------------
// The model: MIG rules from the catalog data alone (not the layout code), and what a pool should advertise.
// ---------------------------------------------------------------------------------------------------------------

/** Instances per GPU, by profile (insertion order = the order the slices are given in); prints as `1g.10gb×7`. */
class Counts extends Map<MigProfileSpec, number> {
  public [fc.toStringMethod](): string {
    return `Counts(${[...this].map(([p, n]) => `${p.name}×${n}`).join(' + ')})`;
  }
}

/** The catalog's MIG rules: per-profile maxInstances, one +me instance, compute and memory slice totals. */
function fitsRules(gpu: MigGpu, counts: Counts): boolean {
  let compute = 0;
  let memory = 0;
  let me = 0;
  for (const [p, n] of counts) {
    if (n > p.maxInstances) return false;
    compute += n * p.computeSlices;
    memory += n * p.memorySlices;
    if (p.mediaExtensions) me += n;
  }
  return me <= 1 && compute <= gpu.totalComputeSlices && memory <= gpu.totalMemorySlices;
}

/** A random non-empty layout within the rules: random profile picks, each kept while the layout still fits. */
function validCounts(gpu: MigGpu): fc.Arbitrary<Counts> {
  return fc.array(fc.constantFrom(...gpu.profiles), { minLength: 1, maxLength: 12 }).map((picks) => {
    let counts = new Counts();
    for (const p of picks) {
      const next = new Counts(counts).set(p, (counts.get(p) ?? 0) + 1);
      if (fitsRules(gpu, next)) counts = next;
    }
    return counts;
  });
}

/** One profile × 1..maxInstances (what the single strategy needs). */
function singleProfileCounts(gpu: MigGpu): fc.Arbitrary<Counts> {
  return fc.constantFrom(...gpu.profiles).chain((p) => fc.integer({ min: 1, max: p.maxInstances }).map((n) => new Counts([[p, n]])));
}

/** `mig-devices` as mig-parted writes it: canonical profile name → count. */
const devicesOf = (counts: Counts): Record<string, number> => Object.fromEntries([...counts].map(([p, n]) => [p.name, n]));

/** Ways to spell a profile that MigSlice / MigGpu accept. */
const SPELLINGS: Array<(p: MigProfileSpec) => string> = [
  (p) => p.name,
  (p) => p.name.toUpperCase(),
  (p) => `  ${p.name} `,
  (p) => p.name.replace('+', '.'),
  (p) => p.resourceName,
];
const spelling = fc.constantFrom(...SPELLINGS);

const ALL_PROFILE_NAMES = [...new Set(MigGpu.all().flatMap((g) => g.profiles.map((p) => p.name)))];
/** MIG GPUs EC2 offers (a pool can be built of them). */
const POOL_GPUS = MigGpu.all().filter((g) => GpuInstanceType.all().some((t) => t.gpu.migGpu === g));

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The path of errors from `MigConfig.applyTo` / `DevicePluginConfig.applyTo` (or the construct itself). */
const applyPath = (construct: { node: { path: string } }) => new RegExp(`^${esc(construct.node.path)}(\\.applyTo\\(.*\\))?$`);

/** A layout as the test describes it: MIG off, MIG on with no instances, or slices. */
type LayoutSpec = { kind: 'disabled' } | { kind: 'enabled' } | { kind: 'slices'; counts: Counts };

function buildLayout(gpu: MigGpu, l: LayoutSpec): MigLayout {
  if (l.kind === 'disabled') return MigLayout.disabled(gpu);
  if (l.kind === 'enabled') return MigLayout.preset(gpu, 'all-enabled');
  return MigLayout.fromCounts(gpu, devicesOf(l.counts));
}

/** What one GPU with this layout advertises (device plugin v0.20.0 semantics), per strategy. */
function perGpu(l: LayoutSpec, strategy: MigStrategy): Record<string, number> {
  if (l.kind === 'disabled') return { 'nvidia.com/gpu': 1 };
  if (l.kind === 'enabled') return { 'nvidia.com/gpu': 0 };
  if (strategy === MigStrategy.SINGLE) return { 'nvidia.com/gpu': [...l.counts.values()][0] };
  const out: Record<string, number> = { 'nvidia.com/gpu': 0 };
  for (const [p, n] of l.counts) out[p.resourceName] = n;
  return out;
}

/** A mig-parted config for one pool: its GPU, instance types, name and device groups. */
interface MigPoolSpec {
  readonly gpu: MigGpu;
  readonly types: GpuInstanceType[];
  readonly configName: string;
  readonly groups: Array<{ indices?: number[]; layout: LayoutSpec }>;
  readonly gpuLimitFactor: number;
}

const configName = labelValue().filter((n) => n !== MigLabels.DEFAULT_CONFIG);

/** Splits GPUs 0..n-1 into 1-3 non-empty groups. */
function partition(n: number): fc.Arbitrary<number[][]> {
  return fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }).map((owner) => {
    const groups = [0, 1, 2].map((g) => owner.flatMap((o, d) => (o === g ? [d] : [])));
    return groups.filter((g) => g.length > 0);
  });
}

function migPoolSpec(strategy: MigStrategy): fc.Arbitrary<MigPoolSpec> {
  return fc.constantFrom(...POOL_GPUS).chain((gpu) => instanceTypes((t) => t.gpu.migGpu === gpu, 3).chain((types) => {
    const layout: fc.Arbitrary<LayoutSpec> = strategy === MigStrategy.SINGLE
      ? singleProfileCounts(gpu).map((counts) => ({ kind: 'slices', counts }))
      : fc.oneof(
        { weight: 6, arbitrary: validCounts(gpu).map((counts): LayoutSpec => ({ kind: 'slices', counts })) },
        { weight: 1, arbitrary: fc.constant<LayoutSpec>({ kind: 'disabled' }) },
        { weight: 1, arbitrary: fc.constant<LayoutSpec>({ kind: 'enabled' }) },
      );
    const counts = [...new Set(types.map((t) => t.gpuCount))];
    // Device groups by index only when every type has the same GPU count (else some type has GPUs left out).
    const groups: fc.Arbitrary<MigPoolSpec['groups']> = counts.length === 1 && counts[0] > 1
      ? fc.oneof(
        layout.map((l) => [{ layout: l }]),
        strategy === MigStrategy.SINGLE
          ? fc.tuple(partition(counts[0]), layout).map(([parts, l]) => parts.map((indices) => ({ indices, layout: l })))
          : partition(counts[0]).chain((parts) => fc.array(layout, { minLength: parts.length, maxLength: parts.length })
            .map((ls) => parts.map((indices, i) => ({ indices, layout: ls[i] })))),
      )
      : layout.map((l) => [{ layout: l }]);
    return fc.record({
      gpu: fc.constant(gpu), types: fc.constant(types), configName, groups, gpuLimitFactor: fc.integer({ min: 1, max: 4 }),
    });
  }));
}

/** Extended resources per node of `t` for a pool spec (NodeOverlay `capacity`, before stringification). */
function perNode(spec: MigPoolSpec, t: GpuInstanceType, strategy: MigStrategy): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of spec.groups) {
    const n = g.indices?.length ?? t.gpuCount;
    for (const [k, v] of Object.entries(perGpu(g.layout, strategy))) out[k] = (out[k] ?? 0) + v * n;
  }
  return out;
}

/** The device groups of a pool spec as mig-parted writes them. */
function expectedGroups(spec: MigPoolSpec): any[] {
  return spec.groups.map((g) => ({
    'devices': g.indices ?? 'all',
    'mig-enabled': g.layout.kind !== 'disabled',
    ...(g.layout.kind === 'slices' ? { 'mig-devices': devicesOf(g.layout.counts) } : g.layout.kind === 'enabled' ? { 'mig-devices': {} } : {}),
  }));
}

/** Builds the config of `spec` in `cfg` and a pool for it (not yet applied). */
function buildMigPool(c: Chart, cfg: MigConfig, spec: MigPoolSpec, i: number): { pool: GpuNodePool; layouts: MigLayout[] } {
  const layouts = spec.groups.map((g) => buildLayout(spec.gpu, g.layout));
  cfg.addConfig(spec.configName, spec.groups.map((g, k) => (g.indices
    ? MigDeviceGroup.devices([...g.indices].reverse(), layouts[k])
    : MigDeviceGroup.all(layouts[k]))));
  const largest = Math.max(...spec.types.map((t) => t.gpuCount));
  const pool = new GpuNodePool(c, `mig-${i}`, { name: `mig-pool-${i}`, instanceTypes: spec.types, gpuLimit: largest * spec.gpuLimitFactor, nodeClassProps: BOUND });
  return { pool, layouts };
}

const ofKind = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);
const overlaysOf = (objs: any[], poolName: string) => ofKind(objs, 'NodeOverlay')
  .filter((o) => o.spec.requirements.some((r: any) => r.key === 'karpenter.sh/nodepool' && r.values[0] === poolName));
const stringify = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]));

// ---------------------------------------------------------------------------------------------------------------

describe('MigLayout', () => {
  test('any layout within the catalog rules is accepted on every MIG GPU, whatever the spelling, with a real placement', () => {
    const arb = fc.constantFrom(...MigGpu.all()).chain((gpu) => fc.record({
      gpu: fc.constant(gpu),
      counts: validCounts(gpu),
      spell: spelling,
      viaCounts: fc.boolean(),
    }));
    fc.assert(fc.property(arb, ({ gpu, counts, spell, viaCounts }) => {
      const layout = viaCounts
        ? MigLayout.fromCounts(gpu, Object.fromEntries([...counts].map(([p, n]) => [spell(p), n])))
        : MigLayout.of(gpu, [...counts].map(([p, n]) => MigSlice.of(spell(p), n)));
      expect(layout.gpu).toBe(gpu);
      expect(layout.migEnabled).toBe(true);
      expect(layout.migDevices()).toEqual(devicesOf(counts));
      expect(layout.slices.map((s) => s.profile)).toEqual([...counts.keys()].map((p) => p.name));
      const total = [...counts.values()].reduce((a, n) => a + n, 0);
      expect(layout.computeSlicesUsed).toBe([...counts].reduce((a, [p, n]) => a + p.computeSlices * n, 0));
      expect(layout.memorySlicesUsed).toBe([...counts].reduce((a, [p, n]) => a + p.memorySlices * n, 0));
      expect(layout.placementsVerified).toBe(gpu.placementsVerified);
      // Placements: one per instance, at a start the catalog allows for the profile, no shared memory slice.
      expect(layout.placements).toHaveLength(total);
      const used = new Array<boolean>(gpu.totalMemorySlices).fill(false);
      const placed: Record<string, number> = {};
      for (const pl of layout.placements) {
        expect(gpu.placementStartsOf(pl.profile)).toContain(pl.start);
        expect(pl.size).toBe(gpu.profile(pl.profile).memorySlices);
        expect(pl.start + pl.size).toBeLessThanOrEqual(gpu.totalMemorySlices);
        for (let k = pl.start; k < pl.start + pl.size; k++) {
          expect(used[k]).toBe(false);
          used[k] = true;
        }
        placed[pl.profile] = (placed[pl.profile] ?? 0) + 1;
      }
      expect(placed).toEqual(devicesOf(counts));
      // Advertised resources: one mig-<profile> per profile (mixed); nvidia.com/gpu per instance only when single.
      const mixed: Record<string, number> = { 'nvidia.com/gpu': 0 };
      for (const [p, n] of counts) mixed[p.resourceName] = n;
      expect(layout.advertisedResources(MigStrategy.MIXED)).toEqual(mixed);
      if (counts.size === 1) {
        expect(layout.singleProfile).toBe([...counts.keys()][0].name);
        expect(layout.advertisedResources(MigStrategy.SINGLE)).toEqual({ 'nvidia.com/gpu': total });
      } else {
        expect(layout.singleProfile).toBeUndefined();
        expectConfigError(() => layout.advertisedResources(MigStrategy.SINGLE), `MigLayout(${gpu.name})`, 'slices');
      }
      for (const [p, n] of counts) expect(layout.toString()).toContain(`${p.name}×${n}`);
    }), params(RUNS));
  });

  test('every preset of every GPU is the mig-parted default config it names', () => {
    const presets = MigGpu.all().flatMap((gpu) => [
      'all-disabled', 'all-enabled', 'all-balanced', ...gpu.profiles.filter((p) => p.migManagerConfig).map((p) => p.migManagerConfig!),
    ].map((name) => [gpu, name] as const)).filter(([gpu, name]) => name !== 'all-balanced' || gpu !== MigGpu.H100_96GB);
    fc.assert(fc.property(fc.constantFrom(...presets), ([gpu, name]) => {
      const l = MigLayout.preset(gpu, name);
      expect(l.presetName).toBe(name);
      expect(l.migEnabled).toBe(name !== 'all-disabled');
      if (name === 'all-disabled') {
        expect(l.advertisedResources(MigStrategy.MIXED)).toEqual({ 'nvidia.com/gpu': 1 });
      } else if (name === 'all-enabled') {
        expect(l.slices).toEqual([]);
      } else if (name === 'all-balanced') {
        expect(fitsRules(gpu, new Counts(l.slices.map((x) => [gpu.profile(x.profile), x.count])))).toBe(true);
        expect(l.slices.length).toBeGreaterThan(1);
      } else {
        const spec = gpu.profiles.find((p) => p.migManagerConfig === name)!;
        expect(l.migDevices()).toEqual({ [spec.name]: spec.maxInstances });
        expect(l.placements).toHaveLength(spec.maxInstances);
      }
    }), params(RUNS));
  });

  type Bad = [string | RegExp, string | RegExp, () => unknown];
  const invalidLayout = fc.constantFrom(...MigGpu.all()).chain((gpu) => validCounts(gpu).chain((counts) => {
    const where = `MigLayout(${gpu.name})`;
    const slices = [...counts].map(([p, n]) => MigSlice.of(p.name, n));
    const foreign = ALL_PROFILE_NAMES.filter((n) => !gpu.tryProfile(n));
    return fc.oneof(
      // A profile this GPU does not have (another GPU's, or nonsense), at a random position.
      fc.tuple(fc.constantFrom(...foreign, '8g.80gb', '1g', 'mig-1g.5gb', '0g.5gb', '1g.5gb+mee'), fc.integer({ min: 0, max: slices.length }))
        .map(([name, i]): Bad => [where, `slices[${i}]`, () => MigLayout.of(gpu, [...slices.slice(0, i), MigSlice.of(name, 1), ...slices.slice(i)])]),
      // More instances of a profile than one GPU holds.
      fc.tuple(fc.constantFrom(...gpu.profiles), fc.integer({ min: 1, max: 20 }))
        .map(([p, extra]): Bad => [where, 'slices', () => MigLayout.fromCounts(gpu, { ...devicesOf(counts), [p.name]: p.maxInstances + extra })]),
      // The same profile twice (spelt differently).
      fc.constantFrom(...counts.keys()).map((p): Bad => [where, `slices[${slices.length}]`,
        () => MigLayout.of(gpu, [...slices, MigSlice.of(p.resourceName, 1)])]),
      // One instance more than fits: compute or memory slices, or a second +me.
      fc.constantFrom(...gpu.profiles).map((pick): Bad => {
        const over = (p: MigProfileSpec) => (counts.get(p) ?? 0) < p.maxInstances
          && !fitsRules(gpu, new Counts(counts).set(p, (counts.get(p) ?? 0) + 1));
        const largest = [...gpu.profiles].sort((a, b) => b.computeSlices - a.computeSlices)[0];
        const smallest = gpu.profiles.find((p) => !p.mediaExtensions && p.computeSlices === 1)!;
        const p = over(pick) ? pick : over(largest) ? largest : smallest;
        return [where, 'slices', () => MigLayout.fromCounts(gpu, { ...devicesOf(counts), [p.name]: (counts.get(p) ?? 0) + 1 })];
      }),
      fc.constantFrom(0, -1, 1.5, NaN, Infinity, -Infinity, '7', null, true, [2]).map((n): Bad => ['MigSlice.of', /^count \(/, () => MigSlice.of(gpu.profiles[0].name, n as any)]),
      fc.constantFrom('', '   ', 5, null, undefined, ['1g.5gb'], {}).map((p): Bad => ['MigSlice.of', 'profile', () => MigSlice.of(p as any, 1)]),
      fc.constantFrom(null, undefined, 'all-1g.10gb', 7, [], [['1g.5gb', 1]]).map((v): Bad => [where, 'counts', () => MigLayout.fromCounts(gpu, v as any)]),
      fc.constantFrom(null, undefined, 'x', 3).map((v): Bad => [where, 'slices', () => MigLayout.of(gpu, v as any)]),
      fc.constantFrom(undefined, null, 'x', 3, {}, MigLayout.disabled(gpu)).map((v): Bad => [where, 'slices[0]', () => MigLayout.of(gpu, [v as any])]),
      fc.constantFrom('all-balance', 'all-1g', '', 'ALL-DISABLED', 'all-9g.99gb', 'default', undefined, 3)
        .map((name): Bad => [where, 'preset', () => MigLayout.preset(gpu, name as any)]),
      fc.constantFrom<any>(undefined, null, gpu.name, 'A100-40GB', {}, { name: gpu.name, profiles: gpu.profiles })
        .map((g): Bad => ['MigLayout', 'gpu', () => MigLayout.fromCounts(g, devicesOf(counts))]),
      fc.constantFrom<any>(MigStrategy.NONE, 'mixed', undefined, {}).map((s): Bad => [where, 'strategy',
        () => MigLayout.fromCounts(gpu, devicesOf(counts)).advertisedResources(s)]),
    );
  }));

  test('one invalid slice, count, profile, preset or GPU throws GpuConfigError naming the GPU and the property', () => {
    fc.assert(fc.property(invalidLayout, ([path, prop, run]) => {
      expectConfigError(run, path, prop);
    }), params(RUNS));
    expectConfigError(() => MigLayout.preset(MigGpu.H100_96GB, 'all-balanced'), `MigLayout(${MigGpu.H100_96GB.name})`, 'preset');
    // Two +me instances of different profiles (A30 has two +me profiles).
    expectConfigError(() => MigLayout.fromCounts(MigGpu.A30_24GB, { '1g.6gb+me': 1, '2g.12gb+me': 1 }), `MigLayout(${MigGpu.A30_24GB.name})`, 'slices');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('MigConfig applied to MIG-capable pools', () => {
  const scene = fc.constantFrom(MigStrategy.MIXED, MigStrategy.SINGLE).chain((strategy) => fc.record({
    strategy: fc.constant(strategy),
    pools: fc.uniqueArray(migPoolSpec(strategy), { minLength: 1, maxLength: 2, selector: (s) => s.configName }),
    name: fc.option(dnsLabel(60), { nil: undefined }),
    namespace: fc.option(dnsLabel(40), { nil: undefined }),
    operator: fc.boolean(),
    workload: fc.boolean(),
    pick: fc.nat(),
    explicitStrategy: fc.boolean(),
  }));

  test('random layouts per node / device group synthesise the mig-parted ConfigMap, labels, NodeOverlays and annotation they describe', () => {
    fc.assert(fc.property(scene, (s) => {
      const c = chart();
      const cfg = new MigConfig(c, 'mig', { ...(s.name ? { name: s.name } : {}), ...(s.namespace ? { namespace: s.namespace } : {}) });
      const built = s.pools.map((spec, i) => ({ spec, ...buildMigPool(c, cfg, spec, i) }));
      for (const b of built) {
        const overlays = cfg.applyTo(b.pool, b.spec.configName,
          s.strategy === MigStrategy.MIXED && !s.explicitStrategy ? {} : { strategy: s.strategy });
        expect(overlays).toHaveLength(new Set(b.spec.types.map((t) => t.gpuCount)).size);
      }
      if (s.operator) new GpuOperator(c, 'op', { migConfig: cfg, migStrategy: s.strategy, namespace: cfg.namespace });
      // A workload asking for one slice of a profile some pool offers (mixed strategy: nvidia.com/mig-<profile>).
      const offered = s.strategy === MigStrategy.MIXED
        ? s.pools.flatMap((spec) => spec.groups.flatMap((g) => (g.layout.kind === 'slices' ? [...g.layout.counts.keys()] : [])))
        : [];
      const profile = s.workload && offered.length ? offered[s.pick % offered.length] : undefined;
      const dep = profile
        ? new InferenceDeployment(c, 'small', { pools: built.map((b) => b.pool), gpus: GpuRequest.mig(profile.name), image: 'example.com/server:1' })
        : undefined;

      const objs = expectCleanSynth(c);
      expect(cfg.configNames()).toEqual([MigLabels.DEFAULT_CONFIG, ...s.pools.map((p) => p.configName)]);
      const cm = ofKind(objs, 'ConfigMap').find((o) => o.metadata.name === cfg.name);
      expect(cm.metadata).toEqual({ name: s.name ?? 'custom-mig-parted-config', namespace: s.namespace ?? 'gpu-operator' });
      expect(parse(cm.data['config.yaml'])).toEqual({
        'version': 'v1',
        'mig-configs': {
          [MigLabels.DEFAULT_CONFIG]: [{ 'devices': 'all', 'mig-enabled': false }],
          ...Object.fromEntries(s.pools.map((spec) => [spec.configName, expectedGroups(spec)])),
        },
      });
      for (const b of built) {
        const np = ofKind(objs, 'NodePool').find((o) => o.metadata.name === b.pool.poolName);
        expect(np.spec.template.metadata.labels).toMatchObject({
          [MigLabels.CONFIG]: b.spec.configName, 'nvidia.com/gpu.deploy.device-plugin': 'paused-for-mig-change',
        });
        const counts = [...new Set(b.spec.types.map((t) => t.gpuCount))].sort((x, y) => x - y);
        const first = b.spec.types.find((t) => t.gpuCount === counts[0])!;
        const perGpuExpected = Object.fromEntries(Object.entries(perNode(b.spec, first, s.strategy)).map(([k, v]) => [k, v / counts[0]]));
        expect(JSON.parse(np.metadata.annotations[ADVERTISED_RESOURCES_ANNOTATION])).toEqual(perGpuExpected);
        const overlays = overlaysOf(objs, b.pool.poolName);
        expect(overlays.map((o) => o.metadata.name)).toEqual(counts.map((n) => `${b.pool.poolName}-${n}gpu-slices`));
        for (const [i, n] of counts.entries()) {
          expect(overlays[i].spec.requirements[1]).toEqual({ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'In', values: [String(n)] });
          expect(overlays[i].spec.capacity).toEqual(stringify(perNode(b.spec, b.spec.types.find((t) => t.gpuCount === n)!, s.strategy)));
        }
      }
      if (s.operator) {
        const [cp] = ofKind(objs, 'ClusterPolicy');
        expect(cp.spec.mig).toEqual({ strategy: s.strategy.value });
        expect(cp.spec.migManager.config).toEqual({ name: cfg.name, default: MigLabels.DEFAULT_CONFIG });
      }
      if (dep && profile) {
        const d = ofKind(objs, 'Deployment')[0];
        expect(d.spec.template.spec.containers[0].resources.limits).toMatchObject({ [profile.resourceName]: 1 });
      }
    }), params(RUNS_HEAVY));
  });

  interface MigCtx {
    readonly c: Chart;
    readonly cfg: MigConfig;
    readonly pool: GpuNodePool;
    readonly spec: MigPoolSpec;
    readonly layouts: MigLayout[];
    readonly strategy: MigStrategy;
  }
  type MigMutation = (x: MigCtx) => [string | RegExp, string | RegExp, () => unknown];
  const groupsOf = (x: MigCtx) => x.spec.groups.map((g, k) => (g.indices
    ? MigDeviceGroup.devices(g.indices, x.layouts[k])
    : MigDeviceGroup.all(x.layouts[k])));
  const otherGpu = (gpu: MigGpu) => POOL_GPUS.find((g) => g !== gpu)!;
  const nonMigType = fc.constantFrom(...GpuInstanceType.all().filter((t) => !t.migCapable));
  const migMutations: fc.Arbitrary<MigMutation> = fc.oneof(
    fc.oneof(invalidLabelValue(), fc.constantFrom<any>('', 'a'.repeat(64), MigLabels.DEFAULT_CONFIG, 5, null, undefined))
      .map((name): MigMutation => (x) => [x.cfg.node.path, /^configs\[/, () => x.cfg.addConfig(name, groupsOf(x))]),
    fc.constant<MigMutation>((x) => [x.cfg.node.path, /^configs\[/, () => {
      x.cfg.addConfig(x.spec.configName, groupsOf(x));
      x.cfg.addConfig(x.spec.configName, groupsOf(x));
    }]),
    fc.constantFrom<any>([], undefined, null, 'all').map((groups): MigMutation => (x) => [x.cfg.node.path, /^configs\[/, () => x.cfg.addConfig('x', groups)]),
    fc.constantFrom<any>('all', 5, null, {}).map((g): MigMutation => (x) => [x.cfg.node.path, /^configs\["x"\]\[1\]$/,
      () => x.cfg.addConfig('x', [MigDeviceGroup.devices([0], x.layouts[0]), g])]),
    fc.constant<MigMutation>((x) => [x.cfg.node.path, /^configs\["x"\]\[0\]$/, () => x.cfg.addConfig('x', [x.layouts[0] as any])]),
    fc.constant<MigMutation>((x) => [x.cfg.node.path, /^configs\[/,
      () => x.cfg.addConfig('x', [MigDeviceGroup.all(x.layouts[0]), MigDeviceGroup.devices([1], x.layouts[0])])]),
    fc.integer({ min: 0, max: 7 }).map((d): MigMutation => (x) => [x.cfg.node.path, /^configs\["x"\]\[1\]$/,
      () => x.cfg.addConfig('x', [MigDeviceGroup.devices([d, d + 1], x.layouts[0]), MigDeviceGroup.devices([d + 1, d + 2], x.layouts[0])])]),
    fc.constant<MigMutation>((x) => [x.cfg.node.path, /^configs\[/,
      () => x.cfg.addConfig('x', [MigDeviceGroup.devices([0], x.layouts[0]), MigDeviceGroup.devices([1], MigLayout.disabled(otherGpu(x.spec.gpu)))])]),
    fc.constantFrom<any>([], [-1], [1.5], [NaN], [Infinity], [0, 0], ['0'], [null], 'all', null, 3)
      .map((indices): MigMutation => (x) => ['MigDeviceGroup.devices', 'indices', () => MigDeviceGroup.devices(indices, x.layouts[0])]),
    fc.constantFrom<any>(undefined, null, 'all-1g.10gb', {}, 3)
      .map((layout): MigMutation => () => ['MigDeviceGroup', 'layout', () => MigDeviceGroup.all(layout)]),
    invalidDnsLabel().filter((n) => n !== 'a'.repeat(64)) // 64 characters are fine for a ConfigMap name (≤ 253)
      .map((name): MigMutation => (x) => [`${x.c.node.path}/bad`, 'name', () => new MigConfig(x.c, 'bad', { name })]),
    invalidDnsLabel().map((namespace): MigMutation => (x) => [`${x.c.node.path}/bad`, 'namespace', () => new MigConfig(x.c, 'bad', { namespace })]),
    configName.map((name): MigMutation => (x) => [x.cfg.node.path, 'config', () => {
      x.cfg.addConfig(x.spec.configName, groupsOf(x));
      x.cfg.applyTo(x.pool, name === x.spec.configName ? `${name}x` : name);
    }]),
    fc.constantFrom<any>(MigStrategy.NONE, 'mixed', 'single', {}, 1).map((strategy): MigMutation => (x) => [x.cfg.node.path, 'strategy', () => {
      x.cfg.addConfig(x.spec.configName, groupsOf(x));
      x.cfg.applyTo(x.pool, x.spec.configName, { strategy });
    }]),
    // A pool that can launch GPUs without MIG, or a GPU the config is not laid out for.
    nonMigType.map((t): MigMutation => (x) => [applyPath(x.cfg), 'pool.instanceTypes', () => {
      x.cfg.addConfig(x.spec.configName, groupsOf(x));
      const p = new GpuNodePool(x.c, 'mixed-pool', { instanceTypes: [...x.spec.types, t], gpuLimit: 64, nodeClassProps: BOUND });
      x.cfg.applyTo(p, x.spec.configName, { strategy: x.strategy });
    }]),
    fc.constant<MigMutation>((x) => [applyPath(x.cfg), 'pool.instanceTypes', () => {
      x.cfg.addConfig(x.spec.configName, groupsOf(x));
      const other = GpuInstanceType.all().filter((t) => t.migCapable && t.gpu.migGpu !== x.spec.gpu);
      const p = new GpuNodePool(x.c, 'other-pool', { instanceTypes: other.slice(0, 2), gpuLimit: 64, nodeClassProps: BOUND });
      x.cfg.applyTo(p, x.spec.configName, { strategy: x.strategy });
    }]),
    // Device indices beyond the node's GPUs, or GPUs left out of the config.
    fc.constant<MigMutation>((x) => [applyPath(x.cfg), 'devices', () => {
      const n = Math.max(...x.spec.types.map((t) => t.gpuCount));
      x.cfg.addConfig('beyond', [MigDeviceGroup.devices([...Array(n + 1).keys()], x.layouts[0])]);
      x.cfg.applyTo(x.pool, 'beyond', { strategy: x.strategy });
    }]),
    fc.constant<MigMutation>((x) => [applyPath(x.cfg), 'devices', () => {
      const n = Math.max(...x.spec.types.map((t) => t.gpuCount));
      if (n === 1) {
        x.cfg.addConfig('gap', [MigDeviceGroup.devices([1], x.layouts[0])]);
      } else {
        x.cfg.addConfig('gap', [MigDeviceGroup.devices([...Array(n - 1).keys()], x.layouts[0])]);
      }
      x.cfg.applyTo(x.pool, 'gap', { strategy: x.strategy });
    }]),
    // The single strategy on a config that is not one profile on every GPU.
    fc.constantFrom<'disabled' | 'enabled' | 'two'>('disabled', 'enabled', 'two').map((kind): MigMutation => (x) => [applyPath(x.cfg), 'strategy', () => {
      const gpu = x.spec.gpu;
      const layout = kind === 'disabled' ? MigLayout.disabled(gpu) : kind === 'enabled' ? MigLayout.preset(gpu, 'all-enabled')
        : MigLayout.fromCounts(gpu, { [gpu.profiles[0].name]: 1, [gpu.profiles.find((p) => p.computeSlices === 2)!.name]: 1 });
      x.cfg.addLayout('not-single', layout);
      x.cfg.applyTo(x.pool, 'not-single', { strategy: MigStrategy.SINGLE });
    }]),
    // A pool gets one sharing setup: a second MIG config, or time-slicing on top.
    fc.boolean().map((timeSlicing): MigMutation => (x) => {
      const dp = timeSlicing ? new DevicePluginConfig(x.c, 'dp') : undefined;
      return [applyPath(dp ?? x.cfg), 'pool', () => {
        x.cfg.addConfig(x.spec.configName, groupsOf(x));
        x.cfg.applyTo(x.pool, x.spec.configName, { strategy: x.strategy });
        if (dp) {
          dp.addTimeSlicing('shared', { replicas: 2 });
          dp.applyTo(x.pool, 'shared');
        } else {
          x.cfg.applyTo(x.pool, x.spec.configName, { strategy: x.strategy });
        }
      }];
    }),
    fc.constantFrom<any>(undefined, null, 'mig-pool-0', {}, []).map((pool): MigMutation => (x) => [applyPath(x.cfg), 'pool', () => {
      x.cfg.addConfig(x.spec.configName, groupsOf(x));
      x.cfg.applyTo(pool, x.spec.configName, { strategy: x.strategy });
    }]),
  );

  test('one invalid config, device group or application throws GpuConfigError naming the construct and the property', () => {
    const arb = fc.constantFrom(MigStrategy.MIXED, MigStrategy.SINGLE)
      .chain((strategy) => fc.tuple(fc.constant(strategy), migPoolSpec(strategy), migMutations));
    fc.assert(fc.property(arb, ([strategy, spec, mutate]) => {
      const c = chart();
      const cfg = new MigConfig(c, 'mig');
      const layouts = spec.groups.map((g) => buildLayout(spec.gpu, g.layout));
      const largest = Math.max(...spec.types.map((t) => t.gpuCount));
      const pool = new GpuNodePool(c, 'pool', { instanceTypes: spec.types, gpuLimit: largest * spec.gpuLimitFactor, nodeClassProps: BOUND });
      const [path, prop, run] = mutate({ c, cfg, pool, spec, layouts, strategy });
      expectConfigError(run, path, prop);
    }), params(RUNS));
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('DevicePluginConfig (time-slicing)', () => {
  interface TsConfig { key: string; replicas: number; renameByDefault?: boolean; failRequestsGreaterThanOne?: boolean }
  const tsKey = labelValue().filter((k) => k !== 'default');
  const tsConfigs = fc.uniqueArray(fc.record({
    key: tsKey,
    replicas: fc.integer({ min: 2, max: 64 }),
    renameByDefault: fc.option(fc.boolean(), { nil: undefined }),
    failRequestsGreaterThanOne: fc.option(fc.boolean(), { nil: undefined }),
  }, { requiredKeys: ['key', 'replicas'] }), { minLength: 1, maxLength: 3, selector: (t) => t.key });
  const strategyOpt = fc.option(fc.constantFrom(MigStrategy.NONE, MigStrategy.SINGLE, MigStrategy.MIXED), { nil: undefined });

  const scene = tsConfigs.chain((configs) => fc.record({
    configs: fc.constant(configs as TsConfig[]),
    pools: fc.array(fc.record({
      types: instanceTypes(() => true, 3),
      config: fc.integer({ min: 0, max: configs.length - 1 }),
      limitFactor: fc.integer({ min: 1, max: 8 }),
    }), { minLength: 1, maxLength: 2 }),
    name: fc.option(dnsLabel(60), { nil: undefined }),
    namespace: fc.option(dnsLabel(40), { nil: undefined }),
    migStrategy: strategyOpt,
    operator: fc.boolean(),
    workload: fc.boolean(),
  }));

  test('random time-slicing configs on random pools synthesise the ConfigMap, labels, limits and NodeOverlays they describe', () => {
    fc.assert(fc.property(scene, (s) => {
      const c = chart();
      const dp = new DevicePluginConfig(c, 'dp', {
        ...(s.name ? { name: s.name } : {}),
        ...(s.namespace ? { namespace: s.namespace } : {}),
        ...(s.migStrategy ? { migStrategy: s.migStrategy } : {}),
      });
      for (const t of s.configs) {
        const { key, ...props } = t;
        dp.addTimeSlicing(key, props);
      }
      const pools = s.pools.map((p, i) => {
        const largest = Math.max(...p.types.map((t) => t.gpuCount));
        const pool = new GpuNodePool(c, `ts-${i}`, { name: `ts-pool-${i}`, instanceTypes: p.types, gpuLimit: largest * p.limitFactor, nodeClassProps: BOUND });
        const overlays = dp.applyTo(pool, s.configs[p.config].key);
        expect(overlays).toHaveLength(new Set(p.types.map((t) => t.gpuCount)).size);
        return pool;
      });
      const strategy = s.migStrategy ?? MigStrategy.MIXED;
      if (s.operator) new GpuOperator(c, 'op', { devicePluginConfig: dp, migStrategy: strategy, namespace: dp.namespace });
      // A one-GPU workload on the pools that still advertise nvidia.com/gpu (renameByDefault hides it).
      const plain = pools.filter((_, i) => !s.configs[s.pools[i].config].renameByDefault);
      if (s.workload && plain.length) {
        // Sized per slice (issue 15): a node sliced so thin that a slice gets under 100m cpu / 256 MiB is refused,
        // with a GpuConfigError naming the pools, never a TypeError.
        try {
          new InferenceDeployment(c, 'dev', { pools: plain, gpus: GpuRequest.whole(1), image: 'example.com/notebook:1' });
        } catch (e) {
          expect(e).toBeInstanceOf(GpuConfigError);
          expect((e as GpuConfigError).message).toMatch(/pools leave too little cpu\/memory per pod/);
          c.node.tryRemoveChild('dev');
        }
      }

      const objs = expectCleanSynth(c);
      expect(dp.configKeys()).toEqual(['default', ...s.configs.map((t) => t.key)]);
      const cm = ofKind(objs, 'ConfigMap').find((o) => o.metadata.name === dp.name);
      expect(cm.metadata).toEqual({ name: s.name ?? 'device-plugin-config', namespace: s.namespace ?? 'gpu-operator' });
      expect(Object.keys(cm.data).sort()).toEqual(['default', ...s.configs.map((t) => t.key)].sort());
      expect(parse(cm.data.default)).toEqual({ version: 'v1', flags: { migStrategy: strategy.value } });
      for (const t of s.configs) {
        expect(parse(cm.data[t.key])).toEqual({
          version: 'v1',
          flags: { migStrategy: strategy.value },
          sharing: {
            timeSlicing: {
              renameByDefault: t.renameByDefault ?? false,
              failRequestsGreaterThanOne: t.failRequestsGreaterThanOne ?? true,
              resources: [{ name: 'nvidia.com/gpu', replicas: t.replicas }],
            },
          },
        });
        expect(dp.sharedResource(t.key)).toBe(t.renameByDefault ? 'nvidia.com/gpu.shared' : 'nvidia.com/gpu');
      }
      s.pools.forEach((p, i) => {
        const t = s.configs[p.config];
        const pool = pools[i];
        const np = ofKind(objs, 'NodePool').find((o) => o.metadata.name === pool.poolName);
        expect(np.spec.template.metadata.labels['nvidia.com/device-plugin.config']).toBe(t.key);
        // Limits keep counting physical GPUs: × replicas when the shared resource keeps the name nvidia.com/gpu.
        expect(np.spec.limits['nvidia.com/gpu']).toBe(t.renameByDefault ? pool.gpuLimit : pool.gpuLimit * t.replicas);
        expect(JSON.parse(np.metadata.annotations[ADVERTISED_RESOURCES_ANNOTATION]))
          .toEqual(t.renameByDefault ? { 'nvidia.com/gpu': 0, 'nvidia.com/gpu.shared': t.replicas } : { 'nvidia.com/gpu': t.replicas });
        const counts = [...new Set(p.types.map((x) => x.gpuCount))].sort((a, b) => a - b);
        expect(overlaysOf(objs, pool.poolName).map((o) => [o.metadata.name, o.spec.capacity])).toEqual(counts.map((n) => [
          `${pool.poolName}-${n}gpu-slices`,
          t.renameByDefault ? { 'nvidia.com/gpu': '0', 'nvidia.com/gpu.shared': String(n * t.replicas) } : { 'nvidia.com/gpu': String(n * t.replicas) },
        ]));
      });
      if (s.operator) {
        const [cp] = ofKind(objs, 'ClusterPolicy');
        expect(cp.spec.devicePlugin.config).toEqual({ name: dp.name, default: 'default' });
        expect(cp.spec.mig.strategy).toBe(strategy.value);
      }
    }), params(RUNS_HEAVY));
  });

  type TsMutation = (c: Chart, dp: DevicePluginConfig, pool: GpuNodePool, key: string) => [string | RegExp, string | RegExp, () => unknown];
  const tsMutations: fc.Arbitrary<TsMutation> = fc.oneof(
    fc.oneof(invalidLabelValue(), fc.constantFrom<any>('', 'default', 'x'.repeat(64), 5, null, undefined))
      .map((key): TsMutation => (_c, dp) => [dp.node.path, /^configs\[/, () => dp.addTimeSlicing(key, { replicas: 4 })]),
    fc.constant<TsMutation>((_c, dp, _pool, key) => [dp.node.path, `configs[${JSON.stringify(key)}]`, () => dp.addTimeSlicing(key, { replicas: 4 })]),
    fc.constantFrom<any>(1, 0, -1, -4, 2.5, NaN, Infinity, -Infinity, '4', undefined, null, true, [4])
      .map((replicas): TsMutation => (_c, dp) => [dp.node.path, 'configs["new"].replicas', () => dp.addTimeSlicing('new', { replicas })]),
    fc.constantFrom<any>(undefined, null, 4).map((props): TsMutation => (_c, dp) => [dp.node.path, 'configs["new"].replicas', () => dp.addTimeSlicing('new', props)]),
    invalidDnsLabel().filter((n) => n !== 'a'.repeat(64))
      .map((name): TsMutation => (c) => [`${c.node.path}/bad`, 'name', () => new DevicePluginConfig(c, 'bad', { name })]),
    invalidDnsLabel().map((namespace): TsMutation => (c) => [`${c.node.path}/bad`, 'namespace', () => new DevicePluginConfig(c, 'bad', { namespace })]),
    fc.constantFrom<any>('mixed', 'none', { value: 'mixed' }, 1, true)
      .map((migStrategy): TsMutation => (c) => [`${c.node.path}/bad`, 'migStrategy', () => new DevicePluginConfig(c, 'bad', { migStrategy })]),
    // An unknown key, or the non-sharing default (which is not a time-slicing config).
    fc.oneof(fc.constant('default'), tsKey).map((other): TsMutation => (_c, dp, pool) => [dp.node.path, 'config',
      () => dp.applyTo(pool, other !== 'default' && dp.configKeys().includes(other) ? `${other}-not-configured` : other)]),
    fc.constant<TsMutation>((_c, dp, pool, key) => [applyPath(dp), 'pool', () => {
      dp.applyTo(pool, key);
      dp.applyTo(pool, key);
    }]),
    fc.constantFrom<any>(undefined, null, 'ts-pool', {}).map((p): TsMutation => (_c, dp, _pool, key) => [applyPath(dp), 'pool', () => dp.applyTo(p, key)]),
    fc.constant<TsMutation>((c, dp, _pool, key) => {
      const mig = new MigConfig(c, 'mig');
      return [applyPath(dp), 'pool', () => {
        mig.addLayout('a100', MigLayout.preset(MigGpu.A100_40GB, 'all-1g.5gb'));
        const p4d = new GpuNodePool(c, 'p4d', { instanceTypes: [GpuInstanceType.P4D_24XLARGE], gpuLimit: 8, nodeClassProps: BOUND });
        mig.applyTo(p4d, 'a100');
        dp.applyTo(p4d, key);
      }];
    }),
  );

  test('one invalid key, replicas, name or application throws GpuConfigError naming the construct and the property', () => {
    fc.assert(fc.property(tsConfigs, instanceTypes(() => true, 3), tsMutations, (configs, types, mutate) => {
      const c = chart();
      const dp = new DevicePluginConfig(c, 'dp');
      for (const { key, ...props } of configs) dp.addTimeSlicing(key, props);
      const pool = new GpuNodePool(c, 'pool', { instanceTypes: types, gpuLimit: 64, nodeClassProps: BOUND });
      const [path, prop, run] = mutate(c, dp, pool, configs[0].key);
      expectConfigError(run, path, prop);
    }), params(RUNS));
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('GpuOperator and GpuOperatorSettings', () => {
  const optBool = fc.option(fc.boolean(), { nil: undefined });
  /** Valid operator settings, as data; the MigConfig / DevicePluginConfig are built in the chart from `mig` / `dp`. */
  const recipe = fc.record({
    namespace: fc.option(dnsLabel(40), { nil: undefined }),
    nodeImage: fc.constantFrom(undefined, GpuAmiFamily.AL2023, GpuAmiFamily.BOTTLEROCKET),
    driver: fc.constantFrom(undefined, false),
    toolkit: fc.constantFrom(undefined, false),
    devicePlugin: optBool,
    migStrategy: fc.option(fc.constantFrom(MigStrategy.NONE, MigStrategy.SINGLE, MigStrategy.MIXED), { nil: undefined }),
    migManager: optBool,
    mig: fc.option(fc.record({
      gpu: fc.constantFrom(MigGpu.A100_40GB, MigGpu.H100_80GB), profile: fc.nat(), apply: fc.boolean(),
    }), { nil: undefined }),
    dp: fc.option(fc.record({ replicas: fc.integer({ min: 2, max: 16 }), apply: fc.boolean() }), { nil: undefined }),
    migManagerReboot: optBool,
    dcgmExporter: optBool,
    serviceMonitor: optBool,
    serviceMonitorLabels: fc.option(fc.dictionary(labelKey(), labelValue(), { maxKeys: 3 }), { nil: undefined }),
    interval: fc.option(fc.oneof(
      fc.integer({ min: 1, max: 86400 }).map((n) => [n, Duration.seconds(n)] as const),
      fc.integer({ min: 1, max: 120 }).map((n) => [n * 60, Duration.minutes(n)] as const),
      fc.integer({ min: 1, max: 600 }).map((n) => [n, Duration.millis(n * 1000)] as const),
    ), { nil: undefined }),
    nfd: optBool,
    gfd: optBool,
  }).map((r) => {
    // Make the combination valid: Bottlerocket ships the device plugin and configures MIG itself.
    const br = r.nodeImage === GpuAmiFamily.BOTTLEROCKET;
    const out = { ...r };
    if (br && out.devicePlugin) out.devicePlugin = undefined;
    if (br || out.migManager === false || out.migStrategy === MigStrategy.NONE) out.mig = undefined;
    if (!(out.devicePlugin ?? !br)) out.dp = undefined;
    return out;
  });
  type Recipe = typeof recipe extends fc.Arbitrary<infer R> ? R : never;

  /** The props of a recipe, with its MigConfig / DevicePluginConfig (and pools they are applied to) built in `c`. */
  function propsOf(c: Chart, r: Recipe): GpuOperatorProps {
    const namespace = r.namespace ?? 'gpu-operator';
    const strategy = r.migStrategy ?? MigStrategy.MIXED;
    const props: any = {};
    for (const k of ['namespace', 'nodeImage', 'driver', 'toolkit', 'devicePlugin', 'migStrategy', 'migManager', 'migManagerReboot',
      'dcgmExporter', 'serviceMonitor', 'serviceMonitorLabels', 'nfd', 'gfd'] as const) {
      if (r[k] !== undefined) props[k] = r[k];
    }
    if (r.interval) props.serviceMonitorInterval = r.interval[1];
    if (r.mig) {
      const cfg = new MigConfig(c, 'mig', { namespace });
      const p = r.mig.gpu.profiles[r.mig.profile % r.mig.gpu.profiles.length];
      cfg.addLayout('sliced', MigLayout.preset(r.mig.gpu, p.migManagerConfig!));
      if (r.mig.apply) {
        const types = GpuInstanceType.all().filter((t) => t.gpu.migGpu === r.mig!.gpu);
        cfg.applyTo(new GpuNodePool(c, 'mig-pool', { instanceTypes: types, gpuLimit: 16, nodeClassProps: BOUND }), 'sliced', { strategy });
      }
      props.migConfig = cfg;
    }
    if (r.dp) {
      const dp = new DevicePluginConfig(c, 'dp', { namespace, migStrategy: strategy });
      dp.addTimeSlicing('shared', { replicas: r.dp.replicas });
      if (r.dp.apply) dp.applyTo(new GpuNodePool(c, 'ts-pool', { instanceTypes: [GpuInstanceType.G6_XLARGE], gpuLimit: 4, nodeClassProps: BOUND }), 'shared');
      props.devicePluginConfig = dp;
    }
    return props as GpuOperatorProps;
  }

  test('random settings synthesise a schema-valid ClusterPolicy, and the Helm values agree with it and with the props', () => {
    fc.assert(fc.property(recipe, (r) => {
      const c = chart();
      const props = propsOf(c, r);
      const op = new GpuOperator(c, 'op', props);
      const objs = expectCleanSynth(c);
      const [cp] = ofKind(objs, 'ClusterPolicy');
      const v = op.toHelmValues();
      // One source of truth: the construct's settings, GpuOperatorSettings.of and the ClusterPolicy agree.
      expect(v).toEqual(GpuOperatorSettings.of(props).toHelmValues());
      expect(cp.spec).toEqual(JSON.parse(JSON.stringify(op.settings._clusterPolicySpec())));

      // The model: what each switch resolves to.
      const br = r.nodeImage === GpuAmiFamily.BOTTLEROCKET;
      const strategy = r.migStrategy ?? MigStrategy.MIXED;
      const devicePlugin = r.devicePlugin ?? !br;
      const migManager = r.migManager ?? !br;
      const dcgm = r.dcgmExporter ?? true;
      const sm = dcgm && (r.serviceMonitor ?? true);
      const seconds = r.interval?.[0] ?? 15;
      expect(op.namespace).toBe(r.namespace ?? 'gpu-operator');
      expect(op.migStrategy).toBe(strategy);
      const enabled = {
        driver: false, toolkit: false, devicePlugin, migManager, dcgmExporter: dcgm, gfd: r.gfd ?? true,
      };
      for (const [k, on] of Object.entries(enabled)) {
        expect([k, v[k].enabled]).toEqual([k, on]);
        expect([k, cp.spec[k].enabled]).toEqual([k, on]);
        // An enabled operand carries its image; a disabled one nothing else.
        if (on) expect(cp.spec[k].version).toMatch(/^\S+$/);
        else if (k !== 'devicePlugin' && k !== 'migManager' && k !== 'dcgmExporter') expect(cp.spec[k]).toEqual({ enabled: false });
      }
      expect(v.nfd).toEqual({ enabled: r.nfd ?? true });
      expect(v.mig).toEqual({ strategy: strategy.value });
      expect(cp.spec.mig).toEqual({ strategy: strategy.value });
      const reboot = migManager && (r.migManagerReboot ?? true);
      expect(v.migManager.env).toEqual(reboot ? [{ name: 'WITH_REBOOT', value: 'true' }] : undefined);
      expect(cp.spec.migManager.env).toEqual(reboot ? [{ name: 'WITH_REBOOT', value: 'true' }] : undefined);
      const smSpec = sm
        ? { enabled: true, interval: `${seconds}s`, honorLabels: true, additionalLabels: r.serviceMonitorLabels ?? {} }
        : { enabled: false };
      expect(v.dcgmExporter.serviceMonitor).toEqual(smSpec);
      expect(cp.spec.dcgmExporter.serviceMonitor).toEqual(smSpec);
      expect(v.migManager.config).toEqual(r.mig ? { create: false, name: 'custom-mig-parted-config', default: 'all-disabled' } : undefined);
      expect(cp.spec.migManager.config).toEqual(r.mig ? { name: 'custom-mig-parted-config', default: 'all-disabled' } : undefined);
      expect(v.devicePlugin.config).toEqual(r.dp ? { create: false, name: 'device-plugin-config', default: 'default' } : undefined);
      expect(cp.spec.devicePlugin.config).toEqual(r.dp ? { name: 'device-plugin-config', default: 'default' } : undefined);
      // The ConfigMaps the ClusterPolicy names are in the manifests, in the operator namespace.
      for (const ref of [cp.spec.migManager.config, cp.spec.devicePlugin.config].filter(Boolean)) {
        expect(ofKind(objs, 'ConfigMap').find((o) => o.metadata.name === ref.name)?.metadata.namespace).toBe(op.namespace);
      }
    }), params(RUNS_HEAVY));
  });

  type OpMutation = (p: any, c: Chart) => any;
  const opMutations: fc.Arbitrary<[string, OpMutation]> = fc.oneof(
    fc.constantFrom('driver', 'toolkit').map((k): [string, OpMutation] => [k, (p) => ({ ...p, [k]: true })]),
    fc.constant<[string, OpMutation]>(['devicePlugin', (p) => ({ ...p, nodeImage: GpuAmiFamily.BOTTLEROCKET, devicePlugin: true })]),
    fc.constantFrom<any>('AL2023', 'al2', 'Bottlerocket', 'windows', 5, {}, true)
      .map((nodeImage): [string, OpMutation] => ['nodeImage', (p) => ({ ...p, nodeImage })]),
    fc.constantFrom<any>('mixed', 'single', { value: 'mixed' }, 1, true)
      .map((migStrategy): [string, OpMutation] => ['migStrategy', (p) => ({ ...p, migStrategy })]),
    fc.constantFrom<any>({}, 'custom-mig-parted-config', 5, true)
      .map((migConfig): [string, OpMutation] => ['migConfig', (p) => ({ ...p, migConfig })]),
    fc.constant<[string, OpMutation]>(['migConfig', (p, c) => ({
      ...p, nodeImage: GpuAmiFamily.BOTTLEROCKET, devicePlugin: undefined, migConfig: new MigConfig(c, 'br-mig', { namespace: p.namespace }),
    })]),
    fc.constant<[string, OpMutation]>(['migConfig', (p, c) => ({
      ...p, nodeImage: undefined, migManager: false, migConfig: new MigConfig(c, 'off-mig', { namespace: p.namespace }),
    })]),
    fc.constant<[string, OpMutation]>(['migStrategy', (p, c) => ({
      ...p,
      nodeImage: undefined,
      migManager: undefined,
      migStrategy: MigStrategy.NONE,
      devicePluginConfig: undefined,
      migConfig: new MigConfig(c, 'none-mig', { namespace: p.namespace }),
    })]),
    dnsLabel(30).map((ns): [string, OpMutation] => ['migConfig', (p, c) => ({
      ...p,
      nodeImage: undefined,
      migManager: undefined,
      migStrategy: undefined,
      devicePluginConfig: undefined,
      migConfig: new MigConfig(c, 'ns-mig', { namespace: ns === (p.namespace ?? 'gpu-operator') ? `${ns}x` : ns }),
    })]),
    fc.constantFrom<any>({}, 'device-plugin-config', 5).map((devicePluginConfig): [string, OpMutation] => ['devicePluginConfig', (p) => ({ ...p, devicePluginConfig })]),
    fc.constant<[string, OpMutation]>(['devicePluginConfig', (p, c) => ({
      ...p, nodeImage: undefined, devicePlugin: false, devicePluginConfig: new DevicePluginConfig(c, 'off-dp', { namespace: p.namespace, migStrategy: p.migStrategy }),
    })]),
    fc.constant<[string, OpMutation]>(['devicePluginConfig', (p, c) => ({
      ...p,
      nodeImage: GpuAmiFamily.BOTTLEROCKET,
      devicePlugin: undefined,
      migConfig: undefined,
      devicePluginConfig: new DevicePluginConfig(c, 'br-dp', { namespace: p.namespace, migStrategy: p.migStrategy }),
    })]),
    fc.constant<[string, OpMutation]>(['devicePluginConfig', (p, c) => {
      const op = p.migStrategy ?? MigStrategy.MIXED;
      const other = [MigStrategy.NONE, MigStrategy.SINGLE, MigStrategy.MIXED].find((s) => s !== op)!;
      return { ...p, nodeImage: undefined, devicePlugin: undefined, devicePluginConfig: new DevicePluginConfig(c, 'strategy-dp', { namespace: p.namespace, migStrategy: other }) };
    }]),
    dnsLabel(30).map((ns): [string, OpMutation] => ['devicePluginConfig', (p, c) => ({
      ...p,
      nodeImage: undefined,
      devicePlugin: undefined,
      devicePluginConfig: new DevicePluginConfig(c, 'ns-dp', { namespace: ns === (p.namespace ?? 'gpu-operator') ? `${ns}x` : ns, migStrategy: p.migStrategy }),
    })]),
    fc.constantFrom(Duration.millis(500), Duration.millis(1500), Duration.millis(999), Duration.seconds(0), Duration.seconds(0.5),
      Duration.seconds(NaN), Duration.seconds(Infinity), Duration.minutes(0.01))
      .map((serviceMonitorInterval): [string, OpMutation] => ['serviceMonitorInterval', (p) => ({ ...p, serviceMonitorInterval })]),
  );

  test('one invalid setting throws GpuConfigError naming the construct (or GpuOperatorSettings) and the property', () => {
    const entry = fc.constantFrom('construct', 'settings', 'eks');
    fc.assert(fc.property(recipe, opMutations, entry, (r, [prop, mutate], how) => {
      const c = chart();
      const props = mutate(propsOf(c, r), c);
      if (how === 'construct') expectConfigError(() => new GpuOperator(c, 'op', props), `${c.node.path}/op`, prop);
      else if (how === 'settings') expectConfigError(() => GpuOperatorSettings.of(props), 'GpuOperatorSettings', prop);
      // The EKS stack resolves the same props under its own name and a prefix.
      else expectConfigError(() => GpuOperatorSettings._resolve(props, 'GpuEksCluster', 'gpuOperator.settings.'), 'GpuEksCluster', `gpuOperator.settings.${prop}`);
    }), params(RUNS));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Inputs that break the contract today (failing until the library is fixed). See the report of issue 9.
// ---------------------------------------------------------------------------------------------------------------

/** One input: a label, the expected construct path and property, the call, and whether accepting it is also fine. */
type Case = [string, string | RegExp, string | RegExp, () => unknown, boolean?];

/**
 * Runs every case and fails listing each one that did not throw a proper GpuConfigError (rather than stopping at the
 * first). A case marked `mayPass` may also succeed (null props read as defaults, as GpuNodePool and GpuOperator do).
 */
function expectAllConfigErrors(cases: Case[]): void {
  const bad: string[] = [];
  for (const [label, path, prop, run, mayPass] of cases) {
    try {
      expectConfigError(run, path, prop);
    } catch (e) {
      const message = (e as Error).message;
      if (mayPass && message.includes('nothing was thrown')) continue;
      bad.push(`${label}: ${message.split('\n')[0].slice(0, 200)}`);
    }
  }
  if (bad.length) throw new Error(`${bad.length} of ${cases.length} inputs break the GpuConfigError contract:\n${bad.join('\n')}`);
}

describe('contract violations found by these properties (fail until fixed)', () => {
  test('a construct, a cyclic object, a BigInt or null passed through `as any` throws GpuConfigError, never TypeError', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'pool', { instanceTypes: [GpuInstanceType.P4D_24XLARGE], gpuLimit: 8, nodeClassProps: BOUND });
    const cyclic: any = { name: 'x' };
    cyclic.self = cyclic;
    const A100 = MigGpu.A100_40GB;
    const layout = MigLayout.preset(A100, 'all-1g.5gb');
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('a100', layout);
    const cases: Case[] = [];
    const wrong: Array<[string, any]> = [['a construct', pool], ['a cyclic object', cyclic], ['a BigInt', BigInt(7)]];
    wrong.forEach(([what, v], i) => {
      cases.push(
        [`MigSlice.of count = ${what}`, 'MigSlice.of', /^count/, () => MigSlice.of('1g.5gb', v)],
        [`MigLayout.of gpu = ${what}`, 'MigLayout', 'gpu', () => MigLayout.of(v, [])],
        [`MigLayout.of slices = ${what}`, `MigLayout(${A100.name})`, 'slices', () => MigLayout.of(A100, v)],
        [`MigLayout.of slices[0] = ${what}`, `MigLayout(${A100.name})`, 'slices[0]', () => MigLayout.of(A100, [v])],
        [`MigLayout.fromCounts counts = ${what}`, /^(MigLayout|MigSlice\.of)/, /^(counts|count|slices)/, () => MigLayout.fromCounts(A100, v)],
        [`advertisedResources strategy = ${what}`, `MigLayout(${A100.name})`, 'strategy', () => layout.advertisedResources(v)],
        [`MigDeviceGroup.all layout = ${what}`, 'MigDeviceGroup', 'layout', () => MigDeviceGroup.all(v)],
        [`MigDeviceGroup.devices indices = ${what}`, 'MigDeviceGroup.devices', 'indices', () => MigDeviceGroup.devices(v, layout)],
        [`MigDeviceGroup.devices indices[0] = ${what}`, 'MigDeviceGroup.devices', 'indices', () => MigDeviceGroup.devices([v], layout)],
        [`MigConfig.addConfig groups[0] = ${what}`, cfg.node.path, /^configs\[/, () => cfg.addConfig(`g-${i}`, [v])],
        [`DevicePluginConfig migStrategy = ${what}`, `${c.node.path}/dp-${i}`, 'migStrategy', () => new DevicePluginConfig(c, `dp-${i}`, { migStrategy: v })],
        [`addTimeSlicing replicas = ${what}`, `${c.node.path}/dpr-${i}`, /replicas$/, () => new DevicePluginConfig(c, `dpr-${i}`).addTimeSlicing('k', { replicas: v })],
        [`GpuOperatorSettings nodeImage = ${what}`, 'GpuOperatorSettings', 'nodeImage', () => GpuOperatorSettings.of({ nodeImage: v })],
        [`GpuOperatorSettings migStrategy = ${what}`, 'GpuOperatorSettings', 'migStrategy', () => GpuOperatorSettings.of({ migStrategy: v })],
        [`GpuOperatorSettings serviceMonitorInterval = ${what}`, 'GpuOperatorSettings', 'serviceMonitorInterval', () => GpuOperatorSettings.of({ serviceMonitorInterval: v })],
      );
    });
    cases.push(
      ['new MigConfig(scope, id, null)', `${c.node.path}/null-mig`, /./, () => new MigConfig(c, 'null-mig', null as any), true],
      ['new DevicePluginConfig(scope, id, null)', `${c.node.path}/null-dp`, /./, () => new DevicePluginConfig(c, 'null-dp', null as any), true],
      ['MigConfig.applyTo(pool, name, null)', applyPath(cfg), /./, () => cfg.applyTo(pool, 'a100', null as any), true],
      ['MigConfig.applyTo({ allowedInstanceTypes: "p4d.24xlarge" }, name)', applyPath(cfg), 'pool', () => cfg.applyTo({ allowedInstanceTypes: 'p4d.24xlarge' } as any, 'a100')],
      ['GpuOperatorSettings serviceMonitorInterval = 15', 'GpuOperatorSettings', 'serviceMonitorInterval', () => GpuOperatorSettings.of({ serviceMonitorInterval: 15 as any })],
      ['GpuOperatorSettings serviceMonitorInterval = "15s"', 'GpuOperatorSettings', 'serviceMonitorInterval', () => GpuOperatorSettings.of({ serviceMonitorInterval: '15s' as any })],
    );
    expectAllConfigErrors(cases);
  });

  test('GpuOperatorSettings refuses a namespace that is not a DNS-1123 label (the EKS stack installs the chart there)', () => {
    const bad = fc.oneof(invalidDnsLabel(), dnsLabel(20).map((s) => `${s}.${s}`), fc.constantFrom<any>(5, true, {}, ['gpu-operator']));
    fc.assert(fc.property(bad, (namespace) => {
      expectConfigError(() => GpuOperatorSettings.of({ namespace }), 'GpuOperatorSettings', 'namespace');
      const c = chart();
      expectConfigError(() => new GpuOperator(c, 'op', { namespace }), `${c.node.path}/op`, 'namespace');
    }), params(RUNS));
  });

  test('serviceMonitorLabels with an invalid key or value (or not a string map) are refused', () => {
    const bad = fc.oneof(
      invalidLabelValue().map((v) => ({ release: v })),
      fc.constantFrom('bad key', '-x', 'a/b/c', '', 'x'.repeat(64)).map((k) => ({ [k]: 'x' })),
      fc.constantFrom<any>({ release: 5 }, { release: null }, { release: true }, ['kube-prometheus-stack'], 'release=kps'),
    );
    fc.assert(fc.property(bad, (serviceMonitorLabels) => {
      expectConfigError(() => GpuOperatorSettings.of({ serviceMonitorLabels }), 'GpuOperatorSettings', 'serviceMonitorLabels');
    }), params(RUNS));
  });

  test('boolean props given a non-boolean are refused (not rendered as "false" strings, or read as true)', () => {
    const notBool = fc.constantFrom<any>('false', 'true', 'no', 0, 1, {}, []);
    const opFlags = fc.constantFrom('devicePlugin', 'migManager', 'migManagerReboot', 'dcgmExporter', 'serviceMonitor', 'nfd', 'gfd');
    fc.assert(fc.property(opFlags, notBool, (flag, v) => {
      expectConfigError(() => GpuOperatorSettings.of({ [flag]: v }), 'GpuOperatorSettings', flag);
    }), params(RUNS));
    fc.assert(fc.property(fc.constantFrom('renameByDefault', 'failRequestsGreaterThanOne'), notBool, (flag, v) => {
      const c = chart();
      const dp = new DevicePluginConfig(c, 'dp');
      expectConfigError(() => dp.addTimeSlicing('shared', { replicas: 4, [flag]: v }), `${c.node.path}/dp`, /^configs\["shared"\]/);
    }), params(RUNS));
  });

  test('MigConfig / DevicePluginConfig refuse a non-string name or namespace, and a namespace with a dot', () => {
    const bad = fc.oneof(
      fc.tuple(fc.constant('name'), fc.constantFrom<any>(123, 0, true, ['a'])),
      fc.tuple(fc.constant('namespace'), fc.oneof(fc.constantFrom<any>(12, true, ['a']), dnsLabel(20).map((s) => `${s}.${s}`))),
    );
    fc.assert(fc.property(bad, fc.boolean(), ([prop, v], mig) => {
      const c = chart();
      expectConfigError(() => {
        if (mig) new MigConfig(c, 'cm', { [prop]: v });
        else new DevicePluginConfig(c, 'cm', { [prop]: v });
        expectCleanSynth(c);
      }, `${c.node.path}/cm`, prop);
    }), params(RUNS));
  });

  test('single MIG strategy: the pool\'s nvidia.com/gpu limit counts the advertised instances, so the pool can launch a node and serve nvidia.com/gpu pods', () => {
    fc.assert(fc.property(migPoolSpec(MigStrategy.SINGLE), (spec) => {
      const c = chart();
      const cfg = new MigConfig(c, 'mig');
      const { pool } = buildMigPool(c, cfg, spec, 0);
      cfg.applyTo(pool, spec.configName, { strategy: MigStrategy.SINGLE });
      new GpuOperator(c, 'op', { migConfig: cfg, migStrategy: MigStrategy.SINGLE });
      // Karpenter counts the overlaid capacity against the limits (as time-slicing's applyTo says): a node advertising
      // more nvidia.com/gpu than the limit is never launched.
      const largestNode = Math.max(...spec.types.map((t) => perNode(spec, t, MigStrategy.SINGLE)['nvidia.com/gpu']));
      expect(pool.nodePool.toJson().spec.limits['nvidia.com/gpu']).toBeGreaterThanOrEqual(largestNode);
      new InferenceDeployment(c, 'w', { pools: [pool], gpus: GpuRequest.whole(1), image: 'example.com/server:1' });
      expectCleanSynth(c);
    }), params(RUNS_HEAVY));
  });
});
