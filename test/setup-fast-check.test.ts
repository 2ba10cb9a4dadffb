/** The suite's fast-check seed (test/setup-fast-check.ts): one value for params() and bare fc.assert, printed on failure. */
import * as fc from 'fast-check';
import { params } from './property/arbitraries';
import { FIXED_SEED, PROPERTY_SEED } from './setup-fast-check';

test('params() and every bare fc.assert use the same seed: the fixed one unless FC_SEED is set', () => {
  expect(params().seed).toBe(PROPERTY_SEED);
  expect(fc.readConfigureGlobal().seed).toBe(PROPERTY_SEED);
  if (!process.env.FC_SEED) expect(PROPERTY_SEED).toBe(FIXED_SEED);
});

test('a failing property names the seed that replays it', () => {
  expect(() => fc.assert(fc.property(fc.integer({ min: 1 }), (n) => n < 0)))
    .toThrow(new RegExp(`seed: ${PROPERTY_SEED}\\b`));
});
