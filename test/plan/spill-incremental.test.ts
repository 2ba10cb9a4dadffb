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
