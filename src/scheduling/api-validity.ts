/**
 * Pods the API server refuses, judged from the resources of a pod template: such a pod is never created, so it can
 * never be scheduled however much capacity there is.
 *
 * Source: k8s.io/kubernetes `pkg/apis/core/validation` (`ValidateResourceRequirements`,
 * `validateBasicResource`): an extended resource (`vendor/name`, e.g. `nvidia.com/gpu`, `vpc.amazonaws.com/efa`)
 * cannot be overcommitted, so it must be in `limits`, a request (when written) must equal the limit, and the
 * quantity must be a whole, non-negative number. Any extended resource is judged, not only GPUs.
 */
import { isExtendedResourceName, resourceMap, tryParseQuantity } from './resources';
import { containersOf, PodTemplateRef } from './workloads';
import { hasOwn } from '../private/keys';

/**
 * Why the API server would refuse a pod of this template for its extended resources, one sentence per problem
 * (empty when it accepts them), e.g. `container "main" requests nvidia.com/gpu 1 but limits 2 (they must be equal)`.
 */
export function extendedResourceRefusals(t: PodTemplateRef): string[] {
  const out: string[] = [];
  for (const c of containersOf(t)) {
    const limits = resourceMap(c.container, 'limits');
    const requests = resourceMap(c.container, 'requests');
    const who = `${c.init ? (c.sidecar ? 'sidecar' : 'init container') : 'container'} ${JSON.stringify(c.container.name ?? '?')}`;
    const names = [...new Set([...Object.keys(limits), ...Object.keys(requests)])].filter(isExtendedResourceName).sort();
    for (const name of names) {
      let valid = true;
      for (const [field, m] of [['limits', limits], ['requests', requests]] as const) {
        if (!hasOwn(m, name)) continue;
        const n = tryParseQuantity(m[name]);
        if (n === undefined) {
          valid = false;
          out.push(`${who} sets ${field} ${name} to ${JSON.stringify(m[name])}, not a quantity`);
        } else if (!Number.isInteger(n)) {
          valid = false;
          out.push(`${who} sets ${field} ${name} to ${JSON.stringify(m[name])}, a fraction (extended resources are whole units)`);
        } else if (n < 0) {
          valid = false;
          out.push(`${who} sets ${field} ${name} to ${JSON.stringify(m[name])}, a negative count`);
        }
      }
      if (hasOwn(requests, name) && !hasOwn(limits, name)) {
        out.push(`${who} requests ${name} ${JSON.stringify(requests[name])} without a limit (extended resources must be in limits)`);
      } else if (valid && hasOwn(requests, name) && tryParseQuantity(requests[name]) !== tryParseQuantity(limits[name])) {
        out.push(`${who} requests ${name} ${JSON.stringify(requests[name])} but limits ${JSON.stringify(limits[name])} (they must be equal)`);
      }
    }
  }
  return out;
}
