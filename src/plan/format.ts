/**
 * Number and unit formatting shared by the plan renderers.
 */
import { Range } from './model';

const GiB = 2 ** 30;

/** `$12.34`; `$0` for zero. */
export function usd(n: number): string {
  return n === 0 ? '$0' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
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

/** Bytes as `32Gi` / `512Mi`. */
export function bytes(b: number): string {
  return b >= GiB ? `${num(b / GiB, 1)}Gi` : `${Math.round(b / 2 ** 20)}Mi`;
}

/** `4 nvidia.com/gpu`, `1 nvidia.com/mig-1g.5gb + 1 nvidia.com/gpu`. */
export function gpuDemand(d: Readonly<Record<string, number>>): string {
  return Object.entries(d).map(([r, n]) => `${num(n, 3)} ${r}`).join(' + ');
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
