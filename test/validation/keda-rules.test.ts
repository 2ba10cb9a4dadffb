import { GPU_TOLERATION, nodePool, of, workload, DEFAULT_NODE_CLASS } from './helpers';
import { Finding, Severity, validateManifests } from '../../src/validation';
import { regexLiteralPrefix, SCALING_RULES } from '../../src/validation/rules/keda';

const run = (objects: any[]): Finding[] => validateManifests(objects.map((object) => ({ object })), { rules: SCALING_RULES });

const app = (o: any = {}) => workload({ name: 'model-a', namespace: 'inference', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 2, 'cpu': '4', 'memory': '16Gi' }, ...o });
const so = (spec: any = {}, name = 'model-a-scaler', ns = 'inference') => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name, namespace: ns },
  spec: { scaleTargetRef: { name: 'model-a' }, minReplicaCount: 1, maxReplicaCount: 4, triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://p:9090', query: 'sum(up)', threshold: '1' } }], ...spec },
});
const hpa = (name = 'model-a-hpa', target: any = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-a' }, max = 4) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name, namespace: 'inference' },
  spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas: max },
});

describe('SCALING_RULES (GPU301-GPU307, GPU309, GPU322)', () => {
  test('ids are GPU30x, unique, documented', () => {
    expect(SCALING_RULES.map((r) => r.id)).toEqual(['GPU301', 'GPU302', 'GPU303', 'GPU304', 'GPU305', 'GPU306', 'GPU307', 'GPU309', 'GPU322']);
    for (const r of SCALING_RULES) {
      expect(r.description!.length).toBeGreaterThan(50);
      expect(r.remediation.length).toBeGreaterThan(20);
    }
    const E = Severity.ERROR;
    const W = Severity.WARNING;
    expect(SCALING_RULES.map((r) => r.severity)).toEqual([E, E, E, E, W, W, W, E, W]);
  });

  // Each rule's pass/fail fixtures are run by the registry self-test (test/validation/registry.test.ts).
});

describe('GPU301 scale target exists', () => {
  test('a typo, another namespace and a wrong kind are found; the message points at the look-alike', () => {
    const [typo] = of(run([app(), so({ scaleTargetRef: { name: 'model-b' } })]), 'GPU301');
    expect(typo.fieldPath).toBe('spec.scaleTargetRef');
    expect(typo.message).toMatch(/apps\/v1 Deployment model-b in namespace inference, which is not in these manifests/);
    const [otherNs] = of(run([app({ namespace: 'default' }), so()]), 'GPU301');
    expect(otherNs.message).toMatch(/found Deployment default\/model-a/);
    expect(of(run([app(), so({ scaleTargetRef: { name: 'model-a', kind: 'StatefulSet' } })]), 'GPU301')).toHaveLength(1);
  });
  test('defaults (apps/v1 Deployment) and explicit StatefulSets resolve', () => {
    expect(of(run([app(), so()]), 'GPU301')).toEqual([]);
    expect(of(run([app({ kind: 'StatefulSet' }), so({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'model-a' } })]), 'GPU301')).toEqual([]);
  });
});

describe('GPU302 one autoscaler per workload', () => {
  test('ScaledObject + HPA (seed 001) and two ScaledObjects are errors, reported on the later ones', () => {
    const f = of(run([app(), so(), hpa()]), 'GPU302');
    expect(f).toHaveLength(1);
    expect(f[0].object.kind).toBe('HorizontalPodAutoscaler');
    expect(f[0].message).toMatch(/also scaled by ScaledObject model-a-scaler; KEDA already owns an HPA/);
    expect(of(run([app(), so(), so({}, 'second')]), 'GPU302').map((x) => x.object.name)).toEqual(['second']);
    expect(of(run([app(), hpa('a'), hpa('b')]), 'GPU302')).toHaveLength(1);
  });
  test('different targets or namespaces are fine', () => {
    expect(of(run([app(), so(), hpa('other', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-b' })]), 'GPU302')).toEqual([]);
    expect(of(run([app(), so(), so({}, 'x', 'other-ns')]), 'GPU302')).toEqual([]);
  });
});

describe('GPU303 replica bounds', () => {
  test('min above max (also against the default max 100) and idle >= min', () => {
    expect(of(run([app(), so({ minReplicaCount: 5, maxReplicaCount: 2 })]), 'GPU303')[0].message).toBe('is 5, above maxReplicaCount 2');
    const noMax = so({ minReplicaCount: 101 });
    delete noMax.spec.maxReplicaCount;
    expect(of(run([app(), noMax]), 'GPU303')[0].message).toMatch(/above maxReplicaCount 100 \(the default\)/);
    expect(of(run([app(), so({ minReplicaCount: 1, idleReplicaCount: 1 })]), 'GPU303')[0].fieldPath).toBe('spec.idleReplicaCount');
  });
  test('min 0, min = max, idle 0 below min 1 pass', () => {
    expect(of(run([app(), so({ minReplicaCount: 0 }), so({ minReplicaCount: 4, maxReplicaCount: 4 }, 'b', 'x'), so({ idleReplicaCount: 0 }, 'c', 'y')]), 'GPU303')).toEqual([]);
  });
});

describe('GPU304 max replicas fit the pools', () => {
  const pool = (name: string, gpus: number, family = 'g6') => nodePool({ name, limits: { 'nvidia.com/gpu': gpus }, requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [family] }] });
  test('numbers in the message; only pools the template can land on count', () => {
    // 2 GPUs per replica; pools a (8) and b (8) both fit → 16 GPUs → at most 8 replicas.
    const [f] = of(run([DEFAULT_NODE_CLASS, pool('a', 8), pool('b', 8), app(), so({ maxReplicaCount: 10 })]), 'GPU304');
    expect(f.fieldPath).toBe('spec.maxReplicaCount');
    expect(f.message).toBe('is 10: 10 replicas × 2 GPU(s) = 20 GPUs, but the NodePools Deployment model-a can use (a: 8, b: 8) allow 16 GPUs in total; at most 8 replicas can ever run');
    expect(f.remediation).toMatch(/Lower maxReplicaCount to 8/);
    expect(of(run([DEFAULT_NODE_CLASS, pool('a', 8), pool('b', 8), app(), so({ maxReplicaCount: 8 })]), 'GPU304')).toEqual([]);
    // Pinned to pool a only: b's GPUs do not count.
    const pinned = app({ nodeSelector: { 'karpenter.sh/nodepool': 'a' } });
    expect(of(run([pool('a', 8), pool('b', 8), pinned, so({ maxReplicaCount: 5 })]), 'GPU304')[0].message).toMatch(/\(a: 8\) allow 8 GPUs/);
  });
  test('seven usable pools: the first five named with their limits, the rest counted, the total over all', () => {
    const pools = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => pool(n, 8));
    const [f] = of(run([DEFAULT_NODE_CLASS, ...pools, app(), so({ maxReplicaCount: 30 })]), 'GPU304');
    expect(f.message).toBe('is 30: 30 replicas × 2 GPU(s) = 60 GPUs, but the NodePools Deployment model-a can use '
      + '(a: 8, b: 8, c: 8, d: 8, e: 8 and 2 more) allow 56 GPUs in total; at most 28 replicas can ever run');
  });
  test('default maxReplicaCount 100 and HPAs are judged; unlimited pools, no fitting pool and CPU targets are not', () => {
    const noMax = so();
    delete noMax.spec.maxReplicaCount;
    expect(of(run([pool('a', 64), app(), noMax]), 'GPU304')[0].message).toMatch(/^is 100 \(the default\)/);
    expect(of(run([pool('a', 8), app(), hpa('h', undefined, 5)]), 'GPU304')[0].fieldPath).toBe('spec.maxReplicas');
    expect(of(run([nodePool({ name: 'a', limits: {} }), app(), so({ maxReplicaCount: 1000 })]), 'GPU304')).toEqual([]);
    expect(of(run([pool('a', 8, 'p5'), app({ nodeSelector: { 'karpenter.sh/nodepool': 'z' } }), so({ maxReplicaCount: 100 })]), 'GPU304')).toEqual([]);
    expect(of(run([pool('a', 8), workload({ name: 'model-a', namespace: 'inference' }), so({ maxReplicaCount: 100 })]), 'GPU304')).toEqual([]);
  });
});

describe('GPU307 maximums of workloads confined to the same pools fit together', () => {
  const pool = (name: string, gpus: number | undefined, family = 'g6') => nodePool({
    name, limits: gpus === undefined ? {} : { 'nvidia.com/gpu': gpus }, requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [family] }],
  });
  /** A 2-GPU workload, pinned to `pools` by a nodeSelector when one pool is named. */
  const model = (name: string, pinned?: string, o: any = {}) => app({ name, ...(pinned ? { nodeSelector: { 'karpenter.sh/nodepool': pinned } } : {}), ...o });
  const scaler = (target: string, max: number) => so({ scaleTargetRef: { name: target }, maxReplicaCount: max }, `${target}-scaler`);
  const gpu307 = (objects: any[]) => of(run([DEFAULT_NODE_CLASS, ...objects]), 'GPU307');

  test('two scalers that each fit alone but not together: one warning, on the scaler asking for most, with the numbers', () => {
    // Pool a allows 8 GPUs; model-a up to 3 × 2 = 6, model-b up to 2 × 2 = 4: 10 > 8. Each alone fits (GPU304 quiet).
    const objects = [pool('a', 8), model('model-a', 'a'), model('model-b', 'a'), scaler('model-a', 3), scaler('model-b', 2)];
    expect(of(run([DEFAULT_NODE_CLASS, ...objects]), 'GPU304')).toEqual([]);
    const f = gpu307(objects);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe(Severity.WARNING);
    expect(f[0].object.name).toBe('model-a-scaler');
    expect(f[0].fieldPath).toBe('spec.maxReplicaCount');
    expect(f[0].message).toBe('together with the other workloads that can only use NodePools a, asks for 10 GPUs at peak, but those pools allow 8 (a: 8): '
      + 'Deployment inference/model-a 3 × 2 = 6 (ScaledObject model-a-scaler maximum); Deployment inference/model-b 2 × 2 = 4 (ScaledObject model-b-scaler maximum)');
    expect(f[0].remediation).toMatch(/by 2 GPUs in total, or raise the pools' limits\["nvidia.com\/gpu"\] to at least 10/);
    // Exactly at the limit is fine, counted in whole nodes of the types 2-GPU pods fit (g6.12xlarge, g6.48xlarge: 4 and 8
    // GPUs): a limit of 10 buys 8 of them, 12 buys 12.
    expect(gpu307([pool('a', 10), ...objects.slice(1)])[0].message).toContain('but those pools allow 8 (a: 10, which buys whole 4- or 8-GPU nodes of 8 GPUs)');
    expect(gpu307([pool('a', 12), ...objects.slice(1)])).toEqual([]);
  });

  test('unscaled GPU workloads count with spec.replicas; CPU workloads and workloads with another pool do not', () => {
    const fixed = model('fixed', 'a');
    fixed.spec.replicas = 2; // 4 GPUs, always
    // model-a up to 3 × 2 = 6 plus fixed 4 = 10 > 8.
    expect(gpu307([pool('a', 8), model('model-a', 'a'), fixed, scaler('model-a', 3)])[0].message).toMatch(/asks for 10 GPUs.*Deployment inference\/fixed 2 × 2 = 4 \(replicas\)/);
    // A CPU workload pinned to the pool asks for no GPUs.
    const cpu = workload({ name: 'cpu', namespace: 'inference', tolerations: [GPU_TOLERATION], nodeSelector: { 'karpenter.sh/nodepool': 'a' }, limits: { cpu: '1' } });
    expect(gpu307([pool('a', 8), model('model-a', 'a'), cpu, scaler('model-a', 3)])).toEqual([]);
    // model-b can also use pool b, so it is not confined to a: a alone holds model-a (6 ≤ 8); a+b hold 10 ≤ 16.
    expect(gpu307([pool('a', 8), pool('b', 8), model('model-a', 'a'), model('model-b'), scaler('model-a', 3), scaler('model-b', 2)])).toEqual([]);
  });

  test('only the smallest overcommitted set of pools is reported', () => {
    // Pool a: model-a 3 × 2 + model-b 2 × 2 = 10 > 8. Pools a+b: also model-c (anywhere) 4 × 2 = 8 → 18 > 16.
    const f = gpu307([pool('a', 8), pool('b', 8), model('model-a', 'a'), model('model-b', 'a'), model('model-c'),
      scaler('model-a', 3), scaler('model-b', 2), scaler('model-c', 4)]);
    expect(f.map((x) => x.message.match(/NodePools ([a-z, ]+), asks/)![1])).toEqual(['a']);
  });

  test('not judged: a pool without a GPU limit, only unscaled workloads, a single workload (GPU304), default and HPA maximums count', () => {
    expect(gpu307([pool('a', undefined), model('model-a', 'a'), model('model-b', 'a'), scaler('model-a', 30), scaler('model-b', 30)])).toEqual([]);
    const x = model('x', 'a');
    x.spec.replicas = 3;
    const y = model('y', 'a');
    y.spec.replicas = 3;
    expect(gpu307([pool('a', 8), x, y])).toEqual([]);
    expect(gpu307([pool('a', 8), model('model-a', 'a'), scaler('model-a', 10)])).toEqual([]);
    // KEDA's default maximum is 100; an HPA's maxReplicas counts too.
    const noMax = scaler('model-a', 1);
    delete noMax.spec.maxReplicaCount;
    expect(gpu307([pool('a', 64), model('model-a', 'a'), model('model-b', 'a'), noMax])[0].message).toMatch(/model-a 100 × 2 = 200 \(ScaledObject model-a-scaler maximum\)/);
    const withHpa = gpu307([pool('a', 8), model('model-a', 'a'), model('model-b', 'a'), hpa('h', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-b' }, 3), scaler('model-a', 2)]);
    expect(withHpa[0].fieldPath).toBe('spec.maxReplicas');
    expect(withHpa[0].object.kind).toBe('HorizontalPodAutoscaler');
  });

  test('when even the replicas always running over-commit the pools, GPU223 reports it instead (an error, not this warning)', () => {
    // model-a runs at least 3 × 2 = 6 (its minimum), fixed always 2 × 2 = 4: 10 > 8 whatever the load.
    const fixed = model('fixed', 'a');
    fixed.spec.replicas = 2;
    const floorOver = [pool('a', 8), model('model-a', 'a'), fixed, so({ scaleTargetRef: { name: 'model-a' }, minReplicaCount: 3, maxReplicaCount: 4 }, 'model-a-scaler')];
    expect(gpu307(floorOver)).toEqual([]);
    const all = validateManifests([DEFAULT_NODE_CLASS, ...floorOver].map((object) => ({ object })));
    expect(of(all, 'GPU223').map((f) => [f.object.name, f.fieldPath])).toEqual([['model-a-scaler', 'spec.minReplicaCount']]);
    // A minimum of 1: only the peak over-commits (2 + 4 = 6 always, 8 + 4 = 12 at peak): this warning.
    floorOver[3] = so({ scaleTargetRef: { name: 'model-a' }, minReplicaCount: 1, maxReplicaCount: 4 }, 'model-a-scaler');
    expect(gpu307(floorOver).map((f) => f.message.match(/asks for (\d+) GPUs/)![1])).toEqual(['12']);
  });

  test('a pool that shares its GPUs (time-slicing) is not judged: its pods ask for shares, its limit counts physical GPUs', () => {
    const sliced = pool('a', 8);
    sliced.metadata.annotations = { 'cdk8s-gpu.io/advertised-resources-per-gpu': '{"nvidia.com/gpu": 4}' };
    const objects = [model('model-a', 'a'), model('model-b', 'a'), scaler('model-a', 3), scaler('model-b', 2)];
    expect(gpu307([pool('a', 8), ...objects])).toHaveLength(1);
    expect(gpu307([sliced, ...objects])).toEqual([]);
  });
});

describe('GPU305 no metricName', () => {
  test('flags each trigger that sets it', () => {
    const obj = so({ triggers: [{ type: 'prometheus', metadata: { query: 'x', threshold: '1' } }, { type: 'prometheus', metadata: { metricName: 'gpu_utilization', query: 'x', threshold: '1' } }] });
    const f = of(run([app(), obj]), 'GPU305');
    expect(f.map((x) => x.fieldPath)).toEqual(['spec.triggers[1].metadata.metricName']);
    expect(f[0].message).toMatch(/"gpu_utilization"; KEDA ≥ 2.12/);
  });
});

describe('GPU306 DCGM triggers need an exporter', () => {
  const dcgm = so({ triggers: [{ type: 'prometheus', metadata: { query: 'avg(DCGM_FI_DEV_GPU_UTIL{pod=~"model-a-.*"})', threshold: '70' } }] });
  test('warns without an exporter; a dcgm-exporter DaemonSet or a GPU Operator ClusterPolicy silences it', () => {
    expect(of(run([app(), dcgm]), 'GPU306')[0].fieldPath).toBe('spec.triggers[0].metadata.query');
    const ds = workload({ kind: 'DaemonSet', name: 'dcgm' });
    ds.spec.template.spec.containers[0].image = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless';
    expect(of(run([app(), dcgm, ds]), 'GPU306')).toEqual([]);
    const cp = { apiVersion: 'nvidia.com/v1', kind: 'ClusterPolicy', metadata: { name: 'cluster-policy' }, spec: { dcgmExporter: { enabled: true } } };
    expect(of(run([app(), dcgm, cp]), 'GPU306')).toEqual([]);
    expect(of(run([app(), dcgm, { ...cp, spec: { dcgmExporter: { enabled: false } } }]), 'GPU306')).toHaveLength(1);
  });
  test('non-DCGM queries are not judged', () => {
    expect(of(run([app(), so()]), 'GPU306')).toEqual([]);
  });
});

describe('GPU309 a ScaledObject that scales to zero needs a trigger that can wake it', () => {
  const prom = (query: string, extra: Record<string, string> = {}, name = 'own') =>
    ({ type: 'prometheus', name, metadata: { serverAddress: 'http://p:9090', query, threshold: '5', ...extra } });
  const own = prom('sum(vllm:num_requests_waiting{namespace="inference", pod=~"model-a-[a-z0-9]+-[a-z0-9]+"})');
  const gpu309 = (spec: any, extra: any[] = []) => of(run([app(), so(spec), ...extra]), 'GPU309');

  test('minReplicaCount unset (KEDA\'s 0) with a trigger on the target\'s own pods: an error naming the matcher', () => {
    const [f, ...rest] = gpu309({ minReplicaCount: undefined, triggers: [own] });
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.minReplicaCount');
    expect(f.message).toContain('scales Deployment inference/model-a to zero (minReplicaCount is unset: KEDA\'s default is 0)');
    expect(f.message).toContain('own: pod=~"model-a-[a-z0-9]+-[a-z0-9]+"');
    expect(gpu309({ minReplicaCount: 0, triggers: [own] })[0].message).toContain('(minReplicaCount is 0)');
  });

  test('idleReplicaCount 0 parks the target at zero too; minReplicaCount 1 without it is fine', () => {
    const [f] = gpu309({ minReplicaCount: 1, idleReplicaCount: 0, triggers: [own] });
    expect(f.fieldPath).toBe('spec.idleReplicaCount');
    expect(gpu309({ minReplicaCount: 1, triggers: [own] })).toEqual([]);
  });

  test('one trigger that can be active without the pods is enough: another series, another scaler type', () => {
    const gateway = prom('sum(rate(envoy_cluster_upstream_rq_total{envoy_cluster_name="model-a"}[1m]))', {}, 'gateway');
    expect(gpu309({ minReplicaCount: 0, triggers: [own, gateway] })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [own, { type: 'aws-sqs-queue', metadata: { queueURL: 'q', queueLength: '5' } }] })).toEqual([]);
    // A selector without a confining matcher reads other pods too (the namespace's GPUs).
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('sum(DCGM_FI_DEV_GPU_UTIL{namespace="inference"})')] })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('sum(x{pod=~"model-a-.*"}) + sum(y{job="gateway"})')] })).toEqual([]);
  });

  test('functions with a value without series, a negative activation, or errors turned into fallback replicas: not judged', () => {
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('sum(x{pod=~"model-a-.*"}) or vector(0)')] })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('absent(x{pod=~"model-a-.*"})')] })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('sum(x{pod=~"model-a-.*"})', { activationThreshold: '-1' })] })).toEqual([]);
    const strict = prom('sum(x{pod=~"model-a-.*"})', { ignoreNullValues: 'false' });
    expect(gpu309({ minReplicaCount: 0, triggers: [strict], fallback: { failureThreshold: 3, replicas: 1 } })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [strict] })).toHaveLength(1);
  });

  test('pod matchers: exact names and regex prefixes of "<target>-"; alternations, other prefixes and canaries are not confined', () => {
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('x{exported_pod="model-a-6d9f7-abcde"}')] })).toHaveLength(1);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('x{pod=~"model\\\\-a-.+"}')] })).toHaveLength(1);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('x{pod=~"model-a.*"}')] })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('x{pod=~"model-a-.*|gateway-.*"}')] })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('x{pod=~"model-a-?x.*"}')] })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('x{pod!~"model-a-.*"}')] })).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [own] }, [app({ name: 'model-a-canary' })])).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [prom('x{namespace="other", pod=~"model-a-.*"}')] })).toEqual([]);
  });

  test('service/job naming a Service in front of the target alone confines; one also in front of others does not', () => {
    const svc = (selector: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'model-a', namespace: 'inference' }, spec: { selector, ports: [{ port: 80 }] } });
    const q = prom('sum(vllm:num_requests_waiting{service="model-a"})');
    expect(gpu309({ minReplicaCount: 0, triggers: [q] }, [svc({ app: 'model-a' })])).toHaveLength(1);
    expect(gpu309({ minReplicaCount: 0, triggers: [q] }, [svc({ app: 'model-a' }), app({ name: 'model-b', labels: { app: 'model-a' } })])).toEqual([]);
    expect(gpu309({ minReplicaCount: 0, triggers: [q] })).toEqual([]);
  });

  test('regexLiteralPrefix reads RE2 as Prometheus anchors it', () => {
    expect(regexLiteralPrefix('model-a-[a-z0-9]+')).toBe('model-a-');
    expect(regexLiteralPrefix('model\\.a-.*')).toBe('model.a-');
    expect(regexLiteralPrefix('model-ab?')).toBe('model-a');
    expect(regexLiteralPrefix('model-a{2}')).toBe('model-');
    expect(regexLiteralPrefix('(?i)model-a')).toBe('');
    expect(regexLiteralPrefix('\\dmodel')).toBe('');
    expect(regexLiteralPrefix('a|b')).toBe('');
  });
});

describe('GPU322 a scaled GPU workload should leave spec.replicas to its scaler', () => {
  const withReplicas = (n: unknown, o: any = {}) => {
    const w = app(o);
    w.spec.replicas = n;
    return w;
  };
  const gpu322 = (objects: any[]) => of(run(objects), 'GPU322');

  test('a ScaledObject or an HPA target with spec.replicas: reported there, with the scaler named', () => {
    const [f, ...rest] = gpu322([withReplicas(1), so()]);
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.object).toMatchObject({ kind: 'Deployment', name: 'model-a' });
    expect(f.fieldPath).toBe('spec.replicas');
    expect(f.message).toBe('is 1 while ScaledObject model-a-scaler scales this Deployment: each kubectl apply (or GitOps sync) of '
      + 'these manifests sets it back to 1, whatever the scaler chose; at peak load that removes GPU replicas serving traffic, '
      + 'and the ones the scaler adds back load their model for minutes');
    expect(gpu322([withReplicas(3), hpa()])[0].message).toMatch(/^is 3 while HorizontalPodAutoscaler model-a-hpa scales/);
    expect(gpu322([withReplicas(0), so({ minReplicaCount: 0 })])).toHaveLength(1);
  });

  test('not judged: no spec.replicas, no scaler, a paused ScaledObject, a scaler held at that count, a workload without GPUs', () => {
    expect(gpu322([app(), so()])).toEqual([]);
    expect(gpu322([withReplicas(2)])).toEqual([]);
    const paused = (annotations: any) => ({ ...so(), metadata: { ...so().metadata, annotations } });
    expect(gpu322([withReplicas(2), paused({ 'autoscaling.keda.sh/paused-replicas': '2' })])).toEqual([]);
    expect(gpu322([withReplicas(2), paused({ 'autoscaling.keda.sh/paused': 'true' })])).toEqual([]);
    expect(gpu322([withReplicas(2), paused({ 'autoscaling.keda.sh/paused': 'false' })])).toHaveLength(1);
    expect(gpu322([withReplicas(4), so({ minReplicaCount: 4, maxReplicaCount: 4 })])).toEqual([]);
    expect(gpu322([withReplicas(4), so({ minReplicaCount: 4, maxReplicaCount: 5 })])).toHaveLength(1);
    // Counts that are not whole numbers are the schema's (GPU009) to report.
    expect(gpu322([withReplicas(2), so({ minReplicaCount: -2, maxReplicaCount: Infinity })])).toEqual([]);
    expect(gpu322([withReplicas(2), so({ maxReplicaCount: 2.5 })])).toEqual([]);
    const cpuOnly = workload({ name: 'model-a', namespace: 'inference', limits: { cpu: '4' } });
    cpuOnly.spec.replicas = 2;
    expect(gpu322([cpuOnly, so()])).toEqual([]);
  });
});
