import * as fc from 'fast-check';
import { params } from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import { validateManifests } from '../../src/validation';

/**
 * DRA demand across random claim templates and pods: the scheduling model's answer for a DRA pod must equal its
 * answer for the same pod asking `nvidia.com/gpu` (one device of gpu.nvidia.com = one whole GPU on a node), and a
 * claim for another device class must add no GPU demand.
 */
const TYPES = ['g5.xlarge', 'g5.12xlarge', 'g5.48xlarge', 'p4d.24xlarge', 'g6.xlarge'];
const pool = (types: string[]) => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'gpu' },
  spec: {
    limits: { 'nvidia.com/gpu': 64 },
    template: {
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: types }],
        taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
      },
    },
  },
});
const deployment = (resources: any, claims: Array<[string, string]>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'w', namespace: 'ml' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'w' } },
    template: {
      metadata: { labels: { app: 'w' } },
      spec: {
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        ...(claims.length ? { resourceClaims: claims.map(([name, t]) => ({ name, resourceClaimTemplateName: t })) } : {}),
        containers: [{ name: 'c', image: 'x', resources: { ...resources, ...(claims.length ? { claims: claims.map(([name]) => ({ name })) } : {}) } }],
      },
    },
  },
});
const tpl = (name: string, deviceClassName: string, count: number) => ({
  apiVersion: 'resource.k8s.io/v1',
  kind: 'ResourceClaimTemplate',
  metadata: { name, namespace: 'ml' },
  spec: { spec: { devices: { requests: [{ name: 'r', exactly: { deviceClassName, count } }] } } },
});
const fitFindings = (objs: any[]) => validateManifests(objs.map((object) => ({ object })))
  .filter((f) => f.ruleId === 'GPU203' || f.ruleId === 'GPU004').map((f) => f.ruleId);

describe('DRA demand (property)', () => {
  test('a DRA pod fits exactly where the same pod asking nvidia.com/gpu fits; other classes add nothing', () => {
    const arb = fc.record({
      types: fc.subarray(TYPES, { minLength: 1 }),
      split: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
      nic: fc.boolean(),
    });
    fc.assert(fc.property(arb, ({ types, split, nic }) => {
      const total = split.reduce((a, b) => a + b, 0);
      const templates = split.map((n, i) => tpl(`t${i}`, 'gpu.nvidia.com', n));
      const claims: Array<[string, string]> = split.map((_, i) => [`c${i}`, `t${i}`]);
      if (nic) {
        templates.push(tpl('nic', 'nic.example.com', 3));
        claims.push(['nic', 'nic']);
      }
      const dra = fitFindings([pool(types), ...templates, deployment({}, claims)]);
      const plugin = fitFindings([pool(types), deployment({ limits: { 'nvidia.com/gpu': total } }, [])]);
      const maxGpus = Math.max(...types.map((t) => GpuInstanceType.all().find((x) => x.name === t)!.gpuCount));
      expect(dra).toEqual(plugin);
      expect(dra.includes('GPU203')).toBe(total > maxGpus);
      expect(dra.includes('GPU004')).toBe(false);
    }), params(40));
  });
});
