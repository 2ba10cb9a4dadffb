/**
 * Issue 15, case 1: GPU002 honours node selection. A pod pinned to pool B that tolerates only pool A's taints can never
 * schedule, so lint must say so (plan already did); start-up taints need no toleration.
 */
import { planGpuWorkloads } from '../../src/plan';
import { DEFAULT_NODE_CLASS, lint, nodePool, of, workload } from '../validation/helpers';

const poolA = nodePool({ name: 'gpu-a', taints: [{ key: 'team', value: 'a', effect: 'NoSchedule' }] });
const poolB = nodePool({ name: 'gpu-b', taints: [{ key: 'team', value: 'b', effect: 'NoSchedule' }] });
const TOLERATE_A = { key: 'team', operator: 'Equal', value: 'a', effect: 'NoSchedule' };

function withAffinity(w: any, terms: any[]): any {
  w.spec.template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
  return w;
}

describe('GPU002 judges only the pools the pod selects', () => {
  test('pinned to gpu-b by nodeSelector, tolerating only gpu-a: error naming both', () => {
    const w = workload({ limits: { 'nvidia.com/gpu': 1 }, tolerations: [TOLERATE_A], nodeSelector: { 'karpenter.sh/nodepool': 'gpu-b' } });
    const objects = [poolA, poolB, DEFAULT_NODE_CLASS, w];
    const f = of(lint(objects), 'GPU002');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/selects only NodePool\(s\) gpu-b/);
    expect(f[0].message).toMatch(/team=b:NoSchedule/);
    expect(f[0].message).toMatch(/it tolerates gpu-a, which its node selection excludes/);
    expect(f[0].remediation).toMatch(/\{key: team, operator: Equal, value: "b", effect: NoSchedule\}/);
    // plan and lint agree.
    const plan = planGpuWorkloads(objects.map((object) => ({ object })));
    expect(plan.workloads[0].schedulable).toBe(false);
  });

  test('the same pin through required node affinity (NotIn, terms ORed, expressions ANDed)', () => {
    // Term 1 admits gpu-a only under an impossible instance-gpu-count (Gt 64); term 2 excludes gpu-a: only gpu-b remains.
    const w = withAffinity(workload({ limits: { 'nvidia.com/gpu': 1 }, tolerations: [TOLERATE_A] }), [
      { matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu-a'] }, { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['64'] }] },
      { matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'NotIn', values: ['gpu-a'] }, { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'Exists' }] },
    ]);
    expect(of(lint([poolA, poolB, DEFAULT_NODE_CLASS, w]), 'GPU002')).toHaveLength(1);
  });

  test('an affinity term that does admit gpu-a keeps it quiet (terms are ORed)', () => {
    const w = withAffinity(workload({ limits: { 'nvidia.com/gpu': 1 }, tolerations: [TOLERATE_A] }), [
      { matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu-b'] }] },
      { matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu-a'] }, { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Lt', values: ['9'] }] },
    ]);
    expect(of(lint([poolA, poolB, DEFAULT_NODE_CLASS, w]), 'GPU002')).toEqual([]);
  });

  test('pinned to gpu-a and tolerating it: no finding', () => {
    const w = workload({ limits: { 'nvidia.com/gpu': 1 }, tolerations: [TOLERATE_A], nodeSelector: { 'karpenter.sh/nodepool': 'gpu-a' } });
    expect(of(lint([poolA, poolB, DEFAULT_NODE_CLASS, w]), 'GPU002')).toEqual([]);
  });

  test('start-up taints need no toleration (Karpenter: another system removes them)', () => {
    const pool = nodePool({ name: 'gpu-s', taints: [], startupTaints: [{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' }] });
    const w = workload({ limits: { 'nvidia.com/gpu': 1 } });
    expect(of(lint([pool, DEFAULT_NODE_CLASS, w]), 'GPU002')).toEqual([]);
    expect(planGpuWorkloads([pool, DEFAULT_NODE_CLASS, w].map((object) => ({ object }))).workloads[0].schedulable).toBe(true);
  });
});
