import * as fc from 'fast-check';
import { packFirstFitDecreasing, PackGroup } from '../../src/plan';
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
