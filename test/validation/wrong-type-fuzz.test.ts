/**
 * Wrong types everywhere (issue 14): every cdk8s example is synthesised, then, one at a time, the value at a path of
 * one of its objects is replaced by a value of another type. For each variant: lint and plan do not fail, the bad
 * object gets a schema finding (GPU009) and nothing else, and every other object's findings are those of the
 * unmodified example — except a cross-object finding that names the bad object (the pool a workload may land on, the
 * PodDisruptionBudget of a workload): failed objects stay visible to cross-object rules, which read what they now say. Deterministic: the paths are taken in order with a fixed stride, bounded per example.
 */
import { pathsOf } from './value-paths';
import { planGpuWorkloads, PLAIN_STYLE, renderPlanJson, renderPlanText } from '../../src/plan';
import { BUILTIN_RULES, Finding, SourcedManifest, validateManifests } from '../../src/validation';
import { cdk8sExamples, tmpdir } from '../examples/helpers';

/** At most this many variants per example (the stride is chosen to spread them over all paths). */
const VARIANTS_PER_EXAMPLE = 150;

/** A value of another JSON type: a list for a scalar (no field takes a scalar-or-list), a number for a map or list. */
function wrongTypeFor(v: unknown): unknown {
  if (v !== null && typeof v === 'object') return 12345;
  return [v];
}

/**
 * For the runs without the schema gate, the wrong types a message is likeliest to print badly: a map for a scalar
 * (`String({})` is `[object Object]`), a string for a map or list (`Object.keys("x")` is `["0"]`).
 */
function wrongTypeUngated(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? 'x' : { value: v };
}

function mutate(obj: any, path: Array<string | number>, wrong: (v: unknown) => unknown = wrongTypeFor): any {
  const copy = JSON.parse(JSON.stringify(obj));
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k];
  const last = path[path.length - 1];
  cur[last] = wrong(cur[last]);
  return copy;
}

/** The kinds each built-in rule reads. */
const KINDS_READ = new Map(BUILTIN_RULES.map((r) => [r.id, r.kinds] as const));

const key = (f: Finding) => `${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name} ${f.ruleId} ${f.fieldPath}: ${f.message}`;
const BAD_TEXT = /undefined|NaN|\[object Object\]/;

describe.each(cdk8sExamples().map((e) => [e.name, e] as const))('wrong types in example %s', (_name, example) => {
  const app = example.build(tmpdir());
  const objects: any[] = app.charts.flatMap((c) => c.toJson());
  const sourced = (objs: any[]): SourcedManifest[] => objs.map((object, i) => ({ object, source: { file: `${example.name}.yaml`, line: i + 1 } }));
  const baseline = validateManifests(sourced(objects));
  const objectId = (o: any) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

  test('the unmodified example has no schema finding', () => {
    expect(baseline.filter((f) => f.ruleId === 'GPU009').map(key)).toEqual([]);
  });

  test(`a wrong type at ${VARIANTS_PER_EXAMPLE} paths spread over every object: a GPU009 finding for it, its neighbours unchanged, plan renders`, () => {
    const all: Array<[number, Array<string | number>]> = [];
    objects.forEach((o, i) => { for (const p of pathsOf(o)) all.push([i, p]); });
    const stride = Math.max(1, Math.floor(all.length / VARIANTS_PER_EXAMPLE));
    const problems: string[] = [];
    let variants = 0;
    for (let n = 0; n < all.length; n += stride) {
      const [i, p] = all[n];
      const bad = mutate(objects[i], p);
      const input = objects.map((o, j) => (j === i ? bad : o));
      const where = `${objectId(objects[i])} at ${p.join('.')}`;
      variants++;
      let findings: Finding[];
      try {
        findings = validateManifests(sourced(input));
      } catch (e) {
        problems.push(`${where}: lint threw ${(e as Error).message}`);
        continue;
      }
      // Each object is on its own line of the input, so the line names the object whatever its mutated metadata says.
      const isBad = (f: Finding) => f.source?.line === i + 1;
      const own = findings.filter(isBad);
      if (!own.some((f) => f.ruleId === 'GPU009')) problems.push(`${where}: no GPU009 (${own.map((f) => f.ruleId).join(', ') || 'no finding'})`);
      if (own.some((f) => f.ruleId !== 'GPU009')) problems.push(`${where}: other findings on the bad object: ${own.filter((f) => f.ruleId !== 'GPU009').map(key).join(' | ')}`);
      for (const f of findings) if (f.ruleId === 'GPU010' || BAD_TEXT.test(`${f.fieldPath} ${f.message}`)) problems.push(`${where}: ${key(f)}`);
      // Neighbours: unchanged, except a cross-object finding about the bad object itself (one that names it: a pool a
      // workload may land on, the PodDisruptionBudget that selects it), which rightly follows what the object now says,
      // and a finding on an object of another kind by a rule that reads the bad object's kind (a NetworkPolicy the API
      // server would refuse admits nothing: GPU320 then rightly reports the scrape it no longer lets in).
      const aboutBad = (k: string) => k.includes(String(objects[i].metadata?.name)) || k.includes(String(objects[i].kind));
      const crossKind = (f: Finding) => f.object.kind !== objects[i].kind && (KINDS_READ.get(f.ruleId) ?? []).includes(objects[i].kind);
      const others = (fs: Finding[]) => fs.filter((f) => !isBad(f) && !crossKind(f)).map(key);
      const before = others(baseline);
      const after = others(findings);
      const lost = before.filter((x) => !after.includes(x) && !aboutBad(x));
      const gained = after.filter((x) => !before.includes(x) && !aboutBad(x));
      if (lost.length > 0 || gained.length > 0) problems.push(`${where}: neighbours' findings changed: -${lost.join(' | ')} +${gained.join(' | ')}`);
      try {
        const plan = planGpuWorkloads(sourced(input));
        for (const text of [renderPlanJson(plan), renderPlanText(plan, PLAIN_STYLE)]) {
          if (BAD_TEXT.test(text.replace(/GPU009 [^\n]*/g, ''))) problems.push(`${where}: plan prints ${BAD_TEXT.exec(text)![0]}`);
        }
      } catch (e) {
        problems.push(`${where}: plan threw ${(e as Error).message}`);
      }
    }
    expect(variants).toBeGreaterThanOrEqual(Math.min(VARIANTS_PER_EXAMPLE, all.length));
    expect(problems).toEqual([]);
  });

  test(`without the schema gate (--no-schema), a wrong type at ${VARIANTS_PER_EXAMPLE} paths: lint and plan neither fail nor print undefined, NaN or [object Object]`, () => {
    // The rules then meet every wrong type themselves: a rule that fails is GPU010 (the engine's guard), but no message
    // may show a value it could not print.
    const all: Array<[number, Array<string | number>]> = [];
    objects.forEach((o, i) => { for (const p of pathsOf(o)) all.push([i, p]); });
    const stride = Math.max(1, Math.floor(all.length / VARIANTS_PER_EXAMPLE));
    const problems: string[] = [];
    // (offset by half a stride from the gated test: other paths)
    for (let n = Math.floor(stride / 2); n < all.length; n += stride) {
      const [i, p] = all[n];
      const input = objects.map((o, j) => (j === i ? mutate(o, p, wrongTypeUngated) : o));
      const where = `${objectId(objects[i])} at ${p.join('.')}`;
      try {
        for (const f of validateManifests(sourced(input), { schemaGate: false })) {
          if (BAD_TEXT.test(`${f.fieldPath} ${f.message} ${f.remediation ?? ''}`)) problems.push(`${where}: ${key(f)}`);
        }
        const plan = planGpuWorkloads(sourced(input), { schemaGate: false });
        for (const text of [renderPlanJson(plan), renderPlanText(plan, PLAIN_STYLE)]) {
          if (BAD_TEXT.test(text)) problems.push(`${where}: plan prints ${BAD_TEXT.exec(text)![0]}`);
        }
      } catch (e) {
        problems.push(`${where}: threw ${(e as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
