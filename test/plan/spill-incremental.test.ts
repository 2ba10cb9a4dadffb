/**
 * spill() packs only the instance type it adds replicas of, onto that type's nodes (packPool packs each type on its
 * own): the result is the one of packing the pool's whole assignment list again for every count, as the model is
 * defined (spill.ts), and the nodes it keeps per pool are packPool's.
 */
import * as fc from 'fast-check';
import { GpuInstanceType } from '../../src/catalog';
import { Assignment, exceededLimits, packPool, spill, SpillDemand, SpillInput } from '../../src/plan/spill';
import { poolModelOf, PoolModel } from '../../src/scheduling/nodepool';

/** The definition: the most replicas that fit, packing the pool's whole list of assignments for each count. */
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
      // The largest count that fits, every count tried from the top.
      let k = left;
      while (k > 0 && !fits(k)) k--;
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

/** One replica's demand: whole GPUs as the extended resource or through DRA (another packing dimension on the same nodes). */
const demandFields = {
  gpus: fc.constantFrom(1, 2, 4, 8),
  dra: fc.boolean(),
  cpu: fc.integer({ min: 1, max: 40 }),
  memGi: fc.integer({ min: 1, max: 300 }),
};
const demandOf = (w: { gpus: number; dra: boolean; cpu: number; memGi: number }) =>
  ({ demand: { [w.dra ? 'gpu.nvidia.com' : 'nvidia.com/gpu']: w.gpus }, cpu: w.cpu, memoryBytes: w.memGi * 2 ** 30 });

test('spill equals packing the whole pool for every count', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 64 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 800 }), { nil: undefined })),
    { minLength: 1, maxLength: 4 }),
    fc.array(fc.record({
      ...demandFields,
      replicas: fc.integer({ min: 0, max: 40 }),
      choices: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }),
    }), { minLength: 1, maxLength: 12 }),
    (poolSpecs, workloads) => {
      const pools = poolSpecs.map(([g, c], i) => pool(i, g, c));
      const inputs = workloads.map((w) => {
        const workload = demandOf(w);
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

test('more replicas never need fewer nodes: packPool of a pool\'s list with the last count grown', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ ...demandFields, count: fc.integer({ min: 0, max: 12 }) }), { minLength: 1, maxLength: 8 }),
    (raw) => {
      const p = pool(0, undefined, undefined);
      const list = raw.map((w) => ({ workload: demandOf(w), type: GpuInstanceType.G5_48XLARGE, count: w.count }));
      const last = list[list.length - 1];
      const nodes = (k: number) => packPool(p, [...list.slice(0, -1), { ...last, count: k }], undefined).get(GpuInstanceType.G5_48XLARGE) ?? 0;
      for (let k = 0; k < 12; k++) expect(nodes(k + 1)).toBeGreaterThanOrEqual(nodes(k));
    },
  ));
});

/**
 * Found by CI's fresh-seed property pass (FC_SEED=1762646948), when the pool's whole list was packed again largest
 * first for every count: on NodePool p1 (limit 16 GPUs, g5.48xlarge), the fourth workload's replicas fitted the limit
 * for 0 and 2 of them but not for 1, 3 or 4, and the answer depended on the counts the search probed. Packed as
 * Karpenter places them, onto the nodes already launched: the first two nodes have room for one replica (the first
 * node has DRA GPUs and memory left), a second needs a third node, past the limit.
 */
test('mixed DRA and extended-resource GPUs: the replicas take the room left on the launched nodes, the rest spills', () => {
  const pools = [pool(0, undefined, undefined), pool(1, 16, undefined), pool(2, undefined, undefined)];
  const on = (p: number) => [{ pool: pools[p], type: GpuInstanceType.G5_48XLARGE }];
  const w = (demand: Record<string, number>, cpu: number, memGi: number) => ({ demand, cpu, memoryBytes: memGi * 2 ** 30 });
  const inputs = [
    { workload: w({ 'nvidia.com/gpu': 2 }, 1, 14), replicas: 4, pools: on(1) },
    { workload: w({ 'gpu.nvidia.com': 1 }, 1, 118), replicas: 1, pools: on(1) },
    { workload: w({ 'nvidia.com/gpu': 4 }, 1, 293), replicas: 2, pools: on(1) },
    { workload: w({ 'gpu.nvidia.com': 4 }, 8, 268), replicas: 4, pools: on(1) },
  ];
  const placed = inputs.slice(0, 3).map((i) => ({ workload: i.workload, type: GpuInstanceType.G5_48XLARGE, count: i.replicas }));
  const nodes = (k: number) => packPool(pools[1], [...placed, { workload: inputs[3].workload, type: GpuInstanceType.G5_48XLARGE, count: k }],
    undefined).get(GpuInstanceType.G5_48XLARGE);
  expect([0, 1, 2, 3, 4].map(nodes)).toEqual([2, 2, 3, 3, 4]);
  const result = spill(inputs, undefined);
  expect(result.byPool.get(pools[1])!.map((a) => a.count)).toEqual([4, 1, 2, 1]);
  expect(result.pending.get(inputs[3].workload)).toBe(3);
  expect(result.nodes.get(pools[1])!.get(GpuInstanceType.G5_48XLARGE)).toBe(2);
  expect({ byPool: result.byPool, pending: result.pending }).toEqual(reference(inputs));
});
