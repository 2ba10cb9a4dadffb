/**
 * What a GPU workload asks the NVIDIA device plugin for: whole GPUs (`nvidia.com/gpu`) or MIG slices
 * (`nvidia.com/mig-<profile>`, the device plugin's `mixed` MIG strategy). Always rendered with requests equal to
 * limits: Kubernetes does not overcommit extended resources and rejects a container whose extended-resource request
 * differs from its limit.
 *
 * Sources: NVIDIA k8s-device-plugin README (resource names, MIG strategies); Kubernetes "Schedule GPUs" and
 * "Extended resources" docs (requests must equal limits).
 */
import { GpuModel } from '../catalog';
import { GpuConfigError } from '../errors';

/** MIG profile names as nvidia-smi / mig-parted spell them: `1g.10gb`, `3g.40gb`, `1g.10gb+me`, `1g.10gb.me`. */
const MIG_PROFILE = /^([1-9])g\.([1-9][0-9]*)gb((\+|\.)me)?$/;

/**
 * A GPU request. Enum-like: use {@link GpuRequest.whole} or {@link GpuRequest.mig}.
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

  /** The extended resource name, e.g. `nvidia.com/gpu` or `nvidia.com/mig-1g.10gb`. */
  public readonly resourceName: string;
  /** How many of `resourceName` each pod requests (and limits). */
  public readonly count: number;
  /** The MIG profile (resource spelling, e.g. `1g.10gb`, `1g.10gb.me`). @default - whole GPUs */
  public readonly migProfile?: string;

  private constructor(resourceName: string, count: number, migProfile?: string) {
    this.resourceName = resourceName;
    this.count = count;
    this.migProfile = migProfile;
  }

  /** Whether this is a MIG slice request. */
  public get isMig(): boolean {
    return this.migProfile !== undefined;
  }

  /** Whole GPUs requested (0 for a MIG request). */
  public get wholeGpus(): number {
    return this.isMig ? 0 : this.count;
  }

  /**
   * Whether `gpu` can serve this request: any NVIDIA GPU for whole GPUs; for MIG, a GPU whose MIG table has the
   * profile (`GpuModel.migGpu`).
   */
  public supportedBy(gpu: GpuModel): boolean {
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
    if (!this.isMig) return this.count;
    const profile = gpu.migGpu?.tryProfile(this.migProfile!);
    if (!profile) {
      throw new GpuConfigError('GpuRequest', 'migProfile', `${this.migProfile} is not a MIG profile of ${gpu.name}`,
        `use a profile of ${gpu.name}${gpu.migGpu ? ` (${gpu.migGpu.profiles.map((x) => x.name).join(', ')})` : ' (it has no MIG)'}`);
    }
    return (this.count * profile.computeSlices) / gpu.migGpu!.totalComputeSlices;
  }

  /** e.g. `2 × nvidia.com/gpu`. */
  public toString(): string {
    return `${this.count} × ${this.resourceName}`;
  }
}
