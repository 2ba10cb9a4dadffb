import { Chart, Testing } from 'cdk8s';
import { GpuNodePool, GpuNodePoolProps, SpotGpuPool } from '../../src/pools';
import { Finding, validateManifests } from '../../src/validation';

/** Node class props every test pool needs. */
export const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };

export function chart(): Chart {
  return Testing.chart();
}

/** g5 on-demand pool (1-8 A10G per node). */
export function g5(c: Chart, over: Partial<GpuNodePoolProps> = {}): GpuNodePool {
  return new GpuNodePool(c, over.name ?? 'g5', { name: 'g5', families: ['g5'], gpuLimit: 32, nodeClassProps: BOUND, ...over });
}

/** g6 spot pool. */
export function g6Spot(c: Chart): SpotGpuPool {
  return new SpotGpuPool(c, 'g6-spot', { name: 'g6-spot', families: ['g6'], gpuLimit: 32, nodeClassProps: BOUND });
}

export function synth(c: Chart): any[] {
  return Testing.synth(c);
}

export function ofKind(objs: any[], kind: string): any[] {
  return objs.filter((o) => o.kind === kind);
}

export function one(objs: any[], kind: string): any {
  const found = ofKind(objs, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0];
}

/** Every rule of the project (built-in, Karpenter, workload) over the objects, as readable strings. */
export function lintAll(objs: any[]): string[] {
  const findings: Finding[] = validateManifests(objs.map((object) => ({ object }))); // every built-in rule
  return findings.map((f) => `${f.severity} ${f.ruleId} ${f.object.kind}/${f.object.name} ${f.fieldPath}: ${f.message}`);
}

export { configError } from '../config-error';
