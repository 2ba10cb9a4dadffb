/**
 * Issue 14's "Done when", through the commands themselves: a wrong type anywhere gives a schema finding, exit 1 and
 * valid JSON (lint and plan); `lint /dev/zero` ends with exit 2 instead of reading forever.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { runCommand } from './fake-io';
import { LintReport, runLint } from '../../src/cli/lint';
import { runPlan } from '../../src/cli/plan';
import { DEFAULT_MAX_BYTES, parseManifests } from '../../src/cli/yaml-input';

const FIXTURE = path.join(__dirname, '..', 'plan', 'fixtures', 'seed-architecture.yaml');
const objects: any[] = parseManifests(fs.readFileSync(FIXTURE, 'utf8'), FIXTURE).manifests.map((m) => m.object);

/** Every path to a value, apiVersion and kind left out (they pick the schema). */
function pathsOf(obj: any, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (obj && typeof obj === 'object') {
    for (const [k, v] of Array.isArray(obj) ? obj.map((x, i) => [i, x] as const) : Object.entries(obj)) {
      if (prefix.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

/** A value of another type: a list for a scalar, a number for a map or a list. */
const wrongTypeFor = (v: unknown): unknown => (v !== null && typeof v === 'object' ? 12345 : [v]);

describe('wrong types anywhere: a schema finding, exit 1 and valid JSON', () => {
  const all = objects.flatMap((o, i) => pathsOf(o).map((p) => [i, p] as const));
  const VARIANTS = 40;
  const stride = Math.max(1, Math.floor(all.length / VARIANTS));
  const variants = all.filter((_, n) => n % stride === 0).slice(0, VARIANTS);

  test(`${variants.length} variants spread over ${all.length} paths of ${objects.length} objects`, async () => {
    const problems: string[] = [];
    for (const [i, p] of variants) {
      const copy = JSON.parse(JSON.stringify(objects));
      let cur = copy[i];
      for (const k of p.slice(0, -1)) cur = cur[k];
      cur[p[p.length - 1]] = wrongTypeFor(cur[p[p.length - 1]]);
      const stdin = copy.map((o: any) => stringify(o)).join('---\n');
      const where = `${copy[i].kind}/${copy[i].metadata?.name ?? objects[i].metadata?.name} ${p.join('.')}`;
      const lint = await runCommand(runLint, ['--format', 'json', '-'], { stdin });
      let report: LintReport | undefined;
      try { report = JSON.parse(lint.out); } catch { problems.push(`${where}: lint printed no JSON`); continue; }
      if (lint.code !== 1) problems.push(`${where}: lint exit ${lint.code}`);
      if (!report!.findings.some((f) => f.ruleId === 'GPU009')) problems.push(`${where}: no GPU009`);
      if (report!.findings.some((f) => f.ruleId === 'GPU010')) problems.push(`${where}: a rule failed (GPU010)`);
      const plan = await runCommand(runPlan, ['--format', 'json', '-'], { stdin });
      try {
        const doc = JSON.parse(plan.out);
        if (plan.code !== 1 || doc.summary.exitCode !== 1) problems.push(`${where}: plan exit ${plan.code}`);
        if (!doc.plan.problems.some((x: any) => x.severity === 'error' && x.message.startsWith('GPU009 '))) problems.push(`${where}: plan has no GPU009 error`);
      } catch {
        problems.push(`${where}: plan printed no JSON`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('an endless device', () => {
  test('lint /dev/zero and plan /dev/zero end with exit 2 and say why (reading stops one byte past the limit)', async () => {
    for (const command of [runLint, runPlan]) {
      const r = await runCommand(command, ['/dev/zero']);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`/dev/zero: error: holds more than the ${DEFAULT_MAX_BYTES}-byte limit; read stopped, skipped`);
    }
    const json = await runCommand(runLint, ['--format', 'json', '/dev/zero']);
    expect(JSON.parse(json.out).summary).toEqual(expect.objectContaining({ inputErrors: 1, exitCode: 2 }));
  });
});
