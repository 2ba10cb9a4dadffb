/**
 * GPU demand through Dynamic Resource Allocation (DRA, `resource.k8s.io/v1`, GA in Kubernetes 1.34): a pod lists
 * claims in `spec.resourceClaims` (each naming a ResourceClaimTemplate or a ResourceClaim), its containers reference
 * them in `resources.claims`, and the claim's `spec.devices.requests[]` ask a DeviceClass for devices.
 *
 * The NVIDIA DRA driver (kubernetes-sigs/dra-driver-nvidia-gpu v25.8.1 chart templates `deviceclass-gpu.yaml`,
 * `deviceclass-mig.yaml`) publishes one device per whole GPU under DeviceClass `gpu.nvidia.com` and one per MIG
 * device under `mig.nvidia.com` (driver name `gpu.nvidia.com`; CEL `device.attributes['gpu.nvidia.com'].type ==
 * 'gpu' | 'mig'`). In our scheduling model a DRA GPU demand is keyed by its **device class name** (no `/`, unlike an
 * extended resource), e.g. `{ 'gpu.nvidia.com': 2 }`, next to extended resources in `podGpuDemand`.
 *
 * Request shapes read (Kubernetes `pkg/apis/resource` v1): `requests[].exactly.{deviceClassName, allocationMode,
 * count}` (count defaults to 1; `allocationMode: All` takes every matching device of the node, counted here as 1,
 * the least it needs) and `requests[].firstAvailable[]` (the first alternative is counted). The beta shape
 * (`requests[].deviceClassName` on the request itself) is read too. Pod claims are read in the v1 shape
 * (`resourceClaimTemplateName` / `resourceClaimName`) and the 1.30 alpha shape (`source.…`).
 *
 * Pure functions over plain JSON; the manifests' claims are looked up through a {@link DraLookup}.
 */
import { GpuInstanceType } from '../catalog';

/** The NVIDIA DRA driver's name (ResourceSlice `spec.driver`, CEL `device.driver`). */
export const NVIDIA_DRA_DRIVER = 'gpu.nvidia.com';
/** DeviceClass of whole NVIDIA GPUs, installed by the NVIDIA DRA driver chart. */
export const NVIDIA_GPU_DEVICE_CLASS = 'gpu.nvidia.com';
/** DeviceClass of NVIDIA MIG devices, installed by the NVIDIA DRA driver chart. */
export const NVIDIA_MIG_DEVICE_CLASS = 'mig.nvidia.com';
/** DeviceClasses the NVIDIA DRA driver chart (v25.8.1, `resources.gpus.enabled`) creates for GPUs. */
export const NVIDIA_DRA_GPU_DEVICE_CLASSES: readonly string[] = [NVIDIA_GPU_DEVICE_CLASS, NVIDIA_MIG_DEVICE_CLASS];

/** One entry of a pod's `spec.resourceClaims`. */
export interface PodClaimRef {
  /** The claim's name inside the pod (what containers reference). */
  readonly name: string;
  /** `resourceClaimTemplateName`: a claim is made per pod from this template. */
  readonly templateName?: string;
  /** `resourceClaimName`: an existing claim shared by every pod that names it. */
  readonly claimName?: string;
  /** Field path of the entry, e.g. `spec.template.spec.resourceClaims[0]`. */
  readonly path: string;
}

/** One device request of a claim. */
export interface DraDeviceRequest {
  /** The request's name. */
  readonly name: string;
  /** The DeviceClass asked for (`''` when absent). */
  readonly deviceClassName: string;
  /** Devices asked for (1 for `allocationMode: All`, the least it takes). */
  readonly count: number;
  /** Whether `allocationMode: All` (every matching device of the node). */
  readonly all: boolean;
  /** Field path of the request inside the claim spec, e.g. `devices.requests[0].exactly`. */
  readonly path: string;
}

/** Looks up the manifests' DRA objects. */
export interface DraLookup {
  /** The ResourceClaimTemplate `namespace`/`name`, or undefined. */
  claimTemplate(namespace: string, name: string): any | undefined;
  /** The ResourceClaim `namespace`/`name`, or undefined. */
  claim(namespace: string, name: string): any | undefined;
  /** The DeviceClasses of the manifests (cluster-scoped). */
  deviceClasses(): readonly any[];
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The entries of `podSpec.resourceClaims` with a name (v1 and 1.30 alpha shapes). */
export function podResourceClaims(podSpec: any, podSpecPath: string): PodClaimRef[] {
  const list = podSpec?.resourceClaims;
  if (!Array.isArray(list)) return [];
  const out: PodClaimRef[] = [];
  list.forEach((c, i) => {
    if (!isObj(c) || typeof c.name !== 'string') return;
    const templateName = c.resourceClaimTemplateName ?? c.source?.resourceClaimTemplateName;
    const claimName = c.resourceClaimName ?? c.source?.resourceClaimName;
    out.push({
      name: c.name,
      ...(typeof templateName === 'string' ? { templateName } : {}),
      ...(typeof claimName === 'string' ? { claimName } : {}),
      path: `${podSpecPath}.resourceClaims[${i}]`,
    });
  });
  return out;
}

/** The device requests of a claim spec (`ResourceClaim.spec`, `ResourceClaimTemplate.spec.spec`). */
export function deviceRequestsOf(claimSpec: any): DraDeviceRequest[] {
  const requests = claimSpec?.devices?.requests;
  if (!Array.isArray(requests)) return [];
  const out: DraDeviceRequest[] = [];
  requests.forEach((r, i) => {
    if (!isObj(r)) return;
    const name = typeof r.name === 'string' ? r.name : `#${i}`;
    let body: any = r; // beta shape: the fields sit on the request itself
    let path = `devices.requests[${i}]`;
    if (isObj(r.exactly)) {
      body = r.exactly;
      path += '.exactly';
    } else if (Array.isArray(r.firstAvailable) && isObj(r.firstAvailable[0])) {
      body = r.firstAvailable[0];
      path += '.firstAvailable[0]';
    }
    const all = body.allocationMode === 'All';
    const count = !all && typeof body.count === 'number' && Number.isInteger(body.count) && body.count > 0 ? body.count : 1;
    out.push({ name, deviceClassName: typeof body.deviceClassName === 'string' ? body.deviceClassName : '', count, all, path });
  });
  return out;
}

/**
 * Whether DeviceClass `name` selects NVIDIA GPUs: one of the driver's classes, or a DeviceClass of the manifests
 * whose CEL selectors name the driver (`device.driver == 'gpu.nvidia.com'`).
 */
export function isGpuDeviceClass(name: string, deviceClasses: readonly any[]): boolean {
  if (NVIDIA_DRA_GPU_DEVICE_CLASSES.includes(name)) return true;
  const dc = deviceClasses.find((d) => d?.metadata?.name === name);
  const selectors = dc?.spec?.selectors;
  return Array.isArray(selectors) && selectors.some((s: any) => typeof s?.cel?.expression === 'string'
    && s.cel.expression.includes(NVIDIA_DRA_DRIVER));
}

/** The claim spec a pod claim resolves to in the manifests (template's `spec.spec`, claim's `spec`), or undefined. */
export function resolveClaimSpec(ref: PodClaimRef, namespace: string, lookup: DraLookup): any | undefined {
  if (ref.templateName !== undefined) return lookup.claimTemplate(namespace, ref.templateName)?.spec?.spec;
  if (ref.claimName !== undefined) return lookup.claim(namespace, ref.claimName)?.spec;
  return undefined;
}

/**
 * The DRA GPU demand of a pod, by device class: the GPU device requests of every claim of `spec.resourceClaims`
 * found in the manifests (a claim is allocated for the pod whether or not a container references it). Claims not
 * found, and requests for other device classes (NICs, …), add nothing.
 */
export function draGpuDemand(podSpec: any, podSpecPath: string, namespace: string, lookup: DraLookup): Record<string, number> {
  const out: Record<string, number> = {};
  const classes = lookup.deviceClasses();
  for (const ref of podResourceClaims(podSpec, podSpecPath)) {
    const spec = resolveClaimSpec(ref, namespace, lookup);
    for (const r of deviceRequestsOf(spec)) {
      if (r.deviceClassName === '' || !isGpuDeviceClass(r.deviceClassName, classes)) continue;
      out[r.deviceClassName] = (out[r.deviceClassName] ?? 0) + r.count;
    }
  }
  return out;
}

/** Whether a demand key is a DRA device class (extended resources always have a `/`). */
export function isDraDemandKey(key: string): boolean {
  return typeof key === 'string' && key.length > 0 && !key.includes('/');
}

/**
 * What a node of `type` offers for DRA device class `deviceClass`: one device per GPU for whole-GPU classes; for
 * `mig.nvidia.com` the MIG devices the pool advertises (`nvidia.com/mig-*`), else — MIG layout unknown — one per
 * GPU of a MIG-capable type (the least any layout gives), 0 on a GPU without MIG.
 */
export function draCapacity(deviceClass: string, type: GpuInstanceType, advertised: Readonly<Record<string, number>>): number {
  if (deviceClass === NVIDIA_MIG_DEVICE_CLASS) {
    const mig = Object.entries(advertised).filter(([k]) => k.startsWith('nvidia.com/mig-')).reduce((s, [, n]) => s + n, 0);
    if (mig > 0) return mig;
    return type.migCapable ? type.gpuCount : 0;
  }
  return type.gpuCount;
}

/**
 * What a node of `type` offers of demand key `resource`: a DRA device class through {@link draCapacity}, else the
 * pool's advertised extended resource (`advertised`).
 */
export function offeredOnNode(resource: string, type: GpuInstanceType, advertised: Readonly<Record<string, number>>): number {
  return isDraDemandKey(resource) ? draCapacity(resource, type, advertised) : advertised[resource] ?? 0;
}
