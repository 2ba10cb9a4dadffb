/**
 * Kubernetes quantities (`500m`, `16Gi`, `1e3`, `+2`) as numbers, one reading for the whole library: the schema gate's
 * API-server checks (src/schema/semantic.ts) and the scheduling model (src/scheduling/resources.ts) used to parse them
 * apart and disagreed at the edges (`1e400`: Infinity for one, not a quantity for the other). Internal.
 *
 * The grammar is k8s.io/apimachinery's `resource.ParseQuantity`: `<signedNumber><suffix>`, a number of digits with an
 * optional `.` and fraction (`1`, `1.`, `1.5`, `.5`) after an optional `+` or `-`, then a binary SI suffix (`Ki` … `Ei`),
 * a decimal SI suffix (`n u m k M G T P E`) or a decimal exponent (`e`/`E` and a signed integer). The magnitude is
 * bounded as the API server bounds it (quantity.go): above 2^63 − 1 it reads as 2^63 − 1 ("The max is just a simple
 * cap"), and a non-zero value below one nano rounds up to one nano ("if you want some resources, you should get some
 * resources"; the API server rounds every value up to whole nanos: here only those below one, a difference past the
 * ninth decimal). So the result is always finite, and never 0 for a quantity that is not zero.
 */
import { memoPerString } from './memo';

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  'n': 1e-9,
  'u': 1e-6,
  'm': 1e-3,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/** The API server's cap on a quantity's magnitude: math.MaxInt64 (as the nearest double). */
export const MAX_QUANTITY = 2 ** 63 - 1;

/** A quantity string → its value in base units, or undefined when it is not a quantity; each string parsed once. */
export const quantityValue: (text: string) => number | undefined = memoPerString((text: string) => {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, digits, exponent, suffix] = m;
  // An exponent beyond a double's range is still a quantity: Infinity is capped, and a non-zero 0 rounds up below.
  let n = exponent ? Number(`${digits}e${exponent.slice(1)}`) : Number(digits) * SUFFIX[suffix ?? ''];
  if (n > MAX_QUANTITY) n = MAX_QUANTITY;
  else if (n < 1e-9 && /[1-9]/.test(digits)) n = 1e-9;
  return sign === '-' && n !== 0 ? -n : n;
});

/**
 * A quantity as a manifest holds it, a finite JSON number or a quantity string, → its value; undefined for anything else
 * (the scheduling model's tryParseQuantity, and what the schema gate's API-server checks read).
 */
export function quantityOf(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  return typeof q === 'string' ? quantityValue(q) : undefined;
}

const BINARY = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const;
const DECIMAL: ReadonlyArray<readonly [number, string]> = [[18, 'E'], [15, 'P'], [12, 'T'], [9, 'G'], [6, 'M'], [3, 'k'], [0, ''], [-3, 'm'], [-6, 'u'], [-9, 'n']];

/**
 * A value as the API server prints a quantity of `binary` (Ki, Mi, …) or decimal format (resource.Quantity.String's
 * canonical form): the largest suffix that keeps the number whole, e.g. 20Gi, 1536Mi, 750m, 8k; for sums in
 * messages, such as LimitRanger's pod totals.
 */
export function quantityText(value: number, binary: boolean): string {
  if (!Number.isFinite(value)) return String(value);
  if (binary && Number.isInteger(value) && value !== 0) {
    for (const s of BINARY) if (value % SUFFIX[s] === 0) return `${value / SUFFIX[s]}${s}`;
    return String(value);
  }
  if (value === 0) return '0';
  for (const [e, s] of DECIMAL) {
    if (e >= 0) {
      if (Number.isInteger(value) && value % 10 ** e === 0) return `${value / 10 ** e}${s}`;
      continue;
    }
    // Below one: the value scaled up, whole within the rounding of the double it came from.
    const m = value * 10 ** -e;
    const whole = Math.round(m);
    if (Math.abs(m - whole) < 1e-6) return `${whole}${s}`;
  }
  return String(value);
}
