/**
 * Security rules (GPU700–GPU719): GPU access that escapes the device plugin's accounting.
 *
 * How a container sees GPUs (NVIDIA Container Toolkit, "Specialized Configurations with Docker": `NVIDIA_VISIBLE_DEVICES`;
 * k8s-device-plugin README, `DEVICE_LIST_STRATEGY=envvar`): the device plugin hands a GPU to a container by setting
 * `NVIDIA_VISIBLE_DEVICES` to the allocated device ids, and the NVIDIA runtime (the default runtime on EKS accelerated
 * AMIs and with the GPU Operator's toolkit) mounts exactly those devices. A container that sets the variable itself —
 * typically `all` — gets the node's GPUs without requesting `nvidia.com/gpu`: invisible to the scheduler, to
 * ResourceQuota and to the device plugin, sharing GPUs with the pods that were allocated them. The node-side fix is the
 * toolkit's `accept-nvidia-visible-devices-envvar-when-unprivileged = false` (with the device plugin's
 * `volume-mounts` strategy); these manifests cannot tell whether a node has it, so the rule reports every such pod.
 */
import { containersOf } from '../../scheduling/workloads';
import { Severity } from '../model';
import { Rule } from '../rule';

/** The environment variable the NVIDIA container runtime reads to choose the GPUs of a container. */
export const NVIDIA_VISIBLE_DEVICES = 'NVIDIA_VISIBLE_DEVICES';
/** Values that expose no GPU (`void`, empty: no GPU; `none`: no GPU, driver libraries only). */
export const NO_GPU_VISIBLE_VALUES: readonly string[] = ['', 'void', 'none'];

/** GPU700 — a pod that requests no GPU must not pick GPUs itself with NVIDIA_VISIBLE_DEVICES. */
export const NVIDIA_VISIBLE_DEVICES_WITHOUT_GPU: Rule = {
  id: 'GPU700',
  title: 'A pod that requests no GPU must not set NVIDIA_VISIBLE_DEVICES',
  severity: Severity.ERROR,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'],
  remediation: 'Request the GPUs the container needs (resources.limits nvidia.com/gpu) and drop NVIDIA_VISIBLE_DEVICES; '
    + 'the device plugin sets it to the allocated GPUs.',
  description: 'With the NVIDIA container runtime, `NVIDIA_VISIBLE_DEVICES=all` (or a device list) in a container that '
    + 'requests no `nvidia.com/*` resource exposes the node\'s GPUs outside the scheduler, the team\'s ResourceQuota and '
    + 'the device plugin: the pod uses GPUs allocated to other pods. Values that expose nothing (`void`, `none`, empty) '
    + 'are allowed. DaemonSets are exempt: node agents such as the DCGM exporter must see every GPU of their node without '
    + 'taking one. A value from `valueFrom` is reported too (it cannot be read here); `envFrom` cannot be seen. Fixed on '
    + 'the node by the container toolkit\'s `accept-nvidia-visible-devices-envvar-when-unprivileged = false`.',
  *check(ctx) {
    for (const w of ctx.workloads()) {
      if (w.kind === 'DaemonSet') continue;
      if (Object.keys(ctx.gpuDemand(w.template)).length > 0) continue;
      for (const c of containersOf(w.template)) {
        const env = c.container.env;
        if (!Array.isArray(env)) continue;
        for (let i = 0; i < env.length; i++) {
          const e = env[i];
          if (e?.name !== NVIDIA_VISIBLE_DEVICES || exposesNothing(e)) continue;
          const shown = typeof e.value === 'string' ? JSON.stringify(e.value) : 'a value from valueFrom';
          yield ctx.finding(w.object, `${c.path}.env[${i}]`,
            `container ${JSON.stringify(c.container.name ?? '?')} requests no GPU but sets ${NVIDIA_VISIBLE_DEVICES} to ${shown}; `
            + 'with the NVIDIA runtime it sees GPUs allocated to other pods, outside every quota');
        }
      }
    }
  },
};

/** Whether an env entry of NVIDIA_VISIBLE_DEVICES exposes no GPU. */
function exposesNothing(e: any): boolean {
  if (e.valueFrom !== undefined) return false;
  return e.value === undefined || (typeof e.value === 'string' && NO_GPU_VISIBLE_VALUES.includes(e.value));
}

/** The security rules. */
export const SECURITY_RULES: readonly Rule[] = [NVIDIA_VISIBLE_DEVICES_WITHOUT_GPU];
