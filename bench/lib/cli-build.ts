/**
 * The CLI as plain JavaScript for end-to-end benchmarks: `node …/lib/cli/main.js plan …` measured from process start
 * to exit, without ts-node's transpiling in the figures. Every `src/**` file is transpiled (no type check) into a
 * package directory under the OS temp folder that mirrors the real package: `lib/` beside symbolic links to `crds/`,
 * `schemas/`, `schema-cache/` (the precompiled validators, built by `npx projen compile`; without it the gate
 * compiles them at run time), `node_modules/` and `package.json`, so paths resolved from `__dirname` find what `lib/`
 * finds.
 * Files of `src/` that are not TypeScript are copied. `--lib` makes the benchmarks use the compiled `lib/` instead.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** The path of the CLI entry point (`…/lib/cli/main.js`), transpiled from `src/` unless `useLib` and `lib/` exists. */
export function buildCli(useLib = false): string {
  const compiled = path.join(ROOT, 'lib', 'cli', 'main.js');
  if (useLib) {
    if (!fs.existsSync(compiled)) throw new Error('--lib: lib/cli/main.js does not exist (run npx projen compile first)');
    return compiled;
  }
  return path.join(buildPackage(), 'lib', 'cli', 'main.js');
}

/**
 * The package transpiled into a temporary folder (removed at exit): `src/` as `lib/`, and with `withBench` the
 * benchmarks as `bench/`, their imports of `../src/…` pointed at `../lib/…` (for runs where ts-node's own start-up would
 * blur the figures, such as counting instructions).
 */
export function buildPackage(withBench = false): string {
  const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-bench-pkg-'));
  for (const link of ['crds', 'schemas', 'schema-cache', 'node_modules', 'package.json']) {
    if (fs.existsSync(path.join(ROOT, link))) fs.symlinkSync(path.join(ROOT, link), path.join(pkg, link));
  }
  transpileTree(path.join(ROOT, 'src'), path.join(pkg, 'lib'), (js) => js);
  if (withBench) transpileTree(path.join(ROOT, 'bench'), path.join(pkg, 'bench'), (js) => js.replace(/require\((['"])((?:\.\.\/)+)src\//g, 'require($1$2lib/'));
  process.on('exit', () => fs.rmSync(pkg, { recursive: true, force: true }));
  return pkg;
}

/** Transpiles every `.ts` file under `from` (no type check) into `to`; other files are copied. */
function transpileTree(from: string, to: string, edit: (js: string) => string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts: typeof import('typescript') = require('typescript');
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, e.name);
    const target = path.join(to, e.name);
    if (e.isDirectory()) { transpileTree(source, target, edit); continue; }
    fs.mkdirSync(to, { recursive: true });
    if (!e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) { fs.copyFileSync(source, target); continue; }
    const out = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true },
      fileName: source,
    });
    fs.writeFileSync(target.replace(/\.ts$/, '.js'), edit(out.outputText));
  }
}

/**
 * Node's flags for a run whose instruction count repeats: V8 compiles and collects garbage on the main thread, at
 * points fixed by the run itself (not by when a background thread finishes), and hashes with fixed seeds. Counts then
 * repeat to about 0.01% as long as the gate's runtime cache (src/schema/runtime-cache.ts) is in the same state: a
 * package's first runs, which write it, count a few percent apart from later ones, so compare builds only after each has
 * run once. They include V8's optimising compiles, which a normal run does on another core.
 */
export const STEADY_NODE_FLAGS: readonly string[] = ['--single-threaded', '--hash-seed=1', '--random-seed=1'];

/**
 * Instructions a `node <args>` run executes, counted by valgrind's cachegrind (`I refs`), with {@link STEADY_NODE_FLAGS}:
 * steady on a busy machine, where times are not. Undefined when valgrind is not installed or the run fails.
 */
export function countInstructions(args: string[], env: Record<string, string> = {}): number | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const r = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--smc-check=all-non-file', '--cachegrind-out-file=/dev/null', process.execPath, ...STEADY_NODE_FLAGS, ...args], {
    encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024,
  });
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr ?? '');
  return r.status === 0 && m ? Number(m[1].replace(/,/g, '')) : undefined;
}

/**
 * Whether valgrind can count instructions; when not, says so for `bench` (e.g. `bench/lint --instructions`) and sets a
 * failing exit code.
 */
export function canCountInstructions(bench: string): boolean {
  if (countInstructions(['-e', '0']) !== undefined) return true;
  console.log(`${bench}: valgrind is not installed (apt-get install valgrind)`);
  process.exitCode = 1;
  return false;
}

/** Time and peak memory of one run of a command, from `/usr/bin/time -v` when present, else the wall clock only. */
export interface RunFigures {
  readonly seconds: number;
  /** User + system CPU seconds, when known (steadier than the wall clock on a busy machine). */
  readonly cpuSeconds?: number;
  /** Peak resident set size in MB, when known. */
  readonly maxRssMb?: number;
  readonly exitCode: number | null;
  /** Bytes written to stdout. */
  readonly stdoutBytes: number;
  readonly stderr: string;
}

/** Runs `node <args>` with stdout counted (not kept) and returns its figures. */
export function runNode(args: string[]): RunFigures {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-bench-out-')), 'stdout');
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const fd = fs.openSync(out, 'w');
  const t0 = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-v', process.execPath, ...args], { stdio: ['ignore', fd, 'pipe'], maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(process.execPath, args, { stdio: ['ignore', fd, 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(fd);
  const stdoutBytes = fs.statSync(out).size;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const stderr = r.stderr?.toString('utf8') ?? '';
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const status = /Exit status: (\d+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return {
    seconds,
    ...(user && sys ? { cpuSeconds: Number(user[1]) + Number(sys[1]) } : {}),
    ...(rss ? { maxRssMb: Number(rss[1]) / 1024 } : {}),
    exitCode: timeBin ? (status ? Number(status[1]) : r.status) : r.status,
    stdoutBytes,
    stderr: timeBin ? stderr.replace(/\n?\s*Command being timed:[\s\S]*$/, '') : stderr,
  };
}
