/**
 * spill() repacks only the instance type it adds replicas of (packPool packs each type on its own): the result is the
 * one of packing the pool's whole assignment list again at every step, as the model is defined (spill.ts), and the
 * nodes it keeps per pool are packPool's.
 */
import * as fc from 'fast-check';
import { GpuInstanceType } from '../../src/catalog';
import { Assignment, exceededLimits, packPool, spill, SpillDemand, SpillInput } from '../../src/plan/spill';
import { poolModelOf, PoolModel } from '../../src/scheduling/nodepool';

/** The definition: at every step, pack the pool's whole list of assignments. */
function reference<W extends SpillDemand>(inputs: ReadonlyArray<SpillInput<W>>) {
  const byPool = new Map<PoolModel, Array<Assignment<W>>>();
  const pending = new Map<W, number>();
  for (const input of inputs) {
    let left = input.replicas;
    for (const { pool, type } of input.pools) {
      if (left <= 0) break;
      const current = byPool.get(pool) ?? [];
      const fits = (k: number) =>
        exceededLimits(pool, packPool(pool, [...current, { workload: input.workload, type, count: k }], undefined)).length === 0;
      let k = left;
      if (!fits(k)) {
        let lo = 0;
        let hi = left;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (fits(mid)) lo = mid;
          else hi = mid;
        }
        k = lo;
      }
      if (k > 0) {
        byPool.set(pool, [...current, { workload: input.workload, type, count: k }]);
        left -= k;
      }
    }
    if (left > 0) pending.set(input.workload, left);
  }
  return { byPool, pending };
}

const TYPES = [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_12XLARGE, GpuInstanceType.G5_48XLARGE, GpuInstanceType.P4D_24XLARGE];
const pool = (i: number, gpuLimit: number | undefined, cpuLimit: number | undefined) => poolModelOf({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: `p${i}` },
  spec: {
    template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'd' }, requirements: [] } },
    limits: { ...(gpuLimit !== undefined ? { 'nvidia.com/gpu': gpuLimit } : {}), ...(cpuLimit !== undefined ? { cpu: cpuLimit } : {}) },
  },
});

test('spill equals packing the whole pool at every step', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 64 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 800 }), { nil: undefined })),
    { minLength: 1, maxLength: 4 }),
    fc.array(fc.record({
      gpus: fc.constantFrom(1, 2, 4, 8),
      // Whole GPUs as the extended resource or through DRA (another packing dimension on the same nodes).
      dra: fc.boolean(),
      cpu: fc.integer({ min: 1, max: 40 }),
      memGi: fc.integer({ min: 1, max: 300 }),
      replicas: fc.integer({ min: 0, max: 40 }),
      choices: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }),
    }), { minLength: 1, maxLength: 12 }),
    (poolSpecs, workloads) => {
      const pools = poolSpecs.map(([g, c], i) => pool(i, g, c));
      const inputs = workloads.map((w) => {
        const workload = { demand: { [w.dra ? 'gpu.nvidia.com' : 'nvidia.com/gpu']: w.gpus }, cpu: w.cpu, memoryBytes: w.memGi * 2 ** 30 };
        const seen = new Set<PoolModel>();
        const choices = w.choices.map(([p, t]) => ({ pool: pools[p % pools.length], type: TYPES[t % TYPES.length] }))
          .filter((c) => c.type.gpuCount >= w.gpus && !seen.has(c.pool) && seen.add(c.pool));
        return { workload, replicas: w.replicas, pools: choices };
      }).filter((i) => i.pools.every((c) => c.type.vcpu - 1 >= i.workload.cpu
        && c.type.memoryMiB * 2 ** 20 * 0.85 - 3 * 2 ** 30 >= i.workload.memoryBytes)); // one replica fits an empty node
      const result = spill(inputs, undefined);
      const { byPool, pending } = reference(inputs);
      expect({ byPool: result.byPool, pending: result.pending }).toEqual({ byPool, pending });
      // The nodes it keeps per pool with limits are packPool's, types in the same order.
      for (const [p, nodes] of result.nodes) expect([...nodes]).toEqual([...packPool(p, byPool.get(p) ?? [], undefined)]);
      expect([...result.nodes.keys()].every((p) => Object.keys(p.limits).length > 0)).toBe(true);
    },
  ));
});

/**
 * A known defect, found by CI's fresh-seed property pass (FC_SEED=1762646948) and reproduced on code before the
 * thirteenth session: packPool is not monotone in the replicas it packs when whole GPUs are asked for both as
 * `nvidia.com/gpu` and through DRA on the same type. On NodePool p1 (limit 16 GPUs, g5.48xlarge), the fourth
 * workload's replicas fit the limit for 0 and 2 of them but not for 1, 3 or 4. spill() searches on the assumption that
 * more replicas never need fewer nodes, so it places none; the definition's plain binary search places 2. The fix
 * belongs in packPool (pack the added replicas so the node count never falls as k grows). When it lands, this test
 * fails: make it a plain `test`.
 */
test.failing('known defect: non-monotone packing with mixed DRA and extended-resource GPUs (FC_SEED=1762646948)', () => {
  const pools = [pool(0, undefined, undefined), pool(1, 16, undefined), pool(2, undefined, undefined)];
  const on = (p: number) => [{ pool: pools[p], type: GpuInstanceType.G5_48XLARGE }];
  const w = (demand: Record<string, number>, cpu: number, memGi: number) => ({ demand, cpu, memoryBytes: memGi * 2 ** 30 });
  const inputs = [
    { workload: w({ 'nvidia.com/gpu': 2 }, 1, 14), replicas: 4, pools: on(1) },
    { workload: w({ 'gpu.nvidia.com': 1 }, 1, 118), replicas: 1, pools: on(1) },
    { workload: w({ 'nvidia.com/gpu': 4 }, 1, 293), replicas: 2, pools: on(1) },
    { workload: w({ 'gpu.nvidia.com': 4 }, 8, 268), replicas: 4, pools: on(1) },
  ];
  const result = spill(inputs, undefined);
  const { byPool, pending } = reference(inputs);
  expect({ byPool: result.byPool, pending: result.pending }).toEqual({ byPool, pending });
});
