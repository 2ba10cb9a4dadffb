/**
 * What a Karpenter v1 NodePool (`karpenter.sh/v1`) can launch, read from plain JSON.
 *
 * Instance types come from our catalog: a type is allowed when its Karpenter labels (plus the pool's template
 * labels) satisfy every requirement. As in Karpenter (`Requirements.Intersects` only compares keys both sides
 * define), a requirement on a key the type does not define does not filter types; requirements on Karpenter
 * well-known keys that the catalog does not model (e.g. `karpenter.k8s.aws/instance-accelerator-name`) are listed in
 * `unmodelledRequirements` so callers can say the answer is optimistic.
 */
import { GpuInstanceType } from '../catalog';
import { GpuConfigError } from '../errors';
import { isLabelValue, LabelSpace, NodeSelectorRequirement, requirementAllowsSpace, requirementAllowsValue, requirementsFromJson } from './labels';
import { HostDirDisk, NodeDisk, hostDirDiskOf, nodeClassOf, nodeDiskOf } from './node-disk';
import { tryParseQuantity } from './resources';
import { Taint, taintsFromJson } from './taints';
import { byCodeUnits } from '../private/order';

/** Karpenter's label keys for the pool and the capacity type (karpenter.sh/v1). */
export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';
/** @see NODEPOOL_LABEL */
export const CAPACITY_TYPE_LABEL = 'karpenter.sh/capacity-type';
/** The pod annotation that opts a pod's node out of Karpenter's voluntary disruption (consolidation, drift). */
export const DO_NOT_DISRUPT_ANNOTATION = 'karpenter.sh/do-not-disrupt';
/** Karpenter's capacity types. */
export const CAPACITY_TYPES: readonly string[] = ['on-demand', 'spot', 'reserved'];

/**
 * Hook for GPU sharing (MIG, time-slicing): a NodePool annotation whose value is a JSON object of extended
 * resources each GPU of a node advertises, e.g. `{"nvidia.com/mig-1g.10gb": 7}` (MIG `all-1g.10gb`, mixed
 * strategy) or `{"nvidia.com/gpu": 4}` (time-slicing with 4 replicas, no rename). Counts are per GPU and are
 * multiplied by the instance type's GPU count. Without it a node advertises `nvidia.com/gpu` = GPU count only.
 */
export const ADVERTISED_RESOURCES_ANNOTATION = 'cdk8s-gpu.io/advertised-resources-per-gpu';

/**
 * Keys Karpenter (core + AWS provider) knows values for, so a pod may select them without the pool listing them
 * (karpenter `v1.WellKnownLabels` and karpenter-provider-aws `apis/v1/labels.go`).
 */
export const KARPENTER_WELL_KNOWN_LABELS: readonly string[] = [
  'topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'topology.k8s.aws/zone-id',
  'node.kubernetes.io/instance-type', 'kubernetes.io/arch', 'kubernetes.io/os', 'node.kubernetes.io/windows-build',
  CAPACITY_TYPE_LABEL, NODEPOOL_LABEL,
  'karpenter.k8s.aws/instance-hypervisor', 'karpenter.k8s.aws/instance-encryption-in-transit-supported',
  'karpenter.k8s.aws/instance-category', 'karpenter.k8s.aws/instance-family', 'karpenter.k8s.aws/instance-generation',
  'karpenter.k8s.aws/instance-local-nvme', 'karpenter.k8s.aws/instance-size', 'karpenter.k8s.aws/instance-cpu',
  'karpenter.k8s.aws/instance-cpu-manufacturer', 'karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz',
  'karpenter.k8s.aws/instance-memory', 'karpenter.k8s.aws/instance-ebs-bandwidth',
  'karpenter.k8s.aws/instance-network-bandwidth', 'karpenter.k8s.aws/instance-gpu-name',
  'karpenter.k8s.aws/instance-gpu-manufacturer', 'karpenter.k8s.aws/instance-gpu-count',
  'karpenter.k8s.aws/instance-gpu-memory', 'karpenter.k8s.aws/instance-accelerator-name',
  'karpenter.k8s.aws/instance-accelerator-manufacturer', 'karpenter.k8s.aws/instance-accelerator-count',
  'karpenter.k8s.aws/instance-capability-flex', 'karpenter.k8s.aws/ec2nodeclass',
];

/** Keys whose value is chosen when the node launches (zone, hostname…): open in the label space. */
const LAUNCH_TIME_KEYS = ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'topology.k8s.aws/zone-id', 'kubernetes.io/hostname'];

/** `type.karpenterLabels()`, once per type (read only: callers copy it). */
function karpenterLabelsOf(type: GpuInstanceType): Readonly<Record<string, string>> {
  let labels = karpenterLabelsMemo.get(type);
  if (!labels) karpenterLabelsMemo.set(type, labels = Object.freeze(type.karpenterLabels()));
  return labels;
}
const karpenterLabelsMemo = new WeakMap<GpuInstanceType, Readonly<Record<string, string>>>();

/** The scheduling view of one NodePool. */
export interface PoolModel {
  /** metadata.name. */
  readonly name: string;
  /** The NodePool JSON. */
  readonly object: any;
  /** spec.template.spec.taints — pods must tolerate these. */
  readonly taints: Taint[];
  /** spec.template.spec.startupTaints — removed after start-up; pods need not tolerate them. */
  readonly startupTaints: Taint[];
  /** spec.template.metadata.labels. */
  readonly labels: Record<string, string>;
  /** spec.template.spec.requirements (minValues ignored). */
  readonly requirements: NodeSelectorRequirement[];
  /** Every catalog type whose Karpenter labels (+ pool labels) satisfy all requirements, in catalog order. */
  readonly instanceTypes: GpuInstanceType[];
  /** Whether any allowed type has a GPU. */
  readonly offersGpu: boolean;
  /** spec.limits['nvidia.com/gpu'], parsed. */
  readonly gpuLimit?: number;
  /** spec.limits, parsed (cpu in cores, memory in bytes); unparseable entries are left out. */
  readonly limits: Record<string, number>;
  /** Allowed capacity types from the karpenter.sh/capacity-type requirement, in the order written; default ['on-demand']. */
  readonly capacityTypes: string[];
  /** spec.weight. */
  readonly weight?: number;
  /** Requirements on Karpenter well-known keys the catalog does not model; they did not filter `instanceTypes`. */
  readonly unmodelledRequirements: NodeSelectorRequirement[];
  /**
   * Everything taints and node selection read of the pool except its name (taints, allowed instance types and
   * capacity types, template labels, requirements: what its label spaces are made of), as one string: two pools with
   * the same shape admit the same pods, unless a pod selects on {@link NODEPOOL_LABEL}. Set by {@link poolModelOf};
   * absent on models made otherwise (nothing is shared for them).
   */
  readonly selectionShape?: string;
  /**
   * Labels a node of `type` from this pool carries: type.karpenterLabels() + pool labels + karpenter.sh/nodepool +
   * karpenter.sh/capacity-type (`capacityType`, default the first allowed) + kubernetes.io/os=linux unless set, +
   * for other keys required `In` by the pool, the first value (as Karpenter picks one).
   */
  nodeLabels(type: GpuInstanceType, capacityType?: string): Record<string, string>;
  /**
   * The labels a node of `type` could carry, with launch-time keys (zone, hostname, multi-valued keys) open.
   * Computed once per (type, capacity type) and shared: the result is frozen (copy it to change it).
   */
  labelSpace(type: GpuInstanceType, capacityType?: string): LabelSpace;
  /**
   * Extended resources a node of `type` advertises, as Karpenter sees them when it decides what to launch:
   * `nvidia.com/gpu` = GPU count, then the capacity of the matching NodeOverlays (see {@link overlayCapacity}), then
   * the library's {@link ADVERTISED_RESOURCES_ANNOTATION} (written together with the NodeOverlays by
   * `MigConfig`/`DevicePluginConfig.applyTo`). Computed once per type and shared: the result is frozen.
   */
  advertisedResources(type: GpuInstanceType): Record<string, number>;
  /**
   * The disk Karpenter counts for pods on a node of `type` ({@link nodeDiskOf}), from the pool's EC2NodeClass when it
   * was given to {@link poolModelOf}; undefined when not known (no EC2NodeClass, or one it cannot read).
   */
  nodeDisk?(type: GpuInstanceType): NodeDisk | undefined;
  /**
   * The disk a directory of a node of `type` is on ({@link hostDirDiskOf}: the root volume, or the instance store's
   * RAID0), for a hostPath volume; undefined when not known (no EC2NodeClass, an AMI family it does not model).
   * `hostDir` must be absolute and normalised.
   */
  hostDirDisk?(type: GpuInstanceType, hostDir: string): HostDirDisk | undefined;
  /**
   * What the DaemonSets of the same manifests take on a node of `type`: the summed requests of those whose pods land
   * there (they tolerate the pool's taints and their node selection admits the type), set by the validation index
   * ({@link withDaemonSets}); undefined when none does.
   */
  daemonSetOverhead?(type: GpuInstanceType): DaemonSetOverhead | undefined;
}

/** The requests of the DaemonSet pods that land on one node, summed ({@link PoolModel.daemonSetOverhead}). */
export interface DaemonSetOverhead {
  /** Cores. */
  readonly cpu: number;
  /** Bytes of memory. */
  readonly memoryBytes: number;
  /** Bytes of ephemeral storage. */
  readonly ephemeralStorageBytes: number;
  /** The DaemonSets, `namespace/name`, in the order given. */
  readonly daemonSets: readonly string[];
}

/** A pool model whose nodes also run the DaemonSet pods `overhead` gives per type ({@link PoolModel.daemonSetOverhead}). */
export function withDaemonSets(pool: PoolModel, overhead: ReadonlyMap<GpuInstanceType, DaemonSetOverhead>): PoolModel {
  if (overhead.size === 0) return pool;
  return { ...pool, daemonSetOverhead: (type: GpuInstanceType) => overhead.get(type) };
}

/**
 * The ephemeral storage a node of `type` from `pool` gives pods ({@link PoolModel.nodeDisk}), less what the manifests'
 * DaemonSets request there, in bytes; Infinity when the disk is not known, which then holds any request (placement,
 * packing and pod bounds all read it so).
 */
export function podDiskRoom(pool: PoolModel, type: GpuInstanceType): number {
  return (pool.nodeDisk?.(type)?.allocatableBytes ?? Infinity) - (pool.daemonSetOverhead?.(type)?.ephemeralStorageBytes ?? 0);
}

/** Karpenter's NodeOverlay kind (`karpenter.sh/v1alpha1`, alpha, feature gate `NodeOverlay`). */
export const NODE_OVERLAY_KIND = 'NodeOverlay';

/** Whether `obj` is a Karpenter NodeOverlay. */
export function isNodeOverlay(obj: any): boolean {
  return !!obj && typeof obj === 'object' && obj.kind === NODE_OVERLAY_KIND
    && typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('karpenter.sh/');
}

/**
 * The extended resources the NodeOverlays add to a node with the labels `space`: every overlay whose requirements all
 * hold for the node (its instance type, NodePool and template labels; Karpenter matches overlays against instance
 * types the same way) contributes its `capacity`; where two overlays name the same resource, the higher `weight`
 * wins (absent = 0), then the later name in alphabetical order is applied last (Karpenter's NodeOverlay CRD: "higher
 * numerical weights take precedence … identical weights … merged in alphabetical order"). Unparseable quantities
 * are skipped. Karpenter only launches a node for a pod whose extended resources its instance type or a NodeOverlay
 * offers (karpenter.sh docs, Concepts → NodeOverlays: "add extended resources to instance types that should be
 * considered during Karpenter's decision-making process").
 */
export function overlayCapacity(overlays: readonly any[] | undefined, space: LabelSpace): Record<string, number> {
  const out: Record<string, number> = {};
  if (!overlays || overlays.length === 0) return out;
  const applicable = overlays.filter((o) => isNodeOverlay(o) && o.spec?.capacity && typeof o.spec.capacity === 'object'
    && requirementsFromJson(o.spec?.requirements).every((r) => requirementAllowsSpace(r, space)));
  applicable.sort((a, b) => (Number(a.spec?.weight) || 0) - (Number(b.spec?.weight) || 0)
    || byCodeUnits(String(a.metadata?.name ?? ''), String(b.metadata?.name ?? '')));
  for (const o of applicable) {
    for (const [k, raw] of Object.entries(o.spec.capacity)) {
      const n = tryParseQuantity(raw);
      if (n !== undefined) out[k] = n;
    }
  }
  return out;
}

function stringRecord(raw: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw)) if (isLabelValue(v)) out[k] = String(v);
  }
  return out;
}

function capacityTypesOf(requirements: readonly NodeSelectorRequirement[]): string[] {
  let allowed = ['on-demand'];
  const reqs = requirements.filter((r) => r.key === CAPACITY_TYPE_LABEL);
  if (reqs.length > 0) allowed = [...CAPACITY_TYPES];
  for (const r of reqs) {
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In': allowed = values.filter((v) => allowed.includes(v)); break;
      case 'NotIn': allowed = allowed.filter((v) => !values.includes(v)); break;
      case 'DoesNotExist': allowed = []; break;
      default: break;
    }
  }
  return allowed;
}

function parseAdvertised(poolName: string, object: any): Record<string, number> | undefined {
  const raw = object?.metadata?.annotations?.[ADVERTISED_RESOURCES_ANNOTATION];
  if (raw === undefined) return undefined;
  const where = `NodePool ${poolName}`;
  const fix = 'set it to a JSON object of per-GPU counts, e.g. {"nvidia.com/mig-1g.10gb": 7}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch {
    throw new GpuConfigError(where, `metadata.annotations[${ADVERTISED_RESOURCES_ANNOTATION}]`, 'is not JSON', fix);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GpuConfigError(where, `metadata.annotations[${ADVERTISED_RESOURCES_ANNOTATION}]`, 'is not a JSON object', fix);
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new GpuConfigError(where, `metadata.annotations[${ADVERTISED_RESOURCES_ANNOTATION}].${k}`, `is ${JSON.stringify(v)}, not a count`, fix);
    }
    out[k] = v;
  }
  return out;
}

/** {@link karpenterLabelsOf} for readers outside this file (rule GPU006): shared and frozen, read only. @internal */
export function _karpenterLabelsOf(type: GpuInstanceType): Readonly<Record<string, string>> {
  return karpenterLabelsOf(type);
}

/**
 * The scheduling view of a Karpenter NodePool.
 * @param nodePool the NodePool JSON (`karpenter.sh/v1`; `v1beta1` has the same template shape)
 * @param catalog instance types to consider @default GpuInstanceType.all()
 * @param nodeOverlays Karpenter NodeOverlays (`karpenter.sh/v1alpha1`) of the same manifests: their `capacity` is added
 *   to the instance types they match, as Karpenter's scheduling simulation does (see {@link overlayCapacity})
 * @param nodeClasses EC2NodeClasses of the same manifests: the one `nodeClassRef` names gives the nodes' disk
 *   ({@link PoolModel.nodeDisk}) @default - none: the disk is not known
 * @throws GpuConfigError when `nodePool` is not a karpenter.sh NodePool or the sharing annotation is malformed
 */
export function poolModelOf(nodePool: any, catalog?: readonly GpuInstanceType[], nodeOverlays?: readonly any[],
  nodeClasses?: readonly any[]): PoolModel {
  const name = typeof nodePool?.metadata?.name === 'string' ? nodePool.metadata.name : '<unnamed>';
  if (!nodePool || typeof nodePool !== 'object' || nodePool.kind !== 'NodePool'
    || typeof nodePool.apiVersion !== 'string' || !nodePool.apiVersion.startsWith('karpenter.sh/')) {
    throw new GpuConfigError(`poolModelOf(${name})`, 'kind',
      `is ${JSON.stringify(nodePool?.apiVersion)}/${JSON.stringify(nodePool?.kind)}, not a karpenter.sh NodePool`,
      'pass a karpenter.sh/v1 NodePool object');
  }
  const templateSpec = nodePool.spec?.template?.spec ?? {};
  const labels = stringRecord(nodePool.spec?.template?.metadata?.labels);
  const requirements = requirementsFromJson(templateSpec.requirements);
  const taints = taintsFromJson(templateSpec.taints);
  const startupTaints = taintsFromJson(templateSpec.startupTaints);
  const limits: Record<string, number> = Object.create(null);
  const rawLimits = nodePool.spec?.limits;
  for (const [k, v] of Object.entries(rawLimits && typeof rawLimits === 'object' && !Array.isArray(rawLimits) ? rawLimits : {})) {
    const n = tryParseQuantity(v);
    if (n !== undefined) limits[k] = n;
  }
  const capacityTypes = capacityTypesOf(requirements);
  const advertised = parseAdvertised(name, nodePool);
  const types = catalog ?? GpuInstanceType.all();

  const instanceTypes: GpuInstanceType[] = [];
  const unmodelled = new Map<NodeSelectorRequirement, true>();
  const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  for (const type of types) {
    // The node's labels are `{ 'kubernetes.io/os': 'linux', ...labels, ...karpenterLabelsOf(type) }` (every type in
    // the catalog runs Linux: EKS AL2023/Bottlerocket NVIDIA AMIs); each requirement's key is looked up in that order
    // instead of building the object for each of the catalog's types in each pool.
    const typeLabels = karpenterLabelsOf(type);
    let ok = true;
    for (const r of requirements) {
      const value = hasOwn(typeLabels, r.key) ? typeLabels[r.key]
        : hasOwn(labels, r.key) ? labels[r.key] : r.key === 'kubernetes.io/os' ? 'linux' : undefined;
      if (value !== undefined) {
        if (!requirementAllowsValue(r, value)) { ok = false; break; }
      } else if (KARPENTER_WELL_KNOWN_LABELS.includes(r.key) && !LAUNCH_TIME_KEYS.includes(r.key)
        && r.key !== CAPACITY_TYPE_LABEL && r.key !== NODEPOOL_LABEL) {
        unmodelled.set(r, true);
      }
    }
    if (ok) instanceTypes.push(type);
  }

  const buildLabelSpace = (type: GpuInstanceType, capacityType?: string): LabelSpace => {
    // Without prototypes: requirement keys such as `__proto__` or `constructor` are plain keys here.
    const fixed: Record<string, string> = Object.assign(Object.create(null), labels, karpenterLabelsOf(type));
    const open: Record<string, string[] | undefined> = Object.create(null);
    for (const k of LAUNCH_TIME_KEYS) open[k] = undefined;
    for (const r of requirements) {
      if (Object.prototype.hasOwnProperty.call(fixed, r.key) || r.key === CAPACITY_TYPE_LABEL || r.key === NODEPOOL_LABEL) continue;
      const values = r.values ?? [];
      switch (r.operator) {
        case 'In':
          if (values.length === 1 && !LAUNCH_TIME_KEYS.includes(r.key)) fixed[r.key] = values[0];
          else open[r.key] = open[r.key] === undefined ? [...values] : open[r.key]!.filter((v) => values.includes(v));
          break;
        case 'DoesNotExist':
          break;
        case 'NotIn':
          if (Array.isArray(open[r.key])) open[r.key] = open[r.key]!.filter((v) => !values.includes(v));
          else open[r.key] = undefined;
          break;
        default: // Exists, Gt, Lt, Gte, Lte: Karpenter picks a value
          if (!(r.key in open)) open[r.key] = undefined;
      }
    }
    // Well-known keys the catalog does not model: their value is unknown to us, so leave them open.
    for (const r of unmodelled.keys()) if (!(r.key in fixed) && !(r.key in open)) open[r.key] = undefined;
    fixed[NODEPOOL_LABEL] = name;
    const ct = capacityType ?? capacityTypes[0];
    if (ct !== undefined) fixed[CAPACITY_TYPE_LABEL] = ct;
    if (!('kubernetes.io/os' in fixed)) fixed['kubernetes.io/os'] = 'linux';
    for (const k of Object.keys(fixed)) delete open[k];
    return { fixed, open };
  };
  // Label spaces and advertised resources depend only on (type, capacity type): compute each once per pool.
  // The cached objects are frozen, so no caller can change what the next one reads.
  const labelSpaces = new Map<GpuInstanceType, Map<string | undefined, LabelSpace>>();
  const labelSpace = (type: GpuInstanceType, capacityType?: string): LabelSpace => {
    let perType = labelSpaces.get(type);
    if (!perType) labelSpaces.set(type, perType = new Map());
    let space = perType.get(capacityType);
    if (!space) {
      const built = buildLabelSpace(type, capacityType);
      const open: Record<string, string[] | undefined> = {};
      for (const [k, v] of Object.entries(built.open ?? {})) open[k] = v === undefined ? undefined : Object.freeze([...v]) as string[];
      space = Object.freeze({ fixed: Object.freeze({ ...built.fixed }), open: Object.freeze(open) });
      perType.set(capacityType, space);
    }
    return space;
  };
  const advertisedByType = new Map<GpuInstanceType, Readonly<Record<string, number>>>();
  const nodeClass = nodeClasses === undefined ? undefined : nodeClassOf(nodePool, nodeClasses);
  const disks = new Map<GpuInstanceType, NodeDisk | undefined>();

  return {
    name,
    object: nodePool,
    taints,
    startupTaints,
    labels,
    requirements,
    instanceTypes,
    offersGpu: instanceTypes.some((t) => t.gpuCount > 0),
    ...(limits['nvidia.com/gpu'] === undefined ? {} : { gpuLimit: limits['nvidia.com/gpu'] }),
    limits,
    capacityTypes,
    ...(typeof nodePool.spec?.weight === 'number' ? { weight: nodePool.spec.weight } : {}),
    unmodelledRequirements: [...unmodelled.keys()],
    // Every part is strings (requirement values, labels and taint values are read as strings), so JSON is exact.
    selectionShape: JSON.stringify([taints, instanceTypes.map((t) => t.name), capacityTypes, labels, requirements, [...unmodelled.keys()]]),
    labelSpace,
    nodeLabels(type: GpuInstanceType, capacityType?: string): Record<string, string> {
      const space = labelSpace(type, capacityType);
      const out = { ...space.fixed };
      for (const [k, v] of Object.entries(space.open ?? {})) if (v && v.length > 0) out[k] = v[0];
      return out;
    },
    advertisedResources(type: GpuInstanceType): Record<string, number> {
      let cached = advertisedByType.get(type);
      if (!cached) {
        const out: Record<string, number> = {};
        if (type.gpuCount > 0) out['nvidia.com/gpu'] = type.gpuCount;
        if (nodeOverlays && nodeOverlays.length > 0) Object.assign(out, overlayCapacity(nodeOverlays, labelSpace(type)));
        for (const [k, perGpu] of Object.entries(advertised ?? {})) out[k] = perGpu * type.gpuCount;
        advertisedByType.set(type, cached = Object.freeze(out));
      }
      return cached as Record<string, number>;
    },
    nodeDisk(type: GpuInstanceType): NodeDisk | undefined {
      if (nodeClass === undefined) return undefined;
      if (!disks.has(type)) disks.set(type, nodeDiskOf(nodeClass, type));
      return disks.get(type);
    },
    hostDirDisk(type: GpuInstanceType, hostDir: string): HostDirDisk | undefined {
      return nodeClass === undefined ? undefined : hostDirDiskOf(nodeClass, type, hostDir);
    },
  };
}
