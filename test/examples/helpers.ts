/**
 * Helpers for the example tests: discover the cdk8s examples (examples/<name>/app.ts exporting `build(outdir)`),
 * synthesise them into a temporary folder and read the YAML back.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';

export const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');

/** A cdk8s example: its name and its `build` function. */
export interface CdkExample {
  readonly name: string;
  readonly build: (outdir?: string) => App;
}

/**
 * The cdk8s examples: every examples/<name>/app.ts whose source exports `build`. The aws-cdk-lib app
 * (examples/eks) synthesises when loaded, so it is recognised from its source and never required here.
 */
export function cdk8sExamples(): CdkExample[] {
  return fs.readdirSync(EXAMPLES_DIR).sort()
    .filter((name) => fs.existsSync(path.join(EXAMPLES_DIR, name, 'app.ts')))
    .filter((name) => /export function build\(/.test(fs.readFileSync(path.join(EXAMPLES_DIR, name, 'app.ts'), 'utf8')))
    .map((name) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(EXAMPLES_DIR, name, 'app'));
      return { name, build: mod.build };
    });
}

/** A fresh temporary directory (removed by {@link cleanup}). */
export function tmpdir(prefix = 'cdk8s-gpu-example-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes a directory made by {@link tmpdir}. */
export function cleanup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Synthesises `app` to its outdir and returns every file written, by name, sorted. */
export function synthFiles(app: App): Map<string, string> {
  app.synth();
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(app.outdir).sort()) out.set(f, fs.readFileSync(path.join(app.outdir, f), 'utf8'));
  return out;
}

/** Every object of a multi-document YAML text (the conformance harness's parser). */
export { parseManifests as parseYaml } from '../conformance/schema';

/** `Kind/namespace/name` of an object. */
export function idOf(o: any): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
}

/**
 * Paths of values a user would never mean: `undefined`/`null`/`NaN`/`Infinity` anywhere, empty strings where a
 * value is expected. Empty strings are legal in a few Kubernetes places (e.g. an API group `""` in RBAC rules,
 * an empty label value), so those are allowed by path.
 */
export function suspiciousValues(o: any, where = ''): string[] {
  const out: string[] = [];
  const visit = (v: any, p: string) => {
    if (v === undefined || v === null) {out.push(`${p}: ${v}`);} else if (typeof v === 'number' && !Number.isFinite(v)) {out.push(`${p}: ${v}`);} else if (typeof v === 'string') {
      if (v === '' && !EMPTY_STRING_OK.some((re) => re.test(p))) out.push(`${p}: empty string`);
      if (/\b(undefined|NaN)\b/.test(v) && !/description|annotations/.test(p)) out.push(`${p}: ${JSON.stringify(v)}`);
    } else if (Array.isArray(v)) {v.forEach((x, i) => visit(x, `${p}[${i}]`));} else if (typeof v === 'object') {for (const [k, x] of Object.entries(v)) visit(x, p ? `${p}.${k}` : k);}
  };
  visit(o, where);
  return out;
}

const EMPTY_STRING_OK = [/\.env\[\d+\]\.value$/, /\.apiGroups\[\d+\]$/, /\.subjects\[\d+\]\.apiGroup$/, /^metadata\.labels\./, /\.labels\.[^.]+$/];
