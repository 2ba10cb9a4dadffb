/**
 * Node disk rules: does a GPU pod's ephemeral storage fit the nodes Karpenter can launch for it (GPU239).
 */
import { formatDiskBytes, NodeDisk, nodeClassOf, nodeDiskOf } from '../../scheduling/node-disk';
import { containerRequest, demandsAny, effectivePodRequests, setsResource } from '../../scheduling/resources';
import { containerLabel, containersOf, POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Severity } from '../model';
import { Rule } from '../rule';

const EPHEMERAL = 'ephemeral-storage';

/** GPU239 — a GPU pod's ephemeral-storage request must fit the disk of a node Karpenter can launch for it. */
export const EPHEMERAL_STORAGE_FITS_NODE_DISK: Rule = {
  id: 'GPU239',
  title: 'A GPU pod\'s ephemeral-storage request must fit the node disk of a NodePool it can use',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'EC2NodeClass'],
  remediation: 'Give the EC2NodeClass a larger volume for the kubelet (blockDeviceMappings: /dev/xvda on AL2023, /dev/xvdb on '
    + 'Bottlerocket, ebs.volumeSize; GpuNodePool\'s volume prop), or instanceStorePolicy: RAID0 on instance types with local '
    + 'NVMe, or lower the request.',
  description: 'Karpenter launches a node only of an instance type whose allocatable resources hold the pod\'s requests, '
    + 'ephemeral-storage included; with none, the pod stays Pending ("no instance type satisfied resources"), and the '
    + 'kube-scheduler places it on no existing node either. Karpenter counts a node\'s ephemeral storage from its '
    + 'EC2NodeClass (karpenter-provider-aws `pkg/providers/instancetype/types.go` `ephemeralStorage`): with '
    + '`instanceStorePolicy: RAID0`, the instance store\'s total size on types that have one; else the '
    + '`blockDeviceMappings` entry marked `rootVolume`, or the one of the AMI family\'s ephemeral device (`/dev/xvda` on '
    + 'AL2023 and AL2, `/dev/xvdb` on Bottlerocket); without one, that device\'s default size, 20Gi. It subtracts '
    + 'kube-reserved ephemeral-storage (1Gi by default), system-reserved, and the hard eviction threshold '
    + '`nodefs.available` (10% by default): 17Gi on a default AL2023 node. The pod\'s request is Kubernetes\' effective '
    + 'request (app containers and sidecars summed, init containers at their largest, pod overhead added). Judged for '
    + 'GPU pods against the instance types of the NodePools their placement admits, when every such NodePool\'s '
    + 'EC2NodeClass is in the manifests (otherwise its disk is unknown). The requests of the DaemonSets on the node, which '
    + 'Karpenter also counts, are left out: a request this rule passes may still not fit beside them.',
  *check(ctx) {
    const classes = ctx.byKind('EC2NodeClass', 'karpenter.k8s.aws');
    if (classes.length === 0) return;
    for (const w of ctx.workloads()) {
      if (!demandsAny(ctx.gpuDemand(w.template))) continue;
      const containers = containersOf(w.template);
      if (!containers.some((c) => setsResource(c.container, EPHEMERAL))) continue;
      const need = effectivePodRequests(w.template, [EPHEMERAL])[EPHEMERAL];
      if (!(need > 0)) continue;
      const fitting = ctx.fittingPlacements(w.template);
      if (fitting.length === 0) continue; // GPU002, GPU203 and others say why it fits nowhere
      let best: { pool: string; type: string; disk: NodeDisk } | undefined;
      let known = true;
      for (const v of fitting) {
        const nodeClass = nodeClassOf(v.pool.object, classes);
        for (const type of v.instanceTypes) {
          const disk = nodeClass === undefined ? undefined : nodeDiskOf(nodeClass, type);
          if (!disk) { known = false; break; }
          if (!best || disk.allocatableBytes > best.disk.allocatableBytes) best = { pool: v.pool.name, type: type.name, disk };
        }
        if (!known) break;
      }
      if (!known || !best || best.disk.allocatableBytes >= need) continue;
      // The container that asks for the most, at the field that sets its request.
      const asking = containers.filter((c) => setsResource(c.container, EPHEMERAL))
        .reduce((a, b) => (containerRequest(b.container, EPHEMERAL) > containerRequest(a.container, EPHEMERAL) ? b : a));
      const requests = asking.container.resources?.requests;
      const field = requests && typeof requests === 'object' && Object.prototype.hasOwnProperty.call(requests, EPHEMERAL) ? 'requests' : 'limits';
      const pools = [...new Set(fitting.map((v) => v.pool.name))];
      yield ctx.finding(w.object, `${asking.path}.resources.${field}.${EPHEMERAL}`,
        `its pods ask for ${formatDiskBytes(need)} of ephemeral storage (${containerLabel(asking)} ${formatDiskBytes(containerRequest(asking.container, EPHEMERAL))}), `
        + `but the nodes of the NodePool(s) it can use (${pools.join(', ')}) give pods at most ${formatDiskBytes(best.disk.allocatableBytes)}: `
        + `${best.type} in NodePool ${best.pool} has ${best.disk.source}, less ${best.disk.reserved}; `
        + 'Karpenter launches no node for it and the pod stays Pending');
    }
  },
};

/** The node disk rules. */
export const NODE_DISK_RULES: Rule[] = [EPHEMERAL_STORAGE_FITS_NODE_DISK];
