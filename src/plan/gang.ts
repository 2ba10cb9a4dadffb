/**
 * Gangs in the plan: an Indexed Job whose pods talk to each other (`completionMode: Indexed`, `parallelism` =
 * `completions` above 1, a `subdomain` for stable rank hostnames: the shape TrainingJob's `nodes` renders and
 * torchrun/MPI jobs use) runs all its ranks at once or makes no progress, so the plan shows it as one unit: N ranks on
 * so many nodes, all or none, and what the whole group costs per hour. The same detection as rule GPU212.
 */
import { GpuInstanceType } from '../catalog';
import { packFirstFitDecreasing } from './packing';
import { matchesLabelSelector } from '../scheduling/labels';
import { podDiskRoom, PoolModel } from '../scheduling/nodepool';
import { podRoomOf, SystemReserve } from '../scheduling/placement';
import { WorkloadRef } from '../validation/rule';

/** A gang's share of the plan. */
export interface GangPlan {
  /** Ranks (pods) that must run at once. */
  readonly ranks: number;
  /** Nodes they take (one per rank when they keep one pod per node: `onePodPerNode`; else packed). */
  readonly nodes: number;
  /** The instance type of those nodes. */
  readonly instanceType: string;
  /** GPUs of those nodes (what Karpenter counts against the pool's limit). */
  readonly nodeGpus: number;
  /** USD per hour of the whole gang, priced as its pool (spot or on-demand); absent without a catalog price. */
  readonly usdPerHour?: number;
}

const wholeCount = (v: unknown, dflt: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : dflt);

/** The number of ranks when `w` is a gang, else undefined. */
export function gangRanks(w: WorkloadRef): number | undefined {
  const spec = w.kind === 'Job' ? w.object?.spec : w.kind === 'CronJob' ? w.object?.spec?.jobTemplate?.spec : undefined;
  if (!spec || spec.completionMode !== 'Indexed' || !w.template.podSpec?.subdomain) return undefined;
  const parallelism = wholeCount(spec.parallelism, 1);
  if (parallelism < 2 || wholeCount(spec.completions, parallelism) !== parallelism) return undefined;
  return parallelism;
}

/**
 * Whether a pod template keeps one of its own pods per node, as kube-scheduler and Karpenter place them:
 * - a required pod anti-affinity on `kubernetes.io/hostname` whose selector matches the template's own labels in its
 *   own namespace (InterPodAffinity; a term selecting other pods does not keep these apart);
 * - or a host port on an app container (NodePorts: two pods asking for the same host port, protocol and address
 *   never share a node). With `hostNetwork`, every container port is a host port (the API server defaults `hostPort`
 *   to `containerPort`: pkg/apis/core/v1/defaults.go `defaultHostNetworkPorts`).
 */
export function onePodPerNode(w: WorkloadRef): boolean {
  return onePodPerNodeBecause(w) !== undefined;
}

/** Why {@link onePodPerNode} holds, in words (undefined when it does not). */
export function onePodPerNodeBecause(w: WorkloadRef): string | undefined {
  if (antiAffineToItself(w)) return 'required anti-affinity on kubernetes.io/hostname';
  const port = hostPortOf(w.template.podSpec);
  return port === undefined ? undefined : `${w.template.podSpec.hostNetwork === true ? 'hostNetwork port' : 'host port'} ${port}`;
}

function antiAffineToItself(w: WorkloadRef): boolean {
  const terms = w.template.podSpec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!Array.isArray(terms)) return false;
  const ns = typeof w.object?.metadata?.namespace === 'string' ? w.object.metadata.namespace : '';
  return terms.some((t: any) => t?.topologyKey === 'kubernetes.io/hostname'
    && matchesLabelSelector(t.labelSelector, w.template.podLabels)
    && (!Array.isArray(t.namespaces) || t.namespaces.length === 0 || t.namespaces.includes(ns || 'default') || t.namespaces.includes(ns)));
}

/** The first host port an app container of the pod spec asks for (NodePorts reads `spec.containers` only). */
function hostPortOf(podSpec: any): number | undefined {
  const containers = podSpec?.containers;
  if (!Array.isArray(containers)) return undefined;
  const hostNetwork = podSpec.hostNetwork === true;
  for (const c of containers) {
    for (const p of Array.isArray(c?.ports) ? c.ports : []) {
      const port = hostNetwork && (p?.hostPort === undefined || p?.hostPort === 0) ? p?.containerPort : p?.hostPort;
      if (typeof port === 'number' && port > 0) return port;
    }
  }
  return undefined;
}

/** The gang's nodes and hourly cost on `type` of `pool`. */
export function planGang(w: WorkloadRef, ranks: number, pool: PoolModel, type: GpuInstanceType, demand: Readonly<Record<string, number>>,
  cpu: number, memoryBytes: number, pricedAsSpot: boolean, spotDiscount: number, reserve?: SystemReserve,
  ephemeralStorageBytes: number = 0): GangPlan {
  let nodes = ranks;
  if (!onePodPerNode(w)) {
    const resources = Object.keys(demand).sort();
    const adv = pool.advertisedResources(type);
    const alloc = podRoomOf(pool, type, reserve);
    // (ephemeral storage packed against the disk of the pool's EC2NodeClass, when it is known)
    const disk = ephemeralStorageBytes > 0 ? [podDiskRoom(pool, type)] : [];
    nodes = packFirstFitDecreasing([...resources.map((r) => adv[r] ?? 0), alloc.cpu, alloc.memoryBytes, ...disk],
      [{ size: [...resources.map((r) => demand[r] ?? 0), cpu, memoryBytes, ...(disk.length > 0 ? [ephemeralStorageBytes] : [])], count: ranks }]);
  }
  const price = type.onDemandUsdPerHour;
  return {
    ranks,
    nodes,
    instanceType: type.name,
    nodeGpus: nodes * type.gpuCount,
    ...(price !== undefined ? { usdPerHour: nodes * price * (pricedAsSpot ? 1 - spotDiscount : 1) } : {}),
  };
}
