/**
 * Every problem of one construct at once, for the workloads (InferenceDeployment, TrainingJob single-node, multi-node
 * and scheduled): k independent faults → one GpuConfigError naming all k props (test/property/all-at-once.ts).
 */
import { Chart, Cron, Duration, Testing } from 'cdk8s';
import { Fault, expectEveryFault } from './all-at-once';
import { BOUND } from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodePool } from '../../src/pools';
import { GpuRequest, InferenceDeployment, InferenceDeploymentProps, TrainingJob, TrainingJobProps } from '../../src/workloads';
import { configError } from '../config-error';

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

const f = <P>(prop: string, over: (p: NoInfer<P>) => Partial<NoInfer<P>>): Fault<P> => ({ prop, apply: (p) => ({ ...p, ...over(p) }) });
const pool = (c: Chart) => new GpuNodePool(c, 'pool', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit: 32, nodeClassProps: BOUND });

describe('every problem at once: workloads', () => {
  test('InferenceDeployment: k faults → one error naming all k props', () => {
    const faults: Fault<Omit<InferenceDeploymentProps, 'pools'>>[] = [
      f('name', () => ({ name: 'Bad_Name' })),
      f('gpus', () => ({ gpus: GpuRequest.whole(16) })),
      f('replicas', () => ({ replicas: -1 })),
      f('port', () => ({ port: 70000 })),
      f('modelCachePath', () => ({ modelCachePath: 'cache' })),
      f('vllm', () => ({ vllm: { model: ' ' } })),
      f('healthPath', () => ({ healthPath: 'health' })),
      f('startupTimeout', () => ({ startupTimeout: Duration.seconds(5) })),
      f('metricsPath', () => ({ metricsPath: 'metrics' })),
      f('metricsInterval', () => ({ metricsInterval: Duration.seconds(0) })),
      f('prometheusRelease', () => ({ prometheusRelease: 'not a label!' })),
      f('maxUnavailable', () => ({ maxUnavailable: 0 })),
    ];
    expectEveryFault((c, p) => new InferenceDeployment(c, 'model', { ...p, pools: [pool(c)] }),
      { vllm: { model: 'meta-llama/Llama-3.1-8B-Instruct' } }, faults);
  });

  test('TrainingJob: k faults → one error naming all k props', () => {
    const faults: Fault<Omit<TrainingJobProps, 'pools'>>[] = [
      f('name', () => ({ name: 'Bad_Name' })),
      f('image', () => ({ image: '' })),
      f('gpus', () => ({ gpus: GpuRequest.whole(16) })),
      f('rendezvousPort', () => ({ rendezvousPort: 0 })),
      f('failFastExitCodes', () => ({ failFastExitCodes: [0] })),
      f('backoffLimit', () => ({ backoffLimit: -1 })),
      f('activeDeadline', () => ({ activeDeadline: Duration.seconds(0) })),
      f('ttlAfterFinished', () => ({ ttlAfterFinished: Duration.millis(1500) })),
      f('startsAt', () => ({ startsAt: new Date('not a date') })),
      f('timeZone', () => ({ timeZone: 'not a zone!' })),
    ];
    expectEveryFault((c, p) => new TrainingJob(c, 'train', { ...p, pools: [pool(c)] }),
      { image: 'nvcr.io/nvidia/pytorch:24.07-py3' }, faults);
  });

  test('TrainingJob, multi-node and scheduled: the gang, rendezvous and schedule props at once', () => {
    const faults: Fault<Omit<TrainingJobProps, 'pools'>>[] = [
      f('nodes', () => ({ nodes: 8 })), // 8 × 8 GPUs > the pool's 32
      f('rendezvousPort', () => ({ rendezvousPort: 65536 })),
      f('startingDeadline', () => ({ startingDeadline: Duration.seconds(5) })),
      f('successfulJobsRetained', () => ({ successfulJobsRetained: -1 })),
      f('failedJobsRetained', () => ({ failedJobsRetained: 1.5 })),
      f('backoffLimit', () => ({ backoffLimit: 0.5 })),
    ];
    expectEveryFault((c, p) => new TrainingJob(c, 'train', { ...p, pools: [pool(c)] }),
      { image: 'nvcr.io/nvidia/pytorch:24.07-py3', nodes: 2, schedule: Cron.weekly() }, faults);
  });

  test('schedule-only props without a schedule: each named', () => {
    const e = configError(() => new TrainingJob(Testing.chart(), 'train', {
      pools: [pool(Testing.chart())], image: 'nvcr.io/nvidia/pytorch:24.07-py3', timeZone: 'Etc/UTC', failedJobsRetained: 1, backoffLimit: -1,
    }));
    expect(e.errors.map((x) => x.property)).toEqual(['timeZone', 'failedJobsRetained', 'backoffLimit']);
  });
});
