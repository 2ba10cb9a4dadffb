/**
 * How a pool buys EC2 capacity: on-demand, spot, or reserved (On-Demand Capacity Reservations and EC2 Capacity
 * Blocks for ML, selected through the EC2NodeClass's `capacityReservationSelectorTerms`).
 *
 * Source: Karpenter v1 docs "NodePools" (`karpenter.sh/capacity-type` values `on-demand`, `spot`, `reserved`) and
 * "NodeClasses" (`capacityReservationSelectorTerms`; the `ReservedCapacity` feature gate, needed on Karpenter
 * releases where it is not on by default), karpenter-provider-aws v1.14.1 CRD for the field patterns.
 */
import { GpuConfigError } from '../errors';
import { CAPACITY_RESERVATION_KIND } from '../private/enum-specs';
import { checkEnum } from '../private/enum-values';

/** A Karpenter capacity type (`karpenter.sh/capacity-type`). */
export class CapacityType {
  /** Pay by the hour; no interruptions. */
  public static readonly ON_DEMAND = new CapacityType('on-demand');
  /** Spare EC2 capacity at a discount; reclaimed with a 2-minute notice. */
  public static readonly SPOT = new CapacityType('spot');
  /**
   * Capacity you reserved: On-Demand Capacity Reservations or EC2 Capacity Blocks for ML (how p5 capacity is
   * usually bought). Needs `capacityReservations` on the pool (rendered on its EC2NodeClass).
   */
  public static readonly RESERVED = new CapacityType('reserved');

  /** Every capacity type, in Karpenter's order of preference for a mixed pool (reserved, spot, on-demand). */
  public static all(): CapacityType[] {
    return [CapacityType.RESERVED, CapacityType.SPOT, CapacityType.ON_DEMAND];
  }

  /**
   * The capacity type with this label value.
   * @throws GpuConfigError for anything but `on-demand`, `spot` or `reserved`
   */
  public static of(value: string): CapacityType {
    const found = CapacityType.all().find((c) => c.value === value);
    if (!found) {
      throw new GpuConfigError('CapacityType.of', 'value', `is ${JSON.stringify(value)}, not a Karpenter capacity type`,
        'use CapacityType.ON_DEMAND, CapacityType.SPOT or CapacityType.RESERVED');
    }
    return found;
  }

  /** @param value the `karpenter.sh/capacity-type` label value */
  private constructor(public readonly value: string) {}

  /** The label value. */
  public toString(): string {
    return this.value;
  }
}

/** What kind of reservation a {@link CapacityReservation} is. */
export enum CapacityReservationKind {
  /** An On-Demand Capacity Reservation (ODCR): open-ended, billed whether used or not. */
  ON_DEMAND_CAPACITY_RESERVATION = 'default',
  /** An EC2 Capacity Block for ML: a fixed window (1-182 days) of GPU instances, paid up front. */
  CAPACITY_BLOCK = 'capacity-block',
}

/** Options for a reservation selected by tags. */
export interface CapacityReservationTagOptions {
  /** The AWS account that owns the reservation (12 digits). @default - any account the tags match */
  readonly ownerId?: string;
  /** The kind of reservation (documentation and defaults only; Karpenter discovers it). @default CapacityReservationKind.ON_DEMAND_CAPACITY_RESERVATION */
  readonly kind?: CapacityReservationKind;
}

/** One entry of an EC2NodeClass's `capacityReservationSelectorTerms`. */
export class CapacityReservation {
  /**
   * An EC2 Capacity Block for ML, by its reservation id.
   * @param id the reservation id, e.g. `cr-0123456789abcdef0`
   * @param endsAt when the block ends (used in docs and to refuse blocks already over) @default - unknown
   * @param instanceCount how many instances the block holds, as bought; multi-node jobs that need more nodes than
   * this at once are refused (their first ranks would wait forever) @default - unknown: only the pool's GPU limit is checked
   */
  public static capacityBlock(id: string, endsAt?: Date, instanceCount?: number): CapacityReservation {
    CapacityReservation.checkId('CapacityReservation.capacityBlock', id);
    if (endsAt !== undefined && Number.isNaN(endsAt.getTime())) {
      throw new GpuConfigError('CapacityReservation.capacityBlock', 'endsAt', 'is an invalid Date', 'pass the block end time as a valid Date');
    }
    if (instanceCount !== undefined && (typeof instanceCount !== 'number' || !Number.isInteger(instanceCount) || instanceCount < 1)) {
      throw new GpuConfigError('CapacityReservation.capacityBlock', 'instanceCount', `is ${JSON.stringify(instanceCount)}, not a whole number of instances >= 1`,
        'pass the instance count of the block as bought (EC2 sells Capacity Blocks of 1 to 64 instances)');
    }
    return new CapacityReservation(CapacityReservationKind.CAPACITY_BLOCK, id, undefined, undefined, endsAt, instanceCount);
  }

  /**
   * An On-Demand Capacity Reservation, by its id.
   * @param id the reservation id, e.g. `cr-0123456789abcdef0`
   */
  public static onDemandReservation(id: string): CapacityReservation {
    CapacityReservation.checkId('CapacityReservation.onDemandReservation', id);
    return new CapacityReservation(CapacityReservationKind.ON_DEMAND_CAPACITY_RESERVATION, id);
  }

  /**
   * Reservations selected by their tags (`'*'` matches any value).
   * @param tags tag key/values, all must match (1-20 entries, no empty keys or values)
   */
  public static byTags(tags: Record<string, string>, options: CapacityReservationTagOptions = {}): CapacityReservation {
    const where = 'CapacityReservation.byTags';
    const entries = Object.entries(tags ?? {});
    if (entries.length === 0 || entries.length > 20) {
      throw new GpuConfigError(where, 'tags', `has ${entries.length} entries`, 'select with 1 to 20 tags');
    }
    for (const [k, v] of entries) {
      if (k === '' || v === '') throw new GpuConfigError(where, `tags[${JSON.stringify(k)}]`, 'is empty', 'use non-empty tag keys and values (\'*\' for any value)');
    }
    if (options.ownerId !== undefined && !/^[0-9]{12}$/.test(options.ownerId)) {
      throw new GpuConfigError(where, 'ownerId', `is ${JSON.stringify(options.ownerId)}, not a 12-digit AWS account id`, 'pass the owning account id, e.g. 123456789012');
    }
    if (options.kind !== undefined) checkEnum(where, 'kind', CAPACITY_RESERVATION_KIND(), options.kind);
    return new CapacityReservation(options.kind ?? CapacityReservationKind.ON_DEMAND_CAPACITY_RESERVATION, undefined, { ...tags }, options.ownerId);
  }

  private static checkId(where: string, id: string): void {
    if (typeof id !== 'string' || !/^cr-[0-9a-z]+$/.test(id)) {
      throw new GpuConfigError(where, 'id', `is ${JSON.stringify(id)}, not a capacity reservation id`, 'pass the id from the EC2 console or `aws ec2 describe-capacity-reservations`, e.g. cr-0123456789abcdef0');
    }
  }

  private constructor(
    /** The kind of reservation. */
    public readonly kind: CapacityReservationKind,
    /** The reservation id, when selected by id. */
    public readonly id?: string,
    /** The tags, when selected by tags. */
    public readonly tags?: Record<string, string>,
    /** The owner account, when selected by tags with an owner. */
    public readonly ownerId?: string,
    /** When a Capacity Block ends, when known. */
    public readonly endsAt?: Date,
    /** How many instances a Capacity Block holds, when known. */
    public readonly instanceCount?: number,
  ) {}

  /** The `capacityReservationSelectorTerms[]` entry. @internal */
  public _toSelectorTerm(): { id?: string; tags?: Record<string, string>; ownerID?: string } {
    if (this.id !== undefined) return { id: this.id };
    return { tags: this.tags, ...(this.ownerId ? { ownerID: this.ownerId } : {}) };
  }

  /** A stable identity for de-duplication. @internal */
  public _key(): string {
    return JSON.stringify(this._toSelectorTerm());
  }
}
