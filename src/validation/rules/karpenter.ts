/**
 * Karpenter NodePool rules (karpenter.sh/v1): GPU003/GPU005/GPU008 (core), and GPU101-GPU106 (pools: catalog types,
 * GPU limit vs. largest type, duration and cron syntax, keys Karpenter refuses, nodeClassRef), exported as
 * KARPENTER_RULES.
 */
import { GPU_LABEL_KEYS, gpuSelectingRequirement, isBlocking, isGpuPool, sampleTypes } from './gpu-pools';
import { GpuInstanceType } from '../../catalog';
import { GpuConfigError } from '../../errors';
import {
  BUDGET_DURATION, KARPENTER_DURATION, KARPENTER_DURATION_OR_NEVER, cronScheduleProblem, restrictedKeyReason,
} from '../../pools/karpenter-syntax';
import { textOf } from '../../private/describe';
import { listed } from '../../private/lists';
import { GPU_OPERATOR_OWN_TOLERATIONS } from '../../private/node-agents';
import { PoolModel } from '../../scheduling/nodepool';
import { formatTaint, untoleratedTaints } from '../../scheduling/taints';
import { Severity } from '../model';
import { Rule, RuleContext } from '../rule';

/** GPU003 — a GPU NodePool must taint its nodes. */
export const GPU_POOL_TAINTED: Rule = {
  id: 'GPU003',
  title: 'A GPU NodePool must taint its nodes (NoSchedule or NoExecute)',
  severity: Severity.ERROR,
  kinds: ['NodePool'],
  remediation: 'Add spec.template.spec.taints: [{key: nvidia.com/gpu, effect: NoSchedule}] and tolerate it in GPU workloads.',
  description: 'A NodePool whose requirements deliberately allow GPU instance types (by instance type, family, '
    + 'category such as g or p, or GPU name/count/manufacturer/memory) needs a `NoSchedule` or `NoExecute` taint in '
    + '`spec.template.spec.taints`; otherwise every CPU pod may be scheduled onto its GPU nodes, which then cannot '
    + 'scale down. `startupTaints` do not count (they are removed once the node is ready), nor does '
    + '`PreferNoSchedule` (a preference only). Any blocking taint key protects the nodes; `nvidia.com/gpu` is the '
    + 'convention. A pool that can launch GPU types without selecting them (e.g. no instance requirements at all) '
    + 'is a general pool: GPU008 warns about it instead.',
  *check(ctx) {
    for (const pool of ctx.nodePools()) {
      if (!isGpuPool(pool)) continue;
      if (pool.taints.some(isBlocking)) continue;
      const why = gpuSelectingRequirement(pool);
      const notes: string[] = [];
      const startup = pool.startupTaints.filter(isBlocking);
      if (startup.length > 0) notes.push(`its startupTaints (${startup.map(formatTaint).join(', ')}) are removed once the node is ready`);
      const soft = pool.taints.filter((t) => !isBlocking(t));
      if (soft.length > 0) notes.push(`${soft.map(formatTaint).join(', ')} is only a preference`);
      yield ctx.finding(pool.object, 'spec.template.spec.taints',
        `allows GPU instance types (${sampleTypes(pool)}${why ? `, by ${why}` : ''}) but has no NoSchedule/NoExecute taint`
        + `${notes.length ? ` (${notes.join('; ')})` : ''}, so CPU pods can fill its GPU nodes`);
    }
  },
};

/** The most expensive GPU type a pool may launch (by on-demand price), for messages. */
function priciest(pool: PoolModel): GpuInstanceType | undefined {
  let best: GpuInstanceType | undefined;
  for (const t of pool.instanceTypes) {
    if (t.gpuCount > 0 && t.onDemandUsdPerHour !== undefined && (best === undefined || t.onDemandUsdPerHour > best.onDemandUsdPerHour!)) best = t;
  }
  return best;
}

/** GPU008 — a general NodePool that can launch GPU types must exclude them or taint its nodes. */
export const GENERAL_POOL_ADMITS_GPU_TYPES: Rule = {
  id: 'GPU008',
  title: 'A NodePool that can launch GPU instance types without selecting them must exclude them or taint its nodes',
  severity: Severity.WARNING,
  kinds: ['NodePool'],
  remediation: 'Exclude GPU types from the pool with a requirement {key: karpenter.k8s.aws/instance-gpu-count, operator: '
    + 'DoesNotExist} (or karpenter.k8s.aws/instance-category NotIn [g, p]); or, if the pool is meant for GPUs, select them '
    + 'explicitly and add the taint {key: nvidia.com/gpu, effect: NoSchedule}.',
  description: 'Karpenter may launch any instance type a NodePool\'s requirements admit. A pool with no instance '
    + 'requirements (or only ones that GPU types also meet, such as `kubernetes.io/arch In [amd64]`) admits GPU types '
    + 'too: a pending GPU pod makes it launch a GPU node, and without a `NoSchedule`/`NoExecute` taint every CPU pod '
    + 'may then land on that node (tens of dollars an hour) and keep it from scaling down. The placement rules '
    + '(GPU002, GPU006) count such a pool as offering GPUs, so this rule closes the gap GPU003 leaves: GPU003 (error) '
    + 'judges pools that select GPU types deliberately; this one (warning) judges pools that admit them by omission.',
  *check(ctx) {
    for (const pool of ctx.nodePools()) {
      if (!pool.offersGpu || isGpuPool(pool)) continue; // GPU003 judges deliberate GPU pools
      if (pool.taints.some(isBlocking)) continue;
      const gpuTypes = pool.instanceTypes.filter((t) => t.gpuCount > 0);
      const top = priciest(pool);
      const how = pool.requirements.length === 0 ? 'has no requirements, so it' : 'has no requirement that excludes GPU types, so it';
      yield ctx.finding(pool.object, 'spec.template.spec.requirements',
        `${how} may launch any of ${gpuTypes.length} GPU instance types (${gpuTypes.slice(0, 3).map((t) => t.name).join(', ')}${gpuTypes.length > 3 ? ', …' : ''}`
        + `${top ? `; up to ${top.name} at $${top.onDemandUsdPerHour!.toFixed(2)}/h on demand` : ''}) `
        + 'and has no NoSchedule/NoExecute taint, so CPU pods can fill a GPU node it launches for a GPU pod');
    }
  },
};

/** GPU005 — a GPU NodePool should bound its GPUs. */
export const GPU_POOL_LIMITED: Rule = {
  id: 'GPU005',
  title: 'A GPU NodePool should limit nvidia.com/gpu',
  severity: Severity.WARNING,
  kinds: ['NodePool'],
  remediation: 'Set spec.limits["nvidia.com/gpu"] to the most GPUs this pool may run at once.',
  description: 'Without `spec.limits["nvidia.com/gpu"]` nothing bounds how many GPU nodes Karpenter launches for the '
    + 'pool: a runaway scaler or a stuck job queue turns into an unbounded bill. Static NodePools (`spec.replicas`) '
    + 'are exempt: their node count is fixed, and the NodePool CRD accepts only `limits.nodes` on them.',
  *check(ctx) {
    for (const pool of ctx.nodePools()) {
      if (!isGpuPool(pool) || pool.gpuLimit !== undefined || typeof pool.object?.spec?.replicas === 'number') continue;
      const raw = pool.object?.spec?.limits?.['nvidia.com/gpu'];
      yield ctx.finding(pool.object, 'spec.limits',
        raw === undefined
          ? `allows GPU instance types (${sampleTypes(pool)}) but sets no limits["nvidia.com/gpu"], so nothing bounds how many GPUs it launches`
          : `limits["nvidia.com/gpu"] is ${JSON.stringify(raw)}, not a quantity, so nothing bounds how many GPUs it launches`);
    }
  },
};

// ---------------------------------------------------------------------------------------------------------------
// GPU101-GPU106: rules of the pools family. They read the raw NodePool JSON (not only the scheduling model) so
// that malformed fields are reported with their exact path.
// ---------------------------------------------------------------------------------------------------------------

const INSTANCE_TYPE_KEY = 'node.kubernetes.io/instance-type';
const FAMILY_KEY = 'karpenter.k8s.aws/instance-family';

function rawNodePools(ctx: RuleContext): any[] {
  return ctx.byKind('NodePool', 'karpenter.sh').filter((o) => o && typeof o === 'object');
}

function requirementsOf(pool: any): any[] {
  const r = pool?.spec?.template?.spec?.requirements;
  return Array.isArray(r) ? r : [];
}

/** Whether a raw NodePool is meant for GPUs: it names a catalog GPU type/family, requires a GPU label, limits GPUs or taints for GPUs. */
function intendsGpu(pool: any): boolean {
  if (pool?.spec?.limits && Object.prototype.hasOwnProperty.call(pool.spec.limits, 'nvidia.com/gpu')) return true;
  const families = GpuInstanceType.families();
  for (const r of requirementsOf(pool)) {
    if (GPU_LABEL_KEYS.includes(r?.key)) return true;
    const values: unknown[] = Array.isArray(r?.values) ? r.values : [];
    if (r?.key === INSTANCE_TYPE_KEY && values.some((v) => GpuInstanceType.tryOf(String(v)) !== undefined)) return true;
    if (r?.key === FAMILY_KEY && values.some((v) => families.includes(String(v)))) return true;
  }
  const taints = pool?.spec?.template?.spec?.taints;
  return Array.isArray(taints) && taints.some((t: any) => typeof t?.key === 'string' && /gpu/i.test(t.key));
}

function catalogProblem(lookup: () => unknown): GpuConfigError | undefined {
  try {
    lookup();
    return undefined;
  } catch (e) {
    if (e instanceof GpuConfigError) return e;
    throw e;
  }
}

/** GPU101 — instance types and families named by a GPU NodePool must exist in the catalog and have GPUs. */
export const NODEPOOL_TYPES_IN_CATALOG: Rule = {
  id: 'GPU101',
  title: 'A GPU NodePool may only name known GPU instance types and families',
  severity: Severity.ERROR,
  kinds: ['NodePool'],
  remediation: 'Spell instance types and families as EC2 does (e.g. p5.48xlarge, g6e) and list only types with GPUs.',
  description: 'In a NodePool meant for GPUs (it names a GPU type or family, requires a `karpenter.k8s.aws/instance-gpu-*` '
    + 'label, limits `nvidia.com/gpu` or taints for GPUs), every value of a `node.kubernetes.io/instance-type In` or '
    + '`karpenter.k8s.aws/instance-family In` requirement must be a GPU type or family of the catalog. Karpenter '
    + 'silently ignores a misspelt type (the pool then launches fewer types than intended, or none), and a CPU type '
    + 'in a GPU pool never serves a GPU pod. Types the catalog does not cover (e.g. inf2, trn1) are reported too.',
  *check(ctx) {
    for (const pool of rawNodePools(ctx)) {
      if (!intendsGpu(pool)) continue;
      const reqs = requirementsOf(pool);
      for (let i = 0; i < reqs.length; i++) {
        const r = reqs[i];
        if (r?.operator !== 'In' || !Array.isArray(r.values)) continue;
        if (r.key !== INSTANCE_TYPE_KEY && r.key !== FAMILY_KEY) continue;
        for (let j = 0; j < r.values.length; j++) {
          const v = textOf(r.values[j]);
          const e = r.key === INSTANCE_TYPE_KEY
            ? catalogProblem(() => GpuInstanceType.of(v))
            : catalogProblem(() => GpuInstanceType.ofFamily(v));
          if (e) {
            yield ctx.finding(pool, `spec.template.spec.requirements[${i}].values[${j}]`,
              `${r.key === INSTANCE_TYPE_KEY ? 'instance type' : 'instance family'} ${e.problem}`, `${e.fix[0].toUpperCase()}${e.fix.slice(1)}.`);
          }
        }
      }
    }
  },
};

/** GPU102 — the GPU limit must admit one node of the largest allowed type. */
export const NODEPOOL_GPU_LIMIT_ADMITS_LARGEST: Rule = {
  id: 'GPU102',
  title: 'A NodePool\'s GPU limit must admit one node of its largest instance type',
  severity: Severity.ERROR,
  kinds: ['NodePool'],
  remediation: 'Raise spec.limits["nvidia.com/gpu"] to at least the GPU count of the largest allowed type, or drop that type.',
  description: 'Karpenter never launches a node that would take the pool over `limits["nvidia.com/gpu"]`, so with a '
    + 'limit below the GPU count of an allowed type (e.g. 4 with p4d.24xlarge, 8 GPUs) that type is dead weight, and '
    + 'when the limit is below every allowed type the pool launches nothing at all while pods stay Pending. Allowed '
    + 'types are the catalog types the requirements admit.',
  *check(ctx) {
    for (const pool of ctx.nodePools()) {
      if (pool.gpuLimit === undefined) continue;
      const gpuTypes = pool.instanceTypes.filter((t) => t.gpuCount > 0);
      if (gpuTypes.length === 0) continue;
      const largest = gpuTypes.reduce((a, b) => (b.gpuCount > a.gpuCount ? b : a));
      if (pool.gpuLimit >= largest.gpuCount) continue;
      const fitting = gpuTypes.filter((t) => t.gpuCount <= pool.gpuLimit!);
      yield ctx.finding(pool.object, 'spec.limits["nvidia.com/gpu"]',
        `is ${pool.gpuLimit}, below one ${largest.name} node (${largest.gpuCount} GPUs)`
        + (fitting.length === 0 ? ', and below every allowed type, so the pool can launch no node at all'
          : `, so Karpenter never launches ${largest.name} from this pool`),
        `Raise limits["nvidia.com/gpu"] to at least ${largest.gpuCount} (a multiple of ${largest.gpuCount} for whole nodes) or drop ${largest.name}.`);
    }
  },
};

/** GPU103 — Karpenter durations must parse. */
export const NODEPOOL_DURATIONS_PARSE: Rule = {
  id: 'GPU103',
  title: 'NodePool durations must use Karpenter\'s syntax',
  severity: Severity.ERROR,
  kinds: ['NodePool'],
  remediation: 'Write durations as Go durations of hours, minutes and seconds, e.g. 30s, 5m, 720h or 1h30m (or Never where allowed).',
  description: '`disruption.consolidateAfter` and `template.spec.expireAfter` must match `^(([0-9]+(s|m|h))+|Never)$`, '
    + '`template.spec.terminationGracePeriod` `^([0-9]+(s|m|h))+$`, and `disruption.budgets[].duration` only minutes '
    + 'and hours (`^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$`), as in the karpenter.sh/v1 CRD. Days (`30d`), '
    + 'fractions (`1.5h`) and ISO 8601 (`PT5M`) are refused by the API server. A number instead of a string too.',
  *check(ctx) {
    for (const pool of rawNodePools(ctx)) {
      const checks: Array<[string, unknown, RegExp, string]> = [
        ['spec.disruption.consolidateAfter', pool.spec?.disruption?.consolidateAfter, KARPENTER_DURATION_OR_NEVER, 'e.g. 30s, 5m or Never'],
        ['spec.template.spec.expireAfter', pool.spec?.template?.spec?.expireAfter, KARPENTER_DURATION_OR_NEVER, 'e.g. 720h or Never'],
        ['spec.template.spec.terminationGracePeriod', pool.spec?.template?.spec?.terminationGracePeriod, KARPENTER_DURATION, 'e.g. 1h or 48h'],
      ];
      const budgets = pool.spec?.disruption?.budgets;
      if (Array.isArray(budgets)) {
        budgets.forEach((b: any, i: number) => checks.push([`spec.disruption.budgets[${i}].duration`, b?.duration, BUDGET_DURATION, 'minutes and hours only, e.g. 8h or 1h30m']));
      }
      for (const [path, value, pattern, example] of checks) {
        if (value === undefined) continue;
        if (typeof value !== 'string' || !pattern.test(value)) {
          yield ctx.finding(pool, path, `is ${JSON.stringify(value)}, which Karpenter does not parse as a duration (${example})`);
        }
      }
    }
  },
};

/** GPU104 — disruption budget schedules must parse as cron and come with a duration. */
export const NODEPOOL_BUDGET_SCHEDULES_PARSE: Rule = {
  id: 'GPU104',
  title: 'NodePool disruption budget schedules must be valid cron with a duration',
  severity: Severity.ERROR,
  kinds: ['NodePool'],
  remediation: 'Write the schedule as 5 cron fields in UTC (minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5") and set duration with it.',
  description: 'Karpenter parses `disruption.budgets[].schedule` with the standard cron parser: five fields or a '
    + 'descriptor such as `@daily`; no seconds field, no timezone (schedules are UTC). A schedule needs a `duration` '
    + '(and a duration a schedule), per the CRD\'s rule "\'schedule\' must be set with \'duration\'". A budget whose '
    + 'schedule does not parse never protects anything.',
  *check(ctx) {
    for (const pool of rawNodePools(ctx)) {
      const budgets = pool.spec?.disruption?.budgets;
      if (!Array.isArray(budgets)) continue;
      for (let i = 0; i < budgets.length; i++) {
        const b = budgets[i] ?? {};
        const path = `spec.disruption.budgets[${i}]`;
        if ((b.schedule === undefined) !== (b.duration === undefined)) {
          yield ctx.finding(pool, path, `sets ${b.schedule === undefined ? 'duration without schedule' : 'schedule without duration'}; Karpenter requires both or neither`);
        }
        if (b.schedule === undefined) continue;
        const problem = typeof b.schedule === 'string' ? cronScheduleProblem(b.schedule) : 'is not a string';
        if (problem) yield ctx.finding(pool, `${path}.schedule`, `is ${JSON.stringify(b.schedule)}, which ${problem}`);
      }
    }
  },
};

/** GPU105 — requirement and label keys Karpenter refuses. */
export const NODEPOOL_RESTRICTED_KEYS: Rule = {
  id: 'GPU105',
  title: 'NodePool requirements and labels must not use keys Karpenter refuses',
  severity: Severity.ERROR,
  kinds: ['NodePool'],
  remediation: 'Use Karpenter\'s well-known keys (node.kubernetes.io/instance-type, karpenter.k8s.aws/instance-gpu-name, …) or a label in your own domain (e.g. example.com/team).',
  description: 'The karpenter.sh/v1 CRD refuses `karpenter.sh/*` keys other than `capacity-type` and `nodepool`, '
    + '`karpenter.k8s.aws/*` keys other than its well-known labels, `karpenter.sh/nodepool` and '
    + '`kubernetes.io/hostname`, in `template.spec.requirements[].key` and `template.metadata.labels`; Karpenter\'s '
    + 'runtime validation also refuses the kubelet-reserved `kubernetes.io` and `k8s.io` domains (except '
    + '`node.kubernetes.io`, `node-restriction.kubernetes.io`, `kops.k8s.io` and the well-known labels such as '
    + '`kubernetes.io/arch`), marking the NodePool not ready. The message is Karpenter\'s own reason.',
  *check(ctx) {
    for (const pool of rawNodePools(ctx)) {
      const reqs = requirementsOf(pool);
      for (let i = 0; i < reqs.length; i++) {
        const key = reqs[i]?.key;
        if (typeof key !== 'string') continue;
        const reason = restrictedKeyReason(key);
        if (reason) yield ctx.finding(pool, `spec.template.spec.requirements[${i}].key`, `is ${JSON.stringify(key)}: ${reason}`);
      }
      const labels = pool.spec?.template?.metadata?.labels;
      if (labels && typeof labels === 'object') {
        for (const key of Object.keys(labels)) {
          const reason = restrictedKeyReason(key);
          if (reason) yield ctx.finding(pool, `spec.template.metadata.labels[${JSON.stringify(key)}]`, `is refused: ${reason}`);
        }
      }
    }
  },
};

/** GPU106 — nodeClassRef should point at an EC2NodeClass of the same manifests. */
export const NODEPOOL_NODECLASS_PRESENT: Rule = {
  id: 'GPU106',
  title: 'A NodePool\'s nodeClassRef should name an EC2NodeClass in the same manifests',
  severity: Severity.WARNING,
  kinds: ['NodePool', 'EC2NodeClass'],
  remediation: 'Add the EC2NodeClass to the manifests, or fix nodeClassRef (group karpenter.k8s.aws, kind EC2NodeClass, name).',
  description: 'A NodePool whose `template.spec.nodeClassRef` names an EC2NodeClass that is not among the linted '
    + 'manifests launches nothing until that EC2NodeClass exists (Karpenter reports NodeClassReady=False). It may '
    + 'live in another file or be managed elsewhere, hence a warning. A ref with a misspelt kind or group is reported too.',
  *check(ctx) {
    const classes = ctx.byKind('EC2NodeClass', 'karpenter.k8s.aws');
    const names = new Set(classes.map((c) => c?.metadata?.name));
    for (const pool of rawNodePools(ctx)) {
      const ref = pool.spec?.template?.spec?.nodeClassRef;
      if (!ref || typeof ref !== 'object') {
        yield ctx.finding(pool, 'spec.template.spec.nodeClassRef', 'is missing; every karpenter.sh/v1 NodePool needs a nodeClassRef');
        continue;
      }
      const kindLooksAws = typeof ref.kind === 'string' && ref.kind.toLowerCase() === 'ec2nodeclass';
      if (kindLooksAws && (ref.kind !== 'EC2NodeClass' || ref.group !== 'karpenter.k8s.aws')) {
        yield ctx.finding(pool, 'spec.template.spec.nodeClassRef',
          `is ${JSON.stringify({ group: ref.group, kind: ref.kind })}, not group "karpenter.k8s.aws" and kind "EC2NodeClass"`);
        continue;
      }
      if (ref.kind !== 'EC2NodeClass') continue; // another provider's node class: not ours to judge
      if (!names.has(ref.name)) {
        const known = [...names].filter((n) => typeof n === 'string');
        yield ctx.finding(pool, 'spec.template.spec.nodeClassRef.name',
          `names EC2NodeClass ${JSON.stringify(ref.name)}, which is not in these manifests`
          + (known.length > 0 ? ` (they define ${known.map((n) => JSON.stringify(n)).join(', ')})` : ''),
          known.length > 0 ? `Point nodeClassRef.name at one of ${known.join(', ')}, or add EC2NodeClass ${textOf(ref.name)}.` : undefined);
      }
    }
  },
};

/** A device plugin of the manifests: who runs it and with which tolerations. */
interface DevicePluginProvider {
  readonly describe: string;
  /** Where its tolerations are written, for the fix. */
  readonly field: string;
  readonly tolerations: readonly any[];
}

/**
 * The NVIDIA device plugins the manifests run: a ClusterPolicy whose device plugin is on (its operands' tolerations:
 * `daemonsets.tolerations` when non-empty, which replaces the operator's own, else that default; gpu-operator
 * `controllers/object_controls.go`), and DaemonSets running the `k8s-device-plugin` image (not as GPU feature discovery).
 */
function devicePluginProviders(ctx: RuleContext): DevicePluginProvider[] {
  const out: DevicePluginProvider[] = [];
  for (const cp of ctx.byKind('ClusterPolicy', 'nvidia.com')) {
    if (cp?.spec?.devicePlugin?.enabled === false) continue;
    const own = cp?.spec?.daemonsets?.tolerations;
    const name = textOf(cp?.metadata?.name);
    out.push({
      describe: `ClusterPolicy ${name} (daemonsets.tolerations)`,
      field: `spec.daemonsets.tolerations of ClusterPolicy ${name}`,
      tolerations: Array.isArray(own) && own.length > 0 ? own : GPU_OPERATOR_OWN_TOLERATIONS,
    });
  }
  for (const w of ctx.workloads()) {
    if (w.kind !== 'DaemonSet') continue;
    const containers = Array.isArray(w.template.podSpec?.containers) ? w.template.podSpec.containers : [];
    const runs = containers.some((c: any) => typeof c?.image === 'string' && /k8s-device-plugin/.test(c.image)
      && !(Array.isArray(c.command) ? c.command : []).concat(Array.isArray(c.args) ? c.args : []).some((a: unknown) => typeof a === 'string' && /gpu-feature-discovery/.test(a)));
    if (!runs) continue;
    const tolerations = w.template.podSpec?.tolerations;
    const name = textOf(w.object?.metadata?.name);
    out.push({ describe: `DaemonSet ${name}`, field: `the tolerations of DaemonSet ${name}`, tolerations: Array.isArray(tolerations) ? tolerations : [] });
  }
  return out;
}

/** GPU107 — the device plugin must be able to run on every GPU NodePool's nodes. */
export const DEVICE_PLUGIN_TOLERATES_POOLS: Rule = {
  id: 'GPU107',
  title: 'The NVIDIA device plugin must tolerate the taints of every GPU NodePool',
  severity: Severity.ERROR,
  kinds: ['NodePool', 'ClusterPolicy', 'DaemonSet'],
  remediation: 'Add a toleration for the taint to the GPU Operator\'s ClusterPolicy `daemonsets.tolerations` (GpuOperatorSettings `tolerations`) '
    + 'or to the device plugin DaemonSet, or drop the taint from the NodePool.',
  description: 'A GPU node advertises `nvidia.com/gpu` only once the NVIDIA device plugin runs on it, and a DaemonSet pod lands on a '
    + 'tainted node only when it tolerates the taint (the DaemonSet controller adds tolerations for node conditions only: '
    + 'Kubernetes docs, "DaemonSet"). The GPU Operator gives its operands `daemonsets.tolerations` of the ClusterPolicy, '
    + 'which replaces its own `nvidia.com/gpu` toleration when not empty (gpu-operator `controllers/object_controls.go`). '
    + 'So a GPU NodePool tainted with anything else, such as the spot taint `karpenter.sh/capacity-type=spot:NoSchedule`, '
    + 'gets nodes without a device plugin: they never advertise their GPUs, the GPU pods Karpenter launched them for stay '
    + 'Pending and the nodes are paid for nothing. Judged when the manifests run a device plugin (a ClusterPolicy whose '
    + 'device plugin is on, or a DaemonSet running the `k8s-device-plugin` image); a NodePool is fine when one of them '
    + 'tolerates all its blocking taints. The Node Feature Discovery worker, which labels GPU nodes for the operator, has '
    + 'the same need, but its tolerations live in the Helm values, not in the manifests (`GpuEksCluster.addChart` checks '
    + 'both for the operator it installs).',
  *check(ctx) {
    const providers = devicePluginProviders(ctx);
    if (providers.length === 0) return;
    for (const pool of ctx.nodePools()) {
      if (!pool.offersGpu) continue;
      const missing = providers.map((p) => ({ p, untolerated: untoleratedTaints(p.tolerations, pool.taints) }));
      if (missing.some((m) => m.untolerated.length === 0)) continue;
      const first = missing[0].untolerated[0];
      const raw = pool.object?.spec?.template?.spec?.taints;
      const index = Array.isArray(raw) ? raw.findIndex((t: any) => t?.key === first.key && t?.effect === first.effect) : -1;
      yield ctx.finding(pool.object, index >= 0 ? `spec.template.spec.taints[${index}]` : 'spec.template.spec.taints',
        `taints its GPU nodes ${listed(missing[0].untolerated.map(formatTaint))}, which no device plugin of these manifests tolerates `
        + `(${missing.map((m) => `${m.p.describe}: ${m.untolerated.map(formatTaint).join(', ')}`).join('; ')}): the device plugin never runs `
        + 'on its nodes, so they never advertise nvidia.com/gpu and the GPU pods Karpenter launches them for stay Pending',
        `Add { key: ${JSON.stringify(first.key)}, operator: Exists, effect: ${first.effect} } to ${missing[0].p.field}, or drop the taint.`);
    }
  },
};

/** The pools family of rules (GPU101-GPU107), for the built-in registry. */
export const KARPENTER_RULES: Rule[] = [
  NODEPOOL_TYPES_IN_CATALOG,
  NODEPOOL_GPU_LIMIT_ADMITS_LARGEST,
  NODEPOOL_DURATIONS_PARSE,
  NODEPOOL_BUDGET_SCHEDULES_PARSE,
  NODEPOOL_RESTRICTED_KEYS,
  NODEPOOL_NODECLASS_PRESENT,
  DEVICE_PLUGIN_TOLERATES_POOLS,
];
