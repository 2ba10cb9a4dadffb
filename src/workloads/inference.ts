/**
 * InferenceDeployment: a GPU model server (vLLM, TGI, Triton…) as a cdk8s-plus Deployment, with its Service and
 * PodDisruptionBudget, placed on GPU node pools.
 *
 * vLLM facts: OpenAI-compatible server `vllm serve <model>` on port 8000 with `GET /health` (vLLM docs, "OpenAI
 * Compatible Server"; the ai-on-eks Ministral-8B blueprint in ../shared/reference/real-world probes `/health` on
 * 8000 and uses image `vllm/vllm-openai:v0.12.0`); `--tensor-parallel-size` splits the model over that many GPUs
 * of one pod; NCCL needs a large `/dev/shm`.
 */
import { ApiObject, Duration, JsonPatch, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import {
  _checkEnv, _checkTeamQuota, _containerResources, _containerSecurity, _env, _GpuPlacement, _mib, _namespace, _patchPodSpec,
  _placeWorkload, _podSecurity, _replicaCapacity, _resolvePlacement, _setGpuResources, _validateWorkloadNames, _wholeSeconds,
} from './gpu-pod';
import { GpuRequest } from './gpu-request';
import { GpuWorkloadProps, SecretKeyRef } from './props';
import { GpuInstanceType } from '../catalog';
import { ServiceMonitor } from '../imports/monitoring.coreos.com';
import { NameRule, validateLabelValue } from '../naming';
import { IGpuNodePool } from '../pools/pool';
import { PropErrors } from '../private/collect';
import { describeValue } from '../private/describe';
import { _checkQueue, _joinQueue } from '../queues/join';
import { formatDiskBytes, NodeDisk, nodeDiskOf } from '../scheduling/node-disk';
import { bindsLoopbackOnly, divisorsUpTo, METRICS_SWITCH, metricsSwitchWords, modelArchitectureOf, modelServerOf, portSettingWords, vllmParallelism } from '../validation/rules/serving';

/** The vLLM OpenAI-compatible server, as a shortcut for image, command, args, port and probes. */
export interface VllmServer {
  /** Hugging Face model id or local path, e.g. `meta-llama/Llama-3.1-8B-Instruct`. */
  readonly model: string;
  /** The vLLM image. @default 'vllm/vllm-openai:v0.12.0' (a pinned release, Docker Hub `vllm/vllm-openai`; pin your own and upgrade deliberately) */
  readonly image?: string;
  /** `--tensor-parallel-size`; must equal the whole GPUs per pod. @default - the GPUs per pod */
  readonly tensorParallelSize?: number;
  /**
   * `--max-model-len` (context length; lower it to fit the KV cache in GPU memory). vLLM refuses to start when the KV
   * cache of one sequence this long does not fit beside the weights: Llama 3.1 8B's own 131,072 tokens take 16 GiB, more
   * than an L4 or A10G leaves (rule GPU252 warns at synth). It must not exceed the model's positions either, unless
   * `extraArgs` add rope scaling: Qwen2.5's Instruct models hold 32,768 (rule GPU254).
   * @default - the model's own (its max_position_embeddings)
   */
  readonly maxModelLen?: number;
  /**
   * `--gpu-memory-utilization` (0-1].
   * @default - vLLM's (0.9); on GPUs time-sliced (or MPS-shared) n ways, 0.9 / n, since time-slicing does not divide memory
   */
  readonly gpuMemoryUtilization?: number;
  /** `--served-model-name`. @default - the model id */
  readonly servedModelName?: string;
  /**
   * The Hugging Face token for gated models, set as `HF_TOKEN`: Meta's Llama, Google's Gemma and Mistral AI's Mistral 7B
   * and Mixtral models fail to download without one (reported at synth, rule GPU235). @default - none
   */
  readonly hfTokenSecret?: SecretKeyRef;
  /**
   * The parser of the model's tool calls, `--tool-call-parser`, given with `--enable-auto-tool-choice`: tool calling in
   * the OpenAI API (`tools`, `tool_choice: "auto"`), read from the model's output in the format its chat template writes
   * (vLLM's parsers: `hermes` for Qwen2.5 and Qwen3, `llama3_json` for Llama 3.1 and later, `mistral` for Mistral). vLLM
   * refuses the switch without a parser (rule GPU259), so the two come together here.
   * @default - no tool calling
   */
  readonly toolCallParser?: string;
  /**
   * `--host`, the address vLLM binds: `0.0.0.0` or `::`. vLLM opens an IPv6 socket only for an IPv6 address (its
   * `create_server_socket`), so with `0.0.0.0` it listens on IPv4 alone, and on an IPv6 cluster (EKS with `ipFamily`
   * IPv6), where the kubelet probes the pod's IPv6 address and Services forward to it, the pod never becomes Ready
   * (rule GPU242 reports an IPv6-only Service in front of it). `::` opens an IPv6 socket on every address, which on Linux
   * also accepts IPv4 (`net.ipv6.bindv6only` is 0 unless changed), for IPv6 and dual-stack clusters; it needs IPv6 in
   * the node's kernel (not booted with `ipv6.disable=1`, which some hardened images do).
   * @default '0.0.0.0'
   */
  readonly host?: string;
  /** More arguments, appended as given. @default - none */
  readonly extraArgs?: string[];
}

/**
 * The ephemeral storage a bounded emptyDir cache is requested as, with /tmp's 4 GiB, so the pod lands only where its
 * disk fits (whole GiB, as cdk8s-plus writes it); undefined for a PVC or an unbounded emptyDir.
 */
function cacheDisk(cache: ModelCache): Size | undefined {
  return cache.kind === 'emptyDir' && cache.sizeLimit ? Size.gibibytes(Math.ceil(cache.sizeLimit.toMebibytes() / 1024) + TMP_GIB) : undefined;
}

const GIB = 1024 ** 3;

/** The size of the server's `/tmp` emptyDir, in GiB. */
const TMP_GIB = 4;

/** Options of {@link ModelCache.persistentVolumeClaim}. */
export interface ModelCacheClaimOptions {
  /**
   * Whether pods on several nodes may mount the claim at once: its access mode is `ReadWriteMany` (a file system: EFS,
   * FSx for Lustre). Then replicas share it and a rollout may start a new pod before the old one stops. A
   * `ReadWriteOnce` claim (an EBS volume, which attaches to one node at a time) serves one replica, and a rollout
   * replaces its pod (maxSurge 0, maxUnavailable 1): a new pod started first would land on another node, never attach
   * the volume ("Multi-Attach error") and stall the rollout (rule GPU250).
   * @default false - a ReadWriteOnce claim
   */
  readonly readWriteMany?: boolean;
}

/** Where the model cache lives. Enum-like: use the statics. */
export class ModelCache {
  /**
   * A node-local emptyDir (lost with the pod; the model downloads again on restart). With a `sizeLimit`, the server
   * container also requests that much `ephemeral-storage` (with its 4 GiB `/tmp`), so the scheduler and Karpenter
   * only place the pod on a node whose disk holds the cache (construction checks the pools' GpuNodeClass, rule
   * GPU203 the synthesised EC2NodeClasses); without one, the cache may fill the node's disk, and the kubelet evicts
   * pods under DiskPressure.
   * @param sizeLimit the most the cache may hold: the kubelet evicts the pod above it; a whole number of MiB
   * @default - no limit, and no disk requested for the cache
   */
  public static emptyDir(sizeLimit?: Size): ModelCache {
    if (sizeLimit !== undefined) {
      const mib = sizeLimit instanceof Size ? sizeLimit.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) : NaN;
      if (!Number.isInteger(mib) || mib <= 0) {
        throw new GpuConfigError('ModelCache.emptyDir', 'sizeLimit', `is ${sizeLimit instanceof Size ? `${mib} MiB` : JSON.stringify(sizeLimit)}, not a positive whole number of MiB`,
          'pass a size such as Size.gibibytes(100), or no sizeLimit');
      }
    }
    return new ModelCache('emptyDir', undefined, sizeLimit);
  }

  /**
   * An existing PersistentVolumeClaim: models load without download once it holds them. Replicas share it only when
   * it is `ReadWriteMany` (EFS or FSx for Lustre; say so with `readWriteMany`); a `ReadWriteOnce` claim (EBS) serves
   * one replica.
   * @param claimName the claim's name
   * @param options its access mode
   */
  public static persistentVolumeClaim(claimName: string, options: ModelCacheClaimOptions = {}): ModelCache {
    if (typeof claimName !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(claimName)) {
      throw new GpuConfigError('ModelCache.persistentVolumeClaim', 'claimName', `is ${JSON.stringify(claimName)}, not a valid claim name`, 'use the PersistentVolumeClaim\'s metadata.name');
    }
    const rwx = options?.readWriteMany;
    if (rwx !== undefined && typeof rwx !== 'boolean') {
      throw new GpuConfigError('ModelCache.persistentVolumeClaim', 'options.readWriteMany', `is ${JSON.stringify(rwx)}, not a boolean`, 'pass true for a ReadWriteMany claim (EFS, FSx for Lustre), else leave it out');
    }
    return new ModelCache('pvc', claimName, undefined, rwx === true);
  }

  private constructor(
    /** `emptyDir` or `pvc`. */
    public readonly kind: string,
    /** The claim, for `pvc`. @default - none */
    public readonly claimName?: string,
    /** The emptyDir size limit. @default - none */
    public readonly sizeLimit?: Size,
    /** For `pvc`: whether pods on several nodes may mount the claim at once (ReadWriteMany). @default false */
    public readonly readWriteMany: boolean = false,
  ) {}

  /**
   * Whether the cache is a claim one node mounts at a time (ReadWriteOnce): one replica, rollouts that replace.
   * @internal
   */
  public get _oneNodeAtATime(): boolean {
    return this.kind === 'pvc' && !this.readWriteMany;
  }
}

/** Props of {@link InferenceDeployment}. */
export interface InferenceDeploymentProps extends GpuWorkloadProps {
  /** The vLLM shortcut (image, command, args, port 8000, `/health` probes). Or set `image`. @default - none */
  readonly vllm?: VllmServer;
  /** Container image (when not using `vllm`). @default - the vLLM image when `vllm` is set */
  readonly image?: string;
  /** Container command. @default - `['vllm', 'serve']` with `vllm`, else the image's entrypoint */
  readonly command?: string[];
  /** Container args. @default - the vLLM args with `vllm`, else none */
  readonly args?: string[];
  /**
   * The serving port (container, probes and Service): the server must listen on it. For the servers the rules know,
   * construction checks that it does: vLLM listens on `--port` (8000), SGLang on `--port` (30000) and, unless told
   * `--host 0.0.0.0`, on 127.0.0.1 only, TGI's image on its `PORT`, 80 (pass `--port`, or set `env.PORT`),
   * Triton on `--http-port` (8000), and llama.cpp's images on `--port` or `LLAMA_ARG_PORT` (8080).
   * @default 8000
   */
  readonly port?: number;
  /**
   * Replicas. When a `KedaGpuScaler` targets this deployment, KEDA's HPA owns the replica count: `spec.replicas` is
   * left out of the Deployment (so a re-apply never resets the count) and the count stays between the scaler's
   * `minReplicas` and `maxReplicas`; a `replicas` other than `minReplicas` then warns, naming the scaler. It still
   * sizes the PodDisruptionBudget (`maxUnavailable` 1 from 2 replicas).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * HTTP path of the health endpoint used by the startup, readiness and liveness probes (Triton's is
   * `/v2/health/ready`). @default '/health'
   */
  readonly healthPath?: string;
  /**
   * The longest the model may take to load before the container is restarted (startup probe). With `vllm`, under 10
   * minutes is reported at synth (rule GPU232: a cold node downloads the weights first).
   * @default Duration.minutes(30)
   */
  readonly startupTimeout?: Duration;
  /** The model cache volume, mounted at `modelCachePath` (also `HF_HOME`/`XDG_CACHE_HOME`). @default ModelCache.emptyDir() */
  readonly modelCache?: ModelCache;
  /** Where the model cache is mounted. @default '/cache' */
  readonly modelCachePath?: string;
  /**
   * Prefer nodes whose GPUs have at least this much memory (GiB per GPU, as EC2 reports it), by preferred node
   * affinity on `karpenter.k8s.aws/instance-gpu-memory` (weight 50).
   * @default - no preference
   */
  readonly preferGpuMemoryGiB?: number;
  /** Prefer one replica per node (preferred pod anti-affinity on the hostname). @default true */
  readonly spreadAcrossNodes?: boolean;
  /** Spread replicas across zones (topology spread, maxSkew 1, ScheduleAnyway). @default true */
  readonly spreadAcrossZones?: boolean;
  /**
   * Time the pod keeps serving after it is marked for termination, so load balancers stop sending it requests
   * first (native `preStop` sleep, Kubernetes ≥ 1.30). Must be shorter than the grace period.
   * `Duration.seconds(0)` disables it.
   * @default Duration.seconds(15)
   */
  readonly preStopDrain?: Duration;
  /**
   * The PDB's `maxUnavailable`. Consolidation and drains then never take more replicas at once. A budget that allows
   * no eviction (0, or `minAvailable` of a single replica) stops Karpenter from ever draining the node, so it is used
   * only where the pools' `terminationGracePeriod` still bounds an expired node's drain (rule GPU224). The PDB sets
   * `unhealthyPodEvictionPolicy: AlwaysAllow`: a replica that is not Ready never holds up a drain.
   * @default 1; with 1 replica on pools that all set `terminationGracePeriod`, the PDB sets `minAvailable: 1` instead
   * (no voluntary disruption until the node expires and its drain deadline passes)
   */
  readonly maxUnavailable?: number;
  /** Make a ClusterIP Service for the port. @default true */
  readonly service?: boolean;
  /**
   * Make a prometheus-operator ServiceMonitor scraping the server's metrics on the serving port (vLLM serves
   * `vllm:*` metrics at `/metrics` of its API port; vLLM docs "Production Metrics"). KedaGpuScaler's vLLM triggers
   * read these series, so it refuses them on a deployment without one. Needs the Service (`service`) and the
   * prometheus-operator CRDs (kube-prometheus-stack: `GpuEksStack` installs it); set false without them. For the
   * servers the rules know, construction checks that the serving port has them: SGLang needs `--enable-metrics`,
   * llama.cpp `--metrics`, and Triton serves them on a port of their own (8002), so true is refused for it.
   * @default true with `vllm`, false otherwise
   */
  readonly metrics?: boolean;
  /** HTTP path of the metrics endpoint. @default '/metrics' */
  readonly metricsPath?: string;
  /** Scrape interval of the metrics. @default Duration.seconds(15) */
  readonly metricsInterval?: Duration;
  /**
   * Value of the `release` label on the ServiceMonitor: kube-prometheus-stack selects ServiceMonitors with its
   * Helm release name unless `serviceMonitorSelectorNilUsesHelmValues: false` (GpuEksStack sets both). Empty: no label.
   * @default 'kube-prometheus-stack'
   */
  readonly prometheusRelease?: string;
}

/** What InferenceDeployment's serving props come to once checked (InferenceDeployment.checkServing). */
interface ServingSettings {
  readonly server?: { image: string; command?: string[]; args?: string[] };
  readonly cachePath: string;
  readonly healthPath: string;
  readonly startupTimeout: number;
  readonly drain: number;
  readonly metrics: boolean;
  readonly metricsPath: string;
  readonly metricsInterval: number;
  readonly release: string;
  readonly maxUnavailable: number;
  readonly envProps: GpuWorkloadProps;
  readonly containerSecurity?: kplus.ContainerSecurityContextProps;
}

/**
 * A rolling update's fenceposts as the Deployment holds them: `maxSurge` pods, and `maxUnavailable` pods or a
 * percentage of the replicas such as `'34%'` (which the Deployment controller rounds down:
 * `deployment/util.ResolveFenceposts`).
 */
interface Rollout {
  readonly maxSurge: number;
  readonly maxUnavailable: number | string;
}

function rollingUpdate(r: Rollout): kplus.DeploymentStrategyRollingUpdateOptions {
  return {
    maxSurge: kplus.PercentOrAbsolute.absolute(r.maxSurge),
    maxUnavailable: typeof r.maxUnavailable === 'string'
      ? kplus.PercentOrAbsolute.percent(parseInt(r.maxUnavailable, 10)) : kplus.PercentOrAbsolute.absolute(r.maxUnavailable),
  };
}

/**
 * A GPU model server: Deployment (+ Service + PodDisruptionBudget) that always schedules where it should.
 *
 * Derived for you: tolerations and required node affinity (`karpenter.sh/nodepool In [pools]`) from the pools;
 * CPU/memory (Guaranteed QoS) and `/dev/shm` from the GPU count and the smallest fitting instance type (formula in
 * gpu-pod.ts); probes for slow model loads; spot-safe termination; a rolling update that adds a replica before
 * removing one when the pools' GPU limits and the team's quota have room for it, else replaces one at a time (judged
 * over the replica count, or a KedaGpuScaler's `minReplicas` to `maxReplicas`: room at the minimum but not at the
 * maximum gives a `maxUnavailable` percentage that is 0 below the capacity and 1 at it); a hardened security context (non-root, no
 * privilege escalation, ALL capabilities dropped, seccomp RuntimeDefault, read-only root filesystem with writable
 * `/tmp` and cache, service account token not mounted, no service-link variables).
 */
export class InferenceDeployment extends Construct {
  /** The default vLLM image (the version used by the ai-on-eks blueprint in the reference data; pin your own). */
  public static readonly DEFAULT_VLLM_IMAGE = 'vllm/vllm-openai:v0.12.0';

  /** The cdk8s-plus Deployment (escape hatch; the scaling seam for KedaGpuScaler). */
  public readonly deployment: kplus.Deployment;
  /** The Service, unless `service: false`. */
  public readonly service?: kplus.Service;
  /** The PodDisruptionBudget. */
  public readonly podDisruptionBudget: ApiObject;
  /** The ServiceMonitor scraping the server's metrics (see `metrics`). */
  public readonly serviceMonitor?: ApiObject;
  /** The Deployment's `metadata.name`. */
  public readonly name: string;
  /** The namespace, when set. */
  public readonly namespace?: string;
  /** Labels every pod carries (the Deployment's selector). */
  public readonly podLabels: Record<string, string>;
  /** The GPU request per replica. */
  public readonly gpus: GpuRequest;
  /** Whole GPUs per replica (0 for MIG). */
  public readonly gpusPerReplica: number;
  /** The pools the pods may run on. */
  public readonly pools: IGpuNodePool[];
  /** Replicas (ignored when a KedaGpuScaler targets this deployment: KEDA owns the count). */
  public readonly replicas: number;
  /** Whether `replicas` was given (a KedaGpuScaler then warns that it is ignored). @internal */
  public readonly _replicasSet: boolean;
  /** The most replicas the pools' limits hold, node by node (undefined when not judged). @internal */
  public readonly _replicaCapacity?: { readonly pods: number; readonly shown: string };
  /** The ReadWriteOnce claim of the model cache, when it is one. */
  private readonly oneNodeClaim?: string;
  /** The serving port. */
  public readonly port: number;
  /** CPU per pod in cores (request = limit). */
  public readonly cpuCores: number;
  /** Memory per pod in MiB (request = limit). */
  public readonly memoryMiB: number;
  /** /dev/shm size in MiB. */
  public readonly shmMiB: number;
  /** `terminationGracePeriodSeconds`. */
  public readonly terminationGracePeriodSeconds: number;
  /** The team's GPU quota, when placed in a team. */
  private readonly teamGpuQuota?: number;
  /** The rolling update chosen (see `rolloutFor`). */
  private rollout: Rollout;

  constructor(scope: Construct, id: string, props: InferenceDeploymentProps) {
    super(scope, id);
    props = props ?? ({} as InferenceDeploymentProps);
    // Every independent prop is checked; the problems are thrown together (one GpuConfigError) before anything is built.
    const c = new PropErrors(this);
    // The name also names the Service, whose names are DNS-1035 labels (starting with a letter).
    c.run(() => _validateWorkloadNames(this, props, (props.service ?? true) ? NameRule.DNS1035_LABEL : NameRule.DNS1123_SUBDOMAIN));
    // pools, gpus, gpuModels, cpu, memory, shmSize and terminationGracePeriod are judged together (each depends on the
    // ones before it).
    const placed = c.run(() => _resolvePlacement(this, props));
    const placement = placed as _GpuPlacement;
    this.gpus = placed?.gpus ?? (props.gpus instanceof GpuRequest ? props.gpus : GpuRequest.whole(1));
    this.gpusPerReplica = this.gpus.wholeGpus;
    this.pools = Array.isArray(props.pools) ? [...props.pools] : [];
    this.cpuCores = placed?.cpuCores as number;
    this.memoryMiB = placed ? Math.round(placed.memoryBytes / 2 ** 20) : NaN;
    this.shmMiB = placed ? Math.round(placed.shmBytes / 2 ** 20) : NaN;
    this.terminationGracePeriodSeconds = placed?.terminationGraceSeconds as number;
    this.namespace = c.run(() => _namespace(this, props));
    if (placed && !c.failed('namespace', 'team')) c.run(() => _checkTeamQuota(this, props, this.gpus));

    const replicas = props.replicas ?? 1;
    c.run(() => {
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw new GpuConfigError(this, 'replicas', `is ${replicas}`, 'pass a whole number >= 0');
      }
    });
    this.replicas = replicas;
    this._replicasSet = props.replicas !== undefined;
    this._replicaCapacity = placed ? _replicaCapacity(placed) : undefined;
    c.run(() => {
      const cap = this._replicaCapacity;
      if (cap !== undefined && Number.isInteger(replicas) && replicas > cap.pods) {
        throw new GpuConfigError(this, 'replicas', `is ${replicas}, but the pools' limits let Karpenter launch nodes for at most ${cap.pods} `
          + `replicas of ${this.gpusPerReplica} GPUs (${cap.shown}); the rest would stay Pending`,
        `use at most ${cap.pods} replicas, or raise the pools' gpuLimit`);
      }
    });
    this.teamGpuQuota = props.team?.gpuQuota;
    // A ReadWriteOnce claim as the model cache: one replica, and rollouts that replace its pod (rule GPU250).
    this.oneNodeClaim = props.modelCache instanceof ModelCache && props.modelCache._oneNodeAtATime ? props.modelCache.claimName : undefined;
    c.run(() => {
      if (this.oneNodeClaim !== undefined && Number.isInteger(replicas) && replicas > 1) {
        throw new GpuConfigError(this, 'replicas', `is ${replicas}, but modelCache is the ReadWriteOnce claim ${JSON.stringify(this.oneNodeClaim)}, which one `
          + 'node mounts at a time: replicas on other nodes never attach it ("Multi-Attach error")',
        `use one replica, or a ReadWriteMany claim (EFS, FSx for Lustre): ModelCache.persistentVolumeClaim('${this.oneNodeClaim}', { readWriteMany: true })`);
      }
    });
    this.rollout = this.rolloutFor(replicas, replicas);
    const port = props.port ?? 8000;
    c.run(() => {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new GpuConfigError(this, 'port', `is ${port}`, 'use 1-65535');
    });
    this.port = port;

    const serving = this.checkServing(props, c, placed, replicas, port);
    c.throwIfAny();
    const { startupTimeout } = serving;

    const ns = this.namespace;
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { ...(props.name ? { name: props.name } : {}), ...(ns ? { namespace: ns } : {}), labels: props.labels },
      replicas,
      select: false,
      // Never drop below the desired replicas during a rollout when one extra pod fits; else replace one at a time.
      strategy: kplus.DeploymentStrategy.rollingUpdate(rollingUpdate(this.rollout)),
      // A new replica is "progressing" while the model loads: give it the startup timeout plus margin.
      progressDeadline: Duration.seconds(Math.max(600, startupTimeout + 300)),
      serviceAccount: props.serviceAccount ?? props.team?.serviceAccount,
      automountServiceAccountToken: false,
      // No service-link variables: the server needs none, and a Service named after a server variable (`vllm` gives
      // VLLM_PORT=tcp://…, which vLLM reads as a port number) would stop it at start (GPU241).
      enableServiceLinks: false,
      terminationGracePeriod: Duration.seconds(placement.terminationGraceSeconds),
      securityContext: _podSecurity(props),
      volumes: [],
    });
    this.node.defaultChild = ApiObject.of(this.deployment);
    this.name = this.deployment.name;
    this.podLabels = { ...(props.labels ?? {}), 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/component': 'inference' };
    for (const [k, v] of Object.entries(this.podLabels)) this.deployment.podMetadata.addLabel(k, v);
    this.deployment.select(kplus.LabelSelector.of({ labels: { 'app.kubernetes.io/name': this.name } }));

    this.addServer(props, serving, placement);
    this.placePods(props, placement, serving.drain);
    if (props.service ?? true) this.service = this.renderService(props, serving.metrics);
    if (serving.metrics) this.serviceMonitor = this.renderServiceMonitor(props, serving);
    this.podDisruptionBudget = this.renderBudget(props, serving.maxUnavailable);
  }

  /**
   * Checks the serving props (each problem is added to `c`): what the server container, its probes, the metrics and
   * the budget are built from. (The constructor is split in steps of their own: as one large function it was one of the
   * largest optimising compiles of a synth of a few hundred workloads.)
   */
  /**
   * The most replicas the pools' GPU limits (Karpenter launches nothing beyond them) and the team's GPU quota hold;
   * undefined when not counted: replicas sliced by MIG or claimed through DRA are not counted in `nvidia.com/gpu`.
   */
  private podCapacity(): number | undefined {
    const g = this.gpusPerReplica;
    if (!(g > 0) || this.pools.length === 0) return undefined;
    // Node by node when the pods' shape is judged (a pod may take a whole node of the limit), else by GPU count.
    const pools = this._replicaCapacity !== undefined ? this._replicaCapacity.pods
      : Math.floor(this.pools.reduce((sum, p) => sum + p.gpuLimit, 0) / g);
    return this.teamGpuQuota === undefined ? pools : Math.min(pools, Math.floor(this.teamGpuQuota / g));
  }

  /**
   * The rolling update for a Deployment that runs between `floor` and `peak` replicas. A rollout that keeps every old
   * pod (maxUnavailable 0) needs room for one more pod, or the new pod waits (rules GPU218, GPU226):
   * - one more pod fits even at the peak: add it first (maxSurge 1, maxUnavailable 0);
   * - not even at the floor: replace one pod at a time (maxSurge 0, maxUnavailable 1);
   * - at the floor but not at the peak: maxSurge 1 and a maxUnavailable percentage that rounds down to 0 below the
   *   capacity C and to 1 at it (⌈100 / C⌉%): a rollout at low load keeps every replica, one at the peak replaces one.
   */
  private rolloutFor(floor: number, peak: number): Rollout {
    // (a ReadWriteOnce cache: a new pod started first would wait on another node for the volume, forever)
    if (this.oneNodeClaim !== undefined) return { maxSurge: 0, maxUnavailable: 1 };
    const cap = this.podCapacity();
    const low = Math.max(floor, 1);
    if (cap === undefined || peak === 0 || Math.max(peak, low) + 1 <= cap) return { maxSurge: 1, maxUnavailable: 0 };
    if (low + 1 > cap) return { maxSurge: 0, maxUnavailable: 1 };
    return { maxSurge: 1, maxUnavailable: `${Math.ceil(100 / cap)}%` };
  }

  /**
   * A scaler keeps between `floor` and `peak` replicas: the rollout is chosen for that range instead of `replicas`.
   * @internal
   */
  public _useReplicaRange(floor: number, peak: number): void {
    if (this.oneNodeClaim !== undefined && peak > 1) {
      throw new GpuConfigError(this, 'modelCache', `is the ReadWriteOnce claim ${JSON.stringify(this.oneNodeClaim)}, which one node mounts at a time, `
        + `but a scaler may run ${peak} replicas: those on other nodes never attach it ("Multi-Attach error")`,
      `use a ReadWriteMany claim (EFS, FSx for Lustre): ModelCache.persistentVolumeClaim('${this.oneNodeClaim}', { readWriteMany: true }), or maxReplicas 1`);
    }
    const rollout = this.rolloutFor(floor, peak);
    if (rollout.maxSurge === this.rollout.maxSurge && rollout.maxUnavailable === this.rollout.maxUnavailable) return;
    this.rollout = rollout;
    // (cdk8s-plus turns the patched object into the Kubernetes JSON after patching: IntOrString values, as it builds them.)
    const intOrString = (v: number | string) => (typeof v === 'string' ? kplus.k8s.IntOrString.fromString(v) : kplus.k8s.IntOrString.fromNumber(v));
    const ru = { maxSurge: intOrString(rollout.maxSurge), maxUnavailable: intOrString(rollout.maxUnavailable) };
    ApiObject.of(this.deployment).addJsonPatch(JsonPatch.replace('/spec/strategy/rollingUpdate', ru));
  }

  /**
   * A bounded model cache is requested as ephemeral storage: at least one node of the fitting pools' instance types
   * must give pods that much disk, by their GpuNodeClass's volume and instance store (GPU203 judges the synthesised
   * EC2NodeClass the same way at synth). Pools without a GpuNodeClass of this library are not known here.
   */
  private checkCacheFitsDisk(props: InferenceDeploymentProps, placed: _GpuPlacement | undefined): void {
    const disk = props.modelCache instanceof ModelCache ? cacheDisk(props.modelCache) : undefined;
    if (!disk || !placed || !Array.isArray(props.pools)) return;
    const need = disk.toGibibytes() * GIB;
    let best: { pool: string; type: GpuInstanceType; disk: NodeDisk } | undefined;
    for (const pool of props.pools) {
      const nodeClass = (pool as any)?.nodeClass;
      if (typeof nodeClass?._diskSpec !== 'function') return;
      const spec = nodeClass._diskSpec();
      for (const type of placed.fittingTypes) {
        if (!pool.allowedInstanceTypes.includes(type)) continue;
        const d = nodeDiskOf({ spec }, type);
        if (!d) return;
        if (!best || d.allocatableBytes > best.disk.allocatableBytes) best = { pool: pool.poolName, type, disk: d };
      }
    }
    if (!best || best.disk.allocatableBytes >= need) return;
    throw new GpuConfigError(this, 'modelCache', `is an emptyDir of ${formatDiskBytes(props.modelCache!.sizeLimit!.toMebibytes() * 2 ** 20)}: `
      + `with /tmp the pods request ${formatDiskBytes(need)} of ephemeral storage, but the nodes of their pools give pods at most `
      + `${formatDiskBytes(best.disk.allocatableBytes)} (${best.type.name} in pool ${best.pool}: ${best.disk.source}, less ${best.disk.reserved}); `
      + 'no node could ever hold the pod',
    'lower the sizeLimit, or give the pools\' GpuNodeClass a larger volume (volume.size), or raid0InstanceStore on instance types with local NVMe');
  }

  private checkServing(props: InferenceDeploymentProps, c: PropErrors, placed: _GpuPlacement | undefined,
    replicas: number, port: number): ServingSettings {
    const cachePath = props.modelCachePath ?? '/cache';
    c.run(() => {
      if (typeof cachePath !== 'string' || !cachePath.startsWith('/') || cachePath === '/' || cachePath === '/tmp' || cachePath === '/dev/shm') {
        throw new GpuConfigError(this, 'modelCachePath', `is ${JSON.stringify(cachePath)}`, 'use an absolute path of its own, e.g. /cache');
      }
    });
    const server = c.run(() => this.serverCommand(props, port, placed?.podsPerGpu ?? 1));
    c.run(() => this.checkCacheFitsDisk(props, placed));
    // A known model server must listen where the probes and the Service go: the pod's address, on `port` (rules
    // GPU236-GPU238 judge the same at synth).
    const env = Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value }));
    const known = server && !c.failed('env') ? modelServerOf({ image: server.image, command: server.command, args: server.args, env }) : undefined;
    c.run(() => {
      if (!known || known.shell || c.failed('port')) return;
      const argsProp = props.vllm ? 'vllm.extraArgs' : 'args';
      if (bindsLoopbackOnly(known)) {
        throw new GpuConfigError(this, argsProp, `runs ${known.name} bound to ${known.host} (${known.hostShown}), which the probes and the Service cannot reach (they connect to the pod's IP address)`,
          `pass --host 0.0.0.0 to the server${known.name === 'llama.cpp' ? ' (or env LLAMA_ARG_HOST=0.0.0.0)' : ''}`);
      }
      if (known.port !== undefined && known.port !== port) {
        throw new GpuConfigError(this, 'port', `is ${port}, but the container runs ${known.name}, which listens on ${known.port} (${known.portShown}): the probes and the Service would find nothing on ${port}`,
          `set port: ${known.port}, or make the server listen on ${port} (${portSettingWords(known.name, port)})`);
      }
    });

    // Probes: startup allows the whole model load; liveness/readiness only start after it.
    const healthPath = props.healthPath ?? '/health';
    c.run(() => {
      if (typeof healthPath !== 'string' || !healthPath.startsWith('/')) throw new GpuConfigError(this, 'healthPath', `is ${JSON.stringify(healthPath)}`, 'use an absolute HTTP path, e.g. /health');
      // Triton's HTTP endpoint serves the KServe v2 protocol only: its health checks are /v2/health/ready and /live.
      if (known?.name === 'Triton' && !known.shell && !healthPath.startsWith('/v2/health/')) {
        throw new GpuConfigError(this, 'healthPath', `is ${JSON.stringify(healthPath)}, but Triton answers health checks at /v2/health/ready and /v2/health/live (KServe v2 protocol); the probes would get 404 and never pass`,
          'set healthPath: \'/v2/health/ready\'');
      }
    });
    const startupTimeout = c.run(() => {
      const t = _wholeSeconds(this, 'startupTimeout', props.startupTimeout ?? Duration.minutes(30), 0);
      if (t < 10) throw new GpuConfigError(this, 'startupTimeout', `is ${t} s`, 'allow at least 10 s (model loads take minutes)');
      return t;
    }) as number;

    const drain = c.run(() => {
      const d = _wholeSeconds(this, 'preStopDrain', props.preStopDrain ?? Duration.seconds(15), 0);
      // Judged against the grace period, unless that is wrong itself.
      if (placed && (!Number.isInteger(d) || d < 0 || (d > 0 && d >= placed.terminationGraceSeconds))) {
        throw new GpuConfigError(this, 'preStopDrain', `is ${d} s, not below terminationGracePeriod (${placed.terminationGraceSeconds} s)`,
          'make the drain shorter than the grace period so the server still gets time to stop');
      }
      return d;
    }) as number;

    const metrics = props.metrics ?? (props.vllm !== undefined && (props.service ?? true));
    c.run(() => {
      if (typeof metrics !== 'boolean') throw new GpuConfigError(this, 'metrics', `is ${JSON.stringify(metrics)}`, 'use true or false');
      if (metrics && !(props.service ?? true)) {
        throw new GpuConfigError(this, 'metrics', 'is true, but service is false: the ServiceMonitor scrapes through the Service',
          'keep the Service (service: true), or set metrics: false');
      }
      // The ServiceMonitor scrapes the serving port: the server must serve its metrics there (rule GPU325 judges the
      // same of any ServiceMonitor or PodMonitor at synth).
      if (metrics && known && !known.shell) {
        const off = known.metricsEnabled === false ? METRICS_SWITCH[known.name] : undefined;
        if (off) {
          throw new GpuConfigError(this, 'metrics', `is true, but the container runs ${known.name} without ${metricsSwitchWords(off)}: ${off.answer}, so the ServiceMonitor's scrapes fail and no series exist`,
            `pass ${off.flag} to the server, or set metrics: false`);
        }
        if (known.name === 'Triton') {
          throw new GpuConfigError(this, 'metrics', 'is true, but Triton serves its metrics on --metrics-port (8002), not on its HTTP port, which the ServiceMonitor scrapes (it answers /metrics with 404)',
            'set metrics: false and scrape Triton\'s metrics port with a ServiceMonitor or PodMonitor of your own');
        }
      }
    });
    const metricsPath = props.metricsPath ?? '/metrics';
    c.run(() => {
      if (typeof metricsPath !== 'string' || !/^\/\S*$/.test(metricsPath)) {
        throw new GpuConfigError(this, 'metricsPath', `is ${JSON.stringify(metricsPath)}`, 'use an absolute HTTP path, e.g. /metrics');
      }
    });
    const metricsInterval = c.run(() => _wholeSeconds(this, 'metricsInterval', props.metricsInterval ?? Duration.seconds(15), 1)) as number;
    const release = props.prometheusRelease ?? 'kube-prometheus-stack';
    if (release !== '') c.run(() => validateLabelValue(this, 'prometheusRelease', release));
    const maxUnavailable = props.maxUnavailable ?? 1;
    c.run(() => {
      if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1) {
        throw new GpuConfigError(this, 'maxUnavailable', `is ${maxUnavailable}`, 'pass a whole number >= 1 (0 blocks every drain)');
      }
      // (One replica: any eviction takes it, and allowing none stops every drain; 1 is the only choice.)
      if (props.maxUnavailable !== undefined && !c.failed('replicas') && replicas > 1 && maxUnavailable >= replicas) {
        throw new GpuConfigError(this, 'maxUnavailable', `is ${maxUnavailable}, which lets a drain take all ${replicas} replicas`,
          `use at most ${replicas - 1}`);
      }
    });
    // What the container and the queue will be built from, checked now so its problems join the others'.
    const envProps: GpuWorkloadProps = props.vllm?.hfTokenSecret
      ? { ...props, secretEnv: { HF_TOKEN: props.vllm.hfTokenSecret, ...(props.secretEnv ?? {}) } }
      : props;
    c.run(() => _checkEnv(this, envProps, ['HOME', 'XDG_CACHE_HOME', 'HF_HOME']));
    const containerSecurity = c.run(() => _containerSecurity(this, props));
    if (!c.failed('namespace', 'team')) c.run(() => _checkQueue(this, props.queue, this.namespace));
    return {
      server,
      cachePath,
      healthPath,
      startupTimeout,
      drain,
      metrics,
      metricsPath,
      metricsInterval,
      release,
      maxUnavailable,
      envProps,
      containerSecurity,
    };
  }

  /** The server container, its volumes and probes. */
  private addServer(props: InferenceDeploymentProps, s: ServingSettings, placement: _GpuPlacement): void {
    const { cachePath, healthPath, startupTimeout, envProps, containerSecurity } = s;
    const { image, command, args } = s.server!;
    const port = this.port;
    const probePeriod = 10; // seconds between startup probes
    const shm = kplus.Volume.fromEmptyDir(this, 'shm', 'shm', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: _mib(placement.shmBytes) });
    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp', { sizeLimit: Size.gibibytes(TMP_GIB) });
    const cache = props.modelCache ?? ModelCache.emptyDir();
    const disk = cacheDisk(cache);
    const cacheVolume = cache.kind === 'pvc'
      ? kplus.Volume.fromPersistentVolumeClaim(this, 'cache', kplus.PersistentVolumeClaim.fromClaimName(this, 'cache-claim', cache.claimName!), { name: 'model-cache' })
      : kplus.Volume.fromEmptyDir(this, 'cache', 'model-cache', cache.sizeLimit ? { sizeLimit: cache.sizeLimit } : {});

    const httpProbe = (failureThreshold: number, period: number, timeout: number) => kplus.Probe.fromHttpGet(healthPath, {
      port, failureThreshold, periodSeconds: Duration.seconds(period), timeoutSeconds: Duration.seconds(timeout),
    });
    this.deployment.addContainer({
      name: 'server',
      image,
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      ports: [{ number: port, name: 'http' }],
      envVariables: _env(this, envProps, {
        // Writable places for a read-only root filesystem: caches under the cache volume, HOME under /tmp.
        HOME: '/tmp',
        XDG_CACHE_HOME: cachePath,
        HF_HOME: `${cachePath}/huggingface`,
      }),
      resources: { ..._containerResources(placement), ...(disk ? { ephemeralStorage: { request: disk } } : {}) },
      securityContext: containerSecurity!,
      startup: httpProbe(Math.ceil(startupTimeout / probePeriod), probePeriod, 5),
      readiness: httpProbe(3, 10, 5),
      liveness: httpProbe(3, 30, 10),
      volumeMounts: [
        { path: '/dev/shm', volume: shm },
        { path: '/tmp', volume: tmp },
        { path: cachePath, volume: cacheVolume },
      ],
    });
  }

  /** The pod template's placement, GPUs, spread, priority, drain and queue. */
  private placePods(props: InferenceDeploymentProps, placement: _GpuPlacement, drain: number): void {
    _placeWorkload(this.deployment, props.pools, placement);
    const obj = ApiObject.of(this.deployment);
    const podSpec = '/spec/template/spec';
    _setGpuResources(obj, podSpec, 0, this.gpus);
    if (props.spreadAcrossNodes ?? true) {
      this.deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });
    }
    _patchPodSpec(obj, podSpec, {
      priorityClassName: props.priority?.name,
      topologySpreadConstraints: (props.spreadAcrossZones ?? true) ? [{
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': this.name } },
      }] : undefined,
    });
    if (drain > 0) {
      _patchPodSpec(obj, `${podSpec}/containers/0`, { lifecycle: { preStop: { sleep: { seconds: drain } } } });
    }
    this.addPreferredGpuMemory(obj, podSpec, props, placement);
    _joinQueue(this, obj, props.queue, this.namespace, props.priority, 'deployment');
  }

  /** The Service in front of the pods. */
  private renderService(props: InferenceDeploymentProps, metrics: boolean): kplus.Service {
    const ns = this.namespace;
    const port = this.port;
    return new kplus.Service(this, 'Service', {
      metadata: {
        ...(props.name ? { name: props.name } : {}),
        ...(ns ? { namespace: ns } : {}),
        // The ServiceMonitor selects the Service by this label.
        labels: metrics ? { ...(props.labels ?? {}), 'app.kubernetes.io/name': this.name } : props.labels,
      },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port, targetPort: port }],
      selector: kplus.Pods.select(this, 'ServicePods', { labels: { 'app.kubernetes.io/name': this.name } }),
    });
  }

  /** The ServiceMonitor that has Prometheus scrape the server through its Service. */
  private renderServiceMonitor(props: InferenceDeploymentProps, s: ServingSettings): ApiObject {
    const ns = this.namespace;
    const { metricsPath, metricsInterval, release } = s;
    return new ServiceMonitor(this, 'Metrics', {
      metadata: {
        name: this.name,
        ...(ns ? { namespace: ns } : {}),
        labels: { ...(props.labels ?? {}), 'app.kubernetes.io/name': this.name, ...(release ? { release } : {}) },
      },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': this.name } },
        ...(ns ? { namespaceSelector: { matchNames: [ns] } } : {}),
        // Targets carry the pod's `namespace` and `pod` labels, which KedaGpuScaler's vLLM queries select on.
        endpoints: [{ port: 'http', path: metricsPath, interval: `${metricsInterval}s` }],
      },
    });
  }

  /** The PodDisruptionBudget. */
  private renderBudget(props: InferenceDeploymentProps, maxUnavailable: number): ApiObject {
    const ns = this.namespace;
    const replicas = this.replicas;
    // One replica is kept from voluntary disruption only where its nodes are still replaced by a deadline: a budget that
    // allows no eviction stops Karpenter's consolidation and drift, and without the pools' terminationGracePeriod an
    // expired node waits on the pod forever (rule GPU224).
    const keepSingle = replicas <= 1 && props.maxUnavailable === undefined
      && this.pools.length > 0 && this.pools.every((p) => p.terminationGracePeriod !== undefined);
    const budget = keepSingle
      ? { minAvailable: kplus.k8s.IntOrString.fromNumber(1) }
      : { maxUnavailable: kplus.k8s.IntOrString.fromNumber(maxUnavailable) };
    return new kplus.k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: { ...(props.name ? { name: props.name } : {}), ...(ns ? { namespace: ns } : {}), labels: props.labels },
      spec: {
        ...budget,
        selector: { matchLabels: { 'app.kubernetes.io/name': this.name } },
        // A replica that is not Ready (a model that fails to load, a crash loop) serves nothing: let drains evict it
        // rather than wait for it to become healthy, which may never happen (Kubernetes "Specifying a Disruption
        // Budget for your Application": Unhealthy Pod Eviction Policy, AlwaysAllow recommended; GA in 1.31).
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }

  private serverCommand(props: InferenceDeploymentProps, port: number, podsPerGpu: number): { image: string; command?: string[]; args?: string[] } {
    const v = props.vllm;
    if (!v) {
      if (!props.image) throw new GpuConfigError(this, 'image', 'is not set (nor vllm)', 'set image, or vllm: { model: \'<hf model id>\' }');
      return { image: props.image, command: props.command, args: props.args };
    }
    for (const p of ['image', 'command', 'args'] as const) {
      if (props[p] !== undefined) throw new GpuConfigError(this, p, 'is set together with vllm', `drop ${p}, or use vllm.image / vllm.extraArgs`);
    }
    if (typeof v.model !== 'string' || v.model.trim() === '') {
      throw new GpuConfigError(this, 'vllm.model', 'is empty', 'pass a Hugging Face model id, e.g. meta-llama/Llama-3.1-8B-Instruct');
    }
    if (this.gpus.isMig && this.gpus.count > 1) {
      throw new GpuConfigError(this, 'gpus', `is ${this.gpus}, but a process sees one MIG device, so vLLM cannot use ${this.gpus.count} slices`,
        'request one MIG slice (GpuRequest.mig(profile)) or whole GPUs');
    }
    const tp = this.gpus.isMig ? 1 : this.gpus.count;
    if (v.tensorParallelSize !== undefined && v.tensorParallelSize !== tp) {
      throw new GpuConfigError(this, 'vllm.tensorParallelSize', `is ${v.tensorParallelSize}, but each pod gets ${tp} GPU(s); vLLM would ${v.tensorParallelSize > tp ? 'fail to start' : 'leave GPUs idle'}`,
        `set it to ${tp} or change gpus to GpuRequest.whole(${v.tensorParallelSize})`);
    }
    if (v.maxModelLen !== undefined && (!Number.isInteger(v.maxModelLen) || v.maxModelLen < 1)) {
      throw new GpuConfigError(this, 'vllm.maxModelLen', `is ${v.maxModelLen}`, 'pass a whole number of tokens, e.g. 8192');
    }
    if (v.gpuMemoryUtilization !== undefined && !(v.gpuMemoryUtilization > 0 && v.gpuMemoryUtilization <= 1)) {
      throw new GpuConfigError(this, 'vllm.gpuMemoryUtilization', `is ${v.gpuMemoryUtilization}`, 'pass a fraction in (0, 1], e.g. 0.9');
    }
    const host = v.host ?? '0.0.0.0';
    if (host !== '0.0.0.0' && host !== '::') {
      throw new GpuConfigError(this, 'vllm.host', `is ${JSON.stringify(host)}, not an address of every interface: the kubelet's probes and the `
        + 'Service reach the pod on its own address, which is not known before the pod starts',
      'pass \'0.0.0.0\' (IPv4) or \'::\' (IPv6 and dual stack)');
    }
    if (v.toolCallParser !== undefined && (typeof v.toolCallParser !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v.toolCallParser))) {
      throw new GpuConfigError(this, 'vllm.toolCallParser', `is ${describeValue(v.toolCallParser)}, not the name of a parser`,
        'pass the name of vLLM\'s parser for the model\'s chat template, e.g. \'hermes\' (Qwen2.5, Qwen3), \'llama3_json\' (Llama 3.1+), \'mistral\'');
    }
    const args = [v.model, '--host', host, '--port', `${port}`, '--tensor-parallel-size', `${tp}`];
    if (v.servedModelName) args.push('--served-model-name', v.servedModelName);
    if (v.toolCallParser !== undefined) args.push('--enable-auto-tool-choice', '--tool-call-parser', v.toolCallParser);
    if (v.maxModelLen !== undefined) args.push('--max-model-len', `${v.maxModelLen}`);
    // Time-slicing does not divide a GPU's memory: on a GPU handed to n pods, vLLM keeps to its 1/n of vLLM's 0.9 (GPU406).
    const utilization = v.gpuMemoryUtilization ?? (podsPerGpu > 1 ? Math.floor(90 / podsPerGpu) / 100 : undefined);
    if (utilization !== undefined) args.push('--gpu-memory-utilization', `${utilization}`);
    args.push(...(v.extraArgs ?? []));
    // vLLM refuses a tensor parallel size that does not divide the model's attention heads (GPU253), before it loads anything.
    const arch = modelArchitectureOf(v.model);
    const tensor = vllmParallelism({ command: ['vllm', 'serve'], args })?.tensor;
    if (arch && tensor !== undefined && arch.heads % tensor !== 0) {
      const sizes = divisorsUpTo(arch.heads, tensor);
      // (the largest size dividing both the heads and the GPUs: data parallel engines of it use every GPU)
      const both = sizes.filter((n) => tensor % n === 0).pop()!;
      throw new GpuConfigError(this, 'gpus', `is ${this.gpus}, so vLLM runs ${v.model} over tensor parallel ${tensor}, which does not divide its `
        + `${arch.heads} attention heads (${arch.family}): vLLM refuses to start ("Total number of attention heads (${arch.heads}) must be divisible `
        + `by tensor parallel size (${tensor})")`,
      `request GPUs that divide ${arch.heads} (${sizes.join(', ')}), e.g. GpuRequest.whole(${sizes[sizes.length - 1]}), or keep ${tensor} and add `
        + `vllm.extraArgs ['--tensor-parallel-size', '${both}', '--data-parallel-size', '${tensor / both}']`);
    }
    return { image: v.image ?? InferenceDeployment.DEFAULT_VLLM_IMAGE, command: ['vllm', 'serve'], args };
  }

  private addPreferredGpuMemory(obj: ApiObject, podSpec: string, props: InferenceDeploymentProps, placement: _GpuPlacement): void {
    const min = props.preferGpuMemoryGiB;
    if (min === undefined) return;
    if (!(min > 0)) throw new GpuConfigError(this, 'preferGpuMemoryGiB', `is ${min}`, 'pass GiB per GPU, e.g. 40');
    const minMiB = Math.ceil(min * 1024);
    if (!placement.fittingTypes.some((t) => t.gpuMemoryMiB >= minMiB)) {
      throw new GpuConfigError(this, 'preferGpuMemoryGiB', `is ${min}, but no instance type the pods fit on has that much GPU memory (largest: ${Math.max(...placement.fittingTypes.map((t) => t.gpuMemoryGiB))} GiB)`,
        'lower it or add a pool with larger GPUs');
    }
    _patchPodSpec(obj, `${podSpec}/affinity/nodeAffinity`, {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 50,
        preference: { matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-memory', operator: 'Gt', values: [`${minMiB - 1}`] }] },
      }],
    });
  }
}
