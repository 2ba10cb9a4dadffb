import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { GpuInstanceType } from '../../src/catalog';
import { GpuConfigError } from '../../src/errors';
import { DcgmMonitoring } from '../../src/monitoring';
import { GpuNodePool } from '../../src/pools';
import {
  GpuScaleTarget, GpuScalingTrigger, KedaGpuScaler, KedaGpuScalerProps, PrometheusAuthentication, ScalingProfile,
} from '../../src/scaling';
import { validateManifests } from '../../src/validation';
import { rolloutFenceposts } from '../../src/validation/rules/workloads';
import { GpuRequest, InferenceDeployment } from '../../src/workloads';
import { expectValid } from '../conformance/schema';

/** Llama is gated on the Hugging Face Hub: vLLM needs a token to download it (GPU235). */
const HF_TOKEN = { secretName: 'hf-token', key: 'token' };

const BOUND = { role: 'KarpenterNodeRole-demo', clusterName: 'demo' };
// Every built-in rule, as GpuValidation runs them at synth.
const lint = (objs: any[]) => validateManifests(objs.map((object) => ({ object }))).map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name} ${f.fieldPath}: ${f.message}`);
const one = (objs: any[], kind: string) => {
  const found = objs.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0];
};

/** Seed 001's Model A: vLLM on a p4d/p5 pool with 64 GPUs. */
function modelA(c: Chart, over: any = {}) {
  const pool = new GpuNodePool(c, 'pool', { name: 'gpu-inference-pool', instanceTypes: [GpuInstanceType.of('p5.48xlarge')], gpuLimit: 64, nodeClassProps: BOUND });
  const d = new InferenceDeployment(c, 'model-a', { name: 'model-a-serving', namespace: 'inference', pools: [pool], vllm: { model: 'meta-llama/Llama-3.1-8B-Instruct', image: 'vllm/vllm-openai:v0.10.1', hfTokenSecret: HF_TOKEN }, ...over });
  return { pool, d };
}

function plainDeployment(c: Chart, name = 'plain', image = 'vllm/vllm-openai:v0.8.5') {
  const d = new kplus.Deployment(c, name, { metadata: { name, namespace: 'inference' }, replicas: 2 });
  d.addContainer({ image, portNumber: 8000 });
  return d;
}

describe('KedaGpuScaler', () => {
  test('inKedaNamespace(): a ClusterTriggerAuthentication (KEDA restricted to Secrets of its own namespace), referenced by kind', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm');
    const { d } = modelA(c);
    new KedaGpuScaler(c, 's', {
      target: GpuScaleTarget.fromInferenceDeployment(d),
      maxReplicas: 4,
      authentication: PrometheusAuthentication.basic('prom-basic').inKedaNamespace(),
    });
    const objs = Testing.synth(c);
    expect(objs.filter((o) => o.kind === 'TriggerAuthentication')).toEqual([]);
    const cta = one(objs, 'ClusterTriggerAuthentication');
    expect(cta.metadata).toEqual({ name: 'inference-model-a-serving-gpu-scaler-prometheus' });
    expect(cta.spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'prom-basic', key: 'username' }, { parameter: 'password', name: 'prom-basic', key: 'password' },
    ]);
    const so = one(objs, 'ScaledObject');
    for (const t of so.spec.triggers) {
      expect(t.authenticationRef).toEqual({ name: cta.metadata.name, kind: 'ClusterTriggerAuthentication' });
      expect(t.metadata.authModes).toBe('basic');
    }
    expect(PrometheusAuthentication.bearer('t').inKedaNamespace().clusterWide).toBe(true);
    expect(PrometheusAuthentication.bearer('t').clusterWide).toBe(false);
    // Validated against KEDA v2.20.2's ClusterTriggerAuthentication CRD (crds/).
    expectValid(objs);
    expect(lint(objs)).toEqual([]);
  });

  test('seed 001 model-a-gpu-scaler from a few lines, corrected', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm');
    const { d } = modelA(c);
    new KedaGpuScaler(c, 'scaler', { name: 'model-a-gpu-scaler', target: GpuScaleTarget.fromInferenceDeployment(d), minReplicas: 2, maxReplicas: 10 });
    const objs = Testing.synth(c);
    const so = one(objs, 'ScaledObject');
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.metadata).toMatchObject({ name: 'model-a-gpu-scaler', namespace: 'inference' });
    expect(so.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-a-serving' },
      pollingInterval: 15,
      cooldownPeriod: 60,
      minReplicaCount: 2,
      maxReplicaCount: 10,
      initialCooldownPeriod: 300,
      fallback: { failureThreshold: 3, replicas: 2, behavior: 'currentReplicasIfHigher' },
    });
    const behavior = so.spec.advanced.horizontalPodAutoscalerConfig.behavior;
    expect(behavior.scaleUp).toEqual({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] });
    expect(behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }] });
    const [t] = so.spec.triggers;
    expect(t).toEqual({
      type: 'prometheus',
      name: 'gpu-utilization',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: KedaGpuScaler.DEFAULT_PROMETHEUS_URL,
        // only model-a-serving's own pods (the seed's pod=~"model-a-.*" also matched model-a-canary's)
        query: 'sum(avg by (pod) (DCGM_FI_DEV_GPU_UTIL{namespace="inference", pod=~"model-a-serving-[a-z0-9]+-[a-z0-9]+"}))',
        threshold: '70',
        activationThreshold: '0',
        ignoreNullValues: 'false',
      },
    });
    expect(JSON.stringify(so)).not.toMatch(/metricName/);
    // KEDA owns replicas: the Deployment leaves spec.replicas out
    expect(one(objs, 'Deployment').spec.replicas).toBeUndefined();
    // the absent-metric alert
    const rule = objs.find((o) => o.kind === 'PrometheusRule' && o.metadata.namespace === 'inference');
    expect(rule.spec.groups[0].rules[0]).toMatchObject({
      alert: 'KedaScalerMetricAbsent',
      for: '10m',
      expr: 'absent(sum(avg by (pod) (DCGM_FI_DEV_GPU_UTIL{namespace="inference", pod=~"model-a-serving-[a-z0-9]+-[a-z0-9]+"})))',
      labels: { severity: 'warning', scaledobject: 'model-a-gpu-scaler', trigger: 'gpu-utilization' },
    });
    expectValid(objs);
    expect(lint(objs)).toEqual([]);
  });

  test('the pod regex selects exactly the target\'s pods', () => {
    const c = Testing.chart();
    const re = new RegExp(`^${GpuScaleTarget.fromDeployment(plainDeployment(c, 'model-a')).podNameRegex()}$`);
    expect(re.test('model-a-7d9f8c6b5-x2x4z')).toBe(true);
    expect(re.test('model-a-canary-7d9f8c6b5-x2x4z')).toBe(false);
    expect(re.test('model-a-0')).toBe(false);
    const ss = new kplus.StatefulSet(c, 'ss', { metadata: { name: 'model.b' }, service: new kplus.Service(c, 'svc', { ports: [{ port: 80 }] }) });
    ss.addContainer({ image: 'x:1' });
    const sre = new RegExp(`^${GpuScaleTarget.fromStatefulSet(ss).podNameRegex()}$`);
    expect([sre.test('model.b-3'), sre.test('modelxb-3'), sre.test('model.b-abc')]).toEqual([true, false, false]);
  });

  test('several triggers; the KV-cache metric follows the vLLM version (renamed in 0.9.2)', () => {
    const kvMetric = (image: string, vllmVersion?: string) => {
      const c = Testing.chart();
      const s = new KedaGpuScaler(c, 's', {
        target: GpuScaleTarget.fromDeployment(plainDeployment(c, 'plain', image)),
        maxReplicas: 4,
        vllmVersion,
        triggers: [GpuScalingTrigger.vllmKvCacheUsage()],
      });
      return s.kvCacheMetric;
    };
    expect(kvMetric('vllm/vllm-openai:v0.7.3')).toBe('vllm:gpu_cache_usage_perc');
    expect(kvMetric('vllm/vllm-openai:v0.9.1')).toBe('vllm:gpu_cache_usage_perc');
    expect(kvMetric('vllm/vllm-openai:v0.9.2')).toBe('vllm:kv_cache_usage_perc');
    expect(kvMetric('vllm/vllm-openai:v0.11.0')).toBe('vllm:kv_cache_usage_perc');
    expect(kvMetric('registry.example.com/my-server:1.2', '0.10.2')).toBe('vllm:kv_cache_usage_perc');
    expect(() => kvMetric('registry.example.com/my-server:1.2')).toThrow(/vllmVersion is not set and the target's image \(registry.example.com\/my-server:1.2\)/);

    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm');
    const { d } = modelA(c);
    new KedaGpuScaler(c, 's', {
      target: GpuScaleTarget.fromInferenceDeployment(d),
      maxReplicas: 8,
      profile: ScalingProfile.INTERACTIVE,
      triggers: [
        GpuScalingTrigger.gpuUtilization(), GpuScalingTrigger.vllmQueueDepth({ waitingPerReplica: 3 }),
        GpuScalingTrigger.vllmKvCacheUsage({ targetRatio: 0.75 }),
        GpuScalingTrigger.promQL({ name: 'gateway-rps', query: 'sum(rate(gateway_requests_total{route="model-a"}[1m]))', threshold: 20, activationThreshold: 1 }),
      ],
      authentication: PrometheusAuthentication.bearer('prom-token'),
    });
    const objs = Testing.synth(c);
    const so = one(objs, 'ScaledObject');
    const summary = so.spec.triggers.map((t: any) =>
      [t.name, t.metadata.threshold, t.metadata.activationThreshold, t.metadata.authModes, t.authenticationRef?.name]);
    expect(summary).toEqual([
      ['gpu-utilization', '60', '0', 'bearer', expect.any(String)],
      ['vllm-queue-depth', '3', '0', 'bearer', expect.any(String)],
      ['vllm-kv-cache', '0.75', '0', 'bearer', expect.any(String)],
      ['gateway-rps', '20', '1', 'bearer', expect.any(String)],
    ]);
    expect(so.spec.triggers[2].metadata.query).toBe('sum(avg by (pod) (vllm:kv_cache_usage_perc{namespace="inference", pod=~"model-a-serving-[a-z0-9]+-[a-z0-9]+"}))');
    expect(so.spec.triggers[1].metadata.query).toBe('sum(vllm:num_requests_waiting{namespace="inference", pod=~"model-a-serving-[a-z0-9]+-[a-z0-9]+"})');
    const auth = one(objs, 'TriggerAuthentication');
    expect(auth.spec).toEqual({ secretTargetRef: [{ parameter: 'bearerToken', name: 'prom-token', key: 'token' }] });
    expect(so.spec.triggers.every((t: any) => t.authenticationRef.name === auth.metadata.name)).toBe(true);
    expect(so.spec.cooldownPeriod).toBe(30);
    expectValid(objs);
    expect(lint(objs)).toEqual([]);
  });

  test('profiles: seed thresholds and cooldowns; tolerance opt-in; model load time bounds scale-down', () => {
    const profiles = [ScalingProfile.REAL_TIME, ScalingProfile.BATCH, ScalingProfile.INTERACTIVE];
    expect(profiles.map((p) => [p.scaleUpUtilizationPercent, p.scaleDownUtilizationPercent, p.cooldownSeconds]))
      .toEqual([[70, 30, 60], [85, 40, 300], [60, 25, 30]]);
    const c = Testing.chart();
    const s = new KedaGpuScaler(c, 's', {
      target: GpuScaleTarget.fromDeployment(plainDeployment(c)),
      maxReplicas: 4,
      profile: ScalingProfile.BATCH,
      modelLoadTime: Duration.minutes(12),
      useScaleDownTolerance: true,
    });
    const spec = Testing.synth(c).find((o) => o.kind === 'ScaledObject').spec;
    expect(spec.initialCooldownPeriod).toBe(720);
    expect(spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown).toMatchObject({ stabilizationWindowSeconds: 720, tolerance: '0.53', policies: [{ type: 'Percent', value: 25, periodSeconds: 300 }] });
    expect(spec.triggers[0].metadata.threshold).toBe('85');
    expect(s.queries['gpu-utilization']).toContain('pod=~"plain-[a-z0-9]+-[a-z0-9]+"');
  });

  test('scale to zero needs a trigger that exists without pods; then empty results are zeros and the alert is guarded', () => {
    const c = Testing.chart();
    const target = GpuScaleTarget.fromDeployment(plainDeployment(c));
    expect(() => new KedaGpuScaler(c, 'a', { target, minReplicas: 0, maxReplicas: 4, triggers: [GpuScalingTrigger.gpuUtilization(), GpuScalingTrigger.vllmQueueDepth()] }))
      .toThrow(/minReplicas is 0, but every trigger \(gpu-utilization, vllm-queue-depth\) reads the target's own pods/);
    const c2 = Testing.chart();
    new KedaGpuScaler(c2, 'b', {
      target: GpuScaleTarget.fromDeployment(plainDeployment(c2)),
      minReplicas: 0,
      maxReplicas: 4,
      triggers: [GpuScalingTrigger.vllmQueueDepth(), GpuScalingTrigger.promQL({ name: 'gateway-rps', query: 'sum(rate(gw_requests_total[1m]))', threshold: 10 })],
    });
    const objs = Testing.synth(c2);
    const so = one(objs, 'ScaledObject');
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.fallback.replicas).toBe(1);
    expect(so.spec.triggers.map((t: any) => t.metadata.ignoreNullValues)).toEqual(['true', 'true']);
    expect(one(objs, 'PrometheusRule').spec.groups[0].rules[1].expr)
      .toBe('absent(sum(rate(gw_requests_total[1m]))) and on() (kube_deployment_spec_replicas{namespace="inference", deployment="plain"} > 0)');
    expectValid(objs);
  });

  describe('one autoscaler per target', () => {
    test('a second KedaGpuScaler on the same target throws', () => {
      const c = Testing.chart();
      const d = plainDeployment(c);
      new KedaGpuScaler(c, 'a', { target: GpuScaleTarget.fromDeployment(d), maxReplicas: 4 });
      expect(() => new KedaGpuScaler(c, 'b', { target: GpuScaleTarget.fromDeployment(d), maxReplicas: 4 }))
        .toThrow(/target Deployment plain is already scaled by test\/a/);
      expect(() => new KedaGpuScaler(c, 'c', { target: GpuScaleTarget.fromApiObject(ApiObject.of(d)), maxReplicas: 4 })).toThrow(GpuConfigError);
    });
    test('a cdk8s-plus HPA after the scaler throws GpuConfigError; one before it too', () => {
      const c = Testing.chart();
      const d = plainDeployment(c);
      new KedaGpuScaler(c, 'a', { target: GpuScaleTarget.fromDeployment(d), maxReplicas: 4 });
      let err: unknown;
      try {
        new kplus.HorizontalPodAutoscaler(c, 'hpa', { target: d, maxReplicas: 4 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GpuConfigError);
      expect((err as Error).message).toMatch(/test\/a: target Deployment plain is scaled by this KedaGpuScaler; a HorizontalPodAutoscaler on it would fight KEDA's own HPA/);
      const c2 = Testing.chart();
      const d2 = plainDeployment(c2);
      new kplus.HorizontalPodAutoscaler(c2, 'hpa', { target: d2, maxReplicas: 4 });
      expect(() => new KedaGpuScaler(c2, 'a', { target: GpuScaleTarget.fromDeployment(d2), maxReplicas: 4 })).toThrow(/already has a HorizontalPodAutoscaler/);
    });
    test('a raw HPA object on the target fails synth', () => {
      const c = Testing.chart();
      const d = plainDeployment(c);
      new KedaGpuScaler(c, 'a', { target: GpuScaleTarget.fromDeployment(d), maxReplicas: 4 });
      new kplus.k8s.KubeHorizontalPodAutoscalerV2(c, 'raw', { metadata: { name: 'raw', namespace: 'inference' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'plain' }, maxReplicas: 3 } });
      expect(() => Testing.synth(c)).toThrow(/also scaled by HorizontalPodAutoscaler raw/);
    });
    test('raw HPAs are matched to the right scaler by kind, namespace and name; an HPA elsewhere is fine', () => {
      const c = Testing.chart();
      for (const n of ['m0', 'm1', 'm2']) new KedaGpuScaler(c, `s-${n}`, { target: GpuScaleTarget.fromDeployment(plainDeployment(c, n)), maxReplicas: 4 });
      const hpa = (id: string, namespace: string, kind: string, name: string) => new kplus.k8s.KubeHorizontalPodAutoscalerV2(c, id, {
        metadata: { name: id, namespace }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind, name }, maxReplicas: 3 },
      });
      hpa('other-ns', 'default', 'Deployment', 'm1');
      hpa('other-kind', 'inference', 'StatefulSet', 'm1');
      hpa('other-name', 'inference', 'Deployment', 'm9');
      expect(() => Testing.synth(c)).not.toThrow();
      hpa('clash', 'inference', 'Deployment', 'm2');
      let message = '';
      try {
        Testing.synth(c);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/test\/s-m2: target Deployment m2 is also scaled by HorizontalPodAutoscaler clash/);
      expect(message).not.toMatch(/s-m0|s-m1/);
    });
    test('the raw-HPA check is one pass per chart, not one per scaler (synth stays linear)', () => {
      const findAllCalls = (scalers: number): number => {
        const c = Testing.chart();
        for (let i = 0; i < scalers; i++) new KedaGpuScaler(c, `s${i}`, { target: GpuScaleTarget.fromDeployment(plainDeployment(c, `m${i}`)), maxReplicas: 4 });
        const spy = jest.spyOn(Object.getPrototypeOf(c.node), 'findAll');
        try {
          Testing.synth(c);
          return spy.mock.calls.length;
        } finally {
          spy.mockRestore();
        }
      };
      expect(findAllCalls(20)).toBe(findAllCalls(2));
    });
  });

  test('maxReplicas × GPUs must fit the pools, with the numbers', () => {
    const c = Testing.chart();
    const { d } = modelA(c, { gpus: GpuRequest.whole(8) });
    expect(() => new KedaGpuScaler(c, 's', { target: GpuScaleTarget.fromInferenceDeployment(d), maxReplicas: 10 }))
      .toThrow('test/s: maxReplicas is 10: 10 × 8 GPUs = 80 GPUs, above the 64 GPUs the pools (gpu-inference-pool: 64) may launch; replicas above 8 stay Pending. Fix: lower maxReplicas to 8 or raise the pools\' gpuLimit');
    expect(() => new KedaGpuScaler(c, 's2', { target: GpuScaleTarget.fromInferenceDeployment(d), maxReplicas: 8 })).not.toThrow();
  });

  test('snapshot: seed model-a scaler chart', () => {
    const c = Testing.chart();
    const { d } = modelA(c);
    new KedaGpuScaler(c, 'scaler', {
      name: 'model-a-gpu-scaler',
      target: GpuScaleTarget.fromInferenceDeployment(d),
      minReplicas: 2,
      maxReplicas: 10,
      triggers: [GpuScalingTrigger.gpuUtilization(), GpuScalingTrigger.vllmQueueDepth()],
    });
    expect(Testing.synth(c).filter((o) => ['ScaledObject', 'PrometheusRule', 'TriggerAuthentication'].includes(o.kind))).toMatchSnapshot();
  });

  describe('bad input → GpuConfigError', () => {
    const base = (c: Chart): KedaGpuScalerProps => ({ target: GpuScaleTarget.fromDeployment(plainDeployment(c)), maxReplicas: 4 });
    test.each([
      [{ maxReplicas: 0 }, /maxReplicas is 0/],
      [{ minReplicas: 5 }, /minReplicas is 5, above maxReplicas 4/],
      [{ minReplicas: -1 }, /minReplicas is -1/],
      [{ triggers: [] }, /triggers is empty/],
      [{ triggers: [GpuScalingTrigger.vllmQueueDepth(), GpuScalingTrigger.vllmQueueDepth()] }, /two triggers named vllm-queue-depth/],
      [{ prometheusUrl: 'prometheus:9090' }, /prometheusUrl is "prometheus:9090"/],
      [{ pollingInterval: Duration.millis(1500) }, /pollingInterval is 1.5 s/],
      [{ fallbackReplicas: 9 }, /fallbackReplicas is 9/],
      [{ name: 'Model_A' }, /name is "Model_A"/],
      [{ vllmVersion: 'latest' }, /vllmVersion is "latest", not a version/],
      [{ target: undefined }, /target is missing/],
    ])('%j', (over, msg) => {
      const c = Testing.chart();
      const props = { ...base(c), ...over } as any;
      let err: unknown;
      try {
        new KedaGpuScaler(c, 's', props);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GpuConfigError);
      expect((err as Error).message).toMatch(msg);
      // a failed scaler leaves the target free for a correct one
      if (props.target) expect(() => new KedaGpuScaler(c, 'ok', { target: props.target, maxReplicas: 4 })).not.toThrow();
    });
    test('trigger, profile, target and auth factories check their input', () => {
      expect(() => GpuScalingTrigger.gpuUtilization({ targetPercent: 150 })).toThrow(/targetPercent is 150/);
      expect(() => GpuScalingTrigger.vllmKvCacheUsage({ targetRatio: 80 })).toThrow(/targetRatio is 80, not a fraction/);
      expect(() => GpuScalingTrigger.promQL({ name: 'x', query: ' ', threshold: 1 })).toThrow(/query is empty/);
      expect(() => GpuScalingTrigger.promQL({ name: 'Bad Name', query: 'up', threshold: 1 })).toThrow(GpuConfigError);
      expect(() => ScalingProfile.custom({ name: 'x', scaleUpUtilizationPercent: 50, scaleDownUtilizationPercent: 60, cooldownSeconds: 10 })).toThrow(/scaleDownUtilizationPercent is 60/);
      const c = Testing.chart();
      expect(() => GpuScaleTarget.fromApiObject(new kplus.k8s.KubeConfigMap(c, 'cm', {}))).toThrow(/obj is v1 ConfigMap/);
      expect(() => GpuScaleTarget.fromDeployment(plainDeployment(c, 'x'), { gpusPerReplica: 0 })).toThrow(/gpusPerReplica is 0/);
      expect(() => PrometheusAuthentication.bearer('Bad Secret')).toThrow(GpuConfigError);
    });
  });
});

describe('KedaGpuScaler and the InferenceDeployment rollout (GPU218, GPU226)', () => {
  const rolling = (objs: any[]) => one(objs, 'Deployment').spec.strategy.rollingUpdate;
  const rolloutFindings = (objs: any[]) => lint(objs).filter((f) => f.startsWith('GPU218') || f.startsWith('GPU226'));
  // A p5 pool limited to 24 GPUs holds three 8-GPU replicas.
  function build(minReplicas: number, maxReplicas = 3) {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm');
    const pool = new GpuNodePool(c, 'pool', { name: 'p5', instanceTypes: [GpuInstanceType.of('p5.48xlarge')], gpuLimit: 24, nodeClassProps: BOUND });
    const d = new InferenceDeployment(c, 'model', { name: 'model', namespace: 'inference', pools: [pool], gpus: GpuRequest.whole(8), vllm: { model: 'm/m' } });
    new KedaGpuScaler(c, 's', { target: GpuScaleTarget.fromInferenceDeployment(d), minReplicas, maxReplicas });
    return Testing.synth(c);
  }

  test('room for one more replica across the scaler\'s range: the rollout surges', () => {
    const objs = build(1, 2);
    expect(rolling(objs)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(rolloutFindings(objs)).toEqual([]);
  });

  test('room at the floor but not at the maximum: maxUnavailable ⌈100/3⌉% = 34% rounds down to 0 below 3 replicas, to 1 at 3', () => {
    for (const min of [1, 2]) {
      const objs = build(min);
      expect(rolling(objs)).toEqual({ maxSurge: 1, maxUnavailable: '34%' });
      // Kubernetes resolves the percentage against the replicas of the moment (ResolveFenceposts, unavailable rounded down).
      const strategy = { spec: { strategy: { rollingUpdate: rolling(objs) } } };
      expect([1, 2, 3].map((r) => rolloutFenceposts(strategy, r)!.unavailable)).toEqual([0, 0, 1]);
      expect(rolloutFindings(objs)).toEqual([]);
    }
  });

  test('a floor that fills the pool makes it replace one pod at a time, and GPU218 stays silent', () => {
    const objs = build(3);
    expect(rolling(objs)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(rolloutFindings(objs)).toEqual([]);
  });
});

describe('KedaGpuScaler maximum against whole nodes (GPU219)', () => {
  test('maxReplicas within the GPU sum but beyond the nodes the limits buy is a GpuConfigError', () => {
    const c = Testing.chart();
    new DcgmMonitoring(c, 'dcgm');
    const pool = new GpuNodePool(c, 'pool', { name: 'p5', instanceTypes: [GpuInstanceType.of('p5.48xlarge')], gpuLimit: 24, nodeClassProps: BOUND });
    const d = new InferenceDeployment(c, 'model', { name: 'model', namespace: 'inference', pools: [pool], gpus: GpuRequest.whole(6), vllm: { model: 'm/m' } });
    // 4 × 6 = 24 GPUs fit the sum; three p5.48xlarge nodes hold three such replicas.
    expect(() => new KedaGpuScaler(c, 's', { target: GpuScaleTarget.fromInferenceDeployment(d), minReplicas: 1, maxReplicas: 4 }))
      .toThrow(/maxReplicas is 4, but the pools' limits let Karpenter launch nodes for at most 3 replicas of 6 GPUs/);
  });
});
