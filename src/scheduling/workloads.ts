/**
 * Pod templates from any workload kind, as plain JSON, with the field path of the pod spec so findings can point
 * at the right place.
 */
import { isLabelValue } from './labels';
import { hasOwn, someOwnKey } from '../private/keys';

/** The pod template of a workload. */
export interface PodTemplateRef {
  /**
   * The pod spec object itself (not a copy) when the fields the scheduling model reads are well-formed; otherwise a
   * shallow copy with those fields repaired (see {@link wellFormedPodSpec}), so no rule fails on a wrong type.
   */
  readonly podSpec: any;
  /** Path of `podSpec` inside the object: `spec` (Pod), `spec.template.spec`, `spec.jobTemplate.spec.template.spec`… */
  readonly podSpecPath: string;
  /** Labels the pods get (`spec.template.metadata.labels`; a Pod's own `metadata.labels`). */
  readonly podLabels: Record<string, string>;
  /**
   * How many pods run at once: `replicas` of a Deployment/StatefulSet/ReplicaSet/ReplicationController (default 1),
   * `parallelism` of a Job or a CronJob's job (default 1), 1 for a Pod, `undefined` for a DaemonSet (one per node).
   */
  readonly replicas?: number;
  /**
   * GPU demand through DRA claims, by device class (`scheduling/dra.ts` `draGpuDemand`), filled in by whoever knows
   * the claims (the validation index, from the manifests' ResourceClaimTemplates). @default - none
   */
  readonly draDemand?: Readonly<Record<string, number>>;
  /**
   * The cpu, memory and ephemeral-storage requests (cores, bytes) a container that sets neither a request nor a limit of the resource
   * gets from its namespace's LimitRanges (LimitRanger's default request), filled in by whoever knows the LimitRanges
   * (the validation index, from the manifests'). @default - none
   */
  readonly requestDefaults?: Readonly<RequestDefaults>;
}

/** The requests LimitRanges give a container that sets neither a request nor a limit of the resource. */
export interface RequestDefaults {
  readonly 'cpu'?: number;
  readonly 'memory'?: number;
  readonly 'ephemeral-storage'?: number;
}

/** One container of a pod template. */
export interface ContainerRef {
  /** The container object itself. */
  readonly container: any;
  /** Full field path, e.g. `spec.template.spec.containers[0]` or `spec.template.spec.initContainers[1]`. */
  readonly path: string;
  /** Whether it is an init container (including sidecars). */
  readonly init: boolean;
  /** Whether it is a sidecar: an init container with `restartPolicy: Always` (runs beside the app containers). */
  readonly sidecar: boolean;
}

/** A container as messages name it: `container "server"`, `init container "fetch"` or `sidecar "proxy"`. */
export function containerLabel(c: ContainerRef): string {
  return `${c.init ? (c.sidecar ? 'sidecar' : 'init container') : 'container'} ${JSON.stringify(c.container.name ?? '?')}`;
}

interface KindInfo {
  /** API groups the kind may come from ('' is core). */
  readonly groups: readonly string[];
  readonly specPath: readonly string[];
  readonly labelsPath: readonly string[];
  readonly replicas: (obj: any) => number | undefined;
}

const TEMPLATE = ['spec', 'template', 'spec'];
const TEMPLATE_LABELS = ['spec', 'template', 'metadata', 'labels'];
/**
 * A replica count as the model reads it: a whole number >= 0 (a fraction rounded down); anything else (a negative,
 * infinite or non-number value, which the schema gate refuses) counts as Kubernetes' default of 1.
 */
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 1);

const KINDS: Record<string, KindInfo> = {
  Pod: { groups: [''], specPath: ['spec'], labelsPath: ['metadata', 'labels'], replicas: () => 1 },
  Deployment: { groups: ['apps', 'extensions'], specPath: TEMPLATE, labelsPath: TEMPLATE_LABELS, replicas: (o) => count(o.spec?.replicas) },
  StatefulSet: { groups: ['apps'], specPath: TEMPLATE, labelsPath: TEMPLATE_LABELS, replicas: (o) => count(o.spec?.replicas) },
  ReplicaSet: { groups: ['apps', 'extensions'], specPath: TEMPLATE, labelsPath: TEMPLATE_LABELS, replicas: (o) => count(o.spec?.replicas) },
  ReplicationController: { groups: [''], specPath: TEMPLATE, labelsPath: TEMPLATE_LABELS, replicas: (o) => count(o.spec?.replicas) },
  DaemonSet: { groups: ['apps', 'extensions'], specPath: TEMPLATE, labelsPath: TEMPLATE_LABELS, replicas: () => undefined },
  Job: { groups: ['batch'], specPath: TEMPLATE, labelsPath: TEMPLATE_LABELS, replicas: (o) => count(o.spec?.parallelism) },
  CronJob: {
    groups: ['batch'],
    specPath: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    labelsPath: ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'],
    replicas: (o) => count(o.spec?.jobTemplate?.spec?.parallelism),
  },
};

/** The kinds that carry a pod template: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController. */
export const POD_TEMPLATE_KINDS: string[] = Object.keys(KINDS);

/**
 * Whether an object is run by a controller (a controller `ownerReference`), such as a Deployment's ReplicaSet or a
 * CronJob's Job: counts of replicas or gangs go through the owner, whose object stands for it.
 */
export function runByController(obj: any): boolean {
  const refs = obj?.metadata?.ownerReferences;
  return Array.isArray(refs) && refs.some((r: any) => r?.controller === true);
}

/**
 * Whether a workload's pods are counted through its owner: a workload other than a Deployment or StatefulSet that a
 * controller runs (a Deployment's ReplicaSet), which rules judge on the owner instead.
 */
export function countedThroughOwner(w: { readonly kind: string; readonly object: any }): boolean {
  return w.kind !== 'Deployment' && w.kind !== 'StatefulSet' && runByController(w.object);
}

/** Each kind's `specPath` joined with '.' (read for every workload, so joined once). */
const SPEC_PATH_TEXT = new Map(Object.values(KINDS).map((info) => [info, info.specPath.join('.')]));

/**
 * The field path of the labels a workload kind's pods get (`spec.template.metadata.labels`, a Pod's
 * `metadata.labels`, a CronJob's `spec.jobTemplate.spec.template.metadata.labels`); undefined for other kinds.
 */
export function podLabelsPathOf(kind: string): string | undefined {
  return hasOwn(KINDS, kind) ? KINDS[kind].labelsPath.join('.') : undefined;
}

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function dig(obj: any, path: readonly string[]): any {
  let cur = obj;
  for (let i = 0; i < path.length; i++) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = cur[path[i]];
  }
  return cur;
}

/**
 * The path of the pod spec {@link podTemplateOf} would return (`spec.template.spec`, `spec`, …), without reading the
 * template: `undefined` exactly when podTemplateOf returns `undefined`.
 */
export function podSpecPathOf(obj: any): string | undefined {
  const found = podSpecOf(obj);
  return found && SPEC_PATH_TEXT.get(found.info);
}

/** The kind's paths and the raw pod spec object of a workload object, or `undefined` when it has none. */
function podSpecOf(obj: any): { readonly info: KindInfo; readonly rawSpec: any } | undefined {
  if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string') return undefined;
  const info = Object.prototype.hasOwnProperty.call(KINDS, obj.kind) ? KINDS[obj.kind] : undefined;
  if (!info) return undefined;
  const group = groupOf(obj.apiVersion);
  if (group !== undefined && !info.groups.includes(group)) return undefined;
  const rawSpec = dig(obj, info.specPath);
  if (!rawSpec || typeof rawSpec !== 'object' || Array.isArray(rawSpec)) return undefined;
  return { info, rawSpec };
}

/**
 * The pod template of a workload object, or `undefined` when `obj` is not one of {@link POD_TEMPLATE_KINDS} (a
 * kind of another API group, e.g. a CRD also named `Job`, does not count) or has no pod spec object.
 */
export function podTemplateOf(obj: any): PodTemplateRef | undefined {
  const found = podSpecOf(obj);
  if (!found) return undefined;
  const { info, rawSpec } = found;
  const podSpec = wellFormedPodSpec(rawSpec);
  const rawLabels = dig(obj, info.labelsPath);
  const podLabels: Record<string, string> = {};
  if (rawLabels && typeof rawLabels === 'object') {
    for (const k in rawLabels) if (hasOwn(rawLabels, k) && isLabelValue(rawLabels[k])) podLabels[k] = String(rawLabels[k]);
  }
  const replicas = info.replicas(obj);
  const podSpecPath = SPEC_PATH_TEXT.get(info)!;
  return replicas === undefined ? { podSpec, podSpecPath, podLabels } : { podSpec, podSpecPath, podLabels, replicas };
}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const isObjectList = (v: unknown): boolean => Array.isArray(v) && v.every(isObject);
const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringMap = (v: unknown): boolean => isObject(v) && !someOwnKey(v, (k) => typeof v[k] !== 'string');

/** A node selector requirement list as the model reads it: objects with string key/operator, values a string list. */
function wellFormedRequirements(v: unknown): any[] | undefined {
  if (v === undefined) return undefined;
  if (isObjectList(v) && (v as any[]).every((r) => typeof r.key === 'string' && typeof r.operator === 'string'
    && (r.values === undefined || isStringList(r.values)))) return v as any[];
  return (Array.isArray(v) ? v : []).filter((r) => isObject(r) && typeof r.key === 'string' && typeof r.operator === 'string')
    .map((r) => (r.values === undefined || isStringList(r.values) ? r : { ...r, values: Array.isArray(r.values) ? r.values.filter((x: unknown) => typeof x === 'string') : [] }));
}

function wellFormedTerm(t: any): any {
  const matchExpressions = wellFormedRequirements(t.matchExpressions);
  const matchFields = wellFormedRequirements(t.matchFields);
  if (matchExpressions === t.matchExpressions && matchFields === t.matchFields) return t;
  return { ...t, ...(matchExpressions !== undefined ? { matchExpressions } : {}), ...(matchFields !== undefined ? { matchFields } : {}) };
}

function wellFormedAffinity(a: unknown): any {
  if (!isObject(a)) return undefined;
  const na = a.nodeAffinity;
  if (na === undefined) return a;
  if (!isObject(na)) return { ...a, nodeAffinity: undefined };
  const req = na.requiredDuringSchedulingIgnoredDuringExecution;
  let fixedReq = req;
  if (req !== undefined) {
    if (!isObject(req)) {fixedReq = undefined;} else {
      const terms = (Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : []).filter(isObject);
      const fixedTerms = terms.map(wellFormedTerm);
      const same = Array.isArray(req.nodeSelectorTerms) && fixedTerms.length === req.nodeSelectorTerms.length
        && fixedTerms.every((t: any, i: number) => t === req.nodeSelectorTerms[i]);
      if (!same) fixedReq = { ...req, nodeSelectorTerms: fixedTerms };
    }
  }
  const pref = na.preferredDuringSchedulingIgnoredDuringExecution;
  let fixedPref = pref;
  if (pref !== undefined) {
    const items = (Array.isArray(pref) ? pref : []).filter(isObject)
      .map((p: any) => (isObject(p.preference) ? { ...p, preference: wellFormedTerm(p.preference) } : undefined))
      .filter((p: any) => p !== undefined && typeof p.weight === 'number');
    const same = Array.isArray(pref) && items.length === pref.length && items.every((p: any, i: number) => p.preference === pref[i].preference);
    if (!same) fixedPref = items;
  }
  if (fixedReq === req && fixedPref === pref) return a;
  const nodeAffinity = {
    ...na,
    requiredDuringSchedulingIgnoredDuringExecution: fixedReq,
    preferredDuringSchedulingIgnoredDuringExecution: fixedPref,
  };
  return { ...a, nodeAffinity };
}

/** Whether the model reads a container as it is: an object whose `resources`, limits and requests are absent or maps. */
const wellFormedContainer = (c: unknown): boolean => {
  if (!isObject(c)) return false;
  const r = c.resources;
  return r === undefined || (isObject(r) && (r.limits === undefined || isObject(r.limits)) && (r.requests === undefined || isObject(r.requests)));
};

/** Whether every item is a {@link wellFormedContainer} (a hole is not: `every` would skip it). */
function allWellFormed(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (!(i in list) || !wellFormedContainer(list[i])) return false;
  return true;
}

function wellFormedContainers(v: unknown): any[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v) && allWellFormed(v)) return v; // (nearly always: no copy to compare)
  const list = (Array.isArray(v) ? v : []).filter(isObject);
  const fixed = list.map((c) => {
    const r = c.resources;
    if (r === undefined) return c;
    if (!isObject(r)) return { ...c, resources: undefined };
    const limits = r.limits === undefined || isObject(r.limits) ? r.limits : undefined;
    const requests = r.requests === undefined || isObject(r.requests) ? r.requests : undefined;
    return limits === r.limits && requests === r.requests ? c : { ...c, resources: { ...r, limits, requests } };
  });
  return Array.isArray(v) && fixed.length === v.length && fixed.every((c, i) => c === v[i]) ? v : fixed;
}

/**
 * The pod spec as the scheduling model reads it: `spec` itself when `tolerations`, `nodeSelector`, `affinity`
 * (node affinity), `containers`, `initContainers` and their `resources` are absent or of the right shape, else a
 * shallow copy where a field of the wrong type is dropped (a list keeps its well-formed items). Such an object also
 * fails the schema gate (GPU009); this keeps the rules from failing on it when the gate is off.
 */
export function wellFormedPodSpec(spec: any): any {
  const tolerations = spec.tolerations === undefined || isObjectList(spec.tolerations) ? spec.tolerations
    : (Array.isArray(spec.tolerations) ? spec.tolerations.filter(isObject) : undefined);
  const nodeSelector = spec.nodeSelector === undefined || isStringMap(spec.nodeSelector) ? spec.nodeSelector
    : isObject(spec.nodeSelector) ? Object.fromEntries(Object.entries(spec.nodeSelector).filter(([, x]) => typeof x === 'string')) : undefined;
  const affinity = spec.affinity === undefined ? undefined : wellFormedAffinity(spec.affinity);
  const containers = wellFormedContainers(spec.containers);
  const initContainers = wellFormedContainers(spec.initContainers);
  if (tolerations === spec.tolerations && nodeSelector === spec.nodeSelector && affinity === spec.affinity
    && containers === spec.containers && initContainers === spec.initContainers) return spec;
  return { ...spec, tolerations, nodeSelector, affinity, containers, initContainers };
}

/** The app containers then the init containers of a pod template (ephemeral containers are ignored). */
export function containersOf(t: PodTemplateRef): readonly ContainerRef[] {
  const list: ContainerRef[] = [];
  addContainers(list, t, 'containers', false);
  addContainers(list, t, 'initContainers', true);
  return list;
}

function addContainers(out: ContainerRef[], t: PodTemplateRef, field: 'containers' | 'initContainers', init: boolean): void {
  const list = t.podSpec?.[field];
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const container = list[i];
    if (!container || typeof container !== 'object') continue; // (holes too, as forEach)
    out.push({ container, path: containerPath(t.podSpecPath, field, i), init, sidecar: init && container.restartPolicy === 'Always' });
  }
}

/**
 * `<podSpecPath>.<field>[<i>]`, the first few of each made once: a run asks for the same ones (a kind's pod spec
 * path, the first containers) for every workload.
 */
function containerPath(podSpecPath: string, field: 'containers' | 'initContainers', i: number): string {
  if (i >= 8) return `${podSpecPath}.${field}[${i}]`;
  let paths = CONTAINER_PATHS.get(podSpecPath);
  if (!paths) {
    if (CONTAINER_PATHS.size >= 64) CONTAINER_PATHS.clear(); // (pod spec paths are few; never unbounded)
    CONTAINER_PATHS.set(podSpecPath, paths = { containers: [], initContainers: [] });
  }
  return paths[field][i] ??= `${podSpecPath}.${field}[${i}]`;
}
const CONTAINER_PATHS = new Map<string, { containers: string[]; initContainers: string[] }>();
