/**
 * Pods the API server refuses, judged from the resources of a pod template: such a pod is never created, so it can
 * never be scheduled however much capacity there is.
 *
 * Source: k8s.io/kubernetes `pkg/apis/core/validation` (`ValidateResourceRequirements`,
 * `validateBasicResource`): an extended resource (`vendor/name`, e.g. `nvidia.com/gpu`, `vpc.amazonaws.com/efa`)
 * cannot be overcommitted, so it must be in `limits`, a request (when written) must equal the limit, and the
 * quantity must be a whole, non-negative number. Any extended resource is judged, not only GPUs.
 *
 * The one list of these violations ({@link extendedResourceViolations}) serves `plan` (sentences, below) and rule
 * GPU001 (findings, validation/rules/resources.ts), each in its own words.
 */
import { isExtendedResourceName, isGpuResourceName, resourceMap, tryParseQuantity } from './resources';
import { containerLabel, containersOf, PodTemplateRef } from './workloads';
import { hasOwn } from '../private/keys';

/** How a container's extended resource breaks the API server's rules (or, for `gpu-below-one`, GPU001's). */
export type ExtendedResourceProblem =
  | 'not-a-quantity'
  | 'fraction'
  | 'negative'
  | 'gpu-below-one'
  | 'no-limit'
  | 'unequal';

/** One violation of {@link extendedResourceViolations}. */
export interface ExtendedResourceViolation {
  /** The resource, e.g. `nvidia.com/gpu`. */
  readonly resource: string;
  /**
   * What is wrong: the value is `not-a-quantity`, a `fraction` (extended resources are whole units), `negative`, or a
   * GPU count below 1 (`gpu-below-one`); or the resource is requested with `no-limit`, or its request is `unequal` to
   * its limit (judged only when both values are valid).
   */
  readonly problem: ExtendedResourceProblem;
  /** The field of the value: `limits` or `requests` (`requests` for `no-limit` and `unequal`). */
  readonly field: 'limits' | 'requests';
  /** The value as written (the request, for `no-limit` and `unequal`). */
  readonly value: unknown;
  /** The limit as written, for `unequal`. */
  readonly limit?: unknown;
}

const FIELDS = ['limits', 'requests'] as const;

/**
 * The violations of a container's extended resources, by resource name, each resource's `limits` value before its
 * `requests` value, then the request's relation to the limit. Undefined when there are none: most containers name no
 * extended resource, and no array is built for them (GPU001 asks this of every container it lints).
 * @param container the container object (`containers[i]`, `initContainers[i]`)
 * @param gpuAtLeastOne also report a GPU count below 1 (`gpu-below-one`, in place of `negative` for a GPU): GPU001's
 *   own rule; the API server accepts 0
 */
export function extendedResourceViolations(container: unknown, gpuAtLeastOne: boolean): ExtendedResourceViolation[] | undefined {
  const limits = resourceMap(container, 'limits');
  const requests = resourceMap(container, 'requests');
  // The extended resources named in limits or requests, each once, sorted.
  let names: string[] | undefined;
  for (const k in limits) if (hasOwn(limits, k) && isExtendedResourceName(k)) (names ??= []).includes(k) || names.push(k);
  for (const k in requests) if (hasOwn(requests, k) && isExtendedResourceName(k)) (names ??= []).includes(k) || names.push(k);
  if (names === undefined) return undefined;
  names.sort();
  let out: ExtendedResourceViolation[] | undefined;
  for (let i = 0; i < names.length; i++) {
    const resource = names[i];
    const least = gpuAtLeastOne && isGpuResourceName(resource) ? 1 : 0;
    let valid = true;
    for (let f = 0; f < FIELDS.length; f++) {
      const field = FIELDS[f];
      const m = field === 'limits' ? limits : requests;
      if (!hasOwn(m, resource)) continue;
      const value = m[resource];
      const n = tryParseQuantity(value);
      if (n !== undefined && Number.isInteger(n) && n >= least) continue; // (valid: nothing built)
      valid = false;
      const problem: ExtendedResourceProblem = n === undefined ? 'not-a-quantity' : !Number.isInteger(n) ? 'fraction'
        : least === 1 ? 'gpu-below-one' : 'negative';
      (out ??= []).push({ resource, problem, field, value });
    }
    if (hasOwn(requests, resource) && !hasOwn(limits, resource)) {
      (out ??= []).push({ resource, problem: 'no-limit', field: 'requests', value: requests[resource] });
    } else if (valid && hasOwn(requests, resource) && tryParseQuantity(requests[resource]) !== tryParseQuantity(limits[resource])) {
      (out ??= []).push({ resource, problem: 'unequal', field: 'requests', value: requests[resource], limit: limits[resource] });
    }
  }
  return out;
}

/**
 * Why the API server would refuse a pod of this template for its extended resources, one sentence per problem
 * (empty when it accepts them), e.g. `container "main" requests nvidia.com/gpu 1 but limits 2 (they must be equal)`.
 */
export function extendedResourceRefusals(t: PodTemplateRef): string[] {
  const out: string[] = [];
  for (const c of containersOf(t)) {
    const violations = extendedResourceViolations(c.container, false);
    if (violations === undefined) continue;
    const who = containerLabel(c);
    for (const v of violations) out.push(`${who} ${refusal(v)}`);
  }
  return out;
}

/** A violation in the words of `plan`'s refusals (after the container's name). */
function refusal(v: ExtendedResourceViolation): string {
  const value = JSON.stringify(v.value);
  switch (v.problem) {
    case 'not-a-quantity': return `sets ${v.field} ${v.resource} to ${value}, not a quantity`;
    case 'fraction': return `sets ${v.field} ${v.resource} to ${value}, a fraction (extended resources are whole units)`;
    case 'negative': return `sets ${v.field} ${v.resource} to ${value}, a negative count`;
    case 'gpu-below-one': return `sets ${v.field} ${v.resource} to ${value}, fewer than 1 GPU`; // (GPU001's rule only)
    case 'no-limit': return `requests ${v.resource} ${value} without a limit (extended resources must be in limits)`;
    case 'unequal': return `requests ${v.resource} ${value} but limits ${JSON.stringify(v.limit)} (they must be equal)`;
  }
}
