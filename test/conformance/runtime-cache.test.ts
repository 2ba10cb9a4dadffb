/**
 * What the schema gate keeps between processes (src/schema/runtime-cache.ts): V8's code cache of the precompiled
 * modules and the CRD files' hashes. They only save time: the same verdicts and messages with them, without them, cold
 * and warm (checked in fresh node processes, since jest's sandbox turns the code cache off); stale or damaged entries
 * are never used; nothing fails where they cannot be written.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CEL_BUNDLE_FILE, celCommonJsBundle, loadCelBundle } from '../../src/schema/cel';
import {
  CodeCache, codeCacheFolderName, codeCacheUsable, codeIdentity, FileHashes, functionSource, PassedObjects, RUNTIME_CACHE_ENV,
  runtimeCacheOff, schemaPassedObjects, v8RelevantOptions,
} from '../../src/schema/runtime-cache';
import { writeSchemaCache } from '../../src/schema/schema-cache-writer';
import { cdk8sExamples } from '../examples/helpers';

jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..', '..');
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-cache-test-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A module file in a fresh folder, and a code cache folder beside it. */
function moduleFile(name: string, body: string): { file: string; dir: string } {
  const base = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const file = path.join(base, 'module.js');
  fs.writeFileSync(file, body);
  return { file, dir: path.join(base, 'runtime', 'v8') };
}

describe('CodeCache', () => {
  // V8 also keeps an in-process compilation cache keyed by the source: each test compiles code of its own, and only the
  // fresh processes of the last describe show that the data is read from disk.
  let serial = 0;
  const body = () => `exports.double = (x) => 2 * x; exports.greet = function greet(n) { return \`hello \${n}\`; }; // ${serial++}`;

  function load(cache: CodeCache, file: string): any {
    const exports: any = {};
    cache.compile(fs.readFileSync(file, 'utf8'), ['exports'], file)(exports);
    return exports;
  }

  test('compiles without data, writes it after the code ran, and the next process (a new cache) compiles from it', () => {
    const { file, dir } = moduleFile('roundtrip', body());
    const first = new CodeCache(dir);
    const a = load(first, file);
    expect([a.double(21), a.greet('gpu')]).toEqual([42, 'hello gpu']);
    expect(first.stats).toEqual({ compiled: 1, fromCache: 0, pending: 1 });
    expect(fs.existsSync(dir)).toBe(false);
    first.flush();
    expect(first.stats.pending).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = new CodeCache(dir);
    const b = load(second, file);
    expect([b.double(4), b.greet('again')]).toEqual([8, 'hello again']);
    expect(second.stats).toEqual({ compiled: 1, fromCache: 1, pending: 0 });
  });

  test('a module changed since (size or modification time) does not use the old data', () => {
    const original = body();
    const { file, dir } = moduleFile('changed', original);
    const first = new CodeCache(dir);
    load(first, file);
    first.flush();
    // Same length, other code: V8 alone would accept the data (it checks only the length); the file's identity does not.
    const changed = original.replace('2 * x', '3 * x');
    expect(changed.length).toBe(original.length);
    fs.writeFileSync(file, changed);
    fs.utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = new CodeCache(dir);
    expect(load(second, file).double(2)).toBe(6);
    expect(second.stats).toEqual({ compiled: 1, fromCache: 0, pending: 1 });
  });

  test('damaged data is rejected by V8, the code compiles as usual, and the data is written again', () => {
    const { file, dir } = moduleFile('damaged', body());
    const second = new CodeCache(dir);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(second.dataFile(functionSource(fs.readFileSync(file, 'utf8'), ['exports']), file), 'not V8 code cache data, just bytes');
    expect(load(second, file).double(5)).toBe(10);
    expect(second.stats).toEqual({ compiled: 1, fromCache: 0, pending: 1 });
    second.flush();
    const third = new CodeCache(dir);
    expect(load(third, file).double(6)).toBe(12);
    expect(third.stats.fromCache).toBe(1);
  });

  test('a folder that cannot be written leaves the code uncached and throws nothing', () => {
    const { file } = moduleFile('readonly', body());
    const blocker = path.join(tmp, 'a-file-not-a-folder');
    fs.writeFileSync(blocker, 'x');
    const cache = new CodeCache(path.join(blocker, 'v8'));
    expect(load(cache, file).double(1)).toBe(2);
    expect(() => cache.flush()).not.toThrow();
    expect(cache.stats).toEqual({ compiled: 1, fromCache: 0, pending: 0 });
  });

  test('used only where the vm context is the code\'s own (not under jest), and never when turned off', () => {
    // jest runs each test file in a sandbox context: code run in "this" (the outer) context would see other built-ins.
    expect(codeCacheUsable()).toBe(false);
    for (const off of ['off', 'OFF', '0', 'false']) {
      expect(runtimeCacheOff({ [RUNTIME_CACHE_ENV]: off })).toBe(true);
      expect(codeCacheUsable({ [RUNTIME_CACHE_ENV]: off })).toBe(false);
    }
    expect(runtimeCacheOff({})).toBe(false);
    expect(runtimeCacheOff({ [RUNTIME_CACHE_ENV]: 'on' })).toBe(false);
    // One folder per V8 build, architecture and options: data made under other flags is rejected by V8.
    expect(codeCacheFolderName()).toMatch(new RegExp(`^v8-${process.versions.v8.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]{12}$`));
    // …but not per script or preload: those change nothing V8 compiles (a cache per `node -e <script>` would pile up).
    expect(v8RelevantOptions(['-r', 'ts-node/register/transpile-only', '-e', 'console.log(1)', '--max-old-space-size=4096',
      '--require=x', '--cpu-prof', '--cpu-prof-dir=/tmp/p', '--inspect-brk', '--stack-size=2000'], '--expose-gc  --enable-source-maps'))
      .toEqual(['--max-old-space-size=4096', '--stack-size=2000', '--expose-gc']);
    expect(v8RelevantOptions([], '')).toEqual([]);
  });
});

describe('FileHashes', () => {
  test('hashes a file once while its identity holds, again when it is rewritten, and keeps the hashes across processes', () => {
    const file = path.join(tmp, 'hashed.yaml');
    fs.writeFileSync(file, 'kind: A\n');
    const store = path.join(tmp, 'hashes', 'file-hashes.json');
    const first = new FileHashes(store);
    const h1 = first.sha256(file);
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    first.save();
    expect(Object.keys(JSON.parse(fs.readFileSync(store, 'utf8')))).toEqual([file]);

    // Trusted while the identity holds: a forged stored hash for the same identity is returned as is (as git's index).
    const stored = JSON.parse(fs.readFileSync(store, 'utf8'));
    stored[file].sha256 = 'f'.repeat(64);
    fs.writeFileSync(store, JSON.stringify(stored));
    expect(new FileHashes(store).sha256(file)).toBe('f'.repeat(64));

    // Rewritten, even to the same size: the change time moves, so it is hashed again.
    fs.writeFileSync(file, 'kind: B\n');
    const second = new FileHashes(store);
    const h2 = second.sha256(file);
    expect(h2).not.toBe(h1);
    expect(h2).not.toBe('f'.repeat(64));
    second.save();
    expect(new FileHashes(store).sha256(file)).toBe(h2);
  });

  test('a missing file has no hash; a damaged or foreign store is ignored; no store keeps nothing', () => {
    const store = path.join(tmp, 'damaged-hashes.json');
    fs.writeFileSync(store, '{"__proto__": {"identity": 1}, "x": null, "y": {"identity": "a", "sha256": 3}');
    const hashes = new FileHashes(store);
    expect(hashes.sha256(path.join(tmp, 'absent.yaml'))).toBeUndefined();
    const file = path.join(tmp, 'present.yaml');
    fs.writeFileSync(file, 'a: 1\n');
    expect(hashes.sha256(file)).toMatch(/^[0-9a-f]{64}$/);
    hashes.save();
    expect(Object.keys(JSON.parse(fs.readFileSync(store, 'utf8')))).toEqual([file]);
    const none = new FileHashes(undefined);
    expect(none.sha256(file)).toBe(hashes.sha256(file));
    expect(() => none.save()).not.toThrow();
  });
});

describe('PassedObjects', () => {
  const d = (i: number) => PassedObjects.digest('core/x.js##', `{"i":${i}}`);

  test('a digest is 16 bytes of the sha256 of the schema and the exact JSON: another schema, key order or value is another digest', () => {
    const a = PassedObjects.digest('core/pod-workloads.js#Deployment#', '{"a":1,"b":2}');
    expect(a).toHaveLength(16);
    expect(PassedObjects.digest('core/pod-workloads.js#Deployment#', '{"a":1,"b":2}')).toBe(a);
    for (const other of [
      PassedObjects.digest('core/pod-workloads.js#StatefulSet#', '{"a":1,"b":2}'),
      PassedObjects.digest('core/pod-workloads.js#Deployment#', '{"b":2,"a":1}'),
      PassedObjects.digest('core/pod-workloads.js#Deployment#', '{"a":1,"b":"2"}'),
      // The separator: the schema id and the JSON cannot trade characters.
      PassedObjects.digest('core/pod-workloads.js#Deployment#{', '"a":1,"b":2}'),
    ]) expect(other).not.toBe(a);
  });

  test('keeps passes across processes, newest first, at most its cap; writes only when it learnt something', () => {
    const file = path.join(tmp, 'passed', 'passed-a.bin');
    const first = new PassedObjects(file, 4);
    expect(first.has(d(1))).toBe(false);
    first.save();
    expect(fs.existsSync(file)).toBe(false); // nothing learnt, nothing written
    for (const i of [1, 2, 3]) first.add(d(i));
    first.add(d(2)); // once only
    expect(first.stats).toEqual({ known: 3, hits: 0, added: 3 });
    first.save();
    expect(fs.statSync(file).size).toBe(3 * 16);

    const second = new PassedObjects(file, 4);
    expect([1, 2, 3, 4].map((i) => second.has(d(i)))).toEqual([true, true, true, false]);
    expect(second.stats).toEqual({ known: 3, hits: 3, added: 0 });
    const before = fs.statSync(file).mtimeMs;
    second.save();
    expect(fs.statSync(file).mtimeMs).toBe(before);
    second.add(d(4));
    second.add(d(5));
    second.save();
    // Newest first (5, 4), then the older ones in their order (3, 2, 1) up to the cap: 1, the oldest, is dropped.
    const kept = fs.readFileSync(file);
    expect(kept.length).toBe(4 * 16);
    expect([0, 1, 2, 3].map((i) => kept.toString('latin1', i * 16, i * 16 + 16))).toEqual([d(5), d(4), d(3), d(2)]);
    expect(new PassedObjects(file, 4).has(d(1))).toBe(false);
  });

  test('keeps its own file and the newest others of the folder, four in all: each code edit starts a new file', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'passed-prune-'));
    const name = (i: number) => `passed-${String(i).repeat(24).slice(0, 24)}.bin`;
    for (let i = 1; i <= 6; i++) {
      fs.writeFileSync(path.join(dir, name(i)), Buffer.alloc(16));
      fs.utimesSync(path.join(dir, name(i)), new Date(2020, 0, i), new Date(2020, 0, i));
    }
    fs.writeFileSync(path.join(dir, 'file-hashes.json'), '{}');
    fs.writeFileSync(path.join(dir, 'passed-notes.txt'), 'not a passes file');
    fs.utimesSync(path.join(dir, name(1)), new Date(2019, 0, 1), new Date(2019, 0, 1));
    const p = new PassedObjects(path.join(dir, name(1))); // the oldest: kept all the same, as it is this process's
    p.add(d(1));
    p.save();
    expect(fs.readdirSync(dir).sort()).toEqual(['file-hashes.json', name(1), name(4), name(5), name(6), 'passed-notes.txt'].sort());
  });

  test('a damaged file is ignored and replaced; a file that cannot be written, or none, throws nothing', () => {
    const file = path.join(tmp, 'passed', 'passed-damaged.bin');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat([Buffer.from(d(1), 'latin1'), Buffer.from('x')])); // 17 bytes: not whole digests
    const p = new PassedObjects(file);
    expect(p.has(d(1))).toBe(false);
    p.add(d(2));
    p.save();
    expect(new PassedObjects(file).has(d(2))).toBe(true);

    const blocker = path.join(tmp, 'passed-blocker');
    fs.writeFileSync(blocker, 'x');
    const unwritable = new PassedObjects(path.join(blocker, 'passed-x.bin'));
    unwritable.add(d(1));
    expect(() => unwritable.save()).not.toThrow();
    const none = new PassedObjects(undefined);
    none.add(d(1));
    expect(none.has(d(1))).toBe(true);
    expect(() => none.save()).not.toThrow();
  });

  test('the code identity moves when a code file is written, added or removed, not for declaration or other files', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'code-'));
    fs.writeFileSync(path.join(dir, 'check.js'), 'exports.ok = 1;');
    const id = codeIdentity([dir, path.join(tmp, 'no-such-folder')]);
    expect(codeIdentity([dir, path.join(tmp, 'no-such-folder')])).toBe(id);
    fs.writeFileSync(path.join(dir, 'check.d.ts'), 'export {};');
    fs.writeFileSync(path.join(dir, 'notes.md'), '# notes');
    expect(codeIdentity([dir, path.join(tmp, 'no-such-folder')])).toBe(id);
    fs.writeFileSync(path.join(dir, 'check.js'), 'exports.ok = 2;'); // same size
    fs.utimesSync(path.join(dir, 'check.js'), new Date(2001, 1, 1), new Date(2001, 1, 1)); // (a later write's time, on any clock)
    const rewritten = codeIdentity([dir, path.join(tmp, 'no-such-folder')]);
    expect(rewritten).not.toBe(id);
    fs.writeFileSync(path.join(dir, 'more.ts'), 'export {};');
    expect(codeIdentity([dir, path.join(tmp, 'no-such-folder')])).not.toBe(rewritten);
  });

  test('kept by no process under jest (as the code cache), nor when turned off', () => {
    expect(schemaPassedObjects(path.join(tmp, 'schema-cache-x'), {})).toBeUndefined();
  });
});

describe('cel-js from the schema cache (cel.ts loadCelBundle)', () => {
  test('used when built from the installed cel-js; absent, of another version or damaged, it is not used', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'cel-bundle-'));
    expect(loadCelBundle(dir)).toBeUndefined(); // none
    const bundle = celCommonJsBundle();
    expect(bundle.split('\n')[0]).toMatch(/^\/\/ @marcbachmann\/cel-js \d+\.\d+\.\d+ as CommonJS$/);
    fs.writeFileSync(path.join(dir, CEL_BUNDLE_FILE), bundle);
    const cel = loadCelBundle(dir);
    expect(new cel.Environment().evaluate('[1, 2, 3].map(x, x * 2)')).toEqual([2n, 4n, 6n]);
    fs.writeFileSync(path.join(dir, CEL_BUNDLE_FILE), bundle.replace(/cel-js \S+ as/, 'cel-js 0.0.1 as'));
    expect(loadCelBundle(dir)).toBeUndefined(); // another version
    fs.writeFileSync(path.join(dir, CEL_BUNDLE_FILE), `${bundle.split('\n')[0]}\nthis is not JavaScript {`);
    expect(loadCelBundle(dir)).toBeUndefined(); // damaged: the package itself is loaded instead
  });
});

/** What each child process of the last test prints. */
interface ChildResult {
  readonly verdicts: unknown[];
  readonly stats?: { readonly compiled: number; readonly fromCache: number };
  readonly passes?: { readonly known: number; readonly hits: number; readonly added: number };
  /** How many passes a gate that does not remember (lint's) learnt from every object. */
  readonly lintAdded?: number;
  /** Verdicts on the GPU requests ≠ limits Deployment: by the default gate, then by one that checks extended resources. */
  readonly extended: unknown[];
  readonly celResults: { readonly bundle: string[]; readonly esm: string[] };
}

/** CEL expressions over `self = { a: [1, 2], s: 'héllo' }`: macros, strings, maps, errors. */
const CEL_EXPRESSIONS = [
  'self.a.map(x, x * 2)', 'self.a.all(x, x > 0)', 'self.s.size()', 'self.s.startsWith("hé")', '{"k": 1}.k + 1',
  'has(self.missing)', 'self.missing', '1 / 0', '"a" + 1', 'self.a.exists_one(x, x == 2) ? "one" : "other"',
  'int("12") + 3', 'double(1) / 4.0', 'self.s.matches("^h.llo$")',
];

describe('the gate in fresh processes: the same verdicts with the runtime cache off, cold and warm (code cache and passes)', () => {
  test('every example object and wrong-typed variants of them', () => {
    const cacheDir = path.join(tmp, 'schema-cache');
    writeSchemaCache(cacheDir);
    const objects: any[] = [];
    for (const ex of cdk8sExamples()) {
      for (const chart of ex.build(fs.mkdtempSync(path.join(tmp, `${ex.name}-`))).charts) objects.push(...chart.toJson());
    }
    // A wrong type in each object's spec, and an unknown field: messages from deep in the generated code.
    const variants = objects.flatMap((o) => [o, { ...o, fnord: 1 }, ...(o.spec ? [{ ...o, spec: { ...o.spec, replicas: 'three', template: 7 } }] : [])]);
    // Non-plain data, judged as its JSON copy: a ConfigMap with a non-finite number (the copy writes it as a string, which
    // passes) and a Deployment with one (a string where an integer belongs: fails), after the plain objects of that JSON.
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inf' }, data: { a: 'Infinity' } };
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const deploymentWith = (replicas: unknown) => ({ ...deployment, spec: { ...deployment.spec, replicas } });
    variants.push(configMap, deploymentWith(null), deploymentWith(3));
    const objectsFile = path.join(tmp, 'objects.json');
    fs.writeFileSync(objectsFile, JSON.stringify(variants));
    // (non-finite numbers cannot be written as JSON: the child adds them)
    const extendedDeployment = JSON.parse(JSON.stringify(deployment));
    const gpuContainer = extendedDeployment.spec.template.spec.containers.find((c: any) => c.resources?.limits?.['nvidia.com/gpu']);
    gpuContainer.resources.requests = { ...gpuContainer.resources.requests, 'nvidia.com/gpu': '1' };
    gpuContainer.resources.limits = { ...gpuContainer.resources.limits, 'nvidia.com/gpu': '2' };
    const extendedFile = path.join(tmp, 'extended.json');
    fs.writeFileSync(extendedFile, JSON.stringify(extendedDeployment));
    const script = `
      const fs = require('fs');
      const { SchemaValidator } = require(${JSON.stringify(path.join(ROOT, 'src', 'schema', 'validator.ts'))});
      const { schemaCodeCache } = require(${JSON.stringify(path.join(ROOT, 'src', 'schema', 'runtime-cache.ts'))});
      const objects = JSON.parse(fs.readFileSync(${JSON.stringify(objectsFile)}, 'utf8'));
      const v = new SchemaValidator({ schemaCacheDir: ${JSON.stringify(cacheDir)} });
      objects.push({ ...objects[objects.length - 3], data: { a: Infinity } });
      const last = objects[objects.length - 2];
      objects.push({ ...last, spec: { ...last.spec, replicas: Infinity } }, { ...last, spec: { ...last.spec, replicas: -Infinity } });
      // A gate that does not ask to remember (lint's) learns no passes, even with the runtime cache on.
      const lintLike = new SchemaValidator({ schemaCacheDir: ${JSON.stringify(cacheDir)} });
      for (const o of objects) lintLike.check(o);
      const lintAdded = lintLike.passedObjects()?.stats.added;
      const remember = { rememberPasses: true };
      const verdicts = objects.map((o) => { const r = v.check(o, remember); return r.known ? r.errors : 'unknown'; });
      const passes = v.passedObjects()?.stats; // (private in TypeScript)
      const ext = JSON.parse(fs.readFileSync(${JSON.stringify(extendedFile)}, 'utf8'));
      const withExtended = new SchemaValidator({ schemaCacheDir: ${JSON.stringify(cacheDir)}, extendedResources: true });
      const extended = [v.check(ext, remember).errors, withExtended.check(ext, remember).errors, withExtended.check(last, remember).errors];
      withExtended.saveRuntimeCache();
      // cel-js: the schema cache's CommonJS build of it (through the code cache) against the package itself.
      const bundle = require(${JSON.stringify(path.join(ROOT, 'src', 'schema', 'cel.ts'))}).loadCelBundle(${JSON.stringify(cacheDir)});
      const esm = require('@marcbachmann/cel-js');
      const cel = (m) => ${JSON.stringify(CEL_EXPRESSIONS)}.map((e) => {
        try { return String(new m.Environment({ unlistedVariablesAreDyn: true }).evaluate(e, { self: { a: [1, 2], s: 'héllo' } })); }
        catch (err) { return err.constructor.name + ': ' + err.message; }
      });
      const celResults = { bundle: cel(bundle), esm: cel(esm) };
      v.saveRuntimeCache();
      const stats = schemaCodeCache(${JSON.stringify(cacheDir)})?.stats;
      process.stdout.write(JSON.stringify({ verdicts, stats, passes, lintAdded, extended, celResults }));`;
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, ...env, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json') },
      });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout) as ChildResult;
    };
    const off = run({ [RUNTIME_CACHE_ENV]: 'off' });
    const cold = run({ [RUNTIME_CACHE_ENV]: 'on' });
    const warm = run({ [RUNTIME_CACHE_ENV]: 'on' });
    expect(off.stats).toBeUndefined();
    expect(cold.stats!.compiled).toBeGreaterThan(5);
    expect(cold.stats!.fromCache).toBe(0);
    expect(warm.stats!.fromCache).toBe(warm.stats!.compiled);
    expect(warm.stats!.compiled).toBe(cold.stats!.compiled);
    // Some objects fail (the variants), and every verdict, message for message, is the same three times.
    expect(off.verdicts.filter((v) => Array.isArray(v) && v.length > 0).length).toBeGreaterThan(objects.length);
    expect(cold.verdicts).toEqual(off.verdicts);
    expect(warm.verdicts).toEqual(off.verdicts);
    // The passes: none kept when off; the cold run learns every distinct object that passed (and finds the repeats: the
    // non-finite ConfigMap is judged as the plain one before it), the warm one finds them all and checks only the failing
    // ones again.
    const passing = off.verdicts.filter((v) => Array.isArray(v) && v.length === 0).length;
    expect(off.passes).toBeUndefined();
    expect(cold.lintAdded).toBe(0);
    expect(warm.lintAdded).toBe(0);
    expect(cold.passes!.added).toBeGreaterThan(objects.length / 2);
    expect(cold.passes!.hits).toBeGreaterThanOrEqual(1);
    expect(cold.passes!.hits + cold.passes!.added).toBe(passing);
    expect(warm.passes!.added).toBe(0);
    expect(warm.passes!.hits).toBe(passing);
    // Non-plain data is judged as its JSON copy: the non-finite ConfigMap value passes as the string it is written as; the
    // non-finite replicas fail as strings, after the same Deployment passed with null and with 3 replicas.
    const tail = off.verdicts.slice(-6) as string[][];
    expect(tail[0]).toEqual([]); // the ConfigMap, plain
    expect(tail[2]).toEqual([]); // the Deployment, 3 replicas
    expect(tail[3]).toEqual([]); // the ConfigMap, non-finite
    expect(tail[4].join()).toMatch(/spec\.replicas: Invalid value: "Infinity": must be of type integer/);
    expect(tail[5].join()).toMatch(/spec\.replicas: Invalid value: "-Infinity": must be of type integer/);
    // Options that change verdicts keep passes of their own: the default gate leaves GPU requests ≠ limits to GPU001, the
    // tests' harness (extended resources) rejects it, warm as cold.
    for (const r of [off, cold, warm]) {
      expect(r.extended[0]).toEqual([]);
      expect((r.extended[1] as string[]).join()).toMatch(/nvidia\.com\/gpu/);
      expect(r.extended[2]).toEqual([]); // (a pass of its own, so its file is written)
    }
    // cel-js's CommonJS build answers as the package does, errors included, cold and warm.
    for (const r of [off, cold, warm]) expect(r.celResults.bundle).toEqual(r.celResults.esm);
    expect(off.celResults.esm.filter((x) => /Error/.test(x)).length).toBeGreaterThan(0);
    // What was kept: the CRD files' hashes, one code cache folder (the three children ran with the same options) and the
    // passes of the two gates.
    const kept = fs.readdirSync(path.join(cacheDir, 'runtime')).sort();
    expect(kept).toHaveLength(4);
    expect(kept[0]).toBe('file-hashes.json');
    expect(kept.slice(1, 3)).toEqual([expect.stringMatching(/^passed-[0-9a-f]{24}\.bin$/), expect.stringMatching(/^passed-[0-9a-f]{24}\.bin$/)]);
    expect(kept[3]).toMatch(/^v8-/);
  });
});
