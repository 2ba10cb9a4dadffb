/**
 * What KedaGpuScaler scales: any Deployment or StatefulSet (cdk8s-plus, InferenceDeployment, or a plain ApiObject),
 * with what the scaler needs to know about it — name, namespace, the names its pods get, GPUs per replica, pools.
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { IConstruct } from 'constructs';
import { GpuConfigError } from '../errors';
import { _regexLiteral } from '../monitoring/promql';
import { IGpuNodePool } from '../pools/pool';
import { InferenceDeployment } from '../workloads/inference';

/** Options for targets whose GPU request and pools the scaler cannot read itself. */
export interface GpuScaleTargetOptions {
  /**
   * Whole GPUs each replica requests. With `pools`, lets the scaler check at once that `maxReplicas` fits the
   * pools' GPU limits. @default - unknown (the GPU304 rule still checks the synthesised manifests)
   */
  readonly gpusPerReplica?: number;
  /** The pools the replicas run on. @default - unknown */
  readonly pools?: IGpuNodePool[];
}

/**
 * A scalable GPU workload. Enum-like: use the static factories. Works with a plain cdk8s-plus Deployment or
 * StatefulSet, an InferenceDeployment, or any `apps/v1` Deployment/StatefulSet ApiObject.
 */
export class GpuScaleTarget {
  /** An InferenceDeployment: its Deployment, GPUs per replica, pools and vLLM image are read from it. */
  public static fromInferenceDeployment(deployment: InferenceDeployment): GpuScaleTarget {
    if (!(deployment instanceof InferenceDeployment)) {
      throw new GpuConfigError('GpuScaleTarget.fromInferenceDeployment', 'deployment', 'is not an InferenceDeployment', 'pass the InferenceDeployment construct');
    }
    return new GpuScaleTarget(ApiObject.of(deployment.deployment), 'apps/v1', 'Deployment', deployment.name, deployment.namespace,
      deployment.gpusPerReplica > 0 ? deployment.gpusPerReplica : undefined, deployment.pools, deployment.deployment,
      deployment.deployment.containers[0]?.image, deployment.serviceMonitor !== undefined, deployment,
      deployment._replicasSet ? deployment.replicas : undefined);
  }

  /** A cdk8s-plus Deployment. */
  public static fromDeployment(deployment: kplus.Deployment, options: GpuScaleTargetOptions = {}): GpuScaleTarget {
    if (!(deployment instanceof kplus.Deployment)) {
      throw new GpuConfigError('GpuScaleTarget.fromDeployment', 'deployment', 'is not a cdk8s-plus Deployment', 'pass a kplus.Deployment, or use GpuScaleTarget.fromApiObject');
    }
    return GpuScaleTarget.checked(ApiObject.of(deployment), 'Deployment', deployment.name, deployment.metadata.namespace, options,
      deployment, deployment.containers[0]?.image, deployment, deployment.replicas);
  }

  /** A cdk8s-plus StatefulSet. */
  public static fromStatefulSet(statefulSet: kplus.StatefulSet, options: GpuScaleTargetOptions = {}): GpuScaleTarget {
    if (!(statefulSet instanceof kplus.StatefulSet)) {
      throw new GpuConfigError('GpuScaleTarget.fromStatefulSet', 'statefulSet', 'is not a cdk8s-plus StatefulSet', 'pass a kplus.StatefulSet, or use GpuScaleTarget.fromApiObject');
    }
    return GpuScaleTarget.checked(ApiObject.of(statefulSet), 'StatefulSet', statefulSet.name, statefulSet.metadata.namespace, options,
      statefulSet, statefulSet.containers[0]?.image, statefulSet, statefulSet.replicas);
  }

  /** An `apps/v1` Deployment or StatefulSet ApiObject (e.g. `k8s.KubeDeployment` or an included manifest). */
  public static fromApiObject(obj: ApiObject, options: GpuScaleTargetOptions = {}): GpuScaleTarget {
    if (!(obj instanceof ApiObject) || obj.apiVersion !== 'apps/v1' || (obj.kind !== 'Deployment' && obj.kind !== 'StatefulSet')) {
      const what = obj instanceof ApiObject ? `${obj.apiVersion} ${obj.kind}` : 'not an ApiObject';
      throw new GpuConfigError('GpuScaleTarget.fromApiObject', 'obj', `is ${what}`, 'pass an apps/v1 Deployment or StatefulSet');
    }
    let image: string | undefined;
    let replicas: number | undefined;
    try {
      const spec = obj.toJson()?.spec;
      image = spec?.template?.spec?.containers?.[0]?.image;
      replicas = typeof spec?.replicas === 'number' ? spec.replicas : undefined;
    } catch {
      image = undefined; // unresolvable tokens: the vLLM version must then be declared
    }
    return GpuScaleTarget.checked(obj, obj.kind, obj.name, obj.metadata.namespace, options, undefined, image, obj, replicas);
  }

  private static checked(obj: ApiObject, kind: string, name: string, namespace: string | undefined, options: GpuScaleTargetOptions,
    scalable: kplus.IScalable | undefined, image: string | undefined, workload: IConstruct, replicas: number | undefined): GpuScaleTarget {
    const where = `GpuScaleTarget(${kind} ${name})`;
    const gpus = options.gpusPerReplica;
    if (gpus !== undefined && (!Number.isInteger(gpus) || gpus < 1)) {
      throw new GpuConfigError(where, 'gpusPerReplica', `is ${gpus}`, 'pass the whole GPUs one replica requests (>= 1), or leave it unset');
    }
    return new GpuScaleTarget(obj, 'apps/v1', kind, name, namespace, gpus, options.pools ?? [], scalable, image, undefined, workload, replicas);
  }

  /** The pools the replicas run on (empty when unknown). */
  public readonly pools: IGpuNodePool[];
  /** The target's ApiObject. */
  public readonly apiObject: ApiObject;
  /** `apps/v1`. */
  public readonly apiVersion: string;
  /** `Deployment` or `StatefulSet`. */
  public readonly kind: string;
  /** `metadata.name`. */
  public readonly name: string;
  /** `metadata.namespace`, when set. */
  public readonly namespace?: string;
  /** Whole GPUs per replica, when known. */
  public readonly gpusPerReplica?: number;
  /** The cdk8s-plus scalable, when there is one. @internal */
  public readonly _scalable?: kplus.IScalable;
  /** The first container's image, when readable. @internal */
  public readonly _image?: string;
  /** Whether the workload's own metrics are scraped (true/false when known, undefined when not). @internal */
  public readonly _scraped?: boolean;
  /** The construct the user built (InferenceDeployment, Deployment, StatefulSet or ApiObject). @internal */
  public readonly _workload?: IConstruct;
  /** Replicas the user set on the workload, when set (a scaler ignores them and warns). @internal */
  public readonly _replicas?: number;

  private constructor(apiObject: ApiObject, apiVersion: string, kind: string, name: string, namespace: string | undefined,
    gpusPerReplica: number | undefined, pools: IGpuNodePool[], scalable: kplus.IScalable | undefined, image: string | undefined,
    scraped?: boolean, workload?: IConstruct, replicas?: number) {
    this.apiObject = apiObject;
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.name = name;
    this.namespace = namespace;
    this.gpusPerReplica = gpusPerReplica;
    this.pools = [...pools];
    this._scalable = scalable;
    this._image = image;
    this._scraped = scraped;
    this._workload = workload;
    this._replicas = replicas;
  }

  /**
   * The RE2 regex matching exactly the names of this workload's pods: `<name>-<pod-template-hash>-<suffix>` for a
   * Deployment (so `model-a` does not match the pods of `model-a-canary`), `<name>-<ordinal>` for a StatefulSet.
   */
  public podNameRegex(): string {
    const base = _regexLiteral(this.name);
    return this.kind === 'StatefulSet' ? `${base}-[0-9]+` : `${base}-[a-z0-9]+-[a-z0-9]+`;
  }
}
