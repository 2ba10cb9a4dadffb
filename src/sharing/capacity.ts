/**
 * Making sliced capacity visible (internal): a MIG or time-sliced pool tells
 *
 * 1. **Karpenter**, through `NodeOverlay` (`karpenter.sh/v1alpha1`, alpha): `spec.capacity` adds or overrides the
 *    extended resources of the matching instance types in Karpenter's scheduling simulation (karpenter
 *    `InstanceType.ApplyCapacityOverlay` assigns the overlay's values over the instance type's, so `nvidia.com/gpu: 0`
 *    really hides the whole GPUs of a MIG pool). Without it Karpenter believes a p4d offers 8 × `nvidia.com/gpu` and
 *    none of `nvidia.com/mig-1g.5gb`, so pods asking for slices stay Pending or Karpenter over-provisions.
 *    Feature gate: `NodeOverlay` is **off by default** (karpenter `pkg/operator/options` `FEATURE_GATES`); enable it
 *    with the Helm value `settings.featureGates.nodeOverlay=true` (env `FEATURE_GATES=NodeOverlay=true`), Karpenter
 *    ≥ 1.7 with the `nodeoverlays.karpenter.sh` CRD (shipped in the `karpenter-crd` chart). With the gate off the
 *    overlays are ignored silently (karpenter `pkg/cloudprovider/overlay/cloudprovider.go`).
 * 2. **Our scheduling model** (InferenceDeployment placement, `cdk8s-gpu lint/plan`), through the NodePool annotation
 *    `cdk8s-gpu.io/advertised-resources-per-gpu` (src/scheduling/nodepool.ts).
 *
 * One overlay per distinct GPU count among the pool's instance types, matched by `karpenter.sh/nodepool` and
 * `karpenter.k8s.aws/instance-gpu-count` (both keys the NodeOverlay CRD allows).
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import {
  NodeOverlay, NodeOverlaySpecCapacity, NodeOverlaySpecRequirementsOperator, NodePoolSpecLimits, toJson_NodeOverlaySpec,
} from '../imports/karpenter.sh';
import { GpuNodePool } from '../pools';
import { describeValue } from '../private/describe';
import { ADVERTISED_RESOURCES_ANNOTATION } from '../scheduling/nodepool';

/** Karpenter's NodeOverlay API version and kind (alpha). */
export const NODE_OVERLAY_API_VERSION: string = NodeOverlay.GVK.apiVersion;

/** What has been applied to each pool, so a pool is never sliced twice. */
const applied = new WeakMap<GpuNodePool, string>();

/** @internal */
export function _claimPool(pool: GpuNodePool, what: string, where: string): void {
  if (!(pool instanceof GpuNodePool)) {
    throw new GpuConfigError(where, 'pool', `is ${describeValue(pool)}, not a GpuNodePool`, 'pass a GpuNodePool');
  }
  const before = applied.get(pool);
  if (before !== undefined) {
    throw new GpuConfigError(where, 'pool', `${pool.node.path} already has ${before}; a pool gets one GPU sharing setup`,
      'use one pool per MIG config or time-slicing config');
  }
  applied.set(pool, what);
}

/**
 * Declares what each node of `pool` offers: the scheduling annotation (per GPU, possibly fractional when device
 * groups differ; exact because every allowed type has the same GPU count) and one NodeOverlay per GPU count.
 *
 * When the nodes advertise more than one `nvidia.com/gpu` per physical GPU (time-slicing without renaming,
 * single-strategy MIG), the pool's `limits['nvidia.com/gpu']` is scaled by that factor (rounded up): Karpenter counts the overlaid
 * capacity against the limit, so the limit keeps bounding `gpuLimit` physical GPUs, and a node still fits under it.
 * @param perNode extended resources per node, by GPU count of the instance type
 * @internal
 */
export function _advertise(scope: Construct, idPrefix: string, pool: GpuNodePool,
  perNode: Map<number, Record<string, number>>): ApiObject[] {
  const counts = [...perNode.keys()].sort((a, b) => a - b);
  // The scheduling hook is per GPU: divide by the GPU count (the same per-GPU values for every count by construction).
  const first = counts[0];
  const perGpu: Record<string, number> = {};
  for (const [k, v] of Object.entries(perNode.get(first)!)) perGpu[k] = v / first;
  pool.nodePool.metadata.addAnnotation(ADVERTISED_RESOURCES_ANNOTATION, JSON.stringify(perGpu));
  // Only a factor above 1 scales: mixed-strategy MIG advertises at most one nvidia.com/gpu per physical GPU (the
  // GPUs left whole), and its limit keeps counting physical GPUs.
  const gpusPerGpu = perGpu['nvidia.com/gpu'] ?? 0;
  if (gpusPerGpu > 1) {
    // The NodePool binding serialises limits after patches run (it reads `.value`), so patch in its own type.
    pool.nodePool.addJsonPatch(JsonPatch.replace('/spec/limits/nvidia.com~1gpu', NodePoolSpecLimits.fromNumber(Math.ceil(pool.gpuLimit * gpusPerGpu))));
  }
  const overlays: ApiObject[] = [];
  for (const n of counts) {
    const capacity: Record<string, NodeOverlaySpecCapacity> = {};
    for (const [k, v] of Object.entries(perNode.get(n)!)) capacity[k] = NodeOverlaySpecCapacity.fromString(String(v));
    // The binding's types and JSON rendering, in a plain ApiObject (as GpuClusterQueue does): the generated class would
    // re-map the object after JSON patches, dropping what an `addJsonPatch` escape hatch adds.
    overlays.push(new ApiObject(scope, `${idPrefix}-${n}gpu`, {
      ...NodeOverlay.GVK,
      metadata: { name: overlayName(pool.poolName, n) },
      spec: toJson_NodeOverlaySpec({
        requirements: [
          { key: 'karpenter.sh/nodepool', operator: NodeOverlaySpecRequirementsOperator.IN, values: [pool.poolName] },
          { key: 'karpenter.k8s.aws/instance-gpu-count', operator: NodeOverlaySpecRequirementsOperator.IN, values: [String(n)] },
        ],
        capacity,
      }),
    }));
  }
  return overlays;
}

/** `<pool>-<n>gpu-slices`, shortened to the 253-character object name limit. */
function overlayName(pool: string, n: number): string {
  const suffix = `-${n}gpu-slices`;
  return `${pool.slice(0, 253 - suffix.length)}${suffix}`;
}

/** Distinct GPU counts of the pool's allowed instance types. @internal */
export function _gpuCounts(pool: GpuNodePool): number[] {
  return [...new Set(pool.allowedInstanceTypes.map((t) => t.gpuCount))].sort((a, b) => a - b);
}
