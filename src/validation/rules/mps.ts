/**
 * MPS rules (GPU410-GPU411): NVIDIA Multi-Process Service sharing through the device plugin's `sharing.mps` config.
 *
 * Facts (NVIDIA/k8s-device-plugin v0.20.0 README "With CUDA MPS", `api/config/v1/config.go`, `internal/rm/rm.go`):
 * MPS is experimental; "Sharing with MPS is currently not supported on devices with MIG enabled"; only
 * `nvidia.com/gpu` (full GPUs) can be shared; each replica gets an equal share of the GPU's memory and compute (the MPS
 * control daemon sets a pinned-memory limit of memory / replicas and an active-thread percentage of 100 / replicas);
 * `failRequestsGreaterThanOne` defaults to true for MPS, and then an allocation of more than one replica fails with
 * "maximum request size for shared resources is 1".
 */
import { PlacementVerdict } from '../../scheduling/placement';
import { containerRequest } from '../../scheduling/resources';
import { POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Severity } from '../model';
import { Rule } from '../rule';
import { placeOn, sharedPools } from './sharing';

/** GPU410 — MPS and MIG must not be configured on one pool. */
export const MPS_WITH_MIG: Rule = {
  id: 'GPU410',
  title: 'A NodePool must not combine MPS sharing with a MIG config',
  severity: Severity.ERROR,
  kinds: ['NodePool', 'ConfigMap', 'ClusterPolicy'],
  remediation: 'Use one pool per sharing method: MIG (nvidia.com/mig.config) on one pool, MPS (nvidia.com/device-plugin.config with sharing.mps) on another without MIG.',
  description: 'The NVIDIA device plugin does not support MPS on devices with MIG enabled (k8s-device-plugin v0.20.0 '
    + 'README, "With CUDA MPS"), and MPS shares only full GPUs (`nvidia.com/gpu`). A pool whose nodes carry '
    + '`nvidia.com/mig.config` (other than `all-disabled`) and whose device plugin config (label '
    + '`nvidia.com/device-plugin.config`, or ClusterPolicy `devicePlugin.config.default`) shares with `sharing.mps` '
    + 'gets MIG devices the MPS config cannot share: the pods waiting for MPS replicas stay Pending or fail.',
  *check(ctx) {
    for (const sp of sharedPools(ctx)) {
      if (sp.migConfig === undefined || sp.timeSlicing?.strategy !== 'mps') continue;
      yield ctx.finding(sp.pool.object, 'spec.template.metadata.labels',
        `carries nvidia.com/mig.config=${sp.migConfig} and is shared with MPS by device plugin config ${sp.timeSlicing.key} `
        + `(ConfigMap ${sp.timeSlicing.configMap}); the device plugin does not support MPS on MIG-enabled GPUs`);
    }
  },
};

/** GPU411 — a pod on an MPS-shared pool must not ask for more than one replica per container. */
export const MPS_SINGLE_REQUEST: Rule = {
  id: 'GPU411',
  title: 'A pod that can land on an MPS-shared NodePool must not ask for more than one shared GPU per container',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'ConfigMap', 'ClusterPolicy'],
  remediation: 'Request one shared GPU per container on MPS pools (each replica already gets 1/replicas of a GPU), or run multi-GPU pods on a pool with whole GPUs.',
  description: 'With MPS the device plugin sets `failRequestsGreaterThanOne: true` unless the config says false '
    + '(k8s-device-plugin v0.20.0 `api/config/v1/config.go`), and then refuses to allocate more than one replica to a '
    + 'container ("maximum request size for shared resources is 1", `internal/rm/rm.go`): the pod fails at admission '
    + '(UnexpectedAdmissionError). Multi-GPU work (tensor parallelism, NCCL) needs whole GPUs anyway. The pool\'s config '
    + 'is read as for GPU403.',
  *check(ctx) {
    const pools = sharedPools(ctx).filter((s) => s.timeSlicing?.strategy === 'mps' && s.timeSlicing.failRequestsGreaterThanOne);
    if (pools.length === 0) return;
    const memo = new Map<string, PlacementVerdict>();
    for (const w of ctx.workloads()) {
      const containers: any[] = Array.isArray(w.template.podSpec?.containers) ? w.template.podSpec.containers : [];
      for (const [i, c] of containers.entries()) {
        for (const sp of pools) {
          for (const r of sp.timeSlicing!.resources) {
            const n = containerRequest(c, r.advertised);
            if (!(n > 1) || !placeOn(ctx, memo, w.template, sp).fits) continue;
            yield ctx.finding(w.object, `${w.template.podSpecPath}.containers[${i}].resources`,
              `asks for ${n} × ${r.advertised} and can land on NodePool ${sp.pool.name}, shared with MPS by config ${sp.timeSlicing!.key} `
              + `(ConfigMap ${sp.timeSlicing!.configMap}, ${r.replicas} replicas per GPU): the device plugin allocates at most one MPS replica per container and the pod fails`);
          }
        }
      }
    }
  },
};

/** The MPS rules, sorted by id. */
export const MPS_RULES: Rule[] = [MPS_WITH_MIG, MPS_SINGLE_REQUEST];
