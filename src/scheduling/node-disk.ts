/**
 * The ephemeral storage Karpenter counts on a node it would launch: what a pod's `ephemeral-storage` request is
 * compared with when Karpenter picks an instance type, read from the EC2NodeClass the way karpenter-provider-aws does
 * (`pkg/providers/instancetype/types.go` `ephemeralStorage`, `kubeReservedResources`, `evictionThreshold`, at
 * 1d927085; AMI families' default block devices in `pkg/providers/amifamily`).
 */
import { GpuInstanceType } from '../catalog';
import { tryParseQuantity } from './resources';
import { hasOwn } from '../private/keys';

const GiB = 1024 ** 3;

/** Karpenter's view of the disk a node of one instance type gives its pods. */
export interface NodeDisk {
  /** The capacity Karpenter counts: the instance store, or the EBS volume the kubelet runs on. */
  readonly capacityBytes: number;
  /** What pods may request: the capacity less kube-reserved, system-reserved and the hard eviction threshold. */
  readonly allocatableBytes: number;
  /** Where the capacity comes from, e.g. `a 20Gi /dev/xvda (Karpenter's default for AL2023: …)`. */
  readonly source: string;
  /** The reservations, e.g. `1Gi kube-reserved, 2Gi eviction threshold (nodefs.available 10%)`. */
  readonly reserved: string;
  /**
   * The fastest the EBS volume holding it writes ({@link ebsWriteRate}, capped by the instance's EBS bandwidth);
   * undefined on the instance store (RAID0) and when the volume's type is not known.
   */
  readonly writeRate?: DiskWriteRate;
}

/** The fastest a disk can write, with how it is known. */
export interface DiskWriteRate {
  readonly bytesPerSecond: number;
  /** e.g. `gp3 at its default 125 MiB/s`. */
  readonly shown: string;
}

const MiB = 1024 ** 2;

/**
 * The most each EBS volume type other than gp3 delivers, in MiB/s (AWS EBS User Guide, "Amazon EBS volume types"):
 * gp2 250 (its largest sizes; smaller ones less), io1 1,000, io2 4,000 (Block Express), st1 500, sc1 250, standard
 * (magnetic) 90. A gp3 volume delivers the throughput provisioned, 125 MiB/s unless raised.
 */
const EBS_MOST_MIBPS: Readonly<Record<string, number>> = { gp2: 250, io1: 1000, io2: 4000, st1: 500, sc1: 250, standard: 90 };

/**
 * The fastest an EBS volume of `volumeType` writes: gp3's `throughput` (125 MiB/s, its baseline, when unset), the most
 * the other types deliver; undefined for a type not known or a throughput that is not a positive whole number.
 */
export function ebsWriteRate(volumeType: unknown, throughput: unknown): DiskWriteRate | undefined {
  if (volumeType === 'gp3') {
    const raw = typeof throughput === 'string' && /^\d+$/.test(throughput) ? Number(throughput) : throughput;
    if (raw === undefined) return { bytesPerSecond: 125 * MiB, shown: 'gp3 at its default 125 MiB/s' };
    return typeof raw === 'number' && Number.isInteger(raw) && raw > 0 ? { bytesPerSecond: raw * MiB, shown: `gp3 at its throughput ${raw} MiB/s` } : undefined;
  }
  const most = typeof volumeType === 'string' && hasOwn(EBS_MOST_MIBPS, volumeType) ? EBS_MOST_MIBPS[volumeType] : undefined;
  return most === undefined ? undefined : { bytesPerSecond: most * MiB, shown: `${volumeType} at most ${most} MiB/s` };
}

/** `rate`, capped by the EBS bandwidth of an instance of `type` (the catalog's, in Mbps). */
function cappedByInstance(rate: DiskWriteRate | undefined, type: GpuInstanceType): DiskWriteRate | undefined {
  const instance = type.ebsBandwidthMbps > 0 ? (type.ebsBandwidthMbps * 1e6) / 8 : Infinity;
  if (rate === undefined || rate.bytesPerSecond <= instance) return rate;
  return { bytesPerSecond: instance, shown: `${rate.shown}, capped by ${type.name}'s EBS bandwidth of ${type.ebsBandwidthMbps} Mbps` };
}

/** An AMI family as Karpenter names it, with the device its pods' storage is on and that device's default size. */
interface Family {
  readonly name: string;
  /** `EphemeralBlockDevice()`; undefined for Custom (unknown to Karpenter). */
  readonly device?: string;
  /** The default size of that device (`DefaultBlockDeviceMappings()`). */
  readonly defaultBytes: number;
}

/** Karpenter's `DefaultEBS` volume size, 20Gi (`pkg/providers/amifamily/resolver.go`). */
const DEFAULT_EBS_BYTES = 20 * GiB;

const FAMILIES: Readonly<Record<string, Family>> = {
  al2: { name: 'AL2', device: '/dev/xvda', defaultBytes: DEFAULT_EBS_BYTES },
  al2023: { name: 'AL2023', device: '/dev/xvda', defaultBytes: DEFAULT_EBS_BYTES },
  // (Bottlerocket: a 4Gi OS volume /dev/xvda, and the data volume /dev/xvdb its pods use)
  bottlerocket: { name: 'Bottlerocket', device: '/dev/xvdb', defaultBytes: DEFAULT_EBS_BYTES },
  windows2019: { name: 'Windows2019', device: '/dev/sda1', defaultBytes: 50 * GiB },
  windows2022: { name: 'Windows2022', device: '/dev/sda1', defaultBytes: 50 * GiB },
  windows2025: { name: 'Windows2025', device: '/dev/sda1', defaultBytes: 50 * GiB },
  custom: { name: 'Custom', defaultBytes: DEFAULT_EBS_BYTES },
};

/**
 * The AMI family of an EC2NodeClass (`EC2NodeClass.AMIFamily()`): `spec.amiFamily`, else the family of its first
 * `alias` term; a name Karpenter does not know is AL2, as `GetAMIFamily` reads it. Undefined when neither is written.
 */
function familyOf(spec: any): Family | undefined {
  const named = spec?.amiFamily;
  if (typeof named === 'string') return FAMILIES[named.toLowerCase()] ?? FAMILIES.al2;
  const terms = Array.isArray(spec?.amiSelectorTerms) ? spec.amiSelectorTerms : [];
  const alias = terms.find((t: any) => typeof t?.alias === 'string' && t.alias !== '')?.alias as string | undefined;
  if (alias === undefined) return undefined;
  const family = FAMILIES[alias.split('@')[0].toLowerCase()];
  return family && family.name !== 'Custom' ? family : undefined;
}

/** A volume size as written (`200Gi`); undefined when absent or not a quantity. */
function volumeBytes(mapping: any): number | undefined {
  const raw = mapping?.ebs?.volumeSize;
  const n = raw === undefined ? undefined : tryParseQuantity(raw);
  return n !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Bytes as Kubernetes would write them: `20Gi`, `250G`, or a plain count. */
export function formatDiskBytes(b: number): string {
  if (b % GiB === 0) return `${b / GiB}Gi`;
  if (b % 1e9 === 0) return `${b / 1e9}G`;
  return b >= GiB ? `${+(b / GiB).toFixed(1)}Gi` : `${b}`;
}

/**
 * The capacity Karpenter counts (`ephemeralStorage`): with `instanceStorePolicy: RAID0`, the instance store's total
 * size on a type that has one; else, with `blockDeviceMappings`, the one marked `rootVolume` (with a size), for a
 * Custom AMI the last mapping's size, otherwise the mapping of the family's ephemeral device; else that device's
 * default size; else 20Gi.
 */
function capacityOf(spec: any, family: Family, type: GpuInstanceType): { bytes: number; source: string } {
  if (spec?.instanceStorePolicy === 'RAID0' && type.localNvmeGb > 0) {
    return { bytes: type.localNvmeGb * 1e9, source: `a ${type.localNvmeGb}G instance store (instanceStorePolicy RAID0)` };
  }
  return volumeOf(spec, family);
}

/**
 * The write rate of the EBS volume {@link volumeOf} picks: its mapping's type and throughput; Karpenter's default
 * volume (no mappings) is gp3 (`DefaultEBS`). Undefined when a mapping names no type, or the AMI's own volume is used.
 */
function volumeWriteRate(spec: any, family: Family): DiskWriteRate | undefined {
  const v = volumeOf(spec, family);
  if (v.mapping === undefined) return v.karpenterDefault ? ebsWriteRate('gp3', undefined) : undefined;
  return ebsWriteRate(v.mapping?.ebs?.volumeType, v.mapping?.ebs?.throughput);
}

/**
 * The EBS volume of {@link capacityOf}: the mapping marked `rootVolume` (with a size), for a Custom AMI the last
 * mapping's size, otherwise the mapping of the family's ephemeral device; else that device's default size; else 20Gi.
 */
function volumeOf(spec: any, family: Family): { bytes: number; source: string; mapping?: any; karpenterDefault?: boolean } {
  const mappings: any[] = Array.isArray(spec?.blockDeviceMappings) ? spec.blockDeviceMappings : [];
  if (mappings.length > 0) {
    const rootAt = mappings.findIndex((m) => m?.rootVolume === true);
    const rootSize = rootAt < 0 ? undefined : volumeBytes(mappings[rootAt]);
    if (rootSize !== undefined) {
      return { bytes: rootSize, source: `a ${formatDiskBytes(rootSize)} volume (blockDeviceMappings[${rootAt}], rootVolume)`, mapping: mappings[rootAt] };
    }
    if (family.device === undefined) {
      const last = volumeBytes(mappings[mappings.length - 1]);
      return last !== undefined
        ? { bytes: last, source: `a ${formatDiskBytes(last)} volume (blockDeviceMappings[${mappings.length - 1}], the last, as Karpenter reads a Custom AMI)`, mapping: mappings[mappings.length - 1] }
        : { bytes: DEFAULT_EBS_BYTES, source: 'a 20Gi volume (Karpenter\'s default size: the last mapping names none)' };
    }
    const at = mappings.findIndex((m) => m?.deviceName === family.device);
    const size = at < 0 ? undefined : volumeBytes(mappings[at]);
    if (size !== undefined) return { bytes: size, source: `a ${formatDiskBytes(size)} volume (blockDeviceMappings[${at}], ${family.device})`, mapping: mappings[at] };
    // (mappings without the device's: the AMI's own volume, of a type not known here)
    return { bytes: family.defaultBytes, source: `a ${formatDiskBytes(family.defaultBytes)} ${family.device} (Karpenter's default for ${family.name}: the EC2NodeClass gives it no size)` };
  }
  if (family.device === undefined) return { bytes: DEFAULT_EBS_BYTES, source: 'a 20Gi volume (Karpenter\'s default size, Custom AMI family)' };
  return {
    bytes: family.defaultBytes,
    source: `a ${formatDiskBytes(family.defaultBytes)} ${family.device} (Karpenter's default for ${family.name}: the EC2NodeClass gives it no size)`,
    karpenterDefault: true,
  };
}

/** A kubelet map entry of the EC2NodeClass (`spec.kubelet.<field>[<key>]`) as a string, when written. */
function kubeletEntry(spec: any, field: string, key: string): string | undefined {
  const m = spec?.kubelet?.[field];
  if (!m || typeof m !== 'object' || Array.isArray(m) || !hasOwn(m, key)) return undefined;
  return typeof m[key] === 'string' ? m[key] : undefined;
}

/**
 * The disk Karpenter counts for pods on a node of `type` launched with EC2NodeClass `nodeClass`: the capacity (see
 * {@link capacityOf}) less kube-reserved ephemeral-storage (1Gi unless `kubelet.kubeReserved` sets it), system-reserved
 * (none unless set) and the hard eviction threshold `nodefs.available` (10% unless `kubelet.evictionHard` sets it; 100%
 * disables it), as Karpenter subtracts them to get a node's allocatable. The kubelet's own figure is a little lower
 * (its filesystem's size, not the volume's). Undefined when a value cannot be read.
 */
export function nodeDiskOf(nodeClass: any, type: GpuInstanceType): NodeDisk | undefined {
  const spec = nodeClass?.spec;
  const family = familyOf(spec);
  if (!family) return undefined;
  const { bytes, source } = capacityOf(spec, family, type);

  const kubeRaw = kubeletEntry(spec, 'kubeReserved', 'ephemeral-storage');
  const kube = kubeRaw === undefined ? GiB : tryParseQuantity(kubeRaw);
  const systemRaw = kubeletEntry(spec, 'systemReserved', 'ephemeral-storage');
  const system = systemRaw === undefined ? 0 : tryParseQuantity(systemRaw);
  const evictionRaw = kubeletEntry(spec, 'evictionHard', 'nodefs.available');
  let eviction: number | undefined;
  let evictionShown: string;
  if (evictionRaw === undefined || evictionRaw.endsWith('%')) {
    const p = evictionRaw === undefined ? 10 : Number(evictionRaw.slice(0, -1));
    const percent = p === 100 ? 0 : p;
    eviction = Number.isFinite(percent) ? Math.ceil((bytes / 100) * percent) : undefined;
    evictionShown = `nodefs.available ${evictionRaw ?? '10%, the default'}`;
  } else {
    eviction = tryParseQuantity(evictionRaw);
    evictionShown = `nodefs.available ${evictionRaw}`;
  }
  if (kube === undefined || system === undefined || eviction === undefined) return undefined;
  const reserved = [
    `${formatDiskBytes(kube)} kube-reserved`,
    ...(system > 0 ? [`${formatDiskBytes(system)} system-reserved`] : []),
    `${formatDiskBytes(eviction)} eviction threshold (${evictionShown})`,
  ].join(', ');
  const raid = spec?.instanceStorePolicy === 'RAID0' && type.localNvmeGb > 0;
  const writeRate = raid ? undefined : cappedByInstance(volumeWriteRate(spec, family), type);
  return {
    capacityBytes: bytes,
    allocatableBytes: Math.max(0, bytes - kube - system - eviction),
    source,
    reserved,
    ...(writeRate ? { writeRate } : {}),
  };
}

/**
 * The EC2NodeClass a NodePool's `nodeClassRef` names, among `nodeClasses`; undefined when it names another kind or
 * one that is not there (its disk is then unknown).
 */
export function nodeClassOf(nodePool: any, nodeClasses: readonly any[]): any | undefined {
  const ref = nodePool?.spec?.template?.spec?.nodeClassRef;
  if (!ref || typeof ref !== 'object' || ref.kind !== 'EC2NodeClass' || typeof ref.name !== 'string') return undefined;
  if (ref.group !== undefined && ref.group !== 'karpenter.k8s.aws') return undefined;
  return nodeClasses.find((c) => c?.metadata?.name === ref.name);
}

/**
 * The directories of a node that setup-local-disks puts on the RAID0 of its instance store when the EC2NodeClass sets
 * `instanceStorePolicy: RAID0` (Karpenter has nodeadm, or AL2's bootstrap.sh, run it): the array is mounted at
 * `/mnt/k8s-disks/0`, and the kubelet's, containerd's and the pods' log directories are bind-mounted onto it
 * (amazon-eks-ami `templates/shared/runtime/bin/setup-local-disks`, `maybe_raid0`). Everything else stays on the root
 * volume.
 */
export const RAID0_DIRS: readonly string[] = ['/mnt/k8s-disks/0', '/var/lib/kubelet', '/var/lib/containerd', '/var/log/pods'];

/** The disk a directory of the node is on ({@link hostDirDiskOf}). */
export interface HostDirDisk {
  /** The size of the file system: the instance store's RAID0, or the root volume. */
  readonly bytes: number;
  /** e.g. `20Gi /dev/xvda (Karpenter's default for AL2023: the EC2NodeClass gives it no size), the root volume, …`. */
  readonly source: string;
  /** Whether containerd's images are on it too (the root volume without RAID0, or the RAID0). */
  readonly holdsImages: boolean;
  /** The fastest the root volume writes ({@link NodeDisk.writeRate}); undefined on the RAID0 and when not known. */
  readonly writeRate?: DiskWriteRate;
}


/**
 * The disk a directory of a node of `type` launched with EC2NodeClass `nodeClass` is on, for a hostPath volume: on
 * AL2 and AL2023 nodes with `instanceStorePolicy: RAID0` (and a type with an instance store), the RAID0 for the
 * directories of {@link RAID0_DIRS} and the root volume for every other; without it, the root volume, where the kubelet
 * and containerd are too. `hostDir` must be absolute and normalised. Undefined for other AMI families (Bottlerocket
 * keeps its root read-only and pods' data on a second volume; Windows; a Custom AMI's layout is its own). A directory
 * above one of the RAID0's (`/var/lib`) is on the root volume: what is written into it (a download's new folders) is.
 */
export function hostDirDiskOf(nodeClass: any, type: GpuInstanceType, hostDir: string): HostDirDisk | undefined {
  const spec = nodeClass?.spec;
  const family = familyOf(spec);
  if (!family || (family.name !== 'AL2' && family.name !== 'AL2023')) return undefined;
  const raid = spec?.instanceStorePolicy === 'RAID0' && type.localNvmeGb > 0;
  if (raid) {
    if (RAID0_DIRS.some((d) => hostDir === d || hostDir.startsWith(`${d}/`))) {
      return { bytes: type.localNvmeGb * 1e9, source: `${type.localNvmeGb}G RAID0 of its instance store (instanceStorePolicy RAID0)`, holdsImages: true };
    }
  }
  const root = volumeOf(spec, family);
  const source = root.source.replace(/^a /, '');
  const writeRate = cappedByInstance(volumeWriteRate(spec, family), type);
  return {
    ...(writeRate ? { writeRate } : {}),
    bytes: root.bytes,
    source: raid ? `${source}, the root volume (instanceStorePolicy RAID0 puts only ${RAID0_DIRS.join(', ')} on the instance store)`
      : `${source}, the root volume, which holds the kubelet's and containerd's directories too`,
    holdsImages: !raid,
  };
}
