/**
 * Kubernetes naming rules for names and label values that come from user input, with errors that say which
 * construct, which property, what is wrong and how to fix it.
 *
 * Rules as the API server applies them (k8s.io/apimachinery `pkg/util/validation`): a DNS-1123 label is at most 63
 * lower-case alphanumerics or '-', starting and ending alphanumeric; a DNS-1123 subdomain is at most 253 characters
 * of dot-separated DNS-1123 labels; a DNS-1035 label (Service names) is a DNS-1123 label that starts with a letter;
 * a label value is empty or at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending
 * alphanumeric.
 */
import { IConstruct } from 'constructs';
import { GpuConfigError } from './errors';
import { labelKeySyntaxProblem } from './pools/karpenter-syntax';
import { describeValue, isPlainObject } from './private/describe';

const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Which Kubernetes name rule a name must follow. */
export enum NameRule {
  /** DNS-1123 subdomain (most object names): ≤ 253 characters, dots allowed. */
  DNS1123_SUBDOMAIN = 'DNS-1123 subdomain',
  /** DNS-1123 label (namespaces, names that are also label values): ≤ 63 characters, no dots. */
  DNS1123_LABEL = 'DNS-1123 label',
  /** DNS-1035 label (Service names): a DNS-1123 label starting with a letter. */
  DNS1035_LABEL = 'DNS-1035 label',
}

/** What is wrong with `value` as a name under `rule` (undefined when it is fine). */
export function dnsNameProblem(value: unknown, rule: NameRule = NameRule.DNS1123_SUBDOMAIN, maxLength?: number): string | undefined {
  if (typeof value !== 'string') return `is ${describeValue(value)}, not a string`;
  if (value === '') return 'is empty';
  const max = Math.min(maxLength ?? Infinity, rule === NameRule.DNS1123_SUBDOMAIN ? 253 : 63);
  if (value.length > max) return `is ${JSON.stringify(value)}, ${value.length} characters (at most ${max})`;
  const re = rule === NameRule.DNS1123_SUBDOMAIN ? DNS1123_SUBDOMAIN_RE : rule === NameRule.DNS1123_LABEL ? DNS1123_LABEL_RE : DNS1035_LABEL_RE;
  if (!re.test(value)) {
    const what = rule === NameRule.DNS1035_LABEL
      ? 'lower-case alphanumerics or "-", starting with a letter and ending alphanumeric'
      : rule === NameRule.DNS1123_LABEL
        ? 'lower-case alphanumerics or "-", starting and ending alphanumeric'
        : 'lower-case alphanumerics, "-" or ".", each dot-separated part starting and ending alphanumeric';
    return `is ${JSON.stringify(value)}, not a ${rule} (${what})`;
  }
  return undefined;
}

/** What is wrong with `value` as a label value (undefined when it is fine). */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `is ${describeValue(value)}, not a string`;
  if (value.length > 63) return `is ${JSON.stringify(value)}, ${value.length} characters (a label value has at most 63)`;
  if (!LABEL_VALUE.test(value)) {
    return `is ${JSON.stringify(value)}, not a label value (alphanumerics, "-", "_" or ".", starting and ending alphanumeric)`;
  }
  return undefined;
}

/**
 * Throws GpuConfigError unless `value` is a valid Kubernetes name under `rule`.
 * @param scope the construct (or a plain name) the property belongs to
 * @param prop the property, e.g. `name` or `nodeClassProps.name`
 * @param value the name
 * @param rule the naming rule @default NameRule.DNS1123_SUBDOMAIN
 * @param maxLength a tighter length limit (e.g. 63 for a name that is also a label value)
 */
export function validateDns1123Name(scope: IConstruct | string, prop: string, value: unknown,
  rule: NameRule = NameRule.DNS1123_SUBDOMAIN, maxLength?: number): void {
  const problem = dnsNameProblem(value, rule, maxLength);
  if (problem) {
    throw new GpuConfigError(scope, prop, problem,
      `use at most ${Math.min(maxLength ?? Infinity, rule === NameRule.DNS1123_SUBDOMAIN ? 253 : 63)} ${rule === NameRule.DNS1035_LABEL ? 'characters: lower-case letters, digits and "-", starting with a letter' : 'lower-case letters, digits and "-"'}, e.g. "model-a"`);
  }
}

/**
 * Throws GpuConfigError unless `value` is a valid label value.
 * @param scope the construct (or a plain name) the property belongs to
 * @param prop the property, e.g. `labels["team"]` or `taints[0].value`
 * @param value the label value
 */
export function validateLabelValue(scope: IConstruct | string, prop: string, value: unknown): void {
  const problem = labelValueProblem(value);
  if (problem) throw new GpuConfigError(scope, prop, problem, 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
}

/**
 * Throws GpuConfigError unless `value` is a plain object of label keys (`[prefix/]name`) to label values; returns a
 * copy. Errors name `prop["key"]` for a bad entry.
 * @param scope the construct (or a plain name) the property belongs to
 * @param prop the property, e.g. `labels` or `serviceMonitorLabels`
 * @param value the labels
 */
export function validateLabels(scope: IConstruct | string, prop: string, value: unknown): Record<string, string> {
  const example = 'e.g. { release: \'kube-prometheus-stack\' }';
  if (!isPlainObject(value)) {
    throw new GpuConfigError(scope, prop, `is ${describeValue(value)}, not a map of label keys to label values`, `pass a plain object, ${example}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    const where = `${prop}[${JSON.stringify(k)}]`;
    const keyProblem = k === '' ? 'is empty' : labelKeySyntaxProblem(k);
    if (keyProblem) {
      throw new GpuConfigError(scope, where, `is not a label key: the key ${keyProblem}`,
        'use [prefix/]name: an optional DNS subdomain prefix and a name of 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
    }
    if (typeof v !== 'string') {
      throw new GpuConfigError(scope, where, `is ${describeValue(v)}, not a string`, `give the label value as a string, ${example}`);
    }
    validateLabelValue(scope, where, v);
    out[k] = v;
  }
  return out;
}
