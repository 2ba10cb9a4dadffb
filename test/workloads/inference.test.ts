import { ApiObject, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { BOUND, chart, configError, g5, g6Spot, lintAll, ofKind, one, synth } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodePool, SpotGpuPool } from '../../src/pools';
import { GpuScaleTarget, KedaGpuScaler } from '../../src/scaling';
import { GpuRequest, InferenceDeployment, ModelCache, TieredPriorities } from '../../src/workloads';
import { expectValid } from '../conformance/schema';

const VLLM = { model: 'meta-llama/Llama-3-8B-Instruct' };
const podSpec = (objs: any[]) => one(objs, 'Deployment').spec.template.spec;
const container = (objs: any[]) => podSpec(objs).containers[0];

describe('InferenceDeployment', () => {
  test('GPU resources survive synthesis, with requests equal to limits (cpu and memory too)', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, gpus: GpuRequest.whole(2) });
    const r = container(synth(c)).resources;
    expect(r.limits['nvidia.com/gpu']).toBe(2);
    expect(r.requests['nvidia.com/gpu']).toBe(2);
    expect(r.requests.cpu).toBe(r.limits.cpu);
    expect(r.requests.memory).toBe(r.limits.memory);
  });

  test('a plain JSON patch of an extended resource vanishes in cdk8s-plus (why GPUs are patched as Quantity)', () => {
    const c = chart();
    const d = new kplus.Deployment(c, 'd', { containers: [{ image: 'x' }] });
    ApiObject.of(d).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', '1'));
    expect(Testing.synth(c)[0].spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
  });

  test('vLLM shortcut: command, args with tensor parallelism = GPUs, port 8000, /health probes, HF token from a Secret', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', {
      pools: [g5(c)],
      gpus: GpuRequest.whole(4),
      vllm: { ...VLLM, maxModelLen: 8192, hfTokenSecret: { secretName: 'hf-token', key: 'token' } },
    });
    const ct = container(synth(c));
    expect(ct.image).toBe(InferenceDeployment.DEFAULT_VLLM_IMAGE);
    expect(ct.command).toEqual(['vllm', 'serve']);
    expect(ct.args).toEqual([VLLM.model, '--host', '0.0.0.0', '--port', '8000', '--tensor-parallel-size', '4', '--max-model-len', '8192']);
    expect(ct.ports).toEqual([{ containerPort: 8000, name: 'http' }]);
    expect(ct.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } });
    expect(ct.startupProbe.httpGet.path).toBe('/health');
    // 30 minutes of model loading before the first restart
    expect(ct.startupProbe.failureThreshold * ct.startupProbe.periodSeconds).toBe(1800);
    expect(ct.readinessProbe.httpGet).toMatchObject({ path: '/health', port: 8000 });
    expect(ct.livenessProbe.periodSeconds).toBe(30);
  });

  test('GPU232 at synth: a vLLM startup timeout under 10 minutes is reported, the 30-minute default is not', () => {
    const short = chart();
    new InferenceDeployment(short, 'llm', { pools: [g5(short)], vllm: VLLM, startupTimeout: Duration.minutes(5) });
    expect(lintAll(synth(short)).filter((f) => f.includes(' GPU232 '))).toEqual([
      expect.stringMatching(/^warning GPU232 Deployment\/.+ spec\.template\.spec\.containers\[0\]\.startupProbe: .*kills it 300 s after it starts/),
    ]);
    const dflt = chart();
    new InferenceDeployment(dflt, 'llm', { pools: [g5(dflt)], vllm: VLLM });
    expect(lintAll(synth(dflt)).filter((f) => f.includes(' GPU232 '))).toEqual([]);
  });

  test('GPU235 at synth: a gated model (Llama) without vllm.hfTokenSecret is reported; with it, it is not', () => {
    const bare = chart();
    new InferenceDeployment(bare, 'llm', { pools: [g5(bare)], vllm: VLLM });
    expect(lintAll(synth(bare)).filter((f) => f.includes(' GPU235 '))).toEqual([
      expect.stringMatching(/^warning GPU235 Deployment\/.+ spec\.template\.spec\.containers\[0\]: container "server" serves "meta-llama\/Llama-3-8B-Instruct", a gated/),
    ]);
    const withToken = chart();
    new InferenceDeployment(withToken, 'llm', { pools: [g5(withToken)], vllm: { ...VLLM, hfTokenSecret: { secretName: 'hf-token', key: 'token' } } });
    expect(lintAll(synth(withToken)).filter((f) => f.includes(' GPU235 '))).toEqual([]);
  });

  test('custom image with command and args, env and a custom port', () => {
    const c = chart();
    new InferenceDeployment(c, 'tgi', { pools: [g5(c)], image: 'ghcr.io/huggingface/text-generation-inference:3.0', args: ['--model-id', 'x', '--port', '8080'], port: 8080, env: { A: 'b' }, healthPath: '/ready' });
    const ct = container(synth(c));
    expect(ct.args).toEqual(['--model-id', 'x', '--port', '8080']);
    expect(ct.command).toBeUndefined();
    expect(ct.env).toContainEqual({ name: 'A', value: 'b' });
    expect(ct.readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 8080 });
    expect(one(synth(c), 'Service').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080 }]);
  });

  test('metrics: true needs the server to serve /metrics on the serving port (SGLang --enable-metrics, llama.cpp --metrics; not Triton)', () => {
    const sglang = { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'], port: 30000, metrics: true };
    const args = ['--model-path', 'Qwen/Qwen2.5-7B-Instruct', '--host', '0.0.0.0'];
    expect(() => { const c = chart(); new InferenceDeployment(c, 'sg', { pools: [g5(c)], ...sglang, args }); })
      .toThrow(/sg: metrics is true, but the container runs SGLang without --enable-metrics: it serves no \/metrics \(404\), so the ServiceMonitor's scrapes fail.*pass --enable-metrics to the server, or set metrics: false/s);
    const ok = chart();
    new InferenceDeployment(ok, 'sg', { pools: [g5(ok)], ...sglang, args: [...args, '--enable-metrics'] });
    expect(ofKind(synth(ok), 'ServiceMonitor')).toHaveLength(1);
    const llama = { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', '/models/m.gguf'], port: 8080, metrics: true };
    expect(() => { const c = chart(); new InferenceDeployment(c, 'gguf', { pools: [g5(c)], ...llama }); }).toThrow(/without --metrics \(nor LLAMA_ARG_ENDPOINT_METRICS\): its \/metrics answers 501.*pass --metrics to the server/s);
    const l2 = chart();
    expect(() => new InferenceDeployment(l2, 'gguf', { pools: [g5(l2)], ...llama, env: { LLAMA_ARG_ENDPOINT_METRICS: '1' } })).not.toThrow();
    const triton = { image: 'nvcr.io/nvidia/tritonserver:25.01-py3', command: ['tritonserver'], args: ['--model-repository=/models'], healthPath: '/v2/health/ready' };
    expect(() => { const c = chart(); new InferenceDeployment(c, 'tr', { pools: [g5(c)], ...triton, metrics: true }); })
      .toThrow(/Triton serves its metrics on --metrics-port \(8002\)/);
    // without metrics: no ServiceMonitor, nothing to check
    const t2 = chart();
    new InferenceDeployment(t2, 'tr', { pools: [g5(t2)], ...triton });
    expect(ofKind(synth(t2), 'ServiceMonitor')).toEqual([]);
  });

  test('a known model server must listen where the probes and the Service go: on port, on the pod\'s address', () => {
    const tgi = { image: 'ghcr.io/huggingface/text-generation-inference:3.3.4', args: ['--model-id', 'Qwen/Qwen2.5-7B-Instruct'] };
    // TGI's image listens on its PORT, 80, unless told otherwise
    expect(() => { const c = chart(); new InferenceDeployment(c, 'tgi', { pools: [g5(c)], ...tgi, port: 8080 }); })
      .toThrow(/tgi: port is 8080, but the container runs TGI, which listens on 80 \(TGI's image default, PORT=80\).*set port: 80, or make the server listen on 8080 \(--port 8080, or env PORT\)/s);
    for (const ok of [{ port: 80 }, { port: 8080, env: { PORT: '8080' } }, { port: 8080, args: [...tgi.args, '--port=8080'] }]) {
      const c = chart();
      expect(() => new InferenceDeployment(c, 'tgi', { pools: [g5(c)], ...tgi, ...ok })).not.toThrow();
    }
    // SGLang binds 127.0.0.1 unless --host says otherwise; its port is 30000 by default
    const sglang = { image: 'lmsysorg/sglang:v0.5.5', command: ['python3', '-m', 'sglang.launch_server'] };
    expect(() => { const c = chart(); new InferenceDeployment(c, 'sg', { pools: [g5(c)], ...sglang, args: ['--model-path', 'm', '--port', '8000'] }); })
      .toThrow(/args runs SGLang bound to 127\.0\.0\.1 \(SGLang's default --host 127\.0\.0\.1\).*pass --host 0\.0\.0\.0/s);
    expect(() => { const c = chart(); new InferenceDeployment(c, 'sg', { pools: [g5(c)], ...sglang, args: ['--model-path', 'm', '--host', '0.0.0.0'] }); })
      .toThrow(/port is 8000, but the container runs SGLang, which listens on 30000/);
    const c = chart();
    expect(() => new InferenceDeployment(c, 'sg', { pools: [g5(c)], ...sglang, args: ['--model-path', 'm', '--host', '0.0.0.0', '--port', '8000'] })).not.toThrow();
    // the vLLM shortcut: extra args are read as vLLM reads them (the last --host wins)
    expect(() => { const d = chart(); new InferenceDeployment(d, 'v', { pools: [g5(d)], vllm: { ...VLLM, extraArgs: ['--host', '127.0.0.1'] } }); })
      .toThrow(/vllm\.extraArgs runs vLLM bound to 127\.0\.0\.1 \(--host 127\.0\.0\.1\)/);
    // llama.cpp's server image listens on 8080 (every address: the image sets LLAMA_ARG_HOST); its full image on 127.0.0.1
    const llama = { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', args: ['-m', '/models/m.gguf', '-ngl', '99'] };
    expect(() => { const l = chart(); new InferenceDeployment(l, 'gguf', { pools: [g5(l)], ...llama }); })
      .toThrow(/port is 8000, but the container runs llama\.cpp, which listens on 8080 \(llama\.cpp's default --port 8080\).*\(--port 8000, or env LLAMA_ARG_PORT\)/s);
    const l2 = chart();
    new InferenceDeployment(l2, 'gguf', { pools: [g5(l2)], ...llama, port: 8080 });
    expect(lintAll(synth(l2)).filter((f) => f.startsWith('error') || / GPU23\d /.test(f))).toEqual([]);
    expect(() => { const l = chart(); new InferenceDeployment(l, 'gguf', { pools: [g5(l)], image: 'ghcr.io/ggml-org/llama.cpp:full-cuda', command: ['/app/llama-server'], args: llama.args, port: 8080 }); })
      .toThrow(/runs llama\.cpp bound to 127\.0\.0\.1 .*pass --host 0\.0\.0\.0 to the server \(or env LLAMA_ARG_HOST=0\.0\.0\.0\)/s);
    // Triton's HTTP endpoint is --http-port, 8000 by default
    const triton = { image: 'nvcr.io/nvidia/tritonserver:25.01-py3', command: ['tritonserver'] };
    expect(() => { const t = chart(); new InferenceDeployment(t, 'tr', { pools: [g5(t)], ...triton, args: ['--model-repository=/models'], port: 8080 }); })
      .toThrow(/port is 8080, but the container runs Triton, which listens on 8000 \(Triton's default --http-port 8000\).*make the server listen on 8080 \(--http-port 8080\)/s);
    const t2 = chart();
    const ready = { healthPath: '/v2/health/ready' };
    expect(() => new InferenceDeployment(t2, 'tr', { pools: [g5(t2)], ...triton, ...ready, args: ['--model-repository=/models', '--http-port=8080'], port: 8080 })).not.toThrow();
    // … and answers health checks under /v2/health/ only
    expect(() => { const t = chart(); new InferenceDeployment(t, 'tr', { pools: [g5(t)], ...triton, args: ['--model-repository=/models'] }); })
      .toThrow(/healthPath is "\/health", but Triton answers health checks at \/v2\/health\/ready and \/v2\/health\/live .*Fix: set healthPath: '\/v2\/health\/ready'/);
    // a shell script or an unknown image is not judged
    const sh = chart();
    expect(() => new InferenceDeployment(sh, 'sh', { pools: [g5(sh)], image: 'lmsysorg/sglang:v0.5.5', command: ['/bin/sh', '-c'], args: ['python3 -m sglang.launch_server --model-path m'] })).not.toThrow();
  });

  test('placement: tolerations and required node affinity from every pool; preferred GPU memory; spread over nodes and zones', () => {
    const c = chart();
    const pool = g5(c);
    const spot = g6Spot(c);
    new InferenceDeployment(c, 'llm', { pools: [pool, spot], vllm: VLLM, replicas: 3, preferGpuMemoryGiB: 20 });
    const spec = podSpec(synth(c));
    expect(spec.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' },
    ]);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
      .toEqual([{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['g5', 'g6-spot'] }] }]);
    expect(spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]).toEqual({
      weight: 50, preference: { matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-memory', operator: 'Gt', values: ['20479'] }] },
    });
    expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' });
  });

  test('default cpu/memory: the share of the smallest fitting type minus the system reserve (g5.xlarge: 3.4 cpu, 12 GiB)', () => {
    const c = chart();
    const d = new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM });
    expect(d.cpuCores).toBe(3.4);
    expect(d.memoryMiB).toBe(12 * 1024);
    expect(d.shmMiB).toBe(3 * 1024); // min(8 GiB, 12 GiB / 4)
    // 4 GPUs only fit g5.12xlarge+ (4 GPUs, 48 vCPU): 4/4 of (48 - 0.19 kube-reserved - 0.5 daemonsets) → 47.3
    const c2 = chart();
    const d4 = new InferenceDeployment(c2, 'llm', { pools: [g5(c2)], vllm: VLLM, gpus: GpuRequest.whole(4) });
    expect(d4.cpuCores).toBe(47.3);
    expect(d4.shmMiB).toBe(32 * 1024);
  });

  test('overrides of cpu, memory and shm are used', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, cpu: kplus.Cpu.units(2), memory: Size.gibibytes(8), shmSize: Size.gibibytes(2) });
    const objs = synth(c);
    expect(container(objs).resources.limits).toMatchObject({ cpu: '2000m', memory: '8192Mi' });
    expect(podSpec(objs).volumes.find((v: any) => v.name === 'shm').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '2048Mi' });
  });

  test('volumes: memory-backed /dev/shm, writable /tmp, model cache as emptyDir or PVC', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, modelCache: ModelCache.persistentVolumeClaim('models') });
    const objs = synth(c);
    expect(container(objs).volumeMounts).toEqual([
      { mountPath: '/dev/shm', name: 'shm' }, { mountPath: '/tmp', name: 'tmp' }, { mountPath: '/cache', name: 'model-cache' },
    ]);
    expect(podSpec(objs).volumes.find((v: any) => v.name === 'model-cache')).toEqual({ name: 'model-cache', persistentVolumeClaim: { claimName: 'models', readOnly: false } });
    expect(container(objs).env).toContainEqual({ name: 'HF_HOME', value: '/cache/huggingface' });
  });

  test('a ReadWriteOnce claim as the cache (the default): one replica, rollouts that replace the pod; ReadWriteMany claims are shared', () => {
    const strategy = (cache: ModelCache, replicas = 1) => {
      const c = chart();
      new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, modelCache: cache, replicas });
      return one(synth(c), 'Deployment').spec.strategy.rollingUpdate;
    };
    expect(strategy(ModelCache.persistentVolumeClaim('models'))).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(strategy(ModelCache.persistentVolumeClaim('models', { readWriteMany: true }))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(strategy(ModelCache.persistentVolumeClaim('models', { readWriteMany: true }), 2)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(configError(() => strategy(ModelCache.persistentVolumeClaim('models'), 2)).message).toBe('test/llm: replicas is 2, but modelCache is the '
      + 'ReadWriteOnce claim "models", which one node mounts at a time: replicas on other nodes never attach it ("Multi-Attach error"). Fix: use one '
      + 'replica, or a ReadWriteMany claim (EFS, FSx for Lustre): ModelCache.persistentVolumeClaim(\'models\', { readWriteMany: true })');
    expect(configError(() => ModelCache.persistentVolumeClaim('models', { readWriteMany: 'yes' as any })).message)
      .toContain('ModelCache.persistentVolumeClaim: options.readWriteMany is "yes", not a boolean');
  });

  test('a scaler above one replica on a ReadWriteOnce cache is refused; GPU250 judges the claim when the chart holds it', () => {
    const c = chart();
    const d = new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, modelCache: ModelCache.persistentVolumeClaim('models'), namespace: 'inference' });
    expect(configError(() => new KedaGpuScaler(c, 'scaler', { target: GpuScaleTarget.fromInferenceDeployment(d), maxReplicas: 3 })).message)
      .toContain('test/llm: modelCache is the ReadWriteOnce claim "models", which one node mounts at a time, but a scaler may run 3 replicas');
    const e = chart();
    const oneGpuNodes = g5(e, { families: undefined, instanceTypes: [GpuInstanceType.G5_XLARGE] });
    const ok = new InferenceDeployment(e, 'llm', { pools: [oneGpuNodes], vllm: VLLM, modelCache: ModelCache.persistentVolumeClaim('models'), namespace: 'inference' });
    new kplus.PersistentVolumeClaim(e, 'claim', { metadata: { name: 'models', namespace: 'inference' }, accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE], storage: Size.gibibytes(100) });
    const gpu250 = () => lintAll(synth(e)).filter((f) => f.includes(' GPU250 '));
    expect(gpu250()).toEqual([]);
    // a rollout that starts the new pod first (g5.xlarge: one GPU a node) would wait for the volume forever
    ApiObject.of(ok.deployment).addJsonPatch(JsonPatch.replace('/spec/strategy/rollingUpdate', { maxSurge: 1, maxUnavailable: 0 }));
    expect(gpu250()).toEqual([expect.stringMatching(/^error GPU250 Deployment\/[^ ]+ spec\.template\.spec\.volumes\[\d\]\.persistentVolumeClaim\.claimName: mounts PersistentVolumeClaim "models" \(ReadWriteOnce/)]);
  });

  test('a bounded emptyDir cache is requested as ephemeral storage (with /tmp\'s 4 GiB); an unbounded one requests none', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, modelCache: ModelCache.emptyDir(Size.gibibytes(100)) });
    const objs = synth(c);
    expect(podSpec(objs).volumes.find((v: any) => v.name === 'model-cache').emptyDir).toEqual({ sizeLimit: '102400Mi' });
    expect(container(objs).resources.requests['ephemeral-storage']).toBe('104Gi');
    expect(container(objs).resources.limits['ephemeral-storage']).toBeUndefined();
    // GpuNodePool's nodes (200 GiB volume, RAID0 on the g5 NVMe) hold it
    expect(lintAll(objs).filter((f) => f.startsWith('error'))).toEqual([]);
    // part of a GiB rounds up
    const half = chart();
    new InferenceDeployment(half, 'llm', { pools: [g5(half)], vllm: VLLM, modelCache: ModelCache.emptyDir(Size.mebibytes(1536)) });
    expect(container(synth(half)).resources.requests['ephemeral-storage']).toBe('6Gi');
    const unbounded = chart();
    new InferenceDeployment(unbounded, 'llm', { pools: [g5(unbounded)], vllm: VLLM });
    expect(container(synth(unbounded)).resources.requests['ephemeral-storage']).toBeUndefined();
  });

  test('a cache larger than the pools\' node disk: refused at construction, and GPU203 at synth after a JSON patch shrinks the volume', () => {
    const small = chart();
    const smallPool = g5(small, { nodeClassProps: { ...BOUND, volume: { size: Size.gibibytes(50) }, raid0InstanceStore: false } });
    expect(configError(() => new InferenceDeployment(small, 'llm', { pools: [smallPool], vllm: VLLM, modelCache: ModelCache.emptyDir(Size.gibibytes(100)) })).message)
      .toMatch(/llm: modelCache is an emptyDir of 100Gi: with \/tmp the pods request 104Gi of ephemeral storage, but the nodes of their pools give pods at most 44Gi \(g5\.xlarge in pool g5: a 50Gi volume/);
    // the instance store of the larger g5 types holds it
    const raid = chart();
    expect(() => new InferenceDeployment(raid, 'llm', { pools: [g5(raid, { nodeClassProps: { ...BOUND, volume: { size: Size.gibibytes(50) } } })], vllm: VLLM, modelCache: ModelCache.emptyDir(Size.gibibytes(100)) })).not.toThrow();
    // the synthesised EC2NodeClass, patched after construction, is judged at synth
    const c = chart();
    const pool = g5(c, { nodeClassProps: { ...BOUND, raid0InstanceStore: false } });
    new InferenceDeployment(c, 'llm', { pools: [pool], vllm: VLLM, modelCache: ModelCache.emptyDir(Size.gibibytes(100)) });
    pool.nodeClass.nodeClass.addJsonPatch(JsonPatch.replace('/spec/blockDeviceMappings/0/ebs/volumeSize', '50Gi'));
    expect(lintAll(synth(c)).filter((f) => f.includes(' GPU203 '))).toEqual([
      expect.stringMatching(/^error GPU203 Deployment\/.+ spec\.template\.spec\.containers: can never be scheduled: NodePool g5: needs 104Gi ephemeral-storage per pod; the allowed types give pods at most 44Gi \(g5\.xlarge: a 50Gi volume \(blockDeviceMappings\[0\], \/dev\/xvda\), less 1Gi kube-reserved, 5Gi eviction threshold/),
    ]);
  });

  test('ModelCache.emptyDir refuses a size that is not a positive whole number of MiB', () => {
    expect(configError(() => ModelCache.emptyDir(Size.kibibytes(1536))).message).toMatch(/sizeLimit.*1\.5 MiB, not a positive whole number of MiB/);
    expect(configError(() => ModelCache.emptyDir(Size.mebibytes(0))).message).toMatch(/0 MiB/);
    expect(configError(() => ModelCache.emptyDir(100 as any)).message).toMatch(/sizeLimit is 100, not/);
  });

  test('security: non-root, no escalation, ALL dropped, seccomp RuntimeDefault, read-only root, no token', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM });
    const spec = podSpec(synth(c));
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 1000,
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 1000 });
  });

  test('service links off: a vLLM server named vllm, whose Service is named vllm too, is not given VLLM_PORT=tcp://… (GPU241)', () => {
    const c = chart();
    const d = new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, name: 'vllm', namespace: 'inference' });
    const gpu241 = () => lintAll(synth(c)).filter((f) => f.includes(' GPU241 '));
    expect(podSpec(synth(c)).enableServiceLinks).toBe(false);
    expect(gpu241()).toEqual([]);
    // with them on, the kubelet would set VLLM_PORT from the construct's own Service, and vLLM would stop at start
    ApiObject.of(d.deployment).addJsonPatch(JsonPatch.remove('/spec/template/spec/enableServiceLinks'));
    expect(gpu241()).toEqual([expect.stringMatching(/^error GPU241 Deployment\/vllm spec\.template\.spec\.enableServiceLinks: the Service "vllm" of namespace "inference" gives container "[^"]+" VLLM_PORT=tcp:\/\/<its cluster IP>:8000/)]);
  });

  test('vllm.host: 0.0.0.0 (IPv4) by default; :: for IPv6 and dual-stack clusters, which an IPv6-only Service reaches (GPU242)', () => {
    const ipv6Only = (host?: string) => {
      const c = chart();
      const d = new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: { ...VLLM, ...(host ? { host } : {}) }, namespace: 'inference' });
      ApiObject.of(d.service!).addJsonPatch(JsonPatch.add('/spec/ipFamilies', ['IPv6']), JsonPatch.add('/spec/ipFamilyPolicy', 'SingleStack'));
      const objs = synth(c);
      return { args: container(objs).args, gpu242: lintAll(objs).filter((f) => f.includes(' GPU242 ')) };
    };
    const v4 = ipv6Only();
    expect(v4.args.slice(0, 3)).toEqual([VLLM.model, '--host', '0.0.0.0']);
    expect(v4.gpu242).toEqual([expect.stringContaining('error GPU242 Service/')]);
    const v6 = ipv6Only('::');
    expect(v6.args.slice(0, 3)).toEqual([VLLM.model, '--host', '::']);
    expect(v6.gpu242).toEqual([]);
    for (const bad of ['127.0.0.1', '10.0.0.1', '', 'localhost']) {
      expect(configError(() => { const c = chart(); new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: { ...VLLM, host: bad } }); }).message)
        .toBe(`test/llm: vllm.host is ${JSON.stringify(bad)}, not an address of every interface: the kubelet's probes and the Service reach the pod on `
          + 'its own address, which is not known before the pod starts. Fix: pass \'0.0.0.0\' (IPv4) or \'::\' (IPv6 and dual stack)');
    }
  });

  test('vllm.toolCallParser: tool calling with its parser, the two flags together (GPU259); a name that is not a parser is refused', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: { model: 'Qwen/Qwen2.5-7B-Instruct', toolCallParser: 'hermes' } });
    const objs = synth(c);
    expect(container(objs).args).toEqual(['Qwen/Qwen2.5-7B-Instruct', '--host', '0.0.0.0', '--port', '8000', '--tensor-parallel-size', '1',
      '--enable-auto-tool-choice', '--tool-call-parser', 'hermes']);
    expect(lintAll(objs).filter((f) => f.includes(' GPU259 '))).toEqual([]);
    for (const bad of ['', 'hermes --enable-lora', '--other', 3 as any]) {
      const e = configError(() => { const d = chart(); new InferenceDeployment(d, 'llm', { pools: [g5(d)], vllm: { ...VLLM, toolCallParser: bad } }); });
      expect([e.property, e.message]).toEqual(['vllm.toolCallParser', expect.stringContaining('not the name of a parser. Fix: pass the name of vLLM\'s parser')]);
    }
  });

  test('spot: 90 s grace period and a preStop drain; on-demand: 60 s', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [g6Spot(c)], vllm: VLLM });
    const spec = podSpec(synth(c));
    expect(spec.terminationGracePeriodSeconds).toBe(90);
    expect(spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
    const c2 = chart();
    new InferenceDeployment(c2, 'llm', { pools: [g5(c2)], vllm: VLLM });
    expect(podSpec(synth(c2)).terminationGracePeriodSeconds).toBe(60);
  });

  test('PDB: maxUnavailable 1, selecting the pods, unhealthy pods always evictable; one replica is kept (minAvailable 1) only on pools with a drain deadline', () => {
    const c = chart();
    const d = new InferenceDeployment(c, 'llm', { name: 'llm', pools: [g5(c)], vllm: VLLM, replicas: 3 });
    const pdb = one(synth(c), 'PodDisruptionBudget');
    // A replica that never becomes Ready (a model that fails to load) must not hold up a drain of its GPU node.
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'llm' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(d.podLabels['app.kubernetes.io/name']).toBe('llm');
    // One replica on a pool without terminationGracePeriod: a budget allowing no eviction would stop every drain of
    // its node (an expired node would wait forever: GPU224), so it allows one.
    const c2 = chart();
    new InferenceDeployment(c2, 'llm', { pools: [g5(c2)], vllm: VLLM });
    const objs = synth(c2);
    expect(one(objs, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
    expect(one(objs, 'PodDisruptionBudget').spec.minAvailable).toBeUndefined();
    expect(lintAll(objs).filter((f) => f.includes(' GPU224 '))).toEqual([]);
    // Every pool bounds the drain: the replica is kept from voluntary disruption until its node expires.
    const c3 = chart();
    const graced = g5(c3, { terminationGracePeriod: Duration.hours(2) });
    expect(graced.terminationGracePeriod?.toSeconds()).toBe(7200);
    new InferenceDeployment(c3, 'llm', { pools: [graced], vllm: VLLM });
    const kept = synth(c3);
    expect(one(kept, 'PodDisruptionBudget').spec.minAvailable).toBe(1);
    expect(one(kept, 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    expect(lintAll(kept).filter((f) => f.includes(' GPU224 '))).toEqual([]);
    // An explicit maxUnavailable of 1 on one replica is that same default, not a refusal.
    const c4 = chart();
    new InferenceDeployment(c4, 'llm', { pools: [g5(c4)], vllm: VLLM, replicas: 1, maxUnavailable: 1 });
    expect(one(synth(c4), 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('priority from a tier object; namespace and ServiceAccount from a team', () => {
    const c = chart();
    const tiers = new TieredPriorities(c, 'tiers');
    const team = tiers.addTeam('ml-serving', { gpuQuota: 4 });
    const d = new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, priority: tiers.inference, team });
    const objs = synth(c);
    expect(podSpec(objs).priorityClassName).toBe('inference-critical');
    expect(podSpec(objs).serviceAccountName).toBe('ml-serving-workloads');
    expect(one(objs, 'Deployment').metadata.namespace).toBe('ml-serving');
    expect(one(objs, 'Service').metadata.namespace).toBe('ml-serving');
    expect(d.namespace).toBe('ml-serving');
  });

  test('MIG slice on MIG-capable pools renders nvidia.com/mig-<profile>; a profile the GPU lacks is refused', () => {
    const c = chart();
    const p5 = new GpuNodePool(c, 'p5', { name: 'p5', families: ['p5'], gpuLimit: 16, nodeClassProps: BOUND });
    const d = new InferenceDeployment(c, 'llm', { pools: [p5], vllm: VLLM, gpus: GpuRequest.mig('1g.10gb') });
    const r = container(synth(c)).resources;
    expect(r.limits['nvidia.com/mig-1g.10gb']).toBe(1);
    expect(r.requests['nvidia.com/mig-1g.10gb']).toBe(1);
    expect(r.limits['nvidia.com/gpu']).toBeUndefined();
    expect(d.gpusPerReplica).toBe(0);
    expect(container(synth(c)).args).toContain('--tensor-parallel-size');
    const e = configError(() => new InferenceDeployment(c, 'bad', { pools: [p5], vllm: VLLM, gpus: GpuRequest.mig('1g.5gb') }));
    expect(e.property).toBe('gpus');
    expect(e.message).toMatch(/1g\.5gb is not a MIG profile of H100/);
  });

  test('exposes the scaling seam', () => {
    const c = chart();
    const pools = [g5(c)];
    const d = new InferenceDeployment(c, 'llm', { name: 'llm', namespace: 'serving', pools, vllm: VLLM, gpus: GpuRequest.whole(2), replicas: 2 });
    expect(d.deployment).toBeInstanceOf(kplus.Deployment);
    expect([d.name, d.namespace, d.gpusPerReplica, d.replicas, d.port]).toEqual(['llm', 'serving', 2, 2, 8000]);
    expect(d.pools).toEqual(pools);
    expect(d.podLabels).toEqual({ 'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/component': 'inference' });
  });
});

describe('InferenceDeployment rollout fits its pools (GPU218)', () => {
  const strategy = (objs: any[]) => one(objs, 'Deployment').spec.strategy;
  const p5 = (c: any, gpuLimit: number) => new GpuNodePool(c, 'p5', { name: 'p5', instanceTypes: [GpuInstanceType.P5_48XLARGE], gpuLimit, nodeClassProps: BOUND });

  test('one 8-GPU replica on a pool of 8 GPUs replaces the pod (maxSurge 0, maxUnavailable 1) and lints clean', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [p5(c, 8)], vllm: VLLM, gpus: GpuRequest.whole(8), namespace: 'inference' });
    const objs = synth(c);
    expect(strategy(objs)).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(lintAll(objs).filter((f) => f.includes('GPU218'))).toEqual([]);
  });

  test('with room for one more replica it surges (maxSurge 1, maxUnavailable 0)', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { pools: [p5(c, 16)], vllm: VLLM, gpus: GpuRequest.whole(8), namespace: 'inference' });
    expect(strategy(synth(c))).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('replicas beyond what the pools\' limits hold, node by node, are a GpuConfigError naming replicas', () => {
    const c = chart();
    // 6 GPUs take a whole p5.48xlarge: 16 GPUs of limit buy two nodes, so two replicas. (Llama 3's 32 heads: tensor
    // parallel 2 × data parallel 3, as GPU253's error says)
    const llama6 = { ...VLLM, extraArgs: ['--tensor-parallel-size', '2', '--data-parallel-size', '3'] };
    expect(configError(() => new InferenceDeployment(c, 'llm', { pools: [p5(c, 16)], vllm: llama6, gpus: GpuRequest.whole(6), replicas: 3 })).message)
      .toContain('replicas is 3, but the pools\' limits let Karpenter launch nodes for at most 2 replicas of 6 GPUs (p5: limit 16 GPUs, a p5.48xlarge holds 1)');
    const c2 = chart();
    new InferenceDeployment(c2, 'llm', { pools: [p5(c2, 16)], vllm: llama6, gpus: GpuRequest.whole(6), replicas: 2, namespace: 'inference' });
    expect(lintAll(synth(c2)).filter((f) => / GPU(218|219|221|222|253) /.test(f))).toEqual([]);
  });

  test('the team\'s GPU quota counts too', () => {
    const c = chart();
    const tiers = new TieredPriorities(c, 'tiers');
    const team = tiers.addTeam('serving', { gpuQuota: 8 });
    new InferenceDeployment(c, 'llm', { pools: [p5(c, 64)], vllm: VLLM, gpus: GpuRequest.whole(8), team });
    expect(strategy(synth(c)).rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('model servers within the team\'s GPU quota alone but not together: GPU228 reports the chart\'s output', () => {
    const c = chart();
    const team = new TieredPriorities(c, 'tiers').addTeam('serving', { gpuQuota: 8 });
    const pool = p5(c, 64);
    new InferenceDeployment(c, 'a', { pools: [pool], vllm: VLLM, gpus: GpuRequest.whole(4), team, name: 'a' });
    new InferenceDeployment(c, 'b', { pools: [pool], vllm: VLLM, gpus: GpuRequest.whole(4), replicas: 2, team, name: 'b' });
    expect(lintAll(synth(c)).filter((f) => f.includes('GPU228'))).toEqual([
      expect.stringMatching(/allows 8 nvidia.com\/gpu in namespace serving, but the replicas its workloads always run ask for 12: Deployment b 2 × 4 = 8; Deployment a 1 × 4 = 4/),
    ]);
  });
});

describe('InferenceDeployment bad input → GpuConfigError naming construct and property', () => {
  test.each([
    ['no pools', (_c: any) => ({ pools: [], vllm: VLLM }), 'pools', /is empty/],
    ['more GPUs than any type', (c: any) => ({ pools: [g5(c)], vllm: VLLM, gpus: GpuRequest.whole(16) }), 'gpus', /no instance type of the pools can serve/],
    ['tensor parallel ≠ GPUs', (c: any) => ({ pools: [g5(c)], vllm: { ...VLLM, tensorParallelSize: 4 }, gpus: GpuRequest.whole(2) }), 'vllm.tensorParallelSize', /is 4, but each pod gets 2/],
    ['MIG on a pool without MIG GPUs', (c: any) => ({ pools: [g5(c)], vllm: VLLM, gpus: GpuRequest.mig('1g.10gb') }), 'gpus', /no instance type of pools g5 has a MIG-capable GPU/],
    ['image and vllm', (c: any) => ({ pools: [g5(c)], vllm: VLLM, image: 'x' }), 'image', /set together with vllm/],
    ['neither image nor vllm', (c: any) => ({ pools: [g5(c)] }), 'image', /is not set/],
    ['grace beyond the spot notice', (c: any) => ({ pools: [g6Spot(c)], vllm: VLLM, terminationGracePeriod: Duration.minutes(5) }), 'terminationGracePeriod', /longer than the 120 s spot interruption notice/],
    ['cpu that fits nowhere', (c: any) => ({ pools: [g5(c)], vllm: VLLM, cpu: kplus.Cpu.units(500) }), 'cpu', /does not fit any pool/],
    ['shm above memory', (c: any) => ({ pools: [g5(c)], vllm: VLLM, memory: Size.gibibytes(4), shmSize: Size.gibibytes(8) }), 'shmSize', /not below the memory limit/],
    ['preferred GPU memory no type has', (c: any) => ({ pools: [g5(c)], vllm: VLLM, preferGpuMemoryGiB: 80 }), 'preferGpuMemoryGiB', /no instance type/],
    ['maxUnavailable taking every replica', (c: any) => ({ pools: [g5(c)], vllm: VLLM, replicas: 2, maxUnavailable: 2 }), 'maxUnavailable', /all 2 replicas/],
    ['root user', (c: any) => ({ pools: [g5(c)], vllm: VLLM, runAsUser: 0 }), 'runAsUser', /is 0/],
    ['drain longer than grace', (c: any) => ({ pools: [g5(c)], vllm: VLLM, preStopDrain: Duration.seconds(60) }), 'preStopDrain', /not below/],
    ['name starting with a digit (it names the Service: DNS-1035)', (c: any) => ({ pools: [g5(c)], vllm: VLLM, name: '7b-model' }), 'name', /not a DNS-1035 label/],
    ['name with a dot', (c: any) => ({ pools: [g5(c)], vllm: VLLM, name: 'model.a' }), 'name', /not a DNS-1035 label/],
    ['name above 63 characters even without a Service', (c: any) => ({ pools: [g5(c)], vllm: VLLM, service: false, name: 'm'.repeat(64) }), 'name', /64 characters \(at most 63\)/],
    ['namespace with upper case', (c: any) => ({ pools: [g5(c)], vllm: VLLM, namespace: 'Team-A' }), 'namespace', /not a DNS-1123 label/],
    ['label value with a slash', (c: any) => ({ pools: [g5(c)], vllm: VLLM, labels: { team: 'a/b' } }), 'labels["team"]', /not a label value/],
    ['label key with two slashes', (c: any) => ({ pools: [g5(c)], vllm: VLLM, labels: { 'a/b/c': 'x' } }), 'labels["a/b/c"]', /more than one "\/"/],
    ['fractional grace period', (c: any) => ({ pools: [g5(c)], vllm: VLLM, terminationGracePeriod: Duration.seconds(1.5) }), 'terminationGracePeriod', /1\.5 s, not a whole number/],
    ['fractional startup timeout', (c: any) => ({ pools: [g5(c)], vllm: VLLM, startupTimeout: Duration.millis(60500) }), 'startupTimeout', /60\.5 s/],
    ['fractional drain', (c: any) => ({ pools: [g5(c)], vllm: VLLM, preStopDrain: Duration.millis(500) }), 'preStopDrain', /0\.5 s/],
  ])('%s', (_, props, property, problem) => {
    const c = chart();
    const e = configError(() => new InferenceDeployment(c, 'llm', props(c) as any));
    expect(e.constructPath).toBe('test/llm');
    expect(e.property).toBe(property);
    expect(e.message).toMatch(problem);
    expect(e.fix.length).toBeGreaterThan(5);
  });

  test('GPUs that do not divide the model\'s attention heads (GPU253): vLLM would refuse its tensor parallel size', () => {
    const c = chart();
    const qwen = { model: 'Qwen/Qwen2.5-7B-Instruct' };
    const e = configError(() => new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: qwen, gpus: GpuRequest.whole(8) }));
    expect(e.property).toBe('gpus');
    expect(e.problem).toBe('is 8 × nvidia.com/gpu, so vLLM runs Qwen/Qwen2.5-7B-Instruct over tensor parallel 8, which does not divide its 28 attention heads '
      + '(Qwen2.5 7B): vLLM refuses to start ("Total number of attention heads (28) must be divisible by tensor parallel size (8)")');
    expect(e.fix).toBe('request GPUs that divide 28 (1, 2, 4, 7), e.g. GpuRequest.whole(7), or keep 8 and add vllm.extraArgs '
      + '[\'--tensor-parallel-size\', \'4\', \'--data-parallel-size\', \'2\']');
    // what the fix says works: four GPUs, or eight as two data-parallel engines of four
    const ok = chart();
    const pool = g5(ok);
    new InferenceDeployment(ok, 'four', { pools: [pool], vllm: qwen, gpus: GpuRequest.whole(4) });
    new InferenceDeployment(ok, 'eight', { pools: [pool], vllm: { ...qwen, extraArgs: ['--tensor-parallel-size', '4', '--data-parallel-size', '2'] }, gpus: GpuRequest.whole(8) });
    // a model it does not know is not judged
    new InferenceDeployment(ok, 'other', { pools: [pool], vllm: { model: 'example/custom-7b' }, gpus: GpuRequest.whole(8) });
    expect(lintAll(synth(ok)).filter((f) => / GPU(221|222|253) /.test(f))).toEqual([]);
  });

  test('every GPU count up to eight: refused exactly when it does not divide the heads (Llama 3.1 8B: 32, Qwen2.5 7B: 28, 14B: 40)', () => {
    for (const [model, heads] of [['meta-llama/Llama-3.1-8B-Instruct', 32], ['Qwen/Qwen2.5-7B-Instruct', 28], ['Qwen/Qwen2.5-14B-Instruct', 40]] as const) {
      for (let n = 1; n <= 8; n++) {
        const c = chart();
        let refused: string | undefined;
        try {
          new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: { model, maxModelLen: 4096 }, gpus: GpuRequest.whole(n) });
        } catch (e) {
          refused = `${(e as any).property}: ${(e as any).problem}`;
        }
        expect([model, n, refused]).toEqual([model, n, heads % n === 0 ? undefined : expect.stringMatching(/^gpus: .* does not divide its \d+ attention heads/)]);
      }
    }
  });

  test('a name that is a DNS subdomain but not a DNS-1035 label is fine without a Service', () => {
    const c = chart();
    const d = new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, service: false, name: '7b.model' });
    expect(d.name).toBe('7b.model');
    expect(one(synth(c), 'Deployment').metadata.name).toBe('7b.model');
  });

  test('team quota below one pod', () => {
    const c = chart();
    const team = new TieredPriorities(c, 't').addTeam('a', { gpuQuota: 1 });
    const e = configError(() => new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, team, gpus: GpuRequest.whole(2) }));
    expect(e.property).toBe('gpus');
    expect(e.message).toMatch(/above team a's gpuQuota of 1/);
  });
});

describe('seed 004: llm-inference-server from ~10 lines', () => {
  function build() {
    const c = chart();
    const pool = new GpuNodePool(c, 'inference-pool', { name: 'gpu-inference', families: ['g5'], gpuLimit: 16, labels: { 'example.com/workload-class': 'inference' }, nodeClassProps: BOUND });
    const tiers = new TieredPriorities(c, 'priorities');
    const serving = tiers.addTeam('ml-serving', { labels: { env: 'production' }, gpuQuota: 8, readableSecrets: ['hf-token'] });
    new InferenceDeployment(c, 'llm', {
      name: 'llm-inference-server',
      team: serving,
      pools: [pool],
      replicas: 2,
      priority: tiers.inference,
      vllm: { model: 'meta-llama/Llama-3-8B-Instruct', hfTokenSecret: { secretName: 'hf-token', key: 'token' } },
    });
    return synth(c);
  }

  test('schema-valid', () => {
    expectValid(build());
  });

  test('every validation rule passes', () => {
    expect(lintAll(build())).toEqual([]);
  });

  test('fixes the seed\'s mistakes: requests = limits incl. GPUs, probes, PDB, priority, non-root, token off', () => {
    const objs = build();
    const d = one(objs, 'Deployment');
    expect(d.metadata).toMatchObject({ name: 'llm-inference-server', namespace: 'ml-serving' });
    expect(d.spec.replicas).toBe(2);
    const ct = d.spec.template.spec.containers[0];
    expect(ct.resources.requests).toEqual(ct.resources.limits);
    expect(ct.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(ofKind(objs, 'PodDisruptionBudget')).toHaveLength(1);
    expect(ofKind(objs, 'Service')).toHaveLength(1);
    expect(one(objs, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('snapshot', () => {
    expect(build().filter((o) => o.kind !== 'EC2NodeClass')).toMatchSnapshot();
  });
});

describe('spot pool construct', () => {
  test('SpotGpuPool recommended grace is what the deployment uses', () => {
    expect(SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD.toSeconds()).toBe(90);
  });
});

describe('the pool\'s scheduling model is built once per pool state', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodepool = require('../../src/scheduling/nodepool');

  test('many workloads on one pool build its model once', () => {
    const c = chart();
    const pool = g5(c);
    const spy = jest.spyOn(nodepool, 'poolModelOf');
    try {
      for (let i = 0; i < 10; i++) new InferenceDeployment(c, `m${i}`, { pools: [pool], image: 'x.io/s:1' });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  test('workloads of the same shape on the same pool reuse its placement verdicts', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const placement = require('../../src/scheduling/placement');
    const c = chart();
    const pool = g5(c);
    const spy = jest.spyOn(placement, 'placeOnPool');
    try {
      for (let i = 0; i < 10; i++) new InferenceDeployment(c, `m${i}`, { pools: [pool], image: 'x.io/s:1' });
      expect(spy).toHaveBeenCalledTimes(2); // GPUs alone, then the whole pod: once for all ten
      new InferenceDeployment(c, 'big', { pools: [pool], image: 'x.io/s:1', gpus: GpuRequest.whole(4) });
      expect(spy).toHaveBeenCalledTimes(4); // another shape: judged afresh
    } finally {
      spy.mockRestore();
    }
  });

  test('a change to the pool after a workload was placed is seen by the next workload', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'small', { name: 'small', instanceTypes: [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_12XLARGE], gpuLimit: 16, nodeClassProps: BOUND });
    const one1 = new InferenceDeployment(c, 'a', { pools: [pool], image: 'x.io/s:1' });
    expect(one1.cpuCores).toBe(3.4); // smallest fitting type: g5.xlarge
    // Narrow the pool to g5.12xlarge (4 GPUs, 48 vCPU) by a patch on the NodePool: the model must be rebuilt.
    pool.nodePool.addJsonPatch(JsonPatch.replace('/spec/template/spec/requirements/3/values', ['g5.12xlarge']));
    const one2 = new InferenceDeployment(c, 'b', { pools: [pool], image: 'x.io/s:1' });
    expect(one2.cpuCores).toBeGreaterThan(one1.cpuCores);
    // A label added later changes the NodePool JSON: one fresh model, then reused.
    pool.addLabel('example.com/tier', 'gold');
    const spy = jest.spyOn(nodepool, 'poolModelOf');
    try {
      new InferenceDeployment(c, 'c', { pools: [pool], image: 'x.io/s:1' });
      expect(spy).toHaveBeenCalledTimes(1);
      new InferenceDeployment(c, 'd', { pools: [pool], image: 'x.io/s:1' });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
