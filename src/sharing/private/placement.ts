/**
 * MIG placement search (internal): does a set of MIG instances fit one GPU under the placement rules?
 * Each instance needs a start among its profile's valid placement starts (`nvidia-smi mig -lgipp`; NVML
 * `nvmlGpuInstancePlacement_t`: start = first memory slice, size = memory slices) with no shared memory slice.
 */
import { MigGpu, MigProfileSpec } from '../../catalog';
import { byCodeUnits } from '../../private/order';
import { MigPlacement } from '../mig-layout';

/** The result of {@link findMigPlacement}: one placement per instance, or why none exists. */
export interface MigPlacementSearch {
  readonly placements?: MigPlacement[];
  /** Instances of the first profile that could not be placed, when no placement exists. */
  readonly stuck?: string;
}

/**
 * Searches a placement for the instances (backtracking over memory-slice starts, largest instances first).
 * Used by `MigLayout`; exported for tests.
 */
export function findMigPlacement(gpu: MigGpu, instances: readonly MigProfileSpec[]): MigPlacementSearch {
  const order = [...instances].sort((a, b) => b.memorySlices - a.memorySlices
    || gpu.placementStartsOf(a.name).length - gpu.placementStartsOf(b.name).length
    || byCodeUnits(a.name, b.name));
  const starts = new Map<string, number[]>();
  for (const p of order) if (!starts.has(p.name)) starts.set(p.name, gpu.placementStartsOf(p.name));
  const used: boolean[] = new Array(gpu.totalMemorySlices).fill(false);
  const chosen: MigPlacement[] = [];
  let deepest = 0;
  const place = (i: number): boolean => {
    deepest = Math.max(deepest, i);
    if (i === order.length) return true;
    const p = order[i];
    // Same profile as the previous instance: only later starts (avoids trying permutations of identical instances).
    const minStart = i > 0 && order[i - 1].name === p.name ? chosen[i - 1].start + 1 : 0;
    for (const s of starts.get(p.name)!) {
      if (s < minStart || s + p.memorySlices > gpu.totalMemorySlices) continue;
      let free = true;
      for (let k = s; k < s + p.memorySlices; k++) if (used[k]) { free = false; break; }
      if (!free) continue;
      for (let k = s; k < s + p.memorySlices; k++) used[k] = true;
      chosen.push({ profile: p.name, start: s, size: p.memorySlices });
      if (place(i + 1)) return true;
      chosen.pop();
      for (let k = s; k < s + p.memorySlices; k++) used[k] = false;
    }
    return false;
  };
  if (place(0)) return { placements: [...chosen].sort((a, b) => a.start - b.start) };
  return { stuck: order[Math.min(deepest, order.length - 1)].name };
}

