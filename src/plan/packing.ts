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

/** A group's weight in the decreasing order: the sum of its sizes relative to the capacity. */
function weightOf(capacity: readonly number[], size: readonly number[]): number {
  let s = 0;
  for (let d = 0; d < size.length; d++) s += capacity[d] > 0 ? size[d] / capacity[d] : 0;
  return s;
}

/**
 * How many nodes of `capacity` first-fit decreasing needs for `groups`. Groups are sorted by the sum of their
 * sizes relative to the capacity (largest first; ties keep the given order). A group whose item does not fit an
 * empty node is an error of the caller (the type was chosen because one replica fits).
 * @throws Error when an item cannot fit an empty node
 */
export function packFirstFitDecreasing(capacity: readonly number[], groups: readonly PackGroup[]): number {
  const order = groups.map((g, i) => ({ g, i, w: weightOf(capacity, g.size) }))
    .filter((x) => x.g.count > 0)
    .sort((a, b) => b.w - a.w || a.i - b.i);
  return firstFit(capacity, order.map((x) => x.g));
}

/** First fit of `groups` in the order given (every count above 0). */
function firstFit(capacity: readonly number[], groups: readonly PackGroup[]): number {
  const buckets: Bucket[] = [];
  let nodes = 0;
  for (const g of groups) {
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

/**
 * {@link packFirstFitDecreasing} over a list of groups that grows one group at a time (`add`), kept in the decreasing
 * order so that the nodes for the list plus one more group (`nodesWith`) need no sorting: the same count as
 * packFirstFitDecreasing(capacity, [...added, extra]).
 */
export class GrowingPack {
  /** Added groups with a count, in the decreasing order (weight, then the order added). */
  private readonly sorted: Array<{ readonly g: PackGroup; readonly w: number }> = [];
  /** Every added group, in the order added (for the plain computation when a weight is not a number). */
  private readonly added: PackGroup[] = [];
  private ordered = true;

  constructor(private readonly capacity: readonly number[]) {}

  /** Where a group of weight `w` added now goes: after every group weighing as much or more. */
  private positionOf(w: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1; // eslint-disable-line no-bitwise
      if (this.sorted[mid].w >= w) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends `g` to the list. */
  public add(g: PackGroup): void {
    this.added.push(g);
    if (g.count <= 0) return;
    const w = weightOf(this.capacity, g.size);
    if (Number.isNaN(w)) this.ordered = false; // the sort's comparison is no order then: compute as it does
    if (this.ordered) this.sorted.splice(this.positionOf(w), 0, { g, w });
  }

  /** Nodes for the list plus `extra`, as if `extra` were added last. */
  public nodesWith(extra: PackGroup): number {
    if (!this.ordered) return packFirstFitDecreasing(this.capacity, [...this.added, extra]);
    const w = weightOf(this.capacity, extra.size);
    if (Number.isNaN(w)) return packFirstFitDecreasing(this.capacity, [...this.added, extra]);
    const groups = this.sorted.map((x) => x.g);
    if (extra.count > 0) groups.splice(this.positionOf(w), 0, extra);
    return firstFit(this.capacity, groups);
  }
}

