/**
 * What InferenceDeployment and TrainingJob share: the props every GPU pod has, placement on pools through the one
 * scheduling model (src/scheduling: `poolModelOf`, `placeOnPools`, `allocatableOf`), default CPU/memory/shm sizing,
 * the security defaults, and setting GPU resources on the final object.
 *
 * ## Default CPU and memory (documented formula)
 * For every instance type a pod of this request fits on (per the scheduling model, over all its pools), the pod's
 * share is `allocatable(type) × share / gpusPerNode(type)`, where `allocatable` is the instance's cpu/memory minus
 * the system reserve (kube-reserved, VM overhead, eviction threshold, daemonsets: see `SystemReserve` in
 * src/scheduling/placement.ts) and `share` is the GPUs requested (whole GPUs) or `count / maxInstances` of the MIG
 * profile on that GPU. The default is the smallest share over those types (so the pod fits wherever it may land,
 * and a node full of such pods fits too), rounded down to 100 millicores and to whole GiB (256 MiB steps under
 * 2 GiB). Requests equal limits for cpu and memory, so GPU pods get the Guaranteed QoS class (last to be evicted
 * under node pressure). Example: 1 GPU on g5.xlarge (4 vCPU, 16 GiB) → 3.4 cpu, 11 GiB.
 *
 * ## Default /dev/shm
 * A memory-backed emptyDir (its pages count against the container's memory limit): `min(8 GiB × whole GPUs
 * (2 GiB for a MIG slice), memory / 4)`, rounded down to whole GiB, at least 1 GiB. NCCL (tensor parallelism) and
 * PyTorch DataLoader workers use it; Docker's 64 MiB default breaks both.
 */
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct, IConstruct } from 'constructs';
import { GpuInstanceType, GpuModel } from '../catalog';
import { GpuConfigError } from '../errors';
import { NameRule, validateDns1123Name, validateLabels } from '../naming';
import { GpuRequest } from './gpu-request';
import { GpuWorkloadProps } from './props';
import { CapacityType } from '../pools/capacity';
import { GpuPoolPlacement, IGpuNodePool, PodToleration } from '../pools/pool';
import { SpotGpuPool } from '../pools/spot';
import { podsWithinPoolLimits } from '../scheduling/capacity';
import { PoolModel, poolModelOf } from '../scheduling/nodepool';
import { allocatableOf, canonicalParts, PlacementVerdict, placeOnPool } from '../scheduling/placement';
import { parseQuantity } from '../scheduling/resources';
import { PodTemplateRef } from '../scheduling/workloads';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** The resolved placement and sizing of a GPU pod. @internal */
export interface _GpuPlacement {
  readonly gpus: GpuRequest;
  readonly models: PoolModel[];
  readonly tolerations: PodToleration[];
  readonly requiredNodeAffinity: any;
  readonly fittingTypes: GpuInstanceType[];
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly shmBytes: number;
  readonly spot: boolean;
  readonly terminationGraceSeconds: number;
  /** False when a MIG resource is not (yet) declared by any pool: placement was judged from the catalog. */
  readonly migModelled: boolean;
  /** `karpenter.k8s.aws/instance-gpu-name` values the pods are pinned to (`gpuModels`), when set. */
  readonly gpuNames?: string[];
  /**
   * The most pods one GPU is handed to on the fitting pools: the time-slicing or MPS replicas a pool advertises per
   * GPU (1 for whole GPUs, MIG slices and DRA claims).
   */
  readonly podsPerGpu: number;
}

/** Label Karpenter puts on nodes with the instance type's GPU name (lower case, e.g. `h100`). */
const GPU_NAME_LABEL = 'karpenter.k8s.aws/instance-gpu-name';

/**
 * The Karpenter GPU names `gpuModels` pins, checked against the pools: every model must be offered by a pool's
 * instance types, and no other model of the same GPU name may be offered (the label could not tell them apart).
 */
function pinnedGpuNames(scope: IConstruct, pools: IGpuNodePool[], models: unknown): string[] | undefined {
  if (models === undefined) return undefined;
  const names = pools.map((p) => p.poolName).join(', ');
  if (!Array.isArray(models) || models.length === 0) {
    throw new GpuConfigError(scope, 'gpuModels', 'is empty', 'list at least one GpuModel, e.g. [GpuModel.H100_80GB], or leave gpuModels out');
  }
  const offered = [...new Set(pools.flatMap((p) => p.allowedInstanceTypes).map((t) => t.gpu))];
  models.forEach((m, i) => {
    if (!(m instanceof GpuModel)) {
      throw new GpuConfigError(scope, `gpuModels[${i}]`, 'is not a GpuModel', 'use e.g. GpuModel.H100_80GB or GpuModel.of(\'H100\')');
    }
    if (!offered.includes(m)) {
      throw new GpuConfigError(scope, `gpuModels[${i}]`, `is ${m.name}, which no instance type of pools ${names} has (they offer ${offered.map((g) => g.name).join(', ')})`,
        'pin a model the pools offer, or add a pool whose instance types have it');
    }
    const twin = offered.find((g) => g !== m && g.karpenterGpuName === m.karpenterGpuName && !models.includes(g));
    if (twin) {
      throw new GpuConfigError(scope, `gpuModels[${i}]`, `is ${m.name}, but pools ${names} also offer ${twin.name}, and both are "${m.karpenterGpuName}" in ${GPU_NAME_LABEL}, so the pin could not tell them apart`,
        `list both, or put the ${m.name} instance types in a pool of their own`);
    }
  });
  return [...new Set((models as GpuModel[]).map((m) => m.karpenterGpuName))];
}

/**
 * The last scheduling model built for each NodePool object, with the JSON it was built from. Building a model sweeps
 * the whole instance catalog (~0.25 ms); every workload placed on a pool asks for it, so thousands of workloads on a
 * few pools rebuilt the same model thousands of times. The cache is keyed by the NodePool's current JSON, so any
 * change to the pool after a workload was placed (`addTaint`, `addLabel`, a JSON patch, an annotation from MIG or
 * time-slicing) gives the next workload a fresh model: correctness never depends on tracking who changed what.
 *
 * Rendering that JSON (cdk8s's resolve of the whole NodePool) was itself a third of the construction time of a large
 * app, so the key is the pool's `_modelFingerprint()` when it has one: the very inputs of that JSON (its rendered
 * spec, metadata and JSON patches), compared as text, and undefined when any of them holds a lazy value, in which case
 * the JSON is rendered as before.
 */
const POOL_MODELS = new WeakMap<ApiObject, { json: string; model: PoolModel }>();

/**
 * Verdicts per pool model and placement key (see {@link placeOnModels}). Workloads of the same shape on the same pool
 * get the same verdict; a changed pool has a new model (see POOL_MODELS), hence fresh verdicts.
 */
const VERDICTS = new WeakMap<PoolModel, Map<string, PlacementVerdict>>();

/**
 * `placeOnPools` of {@link templateFor}`(...inputs)`, memoised per (pool model, inputs). The template is a function of
 * its inputs alone, so their canonical key stands for it (the template's own `placementSignature` would first build the
 * template and read its requests back): the template is built only when some model has no verdict for it yet.
 */
function placeOnModels(models: PoolModel[], ...inputs: Parameters<typeof templateFor>): PlacementVerdict[] {
  const [tolerations, affinity, gpus, extra] = inputs;
  const key = canonicalParts([tolerations, affinity, gpus.isDra, gpus.resourceName, gpus.count, extra]);
  let template: PodTemplateRef | undefined;
  return models.map((m) => {
    let byKey = VERDICTS.get(m);
    if (!byKey) VERDICTS.set(m, byKey = new Map());
    let v = byKey.get(key);
    if (!v) byKey.set(key, v = placeOnPool(template ??= templateFor(...inputs), m));
    return v;
  });
}

/** The scheduling model's view of a pool: its NodePool JSON when it has one, else built from the interface. @internal */
export function _poolModel(pool: IGpuNodePool): PoolModel {
  const child = pool.node.defaultChild;
  if (child instanceof ApiObject && child.kind === 'NodePool') {
    try {
      const fingerprint = typeof (pool as any)._modelFingerprint === 'function' ? (pool as any)._modelFingerprint() as string | undefined : undefined;
      const cached = POOL_MODELS.get(child);
      if (fingerprint !== undefined && cached && cached.json === fingerprint) return cached.model;
      const object = child.toJson();
      const json = fingerprint ?? JSON.stringify(object);
      if (fingerprint === undefined && cached && cached.json === json) return cached.model;
      const model = poolModelOf(object);
      POOL_MODELS.set(child, { json, model });
      return model;
    } catch (e) {
      if (e instanceof GpuConfigError) throw e;
      // Not renderable yet (e.g. unbound): fall back to the interface below.
    }
  }
  return poolModelOf({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: pool.poolName },
    spec: {
      limits: { 'nvidia.com/gpu': pool.gpuLimit },
      ...(pool.weight !== undefined ? { weight: pool.weight } : {}),
      template: {
        metadata: { labels: pool.labels },
        spec: {
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: pool.allowedInstanceTypes.map((t) => t.name) },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: pool.capacityTypes.map((c) => c.value) },
          ],
          taints: pool.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
        },
      },
    },
  });
}

function floorCpu(cores: number): number {
  return Math.floor(cores * 10 + 1e-9) / 10;
}
function floorMemory(bytes: number): number {
  if (bytes >= 2 * GiB) return Math.floor(bytes / GiB) * GiB;
  return Math.floor(bytes / (256 * MiB)) * 256 * MiB;
}

/** Renders cores as a quantity: `3400m` or `4`. @internal */
export function _cpuQuantity(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? `${milli / 1000}` : `${milli}m`;
}

/**
 * A pod template (plain JSON) for the scheduling model: the GPUs (an extended resource, or DRA demand) and `extra`.
 * {@link placeOnModels} keys its verdicts by what this reads of `gpus` (isDra, resourceName, count): keep them in step.
 */
function templateFor(tolerations: PodToleration[], affinity: any, gpus: GpuRequest, extra: Record<string, string | number> = {}): PodTemplateRef {
  const resources = gpus.isDra ? { ...extra } : { [gpus.resourceName]: gpus.count, ...extra };
  return {
    podSpec: {
      tolerations,
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: affinity } },
      containers: [{ name: 'main', resources: { limits: resources, requests: resources } }],
    },
    podSpecPath: 'spec.template.spec',
    podLabels: {},
    ...(gpus.isDra ? { draDemand: { [gpus.resourceName]: gpus.count } } : {}),
  };
}

/**
 * Checks pools and GPUs, derives cpu/memory/shm and the grace period, and proves the pod fits through
 * `placeOnPools`. Throws GpuConfigError naming `scope` and the property at fault.
 * @internal
 */
export function _resolvePlacement(scope: IConstruct, props: GpuWorkloadProps): _GpuPlacement {
  const pools = props.pools;
  if (!Array.isArray(pools) || pools.length === 0) {
    throw new GpuConfigError(scope, 'pools', 'is empty', 'pass at least one GpuNodePool or SpotGpuPool the pods may run on');
  }
  const names = pools.map((p) => p.poolName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new GpuConfigError(scope, 'pools', `lists NodePool ${dup} twice`, 'list each pool once');
  const gpus = props.gpus ?? GpuRequest.whole(1);
  if (!(gpus instanceof GpuRequest)) {
    throw new GpuConfigError(scope, 'gpus', 'is not a GpuRequest', 'use GpuRequest.whole(n) or GpuRequest.mig(\'1g.10gb\')');
  }
  const models = pools.map(_poolModel);
  const tolerations = GpuPoolPlacement.tolerations(pools);
  const gpuNames = pinnedGpuNames(scope, pools, props.gpuModels);
  const poolAffinity = GpuPoolPlacement.requiredNodeAffinity(pools);
  // gpuModels narrows every term (AND), never adds one (OR).
  const affinity = gpuNames === undefined ? poolAffinity : {
    nodeSelectorTerms: poolAffinity.nodeSelectorTerms.map((t) => ({
      matchExpressions: [...t.matchExpressions, { key: GPU_NAME_LABEL, operator: 'In', values: gpuNames }],
    })),
  };

  // 1. GPUs alone: which instance types of which pools can serve the request?
  let verdicts: PlacementVerdict[] = placeOnModels(models, tolerations, affinity, gpus);
  let fitting: GpuInstanceType[] = [];
  let migModelled = true;
  const poolTypes = pools.flatMap((p) => p.allowedInstanceTypes);
  if (gpus.isMig && !verdicts.some((v) => v.fits)) {
    // MIG layouts are not declared on these pools (yet): judge from the catalog's MIG tables instead.
    migModelled = false;
    const migTypes = [...new Set(poolTypes)].filter((t) => gpus.supportedBy(t.gpu)
      && t.gpuCount * t.gpu.migGpu!.tryProfile(gpus.migProfile!)!.maxInstances >= gpus.count);
    if (migTypes.length === 0) {
      const migCapable = [...new Set(poolTypes.filter((t) => t.gpu.migGpu).map((t) => t.gpu))];
      const problem = migCapable.length === 0
        ? `is a MIG slice (${gpus.resourceName}), but no instance type of pools ${names.join(', ')} has a MIG-capable GPU (${[...new Set(poolTypes.map((t) => t.gpu.name))].join(', ')})`
        : `is ${gpus}, but ${gpus.migProfile} is not a MIG profile of ${migCapable.map((g) => g.name).join(', ')} or more slices than a node holds (profiles: ${migCapable[0].migGpu!.profiles.map((p) => p.name).join(', ')})`;
      throw new GpuConfigError(scope, 'gpus', problem,
        migCapable.length === 0 ? 'use whole GPUs, or place the workload on a pool of A100/H100/H200/B200 GPUs with MIG enabled' : 'pick a profile of that GPU');
    }
    fitting = migTypes;
    verdicts = [];
  } else {
    const fits = verdicts.filter((v) => v.fits);
    if (fits.length === 0) {
      const reasons = verdicts.map((v) => `${v.pool.name}: ${v.reason}`).join('; ');
      const largest = poolTypes.reduce((a, b) => (b.gpuCount > a.gpuCount ? b : a));
      throw new GpuConfigError(scope, 'gpus', `is ${gpus}, which no instance type of the pools can serve (${reasons})`,
        gpus.isMig ? 'request a MIG profile the pools advertise' : `request at most ${largest.gpuCount} GPUs (${largest.name}), or add a pool with larger instance types`);
    }
    fitting = [...new Set(fits.flatMap((v) => v.instanceTypes))];
  }

  // 2. Default cpu/memory: per slice. A node's allocatable is divided by the slices it holds: whole GPUs per node,
  //    time-sliced replicas × GPUs (what the pool advertises), MIG by the profile's compute fraction. The default is
  //    the smallest share over the fitting (pool, type) pairs, so a node full of such pods fits wherever they land.
  const pairs: Array<{ model?: PoolModel; type: GpuInstanceType }> = verdicts.some((v) => v.fits)
    ? verdicts.filter((v) => v.fits).flatMap((v) => v.instanceTypes.map((type) => ({ model: v.pool, type })))
    : fitting.map((type) => ({ type }));
  const share = (p: { model?: PoolModel; type: GpuInstanceType }): number => {
    if (gpus.isMig) return gpus.gpuShareOn(p.type.gpu) / p.type.gpuCount;
    const advertised = p.model?.advertisedResources(p.type)[gpus.resourceName] ?? 0;
    return gpus.count / (advertised > 0 ? advertised : p.type.gpuCount);
  };
  const podsPerGpu = gpus.isMig || gpus.isDra ? 1 : Math.max(1, ...pairs.map((p) => {
    const advertised = p.model?.advertisedResources(p.type)[gpus.resourceName] ?? 0;
    return advertised > p.type.gpuCount ? Math.floor(advertised / p.type.gpuCount) : 1;
  }));
  const defCpu = floorCpu(Math.min(...pairs.map((p) => allocatableOf(p.type).cpu * share(p))));
  const defMem = floorMemory(Math.min(...pairs.map((p) => allocatableOf(p.type).memoryBytes * share(p))));
  let cpuCores = defCpu;
  if (props.cpu !== undefined) {
    cpuCores = parseQuantity(props.cpu.amount, 'cpu');
    if (!(cpuCores > 0)) throw new GpuConfigError(scope, 'cpu', `is ${props.cpu.amount}`, 'pass a positive amount, e.g. Cpu.units(4)');
  }
  let memoryBytes = defMem;
  if (props.memory !== undefined) {
    memoryBytes = props.memory.toMebibytes() * MiB;
    if (!(memoryBytes > 0)) throw new GpuConfigError(scope, 'memory', 'is not positive', 'pass e.g. Size.gibibytes(32)');
  }
  if (cpuCores < 0.1 || memoryBytes < 256 * MiB) {
    throw new GpuConfigError(scope, 'pools', `leave too little cpu/memory per pod (${cpuCores} cpu, ${Math.round(memoryBytes / MiB)} MiB) on ${fitting[0].name}`,
      'set cpu and memory explicitly, or use larger instance types');
  }

  // 2b. Shared GPUs: explicit cpu/memory must let every slice of a node be used on some fitting type, or the node's
  //     other slices sit idle and Karpenter launches a node per pod.
  const sharedPairs = pairs.filter((p) => gpus.isMig || share(p) < gpus.count / p.type.gpuCount - 1e-9);
  if ((props.cpu !== undefined || props.memory !== undefined) && sharedPairs.length > 0) {
    const slicesOf = (p: { model?: PoolModel; type: GpuInstanceType }) => Math.floor(1 / share(p) + 1e-9);
    const colocated = (p: { model?: PoolModel; type: GpuInstanceType }) => {
      const alloc = allocatableOf(p.type);
      return Math.min(Math.floor(alloc.cpu / cpuCores + 1e-9), Math.floor(alloc.memoryBytes / memoryBytes + 1e-9));
    };
    if (sharedPairs.every((p) => colocated(p) < slicesOf(p))) {
      const p = sharedPairs[0];
      const alloc = allocatableOf(p.type);
      const prop = props.cpu !== undefined && Math.floor(alloc.cpu / cpuCores + 1e-9) < slicesOf(p) ? 'cpu' : 'memory';
      throw new GpuConfigError(scope, prop,
        `is ${prop === 'cpu' ? `${_cpuQuantity(cpuCores)} cpu` : `${Math.round(memoryBytes / MiB)} MiB`} per pod, so only ${colocated(p)} of the `
        + `${slicesOf(p)} GPU slices of a ${p.type.name} (${_cpuQuantity(Math.floor(alloc.cpu * 1000) / 1000)} cpu, ${Math.floor(alloc.memoryBytes / GiB)} GiB allocatable) can be used; `
        + 'the other slices sit idle and Karpenter launches a node per pod',
        `use at most ${prop === 'cpu' ? `${_cpuQuantity(floorCpu(alloc.cpu / slicesOf(p)))} cpu` : `${Math.round(floorMemory(alloc.memoryBytes / slicesOf(p)) / MiB)} MiB`} `
        + `per pod (the default for these pools: ${_cpuQuantity(defCpu)} cpu, ${Math.round(defMem / MiB)} MiB), or use whole GPUs`);
    }
  }

  // 3. The whole pod must fit somewhere (one scheduling model): catches cpu/memory overrides that fit nowhere.
  if (migModelled) {
    const full = placeOnModels(models, tolerations, affinity, gpus, { cpu: _cpuQuantity(cpuCores), memory: `${Math.round(memoryBytes / MiB)}Mi` });
    if (!full.some((v) => v.fits)) {
      const first = full[0];
      const prop = first.failedPredicate === 'cpu' ? 'cpu' : first.failedPredicate === 'memory' ? 'memory' : 'pools';
      throw new GpuConfigError(scope, prop, `does not fit any pool: ${full.map((v) => `${v.pool.name}: ${v.reason}`).join('; ')}`,
        `lower ${prop === 'pools' ? 'the request' : prop} (default for these pools: ${_cpuQuantity(defCpu)} cpu, ${Math.round(defMem / GiB)} GiB) or allow larger instance types`);
    }
  }

  // 4. /dev/shm
  let shmBytes = Math.max(GiB, Math.floor(Math.min((gpus.isMig ? 2 : 8 * gpus.count) * GiB, memoryBytes / 4) / GiB) * GiB);
  // A thin slice (e.g. 33-way time-slicing) may leave 1 GiB or less per pod: then a quarter of it, in 64 MiB steps.
  if (shmBytes >= memoryBytes) shmBytes = Math.max(64 * MiB, Math.floor(memoryBytes / 4 / (64 * MiB)) * 64 * MiB);
  if (props.shmSize !== undefined) shmBytes = props.shmSize.toMebibytes() * MiB;
  if (shmBytes <= 0 || shmBytes >= memoryBytes) {
    throw new GpuConfigError(scope, 'shmSize', `is ${Math.round(shmBytes / MiB)} MiB, not below the memory limit (${Math.round(memoryBytes / MiB)} MiB); /dev/shm pages count against it`,
      'lower shmSize or raise memory');
  }

  // 5. Spot: the grace period must fit the interruption notice.
  const spot = pools.some((p) => p.capacityTypes.includes(CapacityType.SPOT));
  const notice = SpotGpuPool.INTERRUPTION_NOTICE.toSeconds();
  const grace = props.terminationGracePeriod !== undefined
    ? _wholeSeconds(scope, 'terminationGracePeriod', props.terminationGracePeriod, 0)
    : (spot ? SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD.toSeconds() : 60);
  if (spot && grace > notice) {
    const spotPools = pools.filter((p) => p.capacityTypes.includes(CapacityType.SPOT)).map((p) => p.poolName);
    throw new GpuConfigError(scope, 'terminationGracePeriod', `is ${grace} s, longer than the ${notice} s spot interruption notice of pool(s) ${spotPools.join(', ')}; the pod is killed mid-shutdown`,
      `use at most ${SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD.toSeconds()} s (SpotGpuPool.RECOMMENDED_POD_TERMINATION_GRACE_PERIOD), or place the workload on on-demand pools only`);
  }

  return {
    gpus,
    models,
    tolerations,
    requiredNodeAffinity: affinity,
    fittingTypes: fitting,
    cpuCores,
    memoryBytes,
    shmBytes,
    spot,
    terminationGraceSeconds: grace,
    migModelled,
    gpuNames,
    podsPerGpu,
  };
}

/**
 * The most replicas of a placed pod the pools' limits let Karpenter launch nodes for (rule GPU219's bound), with each
 * pool's figure in words; undefined for MIG slices, DRA claims, or a pool not judged (see podsWithinPoolLimits).
 * @internal
 */
export function _replicaCapacity(p: _GpuPlacement): { pods: number; shown: string } | undefined {
  if (p.gpus.isMig || p.gpus.isDra || !(p.gpus.count > 0)) return undefined;
  let pods = 0;
  const shown: string[] = [];
  for (const m of p.models) {
    const types = p.fittingTypes.filter((t) => m.instanceTypes.includes(t));
    if (types.length === 0) continue;
    const b = podsWithinPoolLimits(m, types, p.gpus.count, p.cpuCores, p.memoryBytes, false);
    if (b === undefined) return undefined;
    pods += b.pods;
    shown.push(`${m.name}: limit ${m.gpuLimit} GPUs, a ${b.type.name} holds ${b.perNode}`);
  }
  return shown.length === 0 ? undefined : { pods, shown: shown.join('; ') };
}

/** cdk8s-plus resources (cpu/memory; GPUs are patched on the final object by {@link _setGpuResources}). @internal */
export function _containerResources(p: _GpuPlacement): kplus.ContainerResources {
  const cpu = kplus.Cpu.millis(Math.round(p.cpuCores * 1000));
  const memory = Size.mebibytes(Math.round(p.memoryBytes / MiB));
  return { cpu: { request: cpu, limit: cpu }, memory: { request: memory, limit: memory } };
}

/**
 * Sets the GPU resource on the final object. cdk8s-plus' serialiser keeps only `Quantity` values in resource maps
 * (it reads `.value`), so a JSON patch with a plain string or number vanishes silently; a `k8s.Quantity` survives.
 * @internal
 */
export function _setGpuResources(obj: ApiObject, podSpecPointer: string, containerIndex: number, gpus: GpuRequest): void {
  if (gpus.isDra) {
    _setGpuClaim(obj, podSpecPointer, containerIndex, gpus);
    return;
  }
  const key = gpus.resourceName.replace(/~/g, '~0').replace(/\//g, '~1');
  for (const field of ['limits', 'requests']) {
    obj.addJsonPatch(JsonPatch.add(`${podSpecPointer}/containers/${containerIndex}/resources/${field}/${key}`,
      kplus.k8s.Quantity.fromNumber(gpus.count)));
  }
}

/** The name of the claim a DRA workload's pods and container use. */
const GPU_CLAIM = 'gpu';

/**
 * A DRA GPU request: makes the ResourceClaimTemplate (`<workload>-gpu`, id `GpuClaimTemplate` beside the workload's
 * object) and wires `spec.resourceClaims` and the container's `resources.claims` on the **final** object. cdk8s-plus-30
 * targets Kubernetes 1.30, whose serialiser knows only the alpha shape (`resourceClaims[].source`) and drops the v1
 * fields (`resourceClaimTemplateName`) that a JSON patch would add, so the claim is added after serialisation.
 * @internal
 */
export function _setGpuClaim(obj: ApiObject, podSpecPointer: string, containerIndex: number, gpus: GpuRequest): ApiObject {
  const templateName = `${obj.name.slice(0, 253 - 4)}-gpu`;
  const scope = obj.node.scope ?? obj;
  const template = new ApiObject(scope, 'GpuClaimTemplate', {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaimTemplate',
    metadata: { name: templateName, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) },
    spec: {
      spec: {
        devices: {
          requests: [{
            name: GPU_CLAIM,
            exactly: {
              deviceClassName: gpus.deviceClassName!,
              allocationMode: 'ExactCount',
              count: gpus.count,
              ...(gpus.selectors.length > 0 ? { selectors: gpus.selectors.map((expression) => ({ cel: { expression } })) } : {}),
            },
          }],
        },
      },
    },
  });
  const serialise = obj.toJson.bind(obj);
  const path = podSpecPointer.split('/').filter((x) => x !== '');
  Object.defineProperty(obj, 'toJson', {
    configurable: true,
    writable: true,
    value: () => {
      const json = serialise();
      let podSpec: any = json;
      for (const k of path) podSpec = podSpec[k];
      podSpec.resourceClaims = [...(podSpec.resourceClaims ?? []).filter((c: any) => c?.name !== GPU_CLAIM),
        { name: GPU_CLAIM, resourceClaimTemplateName: templateName }];
      const container = podSpec.containers[containerIndex];
      const claims = (container.resources?.claims ?? []).filter((c: any) => c?.name !== GPU_CLAIM);
      container.resources = { ...(container.resources ?? {}), claims: [...claims, { name: GPU_CLAIM }] };
      return json;
    },
  });
  return template;
}

/** Container security context: non-root, no escalation, drop ALL, seccomp RuntimeDefault. @internal */
export function _containerSecurity(scope: IConstruct, props: GpuWorkloadProps): kplus.ContainerSecurityContextProps {
  const uid = props.runAsUser ?? 1000;
  if (!Number.isInteger(uid) || uid < 1) {
    throw new GpuConfigError(scope, 'runAsUser', `is ${uid}`, 'use a non-zero UID such as 1000 (pods run as non-root)');
  }
  return {
    ensureNonRoot: true,
    user: uid,
    group: uid,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? true,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** Pod security context: non-root, fsGroup = UID so mounted volumes are writable. @internal */
export function _podSecurity(props: GpuWorkloadProps): kplus.PodSecurityContextProps {
  const uid = props.runAsUser ?? 1000;
  return { ensureNonRoot: true, user: uid, group: uid, fsGroup: uid, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH };
}

/**
 * The checks of {@link _env} that build nothing, so a construct can run them with its other prop checks (and report
 * them together) before it builds anything: every `secretEnv` entry names a secret and key, and sets a variable that
 * neither `env` nor the construct's own variables (`extraKeys`) set. @internal
 */
export function _checkEnv(scope: IConstruct, props: GpuWorkloadProps, extraKeys: readonly string[]): void {
  const plain = new Set([...extraKeys, ...Object.keys(props.env ?? {})]);
  for (const [k, ref] of Object.entries(props.secretEnv ?? {})) {
    if (!ref || typeof ref.secretName !== 'string' || typeof ref.key !== 'string' || !ref.secretName || !ref.key) {
      throw new GpuConfigError(scope, `secretEnv.${k}`, 'needs secretName and key', 'pass { secretName: \'hf-token\', key: \'token\' }');
    }
    if (plain.has(k)) throw new GpuConfigError(scope, `secretEnv.${k}`, 'is also set in env', 'set each variable once');
  }
}

/** Environment (plain + secret refs); its checks are {@link _checkEnv}'s. @internal */
export function _env(scope: Construct, props: GpuWorkloadProps, extra: Record<string, string>): Record<string, kplus.EnvValue> {
  _checkEnv(scope, props, Object.keys(extra));
  const out: Record<string, kplus.EnvValue> = {};
  for (const [k, v] of Object.entries({ ...extra, ...(props.env ?? {}) })) out[k] = kplus.EnvValue.fromValue(v);
  for (const [k, ref] of Object.entries(props.secretEnv ?? {})) {
    const secret = kplus.Secret.fromSecretName(scope, `secret-${k}`, ref.secretName);
    out[k] = kplus.EnvValue.fromSecretValue({ secret, key: ref.key });
  }
  return out;
}

/**
 * Checks the names a workload's props give its objects: `name` under `nameRule` and at most 63 characters (it is
 * also the pods' `app.kubernetes.io/name` label value; a DNS-1035 label when it also names a Service), `namespace`
 * (a DNS-1123 label) and `labels`.
 * @internal
 */
export function _validateWorkloadNames(scope: IConstruct, props: GpuWorkloadProps, nameRule: NameRule): void {
  if (props.name !== undefined) validateDns1123Name(scope, 'name', props.name, nameRule, 63);
  if (props.namespace !== undefined) validateDns1123Name(scope, 'namespace', props.namespace, NameRule.DNS1123_LABEL);
  if (props.labels !== undefined) validateLabels(scope, 'labels', props.labels);
}

/**
 * Whole seconds of a Duration >= `min`, or GpuConfigError naming `prop` (cdk8s's own `toSeconds()` throws a plain
 * Error for a fraction of a second).
 * @internal
 */
export function _wholeSeconds(scope: IConstruct, prop: string, d: Duration, min: number): number {
  if (!(d instanceof Duration)) throw new GpuConfigError(scope, prop, 'is not a Duration', `pass e.g. Duration.seconds(${Math.max(min, 60)})`);
  const s = d.toSeconds({ integral: false });
  if (!Number.isInteger(s) || s < min) {
    throw new GpuConfigError(scope, prop, `is ${s} s${Number.isInteger(s) ? '' : ', not a whole number of seconds'}`, `pass whole seconds >= ${min}`);
  }
  return s;
}

/** Namespace from props/team. @internal */
export function _namespace(scope: IConstruct, props: GpuWorkloadProps): string | undefined {
  if (props.namespace !== undefined && props.team !== undefined && props.namespace !== props.team.namespaceName) {
    throw new GpuConfigError(scope, 'namespace', `is ${props.namespace}, but team ${props.team.teamName} lives in ${props.team.namespaceName}`,
      'drop namespace (the team sets it) or drop team');
  }
  return props.namespace ?? props.team?.namespaceName;
}

/** Checks the team's GPU quota allows one pod. @internal */
export function _checkTeamQuota(scope: IConstruct, props: GpuWorkloadProps, gpus: GpuRequest): void {
  const q = props.team?.gpuQuota;
  if (q !== undefined && !gpus.isMig && !gpus.isDra && gpus.count > q) {
    throw new GpuConfigError(scope, 'gpus', `is ${gpus.count} per pod, above team ${props.team!.teamName}'s gpuQuota of ${q}; no pod could be admitted`,
      `request at most ${q} GPUs or raise the team's gpuQuota`);
  }
}

/** Applies priority class, topology spread and other pod fields cdk8s-plus lacks, as patches. @internal */
export function _patchPodSpec(obj: ApiObject, pointer: string, fields: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) obj.addJsonPatch(JsonPatch.add(`${pointer}/${k}`, v));
  }
}

/**
 * Adds the tolerations and required node affinity of the pools to a workload. The tolerations are derived from the
 * pools when the workload is rendered (synth), not when it is built, so a taint added to a pool later
 * (`pool.addTaint(...)`) still reaches every workload placed on it. Tolerations the user adds through
 * `workload.scheduling.tolerate(...)` are kept after the pools' ones.
 * @internal
 */
export function _placeWorkload(w: kplus.Workload, pools: IGpuNodePool[], p: _GpuPlacement): void {
  // cdk8s-plus renders scheduling through `scheduling._toKube()` inside the workload's lazy spec; wrap it on this
  // instance so the pools' tolerations are read at render time.
  const scheduling = w.scheduling as any;
  const render = scheduling._toKube;
  if (typeof render !== 'function') {
    throw new GpuConfigError(w, 'scheduling', 'cannot be rendered lazily by this cdk8s-plus version', 'use the cdk8s-plus-30 version this library pins');
  }
  const poolList = [...pools];
  scheduling._toKube = function lazyPoolScheduling(this: unknown) {
    const out = render.call(scheduling);
    const fromPools = GpuPoolPlacement.tolerations(poolList).map(_kubeToleration);
    const key = (t: any) => JSON.stringify([t.key, t.operator ?? 'Equal', t.value, t.effect, t.tolerationSeconds]);
    const seen = new Set(fromPools.map(key));
    const own = (Array.isArray(out?.tolerations) ? out.tolerations : []).filter((t: any) => !seen.has(key(t)));
    const tolerations = [...fromPools, ...own];
    return { ...out, tolerations: tolerations.length > 0 ? tolerations : undefined };
  };
  const names = [...new Set(pools.map((x) => x.poolName))];
  // One attract() is one nodeSelectorTerm: the GPU-name pin goes into the same term, so it narrows (AND).
  const queries = [kplus.NodeLabelQuery.in('karpenter.sh/nodepool', names)];
  if (p.gpuNames) queries.push(kplus.NodeLabelQuery.in(GPU_NAME_LABEL, p.gpuNames));
  w.scheduling.attract(kplus.Node.labeled(...queries));
}

/** A pool toleration as Kubernetes JSON, with the operator spelt out (`Exists` for value-less taints). @internal */
export function _kubeToleration(t: PodToleration): PodToleration {
  const exists = t.operator === 'Exists' || t.value === undefined;
  return {
    ...(t.key !== undefined ? { key: t.key } : {}),
    operator: exists ? 'Exists' : 'Equal',
    ...(!exists ? { value: t.value } : {}),
    ...(t.effect !== undefined ? { effect: t.effect } : {}),
    ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
  };
}

/** Size in MiB for quantities. @internal */
export function _mib(bytes: number): Size {
  return Size.mebibytes(Math.round(bytes / MiB));
}
