/**
 * TieredGpuCapacity, GpuNodePool and GpuNodeClass input checks on capacity reservations, business hours and the
 * tier switches: wrong shapes are GpuConfigError naming the construct and the property, never a TypeError or a
 * silently missing tier.
 */
import { Testing } from 'cdk8s';
import { BOUND, chart, configError } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { CapacityReservation, CapacityType, GpuNodeClass, GpuNodePool, GpuNodePoolProps, TieredGpuCapacity } from '../../src/pools';

const base: GpuNodePoolProps = { instanceTypes: [GpuInstanceType.G5_XLARGE, GpuInstanceType.G6_XLARGE], gpuLimit: 8, nodeClassProps: BOUND };
const cr = CapacityReservation.onDemandReservation('cr-0123456789abcdef0');

/** Builds and synthesises tiers from `props` (typed loosely: these tests pass what TypeScript would refuse). */
function tiers(props: any): () => void {
  return () => {
    const c = chart();
    new TieredGpuCapacity(c, 'tiers', props);
    Testing.synth(c);
  };
}

describe('TieredGpuCapacity input', () => {
  test.each<[string, any, string]>([
    ['props undefined', undefined, 'props'],
    ['props null', null, 'props'],
    ['base a string', { base: 'g5' }, 'base'],
    ['base.name ""', { base: { ...base, name: '' } }, 'base.name'],
    ['base.name 5', { base: { ...base, name: 5 } }, 'base.name'],
    ['one reservation, not a list', { base, reservations: cr, spot: false, onDemand: false }, 'reservations'],
    ['reservations an id string', { base, reservations: 'cr-0123456789abcdef0' }, 'reservations'],
    ['reservations [undefined]', { base, reservations: [undefined] }, 'reservations[0]'],
    ['reservations [cr, an id string]', { base, reservations: [cr, 'cr-0123456789abcdef0'] }, 'reservations[1]'],
    ['businessHours a string', { base, businessHours: 'weekdays' }, 'businessHours'],
    ['businessHours null', { base, businessHours: null }, 'businessHours'],
    ['businessHours.startHourUtc 25', { base, businessHours: { startHourUtc: 25 } }, 'businessHours.startHourUtc'],
    ['businessHours.startHourUtc 8.5', { base, businessHours: { startHourUtc: 8.5 } }, 'businessHours.startHourUtc'],
    ['spot "no"', { base, spot: 'no' }, 'spot'],
    ['onDemand 0', { base, onDemand: 0 }, 'onDemand'],
  ])('%s is refused on the construct', (_label, props, property) => {
    const e = configError(tiers(props));
    expect(e.constructPath).toBe('test/tiers');
    expect(e.property).toBe(property);
    expect(e.message).toMatch(/^test\/tiers: \S+ .*\. Fix: \S/);
  });

  test('a single reservation in a list still makes the reserved tier', () => {
    const c = chart();
    const t = new TieredGpuCapacity(c, 'tiers', { base: { ...base, name: 'gpu' }, reservations: [cr], spot: false, onDemand: false });
    expect(t.pools.map((p) => p.poolName)).toEqual(['gpu-reserved']);
    const [nc] = Testing.synth(c).filter((o) => o.kind === 'EC2NodeClass');
    expect(nc.spec.capacityReservationSelectorTerms).toEqual([{ id: 'cr-0123456789abcdef0' }]);
  });
});

describe('GpuNodePool / GpuNodeClass capacityReservations input', () => {
  const reserved: GpuNodePoolProps = { ...base, capacityType: CapacityType.RESERVED };

  test.each<[string, any, string]>([
    ['an id string', 'cr-0123456789abcdef0', 'capacityReservations'],
    ['one reservation, not a list', cr, 'capacityReservations'],
    ['[undefined]', [undefined], 'capacityReservations[0]'],
    ['[cr, {}]', [cr, {}], 'capacityReservations[1]'],
  ])('GpuNodePool: %s is refused', (_label, capacityReservations, property) => {
    const c = chart();
    const e = configError(() => new GpuNodePool(c, 'pool', { ...reserved, capacityReservations }));
    expect(e.constructPath).toBe('test/pool');
    expect(e.property).toBe(property);
  });

  test.each<[string, any]>([
    ['an id string', 'cr-0123456789abcdef0'],
    ['[undefined]', [undefined]],
  ])('GpuNodeClass: %s is refused', (_label, capacityReservations) => {
    const e = configError(() => new GpuNodeClass(chart(), 'nc', { ...BOUND, capacityReservations }));
    expect(e.constructPath).toBe('test/nc');
    expect(e.property).toBe('capacityReservations');
  });

  test('GpuNodeClass.addCapacityReservation refuses a non-reservation instead of failing at synth', () => {
    const c = chart();
    const nc = new GpuNodeClass(c, 'nc', BOUND);
    const e = configError(() => nc.addCapacityReservation('cr-0123456789abcdef0' as any));
    expect(e.property).toBe('capacityReservations');
    expect(nc.capacityReservations).toEqual([]);
    expect(() => Testing.synth(c)).not.toThrow();
  });
});
