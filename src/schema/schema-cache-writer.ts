/**
 * Builds the schema gate's precompiled cache (see schema-cache.ts): converts every built-in kind and every CRD of the
 * package's `crds/` exactly as the runtime path does (validator.ts), compiles each with the gate's ajv configuration
 * (ajv-setup.ts) and writes ajv's standalone code for it. Run by `npx projen compile` (scripts/gen-schema-cache.ts);
 * deterministic, so two builds of the same sources write the same files.
 */
import * as fs from 'fs';
import * as path from 'path';
import standaloneCode from 'ajv/dist/standalone';
import { makeAjv } from './ajv-setup';
import { CEL_BUNDLE_FILE, celCommonJsBundle, markCheckedRules } from './cel';
import { CacheIndex, CachedKind, currentFingerprint, SCHEMA_CACHE_FORMAT, sha256 } from './schema-cache';
import { crdFiles, KindEntry, PACKAGED_CRDS_DIR, readCrdFile, runtimeCoreEntries } from './validator';

/**
 * The workload controllers people write, whose schemas all hold a pod template: one module validates them all, so their
 * pod spec's validation code (most of each kind's code) is written, loaded and compiled once per process whichever of
 * them an app or a linted folder has. (Pod, ReplicaSet, ReplicationController and PodTemplate keep their own modules:
 * one kind among them costs less to load alone.)
 */
const SHARED_POD_WORKLOADS = new Set(['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'batch/v1/Job', 'batch/v1/CronJob']);
const POD_WORKLOADS_MODULE = 'core/pod-workloads.js';

/** A file name for a kind: `apps_v1_Deployment`. */
function fileName(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`.replace(/[^A-Za-z0-9.-]/g, '_');
}

/** What {@link writeSchemaCache} wrote. */
export interface SchemaCacheSummary {
  readonly kinds: number;
  readonly crdFiles: number;
  readonly bytes: number;
}

/**
 * Writes the cache for the built-in kinds and the CRD files of `crdDir` into `outDir` (replaced). `crdDir` is the
 * package's `crds/` unless a test builds a cache of its own.
 */
export function writeSchemaCache(outDir: string, crdDir: string = PACKAGED_CRDS_DIR): SchemaCacheSummary {
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, 'core'), { recursive: true });
  let bytes = 0;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    fs.writeFileSync(path.join(tmp, rel), text);
    bytes += Buffer.byteLength(text);
  };
  // One ajv per kind: a validation file holds only the code its kind needs (the core definitions it refers to).
  const compile = (e: KindEntry, rel: string, ajv = makeAjv(true)): string => {
    const code = standaloneCode(ajv, ajv.compile(e.ajvSchema));
    write(rel, code.replace(/^"use strict";/, ''));
    return rel;
  };

  const core: CachedKind[] = [];
  const coreAjv = makeAjv(true);
  const shared: Record<string, string> = {};
  for (const e of runtimeCoreEntries(coreAjv)) {
    const name = fileName(e.apiVersion, e.kind);
    const kind = { apiVersion: e.apiVersion, kind: e.kind, namespaced: e.namespaced, source: e.source, mutates: e.mutates };
    if (SHARED_POD_WORKLOADS.has(`${e.apiVersion}/${e.kind}`)) {
      // Registered under an id (no '/': the schema's relative $refs must resolve as before) and written below.
      coreAjv.addSchema({ ...e.ajvSchema, $id: `kind-${name}` });
      shared[name] = `kind-${name}`;
      core.push({ ...kind, module: POD_WORKLOADS_MODULE, export: name });
    } else {
      core.push({ ...kind, module: compile(e, `core/${name}.js`, coreAjv) });
    }
  }
  write(POD_WORKLOADS_MODULE, standaloneCode(coreAjv, shared).replace(/^"use strict";/, ''));

  const crds: Record<string, { sha256: string; kinds: CachedKind[] }> = {};
  let n = core.length;
  for (const file of crdFiles(crdDir)) {
    const content = fs.readFileSync(path.join(crdDir, file));
    const text = content.toString('utf8');
    const stem = file.replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9.-]/g, '_');
    const kinds: CachedKind[] = [];
    for (const e of readCrdFile(text, file)) {
      const name = fileName(e.apiVersion, e.kind);
      const structural = `crds/${stem}/${name}.json`;
      write(structural, JSON.stringify(markCheckedRules(e.structural)));
      const module = compile(e, `crds/${stem}/${name}.js`);
      kinds.push({ apiVersion: e.apiVersion, kind: e.kind, namespaced: e.namespaced, source: e.source, mutates: e.mutates, module, structural });
      n++;
    }
    crds[file] = { sha256: sha256(content), kinds };
  }

  // cel-js as one CommonJS script (cel.ts loadCelBundle): loaded through V8's code cache instead of the ES module loader.
  write(CEL_BUNDLE_FILE, celCommonJsBundle());

  const index: CacheIndex = { format: SCHEMA_CACHE_FORMAT, fingerprint: currentFingerprint(), core, crdFiles: crds };
  write('index.json', `${JSON.stringify(index, undefined, 1)}\n`);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  return { kinds: n, crdFiles: Object.keys(crds).length, bytes };
}
