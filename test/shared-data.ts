/**
 * Tests that compare against the project's reference data in `../shared` (beside the repository root: upstream CRDs,
 * the EC2 GPU table, MIG profiles, DCGM CSVs, real-world manifests, the seed documents).
 *
 * - `../shared` absent (a plain clone): each such group is skipped, shows as ONE skipped test, and ONE line on stderr
 *   names it. Nothing else vanishes silently: the group's body (which reads the data) is not run at all.
 * - `../shared` present (CI, developers): every group runs; a file it needs that is missing there is a failing test
 *   naming the path, never a skip and never a `test.each([])` that generates nothing.
 *
 * `CDK8S_GPU_SHARED_DIR` overrides the location (point it at a missing folder to see the suite as a plain clone sees
 * it; set `CONFORMANCE_CRDS_DIR` too, for the conformance harness's CRDs, see test/conformance/README.md).
 */
import * as fs from 'fs';
import * as path from 'path';

/** `<repo>/../shared`, or `$CDK8S_GPU_SHARED_DIR`. */
export const SHARED_DIR: string = process.env.CDK8S_GPU_SHARED_DIR ?? path.resolve(__dirname, '..', '..', 'shared');

/** True when the reference data folder exists. */
export const HAVE_SHARED: boolean = fs.existsSync(SHARED_DIR);

/** Absolute path of `rel` inside the shared folder (`reference/crds`, `seeds/001_….txt`). */
export function sharedPath(rel: string): string {
  return path.join(SHARED_DIR, rel);
}

/**
 * `describe(name, body)` for a group that needs `needs` (paths relative to the shared folder; a trailing `*` matches
 * by prefix, e.g. `seeds/004_*`). Without the shared folder: skipped, with one printed line. With it: run, or one
 * failing test when something it needs is missing.
 */
export function describeWithShared(name: string, needs: readonly string[], body: () => void): void {
  if (!HAVE_SHARED) {
    process.stderr.write(`[shared] skipped: "${name}" (needs ${needs.map((n) => `../shared/${n}`).join(', ')}; ${SHARED_DIR} is absent)\n`);
    describe.skip(name, () => test(`needs ${needs.join(', ')}`, () => undefined));
    return;
  }
  const missing = needs.filter((n) => resolveShared(n) === undefined);
  if (missing.length > 0) {
    describe(name, () => test('its reference data is present', () => {
      throw new Error(`${SHARED_DIR} exists but lacks ${missing.join(', ')}: this group cannot run (restore the data; it is never skipped when the shared folder is there)`);
    }));
    return;
  }
  describe(name, body);
}

/** The absolute path `rel` names (with a trailing `*`: the first entry, sorted, starting with the prefix), or undefined. */
export function resolveShared(rel: string): string | undefined {
  if (rel.endsWith('*')) {
    const dir = path.dirname(sharedPath(rel));
    const prefix = path.basename(rel).slice(0, -1);
    if (!fs.existsSync(dir)) return undefined;
    const hit = fs.readdirSync(dir).sort().find((f) => f.startsWith(prefix));
    return hit === undefined ? undefined : path.join(dir, hit);
  }
  const p = sharedPath(rel);
  return fs.existsSync(p) ? p : undefined;
}

/** Text of a shared file; throws naming the path when it is missing (call it only inside a `describeWithShared` body). */
export function readShared(rel: string): string {
  const p = resolveShared(rel);
  if (p === undefined) throw new Error(`missing reference data: ${sharedPath(rel)}`);
  return fs.readFileSync(p, 'utf8');
}

/**
 * `rows`, refusing an empty list: the cases of a `test.each` over reference data, which would otherwise generate
 * no test at all (and pass) when the data came back empty.
 */
export function cases<T>(rows: readonly T[], what: string): T[] {
  if (rows.length === 0) throw new Error(`no test cases from ${what}: the reference data yielded nothing`);
  return [...rows];
}
