/**
 * The NVIDIA GPU models found on the EC2 instance types of the catalog.
 *
 * Data: the `gpu_model`, `karpenter_gpu_name`, `gpu_memory_mib_ec2`, `gpu_memory_gib_per_gpu` and `mig_capable`
 * columns of the project's `gpu-instances.csv` (K1: Karpenter instance-types reference, generated from the EC2 API;
 * M1: AWS EKS MIG guide; model labels explained in `gpu-instances.md` "GPU model column"); compute capabilities from
 * NVIDIA's "CUDA GPU Compute Capability" table (developer.nvidia.com/cuda-gpus; the A10G is an A10, GA102).
 */
import { GpuConfigError } from '../errors';
import { MigGpu } from './mig';
import { closeMatches, normaliseName } from './suggest';

/** Internal constructor input. @internal */
interface GpuModelRow {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly karpenterGpuName: string;
  readonly memoryMiB: number;
  readonly memoryGiB: number;
  readonly migCapable: boolean;
  readonly computeCapability: number;
}

/** Every GpuModel, in declaration order (filled by the statics below). */
const registry: GpuModel[] = [];

/**
 * An NVIDIA GPU model as EC2 reports it. Enum-like: use the statics or `GpuModel.of(name)`.
 */
export class GpuModel {
  /** NVIDIA A100 SXM4 40 GB (p4d). K1 `a100`, 40960 MiB. MIG-capable. */
  public static readonly A100_40GB = GpuModel._make({ name: 'A100-SXM4-40GB', aliases: ['A100-40GB'], karpenterGpuName: 'a100', memoryMiB: 40960, memoryGiB: 40, migCapable: true, computeCapability: 8.0 });
  /** NVIDIA A100 SXM4 80 GB (p4de). K1 `a100`, 81920 MiB. MIG-capable. */
  public static readonly A100_80GB = GpuModel._make({ name: 'A100-SXM4-80GB', aliases: ['A100-80GB'], karpenterGpuName: 'a100', memoryMiB: 81920, memoryGiB: 80, migCapable: true, computeCapability: 8.0 });
  /** NVIDIA H100 SXM5 80 GB (p5). K1 `h100`, 81920 MiB. MIG-capable. */
  public static readonly H100_80GB = GpuModel._make({ name: 'H100-SXM5-80GB', aliases: ['H100-80GB', 'H100'], karpenterGpuName: 'h100', memoryMiB: 81920, memoryGiB: 80, migCapable: true, computeCapability: 9.0 });
  /** NVIDIA H200 141 GB (p5e, p5en). K1 `h200`, 144384 MiB. MIG-capable. */
  public static readonly H200_141GB = GpuModel._make({ name: 'H200-SXM5-141GB', aliases: ['H200-141GB', 'H200'], karpenterGpuName: 'h200', memoryMiB: 144384, memoryGiB: 141, migCapable: true, computeCapability: 9.0 });
  /** NVIDIA B200 180 GB (p6-b200). K1 `b200`, 183359 MiB (179.06 GiB). MIG-capable. */
  public static readonly B200_180GB = GpuModel._make({ name: 'B200-180GB', aliases: ['B200'], karpenterGpuName: 'b200', memoryMiB: 183359, memoryGiB: 179.06, migCapable: true, computeCapability: 10.0 });
  /** NVIDIA B300 (p6-b300). K1 `b300`, 275040 MiB (268.59 GiB). MIG-capable (M1); no MIG table in the reference data. */
  public static readonly B300 = GpuModel._make({ name: 'B300', aliases: [], karpenterGpuName: 'b300', memoryMiB: 275040, memoryGiB: 268.59, migCapable: true, computeCapability: 10.3 });
  /** NVIDIA A10G 24 GB nominal (g5). K1 `a10g`, EC2 reports 22888 MiB. No MIG. */
  public static readonly A10G = GpuModel._make({ name: 'A10G-24GB', aliases: ['A10G'], karpenterGpuName: 'a10g', memoryMiB: 22888, memoryGiB: 22.35, migCapable: false, computeCapability: 8.6 });
  /** NVIDIA L4 24 GB nominal (g6). K1 `l4`, EC2 reports 22888 MiB. No MIG. */
  public static readonly L4 = GpuModel._make({ name: 'L4-24GB', aliases: ['L4'], karpenterGpuName: 'l4', memoryMiB: 22888, memoryGiB: 22.35, migCapable: false, computeCapability: 8.9 });
  /** NVIDIA L40S 48 GB nominal (g6e). K1 `l40s`, EC2 reports 45776 MiB. No MIG. */
  public static readonly L40S = GpuModel._make({ name: 'L40S-48GB', aliases: ['L40S'], karpenterGpuName: 'l40s', memoryMiB: 45776, memoryGiB: 44.7, migCapable: false, computeCapability: 8.9 });
  /** NVIDIA T4 16 GB (g4dn). K1 `t4`, 16384 MiB. No MIG (not in NVIDIA's MIG-supported list). */
  public static readonly T4 = GpuModel._make({ name: 'T4-16GB', aliases: ['T4'], karpenterGpuName: 't4', memoryMiB: 16384, memoryGiB: 16, migCapable: false, computeCapability: 7.5 });

  /** Every model, in catalog order. */
  public static all(): GpuModel[] {
    return [...registry];
  }

  /**
   * The model with this name: the catalog name (`A100-SXM4-40GB`, `H100-SXM5-80GB`, `L40S-48GB`, …), the static's
   * name (`A100_40GB`, `L40S`), a short form (`H200`, `A10G`) or Karpenter's `instance-gpu-name` when it names one
   * model (`h100`, `l40s`; `a100` is ambiguous). Case, `_` and `.` are ignored.
   * @throws GpuConfigError with close matches when unknown or ambiguous
   */
  public static of(name: string): GpuModel {
    const found = GpuModel.tryOf(name);
    if (found) return found;
    const key = normaliseName(String(name));
    const byKarpenter = registry.filter((m) => m.karpenterGpuName === key);
    if (byKarpenter.length > 1) {
      throw new GpuConfigError('GpuModel.of', 'name', `'${name}' is ambiguous: Karpenter calls ${byKarpenter.map((m) => m.name).join(' and ')} '${key}'`,
        `use one of ${byKarpenter.map((m) => m.name).join(', ')}`);
    }
    const close = closeMatches(String(name), registry.flatMap((m) => [m.name, ...m.aliases]), 3, 3);
    throw new GpuConfigError('GpuModel.of', 'name', `'${name}' is not a GPU model of the catalog`,
      `use one of ${registry.map((m) => m.name).join(', ')}${close.length ? ` (closest: ${close.join(', ')})` : ''}`);
  }

  /** Like `of`, but `undefined` when unknown or ambiguous. */
  public static tryOf(name: string): GpuModel | undefined {
    if (typeof name !== 'string') return undefined;
    const key = normaliseName(name);
    return registry.find((m) => normaliseName(m.name) === key || m.aliases.some((a) => normaliseName(a) === key));
  }

  /** @internal */
  private static _make(row: GpuModelRow): GpuModel {
    const m = new GpuModel(row);
    registry.push(m);
    return m;
  }

  /** The model label of the catalog (csv `gpu_model`), e.g. `A100-SXM4-40GB`, `L40S-48GB`. */
  public readonly name: string;
  /** Other names `GpuModel.of` accepts. */
  public readonly aliases: string[];
  /** Karpenter's `karpenter.k8s.aws/instance-gpu-name` value, e.g. `a100`, `h100`, `a10g`, `l40s`. */
  public readonly karpenterGpuName: string;
  /** Karpenter's `karpenter.k8s.aws/instance-gpu-manufacturer` value: `nvidia` for every model here. */
  public readonly manufacturer: string;
  /** Memory per GPU in MiB, as EC2/Karpenter report it (`instance-gpu-memory`). */
  public readonly memoryMiB: number;
  /** Memory per GPU in GiB as EC2 reports it (MiB / 1024, 2 decimals): A10G/L4 22.35, not the marketed 24 GB. */
  public readonly memoryGiB: number;
  /** Whether the GPU supports MIG (NVIDIA MIG User Guide; AWS EKS MIG guide). */
  public readonly migCapable: boolean;
  /**
   * Its CUDA compute capability, major.minor (NVIDIA "CUDA GPU Compute Capability"): 7.5 for the T4, 8.0 for the A100,
   * 8.6 for the A10G, 8.9 for the L4 and L40S, 9.0 for the H100 and H200, 10.0 for the B200, 10.3 for the B300. Kernels
   * and number formats need a minimum: bfloat16 and vLLM's Marlin kernels 8.0.
   */
  public readonly computeCapability: number;
  /**
   * Its MIG profile table.
   * @default - none: not MIG-capable, or (B300) MIG-capable without a profile table in the reference data
   */
  public readonly migGpu?: MigGpu;

  private constructor(row: GpuModelRow) {
    this.name = row.name;
    this.aliases = [...row.aliases];
    this.karpenterGpuName = row.karpenterGpuName;
    this.manufacturer = 'nvidia';
    this.memoryMiB = row.memoryMiB;
    this.memoryGiB = row.memoryGiB;
    this.migCapable = row.migCapable;
    this.computeCapability = row.computeCapability;
    const mig = row.migCapable ? MigGpu.tryOf(row.name) : undefined;
    if (mig) this.migGpu = mig;
  }

  /** The model name. */
  public toString(): string {
    return this.name;
  }
}
