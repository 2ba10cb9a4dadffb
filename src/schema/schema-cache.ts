/**
 * The schema gate's precompiled cache: every known kind's ajv validation function, generated at build time with ajv's
 * standalone code generation (schema-cache-writer.ts, run by `npx projen compile`), so a process pays to load only the
 * kinds it meets instead of reading cdk8s-plus-30's assembly, parsing every CRD and compiling each schema (several
 * seconds on 2 cores).
 *
 * `<package>/schema-cache/` (git-ignored, shipped in the npm package):
 * - `index.json`: the fingerprint of what it was built from (versions of cdk8s-plus-30, ajv and ajv-formats, the
 *   hash of the DRA schemas, of each CRD file, and of the converter's sources), and per kind its file;
 * - one file per kind: the standalone validation code (a function body of `module`, `exports`, `require`, `rt`), and
 *   for CRDs a `.json` with the structural schema the CEL rules are read from; the workload controllers share one
 *   file (`core/pod-workloads.js`, an export per kind), which holds their pod spec's validation code once;
 * - `cel-js.js`: the CEL evaluator as one CommonJS script (cel.ts celCommonJsBundle), loaded through V8's code cache;
 * - `runtime/` (not built, not shipped): what processes keep for the next one on this machine (runtime-cache.ts).
 *
 * Used only when it matches: the core kinds when the versions and the DRA schemas match; a CRD file of `crds/` when
 * its hash matches and cel-js is the version whose type check marked its rules (a CRD added to or changed in `crds/`
 * after the build is converted and compiled at runtime, as every CRD of another folder is). Under the sources (ts-node, jest) the converter's sources must match too, so an
 * edit to src/schema never runs against a stale cache. Verdicts are the same either way (test/schema-cache.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ValidateFunction } from 'ajv';
import { AJV_RUNTIME } from './ajv-runtime';
import { CodeCache, FileHashes, PassedObjects, schemaCodeCache, schemaFileHashes, schemaPassedObjects, sha256 } from './runtime-cache';
import type { KindEntry } from './validator';

/** `<package>/schema-cache`: src/schema and lib/schema both sit two levels below the package root. */
export const SCHEMA_CACHE_DIR: string = path.resolve(__dirname, '..', '..', 'schema-cache');

/** Version of the cache layout; a cache of another format is ignored. */
export const SCHEMA_CACHE_FORMAT = 4;

/** One kind in the index. */
export interface CachedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly source: string;
  /** Whether the schema has defaults (ajv writes them into the object). */
  readonly mutates: boolean;
  /** The validation code, relative to the cache folder. */
  readonly module: string;
  /**
   * The kind's export in a module several kinds share (the pod-template workloads: their pod spec's validation code is
   * written once); absent when the module is the kind's own.
   */
  readonly export?: string;
  /** The structural schema (CRDs), relative to the cache folder. */
  readonly structural?: string;
}

/** What the cache was built from; every field must match the installation for the cache to be used. */
export interface CacheFingerprint {
  readonly cdk8sPlus: string;
  readonly ajv: string;
  readonly ajvFormats: string;
  /** Version of @marcbachmann/cel-js: the CRDs' rules were type-checked with it when the cache was built (cel.ts CHECKED_AT_BUILD). */
  readonly celJs: string;
  /** sha256 of schemas/resource.k8s.io-v1.json. */
  readonly dra: string;
  /** sha256 of the converter's sources (src/schema/*.ts), checked only when running from the sources. */
  readonly code: string;
}

/** `index.json`. */
export interface CacheIndex {
  readonly format: number;
  readonly fingerprint: CacheFingerprint;
  /** Built-in kinds (DRA, then Kubernetes 1.30 core), in registration order. */
  readonly core: CachedKind[];
  /** CRD file name → the sha256 of its bytes and its served versions, in file order. */
  readonly crdFiles: Record<string, { readonly sha256: string; readonly kinds: CachedKind[] }>;
}

/** An opened, matching cache. */
export interface SchemaCache {
  /** The built-in kinds, or undefined when they do not match the installation. */
  coreEntries(): KindEntry[] | undefined;
  /**
   * The kinds of a CRD file (`file`: its name, `fullPath`: where it is), or undefined when the file is not in the cache
   * as it is now (its sha256, remembered across processes by the file's identity: runtime-cache.ts FileHashes).
   */
  crdEntries(file: string, fullPath: string): KindEntry[] | undefined;
  /**
   * The objects that passed a gate with these options (runtime-cache.ts PassedObjects; any JSON-able value that changes
   * verdicts), or undefined when this process keeps none. Only for this cache's kinds (their `schemaId`).
   */
  passedObjects(options: unknown): PassedObjects | undefined;
  /**
   * Keeps what this process learnt for the next (runtime-cache.ts): V8's code cache of the modules run so far that had
   * none, the CRD files' hashes and the objects that passed. Call after validating; never throws.
   */
  saveRuntimeCache(): void;
}

export { sha256 };

/**
 * The installed version of a package ('absent' when it is not installed), from the package.json above its entry point:
 * a package whose `exports` leave out `./package.json` (cel-js) cannot be asked for it by name.
 */
export function packageVersion(pkg: string): string {
  try {
    let dir = path.dirname(require.resolve(pkg));
    for (;;) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const json = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (json?.name === pkg) return String(json.version);
      }
      const up = path.dirname(dir);
      if (up === dir) return 'absent';
      dir = up;
    }
  } catch {
    return 'absent';
  }
}

/** The DRA schemas' file (dra-schema.ts reads the same). */
export const DRA_FILE = path.resolve(__dirname, '..', '..', 'schemas', 'resource.k8s.io-v1.json');

/** The converter's sources: every `.ts` file of src/schema (when running from the sources). */
export function codeFingerprint(dir: string = __dirname): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  return sha256(files.map((f) => `${f}\n${fs.readFileSync(path.join(dir, f), 'utf8')}`).join('\n'));
}

/**
 * The fingerprint of this installation (the code hash only when running from the sources, else ''); `hashes` hashes the
 * DRA schemas' file (remembered across processes when given).
 */
export function currentFingerprint(hashes: FileHashes = new FileHashes(undefined)): CacheFingerprint {
  const fromSources = __filename.endsWith('.ts');
  return {
    cdk8sPlus: packageVersion('cdk8s-plus-30'),
    ajv: packageVersion('ajv'),
    ajvFormats: packageVersion('ajv-formats'),
    celJs: packageVersion('@marcbachmann/cel-js'),
    dra: hashes.sha256(DRA_FILE) ?? 'absent',
    code: fromSources ? codeFingerprint() : '',
  };
}

/** The parameters of a generated validation file's code. */
const MODULE_PARAMS = ['module', 'exports', 'require', 'rt'];

/** Runs one generated validation file (compiled through V8's code cache when there is one); its exports. */
function loadModule(file: string, codeCache: CodeCache | undefined): any {
  const code = fs.readFileSync(file, 'utf8');
  const mod = { exports: {} as any };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = codeCache ? codeCache.compile(code, MODULE_PARAMS, file) : new Function(...MODULE_PARAMS, code);
  run(mod, mod.exports, require, AJV_RUNTIME);
  return mod.exports;
}

/** The kinds of one opened cache; `modules` holds each validation file run so far (a shared one runs once). */
function entry(dir: string, k: CachedKind, crd: boolean, modules: Map<string, any>, codeCache: CodeCache | undefined): KindEntry {
  const validation = (): ValidateFunction => {
    let exports = modules.get(k.module);
    if (exports === undefined) {
      exports = loadModule(path.join(dir, k.module), codeCache);
      modules.set(k.module, exports);
    }
    return k.export !== undefined ? exports[k.export] : exports.default ?? exports;
  };
  return {
    apiVersion: k.apiVersion,
    kind: k.kind,
    namespaced: k.namespaced,
    source: k.source,
    crd,
    mutates: k.mutates !== false,
    schemaId: `${k.module}#${k.export ?? ''}#${k.structural ?? ''}`,
    load: () => ({
      validate: validation(),
      structural: k.structural ? JSON.parse(fs.readFileSync(path.join(dir, k.structural), 'utf8')) : undefined,
    }),
  };
}

/** Options of {@link openSchemaCache}. */
export interface OpenSchemaCacheOptions {
  /** Compile the modules through V8's code cache (runtime-cache.ts) when the process can. @default true */
  readonly codeCache?: boolean;
}

/** Opens the cache in `dir`; undefined when there is none or it is of another format. */
export function openSchemaCache(dir: string = SCHEMA_CACHE_DIR, options: OpenSchemaCacheOptions = {}): SchemaCache | undefined {
  let index: CacheIndex;
  try {
    index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (index?.format !== SCHEMA_CACHE_FORMAT) return undefined;
  const hashes = schemaFileHashes(dir);
  const now = currentFingerprint(hashes);
  const built = index.fingerprint;
  if (built.ajv !== now.ajv || built.ajvFormats !== now.ajvFormats || (now.code !== '' && built.code !== now.code)) return undefined;
  const coreMatches = built.cdk8sPlus === now.cdk8sPlus && now.cdk8sPlus !== 'absent' && built.dra === now.dra;
  // The CRDs' rules carry the build's type-check verdicts: another cel-js compiles them at runtime instead.
  const celMatches = built.celJs === now.celJs;
  const modules = new Map<string, any>();
  const codeCache = options.codeCache === false ? undefined : schemaCodeCache(dir);
  const passed = new Set<PassedObjects>();
  return {
    coreEntries: () => (coreMatches ? index.core.map((k) => entry(dir, k, false, modules, codeCache)) : undefined),
    crdEntries: (file, fullPath) => {
      const f = Object.prototype.hasOwnProperty.call(index.crdFiles, file) ? index.crdFiles[file] : undefined;
      return celMatches && f && f.sha256 === hashes.sha256(fullPath) ? f.kinds.map((k) => entry(dir, k, true, modules, codeCache)) : undefined;
    },
    passedObjects: (gateOptions) => {
      const p = schemaPassedObjects(dir, { gate: gateOptions, built });
      if (p) passed.add(p);
      return p;
    },
    saveRuntimeCache: () => {
      codeCache?.flush();
      hashes.save();
      for (const p of passed) p.save();
    },
  };
}
