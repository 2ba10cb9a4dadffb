/**
 * Resource rules: how GPUs and other extended resources are asked for.
 *
 * Kubernetes semantics (k8s.io/kubernetes `pkg/apis/core/validation` `ValidateResourceRequirements`): an extended
 * resource (`vendor/name`, e.g. `nvidia.com/gpu`) cannot be overcommitted, so it must appear in `limits`, its request
 * (when written) must equal its limit, and it must be a whole number. A request alone is rejected by the API server.
 */
import { extendedResourceViolations, ExtendedResourceViolation } from '../../scheduling/api-validity';
import { isGpuResourceName } from '../../scheduling/resources';
import { ContainerRef, containerLabel, containersOf, POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Finding, Severity } from '../model';
import { Rule, RuleContext } from '../rule';

const show = (v: unknown) => JSON.stringify(v);

/**
 * GPU001's findings about one container, added to `out` (a function of its own: the rule's loop stays small). The
 * violations are the planner's (scheduling/api-validity.ts), with GPU001's own: a GPU count of at least 1.
 */
function containerFindings(ctx: RuleContext, obj: any, c: ContainerRef, out: Finding[]): void {
  const violations = extendedResourceViolations(c.container, true);
  if (violations === undefined) return;
  for (let i = 0; i < violations.length; i++) out.push(findingOf(ctx, obj, c, violations[i]));
}

/** A violation of a container's extended resources as GPU001's finding. */
function findingOf(ctx: RuleContext, obj: any, c: ContainerRef, v: ExtendedResourceViolation): Finding {
  const name = v.resource;
  const at = `${c.path}.resources.${v.field}["${name}"]`;
  const sets = `${containerLabel(c)} sets ${v.field} ${name} to ${show(v.value)}`;
  switch (v.problem) {
    case 'not-a-quantity':
      // (a GPU's fix is the rule's own remediation)
      return ctx.finding(obj, at, `${sets}, which is not a Kubernetes quantity`,
        isGpuResourceName(name) ? undefined : `Write ${name} as a whole number, e.g. 1.`);
    case 'fraction': {
      const gpu = isGpuResourceName(name);
      return ctx.finding(obj, at, `${sets}; ${gpu ? 'GPU' : 'extended resource'}s are whole units, never fractions`,
        gpu ? 'Request a whole number of GPUs; to share a GPU use a MIG resource (nvidia.com/mig-<profile>) or time-slicing.'
          : 'Use a whole number.');
    }
    case 'gpu-below-one':
      return ctx.finding(obj, at, `${sets}; a GPU count must be at least 1`,
        `Remove ${name} from the container if it needs no GPU, or set it to 1 or more.`);
    case 'negative':
      return ctx.finding(obj, at, `${sets}, a negative count`, `Set ${name} to 0 or more, or remove it.`);
    case 'no-limit':
      return ctx.finding(obj, `${c.path}.resources.limits`,
        `${containerLabel(c)} requests ${name} (${show(v.value)}) but sets no limit; Kubernetes rejects an extended resource without a limit`,
        `Move ${name}: ${show(v.value)} to resources.limits (requests may stay, with the same value).`);
    case 'unequal':
      return ctx.finding(obj, at, `${containerLabel(c)} requests ${show(v.value)} ${name} but limits ${show(v.limit)}; Kubernetes requires them equal`,
        `Set requests and limits of ${name} to the same count, or drop the request (it defaults to the limit).`);
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
