/**
 * LimitRange rules (GPU215, GPU216, GPU227): what a namespace's LimitRanges do to the GPUs (and other extended
 * resources) of the pods created in it, and to the cpu, memory and ephemeral storage of GPU pods.
 *
 * The model (src/scheduling/limit-ranges.ts) follows the API server's defaulting and LimitRanger's admission; the
 * pod is then validated: an extended resource must have a limit and any request must equal it
 * (`ValidateResourceRequirements`).
 * GPU215 and GPU216 judge extended resources (`nvidia.com/gpu`, MIG slices, `amd.com/gpu`, `vpc.amazonaws.com/efa`, …)
 * for every pod; GPU227 judges cpu, memory and ephemeral-storage for GPU pods only: for other pods a LimitRange's cpu
 * and memory bounds are the usual and intended ones.
 */
import { hasOwn } from '../../private/keys';
import { listed } from '../../private/lists';
import { nameOf, nsOf } from '../../private/meta';
import { Bound, COMPUTE_RESOURCES, isMap, namespaceRanges, Refusal } from '../../scheduling/limit-ranges';
import { demandsAny, isExtendedResourceName, isGpuResourceName, setsResource } from '../../scheduling/resources';
import { containerLabel, containersOf, POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Finding, Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

const fieldPath = (b: Bound, r: string) => `spec.limits[${b.item.index}].${b.from}[${JSON.stringify(r)}]`;
const what = (r: string) => (isGpuResourceName(r) ? `${r} (GPUs)` : r);
const nsWords = (ns: string) => (ns === '' ? 'its namespace' : `namespace ${ns}`);
const describe = (w: WorkloadRef) => `${w.kind} ${nameOf(w.object)}`;

/** The workloads of `ns` with a container or init container that sets neither a limit nor a request of `r`. */
function untouchedWorkloads(ctx: RuleContext, ns: string, r: string): string[] {
  const out: string[] = [];
  for (const w of ctx.workloads()) {
    if (nsOf(w.object) === ns && containersOf(w.template).some((c) => !setsResource(c.container, r))) out.push(describe(w));
  }
  return out;
}

/** LimitRanger's refusal of a workload's pods, in words: on the container, or on the pod's total. */
function refusalWords(refusal: Refusal): string {
  const c = refusal.container;
  return `${c?.ref ? `${containerLabel(c.ref)}: ` : 'the pod: '}LimitRange ${nameOf(refusal.bound.item.limitRange)} refuses its pods: `
    + `"${refusal.message}"; the pods are never created (FailedCreate)`;
}

/** Findings on `obj`, each field and message once. */
function findingsOnce(ctx: RuleContext, obj: any): { readonly findings: Finding[]; add(at: string, message: string): void } {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  return {
    findings,
    add(at, message) {
      const key = `${at}\u0000${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push(ctx.finding(obj, at, message));
    },
  };
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
    + 'pods\' cpu and memory; placement and plan count a LimitRange\'s cpu and memory default requests).',
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
      const out = findingsOnce(ctx, w.object);
      for (const refusal of ranges.refusals(admitted, asked)) {
        const c = refusal.container;
        // A container that sets none of the resource meets what GPU215 reports on the LimitRange.
        if (c && !setsResource(c.ref?.container, refusal.resource)) continue;
        out.add(c?.ref ? `${c.ref.path}.resources.limits[${JSON.stringify(refusal.resource)}]` : `${w.template.podSpecPath}.containers`,
          refusalWords(refusal));
      }
      yield* out.findings;
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
      if (!demandsAny(ctx.gpuDemand(w.template))) continue;
      const refs = containersOf(w.template);
      const admitted = refs.map((c) => ranges.admit(c.container, bounded, c));
      const out = findingsOnce(ctx, w.object);
      // A defaulted limit below the container's request: the API server's validation refuses the pod.
      for (const c of admitted) {
        for (const r of bounded) {
          const req = c.requests.get(r);
          const lim = c.limits.get(r);
          if (!req || !lim || req.value <= lim.value || (!req.defaultedBy && !lim.defaultedBy)) continue;
          const by = lim.defaultedBy ?? req.defaultedBy!;
          out.add(`${c.ref!.path}.resources`,
            `${containerLabel(c.ref!)}: LimitRange ${nameOf(by.item.limitRange)} (${fieldPath(by, r)}) gives it a ${r} `
            + `${lim.defaultedBy ? `limit of ${lim.text}, below its request of ${req.text}` : `request of ${req.text}, above its limit of ${lim.text}`}: `
            + `the API server refuses its pods ("must be less than or equal to ${r} limit"); the pods are never created (FailedCreate)`);
        }
      }
      for (const refusal of ranges.refusals(admitted, bounded)) {
        out.add(refusal.container?.ref ? `${refusal.container.ref.path}.resources` : `${w.template.podSpecPath}.containers`, refusalWords(refusal));
      }
      yield* out.findings;
    }
  },
};

/** The LimitRange rules, sorted by id. */
export const LIMIT_RANGE_RULES: Rule[] = [LIMIT_RANGE_SPARES_CPU_PODS, WITHIN_LIMIT_RANGE, GPU_PODS_WITHIN_COMPUTE_LIMIT_RANGE];
