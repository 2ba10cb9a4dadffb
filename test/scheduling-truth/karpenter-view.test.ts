/**
 * Issue 15, case 3: Karpenter cannot launch a node for a resource nothing advertises. GPU204/GPU401 judge from
 * Karpenter's view: instance type capacity + NodeOverlays in the manifests + the library's advertisement annotation.
 */
import * as path from 'path';
import { Finding, validateManifests } from '../../src/validation';
import { GPU_TOLERATION, loadYaml, of, workload } from '../validation/helpers';

const run = (objects: any[]): Finding[] => validateManifests(objects.map((object) => ({ object })));

const pool = (name: string, types: string[], labels: Record<string, string> = {}) => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name },
  spec: {
    limits: { 'nvidia.com/gpu': 64 },
    template: {
      metadata: { labels },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: types }],
        taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
      },
    },
  },
});
const tsConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'device-plugin-config', namespace: 'gpu-operator' },
  data: { ts: 'version: v1\nsharing:\n  timeSlicing:\n    resources:\n      - name: nvidia.com/gpu\n        replicas: 4\n' },
};
const overlay = (capacity: Record<string, string>) => ({
  apiVersion: 'karpenter.sh/v1alpha1',
  kind: 'NodeOverlay',
  metadata: { name: 'dev-1gpu-slices' },
  spec: {
    requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['dev'] }, { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'In', values: ['1'] }],
    capacity,
  },
});
const app = (limits: Record<string, unknown>) => workload({ tolerations: [GPU_TOLERATION], limits: { ...limits, cpu: '1', memory: '4Gi' } });

describe("Karpenter's view of sliced resources", () => {
  test('the issue\'s case: mig-1g.10gb on a p4d pool with no MIG layout and no NodeOverlay is an error (GPU204)', () => {
    const f = of(run([pool('p4d', ['p4d.24xlarge']), app({ 'nvidia.com/mig-1g.10gb': 1 })]), 'GPU204');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/neither a MIG layout nor a NodeOverlay offers it/);
  });

  test('a MIG layout Karpenter is not told about: GPU401 with the NodeOverlay fix (fixture)', () => {
    const f = of(validateManifests(loadYaml(path.join(__dirname, '../fixtures/rules/GPU401/fail-karpenter-not-told.yaml'))), 'GPU401');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/would advertise it once running, but Karpenter only launches a node whose instance type or NodeOverlay offers it/);
    expect(f[0].remediation).toMatch(/NodeOverlay \(karpenter.sh\/v1alpha1\) with capacity \{nvidia.com\/mig-1g.5gb: "56"\}/);
  });

  test('time-sliced nvidia.com/gpu above the physical count: error without a NodeOverlay, none with it', () => {
    const dev = pool('dev', ['g5.xlarge'], { 'nvidia.com/device-plugin.config': 'ts' });
    const two = app({ 'nvidia.com/gpu': 2 });
    const f = of(run([tsConfigMap, dev, two]), 'GPU401');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/NodePool\(s\) dev \(time-slicing config ts \(ConfigMap device-plugin-config\)\) would advertise it once running/);
    expect(f[0].message).toMatch(/Karpenter sees nvidia.com\/gpu 1 on g5.xlarge, not 4/);
    expect(of(run([tsConfigMap, dev, overlay({ 'nvidia.com/gpu': '4' }), two]), 'GPU401')).toEqual([]);
    // GPU203 (can never be scheduled) agrees once Karpenter knows: it no longer fires with the overlay.
    expect(of(run([tsConfigMap, dev, overlay({ 'nvidia.com/gpu': '4' }), two]), 'GPU203')).toEqual([]);
    // One shared GPU fits what Karpenter sees (1 physical GPU): no finding.
    expect(of(run([tsConfigMap, dev, app({ 'nvidia.com/gpu': 1 })]), 'GPU401')).toEqual([]);
  });

  test('renamed shared GPUs (nvidia.com/gpu.shared) need a NodeOverlay too', () => {
    const cm = { ...tsConfigMap, data: { ts: 'version: v1\nsharing:\n  timeSlicing:\n    renameByDefault: true\n    resources:\n      - name: nvidia.com/gpu\n        replicas: 4\n' } };
    const dev = pool('dev', ['g5.xlarge'], { 'nvidia.com/device-plugin.config': 'ts' });
    expect(of(run([cm, dev, app({ 'nvidia.com/gpu.shared': 1 })]), 'GPU401')).toHaveLength(1);
    expect(of(run([cm, dev, overlay({ 'nvidia.com/gpu': '0', 'nvidia.com/gpu.shared': '4' }), app({ 'nvidia.com/gpu.shared': 1 })]), 'GPU401')).toEqual([]);
  });
});
