/**
 * The NVIDIA device plugin's config ConfigMap (time-slicing and MPS), and applying one of its configs to a pool.
 *
 * Format: NVIDIA/k8s-device-plugin v0.20.0 config file (`version: v1`, `flags.migStrategy`,
 * `sharing.timeSlicing.{renameByDefault, failRequestsGreaterThanOne, resources[{name, replicas}]}`). The GPU
 * Operator mounts the ConfigMap named in ClusterPolicy `devicePlugin.config.name`; each data key is one config, the
 * node label `nvidia.com/device-plugin.config=<key>` picks one per node, and `devicePlugin.config.default` applies
 * to nodes without the label (gpu-operator v26.7.0 values.yaml `devicePlugin.config`).
 *
 * A `default` key without sharing is always rendered and named as the ClusterPolicy default: with one config and no
 * default, the device plugin would use that config on every node, time-slicing production GPUs too.
 *
 * Time-slicing gives no memory or fault isolation (every replica shares one frame buffer): use it for dev pools, MIG
 * for production. Rule GPU404 warns when a time-sliced pool can serve a namespace labelled
 * `cdk8s-gpu.io/environment=production`.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { GpuModel } from '../catalog';
import { GpuConfigError } from '../errors';
import { NameRule } from '../naming';
import { GpuNodePool } from '../pools';
import { _advertise, _claimPool } from './capacity';
import { checkObjectName } from './private/checks';
import { MigStrategy } from './strategy';
import { optionalBoolean } from '../private/checks';
import { PropErrors } from '../private/collect';
import { describeValue } from '../private/describe';
import { MIG_STRATEGY } from '../private/enum-specs';
import { checkEnumLike } from '../private/enum-values';

/** The node label the device plugin reads to pick its config (k8s-device-plugin v0.20.0 README). */
export const DEVICE_PLUGIN_CONFIG_LABEL = 'nvidia.com/device-plugin.config';
/** The data key of the non-sharing config every node without the label uses. */
export const DEFAULT_DEVICE_PLUGIN_CONFIG = 'default';

/** Props of one time-slicing config ({@link DevicePluginConfig.addTimeSlicing}). */
export interface TimeSlicingProps {
  /** How many pods may share each GPU (the node advertises GPUs × replicas). */
  readonly replicas: number;
  /**
   * Advertise the shared GPUs as `nvidia.com/gpu.shared` instead of `nvidia.com/gpu`, so pods opt in explicitly.
   * @default false
   */
  readonly renameByDefault?: boolean;
  /**
   * Fail pods that request more than one shared GPU (a request for 2 replicas gets no more GPU than 1: they share
   * the same time slices). Upstream's default is false; ours is true, because such a request silently buys nothing.
   * @default true
   */
  readonly failRequestsGreaterThanOne?: boolean;
}

/**
 * Props of one MPS config ({@link DevicePluginConfig.addMps}): NVIDIA Multi-Process Service, concurrent kernels from
 * several pods on one GPU, each client limited by the MPS control daemon to 1/replicas of the GPU's memory
 * (`set_default_device_pinned_mem_limit`) and of its threads (`set_default_active_thread_percentage` 100/replicas)
 * (k8s-device-plugin v0.20.0 `cmd/mps-control-daemon/mps/daemon.go`). Experimental upstream; full GPUs only, not on
 * MIG-enabled GPUs; one trusted team per GPU (one fault domain).
 */
export interface MpsProps {
  /** How many pods share each GPU (the node advertises GPUs × replicas; each gets 1/replicas of the GPU). */
  readonly replicas: number;
  /**
   * Advertise the shared GPUs as `nvidia.com/gpu.shared` instead of `nvidia.com/gpu`, so pods opt in explicitly.
   * @default false
   */
  readonly renameByDefault?: boolean;
  /**
   * Fail pods that request more than one MPS replica. The device plugin's MPS default is true as well
   * (`api/config/v1/config.go`); false lets a container take several replicas (more memory/threads of the same GPUs).
   * @default true
   */
  readonly failRequestsGreaterThanOne?: boolean;
}

/** What one MPS client (one replica) may use of a GPU ({@link DevicePluginConfig.mpsClientLimits}). */
export interface MpsClientLimits {
  /** Pinned device memory per client, MiB (GPU memory / replicas, rounded down as the control daemon does). */
  readonly memoryMiB: number;
  /** Active thread percentage per client (100 / replicas, rounded down). */
  readonly activeThreadPercentage: number;
}

/** Props of {@link DevicePluginConfig}. */
export interface DevicePluginConfigProps {
  /** The ConfigMap name (ClusterPolicy `devicePlugin.config.name`). @default 'device-plugin-config' */
  readonly name?: string;
  /** The GPU Operator namespace. @default 'gpu-operator' */
  readonly namespace?: string;
  /**
   * The MIG strategy every config of this ConfigMap declares (`flags.migStrategy`); must equal the GpuOperator's.
   * @default MigStrategy.MIXED
   */
  readonly migStrategy?: MigStrategy;
}

interface TimeSlicing {
  /** `timeSlicing` or `mps` (the key under `sharing`). */
  readonly strategy: 'timeSlicing' | 'mps';
  readonly replicas: number;
  readonly renameByDefault: boolean;
  readonly failRequestsGreaterThanOne: boolean;
}

const KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * The device plugin's ConfigMap: a non-sharing `default` config plus named time-slicing configs. Apply one to a pool
 * with {@link DevicePluginConfig.applyTo}; pools without it keep whole GPUs.
 */
export class DevicePluginConfig extends Construct {
  /** The ConfigMap (escape hatch). */
  public readonly configMap: ApiObject;
  /** The ConfigMap name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The MIG strategy the configs declare. */
  public readonly migStrategy: MigStrategy;

  private readonly timeSlicing = new Map<string, TimeSlicing>();

  constructor(scope: Construct, id: string, props: DevicePluginConfigProps = {}) {
    super(scope, id);
    const p: DevicePluginConfigProps = props ?? {}; // null reads as no props, as in GpuNodePool and GpuOperator
    // Every prop is checked; the problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    const migStrategy = p.migStrategy ?? MigStrategy.MIXED;
    c.run(() => {
      checkEnumLike(this, 'migStrategy', MIG_STRATEGY, migStrategy,
        (v) => v === MigStrategy.NONE || v === MigStrategy.SINGLE || v === MigStrategy.MIXED);
    });
    this.migStrategy = migStrategy;
    this.name = c.run(() => checkObjectName(this, 'name', p.name ?? 'device-plugin-config', NameRule.DNS1123_SUBDOMAIN, 'ConfigMap name', 'device-plugin-config')) as string;
    this.namespace = c.run(() => checkObjectName(this, 'namespace', p.namespace ?? 'gpu-operator', NameRule.DNS1123_LABEL, 'namespace', 'gpu-operator')) as string;
    c.throwIfAny();
    this.configMap = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.name, namespace: this.namespace },
      data: Lazy.any({ produce: () => this._data() }),
    });
    this.node.defaultChild = this.configMap;
  }

  /**
   * Adds a time-slicing config under data key `key` (the value of the node label `nvidia.com/device-plugin.config`),
   * e.g. `addTimeSlicing('shared-4', { replicas: 4 })`.
   */
  public addTimeSlicing(key: string, props: TimeSlicingProps): void {
    this.addReplicated('timeSlicing', key, props);
  }

  /**
   * Adds an MPS config under data key `key` (the value of the node label `nvidia.com/device-plugin.config`), e.g.
   * `addMps('mps-4', { replicas: 4 })`. The GPU Operator starts the MPS control daemon on nodes whose device plugin
   * config shares with MPS (its `nvidia-device-plugin-mps-control-daemon` DaemonSet selects
   * `nvidia.com/mps.capable=true`, a label GPU feature discovery sets; gpu-operator v26.7.0
   * `assets/state-mps-control-daemon`), so `gfd` must stay on.
   */
  public addMps(key: string, props: MpsProps): void {
    this.addReplicated('mps', key, props);
  }

  /** Whether any config shares with MPS. */
  public get hasMps(): boolean {
    return [...this.timeSlicing.values()].some((t) => t.strategy === 'mps');
  }

  /**
   * The per-client limits the MPS control daemon sets for MPS config `key` on `gpu`: memory / replicas and
   * 100 / replicas percent of the threads (k8s-device-plugin v0.20.0 `cmd/mps-control-daemon/mps/daemon.go`).
   */
  public mpsClientLimits(key: string, gpu: GpuModel): MpsClientLimits {
    const ts = this.get(key);
    if (ts.strategy !== 'mps') {
      throw new GpuConfigError(this, 'config', `'${key}' is a time-slicing config, which sets no per-client limits`, 'use an MPS config (addMps)');
    }
    if (!(gpu instanceof GpuModel)) throw new GpuConfigError(this, 'gpu', `is ${describeValue(gpu)}, not a GpuModel`, 'pass e.g. GpuModel.A10G');
    return { memoryMiB: Math.floor(gpu.memoryMiB / ts.replicas), activeThreadPercentage: Math.floor(100 / ts.replicas) };
  }

  private addReplicated(strategy: 'timeSlicing' | 'mps', key: string, props: TimeSlicingProps | MpsProps): void {
    const prop = `configs[${typeof key === 'string' ? JSON.stringify(key) : describeValue(key)}]`;
    // The key and each setting are checked; their problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    c.run(() => {
      if (typeof key !== 'string' || key.length === 0 || key.length > 63 || !KEY.test(key) || !/^[A-Za-z0-9](.*[A-Za-z0-9])?$/.test(key)) {
        throw new GpuConfigError(this, prop, 'is not a valid ConfigMap key and label value (it becomes nvidia.com/device-plugin.config=<key>)',
          'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
      }
      if (key === DEFAULT_DEVICE_PLUGIN_CONFIG || this.timeSlicing.has(key)) {
        throw new GpuConfigError(this, prop, key === DEFAULT_DEVICE_PLUGIN_CONFIG ? 'is reserved for the non-sharing default' : 'is already defined', 'use another key');
      }
    });
    const settings: Partial<TimeSlicingProps> = props !== null && typeof props === 'object' ? props : {};
    const replicas: unknown = settings.replicas;
    c.run(() => {
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 2) {
        throw new GpuConfigError(this, `${prop}.replicas`, `is ${describeValue(replicas)}, not a whole number ≥ 2`,
          'give how many pods share one GPU, e.g. 4 (1 would share nothing)');
      }
    });
    c.run(() => {
      if (strategy === 'mps' && this.migStrategy === MigStrategy.SINGLE) {
        throw new GpuConfigError(this, `${prop}`, 'is an MPS config, but the ConfigMap declares migStrategy single, which advertises MIG devices as nvidia.com/gpu; MPS shares only full GPUs, not MIG devices',
          'use migStrategy MIXED or NONE, and apply the MPS config only to pools without MIG');
      }
    });
    const renameByDefault = c.run(() => optionalBoolean(this, `${prop}.renameByDefault`, settings.renameByDefault ?? undefined, 'use true or false, or leave it out for the default'));
    const failRequestsGreaterThanOne = c.run(() => optionalBoolean(this, `${prop}.failRequestsGreaterThanOne`, (settings as TimeSlicingProps).failRequestsGreaterThanOne ?? undefined, 'use true or false, or leave it out for the default'));
    c.throwIfAny();
    if (typeof replicas !== 'number') return;
    this.timeSlicing.set(key, {
      strategy,
      replicas,
      renameByDefault: renameByDefault ?? false,
      failRequestsGreaterThanOne: failRequestsGreaterThanOne ?? true,
    });
  }

  /** The config keys, `default` first. */
  public configKeys(): string[] {
    return [DEFAULT_DEVICE_PLUGIN_CONFIG, ...this.timeSlicing.keys()];
  }

  /**
   * The shared resource a config advertises per GPU (`nvidia.com/gpu`, or `nvidia.com/gpu.shared` when renamed) and
   * its replicas.
   */
  public sharedResource(key: string): string {
    const ts = this.get(key);
    return ts.renameByDefault ? 'nvidia.com/gpu.shared' : 'nvidia.com/gpu';
  }

  /**
   * Applies time-slicing config `key` to a pool: its nodes carry `nvidia.com/device-plugin.config=<key>`; the pool
   * advertises GPUs × replicas to Karpenter (NodeOverlay, feature gate `NodeOverlay=true`) and to our scheduling
   * model. When the shared resource keeps the name `nvidia.com/gpu`, the pool's `limits['nvidia.com/gpu']` is
   * multiplied by the replicas, so the limit still counts physical GPUs (Karpenter counts the overlaid capacity).
   * @returns the NodeOverlays created (one per GPU count)
   */
  public applyTo(pool: GpuNodePool, key: string): ApiObject[] {
    const ts = this.get(key);
    const where = `${this.node.path}.applyTo(${pool instanceof GpuNodePool ? pool.node.path : '?'}, '${key}')`;
    _claimPool(pool, `${ts.strategy === 'mps' ? 'MPS' : 'time-slicing'} config ${key}`, where);
    const resource = this.sharedResource(key);
    const perNode = new Map<number, Record<string, number>>();
    for (const t of pool.allowedInstanceTypes) {
      perNode.set(t.gpuCount, ts.renameByDefault
        ? { 'nvidia.com/gpu': 0, [resource]: t.gpuCount * ts.replicas }
        : { 'nvidia.com/gpu': t.gpuCount * ts.replicas });
    }
    pool.addLabel(DEVICE_PLUGIN_CONFIG_LABEL, key);
    return _advertise(this, `overlay-${pool.node.addr.slice(0, 8)}`, pool, perNode);
  }

  /** The config file of one key, as the device plugin reads it. */
  public configYaml(key: string): string {
    return stringify(this.configObject(key), { lineWidth: 0 });
  }

  /** @internal */
  public _data(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of this.configKeys()) out[k] = this.configYaml(k);
    return out;
  }

  private configObject(key: string): any {
    const base = { version: 'v1', flags: { migStrategy: this.migStrategy.value } };
    if (key === DEFAULT_DEVICE_PLUGIN_CONFIG) return base;
    const ts = this.get(key);
    return {
      ...base,
      sharing: {
        [ts.strategy]: {
          renameByDefault: ts.renameByDefault,
          failRequestsGreaterThanOne: ts.failRequestsGreaterThanOne,
          resources: [{ name: 'nvidia.com/gpu', replicas: ts.replicas }],
        },
      },
    };
  }

  private get(key: string): TimeSlicing {
    const ts = this.timeSlicing.get(key);
    if (!ts) {
      const shown = typeof key === 'string' ? `'${key}'` : describeValue(key);
      throw new GpuConfigError(this, 'config', `${shown} is not a time-slicing or MPS config of ${this.name}`,
        `add it with addTimeSlicing(${typeof key === 'string' ? shown : '\'shared\''}, { replicas: 4 })${this.timeSlicing.size ? ` or use one of ${[...this.timeSlicing.keys()].join(', ')}` : ''}`);
    }
    return ts;
  }
}
