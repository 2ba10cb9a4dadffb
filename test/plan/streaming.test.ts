/**
 * The renderers write a plan in chunks (a plan of 1,000 workloads on 1,000 pools is hundreds of megabytes): the text
 * is the same as building it whole, and the JSON is exactly JSON.stringify's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseManifests } from '../../src/cli/yaml-input';
import {
  PLAIN_STYLE, planGpuWorkloads, planToJson, renderPlanHtml, renderPlanJson, renderPlanText, writePlanHtml, writePlanJson, writePlanText,
} from '../../src/plan';
import { ChunkedWriter, roundNumbers, writeJson } from '../../src/plan/format';

const read = (name: string) => {
  const file = path.join(__dirname, 'fixtures', name);
  return parseManifests(fs.readFileSync(file, 'utf8'), file).manifests;
};

describe('chunked rendering', () => {
  test.each(['seed-architecture.yaml', 'tiered.yaml'])('%s: JSON equals JSON.stringify of planToJson; chunks join to the whole text', (name) => {
    const plan = planGpuWorkloads(read(name), { spotDiscount: 0.65 });
    const inputErrors = [{ file: 'x.yaml', line: 3, severity: 'warning', message: 'empty YAML document skipped' }];
    expect(renderPlanJson(plan, inputErrors)).toBe(`${JSON.stringify(planToJson(plan, inputErrors), null, 2)}\n`);
    const chunks: string[] = [];
    writePlanJson(plan, inputErrors, (c) => chunks.push(c));
    expect(chunks.join('')).toBe(renderPlanJson(plan, inputErrors));
    const text: string[] = [];
    writePlanText(plan, PLAIN_STYLE, (c) => text.push(c));
    expect(text.join('')).toBe(renderPlanText(plan));
    expect(renderPlanText(plan)).toMatch(/^GPU plan: [\s\S]*\n$/);
    const html: string[] = [];
    writePlanHtml(plan, (c) => html.push(c));
    expect(html.join('')).toBe(renderPlanHtml(plan));
    expect(renderPlanHtml(plan)).toMatch(/^<!DOCTYPE html>\n[\s\S]*<\/html>\n$/);
  });

  test('writeJson writes what JSON.stringify(v, null, 2) writes, odd values included, in chunks of the given size', () => {
    const values: unknown[] = [
      { 'a': 1, 'b': undefined, 'c': [undefined, NaN, Infinity, -0, null, () => 1], 'd': {}, 'e': [], 'f': { g: [[], [{}]] }, 'h "k"\n': 'ü\u2028\u0000' },
      [1.23456789, { x: 1e21, y: 1e-7 }],
      'plain', 42, null, true, [],
    ];
    for (const v of values) {
      for (const size of [1, 7, 2 ** 20]) {
        const chunks: string[] = [];
        const w = new ChunkedWriter((c) => chunks.push(c), size);
        writeJson(w, v);
        w.flush();
        expect(chunks.join('')).toBe(JSON.stringify(v, null, 2));
        if (size === 1 && v === values[0]) expect(chunks.length).toBeGreaterThan(1);
      }
    }
  });

  test('writeJson: an object shared at several places and depths is written as JSON.stringify writes each, whatever the memo budget', () => {
    const leaf = { pool: 'p', fits: false, instanceTypes: [], reason: 'r "q"', n: 1.23456789, skip: undefined };
    const other = { a: [1, null, 'x'], b: true };
    const v = { list: [leaf, other, leaf, { deeper: [leaf, other] }, other], again: leaf, nested: { leaf, other: [[leaf]] } };
    for (const budget of [0, 40, 2 ** 24]) {
      for (const round of [undefined, 3]) {
        const chunks: string[] = [];
        const w = new ChunkedWriter((c) => chunks.push(c), 16);
        writeJson(w, v, 0, round, budget);
        w.flush();
        expect(chunks.join('')).toBe(JSON.stringify(round === undefined ? v : roundNumbers(v, round), null, 2));
      }
    }
  });
});
