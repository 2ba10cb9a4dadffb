/**
 * First-fit-decreasing packing of replicas into identical nodes, over several dimensions (GPU resources, cpu,
 * memory). Items of one workload are identical, so they are packed as a group and nodes with the same remaining
 * room are kept as one bucket: the result equals item-by-item first-fit decreasing, in time proportional to
 * groups × buckets instead of replicas × nodes.
 */

/** Identical items to pack. */
export interface PackGroup {
  /** Size of one item per dimension (same order as the node capacity). */
  readonly size: readonly number[];
  /** How many items. */
  readonly count: number;
}

/** Tolerance for sums of fractional cpu. */
const EPS = 1e-9;

/** How many items of `size` fit into `room`. Infinity when every dimension of `size` is 0. */
function fitCount(room: readonly number[], size: readonly number[]): number {
  let k = Infinity;
  for (let d = 0; d < size.length; d++) {
    if (size[d] <= 0) continue;
    k = Math.min(k, Math.floor((room[d] + EPS) / size[d]));
  }
  return k;
}

interface Bucket { count: number; room: number[] }

/** `room` less `n` items of `size`, per dimension. */
function taken(room: readonly number[], size: readonly number[], n: number): number[] {
  const out = new Array<number>(room.length);
  for (let d = 0; d < room.length; d++) out[d] = room[d] - n * size[d];
  return out;
}

/**
 * How many nodes of `capacity` first-fit decreasing needs for `groups`. Groups are sorted by the sum of their
 * sizes relative to the capacity (largest first; ties keep the given order). A group whose item does not fit an
 * empty node is an error of the caller (the type was chosen because one replica fits).
 * @throws Error when an item cannot fit an empty node
 */
export function packFirstFitDecreasing(capacity: readonly number[], groups: readonly PackGroup[]): number {
  const weight = (g: PackGroup) => g.size.reduce((s, v, d) => s + (capacity[d] > 0 ? v / capacity[d] : 0), 0);
  const order = groups.map((g, i) => ({ g, i, w: weight(g) }))
    .filter((x) => x.g.count > 0)
    .sort((a, b) => b.w - a.w || a.i - b.i);
  const buckets: Bucket[] = [];
  let nodes = 0;
  for (const { g } of order) {
    let left = g.count;
    // First fit over the open nodes, in opening order (a bucket is a run of consecutive nodes with equal room).
    for (let b = 0; b < buckets.length && left > 0; b++) {
      const bucket = buckets[b];
      const k = fitCount(bucket.room, g.size);
      if (k <= 0) continue;
      const full = Math.min(bucket.count, Math.floor(left / k));
      const replacement: Bucket[] = [];
      if (full > 0) replacement.push({ count: full, room: taken(bucket.room, g.size, k) });
      left -= full * k;
      let rest = bucket.count - full;
      if (rest > 0 && left > 0) {
        replacement.push({ count: 1, room: taken(bucket.room, g.size, left) });
        left = 0;
        rest -= 1;
      }
      if (rest > 0) replacement.push({ count: rest, room: bucket.room });
      if (replacement.length === 1) buckets[b] = replacement[0];
      else buckets.splice(b, 1, ...replacement);
      b += replacement.length - 1;
    }
    if (left <= 0) continue;
    const k = fitCount(capacity, g.size);
    if (!(k >= 1)) throw new Error('internal: an item does not fit an empty node');
    if (k === Infinity) continue; // items of size 0 take no room
    const full = Math.floor(left / k);
    if (full > 0) buckets.push({ count: full, room: capacity.map((c, d) => c - k * g.size[d]) });
    const partial = left - full * k;
    if (partial > 0) buckets.push({ count: 1, room: capacity.map((c, d) => c - partial * g.size[d]) });
    nodes += full + (partial > 0 ? 1 : 0);
  }
  return nodes;
}
