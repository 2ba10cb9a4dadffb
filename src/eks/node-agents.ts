/**
 * The GPU node agents a GpuEksCluster installs must run on every GPU node of the NodePools deployed onto it: when a
 * cdk8s chart is added, the taints of its GPU NodePools are checked against the tolerations of the GPU Operator's
 * DaemonSets (device plugin, GPU feature discovery, DCGM exporter, MIG manager, validator) and of the Node Feature
 * Discovery worker that labels GPU nodes for them, as the installed chart's values hold them (the library's settings
 * with the user's `gpuOperator.values` merged over them; the chart's defaults where neither sets them).
 *
 * A DaemonSet pod is placed on a tainted node only when it tolerates the taint (the DaemonSet controller adds
 * tolerations for node conditions only: Kubernetes docs, "DaemonSet" → "Taints and tolerations"). On a GPU node the
 * agents do not tolerate, the device plugin never runs and the node never advertises `nvidia.com/gpu`: the GPU pods
 * Karpenter launched it for stay Pending, and the node is paid for nothing. Internal (not exported from the package).
 */
import { Chart } from 'cdk8s';
import { GpuConfigError } from '../errors';
import { GpuNodePool } from '../pools/node-pool';
import { PodToleration } from '../pools/pool';
import { GPU_OPERATOR_OWN_TOLERATIONS } from '../private/node-agents';
import { formatTaint, untoleratedTaints } from '../scheduling/taints';

/** The tolerations the installed GPU Operator chart gives its node agents. @internal */
export interface _NodeAgentTolerations {
  /** ClusterPolicy `daemonsets.tolerations` (Helm `daemonsets.tolerations`). */
  readonly daemonsets: readonly PodToleration[];
  /** The NFD worker's (Helm `node-feature-discovery.worker.tolerations`), when the chart deploys NFD. */
  readonly nfdWorker?: readonly PodToleration[];
  /** Whether the operator runs the device plugin (Bottlerocket's is built in): for the message. */
  readonly devicePlugin: boolean;
}

/** The node agents' tolerations in the chart's merged Helm values (a list the values set, else the chart's default). @internal */
export function _nodeAgentTolerations(values: any, devicePlugin: boolean): _NodeAgentTolerations {
  const listAt = (v: unknown) => (Array.isArray(v) && v.length > 0 ? v as PodToleration[] : GPU_OPERATOR_OWN_TOLERATIONS);
  const nfd = values?.nfd?.enabled !== false;
  return {
    daemonsets: listAt(values?.daemonsets?.tolerations),
    nfdWorker: nfd ? listAt(values?.['node-feature-discovery']?.worker?.tolerations) : undefined,
    devicePlugin,
  };
}

/** Checks the GPU NodePools of `chart` against the node agents' tolerations; throws GpuConfigError. @internal */
export function _checkNodeAgentTolerations(chart: Chart, agents: _NodeAgentTolerations | undefined): void {
  if (!agents) return;
  for (const pool of chart.node.findAll().filter((c): c is GpuNodePool => c instanceof GpuNodePool)) {
    const taints = pool.taints.map((t) => ({ key: t.key, value: t.value, effect: String(t.effect) }));
    const operands = agents.devicePlugin ? 'the device plugin never runs there, so its nodes never advertise nvidia.com/gpu and the GPU pods Karpenter launches them for stay Pending'
      : 'GPU feature discovery and the DCGM exporter never run there (no GPU labels, no GPU metrics)';
    for (const [who, tolerations, property] of [
      ['the GPU Operator\'s DaemonSets', agents.daemonsets, 'daemonsets.tolerations'],
      ['the Node Feature Discovery worker (which labels GPU nodes for the operator)', agents.nfdWorker, 'node-feature-discovery.worker.tolerations'],
    ] as const) {
      if (!tolerations) continue;
      const missing = untoleratedTaints(tolerations, taints);
      if (missing.length === 0) continue;
      const t = missing[0];
      throw new GpuConfigError(pool, 'taints', `include ${missing.map(formatTaint).join(', ')}, which ${who} do not tolerate (Helm ${property}): ${operands}`,
        `add { key: '${t.key}', operator: 'Exists', effect: '${t.effect}' } to gpuOperator.settings.tolerations (which sets both), or drop the taint`);
    }
  }
}
