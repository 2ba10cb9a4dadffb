/**
 * CEL evaluation for CRD `x-kubernetes-validations`, the way the Kubernetes API server does it.
 *
 * The evaluator is `@marcbachmann/cel-js` v8. It is ESM-only; jest (ts-jest, CommonJS) cannot `require`
 * it on Node 20, so {@link loadCel} first tries a plain `require` (works under Node ≥ 20.19 outside jest)
 * and otherwise transpiles the package's own `lib/*.js` files to CommonJS in memory with the TypeScript
 * compiler that is already a dev dependency. Nothing is copied into this repository.
 *
 * The Kubernetes CEL libraries are documented at
 * https://kubernetes.io/docs/reference/using-api/cel/ (strings, regex and lists extensions). cel-js
 * already ships `matches`, `startsWith`, `endsWith`, `contains`, `split`, `lowerAscii`, `upperAscii`,
 * `trim`, `indexOf`, `lastIndexOf`, `substring`, `join`, `size`, `int`, and the macros `has`, `all`,
 * `exists`, `exists_one`, `map`, `filter`. What the CRDs in shared/reference/crds use beyond that is
 * `string.find` (Karpenter); we also add the rest of the regex/strings/lists extension functions that
 * are cheap to get right.
 */
import * as fs from 'fs';
import * as path from 'path';
import { re2 } from './re2';
import { schemaCodeCache } from './runtime-cache';
import { packageVersion, SCHEMA_CACHE_DIR } from './schema-cache';

/** Error codes of cel-js that mean "the harness lacks something", never "the object is invalid". */
export const HARNESS_ERROR_CODES = new Set(['no_matching_overload', 'parse_error', 'type_error', 'invalid_context']);

/** Thrown when a CEL rule cannot be evaluated because of the harness (an unsupported function, a parse error). */
export class CelHarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelHarnessError';
  }
}

let celModule: any;

/**
 * Load `@marcbachmann/cel-js` (ESM) from CommonJS/jest: the package's build of it (schema-cache/cel-js.js, see
 * {@link celCommonJsBundle}) when it is of the installed version, through V8's code cache (about 11 ms instead of the
 * ES module loader's 35); else a plain `require` (Node >= 20.19 outside jest); else, under jest, the bundle built in
 * memory.
 */
export function loadCel(): any {
  if (celModule) return celModule;
  celModule = loadCelBundle();
  if (celModule?.Environment) return celModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    celModule = require('@marcbachmann/cel-js');
    if (celModule && celModule.Environment) return celModule;
  } catch {
    // fall through: ESM under jest
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  celModule = new Function(celCommonJsBundle())();
  return celModule;
}

/**
 * The files of the installed `@marcbachmann/cel-js` (a self-contained package of ES modules with relative imports only)
 * as the body of one function that returns the package's exports: each file transpiled to CommonJS by the TypeScript
 * compiler (a dev dependency: called at build time by the schema cache writer, and under jest) and run on first
 * `require` by a small module table. Nothing is copied into this repository; the build writes it into the git-ignored
 * schema-cache/.
 */
export function celCommonJsBundle(): string {
  let ts: typeof import('typescript');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    ts = require('typescript');
  } catch {
    throw new Error(`@marcbachmann/cel-js is an ES module and this Node.js (${process.version}) cannot require it: use Node.js >= 20.19`);
  }
  const entry = require.resolve('@marcbachmann/cel-js');
  const root = path.dirname(entry);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (f.isDirectory()) walk(path.join(dir, f.name));
      else if (f.name.endsWith('.js')) files.push(path.join(dir, f.name));
    }
  };
  walk(root);
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const defs = files.map((file) => {
    const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    }).outputText;
    return `${JSON.stringify(rel(file))}: function (exports, require, module) {${out}\n},`;
  });
  return `${celBundleHeader()}
const files = {
${defs.join('\n')}
};
const loaded = {};
function resolve(from, spec) {
  if (!spec.startsWith('.')) throw new Error("cel-js bundle: unexpected bare import '" + spec + "' in " + from);
  const parts = from.split('/').slice(0, -1);
  for (const s of spec.split('/')) {
    if (s === '..') parts.pop();
    else if (s !== '.') parts.push(s);
  }
  return parts.join('/');
}
function load(name) {
  if (loaded[name]) return loaded[name].exports;
  if (!Object.prototype.hasOwnProperty.call(files, name)) throw new Error('cel-js bundle: no file ' + name);
  const module = { exports: {} };
  loaded[name] = module;
  files[name](module.exports, (spec) => load(resolve(name, spec)), module);
  return module.exports;
}
return load(${JSON.stringify(rel(entry))});
`;
}

/** The schema cache's file of {@link celCommonJsBundle} (written by schema-cache-writer.ts). */
export const CEL_BUNDLE_FILE = 'cel-js.js';

/** The bundle's first line: which cel-js it was built from. */
function celBundleHeader(): string {
  return `// @marcbachmann/cel-js ${packageVersion('@marcbachmann/cel-js')} as CommonJS`;
}

/**
 * cel-js's exports from the schema cache's bundle, compiled through V8's code cache when the process can (runtime-cache.ts);
 * undefined when there is no bundle or it was built from another version of cel-js.
 */
export function loadCelBundle(dir: string = SCHEMA_CACHE_DIR): any {
  const file = path.join(dir, CEL_BUNDLE_FILE);
  let code: string;
  try {
    code = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!code.startsWith(`${celBundleHeader()}\n`)) return undefined;
  const cache = schemaCodeCache(dir);
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return (cache ? cache.compile(code, [], file) : new Function(code))();
  } catch {
    return undefined; // a damaged build of it: the package itself is loaded instead
  }
}

/** Compare two CEL scalars (int/double/string) for min/max/isSorted. */
function cmp(a: any, b: any): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Regexes compiled once; Kubernetes uses RE2, whose syntax the CRD patterns share with JS. */
const regexCache = new Map<string, RegExp>();
function regex(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    re = re2(pattern, flags);
    regexCache.set(key, re);
  }
  return re;
}

let environment: any;

/** An evaluation error caused by the data (reported as a violation, like the API server does). */
function dataError(message: string): Error {
  return new (loadCel().EvaluationError)(message);
}

/**
 * The shared CEL environment: `self` is dynamic, integers are BigInt, and the Kubernetes extension
 * functions are registered.
 */
export function celEnvironment(): any {
  if (environment) return environment;
  const cel = loadCel();
  const env = new cel.Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  // --- regex library (k8s.io/apiserver/pkg/cel/library/regex.go) ---
  env.registerFunction('string.find(string): string', (s: string, p: string) => {
    const m = regex(p).exec(s);
    return m ? m[0] : '';
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) =>
    Array.from(s.matchAll(regex(p, 'g')), (m) => m[0]));
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => {
    const all = Array.from(s.matchAll(regex(p, 'g')), (m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });
  // --- strings extension (cel-go ext/strings.go, as enabled by Kubernetes) ---
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const chars = Array.from(s);
    if (i < 0n || i > BigInt(chars.length)) throw dataError(`index out of range: ${i}`);
    return chars[Number(i)] ?? '';
  });
  env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
  env.registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
    if (n < 0n) return s.split(a).join(b);
    let out = s;
    let from = 0;
    for (let k = 0n; k < n; k++) {
      const at = out.indexOf(a, from);
      if (at < 0) break;
      out = out.slice(0, at) + b + out.slice(at + a.length);
      from = at + b.length;
    }
    return out;
  });
  env.registerFunction('string.reverse(): string', (s: string) => Array.from(s).reverse().join(''));
  // --- lists library (k8s.io/apiserver/pkg/cel/library/lists.go) ---
  env.registerFunction('list.isSorted(): bool', (l: any[]) => l.every((v, i) => i === 0 || cmp(l[i - 1], v) <= 0));
  env.registerFunction('list.sum(): dyn', (l: any[]) => l.reduce((a, v) => a + v, l.length && typeof l[0] === 'bigint' ? 0n : 0));
  env.registerFunction('list.min(): dyn', (l: any[]) => {
    if (l.length === 0) throw dataError('min called on empty list');
    return l.reduce((a, v) => (cmp(v, a) < 0 ? v : a));
  });
  env.registerFunction('list.max(): dyn', (l: any[]) => {
    if (l.length === 0) throw dataError('max called on empty list');
    return l.reduce((a, v) => (cmp(v, a) > 0 ? v : a));
  });
  environment = env;
  return env;
}

/** A parsed rule, ready to run. */
export interface CompiledRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
  /** true when the rule compares with `oldSelf` (a transition rule): skipped, there is no old object. */
  readonly transition: boolean;
  readonly run?: (ctx: { self: any }) => any;
  readonly runMessage?: (ctx: { self: any }) => any;
}

/**
 * Set by the schema cache's build on each rule of a cached structural schema whose expressions passed the harness's type
 * check then (with this same environment and cel-js version, which the cache's fingerprint pins), so it is not checked
 * again at runtime; a rule that failed keeps no mark and fails the check again (skipped, as without the cache).
 */
export const CHECKED_AT_BUILD = 'x-cdk8s-gpu-cel-checked';

/** A copy of a structural schema whose rules that pass the type check carry {@link CHECKED_AT_BUILD} (for the cache). */
export function markCheckedRules(s: any): any {
  if (Array.isArray(s)) return s.map(markCheckedRules);
  if (!s || typeof s !== 'object') return s;
  const out: any = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'x-kubernetes-validations' && Array.isArray(v)) {
      out[k] = v.map((r: any) => {
        if (!r || typeof r.rule !== 'string' || /\boldSelf\b/.test(r.rule)) return r;
        const env = celEnvironment();
        const ok = [r.rule, r.messageExpression].filter(Boolean).every((expr) => env.check(expr).valid);
        return ok ? { ...r, [CHECKED_AT_BUILD]: true } : r;
      });
    } else {
      out[k] = markCheckedRules(v);
    }
  }
  return out;
}

const compiledRules = new Map<string, CompiledRule>();
/** The same cache by rule object: the gate's schemas are long-lived, so this spares a JSON key per evaluation. */
const compiledByObject = new WeakMap<object, CompiledRule>();

/** Parse one `x-kubernetes-validations` entry (cached by rule text); throws CelHarnessError when it cannot be parsed. */
export function compileRule(v: any): CompiledRule {
  const byObject = v && typeof v === 'object' ? compiledByObject.get(v) : undefined;
  if (byObject) return byObject;
  const key = JSON.stringify(v);
  const hit = compiledRules.get(key);
  if (hit) {
    if (v && typeof v === 'object') compiledByObject.set(v, hit);
    return hit;
  }
  const transition = /\boldSelf\b/.test(v.rule);
  let compiled: CompiledRule;
  if (transition) {
    compiled = { ...v, transition };
  } else {
    const env = celEnvironment();
    // (the type check costs ten times the parse; a rule of the precompiled cache passed it when the cache was built)
    for (const expr of v[CHECKED_AT_BUILD] === true ? [] : [v.rule, v.messageExpression].filter(Boolean)) {
      const checked = env.check(expr);
      if (!checked.valid) {
        throw new CelHarnessError(`CEL expression not supported by the harness: ${expr}: ${String(checked.error?.message).split('\n')[0]}`);
      }
    }
    try {
      compiled = {
        ...v,
        transition,
        run: env.parse(v.rule),
        runMessage: v.messageExpression ? env.parse(v.messageExpression) : undefined,
      };
    } catch (e: any) {
      throw new CelHarnessError(`CEL rule cannot be parsed by the harness: ${v.rule}: ${e.message}`);
    }
  }
  compiledRules.set(key, compiled);
  if (v && typeof v === 'object') compiledByObject.set(v, compiled);
  return compiled;
}

/** Result of evaluating one rule. */
export type RuleOutcome = { ok: true } | { ok: false; message: string };

/**
 * Evaluate a compiled rule against `self` (already converted: integers as BigInt).
 * A data-dependent evaluation error (e.g. `int("abc")`) is a violation, as in the API server;
 * an error that means the harness cannot evaluate the rule throws CelHarnessError.
 */
export function evaluateRule(r: CompiledRule, self: any): RuleOutcome {
  if (r.transition || !r.run) return { ok: true };
  let result: any;
  try {
    result = r.run({ self });
  } catch (e: any) {
    if (HARNESS_ERROR_CODES.has(e?.code) || !e?.code) {
      throw new CelHarnessError(`CEL rule could not be evaluated by the harness (${e?.code ?? e?.name}): ${r.rule}: ${e?.message}`);
    }
    return { ok: false, message: `rule evaluation error: ${String(e.message).split('\n')[0]} (rule: ${r.rule})` };
  }
  if (result === true) return { ok: true };
  if (result !== false) {
    throw new CelHarnessError(`CEL rule returned a non-boolean (${typeof result}): ${r.rule}`);
  }
  let message = r.message ?? `failed rule: ${r.rule}`;
  if (r.runMessage) {
    try {
      const m = r.runMessage({ self });
      if (typeof m === 'string' && m.trim() !== '') message = m;
    } catch {
      // the API server falls back to `message` (or the rule) when messageExpression fails
    }
  }
  return { ok: false, message };
}
