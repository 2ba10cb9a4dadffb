/**
 * Karpenter feature gates that follow the charts deployed on the cluster (internal to GpuEksCluster).
 *
 * Karpenter's Helm chart (v1.14) reads `settings.featureGates.<gate>`; three gates decide whether objects the
 * library makes do anything at all:
 * - `nodeOverlay` (alpha, off by default): without it Karpenter ignores NodeOverlays silently, so MIG and time-sliced
 *   pools (whose overlays advertise the slices) never get a node for a pod asking for a slice;
 * - `reservedCapacity` (beta, on by default): native On-Demand Capacity Reservation / Capacity Block support
 *   (karpenter.sh docs, Tasks → "Utilizing On-Demand Capacity Reservations and Capacity Blocks");
 * - `staticCapacity` (alpha, off by default): NodePools with `spec.replicas` (karpenter.sh docs, Concepts → NodePools,
 *   `spec.replicas`).
 * Gates the charts need are turned on; a gate the user turned off (`karpenter.values.settings.featureGates`) while a
 * chart needs it is refused when the app is synthesised (charts may change until then).
 */
import { Lazy } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { GpuConfigError } from '../errors';

/** Why each gate is needed, per gate name (chart values spelling). */
export type GateNeeds = Map<string, string>;

function jsonOf(obj: cdk8s.ApiObject): any {
  try {
    return obj.toJson();
  } catch {
    return undefined; // an object that cannot render yet is judged by its own validation
  }
}

/** The Karpenter feature gates the objects of `chart` need, with the first object that needs each. */
export function gatesNeededBy(chart: cdk8s.Chart): GateNeeds {
  const needs: GateNeeds = new Map();
  const need = (gate: string, why: string) => { if (!needs.has(gate)) needs.set(gate, why); };
  for (const c of chart.node.findAll()) {
    if (!(c instanceof cdk8s.ApiObject)) continue;
    const group = c.apiGroup;
    if (c.kind === 'NodeOverlay' && group === 'karpenter.sh') {
      need('nodeOverlay', `NodeOverlay ${c.name}`);
    } else if (c.kind === 'NodePool' && group === 'karpenter.sh') {
      const json = jsonOf(c);
      const reqs: any[] = Array.isArray(json?.spec?.template?.spec?.requirements) ? json.spec.template.spec.requirements : [];
      if (reqs.some((r) => r?.key === 'karpenter.sh/capacity-type' && r?.operator === 'In' && (r.values ?? []).includes('reserved'))) {
        need('reservedCapacity', `NodePool ${c.name} (capacity type reserved)`);
      }
      if (json?.spec?.replicas !== undefined) need('staticCapacity', `NodePool ${c.name} (spec.replicas)`);
    } else if (c.kind === 'EC2NodeClass' && group === 'karpenter.k8s.aws') {
      const json = jsonOf(c);
      if (Array.isArray(json?.spec?.capacityReservationSelectorTerms) && json.spec.capacityReservationSelectorTerms.length > 0) {
        need('reservedCapacity', `EC2NodeClass ${c.name} (capacityReservationSelectorTerms)`);
      }
    }
  }
  return needs;
}

/**
 * The cluster's Karpenter feature gates: `settings.featureGates` of the chart values becomes a lazy value holding the
 * user's gates plus every gate the added charts need; a validation refuses a chart needing a gate turned off.
 * @internal
 */
export class _KarpenterFeatureGates implements IValidation {
  private readonly charts: cdk8s.Chart[] = [];

  /**
   * @param scope the cluster (for messages)
   * @param base gates always on (e.g. `reservedCapacity` when the stack names reservations)
   * @param user the user's `settings.featureGates` from the chart values, if any
   */
  constructor(private readonly scope: IConstruct, private readonly base: Record<string, boolean>,
    private readonly user: Record<string, unknown> | undefined) {
    scope.node.addValidation(this);
  }

  /** Records a chart deployed on the cluster. */
  public track(chart: cdk8s.Chart): void {
    this.charts.push(chart);
  }

  /** `values` with `settings.featureGates` replaced by the lazy, chart-following gates. */
  public apply(values: Record<string, any>): Record<string, any> {
    return {
      ...values,
      settings: { ...(values.settings ?? {}), featureGates: Lazy.any({ produce: () => this.gates() }) },
    };
  }

  /** The gates as rendered: base, then what charts need, then the user's own settings (which win). */
  public gates(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.base };
    for (const chart of this.charts) for (const gate of gatesNeededBy(chart).keys()) out[gate] = true;
    return { ...out, ...(this.user ?? {}) };
  }

  public validate(): string[] {
    const errors: string[] = [];
    for (const chart of this.charts) {
      for (const [gate, why] of gatesNeededBy(chart)) {
        if (this.user?.[gate] !== false) continue;
        errors.push(new GpuConfigError(this.scope, `karpenter.values.settings.featureGates.${gate}`,
          `is false, but chart ${chart.node.path} needs it: ${why}; Karpenter would ignore it without a word`,
          `drop featureGates.${gate}: false (GpuEksStack turns the gate on for charts that need it), or remove the object from the chart`).message);
      }
    }
    return errors;
  }
}
