/**
 * Property-based tests of the workloads (InferenceDeployment, TrainingJob, TieredPriorities with teams,
 * GpuRequest): random valid props on random catalog pools synthesise schema-valid, rule-clean objects with no
 * suspicious values; one random invalid prop throws GpuConfigError naming the construct and the property.
 */
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import * as fc from 'fast-check';
import {
  BOUND, RUNS, RUNS_HEAVY, chart, dnsLabel, expectCleanSynth, expectConfigError, instanceTypes, invalidDnsLabel, labelKey,
  labelValue, params,
} from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import { GpuConfigError } from '../../src/errors';
import { CapacityType, GpuNodePool, SpotGpuPool } from '../../src/pools';
import {
  GpuRequest, InferenceDeployment, InferenceDeploymentProps, PriorityTier, TieredPriorities, TrainingJob, TrainingJobProps,
} from '../../src/workloads';

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

/** Catalog types without g4dn.metal-style oddities excluded: every GPU type the catalog knows. */
const poolTypes = instanceTypes(() => true, 3);

/** A chart with one or two on-demand pools of random types (and optionally a spot pool), plus priorities. */
interface Scene {
  readonly chart: Chart;
  readonly pools: GpuNodePool[];
  readonly largest: number;
  readonly priorities: TieredPriorities;
  readonly spot: boolean;
}

const scene: fc.Arbitrary<() => Scene> = fc.tuple(poolTypes, fc.option(poolTypes, { nil: undefined }), fc.boolean())
  .map(([a, b, spot]) => () => {
    const c = chart();
    const pools: GpuNodePool[] = [new GpuNodePool(c, 'pool-a', { instanceTypes: a, gpuLimit: 64, nodeClassProps: BOUND })];
    if (b) {
      pools.push(spot
        ? new SpotGpuPool(c, 'pool-b', { instanceTypes: b, gpuLimit: 64, nodeClassProps: BOUND })
        : new GpuNodePool(c, 'pool-b', { instanceTypes: b, gpuLimit: 64, capacityType: CapacityType.ON_DEMAND, nodeClassProps: BOUND }));
    }
    const largest = Math.max(...pools.flatMap((p) => p.allowedInstanceTypes.map((t) => t.gpuCount)));
    return { chart: c, pools, largest, priorities: new TieredPriorities(c, 'priorities'), spot: spot && !!b };
  });

const envName = fc.tuple(fc.constantFrom(...'ABCXYZ_'.split('')), fc.array(fc.constantFrom(...'ABZ09_'.split('')), { maxLength: 12 }))
  .map(([a, m]) => `${a}${m.join('')}`).filter((n) => !['HOME', 'XDG_CACHE_HOME', 'HF_HOME', 'HF_TOKEN', 'PORT'].includes(n));

/** Valid InferenceDeployment props, given the scene (gpus never above the largest type's GPU count). */
function inferenceProps(s: Scene): fc.Arbitrary<InferenceDeploymentProps> {
  return fc.record({
    name: fc.option(dnsLabel(40).map((n) => `m${n}`.slice(0, 40).replace(/-$/, 'x')), { nil: undefined }),
    namespace: fc.option(dnsLabel(30), { nil: undefined }),
    gpus: fc.integer({ min: 1, max: s.largest }).map((n) => GpuRequest.whole(n)),
    server: fc.oneof(
      fc.record({
        model: fc.constantFrom('meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen2.5-7B-Instruct', 'mistralai/Mistral-7B-v0.3'),
        maxModelLen: fc.option(fc.integer({ min: 512, max: 131072 }), { nil: undefined }),
        toolCallParser: fc.option(fc.constantFrom('hermes', 'llama3_json', 'mistral'), { nil: undefined }),
      }).map((v) => ({
        vllm: {
          model: v.model,
          ...(v.maxModelLen ? { maxModelLen: v.maxModelLen } : {}),
          ...(v.toolCallParser ? { toolCallParser: v.toolCallParser } : {}),
        },
      })),
      fc.constantFrom('example.com/triton:24.08', 'ghcr.io/huggingface/text-generation-inference:2.4').map((image) => ({ image })),
    ),
    // Two pools of 64 GPUs and types of at most 8 GPUs: eight nodes each, every one holding a replica (GPU219).
    replicas: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
    labels: fc.option(fc.dictionary(labelKey(), labelValue(), { maxKeys: 3 }), { nil: undefined }),
    env: fc.option(fc.dictionary(envName, fc.string({ maxLength: 20 }), { maxKeys: 3 }), { nil: undefined }),
    spreadAcrossNodes: fc.option(fc.boolean(), { nil: undefined }),
    spreadAcrossZones: fc.option(fc.boolean(), { nil: undefined }),
    service: fc.option(fc.boolean(), { nil: undefined }),
    priority: fc.option(fc.constantFrom('inference', 'training', 'experiments'), { nil: undefined }),
  }).map(({ server, priority, ...r }) => {
    const out: any = { pools: s.pools, ...server };
    // vLLM needs a tensor parallel size (the GPUs a pod) that divides the model's attention heads (GPU253): Llama 3.1 8B
    // has 32, Qwen2.5 7B 28; Mistral, unknown to the library, takes any.
    const heads = ({ 'meta-llama/Llama-3.1-8B-Instruct': 32, 'Qwen/Qwen2.5-7B-Instruct': 28 } as Record<string, number>)[out.vllm?.model];
    if (heads !== undefined && heads % (r.gpus as GpuRequest).count !== 0) out.vllm = { ...out.vllm, model: 'mistralai/Mistral-7B-v0.3' };
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
    if (priority) out.priority = (s.priorities as any)[priority] as PriorityTier;
    // (TGI's image listens on its PORT, 80, unless told the port the probes and the Service use)
    if (String(out.image).includes('text-generation-inference')) out.env = { ...out.env, PORT: `${out.port ?? 8000}` };
    return out as InferenceDeploymentProps;
  });
}

describe('InferenceDeployment', () => {
  test('random valid props on random pools synthesise clean objects', () => {
    fc.assert(fc.property(scene.chain((mk) => {
      const s = mk();
      return inferenceProps(s).map((p) => [s, p] as const);
    }), ([s, props]) => {
      const d = new InferenceDeployment(s.chart, 'model', props);
      const objs = expectCleanSynth(s.chart);
      const dep = objs.find((o) => o.kind === 'Deployment');
      expect(dep.metadata.name).toBe(d.name);
      const c = dep.spec.template.spec.containers[0];
      expect(c.resources.limits['nvidia.com/gpu']).toBe(props.gpus!.count);
      expect(c.resources.requests['nvidia.com/gpu']).toBe(props.gpus!.count);
      expect(objs.some((o) => o.kind === 'Service')).toBe(props.service ?? true);
    }), params(RUNS_HEAVY));
  });

  type Mutation = [string, (p: InferenceDeploymentProps, s: Scene) => InferenceDeploymentProps];
  const mutations: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constantFrom(-1, 1.5, NaN).map((replicas) => ['replicas', (p: any) => ({ ...p, replicas })] as Mutation),
    fc.constantFrom(0, -80, 65536, 80.5, NaN).map((port) => ['port', (p: any) => ({ ...p, port })] as Mutation),
    fc.constant(['gpus', (p: any, s: Scene) => ({ ...p, gpus: GpuRequest.whole(s.largest + 1), vllm: undefined, image: 'x.io/s:1' })] as Mutation),
    fc.constant(['pools', (p: any) => ({ ...p, pools: [] })] as Mutation),
    fc.constant(['pools', (p: any, s: Scene) => ({ ...p, pools: [s.pools[0], s.pools[0]] })] as Mutation),
    fc.constantFrom('', '  ').map((model) => ['vllm.model', (p: any) => ({ ...p, image: undefined, vllm: { model } })] as Mutation),
    fc.constant(['image', (p: any) => ({ ...p, vllm: undefined, image: undefined })] as Mutation),
    fc.constantFrom(0, 1.01, -0.5, NaN).map((u) => ['vllm.gpuMemoryUtilization', (p: any) => ({ ...p, image: undefined, vllm: { model: 'a/b', gpuMemoryUtilization: u } })] as Mutation),
    fc.constantFrom(0, -1, 2.5).map((m) => ['vllm.maxModelLen', (p: any) => ({ ...p, image: undefined, vllm: { model: 'a/b', maxModelLen: m } })] as Mutation),
    fc.constantFrom('health', 'http://x/health', '').map((healthPath) => ['healthPath', (p: any) => ({ ...p, healthPath })] as Mutation),
    fc.constantFrom(0, -5).map((maxUnavailable) => ['maxUnavailable', (p: any) => ({ ...p, maxUnavailable })] as Mutation),
    fc.constantFrom(0, -1000).map((uid) => ['runAsUser', (p: any) => ({ ...p, runAsUser: uid })] as Mutation),
    fc.constantFrom(0, -2).map((n) => ['cpu', (p: any) => ({ ...p, cpu: kplus.Cpu.units(n) })] as Mutation),
    fc.constant(['memory', (p: any) => ({ ...p, memory: Size.mebibytes(0) })] as Mutation),
    fc.constant(['shmSize', (p: any) => ({ ...p, memory: Size.gibibytes(2), shmSize: Size.gibibytes(4) })] as Mutation),
    fc.constant(['preStopDrain', (p: any) => ({ ...p, terminationGracePeriod: Duration.seconds(30), preStopDrain: Duration.seconds(30) })] as Mutation),
    fc.constant(['startupTimeout', (p: any) => ({ ...p, startupTimeout: Duration.seconds(5) })] as Mutation),
    fc.constant(['preferGpuMemoryGiB', (p: any) => ({ ...p, preferGpuMemoryGiB: 100000 })] as Mutation),
  );

  test('one invalid prop throws GpuConfigError naming the construct and the property', () => {
    fc.assert(fc.property(scene.chain((mk) => {
      const s = mk();
      return fc.tuple(inferenceProps(s), mutations).map(([p, m]) => [s, p, m] as const);
    }), ([s, props, [prop, mutate]]) => {
      expectConfigError(() => new InferenceDeployment(s.chart, 'model', mutate(props, s)), `${s.chart.node.path}/model`, prop);
    }), params(RUNS));
  });

  test('a grace period beyond the spot notice on a spot pool is refused', () => {
    const c = chart();
    const spot = new SpotGpuPool(c, 'spot', { instanceTypes: [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_2XLARGE, GpuInstanceType.G6_XLARGE], gpuLimit: 8, nodeClassProps: BOUND });
    expectConfigError(() => new InferenceDeployment(c, 'model', { pools: [spot], image: 'x.io/s:1', terminationGracePeriod: Duration.seconds(300) }),
      `${c.node.path}/model`, 'terminationGracePeriod');
  });
});

describe('TrainingJob', () => {
  function trainingProps(s: Scene): fc.Arbitrary<TrainingJobProps> {
    return fc.record({
      name: fc.option(dnsLabel(40), { nil: undefined }),
      namespace: fc.option(dnsLabel(30), { nil: undefined }),
      gpus: fc.integer({ min: 1, max: s.largest }).map((n) => GpuRequest.whole(n)),
      backoffLimit: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
      activeDeadline: fc.option(fc.integer({ min: 1, max: 500 }).map((h) => Duration.hours(h)), { nil: undefined }),
      checkpoint: fc.option(fc.record({ claimName: dnsLabel(30), mountPath: fc.constantFrom('/checkpoints', '/ckpt', '/data/ckpt') }), { nil: undefined }),
      priority: fc.option(fc.constantFrom('training', 'experiments'), { nil: undefined }),
    }).map(({ priority, ...r }) => {
      const out: any = { pools: s.pools, image: 'pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime' };
      for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
      if (priority) out.priority = (s.priorities as any)[priority];
      return out as TrainingJobProps;
    });
  }

  test('random valid props synthesise clean Jobs', () => {
    fc.assert(fc.property(scene.chain((mk) => {
      const s = mk();
      return trainingProps(s).map((p) => [s, p] as const);
    }), ([s, props]) => {
      const job = new TrainingJob(s.chart, 'job', props);
      const objs = expectCleanSynth(s.chart);
      const j = objs.find((o) => o.kind === 'Job');
      expect(j.metadata.name).toBe(job.name);
      expect(j.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(props.gpus!.count);
    }), params(RUNS_HEAVY));
  });

  test('one invalid prop throws GpuConfigError naming the property', () => {
    type M = [string, (p: TrainingJobProps) => TrainingJobProps];
    const ms: fc.Arbitrary<M> = fc.oneof(
      fc.constant(['image', (p: any) => ({ ...p, image: '' })] as M),
      fc.constantFrom(-1, 0.5, NaN).map((b) => ['backoffLimit', (p: any) => ({ ...p, backoffLimit: b })] as M),
      fc.constant(['activeDeadline', (p: any) => ({ ...p, activeDeadline: Duration.millis(0) })] as M),
      fc.constantFrom('Bad_Claim', '', '-x').map((claimName) => ['checkpoint.claimName', (p: any) => ({ ...p, checkpoint: { claimName, mountPath: '/c' } })] as M),
      fc.constantFrom('relative', '/tmp', '/dev/shm').map((mountPath) => ['checkpoint.mountPath', (p: any) => ({ ...p, checkpoint: { claimName: 'ok', mountPath } })] as M),
      fc.constant(['pools', (p: any) => ({ ...p, pools: [] })] as M),
    );
    fc.assert(fc.property(scene.chain((mk) => {
      const s = mk();
      return fc.tuple(trainingProps(s), ms).map(([p, m]) => [s, p, m] as const);
    }), ([s, props, [prop, mutate]]) => {
      expectConfigError(() => new TrainingJob(s.chart, 'job', mutate(props)), `${s.chart.node.path}/job`, prop);
    }), params(RUNS));
  });
});

describe('TieredPriorities and teams', () => {
  const tierName = dnsLabel(40).filter((n) => !n.startsWith('system-'));
  test('random valid tiers and teams synthesise clean PriorityClasses, Namespaces, quotas and RBAC', () => {
    fc.assert(fc.property(
      fc.uniqueArray(tierName, { minLength: 3, maxLength: 3 }),
      fc.uniqueArray(fc.integer({ min: -1000, max: 1_000_000_000 }), { minLength: 3, maxLength: 3 }).map((v) => v.sort((a, b) => b - a)),
      fc.uniqueArray(fc.record({
        name: dnsLabel(30),
        gpuQuota: fc.option(fc.integer({ min: 0, max: 256 }), { nil: undefined }),
        migCount: fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
        configMaps: fc.uniqueArray(dnsLabel(20), { maxLength: 2 }),
        secrets: fc.uniqueArray(dnsLabel(20), { maxLength: 2 }),
        labels: fc.dictionary(labelKey().filter((k) => k !== 'team'), labelValue(), { maxKeys: 2 }),
      }), { maxLength: 3, selector: (t) => t.name }),
      fc.boolean(),
      (names, values, teams, globalDefault) => {
        const c = chart();
        const p = new TieredPriorities(c, 'priorities', {
          inference: { name: names[0], value: values[0] },
          training: { name: names[1], value: values[1] },
          experiments: { name: names[2], value: values[2] },
          experimentsGlobalDefault: globalDefault,
        });
        for (const t of teams) {
          p.addTeam(t.name, {
            ...(t.gpuQuota !== undefined ? { gpuQuota: t.gpuQuota } : {}),
            ...(t.migCount !== undefined ? { migQuotas: [{ profile: '1g.10gb', count: t.migCount }] } : {}),
            readableConfigMaps: t.configMaps,
            readableSecrets: t.secrets,
            labels: t.labels,
          });
        }
        const objs = expectCleanSynth(c);
        expect(objs.filter((o) => o.kind === 'PriorityClass').map((o) => o.value)).toEqual(values);
        expect(objs.filter((o) => o.kind === 'Namespace')).toHaveLength(teams.length);
      }), params(RUNS_HEAVY));
  });

  test('invalid tiers and teams throw GpuConfigError naming the property', () => {
    type Case = [string, (c: Chart) => unknown];
    const cases: fc.Arbitrary<Case> = fc.oneof(
      invalidDnsLabel().filter((n) => n.length <= 63).map((name) => ['inference.name', (c: Chart) => new TieredPriorities(c, 'p', { inference: { name } })] as Case),
      fc.constant(['training.name', (c: Chart) => new TieredPriorities(c, 'p', { training: { name: 'system-mine' } })] as Case),
      fc.constantFrom(2_000_000_000, 1.5, NaN).map((value) => ['inference.value', (c: Chart) => new TieredPriorities(c, 'p', { inference: { value } })] as Case),
      fc.constant(['value', (c: Chart) => new TieredPriorities(c, 'p', { training: { value: 5_000_000 } })] as Case),
      fc.constant(['name', (c: Chart) => new TieredPriorities(c, 'p', { training: { name: 'inference-critical' } })] as Case),
      invalidDnsLabel().map((name) => ['name', (c: Chart) => new TieredPriorities(c, 'p').addTeam(name)] as Case),
      invalidDnsLabel().filter((n) => n !== '').map((namespace) => ['namespace', (c: Chart) => new TieredPriorities(c, 'p').addTeam('team', { namespace })] as Case),
      fc.constantFrom(-1, 2.5, NaN).map((gpuQuota) => ['gpuQuota', (c: Chart) => new TieredPriorities(c, 'p').addTeam('team', { gpuQuota })] as Case),
      fc.constant(['maxGpusPerContainer', (c: Chart) => new TieredPriorities(c, 'p').addTeam('team', { gpuQuota: 2, maxGpusPerContainer: 4 })] as Case),
      fc.constantFrom('2x.10gb', 'big', '').map((profile) => ['migQuotas', (c: Chart) => new TieredPriorities(c, 'p').addTeam('team', { migQuotas: [{ profile, count: 1 }] })] as Case),
      fc.constantFrom(-1, 0.5).map((count) => ['migQuotas', (c: Chart) => new TieredPriorities(c, 'p').addTeam('team', { migQuotas: [{ profile: '1g.10gb', count }] })] as Case),
    );
    fc.assert(fc.property(cases, ([prop, make]) => {
      const c = chart();
      expectConfigError(() => make(c), new RegExp(`^${c.node.path}/p(/|$)`), prop);
    }), params(RUNS));
  });
});

describe('GpuRequest', () => {
  test('whole(n) and mig(profile, n) accept valid input and refuse the rest with GpuConfigError', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), (n) => {
      expect(GpuRequest.whole(n).count).toBe(n);
      expect(GpuRequest.mig('1g.10gb', n).resourceName).toBe('nvidia.com/mig-1g.10gb');
    }), params(RUNS));
    fc.assert(fc.property(fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true }), fc.constant(NaN)), (n) => {
      expectConfigError(() => GpuRequest.whole(n), 'GpuRequest.whole', 'count');
      expectConfigError(() => GpuRequest.mig('1g.10gb', n), 'GpuRequest.mig', 'count');
    }), params(RUNS));
    fc.assert(fc.property(fc.string({ maxLength: 12 }).filter((p) => !/^\s*([1-9])g\.([1-9][0-9]*)gb((\+|\.)me)?\s*$/i.test(p)), (profile) => {
      const e = expectConfigError(() => GpuRequest.mig(profile), 'GpuRequest.mig', 'profile');
      expect(e).toBeInstanceOf(GpuConfigError);
    }), params(RUNS));
  });
});
