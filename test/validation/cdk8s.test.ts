import { ApiObject, App, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
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

  test('the suppression annotations, for jsii users: the list form and one key per rule both suppress at synth', () => {
    expect(GpuValidation.SUPPRESS_ANNOTATION).toBe('cdk8s-gpu.io/suppress');
    expect(GpuValidation.suppressionKey('GPU002')).toBe('cdk8s-gpu.io/suppress.GPU002');
    const chart = Testing.chart();
    GpuValidation.addTo(chart);
    gpuDeployment(chart, 'listed').metadata.addAnnotation(GpuValidation.SUPPRESS_ANNOTATION, 'GPU002=tolerations added by a webhook');
    gpuDeployment(chart, 'keyed').metadata.addAnnotation(GpuValidation.suppressionKey('GPU002'), 'tolerations added by a webhook');
    expect(Testing.synth(chart)).toHaveLength(2);
    gpuDeployment(chart, 'other-rule').metadata.addAnnotation(GpuValidation.suppressionKey('GPU003'), 'not the rule that fires');
    expect(() => Testing.synth(chart)).toThrow(/GPU002/);
  });

  test.each([['GPU6'], ['gpu006'], [''], [6 as any], [undefined as any]])('suppressionKey(%p) → GpuConfigError naming ruleId', (id) => {
    expect(() => GpuValidation.suppressionKey(id)).toThrow(/^GpuValidation\.suppressionKey: ruleId is .*, not a rule id\. Fix: pass an id such as GPU006/);
  });
});

describe('GpuValidation: one serialisation per synth call, never a stale one', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
  afterEach(() => warn.mockRestore());
  const TOLERATE = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];

  /** Counts calls of the real ApiObject serialiser (every generated class calls it through super.toJson()). */
  function countSerialisations<T>(fn: () => T): { calls: number; result: T } {
    const spy = jest.spyOn(ApiObject.prototype, 'toJson');
    try {
      const result = fn();
      return { calls: spy.mock.calls.length, result };
    } finally {
      spy.mockRestore();
    }
  }

  test.each([
    ['app.synthYaml()', (app: App) => app.synthYaml()],
    ['app.synth()', (app: App) => app.synth()],
  ])('%s serialises each object once, as the bare app does (cdk8s validates twice per synth)', (_, synth) => {
    const build = (validated: boolean) => {
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      if (validated) GpuValidation.addTo(chart);
      for (let i = 0; i < 5; i++) gpuDeployment(chart, `d${i}`, TOLERATE);
      return app;
    };
    const bare = countSerialisations(() => synth(build(false)));
    const ours = countSerialisations(() => synth(build(true)));
    expect(bare.calls).toBe(5);
    expect(ours.calls).toBe(5);
  });

  test('Testing.synth(chart) also serialises once, and the output equals the unvalidated output', () => {
    const build = (validated: boolean) => {
      const chart = Testing.chart();
      if (validated) GpuValidation.addTo(chart);
      for (let i = 0; i < 3; i++) gpuDeployment(chart, `d${i}`, TOLERATE);
      return chart;
    };
    const ours = countSerialisations(() => Testing.synth(build(true)));
    expect(ours.calls).toBe(3);
    expect(ours.result).toEqual(Testing.synth(build(false)));
  });

  test('no object keeps a cached toJson after synth; a later addJsonPatch is seen by toJson() and the next synth', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    GpuValidation.addTo(chart);
    const d = gpuDeployment(chart, 'd', TOLERATE);
    const first = app.synthYaml();
    expect(Object.prototype.hasOwnProperty.call(d, 'toJson')).toBe(false);
    d.addJsonPatch(JsonPatch.add('/metadata/labels', { changed: 'yes' }));
    expect(d.toJson().metadata.labels).toEqual({ changed: 'yes' });
    const second = app.synthYaml();
    expect(first).not.toMatch(/changed: yes/);
    expect(second).toMatch(/changed: "?yes"?/);
    // and a patch that breaks a rule fails the next synth
    d.addJsonPatch(JsonPatch.remove('/spec/template/spec/tolerations'));
    expect(() => app.synthYaml()).toThrow(/GPU002/);
    expect(Object.prototype.hasOwnProperty.call(d, 'toJson')).toBe(false);
  });

  test('after a failed synth, fixing the object (patch or Lazy value) makes the next synth pass', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    GpuValidation.addTo(app);
    let tolerations: any[] = [];
    new ApiObject(chart, 'lazy', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'lazy', namespace: 'default' },
      spec: Lazy.any({
        produce: () => ({
          selector: { matchLabels: { app: 'lazy' } },
          template: {
            metadata: { labels: { app: 'lazy' } },
            spec: { tolerations, containers: [{ name: 'vllm', image: 'vllm/vllm-openai:v0.7.3', resources: { limits: { 'nvidia.com/gpu': 1 } } }] },
          },
        }),
      }),
    });
    expect(() => app.synthYaml()).toThrow(/GPU002/);
    expect(() => Testing.synth(chart)).toThrow(/GPU002/);
    tolerations = TOLERATE;
    expect(app.synthYaml()).toMatch(/nvidia.com\/gpu/);
    expect(Testing.synth(chart)[0].spec.template.spec.tolerations).toEqual(TOLERATE);
  });

  test('a toJson the user put on an object is given back after synth', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    GpuValidation.addTo(chart);
    const d = gpuDeployment(chart, 'd', TOLERATE);
    const own = () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own' } });
    (d as any).toJson = own;
    expect(app.synthYaml()).toMatch(/name: own/);
    expect((d as any).toJson).toBe(own);
  });

  test('node.validate() outside a synth call serialises afresh each time', () => {
    const chart = Testing.chart();
    GpuValidation.addTo(chart);
    const d = gpuDeployment(chart, 'd', TOLERATE);
    expect(chart.node.validate()).toEqual([]);
    d.addJsonPatch(JsonPatch.remove('/spec/template/spec/tolerations'));
    expect(chart.node.validate().join('\n')).toMatch(/GPU002/);
  });
});

describe('the rules never modify the manifests they read (the synth session hands them the objects cdk8s writes)', () => {
  test('deep-frozen manifests of a chart with every construct lint without error and with the same findings', () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { GpuInstanceType } = require('../../src/catalog');
    const { GpuNodePool, SpotGpuPool } = require('../../src/pools');
    const { GpuRequest, InferenceDeployment, TieredPriorities, TrainingJob } = require('../../src/workloads');
    const { GpuScaleTarget, KedaGpuScaler } = require('../../src/scaling');
    const { DcgmMonitoring } = require('../../src/monitoring');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const chart = Testing.chart();
    const nodeClassProps = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
    const pool = new GpuNodePool(chart, 'g5', { name: 'g5', instanceTypes: [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_12XLARGE], gpuLimit: 16, nodeClassProps });
    const spot = new SpotGpuPool(chart, 'g6', { name: 'g6-spot', families: ['g6'], gpuLimit: 16, nodeClassProps });
    const tiers = new TieredPriorities(chart, 'tiers');
    const team = tiers.addTeam('search', { gpuQuota: 8 });
    const d = new InferenceDeployment(chart, 'llm', { name: 'llm', team, pools: [pool, spot], image: 'vllm/vllm-openai:v0.7.3', replicas: 2, priority: tiers.inference, gpus: GpuRequest.whole(1) });
    new KedaGpuScaler(chart, 'scaler', { target: GpuScaleTarget.fromInferenceDeployment(d), maxReplicas: 4 });
    new TrainingJob(chart, 'train', { name: 'train', team, pools: [spot], image: 'pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime' });
    new DcgmMonitoring(chart, 'dcgm');
    const objs = Testing.synth(chart);
    const deepFreeze = (x: any): any => {
      if (x && typeof x === 'object' && !Object.isFrozen(x)) {
        Object.freeze(x);
        for (const v of Object.values(x)) deepFreeze(v);
      }
      return x;
    };
    const expected = GpuValidation.validateManifests(JSON.parse(JSON.stringify(objs)).map((object: any) => ({ object })));
    const frozen = deepFreeze(JSON.parse(JSON.stringify(objs)));
    const actual = GpuValidation.validateManifests(frozen.map((object: any) => ({ object })));
    expect(actual.map((f) => GpuValidation.formatFinding(f))).toEqual(expected.map((f) => GpuValidation.formatFinding(f)));
    expect(objs.length).toBeGreaterThan(12);
  });
});
