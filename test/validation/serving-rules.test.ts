import * as path from 'path';
import { DEFAULT_NODE_CLASS, GPU_TOLERATION, lint, loadYaml, nodePool, of, poolOfTypes, workload } from './helpers';
import { Severity, validateManifests } from '../../src/validation';
import { flagText, modelArchitectureOf, modelPositionsOf, modelServerOf, modelWeightsFloor, probeWindow, SERVING_RULES, vllmArgv, vllmMaxModelLen, vllmModel, vllmParallelism } from '../../src/validation/rules/serving';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

/** The findings of rule `id` on its fail fixture. */
const failFixture = (id: string) => of(lint(loadYaml(path.join(FIXTURES, id, 'fail.yaml')).map((m) => m.object)), id);

/** A Deployment whose one container runs `container` fields, given `gpus` GPUs. */
function server(gpus: number, container: any): any {
  const w = workload({ name: 'llm', namespace: 'inference', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': gpus } });
  Object.assign(w.spec.template.spec.containers[0], { image: 'vllm/vllm-openai:v0.12.0', ...container });
  return w;
}

/** Puts a server's Hugging Face cache (HF_HOME) at /cache on the volume `volume`, mounted with `mount`'s fields (GPU246, GPU251). */
const cache = (volume: any, mount: any = {}) => (w: any) => {
  const c = w.spec.template.spec.containers[0];
  c.env = [{ name: 'HF_HOME', value: '/cache' }];
  c.volumeMounts = [{ name: 'cache', mountPath: '/cache', ...mount }];
  w.spec.template.spec.volumes = [{ name: 'cache', ...volume }];
};

describe('SERVING_RULES (GPU221, GPU222, GPU232-GPU247, GPU251-GPU259)', () => {
  test('ids, severities and documentation', () => {
    expect(SERVING_RULES.map((r) => r.id)).toEqual(['GPU221', 'GPU222', 'GPU232', 'GPU233', 'GPU234', 'GPU235', 'GPU236', 'GPU237', 'GPU238', 'GPU239', 'GPU240', 'GPU241', 'GPU242', 'GPU243', 'GPU244', 'GPU245', 'GPU246', 'GPU247', 'GPU251', 'GPU252', 'GPU253', 'GPU254', 'GPU255', 'GPU256', 'GPU257', 'GPU258', 'GPU259']);
    const W = Severity.WARNING;
    const E = Severity.ERROR;
    expect(SERVING_RULES.map((r) => r.severity)).toEqual([E, W, W, W, W, W, E, E, E, E, E, E, E, E, E, E, W, W, W, W, E, W, E, E, E, W, E]);
    for (const r of SERVING_RULES) expect(r.description!.length).toBeGreaterThan(50);
  });
});

describe('vllmParallelism reads vLLM command lines', () => {
  test('vllm serve, the api_server module and a vLLM image\'s entrypoint with args; flags with = or a space, short forms', () => {
    expect(vllmParallelism({ command: ['vllm', 'serve'], args: ['m', '--tensor-parallel-size', '4'] })).toMatchObject({ tensor: 4, gpus: 4 });
    expect(vllmParallelism({ command: ['python3', '-m', 'vllm.entrypoints.openai.api_server'], args: ['--model', 'm', '-tp=2', '-pp', '2'] }))
      .toMatchObject({ tensor: 2, pipeline: 2, gpus: 4 });
    expect(vllmParallelism({ image: 'vllm/vllm-openai:v0.12.0', args: ['m', '--data-parallel-size', '2', '--tensor_parallel_size=2'] }))
      .toMatchObject({ data: 2, tensor: 2, gpus: 4 });
    expect(vllmParallelism({ command: ['/bin/sh', '-c'], args: ['vllm serve m \\\n  --tensor-parallel-size 8'] })).toMatchObject({ gpus: 8 });
    expect(vllmParallelism({ image: 'vllm/vllm-openai:v0.12.0', args: ['m'] })).toMatchObject({ gpus: 1, shown: 'no parallelism flags (1 GPU)' });
  });

  test('not vLLM, or not judged: no args on a bare image, Ray or multi-node, a config file, CUDA_VISIBLE_DEVICES, a variable', () => {
    expect(vllmParallelism({ image: 'nvcr.io/nvidia/tritonserver:24.08-py3', args: ['--tensor-parallel-size', '4'] })).toBeUndefined();
    expect(vllmParallelism({ image: 'vllm/vllm-openai:v0.12.0' })).toBeUndefined();
    const base = { command: ['vllm', 'serve'] };
    expect(vllmParallelism({ ...base, args: ['m', '-tp', '8', '--distributed-executor-backend', 'ray'] })).toBeUndefined();
    expect(vllmParallelism({ ...base, args: ['m', '-tp', '8', '--distributed-executor-backend=mp'] })).toMatchObject({ gpus: 8 });
    for (const extra of [['--nnodes', '2'], ['--headless'], ['--data-parallel-address', '10.0.0.1'], ['--config', 'c.yaml']]) {
      expect(vllmParallelism({ ...base, args: ['m', '-tp', '8', ...extra] })).toBeUndefined();
    }
    expect(vllmParallelism({ ...base, args: ['m', '-tp', '8'], env: [{ name: 'CUDA_VISIBLE_DEVICES', value: '0,1' }] })).toBeUndefined();
    expect(vllmParallelism({ command: ['/bin/sh', '-c'], args: ['vllm serve m --tensor-parallel-size $TP'] })).toBeUndefined();
  });
});

describe('GPU221 vLLM must not ask for more GPUs than its container has', () => {
  test('the fixture: tensor 4 on 2 GPUs, and tensor 2 × pipeline 2 on 2, each quoting vLLM\'s own start-up error', () => {
    const [a, b, ...rest] = failFixture('GPU221');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.ERROR);
    expect(a.fieldPath).toBe('spec.template.spec.containers[0].args');
    expect(a.message).toContain('"please set tensor_parallel_size (4) to less than max local gpu count (2)"');
    expect(b.message).toContain('"please ensure that world_size (4) is less than than max local gpu count (2)"');
  });

  test('data parallelism counts its engines\' GPUs; equal counts and GPU-less containers are silent', () => {
    expect(of(lint([server(2, { args: ['m', '-dp', '2', '-tp', '2'] })]), 'GPU221')[0].message).toContain('its 2 data-parallel engines need 4 devices');
    expect(of(lint([server(4, { args: ['m', '-dp', '2', '-tp', '2'] })]), 'GPU221')).toEqual([]);
    const cpu = workload({ name: 'cpu', limits: { cpu: '2' } });
    Object.assign(cpu.spec.template.spec.containers[0], { image: 'vllm/vllm-openai:v0.12.0', args: ['m', '-tp', '4'] });
    expect(of(lint([cpu]), 'GPU221')).toEqual([]);
  });
});

describe('GPU222 vLLM should use every GPU of its container', () => {
  test('four GPUs and no tensor parallelism: a warning at the resources naming the three idle GPUs', () => {
    const [f, ...rest] = failFixture('GPU222');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].resources');
    expect(f.message).toContain('is given 4 nvidia.com/gpu but runs vLLM with no parallelism flags (1 GPU), using 1: 3 GPU(s) stay allocated and idle');
  });

  test('tensor 2 on 4 GPUs warns; tensor 4 on 4 does not', () => {
    expect(of(lint([server(4, { args: ['m', '-tp', '2'] })]), 'GPU222')).toHaveLength(1);
    expect(of(lint([server(4, { args: ['m', '-tp', '4'] })]), 'GPU222')).toEqual([]);
  });
});

describe('GPU232 a model server\'s probes must let it load its model', () => {
  const probe = (o: any = {}) => ({ httpGet: { path: '/health', port: 8000 }, ...o });
  const gpu232 = (container: any, gpus = 1) => of(lint([server(gpus, { args: ['m'], ...container })]), 'GPU232');

  test('the fixture: a liveness probe without a startup probe (270 s), and a startup probe on a named port (300 s)', () => {
    const [a, b, ...rest] = failFixture('GPU232');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.WARNING);
    expect(a.fieldPath).toBe('spec.template.spec.containers[0].livenessProbe');
    expect(a.message).toContain('its livenessProbe (there is no startupProbe) kills it 270 s after it starts at the latest '
      + '(initialDelaySeconds 180 + failureThreshold 3 × periodSeconds 30), under the 600 s');
    expect(a.message).toContain('the manifests cannot tell how long this model loads');
    expect(b.fieldPath).toBe('spec.template.spec.containers[0].startupProbe');
    expect(b.message).toContain('its startupProbe kills it 300 s');
  });

  test('the kubelet\'s defaults (30 s), and the boundary: a window of 600 s passes, 599 s does not', () => {
    expect(gpu232({ livenessProbe: probe() })[0].message).toContain('kills it 30 s after it starts');
    expect(gpu232({ livenessProbe: probe({ initialDelaySeconds: 570 }) })).toEqual([]);
    expect(gpu232({ livenessProbe: probe({ initialDelaySeconds: 569 }) })).toHaveLength(1);
    // A startup probe decides: the liveness probe starts only after it has passed.
    expect(gpu232({ startupProbe: probe({ failureThreshold: 60 }), livenessProbe: probe() })).toEqual([]);
    expect(gpu232({ startupProbe: probe({ failureThreshold: 59 }), livenessProbe: probe({ initialDelaySeconds: 3600 }) })).toHaveLength(1);
  });

  test('the container\'s own VLLM_ENGINE_READY_TIMEOUT_S replaces 600 s; from a variable it is not judged', () => {
    const env = (value: any) => [{ name: 'VLLM_ENGINE_READY_TIMEOUT_S', ...value }];
    const [f] = gpu232({ env: env({ value: '1800' }), livenessProbe: probe({ initialDelaySeconds: 900 }) });
    expect(f.message).toContain('under the 1800 s its VLLM_ENGINE_READY_TIMEOUT_S allows the engine to start');
    expect(gpu232({ env: env({ value: '60' }), livenessProbe: probe({ initialDelaySeconds: 30 }) })).toEqual([]);
    expect(gpu232({ env: env({ valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }), livenessProbe: probe() })).toEqual([]);
  });

  test('only probes of the server\'s own port: --port, named ports, TCP; not exec probes, another host or port', () => {
    expect(gpu232({ args: ['m', '--port=9000'], livenessProbe: probe({ httpGet: { path: '/health', port: 9000 } }) })).toHaveLength(1);
    expect(gpu232({ args: ['m', '--port=9000'], livenessProbe: probe() })).toEqual([]);
    expect(gpu232({ ports: [{ name: 'api', containerPort: 8000 }], livenessProbe: probe({ httpGet: { port: 'api' } }) })).toHaveLength(1);
    expect(gpu232({ livenessProbe: { tcpSocket: { port: 8000 } } })).toHaveLength(1);
    expect(gpu232({ livenessProbe: { exec: { command: ['pgrep', 'vllm'] } } })).toEqual([]);
    expect(gpu232({ livenessProbe: probe({ httpGet: { host: 'gateway', port: 8000 } }) })).toEqual([]);
    expect(gpu232({ args: ['m', '--port', '$(PORT)'], livenessProbe: probe() })).toEqual([]);
  });

  test('TGI and SGLang too, on their own ports (TGI\'s image: PORT=80; SGLang: 30000)', () => {
    const tgi = gpu232({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm'], livenessProbe: probe({ httpGet: { path: '/health', port: 80 } }) });
    expect(tgi).toHaveLength(1);
    expect(tgi[0].message).toMatch(/^container "main" runs TGI, whose server answers only once the model is loaded, but its livenessProbe .* under the 600 s this rule allows a model load:/);
    const sglang = { command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', 'm', '--host', '0.0.0.0'] };
    expect(gpu232({ ...sglang, startupProbe: probe({ httpGet: { path: '/health', port: 30000 }, failureThreshold: 20 }) })[0].message).toContain('runs SGLang');
    expect(gpu232({ ...sglang, startupProbe: probe({ httpGet: { path: '/health', port: 30000 }, failureThreshold: 60 }) })).toEqual([]);
    // (a TGI container does not get vLLM's VLLM_ENGINE_READY_TIMEOUT_S)
    const timeout = [{ name: 'VLLM_ENGINE_READY_TIMEOUT_S', value: '60' }];
    const tgiProbe = probe({ httpGet: { path: '/health', port: 80 } });
    expect(gpu232({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm'], env: timeout, livenessProbe: tgiProbe })).toHaveLength(1);
  });

  test('not judged: no probe, a server the rules do not know, a container without GPUs', () => {
    expect(gpu232({})).toEqual([]);
    expect(of(lint([server(1, { image: 'ollama/ollama:0.5.7', args: ['serve'], livenessProbe: probe() })]), 'GPU232')).toEqual([]);
    const cpu = workload({ name: 'cpu', limits: { cpu: '2' } });
    Object.assign(cpu.spec.template.spec.containers[0], { image: 'vllm/vllm-openai:v0.12.0', args: ['m'], livenessProbe: probe() });
    expect(of(lint([cpu]), 'GPU232')).toEqual([]);
  });

  test('probeWindow: initialDelaySeconds + failureThreshold × periodSeconds, a 0 period or threshold defaulted', () => {
    expect(probeWindow({})?.seconds).toBe(30);
    expect(probeWindow({ initialDelaySeconds: 5, periodSeconds: 0, failureThreshold: 0 })?.seconds).toBe(35);
    expect(probeWindow({ periodSeconds: 20, failureThreshold: 6 })).toEqual({ seconds: 120, shown: 'initialDelaySeconds 0 + failureThreshold 6 × periodSeconds 20' });
    expect(probeWindow({ periodSeconds: 2.5 })).toBeUndefined();
    expect(probeWindow({ initialDelaySeconds: '60' })).toBeUndefined();
  });
});

describe('GPU233 a model server\'s pod must not be Ready before its model has loaded', () => {
  const gpu233 = (objects: any[]) => of(lint(objects), 'GPU233');

  test('the fixture: a Deployment behind a Service with no readiness or startup probe', () => {
    const [f, ...rest] = failFixture('GPU233');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0]');
    expect(f.message).toBe('container "vllm" runs vLLM with neither a readinessProbe nor a startupProbe: its pod is Ready as soon as '
      + 'it starts, minutes before vLLM answers (its model is still loading), so Services send it requests it refuses and a '
      + 'rollout of the Deployment removes an old replica meanwhile');
  });

  test('a readiness or a startup probe is enough; a liveness probe is not', () => {
    expect(gpu233([server(1, { args: ['m'], readinessProbe: { httpGet: { path: '/health', port: 8000 } } })])).toEqual([]);
    expect(gpu233([server(1, { args: ['m'], startupProbe: { httpGet: { path: '/health', port: 8000 }, failureThreshold: 60 } })])).toEqual([]);
    expect(gpu233([server(1, { args: ['m'], livenessProbe: { httpGet: { path: '/health', port: 8000 }, initialDelaySeconds: 900 } })])).toHaveLength(1);
  });

  test('StatefulSets and DaemonSets are judged; Jobs, bare Pods and a Deployment\'s ReplicaSets are not; nor non-vLLM or GPU-less servers', () => {
    const as = (kind: string, extra: any = {}) => {
      const w = server(1, { args: ['m'] });
      return { ...w, kind, apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', metadata: { ...w.metadata, ...extra } };
    };
    expect(gpu233([as('StatefulSet')])).toHaveLength(1);
    expect(gpu233([as('DaemonSet')])).toHaveLength(1);
    expect(gpu233([as('ReplicaSet')])).toHaveLength(1);
    expect(gpu233([as('ReplicaSet', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm', uid: 'u', controller: true }] })])).toEqual([]);
    const job = as('Job');
    job.spec = { template: { ...job.spec.template, spec: { ...job.spec.template.spec, restartPolicy: 'Never' } } };
    expect(gpu233([job])).toEqual([]);
    expect(gpu233([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'inference' }, spec: server(1, { args: ['m'] }).spec.template.spec }])).toEqual([]);
    expect(gpu233([server(1, { image: 'ollama/ollama:0.5.7', args: ['serve'] })])).toEqual([]);
    expect(gpu233([server(1, { image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm'] })])[0].message)
      .toMatch(/^container "main" runs TGI with neither a readinessProbe nor a startupProbe: .* minutes before TGI answers/);
    const cpu = workload({ name: 'cpu', limits: { cpu: '2' } });
    Object.assign(cpu.spec.template.spec.containers[0], { image: 'vllm/vllm-openai:v0.12.0', args: ['m'] });
    expect(gpu233([cpu])).toEqual([]);
  });
});

describe('GPU234 a GPU Deployment\'s progress deadline must outlast its startup probe', () => {
  const startup = (failureThreshold: number, o: any = {}) => ({ httpGet: { path: '/health', port: 8000 }, periodSeconds: 10, failureThreshold, ...o });
  const deploy = (container: any, spec: any = {}) => {
    const w = server(1, { args: ['m'], readinessProbe: { httpGet: { path: '/health', port: 8000 } }, ...container });
    Object.assign(w.spec, spec);
    return w;
  };
  const gpu234 = (objects: any[]) => of(lint(objects), 'GPU234');

  test('the fixture: a 30-minute startup probe under the default deadline', () => {
    const [f, ...rest] = failFixture('GPU234');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.progressDeadlineSeconds');
    expect(f.message).toBe('progressDeadlineSeconds is unset (600 s), but the startupProbe of container "vllm" allows 1800 s for the start '
      + '(initialDelaySeconds 0 + failureThreshold 180 × periodSeconds 10), before the node launch and the image pull: a rollout whose '
      + 'new pod takes longer than 600 s to become available is reported failed (ProgressDeadlineExceeded) while it is only loading');
  });

  test('the deadline set, the boundary (a window equal to the deadline passes), the longest probe of the pod', () => {
    expect(gpu234([deploy({ startupProbe: startup(60) })])).toEqual([]);
    expect(gpu234([deploy({ startupProbe: startup(61) })])).toHaveLength(1);
    expect(gpu234([deploy({ startupProbe: startup(180) }, { progressDeadlineSeconds: 1800 })])).toEqual([]);
    const [f] = gpu234([deploy({ startupProbe: startup(180) }, { progressDeadlineSeconds: 1200 })]);
    expect(f.message).toMatch(/^progressDeadlineSeconds is 1200, but the startupProbe of container "main" allows 1800 s/);
    const two = deploy({ startupProbe: startup(30) });
    two.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox', startupProbe: startup(100) });
    expect(gpu234([two])[0].message).toContain('the startupProbe of container "sidecar" allows 1000 s');
  });

  test('not judged: no startup probe, a StatefulSet (no progress deadline), a Deployment without GPUs', () => {
    expect(gpu234([deploy({ livenessProbe: { httpGet: { path: '/health', port: 8000 }, initialDelaySeconds: 1200 } })])).toEqual([]);
    const sts = { ...deploy({ startupProbe: startup(180) }), kind: 'StatefulSet' };
    expect(gpu234([sts])).toEqual([]);
    const cpu = workload({ name: 'cpu', limits: { cpu: '2' } });
    cpu.spec.template.spec.containers[0].startupProbe = startup(180);
    expect(gpu234([cpu])).toEqual([]);
  });
});

describe('GPU235 a model server of a gated model needs a Hugging Face token', () => {
  const gpu235 = (container: any, pod: any = {}) => {
    const w = server(1, { command: ['vllm', 'serve'], args: ['meta-llama/Llama-3.1-8B-Instruct'], ...container });
    Object.assign(w.spec.template.spec, pod);
    return of(lint([w]), 'GPU235');
  };

  test('the fixture: Llama without HF_TOKEN', () => {
    const [f, ...rest] = failFixture('GPU235');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0]');
    expect(f.message).toBe('container "vllm" serves "meta-llama/Llama-3.1-8B-Instruct", a gated Hugging Face model, without a Hugging '
      + 'Face token (no HF_TOKEN): vLLM\'s download at start fails with 401 "Access to model … is restricted" and the pod crash-loops '
      + 'holding its GPUs');
  });

  test('Llama and the Gemma family, however the model is named on the command line', () => {
    expect(gpu235({})).toHaveLength(1);
    expect(gpu235({ command: undefined, args: ['google/gemma-2-2b-it'] })).toHaveLength(1);
    expect(gpu235({ command: ['python3', '-m', 'vllm.entrypoints.openai.api_server'], args: ['--model=google/paligemma2-3b-pt-224'] })).toHaveLength(1);
    expect(gpu235({ command: ['/bin/sh', '-c'], args: ['vllm serve meta-llama/Llama-3.3-70B-Instruct --tensor-parallel-size 1'] })).toHaveLength(1);
  });

  test('Mistral AI\'s gated Mistral 7B, Mixtral and Mistral NeMo; not its later, open models', () => {
    for (const model of ['mistralai/Mistral-7B-Instruct-v0.3', 'mistralai/Mistral-7B-v0.1', 'mistralai/Mixtral-8x7B-Instruct-v0.1', 'mistralai/Mistral-Nemo-Instruct-2407',
      'mistralai/Ministral-8B-Instruct-2410']) {
      expect([model, gpu235({ command: undefined, args: [model] })]).toEqual([model, [expect.objectContaining({ ruleId: 'GPU235' })]]);
    }
    expect(gpu235({ command: undefined, args: ['mistralai/Mistral-Small-3.1-24B-Instruct-2503'] })).toEqual([]);
    expect(gpu235({ command: undefined, args: ['TheBloke/Mistral-7B-Instruct-v0.2-AWQ'] })).toEqual([]);
  });

  test('not judged: a token, envFrom, a mounted Secret, a mirror or offline mode; a variable, a path, a model that is not gated', () => {
    const secret = { valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } };
    for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH']) expect(gpu235({ env: [{ name, ...secret }] })).toEqual([]);
    for (const [name, value] of [['HF_ENDPOINT', 'https://hf-mirror.internal'], ['HF_HUB_OFFLINE', '1'], ['VLLM_USE_MODELSCOPE', 'True']]) {
      expect(gpu235({ env: [{ name, value }] })).toEqual([]);
    }
    expect(gpu235({ envFrom: [{ secretRef: { name: 'hf' } }] })).toEqual([]);
    expect(gpu235({ volumeMounts: [{ name: 't', mountPath: '/root/.cache/huggingface/token', subPath: 'token' }] },
      { volumes: [{ name: 't', secret: { secretName: 'hf' } }] })).toEqual([]);
    expect(gpu235({ volumeMounts: [{ name: 'c', mountPath: '/cache' }] }, { volumes: [{ name: 'c', emptyDir: {} }] })).toHaveLength(1);
    expect(gpu235({ command: ['/bin/sh', '-c'], args: ['vllm serve $MODEL_ID'] })).toEqual([]);
    expect(gpu235({ args: ['/models/meta-llama/Llama-3.1-8B-Instruct'] })).toEqual([]);
    expect(gpu235({ args: ['Qwen/Qwen2.5-7B-Instruct'] })).toEqual([]);
    expect(gpu235({ args: ['google/flan-t5-xl'] })).toEqual([]);
  });

  test('TGI (--model-id, MODEL_ID, HF_API_TOKEN) and SGLang (--model-path, --model)', () => {
    const tgi = { command: undefined, image: 'ghcr.io/huggingface/text-generation-inference:3.3.4' };
    const [f] = gpu235({ ...tgi, args: ['--model-id', 'meta-llama/Llama-3.1-8B-Instruct'] });
    expect(f.message).toContain('TGI\'s download at start fails with 401');
    expect(gpu235({ ...tgi, args: undefined, env: [{ name: 'MODEL_ID', value: 'google/gemma-2-9b-it' }] })).toHaveLength(1);
    expect(gpu235({ ...tgi, args: undefined, env: [{ name: 'MODEL_ID', value: 'google/gemma-2-9b-it' }, { name: 'HF_API_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 't' } } }] })).toEqual([]);
    const sglang = { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'] };
    expect(gpu235({ ...sglang, args: ['--model-path', 'meta-llama/Llama-3.1-8B-Instruct', '--host', '0.0.0.0'] })[0].message).toContain('SGLang\'s download');
    expect(gpu235({ ...sglang, args: ['--model', 'google/gemma-3-4b-it', '--host', '0.0.0.0'] })).toHaveLength(1);
    expect(gpu235({ ...sglang, args: ['--model-path', 'google/gemma-3-4b-it'], env: [{ name: 'SGLANG_USE_MODELSCOPE', value: 'true' }] })).toEqual([]);
  });

  test('vllmModel reads the served model from each command-line form', () => {
    const model = (container: any) => vllmModel(vllmArgv(container)!);
    expect(model({ command: ['vllm', 'serve'], args: ['m/a', '--port', '8000'] })).toBe('m/a');
    expect(model({ image: 'vllm/vllm-openai:v0.12.0', args: ['m/b', '-tp', '2'] })).toBe('m/b');
    expect(model({ image: 'vllm/vllm-openai:v0.12.0', args: ['--model', 'm/c'] })).toBe('m/c');
    expect(model({ command: ['python3', '-m', 'vllm.entrypoints.openai.api_server'], args: ['--port', '8000', '--model', 'm/d'] })).toBe('m/d');
    expect(model({ command: ['vllm', 'serve'], args: ['--model', '${M}'] })).toBeUndefined();
  });
});

describe('modelServerOf reads the server, its port, address and model', () => {
  test('vLLM: --port (8000 by default), every address unless --host; a flag given twice is read at its last occurrence', () => {
    expect(modelServerOf({ command: ['vllm', 'serve'], args: ['m/a'] })).toEqual({
      name: 'vLLM',
      argv: ['vllm', 'serve', 'm/a'],
      shell: false,
      otherPorts: [],
      port: 8000,
      portShown: 'vLLM\'s default port 8000',
      model: 'm/a',
      ipv4Only: 'no --host: vLLM opens an IPv4 socket on every address',
    });
    expect(modelServerOf({ command: ['vllm', 'serve'], args: ['m/a', '--port', '8000', '--host', '::', '--port=9000'] }))
      .toMatchObject({ port: 9000, portShown: '--port 9000', host: '::' });
    expect(modelServerOf({ command: ['vllm', 'serve'], args: ['m/a', '--port', '$(PORT)'] })?.port).toBeUndefined();
    expect(flagText(['-tp', '2', '--tensor-parallel-size=4'], ['-tp', '--tensor-parallel-size'])).toBe('4');
  });

  test('TGI: the launcher or its image; --port, PORT, the image\'s 80; the Prometheus port; MODEL_ID', () => {
    const image = 'ghcr.io/huggingface/text-generation-inference:3.3.4';
    expect(modelServerOf({ image })).toMatchObject({ name: 'TGI', port: 80, portShown: 'TGI\'s image default, PORT=80', otherPorts: [9000] });
    expect(modelServerOf({ image, args: ['--port', '8080', '--prometheus-port', '9400'] })).toMatchObject({ port: 8080, otherPorts: [9400] });
    expect(modelServerOf({ image, env: [{ name: 'PORT', value: '3000' }, { name: 'MODEL_ID', value: 'm/t' }] })).toMatchObject({ port: 3000, portShown: 'PORT=3000', model: 'm/t' });
    expect(modelServerOf({ image, env: [{ name: 'PORT', valueFrom: { configMapKeyRef: { name: 'c', key: 'p' } } }] })?.port).toBeUndefined();
    expect(modelServerOf({ image, env: [{ name: 'PROMETHEUS_PORT', valueFrom: { configMapKeyRef: { name: 'c', key: 'p' } } }] })?.otherPorts).toBeUndefined();
    // the short -p is ambiguous in the launcher: the port is left unknown
    expect(modelServerOf({ image, args: ['-p', '8080'] })?.port).toBeUndefined();
    // the launcher in another image: its port (3000, unless the image sets PORT) is not known
    expect(modelServerOf({ image: 'example.com/my-tgi:1', command: ['text-generation-launcher'], args: ['--model-id', 'm'] })).toMatchObject({ name: 'TGI', model: 'm' });
    expect(modelServerOf({ image: 'example.com/my-tgi:1', command: ['text-generation-launcher'] })?.port).toBeUndefined();
    // a TGI image with a command of its own runs something else
    expect(modelServerOf({ image, command: ['python3', 'app.py'] })).toBeUndefined();
  });

  test('SGLang: --port (30000 by default), --host (127.0.0.1 by default), --model-path or --model; shell scripts are marked', () => {
    const command = ['python3', '-m', 'sglang.launch_server'];
    expect(modelServerOf({ command, args: ['--model-path', 'm/s'] })).toMatchObject({
      name: 'SGLang', port: 30000, host: '127.0.0.1', hostShown: 'SGLang\'s default --host 127.0.0.1', model: 'm/s', shell: false,
    });
    expect(modelServerOf({ command, args: ['--model', 'm/s', '--host', '0.0.0.0', '--port', '8000'] })).toMatchObject({ port: 8000, host: '0.0.0.0', hostShown: '--host 0.0.0.0' });
    expect(modelServerOf({ command: ['/bin/sh', '-c'], args: ['python3 -m sglang.launch_server --model-path m'] })).toMatchObject({ name: 'SGLang', shell: true });
    expect(modelServerOf({ image: 'ollama/ollama:0.5.7', args: ['serve'] })).toBeUndefined();
  });

  test('llama.cpp: --port, else LLAMA_ARG_PORT, else 8080 in its images; --host, else LLAMA_ARG_HOST, else 127.0.0.1 (0.0.0.0 in its server images)', () => {
    // the server image's entrypoint: every address (the image sets LLAMA_ARG_HOST=0.0.0.0), port 8080, the -hf repo without its tag
    const image = 'ghcr.io/ggml-org/llama.cpp:server-cuda';
    expect(modelServerOf({ image, args: ['-hf', 'google/gemma-3-4b-it-qat-q4_0-gguf:Q4_0', '-ngl', '99'] })).toEqual({
      name: 'llama.cpp',
      argv: ['-hf', 'google/gemma-3-4b-it-qat-q4_0-gguf:Q4_0', '-ngl', '99'],
      shell: false,
      otherPorts: [],
      port: 8080,
      portShown: 'llama.cpp\'s default --port 8080',
      model: 'google/gemma-3-4b-it-qat-q4_0-gguf',
      quantisationTag: 'Q4_0',
      answersWhileLoading: true,
      metricsEnabled: false,
      ipv4Only: 'its server image\'s LLAMA_ARG_HOST=0.0.0.0: an IPv4 address',
    });
    expect(modelServerOf({ image: 'ghcr.io/ggerganov/llama.cpp:server-cuda-b4719', args: ['-m', 'm.gguf'] })?.host).toBeUndefined();
    // the quantisation downloaded: --hf-file's name (LLAMA_ARG_HF_FILE) wins over the -hf tag (LLAMA_ARG_HF_REPO); none without either
    const hf = 'unsloth/Qwen3-8B-GGUF';
    expect(modelServerOf({ image, args: ['-hf', hf, '--hf-file', 'Qwen3-8B-Q8_0.gguf'] })).toMatchObject({ model: hf, quantisationTag: 'Qwen3-8B-Q8_0' });
    expect(modelServerOf({ image, env: [{ name: 'LLAMA_ARG_HF_REPO', value: `${hf}:IQ2_XXS` }] })).toMatchObject({ model: hf, quantisationTag: 'IQ2_XXS' });
    expect(modelServerOf({ image, args: ['-hf', `${hf}:Q4_K_M`], env: [{ name: 'LLAMA_ARG_HF_FILE', value: 'Qwen3-8B-BF16.gguf' }] })?.quantisationTag).toBe('Qwen3-8B-BF16');
    expect(modelServerOf({ image, args: ['-hf', hf] })?.quantisationTag).toBeUndefined();
    // the full image has no LLAMA_ARG_HOST: 127.0.0.1
    expect(modelServerOf({ image: 'ghcr.io/ggml-org/llama.cpp:full-cuda', command: ['/app/llama-server'], args: ['-m', 'm.gguf'] }))
      .toMatchObject({ host: '127.0.0.1', port: 8080 });
    // flags win over variables, which win over the defaults
    const env = [{ name: 'LLAMA_ARG_HOST', value: '127.0.0.1' }, { name: 'LLAMA_ARG_PORT', value: '9000' }];
    expect(modelServerOf({ image, args: ['-m', 'm.gguf'], env })).toMatchObject({ host: '127.0.0.1', hostShown: 'LLAMA_ARG_HOST=127.0.0.1', port: 9000, portShown: 'LLAMA_ARG_PORT=9000' });
    expect(modelServerOf({ image, args: ['-m', 'm.gguf', '--host', '0.0.0.0', '--port', '8000'], env })).toMatchObject({ port: 8000, portShown: '--port 8000' });
    expect(modelServerOf({ image, args: ['-m', 'm.gguf', '--host', '0.0.0.0'], env })?.host).toBeUndefined();
    // an image of another name may set LLAMA_ARG_*: port and address unknown
    const own = modelServerOf({ image: 'example.com/llm:1', command: ['llama-server'], args: ['-m', 'm.gguf'] });
    expect([own?.name, own?.port, own?.host]).toEqual(['llama.cpp', undefined, undefined]);
    // a .sock host is a Unix socket: no port
    expect(modelServerOf({ image, args: ['--host', '/tmp/llama.sock'] })).toMatchObject({ name: 'llama.cpp' });
    expect(modelServerOf({ image, args: ['--host', '/tmp/llama.sock'] })?.port).toBeUndefined();
    // --metrics or a truthy LLAMA_ARG_ENDPOINT_METRICS
    expect(modelServerOf({ image, args: ['--metrics'] })?.metricsEnabled).toBe(true);
    expect(modelServerOf({ image, env: [{ name: 'LLAMA_ARG_ENDPOINT_METRICS', value: 'enabled' }] })?.metricsEnabled).toBe(true);
    // the server image with a command of its own runs something else
    expect(modelServerOf({ image, command: ['python3', 'app.py'] })).toBeUndefined();
  });

  test('llama.cpp\'s full image: its entrypoint (tools.sh) runs llama-server with the words after --server or -s, bound to 127.0.0.1', () => {
    const full = 'ghcr.io/ggml-org/llama.cpp:full-cuda';
    expect(modelServerOf({ image: full, args: ['--server', '-m', 'm.gguf', '--port', '9000'] })).toMatchObject({
      name: 'llama.cpp', argv: ['-m', 'm.gguf', '--port', '9000'], port: 9000, host: '127.0.0.1',
    });
    expect(modelServerOf({ image: `${full}-b6000`, args: ['-s', '-hf', 'Qwen/Qwen2.5-7B-Instruct-GGUF:Q4_K_M'] })).toMatchObject({ port: 8080, model: 'Qwen/Qwen2.5-7B-Instruct-GGUF' });
    // its other tools are not servers, nor is --server anywhere but first, nor a command of the pod's own
    expect(modelServerOf({ image: full, args: ['--run', '-m', 'm.gguf'] })).toBeUndefined();
    expect(modelServerOf({ image: full, args: ['-m', 'm.gguf', '--server'] })).toBeUndefined();
    expect(modelServerOf({ image: full, command: ['/bin/bash'], args: ['--server'] })).toBeUndefined();
    // GPU236: the full image sets no LLAMA_ARG_HOST, so a probe of its port never passes
    const w = server(1, { image: full, args: ['--server', '-m', '/models/m.gguf'], readinessProbe: { httpGet: { path: '/health', port: 8080 } } });
    expect(of(lint([w]), 'GPU236')[0].message).toContain('runs llama.cpp bound to 127.0.0.1 (llama.cpp\'s default --host 127.0.0.1, which its full and light images keep)');
  });
});

describe('GPU236 a model server must listen on the pod\'s address', () => {
  const sglang = (args: string[], extra: any = {}) => server(1, { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args, ...extra });
  const gpu236 = (objects: any[]) => of(lint(objects), 'GPU236');

  test('the fixture: SGLang\'s default 127.0.0.1 under probes of its port, --host 127.0.0.1 alone in its pod, llama.cpp\'s full image', () => {
    const [a, b, c, ...rest] = failFixture('GPU236');
    expect(rest).toEqual([]);
    expect(c.message).toMatch(/^container "server" runs llama\.cpp bound to 127\.0\.0\.1 \(llama\.cpp's default --host 127\.0\.0\.1, which its full and light images keep\)/);
    expect(a.severity).toBe(Severity.ERROR);
    expect(a.message).toBe('container "sglang" runs SGLang bound to 127.0.0.1 (SGLang\'s default --host 127.0.0.1), which only processes inside the '
      + 'pod can reach; the kubelet\'s probes and Services connect to the pod\'s IP address, so its startupProbe and readinessProbe never pass: '
      + 'the kubelet kills the container when the probe has failed failureThreshold times, and the pod crash-loops holding its GPUs');
    expect(b.fieldPath).toBe('spec.template.spec.containers[0].command');
    expect(b.message).toContain('(--host 127.0.0.1)');
    expect(b.message).toContain('so nothing outside the pod can reach the server and its GPUs serve nobody');
  });

  test('a readiness probe alone keeps the pod out of Services; localhost, ::1 and vLLM\'s --host count too', () => {
    expect(gpu236([sglang(['--model-path', 'm'], { readinessProbe: { httpGet: { path: '/health', port: 30000 } } })])[0].message)
      .toContain('so its readinessProbe never passes: the pod is never Ready');
    expect(gpu236([sglang(['--model-path', 'm', '--host', 'localhost'])])).toHaveLength(1);
    expect(gpu236([sglang(['--model-path', 'm', '--host=::1'])])).toHaveLength(1);
    expect(gpu236([server(1, { args: ['m', '--host', '127.0.0.1'] })])[0].message).toContain('runs vLLM bound to 127.0.0.1 (--host 127.0.0.1)');
  });

  test('not judged: every address, another container without probes on the port, a shell script, TGI, no GPUs', () => {
    expect(gpu236([sglang(['--model-path', 'm', '--host', '0.0.0.0'])])).toEqual([]);
    expect(gpu236([sglang(['--model-path', 'm', '--host', '::'])])).toEqual([]);
    const proxied = sglang(['--model-path', 'm']);
    proxied.spec.template.spec.containers.push({ name: 'proxy', image: 'envoyproxy/envoy:v1.32.1', ports: [{ containerPort: 8080 }] });
    expect(gpu236([proxied])).toEqual([]);
    // … but a probe of the server's port still never passes
    proxied.spec.template.spec.containers[0].readinessProbe = { tcpSocket: { port: 30000 } };
    expect(gpu236([proxied])).toHaveLength(1);
    expect(gpu236([server(1, { image: 'lmsysorg/sglang:v0.5.5', command: ['/bin/sh', '-c'], args: ['python3 -m sglang.launch_server --model-path m'] })])).toEqual([]);
    expect(gpu236([server(1, { image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm', '--hostname', '127.0.0.1'] })])).toEqual([]);
    const cpu = workload({ name: 'cpu', limits: { cpu: '2' } });
    Object.assign(cpu.spec.template.spec.containers[0], { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'] });
    expect(gpu236([cpu])).toEqual([]);
  });
});

describe('GPU237 a model server\'s probes must ask the port it listens on', () => {
  const gpu237 = (container: any) => of(lint([server(1, { args: ['m'], ...container })]), 'GPU237');

  test('vLLM serving HTTPS (--ssl-keyfile and --ssl-certfile): an HTTP probe of its port must set scheme: HTTPS', () => {
    const tls = { args: ['m', '--ssl-keyfile=/tls/tls.key', '--ssl-certfile', '/tls/tls.crt'] };
    const [f, ...rest] = gpu237({ ...tls, readinessProbe: { httpGet: { path: '/health', port: 8000 } } });
    expect(rest).toEqual([]);
    expect(f.fieldPath).toBe('spec.template.spec.containers[0].readinessProbe.httpGet.scheme');
    expect(f.message).toBe('container "main" runs vLLM serving HTTPS only on port 8000 (--ssl-keyfile and --ssl-certfile), but its readinessProbe '
      + 'asks plain HTTP (scheme HTTP, the default): the TLS handshake fails, the probe never passes, so the pod is never Ready: no Service sends '
      + 'it requests, and a rollout never completes');
    expect(gpu237({ ...tls, readinessProbe: { httpGet: { path: '/health', port: 8000, scheme: 'HTTPS' } } })).toEqual([]);
    expect(gpu237({ ...tls, readinessProbe: { tcpSocket: { port: 8000 } } })).toEqual([]);
    expect(gpu237({ readinessProbe: { httpGet: { path: '/health', port: 8000 } } })).toEqual([]);
  });

  test('vLLM with an API key answers 401 under /v1: a probe of /v1/models needs the Authorization header; /health is open', () => {
    const probe = (asked: string, headers?: any[]) =>
      ({ readinessProbe: { httpGet: { path: asked, port: 8000, ...(headers ? { httpHeaders: headers } : {}) } } });
    const [f, ...rest] = gpu237({ args: ['m', '--api-key', '$(KEY)'], ...probe('/v1/models') });
    expect(rest).toEqual([]);
    expect([f.fieldPath, f.message]).toEqual(['spec.template.spec.containers[0].readinessProbe.httpGet.path', 'container "main" runs vLLM with an API '
      + 'key (--api-key), which it asks for on every path under /v1, but its readinessProbe asks "/v1/models" without an Authorization header: the '
      + 'answer is 401, the probe never passes, so the pod is never Ready: no Service sends it requests, and a rollout never completes']);
    const fromSecret = { args: ['m'], env: [{ name: 'VLLM_API_KEY', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] };
    expect(gpu237({ ...fromSecret, ...probe('/v1/models') })[0].message).toContain('with an API key (VLLM_API_KEY)');
    // with the header, on an open path, without a key (or an empty one), under another root path
    expect(gpu237({ ...fromSecret, ...probe('/v1/models', [{ name: 'authorization', value: 'Bearer x' }]) })).toEqual([]);
    expect(gpu237({ ...fromSecret, ...probe('/health') })).toEqual([]);
    expect(gpu237({ args: ['m'], ...probe('/v1/models') })).toEqual([]);
    expect(gpu237({ args: ['m'], env: [{ name: 'VLLM_API_KEY', value: '' }], ...probe('/v1/models') })).toEqual([]);
    expect(gpu237({ args: ['m', '--api-key', 'k', '--root-path', '/llm'], ...probe('/v1/models') })).toEqual([]);
  });

  test('SGLang with --api-key answers 401 on every path but /health', () => {
    const sglang = (asked: string | undefined) => gpu237({
      image: 'lmsysorg/sglang:v0.5.5',
      command: ['python3', '-m', 'sglang.launch_server'],
      args: ['--model-path', 'm', '--host', '0.0.0.0', '--api-key', '$(KEY)'],
      readinessProbe: { httpGet: { ...(asked !== undefined ? { path: asked } : {}), port: 30000 } },
    });
    expect(sglang('/get_model_info')[0].message).toContain('runs SGLang with an API key (--api-key), which it asks for on every path but /health, but '
      + 'its readinessProbe asks "/get_model_info" without an Authorization header: the answer is 401');
    expect(sglang(undefined)[0].message).toContain('asks "/" without an Authorization header');
    expect(sglang('/health')).toEqual([]);
    expect(sglang('/health_generate')).toEqual([]);
  });

  test('the fixture: TGI\'s image (80) probed on 8080, by name and by number; vLLM on --port 9000 probed on 8000', () => {
    const found = failFixture('GPU237');
    expect(found).toHaveLength(3);
    expect(found.every((f) => f.severity === Severity.ERROR)).toBe(true);
    expect(found[0].message).toBe('container "tgi" runs TGI, which listens on port 80 (TGI\'s image default, PORT=80), but its readinessProbe asks '
      + 'port 8080, where nothing in the pod listens: the probe never passes, so the pod is never Ready: no Service sends it requests, and a '
      + 'rollout never completes');
    expect(found[1].message).toContain('but its livenessProbe asks port 8080, where nothing in the pod listens: the probe never passes, so the kubelet kills the container');
    expect(found[2].message).toContain('runs vLLM, which listens on port 9000 (--port 9000), but its readinessProbe asks port 8000');
  });

  test('each probe; not judged: the server\'s port, TGI\'s Prometheus port, another host, exec probes, a port from a variable', () => {
    expect(gpu237({ startupProbe: { httpGet: { path: '/health', port: 8080 }, failureThreshold: 60 } })).toHaveLength(1);
    expect(gpu237({ readinessProbe: { httpGet: { path: '/health', port: 8000 } } })).toEqual([]);
    expect(gpu237({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm'], livenessProbe: { tcpSocket: { port: 9000 }, initialDelaySeconds: 600 } })).toEqual([]);
    expect(gpu237({ readinessProbe: { httpGet: { host: 'gateway', path: '/health', port: 8080 } } })).toEqual([]);
    expect(gpu237({ readinessProbe: { exec: { command: ['curl', '-sf', 'localhost:8000/health'] } } })).toEqual([]);
    expect(gpu237({ args: ['m', '--port', '$(PORT)'], readinessProbe: { httpGet: { path: '/health', port: 8080 } } })).toEqual([]);
    expect(gpu237({ readinessProbe: { httpGet: { path: '/health', port: 'missing' } } })).toEqual([]);
  });

  test('not judged: another container in the pod (it may listen there), a shell script', () => {
    const two = server(1, { args: ['m'], readinessProbe: { httpGet: { path: '/health', port: 8080 } } });
    two.spec.template.spec.initContainers = [{ name: 'proxy', image: 'envoyproxy/envoy:v1.32.1', restartPolicy: 'Always' }];
    expect(of(lint([two]), 'GPU237')).toEqual([]);
    // (an init container that runs to completion first listens on nothing later)
    two.spec.template.spec.initContainers[0].restartPolicy = undefined;
    expect(of(lint([two]), 'GPU237')).toHaveLength(1);
    expect(gpu237({ command: ['/bin/sh', '-c'], args: ['vllm serve m & nginx'], readinessProbe: { httpGet: { path: '/health', port: 8080 } } })).toEqual([]);
  });
});

describe('GPU238 a Service in front of a model server must forward to its port', () => {
  const service = (ports: any[], selector: any = { app: 'llm' }) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'llm', namespace: 'inference' }, spec: { selector, ports },
  });
  const vllm = (container: any = {}) => {
    const w = server(1, { args: ['m'], readinessProbe: { httpGet: { path: '/health', port: 8000 } }, ...container });
    w.spec.template.metadata = { labels: { app: 'llm' } };
    w.spec.selector = { matchLabels: { app: 'llm' } };
    return w;
  };
  const gpu238 = (objects: any[]) => of(lint(objects), 'GPU238');

  test('the fixture: TGI\'s named port 8080 (it listens on 80), and a vLLM Service port with no targetPort', () => {
    const [a, b, ...rest] = failFixture('GPU238');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.ERROR);
    expect(a.object).toMatchObject({ kind: 'Service', name: 'tgi-qwen' });
    expect(a.message).toBe('forwards port 80 to "http" (8080) of the pods of Deployment inference/tgi-qwen, whose container "tgi" runs TGI '
      + 'listening on 80 (TGI\'s image default, PORT=80): nothing listens on 8080, so every connection through this Service port is refused');
    expect(b.fieldPath).toBe('spec.ports[0].port');
    expect(b.message).toContain('forwards port 80 to 80 of the pods of Deployment inference/vllm-qwen');
  });

  test('each TCP port of the Service; the server\'s port by number or by name passes', () => {
    expect(gpu238([vllm(), service([{ name: 'http', port: 80, targetPort: 8000 }, { name: 'admin', port: 81, targetPort: 9090 }])]).map((f) => f.fieldPath))
      .toEqual(['spec.ports[1].targetPort']);
    expect(gpu238([vllm({ ports: [{ name: 'api', containerPort: 8000 }] }), service([{ port: 80, targetPort: 'api' }])])).toEqual([]);
    expect(gpu238([vllm(), service([{ port: 8000 }])])).toEqual([]);
    expect(gpu238([vllm(), service([{ port: 80, targetPort: 9090, protocol: 'UDP' }])])).toEqual([]);
  });

  test('not judged: a name no container declares, another container in the pod, a shell script, a Service selecting other pods', () => {
    expect(gpu238([vllm(), service([{ port: 80, targetPort: 'missing' }])])).toEqual([]);
    const two = vllm();
    two.spec.template.spec.containers.push({ name: 'proxy', image: 'envoyproxy/envoy:v1.32.1' });
    expect(gpu238([two, service([{ port: 80, targetPort: 9090 }])])).toEqual([]);
    expect(gpu238([vllm({ command: ['/bin/sh', '-c'], args: ['vllm serve m & nginx'] }), service([{ port: 80, targetPort: 9090 }])])).toEqual([]);
    expect(gpu238([vllm(), service([{ port: 80, targetPort: 9090 }], { app: 'other' })])).toEqual([]);
    expect(gpu238([vllm(), service([{ port: 80, targetPort: 9090 }], {})])).toEqual([]);
  });
});

describe('GPU221 and GPU222 for TGI: its shards against its GPUs', () => {
  const tgi = (gpus: number, container: any) => server(gpus, { image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', readinessProbe: { httpGet: { path: '/health', port: 80 } }, ...container });
  const findings = (gpus: number, container: any) => lint([tgi(gpus, container)]).filter((f) => f.ruleId === 'GPU221' || f.ruleId === 'GPU222');

  test('more shards than GPUs: an error quoting TGI\'s start-up assertion; fewer: idle GPUs', () => {
    const [e] = findings(2, { args: ['--model-id', 'm', '--num-shard', '4'] });
    expect(e).toMatchObject({ ruleId: 'GPU221', severity: Severity.ERROR, fieldPath: 'spec.template.spec.containers[0].args' });
    expect(e.message).toBe('container "main" runs TGI with --num-shard 4 (4 shards, one per GPU) but is given 2 nvidia.com/gpu: each shard stops at '
      + 'start-up ("Each process is one gpu"), the launcher stops and the pod crash-loops');
    const [env] = findings(2, { env: [{ name: 'NUM_SHARD', value: '8' }] });
    expect(env).toMatchObject({ ruleId: 'GPU221', fieldPath: 'spec.template.spec.containers[0].env' });
    const [w] = findings(4, { args: ['--model-id', 'm', '--num-shard=2'] });
    expect(w).toMatchObject({ ruleId: 'GPU222', severity: Severity.WARNING });
    expect(w.message).toBe('container "main" is given 4 nvidia.com/gpu but runs TGI with --num-shard 2, using 2: 2 GPU(s) stay allocated and idle');
    expect(findings(4, { args: ['--model-id', 'm', '--sharded', 'false'] })[0].message).toContain('runs TGI with --sharded false, using 1: 3 GPU(s)');
  });

  test('not judged: shards left to the launcher (one per GPU), equal counts, a variable, CUDA_VISIBLE_DEVICES', () => {
    expect(findings(4, { args: ['--model-id', 'm'] })).toEqual([]);
    expect(findings(4, { args: ['--model-id', 'm', '--sharded', 'true'] })).toEqual([]);
    expect(findings(4, { args: ['--model-id', 'm', '--num-shard', '4'] })).toEqual([]);
    expect(findings(2, { env: [{ name: 'NUM_SHARD', valueFrom: { configMapKeyRef: { name: 'c', key: 'n' } } }] })).toEqual([]);
    expect(findings(2, { args: ['--num-shard', '4'], env: [{ name: 'CUDA_VISIBLE_DEVICES', value: '0,1,2,3' }] })).toEqual([]);
  });
});

describe('GPU221 and GPU222 for SGLang: tensor × pipeline × data parallel size against its GPUs', () => {
  const sglang = (gpus: number, args: string[], container: any = {}) => server(gpus, {
    image: 'lmsysorg/sglang:v0.5.5',
    command: ['python3', '-m', 'sglang.launch_server'],
    args: ['--model-path', 'm', '--host', '0.0.0.0', ...args],
    readinessProbe: { httpGet: { path: '/health', port: 30000 } },
    ...container,
  });
  const findings = (gpus: number, args: string[], container: any = {}) => lint([sglang(gpus, args, container)])
    .filter((f) => f.ruleId === 'GPU221' || f.ruleId === 'GPU222');

  test('more GPUs asked than given: an error; fewer: idle GPUs (no flags on 4 GPUs serves from one)', () => {
    const [e] = findings(2, ['--tp', '4']);
    expect(e).toMatchObject({ ruleId: 'GPU221', severity: Severity.ERROR, fieldPath: 'spec.template.spec.containers[0].args' });
    expect(e.message).toBe('container "main" runs SGLang with --tp-size 4 (4 GPUs) but is given 2 nvidia.com/gpu: the scheduler processes of the '
      + 'ranks beyond its GPUs set a CUDA device the container does not have ("invalid device ordinal"), the server stops and the pod crash-loops');
    expect(findings(4, ['--tp-size', '2', '--dp-size=4'])[0].message).toContain('runs SGLang with --tp-size 2 --dp-size 4 (8 GPUs) but is given 4');
    expect(findings(4, ['--tensor-parallel-size', '2', '--pp-size', '2'])).toEqual([]);
    const [w] = findings(4, []);
    expect(w).toMatchObject({ ruleId: 'GPU222', severity: Severity.WARNING });
    expect(w.message).toBe('container "main" is given 4 nvidia.com/gpu but runs SGLang with no parallelism flags (1 GPU), using 1: 3 GPU(s) stay allocated and idle');
  });

  test('not judged: multi-node, another first GPU, DP attention, CUDA_VISIBLE_DEVICES, a variable', () => {
    for (const extra of [['--nnodes', '2'], ['--dist-init-addr', '10.0.0.1:5000'], ['--base-gpu-id', '1'], ['--enable-dp-attention', '--dp', '8']]) {
      expect(findings(2, ['--tp', '8', ...extra])).toEqual([]);
    }
    expect(findings(2, ['--tp', '8'], { env: [{ name: 'CUDA_VISIBLE_DEVICES', value: '0,1' }] })).toEqual([]);
    expect(findings(2, ['--tp', '$(TP)'])).toEqual([]);
  });
});

describe('Triton', () => {
  const triton = (args: string[], container: any = {}) => server(1, { image: 'nvcr.io/nvidia/tritonserver:25.01-py3', command: ['tritonserver'], args, ...container });
  const findings = (args: string[], container: any = {}) => lint([triton(args, container)]).filter((f) => /^GPU23[2-8]$/.test(f.ruleId));

  test('modelServerOf: --http-port (8000), --grpc-port (8001), --metrics-port (8002), --http-address; explicit model control', () => {
    expect(modelServerOf({ command: ['tritonserver'], args: ['--model-repository=/models'] })).toEqual({
      name: 'Triton',
      argv: ['tritonserver', '--model-repository=/models'],
      shell: false,
      otherPorts: [8001, 8002],
      port: 8000,
      portShown: 'Triton\'s default --http-port 8000',
      loadsAtStart: true,
      ipv4Only: 'Triton\'s default --http-address 0.0.0.0: an IPv4 address',
    });
    expect(modelServerOf({ command: ['/opt/tritonserver/bin/tritonserver'], args: ['--http-port', '9000', '--metrics-port=9400', '--http-address=127.0.0.1'] }))
      .toMatchObject({ port: 9000, portShown: '--http-port 9000', otherPorts: [8001, 9400], host: '127.0.0.1', hostShown: '--http-address 127.0.0.1' });
    expect(modelServerOf({ command: ['tritonserver'], args: ['--allow-http=false'] })?.port).toBeUndefined();
    expect(modelServerOf({ command: ['tritonserver'], args: ['--model-control-mode=explicit'] })?.loadsAtStart).toBe(false);
    expect(modelServerOf({ command: ['tritonserver'], args: ['--model-control-mode=explicit', '--load-model=llama'] })?.loadsAtStart).toBe(true);
  });

  test('its probes against its model load, its ports and its address; not its load when it loads no model at start', () => {
    const liveness = { livenessProbe: { httpGet: { path: '/v2/health/live', port: 8000 } }, readinessProbe: { httpGet: { path: '/v2/health/ready', port: 8000 } } };
    expect(findings(['--model-repository=/models'], liveness).map((f) => f.ruleId)).toEqual(['GPU232']);
    expect(findings(['--model-repository=/models'], liveness)[0].message).toContain('runs Triton, whose server answers only once the model is loaded');
    expect(findings(['--model-repository=/models', '--model-control-mode=explicit'], liveness)).toEqual([]);
    expect(findings(['--model-repository=/models', '--model-control-mode=explicit'], {})).toEqual([]);
    expect(findings(['--model-repository=/models'], {}).map((f) => f.ruleId)).toEqual(['GPU233']);
    // its metrics port answers a TCP probe; a port it does not open does not
    const ready = { readinessProbe: { httpGet: { path: '/v2/health/ready', port: 8000 } } };
    expect(findings(['--model-repository=/models'], { ...ready, livenessProbe: { tcpSocket: { port: 8002 }, initialDelaySeconds: 600 } })).toEqual([]);
    expect(findings(['--model-repository=/models'], { ...ready, livenessProbe: { tcpSocket: { port: 9000 }, initialDelaySeconds: 600 } }).map((f) => f.ruleId)).toEqual(['GPU237']);
    expect(findings(['--model-repository=/models', '--http-address=127.0.0.1'], ready).map((f) => f.ruleId)).toEqual(['GPU236']);
    // its HTTP port serves /v2/ paths only: /health, or no path, gets 404
    const [f] = findings(['--model-repository=/models'], { readinessProbe: { httpGet: { path: '/health', port: 8000 } } });
    expect(f).toMatchObject({ ruleId: 'GPU237', fieldPath: 'spec.template.spec.containers[0].readinessProbe.httpGet.path' });
    expect(f.message).toBe('container "main" runs Triton, whose HTTP port serves the KServe v2 protocol only (health at /v2/health/ready and '
      + '/v2/health/live), but its readinessProbe asks "/health": the answer is 404, the probe never passes, so the pod is never Ready: no '
      + 'Service sends it requests, and a rollout never completes');
    expect(findings(['--model-repository=/models'], { readinessProbe: { httpGet: { port: 8000 } } }).map((x) => x.ruleId)).toEqual(['GPU237']);
    // (the metrics port serves /metrics: not judged)
    expect(findings(['--model-repository=/models'], { ...ready, livenessProbe: { httpGet: { path: '/metrics', port: 8002 }, initialDelaySeconds: 600 } })).toEqual([]);
  });
});

describe('llama.cpp', () => {
  const image = 'ghcr.io/ggml-org/llama.cpp:server-cuda';
  const llama = (args: string[], container: any = {}) => server(1, { image, args: ['-m', '/models/m.gguf', ...args], ...container });
  const findings = (w: any) => lint([w]).filter((f) => /^GPU23[2-8]$/.test(f.ruleId));
  const health = (o: any = {}) => ({ httpGet: { path: '/health', port: 8080 }, ...o });

  test('GPU232: a liveness probe of /health, which answers 503 while the model loads, judged against the load; a TCP probe, which passes, is not', () => {
    const [f, ...rest] = findings(llama([], { readinessProbe: health(), livenessProbe: health() }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'GPU232', fieldPath: 'spec.template.spec.containers[0].livenessProbe' });
    expect(f.message).toMatch(/^container "main" runs llama.cpp, whose server answers \/health with 503 until the model is loaded, but its livenessProbe \(there is no startupProbe\) kills it 30 s/);
    expect(findings(llama([], { readinessProbe: health(), livenessProbe: { tcpSocket: { port: 8080 } } }))).toEqual([]);
    expect(findings(llama([], { readinessProbe: health(), startupProbe: health({ failureThreshold: 60 }), livenessProbe: health() }))).toEqual([]);
  });

  test('GPU233: a TCP readiness probe passes as soon as llama-server listens, before its model has loaded', () => {
    const [f] = findings(llama([], { readinessProbe: { tcpSocket: { port: 8080 } } }));
    expect(f.ruleId).toBe('GPU233');
    expect(f.message).toBe('container "main" runs llama.cpp with only TCP readiness or startup probes, which pass as soon as llama.cpp listens, '
      + 'before its model has loaded: its pod is Ready as soon as it starts, minutes before llama.cpp serves (its model is still loading), '
      + 'so Services send it requests it answers with 503 and a rollout of the Deployment removes an old replica meanwhile');
    expect(findings(llama([])).map((x) => [x.ruleId, x.message.includes('neither a readinessProbe nor a startupProbe')])).toEqual([['GPU233', true]]);
    expect(findings(llama([], { readinessProbe: health() }))).toEqual([]);
    // a TCP probe still waits for vLLM, which listens only once loaded
    expect(of(lint([server(1, { args: ['m'], readinessProbe: { tcpSocket: { port: 8000 } } })]), 'GPU233')).toEqual([]);
  });

  test('GPU236: the full image\'s llama-server keeps the default 127.0.0.1; GPU237 and GPU238: port 8080', () => {
    const full = server(1, { image: 'ghcr.io/ggml-org/llama.cpp:full-cuda', command: ['/app/llama-server'], args: ['-m', '/models/m.gguf'], readinessProbe: health() });
    const [f] = findings(full);
    expect(f).toMatchObject({ ruleId: 'GPU236', fieldPath: 'spec.template.spec.containers[0].args' });
    expect(f.message).toContain('runs llama.cpp bound to 127.0.0.1 (llama.cpp\'s default --host 127.0.0.1, which its full and light images keep)');
    expect(findings(llama(['--host', '127.0.0.1'], { readinessProbe: health() })).map((x) => x.ruleId)).toEqual(['GPU236']);
    // the server image listens on 8080: a probe of 8000 never passes
    const [g] = findings(llama([], { readinessProbe: health({ httpGet: { path: '/health', port: 8000 } }) }));
    expect(g.message).toContain('runs llama.cpp, which listens on port 8080 (llama.cpp\'s default --port 8080), but its readinessProbe asks port 8000');
    expect(findings(llama(['--port', '8000'], { readinessProbe: health({ httpGet: { path: '/health', port: 8000 } }) }))).toEqual([]);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'llm', namespace: 'inference' }, spec: { selector: { app: 'llm' }, ports: [{ port: 80, targetPort: 8000 }] } };
    expect(of(lint([llama([], { readinessProbe: health() }), svc]), 'GPU238')[0].message).toContain('runs llama.cpp listening on 8080');
  });

  test('GPU235: a gated repository fetched with -hf needs a token (HF_TOKEN or --hf-token)', () => {
    const gated = ['-hf', 'google/gemma-3-4b-it-qat-q4_0-gguf'];
    const [f] = of(lint([server(1, { image, args: gated, readinessProbe: health() })]), 'GPU235');
    expect(f.message).toBe('container "main" serves "google/gemma-3-4b-it-qat-q4_0-gguf", a gated Hugging Face model, without a Hugging Face token '
      + '(no HF_TOKEN): llama.cpp\'s download at start fails with 401 and the pod crash-loops holding its GPUs');
    expect(of(lint([server(1, { image, args: [...gated, '--hf-token', '$(TOKEN)'], readinessProbe: health() })]), 'GPU235')).toEqual([]);
    expect(of(lint([server(1, { image, args: gated, env: [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } }], readinessProbe: health() })]), 'GPU235')).toEqual([]);
  });
});

describe('GPU239 a model server on a read-only root filesystem needs a volume where it downloads its model', () => {
  const ro = (container: any, extra: (w: any) => void = () => undefined) => {
    const w = server(1, { args: ['Qwen/Qwen2.5-7B-Instruct'], securityContext: { readOnlyRootFilesystem: true }, ...container });
    extra(w);
    return of(lint([w]), 'GPU239');
  };
  const mount = (mountPath: string, readOnly?: boolean) => ({ volumeMounts: [{ name: 'c', mountPath, ...(readOnly ? { readOnly } : {}) }] });

  test('the fixture: vLLM into /root/.cache/huggingface/hub, TGI into /data/hub', () => {
    const [a, b, ...rest] = failFixture('GPU239');
    expect(rest).toEqual([]);
    expect(a.message).toBe('container "vllm" runs vLLM on a read-only root filesystem and downloads "Qwen/Qwen2.5-7B-Instruct" at start into '
      + '/root/.cache/huggingface/hub (the image\'s root user, home /root, with no HF_HOME), where no writable volume is mounted: the download '
      + 'fails ("Read-only file system"), the server exits and the pod crash-loops holding its GPUs');
    expect(b.message).toContain('into /data/hub (TGI\'s image sets HF_HOME=/data)');
  });

  test('huggingface_hub\'s order: the server\'s flag, HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME, HOME', () => {
    const env = (pairs: Record<string, string>) => ({ env: Object.entries(pairs).map(([name, value]) => ({ name, value })) });
    expect(ro({ args: ['Qwen/Qwen2.5-7B-Instruct', '--download-dir', '/models'] })[0].message).toContain('into /models (--download-dir /models)');
    expect(ro(env({ HF_HUB_CACHE: '/hub', HF_HOME: '/h' }))[0].message).toContain('into /hub (HF_HUB_CACHE=/hub)');
    expect(ro(env({ HF_HOME: '/h' }))[0].message).toContain('into /h/hub (HF_HOME=/h)');
    expect(ro(env({ XDG_CACHE_HOME: '/x' }))[0].message).toContain('into /x/huggingface/hub (XDG_CACHE_HOME=/x)');
    expect(ro(env({ HOME: '/tmp' }))[0].message).toContain('into /tmp/.cache/huggingface/hub (HOME=/tmp)');
    // a volume at the directory or above it is writable; a read-only one is not
    expect(ro({ ...env({ HF_HOME: '/cache/huggingface' }), ...mount('/cache') })).toEqual([]);
    expect(ro({ ...env({ HF_HOME: '/cache' }), ...mount('/cache/') })).toEqual([]);
    expect(ro({ ...env({ HF_HOME: '/cache' }), ...mount('/cache', true) })).toHaveLength(1);
    expect(ro({ ...env({ HF_HOME: '/cachex' }), ...mount('/cache') })).toHaveLength(1);
    // SGLang's --download-dir too
    const sglang = { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--host', '0.0.0.0'] };
    expect(ro(sglang)[0].message).toContain('runs SGLang on a read-only root filesystem');
    expect(ro({ ...sglang, args: [...sglang.args, '--download-dir', '/m'], ...mount('/m') })).toEqual([]);
  });

  test('llama.cpp\'s -hf downloads: LLAMA_CACHE, else XDG_CACHE_HOME/llama.cpp, else ~/.cache/llama.cpp (root\'s in its images)', () => {
    const llama = (args: string[], extra: any = {}) => ({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-hf', 'Qwen/Qwen2.5-7B-Instruct-GGUF', ...args], ...extra });
    expect(ro(llama([]))[0].message).toBe('container "main" runs llama.cpp on a read-only root filesystem and downloads '
      + '"Qwen/Qwen2.5-7B-Instruct-GGUF" at start into /root/.cache/llama.cpp (llama.cpp\'s image runs as root, home /root, with no '
      + 'LLAMA_CACHE), where no writable volume is mounted: the download fails ("Read-only file system"), the server exits and the pod '
      + 'crash-loops holding its GPUs');
    expect(ro(llama([], { env: [{ name: 'XDG_CACHE_HOME', value: '/x' }] }))[0].message).toContain('into /x/llama.cpp (XDG_CACHE_HOME=/x)');
    expect(ro(llama([], { env: [{ name: 'LLAMA_CACHE', value: '/models' }], ...mount('/models') }))).toEqual([]);
    expect(ro(llama(['--offline']))).toEqual([]);
    // a local file is not downloaded
    expect(ro({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', '/models/m.gguf'] })).toEqual([]);
  });

  test('not judged: a writable root, a local path, offline, a variable, another image\'s or another user\'s home, a shell script', () => {
    expect(ro({ securityContext: { readOnlyRootFilesystem: false } })).toEqual([]);
    expect(ro({ args: ['/models/qwen'] })).toEqual([]);
    expect(ro({ env: [{ name: 'HF_HUB_OFFLINE', value: '1' }] })).toEqual([]);
    expect(ro({ env: [{ name: 'HF_HOME', value: '$(CACHE)' }] })).toEqual([]);
    expect(ro({ env: [{ name: 'HF_HOME', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] })).toEqual([]);
    expect(ro({ image: 'example.com/my-vllm:1', command: ['vllm', 'serve'] })).toEqual([]);
    expect(ro({}, (w) => { w.spec.template.spec.securityContext = { runAsUser: 1000 }; })).toEqual([]);
    expect(ro({ command: ['/bin/sh', '-c'], args: ['vllm serve Qwen/Qwen2.5-7B-Instruct'] })).toEqual([]);
  });

  test('a Secret, ConfigMap, downward API or projected volume is read-only whatever its mount says; an emptyDir or a claim is not', () => {
    const on = (volume: any) => ro({ env: [{ name: 'HF_HOME', value: '/cache' }], ...mount('/cache') }, (w) => {
      w.spec.template.spec.volumes = [{ name: 'c', ...volume }];
    });
    for (const v of [{ configMap: { name: 'x' } }, { secret: { secretName: 'x' } }, { downwardAPI: { items: [] } }, { projected: { sources: [] } }]) {
      expect(on(v)).toHaveLength(1);
    }
    expect(on({ emptyDir: {} })).toEqual([]);
    expect(on({ persistentVolumeClaim: { claimName: 'x' } })).toEqual([]);
  });

  test('nested mounts: the deepest mount over the directory decides, not any mount above it', () => {
    const nested = (inner: any, innerReadOnly?: boolean) => ro({
      env: [{ name: 'HF_HOME', value: '/cache/huggingface' }],
      volumeMounts: [{ name: 'outer', mountPath: '/cache' }, { name: 'inner', mountPath: '/cache/huggingface', ...(innerReadOnly ? { readOnly: true } : {}) }],
    }, (w) => { w.spec.template.spec.volumes = [{ name: 'outer', emptyDir: {} }, { name: 'inner', ...inner }]; });
    // a ConfigMap (always read-only) or a read-only claim inside a writable emptyDir: the download cannot be written
    expect(nested({ configMap: { name: 'hf' } })).toHaveLength(1);
    expect(nested({ persistentVolumeClaim: { claimName: 'models' } }, true)).toHaveLength(1);
    // a writable claim inside it, and a writable emptyDir inside a read-only mount above it
    expect(nested({ persistentVolumeClaim: { claimName: 'models' } })).toEqual([]);
    expect(ro({
      env: [{ name: 'HF_HOME', value: '/cache/huggingface' }],
      volumeMounts: [{ name: 'outer', mountPath: '/cache', readOnly: true }, { name: 'inner', mountPath: '/cache/huggingface' }],
    }, (w) => { w.spec.template.spec.volumes = [{ name: 'outer', persistentVolumeClaim: { claimName: 'x' } }, { name: 'inner', emptyDir: {} }]; })).toEqual([]);
  });
});

describe('GPU240 a model server on a read-only root filesystem needs writable volumes for its sockets and compile cache', () => {
  /** GPU240's findings on a vLLM server (unless `container` says otherwise) with a read-only root and `container`'s fields. */
  const ro = (container: any, extra: (w: any) => void = () => undefined) => {
    const w = server(1, { args: ['/models/qwen'], securityContext: { readOnlyRootFilesystem: true }, ...container });
    extra(w);
    return of(lint([w]), 'GPU240');
  };
  const mounts = (...paths: string[]) => ({ volumeMounts: paths.map((mountPath, i) => ({ name: `v${i}`, mountPath })) });
  const env = (pairs: Record<string, string>) => ({ env: Object.entries(pairs).map(([name, value]) => ({ name, value })) });

  test('the fixture: vLLM\'s temporary directory and compile cache, SGLang\'s temporary directory (a ConfigMap at /tmp), TGI\'s shard sockets', () => {
    const [a, b, c, ...rest] = failFixture('GPU240');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.ERROR);
    expect(a.fieldPath).toBe('spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem');
    expect(a.message).toBe('container "vllm" runs vLLM on a read-only root filesystem, and no writable volume holds its temporary directory '
      + '(Python\'s tempfile tried /tmp, /var/tmp, /usr/tmp and the image\'s working directory), where its API server and its engine open '
      + 'the IPC sockets between them; nor its compile cache /root/.cache/vllm (the image\'s root user, home /root, with no '
      + 'VLLM_CACHE_ROOT), where it keeps the model\'s torch.compile artifacts: the server fails at start ("Read-only file system") and '
      + 'the pod crash-loops holding its GPUs');
    expect(b.message).toContain('container "sglang" runs SGLang on a read-only root filesystem, and no writable volume holds its temporary directory');
    expect(b.message).not.toContain('compile cache');
    expect(c.message).toContain('container "tgi" runs TGI on a read-only root filesystem, and no writable volume holds its shard sockets\' '
      + 'directory /tmp (the launcher\'s default --shard-uds-path /tmp/text-generation-server), where its router and shards open their gRPC sockets');
  });

  test('Python\'s temporary directory: TMPDIR, TEMP, TMP, /tmp, /var/tmp, /usr/tmp, then the working directory, the first writable one', () => {
    const only = (c: any) => ro({ ...c, env: [...(c.env ?? []), { name: 'VLLM_CACHE_ROOT', value: '/c' }], volumeMounts: [...(c.volumeMounts ?? []), { name: 'c', mountPath: '/c' }] });
    for (const dir of ['/tmp', '/var/tmp', '/usr/tmp']) expect(only(mounts(dir))).toEqual([]);
    expect(only({ ...env({ TMPDIR: '/scratch' }), ...mounts('/scratch') })).toEqual([]);
    expect(only({ ...env({ TMP: '/scratch/t' }), ...mounts('/scratch') })).toEqual([]);
    expect(only({ workingDir: '/work', ...mounts('/work') })).toEqual([]);
    // a variable naming a directory on no volume is passed over, as tempfile passes it over
    expect(only(env({ TMPDIR: '/nowhere' }))[0].message).toContain('(Python\'s tempfile tried TMPDIR=/nowhere, /tmp, /var/tmp, /usr/tmp and the image\'s working directory)');
    expect(only({ workingDir: '/app' })[0].message).toContain('/usr/tmp and its working directory /app)');
    // a read-only mount at /tmp is no help
    expect(only({ volumeMounts: [{ name: 't', mountPath: '/tmp', readOnly: true }] })).toHaveLength(1);
    // vLLM's own VLLM_RPC_BASE_PATH replaces the temporary directory
    expect(only({ ...env({ VLLM_RPC_BASE_PATH: '/rpc' }), ...mounts('/rpc') })).toEqual([]);
    expect(only(env({ VLLM_RPC_BASE_PATH: '/rpc' }))[0].message).toContain('its RPC directory /rpc (VLLM_RPC_BASE_PATH)');
    // V0's engine in the API server's process opens no IPC sockets
    expect(only({ args: ['/models/qwen', '--disable-frontend-multiprocessing'] })).toEqual([]);
  });

  test('vLLM\'s compile cache: VLLM_CACHE_ROOT, else XDG_CACHE_HOME/vllm, else HOME/.cache/vllm, else root\'s; only from v0.8.0 and without --enforce-eager', () => {
    const tmp = (c: any, extra?: (w: any) => void) => ro({ ...c, volumeMounts: [...(c.volumeMounts ?? []), { name: 't', mountPath: '/tmp' }] }, extra);
    expect(tmp({})[0].message).toContain('its compile cache /root/.cache/vllm (the image\'s root user, home /root, with no VLLM_CACHE_ROOT)');
    expect(tmp(env({ XDG_CACHE_HOME: '/x' }))[0].message).toContain('its compile cache /x/vllm (XDG_CACHE_HOME=/x)');
    expect(tmp(env({ HOME: '/h' }))[0].message).toContain('its compile cache /h/.cache/vllm (HOME=/h)');
    expect(tmp({ ...env({ VLLM_CACHE_ROOT: '/v', XDG_CACHE_HOME: '/x' }), ...mounts('/x') })[0].message).toContain('its compile cache /v (VLLM_CACHE_ROOT=/v)');
    expect(tmp({ ...env({ XDG_CACHE_HOME: '/cache' }), ...mounts('/cache') })).toEqual([]);
    expect(tmp(mounts('/root/.cache'))).toEqual([]);
    // not judged: before V1 was the default, another tag or image, --enforce-eager or a compilation flag, V0, a variable, another user
    for (const image of ['vllm/vllm-openai:v0.7.3', 'vllm/vllm-openai:nightly', 'example.com/my-vllm:1']) {
      expect(tmp({ image, command: ['vllm', 'serve'] })).toEqual([]);
    }
    expect(tmp({ image: 'vllm/vllm-openai:latest' })).toHaveLength(1);
    expect(tmp({ image: 'vllm/vllm-openai:v0.8.0' })).toHaveLength(1);
    for (const flag of [['--enforce-eager'], ['-O0'], ['-O', '3'], ['--compilation-config', '{"level": 0}']]) expect(tmp({ args: ['/models/qwen', ...flag] })).toEqual([]);
    expect(tmp(env({ VLLM_USE_V1: '0' }))).toEqual([]);
    expect(tmp(env({ VLLM_CACHE_ROOT: '$(CACHE)' }))).toEqual([]);
    expect(tmp({}, (w) => { w.spec.template.spec.securityContext = { runAsUser: 1000 }; })).toEqual([]);
  });

  test('TGI\'s shard sockets: --shard-uds-path, else SHARD_UDS_PATH, else /tmp/text-generation-server; their directory must be writable', () => {
    const tgi = (c: any) => ro({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'Qwen/Qwen2.5-7B-Instruct'], ...mounts('/data'), ...c });
    expect(tgi({})).toHaveLength(1);
    expect(tgi(mounts('/data', '/tmp'))).toEqual([]);
    expect(tgi({ args: ['--model-id', 'm', '--shard-uds-path', '/data/s/tgi'] })).toEqual([]);
    expect(tgi({ args: ['--model-id', 'm', '--shard-uds-path=/sock/tgi'] })[0].message).toContain('its shard sockets\' directory /sock (--shard-uds-path /sock/tgi)');
    expect(tgi(env({ SHARD_UDS_PATH: '/data/tgi' }))).toEqual([]);
    // TGI does not use Python's temporary directory for them: TMPDIR is no help
    expect(tgi({ ...env({ TMPDIR: '/data' }) })).toHaveLength(1);
  });

  test('not judged: a writable root, a shell script, llama.cpp and Triton, a variable for the temporary directory', () => {
    expect(ro({ securityContext: { readOnlyRootFilesystem: false } })).toEqual([]);
    expect(ro({ command: ['/bin/sh', '-c'], args: ['vllm serve /models/qwen'] })).toEqual([]);
    expect(ro({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', '/models/m.gguf'] })).toEqual([]);
    expect(ro({ image: 'nvcr.io/nvidia/tritonserver:25.01-py3', command: ['tritonserver'], args: ['--model-repository=/models'] })).toEqual([]);
    expect(ro({ image: 'vllm/vllm-openai:nightly', env: [{ name: 'TMPDIR', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })).toEqual([]);
    expect(ro({ image: 'vllm/vllm-openai:nightly', env: [{ name: 'TMPDIR', value: 'relative' }] })).toEqual([]);
  });

  test('InferenceDeployment\'s servers pass: /tmp is an emptyDir, XDG_CACHE_HOME is on the model cache', () => {
    expect(ro({ env: [{ name: 'XDG_CACHE_HOME', value: '/models/cache' }], ...mounts('/tmp', '/models') })).toEqual([]);
  });
});

describe('GPU241 a model server must not get a port variable from a Service of its namespace (service links)', () => {
  /** A Service `name` in `namespace` with a cluster IP unless `spec` says otherwise. */
  const service = (name: string, namespace = 'inference', spec: any = {}) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8000 }], ...spec },
  });
  const findings = (objs: any[]) => of(lint(objs), 'GPU241');

  test('the fixture: a vLLM Deployment behind a Service named vllm, a TGI Deployment beside a Service named prometheus', () => {
    const [a, b, ...rest] = failFixture('GPU241');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.ERROR);
    expect(a.fieldPath).toBe('spec.template.spec.enableServiceLinks');
    expect(a.message).toBe('the Service "vllm" of namespace "inference" gives container "vllm" VLLM_PORT=tcp://<its cluster IP>:80 (service '
      + 'links, on by default), which vLLM reads as a port number: it stops at start and the pod crash-loops holding its GPUs');
    expect(b.message).toContain('the Service "prometheus" of namespace "inference" gives container "tgi" PROMETHEUS_PORT=tcp://<its cluster IP>:9090');
    expect(b.message).toContain('which TGI reads as a port number (its --prometheus-port)');
  });

  test('the Service\'s name makes the variable: vllm → VLLM_PORT, master → MASTER_PORT (TGI), llama-arg → LLAMA_ARG_PORT (llama.cpp)', () => {
    expect(findings([server(1, { args: ['m'] }), service('vllm')])).toHaveLength(1);
    expect(findings([server(1, { args: ['m'] }), service('vllm-api')])).toEqual([]);
    const tgi = server(1, { image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm'] });
    expect(findings([tgi, service('master')])[0].message).toContain('MASTER_PORT=tcp://<its cluster IP>:80 (service links, on by default), which TGI reads as a port number (its --master-port)');
    expect(findings([tgi, service('vllm')])).toEqual([]);
    const llama = server(1, { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', '/models/m.gguf'] });
    expect(findings([llama, service('llama-arg')])[0].message).toContain('LLAMA_ARG_PORT=');
    // SGLang and Triton read no such variable
    const sglang = server(1, { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', 'm'] });
    expect(findings([sglang, service('vllm'), service('sglang')])).toEqual([]);
  });

  test('no variable: service links off, another namespace, a headless or ExternalName Service, the variable set by the container', () => {
    const vllm = (extra: (w: any) => void = () => undefined) => {
      const w = server(1, { args: ['m'] });
      extra(w);
      return w;
    };
    expect(findings([vllm((w) => { w.spec.template.spec.enableServiceLinks = false; }), service('vllm')])).toEqual([]);
    expect(findings([vllm((w) => { w.spec.template.spec.enableServiceLinks = true; }), service('vllm')])).toHaveLength(1);
    expect(findings([vllm(), service('vllm', 'other')])).toEqual([]);
    expect(findings([vllm(), service('vllm', 'inference', { clusterIP: 'None' })])).toEqual([]);
    expect(findings([vllm(), service('vllm', 'inference', { type: 'ExternalName', externalName: 'example.com' })])).toEqual([]);
    expect(findings([vllm((w) => { w.spec.template.spec.containers[0].env = [{ name: 'VLLM_PORT', value: '51000' }]; }), service('vllm')])).toEqual([]);
    // a flag wins over its variable (TGI, llama.cpp)
    const tgi = server(1, { image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm', '--master-port=29501'] });
    expect(findings([tgi, service('master')])).toEqual([]);
  });

  test('envFrom: a ConfigMap or Secret of the manifests that sets the variable (with its prefix) wins; one not in the manifests leaves it unknown', () => {
    const cm = (data: any) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'inference' }, data });
    const vllm = (envFrom: any[]) => server(1, { args: ['m'], envFrom });
    expect(findings([vllm([{ configMapRef: { name: 'settings' } }]), cm({ VLLM_PORT: '51000' }), service('vllm')])).toEqual([]);
    expect(findings([vllm([{ configMapRef: { name: 'settings' } }]), cm({ OTHER: '1' }), service('vllm')])).toHaveLength(1);
    expect(findings([vllm([{ configMapRef: { name: 'settings' }, prefix: 'VLLM_' }]), cm({ PORT: '51000' }), service('vllm')])).toEqual([]);
    expect(findings([vllm([{ secretRef: { name: 'missing' } }]), service('vllm')])).toEqual([]);
  });
});

describe('GPU242 an IPv6 Service must not front a model server listening on IPv4 only', () => {
  const service = (families: string[] | undefined, name = 'llm') => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'inference' },
    spec: { ...(families ? { ipFamilies: families } : {}), selector: { app: 'llm' }, ports: [{ port: 80, targetPort: 8000 }] },
  });
  const gpu242 = (objects: any[]) => of(lint(objects), 'GPU242');

  test('the fixture: vLLM without --host behind an IPv6-only Service', () => {
    const [f, ...rest] = failFixture('GPU242');
    expect(rest).toEqual([]);
    expect([f.severity, f.object.kind, f.fieldPath]).toEqual([Severity.ERROR, 'Service', 'spec.ipFamilies']);
    expect(f.message).toBe('is IPv6 only, so it forwards to the IPv6 addresses of the pods of Deployment inference/qwen, whose container "vllm" '
      + 'runs vLLM listening on IPv4 only (no --host: vLLM opens an IPv4 socket on every address): every connection through this Service is refused');
  });

  test('IPv4 only: vLLM without --host or with an IPv4 one, SGLang and llama.cpp on 0.0.0.0, Triton\'s default; not an IPv6 address or a name', () => {
    expect(modelServerOf({ image: 'vllm/vllm-openai:v0.12.0', args: ['m'] })?.ipv4Only).toBe('no --host: vLLM opens an IPv4 socket on every address');
    expect(modelServerOf({ image: 'vllm/vllm-openai:v0.12.0', args: ['m', '--host', '0.0.0.0'] })?.ipv4Only).toBe('--host 0.0.0.0: an IPv4 address');
    expect(modelServerOf({ image: 'vllm/vllm-openai:v0.12.0', args: ['m', '--host', '::'] })?.ipv4Only).toBeUndefined();
    expect(modelServerOf({ image: 'vllm/vllm-openai:v0.12.0', args: ['m', '--host', 'my-pod.local'] })?.ipv4Only).toBeUndefined();
    expect(modelServerOf({ image: 'vllm/vllm-openai:v0.12.0', args: ['m', '--uds', '/tmp/v.sock'] })?.ipv4Only).toBeUndefined();
    const sglang = { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'] };
    expect(modelServerOf({ ...sglang, args: ['--model-path', 'm', '--host', '0.0.0.0'] })?.ipv4Only).toBe('--host 0.0.0.0: an IPv4 address');
    expect(modelServerOf({ ...sglang, args: ['--model-path', 'm', '--host', '::'] })?.ipv4Only).toBeUndefined();
    expect(modelServerOf({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', 'm.gguf'] })?.ipv4Only).toBe('its server image\'s LLAMA_ARG_HOST=0.0.0.0: an IPv4 address');
    expect(modelServerOf({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', 'm.gguf'], env: [{ name: 'LLAMA_ARG_HOST', value: '::' }] })?.ipv4Only).toBeUndefined();
    expect(modelServerOf({ image: 'example.com/llama:1', command: ['llama-server'], args: ['-m', 'm.gguf'] })?.ipv4Only).toBeUndefined();
    expect(modelServerOf({ image: 'nvcr.io/nvidia/tritonserver:25.01-py3', command: ['tritonserver'] })?.ipv4Only).toBe('Triton\'s default --http-address 0.0.0.0: an IPv4 address');
    expect(modelServerOf({ image: 'nvcr.io/nvidia/tritonserver:25.01-py3', command: ['tritonserver', '--http-address=::'] })?.ipv4Only).toBeUndefined();
    // TGI binds the pod's host name, its own address
    expect(modelServerOf({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm'] })?.ipv4Only).toBeUndefined();
  });

  test('judged only behind an IPv6-only Service: not IPv4, dual-stack, or the cluster\'s default family; not a loopback server (GPU236)', () => {
    const vllm = server(1, { args: ['m'] });
    expect(gpu242([vllm, service(['IPv6'])])).toHaveLength(1);
    expect(gpu242([vllm, service(['IPv4'])])).toEqual([]);
    expect(gpu242([vllm, service(['IPv6', 'IPv4'])])).toEqual([]);
    expect(gpu242([vllm, service(undefined)])).toEqual([]);
    expect(gpu242([server(1, { args: ['m', '--host', '::'] }), service(['IPv6'])])).toEqual([]);
    expect(gpu242([server(1, { args: ['m', '--host', '127.0.0.1'] }), service(['IPv6'])])).toEqual([]);
    // a shell script, or another container beside the server, may listen on IPv6
    expect(gpu242([server(1, { command: ['/bin/sh', '-c'], args: ['vllm serve m'] }), service(['IPv6'])])).toEqual([]);
    const withProxy = server(1, { args: ['m'] });
    withProxy.spec.template.spec.containers.push({ name: 'proxy', image: 'envoyproxy/envoy:v1.31' });
    expect(gpu242([withProxy, service(['IPv6'])])).toEqual([]);
  });
});

describe('GPU243 an offline model server must find its model in a cache that holds it at start', () => {
  /** GPU243's findings on a vLLM server of Qwen/Qwen2.5-7B-Instruct (unless `container` says otherwise), offline. */
  const offline = (container: any, extra: (w: any) => void = () => undefined) => {
    const w = server(1, { args: ['Qwen/Qwen2.5-7B-Instruct'], env: [{ name: 'HF_HUB_OFFLINE', value: '1' }], ...container });
    extra(w);
    return of(lint([w]), 'GPU243');
  };
  const cacheOn = (volume: any) => (w: any) => {
    w.spec.template.spec.containers[0].volumeMounts = [{ name: 'cache', mountPath: '/root/.cache' }];
    w.spec.template.spec.volumes = [{ name: 'cache', ...volume }];
  };

  test('the fixture: HF_HOME on an emptyDir nothing fills', () => {
    const [f, ...rest] = failFixture('GPU243');
    expect(rest).toEqual([]);
    expect([f.severity, f.fieldPath]).toEqual([Severity.ERROR, 'spec.template.spec.containers[0]']);
    expect(f.message).toBe('container "vllm" runs vLLM offline (HF_HUB_OFFLINE=1), so it looks for "Qwen/Qwen2.5-7B-Instruct" only in its cache, '
      + '/cache/huggingface/hub (HF_HOME=/cache/huggingface), on the emptyDir "cache", empty at each start of the pod and filled by no other '
      + 'container of it: the model is not found, the server exits and the pod crash-loops holding its GPUs');
  });

  test('empty at start: an emptyDir no other container mounts, or the server image\'s own filesystem', () => {
    expect(offline({}, cacheOn({ emptyDir: {} }))[0].message).toContain('/root/.cache/huggingface/hub (the image\'s root user, home /root, with no HF_HOME), on the emptyDir "cache"');
    expect(offline({})[0].message).toContain('on the container\'s own filesystem, where vLLM\'s image ships no model');
    expect(offline({ env: [{ name: 'TRANSFORMERS_OFFLINE', value: 'true' }] })[0].message).toContain('offline (TRANSFORMERS_OFFLINE=true)');
    const llama = { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-hf', 'Qwen/Qwen2.5-7B-Instruct-GGUF', '--offline'], env: [] };
    expect(offline(llama)[0].message).toContain('runs llama.cpp offline (--offline), so it looks for "Qwen/Qwen2.5-7B-Instruct-GGUF" only in its cache, /root/.cache/llama.cpp');
  });

  test('may hold it: a claim, a hostPath, another container mounting the volume; not offline; another image; a local path', () => {
    expect(offline({}, cacheOn({ persistentVolumeClaim: { claimName: 'models' } }))).toEqual([]);
    expect(offline({}, cacheOn({ hostPath: { path: '/mnt/models' } }))).toEqual([]);
    expect(offline({}, (w) => {
      cacheOn({ emptyDir: {} })(w);
      w.spec.template.spec.initContainers = [{ name: 'fetch', image: 'example.com/fetch:1', volumeMounts: [{ name: 'cache', mountPath: '/c' }] }];
    })).toEqual([]);
    expect(offline({ env: [] })).toEqual([]);
    expect(offline({ env: [{ name: 'HF_HUB_OFFLINE', value: '0' }] })).toEqual([]);
    expect(offline({ image: 'example.com/vllm-with-qwen:1', command: ['vllm', 'serve'], env: [{ name: 'HF_HUB_OFFLINE', value: '1' }, { name: 'HF_HOME', value: '/models' }] })).toEqual([]);
    expect(offline({ args: ['/models/qwen'] })).toEqual([]);
    expect(offline({ command: ['/bin/sh', '-c'], args: ['vllm serve Qwen/Qwen2.5-7B-Instruct'] })).toEqual([]);
  });
});

describe('GPU244 a model server whose image runs as root needs a runAsUser under runAsNonRoot', () => {
  const nonRoot = (container: any, pod: any = {}) => {
    const w = server(1, { args: ['m'], ...container });
    w.spec.template.spec.securityContext = pod;
    return of(lint([w]), 'GPU244');
  };

  test('the fixture: runAsNonRoot on the pod, no runAsUser, vLLM\'s image', () => {
    const [f, ...rest] = failFixture('GPU244');
    expect(rest).toEqual([]);
    expect([f.severity, f.fieldPath]).toEqual([Severity.ERROR, 'spec.template.spec.securityContext.runAsNonRoot']);
    expect(f.message).toBe('container "vllm" runs vLLM\'s image "vllm/vllm-openai:v0.12.0", whose user is root, with runAsNonRoot: true and no '
      + 'runAsUser: the kubelet refuses to start it ("container has runAsNonRoot and image will run as root") and the pod never starts');
  });

  test('runAsNonRoot and runAsUser from the container or the pod; the servers\' own images only', () => {
    expect(nonRoot({ securityContext: { runAsNonRoot: true } })[0].fieldPath).toBe('spec.template.spec.containers[0].securityContext.runAsNonRoot');
    expect(nonRoot({}, { runAsNonRoot: true, runAsUser: 1000 })).toEqual([]);
    expect(nonRoot({ securityContext: { runAsUser: 1000 } }, { runAsNonRoot: true })).toEqual([]);
    // the container's runAsNonRoot: false wins over the pod's true
    expect(nonRoot({ securityContext: { runAsNonRoot: false } }, { runAsNonRoot: true })).toEqual([]);
    expect(nonRoot({})).toEqual([]);
    expect(nonRoot({ image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', 'm'] }, { runAsNonRoot: true })).toHaveLength(1);
    expect(nonRoot({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'm'] }, { runAsNonRoot: true })).toHaveLength(1);
    expect(nonRoot({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', 'm.gguf'] }, { runAsNonRoot: true })).toHaveLength(1);
    // another image may have a non-root USER
    expect(nonRoot({ image: 'example.com/my-vllm:1', command: ['vllm', 'serve'] }, { runAsNonRoot: true })).toEqual([]);
  });
});

describe('GPU245 a model server run as a user its image does not know needs HOME or its cache set', () => {
  const asUser = (container: any, pod: any = { runAsUser: 1000 }) => {
    const w = server(1, { args: ['Qwen/Qwen2.5-7B-Instruct'], ...container });
    w.spec.template.spec.securityContext = pod;
    return of(lint([w]), 'GPU245');
  };
  const env = (pairs: Record<string, string>) => ({ env: Object.entries(pairs).map(([name, value]) => ({ name, value })) });

  test('the fixture: vLLM as user 1000 with nothing set downloads into /.cache/huggingface/hub', () => {
    const [f, ...rest] = failFixture('GPU245');
    expect(rest).toEqual([]);
    expect([f.severity, f.fieldPath]).toEqual([Severity.ERROR, 'spec.template.spec.containers[0]']);
    expect(f.message).toBe('container "vllm" runs vLLM as user 1000, whom its image "vllm/vllm-openai:v0.12.0" does not know, so HOME is / and it '
      + 'downloads "Qwen/Qwen2.5-7B-Instruct" into /.cache/huggingface/hub; / belongs to root, so the download fails ("Permission denied"), the '
      + 'server exits and the pod crash-loops holding its GPUs');
  });

  test('the user from the container or the pod; SGLang and llama.cpp too; root is not judged', () => {
    expect(asUser({ securityContext: { runAsUser: 2000 } }, {})[0].message).toContain('as user 2000');
    expect(asUser({}, { runAsUser: 0 })).toEqual([]);
    expect(asUser({}, {})).toEqual([]);
    expect(asUser({ image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', 'Qwen/Qwen2.5-7B-Instruct'] })).toHaveLength(1);
    expect(asUser({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-hf', 'Qwen/Qwen2.5-7B-Instruct-GGUF'] })[0].message).toContain('into /.cache/llama.cpp');
  });

  test('not judged: HOME or the cache set, a volume at /.cache, offline, a local path, another image (TGI\'s sets HF_HOME)', () => {
    expect(asUser(env({ HOME: '/tmp' }))).toEqual([]);
    expect(asUser(env({ HF_HOME: '/cache' }))).toEqual([]);
    expect(asUser({ args: ['Qwen/Qwen2.5-7B-Instruct', '--download-dir', '/models'] })).toEqual([]);
    expect(asUser({ volumeMounts: [{ name: 'c', mountPath: '/.cache' }] })).toEqual([]);
    expect(asUser(env({ HF_HUB_OFFLINE: '1' }))).toEqual([]);
    expect(asUser({ args: ['/models/qwen'] })).toEqual([]);
    expect(asUser({ image: 'example.com/vllm:1', command: ['vllm', 'serve'] })).toEqual([]);
    expect(asUser({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'Qwen/Qwen2.5-7B-Instruct'] })).toEqual([]);
  });
});

describe('modelWeightsFloor reads the fewest bytes of a model\'s weights from its name', () => {
  const floor = (model: string, tag?: string) => {
    const w = modelWeightsFloor(model, tag);
    return w === undefined ? undefined : w.bytes / 1e9;
  };

  test('the parameter count times 16 bits, unless the name marks a quantisation', () => {
    expect(modelWeightsFloor('meta-llama/Llama-3.1-70B-Instruct')).toEqual({
      billions: 70, bits: 16, bytes: 140e9, shown: '70B parameters at 16 bits each: 140 GB, by bf16, the name marking no quantisation',
    });
    expect(floor('Qwen/Qwen2.5-0.5B-Instruct')).toBe(1);
    expect(floor('google/gemma-2-9b-it')).toBe(18);
    // a mixture of experts' active count is not read as a count (A3B), and its total is
    expect(floor('Qwen/Qwen3-30B-A3B')).toBe(60);
    // the smallest count when the name gives several; a context length (1M) is no count of billions
    expect(floor('Qwen/Qwen2.5-7B-Instruct-1M')).toBe(14);
    // (BitNet's weights are ternary, 1.58 bits: its name gives no width the reading knows, so it is not read)
    expect(floor('microsoft/bitnet-b1.58-2B-4T')).toBeUndefined();
    expect(floor('x/Model-2B-4T')).toBe(4);
  });

  test('quantisation markers: AWQ, INT4, W4A16, bnb 4bit, NVFP4 at 4 bits; FP8, INT8, W8A8 at 8; GPTQ alone at 2; gpt-oss at 4', () => {
    for (const m of ['Qwen/Qwen2.5-72B-Instruct-AWQ', 'x/Llama-3.3-70B-Instruct-quantized.w4a16', 'unsloth/Llama-3.3-70B-Instruct-bnb-4bit',
      'nvidia/Llama-3.3-70B-Instruct-NVFP4', 'Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4']) {
      expect(floor(m)).toBe(m.includes('72B') ? 36 : 35);
    }
    for (const m of ['RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic', 'RedHatAI/Llama-3.3-70B-Instruct-quantized.w8a8', 'Qwen/Qwen2.5-72B-Instruct-GPTQ-Int8']) {
      expect(floor(m)).toBe(m.includes('72B') ? 72 : 70);
    }
    expect(floor('TheBloke/Llama-2-70B-Chat-GPTQ')).toBe(17.5);
    expect(modelWeightsFloor('openai/gpt-oss-120b')!.shown).toBe('120B parameters at 4 bits each: 60 GB, by gpt-oss\'s MXFP4 experts');
  });

  test('llama.cpp\'s GGUF quantisations from a tag or a file name', () => {
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF', 'Q8_0')).toBe(70);
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF', 'q4_k_m')).toBe(35);
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF', 'Llama-3.3-70B-Instruct-IQ1_S')).toBe(8.75);
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF', 'Q1_0')).toBe(8.75);
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF', 'NVFP4')).toBe(35);
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF', 'BF16')).toBe(140);
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF', 'UD-Q2_K_XL')).toBe(17.5);
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF', 'latest')).toBeUndefined();
  });

  test('a width written out is read (2bit, int3, w2a16, bf16); a format whose width the name does not give is not read', () => {
    expect(floor('ISTA-DASLab/Meta-Llama-3-70B-Instruct-AQLM-2Bit-1x16')).toBeUndefined();
    expect(floor('x/Llama-3.1-70B-Instruct-2bit')).toBe(17.5);
    expect(floor('x/Llama-3.1-70B-Instruct-w2a16')).toBe(17.5);
    expect(floor('x/Llama-3.1-70B-Instruct-int3')).toBe(26.25);
    expect(floor('x/Llama-3.1-8B-Instruct-bf16')).toBe(16);
    for (const m of ['x/Llama-3.1-70B-Instruct-HQQ', 'x/Llama-3.1-70B-Instruct-q4f16_1-MLC', 'x/Llama-3.1-70B-Instruct-exl3', 'x/Falcon3-10B-BitNet']) {
      expect(floor(m)).toBeUndefined();
    }
  });

  test('not read: no count, a mixture of experts written NxMB, a GGUF or EXL2 repository without a tag', () => {
    expect(floor('deepseek-ai/DeepSeek-V3')).toBeUndefined();
    expect(floor('mistralai/Mixtral-8x7B-Instruct-v0.1')).toBeUndefined();
    expect(floor('unsloth/Llama-3.3-70B-Instruct-GGUF')).toBeUndefined();
    expect(floor('turboderp/Llama-3.1-70B-Instruct-exl2')).toBeUndefined();
  });
});

describe('GPU246 the weights a model server downloads onto the node\'s disk must fit where they land', () => {
  /** GPU246's findings on a vLLM server with `container`'s fields, `extra` applied to its Deployment, beside `others`. */
  const disk = (container: any, extra: (w: any) => void = () => undefined, others: any[] = []) => {
    const w = server(1, { args: ['Qwen/Qwen2.5-14B-Instruct'], ...container });
    extra(w);
    return of(lint([w, ...others]), 'GPU246');
  };
  const bigClass = (size: string) => ({ ...DEFAULT_NODE_CLASS, spec: { ...DEFAULT_NODE_CLASS.spec, blockDeviceMappings: [{ deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: size } }] } });
  const pool = nodePool();

  test('the fixture: the node\'s default disk, an emptyDir\'s sizeLimit, a container\'s ephemeral-storage limit, an EBS claim, a hostPath beside RAID0', () => {
    const [a, b, c, d, e, ...rest] = failFixture('GPU246');
    expect(d.message).toContain('on PersistentVolumeClaim "models": its weights take at least 59.6Gi');
    expect([e.fieldPath, e.message]).toEqual(['spec.template.spec.volumes[0].hostPath.path', 'container "vllm" runs vLLM, which downloads '
      + '"Qwen/Qwen2.5-72B-Instruct" at start into /models on the hostPath volume "models", /models on the node: its weights take at least 134.1Gi '
      + '(72B parameters at 16 bits each: 144 GB, by bf16, the name marking no quantisation), above the disk that holds /models on the largest node '
      + 'it can run on (p5.48xlarge of NodePool p5), the 20Gi /dev/xvda (Karpenter\'s default for AL2023: the EC2NodeClass gives it no size), the '
      + 'root volume (instanceStorePolicy RAID0 puts only /mnt/k8s-disks/0, /var/lib/kubelet, /var/lib/containerd, /var/log/pods on the instance '
      + 'store): the download fails ("No space left on device"), the server exits and the pod crash-loops holding its GPUs']);
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.WARNING);
    expect(a.message).toBe('container "vllm" runs vLLM, which downloads "Qwen/Qwen2.5-32B-Instruct" at start into /root/.cache/huggingface/hub on the '
      + 'container\'s writable layer, on the node\'s disk: its weights take at least 59.6Gi (32B parameters at 16 bits each: 64 GB, by bf16, the name '
      + 'marking no quantisation), and its image at least 9.3Gi (vllm/vllm-openai from v0.8 unpacks to more than 10 GB), 68.9Gi in all, above the disk '
      + 'of the nodes it can run on, which give pods at most 17Gi (g6.12xlarge of NodePool gpu: a 20Gi '
      + '/dev/xvda (Karpenter\'s default for AL2023: the EC2NodeClass gives it no size), less 1Gi kube-reserved, 2Gi eviction threshold '
      + '(nodefs.available 10%, the default)): the disk fills, the kubelet evicts the pod ("The node was low on resource: ephemeral-storage") or the '
      + 'download fails ("No space left on device"); the pod is replaced, downloads again and never serves');
    expect(b.message).toContain('into /cache/hub on the emptyDir "cache", on the node\'s disk: its weights take at least 26.1Gi');
    expect(b.message).toContain('above the emptyDir "cache"\'s sizeLimit 5Gi: the kubelet evicts the pod once the volume holds more ("Usage of EmptyDir volume "cache" exceeds the limit")');
    expect(c.message).toContain('its weights take at least 65.2Gi (70B parameters at 8 bits each: 70 GB, by llama.cpp\'s Q8_0 quantisation), above its ephemeral-storage limit 50Gi');
  });

  test('the tightest bound is named: sizeLimit, the container\'s limit, the pod\'s summed limits, the largest node it can run on', () => {
    const [f] = disk({}, cache({ emptyDir: { sizeLimit: '20Gi' } }), [DEFAULT_NODE_CLASS, pool]);
    // the node's 17Gi is tighter than the emptyDir's 20Gi
    expect([f.fieldPath, f.message]).toEqual(['spec.template.spec.containers[0]', expect.stringContaining('which give pods at most 17Gi')]);
    expect(disk({}, cache({ emptyDir: { sizeLimit: '20Gi' } }), [bigClass('300Gi'), pool])[0].fieldPath).toBe('spec.template.spec.volumes[0].emptyDir.sizeLimit');
    expect(disk({}, cache({ emptyDir: { sizeLimit: '40Gi' } }), [bigClass('300Gi'), pool])).toEqual([]);
    // a container's own limit on its writable layer, and the pod's: the containers' limits summed, a sidecar's too
    expect(disk({ resources: { limits: { 'nvidia.com/gpu': 1, 'ephemeral-storage': '20Gi' } } })[0].message).toContain('above its ephemeral-storage limit 20Gi');
    const sidecar = (w: any) => {
      cache({ emptyDir: {} })(w);
      w.spec.template.spec.containers.push({ name: 'proxy', image: 'example.com/proxy:1', resources: { limits: { 'ephemeral-storage': '2Gi' } } });
    };
    expect(disk({}, sidecar)[0].message).toContain('above its containers\' ephemeral-storage limits, 2Gi in total: the kubelet evicts the pod once its emptyDirs');
    // the largest room of every pool the pods can run on: one pool with a large disk is enough
    const large = nodePool({ name: 'large' });
    large.spec.template.spec.nodeClassRef = { ...large.spec.template.spec.nodeClassRef, name: 'large' };
    const largeClass = { ...bigClass('300Gi'), metadata: { name: 'large' } };
    expect(disk({}, () => undefined, [DEFAULT_NODE_CLASS, pool, large, largeClass])).toEqual([]);
    expect(disk({}, () => undefined, [DEFAULT_NODE_CLASS, pool])).toHaveLength(1);
  });

  test('on the node\'s disk the vLLM image from v0.8 takes 10 GB too; not within an emptyDir\'s sizeLimit or a storage limit', () => {
    const all = [DEFAULT_NODE_CLASS, pool];
    // 14 GB of weights alone fit 17Gi; with the image they do not
    expect(disk({ args: ['Qwen/Qwen2.5-7B-Instruct'] }, () => undefined, all)[0].message)
      .toContain('its weights take at least 13Gi (7B parameters at 16 bits each: 14 GB, by bf16, the name marking no quantisation), and its image at least '
        + '9.3Gi (vllm/vllm-openai from v0.8 unpacks to more than 10 GB), 22.4Gi in all, above the disk of the nodes it can run on, which give pods at most 17Gi');
    expect(disk({ image: 'vllm/vllm-openai:latest', args: ['Qwen/Qwen2.5-7B-Instruct'] }, () => undefined, all)).toHaveLength(1);
    // an image before v0.8 is not counted
    expect(disk({ image: 'vllm/vllm-openai:v0.7.3', args: ['Qwen/Qwen2.5-7B-Instruct'] }, () => undefined, all)).toEqual([]);
    // an emptyDir's 14Gi holds the 13Gi of weights: the image is not in it
    expect(disk({ args: ['Qwen/Qwen2.5-7B-Instruct'] }, cache({ emptyDir: { sizeLimit: '14Gi' } }), [bigClass('300Gi'), pool])).toEqual([]);
  });

  test('a memory-backed emptyDir: its sizeLimit (the tmpfs) and the container\'s memory limit (tmpfs pages are charged to it)', () => {
    const memory = (sizeLimit?: string, limit?: string) => disk(limit ? { resources: { limits: { 'nvidia.com/gpu': 1, 'memory': limit } } } : {},
      cache({ emptyDir: { medium: 'Memory', ...(sizeLimit ? { sizeLimit } : {}) } }));
    const [f] = memory('8Gi');
    expect([f.fieldPath, f.message]).toEqual(['spec.template.spec.volumes[0].emptyDir.sizeLimit', 'container "main" runs vLLM, which downloads '
      + '"Qwen/Qwen2.5-14B-Instruct" at start into /cache/hub on the memory-backed emptyDir "cache", in memory: its weights take at least 26.1Gi '
      + '(14B parameters at 16 bits each: 28 GB, by bf16, the name marking no quantisation), above its sizeLimit 8Gi, the size of its tmpfs: the '
      + 'download fails ("No space left on device"); the pod is restarted, downloads again and never serves']);
    const [g] = memory('64Gi', '16Gi');
    expect([g.fieldPath, g.message]).toEqual(['spec.template.spec.containers[0].resources.limits.memory',
      expect.stringContaining('above its memory limit 16Gi, which the tmpfs\'s pages count against: the kernel kills the container (OOMKilled)')]);
    expect(memory('64Gi', '64Gi')).toEqual([]);
    expect(memory()).toEqual([]);
  });

  test('a claim of an EBS StorageClass of the manifests is as large as it requests; other claims are not judged', () => {
    const claim = (storage: string, storageClassName?: string, extra: any = {}) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'models', namespace: 'inference' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...(storageClassName !== undefined ? { storageClassName } : {}), ...extra },
    });
    const sc = (name: string, provisioner: string, isDefault = false) => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      provisioner,
      metadata: { name, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    });
    const onClaim = cache({ persistentVolumeClaim: { claimName: 'models' } });
    const [f] = disk({}, onClaim, [claim('20Gi', 'gp3'), sc('gp3', 'ebs.csi.aws.com')]);
    expect(f.fieldPath).toBe('spec.template.spec.volumes[0].persistentVolumeClaim.claimName');
    expect(f.message).toBe('container "main" runs vLLM, which downloads "Qwen/Qwen2.5-14B-Instruct" at start into /cache/hub on PersistentVolumeClaim '
      + '"models": its weights take at least 26.1Gi (14B parameters at 16 bits each: 28 GB, by bf16, the name marking no quantisation), above the '
      + 'claim\'s 20Gi (an EBS volume of StorageClass "gp3", as large as the claim requests): the download fails ("No space left on device"), the '
      + 'server exits and the pod crash-loops holding its GPUs');
    // the default StorageClass when the claim names none; the in-tree provisioner too
    expect(disk({}, onClaim, [claim('20Gi'), sc('gp2', 'kubernetes.io/aws-ebs', true)])[0].message).toContain('StorageClass "gp2", the default');
    expect(disk({}, onClaim, [claim('100Gi', 'gp3'), sc('gp3', 'ebs.csi.aws.com')])).toEqual([]);
    // a file system, a StorageClass or claim not in the manifests, a claim bound by name, static binding
    expect(disk({}, onClaim, [claim('20Gi', 'efs'), sc('efs', 'efs.csi.aws.com')])).toEqual([]);
    expect(disk({}, onClaim, [claim('20Gi', 'gp3')])).toEqual([]);
    expect(disk({}, onClaim, [sc('gp3', 'ebs.csi.aws.com')])).toEqual([]);
    expect(disk({}, onClaim, [claim('20Gi', 'gp3', { volumeName: 'pv-1' }), sc('gp3', 'ebs.csi.aws.com')])).toEqual([]);
    expect(disk({}, onClaim, [claim('20Gi', ''), sc('gp3', 'ebs.csi.aws.com', true)])).toEqual([]);
  });

  test('a hostPath is on the root volume, beside the images; with RAID0, unless under /mnt/k8s-disks/0 or the directories bound onto it', () => {
    const host = (hostDir: string, mount: any = {}) => cache({ hostPath: { path: hostDir } }, mount);
    const raid = (extra: any = {}) => ({ ...DEFAULT_NODE_CLASS, spec: { ...DEFAULT_NODE_CLASS.spec, instanceStorePolicy: 'RAID0', ...extra } });
    // without RAID0 the root volume holds the image too: 7B (13Gi) and the image (9.3Gi) above 20Gi
    const [f] = disk({ args: ['Qwen/Qwen2.5-7B-Instruct'] }, host('/mnt/models'), [DEFAULT_NODE_CLASS, pool]);
    expect([f.fieldPath, f.message]).toEqual(['spec.template.spec.volumes[0].hostPath.path', expect.stringContaining('into /cache/hub on the '
      + 'hostPath volume "cache", /mnt/models/hub on the node: its weights take at least 13Gi (7B parameters at 16 bits each: 14 GB, by bf16, the name '
      + 'marking no quantisation), and its image at least 9.3Gi (vllm/vllm-openai from v0.8 unpacks to more than 10 GB), 22.4Gi in all, above the '
      + 'disk that holds /mnt/models/hub on the largest node it can run on (g6.xlarge of NodePool gpu), the 20Gi /dev/xvda (Karpenter\'s default '
      + 'for AL2023: the EC2NodeClass gives it no size), the root volume, which holds the kubelet\'s and containerd\'s directories too: the download fails')]);
    // the whole root volume counts (no kubelet reserve): 14 GB of weights and 10 GB of image in 25Gi
    expect(disk({ args: ['Qwen/Qwen2.5-7B-Instruct'] }, host('/mnt/models'), [bigClass('25Gi'), pool])).toEqual([]);
    // with RAID0 the image is on the instance store, and /mnt/models on the 20Gi root: 7B fits, 14B does not
    expect(disk({ args: ['Qwen/Qwen2.5-7B-Instruct'] }, host('/mnt/models'), [raid(), pool])).toEqual([]);
    expect(disk({}, host('/mnt/models'), [raid(), pool])[0].message).toContain('the root volume (instanceStorePolicy RAID0 puts only /mnt/k8s-disks/0');
    // a root volume sized by blockDeviceMappings (rootVolume, else /dev/xvda)
    expect(disk({}, host('/mnt/models'), [raid({ blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi' } }] }), pool])).toEqual([]);
    // on the array: /mnt/k8s-disks/0 and the kubelet's, containerd's and pod logs' directories, through a subPath too
    for (const dir of ['/mnt/k8s-disks/0/models', '/var/lib/kubelet/models', '/var/lib/containerd/x', '/var/log/pods/m']) {
      expect(disk({ args: ['Qwen/Qwen2.5-72B-Instruct', '--tensor-parallel-size', '8'], resources: { limits: { 'nvidia.com/gpu': 8 } } }, host(dir), [raid(), pool])).toEqual([]);
    }
    expect(disk({}, host('/mnt/k8s-disks', { subPath: '0/models' }), [raid(), pool])).toEqual([]);
    // beside the array: /mnt/k8s-disks itself, or /mnt/k8s-disks/1, is on the root volume
    expect(disk({}, host('/mnt/k8s-disks', { subPath: 'models' }), [raid(), pool])[0].message).toContain('/mnt/k8s-disks/models/hub on the node');
    // a directory above the array's: what the download writes there (/var/lib/hub) is on the root volume
    expect(disk({}, host('/var/lib'), [raid(), pool])[0].message).toContain('/var/lib/hub on the node');
    // not judged: a subPathExpr, another AMI family, an unknown disk
    expect(disk({}, host('/mnt/models', { subPathExpr: '$(POD_NAME)' }), [raid(), pool])).toEqual([]);
    const bottlerocket = { ...DEFAULT_NODE_CLASS, spec: { ...DEFAULT_NODE_CLASS.spec, amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] } };
    expect(disk({}, host('/mnt/models'), [bottlerocket, pool])).toEqual([]);
    expect(disk({}, host('/mnt/models'), [pool])).toEqual([]);
    // an unknown disk on one of the pools: the weights may fit there
    const other = nodePool({ name: 'other' });
    other.spec.template.spec.nodeClassRef = { ...other.spec.template.spec.nodeClassRef, name: 'missing' };
    expect(disk({}, host('/mnt/models'), [raid(), pool, other])).toEqual([]);
  });

  test('not judged: a claim, a memory-backed volume, a read-only root (GPU239), a shell, a local path, an unknown disk, a tagless GGUF', () => {
    const all = [DEFAULT_NODE_CLASS, pool];
    expect(disk({}, cache({ persistentVolumeClaim: { claimName: 'models' } }), all)).toEqual([]);
    // (a memory-backed emptyDir without a sizeLimit, in a container without a memory limit: nothing bounds it here)
    expect(disk({}, cache({ emptyDir: { medium: 'Memory' } }), all)).toEqual([]);
    expect(disk({ securityContext: { readOnlyRootFilesystem: true } }, () => undefined, all)).toEqual([]);
    expect(disk({ command: ['/bin/sh', '-c'], args: ['vllm serve Qwen/Qwen2.5-14B-Instruct'] }, () => undefined, all)).toEqual([]);
    expect(disk({ args: ['/models/qwen-14b'] }, () => undefined, all)).toEqual([]);
    // no EC2NodeClass: the disk is not known
    expect(disk({}, () => undefined, [pool])).toEqual([]);
    // a small model fits
    expect(disk({ args: ['Qwen/Qwen2.5-1.5B-Instruct'] }, () => undefined, all)).toEqual([]);
    const llama = (hf: string) => disk({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-hf', hf] }, () => undefined, all);
    expect(llama('unsloth/Llama-3.3-70B-Instruct-GGUF')).toEqual([]);
    expect(llama('unsloth/Llama-3.3-70B-Instruct-GGUF:Q4_K_M')).toHaveLength(1);
  });
});

describe('GPU251 a model server\'s startup probe must allow its EBS disk the time to write the weights it downloads', () => {
  const STARTUP_600 = { httpGet: { path: '/health', port: 8000 }, periodSeconds: 10, failureThreshold: 60 };
  /** GPU251's findings on a vLLM server of Qwen2.5-72B (134.1Gi: 1,098.6 s at 125 MiB/s) with `container`'s fields, beside `others`. */
  const slow = (container: any, extra: (w: any) => void = () => undefined, others: any[] = [DEFAULT_NODE_CLASS, nodePool()]) => {
    const w = server(1, { args: ['Qwen/Qwen2.5-72B-Instruct'], startupProbe: STARTUP_600, ...container });
    extra(w);
    return of(lint([w, ...others]), 'GPU251');
  };
  const nodeClass = (spec: any) => ({ ...DEFAULT_NODE_CLASS, spec: { ...DEFAULT_NODE_CLASS.spec, ...spec } });
  const root = (ebs: any) => nodeClass({ blockDeviceMappings: [{ deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '500Gi', ...ebs } }] });

  test('the fixture: the writable layer on a gp3 root volume at 125 MiB/s, a claim of a gp3 StorageClass', () => {
    const [a, b, ...rest] = failFixture('GPU251');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.WARNING);
    expect([a.fieldPath, a.message]).toEqual(['spec.template.spec.containers[0].startupProbe', 'container "vllm" runs vLLM, which downloads '
      + '"Qwen/Qwen2.5-72B-Instruct" at start into /root/.cache/huggingface/hub on the container\'s writable layer, on EBS: its weights take at least '
      + '134.1Gi (72B parameters at 16 bits each: 144 GB, by bf16, the name marking no quantisation), which the fastest disk it can land on '
      + '(g6.48xlarge of NodePool gpu: gp3 at its default 125 MiB/s) writes in no less than 18 min 19 s, but its startupProbe kills it 600 s after it '
      + 'starts at the latest (initialDelaySeconds 0 + failureThreshold 60 × periodSeconds 10): the kubelet kills it mid-download; the restarted '
      + 'container starts the download again on a new writable layer: it never serves, and the pod crash-loops holding its GPUs']);
    expect(b.message).toContain('into /models on PersistentVolumeClaim "models", on EBS');
    expect(b.message).toContain('which the claim\'s volume (StorageClass "gp3": gp3 at its throughput 125 MiB/s) writes in no less than 18 min 19 s, but its '
      + 'startupProbe kills it 900 s after it starts');
    expect(b.message).toMatch(/the pod crash-loops holding its GPUs, and serves only after several restarts .* if its downloader resumes the part written$/);
  });

  test('the window: the startup probe, else the liveness probe, of the server\'s port; none is not judged', () => {
    // Karpenter's default volume is gp3 at 125 MiB/s: 1,098.6 s
    expect(slow({ startupProbe: { ...STARTUP_600, failureThreshold: 109 } })).toHaveLength(1);
    expect(slow({ startupProbe: { ...STARTUP_600, failureThreshold: 110 } })).toEqual([]);
    const [f] = slow({ startupProbe: undefined, livenessProbe: { httpGet: { path: '/health', port: 8000 }, initialDelaySeconds: 300 } });
    expect([f.fieldPath, f.message]).toEqual(['spec.template.spec.containers[0].livenessProbe', expect.stringContaining('but its livenessProbe (there is no '
      + 'startupProbe) kills it 330 s after it starts at the latest')]);
    expect(slow({ startupProbe: undefined })).toEqual([]);
    expect(slow({ startupProbe: { ...STARTUP_600, httpGet: { path: '/health', port: 9000 } } })).toEqual([]);
    // a smaller model is written in time: 7B, 13Gi, 107 s
    expect(slow({ args: ['Qwen/Qwen2.5-7B-Instruct'] })).toEqual([]);
  });

  test('the disk: the root volume\'s type and throughput, the instance\'s EBS bandwidth; an emptyDir, a hostPath, a claim', () => {
    const only = (...objects: any[]) => [...objects, nodePool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.48xlarge'] }] })];
    expect(slow({}, () => undefined, only(root({ volumeType: 'gp3', throughput: 1000, iops: 4000 })))).toEqual([]);
    // gp2 at most 250 MiB/s: 549 s
    expect(slow({}, () => undefined, only(root({ volumeType: 'gp2' })))).toEqual([]);
    expect(slow({ startupProbe: { ...STARTUP_600, failureThreshold: 50 } }, () => undefined, only(root({ volumeType: 'gp2' })))[0].message)
      .toContain('(g6.48xlarge of NodePool gpu: gp2 at most 250 MiB/s) writes in no less than 9 min 10 s');
    // io2's 4,000 MiB/s is capped by a g6.xlarge's 5,000 Mbps (625 MB/s): 230 s
    const small = [root({ volumeType: 'io2' }), nodePool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge'] }] })];
    expect(slow({ startupProbe: { ...STARTUP_600, failureThreshold: 20 } }, () => undefined, small)[0].message)
      .toContain('(g6.xlarge of NodePool gpu: io2 at most 4000 MiB/s, capped by g6.xlarge\'s EBS bandwidth of 5000 Mbps) writes in no less than 3 min 51 s');
    // an emptyDir is on the node's disk; a memory-backed one is not judged
    expect(slow({}, cache({ emptyDir: {} }))[0].message).toContain('into /cache/hub on the emptyDir "cache", on EBS');
    expect(slow({}, cache({ emptyDir: { medium: 'Memory' } }))).toEqual([]);
    // a hostPath: the root volume, unless RAID0 puts the directory on the instance store
    const raid = [nodeClass({ instanceStorePolicy: 'RAID0' }), nodePool()];
    expect(slow({}, cache({ hostPath: { path: '/models' } }), raid)[0].message).toContain('on the hostPath volume "cache", on EBS');
    expect(slow({}, cache({ hostPath: { path: '/mnt/k8s-disks/0/models' } }), raid)).toEqual([]);
    // a claim of an EBS StorageClass: the CSI driver's gp3 and throughput, the in-tree plugin's gp2
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'models', namespace: 'inference' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ebs', resources: { requests: { storage: '500Gi' } } } };
    const sc = (provisioner: string, parameters?: any) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ebs' }, provisioner, ...(parameters ? { parameters } : {}) });
    const onClaim = cache({ persistentVolumeClaim: { claimName: 'models' } });
    expect(slow({}, onClaim, [claim, sc('ebs.csi.aws.com')])[0].message).toContain('the claim\'s volume (StorageClass "ebs": gp3 at its default 125 MiB/s)');
    expect(slow({}, onClaim, [claim, sc('ebs.csi.aws.com', { Throughput: '500' })])).toEqual([]);
    expect(slow({ startupProbe: { ...STARTUP_600, failureThreshold: 50 } }, onClaim, [claim, sc('kubernetes.io/aws-ebs')])[0].message)
      .toContain('(StorageClass "ebs": gp2 at most 250 MiB/s)');
  });

  test('not judged: the instance store, a volume of a type not written, a pool whose disk is unknown, a file system, a read-only root, a tagless GGUF', () => {
    expect(slow({}, () => undefined, [nodeClass({ instanceStorePolicy: 'RAID0' }), nodePool()])).toEqual([]);
    expect(slow({}, () => undefined, [root({}), nodePool()])).toEqual([]);
    expect(slow({}, () => undefined, [nodePool()])).toEqual([]);
    // one pool of unknown disk: its nodes may write faster
    const other = nodePool({ name: 'other' });
    other.spec.template.spec.nodeClassRef = { ...other.spec.template.spec.nodeClassRef, name: 'missing' };
    expect(slow({}, () => undefined, [DEFAULT_NODE_CLASS, nodePool(), other])).toEqual([]);
    const efs = [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'models', namespace: 'inference' }, spec: { accessModes: ['ReadWriteMany'], storageClassName: 'efs', resources: { requests: { storage: '500Gi' } } } },
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'efs' }, provisioner: 'efs.csi.aws.com' }];
    expect(slow({}, cache({ persistentVolumeClaim: { claimName: 'models' } }), efs)).toEqual([]);
    expect(slow({ securityContext: { readOnlyRootFilesystem: true } })).toEqual([]);
    expect(slow({ image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-hf', 'unsloth/Llama-3.3-70B-Instruct-GGUF'], startupProbe: { ...STARTUP_600, httpGet: { path: '/health', port: 8080 } } })).toEqual([]);
    // (Q8_0: 65.2Gi, 534 s)
    const llama = (threshold: number) => slow({
      image: 'ghcr.io/ggml-org/llama.cpp:server-cuda',
      args: ['-hf', 'unsloth/Llama-3.3-70B-Instruct-GGUF:Q8_0'],
      startupProbe: { ...STARTUP_600, failureThreshold: threshold, httpGet: { path: '/health', port: 8080 } },
    });
    expect([llama(53), llama(54)].map((f) => f.length)).toEqual([1, 0]);
  });
});

describe('GPU252 vLLM\'s context must fit the KV cache its GPUs have room for beside the weights', () => {
  /** GPU252's findings on vLLM serving `args` on `gpus` GPUs of a pool of `poolTypes`. */
  const kv = (gpus: number, args: string[], poolTypes: string[] = ['g6.xlarge'], others: any[] = []) => of(lint([poolOfTypes(...poolTypes), server(gpus, { args }), ...others]), 'GPU252');
  const LLAMA_8B = 'meta-llama/Llama-3.1-8B-Instruct';

  test('the fixture: Llama 3.1 8B at its own 131,072 tokens on an L4, Llama 3.3 70B at 128K over four L40S', () => {
    const [a, b, ...rest] = failFixture('GPU252');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.WARNING);
    expect([a.fieldPath, a.message]).toEqual(['spec.template.spec.containers[0]', 'container "vllm" runs vLLM with "meta-llama/Llama-3.1-8B-Instruct" '
      + 'and a context of 131072 tokens, the model\'s max_position_embeddings (Llama 3.1 8B; no --max-model-len): the KV cache of one sequence that '
      + 'long takes 16Gi on each GPU (2 × 32 layers × 8 KV heads × 128 × 2 bytes: 128Ki a token), but on every instance type it can run on '
      + '(g6.xlarge) a GPU holds at most 22.4Gi (L4-24GB) and leaves at most 5.2Gi for it (--gpu-memory-utilization 0.9, vLLM\'s default, less at '
      + 'least 14.9Gi of weights: 8B parameters at 16 bits each: 16 GB, by bf16, the name marking no quantisation): vLLM refuses to start ("To serve '
      + 'at least one request with the model\'s max seq len (131072) … KV cache is needed, which is larger than the available KV cache memory") and '
      + 'the pod crash-loops holding its GPUs; at most 42723 tokens fit, fewer once activations and CUDA graphs take theirs']);
    expect(b.message).toContain('a context of 131072 tokens (--max-model-len 128K): the KV cache of one sequence that long takes 10Gi on each GPU '
      + '(2 × 80 layers × 2 KV heads × 128 × 2 bytes, with tensor parallel 4: 80Ki a token)');
    expect(b.message).toContain('leaves at most 7.6Gi for it');
  });

  test('vllmMaxModelLen reads whole numbers and vLLM\'s suffixes (k = 1,000, K = 1,024); auto, -1 and variables are not read', () => {
    const len = (v: string) => vllmMaxModelLen(['--max-model-len', v]);
    expect(['8192', '32k', '32K', '25.6k', '1m', '1M'].map(len)).toEqual([8192, 32000, 32768, 25600, 1_000_000, 1_048_576]);
    expect(vllmMaxModelLen(['--max_model_len=4096'])).toBe(4096);
    expect(vllmMaxModelLen(['m'])).toBeUndefined();
    for (const v of ['-1', 'auto', '$(LEN)', '0', '', '99999999999999999999', '9999999999999G']) expect([v, len(v)]).toEqual([v, null]);
  });

  test('modelArchitectureOf knows Llama 3 8B, 3.1, 3.2 1B and 3B, 3.3, Qwen2.5 (and Coder) 1.5B-72B, Qwen3 4B, 8B, 32B and DeepSeek-R1\'s distilled models by name, their fine-tunes and quantisations too', () => {
    expect(modelArchitectureOf('meta-llama/Meta-Llama-3.1-8B-Instruct')).toMatchObject({ layers: 32, kvHeads: 8, headDim: 128, maxPositions: 131072 });
    expect(modelArchitectureOf('hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4')).toMatchObject({ layers: 80 });
    expect(modelArchitectureOf('meta-llama/Llama-3.2-1B-Instruct')).toMatchObject({ layers: 16, headDim: 64 });
    expect(modelArchitectureOf('Qwen/Qwen2.5-7B-Instruct')).toMatchObject({ layers: 28, kvHeads: 4, maxPositions: 32768 });
    expect(modelArchitectureOf('Qwen/Qwen2.5-72B-Instruct-AWQ')).toMatchObject({ layers: 80, kvHeads: 8 });
    expect(modelArchitectureOf('meta-llama/Llama-3.2-3B-Instruct')).toMatchObject({ heads: 24, layers: 28, kvHeads: 8, headDim: 128 });
    expect(modelArchitectureOf('meta-llama/Meta-Llama-3-8B-Instruct')).toMatchObject({ layers: 32, maxPositions: 8192 });
    expect(modelArchitectureOf('Qwen/Qwen3-8B')).toMatchObject({ heads: 32, layers: 36, kvHeads: 8, maxPositions: 40960 });
    expect(modelArchitectureOf('Qwen/Qwen3-4B-Instruct-2507')).toMatchObject({ layers: 36 });
    expect(modelArchitectureOf('Qwen/Qwen3-32B-AWQ')).toMatchObject({ heads: 64, layers: 64 });
    expect(modelArchitectureOf('Qwen/Qwen2.5-Coder-7B-Instruct')).toMatchObject({ heads: 28, layers: 28, kvHeads: 4, maxPositions: 32768 });
    expect(modelArchitectureOf('Qwen/Qwen2.5-Coder-32B-Instruct-AWQ')).toMatchObject({ heads: 40, layers: 64, kvHeads: 8 });
    expect(modelArchitectureOf('Qwen/Qwen2.5-1.5B-Instruct')).toMatchObject({ heads: 12, layers: 28, kvHeads: 2, headDim: 128 });
    expect(modelArchitectureOf('Qwen/Qwen2.5-Coder-3B')).toMatchObject({ heads: 16, layers: 36, kvHeads: 2 });
    // DeepSeek-R1's distilled models: the architecture of the model each was distilled into, at 131,072 positions
    expect(modelArchitectureOf('deepseek-ai/DeepSeek-R1-Distill-Qwen-32B')).toMatchObject({ heads: 40, layers: 64, kvHeads: 8, maxPositions: 131072 });
    expect(modelArchitectureOf('casperhansen/deepseek-r1-distill-qwen-7b-awq')).toMatchObject({ heads: 28, layers: 28, kvHeads: 4, maxPositions: 131072 });
    expect(modelArchitectureOf('deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B')).toMatchObject({ heads: 12, kvHeads: 2, maxPositions: 131072 });
    expect(modelArchitectureOf('deepseek-ai/DeepSeek-R1-Distill-Qwen-14B')).toMatchObject({ layers: 48, heads: 40 });
    expect(modelArchitectureOf('deepseek-ai/DeepSeek-R1-Distill-Llama-8B')).toMatchObject({ heads: 32, layers: 32, kvHeads: 8, maxPositions: 131072 });
    expect(modelArchitectureOf('deepseek-ai/DeepSeek-R1-Distill-Llama-70B')).toMatchObject({ heads: 64, layers: 80 });
    for (const m of ['Qwen/Qwen2.5-Math-7B-Instruct', 'Qwen/Qwen2.5-Coder-0.5B', 'deepseek-ai/DeepSeek-R1', 'deepseek-ai/DeepSeek-R1-0528-Qwen3-8B', 'meta-llama/Llama-3.2-11B-Vision', 'meta-llama/Llama-3.1-405B', 'meta-llama/Meta-Llama-3-70B', 'mistralai/Mistral-7B-v0.3', 'Qwen/Qwen2.5-7', 'Qwen/Qwen3-8B-Base', 'Qwen/Qwen3-30B-A3B']) {
      expect([m, modelArchitectureOf(m)]).toEqual([m, undefined]);
    }
  });

  test('DeepSeek-R1-Distill-Qwen-32B at its own 131,072 tokens on one 80 GB GPU: 32Gi of KV cache beside 64 GB of weights', () => {
    const [f, ...rest] = kv(1, ['deepseek-ai/DeepSeek-R1-Distill-Qwen-32B'], ['p5.48xlarge']);
    expect(rest).toEqual([]);
    expect(f.message).toContain('a context of 131072 tokens, the model\'s max_position_embeddings (DeepSeek-R1-Distill-Qwen-32B; no --max-model-len): '
      + 'the KV cache of one sequence that long takes 32Gi on each GPU (2 × 64 layers × 8 KV heads × 128 × 2 bytes: 256Ki a token)');
    expect(kv(1, ['deepseek-ai/DeepSeek-R1-Distill-Qwen-32B', '--max-model-len', '32768'], ['p5.48xlarge'])).toEqual([]);
    // Qwen2.5-32B itself, at 32,768 positions, fits
    expect(kv(1, ['Qwen/Qwen2.5-Coder-32B-Instruct'], ['p5.48xlarge'])).toEqual([]);
  });

  test('what the KV cache takes: fp8 halves it, tensor parallelism divides the KV heads (one at least), pipeline parallelism the layers', () => {
    expect(kv(1, [LLAMA_8B])).toHaveLength(1);
    // 42,723 tokens fit at most: 40,000 do, 48,000 do not; the fp8 cache doubles them
    expect(kv(1, [LLAMA_8B, '--max-model-len', '40000'])).toEqual([]);
    expect(kv(1, [LLAMA_8B, '--max-model-len', '48000'])).toHaveLength(1);
    expect(kv(1, [LLAMA_8B, '--max-model-len', '80000', '--kv-cache-dtype', 'fp8'])).toEqual([]);
    expect(kv(1, [LLAMA_8B, '--max-model-len', '90000', '--kv-cache-dtype', 'fp8_e4m3'])[0].message).toContain('× 1 byte: 64Ki a token');
    // over two L4s: 4 KV heads and half the weights each; over eight, one head each (8 KV heads, tensor parallel 8)
    expect(kv(2, [LLAMA_8B, '--tensor-parallel-size', '2'], ['g6.12xlarge'])).toEqual([]);
    const [q] = kv(8, ['Qwen/Qwen2.5-72B-Instruct', '--tensor-parallel-size', '8', '--max-model-len', '1M'], ['g6.48xlarge']);
    expect(q.message).toContain('(2 × 80 layers × 1 KV head × 128 × 2 bytes, with tensor parallel 8: 40Ki a token)');
    expect(kv(4, ['Qwen/Qwen2.5-72B-Instruct', '--pipeline-parallel-size', '4', '--max-model-len', '1M'], ['g6e.12xlarge'])[0].message)
      .toContain('(2 × 20 layers × 8 KV heads × 128 × 2 bytes, with pipeline parallel 4: 80Ki a token)');
    // a quantised model leaves more room: 16Gi of KV cache fits beside an AWQ 8B's 3.7Gi (at most; vLLM's own profile may not)
    expect(kv(1, ['hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4'])).toEqual([]);
    // Qwen3 8B at its own 40,960 tokens: 5.6Gi of KV cache (144Ki a token) against the L4's 5.2Gi; 32,768 fit
    expect(kv(1, ['Qwen/Qwen3-8B'])[0].message).toContain('a context of 40960 tokens, the model\'s max_position_embeddings (Qwen3 8B; no '
      + '--max-model-len): the KV cache of one sequence that long takes 5.6Gi on each GPU (2 × 36 layers × 8 KV heads × 128 × 2 bytes: 144Ki a token)');
    expect(kv(1, ['Qwen/Qwen3-8B', '--max-model-len', '32768'])).toEqual([]);
    // a larger GPU: an L40S leaves 25.3Gi
    expect(kv(1, [LLAMA_8B], ['g6e.xlarge'])).toEqual([]);
    // --gpu-memory-utilization 0.95 leaves 6.3Gi: still short
    expect(kv(1, [LLAMA_8B, '--gpu-memory-utilization', '0.95'])[0].message).toContain('(--gpu-memory-utilization 0.95, less at least 14.9Gi of weights');
  });

  test('the GPUs: every type Karpenter tries first, or the MIG device', () => {
    // a pool of L4s and L40S: the L40S leaves room, so not every type is short
    expect(kv(1, [LLAMA_8B], ['g6.xlarge', 'g6e.xlarge'])).toEqual([]);
    // a heavier pool of L4s is tried first
    const heavy = { ...poolOfTypes('g6.xlarge'), metadata: { name: 'l4' } };
    heavy.spec.weight = 50;
    const [f] = of(lint([heavy, poolOfTypes('g6e.xlarge'), server(1, { args: [LLAMA_8B] })]), 'GPU252');
    expect(f.message).toContain('but on every instance type of NodePool l4 (g6.xlarge), which Karpenter tries first (the highest weight), a GPU holds at most 22.4Gi');
    // a MIG device: its profile's memory
    const mig = server(1, { args: [LLAMA_8B, '--max-model-len', '65536'] });
    mig.spec.template.spec.containers[0].resources = { limits: { 'nvidia.com/mig-2g.20gb': 1 } };
    const [m] = of(lint([poolOfTypes('p4de.24xlarge'), mig]), 'GPU252');
    expect(m.message).toContain('but its nvidia.com/mig-2g.20gb device leaves at most 3.1Gi for it');
  });

  test('not judged: another model or server, flags that size the cache otherwise, a float32 model, no room for the weights (GPU247)', () => {
    expect(kv(1, ['mistralai/Mistral-7B-Instruct-v0.3'])).toEqual([]);
    for (const extra of [['--kv-cache-memory', '4G'], ['--num-gpu-blocks-override', '100'], ['--cpu-offload-gb', '8'], ['--hf-overrides', '{}'],
      ['--max-model-len', 'auto'], ['--dtype', 'float32'], ['--kv-cache-dtype', 'int8'], ['--speculative-config', '{}']]) {
      expect([extra, kv(1, [LLAMA_8B, ...extra])]).toEqual([extra, []]);
    }
    // 72B on one L4: the weights do not fit at all, which GPU247 reports
    expect(kv(1, ['Qwen/Qwen2.5-72B-Instruct'])).toEqual([]);
    const sglang = server(1, { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', LLAMA_8B] });
    expect(of(lint([poolOfTypes('g6.xlarge'), sglang]), 'GPU252')).toEqual([]);
  });
});

describe('GPU253 a model server\'s tensor parallel size must divide the model\'s attention heads', () => {
  const tp = (model: string, size: number, gpus = size) => of(lint([server(gpus, { args: [model, '--tensor-parallel-size', String(size)] })]), 'GPU253');
  const sglang = (args: string[], gpus: number) => server(gpus, { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args });
  const tgi = (args: string[], gpus: number) => server(gpus, { image: 'ghcr.io/huggingface/text-generation-inference:3.0.1', args });

  test('the fixture: Qwen2.5 7B\'s 28 heads over vLLM\'s tensor parallel 8 and over TGI\'s 8 shards', () => {
    const [a, b, ...rest] = failFixture('GPU253');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.ERROR);
    expect([a.fieldPath, a.message]).toEqual(['spec.template.spec.containers[0]', 'container "vllm" runs vLLM with "Qwen/Qwen2.5-7B-Instruct" over '
      + 'tensor parallel 8 (--tensor-parallel-size 8), but the model has 28 attention heads (Qwen2.5 7B), which 8 does not divide: vLLM refuses to '
      + 'start ("Total number of attention heads (28) must be divisible by tensor parallel size (8)", vLLM config/model.py verify_with_parallel_config), '
      + 'and the pod crash-loops holding its GPUs; sizes that divide 28 up to the container\'s 8 GPUs: 1, 2, 4, 7']);
    expect(b.message).toContain('runs TGI with "Qwen/Qwen2.5-7B-Instruct" over one shard per GPU of its container (8), but the model has 28 attention heads');
    expect(b.message).toContain('("`num_heads` must be divisible by `num_shards` (got `num_heads`: 28 and `num_shards`: 8)", TGI flash models)');
  });

  test('sizes that divide the heads pass; others are reported with the sizes that work', () => {
    expect(tp('meta-llama/Llama-3.1-8B-Instruct', 3, 4)[0].message).toContain('32 attention heads (Llama 3.1 8B), which 3 does not divide');
    expect(tp('meta-llama/Llama-3.1-8B-Instruct', 3, 4)[0].message).toMatch(/up to the container's 4 GPUs: 1, 2, 4$/);
    expect(tp('Qwen/Qwen2.5-14B-Instruct', 6)[0].message).toMatch(/40 attention heads .* 1, 2, 4, 5$/);
    expect(tp('deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 8)[0].message).toContain('28 attention heads (DeepSeek-R1-Distill-Qwen-7B), which 8 does not divide');
    expect(tp('Qwen/Qwen2.5-Coder-1.5B-Instruct', 8)[0].message).toMatch(/12 attention heads \(Qwen2.5 1.5B\), which 8 does not divide.* 1, 2, 3, 4, 6$/);
    for (const [model, size] of [['Qwen/Qwen2.5-Coder-32B-Instruct', 8], ['deepseek-ai/DeepSeek-R1-Distill-Llama-70B', 8], ['Qwen/Qwen2.5-Coder-1.5B-Instruct', 3],
      ['Qwen/Qwen2.5-14B-Instruct', 8], ['Qwen/Qwen2.5-7B-Instruct', 4], ['Qwen/Qwen2.5-7B-Instruct', 7],
      ['meta-llama/Llama-3.3-70B-Instruct', 8], ['Qwen/Qwen2.5-72B-Instruct', 8]] as const) {
      expect([model, size, tp(model, size)]).toEqual([model, size, []]);
    }
  });

  test('SGLang\'s --tp and TGI\'s shards (--num-shard, else one per GPU) too', () => {
    expect(of(lint([sglang(['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--tp', '8'], 8)]), 'GPU253')[0].message)
      .toContain('runs SGLang with "Qwen/Qwen2.5-7B-Instruct" over tensor parallel 8, but the model has 28 attention heads (Qwen2.5 7B), which 8 does not '
        + 'divide: SGLang stops while it builds the model (its attention layers "assert self.total_num_heads % attn_tp_size == 0", SGLang srt/models)');
    expect(of(lint([sglang(['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--tp', '4', '--dp', '2'], 8)]), 'GPU253')).toEqual([]);
    // data-parallel attention splits the heads over tp / dp: not judged
    expect(of(lint([sglang(['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--tp', '8', '--dp', '2', '--enable-dp-attention'], 8)]), 'GPU253')).toEqual([]);
    expect(of(lint([tgi(['--model-id', 'Qwen/Qwen2.5-7B-Instruct', '--num-shard', '3'], 4)]), 'GPU253')[0].message).toContain('over 3 shard(s) (--num-shard 3)');
    expect(of(lint([tgi(['--model-id', 'Qwen/Qwen2.5-7B-Instruct', '--num-shard', '4'], 8)]), 'GPU253')).toEqual([]);
  });

  test('a huge GPU count lists the divisors up to the heads (the listing stops there); an unreadable one is not judged', () => {
    expect(tp('Qwen/Qwen2.5-7B-Instruct', 8, 1e9)[0].message).toMatch(/up to the container's 1000000000 GPUs: 1, 2, 4, 7, 14, 28$/);
    const huge = server(1, { args: ['Qwen/Qwen2.5-7B-Instruct', '--tensor-parallel-size', '8'] });
    huge.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = 1e400;
    expect(of(validateManifests([{ object: huge }], { schemaGate: false }), 'GPU253')).toEqual([]);
  });

  test('not judged: a model it does not know, llama.cpp, a tensor size it cannot read', () => {
    expect(tp('mistralai/Mistral-7B-Instruct-v0.3', 3)).toEqual([]);
    expect(of(lint([server(8, { args: ['Qwen/Qwen2.5-7B-Instruct', '--tensor-parallel-size', '$(TP)'] })]), 'GPU253')).toEqual([]);
    expect(of(lint([sglang(['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--tp', '$(TP)'], 8)]), 'GPU253')).toEqual([]);
    expect(of(lint([server(3, { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-hf', 'Qwen/Qwen2.5-7B-Instruct-GGUF:Q4_K_M'] })]), 'GPU253')).toEqual([]);
  });
});

describe('GPU247 a model server\'s weights must fit the memory of the GPUs that hold them', () => {
  /** GPU247's findings on a server of `gpus` GPUs with `container`'s fields, on a pool of `poolTypes`. */
  const mem = (gpus: number, container: any, poolTypes: string[] = ['g6.xlarge'], extra: (w: any) => void = () => undefined) => {
    const w = server(gpus, container);
    extra(w);
    return of(lint([poolOfTypes(...poolTypes), w]), 'GPU247');
  };
  const vllm = (...args: string[]) => ({ args });

  test('the fixture: every type too small, some types too small (Karpenter chooses by price), a MIG device', () => {
    const [a, b, c, ...rest] = failFixture('GPU247');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.WARNING);
    expect(a.message).toBe('container "vllm" runs vLLM with "Qwen/Qwen2.5-72B-Instruct" over 4 GPUs (tensor 4 × pipeline 1), each of which holds at '
      + 'least 33.5Gi of its weights (72B parameters at 16 bits each: 144 GB, by bf16, the name marking no quantisation, split 4 ways), but on every '
      + 'instance type it can run on (g5.12xlarge) a GPU holds at most 22.4Gi (A10G-24GB), of which it may use 20.1Gi (--gpu-memory-utilization '
      + '0.9, vLLM\'s default): the model does not load ("CUDA out of memory", or "No available memory for the cache blocks"), the server exits and '
      + 'the pod crash-loops holding its GPUs');
    expect(b.message).toContain('each of which holds at least 29.8Gi of its weights (32B parameters at 16 bits each: 64 GB, by bf16, the name marking no '
      + 'quantisation, split 2 ways), but instance type g5.12xlarge, where its pods also fit, have GPUs of at most 22.4Gi (A10G-24GB), of which it may use '
      + '20.1Gi (--gpu-memory-utilization 0.9, vLLM\'s default); Karpenter chooses among the types that fit a pod\'s requests by price, not by GPU memory');
    expect(c.message).toContain('on one GPU, which holds at least 13Gi of its weights (7B parameters at 16 bits each: 14 GB, by bf16, the name marking no '
      + 'quantisation), but its nvidia.com/mig-1g.10gb device holds at most 10Gi, of which it may use 9Gi (--gpu-memory-utilization 0.9, vLLM\'s default)');
  });

  test('the boundary: a 7B model fits an L4 (13Gi of 20.1Gi), a 14B one does not; --gpu-memory-utilization moves it', () => {
    expect(mem(1, vllm('Qwen/Qwen2.5-7B-Instruct'))).toEqual([]);
    expect(mem(1, vllm('Qwen/Qwen2.5-14B-Instruct'))).toHaveLength(1);
    expect(mem(1, vllm('Qwen/Qwen2.5-14B-Instruct'), ['g6e.xlarge'])).toEqual([]);
    expect(mem(1, vllm('Qwen/Qwen2.5-14B-Instruct', '--gpu-memory-utilization', '0.5'), ['g6e.xlarge'])[0].message)
      .toContain('of which it may use 22.4Gi (--gpu-memory-utilization 0.5)');
    expect(mem(1, vllm('Qwen/Qwen2.5-14B-Instruct', '--gpu_memory_utilization=0.5'), ['g6e.xlarge'])).toHaveLength(1);
    // split over tensor × pipeline; data parallelism copies the weights, unless vLLM spreads experts over it
    expect(mem(2, vllm('Qwen/Qwen2.5-14B-Instruct', '-tp', '2'), ['g6.12xlarge'])).toEqual([]);
    expect(mem(2, vllm('Qwen/Qwen2.5-14B-Instruct', '-dp', '2'), ['g6.12xlarge'])).toHaveLength(1);
    expect(mem(2, vllm('Qwen/Qwen2.5-14B-Instruct', '-dp', '2', '--enable-expert-parallel'), ['g6.12xlarge'])).toEqual([]);
  });

  test('quantisation as it loads lowers the weights (fp8: 8 bits, bitsandbytes: 4); a method it does not know is not judged', () => {
    expect(mem(1, vllm('Qwen/Qwen2.5-14B-Instruct', '--quantization', 'fp8'))).toEqual([]);
    expect(mem(1, vllm('Qwen/Qwen2.5-32B-Instruct', '-q', 'fp8'))[0].message).toContain('(32B parameters at 8 bits each: 32 GB, by its fp8 quantisation)');
    expect(mem(1, vllm('Qwen/Qwen2.5-32B-Instruct', '--quantization', 'bitsandbytes'))).toEqual([]);
    expect(mem(1, vllm('Qwen/Qwen2.5-32B-Instruct', '--quantization', 'some-new-method'))).toEqual([]);
  });

  test('Karpenter\'s choice by price: reported when a type the pods fit is too small, unless a preferred node affinity steers it', () => {
    const mixed = ['g6.12xlarge', 'g6e.12xlarge'];
    expect(mem(1, vllm('Qwen/Qwen2.5-14B-Instruct'), mixed)[0].message).toContain('but instance type g6.12xlarge, where its pods also fit');
    const prefer = (w: any) => {
      w.spec.template.spec.affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-memory', operator: 'Gt', values: ['40000'] }] } }] } };
    };
    expect(mem(1, vllm('Qwen/Qwen2.5-14B-Instruct'), mixed, prefer)).toEqual([]);
    // a preference cannot help when no type holds the weights
    expect(mem(1, vllm('Qwen/Qwen2.5-32B-Instruct'), mixed, prefer)[0].message).toContain('on every instance type it can run on (g6.12xlarge, g6e.12xlarge)');
  });

  test('TGI: one shard per GPU of its container unless --num-shard; --cuda-memory-fraction, --quantize. SGLang: tp × pp, --mem-fraction-static', () => {
    const tgi = (args: string[], env: any[] = []) => ({ image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', ...args], env });
    expect(mem(1, tgi(['Qwen/Qwen2.5-14B-Instruct']))[0].message).toContain('runs TGI with "Qwen/Qwen2.5-14B-Instruct" on one GPU');
    expect(mem(1, tgi(['Qwen/Qwen2.5-14B-Instruct']))[0].message).toContain('of which it may use 22.4Gi (the whole GPU)');
    expect(mem(2, tgi(['Qwen/Qwen2.5-14B-Instruct']), ['g6.12xlarge'])).toEqual([]);
    expect(mem(2, tgi(['Qwen/Qwen2.5-14B-Instruct', '--num-shard', '1']), ['g6.12xlarge'])[0].message).toContain('with "Qwen/Qwen2.5-14B-Instruct" on one GPU, which holds at least 26.1Gi');
    expect(mem(4, tgi(['Qwen/Qwen2.5-72B-Instruct', '--num-shard', '2']), ['g6.12xlarge'])[0].message).toContain('over 2 GPUs (2 shard(s) (--num-shard 2))');
    expect(mem(1, tgi(['Qwen/Qwen2.5-7B-Instruct'], [{ name: 'CUDA_MEMORY_FRACTION', value: '0.5' }]))[0].message).toContain('(CUDA_MEMORY_FRACTION=0.5)');
    expect(mem(1, tgi(['Qwen/Qwen2.5-14B-Instruct', '--quantize', 'bitsandbytes-nf4']))).toEqual([]);
    expect(mem(1, tgi(['Qwen/Qwen2.5-14B-Instruct'], [{ name: 'NUM_SHARD', value: '$(SHARDS)' }]))).toEqual([]);
    const sglang = (args: string[]) => ({ image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', ...args, '--host', '0.0.0.0'] });
    expect(mem(1, sglang(['Qwen/Qwen2.5-14B-Instruct']))).toHaveLength(1);
    expect(mem(2, sglang(['Qwen/Qwen2.5-14B-Instruct', '--tp', '2']), ['g6.12xlarge'])).toEqual([]);
    expect(mem(1, sglang(['Qwen/Qwen2.5-7B-Instruct', '--mem-fraction-static', '0.5']))[0].message).toContain('(--mem-fraction-static 0.5)');
  });

  test('not judged: llama.cpp, CPU offload, multi-node, a shell, a local path, a variable, no pools, a name without a count', () => {
    const big = 'Qwen/Qwen2.5-32B-Instruct';
    expect(mem(1, { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-hf', 'unsloth/Llama-3.3-70B-Instruct-GGUF:Q8_0'] })).toEqual([]);
    expect(mem(1, vllm(big, '--cpu-offload-gb', '40'))).toEqual([]);
    expect(mem(1, vllm(big, '--distributed-executor-backend', 'ray'))).toEqual([]);
    expect(mem(1, { command: ['/bin/sh', '-c'], args: [`vllm serve ${big}`] })).toEqual([]);
    expect(mem(1, vllm('/models/qwen-32b'))).toEqual([]);
    expect(mem(1, vllm(big, '--gpu-memory-utilization', '$(UTIL)'))).toEqual([]);
    expect(of(lint([server(1, vllm(big))]), 'GPU247')).toEqual([]);
    expect(mem(1, vllm('deepseek-ai/DeepSeek-V3'))).toEqual([]);
  });
});

describe('GPU247 judges the NodePools Karpenter tries first', () => {
  test('a heavier pool of large GPUs is tried before a pool of small ones; a heavier pool of small ones fails the pods', () => {
    const pool = (name: string, type: string, weight?: number) => {
      const p = nodePool({ name, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: [type] }] });
      if (weight !== undefined) p.spec.weight = weight;
      return p;
    };
    const w = server(1, { args: ['Qwen/Qwen2.5-14B-Instruct'] });
    const gpu247 = (...pools: any[]) => of(lint([...pools, w]), 'GPU247');
    expect(gpu247(pool('l4', 'g6.xlarge'), pool('l40s', 'g6e.xlarge', 10))).toEqual([]);
    expect(gpu247(pool('l4', 'g6.xlarge', 10), pool('l40s', 'g6e.xlarge'))[0].message)
      .toContain('on every instance type of NodePool l4 (g6.xlarge), which Karpenter tries first (the highest weight), a GPU holds at most 22.4Gi');
    // equal weights: either may be tried
    expect(gpu247(pool('l4', 'g6.xlarge'), pool('l40s', 'g6e.xlarge'))[0].message).toContain('but instance type g6.xlarge, where its pods also fit');
  });
});

describe('GPU254 a model server\'s context must not exceed the positions of its model', () => {
  const vllm = (args: string[], env?: any[]) => of(lint([server(1, { args, ...(env ? { env } : {}) })]), 'GPU254');
  const sglang = (args: string[], env?: any[]) => of(lint([server(1, {
    image: 'lmsysorg/sglang:v0.5.5',
    command: ['python3', '-m', 'sglang.launch_server'],
    args: ['--host', '0.0.0.0', ...args],
    ...(env ? { env } : {}),
  })]), 'GPU254');

  test('the fixture: Qwen2.5 72B Instruct at 131,072 tokens (vLLM), Qwen2.5 7B Instruct at 65,536 (SGLang), against 32,768 positions', () => {
    const [a, b, ...rest] = failFixture('GPU254');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.WARNING);
    expect([a.fieldPath, a.message]).toEqual(['spec.template.spec.containers[0]', 'container "vllm" runs vLLM with "Qwen/Qwen2.5-72B-Instruct" and '
      + '--max-model-len 131072: 131072 tokens, more than the 32768 positions of the model (Qwen2.5 72B: max_position_embeddings in its config.json, '
      + 'with no rope scaling on the command line): vLLM refuses to start ("User-specified max_model_len (131072) is greater than the derived '
      + 'max_model_len (max_position_embeddings=32768 …)", vLLM config/model.py) unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1, and the pod crash-loops holding its GPUs']);
    expect(b.message).toContain('runs SGLang with "Qwen/Qwen2.5-7B-Instruct" and --context-length 65536: 65536 tokens, more than the 32768 positions');
    expect(b.message).toContain('SGLang refuses to start ("User-specified context_length (65536) is greater than the derived context_length (32768)"');
  });

  test('vLLM: suffixed lengths, Llama 3 8B\'s 8,192 and Llama 3.1\'s 131,072; at or below the positions passes', () => {
    expect(vllm(['Qwen/Qwen2.5-7B-Instruct', '--max-model-len', '64k'])[0].message).toContain('--max-model-len 64k: 64000 tokens, more than the 32768');
    expect(vllm(['meta-llama/Meta-Llama-3-8B-Instruct', '--max_model_len=16384'])[0].message).toContain('more than the 8192 positions of the model (Llama 3 8B');
    expect(vllm(['meta-llama/Llama-3.1-8B-Instruct', '--max-model-len', '200000'])).toHaveLength(1);
    expect(vllm(['deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', '--max-model-len', '262144'])[0].message).toContain('131072 positions');
    for (const args of [['Qwen/Qwen2.5-7B-Instruct', '--max-model-len', '32768'], ['Qwen/Qwen2.5-7B-Instruct', '--max-model-len', '32K'],
      ['meta-llama/Meta-Llama-3-8B-Instruct', '--max-model-len', '8192'], ['meta-llama/Llama-3.1-8B-Instruct', '--max-model-len', '131072']]) {
      expect([args, vllm(args)]).toEqual([args, []]);
    }
  });

  test('allowed by the server\'s variable (1 or true), or from a reference: not reported; any other value is', () => {
    const args = ['Qwen/Qwen2.5-7B-Instruct', '--max-model-len', '65536'];
    expect(vllm(args, [{ name: 'VLLM_ALLOW_LONG_MAX_MODEL_LEN', value: '1' }])).toEqual([]);
    expect(vllm(args, [{ name: 'VLLM_ALLOW_LONG_MAX_MODEL_LEN', value: 'True' }])).toEqual([]);
    expect(vllm(args, [{ name: 'VLLM_ALLOW_LONG_MAX_MODEL_LEN', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }])).toEqual([]);
    expect(vllm(args, [{ name: 'VLLM_ALLOW_LONG_MAX_MODEL_LEN', value: '0' }])).toHaveLength(1);
    // the other server's variable does not count
    expect(vllm(args, [{ name: 'SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN', value: '1' }])).toHaveLength(1);
    expect(sglang(['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--context-length', '65536'], [{ name: 'SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN', value: '1' }])).toEqual([]);
  });

  test('not judged: rope scaling on the command line, a context it cannot read, names whose positions are not exact, TGI', () => {
    expect(vllm(['Qwen/Qwen2.5-7B-Instruct', '--max-model-len', '131072', '--rope-scaling', '{"rope_type":"yarn","factor":4.0,"original_max_position_embeddings":32768}'])).toEqual([]);
    expect(sglang(['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--context-length', '131072', '--json-model-override-args', '{"rope_scaling":{"rope_type":"yarn","factor":4.0}}'])).toEqual([]);
    expect(vllm(['Qwen/Qwen2.5-7B-Instruct', '--max-model-len', '$(LEN)'])).toEqual([]);
    expect(vllm(['Qwen/Qwen2.5-7B-Instruct', '--max-model-len', 'auto'])).toEqual([]);
    expect(sglang(['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--context-length', '64k'])).toEqual([]);
    // base models (131,072 positions), the 1M and 2507 variants, fine-tunes that mark a longer context, unknown models
    for (const model of ['Qwen/Qwen2.5-7B', 'Qwen/Qwen2.5-7B-Instruct-1M', 'Qwen/Qwen3-4B-Instruct-2507', 'gradientai/Llama-3-8B-Instruct-Gradient-1048k',
      'someone/Llama-3-8B-Instruct-262k', 'NousResearch/Yarn-Llama-3-8B-Instruct', 'mistralai/Mistral-7B-Instruct-v0.3']) {
      expect([model, vllm([model, '--max-model-len', '1048576'])]).toEqual([model, []]);
    }
    expect(of(lint([server(1, { image: 'ghcr.io/huggingface/text-generation-inference:3.0.1', args: ['--model-id', 'Qwen/Qwen2.5-7B-Instruct', '--max-total-tokens', '65536'] })]), 'GPU254')).toEqual([]);
  });

  test('modelPositionsOf: exact positions only', () => {
    expect(modelPositionsOf('Qwen/Qwen2.5-Coder-32B-Instruct-AWQ')).toEqual({ positions: 32768, family: 'Qwen2.5 32B' });
    expect(modelPositionsOf('Qwen/Qwen3-8B')).toEqual({ positions: 40960, family: 'Qwen3 8B' });
    expect(modelPositionsOf('meta-llama/Llama-3.3-70B-Instruct')).toEqual({ positions: 131072, family: 'Llama 3.1/3.3 70B' });
    expect(modelPositionsOf('Qwen/Qwen2.5-Coder-7B')).toBeUndefined();
    expect(modelPositionsOf('Qwen/Qwen3-8B-Base')).toBeUndefined();
  });
});

describe('GPU255 TGI\'s token limits must be in the order its launcher checks', () => {
  const tgi = (args: string[], env: any[] = [], extra: any = {}) => of(lint([server(1, {
    image: 'ghcr.io/huggingface/text-generation-inference:3.0.1', args: ['--model-id', 'Qwen/Qwen2.5-7B-Instruct', ...args], env, ...extra,
  })]), 'GPU255');

  test('the fixture: an input as long as the total; a batch prefill budget below the input, from variables', () => {
    const [a, b, ...rest] = failFixture('GPU255');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.ERROR);
    expect([a.fieldPath, a.message]).toEqual(['spec.template.spec.containers[0]', 'container "tgi" runs TGI with --max-input-tokens 4096 and '
      + '--max-total-tokens 4096: its launcher refuses to start ("`max_input_tokens must be < `max_total_tokens`", TGI launcher) and the pod '
      + 'crash-loops holding its GPUs']);
    expect(b.message).toContain('runs TGI with MAX_INPUT_TOKENS=8192 and MAX_BATCH_PREFILL_TOKENS=4096: its launcher refuses to start '
      + '("`max_batch_prefill_tokens` must be >= `max_input_tokens`. Given: 4096 and 8192"');
  });

  test('every bound the launcher checks; the flag wins over its variable; the legacy --max-input-length counts', () => {
    expect(tgi(['--max-batch-prefill-tokens', '9000', '--max-batch-total-tokens', '8000'])[0].message)
      .toContain('("`max_batch_prefill_tokens` must be <= `max_batch_total_tokens`. Given: 9000 and 8000"');
    expect(tgi(['--max-total-tokens', '16384', '--max-batch-total-tokens', '8192'])[0].message)
      .toContain('("`max_total_tokens` must be <= `max_batch_total_tokens`. Given: 16384 and 8192"');
    expect(tgi(['--max-input-length', '5000', '--max-total-tokens', '4096'])[0].message).toContain('--max-input-length 5000 and --max-total-tokens 4096');
    // two limits out of order in one container: a finding each
    expect(tgi(['--max-input-tokens', '8192', '--max-total-tokens', '8192', '--max-batch-prefill-tokens', '4096'])).toHaveLength(2);
    // the flag is read before the variable
    expect(tgi(['--max-total-tokens', '16384'], [{ name: 'MAX_INPUT_TOKENS', value: '8192' }, { name: 'MAX_TOTAL_TOKENS', value: '4096' }])).toEqual([]);
    expect(tgi([], [{ name: 'MAX_INPUT_TOKENS', value: '8192' }, { name: 'MAX_TOTAL_TOKENS', value: '4096' }])).toHaveLength(1);
  });

  test('not judged: limits in order, one limit alone (TGI derives the rest), a reference or a word, other servers', () => {
    expect(tgi(['--max-input-tokens', '4095', '--max-total-tokens', '4096', '--max-batch-prefill-tokens', '4095', '--max-batch-total-tokens', '4096'])).toEqual([]);
    expect(tgi(['--max-input-tokens', '32000'])).toEqual([]);
    expect(tgi(['--max-total-tokens', '$(TOTAL)', '--max-input-tokens', '8192'])).toEqual([]);
    expect(tgi(['--max-input-tokens', '8192'], [{ name: 'MAX_TOTAL_TOKENS', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }])).toEqual([]);
    expect(of(lint([server(1, { args: ['Qwen/Qwen2.5-7B-Instruct', '--max-input-tokens', '9', '--max-total-tokens', '8'] })]), 'GPU255')).toEqual([]);
  });
});

describe('GPU256 vLLM\'s bfloat16 and Marlin kernels need GPUs of compute capability 8.0', () => {
  const on = (names: string[], args: string[], extra: any = {}) => {
    const w = server(1, { args: ['Qwen/Qwen2.5-1.5B-Instruct', ...args] });
    Object.assign(w.spec.template.spec, extra);
    return of(lint([poolOfTypes(...names), w]), 'GPU256');
  };

  test('the fixture: bfloat16 on a pool that also offers the cheaper g4dn; awq_marlin on T4s only', () => {
    const [a, b, ...rest] = failFixture('GPU256');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.ERROR);
    expect([a.fieldPath, a.message]).toEqual(['spec.template.spec.containers[0]', 'container "vllm" runs vLLM with --dtype bfloat16, which needs GPUs '
      + 'of compute capability 8.0 or more, but instance type g4dn.xlarge it can run on has T4-16GB GPUs (compute capability 7.5), and Karpenter, '
      + 'choosing among the types that fit by price, may launch one: there vLLM refuses to start ("Bfloat16 is only supported on GPUs with compute '
      + 'capability of at least 8.0. Your … GPU has compute capability 7.5", vLLM platforms/cuda.py) and the pod crash-loops holding its GPU']);
    expect(b.message).toContain('runs vLLM with --quantization awq_marlin, which needs GPUs of compute capability 8.0 or more, but every instance type '
      + 'it can run on (g4dn.xlarge) has T4-16GB GPUs (compute capability 7.5): there vLLM refuses to start ("The quantization method awq_marlin is '
      + 'not supported for the current GPU. Minimum capability: 80. Current capability: 75.", vLLM config)');
  });

  test('bf16, gptq_marlin and marlin too; each need its own finding', () => {
    expect(on(['g4dn.xlarge'], ['--dtype', 'bf16'])).toHaveLength(1);
    expect(on(['g4dn.2xlarge'], ['--quantization', 'gptq_marlin'])).toHaveLength(1);
    expect(on(['g4dn.xlarge'], ['-q', 'marlin', '--dtype=bfloat16'])).toHaveLength(2);
  });

  test('not reported: GPUs of 8.0 or more, float16 or auto, AWQ and GPTQ\'s own kernels, fp8, a preferred affinity away from the T4', () => {
    for (const types of [['g5.xlarge'], ['g6.xlarge', 'g6e.xlarge'], ['p4d.24xlarge']]) expect([types, on(types, ['--dtype', 'bfloat16'])]).toEqual([types, []]);
    for (const args of [['--dtype', 'half'], ['--dtype', 'auto'], [], ['--quantization', 'awq'], ['--quantization', 'gptq'], ['--quantization', 'fp8']]) {
      expect([args, on(['g4dn.xlarge'], args)]).toEqual([args, []]);
    }
    const prefer = { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'NotIn', values: ['t4'] }] } }] } } };
    expect(on(['g4dn.xlarge', 'g5.xlarge'], ['--dtype', 'bfloat16'], prefer)).toEqual([]);
    // (a preference cannot help when every type is a T4)
    expect(on(['g4dn.xlarge'], ['--dtype', 'bfloat16'], prefer)).toHaveLength(1);
  });
});

describe('GPU257 vLLM must not be told to run Gemma 2 or Gemma 3 in float16', () => {
  const gemma = (args: string[]) => of(lint([server(1, { args })]), 'GPU257');

  test('the fixture: Gemma 2 9B with --dtype half, Gemma 3 1B with --dtype float16', () => {
    const [a, b, ...rest] = failFixture('GPU257');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.ERROR);
    expect([a.fieldPath, a.message]).toEqual(['spec.template.spec.containers[0]', 'container "vllm" runs vLLM with "google/gemma-2-9b-it" (Gemma 2) in '
      + 'float16 (--dtype half): vLLM refuses to start ("The model type … does not support float16. Reason: Numerical instability. Please use '
      + 'bfloat16 or float32 instead.", vLLM config/model.py) and the pod crash-loops holding its GPUs']);
    expect(b.message).toContain('"google/gemma-3-1b-it" (Gemma 3) in float16 (--dtype float16)');
  });

  test('fine-tunes and quantisations keeping the name; not Gemma 3n, other models, or other dtypes', () => {
    expect(gemma(['google/gemma-3-27b-it-qat-q4_0-unquantized', '--dtype=half'])).toHaveLength(1);
    expect(gemma(['someone/gemma-2-2b-it-sft', '--dtype', 'float16'])).toHaveLength(1);
    for (const args of [['google/gemma-3n-E4B-it', '--dtype', 'half'], ['google/gemma-7b-it', '--dtype', 'half'], ['Qwen/Qwen2.5-7B-Instruct', '--dtype', 'half'],
      ['google/gemma-2-9b-it', '--dtype', 'bfloat16'], ['google/gemma-2-9b-it', '--dtype', 'float32'], ['google/gemma-2-9b-it']]) {
      expect([args, gemma(args)]).toEqual([args, []]);
    }
  });
});

describe('GPU258 AWQ or GPTQ quantisation (vLLM, TGI) needs a checkpoint quantised that way', () => {
  const quant = (args: string[]) => of(lint([server(1, { args })]), 'GPU258');

  test('the fixture: awq on the bf16 repository, gptq_marlin on an AWQ one', () => {
    const [a, b, ...rest] = failFixture('GPU258');
    expect(rest).toEqual([]);
    expect(a.severity).toBe(Severity.WARNING);
    expect([a.fieldPath, a.message]).toEqual(['spec.template.spec.containers[0]', 'container "vllm" runs vLLM with --quantization awq on '
      + '"Qwen/Qwen2.5-7B-Instruct", whose name marks no AWQ checkpoint: AWQ is a format of the weights as stored, which vLLM does not convert to, '
      + 'so on a checkpoint in bf16 it refuses to start ("Cannot find the config file for awq", vLLM get_quant_config), and on one quantised another '
      + 'way too (the model config\'s method "does not match the quantization method specified in the `quantization` argument"), and the pod '
      + 'crash-loops holding its GPUs']);
    expect(b.message).toContain('--quantization gptq_marlin on "Qwen/Qwen2.5-14B-Instruct-AWQ", whose name marks no GPTQ checkpoint');
  });

  test('the format\'s word anywhere in the name, in any case; -q and = forms', () => {
    for (const args of [['hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4', '--quantization', 'awq_marlin'], ['TheBloke/Mistral-7B-Instruct-v0.2-GPTQ', '-q', 'gptq'],
      ['Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4', '--quantization=gptq_marlin'], ['casperhansen/llama-3-8b-instruct-awq', '--quantization', 'awq']]) {
      expect([args, quant(args)]).toEqual([args, []]);
    }
    expect(quant(['meta-llama/Llama-3.1-8B-Instruct', '-q', 'gptq'])).toHaveLength(1);
    expect(quant(['Qwen/Qwen2.5-7B-Instruct', '--quantization=awq_marlin'])).toHaveLength(1);
    // (a word that only contains the format's letters is not its marker)
    expect(quant(['someone/awqward-7B', '--quantization', 'awq'])).toHaveLength(1);
  });

  test('TGI: --quantize awq or gptq (or QUANTIZE) on a name that marks no such checkpoint', () => {
    const tgi = (args: string[], env: any[] = []) => of(lint([server(1, { image: 'ghcr.io/huggingface/text-generation-inference:3.0.1', args, env })]), 'GPU258');
    const [f] = tgi(['--model-id', 'Qwen/Qwen2.5-7B-Instruct', '--quantize', 'awq']);
    expect(f.message).toBe('container "main" runs TGI with --quantize awq on "Qwen/Qwen2.5-7B-Instruct", whose name marks no AWQ checkpoint: AWQ '
      + 'is a format of the weights as stored, which TGI does not convert to, so it stops as it loads the weights ("Cannot load `awq` weight, make '
      + 'sure the model is already quantized", TGI weights.py), and the pod crash-loops holding its GPUs');
    expect(tgi(['--model-id', 'Qwen/Qwen2.5-7B-Instruct'], [{ name: 'QUANTIZE', value: 'gptq' }])[0].message).toContain('runs TGI with QUANTIZE=gptq on');
    // methods TGI applies as it loads, and the right checkpoints
    for (const args of [['--quantize', 'eetq'], ['--quantize', 'bitsandbytes-nf4'], ['--quantize', 'fp8'], ['--quantize', 'awq_marlin']]) {
      expect([args, tgi(['--model-id', 'Qwen/Qwen2.5-7B-Instruct', ...args])]).toEqual([args, []]);
    }
    expect(tgi(['--model-id', 'Qwen/Qwen2.5-7B-Instruct-AWQ', '--quantize', 'awq'])).toEqual([]);
  });

  test('not judged: methods that quantise as the model loads, no method, other servers', () => {
    for (const args of [['Qwen/Qwen2.5-7B-Instruct', '--quantization', 'fp8'], ['Qwen/Qwen2.5-7B-Instruct', '--quantization', 'bitsandbytes'], ['Qwen/Qwen2.5-7B-Instruct']]) {
      expect([args, quant(args)]).toEqual([args, []]);
    }
    const sglang = server(1, { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], args: ['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--quantization', 'awq'] });
    expect(of(lint([sglang]), 'GPU258')).toEqual([]);
  });
});

describe('GPU259 vLLM\'s switches that need a partner flag', () => {
  const pair = (args: string[], command?: string[]) => of(lint([server(1, { args: ['Qwen/Qwen2.5-7B-Instruct', ...args], ...(command ? { command } : {}) })]), 'GPU259');

  test('the fixture: --enable-auto-tool-choice without --tool-call-parser', () => {
    const [f, ...rest] = failFixture('GPU259');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect([f.fieldPath, f.message]).toEqual(['spec.template.spec.containers[0]', 'container "vllm" runs vLLM with --enable-auto-tool-choice but no '
      + '--tool-call-parser: vLLM stops before it loads the model ("Error: --enable-auto-tool-choice requires --tool-call-parser", vLLM cli_args.py '
      + 'validate_parsed_serve_args) and the pod crash-loops holding its GPUs']);
  });

  test('a parser with no name, the underscore spellings, --enable-log-outputs without --enable-log-requests', () => {
    expect(pair(['--enable-auto-tool-choice', '--tool-call-parser'])).toHaveLength(1);
    expect(pair(['--enable_auto_tool_choice'])).toHaveLength(1);
    expect(pair(['--enable-log-outputs'])[0].message).toContain('("Error: --enable-log-outputs requires --enable-log-requests"');
    expect(pair(['--enable-auto-tool-choice', '--enable-log-outputs'])).toHaveLength(2);
  });

  test('not reported: the partner given (either spelling, = or a space, the switch last), no switch, a shell script', () => {
    for (const args of [['--enable-auto-tool-choice', '--tool-call-parser', 'hermes'], ['--tool_call_parser=llama3_json', '--enable-auto-tool-choice'],
      ['--enable-log-outputs', '--enable-log-requests'], ['--enable-log-outputs', '--enable_log_requests'], ['--tool-call-parser', 'hermes'], []]) {
      expect([args, pair(args)]).toEqual([args, []]);
    }
    expect(pair([], ['/bin/sh', '-c', 'vllm serve Qwen/Qwen2.5-7B-Instruct --enable-auto-tool-choice'])).toEqual([]);
  });
});
