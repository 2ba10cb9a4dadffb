/**
 * Kueue queues over random pools and quotas: whatever fits the pools' limits synthesises to objects valid against
 * the Kueue v0.19.2 CRDs (schema + CEL) that every rule accepts; a GPU quota above the pool's limit, a lending limit
 * above the nominal quota, or limits without a cohort are GpuConfigErrors naming the prop.
 */
import * as fc from 'fast-check';
import { BOUND, RUNS_HEAVY, chart, expectCleanSynth, expectConfigError, instanceTypes, params } from './arbitraries';
import { GpuNodePool } from '../../src/pools';
import { GpuClusterQueue, GpuResourceFlavor, GpuWorkloadPriorities } from '../../src/queues';
import { GpuRequest, TieredPriorities, TrainingJob } from '../../src/workloads';

const RUNS = Math.max(10, Math.round(RUNS_HEAVY / 3));

const queueCase = fc.record({
  types: instanceTypes((t) => t.gpuCount > 0, 3),
  limitNodes: fc.integer({ min: 1, max: 4 }),
  shares: fc.array(fc.record({
    frac: fc.double({ min: 0, max: 1, noNaN: true }),
    borrow: fc.option(fc.integer({ min: 0, max: 16 }), { nil: undefined }),
    lendFrac: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  }), { minLength: 1, maxLength: 3 }),
  cohort: fc.boolean(),
  tiers: fc.boolean(),
});

describe('GpuClusterQueue (property)', () => {
  test('quotas within the pool limit: valid Kueue objects, no rule finding; the job in the queue is suspended and labelled', () => {
    fc.assert(fc.property(queueCase, (k) => {
      const c = chart();
      const maxGpus = Math.max(...k.types.map((t) => t.gpuCount));
      const pool = new GpuNodePool(c, 'pool', { name: 'pool', instanceTypes: k.types, maxNodes: k.limitNodes, nodeClassProps: BOUND });
      const flavor = new GpuResourceFlavor(c, 'flavor', { pool });
      const tiers = new TieredPriorities(c, 'tiers');
      const wp = k.tiers ? new GpuWorkloadPriorities(c, 'wp', { priorities: tiers }) : undefined;
      const team = tiers.addTeam('team');
      // Each queue gets a share of what is left, so the sum over queues stays within the pool limit (rule GPU500).
      let left = pool.gpuLimit;
      const queues = k.shares.map((s, i) => {
        const gpus = Math.floor(left * s.frac);
        left -= gpus;
        const lend = s.lendFrac === undefined ? undefined : Math.floor(gpus * s.lendFrac);
        return new GpuClusterQueue(c, `q${i}`, {
          name: `q${i}`,
          ...(k.cohort ? { cohort: 'all' } : {}),
          priorities: wp,
          quotas: [{ flavor, gpus, ...(k.cohort ? { gpuBorrowingLimit: s.borrow, gpuLendingLimit: lend } : {}) }],
        });
      });
      const queue = queues[0].addLocalQueue(team);
      new TrainingJob(c, 'job', { image: 'trainer:1', pools: [pool], team, queue, gpus: GpuRequest.whole(Math.min(maxGpus, 2)), priority: tiers.training });
      const objs = expectCleanSynth(c);
      const job = objs.find((o) => o.kind === 'Job');
      expect(job.spec.suspend).toBe(true);
      expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('q0');
      expect(job.metadata.labels['kueue.x-k8s.io/priority-class']).toBe(k.tiers ? 'training-normal' : undefined);
      const total = objs.filter((o) => o.kind === 'ClusterQueue')
        .reduce((sum, cq) => sum + cq.spec.resourceGroups[0].flavors[0].resources[0].nominalQuota, 0);
      expect(total).toBeLessThanOrEqual(pool.gpuLimit);
    }), params(RUNS));
  });

  test('a GPU quota above the pool limit, lending above nominal, limits without a cohort: GpuConfigError on the prop', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 8 }), (limit, extra) => {
      const c = chart();
      const pool = new GpuNodePool(c, 'pool', { name: 'pool', families: ['g5'], gpuLimit: Math.max(limit, 8), nodeClassProps: BOUND });
      const flavor = new GpuResourceFlavor(c, 'flavor', { pool });
      expectConfigError(() => new GpuClusterQueue(c, 'a', { quotas: [{ flavor, gpus: pool.gpuLimit + extra }] }), 'test/a', 'quotas[0].gpus');
      expectConfigError(() => new GpuClusterQueue(c, 'b', { cohort: 'x', quotas: [{ flavor, gpus: 1, gpuLendingLimit: 1 + extra }] }), 'test/b', 'quotas[0].gpuLendingLimit');
      expectConfigError(() => new GpuClusterQueue(c, 'c', { quotas: [{ flavor, gpus: 1, gpuBorrowingLimit: extra }] }), 'test/c', 'quotas[0].gpuBorrowingLimit');
    }), params(RUNS));
  });
});
