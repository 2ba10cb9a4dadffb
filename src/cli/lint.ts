/**
 * `cdk8s-gpu lint [options] FILE|DIR|- ...`: runs the validation core over Kubernetes YAML (and the ```yaml blocks
 * of Markdown) and reports findings as text or JSON.
 *
 * Exit codes: 0 clean (warnings allowed), 1 at least one error finding, 2 an input could not be read or parsed
 * (the findings of the other inputs are still printed) or the command line is wrong.
 *
 * Not part of the jsii API (not exported from src/index.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { COLOR_STYLE, PLAIN_TEXT_STYLE, safeText, UsageError, useColor, walkArgs } from './args';
import { InputProblem, madePlainJson, readInputs } from './yaml-input';
import { byCodeUnits } from '../private/order';
import { _runValidation, ValidateOptions, ValidationRunInfo } from '../validation/engine';
import { Finding, Severity, SourcedManifest } from '../validation/model';

/** Where `runLint` reads and writes; tests pass fakes. */
export interface LintIO {
  /** Receives the report. */
  readonly stdout: { write(s: string): unknown };
  /** Receives usage and input errors in text mode. */
  readonly stderr: { write(s: string): unknown };
  /** Standard input, read when an input is `-`. @default - `-` is reported as unreadable */
  readonly stdin?: NodeJS.ReadableStream | string;
  /** Whether stdout is a terminal (colour is used only then, and only without NO_COLOR). @default false */
  readonly isTTY?: boolean;
  /** Environment (for NO_COLOR). @default process.env */
  readonly env?: Record<string, string | undefined>;
}

/** Exit codes of `cdk8s-gpu lint`. */
export const EXIT_OK = 0;
/** At least one error finding. */
export const EXIT_FINDINGS = 1;
/** Unreadable input or a usage error. */
export const EXIT_INPUT = 2;

/** The text of `cdk8s-gpu lint --help`. */
export const LINT_USAGE = `Usage: cdk8s-gpu lint [options] FILE|DIR|- ...

Checks Kubernetes YAML for GPU scheduling mistakes (Karpenter, KEDA, DCGM, NVIDIA GPU Operator).
FILE is YAML (multi-document, kind: List is expanded) or Markdown/text (.md, .markdown, .txt: its
\`\`\`yaml blocks are checked). DIR is searched recursively for *.yaml and *.yml (node_modules and
dot-directories skipped). - reads YAML from standard input.

Options:
  --format text|json   output format (default: text)
  --disable IDS        comma-separated rule ids to switch off, e.g. GPU004,GPU005 (repeatable)
  --no-schema          skip the schema gate (GPU009: every object of a known kind is first validated
                       against its schema, Kubernetes 1.30 core kinds and the bundled CRDs)
  --quiet, -q          report errors only
  --no-color           never colour the output (colour is used only on a terminal without NO_COLOR)
  --help, -h           show this help
  --version            show the version

Exit codes: 0 no errors, 1 error findings, 2 unreadable input or bad usage.
`;

/** The package version, or `unknown` when package.json cannot be read. */
export function packageVersion(): string {
  // src/cli/lint.ts and lib/cli/lint.js both sit two levels below the package root.
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

interface LintOptions {
  format: 'text' | 'json';
  disabled: string[];
  quiet: boolean;
  noColor: boolean;
  noSchema: boolean;
  help: boolean;
  version: boolean;
  inputs: string[];
}

function parseArgs(args: string[]): LintOptions {
  const o: LintOptions = { format: 'text', disabled: [], quiet: false, noColor: false, noSchema: false, help: false, version: false, inputs: [] };
  o.inputs = walkArgs(args, (name, read) => {
    switch (name) {
      case '--format': case '-f': {
        const v = read.value();
        if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, not ${JSON.stringify(v)}`);
        o.format = v;
        break;
      }
      case '--disable': {
        const ids = read.value().split(',').map((s) => s.trim()).filter((s) => s !== '');
        o.disabled.push(...ids.map((s) => s.toUpperCase()));
        break;
      }
      case '--quiet': case '-q': read.noValue(); o.quiet = true; break;
      case '--no-color': case '--no-colour': read.noValue(); o.noColor = true; break;
      case '--no-schema': read.noValue(); o.noSchema = true; break;
      case '--help': case '-h': read.noValue(); o.help = true; break;
      case '--version': case '-V': read.noValue(); o.version = true; break;
      default: throw new UsageError(`unknown option ${name}`);
    }
  });
  return o;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** One line of text for the terminal: our own line breaks joined, then every control character from the input escaped. */
const oneLine = (s: unknown) => safeText(String(s ?? '').replace(/[ \t]*\n[ \t]*/g, ' ').trim());

function objectLabel(f: Finding): string {
  const o = f.object;
  return safeText(`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
}

/** Where the object is: its file and first line (a finding about one field has the object's line as `objectLine`). */
function sourceLabel(f: Finding): string {
  const s = f.source;
  const line = s?.objectLine ?? s?.line;
  if (s?.file) return safeText(line !== undefined ? `${s.file}:${line}` : s.file);
  return safeText(s?.constructPath ?? '');
}

/** ` (line N)` when a finding's line is a field's line, not the object's. */
function fieldLineLabel(f: Finding): string {
  const s = f.source;
  return s?.line !== undefined && s.objectLine !== undefined && s.line !== s.objectLine ? ` (line ${s.line})` : '';
}

function problemLocation(p: InputProblem): string {
  return safeText([p.file, p.line, p.line !== undefined ? p.column : undefined].filter((x) => x !== undefined).join(':'));
}

/** The JSON report: findings, input problems and a summary, in a stable order and shape. */
export interface LintReport {
  /** Findings in input order, then rule id. */
  readonly findings: Array<{
    ruleId: string;
    severity: string;
    title: string;
    object: { apiVersion: string; kind: string; namespace?: string; name: string };
    file?: string;
    /** The object's line, or for a finding about one field (GPU009) the field's line. */
    line?: number;
    /** When `line` is a field's line: the object's line. */
    objectLine?: number;
    fieldPath: string;
    message: string;
    remediation: string;
  }>;
  /** Input problems (`severity` error → exit 2; warning → something skipped on purpose). */
  readonly inputErrors: Array<{ file: string; line?: number; column?: number; severity: string; message: string }>;
  /** Counts. */
  readonly summary: {
    errors: number;
    warnings: number;
    objects: number;
    files: number;
    inputErrors: number;
    inputWarnings: number;
    /** Whether the schema gate ran. */
    schemaGate: boolean;
    /** Objects validated against a schema, and how many of them failed it. */
    schemaChecked: number;
    schemaFailed: number;
    /** Objects of kinds with no known schema (not judged by the gate), by `apiVersion/kind`. */
    unknownKinds: Record<string, number>;
    exitCode: number;
  };
}

/**
 * The validation `lint` runs over what it read: {@link _runValidation}, where the objects the YAML reader made as plain
 * JSON data are judged by the schema gate without its walk to find out (nothing changes them between reading and the
 * gate). Exported for the bench, so that it times what `lint` does.
 * @internal
 */
export function _lintValidation(manifests: SourcedManifest[], options: ValidateOptions): ReturnType<typeof _runValidation> {
  return _runValidation(manifests, options, {}, { plainJson: madePlainJson });
}

/**
 * Runs `cdk8s-gpu lint` with `args` (the words after `lint`). Never calls process.exit and never throws for bad
 * input: returns the exit code.
 */
export async function runLint(args: string[], io: LintIO): Promise<number> {
  let opts: LintOptions;
  try {
    opts = parseArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`cdk8s-gpu lint: ${e.message}\n\n${LINT_USAGE}`);
    return EXIT_INPUT;
  }
  if (opts.help) { io.stdout.write(LINT_USAGE); return EXIT_OK; }
  if (opts.version) { io.stdout.write(`${packageVersion()}\n`); return EXIT_OK; }
  if (opts.inputs.length === 0) {
    io.stderr.write(`cdk8s-gpu lint: no input given (name files, directories, or - for standard input)\n\n${LINT_USAGE}`);
    return EXIT_INPUT;
  }

  const read = await readInputs(opts.inputs, { stdin: io.stdin });

  let all: Finding[];
  let info: ValidationRunInfo;
  try {
    ({ findings: all, info } = _lintValidation(read.manifests, { disabledRules: opts.disabled, schemaGate: !opts.noSchema }));
  } catch (e) {
    const err = e as Error;
    // GpuConfigError: --disable names an unknown rule (a rule failing on odd input is a GPU010 finding, not this).
    const msg = err?.name === 'GpuConfigError' ? err.message : `cannot check: ${oneLine(err?.message ?? String(e))}`;
    io.stderr.write(`cdk8s-gpu lint: ${safeText(msg)}\n`);
    return EXIT_INPUT;
  }
  const unknownKinds: Record<string, number> = {};
  for (const [k, n] of [...info.unknownKinds].sort(([a], [b]) => byCodeUnits(a, b))) unknownKinds[k] = n;
  const unknownCount = Object.values(unknownKinds).reduce((a, b) => a + b, 0);

  const findings = opts.quiet ? all.filter((f) => f.severity === Severity.ERROR) : all;
  const problems = opts.quiet ? read.problems.filter((p) => p.severity === 'error') : read.problems;
  const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
  const warnings = findings.length - errors;
  const inputErrors = read.problems.filter((p) => p.severity === 'error').length;
  const inputWarnings = read.problems.length - inputErrors;
  const exitCode = inputErrors > 0 ? EXIT_INPUT : errors > 0 ? EXIT_FINDINGS : EXIT_OK;
  const files = new Set(read.files).size;

  if (opts.format === 'json') {
    const report: LintReport = {
      findings: findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        title: f.title,
        object: {
          apiVersion: f.object.apiVersion,
          kind: f.object.kind,
          ...(f.object.namespace !== undefined ? { namespace: f.object.namespace } : {}),
          name: f.object.name,
        },
        ...(f.source?.file !== undefined ? { file: f.source.file } : {}),
        ...(f.source?.line !== undefined ? { line: f.source.line } : {}),
        ...(f.source?.objectLine !== undefined ? { objectLine: f.source.objectLine } : {}),
        fieldPath: f.fieldPath,
        message: f.message,
        remediation: f.remediation,
      })),
      inputErrors: problems.map((p) => ({
        file: p.file,
        ...(p.line !== undefined ? { line: p.line } : {}),
        ...(p.column !== undefined ? { column: p.column } : {}),
        severity: p.severity,
        message: p.message,
      })),
      summary: {
        errors,
        warnings,
        objects: read.manifests.length,
        files,
        inputErrors,
        inputWarnings: opts.quiet ? 0 : inputWarnings,
        schemaGate: info.schemaGate,
        schemaChecked: info.schemaChecked,
        schemaFailed: info.schemaFailed,
        unknownKinds,
        exitCode,
      },
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return exitCode;
  }

  const st = useColor(io, opts.noColor) ? COLOR_STYLE : PLAIN_TEXT_STYLE;
  for (const p of problems) {
    const sev = p.severity === 'error' ? st.red('error') : st.yellow('warning');
    io.stderr.write(`${problemLocation(p)}: ${sev}: ${oneLine(p.message)}\n`);
  }

  // Group by object, in the engine's order (input position, then rule id).
  const groups: Array<{ header: string; items: Finding[] }> = [];
  let last: string | undefined;
  for (const f of findings) {
    const src = sourceLabel(f);
    const header = `${objectLabel(f)}${src ? `  (${src})` : ''}`;
    if (header !== last) { groups.push({ header, items: [] }); last = header; }
    groups[groups.length - 1].items.push(f);
  }
  const out: string[] = [];
  for (const g of groups) {
    out.push(st.bold(g.header));
    for (const f of g.items) {
      const sev = f.severity === Severity.ERROR ? st.red('error  ') : st.yellow('warning');
      out.push(`  ${sev} ${st.bold(safeText(f.ruleId))}  ${oneLine(f.fieldPath)}${fieldLineLabel(f)}: ${oneLine(f.message)}`);
      out.push(`          ${st.dim(`Fix: ${oneLine(f.remediation)}`)}`);
    }
    out.push('');
  }
  if (!opts.quiet || errors > 0 || inputErrors > 0) {
    let summary = `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(read.manifests.length, 'object')} from ${plural(files, 'file')}`;
    if (inputErrors > 0) summary += `; ${plural(inputErrors, 'input error')}`;
    if (!info.schemaGate) summary += '; schema gate off';
    else if (unknownCount > 0) summary += `; ${plural(unknownCount, 'object')} of kinds with no known schema (${Object.keys(unknownKinds).map(safeText).join(', ')}) not schema-checked`;
    out.push(errors > 0 || inputErrors > 0 ? st.red(summary) : summary);
  }
  if (out.length > 0) io.stdout.write(`${out.join('\n')}\n`);
  return exitCode;
}
