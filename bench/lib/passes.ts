import * as fs from 'fs';
import * as path from 'path';
import { runtimeCacheDir } from '../../src/schema/runtime-cache';
import { SCHEMA_CACHE_DIR } from '../../src/schema/schema-cache';

/**
 * Forgets the passes earlier runs remembered (the files of src/schema/runtime-cache.ts PassedObjects), so the next
 * process checks every object, as the first run after every object changed does. The code cache is kept.
 */
export function forgetPasses(): void {
  const dir = runtimeCacheDir(SCHEMA_CACHE_DIR);
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) if (/^passed-.*\.bin$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
}
