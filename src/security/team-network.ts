/**
 * NetworkPolicies isolating a tenant namespace (GpuTeam): default-deny ingress, then allow the namespace itself, the
 * monitoring namespace on the metrics ports and, when given, a gateway namespace on the serving ports.
 *
 * Kubernetes "Network Policies": a pod selected by any policy with `Ingress` in `policyTypes` accepts only what some
 * policy allows; policies are additive. Namespaces are selected by `kubernetes.io/metadata.name`, which the API server
 * sets on every Namespace (1.22+). Egress is left open (DNS, image pulls, model downloads). On EKS the policies are
 * enforced only with the VPC CNI's network policy agent (`GpuEksCluster` turns it on).
 *
 * vLLM serves both its OpenAI API and `/metrics` on one port (8000), so Prometheus reaching the metrics also reaches the
 * API on that port: NetworkPolicies work at ports, not HTTP paths.
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { NameRule, validateDns1123Name } from '../naming';
import { describeValue as describe } from '../private/describe';

/** Network isolation of a team namespace. */
export interface TeamNetworkOptions {
  /** Make the NetworkPolicies. @default true */
  readonly enabled?: boolean;
  /** Namespace of Prometheus, allowed to reach `metricsPorts`. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** Ports Prometheus scrapes in the team's pods. @default [8000] (vLLM's /metrics) */
  readonly metricsPorts?: number[];
  /** Namespace of the ingress gateway allowed to reach `servingPorts`. @default - none: only the namespace itself */
  readonly gatewayNamespace?: string;
  /** Ports the gateway may reach. @default [8000] (vLLM's OpenAI-compatible API) */
  readonly servingPorts?: number[];
}

/** The objects {@link teamNetworkPolicies} made. @internal */
export interface TeamNetworkPolicies {
  readonly defaultDeny: ApiObject;
  readonly allowSameNamespace: ApiObject;
  readonly allowMonitoring: ApiObject;
  readonly allowGateway?: ApiObject;
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The policies of one team namespace; undefined when disabled. `prop` names the option in errors.
 * @internal
 */
export function teamNetworkPolicies(scope: Construct, namespace: string, options: TeamNetworkOptions | undefined,
  prop = 'networkPolicy'): TeamNetworkPolicies | undefined {
  const o = options ?? {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new GpuConfigError(scope, prop, `is ${describe(o)}, not an object`, 'pass { gatewayNamespace: \'ingress\' } or omit it');
  }
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') {
    throw new GpuConfigError(scope, `${prop}.enabled`, `is ${describe(o.enabled)}, not a boolean`, 'pass true or false, or omit it (default true)');
  }
  if (o.enabled === false) {
    for (const k of ['monitoringNamespace', 'metricsPorts', 'gatewayNamespace', 'servingPorts'] as const) {
      if (o[k] !== undefined) throw new GpuConfigError(scope, `${prop}.${k}`, 'is set, but enabled is false', `drop ${k}, or enable the policies`);
    }
    return undefined;
  }
  const monitoring = o.monitoringNamespace ?? 'monitoring';
  validateDns1123Name(scope, `${prop}.monitoringNamespace`, monitoring, NameRule.DNS1123_LABEL);
  if (o.gatewayNamespace !== undefined) validateDns1123Name(scope, `${prop}.gatewayNamespace`, o.gatewayNamespace, NameRule.DNS1123_LABEL);
  if (o.servingPorts !== undefined && o.gatewayNamespace === undefined) {
    throw new GpuConfigError(scope, `${prop}.servingPorts`, 'is set without gatewayNamespace', 'name the gateway namespace allowed to reach these ports');
  }
  const metricsPorts = ports(scope, `${prop}.metricsPorts`, o.metricsPorts ?? [8000]);
  const servingPorts = ports(scope, `${prop}.servingPorts`, o.servingPorts ?? [8000]);
  const meta = (name: string) => ({ name, namespace, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-gpu' } });
  const from = (ns: string) => [{ namespaceSelector: { matchLabels: { [NAME_LABEL]: ns } } }];
  const tcp = (list: number[]) => list.map((p) => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(p) }));

  const defaultDeny = new kplus.k8s.KubeNetworkPolicy(scope, 'DefaultDenyIngress', {
    metadata: meta('default-deny-ingress'),
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
  const allowSameNamespace = new kplus.k8s.KubeNetworkPolicy(scope, 'AllowSameNamespace', {
    metadata: meta('allow-same-namespace'),
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
  });
  const allowMonitoring = new kplus.k8s.KubeNetworkPolicy(scope, 'AllowMonitoring', {
    metadata: meta('allow-monitoring-scrape'),
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: from(monitoring), ports: tcp(metricsPorts) }] },
  });
  const allowGateway = o.gatewayNamespace === undefined ? undefined : new kplus.k8s.KubeNetworkPolicy(scope, 'AllowGateway', {
    metadata: meta('allow-gateway'),
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: from(o.gatewayNamespace), ports: tcp(servingPorts) }] },
  });
  return { defaultDeny, allowSameNamespace, allowMonitoring, allowGateway };
}

function ports(scope: Construct, prop: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new GpuConfigError(scope, prop, `is ${describe(value)}, not a non-empty list of ports`, 'pass port numbers, e.g. [8000]');
  }
  const seen = new Set<number>();
  value.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      throw new GpuConfigError(scope, `${prop}[${i}]`, `is ${describe(p)}, not a port number`, 'use a whole number from 1 to 65535');
    }
    if (seen.has(p)) throw new GpuConfigError(scope, `${prop}[${i}]`, `repeats ${p}`, 'list each port once');
    seen.add(p);
  });
  return value as number[];
}
