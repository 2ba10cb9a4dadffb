/**
 * Reservations declared once (internal to GpuEksCluster): the cluster's `capacityReservationIds` are what its pools
 * use. `GpuEksCluster.capacityReservation(id)` hands a pool a `CapacityReservation` the cluster knows, and a chart
 * added to the cluster whose EC2NodeClasses select a reservation id the cluster does not name is refused (the
 * Karpenter controller's IAM policy and the operator's capacity plan both come from the cluster's list).
 */
import * as cdk8s from 'cdk8s';
import { IConstruct } from 'constructs';
import { GpuConfigError } from '../errors';
import { CapacityReservation } from '../pools/capacity';

/** A reservation of the cluster's list: a Capacity Block when `endsAt` is given, else an On-Demand Capacity Reservation. */
export function _reservationOf(scope: IConstruct, known: readonly string[], id: string, endsAt?: Date): CapacityReservation {
  if (!known.includes(id)) {
    throw new GpuConfigError(scope, 'capacityReservation(id)', `is ${JSON.stringify(id)}, not one of the cluster's capacityReservationIds [${known.join(', ')}]`,
      `add ${JSON.stringify(id)} to capacityReservationIds, or use one of those`);
  }
  return endsAt !== undefined ? CapacityReservation.capacityBlock(id, endsAt) : CapacityReservation.onDemandReservation(id);
}

/** Refuses a chart whose node classes select a reservation id the cluster does not know. */
export function _checkChartReservations(scope: IConstruct, known: readonly string[], chart: cdk8s.Chart): void {
  for (const c of chart.node.findAll()) {
    const reservations = (c as any).capacityReservations;
    if (!Array.isArray(reservations)) continue;
    for (const r of reservations) {
      if (!(r instanceof CapacityReservation) || r.id === undefined || known.includes(r.id)) continue;
      throw new GpuConfigError(scope, 'addChart(chart)', `gets ${c.node.path}, which selects capacity reservation ${r.id}, `
        + `not one of the cluster's capacityReservationIds [${known.join(', ')}]`,
      `add ${r.id} to capacityReservationIds (the stack's list is what pools use), and take the reservation from the cluster: `
        + 'stack.gpuCluster.capacityReservation(id)');
    }
  }
}
