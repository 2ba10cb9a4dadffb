/**
 * EC2 GPU instance types as data + lookups (no cdk8s code).
 *
 * Data: `instance-data.ts`, embedded from the project's `gpu-instances.csv` (sources K1 Karpenter instance-types
 * reference, K2 Karpenter price table, M1 AWS EKS MIG guide, N-* NVLink sources; see that file). Ask this catalog
 * instead of matching name prefixes: it knows p5/p6/g6e and fails loudly on an unknown type.
 */
import { GpuConfigError } from '../errors';
import { GpuModel } from './gpu-model';
import { INSTANCE_ROWS, InstanceRow, NON_GPU_FAMILIES, UNCOVERED_ACCELERATOR_FAMILIES } from './instance-data';
import { closeMatches } from './suggest';

/**
 * What Karpenter reports as allocatable on a node of one instance type (Karpenter instance-types reference
 * "Resources" table, karpenter-provider-aws @ 1d927085, computed for the AL2023 AMI family without custom
 * `blockDeviceMappings`, default kubelet reservations and the VPC CNI's max pods).
 */
export interface KarpenterAllocatable {
  /** Allocatable CPU in millicores, e.g. 191450 for p5.48xlarge. */
  readonly cpuMillis: number;
  /** Allocatable memory in MiB (after the VM overhead and kubelet/system reservations). */
  readonly memoryMiB: number;
  /** Allocatable ephemeral storage in GiB with the default root volume. */
  readonly ephemeralStorageGiB: number;
  /** Maximum pods. */
  readonly pods: number;
  /** `nvidia.com/gpu` (equals the GPU count). */
  readonly nvidiaGpu: number;
  /** `vpc.amazonaws.com/efa` interfaces (0 when the type has no EFA). */
  readonly efa: number;
  /** `vpc.amazonaws.com/pod-eni` (security groups for pods). */
  readonly podEni: number;
}

const registry = new Map<string, GpuInstanceType>();

/**
 * An EC2 instance type with NVIDIA GPUs, as Karpenter sees it.
 *
 * Enum-like: use the statics (`GpuInstanceType.P5_48XLARGE`), `GpuInstanceType.of('p5.48xlarge')`, `all()` or
 * `ofFamily('g6e')`.
 */
export class GpuInstanceType {
  /** p4d.24xlarge: 8 × A100-SXM4-40GB, 96 vCPU, 1152 GiB; $21.957642/h us-east-1. */
  public static readonly P4D_24XLARGE = GpuInstanceType._make('p4d.24xlarge');
  /** p4de.24xlarge: 8 × A100-SXM4-80GB, 96 vCPU, 1152 GiB; $27.44705/h us-east-1. */
  public static readonly P4DE_24XLARGE = GpuInstanceType._make('p4de.24xlarge');
  /** p5.4xlarge: 1 × H100-SXM5-80GB, 16 vCPU, 256 GiB; $6.88/h us-east-1. */
  public static readonly P5_4XLARGE = GpuInstanceType._make('p5.4xlarge');
  /** p5.48xlarge: 8 × H100-SXM5-80GB, 192 vCPU, 2048 GiB; $55.04/h us-east-1. */
  public static readonly P5_48XLARGE = GpuInstanceType._make('p5.48xlarge');
  /** p5e.48xlarge: 8 × H200-SXM5-141GB, 192 vCPU, 2048 GiB; no public us-east-1 price. */
  public static readonly P5E_48XLARGE = GpuInstanceType._make('p5e.48xlarge');
  /** p5en.48xlarge: 8 × H200-SXM5-141GB, 192 vCPU, 2048 GiB; $63.296/h us-east-1. */
  public static readonly P5EN_48XLARGE = GpuInstanceType._make('p5en.48xlarge');
  /** p6-b200.48xlarge: 8 × B200-180GB, 192 vCPU, 2048 GiB; $113.9328/h us-east-1. */
  public static readonly P6_B200_48XLARGE = GpuInstanceType._make('p6-b200.48xlarge');
  /** p6-b300.48xlarge: 8 × B300, 192 vCPU, 4096 GiB; $142.416/h us-east-1. */
  public static readonly P6_B300_48XLARGE = GpuInstanceType._make('p6-b300.48xlarge');
  /** g5.xlarge: 1 × A10G-24GB, 4 vCPU, 16 GiB; $1.006/h us-east-1. */
  public static readonly G5_XLARGE = GpuInstanceType._make('g5.xlarge');
  /** g5.2xlarge: 1 × A10G-24GB, 8 vCPU, 32 GiB; $1.212/h us-east-1. */
  public static readonly G5_2XLARGE = GpuInstanceType._make('g5.2xlarge');
  /** g5.4xlarge: 1 × A10G-24GB, 16 vCPU, 64 GiB; $1.624/h us-east-1. */
  public static readonly G5_4XLARGE = GpuInstanceType._make('g5.4xlarge');
  /** g5.8xlarge: 1 × A10G-24GB, 32 vCPU, 128 GiB; $2.448/h us-east-1. */
  public static readonly G5_8XLARGE = GpuInstanceType._make('g5.8xlarge');
  /** g5.12xlarge: 4 × A10G-24GB, 48 vCPU, 192 GiB; $5.672/h us-east-1. */
  public static readonly G5_12XLARGE = GpuInstanceType._make('g5.12xlarge');
  /** g5.16xlarge: 1 × A10G-24GB, 64 vCPU, 256 GiB; $4.096/h us-east-1. */
  public static readonly G5_16XLARGE = GpuInstanceType._make('g5.16xlarge');
  /** g5.24xlarge: 4 × A10G-24GB, 96 vCPU, 384 GiB; $8.144/h us-east-1. */
  public static readonly G5_24XLARGE = GpuInstanceType._make('g5.24xlarge');
  /** g5.48xlarge: 8 × A10G-24GB, 192 vCPU, 768 GiB; $16.288/h us-east-1. */
  public static readonly G5_48XLARGE = GpuInstanceType._make('g5.48xlarge');
  /** g6.xlarge: 1 × L4-24GB, 4 vCPU, 16 GiB; $0.8048/h us-east-1. */
  public static readonly G6_XLARGE = GpuInstanceType._make('g6.xlarge');
  /** g6.2xlarge: 1 × L4-24GB, 8 vCPU, 32 GiB; $0.9776/h us-east-1. */
  public static readonly G6_2XLARGE = GpuInstanceType._make('g6.2xlarge');
  /** g6.4xlarge: 1 × L4-24GB, 16 vCPU, 64 GiB; $1.3232/h us-east-1. */
  public static readonly G6_4XLARGE = GpuInstanceType._make('g6.4xlarge');
  /** g6.8xlarge: 1 × L4-24GB, 32 vCPU, 128 GiB; $2.0144/h us-east-1. */
  public static readonly G6_8XLARGE = GpuInstanceType._make('g6.8xlarge');
  /** g6.12xlarge: 4 × L4-24GB, 48 vCPU, 192 GiB; $4.6016/h us-east-1. */
  public static readonly G6_12XLARGE = GpuInstanceType._make('g6.12xlarge');
  /** g6.16xlarge: 1 × L4-24GB, 64 vCPU, 256 GiB; $3.3968/h us-east-1. */
  public static readonly G6_16XLARGE = GpuInstanceType._make('g6.16xlarge');
  /** g6.24xlarge: 4 × L4-24GB, 96 vCPU, 384 GiB; $6.6752/h us-east-1. */
  public static readonly G6_24XLARGE = GpuInstanceType._make('g6.24xlarge');
  /** g6.48xlarge: 8 × L4-24GB, 192 vCPU, 768 GiB; $13.3504/h us-east-1. */
  public static readonly G6_48XLARGE = GpuInstanceType._make('g6.48xlarge');
  /** g6e.xlarge: 1 × L40S-48GB, 4 vCPU, 32 GiB; $1.861/h us-east-1. */
  public static readonly G6E_XLARGE = GpuInstanceType._make('g6e.xlarge');
  /** g6e.2xlarge: 1 × L40S-48GB, 8 vCPU, 64 GiB; $2.24208/h us-east-1. */
  public static readonly G6E_2XLARGE = GpuInstanceType._make('g6e.2xlarge');
  /** g6e.4xlarge: 1 × L40S-48GB, 16 vCPU, 128 GiB; $3.00424/h us-east-1. */
  public static readonly G6E_4XLARGE = GpuInstanceType._make('g6e.4xlarge');
  /** g6e.8xlarge: 1 × L40S-48GB, 32 vCPU, 256 GiB; $4.52856/h us-east-1. */
  public static readonly G6E_8XLARGE = GpuInstanceType._make('g6e.8xlarge');
  /** g6e.12xlarge: 4 × L40S-48GB, 48 vCPU, 384 GiB; $10.49264/h us-east-1. */
  public static readonly G6E_12XLARGE = GpuInstanceType._make('g6e.12xlarge');
  /** g6e.16xlarge: 1 × L40S-48GB, 64 vCPU, 512 GiB; $7.57719/h us-east-1. */
  public static readonly G6E_16XLARGE = GpuInstanceType._make('g6e.16xlarge');
  /** g6e.24xlarge: 4 × L40S-48GB, 96 vCPU, 768 GiB; $15.06559/h us-east-1. */
  public static readonly G6E_24XLARGE = GpuInstanceType._make('g6e.24xlarge');
  /** g6e.48xlarge: 8 × L40S-48GB, 192 vCPU, 1536 GiB; $30.13118/h us-east-1. */
  public static readonly G6E_48XLARGE = GpuInstanceType._make('g6e.48xlarge');
  /** g4dn.xlarge: 1 × T4-16GB, 4 vCPU, 16 GiB; $0.526/h us-east-1. */
  public static readonly G4DN_XLARGE = GpuInstanceType._make('g4dn.xlarge');
  /** g4dn.2xlarge: 1 × T4-16GB, 8 vCPU, 32 GiB; $0.752/h us-east-1. */
  public static readonly G4DN_2XLARGE = GpuInstanceType._make('g4dn.2xlarge');
  /** g4dn.4xlarge: 1 × T4-16GB, 16 vCPU, 64 GiB; $1.204/h us-east-1. */
  public static readonly G4DN_4XLARGE = GpuInstanceType._make('g4dn.4xlarge');
  /** g4dn.8xlarge: 1 × T4-16GB, 32 vCPU, 128 GiB; $2.176/h us-east-1. */
  public static readonly G4DN_8XLARGE = GpuInstanceType._make('g4dn.8xlarge');
  /** g4dn.12xlarge: 4 × T4-16GB, 48 vCPU, 192 GiB; $3.912/h us-east-1. */
  public static readonly G4DN_12XLARGE = GpuInstanceType._make('g4dn.12xlarge');
  /** g4dn.16xlarge: 1 × T4-16GB, 64 vCPU, 256 GiB; $4.352/h us-east-1. */
  public static readonly G4DN_16XLARGE = GpuInstanceType._make('g4dn.16xlarge');
  /** g4dn.metal: 8 × T4-16GB, 96 vCPU, 384 GiB; $7.824/h us-east-1. */
  public static readonly G4DN_METAL = GpuInstanceType._make('g4dn.metal');

  /** Every type, in the reference table's order (p4d, p4de, p5, p5e, p5en, p6-b200, p6-b300, g5, g6, g6e, g4dn). */
  public static all(): GpuInstanceType[] {
    return INSTANCE_ROWS.map((r) => GpuInstanceType._get(r.name));
  }

  /** The families, in catalog order: `['p4d', 'p4de', 'p5', 'p5e', 'p5en', 'p6-b200', 'p6-b300', 'g5', 'g6', 'g6e', 'g4dn']`. */
  public static families(): string[] {
    const out: string[] = [];
    for (const t of GpuInstanceType.all()) if (!out.includes(t.family)) out.push(t.family);
    return out;
  }

  /**
   * The types of one family, smallest first (catalog order), e.g. `ofFamily('g6e')`.
   * @throws GpuConfigError on an unknown family, with close matches
   */
  public static ofFamily(family: string): GpuInstanceType[] {
    const key = typeof family === 'string' ? family.trim().toLowerCase() : '';
    const types = GpuInstanceType.all().filter((t) => t.family === key);
    if (types.length > 0) return types;
    const families = GpuInstanceType.families();
    const known = UNCOVERED_ACCELERATOR_FAMILIES[key] !== undefined || NON_GPU_FAMILIES.includes(key);
    const close = known ? [] : closeMatches(String(family), families, 2, 3);
    const what = UNCOVERED_ACCELERATOR_FAMILIES[key] !== undefined
      ? `is an EC2 family with ${UNCOVERED_ACCELERATOR_FAMILIES[key]} that this catalog does not cover`
      : NON_GPU_FAMILIES.includes(key) ? 'is an EC2 family without GPUs' : 'is not a known EC2 GPU instance family';
    throw new GpuConfigError('GpuInstanceType.ofFamily', 'family', `'${family}' ${what}`,
      close.length > 0 ? `use one of the close matches: ${close.join(', ')}` : `use one of ${families.join(', ')}`);
  }

  /**
   * The type with this exact EC2 name, e.g. `p5.48xlarge`.
   * @throws GpuConfigError when the name is unknown (with close matches: same family first, then by edit distance),
   * when it is a known EC2 type without a GPU (e.g. `m5.large`), or a GPU/accelerator type this catalog does not cover
   */
  public static of(name: string): GpuInstanceType {
    const found = GpuInstanceType.tryOf(name);
    if (found) return found;
    const input = typeof name === 'string' ? name : String(name);
    const lower = input.trim().toLowerCase();
    const family = lower.includes('.') ? lower.slice(0, lower.indexOf('.')) : lower;
    const all = GpuInstanceType.all();
    const gpuFamilies = GpuInstanceType.families();
    if (registry.has(lower)) {
      throw new GpuConfigError('GpuInstanceType.of', 'name', `'${input}' is not spelled as EC2 spells it`,
        `use '${lower}' (EC2 instance type names are lower case)`);
    }
    if (!gpuFamilies.includes(family) && NON_GPU_FAMILIES.includes(family)) {
      throw new GpuConfigError('GpuInstanceType.of', 'name', `'${input}' has no GPU (the EC2 ${family} family has no GPUs or accelerators)`,
        `choose a GPU instance type, e.g. one of the families ${gpuFamilies.join(', ')}`);
    }
    if (!gpuFamilies.includes(family) && UNCOVERED_ACCELERATOR_FAMILIES[family] !== undefined) {
      throw new GpuConfigError('GpuInstanceType.of', 'name',
        `'${input}' is an EC2 instance type with ${UNCOVERED_ACCELERATOR_FAMILIES[family]} that this catalog does not cover`,
        `choose a type of the families ${gpuFamilies.join(', ')}`);
    }
    const sameFamily = all.filter((t) => t.family === family).map((t) => t.name);
    const close = sameFamily.length > 0
      ? closeMatches(lower, sameFamily, Number.MAX_SAFE_INTEGER, 4)
      : closeMatches(lower, all.map((t) => t.name), undefined, 4);
    throw new GpuConfigError('GpuInstanceType.of', 'name', `'${input}' is not a known EC2 GPU instance type`,
      close.length > 0 ? `use one of the close matches: ${close.join(', ')}`
        : `use a type of the families ${gpuFamilies.join(', ')} (GpuInstanceType.all() lists them)`);
  }

  /** Like `of`, but `undefined` when the name is not in the catalog. */
  public static tryOf(name: string): GpuInstanceType | undefined {
    return typeof name === 'string' ? registry.get(name.trim()) : undefined;
  }

  /**
   * The types whose GPU is `gpu`, in catalog order (e.g. `ofGpu(GpuModel.H200_141GB)` → p5e.48xlarge, p5en.48xlarge).
   */
  public static ofGpu(gpu: GpuModel): GpuInstanceType[] {
    return GpuInstanceType.all().filter((t) => t.gpu === gpu);
  }

  /** @internal */
  private static _make(name: string): GpuInstanceType {
    const row = INSTANCE_ROWS.find((r) => r.name === name);
    if (!row) throw new Error(`internal: no catalog row for ${name}`);
    const t = new GpuInstanceType(row, GpuModel.of(row.gpuModel));
    registry.set(name, t);
    return t;
  }

  /** @internal */
  private static _get(name: string): GpuInstanceType {
    const t = registry.get(name);
    if (!t) throw new Error(`internal: catalog row ${name} has no GpuInstanceType static`);
    return t;
  }

  /** The EC2 name, e.g. `p5.48xlarge` (`node.kubernetes.io/instance-type`). */
  public readonly name: string;
  /** The family, e.g. `p5`, `p6-b200`, `g4dn` (`karpenter.k8s.aws/instance-family`). */
  public readonly family: string;
  /** The size, e.g. `48xlarge`, `metal` (`karpenter.k8s.aws/instance-size`). */
  public readonly size: string;
  /** Karpenter's instance category: `p` or `g` (`karpenter.k8s.aws/instance-category`). */
  public readonly category: string;
  /** Karpenter's instance generation: p4d→4, p5en→5, g6e→6, p6-b200→6, g4dn→4 (`karpenter.k8s.aws/instance-generation`). */
  public readonly generation: number;
  /** The GPU model. */
  public readonly gpu: GpuModel;
  /** GPUs per instance (`karpenter.k8s.aws/instance-gpu-count`; also the `nvidia.com/gpu` capacity). */
  public readonly gpuCount: number;
  /** Memory per GPU in MiB as EC2/Karpenter report it (`karpenter.k8s.aws/instance-gpu-memory`). */
  public readonly gpuMemoryMiB: number;
  /** Memory per GPU in GiB (EC2 MiB / 1024, 2 decimals: A10G/L4 22.35, L40S 44.7, B200 179.06). */
  public readonly gpuMemoryGiB: number;
  /** GPU memory of the whole instance in GiB (`gpuMemoryGiB × gpuCount`, 2 decimals). */
  public readonly totalGpuMemoryGiB: number;
  /** vCPUs (`karpenter.k8s.aws/instance-cpu`). */
  public readonly vcpu: number;
  /** Host memory in GiB (not GPU memory). */
  public readonly memoryGiB: number;
  /** Host memory in MiB (`karpenter.k8s.aws/instance-memory`). */
  public readonly memoryMiB: number;
  /** Baseline network bandwidth in Gbps (Karpenter's value; "up to" sizes burst higher). */
  public readonly networkGbps: number;
  /** Baseline network bandwidth in Mbps (`karpenter.k8s.aws/instance-network-bandwidth`). */
  public readonly networkBandwidthMbps: number;
  /** EBS bandwidth in Mbps (`karpenter.k8s.aws/instance-ebs-bandwidth`). */
  public readonly ebsBandwidthMbps: number;
  /** Whether the type supports EFA (Karpenter lists a `vpc.amazonaws.com/efa` resource; needs the EFA device plugin). */
  public readonly efa: boolean;
  /** EFA interfaces (`vpc.amazonaws.com/efa` allocatable), 0 without EFA. */
  public readonly efaInterfaces: number;
  /** Whether the GPUs are linked by NVLink/NVSwitch (false for PCIe-only and single-GPU types). */
  public readonly nvlink: boolean;
  /** Local NVMe instance storage in GB, 0 when none (`karpenter.k8s.aws/instance-local-nvme`). */
  public readonly localNvmeGb: number;
  /** Whether the GPUs support MIG on this type (AWS EKS MIG guide: p4d, p4de, p5, p5e, p5en, p6-b200, p6-b300). */
  public readonly migCapable: boolean;
  /**
   * On-demand price in USD per hour, us-east-1, from Karpenter's generated price table (K2, 2026-07-20).
   * @default - no public price in the source (p5e.48xlarge)
   */
  public readonly onDemandUsdPerHour?: number;
  /** CPU manufacturer: `intel` or `amd` (`karpenter.k8s.aws/instance-cpu-manufacturer`). */
  public readonly cpuManufacturer: string;
  /** Sustained all-core CPU clock in MHz (`karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz`). */
  public readonly cpuSustainedClockSpeedMhz: number;
  /** CPU architecture as Kubernetes spells it (`kubernetes.io/arch`): `amd64` for every type here. */
  public readonly architecture: string;
  /** Hypervisor: `nitro`, or empty for bare metal (`karpenter.k8s.aws/instance-hypervisor`). */
  public readonly hypervisor: string;
  /** Whether the type encrypts traffic in transit (`karpenter.k8s.aws/instance-encryption-in-transit-supported`). */
  public readonly encryptionInTransitSupported: boolean;
  /** Whether the type is a flex type (`karpenter.k8s.aws/instance-capability-flex`): false for every type here. */
  public readonly capabilityFlex: boolean;
  /** What Karpenter reports as allocatable on a node of this type (AL2023, default reservations). */
  public readonly karpenterAllocatable: KarpenterAllocatable;
  /** The reference table's source codes for this row, e.g. `specs=K1;price=K2;nvlink=N-p5;mig=M1`. */
  public readonly source: string;

  private constructor(row: InstanceRow, gpu: GpuModel) {
    const dot = row.name.indexOf('.');
    this.name = row.name;
    this.family = row.name.slice(0, dot);
    this.size = row.name.slice(dot + 1);
    this.category = this.family.charAt(0);
    // Karpenter: the first number in the family name (p4d→4, p5en→5, p6-b200→6, g4dn→4).
    this.generation = Number(/^[a-z]+(\d+)/.exec(this.family)![1]);
    this.gpu = gpu;
    this.gpuCount = row.gpuCount;
    this.gpuMemoryMiB = row.gpuMemoryMiB;
    this.gpuMemoryGiB = row.gpuMemoryGiB;
    this.totalGpuMemoryGiB = Math.round(row.gpuMemoryGiB * row.gpuCount * 100) / 100;
    this.vcpu = row.vcpu;
    this.memoryGiB = row.memoryGiB;
    this.memoryMiB = row.memoryGiB * 1024;
    this.networkGbps = row.networkGbps;
    this.networkBandwidthMbps = row.networkBandwidthMbps;
    this.ebsBandwidthMbps = row.ebsBandwidthMbps;
    this.efa = row.efa;
    this.efaInterfaces = row.efaInterfaces;
    this.nvlink = row.nvlink;
    this.localNvmeGb = row.localNvmeGb;
    this.migCapable = row.migCapable;
    if (row.onDemandUsdPerHour !== undefined) this.onDemandUsdPerHour = row.onDemandUsdPerHour;
    this.cpuManufacturer = row.cpuManufacturer;
    this.cpuSustainedClockSpeedMhz = row.cpuSustainedClockSpeedMhz;
    this.architecture = 'amd64';
    this.hypervisor = row.hypervisor;
    this.encryptionInTransitSupported = row.encryptionInTransitSupported;
    this.capabilityFlex = row.capabilityFlex;
    this.karpenterAllocatable = Object.freeze({ ...row.allocatable });
    this.source = row.source;
  }

  /**
   * The labels a Karpenter-launched node of this type carries (Karpenter instance-types reference K1; every label
   * K1 lists for the type, values as strings): `node.kubernetes.io/instance-type`, `kubernetes.io/arch`,
   * `kubernetes.io/os`, and `karpenter.k8s.aws/instance-{family,category,generation,size,cpu,cpu-manufacturer,
   * cpu-sustained-clock-speed-mhz,memory (MiB),gpu-name,gpu-count,gpu-memory (MiB per GPU),gpu-manufacturer,
   * local-nvme (GB),network-bandwidth (Mbps),ebs-bandwidth (Mbps),hypervisor,encryption-in-transit-supported,
   * capability-flex}`. Launch-time labels (zone, capacity type, node pool) are not included.
   */
  public karpenterLabels(): Record<string, string> {
    const k = 'karpenter.k8s.aws/';
    return {
      'node.kubernetes.io/instance-type': this.name,
      'kubernetes.io/arch': this.architecture,
      'kubernetes.io/os': 'linux',
      [`${k}instance-family`]: this.family,
      [`${k}instance-category`]: this.category,
      [`${k}instance-generation`]: String(this.generation),
      [`${k}instance-size`]: this.size,
      [`${k}instance-cpu`]: String(this.vcpu),
      [`${k}instance-cpu-manufacturer`]: this.cpuManufacturer,
      [`${k}instance-cpu-sustained-clock-speed-mhz`]: String(this.cpuSustainedClockSpeedMhz),
      [`${k}instance-memory`]: String(this.memoryMiB),
      [`${k}instance-gpu-name`]: this.gpu.karpenterGpuName,
      [`${k}instance-gpu-count`]: String(this.gpuCount),
      [`${k}instance-gpu-memory`]: String(this.gpuMemoryMiB),
      [`${k}instance-gpu-manufacturer`]: this.gpu.manufacturer,
      // Karpenter sets instance-local-nvme only when the type has instance storage (every type here does).
      ...(this.localNvmeGb > 0 ? { [`${k}instance-local-nvme`]: String(this.localNvmeGb) } : {}),
      [`${k}instance-network-bandwidth`]: String(this.networkBandwidthMbps),
      [`${k}instance-ebs-bandwidth`]: String(this.ebsBandwidthMbps),
      [`${k}instance-hypervisor`]: this.hypervisor,
      [`${k}instance-encryption-in-transit-supported`]: String(this.encryptionInTransitSupported),
      [`${k}instance-capability-flex`]: String(this.capabilityFlex),
    };
  }

  /** The EC2 name. */
  public toString(): string {
    return this.name;
  }
}
