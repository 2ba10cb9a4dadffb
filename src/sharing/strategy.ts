/** The NVIDIA device plugin's MIG strategy (k8s-device-plugin v0.20.0 `--mig-strategy`; ClusterPolicy `mig.strategy`). */
export class MigStrategy {
  /** MIG devices are not advertised (the plugin's default; whole GPUs only). */
  public static readonly NONE = new MigStrategy('none');
  /** Every MIG device is advertised as `nvidia.com/gpu`; all GPUs of a node need the same single profile. */
  public static readonly SINGLE = new MigStrategy('single');
  /** Each profile is its own resource, `nvidia.com/mig-<profile>`; whole GPUs stay `nvidia.com/gpu`. */
  public static readonly MIXED = new MigStrategy('mixed');

  /** The value as the device plugin and ClusterPolicy spell it. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  /** The value. */
  public toString(): string {
    return this.value;
  }
}
