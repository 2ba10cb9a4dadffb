/**
 * Every problem of one construct at once, for the pools (GpuNodePool, SpotGpuPool, GpuNodeClass,
 * TieredGpuCapacity): k independent faults → one GpuConfigError naming all k props (test/property/all-at-once.ts).
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import { Fault, expectEveryFault } from './all-at-once';
import { BOUND } from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import { GpuConfigError } from '../../src/errors';
import {
  CapacityType, GpuNodeClass, GpuNodeClassProps, GpuNodePool, GpuNodePoolProps, SpotGpuPool, SpotGpuPoolProps, TaintEffect,
  TieredGpuCapacity, TieredGpuCapacityProps,
} from '../../src/pools';
import { configError } from '../config-error';

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

const f = <P>(prop: string, over: (p: NoInfer<P>) => Partial<NoInfer<P>>): Fault<P> => ({ prop, apply: (p) => ({ ...p, ...over(p) }) });

const POOL: GpuNodePoolProps = { instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: BOUND };

const poolFaults: Fault<GpuNodePoolProps>[] = [
  f('name', () => ({ name: 'Not_A_Name' })),
  f('gpuLimit', () => ({ gpuLimit: 0 })),
  f('weight', () => ({ weight: 0 })),
  f('capacityTypes', () => ({ capacityTypes: [] })),
  f('consolidateAfter', () => ({ consolidateAfter: Duration.millis(1500) })),
  f('expireAfter', () => ({ expireAfter: Duration.hours(1), neverExpire: true })),
  f('consolidationPolicy', () => ({ consolidationPolicy: 'WhenUnderutilized' as any })),
  f('budgets', () => ({ budgets: [{ nodes: 'many' }] })),
  f('taints', () => ({ taints: [{ key: 'bad key!', effect: TaintEffect.NO_SCHEDULE }] })),
  f('labels', () => ({ labels: { 'karpenter.sh/nodepool': 'x' } })),
  f('efa', () => ({ efa: 'yes' as any })),
  f('capacityReservations', () => ({ capacityReservations: 'cr-0123456789abcdef0' as any })),
];

describe('every problem at once: pools', () => {
  test('GpuNodePool: k faults → one error naming all k props', () => {
    expectEveryFault((c, p) => new GpuNodePool(c, 'pool', p), POOL, poolFaults);
  });

  test('GpuNodePool: the node class\'s own problems join the pool\'s, with their own path', () => {
    const e = configError(() => new GpuNodePool(Testing.chart(), 'pool', {
      ...POOL, gpuLimit: 0, nodeClassProps: { role: '', clusterName: 'demo', maxPods: 0 },
    }));
    expect(e.errors.map((x) => `${x.constructPath} ${x.property}`)).toEqual(['test/pool gpuLimit', 'test/pool/NodeClass role', 'test/pool/NodeClass maxPods']);
    expect(e.message.split('\n')[0]).toBe('test/pool: 3 problems:');
    expect(e.message).toMatch(/\n {2}- gpuLimit is 0\. Fix: pass a whole number of GPUs >= 1\n {2}- test\/pool\/NodeClass: role /);
    expect(e.property).toBe('gpuLimit, role, maxPods');
  });

  test('GpuNodePool: a check that depends on a failed prop is skipped (no consequential noise)', () => {
    // instanceTypes wrong: gpuLimit and efa are not judged against it.
    const e = configError(() => new GpuNodePool(Testing.chart(), 'pool', {
      ...POOL, instanceTypes: [{ name: 'p9.huge' } as any], gpuLimit: 1, efa: true, weight: 0,
    }));
    expect(e.errors.map((x) => x.property)).toEqual(['instanceTypes[0]', 'weight']);
  });

  test('GpuNodePool: one fault keeps the one-error message', () => {
    const e = configError(() => new GpuNodePool(Testing.chart(), 'pool', { ...POOL, gpuLimit: 0 }));
    expect(e.message).toBe('test/pool: gpuLimit is 0. Fix: pass a whole number of GPUs >= 1');
    expect(e.errors).toEqual([e]);
  });

  test('SpotGpuPool: its own props and GpuNodePool\'s in one error', () => {
    const spotFaults: Fault<SpotGpuPoolProps>[] = [
      ...poolFaults.filter((x) => x.prop !== 'capacityTypes'),
      f('capacityType', () => ({ capacityType: CapacityType.ON_DEMAND })),
      f('fallbackWeight', () => ({ fallbackWeight: 5 })),
    ];
    expectEveryFault((c, p) => new SpotGpuPool(c, 'spot', p), { ...POOL, instanceTypes: [GpuInstanceType.P5_48XLARGE, GpuInstanceType.P4D_24XLARGE, GpuInstanceType.P5E_48XLARGE] } as SpotGpuPoolProps, spotFaults);
  });

  test('GpuNodeClass: k faults → one error naming all k props', () => {
    const faults: Fault<GpuNodeClassProps>[] = [
      f('name', () => ({ name: 'Not_A_Name' })),
      f('role', () => ({ role: '' })),
      f('clusterName', () => ({ clusterName: '  ' })),
      f('volume', () => ({ volume: { size: Size.gibibytes(0) } })),
      f('maxPods', () => ({ maxPods: 0 })),
      f('imageGcLowThresholdPercent', () => ({ imageGcLowThresholdPercent: 101 })),
      f('tags', () => ({ tags: { 'karpenter.sh/nodepool': 'x' } })),
      f('placementGroup', () => ({ placementGroup: 'pg-1' as any })),
      f('efaInterfaces', () => ({ efaInterfaces: 0 })),
      f('capacityReservations', () => ({ capacityReservations: {} as any })),
    ];
    expectEveryFault((c, p) => new GpuNodeClass(c, 'nc', p), { ...BOUND }, faults);
  });

  test('TieredGpuCapacity: its own props and its tiers\' in one error', () => {
    const faults: Fault<TieredGpuCapacityProps>[] = [
      f('reservations', () => ({ reservations: 'cr-0123456789abcdef0' as any })),
      f('spot', () => ({ spot: 'no' as any })),
      f('businessHours', () => ({ businessHours: { startHourUtc: 25 } })),
      f('spotGpuLimit', () => ({ spotGpuLimit: 0 })),
      f('onDemandGpuLimit', () => ({ onDemandGpuLimit: 0 })),
    ];
    // spotGpuLimit and onDemandGpuLimit are the tiers' gpuLimit.
    const rename: Record<string, string> = { spotGpuLimit: 'gpuLimit', onDemandGpuLimit: 'gpuLimit' };
    const tiered = (c: Chart, p: TieredGpuCapacityProps) => new TieredGpuCapacity(c, 't', p);
    expectEveryFault(tiered, { base: POOL } as TieredGpuCapacityProps, faults.filter((x) => !rename[x.prop]));
    const e = configError(() => tiered(Testing.chart(), { base: POOL, spot: 'no' as any, onDemandGpuLimit: 0, reservedGpuLimit: 8 }));
    expect(e.errors.map((x) => `${x.constructPath} ${x.property}`)).toEqual(['test/t spot', 'test/t reservedGpuLimit', 'test/t/OnDemand gpuLimit']);
  });

  test('GpuConfigError.combine: flattens, keeps one error as it is, refuses none', () => {
    const a = new GpuConfigError('x', 'a', 'is bad', 'fix a');
    const b = new GpuConfigError('x/y', 'b', 'is bad', 'fix b');
    expect(GpuConfigError.combine('x', [a])).toBe(a);
    const ab = GpuConfigError.combine('x', [a, b]);
    const abc = GpuConfigError.combine('x', [ab, new GpuConfigError('x', 'c', 'is bad', 'fix c')]);
    expect(abc.errors.map((e) => e.property)).toEqual(['a', 'b', 'c']);
    expect(abc.message).toBe('x: 3 problems:\n  - a is bad. Fix: fix a\n  - x/y: b is bad. Fix: fix b\n  - c is bad. Fix: fix c');
    expect(abc).toBeInstanceOf(GpuConfigError);
    expect(abc.name).toBe('GpuConfigError');
    expect(() => GpuConfigError.combine('x', [])).toThrow(/at least one/);
  });
});
