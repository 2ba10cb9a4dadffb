/* eslint-disable @stylistic/object-property-newline */ // data tables: one row per line group, as in the reference files
/**
 * The embedded EC2 GPU instance table (internal; the public view is `GpuInstanceType`).
 *
 * One entry per row of the project's reference table `gpu-instances.csv` (39 rows, same order), so the library works
 * without the reference folder at runtime. `test/catalog/gpu-instance-type.test.ts` cross-checks every field against
 * that CSV. Sources (codes as in the CSV's `source` column and its companion `gpu-instances.md`):
 *
 * - **K1** — Karpenter "Instance Types" reference (https://karpenter.sh/docs/reference/instance-types/), generated
 *   from the EC2 API by `hack/docs/instancetypes_gen`; aws/karpenter-provider-aws
 *   `website/content/en/docs/reference/instance-types.md` @ 1d927085dd81a9df9301e613f371dac5b4d16bfe (values for
 *   these types identical in v1.14.1), Apache-2.0. Supplies GPU name/count/memory (MiB per GPU), vCPU, memory,
 *   network and EBS bandwidth, local NVMe, CPU manufacturer, EFA interfaces (the `vpc.amazonaws.com/efa` resource),
 *   and — read directly from the same K1 file, not in the CSV — the labels `instance-cpu-sustained-clock-speed-mhz`,
 *   `instance-hypervisor` (empty for metal), `instance-encryption-in-transit-supported`, `instance-capability-flex`
 *   and the "Resources" table (allocatable cpu/memory/pods/…; assumes AL2023 and no `blockDeviceMappings`).
 * - **K2** — Karpenter's generated on-demand price table `pkg/providers/pricing/zz_generated.pricing_aws.go`
 *   @ 1d927085 (us-east-1, generated 2026-07-20). p5e.48xlarge has no us-east-1 entry, so no price.
 * - **M1** — AWS EKS User Guide, "Use multi-instance GPUs (MIG) with NVIDIA GPUs on Amazon EKS"
 *   (awsdocs/amazon-eks-user-guide `latest/ug/ml/device-management-nvidia-mig.adoc` @ 80436be5): MIG on p4d, p4de,
 *   p5, p5e, p5en, p6-b200, p6-b300; "MIG is not available on the g5, g6, or g6e families"; T4 is not MIG-capable.
 * - **N-<family>** — NVLink/NVSwitch: AWS EC2 User Guide (p4d/p4de), AWS P5 product page (p5/p5e/p5en), secondary
 *   sources only for p6-b200 and (weak) p6-b300; PCIe-only spec sheets for A10G, L4, L40S, T4. p5.4xlarge has one
 *   GPU, so `nvlink: false` there means "not applicable".
 *
 * Caveats (from gpu-instances.md): `gpuMemoryGiB` is EC2-reported MiB / 1024 rounded to 2 decimals (A10G/L4 22.35,
 * not the marketed 24 GB); `networkGbps` is Karpenter's baseline bandwidth, not the "up to" burst figure; prices
 * change — re-check https://aws.amazon.com/ec2/pricing/on-demand/ before relying on them.
 *
 * Regenerating: this table was produced mechanically from the CSV joined with K1's label/resource tables; edit it by
 * hand only together with the reference CSV, and run `npx jest test/catalog` to see every drift.
 * @internal
 */
import type { KarpenterAllocatable } from './gpu-instance-type';

/** One row of the instance table. @internal */
export interface InstanceRow {
  readonly name: string;
  readonly gpuModel: string;
  readonly gpuCount: number;
  readonly gpuMemoryGiB: number;
  readonly gpuMemoryMiB: number;
  readonly karpenterGpuName: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly networkGbps: number;
  readonly networkBandwidthMbps: number;
  readonly ebsBandwidthMbps: number;
  readonly efa: boolean;
  readonly efaInterfaces: number;
  readonly nvlink: boolean;
  readonly localNvmeGb: number;
  readonly migCapable: boolean;
  readonly onDemandUsdPerHour: number | undefined;
  readonly cpuManufacturer: string;
  readonly source: string;
  readonly cpuSustainedClockSpeedMhz: number;
  readonly hypervisor: string;
  readonly encryptionInTransitSupported: boolean;
  readonly capabilityFlex: boolean;
  /** Karpenter's allocatable view (K1 "Resources" table). */
  readonly allocatable: KarpenterAllocatable;
}

/** The rows, in the reference CSV's order. @internal */
export const INSTANCE_ROWS: readonly InstanceRow[] = [
  {
    name: 'p4d.24xlarge', gpuModel: 'A100-SXM4-40GB', gpuCount: 8, gpuMemoryGiB: 40, gpuMemoryMiB: 40960, karpenterGpuName: 'a100', vcpu: 96, memoryGiB: 1152,
    networkGbps: 400, networkBandwidthMbps: 400000, ebsBandwidthMbps: 19000, efa: true, efaInterfaces: 4, nvlink: true, localNvmeGb: 8000,
    migCapable: true, onDemandUsdPerHour: 21.957642, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-p4d;mig=M1',
    cpuSustainedClockSpeedMhz: 3000, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 95690, memoryMiB: 1082712, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 8, efa: 4, podEni: 62 },
  },
  {
    name: 'p4de.24xlarge', gpuModel: 'A100-SXM4-80GB', gpuCount: 8, gpuMemoryGiB: 80, gpuMemoryMiB: 81920, karpenterGpuName: 'a100', vcpu: 96, memoryGiB: 1152,
    networkGbps: 400, networkBandwidthMbps: 400000, ebsBandwidthMbps: 19000, efa: true, efaInterfaces: 4, nvlink: true, localNvmeGb: 8000,
    migCapable: true, onDemandUsdPerHour: 27.44705, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-p4de;mig=M1',
    cpuSustainedClockSpeedMhz: 3000, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 95690, memoryMiB: 1082712, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 8, efa: 4, podEni: 62 },
  },
  {
    name: 'p5.4xlarge', gpuModel: 'H100-SXM5-80GB', gpuCount: 1, gpuMemoryGiB: 80, gpuMemoryMiB: 81920, karpenterGpuName: 'h100', vcpu: 16, memoryGiB: 256,
    networkGbps: 100, networkBandwidthMbps: 100000, ebsBandwidthMbps: 10000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 3800,
    migCapable: true, onDemandUsdPerHour: 6.88, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-p5;mig=M1',
    cpuSustainedClockSpeedMhz: 3600, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 15890, memoryMiB: 240830, ephemeralStorageGiB: 17, pods: 118, nvidiaGpu: 1, efa: 1, podEni: 58 },
  },
  {
    name: 'p5.48xlarge', gpuModel: 'H100-SXM5-80GB', gpuCount: 8, gpuMemoryGiB: 80, gpuMemoryMiB: 81920, karpenterGpuName: 'h100', vcpu: 192, memoryGiB: 2048,
    networkGbps: 3200, networkBandwidthMbps: 3200000, ebsBandwidthMbps: 80000, efa: true, efaInterfaces: 32, nvlink: true, localNvmeGb: 30400,
    migCapable: true, onDemandUsdPerHour: 55.04, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-p5;mig=M1',
    cpuSustainedClockSpeedMhz: 3600, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 191450, memoryMiB: 1938410, ephemeralStorageGiB: 17, pods: 100, nvidiaGpu: 8, efa: 32, podEni: 120 },
  },
  {
    name: 'p5e.48xlarge', gpuModel: 'H200-SXM5-141GB', gpuCount: 8, gpuMemoryGiB: 141, gpuMemoryMiB: 144384, karpenterGpuName: 'h200', vcpu: 192, memoryGiB: 2048,
    networkGbps: 3200, networkBandwidthMbps: 3200000, ebsBandwidthMbps: 80000, efa: true, efaInterfaces: 32, nvlink: true, localNvmeGb: 30400,
    migCapable: true, onDemandUsdPerHour: undefined, cpuManufacturer: 'amd', source: 'specs=K1;price=none-found;nvlink=N-p5e;mig=M1',
    cpuSustainedClockSpeedMhz: 3600, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 191450, memoryMiB: 1938410, ephemeralStorageGiB: 17, pods: 100, nvidiaGpu: 8, efa: 32, podEni: 120 },
  },
  {
    name: 'p5en.48xlarge', gpuModel: 'H200-SXM5-141GB', gpuCount: 8, gpuMemoryGiB: 141, gpuMemoryMiB: 144384, karpenterGpuName: 'h200', vcpu: 192, memoryGiB: 2048,
    networkGbps: 3200, networkBandwidthMbps: 3200000, ebsBandwidthMbps: 100000, efa: true, efaInterfaces: 16, nvlink: true, localNvmeGb: 30400,
    migCapable: true, onDemandUsdPerHour: 63.296, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-p5en;mig=M1',
    cpuSustainedClockSpeedMhz: 2400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 191450, memoryMiB: 1937332, ephemeralStorageGiB: 17, pods: 198, nvidiaGpu: 8, efa: 16, podEni: 120 },
  },
  {
    name: 'p6-b200.48xlarge', gpuModel: 'B200-180GB', gpuCount: 8, gpuMemoryGiB: 179.06, gpuMemoryMiB: 183359, karpenterGpuName: 'b200', vcpu: 192, memoryGiB: 2048,
    networkGbps: 3200, networkBandwidthMbps: 3200000, ebsBandwidthMbps: 100000, efa: true, efaInterfaces: 8, nvlink: true, localNvmeGb: 30400,
    migCapable: true, onDemandUsdPerHour: 113.9328, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-p6-b200;mig=M1',
    cpuSustainedClockSpeedMhz: 2400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 191450, memoryMiB: 1937332, ephemeralStorageGiB: 17, pods: 198, nvidiaGpu: 8, efa: 8, podEni: 120 },
  },
  {
    name: 'p6-b300.48xlarge', gpuModel: 'B300', gpuCount: 8, gpuMemoryGiB: 268.59, gpuMemoryMiB: 275040, karpenterGpuName: 'b300', vcpu: 192, memoryGiB: 4096,
    networkGbps: 6400, networkBandwidthMbps: 6400000, ebsBandwidthMbps: 100000, efa: true, efaInterfaces: 16, nvlink: true, localNvmeGb: 30400,
    migCapable: true, onDemandUsdPerHour: 142.416, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-p6-b300;mig=M1',
    cpuSustainedClockSpeedMhz: 2400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 191450, memoryMiB: 3877198, ephemeralStorageGiB: 17, pods: 198, nvidiaGpu: 8, efa: 16, podEni: 120 },
  },
  {
    name: 'g5.xlarge', gpuModel: 'A10G-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'a10g', vcpu: 4, memoryGiB: 16,
    networkGbps: 2.5, networkBandwidthMbps: 2500, ebsBandwidthMbps: 3500, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 250,
    migCapable: false, onDemandUsdPerHour: 1.006, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g5;mig=M1',
    cpuSustainedClockSpeedMhz: 3300, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 3920, memoryMiB: 14162, ephemeralStorageGiB: 17, pods: 58, nvidiaGpu: 1, efa: 0, podEni: 4 },
  },
  {
    name: 'g5.2xlarge', gpuModel: 'A10G-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'a10g', vcpu: 8, memoryGiB: 32,
    networkGbps: 5, networkBandwidthMbps: 5000, ebsBandwidthMbps: 3500, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 450,
    migCapable: false, onDemandUsdPerHour: 1.212, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g5;mig=M1',
    cpuSustainedClockSpeedMhz: 3300, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 7910, memoryMiB: 29317, ephemeralStorageGiB: 17, pods: 58, nvidiaGpu: 1, efa: 0, podEni: 17 },
  },
  {
    name: 'g5.4xlarge', gpuModel: 'A10G-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'a10g', vcpu: 16, memoryGiB: 64,
    networkGbps: 10, networkBandwidthMbps: 10000, ebsBandwidthMbps: 4750, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 600,
    migCapable: false, onDemandUsdPerHour: 1.624, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g5;mig=M1',
    cpuSustainedClockSpeedMhz: 3300, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 15890, memoryMiB: 57691, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 1, efa: 0, podEni: 34 },
  },
  {
    name: 'g5.8xlarge', gpuModel: 'A10G-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'a10g', vcpu: 32, memoryGiB: 128,
    networkGbps: 25, networkBandwidthMbps: 25000, ebsBandwidthMbps: 16000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 900,
    migCapable: false, onDemandUsdPerHour: 2.448, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g5;mig=M1',
    cpuSustainedClockSpeedMhz: 3300, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 31850, memoryMiB: 118312, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 1, efa: 1, podEni: 84 },
  },
  {
    name: 'g5.12xlarge', gpuModel: 'A10G-24GB', gpuCount: 4, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'a10g', vcpu: 48, memoryGiB: 192,
    networkGbps: 40, networkBandwidthMbps: 40000, ebsBandwidthMbps: 16000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 3800,
    migCapable: false, onDemandUsdPerHour: 5.672, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g5;mig=M1',
    cpuSustainedClockSpeedMhz: 3300, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 47810, memoryMiB: 173400, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 4, efa: 1, podEni: 107 },
  },
  {
    name: 'g5.16xlarge', gpuModel: 'A10G-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'a10g', vcpu: 64, memoryGiB: 256,
    networkGbps: 25, networkBandwidthMbps: 25000, ebsBandwidthMbps: 16000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 1900,
    migCapable: false, onDemandUsdPerHour: 4.096, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g5;mig=M1',
    cpuSustainedClockSpeedMhz: 3300, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 63770, memoryMiB: 239554, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 1, efa: 1, podEni: 114 },
  },
  {
    name: 'g5.24xlarge', gpuModel: 'A10G-24GB', gpuCount: 4, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'a10g', vcpu: 96, memoryGiB: 384,
    networkGbps: 50, networkBandwidthMbps: 50000, ebsBandwidthMbps: 19000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 3800,
    migCapable: false, onDemandUsdPerHour: 8.144, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g5;mig=M1',
    cpuSustainedClockSpeedMhz: 3300, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 95690, memoryMiB: 355262, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 4, efa: 1, podEni: 107 },
  },
  {
    name: 'g5.48xlarge', gpuModel: 'A10G-24GB', gpuCount: 8, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'a10g', vcpu: 192, memoryGiB: 768,
    networkGbps: 100, networkBandwidthMbps: 100000, ebsBandwidthMbps: 19000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 7600,
    migCapable: false, onDemandUsdPerHour: 16.288, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g5;mig=M1',
    cpuSustainedClockSpeedMhz: 3300, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 191450, memoryMiB: 723299, ephemeralStorageGiB: 17, pods: 345, nvidiaGpu: 8, efa: 1, podEni: 115 },
  },
  {
    name: 'g6.xlarge', gpuModel: 'L4-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'l4', vcpu: 4, memoryGiB: 16,
    networkGbps: 2.5, networkBandwidthMbps: 2500, ebsBandwidthMbps: 5000, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 250,
    migCapable: false, onDemandUsdPerHour: 0.8048, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 3920, memoryMiB: 14162, ephemeralStorageGiB: 17, pods: 58, nvidiaGpu: 1, efa: 0, podEni: 18 },
  },
  {
    name: 'g6.2xlarge', gpuModel: 'L4-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'l4', vcpu: 8, memoryGiB: 32,
    networkGbps: 5, networkBandwidthMbps: 5000, ebsBandwidthMbps: 5000, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 450,
    migCapable: false, onDemandUsdPerHour: 0.9776, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 7910, memoryMiB: 29317, ephemeralStorageGiB: 17, pods: 58, nvidiaGpu: 1, efa: 0, podEni: 38 },
  },
  {
    name: 'g6.4xlarge', gpuModel: 'L4-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'l4', vcpu: 16, memoryGiB: 64,
    networkGbps: 10, networkBandwidthMbps: 10000, ebsBandwidthMbps: 8000, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 600,
    migCapable: false, onDemandUsdPerHour: 1.3232, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 15890, memoryMiB: 57691, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 1, efa: 0, podEni: 54 },
  },
  {
    name: 'g6.8xlarge', gpuModel: 'L4-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'l4', vcpu: 32, memoryGiB: 128,
    networkGbps: 25, networkBandwidthMbps: 25000, ebsBandwidthMbps: 16000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 900,
    migCapable: false, onDemandUsdPerHour: 2.0144, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 31850, memoryMiB: 118312, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 1, efa: 1, podEni: 84 },
  },
  {
    name: 'g6.12xlarge', gpuModel: 'L4-24GB', gpuCount: 4, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'l4', vcpu: 48, memoryGiB: 192,
    networkGbps: 40, networkBandwidthMbps: 40000, ebsBandwidthMbps: 20000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 3760,
    migCapable: false, onDemandUsdPerHour: 4.6016, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 47810, memoryMiB: 178933, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 4, efa: 1, podEni: 114 },
  },
  {
    name: 'g6.16xlarge', gpuModel: 'L4-24GB', gpuCount: 1, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'l4', vcpu: 64, memoryGiB: 256,
    networkGbps: 25, networkBandwidthMbps: 25000, ebsBandwidthMbps: 20000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 1880,
    migCapable: false, onDemandUsdPerHour: 3.3968, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 63770, memoryMiB: 234021, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 1, efa: 1, podEni: 107 },
  },
  {
    name: 'g6.24xlarge', gpuModel: 'L4-24GB', gpuCount: 4, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'l4', vcpu: 96, memoryGiB: 384,
    networkGbps: 50, networkBandwidthMbps: 50000, ebsBandwidthMbps: 30000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 3760,
    migCapable: false, onDemandUsdPerHour: 6.6752, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 95690, memoryMiB: 355262, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 4, efa: 1, podEni: 107 },
  },
  {
    name: 'g6.48xlarge', gpuModel: 'L4-24GB', gpuCount: 8, gpuMemoryGiB: 22.35, gpuMemoryMiB: 22888, karpenterGpuName: 'l4', vcpu: 192, memoryGiB: 768,
    networkGbps: 100, networkBandwidthMbps: 100000, ebsBandwidthMbps: 60000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 7520,
    migCapable: false, onDemandUsdPerHour: 13.3504, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 191450, memoryMiB: 718987, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 8, efa: 1, podEni: 107 },
  },
  {
    name: 'g6e.xlarge', gpuModel: 'L40S-48GB', gpuCount: 1, gpuMemoryGiB: 44.7, gpuMemoryMiB: 45776, karpenterGpuName: 'l40s', vcpu: 4, memoryGiB: 32,
    networkGbps: 2.5, networkBandwidthMbps: 2500, ebsBandwidthMbps: 5000, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 250,
    migCapable: false, onDemandUsdPerHour: 1.861, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6e;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 3920, memoryMiB: 29317, ephemeralStorageGiB: 17, pods: 58, nvidiaGpu: 1, efa: 0, podEni: 18 },
  },
  {
    name: 'g6e.2xlarge', gpuModel: 'L40S-48GB', gpuCount: 1, gpuMemoryGiB: 44.7, gpuMemoryMiB: 45776, karpenterGpuName: 'l40s', vcpu: 8, memoryGiB: 64,
    networkGbps: 5, networkBandwidthMbps: 5000, ebsBandwidthMbps: 5000, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 450,
    migCapable: false, onDemandUsdPerHour: 2.24208, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6e;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 7910, memoryMiB: 59627, ephemeralStorageGiB: 17, pods: 58, nvidiaGpu: 1, efa: 0, podEni: 38 },
  },
  {
    name: 'g6e.4xlarge', gpuModel: 'L40S-48GB', gpuCount: 1, gpuMemoryGiB: 44.7, gpuMemoryMiB: 45776, karpenterGpuName: 'l40s', vcpu: 16, memoryGiB: 128,
    networkGbps: 20, networkBandwidthMbps: 20000, ebsBandwidthMbps: 8000, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 600,
    migCapable: false, onDemandUsdPerHour: 3.00424, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6e;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 15890, memoryMiB: 118312, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 1, efa: 0, podEni: 54 },
  },
  {
    name: 'g6e.8xlarge', gpuModel: 'L40S-48GB', gpuCount: 1, gpuMemoryGiB: 44.7, gpuMemoryMiB: 45776, karpenterGpuName: 'l40s', vcpu: 32, memoryGiB: 256,
    networkGbps: 25, networkBandwidthMbps: 25000, ebsBandwidthMbps: 16000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 900,
    migCapable: false, onDemandUsdPerHour: 4.52856, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6e;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 31850, memoryMiB: 239554, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 1, efa: 1, podEni: 84 },
  },
  {
    name: 'g6e.12xlarge', gpuModel: 'L40S-48GB', gpuCount: 4, gpuMemoryGiB: 44.7, gpuMemoryMiB: 45776, karpenterGpuName: 'l40s', vcpu: 48, memoryGiB: 384,
    networkGbps: 100, networkBandwidthMbps: 100000, ebsBandwidthMbps: 20000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 3800,
    migCapable: false, onDemandUsdPerHour: 10.49264, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6e;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 47810, memoryMiB: 360157, ephemeralStorageGiB: 17, pods: 292, nvidiaGpu: 4, efa: 1, podEni: 112 },
  },
  {
    name: 'g6e.16xlarge', gpuModel: 'L40S-48GB', gpuCount: 1, gpuMemoryGiB: 44.7, gpuMemoryMiB: 45776, karpenterGpuName: 'l40s', vcpu: 64, memoryGiB: 512,
    networkGbps: 35, networkBandwidthMbps: 35000, ebsBandwidthMbps: 20000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 1900,
    migCapable: false, onDemandUsdPerHour: 7.57719, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6e;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 63770, memoryMiB: 476504, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 1, efa: 1, podEni: 107 },
  },
  {
    name: 'g6e.24xlarge', gpuModel: 'L40S-48GB', gpuCount: 4, gpuMemoryGiB: 44.7, gpuMemoryMiB: 45776, karpenterGpuName: 'l40s', vcpu: 96, memoryGiB: 768,
    networkGbps: 200, networkBandwidthMbps: 200000, ebsBandwidthMbps: 30000, efa: true, efaInterfaces: 2, nvlink: false, localNvmeGb: 3800,
    migCapable: false, onDemandUsdPerHour: 15.06559, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6e;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 95690, memoryMiB: 721682, ephemeralStorageGiB: 17, pods: 492, nvidiaGpu: 4, efa: 2, podEni: 102 },
  },
  {
    name: 'g6e.48xlarge', gpuModel: 'L40S-48GB', gpuCount: 8, gpuMemoryGiB: 44.7, gpuMemoryMiB: 45776, karpenterGpuName: 'l40s', vcpu: 192, memoryGiB: 1536,
    networkGbps: 400, networkBandwidthMbps: 400000, ebsBandwidthMbps: 60000, efa: true, efaInterfaces: 4, nvlink: false, localNvmeGb: 7600,
    migCapable: false, onDemandUsdPerHour: 30.13118, cpuManufacturer: 'amd', source: 'specs=K1;price=K2;nvlink=N-g6e;mig=M1',
    cpuSustainedClockSpeedMhz: 3400, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 191450, memoryMiB: 1449132, ephemeralStorageGiB: 17, pods: 492, nvidiaGpu: 8, efa: 4, podEni: 82 },
  },
  {
    name: 'g4dn.xlarge', gpuModel: 'T4-16GB', gpuCount: 1, gpuMemoryGiB: 16, gpuMemoryMiB: 16384, karpenterGpuName: 't4', vcpu: 4, memoryGiB: 16,
    networkGbps: 5, networkBandwidthMbps: 5000, ebsBandwidthMbps: 3500, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 125,
    migCapable: false, onDemandUsdPerHour: 0.526, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-g4dn;mig=M1',
    cpuSustainedClockSpeedMhz: 2500, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 3920, memoryMiB: 14481, ephemeralStorageGiB: 17, pods: 29, nvidiaGpu: 1, efa: 0, podEni: 39 },
  },
  {
    name: 'g4dn.2xlarge', gpuModel: 'T4-16GB', gpuCount: 1, gpuMemoryGiB: 16, gpuMemoryMiB: 16384, karpenterGpuName: 't4', vcpu: 8, memoryGiB: 32,
    networkGbps: 10, networkBandwidthMbps: 10000, ebsBandwidthMbps: 3500, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 225,
    migCapable: false, onDemandUsdPerHour: 0.752, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-g4dn;mig=M1',
    cpuSustainedClockSpeedMhz: 2500, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 7910, memoryMiB: 29636, ephemeralStorageGiB: 17, pods: 29, nvidiaGpu: 1, efa: 0, podEni: 39 },
  },
  {
    name: 'g4dn.4xlarge', gpuModel: 'T4-16GB', gpuCount: 1, gpuMemoryGiB: 16, gpuMemoryMiB: 16384, karpenterGpuName: 't4', vcpu: 16, memoryGiB: 64,
    networkGbps: 20, networkBandwidthMbps: 20000, ebsBandwidthMbps: 4750, efa: false, efaInterfaces: 0, nvlink: false, localNvmeGb: 225,
    migCapable: false, onDemandUsdPerHour: 1.204, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-g4dn;mig=M1',
    cpuSustainedClockSpeedMhz: 2500, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 15890, memoryMiB: 59946, ephemeralStorageGiB: 17, pods: 29, nvidiaGpu: 1, efa: 0, podEni: 59 },
  },
  {
    name: 'g4dn.8xlarge', gpuModel: 'T4-16GB', gpuCount: 1, gpuMemoryGiB: 16, gpuMemoryMiB: 16384, karpenterGpuName: 't4', vcpu: 32, memoryGiB: 128,
    networkGbps: 50, networkBandwidthMbps: 50000, ebsBandwidthMbps: 9500, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 900,
    migCapable: false, onDemandUsdPerHour: 2.176, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-g4dn;mig=M1',
    cpuSustainedClockSpeedMhz: 2500, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 31850, memoryMiB: 120248, ephemeralStorageGiB: 17, pods: 58, nvidiaGpu: 1, efa: 1, podEni: 58 },
  },
  {
    name: 'g4dn.12xlarge', gpuModel: 'T4-16GB', gpuCount: 4, gpuMemoryGiB: 16, gpuMemoryMiB: 16384, karpenterGpuName: 't4', vcpu: 48, memoryGiB: 192,
    networkGbps: 50, networkBandwidthMbps: 50000, ebsBandwidthMbps: 9500, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 900,
    migCapable: false, onDemandUsdPerHour: 3.912, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-g4dn;mig=M1',
    cpuSustainedClockSpeedMhz: 2500, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 47810, memoryMiB: 178933, ephemeralStorageGiB: 17, pods: 234, nvidiaGpu: 4, efa: 1, podEni: 54 },
  },
  {
    name: 'g4dn.16xlarge', gpuModel: 'T4-16GB', gpuCount: 1, gpuMemoryGiB: 16, gpuMemoryMiB: 16384, karpenterGpuName: 't4', vcpu: 64, memoryGiB: 256,
    networkGbps: 50, networkBandwidthMbps: 50000, ebsBandwidthMbps: 9500, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 900,
    migCapable: false, onDemandUsdPerHour: 4.352, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-g4dn;mig=M1',
    cpuSustainedClockSpeedMhz: 2500, hypervisor: 'nitro', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 63770, memoryMiB: 241490, ephemeralStorageGiB: 17, pods: 58, nvidiaGpu: 1, efa: 1, podEni: 118 },
  },
  {
    name: 'g4dn.metal', gpuModel: 'T4-16GB', gpuCount: 8, gpuMemoryGiB: 16, gpuMemoryMiB: 16384, karpenterGpuName: 't4', vcpu: 96, memoryGiB: 384,
    networkGbps: 100, networkBandwidthMbps: 100000, ebsBandwidthMbps: 19000, efa: true, efaInterfaces: 1, nvlink: false, localNvmeGb: 1800,
    migCapable: false, onDemandUsdPerHour: 7.824, cpuManufacturer: 'intel', source: 'specs=K1;price=K2;nvlink=N-g4dn;mig=M1',
    cpuSustainedClockSpeedMhz: 2500, hypervisor: '', encryptionInTransitSupported: true, capabilityFlex: false,
    allocatable: { cpuMillis: 95690, memoryMiB: 355262, ephemeralStorageGiB: 17, pods: 737, nvidiaGpu: 8, efa: 1, podEni: 107 },
  },
];

/**
 * EC2 instance families that K1 (Karpenter instance-types reference @ 1d927085) lists without any GPU or accelerator
 * label. Used only to say "has no GPU" instead of "unknown" in `GpuInstanceType.of` errors. @internal
 */
export const NON_GPU_FAMILIES: readonly string[] = [
  'a1', 'c1', 'c3', 'c4', 'c5', 'c5a', 'c5ad', 'c5d', 'c5n', 'c6a', 'c6g', 'c6gd', 'c6gn', 'c6i', 'c6id', 'c6in',
  'c7a', 'c7g', 'c7gd', 'c7gn', 'c7i', 'c7i-flex', 'c8a', 'c8g', 'c8gb', 'c8gd', 'c8gn', 'c8i', 'c8i-flex', 'c8ib',
  'c8id', 'c8in', 'c8ine', 'c9g', 'c9gd', 'd2', 'd3', 'd3en', 'f2', 'h1', 'hpc6a', 'hpc6id', 'hpc7a', 'hpc7g',
  'hpc8a', 'i2', 'i3', 'i3en', 'i4g', 'i4i', 'i7i', 'i7ie', 'i8g', 'i8ge', 'im4gn', 'is4gen', 'm1', 'm2', 'm3', 'm4',
  'm5', 'm5a', 'm5ad', 'm5d', 'm5dn', 'm5n', 'm5zn', 'm6a', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6idn', 'm6in', 'm7a',
  'm7g', 'm7gd', 'm7i', 'm7i-flex', 'm8a', 'm8azn', 'm8g', 'm8gb', 'm8gd', 'm8gn', 'm8i', 'm8i-flex', 'm8ib', 'm8id',
  'm8idb', 'm8idn', 'm8in', 'm8ine', 'm9g', 'm9gd', 'r3', 'r4', 'r5', 'r5a', 'r5ad', 'r5b', 'r5d', 'r5dn', 'r5n',
  'r6a', 'r6g', 'r6gd', 'r6i', 'r6id', 'r6idn', 'r6in', 'r7a', 'r7g', 'r7gd', 'r7i', 'r7iz', 'r8a', 'r8g', 'r8gb',
  'r8gd', 'r8gn', 'r8i', 'r8i-flex', 'r8ib', 'r8id', 'r8idb', 'r8idn', 'r8in', 't1', 't2', 't3', 't3a', 't4g',
  'u-3tb1', 'u-6tb1', 'u7i-12tb', 'u7i-6tb', 'u7i-8tb', 'u7in-16tb', 'u7in-24tb', 'u7in-32tb', 'vt1', 'x1', 'x1e',
  'x2gd', 'x2idn', 'x2iedn', 'x2iezn', 'x8aedz', 'x8g', 'x8i', 'z1d',
];

/**
 * EC2 families with a GPU or AWS accelerator (K1 `instance-gpu-name` / `instance-accelerator-name`) that this catalog
 * does not cover (not in the reference table), with what they carry. @internal
 */
export const UNCOVERED_ACCELERATOR_FAMILIES: Readonly<Record<string, string>> = {
  p3dn: 'NVIDIA V100 GPUs', g4ad: 'AMD Radeon Pro V520 GPUs', g5g: 'NVIDIA T4G GPUs (arm64)',
  g6f: 'fractional NVIDIA L4 GPUs', gr6: 'NVIDIA L4 GPUs', gr6f: 'fractional NVIDIA L4 GPUs',
  g7: 'NVIDIA RTX PRO 4500 GPUs', g7e: 'NVIDIA RTX PRO 6000 Server GPUs',
  inf1: 'AWS Inferentia accelerators', inf2: 'AWS Inferentia2 accelerators', trn1: 'AWS Trainium accelerators',
  trn1n: 'AWS Trainium accelerators', trn2: 'AWS Trainium2 accelerators', dl2q: 'Qualcomm AI100 accelerators',
  // Previous-generation GPU families no longer in K1 (still named by older tooling such as aws-eks instance-types.ts).
  p2: 'previous-generation NVIDIA GPUs', p3: 'previous-generation NVIDIA GPUs',
  g2: 'previous-generation NVIDIA GPUs', g3: 'previous-generation NVIDIA GPUs', g4: 'previous-generation GPUs',
};
