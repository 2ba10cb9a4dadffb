/**
 * GpuResourceFlavor: a Kueue ResourceFlavor (`kueue.x-k8s.io/v1beta2`) bound to one GPU node pool.
 *
 * Kueue docs "Resource Flavor": `spec.nodeLabels` associates the flavor with nodes and is injected as a
 * nodeSelector into the pods of every workload admitted on the flavor; `spec.tolerations` are added to those pods
 * ("ResourceFlavor tolerations for automatic scheduling"). So a workload admitted on this flavor is pinned to the
 * pool (`karpenter.sh/nodepool: <pool>`) and tolerates its taints even if its author forgot.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { ResourceFlavorV1Beta2, ResourceFlavorV1Beta2Spec } from '../imports/kueue.x-k8s.io';
import { NameRule, validateDns1123Name } from '../naming';
import { IGpuNodePool } from '../pools/pool';
import { PropErrors } from '../private/collect';
import { NODEPOOL_LABEL } from '../scheduling/nodepool';

/** The most tolerations a ResourceFlavor may carry (CRD `maxItems`). */
const MAX_TOLERATIONS = 8;

/** Props of {@link GpuResourceFlavor}. */
export interface GpuResourceFlavorProps {
  /** The GPU pool whose nodes this flavor stands for. */
  readonly pool: IGpuNodePool;
  /** `metadata.name`. @default - the pool's name */
  readonly name?: string;
}

/** A Kueue ResourceFlavor selecting the nodes of one GPU pool, with tolerations for the pool's taints. */
export class GpuResourceFlavor extends Construct {
  /** The generated ResourceFlavor (escape hatch). */
  public readonly resourceFlavor: ApiObject;
  /** The pool it selects. */
  public readonly pool: IGpuNodePool;
  private readonly gpuQuotas: Array<[string, number]> = [];

  constructor(scope: Construct, id: string, props: GpuResourceFlavorProps) {
    super(scope, id);
    // Both props are checked; their problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    props = props ?? ({} as GpuResourceFlavorProps);
    c.run(() => {
      if (!props.pool || typeof props.pool.poolName !== 'string') {
        throw new GpuConfigError(this, 'pool', 'is not set', 'pass the GpuNodePool (or SpotGpuPool) this flavor stands for');
      }
    });
    if (props.name !== undefined) c.run(() => validateDns1123Name(this, 'name', props.name!, NameRule.DNS1123_SUBDOMAIN));
    c.throwIfAny();
    this.pool = props.pool;
    this.resourceFlavor = new ResourceFlavorV1Beta2(this, 'Resource', {
      metadata: { name: props.name ?? props.pool.poolName },
      spec: Lazy.any({ produce: () => this._renderSpec() }) as any,
    });
    this.node.defaultChild = this.resourceFlavor;
    // Across queues (known only once the app is built): the summed nominal GPU quota on this flavor must fit the pool,
    // as rule GPU500 judges the manifests. cdk8s runs these validations at synth.
    this.node.addValidation({
      validate: () => {
        const total = this.gpuQuotas.reduce((sum, q) => sum + q[1], 0);
        if (total <= this.pool.gpuLimit) return [];
        return [`${this.node.path}: nominal nvidia.com/gpu quota of ${total} (${this.gpuQuotas.map(([who, n]) => `${who} ${n}`).join(' + ')}) `
          + `is above the GPU limit of pool ${this.pool.poolName} (${this.pool.gpuLimit}); Kueue would admit workloads Karpenter can never give nodes. `
          + 'Fix: lower the queues\' gpus on this flavor or raise the pool\'s gpuLimit'];
      },
    });
  }

  /** Called by GpuClusterQueue for each quota on this flavor. @internal */
  public _addGpuQuota(clusterQueuePath: string, gpus: number): void {
    this.gpuQuotas.push([clusterQueuePath, gpus]);
  }

  /** The ResourceFlavor's `metadata.name` (what ClusterQueues list). */
  public get flavorName(): string {
    return this.resourceFlavor.name;
  }

  private _renderSpec(): ResourceFlavorV1Beta2Spec {
    const tolerations = this.pool.tolerations();
    if (tolerations.length > MAX_TOLERATIONS) {
      throw new GpuConfigError(this, 'pool', `has ${tolerations.length} taints, more than the ${MAX_TOLERATIONS} tolerations a ResourceFlavor may carry`,
        `keep at most ${MAX_TOLERATIONS} taints on pool ${this.pool.poolName}`);
    }
    return {
      nodeLabels: { [NODEPOOL_LABEL]: this.pool.poolName },
      ...(tolerations.length ? { tolerations: tolerations.map((t) => ({ ...t })) } : {}),
    };
  }
}
