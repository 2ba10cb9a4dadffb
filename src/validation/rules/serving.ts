/**
 * Serving rules: a model server's parallelism against the GPUs its container is given (GPU221, GPU222); a model server's
 * (vLLM, TGI, SGLang, Triton, llama.cpp: {@link modelServerOf}) probes against its model load (GPU232, GPU233), a GPU
 * Deployment's progress deadline against its startup probe (GPU234), a gated model's token (GPU235), the address and
 * port it listens on against its probes and Services (GPU236-GPU238), and where it downloads its model (GPU239), opens its
 * sockets and keeps its compile cache (GPU240) on a read-only root filesystem, and the port variables its namespace's
 * Services give it (GPU241); an IPv6 Service in front of a server listening on IPv4 only (GPU242); an offline server
 * whose cache is empty at start (GPU243); a root image told runAsNonRoot without a user (GPU244), or run as a user it
 * does not know, with HOME=/ (GPU245); model weights larger than the node disk, emptyDir or ephemeral-storage limit
 * they download onto (GPU246), or than the GPU memory that holds them (GPU247).
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
import { posix } from 'path';
import { serviceTargetPort } from './monitor-targets';
import { GpuInstanceType } from '../../catalog';
import { describeValue } from '../../private/describe';
import { listed } from '../../private/lists';
import { memoPerRun } from '../../private/memo';
import { nameOf, nsOf } from '../../private/meta';
import { quantityOf } from '../../private/quantity';
import { versionAtLeast } from '../../private/version';
import { _vllmVersionOfImage } from '../../scaling/triggers';
import { DiskWriteRate, ebsWriteRate, formatDiskBytes } from '../../scheduling/node-disk';
import { podDiskRoom, PoolModel } from '../../scheduling/nodepool';
import { PlacementVerdict } from '../../scheduling/placement';
import { containerRequest, demandsAny, resourceMap } from '../../scheduling/resources';
import { ContainerRef, containerLabel, containersOf, countedThroughOwner, POD_TEMPLATE_KINDS } from '../../scheduling/workloads';
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

/**
 * The text after a flag (`--flag v`, `--flag=v`), undefined when the flag is absent. A flag given more than once is read
 * at its last occurrence, as Python's argparse (vLLM, SGLang) reads it.
 */
export function flagText(argv: readonly string[], names: readonly string[]): string | undefined {
  for (let i = argv.length - 1; i >= 0; i--) {
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
  return argv ? parallelismOfVllm(container, argv) : undefined;
}

/** {@link vllmParallelism} of a container whose vLLM command line (from {@link vllmArgv}) is `argv`. */
function parallelismOfVllm(container: any, argv: readonly string[]): VllmParallelism | undefined {
  if (setsFlag(argv, UNJUDGED_FLAGS)) return undefined;
  const backend = argv.findIndex((w) => w === '--distributed-executor-backend' || w.startsWith('--distributed-executor-backend='));
  if (backend >= 0) {
    const value = argv[backend].includes('=') ? argv[backend].split('=')[1] : argv[backend + 1];
    if (value !== 'mp' && value !== 'uni') return undefined;
  }
  if (setsEnv(container, 'CUDA_VISIBLE_DEVICES')) return undefined;
  const sizes = parallelSizes(argv, FLAGS);
  if (!sizes) return undefined;
  const { written, ...parallelism } = sizes;
  return { ...parallelism, shown: written.length > 0 ? written.join(' ') : 'no parallelism flags (1 GPU)' };
}

/**
 * The tensor, pipeline and data parallel sizes a command line sets through `flags` (each 1 by default), their product,
 * and the flags as written (in each one's first name); undefined when one is not a whole number.
 */
function parallelSizes(argv: readonly string[], flags: Record<'tensor' | 'pipeline' | 'data', readonly string[]>):
{ tensor: number; pipeline: number; data: number; gpus: number; written: string[] } | undefined {
  const values = { tensor: flagValue(argv, flags.tensor), pipeline: flagValue(argv, flags.pipeline), data: flagValue(argv, flags.data) };
  if (values.tensor === null || values.pipeline === null || values.data === null) return undefined;
  const written = (['tensor', 'pipeline', 'data'] as const).filter((k) => values[k] !== undefined).map((k) => `${flags[k][0]} ${values[k]}`);
  const tensor = values.tensor ?? 1;
  const pipeline = values.pipeline ?? 1;
  const data = values.data ?? 1;
  return { tensor, pipeline, data, gpus: tensor * pipeline * data, written };
}

/** Whether a command line sets any of `flags` (`--flag`, `--flag=v`). */
const setsFlag = (argv: readonly string[], flags: readonly string[]): boolean =>
  argv.some((w) => flags.some((f) => w === f || w.startsWith(`${f}=`)));

/** The model servers the serving rules know. */
export type ModelServerName = 'vLLM' | 'TGI' | 'SGLang' | 'Triton' | 'llama.cpp';

/**
 * How each server is told the port of its HTTP server: its flag and, where it reads one, the environment variable the
 * flag falls back to ({@link modelServerOf} reads them; InferenceDeployment's and the rules' fixes name them).
 */
export const PORT_SETTING: Readonly<Record<ModelServerName, { readonly flag: string; readonly env?: string }>> = {
  'vLLM': { flag: '--port' },
  'TGI': { flag: '--port', env: 'PORT' },
  'SGLang': { flag: '--port' },
  'Triton': { flag: '--http-port' },
  'llama.cpp': { flag: '--port', env: 'LLAMA_ARG_PORT' },
};

/** How to tell a server to listen on `port`, in words: `--port 9000, or env PORT`. */
export function portSettingWords(name: ModelServerName, port: number): string {
  const { flag, env } = PORT_SETTING[name];
  return `${flag} ${port}${env ? `, or env ${env}` : ''}`;
}

/**
 * A container's model server, as its command line and environment say: which server, the port its HTTP server listens
 * on, the address it binds, and the model it serves.
 */
export interface ModelServer {
  readonly name: ModelServerName;
  /** Its command line, as words (shell scripts split on blanks). */
  readonly argv: readonly string[];
  /** The port its HTTP server listens on; undefined when it cannot be read (a variable, an unknown image's default). */
  readonly port?: number;
  /** Where the port comes from, e.g. `--port 9000`, `TGI's image default, PORT=80`. */
  readonly portShown?: string;
  /** The address it binds, when it binds one address only (`--host`); undefined when it listens on every address. */
  readonly host?: string;
  /** Where the address comes from, e.g. `--host 127.0.0.1`, `SGLang's default --host 127.0.0.1`. */
  readonly hostShown?: string;
  /**
   * Whether it listens on IPv4 only (an IPv4 socket: bound to 0.0.0.0 or an IPv4 address), with how it comes to, e.g.
   * `no --host: vLLM opens an IPv4 socket on every address`; undefined when it may listen on IPv6 (an IPv6 address,
   * `::`, a name) or it cannot be told.
   */
  readonly ipv4Only?: string;
  /**
   * How it serves HTTPS only on its port, e.g. `--ssl-keyfile and --ssl-certfile` (vLLM); undefined when it serves plain
   * HTTP (or it cannot be told).
   */
  readonly https?: string;
  /** The Hugging Face model id it serves, when written out (not a variable). */
  readonly model?: string;
  /** Whether the command line is a shell script: other processes may run beside the server. */
  readonly shell: boolean;
  /**
   * Other ports the server listens on (TGI's Prometheus port, Triton's gRPC and metrics ports); undefined when one of
   * them cannot be read.
   * @default - none
   */
  readonly otherPorts?: readonly number[];
  /**
   * Whether it loads its model before it answers (false for Triton told to load no model at start: it answers at once).
   * @default true
   */
  readonly loadsAtStart?: boolean;
  /**
   * Whether its HTTP server answers while the model loads (llama.cpp: every request but a few gets 503 until then, and
   * a TCP probe passes at once); the others do not listen until the model is loaded.
   * @default false
   */
  readonly answersWhileLoading?: boolean;
  /**
   * Whether it serves Prometheus metrics at `/metrics`: false for llama.cpp without `--metrics` (it answers 501) and
   * SGLang without `--enable-metrics` (no such route); undefined when the manifests cannot tell (a variable, a config
   * file), and for the servers that always serve them.
   * @default - always served
   */
  readonly metricsEnabled?: boolean;
  /**
   * llama.cpp's GGUF quantisation it downloads, as written: `--hf-file`'s name without `.gguf`, else the `:tag` of
   * `-hf` (`LLAMA_ARG_HF_FILE`, `LLAMA_ARG_HF_REPO`); undefined when neither, and for the other servers.
   * @default - none
   */
  readonly quantisationTag?: string;
}

/**
 * llama.cpp's server images (`ghcr.io/ggml-org/llama.cpp:server`, `:server-cuda`, `:server-cuda-b6000`, …; formerly
 * under `ggerganov`): entrypoint `/app/llama-server`, and `LLAMA_ARG_HOST=0.0.0.0` set (llama.cpp `.devops/cuda.Dockerfile`).
 */
const LLAMA_SERVER_IMAGE = /(^|\/)llama\.cpp:server(-[\w.-]*)?(@sha256:[0-9a-f]+)?$/;
/**
 * llama.cpp's full images (`:full`, `:full-cuda`, …): entrypoint `/app/tools.sh`, which runs `llama-server` with the
 * remaining words when the first is `--server` or `-s` (llama.cpp `.devops/tools.sh`); no `LLAMA_ARG_HOST` set.
 */
const LLAMA_FULL_IMAGE = /(^|\/)llama\.cpp:full(-[\w.-]*)?(@sha256:[0-9a-f]+)?$/;
/** Any of llama.cpp's own images (`server`, `full`, `light` variants): they set no port. */
const LLAMA_IMAGE = /(^|\/)llama\.cpp[:@]/;

/** A boolean llama.cpp reads from an environment variable (`LLAMA_ARG_*`): true, false, or undefined when unreadable. */
function llamaBool(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (/^(1|true|on|enabled)$/i.test(raw)) return true;
  if (/^(0|false|off|disabled)$/i.test(raw)) return false;
  return undefined;
}

/** The images of Hugging Face's Text Generation Inference, whose entrypoint is `text-generation-launcher`. */
const TGI_IMAGE = /(^|\/)text-generation-inference[:@]/;

/** A port as written: a whole number 1-65535, else undefined (a variable, a name). */
function portNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d{1,5}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** The literal value of a container's environment variable `name` (undefined when unset or from a reference). */
function envValue(container: any, name: string): string | undefined {
  const e = Array.isArray(container?.env) ? container.env.find((x: any) => x?.name === name) : undefined;
  return typeof e?.value === 'string' ? e.value : undefined;
}

/** Whether a container's environment sets `name`, by value or by reference. */
const setsEnv = (container: any, name: string): boolean => Array.isArray(container?.env) && container.env.some((x: any) => x?.name === name);

/** A setting a server reads from a flag, else from an environment variable: its value, how it reads, and where it is set. */
interface FlagOrEnv {
  /** The text set; undefined when unset or set from a reference (a variable's `valueFrom`). */
  readonly value?: string;
  /** `--flag v` or `NAME=v`; undefined when the value is not known. */
  readonly shown?: string;
  /** Where it is set: the command line, the environment, or nowhere. */
  readonly from?: 'args' | 'env';
}

/** The setting of `flags` (its first name shown), else of the environment variable `env`, as the server reads it. */
function flagOrEnv(argv: readonly string[], container: any, flags: readonly string[], env: string): FlagOrEnv {
  const flag = flagText(argv, flags);
  if (flag !== undefined) return { value: flag, shown: `${flags[0]} ${flag}`, from: 'args' };
  if (!setsEnv(container, env)) return {};
  const v = envValue(container, env);
  return { value: v, shown: v === undefined ? undefined : `${env}=${v}`, from: 'env' };
}

/** An IPv4 address written out (`0.0.0.0`, `10.0.0.1`). */
const IPV4_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

/** `ipv4Only` of an address a server binds as written (`--host 0.0.0.0`): set when it is an IPv4 address. */
const ipv4When = (host: string | undefined, shown: string | undefined): string | undefined =>
  (host !== undefined && IPV4_ADDRESS.test(host) ? `${shown ?? host}: an IPv4 address` : undefined);

/** A model id as written, or undefined for a variable or nothing. */
const literalModel = (m: string | undefined): string | undefined => (m === undefined || m === '' || /[$`]/.test(m) ? undefined : m);

/**
 * The model server a container runs, read from its command line, image and environment:
 *  - vLLM's OpenAI server ({@link vllmArgv}): `--port`, 8000 by default (none with `--uds`, a Unix socket); it binds
 *    every address unless `--host` names one (vLLM `entrypoints/openai/api_server.py` binds `(host or "", port)`).
 *  - Hugging Face Text Generation Inference: `text-generation-launcher`, or a TGI image's own entrypoint. Its port is
 *    `--port` (a `-p` is left unread), else the `PORT` variable, which TGI's image sets to 80 (its Dockerfile); the launcher's own default,
 *    3000, applies only outside that image, where another image built on it may set PORT too, so it is left unknown.
 *    The model is `--model-id` or `MODEL_ID`. It binds `--hostname`, else `HOSTNAME`, which Kubernetes sets to the
 *    pod's name (the pod's own address), so it is not judged (launcher `src/main.rs`).
 *  - SGLang: `python -m sglang.launch_server`. `--port`, 30000 by default; `--host`, **127.0.0.1 by default**; the
 *    model is `--model-path` or `--model` (SGLang `srt/server_args.py`); its metrics only with `--enable-metrics`
 *    (SGLang "Production Metrics").
 *  - llama.cpp: `llama-server`, a llama.cpp server image's own entrypoint, or its full image's entrypoint given
 *    `--server` (`-s`) first. `--port`, else `LLAMA_ARG_PORT`, else 8080 in llama.cpp's images (unknown in others);
 *    `--host`, else `LLAMA_ARG_HOST`, else 127.0.0.1, which its server images change to 0.0.0.0 (unknown in others); a
 *    `.sock` host is a Unix socket. It listens at once and answers 503 until its model has loaded; `/metrics` only
 *    with `--metrics` (`LLAMA_ARG_ENDPOINT_METRICS`), else 501. The model is `-hf`/`--hf-repo` (`LLAMA_ARG_HF_REPO`)
 *    without its quantisation tag.
 *  - NVIDIA Triton: `tritonserver`. `--http-port` (8000; none with `--allow-http false`), `--grpc-port` (8001),
 *    `--metrics-port` (8002), `--http-address` (every address by default); it loads its repository's models before it
 *    starts its endpoints, unless `--model-control-mode=explicit` names none to load (`--load-model`).
 */
export function modelServerOf(container: any): ModelServer | undefined {
  const command = words(container?.command);
  const shell = (Array.isArray(container?.command) ? container.command : []).concat(Array.isArray(container?.args) ? container.args : [])
    .some((w: unknown) => typeof w === 'string' && /\s/.test(w));
  const vllm = vllmArgv(container);
  if (vllm) {
    const flag = flagText(vllm, ['--port']);
    const port = flagText(vllm, ['--uds']) !== undefined ? undefined : vllmPort(vllm);
    const host = flagText(vllm, ['--host']);
    return defined({
      name: 'vLLM',
      argv: vllm,
      shell,
      otherPorts: [],
      port,
      portShown: port === undefined ? undefined : flag !== undefined ? `--port ${flag}` : 'vLLM\'s default port 8000',
      host: host === '' ? undefined : host,
      hostShown: host === '' || host === undefined ? undefined : `--host ${host}`,
      // (vLLM opens an IPv4 socket unless --host is an IPv6 address: api_server.py create_server_socket)
      // (with a key and a certificate, uvicorn serves HTTPS only: vLLM cli_args --ssl-keyfile, --ssl-certfile)
      https: flagText(vllm, ['--ssl-keyfile']) !== undefined && flagText(vllm, ['--ssl-certfile']) !== undefined ? '--ssl-keyfile and --ssl-certfile' : undefined,
      ipv4Only: port === undefined ? undefined : host === undefined || host === '' ? `${host === undefined ? 'no --host' : '--host ""'}: vLLM opens an IPv4 socket on every address`
        : ipv4When(host, `--host ${host}`),
      model: vllmModel(vllm),
    });
  }
  const argv = [...command, ...words(container?.args)];
  const image = typeof container?.image === 'string' ? container.image : '';
  if (argv.some((w) => w === 'text-generation-launcher' || w.endsWith('/text-generation-launcher')) || (command.length === 0 && TGI_IMAGE.test(image))) {
    // (a short flag is left unread: the launcher's port and Prometheus port both declare one)
    const set = setsFlag(argv, ['-p']) ? { from: 'args' as const } : flagOrEnv(argv, container, [PORT_SETTING.TGI.flag], PORT_SETTING.TGI.env!);
    const port = set.from !== undefined ? portNumber(set.value) : TGI_IMAGE.test(image) ? 80 : undefined;
    const prom = flagOrEnv(argv, container, ['--prometheus-port'], 'PROMETHEUS_PORT');
    const prometheus = prom.from !== undefined ? portNumber(prom.value) : 9000;
    return defined({
      name: 'TGI',
      argv,
      shell,
      // (its metrics server; one that cannot be read leaves every other port possible)
      otherPorts: prometheus === undefined ? undefined : [prometheus],
      port,
      portShown: port === undefined ? undefined : set.shown ?? 'TGI\'s image default, PORT=80',
      model: literalModel(flagOrEnv(argv, container, ['--model-id'], 'MODEL_ID').value),
    });
  }
  if (argv.some((w) => w === 'tritonserver' || w.endsWith('/tritonserver'))) {
    // (--allow-http false: no HTTP port; getopt options take `--flag=v` or `--flag v`)
    const httpOff = /^(false|0|off|no)$/i.test(flagText(argv, ['--allow-http']) ?? '');
    const httpFlag = flagText(argv, ['--http-port']);
    const port = httpOff ? undefined : httpFlag === undefined ? 8000 : portNumber(httpFlag);
    const grpc = portNumber(flagText(argv, ['--grpc-port']) ?? '8001');
    const metrics = portNumber(flagText(argv, ['--metrics-port']) ?? '8002');
    const host = flagText(argv, ['--http-address']);
    return defined({
      name: 'Triton',
      argv,
      shell,
      otherPorts: grpc === undefined || metrics === undefined ? undefined : [grpc, metrics],
      port,
      portShown: port === undefined ? undefined : httpFlag === undefined ? 'Triton\'s default --http-port 8000' : `--http-port ${httpFlag}`,
      host: host === '' ? undefined : host,
      hostShown: host === '' || host === undefined ? undefined : `--http-address ${host}`,
      ipv4Only: port === undefined ? undefined : host === undefined ? 'Triton\'s default --http-address 0.0.0.0: an IPv4 address' : ipv4When(host, `--http-address ${host}`),
      loadsAtStart: !(flagText(argv, ['--model-control-mode']) === 'explicit' && flagText(argv, ['--load-model']) === undefined),
    });
  }
  // (the full image's entrypoint, tools.sh, runs llama-server with the words after --server or -s)
  const llamaFull = command.length === 0 && LLAMA_FULL_IMAGE.test(image) && (argv[0] === '--server' || argv[0] === '-s');
  if (llamaFull) argv.shift();
  if (llamaFull || argv.some((w) => w === 'llama-server' || w.endsWith('/llama-server')) || (command.length === 0 && LLAMA_SERVER_IMAGE.test(image))) {
    // A flag wins over its LLAMA_ARG_* variable, which wins over the default (llama.cpp server README).
    const host = flagOrEnv(argv, container, ['--host'], 'LLAMA_ARG_HOST');
    const port = flagOrEnv(argv, container, [PORT_SETTING['llama.cpp'].flag], PORT_SETTING['llama.cpp'].env!);
    // (an address ending in .sock is a Unix socket: no TCP port)
    const socket = host.value !== undefined && host.value.endsWith('.sock');
    // Unset: 127.0.0.1 by default, 0.0.0.0 in the server images; an image of another name may set LLAMA_ARG_HOST itself.
    const bound = host.from !== undefined ? host.value : LLAMA_SERVER_IMAGE.test(image) ? '' : LLAMA_IMAGE.test(image) ? '127.0.0.1' : '';
    const listensAll = socket || bound === undefined || bound === '' || bound === '0.0.0.0' || bound === '::';
    const portValue = socket ? undefined : port.from !== undefined ? portNumber(port.value) : LLAMA_IMAGE.test(image) ? 8080 : undefined;
    // -hf org/repo:TAG: the model without its tag; the tag, unless --hf-file names the file
    const repo = flagOrEnv(argv, container, ['-hf', '--hf-repo', '-hfr'], 'LLAMA_ARG_HF_REPO').value;
    const file = flagOrEnv(argv, container, ['-hff', '--hf-file'], 'LLAMA_ARG_HF_FILE').value;
    return defined({
      name: 'llama.cpp',
      argv,
      shell,
      otherPorts: [],
      port: portValue,
      portShown: portValue === undefined ? undefined : port.shown ?? 'llama.cpp\'s default --port 8080',
      host: listensAll ? undefined : bound,
      hostShown: listensAll ? undefined : host.shown ?? 'llama.cpp\'s default --host 127.0.0.1, which its full and light images keep',
      ipv4Only: socket || portValue === undefined ? undefined : host.from === undefined && bound === '' && LLAMA_SERVER_IMAGE.test(image)
        ? 'its server image\'s LLAMA_ARG_HOST=0.0.0.0: an IPv4 address' : ipv4When(bound, host.shown),
      model: literalModel(repo?.replace(/:[^/:]*$/, '')),
      quantisationTag: file !== undefined ? file.replace(/\.gguf$/i, '') : repo === undefined ? undefined : /:([^/:]+)$/.exec(repo)?.[1],
      answersWhileLoading: true,
      // (--metrics takes no value)
      metricsEnabled: argv.includes('--metrics') ? true
        : setsEnv(container, 'LLAMA_ARG_ENDPOINT_METRICS') ? llamaBool(envValue(container, 'LLAMA_ARG_ENDPOINT_METRICS')) : false,
    });
  }
  if (argv.includes('sglang.launch_server')) {
    const flag = flagText(argv, ['--port']);
    const port = flag === undefined ? 30000 : portNumber(flag);
    const hostFlag = flagText(argv, ['--host']);
    const host = hostFlag ?? '127.0.0.1';
    return defined({
      name: 'SGLang',
      argv,
      shell,
      otherPorts: [],
      port,
      portShown: port === undefined ? undefined : flag === undefined ? 'SGLang\'s default port 30000' : `--port ${flag}`,
      host: host === '' ? undefined : host,
      hostShown: host === '' ? undefined : hostFlag === undefined ? 'SGLang\'s default --host 127.0.0.1' : `--host ${host}`,
      ipv4Only: port === undefined ? undefined : ipv4When(host, hostFlag === undefined ? 'SGLang\'s default --host 127.0.0.1' : `--host ${host}`),
      model: literalModel(flagText(argv, ['--model-path', '--model'])),
      // (its Prometheus metrics are served only with --enable-metrics; a --config file may set it)
      metricsEnabled: argv.includes('--enable-metrics') ? true : setsFlag(argv, ['--config']) ? undefined : false,
    });
  }
  return undefined;
}

/**
 * The servers that serve their metrics only when told to ({@link ModelServer.metricsEnabled}): the flag (and variable)
 * that tells them, and what their `/metrics` answers without it (llama.cpp server README; SGLang "Production Metrics").
 */
export const METRICS_SWITCH: Partial<Record<ModelServerName, { readonly flag: string; readonly env?: string; readonly answer: string }>> = {
  'llama.cpp': { flag: '--metrics', env: 'LLAMA_ARG_ENDPOINT_METRICS', answer: 'its /metrics answers 501' },
  'SGLang': { flag: '--enable-metrics', answer: 'it serves no /metrics (404)' },
};

/** A server's metrics switch as findings name it: `--metrics (nor LLAMA_ARG_ENDPOINT_METRICS)`. */
export const metricsSwitchWords = (s: { readonly flag: string; readonly env?: string }): string => `${s.flag}${s.env ? ` (nor ${s.env})` : ''}`;

/** A model server without its undefined fields. */
function defined(fields: { [K in keyof ModelServer]: ModelServer[K] | undefined }): ModelServer {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(fields) as Array<keyof ModelServer>) if (fields[k] !== undefined) out[k] = fields[k];
  return out as unknown as ModelServer;
}

/** A container running a model server in a workload whose pods ask for GPUs. */
export interface ServerContainer {
  readonly w: WorkloadRef;
  readonly c: ContainerRef;
  readonly server: ModelServer;
}

/** Every container running a model server in a workload whose pods ask for GPUs, once per run (GPU221, GPU222, GPU232-GPU239). */
const modelServers = memoPerRun((ctx: RuleContext): readonly ServerContainer[] => {
  const out: ServerContainer[] = [];
  for (const w of ctx.workloads()) {
    if (!demandsAny(ctx.gpuDemand(w.template))) continue;
    for (const c of containersOf(w.template)) {
      const server = modelServerOf(c.container);
      if (server) out.push({ w, c, server });
    }
  }
  return out;
});

/** A model server that downloads a Hugging Face model: its container, and the model id as written. */
interface HubServer extends ServerContainer {
  readonly model: string;
}

/**
 * The model servers whose command line is the server itself (not a shell script), in app containers or sidecars, and
 * whose model is a Hugging Face id written out (`org/name`, not a path or a variable): what the rules on the model's
 * download and size read (GPU239, GPU243, GPU245-GPU247).
 */
function* hubModelServers(ctx: RuleContext): Generator<HubServer> {
  for (const sc of modelServers(ctx)) {
    const { c, server } = sc;
    if (server.shell || (c.init && !c.sidecar)) continue;
    const model = server.model;
    if (model !== undefined && HUB_MODEL_ID.test(model)) yield { ...sc, model };
  }
}

/**
 * The shards a TGI container starts, one per GPU, when its flags set them (TGI launcher `find_num_shards`): `--num-shard`
 * (`NUM_SHARD`), else 1 with `--sharded false` (`SHARDED`). Undefined when they are left to the launcher, which then
 * starts one per visible GPU (all the container's), when they come from a variable, or with `CUDA_VISIBLE_DEVICES` set.
 */
export function tgiShards(container: any, argv: readonly string[]): GpusUsed | undefined {
  if (setsEnv(container, 'CUDA_VISIBLE_DEVICES')) return undefined;
  const shards = flagOrEnv(argv, container, ['--num-shard'], 'NUM_SHARD');
  if (shards.from !== undefined) {
    return shards.value !== undefined && /^[1-9]\d*$/.test(shards.value) ? { count: Number(shards.value), shown: shards.shown!, field: shards.from } : undefined;
  }
  const sharded = flagText(argv, ['--sharded']) ?? envValue(container, 'SHARDED');
  return sharded === 'false' ? { count: 1, shown: '--sharded false', field: 'args' } : undefined;
}

/** The GPUs a model server's flags make it use, how they read, and the container field that sets them. */
export interface GpusUsed {
  readonly count: number;
  readonly shown: string;
  readonly field: 'args' | 'env';
}

/** SGLang's parallelism flags (`srt/server_args.py`), each 1 by default. */
const SGLANG_FLAGS: Record<'tensor' | 'pipeline' | 'data', readonly string[]> = {
  tensor: ['--tp-size', '--tensor-parallel-size', '--tp'],
  pipeline: ['--pp-size', '--pipeline-parallel-size', '--pp'],
  data: ['--dp-size', '--data-parallel-size', '--dp'],
};

/** SGLang flags that spread it over nodes, move its first GPU or change what data parallelism uses: not judged. */
const SGLANG_UNJUDGED = ['--nnodes', '--node-rank', '--dist-init-addr', '--base-gpu-id', '--gpu-id-step', '--enable-dp-attention', '--config'];

/**
 * The GPUs an SGLang server uses on its node: tensor × pipeline × data parallel size. Each scheduler process sets CUDA
 * device base_gpu_id + pp_rank × tp + tp_rank, and each data-parallel replica starts tp × pp devices further
 * (SGLang `scheduler` and `data_parallel_controller` launch code). Undefined with multi-node or device-placement flags,
 * `--enable-dp-attention` (its data parallelism shares the tensor-parallel GPUs), `CUDA_VISIBLE_DEVICES`, or a value
 * that is not a whole number.
 */
export function sglangParallelism(container: any, argv: readonly string[]): GpusUsed | undefined {
  if (setsEnv(container, 'CUDA_VISIBLE_DEVICES')) return undefined;
  if (setsFlag(argv, SGLANG_UNJUDGED)) return undefined;
  const sizes = parallelSizes(argv, SGLANG_FLAGS);
  if (!sizes) return undefined;
  const shown = sizes.written.length > 0 ? `${sizes.written.join(' ')} (${sizes.gpus} GPUs)` : 'no parallelism flags (1 GPU)';
  return { count: sizes.gpus, shown, field: 'args' };
}

/** The GPUs a server's flags make it use, when they can be judged (Triton's are not). */
function gpusUsed(c: ContainerRef, server: ModelServer): (GpusUsed & { readonly vllm?: VllmParallelism }) | undefined {
  switch (server.name) {
    case 'vLLM': {
      const vllm = parallelismOfVllm(c.container, server.argv);
      return vllm && { count: vllm.gpus, shown: vllm.shown, field: 'args', vllm };
    }
    case 'TGI': return tgiShards(c.container, server.argv);
    case 'SGLang': return sglangParallelism(c.container, server.argv);
    default: return undefined;
  }
}

/**
 * Each container running a model server with whole GPUs of its own, in a pod asking for nvidia.com/gpu, with the GPUs
 * its flags make it use (vLLM's and SGLang's tensor × pipeline × data parallel size, TGI's shards when set).
 */
function* parallelContainers(ctx: RuleContext) {
  for (const { w, c, server } of modelServers(ctx)) {
    if (!((ctx.gpuDemand(w.template)['nvidia.com/gpu'] ?? 0) > 0)) continue;
    const gpus = containerRequest(c.container, 'nvidia.com/gpu');
    const uses = gpus > 0 ? gpusUsed(c, server) : undefined;
    if (uses) yield { w, c, gpus, server, uses };
  }
}

/** GPU221's message for vLLM asking for more GPUs than its container's `gpus`, quoting vLLM's own start-up error. */
function vllmTooWide(c: ContainerRef, par: VllmParallelism, gpus: number): string {
  const world = par.tensor * par.pipeline;
  const why = par.tensor > gpus ? `"please set tensor_parallel_size (${par.tensor}) to less than max local gpu count (${gpus})"`
    : world > gpus ? `"please ensure that world_size (${world}) is less than than max local gpu count (${gpus})"`
      : `its ${par.data} data-parallel engines need ${par.gpus} devices`;
  return `container ${describeValue(c.container.name ?? '?')} runs vLLM with ${par.shown} (data ${par.data} × tensor ${par.tensor} × `
    + `pipeline ${par.pipeline} = ${par.gpus} GPUs) but is given ${gpus} nvidia.com/gpu: vLLM stops at start-up (${why}) `
    + 'and the pod crash-loops';
}

/** GPU221 — a model server must not ask for more GPUs than its container is given. */
export const VLLM_PARALLELISM_FITS: Rule = {
  id: 'GPU221',
  title: 'A model server\'s parallelism (vLLM and SGLang tensor × pipeline × data parallel size, TGI shards) must not exceed the GPUs of its container',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Request as many nvidia.com/gpu as data × tensor × pipeline parallel size (TGI: --num-shard), or lower '
    + '--tensor-parallel-size (InferenceDeployment sets it to its GPUs).',
  description: 'vLLM uses data × tensor × pipeline parallel size GPUs in one pod (each 1 by default); on one node it '
    + 'stops at start-up when it sees fewer ("please set tensor_parallel_size (N) to less than max local gpu count '
    + '(M)", vLLM `multiproc_executor.py`), so the pod crash-loops and holds its GPUs meanwhile. A copied '
    + '`--tensor-parallel-size 4` on a container given 2 GPUs is the usual case. Multi-node settings (Ray, an '
    + 'external launcher, `--nnodes`, `--headless`, data-parallel addresses), a `--config` file, `CUDA_VISIBLE_DEVICES` '
    + 'and values read from variables are not judged. TGI starts one shard per GPU: `--num-shard` (`NUM_SHARD`) of them, '
    + 'else one per GPU it sees (TGI launcher `find_num_shards`); with more shards than GPUs every shard fails its start-up '
    + 'assertion ("Each process is one gpu", TGI `server/text_generation_server/utils/dist.py`) and the launcher stops. '
    + 'SGLang uses tensor × pipeline × data parallel size GPUs (`--tp-size`, `--pp-size`, `--dp-size`, each 1 by '
    + 'default): each rank\'s scheduler process sets its CUDA device by rank, and one beyond the container\'s GPUs fails '
    + '("invalid device ordinal"); its multi-node flags, `--base-gpu-id`, `--enable-dp-attention` and `CUDA_VISIBLE_DEVICES` '
    + 'are not judged.',
  *check(ctx) {
    for (const { w, c, gpus, server, uses } of parallelContainers(ctx)) {
      if (uses.count <= gpus) continue;
      yield ctx.finding(w.object, `${c.path}.${uses.field}`, uses.vllm ? vllmTooWide(c, uses.vllm, gpus)
        : server.name === 'TGI'
          ? `${containerLabel(c)} runs TGI with ${uses.shown} (${uses.count} shards, one per GPU) but is given ${gpus} nvidia.com/gpu: `
            + 'each shard stops at start-up ("Each process is one gpu"), the launcher stops and the pod crash-loops'
          : `${containerLabel(c)} runs SGLang with ${uses.shown} but is given ${gpus} nvidia.com/gpu: the scheduler processes of the `
            + 'ranks beyond its GPUs set a CUDA device the container does not have ("invalid device ordinal"), the server stops '
            + 'and the pod crash-loops');
    }
  },
};

/** GPU222 — a model server should use every GPU its container is given. */
export const VLLM_USES_ITS_GPUS: Rule = {
  id: 'GPU222',
  title: 'A model server should use every GPU of its container (vLLM and SGLang tensor × pipeline × data parallel size, TGI shards)',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Request only the GPUs the server uses, or raise --tensor-parallel-size (or --data-parallel-size; TGI: '
    + '--num-shard; SGLang: --tp-size) to the GPUs of the container.',
  description: 'vLLM runs on data × tensor × pipeline parallel size GPUs (each 1 by default) and leaves any other GPU '
    + 'of its container idle; the device plugin has allocated them to the pod, so no other pod can use them and they '
    + 'are paid for: the usual case is `nvidia.com/gpu: 4` with no `--tensor-parallel-size`, which serves from one GPU. '
    + 'A warning: a sidecar process could use the rest, which the manifests cannot show. Not judged as GPU221 says. TGI '
    + 'with `--num-shard` (or `--sharded false`) below its GPUs leaves the rest idle the same way (without either it '
    + 'shards over every GPU it sees), as does SGLang with tensor × pipeline × data parallel size below them (the usual '
    + 'case: `nvidia.com/gpu: 4` and no `--tp-size`).',
  *check(ctx) {
    for (const { w, c, gpus, server, uses } of parallelContainers(ctx)) {
      if (uses.count >= gpus) continue;
      yield ctx.finding(w.object, `${c.path}.resources`,
        `container ${describeValue(c.container.name ?? '?')} is given ${gpus} nvidia.com/gpu but runs ${server.name} with ${uses.shown}, `
        + `using ${uses.count}: ${gpus - uses.count} GPU(s) stay allocated and idle`);
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

/**
 * The port an HTTP GET or TCP probe connects to on the pod's own address, a named port resolved through the container's
 * ports; undefined for other probes, another host, or a port that cannot be read.
 */
function probedPort(probe: any, container: any): number | undefined {
  const action = probe?.httpGet ?? probe?.tcpSocket;
  if (!action || typeof action !== 'object' || (action.host !== undefined && action.host !== '')) return undefined;
  const p = containerPortOf(action.port, container);
  return p !== undefined && Number.isInteger(p) ? p : undefined;
}


/** The paths llama.cpp's server answers with 503 while its model loads, and 200 after (its README, `GET /health`). */
const LOADING_HEALTH_PATHS: readonly unknown[] = ['/health', '/v1/health'];

/** The load time GPU232 asks a probe to allow, in seconds, when the container does not state its own. */
export const VLLM_LOAD_SECONDS = 600;

/** GPU232 — a probe must not kill a model server while it loads its model. */
export const VLLM_PROBES_ALLOW_LOAD: Rule = {
  id: 'GPU232',
  title: 'A model server\'s (vLLM, TGI, SGLang, Triton, llama.cpp) startup (or, without one, liveness) probe should allow it 10 minutes to load its model',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Add a startupProbe on the same endpoint with initialDelaySeconds + failureThreshold × periodSeconds of at '
    + 'least 600 s (e.g. periodSeconds 10, failureThreshold 60; InferenceDeployment\'s startupTimeout, 30 minutes by default), '
    + 'and keep the liveness probe short: it starts only once the startup probe has passed.',
  description: 'The model servers answer HTTP only once the model is loaded. vLLM\'s OpenAI server binds its port at start '
    + 'and serves on it after `build_async_engine_client` returns (vLLM `entrypoints/openai/api_server.py`). Text '
    + 'Generation Inference\'s launcher downloads the weights, starts the shards, waits until every shard is ready and '
    + 'only then starts the web server on its port (TGI `launcher/src/main.rs`: `download_convert_model`, `spawn_shards`, '
    + '`spawn_webserver`). SGLang starts its HTTP server after its scheduler processes have loaded the model, and its '
    + '`/health` answers 503 until the warm-up request has run (SGLang `srt/entrypoints/http_server.py` `launch_server`). '
    + 'Triton creates its server, which loads the models of its repository (with `--model-control-mode=explicit`, those '
    + 'named by `--load-model`; none, and no wait, without one), and starts its HTTP, gRPC and metrics endpoints only '
    + 'then (Triton `src/main.cc`: `TRITONSERVER_ServerNew`, then `StartEndpoints`). '
    + 'So until then an HTTP or TCP probe on the server\'s port fails. llama.cpp\'s `llama-server` listens at once and '
    + 'answers `GET /health` with 503 ("Loading model") until the model is loaded (llama.cpp server README): for it, '
    + 'HTTP probes of `/health` (and `/v1/health`) are judged, TCP probes (which pass) are not. Loading takes minutes and varies: the weights are downloaded '
    + 'on a node that has not cached them (a node Karpenter has just launched never has), read onto the GPUs, then the '
    + 'engine profiles memory, compiles the model and captures CUDA graphs. The kubelet kills a container whose startup '
    + 'probe, or without one its liveness probe, fails initialDelaySeconds + failureThreshold × periodSeconds after it '
    + 'starts (defaults 0, 3, 10: 30 s; kubelet `prober/worker.go`); each restart starts the load again, and the pod '
    + 'crash-loops holding its GPUs. Kubernetes "Configure Liveness, Readiness and Startup Probes" recommends a startup '
    + 'probe for slow starts: a long liveness `initialDelaySeconds` also delays every later restart. The rule asks for '
    + '600 s, the default of vLLM\'s `VLLM_ENGINE_READY_TIMEOUT_S` (its engine start-up wait, in the versions where it '
    + 'bounds the load; vLLM PR #35616 reports large models loading for longer still), or for a vLLM container\'s own '
    + '`VLLM_ENGINE_READY_TIMEOUT_S` when it sets one; TGI, SGLang and Triton bound the load nowhere and load the same weights. '
    + 'The manifests cannot tell how long this model loads, hence a warning. Probes on another port, exec and gRPC '
    + 'probes are not judged (GPU237 judges a probe on a port the server does not listen on).',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      const kill = loadKillWindow(c, server);
      const load = statedLoadSeconds(server, c.container);
      if (!kill || load === undefined || kill.window.seconds >= load.seconds) continue;
      const { probe, startup, which, window } = kill;
      yield ctx.finding(w.object, `${c.path}.${which}`,
        `${containerLabel(c)} runs ${server.name}, whose server ${server.answersWhileLoading ? `answers ${probe.httpGet.path} with 503 until` : 'answers only once'} `
        + `the model is loaded, but its ${which}`
        + `${startup ? '' : ' (there is no startupProbe)'} kills it ${window.seconds} s after it starts at the latest `
        + `(${window.shown}), under the ${load.seconds} s ${load.why}: a load that takes longer is killed and starts `
        + 'again, and the pod crash-loops holding its GPUs (the manifests cannot tell how long this model loads)');
    }
  },
};

/** A probe that kills a model server still loading its model, and when ({@link loadKillWindow}). */
interface LoadKillWindow {
  readonly probe: any;
  /** Whether it is the startup probe (else the liveness probe). */
  readonly startup: boolean;
  readonly which: string;
  readonly window: { readonly seconds: number; readonly shown: string };
}

/**
 * The probe that kills a model server still loading its model, and when at the latest: its startup probe, else its
 * liveness probe, when it asks the server's port (for a server that answers while it loads, only its health
 * endpoint fails meanwhile); undefined when none does, for a container that is not the server's (an init container)
 * or a server that loads no model at start.
 */
function loadKillWindow(c: ContainerRef, server: ModelServer): LoadKillWindow | undefined {
  if ((c.init && !c.sidecar) || server.loadsAtStart === false) return undefined;
  const startup = c.container.startupProbe;
  const probe = startup ?? c.container.livenessProbe;
  if (!probe || server.port === undefined || probedPort(probe, c.container) !== server.port) return undefined;
  if (server.answersWhileLoading && !LOADING_HEALTH_PATHS.includes(probe.httpGet?.path)) return undefined;
  const window = probeWindow(probe);
  return window && { probe, startup: !!startup, which: startup ? 'startupProbe' : 'livenessProbe', window };
}

/**
 * The load time to allow: a vLLM container's own VLLM_ENGINE_READY_TIMEOUT_S when set as a number, else 600 s;
 * undefined when vLLM's is set from a reference.
 */
function statedLoadSeconds(server: ModelServer, container: any): { readonly seconds: number; readonly why: string } | undefined {
  if (server.name !== 'vLLM') return { seconds: VLLM_LOAD_SECONDS, why: 'this rule allows a model load' };
  if (!setsEnv(container, 'VLLM_ENGINE_READY_TIMEOUT_S')) return { seconds: VLLM_LOAD_SECONDS, why: 'this rule allows a vLLM load (vLLM\'s default VLLM_ENGINE_READY_TIMEOUT_S)' };
  const value = envValue(container, 'VLLM_ENGINE_READY_TIMEOUT_S');
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return { seconds: Number(value), why: 'its VLLM_ENGINE_READY_TIMEOUT_S allows the engine to start' };
}

/** The kinds whose pods serve for long and are rolled out or scaled: GPU233 judges them (not Pods, Jobs, CronJobs). */
const SERVING_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet']);

/** GPU233 — a model server's pod must not be Ready before its model has loaded. */
export const VLLM_READY_WHEN_LOADED: Rule = {
  id: 'GPU233',
  title: 'A model server (vLLM, TGI, SGLang, Triton, llama.cpp) in a Deployment, StatefulSet or DaemonSet needs a readiness or startup probe that waits for its model',
  severity: Severity.WARNING,
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet'],
  remediation: 'Add a readinessProbe on the server\'s port (httpGet /health) and a startupProbe that allows the model load '
    + '(InferenceDeployment sets both).',
  description: 'Without a readiness probe the kubelet reports a running container Ready ("no readinessProbe -> always '
    + 'ready"), unless a startup probe has not passed yet (kubelet `prober/prober_manager.go` `UpdatePodStatus`). '
    + 'vLLM, TGI, SGLang and Triton answer only once their models have loaded, minutes later (GPU232; not Triton told to '
    + 'load no model at start); llama.cpp\'s server listens at once and answers 503 until then, so for it a TCP readiness '
    + 'or startup probe, which passes at once, waits for nothing either. Meanwhile a Service sends '
    + 'requests to the pod, which refuses them, and a rolling update counts the pod available and removes an old '
    + 'replica, so every rollout takes serving capacity away for the length of a load: a one-replica Deployment is '
    + 'down each time, and the replicas a scaler adds at peak load take requests they refuse. A warning: the pods do '
    + 'serve once loaded. Jobs, CronJobs and bare Pods are not judged, nor ReplicaSets run by a Deployment (it is).',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      if (c.init || !SERVING_KINDS.has(w.kind) || countedThroughOwner(w) || server.loadsAtStart === false) continue;
      // A server that listens while it loads passes a TCP probe at once: such a probe does not wait for the model.
      const waits = (k: 'readinessProbe' | 'startupProbe') => c.container[k] && !(server.answersWhileLoading && c.container[k].tcpSocket);
      if (waits('readinessProbe') || waits('startupProbe')) continue;
      const tcp = c.container.readinessProbe || c.container.startupProbe;
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} runs ${server.name} with ${tcp
          ? `only TCP readiness or startup probes, which pass as soon as ${server.name} listens, before its model has loaded`
          : 'neither a readinessProbe nor a startupProbe'}: its pod is Ready as soon as it starts, minutes before ${server.name} `
        + `${server.answersWhileLoading ? 'serves' : 'answers'} (its model is still loading), so Services send it requests it ${server.answersWhileLoading ? 'answers with 503' : 'refuses'} `
        + `and a rollout of the ${w.kind} removes an old replica meanwhile`);
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
 * repositories (`meta-llama/…`), Google's Gemma family (`google/gemma-…`, `codegemma`, `paligemma`, `medgemma`, …), and
 * Mistral AI's Mistral 7B (v0.1 to v0.3, base and Instruct), Mixtral and Mistral NeMo, which it gated in 2024 (the 401s
 * reported against `mistralai/Mistral-7B-Instruct-v0.2`, `Mistral-7B-v0.1`, `Mixtral-8x7B-Instruct-v0.1` and
 * `Mistral-Nemo-Base-2407`), and Ministral 8B (2410, under its research licence; ai-on-eks's manifest for it asks for
 * a token "for gated model access"); its later models, some Apache-licensed and open, are not listed.
 */
const GATED_MODEL = /^(meta-llama\/|google\/[a-z]*gemma|mistralai\/(mistral-7b-|mixtral-8x|mistral-nemo-|ministral-8b-instruct-2410))/i;

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

/**
 * Environment variables through which huggingface_hub finds a token, a mirror, or works from its cache alone, with the
 * servers' own: TGI's launcher passes `HF_API_TOKEN` on as `HF_TOKEN` (launcher `src/main.rs`), vLLM and SGLang
 * download from ModelScope instead with `VLLM_USE_MODELSCOPE`, `SGLANG_USE_MODELSCOPE`.
 */
const HUB_ACCESS_ENV = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'HF_API_TOKEN', 'HF_ENDPOINT', 'HF_HUB_OFFLINE',
  'TRANSFORMERS_OFFLINE', 'VLLM_USE_MODELSCOPE', 'SGLANG_USE_MODELSCOPE'];

/** Whether a container may reach a gated model another way than the Hub with a token it visibly lacks. */
function mayReachGatedModel(container: any, podSpec: any): boolean {
  if (Array.isArray(container?.envFrom) && container.envFrom.length > 0) return true; // may hold HF_TOKEN
  if (Array.isArray(container?.env) && container.env.some((e: any) => HUB_ACCESS_ENV.includes(e?.name))) return true;
  // A Secret mounted into the container may be huggingface_hub's token file.
  const secretVolumes = new Set((Array.isArray(podSpec?.volumes) ? podSpec.volumes : [])
    .filter((v: any) => v?.secret || v?.projected).map((v: any) => v?.name));
  return Array.isArray(container?.volumeMounts) && container.volumeMounts.some((m: any) => secretVolumes.has(m?.name));
}

/** GPU235 — a model server of a gated Hugging Face model needs a token. */
export const VLLM_GATED_MODEL_TOKEN: Rule = {
  id: 'GPU235',
  title: 'A model server (vLLM, TGI, SGLang, llama.cpp) of a gated Hugging Face model (Llama, Gemma, Mistral 7B, Mixtral) needs a Hugging Face token',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Give the container HF_TOKEN from a Secret (InferenceDeployment: vllm.hfTokenSecret) whose token\'s user has '
    + 'accepted the model\'s licence on huggingface.co, or serve the weights from a path or a mirror.',
  description: 'Every repository of Meta\'s Llama (`meta-llama/…`) and Google\'s Gemma families on the Hugging Face Hub is '
    + 'gated, and so are Mistral AI\'s Mistral 7B (v0.1-v0.3), Mixtral, Mistral NeMo and Ministral 8B: a user must accept the licence (or '
    + 'share their contact details), and a download without that user\'s token fails with 401 "Access to '
    + 'model … is restricted. You must have access to it and be authenticated" (huggingface_hub `GatedRepoError`). '
    + 'vLLM, TGI, SGLang and llama.cpp download the model at start, so the container exits and the pod crash-loops holding its '
    + 'GPUs. Judged when the model is written out (`vllm serve <model>` or `--model`; TGI\'s `--model-id` or '
    + '`MODEL_ID`; SGLang\'s `--model-path` or `--model`; llama.cpp\'s `-hf`/`--hf-repo`, e.g. Google\'s Gemma GGUF '
    + 'repositories, with no `--hf-token`), is not a path or URL, and the container has no '
    + '`HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, `HF_TOKEN_PATH` or (TGI) `HF_API_TOKEN`, no `envFrom` (it may hold one), '
    + 'no Secret mounted (it may be the token file), and neither a mirror (`HF_ENDPOINT`), offline mode '
    + '(`HF_HUB_OFFLINE`, `TRANSFORMERS_OFFLINE`) nor ModelScope (`VLLM_USE_MODELSCOPE`, `SGLANG_USE_MODELSCOPE`). A '
    + 'warning: a token baked into the image cannot be seen here.',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      const model = server.model;
      if (model === undefined || !GATED_MODEL.test(model) || mayReachGatedModel(c.container, w.template.podSpec)) continue;
      // (llama.cpp also takes the token as --hf-token, and is not huggingface_hub: its download just gets HTTP 401)
      if (server.name === 'llama.cpp' && flagText(server.argv, ['-hft', '--hf-token']) !== undefined) continue;
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} serves ${describeValue(model)}, a gated Hugging Face model, without a Hugging Face token `
        + `(no HF_TOKEN): ${server.name}'s download at start fails with 401${server.name === 'llama.cpp' ? '' : ' "Access to model … is restricted"'} `
        + 'and the pod crash-loops holding its GPUs');
    }
  },
};

/** The images whose servers run as root, home /root, unless the pod says otherwise: vLLM's, SGLang's and TGI's own. */
const ROOT_HOME_IMAGE = /(^|\/)(vllm-openai|sglang|text-generation-inference)[:@]/;

/** A literal absolute directory, without a trailing slash; undefined for a variable, a relative path or nothing. */
function absoluteDir(raw: string | undefined): string | undefined {
  if (raw === undefined || !raw.startsWith('/') || /[$`]/.test(raw)) return undefined;
  return raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
}

/**
 * A chain of environment variables a server reads a cache directory from, first set first: each variable with the
 * suffix it adds. The last is always `HOME`, whose suffix is where the cache lies under a home.
 */
type CacheChain = ReadonlyArray<readonly [string, string]>;

/** huggingface_hub's cache (`constants.py`): `HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`, `HF_HOME/hub`, `XDG_CACHE_HOME/huggingface/hub`, `~/.cache/huggingface/hub`. */
const HF_CACHE: CacheChain = [['HF_HUB_CACHE', ''], ['HUGGINGFACE_HUB_CACHE', ''], ['HF_HOME', '/hub'],
  ['XDG_CACHE_HOME', '/huggingface/hub'], ['HOME', '/.cache/huggingface/hub']];
/** llama.cpp's download cache (`common.cpp` `fs_get_cache_directory`): `LLAMA_CACHE`, `XDG_CACHE_HOME/llama.cpp`, `~/.cache/llama.cpp`. */
const LLAMA_CACHE: CacheChain = [['LLAMA_CACHE', ''], ['XDG_CACHE_HOME', '/llama.cpp'], ['HOME', '/.cache/llama.cpp']];
/** vLLM's own cache (`envs.py`): `VLLM_CACHE_ROOT`, `XDG_CACHE_HOME/vllm`, `~/.cache/vllm`. */
const VLLM_CACHE: CacheChain = [['VLLM_CACHE_ROOT', ''], ['XDG_CACHE_HOME', '/vllm'], ['HOME', '/.cache/vllm']];

/** Where a chain puts the cache under a home directory: its `HOME` suffix, e.g. `/.cache/vllm`. */
const underHome = (chain: CacheChain): string => chain[chain.length - 1][1];

/**
 * The cache directory the first variable of `chain` the container sets gives, as written; undefined when that one
 * cannot be read (a reference, a relative path), null when the container sets none of them.
 */
function cacheFromEnv(container: any, chain: CacheChain): { readonly dir: string; readonly shown: string } | undefined | null {
  for (const [name, suffix] of chain) {
    if (!setsEnv(container, name)) continue;
    const d = absoluteDir(envValue(container, name));
    return d === undefined ? undefined : { dir: `${d === '/' ? '' : d}${suffix}`, shown: `${name}=${envValue(container, name)}` };
  }
  return null;
}

/** The user a container runs as, from its own or its pod's securityContext; undefined when the image's. */
const runAsUserOf = (container: any, podSpec: any): unknown => container?.securityContext?.runAsUser ?? podSpec?.securityContext?.runAsUser;

/**
 * Where a vLLM, TGI or SGLang server downloads its model, as huggingface_hub resolves its cache ({@link HF_CACHE}):
 * the server's own flag (vLLM and SGLang `--download-dir`, TGI `--huggingface-hub-cache`), else the chain's variables
 * (TGI's image sets `HF_HOME=/data`, which comes before `XDG_CACHE_HOME` and `HOME`), home being `/root` in those
 * servers' own images unless the pod runs as another user. llama.cpp: {@link LLAMA_CACHE}, `/root` in its images.
 * Undefined when it cannot be told (a variable, another image's user).
 */
function modelDownloadDir(server: ModelServer, container: any, podSpec: any): { readonly dir: string; readonly shown: string } | undefined {
  const image = typeof container?.image === 'string' ? container.image : '';
  const user = runAsUserOf(container, podSpec);
  if (server.name === 'llama.cpp') {
    const found = cacheFromEnv(container, LLAMA_CACHE);
    if (found !== null) return found;
    if (!LLAMA_IMAGE.test(image) || (user !== undefined && user !== 0)) return undefined;
    return { dir: `/root${underHome(LLAMA_CACHE)}`, shown: 'llama.cpp\'s image runs as root, home /root, with no LLAMA_CACHE' };
  }
  const flagName = server.name === 'TGI' ? '--huggingface-hub-cache' : '--download-dir';
  const flag = flagText(server.argv, [flagName]);
  if (flag !== undefined) return ((d) => (d === undefined ? undefined : { dir: d, shown: `${flagName} ${flag}` }))(absoluteDir(flag));
  const tgiImage = server.name === 'TGI' && TGI_IMAGE.test(image);
  // (in TGI's image, HF_HOME is /data unless the pod sets a variable before it)
  const found = cacheFromEnv(container, tgiImage ? HF_CACHE.slice(0, 3) : HF_CACHE);
  if (found !== null) return found;
  if (tgiImage) return { dir: '/data/hub', shown: 'TGI\'s image sets HF_HOME=/data' };
  if (!ROOT_HOME_IMAGE.test(image) || (user !== undefined && user !== 0)) return undefined;
  return { dir: `/root${underHome(HF_CACHE)}`, shown: 'the image\'s root user, home /root, with no HF_HOME' };
}

/**
 * How a server is told to work from its cache alone (no download), as written: huggingface_hub's `HF_HUB_OFFLINE=1` or
 * `TRANSFORMERS_OFFLINE=1`, llama.cpp's `--offline`; undefined when it is not.
 */
function offlineShown(container: any, server: ModelServer): string | undefined {
  if (server.argv.includes('--offline')) return '--offline';
  const name = ['HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE'].find((n) => /^(1|true|on|yes)$/i.test(envValue(container, n) ?? ''));
  return name === undefined ? undefined : `${name}=${envValue(container, name)}`;
}

/** Whether the server is told to work from its cache alone ({@link offlineShown}). */
const offline = (container: any, server: ModelServer): boolean => offlineShown(container, server) !== undefined;

/**
 * Volume sources the kubelet always mounts read-only, whatever the mount says: Secret, ConfigMap, downward API and
 * projected volumes (core/v1 "Volumes": "always mounted as read-only"), and image volumes.
 */
const READ_ONLY_SOURCES = ['secret', 'configMap', 'downwardAPI', 'projected', 'image'] as const;

/** The length of a volume mount's path when it is at `dir` or a directory above it (`/` counts as 0); else undefined. */
function mountDepthOver(mount: any, dir: string): number | undefined {
  const at = typeof mount?.mountPath === 'string' ? mount.mountPath.replace(/\/+$/, '') : undefined;
  return at !== undefined && (at === '' || dir === at || dir.startsWith(`${at}/`)) ? at.length : undefined;
}

/**
 * Whether `dir` is on a writable volume of the container: the mount that holds it (the deepest at it or above it, as
 * the kernel resolves a path through nested mounts) is not `readOnly` and its volume is not always read-only (a mount
 * of a volume the pod does not define counts as writable). A writable emptyDir at `/root` does not make a read-only
 * ConfigMap mounted at `/root/.cache/huggingface` writable.
 */
function onWritableMount(container: any, dir: string, podSpec: any): boolean {
  const held = mountHolding(container, dir, podSpec);
  if (held === undefined || held.mount?.readOnly === true) return false;
  return !READ_ONLY_SOURCES.some((k) => held.volume?.[k] !== undefined && held.volume?.[k] !== null);
}

/** GPU239 — a model server that downloads its model on a read-only root filesystem needs a writable cache. */
export const MODEL_CACHE_WRITABLE: Rule = {
  id: 'GPU239',
  title: 'A model server (vLLM, TGI, SGLang, llama.cpp) with a read-only root filesystem needs a volume where it downloads its model',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Mount a writable volume (an emptyDir sized for the weights, or a PersistentVolumeClaim) at the download '
    + 'directory, or point HF_HOME (llama.cpp: LLAMA_CACHE) at one (InferenceDeployment mounts its model cache there and sets HF_HOME).',
  description: 'vLLM, TGI and SGLang download a Hugging Face model at start into huggingface_hub\'s cache: the server\'s '
    + 'own flag (vLLM and SGLang `--download-dir`, TGI `--huggingface-hub-cache`), else `HF_HUB_CACHE` '
    + '(`HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else '
    + '`~/.cache/huggingface/hub` (huggingface_hub `constants.py`; TGI\'s image sets `HF_HOME=/data`, vLLM\'s and SGLang\'s '
    + 'images run as root, home `/root`). llama.cpp\'s `llama-server` downloads a `-hf` repository into `LLAMA_CACHE`, '
    + 'else `$XDG_CACHE_HOME/llama.cpp`, else `~/.cache/llama.cpp` (llama.cpp `common.cpp` `fs_get_cache_directory`; its '
    + 'images run as root). With `securityContext.readOnlyRootFilesystem: true` the container can write '
    + 'only to its volumes, so a download anywhere else fails with "Read-only file system", the server exits, and the '
    + 'pod crash-loops holding its GPUs. Judged when the model is a Hugging Face id written out (not a path), '
    + 'the server is not offline (`HF_HUB_OFFLINE`, `TRANSFORMERS_OFFLINE`, llama.cpp\'s `--offline`), the command line is the server itself '
    + '(not a shell script) and the directory can be told (a variable, or another image\'s user, leaves it unknown).',
  *check(ctx) {
    // (Triton, whose model repository is a path, has no model id)
    for (const { w, c, server, model } of hubModelServers(ctx)) {
      if (c.container.securityContext?.readOnlyRootFilesystem !== true || offline(c.container, server)) continue;
      const where = modelDownloadDir(server, c.container, w.template.podSpec);
      if (!where || onWritableMount(c.container, where.dir, w.template.podSpec)) continue;
      yield ctx.finding(w.object, `${c.path}.securityContext.readOnlyRootFilesystem`,
        `${containerLabel(c)} runs ${server.name} on a read-only root filesystem and downloads ${describeValue(model)} at start into `
        + `${where.dir} (${where.shown}), where no writable volume is mounted: the download fails ("Read-only file system"), `
        + 'the server exits and the pod crash-loops holding its GPUs');
    }
  },
};

/**
 * The mount of the container that holds `dir` (the deepest at or above it), the pod's volume it mounts and that
 * volume's index in `volumes` (-1 when the pod defines none of its name).
 */
function mountHolding(container: any, dir: string, podSpec: any): { readonly mount: any; readonly volume: any; readonly at: number } | undefined {
  const mounts = Array.isArray(container?.volumeMounts) ? container.volumeMounts : [];
  let best: any;
  let bestLength = -1;
  for (const m of mounts) {
    const depth = mountDepthOver(m, dir);
    if (depth === undefined || depth <= bestLength) continue;
    best = m;
    bestLength = depth;
  }
  if (best === undefined) return undefined;
  const volumes = Array.isArray(podSpec?.volumes) ? podSpec.volumes : [];
  const at = volumes.findIndex((v: any) => v?.name === best.name);
  return { mount: best, volume: at < 0 ? undefined : volumes[at], at };
}

/** The servers' own images (vLLM, SGLang, TGI, llama.cpp): they ship no model. */
const SERVER_IMAGE = (image: string): boolean => ROOT_HOME_IMAGE.test(image) || LLAMA_IMAGE.test(image);

/** GPU243 — a model server told to work offline must find its model in a cache that holds it at start. */
export const OFFLINE_MODEL_IN_CACHE: Rule = {
  id: 'GPU243',
  title: 'A model server (vLLM, TGI, SGLang, llama.cpp) told to work offline must find its model in a cache that holds it at start',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Put the download directory on a volume that holds the model (a PersistentVolumeClaim filled beforehand), or fill '
    + 'the emptyDir from an init container (e.g. huggingface-cli download), or let the server download it (unset HF_HUB_OFFLINE; '
    + 'llama.cpp: drop --offline).',
  description: 'Offline (`HF_HUB_OFFLINE` or `TRANSFORMERS_OFFLINE`, which huggingface_hub also reads; llama.cpp\'s '
    + '`--offline`), a server makes no request to the Hub and looks for a model id only in its cache (GPU239 tells '
    + 'where: the server\'s flag, `HF_HUB_CACHE`, `HF_HOME`, `XDG_CACHE_HOME`, home; llama.cpp\'s `LLAMA_CACHE`). When '
    + 'that cache is on an emptyDir, it is empty at each start of the pod, so unless another container of the pod (an '
    + 'init container, a sidecar) mounts the same volume and fills it, the model is not there: huggingface_hub raises '
    + '"LocalEntryNotFoundError" (llama.cpp fails to find the file), the server exits and the pod crash-loops holding its '
    + 'GPUs. The same holds for a cache on the container\'s own filesystem in the servers\' own images, which ship no '
    + 'model. Judged for `org/name` ids written out and command lines that are the server itself; a cache on any other '
    + 'volume (a PersistentVolumeClaim, hostPath, CSI) may hold the model and is not judged, nor another image, which '
    + 'may have the model baked in.',
  *check(ctx) {
    for (const { w, c, server, model } of hubModelServers(ctx)) {
      const how = offlineShown(c.container, server);
      if (how === undefined) continue;
      const where = modelDownloadDir(server, c.container, w.template.podSpec);
      if (!where) continue;
      const held = mountHolding(c.container, where.dir, w.template.podSpec);
      let empty: string;
      if (held === undefined) {
        if (!SERVER_IMAGE(typeof c.container?.image === 'string' ? c.container.image : '')) continue;
        empty = `on the container's own filesystem, where ${server.name}'s image ships no model`;
      } else {
        if (held.volume?.emptyDir === undefined || held.volume?.emptyDir === null) continue;
        const others = containersOf(w.template).filter((x) => x.container !== c.container);
        const fills = (x: ContainerRef) => Array.isArray(x.container?.volumeMounts)
          && x.container.volumeMounts.some((m: any) => m?.name === held.mount.name);
        if (others.some(fills)) continue;
        empty = `on the emptyDir ${describeValue(held.mount.name)}, empty at each start of the pod and filled by no other container of it`;
      }
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} runs ${server.name} offline (${how}), so it looks for ${describeValue(model)} only in its cache, `
        + `${where.dir} (${where.shown}), ${empty}: the model is not found, the server exits and the pod crash-loops holding its GPUs`);
    }
  },
};

/**
 * Where a server run as a non-root user its image does not know downloads its model: that user has no home in the
 * image's `/etc/passwd`, so the runtime sets `HOME=/` (runc `setupUser`: the user's home, `/` by default), and with
 * nothing else set the cache is the chain's place under that home, `/.cache/huggingface/hub` (llama.cpp:
 * `/.cache/llama.cpp`). Undefined when the image is not vLLM's, SGLang's or llama.cpp's own (TGI's sets `HF_HOME`),
 * the user is root or not set, or a flag or variable names the directory.
 */
function homelessDownloadDir(server: ModelServer, container: any, podSpec: any): { readonly dir: string; readonly user: number } | undefined {
  const image = typeof container?.image === 'string' ? container.image : '';
  const user = runAsUserOf(container, podSpec);
  if (typeof user !== 'number' || user === 0) return undefined;
  const chain = server.name === 'llama.cpp' && LLAMA_IMAGE.test(image) ? LLAMA_CACHE
    : (server.name === 'vLLM' || server.name === 'SGLang') && ROOT_HOME_IMAGE.test(image) && !TGI_IMAGE.test(image)
      && flagText(server.argv, ['--download-dir']) === undefined ? HF_CACHE : undefined;
  if (chain === undefined || cacheFromEnv(container, chain) !== null) return undefined;
  return { dir: underHome(chain), user };
}

/** GPU245 — a model server run as a user its image does not know has HOME=/ and cannot write its cache there. */
export const HOMELESS_USER_CACHE: Rule = {
  id: 'GPU245',
  title: 'A model server (vLLM, SGLang, llama.cpp) run as a non-root user its image does not know needs HOME or its cache set',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Set HOME (or HF_HOME; llama.cpp: LLAMA_CACHE) to a writable volume, e.g. HOME=/tmp on an emptyDir and HF_HOME on the '
    + 'model cache volume (InferenceDeployment does both), or mount a volume at /.cache.',
  description: 'The images of vLLM (`vllm/vllm-openai`), SGLang and llama.cpp have one user, root, with home `/root`. '
    + 'Run as another user (`runAsUser`), for instance to pass the restricted Pod Security Standard, the container\'s '
    + 'user has no entry in the image\'s `/etc/passwd`, so the runtime sets `HOME=/` (runc `setupUser`: the user\'s '
    + 'home, `/` when it has none). With no `HF_HOME`, `HF_HUB_CACHE`, `XDG_CACHE_HOME` or `--download-dir` (llama.cpp: '
    + '`LLAMA_CACHE`), the server downloads its model into `/.cache/huggingface/hub` (llama.cpp: `/.cache/llama.cpp`), '
    + 'and `/` belongs to root: creating `/.cache` fails with "Permission denied", the server exits and the pod '
    + 'crash-loops holding its GPUs. Judged for Hugging Face ids written out, not offline, on command lines that are the '
    + 'server itself, unless a volume is mounted at or above that directory.',
  *check(ctx) {
    for (const { w, c, server, model } of hubModelServers(ctx)) {
      if (offline(c.container, server)) continue;
      const where = homelessDownloadDir(server, c.container, w.template.podSpec);
      if (!where || onWritableMount(c.container, where.dir, w.template.podSpec)) continue;
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} runs ${server.name} as user ${where.user}, whom its image ${describeValue(c.container.image)} does not know, `
        + `so HOME is / and it downloads ${describeValue(model)} into ${where.dir}; / belongs to root, so the download fails `
        + '("Permission denied"), the server exits and the pod crash-loops holding its GPUs');
    }
  },
};

/**
 * The width a word of a Hugging Face repository name (split on `-`, `_`, `.`) gives its weights, in bits: a width
 * written out (`4bit`, `int8`, `w4a16`, `fp8`, `bf16`), a 4-bit format (AWQ, which is 4-bit only; bitsandbytes' `nf4`;
 * `mxfp4`, `nvfp4`; Marlin); undefined for any other word.
 */
function widthOfWord(word: string): number | undefined {
  const m = /^(?:(\d+)bits?|int(\d+)|w(\d+)a\d+|b?fp?(\d+))$/.exec(word);
  if (m) return Number(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return /^(awq|nf4|mxfp4|nvfp4|marlin)$/.test(word) ? 4 : undefined;
}

/**
 * Words of a repository name that say its weights are in a format of a width the name does not give (AQLM, QuIP#, HQQ,
 * BitNet, SpQR, EXL2/EXL3, MLC's `q4f16`, GGUF): such a model is not read.
 */
const UNKNOWN_WIDTH_WORD = /^(aqlm|quip#?|hqq|bitnet|spqr|squeezellm|exl[23]|gguf|q\d\w*)$/;

/**
 * llama.cpp's GGUF quantisation types as a tag (`-hf org/repo:Q4_K_M`) or a file name (`--hf-file …-q8_0.gguf`) names
 * them, and the fewest bits a weight takes under each: the digit of `Q<n>_…`, `IQ<n>_…` and `TQ<n>_…` (each type takes
 * at least that many bits a weight, with its scales: Q4_0 4.5, Q2_K 2.6, IQ1_S 1.56, Q1_0 1.125), 4 for MXFP4 and NVFP4,
 * 16 for F16 and BF16, 32 for F32 (llama.cpp `gguf-py/gguf/constants.py` `GGML_QUANT_SIZES`: block size and bytes).
 */
function ggufBits(tag: string): number | undefined {
  const t = tag.toUpperCase();
  if (/(^|[-_.])(B?F16)($|[-_.])/.test(t)) return 16;
  if (/(^|[-_.])F32($|[-_.])/.test(t)) return 32;
  if (/(^|[-_.])(MX|NV)FP4($|[-_.])/.test(t)) return 4;
  const m = /(^|[-_.])(I?Q|TQ)([1-8])_/.exec(t);
  return m ? Number(m[3]) : undefined;
}

/** A model's weights at the fewest bytes its name allows ({@link modelWeightsFloor}), with how they are reckoned. */
export interface ModelWeights {
  /** Parameters, in billions. */
  readonly billions: number;
  /** Bits a weight takes. */
  readonly bits: number;
  readonly bytes: number;
  /** e.g. `70B parameters at 16 bits each: 140 GB, by bf16, the name marking no quantisation`. */
  readonly shown: string;
}

/** The weights of `billions` parameters at `bits` each, `why` saying where the bits come from. */
function weightsOf(billions: number, bits: number, why: string): ModelWeights {
  const bytes = billions * 1e9 * bits / 8;
  return { billions, bits, bytes, shown: `${billions}B parameters at ${bits} bits each: ${+(bytes / 1e9).toFixed(1)} GB, by ${why}` };
}

/**
 * The fewest bytes the weights of Hugging Face model `model` (`org/name`) take, from the parameter count its name gives
 * (`Llama-3.1-70B-Instruct`: 70B; the smallest count when it gives several, `NxMB` mixture-of-experts names are not
 * read) and the bits a weight takes: llama.cpp's quantisation `ggufTag` for GGUF files, else the narrowest width its
 * words give ({@link widthOfWord}; GPTQ without one: 2), else 16 (bf16 or fp16, in which a name without a marker is published; gpt-oss
 * ships its experts in MXFP4, 4 bits). Undefined when the name gives no count, or names a format whose width it does not
 * give ({@link UNKNOWN_WIDTH_WORD}: a GGUF repository without a tag, AQLM, …).
 */
export function modelWeightsFloor(model: string, ggufTag?: string): ModelWeights | undefined {
  const name = model.slice(model.indexOf('/') + 1);
  let billions: number | undefined;
  for (const m of name.matchAll(/(?<=^|[-_.])(\d+(?:\.\d+)?)[bB](?=$|[-_.])/g)) {
    const n = Number(m[1]);
    if (n > 0 && (billions === undefined || n < billions)) billions = n;
  }
  if (billions === undefined) return undefined;
  const parts = name.toLowerCase().split(/[-_.]/);
  let bits: number | undefined;
  let why: string;
  if (ggufTag !== undefined) {
    bits = ggufBits(ggufTag);
    if (bits === undefined) return undefined;
    why = `llama.cpp's ${ggufTag} quantisation`;
  } else if (parts.some((w) => UNKNOWN_WIDTH_WORD.test(w))) {
    return undefined;
  } else {
    for (const w of parts) {
      const b = widthOfWord(w);
      if (b !== undefined && b > 0 && (bits === undefined || b < bits)) bits = b;
    }
    // (GPTQ without a width: its narrowest, 2 bits)
    if (bits === undefined && parts.includes('gptq')) bits = 2;
    if (bits !== undefined) why = 'the quantisation its name marks';
    else if (/^gpt-oss-/i.test(name)) [bits, why] = [4, 'gpt-oss\'s MXFP4 experts'];
    else [bits, why] = [16, 'bf16, the name marking no quantisation'];
  }
  return weightsOf(billions, bits, why);
}

/** A volume of the pod's: its name, its index in `volumes`, and its emptyDir source. */
interface EmptyDirVolume {
  readonly name: string;
  readonly at: number;
  readonly emptyDir: any;
}

/** A bound the weights must fit under where they land, with what happens above it. */
interface StorageBound {
  readonly bytes: number;
  readonly field: string;
  readonly words: string;
  /** Whether the container's image takes room within it too (the node's disk; not an emptyDir or a storage limit). */
  readonly holdsImage?: boolean;
}

/**
 * The fewest bytes a server's image takes unpacked on the node's disk, where known: vLLM's `vllm/vllm-openai` images
 * from v0.8 (and `latest`) unpack to more than 10 GB (vLLM issues #17163, April 2025: "up to 25GB", filling 50 GB node
 * disks; #27154, October 2025: about 12 GB; PR #22377, December 2025: 28.6 GB for `latest`).
 */
function imageFloor(image: unknown): { readonly bytes: number; readonly shown: string } | undefined {
  const v = typeof image === 'string' ? vllmImageVersion(image) : undefined;
  return v !== undefined && versionAtLeast(v, [0, 8, 0])
    ? { bytes: 10e9, shown: 'vllm/vllm-openai from v0.8 unpacks to more than 10 GB' } : undefined;
}

/** A container's limit of `resource` (bytes for memory and storage), when it sets a positive one it can read. */
function positiveLimit(container: any, resource: string): number | undefined {
  const v = quantityOf(resourceMap(container, 'limits')[resource]);
  return v !== undefined && v > 0 ? v : undefined;
}

/**
 * The bounds a download onto the node's disk meets: an emptyDir's `sizeLimit`, the container's ephemeral-storage limit
 * (a download into its writable layer), the pod's (its containers' limits summed, as the kubelet's eviction manager
 * counts them), and the most the nodes the pods can run on give pods.
 */
function storageBounds(ctx: RuleContext, sc: ServerContainer, volume: EmptyDirVolume | undefined): StorageBound[] {
  const { w, c } = sc;
  const out: StorageBound[] = [];
  if (volume !== undefined) {
    const limit = quantityOf(volume.emptyDir?.sizeLimit);
    if (limit !== undefined && limit > 0) {
      out.push({
        bytes: limit,
        field: `${w.template.podSpecPath}.volumes[${volume.at}].emptyDir.sizeLimit`,
        words: `the emptyDir ${describeValue(volume.name)}'s sizeLimit ${String(volume.emptyDir.sizeLimit)}: the kubelet evicts the pod once the volume holds more `
          + `("Usage of EmptyDir volume ${JSON.stringify(volume.name)} exceeds the limit")`,
      });
    }
  } else {
    const own = positiveLimit(c.container, 'ephemeral-storage');
    if (own !== undefined) {
      out.push({
        bytes: own,
        field: `${c.path}.resources.limits["ephemeral-storage"]`,
        words: `its ephemeral-storage limit ${String(c.container.resources.limits['ephemeral-storage'])}: the kubelet evicts the pod once its writable layer holds more `
          + '("Container … exceeded its local ephemeral storage limit")',
      });
    }
  }
  const regular = containersOf(w.template).filter((x) => !x.init || x.sidecar);
  const limits = regular.map((x) => positiveLimit(x.container, 'ephemeral-storage'));
  if (limits.some((l) => l !== undefined)) {
    const total = limits.reduce<number>((a, b) => a + (b ?? 0), 0);
    out.push({
      bytes: total,
      field: `${c.path}.resources.limits["ephemeral-storage"]`,
      words: `its containers' ephemeral-storage limits, ${formatDiskBytes(total)} in total: the kubelet evicts the pod once its emptyDirs and writable layers hold more `
        + '("Pod ephemeral local storage usage exceeds the total limit of containers")',
    });
  }
  // The most a node the pods can run on gives pods (an unknown disk holds anything).
  const largest = bestNode(ctx, w, (pool, type) => {
    const room = podDiskRoom(pool, type);
    return Number.isFinite(room) ? { room, pool, type } : undefined;
  }, (v) => v.room);
  if (largest !== undefined) {
    const best = largest.value;
    const d = best.pool.nodeDisk?.(best.type);
    out.push({
      bytes: best.room,
      field: c.path,
      holdsImage: true,
      words: `the disk of the nodes it can run on, which give pods at most ${formatDiskBytes(best.room)} (${best.type.name} of NodePool `
        + `${best.pool.name}: ${d?.source ?? 'its disk'}, less ${d?.reserved ?? 'the reserves'}): the disk fills, the kubelet evicts the pod `
        + '("The node was low on resource: ephemeral-storage") or the download fails ("No space left on device")',
    });
  }
  return out;
}

/** The provisioners of EBS volumes (the EBS CSI driver, and the in-tree plugin it replaced): a volume is as large as its claim asks. */
const EBS_PROVISIONERS = ['ebs.csi.aws.com', 'kubernetes.io/aws-ebs'];

/**
 * The size of claim `name` of `namespace` when the manifests tell it: the claim and its StorageClass are in them (its
 * `storageClassName`, else the StorageClass marked default), the class provisions EBS volumes, which are as large as
 * the claim requests (rounded up to a GiB), and the claim is not bound to a volume by name; with how fast the volume
 * writes ({@link storageClassWriteRate}) when the class tells. Undefined otherwise (a file system such as EFS has no size).
 */
function ebsClaim(ctx: RuleContext, namespace: string, name: unknown):
{ readonly bytes: number; readonly shown: string; readonly writeRate?: DiskWriteRate } | undefined {
  const claim = typeof name === 'string' ? ctx.get('PersistentVolumeClaim', namespace, name) : undefined;
  const spec = claim?.spec;
  if (!spec || typeof spec !== 'object' || spec.volumeName !== undefined) return undefined;
  const scName = spec.storageClassName;
  const sc = typeof scName === 'string' ? (scName === '' ? undefined : ctx.get('StorageClass', '', scName))
    : ctx.byKind('StorageClass', 'storage.k8s.io').find((x) => x?.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
  if (!sc || !EBS_PROVISIONERS.includes(sc.provisioner)) return undefined;
  const raw = spec.resources?.requests?.storage;
  const bytes = quantityOf(raw);
  if (bytes === undefined || !(bytes > 0)) return undefined;
  const writeRate = storageClassWriteRate(sc);
  return {
    bytes: Math.ceil(bytes / 2 ** 30) * 2 ** 30,
    shown: `${String(raw)} (an EBS volume of StorageClass ${JSON.stringify(nameOf(sc))}${typeof scName === 'string' ? '' : ', the default'}, as large as the claim requests)`,
    ...(writeRate ? { writeRate } : {}),
  };
}

/**
 * The fastest the EBS volumes of a StorageClass write: the EBS CSI driver's `type` parameter (gp3 unless set) and, for
 * gp3, its `throughput` (MiB/s; 125 unless set); the in-tree plugin's `type` (gp2 unless set). The driver reads its
 * parameters' names in any case (aws-ebs-csi-driver `docs/parameters.md`).
 */
function storageClassWriteRate(sc: any): DiskWriteRate | undefined {
  const params = sc?.parameters && typeof sc.parameters === 'object' ? sc.parameters : {};
  const param = (name: string): unknown => Object.entries(params).find(([k]) => k.toLowerCase() === name)?.[1];
  const csi = sc?.provisioner === 'ebs.csi.aws.com';
  const rate = ebsWriteRate(param('type') ?? (csi ? 'gp3' : 'gp2'), csi ? param('throughput') : undefined);
  return rate && { ...rate, shown: `StorageClass ${JSON.stringify(nameOf(sc))}: ${rate.shown}` };
}

/** Whole minutes and seconds, e.g. `18 min 18 s`. */
const minutesAndSeconds = (seconds: number): string => {
  const s = Math.ceil(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
};

/**
 * The node with the most of `valueOf` (by `score`) among those a workload's pods can run on: every type of every pool
 * they fit; undefined when a node's value is not known (that node may have more) or no pool fits.
 */
function bestNode<T>(ctx: RuleContext, w: WorkloadRef, valueOf: (pool: PoolModel, type: GpuInstanceType) => T | undefined,
  score: (value: T) => number): { readonly value: T; readonly score: number; readonly where: string } | undefined {
  let best: { value: T; score: number; where: string } | undefined;
  for (const v of ctx.fittingPlacements(w.template)) {
    for (const type of v.instanceTypes) {
      const value = valueOf(v.pool, type);
      if (value === undefined) return undefined;
      const n = score(value);
      if (best === undefined || n > best.score) best = { value, score: n, where: `${type.name} of NodePool ${v.pool.name}` };
    }
  }
  return best;
}

/** The fastest disk of the nodes a workload's pods can run on, by `rateOf` ({@link bestNode}), as `the fastest disk it can land on (…)`. */
function fastestNodeDisk(ctx: RuleContext, w: WorkloadRef, rateOf: (pool: PoolModel, type: GpuInstanceType) => DiskWriteRate | undefined):
{ readonly rate: DiskWriteRate; readonly shown: string } | undefined {
  const best = bestNode(ctx, w, rateOf, (rate) => rate.bytesPerSecond);
  return best && { rate: best.value, shown: `the fastest disk it can land on (${best.where}: ${best.value.shown})` };
}

/** GPU251 — a model server's startup probe must allow its EBS disk the time to write the weights it downloads. */
export const MODEL_DOWNLOAD_OUTLASTS_PROBE: Rule = {
  id: 'GPU251',
  title: 'A model server\'s (vLLM, TGI, SGLang, llama.cpp) startup probe must allow its EBS disk the time to write the weights it downloads',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'EC2NodeClass', 'PersistentVolumeClaim', 'StorageClass'],
  remediation: 'Give the startupProbe (initialDelaySeconds + failureThreshold × periodSeconds) more than the time the disk takes to '
    + 'write the weights, download to a faster disk (gp3 throughput up to 1,000 MiB/s: blockDeviceMappings ebs.throughput, the '
    + 'StorageClass\'s throughput parameter, GpuNodeClass volume.throughputMiBps; or the instance store: instanceStorePolicy RAID0), '
    + 'or fill the cache before the server starts (a claim filled beforehand, an init container).',
  description: 'A model server downloads its weights at start (GPU239 tells where) and answers its probes only once the model '
    + 'is loaded (GPU232). When they land on an EBS volume, the volume\'s throughput bounds how fast they can be written, '
    + 'whatever the network: a gp3 volume writes 125 MiB/s unless its throughput is raised, which is the root volume '
    + 'Karpenter gives a node by default (karpenter-provider-aws `DefaultEBS`: gp3) and the volume the EBS CSI driver '
    + 'provisions by default; gp2 at most 250 MiB/s, io1 1,000, io2 4,000, st1 500 (AWS EBS User Guide, "Amazon EBS '
    + 'volume types"), and never more than the instance\'s EBS bandwidth. The weights\' size is GPU246\'s reckoning, the '
    + 'fewest bytes the model\'s name allows, so the time to write them is a floor: 72B parameters in bf16 (144 GB) take '
    + 'more than 18 minutes at 125 MiB/s. When that floor is above the window of the probe that kills a loading server '
    + '(its startupProbe, else its livenessProbe: initialDelaySeconds + failureThreshold × periodSeconds), the kubelet '
    + 'kills it mid-download. On the container\'s writable layer the restarted container starts again from nothing and '
    + 'never serves; on an emptyDir, a hostPath or a claim the part written stays, and a downloader that resumes partial '
    + 'files (huggingface_hub does) serves only after several restarts and CrashLoopBackOff delays of up to 5 minutes '
    + 'each. Judged on the fastest disk of the nodes the pods can run on (the EC2NodeClass\'s volume, its type and '
    + 'throughput; a volume of a type not written out, or the instance store, is not judged) and on claims of an EBS '
    + 'StorageClass of the manifests. A warning: the real download is slower still (the network, the Hub), and '
    + 'loading onto the GPUs comes after it.',
  *check(ctx) {
    for (const sc of hubModelServers(ctx)) {
      const { w, c, server, model } = sc;
      const kill = loadKillWindow(c, server);
      const download = kill && downloadOf(sc);
      if (!kill || !download) continue;
      const { weights, where, lands } = download;
      const nodeDisk = (pool: PoolModel, type: GpuInstanceType) => pool.nodeDisk?.(type)?.writeRate;
      let disk: { readonly rate: DiskWriteRate; readonly shown: string } | undefined;
      let place: string;
      switch (lands.on) {
        case 'claim': {
          const claim = ebsClaim(ctx, nsOf(w.object), lands.claimName);
          disk = claim?.writeRate && { rate: claim.writeRate, shown: `the claim's volume (${claim.writeRate.shown})` };
          place = `PersistentVolumeClaim ${JSON.stringify(lands.claimName)}`;
          break;
        }
        case 'memory':
          continue;
        case 'emptyDir':
          disk = fastestNodeDisk(ctx, w, nodeDisk);
          place = `the emptyDir ${describeValue(lands.held.mount.name)}`;
          break;
        case 'hostPath': {
          const hostDir = lands.hostDir;
          disk = fastestNodeDisk(ctx, w, (pool, type) => pool.hostDirDisk?.(type, hostDir)?.writeRate);
          place = `the hostPath volume ${describeValue(lands.held.mount.name)}`;
          break;
        }
        default:
          disk = fastestNodeDisk(ctx, w, nodeDisk);
          place = 'the container\'s writable layer';
      }
      if (!disk) continue;
      const seconds = weights.bytes / disk.rate.bytesPerSecond;
      if (seconds <= kill.window.seconds) continue;
      const outcome = lands.on === 'layer'
        ? 'the restarted container starts the download again on a new writable layer: it never serves, and the pod crash-loops holding its GPUs'
        : 'the pod crash-loops holding its GPUs, and serves only after several restarts (and CrashLoopBackOff delays of up to 5 minutes each) '
          + 'if its downloader resumes the part written';
      yield ctx.finding(w.object, `${c.path}.${kill.which}`,
        `${containerLabel(c)} runs ${server.name}, which downloads ${describeValue(model)} at start into ${where.dir} on ${place}, on EBS: its weights `
        + `take at least ${gib(weights.bytes)} (${weights.shown}), which ${disk.shown} writes in no less than `
        + `${minutesAndSeconds(seconds)}, but its ${kill.which}${kill.startup ? '' : ' (there is no startupProbe)'} kills it ${kill.window.seconds} s after it `
        + `starts at the latest (${kill.window.shown}): the kubelet kills it mid-download; ${outcome}`);
    }
  },
};

/**
 * The tighter bound of a memory-backed emptyDir: its `sizeLimit` (the tmpfs's size: a write beyond it fails) and the
 * memory limit of the container writing to it (tmpfs pages are charged to its cgroup: the kernel kills it beyond).
 */
function memoryBound(sc: ServerContainer, volume: any, at: number): StorageBound | undefined {
  const out: StorageBound[] = [];
  const size = quantityOf(volume.emptyDir.sizeLimit);
  if (size !== undefined && size > 0) {
    out.push({
      bytes: size,
      field: `${sc.w.template.podSpecPath}.volumes[${at}].emptyDir.sizeLimit`,
      words: `its sizeLimit ${String(volume.emptyDir.sizeLimit)}, the size of its tmpfs: the download fails ("No space left on device")`,
    });
  }
  const memory = positiveLimit(sc.c.container, 'memory');
  if (memory !== undefined) {
    out.push({
      bytes: memory,
      field: `${sc.c.path}.resources.limits.memory`,
      words: `its memory limit ${String(sc.c.container.resources.limits.memory)}, which the tmpfs's pages count against: the kernel kills the container (OOMKilled)`,
    });
  }
  return out.length === 0 ? undefined : out.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

/**
 * Where `dir` of a container is on the node through the hostPath `hostPath` that `mount` mounts: its path, the mount's
 * `subPath`, and the rest of `dir` below the mount path, normalised. Undefined when the path is not absolute or a
 * `subPathExpr` makes it.
 */
function hostDirOf(mount: any, hostPath: any, dir: string): string | undefined {
  const base = hostPath?.path;
  if (typeof base !== 'string' || !base.startsWith('/') || typeof mount?.mountPath !== 'string') return undefined;
  if (mount.subPathExpr !== undefined && mount.subPathExpr !== '') return undefined;
  const sub = typeof mount.subPath === 'string' ? mount.subPath : '';
  const rest = posix.relative(posix.normalize(mount.mountPath), posix.normalize(dir));
  if (rest.startsWith('..')) return undefined;
  const out = posix.normalize(posix.join(base, sub, rest));
  return out.length > 1 ? out.replace(/\/+$/, '') : out;
}

/** The mount of a container that holds a directory, with its volume ({@link mountHolding}). */
type HeldBy = NonNullable<ReturnType<typeof mountHolding>>;

/**
 * Where a download lands: the container's writable layer, a claim, an emptyDir in memory or on the node's disk, or a
 * hostPath (the node's directory it reaches).
 */
type Landing =
  | { readonly on: 'layer' }
  | { readonly on: 'claim'; readonly held: HeldBy; readonly claimName: unknown }
  | { readonly on: 'memory' | 'emptyDir'; readonly held: HeldBy; readonly emptyDir: any }
  | { readonly on: 'hostPath'; readonly held: HeldBy; readonly hostDir: string };

/**
 * What a server downloads at start and where (GPU246, GPU251): the fewest bytes of `model`'s weights
 * ({@link modelWeightsFloor}; for llama.cpp, of the GGUF quantisation its tag or file names, none without one: llama.cpp
 * then picks the file), the directory ({@link modelDownloadDir}) and where it lands ({@link Landing}). Undefined when
 * the weights or the directory cannot be told, on a read-only root (GPU239's finding), on another kind of volume, or a
 * hostPath whose node directory cannot be told.
 */
function downloadOf(sc: HubServer):
{ readonly weights: ModelWeights; readonly where: { readonly dir: string }; readonly lands: Landing } | undefined {
  const { server, model, c, w } = sc;
  const weights = server.name !== 'llama.cpp' ? modelWeightsFloor(model)
    : server.quantisationTag === undefined ? undefined : modelWeightsFloor(model, server.quantisationTag);
  if (weights === undefined) return undefined;
  const where = modelDownloadDir(server, c.container, w.template.podSpec);
  if (!where) return undefined;
  const held = mountHolding(c.container, where.dir, w.template.podSpec);
  const volume = held?.volume;
  let lands: Landing | undefined;
  if (held === undefined) {
    lands = c.container.securityContext?.readOnlyRootFilesystem === true ? undefined : { on: 'layer' };
  } else if (volume?.persistentVolumeClaim && typeof volume.persistentVolumeClaim === 'object') {
    lands = { on: 'claim', held, claimName: volume.persistentVolumeClaim.claimName };
  } else if (volume?.emptyDir && typeof volume.emptyDir === 'object' && volume.emptyDir.medium === 'Memory') {
    lands = { on: 'memory', held, emptyDir: volume.emptyDir };
  } else if (volume?.hostPath && typeof volume.hostPath === 'object') {
    const hostDir = hostDirOf(held.mount, volume.hostPath, where.dir);
    lands = hostDir === undefined ? undefined : { on: 'hostPath', held, hostDir };
  } else if (volume?.emptyDir && typeof volume.emptyDir === 'object') {
    lands = { on: 'emptyDir', held, emptyDir: volume.emptyDir };
  }
  return lands && { weights, where, lands };
}

/** GPU246 — the weights a model server downloads onto the node's disk must fit where they land. */
export const MODEL_DOWNLOAD_FITS_DISK: Rule = {
  id: 'GPU246',
  title: 'The weights a model server (vLLM, TGI, SGLang, llama.cpp) downloads must fit where they land: the node\'s disk, an emptyDir, a hostPath, an EBS claim',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'EC2NodeClass', 'DaemonSet'],
  remediation: 'Give the model room: raise the emptyDir\'s sizeLimit or the ephemeral-storage limit above the weights, give the '
    + 'NodePool\'s EC2NodeClass a larger volume (blockDeviceMappings; or instanceStorePolicy: RAID0 on types with local NVMe, '
    + 'with a hostPath under /mnt/k8s-disks/0), '
    + 'or put the cache on a PersistentVolumeClaim that holds the model (InferenceDeployment: ModelCache.emptyDir(size) or '
    + 'ModelCache.persistentVolumeClaim, and GpuNodeClass volume.size).',
  description: 'vLLM, TGI, SGLang and llama.cpp download their model at start into their cache (GPU239 tells where). On '
    + 'an emptyDir (not memory-backed) or the container\'s own filesystem, the weights go to the node\'s disk, where '
    + 'three bounds apply: an emptyDir\'s `sizeLimit`, the ephemeral-storage limits (the container\'s for its writable '
    + 'layer, the containers\' summed for the pod), above which the kubelet evicts the pod (kubelet `eviction/helpers.go`: '
    + '"Usage of EmptyDir volume … exceeds the limit", "Pod ephemeral local storage usage exceeds the total limit of '
    + 'containers"), and the disk itself: the most any node the pods can run on gives pods (GPU203\'s reckoning of the '
    + 'EC2NodeClass: 17Gi on a default AL2023 node), above which the node runs out of disk and the kubelet evicts the pod '
    + 'or the download fails. The pod is replaced and downloads again: it never serves. The weights\' size is reckoned '
    + 'from the model\'s name, at the fewest bytes it allows: the parameter count it gives (`70B`; mixture-of-experts '
    + '`8x7B` names are not read, and a count of active parameters is below the total) times the bits of a weight: '
    + 'llama.cpp\'s GGUF quantisation from the `:tag` of `-hf` or `--hf-file` (not judged without one: llama.cpp then '
    + 'picks Q4_K_M or the repository\'s first file), else the name\'s quantisation markers (AWQ, GPTQ, FP8, INT4, '
    + 'W4A16, 4bit, …; a format whose width the name does not give, such as AQLM, HQQ, BitNet or EXL2, is not judged), '
    + 'else 16 (bf16, in which a model without a marker is published; gpt-oss ships MXFP4). On the '
    + 'node\'s disk the image takes room too: vLLM\'s `vllm/vllm-openai` images from v0.8 unpack to more than 10 GB (vLLM '
    + 'issues #17163, #27154; PR #22377: 28.6 GB in December 2025), counted at 10 GB; other images and files are not '
    + 'counted, so the real need is larger. A warning: the manifests do not hold the model\'s '
    + 'size, only its name, and a repository may store fewer bits than its name says. Judged for Hugging Face ids '
    + 'written out on command lines that are the server itself. A cache on a PersistentVolumeClaim is judged against the '
    + 'claim when the manifests hold it and its StorageClass (named, or the one marked default) provisions EBS volumes '
    + '(`ebs.csi.aws.com`), which are as large as the claim requests: the download fails with "No space left on device". '
    + 'A memory-backed emptyDir is a tmpfs: the weights are judged against its `sizeLimit` (the tmpfs\'s size) and the '
    + 'memory limit of the container writing them (tmpfs pages are charged to its cgroup: OOMKilled). A hostPath is a '
    + 'directory of the node, judged on AL2 and AL2023 nodes: with `instanceStorePolicy: RAID0` only `/mnt/k8s-disks/0` '
    + '(where the array is mounted) and the directories bind-mounted onto it, `/var/lib/kubelet`, `/var/lib/containerd` '
    + 'and `/var/log/pods`, are on the instance store (amazon-eks-ami `setup-local-disks`); any other directory, such as '
    + '`/models`, is on the root volume (20Gi unless `blockDeviceMappings` sizes it), and so is every directory without '
    + 'RAID0, beside the images. Weights above the largest such disk of the nodes the pods can run on make the download '
    + 'fail ("No space left on device"). Another claim (EFS, FSx), a CSI volume, a hostPath on another AMI family '
    + '(Bottlerocket, Custom) or given by a `subPathExpr` is not judged, nor a node disk the manifests do not give (no '
    + 'EC2NodeClass).',
  *check(ctx) {
    for (const sc of hubModelServers(ctx)) {
      const { w, c, server, model } = sc;
      const download = downloadOf(sc);
      if (!download) continue;
      const { weights, where, lands } = download;
      let volume: EmptyDirVolume | undefined;
      let place: string;
      switch (lands.on) {
        case 'claim': {
          // A claim of an EBS StorageClass of the manifests is as large as it requests.
          const claim = ebsClaim(ctx, nsOf(w.object), lands.claimName);
          if (!claim || claim.bytes >= weights.bytes) continue;
          yield ctx.finding(w.object, `${w.template.podSpecPath}.volumes[${lands.held.at}].persistentVolumeClaim.claimName`,
            `${containerLabel(c)} runs ${server.name}, which downloads ${describeValue(model)} at start into ${where.dir} on PersistentVolumeClaim `
            + `${JSON.stringify(lands.claimName)}: its weights take at least ${gib(weights.bytes)} (${weights.shown}), above the `
            + `claim's ${claim.shown}: the download fails ("No space left on device"), the server exits and the pod crash-loops holding its GPUs`);
          continue;
        }
        case 'memory': {
          // A memory-backed emptyDir is a tmpfs: the weights are memory, charged to the container that writes them.
          const bound = memoryBound(sc, lands.held.volume, lands.held.at);
          if (!bound || bound.bytes >= weights.bytes) continue;
          yield ctx.finding(w.object, bound.field,
            `${containerLabel(c)} runs ${server.name}, which downloads ${describeValue(model)} at start into ${where.dir} on the memory-backed emptyDir `
            + `${describeValue(lands.held.mount.name)}, in memory: its weights take at least ${gib(weights.bytes)} (${weights.shown}), above ${bound.words}; `
            + 'the pod is restarted, downloads again and never serves');
          continue;
        }
        case 'hostPath': {
          // A hostPath is a directory of the node: on the root volume, or on the instance store's RAID0. (The disk with
          // the most room of the nodes it can run on, less the image where containerd's images share it.)
          const hostDir = lands.hostDir;
          const floor = imageFloor(c.container.image);
          const disk = bestNode(ctx, w, (pool, type) => pool.hostDirDisk?.(type, hostDir), (d) => d.bytes - (d.holdsImages ? floor?.bytes ?? 0 : 0));
          if (!disk || disk.score >= weights.bytes) continue;
          const image = disk.value.holdsImages ? floor : undefined;
          yield ctx.finding(w.object, `${w.template.podSpecPath}.volumes[${lands.held.at}].hostPath.path`,
            `${containerLabel(c)} runs ${server.name}, which downloads ${describeValue(model)} at start into ${where.dir} on the hostPath volume `
            + `${describeValue(lands.held.mount.name)}, ${hostDir} on the node: its weights take at least ${gib(weights.bytes)} (${weights.shown})`
            + `${image ? `, and its image at least ${gib(image.bytes)} (${image.shown}), ${gib(weights.bytes + image.bytes)} in all` : ''}, above `
            + `the disk that holds ${hostDir} on the largest node it can run on (${disk.where}), the ${disk.value.source}: `
            + 'the download fails ("No space left on device"), the server exits and the pod crash-loops holding its GPUs');
          continue;
        }
        case 'emptyDir':
          volume = { name: String(lands.held.mount.name), at: lands.held.at, emptyDir: lands.emptyDir };
          place = `the emptyDir ${describeValue(lands.held.mount.name)}`;
          break;
        default:
          place = 'the container\'s writable layer';
      }
      const image = imageFloor(c.container.image);
      const need = (b: StorageBound) => weights!.bytes + (b.holdsImage && image ? image.bytes : 0);
      const bounds = storageBounds(ctx, sc, volume).filter((b) => b.bytes < need(b));
      if (bounds.length === 0) continue;
      // (the first the download meets: the least room left for the weights)
      const tightest = bounds.reduce((a, b) => (b.bytes - need(b) < a.bytes - need(a) ? b : a));
      const withImage = tightest.holdsImage && image
        ? `, and its image at least ${gib(image.bytes)} (${image.shown}), ${gib(need(tightest))} in all` : '';
      yield ctx.finding(w.object, tightest.field,
        `${containerLabel(c)} runs ${server.name}, which downloads ${describeValue(model)} at start into ${where.dir} on ${place}, `
        + `on the node's disk: its weights take at least ${gib(weights.bytes)} (${weights.shown})${withImage}, above `
        + `${tightest.words}; the pod is replaced, downloads again and never serves`);
    }
  },
};

/**
 * The fewest bits a weight takes in GPU memory under a server's quantisation method, by server: methods that quantise a
 * 16-bit checkpoint as it loads (vLLM and SGLang `fp8`, vLLM `bitsandbytes`, TGI `eetq`, `bitsandbytes-nf4`, …) and
 * those that read a quantised checkpoint (`awq` 4 bits, `gptq` 2 at the narrowest, `compressed-tensors` 4, …); the
 * weights take the fewer of these and of what the model's name says. A method not listed is not judged.
 */
const QUANTISATION_METHOD_BITS: Readonly<Record<'vLLM' | 'SGLang' | 'TGI', Readonly<Record<string, number>>>> = {
  vLLM: {
    'fp8': 8,
    'fbgemm_fp8': 8,
    'ptpc_fp8': 8,
    'experts_int8': 8,
    'bitsandbytes': 4,
    'awq': 4,
    'awq_marlin': 4,
    'gptq': 2,
    'gptq_marlin': 2,
    'marlin': 4,
    'compressed-tensors': 4,
    'modelopt': 4,
    'modelopt_fp4': 4,
    'mxfp4': 4,
  },
  SGLang: { 'fp8': 8, 'w8a8_int8': 8, 'w8a8_fp8': 8, 'awq': 4, 'awq_marlin': 4, 'gptq': 2, 'gptq_marlin': 2, 'marlin': 4, 'compressed-tensors': 4, 'modelopt_fp4': 4, 'mxfp4': 4 },
  TGI: { 'eetq': 8, 'fp8': 8, 'bitsandbytes': 8, 'bitsandbytes-nf4': 4, 'bitsandbytes-fp4': 4, 'awq': 4, 'gptq': 2, 'marlin': 4, 'compressed-tensors': 4 },
};

/** How a server splits one copy of its weights over GPUs, and the share of each GPU's memory it may use. */
interface WeightPlacement {
  /** The GPUs one copy of the weights is spread over. */
  readonly gpus: number;
  /** e.g. `tensor 4 × pipeline 1`, `4 shards (--num-shard 4)`. */
  readonly shown: string;
  /** The GPUs each layer is split over: the tensor parallel size (TGI: its shards). */
  readonly tensor: number;
  /** The stages the layers are split into: the pipeline parallel size (TGI: 1). */
  readonly pipeline: number;
  /** The share of each GPU's memory the server may use, 0-1. */
  readonly fraction: number;
  /** e.g. `--gpu-memory-utilization 0.9, vLLM's default`. */
  readonly fractionShown: string;
  /** The fewest bits of a weight under its quantisation method; undefined with none. */
  readonly methodBits?: number;
  readonly method?: string;
}

/** A fraction in (0, 1] as written; undefined when it is not one. */
function fractionOf(raw: string | undefined): number | undefined {
  const n = raw !== undefined && /^\s*\d*\.?\d+(e-?\d+)?\s*$/i.test(raw) ? Number(raw) : NaN;
  return n > 0 && n <= 1 ? n : undefined;
}

/**
 * How a vLLM, SGLang or TGI container places its weights ({@link WeightPlacement}): vLLM and SGLang over tensor ×
 * pipeline parallel GPUs (data parallelism copies them; vLLM's expert parallelism spreads a mixture of experts over
 * the data-parallel GPUs too), TGI over its shards, one per GPU of its container unless set; undefined when it cannot
 * be told (multi-node, CPU offload, a variable, an unknown quantisation method).
 */
function weightPlacement(c: ContainerRef, server: ModelServer): WeightPlacement | undefined {
  const argv = server.argv;
  const quant = (names: readonly string[], env?: string): { method?: string; bits?: number } | undefined => {
    const q = env === undefined ? { value: flagText(argv, names) } : flagOrEnv(argv, c.container, names, env);
    if (q.value === undefined) return {};
    const bits = QUANTISATION_METHOD_BITS[server.name as 'vLLM' | 'SGLang' | 'TGI'][q.value];
    return bits === undefined ? undefined : { method: q.value, bits };
  };
  switch (server.name) {
    case 'vLLM': {
      const p = parallelismOfVllm(c.container, argv);
      const q = quant(['--quantization', '-q']);
      if (!p || !q || setsFlag(argv, ['--cpu-offload-gb'])) return undefined;
      const raw = flagText(argv, ['--gpu-memory-utilization', '--gpu_memory_utilization']);
      const fraction = raw === undefined ? 0.9 : fractionOf(raw);
      if (fraction === undefined) return undefined;
      const experts = setsFlag(argv, ['--enable-expert-parallel', '-ep']) && p.data > 1;
      const gpus = p.tensor * p.pipeline * (experts ? p.data : 1);
      return {
        gpus,
        shown: experts ? `tensor ${p.tensor} × pipeline ${p.pipeline} × data ${p.data}, experts spread over all` : `tensor ${p.tensor} × pipeline ${p.pipeline}`,
        tensor: p.tensor,
        pipeline: p.pipeline,
        fraction,
        fractionShown: raw === undefined ? '--gpu-memory-utilization 0.9, vLLM\'s default' : `--gpu-memory-utilization ${raw}`,
        methodBits: q.bits,
        method: q.method,
      };
    }
    case 'SGLang': {
      if (setsEnv(c.container, 'CUDA_VISIBLE_DEVICES') || setsFlag(argv, [...SGLANG_UNJUDGED, '--cpu-offload-gb'])) return undefined;
      const sizes = parallelSizes(argv, SGLANG_FLAGS);
      const q = quant(['--quantization']);
      if (!sizes || !q) return undefined;
      const raw = flagText(argv, ['--mem-fraction-static']);
      const fraction = raw === undefined ? 1 : fractionOf(raw);
      if (fraction === undefined) return undefined;
      return {
        gpus: sizes.tensor * sizes.pipeline,
        shown: `tensor ${sizes.tensor} × pipeline ${sizes.pipeline}`,
        tensor: sizes.tensor,
        pipeline: sizes.pipeline,
        fraction,
        fractionShown: raw === undefined ? 'the whole GPU' : `--mem-fraction-static ${raw}`,
        methodBits: q.bits,
        method: q.method,
      };
    }
    case 'TGI': {
      if (setsEnv(c.container, 'CUDA_VISIBLE_DEVICES')) return undefined;
      const set = tgiShards(c.container, argv);
      const own = containerRequest(c.container, 'nvidia.com/gpu');
      // (shards from a variable, or --sharded true without a count, are not read)
      const unread = set === undefined && (flagOrEnv(argv, c.container, ['--num-shard'], 'NUM_SHARD').from !== undefined
        || (flagText(argv, ['--sharded']) ?? envValue(c.container, 'SHARDED')) !== undefined);
      if (unread || (set === undefined && !(own >= 1))) return undefined;
      const q = quant(['--quantize'], 'QUANTIZE');
      if (!q) return undefined;
      const frac = flagOrEnv(argv, c.container, ['--cuda-memory-fraction'], 'CUDA_MEMORY_FRACTION');
      const fraction = frac.from === undefined ? 1 : fractionOf(frac.value);
      if (fraction === undefined) return undefined;
      return {
        gpus: set?.count ?? own,
        shown: set ? `${set.count} shard(s) (${set.shown})` : `one shard per GPU of its container (${own})`,
        tensor: set?.count ?? own,
        pipeline: 1,
        fraction,
        fractionShown: frac.from === undefined ? 'the whole GPU' : frac.shown!,
        methodBits: q.bits,
        method: q.method,
      };
    }
    default: return undefined;
  }
}

/** The memory of a MIG device, from its resource name's `<n>gb` (an upper bound: `1g.10gb` devices hold 9.5-9.75 GiB). */
function migDeviceBytes(resource: string): number | undefined {
  const m = /^nvidia\.com\/mig-\d+g\.(\d+)gb(\.me)?$/.exec(resource);
  return m ? Number(m[1]) * 2 ** 30 : undefined;
}

/**
 * The weights a server puts on each GPU that holds a copy's share (GPU247, GPU252): the floor the model's name gives,
 * lowered by the quantisation method the server applies as it loads, split over the placement's GPUs.
 */
function weightsPerGpu(placed: WeightPlacement, named: ModelWeights): { readonly weights: ModelWeights; readonly perGpu: number } {
  const weights = placed.methodBits !== undefined && placed.methodBits < named.bits
    ? weightsOf(named.billions, placed.methodBits, `its ${placed.method} quantisation`) : named;
  return { weights, perGpu: weights.bytes / placed.gpus };
}

/** The one MIG device (`nvidia.com/mig-…`) a container asks for instead of whole GPUs; undefined otherwise. */
function migDeviceOf(container: any): string | undefined {
  const mig = Object.keys(resourceMap(container, 'limits')).filter((r) => r.startsWith('nvidia.com/mig-'));
  return mig.length === 1 && containerRequest(container, 'nvidia.com/gpu') === 0 ? mig[0] : undefined;
}

/** A number of bytes in GiB, as messages write it: `32.6Gi`. */
const gib = (bytes: number): string => `${+(bytes / 2 ** 30).toFixed(1)}Gi`;

/**
 * The instance types (with GPU memory known) Karpenter tries first for a workload's pods: those of the pools of the
 * highest `weight` among the pools the pods fit (Karpenter tries those first, pools of equal weight in no set order),
 * each once; `all` when those are all the pools the pods fit.
 */
function typesTriedFirst(ctx: RuleContext, w: WorkloadRef):
{ readonly tried: readonly PlacementVerdict[]; readonly types: readonly GpuInstanceType[]; readonly all: boolean } {
  const fitting = ctx.fittingPlacements(w.template);
  const top = Math.max(...fitting.map((v) => v.pool.weight ?? 0));
  const tried = fitting.filter((v) => (v.pool.weight ?? 0) === top);
  const types = new Set<GpuInstanceType>();
  for (const v of tried) for (const type of v.instanceTypes) if (type.gpuMemoryMiB > 0) types.add(type);
  return { tried, types: [...types], all: tried.length === fitting.length };
}

/**
 * Whether a workload's pods state a preferred node affinity: Karpenter then tries the preferred types first (GPU247 and
 * GPU256 leave a pool of mixed types to it).
 */
function statesNodePreference(w: WorkloadRef): boolean {
  const preferred = w.template.podSpec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return Array.isArray(preferred) && preferred.length > 0;
}

/**
 * Where the instance types `names` of {@link typesTriedFirst} are, as GPU247 and GPU252 write it: `it can run on (…)`
 * when the pools tried first are all the pools the pods fit, else `of NodePool … (…), which Karpenter tries first (the
 * highest weight),`.
 */
function triedTypesWords(tried: readonly PlacementVerdict[], all: boolean, names: string): string {
  return all ? `it can run on (${names})`
    : `of NodePool${tried.length === 1 ? '' : 's'} ${listed(tried.map((v) => v.pool.name))} (${names}), which Karpenter tries first (the highest weight),`;
}

/** GPU247 — a model server's weights must fit the GPU memory it may use. */
export const MODEL_FITS_GPU_MEMORY: Rule = {
  id: 'GPU247',
  title: 'A model server\'s (vLLM, TGI, SGLang) weights must fit the memory of the GPUs that hold them',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'NodeOverlay'],
  remediation: 'Spread the weights over more GPUs (tensor parallelism, with as many GPUs in the container), serve a quantised '
    + 'model (AWQ, FP8) or quantise as it loads (vLLM --quantization fp8), confine the pods to instance types with larger '
    + 'GPUs (node affinity on karpenter.k8s.aws/instance-gpu-memory; InferenceDeployment: preferGpuMemoryGiB, or pools of '
    + 'larger GPUs), or raise --gpu-memory-utilization.',
  description: 'A model server loads its weights into the memory of its GPUs: vLLM and SGLang split one copy over tensor × '
    + 'pipeline parallel GPUs (data parallelism copies it), TGI over its shards (one per GPU of its container unless '
    + '`--num-shard`). vLLM uses at most `--gpu-memory-utilization` (0.9 by default) of each GPU for weights, activations '
    + 'and KV cache: when the weights alone exceed it, the load fails ("CUDA out of memory") or no memory is left for the '
    + 'cache ("No available memory for the cache blocks"), and the server exits; TGI (`--cuda-memory-fraction`, 1 by '
    + 'default) and SGLang (`--mem-fraction-static`; the whole GPU is taken when unset) likewise. The GPU memory is the '
    + 'instance types\' (the EC2 GPU table), of the types the pods fit on in the pools they can use; a MIG device\'s is '
    + 'its profile\'s (`1g.10gb`: 10 GiB, an upper bound); a time-sliced or MIG-sliced `nvidia.com/gpu` has at most its '
    + 'GPU\'s. Karpenter chooses among the types that fit a pod\'s requests by price (CreateFleet `lowest-price` on demand, '
    + '`price-capacity-optimized` on spot), not by GPU memory, so a pool that also offers smaller GPUs may get one: reported '
    + 'too, unless the pod states a preferred node affinity (Karpenter tries preferences first). Only the NodePools '
    + 'Karpenter tries first are judged: those of the highest `weight` among the pools the pods fit. The weights\' size is '
    + 'GPU246\'s reckoning from the model\'s name, at the fewest bytes it allows, lowered by a quantisation method the server '
    + 'applies as it loads (vLLM `--quantization fp8`: 8 bits; `bitsandbytes`: 4); activations, the CUDA context and the KV '
    + 'cache come on top. A warning: the manifests hold the model\'s name, not its size. Not judged: llama.cpp (it keeps '
    + 'layers it cannot offload on the CPU), CPU offload, multi-node servers, a variable, an unknown quantisation method.',
  *check(ctx) {
    for (const { c, server, model, w } of hubModelServers(ctx)) {
      const placed = weightPlacement(c, server);
      const named = placed && modelWeightsFloor(model);
      if (!placed || !named) continue;
      const { weights, perGpu } = weightsPerGpu(placed, named);
      const split = placed.gpus === 1 ? 'on one GPU, which holds' : `over ${placed.gpus} GPUs (${placed.shown}), each of which holds`;
      const lead = `${containerLabel(c)} runs ${server.name} with ${describeValue(model)} ${split} at least ${gib(perGpu)} of its weights `
        + `(${weights.shown}${placed.gpus === 1 ? '' : `, split ${placed.gpus} ways`})`;
      const fails = 'the model does not load ("CUDA out of memory", or "No available memory for the cache blocks"), the server exits and the pod crash-loops holding its GPUs';
      // A MIG device: its profile's memory, wherever it runs.
      const mig = migDeviceOf(c.container);
      if (mig !== undefined) {
        const device = migDeviceBytes(mig);
        if (device === undefined || perGpu <= placed.fraction * device) continue;
        yield ctx.finding(w.object, c.path, `${lead}, but its ${mig} device holds at most ${gib(device)}, of which it may use `
          + `${gib(placed.fraction * device)} (${placed.fractionShown}): ${fails}`);
        continue;
      }
      if (!(containerRequest(c.container, 'nvidia.com/gpu') >= 1)) continue;
      // Whole GPUs (or slices of them): each instance type the pods fit on, in the pools they can use.
      const { tried, types, all } = typesTriedFirst(ctx, w);
      const small = types.filter((type) => perGpu > placed.fraction * type.gpuMemoryMiB * 2 ** 20);
      const large = types.length - small.length;
      if (small.length === 0) continue;
      if (large > 0 && statesNodePreference(w)) continue;
      const biggest = small.reduce((a, b) => (b.gpuMemoryMiB > a.gpuMemoryMiB ? b : a));
      const use = placed.fraction * biggest.gpuMemoryMiB * 2 ** 20;
      const names = listed(small.map((t) => t.name));
      const where = triedTypesWords(tried, all, names);
      yield ctx.finding(w.object, c.path, large === 0
        ? `${lead}, but on every instance type ${where} a GPU holds at most ${gib(biggest.gpuMemoryMiB * 2 ** 20)} (${biggest.gpu.name}), `
          + `of which it may use ${gib(use)} (${placed.fractionShown}): ${fails}`
        : `${lead}, but ${small.length === 1 ? 'instance type' : 'instance types'} ${names}, where its pods also fit, have GPUs of at most `
          + `${gib(biggest.gpuMemoryMiB * 2 ** 20)} (${biggest.gpu.name}), of which it may use ${gib(use)} (${placed.fractionShown}); Karpenter `
          + `chooses among the types that fit a pod's requests by price, not by GPU memory, so it may launch one of them, where ${fails}`);
    }
  },
};

/**
 * A model's attention, from its Hugging Face `config.json`: `num_attention_heads`, `num_hidden_layers`, `num_key_value_heads`, the
 * head dimension (`head_dim`, else `hidden_size / num_attention_heads`) and `max_position_embeddings`, the context vLLM
 * serves unless `--max-model-len` says otherwise (vLLM `config/model.py` `_get_and_verify_max_len`; Llama 3.1's `llama3`
 * rope scaling does not multiply it).
 */
interface ModelArchitecture {
  readonly family: string;
  /** `num_attention_heads`: vLLM's tensor parallel size must divide it. */
  readonly heads: number;
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly maxPositions: number;
}

/**
 * Models whose every layer has full attention, by the last segment of their id (fine-tunes and quantisations keep the
 * base name and its architecture), with their config.json: Meta's Llama 3.1 8B and 70B and Llama 3.3 70B (32 and 80
 * layers, 32 and 64 attention heads, 8 KV heads of 128, 131,072 positions), Llama 3.2 1B (16 layers, 32 heads, 8 KV
 * heads of 64) and 3B (28 layers, 24 heads, 8 KV heads of 128), Llama 3 8B (as 3.1 8B, but 8,192 positions), Qwen2.5 and
 * Qwen2.5-Coder 1.5B, 3B, 7B, 14B and 32B, Qwen2.5 72B (28 and 36 layers with 12 and 16 heads and 2 KV heads; 28 layers
 * with 28 heads and 4 KV heads; 48 and 64 layers with 40 heads, 80 with 64, and 8 KV heads; heads of 128; 32,768
 * positions: Qwen2.5's longer contexts need a YaRN override, and its base and 1M variants only ever have more; the Coder
 * models keep the sizes of the Qwen2.5 models they were trained from, Qwen2.5-Coder technical report, arXiv:2409.12186,
 * table 1), Qwen3 4B, 8B and 32B (36, 36 and 64 layers, 32, 32 and 64 heads, 8 KV heads of 128;
 * 40,960 positions, which the 2507 updates only raise; the -Base models, with 32,768, are left out), and DeepSeek-R1's
 * distilled models, which keep the architecture of the model each was distilled into (DeepSeek-R1 README: Qwen2.5-Math
 * 1.5B and 7B, whose sizes are Qwen2.5's, Llama 3.1 8B, Qwen2.5 14B and 32B, Llama 3.3 70B Instruct) with 131,072
 * positions. Qwen2.5-Math itself (4,096 positions) is left out.
 */
const MODEL_ARCHITECTURES: ReadonlyArray<{
  readonly name: RegExp;
  readonly arch: ModelArchitecture;
  /** The names whose config.json holds exactly `maxPositions` (for the others it is a floor). @default every name matched */
  readonly positionsExact?: RegExp;
}> = [
  { name: /^(meta-)?llama-3\.1-8b(-|$)/, arch: { family: 'Llama 3.1 8B', heads: 32, layers: 32, kvHeads: 8, headDim: 128, maxPositions: 131072 } },
  { name: /^(meta-)?llama-3\.[13]-70b(-|$)/, arch: { family: 'Llama 3.1/3.3 70B', heads: 64, layers: 80, kvHeads: 8, headDim: 128, maxPositions: 131072 } },
  { name: /^llama-3\.2-1b(-|$)/, arch: { family: 'Llama 3.2 1B', heads: 32, layers: 16, kvHeads: 8, headDim: 64, maxPositions: 131072 } },
  { name: /^llama-3\.2-3b(-|$)/, arch: { family: 'Llama 3.2 3B', heads: 24, layers: 28, kvHeads: 8, headDim: 128, maxPositions: 131072 } },
  { name: /^(meta-)?llama-3-8b(-|$)/, arch: { family: 'Llama 3 8B', heads: 32, layers: 32, kvHeads: 8, headDim: 128, maxPositions: 8192 } },
  { name: /^qwen2\.5-(coder-)?1\.5b(-|$)/, arch: { family: 'Qwen2.5 1.5B', heads: 12, layers: 28, kvHeads: 2, headDim: 128, maxPositions: 32768 }, positionsExact: /-instruct([-_.]|$)/ },
  { name: /^qwen2\.5-(coder-)?3b(-|$)/, arch: { family: 'Qwen2.5 3B', heads: 16, layers: 36, kvHeads: 2, headDim: 128, maxPositions: 32768 }, positionsExact: /-instruct([-_.]|$)/ },
  { name: /^qwen2\.5-(coder-)?7b(-|$)/, arch: { family: 'Qwen2.5 7B', heads: 28, layers: 28, kvHeads: 4, headDim: 128, maxPositions: 32768 }, positionsExact: /-instruct([-_.]|$)/ },
  { name: /^qwen2\.5-(coder-)?14b(-|$)/, arch: { family: 'Qwen2.5 14B', heads: 40, layers: 48, kvHeads: 8, headDim: 128, maxPositions: 32768 }, positionsExact: /-instruct([-_.]|$)/ },
  { name: /^qwen2\.5-(coder-)?32b(-|$)/, arch: { family: 'Qwen2.5 32B', heads: 40, layers: 64, kvHeads: 8, headDim: 128, maxPositions: 32768 }, positionsExact: /-instruct([-_.]|$)/ },
  { name: /^qwen2\.5-72b(-|$)/, arch: { family: 'Qwen2.5 72B', heads: 64, layers: 80, kvHeads: 8, headDim: 128, maxPositions: 32768 }, positionsExact: /-instruct([-_.]|$)/ },
  { name: /^qwen3-4b(?!-base)(-|$)/, arch: { family: 'Qwen3 4B', heads: 32, layers: 36, kvHeads: 8, headDim: 128, maxPositions: 40960 }, positionsExact: /^(?!.*-2507)/ },
  { name: /^qwen3-8b(?!-base)(-|$)/, arch: { family: 'Qwen3 8B', heads: 32, layers: 36, kvHeads: 8, headDim: 128, maxPositions: 40960 }, positionsExact: /^(?!.*-2507)/ },
  { name: /^qwen3-32b(?!-base)(-|$)/, arch: { family: 'Qwen3 32B', heads: 64, layers: 64, kvHeads: 8, headDim: 128, maxPositions: 40960 }, positionsExact: /^(?!.*-2507)/ },
  { name: /^deepseek-r1-distill-qwen-1\.5b(-|$)/, arch: { family: 'DeepSeek-R1-Distill-Qwen-1.5B', heads: 12, layers: 28, kvHeads: 2, headDim: 128, maxPositions: 131072 } },
  { name: /^deepseek-r1-distill-qwen-7b(-|$)/, arch: { family: 'DeepSeek-R1-Distill-Qwen-7B', heads: 28, layers: 28, kvHeads: 4, headDim: 128, maxPositions: 131072 } },
  { name: /^deepseek-r1-distill-llama-8b(-|$)/, arch: { family: 'DeepSeek-R1-Distill-Llama-8B', heads: 32, layers: 32, kvHeads: 8, headDim: 128, maxPositions: 131072 } },
  { name: /^deepseek-r1-distill-qwen-14b(-|$)/, arch: { family: 'DeepSeek-R1-Distill-Qwen-14B', heads: 40, layers: 48, kvHeads: 8, headDim: 128, maxPositions: 131072 } },
  { name: /^deepseek-r1-distill-qwen-32b(-|$)/, arch: { family: 'DeepSeek-R1-Distill-Qwen-32B', heads: 40, layers: 64, kvHeads: 8, headDim: 128, maxPositions: 131072 } },
  { name: /^deepseek-r1-distill-llama-70b(-|$)/, arch: { family: 'DeepSeek-R1-Distill-Llama-70B', heads: 64, layers: 80, kvHeads: 8, headDim: 128, maxPositions: 131072 } },
];

/** The entry of {@link MODEL_ARCHITECTURES} a model id matches (by the last segment of the id, lower-cased), with that name. */
function architectureEntryOf(model: string): { readonly entry: (typeof MODEL_ARCHITECTURES)[number]; readonly name: string } | undefined {
  const name = model.split('/').pop()!.toLowerCase();
  const entry = MODEL_ARCHITECTURES.find((a) => a.name.test(name));
  return entry && { entry, name };
}

/** The attention architecture of a model id, when it is one of {@link MODEL_ARCHITECTURES}. */
export function modelArchitectureOf(model: string): ModelArchitecture | undefined {
  return architectureEntryOf(model)?.entry.arch;
}

/**
 * Words of a name that mark a fine-tune whose context differs from its base's (`-128k`, `-1M`, `-Gradient-1048k`, `-Long`,
 * `-YaRN`, `-Extended`): its config.json may not hold the base's positions.
 */
const CONTEXT_MARKER = /(^|[-_.])(\d+(\.\d+)?[km]|long|yarn|extended|gradient)([-_.]|$)/;

/**
 * The positions (`max_position_embeddings`) the config.json of model id `model` holds, when its name tells them exactly:
 * one of {@link MODEL_ARCHITECTURES} whose value is exact for it (Qwen2.5's Instruct models, not its base ones; Qwen3's
 * first releases, not the 2507 updates), and no word of the name marking a longer or shorter context.
 */
export function modelPositionsOf(model: string): { readonly positions: number; readonly family: string } | undefined {
  const found = architectureEntryOf(model);
  if (!found) return undefined;
  const { entry, name } = found;
  if (CONTEXT_MARKER.test(name) || (entry.positionsExact !== undefined && !entry.positionsExact.test(name))) return undefined;
  return { positions: entry.arch.maxPositions, family: entry.arch.family };
}

/** vLLM's context flag, as it spells it and with the underscore its parser also takes. */
const VLLM_MAX_MODEL_LEN = ['--max-model-len', '--max_model_len'];

/**
 * vLLM's `--max-model-len` as written: a whole number, or one with a suffix (`32k` = 32,000, `32K` = 32,768; m/M, g/G
 * alike: vLLM's human-readable integers); undefined when absent; null when it cannot be read or asks vLLM to choose
 * (`-1`, `auto`).
 */
export function vllmMaxModelLen(argv: readonly string[]): number | null | undefined {
  const raw = flagText(argv, VLLM_MAX_MODEL_LEN);
  if (raw === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)([kmgKMG]?)$/.exec(raw);
  if (!m) return null;
  const unit = m[2] === '' ? 1 : m[2] === m[2].toLowerCase() ? 1000 ** ('kmg'.indexOf(m[2]) + 1) : 1024 ** ('KMG'.indexOf(m[2]) + 1);
  const tokens = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(tokens) && tokens > 0 ? tokens : null;
}

/** vLLM flags that size the KV cache or the context some other way, or move memory off the GPU: not judged. */
const KV_UNJUDGED_FLAGS = ['--kv-cache-memory', '--kv-cache-memory-bytes', '--num-gpu-blocks-override', '--cpu-offload-gb', '--hf-overrides',
  '--rope-scaling', '--enable-expert-parallel', '--speculative-config', '--kv-transfer-config'];

/** GPU252 — vLLM must find room on its GPUs for the KV cache of one sequence of its context. */
export const VLLM_CONTEXT_FITS_KV_CACHE: Rule = {
  id: 'GPU252',
  title: 'vLLM\'s context (--max-model-len, else the model\'s own) must fit the KV cache its GPUs have room for beside the weights',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'NodeOverlay'],
  remediation: 'Set --max-model-len to what the workload needs (at most the tokens the finding says fit), store the KV cache in '
    + 'fp8 (--kv-cache-dtype fp8, half the bytes), spread the model over more GPUs (--tensor-parallel-size splits the KV heads), '
    + 'raise --gpu-memory-utilization, or confine the pods to larger GPUs.',
  description: 'At start vLLM measures the GPU memory left for its KV cache, `--gpu-memory-utilization` (0.9) of each GPU less '
    + 'the weights, activations and CUDA graphs, and refuses to start when the KV cache of a single sequence of the full '
    + 'context does not fit: "To serve at least one request with the model\'s max seq len (…), (… GiB KV cache is needed, '
    + 'which is larger than the available KV cache memory (… GiB)" (vLLM `v1/core/kv_cache_utils.py` '
    + '`check_enough_kv_cache_memory`; older engines: "The model\'s max seq len … is larger than the maximum number of '
    + 'tokens that can be stored in KV cache"). The context is `--max-model-len`, else the model\'s `max_position_embeddings`: '
    + '131,072 tokens for Llama 3.1, whose KV cache then takes 16 GiB for the 8B model, more than an L4 or A10G has left '
    + 'beside its 15 GiB of weights. A token takes 2 (K and V) × layers × KV heads × head dimension × the cache\'s bytes (2, '
    + 'or 1 with `--kv-cache-dtype fp8`) on each GPU: tensor parallelism divides the KV heads (each GPU keeps at least '
    + 'one), pipeline parallelism the layers. The room is at most the utilisation\'s share of the GPU less GPU247\'s floor '
    + 'of the weights per GPU, on every instance type Karpenter tries first (the highest-weight pools the pods fit) or the '
    + 'MIG device; activations and CUDA graphs take more, so a finding means even that upper bound is short. The '
    + 'architecture comes from the config.json of known models, matched by name (Llama 3 8B, 3.1, 3.2 1B and 3B, 3.3; Qwen2.5 1.5B-72B and Qwen2.5-Coder; Qwen3 4B, 8B, 32B; '
    + 'DeepSeek-R1\'s distilled Qwen and Llama models); '
    + 'a fine-tune that shortens its context would need less, hence a warning. Not judged: other models, other servers, '
    + 'flags that size the cache or context otherwise (`--kv-cache-memory`, `--num-gpu-blocks-override`, `--hf-overrides`, '
    + '`--rope-scaling`, `--max-model-len auto`), CPU offload, expert parallelism, speculative decoding, KV transfer.',
  *check(ctx) {
    for (const { c, server, model, w } of hubModelServers(ctx)) {
      if (server.name !== 'vLLM' || setsFlag(server.argv, KV_UNJUDGED_FLAGS)) continue;
      const arch = modelArchitectureOf(model);
      const placed = arch && weightPlacement(c, server);
      const named = placed && modelWeightsFloor(model);
      if (!arch || !placed || !named) continue;
      const written = vllmMaxModelLen(server.argv);
      const cacheType = flagText(server.argv, ['--kv-cache-dtype']);
      const dtype = flagText(server.argv, ['--dtype']);
      const cacheBytes = cacheType === undefined || cacheType === 'auto' ? 2 : cacheType.startsWith('fp8') ? 1 : undefined;
      if (written === null || cacheBytes === undefined || (dtype !== undefined && !['auto', 'bfloat16', 'float16', 'half'].includes(dtype))) continue;
      const tokens = written ?? arch.maxPositions;
      const heads = Math.max(1, Math.ceil(arch.kvHeads / placed.tensor));
      const layers = Math.ceil(arch.layers / placed.pipeline);
      const perToken = 2 * layers * heads * arch.headDim * cacheBytes;
      const need = tokens * perToken;
      const { weights, perGpu } = weightsPerGpu(placed, named);
      // The most room a GPU leaves: over the MIG device, or the largest GPU of the types tried first.
      const mig = migDeviceOf(c.container);
      let gpuBytes: number | undefined;
      let gpuShown = '';
      if (mig !== undefined) {
        gpuBytes = migDeviceBytes(mig);
        gpuShown = `its ${mig} device leaves`;
      } else if (containerRequest(c.container, 'nvidia.com/gpu') >= 1) {
        const { types, all, tried } = typesTriedFirst(ctx, w);
        if (types.length === 0) continue;
        const biggest = types.reduce((a, b) => (b.gpuMemoryMiB > a.gpuMemoryMiB ? b : a));
        gpuBytes = biggest.gpuMemoryMiB * 2 ** 20;
        const names = listed(types.map((t) => t.name));
        gpuShown = `on every instance type ${triedTypesWords(tried, all, names)} a GPU holds at most ${gib(gpuBytes)} (${biggest.gpu.name}) and leaves`;
      }
      if (gpuBytes === undefined) continue;
      const room = placed.fraction * gpuBytes - perGpu;
      // (no room at all is GPU247's finding)
      if (room <= 0 || need <= room) continue;
      const context = written === undefined ? `${tokens} tokens, the model's max_position_embeddings (${arch.family}; no --max-model-len)`
        : `${tokens} tokens (--max-model-len ${flagText(server.argv, VLLM_MAX_MODEL_LEN)})`;
      const split = [placed.tensor > 1 ? `tensor parallel ${placed.tensor}` : '', placed.pipeline > 1 ? `pipeline parallel ${placed.pipeline}` : ''].filter((x) => x !== '').join(', ');
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} runs vLLM with ${describeValue(model)} and a context of ${context}: the KV cache of one sequence that long takes `
        + `${gib(need)} on each GPU (2 × ${layers} layers × ${heads} KV head${heads === 1 ? '' : 's'} × ${arch.headDim} × ${cacheBytes} byte${cacheBytes === 1 ? '' : 's'}`
        + `${split ? `, with ${split}` : ''}: ${perToken / 1024}Ki a token), but ${gpuShown} at most ${gib(room)} `
        + `for it (${placed.fractionShown}, less at least ${gib(perGpu)} of weights: ${weights.shown}): vLLM refuses to start ("To serve at least one `
        + `request with the model's max seq len (${tokens}) … KV cache is needed, which is larger than the available KV cache memory") and the pod `
        + `crash-loops holding its GPUs; at most ${Math.floor(room / perToken)} tokens fit, fewer once activations and CUDA graphs take theirs`);
    }
  },
};

/**
 * How a server splits each layer's attention heads over GPUs, and how it refuses a split that does not divide them:
 * vLLM's and SGLang's tensor parallel size, TGI's shards ({@link weightPlacement}); undefined when it cannot be read
 * (a variable, multi-node, SGLang's data-parallel attention, which splits the heads otherwise).
 */
function headSplit(c: ContainerRef, server: ModelServer, heads: number):
{ readonly size: number; readonly shown: string; readonly refusal: string } | undefined {
  switch (server.name) {
    case 'vLLM': {
      const p = parallelismOfVllm(c.container, server.argv);
      return p && {
        size: p.tensor,
        shown: `tensor parallel ${p.tensor} (${p.shown})`,
        refusal: 'vLLM refuses to start ("Total number of attention heads '
        + `(${heads}) must be divisible by tensor parallel size (${p.tensor})", vLLM config/model.py verify_with_parallel_config)`,
      };
    }
    case 'SGLang': {
      const sizes = setsFlag(server.argv, SGLANG_UNJUDGED) || setsEnv(c.container, 'CUDA_VISIBLE_DEVICES') ? undefined : parallelSizes(server.argv, SGLANG_FLAGS);
      return sizes && {
        size: sizes.tensor,
        shown: `tensor parallel ${sizes.tensor}`,
        refusal: 'SGLang stops while it builds the model (its attention '
        + 'layers "assert self.total_num_heads % attn_tp_size == 0", SGLang srt/models)',
      };
    }
    case 'TGI': {
      const placed = weightPlacement(c, server);
      return placed && {
        size: placed.gpus,
        shown: placed.shown,
        refusal: 'TGI\'s shards stop while they load the model ("`num_heads` must be divisible by '
        + `\`num_shards\` (got \`num_heads\`: ${heads} and \`num_shards\`: ${placed.gpus})", TGI flash models)`,
      };
    }
    default: return undefined;
  }
}

/**
 * The tensor parallel sizes up to `most` that divide `heads` (GPU253, InferenceDeployment). A divisor is at most
 * `heads`, so the count stops there whatever `most` says (a limit of 1e400 GPUs once made it endless).
 */
export function divisorsUpTo(heads: number, most: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= Math.min(most, heads); n++) if (heads % n === 0) out.push(n);
  return out;
}

/** GPU253 — a model server's tensor parallel size must divide the model's attention heads. */
export const VLLM_TENSOR_PARALLEL_DIVIDES_HEADS: Rule = {
  id: 'GPU253',
  title: 'A model server\'s tensor parallel size (vLLM, SGLang; TGI\'s shards) must divide the number of the model\'s attention heads',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Use a tensor parallel size (TGI: --num-shard) that divides the attention heads (the finding lists those up to the '
    + 'container\'s GPUs), with as many GPUs in the container; spread the rest with data or pipeline parallelism, or serve more replicas.',
  description: 'The servers split each layer\'s attention heads evenly over their tensor parallel GPUs and refuse a split that '
    + 'does not divide them. vLLM checks at start: "Total number of attention heads (28) must be divisible by tensor '
    + 'parallel size (8)" (vLLM `config/model.py` `verify_with_parallel_config`). SGLang\'s attention layers assert it '
    + '(`assert self.total_num_heads % attn_tp_size == 0`, SGLang `srt/models`); TGI\'s flash models raise "`num_heads` must be '
    + 'divisible by `num_shards`". Either way the server exits before it serves and the pod crash-loops holding its GPUs. '
    + 'Qwen2.5 7B has 28 heads: it cannot use the eight GPUs of a g6.48xlarge or p4d.24xlarge in one tensor parallel group, '
    + 'though GPU222 asks a server to use every GPU of its container (data or pipeline parallelism can). The heads come '
    + 'from the config.json of the models GPU252 knows by name (Llama 3 8B, 3.1, 3.2 1B and 3.3: 32 or 64; 3.2 3B: 24; Qwen3 4B and 8B: 32, 32B: 64; Qwen2.5 and '
    + 'Qwen2.5-Coder 1.5B: 12, 3B: 16, 7B: 28, 14B and 32B: 40, 72B: 64; DeepSeek-R1\'s distilled models as the Qwen2.5 and Llama '
    + 'models they were distilled into). Other models, llama.cpp and Triton, and SGLang\'s data-parallel attention are not judged.',
  *check(ctx) {
    for (const { c, server, model, w } of hubModelServers(ctx)) {
      const arch = modelArchitectureOf(model);
      const split = arch && headSplit(c, server, arch.heads);
      if (!arch || !split || arch.heads % split.size === 0) continue;
      const gpus = Math.max(1, containerRequest(c.container, 'nvidia.com/gpu'));
      if (!Number.isSafeInteger(gpus)) continue;
      const sizes = divisorsUpTo(arch.heads, gpus);
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} runs ${server.name} with ${describeValue(model)} over ${split.shown}, but the model has ${arch.heads} attention heads `
        + `(${arch.family}), which ${split.size} does not divide: ${split.refusal}, and the pod crash-loops holding its GPUs; sizes that divide `
        + `${arch.heads} up to the container's ${gpus} GPU${gpus === 1 ? '' : 's'}: ${sizes.join(', ')}`);
    }
  },
};

/** How vLLM and SGLang set the context they serve, and how they refuse one longer than the model's. */
const CONTEXT_SETTING: Record<'vLLM' | 'SGLang', { readonly flags: readonly string[]; readonly allow: string; readonly refusal: (tokens: number, positions: number) => string }> = {
  vLLM: {
    flags: VLLM_MAX_MODEL_LEN,
    allow: 'VLLM_ALLOW_LONG_MAX_MODEL_LEN',
    refusal: (tokens, positions) => `vLLM refuses to start ("User-specified max_model_len (${tokens}) is greater than the derived max_model_len `
      + `(max_position_embeddings=${positions} …)", vLLM config/model.py)`,
  },
  SGLang: {
    flags: ['--context-length'],
    allow: 'SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN',
    refusal: (tokens, positions) => `SGLang refuses to start ("User-specified context_length (${tokens}) is greater than the derived context_length `
      + `(${positions})", SGLang srt/configs/model_config.py)`,
  },
};

/** GPU254 — vLLM's and SGLang's context must not exceed the model's positions, unless the server is told to allow it. */
export const CONTEXT_WITHIN_MODEL_POSITIONS: Rule = {
  id: 'GPU254',
  title: 'A model server\'s context (vLLM --max-model-len, SGLang --context-length) must not exceed the positions of its model',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Serve at most the model\'s positions (the finding names them); for a longer context, extend it the way the model\'s '
    + 'card says (YaRN rope scaling through vLLM --hf-overrides or --rope-scaling, SGLang --json-model-override-args), and set '
    + 'VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 (SGLang: SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1) only where the server still refuses.',
  description: 'Both servers derive the longest context a model allows from its config.json (`max_position_embeddings`, '
    + 'scaled by its rope scaling) and refuse a longer one asked for on the command line: vLLM "User-specified max_model_len '
    + '(131072) is greater than the derived max_model_len (max_position_embeddings=32768 …)" (vLLM `config/model.py` '
    + '`_get_and_verify_max_len`), SGLang "User-specified context_length (65536) is greater than the derived context_length '
    + '(32768)" (SGLang `ModelConfig._derive_context_length`), unless `VLLM_ALLOW_LONG_MAX_MODEL_LEN` (SGLang: '
    + '`SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN`) is `1` or `true`. The server exits before it serves and the pod '
    + 'crash-loops holding its GPUs. The usual case: Qwen2.5\'s Instruct models advertise 128K tokens, but their config '
    + 'holds 32,768 until rope scaling is added; Llama 3 8B has 8,192. The positions come from the config.json of the '
    + 'models GPU252 knows, only where the name tells them exactly: Qwen2.5\'s base models and Qwen3\'s 2507 updates (more '
    + 'positions) and names that mark a longer context (`-128k`, `-1M`, `-Long`, `-YaRN`, `-Gradient`) are left out. A '
    + 'warning: a fine-tune keeping the name may have changed its config. Not judged: rope scaling on the command line '
    + '(vLLM `--hf-overrides`, `--rope-scaling`; SGLang `--json-model-override-args`), the context from a variable, TGI.',
  *check(ctx) {
    for (const { c, server, model, w } of hubModelServers(ctx)) {
      if (server.name !== 'vLLM' && server.name !== 'SGLang') continue;
      const setting = CONTEXT_SETTING[server.name];
      const known = modelPositionsOf(model);
      const raw = flagText(server.argv, setting.flags);
      if (known === undefined || raw === undefined || setsFlag(server.argv, ['--hf-overrides', '--rope-scaling', '--json-model-override-args'])) continue;
      const tokens = server.name === 'vLLM' ? vllmMaxModelLen(server.argv) : /^\d+$/.test(raw) ? Number(raw) : null;
      if (typeof tokens !== 'number' || !Number.isSafeInteger(tokens) || tokens <= known.positions) continue;
      // (allowed, or from a variable: not judged)
      if (setsEnv(c.container, setting.allow)) {
        const allowed = envValue(c.container, setting.allow);
        if (allowed === undefined || ['1', 'true'].includes(allowed.trim().toLowerCase())) continue;
      }
      yield ctx.finding(w.object, c.path,
        `${containerLabel(c)} runs ${server.name} with ${describeValue(model)} and ${setting.flags[0]} ${raw}: ${tokens} tokens, more than the `
        + `${known.positions} positions of the model (${known.family}: max_position_embeddings in its config.json, with no rope scaling on the `
        + `command line): ${setting.refusal(tokens, known.positions)} unless ${setting.allow}=1, and the pod crash-loops holding its GPUs`);
    }
  },
};

/** A TGI token limit as written (flag, else variable): its value, when a whole number, and how it reads. */
interface TgiLimit {
  readonly tokens: number;
  readonly shown: string;
}

/** TGI's token limit set by `flags` or `env`: undefined when unset, from a reference, or not a whole number. */
function tgiLimit(argv: readonly string[], container: any, flags: readonly string[], env: string): TgiLimit | undefined {
  const set = flagOrEnv(argv, container, flags, env);
  if (set.value === undefined || !/^\d+$/.test(set.value.trim())) return undefined;
  const tokens = Number(set.value.trim());
  return Number.isSafeInteger(tokens) ? { tokens, shown: set.shown! } : undefined;
}

/**
 * The bounds TGI's launcher puts between its token limits (`text-generation-launcher` `main`, "Validate args"): each
 * the smaller limit, the larger, and the launcher's words when the smaller is above the larger (or, `strict`, equal).
 */
const TGI_LIMIT_ORDER: ReadonlyArray<{ readonly small: 'input' | 'prefill' | 'total'; readonly large: 'total' | 'prefill' | 'batchTotal'; readonly strict: boolean; readonly says: (s: number, l: number) => string }> = [
  { small: 'input', large: 'total', strict: true, says: () => '`max_input_tokens must be < `max_total_tokens`' },
  { small: 'input', large: 'prefill', strict: false, says: (s, l) => `\`max_batch_prefill_tokens\` must be >= \`max_input_tokens\`. Given: ${l} and ${s}` },
  { small: 'prefill', large: 'batchTotal', strict: false, says: (s, l) => `\`max_batch_prefill_tokens\` must be <= \`max_batch_total_tokens\`. Given: ${s} and ${l}` },
  { small: 'total', large: 'batchTotal', strict: false, says: (s, l) => `\`max_total_tokens\` must be <= \`max_batch_total_tokens\`. Given: ${s} and ${l}` },
];

/** GPU255 — TGI's token limits must be in the order its launcher checks. */
export const TGI_TOKEN_LIMITS_ORDERED: Rule = {
  id: 'GPU255',
  title: 'TGI\'s token limits must be in the order its launcher checks (input < total, input <= batch prefill, both <= batch total)',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Keep --max-input-tokens below --max-total-tokens (the total counts the input and the tokens generated), '
    + '--max-batch-prefill-tokens at least --max-input-tokens, and --max-batch-total-tokens at least both; or leave them '
    + 'unset, and TGI derives them from the model and the GPU memory.',
  description: 'TGI\'s launcher checks its token limits before it starts a shard and exits on the first that is out of '
    + 'order: "`max_input_tokens must be < `max_total_tokens`", "`max_batch_prefill_tokens` must be >= `max_input_tokens`", '
    + '"`max_batch_prefill_tokens` must be <= `max_batch_total_tokens`", "`max_total_tokens` must be <= '
    + '`max_batch_total_tokens`" (TGI `launcher/src/main.rs`, "Validate args"; its router checks the same). The container '
    + 'exits and the pod crash-loops holding its GPUs. Each limit is read from its flag, else its variable '
    + '(`--max-input-tokens`/`MAX_INPUT_TOKENS`, the older `--max-input-length`/`MAX_INPUT_LENGTH`, `--max-total-tokens`, '
    + '`--max-batch-prefill-tokens`, `--max-batch-total-tokens`); only two limits both written are compared, since the '
    + 'launcher derives the others from the model and the GPU memory. The usual case: `--max-input-tokens 4096 '
    + '--max-total-tokens 4096`, an input as long as the total leaving no token to generate. Not judged: a limit from a '
    + 'variable\'s reference or not a whole number.',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      if (server.name !== 'TGI' || server.shell || (c.init && !c.sidecar)) continue;
      const argv = server.argv;
      const limits: Record<'input' | 'total' | 'prefill' | 'batchTotal', TgiLimit | undefined> = {
        input: tgiLimit(argv, c.container, ['--max-input-tokens'], 'MAX_INPUT_TOKENS') ?? tgiLimit(argv, c.container, ['--max-input-length'], 'MAX_INPUT_LENGTH'),
        total: tgiLimit(argv, c.container, ['--max-total-tokens'], 'MAX_TOTAL_TOKENS'),
        prefill: tgiLimit(argv, c.container, ['--max-batch-prefill-tokens'], 'MAX_BATCH_PREFILL_TOKENS'),
        batchTotal: tgiLimit(argv, c.container, ['--max-batch-total-tokens'], 'MAX_BATCH_TOTAL_TOKENS'),
      };
      for (const { small, large, strict, says } of TGI_LIMIT_ORDER) {
        const a = limits[small];
        const b = limits[large];
        if (!a || !b || (strict ? a.tokens < b.tokens : a.tokens <= b.tokens)) continue;
        yield ctx.finding(w.object, c.path, `${containerLabel(c)} runs TGI with ${a.shown} and ${b.shown}: its launcher refuses to start `
          + `("${says(a.tokens, b.tokens)}", TGI launcher) and the pod crash-loops holding its GPUs`);
      }
    }
  },
};

/** vLLM's Marlin quantisation kernels, which need compute capability 8.0 (their `get_min_capability`, 80). */
const VLLM_MARLIN_METHODS = ['awq_marlin', 'gptq_marlin', 'marlin'];

/** A compute capability a flag needs: the flag as written, the minimum, and the server's refusal on an instance type below it. */
interface CapabilityNeed {
  readonly shown: string;
  readonly min: number;
  readonly refusal: (type: GpuInstanceType) => string;
}

/**
 * What a vLLM container's flags ask of its GPUs' compute capability: bfloat16 (`--dtype bfloat16`) and the Marlin
 * kernels (`--quantization awq_marlin`, `gptq_marlin`, `marlin`) 8.0, each with vLLM's refusal on a smaller one.
 */
function vllmCapabilityNeeds(argv: readonly string[]): CapabilityNeed[] {
  const needs: CapabilityNeed[] = [];
  const dtype = flagText(argv, ['--dtype']);
  if (dtype === 'bfloat16' || dtype === 'bf16') {
    needs.push({
      shown: `--dtype ${dtype}`,
      min: 8,
      refusal: (t) => '"Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your … GPU has compute capability '
        + `${t.gpu.computeCapability.toFixed(1)}", vLLM platforms/cuda.py`,
    });
  }
  const quant = flagText(argv, ['--quantization', '-q']);
  if (quant !== undefined && VLLM_MARLIN_METHODS.includes(quant)) {
    needs.push({
      shown: `--quantization ${quant}`,
      min: 8,
      refusal: (t) => `"The quantization method ${quant} is not supported for the current GPU. Minimum capability: 80. Current capability: `
        + `${Math.round(t.gpu.computeCapability * 10)}.", vLLM config`,
    });
  }
  return needs;
}

/** GPU256 — what vLLM's flags ask of the GPUs (bfloat16, Marlin kernels) must be within their compute capability. */
export const VLLM_GPU_CAPABILITY: Rule = {
  id: 'GPU256',
  title: 'vLLM\'s bfloat16 (--dtype bfloat16) and Marlin kernels (--quantization awq_marlin, gptq_marlin, marlin) need GPUs of '
    + 'compute capability 8.0: not the T4',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'NodeOverlay'],
  remediation: 'On T4s (g4dn) serve in float16 (--dtype half, or leave --dtype auto, which recent vLLM resolves to float16 there; '
    + 'Gemma 2 and 3 only in float32, GPU257) and quantise with awq or gptq rather than their Marlin forms; or confine the pods to GPUs of compute capability 8.0 '
    + 'or more (karpenter.k8s.aws/instance-gpu-name other than t4; pools without g4dn).',
  description: 'vLLM checks the GPU it starts on against what its flags ask: bfloat16 needs compute capability 8.0 ("Bfloat16 '
    + 'is only supported on GPUs with compute capability of at least 8.0. Your Tesla T4 GPU has compute capability 7.5. '
    + 'You can use float16 instead …", vLLM `platforms/cuda.py` `check_if_supports_dtype`), and each quantisation method '
    + 'its kernels\' minimum ("The quantization method awq_marlin is not supported for the current GPU. Minimum '
    + 'capability: 80. Current capability: 75.", vLLM config; the Marlin methods\' `get_min_capability` is 80). The '
    + 'server exits and the pod crash-loops holding its GPU. Of the catalog\'s GPUs only the T4 (g4dn, compute capability '
    + '7.5; NVIDIA "CUDA GPU Compute Capability") is below 8.0, and g4dn is the cheapest GPU family, which Karpenter, choosing by '
    + 'price, launches first when a pool offers it: reported when any type Karpenter tries first for the pods has one, '
    + 'unless a preferred node affinity steers them. Judged: the flags written; `--dtype auto` (resolved by the vLLM '
    + 'version: recent ones pick float16 on a T4) and methods whose minimum moved between releases (fp8) are not.',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      if (server.name !== 'vLLM' || server.shell || (c.init && !c.sidecar)) continue;
      const needs = vllmCapabilityNeeds(server.argv);
      if (needs.length === 0 || !(containerRequest(c.container, 'nvidia.com/gpu') >= 1)) continue;
      const { tried, types, all } = typesTriedFirst(ctx, w);
      const prefers = statesNodePreference(w);
      for (const need of needs) {
        const low = types.filter((t) => t.gpu.computeCapability < need.min);
        if (low.length === 0) continue;
        const some = low.length < types.length;
        if (some && prefers) continue;
        const names = listed(low.map((t) => t.name));
        const where = all ? 'it can run on' : `of NodePool${tried.length === 1 ? '' : 's'} ${listed(tried.map((v) => v.pool.name))}, which Karpenter tries first,`;
        yield ctx.finding(w.object, c.path, `${containerLabel(c)} runs vLLM with ${need.shown}, which needs GPUs of compute capability `
          + `${need.min.toFixed(1)} or more, but ${some ? `instance type${low.length === 1 ? '' : 's'} ${names} ${where} ha${low.length === 1 ? 's' : 've'} `
            + `${low[0].gpu.name} GPUs (compute capability ${low[0].gpu.computeCapability.toFixed(1)}), and Karpenter, choosing among the types that fit by price, `
            + 'may launch one'
            : `every instance type ${where} (${names}) has ${low[0].gpu.name} GPUs (compute capability ${low[0].gpu.computeCapability.toFixed(1)})`}: `
          + `there vLLM refuses to start (${need.refusal(low[0])}) and the pod crash-loops holding its GPU`);
      }
    }
  },
};

/**
 * Models vLLM refuses to run in float16 (`_FLOAT16_NOT_SUPPORTED_MODELS`, vLLM `config/model.py`), by the last segment of
 * their id: Gemma 2 (model type `gemma2`) and Gemma 3 (`gemma3`; its 270M and 1B text models `gemma3_text`); Gemma 3n,
 * another model type, is not in the list.
 */
const FLOAT16_REFUSED: ReadonlyArray<{ readonly name: RegExp; readonly family: string }> = [
  { name: /^gemma-2-\d/, family: 'Gemma 2' },
  { name: /^gemma-3-\d/, family: 'Gemma 3' },
];

/** GPU257 — vLLM refuses float16 for Gemma 2 and Gemma 3. */
export const VLLM_FLOAT16_REFUSED: Rule = {
  id: 'GPU257',
  title: 'vLLM must not be told to run Gemma 2 or Gemma 3 in float16 (--dtype half), which it refuses',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Use --dtype bfloat16 (or auto) on GPUs of compute capability 8.0 or more; on T4s (g4dn), where bfloat16 is '
    + 'refused too (GPU256), only float32 runs, at twice the memory: serve another model there or move to g5, g6 or larger.',
  description: 'vLLM refuses float16 for the model types it finds numerically unstable in it: "The model type \'gemma3\' does '
    + 'not support float16. Reason: Numerical instability. Please use bfloat16 or float32 instead." (vLLM `config/model.py` '
    + '`_FLOAT16_NOT_SUPPORTED_MODELS`: gemma2, gemma3, gemma3_text, and others not named by a model id). The server exits '
    + 'before it loads the weights and the pod crash-loops holding its GPUs. Asked for with `--dtype half` or `float16`, '
    + 'often to run on a T4, which has no bfloat16. Judged for Gemma 2 and Gemma 3 by name (`gemma-2-…`, `gemma-3-…`, '
    + 'their fine-tunes and quantisations keeping it); Gemma 3n, a model type vLLM runs in float16, is not.',
  *check(ctx) {
    for (const { c, server, model, w } of hubModelServers(ctx)) {
      if (server.name !== 'vLLM') continue;
      const dtype = flagText(server.argv, ['--dtype']);
      if (dtype !== 'half' && dtype !== 'float16') continue;
      const name = model.split('/').pop()!.toLowerCase();
      const refused = FLOAT16_REFUSED.find((m) => m.name.test(name));
      if (!refused) continue;
      yield ctx.finding(w.object, c.path, `${containerLabel(c)} runs vLLM with ${describeValue(model)} (${refused.family}) in float16 (--dtype ${dtype}): `
        + 'vLLM refuses to start ("The model type … does not support float16. Reason: Numerical instability. Please use bfloat16 or float32 '
        + 'instead.", vLLM config/model.py) and the pod crash-loops holding its GPUs');
    }
  },
};

/**
 * vLLM's quantisation methods that read a checkpoint quantised beforehand (they convert nothing as the model loads), with
 * the word by which names mark such a checkpoint: AWQ's (`awq`, `awq_marlin`) and GPTQ's (`gptq`, `gptq_marlin`).
 */
const PREQUANTISED_METHODS: Readonly<Record<string, { readonly format: string; readonly word: RegExp }>> = {
  awq: { format: 'AWQ', word: /(^|[-_.])awq([-_.]|$)/i },
  awq_marlin: { format: 'AWQ', word: /(^|[-_.])awq([-_.]|$)/i },
  gptq: { format: 'GPTQ', word: /(^|[-_.])gptq([-_.]|$)/i },
  gptq_marlin: { format: 'GPTQ', word: /(^|[-_.])gptq([-_.]|$)/i },
};

/** GPU258 — vLLM's AWQ and GPTQ methods need a checkpoint quantised that way. */
export const VLLM_QUANTISATION_MATCHES_CHECKPOINT: Rule = {
  id: 'GPU258',
  title: 'AWQ or GPTQ quantisation (vLLM --quantization, TGI --quantize) needs a checkpoint quantised that way, which the model\'s name marks',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Serve the AWQ or GPTQ repository of the model (e.g. Qwen/Qwen2.5-7B-Instruct-AWQ) and leave the method unset '
    + '(both servers read it from its config), or, to quantise a bf16 checkpoint as it loads, use a method that does (vLLM '
    + '--quantization fp8 or bitsandbytes; TGI --quantize eetq, fp8 or bitsandbytes).',
  description: 'AWQ and GPTQ are formats of a checkpoint: the weights are stored quantised with their scales beside them, '
    + 'and vLLM\'s `--quantization awq` (or `awq_marlin`, `gptq`, `gptq_marlin`) and TGI\'s `--quantize awq` or `gptq` say the '
    + 'checkpoint is in that format; neither converts anything. Given a bf16 repository, vLLM finds no quantisation config '
    + 'and refuses to start: "Cannot find the config file for awq" (vLLM `model_loader/weight_utils.py` `get_quant_config`); '
    + 'given one quantised another way, "Quantization method specified in the model config (gptq) does not match the '
    + 'quantization method specified in the `quantization` argument (awq)"; TGI stops as it loads the first layer: "Cannot '
    + 'load `awq` weight, make sure the model is already quantized" (TGI `text_generation_server/utils/weights.py`). The pod '
    + 'crash-loops holding its GPUs. Reported when the model\'s name does not carry the format\'s word (`-AWQ`, '
    + '`-GPTQ-Int4`, as the official and community quantisations are named). A warning: a repository may be quantised '
    + 'without saying so in its name. Not judged: methods that quantise as the model loads, local paths, other servers.',
  *check(ctx) {
    for (const { c, server, model, w } of hubModelServers(ctx)) {
      if (server.name !== 'vLLM' && server.name !== 'TGI') continue;
      // (the method as written: vLLM's flag; TGI's flag, else its variable)
      const written = server.name === 'vLLM' ? flagText(server.argv, ['--quantization', '-q']) : undefined;
      const set: FlagOrEnv = server.name === 'TGI' ? flagOrEnv(server.argv, c.container, ['--quantize'], 'QUANTIZE')
        : written === undefined ? {} : { value: written, shown: `--quantization ${written}`, from: 'args' };
      const method = set.value;
      // (TGI reads only awq and gptq as checkpoint formats of these)
      const needs = method === undefined || (server.name === 'TGI' && method !== 'awq' && method !== 'gptq') ? undefined : PREQUANTISED_METHODS[method];
      const name = model.slice(model.indexOf('/') + 1);
      if (!needs || needs.word.test(name)) continue;
      const refusal = server.name === 'vLLM'
        ? `so on a checkpoint in bf16 it refuses to start ("Cannot find the config file for ${method}", vLLM get_quant_config), and on one `
          + 'quantised another way too (the model config\'s method "does not match the quantization method specified in the `quantization` argument")'
        : `so it stops as it loads the weights ("Cannot load \`${method}\` weight, make sure the model is already quantized", TGI weights.py)`;
      const shown = set.shown;
      yield ctx.finding(w.object, c.path, `${containerLabel(c)} runs ${server.name} with ${shown} on ${describeValue(model)}, whose name `
        + `marks no ${needs.format} checkpoint: ${needs.format} is a format of the weights as stored, which ${server.name} does not convert to, `
        + `${refusal}, and the pod crash-loops holding its GPUs`);
    }
  },
};

/**
 * vLLM's switches that need another flag, checked before anything loads (`validate_parsed_serve_args`, vLLM
 * `entrypoints/openai/cli_args.py`): each switch (and its underscore spelling), the flag it needs, and vLLM's words.
 */
const VLLM_FLAG_PAIRS: ReadonlyArray<{
  readonly flag: readonly string[];
  readonly needs: readonly string[];
  /** Whether what it needs is a flag with a value (else a switch). */
  readonly valued: boolean;
  readonly says: string;
}> = [
  {
    flag: ['--enable-auto-tool-choice', '--enable_auto_tool_choice'],
    needs: ['--tool-call-parser', '--tool_call_parser'],
    valued: true,
    says: 'Error: --enable-auto-tool-choice requires --tool-call-parser',
  },
  {
    flag: ['--enable-log-outputs', '--enable_log_outputs'],
    needs: ['--enable-log-requests', '--enable_log_requests'],
    valued: false,
    says: 'Error: --enable-log-outputs requires --enable-log-requests',
  },
];

/** GPU259 — vLLM's switches that need a partner flag must have it. */
export const VLLM_FLAG_NEEDS_PARTNER: Rule = {
  id: 'GPU259',
  title: 'vLLM\'s --enable-auto-tool-choice needs --tool-call-parser (and --enable-log-outputs needs --enable-log-requests)',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Add the flag the switch needs: --tool-call-parser with the parser of the model\'s chat template (hermes for Qwen2.5 '
    + 'and Qwen3, llama3_json for Llama 3.1 and later, mistral for Mistral), --enable-log-requests for --enable-log-outputs; or drop '
    + 'the switch.',
  description: 'vLLM checks its command line before it loads anything, and stops on a switch that needs another flag: '
    + '"Error: --enable-auto-tool-choice requires --tool-call-parser" (tool calling needs a parser for the model\'s output '
    + 'format), "Error: --enable-log-outputs requires --enable-log-requests" (vLLM `entrypoints/openai/cli_args.py` '
    + '`validate_parsed_serve_args`, a TypeError). The server exits at once and the pod crash-loops holding its GPUs. '
    + 'Judged on the command line as written; a shell script is not read.',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      if (server.name !== 'vLLM' || server.shell || (c.init && !c.sidecar)) continue;
      for (const pair of VLLM_FLAG_PAIRS) {
        if (!server.argv.some((a) => pair.flag.includes(a))) continue;
        // (a switch is there or not; a flag needs its value: a parser's name)
        const partner = pair.valued ? flagText(server.argv, pair.needs) : server.argv.some((a) => pair.needs.includes(a)) ? 'on' : undefined;
        if (partner !== undefined && partner !== '' && !partner.startsWith('-')) continue;
        yield ctx.finding(w.object, c.path, `${containerLabel(c)} runs vLLM with ${pair.flag[0]} but no ${pair.needs[0]}: vLLM stops before it `
          + `loads the model ("${pair.says}", vLLM cli_args.py validate_parsed_serve_args) and the pod crash-loops holding its GPUs`);
      }
    }
  },
};

/** GPU244 — a model server whose image runs as root cannot start under runAsNonRoot without a user of its own. */
export const ROOT_IMAGE_RUN_AS_NON_ROOT: Rule = {
  id: 'GPU244',
  title: 'A model server whose image runs as root (vLLM, SGLang, TGI, llama.cpp) needs a runAsUser when it must run as non-root',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Set runAsUser (and runAsGroup, fsGroup) to a non-zero ID in the pod or container securityContext, with HOME and the '
    + 'caches on writable volumes (InferenceDeployment runs as 1000 with HOME=/tmp and the cache on a volume); or build an image '
    + 'with a numeric non-root USER.',
  description: 'With `runAsNonRoot: true` (pod or container securityContext, as the restricted Pod Security Standard asks) '
    + 'and no `runAsUser`, the kubelet runs the container as its image\'s user, and refuses to start it when that user is '
    + 'root: "container has runAsNonRoot and image will run as root" (kubelet `verifyRunAsNonRoot`), so the pod stays in '
    + '`CreateContainerConfigError` and never starts. The images of vLLM (`vllm/vllm-openai`), SGLang (`lmsysorg/sglang`), '
    + 'TGI (`text-generation-inference`) and llama.cpp set no `USER`: they run as root. The manifest passes admission '
    + '(GPU701 included): the refusal comes only on the node. Judged for those images; another image\'s user is not known '
    + 'here.',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      const image = typeof c.container?.image === 'string' ? c.container.image : '';
      if (!SERVER_IMAGE(image)) continue;
      const sc = c.container?.securityContext ?? {};
      const podSc = w.template.podSpec?.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      if (nonRoot !== true || (sc.runAsUser ?? podSc.runAsUser) !== undefined) continue;
      const where = sc.runAsNonRoot === true ? `${c.path}.securityContext.runAsNonRoot` : `${w.template.podSpecPath}.securityContext.runAsNonRoot`;
      yield ctx.finding(w.object, where,
        `${containerLabel(c)} runs ${server.name}'s image ${describeValue(image)}, whose user is root, with runAsNonRoot: true and no `
        + 'runAsUser: the kubelet refuses to start it ("container has runAsNonRoot and image will run as root") and the pod never starts');
    }
  },
};

/** What vLLM and SGLang keep in their temporary directory. */
const IPC_SOCKETS = 'where its API server and its engine open the IPC sockets between them';

/** The directories Python's `tempfile` tries after its variables (`_candidate_tempdir_list`, POSIX), before the working directory. */
const PYTHON_TMP_DIRS = ['/tmp', '/var/tmp', '/usr/tmp'] as const;

/** A place a model server must write to at start, as its finding names it. */
interface StartWrite {
  /** What and where it is, e.g. `its compile cache /root/.cache/vllm (…)`. */
  readonly place: string;
  /** What the server keeps there, e.g. `where it keeps …`. */
  readonly why: string;
}

/**
 * Python's temporary directory, as `tempfile.gettempdir()` picks it: the first of `TMPDIR`, `TEMP`, `TMP`, `/tmp`,
 * `/var/tmp`, `/usr/tmp` and the working directory where a file can be created. A place counts as writable on a
 * writable volume; the working directory, when `workingDir` is unset, is the image's, taken to be on its root
 * filesystem. Undefined when one of them is writable or cannot be told (a variable from a reference, a relative path);
 * else the places tried, as the finding names them.
 */
function unwritablePythonTemp(container: any, podSpec: any): string | undefined {
  const tried: string[] = [];
  for (const name of ['TMPDIR', 'TEMP', 'TMP']) {
    if (!setsEnv(container, name)) continue;
    const raw = envValue(container, name);
    if (raw === '') continue; // (an empty variable is skipped, as tempfile skips it)
    const dir = absoluteDir(raw);
    if (dir === undefined || onWritableMount(container, dir, podSpec)) return undefined;
    tried.push(`${name}=${raw}`);
  }
  for (const dir of PYTHON_TMP_DIRS) {
    if (onWritableMount(container, dir, podSpec)) return undefined;
    tried.push(dir);
  }
  const workingDir = container?.workingDir;
  if (workingDir !== undefined) {
    const dir = absoluteDir(typeof workingDir === 'string' ? workingDir : undefined);
    if (dir === undefined || onWritableMount(container, dir, podSpec)) return undefined;
    tried.push(`its working directory ${dir}`);
  } else {
    tried.push('the image\'s working directory');
  }
  return `${tried.slice(0, -1).join(', ')} and ${tried[tried.length - 1]}`;
}

/**
 * The version of vLLM's own image (`vllm/vllm-openai:v0.12.0` → [0, 12, 0]) from its tag; `latest` reads as the
 * newest; undefined for another tag (`nightly`), a digest alone, or another image.
 */
export function vllmImageVersion(image: string): readonly [number, number, number] | undefined {
  if (!/(^|\/)vllm-openai[:@]/.test(image)) return undefined;
  if (/(^|\/)vllm-openai:latest(@|$)/.test(image)) return [Infinity, 0, 0];
  const v = _vllmVersionOfImage(image);
  if (v === undefined) return undefined;
  const [major, minor, patch] = v.split('.').map(Number);
  return [major, minor, patch ?? 0];
}

/** Flags that change whether or how vLLM compiles its model: then its compile cache is not judged. */
const VLLM_COMPILE_FLAGS = ['--enforce-eager', '--compilation-config', '-cc', '-O'];

/**
 * Where vLLM keeps its torch.compile cache (`VLLM_CACHE_ROOT`, else `$XDG_CACHE_HOME/vllm`, else `~/.cache/vllm`: vLLM
 * `envs.py`), when it compiles at start: its V1 engine, the default from v0.8.0, compiles the model unless told not to
 * (`--enforce-eager`) and creates that directory first (`compilation/backends.py`, `os.makedirs`). Undefined when it
 * does not compile, or when that cannot be told (another image or tag, a compilation flag, `VLLM_USE_V1=0`, a
 * variable, another user's home).
 */
function vllmCompileCache(server: ModelServer, container: any, podSpec: any): { readonly dir: string; readonly shown: string } | undefined {
  const image = typeof container?.image === 'string' ? container.image : '';
  const version = vllmImageVersion(image);
  if (version === undefined || !versionAtLeast(version, [0, 8, 0])) return undefined;
  if (server.argv.some((w) => VLLM_COMPILE_FLAGS.some((f) => w === f || w.startsWith(`${f}=`) || (f === '-O' && w.startsWith('-O'))))) return undefined;
  if (setsEnv(container, 'VLLM_USE_V1') && envValue(container, 'VLLM_USE_V1') !== '1') return undefined;
  const found = cacheFromEnv(container, VLLM_CACHE);
  if (found !== null) return found;
  const user = runAsUserOf(container, podSpec);
  if (user !== undefined && user !== 0) return undefined;
  return { dir: `/root${underHome(VLLM_CACHE)}`, shown: 'the image\'s root user, home /root, with no VLLM_CACHE_ROOT' };
}

/**
 * The places a model server writes to at start that are on no writable volume: Python's temporary directory, where
 * vLLM (`VLLM_RPC_BASE_PATH`, by default `tempfile.gettempdir()`: `envs.py`, `get_open_zmq_ipc_path`) and SGLang
 * (`PortArgs`, `tempfile.NamedTemporaryFile`) open the ZeroMQ IPC sockets between their API server and engine, and
 * vLLM's compile cache; TGI's shard sockets (`--shard-uds-path`, `SHARD_UDS_PATH`, default `/tmp/text-generation-server`,
 * launcher `src/main.rs`), which need their directory writable.
 */
function unwritableStartPlaces(server: ModelServer, container: any, podSpec: any): StartWrite[] {
  const out: StartWrite[] = [];
  // (vLLM's V0 engine told --disable-frontend-multiprocessing runs in the API server's process: no IPC sockets)
  if (server.name === 'SGLang' || (server.name === 'vLLM' && !server.argv.includes('--disable-frontend-multiprocessing'))) {
    const rpc = server.name === 'vLLM' && setsEnv(container, 'VLLM_RPC_BASE_PATH') ? absoluteDir(envValue(container, 'VLLM_RPC_BASE_PATH')) ?? null : undefined;
    if (rpc === undefined) {
      const tried = unwritablePythonTemp(container, podSpec);
      if (tried !== undefined) out.push({ place: `its temporary directory (Python's tempfile tried ${tried})`, why: IPC_SOCKETS });
    } else if (rpc !== null && !onWritableMount(container, rpc, podSpec)) {
      out.push({ place: `its RPC directory ${rpc} (VLLM_RPC_BASE_PATH)`, why: IPC_SOCKETS });
    }
  }
  if (server.name === 'vLLM') {
    const cache = vllmCompileCache(server, container, podSpec);
    if (cache && !onWritableMount(container, cache.dir, podSpec)) out.push({ place: `its compile cache ${cache.dir} (${cache.shown})`, why: 'where it keeps the model\'s torch.compile artifacts' });
  }
  if (server.name === 'TGI') {
    const set = flagOrEnv(server.argv, container, ['--shard-uds-path'], 'SHARD_UDS_PATH');
    const path = set.from === undefined ? '/tmp/text-generation-server' : set.value;
    const dir = path !== undefined && path.startsWith('/') && !/[$`]/.test(path) ? path.replace(/\/[^/]*$/, '') || '/' : undefined;
    if (dir !== undefined && !onWritableMount(container, dir, podSpec)) {
      out.push({ place: `its shard sockets' directory ${dir} (${set.shown ?? 'the launcher\'s default --shard-uds-path /tmp/text-generation-server'})`, why: 'where its router and shards open their gRPC sockets' });
    }
  }
  return out;
}

/** GPU240 — a model server on a read-only root filesystem needs writable places for its sockets and compile cache. */
export const MODEL_SERVER_SCRATCH_WRITABLE: Rule = {
  id: 'GPU240',
  title: 'A model server (vLLM, SGLang, TGI) with a read-only root filesystem needs writable volumes for its sockets and compile cache',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Mount an emptyDir at /tmp (InferenceDeployment does), and for vLLM put its compile cache on a writable volume '
    + '(VLLM_CACHE_ROOT, or XDG_CACHE_HOME on the model cache volume, as InferenceDeployment sets it); or point TMPDIR (TGI: '
    + '--shard-uds-path) at a writable volume.',
  description: 'With `securityContext.readOnlyRootFilesystem: true` a container can write only to its volumes '
    + '(Secret, ConfigMap, downward API and projected volumes are always read-only). vLLM and SGLang start their engine '
    + 'in another process and talk to it over ZeroMQ IPC sockets, which are files: vLLM under `VLLM_RPC_BASE_PATH`, '
    + 'by default Python\'s `tempfile.gettempdir()` (vLLM `envs.py`, `get_open_zmq_ipc_path`), SGLang as '
    + '`tempfile.NamedTemporaryFile` names (`PortArgs`). Python\'s temporary directory is the first of `TMPDIR`, `TEMP`, '
    + '`TMP`, `/tmp`, `/var/tmp`, `/usr/tmp` and the working directory where it can create a file, else '
    + '"No usable temporary directory found". vLLM\'s V1 engine, its default from v0.8.0, also compiles the model with '
    + 'torch.compile unless `--enforce-eager` and first creates its cache under `VLLM_CACHE_ROOT`, else '
    + '`$XDG_CACHE_HOME/vllm`, else `~/.cache/vllm` (vLLM `envs.py`, `compilation/backends.py`). TGI\'s launcher '
    + 'binds its shards\' gRPC sockets at `--shard-uds-path` (`SHARD_UDS_PATH`, default `/tmp/text-generation-server`, '
    + 'launcher `src/main.rs`). Where none of these is on a writable volume the server fails at start with '
    + '"Read-only file system" and the pod crash-loops holding its GPUs. Judged when the command line is the server '
    + 'itself (not a shell script), and for vLLM\'s sockets not told `--disable-frontend-multiprocessing` (its V0 engine '
    + 'then runs in the API server\'s process); the compile cache for vLLM\'s own images tagged v0.8.0 or later (or `latest`) '
    + 'without a compilation flag, run as root or with the directory set; a working directory not set in the manifest is '
    + 'the image\'s, taken to be on its root filesystem; a directory from a variable is not judged.',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      if (c.container.securityContext?.readOnlyRootFilesystem !== true || server.shell || (c.init && !c.sidecar)) continue;
      const places = unwritableStartPlaces(server, c.container, w.template.podSpec);
      if (places.length === 0) continue;
      const list = places.map((p) => `${p.place}, ${p.why}`);
      yield ctx.finding(w.object, `${c.path}.securityContext.readOnlyRootFilesystem`,
        `${containerLabel(c)} runs ${server.name} on a read-only root filesystem, and no writable volume holds `
        + `${list.length > 1 ? `${list.slice(0, -1).join('; ')}; nor ${list[list.length - 1]}` : list[0]}: `
        + 'the server fails at start ("Read-only file system") and the pod crash-loops holding its GPUs');
    }
  },
};

/** A Hugging Face model id, `org/name` (a bare name could be a directory beside the server), not a path or a URL. */
const HUB_MODEL_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

/** The probes of a container, in the order the kubelet runs them. */
const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

/** What a probe that never passes does to the pod. */
const NEVER_PASSES: Record<typeof PROBES[number], string> = {
  startupProbe: 'the kubelet kills the container when the probe has failed failureThreshold times, and the pod crash-loops holding its GPUs',
  readinessProbe: 'the pod is never Ready: no Service sends it requests, and a rollout never completes',
  livenessProbe: 'the kubelet kills the container when the probe has failed failureThreshold times, and the pod crash-loops holding its GPUs',
};

/**
 * Whether the server's container is the only one running in its pod (no other app container, no sidecar): then no
 * other process of the pod can listen on a port the server does not (its command line is the server, not a script).
 */
function aloneInPod(w: WorkloadRef, c: ContainerRef): boolean {
  return !containersOf(w.template).some((x) => x.container !== c.container && (!x.init || x.sidecar));
}

/** An address on the loopback interface: only processes in the pod's own network namespace reach it. */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1|\[::1\])$/i;

/** Whether a model server binds a loopback address only (GPU236). */
export const bindsLoopbackOnly = (server: ModelServer): boolean => server.host !== undefined && LOOPBACK.test(server.host);

/** GPU236 — a model server must listen on the pod's address, not on loopback only. */
export const MODEL_SERVER_LISTENS_ON_POD_ADDRESS: Rule = {
  id: 'GPU236',
  title: 'A model server (SGLang, llama.cpp, vLLM, Triton) must listen on the pod\'s address, not on 127.0.0.1 only',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Pass --host 0.0.0.0 (or :: for IPv6) to the server (llama.cpp: or LLAMA_ARG_HOST=0.0.0.0, as its server images set).',
  description: 'SGLang\'s HTTP server binds `--host`, which is 127.0.0.1 by default (SGLang `srt/server_args.py`: "The host '
    + 'of the HTTP server", default "127.0.0.1"); so does llama.cpp\'s `llama-server` (`--host`, else `LLAMA_ARG_HOST`, '
    + 'default 127.0.0.1; its `server` images set `LLAMA_ARG_HOST=0.0.0.0`, its `full` and `light` images do not; an image '
    + 'of another name may set it, so there the address is left unknown); vLLM binds every address unless `--host` names '
    + 'one, Triton unless `--http-address` does. An address on '
    + 'the loopback interface is reached only from inside the pod\'s network namespace, while the kubelet\'s HTTP and '
    + 'TCP probes connect to the pod\'s IP address (core/v1 `HTTPGetAction.host`: "defaults to the pod IP") and a '
    + 'Service forwards to the pod\'s IP address. So a probe on the server\'s port never passes, and no Service can '
    + 'reach the server: its GPUs serve nobody. Reported when a probe of the pod asks the server\'s port, or when the '
    + 'server\'s container is the only one running in the pod (with another container, say a proxy, the server may be '
    + 'meant for the pod alone). Command lines that are shell scripts are not judged. TGI binds `--hostname`, else the '
    + '`HOSTNAME` Kubernetes sets to the pod\'s name, which resolves to the pod\'s IP address: not judged.',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      if (!bindsLoopbackOnly(server) || server.shell || (c.init && !c.sidecar)) continue;
      const probed = server.port === undefined ? [] : PROBES.filter((k) => probedPort(c.container[k], c.container) === server.port);
      if (probed.length === 0 && !aloneInPod(w, c)) continue;
      const at = Array.isArray(c.container.args) && c.container.args.length > 0 ? 'args' : 'command';
      const killed = probed.find((k) => k !== 'readinessProbe');
      yield ctx.finding(w.object, `${c.path}.${at}`,
        `${containerLabel(c)} runs ${server.name} bound to ${server.host} (${server.hostShown}), which only processes inside `
        + 'the pod can reach; the kubelet\'s probes and Services connect to the pod\'s IP address, '
        + (probed.length > 0 ? `so its ${probed.length > 1 ? `${probed.slice(0, -1).join(', ')} and ${probed[probed.length - 1]}` : probed[0]} never ${probed.length > 1 ? 'pass' : 'passes'}: ${NEVER_PASSES[killed ?? 'readinessProbe']}`
          : 'so nothing outside the pod can reach the server and its GPUs serve nobody'));
    }
  },
};

/** How a server is given an API key, and the paths it guards with it. */
interface ApiKeyGuard {
  /** e.g. `--api-key`, `VLLM_API_KEY`. */
  readonly shown: string;
  /** Whether a request of `path` needs the key. */
  readonly guards: (path: string) => boolean;
  /** The guarded paths in words, e.g. `every path under /v1`. */
  readonly where: string;
}

/**
 * A server's API key, when it is given one: how (`--api-key`, vLLM's `VLLM_API_KEY`) and the paths it then answers 401
 * without `Authorization: Bearer <key>`. vLLM guards every path under `/v1` (api_server's authentication middleware;
 * not judged with `--root-path`, which moves the prefix); SGLang every path but `/health…` (and, in later versions,
 * `/metrics`: not judged). Undefined for other servers, or without a key.
 */
function apiKeyGuard(server: ModelServer, container: any): ApiKeyGuard | undefined {
  if (server.name === 'vLLM') {
    if (setsFlag(server.argv, ['--root-path'])) return undefined;
    const shown = flagText(server.argv, ['--api-key']) !== undefined ? '--api-key'
      : setsEnv(container, 'VLLM_API_KEY') && envValue(container, 'VLLM_API_KEY') !== '' ? 'VLLM_API_KEY' : undefined;
    return shown === undefined ? undefined : { shown, guards: (path) => /^\/v1(\/|$)/.test(path), where: 'every path under /v1' };
  }
  if (server.name === 'SGLang' && flagText(server.argv, ['--api-key']) !== undefined) {
    return { shown: '--api-key', guards: (path) => !path.startsWith('/health') && !path.startsWith('/metrics'), where: 'every path but /health' };
  }
  return undefined;
}

/** Whether an httpGet probe sends an Authorization header. */
const sendsAuthorization = (get: any): boolean => Array.isArray(get?.httpHeaders)
  && get.httpHeaders.some((h: any) => typeof h?.name === 'string' && h.name.toLowerCase() === 'authorization');

/** GPU237 — a model server's probes must ask the port it listens on. */
export const MODEL_SERVER_PROBED_ON_ITS_PORT: Rule = {
  id: 'GPU237',
  title: 'A model server\'s (vLLM, TGI, SGLang, Triton, llama.cpp) probes must ask the port it listens on, with the scheme it serves, a path it answers (Triton\'s; vLLM\'s and SGLang\'s behind an API key)',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS],
  remediation: 'Point the probe at the server\'s port, or make the server listen on the probed port (--port; for TGI\'s '
    + 'image, whose PORT is 80, --port or PORT; InferenceDeployment\'s port must be the port the server listens on); for '
    + 'Triton, ask /v2/health/ready (readiness, startup) or /v2/health/live (liveness); for vLLM serving HTTPS, set the '
    + 'probe\'s httpGet.scheme: HTTPS; for vLLM or SGLang with an API key, probe /health, which they answer without the key.',
  description: 'The kubelet\'s HTTP and TCP probes connect to the port they name on the pod\'s IP address (a named port '
    + 'through the container\'s `ports`). The model servers listen on one port each: vLLM on `--port` (8000 by '
    + 'default), SGLang on `--port` (30000), TGI on `--port`, else its `PORT` variable, which TGI\'s image sets to 80 '
    + '(TGI `Dockerfile`; the launcher\'s own default is 3000), plus its Prometheus port (`--prometheus-port`, 9000); '
    + 'Triton on `--http-port` (8000), `--grpc-port` (8001) and `--metrics-port` (8002), and its HTTP port serves the '
    + 'KServe v2 protocol only, so an HTTP probe there must ask a `/v2/` path (`/v2/health/ready`, `/v2/health/live`; '
    + 'Triton "HTTP/REST and GRPC Protocol"): `/health`, or no path (`/`), gets 404; llama.cpp\'s `llama-server` on '
    + '`--port`, else `LLAMA_ARG_PORT`, 8080 by default (in llama.cpp\'s own images; an image of another name may set '
    + '`LLAMA_ARG_PORT`, so there it is left unknown). vLLM given `--ssl-keyfile` and `--ssl-certfile` serves HTTPS only '
    + 'on its port (uvicorn with a key and a certificate), so an HTTP probe there must set `scheme: HTTPS`: the kubelet\'s '
    + 'plain HTTP request (its default scheme) fails the TLS handshake (the kubelet skips verifying the certificate, so '
    + 'HTTPS itself passes). vLLM given an API key (`--api-key`, or `VLLM_API_KEY`) answers 401 on every path under `/v1` '
    + 'to a request without `Authorization: Bearer <key>` (its authentication middleware), so a probe of `/v1/models` '
    + 'never passes unless it sends the header; `/health` and `/metrics` are open. SGLang given `--api-key` asks for it on '
    + 'every path but `/health` (its `add_api_key_middleware`). '
    + 'A container\'s `ports` list is informational: declaring `containerPort: 8080` makes nothing listen there. A probe '
    + 'on any other port is refused for ever: a readiness probe keeps the pod out of every Service and a rollout from '
    + 'completing, a startup or liveness probe has the kubelet kill the container again and again. The usual case is '
    + 'TGI\'s image run with a port of 8080 in the manifest and no `--port`. Judged when the server\'s container is '
    + 'the only one running in its pod and its command line is the server itself (not a shell script), so that no '
    + 'other process can be listening on the probed port; ports from variables and gRPC or exec probes are not judged.',
  *check(ctx) {
    for (const { w, c, server } of modelServers(ctx)) {
      if (server.port === undefined || server.otherPorts === undefined || server.shell || (c.init && !c.sidecar) || !aloneInPod(w, c)) continue;
      for (const k of PROBES) {
        const p = probedPort(c.container[k], c.container);
        if (p === server.port && server.name === 'Triton' && c.container[k]?.httpGet) {
          // Triton's HTTP port serves the KServe v2 protocol only (an unset path is /)
          const path = c.container[k].httpGet.path ?? '/';
          if (typeof path === 'string' && !path.startsWith('/v2/')) {
            yield ctx.finding(w.object, `${c.path}.${k}.httpGet.path`,
              `${containerLabel(c)} runs Triton, whose HTTP port serves the KServe v2 protocol only (health at /v2/health/ready and `
              + `/v2/health/live), but its ${k} asks ${describeValue(path)}: the answer is 404, the probe never passes, so ${NEVER_PASSES[k]}`);
          }
        }
        const get = c.container[k]?.httpGet;
        if (p === server.port && server.https !== undefined && get && get.scheme !== 'HTTPS') {
          // (a plain HTTP request to a TLS socket fails its handshake: the kubelet sees the connection closed)
          yield ctx.finding(w.object, `${c.path}.${k}.httpGet.scheme`,
            `${containerLabel(c)} runs ${server.name} serving HTTPS only on port ${server.port} (${server.https}), but its ${k} asks `
            + `plain HTTP (scheme ${get.scheme === undefined ? 'HTTP, the default' : describeValue(get.scheme)}): the TLS handshake fails, the `
            + `probe never passes, so ${NEVER_PASSES[k]}`);
        }
        const key = p === server.port && get ? apiKeyGuard(server, c.container) : undefined;
        // (an unset path is /)
        const asked = typeof get?.path === 'string' ? get.path : '/';
        if (key !== undefined && key.guards(asked) && !sendsAuthorization(get)) {
          yield ctx.finding(w.object, `${c.path}.${k}.httpGet.path`,
            `${containerLabel(c)} runs ${server.name} with an API key (${key.shown}), which it asks for on ${key.where}, but its ${k} asks `
            + `${describeValue(asked)} without an Authorization header: the answer is 401, the probe never passes, so ${NEVER_PASSES[k]}`);
        }
        if (p === undefined || p === server.port || server.otherPorts.includes(p)) continue;
        yield ctx.finding(w.object, `${c.path}.${k}`,
          `${containerLabel(c)} runs ${server.name}, which listens on port ${server.port} (${server.portShown}), but its ${k} `
          + `asks port ${p}, where nothing in the pod listens: the probe never passes, so ${NEVER_PASSES[k]}`);
      }
    }
  },
};

/** Per run, each workload's model-server containers (GPU238 looks them up from the Services). */
const serversByWorkload = memoPerRun((ctx: RuleContext): ReadonlyMap<WorkloadRef, readonly ServerContainer[]> => {
  const out = new Map<WorkloadRef, ServerContainer[]>();
  for (const s of modelServers(ctx)) {
    const list = out.get(s.w);
    if (list) list.push(s);
    else out.set(s.w, [s]);
  }
  return out;
});

/**
 * The model server a GPU workload's pods run, when its container is their only running one and runs the server itself
 * (not a shell script): then no other process of the pod can listen on a port the server does not (GPU238, GPU325).
 */
export function soleModelServer(ctx: RuleContext, w: WorkloadRef): ServerContainer | undefined {
  const here = serversByWorkload(ctx).get(w);
  if (!here || here.length !== 1) return undefined;
  const s = here[0];
  return s.server.shell || s.c.init || !aloneInPod(w, s.c) ? undefined : s;
}

/** The container port a port of a Service or monitor names: a number as is, a name through the container's ports. */
export function containerPortOf(raw: unknown, container: any): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return undefined;
  const named = Array.isArray(container?.ports) ? container.ports.find((x: any) => x?.name === raw) : undefined;
  return typeof named?.containerPort === 'number' ? named.containerPort : undefined;
}

/**
 * The workloads a Service's selector picks (in its namespace) whose only running container is a model server, with that
 * server ({@link soleModelServer}); none for a Service without a selector.
 */
function serversBehind(ctx: RuleContext, svc: any): Array<{ readonly w: WorkloadRef; readonly sole: ServerContainer }> {
  const selector = svc?.spec?.selector;
  if (!selector || typeof selector !== 'object' || Object.keys(selector).length === 0) return [];
  const ns = nsOf(svc);
  const out: Array<{ w: WorkloadRef; sole: ServerContainer }> = [];
  for (const w of ctx.workloadsMatching(ns, Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, String(v)])))) {
    const sole = soleModelServer(ctx, w);
    if (sole) out.push({ w, sole });
  }
  return out;
}

/** GPU238 — a Service in front of a model server must forward to the port it listens on. */
export const SERVICE_REACHES_MODEL_SERVER: Rule = {
  id: 'GPU238',
  title: 'A Service in front of a model server (vLLM, TGI, SGLang, Triton, llama.cpp) must forward to the port it listens on',
  severity: Severity.ERROR,
  kinds: ['Service', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Pod'],
  remediation: 'Set the Service port\'s targetPort to the server\'s port (or a container port name that resolves to it), or make '
    + 'the server listen on the target port (--port; for TGI\'s image, --port or PORT).',
  description: 'A Service forwards each of its ports to `targetPort` (its `port` when unset; a name resolves through each '
    + 'selected pod\'s container ports) on the pods its selector matches (Kubernetes "Service": "targetPort … By default '
    + 'and for convenience, the targetPort is set to the same value as the port field"). The model servers listen on one '
    + 'port each (GPU237: vLLM `--port`, 8000; SGLang `--port`, 30000; TGI `--port`, else its image\'s `PORT`, 80, plus '
    + 'its Prometheus port; Triton `--http-port`, 8000, `--grpc-port`, 8001, `--metrics-port`, 8002; llama.cpp `--port` or '
    + '`LLAMA_ARG_PORT`, 8080). A Service port '
    + 'aimed anywhere else reaches nothing: every connection through it is '
    + 'refused, and the GPUs behind it serve nobody. Readiness does not catch it: the pods are Ready on their own port. '
    + 'Judged for TCP ports of Services with a selector, on pods whose only running container is the server, run as '
    + 'itself (not a shell script), so that no other process can listen on the target port; a name that no container '
    + 'of the pod declares is left alone.',
  *check(ctx) {
    if (serversByWorkload(ctx).size === 0) return;
    for (const svc of ctx.byKind('Service', '')) {
      const ports: any[] = Array.isArray(svc?.spec?.ports) ? svc.spec.ports : [];
      const ns = nsOf(svc);
      for (const { w, sole } of serversBehind(ctx, svc)) {
        const { c, server } = sole;
        if (server.port === undefined || server.otherPorts === undefined) continue;
        for (let i = 0; i < ports.length; i++) {
          const p = ports[i];
          if ((p?.protocol ?? 'TCP') !== 'TCP') continue;
          const raw = serviceTargetPort(p);
          const target = containerPortOf(raw, c.container);
          if (typeof target !== 'number' || target === server.port || server.otherPorts.includes(target)) continue;
          const field = p?.targetPort === undefined ? 'port' : 'targetPort';
          yield ctx.finding(svc, `spec.ports[${i}].${field}`,
            `forwards port ${describeValue(p?.port)} to ${typeof raw === 'string' ? `${describeValue(raw)} (${target})` : target} of the pods of `
            + `${w.kind} ${ns === '' ? '' : `${ns}/`}${nameOf(w.object)}, whose ${containerLabel(c)} runs ${server.name} `
            + `listening on ${server.port} (${server.portShown}): nothing listens on ${target}, so every connection through this `
            + 'Service port is refused');
        }
      }
    }
  },
};

/**
 * Environment variables a model server reads as a port number at start, that a Service can set through Kubernetes'
 * service links (`<NAME>_PORT=tcp://<cluster IP>:<port>` for a Service named `name`): each with the flag that, given on
 * the command line, makes the server ignore the variable (clap's and llama.cpp's rule: a flag wins over its variable).
 *  - vLLM reads `VLLM_PORT` for its internal ports, and stops at start on a value that is not a number (`envs.py`
 *    `get_vllm_port`: "VLLM_PORT '…' appears to be a URI. This may be caused by a Kubernetes service discovery issue";
 *    vLLM "Environment Variables": "please do not name the service as vllm").
 *  - TGI's launcher reads each flag from its variable (clap `env`), `--prometheus-port` from `PROMETHEUS_PORT` and
 *    `--master-port` from `MASTER_PORT`, and exits when one is not a number (launcher `src/main.rs`).
 *  - llama.cpp reads `--port` from `LLAMA_ARG_PORT` (server README).
 */
const PORT_VARIABLES: Partial<Record<ModelServerName, ReadonlyArray<{ readonly env: string; readonly flag?: string }>>> = {
  'vLLM': [{ env: 'VLLM_PORT' }],
  'TGI': [{ env: 'PROMETHEUS_PORT', flag: '--prometheus-port' }, { env: 'MASTER_PORT', flag: '--master-port' }],
  'llama.cpp': [{ env: PORT_SETTING['llama.cpp'].env!, flag: PORT_SETTING['llama.cpp'].flag }],
};

/** The Service whose service links set `<env>` (`VLLM_PORT` ← Service `vllm`, `LLAMA_ARG_PORT` ← `llama-arg`). */
const serviceNameSetting = (env: string): string => env.replace(/_PORT$/, '').toLowerCase().replace(/_/g, '-');

/**
 * Whether a container sets `name` itself, which wins over service links (kubelet `makeEnvironmentVariables`: a
 * Service's variables are added only where `env` and `envFrom` set none): true, false, or undefined when an `envFrom`
 * source is not in the manifests and may hold it.
 */
function containerSetsEnv(ctx: RuleContext, container: any, namespace: string, name: string): boolean | undefined {
  if (setsEnv(container, name)) return true;
  let unknown = false;
  for (const from of Array.isArray(container?.envFrom) ? container.envFrom : []) {
    const prefix = typeof from?.prefix === 'string' ? from.prefix : '';
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    const ref = from?.configMapRef ?? from?.secretRef;
    const source = typeof ref?.name === 'string' ? ctx.get(from?.configMapRef ? 'ConfigMap' : 'Secret', namespace, ref.name) : undefined;
    if (source === undefined) {
      unknown = true;
      continue;
    }
    if ([source.data, source.stringData, source.binaryData].some((d) => d && typeof d === 'object' && Object.prototype.hasOwnProperty.call(d, key))) return true;
  }
  return unknown ? undefined : false;
}

/** Whether Kubernetes makes service-link variables for a Service: one with a cluster IP (not headless, not ExternalName). */
const hasClusterIp = (svc: any): boolean => svc?.spec?.type !== 'ExternalName' && svc?.spec?.clusterIP !== 'None';

/** GPU241 — a model server must not be given a port variable by a Service of its namespace. */
export const MODEL_SERVER_SERVICE_LINKS: Rule = {
  id: 'GPU241',
  title: 'A model server (vLLM, TGI, llama.cpp) must not get a port variable from a Service of its namespace (a Service named vllm sets VLLM_PORT)',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'Service'],
  remediation: 'Set enableServiceLinks: false in the pod spec (InferenceDeployment does), or rename the Service, or set the '
    + 'variable in the container\'s env (TGI, llama.cpp: or pass its flag).',
  description: 'The kubelet gives every container, unless the pod sets `enableServiceLinks: false`, variables for each '
    + 'Service of its namespace that has a cluster IP, named after the Service: a Service `vllm` gives `VLLM_SERVICE_HOST`, '
    + '`VLLM_SERVICE_PORT` and `VLLM_PORT=tcp://<cluster IP>:<port>` (Kubernetes "Service": "Environment variables"), '
    + 'where the container sets none of that name itself (`env`, `envFrom`). vLLM reads `VLLM_PORT` as the number of '
    + 'its internal ports and stops at start on `tcp://…` (`envs.py` `get_vllm_port`; vLLM "Environment Variables": '
    + '"please do not name the service as vllm"); TGI\'s launcher reads `PROMETHEUS_PORT` and `MASTER_PORT` (Services '
    + '`prometheus`, `master`) and llama.cpp `LLAMA_ARG_PORT` when their flags are not given, and exits on a value that '
    + 'is not a number. The pod crash-loops holding its GPUs, from its first start after the Service exists: the usual '
    + 'case is a vLLM Deployment behind a Service named `vllm`. Judged for Services of the manifests; an `envFrom` '
    + 'source not in the manifests may set the variable, and leaves it unknown.',
  *check(ctx) {
    if (ctx.byKind('Service', '').length === 0) return;
    for (const { w, c, server } of modelServers(ctx)) {
      const reads = PORT_VARIABLES[server.name];
      if (!reads || w.template.podSpec?.enableServiceLinks === false || (c.init && !c.sidecar)) continue;
      const ns = nsOf(w.object);
      for (const { env, flag } of reads) {
        if (flag !== undefined && flagText(server.argv, [flag]) !== undefined) continue;
        const svc = ctx.get('Service', ns, serviceNameSetting(env));
        if (!svc || !hasClusterIp(svc) || containerSetsEnv(ctx, c.container, ns, env) !== false) continue;
        const port = Array.isArray(svc?.spec?.ports) ? svc.spec.ports[0]?.port : undefined;
        yield ctx.finding(w.object, `${w.template.podSpecPath}.enableServiceLinks`,
          `the Service ${describeValue(svc.metadata.name)} of ${ns === '' ? 'the same namespace' : `namespace ${describeValue(ns)}`} gives `
          + `${containerLabel(c)} ${env}=tcp://<its cluster IP>:${typeof port === 'number' ? port : '<port>'} (service links, on by default), `
          + `which ${server.name} reads as a port number${flag ? ` (its ${flag})` : ''}: it stops at start and the pod crash-loops holding its GPUs`);
      }
    }
  },
};

/** Whether a Service has IPv6 cluster IPs only (`ipFamilies: [IPv6]`): its endpoints are the pods' IPv6 addresses. */
const ipv6Only = (svc: any): boolean => {
  const families = svc?.spec?.ipFamilies;
  return Array.isArray(families) && families.length > 0 && families.every((f: unknown) => f === 'IPv6');
};

/** GPU242 — an IPv6 Service in front of a model server that listens on IPv4 only reaches nothing. */
export const IPV6_SERVICE_REACHES_MODEL_SERVER: Rule = {
  id: 'GPU242',
  title: 'An IPv6 Service must not front a model server (vLLM, SGLang, Triton, llama.cpp) that listens on IPv4 only',
  severity: Severity.ERROR,
  kinds: ['Service', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Pod'],
  remediation: 'Make the server listen on IPv6: --host :: (Triton: --http-address ::; llama.cpp: or LLAMA_ARG_HOST=::); on '
    + 'Linux an IPv6 socket on :: takes IPv4 connections too (InferenceDeployment: vllm.host \'::\'). Or give the Service an IPv4 family.',
  description: 'A Service whose `ipFamilies` are IPv6 only (single-stack IPv6, as on an EKS cluster created with the '
    + 'IPv6 family) has IPv6 cluster IPs and IPv6 endpoints: it forwards to the pods\' IPv6 addresses (Kubernetes '
    + '"IPv4/IPv6 dual-stack"). A server that listens on an IPv4 socket never sees those connections: vLLM opens an IPv4 '
    + 'socket unless `--host` is an IPv6 address (`api_server.py` `create_server_socket`: `AF_INET` by default, so no '
    + '`--host` or `--host 0.0.0.0` is IPv4 only); SGLang, llama.cpp and Triton bind the address they are given, and '
    + '`0.0.0.0` (llama.cpp\'s server images\' `LLAMA_ARG_HOST`, Triton\'s default `--http-address`) is IPv4. Every '
    + 'connection through the Service is refused and the GPUs behind it serve nobody. TGI binds the pod\'s host name, '
    + 'which resolves to the pod\'s own address: not judged. Loopback-only servers are GPU236\'s finding. Judged on pods '
    + 'whose only running container is the server, run as itself (not a shell script); a Service without `ipFamilies` '
    + 'takes the cluster\'s primary family, which the manifests do not tell, and is not judged (nor the probes, for the '
    + 'same reason).',
  *check(ctx) {
    if (serversByWorkload(ctx).size === 0) return;
    for (const svc of ctx.byKind('Service', '')) {
      if (!ipv6Only(svc)) continue;
      const ns = nsOf(svc);
      for (const { w, sole } of serversBehind(ctx, svc)) {
        if (sole.server.ipv4Only === undefined || bindsLoopbackOnly(sole.server)) continue;
        yield ctx.finding(svc, 'spec.ipFamilies',
          `is IPv6 only, so it forwards to the IPv6 addresses of the pods of ${w.kind} ${ns === '' ? '' : `${ns}/`}`
          + `${nameOf(w.object)}, whose ${containerLabel(sole.c)} runs ${sole.server.name} listening on IPv4 only `
          + `(${sole.server.ipv4Only}): every connection through this Service is refused`);
      }
    }
  },
};

/** The serving rules, sorted by id. */
export const SERVING_RULES: Rule[] = [
  VLLM_PARALLELISM_FITS, VLLM_USES_ITS_GPUS, VLLM_PROBES_ALLOW_LOAD, VLLM_READY_WHEN_LOADED, PROGRESS_DEADLINE_OUTLASTS_STARTUP,
  VLLM_GATED_MODEL_TOKEN, MODEL_SERVER_LISTENS_ON_POD_ADDRESS, MODEL_SERVER_PROBED_ON_ITS_PORT, SERVICE_REACHES_MODEL_SERVER,
  MODEL_CACHE_WRITABLE, MODEL_SERVER_SCRATCH_WRITABLE, MODEL_SERVER_SERVICE_LINKS,
  IPV6_SERVICE_REACHES_MODEL_SERVER, OFFLINE_MODEL_IN_CACHE, ROOT_IMAGE_RUN_AS_NON_ROOT, HOMELESS_USER_CACHE, MODEL_DOWNLOAD_FITS_DISK,
  MODEL_FITS_GPU_MEMORY, MODEL_DOWNLOAD_OUTLASTS_PROBE, VLLM_CONTEXT_FITS_KV_CACHE, VLLM_TENSOR_PARALLEL_DIVIDES_HEADS,
  CONTEXT_WITHIN_MODEL_POSITIONS, TGI_TOKEN_LIMITS_ORDERED, VLLM_GPU_CAPABILITY, VLLM_FLOAT16_REFUSED,
  VLLM_QUANTISATION_MATCHES_CHECKPOINT, VLLM_FLAG_NEEDS_PARTNER,
];
