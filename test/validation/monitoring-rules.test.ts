import * as path from 'path';
import { lint, loadYaml, of, workload } from './helpers';
import { Finding, Severity, validateManifests } from '../../src/validation';
import { MONITORING_RULES } from '../../src/validation/rules/monitoring';

const run = (objects: any[]): Finding[] => validateManifests(objects.map((object) => ({ object })), { rules: MONITORING_RULES });

const svc = (ports: any[], labels: any = { app: 'dcgm-exporter' }, ns = 'gpu-monitoring', selector: any = { app: 'dcgm-exporter' }) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'dcgm-exporter', namespace: ns, labels }, spec: { selector, ports },
});
const sm = (endpoints: any[], spec: any = {}, ns = 'gpu-monitoring') => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'dcgm', namespace: ns },
  spec: { selector: { matchLabels: { app: 'dcgm-exporter' } }, endpoints, ...spec },
});
const exporter = () => {
  const ds = workload({ kind: 'DaemonSet', name: 'dcgm-exporter', namespace: 'gpu-monitoring', labels: { app: 'dcgm-exporter' } });
  ds.spec.template.spec.containers[0].image = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless';
  return ds;
};

describe('MONITORING_RULES (GPU311-GPU313)', () => {
  test('ids, severities, documentation', () => {
    expect(MONITORING_RULES.map((r) => [r.id, r.severity])).toEqual([
      ['GPU308', Severity.ERROR], ['GPU311', Severity.ERROR], ['GPU312', Severity.WARNING], ['GPU313', Severity.WARNING],
      ['GPU314', Severity.ERROR], ['GPU315', Severity.ERROR], ['GPU316', Severity.ERROR], ['GPU317', Severity.ERROR],
      ['GPU318', Severity.WARNING], ['GPU319', Severity.WARNING], ['GPU321', Severity.WARNING], ['GPU323', Severity.ERROR],
      ['GPU324', Severity.WARNING], ['GPU325', Severity.ERROR],
    ]);
    for (const r of MONITORING_RULES) expect(r.description!.length).toBeGreaterThan(50);
  });

  // Each rule's pass/fail fixtures are run by the registry self-test (test/validation/registry.test.ts).
});

describe('GPU311 endpoint port exists', () => {
  test('a port number-less name mismatch lists the Service ports', () => {
    const [f] = of(run([svc([{ name: 'http', port: 9400 }, { port: 9401 }]), sm([{ port: 'metrics' }])]), 'GPU311');
    expect(f.fieldPath).toBe('spec.endpoints[0].port');
    expect(f.message).toBe('is "metrics", but the selected Service(s) dcgm-exporter have port(s) http, <unnamed 9401>; nothing is scraped');
  });
  test('named ports, targetPort endpoints and unselected Services pass', () => {
    expect(of(run([svc([{ name: 'metrics', port: 9400 }]), sm([{ port: 'metrics' }])]), 'GPU311')).toEqual([]);
    expect(of(run([svc([{ port: 9400 }]), sm([{ targetPort: 9400 }])]), 'GPU311')).toEqual([]);
    expect(of(run([svc([{ port: 9400 }], { app: 'x' }), sm([{ port: 'metrics' }])]), 'GPU311')).toEqual([]);
  });
});

describe('GPU312 selects a Service', () => {
  test('namespace selection: own namespace by default, matchNames, any', () => {
    const s = svc([{ name: 'metrics', port: 9400 }]);
    expect(of(run([s, sm([{ port: 'metrics' }], {}, 'monitoring')]), 'GPU312')[0].message)
      .toBe('selects app=dcgm-exporter in namespace monitoring, which matches no Service in these manifests');
    expect(of(run([s, sm([{ port: 'metrics' }], { namespaceSelector: { matchNames: ['gpu-monitoring'] } }, 'monitoring')]), 'GPU312')).toEqual([]);
    expect(of(run([s, sm([{ port: 'metrics' }], { namespaceSelector: { any: true } }, 'monitoring')]), 'GPU312')).toEqual([]);
  });
  test('matchExpressions are honoured', () => {
    const s = svc([{ name: 'metrics', port: 9400 }]);
    const expr = { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['dcgm-exporter'] }] } };
    expect(of(run([s, sm([{ port: 'metrics' }], expr)]), 'GPU312')).toEqual([]);
    const notIn = { selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['dcgm-exporter'] }] } };
    expect(of(run([s, sm([{ port: 'metrics' }], notIn)]), 'GPU312')).toHaveLength(1);
  });
});

describe('GPU313 honorLabels on DCGM', () => {
  test('a ServiceMonitor reaching dcgm-exporter pods through its Service must honour labels', () => {
    const objs = [exporter(), svc([{ name: 'metrics', port: 9400 }], { team: 'x' }), sm([{ port: 'metrics' }], { selector: { matchLabels: { team: 'x' } } })];
    const [f] = of(run(objs), 'GPU313');
    expect(f.fieldPath).toBe('spec.endpoints[0].honorLabels');
    expect(f.message).toMatch(/unset \(false\) on a DCGM exporter endpoint/);
    objs[2].spec.endpoints[0].honorLabels = true;
    expect(of(run(objs), 'GPU313')).toEqual([]);
  });
  test('the GPU Operator exporter is recognised by its label; other ServiceMonitors are not judged', () => {
    expect(of(run([sm([{ port: 'gpu-metrics', honorLabels: false }], { selector: { matchLabels: { app: 'nvidia-dcgm-exporter' } } })]), 'GPU313')).toHaveLength(1);
    expect(of(run([sm([{ port: 'http' }], { selector: { matchLabels: { app: 'vllm' } } })]), 'GPU313')).toEqual([]);
  });
});

// Issue 16: PromQL and the metrics path checked on foreign YAML (GPU308, GPU314-GPU319).
const promRule = (rules: any[], ns = 'gpu-monitoring') => ({
  apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', namespace: ns }, spec: { groups: [{ name: 'g', rules }] },
});
const scaledObject = (query: string, target = 'model-a', ns = 'inference') => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'so', namespace: ns },
  spec: { scaleTargetRef: { name: target }, triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://p:9090', query, threshold: '5' } }] },
});
const clusterPolicy = (dcgmExporter: any) => ({ apiVersion: 'nvidia.com/v1', kind: 'ClusterPolicy', metadata: { name: 'cluster-policy' }, spec: { dcgmExporter } });
const csvConfigMap = (name: string, ns: string, key: string, fields: string[]) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { [key]: fields.map((f) => `${f}, gauge, x`).join('\n') },
});

describe('GPU314/GPU315 PromQL parses (issue 16 case 5)', () => {
  test('a PrometheusRule expr with a syntax error is an error with its line and column', () => {
    const [f] = of(run([promRule([{ alert: 'A', expr: 'sum(rate(x[5m])' }])]), 'GPU314');
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.fieldPath).toBe('spec.groups[0].rules[0].expr');
    expect(f.message).toBe('does not parse as PromQL: syntax error at line 1, column 16 (unexpected end of query): "sum(rate(x[5m])"; Prometheus refuses the whole rule group');
    expect(of(run([promRule([{ alert: 'A', expr: 'sum(rate(x[5m]))\n  > bad bad' }])]), 'GPU314')[0].message).toMatch(/line 2, column 9 \(near "bad"\)/);
    expect(of(run([promRule([{ alert: 'A', expr: 'sum(rate(x[5m])) > 1' }, { record: 'r', expr: 'vector(1)' }])]), 'GPU314')).toEqual([]);
  });
  test('a KEDA prometheus trigger query with a syntax error is an error; other trigger types are not judged', () => {
    const [f] = of(run([scaledObject('sum(vllm:num_requests_waiting{pod=~"a")')]), 'GPU315');
    expect(f.fieldPath).toBe('spec.triggers[0].metadata.query');
    expect(f.message).toMatch(/^does not parse as PromQL: syntax error at line 1, column \d+/);
    const cpu = scaledObject('x');
    cpu.spec.triggers[0].type = 'cpu';
    expect(of(run([cpu]), 'GPU315')).toEqual([]);
  });
});

describe('GPU316 DCGM fields read are collected (issue 16 case 2)', () => {
  const thermal = promRule([{ alert: 'T', expr: 'rate(DCGM_FI_DEV_THERMAL_VIOLATION[5m]) / 1e9 > 0.1' }]);
  test('the GPU Operator\'s default collectors lack the thermal counter; its dcgmExporter.config ConfigMap decides', () => {
    const [f] = of(run([clusterPolicy({ enabled: true }), thermal]), 'GPU316');
    expect(f.message).toBe('reads DCGM_FI_DEV_THERMAL_VIOLATION, which the GPU Operator\'s exporter (ClusterPolicy cluster-policy) does not collect (not in its collectors CSV): the alert never fires');
    const configured = [clusterPolicy({ enabled: true, config: { name: 'csv' } }), csvConfigMap('csv', 'gpu-operator', 'dcgm-metrics.csv', ['DCGM_FI_DEV_THERMAL_VIOLATION'])];
    expect(of(run([...configured, thermal]), 'GPU316')).toEqual([]);
  });
  test('a DaemonSet\'s CSV is read from the ConfigMap mounted at DCGM_EXPORTER_COLLECTORS; no exporter: not judged', () => {
    const ds = exporter();
    const ctr = ds.spec.template.spec.containers[0];
    ctr.env = [{ name: 'DCGM_EXPORTER_COLLECTORS', value: '/etc/custom/my.csv' }];
    ctr.volumeMounts = [{ name: 'c', mountPath: '/etc/custom' }];
    ds.spec.template.spec.volumes = [{ name: 'c', configMap: { name: 'mine' } }];
    const trigger = scaledObject('sum(DCGM_FI_PROF_SM_ACTIVE{pod=~"m-.*"})');
    expect(of(run([ds, csvConfigMap('mine', 'gpu-monitoring', 'my.csv', ['DCGM_FI_DEV_GPU_UTIL']), trigger]), 'GPU316')[0].message).toMatch(/^reads DCGM_FI_PROF_SM_ACTIVE, which DaemonSet gpu-monitoring\/dcgm-exporter does not collect.*trigger gets no data/);
    expect(of(run([ds, csvConfigMap('mine', 'gpu-monitoring', 'my.csv', ['DCGM_FI_PROF_SM_ACTIVE']), trigger]), 'GPU316')).toEqual([]);
    expect(of(run([thermal, trigger]), 'GPU316')).toEqual([]);
  });
});

describe('GPU317 one exporter per GPU node / GPU308 scraped once (issue 16 case 1)', () => {
  test('the operator\'s exporter beside a DaemonSet is an error; DaemonSets on disjoint pools are not', () => {
    expect(of(run([exporter(), clusterPolicy({ enabled: true })]), 'GPU317')).toHaveLength(1);
    expect(of(run([exporter(), clusterPolicy({ enabled: false })]), 'GPU317')).toEqual([]);
    const onPool = (name: string, pools: string[]) => {
      const ds = exporter();
      ds.metadata.name = name;
      ds.spec.template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: pools }] }] } } };
      return ds;
    };
    expect(of(run([onPool('a', ['p5']), onPool('b', ['g6'])]), 'GPU317')).toEqual([]);
    expect(of(run([onPool('a', ['p5', 'g6']), onPool('b', ['g6'])]), 'GPU317')[0].message).toMatch(/same GPU nodes as DaemonSet gpu-monitoring\/a/);
  });
  test('a ServiceMonitor on the operator\'s exporter beside the operator\'s own ServiceMonitor scrapes twice', () => {
    const ours = sm([{ port: 'gpu-metrics', honorLabels: true }], { selector: { matchLabels: { app: 'nvidia-dcgm-exporter' } } });
    expect(of(run([clusterPolicy({ enabled: true, serviceMonitor: { enabled: true } }), ours]), 'GPU308')[0].message)
      .toBe('selects the GPU Operator\'s exporter, which its own ServiceMonitor already scrapes: every GPU series is scraped twice');
    expect(of(run([clusterPolicy({ enabled: true, serviceMonitor: { enabled: false } }), ours]), 'GPU308')).toEqual([]);
  });
});

describe('GPU318 model server triggers need a scraped target (issue 16 case 3)', () => {
  const target = () => workload({ kind: 'Deployment', name: 'model-a', namespace: 'inference', labels: { app: 'model-a' } });
  const query = 'sum(vllm:num_requests_waiting{namespace="inference", pod=~"model-a-.*"})';
  test('warns when nothing scrapes the pods; a ServiceMonitor through a Service or a PodMonitor satisfies it', () => {
    const [f] = of(run([target(), scaledObject(query)]), 'GPU318');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toMatch(/reads vllm:num_requests_waiting, but no ServiceMonitor or PodMonitor .* Deployment inference\/model-a/);
    const service = svc([{ name: 'http', port: 8000 }], { app: 'model-a' }, 'inference', { app: 'model-a' });
    const monitor = sm([{ port: 'http' }], { selector: { matchLabels: { app: 'model-a' } } }, 'inference');
    expect(of(run([target(), scaledObject(query), service, monitor]), 'GPU318')).toEqual([]);
    const pm = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'pm', namespace: 'inference' }, spec: { selector: { matchLabels: { app: 'model-a' } } } };
    expect(of(run([target(), scaledObject(query), pm]), 'GPU318')).toEqual([]);
    expect(of(run([target(), scaledObject('sum(DCGM_FI_DEV_GPU_UTIL)')]), 'GPU318')).toEqual([]);
  });

  test('every model server\'s metrics: SGLang, TGI, Triton and llama.cpp triggers need the scrape too', () => {
    for (const q of ['sum(sglang:num_queue_reqs)', 'sum(tgi_queue_size)', 'sum(rate(nv_inference_request_success[1m]))', 'sum(llamacpp:requests_deferred)']) {
      expect(of(run([target(), scaledObject(q)]), 'GPU318').map((f) => f.message.split(',')[0])).toEqual([`reads ${q.replace(/^sum\((rate\()?|(\[1m\]\))?\)$/g, '')}`]);
    }
  });
});

describe('GPU324 a trigger reading a model server\'s metrics targets pods that run it', () => {
  /** Deployment model-a whose one container runs `container`. */
  const target = (container: any) => {
    const w = workload({ kind: 'Deployment', name: 'model-a', namespace: 'inference', labels: { app: 'model-a' }, limits: { 'nvidia.com/gpu': 1 } });
    Object.assign(w.spec.template.spec.containers[0], container);
    return w;
  };
  const sglang = { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', 'm', '--host', '0.0.0.0', '--enable-metrics'] };
  const vllm = { image: 'vllm/vllm-openai:v0.12.0', args: ['m'] };
  const tgi = { image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm'] };
  const gpu324 = (container: any, query: string) => of(run([target(container), scaledObject(query)]), 'GPU324');

  test('vLLM\'s queue read for SGLang\'s pods: a warning naming both servers\' metrics; each server\'s own metrics pass', () => {
    const [f] = gpu324(sglang, 'sum(vllm:num_requests_waiting{namespace="inference"})');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.triggers[0].metadata.query');
    expect(f.message).toMatch(/^reads vllm:num_requests_waiting, which vLLM exports, but the pods of Deployment inference\/model-a run SGLang \(sglang:\*\): .*never scales it on its load/);
    expect(gpu324(sglang, 'sum(sglang:num_queue_reqs)')).toEqual([]);
    expect(gpu324(vllm, 'sum(vllm:num_requests_waiting)')).toEqual([]);
    expect(gpu324(tgi, 'sum(tgi_queue_size)')).toEqual([]);
    expect(gpu324(tgi, 'sum(sglang:num_queue_reqs) + sum(tgi_queue_size)')[0].message).toContain('reads sglang:num_queue_reqs, which SGLang exports, but the pods of Deployment inference/model-a run TGI (tgi_*)');
    expect(gpu324(vllm, 'sum(rate(nv_inference_request_success[1m]))')[0].message).toContain('which Triton exports');
  });

  test('SGLang serves its sglang:* series only with --enable-metrics (a --config file may set it: not judged)', () => {
    const without = { ...sglang, args: ['--model-path', 'm', '--host', '0.0.0.0'] };
    const [f] = gpu324(without, 'sum(sglang:num_queue_reqs)');
    expect(f.message).toMatch(/^reads sglang:num_queue_reqs, which SGLang exports, but the SGLang server of Deployment inference\/model-a is not started with --enable-metrics: it serves no \/metrics \(404\)/);
    expect(gpu324({ ...sglang, args: ['--config', '/etc/sglang.yaml'] }, 'sum(sglang:num_queue_reqs)')).toEqual([]);
  });

  test('llama.cpp: its llamacpp:* series exist only with --metrics (or LLAMA_ARG_ENDPOINT_METRICS); /metrics answers 501 without', () => {
    const llama = (args: string[], env?: any[]) => ({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', '/models/m.gguf', ...args], ...(env ? { env } : {}) });
    const [f] = gpu324(llama([]), 'sum(llamacpp:requests_deferred)');
    expect(f.message).toMatch(/^reads llamacpp:requests_deferred, which llama.cpp exports, but the llama.cpp server of Deployment inference\/model-a is not started with --metrics .*answers 501/);
    expect(gpu324(llama(['--metrics']), 'sum(llamacpp:requests_deferred)')).toEqual([]);
    expect(gpu324(llama([], [{ name: 'LLAMA_ARG_ENDPOINT_METRICS', value: '1' }]), 'sum(llamacpp:requests_deferred)')).toEqual([]);
    expect(gpu324(llama([], [{ name: 'LLAMA_ARG_ENDPOINT_METRICS', value: 'false' }]), 'sum(llamacpp:requests_deferred)')).toHaveLength(1);
    // from a reference: unknown, not judged
    expect(gpu324(llama([], [{ name: 'LLAMA_ARG_ENDPOINT_METRICS', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }]), 'sum(llamacpp:requests_deferred)')).toEqual([]);
    // another server's metrics on llama.cpp's pods
    expect(gpu324(llama(['--metrics']), 'sum(vllm:num_requests_waiting)')[0].message).toContain('run llama.cpp (llamacpp:*)');
  });

  test('a vLLM metric its image\'s version does not export: the KV-cache usage renamed in 0.9.2, hidden in 0.11, removed in 0.12', () => {
    const v = (tag: string, args: string[] = []) => ({ image: `vllm/vllm-openai:${tag}`, args: ['m', ...args] });
    const old = 'avg(vllm:gpu_cache_usage_perc{namespace="inference"})';
    const renamed = 'avg(vllm:kv_cache_usage_perc{namespace="inference"})';
    const [f, ...rest] = gpu324(v('v0.12.0'), old);
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.message).toBe('reads vllm:gpu_cache_usage_perc, but the pods of Deployment inference/model-a run vLLM 0.12.0 no longer exports '
      + 'vllm:gpu_cache_usage_perc (renamed vllm:kv_cache_usage_perc in 0.9.2, removed in 0.12): no series exist, so the trigger gets no data '
      + '(KEDA reads the empty result as 0, or with ignoreNullValues false fails the trigger and falls back) and never scales it on its load');
    expect(gpu324(v('v0.11.2'), old)[0].message).toContain('vLLM 0.11.2 hides vllm:gpu_cache_usage_perc (renamed vllm:kv_cache_usage_perc in 0.9.2; '
      + 'deprecated in 0.10, it is shown only with --show-hidden-metrics-for-version=0.10)');
    expect(gpu324(v('v0.11.2', ['--show-hidden-metrics-for-version=0.10']), old)).toEqual([]);
    expect(gpu324(v('v0.12.0', ['--show-hidden-metrics-for-version', '0.10']), old)).toHaveLength(1);
    expect(gpu324(v('latest'), old)[0].message).toContain('vLLM latest no longer exports');
    expect(gpu324(v('v0.10.1.post1'), old)).toEqual([]);
    expect(gpu324(v('v0.12.0'), renamed)).toEqual([]);
    expect(gpu324(v('v0.9.2'), renamed)).toEqual([]);
    expect(gpu324(v('v0.9.1'), renamed)[0].message).toContain('vLLM 0.9.1 does not export vllm:kv_cache_usage_perc yet (from 0.9.2; before, vllm:gpu_cache_usage_perc)');
    // another tag, a digest or another image: the version is not known
    expect(gpu324(v('nightly'), old)).toEqual([]);
    expect(gpu324({ image: 'example.com/vllm:0.12.0', command: ['vllm', 'serve'], args: ['m'] }, old)).toEqual([]);
  });

  test('a model_name vLLM does not label its series with: its first --served-model-name, else its model as written', () => {
    const served = { image: 'vllm/vllm-openai:v0.12.0', args: ['meta-llama/Llama-3.1-8B-Instruct', '--served-model-name', 'llama3', 'llama'] };
    const [f, ...rest] = gpu324(served, 'sum(vllm:num_requests_waiting{model_name="meta-llama/Llama-3.1-8B-Instruct"})');
    expect(rest).toEqual([]);
    expect(f.message).toBe('selects vllm:num_requests_waiting{model_name="meta-llama/Llama-3.1-8B-Instruct"}, but the vLLM server of Deployment '
      + 'inference/model-a labels its series model_name="llama3" (its first --served-model-name): no series match, so the trigger gets no data '
      + '(KEDA reads the empty result as 0, or with ignoreNullValues false fails the trigger and falls back) and never scales it on its load');
    expect(gpu324(served, 'sum(vllm:num_requests_waiting{model_name="llama3"})')).toEqual([]);
    expect(gpu324(served, 'sum(vllm:num_requests_waiting{model_name=~"llama.*"})')).toEqual([]);
    expect(gpu324(served, 'sum(vllm:num_requests_waiting{model_name=~"qwen.*"})')).toHaveLength(1);
    expect(gpu324(served, 'sum(vllm:num_requests_waiting{model_name!="llama3"})')).toHaveLength(1);
    // without --served-model-name, the model as written
    const plain = { image: 'vllm/vllm-openai:v0.12.0', args: ['Qwen/Qwen2.5-7B-Instruct'] };
    expect(gpu324(plain, 'sum(vllm:num_requests_waiting{model_name="Qwen/Qwen2.5-7B-Instruct"})')).toEqual([]);
    expect(gpu324(plain, 'sum(vllm:num_requests_waiting{model_name="qwen"})')[0].message).toContain('labels its series model_name="Qwen/Qwen2.5-7B-Instruct" (its model, with no --served-model-name)');
    // other labels, other servers' metrics, a model from a variable: not judged
    expect(gpu324(plain, 'sum(vllm:num_requests_waiting{namespace="inference"})')).toEqual([]);
    expect(gpu324({ ...plain, args: ['$(MODEL)'] }, 'sum(vllm:num_requests_waiting{model_name="qwen"})')).toEqual([]);
  });

  test('not judged: a server the rules do not know, metrics of no model server, a target not in the manifests', () => {
    expect(gpu324({ image: 'example.com/my-server:1', args: ['--serve'] }, 'sum(vllm:num_requests_waiting)')).toEqual([]);
    expect(gpu324(sglang, 'avg(DCGM_FI_DEV_GPU_UTIL)')).toEqual([]);
    expect(of(run([scaledObject('sum(vllm:num_requests_waiting)')]), 'GPU324')).toEqual([]);
  });
});

describe('GPU325 a monitor scraping a model server\'s port finds its metrics there', () => {
  const server = (name: string, container: any) => {
    const w = workload({ kind: 'Deployment', name, namespace: 'inference', labels: { app: name }, limits: { 'nvidia.com/gpu': 1 } });
    Object.assign(w.spec.template.spec.containers[0], container);
    return w;
  };
  const podMonitor = (name: string, endpoint: any) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name, namespace: 'inference' },
    spec: { selector: { matchLabels: { app: name } }, podMetricsEndpoints: [endpoint] },
  });
  const gpu325 = (objects: any[]) => of(run(objects), 'GPU325');
  const llama = (args: string[] = []) => ({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', '/models/m.gguf', ...args], ports: [{ name: 'http', containerPort: 8080 }] });

  test('the fixture: SGLang without --enable-metrics behind a ServiceMonitor, Triton\'s HTTP port under a PodMonitor', () => {
    const found = of(lint(loadYaml(path.join(__dirname, '..', 'fixtures', 'rules', 'GPU325', 'fail.yaml')).map((m) => m.object)), 'GPU325');
    expect(found.map((f) => f.message)).toEqual([
      'scrapes /metrics on port 30000 of the pods of Deployment inference/qwen-7b, whose container "sglang" runs SGLang without --enable-metrics: '
        + 'it serves no /metrics (404); every scrape fails, Prometheus marks the target down and keeps none of its series',
      'scrapes /metrics on port 8000 of the pods of Deployment inference/triton, whose container "triton" runs Triton, whose HTTP port serves '
        + 'the KServe v2 protocol only (404 for /metrics): its metrics are on --metrics-port (8002); every scrape fails, Prometheus marks the '
        + 'target down and keeps none of its series',
    ]);
  });

  test('llama.cpp without --metrics (a named port or a number); with it, or LLAMA_ARG_ENDPOINT_METRICS, it passes', () => {
    expect(gpu325([server('gguf', llama()), podMonitor('gguf', { port: 'http' })])[0].message).toContain('runs llama.cpp without --metrics (nor LLAMA_ARG_ENDPOINT_METRICS): its /metrics answers 501');
    expect(gpu325([server('gguf', llama()), podMonitor('gguf', { portNumber: 8080 })])).toHaveLength(1);
    expect(gpu325([server('gguf', llama(['--metrics'])), podMonitor('gguf', { port: 'http' })])).toEqual([]);
    expect(gpu325([server('gguf', { ...llama(), env: [{ name: 'LLAMA_ARG_ENDPOINT_METRICS', value: 'true' }] }), podMonitor('gguf', { port: 'http' })])).toEqual([]);
  });

  test('vLLM serving HTTPS (--ssl-keyfile and --ssl-certfile) scraped over plain HTTP; scheme: https passes', () => {
    const tls = { image: 'vllm/vllm-openai:v0.12.0', args: ['m', '--ssl-keyfile', '/tls/tls.key', '--ssl-certfile', '/tls/tls.crt'], ports: [{ name: 'http', containerPort: 8000 }] };
    const [f, ...rest] = gpu325([server('v', tls), podMonitor('v', { port: 'http' })]);
    expect(rest).toEqual([]);
    expect(f.message).toBe('scrapes /metrics on port 8000 of the pods of Deployment inference/v, whose container "main" runs vLLM serving HTTPS only '
      + 'on that port (--ssl-keyfile and --ssl-certfile), but the endpoint scrapes plain HTTP (no scheme: https): the TLS handshake fails; every '
      + 'scrape fails, Prometheus marks the target down and keeps none of its series');
    expect(gpu325([server('v', tls), podMonitor('v', { port: 'http', scheme: 'https', tlsConfig: { insecureSkipVerify: true } })])).toEqual([]);
    // a key alone is not HTTPS
    expect(gpu325([server('v', { ...tls, args: ['m', '--ssl-keyfile', '/tls/tls.key'] }), podMonitor('v', { port: 'http' })])).toEqual([]);
  });

  test('not judged: another path, another port, vLLM and TGI (their HTTP port serves /metrics), a second container, a PodMonitor elsewhere', () => {
    expect(gpu325([server('gguf', llama()), podMonitor('gguf', { port: 'http', path: '/stats' })])).toEqual([]);
    expect(gpu325([server('gguf', llama()), podMonitor('gguf', { portNumber: 9400 })])).toEqual([]);
    expect(gpu325([server('v', { image: 'vllm/vllm-openai:v0.12.0', args: ['m'], ports: [{ name: 'http', containerPort: 8000 }] }), podMonitor('v', { port: 'http' })])).toEqual([]);
    const two = server('gguf', llama());
    two.spec.template.spec.containers.push({ name: 'exporter', image: 'example.com/llama-exporter:1' });
    expect(gpu325([two, podMonitor('gguf', { port: 'http' })])).toEqual([]);
    const elsewhere = { ...podMonitor('gguf', { port: 'http' }), metadata: { name: 'gguf', namespace: 'monitoring' } };
    expect(gpu325([server('gguf', llama()), elsewhere])).toEqual([]);
    expect(gpu325([server('gguf', llama()), { ...elsewhere, spec: { ...elsewhere.spec, namespaceSelector: { matchNames: ['inference'] } } }])).toHaveLength(1);
  });

  test('ServiceMonitor: the Service port it names, forwarded to a named or numbered targetPort (or the deprecated endpoint targetPort)', () => {
    const service = (ports: any[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'gguf', namespace: 'inference', labels: { app: 'gguf' } }, spec: { selector: { app: 'gguf' }, ports } });
    const monitor = (endpoint: any) => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'gguf', namespace: 'inference' }, spec: { selector: { matchLabels: { app: 'gguf' } }, endpoints: [endpoint] } });
    expect(gpu325([server('gguf', llama()), service([{ name: 'web', port: 80, targetPort: 8080 }]), monitor({ port: 'web' })])[0].fieldPath).toBe('spec.endpoints[0]');
    expect(gpu325([server('gguf', llama()), service([{ name: 'web', port: 8080 }]), monitor({ port: 'web' })])).toHaveLength(1);
    expect(gpu325([server('gguf', llama()), service([{ name: 'web', port: 80, targetPort: 8080 }]), monitor({ targetPort: 'http' })])).toHaveLength(1);
    expect(gpu325([server('gguf', llama()), service([{ name: 'web', port: 80, targetPort: 8080 }]), monitor({ port: 'other' })])).toEqual([]);
  });
});

describe('GPU319 the last-XID gauge (issue 16 case 4)', () => {
  test('DCGM_FI_DEV_XID_ERRORS > 0 in an alert warns, with the windowed-count fix; a recording rule does not', () => {
    const [f] = of(run([promRule([{ alert: 'X', expr: 'DCGM_FI_DEV_XID_ERRORS > 0' }])]), 'GPU319');
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.remediation).toMatch(/DCGM_EXP_XID_ERRORS_COUNT\{err_code=~"48\|63\|64\|74\|79\|92\|94\|95"\} > 0/);
    expect(of(run([promRule([{ record: 'x', expr: 'max(DCGM_FI_DEV_XID_ERRORS)' }])]), 'GPU319')).toEqual([]);
    expect(of(run([promRule([{ alert: 'X', expr: 'DCGM_EXP_XID_ERRORS_COUNT{err_code="79"} > 0' }])]), 'GPU319')).toEqual([]);
  });
});

describe('GPU321 a DCGM exporter DaemonSet tolerates the taints of the GPU NodePools it serves', () => {
  const gpuTaint = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' };
  const spotTaint = { key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' };
  const pool = (name: string, taints: any[], family = 'g6') => ({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name },
    spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' }, requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [family] }], taints } } },
  });
  const exporterDs = (podSpec: any = {}, image = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04') => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'dcgm-exporter', namespace: 'gpu-monitoring' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'e', image }], ...podSpec } } },
  });
  const gpu321 = (objects: any[]) => of(run(objects), 'GPU321');
  const pools = [pool('g6', [gpuTaint]), pool('g6-spot', [gpuTaint, spotTaint])];

  test('the chart\'s default (no tolerations) misses every tainted GPU pool; the message names each pool and taint', () => {
    const [f] = gpu321([exporterDs(), ...pools]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.spec.tolerations');
    expect(f.message).toBe('does not tolerate NodePool g6\'s nvidia.com/gpu=true:NoSchedule; NodePool g6-spot\'s nvidia.com/gpu=true:NoSchedule, '
      + 'karpenter.sh/capacity-type=spot:NoSchedule: the exporter never runs on those nodes, so their GPUs have no metrics (dashboards, alerts and DCGM-driven scalers see nothing of them)');
  });

  test('tolerating every taint passes; a pin by karpenter.sh/nodepool limits the pools judged', () => {
    expect(gpu321([exporterDs({ tolerations: [{ operator: 'Exists' }] }), ...pools])).toEqual([]);
    const gpuOnly = { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] };
    expect(gpu321([exporterDs(gpuOnly), ...pools]).map((f) => f.message)).toEqual([expect.stringMatching(/^does not tolerate NodePool g6-spot's karpenter\.sh\/capacity-type=spot:NoSchedule:/)]);
    expect(gpu321([exporterDs({ ...gpuOnly, nodeSelector: { 'karpenter.sh/nodepool': 'g6' } }), ...pools])).toEqual([]);
    expect(gpu321([exporterDs({ nodeSelector: { 'karpenter.sh/nodepool': 'g6-spot' } }), ...pools])[0].message).not.toMatch(/NodePool g6's/);
  });

  test('not judged: no GPU pool, another image, a CPU pool', () => {
    expect(gpu321([exporterDs()])).toEqual([]);
    expect(gpu321([exporterDs({}, 'prom/node-exporter:v1.8.2'), ...pools])).toEqual([]);
    expect(gpu321([exporterDs(), pool('cpu', [{ key: 'dedicated', effect: 'NoSchedule' }], 'm7i')])).toEqual([]);
  });
});

describe('GPU323 DCGM queries by pod need an exporter that maps GPUs to pods', () => {
  const mapped = (container: any = {}, podSpec: any = {}) => {
    const ds = exporter();
    Object.assign(ds.spec.template.spec.containers[0], {
      env: [{ name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' }],
      volumeMounts: [{ name: 'pod-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true }],
      ...container,
    });
    Object.assign(ds.spec.template.spec, { volumes: [{ name: 'pod-resources', hostPath: { path: '/var/lib/kubelet/pod-resources' } }], ...podSpec });
    return ds;
  };
  const rule = (expr: string) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'r', namespace: 'gpu-monitoring' },
    spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr }] }] },
  });
  const trigger = (query: string) => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 's', namespace: 'inference' },
    spec: { scaleTargetRef: { name: 'llm' }, triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://p:9090', query, threshold: '70' } }] },
  });
  const byPod = 'avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL) < 5';
  const gpu323 = (objects: any[]) => of(run(objects), 'GPU323');

  test('the mapping off (unset, "false") or the socket not mounted: queries by pod labels are reported, with the reason', () => {
    expect(gpu323([mapped(), rule(byPod)])).toEqual([]);
    const [unset] = gpu323([mapped({ env: [] }), rule(byPod)]);
    expect(unset.fieldPath).toBe('spec.groups[0].rules[0].expr');
    expect(unset.message).toBe('reads DCGM_FI_DEV_GPU_UTIL by namespace, pod, but DaemonSet gpu-monitoring/dcgm-exporter (DCGM_EXPORTER_KUBERNETES '
      + 'is not set (default false)) does not map GPUs to pods: its series carry only the exporter\'s own pod and namespace, so the alert '
      + 'never fires for a workload');
    expect(gpu323([mapped({ env: [{ name: 'DCGM_EXPORTER_KUBERNETES', value: 'false' }] }), rule(byPod)])[0].message)
      .toContain('(DCGM_EXPORTER_KUBERNETES is "false")');
    expect(gpu323([mapped({ volumeMounts: [] }), rule(byPod)])[0].message).toContain('(/var/lib/kubelet/pod-resources (the kubelet\'s socket) is not mounted)');
    const [t] = gpu323([mapped({ volumeMounts: [] }), trigger('sum(DCGM_FI_DEV_GPU_UTIL{namespace="inference", pod=~"llm-.*"})')]);
    expect(t.fieldPath).toBe('spec.triggers[0].metadata.query');
    expect(t.message).toMatch(/by namespace, pod, .*so the trigger gets no data$/);
  });

  test('the -k flag, a parent directory mounted, a socket elsewhere; queries without pod labels or DCGM fields are not judged', () => {
    expect(gpu323([mapped({ env: [], args: ['-k'] }), rule(byPod)])).toEqual([]);
    expect(gpu323([mapped({ env: [], args: ['--kubernetes=false'] }), rule(byPod)])).toHaveLength(1);
    expect(gpu323([mapped({ volumeMounts: [{ name: 'pod-resources', mountPath: '/var/lib/kubelet' }] }), rule(byPod)])).toEqual([]);
    expect(gpu323([mapped({ volumeMounts: [{ name: 'pod-resources', mountPath: '/var/lib/kubelet/pods' }] }), rule(byPod)])).toHaveLength(1);
    expect(gpu323([mapped({ volumeMounts: [], args: ['--pod-resources-kubelet-socket', '/run/kubelet.sock'] }), rule(byPod)])).toEqual([]);
    expect(gpu323([mapped({ env: [{ name: 'DCGM_EXPORTER_KUBERNETES', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }), rule(byPod)])).toEqual([]);
    expect(gpu323([mapped({ env: [] }), rule('max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP) > 85')])).toEqual([]);
    expect(gpu323([mapped({ env: [] }), rule('sum by (pod) (rate(container_cpu_usage_seconds_total[5m]))')])).toEqual([]);
  });
});
