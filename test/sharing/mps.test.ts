import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { GpuInstanceType, GpuModel, MigGpu } from '../../src/catalog';
import { GpuNodePool } from '../../src/pools';
import { DevicePluginConfig, GpuOperator, MigConfig, MigDeviceGroup, MigLayout, MigStrategy } from '../../src/sharing';
import { validateManifests } from '../../src/validation';
import { GpuRequest, InferenceDeployment } from '../../src/workloads';
import { configError } from '../config-error';
import { expectValid } from '../conformance/schema';

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
const pool = (c: Chart, id: string, types: GpuInstanceType[]) =>
  new GpuNodePool(c, id, { name: id, instanceTypes: types, gpuLimit: 16, nodeClassProps: BOUND });
const ofKind = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);

describe('DevicePluginConfig (MPS)', () => {
  test('addMps renders sharing.mps; applyTo labels the pool, scales its limit and overlays the replicas', () => {
    const c = Testing.chart();
    const dp = new DevicePluginConfig(c, 'dp', { migStrategy: MigStrategy.NONE });
    dp.addMps('mps-4', { replicas: 4 });
    const p = pool(c, 'inf', [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_12XLARGE]);
    dp.applyTo(p, 'mps-4');
    new GpuOperator(c, 'op', { devicePluginConfig: dp, migStrategy: MigStrategy.NONE });
    const objs = Testing.synth(c);
    const cfg = parse(ofKind(objs, 'ConfigMap')[0].data['mps-4']);
    expect(cfg.sharing).toEqual({ mps: { renameByDefault: false, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } });
    expect(cfg.sharing.timeSlicing).toBeUndefined(); // mutually exclusive upstream
    const np = ofKind(objs, 'NodePool')[0];
    expect(np.spec.template.metadata.labels['nvidia.com/device-plugin.config']).toBe('mps-4');
    expect(np.spec.limits['nvidia.com/gpu']).toBe(64);
    expect(ofKind(objs, 'NodeOverlay').map((o) => o.spec.capacity)).toEqual([{ 'nvidia.com/gpu': '4' }, { 'nvidia.com/gpu': '16' }]);
    expect(dp.hasMps).toBe(true);
    expectValid(objs);
  });

  test('per-client limits are the control daemon\'s: memory / replicas, 100 / replicas % of threads', () => {
    const dp = new DevicePluginConfig(Testing.chart(), 'dp');
    dp.addMps('mps-3', { replicas: 3 });
    dp.addTimeSlicing('ts', { replicas: 3 });
    expect(dp.mpsClientLimits('mps-3', GpuModel.A10G)).toEqual({ memoryMiB: Math.floor(22888 / 3), activeThreadPercentage: 33 });
    expect(configError(() => dp.mpsClientLimits('ts', GpuModel.A10G)).message).toMatch(/time-slicing config, which sets no per-client limits/);
  });

  test('an MPS pool lints clean with one replica per pod, and GPU411 fires at two', () => {
    const build = (n: number) => {
      const c = Testing.chart();
      const dp = new DevicePluginConfig(c, 'dp', { migStrategy: MigStrategy.NONE });
      dp.addMps('mps-4', { replicas: 4 });
      const p = pool(c, 'inf', [GpuInstanceType.G5_12XLARGE]);
      dp.applyTo(p, 'mps-4');
      new GpuOperator(c, 'op', { devicePluginConfig: dp, migStrategy: MigStrategy.NONE });
      new InferenceDeployment(c, 'llm', { pools: [p], vllm: { model: 'm/m' }, gpus: GpuRequest.whole(n) });
      return validateManifests(Testing.synth(c).map((object) => ({ object }))).filter((f) => f.ruleId.startsWith('GPU41'));
    };
    expect(build(1)).toEqual([]);
    expect(build(2).map((f) => f.ruleId)).toEqual(['GPU411']);
  });

  test('MPS and MIG never share a pool; MPS is refused with the single MIG strategy; MPS needs GFD', () => {
    const c = Testing.chart();
    const mig = new MigConfig(c, 'mig');
    mig.addConfig('all-1g', [MigDeviceGroup.all(MigLayout.preset(MigGpu.A100_40GB, 'all-1g.5gb'))]);
    const dp = new DevicePluginConfig(c, 'dp');
    dp.addMps('mps-2', { replicas: 2 });
    const p = pool(c, 'a100', [GpuInstanceType.P4D_24XLARGE]);
    mig.applyTo(p, 'all-1g');
    expect(configError(() => dp.applyTo(p, 'mps-2')).message).toMatch(/already has MIG config all-1g; a pool gets one GPU sharing setup/);
    const single = new DevicePluginConfig(c, 'dp1', { migStrategy: MigStrategy.SINGLE });
    expect(configError(() => single.addMps('m', { replicas: 2 })).message).toMatch(/MPS shares only full GPUs/);
    expect(configError(() => new GpuOperator(c, 'op', { devicePluginConfig: dp, gfd: false })).message).toMatch(/gfd is false.*mps.capable/);
  });
});
