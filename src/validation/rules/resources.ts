/**
 * Resource rules: how GPUs and other extended resources are asked for.
 *
 * Kubernetes semantics (k8s.io/kubernetes `pkg/apis/core/validation` `ValidateResourceRequirements`): an extended
 * resource (`vendor/name`, e.g. `nvidia.com/gpu`) cannot be overcommitted, so it must appear in `limits`, its request
 * (when written) must equal its limit, and it must be a whole number. A request alone is rejected by the API server.
 */
import { hasOwn } from '../../private/keys';
import { isExtendedResourceName, isGpuResourceName, resourceMap, tryParseQuantity } from '../../scheduling/resources';
import { ContainerRef, containersOf, POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Finding, Severity } from '../model';
import { Rule, RuleContext } from '../rule';

/** The container as messages name it, e.g. `container "server"` (built only for a finding: most containers get none). */
const who = (c: ContainerRef) => `${c.init ? (c.sidecar ? 'sidecar' : 'init container') : 'container'} ${JSON.stringify(c.container.name ?? '?')}`;
const show = (v: unknown) => JSON.stringify(v);
const FIELDS = ['limits', 'requests'] as const;

/** GPU001's findings about one container, added to `out` (a function of its own: the rule's loop stays small). */
function containerFindings(ctx: RuleContext, obj: any, c: ContainerRef, out: Finding[]): void {
  const limits = resourceMap(c.container, 'limits');
  const requests = resourceMap(c.container, 'requests');
  // The extended resources named in limits or requests, each once, sorted (most containers name none: no array).
  let names: string[] | undefined;
  for (const k in limits) if (hasOwn(limits, k) && isExtendedResourceName(k)) (names ??= []).includes(k) || names.push(k);
  for (const k in requests) if (hasOwn(requests, k) && isExtendedResourceName(k)) (names ??= []).includes(k) || names.push(k);
  if (names === undefined) return;
  names.sort();
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const gpu = isGpuResourceName(name);
    const unit = gpu ? 'GPU' : 'extended resource';
    let valid = true;
    for (let f = 0; f < FIELDS.length; f++) {
      const field = FIELDS[f];
      const m = field === 'limits' ? limits : requests;
      if (!hasOwn(m, name)) continue;
      const raw = m[name];
      const n = tryParseQuantity(raw);
      if (n !== undefined && Number.isInteger(n) && n >= (gpu ? 1 : 0)) continue; // (valid: no path built)
      const path = `${c.path}.resources.${field}["${name}"]`;
      if (n === undefined) {
        valid = false;
        out.push(ctx.finding(obj, path, `${who(c)} sets ${field} ${name} to ${show(raw)}, which is not a Kubernetes quantity`));
      } else if (!Number.isInteger(n)) {
        valid = false;
        out.push(ctx.finding(obj, path,
          `${who(c)} sets ${field} ${name} to ${show(raw)}; ${unit}s are whole units, never fractions`,
          gpu ? 'Request a whole number of GPUs; to share a GPU use a MIG resource (nvidia.com/mig-<profile>) or time-slicing.'
            : 'Use a whole number.'));
      } else if (gpu && n <= 0) {
        valid = false;
        out.push(ctx.finding(obj, path,
          `${who(c)} sets ${field} ${name} to ${show(raw)}; a GPU count must be at least 1`,
          `Remove ${name} from the container if it needs no GPU, or set it to 1 or more.`));
      } else if (n < 0) {
        valid = false;
        out.push(ctx.finding(obj, path, `${who(c)} sets ${field} ${name} to ${show(raw)}, a negative count`));
      }
    }
    if (hasOwn(requests, name) && !hasOwn(limits, name)) {
      out.push(ctx.finding(obj, `${c.path}.resources.limits`,
        `${who(c)} requests ${name} (${show(requests[name])}) but sets no limit; Kubernetes rejects an extended resource without a limit`,
        `Move ${name}: ${show(requests[name])} to resources.limits (requests may stay, with the same value).`));
    } else if (valid && hasOwn(requests, name) && hasOwn(limits, name)
      && tryParseQuantity(requests[name]) !== tryParseQuantity(limits[name])) {
      out.push(ctx.finding(obj, `${c.path}.resources.requests["${name}"]`,
        `${who(c)} requests ${show(requests[name])} ${name} but limits ${show(limits[name])}; Kubernetes requires them equal`,
        `Set requests and limits of ${name} to the same count, or drop the request (it defaults to the limit).`));
    }
  }
}

/** GPU001 — extended (GPU) resources in limits, requests equal to limits, whole positive GPU counts. */
export const GPU_RESOURCES_IN_LIMITS: Rule = {
  id: 'GPU001',
  title: 'GPU and other extended resources must be set in limits, requests equal to limits, as whole positive counts',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Set the GPU count (a whole number, at least 1) in resources.limits; if you also set it in requests, use the same value.',
  description: 'Extended resources such as `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, `amd.com/gpu`, '
    + '`vpc.amazonaws.com/efa` cannot be overcommitted: Kubernetes requires them in `limits`, any request equal to '
    + 'the limit, and whole numbers. A GPU count must moreover be at least 1 (a 0 entry says "GPU workload" to '
    + 'tools and readers while asking for none; remove it instead). App, init and sidecar containers are checked.',
  check(ctx) {
    const out: Finding[] = [];
    const workloads = ctx.workloads();
    for (let wi = 0; wi < workloads.length; wi++) {
      const w = workloads[wi];
      const containers = containersOf(w.template);
      for (let ci = 0; ci < containers.length; ci++) containerFindings(ctx, w.object, containers[ci], out);
    }
    return out;
  },
};
