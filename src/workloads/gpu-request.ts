/**
 * What a GPU workload asks the NVIDIA device plugin for: whole GPUs (`nvidia.com/gpu`) or MIG slices
 * (`nvidia.com/mig-<profile>`, the device plugin's `mixed` MIG strategy). Always rendered with requests equal to
 * limits: Kubernetes does not overcommit extended resources and rejects a container whose extended-resource request
 * differs from its limit.
 *
 * Sources: NVIDIA k8s-device-plugin README (resource names, MIG strategies); Kubernetes "Schedule GPUs" and
 * "Extended resources" docs (requests must equal limits).
 */
import { Size, SizeRoundingBehavior } from 'cdk8s';
import { GpuModel } from '../catalog';
import { GpuConfigError } from '../errors';
import { NVIDIA_DRA_DRIVER, NVIDIA_GPU_DEVICE_CLASS, NVIDIA_MIG_DEVICE_CLASS } from '../scheduling/dra';

/** MIG profile names as nvidia-smi / mig-parted spell them: `1g.10gb`, `3g.40gb`, `1g.10gb+me`, `1g.10gb.me`. */
const MIG_PROFILE = /^([1-9])g\.([1-9][0-9]*)gb((\+|\.)me)?$/;

/** DeviceClass names (DNS subdomains) of `resource.k8s.io/v1`. */
const DEVICE_CLASS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A GPU claimed through Dynamic Resource Allocation ({@link GpuRequest.dra}): the workload gets a
 * ResourceClaimTemplate (`resource.k8s.io/v1`) with one device request, its pods a claim made from it.
 *
 * Attribute names are those the NVIDIA DRA driver publishes (kubernetes-sigs/dra-driver-nvidia-gpu v25.8.1
 * `cmd/gpu-kubelet-plugin/deviceinfo.go`: attributes `productName`, `architecture`, `cudaComputeCapability`, …,
 * capacity `memory`), qualified by the driver's domain `gpu.nvidia.com` in CEL.
 */
export interface DraGpuRequestOptions {
  /** Devices each pod claims. @default 1 */
  readonly count?: number;
  /**
   * The DeviceClass: `gpu.nvidia.com` (whole GPUs) or `mig.nvidia.com` (MIG devices), both installed by the NVIDIA
   * DRA driver, or a DeviceClass of your own.
   * @default 'gpu.nvidia.com'
   */
  readonly deviceClassName?: string;
  /**
   * A case-insensitive part of the GPU's product name, as nvidia-smi reports it (e.g. `H100` matches
   * `NVIDIA H100 80GB HBM3`): CEL `device.attributes['gpu.nvidia.com'].productName.lowerAscii().contains('h100')`.
   * @default - any product
   */
  readonly productName?: string;
  /**
   * The least device memory: CEL `device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('<n>Mi')) >= 0`.
   * @default - any memory
   */
  readonly minMemory?: Size;
  /**
   * More CEL selectors, each a boolean expression over `device` (ANDed with the others).
   * @default - none
   */
  readonly selectors?: string[];
}

/**
 * A GPU request. Enum-like: use {@link GpuRequest.whole}, {@link GpuRequest.mig} or {@link GpuRequest.dra}.
 */
export class GpuRequest {
  /** The resource name of whole NVIDIA GPUs. */
  public static readonly NVIDIA_GPU = 'nvidia.com/gpu';

  /**
   * `count` whole GPUs (`nvidia.com/gpu: count`).
   * @param count whole number of GPUs, at least 1
   * @throws GpuConfigError when count is not a positive whole number
   */
  public static whole(count: number): GpuRequest {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new GpuConfigError('GpuRequest.whole', 'count', `is ${JSON.stringify(count)}, not a whole number of GPUs >= 1`,
        'pass 1, 2, 4 or 8 (GPUs cannot be split; use GpuRequest.mig for a slice)');
    }
    return new GpuRequest(GpuRequest.NVIDIA_GPU, count);
  }

  /**
   * `count` MIG slices of `profile` (`nvidia.com/mig-<profile>: count`), as advertised by the NVIDIA device plugin
   * with `migStrategy: mixed`. The profile is checked against the MIG tables of the pools' GPUs when the workload is
   * built (e.g. `1g.10gb` exists on A100-80GB and H100, not on A100-40GB).
   * @param profile MIG profile, e.g. `1g.10gb`, `3g.40gb`, `1g.10gb+me`
   * @param count number of slices @default 1
   * @throws GpuConfigError when the profile is not spelt like a MIG profile or count is not a positive whole number
   */
  public static mig(profile: string, count: number = 1): GpuRequest {
    const p = typeof profile === 'string' ? profile.trim().toLowerCase().replace(/^nvidia\.com\/mig-/, '') : profile;
    if (typeof p !== 'string' || !MIG_PROFILE.test(p)) {
      throw new GpuConfigError('GpuRequest.mig', 'profile', `is ${JSON.stringify(profile)}, not a MIG profile name`,
        'write <compute slices>g.<memory>gb as nvidia-smi does, e.g. 1g.10gb, 2g.20gb, 3g.40gb');
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new GpuConfigError('GpuRequest.mig', 'count', `is ${JSON.stringify(count)}, not a whole number of MIG slices >= 1`, 'pass 1 or more');
    }
    // The device plugin spells `+me` as `.me` in resource names.
    const resourceProfile = p.replace('+me', '.me');
    return new GpuRequest(`nvidia.com/mig-${resourceProfile}`, count, resourceProfile);
  }

  /**
   * GPUs claimed through Dynamic Resource Allocation (Kubernetes ≥ 1.34, NVIDIA DRA driver): the workload emits a
   * ResourceClaimTemplate (`resource.k8s.io/v1`, `spec.spec.devices.requests[0].exactly` with the device class, the
   * count and CEL selectors) and wires the pod's `spec.resourceClaims` and the container's `resources.claims`
   * instead of an extended resource. Needs nodes where the DRA driver, not the device plugin, serves the GPUs
   * (`GpuEksStack` `draDriver`), and — with Karpenter — static capacity (rule GPU602).
   * @throws GpuConfigError when count is not a positive whole number, the device class is not a DNS subdomain, a
   * selector is empty, or minMemory is not positive
   */
  public static dra(options: DraGpuRequestOptions = {}): GpuRequest {
    const o: DraGpuRequestOptions = options ?? {};
    const where = 'GpuRequest.dra';
    const count = o.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new GpuConfigError(where, 'count', `is ${JSON.stringify(count)}, not a whole number of devices >= 1`, 'pass 1 or more');
    }
    const deviceClassName = o.deviceClassName ?? NVIDIA_GPU_DEVICE_CLASS;
    if (typeof deviceClassName !== 'string' || deviceClassName.length > 253 || !DEVICE_CLASS.test(deviceClassName)) {
      throw new GpuConfigError(where, 'deviceClassName', `is ${JSON.stringify(deviceClassName)}, not a DeviceClass name (a DNS subdomain)`,
        `use '${NVIDIA_GPU_DEVICE_CLASS}' (whole GPUs) or '${NVIDIA_MIG_DEVICE_CLASS}' (MIG devices); 'nvidia.com/gpu' is the device plugin's resource, not a class`);
    }
    const selectors: string[] = [];
    if (o.productName !== undefined) {
      if (typeof o.productName !== 'string' || !/^[A-Za-z0-9][-A-Za-z0-9 ._]*$/.test(o.productName)) {
        throw new GpuConfigError(where, 'productName', `is ${JSON.stringify(o.productName)}, not a product name fragment`, 'write e.g. \'H100\', \'A10G\' or \'L40S\'');
      }
      selectors.push(`device.attributes['${NVIDIA_DRA_DRIVER}'].productName.lowerAscii().contains('${o.productName.toLowerCase()}')`);
    }
    if (o.minMemory !== undefined) {
      const mib = o.minMemory instanceof Size ? o.minMemory.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR }) : NaN;
      if (!(mib >= 1)) {
        throw new GpuConfigError(where, 'minMemory', 'is not a positive Size of at least 1 MiB', 'pass e.g. Size.gibibytes(40)');
      }
      selectors.push(`device.capacity['${NVIDIA_DRA_DRIVER}'].memory.compareTo(quantity('${mib}Mi')) >= 0`);
    }
    for (const [i, sel] of (o.selectors ?? []).entries()) {
      if (typeof sel !== 'string' || sel.trim() === '') {
        throw new GpuConfigError(where, `selectors[${i}]`, `is ${JSON.stringify(sel)}, not a CEL expression`, 'write a boolean CEL expression over device, e.g. device.attributes[\'gpu.nvidia.com\'].architecture == \'Hopper\'');
      }
      selectors.push(sel.trim());
    }
    return new GpuRequest(deviceClassName, count, undefined, { deviceClassName, selectors });
  }

  /**
   * The extended resource name, e.g. `nvidia.com/gpu` or `nvidia.com/mig-1g.10gb`; for a DRA request, the device
   * class (e.g. `gpu.nvidia.com`), the key under which the scheduling model counts it.
   */
  public readonly resourceName: string;
  /** How many of `resourceName` each pod requests (and limits). */
  public readonly count: number;
  /** The MIG profile (resource spelling, e.g. `1g.10gb`, `1g.10gb.me`). @default - whole GPUs */
  public readonly migProfile?: string;
  /** The DeviceClass of a DRA request. @default - not a DRA request */
  public readonly deviceClassName?: string;
  /** The CEL selectors of a DRA request (empty otherwise). */
  public readonly selectors: string[];

  private constructor(resourceName: string, count: number, migProfile?: string, dra?: { deviceClassName: string; selectors: string[] }) {
    this.resourceName = resourceName;
    this.count = count;
    this.migProfile = migProfile;
    this.deviceClassName = dra?.deviceClassName;
    this.selectors = dra ? [...dra.selectors] : [];
  }

  /** Whether this is a MIG slice request (`nvidia.com/mig-<profile>`). */
  public get isMig(): boolean {
    return this.migProfile !== undefined;
  }

  /** Whether the GPUs are claimed through DRA (a ResourceClaimTemplate) rather than an extended resource. */
  public get isDra(): boolean {
    return this.deviceClassName !== undefined;
  }

  /** Whole GPUs requested (0 for a MIG request or a DRA claim on `mig.nvidia.com`). */
  public get wholeGpus(): number {
    return this.isMig || this.deviceClassName === NVIDIA_MIG_DEVICE_CLASS ? 0 : this.count;
  }

  /**
   * Whether `gpu` can serve this request: any NVIDIA GPU for whole GPUs; for MIG, a GPU whose MIG table has the
   * profile (`GpuModel.migGpu`).
   */
  public supportedBy(gpu: GpuModel): boolean {
    if (this.deviceClassName === NVIDIA_MIG_DEVICE_CLASS) return gpu.migGpu !== undefined;
    if (!this.isMig) return true;
    return gpu.migGpu?.tryProfile(this.migProfile!) !== undefined;
  }

  /**
   * The share of one GPU of `gpu` this request occupies: `count` for whole GPUs; for MIG, the profile's compute
   * fraction `count × computeSlices / totalComputeSlices` (e.g. 1g.10gb on H100 → 1/7, 3g.40gb → 3/7), so the slices
   * of any valid layout add up to at most one GPU (3g.40gb + 2g.20gb + 2 × 1g.10gb = 7/7).
   * @throws GpuConfigError when `gpu` cannot serve the request
   */
  public gpuShareOn(gpu: GpuModel): number {
    // A DRA MIG device: the profile is the driver's choice; count it as the smallest slice (1/7 of the GPU).
    if (this.deviceClassName === NVIDIA_MIG_DEVICE_CLASS) return this.count / (gpu.migGpu?.totalComputeSlices ?? 7);
    if (!this.isMig) return this.count;
    const profile = gpu.migGpu?.tryProfile(this.migProfile!);
    if (!profile) {
      throw new GpuConfigError('GpuRequest', 'migProfile', `${this.migProfile} is not a MIG profile of ${gpu.name}`,
        `use a profile of ${gpu.name}${gpu.migGpu ? ` (${gpu.migGpu.profiles.map((x) => x.name).join(', ')})` : ' (it has no MIG)'}`);
    }
    return (this.count * profile.computeSlices) / gpu.migGpu!.totalComputeSlices;
  }

  /** e.g. `2 × nvidia.com/gpu`, `1 × gpu.nvidia.com (DRA)`. */
  public toString(): string {
    return `${this.count} × ${this.resourceName}${this.isDra ? ' (DRA)' : ''}`;
  }
}
