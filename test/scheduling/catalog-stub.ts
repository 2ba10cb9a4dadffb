/**
 * TEMPORARY stand-in for src/catalog while it is being written (same API: GpuInstanceType.all(),
 * karpenterLabels(), gpuCount, vcpu, memoryMiB, name). Data from /work/shared/reference/gpu-instances.csv
 * (Karpenter generated instance-type docs, karpenter-provider-aws v1.14). Delete once src/catalog/index.ts lands.
 */
const ROWS: Array<[string, string, number, number, number, number]> = [
  ['p4d.24xlarge', 'a100', 8, 40960, 96, 1152], ['p4de.24xlarge', 'a100', 8, 81920, 96, 1152],
  ['p5.4xlarge', 'h100', 1, 81920, 16, 256], ['p5.48xlarge', 'h100', 8, 81920, 192, 2048],
  ['p5e.48xlarge', 'h200', 8, 144384, 192, 2048], ['p5en.48xlarge', 'h200', 8, 144384, 192, 2048],
  ['p6-b200.48xlarge', 'b200', 8, 183359, 192, 2048], ['p6-b300.48xlarge', 'b300', 8, 275040, 192, 4096],
  ['g5.xlarge', 'a10g', 1, 22888, 4, 16], ['g5.2xlarge', 'a10g', 1, 22888, 8, 32], ['g5.4xlarge', 'a10g', 1, 22888, 16, 64],
  ['g5.8xlarge', 'a10g', 1, 22888, 32, 128], ['g5.12xlarge', 'a10g', 4, 22888, 48, 192], ['g5.16xlarge', 'a10g', 1, 22888, 64, 256],
  ['g5.24xlarge', 'a10g', 4, 22888, 96, 384], ['g5.48xlarge', 'a10g', 8, 22888, 192, 768],
  ['g6.xlarge', 'l4', 1, 22888, 4, 16], ['g6.2xlarge', 'l4', 1, 22888, 8, 32], ['g6.4xlarge', 'l4', 1, 22888, 16, 64],
  ['g6.8xlarge', 'l4', 1, 22888, 32, 128], ['g6.12xlarge', 'l4', 4, 22888, 48, 192], ['g6.16xlarge', 'l4', 1, 22888, 64, 256],
  ['g6.24xlarge', 'l4', 4, 22888, 96, 384], ['g6.48xlarge', 'l4', 8, 22888, 192, 768],
  ['g6e.xlarge', 'l40s', 1, 45776, 4, 32], ['g6e.2xlarge', 'l40s', 1, 45776, 8, 64], ['g6e.4xlarge', 'l40s', 1, 45776, 16, 128],
  ['g6e.8xlarge', 'l40s', 1, 45776, 32, 256], ['g6e.12xlarge', 'l40s', 4, 45776, 48, 384], ['g6e.16xlarge', 'l40s', 1, 45776, 64, 512],
  ['g6e.24xlarge', 'l40s', 4, 45776, 96, 768], ['g6e.48xlarge', 'l40s', 8, 45776, 192, 1536],
  ['g4dn.xlarge', 't4', 1, 16384, 4, 16], ['g4dn.2xlarge', 't4', 1, 16384, 8, 32], ['g4dn.4xlarge', 't4', 1, 16384, 16, 64],
  ['g4dn.8xlarge', 't4', 1, 16384, 32, 128], ['g4dn.12xlarge', 't4', 4, 16384, 48, 192], ['g4dn.16xlarge', 't4', 1, 16384, 64, 256],
  ['g4dn.metal', 't4', 8, 16384, 96, 384],
];

export class GpuInstanceType {
  public static all(): GpuInstanceType[] {
    return ROWS.map((r) => new GpuInstanceType(...r));
  }
  private constructor(
    public readonly name: string, public readonly gpuName: string, public readonly gpuCount: number,
    public readonly gpuMemoryMiB: number, public readonly vcpu: number, private readonly memoryGiB: number,
  ) {}
  public get memoryMiB(): number { return this.memoryGiB * 1024; }
  public karpenterLabels(): Record<string, string> {
    const [family, size] = this.name.split('.');
    return {
      'node.kubernetes.io/instance-type': this.name,
      'kubernetes.io/arch': 'amd64',
      'karpenter.k8s.aws/instance-family': family,
      'karpenter.k8s.aws/instance-size': size,
      'karpenter.k8s.aws/instance-category': family[0],
      'karpenter.k8s.aws/instance-generation': /^[a-z]+(\d+)/.exec(family)![1],
      'karpenter.k8s.aws/instance-cpu': String(this.vcpu),
      'karpenter.k8s.aws/instance-memory': String(this.memoryMiB),
      'karpenter.k8s.aws/instance-gpu-name': this.gpuName,
      'karpenter.k8s.aws/instance-gpu-manufacturer': 'nvidia',
      'karpenter.k8s.aws/instance-gpu-count': String(this.gpuCount),
      'karpenter.k8s.aws/instance-gpu-memory': String(this.gpuMemoryMiB),
    };
  }
}
