/**
 * The GPU alerts of DcgmMonitoring: thresholds as props, rules as PrometheusRule JSON.
 *
 * Metric semantics from dcgm-exporter 4.5.3-4.8.2 (../shared/reference/dcgm-fields.md): `DCGM_FI_DEV_GPU_UTIL` in %,
 * `DCGM_FI_DEV_FB_USED`/`_FREE` in MiB, `DCGM_FI_DEV_GPU_TEMP` in °C, `DCGM_FI_DEV_XID_ERRORS` the value of the last
 * XID (never reset, so not alerted on), `DCGM_EXP_XID_ERRORS_COUNT` the count per XID (`err_code`) in the last window, `DCGM_FI_DEV_THERMAL_VIOLATION` a counter of nanoseconds spent throttled for thermal reasons; the `pod`,
 * `namespace`, `container` labels are present when the GPU is allocated to a container (`DCGM_EXPORTER_KUBERNETES`);
 * MIG devices carry `GPU_I_ID`.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GpuConfigError } from '../errors';
import { _num, _promDuration, _seconds } from './promql';

/** Thresholds and `for` durations of the GPU alerts. Every field has a documented default. */
export interface DcgmAlertThresholds {
  /** `GpuHighUtilization`: a pod's GPUs average above this utilisation (%). @default 90 */
  readonly highUtilizationPercent?: number;
  /** ... for this long. @default Duration.minutes(15) */
  readonly highUtilizationFor?: Duration;
  /**
   * `GpuMemoryPressure`: framebuffer used / (used + free) above this ratio (0-1]. (The seed's used / free is
   * wrong: it reaches 1 at half-full and grows without bound.) @default 0.9
   */
  readonly memoryPressureRatio?: number;
  /** ... for this long. @default Duration.minutes(5) */
  readonly memoryPressureFor?: Duration;
  /** `GpuHighTemperature`: GPU temperature above this (°C). @default 85 */
  readonly temperatureCelsius?: number;
  /** ... for this long. @default Duration.minutes(5) */
  readonly temperatureFor?: Duration;
  /** `GpuThermalThrottling`: share of time throttled for thermal reasons above this (0-1]. @default 0.1 */
  readonly throttledRatio?: number;
  /** ... for this long. @default Duration.minutes(10) */
  readonly throttledFor?: Duration;
  /** `GpuAllocatedButIdle`: a GPU allocated to a pod stays below this utilisation (%). @default 5 */
  readonly idlePercent?: number;
  /** ... for this long (the money leak: a GPU paid for and unused). @default Duration.hours(1) */
  readonly idleFor?: Duration;
}

/** Resolved thresholds. @internal */
export interface _Thresholds {
  readonly highUtilizationPercent: number;
  readonly highUtilizationFor: Duration;
  readonly memoryPressureRatio: number;
  readonly memoryPressureFor: Duration;
  readonly temperatureCelsius: number;
  readonly temperatureFor: Duration;
  readonly throttledRatio: number;
  readonly throttledFor: Duration;
  readonly idlePercent: number;
  readonly idleFor: Duration;
}

/** Checks and fills in the thresholds. @internal */
export function _resolveThresholds(scope: IConstruct, t: DcgmAlertThresholds = {}): _Thresholds {
  const pct = (name: string, v: number | undefined, def: number): number => {
    const x = v ?? def;
    if (typeof x !== 'number' || !(x > 0 && x <= 100)) {
      throw new GpuConfigError(scope, `alerts.${name}`, `is ${x}`, 'pass a percentage in (0, 100]');
    }
    return x;
  };
  const ratio = (name: string, v: number | undefined, def: number): number => {
    const x = v ?? def;
    if (typeof x !== 'number' || !(x > 0 && x <= 1)) {
      throw new GpuConfigError(scope, `alerts.${name}`, `is ${x}, not a ratio`, 'pass a fraction in (0, 1], e.g. 0.9 for 90%');
    }
    return x;
  };
  const dur = (name: string, v: Duration | undefined, def: Duration): Duration => {
    const d = v ?? def;
    const s = _seconds(d);
    if (!Number.isInteger(s) || s < 0) throw new GpuConfigError(scope, `alerts.${name}`, `is ${s} s`, 'pass a whole number of seconds >= 0');
    return d;
  };
  return {
    highUtilizationPercent: pct('highUtilizationPercent', t.highUtilizationPercent, 90),
    highUtilizationFor: dur('highUtilizationFor', t.highUtilizationFor, Duration.minutes(15)),
    memoryPressureRatio: ratio('memoryPressureRatio', t.memoryPressureRatio, 0.9),
    memoryPressureFor: dur('memoryPressureFor', t.memoryPressureFor, Duration.minutes(5)),
    temperatureCelsius: (() => {
      const x = t.temperatureCelsius ?? 85;
      if (typeof x !== 'number' || !(x >= 40 && x <= 120)) {
        throw new GpuConfigError(scope, 'alerts.temperatureCelsius', `is ${x}`, 'pass a temperature in °C between 40 and 120');
      }
      return x;
    })(),
    temperatureFor: dur('temperatureFor', t.temperatureFor, Duration.minutes(5)),
    throttledRatio: ratio('throttledRatio', t.throttledRatio, 0.1),
    throttledFor: dur('throttledFor', t.throttledFor, Duration.minutes(10)),
    idlePercent: pct('idlePercent', t.idlePercent, 5),
    idleFor: dur('idleFor', t.idleFor, Duration.hours(1)),
  };
}

/**
 * XIDs that mean the GPU or node must be reset or replaced (NVIDIA "XID Errors" catalogue, docs.nvidia.com/deploy/xid-errors):
 * 48 double-bit ECC error, 63 ECC page retirement / row-remapping event, 64 ECC page retirement / row-remapping
 * failure, 74 NVLink error, 79 GPU has fallen off the bus, 92 high single-bit ECC error rate, 94 contained ECC error,
 * 95 uncontained ECC error. @internal
 */
export const NODE_FATAL_XIDS: readonly number[] = [48, 63, 64, 74, 79, 92, 94, 95];
/**
 * XIDs usually caused by the application (same catalogue): 13 graphics engine exception, 31 GPU memory page fault,
 * 43 GPU stopped processing (the channel was reset). @internal
 */
export const APPLICATION_XIDS: readonly number[] = [13, 31, 43];
/**
 * The exporter's XID count window in minutes (`DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE`, default 300000 ms): the
 * exporter DcgmMonitoring runs and the GPU Operator's (GpuOperatorSettings) both set it. @internal
 */
export const XID_WINDOW_MINUTES = 5;

/** Which GPU a series is: node and index (`Hostname` in dcgm-exporter ≤ 4.8.2 releases). */
const GPU_ID = '{{ $labels.Hostname }} GPU {{ $labels.gpu }} ({{ $labels.modelName }})';

/** The PrometheusRule groups of the GPU alerts (plain JSON, deterministic). @internal */
export function _gpuAlertGroups(t: _Thresholds, throttling: boolean): any[] {
  const forOf = (d: Duration) => (d.toSeconds() > 0 ? { for: _promDuration(d) } : {});
  const rules: any[] = [
    {
      alert: 'GpuHighUtilization',
      expr: `avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{pod!=""}) > ${_num(t.highUtilizationPercent)}`,
      ...forOf(t.highUtilizationFor),
      labels: { severity: 'warning' },
      annotations: {
        summary: 'GPUs of pod {{ $labels.namespace }}/{{ $labels.pod }} above ' + `${_num(t.highUtilizationPercent)}% utilisation`,
        description: 'Average GPU utilisation is {{ $value | printf "%.0f" }}%. If latency suffers, scale out (KedaGpuScaler) or add GPUs.',
      },
    },
    {
      alert: 'GpuMemoryPressure',
      expr: `DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > ${_num(t.memoryPressureRatio)}`,
      ...forOf(t.memoryPressureFor),
      labels: { severity: 'critical' },
      annotations: {
        summary: `GPU memory above ${_num(t.memoryPressureRatio * 100)}% on ${GPU_ID}`,
        description: 'Framebuffer used / (used + free) is {{ $value | humanizePercentage }}'
          + ' (pod {{ $labels.namespace }}/{{ $labels.pod }}). The next allocation may fail with CUDA out of memory.',
      },
    },
    {
      // Not `DCGM_FI_DEV_XID_ERRORS > 0`: that gauge holds the last XID seen and never resets, so it would fire until
      // the exporter restarts. The exporter's windowed count resolves once the window holds no such XID.
      alert: 'GpuXidNodeFatal',
      expr: `max by (Hostname, gpu, modelName, err_code) (DCGM_EXP_XID_ERRORS_COUNT{err_code=~"${NODE_FATAL_XIDS.join('|')}"}) > 0`,
      labels: { severity: 'critical' },
      annotations: {
        summary: `XID {{ $labels.err_code }} (node-fatal) on ${GPU_ID}`,
        description: 'The driver reported XID {{ $labels.err_code }} {{ $value }} time(s) in the exporter\'s last window '
          + `(${XID_WINDOW_MINUTES} min). NVIDIA's XID catalogue classes ${NODE_FATAL_XIDS.join(', ')} as hardware, ECC, NVLink or `
          + 'bus errors that need a GPU reset or node replacement.',
        runbook: 'Cordon the node (kubectl cordon {{ $labels.Hostname }}) and drain it; Karpenter replaces it. If the '
          + 'XID recurs on new nodes of the same instance type, open an AWS support case with the XID and the instance id.',
      },
    },
    {
      alert: 'GpuXidApplication',
      expr: `max by (Hostname, gpu, modelName, namespace, pod, err_code) (DCGM_EXP_XID_ERRORS_COUNT{err_code=~"${APPLICATION_XIDS.join('|')}"}) > 0`,
      labels: { severity: 'warning' },
      annotations: {
        summary: `XID {{ $labels.err_code }} (application fault) on ${GPU_ID}, pod {{ $labels.namespace }}/{{ $labels.pod }}`,
        description: 'The driver reported XID {{ $labels.err_code }} {{ $value }} time(s) in the exporter\'s last window '
          + `(${XID_WINDOW_MINUTES} min). XIDs ${APPLICATION_XIDS.join(', ')} are usually the application's own fault (illegal `
          + 'memory access, a GPU exception, a process that stopped responding), not the hardware\'s.',
        runbook: 'Read the pod\'s logs for the CUDA error at that time and fix or restart the workload; the node need not be '
          + 'drained. If the XID repeats for different workloads on one GPU, treat it as a hardware fault.',
      },
    },
    {
      alert: 'GpuHighTemperature',
      expr: `DCGM_FI_DEV_GPU_TEMP > ${_num(t.temperatureCelsius)}`,
      ...forOf(t.temperatureFor),
      labels: { severity: 'warning' },
      annotations: {
        summary: `GPU temperature above ${_num(t.temperatureCelsius)} °C on ${GPU_ID}`,
        description: 'GPU temperature is {{ $value }} °C; the GPU will slow its clocks. Check cooling and the instance health.',
      },
    },
  ];
  if (throttling) {
    rules.push({
      alert: 'GpuThermalThrottling',
      // The counter is in nanoseconds: its per-second rate / 1e9 is the share of time spent throttled.
      expr: `rate(DCGM_FI_DEV_THERMAL_VIOLATION[5m]) / 1e9 > ${_num(t.throttledRatio)}`,
      ...forOf(t.throttledFor),
      labels: { severity: 'warning' },
      annotations: {
        summary: `GPU thermally throttled on ${GPU_ID}`,
        description: 'The GPU spent {{ $value | humanizePercentage }} of the time throttled for thermal reasons.',
      },
    });
  }
  rules.push({
    alert: 'GpuAllocatedButIdle',
    // Allocated: the exporter attached a pod. Whole GPUs only: GPU_UTIL is not reported per MIG instance (GPU_I_ID).
    expr: `DCGM_FI_DEV_GPU_UTIL{pod!="", GPU_I_ID=""} < ${_num(t.idlePercent)}`,
    ...forOf(t.idleFor),
    labels: { severity: 'warning' },
    annotations: {
      summary: `GPU allocated to {{ $labels.namespace }}/{{ $labels.pod }} idle for ${_promDuration(t.idleFor)}`,
      description: `${GPU_ID} has stayed below ${_num(t.idlePercent)}% utilisation while allocated to a pod. `
        + 'It is paid for and unused: scale the workload down (minReplicas, scale to zero) or free the GPU.',
    },
  });
  return [{ name: 'gpu.rules', rules }];
}
