/**
 * Which NodePools count as GPU pools, and the taint assumed when the manifests hold none. Shared by the rules.
 */
import { draCapacity, isDraDemandKey } from '../../scheduling/dra';
import { PoolModel } from '../../scheduling/nodepool';
import { BLOCKING_TAINT_EFFECTS, Taint } from '../../scheduling/taints';

/** Karpenter AWS label keys that name GPUs (karpenter-provider-aws `apis/v1/labels.go`). */
export const GPU_LABEL_KEYS: readonly string[] = [
  'karpenter.k8s.aws/instance-gpu-name', 'karpenter.k8s.aws/instance-gpu-count',
  'karpenter.k8s.aws/instance-gpu-manufacturer', 'karpenter.k8s.aws/instance-gpu-memory',
];

/** Keys whose `In` values pick instance types by name, family or category. */
const TYPE_SELECTING_KEYS: readonly string[] = [
  'node.kubernetes.io/instance-type', 'karpenter.k8s.aws/instance-family', 'karpenter.k8s.aws/instance-category',
];

/** The label carrying the GPU model of an instance type, and its GPU memory in MiB. */
export const GPU_NAME_LABEL = 'karpenter.k8s.aws/instance-gpu-name';
/** @see GPU_NAME_LABEL */
export const GPU_MEMORY_LABEL = 'karpenter.k8s.aws/instance-gpu-memory';

/**
 * The requirement by which a pool deliberately allows GPU instances, or undefined: an `In` on instance type,
 * family or category, or any selecting operator on a GPU key (`instance-gpu-name`, `-count`, …), while the pool's
 * requirements admit at least one GPU type of the catalog. A pool with no such requirement (e.g. no instance
 * requirement at all) is a general pool, not a GPU pool.
 */
export function gpuSelectingRequirement(pool: PoolModel): string | undefined {
  if (!pool.offersGpu) return undefined;
  for (const r of pool.requirements) {
    const values = r.values ?? [];
    if (TYPE_SELECTING_KEYS.includes(r.key) && r.operator === 'In') return `${r.key} In [${values.join(', ')}]`;
    if (GPU_LABEL_KEYS.includes(r.key) && r.operator !== 'NotIn' && r.operator !== 'DoesNotExist') {
      return `${r.key} ${r.operator}${values.length ? ` [${values.join(', ')}]` : ''}`;
    }
  }
  return undefined;
}

/** Whether a taint keeps pods off the node at scheduling time (NoSchedule or NoExecute). */
export function isBlocking(t: Taint): boolean {
  return BLOCKING_TAINT_EFFECTS.includes(t.effect);
}

/** Whether the pool is a GPU pool: it deliberately allows GPU types, or it offers GPUs and carries a GPU taint. */
export function isGpuPool(pool: PoolModel): boolean {
  if (!pool.offersGpu) return false;
  return gpuSelectingRequirement(pool) !== undefined || pool.taints.some((t) => isBlocking(t) && /gpu/i.test(t.key));
}

/** The resources each pool's instance types advertise, computed once per pool (a pool model never changes). */
const OFFERED = new WeakMap<PoolModel, ReadonlySet<string>>();

/** Every resource some instance type of the pool advertises (count > 0), computed once per pool. */
export function poolOfferedResources(pool: PoolModel): ReadonlySet<string> {
  let offered = OFFERED.get(pool);
  if (!offered) {
    const set = new Set<string>();
    for (const t of pool.instanceTypes) {
      for (const [r, n] of Object.entries(pool.advertisedResources(t))) if (n > 0) set.add(r);
    }
    OFFERED.set(pool, offered = set);
  }
  return offered;
}

/** Whether any instance type of the pool advertises `resource`. */
export function poolOffers(pool: PoolModel, resource: string): boolean {
  if (isDraDemandKey(resource)) return pool.instanceTypes.some((t) => draCapacity(resource, t, pool.advertisedResources(t)) > 0);
  return poolOfferedResources(pool).has(resource);
}

/**
 * The conventional taint of nodes offering `resource` when no NodePool in the manifests offers it:
 * `nvidia.com/gpu:NoSchedule` for NVIDIA resources (EKS and GPU Operator convention, also what the ai-on-eks
 * blueprints use), `<vendor>/gpu:NoSchedule` for other vendors (e.g. `amd.com/gpu`).
 */
export function conventionalTaintFor(resource: string): Taint {
  const vendor = resource.includes('/') ? resource.slice(0, resource.indexOf('/')) : 'nvidia.com';
  return { key: `${vendor}/gpu`, effect: 'NoSchedule' };
}

/** Instance type names of a pool, shortened: the first few and a count. */
export function sampleTypes(pool: PoolModel, onlyGpu = true, max = 3): string {
  const names = pool.instanceTypes.filter((t) => !onlyGpu || t.gpuCount > 0).map((t) => t.name);
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} … (${names.length} types)`;
}
