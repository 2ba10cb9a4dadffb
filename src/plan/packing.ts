/**
 * Packing of replicas into identical nodes, over several dimensions (GPU resources, cpu, memory): first fit in the
 * order given (the plan's node counts: replicas land on the nodes already there, as the scheduler and Karpenter place
 * them) and first-fit decreasing (a gang's pods, which Karpenter provisions together, largest first). Items of one
 * workload are identical, so they are packed as a group and nodes with the same remaining room are kept as one bucket:
 * the result equals item-by-item first fit, in time proportional to groups × buckets instead of replicas × nodes.
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
  return packFirstFit(capacity, order.map((x) => x.g));
}

/**
 * How many nodes of `capacity` first fit needs for `groups` in the order given: each item goes to the first open node
 * with room for it, else to a new node.
 * @throws Error when an item cannot fit an empty node
 */
export function packFirstFit(capacity: readonly number[], groups: readonly PackGroup[]): number {
  scratch.reset(capacity);
  for (const g of groups) scratch.add(g);
  return scratch.nodes;
}

/**
 * Nodes packed by first fit, one group of identical items at a time, in the order the groups are added: the nodes a
 * group opens keep what it put on them, as running pods stay on their nodes. Nodes with the same room left are kept
 * as one bucket, so the count equals item-by-item first fit in time proportional to groups × buckets instead of
 * items × nodes. Bucket `b` is a run of `counts[b]` consecutive open nodes with the same room left, `rooms[b * dims +
 * d]` per dimension `d` (Float64Array: the same doubles as numbers in arrays, so the same arithmetic).
 *
 * More items never need fewer nodes: first fit of one more identical item leaves the others where they were.
 */
export class FirstFitPack {
  /** Nodes open. */
  public nodes = 0;
  private capacity: readonly number[];
  private dims: number;
  private counts = new Float64Array(16);
  private rooms: Float64Array;
  /** Buckets in use. */
  private used = 0;
  /** A bucket's room before it is split. */
  private before: Float64Array;

  constructor(capacity: readonly number[]) {
    this.capacity = capacity;
    this.dims = capacity.length;
    this.rooms = new Float64Array(16 * Math.max(1, this.dims));
    this.before = new Float64Array(Math.max(1, this.dims));
  }

  /** Empties the nodes, for `capacity` (the same object reused: packFirstFit packs tens of thousands of times per plan). */
  public reset(capacity: readonly number[]): void {
    this.capacity = capacity;
    this.dims = capacity.length;
    if (this.before.length < this.dims) this.before = new Float64Array(this.dims);
    this.used = 0;
    this.nodes = 0;
  }

  /**
   * Nodes open after `g` were added, without adding it: its items first fill the room of the open nodes (first fit of
   * identical items fills them in order, each as many as fit), the rest opens nodes that each take as many as fit one.
   * @throws Error when an item cannot fit an empty node
   */
  public nodesWith(g: PackGroup): number {
    let left = g.count;
    for (let b = 0; b < this.used && left > 0; b++) {
      const k = fitCount(this.rooms, g.size, b * this.dims);
      if (k > 0) left -= this.counts[b] * k;
    }
    if (left <= 0) return this.nodes;
    const k = fitCount(this.capacity, g.size);
    if (!(k >= 1)) throw new Error('internal: an item does not fit an empty node');
    return k === Infinity ? this.nodes : this.nodes + Math.ceil(left / k);
  }

  /**
   * Adds the items of `g`, first fit over the open nodes in opening order, then on new nodes.
   * @throws Error when an item cannot fit an empty node
   */
  public add(g: PackGroup): void {
    const dims = this.dims;
    const size = g.size;
    let left = g.count;
    if (!(left > 0)) return;
    for (let b = 0; b < this.used && left > 0; b++) {
      const base = b * dims;
      const k = fitCount(this.rooms, size, base);
      if (k <= 0) continue;
      // The bucket becomes up to three, in this order: `full` nodes that take k items each, one node with the last
      // items, and the nodes left as they were.
      const count = this.counts[b];
      const full = Math.min(count, Math.floor(left / k));
      left -= full * k;
      let rest = count - full;
      const partial = rest > 0 && left > 0 ? left : 0;
      if (partial > 0) { left = 0; rest -= 1; }
      if (full === count) { // every node of the bucket filled alike (the common case)
        for (let d = 0; d < dims; d++) this.rooms[base + d] = this.rooms[base + d] - k * size[d];
        continue;
      }
      const pieces = (full > 0 ? 1 : 0) + (partial > 0 ? 1 : 0) + (rest > 0 ? 1 : 0);
      this.reserve(this.used + pieces);
      for (let d = 0; d < dims; d++) this.before[d] = this.rooms[base + d];
      if (pieces > 1) { // shift the later buckets to make room for the pieces
        this.counts.copyWithin(b + pieces, b + 1, this.used);
        this.rooms.copyWithin((b + pieces) * dims, (b + 1) * dims, this.used * dims);
      }
      let slot = b;
      if (full > 0) this.setBucket(slot++, full, size, k);
      if (partial > 0) this.setBucket(slot++, 1, size, partial);
      if (rest > 0) this.setBucket(slot, rest, size, 0);
      this.used += pieces - 1;
      b += pieces - 1;
    }
    if (left <= 0) return;
    const k = fitCount(this.capacity, size);
    if (!(k >= 1)) throw new Error('internal: an item does not fit an empty node');
    if (k === Infinity) return; // items of size 0 take no room
    const full = Math.floor(left / k);
    const partial = left - full * k;
    this.reserve(this.used + 2);
    if (full > 0) {
      this.counts[this.used] = full;
      for (let d = 0; d < dims; d++) this.rooms[this.used * dims + d] = this.capacity[d] - k * size[d];
      this.used++;
    }
    if (partial > 0) {
      this.counts[this.used] = 1;
      for (let d = 0; d < dims; d++) this.rooms[this.used * dims + d] = this.capacity[d] - partial * size[d];
      this.used++;
    }
    this.nodes += full + (partial > 0 ? 1 : 0);
  }

  /** Makes room for `buckets` buckets, keeping those in use. */
  private reserve(buckets: number): void {
    const dims = this.dims;
    if (buckets <= this.counts.length && buckets * dims <= this.rooms.length) return;
    const size = Math.max(buckets, this.counts.length) * 2;
    const c = new Float64Array(size);
    c.set(this.counts.subarray(0, this.used));
    this.counts = c;
    const r = new Float64Array(size * dims);
    r.set(this.rooms.subarray(0, this.used * dims));
    this.rooms = r;
  }

  /** Bucket `slot`: `count` nodes with the room of the bucket being split (`before`) less `taken` items of `size`. */
  private setBucket(slot: number, count: number, size: readonly number[], taken: number): void {
    this.counts[slot] = count;
    for (let d = 0; d < this.dims; d++) this.rooms[slot * this.dims + d] = taken === 0 ? this.before[d] : this.before[d] - taken * size[d];
  }
}

/** The pack packFirstFit reuses from call to call. */
const scratch = new FirstFitPack([]);
