/**
 * Every problem of one construct at once, for monitoring and scaling (DcgmMonitoring in both modes, KedaGpuScaler):
 * k independent faults → one GpuConfigError naming all k props (test/property/all-at-once.ts).
 */
import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Fault, expectEveryFault } from './all-at-once';
import { BOUND } from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import { DcgmExporterMode, DcgmMonitoring, DcgmMonitoringProps } from '../../src/monitoring';
import { GpuNodePool } from '../../src/pools';
import { GpuScaleTarget, KedaGpuScaler, KedaGpuScalerProps } from '../../src/scaling';

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

const f = <P>(prop: string, over: (p: NoInfer<P>) => Partial<NoInfer<P>>): Fault<P> => ({ prop, apply: (p) => ({ ...p, ...over(p) }) });

describe('every problem at once: monitoring and scaling', () => {
  test('DcgmMonitoring (own exporter): k faults → one error naming all k props', () => {
    const faults: Fault<DcgmMonitoringProps>[] = [
      f('name', () => ({ name: 'Bad_Name' })),
      f('namespace', () => ({ namespace: 'Bad NS' })),
      f('dashboardNamespace', () => ({ dashboardNamespace: 'X_' })),
      f('gpuOperatorNamespace', () => ({ gpuOperatorNamespace: 'Op!' })),
      f('prometheusRelease', () => ({ prometheusRelease: 'not a label!' })),
      f('serviceMonitor', () => ({ serviceMonitor: 'yes' as any })),
      f('scrapeInterval', () => ({ scrapeInterval: Duration.millis(500) })),
      f('image', () => ({ image: 'nvcr.io/nvidia/k8s/dcgm-exporter:latest' })),
      f('collectors', () => ({ collectors: {} as any })),
      f('createNamespace', () => ({ createNamespace: 'yes' as any })),
      f('alerts', () => ({ alerts: { idlePercent: 0 } })),
      f('pools', () => ({ pools: [] })),
    ];
    expectEveryFault((c, p) => new DcgmMonitoring(c, 'dcgm', p), {}, faults);
  });

  test('DcgmMonitoring (GPU_OPERATOR, exporter: false): the own-exporter props and the rest, all at once', () => {
    const pool = (c: Chart) => new GpuNodePool(c, 'p', { instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 8, nodeClassProps: BOUND });
    const faults: Fault<DcgmMonitoringProps>[] = [
      f('pools', () => ({ pools: [] })),
      f('image', () => ({ image: 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless' })),
      f('runtimeClassName', () => ({ runtimeClassName: 'nvidia' })),
      f('createNamespace', () => ({ createNamespace: true })),
      f('name', () => ({ name: 'Bad_Name' })),
      f('scrapeInterval', () => ({ scrapeInterval: Duration.seconds(301) })),
    ];
    expectEveryFault((c, p) => {
      pool(c);
      return new DcgmMonitoring(c, 'dcgm', p);
    }, { exporter: false } as DcgmMonitoringProps, faults);
    expectEveryFault((c, p) => new DcgmMonitoring(c, 'dcgm', p), { mode: DcgmExporterMode.GPU_OPERATOR } as DcgmMonitoringProps, faults.slice(0, 3));
  });

  test('KedaGpuScaler: k faults → one error naming all k props', () => {
    const faults: Fault<KedaGpuScalerProps>[] = [
      f('name', () => ({ name: 'Bad_Name' })),
      f('maxReplicas', () => ({ maxReplicas: 0 })),
      f('minReplicas', () => ({ minReplicas: -1 })),
      f('triggers', () => ({ triggers: [] })),
      f('pollingInterval', () => ({ pollingInterval: Duration.seconds(0) })),
      f('modelLoadTime', () => ({ modelLoadTime: Duration.hours(2) })),
      f('fallbackFailureThreshold', () => ({ fallbackFailureThreshold: 0 })),
      f('prometheusUrl', () => ({ prometheusUrl: 'ftp://prometheus' })),
      f('authentication', () => ({ authentication: {} as any })),
      f('vllmVersion', () => ({ vllmVersion: 'banana' })),
    ];
    expectEveryFault((c, p) => {
      const d = new kplus.Deployment(c, 'd', { metadata: { name: 'd' } });
      d.addContainer({ image: 'vllm/vllm-openai:v0.10.1', portNumber: 8000 });
      return new KedaGpuScaler(c, 'scaler', { ...p, target: GpuScaleTarget.fromDeployment(d, { gpusPerReplica: 1 }) });
    }, { maxReplicas: 4 } as KedaGpuScalerProps, faults);
  });
});
