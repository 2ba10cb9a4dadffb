/**
 * Issue 16, construct side: vLLM metrics scraped by InferenceDeployment, KedaGpuScaler refusing what cannot work
 * (unparsable PromQL, vLLM triggers on unscraped targets), the collectors CSV following the scalers' reads, and the
 * GPU Operator settings pointing its exporter at that CSV.
 */
import { Chart, Testing } from 'cdk8s';
import { GpuInstanceType } from '../../src/catalog';
import { GpuConfigError } from '../../src/errors';
import { DcgmExporterMode, DcgmMonitoring } from '../../src/monitoring';
import { GpuNodePool } from '../../src/pools';
import { GpuScaleTarget, GpuScalingTrigger, KedaGpuScaler } from '../../src/scaling';
import { GpuOperator, GpuOperatorSettings } from '../../src/sharing';
import { GpuRequest, InferenceDeployment, InferenceDeploymentProps } from '../../src/workloads';
import { expectValid } from '../conformance/schema';

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
const serving = (c: Chart, props: Partial<InferenceDeploymentProps> = {}) => {
  const pool = new GpuNodePool(c, 'g5', { name: 'g5', instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 8, nodeClassProps: BOUND });
  return new InferenceDeployment(c, 'm', {
    name: 'model', namespace: 'inference', pools: [pool], gpus: GpuRequest.whole(1), vllm: { model: 'a/b' }, ...props,
  } as InferenceDeploymentProps);
};

describe('InferenceDeployment scrapes vLLM\'s /metrics (issue 16 case 3)', () => {
  test('by default with vllm: a ServiceMonitor on the Service\'s http port, labelled for kube-prometheus-stack', () => {
    const c = Testing.chart();
    const d = serving(c);
    const objs = Testing.synth(c);
    const sm = objs.find((o) => o.kind === 'ServiceMonitor');
    expect(d.serviceMonitor).toBeDefined();
    expect(sm.metadata).toMatchObject({ name: 'model', namespace: 'inference', labels: { release: 'kube-prometheus-stack' } });
    expect(sm.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'model' } },
      namespaceSelector: { matchNames: ['inference'] },
      endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }],
    });
    const svc = objs.find((o) => o.kind === 'Service');
    expect(svc.metadata.labels['app.kubernetes.io/name']).toBe('model');
    expect(svc.spec.ports[0].name).toBe('http');
    expectValid(objs);
  });
  test('opt-out, no vllm, and bad input', () => {
    const c = Testing.chart();
    expect(serving(c, { metrics: false }).serviceMonitor).toBeUndefined();
    expect(Testing.synth(c).some((o) => o.kind === 'ServiceMonitor')).toBe(false);
    const c2 = Testing.chart();
    expect(serving(c2, { vllm: undefined, image: 'ghcr.io/x/tgi:1.0' }).serviceMonitor).toBeUndefined();
    expect(() => serving(Testing.chart(), { service: false, metrics: true })).toThrow(/metrics is true, but service is false/);
    expect(() => serving(Testing.chart(), { metricsPath: 'metrics' })).toThrow(GpuConfigError);
    expect(() => serving(Testing.chart(), { prometheusRelease: 'a b' })).toThrow(/prometheusRelease/);
    expect(serving(Testing.chart(), { service: false }).serviceMonitor).toBeUndefined();
  });
});

describe('KedaGpuScaler refuses triggers that cannot get data', () => {
  test('vLLM triggers on an InferenceDeployment nothing scrapes', () => {
    const c = Testing.chart();
    const d = serving(c, { metrics: false });
    let n = 0;
    const make = () => new KedaGpuScaler(c, `s${n++}`, { target: GpuScaleTarget.fromInferenceDeployment(d), maxReplicas: 4, triggers: [GpuScalingTrigger.vllmQueueDepth()] });
    expect(make).toThrow(GpuConfigError);
    expect(make).toThrow(/reads vllm:num_requests_waiting, but nothing scrapes Deployment model's metrics/);
    const ok = Testing.chart();
    expect(() => new KedaGpuScaler(ok, 's', { target: GpuScaleTarget.fromInferenceDeployment(serving(ok)), maxReplicas: 4, triggers: [GpuScalingTrigger.vllmQueueDepth()] })).not.toThrow();
  });
  test('a user query that does not parse fails at construction with its position (issue 16 case 5)', () => {
    const bad = () => GpuScalingTrigger.promQL({ name: 'rps', query: 'sum(rate(gateway_requests_total[1m])', threshold: 10 });
    expect(bad).toThrow(GpuConfigError);
    expect(bad).toThrow(/query does not parse as PromQL: syntax error at line 1, column 37 \(unexpected end of query\)/);
    expect(() => GpuScalingTrigger.promQL({ name: 'rps', query: 'sum(rate(gateway_requests_total[1m]))', threshold: 10 })).not.toThrow();
  });
});

describe('the collectors CSV follows what the scalers read', () => {
  test('a DCP field read by a trigger is collected, and the exporter gets SYS_ADMIN for it', () => {
    const c = Testing.chart();
    const m = new DcgmMonitoring(c, 'dcgm');
    const d = serving(c);
    new KedaGpuScaler(c, 's', {
      target: GpuScaleTarget.fromInferenceDeployment(d),
      maxReplicas: 4,
      triggers: [GpuScalingTrigger.promQL({ name: 'sm', query: 'sum(DCGM_FI_PROF_SM_ACTIVE{namespace="inference"})', threshold: 1 })],
    });
    const objs = Testing.synth(c);
    const csv = objs.find((o) => o.metadata.name === 'dcgm-exporter-collectors').data['dcgm-metrics.csv'];
    expect(csv).toMatch(/^DCGM_FI_PROF_SM_ACTIVE, gauge/m);
    expect(objs.find((o) => o.kind === 'DaemonSet').spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['SYS_ADMIN'] });
    expect(m.collectedFields()).toContain('DCGM_FI_PROF_SM_ACTIVE');
  });
  test('a field with no known CSV line fails synth, naming the scaler and the fix', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm');
    new KedaGpuScaler(c, 's', {
      target: GpuScaleTarget.fromInferenceDeployment(serving(c)),
      maxReplicas: 4,
      triggers: [GpuScalingTrigger.promQL({ name: 'x', query: 'sum(DCGM_FI_DEV_NOT_A_FIELD)', threshold: 1 })],
    });
    expect(() => Testing.synth(c)).toThrow(/collectors lack DCGM_FI_DEV_NOT_A_FIELD, read by .*\/s.*withFields/);
  });
});

describe('GpuOperatorSettings.dcgmExporterConfig: the operator\'s exporter reads DcgmMonitoring\'s CSV', () => {
  test('Helm values and ClusterPolicy name the ConfigMap; the XID count window is explicit', () => {
    const s = GpuOperatorSettings.of({ dcgmExporterConfig: 'dcgm-exporter-collectors' });
    expect(s.toHelmValues().dcgmExporter).toMatchObject({
      enabled: true,
      config: { create: false, name: 'dcgm-exporter-collectors' },
      env: [{ name: 'DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE', value: '300000' }],
    });
    const c = Testing.chart();
    new GpuOperator(c, 'op', { dcgmExporterConfig: 'dcgm-exporter-collectors' });
    const m = new DcgmMonitoring(c, 'dcgm', { mode: DcgmExporterMode.GPU_OPERATOR });
    const objs = Testing.synth(c);
    expect(objs.find((o) => o.kind === 'ClusterPolicy').spec.dcgmExporter.config).toEqual({ name: m.collectorsConfigMap.name });
    expectValid(objs);
  });
  test('bad values are refused', () => {
    expect(() => GpuOperatorSettings.of({ dcgmExporterConfig: 'Bad_Name' })).toThrow(/dcgmExporterConfig/);
    expect(() => GpuOperatorSettings.of({ dcgmExporter: false, dcgmExporterConfig: 'x' })).toThrow(/no exporter reads it/);
  });
});
