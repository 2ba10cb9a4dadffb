/**
 * Issue 16: one truth for who exports, who scrapes and what is collected — over the EKS example (GPU Operator mode),
 * the cdk8s-only llm-serving example (own exporter) and the stack's checks of every other combination.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cdk8s from 'cdk8s';
import { build as buildLlmServing } from '../../examples/llm-serving/app';
import { GpuEksStack } from '../../src/eks';
import { GpuConfigError } from '../../src/errors';
import { DcgmExporterMode, DcgmMonitoring } from '../../src/monitoring';
import { _dcgmFieldsOf, _parsePromQL } from '../../src/monitoring/promql-parse';
import { formatFinding, validateManifests } from '../../src/validation';
import { cleanup, parseYaml, synthFiles, tmpdir } from '../examples/helpers';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

const isDcgmImage = (c: any) => typeof c?.image === 'string' && /dcgm-exporter/.test(c.image);
const dcgmDaemonSets = (objs: any[]) => objs.filter((o) => o.kind === 'DaemonSet' && (o.spec?.template?.spec?.containers ?? []).some(isDcgmImage));
/** ServiceMonitors scraping a DCGM exporter (our own Service or the GPU Operator's `app: nvidia-dcgm-exporter`). */
const dcgmServiceMonitors = (objs: any[]) => objs.filter((o) => o.kind === 'ServiceMonitor'
  && Object.values(o.spec?.selector?.matchLabels ?? {}).some((v) => /dcgm-exporter/.test(String(v))));
const csvFields = (csv: string) => csv.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split(',')[0].trim());

/** Every PromQL read by alerts, dashboard panels and KEDA triggers in the manifests. */
function queriesOf(objs: any[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    if (o.kind === 'PrometheusRule') for (const g of o.spec.groups) for (const r of g.rules) out.push(String(r.expr));
    if (o.kind === 'ScaledObject') for (const t of o.spec.triggers) if (t.type === 'prometheus') out.push(t.metadata.query);
    if (o.kind === 'ConfigMap' && o.metadata?.labels?.grafana_dashboard === '1') {
      for (const json of Object.values(o.data ?? {})) for (const p of JSON.parse(String(json)).panels) for (const t of p.targets) out.push(t.expr);
    }
  }
  return out;
}

/** The Helm values of a chart as an object; CDK tokens inside become `<token>`. */
function helmValues(template: Template, chart: string): any {
  const [r] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter((x: any) => x.Properties.Chart === chart) as any[];
  const v = r.Properties.Values;
  if (typeof v === 'string') return JSON.parse(v);
  return JSON.parse((v['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : '"<token>"')).join(''));
}

/** Every object of every cdk8s chart the stack applies. */
function manifestsOf(template: Template): any[] {
  return Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).flatMap((r: any) => {
    const m = r.Properties.Manifest;
    return typeof m === 'string' ? JSON.parse(m) : [];
  });
}

describe('examples/eks: exactly one DCGM exporter path (the GPU Operator\'s), collecting everything read', () => {
  let template: Template;
  let objs: any[];
  // Template.fromStack writes the example app's outdir (git-ignored); leave it as it was found.
  const outdir = path.join(__dirname, '../../examples/eks/cdk.out');
  const hadOutdir = fs.existsSync(outdir);
  afterAll(() => {
    if (!hadOutdir) fs.rmSync(outdir, { recursive: true, force: true });
  });
  beforeAll(() => {
    // The example synthesises only when run as a program; loading it builds the stack.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { stack } = require('../../examples/eks/app') as { stack: GpuEksStack };
    template = Template.fromStack(stack);
    objs = manifestsOf(template);
  });

  test('one exporter (the operator\'s), one scrape configuration (its ServiceMonitor), the chart adds neither', () => {
    const op = helmValues(template, 'gpu-operator').dcgmExporter;
    expect(op.enabled).toBe(true);
    expect(op.serviceMonitor).toMatchObject({ enabled: true, honorLabels: true });
    expect(dcgmDaemonSets(objs)).toEqual([]);
    expect(dcgmServiceMonitors(objs)).toEqual([]);
    expect(objs.some((o) => o.kind === 'ClusterPolicy')).toBe(false);
  });

  test('the operator\'s exporter reads the chart\'s collectors CSV, which holds every DCGM field alerts, dashboard and triggers read', () => {
    const op = helmValues(template, 'gpu-operator').dcgmExporter;
    expect(op.config).toEqual({ create: false, name: 'dcgm-exporter-collectors' });
    expect(op.env).toEqual([{ name: 'DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE', value: '300000' }]);
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'dcgm-exporter-collectors');
    expect(cm.metadata.namespace).toBe('gpu-operator');
    const collected = new Set(csvFields(cm.data[DcgmMonitoring.COLLECTORS_KEY]));
    const read = [...new Set(queriesOf(objs).flatMap(_dcgmFieldsOf))];
    expect(read).toEqual(expect.arrayContaining(['DCGM_FI_DEV_THERMAL_VIOLATION', 'DCGM_EXP_XID_ERRORS_COUNT', 'DCGM_FI_DEV_GPU_UTIL']));
    expect(read.filter((f) => !collected.has(f))).toEqual([]);
  });

  test('every PromQL string in the deployed manifests parses; the linter finds nothing (GPU306: the operator\'s exporter is known)', () => {
    const bad = queriesOf(objs).filter((q) => _parsePromQL(q).error);
    expect(bad).toEqual([]);
    expect(validateManifests(objs.map((object) => ({ object }))).map(formatFinding)).toEqual([]);
  });

  test('Grafana runs with its dashboard sidecar, and the GPU dashboard ConfigMap is where it looks', () => {
    const kps = helmValues(template, 'kube-prometheus-stack');
    expect(kps.grafana).toEqual({
      enabled: true, adminPassword: '', sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1' } },
    });
    const dash = objs.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    expect(dash.map((o) => o.metadata.namespace)).toEqual(['monitoring']);
  });

  test('vLLM metrics: the model server is scraped, and the queue trigger reads series of the scraped pods', () => {
    const so = objs.find((o) => o.kind === 'ScaledObject' && o.metadata.name === 'model-b-gpu-scaler');
    expect(so.spec.triggers.map((t: any) => t.name)).toEqual(['gpu-utilization', 'vllm-queue-depth']);
    const sm = objs.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'model-b-serving');
    expect(sm.spec).toMatchObject({ selector: { matchLabels: { 'app.kubernetes.io/name': 'model-b-serving' } }, endpoints: [{ port: 'http', path: '/metrics' }] });
    expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
  });
});

describe('examples/llm-serving (a cdk8s-only app): exactly one DCGM exporter path (its own)', () => {
  let dir: string;
  let objs: any[];
  beforeAll(() => {
    dir = tmpdir();
    objs = [...synthFiles(buildLlmServing(dir)).values()].flatMap(parseYaml);
  });
  afterAll(() => cleanup(dir));

  test('one exporter DaemonSet, one ServiceMonitor scraping it (honorLabels), no GPU Operator exporter', () => {
    expect(dcgmDaemonSets(objs)).toHaveLength(1);
    const sms = dcgmServiceMonitors(objs);
    expect(sms).toHaveLength(1);
    expect(sms[0].spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', honorLabels: true })]);
    expect(objs.some((o) => o.kind === 'ClusterPolicy')).toBe(false);
  });

  test('the exporter\'s CSV holds every DCGM field read; every PromQL string parses', () => {
    const ds = dcgmDaemonSets(objs)[0];
    const cmName = ds.spec.template.spec.volumes.find((v: any) => v.name === 'collectors').configMap.name;
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName);
    const collected = new Set(csvFields(cm.data[DcgmMonitoring.COLLECTORS_KEY]));
    const queries = queriesOf(objs);
    expect(queries.length).toBeGreaterThan(10);
    expect(queries.flatMap(_dcgmFieldsOf).filter((f) => !collected.has(f))).toEqual([]);
    expect(queries.filter((q) => _parsePromQL(q).error)).toEqual([]);
  });
});

describe('GpuEksStack refuses every combination with two exporters, two scrape configurations or none', () => {
  const stackWith = (gpuOperator: any, prometheus?: any) => new GpuEksStack(new App(), 'S', {
    env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, gpuOperator, ...(prometheus ? { prometheus } : {}),
  });
  const chartWith = (props: any) => {
    const chart = new cdk8s.Chart(new cdk8s.App(), 'mon');
    new DcgmMonitoring(chart, 'dcgm', props);
    return chart;
  };

  test('issue 16 case 1: DcgmMonitoring\'s own exporter beside the operator\'s is refused, naming both fixes', () => {
    const s = stackWith({});
    const add = () => s.addChart(chartWith({}));
    expect(add).toThrow(GpuConfigError);
    expect(add).toThrow(/two host engines per GPU node.*use mode: DcgmExporterMode.GPU_OPERATOR with gpuOperator.settings.dcgmExporterConfig: 'dcgm-exporter-collectors', or set gpuOperator.settings.dcgmExporter: false/);
  });

  test('own exporter with the operator\'s exporter off: accepted', () => {
    expect(() => stackWith({ settings: { dcgmExporter: false } }).addChart(chartWith({}))).not.toThrow();
  });

  test('GPU_OPERATOR mode: the operator must run the exporter, read the collectors ConfigMap and scrape exactly once', () => {
    const op = { mode: DcgmExporterMode.GPU_OPERATOR };
    expect(() => stackWith({ settings: { dcgmExporter: false } }).addChart(chartWith(op))).toThrow(/no DCGM exporter runs/);
    expect(() => stackWith({ enabled: false }).addChart(chartWith(op))).toThrow(/the stack installs no GPU Operator/);
    expect(() => stackWith({}).addChart(chartWith(op)))
      .toThrow(/reads its default dcp-metrics-included.csv.*set gpuOperator.settings.dcgmExporterConfig: 'dcgm-exporter-collectors'/);
    const wired = { settings: { dcgmExporterConfig: 'dcgm-exporter-collectors' } };
    expect(() => stackWith(wired).addChart(chartWith({ ...op, serviceMonitor: true }))).toThrow(/scraped twice/);
    expect(() => stackWith({ settings: { dcgmExporterConfig: 'dcgm-exporter-collectors', serviceMonitor: false } }).addChart(chartWith(op)))
      .toThrow(/nothing scrapes the exporter/);
    expect(() => stackWith(wired).addChart(chartWith(op))).not.toThrow();
  });

  test('a second DcgmMonitoring on the cluster is refused', () => {
    const s = stackWith({ settings: { dcgmExporter: false } });
    s.addChart(chartWith({}));
    expect(() => s.addChart(chartWith({}))).toThrow(/second DcgmMonitoring on this cluster/);
  });

  test('Grafana: a dashboard outside the sidecar\'s namespace is refused; grafana: false installs none', () => {
    const s = stackWith({ settings: { dcgmExporter: false } });
    expect(() => s.addChart(chartWith({ dashboardNamespace: 'gpu-monitoring' }))).toThrow(/dashboardNamespace is gpu-monitoring.*set dashboardNamespace: 'monitoring'/);
    const off = stackWith({ settings: { dcgmExporter: false } }, { grafana: false });
    expect(() => off.addChart(chartWith({ dashboardNamespace: 'gpu-monitoring' }))).not.toThrow();
    expect(helmValues(Template.fromStack(off), 'kube-prometheus-stack').grafana).toEqual({ enabled: false });
  });
});
