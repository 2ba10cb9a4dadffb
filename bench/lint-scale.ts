/**
 * Benchmark of `cdk8s-gpu lint` on large inputs, end to end (issue 14): 200,000 small objects, 130,000 objects
 * (a large `kubectl get -A -o yaml`), and 1,000,000 empty documents (`---` lines), each in one file, linted by the CLI
 * in its own `node` process (transpiled to JavaScript, see lib/cli-build.ts) with the schema gate and without it.
 * Prints wall time, CPU time and peak resident memory (`/usr/bin/time -v`). Target: under 10 s and 1 GB.
 *
 * Run: npm run bench -- lint-scale [--lib]   (`--lib`: run the compiled lib/ instead)
 * Not a test: it prints figures and asserts nothing about them (test/cli/scale.test.ts checks the results).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildCli, runNode } from './lib/cli-build';

const small = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: team-${i % 40}}\ndata: {a: "1"}\n`;
const deployment = (i: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: d${i}, namespace: team-${i % 40}, labels: {app: d${i}}}
spec:
  replicas: 2
  selector: {matchLabels: {app: d${i}}}
  template:
    metadata: {labels: {app: d${i}}}
    spec:
      containers:
        - name: c
          image: registry.example.com/app:1.${i % 10}
          ports: [{containerPort: 8080}]
          resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {memory: 512Mi}}
`;

const INPUTS: Array<{ name: string; text: () => string }> = [
  { name: '200,000 small objects', text: () => Array.from({ length: 200_000 }, (_, i) => small(i)).join('---\n') },
  { name: '130,000 objects (1 in 4 a Deployment)', text: () => Array.from({ length: 130_000 }, (_, i) => (i % 4 === 0 ? deployment(i) : small(i))).join('---\n') },
  { name: '1,000,000 empty documents', text: () => '---\n'.repeat(1_000_000) },
];

function main(): void {
  const cli = buildCli(process.argv.includes('--lib'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-bench-lint-scale-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  console.log(`lint-scale: node ${process.version}, ${os.cpus().length} cores; target under 10 s and 1 GB per input`);
  INPUTS.forEach((input, n) => {
    const file = path.join(dir, `input-${n}.yaml`);
    fs.writeFileSync(file, input.text());
    console.log(`${input.name}: ${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MiB`);
    for (const gate of [true, false]) {
      const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
      const r = runNode([cli, 'lint', '--format', 'json', ...(gate ? [] : ['--no-schema']), file]);
      const problem = r.exitCode !== 0 && r.exitCode !== 1 ? `  EXIT ${r.exitCode}: ${r.stderr.trim().split('\n')[0]}` : '';
      console.log(`  ${gate ? 'gate on ' : 'gate off'}  ${r.seconds.toFixed(2).padStart(6)} s  (CPU ${r.cpuSeconds === undefined ? '?' : r.cpuSeconds.toFixed(2)} s)  `
        + `${r.maxRssMb === undefined ? '   ? ' : r.maxRssMb.toFixed(0).padStart(5)} MB peak RSS  exit ${r.exitCode}  (load ${load})${problem}`);
    }
  });
}

main();
