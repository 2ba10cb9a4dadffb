import * as fs from 'fs';
import * as path from 'path';
import { GPU_TOLERATION, loadYaml, of, workload } from './helpers';
import { Finding, Severity, validateManifests } from '../../src/validation';
import { SHARING_RULES } from '../../src/validation/rules/sharing';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');
const run = (objects: any[]): Finding[] => validateManifests(objects.map((object) => ({ object })), { rules: SHARING_RULES });

const nodePool = (name: string, types: string[], labels: Record<string, string> = {}, annotations: Record<string, string> = {}, taints: any[] = [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }]) => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name, ...(Object.keys(annotations).length ? { annotations } : {}) },
  spec: {
    limits: { 'nvidia.com/gpu': 64 },
    template: {
      metadata: { labels },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: types }],
        taints,
      },
    },
  },
});
const tsConfigMap = (key: string, ts: any, name = 'device-plugin-config') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'gpu-operator' },
  data: { [key]: `version: v1\nsharing:\n  timeSlicing:\n${Object.entries(ts).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}\n` },
});
const gpuApp = (limits: Record<string, unknown>, o: any = {}) => workload({ tolerations: [GPU_TOLERATION], limits: { ...limits, cpu: '2', memory: '8Gi' }, ...o });

describe('SHARING_RULES (GPU401-GPU405)', () => {
  test('ids are GPU4xx, unique, documented', () => {
    expect(SHARING_RULES.map((r) => r.id)).toEqual(['GPU401', 'GPU402', 'GPU403', 'GPU404', 'GPU405', 'GPU406']);
    for (const r of SHARING_RULES) {
      expect(r.description!.length).toBeGreaterThan(50);
      expect(r.remediation.length).toBeGreaterThan(20);
    }
    const { ERROR, WARNING } = Severity;
    expect(SHARING_RULES.map((r) => r.severity)).toEqual([ERROR, ERROR, ERROR, WARNING, WARNING, WARNING]);
  });

  // Each rule's pass/fail fixtures are run by the registry self-test (test/validation/registry.test.ts).
});

describe('GPU401 MIG slice placeable', () => {
  test('derives the offer from the mig.config label (default config for the pool GPU) and explains each pool', () => {
    const pool = nodePool('a100', ['p4d.24xlarge'], { 'nvidia.com/mig.config': 'all-1g.5gb' }, {}, [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }, { key: 'team', value: 'a', effect: 'NoSchedule' }]);
    const [f] = of(run([pool, gpuApp({ 'nvidia.com/mig-1g.5gb': 1 })]), 'GPU401');
    expect(f.message).toBe('requests nvidia.com/mig-1g.5gb, offered by NodePool(s) a100, but fits none of them: a100: does not tolerate taint team=a:NoSchedule');
    // More slices than one node offers (7 × 8 = 56).
    const [g] = of(run([nodePool('a100', ['p4d.24xlarge'], { 'nvidia.com/mig.config': 'all-1g.5gb' }), gpuApp({ 'nvidia.com/mig-1g.5gb': 57 })]), 'GPU401');
    expect(g.message).toMatch(/needs 57 nvidia.com\/mig-1g.5gb per pod; the largest allowed type p4d.24xlarge has 56/);
  });
  test('seven offering pools it fits none of: the pools and their reasons name five and count the rest', () => {
    const pools = Array.from({ length: 7 }, (_, i) => nodePool(`a100-${i}`, ['p4d.24xlarge'], { 'nvidia.com/mig.config': 'all-1g.5gb' }, {},
      [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }, { key: 'team', value: 'a', effect: 'NoSchedule' }]));
    const [f] = of(run([...pools, gpuApp({ 'nvidia.com/mig-1g.5gb': 1 })]), 'GPU401');
    const reason = 'does not tolerate taint team=a:NoSchedule';
    expect(f.message).toBe('requests nvidia.com/mig-1g.5gb, offered by NodePool(s) a100-0, a100-1, a100-2, a100-3, a100-4 and 2 more, '
      + `but fits none of them: ${[0, 1, 2, 3, 4].map((i) => `a100-${i}: ${reason}`).join('; ')} and 2 more`);
  });
  test('reads a custom mig-parted ConfigMap (device groups) and the annotation; no offer at all is left to GPU204', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mig-config', namespace: 'gpu-operator' },
      data: { 'config.yaml': 'version: v1\nmig-configs:\n  split:\n    - devices: [0,1,2,3]\n      mig-enabled: true\n      mig-devices: {"1g.5gb": 7}\n    - devices: [4,5,6,7]\n      mig-enabled: false\n' },
    };
    const pool = nodePool('a100', ['p4d.24xlarge'], { 'nvidia.com/mig.config': 'split' });
    // 28 slices fit a node once MIG is set up, but nothing tells Karpenter, so no node is launched (issue 15, case 3).
    const [f] = of(run([cm, pool, gpuApp({ 'nvidia.com/mig-1g.5gb': 28 })]), 'GPU401');
    expect(f.message).toMatch(/NodePool\(s\) a100 \(MIG config split\) would advertise it once running, but Karpenter only launches a node whose instance type or NodeOverlay offers it/);
    expect(f.message).toMatch(/Karpenter sees nvidia.com\/mig-1g.5gb 0 on p4d.24xlarge, not 28/);
    expect(f.remediation).toMatch(/capacity \{nvidia.com\/mig-1g.5gb: "28"\}/);
    // With the NodeOverlay (what MigConfig.applyTo writes), Karpenter knows: no finding.
    const overlay = {
      apiVersion: 'karpenter.sh/v1alpha1',
      kind: 'NodeOverlay',
      metadata: { name: 'a100-8gpu-slices' },
      spec: { requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['a100'] }], capacity: { 'nvidia.com/mig-1g.5gb': '28', 'nvidia.com/gpu': '4' } },
    };
    expect(of(run([cm, pool, overlay, gpuApp({ 'nvidia.com/mig-1g.5gb': 28 })]), 'GPU401')).toEqual([]);
    expect(of(run([cm, pool, gpuApp({ 'nvidia.com/mig-1g.5gb': 29 })]), 'GPU401')[0].message).toMatch(/has 28/);
    // The 4 unsliced GPUs are still whole GPUs.
    expect(of(run([cm, pool, gpuApp({ 'nvidia.com/gpu': 4 })]), 'GPU401')).toEqual([]);
    expect(of(run([pool, gpuApp({ 'nvidia.com/mig-3g.40gb': 1 })]), 'GPU401')).toEqual([]);
  });
});

describe('GPU402 MIG pool MIG-capable', () => {
  test('names the non-MIG types; all-disabled and annotation-declared pools are judged correctly', () => {
    const [f] = of(run([nodePool('mig', ['p4d.24xlarge', 'g5.12xlarge'], { 'nvidia.com/mig.config': 'all-balanced' })]), 'GPU402');
    expect(f.message).toBe('carries nvidia.com/mig.config=all-balanced but allows instance types without MIG: g5.12xlarge (A10G-24GB)');
    expect(of(run([nodePool('off', ['g5.12xlarge'], { 'nvidia.com/mig.config': 'all-disabled' })]), 'GPU402')).toEqual([]);
    const [g] = of(run([nodePool('ann', ['g6.xlarge'], {}, { 'cdk8s-gpu.io/advertised-resources-per-gpu': '{"nvidia.com/mig-1g.10gb": 7}' })]), 'GPU402');
    expect(g.message).toMatch(/^advertises nvidia.com\/mig-1g.10gb but allows instance types without MIG: g6.xlarge/);
  });
});

describe('GPU403 time-sliced pool, requests > 1', () => {
  const pool = nodePool('dev', ['g5.12xlarge'], { 'nvidia.com/device-plugin.config': 'ts' });
  test('fires only with failRequestsGreaterThanOne and a pod that can land there', () => {
    const cm = tsConfigMap('ts', { failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] });
    const [f] = of(run([cm, pool, gpuApp({ 'nvidia.com/gpu': 2 })]), 'GPU403');
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].resources');
    expect(f.message).toMatch(/asks for 2 × nvidia.com\/gpu and can land on NodePool dev, time-sliced by config ts \(ConfigMap device-plugin-config\)/);
    const off = tsConfigMap('ts', { failRequestsGreaterThanOne: false, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] });
    expect(of(run([off, pool, gpuApp({ 'nvidia.com/gpu': 2 })]), 'GPU403')).toEqual([]);
    // Pinned elsewhere: cannot land on the time-sliced pool.
    const other = nodePool('whole', ['g5.12xlarge']);
    expect(of(run([cm, pool, other, gpuApp({ 'nvidia.com/gpu': 2 }, { nodeSelector: { 'karpenter.sh/nodepool': 'whole' } })]), 'GPU403')).toEqual([]);
  });
  test('renamed resources and the ClusterPolicy default config', () => {
    const cm = tsConfigMap('ts', { renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] });
    expect(of(run([cm, pool, gpuApp({ 'nvidia.com/gpu.shared': 2 })]), 'GPU403')[0].message).toMatch(/2 × nvidia.com\/gpu.shared/);
    const unlabelled = nodePool('dev', ['g5.12xlarge']);
    const cp = { apiVersion: 'nvidia.com/v1', kind: 'ClusterPolicy', metadata: { name: 'cluster-policy' }, spec: { devicePlugin: { config: { name: 'device-plugin-config', default: 'ts' } } } };
    const strict = tsConfigMap('ts', { failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] });
    expect(of(run([strict, cp, unlabelled, gpuApp({ 'nvidia.com/gpu': 3 })]), 'GPU403')).toHaveLength(1);
    expect(of(run([strict, unlabelled, gpuApp({ 'nvidia.com/gpu': 3 })]), 'GPU403')).toEqual([]);
  });
});

describe('GPU404 time-sliced GPUs serving production', () => {
  const cm = tsConfigMap('ts', { resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] });
  const pool = nodePool('dev', ['g5.12xlarge'], { 'nvidia.com/device-plugin.config': 'ts' });
  const nsObj = (env: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml-serving', labels: { 'cdk8s-gpu.io/environment': env } } });
  test('warns for production namespaces only, and only when the pod can land there', () => {
    const app = gpuApp({ 'nvidia.com/gpu': 1 }, { namespace: 'ml-serving' });
    const [f] = of(run([cm, pool, nsObj('production'), app]), 'GPU404');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toBe('runs in production namespace ml-serving and can land on time-sliced NodePool(s) dev (ts), which share GPUs without isolation');
    expect(of(run([cm, pool, nsObj('staging'), app]), 'GPU404')).toEqual([]);
    expect(of(run([cm, pool, nsObj('production'), gpuApp({ cpu: '1' }, { namespace: 'ml-serving', tolerations: [] })]), 'GPU404')).toEqual([]);
  });
});

describe('sharing fixtures exist for every id', () => {
  test('pass and fail files', () => {
    for (const r of SHARING_RULES) {
      for (const f of ['pass.yaml', 'fail.yaml']) expect(fs.existsSync(path.join(FIXTURES, r.id, f))).toBe(true);
    }
  });
});

describe('GPU406 vLLM on time-sliced GPUs keeps to its share of memory', () => {
  const load = () => loadYaml(path.join(FIXTURES, 'GPU406', 'fail.yaml')).map((m) => m.object);
  const container = (objs: any[]) => objs.find((o: any) => o.kind === 'Deployment').spec.template.spec.containers[0];

  test('vLLM\'s default 0.9 on GPUs time-sliced 4 ways: a warning at the args naming the pool, the config and the share', () => {
    const [f, ...rest] = of(run(load()), 'GPU406');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].args');
    expect(f.message).toContain('--gpu-memory-utilization 0.9 (vLLM\'s default) on NodePool g5-dev, whose GPUs are time-sliced 4 ways (device plugin config shared-4)');
  });

  test('a utilization within the share, a --config file, MPS sharing or a server that is not vLLM: silent', () => {
    for (const extra of [['--gpu-memory-utilization', '0.25'], ['--gpu-memory-utilization=0.2'], ['--config', 'vllm.yaml']]) {
      const objs = load();
      container(objs).args.push(...extra);
      expect(of(run(objs), 'GPU406')).toEqual([]);
    }
    const over = load();
    container(over).args.push('--gpu-memory-utilization', '0.3');
    expect(of(run(over), 'GPU406')).toHaveLength(1);
    const mps = load();
    const cm = mps.find((o: any) => o.kind === 'ConfigMap');
    cm.data['shared-4'] = cm.data['shared-4'].replace('timeSlicing:', 'mps:');
    expect(of(run(mps), 'GPU406')).toEqual([]);
    const triton = load();
    Object.assign(container(triton), { image: 'nvcr.io/nvidia/tritonserver:24.08-py3', command: ['tritonserver'], args: ['--model-repository=/models'] });
    expect(of(run(triton), 'GPU406')).toEqual([]);
  });
});
