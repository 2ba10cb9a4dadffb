/**
 * Monitoring rules (GPU311-GPU313): prometheus-operator ServiceMonitors against the Services they select, and the
 * scrape settings the DCGM exporter's pod attribution needs.
 *
 * prometheus-operator facts (ServiceMonitor CRD v0.93.0): `spec.selector` selects Services by label;
 * `spec.namespaceSelector` (`matchNames` or `any`) says where, default the ServiceMonitor's own namespace;
 * `endpoints[].port` names a Service port (`targetPort` names or numbers a pod port instead). With
 * `honorLabels: false` (the default) labels the target already has — DCGM's `pod`, `namespace`, `container` —
 * are renamed `exported_*` and replaced by the exporter pod's own.
 */
import { textOf } from '../../private/describe';
import { Severity } from '../model';
import { Rule, RuleContext } from '../rule';
import { METRICS_TRUTH_RULES } from './metrics-truth';
import { selectedServices } from './monitor-targets';
import { nsOf } from '../../private/meta';
import { byCodeUnits } from '../../private/order';

function describeSelector(sm: any): string {
  const ml = sm?.spec?.selector?.matchLabels ?? {};
  const parts = Object.entries(ml).map(([k, v]) => `${k}=${textOf(v)}`);
  const nsSel = sm?.spec?.namespaceSelector;
  const where = nsSel?.any === true ? 'any namespace' : Array.isArray(nsSel?.matchNames) && nsSel.matchNames.length
    ? `namespace(s) ${nsSel.matchNames.map(textOf).join(', ')}` : `namespace ${nsOf(sm) || '<none>'}`;
  return `${parts.length ? parts.join(', ') : '(expressions)'} in ${where}`;
}

/** GPU311 — endpoints must name a port of the selected Services. */
export const SERVICE_MONITOR_PORT_EXISTS: Rule = {
  id: 'GPU311',
  title: 'A ServiceMonitor endpoint\'s port must be a named port of the Services it selects',
  severity: Severity.ERROR,
  kinds: ['ServiceMonitor', 'Service'],
  remediation: 'Use the Service port\'s name in endpoints[].port (e.g. "metrics"; the GPU Operator names it "gpu-metrics"), or name the port in the Service.',
  description: 'prometheus-operator matches `endpoints[].port` against the *names* of the selected Services\' ports. '
    + 'An unnamed port, a number, or the container port\'s name when the Service calls it otherwise yields no target: '
    + 'Prometheus never scrapes, GPU dashboards stay empty and scalers reading those metrics fall back. Judged when the '
    + 'selected Services are in the manifests (see GPU312 when none is).',
  *check(ctx) {
    for (const sm of ctx.byKind('ServiceMonitor', 'monitoring.coreos.com')) {
      const services = selectedServices(ctx, sm);
      if (services.length === 0) continue;
      const endpoints = Array.isArray(sm?.spec?.endpoints) ? sm.spec.endpoints : [];
      for (let i = 0; i < endpoints.length; i++) {
        const port = endpoints[i]?.port;
        if (typeof port !== 'string' || port === '') continue; // targetPort endpoints are not judged
        const portsOf = (svc: any): any[] => (Array.isArray(svc?.spec?.ports) ? svc.spec.ports : []);
        const named = services.filter((svc) => portsOf(svc).some((p: any) => p?.name === port));
        if (named.length > 0) continue;
        const have = [...new Set(services.flatMap((svc) => portsOf(svc).map((p: any) => (p?.name !== undefined ? textOf(p.name) : `<unnamed ${textOf(p?.port)}>`))))];
        yield ctx.finding(sm, `spec.endpoints[${i}].port`,
          `is ${JSON.stringify(port)}, but the selected Service(s) ${services.map((s) => textOf(s.metadata?.name)).join(', ')} have port(s) ${have.join(', ') || 'none'}; nothing is scraped`);
      }
    }
  },
};

/** GPU312 — the selector must match a Service. */
export const SERVICE_MONITOR_SELECTS_SERVICE: Rule = {
  id: 'GPU312',
  title: 'A ServiceMonitor must select a Service in the manifests',
  severity: Severity.WARNING,
  kinds: ['ServiceMonitor', 'Service'],
  remediation: 'Match the Service\'s labels in spec.selector and its namespace in spec.namespaceSelector; if the Service is created elsewhere (e.g. by the GPU Operator), suppress this rule on the ServiceMonitor with the reason.',
  description: 'A ServiceMonitor whose selector (labels and namespaces) matches no Service yields no scrape target, '
    + 'silently. A warning, not an error: the Service may come from outside the manifests (a Helm chart, an operator).',
  *check(ctx) {
    for (const sm of ctx.byKind('ServiceMonitor', 'monitoring.coreos.com')) {
      if (selectedServices(ctx, sm).length > 0) continue;
      yield ctx.finding(sm, 'spec.selector', `selects ${describeSelector(sm)}, which matches no Service in these manifests`);
    }
  },
};

/** Whether a ServiceMonitor scrapes a DCGM exporter: it selects a Service whose pods run a dcgm-exporter image, or names it. */
function scrapesDcgm(ctx: RuleContext, sm: any): boolean {
  for (const svc of selectedServices(ctx, sm)) {
    const sel = svc?.spec?.selector;
    if (!sel || typeof sel !== 'object' || Object.keys(sel).length === 0) continue;
    const pods = ctx.workloadsMatching(nsOf(svc), Object.fromEntries(Object.entries(sel).map(([k, v]) => [k, String(v)])));
    if (pods.some((w) => (w.template.podSpec?.containers ?? []).some((c: any) => typeof c?.image === 'string' && /dcgm-exporter/.test(c.image)))) return true;
  }
  const ml = sm?.spec?.selector?.matchLabels ?? {};
  return Object.values(ml).some((v) => typeof v === 'string' && /dcgm-exporter/.test(v));
}

/** GPU313 — the DCGM exporter must be scraped with honorLabels. */
export const DCGM_HONOR_LABELS: Rule = {
  id: 'GPU313',
  title: 'A ServiceMonitor scraping the DCGM exporter must set honorLabels: true',
  severity: Severity.WARNING,
  kinds: ['ServiceMonitor', 'Service', 'DaemonSet'],
  remediation: 'Set honorLabels: true on the endpoint (GPU Operator: dcgmExporter.serviceMonitor.honorLabels=true).',
  description: 'The DCGM exporter labels each GPU series with the `pod`, `namespace` and `container` the GPU is '
    + 'allocated to. Without `honorLabels: true` Prometheus renames them `exported_pod`, … and sets `pod`/`namespace` to '
    + 'the exporter\'s own, so per-workload queries (alerts by pod, KEDA triggers selecting the target\'s pods) match '
    + 'nothing or the wrong GPUs. Both the GPU Operator and the dcgm-exporter chart default to `honorLabels: false`.',
  *check(ctx) {
    for (const sm of ctx.byKind('ServiceMonitor', 'monitoring.coreos.com')) {
      if (!scrapesDcgm(ctx, sm)) continue;
      const endpoints = Array.isArray(sm?.spec?.endpoints) ? sm.spec.endpoints : [];
      for (let i = 0; i < endpoints.length; i++) {
        if (endpoints[i]?.honorLabels === true) continue;
        yield ctx.finding(sm, `spec.endpoints[${i}].honorLabels`,
          `is ${endpoints[i]?.honorLabels === undefined ? 'unset (false)' : textOf(endpoints[i].honorLabels)} on a DCGM exporter endpoint; its pod/namespace labels become exported_pod/exported_namespace`);
      }
    }
  },
};

/** The monitoring rules (GPU311-GPU313 here; GPU308, GPU314-GPU319, GPU321, GPU323 and GPU324 in metrics-truth.ts), sorted by id. */
export const MONITORING_RULES: Rule[] = [
  SERVICE_MONITOR_PORT_EXISTS,
  SERVICE_MONITOR_SELECTS_SERVICE,
  DCGM_HONOR_LABELS,
  ...METRICS_TRUTH_RULES,
].sort((a, b) => byCodeUnits(a.id, b.id));
