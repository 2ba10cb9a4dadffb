/**
 * The placement predicate chain: can a pod of this template run on a node this pool launches?
 * Used by the validation rules, by InferenceDeployment's placement and by the `plan` command.
 *
 * Predicates, in order (the first one that rules out every instance type gives the reason):
 * 1. taints — the pool's `taints` (not `startupTaints`) with NoSchedule/NoExecute must be tolerated;
 * 2. node selection — `nodeSelector` and required node affinity against each type's node labels;
 * 3. GPU resources — each GPU resource the pod needs must be advertised by the node in that number (a DRA device
 *    class: one device per GPU, see `draCapacity`);
 * 4. cpu/memory — the pod's effective requests must fit the node's allocatable (see {@link allocatableOf});
 * 5. pool limits — a type whose capacity alone exceeds `spec.limits` can never be launched.
 */
import { GpuInstanceType } from '../catalog';
import { offeredOnNode } from './dra';
import {
  firstFailingNodeSelectorEntry, formatRequirement, LabelSpace, nodeSelectorTermAllowsSpace,
  requiredNodeAffinityAllowsSpace, requiredNodeSelectorTerms, requirementAllowsSpace,
} from './labels';
import { afterJoinHint } from './node-agent-labels';
import { formatDiskBytes } from './node-disk';
import { DaemonSetOverhead, NODEPOOL_LABEL, podDiskRoom, PoolModel } from './nodepool';
import { podCpuMemoryRequests, podGpuDemand, PodNodeRequests } from './resources';
import { formatTaint, TolerationOptions, untoleratedTaints } from './taints';
import { PodTemplateRef } from './workloads';
import { hasOwn } from '../private/keys';
import { byCodeUnits } from '../private/order';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/**
 * What a node keeps for itself, so pods cannot use it. Defaults follow Karpenter v1 on the EKS AL2023 AMI:
 * - `kube-reserved` cpu: 6% of the first core, 1% of the second, 0.5% of cores 3–4, 0.25% of the rest
 *   (EKS AMI / Karpenter `kubeReservedResources`), e.g. 8 vCPU → 90m, 96 vCPU → 310m;
 * - `kube-reserved` memory: 11 MiB × maxPods + 255 MiB (same source);
 * - VM overhead: Karpenter's `vmMemoryOverheadPercent` default 7.5% of the instance memory is not usable;
 * - eviction threshold: kubelet `evictionHard` `memory.available<100Mi`;
 * - daemonsets: 500m cpu and 1 GiB memory, our allowance for the usual GPU-node daemonsets (aws-node, kube-proxy,
 *   NVIDIA device plugin, DCGM exporter, node exporter, GPU feature discovery) — measure yours and override.
 */
export interface SystemReserve {
  /** Max pods per node, used by the kube-reserved memory formula. @default 110 for ≤ 30 vCPU, else 250 (EKS guidance) */
  readonly maxPods?: number;
  /** Share of instance memory lost to the hypervisor. @default 0.075 */
  readonly vmMemoryOverheadPercent?: number;
  /** Memory eviction threshold in bytes. @default 100 MiB */
  readonly evictionHardMemoryBytes?: number;
  /** Extra system-reserved cpu in cores. @default 0 */
  readonly systemReservedCpu?: number;
  /** Extra system-reserved memory in bytes. @default 0 */
  readonly systemReservedMemoryBytes?: number;
  /**
   * Cpu taken by daemonsets on every node, in cores; the manifests' DaemonSets on a pool's nodes raise it there when
   * they request more ({@link podRoomOf}). @default 0.5
   */
  readonly daemonSetCpu?: number;
  /** Memory taken by daemonsets on every node, in bytes; raised as `daemonSetCpu` is. @default 1 GiB */
  readonly daemonSetMemoryBytes?: number;
}

/** kube-reserved cpu per core, in millicores, by band of cores: [from, to, per core] (see {@link SystemReserve}). */
const KUBE_RESERVED_CPU_BANDS: ReadonlyArray<readonly [number, number, number]> = [[0, 1, 60], [1, 2, 10], [2, 4, 5], [4, Infinity, 2.5]];

/**
 * {@link allocatableOf} with the default reserve, per instance type: every workload placed at construction and every
 * verdict of the rules asks for it, for the few types of its pools. Frozen: callers share it.
 */
const DEFAULT_ALLOCATABLE = new WeakMap<GpuInstanceType, Readonly<{ cpu: number; memoryBytes: number }>>();

/** cpu (cores) and memory (bytes) a node of `type` leaves for pods after {@link SystemReserve}. */
export function allocatableOf(type: GpuInstanceType, reserve?: SystemReserve): { cpu: number; memoryBytes: number } {
  if (reserve !== undefined) return computeAllocatable(type, reserve);
  let a = DEFAULT_ALLOCATABLE.get(type);
  if (a === undefined) DEFAULT_ALLOCATABLE.set(type, a = Object.freeze(computeAllocatable(type, {})));
  return a;
}

function computeAllocatable(type: GpuInstanceType, reserve: SystemReserve): { cpu: number; memoryBytes: number } {
  const vcpu = type.vcpu;
  const maxPods = reserve.maxPods ?? (vcpu <= 30 ? 110 : 250);
  // kube-reserved cpu in millicores
  let kubeCpuMilli = 0;
  for (let i = 0; i < KUBE_RESERVED_CPU_BANDS.length; i++) {
    const [from, to, perCore] = KUBE_RESERVED_CPU_BANDS[i];
    kubeCpuMilli += Math.max(0, Math.min(vcpu, to) - from) * perCore;
  }
  const kubeMemory = (11 * maxPods + 255) * MiB;
  const capacityMemory = type.memoryMiB * MiB * (1 - (reserve.vmMemoryOverheadPercent ?? 0.075));
  const cpu = vcpu - kubeCpuMilli / 1000 - (reserve.systemReservedCpu ?? 0) - (reserve.daemonSetCpu ?? 0.5);
  const memoryBytes = capacityMemory - kubeMemory - (reserve.evictionHardMemoryBytes ?? 100 * MiB)
    - (reserve.systemReservedMemoryBytes ?? 0) - (reserve.daemonSetMemoryBytes ?? GiB);
  return { cpu, memoryBytes };
}

/**
 * The cpu (cores) and memory (bytes) a node of `type` from `pool` leaves for pods: {@link allocatableOf}, whose
 * daemonsets' allowance ({@link SystemReserve.daemonSetCpu}, `daemonSetMemoryBytes`) is raised to what the manifests'
 * DaemonSets landing there request ({@link PoolModel.daemonSetOverhead}) where they ask for more. Karpenter counts the
 * cluster's DaemonSets whose pods would run on a NodePool's nodes before it picks an instance type (karpenter.sh
 * "Scheduling": DaemonSets are considered when choosing instance types), and kube-scheduler places pods on what they
 * leave; the allowance stands for the add-ons the manifests do not hold (aws-node, kube-proxy, …), so the larger of
 * the two is taken, never their sum.
 */
export function podRoomOf(pool: PoolModel, type: GpuInstanceType, reserve?: SystemReserve): { cpu: number; memoryBytes: number } {
  const base = allocatableOf(type, reserve);
  const extra = daemonSetExtra(pool, type, reserve);
  return extra === undefined ? base : { cpu: base.cpu - extra.cpu, memoryBytes: base.memoryBytes - extra.memoryBytes };
}

/** What the manifests' DaemonSets on a node of `type` ask beyond the reserve's allowance; undefined when nothing. */
function daemonSetExtra(pool: PoolModel, type: GpuInstanceType, reserve?: SystemReserve):
{ cpu: number; memoryBytes: number; daemonSets: readonly string[] } | undefined {
  const ds = pool.daemonSetOverhead?.(type);
  if (ds === undefined) return undefined;
  const cpu = Math.max(0, ds.cpu - (reserve?.daemonSetCpu ?? 0.5));
  const memoryBytes = Math.max(0, ds.memoryBytes - (reserve?.daemonSetMemoryBytes ?? GiB));
  return cpu === 0 && memoryBytes === 0 ? undefined : { cpu, memoryBytes, daemonSets: ds.daemonSets };
}

/** ` (after DaemonSets a/x, b/y: 3 cpu)` where the manifests' DaemonSets take more of `what` than the allowance. */
function daemonSetNote(pool: PoolModel, type: GpuInstanceType, what: 'cpu' | 'memory', reserve?: SystemReserve): string {
  const ds = pool.daemonSetOverhead?.(type);
  const extra = daemonSetExtra(pool, type, reserve);
  if (ds === undefined || extra === undefined || (what === 'cpu' ? extra.cpu : extra.memoryBytes) === 0) return '';
  return ` (after ${daemonSetsWords(ds)}: ${what === 'cpu' ? `${fmtNum(ds.cpu)} cpu` : fmtBytes(ds.memoryBytes)})`;
}

/** `DaemonSet a/x`, `DaemonSets a/x, b/y`: up to three names, then how many more. */
function daemonSetsWords(ds: DaemonSetOverhead): string {
  const names = ds.daemonSets;
  return `DaemonSet${names.length > 1 ? 's' : ''} ${names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`}`;
}

/** A DaemonSet as {@link daemonSetOverheadOn} reads it. */
export interface DaemonSetPods {
  /** `namespace/name`. */
  readonly name: string;
  readonly template: PodTemplateRef;
  /** Its pods' effective requests. */
  readonly requests: Readonly<PodNodeRequests>;
}

/**
 * The requests of `daemonSets` whose pods land on each instance type of `pool`: those that tolerate its taints and
 * whose node selection admits the type (predicates 1 and 2, as for any pod); DaemonSet pods need no room otherwise
 * (the DaemonSet controller places one on every such node). Types no DaemonSet lands on are absent.
 */
export function daemonSetOverheadOn(pool: PoolModel, daemonSets: readonly DaemonSetPods[], options: PlacementOptions = {}):
Map<GpuInstanceType, DaemonSetOverhead> {
  const out = new Map<GpuInstanceType, { cpu: number; memoryBytes: number; ephemeralStorageBytes: number; daemonSets: string[] }>();
  for (const ds of daemonSets) {
    const selected = selectOnPool(ds.template, pool, options);
    if (!Array.isArray(selected)) continue;
    for (const { type } of selected) {
      let o = out.get(type);
      if (!o) out.set(type, o = { cpu: 0, memoryBytes: 0, ephemeralStorageBytes: 0, daemonSets: [] });
      o.cpu += ds.requests.cpu;
      o.memoryBytes += ds.requests.memoryBytes;
      o.ephemeralStorageBytes += ds.requests.ephemeralStorageBytes ?? 0;
      o.daemonSets.push(ds.name);
    }
  }
  return out;
}

/** Options for {@link placeOnPools}. */
export interface PlacementOptions {
  /** What each node keeps for itself. @default the defaults of {@link SystemReserve} */
  readonly systemReserve?: SystemReserve;
  /** Toleration matching options (alpha `Lt`/`Gt`). @default off */
  readonly tolerations?: TolerationOptions;
}

/** Whether a pod template can run on a pool, and on which of its instance types. */
export interface PlacementVerdict {
  /** The pool judged. */
  readonly pool: PoolModel;
  /** Whether at least one instance type of the pool fits. */
  readonly fits: boolean;
  /** The pool's instance types that fit, in catalog order. */
  readonly instanceTypes: GpuInstanceType[];
  /** Capacity types under which the pod fits (they differ only through pod selection of karpenter.sh/capacity-type). */
  readonly capacityTypes: string[];
  /** When it does not fit: the first failed predicate in words. */
  readonly reason?: string;
  /**
   * Which predicate failed: `taints`, `nodeSelector`, `nodeAffinity`, `gpu`, `cpu`, `memory`, `ephemeral-storage`,
   * `limits`, `instanceTypes`.
   */
  readonly failedPredicate?: string;
}

function fmtBytes(b: number): string {
  return b >= GiB ? `${+(b / GiB).toFixed(1)}Gi` : `${Math.round(b / MiB)}Mi`;
}
function fmtNum(n: number): string {
  return `${+n.toFixed(3)}`;
}

/** `: <why>` when `key` is a label written on the node after it joins that the pool does not define (see afterJoinHint). */
function undefinedLabelHint(key: unknown, values: readonly string[] | undefined, space: LabelSpace): string {
  if (typeof key !== 'string' || hasOwn(space.fixed, key) || (space.open !== undefined && hasOwn(space.open, key))) return '';
  const hint = afterJoinHint(key, values);
  return hint ? `: ${hint}` : '';
}

/** Why a pool's label space fails the pod's node selection, or undefined when it does not. */
function selectionFailure(podSpec: any, space: LabelSpace): { predicate: string; reason: string } | undefined {
  const entry = firstFailingNodeSelectorEntry(podSpec?.nodeSelector, space);
  if (entry) {
    const hint = undefinedLabelHint(entry[0], [entry[1]], space);
    return { predicate: 'nodeSelector', reason: `nodeSelector ${entry[0]}=${entry[1]} matches no node of this pool${hint}` };
  }
  if (!requiredNodeAffinityAllowsSpace(podSpec?.affinity, space)) {
    const terms = requiredNodeSelectorTerms(podSpec?.affinity) ?? [];
    let detail = 'has no node selector terms';
    if (terms.length === 1 && !nodeSelectorTermAllowsSpace(terms[0], space)) {
      const failing = (terms[0]?.matchExpressions ?? []).find((e: any) => !requirementAllowsSpace(e, space));
      detail = failing ? `${formatRequirement(failing)} matches no node of this pool`
        + `${undefinedLabelHint(failing.key, Array.isArray(failing.values) ? failing.values.map(String) : undefined, space)}` : 'term selects nothing';
    } else if (terms.length > 1) {
      detail = `none of its ${terms.length} node selector terms matches a node of this pool`;
    }
    return { predicate: 'nodeAffinity', reason: `required node affinity: ${detail}` };
  }
  return undefined;
}

/**
 * Whether the pod's node selection (`nodeSelector` and required node affinity: terms ORed, expressions ANDed, every
 * operator) admits some node the pool can launch (any allowed instance type and capacity type). Taints, resources
 * and limits are not considered: this is the "which pools does the pod select" half of placement.
 */
export function nodeSelectionAdmits(podSpec: any, pool: PoolModel): boolean {
  for (const type of pool.instanceTypes) {
    for (const ct of pool.capacityTypes.length > 0 ? pool.capacityTypes : [undefined]) {
      if (!selectionFailure(podSpec, pool.labelSpace(type, ct))) return true;
    }
  }
  return false;
}

/**
 * Judges one pod template against one pool. `facts`: the template's podGpuDemand and podCpuMemoryRequests, when the
 * caller has them already.
 */
export function placeOnPool(t: PodTemplateRef, pool: PoolModel, options: PlacementOptions = {},
  facts?: { readonly demand: Readonly<Record<string, number>>; readonly req: Readonly<PodNodeRequests> }): PlacementVerdict {
  const selection = selectOnPool(t, pool, options);
  return Array.isArray(selection) ? fitOnPool(t, pool, selection, options, facts) : selection;
}

/** An instance type whose nodes the pod selects, under which capacity types (empty: the pool names none). */
interface SelectedType {
  readonly type: GpuInstanceType;
  readonly capacityTypes: string[];
}

/** Whether a node of a type alone stays within a pool's limits (a pool model's limits never change). */
const withinLimitsMemo = new WeakMap<PoolModel, Map<GpuInstanceType, boolean>>();

const failed = (pool: PoolModel, failedPredicate: string, reason: string): PlacementVerdict =>
  ({ pool, fits: false, instanceTypes: [], capacityTypes: [], reason, failedPredicate });

/**
 * Predicates 1 and 2 (taints, node selection): the failed verdict, or the instance types the pod selects. They read
 * only the template's tolerations, nodeSelector and required node affinity ({@link selectionSignature}).
 */
function selectOnPool(t: PodTemplateRef, pool: PoolModel, options: PlacementOptions): PlacementVerdict | SelectedType[] {
  const fail = (failedPredicate: string, reason: string) => failed(pool, failedPredicate, reason);

  // 1. taints
  const blocking = untoleratedTaints(t.podSpec?.tolerations, pool.taints, options.tolerations);
  if (blocking.length > 0) {
    return fail('taints', `does not tolerate taint ${blocking.map(formatTaint).join(', ')}`);
  }
  if (pool.instanceTypes.length === 0) {
    return fail('instanceTypes', 'the pool\'s requirements allow no instance type of the catalog');
  }

  // 2. node selection, per instance type and capacity type
  let firstSelection: { predicate: string; reason: string } | undefined;
  const selected: Array<{ type: GpuInstanceType; capacityTypes: string[] }> = [];
  for (const type of pool.instanceTypes) {
    const cts: string[] = [];
    for (const ct of pool.capacityTypes.length > 0 ? pool.capacityTypes : [undefined]) {
      const failure = selectionFailure(t.podSpec, pool.labelSpace(type, ct));
      if (failure) firstSelection = firstSelection ?? failure;
      else if (ct !== undefined) cts.push(ct);
      else cts.push('');
    }
    if (cts.length > 0) selected.push({ type, capacityTypes: cts.filter((c) => c !== '') });
  }
  if (selected.length === 0) return fail(firstSelection!.predicate, firstSelection!.reason);
  return selected;
}

/**
 * What one node of `type` counts against the pool's `spec.limits`, for placement (predicate 5) and the planner alike:
 * its capacity as Karpenter counts it (cpu, memory, GPUs, NodeOverlay capacity) and `nodes: 1` (Karpenter enforces
 * `limits.nodes` at provisioning like cpu and memory: kubernetes-sigs/karpenter#2526). Frozen, and without a
 * prototype: a limit named `constructor` finds none. One per pool model and type (neither changes).
 */
export function limitCapacityOf(pool: PoolModel, type: GpuInstanceType): Readonly<Record<string, number>> {
  let perType = limitCapacities.get(pool);
  if (!perType) limitCapacities.set(pool, perType = new Map());
  let cap = perType.get(type);
  if (!cap) {
    cap = Object.freeze(Object.assign(Object.create(null), {
      'cpu': type.vcpu, 'memory': type.memoryMiB * MiB, 'nodes': 1, 'nvidia.com/gpu': type.gpuCount, ...pool.advertisedResources(type),
    }));
    perType.set(type, cap!);
  }
  return cap!;
}
const limitCapacities = new WeakMap<PoolModel, Map<GpuInstanceType, Readonly<Record<string, number>>>>();

/** Whether one node of `type` alone stays within the pool's limits (predicate 5). */
function withinPoolLimits(pool: PoolModel, type: GpuInstanceType): boolean {
  let withinType = withinLimitsMemo.get(pool);
  if (!withinType) withinLimitsMemo.set(pool, withinType = new Map());
  let ok = withinType.get(type);
  if (ok === undefined) {
    const cap = limitCapacityOf(pool, type);
    withinType.set(type, ok = Object.entries(pool.limits).every(([k, lim]) => cap[k] === undefined || cap[k] <= lim));
  }
  return ok;
}

/**
 * Predicates 3 to 5 (GPU resources, cpu/memory and ephemeral storage, pool limits) over the selected instance types.
 * Ephemeral storage is judged against the disk the pool's EC2NodeClass gives ({@link PoolModel.nodeDisk}; a type whose
 * disk is not known passes).
 */
function fitOnPool(t: PodTemplateRef, pool: PoolModel, selected: readonly SelectedType[], options: PlacementOptions,
  facts: { demand: Readonly<Record<string, number>>; req: Readonly<PodNodeRequests> }
  = { demand: podGpuDemand(t), req: podCpuMemoryRequests(t) },
  allocatable: (type: GpuInstanceType) => { cpu: number; memoryBytes: number }
  = (type) => podRoomOf(pool, type, options.systemReserve)): PlacementVerdict {
  const fail = (failedPredicate: string, reason: string) => failed(pool, failedPredicate, reason);

  // 3. GPU resources
  const demand = facts.demand;
  let gpuFit = selected;
  const offeredOn = (type: GpuInstanceType, resource: string): number => offeredOnNode(resource, type, pool.advertisedResources(type));
  for (const [resource, n] of Object.entries(demand)) {
    const before = gpuFit;
    gpuFit = gpuFit.filter((s) => offeredOn(s.type, resource) >= n);
    if (gpuFit.length === 0) {
      const offered = before.map((s) => ({ s, n: offeredOn(s.type, resource) }));
      const best = offered.reduce((a, b) => (b.n > a.n ? b : a));
      const reason = best.n === 0
        ? `needs ${fmtNum(n)} ${resource} per pod; no allowed instance type of this pool advertises ${resource}`
        : `needs ${fmtNum(n)} ${resource} per pod; the largest allowed type ${best.s.type.name} has ${fmtNum(best.n)}`;
      return fail('gpu', reason);
    }
  }

  // 4. cpu / memory
  const req = facts.req;
  const withAlloc = gpuFit.map((s) => ({ type: s.type, capacityTypes: s.capacityTypes, alloc: allocatable(s.type) }));
  const cpuFit = withAlloc.filter((s) => s.alloc.cpu >= req.cpu);
  if (cpuFit.length === 0) {
    const best = withAlloc.reduce((a, b) => (b.alloc.cpu > a.alloc.cpu ? b : a));
    return fail('cpu', `needs ${fmtNum(req.cpu)} cpu per pod; the largest allowed type ${best.type.name} leaves ${fmtNum(best.alloc.cpu)} cpu for pods`
      + daemonSetNote(pool, best.type, 'cpu', options.systemReserve));
  }
  let memFit = cpuFit.filter((s) => s.alloc.memoryBytes >= req.memoryBytes);
  if (memFit.length === 0) {
    const best = cpuFit.reduce((a, b) => (b.alloc.memoryBytes > a.alloc.memoryBytes ? b : a));
    return fail('memory', `needs ${fmtBytes(req.memoryBytes)} memory per pod; the largest allowed type ${best.type.name} leaves ${fmtBytes(best.alloc.memoryBytes)} for pods`
      + daemonSetNote(pool, best.type, 'memory', options.systemReserve));
  }
  // ephemeral storage, against the disk the pool's EC2NodeClass gives (types whose disk is not known pass)
  const disk = req.ephemeralStorageBytes ?? 0;
  if (disk > 0) {
    const diskFit = memFit.filter((s) => podDiskRoom(pool, s.type) >= disk);
    if (diskFit.length === 0) {
      const best = memFit.reduce((a, b) => (podDiskRoom(pool, b.type) > podDiskRoom(pool, a.type) ? b : a));
      const d = pool.nodeDisk?.(best.type);
      const ds = pool.daemonSetOverhead?.(best.type);
      const taken = ds !== undefined && ds.ephemeralStorageBytes > 0
        ? `, and ${daemonSetsWords(ds)} ${formatDiskBytes(ds.ephemeralStorageBytes)}` : '';
      return fail('ephemeral-storage', `needs ${formatDiskBytes(disk)} ephemeral-storage per pod; the allowed types give pods at most `
        + `${formatDiskBytes(podDiskRoom(pool, best.type))} (${best.type.name}: ${d!.source}, less ${d!.reserved}${taken})`);
    }
    memFit = diskFit;
  }

  // 5. pool limits
  const withinLimits = memFit.filter((s) => withinPoolLimits(pool, s.type));
  if (withinLimits.length === 0) {
    const first = memFit[0].type;
    const cap = limitCapacityOf(pool, first);
    const [k, lim] = Object.entries(pool.limits).find(([key, l]) => cap[key] !== undefined && cap[key] > l)!;
    return fail('limits', `every fitting type exceeds the pool's limits, e.g. ${first.name} has ${k === 'memory' ? fmtBytes(cap[k]) : fmtNum(cap[k])} ${k}, above limits.${k} ${k === 'memory' ? fmtBytes(lim) : fmtNum(lim)}`);
  }

  const capacityTypes = pool.capacityTypes.filter((ct) => withinLimits.some((s) => s.capacityTypes.includes(ct)));
  return { pool, fits: true, instanceTypes: withinLimits.map((s) => s.type), capacityTypes };
}

/** Characters `JSON.stringify` writes escaped: `"`, `\\`, C0 controls, and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(s)`, without the call for the strings that need no escaping (nearly all: names, taint keys, label
 * values), which is most of {@link canonical}'s cost.
 */
function quoted(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * A canonical, type-tagged serialisation of plain JSON (insertion order kept, so a nodeSelector's first failing
 * entry stays the same): two values with the same key behave the same under every predicate that reads them.
 * Unlike `JSON.stringify` it keeps `undefined`, `NaN`, `Infinity`, `-0`, non-plain objects and array holes apart.
 */
function canonical(v: unknown): string {
  if (v === null) return 'n';
  switch (typeof v) {
    case 'undefined': return 'u';
    case 'string': return quoted(v);
    case 'number': return Object.is(v, -0) ? '#-0' : `#${v}`;
    case 'boolean': return v ? 't' : 'f';
    case 'bigint': return `b${v}`;
    case 'object': {
      // (built by concatenation: the signature of every workload is computed, so this is on the lint's hot path)
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + (i in v ? canonical(v[i]) : 'h');
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return `<${(v as object).constructor?.name}:${canonical(String(v))}>`;
      let out = '{';
      let first = true;
      for (const k of Object.keys(v as object)) {
        out += `${first ? '' : ','}${quoted(k)}:${canonical((v as any)[k])}`;
        first = false;
      }
      return `${out}}`;
    }
    default: return `?${typeof v}:${String(v)}`; // functions, symbols: never in manifests
  }
}

/**
 * Whether `JSON.stringify(v)` tells `v` apart from every other value as {@link canonical} does: plain objects (no
 * `toJSON`, no `undefined` value) and arrays (no hole, no `undefined`) of strings, booleans, null and finite numbers
 * but -0. False for anything else, and for nesting deeper than a pod spec's (the walk stays shallow).
 */
function jsonTellsApart(v: unknown, depth = 0): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && (v !== 0 || 1 / v > 0);
    case 'object': {
      if (v === null) return true;
      if (depth > 32) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!(i in v) || !jsonTellsApart(v[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) {
        // (an inherited key — a polluted Object.prototype — or an own toJSON: JSON's view differs)
        if (k === 'toJSON' || !hasOwn(v, k)) return false;
        const x = (v as any)[k];
        if (x === undefined || !jsonTellsApart(x, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * {@link canonical} of a list of values, faster for plain JSON data (nearly every pod spec). When `JSON.stringify` tells
 * every defined value apart ({@link jsonTellsApart}), the list is one `JSON.stringify` of it, after `J` and the
 * positions of its `undefined` values (which JSON writes as `null`, as it writes `null`): `J1,4,[…]`. Otherwise each
 * value is written on its own, tagged by its first character: `u` (undefined), `j` and JSON, or `c` and
 * {@link canonical}, joined by `|`. Every form is self-delimiting, and the two never start alike, so two lists give
 * the same string only when their values are the same part by part.
 */
export function canonicalParts(parts: readonly unknown[]): string {
  // (one native call for the list instead of one per part, and a flat string: a run signs every workload)
  let undefinedAt = '';
  for (let i = 0; i < parts.length; i++) {
    const v = parts[i];
    if (v === undefined) undefinedAt += `${i},`;
    else if (!jsonTellsApart(v)) return partByPart(parts);
  }
  return `J${undefinedAt}${JSON.stringify(parts)}`;
}

/** {@link canonicalParts}, each value written on its own. */
function partByPart(parts: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const v = parts[i];
    out += (i > 0 ? '|' : '') + (v === undefined ? 'u' : jsonTellsApart(v) ? `j${JSON.stringify(v)}` : `c${canonical(v)}`);
  }
  return out;
}

/**
 * The placement signature of a pod template: a string that equals another template's exactly when
 * {@link placeOnPool} cannot tell them apart. It holds every input placement reads and nothing else: the
 * tolerations, the nodeSelector, the required node affinity terms, the effective GPU demand and the effective
 * cpu, memory and ephemeral-storage requests (labels, names, images, replicas and preferred affinity are left out). Thousands of replicas of
 * similar Deployments share one signature, so callers can memoise verdicts per (signature, pool).
 */
export function placementSignature(t: PodTemplateRef,
  facts?: { readonly demand: Readonly<Record<string, number>>; readonly req: Readonly<PodNodeRequests> }): string {
  // `facts`: the template's podGpuDemand and podCpuMemoryRequests, when the caller has them already.
  const podSpec = t.podSpec;
  const req = facts?.req ?? podCpuMemoryRequests(t);
  return canonicalParts([
    podSpec?.tolerations,
    podSpec?.nodeSelector,
    requiredNodeSelectorTerms(podSpec?.affinity),
    facts?.demand ?? podGpuDemand(t),
    req.cpu,
    req.memoryBytes,
    req.ephemeralStorageBytes ?? 0,
  ]);
}

/**
 * The selection signature of a pod template: equal for two templates exactly when predicates 1 and 2 of
 * {@link placeOnPool} (taints, node selection) cannot tell them apart — the tolerations, the nodeSelector and the
 * required node affinity terms, the first three parts of {@link placementSignature}.
 */
export function selectionSignature(t: PodTemplateRef): string {
  const podSpec = t.podSpec;
  return canonicalParts([podSpec?.tolerations, podSpec?.nodeSelector, requiredNodeSelectorTerms(podSpec?.affinity)]);
}

/**
 * {@link placeOnPools} over a fixed list of pools for many templates, memoised in two levels: the verdict per
 * (placement signature, pool), and the outcome of taints and node selection per (selection signature, pool). A pool
 * that a template's selection rules out gives every template with the same selection the same verdict object; on the
 * pools it selects, only the resource predicates run again. Pools of the same shape (what the predicates read of
 * them, name aside: {@link PoolModel.selectionShape}, and for the resource predicates the same advertised resources,
 * disk for pods and limits outcome) are judged once per template and share the outcome; each pool still gets verdict objects of its
 * own (a verdict names its pool). Thousands of workloads × thousands of pools (the `plan` command) stay linear in
 * the pairs and share the verdicts' objects. The verdicts equal placeOnPool's.
 */
export class PlacementMemo {
  /** How many verdicts were computed (not taken from the memo). */
  public computed = 0;
  private readonly bySignature = new Map<string, Placement>();
  private readonly bySelection = new Map<string, Selections>();
  private readonly allocatable = new Map<GpuInstanceType, { cpu: number; memoryBytes: number }>();
  /** Per outcome of node selection (shared by pools of one shape), the resource predicates' memo per fit shape. */
  private readonly tables = new Map<readonly SelectedType[], Map<string, FitTable>>();
  private readonly fitParts: Array<Map<GpuInstanceType, string> | undefined> = [];

  constructor(private readonly pools: readonly PoolModel[], private readonly options: PlacementOptions = {}) {}

  /** One verdict per pool, in the pools' order; `signature` is {@link placementSignature}(t) when the caller has it. */
  public verdicts(t: PodTemplateRef, signature: string = placementSignature(t)): PlacementVerdict[] {
    return this.placement(t, signature).verdicts;
  }

  /** The verdicts of {@link verdicts} and which fit; one object per signature. */
  public placement(t: PodTemplateRef, signature: string = placementSignature(t)): Placement {
    let known = this.bySignature.get(signature);
    if (known) return known;
    const selSig = selectionSignature(t);
    let sel = this.bySelection.get(selSig);
    if (!sel) this.bySelection.set(selSig, sel = this.select(t, selSig));
    const facts = { demand: podGpuDemand(t), req: podCpuMemoryRequests(t) };
    const resources = Object.keys(facts.demand);
    const pod: FitPod = { t, options: this.options, facts, alloc: this.alloc, resources, counts: resources.map((r) => facts.demand[r]) };
    const n = this.pools.length;
    const verdicts: PlacementVerdict[] = new Array(n);
    const fits = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const selection = sel.outcomes[i];
      if (!Array.isArray(selection)) {
        verdicts[i] = selection;
        continue;
      }
      this.computed++;
      const place = sel.tables[i] ?? (sel.tables[i] = this.tableOf(i, selection));
      const own = place.table.own(pod, place.slot, this.pools[i]);
      verdicts[i] = own.verdict;
      if (own.verdict.fits) fits[i] = 1;
    }
    known = { verdicts, fits };
    this.bySignature.set(signature, known);
    return known;
  }

  /**
   * Predicates 1 and 2 for every pool: selectOnPool on the first pool of each shape, shared by the others (a failure
   * as a verdict of their own). A selection that reads {@link NODEPOOL_LABEL} sees each pool's name: then nothing is
   * shared (the test is on the signature's text, which holds every key the selection names).
   */
  private select(t: PodTemplateRef, selSig: string): Selections {
    const byName = selSig.includes(NODEPOOL_LABEL);
    const outcomes = new Map<string, PlacementVerdict | SelectedType[]>();
    return {
      outcomes: this.pools.map((pool) => {
        if (pool.selectionShape === undefined || byName) return selectOnPool(t, pool, this.options);
        const known = outcomes.get(pool.selectionShape);
        if (known === undefined) {
          const outcome = selectOnPool(t, pool, this.options);
          outcomes.set(pool.selectionShape, outcome);
          return outcome;
        }
        return Array.isArray(known) ? known : failed(pool, known.failedPredicate!, known.reason!);
      }),
      tables: [],
    };
  }

  /**
   * The resource predicates' memo of pool `i` for its selected types, and the pool's slot in it: shared with every
   * pool that has the same outcome of node selection (so the same types and capacity types) and, per selected type,
   * the same advertised resources and the same verdict of its limits on one node; the limits themselves count too
   * when one of the types exceeds them (the reason quotes them).
   */
  private tableOf(i: number, selection: readonly SelectedType[]): { table: FitTable; slot: number } {
    const pool = this.pools[i];
    if (pool.selectionShape === undefined) return { table: new FitTable(pool, selection, this.alloc), slot: 0 };
    let byShape = this.tables.get(selection);
    if (!byShape) this.tables.set(selection, byShape = new Map());
    let key = '';
    let allWithin = true;
    for (const s of selection) {
      const part = this.fitPart(i, s.type);
      allWithin = allWithin && part[0] === '+';
      key += part;
    }
    if (!allWithin) key += JSON.stringify(Object.entries(pool.limits));
    let table = byShape.get(key);
    if (!table) byShape.set(key, table = new FitTable(pool, selection, this.alloc));
    return { table, slot: table.slots++ };
  }

  /**
   * Per pool, what its fit shape holds of each type: within its limits on one node (`+`) or not (`-`), the resources it
   * advertises, and the disk it gives pods. The disk's reason (the volume it comes from) is the first pool's: pools share
   * a table only when their disks hold the same bytes for pods.
   */
  private fitPart(i: number, type: GpuInstanceType): string {
    const parts = this.fitParts[i] ?? (this.fitParts[i] = new Map());
    let part = parts.get(type);
    if (part === undefined) {
      const pool = this.pools[i];
      // (and the disk its EC2NodeClass gives, which the ephemeral-storage predicate reads)
      const room = pool.daemonSetOverhead?.(type) === undefined ? '' : ((r) => `/${r.cpu}/${r.memoryBytes}`)(this.alloc(pool, type));
      parts.set(type, part = `${withinPoolLimits(pool, type) ? '+' : '-'}${JSON.stringify(pool.advertisedResources(type))}`
        + `${podDiskRoom(pool, type)}${room}`);
    }
    return part;
  }

  private readonly alloc = (pool: PoolModel, type: GpuInstanceType) => {
    // (a pool whose nodes run the manifests' DaemonSets has room of its own)
    if (pool.daemonSetOverhead?.(type) !== undefined) return podRoomOf(pool, type, this.options.systemReserve);
    let a = this.allocatable.get(type);
    if (!a) this.allocatable.set(type, a = allocatableOf(type, this.options.systemReserve));
    return a;
  };
}

/** What {@link PlacementMemo.placement} knows of one template on every pool (pools' order). */
export interface Placement {
  readonly verdicts: PlacementVerdict[];
  /** 1 where the verdict fits. */
  readonly fits: Uint8Array;
}

/** The outcome of predicates 1 and 2 for one selection signature on every pool, and what is memoised with it. */
interface Selections {
  /** A failed verdict, or the types the pod selects (shared by pools of one shape). */
  readonly outcomes: Array<PlacementVerdict | SelectedType[]>;
  /** Where the pools the pod selects are judged on their resources. */
  readonly tables: Array<{ table: FitTable; slot: number }>;
}

/** A verdict of a {@link FitTable} as one of its pools has it (naming that pool). */
interface OwnVerdict {
  readonly verdict: PlacementVerdict;
}

/**
 * Predicates 3 to 5 ({@link fitOnPool}) for one pool and one outcome of node selection, memoised: each verdict is
 * decided by which selected types pass each predicate (a bit mask) and the one figure its reason quotes, so templates
 * that differ only in figures that change no outcome get the same verdict object. The verdicts themselves come from
 * fitOnPool (on the first template of each outcome): the table only decides which one applies.
 */
/** One pod template as {@link FitTable} judges it (built once per template). */
interface FitPod {
  readonly t: PodTemplateRef;
  readonly options: PlacementOptions;
  readonly facts: { demand: Readonly<Record<string, number>>; req: Readonly<PodNodeRequests> };
  readonly alloc: (pool: PoolModel, type: GpuInstanceType) => { cpu: number; memoryBytes: number };
  /** The GPU resources of `facts.demand`, in its order, and the count of each. */
  readonly resources: readonly string[];
  readonly counts: readonly number[];
}

/* eslint-disable no-bitwise -- sets of at most 31 selected types as bit masks: no allocation per (template, pool) */
class FitTable {
  private readonly types: readonly GpuInstanceType[];
  private readonly cpu: number[];
  private readonly memory: number[];
  /** The ephemeral storage for pods on a node of each type; Infinity when not known (it passes). */
  private readonly disk: number[];
  /** Bit i: selected type i stays within the pool's limits on its own. */
  private readonly within: number;
  private readonly offered = new Map<string, unknown[]>();
  private readonly fitting = new Map<number, PlacementVerdict>();
  private readonly failing = new Map<string, PlacementVerdict>();
  /** How many pools share the table (each has a slot). */
  public slots = 0;
  /** Per verdict of the table, each slot's own copy. */
  private readonly copies = new Map<PlacementVerdict, OwnVerdict[]>();
  /** The last pod judged, and the slots' copies of its verdict: the pools of a table ask about each pod in turn. */
  private lastPod?: FitPod;
  private lastCopies: OwnVerdict[] = [];
  private lastVerdict?: PlacementVerdict;

  constructor(private readonly pool: PoolModel, private readonly selection: readonly SelectedType[],
    alloc: (pool: PoolModel, type: GpuInstanceType) => { cpu: number; memoryBytes: number }) {
    this.types = selection.map((s) => s.type);
    this.cpu = this.types.map((type) => alloc(pool, type).cpu);
    this.memory = this.types.map((type) => alloc(pool, type).memoryBytes);
    this.disk = this.types.map((type) => podDiskRoom(pool, type));
    let within = 0;
    this.types.forEach((type, i) => { if (withinPoolLimits(pool, type)) within |= 1 << i; });
    this.within = within;
  }

  /** Whether masks can stand for the selected types (more than 31 types: every verdict is computed). */
  private get masked(): boolean {
    return this.types.length <= 31;
  }

  private offeredOf(resource: string): unknown[] {
    let o = this.offered.get(resource);
    if (!o) this.offered.set(resource, o = this.types.map((type) => offeredOnNode(resource, type, this.pool.advertisedResources(type))));
    return o;
  }

  /** The verdict for `pod` on `pool` (the pool of `slot`): the table's verdict, naming `pool`. */
  public own(pod: FitPod, slot: number, pool: PoolModel): OwnVerdict {
    if (pod !== this.lastPod) {
      const v = this.verdict(pod);
      let copies = this.copies.get(v);
      if (!copies) this.copies.set(v, copies = []);
      this.lastPod = pod;
      this.lastVerdict = v;
      this.lastCopies = copies;
    }
    let own = this.lastCopies[slot];
    if (!own) {
      const v = this.lastVerdict!;
      this.lastCopies[slot] = own = { verdict: v.pool === pool ? v : { ...v, pool } };
    }
    return own;
  }

  /** The verdict for `pod` on this table's pool (fitOnPool's, computed by it when this outcome is new). */
  private verdict(pod: FitPod): PlacementVerdict {
    if (!this.masked) return this.compute(pod);
    const { resources, counts } = pod;
    const req = pod.facts.req;
    const n = this.types.length;
    let mask = n === 31 ? 0x7fffffff : (1 << n) - 1;
    // 3. GPU resources, in the demand's order: the first resource no remaining type offers decides.
    for (let j = 0; j < resources.length; j++) {
      const offered = this.offeredOf(resources[j]) as number[];
      let next = 0;
      for (let i = 0; i < n; i++) if ((mask & (1 << i)) !== 0 && offered[i] >= counts[j]) next |= 1 << i;
      if (next === 0) return this.failure(`g${mask}\u0000${counts[j]}\u0000${resources[j]}`, pod);
      mask = next;
    }
    // 4. cpu, then memory.
    let next = 0;
    for (let i = 0; i < n; i++) if ((mask & (1 << i)) !== 0 && this.cpu[i] >= req.cpu) next |= 1 << i;
    if (next === 0) return this.failure(`c${mask}\u0000${req.cpu}`, pod);
    mask = next;
    next = 0;
    for (let i = 0; i < n; i++) if ((mask & (1 << i)) !== 0 && this.memory[i] >= req.memoryBytes) next |= 1 << i;
    if (next === 0) return this.failure(`m${mask}\u0000${req.memoryBytes}`, pod);
    mask = next;
    // 4b. ephemeral storage.
    const disk = req.ephemeralStorageBytes ?? 0;
    if (disk > 0) {
      next = 0;
      for (let i = 0; i < n; i++) if ((mask & (1 << i)) !== 0 && this.disk[i] >= disk) next |= 1 << i;
      if (next === 0) return this.failure(`d${mask}\u0000${disk}`, pod);
      mask = next;
    }
    // 5. pool limits.
    if ((mask & this.within) === 0) return this.failure(`l${mask}`, pod);
    mask &= this.within;
    let v = this.fitting.get(mask);
    if (!v) this.fitting.set(mask, v = this.compute(pod));
    return v;
  }

  private failure(key: string, pod: FitPod): PlacementVerdict {
    let v = this.failing.get(key);
    if (!v) this.failing.set(key, v = this.compute(pod));
    return v;
  }

  private compute(pod: FitPod): PlacementVerdict {
    return fitOnPool(pod.t, this.pool, this.selection, pod.options, pod.facts, (type) => pod.alloc(this.pool, type));
  }
}
/* eslint-enable no-bitwise */

/** Judges one pod template against every pool, one verdict per pool in the given order. */
export function placeOnPools(t: PodTemplateRef, pools: readonly PoolModel[], options: PlacementOptions = {}): PlacementVerdict[] {
  return pools.map((pool) => placeOnPool(t, pool, options));
}

/**
 * The pool Karpenter would pick among fitting verdicts: highest `weight` first (absent = 0), then name order as a
 * stable tie-break (Karpenter itself does not promise an order for equal weights). `undefined` when none fits.
 */
export function preferredVerdict(verdicts: readonly PlacementVerdict[]): PlacementVerdict | undefined {
  return verdicts.filter((v) => v.fits)
    .sort((a, b) => (b.pool.weight ?? 0) - (a.pool.weight ?? 0) || byCodeUnits(a.pool.name, b.pool.name))[0];
}
