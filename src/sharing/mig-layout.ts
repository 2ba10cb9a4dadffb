/**
 * MIG layouts: how one GPU is cut into MIG instances, validated against the GPU's profile table.
 *
 * A layout is a *value* (`MigLayout`) for one GPU model; the mig-parted ConfigMap that the GPU Operator's MIG manager
 * reads is a *construct* (`MigConfig`, mig-config.ts) holding any number of named configs, each a list of device
 * groups with a layout. The split exists because one cluster has one MIG manager ConfigMap (ClusterPolicy
 * `migManager.config.name`) but many layouts, and a layout is reused across configs and device groups.
 *
 * Validation (data: the project's `mig-profiles.json`, via `MigGpu` in src/catalog):
 * - the profile exists for that GPU (the error names the GPU and lists its profiles);
 * - each profile stays within its `maxInstances`, and at most one `+me` (media extensions) instance per GPU;
 * - compute slices add up to at most `totalComputeSlices` (7; 4 on A30), memory slices to at most `totalMemorySlices`;
 * - a real placement exists: every instance gets a start from the profile's valid placement starts
 *   (`nvidia-smi mig -lgipp`, NVML `nvmlGpuInstancePlacement_t`: start = first memory slice, size = memory slices)
 *   with no two instances sharing a memory slice. Sums alone are not enough: `4g.20gb` may only start at slice 0.
 */
import { MigGpu, MigProfileSpec } from '../catalog';
import { GpuConfigError } from '../errors';
import { describeValue, isPlainObject } from '../private/describe';
import { findMigPlacement } from './private/placement';
import { MigStrategy } from './strategy';

/** A profile and how many instances of it one GPU gets, e.g. `MigSlice.of('1g.10gb', 7)`. */
export class MigSlice {
  /**
   * `count` instances of `profile` per GPU.
   * @param profile the profile as nvidia-smi and mig-parted spell it, e.g. `1g.10gb`, `3g.40gb`, `1g.10gb+me`
   * @param count instances per GPU (a whole number ≥ 1)
   */
  public static of(profile: string, count: number = 1): MigSlice {
    if (typeof profile !== 'string' || profile.trim() === '') {
      throw new GpuConfigError('MigSlice.of', 'profile', `is ${describeValue(profile)}, not a MIG profile name`, 'write e.g. \'1g.10gb\'');
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new GpuConfigError('MigSlice.of', `count (${profile})`, `is ${describeValue(count)}, not a whole number of instances ≥ 1`,
        'give how many instances of the profile each GPU gets, e.g. 7 for 1g.10gb');
    }
    return new MigSlice(profile.trim(), count);
  }

  /** The profile name as written. */
  public readonly profile: string;
  /** Instances per GPU. */
  public readonly count: number;

  private constructor(profile: string, count: number) {
    this.profile = profile;
    this.count = count;
  }

  /** `1g.10gb×7`. */
  public toString(): string {
    return `${this.profile}×${this.count}`;
  }
}

/** Where one MIG instance sits on the GPU: its first memory slice and how many it occupies. */
export interface MigPlacement {
  /** The profile, as named in the GPU's table (e.g. `1g.10gb`). */
  readonly profile: string;
  /** First occupied memory slice (NVML placement `start`). */
  readonly start: number;
  /** Memory slices occupied (NVML placement `size`). */
  readonly size: number;
}

/**
 * The `all-balanced` config of mig-parted v0.15.0 `deployments/systemd/config-default.yaml` (e2d5ad1f), per GPU of
 * our MIG table (profile → instances per GPU). H100-96GB (GH200) has no row in that file under these profile names.
 */
const ALL_BALANCED: Record<string, Record<string, number>> = {
  'A100-SXM4-40GB': { '1g.5gb': 2, '2g.10gb': 1, '3g.20gb': 1 },
  'A100-SXM4-80GB': { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 },
  'H100-80GB (SXM5 and PCIe)': { '1g.10gb': 2, '2g.20gb': 1, '3g.40gb': 1 },
  'H100-94GB (H100 NVL; PCIe and SXM5 94GB)': { '1g.12gb': 2, '2g.24gb': 1, '3g.47gb': 1 },
  'H200-141GB': { '1g.18gb': 2, '2g.35gb': 1, '3g.71gb': 1 },
  'B200-180GB': { '1g.23gb': 2, '2g.45gb': 1, '3g.90gb': 1 },
  'A30-24GB': { '1g.6gb': 2, '2g.12gb': 1 },
};

/**
 * How one GPU of a given model is cut into MIG instances, validated against its profile table (see the file
 * comment). Build it from slices (`MigLayout.of`), from a `{ profile: count }` map (`MigLayout.fromCounts`), from a
 * mig-parted default config name (`MigLayout.preset`) or as MIG off (`MigLayout.disabled`).
 */
export class MigLayout {
  /**
   * A layout from slices, e.g. `MigLayout.of(MigGpu.A100_40GB, [MigSlice.of('3g.20gb'), MigSlice.of('2g.10gb'), MigSlice.of('1g.5gb', 2)])`.
   * @throws GpuConfigError when a profile is unknown for the GPU, over its max instances, the slices do not add up, or
   * no real placement exists
   */
  public static of(gpu: MigGpu, slices: MigSlice[]): MigLayout {
    return new MigLayout(checkGpu(gpu), slices, true);
  }

  /**
   * A layout from profile counts, e.g. `MigLayout.fromCounts(MigGpu.A100_80GB, { '1g.10gb': 7 })` (the `mig-devices`
   * map of mig-parted).
   */
  public static fromCounts(gpu: MigGpu, counts: { [profile: string]: number }): MigLayout {
    if (!isPlainObject(counts)) {
      throw new GpuConfigError(`MigLayout(${checkGpu(gpu).name})`, 'counts', `is ${describeValue(counts)}, not a map of profile to count`,
        'write e.g. { \'1g.10gb\': 7 }');
    }
    return MigLayout.of(gpu, Object.entries(counts).map(([p, n]) => MigSlice.of(p, n)));
  }

  /**
   * A mig-parted default config for this GPU: `all-disabled`, `all-enabled` (MIG on, no instances), `all-balanced`,
   * or `all-<profile>` (`all-1g.10gb`, `all-3g.40gb`, `all-1g.10gb.me`, …: the profile × its max instances). Counts
   * are those of mig-parted v0.15.0 `config-default.yaml`, which the GPU Operator ships as `default-mig-parted-config`.
   */
  public static preset(gpu: MigGpu, name: string): MigLayout {
    const g = checkGpu(gpu);
    const where = `MigLayout(${g.name})`;
    if (name === 'all-disabled') return MigLayout.disabled(g);
    if (name === 'all-enabled') return new MigLayout(g, [], true, name);
    if (name === 'all-balanced') {
      const row = ALL_BALANCED[g.name];
      if (!row) {
        throw new GpuConfigError(where, 'preset', `all-balanced has no entry for ${g.name} in mig-parted's default config`,
          'give the slices explicitly with MigLayout.of');
      }
      return new MigLayout(g, Object.entries(row).map(([p, n]) => MigSlice.of(p, n)), true, name);
    }
    const spec = g.profiles.find((p) => p.migManagerConfig === name);
    if (!spec) {
      const names = ['all-disabled', 'all-enabled', ...(ALL_BALANCED[g.name] ? ['all-balanced'] : []),
        ...g.profiles.filter((p) => p.migManagerConfig).map((p) => p.migManagerConfig!)];
      throw new GpuConfigError(where, 'preset', `${typeof name === 'string' ? `'${name}'` : describeValue(name)} is not a mig-parted default config for ${g.name}`, `use one of ${names.join(', ')}`);
    }
    return new MigLayout(g, [MigSlice.of(spec.name, spec.maxInstances)], true, name);
  }

  /** MIG mode off (the whole GPU, advertised as `nvidia.com/gpu`). */
  public static disabled(gpu: MigGpu): MigLayout {
    return new MigLayout(checkGpu(gpu), [], false, 'all-disabled');
  }

  /** The GPU model. */
  public readonly gpu: MigGpu;
  /** Whether MIG mode is on. */
  public readonly migEnabled: boolean;
  /** The instances per GPU, one entry per profile, profile names as in the GPU's table. */
  public readonly slices: MigSlice[];
  /** Where each instance sits (memory-slice start and size), sorted by start; empty when MIG is off. */
  public readonly placements: MigPlacement[];
  /** Compute slices used (of `gpu.totalComputeSlices`). */
  public readonly computeSlicesUsed: number;
  /** Memory slices used (of `gpu.totalMemorySlices`). */
  public readonly memorySlicesUsed: number;
  /**
   * False when the placements rest on starts inferred from GPUs of the same geometry (H200, B200, A100-80GB,
   * H100-96GB: NVIDIA publishes their placements only as diagrams).
   */
  public readonly placementsVerified: boolean;
  /**
   * The mig-parted default config this layout equals, when built with `preset`.
   * @default - built from slices
   */
  public readonly presetName?: string;

  private constructor(gpu: MigGpu, slices: MigSlice[], migEnabled: boolean, presetName?: string) {
    const where = `MigLayout(${gpu.name})`;
    if (!Array.isArray(slices)) {
      throw new GpuConfigError(where, 'slices', `is ${describeValue(slices)}, not a list`, 'pass e.g. [MigSlice.of(\'1g.10gb\', 7)]');
    }
    const valid = gpu.profiles.map((p) => p.name).join(', ');
    const specs: Array<{ spec: MigProfileSpec; count: number }> = [];
    slices.forEach((s, i) => {
      if (!(s instanceof MigSlice)) {
        throw new GpuConfigError(where, `slices[${i}]`, `is ${describeValue(s)}, not a MigSlice`, 'use MigSlice.of(profile, count)');
      }
      const spec = gpu.tryProfile(s.profile);
      if (!spec) {
        throw new GpuConfigError(where, `slices[${i}]`, `names the profile '${s.profile}', which ${gpu.name} does not have`,
          `use one of the ${gpu.name} profiles: ${valid}`);
      }
      if (specs.some((x) => x.spec === spec)) {
        throw new GpuConfigError(where, `slices[${i}]`, `repeats the profile ${spec.name}`, `give each profile once with its total count, e.g. MigSlice.of('${spec.name}', n)`);
      }
      if (s.count > spec.maxInstances) {
        const starts = gpu.placementStartsOf(spec.name);
        throw new GpuConfigError(where, `slices[${i}]`, `asks for ${s.count} × ${spec.name}, but one ${gpu.name} holds at most ${spec.maxInstances} ${spec.name} instance(s) (it spans ${spec.memorySlices} memory slice(s) and starts only at memory slice ${starts.join('/')})`,
          `use at most ${spec.maxInstances} × ${spec.name} (mig-parted config ${spec.migManagerConfig ?? 'with that profile'}), or a smaller profile`);
      }
      specs.push({ spec, count: s.count });
    });
    const summary = specs.map((x) => `${x.count} × ${x.spec.name}`).join(' + ');
    const me = specs.filter((x) => x.spec.mediaExtensions).reduce((a, x) => a + x.count, 0);
    if (me > 1) {
      throw new GpuConfigError(where, 'slices', `${summary} has ${me} media-extension (+me) instances; a GPU allows one`, 'keep a single +me instance');
    }
    const compute = specs.reduce((a, x) => a + x.count * x.spec.computeSlices, 0);
    const memory = specs.reduce((a, x) => a + x.count * x.spec.memorySlices, 0);
    if (compute > gpu.totalComputeSlices) {
      throw new GpuConfigError(where, 'slices', `${summary} needs ${compute} compute slices, but ${gpu.name} has ${gpu.totalComputeSlices}`,
        `drop instances until the compute slices (the <N>g prefixes) add up to at most ${gpu.totalComputeSlices}`);
    }
    if (memory > gpu.totalMemorySlices) {
      throw new GpuConfigError(where, 'slices', `${summary} needs ${memory} memory slices, but ${gpu.name} has ${gpu.totalMemorySlices}`,
        `drop instances until the memory slices add up to at most ${gpu.totalMemorySlices} (e.g. ${gpu.profiles.filter((p) => p.memorySlices === 2 && p.computeSlices === 1).map((p) => p.name).join(', ') || 'double-memory 1g profiles'} take 2 each)`);
    }
    const instances: MigProfileSpec[] = [];
    for (const x of specs) for (let k = 0; k < x.count; k++) instances.push(x.spec);
    const search = findMigPlacement(gpu, instances);
    if (!search.placements) {
      const startsOf = specs.map((x) => `${x.spec.name} starts at memory slice ${gpu.placementStartsOf(x.spec.name).join('/')} and spans ${x.spec.memorySlices}`);
      throw new GpuConfigError(where, 'slices', `${summary} has no valid MIG placement on ${gpu.name} (the sums fit, but ${search.stuck} finds no free start: ${startsOf.join('; ')})`,
        `choose instances that fit the placement rules, e.g. ${ALL_BALANCED[gpu.name] ? Object.entries(ALL_BALANCED[gpu.name]).map(([p, n]) => `${n} × ${p}`).join(' + ') : 'one profile × its max instances'}`);
    }
    this.gpu = gpu;
    this.migEnabled = migEnabled;
    this.slices = specs.map((x) => MigSlice.of(x.spec.name, x.count));
    this.placements = search.placements;
    this.computeSlicesUsed = compute;
    this.memorySlicesUsed = memory;
    this.placementsVerified = gpu.placementsVerified;
    if (presetName !== undefined) this.presetName = presetName;
  }

  /** `mig-devices` as mig-parted writes it: profile → instances per GPU (empty when MIG is off or no instances). */
  public migDevices(): { [profile: string]: number } {
    const out: { [profile: string]: number } = {};
    for (const s of this.slices) out[s.profile] = s.count;
    return out;
  }

  /**
   * The profile every instance uses when the layout is homogeneous (one profile), as the device plugin's `single`
   * MIG strategy requires.
   * @default - undefined for mixed layouts, no instances or MIG off
   */
  public get singleProfile(): string | undefined {
    return this.migEnabled && this.slices.length === 1 ? this.slices[0].profile : undefined;
  }

  /**
   * Extended resources one GPU with this layout advertises through the NVIDIA device plugin: with `mixed`,
   * `nvidia.com/mig-<profile>` per profile (`+` becomes `.`) and `nvidia.com/gpu` = 0; with `single`, `nvidia.com/gpu`
   * = instances (homogeneous layouts only); with MIG off, `nvidia.com/gpu` = 1.
   * @param strategy the device plugin's MIG strategy: `MIXED` or `SINGLE`
   */
  public advertisedResources(strategy: MigStrategy): { [resource: string]: number } {
    if (strategy !== MigStrategy.MIXED && strategy !== MigStrategy.SINGLE) {
      throw new GpuConfigError(`MigLayout(${this.gpu.name})`, 'strategy', `is ${strategy instanceof MigStrategy ? strategy.value : describeValue(strategy)}, not single or mixed`, 'use MigStrategy.MIXED or MigStrategy.SINGLE');
    }
    if (!this.migEnabled) return { 'nvidia.com/gpu': 1 };
    if (strategy === MigStrategy.SINGLE) {
      const only = this.singleProfile;
      if (only === undefined) {
        throw new GpuConfigError(`MigLayout(${this.gpu.name})`, 'slices', `${this.toString()} is not one profile, which the single MIG strategy requires`,
          'use the mixed strategy, or one profile for every instance');
      }
      return { 'nvidia.com/gpu': this.slices[0].count };
    }
    const out: { [resource: string]: number } = { 'nvidia.com/gpu': 0 };
    for (const s of this.slices) out[this.gpu.profile(s.profile).resourceName] = s.count;
    return out;
  }

  /** `A100-SXM4-40GB: 1g.5gb×7`, `…: MIG disabled`. */
  public toString(): string {
    if (!this.migEnabled) return `${this.gpu.name}: MIG disabled`;
    return `${this.gpu.name}: ${this.slices.length ? this.slices.map((s) => s.toString()).join(' + ') : 'MIG enabled, no instances'}`;
  }
}

function checkGpu(gpu: MigGpu): MigGpu {
  if (!(gpu instanceof MigGpu)) {
    throw new GpuConfigError('MigLayout', 'gpu', `is ${describeValue(gpu)}, not a MigGpu`,
      `pass MigGpu.of('A100-40GB') or a static such as MigGpu.H100_80GB (known: ${MigGpu.all().map((g) => g.aliases[0] ?? g.name).join(', ')})`);
  }
  return gpu;
}
