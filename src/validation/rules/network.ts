/**
 * Network rules (GPU320): whether Prometheus can reach what the manifests ask it to scrape.
 *
 * Kubernetes NetworkPolicy semantics (Kubernetes docs, "Network Policies"; networking.k8s.io/v1 API): a pod is isolated
 * for ingress when a NetworkPolicy of its namespace selects it (`spec.podSelector`, `{}` selects every pod) with
 * `Ingress` among its `policyTypes` (absent: Ingress, plus Egress when it has egress rules); an isolated pod admits a
 * connection only when an ingress rule of one of those policies allows it: `from` absent or empty allows every source,
 * a peer with `namespaceSelector` pods of the namespaces it selects, a peer with only `podSelector` pods of the
 * policy's own namespace, an `ipBlock` the addresses in it; `ports` absent or empty allows every port, a port entry its
 * protocol (default TCP) and number (up to `endPort`) or named container port. Policies add up; order does not matter.
 */
import { PodPort, scrapeTargets } from './monitor-targets';
import { listed } from '../../private/lists';
import { nameOf, nsOf } from '../../private/meta';
import { matchesLabelSelector } from '../../scheduling/labels';
import { Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

const arr = (x: unknown): any[] => (Array.isArray(x) ? x : []);
const isMap = (x: unknown): x is Record<string, any> => !!x && typeof x === 'object' && !Array.isArray(x);

/** Whether a NetworkPolicy restricts ingress (`policyTypes` includes Ingress, or is absent). */
const restrictsIngress = (np: any): boolean => !Array.isArray(np?.spec?.policyTypes) || np.spec.policyTypes.includes('Ingress');

/** Whether an ingress rule's `from` lets in a pod of another namespace (an ipBlock may hold its address: yes). */
function fromOutside(rule: any): boolean {
  const from = rule?.from;
  if (!Array.isArray(from) || from.length === 0) return true;
  return from.some((peer: any) => isMap(peer) && (peer.namespaceSelector !== undefined || peer.ipBlock !== undefined));
}

/** Whether an ingress rule's `ports` admit `port`. */
function portAdmitted(rule: any, port: PodPort): boolean {
  const ports = rule?.ports;
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p: any) => {
    if (!isMap(p) || (p.protocol ?? 'TCP') !== port.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') {
      const end = typeof p.endPort === 'number' ? p.endPort : p.port;
      return port.number !== undefined && port.number >= p.port && port.number <= end;
    }
    return typeof p.port === 'string' && p.port === port.name;
  });
}

/** The namespace's ingress policies selecting the pods, and whether any lets another namespace in on `port`. */
function admission(ctx: RuleContext, w: WorkloadRef, port: PodPort): { policies: any[]; admitted: boolean } {
  const ns = nsOf(w.object);
  const policies = ctx.byKind('NetworkPolicy', 'networking.k8s.io')
    .filter((np) => nsOf(np) === ns && restrictsIngress(np) && matchesLabelSelector(np?.spec?.podSelector, w.template.podLabels));
  const admitted = policies.some((np) => arr(np?.spec?.ingress).some((r: any) => fromOutside(r) && portAdmitted(r, port)));
  return { policies, admitted };
}

const describePort = (p: PodPort) => (p.number !== undefined && p.name !== undefined ? `${p.number} ("${p.name}")`
  : p.number !== undefined ? String(p.number) : `"${p.name}"`) + (p.protocol !== 'TCP' ? `/${p.protocol}` : '');

/** GPU320 — Prometheus must be let in to what it is told to scrape. */
export const SCRAPE_ADMITTED: Rule = {
  id: 'GPU320',
  title: 'A scraped pod\'s NetworkPolicies must let Prometheus in on the metrics port',
  severity: Severity.WARNING,
  kinds: ['ServiceMonitor', 'PodMonitor', 'Service', 'NetworkPolicy', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Job', 'CronJob'],
  remediation: 'Admit the port from Prometheus\'s namespace in a NetworkPolicy of the pods\' namespace (an ingress rule with '
    + '`namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: <prometheus namespace>}}` and the port; GpuTeam: '
    + '`networkPolicy.metricsPorts`).',
  description: 'When a NetworkPolicy of the pods\' namespace selects them for ingress, only what some ingress rule allows '
    + 'gets in (Kubernetes docs, "Network Policies"). A ServiceMonitor or PodMonitor then yields a target that is down '
    + '(`up == 0`, "context deadline exceeded") unless a rule lets Prometheus\'s namespace in on the scraped port: its '
    + 'metrics, and the dashboards, alerts and KEDA scalers reading them, are missing. The scraped port is resolved as '
    + 'prometheus-operator does (the Service port named by `endpoints[].port` and its `targetPort`, or the pod port named '
    + 'or numbered by `podMetricsEndpoints[]`), then matched by number, name and protocol against each rule\'s `ports`. '
    + 'Judged for pods of the manifests only. A warning: Prometheus\'s own namespace is not in the manifests, so a rule '
    + 'with a `namespaceSelector` or an `ipBlock` counts as letting it in, and only pods that admit the port from their own '
    + 'namespace alone (or not at all) are reported; if Prometheus runs in that very namespace, suppress this finding.',
  *check(ctx) {
    if (ctx.byKind('NetworkPolicy', 'networking.k8s.io').length === 0) return;
    const seen = new Set<string>();
    for (const t of scrapeTargets(ctx)) {
      if (t.workload.template.podSpec?.hostNetwork === true) continue; // NetworkPolicy does not apply to host-network pods
      const { policies, admitted } = admission(ctx, t.workload, t.port);
      if (policies.length === 0 || admitted) continue;
      const key = `${t.fieldPath} ${t.workload.kind}/${nsOf(t.workload.object)}/${nameOf(t.workload.object)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ns = nsOf(t.workload.object);
      yield ctx.finding(t.monitor, t.fieldPath,
        `scrapes port ${describePort(t.port)} of ${t.workload.kind} ${ns ? `${ns}/` : ''}${nameOf(t.workload.object)}, but the `
        + `NetworkPolicies selecting its pods (${listed(policies.map(nameOf))}) let no other namespace in on that port: `
        + 'unless Prometheus runs in that namespace, the target is down and its metrics are missing');
    }
  },
};

/** The network rules, sorted by id. */
export const NETWORK_RULES: Rule[] = [SCRAPE_ADMITTED];
