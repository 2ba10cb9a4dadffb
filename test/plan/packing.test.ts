import * as fc from 'fast-check';
import { packFirstFitDecreasing, PackGroup } from '../../src/plan';
import { FirstFitPack, packFirstFit } from '../../src/plan/packing';
import { params } from '../property/arbitraries';

/** Item-by-item first fit of the items in the order given, the textbook way. */
function naiveFf(capacity: readonly number[], items: ReadonlyArray<readonly number[]>): number {
  const nodes: number[][] = [];
  for (const size of items) {
    if (size.every((v) => v <= 0)) continue;
    const fits = (room: number[]) => room.every((r, d) => size[d] <= r + 1e-9);
    let node = nodes.find(fits);
    if (!node) { node = [...capacity]; nodes.push(node); }
    size.forEach((v, d) => { node![d] -= v; });
  }
  return nodes.length;
}

const itemsOf = (groups: ReadonlyArray<{ g: PackGroup }>) => groups.flatMap((x) => Array.from({ length: x.g.count }, () => x.g.size));

/** Item-by-item first-fit decreasing, the textbook way: the reference the grouped packer must equal. */
function naiveFfd(capacity: readonly number[], groups: PackGroup[]): number {
  const weight = (g: PackGroup) => g.size.reduce((s, v, d) => s + (capacity[d] > 0 ? v / capacity[d] : 0), 0);
  return naiveFf(capacity, itemsOf(groups.map((g, i) => ({ g, i, w: weight(g) })).filter((x) => x.g.count > 0)
    .sort((a, b) => b.w - a.w || a.i - b.i)));
}

/** Random groups on [gpus, cpus] nodes, each item fitting an empty node. */
const groupsArb = fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 })).chain(([gpus, cpus]) => fc.tuple(
  fc.constant([gpus, cpus]),
  fc.array(fc.record({ gpu: fc.integer({ min: 0, max: 8 }), cpu: fc.integer({ min: 0, max: 64 }), count: fc.integer({ min: 0, max: 30 }) })
    .map((g) => ({ size: [Math.min(g.gpu, gpus), Math.min(g.cpu, cpus)], count: g.count })), { maxLength: 6 }),
));

describe('packFirstFitDecreasing', () => {
  test('packs by the tightest dimension', () => {
    // 8 GPUs, 96 cpu: 4-GPU/8-cpu replicas → 2 per node; 10 replicas → 5 nodes.
    expect(packFirstFitDecreasing([8, 96], [{ size: [4, 8], count: 10 }])).toBe(5);
    // cpu-bound: 1 GPU but 40 cpu each → 2 per node by cpu.
    expect(packFirstFitDecreasing([8, 96], [{ size: [1, 40], count: 5 }])).toBe(3);
    // Smaller items fill the holes larger ones leave: 3 × 6 GPUs leave 2 free on each of 3 nodes for 3 × 2 GPUs.
    expect(packFirstFitDecreasing([8, 96], [{ size: [2, 1], count: 3 }, { size: [6, 1], count: 3 }])).toBe(3);
    expect(packFirstFitDecreasing([8, 96], [{ size: [4, 8], count: 0 }])).toBe(0);
    expect(packFirstFitDecreasing([8, 96], [])).toBe(0);
  });

  test('per-node counts round down: [8 GPU, 64 cpu] nodes, [3,1] × 2, [1,1] × 1, [1,0] × 1 fit one node', () => {
    // 3+3+1+1 = 8 GPUs, 1+1+1+0 = 3 cpu. Rounding floor(1 / 2) up would fill the first node with 2 × [1,1] and open a second.
    const groups = [{ size: [3, 1], count: 2 }, { size: [1, 1], count: 1 }, { size: [1, 0], count: 1 }];
    expect(packFirstFitDecreasing([8, 64], groups)).toBe(1);
    expect(naiveFfd([8, 64], groups)).toBe(1);
  });

  test('an item larger than a node is refused', () => {
    expect(() => packFirstFitDecreasing([8, 96], [{ size: [9, 1], count: 1 }])).toThrow(/does not fit an empty node/);
  });

  test('equals item-by-item first-fit decreasing on random inputs', () => {
    fc.assert(fc.property(groupsArb, ([capacity, groups]) => {
      expect(packFirstFitDecreasing(capacity, groups)).toBe(naiveFfd(capacity, groups));
    }), params(300));
  });
});

describe('packFirstFit and FirstFitPack', () => {
  test('first fit keeps the order given: 3 × 2 GPUs then 3 × 6 GPUs take 4 nodes (decreasing, 3)', () => {
    const groups = [{ size: [2, 1], count: 3 }, { size: [6, 1], count: 3 }];
    expect(packFirstFit([8, 96], groups)).toBe(4);
    expect(packFirstFitDecreasing([8, 96], groups)).toBe(3);
    expect(packFirstFit([8, 96], [])).toBe(0);
    expect(() => packFirstFit([8, 96], [{ size: [9, 1], count: 1 }])).toThrow(/does not fit an empty node/);
  });

  test('equals item-by-item first fit on random inputs, and a pack grown a group at a time counts the same', () => {
    fc.assert(fc.property(groupsArb, groupsArb, ([capacity, groups], [, more]) => {
      expect(packFirstFit(capacity, groups)).toBe(naiveFf(capacity, itemsOf(groups.map((g) => ({ g })))));
      const extras = more.map((g) => ({ size: g.size.map((v, d) => Math.min(v, capacity[d])), count: g.count }));
      const pack = new FirstFitPack(capacity);
      for (let i = 0; i <= groups.length; i++) {
        expect(pack.nodes).toBe(packFirstFit(capacity, groups.slice(0, i)));
        for (const extra of extras) expect(pack.nodesWith(extra)).toBe(packFirstFit(capacity, [...groups.slice(0, i), extra]));
        if (i < groups.length) pack.add(groups[i]);
      }
    }), params(300));
  });

  test('more items of the last group never need fewer nodes', () => {
    fc.assert(fc.property(groupsArb, fc.nat(), ([capacity, groups], pick) => {
      fc.pre(groups.length > 0);
      const pack = new FirstFitPack(capacity);
      for (const g of groups.slice(0, -1)) pack.add(g);
      const size = groups[pick % groups.length].size;
      for (let k = 0; k < 20; k++) expect(pack.nodesWith({ size, count: k + 1 })).toBeGreaterThanOrEqual(pack.nodesWith({ size, count: k }));
    }), params(300));
  });

  test('an item larger than a node is refused when counted and when added', () => {
    const pack = new FirstFitPack([8, 96]);
    pack.add({ size: [4, 8], count: 3 });
    expect(() => pack.nodesWith({ size: [9, 1], count: 1 })).toThrow(/does not fit an empty node/);
    expect(() => pack.add({ size: [9, 1], count: 1 })).toThrow(/does not fit an empty node/);
    expect(pack.nodesWith({ size: [4, 8], count: 1 })).toBe(2);
    expect(pack.nodesWith({ size: [0, 0], count: 5 })).toBe(2);
  });
});
