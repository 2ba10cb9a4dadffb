/**
 * The LimitRange model: what a namespace's LimitRanges do to the containers of the pods created in it, as the API
 * server does it, for extended resources (GPUs, MIG slices, EFA…), cpu, memory and ephemeral-storage.
 *
 * - The stored LimitRange is defaulted (k8s.io/kubernetes pkg/apis/core/v1/defaults.go `SetDefaults_LimitRangeItem`):
 *   in a `Container` item, a resource in `max` without a `default` gets the max as its default, a `default` without a
 *   `defaultRequest` gets it as the default request, and a `min` without a `defaultRequest` gets the min;
 * - the LimitRanger admission plugin (plugin/pkg/admission/limitranger/admission.go) first gives every container and
 *   init container the defaults of the `Container` items for the resources it sets no limit or request for
 *   (`defaultContainerResourceRequirements`, `mergePodResourceRequirements`; per LimitRange the last item wins, and a
 *   value set by one LimitRange is kept by the next), then checks `min`, `max` and `maxLimitRequestRatio` per
 *   container (`Container` items) and for the pod's total (`Pod` items: app containers and sidecars summed, the
 *   largest init container if more) (`PodValidateLimitFunc`, `minConstraint`, `maxConstraint`,
 *   `limitRequestRatioConstraint`).
 *
 * Used by the LimitRange rules (GPU215, GPU216, GPU227) and by the validation index, which gives each pod template the
 * cpu and memory requests its namespace's LimitRanges default (`PodTemplateRef.requestDefaults`).
 */
import { isExtendedResourceName } from './resources';
import { ContainerRef } from './workloads';
import { hasOwn } from '../private/keys';
import { defaultLimitRangeItem } from '../private/limit-range';
import { nsOf } from '../private/meta';
import { quantityOf, quantityText } from '../private/quantity';

export const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/** The item field a value came from. */
export type Field = 'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio';

/** One resource's value in a LimitRange item: the number, as written, and where it was written. */
export interface Bound {
  readonly value: number;
  readonly text: string;
  readonly item: RangeItem;
  /** The field it was written in: for a defaulted `default` or `defaultRequest`, the field it was defaulted from. */
  readonly from: Field;
}

/** One item of `spec.limits`, with its judged resources only, defaulted as the API server stores it. */
export interface RangeItem {
  readonly limitRange: any;
  readonly index: number;
  readonly type: string;
  readonly max: Map<string, Bound>;
  readonly min: Map<string, Bound>;
  readonly ratio: Map<string, Bound>;
  readonly default: Map<string, Bound>;
  readonly defaultRequest: Map<string, Bound>;
}

/** The compute resources GPU227 judges for GPU workloads besides the extended ones. */
export const COMPUTE_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);
const judged = (r: string): boolean => isExtendedResourceName(r) || COMPUTE_RESOURCES.has(r);

/** The judged entries of `map` (extended resources, cpu, memory, ephemeral-storage) that parse as quantities (others are the schema gate's, GPU009). */
function boundsOf(map: unknown, item: RangeItem, from: Field): Map<string, Bound> {
  const out = new Map<string, Bound>();
  if (!isMap(map)) return out;
  for (const r in map) {
    if (!hasOwn(map, r) || !judged(r)) continue;
    const value = quantityOf(map[r]);
    if (value !== undefined) out.set(r, { value, text: String(map[r]), item, from });
  }
  return out;
}

/** The items of a LimitRange, defaulted (`SetDefaults_LimitRangeItem`). */
export function itemsOf(limitRange: any): RangeItem[] {
  const limits = limitRange?.spec?.limits;
  if (!Array.isArray(limits)) return [];
  const out: RangeItem[] = [];
  limits.forEach((raw: any, index: number) => {
    if (!isMap(raw) || typeof raw.type !== 'string') return;
    const item: RangeItem = {
      limitRange, index, type: raw.type, max: new Map(), min: new Map(), ratio: new Map(), default: new Map(), defaultRequest: new Map(),
    };
    const set = (target: Map<string, Bound>, source: Map<string, Bound>) => { for (const [r, b] of source) target.set(r, b); };
    set(item.max, boundsOf(raw.max, item, 'max'));
    set(item.min, boundsOf(raw.min, item, 'min'));
    set(item.ratio, boundsOf(raw.maxLimitRequestRatio, item, 'maxLimitRequestRatio'));
    set(item.default, boundsOf(raw.default, item, 'default'));
    set(item.defaultRequest, boundsOf(raw.defaultRequest, item, 'defaultRequest'));
    defaultLimitRangeItem(item.type, item.max, item.min, item.default, item.defaultRequest);
    out.push(item);
  });
  return out;
}

/** A container's value of one resource after admission, and the LimitRange bound it came from when defaulted. */
export interface Amount {
  readonly value: number;
  readonly text: string;
  readonly defaultedBy?: Bound;
}

/** One container as LimitRanger sees it, for the resources judged. */
export interface AdmittedContainer {
  readonly ref?: ContainerRef;
  readonly sidecar: boolean;
  readonly init: boolean;
  readonly limits: Map<string, Amount>;
  readonly requests: Map<string, Amount>;
}

/** What LimitRanger refuses, on which bound, for which container (undefined: the pod's total). */
export interface Refusal {
  readonly bound: Bound;
  readonly container?: AdmittedContainer;
  readonly resource: string;
  readonly message: string;
}

/** A namespace's LimitRanges, in the order of the manifests (the API server's order is not defined). */
export class NamespaceRanges {
  constructor(readonly items: readonly RangeItem[][]) {}

  /** The resources `accept`ed that any item bounds or defaults. */
  public resources(accept: (r: string) => boolean): Set<string> {
    const out = new Set<string>();
    for (const items of this.items) {
      for (const it of items) {
        for (const m of [it.max, it.min, it.ratio, it.default, it.defaultRequest]) for (const r of m.keys()) if (accept(r)) out.add(r);
      }
    }
    return out;
  }

  /** `container`'s amounts of `resources` after the API defaults (request = limit) and LimitRanger's defaults. */
  public admit(container: any, resources: ReadonlySet<string>, ref?: ContainerRef): AdmittedContainer {
    const limits = new Map<string, Amount>();
    const requests = new Map<string, Amount>();
    const res = isMap(container?.resources) ? container.resources : {};
    for (const r of resources) {
      const lim = isMap(res.limits) && hasOwn(res.limits, r) ? quantityOf(res.limits[r]) : undefined;
      const req = isMap(res.requests) && hasOwn(res.requests, r) ? quantityOf(res.requests[r]) : undefined;
      if (lim !== undefined) limits.set(r, { value: lim, text: String(res.limits[r]) });
      if (req !== undefined) requests.set(r, { value: req, text: String(res.requests[r]) });
      // (the pod's API defaults, applied when it is decoded, before admission: a request defaults to the limit)
      else if (lim !== undefined) requests.set(r, { value: lim, text: String(res.limits[r]) });
    }
    for (const items of this.items) {
      // Per LimitRange, the Container items' defaults merged (a later item's value wins) …
      const defLimits = new Map<string, Bound>();
      const defRequests = new Map<string, Bound>();
      for (const it of items) {
        if (it.type !== 'Container') continue;
        for (const [r, b] of it.default) defLimits.set(r, b);
        for (const [r, b] of it.defaultRequest) defRequests.set(r, b);
      }
      // … set where the container has no value yet (a value set by an earlier LimitRange is kept).
      for (const r of resources) {
        const dl = defLimits.get(r);
        if (dl && !limits.has(r)) limits.set(r, { value: dl.value, text: dl.text, defaultedBy: dl });
        const dr = defRequests.get(r);
        if (dr && !requests.has(r)) requests.set(r, { value: dr.value, text: dr.text, defaultedBy: dr });
      }
    }
    const init = ref?.init ?? false;
    return { ref, init, sidecar: ref?.sidecar ?? false, limits, requests };
  }

  /** LimitRanger's refusals of a pod of `containers` (already admitted), for `resources`. */
  public refusals(containers: readonly AdmittedContainer[], resources: ReadonlySet<string>): Refusal[] {
    const out: Refusal[] = [];
    for (const items of this.items) {
      for (const it of items) {
        if (it.type === 'Container') {
          for (const c of containers) {
            constraintRefusals(it, 'Container', c.requests, c.limits, resources, (bound, resource, message) => out.push({ bound, container: c, resource, message }));
          }
        } else if (it.type === 'Pod') {
          const total = podTotals(containers, resources);
          constraintRefusals(it, 'Pod', total.requests, total.limits, resources, (bound, resource, message) => out.push({ bound, resource, message }));
        }
      }
    }
    return out;
  }
}

/** `minConstraint`, `maxConstraint` and `limitRequestRatioConstraint` of one item over one container or pod. */
function constraintRefusals(it: RangeItem, what: string, requests: ReadonlyMap<string, Amount>, limits: ReadonlyMap<string, Amount>,
  resources: ReadonlySet<string>, refuse: (bound: Bound, resource: string, message: string) => void): void {
  for (const [r, b] of it.min) {
    if (!resources.has(r)) continue;
    const req = requests.get(r);
    const lim = limits.get(r);
    if (!req) refuse(b, r, `minimum ${r} usage per ${what} is ${b.text}. No request is specified`);
    else if (req.value < b.value) refuse(b, r, `minimum ${r} usage per ${what} is ${b.text}, but request is ${req.text}`);
    else if (lim && lim.value < b.value) refuse(b, r, `minimum ${r} usage per ${what} is ${b.text}, but limit is ${lim.text}`);
  }
  for (const [r, b] of it.max) {
    if (!resources.has(r)) continue;
    const req = requests.get(r);
    const lim = limits.get(r);
    if (!lim) refuse(b, r, `maximum ${r} usage per ${what} is ${b.text}. No limit is specified`);
    else if (lim.value > b.value) refuse(b, r, `maximum ${r} usage per ${what} is ${b.text}, but limit is ${lim.text}`);
    else if (req && req.value > b.value) refuse(b, r, `maximum ${r} usage per ${what} is ${b.text}, but request is ${req.text}`);
  }
  for (const [r, b] of it.ratio) {
    if (!resources.has(r)) continue;
    const req = requests.get(r);
    const lim = limits.get(r);
    if (!req || req.value === 0) refuse(b, r, `${r} max limit to request ratio per ${what} is ${b.text}, but no request is specified or request is 0`);
    else if (!lim || lim.value === 0) refuse(b, r, `${r} max limit to request ratio per ${what} is ${b.text}, but no limit is specified or limit is 0`);
    else if (lim.value / req.value > b.value) refuse(b, r, `${r} max limit to request ratio per ${what} is ${b.text}, but provided ratio is ${+(lim.value / req.value).toFixed(6)}`);
  }
}

/**
 * A pod's total requests and limits as LimitRanger's `podRequests`/`podLimits` count them: app containers and sidecars
 * summed, each plain init container with the sidecars started before it, the larger of the two. A resource no container
 * has is absent.
 */
function podTotals(containers: readonly AdmittedContainer[], resources: ReadonlySet<string>):
{ requests: Map<string, Amount>; limits: Map<string, Amount> } {
  const total = (pick: (c: AdmittedContainer) => ReadonlyMap<string, Amount>) => {
    const out = new Map<string, Amount>();
    for (const r of resources) {
      let sum = 0;
      let sidecars = 0;
      let initMax = 0;
      let binary: boolean | undefined;
      for (const c of containers) {
        const a = pick(c).get(r);
        if (!a) continue;
        // resource.Quantity's sum keeps the first amount's format (1Gi + 1Gi prints 2Gi).
        binary ??= /[KMGTPE]i$/.test(a.text);
        if (!c.init) {
          sum += a.value;
        } else if (c.sidecar) {
          sum += a.value;
          sidecars += a.value;
          initMax = Math.max(initMax, sidecars);
        } else {
          initMax = Math.max(initMax, a.value + sidecars);
        }
      }
      if (binary !== undefined) {
        const v = Math.max(sum, initMax);
        out.set(r, { value: v, text: quantityText(v, binary) });
      }
    }
    return out;
  };
  return { requests: total((c) => c.requests), limits: total((c) => c.limits) };
}

/** Per namespace, its LimitRanges of the manifests (memoised per run). */
const rangesOfRun = new WeakMap<readonly any[], Map<string, NamespaceRanges>>();

export function namespaceRanges(ctx: { byKind(kind: string, apiGroup?: string): readonly any[] }): Map<string, NamespaceRanges> {
  const all = ctx.byKind('LimitRange', '');
  let byNs = rangesOfRun.get(all);
  if (!byNs) {
    const grouped = new Map<string, any[]>();
    for (const lr of all) {
      const ns = nsOf(lr);
      if (!grouped.has(ns)) grouped.set(ns, []);
      grouped.get(ns)!.push(lr);
    }
    byNs = new Map([...grouped].map(([ns, lrs]) => [ns, new NamespaceRanges(lrs.map(itemsOf))] as const));
    rangesOfRun.set(all, byNs);
  }
  return byNs;
}
