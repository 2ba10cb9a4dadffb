import { Chart, Testing } from 'cdk8s';
import { GpuConfigError } from '../../src/errors';

/** A fresh chart. */
export function chart(): Chart {
  return Testing.chart();
}

/** Objects of `kind` in the synthesised chart. */
export function objectsOf(c: Chart, kind: string): any[] {
  return Testing.synth(c).filter((o: any) => o.kind === kind);
}

/** The single NodePool named `name` (or the only one). */
export function nodePoolJson(c: Chart, name?: string): any {
  const pools = objectsOf(c, 'NodePool').filter((o) => name === undefined || o.metadata.name === name);
  if (pools.length !== 1) throw new Error(`expected one NodePool${name ? ` ${name}` : ''}, got ${pools.length}`);
  return pools[0];
}

/** Runs `fn`, expecting a GpuConfigError, and returns it. */
export function configError(fn: () => unknown): GpuConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GpuConfigError) return e;
    throw new Error(`expected GpuConfigError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  throw new Error('expected GpuConfigError, nothing was thrown');
}

/** A requirement of a NodePool JSON by key. */
export function requirement(pool: any, key: string): any {
  return pool.spec.template.spec.requirements.find((r: any) => r.key === key);
}

/** Node class props every test pool needs (role and cluster name). */
export const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
