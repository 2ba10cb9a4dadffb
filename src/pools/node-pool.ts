/**
 * GpuNodePool: a Karpenter v1 `NodePool` (`karpenter.sh/v1`) for GPU capacity, with its EC2NodeClass.
 *
 * Field semantics: karpenter-provider-aws v1.14.1 CRD `karpenter.sh_nodepools.yaml` (`../shared/reference/crds`)
 * and the Karpenter v1 docs "NodePools" / "Disruption"; instance data: our catalog (src/catalog).
 */
import { ApiObject, Duration, Lazy, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuInstanceType, GpuModel } from '../catalog';
import { GpuConfigError } from '../errors';
import { labelValueProblem } from '../naming';
import { CapacityReservation, CapacityType } from './capacity';
import { ConsolidationPolicy, DisruptionBudget } from './disruption';
import {
  BUDGET_DURATION, cronScheduleProblem, formatKarpenterDuration, labelKeySyntaxProblem, labelValueSyntaxProblem,
  restrictedKeyReason,
} from './karpenter-syntax';
import { GpuNodeClass, GpuNodeClassProps, _isCapacityReservation } from './node-class';
import {
  IGpuNodePool, NodeTaint, PodToleration, PoolNodeSelectorRequirement, PoolRequiredNodeAffinity, TaintEffect,
} from './pool';
import { _warn } from './warn';
import { NodePool, NodePoolSpec, NodePoolSpecLimits } from '../imports/karpenter.sh';
import { PropErrors, _priorErrors } from '../private/collect';
import { describeValue } from '../private/describe';
import { CAPACITY_TYPE, CONSOLIDATION_POLICY, DISRUPTION_REASON, TAINT_EFFECT } from '../private/enum-specs';
import { checkEnum, checkEnumLike } from '../private/enum-values';
import { NO_ALWAYS_ON_BUDGET, STARTUP_TAINT } from '../private/warnings';
import { tolerationFor } from '../scheduling/taints';

const GPU_TAINT: NodeTaint = { key: 'nvidia.com/gpu', value: 'true', effect: TaintEffect.NO_SCHEDULE };

/** Label keys the pool renders requirements for; template labels may not set them. */
const REQUIREMENT_KEYS = [
  'kubernetes.io/arch', 'kubernetes.io/os', 'karpenter.sh/capacity-type', 'node.kubernetes.io/instance-type',
  'karpenter.k8s.aws/instance-family', 'karpenter.k8s.aws/instance-gpu-name', 'karpenter.k8s.aws/instance-gpu-memory',
  'karpenter.k8s.aws/instance-gpu-count',
];

const TAINT_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(\/))?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;

/** `value` as a list, or GpuConfigError naming the prop when it is not one (undefined reads as empty). */
function iterable<T>(scope: Construct, prop: string, value: readonly T[] | undefined): readonly T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new GpuConfigError(scope, prop, `is ${describeValue(value)}, not a list`, `pass a list, e.g. ${prop}: []`);
  return value;
}

/** Props of {@link GpuNodePool}. */
export interface GpuNodePoolProps {
  /** `metadata.name` of the NodePool (also the node label `karpenter.sh/nodepool`). @default - generated from the construct path */
  readonly name?: string;
  /**
   * Instance types the pool may launch. Combined with the other selectors below (all must hold).
   * @default - every catalog type the other selectors allow
   */
  readonly instanceTypes?: GpuInstanceType[];
  /** Instance families, e.g. `['g6', 'g6e']`. @default - any family */
  readonly families?: string[];
  /** Karpenter GPU names (`karpenter.k8s.aws/instance-gpu-name`), e.g. `['h100', 'h200']`. @default - any GPU */
  readonly gpuNames?: string[];
  /** GPU models from the catalog, e.g. `[GpuModel.H100_80GB]`. @default - any GPU */
  readonly gpuModels?: GpuModel[];
  /**
   * Minimum memory per GPU in GiB, as EC2 reports it (A10G and L4 report 22.35 GiB, not 24).
   * @default - no minimum
   */
  readonly minGpuMemoryGiB?: number;
  /** Only MIG-capable GPUs (A100, H100, H200, B200, B300). @default false */
  readonly migCapableOnly?: boolean;
  /** The capacity type. Use `capacityTypes` for several. @default CapacityType.ON_DEMAND */
  readonly capacityType?: CapacityType;
  /**
   * Several capacity types in one pool (Karpenter prefers reserved, then spot, then on-demand). Prefer
   * {@link TieredGpuCapacity}, which gives each tier its own pool, weight and disruption settings.
   * @default [capacityType]
   */
  readonly capacityTypes?: CapacityType[];
  /**
   * Capacity reservations (ODCR or Capacity Block ids/tags) for `CapacityType.RESERVED`; rendered as
   * `capacityReservationSelectorTerms` on the pool's EC2NodeClass. Karpenter releases before reserved capacity
   * became default need the `ReservedCapacity` feature gate.
   * @default - none (required with CapacityType.RESERVED)
   */
  readonly capacityReservations?: CapacityReservation[];
  /** Add the taint `nvidia.com/gpu=true:NoSchedule` (tolerated by the NVIDIA device plugin and GPU Operator). @default true */
  readonly gpuTaint?: boolean;
  /** Extra taints every node carries. @default - none */
  readonly taints?: NodeTaint[];
  /**
   * Taints present while a node starts, which an agent (a DaemonSet) must remove once it is ready. Pods need not
   * tolerate them. Trap: a start-up taint nothing removes keeps the node uninitialised, its pods Pending, and
   * Karpenter launches more nodes for them.
   * @default - none
   */
  readonly startupTaints?: NodeTaint[];
  /** Labels on every node (workload class, GPU type, team) that workloads can select. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * `limits['nvidia.com/gpu']`: the most GPUs the pool may run at once. Set this or `maxNodes`.
   * @default - maxNodes × the largest GPU count among the allowed types
   */
  readonly gpuLimit?: number;
  /** The most nodes of the largest allowed type; the GPU limit is derived from it. Set this or `gpuLimit`. @default - use gpuLimit */
  readonly maxNodes?: number;
  /** `limits.cpu` in cores. @default - gpuLimit × the highest vCPU-per-GPU ratio among the allowed types */
  readonly cpuLimit?: number;
  /** `limits.memory`. @default - gpuLimit × the highest memory-per-GPU ratio among the allowed types */
  readonly memoryLimit?: Size;
  /** Which nodes consolidation may remove. @default ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED (Karpenter's default) */
  readonly consolidationPolicy?: ConsolidationPolicy;
  /**
   * How long a node must be empty/underutilized before consolidation. GPU nodes take minutes to start and
   * pull images, so a short value churns them.
   * @default Duration.minutes(5)
   */
  readonly consolidateAfter?: Duration;
  /** Disruption budgets (e.g. {@link DisruptionBudgets.businessHours}). @default - Karpenter's default (10% of nodes) */
  readonly budgets?: DisruptionBudget[];
  /**
   * Replace nodes this old (forces AMI/security updates; drains running jobs when it fires).
   * @default Duration.hours(720) (30 days, Karpenter's default)
   */
  readonly expireAfter?: Duration;
  /** Never expire nodes (`expireAfter: Never`); you then rely on drift to roll AMIs. @default false */
  readonly neverExpire?: boolean;
  /**
   * The longest Karpenter waits for a node to drain before deleting its pods. Trade-off: unset, a disrupted node
   * waits forever for pods protected by a PodDisruptionBudget or `karpenter.sh/do-not-disrupt` (a stuck drain
   * keeps an expensive GPU node alive); set, the deadline overrides PDBs, `do-not-disrupt` and pods'
   * `terminationGracePeriodSeconds` (a long training step may be killed), but node expiry and AMI roll-outs
   * are guaranteed to finish.
   * @default - unset: wait for the drain indefinitely
   */
  readonly terminationGracePeriod?: Duration;
  /** Pool priority 1-100, higher first (0 is invalid in the CRD). @default - none (Karpenter treats it as 0) */
  readonly weight?: number;
  /** The EC2NodeClass (may be shared by several pools). @default - a new GpuNodeClass with `nodeClassProps` */
  readonly nodeClass?: GpuNodeClass;
  /** Props of the node class created when `nodeClass` is not given. @default - GpuNodeClass defaults */
  readonly nodeClassProps?: GpuNodeClassProps;
  /**
   * Give every node all EFA devices of its instance type (`EC2NodeClass.spec.networkInterfaces`, `efa-only` interfaces,
   * which take no subnet addresses; see pools/efa.ts): p5.48xlarge 32, p4d.24xlarge 4, from the catalog. Every allowed
   * instance type must have EFA, with the same count (one node class has one interface layout). Pods request the
   * devices as `vpc.amazonaws.com/efa` (TrainingJob with `nodes` does) through the AWS EFA device plugin.
   * @default false
   */
  readonly efa?: boolean;
}

/**
 * A Karpenter v1 NodePool for GPU capacity, with its EC2NodeClass.
 *
 * GPU nodes only become useful when an NVIDIA device plugin advertises `nvidia.com/gpu`: install the NVIDIA
 * k8s-device-plugin (with the EKS AL2023 NVIDIA AMI, the default here) or the NVIDIA GPU Operator (driver and
 * toolkit disabled on AL2023); Bottlerocket's NVIDIA variant runs the plugin itself.
 */
export class GpuNodePool extends Construct implements IGpuNodePool {
  /** The taint every GPU pool carries by default (`nvidia.com/gpu=true:NoSchedule`), so only pods that tolerate it land there. */
  public static readonly GPU_TAINT: NodeTaint = GPU_TAINT;

  /** The generated NodePool (escape hatch: `addJsonPatch`). */
  public readonly nodePool: ApiObject;
  /** The EC2NodeClass the pool launches from. */
  public readonly nodeClass: GpuNodeClass;
  /** The catalog instance types the pool may launch, in catalog order. */
  public readonly allowedInstanceTypes: GpuInstanceType[];
  /** Capacity types, in the order written. */
  public readonly capacityTypes: CapacityType[];
  /** `limits['nvidia.com/gpu']`. */
  public readonly gpuLimit: number;
  /** `limits.cpu` in cores. */
  public readonly cpuLimit: number;
  /** `limits.memory` in GiB. */
  public readonly memoryLimitGiB: number;
  /** Pool weight. */
  public readonly weight?: number;
  /** How long Karpenter waits for a node's drain before deleting its pods. @default - none: a drain waits indefinitely */
  public readonly terminationGracePeriod?: Duration;
  /** The allowed type with the most GPUs (ties: the first in catalog order). */
  public readonly largestInstanceType: GpuInstanceType;

  private readonly _taints: NodeTaint[] = [];
  private readonly _startupTaints: NodeTaint[] = [];
  private readonly _labels: Record<string, string> = {};
  private readonly props: GpuNodePoolProps;

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    this.props = props ?? {};
    const prior = _priorErrors(props);
    props = this.props;
    // Every independent prop is checked; the problems are thrown together at the end (one GpuConfigError).
    const v = new PropErrors(this, prior);

    v.run(() => {
      if (props.name !== undefined && (typeof props.name !== 'string' || props.name.length > 63 || !DNS_LABEL_NAME.test(props.name))) {
        throw new GpuConfigError(this, 'name', `is ${JSON.stringify(props.name)}, not a valid NodePool name (it is also the value of the node label karpenter.sh/nodepool)`,
          'use at most 63 lower-case alphanumerics, "-" or "."');
      }
    });

    const types = v.run(() => this.selectInstanceTypes(props));
    this.allowedInstanceTypes = types as GpuInstanceType[];
    this.largestInstanceType = types?.reduce((a, b) => (b.gpuCount > a.gpuCount ? b : a)) as GpuInstanceType;
    const capacityTypes = v.run(() => this.selectCapacityTypes(props));
    this.capacityTypes = capacityTypes as CapacityType[];
    // The limits are judged against the instance types: skipped when those are wrong (nothing here escapes then:
    // the constructor throws at the end).
    const gpuLimit = types ? v.run(() => this.deriveGpuLimit(props)) : undefined;
    this.gpuLimit = gpuLimit as number;
    this.terminationGracePeriod = props.terminationGracePeriod;
    const limits = gpuLimit !== undefined ? v.run(() => this.deriveCpuMemoryLimits(props)) : undefined;
    [this.cpuLimit, this.memoryLimitGiB] = (limits ?? []) as [number, number];

    v.run(() => {
      if (props.weight !== undefined && (!Number.isInteger(props.weight) || props.weight < 1 || props.weight > 100)) {
        throw new GpuConfigError(this, 'weight', `is ${props.weight}, outside 1-100 (the CRD rejects 0)`,
          'use a whole number from 1 to 100, or leave weight unset for the lowest priority');
      }
    });
    this.weight = props.weight;
    this.checkDisruption(props, v);

    if (props.gpuTaint ?? true) this._taints.push(GPU_TAINT);
    for (const t of v.run(() => iterable(this, 'taints', props.taints)) ?? []) v.run(() => this.addTaint(t));
    for (const t of v.run(() => iterable(this, 'startupTaints', props.startupTaints)) ?? []) v.run(() => this.addStartupTaint(t));
    for (const [k, val] of Object.entries(props.labels ?? {})) v.run(() => this.addLabel(k, val));

    const nodeClass = v.run(() => {
      if (props.nodeClass && props.nodeClassProps) {
        throw new GpuConfigError(this, 'nodeClassProps', 'is set together with nodeClass', 'configure the shared nodeClass itself, or drop nodeClass to create one from nodeClassProps');
      }
      return props.nodeClass ?? new GpuNodeClass(this, 'NodeClass', props.nodeClassProps);
    });
    this.nodeClass = nodeClass as GpuNodeClass;
    v.run(() => {
      if (props.capacityReservations !== undefined && !Array.isArray(props.capacityReservations)) {
        throw new GpuConfigError(this, 'capacityReservations', `is ${describeValue(props.capacityReservations)}, not an array`,
          'pass a list of CapacityReservation, e.g. [CapacityReservation.onDemandReservation(\'cr-0123456789abcdef0\')]');
      }
    });
    if (!v.failed('capacityReservations')) {
      (props.capacityReservations ?? []).forEach((r, i) => v.run(() => {
        if (!_isCapacityReservation(r)) {
          throw new GpuConfigError(this, `capacityReservations[${i}]`, `is ${describeValue(r)}, not a CapacityReservation`,
            'make it with CapacityReservation.onDemandReservation(id), .capacityBlock(id, endsAt) or .byTags(tags)');
        }
        nodeClass?.addCapacityReservation(r);
      }));
    }
    v.run(() => {
      if (props.efa !== undefined && typeof props.efa !== 'boolean') {
        throw new GpuConfigError(this, 'efa', `is ${describeValue(props.efa)}, not a boolean`, 'pass true or false');
      }
    });
    if (props.efa === true && types) {
      v.run(() => {
        const without = types.filter((t) => t.efaInterfaces === 0);
        if (without.length > 0) {
          throw new GpuConfigError(this, 'efa', `is true, but ${without.map((t) => t.name).join(', ')} ${without.length === 1 ? 'has' : 'have'} no EFA`,
            'restrict instanceTypes to EFA types (e.g. GpuInstanceType.P5_48XLARGE, P4D_24XLARGE) or drop efa');
        }
        const counts = [...new Set(types.map((t) => t.efaInterfaces))];
        if (counts.length > 1) {
          throw new GpuConfigError(this, 'efa', `is true, but the instance types have different EFA counts (${types.map((t) => `${t.name}: ${t.efaInterfaces}`).join(', ')}), and one node class has one interface layout`,
            'restrict instanceTypes to types with one EFA count, e.g. [GpuInstanceType.P5_48XLARGE]');
        }
        nodeClass?.useEfaInterfaces(counts[0]);
      });
    }
    if (capacityTypes && nodeClass && !v.failed('capacityReservations')) {
      v.run(() => {
        if (capacityTypes.includes(CapacityType.RESERVED) && nodeClass.capacityReservations.length === 0) {
          throw new GpuConfigError(this, 'capacityReservations', 'is empty, but the pool buys CapacityType.RESERVED',
            'pass capacityReservations: [CapacityReservation.capacityBlock(\'cr-…\')] (or an ODCR id/tags), or drop RESERVED');
        }
        if ((props.capacityReservations ?? []).length > 0 && !capacityTypes.includes(CapacityType.RESERVED)) {
          throw new GpuConfigError(this, 'capacityReservations', `is set, but capacity types are [${capacityTypes.join(', ')}], so the reservations are never used`,
            'add CapacityType.RESERVED to capacityTypes (or use TieredGpuCapacity)');
        }
      });
    }
    v.throwIfAny();

    this.nodePool = new NodePool(this, 'Resource', {
      ...(props.name !== undefined ? { metadata: { name: props.name } } : {}),
      spec: Lazy.any({ produce: () => this._renderSpec() }) as any,
    });
    this.node.defaultChild = this.nodePool;
  }

  /** The NodePool's `metadata.name` (and the node label `karpenter.sh/nodepool`). */
  public get poolName(): string {
    return this.nodePool.name;
  }

  /** Taints every node carries (copy). */
  public get taints(): NodeTaint[] {
    return this._taints.map((t) => ({ ...t }));
  }

  /** Start-up taints (copy). */
  public get startupTaints(): NodeTaint[] {
    return this._startupTaints.map((t) => ({ ...t }));
  }

  /** Labels every node carries, set by the pool (copy). */
  public get labels(): Record<string, string> {
    return { ...this._labels };
  }

  /** Add a taint every node carries (pods must tolerate it). */
  public addTaint(taint: NodeTaint): void {
    this.checkTaint('taints', taint);
    if ([...this._taints, ...this._startupTaints].some((t) => t.key === taint.key && t.effect === taint.effect)) {
      throw new GpuConfigError(this, 'taints', `already has a taint ${taint.key}:${taint.effect}`, 'keep one taint per key and effect (Kubernetes rejects duplicates)');
    }
    this._taints.push({ ...taint });
  }

  /**
   * Add a start-up taint. Something on the node (usually a DaemonSet that tolerates it) must remove it, or the
   * node never initialises and Karpenter launches more nodes for the pending pods.
   */
  public addStartupTaint(taint: NodeTaint): void {
    this.checkTaint('startupTaints', taint);
    if ([...this._taints, ...this._startupTaints].some((t) => t.key === taint.key && t.effect === taint.effect)) {
      throw new GpuConfigError(this, 'startupTaints', `already has a taint ${taint.key}:${taint.effect}`, 'keep one taint per key and effect');
    }
    this._startupTaints.push({ ...taint });
    _warn(this, STARTUP_TAINT, 'startupTaints', `start-up taint ${taint.key}:${taint.effect} must be removed by an agent on the node; otherwise nodes never initialise and Karpenter keeps launching new ones`,
      `run a DaemonSet that tolerates ${taint.key}:${taint.effect} and removes it once the node is ready, or drop the start-up taint`);
  }

  /** Add a label every node carries. */
  public addLabel(key: string, value: string): void {
    const prop = `labels[${JSON.stringify(key)}]`;
    const syntax = labelKeySyntaxProblem(key);
    if (syntax) throw new GpuConfigError(this, prop, `is not a valid label key: it ${syntax}`, 'use a key like example.com/team');
    const restricted = restrictedKeyReason(key);
    if (restricted) throw new GpuConfigError(this, prop, `is refused by Karpenter: ${restricted}`, 'use a label in your own domain, e.g. example.com/gpu-class');
    if (REQUIREMENT_KEYS.includes(key)) {
      throw new GpuConfigError(this, prop, 'is set by the pool\'s own requirements', `drop the label; select ${key} through instanceTypes, families, gpuNames or capacityType`);
    }
    if (typeof value !== 'string') throw new GpuConfigError(this, prop, 'is not a string', 'label values are strings');
    const vp = labelValueSyntaxProblem(value);
    if (vp) throw new GpuConfigError(this, prop, `has the value ${JSON.stringify(value)}, which ${vp}`, 'use a valid label value');
    if (Object.keys(this._labels).length >= 100 && !(key in this._labels)) {
      throw new GpuConfigError(this, 'labels', 'has 100 labels, the CRD maximum', 'use fewer labels');
    }
    this._labels[key] = value;
  }

  /** Tolerations matching exactly this pool's taints (start-up taints excluded: Karpenter does not require them). */
  public tolerations(): PodToleration[] {
    return this._taints.map((t) => ({ ...tolerationFor(t) }));
  }

  /** `karpenter.sh/nodepool In [poolName]`. */
  public nodeSelectorRequirements(): PoolNodeSelectorRequirement[] {
    return [{ key: 'karpenter.sh/nodepool', operator: 'In', values: [this.poolName] }];
  }

  /** Required node affinity pinning a pod to this pool. */
  public requiredNodeAffinity(): PoolRequiredNodeAffinity {
    return { nodeSelectorTerms: [{ matchExpressions: this.nodeSelectorRequirements() }] };
  }

  private selectInstanceTypes(props: GpuNodePoolProps): GpuInstanceType[] {
    const anySelector = props.instanceTypes !== undefined || props.families !== undefined || props.gpuNames !== undefined
      || props.gpuModels !== undefined || props.minGpuMemoryGiB !== undefined || props.migCapableOnly === true;
    if (!anySelector) {
      throw new GpuConfigError(this, 'instanceTypes', 'is not set, and no families, gpuNames, gpuModels or minGpuMemoryGiB narrow the pool (it would allow every GPU type, p6-b300 included)',
        'set instanceTypes (e.g. [GpuInstanceType.P5_48XLARGE]) or families (e.g. [\'g6\', \'g6e\'])');
    }
    const empty = (name: string, v: unknown[] | undefined) => {
      if (v !== undefined && v.length === 0) throw new GpuConfigError(this, name, 'is an empty list, which selects nothing', `list at least one entry or leave ${name} unset`);
    };
    empty('instanceTypes', props.instanceTypes);
    empty('families', props.families);
    empty('gpuNames', props.gpuNames);
    empty('gpuModels', props.gpuModels);

    const catalog = GpuInstanceType.all();
    let types: GpuInstanceType[];
    if (props.instanceTypes) {
      props.instanceTypes.forEach((t, i) => {
        const known = t && typeof t.name === 'string' ? GpuInstanceType.tryOf(t.name) : undefined;
        if (!known) {
          throw new GpuConfigError(this, `instanceTypes[${i}]`, `is ${JSON.stringify((t as any)?.name ?? t)}, not a catalog GPU instance type`, 'use GpuInstanceType.of(\'<name>\') or a static such as GpuInstanceType.P5_48XLARGE');
        }
        if (known.gpuCount < 1) {
          throw new GpuConfigError(this, `instanceTypes[${i}]`, `is ${known.name}, which has no GPU`, 'choose a GPU instance type');
        }
      });
      const names = new Set(props.instanceTypes.map((t) => t.name));
      types = catalog.filter((t) => names.has(t.name));
    } else {
      types = catalog;
    }
    const narrow = (prop: string, what: string, keep: (t: GpuInstanceType) => boolean) => {
      if (props.instanceTypes) {
        const dropped = types.filter((t) => !keep(t));
        if (dropped.length > 0) {
          throw new GpuConfigError(this, 'instanceTypes', `lists ${dropped.map((t) => t.name).join(', ')}, which ${dropped.length === 1 ? 'does' : 'do'} not match ${prop} (${what})`,
            `drop ${dropped.length === 1 ? 'it' : 'them'} from instanceTypes or widen ${prop}`);
        }
      }
      types = types.filter(keep);
    };
    if (props.families) {
      const families = props.families.map((f, i) => {
        try {
          return GpuInstanceType.ofFamily(f)[0].family;
        } catch (e) {
          if (e instanceof GpuConfigError) throw new GpuConfigError(this, `families[${i}]`, e.problem, e.fix);
          throw e;
        }
      });
      narrow('families', families.join(', '), (t) => families.includes(t.family));
    }
    if (props.gpuNames) {
      const known = [...new Set(GpuModel.all().map((g) => g.karpenterGpuName))];
      props.gpuNames.forEach((g, i) => {
        if (!known.includes(g)) {
          throw new GpuConfigError(this, `gpuNames[${i}]`, `is ${JSON.stringify(g)}, not a Karpenter GPU name of the catalog`, `use one of ${known.join(', ')} (lower case, as in karpenter.k8s.aws/instance-gpu-name)`);
        }
      });
      narrow('gpuNames', props.gpuNames.join(', '), (t) => props.gpuNames!.includes(t.gpu.karpenterGpuName));
    }
    if (props.gpuModels) {
      const models = props.gpuModels;
      narrow('gpuModels', models.map((m) => m.name).join(', '), (t) => models.includes(t.gpu));
    }
    if (props.minGpuMemoryGiB !== undefined) {
      const min = props.minGpuMemoryGiB;
      if (!Number.isFinite(min) || min <= 0) {
        throw new GpuConfigError(this, 'minGpuMemoryGiB', `is ${min}`, 'pass a positive number of GiB per GPU, e.g. 40');
      }
      narrow('minGpuMemoryGiB', `${min} GiB per GPU`, (t) => t.gpuMemoryMiB >= min * 1024);
    }
    if (props.migCapableOnly) {
      narrow('migCapableOnly', 'MIG-capable GPUs only', (t) => t.migCapable);
    }
    if (types.length === 0) {
      throw new GpuConfigError(this, 'instanceTypes', 'selects no catalog instance type: the selectors (instanceTypes, families, gpuNames, gpuModels, minGpuMemoryGiB, migCapableOnly) exclude each other',
        'widen the selection, e.g. lower minGpuMemoryGiB or add a family');
    }
    return types;
  }

  private selectCapacityTypes(props: GpuNodePoolProps): CapacityType[] {
    if (props.capacityType !== undefined && props.capacityTypes !== undefined) {
      throw new GpuConfigError(this, 'capacityTypes', 'is set together with capacityType', 'set capacityType for one, or capacityTypes for several');
    }
    const isMember = (c: unknown) => CapacityType.all().includes(c as CapacityType);
    if (props.capacityTypes === undefined) {
      const one = props.capacityType ?? CapacityType.ON_DEMAND;
      checkEnumLike(this, 'capacityType', CAPACITY_TYPE, one, isMember);
      return [one];
    }
    const list = props.capacityTypes;
    if (!Array.isArray(list)) throw new GpuConfigError(this, 'capacityTypes', `is ${describeValue(list)}, not a list`, 'pass e.g. [CapacityType.SPOT, CapacityType.ON_DEMAND]');
    if (list.length === 0) throw new GpuConfigError(this, 'capacityTypes', 'is empty', 'list at least one capacity type');
    const seen = new Set<string>();
    list.forEach((c, i) => {
      checkEnumLike(this, `capacityTypes[${i}]`, CAPACITY_TYPE, c, isMember);
      if (seen.has(c.value)) throw new GpuConfigError(this, `capacityTypes[${i}]`, `repeats ${c.value}`, 'list each capacity type once');
      seen.add(c.value);
    });
    return [...list];
  }

  private deriveGpuLimit(props: GpuNodePoolProps): number {
    const largest = this.largestInstanceType;
    if (props.gpuLimit !== undefined && props.maxNodes !== undefined) {
      throw new GpuConfigError(this, 'maxNodes', 'is set together with gpuLimit', 'set gpuLimit (GPUs) or maxNodes (nodes of the largest type), not both');
    }
    if (props.maxNodes !== undefined) {
      if (!Number.isInteger(props.maxNodes) || props.maxNodes < 1) {
        throw new GpuConfigError(this, 'maxNodes', `is ${props.maxNodes}`, 'pass a whole number of nodes >= 1');
      }
      return props.maxNodes * largest.gpuCount;
    }
    if (props.gpuLimit === undefined) {
      throw new GpuConfigError(this, 'gpuLimit', 'is not set (nor maxNodes), so the pool could buy GPUs without bound',
        `set gpuLimit (e.g. ${largest.gpuCount * 4} for four ${largest.name} nodes) or maxNodes`);
    }
    if (!Number.isInteger(props.gpuLimit) || props.gpuLimit < 1) {
      throw new GpuConfigError(this, 'gpuLimit', `is ${props.gpuLimit}`, 'pass a whole number of GPUs >= 1');
    }
    if (props.gpuLimit < largest.gpuCount) {
      throw new GpuConfigError(this, 'gpuLimit', `is ${props.gpuLimit}, below one ${largest.name} node (${largest.gpuCount} GPUs)`,
        `raise gpuLimit to at least ${largest.gpuCount} or drop ${largest.name}`);
    }
    return props.gpuLimit;
  }

  private deriveCpuMemoryLimits(props: GpuNodePoolProps): [number, number] {
    const types = this.allowedInstanceTypes;
    const maxCpu = types.reduce((a, b) => (b.vcpu > a.vcpu ? b : a));
    const maxMem = types.reduce((a, b) => (b.memoryGiB > a.memoryGiB ? b : a));
    let cpu: number;
    if (props.cpuLimit !== undefined) {
      if (!Number.isFinite(props.cpuLimit) || props.cpuLimit < maxCpu.vcpu) {
        throw new GpuConfigError(this, 'cpuLimit', `is ${props.cpuLimit}, below one ${maxCpu.name} node (${maxCpu.vcpu} vCPU)`,
          `raise cpuLimit to at least ${maxCpu.vcpu}, leave it unset to derive it, or drop ${maxCpu.name}`);
      }
      cpu = props.cpuLimit;
    } else {
      cpu = Math.ceil(this.gpuLimit * Math.max(...types.map((t) => t.vcpu / t.gpuCount)));
    }
    let mem: number;
    if (props.memoryLimit !== undefined) {
      mem = props.memoryLimit.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
      if (!Number.isFinite(mem) || mem < maxMem.memoryGiB) {
        throw new GpuConfigError(this, 'memoryLimit', `is ${mem} GiB, below one ${maxMem.name} node (${maxMem.memoryGiB} GiB)`,
          `raise memoryLimit to at least Size.gibibytes(${maxMem.memoryGiB}), leave it unset, or drop ${maxMem.name}`);
      }
    } else {
      mem = Math.ceil(this.gpuLimit * Math.max(...types.map((t) => t.memoryGiB / t.gpuCount)));
    }
    return [cpu, mem];
  }

  private checkTaint(prop: string, t: NodeTaint): void {
    if (!t || typeof t.key !== 'string' || !TAINT_KEY.test(t.key) || t.key.length > 316) {
      throw new GpuConfigError(this, prop, `has the key ${JSON.stringify(t?.key)}, not a valid taint key`, 'use a key like nvidia.com/gpu or example.com/dedicated');
    }
    if (t.value !== undefined && t.value !== '' && labelValueProblem(t.value) !== undefined) {
      throw new GpuConfigError(this, prop, `has the value ${JSON.stringify(t.value)} for ${t.key}, not a valid taint value`, 'use up to 63 alphanumerics, "-", "_" or "."');
    }
    checkEnum(this, `${prop}.effect`, TAINT_EFFECT(), t.effect);
  }

  private checkDisruption(props: GpuNodePoolProps, v: PropErrors): void {
    v.run(() => {
      if (props.consolidateAfter !== undefined) {
        const r = formatKarpenterDuration(props.consolidateAfter);
        if (r.error) throw new GpuConfigError(this, 'consolidateAfter', r.error, 'use whole seconds, e.g. Duration.minutes(5)');
      }
    });
    v.run(() => {
      if (props.neverExpire && props.expireAfter !== undefined) {
        throw new GpuConfigError(this, 'expireAfter', 'is set together with neverExpire', 'drop one of them');
      }
      if (props.expireAfter !== undefined) {
        const r = formatKarpenterDuration(props.expireAfter);
        if (r.error) throw new GpuConfigError(this, 'expireAfter', r.error, 'use whole seconds, e.g. Duration.days(14)');
        if (r.value === '0s') throw new GpuConfigError(this, 'expireAfter', 'is zero, so nodes would expire as soon as they start', 'use a positive duration or neverExpire: true');
      }
    });
    v.run(() => {
      if (props.terminationGracePeriod !== undefined) {
        const r = formatKarpenterDuration(props.terminationGracePeriod);
        if (r.error) throw new GpuConfigError(this, 'terminationGracePeriod', r.error, 'use whole seconds, e.g. Duration.hours(1)');
      }
    });
    if (props.consolidationPolicy !== undefined) v.run(() => checkEnum(this, 'consolidationPolicy', CONSOLIDATION_POLICY(), props.consolidationPolicy));
    v.run(() => this.checkBudgets(props));
  }

  private checkBudgets(props: GpuNodePoolProps): void {
    const budgets = props.budgets ?? [];
    if (!Array.isArray(budgets)) throw new GpuConfigError(this, 'budgets', `is ${describeValue(budgets)}, not a list`, 'pass a list of DisruptionBudget, e.g. [DisruptionBudgets.atMost(\'10%\')]');
    if (budgets.length > 50) throw new GpuConfigError(this, 'budgets', `has ${budgets.length} entries, over the CRD maximum of 50`, 'merge budgets');
    budgets.forEach((b, i) => {
      const p = `budgets[${i}]`;
      if (typeof b.nodes !== 'string' || !BUDGET_NODES.test(b.nodes)) {
        throw new GpuConfigError(this, `${p}.nodes`, `is ${JSON.stringify(b.nodes)}, neither a count nor a percentage 0-100%`, 'use e.g. \'0\', \'1\' or \'10%\'');
      }
      if ((b.schedule === undefined) !== (b.duration === undefined)) {
        throw new GpuConfigError(this, p, `sets ${b.schedule === undefined ? 'duration' : 'schedule'} without ${b.schedule === undefined ? 'schedule' : 'duration'}`,
          'set both schedule and duration, or neither (always active)');
      }
      if (b.schedule !== undefined) {
        const problem = cronScheduleProblem(b.schedule);
        if (problem) throw new GpuConfigError(this, `${p}.schedule`, `is "${b.schedule}", which ${problem}`, 'write 5 cron fields in UTC, e.g. \'0 9 * * 1-5\'');
      }
      if (b.duration !== undefined) {
        const r = formatKarpenterDuration(b.duration, true);
        if (r.error) throw new GpuConfigError(this, `${p}.duration`, r.error, 'use whole minutes or hours, e.g. Duration.hours(8)');
        if (!BUDGET_DURATION.test(r.value!)) throw new GpuConfigError(this, `${p}.duration`, `is ${r.value}`, 'use whole minutes or hours, e.g. Duration.hours(8)');
      }
      const reasons = b.reasons ?? [];
      reasons.forEach((reason, j) => {
        checkEnum(this, `${p}.reasons[${j}]`, DISRUPTION_REASON(), reason);
      });
      if (new Set(reasons).size !== reasons.length) throw new GpuConfigError(this, `${p}.reasons`, 'repeats a reason', 'list each reason once');
    });
    if (budgets.length > 0 && budgets.every((b) => b.schedule !== undefined || (b.reasons !== undefined && b.reasons.length > 0))) {
      _warn(this, NO_ALWAYS_ON_BUDGET, 'budgets', 'every disruption budget is scheduled or limited to some reasons, so outside them no budget applies and Karpenter may disrupt all nodes at once',
        'add an always-on budget such as DisruptionBudgets.atMost(\'10%\')');
    }
  }

  /** The requirements. @internal */
  public _requirements(): PoolNodeSelectorRequirement[] {
    const p = this.props;
    const types = this.allowedInstanceTypes;
    const archs = [...new Set(types.map((t) => t.architecture))];
    const reqs: PoolNodeSelectorRequirement[] = [
      { key: 'kubernetes.io/arch', operator: 'In', values: archs },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: this.capacityTypes.map((c) => c.value) },
      { key: 'node.kubernetes.io/instance-type', operator: 'In', values: types.map((t) => t.name) },
    ];
    if (p.families) reqs.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [...new Set(types.map((t) => t.family))] });
    if (p.gpuNames || p.gpuModels) reqs.push({ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: [...new Set(types.map((t) => t.gpu.karpenterGpuName))] });
    if (p.minGpuMemoryGiB !== undefined) {
      reqs.push({ key: 'karpenter.k8s.aws/instance-gpu-memory', operator: 'Gt', values: [String(Math.ceil(p.minGpuMemoryGiB * 1024) - 1)] });
    }
    reqs.push({ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] });
    return reqs;
  }

  /**
   * The inputs of the NodePool's JSON, as text: its rendered spec, its metadata and its JSON patches. Equal texts give
   * equal JSON, so the scheduling model of the pool can be reused without rendering it (see workloads/gpu-pod.ts).
   * Undefined when a JSON patch holds a lazy value (a Lazy or an object with `resolve()`): the caller then compares
   * the rendered JSON.
   * @internal
   */
  public _modelFingerprint(): string | undefined {
    // The spec is this class's own rendering of typed props (strings, numbers, NodePoolSpecLimits). The metadata and the
    // JSON patches come from elsewhere: they are written as they are held, unresolved (resolving the metadata, as its
    // toJson() does, costs more than all the rest, and this runs for every pool each time a workload is placed), and
    // searched for lazy values. The metadata's fields (its labels, annotations, finalizers, owner references and other
    // attributes) are written whatever cdk8s names them; only its back-reference to the NodePool is left out.
    let lazy = false;
    const text = (value: unknown) => JSON.stringify(value, (key, v) => {
      if (key === 'apiObject' && v instanceof ApiObject) return undefined;
      if (v instanceof Lazy || (v !== null && typeof v === 'object' && typeof v.resolve === 'function')) lazy = true;
      return v;
    });
    const metadata = text(this.nodePool.metadata);
    const patches = text((this.nodePool as any).patches ?? []);
    return lazy ? undefined : `${JSON.stringify(this._renderSpec())}\n${metadata}\n${patches}`;
  }

  /** The NodePool spec. @internal */
  public _renderSpec(): NodePoolSpec {
    const p = this.props;
    const taint = (t: NodeTaint) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect });
    const budgets = (p.budgets ?? []).map((b) => ({
      nodes: b.nodes,
      ...(b.schedule !== undefined ? { schedule: b.schedule } : {}),
      ...(b.duration !== undefined ? { duration: formatKarpenterDuration(b.duration, true).value } : {}),
      ...(b.reasons && b.reasons.length > 0 ? { reasons: [...b.reasons] } : {}),
    }));
    const expireAfter = p.neverExpire ? 'Never' : formatKarpenterDuration(p.expireAfter ?? Duration.hours(720)).value;
    const spec: any = {
      template: {
        ...(Object.keys(this._labels).length > 0 ? { metadata: { labels: { ...this._labels } } } : {}),
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: this.nodeClass.nodeClassName },
          requirements: this._requirements(),
          ...(this._taints.length > 0 ? { taints: this._taints.map(taint) } : {}),
          ...(this._startupTaints.length > 0 ? { startupTaints: this._startupTaints.map(taint) } : {}),
          expireAfter,
          ...(p.terminationGracePeriod !== undefined ? { terminationGracePeriod: formatKarpenterDuration(p.terminationGracePeriod).value } : {}),
        },
      },
      limits: {
        'cpu': NodePoolSpecLimits.fromNumber(this.cpuLimit),
        'memory': NodePoolSpecLimits.fromString(`${this.memoryLimitGiB}Gi`),
        'nvidia.com/gpu': NodePoolSpecLimits.fromNumber(this.gpuLimit),
      },
      disruption: {
        consolidationPolicy: p.consolidationPolicy ?? ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
        consolidateAfter: formatKarpenterDuration(p.consolidateAfter ?? Duration.minutes(5)).value,
        ...(budgets.length > 0 ? { budgets } : {}),
      },
      ...(this.weight !== undefined ? { weight: this.weight } : {}),
    };
    return spec as NodePoolSpec;
  }
}
