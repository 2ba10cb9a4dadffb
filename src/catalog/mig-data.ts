/* eslint-disable @stylistic/object-property-newline */ // data tables: one row per line group, as in the reference files
/**
 * The embedded MIG profile table (internal; the public view is `MigGpu` / `MigProfileSpec` in `mig.ts`).
 *
 * One entry per GPU of the project's reference file `mig-profiles.json` (schema `mig-profiles/v1`), fields copied
 * as published there; `test/catalog/mig.test.ts` cross-checks every value against that JSON. Source codes in
 * `sources` (defined in mig-profiles.json / mig-profiles.md):
 *
 * - **NV-PROFILES** — NVIDIA MIG User Guide, "Supported MIG Profiles"
 *   (https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-mig-profiles.html).
 * - **NV-GETTING-STARTED** — NVIDIA MIG User Guide, "Getting Started with MIG" (`nvidia-smi mig -lgip/-lgipp` output
 *   for A100-SXM4-40GB).
 * - **NV-GPUS** — NVIDIA MIG User Guide, "Supported GPUs" (max instances per product).
 * - **SMI-H100-80GB**, **SMI-H100-NVL**, **SMI-A30** — public `nvidia-smi mig -lgip/-lgipp` outputs (not NVIDIA-authored).
 * - **AWS-EKS-MIG** — AWS EKS User Guide, "Use multi-instance GPUs (MIG) with NVIDIA GPUs on Amazon EKS"
 *   (awsdocs/amazon-eks-user-guide `latest/ug/ml/device-management-nvidia-mig.adoc` @ 80436be5).
 * - **NVML-PLACEMENT** — NVML `nvmlGpuInstancePlacement_t`: start = first occupied memory slice, size = slices.
 *
 * Known gaps (kept as `undefined`, never guessed here): placements for H100-96GB, H200-141GB and B200-180GB and
 * their nvidia-smi profile IDs; A100-SXM4-80GB IDs/placements are carried over from A100-40GB (flagged
 * `placementsVerified: false`). `resourceName` is the k8s-device-plugin `migStrategy=mixed` resource ('+' becomes
 * '.', k8s-device-plugin v0.20.0 `internal/rm/rm.go`).
 * @internal
 */

/** One profile row. @internal */
export interface MigProfileRow {
  readonly name: string;
  readonly resourceName: string;
  readonly nvidiaSmiProfileId: number | undefined;
  readonly computeSlices: number;
  readonly memorySlices: number;
  readonly memoryGb: number;
  readonly maxInstances: number;
  readonly placementStarts: readonly number[] | undefined;
  readonly copyEngines: number | undefined;
  readonly fractionOfMemory: string | undefined;
  readonly fractionOfSms: string | undefined;
  readonly hardwareUnits: string | undefined;
  readonly sources: readonly string[];
  readonly note?: string;
}

/** One GPU row. @internal */
export interface MigGpuRow {
  readonly gpu: string;
  readonly alsoAppliesTo: readonly string[];
  readonly awsInstanceTypes: readonly string[];
  readonly totalComputeSlices: number;
  readonly totalMemorySlices: number;
  readonly placementsVerified: boolean;
  readonly placementsBasis: string;
  readonly profiles: readonly MigProfileRow[];
}

/** The GPUs, in mig-profiles.json order. @internal */
export const MIG_GPU_ROWS: readonly MigGpuRow[] = [
  {
    gpu: 'A100-SXM4-40GB',
    alsoAppliesTo: ['A100-PCIE-40GB (same A100 profile table; placements not separately verified)'],
    awsInstanceTypes: ['p4d.24xlarge'],
    totalComputeSlices: 7, totalMemorySlices: 8,
    placementsVerified: true,
    placementsBasis: 'nvidia-smi mig -lgipp output printed in the NVIDIA MIG User Guide (A100-SXM4-40GB)',
    profiles: [
      {
        name: '1g.5gb', resourceName: 'nvidia.com/mig-1g.5gb', nvidiaSmiProfileId: 19, computeSlices: 1, memorySlices: 1, memoryGb: 5, maxInstances: 7,
        placementStarts: [0, 1, 2, 3, 4, 5, 6], copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '0 NVDECs /0 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'NV-GETTING-STARTED'],
      },
      {
        name: '1g.5gb+me', resourceName: 'nvidia.com/mig-1g.5gb.me', nvidiaSmiProfileId: 20, computeSlices: 1, memorySlices: 1, memoryGb: 5, maxInstances: 1,
        placementStarts: [0, 1, 2, 3, 4, 5, 6], copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'NV-GETTING-STARTED'], note: '+me = media extensions; only one instance per GPU; R470+ driver',
      },
      {
        name: '1g.10gb', resourceName: 'nvidia.com/mig-1g.10gb', nvidiaSmiProfileId: 15, computeSlices: 1, memorySlices: 2, memoryGb: 10, maxInstances: 4,
        placementStarts: [0, 2, 4, 6], copyEngines: 1, fractionOfMemory: '1/8 (as published; placement size is 2 memory slices)', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /0 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'NV-GETTING-STARTED'], note: 'Published table says 1/8 memory but -lgipp shows size 2 (= 2/8); R525+ driver',
      },
      {
        name: '2g.10gb', resourceName: 'nvidia.com/mig-2g.10gb', nvidiaSmiProfileId: 14, computeSlices: 2, memorySlices: 2, memoryGb: 10, maxInstances: 3,
        placementStarts: [0, 2, 4], copyEngines: 2, fractionOfMemory: '2/8', fractionOfSms: '2/7', hardwareUnits: '1 NVDEC /0 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'NV-GETTING-STARTED'],
      },
      {
        name: '3g.20gb', resourceName: 'nvidia.com/mig-3g.20gb', nvidiaSmiProfileId: 9, computeSlices: 3, memorySlices: 4, memoryGb: 20, maxInstances: 2,
        placementStarts: [0, 4], copyEngines: 3, fractionOfMemory: '4/8', fractionOfSms: '3/7', hardwareUnits: '2 NVDECs /0 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'NV-GETTING-STARTED'],
      },
      {
        name: '4g.20gb', resourceName: 'nvidia.com/mig-4g.20gb', nvidiaSmiProfileId: 5, computeSlices: 4, memorySlices: 4, memoryGb: 20, maxInstances: 1,
        placementStarts: [0], copyEngines: 4, fractionOfMemory: '4/8', fractionOfSms: '4/7', hardwareUnits: '2 NVDECs /0 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'NV-GETTING-STARTED'],
      },
      {
        name: '7g.40gb', resourceName: 'nvidia.com/mig-7g.40gb', nvidiaSmiProfileId: 0, computeSlices: 7, memorySlices: 8, memoryGb: 40, maxInstances: 1,
        placementStarts: [0], copyEngines: 7, fractionOfMemory: 'Full', fractionOfSms: '7/7', hardwareUnits: '5 NVDECs /1 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'NV-GETTING-STARTED'],
      },
    ],
  },
  {
    gpu: 'A100-SXM4-80GB',
    alsoAppliesTo: ['A100-PCIE-80GB'],
    awsInstanceTypes: ['p4de.24xlarge'],
    totalComputeSlices: 7, totalMemorySlices: 8,
    placementsVerified: false,
    placementsBasis: 'Inferred: the MIG User Guide says A100-SXM4-80GB uses the A100-40GB profiles renamed by memory proportion (1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb); no -lgipp output for an 80GB A100 was found',
    profiles: [
      {
        name: '1g.10gb', resourceName: 'nvidia.com/mig-1g.10gb', nvidiaSmiProfileId: 19, computeSlices: 1, memorySlices: 1, memoryGb: 10, maxInstances: 7,
        placementStarts: [0, 1, 2, 3, 4, 5, 6], copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: undefined,
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'], note: 'Only the profile name (and, for all but +me, max_instances via the AWS EKS p4de table) is documented for 80GB; profile id, slices, fractions and placements are carried over from the A100-40GB table/-lgipp output (MIG guide: 80GB names change by memory proportion) and are NOT independently verified',
      },
      {
        name: '1g.10gb+me', resourceName: 'nvidia.com/mig-1g.10gb.me', nvidiaSmiProfileId: 20, computeSlices: 1, memorySlices: 1, memoryGb: 10, maxInstances: 1,
        placementStarts: [0, 1, 2, 3, 4, 5, 6], copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: undefined,
        sources: ['NV-PROFILES'], note: 'Only the profile name (and, for all but +me, max_instances via the AWS EKS p4de table) is documented for 80GB; profile id, slices, fractions and placements are carried over from the A100-40GB table/-lgipp output (MIG guide: 80GB names change by memory proportion) and are NOT independently verified',
      },
      {
        name: '1g.20gb', resourceName: 'nvidia.com/mig-1g.20gb', nvidiaSmiProfileId: 15, computeSlices: 1, memorySlices: 2, memoryGb: 20, maxInstances: 4,
        placementStarts: [0, 2, 4, 6], copyEngines: 1, fractionOfMemory: '2/8 (inferred)', fractionOfSms: '1/7', hardwareUnits: undefined,
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'], note: 'Only the profile name (and, for all but +me, max_instances via the AWS EKS p4de table) is documented for 80GB; profile id, slices, fractions and placements are carried over from the A100-40GB table/-lgipp output (MIG guide: 80GB names change by memory proportion) and are NOT independently verified',
      },
      {
        name: '2g.20gb', resourceName: 'nvidia.com/mig-2g.20gb', nvidiaSmiProfileId: 14, computeSlices: 2, memorySlices: 2, memoryGb: 20, maxInstances: 3,
        placementStarts: [0, 2, 4], copyEngines: 2, fractionOfMemory: '2/8', fractionOfSms: '2/7', hardwareUnits: undefined,
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'], note: 'Only the profile name (and, for all but +me, max_instances via the AWS EKS p4de table) is documented for 80GB; profile id, slices, fractions and placements are carried over from the A100-40GB table/-lgipp output (MIG guide: 80GB names change by memory proportion) and are NOT independently verified',
      },
      {
        name: '3g.40gb', resourceName: 'nvidia.com/mig-3g.40gb', nvidiaSmiProfileId: 9, computeSlices: 3, memorySlices: 4, memoryGb: 40, maxInstances: 2,
        placementStarts: [0, 4], copyEngines: 3, fractionOfMemory: '4/8', fractionOfSms: '3/7', hardwareUnits: undefined,
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'], note: 'Only the profile name (and, for all but +me, max_instances via the AWS EKS p4de table) is documented for 80GB; profile id, slices, fractions and placements are carried over from the A100-40GB table/-lgipp output (MIG guide: 80GB names change by memory proportion) and are NOT independently verified',
      },
      {
        name: '4g.40gb', resourceName: 'nvidia.com/mig-4g.40gb', nvidiaSmiProfileId: 5, computeSlices: 4, memorySlices: 4, memoryGb: 40, maxInstances: 1,
        placementStarts: [0], copyEngines: 4, fractionOfMemory: '4/8', fractionOfSms: '4/7', hardwareUnits: undefined,
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'], note: 'Only the profile name (and, for all but +me, max_instances via the AWS EKS p4de table) is documented for 80GB; profile id, slices, fractions and placements are carried over from the A100-40GB table/-lgipp output (MIG guide: 80GB names change by memory proportion) and are NOT independently verified',
      },
      {
        name: '7g.80gb', resourceName: 'nvidia.com/mig-7g.80gb', nvidiaSmiProfileId: 0, computeSlices: 7, memorySlices: 8, memoryGb: 80, maxInstances: 1,
        placementStarts: [0], copyEngines: 7, fractionOfMemory: 'Full', fractionOfSms: '7/7', hardwareUnits: undefined,
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'], note: 'Only the profile name (and, for all but +me, max_instances via the AWS EKS p4de table) is documented for 80GB; profile id, slices, fractions and placements are carried over from the A100-40GB table/-lgipp output (MIG guide: 80GB names change by memory proportion) and are NOT independently verified',
      },
    ],
  },
  {
    gpu: 'H100-80GB (SXM5 and PCIe)',
    alsoAppliesTo: ['H100-SXM5-80GB', 'H100-PCIE-80GB (same NVIDIA table: \'H100 80GB product (PCIe and SXM5)\')'],
    awsInstanceTypes: ['p5.48xlarge', 'p5.4xlarge (H100; not listed in the AWS EKS MIG table)'],
    totalComputeSlices: 7, totalMemorySlices: 8,
    placementsVerified: true,
    placementsBasis: 'public nvidia-smi mig -lgipp output from an H100 80GB (132 SM) GPU; identical to the A100-40GB output in the NVIDIA guide',
    profiles: [
      {
        name: '1g.10gb', resourceName: 'nvidia.com/mig-1g.10gb', nvidiaSmiProfileId: 19, computeSlices: 1, memorySlices: 1, memoryGb: 10, maxInstances: 7,
        placementStarts: [0, 1, 2, 3, 4, 5, 6], copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-80GB', 'AWS-EKS-MIG'],
      },
      {
        name: '1g.10gb+me', resourceName: 'nvidia.com/mig-1g.10gb.me', nvidiaSmiProfileId: 20, computeSlices: 1, memorySlices: 1, memoryGb: 10, maxInstances: 1,
        placementStarts: [0, 1, 2, 3, 4, 5, 6], copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-80GB'],
      },
      {
        name: '1g.20gb', resourceName: 'nvidia.com/mig-1g.20gb', nvidiaSmiProfileId: 15, computeSlices: 1, memorySlices: 2, memoryGb: 20, maxInstances: 4,
        placementStarts: [0, 2, 4, 6], copyEngines: 1, fractionOfMemory: '1/4', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-80GB', 'AWS-EKS-MIG'],
      },
      {
        name: '2g.20gb', resourceName: 'nvidia.com/mig-2g.20gb', nvidiaSmiProfileId: 14, computeSlices: 2, memorySlices: 2, memoryGb: 20, maxInstances: 3,
        placementStarts: [0, 2, 4], copyEngines: 2, fractionOfMemory: '2/8', fractionOfSms: '2/7', hardwareUnits: '2 NVDECs /2 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-80GB', 'AWS-EKS-MIG'],
      },
      {
        name: '3g.40gb', resourceName: 'nvidia.com/mig-3g.40gb', nvidiaSmiProfileId: 9, computeSlices: 3, memorySlices: 4, memoryGb: 40, maxInstances: 2,
        placementStarts: [0, 4], copyEngines: 3, fractionOfMemory: '4/8', fractionOfSms: '3/7', hardwareUnits: '3 NVDECs /3 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-80GB', 'AWS-EKS-MIG'],
      },
      {
        name: '4g.40gb', resourceName: 'nvidia.com/mig-4g.40gb', nvidiaSmiProfileId: 5, computeSlices: 4, memorySlices: 4, memoryGb: 40, maxInstances: 1,
        placementStarts: [0], copyEngines: 4, fractionOfMemory: '4/8', fractionOfSms: '4/7', hardwareUnits: '4 NVDECs /4 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-80GB', 'AWS-EKS-MIG'],
      },
      {
        name: '7g.80gb', resourceName: 'nvidia.com/mig-7g.80gb', nvidiaSmiProfileId: 0, computeSlices: 7, memorySlices: 8, memoryGb: 80, maxInstances: 1,
        placementStarts: [0], copyEngines: 8, fractionOfMemory: 'Full', fractionOfSms: '7/7', hardwareUnits: '7 NVDECs /7 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-80GB', 'AWS-EKS-MIG'],
      },
    ],
  },
  {
    gpu: 'H100-94GB (H100 NVL; PCIe and SXM5 94GB)',
    alsoAppliesTo: ['H800 NVL (per mig-parted config comments)'],
    awsInstanceTypes: [],
    totalComputeSlices: 7, totalMemorySlices: 8,
    placementsVerified: true,
    placementsBasis: 'nvidia-smi mig -lgipp output quoted for the H100 NVL GPU',
    profiles: [
      {
        name: '1g.12gb', resourceName: 'nvidia.com/mig-1g.12gb', nvidiaSmiProfileId: 19, computeSlices: 1, memorySlices: 1, memoryGb: 12, maxInstances: 7,
        placementStarts: [0, 1, 2, 3, 4, 5, 6], copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-NVL'],
      },
      {
        name: '1g.12gb+me', resourceName: 'nvidia.com/mig-1g.12gb.me', nvidiaSmiProfileId: 20, computeSlices: 1, memorySlices: 1, memoryGb: 12, maxInstances: 1,
        placementStarts: [0, 1, 2, 3, 4, 5, 6], copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-NVL'],
      },
      {
        name: '1g.24gb', resourceName: 'nvidia.com/mig-1g.24gb', nvidiaSmiProfileId: 15, computeSlices: 1, memorySlices: 2, memoryGb: 24, maxInstances: 4,
        placementStarts: [0, 2, 4, 6], copyEngines: 1, fractionOfMemory: '1/4', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-NVL'],
      },
      {
        name: '2g.24gb', resourceName: 'nvidia.com/mig-2g.24gb', nvidiaSmiProfileId: 14, computeSlices: 2, memorySlices: 2, memoryGb: 24, maxInstances: 3,
        placementStarts: [0, 2, 4], copyEngines: 2, fractionOfMemory: '2/8', fractionOfSms: '2/7', hardwareUnits: '2 NVDECs /2 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-NVL'],
      },
      {
        name: '3g.47gb', resourceName: 'nvidia.com/mig-3g.47gb', nvidiaSmiProfileId: 9, computeSlices: 3, memorySlices: 4, memoryGb: 47, maxInstances: 2,
        placementStarts: [0, 4], copyEngines: 3, fractionOfMemory: '4/8', fractionOfSms: '3/7', hardwareUnits: '3 NVDECs /3 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-NVL'],
      },
      {
        name: '4g.47gb', resourceName: 'nvidia.com/mig-4g.47gb', nvidiaSmiProfileId: 5, computeSlices: 4, memorySlices: 4, memoryGb: 47, maxInstances: 1,
        placementStarts: [0], copyEngines: 4, fractionOfMemory: '4/8', fractionOfSms: '4/7', hardwareUnits: '4 NVDECs /4 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-NVL'],
      },
      {
        name: '7g.94gb', resourceName: 'nvidia.com/mig-7g.94gb', nvidiaSmiProfileId: 0, computeSlices: 7, memorySlices: 8, memoryGb: 94, maxInstances: 1,
        placementStarts: [0], copyEngines: 8, fractionOfMemory: 'Full', fractionOfSms: '7/7', hardwareUnits: '7 NVDECs /7 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'SMI-H100-NVL'],
      },
    ],
  },
  {
    gpu: 'H100-96GB (H100 on GH200)',
    alsoAppliesTo: [],
    awsInstanceTypes: [],
    totalComputeSlices: 7, totalMemorySlices: 8,
    placementsVerified: false,
    placementsBasis: 'not verified (NVIDIA shows placements only as a diagram image); every -lgipp output found (A100-40GB, H100-80GB, H100 NVL) gives the same pattern per profile ID: 19/20 -> {0..6}, 15 -> {0,2,4,6}, 14 -> {0,2,4}, 9 -> {0,4}, 5 -> {0}, 0 -> {0}',
    profiles: [
      {
        name: '1g.12gb', resourceName: 'nvidia.com/mig-1g.12gb', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 1, memoryGb: 12, maxInstances: 7,
        placementStarts: undefined, copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES'],
      },
      {
        name: '1g.12gb+me', resourceName: 'nvidia.com/mig-1g.12gb.me', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 1, memoryGb: 12, maxInstances: 1,
        placementStarts: undefined, copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /1 OFA',
        sources: ['NV-PROFILES'],
      },
      {
        name: '1g.24gb', resourceName: 'nvidia.com/mig-1g.24gb', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 2, memoryGb: 24, maxInstances: 4,
        placementStarts: undefined, copyEngines: 1, fractionOfMemory: '1/4', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES'],
      },
      {
        name: '2g.24gb', resourceName: 'nvidia.com/mig-2g.24gb', nvidiaSmiProfileId: undefined, computeSlices: 2, memorySlices: 2, memoryGb: 24, maxInstances: 3,
        placementStarts: undefined, copyEngines: 2, fractionOfMemory: '2/8', fractionOfSms: '2/7', hardwareUnits: '2 NVDECs /2 JPEG /0 OFA',
        sources: ['NV-PROFILES'],
      },
      {
        name: '3g.48gb', resourceName: 'nvidia.com/mig-3g.48gb', nvidiaSmiProfileId: undefined, computeSlices: 3, memorySlices: 4, memoryGb: 48, maxInstances: 2,
        placementStarts: undefined, copyEngines: 3, fractionOfMemory: '4/8', fractionOfSms: '3/7', hardwareUnits: '3 NVDECs /3 JPEG /0 OFA',
        sources: ['NV-PROFILES'],
      },
      {
        name: '4g.48gb', resourceName: 'nvidia.com/mig-4g.48gb', nvidiaSmiProfileId: undefined, computeSlices: 4, memorySlices: 4, memoryGb: 48, maxInstances: 1,
        placementStarts: undefined, copyEngines: 4, fractionOfMemory: '4/8', fractionOfSms: '4/7', hardwareUnits: '4 NVDECs /4 JPEG /0 OFA',
        sources: ['NV-PROFILES'],
      },
      {
        name: '7g.96gb', resourceName: 'nvidia.com/mig-7g.96gb', nvidiaSmiProfileId: undefined, computeSlices: 7, memorySlices: 8, memoryGb: 96, maxInstances: 1,
        placementStarts: undefined, copyEngines: 8, fractionOfMemory: 'Full', fractionOfSms: '7/7', hardwareUnits: '7 NVDECs /7 JPEG /1 OFA',
        sources: ['NV-PROFILES'],
      },
    ],
  },
  {
    gpu: 'H200-141GB',
    alsoAppliesTo: ['H200-SXM5', 'H200 NVL (NVIDIA \'Supported GPUs\' lists both at 141GB / 7 instances; the profile table is titled \'H200 141GB product\')'],
    awsInstanceTypes: ['p5e.48xlarge', 'p5en.48xlarge'],
    totalComputeSlices: 7, totalMemorySlices: 8,
    placementsVerified: false,
    placementsBasis: 'not verified (NVIDIA shows placements only as a diagram image); every -lgipp output found (A100-40GB, H100-80GB, H100 NVL) gives the same pattern per profile ID: 19/20 -> {0..6}, 15 -> {0,2,4,6}, 14 -> {0,2,4}, 9 -> {0,4}, 5 -> {0}, 0 -> {0}',
    profiles: [
      {
        name: '1g.18gb', resourceName: 'nvidia.com/mig-1g.18gb', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 1, memoryGb: 18, maxInstances: 7,
        placementStarts: undefined, copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDECs /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '1g.18gb+me', resourceName: 'nvidia.com/mig-1g.18gb.me', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 1, memoryGb: 18, maxInstances: 1,
        placementStarts: undefined, copyEngines: 1, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /1 OFA',
        sources: ['NV-PROFILES'],
      },
      {
        name: '1g.35gb', resourceName: 'nvidia.com/mig-1g.35gb', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 2, memoryGb: 35, maxInstances: 4,
        placementStarts: undefined, copyEngines: 1, fractionOfMemory: '1/4', fractionOfSms: '1/7', hardwareUnits: '1 NVDECs /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '2g.35gb', resourceName: 'nvidia.com/mig-2g.35gb', nvidiaSmiProfileId: undefined, computeSlices: 2, memorySlices: 2, memoryGb: 35, maxInstances: 3,
        placementStarts: undefined, copyEngines: 2, fractionOfMemory: '2/8', fractionOfSms: '2/7', hardwareUnits: '2 NVDECs /2 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '3g.71gb', resourceName: 'nvidia.com/mig-3g.71gb', nvidiaSmiProfileId: undefined, computeSlices: 3, memorySlices: 4, memoryGb: 71, maxInstances: 2,
        placementStarts: undefined, copyEngines: 3, fractionOfMemory: '4/8', fractionOfSms: '3/7', hardwareUnits: '3 NVDECs /3 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '4g.71gb', resourceName: 'nvidia.com/mig-4g.71gb', nvidiaSmiProfileId: undefined, computeSlices: 4, memorySlices: 4, memoryGb: 71, maxInstances: 1,
        placementStarts: undefined, copyEngines: 4, fractionOfMemory: '4/8', fractionOfSms: '4/7', hardwareUnits: '4 NVDECs /4 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '7g.141gb', resourceName: 'nvidia.com/mig-7g.141gb', nvidiaSmiProfileId: undefined, computeSlices: 7, memorySlices: 8, memoryGb: 141, maxInstances: 1,
        placementStarts: undefined, copyEngines: 8, fractionOfMemory: 'Full', fractionOfSms: '7/7', hardwareUnits: '7 NVDECs /7 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
    ],
  },
  {
    gpu: 'B200-180GB',
    alsoAppliesTo: [],
    awsInstanceTypes: ['p6-b200.48xlarge'],
    totalComputeSlices: 7, totalMemorySlices: 8,
    placementsVerified: false,
    placementsBasis: 'not verified (NVIDIA shows placements only as a diagram image); every -lgipp output found (A100-40GB, H100-80GB, H100 NVL) gives the same pattern per profile ID: 19/20 -> {0..6}, 15 -> {0,2,4,6}, 14 -> {0,2,4}, 9 -> {0,4}, 5 -> {0}, 0 -> {0}',
    profiles: [
      {
        name: '1g.23gb', resourceName: 'nvidia.com/mig-1g.23gb', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 1, memoryGb: 23, maxInstances: 7,
        placementStarts: undefined, copyEngines: 2, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '1g.23gb+me', resourceName: 'nvidia.com/mig-1g.23gb.me', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 1, memoryGb: 23, maxInstances: 1,
        placementStarts: undefined, copyEngines: 2, fractionOfMemory: '1/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /1 OFA',
        sources: ['NV-PROFILES'],
      },
      {
        name: '1g.45gb', resourceName: 'nvidia.com/mig-1g.45gb', nvidiaSmiProfileId: undefined, computeSlices: 1, memorySlices: 2, memoryGb: 45, maxInstances: 4,
        placementStarts: undefined, copyEngines: 2, fractionOfMemory: '2/8', fractionOfSms: '1/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '2g.45gb', resourceName: 'nvidia.com/mig-2g.45gb', nvidiaSmiProfileId: undefined, computeSlices: 2, memorySlices: 2, memoryGb: 45, maxInstances: 3,
        placementStarts: undefined, copyEngines: 3, fractionOfMemory: '2/8', fractionOfSms: '2/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '3g.90gb', resourceName: 'nvidia.com/mig-3g.90gb', nvidiaSmiProfileId: undefined, computeSlices: 3, memorySlices: 4, memoryGb: 90, maxInstances: 2,
        placementStarts: undefined, copyEngines: 6, fractionOfMemory: '4/8', fractionOfSms: '3/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '4g.90gb', resourceName: 'nvidia.com/mig-4g.90gb', nvidiaSmiProfileId: undefined, computeSlices: 4, memorySlices: 4, memoryGb: 90, maxInstances: 1,
        placementStarts: undefined, copyEngines: 8, fractionOfMemory: '4/8', fractionOfSms: '4/7', hardwareUnits: '1 NVDEC /1 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
      {
        name: '7g.180gb', resourceName: 'nvidia.com/mig-7g.180gb', nvidiaSmiProfileId: undefined, computeSlices: 7, memorySlices: 8, memoryGb: 180, maxInstances: 1,
        placementStarts: undefined, copyEngines: 16, fractionOfMemory: 'Full', fractionOfSms: 'Full', hardwareUnits: '1 NVDEC /1 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'AWS-EKS-MIG'],
      },
    ],
  },
  {
    gpu: 'A30-24GB',
    alsoAppliesTo: [],
    awsInstanceTypes: [],
    totalComputeSlices: 4, totalMemorySlices: 4,
    placementsVerified: true,
    placementsBasis: 'public nvidia-smi mig -lgipp output for A30',
    profiles: [
      {
        name: '1g.6gb', resourceName: 'nvidia.com/mig-1g.6gb', nvidiaSmiProfileId: 14, computeSlices: 1, memorySlices: 1, memoryGb: 6, maxInstances: 4,
        placementStarts: [0, 1, 2, 3], copyEngines: 1, fractionOfMemory: '1/4', fractionOfSms: '1/4', hardwareUnits: '0 NVDECs /0 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-A30'],
      },
      {
        name: '1g.6gb+me', resourceName: 'nvidia.com/mig-1g.6gb.me', nvidiaSmiProfileId: 21, computeSlices: 1, memorySlices: 1, memoryGb: 6, maxInstances: 1,
        placementStarts: [0, 1, 2, 3], copyEngines: 1, fractionOfMemory: '1/4', fractionOfSms: '1/4', hardwareUnits: '1 NVDEC /1 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'SMI-A30'], note: 'R470+ driver',
      },
      {
        name: '2g.12gb', resourceName: 'nvidia.com/mig-2g.12gb', nvidiaSmiProfileId: 5, computeSlices: 2, memorySlices: 2, memoryGb: 12, maxInstances: 2,
        placementStarts: [0, 2], copyEngines: 2, fractionOfMemory: '2/4', fractionOfSms: '2/4', hardwareUnits: '2 NVDECs /0 JPEG /0 OFA',
        sources: ['NV-PROFILES', 'SMI-A30'],
      },
      {
        name: '2g.12gb+me', resourceName: 'nvidia.com/mig-2g.12gb.me', nvidiaSmiProfileId: 6, computeSlices: 2, memorySlices: 2, memoryGb: 12, maxInstances: 1,
        placementStarts: [0, 2], copyEngines: 2, fractionOfMemory: '2/4', fractionOfSms: '2/4', hardwareUnits: '2 NVDECs /1 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'SMI-A30'], note: 'R525+ driver',
      },
      {
        name: '4g.24gb', resourceName: 'nvidia.com/mig-4g.24gb', nvidiaSmiProfileId: 0, computeSlices: 4, memorySlices: 4, memoryGb: 24, maxInstances: 1,
        placementStarts: [0], copyEngines: 4, fractionOfMemory: 'Full', fractionOfSms: '4/4', hardwareUnits: '4 NVDECs /1 JPEG /1 OFA',
        sources: ['NV-PROFILES', 'SMI-A30'], note: 'example outputs show 23.44 and 23.50 GiB',
      },
    ],
  },
];

/**
 * The 81 MIG Manager (mig-parted) default config names, in file order: NVIDIA/mig-parted v0.15.0
 * `deployments/systemd/config-default.yaml` (commit e2d5ad1fc72b9d298ea6d04b885cf2d7dbe56941, Apache-2.0); the GPU
 * Operator v26.7.0 ConfigMap `default-mig-parted-config` ships the same names. Copied from mig-profiles.json
 * `mig_manager_default_configs.names`.
 * @internal
 */
export const MIG_MANAGER_CONFIG_NAMES: readonly string[] = [
  'all-disabled', 'all-enabled', 'all-1g.5gb', 'all-1g.5gb.me', 'all-2g.10gb', 'all-3g.20gb', 'all-4g.20gb',
  'all-7g.40gb', 'all-1g.24gb.gfx', 'all-1g.24gb.me.all', 'all-1g.24gb-me', 'all-2g.48gb', 'all-2g.48gb.gfx',
  'all-2g.48gb.me.all', 'all-2g.48gb-me', 'all-4g.96gb', 'all-4g.96gb.gfx', 'all-1g.10gb', 'all-1g.10gb.me',
  'all-1g.20gb', 'all-2g.20gb', 'all-3g.40gb', 'all-4g.40gb', 'all-7g.80gb', 'all-1g.6gb', 'all-1g.6gb.me',
  'all-2g.12gb', 'all-2g.12gb.me', 'all-4g.24gb', 'all-1g.12gb', 'all-1g.12gb.me', 'all-1g.24gb', 'all-2g.24gb',
  'all-1g.24gb.me', 'all-1g.47gb', 'all-2g.47gb', 'all-3g.93gb', 'all-4g.93gb', 'all-7g.186gb', 'all-3g.47gb',
  'all-4g.47gb', 'all-7g.94gb', 'all-3g.48gb', 'all-4g.48gb', 'all-7g.96gb', 'all-balanced', 'all-1g.18gb',
  'all-1g.18gb.me', 'all-1g.23gb', 'all-1g.23gb.me', 'all-1g.35gb', 'all-2g.35gb', 'all-3g.71gb', 'all-4g.71gb',
  'all-7g.141gb', 'all-1g.34gb', 'all-1g.34gb.me', 'all-1g.35gb.me', 'all-1g.36gb', 'all-1g.45gb', 'all-1g.67gb',
  'all-1g.70gb', 'all-2g.36gb', 'all-2g.45gb', 'all-2g.67gb', 'all-2g.70gb', 'all-3g.72gb', 'all-3g.90gb',
  'all-3g.95gb', 'all-3g.135gb', 'all-3g.139gb', 'all-4g.72gb', 'all-4g.90gb', 'all-4g.95gb', 'all-4g.135gb',
  'all-4g.139gb', 'all-7g.144gb', 'all-7g.180gb', 'all-7g.189gb', 'all-7g.269gb', 'all-7g.278gb',
];
