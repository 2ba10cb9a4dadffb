/**
 * The bare app of bench/synth.ts: cdk8s-plus-30 alone, no cdk8s-gpu module. Kept in its own module so the bare
 * benchmark child loads nothing of ours.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';

/** Namespaces the workloads are spread over (team-0 … team-19), in both apps. */
export const NAMESPACES = 20;

/**
 * What the bare app's author writes by hand for each workload shape: the numbers and scheduling terms our library
 * derives (cpu and memory share of the pool's allocatable, /dev/shm size, grace period, tolerations, pools). Workload
 * i has shape i % 8 (pool i % 8, GPUs [1, 1, 2, 4][i % 4]). Read by the parent from our own app of 8 workloads, so
 * the bare child loads nothing but cdk8s and cdk8s-plus-30.
 */
export interface BareShape {
  readonly gpus: number;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly shmMiB: number;
  readonly graceSeconds: number;
  readonly tolerations: Array<{ key: string; operator: string; value?: string; effect: string }>;
  readonly poolNames: string[];
  readonly priorityClassName: string;
  /** Our app scales it with KEDA, so `spec.replicas` is left to the autoscaler (cdk8s-plus `markHasAutoscaler`). */
  readonly autoscaled: boolean;
}

/**
 * The bare app: the same Deployments and Services written with cdk8s-plus-30 alone, call for call what a careful
 * author would write (non-root, read-only root filesystem, probes, /dev/shm, tolerations, pool affinity, spread,
 * priority, preStop drain), with the numbers of `shapes` typed in. `main` checks that its Deployment and Service
 * documents are identical to ours before it times anything. It has no NodePools, PDBs, scalers, alert rules or
 * validation: those are what our app adds.
 */
export function buildBare(n: number, shapes: BareShape[]): App {
  const app = new App({ outdir: path.join(os.tmpdir(), 'cdk8s-gpu-bench-bare') });
  const chart = new Chart(app, 'bench');
  for (let i = 0; i < n; i++) {
    const shape = shapes[i % shapes.length];
    const name = `model-${i}`;
    const namespace = `team-${i % NAMESPACES}`;
    const scope = new Construct(chart, name);
    const d = new kplus.Deployment(scope, 'Resource', {
      metadata: { name, namespace },
      replicas: 1 + (i % 3),
      select: false,
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
      progressDeadline: Duration.seconds(2100),
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(shape.graceSeconds),
      securityContext: { ensureNonRoot: true, user: 1000, group: 1000, fsGroup: 1000, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
      volumes: [],
    });
    if (shape.autoscaled) d.markHasAutoscaler();
    d.podMetadata.addLabel('app.kubernetes.io/name', name);
    d.podMetadata.addLabel('app.kubernetes.io/component', 'inference');
    d.select(kplus.LabelSelector.of({ labels: { 'app.kubernetes.io/name': name } }));
    const shm = kplus.Volume.fromEmptyDir(scope, 'shm', 'shm', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(shape.shmMiB) });
    const tmp = kplus.Volume.fromEmptyDir(scope, 'tmp', 'tmp', { sizeLimit: Size.gibibytes(4) });
    const cache = kplus.Volume.fromEmptyDir(scope, 'cache', 'model-cache', {});
    const probe = (failureThreshold: number, period: number, timeout: number) => kplus.Probe.fromHttpGet('/health', {
      port: 8000, failureThreshold, periodSeconds: Duration.seconds(period), timeoutSeconds: Duration.seconds(timeout),
    });
    const cpu = kplus.Cpu.millis(shape.cpuMillis);
    const memory = Size.mebibytes(shape.memoryMiB);
    d.addContainer({
      name: 'server',
      image: 'vllm/vllm-openai:v0.7.3',
      ports: [{ number: 8000, name: 'http' }],
      envVariables: {
        HOME: kplus.EnvValue.fromValue('/tmp'),
        XDG_CACHE_HOME: kplus.EnvValue.fromValue('/cache'),
        HF_HOME: kplus.EnvValue.fromValue('/cache/huggingface'),
      },
      resources: { cpu: { request: cpu, limit: cpu }, memory: { request: memory, limit: memory } },
      securityContext: {
        ensureNonRoot: true, user: 1000, group: 1000, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
        capabilities: { drop: [kplus.Capability.ALL] }, seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      startup: probe(180, 10, 5),
      readiness: probe(3, 10, 5),
      liveness: probe(3, 30, 10),
      volumeMounts: [{ path: '/dev/shm', volume: shm }, { path: '/tmp', volume: tmp }, { path: '/cache', volume: cache }],
    });
    for (const t of shape.tolerations) {
      const options = { effect: t.effect as kplus.TaintEffect };
      d.scheduling.tolerate(kplus.Node.tainted(t.operator === 'Exists' || t.value === undefined
        ? kplus.NodeTaintQuery.exists(t.key, options) : kplus.NodeTaintQuery.is(t.key, t.value, options)));
    }
    d.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.in('karpenter.sh/nodepool', shape.poolNames)));
    const obj = ApiObject.of(d);
    const podSpec = '/spec/template/spec';
    for (const field of ['limits', 'requests']) {
      obj.addJsonPatch(JsonPatch.add(`${podSpec}/containers/0/resources/${field}/nvidia.com~1gpu`, kplus.k8s.Quantity.fromNumber(shape.gpus)));
    }
    d.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
    obj.addJsonPatch(JsonPatch.add(`${podSpec}/priorityClassName`, shape.priorityClassName));
    obj.addJsonPatch(JsonPatch.add(`${podSpec}/topologySpreadConstraints`, [{
      maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': name } },
    }]));
    obj.addJsonPatch(JsonPatch.add(`${podSpec}/containers/0/lifecycle`, { preStop: { sleep: { seconds: 15 } } }));
    new kplus.Service(scope, 'Service', {
      metadata: { name, namespace },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: 8000, targetPort: 8000 }],
      selector: kplus.Pods.select(scope, 'ServicePods', { labels: { 'app.kubernetes.io/name': name } }),
    });
  }
  return app;
}


/** Builds and synthesises one app in this process; prints one JSON line with the times and the peak RSS. */
export function timeSynth(variant: string, n: number, build: () => App): void {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  exitIfAt('start');
  const app = build();
  const t1 = performance.now();
  const yaml = app.synthYaml();
  const t2 = performance.now();
  exitIfAt('end');
  const cpu = process.cpuUsage(cpu0);
  const maxRssKiB = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify({ variant, n, constructMs: t1 - t0, synthMs: t2 - t1, totalMs: t2 - t0, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB, bytes: yaml.length, docs: yaml.split('\n---\n').length })}\n`);
}

/**
 * `BENCH_EXIT_AT=start|end` ends the child there: the instructions of the timed region are those of a run to its end
 * less those of a run to its start (bench/synth.ts `--instructions`).
 */
function exitIfAt(point: 'start' | 'end'): void {
  if (process.env.BENCH_EXIT_AT === point) process.exit(0);
}

/**
 * The bare app plus every other object our app writes (NodePools, EC2NodeClass, PDBs, ScaledObjects, PriorityClasses,
 * DCGM monitoring…) as plain cdk8s ApiObjects of the same JSON: the same YAML written by hand with cdk8s alone, for the
 * like-for-like comparison. `extras` is read before the clock starts.
 */
export function buildBareAll(n: number, shapes: BareShape[], extras: any[]): App {
  const app = buildBare(n, shapes);
  const chart = app.charts[0];
  extras.forEach((o, i) => new ApiObject(chart, `extra-${i}`, o));
  return app;
}

// The bare children of bench/synth.ts: `bare-app.ts --child bare|bare-all <n>`, shapes in BENCH_BARE_SHAPES, the extra
// objects of bare-all in the JSON file BENCH_BARE_EXTRAS.
if (require.main === module && process.argv[2] === '--child') {
  const shapes: BareShape[] = JSON.parse(process.env.BENCH_BARE_SHAPES ?? '[]');
  if (shapes.length === 0) throw new Error('bench/lib/bare-app: BENCH_BARE_SHAPES is empty (run bench/synth.ts)');
  const n = Number(process.argv[4]);
  if (process.argv[3] === 'bare-all') {
    const extras = JSON.parse(fs.readFileSync(process.env.BENCH_BARE_EXTRAS ?? '', 'utf8'));
    timeSynth('bare-all', n, () => buildBareAll(n, shapes, extras));
  } else {
    timeSynth('bare', n, () => buildBare(n, shapes));
  }
}
