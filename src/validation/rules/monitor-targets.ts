/**
 * What a prometheus-operator ServiceMonitor or PodMonitor looks at (internal), shared by the monitoring, metrics and
 * network rules. ServiceMonitor/PodMonitor CRD v0.93.0: `spec.namespaceSelector` (`any`, or `matchNames`) says where,
 * by default the monitor's own namespace; `spec.selector` selects Services (or pods) by label.
 */
import { matchesLabelSelector } from '../../scheduling/labels';
import { RuleContext } from '../rule';

const nsOf = (obj: any): string => (typeof obj?.metadata?.namespace === 'string' ? obj.metadata.namespace : '');

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
