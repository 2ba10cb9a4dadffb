/**
 * Runs every benchmark in bench/ (each `*.ts` file but this one), one after the other, each in its own process so
 * one benchmark's heap and JIT state do not colour the next. Exits non-zero if any benchmark fails.
 *
 * Run: npm run bench -- [name ...] [argument ...]
 * (names, e.g. `lint`, pick a subset; every other argument is passed to each benchmark run, e.g.
 * `npm run bench -- synth 1000 --writers`).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

function main(): number {
  const all = fs.readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== path.basename(__filename) && !f.startsWith('.') && !f.startsWith('_'));
  const names = new Set(all.map((f) => f.replace(/\.ts$/, '')));
  const args = process.argv.slice(2);
  const only = new Set(args.map((a) => a.replace(/\.ts$/, '')).filter((a) => names.has(a)));
  const passOn = args.filter((a) => !names.has(a.replace(/\.ts$/, '')));
  const benches = all.filter((f) => only.size === 0 || only.has(f.replace(/\.ts$/, ''))).sort();
  if (benches.length === 0) {
    console.error(`bench/run: no benchmark matches ${[...only].join(', ') || '(none in bench/)'}`);
    return 1;
  }
  const root = path.join(__dirname, '..');
  const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [root] });
  const failed: string[] = [];
  for (const b of benches) {
    console.log(`\n=== bench/${b}`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath,
      [tsNode, '--transpile-only', '--project', path.join(root, 'test', 'tsconfig.json'), path.join(__dirname, b), ...passOn],
      { cwd: root, stdio: 'inherit' });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (r.status !== 0) {
      failed.push(b);
      console.log(`=== bench/${b} FAILED (${r.error?.message ?? (r.signal ? `signal ${r.signal}` : `exit ${r.status}`)}) after ${secs} s`);
    } else {
      console.log(`=== bench/${b} done in ${secs} s`);
    }
  }
  console.log(`\nbench/run: ${benches.length - failed.length} of ${benches.length} benchmarks ran${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
  return failed.length ? 1 : 0;
}

process.exitCode = main();
