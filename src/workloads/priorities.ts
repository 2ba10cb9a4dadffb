/**
 * TieredPriorities: the policy "inference > training > experiments" as PriorityClasses, plus per-team namespaces
 * with GPU quotas, a LimitRange and least-privilege RBAC.
 *
 * How the tiers behave (Kubernetes "Pod Priority and Preemption"):
 * - The scheduler orders its queue by priority, and when a pod cannot be placed it may evict (preempt) pods of a
 *   strictly LOWER priority, unless the pending pod's class has `preemptionPolicy: Never`.
 * - Inference (highest user value, `Never`): nothing of ours has a higher value, so no workload of these tiers can
 *   ever preempt a serving pod (only the built-in `system-*` classes, 2e9+, outrank it — node agents must win);
 *   and with `Never` a serving pod never evicts anybody either: it waits at the head of the queue while Karpenter
 *   launches a node for it. Serving is never preempted and never preempts.
 * - Training (`PreemptLowerPriority`): may evict experiments to start; never evicts serving (higher value).
 * - Experiments (`Never` by default): the first to be preempted, and they never evict anything themselves.
 *   They are the `globalDefault` (the class of pods that name none) only when `experimentsGlobalDefault` is set:
 *   a global default also lifts every unclassed pod of the cluster to that value.
 * Priority is not protection against voluntary disruption (Karpenter consolidation, drains): that is a
 * PodDisruptionBudget's job (InferenceDeployment makes one).
 *
 * Sources: Kubernetes docs "Pod Priority and Preemption", "Resource Quotas" (extended resources: only the
 * `requests.` prefix), "Limit Ranges"; API validation of extended resources (request must equal limit; a request
 * without a limit is refused).
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { NameRule, dnsNameProblem, validateDns1123Name, validateLabels } from '../naming';
import { GpuRequest } from './gpu-request';
import { optionalBoolean } from '../private/checks';
import { PropErrors } from '../private/collect';
import { describeValue as describe } from '../private/describe';
import { PodSecurity, PodSecurityLevel, PodSecurityOptions } from '../security/pod-security';
import { TeamNetworkOptions, teamNetworkPolicies } from '../security/team-network';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Largest value a user PriorityClass may have (the API server refuses more; system classes are above it). */
const MAX_USER_PRIORITY = 1_000_000_000;

/** A PriorityClass's `preemptionPolicy`. */
export enum PreemptionPolicy {
  /** Pending pods of this class may evict pods of lower priority. */
  PREEMPT_LOWER_PRIORITY = 'PreemptLowerPriority',
  /** Pending pods of this class wait; they never evict anybody. */
  NEVER = 'Never',
}

/**
 * A priority class workloads can run at. Get one from {@link TieredPriorities} (`inference`, `training`,
 * `experiments`), a built-in system class, or {@link PriorityTier.fromName} for a class that exists elsewhere.
 */
export class PriorityTier {
  /** Built-in `system-cluster-critical` (2000000000): cluster add-ons. */
  public static readonly SYSTEM_CLUSTER_CRITICAL = new PriorityTier('system-cluster-critical', 2_000_000_000, PreemptionPolicy.PREEMPT_LOWER_PRIORITY);
  /** Built-in `system-node-critical` (2000001000): node agents. */
  public static readonly SYSTEM_NODE_CRITICAL = new PriorityTier('system-node-critical', 2_000_001_000, PreemptionPolicy.PREEMPT_LOWER_PRIORITY);

  /**
   * A PriorityClass defined outside this app (rule GPU201 reports it when it is not in the linted manifests).
   * @param name the PriorityClass name
   */
  public static fromName(name: string): PriorityTier {
    if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      throw new GpuConfigError('PriorityTier.fromName', 'name', `is ${JSON.stringify(name)}, not a valid PriorityClass name`, 'use a DNS subdomain, e.g. inference-critical');
    }
    return new PriorityTier(name);
  }

  /** @internal */
  public static _of(name: string, value: number, policy: PreemptionPolicy, obj: ApiObject): PriorityTier {
    return new PriorityTier(name, value, policy, obj);
  }

  /**
   * @param name the PriorityClass name
   * @param value its value, when known
   * @param preemptionPolicy its preemption policy, when known
   * @param priorityClass the PriorityClass object, when this app makes it
   */
  private constructor(
    /** The PriorityClass name (`priorityClassName` of pods). */
    public readonly name: string,
    /** The class's value. @default - unknown (defined elsewhere) */
    public readonly value?: number,
    /** The class's preemption policy. @default - unknown (defined elsewhere) */
    public readonly preemptionPolicy?: PreemptionPolicy,
    /** The PriorityClass object, when this app makes it. @default - defined elsewhere */
    public readonly priorityClass?: ApiObject,
  ) {}

  /** The name. */
  public toString(): string {
    return this.name;
  }
}

/** Options for one tier of {@link TieredPriorities}. */
export interface PriorityTierOptions {
  /** PriorityClass name. @default 'inference-critical', 'training-normal', 'experiment-low' (the seed's names) */
  readonly name?: string;
  /** PriorityClass value (higher wins). @default 1000000, 500000, 100000 */
  readonly value?: number;
  /** Description shown by kubectl. @default - a sentence describing the tier */
  readonly description?: string;
}

/** Props of {@link TieredPriorities}. */
export interface TieredPrioritiesProps {
  /** Production serving: never preempted by these tiers and never preempts. @default - inference-critical, 1000000 */
  readonly inference?: PriorityTierOptions;
  /** Training: may preempt experiments. @default - training-normal, 500000 */
  readonly training?: PriorityTierOptions;
  /** Experiments and notebooks: preempted first; never preempt. @default - experiment-low, 100000 */
  readonly experiments?: PriorityTierOptions;
  /**
   * Make experiments the cluster's `globalDefault` class: every pod that names no class gets its value. Only one
   * PriorityClass of a cluster may be the global default.
   * @default false
   */
  readonly experimentsGlobalDefault?: boolean;
}

/** A MIG quota entry of a team. */
export interface MigQuota {
  /** MIG profile, e.g. `1g.10gb`. */
  readonly profile: string;
  /** How many slices of it the namespace may request in total. */
  readonly count: number;
}

/** Props of a team added with {@link TieredPriorities.addTeam}. */
export interface GpuTeamProps {
  /** The namespace name. @default - the team name */
  readonly namespace?: string;
  /** Extra namespace labels (`team: <name>` is always set). @default - none */
  readonly labels?: Record<string, string>;
  /** ResourceQuota `requests.nvidia.com/gpu`: whole GPUs the namespace may request at once. @default - no GPU quota */
  readonly gpuQuota?: number;
  /** ResourceQuota `requests.nvidia.com/mig-<profile>` per MIG profile. @default - none */
  readonly migQuotas?: MigQuota[];
  /**
   * LimitRange `max` of `nvidia.com/gpu` per container: the most whole GPUs one container may take.
   *
   * The LimitRange also sets `default: {nvidia.com/gpu: 0}`: without it Kubernetes defaults the limit of every
   * container that sets none to the `max`, so sidecars, init containers and CPU pods in the namespace would each get
   * `max` GPUs. Containers that ask for no GPU get a limit (and request) of 0 instead, which asks for nothing. (Kueue
   * applies the namespace's LimitRange defaults to its workloads too; before v0.16.0, kubernetes-sigs/kueue#8241, it
   * found a workload inadmissible that requests even 0 of a resource its ClusterQueue does not cover.)
   * @default - gpuQuota (no single container may take more than the whole quota); none without gpuQuota
   */
  readonly maxGpusPerContainer?: number;
  /** Name of the team's ServiceAccount (token automount off). @default '<team>-workloads' */
  readonly serviceAccountName?: string;
  /** ConfigMaps the ServiceAccount may `get` (by name; never list). @default - none */
  readonly readableConfigMaps?: string[];
  /** Secrets the ServiceAccount may `get` (by name; never list, which would reveal every secret). @default - none */
  readonly readableSecrets?: string[];
  /**
   * Pod Security Admission levels of the namespace (`pod-security.kubernetes.io/*` labels). The library's workloads pass
   * `restricted`.
   * @default - enforce, warn and audit `restricted`
   */
  readonly podSecurity?: PodSecurityOptions;
  /**
   * NetworkPolicies of the namespace: default-deny ingress; allow the namespace itself, the monitoring namespace on the
   * metrics ports and, with `gatewayNamespace`, the gateway on the serving ports.
   * @default - made, with monitoring namespace 'monitoring', metrics port 8000 and no gateway
   */
  readonly networkPolicy?: TeamNetworkOptions;
}

/**
 * A team's namespace with its quota, LimitRange, ServiceAccount and RBAC. Made by {@link TieredPriorities.addTeam}.
 */
export class GpuTeam extends Construct {
  /** The team name (label `team`). */
  public readonly teamName: string;
  /** The namespace name. */
  public readonly namespaceName: string;
  /** The Namespace. */
  public readonly namespace: kplus.Namespace;
  /** The ResourceQuota on GPU resources, when a GPU or MIG quota is set. */
  public readonly resourceQuota?: ApiObject;
  /** The LimitRange capping GPUs per container, when a cap applies. */
  public readonly limitRange?: ApiObject;
  /** The team's ServiceAccount (token automount off). */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The Role (only when the team may read ConfigMaps or Secrets). */
  public readonly role?: kplus.Role;
  /** Whole GPUs the namespace may request, when quota'd. */
  public readonly gpuQuota?: number;
  /** The namespace's NetworkPolicies (none with `networkPolicy.enabled: false`). */
  public readonly networkPolicies: ApiObject[];

  /**
   * Prefer {@link TieredPriorities.addTeam}.
   * @param name team name (label `team`, default namespace)
   * @param props quota and RBAC
   */
  constructor(scope: Construct, id: string, name: string, props: GpuTeamProps = {}) {
    super(scope, id);
    // Every independent prop is checked; the problems are thrown together (one GpuConfigError) before anything is made.
    const c = new PropErrors(this);
    c.run(() => {
      if (typeof name !== 'string' || name.length > 63 || !DNS_LABEL.test(name)) {
        throw new GpuConfigError(this, 'name', `is ${JSON.stringify(name)}, not a valid team name (it becomes a namespace and a label value)`,
          'use at most 63 lower-case alphanumerics or "-"');
      }
    });
    // The `= {}` default covers only undefined: null (or a non-object) would fail below with a TypeError.
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      c.add(new GpuConfigError(this, 'props', `is ${describe(props)}, not an object`, 'pass { gpuQuota, readableSecrets, … } or leave props out'));
      c.throwIfAny();
    }
    this.teamName = name;
    this.namespaceName = props.namespace ?? name;
    // typeof first: DNS_LABEL.test(5) is true (the number is stringified), which would make metadata.name the number 5.
    // (the default namespace is the name: judged with it when it is not given)
    if (props.namespace !== undefined || !c.failed('name')) {
      c.run(() => {
        if (typeof this.namespaceName !== 'string' || this.namespaceName.length > 63 || !DNS_LABEL.test(this.namespaceName)) {
          throw new GpuConfigError(this, 'namespace', `is ${describe(this.namespaceName)}, not a valid namespace name`, 'use at most 63 lower-case alphanumerics or "-"');
        }
      });
    }
    if (props.serviceAccountName !== undefined) {
      c.run(() => validateDns1123Name(this, 'serviceAccountName', props.serviceAccountName!, NameRule.DNS1123_SUBDOMAIN));
    }
    c.run(() => {
      if (props.migQuotas !== undefined && !Array.isArray(props.migQuotas)) {
        throw new GpuConfigError(this, 'migQuotas', `is ${describe(props.migQuotas)}, not an array`, 'pass a list, e.g. [{ profile: \'1g.10gb\', count: 7 }]');
      }
      (props.migQuotas ?? []).forEach((q, i) => {
        if (q === null || typeof q !== 'object') {
          throw new GpuConfigError(this, `migQuotas[${i}]`, `is ${describe(q)}, not a { profile, count } entry`, 'pass entries like { profile: \'1g.10gb\', count: 7 }');
        }
      });
    });
    // RBAC names: an empty or missing name would be dropped by cdk8s-plus, leaving a rule without resourceNames,
    // which grants `get` on EVERY ConfigMap/Secret of the namespace. Check them all before anything is made.
    const configMaps = c.run(() => this.readableNames('readableConfigMaps', props.readableConfigMaps, 'ConfigMap')) as string[];
    const secrets = c.run(() => this.readableNames('readableSecrets', props.readableSecrets, 'Secret')) as string[];
    c.run(() => {
      if (props.labels !== undefined) validateLabels(this, 'labels', props.labels);
      const psaLabel = Object.keys(props.labels ?? {}).find((k) => k.startsWith(PodSecurity.LABEL_PREFIX));
      if (psaLabel !== undefined) {
        throw new GpuConfigError(this, `labels["${psaLabel}"]`, 'sets a Pod Security Admission label', 'use the podSecurity prop, which checks the levels and records the reason');
      }
    });
    const podSecurity = c.run(() => PodSecurity._check(props.podSecurity ?? { enforce: PodSecurityLevel.RESTRICTED }, this.node.path ? `${this.node.path}: podSecurity` : 'podSecurity')) as PodSecurityOptions;
    c.run(() => {
      if (props.gpuQuota !== undefined && (!Number.isInteger(props.gpuQuota) || props.gpuQuota < 0)) {
        throw new GpuConfigError(this, 'gpuQuota', `is ${props.gpuQuota}`, 'pass a whole number of GPUs >= 0');
      }
    });
    this.gpuQuota = props.gpuQuota;
    const maxPer = props.maxGpusPerContainer ?? (props.gpuQuota && props.gpuQuota > 0 ? props.gpuQuota : undefined);
    c.run(() => {
      if (props.maxGpusPerContainer !== undefined) {
        if (!Number.isInteger(props.maxGpusPerContainer) || props.maxGpusPerContainer < 1) {
          throw new GpuConfigError(this, 'maxGpusPerContainer', `is ${props.maxGpusPerContainer}`, 'pass a whole number of GPUs >= 1');
        }
        if (props.gpuQuota !== undefined && !c.failed('gpuQuota') && props.maxGpusPerContainer > props.gpuQuota) {
          throw new GpuConfigError(this, 'maxGpusPerContainer', `is ${props.maxGpusPerContainer}, above gpuQuota ${props.gpuQuota}`,
            'lower it to at most gpuQuota (a bigger container could never be admitted)');
        }
      }
    });
    c.throwIfAny();

    this.namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: this.namespaceName,
        labels: { ...(props.labels ?? {}), team: name, ...PodSecurity.labels(podSecurity) },
        annotations: PodSecurity.annotations(podSecurity),
      },
    });
    const policies = teamNetworkPolicies(this, this.namespaceName, props.networkPolicy);
    this.networkPolicies = policies ? [policies.defaultDeny, policies.allowSameNamespace, policies.allowMonitoring,
      ...(policies.allowGateway ? [policies.allowGateway] : [])] : [];

    const hard: Record<string, kplus.k8s.Quantity> = {};
    if (props.gpuQuota !== undefined) hard[`requests.${GpuRequest.NVIDIA_GPU}`] = kplus.k8s.Quantity.fromNumber(props.gpuQuota);
    (props.migQuotas ?? []).forEach((q, i) => {
      let req: GpuRequest;
      try {
        req = GpuRequest.mig(q.profile, 1);
      } catch (e) {
        if (e instanceof GpuConfigError) throw new GpuConfigError(this, `migQuotas[${i}].profile`, e.problem, e.fix);
        throw e;
      }
      if (!Number.isInteger(q.count) || q.count < 0) {
        throw new GpuConfigError(this, `migQuotas[${i}].count`, `is ${q.count}`, 'pass a whole number of slices >= 0');
      }
      const key = `requests.${req.resourceName}`;
      if (key in hard) throw new GpuConfigError(this, `migQuotas[${i}].profile`, `repeats ${q.profile}`, 'list each profile once');
      hard[key] = kplus.k8s.Quantity.fromNumber(q.count);
    });
    if (Object.keys(hard).length > 0) {
      this.resourceQuota = new kplus.k8s.KubeResourceQuota(this, 'GpuQuota', {
        metadata: { namespace: this.namespaceName },
        spec: { hard },
      });
    }
    if (maxPer !== undefined) {
      // API validation already refuses a GPU request without a limit or with request != limit, so "GPU pods without
      // limits" cannot be created; what a LimitRange adds is a per-container cap (`max`), enforced at admission.
      // `default: 0` is what keeps the cap a cap: without it the API server defaults a Container item's `default` to
      // its `max` (pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem), and the LimitRanger admission plugin then
      // gives every container and init container that sets no GPU limit `max` GPUs (GPU215).
      this.limitRange = new kplus.k8s.KubeLimitRange(this, 'GpuLimits', {
        metadata: { namespace: this.namespaceName },
        spec: {
          limits: [{
            type: 'Container',
            max: { [GpuRequest.NVIDIA_GPU]: kplus.k8s.Quantity.fromNumber(maxPer) },
            default: { [GpuRequest.NVIDIA_GPU]: kplus.k8s.Quantity.fromNumber(0) },
          }],
        },
      });
    }

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: props.serviceAccountName ?? `${name}-workloads`, namespace: this.namespaceName },
      automountToken: false,
    });
    if (configMaps.length + secrets.length > 0) {
      this.role = new kplus.Role(this, 'Role', { metadata: { namespace: this.namespaceName } });
      // `get` by name only: list/watch would reveal objects beyond the named ones.
      for (const cm of configMaps) this.role.allowGet(kplus.ConfigMap.fromConfigMapName(this, `cm-${cm}`, cm));
      for (const s of secrets) this.role.allowGet(kplus.Secret.fromSecretName(this, `secret-${s}`, s));
      this.role.bind(this.serviceAccount);
    }
  }

  /** The ConfigMap/Secret names of `prop`: an array of unique DNS-1123 subdomain names, else GpuConfigError. */
  private readableNames(prop: string, value: unknown, kind: string): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      throw new GpuConfigError(this, prop, `is ${describe(value)}, not an array of ${kind} names`,
        `pass a list of names, e.g. ['${kind === 'Secret' ? 'hf-token' : 'model-config'}']`);
    }
    const seen = new Set<string>();
    value.forEach((n, i) => {
      const problem = dnsNameProblem(n, NameRule.DNS1123_SUBDOMAIN);
      if (problem) {
        // Say why it matters when the name would vanish: cdk8s-plus would render the rule without resourceNames.
        const why = typeof n !== 'string' || n === '' ? ` (a rule without the name would grant get on every ${kind} of the namespace)` : '';
        throw new GpuConfigError(this, `${prop}[${i}]`, `${problem}${why}`,
          `name each ${kind} with at most 253 lower-case letters, digits, "-" or ".", e.g. "model-a"`);
      }
      if (seen.has(n)) throw new GpuConfigError(this, `${prop}[${i}]`, `repeats ${JSON.stringify(n)}`, `list each ${kind} once`);
      seen.add(n);
    });
    return value as string[];
  }
}

/**
 * The seeds' policy "inference > training > experiments": three PriorityClasses (see the file comment for how
 * the values and preemption policies give "serving is never preempted and never preempts"), plus
 * {@link addTeam} for per-team namespaces with GPU quotas and least-privilege RBAC.
 */
export class TieredPriorities extends Construct {
  /** Production serving. */
  public readonly inference: PriorityTier;
  /** Training jobs. */
  public readonly training: PriorityTier;
  /** Experiments and notebooks. */
  public readonly experiments: PriorityTier;
  private readonly teams = new Map<string, GpuTeam>();

  constructor(scope: Construct, id: string, props: TieredPrioritiesProps = {}) {
    super(scope, id);
    props = props ?? {};
    // Every tier's name and value is checked, then the order of the tiers; the problems are thrown together (one
    // GpuConfigError) before any PriorityClass is made.
    const c = new PropErrors(this);
    const check = (prop: string, o: PriorityTierOptions | undefined, defName: string, defValue: number) => {
      const name = o?.name ?? defName;
      const value = o?.value ?? defValue;
      c.run(() => {
        if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name) || name.startsWith('system-')) {
          throw new GpuConfigError(this, `${prop}.name`, `is ${JSON.stringify(name)}, not a valid PriorityClass name`,
            'use a DNS subdomain that does not start with "system-" (reserved)');
        }
      });
      c.run(() => {
        if (!Number.isInteger(value) || value < -2147483648 || value > MAX_USER_PRIORITY) {
          throw new GpuConfigError(this, `${prop}.value`, `is ${value}, outside -2147483648..${MAX_USER_PRIORITY}`,
            'use a whole number up to 1000000000 (larger values are reserved for system classes)');
        }
      });
      return { name, value };
    };
    const planned = [
      check('inference', props.inference, 'inference-critical', 1_000_000),
      check('training', props.training, 'training-normal', 500_000),
      check('experiments', props.experiments, 'experiment-low', 100_000),
    ];
    if (!c.failed('inference', 'training', 'experiments')) {
      c.run(() => {
        if (new Set(planned.map((t) => t.name)).size !== 3) {
          throw new GpuConfigError(this, 'name', `repeats a PriorityClass name (${planned.map((t) => t.name).join(', ')})`, 'give each tier its own name');
        }
      });
      c.run(() => {
        if (!(planned[0].value > planned[1].value && planned[1].value > planned[2].value)) {
          throw new GpuConfigError(this, 'value', `must decrease inference > training > experiments, got ${planned.map((t) => t.value).join(' > ')}`,
            'keep inference highest and experiments lowest');
        }
      });
    }
    c.run(() => optionalBoolean(this, 'experimentsGlobalDefault', props.experimentsGlobalDefault, 'pass true or false, or leave it unset (default false)'));
    c.throwIfAny();
    const make = (prop: string, o: PriorityTierOptions | undefined, defName: string, defValue: number,
      policy: PreemptionPolicy, defDescription: string, globalDefault: boolean): PriorityTier => {
      const name = o?.name ?? defName;
      const value = o?.value ?? defValue;
      const obj = new kplus.k8s.KubePriorityClass(this, prop, {
        metadata: { name },
        value,
        globalDefault,
        preemptionPolicy: policy,
        description: o?.description ?? defDescription,
      });
      return PriorityTier._of(name, value, policy, obj);
    };
    this.inference = make('inference', props.inference, 'inference-critical', 1_000_000, PreemptionPolicy.NEVER,
      'Production inference: highest user priority, so never preempted by training or experiments; never preempts (waits for new capacity).', false);
    this.training = make('training', props.training, 'training-normal', 500_000, PreemptionPolicy.PREEMPT_LOWER_PRIORITY,
      'Training jobs: may preempt experiments; never preempt inference. Checkpoint often.', false);
    this.experiments = make('experiments', props.experiments, 'experiment-low', 100_000, PreemptionPolicy.NEVER,
      'Experiments and notebooks: preempted first when GPUs run short; never preempt others.', props.experimentsGlobalDefault ?? false);
  }

  /**
   * Add a team: its namespace (label `team`), a ResourceQuota on GPU and MIG requests, a LimitRange capping GPUs per
   * container, a ServiceAccount with token automount off, and a Role/RoleBinding for the ConfigMaps and Secrets it
   * may read.
   * @param name team name (also the default namespace)
   * @param props quota and RBAC
   */
  public addTeam(name: string, props: GpuTeamProps = {}): GpuTeam {
    if (this.teams.has(name)) {
      throw new GpuConfigError(this, `teams[${JSON.stringify(name)}]`, 'is added twice', 'add each team once');
    }
    const team = new GpuTeam(this, `team-${name}`, name, props);
    this.teams.set(name, team);
    return team;
  }

  /** Every team added, in order. */
  public get allTeams(): GpuTeam[] {
    return [...this.teams.values()];
  }
}

