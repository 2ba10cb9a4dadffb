/**
 * GPU sharing rules (GPU401-GPU404): MIG slices and time-sliced GPUs, judged from plain manifests.
 *
 * What a pool shares is read from its node labels and the ConfigMaps in the same manifests:
 * - `nvidia.com/mig.config=<name>` (MIG manager): the config is looked up in a mig-parted ConfigMap of the manifests
 *   (data key `config.yaml`, the one ClusterPolicy `migManager.config.name` names when a ClusterPolicy is present),
 *   else among mig-parted's default configs (`all-1g.10gb`, `all-balanced`, … for the pool's GPU model);
 * - `nvidia.com/device-plugin.config=<key>` (device plugin): the key is looked up in the ConfigMaps of the manifests
 *   (the one ClusterPolicy `devicePlugin.config.name` names, when present); with no label, ClusterPolicy
 *   `devicePlugin.config.default` applies;
 * - the annotation `cdk8s-gpu.io/advertised-resources-per-gpu`, when present, states what each GPU advertises and
 *   wins over the derivation.
 * Placement always goes through the one scheduling model (`placeOnPool`), on the pool as it would advertise.
 *
 * Production namespaces (GPU404): a Namespace labelled `cdk8s-gpu.io/environment=production`.
 */
import { GpuInstanceType, MigGpu } from '../../catalog';
import { describeValue } from '../../private/describe';
import { yamlPackage } from '../../private/lazy';
import { listed, listedFirst, NAMED_IN_LIST } from '../../private/lists';
import { nameOf } from '../../private/meta';
import { ADVERTISED_RESOURCES_ANNOTATION, PoolModel, poolModelOf } from '../../scheduling/nodepool';
import { placeOnPool, PlacementVerdict, placementSignature, podRoomOf } from '../../scheduling/placement';
import { containerRequest, demandsAny, isMigResourceName } from '../../scheduling/resources';
import { POD_TEMPLATE_KINDS, PodTemplateRef } from '../../scheduling/workloads';
import { MigLayout } from '../../sharing/mig-layout';
import { Severity } from '../model';
import { Rule, RuleContext } from '../rule';
import { flagText, vllmArgv } from './serving';

/** The Namespace label that marks production namespaces (GPU404). */
export const ENVIRONMENT_LABEL = 'cdk8s-gpu.io/environment';
const MIG_CONFIG_LABEL = 'nvidia.com/mig.config';
const DEVICE_PLUGIN_CONFIG_LABEL = 'nvidia.com/device-plugin.config';

/** A pool's label value from its template labels or a single-valued `In` requirement. */
function poolLabel(pool: PoolModel, key: string): string | undefined {
  if (pool.labels[key] !== undefined) return pool.labels[key];
  const r = pool.requirements.find((x) => x.key === key && x.operator === 'In' && (x.values ?? []).length === 1);
  return r?.values?.[0];
}

function clusterPolicy(ctx: RuleContext): any | undefined {
  return ctx.byKind('ClusterPolicy', 'nvidia.com')[0];
}

/** ConfigMaps whose data has `key`, the one named `preferred` first. */
function configMapsWithKey(ctx: RuleContext, key: string, preferred: string | undefined): any[] {
  const all = ctx.byKind('ConfigMap', '').filter((c) => typeof c?.data?.[key] === 'string');
  return [...all.filter((c) => c.metadata?.name === preferred), ...all.filter((c) => c.metadata?.name !== preferred)];
}

function safeParse(text: string): any {
  try {
    return yamlPackage().parse(text);
  } catch {
    return undefined;
  }
}

/** Extended resources per node for a mig-parted config entry list (or a default config), or undefined. */
function migAdvertised(ctx: RuleContext, name: string, type: GpuInstanceType, strategy: string): Record<string, number> | undefined {
  const gpu: MigGpu | undefined = type.gpu.migGpu;
  const cp = clusterPolicy(ctx);
  for (const cm of configMapsWithKey(ctx, 'config.yaml', cp?.spec?.migManager?.config?.name)) {
    const groups = safeParse(cm.data['config.yaml'])?.['mig-configs']?.[name];
    if (!Array.isArray(groups)) continue;
    const out: Record<string, number> = {};
    let covered = 0;
    for (const g of groups) {
      const n = g?.devices === 'all' ? type.gpuCount : Array.isArray(g?.devices) ? g.devices.filter((d: any) => Number(d) < type.gpuCount).length : 0;
      covered += n;
      if (g?.['mig-enabled'] !== true) { out['nvidia.com/gpu'] = (out['nvidia.com/gpu'] ?? 0) + n; continue; }
      for (const [profile, count] of Object.entries(g?.['mig-devices'] ?? {})) {
        const spec = gpu?.tryProfile(profile);
        const resource = strategy === 'single' ? 'nvidia.com/gpu' : spec?.resourceName ?? `nvidia.com/mig-${profile.replace('+', '.')}`;
        out[resource] = (out[resource] ?? 0) + Number(count) * n;
      }
      if (strategy !== 'single') out['nvidia.com/gpu'] = out['nvidia.com/gpu'] ?? 0;
    }
    if (covered < type.gpuCount) out['nvidia.com/gpu'] = (out['nvidia.com/gpu'] ?? 0) + (type.gpuCount - covered);
    return out;
  }
  if (!gpu) return undefined;
  let layout: MigLayout;
  try {
    layout = MigLayout.preset(gpu, name);
  } catch {
    return undefined;
  }
  const out: Record<string, number> = {};
  const perGpu = !layout.migEnabled ? { 'nvidia.com/gpu': 1 }
    : strategy === 'single' ? { 'nvidia.com/gpu': layout.slices.length === 1 ? layout.slices[0].count : 0 }
      : Object.fromEntries([['nvidia.com/gpu', 0], ...layout.slices.map((s) => [gpu.profile(s.profile).resourceName, s.count])]);
  for (const [k, v] of Object.entries(perGpu)) out[k] = (v as number) * type.gpuCount;
  return out;
}

/**
 * A replicated-sharing config (`sharing.timeSlicing` or `sharing.mps`, k8s-device-plugin v0.20.0 `api/config/v1`
 * `ReplicatedResources`): the shared resource names, replicas and failRequestsGreaterThanOne.
 */
export interface TimeSlicing {
  /** `time-slicing` or `mps` (the plugin applies MPS when both are set: `Sharing.SharingStrategy`). */
  readonly strategy: 'time-slicing' | 'mps';
  readonly key: string;
  readonly configMap: string;
  readonly resources: Array<{ name: string; advertised: string; replicas: number }>;
  readonly failRequestsGreaterThanOne: boolean;
}

function timeSlicingOf(ctx: RuleContext, pool: PoolModel): TimeSlicing | undefined {
  const cp = clusterPolicy(ctx);
  const key = poolLabel(pool, DEVICE_PLUGIN_CONFIG_LABEL) ?? cp?.spec?.devicePlugin?.config?.default;
  if (!key || typeof key !== 'string') return undefined;
  for (const cm of configMapsWithKey(ctx, key, cp?.spec?.devicePlugin?.config?.name)) {
    const sharing = safeParse(cm.data[key])?.sharing;
    const mps = sharing?.mps && Array.isArray(sharing.mps.resources) && sharing.mps.resources.some((r: any) => Number(r?.replicas) > 1);
    const ts = mps ? sharing.mps : sharing?.timeSlicing;
    if (!ts || !Array.isArray(ts.resources)) continue;
    const resources = ts.resources.filter((r: any) => typeof r?.name === 'string' && Number(r?.replicas) > 1).map((r: any) => ({
      name: r.name,
      advertised: typeof r.rename === 'string' && r.rename ? r.rename : ts.renameByDefault === true ? `${r.name}.shared` : r.name,
      replicas: Number(r.replicas),
    }));
    if (resources.length === 0) return undefined;
    // MPS: the plugin sets failRequestsGreaterThanOne to true unless the config says otherwise (api/config/v1 config.go).
    const fail = mps ? ts.failRequestsGreaterThanOne !== false : ts.failRequestsGreaterThanOne === true;
    return { strategy: mps ? 'mps' : 'time-slicing', key, configMap: nameOf(cm), resources, failRequestsGreaterThanOne: fail };
  }
  return undefined;
}

/** What a sliced pool is, and the pool model as it would advertise (annotation, else derived). */
export interface SharedPool {
  readonly pool: PoolModel;
  readonly effective: PoolModel;
  readonly migConfig?: string;
  readonly timeSlicing?: TimeSlicing;
}

const sharedCache = new WeakMap<RuleContext, SharedPool[]>();

/** The pools with MIG or a replicated-sharing config (time-slicing or MPS), computed once per run. */
export function sharedPools(ctx: RuleContext): SharedPool[] {
  let out = sharedCache.get(ctx);
  if (out) return out;
  out = [];
  const strategy = String(clusterPolicy(ctx)?.spec?.mig?.strategy ?? 'mixed');
  for (const pool of ctx.nodePools()) {
    const migConfig = poolLabel(pool, MIG_CONFIG_LABEL);
    const timeSlicing = timeSlicingOf(ctx, pool);
    const isMig = migConfig !== undefined && migConfig !== 'all-disabled';
    if (!isMig && !timeSlicing) continue;
    let effective = pool;
    if (pool.object?.metadata?.annotations?.[ADVERTISED_RESOURCES_ANNOTATION] === undefined) {
      const type = pool.instanceTypes.find((t) => t.gpuCount > 0);
      let perGpu: Record<string, number> | undefined;
      if (type && isMig) {
        const perNode = migAdvertised(ctx, migConfig, type, strategy);
        if (perNode) perGpu = Object.fromEntries(Object.entries(perNode).map(([k, v]) => [k, v / type.gpuCount]));
      } else if (type && timeSlicing) {
        perGpu = {};
        for (const r of timeSlicing.resources) {
          if (r.advertised !== r.name) perGpu[r.name] = 0;
          perGpu[r.advertised] = r.replicas;
        }
      }
      if (perGpu) {
        const clone = JSON.parse(JSON.stringify(pool.object));
        const annotations = { ...(clone.metadata?.annotations ?? {}), [ADVERTISED_RESOURCES_ANNOTATION]: JSON.stringify(perGpu) };
        clone.metadata = { ...(clone.metadata ?? {}), annotations };
        // (the nodes' disk and the DaemonSets on them are the pool's, whatever their GPUs are split into)
        effective = {
          ...poolModelOf(clone, pool.instanceTypes, ctx.byKind('NodeOverlay', 'karpenter.sh')),
          ...(pool.nodeDisk ? { nodeDisk: pool.nodeDisk } : {}),
          ...(pool.daemonSetOverhead ? { daemonSetOverhead: pool.daemonSetOverhead } : {}),
        };
      }
    }
    out.push({ pool, effective, ...(isMig ? { migConfig } : {}), ...(timeSlicing ? { timeSlicing } : {}) });
  }
  sharedCache.set(ctx, out);
  return out;
}

/** Placement on a (possibly derived) pool, memoised per signature. */
export function placeOn(ctx: RuleContext, memo: Map<string, PlacementVerdict>, t: PodTemplateRef, sp: SharedPool | PoolModel): PlacementVerdict {
  const pool = 'effective' in sp ? sp.effective : sp;
  const original = 'effective' in sp ? sp.pool : sp;
  if (pool === original) return ctx.placement(t, pool);
  const key = `${pool.name}\u0000${placementSignature(t)}`;
  let v = memo.get(key);
  if (!v) memo.set(key, v = placeOnPool(t, pool));
  return v;
}

function offers(pool: PoolModel, resource: string): boolean {
  return pool.instanceTypes.some((t) => (pool.advertisedResources(t)[resource] ?? 0) > 0);
}

/** Whether some pool's MIG or time-slicing config (not Karpenter's view) would make its nodes advertise `resource`. @internal */
export function _migConfigOffers(ctx: RuleContext, resource: string): boolean {
  return sharedPools(ctx).some((sp) => sp.effective !== sp.pool && offers(sp.effective, resource));
}

/** Whether `resource` is made by GPU sharing: a MIG slice, a renamed shared GPU, or a resource a pool time-slices. */
function isSlicedResource(resource: string, shared: readonly SharedPool[]): boolean {
  return isMigResourceName(resource) || resource.endsWith('.shared')
    || shared.some((s) => s.timeSlicing?.resources.some((r) => r.advertised === resource));
}

/** How a derived pool comes to advertise its slices, for messages. */
function sharingOf(sp: SharedPool): string {
  if (sp.migConfig !== undefined) return `MIG config ${sp.migConfig}`;
  return `time-slicing config ${sp.timeSlicing!.key} (ConfigMap ${sp.timeSlicing!.configMap})`;
}

/** GPU401 — a pod requesting a MIG or time-sliced resource must be able to land on a pool Karpenter knows offers it. */
export const MIG_SLICE_PLACEABLE: Rule = {
  id: 'GPU401',
  title: 'A pod requesting nvidia.com/mig-<profile> must be able to land on a NodePool offering that profile',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'NodeOverlay', 'ConfigMap', 'ClusterPolicy'],
  remediation: 'Tolerate the MIG pool\'s taints and select it (nodeSelector/affinity), or change the pool\'s MIG config so it offers the profile.',
  description: 'Karpenter launches a node for a pending pod only when an instance type\'s capacity, plus the capacity of '
    + 'the NodeOverlays matching it, holds every resource the pod requests (karpenter.sh docs, Concepts → NodeOverlays). '
    + 'EC2 reports whole GPUs only, so a MIG slice (`nvidia.com/mig-<profile>`), a renamed shared GPU '
    + '(`nvidia.com/gpu.shared`) or more time-sliced `nvidia.com/gpu` than the instance has physically is provisionable '
    + 'only through a NodeOverlay in the manifests (or the library\'s '
    + `\`${ADVERTISED_RESOURCES_ANNOTATION}\` annotation, which \`MigConfig\`/\`DevicePluginConfig.applyTo\` write together `
    + 'with the NodeOverlays). Reported (1) when a pool\'s MIG config (`nvidia.com/mig.config` with the mig-parted config in '
    + 'the manifests or mig-parted\'s defaults) or time-slicing config would make its nodes advertise the resource but '
    + 'nothing tells Karpenter, so no node is ever launched for the pod; (2) when a pool Karpenter knows offers the MIG '
    + 'profile exists but the pod fits none of them (taints, node selection, counts, cpu/memory, limits). When no pool '
    + 'offers a MIG profile at all, GPU204 reports instead.',
  *check(ctx) {
    const shared = sharedPools(ctx);
    const memo = new Map<string, PlacementVerdict>();
    const karpenter = ctx.nodePools();
    for (const w of ctx.workloads()) {
      const demand = ctx.gpuDemand(w.template);
      if (!demandsAny(demand, (r) => isSlicedResource(r, shared))) continue; // (most workloads: whole GPUs only)
      for (const resource of Object.keys(demand).sort()) {
        if (!isSlicedResource(resource, shared)) continue;
        // Karpenter's view: instance type capacity + NodeOverlays + the library's advertisement.
        const offering = karpenter.filter((p) => offers(p, resource));
        const verdicts = offering.map((p) => ctx.placement(w.template, p));
        if (verdicts.some((v) => v.fits)) continue;
        // The nodes' view: what the MIG manager / device plugin would advertise once a node runs.
        const derived = shared.filter((sp) => sp.effective !== sp.pool && offers(sp.effective, resource));
        const nodeView = derived.filter((sp) => placeOn(ctx, memo, w.template, sp).fits);
        if (nodeView.length > 0) {
          const sp = nodeView[0];
          const type = placeOn(ctx, memo, w.template, sp).instanceTypes[0];
          const perNode = sp.effective.advertisedResources(type)[resource] ?? 0;
          const seen = sp.pool.advertisedResources(type)[resource] ?? 0;
          yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`,
            `requests ${+demand[resource].toFixed(3)} ${resource}: the nodes of NodePool(s) ${listedFirst(nodeView, (x) => `${x.pool.name} (${sharingOf(x)})`)} `
            + 'would advertise it once running, but Karpenter only launches a node whose instance type or NodeOverlay offers '
            + `it, and nothing in these manifests does (Karpenter sees ${resource} ${seen} on ${type.name}, not ${perNode}); the pod stays Pending`,
            `Add a NodeOverlay (karpenter.sh/v1alpha1) with capacity {${resource}: "${perNode}"} and requirements karpenter.sh/nodepool In [${sp.pool.name}], `
            + `karpenter.k8s.aws/instance-gpu-count In [${type.gpuCount}] (MigConfig.applyTo / DevicePluginConfig.applyTo make it), and turn on `
            + 'Karpenter\'s nodeOverlay feature gate (GpuEksStack does when the chart has NodeOverlays).');
          continue;
        }
        const all = [...verdicts, ...derived.filter((sp) => !offering.includes(sp.pool)).map((sp) => placeOn(ctx, memo, w.template, sp))];
        if (all.length === 0) continue; // nothing offers it: GPU204 (MIG) / GPU203 (whole GPUs) report these
        if (!isMigResourceName(resource) && derived.length === 0) continue; // a whole-GPU misfit: GPU203's
        yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`,
          `requests ${resource}, offered by NodePool(s) ${listed(all.map((v) => v.pool.name))}, but fits none of them: `
          + listedFirst(all, (v) => `${v.pool.name}: ${v.reason}`, NAMED_IN_LIST, '; '));
      }
    }
  },
};

/** GPU402 — a pool with a MIG config must only allow MIG-capable instance types. */
export const MIG_POOL_MIG_CAPABLE: Rule = {
  id: 'GPU402',
  title: 'A NodePool with a MIG config must only allow MIG-capable instance types',
  severity: Severity.ERROR,
  kinds: ['NodePool'],
  remediation: 'Restrict the pool to MIG-capable types (p4d, p4de, p5, p5e, p5en, p6-b200), e.g. a requirement on node.kubernetes.io/instance-type or karpenter.k8s.aws/instance-family.',
  description: 'A NodePool whose nodes carry `nvidia.com/mig.config` (other than `all-disabled`) or that declares '
    + `\`nvidia.com/mig-*\` resources in \`${ADVERTISED_RESOURCES_ANNOTATION}\` must not let Karpenter launch GPUs without `
    + 'MIG (A10G, L4, L40S, T4: g5, g6, g6e, g4dn): the MIG manager fails on them, the pods waiting for slices stay '
    + 'Pending and the node is paid for nothing.',
  *check(ctx) {
    for (const pool of ctx.nodePools()) {
      const cfg = poolLabel(pool, MIG_CONFIG_LABEL);
      let declared: string[] = [];
      try {
        declared = Object.entries(JSON.parse(pool.object?.metadata?.annotations?.[ADVERTISED_RESOURCES_ANNOTATION] ?? '{}'))
          .filter(([k, v]) => isMigResourceName(k) && Number(v) > 0).map(([k]) => k);
      } catch {
        declared = [];
      }
      const why = cfg !== undefined && cfg !== 'all-disabled' ? `carries ${MIG_CONFIG_LABEL}=${cfg}` : declared.length ? `advertises ${declared.join(', ')}` : undefined;
      if (!why) continue;
      const bad = pool.instanceTypes.filter((t) => t.gpuCount > 0 && !t.migCapable);
      if (bad.length === 0) continue;
      const names = bad.slice(0, 6).map((t) => `${t.name} (${t.gpu.name})`).join(', ') + (bad.length > 6 ? ` and ${bad.length - 6} more` : '');
      yield ctx.finding(pool.object, cfg !== undefined ? 'spec.template.metadata.labels' : 'spec.template.spec.requirements',
        `${why} but allows instance types without MIG: ${names}`);
    }
  },
};

/** GPU403 — a time-sliced pool that fails requests > 1 must not receive pods asking for more than one shared GPU. */
export const TIME_SLICED_SINGLE_REQUEST: Rule = {
  id: 'GPU403',
  title: 'A time-sliced NodePool with failRequestsGreaterThanOne must not receive pods asking for more than one GPU',
  severity: Severity.ERROR,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'ConfigMap', 'ClusterPolicy'],
  remediation: 'Request one shared GPU per container, or run multi-GPU pods on a pool without time-slicing (whole GPUs).',
  description: 'With `sharing.timeSlicing.failRequestsGreaterThanOne: true` the NVIDIA device plugin refuses an '
    + 'allocation of more than one replica of a shared GPU, so a pod that lands there with a request above 1 fails at '
    + 'admission (UnexpectedAdmissionError) instead of running. (Two replicas would not give more GPU anyway: they share '
    + 'the same time slices.) The pool\'s config comes from its `nvidia.com/device-plugin.config` label (or ClusterPolicy '
    + '`devicePlugin.config.default`) and the device plugin ConfigMap in the manifests.',
  *check(ctx) {
    const pools = sharedPools(ctx).filter((s) => s.timeSlicing?.strategy === 'time-slicing' && s.timeSlicing.failRequestsGreaterThanOne);
    if (pools.length === 0) return;
    const memo = new Map<string, PlacementVerdict>();
    for (const w of ctx.workloads()) {
      for (const c of w.template.podSpec?.containers ?? []) {
        for (const sp of pools) {
          for (const r of sp.timeSlicing!.resources) {
            const n = containerRequest(c, r.advertised);
            if (!(n > 1)) continue;
            if (!placeOn(ctx, memo, w.template, sp).fits) continue;
            yield ctx.finding(w.object, `${w.template.podSpecPath}.containers[${(w.template.podSpec.containers as any[]).indexOf(c)}].resources`,
              `asks for ${n} × ${r.advertised} and can land on NodePool ${sp.pool.name}, time-sliced by config ${sp.timeSlicing!.key} `
              + `(ConfigMap ${sp.timeSlicing!.configMap}) with failRequestsGreaterThanOne: the device plugin refuses it and the pod fails`);
          }
        }
      }
    }
  },
};

/** GPU404 — time-sliced GPUs should not serve production namespaces. */
export const TIME_SLICED_PRODUCTION: Rule = {
  id: 'GPU404',
  title: 'Time-sliced GPUs should not serve a production namespace',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'Namespace', 'ConfigMap', 'ClusterPolicy'],
  remediation: 'Keep production workloads off time-sliced pools (taint or select a whole-GPU or MIG pool), or drop time-slicing from the pool.',
  description: `A workload in a Namespace labelled \`${ENVIRONMENT_LABEL}=production\` that can land on a time-sliced `
    + 'pool shares a GPU with other pods without memory or fault isolation: one pod can exhaust the frame buffer or hang '
    + 'the GPU for all. MIG gives hardware isolation.',
  *check(ctx) {
    const production = new Set(ctx.byKind('Namespace', '').filter((n) => n?.metadata?.labels?.[ENVIRONMENT_LABEL] === 'production').map((n) => n.metadata.name));
    if (production.size === 0) return;
    const pools = sharedPools(ctx).filter((s) => s.timeSlicing?.strategy === 'time-slicing');
    if (pools.length === 0) return;
    const memo = new Map<string, PlacementVerdict>();
    for (const w of ctx.workloads()) {
      const ns = w.object?.metadata?.namespace ?? 'default';
      if (!production.has(ns)) continue;
      const demand = ctx.gpuDemand(w.template);
      const landing = pools.filter((sp) => sp.timeSlicing!.resources.some((r) => (demand[r.advertised] ?? 0) > 0)
        && placeOn(ctx, memo, w.template, sp).fits);
      if (landing.length === 0) continue;
      yield ctx.finding(w.object, 'metadata.namespace',
        `runs in production namespace ${ns} and can land on time-sliced NodePool(s) ${listedFirst(landing, (s) => `${s.pool.name} (${s.timeSlicing!.key})`)}, which share GPUs without isolation`);
    }
  },
};

/** GPU405 — a pod on shared GPUs should leave room for every slice of a node. */
export const SLICES_USABLE: Rule = {
  id: 'GPU405',
  title: 'A pod on shared GPUs (MIG or time-slicing) should request cpu/memory that let every slice of a node be used',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'NodeOverlay', 'ConfigMap', 'ClusterPolicy'],
  remediation: 'Request at most the node\'s allocatable cpu/memory divided by the slices it holds (cdk8s-gpu\'s workloads do this by default), or use whole GPUs.',
  description: 'A node of a MIG or time-sliced pool offers several slices of a GPU resource. The scheduler places a pod only '
    + 'where its cpu and memory fit too, so when a node\'s allocatable cpu or memory (after kube-reserved, the VM '
    + 'overhead, the eviction threshold and daemonsets: the scheduling model\'s system reserve) holds fewer of these '
    + 'pods than the node has slices, the other slices sit idle and Karpenter launches another node for the next pod. '
    + 'Judged on every pool the pod fits (Karpenter\'s view, or the pool\'s MIG/time-slicing config); a warning when no '
    + 'fitting instance type lets all its slices be used. Pods without cpu/memory requests are not judged.',
  *check(ctx) {
    const shared = sharedPools(ctx);
    const byPool = new Map(shared.map((sp) => [sp.pool, sp] as const));
    const memo = new Map<string, PlacementVerdict>();
    // The answer depends only on placement inputs (cpu/memory, GPU demand, placement verdicts): judged once per
    // placement signature, its messages reported on every workload of that signature.
    const perSignature = new Map<string, Array<[string, string]>>();
    for (const w of ctx.workloads()) {
      const req = ctx.cpuMemoryRequests(w.template);
      if (!(req.cpu > 0) && !(req.memoryBytes > 0)) continue;
      const sig = ctx.placementSignature(w.template);
      let found = perSignature.get(sig);
      if (!found) perSignature.set(sig, found = unusableSlices(ctx, w.template, req, byPool, memo));
      for (const [message, remediation] of found) yield ctx.finding(w.object, `${w.template.podSpecPath}.containers`, message, remediation);
    }
  },
};

/** GPU405's messages and remediations for one pod template with cpu or memory requests. */
function unusableSlices(ctx: RuleContext, template: PodTemplateRef, req: Readonly<{ cpu: number; memoryBytes: number }>,
  byPool: ReadonlyMap<PoolModel, SharedPool>, memo: Map<string, PlacementVerdict>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const demand = ctx.gpuDemand(template);
  for (const resource of Object.keys(demand).sort()) {
    const judged: Array<{ pool: string; type: GpuInstanceType; slices: number; fit: number; cpu: number; mem: number }> = [];
    let usable = false;
    for (const pool of ctx.nodePools()) {
      const sp = byPool.get(pool);
      // The node's view (its MIG/time-slicing config); GPU401 judges whether Karpenter is told.
      const model = sp ? sp.effective : pool;
      const verdict = sp && sp.effective !== pool ? placeOn(ctx, memo, template, sp) : ctx.placement(template, pool);
      if (!verdict.fits) continue;
      for (const type of verdict.instanceTypes) {
        const advertised = model.advertisedResources(type)[resource] ?? 0;
        if (!isMigResourceName(resource) && advertised <= type.gpuCount) continue; // not shared
        const slices = Math.floor(advertised / demand[resource] + 1e-9);
        if (slices < 2) continue;
        const alloc = podRoomOf(pool, type);
        const fit = Math.min(req.cpu > 0 ? Math.floor(alloc.cpu / req.cpu + 1e-9) : Infinity,
          req.memoryBytes > 0 ? Math.floor(alloc.memoryBytes / req.memoryBytes + 1e-9) : Infinity);
        if (fit >= slices) usable = true;
        else judged.push({ pool: pool.name, type, slices, fit, cpu: alloc.cpu, mem: alloc.memoryBytes });
      }
    }
    if (usable || judged.length === 0) continue;
    const j = judged[0];
    out.push([
      `requests ${+req.cpu.toFixed(3)} cpu and ${+(req.memoryBytes / 2 ** 30).toFixed(2)}Gi per pod of ${resource}: a ${j.type.name} of NodePool ${j.pool} `
      + `offers ${j.slices} slices but its allocatable (${+j.cpu.toFixed(2)} cpu, ${+(j.mem / 2 ** 30).toFixed(1)}Gi) holds only ${j.fit} such pod${j.fit === 1 ? '' : 's'}; `
      + `${j.slices - j.fit} slice${j.slices - j.fit === 1 ? '' : 's'} per node sit idle and Karpenter launches a node for every ${Math.max(j.fit, 1)} pod${j.fit === 1 ? '' : 's'}`,
      `Request at most ${+(Math.floor(j.cpu / j.slices * 10) / 10).toFixed(1)} cpu and ${Math.floor(j.mem / j.slices / 2 ** 20)}Mi per pod on ${j.type.name}, or use whole GPUs.`,
    ]);
  }
  return out;
}

/** vLLM's default `--gpu-memory-utilization`. */
const VLLM_DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

/** GPU406 — vLLM on time-sliced GPUs must keep to its share of GPU memory. */
export const VLLM_TIME_SLICED_MEMORY: Rule = {
  id: 'GPU406',
  title: 'A vLLM server on time-sliced GPUs must not claim more than its share of GPU memory',
  severity: Severity.WARNING,
  kinds: [...POD_TEMPLATE_KINDS, 'NodePool', 'ConfigMap', 'ClusterPolicy'],
  remediation: 'Set --gpu-memory-utilization to at most 1 / replicas (e.g. 0.22 on GPUs time-sliced 4 ways; InferenceDeployment '
    + 'does), or serve from whole GPUs or MIG slices, which isolate memory.',
  description: 'Time-slicing hands one GPU to several pods without dividing its memory (k8s-device-plugin README, '
    + '"Shared Access to GPUs with CUDA Time-Slicing": no memory or fault isolation between replicas). vLLM claims '
    + '`--gpu-memory-utilization` of the whole GPU\'s memory at start-up (default 0.9) and refuses to start when less is '
    + 'free ("Free memory on device … on startup is less than desired GPU memory utilization", vLLM V1 worker). On a '
    + 'pool whose device plugin config time-slices each GPU into n replicas, a server claiming more than 1/n leaves '
    + 'the other pods the GPU is handed to too little memory: a second vLLM on it crash-loops, other processes run '
    + 'out of memory. A warning: whether other pods land on the same GPU cannot be seen. MPS pools (which cap each '
    + 'client\'s memory) and a `--config` file are not judged; the pool\'s config is read as for GPU403.',
  *check(ctx) {
    const pools = sharedPools(ctx).filter((sp) => sp.timeSlicing?.strategy === 'time-slicing'
      && sp.timeSlicing.resources.some((r) => r.name === 'nvidia.com/gpu'));
    if (pools.length === 0) return;
    const memo = new Map<string, PlacementVerdict>();
    for (const w of ctx.workloads()) {
      const containers: any[] = Array.isArray(w.template.podSpec?.containers) ? w.template.podSpec.containers : [];
      for (const [i, c] of containers.entries()) {
        const argv = vllmArgv(c);
        if (!argv || flagText(argv, ['--config']) !== undefined) continue;
        const raw = flagText(argv, ['--gpu-memory-utilization', '--gpu_memory_utilization']);
        const utilization = raw === undefined ? VLLM_DEFAULT_GPU_MEMORY_UTILIZATION : Number(raw);
        if (!(utilization > 0 && utilization <= 1)) continue; // (not a fraction: vLLM refuses it itself)
        for (const sp of pools) {
          const r = sp.timeSlicing!.resources.find((x) => x.name === 'nvidia.com/gpu')!;
          if (!(containerRequest(c, r.advertised) > 0) || utilization <= 1 / r.replicas + 1e-9) continue;
          if (!placeOn(ctx, memo, w.template, sp).fits) continue;
          yield ctx.finding(w.object, `${w.template.podSpecPath}.containers[${i}].args`,
            `container ${describeValue(c?.name ?? '?')} runs vLLM with --gpu-memory-utilization ${raw ?? `${utilization} (vLLM's default)`} on `
            + `NodePool ${sp.pool.name}, whose GPUs are time-sliced ${r.replicas} ways (device plugin config ${sp.timeSlicing!.key}): `
            + `time-slicing does not divide memory, so it claims ${Math.round(utilization * 100)}% of a GPU that ${r.replicas - 1} other pods `
            + 'may be given; a second vLLM there stops at start-up ("Free memory on device … is less than desired GPU memory '
            + 'utilization") and other processes run out of memory');
          break;
        }
      }
    }
  },
};

/** The sharing rules, sorted by id. */
export const SHARING_RULES: Rule[] = [
  MIG_SLICE_PLACEABLE, MIG_POOL_MIG_CAPABLE, TIME_SLICED_SINGLE_REQUEST, TIME_SLICED_PRODUCTION, SLICES_USABLE, VLLM_TIME_SLICED_MEMORY,
];
