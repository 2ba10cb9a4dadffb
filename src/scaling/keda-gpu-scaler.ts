/**
 * KedaGpuScaler: a KEDA ScaledObject (`keda.sh/v1alpha1`, CRD of KEDA 2.20.2) for a GPU workload, with an alert when
 * its metrics go missing.
 *
 * KEDA facts (keda.sh "ScaledObject specification"; kedacore/keda `apis/keda/v1alpha1`): KEDA creates and owns the
 * HPA of the target (`keda-hpa-<name>`), so a second HPA on the same target fights it; `cooldownPeriod` only
 * applies to scaling to zero; `initialCooldownPeriod` delays the first scale-in after creation; `fallback` only
 * applies to triggers of metricType AverageValue, and `behavior: currentReplicasIfHigher` never lowers the replicas
 * on a metric failure; the Prometheus trigger's `metricName` was removed in KEDA 2.12 (the name is generated).
 */
import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { GpuScaleTarget } from './target';
import {
  _kvCacheMetricFor, _RenderedTrigger, _vllmVersionOfImage, GpuScalingTrigger, ScalingProfile,
} from './triggers';
import { GpuConfigError } from '../errors';
import {
  ClusterTriggerAuthentication, ScaledObject, ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehaviorScaleDownTolerance,
  ScaledObjectSpecFallbackBehavior, ScaledObjectSpecTriggers, ScaledObjectSpecTriggersAuthenticationRefKind, TriggerAuthentication,
} from '../imports/keda.sh';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/monitoring.coreos.com';
import { _num, _promDuration, _promString, _seconds } from '../monitoring/promql';
import { _checkPromQL, _dcgmFieldsOf, _promqlMetrics } from '../monitoring/promql-parse';
import { _registerDcgmReads } from '../monitoring/reads';
import { validateDns1123Name, validateLabelValue } from '../naming';
import { _warn } from '../pools/warn';
import { PropErrors } from '../private/collect';
import { SCALING_PROFILE } from '../private/enum-specs';
import { checkEnumLike } from '../private/enum-values';
import { REPLICAS_WITH_SCALER } from '../private/warnings';
import { InferenceDeployment } from '../workloads/inference';

/** How KEDA authenticates to a secured Prometheus (a TriggerAuthentication on a Secret). Enum-like. */
export class PrometheusAuthentication {
  /**
   * A bearer token (`Authorization: Bearer …`) from a Secret key.
   * @param secretName the Secret in the target's namespace
   * @param key the key holding the token @default 'token'
   */
  public static bearer(secretName: string, key: string = 'token'): PrometheusAuthentication {
    return new PrometheusAuthentication('bearer', secretName, [{ parameter: 'bearerToken', key }]);
  }

  /**
   * HTTP basic auth from a Secret.
   * @param secretName the Secret in the target's namespace
   * @param usernameKey @default 'username'
   * @param passwordKey @default 'password'
   */
  public static basic(secretName: string, usernameKey: string = 'username', passwordKey: string = 'password'): PrometheusAuthentication {
    return new PrometheusAuthentication('basic', secretName, [{ parameter: 'username', key: usernameKey }, { parameter: 'password', key: passwordKey }]);
  }

  private constructor(
    /** KEDA `authModes` value. */
    public readonly mode: string,
    /** The Secret's name. */
    public readonly secretName: string,
    /** @internal */
    public readonly _params: Array<{ parameter: string; key: string }>,
    /** Whether the Secret lives in KEDA's own namespace, read through a ClusterTriggerAuthentication. */
    public readonly clusterWide: boolean = false,
  ) {
    validateDns1123Name('PrometheusAuthentication', 'secretName', secretName);
    for (const p of _params) {
      if (typeof p.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(p.key)) {
        throw new GpuConfigError('PrometheusAuthentication', `${p.parameter} key`, `is ${JSON.stringify(p.key)}`, 'use a Secret data key such as "token"');
      }
    }
  }

  /**
   * The same credentials, but the Secret lives in KEDA's own namespace and a ClusterTriggerAuthentication reads it.
   * Needed when KEDA may read Secrets only in its namespace (chart value `permissions.operator.restrict.secret`, which
   * GpuEksStack sets): a namespaced TriggerAuthentication then cannot read the Secret next to the workload.
   */
  public inKedaNamespace(): PrometheusAuthentication {
    return new PrometheusAuthentication(this.mode, this.secretName, this._params, true);
  }
}

/** Props of {@link KedaGpuScaler}. */
export interface KedaGpuScalerProps {
  /** What to scale. */
  readonly target: GpuScaleTarget;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** Fewest replicas; 0 scales to zero when the triggers are inactive (needs a trigger that wakes from zero). @default 1 */
  readonly minReplicas?: number;
  /** The ScaledObject's name. @default `<target name>-gpu-scaler` */
  readonly name?: string;
  /** Thresholds and cooldown of the workload kind. @default ScalingProfile.REAL_TIME */
  readonly profile?: ScalingProfile;
  /** Triggers (several: the highest desired replica count wins). @default [GpuScalingTrigger.gpuUtilization()] */
  readonly triggers?: GpuScalingTrigger[];
  /** Prometheus URL KEDA queries. @default 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090' (GpuEksStack's) */
  readonly prometheusUrl?: string;
  /** Authentication to Prometheus (makes a TriggerAuthentication). @default - none */
  readonly authentication?: PrometheusAuthentication;
  /** How often KEDA polls the triggers. @default Duration.seconds(15) */
  readonly pollingInterval?: Duration;
  /**
   * How long a new replica takes to load its model and serve. Used as `initialCooldownPeriod`, as the least
   * scale-down stabilisation window (a replica is never removed sooner than a new one could replace it) and in the
   * metric-absent alert's `for`.
   * @default Duration.minutes(5)
   */
  readonly modelLoadTime?: Duration;
  /** Replicas kept when the metrics fail (`fallback.replicas`, behavior currentReplicasIfHigher). @default - max(minReplicas, 1) */
  readonly fallbackReplicas?: number;
  /** Consecutive metric failures before the fallback applies. @default 3 */
  readonly fallbackFailureThreshold?: number;
  /**
   * vLLM version of the target, which picks the KV-cache metric name.
   * @default - read from the target's image tag when it is a vLLM image (e.g. `vllm/vllm-openai:v0.7.3`)
   */
  readonly vllmVersion?: string;
  /**
   * Keep replicas until utilisation falls below the profile's scale-down threshold, through the HPA's
   * `scaleDown.tolerance` (1 − down/up). Beta in Kubernetes; needs the `HPAConfigurableTolerance` feature gate.
   * @default false
   */
  readonly useScaleDownTolerance?: boolean;
  /** Make a PrometheusRule alerting when a trigger's metric is absent. @default true */
  readonly absentMetricAlert?: boolean;
  /** `release` label of the PrometheusRule (kube-prometheus-stack's rule selector). Empty: none. @default 'kube-prometheus-stack' */
  readonly prometheusRelease?: string;
}

/** Which object each target is scaled by: one scaler per target. */
const SCALED = new WeakMap<object, string>();

/** The registry key of a scale target. */
function targetKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ?? ''}/${name}`;
}

/**
 * The scalers of one chart, by target (`kind namespace/name`), and the one validation that looks for raw HPA objects
 * on their targets: a single pass over the chart per validation, whatever the number of scalers (a pass per scaler
 * made synth quadratic: 1,000 scalers took 14 s).
 */
class _ChartScalers {
  public static of(chart: Chart): _ChartScalers {
    let r = _ChartScalers.byChart.get(chart);
    if (!r) {
      r = new _ChartScalers(chart);
      _ChartScalers.byChart.set(chart, r);
    }
    return r;
  }

  private static readonly byChart = new WeakMap<Chart, _ChartScalers>();

  private readonly byTarget = new Map<string, Array<{ scaler: KedaGpuScaler; target: GpuScaleTarget }>>();

  private constructor(private readonly chart: Chart) {
    chart.node.addValidation({ validate: () => this.validate() });
  }

  public add(scaler: KedaGpuScaler, target: GpuScaleTarget): void {
    const key = targetKey(target.kind, target.namespace, target.name);
    const list = this.byTarget.get(key);
    if (list) list.push({ scaler, target });
    else this.byTarget.set(key, [{ scaler, target }]);
  }

  private validate(): string[] {
    const errors: string[] = [];
    if (this.byTarget.size === 0) return errors;
    for (const c of this.chart.node.findAll()) {
      if (!(c instanceof ApiObject) || c.kind !== 'HorizontalPodAutoscaler') continue;
      let ref: any;
      try {
        ref = c.toJson()?.spec?.scaleTargetRef;
      } catch {
        continue;
      }
      if (typeof ref?.name !== 'string') continue;
      for (const { scaler, target } of this.byTarget.get(targetKey(ref.kind ?? 'Deployment', c.metadata.namespace, ref.name)) ?? []) {
        errors.push(new GpuConfigError(scaler, 'target', `${target.kind} ${target.name} is also scaled by HorizontalPodAutoscaler ${c.name}; KEDA owns the HPA of a ScaledObject's target`,
          `remove ${c.node.path}`).message);
      }
    }
    return errors;
  }
}

/** What a KedaGpuScaler's props come to once checked (KedaGpuScaler.checkProps). */
interface ScalerSettings {
  readonly min: number;
  readonly max: number;
  readonly profile: ScalingProfile;
  readonly kvCacheMetric?: string;
  readonly polling: number;
  readonly load: number;
  readonly failureThreshold: number;
  readonly fallbackReplicas: number;
  readonly url: string;
  readonly ns?: string;
  readonly rendered: _RenderedTrigger[];
  readonly scalable?: kplus.IScalable & { hasAutoscaler?: boolean };
}

/**
 * Event-driven scaling for a GPU workload: a KEDA ScaledObject whose triggers read the target's own pods.
 *
 * Guarantees: no `metricName`; every trigger AverageValue so `fallback` (currentReplicasIfHigher) applies and a
 * broken metric never scales the fleet down; empty query results count as failures unless the target may scale to
 * zero; scale-up fast, scale-down slow (never faster than a model load); one scaler per target — a second
 * KedaGpuScaler or a cdk8s-plus HorizontalPodAutoscaler on it throws GpuConfigError, and a raw HPA object on it in
 * the same chart fails synth.
 */
export class KedaGpuScaler extends Construct {
  /** Default Prometheus URL: the kube-prometheus-stack release GpuEksStack installs in `monitoring`. */
  public static readonly DEFAULT_PROMETHEUS_URL = 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090';

  /** The ScaledObject. */
  public readonly scaledObject: ApiObject;
  /** The TriggerAuthentication (a ClusterTriggerAuthentication with `authentication.inKedaNamespace()`), with `authentication`. */
  public readonly triggerAuthentication?: ApiObject;
  /** The metric-absent alert, unless `absentMetricAlert: false`. */
  public readonly prometheusRule?: ApiObject;
  /** The ScaledObject's name. */
  public readonly name: string;
  /** The target. */
  public readonly target: GpuScaleTarget;
  /** The rendered PromQL of each trigger, by trigger name. */
  public readonly queries: Record<string, string>;
  /** The KV-cache metric used (when a KV-cache trigger is present). */
  public readonly kvCacheMetric?: string;
  /** Whether any trigger reads DCGM metrics. */
  public readonly readsDcgm: boolean;
  /** The DCGM fields the triggers read (DcgmMonitoring collects them). */
  public readonly dcgmFields: string[];

  constructor(scope: Construct, id: string, props: KedaGpuScalerProps) {
    super(scope, id);
    if (!props || !(props.target instanceof GpuScaleTarget)) {
      throw new GpuConfigError(this, 'target', 'is missing', 'pass GpuScaleTarget.fromInferenceDeployment(d) or GpuScaleTarget.fromDeployment(d)');
    }
    const target = props.target;
    this.target = target;
    // Every independent prop is checked; the problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    this.name = props.name ?? `${target.name}-gpu-scaler`.slice(0, 253);
    c.run(() => validateDns1123Name(this, 'name', this.name));

    const s = this.checkProps(props, c);
    this.kvCacheMetric = s.kvCacheMetric;
    this.queries = Object.fromEntries(s.rendered.map((r) => [r.name, r.query]));
    this.checkQueries(s.rendered, c);
    c.throwIfAny();
    this.dcgmFields = [...new Set(s.rendered.flatMap((r) => _dcgmFieldsOf(r.query)))];
    this.readsDcgm = this.dcgmFields.length > 0;
    this.triggerAuthentication = this.renderAuthentication(props, s.ns);
    this.claimTarget(s);
    this.scaledObject = this.renderScaledObject(props, s);
    this.node.defaultChild = this.scaledObject;
    if (props.absentMetricAlert ?? true) this.prometheusRule = this.renderAbsentAlert(props, s);

    // A raw HPA object (not cdk8s-plus) on the same target in this chart: one check per chart for all its scalers.
    _ChartScalers.of(Chart.of(this)).add(this, target);
  }

  /**
   * Checks every prop but the name (each problem is added to `c`) and renders the triggers: what the scaler's objects are
   * built from. (The constructor is split in steps of their own: one large constructor was one of the largest optimising
   * compiles of a synth, run for every app with a few hundred scalers.)
   */
  private checkProps(props: KedaGpuScalerProps, c: PropErrors): ScalerSettings {
    const target = props.target;
    // --- one scaler per target
    c.run(() => {
      const owner = SCALED.get(target.apiObject);
      if (owner !== undefined) {
        throw new GpuConfigError(this, 'target', `${target.kind} ${target.name} is already scaled by ${owner}`,
          'use one KedaGpuScaler per workload and give it several triggers');
      }
    });
    const scalable = target._scalable as (kplus.IScalable & { hasAutoscaler?: boolean }) | undefined;
    c.run(() => {
      if (scalable?.hasAutoscaler) {
        throw new GpuConfigError(this, 'target', `${target.kind} ${target.name} already has a HorizontalPodAutoscaler`,
          'remove the HorizontalPodAutoscaler: KEDA creates and owns the HPA of a ScaledObject\'s target');
      }
    });
    // --- replicas
    const min = props.minReplicas ?? 1;
    const max = props.maxReplicas;
    c.run(() => {
      if (!Number.isInteger(max) || max < 1) throw new GpuConfigError(this, 'maxReplicas', `is ${max}`, 'pass a whole number >= 1');
    });
    c.run(() => {
      if (!Number.isInteger(min) || min < 0) throw new GpuConfigError(this, 'minReplicas', `is ${min}`, 'pass a whole number >= 0 (0 scales to zero)');
    });
    const replicasOk = !c.failed('minReplicas', 'maxReplicas');
    if (replicasOk) {
      c.run(() => {
        if (min > max) throw new GpuConfigError(this, 'minReplicas', `is ${min}, above maxReplicas ${max}`, `lower minReplicas to at most ${max} or raise maxReplicas`);
      });
    }
    if (!c.failed('maxReplicas', 'target')) c.run(() => this.checkCapacity(max));

    const profile = props.profile ?? ScalingProfile.REAL_TIME;
    c.run(() => checkEnumLike(this, 'profile', SCALING_PROFILE, profile, (v) => v instanceof ScalingProfile));
    const triggers = props.triggers ?? [GpuScalingTrigger.gpuUtilization()];
    c.run(() => {
      if (!Array.isArray(triggers) || triggers.length === 0) {
        throw new GpuConfigError(this, 'triggers', 'is empty', 'pass at least one trigger, e.g. GpuScalingTrigger.gpuUtilization()');
      }
      const names = new Set<string>();
      for (const t of triggers) {
        if (!(t instanceof GpuScalingTrigger)) throw new GpuConfigError(this, 'triggers', 'contains something that is not a GpuScalingTrigger', 'use the GpuScalingTrigger factories');
        if (names.has(t.name)) throw new GpuConfigError(this, 'triggers', `has two triggers named ${t.name}`, 'give each trigger its own name');
        names.add(t.name);
      }
    });
    const triggersOk = !c.failed('triggers');

    // --- vLLM version → KV-cache metric
    const kvCacheMetric = c.run((): string | undefined => {
      if (triggersOk && triggers.some((t) => t._needsVllmVersion)) {
        const version = props.vllmVersion ?? _vllmVersionOfImage(target._image);
        if (version === undefined) {
          throw new GpuConfigError(this, 'vllmVersion', `is not set and the target's image (${target._image ?? 'unknown'}) carries no vLLM version`,
            'declare vllmVersion, e.g. \'0.10.1\' (it picks vllm:kv_cache_usage_perc from 0.9.2, vllm:gpu_cache_usage_perc before)');
        }
        const metric = _kvCacheMetricFor(version);
        if (metric === undefined) {
          throw new GpuConfigError(this, 'vllmVersion', `is ${JSON.stringify(version)}, not a version`, 'pass e.g. \'0.10.1\'');
        }
        return metric;
      } else if (props.vllmVersion !== undefined && _kvCacheMetricFor(props.vllmVersion) === undefined) {
        throw new GpuConfigError(this, 'vllmVersion', `is ${JSON.stringify(props.vllmVersion)}, not a version`, 'pass e.g. \'0.10.1\'');
      }
      return undefined;
    });

    // --- timing
    const seconds = (prop: string, d: Duration | undefined, def: Duration, lo: number, hi: number): number => {
      const s = _seconds(d ?? def);
      if (!Number.isInteger(s) || s < lo || s > hi) throw new GpuConfigError(this, prop, `is ${s} s`, `use whole seconds between ${lo} and ${hi}`);
      return s;
    };
    const polling = c.run(() => seconds('pollingInterval', props.pollingInterval, Duration.seconds(15), 1, 3600)) as number;
    const load = c.run(() => seconds('modelLoadTime', props.modelLoadTime, Duration.minutes(5), 0, 3600)) as number;
    const failureThreshold = props.fallbackFailureThreshold ?? 3;
    c.run(() => {
      if (!Number.isInteger(failureThreshold) || failureThreshold < 1) {
        throw new GpuConfigError(this, 'fallbackFailureThreshold', `is ${failureThreshold}`, 'pass a whole number >= 1');
      }
    });
    const fallbackReplicas = props.fallbackReplicas ?? Math.max(min, 1);
    // Judged against the replica bounds, unless those are wrong themselves.
    if (!c.failed('minReplicas', 'maxReplicas')) {
      c.run(() => {
        if (!Number.isInteger(fallbackReplicas) || fallbackReplicas < 1 || fallbackReplicas > max) {
          throw new GpuConfigError(this, 'fallbackReplicas', `is ${fallbackReplicas}`, `pass a whole number between 1 and maxReplicas (${max})`);
        }
      });
    }
    const url = props.prometheusUrl ?? KedaGpuScaler.DEFAULT_PROMETHEUS_URL;
    c.run(() => {
      if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
        throw new GpuConfigError(this, 'prometheusUrl', `is ${JSON.stringify(url)}`, 'pass an http(s) URL, e.g. http://prometheus-operated.monitoring.svc:9090');
      }
    });
    c.run(() => {
      if (props.authentication !== undefined && !(props.authentication instanceof PrometheusAuthentication)) {
        throw new GpuConfigError(this, 'authentication', 'is not a PrometheusAuthentication', 'use PrometheusAuthentication.bearer(...) or .basic(...)');
      }
    });

    // --- triggers
    const ns = target.namespace;
    const selector = `${ns ? `namespace=${_promString(ns)}, ` : ''}pod=~${_promString(target.podNameRegex())}`;
    const rendered: _RenderedTrigger[] = triggersOk && !c.failed('vllmVersion', 'profile')
      ? c.run(() => triggers.map((t) => t._render({ selector, profile, kvCacheMetric }))) ?? [] : [];
    if (min === 0 && replicasOk && rendered.length > 0 && !rendered.some((r) => r.wakesFromZero)) {
      c.add(new GpuConfigError(this, 'minReplicas', `is 0, but every trigger (${rendered.map((r) => r.name).join(', ')}) reads the target's own pods, which do not exist at zero replicas: it would never scale up again`,
        'keep minReplicas >= 1, or add a GpuScalingTrigger.promQL on a metric that exists without pods (e.g. the gateway\'s request rate)'));
    }
    return {
      min, max, profile, kvCacheMetric, polling, load, failureThreshold, fallbackReplicas, url, ns, rendered, scalable,
    };
  }

  /** Parses every query with Prometheus's grammar, and finds vLLM metrics read from a target nobody scrapes. */
  private checkQueries(rendered: readonly _RenderedTrigger[], c: PropErrors): void {
    const target = this.target;
    // Every query parsed with Prometheus's grammar (generated ones included), as the GPU315 rule does on any YAML.
    for (const r of rendered) c.run(() => _checkPromQL(this, `triggers (${r.name})`, r.query));
    for (const r of rendered) {
      const vllm = _promqlMetrics(r.query).filter((m) => m.startsWith('vllm:'));
      if (vllm.length > 0 && target._scraped === false) {
        c.add(new GpuConfigError(this, 'triggers', `trigger ${r.name} reads ${vllm.join(', ')}, but nothing scrapes ${target.kind} ${target.name}'s metrics (its InferenceDeployment has metrics: false): KEDA would get no data and fall back`,
          'enable metrics on the InferenceDeployment (the default with vllm), or use GpuScalingTrigger.gpuUtilization()'));
      }
    }
  }

  /** The (Cluster)TriggerAuthentication of `props.authentication`, if any. */
  private renderAuthentication(props: KedaGpuScalerProps, ns: string | undefined): ApiObject | undefined {
    const secretTargetRef = props.authentication?._params
      .map((p) => ({ parameter: p.parameter, name: props.authentication!.secretName, key: p.key }));
    if (props.authentication?.clusterWide) {
      // Cluster-scoped: named after the namespace too, so two namespaces' scalers of the same name do not collide.
      return new ClusterTriggerAuthentication(this, 'Auth', {
        metadata: { name: `${ns ? `${ns}-` : ''}${this.name}-prometheus`.slice(0, 253) },
        spec: { secretTargetRef },
      });
    } else if (props.authentication) {
      return new TriggerAuthentication(this, 'Auth', {
        metadata: { name: `${this.name}-prometheus`.slice(0, 253), ...(ns ? { namespace: ns } : {}) },
        spec: { secretTargetRef },
      });
    }
    return undefined;
  }

  /** Claims the target (every prop is valid): one scaler per target, KEDA owns the replica count. */
  private claimTarget(s: ScalerSettings): void {
    const target = this.target;
    const { min, max, scalable } = s;
    // Every prop is valid: only now claim the target (a failed construction leaves it free).
    SCALED.set(target.apiObject, this.node.path);
    _registerDcgmReads(this, this.dcgmFields);
    if (target._replicas !== undefined && target._workload && (!scalable || target._replicas !== min)) {
      // KEDA's HPA owns the count (scale subresource); say so instead of dropping the user's number silently. A
      // cdk8s-plus/InferenceDeployment replicas equal to minReplicas loses nothing: the workload starts at the floor.
      if (scalable) {
        _warn(target._workload, REPLICAS_WITH_SCALER, 'replicas',
          `${target._replicas} is ignored: KedaGpuScaler ${this.node.path} owns the replica count (minReplicas ${min}, `
          + `maxReplicas ${max}), so spec.replicas is left out of ${target.kind} ${target.name} and it runs between those bounds`,
          'set replicas to minReplicas or leave it out, and size the count with the scaler');
      } else {
        _warn(target._workload, REPLICAS_WITH_SCALER, 'spec.replicas',
          `${target._replicas} fights KedaGpuScaler ${this.node.path}, which owns the replica count (minReplicas ${min}, `
          + `maxReplicas ${max}): every apply resets ${target.kind} ${target.name} to ${target._replicas} until the HPA scales it again`,
          'remove spec.replicas and size it with the scaler\'s minReplicas');
      }
    }
    // An InferenceDeployment chooses its rollout for the replicas it runs: now the scaler's range (GPU218, GPU226).
    if (target._workload instanceof InferenceDeployment) target._workload._useReplicaRange(min, max);
    if (scalable) {
      scalable.markHasAutoscaler(); // cdk8s-plus then leaves spec.replicas out: KEDA owns it
      const path = this.node.path;
      (scalable as any).markHasAutoscaler = () => {
        throw new GpuConfigError(path, 'target', `${target.kind} ${target.name} is scaled by this KedaGpuScaler; a HorizontalPodAutoscaler on it would fight KEDA's own HPA`,
          'drop the HorizontalPodAutoscaler and add its metric as a trigger of the KedaGpuScaler');
      };
    }
  }

  /** The ScaledObject. */
  private renderScaledObject(props: KedaGpuScalerProps, s: ScalerSettings): ScaledObject {
    const target = this.target;
    const { min, max, profile, polling, load, failureThreshold, fallbackReplicas, url, ns, rendered } = s;
    const soTriggers: ScaledObjectSpecTriggers[] = rendered.map((r) => ({
      type: 'prometheus',
      name: r.name,
      metricType: 'AverageValue',
      metadata: {
        serverAddress: url,
        query: r.query,
        threshold: _num(r.threshold),
        activationThreshold: _num(r.activationThreshold),
        // An empty result is a failure (→ fallback) unless the target may legitimately have no pods.
        ignoreNullValues: min === 0 ? 'true' : 'false',
        ...(props.authentication ? { authModes: props.authentication.mode } : {}),
      },
      ...(this.triggerAuthentication ? {
        authenticationRef: {
          name: this.triggerAuthentication.name,
          ...(props.authentication?.clusterWide ? { kind: ScaledObjectSpecTriggersAuthenticationRefKind.CLUSTER_TRIGGER_AUTHENTICATION } : {}),
        },
      } : {}),
    }));

    const stabilization = Math.max(profile.cooldownSeconds, load);
    return new ScaledObject(this, 'Resource', {
      metadata: { name: this.name, ...(ns ? { namespace: ns } : {}), labels: { 'app.kubernetes.io/managed-by': 'cdk8s-gpu', 'cdk8s-gpu.io/scaling-profile': profile.name } },
      spec: {
        scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
        pollingInterval: polling,
        cooldownPeriod: profile.cooldownSeconds,
        initialCooldownPeriod: load,
        minReplicaCount: min,
        maxReplicaCount: max,
        fallback: { failureThreshold, replicas: fallbackReplicas, behavior: ScaledObjectSpecFallbackBehavior.CURRENT_REPLICAS_IF_HIGHER },
        advanced: {
          horizontalPodAutoscalerConfig: {
            behavior: {
              // Scale out fast: double or +4 pods every 15 s, whichever is more (seed 001's scaleUp).
              scaleUp: {
                stabilizationWindowSeconds: 0,
                selectPolicy: 'Max',
                policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }],
              },
              // Scale in slowly: 25% per cooldown period, after a window at least as long as a model load.
              scaleDown: {
                stabilizationWindowSeconds: stabilization,
                selectPolicy: 'Max',
                policies: [{ type: 'Percent', value: 25, periodSeconds: Math.max(15, profile.cooldownSeconds) }],
                ...(props.useScaleDownTolerance
                  ? { tolerance: ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehaviorScaleDownTolerance.fromString(`${profile.scaleDownTolerance}`) }
                  : {}),
              },
            },
          },
        },
        triggers: soTriggers,
      },
    });
  }

  /** The alert on a trigger's metric going absent. */
  private renderAbsentAlert(props: KedaGpuScalerProps, s: ScalerSettings): PrometheusRule {
    const target = this.target;
    const { min, load, failureThreshold, fallbackReplicas, ns, rendered } = s;
    const release = props.prometheusRelease ?? 'kube-prometheus-stack';
    if (release !== '') validateLabelValue(this, 'prometheusRelease', release);
    const guard = min === 0
      ? ` and on() (${target.kind === 'StatefulSet' ? 'kube_statefulset_replicas' : 'kube_deployment_spec_replicas'}{${ns ? `namespace=${_promString(ns)}, ` : ''}${target.kind === 'StatefulSet' ? 'statefulset' : 'deployment'}=${_promString(target.name)}} > 0)`
      : '';
    return new PrometheusRule(this, 'MetricAbsent', {
      metadata: { name: `${this.name}-metrics`.slice(0, 253), ...(ns ? { namespace: ns } : {}), labels: release ? { release } : {} },
      spec: {
        groups: [{
          name: `${this.name}.scaler`,
          rules: rendered.map((r) => ({
            alert: 'KedaScalerMetricAbsent',
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(this.checked(`absent(${r.query})${guard}`, r.name)),
            for: _promDuration(Duration.seconds(load + 300)),
            labels: { severity: 'warning', scaledobject: this.name, trigger: r.name },
            annotations: {
              summary: `Scaler ${this.name}: trigger ${r.name} has no data`,
              description: `KEDA cannot read ${r.name} for ${target.kind} ${ns ? `${ns}/` : ''}${target.name}: `
                + `after ${failureThreshold} failed polls it holds at least ${fallbackReplicas} replica(s) (fallback) and stops scaling on this trigger. `
                + 'Check the exporter / scrape target and the query.',
            },
          })),
        }],
      },
    });
  }

  /** The metric-absent alert's expression, parsed with Prometheus's grammar. */
  private checked(expr: string, trigger: string): string {
    _checkPromQL(this, `absentMetricAlert (${trigger})`, expr);
    return expr;
  }

  /** maxReplicas × GPUs per replica must fit the pools' GPU limits (when both are known). */
  private checkCapacity(max: number): void {
    const gpus = this.target.gpusPerReplica;
    const pools = this.target.pools;
    if (gpus === undefined || pools.length === 0) return;
    const capacity = pools.reduce((sum, p) => sum + p.gpuLimit, 0);
    if (max * gpus > capacity) {
      throw new GpuConfigError(this, 'maxReplicas', `is ${max}: ${max} × ${gpus} GPUs = ${max * gpus} GPUs, above the ${capacity} GPUs the pools `
        + `(${pools.map((p) => `${p.poolName}: ${p.gpuLimit}`).join(', ')}) may launch; replicas above ${Math.floor(capacity / gpus)} stay Pending`,
      `lower maxReplicas to ${Math.floor(capacity / gpus)} or raise the pools' gpuLimit`);
    }
    // An InferenceDeployment knows its pods' shape: Karpenter buys whole nodes within the limits (rule GPU219).
    const nodes = this.target._workload instanceof InferenceDeployment ? this.target._workload._replicaCapacity : undefined;
    if (nodes !== undefined && max > nodes.pods) {
      throw new GpuConfigError(this, 'maxReplicas', `is ${max}, but the pools' limits let Karpenter launch nodes for at most ${nodes.pods} `
        + `replicas of ${gpus} GPUs (${nodes.shown}); replicas above ${nodes.pods} stay Pending`,
      `lower maxReplicas to ${nodes.pods} or raise the pools' gpuLimit`);
    }
  }
}
