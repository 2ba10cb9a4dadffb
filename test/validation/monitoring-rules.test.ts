import { of, workload } from './helpers';
import { Finding, Severity, validateManifests } from '../../src/validation';
import { MONITORING_RULES } from '../../src/validation/rules/monitoring';

const run = (objects: any[]): Finding[] => validateManifests(objects.map((object) => ({ object })), { rules: MONITORING_RULES });

const svc = (ports: any[], labels: any = { app: 'dcgm-exporter' }, ns = 'gpu-monitoring', selector: any = { app: 'dcgm-exporter' }) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'dcgm-exporter', namespace: ns, labels }, spec: { selector, ports },
});
const sm = (endpoints: any[], spec: any = {}, ns = 'gpu-monitoring') => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'dcgm', namespace: ns },
  spec: { selector: { matchLabels: { app: 'dcgm-exporter' } }, endpoints, ...spec },
});
const exporter = () => {
  const ds = workload({ kind: 'DaemonSet', name: 'dcgm-exporter', namespace: 'gpu-monitoring', labels: { app: 'dcgm-exporter' } });
  ds.spec.template.spec.containers[0].image = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless';
  return ds;
};

describe('MONITORING_RULES (GPU311-GPU313)', () => {
  test('ids, severities, documentation', () => {
    expect(MONITORING_RULES.map((r) => [r.id, r.severity])).toEqual([['GPU311', Severity.ERROR], ['GPU312', Severity.WARNING], ['GPU313', Severity.WARNING]]);
    for (const r of MONITORING_RULES) expect(r.description!.length).toBeGreaterThan(50);
  });

  // Each rule's pass/fail fixtures are run by the registry self-test (test/validation/registry.test.ts).
});

describe('GPU311 endpoint port exists', () => {
  test('a port number-less name mismatch lists the Service ports', () => {
    const [f] = of(run([svc([{ name: 'http', port: 9400 }, { port: 9401 }]), sm([{ port: 'metrics' }])]), 'GPU311');
    expect(f.fieldPath).toBe('spec.endpoints[0].port');
    expect(f.message).toBe('is "metrics", but the selected Service(s) dcgm-exporter have port(s) http, <unnamed 9401>; nothing is scraped');
  });
  test('named ports, targetPort endpoints and unselected Services pass', () => {
    expect(of(run([svc([{ name: 'metrics', port: 9400 }]), sm([{ port: 'metrics' }])]), 'GPU311')).toEqual([]);
    expect(of(run([svc([{ port: 9400 }]), sm([{ targetPort: 9400 }])]), 'GPU311')).toEqual([]);
    expect(of(run([svc([{ port: 9400 }], { app: 'x' }), sm([{ port: 'metrics' }])]), 'GPU311')).toEqual([]);
  });
});

describe('GPU312 selects a Service', () => {
  test('namespace selection: own namespace by default, matchNames, any', () => {
    const s = svc([{ name: 'metrics', port: 9400 }]);
    expect(of(run([s, sm([{ port: 'metrics' }], {}, 'monitoring')]), 'GPU312')[0].message)
      .toBe('selects app=dcgm-exporter in namespace monitoring, which matches no Service in these manifests');
    expect(of(run([s, sm([{ port: 'metrics' }], { namespaceSelector: { matchNames: ['gpu-monitoring'] } }, 'monitoring')]), 'GPU312')).toEqual([]);
    expect(of(run([s, sm([{ port: 'metrics' }], { namespaceSelector: { any: true } }, 'monitoring')]), 'GPU312')).toEqual([]);
  });
  test('matchExpressions are honoured', () => {
    const s = svc([{ name: 'metrics', port: 9400 }]);
    const expr = { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['dcgm-exporter'] }] } };
    expect(of(run([s, sm([{ port: 'metrics' }], expr)]), 'GPU312')).toEqual([]);
    const notIn = { selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['dcgm-exporter'] }] } };
    expect(of(run([s, sm([{ port: 'metrics' }], notIn)]), 'GPU312')).toHaveLength(1);
  });
});

describe('GPU313 honorLabels on DCGM', () => {
  test('a ServiceMonitor reaching dcgm-exporter pods through its Service must honour labels', () => {
    const objs = [exporter(), svc([{ name: 'metrics', port: 9400 }], { team: 'x' }), sm([{ port: 'metrics' }], { selector: { matchLabels: { team: 'x' } } })];
    const [f] = of(run(objs), 'GPU313');
    expect(f.fieldPath).toBe('spec.endpoints[0].honorLabels');
    expect(f.message).toMatch(/unset \(false\) on a DCGM exporter endpoint/);
    objs[2].spec.endpoints[0].honorLabels = true;
    expect(of(run(objs), 'GPU313')).toEqual([]);
  });
  test('the GPU Operator exporter is recognised by its label; other ServiceMonitors are not judged', () => {
    expect(of(run([sm([{ port: 'gpu-metrics', honorLabels: false }], { selector: { matchLabels: { app: 'nvidia-dcgm-exporter' } } })]), 'GPU313')).toHaveLength(1);
    expect(of(run([sm([{ port: 'http' }], { selector: { matchLabels: { app: 'vllm' } } })]), 'GPU313')).toEqual([]);
  });
});
