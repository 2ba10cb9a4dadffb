/**
 * Issue 15, case 4: GpuEksStack turns on the Karpenter feature gates the deployed charts need (nodeOverlay for
 * NodeOverlays, reservedCapacity for reservations, staticCapacity for static pools) and refuses at synth a chart that
 * needs a gate the user turned off.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cdk8s from 'cdk8s';
import { GpuEksStack, GpuEksStackProps } from '../../src/eks';
import { GpuNodePool } from '../../src/pools';
import { DevicePluginConfig } from '../../src/sharing';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

function karpenterGates(template: Template): any {
  const [chart] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter((r: any) => r.Properties.Chart === 'karpenter');
  const v = (chart as any).Properties.Values;
  const text = typeof v === 'string' ? v : (v['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : '"<token>"')).join('');
  return JSON.parse(text.replace(/""<token>""/g, '"<token>"')).settings.featureGates;
}

function stackWith(props: Partial<GpuEksStackProps>, build: (chart: cdk8s.Chart) => void, buildAfterAdd?: (chart: cdk8s.Chart) => void) {
  const app = new App();
  const stack = new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, ...props });
  const chart = new cdk8s.Chart(new cdk8s.App(), 'pools');
  build(chart);
  stack.addChart(chart);
  buildAfterAdd?.(chart);
  return stack;
}

const timeSliced = (chart: cdk8s.Chart) => {
  const pool = new GpuNodePool(chart, 'dev', { name: 'dev', families: ['g5'], gpuLimit: 8 });
  const dp = new DevicePluginConfig(chart, 'dp');
  dp.addTimeSlicing('shared-4', { replicas: 4 });
  dp.applyTo(pool, 'shared-4');
};

describe('Karpenter feature gates follow the charts', () => {
  test('a chart without NodeOverlays: only reservedCapacity (as before)', () => {
    const stack = stackWith({}, (chart) => { new GpuNodePool(chart, 'plain', { name: 'plain', families: ['g5'], gpuLimit: 8 }); });
    expect(karpenterGates(Template.fromStack(stack))).toEqual({ reservedCapacity: true });
  });

  test('time-slicing NodeOverlays turn on nodeOverlay, even when applied after addChart (lazy)', () => {
    expect(karpenterGates(Template.fromStack(stackWith({}, timeSliced)))).toEqual({ reservedCapacity: true, nodeOverlay: true });
    expect(karpenterGates(Template.fromStack(stackWith({}, () => undefined, timeSliced)))).toEqual({ reservedCapacity: true, nodeOverlay: true });
  });

  test('a static NodePool (spec.replicas) turns on staticCapacity', () => {
    const stack = stackWith({}, (chart) => {
      const pool = new GpuNodePool(chart, 'static', { name: 'static', families: ['g5'], gpuLimit: 8 });
      // A static NodePool: a fixed node count, and (NodePool CRD CEL rule) no limit but limits.nodes.
      pool.nodePool.addJsonPatch(cdk8s.JsonPatch.add('/spec/replicas', 2), cdk8s.JsonPatch.replace('/spec/limits', { nodes: '2' }));
    });
    expect(karpenterGates(Template.fromStack(stack))).toMatchObject({ staticCapacity: true });
  });

  test('a gate the user turned off while a chart needs it is refused at synth, naming the gate, the chart and the fix', () => {
    const stack = stackWith({ karpenter: { values: { settings: { featureGates: { nodeOverlay: false } } } } }, timeSliced);
    expect(() => Template.fromStack(stack)).toThrow(/karpenter\.values\.settings\.featureGates\.nodeOverlay is false, but chart pools needs it: NodeOverlay dev-1gpu-slices.*Fix: drop featureGates\.nodeOverlay: false/);
    // The user's other gates are kept.
    const ok = stackWith({ karpenter: { values: { settings: { featureGates: { spotToSpotConsolidation: true } } } } }, timeSliced);
    expect(karpenterGates(Template.fromStack(ok))).toEqual({ reservedCapacity: true, nodeOverlay: true, spotToSpotConsolidation: true });
  });
});
