import { GpuConfigError } from '../src/errors';

/**
 * Runs `fn`, expecting a GpuConfigError, and returns it. Anything else thrown (a TypeError above all) or nothing
 * thrown fails the test, naming what happened instead.
 */
export function configError(fn: () => unknown): GpuConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GpuConfigError) return e;
    throw new Error(`expected GpuConfigError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  throw new Error('expected GpuConfigError, nothing was thrown');
}
