/**
 * The per-run index behind {@link RuleContext}: built once per `validateManifests` call, shared by every rule.
 */
import { GpuInstanceType } from '../catalog';
import { GpuConfigError } from '../errors';
import { Finding, ManifestSource, ObjectRef, SourcedManifest } from './model';
import { ReadProblem, Rule, RuleContext, WorkloadRef } from './rule';
import { _mayHaveSuppressions, Suppressions, suppressionsOf } from './suppression';
import { hasOwn } from '../private/keys';
import { DraLookup, draGpuDemand } from '../scheduling/dra';
import { NamespaceRanges, namespaceRanges } from '../scheduling/limit-ranges';
import { NODE_OVERLAY_KIND, PoolModel, poolModelOf, withDaemonSets } from '../scheduling/nodepool';
import { daemonSetOverheadOn, DaemonSetPods, PlacementMemo, placementSignature, PlacementVerdict, placeOnPool } from '../scheduling/placement';
import { demandsAny, podCpuMemoryRequests, podDemand, podGpuDemand, PodNodeRequests } from '../scheduling/resources';
import { PodTemplateRef, podTemplateOf, RequestDefaults } from '../scheduling/workloads';

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `''`. */
export function apiGroupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The {@link ObjectRef} of a manifest (`<unnamed>` / `<unknown>` when fields are missing). */
export function objectRefOf(obj: any): ObjectRef {
  const ns = obj?.metadata?.namespace;
  return {
    apiVersion: typeof obj?.apiVersion === 'string' ? obj.apiVersion : '<unknown>',
    kind: typeof obj?.kind === 'string' ? obj.kind : '<unknown>',
    ...(typeof ns === 'string' && ns !== '' ? { namespace: ns } : {}),
    name: typeof obj?.metadata?.name === 'string' && obj.metadata.name !== '' ? obj.metadata.name : '<unnamed>',
  };
}

/** Whether `obj` is `namespace`/`name` (an unset namespace reads as ''). */
function sameObject(obj: any, namespace: string, name: string): boolean {
  const ns = typeof obj?.metadata?.namespace === 'string' ? obj.metadata.namespace : '';
  return obj?.metadata?.name === name && ns === namespace;
}

/** The resources whose LimitRange default requests the pod templates get (what placement and plan count). */
const REQUEST_DEFAULTED: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);

const key3 = (kind: string, ns: string | undefined, name: string) => `${kind}\u0000${ns ?? ''}\u0000${name}`;

/** The suppressions of an object with no suppression annotation (shared, read-only). */
const NO_SUPPRESSIONS: Suppressions = Object.freeze({ rules: new Map<string, string>(), problems: Object.freeze([]) });

/**
 * What the index memoises per pod template: its GPU demand and cpu/memory requests (frozen: they are shared), and its
 * placement signature once asked.
 */
interface TemplateFacts {
  readonly gpu: Readonly<Record<string, number>>;
  readonly req: Readonly<PodNodeRequests>;
  signature?: string;
}

/**
 * The slot of its facts on a template the index made itself (workloads()): the rules ask for a template's facts some
 * 90,000 times in a lint of the bench's 10,000 objects, and a property read is cheaper than a lookup in a Map keyed by
 * the template. Facts are a function of the template alone (its pod spec, DRA demand and request defaults), so they
 * stay valid for as long as the template does. Not enumerable: the template reads as before.
 */
const FACTS = Symbol('cdk8s-gpu.templateFacts');

/** Options of a {@link ManifestIndex}. */
export interface ManifestIndexOptions {
  /**
   * Memoise GPU demand per pod template and placement verdicts per (placement signature, NodePool), and let rules
   * memoise their answers per signature. Switching it off (every call then gets a signature of its own, and every
   * placement is computed afresh) changes no result, only the time: tests compare both. @default true
   */
  readonly memoise?: boolean;
}

/**
 * Placement verdicts of one run. Memoised (the default), the verdicts of a placement signature on every NodePool of
 * the run come at once from the planner's {@link PlacementMemo} (node selection shared by pools of one shape, the
 * resource predicates by fit shape), once per distinct signature however many workloads share it: a thousand workloads
 * on a thousand pools no longer cost a million `placeOnPool` runs. A pool that is not one of the run's (a rule's variant
 * of one) is placed on its own, memoised per (signature, pool). Verdicts are frozen since they are shared.
 */
class PlacementCache {
  /** How many verdicts were computed (`placeOnPool` runs, and the memo's own computations). */
  private ownEvaluations = 0;
  private readonly verdicts = new Map<string, Map<PoolModel, PlacementVerdict>>();
  private readonly fittingBySignature = new Map<string, readonly PlacementVerdict[]>();
  private memo?: PlacementMemo;
  private poolIndex?: Map<PoolModel, number>;

  constructor(private readonly memoise: boolean, private readonly signatureOf: (t: PodTemplateRef) => string,
    private readonly factsOf: (t: PodTemplateRef) => TemplateFacts, private readonly poolsOf: () => readonly PoolModel[]) {}

  /** How many verdicts were computed. */
  public get evaluations(): number {
    return this.ownEvaluations + (this.memo?.computed ?? 0);
  }

  /** The verdicts of every NodePool of the run that fit `t`, in the pools' order; one list per signature. */
  public fitting(t: PodTemplateRef): readonly PlacementVerdict[] {
    const pools = this.poolsOf();
    if (!this.memoise) return pools.map((p) => this.place(t, p)).filter((v) => v.fits);
    const sig = this.signatureOf(t);
    let found = this.fittingBySignature.get(sig);
    if (!found) {
      if (!this.memo) {
        this.memo = new PlacementMemo(pools);
        this.poolIndex = new Map(pools.map((p, i) => [p, i]));
      }
      const { verdicts, fits } = this.memo.placement(t, sig);
      const out: PlacementVerdict[] = [];
      for (let i = 0; i < verdicts.length; i++) if (fits[i]) out.push(this.place(t, pools[i]));
      this.fittingBySignature.set(sig, found = Object.freeze(out));
    }
    return found;
  }

  public place(t: PodTemplateRef, pool: PoolModel): PlacementVerdict {
    if (!this.memoise) {
      this.ownEvaluations++;
      return placeOnPool(t, pool);
    }
    const sig = this.signatureOf(t);
    if (!this.memo) {
      const pools = this.poolsOf();
      this.memo = new PlacementMemo(pools);
      this.poolIndex = new Map(pools.map((p, i) => [p, i]));
    }
    const i = this.poolIndex!.get(pool);
    if (i !== undefined) {
      const v = this.memo.verdicts(t, sig)[i];
      if (!Object.isFrozen(v)) {
        Object.freeze(v.instanceTypes);
        Object.freeze(v.capacityTypes);
        Object.freeze(v);
      }
      return v;
    }
    let perPool = this.verdicts.get(sig);
    if (!perPool) this.verdicts.set(sig, perPool = new Map());
    let verdict = perPool.get(pool);
    if (!verdict) {
      this.ownEvaluations++;
      const facts = this.factsOf(t);
      const v = placeOnPool(t, pool, {}, { demand: facts.gpu, req: facts.req });
      const instanceTypes = Object.freeze([...v.instanceTypes]) as GpuInstanceType[];
      const capacityTypes = Object.freeze([...v.capacityTypes]) as string[];
      verdict = Object.freeze({ ...v, instanceTypes, capacityTypes });
      perPool.set(pool, verdict);
    }
    return verdict;
  }
}

/**
 * The index of one run.
 *
 * Its loops over every manifest and object go by index, as do those of the engine over findings and of the busiest
 * rules (GPU000, GPU001, GPU002's perSignature, GPU007, GPU205): a lint runs each once, mostly before V8 optimises
 * them, and there `for…of`'s iterator protocol costs more per item (`npm run bench -- lint --instructions` measured
 * it). The other rules keep `for…of`: converting their loops measured no gain.
 */
export class ManifestIndex {
  /** Every object, in input order. */
  public readonly objects: readonly any[];
  /** Sources of {@link objects}, by position. */
  private readonly sources: Array<ManifestSource | undefined> = [];
  private readonly order = new Map<any, number>();
  private readonly kinds = new Map<string, any[]>();
  private names?: Map<string, any>;
  /** byLabel answers, per `key` or `key=value` asked (each computed by one pass over the objects, on first ask). */
  private readonly labels = new Map<string, any[]>();
  private _workloads?: WorkloadRef[];
  private podLabelIndex?: Map<string, WorkloadRef[]>;
  private _pools?: PoolModel[];
  private _unreadable: ReadProblem[] = [];
  private readonly memoise: boolean;
  /** Per template (a Map, not a WeakMap: it lives for one run, and sets are several times cheaper). */
  private readonly facts = new Map<PodTemplateRef, TemplateFacts>();
  /** Per namespace's LimitRanges, the cpu and memory requests they default (null: none). */
  private readonly requestDefaults = new Map<NamespaceRanges, RequestDefaults | null>();
  private readonly suppressionsRead = new Map<any, Suppressions>();
  private suppressionRuleIds?: ReadonlySet<string>;
  private readonly placements: PlacementCache;
  private unmemoised = 0;

  constructor(manifests: readonly SourcedManifest[], options: ManifestIndexOptions = {}) {
    this.memoise = options.memoise ?? true;
    this.placements = new PlacementCache(this.memoise, (t) => this.placementSignature(t), (t) => this.factsOf(t), () => this.nodePools());
    const objects: any[] = [];
    for (let i = 0; i < manifests.length; i++) {
      const m = manifests[i];
      const obj = m?.object;
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
      if (this.order.has(obj)) continue; // the same object twice: judge it once
      this.order.set(obj, objects.length);
      this.sources.push(m.source);
      objects.push(obj);
      const kind = typeof obj.kind === 'string' ? obj.kind : '';
      let ofKind = this.kinds.get(kind);
      if (!ofKind) this.kinds.set(kind, ofKind = []);
      ofKind.push(obj);
    }
    this.objects = objects;
  }

  /** kind/namespace/name → the first object so named; built on first use (most runs never ask). */
  private namesIndex(): Map<string, any> {
    if (!this.names) {
      this.names = new Map();
      for (const obj of this.objects) {
        const name = obj.metadata?.name;
        if (typeof name !== 'string') continue;
        const kind = typeof obj.kind === 'string' ? obj.kind : '';
        const k = key3(kind, typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : '', name);
        if (!this.names.has(k)) this.names.set(k, obj);
      }
    }
    return this.names;
  }

  /** Input position of `obj` (Infinity when it is not one of the indexed objects). */
  public positionOf(obj: any): number {
    return this.order.get(obj) ?? Number.POSITIVE_INFINITY;
  }

  /** Where `obj` came from. */
  public sourceOf(obj: any): ManifestSource | undefined {
    const at = this.order.get(obj);
    return at === undefined ? undefined : this.sources[at];
  }

  /** @see RuleContext.byKind */
  public byKind(kind: string, apiGroup?: string): readonly any[] {
    const all = this.kinds.get(kind) ?? [];
    return apiGroup === undefined ? all : all.filter((o) => apiGroupOf(o.apiVersion) === apiGroup);
  }

  /** @see RuleContext.get */
  public get(kind: string, namespace: string | undefined, name: string): any | undefined {
    return this.namesIndex().get(key3(kind, namespace, name));
  }

  /** @see RuleContext.byLabel */
  public byLabel(key: string, value?: string): readonly any[] {
    // Every object with a label entry k: v such that `k` or `k=v` is the asked string (so a key holding `=` answers as
    // it always has), once per matching entry, in input order.
    const asked = value === undefined ? key : `${key}=${value}`;
    let found = this.labels.get(asked);
    if (!found) {
      found = [];
      for (const obj of this.objects) {
        const labels = obj.metadata?.labels;
        if (!labels || typeof labels !== 'object') continue;
        for (const k in labels) {
          if (!hasOwn(labels, k)) continue;
          if (k === asked) found.push(obj);
          else if (asked.startsWith(k) && `${k}=${String(labels[k])}` === asked) found.push(obj);
        }
      }
      this.labels.set(asked, found);
    }
    return found;
  }

  /** @see RuleContext.workloads */
  public workloads(): readonly WorkloadRef[] {
    if (!this._workloads) {
      this._workloads = [];
      const objects = this.objects;
      for (let i = 0; i < objects.length; i++) {
        const object = objects[i];
        const template = podTemplateOf(object);
        if (template) {
          const own = this.withRequestDefaults(object, this.withDraDemand(object, template));
          Object.defineProperty(own, FACTS, { value: null, writable: true, enumerable: false, configurable: false });
          this._workloads.push({ object, kind: object.kind, template: own });
        }
      }
    }
    return this._workloads;
  }

  /** The manifests' DRA objects, for {@link draGpuDemand}. */
  public draLookup(): DraLookup {
    return {
      claimTemplate: (ns, name) => this.byKind('ResourceClaimTemplate', 'resource.k8s.io').find((o) => sameObject(o, ns, name)),
      claim: (ns, name) => this.byKind('ResourceClaim', 'resource.k8s.io').find((o) => sameObject(o, ns, name)),
      deviceClasses: () => this.byKind('DeviceClass', 'resource.k8s.io'),
    };
  }

  /** The template with its DRA GPU demand from the manifests' claims, when it has any. */
  private withDraDemand(object: any, template: PodTemplateRef): PodTemplateRef {
    if (!Array.isArray(template.podSpec?.resourceClaims) || template.podSpec.resourceClaims.length === 0) return template;
    const ns = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : '';
    const draDemand = draGpuDemand(template.podSpec, template.podSpecPath, ns, this.draLookup());
    return Object.keys(draDemand).length > 0 ? { ...template, draDemand } : template;
  }

  /**
   * The template with the cpu, memory and ephemeral-storage requests its namespace's LimitRanges give a container that sets none
   * (LimitRanger's defaults), when they give any: what the scheduler and the planner then count.
   */
  private withRequestDefaults(object: any, template: PodTemplateRef): PodTemplateRef {
    if (this.byKind('LimitRange', '').length === 0) return template;
    const ranges = namespaceRanges(this).get(typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : '');
    if (!ranges) return template;
    let defaults = this.requestDefaults.get(ranges);
    if (defaults === undefined) {
      const bare = ranges.admit({}, REQUEST_DEFAULTED);
      const found: Record<string, number> = {};
      for (const r of REQUEST_DEFAULTED) {
        const v = bare.requests.get(r)?.value;
        if (v !== undefined) found[r] = v;
      }
      defaults = Object.keys(found).length === 0 ? null : found;
      this.requestDefaults.set(ranges, defaults);
    }
    return defaults === null ? template : { ...template, requestDefaults: defaults };
  }

  /** @see RuleContext.workloadsMatching */
  public workloadsMatching(namespace: string | undefined, matchLabels: Record<string, string>): readonly WorkloadRef[] {
    const entries = Object.entries(matchLabels ?? {});
    if (entries.length === 0) return [];
    if (!this.podLabelIndex) {
      this.podLabelIndex = new Map();
      for (const w of this.workloads()) {
        for (const [k, v] of Object.entries(w.template.podLabels)) {
          const lk = `${k}=${v}`;
          if (!this.podLabelIndex.has(lk)) this.podLabelIndex.set(lk, []);
          this.podLabelIndex.get(lk)!.push(w);
        }
      }
    }
    // Start from the smallest bucket, then filter: proportional to the answer, not to all pairs.
    const buckets = entries.map(([k, v]) => this.podLabelIndex!.get(`${k}=${String(v)}`) ?? []);
    const smallest = buckets.reduce((a, b) => (b.length < a.length ? b : a));
    return smallest.filter((w) =>
      entries.every(([k, v]) => w.template.podLabels[k] === String(v))
      && (namespace === undefined || (w.object.metadata?.namespace ?? '') === namespace));
  }

  /** @see RuleContext.nodePools */
  public nodePools(): readonly PoolModel[] {
    if (!this._pools) {
      this._pools = [];
      // Karpenter's view: what instance types offer plus the NodeOverlays of the same manifests.
      const overlays = this.byKind(NODE_OVERLAY_KIND, 'karpenter.sh');
      // (their EC2NodeClasses give the nodes' disk, when in the manifests)
      const nodeClasses = this.byKind('EC2NodeClass', 'karpenter.k8s.aws');
      const pools: PoolModel[] = [];
      for (const obj of this.byKind('NodePool', 'karpenter.sh')) {
        try {
          pools.push(poolModelOf(obj, undefined, overlays, nodeClasses));
        } catch (e) {
          if (e instanceof GpuConfigError) {
            this._unreadable.push({ object: obj, fieldPath: e.property, message: `${e.problem}; the NodePool is left out of the GPU rules`, remediation: e.fix });
          } else {
            // Not a shape the model reads (the schema gate normally keeps such pools out): never a crash.
            this._unreadable.push({ object: obj, fieldPath: 'spec', message: `cannot be read: ${(e as Error)?.message ?? String(e)}; the NodePool is left out of the GPU rules`, remediation: 'Make the NodePool valid against the karpenter.sh/v1 schema.' });
          }
        }
      }
      // Their nodes also run the DaemonSets of the manifests that land on them (those asking for no GPU: a GPU
      // DaemonSet is a workload placed like any other, not overhead), which leave less room for other pods.
      const daemonSets: DaemonSetPods[] = [];
      for (const w of this.workloads()) {
        if (w.kind !== 'DaemonSet' || demandsAny(this.gpuDemand(w.template))) continue;
        const requests = this.cpuMemoryRequests(w.template);
        if (requests.cpu > 0 || requests.memoryBytes > 0 || (requests.ephemeralStorageBytes ?? 0) > 0) {
          daemonSets.push({ name: `${w.object.metadata?.namespace ?? 'default'}/${w.object.metadata?.name ?? '?'}`, template: w.template, requests });
        }
      }
      for (const pool of pools) this._pools.push(daemonSets.length === 0 ? pool : withDaemonSets(pool, daemonSetOverheadOn(pool, daemonSets)));
    }
    return this._pools;
  }

  /** @see RuleContext.gpuDemand */
  public gpuDemand(template: PodTemplateRef): Readonly<Record<string, number>> {
    if (!this.memoise) return podGpuDemand(template);
    return this.factsOf(template).gpu;
  }

  /** The template's facts; its GPU demand and cpu/memory requests are computed together on first ask of either. */
  private factsOf(template: PodTemplateRef): TemplateFacts {
    const slot: TemplateFacts | null | undefined = (template as any)[FACTS];
    if (slot) return slot;
    let facts = slot === null ? undefined : this.facts.get(template);
    if (!facts) {
      const d = podDemand(template);
      const req = { cpu: d.cpu, memoryBytes: d.memoryBytes, ephemeralStorageBytes: d.ephemeralStorageBytes };
      facts = { gpu: Object.freeze(d.gpu), req: Object.freeze(req) };
      if (slot === null) (template as any)[FACTS] = facts;
      else this.facts.set(template, facts);
    }
    return facts;
  }

  /** @see RuleContext.placementSignature */
  public placementSignature(template: PodTemplateRef): string {
    // Without memoisation every call gets a signature of its own, so rules that memoise per signature recompute too.
    if (!this.memoise) return `${this.unmemoised++}#${placementSignature(template)}`;
    const facts = this.factsOf(template);
    if (facts.signature === undefined) facts.signature = placementSignature(template, { demand: facts.gpu, req: facts.req });
    return facts.signature;
  }

  /** @see RuleContext.suppressions */
  public suppressions(obj: any, knownRuleIds: ReadonlySet<string>): Suppressions {
    if (this.suppressionRuleIds !== knownRuleIds) {
      this.suppressionRuleIds = knownRuleIds;
      this.suppressionsRead.clear();
    }
    if (!_mayHaveSuppressions(obj)) return NO_SUPPRESSIONS;
    let s = this.suppressionsRead.get(obj);
    if (!s) this.suppressionsRead.set(obj, s = suppressionsOf(obj, knownRuleIds));
    return s;
  }

  /** @see RuleContext.cpuMemoryRequests */
  public cpuMemoryRequests(template: PodTemplateRef): Readonly<PodNodeRequests> {
    if (!this.memoise) return podCpuMemoryRequests(template);
    return this.factsOf(template).req;
  }

  /** @see RuleContext.placement */
  public placement(template: PodTemplateRef, pool: PoolModel): PlacementVerdict {
    return this.placements.place(template, pool);
  }

  /** @see RuleContext.fittingPlacements */
  public fittingPlacements(template: PodTemplateRef): readonly PlacementVerdict[] {
    return this.placements.fitting(template);
  }

  /** How many placement verdicts this run computed (`placeOnPool` calls), for tests and benchmarks. */
  public get placementEvaluations(): number {
    return this.placements.evaluations;
  }

  /** @see RuleContext.readProblems */
  public readProblems(): readonly ReadProblem[] {
    this.nodePools();
    return this._unreadable;
  }

  /** A {@link RuleContext} whose `finding` builds findings of `rule`. */
  public contextFor(rule: Rule, knownRuleIds: ReadonlySet<string>,
    onFinding?: (finding: Finding, obj: any) => void): RuleContext {
    const index = this;
    return {
      objects: this.objects,
      knownRuleIds,
      byKind: (kind, apiGroup) => index.byKind(kind, apiGroup),
      get: (kind, namespace, name) => index.get(kind, namespace, name),
      byLabel: (key, value) => index.byLabel(key, value),
      workloadsMatching: (namespace, matchLabels) => index.workloadsMatching(namespace, matchLabels),
      workloads: () => index.workloads(),
      nodePools: () => index.nodePools(),
      gpuDemand: (template) => index.gpuDemand(template),
      cpuMemoryRequests: (template) => index.cpuMemoryRequests(template),
      suppressions: (obj) => index.suppressions(obj, knownRuleIds),
      placementSignature: (template) => index.placementSignature(template),
      placement: (template, pool) => index.placement(template, pool),
      fittingPlacements: (template) => index.fittingPlacements(template),
      readProblems: () => index.readProblems(),
      sourceOf: (obj) => index.sourceOf(obj),
      finding(obj: any, fieldPath: string, message: string, remediation?: string): Finding {
        const source = index.sourceOf(obj);
        const f: Finding = {
          ruleId: rule.id,
          title: rule.title,
          severity: rule.severity,
          object: objectRefOf(obj),
          ...(source ? { source } : {}),
          fieldPath,
          message,
          remediation: remediation ?? rule.remediation,
        };
        onFinding?.(f, obj);
        return f;
      },
    };
  }
}
