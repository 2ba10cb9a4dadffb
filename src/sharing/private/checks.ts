/**
 * Prop checks shared by the sharing constructs (internal): names and namespaces, each throwing
 * `GpuConfigError` naming the construct and the property, whatever type the value has.
 */
import { IConstruct } from 'constructs';
import { GpuConfigError } from '../../errors';
import { NameRule, dnsNameProblem } from '../../naming';

/**
 * Throws unless `value` is a Kubernetes object name: a DNS-1123 subdomain (ConfigMap names) or, for a namespace, a
 * DNS-1123 label (no dots: the API server refuses `metadata.namespace: a.b`).
 * @param what e.g. `ConfigMap name` or `namespace`, for the fix
 * @param example a valid value, for the fix
 */
export function checkObjectName(scope: IConstruct | string, prop: string, value: unknown, rule: NameRule, what: string, example: string): string {
  const max = rule === NameRule.DNS1123_SUBDOMAIN ? 253 : 63;
  const fix = `use a ${what} of at most ${max} lower-case letters, digits and "-"${rule === NameRule.DNS1123_SUBDOMAIN ? ' (dots between parts allowed)' : ' (no dots)'}, starting and ending with a letter or digit, e.g. "${example}"`;
  const problem = dnsNameProblem(value, rule); // a non-string is "is <value>, not a string"
  if (problem) throw new GpuConfigError(scope, prop, problem, fix);
  return value as string;
}
