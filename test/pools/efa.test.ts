import { Testing } from 'cdk8s';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodeClass, GpuNodePool, PlacementGroupSelector } from '../../src/pools';
import { configError } from '../config-error';
import { expectValid } from '../conformance/schema';

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };

function build(over: Record<string, unknown> = {}, classOver: Record<string, unknown> = {}) {
  const c = Testing.chart();
  const pool = new GpuNodePool(c, 'p5', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, efa: true, nodeClassProps: { ...BOUND, ...classOver }, ...over });
  return { c, pool, objs: Testing.synth(c) };
}
const nodeClass = (objs: any[]) => objs.find((o) => o.kind === 'EC2NodeClass');

describe('EFA node classes', () => {
  test('p5.48xlarge pool with efa: ENA primary and 32 efa-only devices (one per network card), schema + CEL valid', () => {
    const { objs, pool } = build();
    const ni = nodeClass(objs).spec.networkInterfaces;
    expect(ni[0]).toEqual({ networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' });
    expect(ni[1]).toEqual({ networkCardIndex: 0, deviceIndex: 1, interfaceType: 'efa-only' });
    expect(ni.filter((i: any) => i.interfaceType === 'efa-only')).toHaveLength(32);
    expect(new Set(ni.filter((i: any) => i.interfaceType === 'efa-only').map((i: any) => i.networkCardIndex)).size).toBe(32);
    expect(ni.filter((i: any) => i.interfaceType === 'interface')).toHaveLength(1);
    expect(pool.nodeClass.efaInterfaces).toBe(32);
    expectValid(objs);
  });

  test('p4d.24xlarge: 4 devices', () => {
    const { objs } = build({ instanceTypes: [GpuInstanceType.P4D_24XLARGE] });
    expect(nodeClass(objs).spec.networkInterfaces.filter((i: any) => i.interfaceType === 'efa-only')).toHaveLength(4);
  });

  test('placement group by name, by id; none by default and no interfaces without efa', () => {
    expect(nodeClass(build({}, { placementGroup: PlacementGroupSelector.byName('train-pg') }).objs).spec.placementGroupSelector).toEqual({ name: 'train-pg' });
    const byId = build({}, { placementGroup: PlacementGroupSelector.byId('pg-0123456789abcdef0') }).objs;
    expect(nodeClass(byId).spec.placementGroupSelector).toEqual({ id: 'pg-0123456789abcdef0' });
    expectValid(byId);
    const plain = nodeClass(build({ efa: false }).objs).spec;
    expect(plain.networkInterfaces).toBeUndefined();
    expect(plain.placementGroupSelector).toBeUndefined();
  });

  test('ofEksStack: bound by bindPlacementGroup, an error at synth while unbound', () => {
    const { c, pool } = (() => {
      const chart = Testing.chart();
      return { c: chart, pool: new GpuNodePool(chart, 'p5', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: { ...BOUND, placementGroup: PlacementGroupSelector.ofEksStack() } }) };
    })();
    expect(() => Testing.synth(c)).toThrow(/placementGroup is PlacementGroupSelector.ofEksStack\(\), but no GpuEksStack with efa bound it/);
    pool.nodeClass.bindPlacementGroup('stack-pg-1');
    expect(nodeClass(Testing.synth(c)).spec.placementGroupSelector).toEqual({ name: 'stack-pg-1' });
  });

  test.each([
    ['a type without EFA', { instanceTypes: [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_48XLARGE] }, /g5\.xlarge has no EFA/],
    ['types with different EFA counts', { instanceTypes: [GpuInstanceType.P5_48XLARGE, GpuInstanceType.P5EN_48XLARGE] }, /p5\.48xlarge: 32, p5en\.48xlarge: 16/],
    ['efa as a string', { efa: 'yes' }, /not a boolean/],
  ])('efa with %s → GpuConfigError on efa', (_, over, msg) => {
    const e = configError(() => build(over));
    expect(e.property).toBe('efa');
    expect(e.message).toMatch(msg);
  });

  test('a node class shared by pools of different EFA counts is refused', () => {
    const c = Testing.chart();
    const shared = new GpuNodeClass(c, 'shared', BOUND);
    new GpuNodePool(c, 'p5', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, efa: true, nodeClass: shared });
    const e = configError(() => new GpuNodePool(c, 'p4d', { name: 'p4d', instanceTypes: [GpuInstanceType.P4D_24XLARGE], gpuLimit: 16, efa: true, nodeClass: shared }));
    expect(e.property).toBe('efaInterfaces');
    expect(e.message).toContain('already 32, cannot also be 4');
  });

  test('PlacementGroupSelector refuses bad ids and empty names', () => {
    expect(configError(() => PlacementGroupSelector.byId('sg-123')).property).toBe('id');
    expect(configError(() => PlacementGroupSelector.byName('')).property).toBe('name');
  });
});
