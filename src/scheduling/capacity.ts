/**
 * How many pods of one shape a NodePool's limits let Karpenter launch nodes for. Karpenter launches a node only if its
 * whole capacity fits what is left of the pool's `limits` (`nvidia.com/gpu`, `cpu`, `memory`; Karpenter "NodePools:
 * limits"), so a pool limited to 8 GPUs holds one p5.48xlarge, and one pod of 6 GPUs there takes the whole node.
 * Shared by rule GPU219, InferenceDeployment and KedaGpuScaler.
 */
import { GpuInstanceType } from '../catalog';
import { podDiskRoom, PoolModel } from './nodepool';
import { podRoomOf } from './placement';

/** The most pods of one shape a pool's limits allow, and the instance type that packs them best. */
export interface PoolPodBound {
  /** The most pods: an upper bound, no mix of the pool's node types holds more within its limits. */
  readonly pods: number;
  /** The type with the most pods per GPU of limit. */
  readonly type: GpuInstanceType;
  /** Pods a node of that type holds. */
  readonly perNode: number;
}

/** What a node of `type` holds of a resource Karpenter limits (`nvidia.com/gpu`, `cpu`, `memory`). */
function nodeCapacity(type: GpuInstanceType, resource: string): number | undefined {
  switch (resource) {
    case 'nvidia.com/gpu': return type.gpuCount;
    case 'cpu': return type.vcpu;
    case 'memory': return type.memoryMiB * 2 ** 20;
    default: return undefined;
  }
}

/** Up to this GPU limit, the pods of whole nodes are counted exactly (a knapsack over the limit); above, bounded. */
const MAX_EXACT_GPU_LIMIT = 4096;

/**
 * The most pods whole nodes hold within a GPU limit: each node of a type takes its GPU count of the limit and holds
 * its pods (an unbounded knapsack, so mixed node types are counted too: 13 GPUs buy an 8-GPU and a 5-GPU node).
 */
function mostPodsOfWholeNodes(limit: number, fit: ReadonlyArray<{ type: GpuInstanceType; pods: number }>): number {
  // One node size (the common case): as many nodes as the limit buys.
  const g0 = fit[0].type.gpuCount;
  if (fit.every((f) => f.type.gpuCount === g0)) return Math.floor(limit / g0) * Math.max(...fit.map((f) => f.pods));
  // Pools of one shape ask the same question for every pod shape: answered once per (limit, node sizes).
  const key = `${limit}|${fit.map((f) => `${f.type.gpuCount}:${f.pods}`).join(',')}`;
  const known = WHOLE_NODE_PODS.get(key);
  if (known !== undefined) return known;
  const best = new Array<number>(limit + 1).fill(0);
  for (let c = 1; c <= limit; c++) {
    let b = best[c - 1];
    for (const f of fit) {
      const g = f.type.gpuCount;
      if (g <= c && best[c - g] + f.pods > b) b = best[c - g] + f.pods;
    }
    best[c] = b;
  }
  if (WHOLE_NODE_PODS.size >= 10_000) WHOLE_NODE_PODS.clear();
  WHOLE_NODE_PODS.set(key, best[limit]);
  return best[limit];
}
const WHOLE_NODE_PODS = new Map<string, number>();

/**
 * The most GPUs whole nodes of `types` hold within a GPU `limit`: Karpenter counts each node's GPUs against
 * `limits["nvidia.com/gpu"]` when it launches it, so a limit of 6 buys one 4-GPU node (4 GPUs), and 13 an 8-GPU and a
 * 5-GPU node. The limit itself when it is not a whole number up to 4096, or no type has GPUs.
 */
export function wholeNodeGpusWithin(limit: number, types: readonly GpuInstanceType[]): number {
  const fit = types.filter((t) => t.gpuCount > 0).map((type) => ({ type, pods: type.gpuCount }));
  if (fit.length === 0 || !Number.isInteger(limit) || limit < 0 || limit > MAX_EXACT_GPU_LIMIT) return limit;
  return mostPodsOfWholeNodes(limit, fit);
}

/**
 * Whether `pool` shares the GPUs of `type` (time-slicing, a NodeOverlay's capacity): its nodes advertise another
 * `nvidia.com/gpu` count than the type's GPUs, so pods' GPU requests are not the GPUs its limit counts.
 */
export function sharesGpus(pool: PoolModel, type: GpuInstanceType): boolean {
  return (pool.advertisedResources(type)['nvidia.com/gpu'] ?? 0) !== type.gpuCount;
}

/**
 * The pods of `gpus` whole GPUs (and `cpu` cores, `memoryBytes`, `ephemeralStorageBytes`) one node of `type` from `pool`
 * holds: its GPUs, its room for pods after the reserve and the DaemonSets, and its disk when known.
 */
export function podsOnOneNode(pool: PoolModel, type: GpuInstanceType, gpus: number, cpu: number, memoryBytes: number,
  ephemeralStorageBytes: number = 0): number {
  const alloc = podRoomOf(pool, type);
  let n = Math.floor(type.gpuCount / gpus);
  if (cpu > 0) n = Math.min(n, Math.floor(alloc.cpu / cpu + 1e-9));
  if (memoryBytes > 0) n = Math.min(n, Math.floor(alloc.memoryBytes / memoryBytes + 1e-9));
  // (and the disk of the pool's EC2NodeClass, when known)
  if (ephemeralStorageBytes > 0) n = Math.min(n, Math.floor(podDiskRoom(pool, type) / ephemeralStorageBytes + 1e-9));
  return n;
}

/**
 * The most pods of `gpus` whole GPUs (and `cpu` cores, `memoryBytes`, `ephemeralStorageBytes`) on the instance types
 * `types` of `pool`: for each limited resource, the limit times the best pods-per-capacity of the types (the pods a node
 * holds: its GPUs, its allocatable cpu and memory, its disk when known, one with `onePerNode`), the smallest over the
 * resources. Undefined when the pool has no
 * GPU limit, no such type, or shares its GPUs (time-slicing, NodeOverlay capacity: not judged).
 */
export function podsWithinPoolLimits(pool: PoolModel, types: readonly GpuInstanceType[], gpus: number, cpu: number,
  memoryBytes: number, onePerNode: boolean, ephemeralStorageBytes: number = 0): PoolPodBound | undefined {
  if (pool.gpuLimit === undefined || types.length === 0 || !(gpus > 0)) return undefined;
  const fit: Array<{ type: GpuInstanceType; pods: number }> = [];
  for (const t of types) {
    if (sharesGpus(pool, t)) return undefined;
    const n = podsOnOneNode(pool, t, gpus, cpu, memoryBytes, ephemeralStorageBytes);
    fit.push({ type: t, pods: onePerNode ? Math.min(n, 1) : n });
  }
  let pods = Infinity;
  for (const resource of Object.keys(pool.limits)) {
    const limit = pool.limits[resource];
    if (resource === 'nvidia.com/gpu' && Number.isInteger(limit) && limit >= 0 && limit <= MAX_EXACT_GPU_LIMIT) {
      pods = Math.min(pods, mostPodsOfWholeNodes(limit, fit));
      continue;
    }
    // Other resources (and huge GPU limits): the limit times the best pods per unit, a bound no whole nodes beat.
    let best = 0;
    for (const f of fit) {
      const cap = nodeCapacity(f.type, resource);
      if (cap === undefined) { best = Infinity; break; }
      if (cap > 0) best = Math.max(best, (limit * f.pods) / cap);
    }
    pods = Math.min(pods, Math.floor(best + 1e-9));
  }
  const most = fit.reduce((a, b) => (b.pods / b.type.gpuCount > a.pods / a.type.gpuCount ? b : a));
  return { pods, type: most.type, perNode: most.pods };
}

/** Per pool, {@link podsAtLeastWithinPoolLimits} (it does not depend on the pod). */
const POOL_FLOOR = new WeakMap<PoolModel, number>();

/**
 * A lower bound of {@link podsWithinPoolLimits} for any pod that fits one of the pool's types: the nodes of its
 * largest type the limits buy, each holding at least that pod (Infinity without a GPU limit: nothing bounds it). A
 * cheap first answer: when it is enough, the exact count is not needed.
 */
export function podsAtLeastWithinPoolLimits(pool: PoolModel): number {
  let n = POOL_FLOOR.get(pool);
  if (n === undefined) {
    n = Infinity;
    if (pool.gpuLimit !== undefined) {
      for (const resource of Object.keys(pool.limits)) {
        let cap = 0;
        for (const t of pool.instanceTypes) cap = Math.max(cap, nodeCapacity(t, resource) ?? 0);
        if (cap > 0) n = Math.min(n, Math.floor(pool.limits[resource] / cap));
      }
      if (n === Infinity) n = 0;
    }
    POOL_FLOOR.set(pool, n);
  }
  return n;
}
