/**
 * Karpenter v1 field syntax: durations, disruption-budget cron schedules and node-label key restrictions.
 *
 * Pure functions over strings, shared by the pool constructs (which refuse bad props) and the GPU1xx validation
 * rules (which judge foreign YAML the same way). Not exported from src/index.ts.
 *
 * Sources (karpenter-provider-aws v1.14.1, `../shared/reference/crds/karpenter.sh_nodepools.yaml`, Apache-2.0):
 * - `disruption.consolidateAfter` and `template.spec.expireAfter`: pattern `^(([0-9]+(s|m|h))+|Never)$`;
 * - `template.spec.terminationGracePeriod`: pattern `^([0-9]+(s|m|h))+$`;
 * - `disruption.budgets[].duration`: pattern `^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$` (minutes and hours only);
 * - `disruption.budgets[].schedule`: "the upstream cronjob syntax", parsed by Karpenter with robfig/cron's
 *   standard parser (5 fields, or one of the `@yearly`… descriptors the CRD pattern lists); timezones unsupported;
 * - requirement and label keys: the CEL rules of the CRD (domains `karpenter.sh` and `karpenter.k8s.aws`
 *   restricted except for their well-known keys; `karpenter.sh/nodepool` and `kubernetes.io/hostname`
 *   restricted) plus Karpenter's runtime validation (`IsRestrictedLabel` in kubernetes-sigs/karpenter
 *   `pkg/apis/v1/labels.go`: the `kubernetes.io` and `k8s.io` domains are reserved for the kubelet, except
 *   `node.kubernetes.io`, `node-restriction.kubernetes.io`, `kops.k8s.io` and the well-known labels). The
 *   CEL rules for `kubernetes.io`/`k8s.io` were moved out of the CRD in later releases; the controller still
 *   refuses such NodePools (status condition `ValidationSucceeded=False`), so we refuse them too.
 */
import { Duration } from 'cdk8s';

/** `consolidateAfter` / `expireAfter` syntax. */
export const KARPENTER_DURATION_OR_NEVER = /^(([0-9]+(s|m|h))+|Never)$/;
/** `terminationGracePeriod` syntax. */
export const KARPENTER_DURATION = /^([0-9]+(s|m|h))+$/;
/** `budgets[].duration` syntax. */
export const BUDGET_DURATION = /^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$/;

/**
 * A cdk8s Duration in Karpenter's notation (`30s`, `5m`, `720h`, `1h30m`), or an error message.
 * @param minutesOnly budgets: only hours and minutes are accepted
 */
export function formatKarpenterDuration(d: Duration, minutesOnly = false): { value?: string; error?: string } {
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || ms < 0) return { error: `is ${ms} ms, not a non-negative duration` };
  if (ms % 1000 !== 0) return { error: `is ${ms} ms; Karpenter accepts whole seconds only` };
  let s = ms / 1000;
  if (minutesOnly && s % 60 !== 0) return { error: `is ${s} s; budget durations accept whole minutes only` };
  if (s === 0) return { value: minutesOnly ? '0m' : '0s' };
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (m > 0) out += `${m}m`;
  if (s > 0) out += `${s}s`;
  return { value: out };
}

/** Seconds in a Karpenter/Go duration made of `<n>h`, `<n>m`, `<n>s` parts; undefined when it does not parse. */
export function parseKarpenterDurationSeconds(v: string): number | undefined {
  if (!/^([0-9]+(h|m|s))+$/.test(v)) return undefined;
  let total = 0;
  for (const m of v.matchAll(/([0-9]+)(h|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : n;
  }
  return total;
}

const CRON_DESCRIPTORS = ['@annually', '@yearly', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS: Array<{ name: string; min: number; max: number; names?: string[]; names0?: number }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, names0: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, names0: 0 },
];

/**
 * Why a budget `schedule` does not parse as Karpenter parses it (robfig/cron standard parser: 5 fields
 * `minute hour day-of-month month day-of-week`, each a comma list of `*`, `?` (day fields), `n`, `a-b`, with an
 * optional `/step`; month and weekday names allowed; or a descriptor such as `@daily`), or undefined when it
 * parses.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const s = schedule.trim();
  if (s !== schedule) return 'has leading or trailing spaces';
  if (s.startsWith('@')) {
    return CRON_DESCRIPTORS.includes(s) ? undefined
      : `uses the descriptor ${s}; Karpenter accepts ${CRON_DESCRIPTORS.join(', ')} or 5 cron fields`;
  }
  if (/^(CRON_)?TZ=/.test(s)) return 'sets a timezone; Karpenter budget schedules are always UTC';
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `has ${fields.length} fields; expected 5 (minute hour day-of-month month day-of-week)`;
  for (let i = 0; i < 5; i++) {
    const f = CRON_FIELDS[i];
    const problem = cronFieldProblem(fields[i], f.min, f.max, f.names, f.names0 ?? 0, i === 2 || i === 4);
    if (problem) return `${f.name} field "${fields[i]}" ${problem}`;
  }
  return undefined;
}

function cronValue(tok: string, min: number, max: number, names: string[] | undefined, names0: number): number | string {
  if (/^[0-9]+$/.test(tok)) {
    const n = Number(tok);
    return n < min || n > max ? `has ${n}, outside ${min}-${max}` : n;
  }
  const idx = names ? names.indexOf(tok.toUpperCase()) : -1;
  if (idx >= 0) return idx + names0;
  return `has "${tok}", not a number${names ? ' or name' : ''}`;
}

function cronFieldProblem(field: string, min: number, max: number, names: string[] | undefined, names0: number, allowQ: boolean): string | undefined {
  for (const part of field.split(',')) {
    if (part === '') return 'has an empty list item';
    const [range, step, extra] = part.split('/');
    if (extra !== undefined) return 'has two "/"';
    if (step !== undefined && !/^[0-9]+$/.test(step)) return `has step "${step}", not a number`;
    if (step !== undefined && Number(step) === 0) return 'has step 0';
    if (range === '*' || (allowQ && range === '?')) continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `has "${range}", not a range`;
    const values: number[] = [];
    for (const b of bounds) {
      const v = cronValue(b, min, max, names, names0);
      if (typeof v === 'string') return v;
      values.push(v);
    }
    if (values.length === 2 && values[0] > values[1]) return `has the range ${range} whose start is after its end`;
  }
  return undefined;
}

/** Label keys Karpenter knows values for (karpenter core `v1.WellKnownLabels` + AWS provider labels). */
export const KARPENTER_SH_ALLOWED = ['karpenter.sh/capacity-type', 'karpenter.sh/nodepool'];
/** The `karpenter.k8s.aws/*` keys the CRD's CEL rules allow (karpenter-provider-aws v1.14.1 CRD). */
export const KARPENTER_AWS_ALLOWED = [
  'instance-tenancy', 'capacity-reservation-type', 'capacity-reservation-id', 'capacity-reservation-interruptible',
  'ec2nodeclass', 'instance-encryption-in-transit-supported', 'instance-category', 'instance-hypervisor',
  'instance-family', 'instance-generation', 'instance-local-nvme', 'instance-size', 'instance-cpu',
  'instance-cpu-manufacturer', 'instance-cpu-sustained-clock-speed-mhz', 'instance-memory', 'instance-ebs-bandwidth',
  'instance-network-bandwidth', 'instance-gpu-name', 'instance-gpu-manufacturer', 'instance-gpu-count',
  'instance-gpu-memory', 'instance-accelerator-name', 'instance-accelerator-manufacturer',
  'instance-accelerator-count', 'instance-capability-flex', 'placement-group-id', 'placement-group-partition',
].map((k) => `karpenter.k8s.aws/${k}`);
/** Well-known `kubernetes.io`/`k8s.io` keys Karpenter allows (core `WellKnownLabels` + `topology.k8s.aws/zone-id`). */
export const KUBERNETES_WELL_KNOWN_ALLOWED = [
  'topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'node.kubernetes.io/instance-type',
  'kubernetes.io/arch', 'kubernetes.io/os', 'node.kubernetes.io/windows-build', 'topology.k8s.aws/zone-id',
  // deprecated aliases Karpenter normalises (NormalizedLabels) before validating
  'beta.kubernetes.io/instance-type', 'beta.kubernetes.io/arch', 'beta.kubernetes.io/os',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
];

/**
 * Why Karpenter refuses `key` in a NodePool requirement or template label, in Karpenter's own words, or
 * undefined when it is allowed. `where` is `requirement` or `label`: `karpenter.sh/nodepool` may appear in
 * neither (Karpenter sets it), `karpenter.sh/capacity-type` in both.
 */
export function restrictedKeyReason(key: string): string | undefined {
  const slash = key.indexOf('/');
  const domain = slash >= 0 ? key.slice(0, slash) : '';
  if (key === 'karpenter.sh/nodepool') return 'label "karpenter.sh/nodepool" is restricted';
  if (key === 'kubernetes.io/hostname') return 'label "kubernetes.io/hostname" is restricted';
  if (!KARPENTER_SH_ALLOWED.includes(key) && domain.endsWith('karpenter.sh')) return 'label domain "karpenter.sh" is restricted';
  if (!KARPENTER_AWS_ALLOWED.includes(key) && domain.endsWith('karpenter.k8s.aws')) return 'label domain "karpenter.k8s.aws" is restricted';
  if (KUBERNETES_WELL_KNOWN_ALLOWED.includes(key)) return undefined;
  if (domain.endsWith('node.kubernetes.io') || domain.endsWith('node-restriction.kubernetes.io') || domain.endsWith('kops.k8s.io')) return undefined;
  if (domain.endsWith('kubernetes.io')) return `label ${key} is restricted; the domain "kubernetes.io" is reserved for the kubelet (Karpenter runtime validation)`;
  if (domain.endsWith('k8s.io')) return `label ${key} is restricted; the domain "k8s.io" is reserved for the kubelet (Karpenter runtime validation)`;
  return undefined;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid Kubernetes label key (`[prefix/]name`), or undefined. */
export function labelKeySyntaxProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one "/"';
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0].length > 253 || !DNS_SUBDOMAIN.test(parts[0]))) return `has the prefix "${parts[0]}", not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) return `has the name "${name}", not 1-63 alphanumerics, "-", "_" or "." starting and ending alphanumeric`;
  return undefined;
}

/** Why `value` is not a valid Kubernetes label value, or undefined. */
export function labelValueSyntaxProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !QUALIFIED_NAME.test(value)) return 'is not at most 63 alphanumerics, "-", "_" or "." starting and ending alphanumeric';
  return undefined;
}
