import * as path from 'path';
import { loadYaml, nodePool, of } from './helpers';
import { BUILTIN_RULES, Finding, validateManifests } from '../../src/validation';
import { KARPENTER_RULES } from '../../src/validation/rules/karpenter';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');
const run = (objects: any[]): Finding[] => validateManifests(objects.map((object) => ({ object })), { rules: KARPENTER_RULES });
// GPU009 (the schema gate) left out: some fail fixtures are also refused by the CRD, and the rule itself must fire.
const runFile = (file: string): Finding[] => validateManifests(loadYaml(file), { rules: BUILTIN_RULES.filter((r) => r.id !== 'GPU000' && r.id !== 'GPU009') });

const NODE_CLASS = {
  apiVersion: 'karpenter.k8s.aws/v1',
  kind: 'EC2NodeClass',
  metadata: { name: 'default' },
  spec: { role: 'r', amiSelectorTerms: [{ alias: 'al2023@latest' }], subnetSelectorTerms: [{ tags: { a: 'b' } }], securityGroupSelectorTerms: [{ tags: { a: 'b' } }] },
};

describe('KARPENTER_RULES (GPU101-GPU107)', () => {
  test('ids are GPU1xx, unique, documented, and registered among the built-in rules', () => {
    const ids = KARPENTER_RULES.map((r) => r.id);
    expect(ids).toEqual(['GPU101', 'GPU102', 'GPU103', 'GPU104', 'GPU105', 'GPU106', 'GPU107']);
    for (const r of KARPENTER_RULES) {
      expect(BUILTIN_RULES.filter((b) => b.id === r.id)).toEqual([r]);
      expect(r.description!.length).toBeGreaterThan(50);
      expect(r.remediation.length).toBeGreaterThan(20);
      expect(r.kinds).toContain('NodePool');
    }
  });

  // Each rule's pass/fail fixtures are run by the registry self-test (test/validation/registry.test.ts).
});

describe('GPU101 catalog types', () => {
  test('reports a misspelt type with close matches, a CPU type and an unknown family, at the exact value', () => {
    const f = of(runFile(path.join(FIXTURES, 'GPU101', 'fail.yaml')), 'GPU101');
    expect(f.map((x) => x.fieldPath)).toEqual([
      'spec.template.spec.requirements[0].values[1]',
      'spec.template.spec.requirements[0].values[2]',
      'spec.template.spec.requirements[1].values[0]',
    ]);
    expect(f[0].message).toMatch(/p5\.48xlage' is not a known EC2 GPU instance type/);
    expect(f[0].remediation).toMatch(/p5\.48xlarge/);
    expect(f[1].message).toMatch(/m5\.large' has no GPU/);
    expect(f[2].message).toMatch(/instance family 'g7'/);
  });

  test('judges a pool that only limits GPUs, not a CPU pool', () => {
    const reqs = [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c5.large'] }];
    expect(of(run([nodePool({ requirements: reqs, taints: [], limits: {} })]), 'GPU101')).toEqual([]);
    expect(of(run([nodePool({ requirements: reqs, taints: [], limits: { 'nvidia.com/gpu': 8 } })]), 'GPU101')).toHaveLength(1);
  });

  test('ignores NotIn lists', () => {
    const reqs = [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g6'] },
      { key: 'node.kubernetes.io/instance-type', operator: 'NotIn', values: ['g6.nosuch'] }];
    expect(of(run([nodePool({ requirements: reqs })]), 'GPU101')).toEqual([]);
  });
});

describe('GPU102 GPU limit vs. largest type', () => {
  const p4dAndG6 = [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge', 'g6.xlarge'] }];
  test('names the largest type and its GPU count', () => {
    const [f] = of(run([nodePool({ requirements: p4dAndG6, limits: { 'nvidia.com/gpu': 4 } })]), 'GPU102');
    expect(f.message).toBe('is 4, below one p4d.24xlarge node (8 GPUs), so Karpenter never launches p4d.24xlarge from this pool');
    expect(f.fieldPath).toBe('spec.limits["nvidia.com/gpu"]');
  });
  test('says when no node fits at all', () => {
    const reqs = [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.12xlarge'] }];
    const [f] = of(run([nodePool({ requirements: reqs, limits: { 'nvidia.com/gpu': '2' } })]), 'GPU102');
    expect(f.message).toMatch(/below every allowed type, so the pool can launch no node at all/);
  });
  test('silent at exactly one node, and without a limit (GPU005 covers that)', () => {
    expect(of(run([nodePool({ requirements: p4dAndG6, limits: { 'nvidia.com/gpu': 8 } })]), 'GPU102')).toEqual([]);
    expect(of(run([nodePool({ requirements: p4dAndG6, limits: {} })]), 'GPU102')).toEqual([]);
  });
});

describe('GPU103/GPU104 durations and schedules', () => {
  const withDisruption = (disruption: any, templateExtra: any = {}) => {
    const p = nodePool();
    p.spec.disruption = disruption;
    Object.assign(p.spec.template.spec, templateExtra);
    return p;
  };
  test.each([
    ['consolidateAfter 30d', { consolidateAfter: '30d' }, {}, 'spec.disruption.consolidateAfter'],
    ['consolidateAfter as a number', { consolidateAfter: 30 }, {}, 'spec.disruption.consolidateAfter'],
    ['expireAfter 1.5h', { consolidateAfter: '5m' }, { expireAfter: '1.5h' }, 'spec.template.spec.expireAfter'],
    ['terminationGracePeriod Never', { consolidateAfter: '5m' }, { terminationGracePeriod: 'Never' }, 'spec.template.spec.terminationGracePeriod'],
    ['budget duration in seconds', { consolidateAfter: '5m', budgets: [{ nodes: '0', schedule: '@daily', duration: '90s' }] }, {}, 'spec.disruption.budgets[0].duration'],
  ])('GPU103 refuses %s', (_, disruption, extra, fieldPath) => {
    const f = of(run([withDisruption(disruption, extra), NODE_CLASS]), 'GPU103');
    expect(f.map((x) => x.fieldPath)).toEqual([fieldPath]);
  });
  test('GPU103 accepts Never, compound durations and 0s-suffixed budget durations', () => {
    const p = withDisruption({ consolidateAfter: 'Never', budgets: [{ nodes: '0', schedule: '@daily', duration: '1h30m0s' }] }, { expireAfter: '1h30m' });
    expect(of(run([p, NODE_CLASS]), 'GPU103')).toEqual([]);
  });
  test.each([
    ['0 9 * * 1-5 *', /has 6 fields/],
    ['CRON_TZ=Asia/Seoul 0 9 * * 1-5', /timezone/],
    ['0 9 * * 1-7', /day of week field "1-7" has 7, outside 0-6/],
    ['0 17-9 * * *', /start is after its end/],
    ['@every 1h', /descriptor @every/],
    ['*/0 * * * *', /step 0/],
  ])('GPU104 refuses the schedule %s', (schedule, msg) => {
    const f = of(run([withDisruption({ consolidateAfter: '5m', budgets: [{ nodes: '0', schedule, duration: '1h' }] }), NODE_CLASS]), 'GPU104');
    expect(f).toHaveLength(1);
    expect(f[0].fieldPath).toBe('spec.disruption.budgets[0].schedule');
    expect(f[0].message).toMatch(msg);
  });
  test('GPU104 requires schedule and duration together', () => {
    const f = of(run([withDisruption({ consolidateAfter: '5m', budgets: [{ nodes: '0', duration: '1h' }] }), NODE_CLASS]), 'GPU104');
    expect(f.map((x) => x.message)).toEqual(['sets duration without schedule; Karpenter requires both or neither']);
  });
});

describe('GPU105 restricted keys', () => {
  test('reports each refused key with Karpenter\'s reason', () => {
    const f = of(runFile(path.join(FIXTURES, 'GPU105', 'fail.yaml')), 'GPU105');
    expect(f.map((x) => `${x.fieldPath}: ${x.message}`)).toEqual([
      'spec.template.spec.requirements[1].key: is "karpenter.sh/instance-gpu": label domain "karpenter.sh" is restricted',
      'spec.template.spec.requirements[2].key: is "kubernetes.io/hostname": label "kubernetes.io/hostname" is restricted',
      expect.stringMatching(/^spec\.template\.spec\.requirements\[3\]\.key: is "example\.kubernetes\.io\/tier": label example\.kubernetes\.io\/tier is restricted; the domain "kubernetes\.io" is reserved/),
      'spec.template.metadata.labels["karpenter.k8s.aws/gpu-class"]: is refused: label domain "karpenter.k8s.aws" is restricted',
      expect.stringMatching(/labels\["node-role\.kubernetes\.io\/gpu"\]: is refused: label node-role\.kubernetes\.io\/gpu is restricted/),
    ]);
  });
  test('karpenter.sh/nodepool is refused even though Karpenter sets it', () => {
    const p = nodePool({ requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['x'] }] });
    expect(of(run([p, NODE_CLASS]), 'GPU105')[0].message).toMatch(/label "karpenter.sh\/nodepool" is restricted/);
  });
});

describe('GPU106 nodeClassRef', () => {
  test('warns when the EC2NodeClass is absent and lists those present', () => {
    const f = of(runFile(path.join(FIXTURES, 'GPU106', 'fail.yaml')), 'GPU106');
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe('names EC2NodeClass "gpu-nodeclass", which is not in these manifests (they define "gpu")');
    expect(f[0].remediation).toMatch(/one of gpu/);
  });
  test('reports a misspelt kind or group, ignores other providers\' node classes', () => {
    const bad = nodePool();
    bad.spec.template.spec.nodeClassRef = { group: 'karpenter.sh', kind: 'EC2NodeClass', name: 'default' };
    expect(of(run([bad, NODE_CLASS]), 'GPU106')[0].message).toMatch(/not group "karpenter.k8s.aws"/);
    const other = nodePool();
    other.spec.template.spec.nodeClassRef = { group: 'karpenter.azure.com', kind: 'AKSNodeClass', name: 'x' };
    expect(of(run([other]), 'GPU106')).toEqual([]);
  });
});

describe('GPU107 the device plugin tolerates every GPU NodePool\'s taints', () => {
  const clusterPolicy = (spec: any = {}) => ({ apiVersion: 'nvidia.com/v1', kind: 'ClusterPolicy', metadata: { name: 'cluster-policy' }, spec });
  const spotPool = nodePool({ name: 'spot', taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }, { key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' }] });
  const daemonSet = (container: any, tolerations?: any[]) => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'nvidia-device-plugin', namespace: 'kube-system' },
    spec: { selector: { matchLabels: { n: 'dp' } }, template: { metadata: { labels: { n: 'dp' } }, spec: { ...(tolerations ? { tolerations } : {}), containers: [container] } } },
  });
  const plugin = { name: 'dp', image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.0' };
  const gpu107 = (objects: any[]) => of(run(objects), 'GPU107');

  test('a ClusterPolicy without tolerations (or an empty list) keeps the operator\'s nvidia.com/gpu only: the spot taint is reported', () => {
    for (const cp of [clusterPolicy(), clusterPolicy({ daemonsets: { tolerations: [] } })]) {
      const [f] = gpu107([cp, spotPool]);
      expect(f.fieldPath).toBe('spec.template.spec.taints[1]');
      expect(f.message).toMatch(/^taints its GPU nodes karpenter\.sh\/capacity-type=spot:NoSchedule, which no device plugin of these manifests tolerates \(ClusterPolicy cluster-policy \(daemonsets\.tolerations\): karpenter\.sh\/capacity-type=spot:NoSchedule\): the device plugin never runs/);
      expect(f.remediation).toBe('Add { key: "karpenter.sh/capacity-type", operator: Exists, effect: NoSchedule } to spec.daemonsets.tolerations of ClusterPolicy cluster-policy, or drop the taint.');
    }
    // a list that holds both taints passes; one that forgets nvidia.com/gpu replaces the operator's and is reported
    expect(gpu107([clusterPolicy({ daemonsets: { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }, { key: 'karpenter.sh/capacity-type', operator: 'Exists' }] } }), spotPool])).toEqual([]);
    expect(gpu107([clusterPolicy({ daemonsets: { tolerations: [{ key: 'karpenter.sh/capacity-type', operator: 'Exists' }] } }), spotPool])[0].message)
      .toMatch(/taints its GPU nodes nvidia\.com\/gpu:NoSchedule/);
  });

  test('judged only with a device plugin in the manifests, and only for GPU pools', () => {
    expect(gpu107([spotPool])).toEqual([]);
    expect(gpu107([clusterPolicy({ devicePlugin: { enabled: false } }), spotPool])).toEqual([]);
    // GPU feature discovery runs from the same image: not a device plugin
    expect(gpu107([daemonSet({ ...plugin, command: ['gpu-feature-discovery'] }), spotPool])).toEqual([]);
    const cpuPool = nodePool({ name: 'cpu', requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m7i.large'] }], taints: [{ key: 'dedicated', effect: 'NoSchedule' }] });
    expect(gpu107([clusterPolicy(), cpuPool])).toEqual([]);
  });

  test('a standalone device plugin DaemonSet: its own tolerations; one tolerating provider is enough', () => {
    expect(gpu107([daemonSet(plugin), spotPool]).map((f) => f.message)).toEqual([expect.stringContaining('(DaemonSet nvidia-device-plugin: nvidia.com/gpu:NoSchedule, karpenter.sh/capacity-type=spot:NoSchedule)')]);
    expect(gpu107([daemonSet(plugin, [{ operator: 'Exists' }]), spotPool])).toEqual([]);
    expect(gpu107([clusterPolicy(), daemonSet(plugin, [{ operator: 'Exists' }]), spotPool])).toEqual([]);
  });
});
