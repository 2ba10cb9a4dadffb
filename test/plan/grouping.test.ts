/**
 * A workload's pools in the plan, grouped (plan JSON version 2): the pools it fits by the instance types one pod fits
 * there (`fits`), the others by failed predicate and reason (`rejectedBy`). JSON names every pool once per workload;
 * the text and HTML views and the `can never schedule` message name the first few of a long list and count the rest.
 */
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { safeText } from '../../src/cli/args';
import { runPlan } from '../../src/cli/plan';
import {
  Plan, PLAN_JSON_SCHEMA_VERSION, planGpuWorkloads, PlanJson, planToJson, renderPlanHtml, renderPlanJson, renderPlanText,
  WorkloadPlan,
} from '../../src/plan';
import { listed, poolList } from '../../src/plan/format';
import { placeOnPool } from '../../src/scheduling/placement';
import { ManifestIndex } from '../../src/validation/context';
import { SourcedManifest } from '../../src/validation/model';
import { runCommand } from '../cli/fake-io';

interface PoolSpec {
  readonly name: string;
  readonly types: string[];
  readonly tier: string;
  /** A taint the workloads do not tolerate. */
  readonly tainted?: boolean;
  readonly weight?: number;
  readonly gpuLimit?: number;
}

const nodePool = (p: PoolSpec): SourcedManifest => ({
  object: {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: p.name },
    spec: {
      template: {
        metadata: { labels: { tier: p.tier } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: p.types },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          ],
          taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
            ...(p.tainted ? [{ key: 'dedicated', value: 'other-team', effect: 'NoSchedule' }] : [])],
        },
      },
      ...(p.gpuLimit !== undefined ? { limits: { 'nvidia.com/gpu': p.gpuLimit } } : {}),
      ...(p.weight !== undefined ? { weight: p.weight } : {}),
    },
  },
});

const deployment = (name: string, gpus: number, tiers?: string[], resource = 'nvidia.com/gpu'): SourcedManifest => ({
  object: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          ...(tiers ? {
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: tiers }] }] } } },
          } : {}),
          containers: [{ name: 'c', image: 'x', resources: { requests: { [resource]: gpus, cpu: '1', memory: '4Gi' }, limits: { [resource]: gpus, memory: '4Gi' } } }],
        },
      },
    },
  },
});

const workload = (plan: Plan, name: string): WorkloadPlan => {
  const w = plan.workloads.find((x) => x.name === name);
  if (!w) throw new Error(`no workload ${name}`);
  return w;
};
const names = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
/** The text view's workload blocks (the pools table lists every pool). */
const workloadsText = (text: string) => text.slice(0, text.indexOf('\nPools\n'));
/** The HTML view's workloads table. */
const workloadsHtml = (html: string) => html.slice(html.indexOf('<h2>Workloads</h2>'), html.indexOf('</table>', html.indexOf('<h2>Workloads</h2>')));
const AFFINITY_B = 'required node affinity: tier In [b] matches no node of this pool';
const TAINT = 'does not tolerate taint dedicated=other-team:NoSchedule';
const MIG = 'nvidia.com/mig-1g.10gb';
const NO_MIG = 'needs 1 nvidia.com/mig-1g.10gb per pod; no allowed instance type of this pool advertises nvidia.com/mig-1g.10gb';

describe('listing helpers', () => {
  test('listed names up to five, then counts the rest; poolList adds the count when it cuts', () => {
    expect(listed([])).toBe('');
    expect(listed(['a'])).toBe('a');
    expect(listed(names('p', 0, 5))).toBe('p0, p1, p2, p3, p4');
    expect(listed(names('p', 0, 6))).toBe('p0, p1, p2, p3, p4 and 1 more');
    expect(poolList(names('p', 0, 5))).toBe('p0, p1, p2, p3, p4');
    expect(poolList(names('p', 0, 600))).toBe('600 pools (p0, p1, p2, p3, p4 and 595 more)');
  });
});

describe('rejection groups', () => {
  // a-0 … a-8: tier a; t-0, t-1: tier b but tainted; b-0 … b-2: tier b; interleaved in the input.
  const pools: PoolSpec[] = [
    ...names('a-', 0, 4).map((name) => ({ name, types: ['g5.xlarge'], tier: 'a' })),
    { name: 't-0', types: ['g5.xlarge'], tier: 'b', tainted: true },
    ...names('a-', 4, 9).map((name) => ({ name, types: ['g5.xlarge'], tier: 'a' })),
    { name: 'b-0', types: ['g5.xlarge', 'g5.12xlarge'], tier: 'b', weight: 10 },
    { name: 'b-1', types: ['g5.12xlarge'], tier: 'b', weight: 30 },
    { name: 't-1', types: ['g5.xlarge'], tier: 'b', tainted: true },
    { name: 'b-2', types: ['g5.xlarge', 'g5.12xlarge'], tier: 'b', weight: 20 },
  ];
  const plan = planGpuWorkloads([...pools.map(nodePool), deployment('w', 1, ['b'])]);
  const w = workload(plan, 'w');

  test('one group per failed predicate and reason, groups in the input order of their first pool, pools in input order', () => {
    expect(w.rejectedBy).toEqual([
      { failedPredicate: 'nodeAffinity', reason: AFFINITY_B, pools: names('a-', 0, 9) },
      { failedPredicate: 'taints', reason: TAINT, pools: ['t-0', 't-1'] },
    ]);
    // Fitting pools by the instance types one pod fits there (catalog order), groups in input order of their first pool.
    expect(w.fits).toEqual([
      { instanceTypes: ['g5.xlarge', 'g5.12xlarge'], pools: ['b-0', 'b-2'] },
      { instanceTypes: ['g5.12xlarge'], pools: ['b-1'] },
    ]);
  });

  test('text: one line per group, a long group counted and cut after five names; short lists as they are', () => {
    const text = renderPlanText(plan);
    expect(text).toContain(`not on       9 pools (a-0, a-1, a-2, a-3, a-4 and 4 more): ${AFFINITY_B}\n`);
    expect(text).toContain(`                   t-0, t-1: ${TAINT}\n`);
    // Lands on the highest weight (b-1); falls back in Karpenter's order (weight), also fits in input order.
    expect(text).toContain('lands on     b-1 as g5.12xlarge · Karpenter\'s first choice of 3 fitting pools (highest weight 30, then name); '
      + 'it falls back to b-2, b-0 when b-1 is at its limits\n');
    expect(text).toContain('also fits    b-0, b-2\n');
    expect(workloadsText(text)).not.toContain('a-5');
  });

  test('HTML: one list item per group, bounded the same way', () => {
    const html = renderPlanHtml(plan);
    expect(html).toContain(`<li><b>9 pools (a-0, a-1, a-2, a-3, a-4 and 4 more)</b>: ${AFFINITY_B}</li><li><b>t-0, t-1</b>: ${TAINT}</li>`);
    expect(workloadsHtml(html)).not.toContain('a-5');
  });

  test('JSON: every pool once, in its group', () => {
    const doc = JSON.parse(renderPlanJson(plan)) as PlanJson;
    expect(doc.schemaVersion).toBe(PLAN_JSON_SCHEMA_VERSION);
    expect(PLAN_JSON_SCHEMA_VERSION).toBe(2);
    const jw = doc.plan.workloads[0];
    expect(Object.keys(jw)).not.toContain('verdicts');
    expect(jw.rejectedBy).toEqual(w.rejectedBy);
    expect(jw.fits).toEqual(w.fits);
  });
});

describe('bounded views of many pools', () => {
  // 40 pools the workload fits (weights 1 … 40 from the last to the first), 200 it does not (tier a).
  const fitting: PoolSpec[] = Array.from({ length: 40 }, (_, i) => ({ name: `fit-${i}`, types: ['g5.xlarge'], tier: 'b', weight: 40 - i }));
  const other: PoolSpec[] = names('a-', 0, 200).map((name) => ({ name, types: ['g5.xlarge'], tier: 'a' }));
  const plan = planGpuWorkloads([...[...other, ...fitting].map(nodePool), deployment('w', 1, ['b']), deployment('never', 1, ['b'], MIG)]);

  test('attribution names the next five pools in Karpenter\'s order and counts the rest', () => {
    expect(workload(plan, 'w').attribution).toBe('Karpenter\'s first choice of 40 fitting pools (highest weight 40, then name); '
      + 'it falls back to fit-1, fit-2, fit-3, fit-4, fit-5 and 34 more by weight when fit-0 is at its limits');
  });

  test('text: also fits and not on are counted and cut', () => {
    const text = renderPlanText(plan);
    expect(text).toContain('also fits    39 pools (fit-1, fit-2, fit-3, fit-4, fit-5 and 34 more)\n');
    expect(text).toContain(`not on       200 pools (a-0, a-1, a-2, a-3, a-4 and 195 more): ${AFFINITY_B}\n`);
    expect(workloadsText(text)).not.toContain('a-5');
  });

  test('the unschedulable workload\'s message is bounded, keeps its prefix, and JSON still has every pool', () => {
    const never = workload(plan, 'never');
    expect(never.problems).toEqual([`can never schedule: it fits no NodePool (200 pools (a-0, a-1, a-2, a-3, a-4 and 195 more): ${AFFINITY_B}; `
      + `40 pools (fit-0, fit-1, fit-2, fit-3, fit-4 and 35 more): ${NO_MIG})`]);
    expect(never.rejectedBy.flatMap((g) => g.pools)).toEqual([...other, ...fitting].map((p) => p.name));
  });

  test('more than five reasons: the first five named, the rest counted', () => {
    // Seven pools, each too small for the workload's 8 GPUs in a way of its own (its largest type).
    const types = ['g5.xlarge', 'g5.12xlarge', 'g6.xlarge', 'g6.12xlarge', 'g6e.xlarge', 'g6e.12xlarge', 'g4dn.xlarge'];
    const p = planGpuWorkloads([...types.map((t, i) => nodePool({ name: `p-${i}`, types: [t], tier: 'a' })), deployment('w', 8)]);
    const w = workload(p, 'w');
    expect(w.rejectedBy).toHaveLength(7);
    expect(w.problems).toEqual([`can never schedule: it fits no NodePool (${w.rejectedBy.slice(0, 5).map((g) => `${g.pools[0]}: ${g.reason}`).join('; ')}; `
      + 'and 2 more reasons on 2 pools)']);
    expect(w.problems[0]).toContain('p-0: needs 8 nvidia.com/gpu per pod; the largest allowed type g5.xlarge has 1; p-1: ');
  });
});

describe('other lists of pools in messages are bounded too', () => {
  // Eight pools of one p4d.24xlarge each (limit 8 GPUs), weights 8 … 1: Karpenter's order is p-0 … p-7.
  const pools = (n: number) => Array.from({ length: n }, (_, i) => nodePool({ name: `p-${i}`, types: ['p4d.24xlarge'], tier: 'a', weight: 8 - i, gpuLimit: 8 }));
  const replicas = (m: SourcedManifest, n: number): SourcedManifest => ({ object: { ...m.object, spec: { ...m.object.spec, replicas: n } } });

  test('a pool\'s spill-over note names the first five pools the rest went to', () => {
    const plan = planGpuWorkloads([...pools(8), replicas(deployment('w', 8), 8)]);
    expect(plan.pools[0].notes).toEqual([expect.stringMatching(/Karpenter falls back to the other pools these workloads fit for the rest \(spilled to p-1, p-2, p-3, p-4, p-5 and 2 more\)$/)]);
    expect(workload(plan, 'w').spread!.map((x) => x.pool)).toEqual(names('p-', 0, 8)); // every pool still in the spread
    // Both views say where the replicas spill, and which other pools the workload fits.
    const spills = 'p-0 1 → p-1 1 → p-2 1 → p-3 1 → p-4 1 → p-5 1 → p-6 1 → p-7 1 (pools fill in weight order up to their limits)';
    expect(renderPlanText(plan)).toContain(`spills       ${spills}\n`);
    expect(renderPlanText(plan)).toContain('also fits    7 pools (p-1, p-2, p-3, p-4, p-5 and 2 more)\n');
    expect(renderPlanHtml(plan)).toContain(`<div>spills: ${spills}</div><div class="muted">also fits 7 pools (p-1, p-2, p-3, p-4, p-5 and 2 more)</div>`);
  });

  test('a maximum no pool has room for names the first five pools at their limits', () => {
    const plan = planGpuWorkloads([...pools(7), replicas(deployment('w', 8), 10)]);
    expect(workload(plan, 'w').problems).toEqual(['its minimum of 10 replicas can never be reached: every NodePool it fits is at its limits '
      + '(p-0 (limits.nvidia.com/gpu 8), p-1 (limits.nvidia.com/gpu 8), p-2 (limits.nvidia.com/gpu 8), p-3 (limits.nvidia.com/gpu 8), '
      + 'p-4 (limits.nvidia.com/gpu 8) and 2 more); 3 replicas stay Pending']);
  });
});

describe('JSON is lossless (property)', () => {
  const TYPES = [['g5.xlarge', 'g5.12xlarge'], ['p4d.24xlarge'], ['g6.xlarge', 'g6.48xlarge'], ['g5.48xlarge']];
  const poolArb = fc.record({
    types: fc.constantFrom(...TYPES),
    tier: fc.constantFrom('a', 'b', 'c'),
    tainted: fc.boolean(),
    weight: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    gpuLimit: fc.option(fc.constantFrom(1, 4, 8, 64), { nil: undefined }),
  });
  const workloadArb = fc.record({
    gpus: fc.constantFrom(1, 2, 4, 8),
    tiers: fc.option(fc.subarray(['a', 'b', 'c'], { minLength: 1 }), { nil: undefined }),
    mig: fc.boolean(),
  });

  test('every pool is in exactly one fits or rejectedBy group of each workload, with the scheduling model\'s verdict', () => {
    fc.assert(fc.property(fc.array(poolArb, { minLength: 1, maxLength: 30 }), fc.array(workloadArb, { minLength: 1, maxLength: 4 }), (ps, ws) => {
      const manifests = [
        ...ps.map((p, i) => nodePool({ name: `p-${i}`, ...p })),
        ...ws.map((w, i) => deployment(`w-${i}`, w.mig ? 1 : w.gpus, w.tiers, w.mig ? 'nvidia.com/mig-1g.10gb' : 'nvidia.com/gpu')),
      ];
      const doc = planToJson(planGpuWorkloads(manifests, { schemaGate: false }));
      const index = new ManifestIndex(manifests);
      const models = index.nodePools();
      const refs = index.workloads();
      expect(doc.plan.workloads).toHaveLength(ws.length);
      doc.plan.workloads.forEach((w, k) => {
        const seen = new Map<string, string>();
        const note = (pool: string, what: string) => {
          expect(seen.has(pool)).toBe(false);
          seen.set(pool, what);
        };
        for (const g of w.fits) for (const pool of g.pools) note(pool, JSON.stringify({ fits: true, types: g.instanceTypes }));
        for (const g of w.rejectedBy) {
          for (const pool of g.pools) note(pool, JSON.stringify({ fits: false, reason: g.reason, failedPredicate: g.failedPredicate }));
        }
        expect([...seen.keys()].sort()).toEqual(models.map((m) => m.name).sort());
        for (const model of models) {
          const v = placeOnPool(refs[k].template, model);
          expect(seen.get(model.name)).toBe(v.fits
            ? JSON.stringify({ fits: true, types: v.instanceTypes.map((t) => t.name) })
            : JSON.stringify({ fits: false, reason: v.reason, failedPredicate: v.failedPredicate }));
        }
        // Groups in the input order of their first pool, pools in input order.
        const at = (pool: string) => models.findIndex((m) => m.name === pool);
        for (const groups of [w.fits, w.rejectedBy]) {
          for (const g of groups) expect(g.pools.map(at)).toEqual([...g.pools.map(at)].sort((a, b) => a - b));
          expect(groups.map((g) => at(g.pools[0]))).toEqual(groups.map((g) => at(g.pools[0])).sort((a, b) => a - b));
        }
        expect(w.schedulable).toBe(w.fits.length > 0);
      });
    }), { seed: 14, numRuns: 60 });
  });
});

describe('names from the input are escaped in text and HTML (issue 14, deliverable 4)', () => {
  test('a pool name with an escape sequence and a newline, in a group of the text and HTML views', async () => {
    const evil = 'a-\u001b[2J\nerror 0';
    const pools: PoolSpec[] = [{ name: evil, types: ['g5.xlarge'], tier: 'a' }, ...names('a-', 1, 8).map((name) => ({ name, types: ['g5.xlarge'], tier: 'a' })),
      { name: 'b-0', types: ['g5.xlarge'], tier: 'b' }];
    const yamlText = [...pools.map(nodePool), deployment('w', 1, ['b']), deployment('never', 1, ['c'])].map((m) => stringify(m.object)).join('---\n');
    for (const format of ['text', 'html']) {
      const r = await runCommand(runPlan, ['--no-schema', '--format', format, '-'], { stdin: yamlText });
      expect(r.out).not.toContain('\u001b');
      expect(r.out).not.toContain('\nerror 0');
      const group = `8 pools (${safeText(evil)}, a-1, a-2, a-3, a-4 and 3 more)`;
      expect(r.out).toContain(format === 'text' ? `${group}: ${AFFINITY_B}` : `<li><b>${group}</b>: ${AFFINITY_B}</li>`);
      expect(r.out).toContain(`can never schedule: it fits no NodePool (9 pools (${safeText(evil)}, a-1, a-2, a-3, a-4 and 4 more): `);
    }
    // JSON keeps the name as it is (JSON escapes it itself).
    const json = await runCommand(runPlan, ['--no-schema', '--format', 'json', '-'], { stdin: yamlText });
    const doc = JSON.parse(json.out) as PlanJson;
    expect(doc.plan.workloads.find((w) => w.name === 'w')!.rejectedBy[0].pools[0]).toBe(evil);
  });
});
