/**
 * Karpenter NodePool rules (karpenter.sh/v1).
 */
import { formatTaint } from '../../scheduling/taints';
import { Severity } from '../model';
import { Rule } from '../rule';
import { gpuSelectingRequirement, isBlocking, isGpuPool, sampleTypes } from './gpu-pools';

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
    + 'convention. A pool without instance requirements is a general pool and is not judged here.',
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

/** GPU005 — a GPU NodePool should bound its GPUs. */
export const GPU_POOL_LIMITED: Rule = {
  id: 'GPU005',
  title: 'A GPU NodePool should limit nvidia.com/gpu',
  severity: Severity.WARNING,
  kinds: ['NodePool'],
  remediation: 'Set spec.limits["nvidia.com/gpu"] to the most GPUs this pool may run at once.',
  description: 'Without `spec.limits["nvidia.com/gpu"]` nothing bounds how many GPU nodes Karpenter launches for the '
    + 'pool: a runaway scaler or a stuck job queue turns into an unbounded bill.',
  *check(ctx) {
    for (const pool of ctx.nodePools()) {
      if (!isGpuPool(pool) || pool.gpuLimit !== undefined) continue;
      const raw = pool.object?.spec?.limits?.['nvidia.com/gpu'];
      yield ctx.finding(pool.object, 'spec.limits',
        raw === undefined
          ? `allows GPU instance types (${sampleTypes(pool)}) but sets no limits["nvidia.com/gpu"], so nothing bounds how many GPUs it launches`
          : `limits["nvidia.com/gpu"] is ${JSON.stringify(raw)}, not a quantity, so nothing bounds how many GPUs it launches`);
    }
  },
};
