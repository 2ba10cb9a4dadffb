/**
 * MIG (Multi-Instance GPU) profile tables per GPU, as data + lookups.
 *
 * Data: the project's `mig-profiles.json` (NVIDIA MIG User Guide, nvidia-smi outputs, NVIDIA mig-parted,
 * k8s-device-plugin and the AWS EKS MIG guide; per-field sources in `mig-data.ts`). The MIG *construct* of a later
 * issue is called `MigProfile`; this file only describes what each GPU supports.
 *
 * What a layout validator needs is here: per GPU `totalComputeSlices` / `totalMemorySlices`, per profile
 * `computeSlices`, `memorySlices` (the placement size), `maxInstances` and `placementStarts` (valid first memory
 * slices, NVML `nvmlGpuInstancePlacement_t`), plus `MigGpu.placementStartsOf()` which fills unverified placements
 * from the verified GPUs of the same geometry.
 */
import { GpuConfigError } from '../errors';
import { MIG_GPU_ROWS, MIG_MANAGER_CONFIG_NAMES, MigGpuRow, MigProfileRow } from './mig-data';
import { closeMatches, normaliseName } from './suggest';

/**
 * One MIG profile (GPU-instance profile) of one GPU model.
 *
 * Values as published by NVIDIA (see `sources`); `memoryGb` is the nominal size in the profile name.
 */
export interface MigProfileSpec {
  /** The GPU this profile belongs to (`MigGpu.name`), e.g. `A100-SXM4-40GB`. */
  readonly gpu: string;
  /** The profile name as nvidia-smi and mig-parted spell it, e.g. `1g.10gb` or `1g.10gb+me`. */
  readonly name: string;
  /**
   * The extended resource the NVIDIA device plugin advertises for it with `migStrategy: mixed`, e.g.
   * `nvidia.com/mig-1g.10gb` (`+` becomes `.`: `nvidia.com/mig-1g.10gb.me`). With `migStrategy: single` every MIG
   * device is advertised as `nvidia.com/gpu` instead.
   */
  readonly resourceName: string;
  /** Compute slices (the `<N>g` prefix): 1/7 of the SMs each on 7-slice GPUs, 1/4 on A30. */
  readonly computeSlices: number;
  /** Memory slices the instance occupies (its placement size): 1/8 each on 7-slice GPUs, 1/4 on A30. */
  readonly memorySlices: number;
  /** Nominal memory in GB, as in the profile name. */
  readonly memoryGb: number;
  /** How many instances of this profile alone fit on one GPU. */
  readonly maxInstances: number;
  /**
   * Valid start indices (first occupied memory slice) from `nvidia-smi mig -lgipp`.
   * @default - not verified for this GPU; see `MigGpu.placementStartsOf` for the inferred value
   */
  readonly placementStarts?: number[];
  /**
   * The GPU-instance profile ID shown by `nvidia-smi mig -lgip` (usable with `nvidia-smi mig -cgi`).
   * @default - no nvidia-smi output found for this GPU
   */
  readonly nvidiaSmiProfileId?: number;
  /** True for the `+me` (media extensions: NVDEC/JPEG/OFA) variant, which allows one instance per GPU. */
  readonly mediaExtensions: boolean;
  /**
   * Copy engines, as published by NVIDIA.
   * @default - not published
   */
  readonly copyEngines?: number;
  /**
   * The NVIDIA-published fraction of memory, e.g. `1/8` or `Full` (one A100 cell disagrees with -lgipp; see `note`).
   * @default - not published
   */
  readonly publishedFractionOfMemory?: string;
  /**
   * The NVIDIA-published fraction of SMs, e.g. `3/7`.
   * @default - not published
   */
  readonly publishedFractionOfSms?: string;
  /**
   * The NVIDIA-published media units, e.g. `1 NVDEC /0 JPEG /0 OFA`.
   * @default - not published
   */
  readonly publishedHardwareUnits?: string;
  /**
   * The MIG Manager (mig-parted) default config that fills every GPU with this profile (`nvidia.com/mig.config`
   * label value), e.g. `all-1g.10gb`; it creates `maxInstances` instances per GPU.
   * @default - no default config does
   */
  readonly migManagerConfig?: string;
  /** Source codes for the values (see mig-profiles.json `sources`), e.g. `NV-PROFILES`. */
  readonly sources: string[];
  /**
   * Caveats about the values, as recorded in the reference data.
   * @default - none
   */
  readonly note?: string;
}

/** Friendly names accepted by `MigGpu.of`, per GPU (beyond the json name; matching ignores case and `_`/`.`/space). */
const ALIASES: Record<string, string[]> = {
  'A100-SXM4-40GB': ['A100-40GB', 'A100-PCIE-40GB'],
  'A100-SXM4-80GB': ['A100-80GB', 'A100-PCIE-80GB'],
  'H100-80GB (SXM5 and PCIe)': ['H100-80GB', 'H100-SXM5-80GB', 'H100-PCIE-80GB'],
  'H100-94GB (H100 NVL; PCIe and SXM5 94GB)': ['H100-94GB', 'H100-NVL', 'H800-NVL'],
  'H100-96GB (H100 on GH200)': ['H100-96GB'],
  'H200-141GB': ['H200', 'H200-SXM5', 'H200-SXM5-141GB', 'H200-NVL'],
  'B200-180GB': ['B200'],
  'A30-24GB': ['A30'],
};

function cleanInstanceType(s: string): string {
  // mig-profiles.json annotates some entries, e.g. 'p5.4xlarge (H100; not listed in the AWS EKS MIG table)'.
  return s.split(' ')[0];
}

/** Every MigGpu, in declaration order (filled by the statics below). */
const registry: MigGpu[] = [];

/**
 * One MIG-capable GPU and its MIG profile table (from the project's `mig-profiles.json`).
 *
 * Enum-like: use the statics or `MigGpu.of(name)`.
 */
export class MigGpu {
  /** NVIDIA A100 40GB (p4d.24xlarge). Placements verified (NVIDIA MIG User Guide -lgipp output). */
  public static readonly A100_40GB = MigGpu._make('A100-SXM4-40GB');
  /** NVIDIA A100 80GB (p4de.24xlarge). IDs and placements carried over from A100-40GB (not verified). */
  public static readonly A100_80GB = MigGpu._make('A100-SXM4-80GB');
  /** NVIDIA H100 80GB, SXM5 and PCIe (p5.48xlarge, p5.4xlarge). Placements verified (public nvidia-smi output). */
  public static readonly H100_80GB = MigGpu._make('H100-80GB (SXM5 and PCIe)');
  /** NVIDIA H100 94GB (H100 NVL). Not offered by EC2. Placements verified. */
  public static readonly H100_94GB = MigGpu._make('H100-94GB (H100 NVL; PCIe and SXM5 94GB)');
  /** NVIDIA H100 96GB (H100 on GH200). Not offered by EC2. Placements not verified. */
  public static readonly H100_96GB = MigGpu._make('H100-96GB (H100 on GH200)');
  /** NVIDIA H200 141GB (p5e.48xlarge, p5en.48xlarge). Placements not verified. */
  public static readonly H200_141GB = MigGpu._make('H200-141GB');
  /** NVIDIA B200 180GB (p6-b200.48xlarge). Placements not verified. */
  public static readonly B200_180GB = MigGpu._make('B200-180GB');
  /** NVIDIA A30 24GB (4 compute / 4 memory slices). Not offered by EC2. Placements verified. */
  public static readonly A30_24GB = MigGpu._make('A30-24GB');

  /** Every GPU, in mig-profiles.json order. */
  public static all(): MigGpu[] {
    return [...registry];
  }

  /**
   * The GPU with this name: the json `gpu` name (e.g. `H100-80GB (SXM5 and PCIe)`) or an alias such as
   * `A100-40GB`, `A100-80GB`, `H100-80GB`, `H100-SXM5-80GB`, `H200`, `H200-141GB`, `B200`, `A30` (case, `_` and `.`
   * ignored, so `a100.40gb` works too).
   * @throws GpuConfigError listing the valid names when unknown
   */
  public static of(name: string): MigGpu {
    const found = MigGpu.tryOf(name);
    if (found) return found;
    const names = registry.map((g) => g.aliases[0] ?? g.name);
    // 'H100' names three tables (80/94/96 GB): suggest every GPU one of whose names starts with the input, else the
    // closest by edit distance.
    const key = normaliseName(String(name));
    const byPrefix = key.length >= 2
      ? registry.filter((g) => [g.name, ...g.aliases].some((n) => normaliseName(n).startsWith(key))).map((g) => g.aliases[0] ?? g.name)
      : [];
    const close = byPrefix.length > 0 ? byPrefix : closeMatches(String(name), names, 2, 3);
    throw new GpuConfigError('MigGpu.of', 'name', `'${name}' is not a GPU with a known MIG profile table`,
      `use one of ${names.join(', ')}${close.length ? ` (closest: ${close.join(', ')})` : ''}`);
  }

  /** Like `of`, but `undefined` when unknown. */
  public static tryOf(name: string): MigGpu | undefined {
    if (typeof name !== 'string') return undefined;
    const key = normaliseName(name);
    return registry.find((g) => normaliseName(g.name) === key || g.aliases.some((a) => normaliseName(a) === key));
  }

  /**
   * The MIG Manager (mig-parted) default config names, in file order (81 names, e.g. `all-disabled`, `all-1g.10gb`,
   * `all-balanced`): the values the `nvidia.com/mig.config` node label may take without a custom config. Source:
   * NVIDIA/mig-parted v0.15.0 `deployments/systemd/config-default.yaml` (e2d5ad1f), identical to the GPU Operator
   * v26.7.0 ConfigMap `default-mig-parted-config`. Also exported as `MIG_MANAGER_DEFAULT_CONFIGS` for TypeScript.
   */
  public static managerDefaultConfigs(): string[] {
    return [...MIG_MANAGER_CONFIG_NAMES];
  }

  /** @internal */
  private static _make(gpu: string): MigGpu {
    const row = MIG_GPU_ROWS.find((r) => r.gpu === gpu);
    if (!row) throw new Error(`internal: no MIG row for ${gpu}`);
    const g = new MigGpu(row);
    registry.push(g);
    return g;
  }

  /** The GPU name as in mig-profiles.json, e.g. `A100-SXM4-40GB` or `H100-80GB (SXM5 and PCIe)`. */
  public readonly name: string;
  /** Other names `MigGpu.of` accepts, the shortest first, e.g. `['H100-80GB', 'H100-SXM5-80GB', 'H100-PCIE-80GB']`. */
  public readonly aliases: string[];
  /** Other products NVIDIA documents with the same table, as noted in the reference data. */
  public readonly alsoAppliesTo: string[];
  /** EC2 instance types with this GPU (e.g. `['p5.48xlarge', 'p5.4xlarge']`); empty when EC2 offers none. */
  public readonly awsInstanceTypes: string[];
  /** Compute slices per GPU: 7 (A100/H100/H200/B200) or 4 (A30). */
  public readonly totalComputeSlices: number;
  /** Memory slices per GPU: 8 (A100/H100/H200/B200) or 4 (A30). */
  public readonly totalMemorySlices: number;
  /** Whether `placementStarts` come from real `nvidia-smi mig -lgipp` output for this GPU. */
  public readonly placementsVerified: boolean;
  /** Where the placements come from, or why they are missing. */
  public readonly placementsBasis: string;
  /** The profiles, in NVIDIA's table order (smallest first). */
  public readonly profiles: MigProfileSpec[];

  private constructor(row: MigGpuRow) {
    this.name = row.gpu;
    this.aliases = [...(ALIASES[row.gpu] ?? [])];
    this.alsoAppliesTo = [...row.alsoAppliesTo];
    this.awsInstanceTypes = row.awsInstanceTypes.map(cleanInstanceType);
    this.totalComputeSlices = row.totalComputeSlices;
    this.totalMemorySlices = row.totalMemorySlices;
    this.placementsVerified = row.placementsVerified;
    this.placementsBasis = row.placementsBasis;
    this.profiles = row.profiles.map((p) => Object.freeze(toSpec(row.gpu, p)));
  }

  /**
   * The profile with this name: `1g.10gb`, `1g.10gb+me`, the mig-parted/k8s spelling `1g.10gb.me`, or the mixed
   * strategy resource `nvidia.com/mig-1g.10gb`.
   * @throws GpuConfigError naming the GPU and listing its profiles when unknown
   */
  public profile(name: string): MigProfileSpec {
    const found = this.tryProfile(name);
    if (found) return found;
    const close = closeMatches(String(name), this.profiles.map((p) => p.name), 2, 3);
    throw new GpuConfigError(`MigGpu(${this.name})`, 'profile', `'${name}' is not a MIG profile of ${this.name}`,
      `use one of ${this.profiles.map((p) => p.name).join(', ')}${close.length ? ` (closest: ${close.join(', ')})` : ''}`);
  }

  /** Like `profile`, but `undefined` when unknown. */
  public tryProfile(name: string): MigProfileSpec | undefined {
    if (typeof name !== 'string') return undefined;
    let key = name.trim().toLowerCase();
    if (key.startsWith('nvidia.com/mig-')) key = key.slice('nvidia.com/mig-'.length);
    return this.profiles.find((p) => p.name.toLowerCase() === key || p.name.toLowerCase().replace('+', '.') === key);
  }

  /**
   * Valid placement starts for a profile: the verified `placementStarts`, or — where the reference data has none —
   * those of a verified GPU with the same slice totals and a profile of the same compute and memory slices. Every
   * `-lgipp` output found (A100-40GB, H100-80GB, H100 NVL) shows the same pattern per geometry, which NVIDIA's
   * diagrams for H200/B200 agree with; the inferred value is still an assumption (check `placementsVerified`).
   * @throws GpuConfigError when the profile is unknown or no verified geometry matches
   */
  public placementStartsOf(profile: string): number[] {
    const p = this.profile(profile);
    if (p.placementStarts) return [...p.placementStarts];
    for (const g of registry) {
      if (!g.placementsVerified || g.totalComputeSlices !== this.totalComputeSlices
        || g.totalMemorySlices !== this.totalMemorySlices) continue;
      const twin = g.profiles.find((q) => q.computeSlices === p.computeSlices && q.memorySlices === p.memorySlices
        && q.placementStarts !== undefined);
      if (twin) return [...twin.placementStarts!];
    }
    throw new GpuConfigError(`MigGpu(${this.name})`, 'profile', `'${p.name}' has no verified or inferable placements`,
      'supply placements from `nvidia-smi mig -lgipp` on this GPU');
  }

  /** The GPU name. */
  public toString(): string {
    return this.name;
  }
}

function toSpec(gpu: string, p: MigProfileRow): MigProfileSpec {
  const config = `all-${p.name.replace('+', '.')}`;
  return {
    gpu,
    name: p.name,
    resourceName: p.resourceName,
    computeSlices: p.computeSlices,
    memorySlices: p.memorySlices,
    memoryGb: p.memoryGb,
    maxInstances: p.maxInstances,
    ...(p.placementStarts ? { placementStarts: [...p.placementStarts] } : {}),
    ...(p.nvidiaSmiProfileId !== undefined ? { nvidiaSmiProfileId: p.nvidiaSmiProfileId } : {}),
    mediaExtensions: p.name.includes('+me'),
    ...(p.copyEngines !== undefined ? { copyEngines: p.copyEngines } : {}),
    ...(p.fractionOfMemory !== undefined ? { publishedFractionOfMemory: p.fractionOfMemory } : {}),
    ...(p.fractionOfSms !== undefined ? { publishedFractionOfSms: p.fractionOfSms } : {}),
    ...(p.hardwareUnits !== undefined ? { publishedHardwareUnits: p.hardwareUnits } : {}),
    ...(MIG_MANAGER_CONFIG_NAMES.includes(config) ? { migManagerConfig: config } : {}),
    sources: [...p.sources],
    ...(p.note !== undefined ? { note: p.note } : {}),
  };
}

/**
 * The MIG Manager (mig-parted) default config names (TypeScript convenience; other languages use
 * `MigGpu.managerDefaultConfigs()`). NVIDIA/mig-parted v0.15.0 `deployments/systemd/config-default.yaml`.
 */
export const MIG_MANAGER_DEFAULT_CONFIGS: readonly string[] = MIG_MANAGER_CONFIG_NAMES;

/**
 * Node label keys around MIG, as set or read by the NVIDIA GPU Operator, MIG Manager and GPU Feature Discovery
 * (sources: NVIDIA/mig-parted v0.15.0, gpu-operator v26.7.0, k8s-device-plugin v0.20.0 GFD README; see
 * mig-profiles.md "Kubernetes: strategies, resources, labels").
 */
export class MigLabels {
  /** Desired mig-parted config, watched by MIG Manager (values: `MigGpu.managerDefaultConfigs()` or a custom config). */
  public static readonly CONFIG = 'nvidia.com/mig.config';
  /** Written by MIG Manager: one of `CONFIG_STATES`. */
  public static readonly CONFIG_STATE = 'nvidia.com/mig.config.state';
  /** The values MIG Manager writes to `CONFIG_STATE`. */
  public static readonly CONFIG_STATES: string[] = ['pending', 'rebooting', 'success', 'failed'];
  /** `true`/`false`, set by the device plugin / GFD. */
  public static readonly CAPABLE = 'nvidia.com/mig.capable';
  /** `single` or `mixed`, set by GFD. */
  public static readonly STRATEGY = 'nvidia.com/mig.strategy';
  /** GPU product (GFD); with the single strategy it gets a `-MIG-<profile>` suffix, e.g. `A100-SXM4-40GB-MIG-1g.5gb`. */
  public static readonly GPU_PRODUCT = 'nvidia.com/gpu.product';
  /** The GPU Operator's default MIG Manager config (Helm `migManager.config.default`), which it labels MIG-capable nodes with. */
  public static readonly DEFAULT_CONFIG = 'all-disabled';

  private constructor() {}
}
