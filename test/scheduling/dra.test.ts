import { GpuInstanceType } from '../../src/catalog';
import {
  deviceRequestsOf, draCapacity, draGpuDemand, DraLookup, isGpuDeviceClass, podResourceClaims,
} from '../../src/scheduling/dra';
import { poolModelOf } from '../../src/scheduling/nodepool';
import { placeOnPool, placementSignature } from '../../src/scheduling/placement';
import { podGpuDemand } from '../../src/scheduling/resources';
import { podTemplateOf } from '../../src/scheduling/workloads';
import { validateManifests } from '../../src/validation';

const type = (name: string) => GpuInstanceType.all().find((t) => t.name === name)!;
const template = (name: string, requests: any[], ns = 'ml') => ({
  apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaimTemplate', metadata: { name, namespace: ns }, spec: { spec: { devices: { requests } } },
});
const gpuRequest = (count?: number, deviceClassName = 'gpu.nvidia.com') => ({ name: 'gpu', exactly: { deviceClassName, ...(count ? { count } : {}) } });
const lookupOf = (objs: any[]): DraLookup => ({
  claimTemplate: (ns, n) => objs.find((o) => o.kind === 'ResourceClaimTemplate' && o.metadata.name === n && o.metadata.namespace === ns),
  claim: (ns, n) => objs.find((o) => o.kind === 'ResourceClaim' && o.metadata.name === n && o.metadata.namespace === ns),
  deviceClasses: () => objs.filter((o) => o.kind === 'DeviceClass'),
});

describe('podResourceClaims', () => {
  test('reads the v1 shape and the 1.30 alpha shape, skips entries without a name', () => {
    expect(podResourceClaims({
      resourceClaims: [
        { name: 'a', resourceClaimTemplateName: 't' },
        { name: 'b', source: { resourceClaimName: 'c' } },
        { resourceClaimTemplateName: 'nameless' },
      ],
    }, 'spec')).toEqual([
      { name: 'a', templateName: 't', path: 'spec.resourceClaims[0]' },
      { name: 'b', claimName: 'c', path: 'spec.resourceClaims[1]' },
    ]);
    expect(podResourceClaims({ resourceClaims: 'x' }, 'spec')).toEqual([]);
  });
});

describe('deviceRequestsOf', () => {
  test('exactly (count defaults to 1), All counts 1, firstAvailable counts its first alternative, beta shape', () => {
    expect(deviceRequestsOf({
      devices: {
        requests: [
          gpuRequest(),
          gpuRequest(4),
          { name: 'all', exactly: { deviceClassName: 'gpu.nvidia.com', allocationMode: 'All' } },
          { name: 'either', firstAvailable: [{ name: 'big', deviceClassName: 'gpu.nvidia.com', count: 2 }, { name: 'small', deviceClassName: 'mig.nvidia.com' }] },
          { name: 'beta', deviceClassName: 'gpu.nvidia.com', count: 3 },
        ],
      },
    }).map((r) => [r.name, r.deviceClassName, r.count, r.all, r.path])).toEqual([
      ['gpu', 'gpu.nvidia.com', 1, false, 'devices.requests[0].exactly'],
      ['gpu', 'gpu.nvidia.com', 4, false, 'devices.requests[1].exactly'],
      ['all', 'gpu.nvidia.com', 1, true, 'devices.requests[2].exactly'],
      ['either', 'gpu.nvidia.com', 2, false, 'devices.requests[3].firstAvailable[0]'],
      ['beta', 'gpu.nvidia.com', 3, false, 'devices.requests[4]'],
    ]);
    expect(deviceRequestsOf(undefined)).toEqual([]);
  });
});

describe('isGpuDeviceClass', () => {
  const custom = { kind: 'DeviceClass', metadata: { name: 'h100.example.com' }, spec: { selectors: [{ cel: { expression: "device.driver == 'gpu.nvidia.com'" } }] } };
  const nic = { kind: 'DeviceClass', metadata: { name: 'nic.example.com' }, spec: { selectors: [{ cel: { expression: "device.driver == 'dra.net'" } }] } };
  test('the NVIDIA driver\'s classes and DeviceClasses selecting its driver are GPU classes; others are not', () => {
    expect(isGpuDeviceClass('gpu.nvidia.com', [])).toBe(true);
    expect(isGpuDeviceClass('mig.nvidia.com', [])).toBe(true);
    expect(isGpuDeviceClass('h100.example.com', [custom, nic])).toBe(true);
    expect(isGpuDeviceClass('nic.example.com', [custom, nic])).toBe(false);
    expect(isGpuDeviceClass('unknown.example.com', [custom])).toBe(false);
  });
});

describe('draGpuDemand', () => {
  const objs = [
    template('two', [gpuRequest(2)]),
    template('nic', [{ name: 'nic', exactly: { deviceClassName: 'nic.example.com' } }]),
    { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'shared', namespace: 'ml' }, spec: { devices: { requests: [gpuRequest(1, 'mig.nvidia.com')] } } },
  ];
  test('sums GPU requests of every pod claim by class, ignoring other classes, unknown claims and other namespaces', () => {
    const podSpec = {
      resourceClaims: [
        { name: 'a', resourceClaimTemplateName: 'two' },
        { name: 'b', resourceClaimTemplateName: 'nic' },
        { name: 'c', resourceClaimName: 'shared' },
        { name: 'd', resourceClaimTemplateName: 'missing' },
      ],
    };
    expect(draGpuDemand(podSpec, 'spec', 'ml', lookupOf(objs))).toEqual({ 'gpu.nvidia.com': 2, 'mig.nvidia.com': 1 });
    expect(draGpuDemand(podSpec, 'spec', 'other', lookupOf(objs))).toEqual({});
  });
});

describe('placement with DRA demand', () => {
  const gpuPool = poolModelOf({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'g5' },
    spec: { template: { spec: { requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge', 'g5.12xlarge'] }] } } },
  });
  const withDemand = (n: number) => ({ ...podTemplateOf({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c' }] } })!, draDemand: { 'gpu.nvidia.com': n } });
  test('a DRA GPU counts against the GPUs of the instance type, and is part of the demand and the signature', () => {
    expect(placeOnPool(withDemand(4), gpuPool).instanceTypes.map((t) => t.name)).toEqual(['g5.12xlarge']);
    const v = placeOnPool(withDemand(8), gpuPool);
    expect([v.fits, v.failedPredicate, v.reason]).toEqual([false, 'gpu', 'needs 8 gpu.nvidia.com per pod; the largest allowed type g5.12xlarge has 4']);
    expect(podGpuDemand(withDemand(2))).toEqual({ 'gpu.nvidia.com': 2 });
    expect(placementSignature(withDemand(2))).not.toBe(placementSignature(withDemand(4)));
  });
  test('mig.nvidia.com: MIG devices the pool advertises, else one per GPU of a MIG-capable type, none without MIG', () => {
    expect(draCapacity('mig.nvidia.com', type('p4d.24xlarge'), { 'nvidia.com/mig-1g.5gb': 56 })).toBe(56);
    expect(draCapacity('mig.nvidia.com', type('p4d.24xlarge'), { 'nvidia.com/gpu': 8 })).toBe(8);
    expect(draCapacity('mig.nvidia.com', type('g5.xlarge'), { 'nvidia.com/gpu': 1 })).toBe(0);
    expect(draCapacity('gpu.nvidia.com', type('p4d.24xlarge'), { 'nvidia.com/gpu': 0 })).toBe(8);
  });
});

describe('rules read DRA demand from the manifests', () => {
  const deployment = (extra: any = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'llm', namespace: 'ml' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'llm' } },
      template: {
        metadata: { labels: { app: 'llm' } },
        spec: {
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'two' }],
          containers: [{ name: 'c', image: 'x', resources: { claims: [{ name: 'gpu' }] } }],
          ...extra,
        },
      },
    },
  });
  const ids = (objs: any[]) => validateManifests(objs.map((object) => ({ object }))).map((f) => f.ruleId);
  test('GPU004 stays silent for a DRA GPU pod and fires when its claim asks a NIC', () => {
    expect(ids([template('two', [gpuRequest(2)]), deployment()])).toEqual([]);
    expect(ids([template('two', [{ name: 'nic', exactly: { deviceClassName: 'gpu.nvidia.com.example' } }]), deployment()])).toContain('GPU004');
  });
  test('GPU002 asks a DRA GPU pod to tolerate the GPU taint', () => {
    expect(ids([template('two', [gpuRequest(2)]), deployment({ tolerations: [] })])).toEqual(['GPU002']);
  });
  test('GPU202 compares the claim with the DRA device-class quota', () => {
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ml' }, spec: { hard: { 'gpu.nvidia.com.deviceclass.resource.k8s.io/devices': '1' } } };
    expect(ids([template('two', [gpuRequest(2)]), deployment(), quota])).toContain('GPU202');
    expect(ids([template('two', [gpuRequest(1)]), deployment(), quota])).not.toContain('GPU202');
  });
  test('GPU304 counts DRA GPUs per replica against the pools\' GPU limits', () => {
    const pool = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'g5' },
      spec: {
        limits: { 'nvidia.com/gpu': 4 },
        template: { spec: { requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge'] }], taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] } },
      },
    };
    const scaler = (max: number) => ({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'llm', namespace: 'ml' },
      spec: { scaleTargetRef: { name: 'llm' }, maxReplicaCount: max, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '50' } }] },
    });
    expect(ids([pool, template('two', [gpuRequest(1)]), deployment(), scaler(5)])).toContain('GPU304');
    expect(ids([pool, template('two', [gpuRequest(1)]), deployment(), scaler(4)])).not.toContain('GPU304');
  });
});
