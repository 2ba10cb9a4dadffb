/**
 * Issue 15, case 5: `plan` must call pods the API server refuses "never schedulable" (exit 1), with the reason.
 */
import { planGpuWorkloads, planHasErrors } from '../../src/plan';
import { DEFAULT_NODE_CLASS, GPU_TOLERATION, nodePool, workload } from '../validation/helpers';

const manifests = (w: any) => [nodePool(), DEFAULT_NODE_CLASS, w].map((object) => ({ object }));

describe('plan: API-invalid GPU pods are never schedulable', () => {
  test.each([
    ['request 1, limit 2', { limits: { 'nvidia.com/gpu': 2 }, requests: { 'nvidia.com/gpu': 1 } }, /requests nvidia.com\/gpu 1 but limits 2 \(they must be equal\)/],
    ['a request without a limit', { requests: { 'nvidia.com/gpu': 1 } }, /requests nvidia.com\/gpu 1 without a limit/],
    ['a fractional GPU', { limits: { 'nvidia.com/gpu': '0.5' } }, /a fraction/],
    ['a fractional EFA interface (any extended resource)', { limits: { 'nvidia.com/gpu': 1, 'vpc.amazonaws.com/efa': '1.5' } }, /vpc.amazonaws.com\/efa to "1.5", a fraction/],
  ])('%s', (_name, resources, reason) => {
    const plan = planGpuWorkloads(manifests(workload({ ...resources, tolerations: [GPU_TOLERATION] })));
    const w = plan.workloads[0];
    expect(w.schedulable).toBe(false);
    expect(w.problems.join('\n')).toMatch(/can never schedule: the API server refuses its pods/);
    expect(w.problems.join('\n')).toMatch(reason);
    expect(planHasErrors(plan)).toBe(true);
    // Nothing is launched for a pod that is never created.
    expect(plan.totals.nodes).toEqual({ min: 0, max: 0 });
  });

  test('a valid pod on the same pool schedules (the check is not a blanket refusal)', () => {
    const plan = planGpuWorkloads(manifests(workload({ limits: { 'nvidia.com/gpu': 1 }, requests: { 'nvidia.com/gpu': 1 }, tolerations: [GPU_TOLERATION] })));
    expect(plan.workloads[0].schedulable).toBe(true);
    expect(planHasErrors(plan)).toBe(false);
  });
});
