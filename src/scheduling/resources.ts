/**
 * Resource names and quantities, and the effective requests of a pod.
 *
 * Sources: `k8s.io/apimachinery/pkg/api/resource` (quantity grammar), `k8s.io/kubernetes/pkg/apis/core/helper`
 * (`IsExtendedResourceName`, `IsNativeResource`), `k8s.io/component-helpers/resource` `PodRequests` (effective
 * request with init and sidecar containers, pod overhead, pod-level resources) and the API defaulting that copies
 * limits into absent requests.
 */
import { GpuConfigError } from '../errors';
import { PodTemplateRef } from './workloads';
import { hasOwn, someOwnKey } from '../private/keys';
import { quantityOf, quantityValue } from '../private/quantity';

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Whether `name` is an extended resource name: `domain/name` with a valid DNS-subdomain prefix and qualified name,
 * not in the `kubernetes.io` namespace (those are native), and not starting with `requests.` (reserved for quota).
 * E.g. `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, `amd.com/gpu`, `aws.amazon.com/neuron`, `vpc.amazonaws.com/efa`.
 */
export function isExtendedResourceName(name: string): boolean {
  if (typeof name !== 'string' || name.startsWith('requests.')) return false;
  const slash = name.indexOf('/');
  if (slash <= 0 || slash !== name.lastIndexOf('/')) return false;
  if (name.includes('kubernetes.io/')) return false;
  const prefix = name.slice(0, slash);
  const local = name.slice(slash + 1);
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && local.length <= 63 && QUALIFIED_NAME.test(local);
}

/** `nvidia.com/mig-<profile>` (also `.shared`). */
const MIG_RESOURCE = /^nvidia\.com\/mig-[A-Za-z0-9][-A-Za-z0-9_.]*$/;

/**
 * Whether `name` is a GPU resource: `nvidia.com/gpu`, `nvidia.com/gpu.shared` (time-slicing/MPS with
 * `renameByDefault`), the MIG resources `nvidia.com/mig-<profile>` (mixed strategy, also `.shared`), `amd.com/gpu`.
 */
export function isGpuResourceName(name: string): boolean {
  // (asked of every container's `cpu` and `memory` too: one prefix test answers those)
  if (name.startsWith('nvidia.com/')) return name === 'nvidia.com/gpu' || name === 'nvidia.com/gpu.shared' || MIG_RESOURCE.test(name);
  return name === 'amd.com/gpu';
}

/** Whether `name` is a MIG resource (`nvidia.com/mig-1g.10gb`, …). */
export function isMigResourceName(name: string): boolean {
  return /^nvidia\.com\/mig-/.test(name);
}

/**
 * Parses a Kubernetes quantity into a plain number: `'500m'` → 0.5, `'2'` → 2, `'16Gi'` → 17179869184,
 * `'1e3'` → 1000, `'1k'` → 1000, `'1.5'` → 1.5, bounded as the API server bounds it (`'1e400'` → 2^63 − 1; see
 * private/quantity.ts, which the schema gate reads quantities with too). A JSON number is taken as is.
 * @param q the quantity
 * @param path where it was read, for the error message
 * @throws GpuConfigError when `q` is not a quantity (empty, spaces, unknown suffix, `NaN`…)
 */
export function parseQuantity(q: string | number, path: string = 'quantity'): number {
  if (typeof q === 'number') {
    if (Number.isFinite(q)) return q;
  } else if (typeof q === 'string') {
    const n = quantityValue(q);
    if (n !== undefined) return n;
  }
  throw new GpuConfigError('parseQuantity', path,
    `is ${JSON.stringify(q)}, not a Kubernetes quantity`,
    'write a number with an optional suffix, e.g. 1, 500m, 16Gi, 1e3');
}

/** Parses a quantity, returning `undefined` instead of throwing (private/quantity.ts quantityOf, which the schema gate reads with too). */
export const tryParseQuantity: (q: unknown) => number | undefined = quantityOf;

/** One GPU resource of one container. */
export interface ContainerGpu {
  /** The resource name, e.g. `nvidia.com/gpu`. */
  readonly resource: string;
  /** Parsed `limits[resource]`; `undefined` when absent or not a quantity (see `rawLimit`). */
  readonly limit?: number;
  /** Parsed `requests[resource]` as written (no defaulting); `undefined` when absent or not a quantity. */
  readonly request?: number;
  /** `limits[resource]` exactly as written. */
  readonly rawLimit?: unknown;
  /** `requests[resource]` exactly as written. */
  readonly rawRequest?: unknown;
}

/** What {@link resourceMap} returns for a map that is absent or not a map (shared: callers only read). */
const NO_RESOURCES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A container's `resources.limits` or `resources.requests` as the model reads it: the map, or an empty one when it is
 * absent or not a map (read-only: it may be shared).
 */
export function resourceMap(container: any, field: 'limits' | 'requests'): Readonly<Record<string, unknown>> {
  const m = container?.resources?.[field];
  return m && typeof m === 'object' && !Array.isArray(m) ? m : NO_RESOURCES;
}

/** Whether a container sets a limit or a request of `resource` itself (else LimitRanger may give it a default). */
export function setsResource(container: any, resource: string): boolean {
  return hasOwn(resourceMap(container, 'limits'), resource) || hasOwn(resourceMap(container, 'requests'), resource);
}

/** The GPU resources (see {@link isGpuResourceName}) a container asks for in `limits` or `requests`. */
export function gpuResourcesOf(container: any): ContainerGpu[] {
  const limits = resourceMap(container, 'limits');
  const requests = resourceMap(container, 'requests');
  const names = [...new Set([...Object.keys(limits), ...Object.keys(requests)])].filter(isGpuResourceName);
  return names.map((resource) => {
    const has = (m: Readonly<Record<string, unknown>>) => hasOwn(m, resource);
    const limit = has(limits) ? tryParseQuantity(limits[resource]) : undefined;
    const request = has(requests) ? tryParseQuantity(requests[resource]) : undefined;
    return {
      resource,
      ...(limit === undefined ? {} : { limit }),
      ...(request === undefined ? {} : { request }),
      ...(has(limits) ? { rawLimit: limits[resource] } : {}),
      ...(has(requests) ? { rawRequest: requests[resource] } : {}),
    };
  });
}

/**
 * The request Kubernetes schedules a container by for `resource`: `requests[resource]`, else `limits[resource]`
 * (API defaulting copies limits into absent requests), else `dflt` (a LimitRange's default request) or 0.
 * Unparseable values count as 0.
 */
export function containerRequest(container: any, resource: string, dflt?: number): number {
  const requests = resourceMap(container, 'requests');
  const limits = resourceMap(container, 'limits');
  if (dflt !== undefined && !hasOwn(requests, resource) && !hasOwn(limits, resource)) return dflt;
  const raw = hasOwn(requests, resource) ? requests[resource] : limits[resource];
  return tryParseQuantity(raw) ?? 0;
}

/** The container objects of a list (what containersOf keeps of it), in order. */
function containerObjects(list: unknown): any[] {
  if (!Array.isArray(list)) return [];
  const out: any[] = [];
  list.forEach((c) => {
    if (c && typeof c === 'object') out.push(c);
  });
  return out;
}

/**
 * The effective pod request for `resources`, by Kubernetes' rule (`PodRequests`): the app containers and the
 * sidecars (init containers with `restartPolicy: Always`) are summed; each plain init container needs its own
 * request plus the sidecars started before it; the pod needs the larger of the two. `spec.overhead` is added.
 * Pod-level `spec.resources` (cpu/memory only), when set for a resource, replaces the container sum for it.
 */
export function effectivePodRequests(t: PodTemplateRef, resources: readonly string[]): Record<string, number> {
  // The containers containersOf lists (objects only), without building its entries: this runs for every workload.
  return effectiveRequests(t, containerObjects(t.podSpec?.containers), containerObjects(t.podSpec?.initContainers), resources);
}

/** {@link effectivePodRequests} over the template's app and init container objects. */
function effectiveRequests(t: PodTemplateRef, apps: readonly any[], inits: readonly any[], resources: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let ri = 0; ri < resources.length; ri++) {
    const r = resources[ri];
    // A container that sets neither a request nor a limit gets its namespace's LimitRange default request.
    const dflt = r === 'cpu' || r === 'memory' || r === 'ephemeral-storage' ? t.requestDefaults?.[r] : undefined;
    let sum = 0;
    for (let i = 0; i < apps.length; i++) sum += containerRequest(apps[i], r, dflt);
    let sidecars = 0;
    let initMax = 0;
    for (let i = 0; i < inits.length; i++) {
      const c = inits[i];
      const req = containerRequest(c, r, dflt);
      if (c.restartPolicy === 'Always') {
        sum += req;
        sidecars += req;
        initMax = Math.max(initMax, sidecars);
      } else {
        initMax = Math.max(initMax, req + sidecars);
      }
    }
    let total = Math.max(sum, initMax);
    const podLevel = t.podSpec?.resources;
    if ((r === 'cpu' || r === 'memory') && podLevel && typeof podLevel === 'object') {
      const raw = podLevel.requests?.[r] ?? podLevel.limits?.[r];
      const v = tryParseQuantity(raw);
      if (v !== undefined) total = v;
    }
    const overhead = tryParseQuantity(t.podSpec?.overhead?.[r]);
    out[r] = total + (overhead ?? 0);
  }
  return out;
}

/**
 * Effective pod demand per GPU resource named anywhere in the pod: max(max over init containers, sum over
 * containers), sidecars included as described in {@link effectivePodRequests}, plus the template's DRA GPU demand
 * (`draDemand`, keyed by device class). Resources with 0 demand are omitted.
 */
export function podGpuDemand(t: PodTemplateRef): Record<string, number> {
  const apps = containerObjects(t.podSpec?.containers);
  const inits = containerObjects(t.podSpec?.initContainers);
  const names = gpuResourceNames(apps, inits);
  return gpuDemandOf(t, effectiveRequests(t, apps, inits, names), names);
}

/**
 * {@link podGpuDemand} and {@link podCpuMemoryRequests} of a template from one pass over its containers (the
 * validation index asks for both of every workload).
 */
export function podDemand(t: PodTemplateRef): { gpu: Record<string, number>; cpu: number; memoryBytes: number; ephemeralStorageBytes: number } {
  const apps = containerObjects(t.podSpec?.containers);
  const inits = containerObjects(t.podSpec?.initContainers);
  const names = gpuResourceNames(apps, inits);
  const requests = effectiveRequests(t, apps, inits, [...names, ...NODE_RESOURCES]);
  return { gpu: gpuDemandOf(t, requests, names), cpu: requests.cpu, memoryBytes: requests.memory, ephemeralStorageBytes: requests['ephemeral-storage'] };
}

/** The GPU resources the containers name in limits or requests (the names gpuResourcesOf would list), sorted. */
function gpuResourceNames(apps: readonly any[], inits: readonly any[]): string[] {
  // (asked of every workload: no arrays but the answer, and own keys read without Object.keys)
  const names: string[] = [];
  addGpuNames(names, apps);
  addGpuNames(names, inits);
  return names.length > 1 ? names.sort() : names;
}

/** Adds to `names` the GPU resources named in the limits or requests of `containers` that it does not hold yet. */
function addGpuNames(names: string[], containers: readonly any[]): void {
  for (let i = 0; i < containers.length; i++) {
    addGpuKeys(names, resourceMap(containers[i], 'limits'));
    addGpuKeys(names, resourceMap(containers[i], 'requests'));
  }
}

function addGpuKeys(names: string[], m: Readonly<Record<string, unknown>>): void {
  for (const name in m) if (hasOwn(m, name) && isGpuResourceName(name) && !names.includes(name)) names.push(name);
}

/**
 * Whether a GPU demand ({@link podGpuDemand}, RuleContext.gpuDemand) names any resource (that passes `test`):
 * `Object.keys(d).some(test)` without the array (asked of every workload by several rules).
 */
export function demandsAny(demand: Readonly<Record<string, number>>, test?: (resource: string) => boolean): boolean {
  return someOwnKey(demand, test);
}

/** The GPU demand: the effective requests of `names` above 0, then the template's DRA demand added. */
function gpuDemandOf(t: PodTemplateRef, requests: Readonly<Record<string, number>>, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) if (requests[names[i]] > 0) out[names[i]] = requests[names[i]];
  const dra = t.draDemand;
  if (dra !== undefined) for (const [k, v] of Object.entries(dra)) if (v > 0) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The node resources a pod requests besides its GPUs: cpu (cores), memory and ephemeral storage (bytes). */
export interface PodNodeRequests {
  readonly cpu: number;
  readonly memoryBytes: number;
  /** `ephemeral-storage` (emptyDir volumes, writable layers and logs count against it). @default 0 */
  readonly ephemeralStorageBytes?: number;
}

/**
 * Effective cpu (cores), memory and ephemeral-storage (bytes) requests of a pod; limits stand in for absent requests.
 */
export function podCpuMemoryRequests(t: PodTemplateRef): { cpu: number; memoryBytes: number; ephemeralStorageBytes: number } {
  const r = effectivePodRequests(t, NODE_RESOURCES);
  return { cpu: r.cpu, memoryBytes: r.memory, ephemeralStorageBytes: r['ephemeral-storage'] };
}

/** The node resources {@link podCpuMemoryRequests} reads. */
const NODE_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
