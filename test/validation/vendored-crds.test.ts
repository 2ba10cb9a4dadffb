/**
 * The CRDs vendored for the schema gate beyond the constructs' own kinds (crds/README.md): KEDA ScaledJob,
 * prometheus-operator PodMonitor, Karpenter NodeClaim, Kueue Topology and GPU Operator NVIDIADriver are judged against
 * their schemas (no longer counted as unknown kinds), and what the library synthesises stays valid.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseManifests } from '../../src/cli/yaml-input';
import { PACKAGED_CRDS_DIR, SchemaValidator } from '../../src/schema/validator';
import { _runValidation } from '../../src/validation/engine';

const v = new SchemaValidator();

const scaledJob = (spec: any = {}) => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledJob',
  metadata: { name: 'batch', namespace: 'ml' },
  spec: {
    jobTargetRef: { template: { spec: { containers: [{ name: 'w', image: 'registry.example.com/worker:1' }], restartPolicy: 'Never' } } },
    maxReplicaCount: 8,
    triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(queue_depth)', threshold: '5' } }],
    ...spec,
  },
});
const podMonitor = (spec: any = {}) => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PodMonitor',
  metadata: { name: 'vllm', namespace: 'inference' },
  spec: { selector: { matchLabels: { app: 'vllm' } }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }], ...spec },
});

describe('vendored CRDs', () => {
  test('every file listed in crds/README.md is there, and every CRD there is listed', () => {
    const readme = fs.readFileSync(path.join(PACKAGED_CRDS_DIR, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| ([\w.-]+\.yaml) \|/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(fs.readdirSync(PACKAGED_CRDS_DIR).filter((f) => f.endsWith('.yaml')).sort());
    expect(listed).toEqual(expect.arrayContaining(['keda.sh_scaledjobs.yaml', 'monitoring.coreos.com_podmonitors.yaml',
      'karpenter.sh_nodeclaims.yaml', 'kueue.x-k8s.io_topologies.yaml', 'nvidia.com_nvidiadrivers.yaml']));
  });

  test('ScaledJob: a valid one passes, a wrong type and an unknown field are violations', () => {
    expect(v.check(scaledJob())).toEqual({ known: true, errors: [] });
    expect(v.check(scaledJob({ maxReplicaCount: 'eight' })).errors).toEqual([expect.stringMatching(/^spec\.maxReplicaCount: Invalid value: "eight": must be of type integer/)]);
    expect(v.check(scaledJob({ pollingIntervall: 30 })).errors).toEqual(['spec.pollingIntervall: unknown field "pollingIntervall"']);
    const { jobTargetRef: _, ...noTarget } = scaledJob().spec;
    expect(v.check({ ...scaledJob(), spec: noTarget }).errors).toEqual(['spec.jobTargetRef: Required value']);
  });

  test('PodMonitor: a valid one passes, a wrong type and an unknown field are violations', () => {
    expect(v.check(podMonitor())).toEqual({ known: true, errors: [] });
    expect(v.check(podMonitor({ podMetricsEndpoints: [{ port: 8000 }] })).errors)
      .toEqual([expect.stringMatching(/^spec\.podMetricsEndpoints\[0\]\.port: Invalid value: 8000: must be of type string/)]);
    expect(v.check(podMonitor({ podMetricEndpoints: [] })).errors).toEqual(['spec.podMetricEndpoints: unknown field "podMetricEndpoints"']);
  });

  test('NodeClaim, Topology and NVIDIADriver are known kinds', () => {
    expect(v.knownKinds()).toEqual(expect.arrayContaining(['karpenter.sh/v1/NodeClaim', 'kueue.x-k8s.io/v1beta2/Topology', 'nvidia.com/v1alpha1/NVIDIADriver']));
    expect(v.check({ apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'Topology', metadata: { name: 't' }, spec: { levels: [{ nodeLabel: 'topology.kubernetes.io/zone' }] } }))
      .toEqual({ known: true, errors: [] });
    expect(v.check({ apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'Topology', metadata: { name: 't' }, spec: { levels: 'zone' } }).errors)
      .toEqual([expect.stringMatching(/^spec\.levels: Invalid value: "zone": must be of type array/)]);
  });

  test('lint judges them: GPU009 for the invalid ones, no unknown kinds counted', () => {
    const yaml = [scaledJob(), scaledJob({ maxReplicaCount: -1 }), podMonitor(), podMonitor({ selector: 'app=vllm' })]
      .map((o, i) => JSON.stringify({ ...o, metadata: { ...o.metadata, name: `o${i}` } })).join('\n---\n');
    const r = _runValidation(parseManifests(yaml, 'in.yaml').manifests);
    expect(r.info.unknownKinds).toEqual(new Map());
    expect(r.info).toEqual(expect.objectContaining({ schemaChecked: 4, schemaFailed: 2 }));
    expect(r.findings.filter((f) => f.ruleId === 'GPU009').map((f) => `${f.object.kind}/${f.object.name} ${f.fieldPath}`))
      .toEqual(['ScaledJob/o1 spec.maxReplicaCount', 'PodMonitor/o3 spec.selector']);
  });
});
