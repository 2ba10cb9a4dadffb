/**
 * What the schema gate keeps between processes, in `<package>/schema-cache/runtime/`: V8's code cache of the schema
 * cache's generated code ({@link CodeCache}), the hashes of the files the cache was built from ({@link FileHashes}) and,
 * for the gate at synth, the objects that passed ({@link PassedObjects}). They only save time: verdicts are the same
 * without them (test/conformance/runtime-cache.test.ts), a folder that cannot be written (a read-only install) just
 * means nothing is kept, and `CDK8S_GPU_CACHE=off` turns them off. The folder sits
 * in the schema cache, which every build replaces whole, and holds nothing another user could plant (the same trust as
 * the package's own files; nothing goes to a shared temporary folder). It is not in the npm package (.npmignore).
 *
 * **Code cache.** A process that meets a kind reads the bytecode V8 compiled for the kind's module (20–600 KB of
 * generated JavaScript) in an earlier process instead of parsing the module and compiling each function again on first
 * call; the first load and first validation of each kind are most of the gate's cost at synth (a few hundred objects of
 * a dozen kinds). With it the pod workloads' module, for one, loads and validates its first Deployment in about 16 ms
 * instead of 27. Node.js's own API (https://nodejs.org/api/vm.html#scriptcreatecacheddata, `cachedData`), the mechanism
 * of Node 22's `module.enableCompileCache()`, which Node 20 lacks.
 * - One folder per V8 version, architecture and V8-relevant command-line options ({@link codeCacheFolderName}): V8
 *   rejects data made by another build or under other flags (`cachedDataRejected`, even for `--max-old-space-size`).
 *   One file per module, named by the module's path and identity (the file hashes' below: device, inode, size,
 *   modification and change time), since V8 itself checks only the code's length.
 * - Data missing or rejected: the module compiles as usual and {@link CodeCache.flush} writes its cache after the gate's
 *   pass, so it holds the functions that pass compiled. Written to a temporary file and renamed: a concurrent reader
 *   sees all of it or none.
 * - Only in a process whose `vm` context is the code's own: under jest (a sandbox context per test file) code run by
 *   `vm.Script#runInThisContext` would get the outer context's built-ins, so there modules compile as before.
 *
 * **File hashes.** The gate checks, at every start, that each CRD file is the one its precompiled module was built from
 * (sha256 of the bytes): 2 MB of YAML read and hashed, about 11 ms a process. A file's hash is remembered with its
 * identity (device, inode, size, modification and change time — what git's index trusts to skip rehashing an unchanged
 * file) and read and hashed again when any of them moved.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';

/** Environment variable that turns the runtime cache off (`off`, `0` or `false`). */
export const RUNTIME_CACHE_ENV = 'CDK8S_GPU_CACHE';

/** The runtime cache's folder in a schema cache folder. */
export function runtimeCacheDir(schemaCacheDir: string): string {
  return path.join(schemaCacheDir, 'runtime');
}

/** Whether the runtime cache is turned off (`CDK8S_GPU_CACHE=off`). */
export function runtimeCacheOff(env: NodeJS.ProcessEnv = process.env): boolean {
  const setting = (env[RUNTIME_CACHE_ENV] ?? '').toLowerCase();
  return setting === 'off' || setting === '0' || setting === 'false';
}

/** sha256 of a text or bytes, hex. */
export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes `file` through a temporary file renamed into place (a concurrent reader sees all or nothing). Never throws. */
function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
  }
}

/** A file's identity: what changes when it is written or replaced. */
function fileIdentity(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** A compiled function body: called with the parameters' values. */
export type CompiledBody = (...args: unknown[]) => unknown;

/** The script {@link CodeCache.compile} compiles for a function body: a function expression of `params`. */
export function functionSource(body: string, params: readonly string[]): string {
  return `(function (${params.join(', ')}) {${body}\n})`;
}

/** Compiles function bodies through V8's code cache kept in one folder. */
export class CodeCache {
  /** Scripts compiled without usable cached data, and where their cache goes. */
  private readonly pending: Array<{ readonly script: vm.Script; readonly file: string }> = [];
  /** Scripts compiled so far, and how many of them used cached data (for tests and benchmarks). */
  private compiledCount = 0;
  private acceptedCount = 0;

  /** @param dir the folder of the cache files (created on first write). */
  constructor(readonly dir: string) {}

  /** How many bodies were compiled, and how many of those from cached data. */
  get stats(): { readonly compiled: number; readonly fromCache: number; readonly pending: number } {
    return { compiled: this.compiledCount, fromCache: this.acceptedCount, pending: this.pending.length };
  }

  /**
   * `body`, the content of the file `filename`, compiled as a function of `params` (like `new Function(...params, body)`),
   * from cached data when the folder holds V8's cache of this file as it is (its path and identity: V8 checks only the
   * code's length, and hashing 1.5 MB of modules at every start would cost milliseconds; the folder lives in the schema
   * cache, which every build replaces whole).
   */
  compile(body: string, params: readonly string[], filename: string): CompiledBody {
    const source = functionSource(body, params);
    const file = this.dataFile(source, filename);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(source, { filename, cachedData });
    this.compiledCount++;
    if (cachedData !== undefined && !script.cachedDataRejected) this.acceptedCount++;
    else this.pending.push({ script, file });
    return script.runInThisContext() as CompiledBody;
  }

  /** Where the data for `source` (a body as {@link functionSource} wraps it) read from `filename` is kept. */
  dataFile(source: string, filename: string): string {
    let identity: string;
    try {
      identity = fileIdentity(fs.statSync(filename));
    } catch {
      identity = '';
    }
    return path.join(this.dir, `${sha256([path.relative(this.dir, filename), identity, source.length].join('\0')).slice(0, 40)}.bin`);
  }

  /**
   * Writes the cache of every body compiled without one, as V8 has it now (with the functions compiled since, so call
   * it after the code ran). Never throws: a folder that cannot be written leaves the code uncached.
   */
  flush(): void {
    if (this.pending.length === 0) return;
    for (const { script, file } of this.pending.splice(0)) writeAtomically(file, script.createCachedData());
  }
}

/** Whether this process may use a code cache: not turned off, and `vm`'s current context is this code's own. */
export function codeCacheUsable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (runtimeCacheOff(env)) return false;
  try {
    return vm.runInThisContext('Object') === Object;
  } catch {
    return false;
  }
}

/**
 * Node's own options, which change nothing V8 compiles (what to preload or run, profilers, the inspector): left out of
 * {@link codeCacheFolderName}, so `node -e <script>` or `-r ts-node/register` runs share the cache of a plain `node`.
 */
const NODE_ONLY_OPTION = /^--(require|eval|print|import|loader|experimental-loader|input-type|cpu-prof|heap-prof|inspect|title|env-file|enable-source-maps|trace-warnings|no-warnings|test)\b/;

/**
 * The options of this process that may reach V8's flags (`--max-old-space-size`, `--stack-size`, `--expose-gc`, …), from
 * `process.execArgv` and NODE_OPTIONS, in order: the dashed options other than Node's own ({@link NODE_ONLY_OPTION});
 * the values of `-r`, `-e` and the like are not dashed and drop out with them.
 */
export function v8RelevantOptions(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): string[] {
  return [...execArgv, ...nodeOptions.split(/\s+/)].filter((a) => a.startsWith('--') && !NODE_ONLY_OPTION.test(a));
}

/**
 * The cache folder's name for this process: V8's version, the architecture, and a hash of {@link v8RelevantOptions},
 * since V8 rejects data made under other flags (even `--max-old-space-size`): processes started with other flags keep
 * caches of their own instead of rewriting one another's, and those that differ only in what they run share one.
 */
export function codeCacheFolderName(): string {
  const options = JSON.stringify(v8RelevantOptions());
  return `v8-${process.versions.v8}-${process.arch}-${sha256(options).slice(0, 12)}`;
}

/** One code cache per schema cache folder in a process (the gate's modules and cel-js share it). */
const caches = new Map<string, CodeCache>();

/** The code cache of the schema cache in `schemaCacheDir`, or undefined when this process cannot use one. */
export function schemaCodeCache(schemaCacheDir: string): CodeCache | undefined {
  if (!codeCacheUsable()) return undefined;
  const dir = path.join(runtimeCacheDir(schemaCacheDir), codeCacheFolderName());
  let cache = caches.get(dir);
  if (!cache) caches.set(dir, cache = new CodeCache(dir));
  return cache;
}

/** sha256 of files, remembered across processes by their identity (see the top of this file). */
export class FileHashes {
  private known?: Map<string, { readonly identity: string; readonly sha256: string }>;
  private dirty = false;

  /** @param file the JSON file that keeps the hashes; undefined keeps them for this process only. */
  constructor(readonly file: string | undefined) {}

  /** The sha256 (hex) of `fullPath`'s bytes; undefined when it cannot be read. */
  sha256(fullPath: string): string | undefined {
    let identity: string;
    try {
      identity = fileIdentity(fs.statSync(fullPath));
    } catch {
      return undefined;
    }
    const known = this.load();
    const k = known.get(fullPath);
    if (k !== undefined && k.identity === identity) return k.sha256;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(fullPath);
    } catch {
      return undefined;
    }
    const hash = sha256(bytes);
    // The identity read before the bytes: a write in between leaves an identity that no longer matches next time.
    known.set(fullPath, { identity, sha256: hash });
    this.dirty = true;
    return hash;
  }

  /** Writes the hashes learnt in this process. Never throws. */
  save(): void {
    if (!this.dirty || this.file === undefined) return;
    this.dirty = false;
    writeAtomically(this.file, JSON.stringify(Object.fromEntries(this.load())));
  }

  private load(): Map<string, { readonly identity: string; readonly sha256: string }> {
    if (this.known) return this.known;
    this.known = new Map();
    if (this.file === undefined) return this.known;
    try {
      const json = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      for (const [f, k] of Object.entries(json ?? {})) {
        const { identity, sha256: hash } = (k ?? {}) as { identity?: unknown; sha256?: unknown };
        if (typeof identity === 'string' && typeof hash === 'string') this.known.set(f, { identity, sha256: hash });
      }
    } catch {
      // none yet, or unreadable: start empty
    }
    return this.known;
  }
}

/** The file hashes of the schema cache in `schemaCacheDir` (kept in its runtime folder unless the cache is off). */
export function schemaFileHashes(schemaCacheDir: string): FileHashes {
  return new FileHashes(runtimeCacheOff() ? undefined : path.join(runtimeCacheDir(schemaCacheDir), 'file-hashes.json'));
}

/**
 * At most this many digests are kept in a {@link PassedObjects} file: 16 bytes each (320 KB), read into a set at every
 * synth, which costs about 0.5 µs per digest on 2 cores (10 ms for a full file). Four syntheses of a 1,000-workload app
 * (5,000 objects) changed throughout.
 */
export const PASSED_OBJECTS_CAP = 20_000;

/** Bytes of a {@link PassedObjects} digest (the first half of a sha256). */
const DIGEST_BYTES = 16;

/**
 * The objects that passed the gate, by digest, remembered across processes: an object checked before and unchanged
 * (the same JSON, against the same kind's schema, by the same code) passed then and passes now, so its check is skipped.
 * At synth most objects are the ones the last synth wrote, and they are large and checked cold: there hashing one costs
 * a small part of checking it (validator.ts CheckOptions.rememberPasses, used by GpuValidation only). Only passes are
 * kept: a failing object is checked again for its messages.
 *
 * - A digest covers the kind's schema (its precompiled module, fixed by the build that wrote the schema cache, which every
 *   build replaces whole with this folder) and the object's JSON exactly as the gate validates it (validator.ts: the
 *   object itself when it is plain JSON data, else the copy JSON would make of it), so equal digests mean equal input.
 * - The file is per scope: the gate's options and the identity of the code that judges (src/schema and src/private, or
 *   their lib/ build; {@link codeIdentity}), so an edit to a check starts an empty file.
 * - Newest first, at most {@link PASSED_OBJECTS_CAP}; written (atomically) only when the process added digests.
 * - Trust: whoever can write the package's folder can make an object pass, as they can by editing its code.
 */
export class PassedObjects {
  /** The digest of an object's JSON (as the gate validates it) for the kind whose schema is `schemaId`. */
  static digest(schemaId: string, json: string): string {
    return createHash('sha256').update(`${schemaId}\0${json}`).digest().toString('latin1', 0, DIGEST_BYTES);
  }

  private known?: Set<string>;
  private readonly added: string[] = [];
  private hitCount = 0;
  private addedCount = 0;

  /** @param file the file that keeps the digests; undefined keeps them for this process only. */
  constructor(readonly file: string | undefined, private readonly cap: number = PASSED_OBJECTS_CAP) {}

  /** Whether an object of this digest passed before. */
  has(digest: string): boolean {
    const hit = this.load().has(digest);
    if (hit) this.hitCount++;
    return hit;
  }

  /** Remembers that an object of this digest passed. */
  add(digest: string): void {
    const known = this.load();
    if (known.has(digest)) return;
    known.add(digest);
    this.added.push(digest);
    this.addedCount++;
  }

  /** How many digests are known, how many lookups found one, and how many this process added (for tests and benchmarks). */
  get stats(): { readonly known: number; readonly hits: number; readonly added: number } {
    return { known: this.load().size, hits: this.hitCount, added: this.addedCount };
  }

  /** Writes the digests, newest first, when this process added any. Never throws. */
  save(): void {
    if (this.added.length === 0 || this.file === undefined) return;
    const newest = this.added.splice(0).reverse();
    const fresh = new Set(newest);
    const kept: string[] = newest.slice(0, this.cap);
    for (const d of this.load()) {
      if (kept.length >= this.cap) break;
      if (!fresh.has(d)) kept.push(d);
    }
    writeAtomically(this.file, Buffer.from(kept.join(''), 'latin1'));
    prunePassedFiles(path.dirname(this.file), path.basename(this.file));
  }

  private load(): Set<string> {
    if (this.known) return this.known;
    this.known = new Set();
    if (this.file === undefined) return this.known;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.file);
    } catch {
      return this.known; // none yet
    }
    if (bytes.length % DIGEST_BYTES !== 0) return this.known; // damaged: start again
    for (let i = 0; i < bytes.length; i += DIGEST_BYTES) this.known.add(bytes.toString('latin1', i, i + DIGEST_BYTES));
    return this.known;
  }
}

/** The files of {@link PassedObjects} that {@link schemaPassedObjects} names. */
const PASSED_FILE = /^passed-[0-9a-f]{24}\.bin$/;

/** At most this many {@link PassedObjects} files are kept in a folder: each edit of the gate's code starts a new one. */
export const PASSED_FILES_KEPT = 4;

/**
 * Removes the {@link PassedObjects} files of `dir` but `current` and the newest others, {@link PASSED_FILES_KEPT} in all
 * (files of older code or other options, which no process may read again). Never throws.
 */
function prunePassedFiles(dir: string, current: string): void {
  try {
    const others = fs.readdirSync(dir).filter((f) => PASSED_FILE.test(f) && f !== current)
      .map((f) => ({ f, mtime: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const { f } of others.slice(PASSED_FILES_KEPT - 1)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // a file removed meanwhile, or a folder that cannot be read: nothing to prune now
  }
}

/**
 * The identity of the code files (`.js`, `.ts`; not `.d.ts`) in `dirs` (each file's name and {@link fileIdentity}): it
 * changes when any of them is written, added or removed. Missing folders count as empty.
 */
export function codeIdentity(dirs: readonly string[]): string {
  const parts: string[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = fs.readdirSync(dir).filter((f) => (f.endsWith('.js') || f.endsWith('.ts')) && !f.endsWith('.d.ts')).sort();
    } catch {
      files = [];
    }
    parts.push(dir);
    for (const f of files) {
      try {
        parts.push(`${f}:${fileIdentity(fs.statSync(path.join(dir, f)))}`);
      } catch {
        parts.push(`${f}:?`);
      }
    }
  }
  return sha256(parts.join('\n'));
}

/** The folders whose code decides the gate's verdicts: this one (src/schema or lib/schema) and its `private` sibling. */
export const VERDICT_CODE_DIRS: readonly string[] = [__dirname, path.resolve(__dirname, '..', 'private')];

/** One {@link PassedObjects} per file in a process. */
const passedFiles = new Map<string, PassedObjects>();

/**
 * The passed objects of the schema cache in `schemaCacheDir` for a gate with these options (any JSON-able value that
 * changes verdicts), or undefined when this process keeps none (turned off, or under jest, as for the code cache).
 */
export function schemaPassedObjects(schemaCacheDir: string, options: unknown): PassedObjects | undefined {
  if (!codeCacheUsable()) return undefined;
  const scope = sha256(JSON.stringify({ options, code: codeIdentity(VERDICT_CODE_DIRS) })).slice(0, 24);
  const file = path.join(runtimeCacheDir(schemaCacheDir), `passed-${scope}.bin`);
  let passed = passedFiles.get(file);
  if (!passed) passedFiles.set(file, passed = new PassedObjects(file));
  return passed;
}
