/**
 * One list of a container's extended-resource violations (src/scheduling/api-validity.ts extendedResourceViolations)
 * serves rule GPU001 (findings) and `plan` (the API server's refusals). These tests pin both wordings case by case, and
 * check the list against the API server's rules restated here independently, over random containers.
 */
import * as fc from 'fast-check';
import { ExtendedResourceViolation, extendedResourceRefusals, extendedResourceViolations } from '../../src/scheduling/api-validity';
import { podTemplateOf } from '../../src/scheduling/workloads';
import { params } from '../property/arbitraries';
import { lint, of } from '../validation/helpers';

const deployment = (resources: any, initContainers?: any[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'app', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'a' } },
    template: {
      metadata: { labels: { app: 'a' } },
      spec: {
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [{ name: 'main', image: 'busybox', resources }],
        ...(initContainers ? { initContainers: initContainers.map((c) => ({ image: 'busybox', ...c })) } : {}),
      },
    },
  },
});

const R = 'spec.template.spec.containers[0].resources';
const GPU001_FIX = 'Set the GPU count (a whole number, at least 1) in resources.limits; if you also set it in requests, use the same value.';
const WHOLE_GPUS = 'Request a whole number of GPUs; to share a GPU use a MIG resource (nvidia.com/mig-<profile>) or time-slicing.';
const AT_LEAST_ONE = 'Remove nvidia.com/gpu from the container if it needs no GPU, or set it to 1 or more.';

/** Per case: the container's resources (and init containers), GPU001's [field, message, fix] and plan's sentences. */
const CASES: Array<[string, { resources: any; inits?: any[]; gpu001: string[][]; plan: string[] }]> = [
  ['valid (a request equal to the limit, "1" = 1)', {
    resources: { limits: { 'nvidia.com/gpu': 1, 'vpc.amazonaws.com/efa': 4 }, requests: { 'nvidia.com/gpu': '1' } },
    gpu001: [],
    plan: [],
  }],
  ['not a quantity', {
    resources: { limits: { 'nvidia.com/gpu': 'two' } },
    gpu001: [[`${R}.limits["nvidia.com/gpu"]`, 'container "main" sets limits nvidia.com/gpu to "two", which is not a Kubernetes quantity', GPU001_FIX]],
    plan: ['container "main" sets limits nvidia.com/gpu to "two", not a quantity'],
  }],
  ['not a quantity, of another extended resource (its own fix, not the GPU count\'s)', {
    resources: { limits: { 'vpc.amazonaws.com/efa': 'four' } },
    gpu001: [[`${R}.limits["vpc.amazonaws.com/efa"]`, 'container "main" sets limits vpc.amazonaws.com/efa to "four", which is not a Kubernetes quantity',
      'Write vpc.amazonaws.com/efa as a whole number, e.g. 1.']],
    plan: ['container "main" sets limits vpc.amazonaws.com/efa to "four", not a quantity'],
  }],
  ['fractions, of a GPU and of another extended resource', {
    resources: { limits: { 'nvidia.com/gpu': '500m', 'vpc.amazonaws.com/efa': 1.5 } },
    gpu001: [
      [`${R}.limits["nvidia.com/gpu"]`, 'container "main" sets limits nvidia.com/gpu to "500m"; GPUs are whole units, never fractions', WHOLE_GPUS],
      [`${R}.limits["vpc.amazonaws.com/efa"]`, 'container "main" sets limits vpc.amazonaws.com/efa to 1.5; extended resources are whole units, never fractions', 'Use a whole number.'],
    ],
    plan: [
      'container "main" sets limits nvidia.com/gpu to "500m", a fraction (extended resources are whole units)',
      'container "main" sets limits vpc.amazonaws.com/efa to 1.5, a fraction (extended resources are whole units)',
    ],
  }],
  ['negative counts (a GPU\'s is below 1 for GPU001)', {
    resources: { limits: { 'nvidia.com/gpu': -1, 'vpc.amazonaws.com/efa': '-2' } },
    gpu001: [
      [`${R}.limits["nvidia.com/gpu"]`, 'container "main" sets limits nvidia.com/gpu to -1; a GPU count must be at least 1', AT_LEAST_ONE],
      [`${R}.limits["vpc.amazonaws.com/efa"]`, 'container "main" sets limits vpc.amazonaws.com/efa to "-2", a negative count',
        'Set vpc.amazonaws.com/efa to 0 or more, or remove it.'],
    ],
    plan: [
      'container "main" sets limits nvidia.com/gpu to -1, a negative count',
      'container "main" sets limits vpc.amazonaws.com/efa to "-2", a negative count',
    ],
  }],
  ['0 GPUs: GPU001 objects, the API server accepts it (and 0 of another resource)', {
    resources: { limits: { 'nvidia.com/gpu': 0, 'vpc.amazonaws.com/efa': 0 } },
    gpu001: [[`${R}.limits["nvidia.com/gpu"]`, 'container "main" sets limits nvidia.com/gpu to 0; a GPU count must be at least 1', AT_LEAST_ONE]],
    plan: [],
  }],
  ['a 0 GPU limit with a request of 1: GPU001 names the 0, the API server the inequality', {
    resources: { limits: { 'nvidia.com/gpu': 0 }, requests: { 'nvidia.com/gpu': 1 } },
    gpu001: [[`${R}.limits["nvidia.com/gpu"]`, 'container "main" sets limits nvidia.com/gpu to 0; a GPU count must be at least 1', AT_LEAST_ONE]],
    plan: ['container "main" requests nvidia.com/gpu 1 but limits 0 (they must be equal)'],
  }],
  ['requests without limits (cpu needs none)', {
    resources: { requests: { 'nvidia.com/gpu': 1, 'amd.com/gpu': 2, 'cpu': '1' } },
    gpu001: [
      [`${R}.limits`, 'container "main" requests amd.com/gpu (2) but sets no limit; Kubernetes rejects an extended resource without a limit',
        'Move amd.com/gpu: 2 to resources.limits (requests may stay, with the same value).'],
      [`${R}.limits`, 'container "main" requests nvidia.com/gpu (1) but sets no limit; Kubernetes rejects an extended resource without a limit',
        'Move nvidia.com/gpu: 1 to resources.limits (requests may stay, with the same value).'],
    ],
    plan: [
      'container "main" requests amd.com/gpu 2 without a limit (extended resources must be in limits)',
      'container "main" requests nvidia.com/gpu 1 without a limit (extended resources must be in limits)',
    ],
  }],
  ['a request unequal to its limit (a MIG request of "1" equals 1)', {
    resources: { limits: { 'nvidia.com/gpu': 2, 'nvidia.com/mig-1g.10gb': 1 }, requests: { 'nvidia.com/gpu': 1, 'nvidia.com/mig-1g.10gb': '1' } },
    gpu001: [[`${R}.requests["nvidia.com/gpu"]`, 'container "main" requests 1 nvidia.com/gpu but limits 2; Kubernetes requires them equal',
      'Set requests and limits of nvidia.com/gpu to the same count, or drop the request (it defaults to the limit).']],
    plan: ['container "main" requests nvidia.com/gpu 1 but limits 2 (they must be equal)'],
  }],
  ['bad values in both fields: each reported, no inequality on top', {
    resources: { limits: { 'nvidia.com/gpu': '1.5' }, requests: { 'nvidia.com/gpu': 'x' } },
    gpu001: [
      [`${R}.limits["nvidia.com/gpu"]`, 'container "main" sets limits nvidia.com/gpu to "1.5"; GPUs are whole units, never fractions', WHOLE_GPUS],
      [`${R}.requests["nvidia.com/gpu"]`, 'container "main" sets requests nvidia.com/gpu to "x", which is not a Kubernetes quantity', GPU001_FIX],
    ],
    plan: [
      'container "main" sets limits nvidia.com/gpu to "1.5", a fraction (extended resources are whole units)',
      'container "main" sets requests nvidia.com/gpu to "x", not a quantity',
    ],
  }],
  ['a bad request beside a good limit', {
    resources: { limits: { 'nvidia.com/gpu': 1 }, requests: { 'nvidia.com/gpu': 0.5 } },
    gpu001: [[`${R}.requests["nvidia.com/gpu"]`, 'container "main" sets requests nvidia.com/gpu to 0.5; GPUs are whole units, never fractions', WHOLE_GPUS]],
    plan: ['container "main" sets requests nvidia.com/gpu to 0.5, a fraction (extended resources are whole units)'],
  }],
  ['resources in name order, whatever order they are written in', {
    resources: { limits: { 'z.example.com/b': '0.5', 'a.example.com/a': -1, 'nvidia.com/gpu': 1 } },
    gpu001: [
      [`${R}.limits["a.example.com/a"]`, 'container "main" sets limits a.example.com/a to -1, a negative count', 'Set a.example.com/a to 0 or more, or remove it.'],
      [`${R}.limits["z.example.com/b"]`, 'container "main" sets limits z.example.com/b to "0.5"; extended resources are whole units, never fractions', 'Use a whole number.'],
    ],
    plan: [
      'container "main" sets limits a.example.com/a to -1, a negative count',
      'container "main" sets limits z.example.com/b to "0.5", a fraction (extended resources are whole units)',
    ],
  }],
  ['init containers and sidecars, named as such', {
    resources: { limits: { 'nvidia.com/gpu': 1 } },
    inits: [
      { name: 'init', resources: { requests: { 'nvidia.com/gpu': 1 } } },
      { name: 'side', restartPolicy: 'Always', resources: { limits: { 'nvidia.com/gpu': 0.5 } } },
    ],
    gpu001: [
      ['spec.template.spec.initContainers[0].resources.limits',
        'init container "init" requests nvidia.com/gpu (1) but sets no limit; Kubernetes rejects an extended resource without a limit',
        'Move nvidia.com/gpu: 1 to resources.limits (requests may stay, with the same value).'],
      ['spec.template.spec.initContainers[1].resources.limits["nvidia.com/gpu"]', 'sidecar "side" sets limits nvidia.com/gpu to 0.5; GPUs are whole units, never fractions', WHOLE_GPUS],
    ],
    plan: [
      'init container "init" requests nvidia.com/gpu 1 without a limit (extended resources must be in limits)',
      'sidecar "side" sets limits nvidia.com/gpu to 0.5, a fraction (extended resources are whole units)',
    ],
  }],
];

describe('GPU001 and plan word the same violations each their own way', () => {
  test.each(CASES)('%s', (_name, c) => {
    const d = deployment(c.resources, c.inits);
    expect(of(lint([d]), 'GPU001').map((f) => [f.fieldPath, f.message, f.remediation])).toEqual(c.gpu001);
    expect(extendedResourceRefusals(podTemplateOf(d)!)).toEqual(c.plan);
  });
});

describe('extendedResourceViolations against the API server\'s rules, restated', () => {
  /** A quantity as the tests below read one: integers and the fractions and words the arbitrary draws. */
  const VALUES: Array<[unknown, number | undefined]> = [
    [1, 1], [2, 2], ['2', 2], [0, 0], ['0', 0], [-1, -1], ['-3', -3], [1.5, 1.5], ['500m', 0.5], ['1k', 1000], ['x', undefined], ['', undefined],
  ];
  const valueOf = new Map(VALUES);
  const NAMES = ['nvidia.com/gpu', 'nvidia.com/mig-1g.10gb', 'amd.com/gpu', 'vpc.amazonaws.com/efa', 'example.com/dongle', 'cpu', 'memory'];
  const GPUS = new Set(['nvidia.com/gpu', 'nvidia.com/mig-1g.10gb', 'amd.com/gpu']);
  const resourceMap = fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES.map(([v]) => v)), { maxKeys: 4 });

  /**
   * The oracle (k8s.io/kubernetes pkg/apis/core/validation ValidateResourceRequirements): each extended resource's
   * values must be whole and at least 0 (1 for a GPU with `gpuAtLeastOne`), a request needs a limit, and a request
   * beside a limit, both valid, must equal it.
   */
  function expected(limits: Record<string, unknown>, requests: Record<string, unknown>, gpuAtLeastOne: boolean): ExtendedResourceViolation[] {
    const out: ExtendedResourceViolation[] = [];
    const names = [...new Set([...Object.keys(limits), ...Object.keys(requests)])].filter((n) => n.includes('/')).sort();
    for (const resource of names) {
      const least = gpuAtLeastOne && GPUS.has(resource) ? 1 : 0;
      let valid = true;
      for (const [field, m] of [['limits', limits], ['requests', requests]] as const) {
        if (!(resource in m)) continue;
        const n = valueOf.get(m[resource]);
        const problem = n === undefined ? 'not-a-quantity' : !Number.isInteger(n) ? 'fraction' : n < least ? (least === 1 ? 'gpu-below-one' : 'negative') : undefined;
        if (problem) {
          valid = false;
          out.push({ resource, problem, field, value: m[resource] });
        }
      }
      if (resource in requests && !(resource in limits)) {out.push({ resource, problem: 'no-limit', field: 'requests', value: requests[resource] });} else if (valid && resource in requests && valueOf.get(requests[resource]) !== valueOf.get(limits[resource])) {
        out.push({ resource, problem: 'unequal', field: 'requests', value: requests[resource], limit: limits[resource] });
      }
    }
    return out;
  }

  test('the same violations, in the same order, for every container the arbitrary draws, with and without GPU001\'s own rule', () => {
    fc.assert(fc.property(resourceMap, resourceMap, fc.boolean(), (limits, requests, gpuAtLeastOne) => {
      const got = extendedResourceViolations({ name: 'c', resources: { limits, requests } }, gpuAtLeastOne) ?? [];
      expect(got).toEqual(expected(limits, requests, gpuAtLeastOne));
    }), params(1000));
  });

  test('a container naming no extended resource has no list at all (nothing built: GPU001 asks this of every container)', () => {
    expect(extendedResourceViolations({ name: 'c', resources: { limits: { cpu: '1' }, requests: { memory: '1Gi' } } }, true)).toBeUndefined();
    expect(extendedResourceViolations({ name: 'c' }, true)).toBeUndefined();
    expect(extendedResourceViolations('not a container', false)).toBeUndefined();
  });
});
