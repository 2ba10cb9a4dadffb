import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Finding, GpuValidation, Severity } from '../../src/validation';

const gpuDeployment = (chart: Chart, id: string, tolerations?: any[]) => new ApiObject(chart, id, {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: id, namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: id } },
    template: {
      metadata: { labels: { app: id } },
      spec: {
        ...(tolerations ? { tolerations } : {}),
        containers: [{ name: 'vllm', image: 'vllm/vllm-openai:v0.7.3', resources: { limits: { 'nvidia.com/gpu': 1 } } }],
      },
    },
  },
});
const squatter = (chart: Chart, id: string) => new ApiObject(chart, id, {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: id },
  spec: { tolerations: [{ operator: 'Exists' }], containers: [{ name: 'a', image: 'busybox' }] },
});

describe('GpuValidation', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
  afterEach(() => warn.mockRestore());

  test('Testing.synth(chart) fails listing every error finding', () => {
    const chart = Testing.chart();
    GpuValidation.addTo(chart);
    gpuDeployment(chart, 'a');
    gpuDeployment(chart, 'b');
    expect(() => Testing.synth(chart)).toThrow(/Validation failed with the following errors:[\s\S]*error GPU002 apps\/v1 Deployment default\/a [\s\S]*\(at test\/a\)[\s\S]*error GPU002 apps\/v1 Deployment default\/b/);
  });

  test('app.synth() and app.synthYaml() fail too, across charts, when added to the app', () => {
    const app = Testing.app();
    GpuValidation.addTo(app);
    gpuDeployment(new Chart(app, 'one'), 'x');
    new Chart(app, 'two');
    expect(() => app.synth()).toThrow(/GPU002/);
    expect(() => app.synthYaml()).toThrow(/GPU002/);
  });

  test('a valid chart synthesises; warnings are printed once, not failed', () => {
    const chart = Testing.chart();
    const v = GpuValidation.addTo(chart);
    gpuDeployment(chart, 'ok', [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    squatter(chart, 'squat');
    expect(Testing.synth(chart)).toHaveLength(2);
    Testing.synth(chart);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^\[cdk8s-gpu\] warning GPU004 v1 Pod squat/);
    expect(v.findings.map((f: Finding) => f.ruleId)).toEqual(['GPU004']);
  });

  test('failOnWarnings, printWarnings and disabledRules', () => {
    const chart = Testing.chart();
    GpuValidation.addTo(chart, { failOnWarnings: true });
    squatter(chart, 'squat');
    expect(() => Testing.synth(chart)).toThrow(/warning GPU004/);

    const quiet = Testing.chart();
    GpuValidation.addTo(quiet, { printWarnings: false, disabledRules: ['GPU002'] });
    squatter(quiet, 'squat');
    gpuDeployment(quiet, 'no-toleration');
    expect(Testing.synth(quiet)).toHaveLength(2);
    expect(warn).not.toHaveBeenCalled();
  });

  test('an unknown disabled rule fails synth with a clear message', () => {
    const chart = Testing.chart();
    GpuValidation.addTo(chart, { disabledRules: ['GPU2'] });
    expect(() => Testing.synth(chart)).toThrow(/cdk8s-gpu validation could not run: validateManifests: disabledRules names unknown rule "GPU2"/);
  });

  test('addTo twice returns the same validation; suppression works on synthesised objects', () => {
    const chart = Testing.chart();
    expect(GpuValidation.addTo(chart)).toBe(GpuValidation.addTo(chart));
    const d = gpuDeployment(chart, 'known');
    d.metadata.addAnnotation('cdk8s-gpu.io/suppress', 'GPU002=tolerations are added by a mutating webhook');
    expect(Testing.synth(chart)).toHaveLength(1);
  });

  test('static helpers for jsii users', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'c');
    const obj = gpuDeployment(chart, 'x').toJson();
    const [f] = GpuValidation.validateManifests([{ object: obj }]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(GpuValidation.formatFinding(f)).toMatch(/^error GPU002 /);
    expect(GpuValidation.validateManifests([{ object: obj }], ['GPU002'])).toEqual([]);
  });
});
