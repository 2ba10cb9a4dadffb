/**
 * `npm run synth`: synthesises every example app under examples/<name>/app.ts.
 * cdk8s apps write YAML to examples/<name>/dist/, aws-cdk-lib apps CloudFormation to examples/<name>/cdk.out/.
 * Each app runs in its own process so one failure names its example and the others still run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const only = process.argv.slice(2);
const apps = fs.readdirSync(examplesDir)
  .filter((name) => fs.existsSync(path.join(examplesDir, name, 'app.ts')))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

let failed = 0;
for (const name of apps) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [
    // The examples import from 'cdk8s-gpu': the hook maps it to src/ (a user's project resolves the installed package).
    '-r', 'ts-node/register/transpile-only', '-r', path.join(__dirname, 'register-cdk8s-gpu.js'), path.join(examplesDir, name, 'app.ts'),
  ], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'test', 'tsconfig.json') },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failed++;
    console.error(`✗ examples/${name} failed (${seconds}s)`);
    continue;
  }
  const out = ['dist', 'cdk.out'].map((d) => path.join(examplesDir, name, d)).filter((d) => fs.existsSync(d));
  const files = out.flatMap((d) => fs.readdirSync(d).filter((f) => /\.(ya?ml|template\.json)$/.test(f)).map((f) => path.relative(root, path.join(d, f))));
  console.log(`✓ examples/${name} (${seconds}s): ${files.join(', ') || 'no output files'}`);
}
if (apps.length === 0) {
  console.error('no example apps found (examples/<name>/app.ts)');
  process.exit(1);
}
process.exit(failed ? 1 : 0);
