/**
 * `replicas` on a workload a KedaGpuScaler targets: KEDA's HPA owns the count, so the library warns, naming the
 * scaler, instead of dropping the number silently (issue 21).
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { IConstruct } from 'constructs';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodePool } from '../../src/pools';
import { GpuScaleTarget, KedaGpuScaler } from '../../src/scaling';
import { InferenceDeployment, InferenceDeploymentProps } from '../../src/workloads';

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
const warningsOf = (c: IConstruct) => c.node.metadata.filter((m) => m.type === 'cdk8s-gpu/warning').map((m) => String(m.data));

function inference(c: Chart, over: Partial<InferenceDeploymentProps> = {}) {
  const pool = new GpuNodePool(c, 'pool', { name: 'gpu', instanceTypes: [GpuInstanceType.of('p5.48xlarge')], gpuLimit: 64, nodeClassProps: BOUND });
  return new InferenceDeployment(c, 'model', { name: 'model-a', namespace: 'inference', pools: [pool], vllm: { model: 'meta-llama/Llama-3.1-8B-Instruct', image: 'vllm/vllm-openai:v0.10.1' }, ...over });
}

describe('replicas with a KedaGpuScaler', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
  afterEach(() => warn.mockRestore());

  test('InferenceDeployment replicas: a warning on the deployment naming the scaler; spec.replicas left out', () => {
    const c = Testing.chart();
    const d = inference(c, { replicas: 3 });
    new KedaGpuScaler(c, 'scaler', { target: GpuScaleTarget.fromInferenceDeployment(d), minReplicas: 2, maxReplicas: 8 });
    const [w, ...rest] = warningsOf(d);
    expect(rest).toEqual([]);
    // The one finding format, with its rule id (GPU803), naming the scaler that owns the count.
    expect(w).toBe('warning GPU803 InferenceDeployment test/model replicas: 3 is ignored: KedaGpuScaler test/scaler owns the replica count '
      + '(minReplicas 2, maxReplicas 8), so spec.replicas is left out of Deployment model-a and it runs between those bounds  '
      + 'Fix: set replicas to minReplicas or leave it out, and size the count with the scaler');
    expect(warn.mock.calls.map((a) => a[0])).toEqual([`[cdk8s-gpu] ${w}`]);
    const dep = Testing.synth(c).find((o: any) => o.kind === 'Deployment');
    expect(dep.spec.replicas).toBeUndefined();
  });

  test.each([
    ['no replicas given (the default is not the user\'s number)', undefined],
    ['replicas equal to minReplicas (nothing is lost: it starts at the floor)', 2],
  ])('%s: no warning', (_, replicas) => {
    const c = Testing.chart();
    const d = inference(c, { replicas });
    new KedaGpuScaler(c, 'scaler', { target: GpuScaleTarget.fromInferenceDeployment(d), minReplicas: 2, maxReplicas: 8 });
    expect(warningsOf(d)).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  test('replicas without a scaler: no warning, spec.replicas kept', () => {
    const c = Testing.chart();
    const d = inference(c, { replicas: 3 });
    expect(warningsOf(d)).toEqual([]);
    expect(Testing.synth(c).find((o: any) => o.kind === 'Deployment').spec.replicas).toBe(3);
  });

  test('cdk8s-plus Deployment replicas: the same warning', () => {
    const c = Testing.chart();
    const d = new kplus.Deployment(c, 'plain', { metadata: { name: 'plain' }, replicas: 2 });
    d.addContainer({ image: 'vllm/vllm-openai:v0.8.5', portNumber: 8000 });
    new KedaGpuScaler(c, 'scaler', { target: GpuScaleTarget.fromDeployment(d, { gpusPerReplica: 1 }), maxReplicas: 4 });
    expect(warningsOf(d)).toEqual([expect.stringMatching(/^warning GPU803 Deployment test\/plain replicas: 2 is ignored: KedaGpuScaler test\/scaler owns the replica count \(minReplicas 1, maxReplicas 4\)/)]);
  });

  test('an ApiObject keeps spec.replicas: the warning says each apply resets the count', () => {
    const c = Testing.chart();
    const obj = new ApiObject(c, 'raw', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'raw' },
      spec: { replicas: 5, selector: { matchLabels: { app: 'raw' } }, template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'm', image: 'vllm/vllm-openai:v0.8.5' }] } } },
    });
    new KedaGpuScaler(c, 'scaler', { target: GpuScaleTarget.fromApiObject(obj, { gpusPerReplica: 1 }), maxReplicas: 4 });
    expect(warningsOf(obj)).toEqual([expect.stringMatching(/^warning GPU803 ApiObject test\/raw spec.replicas: 5 fights KedaGpuScaler test\/scaler.*every apply resets Deployment raw to 5/)]);
  });
});
