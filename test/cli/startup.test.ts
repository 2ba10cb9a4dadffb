/**
 * The CLI loads what it uses: `cdk8s-gpu lint` and `plan` read YAML and run the rules, the schema gate and the planner,
 * none of which needs the constructs' libraries, and the gate's validation code comes from the precompiled cache, so
 * ajv's compiler is not needed either; the `yaml` package only when the fast reader hands a document over or a schema
 * violation is placed on its line. Loading
 * cdk8s-plus-30 (through the rules → DCGM collectors → enum specs → DcgmMonitoring chain), cdk8s (through the
 * validation barrel's GpuValidation), ajv's compiler and the yaml package cost about 300 ms of every run before it
 * read a byte.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openSchemaCache, SCHEMA_CACHE_DIR } from '../../src/schema/schema-cache';
import { writeSchemaCache } from '../../src/schema/schema-cache-writer';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Runs `cdk8s-gpu <args>` in a fresh node process (the sources, through ts-node) and returns its exit code and the
 * package files it loaded (`pkg/relative/path`).
 */
function run(args: string[]): { code: number; output: string; loaded: string[] } {
  const script = `let output = ''; require(${JSON.stringify(path.join(ROOT, 'src', 'cli', 'main.ts'))})`
    + `.main(${JSON.stringify(args)}, { stdout: { write(s) { output += s; } }, stderr: process.stderr, stdin: process.stdin })`
    + '.then((code) => process.stdout.write(JSON.stringify({ code, output, loaded: Object.keys(require.cache)'
    + '.map((k) => /node_modules\\/(.*)$/.exec(k)?.[1]).filter(Boolean) })));';
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json') },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  if (r.stderr.includes('AJV')) console.log(r.stderr);
  return JSON.parse(r.stdout);
}

const packageOf = (file: string) => /^((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];

describe('the CLI loads what it uses', () => {
  // The gate's validators come from the precompiled cache (git-ignored build output of `npx projen compile`); a fresh
  // clone tests before it compiles, so the cache is built here when it is missing or stale (the same build, written
  // to a temporary folder and renamed into place). Without it the gate compiles at runtime, loading ajv's compiler.
  beforeAll(() => {
    if (!openSchemaCache()?.coreEntries()) writeSchemaCache(SCHEMA_CACHE_DIR);
  }, 120_000);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-startup-'));
  const gpuPod = [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: vllm, namespace: default}', 'spec:',
    '  selector: {matchLabels: {app: vllm}}', '  template:', '    metadata: {labels: {app: vllm}}', '    spec:',
    '      containers:', '      - name: server', '        image: vllm/vllm-openai:v0.10.1',
    '        resources: {limits: {nvidia.com/gpu: 1}}',
  ];
  const valid = path.join(dir, 'valid.yaml');
  fs.writeFileSync(valid, [...gpuPod, ''].join('\n'));
  const misspelt = path.join(dir, 'misspelt.yaml');
  fs.writeFileSync(misspelt, [...gpuPod, '---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: s, namespace: default}', 'spec: {portz: []}', ''].join('\n'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([['lint'], ['plan']])('%s: not cdk8s, cdk8s-plus-30, aws-cdk-lib or ajv\'s compiler', (command) => {
    const { code, output, loaded } = run([command, misspelt]);
    // The run did its work: the schema gate refused the misspelt field (GPU009), from its precompiled code.
    expect(code).toBe(1);
    expect(output).toMatch(/GPU009.*unknown field "portz"/);
    const packages = new Set(loaded.map(packageOf));
    expect(packages).toContain('js-yaml'); // the check is of the real module graph
    for (const unused of ['cdk8s-plus-30', 'cdk8s', 'aws-cdk-lib']) expect(packages).not.toContain(unused);
    expect(loaded.filter((f) => f.startsWith('ajv/dist/compile/') || f === 'ajv/dist/ajv.js')).toEqual([]);
  }, 120_000);

  test('lint of YAML the fast reader reads, with no violation to place on a line and no query: not the yaml package nor PromQL\'s grammar', () => {
    const { code, output, loaded } = run(['lint', valid]);
    expect(code).toBe(1); // the GPU pod tolerates no taint and targets no GPU node: findings, so the rules ran
    expect(output).toMatch(/GPU0\d\d/);
    const packages = new Set(loaded.map(packageOf));
    // nor Prometheus's PromQL grammar (no query to parse), nor constructs (no construct to describe)
    for (const unused of ['yaml', '@prometheus-io/lezer-promql', 'constructs']) expect(packages).not.toContain(unused);
  }, 120_000);
});
