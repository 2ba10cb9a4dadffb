/**
 * Inputs at the sizes of issue 14, checked for what they produce, not for time (bench/lint-scale.ts prints the time
 * and memory): a 130,000-object file lints with the right counts, and 1,000,000 empty documents neither crash nor
 * flood the report.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCommand } from './fake-io';
import { LintReport, runLint } from '../../src/cli/lint';
import { MAX_LISTED_EMPTY_DOCUMENTS } from '../../src/cli/yaml-input';

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-scale-')); });
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

test('a 130,000-object file lints: every object read and schema-checked, each bad one found at its own line', async () => {
  const file = path.join(tmp, 'big.yaml');
  const docs: string[] = [];
  for (let i = 0; i < 130_000; i++) {
    // Every 10,000th ConfigMap holds a number where the schema wants a string (GPU009).
    docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: default}\ndata: {a: ${i % 10_000 === 0 ? 1 : '"1"'}}\n`);
  }
  fs.writeFileSync(file, docs.join('---\n'));
  const r = await runCommand(runLint, ['--format', 'json', file]);
  const report = JSON.parse(r.out) as LintReport;
  expect(r.code).toBe(1);
  expect(report.summary).toEqual(expect.objectContaining({ objects: 130_000, schemaChecked: 130_000, schemaFailed: 13, errors: 13, inputErrors: 0 }));
  // Document i starts on line 5i + 1; its `a:` is on its fourth line.
  expect(report.findings.map((f) => `${f.ruleId} ${f.object.name} ${f.line} ${f.fieldPath}`))
    .toEqual(Array.from({ length: 13 }, (_, k) => `GPU009 c${k * 10_000} ${k * 50_000 + 4} data.a`));
});

test('1,000,000 empty documents: no crash, exit 0, the first ones listed and the rest counted', async () => {
  const file = path.join(tmp, 'empty.yaml');
  fs.writeFileSync(file, '---\n'.repeat(1_000_000));
  const r = await runCommand(runLint, ['--format', 'json', file]);
  const report = JSON.parse(r.out) as LintReport;
  expect(r.code).toBe(0);
  expect(report.summary).toEqual(expect.objectContaining({ objects: 0, inputWarnings: MAX_LISTED_EMPTY_DOCUMENTS + 1, exitCode: 0 }));
  expect(report.inputErrors[MAX_LISTED_EMPTY_DOCUMENTS].message)
    .toBe(`${1_000_000 - MAX_LISTED_EMPTY_DOCUMENTS} more empty YAML documents skipped (1000000 in all)`);
});
