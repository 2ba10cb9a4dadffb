/**
 * Dynamic Resource Allocation rules (GPU600-GPU602): a pod's claims must resolve, a claim's device class must be
 * provided, and a DRA GPU pod needs capacity that Karpenter can provision for.
 *
 * DRA GPU demand itself (a claim's GPU device requests) is read by the scheduling model (`scheduling/dra.ts`), so
 * GPU002, GPU004, GPU203, GPU304 and `plan` count DRA GPUs like `nvidia.com/gpu`.
 */
import { listed } from '../../private/lists';
import { nameOf, nsOf } from '../../private/meta';
import {
  deviceRequestsOf, NVIDIA_DRA_GPU_DEVICE_CLASSES, podResourceClaims,
} from '../../scheduling/dra';
import { PoolModel } from '../../scheduling/nodepool';
import { containersOf, POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
import { Severity } from '../model';
import { Rule } from '../rule';

const DRA_GROUP = 'resource.k8s.io';

/**
 * DeviceClasses the NVIDIA DRA driver chart creates (kubernetes-sigs/dra-driver-nvidia-gpu v25.8.1
 * `templates/deviceclass-*.yaml`): GPUs, MIG devices, VFIO passthrough GPUs and the ComputeDomain classes.
 */
export const NVIDIA_DRA_DRIVER_DEVICE_CLASSES: readonly string[] = [
  ...NVIDIA_DRA_GPU_DEVICE_CLASSES,
  'vfio.gpu.nvidia.com',
  'compute-domain-daemon.nvidia.com',
  'compute-domain-default-channel.nvidia.com',
];

/** GPU600 — every pod claim must name a ResourceClaimTemplate or ResourceClaim of the manifests. */
export const POD_CLAIM_RESOLVES: Rule = {
  id: 'GPU600',
  title: 'A pod\'s resource claims must name a ResourceClaimTemplate or ResourceClaim of the manifests',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'ResourceClaimTemplate', 'ResourceClaim'],
  remediation: 'Add the ResourceClaimTemplate (or ResourceClaim) to the manifests in the pod\'s namespace, fix the name, '
    + 'or reference only claims listed in spec.resourceClaims from containers.',
  description: 'A pod entry of `spec.resourceClaims` names a `resourceClaimTemplateName` (a claim per pod) or a '
    + '`resourceClaimName` (a shared claim) in the pod\'s namespace. When the object does not exist the pod stays '
    + 'Pending: the resourceclaim controller cannot create the claim, and kube-scheduler\'s DynamicResources plugin '
    + 'waits for it (Kubernetes "Dynamic Resource Allocation"). A container\'s `resources.claims[].name` must name an '
    + 'entry of `spec.resourceClaims`, or the API server rejects the pod. Judged on the linted manifests: lint the '
    + 'claim together with the workload, or suppress the rule on the object.',
  *check(ctx) {
    const templates = ctx.byKind('ResourceClaimTemplate', DRA_GROUP);
    const claims = ctx.byKind('ResourceClaim', DRA_GROUP);
    const has = (list: readonly any[], ns: string, name: string) => list.some((o) => nameOf(o) === name && nsOf(o) === ns);
    for (const w of ctx.workloads()) {
      const ns = nsOf(w.object);
      const refs = podResourceClaims(w.template.podSpec, w.template.podSpecPath);
      for (const ref of refs) {
        if (ref.templateName === undefined && ref.claimName === undefined) {
          yield ctx.finding(w.object, ref.path, `claim ${JSON.stringify(ref.name)} names neither resourceClaimTemplateName nor resourceClaimName`);
        } else if (ref.templateName !== undefined && !has(templates, ns, ref.templateName)) {
          yield ctx.finding(w.object, `${ref.path}.resourceClaimTemplateName`,
            `claim ${JSON.stringify(ref.name)} names ResourceClaimTemplate ${ref.templateName}, which is not in these manifests `
            + `(namespace ${ns || '<default>'}); the pod's claim is never created and the pod stays Pending`);
        } else if (ref.templateName === undefined && ref.claimName !== undefined && !has(claims, ns, ref.claimName)) {
          yield ctx.finding(w.object, `${ref.path}.resourceClaimName`,
            `claim ${JSON.stringify(ref.name)} names ResourceClaim ${ref.claimName}, which is not in these manifests `
            + `(namespace ${ns || '<default>'}); the pod stays Pending until it exists`);
        }
      }
      let names: Set<string> | undefined; // (made for the first container that uses claims: most use none)
      for (const c of containersOf(w.template)) {
        const used = c.container?.resources?.claims;
        if (!Array.isArray(used)) continue;
        names ??= new Set(refs.map((r) => r.name));
        for (const [i, u] of used.entries()) {
          if (typeof u?.name === 'string' && !names.has(u.name)) {
            yield ctx.finding(w.object, `${c.path}.resources.claims[${i}].name`,
              `container ${JSON.stringify(c.container.name ?? '?')} uses claim ${JSON.stringify(u.name)}, which is not in the pod's spec.resourceClaims; the API server rejects the pod`,
              `Add {name: ${u.name}, resourceClaimTemplateName: <template>} to spec.resourceClaims, or fix the name.`);
          }
        }
      }
    }
  },
};

/** GPU601 — a claim's device class must be provided by a DeviceClass of the manifests or the NVIDIA DRA driver. */
export const DEVICE_CLASS_PROVIDED: Rule = {
  id: 'GPU601',
  title: 'A resource claim\'s deviceClassName should name a DeviceClass of the manifests or of the NVIDIA DRA driver',
  severity: Severity.WARNING,
  kinds: ['ResourceClaimTemplate', 'ResourceClaim', 'DeviceClass'],
  remediation: 'Use a DeviceClass the NVIDIA DRA driver installs (gpu.nvidia.com, mig.nvidia.com), or add the DeviceClass to the manifests.',
  description: 'A device request names a cluster-scoped DeviceClass. Without it the claim cannot be allocated: '
    + 'kube-scheduler reports the class as not found and the pods stay Pending. Known classes are the DeviceClasses in '
    + 'the manifests and those the NVIDIA DRA driver chart creates (kubernetes-sigs/dra-driver-nvidia-gpu v25.8.1: '
    + `${NVIDIA_DRA_DRIVER_DEVICE_CLASSES.join(', ')}; \`GpuEksStack\` installs it with \`draDriver\`). A warning, not an `
    + 'error: another driver installed outside these manifests may provide the class. A frequent slip is the device '
    + 'plugin\'s resource name (`nvidia.com/gpu`) in place of the class name.',
  *check(ctx) {
    const defined = new Set(ctx.byKind('DeviceClass', DRA_GROUP).map(nameOf));
    const claimObjects: Array<[any, any, string]> = [
      ...ctx.byKind('ResourceClaimTemplate', DRA_GROUP).map((o): [any, any, string] => [o, o?.spec?.spec, 'spec.spec']),
      ...ctx.byKind('ResourceClaim', DRA_GROUP).map((o): [any, any, string] => [o, o?.spec, 'spec']),
    ];
    for (const [obj, spec, prefix] of claimObjects) {
      for (const r of deviceRequestsOf(spec)) {
        if (r.deviceClassName === '' || defined.has(r.deviceClassName) || NVIDIA_DRA_DRIVER_DEVICE_CLASSES.includes(r.deviceClassName)) continue;
        const hint = r.deviceClassName.includes('/') ? ` (${r.deviceClassName} is a device plugin resource name; the NVIDIA DRA driver's class is gpu.nvidia.com)` : '';
        yield ctx.finding(obj, `${prefix}.${r.path}.deviceClassName`,
          `request ${JSON.stringify(r.name)} asks DeviceClass ${r.deviceClassName}, which no DeviceClass in these manifests `
          + `and no class of the NVIDIA DRA driver provides${hint}; the claim cannot be allocated`);
      }
    }
  },
};

/** Whether a NodePool is static (Karpenter `spec.replicas`: a fixed node count, not provisioned from pending pods). */
function isStatic(pool: PoolModel): boolean {
  return typeof pool.object?.spec?.replicas === 'number';
}

/** GPU602 — DRA GPU pods need a static Karpenter pool (or other static capacity): dynamic pools ignore DRA requests. */
export const DRA_ON_DYNAMIC_POOL: Rule = {
  id: 'GPU602',
  title: 'A pod claiming GPUs through DRA should not depend on a dynamic Karpenter NodePool',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'ResourceClaimTemplate', 'ResourceClaim'],
  remediation: 'Serve DRA GPU pods from static capacity: a static Karpenter NodePool (spec.replicas, feature gate '
    + 'StaticCapacity), an EKS managed node group or self-managed nodes; or request nvidia.com/gpu through the device '
    + 'plugin on dynamic pools; or run a Karpenter release whose AWS provider provisions for DRA requests, with '
    + 'settings.ignoreDRARequests=false.',
  description: 'Karpenter\'s scheduling simulation ignores pods\' DRA requests by default (Helm value '
    + '`settings.ignoreDRARequests: true`, Karpenter 1.14; the flag stays until DRA support is GA in Karpenter), so a '
    + 'dynamic NodePool launches a node for a DRA pod without counting its claimed GPUs: the cheapest allowed type, '
    + 'which may have too few GPUs or none, and the pod stays Pending. AWS\'s EKS user guide ("Use the NVIDIA DRA '
    + 'driver or device plugin on Amazon EKS") recommends the DRA driver with Karpenter only with static capacity '
    + 'provisioning, and the device plugin with dynamic provisioning; AWS provider support for DRA provisioning is '
    + 'tracked in aws/karpenter-provider-aws#9519. Fires when a pod with DRA GPU claims (claims found in the manifests) '
    + 'fits dynamic GPU NodePools and no static one. A warning: the Karpenter version and settings are not in the '
    + 'manifests, and newer releases with ignoreDRARequests=false may provision for DRA.',
  *check(ctx) {
    const pools = ctx.nodePools().filter((p) => p.offersGpu);
    if (pools.length === 0) return;
    for (const w of ctx.workloads()) {
      const dra = w.template.draDemand ?? {};
      if (Object.keys(dra).length === 0) continue;
      const fitting = ctx.fittingPlacements(w.template).map((v) => v.pool).filter((p) => p.offersGpu);
      if (fitting.length === 0 || fitting.some(isStatic)) continue;
      const demand = Object.entries(dra).map(([k, n]) => `${n} × ${k}`).join(' + ');
      yield ctx.finding(w.object, `${w.template.podSpecPath}.resourceClaims`,
        `claims ${demand} through DRA and can only be served by dynamic NodePool(s) ${listed(fitting.map((p) => p.name))}; `
        + 'Karpenter ignores DRA requests when it provisions (settings.ignoreDRARequests defaults to true), so it may launch a node without the GPUs and the pod stays Pending');
    }
  },
};

/** The DRA rules, sorted by id. */
export const DRA_RULES: Rule[] = [POD_CLAIM_RESOLVES, DEVICE_CLASS_PROVIDED, DRA_ON_DYNAMIC_POOL];
