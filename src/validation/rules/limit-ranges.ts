/**
 * LimitRange rules (GPU215, GPU216, GPU227): what a namespace's LimitRanges do to the GPUs (and other extended
 * resources) of the pods created in it, and to the cpu, memory and ephemeral storage of GPU pods.
 *
 * The model follows the API server:
 * - the stored LimitRange is defaulted (k8s.io/kubernetes pkg/apis/core/v1/defaults.go `SetDefaults_LimitRangeItem`):
 *   in a `Container` item, a resource in `max` without a `default` gets the max as its default, a `default` without a
 *   `defaultRequest` gets it as the default request, and a `min` without a `defaultRequest` gets the min;
 * - the LimitRanger admission plugin (plugin/pkg/admission/limitranger/admission.go) first gives every container and
 *   init container the defaults of the `Container` items for the resources it sets no limit or request for
 *   (`defaultContainerResourceRequirements`, `mergePodResourceRequirements`; per LimitRange the last item wins, and a
 *   value set by one LimitRange is kept by the next), then checks `min`, `max` and `maxLimitRequestRatio` per
 *   container (`Container` items) and for the pod's total (`Pod` items: app containers and sidecars summed, the
 *   largest init container if more) (`PodValidateLimitFunc`, `minConstraint`, `maxConstraint`,
 *   `limitRequestRatioConstraint`);
 * - the pod is validated after the mutating admission: an extended resource must have a limit and any request must
 *   equal it (`ValidateResourceRequirements`).
 * GPU215 and GPU216 judge extended resources (`nvidia.com/gpu`, MIG slices, `amd.com/gpu`, `vpc.amazonaws.com/efa`, …)
 * for every pod; GPU227 judges cpu, memory and ephemeral-storage for GPU pods only: for other pods a LimitRange's cpu
 * and memory bounds are the usual and intended ones.
 */
import { hasOwn } from '../../private/keys';
import { defaultLimitRangeItem } from '../../private/limit-range';
import { listed } from '../../private/lists';
import { quantityOf, quantityText } from '../../private/quantity';
import { isExtendedResourceName, isGpuResourceName } from '../../scheduling/resources';
import { ContainerRef, containerLabel, containersOf, POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Finding, Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

const nsOf = (obj: any): string => (typeof obj?.metadata?.namespace === 'string' ? obj.metadata.namespace : '');
const nameOf = (obj: any): string => (typeof obj?.metadata?.name === 'string' ? obj.metadata.name : '<unnamed>');
const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/** The item field a value came from. */
type Field = 'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio';

/** One resource's value in a LimitRange item: the number, as written, and where it was written. */
interface Bound {
  readonly value: number;
  readonly text: string;
  readonly item: RangeItem;
  /** The field it was written in: for a defaulted `default` or `defaultRequest`, the field it was defaulted from. */
  readonly from: Field;
}

/** One item of `spec.limits`, with its judged resources only, defaulted as the API server stores it. */
interface RangeItem {
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
const COMPUTE_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);
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
function itemsOf(limitRange: any): RangeItem[] {
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
interface Amount {
  readonly value: number;
  readonly text: string;
  readonly defaultedBy?: Bound;
}

/** One container as LimitRanger sees it, for the resources judged. */
interface AdmittedContainer {
  readonly ref?: ContainerRef;
  readonly sidecar: boolean;
  readonly init: boolean;
  readonly limits: Map<string, Amount>;
  readonly requests: Map<string, Amount>;
}

/** What LimitRanger refuses, on which bound, for which container (undefined: the pod's total). */
interface Refusal {
  readonly bound: Bound;
  readonly container?: AdmittedContainer;
  readonly resource: string;
  readonly message: string;
}

/** A namespace's LimitRanges, in the order of the manifests (the API server's order is not defined). */
class NamespaceRanges {
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

function namespaceRanges(ctx: RuleContext): Map<string, NamespaceRanges> {
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

const fieldPath = (b: Bound, r: string) => `spec.limits[${b.item.index}].${b.from}[${JSON.stringify(r)}]`;
const what = (r: string) => (isGpuResourceName(r) ? `${r} (GPUs)` : r);
const nsWords = (ns: string) => (ns === '' ? 'its namespace' : `namespace ${ns}`);
const describe = (w: WorkloadRef) => `${w.kind} ${nameOf(w.object)}`;

/** Whether `container` sets a limit or a request of `r` itself. */
function setsResource(container: any, r: string): boolean {
  const res = container?.resources;
  return (isMap(res?.limits) && hasOwn(res.limits, r)) || (isMap(res?.requests) && hasOwn(res.requests, r));
}

/** The workloads of `ns` with a container or init container that sets neither a limit nor a request of `r`. */
function untouchedWorkloads(ctx: RuleContext, ns: string, r: string): string[] {
  const out: string[] = [];
  for (const w of ctx.workloads()) {
    if (nsOf(w.object) === ns && containersOf(w.template).some((c) => !setsResource(c.container, r))) out.push(describe(w));
  }
  return out;
}

/** GPU215 — a LimitRange must not give GPUs to, nor refuse, the pods that ask for none. */
export const LIMIT_RANGE_SPARES_CPU_PODS: Rule = {
  id: 'GPU215',
  title: 'A LimitRange must not give GPUs (or other extended resources) to containers that ask for none, nor refuse their pods',
  severity: Severity.ERROR,
  kinds: ['LimitRange', ...POD_TEMPLATE_KINDS],
  remediation: 'Give the Container item an explicit `default` of 0 for the resource (e.g. `default: {nvidia.com/gpu: 0}` beside `max`): '
    + 'containers that ask for none then get 0, and the max still caps the others.',
  description: 'A LimitRange meant to cap GPUs per container (`type: Container`, `max: {nvidia.com/gpu: 8}`) and nothing '
    + 'else gives them out: the API server stores a `Container` item with its `max` as the `default` limit and that as '
    + 'the `defaultRequest` when they are absent (k8s.io/kubernetes pkg/apis/core/v1/defaults.go '
    + '`SetDefaults_LimitRangeItem`; Kubernetes docs, "Configure Minimum and Maximum CPU Constraints for a Namespace": '
    + 'the defaults "were created automatically"), and the LimitRanger admission plugin gives those defaults to every '
    + 'container and init container that sets no limit of its own (plugin/pkg/admission/limitranger/admission.go '
    + '`mergePodResourceRequirements`). Every CPU pod, sidecar and init container of the namespace then asks for 8 '
    + 'GPUs: it waits for, or takes, a GPU node. Kueue applies the same defaults to its workloads. Also reported, for '
    + 'pods whose containers set none of the resource: a `min` (or an explicit `defaultRequest` without a `default`), '
    + 'which gives a request without a limit, or one unequal to it, and the API server refuses extended resources so '
    + 'asked (`ValidateResourceRequirements`); a `Pod` item\'s `max` or `min` without a `Container` default, which '
    + 'LimitRanger refuses ("maximum nvidia.com/gpu usage per Pod is 8. No limit is specified"); a '
    + '`maxLimitRequestRatio`, which needs a non-zero request. An explicit `default` above 0 is taken as meant (a '
    + 'namespace whose every container gets a GPU) and not reported. Several LimitRanges of one namespace are applied '
    + 'in the order of the manifests (the API server\'s order is not defined). Only extended resources are judged (GPU227 judges GPU '
    + 'pods\' cpu and memory); the placement rules judge the pods as written, without the LimitRange defaults.',
  *check(ctx) {
    for (const [ns, ranges] of namespaceRanges(ctx)) {
      const resources = ranges.resources(isExtendedResourceName);
      if (resources.size === 0) continue;
      // A pod of one container that sets none of the resources: what every CPU pod, sidecar and init container meets.
      const bare = ranges.admit({}, resources);
      const seen = new Set<string>();
      const once = (key: string) => (seen.has(key) ? false : (seen.add(key), true));
      const affected = (r: string) => {
        const names = untouchedWorkloads(ctx, ns, r);
        return names.length > 0 ? ` (in these manifests: ${listed(names, 3)})` : '';
      };
      for (const r of resources) {
        const lim = bare.limits.get(r);
        const req = bare.requests.get(r);
        if (req && !lim) {
          const b = req.defaultedBy!;
          if (once(`${fieldPath(b, r)} req`)) {
            yield ctx.finding(b.item.limitRange, fieldPath(b, r),
              `gives every container in ${nsWords(ns)} that sets no ${what(r)} a request of ${req.text} without a limit `
              + `(${b.from === 'min' ? 'a Container item\'s min is its default request' : 'defaultRequest with no default'}); `
              + `the API server refuses extended resources without a limit, so every such pod is refused${affected(r)}`,
              b.from === 'min'
                ? `Drop min ${r} (it forces every pod, CPU pods included, to ask for ${r}), or give the item default: {${r}: ${req.text}} if every container must have it.`
                : `Give the item default: {${r}: ${req.text}} as well, or drop the defaultRequest.`);
          }
        } else if (req && lim && req.value !== lim.value) {
          const b = req.defaultedBy ?? lim.defaultedBy!;
          if (once(`${fieldPath(b, r)} neq`)) {
            yield ctx.finding(b.item.limitRange, fieldPath(b, r),
              `gives every container in ${nsWords(ns)} that sets no ${what(r)} a request of ${req.text} and a limit of ${lim.text}; `
              + `the API server refuses an extended resource whose request differs from its limit, so every such pod is refused${affected(r)}`,
              `Make the item's default and defaultRequest of ${r} equal (0 to give none).`);
          }
        } else if (lim && lim.value > 0 && lim.defaultedBy?.from === 'max') {
          const b = lim.defaultedBy;
          if (once(`${fieldPath(b, r)} max`)) {
            yield ctx.finding(b.item.limitRange, fieldPath(b, r),
              `caps ${what(r)} at ${b.text} per container with no default, so the API server makes ${b.text} the default: `
              + `every container and init container in ${nsWords(ns)} that sets no ${r} limit gets ${lim.text}, CPU pods and `
              + `sidecars included: their pods wait for a node with that many free, or take them${affected(r)}`);
          }
        }
      }
      for (const refusal of ranges.refusals([bare], resources)) {
        const b = refusal.bound;
        if (!once(`${fieldPath(b, refusal.resource)} refuse`)) continue;
        const podItem = b.item.type === 'Pod';
        yield ctx.finding(b.item.limitRange, fieldPath(b, refusal.resource),
          `refuses every pod in ${nsWords(ns)} whose containers set no ${what(refusal.resource)}: "${refusal.message}" `
          + `(LimitRanger admission)${affected(refusal.resource)}`,
          podItem && b.from !== 'min'
            ? `Add a Container item with default: {${refusal.resource}: 0} (containers that ask for none then count 0), or cap ${refusal.resource} per container instead.`
            : b.from === 'maxLimitRequestRatio'
              ? `Drop maxLimitRequestRatio for ${refusal.resource}: an extended resource's limit always equals its request.`
              : `Drop ${b.from} ${refusal.resource}, or keep this LimitRange to a namespace whose every pod asks for ${refusal.resource}.`);
      }
    }
  },
};

/** GPU216 — a workload's extended resources must pass its namespace's LimitRanges. */
export const WITHIN_LIMIT_RANGE: Rule = {
  id: 'GPU216',
  title: 'A workload\'s GPUs (or other extended resources) must be within its namespace\'s LimitRanges',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'LimitRange'],
  remediation: 'Request at most the LimitRange\'s max per container (or per pod), or raise the max.',
  description: 'The LimitRanger admission plugin refuses a pod whose container asks for more of a resource than a '
    + '`Container` item\'s `max`, less than its `min`, or a pod whose total (app containers and sidecars summed, the '
    + 'largest init container if more) is outside a `Pod` item\'s bounds (plugin/pkg/admission/limitranger/admission.go '
    + '`PodValidateLimitFunc`). The workload object is accepted, but its controller\'s pods are refused (FailedCreate '
    + 'events), so nothing runs; Kueue finds such a workload inadmissible. Judged for the LimitRanges of the workload\'s '
    + 'namespace in the manifests, after their defaults, for the extended resources the workload asks for (GPU215 '
    + 'judges containers that ask for none).',
  *check(ctx) {
    const byNs = namespaceRanges(ctx);
    if (byNs.size === 0) return;
    for (const w of ctx.workloads()) {
      const ranges = byNs.get(nsOf(w.object));
      if (!ranges) continue;
      const bounded = ranges.resources(isExtendedResourceName);
      const refs = containersOf(w.template);
      // The resources this workload asks for itself (in any container's limits or requests).
      const asked = new Set<string>();
      for (const c of refs) {
        const res = c.container?.resources;
        for (const m of [res?.limits, res?.requests]) if (isMap(m)) for (const r in m) if (hasOwn(m, r) && bounded.has(r)) asked.add(r);
      }
      if (asked.size === 0) continue;
      const admitted = refs.map((c) => ranges.admit(c.container, asked, c));
      const seen = new Set<string>();
      const out: Finding[] = [];
      for (const refusal of ranges.refusals(admitted, asked)) {
        const c = refusal.container;
        // A container that sets none of the resource meets what GPU215 reports on the LimitRange.
        if (c && !setsResource(c.ref?.container, refusal.resource)) continue;
        const lr = refusal.bound.item.limitRange;
        const at = c?.ref ? `${c.ref.path}.resources.limits[${JSON.stringify(refusal.resource)}]` : `${w.template.podSpecPath}.containers`;
        const key = `${at} ${refusal.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(ctx.finding(w.object, at,
          `${c?.ref ? `${containerLabel(c.ref)}: ` : 'the pod: '}LimitRange ${nameOf(lr)} refuses its pods: "${refusal.message}"; `
          + 'the pods are never created (FailedCreate)'));
      }
      yield* out;
    }
  },
};

/** GPU227 — a GPU workload's cpu, memory and ephemeral storage must pass its namespace's LimitRanges. */
export const GPU_PODS_WITHIN_COMPUTE_LIMIT_RANGE: Rule = {
  id: 'GPU227',
  title: 'A GPU workload\'s cpu, memory and ephemeral storage must pass its namespace\'s LimitRanges',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'LimitRange'],
  remediation: 'Set the container\'s cpu and memory requests and limits within the LimitRange (a limit of its own where the '
    + 'default limit is below its request), or raise the LimitRange\'s max, or run the GPU workload in a namespace whose '
    + 'LimitRange is sized for GPU nodes.',
  description: 'A namespace\'s LimitRange is usually sized for web pods (`max: {memory: 16Gi}`, `default: {memory: 512Mi}`), '
    + 'and a GPU pod asks for far more host memory and cpu: a model server loads its weights through host memory, a '
    + 'trainer wants a node\'s share of cpus. LimitRanger refuses a pod whose container asks for more than a `Container` '
    + 'item\'s `max`, less than its `min`, beyond `maxLimitRequestRatio`, or whose total is outside a `Pod` item\'s bounds '
    + '(plugin/pkg/admission/limitranger/admission.go `PodValidateLimitFunc`). It first gives a container that sets no '
    + 'limit the item\'s `default`, and the API server then refuses a container whose request exceeds that limit '
    + '("must be less than or equal to memory limit", `ValidateResourceRequirements`). Either way the workload object '
    + 'is accepted and its pods are never created (FailedCreate events): the GPU node Karpenter may already have '
    + 'launched for them idles until consolidation. Judged for GPU workloads, for cpu, memory and ephemeral-storage, '
    + 'against the LimitRanges of their namespace in the manifests after their defaults (GPU216 judges the extended '
    + 'resources).',
  *check(ctx) {
    const byNs = namespaceRanges(ctx);
    if (byNs.size === 0) return;
    for (const w of ctx.workloads()) {
      const ranges = byNs.get(nsOf(w.object));
      if (!ranges) continue;
      const bounded = ranges.resources((r) => COMPUTE_RESOURCES.has(r));
      if (bounded.size === 0) continue;
      const gpu = ctx.gpuDemand(w.template);
      if (!Object.values(gpu).some((n) => n > 0)) continue;
      const refs = containersOf(w.template);
      const admitted = refs.map((c) => ranges.admit(c.container, bounded, c));
      const seen = new Set<string>();
      const out: Finding[] = [];
      const report = (at: string, message: string) => {
        if (seen.has(at + message)) return;
        seen.add(at + message);
        out.push(ctx.finding(w.object, at, message));
      };
      // A defaulted limit below the container's request: the API server's validation refuses the pod.
      for (const c of admitted) {
        for (const r of bounded) {
          const req = c.requests.get(r);
          const lim = c.limits.get(r);
          if (!req || !lim || req.value <= lim.value || (!req.defaultedBy && !lim.defaultedBy)) continue;
          const by = lim.defaultedBy ?? req.defaultedBy!;
          report(`${c.ref!.path}.resources`,
            `${containerLabel(c.ref!)}: LimitRange ${nameOf(by.item.limitRange)} (${fieldPath(by, r)}) gives it a ${r} `
            + `${lim.defaultedBy ? `limit of ${lim.text}, below its request of ${req.text}` : `request of ${req.text}, above its limit of ${lim.text}`}: `
            + `the API server refuses its pods ("must be less than or equal to ${r} limit"); the pods are never created (FailedCreate)`);
        }
      }
      for (const refusal of ranges.refusals(admitted, bounded)) {
        const c = refusal.container;
        const lr = refusal.bound.item.limitRange;
        report(c?.ref ? `${c.ref.path}.resources` : `${w.template.podSpecPath}.containers`,
          `${c?.ref ? `${containerLabel(c.ref)}: ` : 'the pod: '}LimitRange ${nameOf(lr)} refuses its pods: "${refusal.message}"; `
          + 'the pods are never created (FailedCreate)');
      }
      yield* out;
    }
  },
};

/** The LimitRange rules, sorted by id. */
export const LIMIT_RANGE_RULES: Rule[] = [LIMIT_RANGE_SPARES_CPU_PODS, WITHIN_LIMIT_RANGE, GPU_PODS_WITHIN_COMPUTE_LIMIT_RANGE];
