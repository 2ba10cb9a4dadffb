/**
 * Issue 15, case 7 (+ reserved pricing of case 6): `plan` spills demand in weight order at each pool's limit
 * (reserved → spot → on-demand), with cost per pool and tier, reserved capacity priced as pre-paid.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { planGpuWorkloads, planHasErrors, renderPlanText } from '../../src/plan';

const FIXTURE = path.join(__dirname, '..', 'plan', 'fixtures', 'tiered.yaml');
const load = () => parseAllDocuments(fs.readFileSync(FIXTURE, 'utf8')).map((d) => d.toJS())
  .filter((o) => o && typeof o === 'object').map((object) => ({ object, source: { file: FIXTURE } }));

// Catalog on-demand prices (us-east-1, src/catalog/instance-data.ts).
const P4D = 21.957642;
const P5 = 55.04;

describe('plan of the tiered example (reserved → spot → on-demand)', () => {
  const plan = planGpuWorkloads(load());
  const pool = (name: string) => plan.pools.find((p) => p.name === name)!;

  test('replicas spill in weight order at each pool\'s limit', () => {
    const w = plan.workloads[0];
    expect(w.pool).toBe('llm-reserved');
    expect(w.spread).toEqual([
      { pool: 'llm-reserved', min: 2, max: 2 }, // 16 GPUs reserved = 2 × p5 (8 GPUs each)
      { pool: 'llm-spot', min: 1, max: 3 }, // limit 24 GPUs = 3 × p4d
      { pool: 'llm-on-demand', min: 0, max: 2 },
    ]);
    expect(pool('llm-reserved').nodesByType.map((n) => [n.instanceType, n.min, n.max])).toEqual([['p5.48xlarge', 2, 2]]);
    expect(pool('llm-spot').nodesByType.map((n) => [n.instanceType, n.min, n.max])).toEqual([['p4d.24xlarge', 1, 3]]);
    expect(pool('llm-on-demand').nodesByType.map((n) => [n.instanceType, n.min, n.max])).toEqual([['p4d.24xlarge', 0, 2]]);
    // No pool is shown past its limit, and nothing stays Pending: the plan passes, with notes on the fall-backs.
    for (const p of plan.pools) expect(p.nodeGpus.max).toBeLessThanOrEqual(p.gpuLimit!);
    expect(planHasErrors(plan)).toBe(false);
    expect(pool('llm-reserved').notes.join(' ')).toMatch(/Karpenter falls back to the other pools these workloads fit for the rest \(spilled to llm-spot\)/);
    expect(pool('llm-spot').notes.join(' ')).toMatch(/spilled to llm-on-demand/);
  });

  test('cost per pool and tier; reserved capacity is pre-paid, in its own column', () => {
    expect(pool('llm-reserved').pricedAs).toBe('reserved');
    expect(pool('llm-reserved').cost.expected).toEqual({ min: 0, max: 0 });
    expect(pool('llm-reserved').cost.reserved.max).toBeCloseTo(2 * P5, 6);
    expect(pool('llm-spot').cost.expected.max).toBeCloseTo(3 * P4D * 0.4, 6);
    expect(pool('llm-on-demand').cost.expected.max).toBeCloseTo(2 * P4D, 6);
    expect(plan.totals.cost.expected.min).toBeCloseTo(1 * P4D * 0.4, 6);
    expect(plan.totals.cost.expected.max).toBeCloseTo(3 * P4D * 0.4 + 2 * P4D, 6);
    expect(plan.totals.cost.reserved).toEqual({ min: expect.closeTo(2 * P5, 6), max: expect.closeTo(2 * P5, 6) });
    const text = renderPlanText(plan);
    expect(text).toContain('PRE-PAID USD/HOUR');
    expect(text).toMatch(/spills\s+llm-reserved 2 → llm-spot 1–3 → llm-on-demand 0–2/);
    expect(text).toContain('reserved capacity used (pre-paid, valued at on-demand rates, not in the hourly cost): $110.08');
  });

  test('with no room anywhere, the rest stays Pending (error naming every full pool)', () => {
    const docs = load();
    const scaler = docs.find((d) => d.object.kind === 'ScaledObject')!.object;
    scaler.spec.maxReplicaCount = 20; // 160 GPUs; the tiers hold 16 + 24 + 64 = 104
    const over = planGpuWorkloads(docs);
    expect(planHasErrors(over)).toBe(true);
    const w = over.workloads[0];
    expect(w.spread!.map((s) => s.max)).toEqual([2, 3, 8]);
    expect(w.problems[0]).toMatch(/its maximum of 20 replicas can never be reached: every NodePool it fits is at its limits \(llm-reserved \(limits.nvidia.com\/gpu 16\), llm-spot \(limits.nvidia.com\/gpu 24\), llm-on-demand \(limits.nvidia.com\/gpu 64\)\); 7 replicas stay Pending/);
  });
});
