/**
 * Capacity Block ends and long jobs (internal).
 *
 * A Capacity Block for ML is a fixed window: "You can use all the instances you reserved until 30 minutes before the
 * end time … With 30 minutes left … we begin terminating any instances" (EC2 User Guide, Capacity Blocks), and Karpenter
 * starts draining such nodes 10 minutes before EC2 begins reclaiming them, i.e. 40 minutes before the block's end
 * (aws/karpenter-provider-aws `designs/capacity-block-support.md`, "Interruption"). A job whose `activeDeadline`
 * reaches past that point can be evicted before it finishes.
 */
import { IConstruct } from 'constructs';
import { CapacityReservationKind } from '../pools/capacity';
import { GpuNodePool } from '../pools/node-pool';
import { IGpuNodePool } from '../pools/pool';
import { _warn } from '../pools/warn';
import { CAPACITY_BLOCK_ENDS } from '../private/warnings';

/** How long before a Capacity Block's end Karpenter starts draining its nodes: 30 min (EC2) + 10 min (Karpenter). */
export const CAPACITY_BLOCK_DRAIN_LEAD_SECONDS = 40 * 60;

/**
 * Warns on `scope` when a job started at `startMs` with `deadlineSeconds` may still run when Karpenter drains a
 * Capacity Block of one of its pools.
 * @returns the warnings (also recorded on the construct and printed)
 * @internal
 */
export function _warnCapacityBlockEnds(scope: IConstruct, pools: readonly IGpuNodePool[], deadlineSeconds: number,
  startMs: number): string[] {
  const out: string[] = [];
  for (const pool of pools) {
    if (!(pool instanceof GpuNodePool)) continue;
    for (const r of pool.nodeClass.capacityReservations) {
      if (r.kind !== CapacityReservationKind.CAPACITY_BLOCK || r.endsAt === undefined) continue;
      const drainMs = r.endsAt.getTime() - CAPACITY_BLOCK_DRAIN_LEAD_SECONDS * 1000;
      const finishMs = startMs + deadlineSeconds * 1000;
      if (finishMs <= drainMs) continue;
      const left = Math.max(0, Math.floor((drainMs - startMs) / 60000));
      const message = `activeDeadline is ${Math.round(deadlineSeconds / 60)} min, but Capacity Block ${r.id ?? '(by tags)'} of pool `
        + `${pool.poolName} ends at ${r.endsAt.toISOString()} and Karpenter drains its nodes 40 minutes before that `
        + `(${left} min after the job's start): the job can be evicted before its deadline`;
      out.push(_warn(scope, CAPACITY_BLOCK_ENDS, 'activeDeadline', message));
    }
  }
  return out;
}
