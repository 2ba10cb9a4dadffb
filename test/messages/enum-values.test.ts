/**
 * Every enum-like prop's error names the valid values (as code and as the manifest string), a case-insensitive
 * near miss, and the upstream rename where there is one (issue 21).
 */
import { Testing } from 'cdk8s';
import { GpuInstanceType } from '../../src/catalog';
import { DcgmCollectors } from '../../src/monitoring';
import { CapacityReservation, GpuNodePool, GpuNodePoolProps, TaintEffect } from '../../src/pools';
import { enumProblem, enumSpec } from '../../src/private/enum-values';
import { GpuOperator } from '../../src/sharing';
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
