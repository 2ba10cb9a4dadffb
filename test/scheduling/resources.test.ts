import * as fc from 'fast-check';
import { GpuConfigError } from '../../src/errors';
// The schema gate's API-server checks (src/schema/semantic.ts) read quantities with quantityOf.
import { MAX_QUANTITY, quantityOf as gateQuantity, quantityText } from '../../src/private/quantity';
import {
  gpuResourcesOf, isExtendedResourceName, isGpuResourceName, parseQuantity, podCpuMemoryRequests, podGpuDemand, tryParseQuantity,
} from '../../src/scheduling/resources';
import { podTemplateOf } from '../../src/scheduling/workloads';

describe('parseQuantity', () => {
  test.each([
    ['500m', 0.5], ['2', 2], ['0.5', 0.5], ['.5', 0.5], ['1.', 1], ['+3', 3], ['-1', -1],
    ['1k', 1000], ['1M', 1e6], ['1G', 1e9], ['1T', 1e12], ['1P', 1e15], ['2E', 2e18],
    ['1Ki', 1024], ['16Mi', 16 * 2 ** 20], ['16Gi', 16 * 2 ** 30], ['1Ti', 2 ** 40], ['1Pi', 2 ** 50], ['1Ei', 2 ** 60],
    ['1e3', 1000], ['1E3', 1000], ['5e-1', 0.5], ['100n', 1e-7], ['100u', 1e-4],
    [4, 4], [0.25, 0.25],
  ] as Array<[string | number, number]>)('%p → %p', (q, expected) => {
    expect(parseQuantity(q)).toBeCloseTo(expected, 12);
  });

  test.each(['', ' 1', '1 ', 'abc', '1GB', '1gi', '1.2.3', '1m1', 'e3', '0x10', '--1', NaN, Infinity])('%p throws GpuConfigError', (q) => {
    expect(() => parseQuantity(q as any, 'spec.containers[0].resources.limits.cpu'))
      .toThrow(GpuConfigError);
    expect(() => parseQuantity(q as any, 'spec.containers[0].resources.limits.cpu'))
      .toThrow(/spec\.containers\[0\]\.resources\.limits\.cpu is .*not a Kubernetes quantity\. Fix: /);
  });
  test('undefined / objects throw GpuConfigError, not TypeError', () => {
    expect(() => parseQuantity(undefined as any)).toThrow(GpuConfigError);
    expect(() => parseQuantity({} as any)).toThrow(GpuConfigError);
  });
});

describe('one reading of quantities for the scheduling model and the schema gate (private/quantity.ts)', () => {
  // k8s.io/apimachinery resource.ParseQuantity bounds the magnitude: capped at math.MaxInt64, and a non-zero value
  // below one nano rounds up to one nano. Both readers used to part at these edges (1e400: Infinity vs not a quantity).
  test.each([
    ['1e400', MAX_QUANTITY], ['-1e400', -MAX_QUANTITY], ['99999999999999999999', MAX_QUANTITY], ['9Ei', MAX_QUANTITY],
    ['1e-400', 1e-9], ['0.0000000001', 1e-9], ['1e-10', 1e-9], ['-1e-400', -1e-9],
    ['0e400', 0], ['0', 0], ['-0', 0], ['+0.0', 0], ['+4', 4], ['2n', 2e-9],
  ] as Array<[string, number]>)('%p → %p in both', (q, expected) => {
    expect(parseQuantity(q)).toBe(expected);
    expect(tryParseQuantity(q)).toBe(expected);
    expect(gateQuantity(q)).toBe(expected);
    expect(Object.is(parseQuantity(q), -0)).toBe(false);
  });

  test('any quantity of the grammar: both read the same finite value, zero only when every digit is, with its sign', () => {
    const digits = fc.oneof(fc.stringMatching(/^\d{1,25}$/), fc.stringMatching(/^\d{1,12}\.\d{0,12}$/), fc.stringMatching(/^\.\d{1,12}$/));
    const suffix = fc.oneof(fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'),
      fc.integer({ min: -500, max: 500 }).map((e) => `e${e}`), fc.integer({ min: 0, max: 500 }).map((e) => `E+${e}`));
    fc.assert(fc.property(fc.constantFrom('', '+', '-'), digits, suffix, (sign, d, sfx) => {
      const q = `${sign}${d}${sfx}`;
      const v = tryParseQuantity(q)!;
      expect(gateQuantity(q)).toBe(v);
      expect(Number.isFinite(v)).toBe(true);
      expect(Math.abs(v)).toBeLessThanOrEqual(MAX_QUANTITY);
      expect(v === 0).toBe(!/[1-9]/.test(d));
      if (v !== 0) expect(Math.sign(v)).toBe(sign === '-' ? -1 : 1);
      if (v !== 0) expect(Math.abs(v)).toBeGreaterThanOrEqual(1e-9);
    }));
  });
});

describe('quantityText: a value printed as resource.Quantity prints its canonical form', () => {
  test.each([
    [20 * 2 ** 30, true, '20Gi'], [1.5 * 2 ** 30, true, '1536Mi'], [1000, true, '1000'], [2 ** 60, true, '1Ei'], [0, true, '0'],
    [0.75, false, '750m'], [8000, false, '8k'], [1500, false, '1500'], [8, false, '8'], [0, false, '0'], [2.5e-6, false, '2500n'], [64e9, false, '64G'],
  ] as Array<[number, boolean, string]>)('%p (binary %p) → %p', (v, binary, text) => {
    expect(quantityText(v, binary)).toBe(text);
  });

  test('reads back as the value, in either format', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom(1, 1e-3, 2 ** 10, 2 ** 20), fc.boolean(), (n, unit, binary) => {
      const v = n * unit;
      expect(gateQuantity(quantityText(v, binary))).toBeCloseTo(v, 6);
    }));
  });
});

describe('resource names', () => {
  test.each([
    ['nvidia.com/gpu', true, true], ['nvidia.com/mig-1g.10gb', true, true], ['nvidia.com/mig-3g.40gb', true, true],
    ['nvidia.com/gpu.shared', true, true], ['amd.com/gpu', true, true],
    ['aws.amazon.com/neuron', true, false], ['vpc.amazonaws.com/efa', true, false],
    ['cpu', false, false], ['memory', false, false], ['kubernetes.io/something', false, false],
    ['example.kubernetes.io/x', false, false], ['requests.nvidia.com/gpu', false, false],
    ['nvidia.com/', false, false], ['/gpu', false, false], ['a/b/c', false, false], ['Nvidia.com/gpu', false, false],
    ['nvidia.com/mig-1g.10gb.shared', true, true], ['nvidia.com/mig-', false, false], ['nvidia.com/gpux', true, false],
    ['example.com/gpu', true, false], ['amd.com/gpu.shared', true, false],
  ])('%s: extended=%p gpu=%p', (name, extended, gpu) => {
    expect(isExtendedResourceName(name)).toBe(extended);
    expect(isGpuResourceName(name)).toBe(gpu);
  });
});

describe('gpuResourcesOf', () => {
  test('reads limits and requests as written, keeps raw values, ignores non-GPU resources', () => {
    const c = { resources: { limits: { 'nvidia.com/gpu': 2, 'cpu': '1', 'vpc.amazonaws.com/efa': 1 }, requests: { 'nvidia.com/gpu': '1' } } };
    expect(gpuResourcesOf(c)).toEqual([{ resource: 'nvidia.com/gpu', limit: 2, request: 1, rawLimit: 2, rawRequest: '1' }]);
  });
  test('unparseable values keep only the raw form', () => {
    expect(gpuResourcesOf({ resources: { limits: { 'nvidia.com/gpu': 'two' } } }))
      .toEqual([{ resource: 'nvidia.com/gpu', rawLimit: 'two' }]);
  });
  test('no resources → none', () => {
    expect(gpuResourcesOf({})).toEqual([]);
  });
});

const deployment = (podSpec: any) => podTemplateOf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: podSpec } } })!;
const res = (limits: any, requests?: any) => ({ resources: { limits, ...(requests ? { requests } : {}) } });

describe('podGpuDemand: effective pod request', () => {
  test('sums app containers', () => {
    expect(podGpuDemand(deployment({ containers: [res({ 'nvidia.com/gpu': 1 }), res({ 'nvidia.com/gpu': 2 })] })))
      .toEqual({ 'nvidia.com/gpu': 3 });
  });
  test('an init container needing more than the app containers sets the demand', () => {
    expect(podGpuDemand(deployment({
      initContainers: [res({ 'nvidia.com/gpu': 4 })],
      containers: [res({ 'nvidia.com/gpu': 1 }), res({ 'nvidia.com/gpu': 1 })],
    }))).toEqual({ 'nvidia.com/gpu': 4 });
  });
  test('init containers are maxed, not summed', () => {
    expect(podGpuDemand(deployment({
      initContainers: [res({ 'nvidia.com/gpu': 1 }), res({ 'nvidia.com/gpu': 1 })],
      containers: [res({ 'nvidia.com/gpu': 1 })],
    }))).toEqual({ 'nvidia.com/gpu': 1 });
  });
  test('sidecars (restartPolicy Always) add to the app containers and to later init containers', () => {
    expect(podGpuDemand(deployment({
      initContainers: [{ restartPolicy: 'Always', ...res({ 'nvidia.com/gpu': 1 }) }, res({ 'nvidia.com/gpu': 3 })],
      containers: [res({ 'nvidia.com/gpu': 1 })],
    }))).toEqual({ 'nvidia.com/gpu': 4 }); // init 3 + sidecar 1 > app 1 + sidecar 1
  });
  test('requests stand for limits when both are set; limits alone count as requests', () => {
    expect(podGpuDemand(deployment({ containers: [res({ 'nvidia.com/mig-1g.10gb': 2 }, { 'nvidia.com/mig-1g.10gb': 1 }), res({ 'nvidia.com/mig-1g.10gb': '2' })] })))
      .toEqual({ 'nvidia.com/mig-1g.10gb': 3 });
  });
  test('no GPUs → empty', () => {
    expect(podGpuDemand(deployment({ containers: [res({ cpu: '1' })] }))).toEqual({});
  });
});

describe('podCpuMemoryRequests', () => {
  test('limits stand in for absent requests, per resource', () => {
    expect(podCpuMemoryRequests(deployment({ containers: [res({ cpu: '2', memory: '4Gi' }, { cpu: '500m' })] })))
      .toEqual({ cpu: 0.5, memoryBytes: 4 * 2 ** 30, ephemeralStorageBytes: 0 });
  });
  test('max(init, sum) per resource, plus overhead', () => {
    expect(podCpuMemoryRequests(deployment({
      initContainers: [res({ cpu: '4', memory: '1Gi' })],
      containers: [res({ cpu: '1', memory: '2Gi' }), res({ cpu: '1', memory: '2Gi' })],
      overhead: { cpu: '250m', memory: '128Mi' },
    }))).toEqual({ cpu: 4.25, memoryBytes: 4 * 2 ** 30 + 128 * 2 ** 20, ephemeralStorageBytes: 0 });
  });
  test('pod-level resources replace the container sum', () => {
    expect(podCpuMemoryRequests(deployment({ resources: { requests: { cpu: '8' } }, containers: [res({ cpu: '1', memory: '1Gi' })] })))
      .toEqual({ cpu: 8, memoryBytes: 2 ** 30, ephemeralStorageBytes: 0 });
  });
  test('nothing requested → zero', () => {
    expect(podCpuMemoryRequests(deployment({ containers: [{}] }))).toEqual({ cpu: 0, memoryBytes: 0, ephemeralStorageBytes: 0 });
  });
  test('ephemeral-storage: a limit stands in for the request; init containers at their largest; pod-level resources do not set it', () => {
    expect(podCpuMemoryRequests(deployment({
      resources: { requests: { 'ephemeral-storage': '1Ti' } },
      initContainers: [res({ 'ephemeral-storage': '30Gi' })],
      containers: [res({ 'ephemeral-storage': '10Gi' }), res({ cpu: '1' }, { 'ephemeral-storage': '5Gi' })],
    })).ephemeralStorageBytes).toBe(30 * 2 ** 30);
  });
});
