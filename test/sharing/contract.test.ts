/**
 * The GpuConfigError contract of src/sharing on wrong types (constructs, cyclic objects, BigInts, null), the checks
 * of namespaces, label maps and boolean flags, the single-strategy MIG limit and the MigConfig / GpuOperator strategy
 * check. Complements test/property/sharing.property.test.ts with exact messages and fixed examples.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import { GpuInstanceType, MigGpu } from '../../src/catalog';
import { GpuNodePool } from '../../src/pools';
import { describeValue, textOf } from '../../src/private/describe';
import {
  DevicePluginConfig, GpuOperator, GpuOperatorSettings, MigConfig, MigDeviceGroup, MigLayout, MigSlice, MigStrategy,
} from '../../src/sharing';
import { GpuRequest, InferenceDeployment } from '../../src/workloads';
import { configError } from '../config-error';
import { expectValid } from '../conformance/schema';

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
const A100 = MigGpu.A100_40GB;
const pool = (c: Chart, id: string, types: GpuInstanceType[], gpuLimit = 8) =>
  new GpuNodePool(c, id, { name: id, instanceTypes: types, gpuLimit, nodeClassProps: BOUND });
const gpuLimitOf = (p: GpuNodePool) => p.nodePool.toJson().spec.limits['nvidia.com/gpu'];

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

describe('describeValue (error messages)', () => {
  test('textOf: a string as it is, a wrong type described (never [object Object] or undefined)', () => {
    expect(textOf('nvidia.com/gpu')).toBe('nvidia.com/gpu');
    expect(textOf({ value: 'true' })).toBe('{"value":"true"}');
    expect(textOf(undefined)).toBe('<none>');
    expect(textOf(8)).toBe('8');
    expect(textOf(['a'])).toBe('["a"]');
  });

  test('describes anything without throwing: constructs by path, cyclic objects, BigInts, symbols, prototype-less objects, hostile proxies', () => {
    const c = Testing.chart();
    const p = pool(c, 'p', [GpuInstanceType.P4D_24XLARGE]);
    const cyclic: any = { name: 'x' };
    cyclic.self = cyclic;
    const bare = Object.create(null);
    bare.a = 1;
    const hostile = new Proxy({}, { get() { throw new Error('no'); }, getPrototypeOf() { throw new Error('no'); }, ownKeys() { throw new Error('no'); } });
    expect(describeValue(p)).toBe(`the GpuNodePool ${p.node.path}`);
    expect(describeValue(cyclic)).toBe('[object Object]');
    expect(describeValue(BigInt(7))).toBe('7n');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
    expect(describeValue(bare)).toBe('{"a":1}');
    expect(describeValue(hostile)).toBe('<an unprintable value>');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue('15s')).toBe('"15s"');
    expect(describeValue([1, 'a'])).toBe('[1,"a"]');
    expect(describeValue(MigStrategy.MIXED)).toBe('a MigStrategy {"value":"mixed"}');
    expect(describeValue('x'.repeat(200))).toHaveLength(80);
    expect(describeValue({ big: BigInt(1) })).toBe('[object Object]');
  });

  test('errors name the bad value instead of throwing TypeError from JSON.stringify', () => {
    const c = Testing.chart();
    const p = pool(c, 'p', [GpuInstanceType.P4D_24XLARGE]);
    const cyclic: any = {};
    cyclic.self = cyclic;
    expect(configError(() => MigSlice.of('1g.5gb', BigInt(7) as any)).message)
      .toBe('MigSlice.of: count (1g.5gb) is 7n, not a whole number of instances ≥ 1. Fix: give how many instances of the profile each GPU gets, e.g. 7 for 1g.10gb');
    expect(configError(() => MigLayout.of(p as any, [])).message).toMatch(/^MigLayout: gpu is the GpuNodePool test\/p, not a MigGpu\. Fix: /);
    expect(configError(() => MigLayout.fromCounts(A100, p as any)).property).toBe('counts');
    expect(configError(() => MigLayout.of(A100, [cyclic])).message).toMatch(/slices\[0\] is \[object Object\], not a MigSlice/);
    expect(configError(() => MigDeviceGroup.devices([BigInt(1) as any], MigLayout.disabled(A100))).message).toMatch(/indices\[0\] is 1n, not a GPU index/);
    expect(configError(() => new DevicePluginConfig(c, 'dp', { migStrategy: cyclic })).property).toBe('migStrategy');
    expect(configError(() => new DevicePluginConfig(c, 'dp2').addTimeSlicing('k', { replicas: BigInt(4) as any })).message)
      .toMatch(/configs\["k"\]\.replicas is 4n, not a whole number ≥ 2/);
    expect(configError(() => MigLayout.preset(A100, Symbol('p') as any)).message).toMatch(/preset Symbol\(p\) is not a mig-parted default config/);
    expect(configError(() => GpuOperatorSettings.of({ nodeImage: p as any })).message).toMatch(/nodeImage is the GpuNodePool test\/p, not a GpuAmiFamily/);
  });
});

describe('wrong shapes reaching MigConfig / DevicePluginConfig / GpuOperatorSettings', () => {
  test('null props read as no props; null applyTo options as no options', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig', null as any);
    expect([cfg.name, cfg.namespace]).toEqual(['custom-mig-parted-config', 'gpu-operator']);
    const dp = new DevicePluginConfig(c, 'dp', null as any);
    expect([dp.name, dp.namespace, dp.migStrategy]).toEqual(['device-plugin-config', 'gpu-operator', MigStrategy.MIXED]);
    cfg.addLayout('a100', MigLayout.preset(A100, 'all-1g.5gb'));
    const [o] = cfg.applyTo(pool(c, 'p', [GpuInstanceType.P4D_24XLARGE]), 'a100', null as any);
    expect(o.toJson().spec.capacity).toEqual({ 'nvidia.com/gpu': '0', 'nvidia.com/mig-1g.5gb': '56' });
  });

  test('applyTo refuses a pool-shaped object before reading it', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('a100', MigLayout.preset(A100, 'all-1g.5gb'));
    const e = configError(() => cfg.applyTo({ allowedInstanceTypes: 'p4d.24xlarge' } as any, 'a100'));
    expect(e.message).toBe('test/mig.applyTo(?, \'a100\'): pool is {"allowedInstanceTypes":"p4d.24xlarge"}, not a GpuNodePool. '
      + 'Fix: pass a GpuNodePool (MIG configs are applied to the pool construct)');
    expect(configError(() => cfg.applyTo(pool(c, 'p', [GpuInstanceType.P4D_24XLARGE]), 'a100', { strategy: MigStrategy.NONE })).message)
      .toMatch(/strategy is none; MIG devices are only advertised with single or mixed/);
  });

  test('name must be a string ConfigMap name; namespace a string DNS-1123 label (no dots)', () => {
    const c = Testing.chart();
    expect(configError(() => new MigConfig(c, 'a', { name: 123 as any })).message).toMatch(/^test\/a: name is 123, not a string\. Fix: /);
    expect(configError(() => new DevicePluginConfig(c, 'b', { name: ['a'] as any })).message).toMatch(/^test\/b: name is \["a"\], not a string/);
    expect(configError(() => new MigConfig(c, 'c', { namespace: 'gpu.operator' })).message)
      .toMatch(/^test\/c: namespace is "gpu\.operator", not a DNS-1123 label .*Fix: use a namespace of at most 63 .*\(no dots\)/);
    expect(configError(() => new DevicePluginConfig(c, 'd', { namespace: true as any })).property).toBe('namespace');
    // A ConfigMap name may have dots (DNS-1123 subdomain).
    expect(new MigConfig(c, 'e', { name: 'mig.parted.config' }).name).toBe('mig.parted.config');
  });

  test('time-slicing flags must be booleans ("false" would read as true)', () => {
    const c = Testing.chart();
    const dp = new DevicePluginConfig(c, 'dp');
    const e = configError(() => dp.addTimeSlicing('shared', { replicas: 4, renameByDefault: 'false' as any }));
    expect(e.property).toBe('configs["shared"].renameByDefault');
    expect(e.message).toMatch(/is "false", not a boolean/);
    expect(configError(() => dp.addTimeSlicing('shared', { replicas: 4, failRequestsGreaterThanOne: 0 as any })).property)
      .toBe('configs["shared"].failRequestsGreaterThanOne');
    expect(dp.configKeys()).toEqual(['default']);
    dp.addTimeSlicing('shared', { replicas: 4, renameByDefault: true, failRequestsGreaterThanOne: false });
    expect(dp.sharedResource('shared')).toBe('nvidia.com/gpu.shared');
  });

  test('GpuOperatorSettings: namespace, boolean flags, serviceMonitorLabels and serviceMonitorInterval are type-checked', () => {
    const err = (props: any) => configError(() => GpuOperatorSettings.of(props));
    expect(err({ namespace: 'gpu.operator' }).property).toBe('namespace');
    expect(err({ namespace: 5 }).message).toMatch(/^GpuOperatorSettings: namespace is 5, not a string/);
    expect(err({ dcgmExporter: 'false' }).message).toMatch(/^GpuOperatorSettings: dcgmExporter is "false", not a boolean/);
    expect(err({ driver: 'true' }).property).toBe('driver');
    expect(err({ serviceMonitorInterval: 15 }).message).toMatch(/^GpuOperatorSettings: serviceMonitorInterval is 15, not a Duration\. Fix: /);
    expect(err({ serviceMonitorLabels: 'release=kps' }).property).toBe('serviceMonitorLabels');
    expect(err({ serviceMonitorLabels: { 'a/b/c': 'x' } }).message).toMatch(/serviceMonitorLabels\["a\/b\/c"\] is not a label key/);
    expect(err({ serviceMonitorLabels: { release: 5 } }).message).toMatch(/serviceMonitorLabels\["release"\] is 5, not a string/);
    expect(err({ serviceMonitorLabels: { release: 'kube prometheus' } }).property).toBe('serviceMonitorLabels["release"]');
    // Prefixed as the EKS stack resolves them.
    const c = Testing.chart();
    expect(configError(() => GpuOperatorSettings._resolve({ nfd: 1 as any }, c, 'gpuOperator.settings.')).property).toBe('gpuOperator.settings.nfd');
    // Valid: prefixed keys, empty values, null meaning the default.
    const s = GpuOperatorSettings.of({
      namespace: 'gpu-ops',
      serviceMonitorLabels: { 'example.com/team': 'ml', 'release': '' },
      gfd: null as any,
      serviceMonitorInterval: Duration.minutes(1),
    });
    expect([s.namespace, s.serviceMonitorLabels, s.gfd]).toEqual(['gpu-ops', { 'example.com/team': 'ml', 'release': '' }, true]);
    expect(s.toHelmValues().dcgmExporter.serviceMonitor.interval).toBe('60s');
  });
});

describe('single MIG strategy: limits count MIG instances', () => {
  test('A100-80GB on p4de.24xlarge, 1g.10gb × 3, gpuLimit 8: limit 24 (one node advertises 24 nvidia.com/gpu)', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('three', MigLayout.fromCounts(MigGpu.A100_80GB, { '1g.10gb': 3 }));
    const p = pool(c, 'p4de', [GpuInstanceType.P4DE_24XLARGE]);
    const [o] = cfg.applyTo(p, 'three', { strategy: MigStrategy.SINGLE });
    expect(o.toJson().spec.capacity).toEqual({ 'nvidia.com/gpu': '24' });
    expect(gpuLimitOf(p)).toBe(24);
    expect(p.gpuLimit).toBe(8); // still the physical GPUs
    new GpuOperator(c, 'op', { migConfig: cfg, migStrategy: MigStrategy.SINGLE });
    new InferenceDeployment(c, 'w', { pools: [p], gpus: GpuRequest.whole(1), image: 'example.com/server:1' });
    const objs = Testing.synth(c);
    expectValid(objs);
    expect(objs.find((x: any) => x.kind === 'NodePool').spec.limits['nvidia.com/gpu']).toBe(24);
  });

  test('gpuLimit × instances per GPU, rounded up when device groups differ; mixed leaves the limit alone', () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('seven', MigLayout.preset(A100, 'all-1g.5gb'));
    cfg.addConfig('uneven', [
      MigDeviceGroup.devices([0], MigLayout.fromCounts(A100, { '1g.5gb': 7 })),
      MigDeviceGroup.devices([1, 2, 3, 4, 5, 6, 7], MigLayout.fromCounts(A100, { '1g.5gb': 1 })),
    ]);
    const a = pool(c, 'a', [GpuInstanceType.P4D_24XLARGE], 16);
    cfg.applyTo(a, 'seven', { strategy: MigStrategy.SINGLE });
    expect(gpuLimitOf(a)).toBe(112);
    const b = pool(c, 'b', [GpuInstanceType.P4D_24XLARGE], 10);
    const [o] = cfg.applyTo(b, 'uneven', { strategy: MigStrategy.SINGLE });
    expect(o.toJson().spec.capacity).toEqual({ 'nvidia.com/gpu': '14' });
    expect(gpuLimitOf(b)).toBe(18); // 10 × 14 / 8 = 17.5
    const m = pool(c, 'm', [GpuInstanceType.P4D_24XLARGE], 16);
    cfg.applyTo(m, 'seven');
    expect(gpuLimitOf(m)).toBe(16);
  });
});

describe('MigConfig.applyTo strategy vs the GpuOperator\'s', () => {
  const setup = () => {
    const c = Testing.chart();
    const cfg = new MigConfig(c, 'mig');
    cfg.addLayout('seven', MigLayout.preset(A100, 'all-1g.5gb'));
    return { c, cfg, p: pool(c, 'p', [GpuInstanceType.P4D_24XLARGE]) };
  };

  test('a pool applied with single under a mixed operator (and the reverse) is refused', () => {
    const { c, cfg, p } = setup();
    cfg.applyTo(p, 'seven', { strategy: MigStrategy.SINGLE });
    const e = configError(() => new GpuOperator(c, 'op', { migConfig: cfg }));
    expect(e.message).toBe('test/op: migConfig was applied to test/p (config seven) with the single MIG strategy, but the operator uses mixed, '
      + 'so the pool advertises nvidia.com/gpu per MIG instance resources its nodes never get. '
      + 'Fix: use migStrategy: MigStrategy.SINGLE here, or apply the config with { strategy: MigStrategy.MIXED }');
    expect(configError(() => GpuOperatorSettings.of({ migConfig: cfg, migStrategy: MigStrategy.MIXED })).property).toBe('migConfig');
    expect(GpuOperatorSettings.of({ migConfig: cfg, migStrategy: MigStrategy.SINGLE }).migStrategy).toBe(MigStrategy.SINGLE);
  });

  test('an application after the operator is caught at synth', () => {
    const { c, cfg, p } = setup();
    new GpuOperator(c, 'op', { migConfig: cfg, migStrategy: MigStrategy.SINGLE });
    cfg.applyTo(p, 'seven');
    expect(() => Testing.synth(c)).toThrow(/test\/op: migConfig was applied to test\/p \(config seven\) with the mixed MIG strategy, but the operator uses single/);
  });

  test('matching strategies synthesise', () => {
    const { c, cfg, p } = setup();
    new GpuOperator(c, 'op', { migConfig: cfg, migStrategy: MigStrategy.SINGLE });
    cfg.applyTo(p, 'seven', { strategy: MigStrategy.SINGLE });
    expect(() => Testing.synth(c)).not.toThrow();
  });
});
