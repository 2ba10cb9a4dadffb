import * as path from 'path';
import { DEFAULT_NODE_CLASS, GPU_TOLERATION, lint, loadYaml, nodePool, of, workload } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { nodeClassOf, nodeDiskOf } from '../../src/scheduling/node-disk';
import { Severity } from '../../src/validation';
import { NODE_DISK_RULES } from '../../src/validation/rules/node-disk';

const GiB = 1024 ** 3;
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

/** DEFAULT_NODE_CLASS with `spec` fields added. */
const nodeClass = (spec: any = {}, name = 'default') => ({ ...DEFAULT_NODE_CLASS, metadata: { name }, spec: { ...DEFAULT_NODE_CLASS.spec, ...spec } });
const g6 = GpuInstanceType.of('g6.xlarge');

describe('NODE_DISK_RULES (GPU239)', () => {
  test('id, severity and documentation', () => {
    expect(NODE_DISK_RULES.map((r) => [r.id, r.severity])).toEqual([['GPU239', Severity.ERROR]]);
    expect(NODE_DISK_RULES[0].description!).toMatch(/ephemeralStorage/);
  });
});

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

describe('GPU239 ephemeral-storage fits the node disk', () => {
  const app = (resources: any, extra: (w: any) => void = () => undefined) => {
    const w = workload({ name: 'llm', namespace: 'serving', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1, 'cpu': '2', 'memory': '8Gi' } });
    Object.assign(w.spec.template.spec.containers[0].resources, resources);
    extra(w);
    return w;
  };
  const run = (objects: any[]) => of(lint(objects), 'GPU239');

  test('the fail fixture: 100Gi against Karpenter\'s default 20Gi volume', () => {
    const [f] = of(lint(loadYaml(path.join(FIXTURES, 'GPU239', 'fail.yaml')).map((m) => m.object)), 'GPU239');
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].resources.requests.ephemeral-storage');
    expect(f.message).toBe('its pods ask for 100Gi of ephemeral storage (container "server" 100Gi), but the nodes of the NodePool(s) it can '
      + 'use (g6) give pods at most 17Gi: g6.xlarge in NodePool g6 has a 20Gi /dev/xvda (Karpenter\'s default for AL2023: the '
      + 'EC2NodeClass gives it no size), less 1Gi kube-reserved, 2Gi eviction threshold (nodefs.available 10%, the default); '
      + 'Karpenter launches no node for it and the pod stays Pending');
  });

  test('a limit alone is the request (API defaulting): the finding names the limit', () => {
    const [f] = run([nodePool(), nodeClass(), app({ limits: { 'nvidia.com/gpu': 1, 'cpu': '2', 'memory': '8Gi', 'ephemeral-storage': '50Gi' } })]);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].resources.limits.ephemeral-storage');
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
    // 10Gi + a 10Gi sidecar: 20Gi > 17Gi, reported on the container asking the most (the first of equals)
    const sidecar = { name: 'sync', image: 'busybox', restartPolicy: 'Always', resources: { requests: { 'ephemeral-storage': '10Gi' } } };
    const [f] = run([nodePool(), nodeClass(), withInit(sidecar)]);
    expect(f.message).toMatch(/ask for 20Gi of ephemeral storage \(container "main" 10Gi\)/);
    // a plain init container of 15Gi: max(10, 15) = 15Gi fits; of 30Gi it does not, and is named
    const init = (n: string) => ({ name: 'fetch', image: 'busybox', resources: { requests: { 'ephemeral-storage': n } } });
    expect(run([nodePool(), nodeClass(), withInit(init('15Gi'))])).toEqual([]);
    const [g] = run([nodePool(), nodeClass(), withInit(init('30Gi'))]);
    expect(g.fieldPath).toBe('spec.template.spec.initContainers[0].resources.requests.ephemeral-storage');
  });

  test('not judged: the EC2NodeClass is not in the manifests, the pod asks for no GPU or fits no pool, nothing asks for disk', () => {
    const big = app({ requests: { 'ephemeral-storage': '100Gi' } });
    expect(run([nodePool(), big])).toEqual([]);
    expect(run([nodePool(), nodeClass({}, 'other'), big])).toEqual([]);
    const cpu = workload({ tolerations: [GPU_TOLERATION], requests: { 'ephemeral-storage': '100Gi' } });
    expect(run([nodePool(), nodeClass(), cpu])).toEqual([]);
    const pinnedElsewhere = app({ requests: { 'ephemeral-storage': '100Gi' } }, (w) => { w.spec.template.spec.nodeSelector = { 'karpenter.sh/nodepool': 'absent' }; });
    expect(run([nodePool(), nodeClass(), pinnedElsewhere])).toEqual([]);
    expect(run([nodePool(), nodeClass(), app({})])).toEqual([]);
  });
});
