/**
 * What a GPU node agent (the GPU Operator's operands, the DCGM exporter, the DRA kubelet plugin) tolerates by default
 * (internal): the GPU taint of every GpuNodePool and the spot taint of SpotGpuPool (`karpenter.sh/capacity-type`, any
 * value), operator Exists, effect NoSchedule. A DaemonSet pod lands on a tainted node only when it tolerates the taint.
 */
export const NODE_AGENT_TOLERATIONS: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly effect: string }> = [
  { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'karpenter.sh/capacity-type', operator: 'Exists', effect: 'NoSchedule' },
];

/**
 * What the GPU Operator's node agents tolerate when told nothing: the operand assets' toleration and the chart's
 * `daemonsets.tolerations` and `node-feature-discovery.worker` default (gpu-operator v26.7.0). A non-empty ClusterPolicy
 * `daemonsets.tolerations` replaces it (`controllers/object_controls.go`).
 */
export const GPU_OPERATOR_OWN_TOLERATIONS: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly effect: string }> = [
  { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
];
