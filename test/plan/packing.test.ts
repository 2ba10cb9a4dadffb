import * as fc from 'fast-check';
import { packFirstFitDecreasing, PackGroup } from '../../src/plan';
import { GrowingPack } from '../../src/plan/packing';
import { params } from '../property/arbitraries';

/** Item-by-item first-fit decreasing, the textbook way: the reference the grouped packer must equal. */
function naiveFfd(capacity: number[], groups: PackGroup[]): number {
  const weight = (g: PackGroup) => g.size.reduce((s, v, d) => s + (capacity[d] > 0 ? v / capacity[d] : 0), 0);
  const items = groups.map((g, i) => ({ g, i, w: weight(g) })).filter((x) => x.g.count > 0)
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .flatMap((x) => Array.from({ length: x.g.count }, () => x.g.size));
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
    fc.assert(fc.property(
      fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 })),
      fc.array(fc.record({
        gpu: fc.integer({ min: 0, max: 8 }),
        cpu: fc.integer({ min: 0, max: 64 }),
        count: fc.integer({ min: 0, max: 30 }),
      }), { maxLength: 6 }),
      ([gpus, cpus], raw) => {
        const capacity = [gpus, cpus];
        const groups = raw.map((g) => ({ size: [Math.min(g.gpu, gpus), Math.min(g.cpu, cpus)], count: g.count }))
          .filter((g) => g.size.some((v) => v > 0));
        expect(packFirstFitDecreasing(capacity, groups)).toBe(naiveFfd(capacity, groups));
      }), params(300));
  });
});

describe('GrowingPack', () => {
  test('after each group added, its count with one more group equals packFirstFitDecreasing of the whole list', () => {
    fc.assert(fc.property(
      fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 })),
      // Few distinct sizes, so that equal weights (ties kept in the order added) are common; counts of 0 included.
      fc.array(fc.record({ gpu: fc.constantFrom(0, 1, 2, 4), cpu: fc.constantFrom(0, 1, 4, 8, 16), count: fc.integer({ min: 0, max: 12 }) }),
        { maxLength: 10 }),
      fc.record({ gpu: fc.constantFrom(1, 2, 4), cpu: fc.constantFrom(1, 4, 8), count: fc.integer({ min: 0, max: 12 }) }),
      ([gpus, cpus], raw, extraRaw) => {
        const capacity = [gpus, cpus];
        const group = (g: { gpu: number; cpu: number; count: number }) => ({ size: [Math.min(g.gpu, gpus), Math.min(g.cpu, cpus)], count: g.count });
        const groups = raw.map(group).filter((g) => g.size.some((v) => v > 0));
        const extra = group(extraRaw);
        const pack = new GrowingPack(capacity);
        for (let i = 0; i <= groups.length; i++) {
          expect(pack.nodesWith(extra)).toBe(packFirstFitDecreasing(capacity, [...groups.slice(0, i), extra]));
          if (i < groups.length) pack.add(groups[i]);
        }
      }), params(300));
  });

  test('nodesAtLeast is a lower bound of nodesWith, and tight where items fill nodes exactly', () => {
    fc.assert(fc.property(
      fc.tuple(fc.integer({ min: 1, max: 8 }), fc.double({ min: 0.5, max: 64, noNaN: true })),
      fc.array(fc.record({
        gpu: fc.constantFrom(0, 1, 2, 4), cpu: fc.double({ min: 0, max: 16, noNaN: true }), count: fc.integer({ min: 0, max: 12 }),
      }), { maxLength: 10 }),
      fc.record({ gpu: fc.constantFrom(1, 2, 4), cpu: fc.double({ min: 0.001, max: 8, noNaN: true }), count: fc.integer({ min: 0, max: 12 }) }),
      ([gpus, cpus], raw, extraRaw) => {
        const capacity = [gpus, cpus];
        const group = (g: { gpu: number; cpu: number; count: number }) => ({ size: [Math.min(g.gpu, gpus), Math.min(g.cpu, cpus)], count: g.count });
        const pack = new GrowingPack(capacity);
        for (const g of raw.map(group).filter((x) => x.size.some((v) => v > 0))) pack.add(g);
        const extra = group(extraRaw);
        expect(pack.nodesAtLeast(extra)).toBeLessThanOrEqual(pack.nodesWith(extra));
      }), params(300));
    // 4-GPU items on 8-GPU nodes: the volume bound is the count.
    const pack = new GrowingPack([8, 96]);
    pack.add({ size: [4, 1], count: 6 });
    expect(pack.nodesAtLeast({ size: [4, 1], count: 1 })).toBe(4);
    expect(pack.nodesWith({ size: [4, 1], count: 1 })).toBe(4);
  });

  test('a weight that is not a number (no order for the sort) is left to packFirstFitDecreasing itself (it refuses such an item)', () => {
    const pack = new GrowingPack([8, 64]);
    const odd = { size: [NaN, 1], count: 1 };
    pack.add({ size: [2, 8], count: 3 });
    pack.add(odd);
    pack.add({ size: [4, 1], count: 2 });
    const extra = { size: [1, 1], count: 2 };
    const outcome = (f: () => number) => { try { return f(); } catch (e) { return (e as Error).message; } };
    const expected = outcome(() => packFirstFitDecreasing([8, 64], [{ size: [2, 8], count: 3 }, odd, { size: [4, 1], count: 2 }, extra]));
    expect(expected).toMatch(/does not fit an empty node/);
    expect(outcome(() => pack.nodesWith(extra))).toBe(expected);
  });
});

