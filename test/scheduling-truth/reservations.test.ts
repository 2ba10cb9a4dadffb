/**
 * Issue 15, case 6: reservations declared once (the stack's list is what pools use; a pool naming a reservation the
 * stack does not know is refused) and a Capacity Block's end warns a TrainingJob whose activeDeadline outlives it.
 */
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { Duration } from 'cdk8s';
import { GpuEksStack } from '../../src/eks';
import { CapacityReservation, CapacityType, GpuNodePool } from '../../src/pools';
import { TrainingJob } from '../../src/workloads';
import { _warnCapacityBlockEnds } from '../../src/workloads/capacity-block';
import { configError } from '../config-error';
import { BOUND } from '../workloads/helpers';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const KNOWN = 'cr-0123456789abcdef0';
const OTHER = 'cr-0fedcba9876543210';

describe('reservations are declared once, on the stack', () => {
  const stack = new GpuEksStack(new App(), 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, capacityReservationIds: [KNOWN] });

  test('the cluster hands out the reservations it knows, and refuses others', () => {
    expect(stack.gpuCluster.capacityReservation(KNOWN).id).toBe(KNOWN);
    const block = stack.gpuCluster.capacityReservation(KNOWN, new Date('2027-01-01T00:00:00Z'));
    expect(block.kind).toBe('capacity-block');
    expect(block.endsAt?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(configError(() => stack.gpuCluster.capacityReservation(OTHER)).message)
      .toMatch(/capacityReservation\(id\) is "cr-0fedcba9876543210", not one of the cluster's capacityReservationIds \[cr-0123456789abcdef0\]/);
  });

  test('a chart whose pool names a reservation the stack does not know is refused by addChart', () => {
    const chart = new cdk8s.Chart(new cdk8s.App(), 'pools');
    new GpuNodePool(chart, 'h100', { name: 'h100', families: ['p5'], gpuLimit: 16, capacityType: CapacityType.RESERVED, capacityReservations: [CapacityReservation.capacityBlock(OTHER)] });
    const e = configError(() => stack.addChart(chart));
    expect(e.message).toMatch(/selects capacity reservation cr-0fedcba9876543210, not one of the cluster's capacityReservationIds/);
    expect(e.fix).toMatch(/stack.gpuCluster.capacityReservation\(id\)/);
  });
});

describe('a Capacity Block\'s end and a TrainingJob\'s activeDeadline', () => {
  const NOW = Date.parse('2026-12-05T08:00:00Z');
  const pool = (endsAt: Date) => {
    const c = new cdk8s.Chart(new cdk8s.App(), 'c');
    const p = new GpuNodePool(c, 'block', { name: 'block', families: ['p5'], gpuLimit: 16, nodeClassProps: BOUND, capacityType: CapacityType.RESERVED, capacityReservations: [CapacityReservation.capacityBlock(KNOWN, endsAt)] });
    return { c, p };
  };

  test('a 24 h deadline on a block ending in 12 h warns (Karpenter drains 40 min before the end)', () => {
    const { c, p } = pool(new Date(NOW + 12 * 3600_000));
    const warnings = _warnCapacityBlockEnds(c, [p], 24 * 3600, NOW);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/activeDeadline is 1440 min, but Capacity Block cr-0123456789abcdef0 of pool block ends at 2026-12-05T20:00:00.000Z and Karpenter drains its nodes 40 minutes before that \(680 min after the job.s start\)/);
  });

  test('a deadline that ends before the drain does not warn, nor does a block without an end', () => {
    const { c, p } = pool(new Date(NOW + 12 * 3600_000));
    expect(_warnCapacityBlockEnds(c, [p], 11 * 3600, NOW)).toEqual([]);
    // 12 h − 40 min = 11 h 20 min: a deadline of 11 h 30 min reaches past the drain.
    expect(_warnCapacityBlockEnds(c, [p], 11.5 * 3600, NOW)).toHaveLength(1);
  });

  test('TrainingJob records the warning on itself', () => {
    const { c, p } = pool(new Date(NOW + 2 * 3600_000));
    const spy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const job = new TrainingJob(c, 'train', { pools: [p], image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', activeDeadline: Duration.hours(24), startsAt: new Date(NOW) });
      const meta = job.node.metadata.filter((m) => m.type === 'cdk8s-gpu/warning').map((m) => String(m.data));
      expect(meta.join('\n')).toMatch(/Capacity Block cr-0123456789abcdef0 of pool block/);
    } finally {
      spy.mockRestore();
    }
  });
});
