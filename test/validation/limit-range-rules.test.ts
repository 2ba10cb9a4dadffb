/**
 * GPU215, GPU216 and GPU227: what a namespace's LimitRanges do to the GPUs of the pods created in it, and to GPU pods' cpu and memory (the API server's
 * SetDefaults_LimitRangeItem, then the LimitRanger admission plugin). Each rule's pass/fail fixtures are run by the
 * registry self-test (test/validation/registry.test.ts).
 */
import { App, Chart } from 'cdk8s';
import { GPU_TOLERATION, nodePool, of, workload } from './helpers';
import { Finding, Severity, validateManifests } from '../../src/validation';
import { LIMIT_RANGE_RULES } from '../../src/validation/rules/limit-ranges';
import { TieredPriorities } from '../../src/workloads';

const run = (objects: any[], schemaGate = false): Finding[] =>
  validateManifests(objects.map((object) => ({ object })), schemaGate ? {} : { rules: LIMIT_RANGE_RULES });

const limitRange = (name: string, limits: any[], namespace = 'ml'): any =>
  ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name, namespace }, spec: { limits } });
const cpuApp = (o: any = {}) => workload({ name: 'loader', namespace: 'ml', limits: { cpu: '1', memory: '1Gi' }, ...o });
const gpuApp = (gpus: number, o: any = {}) => workload({ name: 'server', namespace: 'ml', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': gpus }, ...o });
const lines = (fs: Finding[]) => fs.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name} ${f.fieldPath}: ${f.message}`);

describe('LIMIT_RANGE_RULES (GPU215, GPU216, GPU227)', () => {
  test('ids, severities, documentation', () => {
    expect(LIMIT_RANGE_RULES.map((r) => [r.id, r.severity])).toEqual([['GPU215', Severity.ERROR], ['GPU216', Severity.ERROR], ['GPU227', Severity.ERROR]]);
    for (const r of LIMIT_RANGE_RULES) expect(r.description).toMatch(/limitranger\/admission\.go/);
    expect(LIMIT_RANGE_RULES[0].description).toMatch(/SetDefaults_LimitRangeItem/);
  });
});

describe('GPU215: a GPU cap without a default hands the cap out', () => {
  test('max without default: every container that sets no GPU gets the max, and the CPU workloads of the namespace are named', () => {
    const found = of(run([limitRange('cap', [{ type: 'Container', max: { 'nvidia.com/gpu': 8 } }]), cpuApp(), gpuApp(2)]), 'GPU215');
    expect(lines(found)).toEqual([expect.stringMatching(/^GPU215 LimitRange\/cap spec\.limits\[0\]\.max\["nvidia\.com\/gpu"\]: caps nvidia\.com\/gpu \(GPUs\) at 8 per container with no default.*gets 8.*\(in these manifests: Deployment loader\)$/)]);
    expect(found[0].remediation).toMatch(/default: \{nvidia\.com\/gpu: 0\}/);
  });

  test('an explicit default of 0 (what TieredPriorities writes) passes, and so does an explicit positive default', () => {
    expect(of(run([limitRange('cap', [{ type: 'Container', max: { 'nvidia.com/gpu': 8 }, default: { 'nvidia.com/gpu': 0 } }]), cpuApp()]), 'GPU215')).toEqual([]);
    expect(of(run([limitRange('each', [{ type: 'Container', max: { 'nvidia.com/gpu': 1 }, default: { 'nvidia.com/gpu': '1' } }]), cpuApp()]), 'GPU215')).toEqual([]);
  });

  test('cpu and memory bounds and defaults are not judged', () => {
    expect(run([limitRange('cpu', [{ type: 'Container', max: { cpu: '8', memory: '64Gi' }, min: { cpu: '100m' } }, { type: 'Pod', max: { cpu: '16' } }]), cpuApp()])).toEqual([]);
  });

  test('a defaultRequest or a min without a default gives a request without a limit, which the API server refuses', () => {
    const reqOnly = of(run([limitRange('r', [{ type: 'Container', defaultRequest: { 'nvidia.com/gpu': 1 } }])]), 'GPU215');
    expect(lines(reqOnly)).toEqual([expect.stringMatching(/spec\.limits\[0\]\.defaultRequest\["nvidia\.com\/gpu"\]: gives every container in namespace ml that sets no nvidia\.com\/gpu \(GPUs\) a request of 1 without a limit \(defaultRequest with no default\)/)]);
    const minOnly = of(run([limitRange('m', [{ type: 'Container', min: { 'nvidia.com/gpu': 1 } }])]), 'GPU215');
    expect(lines(minOnly)).toEqual([expect.stringMatching(/spec\.limits\[0\]\.min\["nvidia\.com\/gpu"\]: .* a request of 1 without a limit \(a Container item's min is its default request\)/)]);
  });

  test('a request and a limit from two LimitRanges that differ: each LimitRange is valid, the pods are refused', () => {
    const objects = [
      limitRange('requests', [{ type: 'Container', defaultRequest: { 'nvidia.com/gpu': 1 } }]),
      limitRange('limits', [{ type: 'Container', default: { 'nvidia.com/gpu': 2 } }]),
    ];
    const found = run(objects, true);
    expect(of(found, 'GPU009')).toEqual([]);
    // (the first LimitRange's request of 1 is kept; the second gives the limit of 2; the first gives no limit)
    expect(lines(of(found, 'GPU215'))).toEqual([
      'GPU215 LimitRange/requests spec.limits[0].defaultRequest["nvidia.com/gpu"]: gives every container in namespace ml that sets no nvidia.com/gpu (GPUs) a request of 1 and a limit of 2; the API server refuses an extended resource whose request differs from its limit, so every such pod is refused',
    ]);
  });

  test('LimitRanges the API server refuses are the schema gate\'s (GPU009), in its words, and left to it', () => {
    // a max becomes the default, unequal to the written default request; a min above the written default
    const unequal = limitRange('u', [{ type: 'Container', max: { 'nvidia.com/gpu': 8 }, defaultRequest: { 'nvidia.com/gpu': 0 } }]);
    const floor = limitRange('f', [{ type: 'Container', min: { 'nvidia.com/gpu': 1 }, default: { 'nvidia.com/gpu': 0 } }]);
    const found = run([unequal, floor], true);
    expect(found.map((f) => `${f.ruleId} ${f.object.name} ${f.fieldPath}: ${f.message}`)).toEqual([
      'GPU009 u spec.limits[0].defaultRequest[nvidia.com/gpu]: Invalid value: "0": default value 8 must equal to defaultRequest value 0 in nvidia.com/gpu',
      'GPU009 f spec.limits[0].defaultRequest[nvidia.com/gpu]: Invalid value: "0": min value 1 is greater than default request value 0',
      'GPU009 f spec.limits[0].default[nvidia.com/gpu]: Invalid value: "1": min value 1 is greater than default value 0',
    ]);
  });

  test('a Pod item\'s max without a Container default refuses every pod that asks for no GPU; with a default of 0 it does not', () => {
    const podMax = [{ type: 'Pod', max: { 'nvidia.com/gpu': 8 } }];
    expect(lines(of(run([limitRange('pod', podMax), cpuApp()]), 'GPU215'))).toEqual([
      expect.stringMatching(/spec\.limits\[0\]\.max\["nvidia\.com\/gpu"\]: refuses every pod in namespace ml whose containers set no nvidia\.com\/gpu \(GPUs\): "maximum nvidia\.com\/gpu usage per Pod is 8\. No limit is specified"/),
    ]);
    // the default may come from another LimitRange of the namespace
    expect(of(run([limitRange('pod', podMax), limitRange('zero', [{ type: 'Container', default: { 'nvidia.com/gpu': 0 } }]), cpuApp()]), 'GPU215')).toEqual([]);
    // … but not from one of another namespace
    expect(of(run([limitRange('pod', podMax), limitRange('zero', [{ type: 'Container', default: { 'nvidia.com/gpu': 0 } }], 'other')]), 'GPU215')).toHaveLength(1);
  });

  test('a min above the default request of another LimitRange, and a limit-to-request ratio, on an extended resource', () => {
    const min = of(run([limitRange('zero', [{ type: 'Container', default: { 'nvidia.com/gpu': 0 } }]), limitRange('m', [{ type: 'Container', min: { 'nvidia.com/gpu': 1 } }])]), 'GPU215');
    // the first LimitRange's default of 0 is kept (request 0 too): below the second's min
    expect(lines(min)).toEqual([expect.stringMatching(/LimitRange\/m spec\.limits\[0\]\.min\["nvidia\.com\/gpu"\]: refuses every pod .*"minimum nvidia\.com\/gpu usage per Container is 1, but request is 0"/)]);
    const ratio = of(run([limitRange('r', [{ type: 'Container', maxLimitRequestRatio: { 'vpc.amazonaws.com/efa': 1 } }])]), 'GPU215');
    expect(ratio[0].message).toMatch(/vpc\.amazonaws\.com\/efa max limit to request ratio per Container is 1, but no request is specified or request is 0/);
    expect(ratio[0].message).not.toMatch(/GPUs/);
  });

  test('the TieredPriorities team LimitRange lints clean beside a CPU pod; the same LimitRange without its default does not', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new TieredPriorities(chart, 'tiers').addTeam('research', { gpuQuota: 8 });
    const objects = [...chart.toJson(), cpuApp({ namespace: 'research' })];
    expect(of(run(objects, true), 'GPU215')).toEqual([]);
    const lr = objects.find((o) => o.kind === 'LimitRange');
    const withoutDefault = objects.map((o) => (o === lr ? { ...lr, spec: { limits: [{ type: 'Container', max: lr.spec.limits[0].max }] } } : o));
    expect(of(run(withoutDefault, true), 'GPU215').map((f) => f.fieldPath)).toEqual(['spec.limits[0].max["nvidia.com/gpu"]']);
  });

  test('wrong types in a LimitRange are the schema gate\'s: the rules neither fail nor judge them', () => {
    const odd = [
      limitRange('a', 'x' as any), limitRange('b', [null, 3, { type: 7 }, { type: 'Container', max: ['x'] }]),
      limitRange('c', [{ type: 'Container', max: { 'nvidia.com/gpu': 'lots', 'constructor': 1, '__proto__': 2 } }]),
    ];
    const found = run([...odd, cpuApp(), gpuApp(2)]);
    expect(found.filter((f) => f.ruleId === 'GPU010')).toEqual([]);
    expect(of(found, 'GPU215')).toEqual([]);
    expect(of(found, 'GPU216')).toEqual([]);
  });
});

describe('GPU216: a workload\'s GPUs within its namespace\'s LimitRanges', () => {
  const caps = limitRange('caps', [
    { type: 'Container', max: { 'nvidia.com/gpu': 4 }, default: { 'nvidia.com/gpu': 0 } },
    { type: 'Pod', max: { 'nvidia.com/gpu': 6 } },
  ]);

  test('a container over the per-container max, and the pod over the per-pod max', () => {
    const found = of(run([caps, gpuApp(8)]), 'GPU216');
    expect(found.map((f) => `${f.fieldPath}: ${f.message}`)).toEqual([
      'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]: container "main": LimitRange caps refuses its pods: "maximum nvidia.com/gpu usage per Container is 4, but limit is 8"; the pods are never created (FailedCreate)',
      'spec.template.spec.containers: the pod: LimitRange caps refuses its pods: "maximum nvidia.com/gpu usage per Pod is 6, but limit is 8"; the pods are never created (FailedCreate)',
    ]);
  });

  test('the pod total counts sidecars with the app containers and each plain init container with the sidecars started before it', () => {
    const w = gpuApp(3);
    w.spec.template.spec.initContainers = [
      { name: 'proxy', image: 'busybox', restartPolicy: 'Always', resources: { limits: { 'nvidia.com/gpu': 1 } } },
      { name: 'warmup', image: 'busybox', resources: { limits: { 'nvidia.com/gpu': 4 } } },
    ];
    // app 3 + sidecar 1 = 4; warmup 4 + the sidecar before it 1 = 5: the pod counts 5
    const pod = (max: number) => of(run([limitRange('p', [{ type: 'Pod', max: { 'nvidia.com/gpu': max } }, { type: 'Container', default: { 'nvidia.com/gpu': 0 } }]), w]), 'GPU216');
    expect(pod(4).map((f) => f.message)).toEqual([expect.stringContaining('"maximum nvidia.com/gpu usage per Pod is 4, but limit is 5"')]);
    expect(pod(5)).toEqual([]);
  });

  test('within the caps, other namespaces, and workloads that ask for no GPU pass (GPU215 speaks for those)', () => {
    expect(of(run([caps, gpuApp(4)]), 'GPU216')).toEqual([]);
    expect(of(run([caps, gpuApp(8, { namespace: 'elsewhere' })]), 'GPU216')).toEqual([]);
    expect(of(run([limitRange('pod', [{ type: 'Pod', max: { 'nvidia.com/gpu': 8 } }]), cpuApp()]), 'GPU216')).toEqual([]);
  });

  test('a min per container refuses a GPU container below it', () => {
    const found = of(run([limitRange('floor', [{ type: 'Container', min: { 'nvidia.com/gpu': 2 }, default: { 'nvidia.com/gpu': 2 } }]), gpuApp(1)]), 'GPU216');
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining('"minimum nvidia.com/gpu usage per Container is 2, but request is 1"')]);
  });
});

describe('GPU227: a GPU workload\'s cpu, memory and ephemeral storage within its namespace\'s LimitRanges', () => {
  const server = (resources: any, o: any = {}) => {
    const w = gpuApp(1, o);
    w.spec.template.spec.containers[0].resources = resources;
    return w;
  };
  const web = (extra: any = {}) => limitRange('web', [{ type: 'Container', max: { cpu: '8', memory: '16Gi' }, default: { cpu: '500m', memory: '1Gi' }, ...extra }]);
  const gpu227 = (objs: any[]) => lines(of(run(objs), 'GPU227'));

  test('a request or limit beyond the Container max: LimitRanger\'s own words, on the container\'s resources', () => {
    expect(gpu227([web(), server({ limits: { 'nvidia.com/gpu': 1, 'memory': '120Gi', 'cpu': '6' } })])).toEqual([
      'GPU227 Deployment/server spec.template.spec.containers[0].resources: container "main": LimitRange web refuses its pods: '
      + '"maximum memory usage per Container is 16Gi, but limit is 120Gi"; the pods are never created (FailedCreate)',
    ]);
    expect(gpu227([web(), server({ requests: { cpu: '12' }, limits: { 'nvidia.com/gpu': 1, 'memory': '8Gi', 'cpu': '12' } })]))
      .toEqual([expect.stringMatching(/"maximum cpu usage per Container is 8, but limit is 12"/)]);
  });

  test('a default limit below the container\'s own request: the API server\'s refusal, naming the default', () => {
    expect(gpu227([web(), server({ requests: { memory: '12Gi' }, limits: { 'nvidia.com/gpu': 1, 'cpu': '4' } })])).toEqual([
      'GPU227 Deployment/server spec.template.spec.containers[0].resources: container "main": LimitRange web (spec.limits[0].default["memory"]) '
      + 'gives it a memory limit of 1Gi, below its request of 12Gi: the API server refuses its pods ("must be less than or equal to memory limit"); '
      + 'the pods are never created (FailedCreate)',
    ]);
    // A default limit at or above the request, or a limit of its own: admitted.
    expect(gpu227([web(), server({ requests: { memory: '512Mi' }, limits: { 'nvidia.com/gpu': 1 } })])).toEqual([]);
    expect(gpu227([web(), server({ requests: { memory: '12Gi' }, limits: { 'nvidia.com/gpu': 1, 'memory': '12Gi' } })])).toEqual([]);
  });

  test('min, maxLimitRequestRatio and a Pod item count the sidecars and init containers; ephemeral-storage is judged too', () => {
    const ratio = limitRange('ratio', [{ type: 'Container', maxLimitRequestRatio: { memory: '2' } }]);
    expect(gpu227([ratio, server({ requests: { memory: '4Gi' }, limits: { 'nvidia.com/gpu': 1, 'memory': '16Gi' } })]))
      .toEqual([expect.stringMatching(/"memory max limit to request ratio per Container is 2, but provided ratio is 4"/)]);
    const min = limitRange('min', [{ type: 'Container', min: { cpu: '2' } }]);
    expect(gpu227([min, server({ limits: { 'nvidia.com/gpu': 1, 'cpu': '1' } })])).toEqual([expect.stringMatching(/"minimum cpu usage per Container is 2, but request is 1"/)]);
    const pod = limitRange('pod', [{ type: 'Pod', max: { memory: '16Gi' } }]);
    const withSidecar = server({ limits: { 'nvidia.com/gpu': 1, 'memory': '12Gi' } });
    withSidecar.spec.template.spec.initContainers = [{ name: 'proxy', image: 'x', restartPolicy: 'Always', resources: { limits: { memory: '8Gi' } } }];
    expect(gpu227([pod, withSidecar])).toEqual([
      'GPU227 Deployment/server spec.template.spec.containers: the pod: LimitRange pod refuses its pods: "maximum memory usage per Pod is 16Gi, but limit is 20Gi"; '
      + 'the pods are never created (FailedCreate)',
    ]);
    const disk = limitRange('disk', [{ type: 'Container', max: { 'ephemeral-storage': '10Gi' } }]);
    expect(gpu227([disk, server({ limits: { 'nvidia.com/gpu': 1, 'ephemeral-storage': '100Gi' } })]))
      .toEqual([expect.stringMatching(/"maximum ephemeral-storage usage per Container is 10Gi, but limit is 100Gi"/)]);
  });

  test('not judged: CPU workloads, other namespaces, LimitRanges bounding only GPUs (GPU215/GPU216), MIG pods are GPU pods', () => {
    expect(gpu227([web(), cpuApp({ limits: { cpu: '1', memory: '64Gi' } })])).toEqual([]);
    expect(gpu227([limitRange('web', [{ type: 'Container', max: { memory: '16Gi' } }], 'other'), server({ limits: { 'nvidia.com/gpu': 1, 'memory': '64Gi' } })])).toEqual([]);
    expect(gpu227([limitRange('cap', [{ type: 'Container', max: { 'nvidia.com/gpu': 8 }, default: { 'nvidia.com/gpu': 0 } }]), server({ limits: { 'nvidia.com/gpu': 1, 'memory': '64Gi' } })])).toEqual([]);
    expect(gpu227([web(), server({ limits: { 'nvidia.com/mig-1g.10gb': 1, 'memory': '64Gi' } })])).toHaveLength(1);
    // GPU215 and GPU216 still judge only extended resources: a cpu/memory LimitRange is silent there.
    expect(of(run([web(), cpuApp(), server({ limits: { 'nvidia.com/gpu': 1, 'memory': '64Gi' } })]), 'GPU215')).toEqual([]);
    expect(of(run([web(), server({ limits: { 'nvidia.com/gpu': 1, 'memory': '64Gi' } })]), 'GPU216')).toEqual([]);
  });
});

describe('LimitRange default requests count where the pods are placed (the validation index\'s requestDefaults)', () => {
  const g6 = nodePool({ name: 'g6', limits: { 'nvidia.com/gpu': 8 }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge'] }] });
  const all = (objs: any[]) => validateManifests(objs.map((object) => ({ object })));

  test('a GPU container that sets no memory gets 64Gi from its namespace: no g6.xlarge (16 GiB) holds it (GPU203)', () => {
    const big = limitRange('big', [{ type: 'Container', default: { memory: '64Gi' } }]);
    expect(lines(of(all([g6, big, gpuApp(1)]), 'GPU203'))).toEqual([expect.stringMatching(/^GPU203 Deployment\/server .*memory/)]);
    expect(of(all([g6, gpuApp(1)]), 'GPU203')).toEqual([]);
    expect(of(all([g6, limitRange('big', [{ type: 'Container', default: { memory: '64Gi' } }], 'other'), gpuApp(1)]), 'GPU203')).toEqual([]);
    // A container with its own memory request keeps it.
    const own = gpuApp(1);
    own.spec.template.spec.containers[0].resources.requests = { memory: '4Gi' };
    expect(of(all([g6, big, own]), 'GPU203')).toEqual([]);
  });
});
