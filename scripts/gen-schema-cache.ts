/**
 * Writes the schema gate's precompiled cache into `schema-cache/` (git-ignored, shipped in the npm package): ajv's
 * standalone validation code for every built-in kind and every CRD of `crds/` (src/schema/schema-cache.ts).
 * Run by `npx projen compile` (its pre-compile step); `npx projen schema-cache` alone.
 */
import { performance } from 'perf_hooks';
import { SCHEMA_CACHE_DIR } from '../src/schema/schema-cache';
import { writeSchemaCache } from '../src/schema/schema-cache-writer';

const t0 = performance.now();
const s = writeSchemaCache(SCHEMA_CACHE_DIR);
console.log(`schema-cache: ${s.kinds} kinds from ${s.crdFiles} CRD files and the built-in schemas, `
  + `${(s.bytes / 1024 / 1024).toFixed(1)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
