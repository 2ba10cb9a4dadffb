/**
 * Every problem of one construct at once, for GpuEksStack (its own props and its cluster's): k independent faults →
 * one GpuConfigError naming all k props, thrown before anything is built (test/property/all-at-once.ts).
 */
import { App } from 'aws-cdk-lib';
import { Fault, expectEveryFault } from './all-at-once';
import { GpuEksStack, GpuEksStackProps } from '../../src/eks';
import { configError } from '../config-error';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const f = <P>(prop: string, over: (p: NoInfer<P>) => Partial<NoInfer<P>>): Fault<P> => ({ prop, apply: (p) => ({ ...p, ...over(p) }) });

describe('every problem at once: GpuEksStack', () => {
  test('k faults → one error naming all k props', () => {
    const faults: Fault<GpuEksStackProps>[] = [
      f('clusterName', () => ({ clusterName: 'not a name!' })),
      f('kubernetesVersion', () => ({ kubernetesVersion: '1.33' as any })),
      f('natGateways', () => ({ natGateways: 5 })),
      f('clusterLogging', () => ({ clusterLogging: ['bogus' as any] })),
      f('systemNodeGroup', () => ({ systemNodeGroup: { minSize: 0 } })),
      f('karpenter', () => ({ karpenter: { replicas: 0 } })),
      f('prometheus', () => ({ prometheus: { endpoint: 'ftp://prometheus' } })),
      f('capacityReservationIds', () => ({ capacityReservationIds: ['not-a-reservation'] })),
      f('charts', () => ({ charts: 'all of them' as any })),
      f('draDriver', () => ({ draDriver: 'yes' as any })),
      // Used once the cluster is built, checked with the rest.
      f('gpuOperator', () => ({ gpuOperator: { version: 'latest' } })),
      f('keda', () => ({ keda: { enabled: 'false' as any } })),
      f('kueue', () => ({ kueue: { values: 'replicas=2' as any } })),
      f('admissionPolicy', () => ({ admissionPolicy: 'yes' as any })),
    ];
    expectEveryFault((_, p) => new GpuEksStack(new App(), 'Gpu', p), { env: ENV, clusterName: 'gpu', availabilityZones: AZS }, faults, 25);
  });

  test('the cluster\'s problems keep their own path under the stack\'s', () => {
    const e = configError(() => new GpuEksStack(new App(), 'Gpu', {
      env: ENV, availabilityZones: AZS, clusterName: 'not a name!', draDriver: 'yes' as any, karpenter: { replicas: 0 },
    }));
    expect(e.errors.map((x) => `${x.constructPath} ${x.property}`)).toEqual(['Gpu draDriver', 'Gpu/GpuCluster clusterName', 'Gpu/GpuCluster karpenter.replicas']);
    expect(e.message.split('\n')[0]).toBe('Gpu: 3 problems:');
    expect(e.message).toMatch(/\n {2}- Gpu\/GpuCluster: karpenter\.replicas is 0\. Fix: /);
  });
});
