/**
 * Wrong values at every path of every rule fixture, the schema gate off (as with `lint --no-schema`, or GPU009
 * suppressed on an object, when the rules judge what the gate would refuse): no rule fails on an object (GPU010),
 * and no message prints `undefined`, `NaN`, `Infinity` or `[object Object]`. test/validation/wrong-type-fuzz.test.ts
 * does the same over the examples' synthesised objects; the fixtures hold what they do not (foreign servers, shared
 * GPUs, Kueue labels, hand-written volumes). Deterministic: each path gets one of the wrong values in turn.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadYaml } from './helpers';
import { pathsOf } from './value-paths';
import { validateManifests } from '../../src/validation';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');
const BAD_TEXT = /undefined|NaN|Infinity|\[object Object\]/;

/** The wrong values, taken in turn: a map for a scalar (a string for a map), a list (a number), null, -1, a huge quantity. */
const WRONG: ReadonlyArray<(v: unknown) => unknown> = [
  (v) => (v !== null && typeof v === 'object' ? 'x' : { value: v }),
  (v) => (v !== null && typeof v === 'object' ? 12345 : [v]),
  () => null,
  () => -1,
  () => '1e400',
];

describe('wrong values in the rule fixtures, without the schema gate', () => {
  const files = fs.readdirSync(FIXTURES).sort().flatMap((id) => ['fail.yaml', 'pass.yaml']
    .map((f) => path.join(FIXTURES, id, f)).filter((f) => fs.existsSync(f)));

  test('every rule judges every variant, and every message is plain text', () => {
    let variants = 0;
    const problems: string[] = [];
    for (const file of files) {
      const objects = loadYaml(file).map((m) => m.object);
      let turn = 0;
      objects.forEach((obj, i) => {
        for (const p of pathsOf(obj)) {
          const copy = JSON.parse(JSON.stringify(objects));
          let cur = copy[i];
          for (const k of p.slice(0, -1)) cur = cur[k];
          const last = p[p.length - 1];
          cur[last] = WRONG[turn++ % WRONG.length](cur[last]);
          variants++;
          for (const f of validateManifests(copy.map((object: any) => ({ object })), { schemaGate: false })) {
            if (f.ruleId === 'GPU010' || BAD_TEXT.test(f.message)) {
              problems.push(`${path.relative(FIXTURES, file)} ${p.join('.')}: ${f.ruleId} ${f.message.slice(0, 160)}`);
            }
          }
        }
      });
    }
    expect(variants).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });
});
