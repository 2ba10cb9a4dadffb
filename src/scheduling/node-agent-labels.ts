/**
 * Node labels that agents running on a node write after it joins the cluster: NVIDIA GPU feature discovery (GFD:
 * `nvidia.com/gpu.product`, `nvidia.com/gpu.count`, `nvidia.com/cuda.*`, …) and Node Feature Discovery
 * (`feature.node.kubernetes.io/*`). Karpenter chooses a node to launch from what it knows before launch: the
 * NodePool's requirements and template labels and the well-known labels of the instance types (Karpenter
 * "Scheduling": pod constraints must fall within a NodePool's, and a label that is neither well known nor defined by
 * the NodePool has no known values). So a pod that selects such a label, which its pools do not define, never gets a
 * node from Karpenter; it runs only if a node carrying the label already exists.
 */
import { GpuModel } from '../catalog';

/** Keys `nvidia.com/…` an administrator sets rather than an agent (the GPU Operator's deploy switches, MIG Manager's config). */
const ADMIN_SET = /^nvidia\.com\/(gpu\.deploy\.|mig\.config$)/;

/** Which agent writes `key` on a node after it joins, or undefined when none does (an administrator's or Karpenter's label). */
export function labelWrittenAfterJoin(key: string): string | undefined {
  if (key.startsWith('feature.node.kubernetes.io/')) return 'Node Feature Discovery';
  if (/^nvidia\.com\/(gpu|cuda|gfd|mig|mps)\./.test(key) && !ADMIN_SET.test(key)) return 'GPU feature discovery';
  return undefined;
}

/**
 * The GPU model a GFD `nvidia.com/gpu.product` value names (`NVIDIA-A100-SXM4-80GB`, `NVIDIA-H100-80GB-HBM3`,
 * `Tesla-T4`, a MIG suffix `-MIG-1g.5gb` ignored), or undefined when the catalog has none.
 */
export function gpuModelOfProduct(product: string): GpuModel | undefined {
  const tokens = product.replace(/^(NVIDIA|Tesla)-/i, '').replace(/-MIG-.*$/i, '').split('-');
  for (let n = tokens.length; n > 0; n--) {
    const model = GpuModel.tryOf(tokens.slice(0, n).join('-'));
    if (model) return model;
  }
  return undefined;
}

/** Karpenter's label for the same fact as a GFD label, where there is one. */
const KARPENTER_EQUIVALENT: Readonly<Record<string, string>> = {
  'nvidia.com/gpu.count': 'karpenter.k8s.aws/instance-gpu-count',
  'nvidia.com/gpu.memory': 'karpenter.k8s.aws/instance-gpu-memory',
  'nvidia.com/gpu.product': 'karpenter.k8s.aws/instance-gpu-name',
};

/**
 * Why a selection of `key` (with `values`, when given) fails on every node Karpenter can launch, when the key is a
 * label an agent writes after the node joins, with the labels Karpenter knows to use instead; else undefined.
 */
export function afterJoinHint(key: string, values: readonly string[] | undefined): string | undefined {
  const agent = labelWrittenAfterJoin(key);
  if (!agent) return undefined;
  let instead = KARPENTER_EQUIVALENT[key] ? `select ${KARPENTER_EQUIVALENT[key]} instead` : 'select a label Karpenter knows instead';
  if (key === 'nvidia.com/gpu.product' && values && values.length === 1) {
    const model = gpuModelOfProduct(values[0]);
    if (model) {
      // a100 names two models: the GPU memory tells them apart.
      const twins = GpuModel.all().some((m) => m !== model && m.karpenterGpuName === model.karpenterGpuName);
      instead = `select karpenter.k8s.aws/instance-gpu-name=${model.karpenterGpuName}`
        + `${twins ? ` and karpenter.k8s.aws/instance-gpu-memory=${model.memoryMiB}` : ''} instead`;
    }
  }
  return `${key} is written by ${agent} after the node joins, so Karpenter, which chooses a node from the labels it knows `
    + `before launch, never launches one for this pod (${instead}, or add the label to the NodePool's template labels)`;
}
