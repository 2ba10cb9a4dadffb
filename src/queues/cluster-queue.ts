/**
 * GpuClusterQueue: a Kueue ClusterQueue (`kueue.x-k8s.io/v1beta2`) with nominal GPU, MIG, cpu and memory quotas per
 * {@link GpuResourceFlavor}, an optional cohort to borrow and lend within, and preemption derived from the tiers.
 *
 * Kueue facts this relies on (kubernetes-sigs/kueue v0.19.2, CRD descriptions and `pkg/webhooks/clusterqueue_webhook.go`):
 * - a workload is admitted only when EVERY resource its pods request is covered by the ClusterQueue, so cpu and
 *   memory are always covered here (GPU pods request them too);
 * - each flavor of a resource group lists every covered resource, in the group's order; a flavor appears once;
 * - `borrowingLimit`/`lendingLimit` need a `cohortName`, and `lendingLimit` ≤ `nominalQuota`;
 * - `namespaceSelector` unset admits no namespace at all (`{}` admits every namespace);
 * - `reclaimWithinCohort` decides whether a queue gets back the quota it lent; `borrowWithinCohort` needs it.
 * Quota is bookkeeping, not capacity: Kueue admits a workload when quota allows, then the pods still need nodes.
 * With Karpenter those come from the pools' limits, so the GPU quota of a flavor must not exceed its pool's
 * `limits['nvidia.com/gpu']` (checked here for one queue, and across queues by rule GPU500).
 */
import { ApiObject, Lazy, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuLocalQueue } from './local-queue';
import { GpuResourceFlavor } from './resource-flavor';
import { GpuWorkloadPriorities } from './workload-priorities';
import { GpuConfigError } from '../errors';
import {
  ClusterQueueV1Beta2, ClusterQueueV1Beta2Spec, ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesBorrowingLimit as BorrowingLimit,
  ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesLendingLimit as LendingLimit,
  ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesNominalQuota as NominalQuota,
  ClusterQueueV1Beta2SpecPreemption, toJson_ClusterQueueV1Beta2Spec,
} from '../imports/kueue.x-k8s.io';
import { NameRule, validateDns1123Name } from '../naming';
import { PropErrors } from '../private/collect';
import { describeValue } from '../private/describe';
import { EFA_RESOURCE } from '../workloads/distributed';
import { GpuRequest } from '../workloads/gpu-request';
import { GpuTeam, MigQuota } from '../workloads/priorities';

/** The label every namespace carries with its own name (Kubernetes ≥ 1.22), used to select the queues' namespaces. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The nominal quota of one flavor in a {@link GpuClusterQueue}. */
export interface GpuFlavorQuota {
  /** The flavor (one GPU pool). */
  readonly flavor: GpuResourceFlavor;
  /** Nominal quota of whole GPUs (`nvidia.com/gpu`). At most the pool's GPU limit. @default 0 */
  readonly gpus?: number;
  /** Nominal quotas of MIG slices (`nvidia.com/mig-<profile>`, MIG `mixed` strategy). @default - none */
  readonly migSlices?: MigQuota[];
  /**
   * Nominal cpu quota in cores.
   * @default - the GPUs' share of the pool: gpus × the highest vCPU-per-GPU of the pool's instance types (the whole
   * pool's when the quota is MIG slices only)
   */
  readonly cpu?: number;
  /**
   * Nominal memory quota.
   * @default - the GPUs' share of the pool, like `cpu`, with memory-per-GPU
   */
  readonly memory?: Size;
  /**
   * Nominal quota of EFA interfaces (`vpc.amazonaws.com/efa`), which a multi-node TrainingJob requests (all of each
   * node's).
   * @default - when every GPU instance type of the pool has EFA, the GPUs' share of its EFA interfaces (gpus × the
   * highest EFA-per-GPU ratio, e.g. 4 per H100 of a p5.48xlarge, as TrainingJob then asks for them); else none
   */
  readonly efaInterfaces?: number;
  /**
   * The most GPUs of this flavor the queue may borrow from idle queues of its cohort, beyond `gpus`.
   * Needs `cohort`.
   * @default - no limit (as much as the cohort has idle)
   */
  readonly gpuBorrowingLimit?: number;
  /**
   * The most of its idle GPUs of this flavor the queue lends to its cohort; `gpus - gpuLendingLimit` stay reserved
   * for it. Needs `cohort`; at most `gpus`.
   * @default - all of them
   */
  readonly gpuLendingLimit?: number;
}

/** Props of {@link GpuClusterQueue}. */
export interface GpuClusterQueueProps {
  /** `metadata.name`. @default - generated from the construct path */
  readonly name?: string;
  /** Nominal quotas, one entry per flavor (Kueue tries the flavors in this order). */
  readonly quotas: GpuFlavorQuota[];
  /**
   * The cohort (`spec.cohortName`): queues of one cohort borrow each other's idle quota, and get it back by
   * preemption (`reclaimWithinCohort: Any`).
   * @default - none: the queue neither borrows nor lends
   */
  readonly cohort?: string;
  /**
   * The tiers, as Kueue WorkloadPriorityClasses. Preemption then follows them: inside the queue a pending workload
   * may preempt admitted ones of lower priority (`withinClusterQueue: LowerPriority`); while borrowing it may
   * preempt other queues' workloads only at or below the experiments tier (`borrowWithinCohort`). Workloads that
   * join the queue with a `priority` get the `kueue.x-k8s.io/priority-class` label. Kueue's preemption ignores a
   * PriorityClass's `preemptionPolicy: Never`: inside a queue, an inference workload may preempt the same queue's
   * training for quota (give serving its own queue, as examples/multi-tenant does, to keep it apart).
   * @default - no priority-based preemption (Kueue's `Never`); a queue in a cohort still reclaims what it lent
   */
  readonly priorities?: GpuWorkloadPriorities;
}

interface RenderedQuota {
  readonly flavor: GpuResourceFlavor;
  readonly quotas: Record<string, number | string>;
  readonly gpuBorrowingLimit?: number;
  readonly gpuLendingLimit?: number;
}

/** A Kueue ClusterQueue with GPU quotas per pool-bound flavor. */
export class GpuClusterQueue extends Construct {
  /** The generated ClusterQueue (escape hatch). */
  public readonly clusterQueue: ApiObject;
  /** The cohort, when set. */
  public readonly cohort?: string;
  /** The tiers, when set. */
  public readonly priorities?: GpuWorkloadPriorities;
  /** Nominal `nvidia.com/gpu` quota per ResourceFlavor name. */
  public readonly gpuQuotas: Record<string, number>;
  private readonly rendered: RenderedQuota[];
  private readonly localQueues: GpuLocalQueue[] = [];

  constructor(scope: Construct, id: string, props: GpuClusterQueueProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') {
      throw new GpuConfigError(this, 'props', `is ${describeValue(props)}`, 'pass { quotas: [{ flavor, gpus }] }');
    }
    // Every independent prop (and each quota entry) is checked; the problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    if (props.name !== undefined) c.run(() => validateDns1123Name(this, 'name', props.name!, NameRule.DNS1123_SUBDOMAIN));
    if (props.cohort !== undefined) c.run(() => validateDns1123Name(this, 'cohort', props.cohort!, NameRule.DNS1123_SUBDOMAIN));
    c.run(() => {
      if (props.priorities !== undefined && !(props.priorities instanceof GpuWorkloadPriorities)) {
        throw new GpuConfigError(this, 'priorities', `is ${describeValue(props.priorities)}`, 'pass a GpuWorkloadPriorities');
      }
    });
    c.run(() => {
      if (!Array.isArray(props.quotas) || props.quotas.length === 0) {
        throw new GpuConfigError(this, 'quotas', `is ${describeValue(props.quotas)}, not a non-empty list`,
          'pass one entry per flavor, e.g. [{ flavor: h100Flavor, gpus: 8 }]');
      }
    });
    this.cohort = props.cohort;
    this.priorities = props.priorities;
    const seen = new Set<GpuResourceFlavor>();
    const quotas = c.failed('quotas') ? [] : props.quotas;
    const rendered = quotas.map((q, i) => c.run(() => {
      if (!q || !(q.flavor instanceof GpuResourceFlavor)) {
        throw new GpuConfigError(this, `quotas[${i}].flavor`, `is ${describeValue(q?.flavor)}, not a GpuResourceFlavor`, 'make one per pool with new GpuResourceFlavor(scope, id, { pool })');
      }
      if (seen.has(q.flavor)) throw new GpuConfigError(this, `quotas[${i}].flavor`, `repeats flavor ${q.flavor.node.path}`, 'list each flavor once (Kueue refuses a duplicate flavor)');
      seen.add(q.flavor);
      return this.checkQuota(q, i, props.cohort !== undefined && !c.failed('cohort'));
    }));
    c.throwIfAny();
    this.rendered = rendered as RenderedQuota[];
    this.gpuQuotas = {};
    for (const r of this.rendered) {
      const gpus = Number(r.quotas[GpuRequest.NVIDIA_GPU] ?? 0);
      this.gpuQuotas[r.flavor.flavorName] = gpus;
      r.flavor._addGpuQuota(this.node.path, gpus);
    }

    // A plain ApiObject holding the binding's own JSON rendering (toJson_…Spec) of the typed spec: the generated class
    // would re-map the object after JSON patches, dropping a patched quantity (`nominalQuota: 12` has no `.value`), so
    // an `addJsonPatch` escape hatch would silently vanish.
    this.clusterQueue = new ApiObject(this, 'Resource', {
      ...ClusterQueueV1Beta2.GVK,
      ...(props.name !== undefined ? { metadata: { name: props.name } } : {}),
      spec: Lazy.any({ produce: () => toJson_ClusterQueueV1Beta2Spec(this._renderSpec()) }),
    });
    this.node.defaultChild = this.clusterQueue;
  }

  /** The ClusterQueue's `metadata.name` (what LocalQueues name). */
  public get clusterQueueName(): string {
    return this.clusterQueue.name;
  }

  /**
   * A LocalQueue in the team's namespace pointing at this ClusterQueue; the namespace is then admitted by the
   * ClusterQueue's `namespaceSelector`.
   * @param team the team (its namespace)
   * @param props name of the LocalQueue
   */
  public addLocalQueue(team: GpuTeam, props: GpuLocalQueueOptions = {}): GpuLocalQueue {
    if (!(team instanceof GpuTeam)) {
      throw new GpuConfigError(this, 'addLocalQueue.team', `is ${describeValue(team)}, not a GpuTeam`, 'pass a team made with TieredPriorities.addTeam');
    }
    return new GpuLocalQueue(team, `queue-${this.node.id}`, { ...props, clusterQueue: this, namespace: team.namespaceName });
  }

  /** Called by GpuLocalQueue. @internal */
  public _register(q: GpuLocalQueue): void {
    this.localQueues.push(q);
  }

  /** Namespaces of the LocalQueues made for this ClusterQueue, sorted. */
  public get namespaces(): string[] {
    return [...new Set(this.localQueues.map((q) => q.namespace))].sort();
  }

  private checkQuota(q: GpuFlavorQuota, i: number, inCohort: boolean): RenderedQuota {
    const pool = q.flavor.pool;
    const whole = (prop: string, v: unknown): number => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new GpuConfigError(this, `quotas[${i}].${prop}`, `is ${describeValue(v)}`, 'pass a whole number >= 0');
      }
      return v;
    };
    const gpus = q.gpus === undefined ? 0 : whole('gpus', q.gpus);
    if (gpus > pool.gpuLimit) {
      throw new GpuConfigError(this, `quotas[${i}].gpus`,
        `is ${gpus}, above the GPU limit of pool ${pool.poolName} (${pool.gpuLimit}); Kueue would admit workloads Karpenter can never give nodes, and they would sit Pending holding quota`,
        `lower gpus to at most ${pool.gpuLimit} or raise the pool's gpuLimit`);
    }
    const quotas: Record<string, number | string> = {};
    if (q.gpus !== undefined) quotas[GpuRequest.NVIDIA_GPU] = gpus;
    if (q.migSlices !== undefined && !Array.isArray(q.migSlices)) {
      throw new GpuConfigError(this, `quotas[${i}].migSlices`, `is ${describeValue(q.migSlices)}, not a list`, 'pass e.g. [{ profile: \'1g.10gb\', count: 7 }]');
    }
    (q.migSlices ?? []).forEach((m, j) => {
      let req: GpuRequest;
      try {
        req = GpuRequest.mig(m?.profile, 1);
      } catch (e) {
        if (e instanceof GpuConfigError) throw new GpuConfigError(this, `quotas[${i}].migSlices[${j}].profile`, e.problem, e.fix);
        throw e;
      }
      if (req.resourceName in quotas) throw new GpuConfigError(this, `quotas[${i}].migSlices[${j}].profile`, `repeats ${m.profile}`, 'list each profile once');
      quotas[req.resourceName] = whole(`migSlices[${j}].count`, m.count);
    });
    const types = pool.allowedInstanceTypes.filter((t) => t.gpuCount > 0);
    const gpuEquivalent = gpus > 0 ? gpus : pool.gpuLimit;
    if (q.cpu !== undefined && (typeof q.cpu !== 'number' || !Number.isFinite(q.cpu) || q.cpu < 0)) {
      throw new GpuConfigError(this, `quotas[${i}].cpu`, `is ${describeValue(q.cpu)}`, 'pass cores >= 0, e.g. 96');
    }
    const cpu = q.cpu ?? Math.ceil(gpuEquivalent * Math.max(0, ...types.map((t) => t.vcpu / t.gpuCount)) - 1e-9);
    let memoryGiB: number;
    if (q.memory !== undefined) {
      if (!(q.memory instanceof Size)) throw new GpuConfigError(this, `quotas[${i}].memory`, `is ${describeValue(q.memory)}, not a Size`, 'pass Size.gibibytes(n)');
      memoryGiB = q.memory.toGibibytes();
    } else {
      memoryGiB = Math.ceil(gpuEquivalent * Math.max(0, ...types.map((t) => t.memoryGiB / t.gpuCount)) - 1e-9);
    }
    quotas.cpu = cpu;
    quotas.memory = `${memoryGiB}Gi`;
    // EFA interfaces: a multi-node TrainingJob on a pool of EFA types requests all of its node's (vpc.amazonaws.com/efa),
    // and Kueue admits no workload asking for a resource its ClusterQueue does not cover (rule GPU509).
    if (q.efaInterfaces !== undefined) {
      quotas[EFA_RESOURCE] = whole('efaInterfaces', q.efaInterfaces);
    } else if (types.length > 0 && types.every((t) => t.efaInterfaces > 0)) {
      quotas[EFA_RESOURCE] = Math.ceil(gpuEquivalent * Math.max(...types.map((t) => t.efaInterfaces / t.gpuCount)) - 1e-9);
    }
    const limit = (prop: string, v: number | undefined): number | undefined => {
      if (v === undefined) return undefined;
      whole(prop, v);
      if (!inCohort) {
        throw new GpuConfigError(this, `quotas[${i}].${prop}`, 'is set but the queue has no cohort to borrow from or lend to', 'set cohort, or drop the limit');
      }
      return v;
    };
    const gpuBorrowingLimit = limit('gpuBorrowingLimit', q.gpuBorrowingLimit);
    const gpuLendingLimit = limit('gpuLendingLimit', q.gpuLendingLimit);
    if (gpuLendingLimit !== undefined && gpuLendingLimit > gpus) {
      throw new GpuConfigError(this, `quotas[${i}].gpuLendingLimit`, `is ${gpuLendingLimit}, above the nominal ${gpus} GPUs`, `lend at most ${gpus}`);
    }
    if ((gpuBorrowingLimit !== undefined || gpuLendingLimit !== undefined) && q.gpus === undefined) {
      throw new GpuConfigError(this, `quotas[${i}].gpus`, 'is not set, but a GPU borrowing or lending limit is', 'set gpus (0 to only borrow)');
    }
    return { flavor: q.flavor, quotas, gpuBorrowingLimit, gpuLendingLimit };
  }

  /** Covered resources: whole GPUs, then MIG profiles (sorted), then cpu and memory, then EFA interfaces when a flavor has them. */
  private coveredResources(): string[] {
    const gpu = this.rendered.some((r) => GpuRequest.NVIDIA_GPU in r.quotas) ? [GpuRequest.NVIDIA_GPU] : [];
    const mig = [...new Set(this.rendered.flatMap((r) => Object.keys(r.quotas).filter((k) => k.startsWith('nvidia.com/mig-'))))].sort();
    const efa = this.rendered.some((r) => EFA_RESOURCE in r.quotas) ? [EFA_RESOURCE] : [];
    return [...gpu, ...mig, 'cpu', 'memory', ...efa];
  }

  private preemption(): ClusterQueueV1Beta2SpecPreemption | undefined {
    const tiers = this.priorities?.tiers;
    if (!tiers && this.cohort === undefined) return undefined;
    return {
      ...(tiers ? { withinClusterQueue: 'LowerPriority' as any } : {}),
      ...(this.cohort !== undefined ? { reclaimWithinCohort: 'Any' as any } : {}),
      ...(tiers && this.cohort !== undefined
        ? { borrowWithinCohort: { policy: 'LowerPriority' as any, maxPriorityThreshold: tiers[2].value } }
        : {}),
    };
  }

  private _renderSpec(): ClusterQueueV1Beta2Spec {
    const covered = this.coveredResources();
    const namespaces = this.namespaces;
    return {
      ...(this.cohort !== undefined ? { cohortName: this.cohort } : {}),
      namespaceSelector: namespaces.length
        ? { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: namespaces }] }
        : {},
      ...(this.preemption() ? { preemption: this.preemption() } : {}),
      resourceGroups: [{
        coveredResources: covered,
        flavors: this.rendered.map((r) => ({
          name: r.flavor.flavorName,
          resources: covered.map((name) => {
            const v = r.quotas[name] ?? 0;
            const gpu = name === GpuRequest.NVIDIA_GPU;
            return {
              name,
              nominalQuota: typeof v === 'number' ? NominalQuota.fromNumber(v) : NominalQuota.fromString(v),
              ...(gpu && r.gpuBorrowingLimit !== undefined ? { borrowingLimit: BorrowingLimit.fromNumber(r.gpuBorrowingLimit) } : {}),
              ...(gpu && r.gpuLendingLimit !== undefined ? { lendingLimit: LendingLimit.fromNumber(r.gpuLendingLimit) } : {}),
            };
          }),
        })),
      }],
    };
  }
}

/** Options of {@link GpuClusterQueue.addLocalQueue}. */
export interface GpuLocalQueueOptions {
  /** The LocalQueue's name (what workloads put in `kueue.x-k8s.io/queue-name`). @default - the ClusterQueue's name */
  readonly name?: string;
}

