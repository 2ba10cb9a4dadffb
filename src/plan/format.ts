/**
 * Number and unit formatting shared by the plan renderers.
 */
import { Range, WorkloadPlan } from './model';
import { NAMED_IN_LIST } from '../private/lists';

const GiB = 2 ** 30;

/** What `toLocaleString('en-US', …)` makes of a dollar amount, made once: toLocaleString builds a formatter per call. */
const USD = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `$12.34`; `$0` for zero. */
export function usd(n: number): string {
  return n === 0 ? '$0' : `$${USD.format(n)}`;
}

/** A number with at most `digits` decimals, trailing zeros dropped. */
export function num(n: number, digits: number = 2): string {
  return `${+n.toFixed(digits)}`;
}

/** `a–b`, or `a` when both ends are equal. */
export function range(r: Range, f: (n: number) => string = (n) => num(n)): string {
  const lo = f(r.min);
  const hi = f(r.max);
  return lo === hi ? lo : `${lo}–${hi}`;
}

export { listed, listedFirst, NAMED_IN_LIST } from '../private/lists';

/**
 * Pool names as a view shows them: `a, b, c`, or `600 pools (a, b, c, d, e and 595 more)`. `names` may hold only the
 * first {@link NAMED_IN_LIST} of `count` names.
 */
export function poolList(names: readonly string[], count: number = names.length): string {
  if (count <= NAMED_IN_LIST) return names.slice(0, count).join(', ');
  return `${count} pools (${names.slice(0, NAMED_IN_LIST).join(', ')} and ${count - NAMED_IN_LIST} more)`;
}

/**
 * The pools a workload fits other than the one it lands on, as the views show them: how many, and the first
 * {@link NAMED_IN_LIST} in input order. A workload's `fits` groups are each in input order: the first names overall are
 * among each group's first, put in input order with `position` (each pool's place in the input).
 */
export function alsoFitsOf(w: WorkloadPlan, position: ReadonlyMap<string, number>): { first: string[]; count: number } {
  let count = 0;
  const first: string[] = [];
  for (const g of w.fits) {
    count += g.pools.length;
    let taken = 0;
    for (let i = 0; i < g.pools.length && taken < NAMED_IN_LIST; i++) {
      if (g.pools[i] === w.pool) continue;
      first.push(g.pools[i]);
      taken++;
    }
  }
  if (w.pool !== undefined) count--; // it lands on a pool of one group
  if (w.fits.length > 1) first.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  return { first: first.slice(0, NAMED_IN_LIST), count };
}

/** A gang workload's line (`8 ranks run at once: all 2 × p5.48xlarge (16 GPUs) or none · $110.08/hour`); undefined for others. */
export function gangLine(w: WorkloadPlan): string | undefined {
  const g = w.gang;
  if (!g) return undefined;
  return `${g.ranks} ranks run at once: all ${g.nodes} × ${g.instanceType} (${g.nodeGpus} GPUs) or none`
    + ` · ${g.usdPerHour !== undefined ? `${usd(g.usdPerHour)}/hour` : 'no public price'}`;
}

/** Where a workload's replicas spill across pools (`a 1–4 → b 0–4 (…)`); undefined when they stay in one pool. */
export function spillLine(w: WorkloadPlan): string | undefined {
  if (!w.spread || w.spread.length <= 1) return undefined;
  return w.spread.map((x) => `${x.pool} ${range(x)}`).join(' → ') + ' (pools fill in weight order up to their limits)';
}

/** Bytes as `32Gi` / `512Mi`. */
export function bytes(b: number): string {
  return b >= GiB ? `${num(b / GiB, 1)}Gi` : `${Math.round(b / 2 ** 20)}Mi`;
}

/** `4 nvidia.com/gpu`, `1 nvidia.com/mig-1g.5gb + 1 nvidia.com/gpu`. */
export function gpuDemand(d: Readonly<Record<string, number>>): string {
  return Object.entries(d).map(([r, n]) => `${num(n, 3)} ${r}`).join(' + ');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
/** The width of terminal text: ANSI colour codes take none. */
const width = (s: string) => (s.includes('\u001b') ? s.replace(ANSI, '').length : s.length);
const padTo = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - width(s)));

/** Lays out rows as aligned columns (two spaces apart, the last column unpadded), ANSI-aware; each line after `indent`. */
export function table(rows: readonly string[][], indent: string): string[] {
  // Only columns some row pads are measured (a last column can be long: a workload's list of pools).
  let padded = 0;
  for (const r of rows) padded = Math.max(padded, r.length - 1);
  const widths: number[] = [];
  for (const r of rows) for (let i = 0; i < r.length && i < padded; i++) widths[i] = Math.max(widths[i] ?? 0, width(r[i]));
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : padTo(c, widths[i]))).join('  ')}`.trimEnd());
}

/** Rounds every number of a JSON value to `digits` decimals (stable output without float noise). */
export function roundNumbers<T>(v: T, digits: number = 6): T {
  if (typeof v === 'number') return (Number.isFinite(v) ? +v.toFixed(digits) : v) as any;
  if (Array.isArray(v)) return v.map((x) => roundNumbers(x, digits)) as any;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = roundNumbers(x, digits);
    return out as T;
  }
  return v;
}

/**
 * Text written out in chunks of about `chunkSize` characters, so a plan of a million lines is never one string. The
 * default of 32K characters keeps each chunk a regular heap object: chunks of a megabyte each land in V8's large
 * object space and made writing a 250 MB plan take five times as long.
 */
export class ChunkedWriter {
  private buffer = '';

  constructor(private readonly sink: (chunk: string) => void, private readonly chunkSize: number = 2 ** 15) {}

  /** Appends text. */
  public text(s: string): void {
    this.buffer += s;
    if (this.buffer.length >= this.chunkSize) this.flush();
  }

  /** Appends one line and its newline. */
  public line(s: string): void {
    this.buffer += s;
    this.buffer += '\n';
    if (this.buffer.length >= this.chunkSize) this.flush();
  }

  /** Appends lines, each with its newline. */
  public lines(ls: readonly string[]): void {
    for (const l of ls) this.line(l);
  }

  /** Writes what is buffered. */
  public flush(): void {
    if (this.buffer === '') return;
    this.sink(this.buffer);
    this.buffer = '';
  }
}

/** The text a writer function produces, as one string. */
export function collect(write: (sink: (chunk: string) => void) => void): string {
  const chunks: string[] = [];
  write((c) => chunks.push(c));
  return chunks.join('');
}

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` would (same text: keys in order, `undefined` members left out,
 * `undefined` in arrays and non-finite numbers as `null`), starting at `depth` levels of indentation, into `w`; with
 * `round`, numbers are first rounded as {@link roundNumbers} rounds them. Never builds the whole text at once.
 *
 * A plan shares objects between workloads (a pool's verdict is one object for every workload with the same outcome):
 * the text of a leaf object (members all scalars or arrays of scalars) is kept per object and depth, up to
 * `memoChars` characters in all, and written again when the same object comes back.
 */
export function writeJson(w: ChunkedWriter, value: unknown, depth: number = 0, round?: number, memoChars: number = 2 ** 24): void {
  const pads: string[] = [];
  const pad = (d: number) => pads[d] ?? (pads[d] = '  '.repeat(d));
  // `{\n  "key": ` and `,\n  "key": ` per depth and key: keys repeat in every element of a list.
  const heads: Array<{ first: Map<string, string>; next: Map<string, string> }> = [];
  const head = (first: boolean, d: number, k: string) => {
    const atDepth = heads[d] ?? (heads[d] = { first: new Map(), next: new Map() });
    const known = first ? atDepth.first : atDepth.next;
    let h = known.get(k);
    if (h === undefined) known.set(k, h = `${first ? '{\n' : ',\n'}${pad(d + 1)}${JSON.stringify(k)}: `);
    return h;
  };
  const scalar = (v: unknown): string | undefined => {
    switch (typeof v) {
      case 'string': return JSON.stringify(v);
      case 'number': {
        const n = round !== undefined && Number.isFinite(v) ? +v.toFixed(round) : v;
        return Number.isFinite(n) ? String(n) : 'null';
      }
      case 'boolean': return v ? 'true' : 'false';
      case 'undefined': case 'function': case 'symbol': return undefined;
      case 'bigint': return JSON.stringify(v); // throws, as JSON.stringify does
      default: return v === null ? 'null' : undefined;
    }
  };
  const isScalar = (x: unknown) => x === null || typeof x !== 'object';
  // The text of leaf objects, per depth, while the budget lasts.
  const memo: Array<Map<object, string>> = [];
  let budget = memoChars;
  const isLeaf = (v: Record<string, unknown>): boolean => {
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (isScalar(x)) continue;
      if (!Array.isArray(x)) return false;
      for (let i = 0; i < x.length; i++) if (!isScalar(x[i])) return false;
    }
    return true;
  };
  /** A plain object's members (no toJSON). */
  const members = (v: Record<string, unknown>, d: number, out: (s: string) => void): void => {
    let first = true;
    for (const k of Object.keys(v)) {
      const x = v[k];
      const s = x === null || typeof x !== 'object' ? scalar(x) : '';
      if (s === undefined) continue;
      out(head(first, d, k));
      first = false;
      if (s !== '') out(s);
      else visit(x, d + 1, out);
    }
    out(first ? '{}' : `\n${pad(d)}}`);
  };
  const visit = (v: unknown, d: number, out: (s: string) => void): void => {
    if (v === null || typeof v !== 'object') {
      out(scalar(v) ?? 'null');
      return;
    }
    const known = memo[d]?.get(v); // only plain leaf objects are kept
    if (known !== undefined) { out(known); return; }
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      visit(JSON.parse(JSON.stringify(v)), d, out);
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) { out('[]'); return; }
      const first = `[\n${pad(d + 1)}`;
      const next = `,\n${pad(d + 1)}`;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === null || typeof x !== 'object') {
          out(i === 0 ? first : next);
          out(scalar(x) ?? 'null');
          continue;
        }
        // A kept leaf object is written with its separator in one piece (a plan's verdict lists are a million of them).
        const kept = memo[d + 1]?.get(x);
        if (kept !== undefined) {
          out((i === 0 ? first : next) + kept);
          continue;
        }
        out(i === 0 ? first : next);
        visit(x, d + 1, out);
      }
      out(`\n${pad(d)}]`);
      return;
    }
    const o = v as Record<string, unknown>;
    if (budget > 0 && isLeaf(o)) {
      const parts: string[] = [];
      members(o, d, (s) => { parts.push(s); });
      const text = parts.join(''); // flat: written again and again
      budget -= text.length;
      (memo[d] ?? (memo[d] = new Map())).set(o, text);
      out(text);
      return;
    }
    members(o, d, out);
  };
  visit(value, depth, (s) => w.text(s));
}
