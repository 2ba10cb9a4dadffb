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

/**
 * How many items of `size` fit into `room` (its dimensions from `offset` on). Infinity when every dimension of `size`
 * is 0.
 */
function fitCount(room: ArrayLike<number>, size: readonly number[], offset = 0): number {
  let k = Infinity;
  for (let d = 0; d < size.length; d++) {
    if (size[d] <= 0) continue;
    k = Math.min(k, Math.floor((room[offset + d] + EPS) / size[d]));
  }
  return k;
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

/**
 * firstFit's open nodes, reused from call to call: the spill model packs tens of thousands of times per plan, and a
 * bucket object and room array per run of nodes were a sixth of the plan's garbage. Bucket `b` is a run of
 * `counts[b]` consecutive open nodes with the same room left, `rooms[b * dims + d]` per dimension `d` (Float64Array:
 * the same doubles as numbers in arrays, so the same arithmetic).
 */
let counts = new Float64Array(64);
let rooms = new Float64Array(64 * 8);
/** A bucket's room before it is split. */
let before = new Float64Array(8);

/** Makes room for `buckets` buckets of `dims` dimensions, keeping the first `used` buckets. */
function reserve(buckets: number, dims: number, used: number): void {
  if (buckets <= counts.length && buckets * dims <= rooms.length) return;
  const size = Math.max(buckets, counts.length) * 2;
  const c = new Float64Array(size);
  c.set(counts.subarray(0, used));
  counts = c;
  const r = new Float64Array(size * dims);
  r.set(rooms.subarray(0, used * dims));
  rooms = r;
}

/** Bucket `slot`: `count` nodes with the room of the bucket being split (`before`) less `taken` items of `size`. */
function setBucket(slot: number, count: number, dims: number, size: readonly number[], taken: number): void {
  counts[slot] = count;
  for (let d = 0; d < dims; d++) rooms[slot * dims + d] = taken === 0 ? before[d] : before[d] - taken * size[d];
}

/**
 * First fit of `groups` in the order given (every count above 0), with `extra` (when given) packed between
 * `groups[at - 1]` and `groups[at]`: the list with `extra` spliced in, without building it.
 */
function firstFit(capacity: readonly number[], groups: readonly PackGroup[], extra?: PackGroup, at: number = groups.length): number {
  const dims = capacity.length;
  if (before.length < dims) before = new Float64Array(dims);
  let used = 0; // buckets in use
  let nodes = 0;
  const n = groups.length + (extra ? 1 : 0);
  for (let i = 0; i < n; i++) {
    const g = !extra || i < at ? groups[i] : i === at ? extra : groups[i - 1];
    const size = g.size;
    let left = g.count;
    // First fit over the open nodes, in opening order.
    for (let b = 0; b < used && left > 0; b++) {
      const base = b * dims;
      const k = fitCount(rooms, size, base);
      if (k <= 0) continue;
      // The bucket becomes up to three, in this order: `full` nodes that take k items each, one node with the last
      // items, and the nodes left as they were.
      const count = counts[b];
      const full = Math.min(count, Math.floor(left / k));
      left -= full * k;
      let rest = count - full;
      const partial = rest > 0 && left > 0 ? left : 0;
      if (partial > 0) { left = 0; rest -= 1; }
      if (full === count) { // every node of the bucket filled alike (the common case)
        for (let d = 0; d < dims; d++) rooms[base + d] = rooms[base + d] - k * size[d];
        continue;
      }
      const pieces = (full > 0 ? 1 : 0) + (partial > 0 ? 1 : 0) + (rest > 0 ? 1 : 0);
      reserve(used + pieces, dims, used);
      for (let d = 0; d < dims; d++) before[d] = rooms[base + d];
      if (pieces > 1) { // shift the later buckets to make room for the pieces
        counts.copyWithin(b + pieces, b + 1, used);
        rooms.copyWithin((b + pieces) * dims, (b + 1) * dims, used * dims);
      }
      let slot = b;
      if (full > 0) setBucket(slot++, full, dims, size, k);
      if (partial > 0) setBucket(slot++, 1, dims, size, partial);
      if (rest > 0) setBucket(slot, rest, dims, size, 0);
      used += pieces - 1;
      b += pieces - 1;
    }
    if (left <= 0) continue;
    const k = fitCount(capacity, size);
    if (!(k >= 1)) throw new Error('internal: an item does not fit an empty node');
    if (k === Infinity) continue; // items of size 0 take no room
    const full = Math.floor(left / k);
    const partial = left - full * k;
    reserve(used + 2, dims, used);
    if (full > 0) {
      counts[used] = full;
      for (let d = 0; d < dims; d++) rooms[used * dims + d] = capacity[d] - k * size[d];
      used++;
    }
    if (partial > 0) {
      counts[used] = 1;
      for (let d = 0; d < dims; d++) rooms[used * dims + d] = capacity[d] - partial * size[d];
      used++;
    }
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
  /** Added groups with a count, in the decreasing order (weight, then the order added), and their weights. */
  private readonly sorted: PackGroup[] = [];
  private readonly weights: number[] = [];
  /** Every added group, in the order added (for the plain computation when a weight is not a number). */
  private readonly added: PackGroup[] = [];
  private ordered = true;
  /** Per dimension, the sum of every added item's size. */
  private readonly totals: number[];

  constructor(private readonly capacity: readonly number[]) {
    this.totals = capacity.map(() => 0);
  }

  /** Where a group of weight `w` added now goes: after every group weighing as much or more. */
  private positionOf(w: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1; // eslint-disable-line no-bitwise
      if (this.weights[mid] >= w) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends `g` to the list. */
  public add(g: PackGroup): void {
    this.added.push(g);
    if (g.count <= 0) return;
    for (let d = 0; d < this.totals.length; d++) this.totals[d] += g.count * g.size[d];
    const w = weightOf(this.capacity, g.size);
    if (Number.isNaN(w)) this.ordered = false; // the sort's comparison is no order then: compute as it does
    if (this.ordered) {
      const at = this.positionOf(w);
      this.sorted.splice(at, 0, g);
      this.weights.splice(at, 0, w);
    }
  }

  /**
   * A lower bound of {@link nodesWith}(extra) without packing: every packing needs, per dimension, at least the sum of
   * the sizes over what one node holds (its capacity, plus the tolerance first fit allows: a node's room never goes
   * below -EPS). Rounded up after a margin far above the sums' rounding error, so it never exceeds the true count.
   */
  public nodesAtLeast(extra: PackGroup): number {
    let bound = 0;
    for (let d = 0; d < this.capacity.length; d++) {
      if (!(this.capacity[d] > 0)) continue;
      const need = (this.totals[d] + Math.max(0, extra.count) * extra.size[d]) / (this.capacity[d] + EPS);
      if (need > bound) bound = need;
    }
    return Number.isFinite(bound) ? Math.max(0, Math.ceil(bound - 1e-6)) : 0;
  }

  /** Nodes for the list plus `extra`, as if `extra` were added last. */
  public nodesWith(extra: PackGroup): number {
    if (!this.ordered) return packFirstFitDecreasing(this.capacity, [...this.added, extra]);
    const w = weightOf(this.capacity, extra.size);
    if (Number.isNaN(w)) return packFirstFitDecreasing(this.capacity, [...this.added, extra]);
    return extra.count > 0 ? firstFit(this.capacity, this.sorted, extra, this.positionOf(w)) : firstFit(this.capacity, this.sorted);
  }
}
