import * as path from 'path';
import { GpuInstanceType } from '../../src/catalog';
import { planGpuWorkloads, renderPlanText } from '../../src/plan';
import { ebsWriteRate, hostDirDiskOf, nodeClassOf, nodeDiskOf, RAID0_DIRS } from '../../src/scheduling/node-disk';
import { DEFAULT_NODE_CLASS, GPU_TOLERATION, lint, loadYaml, nodePool, of, workload } from '../validation/helpers';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

/** DEFAULT_NODE_CLASS with `spec` fields added. */
const nodeClass = (spec: any = {}, name = 'default') => ({ ...DEFAULT_NODE_CLASS, metadata: { name }, spec: { ...DEFAULT_NODE_CLASS.spec, ...spec } });
const g6 = GpuInstanceType.of('g6.xlarge');

describe('nodeDiskOf: the disk Karpenter counts for pods', () => {
  test('a default AL2023 EC2NodeClass gives every catalog type the allocatable ephemeral storage of Karpenter\'s reference table', () => {
    for (const type of GpuInstanceType.all()) {
      expect([type.name, nodeDiskOf(nodeClass(), type)!.allocatableBytes]).toEqual([type.name, type.karpenterAllocatable.ephemeralStorageGiB * GiB]);
    }
    expect(nodeDiskOf(nodeClass(), g6)).toEqual({
      capacityBytes: 20 * GiB,
      allocatableBytes: 17 * GiB,
      source: 'a 20Gi /dev/xvda (Karpenter\'s default for AL2023: the EC2NodeClass gives it no size)',
      reserved: '1Gi kube-reserved, 2Gi eviction threshold (nodefs.available 10%, the default)',
      writeRate: { bytesPerSecond: 125 * MiB, shown: 'gp3 at its default 125 MiB/s' },
    });
  });

  test('the mapping of the family\'s device, or the one marked rootVolume; Bottlerocket\'s pods use /dev/xvdb', () => {
    const root200 = { deviceName: '/dev/xvda', ebs: { volumeSize: '200Gi' } };
    expect(nodeDiskOf(nodeClass({ blockDeviceMappings: [root200] }), g6)!.allocatableBytes).toBe(179 * GiB);
    // Bottlerocket: the data volume; a large OS volume does not help
    const br = (blockDeviceMappings: any[]) => nodeClass({ amiSelectorTerms: [{ alias: 'bottlerocket@latest' }], blockDeviceMappings });
    expect(nodeDiskOf(br([root200]), g6)!.capacityBytes).toBe(20 * GiB);
    expect(nodeDiskOf(br([{ deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi' } }, { deviceName: '/dev/xvdb', ebs: { volumeSize: '100Gi' } }]), g6)!.capacityBytes).toBe(100 * GiB);
    // rootVolume wins over the family's device; a rootVolume without a size falls through to it
    const marked = [{ deviceName: '/dev/xvda', ebs: { volumeSize: '50Gi' } }, { deviceName: '/dev/xvdc', rootVolume: true, ebs: { volumeSize: '300Gi' } }];
    expect(nodeDiskOf(nodeClass({ blockDeviceMappings: marked }), g6)).toMatchObject({ capacityBytes: 300 * GiB, source: 'a 300Gi volume (blockDeviceMappings[1], rootVolume)' });
    const sizeless = [{ deviceName: '/dev/xvda', ebs: { volumeSize: '50Gi' } }, { deviceName: '/dev/xvdc', rootVolume: true, ebs: { snapshotID: 'snap-1' } }];
    expect(nodeDiskOf(nodeClass({ blockDeviceMappings: sizeless }), g6)!.capacityBytes).toBe(50 * GiB);
  });

  test('Custom AMIs: the last mapping\'s size, else 20Gi; an amiFamily field names the family; Windows defaults to 50Gi', () => {
    const custom = (spec: any) => nodeClass({ amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }], amiFamily: 'Custom', ...spec });
    expect(nodeDiskOf(custom({ blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '30Gi' } }, { deviceName: '/dev/sdf', ebs: { volumeSize: '500Gi' } }] }), g6)!.capacityBytes)
      .toBe(500 * GiB);
    expect(nodeDiskOf(custom({}), g6)!.capacityBytes).toBe(20 * GiB);
    expect(nodeDiskOf(nodeClass({ amiFamily: 'Bottlerocket', blockDeviceMappings: [{ deviceName: '/dev/xvdb', ebs: { volumeSize: '80Gi' } }] }), g6)!.capacityBytes).toBe(80 * GiB);
    expect(nodeDiskOf(nodeClass({ amiSelectorTerms: [{ alias: 'windows2022@latest' }] }), g6)!.capacityBytes).toBe(50 * GiB);
    // neither an amiFamily nor an alias: not known
    expect(nodeDiskOf(nodeClass({ amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }] }), g6)).toBeUndefined();
  });

  test('RAID0 counts the instance store of types that have one (decimal GB, as EC2 reports it)', () => {
    const raid = nodeClass({ instanceStorePolicy: 'RAID0', blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi' } }] });
    expect(nodeDiskOf(raid, g6)).toMatchObject({ capacityBytes: 250e9, source: 'a 250G instance store (instanceStorePolicy RAID0)' });
    expect(nodeDiskOf(raid, GpuInstanceType.of('p5.48xlarge'))!.capacityBytes).toBe(30400e9);
    // 250G less 1Gi and 10% (25G)
    expect(nodeDiskOf(raid, g6)!.allocatableBytes).toBe(250e9 - GiB - 25e9);
  });

  test('kube-reserved, system-reserved and evictionHard nodefs.available of the EC2NodeClass\'s kubelet; 100% disables the threshold', () => {
    const kubelet = (k: any) => nodeDiskOf(nodeClass({ kubelet: k, blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi' } }] }), g6)!;
    expect(kubelet({ kubeReserved: { 'ephemeral-storage': '5Gi' } }).allocatableBytes).toBe(100 * GiB - 5 * GiB - 10 * GiB);
    expect(kubelet({ systemReserved: { 'ephemeral-storage': '2Gi' } })).toMatchObject({ allocatableBytes: 100 * GiB - GiB - 2 * GiB - 10 * GiB, reserved: expect.stringMatching(/2Gi system-reserved/) });
    expect(kubelet({ evictionHard: { 'nodefs.available': '5%' } }).allocatableBytes).toBe(100 * GiB - GiB - 5 * GiB);
    expect(kubelet({ evictionHard: { 'nodefs.available': '100%' } }).allocatableBytes).toBe(99 * GiB);
    expect(kubelet({ evictionHard: { 'nodefs.available': '3Gi' } }).allocatableBytes).toBe(96 * GiB);
    expect(nodeDiskOf(nodeClass({ kubelet: { evictionHard: { 'nodefs.available': 'lots%' } } }), g6)).toBeUndefined();
  });

  test('nodeClassOf follows nodeClassRef to an EC2NodeClass of the list', () => {
    const classes = [nodeClass({}, 'other'), nodeClass()];
    expect(nodeClassOf(nodePool(), classes)).toBe(classes[1]);
    expect(nodeClassOf(nodePool(), [classes[0]])).toBeUndefined();
    const foreign = nodePool();
    foreign.spec.template.spec.nodeClassRef = { group: 'karpenter.azure.com', kind: 'AKSNodeClass', name: 'default' };
    expect(nodeClassOf(foreign, classes)).toBeUndefined();
  });
});

describe('the fastest an EBS volume writes (GPU251)', () => {
  test('gp3 as provisioned, 125 MiB/s by default; the most the other types deliver; unknown types and throughputs are not known', () => {
    expect(ebsWriteRate('gp3', undefined)).toEqual({ bytesPerSecond: 125 * MiB, shown: 'gp3 at its default 125 MiB/s' });
    expect(ebsWriteRate('gp3', 500)).toEqual({ bytesPerSecond: 500 * MiB, shown: 'gp3 at its throughput 500 MiB/s' });
    expect(ebsWriteRate('gp3', '250')?.bytesPerSecond).toBe(250 * MiB);
    expect(ebsWriteRate('gp2', undefined)).toEqual({ bytesPerSecond: 250 * MiB, shown: 'gp2 at most 250 MiB/s' });
    expect([ebsWriteRate('io1', 1)?.bytesPerSecond, ebsWriteRate('io2', 1)?.bytesPerSecond, ebsWriteRate('st1', 1)?.bytesPerSecond]).toEqual([1000 * MiB, 4000 * MiB, 500 * MiB]);
    for (const [type, tp] of [['gp3', 0], ['gp3', 'fast'], ['gp3', 1.5], ['gp4', undefined], [undefined, undefined], ['constructor', undefined]]) {
      expect(ebsWriteRate(type, tp)).toBeUndefined();
    }
  });

  test('the node\'s disk: Karpenter\'s default gp3, the mapping\'s type and throughput, capped by the instance\'s EBS bandwidth; none on RAID0', () => {
    const mapping = (ebs: any) => nodeClass({ blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '200Gi', ...ebs } }] });
    expect(nodeDiskOf(mapping({ volumeType: 'gp3', throughput: 1000 }), GpuInstanceType.of('p5.48xlarge'))!.writeRate?.bytesPerSecond).toBe(1000 * MiB);
    // (a g6.xlarge's EBS bandwidth, 5,000 Mbps, is below 1,000 MiB/s)
    expect(nodeDiskOf(mapping({ volumeType: 'gp3', throughput: 1000 }), g6)!.writeRate?.bytesPerSecond).toBe(625e6);
    expect(nodeDiskOf(mapping({ volumeType: 'gp2' }), g6)!.writeRate?.shown).toBe('gp2 at most 250 MiB/s');
    // a mapping that names no type, or mappings without the device's (the AMI's own volume): not known
    expect(nodeDiskOf(mapping({}), g6)!.writeRate).toBeUndefined();
    expect(nodeDiskOf(nodeClass({ blockDeviceMappings: [{ deviceName: '/dev/xvdb', ebs: { volumeSize: '200Gi', volumeType: 'gp3' } }] }), g6)!.writeRate).toBeUndefined();
    // io2's 4,000 MiB/s is above a g6.xlarge's EBS bandwidth
    const capped = nodeDiskOf(mapping({ volumeType: 'io2' }), g6)!.writeRate!;
    expect(capped.bytesPerSecond).toBe((g6.ebsBandwidthMbps * 1e6) / 8);
    expect(capped.shown).toBe(`io2 at most 4000 MiB/s, capped by g6.xlarge's EBS bandwidth of ${g6.ebsBandwidthMbps} Mbps`);
    expect(nodeDiskOf(nodeClass({ instanceStorePolicy: 'RAID0' }), g6)!.writeRate).toBeUndefined();
    expect(hostDirDiskOf(nodeClass({ instanceStorePolicy: 'RAID0' }), g6, '/models')!.writeRate?.bytesPerSecond).toBe(125 * MiB);
    expect(hostDirDiskOf(nodeClass({ instanceStorePolicy: 'RAID0' }), g6, '/mnt/k8s-disks/0/m')!.writeRate).toBeUndefined();
  });
});

describe('hostDirDiskOf: the disk a directory of the node is on (a hostPath)', () => {
  const raid = (spec: any = {}) => nodeClass({ instanceStorePolicy: 'RAID0', ...spec });
  const p5 = GpuInstanceType.of('p5.48xlarge');

  test('without RAID0 every directory is on the root volume, with the kubelet and the images: its whole size, no reserve', () => {
    expect(hostDirDiskOf(nodeClass(), g6, '/models')).toEqual({
      bytes: 20 * GiB,
      source: '20Gi /dev/xvda (Karpenter\'s default for AL2023: the EC2NodeClass gives it no size), the root volume, which holds the kubelet\'s and containerd\'s directories too',
      holdsImages: true,
      writeRate: { bytesPerSecond: 125 * MiB, shown: 'gp3 at its default 125 MiB/s' },
    });
    expect(hostDirDiskOf(nodeClass(), g6, '/var/lib/kubelet/x')!.bytes).toBe(20 * GiB);
    // sized by the mapping marked rootVolume, else by /dev/xvda's; AL2 too
    expect(hostDirDiskOf(nodeClass({ blockDeviceMappings: [{ deviceName: '/dev/sdb', rootVolume: true, ebs: { volumeSize: '300Gi' } }] }), g6, '/models')!.bytes).toBe(300 * GiB);
    expect(hostDirDiskOf(nodeClass({ amiFamily: 'AL2', amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }], blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '80Gi' } }] }), g6, '/models')!.bytes)
      .toBe(80 * GiB);
  });

  test('with RAID0: the array for /mnt/k8s-disks/0 and the directories bound onto it, the root volume (without the images) for the rest', () => {
    expect(RAID0_DIRS).toEqual(['/mnt/k8s-disks/0', '/var/lib/kubelet', '/var/lib/containerd', '/var/log/pods']);
    for (const dir of [...RAID0_DIRS, '/mnt/k8s-disks/0/models', '/var/lib/kubelet/pods/x']) {
      expect([dir, hostDirDiskOf(raid(), p5, dir)]).toEqual([dir, { bytes: 30_400e9, source: '30400G RAID0 of its instance store (instanceStorePolicy RAID0)', holdsImages: true }]);
    }
    for (const dir of ['/models', '/mnt/k8s-disks', '/mnt/k8s-disks/1', '/var/lib', '/var/lib/kubelet-cache', '/']) {
      const d = hostDirDiskOf(raid(), p5, dir)!;
      expect([dir, d.bytes, d.holdsImages]).toEqual([dir, 20 * GiB, false]);
      expect(d.source).toContain('the root volume (instanceStorePolicy RAID0 puts only /mnt/k8s-disks/0, /var/lib/kubelet, /var/lib/containerd, /var/log/pods on the instance store)');
    }
  });

  test('not known: Bottlerocket, Windows, a Custom AMI, or no AMI family', () => {
    for (const spec of [{ amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] }, { amiFamily: 'Windows2022' }, { amiFamily: 'Custom' }, { amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }] }]) {
      expect(hostDirDiskOf(nodeClass(spec), g6, '/models')).toBeUndefined();
    }
    expect(hostDirDiskOf(undefined, g6, '/models')).toBeUndefined();
  });
});

describe('ephemeral storage in placement (GPU203, plan)', () => {
  const app = (resources: any, extra: (w: any) => void = () => undefined) => {
    const w = workload({ name: 'llm', namespace: 'serving', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1, 'cpu': '2', 'memory': '8Gi' } });
    Object.assign(w.spec.template.spec.containers[0].resources, resources);
    extra(w);
    return w;
  };
  const run = (objects: any[]) => of(lint(objects), 'GPU203');

  test('the fail fixture: 100Gi against Karpenter\'s default 20Gi volume, with the disk\'s fix', () => {
    const found = of(lint(loadYaml(path.join(FIXTURES, 'GPU203', 'fail.yaml')).map((m) => m.object)), 'GPU203');
    const f = found.find((x) => x.object.name === 'embedder')!;
    expect(f.fieldPath).toBe('spec.template.spec.containers');
    expect(f.message).toBe('can never be scheduled: NodePool g5-small: needs 100Gi ephemeral-storage per pod; the allowed types give pods '
      + 'at most 17Gi (g5.xlarge: a 20Gi /dev/xvda (Karpenter\'s default for AL2023: the EC2NodeClass gives it no size), less 1Gi '
      + 'kube-reserved, 2Gi eviction threshold (nodefs.available 10%, the default))');
    expect(f.remediation).toMatch(/^Give the EC2NodeClass a larger volume for the kubelet/);
  });

  test('plan: the workload lands nowhere, and says why', () => {
    const plan = planGpuWorkloads(loadYaml(path.join(FIXTURES, 'GPU203', 'fail.yaml')));
    const w = plan.workloads.find((x) => x.name === 'embedder')!;
    expect(w.fits).toEqual([]);
    expect(JSON.stringify(w.rejectedBy)).toContain('needs 100Gi ephemeral-storage per pod');
    expect(w.ephemeralStorageBytesPerReplica).toBe(100 * GiB);
    expect(renderPlanText(plan)).toContain('per replica  1 nvidia.com/gpu, 2 cpu, 8Gi, 100Gi ephemeral-storage');
    expect(plan.workloads.find((x) => x.name === 'llm')!.ephemeralStorageBytesPerReplica).toBeUndefined();
  });

  test('plan packs ephemeral storage: four 100Gi replicas on 4-GPU nodes whose disk holds one each take four nodes', () => {
    const pool = nodePool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.12xlarge'] }] });
    const w = app({ requests: { 'ephemeral-storage': '100Gi' } }, (x) => { x.spec.replicas = 4; });
    const nodes = (cls: any) => planGpuWorkloads([pool, cls, w].map((object) => ({ object }))).pools[0].nodes;
    // a 200Gi volume: 179Gi for pods, one replica per node
    expect(nodes(nodeClass({ blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '200Gi' } }] }))).toMatchObject({ min: 4, max: 4 });
    // the instance store (3760G): all four on one node, as without a disk request
    expect(nodes(nodeClass({ instanceStorePolicy: 'RAID0' }))).toMatchObject({ min: 1, max: 1 });
    // an EC2NodeClass not in the manifests: the disk is not known, not packed
    expect(planGpuWorkloads([pool, w].map((object) => ({ object }))).pools[0].nodes).toMatchObject({ min: 1, max: 1 });
  });

  test('a limit alone is the request (API defaulting)', () => {
    expect(run([nodePool(), nodeClass(), app({ limits: { 'nvidia.com/gpu': 1, 'cpu': '2', 'memory': '8Gi', 'ephemeral-storage': '50Gi' } })])).toHaveLength(1);
  });

  test('fits: a larger volume, RAID0 on the pool\'s NVMe, or one pool of two with room', () => {
    const big = app({ requests: { 'ephemeral-storage': '100Gi' } });
    expect(run([nodePool(), nodeClass({ blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '200Gi' } }] }), big])).toEqual([]);
    expect(run([nodePool(), nodeClass({ instanceStorePolicy: 'RAID0' }), big])).toEqual([]);
    const roomy = nodePool({ name: 'roomy' });
    roomy.spec.template.spec.nodeClassRef.name = 'roomy';
    expect(run([nodePool(), nodeClass(), roomy, nodeClass({ instanceStorePolicy: 'RAID0' }, 'roomy'), big])).toEqual([]);
    // 17Gi exactly fits
    expect(run([nodePool(), nodeClass(), app({ requests: { 'ephemeral-storage': '17Gi' } })])).toEqual([]);
    expect(run([nodePool(), nodeClass(), app({ requests: { 'ephemeral-storage': '18Gi' } })])).toHaveLength(1);
  });

  test('the pod\'s effective request: app containers and sidecars summed, init containers at their largest', () => {
    const withInit = (init: any) => app({ requests: { 'ephemeral-storage': '10Gi' } }, (w) => { w.spec.template.spec.initContainers = [init]; });
    const sidecar = { name: 'sync', image: 'busybox', restartPolicy: 'Always', resources: { requests: { 'ephemeral-storage': '10Gi' } } };
    expect(run([nodePool(), nodeClass(), withInit(sidecar)])[0].message).toContain('needs 20Gi ephemeral-storage per pod');
    const init = (n: string) => ({ name: 'fetch', image: 'busybox', resources: { requests: { 'ephemeral-storage': n } } });
    expect(run([nodePool(), nodeClass(), withInit(init('15Gi'))])).toEqual([]);
    expect(run([nodePool(), nodeClass(), withInit(init('30Gi'))])[0].message).toContain('needs 30Gi ephemeral-storage per pod');
  });

  test('a LimitRange\'s default ephemeral-storage request counts for containers that set none (LimitRanger)', () => {
    const limitRange = (dflt: string) => ({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'disk', namespace: 'serving' },
      spec: { limits: [{ type: 'Container', defaultRequest: { 'ephemeral-storage': dflt }, default: { 'ephemeral-storage': dflt } }] },
    });
    expect(run([nodePool(), nodeClass(), limitRange('50Gi'), app({})])[0].message).toContain('needs 50Gi ephemeral-storage per pod');
    expect(run([nodePool(), nodeClass(), limitRange('5Gi'), app({})])).toEqual([]);
    // a container that sets its own request keeps it
    expect(run([nodePool(), nodeClass(), limitRange('50Gi'), app({ requests: { 'ephemeral-storage': '5Gi' }, limits: { 'nvidia.com/gpu': 1, 'cpu': '2', 'memory': '8Gi', 'ephemeral-storage': '5Gi' } })])).toEqual([]);
    const plan = planGpuWorkloads([nodePool(), nodeClass({ instanceStorePolicy: 'RAID0' }), limitRange('50Gi'), app({})].map((object) => ({ object })));
    expect(plan.workloads[0].notes.join(' ')).toContain('ephemeral-storage 50Gi');
  });

  test('a MIG pool\'s view of its nodes (GPU401) keeps their disk: a slice that fits but a disk that does not is no fit', () => {
    const objects = loadYaml(path.join(FIXTURES, 'GPU401', 'pass.yaml')).map((m) => m.object);
    expect(of(lint(objects), 'GPU401')).toEqual([]);
    const server = objects.find((o) => o.kind === 'Deployment');
    server.spec.template.spec.containers[0].resources.limits['ephemeral-storage'] = '100Gi';
    expect(of(lint(objects), 'GPU401')[0].message).toContain('but fits none of them: a100-mig: needs 100Gi ephemeral-storage per pod; the allowed types give pods at most 17Gi');
  });

  test('not judged: the EC2NodeClass is not in the manifests, nothing asks for disk', () => {
    const big = app({ requests: { 'ephemeral-storage': '100Gi' } });
    expect(run([nodePool(), big])).toEqual([]);
    expect(run([nodePool(), nodeClass({}, 'other'), big])).toEqual([]);
    expect(run([nodePool(), nodeClass(), app({})])).toEqual([]);
  });
});
