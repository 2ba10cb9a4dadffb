/**
 * Every enum-like prop's error names the valid values (as code and as the manifest string), a case-insensitive
 * near miss, and the upstream rename where there is one (issue 21).
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { GpuInstanceType } from '../../src/catalog';
import { DcgmCollectors, DcgmMonitoring } from '../../src/monitoring';
import { CapacityReservation, CapacityType, GpuNodeClass, GpuNodePool, GpuNodePoolProps, TaintEffect } from '../../src/pools';
import { enumProblem, enumSpec } from '../../src/private/enum-values';
import { GpuScaleTarget, KedaGpuScaler } from '../../src/scaling';
import { DevicePluginConfig, GpuOperator } from '../../src/sharing';
import { TrainingJob } from '../../src/workloads';
import { BOUND, chart, configError } from '../pools/helpers';

const pool = (props: Partial<GpuNodePoolProps>) => () => new GpuNodePool(chart(), 'platform',
  { nodeClassProps: BOUND, instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 8, ...props } as GpuNodePoolProps);

describe('the shared helper', () => {
  enum Colour { RED = 'Red', DARK_BLUE = 'DarkBlue' }
  const spec = enumSpec('Colour', Colour as any, { Crimson: 'the old name of Red (Colour.RED)' });

  test('lists every value as code and string', () => {
    expect(enumProblem(spec, 'Green')).toEqual({
      problem: 'is "Green", not a Colour value',
      fix: 'use one of Colour.RED (\'Red\') or Colour.DARK_BLUE (\'DarkBlue\')',
    });
  });

  test('a case-insensitive near miss, by string or member name', () => {
    expect(enumProblem(spec, 'darkblue').problem).toMatch(/case-sensitive: did you mean Colour.DARK_BLUE \('DarkBlue'\)/);
    expect(enumProblem(spec, 'DARK_BLUE').problem).toMatch(/did you mean Colour.DARK_BLUE/);
  });

  test('a rename says what the old name is now', () => {
    expect(enumProblem(spec, 'Crimson').problem).toBe('is "Crimson", not a Colour value (\'Crimson\' is the old name of Red (Colour.RED))');
  });

  test('non-strings are described, never crash', () => {
    for (const v of [undefined, null, 3, {}, Symbol('x')]) expect(enumProblem(spec, v).fix).toContain('Colour.RED');
  });
});

describe('GpuNodePool', () => {
  test('consolidationPolicy WhenUnderutilized: valid values and the v1beta1 rename', () => {
    const e = configError(pool({ consolidationPolicy: 'WhenUnderutilized' as any }));
    expect(e.property).toBe('consolidationPolicy');
    expect(e.problem).toContain('\'WhenUnderutilized\' is Karpenter v1beta1\'s name for WhenEmptyOrUnderutilized (ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED)');
    for (const v of ['ConsolidationPolicy.WHEN_EMPTY (\'WhenEmpty\')', 'ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED (\'WhenEmptyOrUnderutilized\')', 'ConsolidationPolicy.BALANCED']) {
      expect(e.fix).toContain(v);
    }
  });

  test('consolidationPolicy in the wrong case: the near miss', () => {
    expect(configError(pool({ consolidationPolicy: 'whenempty' as any })).problem).toMatch(/did you mean ConsolidationPolicy.WHEN_EMPTY \('WhenEmpty'\)/);
  });

  test('budget reasons: valid values; Expired and Drift explained', () => {
    const expired = configError(pool({ budgets: [{ nodes: '1', reasons: ['Expired' as any] }] }));
    expect(expired.property).toBe('budgets[0].reasons[0]');
    expect(expired.problem).toMatch(/expiration is forceful/);
    expect(expired.fix).toBe('use one of DisruptionReason.EMPTY (\'Empty\'), DisruptionReason.UNDERUTILIZED (\'Underutilized\') or DisruptionReason.DRIFTED (\'Drifted\')');
    expect(configError(pool({ budgets: [{ nodes: '1', reasons: ['Empty', 'Drift' as any] }] })).problem).toMatch(/its budget reason is Drifted/);
  });

  test('taint effect: valid values and the near miss', () => {
    const e = configError(pool({ taints: [{ key: 'example.com/team', effect: 'noschedule' as any }] }));
    expect(e.property).toBe('taints.effect');
    expect(e.problem).toMatch(/did you mean TaintEffect.NO_SCHEDULE \('NoSchedule'\)/);
    expect(e.fix).toContain('TaintEffect.PREFER_NO_SCHEDULE (\'PreferNoSchedule\')');
    expect(e.fix).toContain('TaintEffect.NO_EXECUTE (\'NoExecute\')');
    expect(() => pool({ taints: [{ key: 'example.com/team', effect: TaintEffect.NO_EXECUTE }] })()).not.toThrow();
  });
});

test('DcgmCollectors.withFields type', () => {
  const e = configError(() => DcgmCollectors.basic().withFields([{ field: 'DCGM_FI_DEV_X', type: 'histogram' as any, help: 'x' }]));
  expect(e.property).toBe('extra[0].type');
  expect(e.fix).toBe('use one of DcgmMetricType.GAUGE (\'gauge\'), DcgmMetricType.COUNTER (\'counter\') or DcgmMetricType.LABEL (\'label\')');
  expect(configError(() => DcgmCollectors.basic().withFields([{ field: 'DCGM_FI_DEV_X', type: 'Gauge' as any, help: 'x' }])).problem)
    .toMatch(/did you mean DcgmMetricType.GAUGE/);
});

test('CapacityReservation.byTags kind', () => {
  const e = configError(() => CapacityReservation.byTags({ team: 'ml' }, { kind: 'capacity_block' as any }));
  expect(e.property).toBe('kind');
  expect(e.fix).toBe('use one of CapacityReservationKind.ON_DEMAND_CAPACITY_RESERVATION (\'default\') or CapacityReservationKind.CAPACITY_BLOCK (\'capacity-block\')');
  expect(CapacityReservation.byTags({ team: 'ml' }, { kind: 'capacity-block' as any }).kind).toBe('capacity-block');
});

test('GpuOperator nodeImage: al2 explained', () => {
  const e = configError(() => new GpuOperator(Testing.chart(), 'op', { nodeImage: 'al2' as any }));
  expect(e.property).toMatch(/nodeImage$/);
  expect(e.problem).toMatch(/'al2' is Amazon Linux 2, whose EKS-optimized AMIs reached end of support/);
  expect(e.fix).toBe('use one of GpuAmiFamily.AL2023 (\'al2023\') or GpuAmiFamily.BOTTLEROCKET (\'bottlerocket\')');
});

describe('enum-like classes and the remaining enum props (issue 21, every enum-like input)', () => {
  test('capacityType / capacityTypes: the members with their label values; a string answered with its member; the right prop', () => {
    const one = configError(pool({ capacityType: 'spot' as any }));
    expect(one.property).toBe('capacityType');
    expect(one.problem).toBe('is "spot", not a CapacityType (CapacityType takes its members, not their strings: pass CapacityType.SPOT for \'spot\')');
    expect(one.fix).toBe('use one of CapacityType.ON_DEMAND (\'on-demand\'), CapacityType.SPOT (\'spot\') or CapacityType.RESERVED (\'reserved\')');
    const many = configError(pool({ capacityTypes: [CapacityType.SPOT, 'On-Demand' as any] }));
    expect(many.property).toBe('capacityTypes[1]');
    expect(many.problem).toContain('pass CapacityType.ON_DEMAND for \'on-demand\'');
  });

  test('DcgmMonitoring mode: valid values as code and string', () => {
    const e = configError(() => new DcgmMonitoring(Testing.chart(), 'dcgm', { mode: 'operator' as any }));
    expect(e.message).toBe('test/dcgm: mode is "operator", not a DcgmExporterMode value. '
      + 'Fix: use one of DcgmExporterMode.OWN_EXPORTER (\'own-exporter\') or DcgmExporterMode.GPU_OPERATOR (\'gpu-operator\')');
  });

  test('DevicePluginConfig migStrategy: the members, and the string answered with its member', () => {
    const e = configError(() => new DevicePluginConfig(Testing.chart(), 'dp', { migStrategy: 'MIXED' as any }));
    expect(e.problem).toContain('pass MigStrategy.MIXED for \'mixed\'');
    expect(e.fix).toBe('use one of MigStrategy.NONE (\'none\'), MigStrategy.SINGLE (\'single\') or MigStrategy.MIXED (\'mixed\')');
  });

  test('GpuNodeClass ami: a string is refused (AL2 explained; an alias answered with GpuAmi.fromAlias), never rendered', () => {
    const al2 = configError(() => new GpuNodeClass(Testing.chart(), 'nc', { ...BOUND, ami: 'al2@latest' as any }));
    expect(al2.problem).toContain('AL2\'s EKS-optimized AMIs reached end of support');
    const alias = configError(() => new GpuNodeClass(Testing.chart(), 'nc', { ...BOUND, ami: 'al2023@latest' as any }));
    expect(alias.problem).toContain('pass GpuAmi.fromAlias("al2023@latest")');
    expect(alias.fix).toContain('GpuAmi.al2023()');
  });

  test('KedaGpuScaler profile: the members with their names', () => {
    const c = Testing.chart();
    const d = new kplus.Deployment(c, 'd', { metadata: { name: 'd' } });
    d.addContainer({ image: 'vllm/vllm-openai:v0.10.1', portNumber: 8000 });
    const e = configError(() => new KedaGpuScaler(c, 'scaler', { target: GpuScaleTarget.fromDeployment(d, { gpusPerReplica: 1 }), maxReplicas: 2, profile: 'batch' as any }));
    expect(e.property).toBe('profile');
    expect(e.problem).toContain('pass ScalingProfile.BATCH for \'batch\'');
    expect(e.fix).toContain('ScalingProfile.REAL_TIME (\'real-time\')');
  });

  test('TrainingJob restartPolicy: only the values a Job takes', () => {
    const c = Testing.chart();
    const p5 = new GpuNodePool(c, 'p5', { nodeClassProps: BOUND, instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 8 });
    const e = configError(() => new TrainingJob(c, 'train', { pools: [p5], image: 'nvcr.io/nvidia/pytorch:24.07-py3', restartPolicy: kplus.RestartPolicy.ALWAYS }));
    expect(e.message).toBe('test/train: restartPolicy is "Always", not a RestartPolicy value. Fix: use one of RestartPolicy.ON_FAILURE (\'OnFailure\') or RestartPolicy.NEVER (\'Never\')');
  });
});
