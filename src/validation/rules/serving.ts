/**
 * Serving rules: a vLLM server's parallelism against the GPUs its container is given (GPU221, GPU222), and its probes
 * against its model load (GPU232, GPU233), a GPU Deployment's progress deadline against its startup probe (GPU234), and
 * a gated model's token (GPU235).
 *
 * vLLM facts (vLLM "Distributed inference and serving"; `vllm serve --help`): `--tensor-parallel-size` (`-tp`) and
 * `--pipeline-parallel-size` (`-pp`) make one engine's world size, `--data-parallel-size` (`-dp`) runs that many engines
 * on the node, each with its own GPUs, so one pod uses DP × TP × PP GPUs (each 1 by default). On one node vLLM's
 * multiprocessing executor checks them against the GPUs it sees (`cuda_device_count_stateless()`: the devices the
 * device plugin gave the container) and stops at start-up with "please set tensor_parallel_size (N) to less than max
 * local gpu count (M)" (`vllm/v1/executor/multiproc_executor.py`). Multi-node settings (Ray or an external launcher,
 * `--nnodes`, `--headless`, data-parallel addresses and local sizes), a `--config` file, `CUDA_VISIBLE_DEVICES` or a value
 * from a variable cannot be judged here and are left alone.
 */
import { describeValue } from '../../private/describe';
import { memoPerRun } from '../../private/memo';
import { containerRequest, demandsAny } from '../../scheduling/resources';
import { ContainerRef, containerLabel, containersOf, countedThroughOwner } from '../../scheduling/workloads';
import { Severity } from '../model';
import { Rule, RuleContext, WorkloadRef } from '../rule';

/** The parallelism a vLLM container asks for, and how its flags read. */
export interface VllmParallelism {
  readonly tensor: number;
  readonly pipeline: number;
  readonly data: number;
  /** data × tensor × pipeline: the GPUs the pod's engines use. */
  readonly gpus: number;
  /** The flags as written, e.g. `--tensor-parallel-size 4`. */
  readonly shown: string;
}

const FLAGS: Record<'tensor' | 'pipeline' | 'data', readonly string[]> = {
  tensor: ['--tensor-parallel-size', '--tensor_parallel_size', '-tp'],
  pipeline: ['--pipeline-parallel-size', '--pipeline_parallel_size', '-pp'],
  data: ['--data-parallel-size', '--data_parallel_size', '-dp'],
};

/** Flags that spread the engines over several nodes or read settings from elsewhere: not judged. */
const UNJUDGED_FLAGS = ['--nnodes', '--node-rank', '--headless', '--data-parallel-address', '--data-parallel-size-local',
  '--data-parallel-start-rank', '--data-parallel-rpc-port', '--config'];

/** The words of a command line: list items, and shell scripts (`sh -c "vllm serve …"`) split on blanks. */
function words(list: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    if (typeof item !== 'string') continue;
    if (/\s/.test(item)) out.push(...item.split(/[\s\\]+/).map((w) => w.replace(/^["']|["']$/g, '')).filter((w) => w !== ''));
    else out.push(item);
  }
  return out;
}

/** The value of a flag: `--flag N`, `--flag=N`; undefined when absent, null when present but not a whole number. */
function flagValue(argv: readonly string[], names: readonly string[]): number | null | undefined {
  const raw = flagText(argv, names);
  if (raw === undefined) return undefined;
  return /^[1-9]\d*$/.test(raw) ? Number(raw) : null;
}

/**
 * The command line of a container running vLLM's OpenAI server (`vllm serve`, `python -m
 * vllm.entrypoints.openai.api_server`, or a vLLM image's own entrypoint given args), as words; else undefined.
 */
export function vllmArgv(container: any): string[] | undefined {
  const command = words(container?.command);
  const args = words(container?.args);
  const argv = [...command, ...args];
  const image = typeof container?.image === 'string' ? container.image : '';
  const serves = argv.some((w, i) => (w === 'vllm' || w.endsWith('/vllm')) && argv[i + 1] === 'serve')
    || argv.includes('vllm.entrypoints.openai.api_server')
    || (command.length === 0 && args.length > 0 && /(^|\/)vllm(-openai)?[:@]/.test(image));
  return serves ? argv : undefined;
}

/** The text after a flag (`--flag v`, `--flag=v`), undefined when the flag is absent. */
export function flagText(argv: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    const eq = names.find((n) => w.startsWith(`${n}=`));
    if (eq !== undefined) return w.slice(eq.length + 1);
    if (names.includes(w)) return argv[i + 1] ?? '';
  }
  return undefined;
}

/**
 * The parallelism of a container running vLLM's OpenAI server (`vllm serve`, `python -m vllm.entrypoints.openai.api_server`,
 * or a vLLM image's own entrypoint with args), or undefined when it does not, or when it cannot be judged here.
 */
export function vllmParallelism(container: any): VllmParallelism | undefined {
  const argv = vllmArgv(container);
  if (!argv) return undefined;
  if (argv.some((w) => UNJUDGED_FLAGS.some((f) => w === f || w.startsWith(`${f}=`)))) return undefined;
  const backend = argv.findIndex((w) => w === '--distributed-executor-backend' || w.startsWith('--distributed-executor-backend='));
  if (backend >= 0) {
    const value = argv[backend].includes('=') ? argv[backend].split('=')[1] : argv[backend + 1];
    if (value !== 'mp' && value !== 'uni') return undefined;
  }
  if (Array.isArray(container?.env) && container.env.some((e: any) => e?.name === 'CUDA_VISIBLE_DEVICES')) return undefined;
  const read = (k: 'tensor' | 'pipeline' | 'data') => flagValue(argv, FLAGS[k]);
  const tensor = read('tensor');
  const pipeline = read('pipeline');
  const data = read('data');
  if (tensor === null || pipeline === null || data === null) return undefined;
  const parts = [
    ...(tensor !== undefined ? [`--tensor-parallel-size ${tensor}`] : []),
    ...(pipeline !== undefined ? [`--pipeline-parallel-size ${pipeline}`] : []),
    ...(data !== undefined ? [`--data-parallel-size ${data}`] : []),
  ];
  const t = tensor ?? 1;
  const p = pipeline ?? 1;
  const d = data ?? 1;
  return { tensor: t, pipeline: p, data: d, gpus: t * p * d, shown: parts.length > 0 ? parts.join(' ') : 'no parallelism flags (1 GPU)' };
}

/** A container running vLLM's server in a workload whose pods ask for GPUs. */
interface VllmServer {
  readonly w: WorkloadRef;
  readonly c: ContainerRef;
  readonly argv: readonly string[];
}

/** Every container running vLLM in a workload whose pods ask for GPUs, once per run (GPU221, GPU222, GPU232, GPU233, GPU235). */
const vllmServers = memoPerRun((ctx: RuleContext): readonly VllmServer[] => {
  const out: VllmServer[] = [];
  for (const w of ctx.workloads()) {
    if (!demandsAny(ctx.gpuDemand(w.template))) continue;
    for (const c of containersOf(w.template)) {
      const argv = vllmArgv(c.container);
      if (argv) out.push({ w, c, argv });
    }
  }
  return out;
});

/** Each container running vLLM with whole GPUs of its own, in a pod asking for nvidia.com/gpu, with its parallelism. */
function* vllmContainers(ctx: RuleContext) {
  for (const { w, c } of vllmServers(ctx)) {
    if (!((ctx.gpuDemand(w.template)['nvidia.com/gpu'] ?? 0) > 0)) continue;
    const gpus = containerRequest(c.container, 'nvidia.com/gpu');
    if (!(gpus > 0)) continue;
    const par = vllmParallelism(c.container);
    if (par) yield { w, c, gpus, par };
  }
}

/** GPU221 — vLLM must not ask for more GPUs than its container is given. */
export const VLLM_PARALLELISM_FITS: Rule = {
  id: 'GPU221',
  title: 'A vLLM server\'s tensor × pipeline × data parallel size must not exceed the GPUs of its container',
  severity: Severity.ERROR,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob'],
  remediation: 'Request as many nvidia.com/gpu as data × tensor × pipeline parallel size, or lower --tensor-parallel-size '
    + '(InferenceDeployment sets it to its GPUs).',
  description: 'vLLM uses data × tensor × pipeline parallel size GPUs in one pod (each 1 by default); on one node it '
    + 'stops at start-up when it sees fewer ("please set tensor_parallel_size (N) to less than max local gpu count '
    + '(M)", vLLM `multiproc_executor.py`), so the pod crash-loops and holds its GPUs meanwhile. A copied '
    + '`--tensor-parallel-size 4` on a container given 2 GPUs is the usual case. Multi-node settings (Ray, an '
    + 'external launcher, `--nnodes`, `--headless`, data-parallel addresses), a `--config` file, `CUDA_VISIBLE_DEVICES` '
    + 'and values read from variables are not judged.',
  *check(ctx) {
    for (const { w, c, gpus, par } of vllmContainers(ctx)) {
      if (par.gpus <= gpus) continue;
      const world = par.tensor * par.pipeline;
      const why = par.tensor > gpus ? `"please set tensor_parallel_size (${par.tensor}) to less than max local gpu count (${gpus})"`
        : world > gpus ? `"please ensure that world_size (${world}) is less than than max local gpu count (${gpus})"`
          : `its ${par.data} data-parallel engines need ${par.gpus} devices`;
      yield ctx.finding(w.object, `${c.path}.args`,
        `container ${describeValue(c.container.name ?? '?')} runs vLLM with ${par.shown} (data ${par.data} × tensor ${par.tensor} × `
        + `pipeline ${par.pipeline} = ${par.gpus} GPUs) but is given ${gpus} nvidia.com/gpu: vLLM stops at start-up (${why}) `
        + 'and the pod crash-loops');
    }
  },
};

/** GPU222 — vLLM should use every GPU its container is given. */
export const VLLM_USES_ITS_GPUS: Rule = {
  id: 'GPU222',
  title: 'A vLLM server should use every GPU of its container (tensor × pipeline × data parallel size)',
  severity: Severity.WARNING,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob'],
  remediation: 'Request only the GPUs vLLM uses, or raise --tensor-parallel-size (or --data-parallel-size) to the GPUs '
    + 'of the container.',
  description: 'vLLM runs on data × tensor × pipeline parallel size GPUs (each 1 by default) and leaves any other GPU '
    + 'of its container idle; the device plugin has allocated them to the pod, so no other pod can use them and they '
    + 'are paid for: the usual case is `nvidia.com/gpu: 4` with no `--tensor-parallel-size`, which serves from one GPU. '
    + 'A warning: a sidecar process could use the rest, which the manifests cannot show. Not judged as GPU221 says.',
  *check(ctx) {
    for (const { w, c, gpus, par } of vllmContainers(ctx)) {
      if (par.gpus >= gpus) continue;
      yield ctx.finding(w.object, `${c.path}.resources`,
        `container ${describeValue(c.container.name ?? '?')} is given ${gpus} nvidia.com/gpu but runs vLLM with ${par.shown}, `
        + `using ${par.gpus}: ${gpus - par.gpus} GPU(s) stay allocated and idle`);
    }
  },
};

/** The kubelet's probe defaults (core/v1 Probe; a 0 period or threshold is defaulted as unset). */
const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 } as const;

/**
 * The longest a probe lets a container fail before the kubelet kills it: the first probe runs after
 * `initialDelaySeconds`, then one every `periodSeconds`, and `failureThreshold` failures in a row kill the container
 * (kubelet `prober/worker.go`), so at most initialDelaySeconds + failureThreshold × periodSeconds. Undefined when a
 * field is not a whole number of seconds.
 */
export function probeWindow(probe: any): { readonly seconds: number; readonly shown: string } | undefined {
  const read = (k: keyof typeof PROBE_DEFAULTS): number | undefined => {
    const v = probe?.[k];
    if (v === undefined || (v === 0 && k !== 'initialDelaySeconds')) return PROBE_DEFAULTS[k];
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
  };
  const delay = read('initialDelaySeconds');
  const period = read('periodSeconds');
  const failures = read('failureThreshold');
  if (delay === undefined || period === undefined || failures === undefined) return undefined;
  return {
    seconds: delay + failures * period,
    shown: `initialDelaySeconds ${delay} + failureThreshold ${failures} × periodSeconds ${period}`,
  };
}

/** The port vLLM's OpenAI server listens on (`--port`, 8000 by default); undefined when not a number. */
function vllmPort(argv: readonly string[]): number | undefined {
  const raw = flagText(argv, ['--port']);
  if (raw === undefined) return 8000;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** Whether `probe` asks vLLM's server (an HTTP GET or a TCP connection to its port, on the pod's own address). */
function probesServer(probe: any, container: any, port: number): boolean {
  const action = probe?.httpGet ?? probe?.tcpSocket;
  if (!action || typeof action !== 'object' || (action.host !== undefined && action.host !== '')) return false;
  let p = action.port;
  if (typeof p === 'string') {
    const named = Array.isArray(container?.ports) ? container.ports.find((x: any) => x?.name === p) : undefined;
    p = named?.containerPort;
  }
  return p === port;
}

/** The load time GPU232 asks a probe to allow, in seconds, when the container does not state its own. */
export const VLLM_LOAD_SECONDS = 600;

/** GPU232 — a probe must not kill vLLM while it loads its model. */
export const VLLM_PROBES_ALLOW_LOAD: Rule = {
  id: 'GPU232',
  title: 'A vLLM server\'s startup (or, without one, liveness) probe should allow it 10 minutes to load its model',
  severity: Severity.WARNING,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob'],
  remediation: 'Add a startupProbe on the same endpoint with initialDelaySeconds + failureThreshold × periodSeconds of at '
    + 'least 600 s (e.g. periodSeconds 10, failureThreshold 60; InferenceDeployment\'s startupTimeout, 30 minutes by default), '
    + 'and keep the liveness probe short: it starts only once the startup probe has passed.',
  description: 'vLLM\'s OpenAI server answers HTTP (its `/health` too) only once its engine has loaded the model: it binds '
    + 'its port at start and serves on it after `build_async_engine_client` returns (vLLM `entrypoints/openai/api_server.py`), '
    + 'so until then an HTTP or TCP probe on that port fails. Loading takes minutes and varies: the weights are downloaded '
    + 'on a node that has not cached them (a node Karpenter has just launched never has), read onto the GPUs, then the '
    + 'engine profiles memory, compiles the model and captures CUDA graphs. The kubelet kills a container whose startup '
    + 'probe, or without one its liveness probe, fails initialDelaySeconds + failureThreshold × periodSeconds after it '
    + 'starts (defaults 0, 3, 10: 30 s; kubelet `prober/worker.go`); each restart starts the load again, and the pod '
    + 'crash-loops holding its GPUs. Kubernetes "Configure Liveness, Readiness and Startup Probes" recommends a startup '
    + 'probe for slow starts: a long liveness `initialDelaySeconds` also delays every later restart. The rule asks for '
    + '600 s, the default of vLLM\'s `VLLM_ENGINE_READY_TIMEOUT_S` (its engine start-up wait, in the versions where it '
    + 'bounds the load; vLLM PR #35616 reports large models loading for longer still), or for the container\'s own '
    + '`VLLM_ENGINE_READY_TIMEOUT_S` when it sets one. '
    + 'The manifests cannot tell how long this model loads, hence a warning. Probes on another port, exec and gRPC '
    + 'probes are not judged.',
  *check(ctx) {
    for (const { w, c, argv } of vllmServers(ctx)) {
      if (c.init && !c.sidecar) continue;
      const startup = c.container.startupProbe;
      const probe = startup ?? c.container.livenessProbe;
      const port = vllmPort(argv);
      if (!probe || port === undefined || !probesServer(probe, c.container, port)) continue;
      const window = probeWindow(probe);
      const load = statedLoadSeconds(c.container);
      if (!window || load === undefined || window.seconds >= load.seconds) continue;
      const which = startup ? 'startupProbe' : 'livenessProbe';
      yield ctx.finding(w.object, `${c.path}.${which}`,
        `${containerLabel(c)} runs vLLM, whose server answers only once the model is loaded, but its ${which}`
        + `${startup ? '' : ' (there is no startupProbe)'} kills it ${window.seconds} s after it starts at the latest `
        + `(${window.shown}), under the ${load.seconds} s ${load.why}: a load that takes longer is killed and starts `
        + 'again, and the pod crash-loops holding its GPUs (the manifests cannot tell how long this model loads)');
    }
  },
};

/** The load time to allow: the container's own VLLM_ENGINE_READY_TIMEOUT_S when set as a number, else 600 s. */
function statedLoadSeconds(container: any): { readonly seconds: number; readonly why: string } | undefined {
  const env = Array.isArray(container?.env) ? container.env.find((e: any) => e?.name === 'VLLM_ENGINE_READY_TIMEOUT_S') : undefined;
  if (env === undefined) return { seconds: VLLM_LOAD_SECONDS, why: 'this rule allows a vLLM load (vLLM\'s default VLLM_ENGINE_READY_TIMEOUT_S)' };
  if (typeof env.value !== 'string' || !/^\d+$/.test(env.value)) return undefined;
  return { seconds: Number(env.value), why: 'its VLLM_ENGINE_READY_TIMEOUT_S allows the engine to start' };
}

/** The kinds whose pods serve for long and are rolled out or scaled: GPU233 judges them (not Pods, Jobs, CronJobs). */
const SERVING_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet']);

/** GPU233 — a vLLM server's pod must not be Ready before its model has loaded. */
export const VLLM_READY_WHEN_LOADED: Rule = {
  id: 'GPU233',
  title: 'A vLLM server in a Deployment, StatefulSet or DaemonSet needs a readiness or startup probe',
  severity: Severity.WARNING,
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet'],
  remediation: 'Add a readinessProbe on vLLM\'s port (httpGet /health) and a startupProbe that allows the model load '
    + '(InferenceDeployment sets both).',
  description: 'Without a readiness probe the kubelet reports a running container Ready ("no readinessProbe -> always '
    + 'ready"), unless a startup probe has not passed yet (kubelet `prober/prober_manager.go` `UpdatePodStatus`). '
    + 'vLLM\'s server answers only once its model has loaded, minutes later (GPU232). Meanwhile a Service sends '
    + 'requests to the pod, which refuses them, and a rolling update counts the pod available and removes an old '
    + 'replica, so every rollout takes serving capacity away for the length of a load: a one-replica Deployment is '
    + 'down each time, and the replicas a scaler adds at peak load take requests they refuse. A warning: the pods do '
    + 'serve once loaded. Jobs, CronJobs and bare Pods are not judged, nor ReplicaSets run by a Deployment (it is).',
  *check(ctx) {
    for (const { w, c } of vllmServers(ctx)) {
      if (c.init || !SERVING_KINDS.has(w.kind) || countedThroughOwner(w)) continue;
      if (c.container.readinessProbe || c.container.startupProbe) continue;
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} runs vLLM with neither a readinessProbe nor a startupProbe: its pod is Ready as soon as `
        + 'it starts, minutes before vLLM answers (its model is still loading), so Services send it requests it '
        + `refuses and a rollout of the ${w.kind} removes an old replica meanwhile`);
    }
  },
};

/** GPU234 — a GPU Deployment's progress deadline must outlast what its startup probe allows. */
export const PROGRESS_DEADLINE_OUTLASTS_STARTUP: Rule = {
  id: 'GPU234',
  title: 'A GPU Deployment\'s progressDeadlineSeconds should outlast the model load its startup probe allows',
  severity: Severity.WARNING,
  kinds: ['Deployment'],
  remediation: 'Set spec.progressDeadlineSeconds to the startup probe\'s window plus the time a new node takes to launch '
    + 'and pull the image (InferenceDeployment sets the startup timeout + 300 s).',
  description: 'The Deployment controller reports a rollout failed (condition Progressing False, reason '
    + '`ProgressDeadlineExceeded`) when no new pod becomes available within `progressDeadlineSeconds` (600 by default) '
    + 'of the last progress (Kubernetes "Deployments: Failed Deployment"). A GPU pod becomes available only after '
    + 'Karpenter has launched its node, the image is pulled and the model has loaded; a startup probe that allows '
    + 'longer than the deadline says the load may take longer. The rollout itself goes on, but `kubectl rollout '
    + 'status` fails, Argo CD shows the application Degraded and Flux reports the Deployment failed, so pipelines '
    + 'gating on them stop or roll back a release that was only loading. Judged against the longest startup probe '
    + 'window of the pod\'s containers (initialDelaySeconds + failureThreshold × periodSeconds). A warning: only the '
    + 'reported status is wrong.',
  *check(ctx) {
    for (const w of ctx.workloads()) {
      if (w.kind !== 'Deployment' || !demandsAny(ctx.gpuDemand(w.template))) continue;
      const raw = w.object?.spec?.progressDeadlineSeconds;
      const deadline = raw === undefined ? 600 : typeof raw === 'number' && Number.isInteger(raw) ? raw : undefined;
      if (deadline === undefined) continue;
      let longest: { c: ContainerRef; seconds: number; shown: string } | undefined;
      for (const c of containersOf(w.template)) {
        if (c.init && !c.sidecar) continue;
        const win = c.container.startupProbe ? probeWindow(c.container.startupProbe) : undefined;
        if (win && (!longest || win.seconds > longest.seconds)) longest = { c, ...win };
      }
      if (!longest || longest.seconds <= deadline) continue;
      yield ctx.finding(w.object, 'spec.progressDeadlineSeconds',
        `${raw === undefined ? 'progressDeadlineSeconds is unset (600 s)' : `progressDeadlineSeconds is ${deadline}`}, but the `
        + `startupProbe of ${containerLabel(longest.c)} allows ${longest.seconds} s for the start (${longest.shown}), before `
        + `the node launch and the image pull: a rollout whose new pod takes longer than ${deadline} s to become available `
        + 'is reported failed (ProgressDeadlineExceeded) while it is only loading');
    }
  },
};

/**
 * Hugging Face models that are gated as a family: every repository asks each user to accept its licence, and a download
 * without an authenticated token fails with 401 "Access to model … is restricted" (`GatedRepoError`): Meta's Llama
 * repositories (`meta-llama/…`) and Google's Gemma family (`google/gemma-…`, `codegemma`, `paligemma`, `medgemma`, …).
 */
const GATED_MODEL = /^(meta-llama\/|google\/[a-z]*gemma)/i;

/**
 * The Hugging Face model id a vLLM command line (from {@link vllmArgv}) serves, when written out: `vllm serve <model>`,
 * the first argument given to a vLLM image's own entrypoint (`vllm serve`), else `--model`.
 */
export function vllmModel(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('serve');
  const positional = at >= 0 ? argv[at + 1] : argv.includes('vllm.entrypoints.openai.api_server') ? undefined : argv[0];
  const model = positional !== undefined && !positional.startsWith('-') ? positional : flagText(argv, ['--model']);
  if (model === undefined || model === '' || /[$`]/.test(model)) return undefined;
  return model;
}

/** Environment variables through which huggingface_hub finds a token, a mirror, or works from its cache alone. */
const HUB_ACCESS_ENV = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'HF_ENDPOINT', 'HF_HUB_OFFLINE',
  'TRANSFORMERS_OFFLINE', 'VLLM_USE_MODELSCOPE'];

/** Whether a container may reach a gated model another way than the Hub with a token it visibly lacks. */
function mayReachGatedModel(container: any, podSpec: any): boolean {
  if (Array.isArray(container?.envFrom) && container.envFrom.length > 0) return true; // may hold HF_TOKEN
  if (Array.isArray(container?.env) && container.env.some((e: any) => HUB_ACCESS_ENV.includes(e?.name))) return true;
  // A Secret mounted into the container may be huggingface_hub's token file.
  const secretVolumes = new Set((Array.isArray(podSpec?.volumes) ? podSpec.volumes : [])
    .filter((v: any) => v?.secret || v?.projected).map((v: any) => v?.name));
  return Array.isArray(container?.volumeMounts) && container.volumeMounts.some((m: any) => secretVolumes.has(m?.name));
}

/** GPU235 — a vLLM server of a gated Hugging Face model needs a token. */
export const VLLM_GATED_MODEL_TOKEN: Rule = {
  id: 'GPU235',
  title: 'A vLLM server of a gated Hugging Face model (Llama, Gemma) needs a Hugging Face token',
  severity: Severity.WARNING,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob'],
  remediation: 'Give the container HF_TOKEN from a Secret (InferenceDeployment: vllm.hfTokenSecret) whose token\'s user has '
    + 'accepted the model\'s licence on huggingface.co, or serve the weights from a path or a mirror.',
  description: 'Every repository of Meta\'s Llama (`meta-llama/…`) and Google\'s Gemma families on the Hugging Face Hub is '
    + 'gated: a user must accept the licence, and a download without that user\'s token fails with 401 "Access to '
    + 'model … is restricted. You must have access to it and be authenticated" (huggingface_hub `GatedRepoError`). '
    + 'vLLM downloads the model at start, so the container exits and the pod crash-loops holding its GPUs. Judged when '
    + 'the model is written out (`vllm serve <model>` or `--model`), is not a path or URL, and the container has no '
    + '`HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN` or `HF_TOKEN_PATH`, no `envFrom` (it may hold one), no Secret mounted (it '
    + 'may be the token file), and neither a mirror (`HF_ENDPOINT`), offline mode (`HF_HUB_OFFLINE`, '
    + '`TRANSFORMERS_OFFLINE`) nor ModelScope (`VLLM_USE_MODELSCOPE`). A warning: a token baked into the image cannot '
    + 'be seen here.',
  *check(ctx) {
    for (const { w, c, argv } of vllmServers(ctx)) {
      const model = vllmModel(argv);
      if (model === undefined || !GATED_MODEL.test(model) || mayReachGatedModel(c.container, w.template.podSpec)) continue;
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} serves ${describeValue(model)}, a gated Hugging Face model, without a Hugging Face token `
        + '(no HF_TOKEN): vLLM\'s download at start fails with 401 "Access to model … is restricted" and the pod '
        + 'crash-loops holding its GPUs');
    }
  },
};

/** The serving rules, sorted by id. */
export const SERVING_RULES: Rule[] = [
  VLLM_PARALLELISM_FITS, VLLM_USES_ITS_GPUS, VLLM_PROBES_ALLOW_LOAD, VLLM_READY_WHEN_LOADED, PROGRESS_DEADLINE_OUTLASTS_STARTUP,
  VLLM_GATED_MODEL_TOKEN,
];
