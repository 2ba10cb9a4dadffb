/**
 * fast-check building blocks shared by the property tests: Kubernetes-valid names and labels (and their invalid
 * counterparts), catalog instance types, and the assertions every property makes about synthesised output and
 * thrown errors.
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { GpuInstanceType } from '../../src/catalog';
import { GpuConfigError } from '../../src/errors';
import { Severity, formatFinding, validateManifests } from '../../src/validation';
import { expectValid } from '../conformance/schema';
import { suspiciousValues } from '../examples/helpers';
import { PROPERTY_SEED } from '../setup-fast-check';

/** Runs per property: modest, so the whole suite stays fast on 2 cores (thousands of cases overall). */
export const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
/** Fewer runs for properties that synthesise big objects (Deployments, schema + CEL). */
export const RUNS_HEAVY = Math.max(20, Math.round(RUNS * 0.6));
/** fast-check parameters: the suite's seed (fixed unless FC_SEED is set, see test/setup-fast-check.ts), so a failure is reproducible. */
export function params(numRuns = RUNS): fc.Parameters<any> {
  return { numRuns, seed: PROPERTY_SEED, endOnFailure: true };
}

/** Node-class props every test pool needs (role and cluster name). */
export const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const alnumDash = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split(''));

/** A DNS-1123 label (≤ `max` chars, lower-case alphanumerics and '-', alphanumeric at both ends). */
export function dnsLabel(max = 63): fc.Arbitrary<string> {
  return fc.tuple(alnum, fc.array(alnumDash, { maxLength: Math.max(0, max - 2) }), alnum)
    .map(([a, mid, b]) => `${a}${mid.join('')}${b}`)
    .filter((s) => s.length <= max);
}

/** Strings that are NOT DNS-1123 labels: upper case, '_', '.', leading/trailing '-', too long, empty, spaces. */
export function invalidDnsLabel(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(''),
    dnsLabel(20).map((s) => `${s}A`),
    dnsLabel(20).map((s) => `-${s}`),
    dnsLabel(20).map((s) => `${s}-`),
    dnsLabel(20).map((s) => `${s}_x`),
    dnsLabel(20).map((s) => `${s} x`),
    dnsLabel(20).map((s) => `${s}/x`),
    fc.constant('a'.repeat(64)),
    fc.constant('Model-A'),
    fc.constant('ümlaut'),
  );
}

/** A label value: empty, or ≤ 63 chars of [A-Za-z0-9_.-] starting and ending alphanumeric. */
export function labelValue(): fc.Arbitrary<string> {
  const inner = fc.constantFrom(...'abcXYZ019-_.'.split(''));
  const edge = fc.constantFrom(...'abcXYZ019'.split(''));
  return fc.oneof(
    edge,
    fc.tuple(edge, fc.array(inner, { maxLength: 61 }), edge).map(([a, m, b]) => `${a}${m.join('')}${b}`),
  );
}

/** Strings that are NOT label values: too long, bad characters, bad first/last character. */
export function invalidLabelValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant('x'.repeat(64)),
    labelValue().map((v) => `${v}/x`),
    labelValue().map((v) => `-${v}`),
    labelValue().map((v) => `${v}.`),
    fc.constant('has space'),
    fc.constant('a:b'),
    fc.constant('ünïcode'),
  );
}

/** A label key in our own domain: `example.com/<name>` or a bare name. */
export function labelKey(): fc.Arbitrary<string> {
  const name = fc.tuple(alnum, fc.array(fc.constantFrom(...'abcz09-_.'.split('')), { maxLength: 20 }), alnum).map(([a, m, b]) => `${a}${m.join('')}${b}`);
  return fc.tuple(fc.constantFrom('', 'example.com/', 'team.example.org/'), name).map(([p, n]) => `${p}${n}`);
}

/** A non-empty subset of catalog instance types (optionally restricted). */
export function instanceTypes(filter: (t: GpuInstanceType) => boolean = () => true, maxLength = 4): fc.Arbitrary<GpuInstanceType[]> {
  const all = GpuInstanceType.all().filter(filter);
  return fc.uniqueArray(fc.constantFrom(...all), { minLength: 1, maxLength: Math.min(maxLength, all.length), selector: (t) => t.name });
}

/** A fresh chart. */
export function chart(): Chart {
  return Testing.chart();
}

/**
 * Synthesises `c` (which runs its construct validations), then checks every object against the upstream schemas,
 * every validation rule (no error findings) and for suspicious values. Returns the objects.
 */
export function expectCleanSynth(c: Chart, opts: { allowWarnings?: boolean } = {}): any[] {
  const objs = Testing.synth(c);
  expectValid(objs);
  const findings = validateManifests(objs.map((object: any) => ({ object })));
  const errors = findings.filter((f) => f.severity === Severity.ERROR || !(opts.allowWarnings ?? true));
  if (errors.length) throw new Error(`findings:\n${errors.map(formatFinding).join('\n')}`);
  const bad = objs.flatMap((o: any) => suspiciousValues(o, `${o.kind}/${o.metadata?.name}`));
  if (bad.length) throw new Error(`suspicious values:\n${bad.join('\n')}`);
  const text = JSON.stringify(objs);
  if (/\b(undefined|NaN|Infinity)\b|\[object Object\]/.test(text)) throw new Error(`undefined/NaN in output: ${text.slice(0, 400)}`);
  return objs;
}

/**
 * Runs `fn` and asserts it throws a GpuConfigError naming the construct path and the property `prop`
 * (the error's `property` starts with `prop`, e.g. `labels["x"]` for `labels`) — never a TypeError or anything else.
 * A construct reports every problem of its props at once: the error (or, when it lists several, one of its
 * `errors`) must name them, and every problem must be in the one-error format. Returns the problem that matched.
 */
export function expectConfigError(fn: () => unknown, path: string | RegExp, prop: string | RegExp): GpuConfigError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected GpuConfigError on ${prop}, nothing was thrown`);
  if (!(thrown instanceof GpuConfigError)) {
    throw new Error(`expected GpuConfigError on ${prop}, got ${(thrown as Error)?.name}: ${(thrown as Error)?.message}`);
  }
  const all = thrown.errors;
  const wellFormed = (e: GpuConfigError) => e.message.startsWith(`${e.constructPath}: ${e.property} `) && /\. Fix: \S/.test(e.message);
  const matches = (e: GpuConfigError) => {
    const pathOk = typeof path === 'string' ? e.constructPath === path || e.constructPath.startsWith(`${path}/`) : path.test(e.constructPath);
    const propOk = typeof prop === 'string' ? e.property === prop || e.property.startsWith(`${prop}[`) || e.property.startsWith(`${prop}.`) : prop.test(e.property);
    return pathOk && propOk;
  };
  const found = all.find(matches);
  if (!found || !all.every(wellFormed) || (all.length > 1 && !thrown.message.startsWith(`${thrown.constructPath}: ${all.length} problems:\n`))) {
    throw new Error(`GpuConfigError names ${all.map((e) => `${e.constructPath} / ${e.property}`).join('; ')}, expected ${path} / ${prop}: ${thrown.message}`);
  }
  return found;
}
