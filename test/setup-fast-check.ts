/**
 * Jest setup (setupFilesAfterEnv, see .projenrc.ts): the seed of every fast-check property in the suite.
 *
 * - `FC_SEED` unset: the fixed seed below, so `npm test` explores the same inputs on every run and a failure is
 *   reproducible as is.
 * - `FC_SEED=<integer>`: that seed (to replay a failure: fast-check prints `{ seed: <n>, path: … }` with it).
 * - `FC_SEED=random`: a fresh seed per test file, so runs explore new inputs; a failure prints its seed, and
 *   `FC_SEED=<that seed> npx jest <file>` replays it. CI does one such pass with few runs (`.ci/run`).
 *
 * `params()` (test/property/arbitraries.ts) and every bare `fc.assert` read the same value.
 */
import * as fc from 'fast-check';

/** The suite's fixed seed. */
export const FIXED_SEED = 20250205;

/** The seed this test file uses (see the file comment). */
export const PROPERTY_SEED: number = (() => {
  const raw = process.env.FC_SEED;
  if (raw === undefined || raw === '') return FIXED_SEED;
  if (raw === 'random') return Math.floor(Math.random() * 2 ** 31);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`FC_SEED must be an integer or "random", got ${JSON.stringify(raw)}`);
  return n;
})();

// PROPERTY_RUNS (also read by params()) lowers the runs of the bare fc.assert calls too, for a quick exploring pass.
const runs = process.env.PROPERTY_RUNS ? Number(process.env.PROPERTY_RUNS) : undefined;
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: PROPERTY_SEED, ...(runs !== undefined && runs > 0 ? { numRuns: runs } : {}) });
