import { afterJoinHint, gpuModelOfProduct, labelWrittenAfterJoin } from '../../src/scheduling/node-agent-labels';

describe('labels agents write after a node joins', () => {
  test('GPU feature discovery and Node Feature Discovery labels; an administrator\'s, Karpenter\'s and Kubernetes\' are not', () => {
    for (const k of ['nvidia.com/gpu.product', 'nvidia.com/gpu.present', 'nvidia.com/gpu.count', 'nvidia.com/cuda.driver.major', 'nvidia.com/mig.capable',
      'nvidia.com/mig.config.state', 'nvidia.com/gfd.timestamp']) {
      expect([k, labelWrittenAfterJoin(k)]).toEqual([k, 'GPU feature discovery']);
    }
    expect(labelWrittenAfterJoin('feature.node.kubernetes.io/pci-10de.present')).toBe('Node Feature Discovery');
    for (const k of ['nvidia.com/mig.config', 'nvidia.com/gpu.deploy.operands', 'nvidia.com/gpu', 'karpenter.k8s.aws/instance-gpu-name',
      'node.kubernetes.io/instance-type', 'team']) {
      expect([k, labelWrittenAfterJoin(k)]).toEqual([k, undefined]);
    }
  });

  test('GFD product names map to the catalog\'s models (MIG suffix ignored); unknown products to none', () => {
    const name = (p: string) => gpuModelOfProduct(p)?.name;
    expect(name('NVIDIA-A100-SXM4-80GB')).toBe('A100-SXM4-80GB');
    expect(name('NVIDIA-A100-SXM4-40GB-MIG-1g.5gb')).toBe('A100-SXM4-40GB');
    expect(name('NVIDIA-H100-80GB-HBM3')).toBe('H100-SXM5-80GB');
    expect(name('NVIDIA-A10G')).toBe('A10G-24GB');
    expect(name('NVIDIA-L40S')).toBe('L40S-48GB');
    expect(name('Tesla-T4')).toBe('T4-16GB');
    expect(name('NVIDIA-GeForce-RTX-4090')).toBeUndefined();
  });

  test('the hint names Karpenter\'s label for the same fact, or none', () => {
    expect(afterJoinHint('nvidia.com/gpu.count', ['8'])).toContain('(select karpenter.k8s.aws/instance-gpu-count instead,');
    expect(afterJoinHint('nvidia.com/gpu.product', ['NVIDIA-L4'])).toContain('(select karpenter.k8s.aws/instance-gpu-name=l4 instead,');
    expect(afterJoinHint('nvidia.com/gpu.product', ['A', 'B'])).toContain('(select karpenter.k8s.aws/instance-gpu-name instead,');
    expect(afterJoinHint('feature.node.kubernetes.io/pci-10de.present', ['true'])).toContain('written by Node Feature Discovery after the node joins');
    expect(afterJoinHint('team', ['a'])).toBeUndefined();
  });
});
