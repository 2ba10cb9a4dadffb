/**
 * KEDA Prometheus triggers for GPU workloads, and the scaling presets of the seeds' workload kinds.
 *
 * Every trigger uses `metricType: AverageValue` (KEDA applies `fallback` only to AverageValue triggers:
 * kedacore/keda `pkg/fallback/fallback.go`), so each query returns a total over the target's pods and the
 * threshold is what one replica should carry: desired replicas = ceil(total / threshold).
 *
 * vLLM metric names (vLLM docs "Production Metrics"; deprecation policy: deprecated in X.Y, hidden in X.Y+1, removed
 * in X.Y+2): `vllm:num_requests_waiting` (requests queued); KV-cache usage (0-1) is `vllm:gpu_cache_usage_perc`
 * until vLLM 0.9.1 and `vllm:kv_cache_usage_perc` from 0.9.2 (vllm-project/vllm PR #18354, released in v0.9.2;
 * the old name hidden in 0.11 by PR #24245 and removed in 0.12 by PR #29330).
 */
import { GpuConfigError } from '../errors';
import { _checkPromQL, _dcgmFieldsOf } from '../monitoring/promql-parse';
import { versionAtLeast } from '../private/version';

/** Thresholds and cooldown of a workload kind. */
export interface ScalingProfileProps {
  /** Name, for messages. */
  readonly name: string;
  /** Scale out above this average GPU utilisation (%) — the HPA target. */
  readonly scaleUpUtilizationPercent: number;
  /** Scale in only below this average GPU utilisation (%); applied through the HPA scale-down tolerance when enabled. */
  readonly scaleDownUtilizationPercent: number;
  /** Cooldown in seconds: KEDA `cooldownPeriod` (to zero) and the period of the scale-down policy. */
  readonly cooldownSeconds: number;
}

/**
 * Scaling presets for the workload kinds of the seed document (001, "자동 스케일링 임계값 설정"): real-time
 * inference 70% / 30% / 60 s, batch 85% / 40% / 300 s, interactive 60% / 25% / 30 s (scale-up threshold,
 * scale-down threshold, cooldown). Enum-like: use the statics or {@link ScalingProfile.custom}.
 */
export class ScalingProfile {
  /** Real-time inference: scale out at 70%, in below 30%, 60 s cooldown. */
  public static readonly REAL_TIME = new ScalingProfile({ name: 'real-time', scaleUpUtilizationPercent: 70, scaleDownUtilizationPercent: 30, cooldownSeconds: 60 });
  /** Batch processing: scale out at 85%, in below 40%, 300 s cooldown. */
  public static readonly BATCH = new ScalingProfile({ name: 'batch', scaleUpUtilizationPercent: 85, scaleDownUtilizationPercent: 40, cooldownSeconds: 300 });
  /** Interactive services: scale out at 60%, in below 25%, 30 s cooldown. */
  public static readonly INTERACTIVE = new ScalingProfile({ name: 'interactive', scaleUpUtilizationPercent: 60, scaleDownUtilizationPercent: 25, cooldownSeconds: 30 });

  /**
   * Your own thresholds.
   * @throws GpuConfigError unless 0 < scaleDown < scaleUp <= 100 and the cooldown is a whole number of seconds >= 0
   */
  public static custom(props: ScalingProfileProps): ScalingProfile {
    return new ScalingProfile(props);
  }

  /** Name. */
  public readonly name: string;
  /** Scale-up threshold (%). */
  public readonly scaleUpUtilizationPercent: number;
  /** Scale-down threshold (%). */
  public readonly scaleDownUtilizationPercent: number;
  /** Cooldown (s). */
  public readonly cooldownSeconds: number;

  private constructor(props: ScalingProfileProps) {
    const where = `ScalingProfile(${props?.name})`;
    const up = props?.scaleUpUtilizationPercent;
    const down = props?.scaleDownUtilizationPercent;
    if (typeof props?.name !== 'string' || props.name.trim() === '') {
      throw new GpuConfigError('ScalingProfile.custom', 'name', 'is empty', 'name the profile, e.g. "chat"');
    }
    if (typeof up !== 'number' || !(up > 0 && up <= 100)) {
      throw new GpuConfigError(where, 'scaleUpUtilizationPercent', `is ${up}`, 'pass a percentage in (0, 100]');
    }
    if (typeof down !== 'number' || !(down > 0 && down < up)) {
      throw new GpuConfigError(where, 'scaleDownUtilizationPercent', `is ${down}, not between 0 and the scale-up threshold ${up}`, 'pass a lower percentage than scaleUpUtilizationPercent');
    }
    if (!Number.isInteger(props.cooldownSeconds) || props.cooldownSeconds < 0) {
      throw new GpuConfigError(where, 'cooldownSeconds', `is ${props.cooldownSeconds}`, 'pass whole seconds >= 0');
    }
    this.name = props.name;
    this.scaleUpUtilizationPercent = up;
    this.scaleDownUtilizationPercent = down;
    this.cooldownSeconds = props.cooldownSeconds;
  }

  /**
   * The HPA scale-down tolerance that keeps replicas until utilisation falls below the scale-down threshold:
   * 1 − scaleDown / scaleUp (e.g. real-time: 1 − 30/70 ≈ 0.57).
   */
  public get scaleDownTolerance(): number {
    return +(1 - this.scaleDownUtilizationPercent / this.scaleUpUtilizationPercent).toFixed(2);
  }
}

/** Options of {@link GpuScalingTrigger.gpuUtilization}. */
export interface GpuUtilizationTriggerOptions {
  /** Target average GPU utilisation per replica (%). @default - the profile's scale-up threshold */
  readonly targetPercent?: number;
}

/** Options of {@link GpuScalingTrigger.vllmQueueDepth}. */
export interface VllmQueueDepthTriggerOptions {
  /** Waiting requests one replica may have queued. @default 5 */
  readonly waitingPerReplica?: number;
}

/** Options of {@link GpuScalingTrigger.vllmKvCacheUsage}. */
export interface VllmKvCacheTriggerOptions {
  /** Target KV-cache usage per replica, a fraction (0, 1]. @default 0.8 */
  readonly targetRatio?: number;
}

/** Options of {@link GpuScalingTrigger.promQL}. */
export interface PromQLTriggerOptions {
  /** Trigger name (a DNS-1123 label), unique in the scaler. */
  readonly name: string;
  /** PromQL returning one value: the total load over the target (AverageValue: divided by replicas). */
  readonly query: string;
  /** Load one replica should carry. */
  readonly threshold: number;
  /**
   * Above this value the target is active (scaled from zero). Only a query that has a value while the target has
   * no pods (e.g. a gateway's request rate) can wake it from zero.
   * @default 0
   */
  readonly activationThreshold?: number;
}

/** What a trigger needs from the scaler to render itself. @internal */
export interface _TriggerContext {
  readonly selector: string;
  readonly profile: ScalingProfile;
  readonly kvCacheMetric: string | undefined;
}

/** A rendered trigger. @internal */
export interface _RenderedTrigger {
  readonly name: string;
  readonly query: string;
  readonly threshold: number;
  readonly activationThreshold: number;
  /** Whether its metric exists while the target has no pods. */
  readonly wakesFromZero: boolean;
}

/** A KEDA Prometheus trigger of a GPU scaler. Enum-like: use the static factories. */
export class GpuScalingTrigger {
  /**
   * GPU utilisation of the target's own pods (DCGM `DCGM_FI_DEV_GPU_UTIL`, selected by the `namespace` and `pod`
   * labels the exporter attaches): sum over pods of each pod's average GPU utilisation.
   */
  public static gpuUtilization(options: GpuUtilizationTriggerOptions = {}): GpuScalingTrigger {
    const t = options.targetPercent;
    if (t !== undefined && !(typeof t === 'number' && t > 0 && t <= 100)) {
      throw new GpuConfigError('GpuScalingTrigger.gpuUtilization', 'targetPercent', `is ${t}`, 'pass a percentage in (0, 100]');
    }
    return new GpuScalingTrigger('gpu-utilization', (c) => ({
      name: 'gpu-utilization',
      query: `sum(avg by (pod) (DCGM_FI_DEV_GPU_UTIL{${c.selector}}))`,
      threshold: t ?? c.profile.scaleUpUtilizationPercent,
      activationThreshold: 0,
      wakesFromZero: false,
    }), true);
  }

  /** vLLM queue depth: requests waiting over all the target's pods (`vllm:num_requests_waiting`). */
  public static vllmQueueDepth(options: VllmQueueDepthTriggerOptions = {}): GpuScalingTrigger {
    const n = options.waitingPerReplica ?? 5;
    if (typeof n !== 'number' || !(n > 0)) {
      throw new GpuConfigError('GpuScalingTrigger.vllmQueueDepth', 'waitingPerReplica', `is ${n}`, 'pass a number of requests > 0, e.g. 5');
    }
    return new GpuScalingTrigger('vllm-queue-depth', (c) => ({
      name: 'vllm-queue-depth',
      query: `sum(vllm:num_requests_waiting{${c.selector}})`,
      threshold: n,
      activationThreshold: 0,
      wakesFromZero: false,
    }), false);
  }

  /**
   * vLLM KV-cache usage: sum over pods of each pod's usage (0-1). The metric name follows the scaler's vLLM version
   * (`vllm:kv_cache_usage_perc` from 0.9.2, `vllm:gpu_cache_usage_perc` before).
   */
  public static vllmKvCacheUsage(options: VllmKvCacheTriggerOptions = {}): GpuScalingTrigger {
    const r = options.targetRatio ?? 0.8;
    if (typeof r !== 'number' || !(r > 0 && r <= 1)) {
      throw new GpuConfigError('GpuScalingTrigger.vllmKvCacheUsage', 'targetRatio', `is ${r}, not a fraction`, 'pass a fraction in (0, 1], e.g. 0.8');
    }
    return new GpuScalingTrigger('vllm-kv-cache', (c) => ({
      name: 'vllm-kv-cache',
      query: `sum(avg by (pod) (${c.kvCacheMetric}{${c.selector}}))`,
      threshold: r,
      activationThreshold: 0,
      wakesFromZero: false,
    }), false, true);
  }

  /** Any PromQL (a gateway's request rate, a queue length…). */
  public static promQL(options: PromQLTriggerOptions): GpuScalingTrigger {
    const where = 'GpuScalingTrigger.promQL';
    if (typeof options?.name !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(options.name)) {
      throw new GpuConfigError(where, 'name', `is ${JSON.stringify(options?.name)}`, 'use a DNS-1123 label, e.g. "gateway-rps"');
    }
    if (typeof options.query !== 'string' || options.query.trim() === '') {
      throw new GpuConfigError(where, 'query', 'is empty', 'pass a PromQL expression returning one value');
    }
    _checkPromQL(where, 'query', options.query.trim());
    if (typeof options.threshold !== 'number' || !(options.threshold > 0) || !Number.isFinite(options.threshold)) {
      throw new GpuConfigError(where, 'threshold', `is ${options.threshold}`, 'pass the load one replica should carry (> 0)');
    }
    const act = options.activationThreshold ?? 0;
    if (typeof act !== 'number' || !(act >= 0) || !Number.isFinite(act)) {
      throw new GpuConfigError(where, 'activationThreshold', `is ${act}`, 'pass a number >= 0');
    }
    return new GpuScalingTrigger(options.name, () => ({
      name: options.name,
      query: options.query.trim(),
      threshold: options.threshold,
      activationThreshold: act,
      wakesFromZero: true,
    }), _dcgmFieldsOf(options.query.trim()).length > 0);
  }

  private constructor(
    /** The trigger's name. */
    public readonly name: string,
    private readonly render: (c: _TriggerContext) => _RenderedTrigger,
    /** Whether the trigger reads DCGM metrics (needs a DCGM exporter). */
    public readonly readsDcgm: boolean,
    /** @internal whether it needs the vLLM version */
    public readonly _needsVllmVersion: boolean = false,
  ) {}

  /** @internal */
  public _render(c: _TriggerContext): _RenderedTrigger {
    return this.render(c);
  }
}

/**
 * vLLM's KV-cache metric rename (vLLM "Production Metrics" and its deprecation policy: deprecated in X.Y, hidden in
 * X.Y+1 unless `--show-hidden-metrics-for-version=X.Y`, removed in X.Y+2): `vllm:gpu_cache_usage_perc` became
 * `vllm:kv_cache_usage_perc` in 0.9.2 (PR #18354), the old name hidden in 0.11 (PR #24245) and removed in 0.12
 * (PR #29330). The scaler picks its metric by it, rule GPU324 judges hand-written triggers by it. @internal
 */
export const _VLLM_KV_CACHE_RENAME = {
  old: 'vllm:gpu_cache_usage_perc',
  renamed: 'vllm:kv_cache_usage_perc',
  since: [0, 9, 2],
  hiddenFrom: [0, 11, 0],
  removedIn: [0, 12, 0],
  deprecatedIn: '0.10',
} as const;

/** The KV-cache metric of a vLLM version: `vllm:kv_cache_usage_perc` from 0.9.2, else `vllm:gpu_cache_usage_perc`. @internal */
export function _kvCacheMetricFor(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return undefined;
  const r = _VLLM_KV_CACHE_RENAME;
  return versionAtLeast([Number(m[1]), Number(m[2]), Number(m[3] ?? 0)], r.since) ? r.renamed : r.old;
}

/** The vLLM version in an image reference like `vllm/vllm-openai:v0.7.3`, when the image is vLLM's. @internal */
export function _vllmVersionOfImage(image: string | undefined): string | undefined {
  if (!image || !/vllm/i.test(image)) return undefined;
  const tag = /:([^:/@]+)(@|$)/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
  const m = tag ? /^v?(\d+\.\d+(?:\.\d+)?)/.exec(tag) : null;
  return m?.[1];
}
