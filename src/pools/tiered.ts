/**
 * TieredGpuCapacity: reserved capacity first, then spot, then on-demand — one pool per tier, ordered by weight.
 *
 * Karpenter tries NodePools in descending `weight` (Karpenter docs "NodePools" → "Weighted NodePools"), so the
 * reserved pool (weight 100) is used while the reservation has room, then spot (50), then on-demand (10).
 */
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { CapacityReservation, CapacityType } from './capacity';
import { BusinessHoursBudgetOptions, ConsolidationPolicy, DisruptionBudget, DisruptionBudgets } from './disruption';
import { GpuNodeClass, _isCapacityReservation as isReservation } from './node-class';
import { GpuNodePool, GpuNodePoolProps } from './node-pool';
import { GpuPoolPlacement, IGpuNodePool, PodToleration, PoolRequiredNodeAffinity } from './pool';
import { SpotGpuPool } from './spot';
import { optionalBoolean } from '../private/checks';
import { PropErrors } from '../private/collect';
import { describeValue as describe } from '../private/describe';

/** Props of {@link TieredGpuCapacity}. */
export interface TieredGpuCapacityProps {
  /**
   * Settings shared by every tier: instance selection, taints, labels, limits (`gpuLimit` or `maxNodes`, applied
   * per tier unless a tier sets its own), node class, expiry. `name` becomes the prefix of the tier pools' names
   * (`<name>-reserved`, `-spot`, `-on-demand`). Capacity types and weight are set by the tiers and must be unset.
   */
  readonly base: GpuNodePoolProps;
  /** Capacity reservations (ODCR/Capacity Block) for the reserved tier. @default - no reserved tier */
  readonly reservations?: CapacityReservation[];
  /** GPU limit of the reserved tier (e.g. the GPUs you reserved). @default - base limit */
  readonly reservedGpuLimit?: number;
  /** Add a spot tier. @default true */
  readonly spot?: boolean;
  /** GPU limit of the spot tier. @default - base limit */
  readonly spotGpuLimit?: number;
  /** Add an on-demand tier. @default true */
  readonly onDemand?: boolean;
  /** GPU limit of the on-demand tier. @default - base limit */
  readonly onDemandGpuLimit?: number;
  /**
   * Keep spot and on-demand nodes during business hours (no disruption in the window; UTC). Reserved nodes are
   * always kept until the reservation ends ({@link DisruptionBudgets.keepReservedNodes}).
   * @default - no business-hours budget
   */
  readonly businessHours?: BusinessHoursBudgetOptions;
}

/** Reserved → spot → on-demand GPU capacity as weighted Karpenter NodePools sharing one EC2NodeClass. */
export class TieredGpuCapacity extends Construct {
  /** Weight of the reserved tier. */
  public static readonly RESERVED_WEIGHT = 100;
  /** Weight of the spot tier. */
  public static readonly SPOT_WEIGHT = 50;
  /** Weight of the on-demand tier. */
  public static readonly ON_DEMAND_WEIGHT = 10;

  /** The reserved tier, when reservations were given. */
  public readonly reserved?: GpuNodePool;
  /** The spot tier, unless disabled. */
  public readonly spot?: SpotGpuPool;
  /** The on-demand tier, unless disabled. */
  public readonly onDemand?: GpuNodePool;
  /** The shared EC2NodeClass. */
  public readonly nodeClass: GpuNodeClass;
  /** The tiers, highest weight first. */
  public readonly pools: IGpuNodePool[];

  constructor(scope: Construct, id: string, props: TieredGpuCapacityProps) {
    super(scope, id);
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      throw new GpuConfigError(this, 'props', `is ${describe(props)}, not an object`,
        'pass { base: { instanceTypes, gpuLimit }, … } with the settings shared by every tier');
    }
    // Every independent prop is checked, the tiers built when the shared props allow; all problems are thrown together.
    const c = new PropErrors(this);
    c.run(() => {
      if (props.base !== undefined && (props.base === null || typeof props.base !== 'object' || Array.isArray(props.base))) {
        throw new GpuConfigError(this, 'base', `is ${describe(props.base)}, not GpuNodePoolProps`, 'pass { instanceTypes, gpuLimit } with the settings shared by every tier');
      }
    });
    const base = c.failed('base') ? ({} as GpuNodePoolProps) : props.base ?? ({} as GpuNodePoolProps);
    // The tiers' names are `<name>-reserved` etc.: an empty name would silently fall back to generated names.
    c.run(() => {
      if (base.name !== undefined && (typeof base.name !== 'string' || base.name === '')) {
        throw new GpuConfigError(this, 'base.name', `is ${describe(base.name)}, not a name prefix`,
          'use lower-case letters, digits and "-" (the tiers become <name>-reserved, <name>-spot, <name>-on-demand), or leave it unset');
      }
    });
    for (const p of ['capacityType', 'capacityTypes', 'capacityReservations', 'weight'] as const) {
      c.run(() => {
        if (base[p] !== undefined) {
          throw new GpuConfigError(this, `base.${p}`, 'is set, but the tiers choose capacity types, reservations and weights', 'drop it; use reservations, spot and onDemand');
        }
      });
    }
    c.run(() => {
      if (base.nodeClass && base.nodeClassProps) {
        throw new GpuConfigError(this, 'base.nodeClassProps', 'is set together with base.nodeClass', 'drop one of them');
      }
    });
    const reservations = c.run(() => this.checkReservations(props.reservations));
    for (const p of ['spot', 'onDemand'] as const) c.run(() => optionalBoolean(this, p, props[p], `pass true or false, or leave ${p} unset (default true)`));
    const wantSpot = props.spot === true || props.spot === undefined;
    const wantOnDemand = props.onDemand === true || props.onDemand === undefined;
    if (reservations && !c.failed('spot', 'onDemand')) {
      c.run(() => {
        if (reservations.length === 0 && !wantSpot && !wantOnDemand) {
          throw new GpuConfigError(this, 'reservations', 'is empty and spot and onDemand are both false, so there is no tier', 'enable at least one tier');
        }
      });
    }
    if (reservations && reservations.length === 0) {
      c.run(() => {
        if (props.reservedGpuLimit !== undefined) throw new GpuConfigError(this, 'reservedGpuLimit', 'is set without reservations', 'pass reservations or drop reservedGpuLimit');
      });
    }
    const hours = c.run((): DisruptionBudget[] => (props.businessHours !== undefined ? [this.businessHoursBudget(props.businessHours)] : []));
    // The tiers are GpuNodePools of the shared props (their own problems are collected too): each is built when
    // what it is made of is right (base, and its reservations, business hours or switch).
    const nodeClass = c.failed('base') ? undefined : c.run(() => base.nodeClass ?? new GpuNodeClass(this, 'NodeClass', base.nodeClassProps));
    this.nodeClass = nodeClass as GpuNodeClass;
    const pools: IGpuNodePool[] = [];
    this.pools = pools;
    if (!nodeClass) {
      c.throwIfAny();
      return;
    }
    // A problem of the shared props is found by every tier: report it once (from the first tier that finds it).
    const seen = new Set<string>();
    // A tier's own gpuLimit (reservedGpuLimit, spotGpuLimit, onDemandGpuLimit) is its own problem, never shared.
    const tier = <T>(build: () => T, ownLimit: number | undefined): T | undefined => {
      const own = new PropErrors(this);
      const built = own.run(build);
      for (const e of own.errors) {
        const mine = ownLimit !== undefined && e.property === 'gpuLimit' ? e.constructPath : '';
        const key = `${mine}\u0000${e.property}\u0000${e.problem}\u0000${e.fix}`;
        if (!seen.has(key)) c.add(e);
        seen.add(key);
      }
      return built;
    };
    const name = (suffix: string) => (base.name ? `${base.name}-${suffix}` : undefined);
    const shared: GpuNodePoolProps = { ...base, nodeClass, nodeClassProps: undefined };
    const withLimit = (limit: number | undefined): Partial<GpuNodePoolProps> =>
      (limit !== undefined ? { gpuLimit: limit, maxNodes: undefined } : {});
    // Outside scheduled windows only always-on budgets apply; without one Karpenter could disrupt every node at once.
    const always: DisruptionBudget[] = base.budgets ?? [DisruptionBudgets.atMost('10%')];

    if (reservations && reservations.length > 0) {
      this.reserved = tier(() => new GpuNodePool(this, 'Reserved', {
        ...shared,
        ...withLimit(props.reservedGpuLimit),
        name: name('reserved'),
        capacityType: CapacityType.RESERVED,
        capacityReservations: reservations,
        weight: TieredGpuCapacity.RESERVED_WEIGHT,
        consolidationPolicy: base.consolidationPolicy ?? ConsolidationPolicy.WHEN_EMPTY,
        budgets: [DisruptionBudgets.keepReservedNodes(), ...always],
      }), props.reservedGpuLimit);
      if (this.reserved) pools.push(this.reserved);
    }
    if (wantSpot && hours && !c.failed('spot')) {
      this.spot = tier(() => new SpotGpuPool(this, 'Spot', {
        ...shared,
        ...withLimit(props.spotGpuLimit),
        name: name('spot'),
        weight: TieredGpuCapacity.SPOT_WEIGHT,
        budgets: [...hours, ...always],
      }), props.spotGpuLimit);
      if (this.spot) pools.push(this.spot);
    }
    if (wantOnDemand && hours && !c.failed('onDemand')) {
      this.onDemand = tier(() => new GpuNodePool(this, 'OnDemand', {
        ...shared,
        ...withLimit(props.onDemandGpuLimit),
        name: name('on-demand'),
        capacityType: CapacityType.ON_DEMAND,
        weight: TieredGpuCapacity.ON_DEMAND_WEIGHT,
        budgets: [...hours, ...always],
      }), props.onDemandGpuLimit);
      if (this.onDemand) pools.push(this.onDemand);
    }
    c.throwIfAny();
  }

  /** `reservations` as an array of CapacityReservation, or GpuConfigError on this construct. */
  private checkReservations(value: unknown): CapacityReservation[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      const one = isReservation(value);
      throw new GpuConfigError(this, 'reservations', `is ${one ? 'a single CapacityReservation' : describe(value)}, not an array`,
        one ? 'wrap it in a list: reservations: [reservation]'
          : 'pass a list of CapacityReservation, e.g. [CapacityReservation.onDemandReservation(\'cr-0123456789abcdef0\')]');
    }
    value.forEach((r, i) => {
      if (!isReservation(r)) {
        throw new GpuConfigError(this, `reservations[${i}]`, `is ${describe(r)}, not a CapacityReservation`,
          'make it with CapacityReservation.onDemandReservation(id), .capacityBlock(id, endsAt) or .byTags(tags)');
      }
    });
    return value;
  }

  /** The business-hours budget; its errors are re-raised on this construct as `businessHours.<option>`. */
  private businessHoursBudget(options: unknown): DisruptionBudget {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new GpuConfigError(this, 'businessHours', `is ${describe(options)}, not business-hours options`,
        'pass { startHourUtc, duration, weekdays }, e.g. { startHourUtc: 8, weekdays: \'1-5\' }, or leave it unset');
    }
    try {
      return DisruptionBudgets.businessHours(options as BusinessHoursBudgetOptions);
    } catch (e) {
      if (e instanceof GpuConfigError) throw new GpuConfigError(this, `businessHours.${e.property}`, e.problem, e.fix);
      throw e;
    }
  }

  /** Tolerations for every tier (the GPU taint, the spot taint, and any extra taints). */
  public tolerations(): PodToleration[] {
    return GpuPoolPlacement.tolerations(this.pools);
  }

  /** Required node affinity admitting nodes of any tier. */
  public requiredNodeAffinity(): PoolRequiredNodeAffinity {
    return GpuPoolPlacement.requiredNodeAffinity(this.pools);
  }
}
