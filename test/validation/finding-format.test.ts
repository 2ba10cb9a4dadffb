/**
 * One finding format (issue 21): synth-time findings and construction-time warnings print as
 * `[cdk8s-gpu] <severity> <rule id> <object> <field>: <message>  Fix: <fix>`, each with a rule id, never with the
 * empty `[]` cdk8s gives the app's path.
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodePool, SpotGpuPool, TaintEffect } from '../../src/pools';
import { CONSTRUCT_WARNINGS, formatConstructWarning, SPOT_FEW_TYPES } from '../../src/private/warnings';
import { defaultRegistry, GpuValidation, renderRulesDoc } from '../../src/validation';

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
const gpuDeployment = (chart: Chart, id: string) => new ApiObject(chart, id, {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: id, namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: id } },
    template: {
      metadata: { labels: { app: id } },
      spec: { containers: [{ name: 'vllm', image: 'vllm/vllm-openai:v0.7.3', resources: { limits: { 'nvidia.com/gpu': 1 } } }] },
    },
  },
});
const squatter = (chart: Chart, id: string) => new ApiObject(chart, id, {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: id },
  spec: { tolerations: [{ operator: 'Exists' }], containers: [{ name: 'a', image: 'busybox' }] },
});

/** The message cdk8s throws at synth, or '' when synth passes. */
function synthError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('one finding format', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
  afterEach(() => warn.mockRestore());
  const printed = () => warn.mock.calls.map((c) => String(c[0]));

  test('validation added to the App: error lines start with [cdk8s-gpu], never []', () => {
    const app = Testing.app();
    GpuValidation.addTo(app);
    gpuDeployment(new Chart(app, 'serving'), 'vllm');
    for (const run of [() => app.synthYaml(), () => Testing.synth(app.node.findChild('serving') as Chart)]) {
      const lines = synthError(run).split('\n').slice(1).map((l) => l.trim());
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l).not.toMatch(/^\[\]/);
      expect(lines[0]).toMatch(/^\[cdk8s-gpu\] error GPU002 apps\/v1 Deployment default\/vllm spec\.template\.spec\.tolerations: .+ {2}Fix: .+ \(at serving\/vllm\)$/);
    }
  });

  test('the holder of the App\'s validation emits nothing and is made once', () => {
    const app = Testing.app();
    GpuValidation.addTo(app);
    GpuValidation.addTo(app, { failOnWarnings: true });
    const chart = new Chart(app, 'serving');
    squatter(chart, 'ok');
    expect(app.node.children.map((c) => c.node.id)).toEqual(['cdk8s-gpu', 'serving']);
    expect(JSON.parse(JSON.stringify(Testing.synth(chart)))).toHaveLength(1);
  });

  test('validation added to a chart: error lines carry the chart path as before', () => {
    const chart = Testing.chart();
    GpuValidation.addTo(chart);
    gpuDeployment(chart, 'vllm');
    const lines = synthError(() => Testing.synth(chart)).split('\n').slice(1).map((l) => l.trim());
    expect(lines[0]).toMatch(/^\[test\] error GPU002 apps\/v1 Deployment default\/vllm /);
  });

  test('a printed synth-time warning: the exact line', () => {
    const app = Testing.app();
    GpuValidation.addTo(app);
    squatter(new Chart(app, 'serving'), 'squat');
    app.synthYaml();
    const lines = printed();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe('[cdk8s-gpu] warning GPU004 v1 Pod squat spec.tolerations: requests no GPU but tolerates nvidia.com/gpu:NoSchedule, '
      + 'the conventional GPU taint (a toleration with an empty key and operator Exists tolerates every taint); it may be placed on a GPU '
      + 'node and keep it busy  Fix: Remove the GPU toleration from pods that need no GPU (or request a GPU if the pod needs one). (at serving/squat)');
  });

  test('a construction-time warning: the same format with its GPU8xx id, recorded on the construct', () => {
    const c = Testing.chart();
    const spot = new SpotGpuPool(c, 'spot', { instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: BOUND });
    const line = 'warning GPU800 SpotGpuPool test/spot instanceTypes: spot pool allows only 1 instance type(s) (p5.48xlarge), '
      + 'so a spot shortage of those types leaves its pods Pending  Fix: allow at least 3 so Karpenter can find spot capacity, or add onDemandFallback';
    expect(printed()).toEqual([`[cdk8s-gpu] ${line}`]);
    expect(spot.node.metadata.filter((m) => m.type === 'cdk8s-gpu/warning').map((m) => m.data)).toEqual([line]);
  });

  test('every construction-time warning line has the finding shape: severity, id, object, field, message, Fix', () => {
    const c = Testing.chart();
    new GpuNodePool(c, 'pool', {
      instanceTypes: [GpuInstanceType.P5_48XLARGE],
      gpuLimit: 16,
      nodeClassProps: BOUND,
      startupTaints: [{ key: 'example.com/agent-not-ready', effect: TaintEffect.NO_SCHEDULE }],
    });
    const shape = /^\[cdk8s-gpu\] warning GPU8(0\d|1\d) \S+ \S+ \S+: .+ {2}Fix: .+$/;
    expect(printed().length).toBeGreaterThan(0);
    for (const l of printed()) {
      expect(l).toMatch(shape);
      expect(l).not.toMatch(/\[\]/);
    }
    expect(printed()[0]).toMatch(/^\[cdk8s-gpu\] warning GPU801 GpuNodePool test\/pool startupTaints: start-up taint example.com\/agent-not-ready:NoSchedule/);
  });

  test('a construction-time warning is suppressed by the context key with a reason, and still recorded', () => {
    const app = Testing.app();
    const c = new Chart(app, 'serving');
    c.node.setContext('cdk8s-gpu.io/suppress.GPU800', 'one type on purpose, reviewed');
    const spot = new SpotGpuPool(c, 'spot', { instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: BOUND });
    expect(printed()).toEqual([]);
    expect(String(spot.node.metadata.find((m) => m.type === 'cdk8s-gpu/warning')?.data)).toMatch(/^warning GPU800 .*\(suppressed: one type on purpose, reviewed\)$/);
    // an empty reason suppresses nothing
    const other = new Chart(app, 'other');
    other.node.setContext('cdk8s-gpu.io/suppress.GPU800', ' ');
    new SpotGpuPool(other, 'spot', { instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: BOUND });
    expect(printed()).toHaveLength(1);
  });

  test('formatConstructWarning names the class and path', () => {
    const app = new App();
    const c = new Chart(app, 'x');
    expect(formatConstructWarning(SPOT_FEW_TYPES, c, 'instanceTypes', 'a\n  b', 'c')).toBe('warning GPU800 Chart x instanceTypes: a b  Fix: c');
  });
});

describe('construction-time warning ids', () => {
  test('are unique, in GPU800-GPU819, never a rule id, and documented in docs/rules.md', () => {
    const ids = CONSTRUCT_WARNINGS.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^GPU8(0\d|1\d)$/);
      expect(defaultRegistry().has(id)).toBe(false);
    }
    const doc = renderRulesDoc(defaultRegistry().all());
    for (const w of CONSTRUCT_WARNINGS) {
      expect(doc).toContain(`## ${w.id}`);
      expect(doc).toContain(w.remediation);
    }
  });
});
