/**
 * Property-based tests of TieredGpuCapacity, GpuTeam (quota, LimitRange, ServiceAccount, RBAC) and the AWS side,
 * GpuEksStack / GpuEksCluster:
 * - random valid props synthesise objects that pass the upstream schemas and every validation rule with no
 *   suspicious values, plus a specific assertion per property (tier weights and limits, quota hard values, the
 *   exact Role rules, IMDSv2 / encrypted volumes / a scoped iam:PassRole in the CloudFormation template);
 * - one random invalid prop on top of valid props throws GpuConfigError naming the construct and the property,
 *   never a TypeError.
 * The `library bugs` blocks hold inputs that currently escape as TypeError / plain Error or produce empty or
 * invalid values; they fail until src/ is fixed and must not be weakened.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Chart, Duration, Testing } from 'cdk8s';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import {
  BOUND, RUNS, RUNS_HEAVY, chart, dnsLabel, expectCleanSynth, expectConfigError, instanceTypes, invalidDnsLabel,
  invalidLabelValue, labelKey, labelValue, params,
} from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import { GpuEksCluster, GpuEksClusterProps, GpuEksStack } from '../../src/eks';
import {
  CapacityReservation, CapacityType, ConsolidationPolicy, DisruptionBudgets, GpuNodeClass, GpuNodePool, GpuNodePoolProps,
  IGpuNodePool, NodeTaint, TaintEffect, TieredGpuCapacity, TieredGpuCapacityProps,
} from '../../src/pools';
import { GpuTeam, GpuTeamProps, TieredPriorities } from '../../src/workloads';

let warn: jest.SpyInstance;
beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); });
afterEach(() => warn.mockRestore());

// --------------------------------------------------------------------------------------------------------------
// TieredGpuCapacity
// --------------------------------------------------------------------------------------------------------------

const hex17 = fc.array(fc.constantFrom(...'0123456789abcdef'.split('')), { minLength: 17, maxLength: 17 }).map((a) => `cr-${a.join('')}`);

/** A capacity reservation: an ODCR or a Capacity Block by id (ending in the future), or an ODCR selected by tags. */
const reservation: fc.Arbitrary<CapacityReservation> = fc.oneof(
  hex17.map((id) => CapacityReservation.onDemandReservation(id)),
  fc.tuple(hex17, fc.integer({ min: 0, max: 365 })).map(([id, d]) => CapacityReservation.capacityBlock(id, new Date(Date.UTC(2031, 0, 1 + d)))),
  fc.tuple(
    fc.dictionary(fc.constantFrom('purpose', 'team', 'project'), labelValue(), { minKeys: 1, maxKeys: 2 }),
    fc.option(fc.constantFrom('123456789012', '210987654321'), { nil: undefined }),
  ).map(([tags, ownerId]) => CapacityReservation.byTags(tags, ownerId ? { ownerId } : {})),
);

const effect = fc.constantFrom(TaintEffect.NO_SCHEDULE, TaintEffect.NO_EXECUTE, TaintEffect.PREFER_NO_SCHEDULE);
const extraTaints: fc.Arbitrary<NodeTaint[]> = fc.uniqueArray(
  fc.record({ key: labelKey(), value: fc.option(labelValue(), { nil: undefined }), effect }, { requiredKeys: ['key', 'effect'] }),
  { maxLength: 2, selector: (t) => `${t.key}:${t.effect}` },
).filter((ts) => ts.every((t) => t.key !== 'nvidia.com/gpu' && t.key !== 'karpenter.sh/capacity-type'));

/** Valid TieredGpuCapacity props, and the largest GPU count among the allowed types. */
interface TierCase {
  readonly props: TieredGpuCapacityProps;
  readonly largest: number;
}

const tierCase: fc.Arbitrary<TierCase> = instanceTypes(() => true, 4).chain((types) => {
  const largest = Math.max(...types.map((t) => t.gpuCount));
  const limit = fc.integer({ min: largest, max: largest * 32 });
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  return fc.record({
    name: opt(dnsLabel(50)),
    limit: fc.oneof(limit.map((gpuLimit) => ({ gpuLimit })), fc.integer({ min: 1, max: 32 }).map((maxNodes) => ({ maxNodes }))),
    labels: opt(fc.dictionary(labelKey(), labelValue(), { maxKeys: 3 })),
    taints: opt(extraTaints),
    gpuTaint: opt(fc.boolean()),
    consolidationPolicy: opt(fc.constantFrom(ConsolidationPolicy.WHEN_EMPTY, ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED)),
    expireAfter: opt(fc.integer({ min: 1, max: 2000 }).map((h) => Duration.hours(h))),
    budgets: opt(fc.constantFrom([DisruptionBudgets.atMost('5%')], [DisruptionBudgets.atMost('1'), DisruptionBudgets.atMost('20%')])),
    volumeGiB: opt(fc.integer({ min: 20, max: 4096 })),
    reservations: fc.uniqueArray(reservation, { maxLength: 3, selector: (r) => r._key() }),
    spot: opt(fc.boolean()),
    onDemand: opt(fc.boolean()),
    reservedGpuLimit: opt(limit),
    spotGpuLimit: opt(limit),
    onDemandGpuLimit: opt(limit),
    businessHours: opt(fc.record({
      startHourUtc: fc.integer({ min: 0, max: 23 }),
      duration: fc.integer({ min: 1, max: 12 }).map((h) => Duration.hours(h)),
      weekdays: fc.constantFrom('1-5', '0-6', '1-4', '2'),
    }, { requiredKeys: [] })),
  }).map((r) => {
    const base: any = { instanceTypes: types, ...r.limit, nodeClassProps: { ...BOUND } };
    for (const k of ['name', 'labels', 'taints', 'gpuTaint', 'consolidationPolicy', 'expireAfter', 'budgets'] as const) {
      if (r[k] !== undefined) base[k] = r[k];
    }
    if (r.volumeGiB !== undefined) base.nodeClassProps = { ...BOUND, volume: { size: cdk8s.Size.gibibytes(r.volumeGiB) } };
    // Without the GPU taint the on-demand/reserved pools need another NoSchedule taint, or rule GPU003 fires.
    if (base.gpuTaint === false && !(base.taints ?? []).some((t: NodeTaint) => t.effect !== TaintEffect.PREFER_NO_SCHEDULE)) {
      base.taints = [...(base.taints ?? []), { key: 'example.com/dedicated', value: 'gpu', effect: TaintEffect.NO_SCHEDULE }];
    }
    const props: any = { base };
    for (const k of ['spot', 'onDemand', 'spotGpuLimit', 'onDemandGpuLimit', 'businessHours'] as const) {
      if (r[k] !== undefined) props[k] = r[k];
    }
    if (r.reservations.length > 0) {
      props.reservations = r.reservations;
      if (r.reservedGpuLimit !== undefined) props.reservedGpuLimit = r.reservedGpuLimit;
    }
    if (r.reservations.length === 0 && r.spot === false && r.onDemand === false) props.onDemand = true; // keep one tier
    return { props: props as TieredGpuCapacityProps, largest };
  });
});

interface TierExpectation {
  readonly id: 'Reserved' | 'Spot' | 'OnDemand';
  readonly suffix: string;
  readonly weight: number;
  readonly capacityType: string;
  readonly limit: number;
}

/** The tiers `props` asks for, highest weight first, with the GPU limit each should get. */
function expectedTiers({ props, largest }: TierCase): TierExpectation[] {
  const baseLimit = props.base.gpuLimit ?? props.base.maxNodes! * largest;
  const out: TierExpectation[] = [];
  if ((props.reservations ?? []).length > 0) {
    out.push({ id: 'Reserved', suffix: 'reserved', weight: 100, capacityType: 'reserved', limit: props.reservedGpuLimit ?? baseLimit });
  }
  if (props.spot ?? true) out.push({ id: 'Spot', suffix: 'spot', weight: 50, capacityType: 'spot', limit: props.spotGpuLimit ?? baseLimit });
  if (props.onDemand ?? true) {
    out.push({ id: 'OnDemand', suffix: 'on-demand', weight: 10, capacityType: 'on-demand', limit: props.onDemandGpuLimit ?? baseLimit });
  }
  return out;
}

/** Small valid base props: three types (no spot warning needed), bound node class. */
const SMALL_BASE: GpuNodePoolProps = {
  instanceTypes: [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_2XLARGE, GpuInstanceType.G6_XLARGE], gpuLimit: 8, nodeClassProps: BOUND,
};

const requirementOf = (np: any, key: string) => np.spec.template.spec.requirements.find((r: any) => r.key === key);

describe('TieredGpuCapacity', () => {
  test('random valid tiers: clean objects, weights strictly ordered, each tier with the asked limit and capacity type', () => {
    fc.assert(fc.property(tierCase, (tc) => {
      const c = chart();
      const tiers = new TieredGpuCapacity(c, 'tiers', tc.props);
      const objs = expectCleanSynth(c);
      const want = expectedTiers(tc);
      const pools = objs.filter((o) => o.kind === 'NodePool');
      const classes = objs.filter((o) => o.kind === 'EC2NodeClass');

      // One pool per requested tier, in weight order, and the construct's accessors agree.
      expect(tiers.pools.map((p) => p.poolName)).toEqual(pools.map((p) => p.metadata.name));
      expect(pools.map((p) => p.spec.weight)).toEqual(want.map((w) => w.weight));
      for (let i = 1; i < pools.length; i++) expect(pools[i - 1].spec.weight).toBeGreaterThan(pools[i].spec.weight);
      expect(tiers.reserved !== undefined).toBe(want.some((w) => w.id === 'Reserved'));
      expect(tiers.spot !== undefined).toBe(want.some((w) => w.id === 'Spot'));
      expect(tiers.onDemand !== undefined).toBe(want.some((w) => w.id === 'OnDemand'));

      // One shared EC2NodeClass; its reservations are exactly the ones given (only when there is a reserved tier).
      expect(classes).toHaveLength(1);
      const terms = classes[0].spec.capacityReservationSelectorTerms;
      expect(terms).toEqual((tc.props.reservations ?? []).length ? tc.props.reservations!.map((r) => r._toSelectorTerm()) : undefined);

      pools.forEach((np, i) => {
        const w = want[i];
        expect(np.spec.limits['nvidia.com/gpu']).toBe(w.limit);
        expect(requirementOf(np, 'karpenter.sh/capacity-type').values).toEqual([w.capacityType]);
        expect(np.spec.template.spec.nodeClassRef.name).toBe(classes[0].metadata.name);
        if (tc.props.base.name) expect(np.metadata.name).toBe(`${tc.props.base.name}-${w.suffix}`);
        const hasSpotTaint = (np.spec.template.spec.taints ?? []).some((t: any) => t.key === 'karpenter.sh/capacity-type');
        expect(hasSpotTaint).toBe(w.id === 'Spot');
        // Disruption budgets: reserved nodes are never consolidated; business hours block the other tiers.
        const budgets = np.spec.disruption.budgets;
        const always = (tc.props.base.budgets ?? [DisruptionBudgets.atMost('10%')]).map((b) => b.nodes);
        expect(budgets.slice(-always.length).map((b: any) => b.nodes)).toEqual(always);
        if (w.id === 'Reserved') {
          expect(budgets[0]).toEqual({ nodes: '0', reasons: ['Empty', 'Underutilized'] });
        } else if (tc.props.businessHours) {
          const bh = tc.props.businessHours;
          expect(budgets[0]).toEqual(expect.objectContaining({
            nodes: '0', schedule: `0 ${bh.startHourUtc ?? 9} * * ${bh.weekdays ?? '1-5'}`,
          }));
        } else {
          expect(budgets).toHaveLength(always.length);
        }
      });
      // Workloads get tolerations for the spot taint exactly when a spot tier exists.
      expect(tiers.tolerations().some((t) => t.key === 'karpenter.sh/capacity-type')).toBe(tiers.spot !== undefined);
      expect(tiers.requiredNodeAffinity().nodeSelectorTerms[0].matchExpressions[0].values).toEqual(tiers.pools.map((p) => p.poolName));
    }), params(RUNS_HEAVY));
  });

  /** One invalid prop: [child construct id ('' for the construct itself), property, mutation]. */
  type TierMutation = [string, string, (p: TieredGpuCapacityProps, c: Chart, largest: number) => TieredGpuCapacityProps];
  const withBase = (p: TieredGpuCapacityProps, extra: Partial<GpuNodePoolProps>): TieredGpuCapacityProps => ({ ...p, base: { ...p.base, ...extra } });
  const noTierLimits = (p: TieredGpuCapacityProps): TieredGpuCapacityProps =>
    ({ ...p, reservedGpuLimit: undefined, spotGpuLimit: undefined, onDemandGpuLimit: undefined });
  const someReservation = CapacityReservation.onDemandReservation('cr-0123456789abcdef0');
  const tierMutations: fc.Arbitrary<TierMutation> = fc.oneof(
    fc.constantFrom<[string, Partial<GpuNodePoolProps>]>(
      ['capacityType', { capacityType: CapacityType.SPOT }], ['capacityType', { capacityType: CapacityType.ON_DEMAND }],
      ['capacityTypes', { capacityTypes: [CapacityType.SPOT, CapacityType.ON_DEMAND] }],
      ['capacityReservations', { capacityReservations: [someReservation] }], ['weight', { weight: 60 }],
    ).map(([prop, extra]) => ['', `base.${prop}`, (p: TieredGpuCapacityProps) => withBase(p, extra)] as TierMutation),
    fc.constant(['', 'base.nodeClassProps', (p: TieredGpuCapacityProps, c: Chart) => withBase(p, { nodeClass: new GpuNodeClass(c, 'shared', BOUND) })] as TierMutation),
    fc.constant(['', 'reservations', (p: TieredGpuCapacityProps) => ({ ...p, reservations: [], reservedGpuLimit: undefined, spot: false, onDemand: false })] as TierMutation),
    fc.integer({ min: 1, max: 64 }).map((n) => ['', 'reservedGpuLimit', (p: TieredGpuCapacityProps) => ({ ...p, reservations: undefined, onDemand: true, reservedGpuLimit: n })] as TierMutation),
    // A bad per-tier limit is reported by that tier's pool, on its gpuLimit.
    fc.tuple(fc.constantFrom('Reserved', 'Spot', 'OnDemand'), fc.nat(5)).map(([tier, k]) => [tier, 'gpuLimit', (p: TieredGpuCapacityProps, _c: Chart, largest: number) => {
      const v = [0, -1, 1.5, NaN, Infinity, largest > 1 ? largest - 1 : 0][k];
      if (tier === 'Reserved') return { ...p, reservations: p.reservations?.length ? p.reservations : [someReservation], reservedGpuLimit: v };
      if (tier === 'Spot') return { ...p, spot: true, spotGpuLimit: v };
      return { ...p, onDemand: true, onDemandGpuLimit: v };
    }] as TierMutation),
    // A bad base limit: every tier inherits it.
    fc.constantFrom(0, -1, 1.5, NaN).map((gpuLimit) => ['*', 'gpuLimit', (p: TieredGpuCapacityProps) => withBase(noTierLimits(p), { gpuLimit, maxNodes: undefined })] as TierMutation),
    fc.constant(['*', 'gpuLimit', (p: TieredGpuCapacityProps, _c: Chart, largest: number) =>
      withBase(noTierLimits(p), { gpuLimit: largest > 1 ? largest - 1 : 0, maxNodes: undefined })] as TierMutation),
    fc.constantFrom(0, -2, 2.5, NaN).map((maxNodes) => ['*', 'maxNodes', (p: TieredGpuCapacityProps) => withBase(noTierLimits(p), { gpuLimit: undefined, maxNodes })] as TierMutation),
    fc.constant(['*', 'maxNodes', (p: TieredGpuCapacityProps) => withBase(noTierLimits(p), { gpuLimit: 64, maxNodes: 2 })] as TierMutation),
    // base.name is the tiers' name prefix: a prefix that makes no valid NodePool name is reported as the tier's name.
    invalidDnsLabel().filter((n) => n !== '' && (!/^[a-z0-9][-a-z0-9]*$/.test(n) || n.length > 58))
      .map((name) => ['*', 'name', (p: TieredGpuCapacityProps) => withBase(p, { name })] as TierMutation),
    fc.constant(['*', 'instanceTypes', (p: TieredGpuCapacityProps) => withBase(p, { instanceTypes: [] })] as TierMutation),
    invalidLabelValue().map((v) => ['*', 'labels', (p: TieredGpuCapacityProps) => withBase(p, { labels: { 'example.com/tier': v } })] as TierMutation),
    fc.constantFrom('Bad Key', '-x', 'a/b/c', 'karpenter.sh/nodepool').map((k) => ['*', 'labels', (p: TieredGpuCapacityProps) => withBase(p, { labels: { [k]: 'x' } })] as TierMutation),
    fc.constantFrom('bad key', '', '/x').map((key) => ['*', 'taints', (p: TieredGpuCapacityProps) => withBase(p, { taints: [{ key, effect: TaintEffect.NO_SCHEDULE }] })] as TierMutation),
    fc.constantFrom('Sometimes', '').map((cp) => ['*', 'consolidationPolicy', (p: TieredGpuCapacityProps) => withBase(p, { consolidationPolicy: cp as any })] as TierMutation),
    fc.constant(['*', 'expireAfter', (p: TieredGpuCapacityProps) => withBase(p, { expireAfter: Duration.millis(1500), neverExpire: undefined })] as TierMutation),
    // Business hours land in the spot/on-demand budgets: a bad day-of-week field is reported there.
    fc.constantFrom('8', '9-12', '1-9').map((weekdays) => ['*', 'budgets', (p: TieredGpuCapacityProps) => ({ ...p, onDemand: true, businessHours: { weekdays } })] as TierMutation),
  );

  test('one invalid prop throws GpuConfigError naming the construct (or the tier) and the property', () => {
    fc.assert(fc.property(tierCase, tierMutations, (tc, [at, prop, mutate]) => {
      const c = chart();
      const path = at === '' ? `${c.node.path}/tiers` : at === '*' ? new RegExp(`^${c.node.path}/tiers/(Reserved|Spot|OnDemand)$`) : `${c.node.path}/tiers/${at}`;
      const e = expectConfigError(() => {
        new TieredGpuCapacity(c, 'tiers', mutate(tc.props, c, tc.largest));
        Testing.synth(c);
      }, path, prop);
      if (at === '') expect(e.constructPath).toBe(`${c.node.path}/tiers`);
    }), params(RUNS));
  });

  test('wrong types that are reported as GpuConfigError today', () => {
    const base = SMALL_BASE;
    const cases: Array<[string, RegExp, any]> = [
      ['spotGpuLimit: "8"', /^gpuLimit$/, { base, spotGpuLimit: '8' }],
      ['onDemandGpuLimit: null', /^gpuLimit$/, { base, onDemandGpuLimit: null }],
      ['base.instanceTypes: strings', /^instanceTypes/, { base: { ...base, instanceTypes: ['g5.xlarge'] } }],
      ['base.weight: "50"', /^base\.weight$/, { base: { ...base, weight: '50' } }],
      ['businessHours.weekdays: 5', /^budgets/, { base, businessHours: { weekdays: 9 } }],
    ];
    for (const [, prop, props] of cases) {
      const c = chart();
      expectConfigError(() => { new TieredGpuCapacity(c, 'tiers', props); Testing.synth(c); }, `${c.node.path}/tiers`, prop);
    }
  });
});

describe('TieredGpuCapacity: library bugs (fail until src/ is fixed)', () => {
  const base = SMALL_BASE;
  const r = CapacityReservation.onDemandReservation('cr-0123456789abcdef0');
  const build = (props: any) => () => {
    const c = chart();
    new TieredGpuCapacity(c, 'tiers', props);
    Testing.synth(c);
  };
  const path = 'test/tiers';

  // src/pools/tiered.ts:66 reads props.base before checking props.
  test('props undefined → GpuConfigError (today: TypeError "Cannot read properties of undefined (reading \'base\')")', () => {
    expectConfigError(build(undefined), path, /^(base|props)/);
  });
  // src/pools/tiered.ts:78/91 use reservations.length: a lone CapacityReservation has none, so it is ignored and
  // with spot and onDemand off the construct has no tier at all (no error).
  test('reservations: a single CapacityReservation (not an array) → GpuConfigError (today: silently no tier)', () => {
    expectConfigError(build({ base, reservations: r, spot: false, onDemand: false }), path, 'reservations');
  });
  // src/pools/node-pool.ts:201 iterates whatever it gets: a string's characters reach GpuNodeClass.addCapacityReservation
  // (src/pools/node-class.ts:248), which calls r._key() on them.
  test('reservations: an id string → GpuConfigError (today: TypeError "r._key is not a function")', () => {
    expectConfigError(build({ base, reservations: 'cr-0123456789abcdef0' }), path, 'reservations');
  });
  // src/pools/node-class.ts:408 calls r._toSelectorTerm() at synth: cdk8s wraps the TypeError in a plain Error.
  test('reservations: [undefined] → GpuConfigError (today: Error "Failed serializing construct … TypeError")', () => {
    expectConfigError(build({ base, reservations: [undefined] }), path, 'reservations');
  });
  // src/pools/tiered.ts:86 calls DisruptionBudgets.businessHours without re-raising its error on this construct:
  // the message reads "DisruptionBudgets.businessHours: startHourUtc is 25 …" and names neither test/tiers nor businessHours.
  test('businessHours.startHourUtc 25 → GpuConfigError naming test/tiers and businessHours.startHourUtc', () => {
    expectConfigError(build({ base, businessHours: { startHourUtc: 25 } }), path, 'businessHours.startHourUtc');
  });
});

// --------------------------------------------------------------------------------------------------------------
// GpuTeam
// --------------------------------------------------------------------------------------------------------------

/** MIG profiles as nvidia-smi spells them (A30, A100-40/80GB, H100, H200, B200). */
const MIG_PROFILES = [
  '1g.5gb', '1g.6gb', '1g.10gb', '1g.10gb+me', '1g.12gb', '1g.18gb', '1g.20gb', '1g.23gb', '1g.24gb', '1g.35gb', '2g.10gb', '2g.12gb',
  '2g.20gb', '2g.24gb', '2g.35gb', '2g.45gb', '3g.20gb', '3g.40gb', '3g.47gb', '3g.71gb', '3g.90gb', '4g.20gb', '4g.24gb', '4g.40gb',
  '4g.71gb', '4g.90gb', '7g.40gb', '7g.80gb', '7g.141gb', '7g.180gb',
];
const migResource = (profile: string) => `nvidia.com/mig-${profile.replace('+me', '.me')}`;

/** ConfigMap / Secret names: DNS subdomains (labels joined by '.'). */
const objectName = fc.tuple(dnsLabel(30), fc.option(dnsLabel(20), { nil: undefined })).map(([a, b]) => (b ? `${a}.${b}` : a));

interface TeamArgs {
  readonly name: string;
  readonly props: GpuTeamProps;
}

const teamArgs: fc.Arbitrary<TeamArgs> = fc.record({
  name: dnsLabel(40),
  namespace: fc.option(dnsLabel(40), { nil: undefined }),
  labels: fc.option(fc.dictionary(labelKey().filter((k) => k !== 'team'), labelValue(), { maxKeys: 3 }), { nil: undefined }),
  gpuQuota: fc.option(fc.integer({ min: 0, max: 512 }), { nil: undefined }),
  maxPer: fc.option(fc.integer({ min: 1, max: 512 }), { nil: undefined }),
  migQuotas: fc.uniqueArray(fc.record({ profile: fc.constantFrom(...MIG_PROFILES), count: fc.integer({ min: 0, max: 70 }) }),
    { maxLength: 3, selector: (q) => migResource(q.profile) }),
  serviceAccountName: fc.option(dnsLabel(40), { nil: undefined }),
  readableConfigMaps: fc.option(fc.uniqueArray(objectName, { maxLength: 4 }), { nil: undefined }),
  readableSecrets: fc.option(fc.uniqueArray(objectName, { maxLength: 4 }), { nil: undefined }),
}).map(({ name, maxPer, ...r }) => {
  const props: any = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined) props[k] = v;
  if (r.migQuotas.length === 0 && r.gpuQuota === undefined) delete props.migQuotas; // sometimes leave it unset
  // maxGpusPerContainer must be at least 1 and at most gpuQuota.
  if (maxPer !== undefined && (r.gpuQuota === undefined || r.gpuQuota >= 1)) props.maxGpusPerContainer = Math.min(maxPer, r.gpuQuota ?? maxPer);
  return { name, props: props as GpuTeamProps };
});

/** What a team must synthesise to: every object of its namespace, checked one by one. */
function expectTeamObjects(objs: any[], { name, props }: TeamArgs, team: GpuTeam): void {
  const ns = props.namespace ?? name;
  expect(team.namespaceName).toBe(ns);
  expect(team.teamName).toBe(name);
  expect(team.gpuQuota).toBe(props.gpuQuota);
  const inNs = objs.filter((o) => o.metadata?.namespace === ns);
  const namespace = objs.filter((o) => o.kind === 'Namespace' && o.metadata.name === ns);
  expect(namespace).toHaveLength(1);
  // The user's labels, the team label and the `restricted` Pod Security Admission labels (the default).
  expect(namespace[0].metadata.labels).toEqual({
    ...(props.labels ?? {}),
    'team': name,
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/audit': 'restricted',
  });

  // ResourceQuota: exactly the GPU quota and the MIG quotas asked for (extended resources: `requests.` only).
  const hard: Record<string, number> = {};
  if (props.gpuQuota !== undefined) hard['requests.nvidia.com/gpu'] = props.gpuQuota;
  for (const q of props.migQuotas ?? []) hard[`requests.${migResource(q.profile)}`] = q.count;
  const quotas = inNs.filter((o) => o.kind === 'ResourceQuota');
  if (Object.keys(hard).length > 0) {
    expect(quotas).toHaveLength(1);
    expect(quotas[0].spec.hard).toEqual(hard);
    expect(Object.keys(quotas[0].spec.hard).every((k) => k.startsWith('requests.nvidia.com/'))).toBe(true);
  } else {
    expect(quotas).toHaveLength(0);
  }

  // LimitRange: the per-container cap, defaulting to a positive gpuQuota.
  const cap = props.maxGpusPerContainer ?? (props.gpuQuota && props.gpuQuota > 0 ? props.gpuQuota : undefined);
  const limitRanges = inNs.filter((o) => o.kind === 'LimitRange');
  if (cap !== undefined) {
    expect(limitRanges.map((l) => l.spec.limits)).toEqual([[{ type: 'Container', max: { 'nvidia.com/gpu': cap }, default: { 'nvidia.com/gpu': 0 } }]]);
    if (props.gpuQuota !== undefined) expect(cap).toBeLessThanOrEqual(props.gpuQuota);
  } else {
    expect(limitRanges).toHaveLength(0);
  }

  // ServiceAccount: named, token automount off.
  const saName = props.serviceAccountName ?? `${name}-workloads`;
  expect(inNs.filter((o) => o.kind === 'ServiceAccount')).toEqual([expect.objectContaining({
    metadata: { name: saName, namespace: ns }, automountServiceAccountToken: false,
  })]);

  // RBAC: one rule per named ConfigMap / Secret, `get` only, never without resourceNames (that would be every object).
  const cms = props.readableConfigMaps ?? [];
  const secrets = props.readableSecrets ?? [];
  const roles = inNs.filter((o) => o.kind === 'Role');
  const bindings = inNs.filter((o) => o.kind === 'RoleBinding');
  if (cms.length + secrets.length === 0) {
    expect(roles).toHaveLength(0);
    expect(bindings).toHaveLength(0);
    expect(team.role).toBeUndefined();
    return;
  }
  expect(roles).toHaveLength(1);
  const rules = roles[0].rules;
  const key = (r: any) => `${r.resources.join()}/${(r.resourceNames ?? []).join()}`;
  const want = [
    ...cms.map((n) => ({ apiGroups: [''], resources: ['configmaps'], resourceNames: [n], verbs: ['get'] })),
    ...secrets.map((n) => ({ apiGroups: [''], resources: ['secrets'], resourceNames: [n], verbs: ['get'] })),
  ];
  expect([...rules].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(want.sort((a, b) => key(a).localeCompare(key(b))));
  for (const r of rules) {
    expect(r.verbs).toEqual(['get']);
    expect(r.resourceNames).toHaveLength(1);
  }
  expect(bindings).toHaveLength(1);
  expect(bindings[0].roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roles[0].metadata.name });
  expect(bindings[0].subjects).toEqual([expect.objectContaining({ kind: 'ServiceAccount', name: saName, namespace: ns })]);
}

describe('GpuTeam', () => {
  const teams = fc.uniqueArray(teamArgs, { minLength: 1, maxLength: 3, selector: (t) => t.name })
    .filter((ts) => new Set(ts.map((t) => t.props.namespace ?? t.name)).size === ts.length);

  test('random valid teams: quota hard values, LimitRange cap, ServiceAccount and get-only Role rules are exactly as asked', () => {
    fc.assert(fc.property(teams, fc.boolean(), (ts, direct) => {
      const c = chart();
      const p = direct ? undefined : new TieredPriorities(c, 'priorities');
      const made = ts.map((t, i) => (p ? p.addTeam(t.name, t.props) : new GpuTeam(c, `team${i}`, t.name, t.props)));
      const objs = expectCleanSynth(c);
      ts.forEach((t, i) => expectTeamObjects(objs, t, made[i]));
      if (p) expect(p.allTeams).toEqual(made);
      // Nothing else: per team a Namespace, a ServiceAccount, the three default NetworkPolicies (deny, same namespace,
      // monitoring) and the optional quota, LimitRange, Role and RoleBinding.
      const policies = objs.filter((o) => o.kind === 'NetworkPolicy');
      expect(policies).toHaveLength(3 * ts.length);
      expect(objs.filter((o) => o.kind !== 'PriorityClass' && o.kind !== 'NetworkPolicy')).toHaveLength(ts.reduce((n, t) => {
        const hasQuota = t.props.gpuQuota !== undefined || (t.props.migQuotas ?? []).length > 0;
        const hasCap = t.props.maxGpusPerContainer !== undefined || (t.props.gpuQuota ?? 0) > 0;
        const hasRole = (t.props.readableConfigMaps ?? []).length + (t.props.readableSecrets ?? []).length > 0;
        return n + 2 + (hasQuota ? 1 : 0) + (hasCap ? 1 : 0) + (hasRole ? 2 : 0);
      }, 0));
    }), params(RUNS_HEAVY));
  });

  type TeamMutation = [string | RegExp, (t: TeamArgs) => TeamArgs];
  const withProps = (t: TeamArgs, extra: any): TeamArgs => ({ ...t, props: { ...t.props, ...extra } });
  const teamMutations: fc.Arbitrary<TeamMutation> = fc.oneof(
    invalidDnsLabel().map((name) => ['name', (t: TeamArgs) => ({ ...t, name })] as TeamMutation),
    fc.constantFrom(5, null, {}).map((name) => ['name', (t: TeamArgs) => ({ ...t, name: name as any })] as TeamMutation),
    invalidDnsLabel().map((namespace) => ['namespace', (t: TeamArgs) => withProps(t, { namespace })] as TeamMutation),
    invalidLabelValue().map((v) => ['labels', (t: TeamArgs) => withProps(t, { labels: { 'example.com/x': v } })] as TeamMutation),
    fc.constantFrom('Bad Key', '-x', 'a/b/c', '').map((k) => ['labels', (t: TeamArgs) => withProps(t, { labels: { [k]: 'x' } })] as TeamMutation),
    fc.constantFrom<any>(['x'], 'team=a', 5).map((labels) => ['labels', (t: TeamArgs) => withProps(t, { labels })] as TeamMutation),
    fc.constantFrom<any>(-1, 1.5, NaN, Infinity, '4').map((gpuQuota) => ['gpuQuota', (t: TeamArgs) => withProps(t, { gpuQuota })] as TeamMutation),
    fc.constantFrom<any>(0, -1, 1.5, NaN, '2').map((m) => ['maxGpusPerContainer', (t: TeamArgs) => withProps(t, { maxGpusPerContainer: m })] as TeamMutation),
    fc.integer({ min: 0, max: 64 }).map((q) => ['maxGpusPerContainer', (t: TeamArgs) => withProps(t, { gpuQuota: q, maxGpusPerContainer: q + 1 })] as TeamMutation),
    fc.constantFrom<any>('2x.10gb', 'big', '', '0g.10gb', '1g.0gb', 5).map((profile) => ['migQuotas', (t: TeamArgs) =>
      withProps(t, { migQuotas: [...(t.props.migQuotas ?? []), { profile, count: 1 }] })] as TeamMutation),
    fc.constantFrom<any>(-1, 0.5, NaN, undefined, '1').map((count) => ['migQuotas', (t: TeamArgs) =>
      withProps(t, { migQuotas: [{ profile: '1g.10gb', count }] })] as TeamMutation),
    fc.constantFrom(['1g.10gb', '1g.10gb'], ['1g.10gb+me', '1g.10gb.me'], ['3g.40gb', ' 3G.40GB ']).map(([a, b]) => ['migQuotas', (t: TeamArgs) =>
      withProps(t, { migQuotas: [{ profile: a, count: 1 }, { profile: b, count: 2 }] })] as TeamMutation),
  );

  test('one invalid prop throws GpuConfigError naming the team and the property', () => {
    fc.assert(fc.property(teamArgs, teamMutations, fc.boolean(), (t, [prop, mutate], direct) => {
      const c = chart();
      const m = mutate(t);
      expectConfigError(() => {
        if (direct) new GpuTeam(c, 'team', m.name, m.props);
        else new TieredPriorities(c, 'p').addTeam(m.name, m.props);
        Testing.synth(c);
      }, direct ? `${c.node.path}/team` : `${c.node.path}/p`, prop);
    }), params(RUNS));
  });

  test('two teams claiming one namespace are not refused at construction, but rule GPU007 reports the duplicate Namespace', () => {
    fc.assert(fc.property(teamArgs, teamArgs, (a, b) => {
      fc.pre(a.name !== b.name);
      const c = chart();
      const p = new TieredPriorities(c, 'p');
      const ns = a.props.namespace ?? a.name;
      p.addTeam(a.name, a.props);
      p.addTeam(b.name, { ...b.props, namespace: ns });
      expect(() => expectCleanSynth(c)).toThrow(/GPU007 v1 Namespace \S+ metadata\.name: is the 2nd definition of Namespace/);
    }), params(Math.round(RUNS / 5)));
  });

  test('adding a team twice is refused on teams["<name>"]', () => {
    fc.assert(fc.property(teamArgs, (t) => {
      const c = chart();
      const p = new TieredPriorities(c, 'p');
      p.addTeam(t.name, t.props);
      expectConfigError(() => p.addTeam(t.name), `${c.node.path}/p`, /^teams\[/);
    }), params(Math.round(RUNS / 3)));
  });
});

describe('GpuTeam: library bugs (fail until src/ is fixed)', () => {
  const addTeam = (props: any, name = 'ml') => () => {
    const c = chart();
    new TieredPriorities(c, 'p').addTeam(name, props);
    // Whatever is built must also be clean: no empty/invalid names, no rule granting more than the named objects.
    expectCleanSynth(c);
  };
  const at = 'test/p';

  // src/workloads/priorities.ts:242-248: names are not checked. cdk8s-plus drops an empty resourceName, so the rule
  // has no resourceNames at all and grants `get` on EVERY Secret (ConfigMap) of the namespace.
  test.each<[string, string, any]>([
    ['readableSecrets: [""] (today: Role rule without resourceNames = get on every Secret)', 'readableSecrets', { readableSecrets: [''] }],
    ['readableConfigMaps: [undefined] (today: get on every ConfigMap)', 'readableConfigMaps', { readableConfigMaps: [undefined] }],
    ['readableConfigMaps: "ab" (today: a string is iterated, granting ConfigMaps "a" and "b")', 'readableConfigMaps', { readableConfigMaps: 'ab' }],
    ['readableConfigMaps: ["a", "a"] (today: plain Error "There is already a Construct with name \'cm-a\'")', 'readableConfigMaps', { readableConfigMaps: ['a', 'a'] }],
    ['readableSecrets: ["s", "s"] (today: plain Error)', 'readableSecrets', { readableSecrets: ['s', 's'] }],
    ['readableSecrets: ["Bad_Name"] (today: accepted, not a valid Secret name)', 'readableSecrets', { readableSecrets: ['Bad_Name'] }],
    ['readableConfigMaps: [254 chars] (today: accepted, longer than any object name)', 'readableConfigMaps', { readableConfigMaps: ['a'.repeat(254)] }],
  ])('%s → GpuConfigError', (_label, prop, props) => {
    expectConfigError(addTeam(props), at, prop);
  });

  // src/workloads/priorities.ts:239: serviceAccountName is not checked.
  test.each<[string, any]>([
    ['"" (today: ServiceAccount and RoleBinding subject with an empty name)', ''],
    ['"Bad_SA" (today: accepted, not a DNS subdomain)', 'Bad_SA'],
    ['5 (today: a number as metadata.name)', 5],
  ])('serviceAccountName %s → GpuConfigError', (_label, serviceAccountName) => {
    expectConfigError(addTeam({ serviceAccountName, readableSecrets: ['s'] }), at, 'serviceAccountName');
  });

  // src/workloads/priorities.ts:182-183: no typeof check; DNS_LABEL.test(5) is true, so metadata.name is the number 5.
  test('namespace: 5 → GpuConfigError (today: Namespace with metadata.name 5)', () => {
    expectConfigError(addTeam({ namespace: 5 }), at, 'namespace');
  });

  // src/workloads/priorities.ts:208-211: migQuotas and its entries are used without a check.
  test.each<[string, any]>([
    ['[undefined] (today: TypeError "Cannot read properties of undefined (reading \'profile\')")', [undefined]],
    ['{ profile, count } (today: TypeError "forEach is not a function")', { profile: '1g.10gb', count: 1 }],
  ])('migQuotas %s → GpuConfigError', (_label, migQuotas) => {
    expectConfigError(addTeam({ migQuotas }), at, 'migQuotas');
  });

  // src/workloads/priorities.ts:182 reads props.namespace; the `= {}` default only covers undefined.
  test('props null → GpuConfigError (today: TypeError "Cannot read properties of null")', () => {
    expectConfigError(addTeam(null), at, /^(props|namespace)/);
  });
});

// --------------------------------------------------------------------------------------------------------------
// GpuEksStack / GpuEksCluster
// --------------------------------------------------------------------------------------------------------------

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
/**
 * A full GpuEksStack synthesis (VPC, cluster, IAM, four Helm charts, cdk8s manifests) plus Template.fromStack takes
 * ~0.3-0.6 s, so the valid-props property runs 12 times (about 6 s); construction errors are thrown before most of
 * the stack exists, so the invalid-props property can afford more.
 */
const EKS_RUNS = Number(process.env.EKS_PROPERTY_RUNS ?? 12);
const EKS_INVALID_RUNS = Number(process.env.EKS_PROPERTY_RUNS ?? 30);

/** EKS cluster names that also fit the node role name `KarpenterNodeRole-<name>` (1-46 characters). */
const clusterName = fc.tuple(
  fc.constantFrom(...'abcXYZ0189'.split('')),
  fc.array(fc.constantFrom(...'abcxyzABZ019-_'.split('')), { maxLength: 45 }),
).map(([a, m]) => `${a}${m.join('')}`);

/** The pools of one cdk8s chart: a plain pool or tiers, with unbound node classes (the cluster binds them). */
const chartPools = fc.array(fc.tuple(fc.boolean(), instanceTypes(() => true, 3), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 2 });

/** Builds the charts (before the cluster renders them) and returns them with their pools. */
function buildCharts(spec: Array<Array<[boolean, GpuInstanceType[], boolean, boolean]>>): Array<{ chart: Chart; pools: IGpuNodePool[] }> {
  return spec.map((pools, ci) => {
    const c = new Chart(new cdk8s.App(), `pools${ci}`);
    const made: IGpuNodePool[] = [];
    pools.forEach(([tiered, types, spot, onDemand], pi) => {
      const gpuLimit = Math.max(...types.map((t) => t.gpuCount)) * 4;
      if (tiered) {
        made.push(...new TieredGpuCapacity(c, `tiers${pi}`, { base: { instanceTypes: types, gpuLimit }, spot, onDemand: onDemand || !spot }).pools);
      } else {
        made.push(new GpuNodePool(c, `pool${pi}`, { instanceTypes: types, gpuLimit }));
      }
    });
    return { chart: c, pools: made };
  });
}

const eksCase = fc.record({
  clusterName: fc.option(clusterName, { nil: undefined }),
  version: fc.constantFrom(eks.KubernetesVersion.V1_32, eks.KubernetesVersion.V1_33, eks.KubernetesVersion.V1_34),
  capacityReservationIds: fc.uniqueArray(hex17, { maxLength: 2 }),
  minSize: fc.integer({ min: 1, max: 3 }),
  extraMax: fc.integer({ min: 0, max: 3 }),
  replicas: fc.integer({ min: 1, max: 3 }),
  keda: fc.boolean(),
  gpuOperator: fc.boolean(),
  byoPrometheus: fc.boolean(),
  asStack: fc.boolean(),
  charts: fc.array(chartPools, { minLength: 1, maxLength: 2 }),
});

/** The Helm values of a chart resource as an object; CDK tokens inside become `<token>`. */
function helmValues(resource: any): any {
  const v = resource.Properties.Values;
  if (typeof v === 'string') return JSON.parse(v);
  return JSON.parse((v['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : '<token>')).join(''));
}

/** Every statement of the managed policies attached to the role Karpenter's controller assumes via Pod Identity. */
function controllerStatements(template: Template): any[] {
  const roles = template.findResources('AWS::IAM::Role');
  const [roleId] = Object.entries(roles).find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('pods.eks.amazonaws.com'))!;
  const refs = JSON.stringify(roles[roleId].Properties.ManagedPolicyArns ?? []);
  return Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id, p]) => refs.includes(`"${id}"`) || JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId}"`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('GpuEksStack / GpuEksCluster', () => {
  test('random valid props: IMDSv2 and encrypted volumes, a scoped iam:PassRole, every pool chart deployed and bound', () => {
    fc.assert(fc.property(eksCase, (k) => {
      const charts = buildCharts(k.charts);
      const maxSize = Math.max(k.minSize, 3) + k.extraMax;
      const props: GpuEksClusterProps = {
        ...(k.clusterName !== undefined ? { clusterName: k.clusterName } : {}),
        kubernetesVersion: k.version,
        availabilityZones: AZS,
        capacityReservationIds: k.capacityReservationIds,
        systemNodeGroup: { minSize: k.minSize, maxSize },
        karpenter: { replicas: Math.min(k.replicas, maxSize) },
        keda: { enabled: k.keda },
        gpuOperator: { enabled: k.gpuOperator },
        ...(k.byoPrometheus ? { prometheus: { endpoint: 'http://prometheus.observability.svc:9090' } } : {}),
        charts: charts.map((c) => c.chart),
      };
      const app = new App();
      let stack: Stack;
      let cluster: GpuEksCluster;
      if (k.asStack) {
        const s = new GpuEksStack(app, 'Gpu', { env: ENV, ...props });
        stack = s;
        cluster = s.gpuCluster;
      } else {
        stack = new Stack(app, 'S', { env: ENV });
        cluster = new GpuEksCluster(stack, 'C', props);
      }
      const name = cluster.clusterName;
      if (k.clusterName !== undefined) expect(name).toBe(k.clusterName);
      expect(name.length).toBeLessThanOrEqual(46);
      expect(cluster.capacityReservationIds).toEqual(k.capacityReservationIds);
      const t = Template.fromStack(stack);

      t.hasResourceProperties('AWS::EKS::Cluster', { Name: name, Version: k.version.version });
      // IMDSv2 only, hop limit 1, on every launch template (the system node group's).
      const lts = Object.values(t.findResources('AWS::EC2::LaunchTemplate'));
      expect(lts.length).toBeGreaterThan(0);
      for (const lt of lts) expect(lt.Properties.LaunchTemplateData.MetadataOptions).toEqual(expect.objectContaining({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }));
      t.hasResourceProperties('AWS::EKS::Nodegroup', { ScalingConfig: { MinSize: k.minSize, MaxSize: maxSize, DesiredSize: k.minSize } });

      // The controller may pass only the node role, and "*" appears only for actions without resource scoping.
      const statements = controllerStatements(t);
      const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
      expect(passRole).toHaveLength(1);
      expect(passRole[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/KarpenterNodeRole/), 'Arn'] });
      for (const s of statements.filter((x) => [x.Resource].flat().includes('*'))) {
        for (const a of [s.Action].flat()) expect(a).toMatch(/^(ec2:Describe\w+|pricing:GetProducts|iam:ListInstanceProfiles)$/);
      }
      t.hasResourceProperties('AWS::IAM::Role', { RoleName: `KarpenterNodeRole-${name}` });

      // Helm releases: exactly the enabled add-ons, Karpenter with the asked replicas.
      const helm = Object.entries(t.findResources('Custom::AWSCDK-EKS-HelmChart'));
      expect(helm.map(([, r]) => r.Properties.Chart).sort()).toEqual([
        ...(k.gpuOperator ? ['gpu-operator'] : []), 'karpenter', ...(k.keda ? ['keda'] : []), ...(k.byoPrometheus ? [] : ['kube-prometheus-stack']), 'kueue',
      ]);
      const karpenter = helm.find(([, r]) => r.Properties.Chart === 'karpenter')![1];
      expect(helmValues(karpenter).replicas).toBe(Math.min(k.replicas, maxSize));
      expect(helmValues(karpenter).settings.clusterName).toBe(name);

      // One manifest per chart, applied after every Helm release, holding that chart's pools bound to this cluster
      // (besides the one applying the admission policies).
      const manifests = Object.values(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
        .filter((m) => !JSON.stringify(m.Properties.Manifest).includes('ValidatingAdmissionPolicy'));
      expect(manifests).toHaveLength(charts.length);
      for (const { chart: c, pools } of charts) {
        const objs = expectCleanSynth(c); // the chart itself, after binding: schemas and rules
        const m = manifests.find((x) => JSON.parse(x.Properties.Manifest).some((o: any) => o.metadata.name === objs[0].metadata.name))!;
        expect(m).toBeDefined();
        for (const [id] of helm) expect(m.DependsOn).toContain(id);
        const deployed = JSON.parse(m.Properties.Manifest);
        expect(deployed.filter((o: any) => o.kind === 'NodePool').map((o: any) => o.metadata.name).sort())
          .toEqual(pools.map((p) => p.poolName).sort());
        const classes = deployed.filter((o: any) => o.kind === 'EC2NodeClass');
        expect(classes.length).toBeGreaterThan(0);
        for (const nc of classes) {
          expect(nc.spec.role).toBe(`KarpenterNodeRole-${name}`);
          expect(nc.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': name } }]);
          expect(nc.spec.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': name } }]);
          expect(nc.spec.metadataOptions).toEqual(expect.objectContaining({ httpTokens: 'required', httpPutResponseHopLimit: 1 }));
          expect(nc.spec.blockDeviceMappings.length).toBeGreaterThan(0);
          for (const b of nc.spec.blockDeviceMappings) expect(b.ebs.encrypted).toBe(true);
        }
      }
      if (k.asStack) t.hasOutput('ClusterName', { Value: name });
    }), params(EKS_RUNS));
  });

  type EksMutation = [string, (p: GpuEksClusterProps) => GpuEksClusterProps];
  const badVersion = fc.constantFrom('latest', '^1.2.0', '1.2', '~1.14.1', '>=1.0.0', '', '1.14.x', 'v1');
  const eksMutations: fc.Arbitrary<EksMutation> = fc.oneof(
    fc.oneof(
      fc.constant(''), clusterName.map((n) => `-${n}`), clusterName.map((n) => `_${n}`), clusterName.map((n) => `${n} x`),
      clusterName.map((n) => `${n}!`), clusterName.map((n) => `${n}.x`), clusterName.map((n) => `${n}/x`), fc.constant('ümlaut'),
      fc.integer({ min: 101, max: 200 }).map((n) => 'a'.repeat(n)),
      // Valid EKS names, too long for KarpenterNodeRole-<name> (64 characters).
      fc.integer({ min: 47, max: 100 }).map((n) => 'b'.repeat(n)),
    ).map((bad) => ['clusterName', (p) => ({ ...p, clusterName: bad })] as EksMutation),
    fc.constantFrom(eks.KubernetesVersion.V1_28, eks.KubernetesVersion.V1_31, eks.KubernetesVersion.V1_35, eks.KubernetesVersion.V1_37,
      eks.KubernetesVersion.of('2.0'), eks.KubernetesVersion.of('latest'), eks.KubernetesVersion.of('1.x'))
      .map((kubernetesVersion) => ['kubernetesVersion', (p) => ({ ...p, kubernetesVersion })] as EksMutation),
    fc.constantFrom('cr-123', 'cr-0123456789ABCDEF0', 'r-0123456789abcdef0', '', 'cr-0123456789abcdef01')
      .map((id) => ['capacityReservationIds', (p) => ({ ...p, capacityReservationIds: [...(p.capacityReservationIds ?? []), id] })] as EksMutation),
    hex17.map((id) => ['capacityReservationIds', (p) => ({ ...p, capacityReservationIds: [id, id] })] as EksMutation),
    fc.constantFrom<string[]>([], ['us-east-1a'], ['us-east-1a', 'us-east-1a']).map((azs) => ['availabilityZones', (p) => ({ ...p, availabilityZones: azs })] as EksMutation),
    fc.constantFrom(0, 1, -2, 1.5, NaN).map((maxAzs) => ['maxAzs', (p) => ({ ...p, availabilityZones: undefined, maxAzs })] as EksMutation),
    fc.constantFrom({ minSize: 0 }, { minSize: -1 }, { minSize: 1.5 }, { minSize: NaN }, { minSize: 3, maxSize: 2 }, { maxSize: NaN })
      .map((s) => ['systemNodeGroup', (p) => ({ ...p, systemNodeGroup: s })] as EksMutation),
    fc.constantFrom('g5.xlarge', 'p4d.24xlarge', 'inf2.xlarge', 'trn1.2xlarge', 'g6e.12xlarge', 'p5.48xlarge')
      .map((t) => ['systemNodeGroup.instanceTypes', (p) => ({ ...p, systemNodeGroup: { instanceTypes: [new ec2.InstanceType('m6i.large'), new ec2.InstanceType(t)] } })] as EksMutation),
    fc.constantFrom(0, -1, 1.5, NaN, 4, 10).map((replicas) => ['karpenter.replicas', (p) => ({ ...p, karpenter: { replicas } })] as EksMutation),
    fc.tuple(fc.constantFrom('karpenter', 'keda', 'prometheus', 'gpuOperator'), badVersion)
      .map(([addon, version]) => [`${addon}.version`, (p) => ({ ...p, [addon]: { version } })] as EksMutation),
    fc.constantFrom('prometheus:9090', 'ftp://prom', '', 'http://', 'http://a b').map((endpoint) => ['prometheus.endpoint', (p) => ({ ...p, prometheus: { endpoint } })] as EksMutation),
    fc.constant(['gpuOperator.settings.driver', (p) => ({ ...p, gpuOperator: { settings: { driver: true } } })] as EksMutation),
  );

  test('one invalid prop throws GpuConfigError naming the cluster construct and the property', () => {
    fc.assert(fc.property(clusterName, fc.boolean(), eksMutations, (name, asStack, [prop, mutate]) => {
      const app = new App();
      const props = mutate({ clusterName: name, availabilityZones: AZS });
      expectConfigError(() => {
        if (asStack) {
          Template.fromStack(new GpuEksStack(app, 'Gpu', { env: ENV, ...props }));
        } else {
          const s = new Stack(app, 'S', { env: ENV });
          new GpuEksCluster(s, 'C', props);
          Template.fromStack(s);
        }
      }, asStack ? 'Gpu/GpuCluster' : 'S/C', prop);
    }), params(EKS_INVALID_RUNS));
  });

  test('charts: [] is the documented default (no pools deployed), not an error', () => {
    const app = new App();
    const t = Template.fromStack(new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'empty', availabilityZones: AZS, charts: [] }));
    t.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 1); // only the admission policies
  });
});

describe('GpuEksStack / GpuEksCluster: library bugs (fail until src/ is fixed)', () => {
  /** Builds and synthesises a GpuEksStack; the error must be GpuConfigError on Gpu/GpuCluster naming `prop`. */
  const stackWith = (props: any) => () => {
    const app = new App();
    Template.fromStack(new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'gpu', availabilityZones: AZS, ...props }));
  };
  const at = 'Gpu/GpuCluster';

  test.each<[string, string | RegExp, any]>([
    // src/eks/cluster.ts:495-505 validateClusterName: no typeof check; /pattern/.test(5) is true, so 5 reaches
    // sqs.Queue (src/eks/karpenter.ts queueName) and fails there.
    ['clusterName: 5 (today: TypeError "queueName.endsWith is not a function")', 'clusterName', { clusterName: 5 }],
    // src/eks/cluster.ts:469 / :484: charts and their entries are used without a check.
    ['charts: [undefined] (today: TypeError "Cannot read properties of undefined (reading \'node\')")', 'charts', { charts: [undefined] }],
    ['charts: a Chart, not an array (today: TypeError "object is not iterable")', 'charts', { charts: new Chart(new cdk8s.App(), 'one') }],
    // src/eks/cluster.ts:508 validateReservations calls ids.forEach.
    ['capacityReservationIds: an id string (today: TypeError "ids.forEach is not a function")', 'capacityReservationIds', { capacityReservationIds: 'cr-0123456789abcdef0' }],
    // src/eks/cluster.ts:226: new Set("us-east-1a") counts characters, so a string passes and ec2.Vpc fails.
    ['availabilityZones: a string (today: TypeError "this.availabilityZones.forEach is not a function")', 'availabilityZones', { availabilityZones: 'us-east-1a' }],
    // src/eks/cluster.ts:289-292: t.toString() on an undefined entry.
    ['systemNodeGroup.instanceTypes: [undefined] (today: TypeError reading \'toString\')', 'systemNodeGroup.instanceTypes', { systemNodeGroup: { instanceTypes: [undefined] } }],
    ['systemNodeGroup.instanceTypes: ["m6i.large"] strings (today: TypeError "sameInstanceClassAs is not a function")', 'systemNodeGroup.instanceTypes', { systemNodeGroup: { instanceTypes: ['m6i.large'] } }],
    // src/eks/cluster.ts:312: desiredSize is passed on unchecked.
    ['systemNodeGroup.desiredSize: 10 > maxSize (today: aws-cdk DesiredCapacityCannotBeGreaterThanMaxSize)', 'systemNodeGroup', { systemNodeGroup: { desiredSize: 10 } }],
    ['systemNodeGroup.desiredSize: 0 < minSize (today: aws-cdk MinimumCapacityCannotBeGreaterThanDesiredSize)', 'systemNodeGroup', { systemNodeGroup: { desiredSize: 0 } }],
    ['systemNodeGroup.desiredSize: NaN (today: "DesiredSize": null in the template)', 'systemNodeGroup', { systemNodeGroup: { desiredSize: NaN } }],
    // src/eks/cluster.ts:232: natGateways unchecked; NaN or -1 silently gives private subnets with no NAT gateway.
    ['natGateways: NaN (today: a VPC without NAT gateways, no error)', 'natGateways', { natGateways: NaN }],
    ['natGateways: -1 (today: a VPC without NAT gateways, no error)', 'natGateways', { natGateways: -1 }],
    // src/eks/cluster.ts:352 / :407 / :461: `?? default` keeps "", so the release goes to namespace "".
    ['karpenter.namespace: "" (today: Helm release and Pod Identity association in namespace "")', 'karpenter.namespace', { karpenter: { namespace: '' } }],
    ['karpenter.namespace: "Bad_NS" (today: accepted, not a namespace name)', 'karpenter.namespace', { karpenter: { namespace: 'Bad_NS' } }],
    ['keda.namespace: "" (today: Helm release in namespace "")', 'keda.namespace', { keda: { namespace: '' } }],
    ['prometheus.namespace: "" (today: Helm release in namespace "" and endpoint http://…..svc…)', 'prometheus.namespace', { prometheus: { namespace: '' } }],
    ['gpuOperator.settings.namespace: "" (today: Helm release in namespace "")', 'gpuOperator.settings.namespace', { gpuOperator: { settings: { namespace: '' } } }],
    // src/eks/cluster.ts:250: endpointAccess is handed to aws-eks-v2 unchecked.
    ['endpointAccess: "public" (today: TypeError reading \'publicAccess\')', 'endpointAccess', { endpointAccess: 'public' }],
  ])('%s → GpuConfigError', (_label, prop, props) => {
    expectConfigError(stackWith(props), at, prop);
  });

  // src/eks/cluster.ts:196/200: the `= {}` default covers undefined only.
  test('GpuEksCluster props null → GpuConfigError (today: TypeError "Cannot read properties of null (reading \'clusterName\')")', () => {
    const app = new App();
    const s = new Stack(app, 'S', { env: ENV });
    expectConfigError(() => new GpuEksCluster(s, 'C', null as any), 'S/C', /^(props|clusterName)/);
  });
});
