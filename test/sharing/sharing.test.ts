import { Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { GpuInstanceType, MigGpu } from '../../src/catalog';
import { GpuAmiFamily, GpuNodePool, SpotGpuPool } from '../../src/pools';
import { placeOnPool, podTemplateOf, poolModelOf } from '../../src/scheduling';
import {
  DevicePluginConfig, GpuOperator, GpuOperatorSettings, MigConfig, MigDeviceGroup, MigLayout, MigStrategy,
} from '../../src/sharing';
import { BUILTIN_RULES, validateManifests } from '../../src/validation';
import { GpuRequest, InferenceDeployment } from '../../src/workloads';
import { configError } from '../config-error';
import { expectValid } from '../conformance/schema';
import { describeWithShared, readShared } from '../shared-data';

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
const A100 = MigGpu.A100_40GB;

const pool = (c: Chart, id: string, types: GpuInstanceType[], extra: any = {}) =>
  new GpuNodePool(c, id, { name: id, instanceTypes: types, gpuLimit: 16, nodeClassProps: BOUND, ...extra });
const ofKind = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);

describeWithShared('seed 004 (mig-config and time-slicing-config), checked against the profile table', ['seeds/004_*'], () => {
  const text = readShared('seeds/004_*');

  test('the seed says what we rebuild: inference-7 = devices 0-3 × 1g.5gb:7, training-4 = devices 4-7 × 2g.10gb:4', () => {
    // The blog lost the YAML indentation, so the facts are read with regular expressions.
    expect(text).toMatch(/inference-7:\n- devices: \[0,1,2,3\][^\n]*\nmig-enabled: true\nmig-devices:\n"1g\.5gb": 7/);
    expect(text).toMatch(/training-4:\n- devices: \[4,5,6,7\][^\n]*\nmig-enabled: true\nmig-devices:\n"2g\.10gb": 4/);
    expect(text).toMatch(/name: nvidia\.com\/gpu\nreplicas: 4/);
  });

  test('inference-7 (1g.5gb × 7 on A100-40GB GPUs 0-3) is valid and comes out of a few lines', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig', { name: 'mig-config' });
    cfg.addConfig('inference-7', [MigDeviceGroup.devices([0, 1, 2, 3], MigLayout.fromCounts(A100, { '1g.5gb': 7 }))]);
    const [cm] = ofKind(Testing.synth(c), 'ConfigMap');
    expect(cm.metadata).toEqual({ name: 'mig-config', namespace: 'gpu-operator' });
    expect(parse(cm.data['config.yaml'])).toEqual({
      'version': 'v1',
      'mig-configs': {
        'all-disabled': [{ 'devices': 'all', 'mig-enabled': false }],
        'inference-7': [{ 'devices': [0, 1, 2, 3], 'mig-enabled': true, 'mig-devices': { '1g.5gb': 7 } }],
      },
    });
  });

  test('training-4 (2g.10gb × 4 per A100-40GB) is refused: at most 3 × 2g.10gb, and 8 compute slices of 7', () => {
    const e = configError(() => MigLayout.fromCounts(A100, { '2g.10gb': 4 }));
    expect(e.message).toBe('MigLayout(A100-SXM4-40GB): slices[0] asks for 4 × 2g.10gb, but one A100-SXM4-40GB holds at most 3 2g.10gb instance(s) '
      + '(it spans 2 memory slice(s) and starts only at memory slice 0/2/4). Fix: use at most 3 × 2g.10gb (mig-parted config all-2g.10gb), or a smaller profile');
    // What the seed meant ("10GB × 4" per GPU) exists as 1g.10gb × 4 (all-1g.10gb on A100-40GB), or 2g.10gb × 3.
    expect(MigLayout.fromCounts(A100, { '1g.10gb': 4 }).memorySlicesUsed).toBe(8);
    expect(MigLayout.preset(A100, 'all-2g.10gb').migDevices()).toEqual({ '2g.10gb': 3 });
  });

  test('the seed\'s two configs each leave half of a p4d\'s GPUs unconfigured; one config with both groups is applied instead', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig', { name: 'mig-config' });
    const inference = MigLayout.fromCounts(A100, { '1g.5gb': 7 });
    cfg.addConfig('inference-7', [MigDeviceGroup.devices([0, 1, 2, 3], inference)]);
    const p4d = pool(c, 'a100-mig', [GpuInstanceType.P4D_24XLARGE]);
    expect(configError(() => cfg.applyTo(p4d, 'inference-7')).message).toMatch(/leave GPU\(s\) 4, 5, 6, 7 of p4d\.24xlarge out of config inference-7/);
    cfg.addConfig('inference-training', [
      MigDeviceGroup.devices([0, 1, 2, 3], inference),
      MigDeviceGroup.devices([4, 5, 6, 7], MigLayout.preset(A100, 'all-2g.10gb')),
    ]);
    const overlays = cfg.applyTo(p4d, 'inference-training');
    expect(overlays.map((o) => o.toJson().spec.capacity)).toEqual([{ 'nvidia.com/gpu': '0', 'nvidia.com/mig-1g.5gb': '28', 'nvidia.com/mig-2g.10gb': '12' }]);
  });

  test('time-slicing-config (replicas: 4) is valid; ours adds the non-sharing default the seed lacks', () => {
    const c = Testing.chart();
    const dp = new DevicePluginConfig(c, 'dp', { name: 'time-slicing-config', migStrategy: MigStrategy.NONE });
    dp.addTimeSlicing('any', { replicas: 4, failRequestsGreaterThanOne: false });
    const [cm] = ofKind(Testing.synth(c), 'ConfigMap');
    expect(parse(cm.data.any)).toEqual({
      version: 'v1',
      flags: { migStrategy: 'none' },
      sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: false, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } },
    });
    expect(parse(cm.data.default)).toEqual({ version: 'v1', flags: { migStrategy: 'none' } });
    // The seed patches the ClusterPolicy with only a name and no default: with one config, the device plugin uses it on
    // every node. Ours names the non-sharing default.
    const op = new GpuOperator(c, 'op', { devicePluginConfig: dp, migStrategy: MigStrategy.NONE });
    expect(op.clusterPolicy.toJson().spec.devicePlugin.config).toEqual({ name: 'time-slicing-config', default: 'default' });
  });
});

describe('MigConfig', () => {
  test('bad names, overlapping or mixed groups are refused', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    const l = MigLayout.preset(A100, 'all-1g.5gb');
    expect(configError(() => cfg.addConfig('Bad Name', [MigDeviceGroup.all(l)])).message).toMatch(/not a valid label value/);
    expect(configError(() => cfg.addConfig('all-disabled', [MigDeviceGroup.all(l)])).message).toMatch(/is built in/);
    expect(configError(() => cfg.addConfig('x', [MigDeviceGroup.devices([0, 1], l), MigDeviceGroup.devices([1, 2], l)])).message)
      .toMatch(/configures GPU 1, which group 0 already configures/);
    expect(configError(() => cfg.addConfig('x', [MigDeviceGroup.all(l), MigDeviceGroup.devices([1], l)])).message).toMatch(/mixes a group of all GPUs/);
    expect(configError(() => cfg.addConfig('x', [MigDeviceGroup.devices([0], l), MigDeviceGroup.devices([1], MigLayout.preset(MigGpu.H100_80GB, 'all-1g.10gb'))])).message)
      .toMatch(/mixes layouts for A100-SXM4-40GB and H100-80GB/);
    expect(configError(() => MigDeviceGroup.devices([0, 0], l)).message).toMatch(/repeats GPU 0/);
    expect(configError(() => cfg.applyTo(pool(c, 'p', [GpuInstanceType.P4D_24XLARGE]), 'nope')).message).toMatch(/'nope' is not defined. Fix: use one of all-disabled/);
  });

  test('applyTo: label, device-plugin gate, annotation and one NodeOverlay per GPU count (mixed)', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('h100-1g', MigLayout.preset(MigGpu.H100_80GB, 'all-1g.10gb'));
    const p = pool(c, 'h100-mig', [GpuInstanceType.P5_4XLARGE, GpuInstanceType.P5_48XLARGE]);
    cfg.applyTo(p, 'h100-1g');
    const objs = Testing.synth(c);
    const np = ofKind(objs, 'NodePool')[0];
    expect(np.spec.template.metadata.labels).toMatchObject({ 'nvidia.com/mig.config': 'h100-1g', 'nvidia.com/gpu.deploy.device-plugin': 'paused-for-mig-change' });
    expect(np.spec.template.spec.startupTaints).toBeUndefined();
    expect(JSON.parse(np.metadata.annotations['cdk8s-gpu.io/advertised-resources-per-gpu'])).toEqual({ 'nvidia.com/gpu': 0, 'nvidia.com/mig-1g.10gb': 7 });
    const overlays = ofKind(objs, 'NodeOverlay');
    expect(overlays.map((o) => [o.apiVersion, o.metadata.name, o.spec.capacity])).toEqual([
      ['karpenter.sh/v1alpha1', 'h100-mig-1gpu-slices', { 'nvidia.com/gpu': '0', 'nvidia.com/mig-1g.10gb': '7' }],
      ['karpenter.sh/v1alpha1', 'h100-mig-8gpu-slices', { 'nvidia.com/gpu': '0', 'nvidia.com/mig-1g.10gb': '56' }],
    ]);
    expect(overlays[1].spec.requirements).toEqual([
      { key: 'karpenter.sh/nodepool', operator: 'In', values: ['h100-mig'] },
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'In', values: ['8'] },
    ]);
    // The scheduling model sees the slices: 56 per p5.48xlarge, no whole GPUs.
    const model = poolModelOf(np);
    expect(model.advertisedResources(GpuInstanceType.P5_48XLARGE)).toEqual({ 'nvidia.com/gpu': 0, 'nvidia.com/mig-1g.10gb': 56 });
    expect(configError(() => cfg.applyTo(p, 'h100-1g')).message).toMatch(/already has MIG config h100-1g/);
  });

  test('applyTo refuses non-MIG types (g5), the wrong GPU model and single strategy on mixed layouts', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('a100-bal', MigLayout.preset(A100, 'all-balanced'));
    const e = configError(() => cfg.applyTo(pool(c, 'mixed', [GpuInstanceType.P4D_24XLARGE, GpuInstanceType.G5_12XLARGE]), 'a100-bal'));
    expect(e.message).toMatch(/pool\.instanceTypes include g5\.12xlarge, which is not MIG-capable/);
    expect(configError(() => cfg.applyTo(pool(c, 'h100', [GpuInstanceType.P5_48XLARGE]), 'a100-bal')).message)
      .toMatch(/include p5\.48xlarge \(H100-SXM5-80GB\), but config a100-bal is laid out for A100-SXM4-40GB. Fix: restrict the pool to p4d\.24xlarge/);
    expect(configError(() => cfg.applyTo(pool(c, 'a100', [GpuInstanceType.P4D_24XLARGE]), 'a100-bal', { strategy: MigStrategy.SINGLE })).message)
      .toMatch(/is single, but config a100-bal is not one profile on every GPU/);
  });

  test('single strategy advertises nvidia.com/gpu per instance', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('a100-7', MigLayout.preset(A100, 'all-1g.5gb'));
    const [o] = cfg.applyTo(pool(c, 'a100', [GpuInstanceType.P4D_24XLARGE]), 'a100-7', { strategy: MigStrategy.SINGLE });
    expect(o.toJson().spec.capacity).toEqual({ 'nvidia.com/gpu': '56' });
  });

  test('InferenceDeployment requesting a slice lands on the MIG pool only; the whole synth is schema-valid and lint-clean', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('a100-1g5', MigLayout.preset(A100, 'all-1g.5gb'));
    const mig = pool(c, 'a100-mig', [GpuInstanceType.P4D_24XLARGE]);
    const whole = pool(c, 'a100-whole', [GpuInstanceType.P4D_24XLARGE]);
    cfg.applyTo(mig, 'a100-1g5');
    new GpuOperator(c, 'op', { migConfig: cfg });
    new InferenceDeployment(c, 'small', { pools: [mig, whole], gpus: GpuRequest.mig('1g.5gb'), vllm: { model: 'Qwen/Qwen2.5-0.5B' } });
    const objs = Testing.synth(c);
    const dep = ofKind(objs, 'Deployment')[0];
    expect(dep.spec.template.spec.containers[0].resources.limits['nvidia.com/mig-1g.5gb']).toBe(1);
    // The slice request itself keeps the pod on the MIG pool: the scheduling model (and Karpenter, via the overlay)
    // sees 1g.5gb only there, and no whole GPUs on the MIG pool.
    const tpl = podTemplateOf(dep)!;
    const [onMig, onWhole] = ofKind(objs, 'NodePool').map((np) => placeOnPool(tpl, poolModelOf(np)));
    expect(onMig.fits).toBe(true);
    expect(onWhole.fits).toBe(false);
    expect(onWhole.reason).toMatch(/no allowed instance type of this pool advertises nvidia.com\/mig-1g.5gb/);
    expectValid(objs);
    const findings = validateManifests(objs.map((object) => ({ object })), { rules: [...BUILTIN_RULES] })
      .filter((f) => f.severity === 'error');
    expect(findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  });
});

describe('DevicePluginConfig (time-slicing)', () => {
  test('applyTo: label, limits in physical GPUs, overlay with replicas', () => {
    const c = Testing.chart();
    const dp = new DevicePluginConfig(c, 'dp');
    dp.addTimeSlicing('shared-4', { replicas: 4 });
    const dev = pool(c, 'dev', [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_12XLARGE]);
    dp.applyTo(dev, 'shared-4');
    const objs = Testing.synth(c);
    const np = ofKind(objs, 'NodePool')[0];
    expect(np.spec.template.metadata.labels['nvidia.com/device-plugin.config']).toBe('shared-4');
    expect(np.spec.limits['nvidia.com/gpu']).toBe(64);
    expect(ofKind(objs, 'NodeOverlay').map((o) => o.spec.capacity)).toEqual([{ 'nvidia.com/gpu': '4' }, { 'nvidia.com/gpu': '16' }]);
    const cm = ofKind(objs, 'ConfigMap')[0];
    expect(parse(cm.data['shared-4']).sharing.timeSlicing).toEqual({
      renameByDefault: false, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }],
    });
    expect(parse(cm.data.default).flags.migStrategy).toBe('mixed');
    expectValid(objs);
  });

  test('renameByDefault advertises nvidia.com/gpu.shared and hides whole GPUs', () => {
    const c = Testing.chart();
    const dp = new DevicePluginConfig(c, 'dp');
    dp.addTimeSlicing('shared', { replicas: 2, renameByDefault: true });
    const [o] = dp.applyTo(pool(c, 'dev', [GpuInstanceType.G6_XLARGE]), 'shared');
    expect(o.toJson().spec.capacity).toEqual({ 'nvidia.com/gpu': '0', 'nvidia.com/gpu.shared': '2' });
    expect(dp.sharedResource('shared')).toBe('nvidia.com/gpu.shared');
  });

  test('bad keys and replicas are refused', () => {
    const dp = new DevicePluginConfig(Testing.chart(), 'dp');
    expect(configError(() => dp.addTimeSlicing('default', { replicas: 2 })).message).toMatch(/reserved for the non-sharing default/);
    expect(configError(() => dp.addTimeSlicing('x', { replicas: 1 })).message).toMatch(/not a whole number ≥ 2/);
    expect(configError(() => dp.addTimeSlicing('-x', { replicas: 2 })).message).toMatch(/not a valid ConfigMap key/);
    expect(configError(() => dp.applyTo(pool(Testing.chart(), 'p', [GpuInstanceType.G5_XLARGE]), 'x')).message).toMatch(/add it with addTimeSlicing/);
  });
});

describe('GpuOperator', () => {
  test('AL2023 defaults: driver/toolkit off, device plugin on, mixed MIG, reboot, ServiceMonitor; ClusterPolicy validates against the CRD', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    const dp = new DevicePluginConfig(c, 'dp');
    const op = new GpuOperator(c, 'op', { migConfig: cfg, devicePluginConfig: dp, serviceMonitorLabels: { release: 'kube-prometheus-stack' } });
    const objs = Testing.synth(c);
    const [cp] = ofKind(objs, 'ClusterPolicy');
    expect(cp.apiVersion).toBe('nvidia.com/v1');
    expect(cp.metadata.name).toBe('cluster-policy');
    expect(cp.spec.driver).toEqual({ enabled: false });
    expect(cp.spec.toolkit).toEqual({ enabled: false });
    expect(cp.spec.devicePlugin).toMatchObject({ enabled: true, version: 'v0.20.0', config: { name: 'device-plugin-config', default: 'default' } });
    expect(cp.spec.mig).toEqual({ strategy: 'mixed' });
    expect(cp.spec.migManager).toMatchObject({ enabled: true, env: [{ name: 'WITH_REBOOT', value: 'true' }], config: { name: 'custom-mig-parted-config', default: 'all-disabled' } });
    expect(cp.spec.dcgmExporter.serviceMonitor).toEqual({ enabled: true, interval: '15s', honorLabels: true, additionalLabels: { release: 'kube-prometheus-stack' } });
    expectValid(objs);
    const v = op.toHelmValues();
    expect(v).toMatchObject({
      nfd: { enabled: true },
      driver: { enabled: false },
      toolkit: { enabled: false },
      devicePlugin: { enabled: true, config: { create: false, name: 'device-plugin-config', default: 'default' } },
      mig: { strategy: 'mixed' },
      migManager: { enabled: true, env: [{ name: 'WITH_REBOOT', value: 'true' }], config: { create: false, name: 'custom-mig-parted-config', default: 'all-disabled' } },
      dcgmExporter: { enabled: true, serviceMonitor: { enabled: true, interval: '15s', honorLabels: true, additionalLabels: { release: 'kube-prometheus-stack' } } },
      gfd: { enabled: true },
    });
    // GPU313: honorLabels in both renderings, or per-pod DCGM queries see exported_pod instead of pod.
    expect(v.dcgmExporter.serviceMonitor).toEqual(cp.spec.dcgmExporter.serviceMonitor);
    // One source of truth: every on/off of the ClusterPolicy equals the Helm value's.
    for (const k of ['driver', 'toolkit', 'devicePlugin', 'migManager', 'dcgmExporter', 'gfd']) expect(v[k].enabled).toBe(cp.spec[k].enabled);
  });

  test('Bottlerocket: device plugin and MIG manager off; driver/toolkit true refused; mismatched strategies refused', () => {
    const c = Testing.chart();
    const op = new GpuOperator(c, 'br', { nodeImage: GpuAmiFamily.BOTTLEROCKET, serviceMonitor: false, serviceMonitorInterval: Duration.seconds(30) });
    expect(op.toHelmValues()).toMatchObject({
      devicePlugin: { enabled: false }, migManager: { enabled: false }, dcgmExporter: { serviceMonitor: { enabled: false } },
    });
    expect(configError(() => new GpuOperator(c, 'd', { driver: true })).message).toMatch(/driver is true, but the EKS-optimized AL2023 NVIDIA AMI already ships the NVIDIA driver/);
    expect(configError(() => new GpuOperator(c, 't', { nodeImage: GpuAmiFamily.BOTTLEROCKET, toolkit: true })).message).toMatch(/Bottlerocket NVIDIA AMI already ships the NVIDIA container toolkit/);
    expect(configError(() => new GpuOperator(c, 'm', { nodeImage: GpuAmiFamily.BOTTLEROCKET, migConfig: new MigConfig(c, 'mc') })).message).toMatch(/Bottlerocket configures MIG itself/);
    const dp = new DevicePluginConfig(c, 'dp', { migStrategy: MigStrategy.NONE });
    expect(configError(() => new GpuOperator(c, 's', { devicePluginConfig: dp })).message).toMatch(/declares migStrategy none, but the operator uses mixed/);
    expect(configError(() => new GpuOperator(c, 'n', { migConfig: new MigConfig(c, 'mc2', { namespace: 'nvidia' }) })).message).toMatch(/lives in namespace nvidia/);
    expectValid(ofKind(Testing.synth(c), 'ClusterPolicy'));
  });

  test('snapshot: MIG + time-slicing + operator (reviewed)', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig', { name: 'mig-config' });
    cfg.addConfig('inference-training', [
      MigDeviceGroup.devices([0, 1, 2, 3], MigLayout.fromCounts(A100, { '1g.5gb': 7 })),
      MigDeviceGroup.devices([4, 5, 6, 7], MigLayout.preset(A100, 'all-2g.10gb')),
    ]);
    cfg.applyTo(pool(c, 'a100-mig', [GpuInstanceType.P4D_24XLARGE]), 'inference-training');
    const dp = new DevicePluginConfig(c, 'dp');
    dp.addTimeSlicing('dev-4', { replicas: 4 });
    dp.applyTo(pool(c, 't4-dev', [GpuInstanceType.G4DN_XLARGE]), 'dev-4');
    new GpuOperator(c, 'op', { migConfig: cfg, devicePluginConfig: dp });
    expect(Testing.synth(c)).toMatchSnapshot();
  });
});

describe('GpuOperatorSettings', () => {
  test('the construct renders from its settings: same Helm values as GpuOperatorSettings.of(props), ClusterPolicy spec from the same object', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    const dp = new DevicePluginConfig(c, 'dp', { migStrategy: MigStrategy.SINGLE });
    const props = {
      migConfig: cfg,
      devicePluginConfig: dp,
      migStrategy: MigStrategy.SINGLE,
      nfd: false,
      serviceMonitorLabels: { team: 'ml' },
      serviceMonitorInterval: Duration.seconds(30),
    };
    const op = new GpuOperator(c, 'op', props);
    const settings = GpuOperatorSettings.of(props);
    expect(op.toHelmValues()).toEqual(settings.toHelmValues());
    expect(op.settings.toHelmValues()).toEqual(settings.toHelmValues());
    const [cp] = ofKind(Testing.synth(c), 'ClusterPolicy');
    expect(cp.spec).toEqual(JSON.parse(JSON.stringify(settings._clusterPolicySpec())));
    expect(settings.toHelmValues()).toMatchObject({
      nfd: { enabled: false },
      mig: { strategy: 'single' },
      dcgmExporter: { serviceMonitor: { enabled: true, interval: '30s', honorLabels: true, additionalLabels: { team: 'ml' } } },
    });
    // A fresh object each call: a caller mutating the values cannot change the settings.
    const v = settings.toHelmValues();
    v.dcgmExporter.serviceMonitor.additionalLabels.x = 'y';
    expect(settings.toHelmValues().dcgmExporter.serviceMonitor.additionalLabels).toEqual({ team: 'ml' });
  });

  test('resolved fields: defaults (AL2023, mixed, ServiceMonitor on) and Bottlerocket; no exporter means no ServiceMonitor', () => {
    const d = GpuOperatorSettings.of();
    expect([d.namespace, d.nodeImage, d.migStrategy]).toEqual(['gpu-operator', GpuAmiFamily.AL2023, MigStrategy.MIXED]);
    expect([d.driver, d.toolkit, d.devicePlugin, d.migManager, d.migManagerReboot, d.serviceMonitor, d.nfd, d.gfd])
      .toEqual([false, false, true, true, true, true, true, true]);
    expect(d.serviceMonitorInterval.toSeconds()).toBe(15);
    const br = GpuOperatorSettings.of({ nodeImage: GpuAmiFamily.BOTTLEROCKET });
    expect([br.devicePlugin, br.migManager]).toEqual([false, false]);
    const off = GpuOperatorSettings.of({ dcgmExporter: false });
    expect(off.serviceMonitor).toBe(false);
    expect(off.toHelmValues().dcgmExporter).toEqual({ enabled: false, serviceMonitor: { enabled: false } });
  });

  test('tolerations: the node agents tolerate the GPU and the spot taint by default, in the ClusterPolicy and for the NFD worker', () => {
    const gpu = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
    const spot = { key: 'karpenter.sh/capacity-type', operator: 'Exists', effect: 'NoSchedule' };
    const d = GpuOperatorSettings.of();
    expect(d.tolerations).toEqual([gpu, spot]);
    expect(d.toHelmValues().daemonsets).toEqual({ tolerations: [gpu, spot] });
    // the chart's own control-plane toleration of the NFD worker is kept
    expect(d.toHelmValues()['node-feature-discovery'].worker.tolerations).toEqual([
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', value: '', effect: 'NoSchedule' }, gpu, spot,
    ]);
    expect(d._clusterPolicySpec().daemonsets.tolerations).toEqual([gpu, spot]);
    // no NFD deployed: no NFD values
    expect(GpuOperatorSettings.of({ nfd: false }).toHelmValues()['node-feature-discovery']).toBeUndefined();
    const dedicated = { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' };
    const own = GpuOperatorSettings.of({ tolerations: [gpu, dedicated] });
    expect(own.toHelmValues().daemonsets.tolerations).toEqual([gpu, dedicated]);
    expect(GpuOperatorSettings.defaultTolerations()).toEqual([gpu, spot]);
    // a fresh copy on each read
    (own.tolerations[0] as any).key = 'changed';
    expect(own.tolerations[0].key).toBe('nvidia.com/gpu');
  });

  test('tolerations: a GpuOperator beside a SpotGpuPool lints clean by default; tolerating the GPU taint alone is GPU107', () => {
    const build = (tolerations?: any[]) => {
      const c = Testing.chart();
      new SpotGpuPool(c, 'spot', { name: 'g5-spot', instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, nodeClassProps: BOUND });
      new GpuOperator(c, 'op', tolerations ? { tolerations } : {});
      return validateManifests(Testing.synth(c).map((object) => ({ object }))).filter((f) => f.ruleId === 'GPU107');
    };
    expect(build()).toEqual([]);
    expect(build([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]).map((f) => f.message))
      .toEqual([expect.stringMatching(/^taints its GPU nodes karpenter\.sh\/capacity-type=spot:NoSchedule, which no device plugin/)]);
  });

  test('tolerations: a list of Kubernetes tolerations, not empty (an empty list would leave the operator its own default)', () => {
    const message = (tolerations: any) => configError(() => GpuOperatorSettings.of({ tolerations })).message;
    expect(message([])).toMatch(/tolerations is empty, so the operator would tolerate only nvidia.com\/gpu/);
    expect(message('nvidia.com/gpu')).toMatch(/tolerations is "nvidia.com\/gpu", not a list/);
    expect(message([{ key: 'a', operator: 'In' }])).toMatch(/tolerations\[0\] has operator "In", not "Exists" or "Equal"/);
    expect(message([{ operator: 'Equal', value: 'x' }])).toMatch(/tolerations\[0\] has no key, which needs operator Exists/);
    expect(message([{ key: 'a', operator: 'Exists', value: 'x' }])).toMatch(/tolerations\[0\] has a value with operator Exists/);
    expect(message([{ key: 'a', effect: 'NoScheduled' }])).toMatch(/tolerations\[0\] has effect "NoScheduled", not one of NoSchedule, PreferNoSchedule, NoExecute/);
    expect(message([{ key: 'a', effect: 'NoSchedule', tolerationSeconds: 30 }])).toMatch(/tolerations\[0\] has tolerationSeconds, which needs effect NoExecute/);
    expect(message([null])).toMatch(/tolerations\[0\] is null, not a toleration/);
    expect(GpuOperatorSettings.of({ tolerations: [{ operator: 'Exists' }] }).tolerations).toEqual([{ operator: 'Exists' }]);
  });

  test('errors name GpuOperatorSettings without a construct, the construct path with one', () => {
    const e = configError(() => GpuOperatorSettings.of({ driver: true }));
    expect(e.message).toMatch(/^GpuOperatorSettings: driver is true, but the EKS-optimized AL2023 NVIDIA AMI already ships the NVIDIA driver/);
    expect(e.constructPath).toBe('GpuOperatorSettings');
    const c = Testing.chart();
    const e2 = configError(() => new GpuOperator(c, 'op', { serviceMonitorInterval: Duration.millis(500) }));
    expect(e2.message).toMatch(/\/op: serviceMonitorInterval is 0.5 s\. Fix: use whole seconds/);
    expect(e2.constructPath).toBe(`${c.node.path}/op`);
  });
});

describe('InferenceDeployment on time-sliced GPUs (GPU406)', () => {
  const args = (objs: any[]) => objs.find((o: any) => o.kind === 'Deployment').spec.template.spec.containers[0].args as string[];
  function build(utilization?: number) {
    const c = Testing.chart();
    const g5Pool = new GpuNodePool(c, 'g5', { name: 'g5-dev', instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 8, nodeClassProps: { role: 'KarpenterNodeRole-demo', clusterName: 'demo' } });
    const dp = new DevicePluginConfig(c, 'dp', { name: 'time-slicing-config', migStrategy: MigStrategy.NONE });
    dp.addTimeSlicing('x4', { replicas: 4 });
    dp.applyTo(g5Pool, 'x4');
    new InferenceDeployment(c, 'llm', {
      pools: [g5Pool], namespace: 'dev', vllm: { model: 'Qwen/Qwen2.5-0.5B-Instruct', ...(utilization ? { gpuMemoryUtilization: utilization } : {}) },
    });
    return Testing.synth(c);
  }

  test('vLLM keeps to its quarter of a GPU time-sliced 4 ways, and the rules find nothing', () => {
    const objs = build();
    expect(args(objs).slice(args(objs).indexOf('--gpu-memory-utilization'))).toEqual(['--gpu-memory-utilization', '0.22']);
    expect(validateManifests(objs.map((object: any) => ({ object }))).filter((f) => f.ruleId === 'GPU406')).toEqual([]);
  });

  test('an explicit gpuMemoryUtilization is kept, and GPU406 warns when it is above the share', () => {
    const objs = build(0.5);
    expect(args(objs)).toContain('0.5');
    const [f] = validateManifests(objs.map((object: any) => ({ object }))).filter((x) => x.ruleId === 'GPU406');
    expect(f.message).toContain('--gpu-memory-utilization 0.5 on NodePool g5-dev, whose GPUs are time-sliced 4 ways');
  });

  test('on whole GPUs vLLM\'s own default stands (no flag)', () => {
    const c = Testing.chart();
    const g5Pool = new GpuNodePool(c, 'g5', { name: 'g5', instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 8, nodeClassProps: { role: 'KarpenterNodeRole-demo', clusterName: 'demo' } });
    new InferenceDeployment(c, 'llm', { pools: [g5Pool], vllm: { model: 'Qwen/Qwen2.5-0.5B-Instruct' } });
    expect(args(Testing.synth(c))).not.toContain('--gpu-memory-utilization');
  });
});
