/**
 * Every problem of one construct at once, for priorities and teams (TieredPriorities, GpuTeam), the Kueue
 * constructs (GpuClusterQueue, GpuLocalQueue, GpuResourceFlavor) and GPU sharing (MigConfig, DevicePluginConfig
 * and its time-slicing / MPS configs): k independent faults → one GpuConfigError naming all k props
 * (test/property/all-at-once.ts).
 */
import { Chart, Duration } from 'cdk8s';
import { Fault, expectEveryFault } from './all-at-once';
import { BOUND } from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodePool } from '../../src/pools';
import {
  GpuClusterQueue, GpuClusterQueueProps, GpuLocalQueue, GpuLocalQueueProps, GpuResourceFlavor, GpuResourceFlavorProps,
} from '../../src/queues';
import {
  DevicePluginConfig, DevicePluginConfigProps, GpuOperator, GpuOperatorProps, MigConfig, MigConfigProps, MigStrategy,
} from '../../src/sharing';
import { GpuTeamProps, TieredPriorities, TieredPrioritiesProps } from '../../src/workloads';

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

const f = <P>(prop: string, over: (p: NoInfer<P>) => Partial<NoInfer<P>>): Fault<P> => ({ prop, apply: (p) => ({ ...p, ...over(p) }) });
const pool = (c: Chart) => new GpuNodePool(c, 'pool', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 16, nodeClassProps: BOUND });

describe('every problem at once: priorities, teams, queues, sharing', () => {
  test('TieredPriorities: k faults → one error naming all k props', () => {
    const faults: Fault<TieredPrioritiesProps>[] = [
      f('inference', () => ({ inference: { name: 'system-x' } })),
      f('training', () => ({ training: { value: 2_000_000_000 } })),
      f('experiments', () => ({ experiments: { name: 'Bad_Name', value: 1.5 } })),
      f('experimentsGlobalDefault', () => ({ experimentsGlobalDefault: 'yes' as any })),
    ];
    expectEveryFault((c, p) => new TieredPriorities(c, 'prio', p), {}, faults);
  });

  test('GpuTeam: k faults → one error naming all k props', () => {
    const faults: Fault<GpuTeamProps>[] = [
      f('namespace', () => ({ namespace: 'Bad NS' })),
      f('serviceAccountName', () => ({ serviceAccountName: 'Bad_SA' })),
      f('migQuotas', () => ({ migQuotas: 'many' as any })),
      f('readableSecrets', () => ({ readableSecrets: [''] })),
      f('readableConfigMaps', () => ({ readableConfigMaps: ['Not A Name'] })),
      f('labels', () => ({ labels: { 'bad key!': 'x' } })),
      f('gpuQuota', () => ({ gpuQuota: -1 })),
      f('maxGpusPerContainer', () => ({ maxGpusPerContainer: 0 })),
    ];
    expectEveryFault((c, p) => new TieredPriorities(c, 'prio').addTeam('search', p), { gpuQuota: 8 }, faults);
  });

  test('GpuClusterQueue: k faults → one error naming all k props', () => {
    const faults: Fault<Omit<GpuClusterQueueProps, 'quotas'> & { bad?: boolean }>[] = [
      f('name', () => ({ name: 'Bad_Name' })),
      f('cohort', () => ({ cohort: 'Bad Cohort' })),
      f('priorities', () => ({ priorities: {} as any })),
      f('quotas', () => ({ bad: true })),
    ];
    expectEveryFault((c, p) => {
      const flavor = new GpuResourceFlavor(c, 'flavor', { pool: pool(c) });
      return new GpuClusterQueue(c, 'queue', { ...p, quotas: p.bad ? [{ flavor, gpus: 99 }] : [{ flavor, gpus: 8 }] });
    }, {}, faults);
  });

  test('GpuLocalQueue and GpuResourceFlavor: k faults → one error naming all k props', () => {
    const local: Fault<Partial<GpuLocalQueueProps> & { noQueue?: boolean }>[] = [
      f('clusterQueue', () => ({ noQueue: true })),
      f('namespace', () => ({ namespace: 'Bad NS' })),
      f('name', () => ({ name: 'bad.name' })),
    ];
    expectEveryFault((c, p) => {
      const flavor = new GpuResourceFlavor(c, 'flavor', { pool: pool(c) });
      const cq = new GpuClusterQueue(c, 'queue', { quotas: [{ flavor, gpus: 8 }] });
      return new GpuLocalQueue(c, 'local', { namespace: 'team-a', ...p, clusterQueue: p.noQueue ? ({} as any) : cq });
    }, { namespace: 'team-a' }, local);
    const flavorFaults: Fault<Partial<GpuResourceFlavorProps> & { noPool?: boolean }>[] = [
      f('pool', () => ({ noPool: true })),
      f('name', () => ({ name: 'Bad_Name' })),
    ];
    expectEveryFault((c, p) => new GpuResourceFlavor(c, 'flavor', { ...p, pool: p.noPool ? (undefined as any) : pool(c) }), {}, flavorFaults);
  });

  test('MigConfig and DevicePluginConfig: k faults → one error naming all k props', () => {
    const names: Fault<MigConfigProps>[] = [
      f('name', () => ({ name: 'Bad_Name' })),
      f('namespace', () => ({ namespace: 'Bad NS' })),
    ];
    expectEveryFault((c, p) => new MigConfig(c, 'mig', p), {}, names);
    expectEveryFault((c, p) => new DevicePluginConfig(c, 'dp', p), {} as DevicePluginConfigProps,
      [...names, f('migStrategy', () => ({ migStrategy: 'mixed' as any }))]);
  });

  test('GpuOperator: k faults → one error naming all k props', () => {
    const faults: Fault<GpuOperatorProps>[] = [
      f('namespace', () => ({ namespace: 'Bad NS' })),
      f('nfd', () => ({ nfd: 'false' as any })),
      f('serviceMonitorLabels', () => ({ serviceMonitorLabels: { 'bad key!': 'x' } })),
      f('serviceMonitorInterval', () => ({ serviceMonitorInterval: Duration.millis(500) })),
      f('driver', () => ({ driver: true })),
      f('migStrategy', () => ({ migStrategy: 'mixed' as any })),
      f('dcgmExporterConfig', () => ({ dcgmExporterConfig: 'Bad_Name' })),
    ];
    expectEveryFault((c, p) => new GpuOperator(c, 'operator', p), {}, faults);
  });

  test('a time-slicing or MPS config: its key and settings at once', () => {
    const faults: Fault<{ key: string; replicas: number; renameByDefault?: boolean; failRequestsGreaterThanOne?: boolean }>[] = [
      f('configs', () => ({ key: 'default' })),
      f('replicas', () => ({ replicas: 1 })),
      f('renameByDefault', () => ({ renameByDefault: 'yes' as any })),
      f('failRequestsGreaterThanOne', () => ({ failRequestsGreaterThanOne: 1 as any })),
    ];
    // The settings' props are `configs["<key>"].replicas` etc.: named by their last part.
    const setting = (property: string) => (/^configs\[[^\]]*\]$/.test(property) ? 'configs' : property.split('.').pop()!);
    for (const mps of [false, true]) {
      expectEveryFault((c, p) => {
        const dp = new DevicePluginConfig(c, 'dp', { migStrategy: MigStrategy.MIXED });
        const { key, ...settings } = p;
        if (mps) dp.addMps(key, settings as any);
        else dp.addTimeSlicing(key, settings as any);
        return dp;
      }, { key: 'shared-4', replicas: 4 }, faults, 60, setting);
    }
  });
});
