import { Chart, Duration, Testing } from 'cdk8s';
import { GpuInstanceType } from '../../src/catalog';
import { GpuConfigError } from '../../src/errors';
import { DcgmCollectors, DcgmExporterMode, DcgmMetricType, DcgmMonitoring } from '../../src/monitoring';
import { GpuNodePool, SpotGpuPool } from '../../src/pools';
import { validateManifests } from '../../src/validation';
import { configError } from '../config-error';
import { expectValid } from '../conformance/schema';
import { describeWithShared, readShared } from '../shared-data';

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
// Every built-in rule, as GpuValidation runs them at synth.
const lint = (objs: any[]) => validateManifests(objs.map((object) => ({ object }))).map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name} ${f.fieldPath}: ${f.message}`);
const one = (objs: any[], kind: string) => {
  const found = objs.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0];
};
const ruleExpr = (objs: any[], alert: string) => one(objs, 'PrometheusRule').spec.groups[0].rules.find((r: any) => r.alert === alert);

describe('DcgmMonitoring', () => {
  test('seed 001: the dcgm-exporter DaemonSet, ServiceMonitor and gpu-alerts from one line, corrected', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm');
    const objs = Testing.synth(c);
    const ds = one(objs, 'DaemonSet');
    const pod = ds.spec.template.spec;
    const ctr = pod.containers[0];
    // as the seed: GPU nodes only, nvidia.com/gpu toleration, port 9400, Kubernetes attribution, pod-resources read-only;
    // unlike the seed, spot GPU nodes too (SpotGpuPool's karpenter.sh/capacity-type taint): else they have no metrics (GPU321)
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'karpenter.sh/capacity-type', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(ctr.ports).toEqual([{ name: 'metrics', containerPort: 9400, protocol: 'TCP' }]);
    expect(ctr.env).toEqual(expect.arrayContaining([{ name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' }, { name: 'DCGM_EXPORTER_LISTEN', value: ':9400' }]));
    expect(ctr.volumeMounts).toContainEqual({ name: 'pod-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true });
    // corrected: pinned current image, no SYS_ADMIN for the basic set, read-only root, collectors from the ConfigMap
    expect(ctr.image).toBe('nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless');
    expect(ctr.securityContext).toEqual({
      runAsUser: 0, runAsNonRoot: false, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(ctr.env).toContainEqual({ name: 'DCGM_EXPORTER_COLLECTORS', value: DcgmMonitoring.COLLECTORS_PATH });
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'dcgm-exporter-collectors');
    expect(cm.data['dcgm-metrics.csv']).toContain('DCGM_FI_DEV_GPU_UTIL, gauge, GPU utilization (in %).');
    expect(cm.data['dcgm-metrics.csv']).not.toContain('DCGM_FI_PROF_');
    // ServiceMonitor: honorLabels, release label, the Service's named port
    const sm = one(objs, 'ServiceMonitor');
    expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s', honorLabels: true }]);
    expect(one(objs, 'Service').spec.ports[0].name).toBe('metrics');
    // gpu-alerts: memory pressure is used / (used + free), not the seed's used / free
    expect(ruleExpr(objs, 'GpuMemoryPressure').expr).toBe('DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.9');
    expect(ruleExpr(objs, 'GpuMemoryPressure').expr).not.toMatch(/FB_USED \/ DCGM_FI_DEV_FB_FREE/);
    expect(one(objs, 'PrometheusRule').spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'GpuHighUtilization', 'GpuMemoryPressure', 'GpuXidNodeFatal', 'GpuXidApplication', 'GpuHighTemperature', 'GpuThermalThrottling', 'GpuAllocatedButIdle',
    ]);
    expect(ruleExpr(objs, 'GpuAllocatedButIdle')).toMatchObject({ expr: 'DCGM_FI_DEV_GPU_UTIL{pod!="", GPU_I_ID=""} < 5', for: '1h' });
    expectValid(objs);
    expect(lint(objs)).toEqual([]);
  });

  test('issue 16 case 4: XIDs counted over the exporter\'s window, node-fatal (critical) apart from application faults (warning)', () => {
    const c = Testing.chart();
    const m = new DcgmMonitoring(c, 'dcgm');
    const objs = Testing.synth(c);
    const rules = one(objs, 'PrometheusRule').spec.groups[0].rules;
    // Nothing alerts on the last-XID gauge, which never resets.
    expect(rules.filter((r: any) => /DCGM_FI_DEV_XID_ERRORS/.test(r.expr))).toEqual([]);
    const fatal = ruleExpr(objs, 'GpuXidNodeFatal');
    expect(fatal.expr).toBe('max by (Hostname, gpu, modelName, err_code) (DCGM_EXP_XID_ERRORS_COUNT{err_code=~"48|63|64|74|79|92|94|95"}) > 0');
    expect(fatal.labels).toEqual({ severity: 'critical' });
    expect(fatal.annotations.runbook).toMatch(/^Cordon the node/);
    const app = ruleExpr(objs, 'GpuXidApplication');
    expect(app.expr).toMatch(/DCGM_EXP_XID_ERRORS_COUNT\{err_code=~"13\|31\|43"\}\) > 0$/);
    expect(app.labels).toEqual({ severity: 'warning' });
    expect(app.annotations.runbook).toMatch(/pod's logs/);
    // The count is collected, with its window set on the exporter.
    expect(m.collectedFields()).toContain('DCGM_EXP_XID_ERRORS_COUNT');
    expect(one(objs, 'DaemonSet').spec.template.spec.containers[0].env).toContainEqual({ name: 'DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE', value: '300000' });
    expect(lint(objs)).toEqual([]);
  });

  test('pools: tolerations and node affinity derived from the pools (spot taint included)', () => {
    const c = Testing.chart();
    const a = new GpuNodePool(c, 'p5', { name: 'p5', families: ['p5'], gpuLimit: 16, nodeClassProps: BOUND });
    const s = new SpotGpuPool(c, 'g6', { name: 'g6-spot', families: ['g6'], gpuLimit: 16, nodeClassProps: BOUND });
    new DcgmMonitoring(c, 'dcgm', { pools: [a, s] });
    const objs = Testing.synth(c);
    const pod = one(objs, 'DaemonSet').spec.template.spec;
    expect(pod.nodeSelector).toBeUndefined();
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['p5', 'g6-spot'] }]);
    const fromA = a.tolerations().map((t) => JSON.stringify(t));
    expect(pod.tolerations).toEqual([...a.tolerations(), ...s.tolerations().filter((t) => !fromA.includes(JSON.stringify(t)))]);
    expect(pod.tolerations.some((t: any) => t.key === 'karpenter.sh/capacity-type')).toBe(true);
    expectValid(objs);
    expect(lint(objs)).toEqual([]);
  });

  test('DCP collectors add SYS_ADMIN and nothing else; extra fields land in the CSV', () => {
    const c = Testing.chart();
    const collectors = DcgmCollectors.dcp().withFields([{ field: 'DCGM_FI_PROF_SM_ACTIVE', type: DcgmMetricType.GAUGE, help: 'SM active ratio.' }]);
    new DcgmMonitoring(c, 'dcgm', { collectors, scrapeInterval: Duration.seconds(30) });
    const objs = Testing.synth(c);
    const ctr = one(objs, 'DaemonSet').spec.template.spec.containers[0];
    expect(ctr.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['SYS_ADMIN'] });
    expect(ctr.env).toContainEqual({ name: 'DCGM_EXPORTER_INTERVAL', value: '30000' });
    const csv = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'dcgm-exporter-collectors').data['dcgm-metrics.csv'];
    expect(csv).toMatch(/DCGM_FI_PROF_PIPE_TENSOR_ACTIVE, gauge/);
    expect(csv.trim().split('\n').pop()).toBe('DCGM_FI_PROF_SM_ACTIVE, gauge, SM active ratio.');
    expect(one(objs, 'ServiceMonitor').spec.endpoints[0]).toMatchObject({ interval: '30s', scrapeTimeout: '10s' });
  });

  test('GPU_OPERATOR mode: the collectors ConfigMap for the operator\'s exporter, no second scrape config, lint-clean', () => {
    const c = Testing.chart();
    const m = new DcgmMonitoring(c, 'dcgm', { mode: DcgmExporterMode.GPU_OPERATOR, prometheusRelease: 'prom' });
    const objs = Testing.synth(c);
    // The operator's exporter and its ServiceMonitor are the one exporter and the one scrape configuration.
    expect(objs.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'PrometheusRule']);
    expect(m.serviceMonitor).toBeUndefined();
    expect(m.daemonSet).toBeUndefined();
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'dcgm-exporter-collectors');
    expect(cm.metadata.namespace).toBe('gpu-operator');
    // issue 16 case 2: the thermal alert's counter (commented out in the operator's dcp-metrics-included.csv) is collected
    expect(cm.data[DcgmMonitoring.COLLECTORS_KEY]).toMatch(/^DCGM_FI_DEV_THERMAL_VIOLATION, counter/m);
    expect(cm.data[DcgmMonitoring.COLLECTORS_KEY]).toMatch(/^DCGM_EXP_XID_ERRORS_COUNT, counter/m);
    expect(one(objs, 'PrometheusRule').metadata.labels.release).toBe('prom');
    expectValid(objs);
    expect(lint(objs)).toEqual([]);
  });

  test('GPU_OPERATOR mode with serviceMonitor: true points a ServiceMonitor at the operator\'s Service', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm', { exporter: false, serviceMonitor: true });
    const sm = one(Testing.synth(c), 'ServiceMonitor');
    expect(sm.metadata.namespace).toBe('gpu-operator');
    expect(sm.spec).toMatchObject({ selector: { matchLabels: { app: 'nvidia-dcgm-exporter' } }, namespaceSelector: { matchNames: ['gpu-operator'] } });
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'gpu-metrics', honorLabels: true });
  });

  test('the documented threshold defaults, asserted one by one (a snapshot update would accept a change)', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm', { collectors: DcgmCollectors.dcp() }); // dcp() has the thermal violation counter
    const objs = Testing.synth(c);
    expect(ruleExpr(objs, 'GpuHighUtilization')).toMatchObject({ expr: 'avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{pod!=""}) > 90', for: '15m' });
    expect(ruleExpr(objs, 'GpuMemoryPressure')).toMatchObject({ expr: 'DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.9', for: '5m' });
    expect(ruleExpr(objs, 'GpuHighTemperature')).toMatchObject({ expr: 'DCGM_FI_DEV_GPU_TEMP > 85', for: '5m' });
    expect(ruleExpr(objs, 'GpuThermalThrottling')).toMatchObject({ expr: 'rate(DCGM_FI_DEV_THERMAL_VIOLATION[5m]) / 1e9 > 0.1', for: '10m' });
    expect(ruleExpr(objs, 'GpuAllocatedButIdle')).toMatchObject({ expr: 'DCGM_FI_DEV_GPU_UTIL{pod!="", GPU_I_ID=""} < 5', for: '1h' });
  });

  test('thresholds are props; alertRules/dashboard can be switched off', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm', { alerts: { memoryPressureRatio: 0.95, idlePercent: 10, idleFor: Duration.minutes(90), temperatureCelsius: 80 }, collectors: DcgmCollectors.basic() });
    const objs = Testing.synth(c);
    expect(ruleExpr(objs, 'GpuMemoryPressure').expr).toMatch(/> 0\.95$/);
    expect(ruleExpr(objs, 'GpuAllocatedButIdle')).toMatchObject({ expr: 'DCGM_FI_DEV_GPU_UTIL{pod!="", GPU_I_ID=""} < 10', for: '90m' });
    expect(ruleExpr(objs, 'GpuHighTemperature').expr).toBe('DCGM_FI_DEV_GPU_TEMP > 80');
    const c2 = Testing.chart();
    new DcgmMonitoring(c2, 'dcgm', { alertRules: false, dashboard: false });
    expect(Testing.synth(c2).map((o) => o.kind)).not.toContain('PrometheusRule');
  });

  test('dashboard: sidecar label, deterministic JSON, the panels people look at', () => {
    const make = () => { const c = Testing.chart(); new DcgmMonitoring(c, 'dcgm'); return Testing.synth(c); };
    const a = make();
    const cm = a.find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    expect(cm.metadata.namespace).toBe('monitoring');
    const json = cm.data['gpu-dcgm.json'];
    expect(JSON.stringify(make())).toBe(JSON.stringify(a));
    const dash = JSON.parse(json);
    expect(dash.panels.map((p: any) => p.title)).toEqual(expect.arrayContaining([
      'GPU utilisation', 'GPU memory used (used / (used + free))', 'Power draw', 'GPU temperature', 'GPU utilisation per pod', 'GPU memory per pod',
    ]));
    expect(new Set(dash.panels.map((p: any) => p.id)).size).toBe(dash.panels.length);
  });

  test('createNamespace: the namespace at the least Pod Security level the exporter needs (privileged: a host path), with the reason', () => {
    const c = Testing.chart();
    const m = new DcgmMonitoring(c, 'dcgm', { createNamespace: true, collectors: DcgmCollectors.dcp() });
    const objs = Testing.synth(c);
    const ns = objs.find((o) => o.kind === 'Namespace');
    expect(ns.metadata.name).toBe('gpu-monitoring');
    expect(ns.metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged', 'pod-security.kubernetes.io/audit': 'restricted',
    });
    // The reason names what the DaemonSet actually does: the hostPath volume, root, and SYS_ADMIN with DCP fields.
    const reason = ns.metadata.annotations['cdk8s-gpu.io/pod-security-reason'];
    const ds = objs.find((o) => o.kind === 'DaemonSet').spec.template.spec;
    expect(ds.volumes.some((v: any) => v.hostPath)).toBe(true);
    expect(reason).toContain(ds.volumes.find((v: any) => v.hostPath).hostPath.path);
    expect(reason).toContain('SYS_ADMIN');
    expect(m.namespaceObject).toBeDefined();
    expectValid(objs);
    expect(validateManifests(objs.map((object) => ({ object })))).toEqual([]);
    // Without the exporter, no pods of ours: restricted; and the GPU Operator owns its namespace.
    expect(new DcgmMonitoring(Testing.chart(), 'op', { exporter: false }).podSecurity).toEqual({ enforce: 'restricted' });
    // GPU Operator mode: the namespace holds only the rules and the dashboard, so it is made at restricted.
    const op = Testing.chart();
    new DcgmMonitoring(op, 'op', { exporter: false, createNamespace: true, namespace: 'gpu-alerts' });
    const opNs = Testing.synth(op).find((o: any) => o.kind === 'Namespace');
    expect(opNs.metadata.name).toBe('gpu-alerts');
    expect(opNs.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(new DcgmMonitoring(Testing.chart(), 'basic').podSecurity.reason).not.toContain('SYS_ADMIN');
  });

  test('snapshot of the default chart', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm');
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  describe('bad input → GpuConfigError', () => {
    const bad = (props: any) => () => new DcgmMonitoring(Testing.chart(), 'dcgm', props);
    test.each([
      [{ image: 'nvcr.io/nvidia/k8s/dcgm-exporter' }, /image is .* not pinned/],
      [{ image: 'nvcr.io/nvidia/k8s/dcgm-exporter:latest' }, /not pinned/],
      [{ namespace: 'GPU_Monitoring' }, /namespace is "GPU_Monitoring"/],
      [{ pools: [] }, /pools is empty/],
      [{ exporter: false, image: 'x:1' }, /image is set, but the GPU Operator runs the exporter/],
      [{ exporter: true, mode: 'gpu-operator' }, /exporter is true, but mode is gpu-operator/],
      [{ mode: 'operator' }, /mode is "operator"/],
      [{ scrapeInterval: Duration.millis(500) }, /scrapeInterval is 0.5 s/],
      [{ alerts: { memoryPressureRatio: 90 } }, /alerts.memoryPressureRatio is 90, not a ratio/],
      [{ alerts: { idlePercent: 0 } }, /alerts.idlePercent is 0/],
      [{ prometheusRelease: 'not a label!' }, /prometheusRelease is/],
    ])('%j', (props, msg) => {
      expect(bad(props)).toThrow(GpuConfigError);
      expect(bad(props)).toThrow(msg);
    });
    test('exporter: false with pools, image and runtimeClassName: one error naming all three; collectors still apply', () => {
      const pool = new GpuNodePool(Testing.chart(), 'p', { instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 8, nodeClassProps: { role: 'r', clusterName: 'c' } });
      const e = configError(bad({ exporter: false, pools: [pool], image: 'x:1', runtimeClassName: 'nvidia', collectors: DcgmCollectors.dcp() }));
      expect(e.errors.map((x) => x.property)).toEqual(['pools', 'image', 'runtimeClassName']);
      expect(e.message).toBe('test/dcgm: 3 problems:\n'
        + ['pools', 'image', 'runtimeClassName'].map((p) => `  - ${p} is set, but the GPU Operator runs the exporter (mode GPU_OPERATOR). `
          + `Fix: drop ${p}, or use mode: DcgmExporterMode.OWN_EXPORTER; configure the operator's exporter through GpuOperatorProps`).join('\n'));
      // collectors alone is accepted: it is the CSV the operator's exporter reads.
      const c = Testing.chart();
      const m = new DcgmMonitoring(c, 'dcgm', { exporter: false, collectors: DcgmCollectors.dcp() });
      expect(m.collectorsConfigMap.metadata.namespace).toBe('gpu-operator');
    });
    test('exporter: false refuses createNamespace on the operator\'s namespace, not on another', () => {
      expect(bad({ exporter: false, createNamespace: true })).toThrow(/createNamespace is true, but in GPU_OPERATOR mode the namespace is the GPU Operator's \(gpu-operator\)/);
      expect(() => new DcgmMonitoring(Testing.chart(), 'dcgm', { exporter: false, namespace: 'gpu-monitoring', createNamespace: true })).not.toThrow();
    });
    test('collector fields are checked', () => {
      expect(() => DcgmCollectors.basic().withFields([{ field: 'gpu_util', type: DcgmMetricType.GAUGE, help: 'x' }])).toThrow(/not a DCGM field name/);
      expect(() => DcgmCollectors.basic().withFields([{ field: 'DCGM_FI_DEV_GPU_UTIL', type: DcgmMetricType.GAUGE, help: 'x' }])).toThrow(/already in the set/);
      expect(() => DcgmCollectors.basic().withFields([{ field: 'DCGM_FI_DEV_X', type: 'histogram' as any, help: 'x' }])).toThrow(GpuConfigError);
    });
  });
});

describeWithShared('DcgmCollectors against the upstream CSVs', ['reference/dcgm-exporter/default-counters.csv', 'reference/dcgm-exporter/dcp-metrics-included.csv'], () => {
  const enabled = (file: string) => readShared(`reference/dcgm-exporter/${file}`).split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#')).map((l) => l.split(',').map((x) => x.trim()));
  test('dcp() holds every enabled upstream field with its type (plus the violation counters); basic() the non-DCP ones', () => {
    for (const file of ['default-counters.csv', 'dcp-metrics-included.csv']) {
      const upstream = enabled(file);
      expect(upstream).toHaveLength(26);
      const dcp = DcgmCollectors.dcp();
      for (const [field, type] of upstream) {
        expect(dcp.fields.find((f) => f.field === field)?.type).toBe(type);
        expect(DcgmCollectors.basic().has(field)).toBe(!field.startsWith('DCGM_FI_PROF_'));
      }
      expect(dcp.fields.map((f) => f.field).filter((f) => !upstream.some(([u]) => u === f)))
        .toEqual(['DCGM_FI_DEV_POWER_VIOLATION', 'DCGM_FI_DEV_THERMAL_VIOLATION', 'DCGM_EXP_XID_ERRORS_COUNT']);
    }
  });
});

// keep Chart imported for type use in helpers
export type _C = Chart;
