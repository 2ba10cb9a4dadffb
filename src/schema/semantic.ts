/**
 * Hand-written API server checks for built-in kinds that no OpenAPI schema carries, restated from the
 * Kubernetes API reference and k8s.io/kubernetes/pkg/apis/{core,apps,batch}/validation (behaviour only):
 * enum fields, pod spec names and references, extended resources, tolerations, selectors vs template labels.
 */
import { dns1123LabelErrors, labelsAndAnnotationsErrors, labelValueErrors, NO_ERRORS, qualifiedNameErrors } from './object-meta';
import { quantityOf } from '../private/quantity';

const ENUMS: Record<string, string[]> = {
  restartPolicy: ['Always', 'OnFailure', 'Never'],
  imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
  dnsPolicy: ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'],
  protocol: ['TCP', 'UDP', 'SCTP'],
  preemptionPolicy: ['PreemptLowerPriority', 'Never'],
};

/** Extended resources (e.g. nvidia.com/gpu): domain-qualified names outside *kubernetes.io. */
function isExtendedResource(name: string): boolean {
  if (!name.includes('/')) return false;
  const domain = name.split('/')[0];
  return !(domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io')) && !name.startsWith('requests.');
}

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;


function enumError(path: string, field: string, value: unknown, allowed = ENUMS[field]): string[] {
  if (value === undefined || allowed.includes(value as string)) return NO_ERRORS;
  return [`${path}.${field}: Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`];
}

function containerErrors(c: any, path: string, volumeNames: Set<string>): string[] {
  const errs: string[] = [];
  if (typeof c?.name === 'string') for (const e of dns1123LabelErrors(c.name)) errs.push(`${path}.name: Invalid value: ${JSON.stringify(c.name)}: ${e}`);
  if (c && typeof c === 'object' && (typeof c.image !== 'string' || c.image.trim() === '')) errs.push(`${path}.image: Required value`);
  errs.push(...enumError(path, 'imagePullPolicy', c.imagePullPolicy));
  (c.ports ?? []).forEach((p: any, i: number) => {
    const pp = `${path}.ports[${i}]`;
    if (typeof p.containerPort === 'number' && (p.containerPort < 1 || p.containerPort > 65535 || !Number.isInteger(p.containerPort))) {
      errs.push(`${pp}.containerPort: Invalid value: ${p.containerPort}: must be between 1 and 65535, inclusive`);
    }
    if (typeof p.name === 'string' && (p.name.length > 15 || !IANA_SVC_NAME.test(p.name) || !/[a-z]/.test(p.name) || p.name.includes('--'))) {
      errs.push(`${pp}.name: Invalid value: ${JSON.stringify(p.name)}: must be an IANA_SVC_NAME (at most 15 characters, lowercase alphanumerics and '-', with at least one letter)`);
    }
    errs.push(...enumError(pp, 'protocol', p.protocol));
  });
  (c.env ?? []).forEach((e: any, i: number) => {
    if (typeof e?.name === 'string' && !ENV_VAR_NAME.test(e.name)) {
      errs.push(`${path}.env[${i}].name: Invalid value: ${JSON.stringify(e.name)}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`);
    }
  });
  (c.volumeMounts ?? []).forEach((m: any, i: number) => {
    if (typeof m?.name === 'string' && !volumeNames.has(m.name)) errs.push(`${path}.volumeMounts[${i}].name: Not found: ${JSON.stringify(m.name)}`);
  });
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  // (Merging the two maps is slow and runs for every container; it is needed only when a quantity is negative, which
  // the plain maps of almost every container rule out in one cheap pass: same errors, in the merged map's order.)
  if (mayHoldNegativeQuantity(limits) || mayHoldNegativeQuantity(requests)) {
    for (const [name, q] of Object.entries<any>({ ...limits, ...requests })) {
      const v = quantityOf(q);
      if (v !== undefined && v < 0) errs.push(`${path}.resources: Invalid value: ${JSON.stringify(q)}: ${name} must be greater than or equal to 0`);
    }
  }
  for (const [name, rq] of Object.entries<any>(requests)) {
    const r = quantityOf(rq);
    const l = quantityOf(limits[name]);
    if (isExtendedResource(name)) {
      if (!checkExtendedResources) continue;
      if (r !== undefined && !Number.isInteger(r)) errs.push(`${path}.resources.requests[${JSON.stringify(name)}]: Invalid value: ${JSON.stringify(rq)}: must be an integer`);
      if (limits[name] === undefined) errs.push(`${path}.resources.limits: Required value: Limit must be set for non overcommitable resources (${name})`);
      else if (r !== l) errs.push(`${path}.resources.requests: Invalid value: ${JSON.stringify(rq)}: must be equal to ${name} limit of ${JSON.stringify(limits[name])}`);
    } else if (r !== undefined && l !== undefined && r > l) {
      errs.push(`${path}.resources.requests: Invalid value: ${JSON.stringify(rq)}: must be less than or equal to ${name} limit of ${JSON.stringify(limits[name])}`);
    }
  }
  for (const [name, lq] of Object.entries<any>(limits)) {
    const l = quantityOf(lq);
    if (checkExtendedResources && isExtendedResource(name) && l !== undefined && !Number.isInteger(l)) errs.push(`${path}.resources.limits[${JSON.stringify(name)}]: Invalid value: ${JSON.stringify(lq)}: must be an integer`);
  }
  return errs;
}

/** Whether a resource map may hold a negative quantity: false only for a plain map none of whose values parses negative. */
function mayHoldNegativeQuantity(m: unknown): boolean {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return true;
  for (const q of Object.values(m)) {
    const v = quantityOf(q);
    if (v !== undefined && v < 0) return true;
  }
  return false;
}

/** Checks of a PodSpec at `path`; `restartPolicies` restricts restartPolicy for the owning workload kind. */
export function podSpecErrors(spec: any, path: string, restartPolicies = ENUMS.restartPolicy): string[] {
  if (!spec || typeof spec !== 'object') return [];
  const errs: string[] = [];
  if (Array.isArray(spec.containers) && spec.containers.length === 0) errs.push(`${path}.containers: Required value`);
  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v: any, i: number) => {
    if (typeof v?.name !== 'string') return;
    for (const e of dns1123LabelErrors(v.name)) errs.push(`${path}.volumes[${i}].name: Invalid value: ${JSON.stringify(v.name)}: ${e}`);
    if (volumeNames.has(v.name)) errs.push(`${path}.volumes[${i}].name: Duplicate value: ${JSON.stringify(v.name)}`);
    volumeNames.add(v.name);
  });
  const names = new Set<string>();
  for (const field of ['initContainers', 'containers']) {
    (spec[field] ?? []).forEach((c: any, i: number) => {
      const p = `${path}.${field}[${i}]`;
      if (typeof c?.name === 'string') {
        if (names.has(c.name)) errs.push(`${p}.name: Duplicate value: ${JSON.stringify(c.name)}`);
        names.add(c.name);
      }
      errs.push(...containerErrors(c, p, volumeNames));
    });
  }
  errs.push(...enumError(path, 'restartPolicy', spec.restartPolicy, restartPolicies));
  errs.push(...enumError(path, 'dnsPolicy', spec.dnsPolicy));
  errs.push(...enumError(path, 'preemptionPolicy', spec.preemptionPolicy));
  for (const [k, v] of Object.entries<any>(spec.nodeSelector ?? {})) {
    for (const e of qualifiedNameErrors(k)) errs.push(`${path}.nodeSelector: Invalid value: ${JSON.stringify(k)}: ${e}`);
    if (typeof v === 'string') for (const e of labelValueErrors(v)) errs.push(`${path}.nodeSelector[${JSON.stringify(k)}]: Invalid value: ${JSON.stringify(v)}: ${e}`);
  }
  (spec.tolerations ?? []).forEach((t: any, i: number) => {
    const p = `${path}.tolerations[${i}]`;
    errs.push(...enumError(p, 'operator', t.operator, ['Equal', 'Exists']));
    errs.push(...enumError(p, 'effect', t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    if (t.operator === 'Exists' && t.value) errs.push(`${p}.operator: Invalid value: "Exists": value must be empty when \`operator\` is 'Exists'`);
    if (!t.key && t.operator !== 'Exists') errs.push(`${p}.operator: Invalid value: ${JSON.stringify(t.operator ?? 'Equal')}: operator must be Exists when \`key\` is empty, which means "match all values and all keys"`);
    if (t.key) for (const e of qualifiedNameErrors(t.key)) errs.push(`${p}.key: Invalid value: ${JSON.stringify(t.key)}: ${e}`);
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') errs.push(`${p}.effect: Invalid value: ${JSON.stringify(t.effect)}: effect must be 'NoExecute' when \`tolerationSeconds\` is set`);
  });
  return errs;
}

/** Does a LabelSelector select these labels? (matchLabels + matchExpressions) */
export function selectorMatches(sel: any, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries<any>(sel?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const ex of sel?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, ex.key);
    const vals: string[] = ex.values ?? [];
    if (ex.operator === 'In' && !(has && vals.includes(labels[ex.key]))) return false;
    if (ex.operator === 'NotIn' && has && vals.includes(labels[ex.key])) return false;
    if (ex.operator === 'Exists' && !has) return false;
    if (ex.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function selectorErrors(sel: any, path: string): string[] {
  const errs: string[] = [];
  for (const [k, v] of Object.entries<any>(sel?.matchLabels ?? {})) {
    for (const e of qualifiedNameErrors(k)) errs.push(`${path}.matchLabels: Invalid value: ${JSON.stringify(k)}: ${e}`);
    if (typeof v === 'string') for (const e of labelValueErrors(v)) errs.push(`${path}.matchLabels[${JSON.stringify(k)}]: Invalid value: ${JSON.stringify(v)}: ${e}`);
  }
  (sel?.matchExpressions ?? []).forEach((ex: any, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    errs.push(...enumError(p, 'operator', ex.operator, ['In', 'NotIn', 'Exists', 'DoesNotExist']));
    const n = (ex.values ?? []).length;
    if ((ex.operator === 'In' || ex.operator === 'NotIn') && n === 0) errs.push(`${p}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`);
    if ((ex.operator === 'Exists' || ex.operator === 'DoesNotExist') && n > 0) errs.push(`${p}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`);
  });
  return errs;
}

/** Workload spec with a selector and a pod template (Deployment, ReplicaSet, StatefulSet, DaemonSet). */
function templatedWorkloadErrors(spec: any, path: string, restartPolicies: string[], selectorRequired: boolean): string[] {
  if (!spec) return [];
  const errs: string[] = [];
  const labels = spec.template?.metadata?.labels ?? {};
  errs.push(...labelsAndAnnotationsErrors(spec.template?.metadata, `${path}.template.metadata`));
  if (spec.selector) {
    errs.push(...selectorErrors(spec.selector, `${path}.selector`));
    const empty = !Object.keys(spec.selector.matchLabels ?? {}).length && !(spec.selector.matchExpressions ?? []).length;
    if (empty && selectorRequired) errs.push(`${path}.selector: Invalid value: "object": empty selector is invalid for deployment`);
    else if (!selectorMatches(spec.selector, labels)) errs.push(`${path}.template.metadata.labels: Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``);
  }
  errs.push(...podSpecErrors(spec.template?.spec, `${path}.template.spec`, restartPolicies));
  return errs;
}

/** Whether the extended-resource checks run (see {@link semanticErrors}). */
let checkExtendedResources = true;

/**
 * All semantic errors of one built-in object (unknown kinds: none). `extendedResources: false` leaves out the
 * extended-resource checks (integer counts, requests = limits): the lint gate leaves them to rule GPU001, which
 * reports them more precisely.
 */
export function semanticErrors(obj: any, options: { readonly extendedResources?: boolean } = {}): string[] {
  checkExtendedResources = options.extendedResources ?? true;
  try {
    return semanticErrorsOf(obj);
  } finally {
    checkExtendedResources = true;
  }
}

function semanticErrorsOf(obj: any): string[] {
  const spec = obj.spec;
  switch (obj.kind) {
    case 'Pod':
      return podSpecErrors(spec, 'spec');
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
      return [
        ...templatedWorkloadErrors(spec, 'spec', ['Always'], true),
        ...(obj.kind === 'Deployment' ? enumError('spec.strategy', 'type', spec?.strategy?.type, ['Recreate', 'RollingUpdate']) : []),
      ];
    case 'Job':
      return templatedWorkloadErrors(spec, 'spec', ['OnFailure', 'Never'], false);
    case 'CronJob':
      return [
        ...labelsAndAnnotationsErrors(spec?.jobTemplate?.metadata, 'spec.jobTemplate.metadata'),
        ...templatedWorkloadErrors(spec?.jobTemplate?.spec, 'spec.jobTemplate.spec', ['OnFailure', 'Never'], false),
        ...enumError('spec', 'concurrencyPolicy', spec?.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']),
      ];
    case 'Service': {
      const errs: string[] = [];
      errs.push(...enumError('spec', 'type', spec?.type, ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']));
      const ports: any[] = spec?.ports ?? [];
      if (ports.length === 0 && spec?.type !== 'ExternalName' && spec?.clusterIP !== 'None') errs.push('spec.ports: Required value');
      const seen = new Set<string>();
      ports.forEach((p, i) => {
        if (ports.length > 1 && !p.name) errs.push(`spec.ports[${i}].name: Required value`);
        if (p.name) {
          for (const e of dns1123LabelErrors(p.name)) errs.push(`spec.ports[${i}].name: Invalid value: ${JSON.stringify(p.name)}: ${e}`);
          if (seen.has(p.name)) errs.push(`spec.ports[${i}].name: Duplicate value: ${JSON.stringify(p.name)}`);
          seen.add(p.name);
        }
        if (typeof p.port === 'number' && (p.port < 1 || p.port > 65535)) errs.push(`spec.ports[${i}].port: Invalid value: ${p.port}: must be between 1 and 65535, inclusive`);
        errs.push(...enumError(`spec.ports[${i}]`, 'protocol', p.protocol));
      });
      for (const [k, v] of Object.entries<any>(spec?.selector ?? {})) {
        for (const e of qualifiedNameErrors(k)) errs.push(`spec.selector: Invalid value: ${JSON.stringify(k)}: ${e}`);
        if (typeof v === 'string') for (const e of labelValueErrors(v)) errs.push(`spec.selector[${JSON.stringify(k)}]: Invalid value: ${JSON.stringify(v)}: ${e}`);
      }
      return errs;
    }
    case 'PodDisruptionBudget': {
      const errs = selectorErrors(spec?.selector, 'spec.selector');
      if (spec?.minAvailable !== undefined && spec?.maxUnavailable !== undefined) errs.push('spec: Invalid value: "object": minAvailable and maxUnavailable cannot be both set');
      return errs;
    }
    default:
      return [];
  }
}
