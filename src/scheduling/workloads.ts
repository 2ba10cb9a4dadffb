/**
 * Pod templates from any workload kind, as plain JSON, with the field path of the pod spec so findings can point
 * at the right place.
 */

/** The pod template of a workload. */
export interface PodTemplateRef {
  /** The pod spec object itself (not a copy). */
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

interface KindInfo {
  /** API groups the kind may come from ('' is core). */
  readonly groups: readonly string[];
  readonly specPath: readonly string[];
  readonly labelsPath: readonly string[];
  readonly replicas: (obj: any) => number | undefined;
}

const TEMPLATE = ['spec', 'template', 'spec'];
const TEMPLATE_LABELS = ['spec', 'template', 'metadata', 'labels'];
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 1);

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

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function dig(obj: any, path: readonly string[]): any {
  let cur = obj;
  for (const p of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = cur[p];
  }
  return cur;
}

/**
 * The pod template of a workload object, or `undefined` when `obj` is not one of {@link POD_TEMPLATE_KINDS} (a
 * kind of another API group, e.g. a CRD also named `Job`, does not count) or has no pod spec object.
 */
export function podTemplateOf(obj: any): PodTemplateRef | undefined {
  if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string') return undefined;
  const info = Object.prototype.hasOwnProperty.call(KINDS, obj.kind) ? KINDS[obj.kind] : undefined;
  if (!info) return undefined;
  const group = groupOf(obj.apiVersion);
  if (group !== undefined && !info.groups.includes(group)) return undefined;
  const podSpec = dig(obj, info.specPath);
  if (!podSpec || typeof podSpec !== 'object' || Array.isArray(podSpec)) return undefined;
  const rawLabels = dig(obj, info.labelsPath);
  const podLabels: Record<string, string> = {};
  if (rawLabels && typeof rawLabels === 'object') {
    for (const [k, v] of Object.entries(rawLabels)) podLabels[k] = String(v);
  }
  const replicas = info.replicas(obj);
  return { podSpec, podSpecPath: info.specPath.join('.'), podLabels, ...(replicas === undefined ? {} : { replicas }) };
}

/** The app containers then the init containers of a pod template (ephemeral containers are ignored). */
export function containersOf(t: PodTemplateRef): ContainerRef[] {
  const out: ContainerRef[] = [];
  const add = (field: string, init: boolean) => {
    const list = t.podSpec?.[field];
    if (!Array.isArray(list)) return;
    list.forEach((container, i) => {
      if (!container || typeof container !== 'object') return;
      out.push({
        container,
        path: `${t.podSpecPath}.${field}[${i}]`,
        init,
        sidecar: init && container.restartPolicy === 'Always',
      });
    });
  };
  add('containers', false);
  add('initContainers', true);
  return out;
}
