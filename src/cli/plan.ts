/**
 * `cdk8s-gpu plan [options] FILE|DIR|- ...`: where every GPU workload lands, how many GPUs and nodes each Karpenter
 * NodePool needs at the workloads' minimum and maximum replicas, and what that costs per hour — before anything is
 * deployed. Reads the same inputs as `lint` (src/cli/yaml-input.ts) and plans with src/plan.
 *
 * Exit codes: 0 every GPU workload can schedule and every scaler maximum can be reached; 1 some workload can never
 * schedule or some maximum can never be reached; 2 an input could not be read or parsed, or the command line is
 * wrong (the plan of what was read is still printed).
 *
 * Not part of the jsii API (not exported from src/index.ts).
 */
import { COLOR_STYLE, safeText, UsageError, useColor, walkArgs } from './args';
import { DEFAULT_SPOT_DISCOUNT, Plan, planGpuWorkloads, planHasErrors, PLAIN_STYLE, writePlanHtml, writePlanJson, writePlanText } from '../plan';
import { EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, LintIO, packageVersion } from './lint';
import { readInputs } from './yaml-input';
import { SourcedManifest } from '../validation/model';

/** The text of `cdk8s-gpu plan --help`. */
export const PLAN_USAGE = `Usage: cdk8s-gpu plan [options] FILE|DIR|- ...

Plans GPU workloads on Karpenter NodePools before anything is deployed: for each workload that requests a
GPU, the pools it can land on (and for every other pool the first predicate that fails); per pool the GPUs
and nodes needed at the scalers' minimum and maximum replicas against the pool's limits; and the hourly
cost, on-demand vs spot. Inputs are read as by \`cdk8s-gpu lint\` (YAML files, directories, Markdown, -).

Options:
  --format text|json|html  output format (default: text); html is one self-contained page
  --spot-discount N        spot price = on-demand x (1 - N), 0 <= N < 1 (default: ${DEFAULT_SPOT_DISCOUNT})
  --no-schema              skip the schema gate (objects invalid against their schema are otherwise left
                           out of the plan, each violation an error)
  --no-color               never colour the output (colour is used only on a terminal without NO_COLOR)
  --help, -h               show this help
  --version                show the version

Exit codes: 0 every GPU workload can schedule and every scaler maximum can be reached,
1 some workload can never schedule or some maximum can never be reached, 2 unreadable input or bad usage.
`;

interface PlanCliOptions {
  format: 'text' | 'json' | 'html';
  spotDiscount?: number;
  noColor: boolean;
  noSchema: boolean;
  help: boolean;
  version: boolean;
  inputs: string[];
}

function parseArgs(args: string[]): PlanCliOptions {
  const o: PlanCliOptions = { format: 'text', noColor: false, noSchema: false, help: false, version: false, inputs: [] };
  o.inputs = walkArgs(args, (name, read) => {
    switch (name) {
      case '--format': case '-f': {
        const v = read.value();
        if (v !== 'text' && v !== 'json' && v !== 'html') throw new UsageError(`--format must be text, json or html, not ${JSON.stringify(v)}`);
        o.format = v;
        break;
      }
      case '--spot-discount': {
        const raw = read.value();
        const n = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(raw) ? Number(raw) : Number.NaN;
        if (!(n >= 0 && n < 1)) throw new UsageError(`--spot-discount must be a fraction in [0, 1), e.g. 0.6 for 60% below on-demand, not ${JSON.stringify(raw)}`);
        o.spotDiscount = n;
        break;
      }
      case '--no-color': case '--no-colour': read.noValue(); o.noColor = true; break;
      case '--no-schema': read.noValue(); o.noSchema = true; break;
      case '--help': case '-h': read.noValue(); o.help = true; break;
      case '--version': case '-V': read.noValue(); o.version = true; break;
      default: throw new UsageError(`unknown option ${name}`);
    }
  });
  return o;
}

/** A manifest whose file name, kind, name and namespace have their control characters escaped (for text and HTML). */
function safeForText(m: SourcedManifest): SourcedManifest {
  const o = m.object;
  const meta = o?.metadata;
  const unsafe = (v: unknown) => typeof v === 'string' && safeText(v) !== v;
  const fixObject = o && typeof o === 'object' && (unsafe(o.kind) || (meta && typeof meta === 'object' && (unsafe(meta.name) || unsafe(meta.namespace))));
  const object = !fixObject ? o : {
    ...o,
    ...(typeof o.kind === 'string' ? { kind: safeText(o.kind) } : {}),
    metadata: { ...meta, ...(typeof meta?.name === 'string' ? { name: safeText(meta.name) } : {}), ...(typeof meta?.namespace === 'string' ? { namespace: safeText(meta.namespace) } : {}) },
  };
  const source = m.source?.file === undefined ? m.source : { ...m.source, file: safeText(m.source.file) };
  return object === o && source === m.source ? m : { object, ...(source ? { source } : {}) };
}

/**
 * Runs `cdk8s-gpu plan` with `args` (the words after `plan`). Never calls process.exit and never throws for bad
 * input: returns the exit code.
 */
export async function runPlan(args: string[], io: LintIO): Promise<number> {
  let opts: PlanCliOptions;
  try {
    opts = parseArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`cdk8s-gpu plan: ${e.message}\n\n${PLAN_USAGE}`);
    return EXIT_INPUT;
  }
  if (opts.help) { io.stdout.write(PLAN_USAGE); return EXIT_OK; }
  if (opts.version) { io.stdout.write(`${packageVersion()}\n`); return EXIT_OK; }
  if (opts.inputs.length === 0) {
    io.stderr.write(`cdk8s-gpu plan: no input given (name files, directories, or - for standard input)\n\n${PLAN_USAGE}`);
    return EXIT_INPUT;
  }

  const read = await readInputs(opts.inputs, { stdin: io.stdin });
  let plan: Plan;
  try {
    // Text and HTML show file and object names: control characters in them are escaped (the gate refuses such names).
    const manifests = opts.format === 'json' ? read.manifests : read.manifests.map(safeForText);
    plan = planGpuWorkloads(manifests, {
      ...(opts.spotDiscount === undefined ? {} : { spotDiscount: opts.spotDiscount }),
      schemaGate: !opts.noSchema,
    });
  } catch (e) {
    const err = e as Error;
    const msg = err?.name === 'GpuConfigError' ? err.message : `cannot plan: ${err?.message ?? String(e)}`;
    io.stderr.write(`cdk8s-gpu plan: ${safeText(String(msg).split('\n')[0])}\n`);
    return EXIT_INPUT;
  }

  const inputErrors = read.problems.filter((p) => p.severity === 'error').length;
  const exitCode = inputErrors > 0 ? EXIT_INPUT : planHasErrors(plan) ? EXIT_FINDINGS : EXIT_OK;

  if (opts.format === 'json') {
    // Written in chunks: the plan of 1,000 workloads on 1,000 pools is hundreds of megabytes of text.
    writePlanJson(plan, read.problems.map((p) => ({
      file: p.file,
      ...(p.line !== undefined ? { line: p.line } : {}),
      ...(p.column !== undefined ? { column: p.column } : {}),
      severity: p.severity,
      message: p.message,
    })), (chunk) => io.stdout.write(chunk));
    return exitCode;
  }

  const st = opts.format === 'text' && useColor(io, opts.noColor) ? COLOR_STYLE : PLAIN_STYLE;
  for (const p of read.problems) {
    const where = safeText([p.file, p.line, p.line !== undefined ? p.column : undefined].filter((x) => x !== undefined).join(':'));
    const sev = p.severity === 'error' ? st.red('error') : st.yellow('warning');
    io.stderr.write(`${where}: ${sev}: ${safeText(String(p.message).replace(/[ \t]*\n[ \t]*/g, ' ').trim())}\n`);
  }
  const sink = (chunk: string) => io.stdout.write(chunk);
  if (opts.format === 'html') writePlanHtml(plan, sink);
  else writePlanText(plan, st, sink);
  return exitCode;
}
