/**
 * Offline evaluation of ValidatingAdmissionPolicy CEL, as the API server runs it: `object`, `request` and `variables`
 * bound, the Kubernetes quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go, available to admission policies
 * since 1.29: `isQuantity`, `quantity`, `isInteger`, `asInteger`, `compareTo`, `isGreaterThan`, `isLessThan`, `sign`)
 * registered on top of `@marcbachmann/cel-js` (loaded as test/conformance/cel.ts does).
 *
 * The object is prepared as the API server would hand it over: quantities in `resources` are strings (the typed
 * decoding re-serialises every Quantity as a string).
 */
import { tryParseQuantity } from '../../src/scheduling/resources';
import { loadCel } from '../conformance/cel';

/** A parsed quantity (the value as a JS number is exact for the counts and sizes tests use). */
class Quantity {
  constructor(public readonly value: number) {}
}

let env: any;

function environment(): any {
  if (env) return env;
  const cel = loadCel();
  const e = new cel.Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  e.registerType('Quantity', Quantity);
  const parse = (s: string): Quantity => {
    const v = tryParseQuantity(s);
    if (v === undefined) throw new cel.EvaluationError(`quantities must match the regular expression: ${s}`);
    return new Quantity(v);
  };
  e.registerFunction('isQuantity(string): bool', (s: string) => tryParseQuantity(s) !== undefined);
  e.registerFunction('quantity(string): Quantity', parse);
  e.registerFunction('Quantity.isInteger(): bool', (q: Quantity) => Number.isInteger(q.value));
  e.registerFunction('Quantity.asInteger(): int', (q: Quantity) => {
    if (!Number.isInteger(q.value)) throw new cel.EvaluationError('cannot convert value to integer');
    return BigInt(q.value);
  });
  e.registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(Math.sign(a.value - b.value)));
  e.registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.value > b.value);
  e.registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.value < b.value);
  e.registerFunction('Quantity.sign(): int', (q: Quantity) => BigInt(Math.sign(q.value)));
  env = e;
  return env;
}

/** Checks that an expression type-checks in the environment (unknown functions, syntax errors). */
export function compileCheck(expression: string): void {
  const checked = environment().check(expression);
  if (!checked.valid) throw new Error(`CEL does not compile: ${expression}\n${checked.error?.message}`);
}

/** Integers as BigInt (CEL int), quantities in resources as strings; a deep copy. */
export function asAdmitted(obj: any): any {
  const conv = (v: any, key?: string, parent?: string): any => {
    if (Array.isArray(v)) return v.map((x) => conv(x));
    if (v && typeof v === 'object') {
      const out: any = {};
      for (const [k, x] of Object.entries(v)) out[k] = conv(x, k, key);
      return out;
    }
    if (typeof v === 'number') {
      // resources.limits/requests values are Quantities: strings on the wire.
      if (parent === 'limits' || parent === 'requests') return String(v);
      return Number.isInteger(v) ? BigInt(v) : v;
    }
    return v;
  };
  return conv(obj);
}

/** Evaluates the policy's variables and one validation; returns true when the object is admitted. */
export function admits(variables: ReadonlyArray<{ name: string; expression: string }>, expression: string, object: any,
  request: any = { operation: 'CREATE', userInfo: { username: 'alice' } }): boolean {
  const e = environment();
  const ctx: any = { object, request, variables: {} };
  for (const v of variables) ctx.variables[v.name] = e.evaluate(v.expression, ctx);
  const result = e.evaluate(expression, ctx);
  if (typeof result !== 'boolean') throw new Error(`validation returned ${typeof result}: ${expression}`);
  return result;
}
