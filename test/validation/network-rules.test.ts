/**
 * GPU320: a scraped pod's NetworkPolicies must let Prometheus in on the metrics port. The rule's pass/fail fixtures are
 * run by the registry self-test (test/validation/registry.test.ts).
 */
import { App, Chart } from 'cdk8s';
import { of } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodeClass, GpuNodePool } from '../../src/pools';
import { Finding, Severity, validateManifests } from '../../src/validation';
import { NETWORK_RULES } from '../../src/validation/rules/network';
import { GpuRequest, InferenceDeployment, TieredPriorities } from '../../src/workloads';

const run = (objects: any[]): Finding[] => of(validateManifests(objects.map((object) => ({ object })), { rules: NETWORK_RULES }), 'GPU320');

const ns = 'ml';
const deployment = (ports: any[], podSpec: any = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'llm', namespace: ns },
  spec: { selector: { matchLabels: { app: 'llm' } }, template: { metadata: { labels: { app: 'llm' } }, spec: { containers: [{ name: 'vllm', image: 'vllm/vllm-openai', ports }], ...podSpec } } },
});
const service = (targetPort: unknown) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'llm', namespace: ns, labels: { app: 'llm' } },
  spec: { selector: { app: 'llm' }, ports: [{ name: 'http', port: 80, targetPort }] },
});
const serviceMonitor = (endpoint: any = { port: 'http' }) => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'llm', namespace: ns },
  spec: { selector: { matchLabels: { app: 'llm' } }, endpoints: [endpoint] },
});
const policy = (name: string, spec: any, namespace = ns) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const denyAll = policy('deny', { podSelector: {}, policyTypes: ['Ingress'] });
const fromMonitoring = (ports?: any[]) => policy('monitoring', {
  podSelector: {},
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ...(ports ? { ports } : {}) }],
});
const scrape = (extra: any[], ports: any[] = [{ name: 'http', containerPort: 8000 }], targetPort: unknown = 'http') =>
  run([deployment(ports), service(targetPort), serviceMonitor(), ...extra]);

describe('NETWORK_RULES (GPU320)', () => {
  test('id, severity, documentation', () => {
    expect(NETWORK_RULES.map((r) => [r.id, r.severity])).toEqual([['GPU320', Severity.WARNING]]);
    expect(NETWORK_RULES[0].description).toMatch(/Network Policies/);
  });

  test('no NetworkPolicy, or none selecting the pods, or none restricting ingress: nothing to say', () => {
    expect(scrape([])).toEqual([]);
    expect(scrape([policy('other-pods', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })])).toEqual([]);
    expect(scrape([policy('egress-only', { podSelector: {}, policyTypes: ['Egress'] })])).toEqual([]);
    expect(scrape([policy('other-namespace', { podSelector: {}, policyTypes: ['Ingress'] }, 'elsewhere')])).toEqual([]);
  });

  test('a default deny with nothing from outside the namespace is reported, naming the port, the workload and the policies', () => {
    const found = scrape([denyAll, policy('same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })]);
    expect(found.map((f) => `${f.fieldPath}: ${f.message}`)).toEqual([
      'spec.endpoints[0].port: scrapes port 8000 ("http") of Deployment ml/llm, but the NetworkPolicies selecting its pods (deny, same-ns) let no other '
      + 'namespace in on that port: unless Prometheus runs in that namespace, the target is down and its metrics are missing',
    ]);
  });

  test('ports: by number (and endPort), by container port name, by protocol; no ports admits every port', () => {
    expect(scrape([denyAll, fromMonitoring([{ port: 8000 }])])).toEqual([]);
    expect(scrape([denyAll, fromMonitoring([{ port: 7000, endPort: 9000 }])])).toEqual([]);
    expect(scrape([denyAll, fromMonitoring([{ port: 'http' }])])).toEqual([]);
    expect(scrape([denyAll, fromMonitoring()])).toEqual([]);
    expect(scrape([denyAll, fromMonitoring([{ port: 8000, protocol: 'UDP' }])])).toHaveLength(1);
    expect(scrape([denyAll, fromMonitoring([{ port: 9000 }])])).toHaveLength(1);
    // the Service targets the port by number; the policy names it: the container port's name tells them the same
    expect(scrape([denyAll, fromMonitoring([{ port: 'http' }])], [{ name: 'http', containerPort: 8000 }], 8000)).toEqual([]);
    // a name the pod does not give the port does not admit it
    expect(scrape([denyAll, fromMonitoring([{ port: 'metrics' }])], [{ containerPort: 8000 }], 8000)).toHaveLength(1);
  });

  test('sources: every namespace, a namespace selector or an ipBlock count as letting Prometheus in; pods of the namespace do not', () => {
    expect(scrape([denyAll, policy('any-ns', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })])).toEqual([]);
    expect(scrape([denyAll, policy('cidr', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })])).toEqual([]);
    expect(scrape([denyAll, policy('open', { podSelector: {}, ingress: [{}] })])).toEqual([]);
    expect(scrape([denyAll, policy('pods', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'prometheus' } } }] }] })])).toHaveLength(1);
  });

  test('an endpoint\'s targetPort, a PodMonitor\'s port or portNumber; host-network pods are not judged', () => {
    expect(run([deployment([{ name: 'http', containerPort: 8000 }]), service('http'), serviceMonitor({ targetPort: 8000 }), denyAll])
      .map((f) => f.fieldPath)).toEqual(['spec.endpoints[0].targetPort']);
    const podMonitor = (ep: any) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'pm', namespace: ns },
      spec: { selector: { matchLabels: { app: 'llm' } }, podMetricsEndpoints: [ep] },
    });
    expect(run([deployment([{ name: 'http', containerPort: 8000 }]), podMonitor({ portNumber: 8000 }), denyAll]).map((f) => f.fieldPath))
      .toEqual(['spec.podMetricsEndpoints[0].portNumber']);
    expect(run([deployment([{ name: 'http', containerPort: 8000 }]), podMonitor({ port: 'http' }), denyAll, fromMonitoring([{ port: 8000 }])])).toEqual([]);
    expect(run([deployment([{ name: 'http', containerPort: 8000 }], { hostNetwork: true }), podMonitor({ port: 'http' }), denyAll])).toEqual([]);
  });

  test('a team namespace\'s NetworkPolicies (metrics port 8000) and an InferenceDeployment serving on 8080: the synth warns', () => {
    const build = (port: number) => {
      const chart = new Chart(new App(), 'c');
      const nodeClass = new GpuNodeClass(chart, 'nc', { name: 'gpu', role: 'KarpenterNodeRole-x', clusterName: 'x' });
      const pool = new GpuNodePool(chart, 'pool', { name: 'l4', instanceTypes: [GpuInstanceType.G6_XLARGE], maxNodes: 2, nodeClass });
      new TieredPriorities(chart, 'tiers').addTeam('serving', { namespace: 'serving', gpuQuota: 4 });
      new InferenceDeployment(chart, 'llm', { name: 'llm', namespace: 'serving', pools: [pool], gpus: GpuRequest.whole(1), image: 'vllm/vllm-openai:v0.7.3', port, metrics: true });
      return chart.toJson();
    };
    expect(run(build(8000))).toEqual([]);
    expect(run(build(8080)).map((f) => f.message)).toEqual([expect.stringMatching(/^scrapes port 8080 .* of Deployment serving\/llm, but the NetworkPolicies selecting its pods \(default-deny-ingress, allow-same-namespace, allow-monitoring-scrape\)/)]);
  });
});
