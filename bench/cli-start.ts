/**
 * Benchmark of what every `cdk8s-gpu lint` and `plan` run pays before and besides its input: the command run end to end
 * (a fresh `node` process: module loading, the schema gate's start, reading, rules, output) on one GPU Deployment, and
 * `node -e ''` for the floor of any node process. The other benches time the work on the input inside a process whose
 * modules are already loaded; this one is what a user waits for on a small file (a pre-commit hook, an editor).
 *
 * Run: npm run bench -- cli-start [runs] [--lib]   (`--lib`: the compiled lib/ instead of src/ transpiled to JS)
 * Not a test: it prints the median wall and CPU time and the peak memory of each, and asserts nothing about them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildCli, runNode, RunFigures } from './lib/cli-build';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 7);
const USE_LIB = process.argv.includes('--lib');

const YAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: vllm, namespace: default}
spec:
  selector: {matchLabels: {app: vllm}}
  template:
    metadata: {labels: {app: vllm}}
    spec:
      containers:
      - name: server
        image: vllm/vllm-openai:v0.10.1
        resources: {limits: {nvidia.com/gpu: 1}}
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main(): void {
  const cli = buildCli(USE_LIB);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-bench-start-')), 'app.yaml');
  fs.writeFileSync(file, YAML);
  const cases: Array<[string, string[]]> = [['node -e \'\'', ['-e', '']], ['lint', [cli, 'lint', file]], ['plan', [cli, 'plan', file]]];
  const runs = new Map<string, RunFigures[]>(cases.map(([name]) => [name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of cases) {
      const r = runNode(args);
      if (name !== 'node -e \'\'' && r.exitCode !== 1) throw new Error(`${name} exited ${r.exitCode} (expected 1: the pod has findings): ${r.stderr.slice(-500)}`);
      runs.get(name)!.push(r);
    }
  }
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  console.log(`bench/cli-start: ${USE_LIB ? 'lib/' : 'src/ transpiled'}; node ${process.version}; ${os.loadavg()[0].toFixed(1)} load; median of ${RUNS}`);
  for (const [name] of cases) {
    const rs = runs.get(name)!;
    const cpu = rs.every((r) => r.cpuSeconds !== undefined) ? ` CPU ${(median(rs.map((r) => r.cpuSeconds!)) * 1000).toFixed(0)} ms` : '';
    const rss = rs.every((r) => r.maxRssMb !== undefined) ? ` peak ${median(rs.map((r) => r.maxRssMb!)).toFixed(0)} MB` : '';
    console.log(`  ${name.padEnd(10)} ${(median(rs.map((r) => r.seconds)) * 1000).toFixed(0).padStart(5)} ms wall${cpu}${rss}`);
  }
}

main();
