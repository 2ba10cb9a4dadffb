/**
 * The mig-parted ConfigMap the GPU Operator's MIG manager reads, and applying one of its configs to a GpuNodePool.
 *
 * Format: NVIDIA/mig-parted v0.15.0 `deployments/systemd/config-default.yaml` (e2d5ad1f; the project's
 * `mig-parted-config-default.yaml`): `version: v1`, `mig-configs: { <name>: [ { devices, mig-enabled, mig-devices } ] }`.
 * The GPU Operator reads a custom one from the ConfigMap named in ClusterPolicy `migManager.config.name`, key
 * `config.yaml` (gpu-operator v26.7.0 values.yaml `migManager.config`), in the operator namespace. A node picks a
 * config by its label `nvidia.com/mig.config=<name>`.
 *
 * Holding pods off a node until MIG is configured: nothing upstream removes a start-up taint when the MIG manager
 * reports `nvidia.com/mig.config.state=success` (mig-parted and the GPU Operator never touch taints), so a start-up
 * taint would stay forever. Instead the pool's nodes start with the label
 * `nvidia.com/gpu.deploy.device-plugin=paused-for-mig-change`: the GPU Operator keeps a present, non-empty
 * `gpu.deploy.*` value (v26.7.0 `controllers/state_manager.go` `addGPUStateLabels`), so the device plugin DaemonSet
 * (node selector `nvidia.com/gpu.deploy.device-plugin: "true"`) does not start; the MIG manager sets it to `true`
 * when it finishes, whatever the outcome (mig-parted v0.15.0 `pkg/mig/reconfigure/reconfigure.go` `setState`, which
 * also writes `nvidia.com/mig.config.state`). Until then the node advertises no `nvidia.com/gpu` and no
 * `nvidia.com/mig-*`, so no GPU pod can bind to a GPU that is not yet sliced (the failure of
 * NVIDIA/gpu-operator#2670, where a pod took a whole GPU before the MIG layout was applied).
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { MigGpu, MigLabels } from '../catalog';
import { GpuConfigError } from '../errors';
import { NameRule } from '../naming';
import { GpuNodePool } from '../pools';
import { _advertise, _claimPool } from './capacity';
import { MigLayout } from './mig-layout';
import { checkObjectName } from './private/checks';
import { MigStrategy } from './strategy';
import { PropErrors } from '../private/collect';
import { describeValue } from '../private/describe';

/** The node label the device plugin gate uses (GPU Operator v26.7.0 operand deploy labels). */
export const DEVICE_PLUGIN_DEPLOY_LABEL = 'nvidia.com/gpu.deploy.device-plugin';
/** The value the MIG manager writes while it reconfigures (mig-parted v0.15.0 `maybeSetPaused`). */
export const PAUSED_FOR_MIG_CHANGE = 'paused-for-mig-change';

/** A group of GPUs of a node (by device index, or all of them) and their layout: one entry of a mig-parted config. */
export class MigDeviceGroup {
  /** Every GPU of the node (`devices: all`). */
  public static all(layout: MigLayout): MigDeviceGroup {
    return new MigDeviceGroup(undefined, layout);
  }

  /**
   * The GPUs with these device indices (nvidia-smi order, from 0), e.g. `MigDeviceGroup.devices([0, 1, 2, 3], layout)`.
   */
  public static devices(indices: number[], layout: MigLayout): MigDeviceGroup {
    if (!Array.isArray(indices) || indices.length === 0) {
      throw new GpuConfigError('MigDeviceGroup.devices', 'indices', `is ${describeValue(indices)}, not a non-empty list of device indices`,
        'list the GPU indices, e.g. [0, 1, 2, 3], or use MigDeviceGroup.all(layout)');
    }
    indices.forEach((d, i) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
        throw new GpuConfigError('MigDeviceGroup.devices', `indices[${i}]`, `is ${describeValue(d)}, not a GPU index ≥ 0`, 'use whole numbers from 0');
      }
      if (indices.indexOf(d) !== i) {
        throw new GpuConfigError('MigDeviceGroup.devices', `indices[${i}]`, `repeats GPU ${d}`, 'list each GPU once');
      }
    });
    return new MigDeviceGroup([...indices].sort((a, b) => a - b), layout);
  }

  /**
   * The device indices.
   * @default - every GPU of the node
   */
  public readonly indices?: number[];
  /** The layout of each GPU of the group. */
  public readonly layout: MigLayout;

  private constructor(indices: number[] | undefined, layout: MigLayout) {
    if (!(layout instanceof MigLayout)) {
      throw new GpuConfigError('MigDeviceGroup', 'layout', `is ${describeValue(layout)}, not a MigLayout`, 'build one with MigLayout.of / fromCounts / preset');
    }
    if (indices !== undefined) this.indices = indices;
    this.layout = layout;
  }

  /** The group as mig-parted writes it. @internal */
  public _toMigParted(): any {
    return {
      'devices': this.indices ?? 'all',
      'mig-enabled': this.layout.migEnabled,
      ...(this.layout.migEnabled ? { 'mig-devices': this.layout.migDevices() } : {}),
    };
  }
}

/** Props of {@link MigConfig}. */
export interface MigConfigProps {
  /** The ConfigMap name (ClusterPolicy `migManager.config.name`). @default 'custom-mig-parted-config' */
  readonly name?: string;
  /** The GPU Operator namespace. @default 'gpu-operator' */
  readonly namespace?: string;
}

/** Options of {@link MigConfig.applyTo}. */
export interface MigApplyOptions {
  /**
   * The device plugin's MIG strategy (must match the GpuOperator's, which checks it): `MIXED` advertises
   * `nvidia.com/mig-<profile>`, `SINGLE` advertises `nvidia.com/gpu` per instance and needs one profile on every GPU
   * (the pool's `limits['nvidia.com/gpu']` then counts instances: see {@link MigConfig.applyTo}).
   * @default MigStrategy.MIXED
   */
  readonly strategy?: MigStrategy;
}

const CONFIG_NAME = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;

/**
 * The mig-parted ConfigMap for the GPU Operator's MIG manager: named configs, each a list of device groups with a
 * validated {@link MigLayout}. `all-disabled` is always included (the operator labels MIG-capable nodes without a
 * config with it, and looks it up in this ConfigMap). Apply a config to a pool with {@link MigConfig.applyTo}.
 */
export class MigConfig extends Construct {
  /** The ConfigMap (escape hatch). */
  public readonly configMap: ApiObject;
  /** The ConfigMap name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;

  private readonly configs = new Map<string, MigDeviceGroup[]>();
  private readonly applications: Array<{ pool: string; config: string; strategy: MigStrategy }> = [];

  constructor(scope: Construct, id: string, props: MigConfigProps = {}) {
    super(scope, id);
    const p: MigConfigProps = props ?? {}; // null reads as no props, as in GpuNodePool and GpuOperator
    // Both props are checked; their problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    this.name = c.run(() => checkObjectName(this, 'name', p.name ?? 'custom-mig-parted-config', NameRule.DNS1123_SUBDOMAIN, 'ConfigMap name', 'custom-mig-parted-config')) as string;
    this.namespace = c.run(() => checkObjectName(this, 'namespace', p.namespace ?? 'gpu-operator', NameRule.DNS1123_LABEL, 'namespace', 'gpu-operator')) as string;
    c.throwIfAny();
    this.configs.set(MigLabels.DEFAULT_CONFIG, []);
    this.configMap = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.name, namespace: this.namespace },
      data: Lazy.any({ produce: () => ({ 'config.yaml': this.toYaml() }) }),
    });
    this.node.defaultChild = this.configMap;
  }

  /**
   * Adds a named config (the value of the node label `nvidia.com/mig.config`), e.g.
   * `addConfig('inference-7', [MigDeviceGroup.devices([0, 1, 2, 3], MigLayout.fromCounts(MigGpu.A100_40GB, { '1g.5gb': 7 }))])`.
   * @throws GpuConfigError for a bad or duplicate name, overlapping device groups, or groups of different GPU models
   */
  public addConfig(name: string, groups: MigDeviceGroup[]): void {
    const prop = `configs[${quoted(name)}]`;
    if (typeof name !== 'string' || name.length > 63 || !CONFIG_NAME.test(name)) {
      throw new GpuConfigError(this, prop, 'is not a valid label value (it becomes nvidia.com/mig.config=<name>)',
        'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
    }
    if (this.configs.has(name)) {
      throw new GpuConfigError(this, prop, name === MigLabels.DEFAULT_CONFIG ? 'is built in (MIG off on every GPU)' : 'is already defined', 'use another name');
    }
    if (!Array.isArray(groups) || groups.length === 0) {
      throw new GpuConfigError(this, prop, 'has no device groups', 'pass e.g. [MigDeviceGroup.all(layout)]');
    }
    groups.forEach((g, i) => {
      if (!(g instanceof MigDeviceGroup)) {
        throw new GpuConfigError(this, `${prop}[${i}]`, `is ${describeValue(g)}, not a MigDeviceGroup`, 'use MigDeviceGroup.all(layout) or MigDeviceGroup.devices([...], layout)');
      }
    });
    if (groups.length > 1 && groups.some((g) => g.indices === undefined)) {
      throw new GpuConfigError(this, prop, 'mixes a group of all GPUs with other groups', 'use MigDeviceGroup.devices for every group, or one MigDeviceGroup.all');
    }
    const seen = new Map<number, number>();
    groups.forEach((g, i) => {
      for (const d of g.indices ?? []) {
        if (seen.has(d)) {
          throw new GpuConfigError(this, `${prop}[${i}]`, `configures GPU ${d}, which group ${seen.get(d)} already configures`, 'give each GPU index to one group');
        }
        seen.set(d, i);
      }
    });
    const gpus = [...new Set(groups.map((g) => g.layout.gpu))];
    if (gpus.length > 1) {
      throw new GpuConfigError(this, prop, `mixes layouts for ${gpus.map((g) => g.name).join(' and ')}`,
        'use layouts of the node\'s one GPU model in a config (EC2 GPU instances carry one model)');
    }
    this.configs.set(name, [...groups]);
  }

  /** Shorthand: a config with one layout on every GPU (`devices: all`). */
  public addLayout(name: string, layout: MigLayout): void {
    this.addConfig(name, [MigDeviceGroup.all(layout)]);
  }

  /** The config names, `all-disabled` first. */
  public configNames(): string[] {
    return [...this.configs.keys()];
  }

  /** The device groups of a config. */
  public groupsOf(name: string): MigDeviceGroup[] {
    const g = this.configs.get(name);
    if (!g) throw new GpuConfigError(this, 'config', `${typeof name === 'string' ? `'${name}'` : describeValue(name)} is not defined`, `use one of ${this.configNames().join(', ')}`);
    return [...g];
  }

  /** The `config.yaml` text (mig-parted format). */
  public toYaml(): string {
    const migConfigs: Record<string, any[]> = {};
    for (const [name, groups] of this.configs) {
      migConfigs[name] = groups.length === 0 ? [{ 'devices': 'all', 'mig-enabled': false }] : groups.map((g) => g._toMigParted());
    }
    return stringify({ 'version': 'v1', 'mig-configs': migConfigs }, { lineWidth: 0 });
  }

  /**
   * Applies config `name` to a pool: its nodes carry `nvidia.com/mig.config=<name>` and start with the device plugin
   * paused until the MIG manager has applied the layout (see the file comment); every allowed instance type must be
   * MIG-capable with the config's GPU model and enough GPUs, and every GPU of the node must be covered; the pool
   * advertises the MIG resources to Karpenter (NodeOverlay, feature gate `NodeOverlay=true`) and to our scheduling
   * model (annotation `cdk8s-gpu.io/advertised-resources-per-gpu`), so `GpuRequest.mig('<profile>')` workloads land
   * only on pools offering the profile.
   *
   * With the `SINGLE` strategy each instance is advertised as `nvidia.com/gpu`, and Karpenter counts the overlaid
   * capacity against the pool's limits, so the pool's `limits['nvidia.com/gpu']` is scaled to instances: `gpuLimit` ×
   * instances per GPU (rounded up), e.g. 8 × 7 = 56 for `1g.5gb` × 7 on a p4d pool with gpuLimit 8. The limit still
   * bounds the pool to `gpuLimit` physical GPUs; without the scaling no node would fit under it. (Time-slicing scales
   * its limit the same way.) With `MIXED` the limit is left as is.
   * @param options null reads as no options
   * @returns the NodeOverlays created (one per GPU count)
   * @throws GpuConfigError for an unknown config, a strategy other than single or mixed, a value that is not a
   * GpuNodePool, instance types the config does not fit, or a pool that already has a GPU sharing setup
   */
  public applyTo(pool: GpuNodePool, name: string, options: MigApplyOptions = {}): ApiObject[] {
    const groups = this.groupsOf(name);
    const opts: MigApplyOptions = options ?? {}; // null reads as no options
    const strategy = opts.strategy ?? MigStrategy.MIXED;
    if (strategy !== MigStrategy.MIXED && strategy !== MigStrategy.SINGLE) {
      throw new GpuConfigError(this, 'strategy', `is ${strategy instanceof MigStrategy ? strategy.value : describeValue(strategy)}; MIG devices are only advertised with single or mixed`, 'use MigStrategy.MIXED or MigStrategy.SINGLE');
    }
    const where = `${this.node.path}.applyTo(${pool instanceof GpuNodePool ? pool.node.path : '?'}, '${name}')`;
    if (!(pool instanceof GpuNodePool)) {
      throw new GpuConfigError(where, 'pool', `is ${describeValue(pool)}, not a GpuNodePool`, 'pass a GpuNodePool (MIG configs are applied to the pool construct)');
    }
    const types = pool.allowedInstanceTypes;
    const notMig = types.filter((t) => !t.migCapable);
    if (notMig.length > 0) {
      throw new GpuConfigError(where, 'pool.instanceTypes', `include ${notMig.map((t) => t.name).join(', ')}, which ${notMig.length === 1 ? 'is' : 'are'} not MIG-capable (MIG is not available on g4dn, g5, g6 or g6e)`,
        'restrict the pool to MIG-capable types (p4d, p4de, p5, p5e, p5en, p6-b200), e.g. migCapableOnly: true or instanceTypes: [GpuInstanceType.P4D_24XLARGE]');
    }
    const gpu: MigGpu | undefined = groups[0]?.layout.gpu;
    if (gpu) {
      const other = types.filter((t) => t.gpu.migGpu !== gpu);
      if (other.length > 0) {
        throw new GpuConfigError(where, 'pool.instanceTypes', `include ${other.map((t) => `${t.name} (${t.gpu.name})`).join(', ')}, but config ${name} is laid out for ${gpu.name}`,
          `restrict the pool to ${gpu.awsInstanceTypes.join(', ') || `instance types with ${gpu.name}`}, or add a config for the other GPU`);
      }
    }
    for (const t of types) {
      const covered = new Set<number>();
      for (const g of groups) {
        if (g.indices === undefined) for (let d = 0; d < t.gpuCount; d++) covered.add(d);
        for (const d of g.indices ?? []) {
          if (d >= t.gpuCount) {
            throw new GpuConfigError(where, 'devices', `configure GPU ${d}, but ${t.name} has ${t.gpuCount} GPU(s) (indices 0-${t.gpuCount - 1})`,
              `drop ${t.name} from the pool or use device indices below ${t.gpuCount}`);
          }
          covered.add(d);
        }
      }
      const missing = [...Array(t.gpuCount).keys()].filter((d) => !covered.has(d));
      if (missing.length > 0) {
        throw new GpuConfigError(where, 'devices', `leave GPU(s) ${missing.join(', ')} of ${t.name} out of config ${name}; their MIG mode would be whatever the node had before`,
          `add a device group for GPU(s) ${missing.join(', ')} (MigDeviceGroup.devices([...], MigLayout.disabled(gpu)) keeps them whole)`);
      }
    }
    if (strategy === MigStrategy.SINGLE) {
      const profiles = new Set(groups.map((g) => g.layout.singleProfile ?? `<${g.layout.toString()}>`));
      if (profiles.size !== 1 || [...profiles][0].startsWith('<')) {
        throw new GpuConfigError(where, 'strategy', `is single, but config ${name} is not one profile on every GPU (${groups.map((g) => g.layout.toString()).join('; ')})`,
          'use MigStrategy.MIXED, or the same single-profile layout on every GPU');
      }
    }
    _claimPool(pool, `MIG config ${name}`, where);

    const perNode = new Map<number, Record<string, number>>();
    for (const t of types) {
      const out: Record<string, number> = {};
      for (const g of groups) {
        const n = g.indices === undefined ? t.gpuCount : g.indices.length;
        for (const [k, v] of Object.entries(g.layout.advertisedResources(strategy))) out[k] = (out[k] ?? 0) + v * n;
      }
      perNode.set(t.gpuCount, out);
    }
    pool.addLabel(MigLabels.CONFIG, name);
    pool.addLabel(DEVICE_PLUGIN_DEPLOY_LABEL, PAUSED_FOR_MIG_CHANGE);
    // With SINGLE every instance is an `nvidia.com/gpu`: _advertise scales the pool's limit to instances (a p4d with
    // 1g.5gb × 7 advertises 56, which would never fit under a limit counting 8 physical GPUs).
    this.applications.push({ pool: pool.node.path, config: name, strategy });
    return _advertise(this, `overlay-${pool.node.addr.slice(0, 8)}`, pool, perNode);
  }

  /** The pools this config was applied to, with the strategy each was advertised with. @internal */
  public _applications(): ReadonlyArray<{ readonly pool: string; readonly config: string; readonly strategy: MigStrategy }> {
    return [...this.applications];
  }
}

/** `"name"` for a string, else the value described (never throws). */
function quoted(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : describeValue(v);
}
