/**
 * Spill-over: how Karpenter spreads a workload's replicas over the NodePools it fits when a pool reaches its limits.
 *
 * Karpenter tries NodePools in descending `weight` and, for a pool at its `spec.limits`, moves on to the next
 * compatible one (karpenter.sh docs, Concepts → NodePools: "Weighted NodePools" and "Limits": "If the limit has been
 * exceeded, nodes provisioning is prevented until some nodes have been terminated"). Limits count the capacity of the
 * nodes the pool launched (cpu, memory, extended resources such as `nvidia.com/gpu`, and `nodes`).
 *
 * Model: workloads are taken in input order; each fills its fitting pools in weight order (ties by name), as many
 * replicas as keep the pool's nodes within its limits, and the rest spills to the next pool. Nodes are packed first fit
 * per (pool, instance type), workload after workload in that order: a workload's replicas first take the room left on
 * the nodes the pool already launched, then new nodes, so slices of different workloads share nodes. Karpenter never
 * moves running pods to make room for new ones; it launches nodes for what does not fit, and refuses a node that would
 * take the pool past its limits. Replicas no pool has room for stay Pending.
 *
 * So more replicas never need fewer nodes, and the count a pool takes is found by a search. (Packing the pool's whole
 * list again, largest first, at every step would not be: one more replica of a workload that sorts before others
 * changes the room the later ones find, and can need fewer nodes: 0 and 2 replicas fitting the limits, 1 not.)
 * Consolidation may pack the nodes tighter later; the plan counts the nodes as they are launched.
 */
import { GpuInstanceType } from '../catalog';
import { FirstFitPack, packFirstFit, PackGroup } from './packing';
import { offeredOnNode } from '../scheduling/dra';
import { podDiskRoom, PoolModel } from '../scheduling/nodepool';
import { limitCapacityOf, podRoomOf, SystemReserve } from '../scheduling/placement';

/** One workload's demand per replica, as the spill model needs it. */
export interface SpillDemand {
  /** Extended resources per replica (GPUs, MIG slices, any other extended resource). */
  readonly demand: Readonly<Record<string, number>>;
  /** cpu per replica, cores. */
  readonly cpu: number;
  /** memory per replica, bytes. */
  readonly memoryBytes: number;
  /** ephemeral-storage per replica, bytes: packed against the disk of the pool's EC2NodeClass, when known. @default 0 */
  readonly ephemeralStorageBytes?: number;
  /**
   * Set (to a key unique among the workloads) when the workload keeps one of its own pods per node (`onePodPerNode`:
   * a required hostname anti-affinity against its own pods, or host ports): its replicas then take a packing
   * dimension of their own, one per node.
   */
  readonly spreadKey?: string;
}

/** The prefix of the packing dimension of a workload that keeps one pod per node (never a resource name). */
const SPREAD = '\u0000one-per-node:';
/** The packing dimension of ephemeral storage, for workloads that request it (never a resource name). */
const DISK = '\u0000ephemeral-storage';

/**
 * A workload's packing dimensions besides cpu and memory: its extended resources, its one-per-node dimension, and
 * the nodes' disk when it requests ephemeral storage.
 */
function keysOf(w: SpillDemand): string[] {
  const keys = Object.keys(w.demand);
  if (w.spreadKey !== undefined) keys.push(SPREAD + w.spreadKey);
  if ((w.ephemeralStorageBytes ?? 0) > 0) keys.push(DISK);
  return keys;
}

/** A node's room in one packing dimension other than cpu and memory (a disk not known has room for anything). */
function roomOf(r: string, pool: PoolModel, type: GpuInstanceType, adv: Record<string, number>): number {
  if (r === DISK) return podDiskRoom(pool, type);
  return r.startsWith(SPREAD) ? 1 : offeredOnNode(r, type, adv);
}

/** Replicas of one workload placed on one pool, on nodes of one instance type. */
export interface Assignment<W extends SpillDemand> {
  readonly workload: W;
  readonly type: GpuInstanceType;
  readonly count: number;
}

/** A workload to spill: its demand, its replicas in this scenario and its fitting pools with the type to use on each. */
export interface SpillInput<W extends SpillDemand> {
  readonly workload: W;
  readonly replicas: number;
  /** Fitting pools, Karpenter's order (highest weight first, then name), with the instance type on each; read in order, only as far as needed. */
  readonly pools: Iterable<{ readonly pool: PoolModel; readonly type: GpuInstanceType }>;
}

/** The outcome of one scenario (minimum or maximum replicas). */
export interface SpillResult<W extends SpillDemand> {
  /** Per pool, the replicas assigned to it. */
  readonly byPool: Map<PoolModel, Array<Assignment<W>>>;
  /** Replicas of a workload no fitting pool had room for. */
  readonly pending: Map<W, number>;
  /** Per pool with limits, the nodes per instance type its assignments take ({@link packPool}'s figures, packed here). */
  readonly nodes: Map<PoolModel, Map<GpuInstanceType, number>>;
}

/** The nodes per instance type of `pool`'s assignments in `result`: {@link packPool} of them, packed once. */
export function nodesOf<W extends SpillDemand>(result: SpillResult<W>, pool: PoolModel,
  reserve: SystemReserve | undefined): Map<GpuInstanceType, number> {
  return result.nodes.get(pool) ?? packPool(pool, result.byPool.get(pool) ?? [], reserve);
}

/** Per-node dimensions for packing: the extended resources in `resources`, then cpu, then memory. */
function nodeCapacity(pool: PoolModel, type: GpuInstanceType, resources: readonly string[], reserve: SystemReserve | undefined): number[] {
  const adv = pool.advertisedResources(type);
  const alloc = podRoomOf(pool, type, reserve);
  return [...resources.map((r) => roomOf(r, pool, type, adv)), alloc.cpu, alloc.memoryBytes];
}

/** Nodes per instance type needed for `assignments` on `pool` (first fit per type, in the assignments' order). */
export function packPool<W extends SpillDemand>(pool: PoolModel, assignments: ReadonlyArray<Assignment<W>>,
  reserve: SystemReserve | undefined): Map<GpuInstanceType, number> {
  const out = new Map<GpuInstanceType, number>();
  const types = [...new Set(assignments.map((a) => a.type))];
  for (const type of types) out.set(type, packType(pool, type, assignments.filter((a) => a.type === type), reserve));
  return out;
}

/** Nodes of `type` needed for `here` (assignments of that type) on `pool`. */
function packType<W extends SpillDemand>(pool: PoolModel, type: GpuInstanceType, here: ReadonlyArray<Assignment<W>>,
  reserve: SystemReserve | undefined): number {
  const resources = resourcesOf(here);
  const groups: PackGroup[] = here.map((a) => ({ size: sizeOf(a.workload, resources), count: a.count }));
  return packFirstFit(nodeCapacity(pool, type, resources, reserve), groups);
}

/**
 * Capacity of `nodes` per limit key; with `type`, as if `nodes` had `count` nodes of it (in its place, or after the
 * others: the sum of `new Map(nodes).set(type, count)`, in its order, without the copy).
 */
export function usedCapacity(pool: PoolModel, nodes: ReadonlyMap<GpuInstanceType, number>, key: string,
  type?: GpuInstanceType, count: number = 0): number {
  let sum = 0;
  for (const [t, n] of nodes) sum += (t === type ? count : n) * (limitCapacityOf(pool, t)[key] ?? 0);
  if (type !== undefined && !nodes.has(type)) sum += count * (limitCapacityOf(pool, type)[key] ?? 0);
  return sum;
}

/** The limit keys `nodes` exceed on `pool`. */
export function exceededLimits(pool: PoolModel, nodes: Map<GpuInstanceType, number>): string[] {
  return Object.entries(pool.limits).filter(([k, limit]) => usedCapacity(pool, nodes, k) > limit + 1e-9).map(([k]) => k);
}

/** The resources `assignments` ask for, sorted: the packing dimensions before cpu and memory. */
function resourcesOf<W extends SpillDemand>(assignments: ReadonlyArray<Assignment<W>>): string[] {
  return [...new Set(assignments.flatMap((a) => keysOf(a.workload)))].sort();
}

/** One replica's size per packing dimension ({@link resourcesOf}'s, then cpu and memory). */
function sizeOf(w: SpillDemand, resources: readonly string[]): number[] {
  const own = w.spreadKey === undefined ? undefined : SPREAD + w.spreadKey;
  const size = (r: string) => (r === DISK ? w.ephemeralStorageBytes ?? 0 : r.startsWith(SPREAD) ? (r === own ? 1 : 0) : w.demand[r] ?? 0);
  return [...resources.map(size), w.cpu, w.memoryBytes];
}

/** Whether `nodes` with `n` nodes of `type` instead of (or besides) those it has exceed a limit of `pool` ({@link exceededLimits}'s test). */
function exceedsWith(pool: PoolModel, nodes: ReadonlyMap<GpuInstanceType, number>, type: GpuInstanceType, n: number): boolean {
  const limits = limitKeys(pool);
  for (let i = 0; i < limits.keys.length; i++) {
    if (usedCapacity(pool, nodes, limits.keys[i], type, n) > limits.values[i] + 1e-9) return true;
  }
  return false;
}

/** Whether a node of `type` counts no negative amount against any of `pool`'s limits (so more nodes never count less). */
function monotone(pool: PoolModel, type: GpuInstanceType): boolean {
  const cap = limitCapacityOf(pool, type);
  return limitKeys(pool).keys.every((k) => !((cap[k] ?? 0) < 0));
}

/** The largest count in `from`…`to` where `holds` (true at `from`, and false above a count once false there). */
function lastWhere(from: number, to: number, holds: (count: number) => boolean): number {
  let lo = from;
  let hi = to + 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A pool's limits as two arrays, `Object.entries(pool.limits)` order (a pool model's limits never change). */
function limitKeys(pool: PoolModel): { readonly keys: readonly string[]; readonly values: readonly number[] } {
  let l = limitKeysMemo.get(pool);
  if (!l) limitKeysMemo.set(pool, l = { keys: Object.keys(pool.limits), values: Object.values(pool.limits) });
  return l;
}
const limitKeysMemo = new WeakMap<PoolModel, { readonly keys: readonly string[]; readonly values: readonly number[] }>();

/** Spills `inputs` (in order) over their pools; see the module comment. */
export function spill<W extends SpillDemand>(inputs: ReadonlyArray<SpillInput<W>>, reserve: SystemReserve | undefined): SpillResult<W> {
  const byPool = new Map<PoolModel, Array<Assignment<W>>>();
  const pending = new Map<W, number>();
  // Per pool, its assignments per instance type and the nodes they take; on a pool with limits, also their packing over
  // the resources they ask for: replicas of one type are added onto that type's nodes only (packPool packs each type
  // on its own).
  const byType = new Map<PoolModel, Map<GpuInstanceType, Array<Assignment<W>>>>();
  const packed = new Map<PoolModel, Map<GpuInstanceType, number>>();
  const packs = new Map<PoolModel, Map<GpuInstanceType, { resources: string[]; pack: FirstFitPack }>>();
  /**
   * The packing of `sameType`, over the resources they and one more `workload` ask for (as packType
   * has them): the type's packing, or a new one when the workload brings a resource the type's assignments had not.
   */
  const packOf = (pool: PoolModel, type: GpuInstanceType, sameType: ReadonlyArray<Assignment<W>>, workload: W) => {
    let perType = packs.get(pool);
    if (!perType) packs.set(pool, perType = new Map());
    const known = perType.get(type);
    const keys = keysOf(workload);
    if (known && keys.every((r) => known.resources.includes(r))) return known;
    const resources = [...new Set([...known?.resources ?? resourcesOf(sameType), ...keys])].sort();
    const pack = new FirstFitPack(nodeCapacity(pool, type, resources, reserve));
    for (const a of sameType) pack.add({ size: sizeOf(a.workload, resources), count: a.count });
    return { resources, pack };
  };
  for (const input of inputs) {
    let left = input.replicas;
    for (const { pool, type } of input.pools) {
      if (left <= 0) break;
      const current = byPool.get(pool) ?? [];
      let types = byType.get(pool);
      if (!types) { byType.set(pool, types = new Map()); packed.set(pool, new Map()); }
      const sameType = types.get(type) ?? [];
      // Pools without limits need no packing here (nothing to check).
      const limited = limitKeys(pool).keys.length > 0;
      const nodes = packed.get(pool)!;
      const packing = limited ? packOf(pool, type, sameType, input.workload) : undefined;
      const size = packing ? sizeOf(input.workload, packing.resources) : [];
      const fits = (k: number) => !exceedsWith(pool, nodes, type, packing!.pack.nodesWith({ size, count: k }));
      let k = left;
      if (limited && !fits(k)) {
        // The largest count that fits: more replicas never need fewer nodes, and where no node counts a negative
        // amount against a limit, more nodes never count less (else every count is tried, from the top).
        if (monotone(pool, type)) k = lastWhere(0, left - 1, fits);
        else while (k > 0 && !fits(k)) k--;
      }
      if (k > 0) {
        const a = { workload: input.workload, type, count: k };
        current.push(a);
        byPool.set(pool, current);
        sameType.push(a);
        types.set(type, sameType);
        if (packing) {
          packing.pack.add({ size, count: k });
          nodes.set(type, packing.pack.nodes);
          packs.get(pool)!.set(type, packing);
        }
        left -= k;
      }
    }
    if (left > 0) pending.set(input.workload, left);
  }
  // The pools with limits were packed as replicas were added, per type in the order of their first assignment (as
  // packPool orders them); the others were not packed at all.
  const nodes = new Map<PoolModel, Map<GpuInstanceType, number>>();
  for (const [pool, perType] of packed) if (limitKeys(pool).keys.length > 0) nodes.set(pool, perType);
  return { byPool, pending, nodes };
}
