/**
 * The CLI loads what it uses: `cdk8s-gpu lint` and `plan` read YAML and run the rules, the schema gate and the planner,
 * none of which needs the constructs' libraries. Loading cdk8s-plus-30 (through the rules → DCGM collectors → enum
 * specs → DcgmMonitoring chain) and cdk8s (through the validation barrel's GpuValidation) cost about 200 ms of every
 * run before it read a byte.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** The packages in require.cache after requiring `entry` in a fresh node process (the sources, through ts-node). */
function loadedPackages(entry: string): string[] {
  const script = `require(${JSON.stringify(path.join(ROOT, entry))});`
    + 'const names = new Set(Object.keys(require.cache).map((k) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(k)?.[1]).filter(Boolean));'
    + 'process.stdout.write(JSON.stringify([...names].sort()));';
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json') },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

test('the CLI (lint and plan) loads neither cdk8s, cdk8s-plus-30 nor aws-cdk-lib', () => {
  const loaded = loadedPackages('src/cli/main.ts');
  // what it does use is loaded (so the check is of the real module graph)
  expect(loaded).toEqual(expect.arrayContaining(['ajv', 'js-yaml']));
  expect(loaded).not.toContain('cdk8s-plus-30');
  expect(loaded).not.toContain('cdk8s');
  expect(loaded).not.toContain('aws-cdk-lib');
}, 120_000);
