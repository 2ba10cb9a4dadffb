import { Chart, Testing } from 'cdk8s';

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

export { configError } from '../config-error';

/** A requirement of a NodePool JSON by key. */
export function requirement(pool: any, key: string): any {
  return pool.spec.template.spec.requirements.find((r: any) => r.key === key);
}

/** Node class props every test pool needs (role and cluster name). */
export const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
