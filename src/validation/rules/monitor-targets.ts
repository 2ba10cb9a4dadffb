/**
 * What a prometheus-operator ServiceMonitor or PodMonitor looks at (internal), shared by the monitoring, metrics and
 * network rules. ServiceMonitor/PodMonitor CRD v0.93.0: `spec.namespaceSelector` (`any`, or `matchNames`) says where,
 * by default the monitor's own namespace; `spec.selector` selects Services (or pods) by label.
 */
import { memoPerRun } from '../../private/memo';
import { nsOf } from '../../private/meta';
import { matchesLabelSelector } from '../../scheduling/labels';
import { RuleContext, WorkloadRef } from '../rule';

const arr = (x: unknown): any[] => (Array.isArray(x) ? x : []);

/** A label map with every value as a string (foreign YAML may write numbers or booleans). */
export function stringLabels(o: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) out[k] = String(v);
  return out;
}

/** Whether `monitor` (a ServiceMonitor or PodMonitor) looks in namespace `ns`. */
export function monitorLooksIn(monitor: any, ns: string): boolean {
  const sel = monitor?.spec?.namespaceSelector;
  if (sel?.any === true) return true;
  if (Array.isArray(sel?.matchNames) && sel.matchNames.length > 0) return sel.matchNames.includes(ns);
  return nsOf(monitor) === ns;
}

/** The Services (core) of the manifests a ServiceMonitor selects, in manifest order. */
export function selectedServices(ctx: RuleContext, sm: any): any[] {
  return ctx.byKind('Service', '').filter((svc) => monitorLooksIn(sm, nsOf(svc)) && matchesLabelSelector(sm?.spec?.selector, stringLabels(svc?.metadata?.labels)));
}

/**
 * Where a Service port forwards: its `targetPort`, or its `port` when that is unset (Kubernetes "Service": "By default
 * and for convenience, the targetPort is set to the same value as the port field").
 */
export function serviceTargetPort(servicePort: any): unknown {
  const t = servicePort?.targetPort;
  return t === undefined || t === 0 || t === '' ? servicePort?.port : t;
}

/** A pod port: its number and name, when the pod spec tells them, and its protocol. */
export interface PodPort {
  readonly number?: number;
  readonly name?: string;
  readonly protocol: string;
}

/** One place Prometheus is told to scrape: the monitor, its endpoint, the field that names the port, the pods and their port. */
export interface ScrapeTarget {
  readonly monitor: any;
  /** The endpoint (`spec.endpoints[i]`, `spec.podMetricsEndpoints[i]`). */
  readonly endpoint: any;
  /** The endpoint's path in the monitor, e.g. `spec.endpoints[0]`. */
  readonly endpointPath: string;
  /** The endpoint's field that names the port, e.g. `spec.endpoints[0].port`. */
  readonly fieldPath: string;
  readonly workload: WorkloadRef;
  readonly port: PodPort;
}

/** `port` (a number or a container port name) of the pods of `podSpec`, with the other half when a container port says. */
function podPortOf(podSpec: any, port: unknown, protocol: string): PodPort | undefined {
  const ports = arr(podSpec?.containers).flatMap((c: any) => arr(c?.ports));
  if (typeof port === 'number' && Number.isInteger(port)) {
    const named = ports.find((p: any) => p?.containerPort === port && (p?.protocol ?? 'TCP') === protocol);
    return { number: port, name: typeof named?.name === 'string' ? named.name : undefined, protocol };
  }
  if (typeof port === 'string' && port !== '') {
    const named = ports.find((p: any) => p?.name === port);
    return { number: typeof named?.containerPort === 'number' ? named.containerPort : undefined, name: port, protocol: named?.protocol ?? protocol };
  }
  return undefined;
}

/**
 * Every scrape target of the manifests' ServiceMonitors and PodMonitors whose pods are in the manifests, once per run
 * (GPU320, GPU325). A ServiceMonitor endpoint's `port` names a Service port, forwarded to its target port; without it,
 * the deprecated `targetPort` names the pods' port. A PodMonitor endpoint names the pods' port by `port`, else
 * `portNumber`, else `targetPort`.
 */
export const scrapeTargets = memoPerRun((ctx: RuleContext): readonly ScrapeTarget[] => {
  const out: ScrapeTarget[] = [];
  for (const sm of ctx.byKind('ServiceMonitor', 'monitoring.coreos.com')) {
    const services = selectedServices(ctx, sm);
    arr(sm?.spec?.endpoints).forEach((ep: any, i: number) => {
      const endpointPath = `spec.endpoints[${i}]`;
      for (const svc of services) {
        const selector = stringLabels(svc?.spec?.selector);
        if (Object.keys(selector).length === 0) continue;
        let podPort: unknown;
        let protocol = 'TCP';
        let field: string;
        if (typeof ep?.port === 'string' && ep.port !== '') {
          const sp = arr(svc?.spec?.ports).find((p: any) => p?.name === ep.port);
          if (!sp) continue; // GPU311's finding
          podPort = serviceTargetPort(sp);
          protocol = typeof sp.protocol === 'string' ? sp.protocol : 'TCP';
          field = `${endpointPath}.port`;
        } else if (ep?.targetPort !== undefined) {
          podPort = ep.targetPort;
          field = `${endpointPath}.targetPort`;
        } else {
          continue;
        }
        for (const w of ctx.workloadsMatching(nsOf(svc), selector)) {
          const port = podPortOf(w.template.podSpec, podPort, protocol);
          if (port) out.push({ monitor: sm, endpoint: ep, endpointPath, fieldPath: field, workload: w, port });
        }
      }
    });
  }
  for (const pm of ctx.byKind('PodMonitor', 'monitoring.coreos.com')) {
    const workloads = ctx.workloads().filter((w) => monitorLooksIn(pm, nsOf(w.object))
      && matchesLabelSelector(pm?.spec?.selector, w.template.podLabels));
    arr(pm?.spec?.podMetricsEndpoints).forEach((ep: any, i: number) => {
      const [field, podPort] = typeof ep?.port === 'string' && ep.port !== '' ? ['port', ep.port]
        : typeof ep?.portNumber === 'number' ? ['portNumber', ep.portNumber]
          : ep?.targetPort !== undefined ? ['targetPort', ep.targetPort] : [undefined, undefined];
      if (field === undefined) return;
      const endpointPath = `spec.podMetricsEndpoints[${i}]`;
      for (const w of workloads) {
        const port = podPortOf(w.template.podSpec, podPort, 'TCP');
        if (port) out.push({ monitor: pm, endpoint: ep, endpointPath, fieldPath: `${endpointPath}.${field}`, workload: w, port });
      }
    });
  }
  return out;
});
