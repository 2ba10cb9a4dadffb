/**
 * The terminal view of a plan: one block per GPU workload (where it lands and why not elsewhere), a table of pools
 * (GPUs, nodes and hourly cost at min and max replicas), the totals, the problems and the assumptions.
 */
import { alsoFitsOf, bytes, ChunkedWriter, collect, gangLine, gpuDemand, num, poolList, range, spillLine, table, usd } from './format';
import { Plan, PoolPlan, RejectionGroup } from './model';
import { renderQueuesText } from './queues';

/** Text styles; the CLI passes ANSI colours on a terminal, {@link PLAIN_STYLE} elsewhere. */
export interface PlanStyle {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

/** No styling. */
export const PLAIN_STYLE: PlanStyle = { red: (s) => s, yellow: (s) => s, green: (s) => s, bold: (s) => s, dim: (s) => s };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function nodesCell(p: PoolPlan): string {
  const used = p.nodesByType.filter((n) => n.max > 0);
  if (used.length === 0) return '0';
  return used.map((n) => `${range(n)} × ${n.instanceType}`).join(' + ');
}

/** A rejection group in one line: `pool-a, pool-b: reason`, `600 pools (pool-a, … and 595 more): reason`. */
function rejectionLine(g: RejectionGroup): string {
  return `${poolList(g.pools)}: ${g.reason}`;
}

/** Renders `plan` for a terminal. */
export function renderPlanText(plan: Plan, st: PlanStyle = PLAIN_STYLE): string {
  return collect((sink) => writePlanText(plan, st, sink));
}

/** {@link renderPlanText}'s text handed to `sink` in chunks (about 32K characters each), never as one string. */
export function writePlanText(plan: Plan, st: PlanStyle, sink: (chunk: string) => void): void {
  const writer = new ChunkedWriter(sink);
  const out = { push: (...lines: string[]) => writer.lines(lines) };
  const errors = plan.problems.filter((p) => p.severity === 'error').length;
  out.push(st.bold(`GPU plan: ${plural(plan.workloads.length, 'GPU workload')} on ${plural(plan.pools.length, 'NodePool')}`));
  out.push('');

  // Each pool's place in the input, to list a workload's fitting pools in input order; each group's line, made once
  // (a group is shared by the workloads with the same placement).
  const position = new Map(plan.pools.map((p, i) => [p.name, i] as const));
  const lines = new Map<RejectionGroup, string>();
  const lineOf = (g: RejectionGroup) => {
    let l = lines.get(g);
    if (l === undefined) lines.set(g, l = rejectionLine(g));
    return l;
  };
  out.push(st.bold('Workloads'));
  if (plan.workloads.length === 0) out.push('  (no workload requests a GPU)');
  for (const w of plan.workloads) {
    const where = w.file ? st.dim(`  (${w.file}${w.line !== undefined ? `:${w.line}` : ''})`) : '';
    const mark = !w.schedulable ? st.red('✗ ') : w.problems.length > 0 ? st.yellow('! ') : st.green('✓ ');
    out.push(`  ${mark}${st.bold(w.label)}${where}`);
    const disk = w.ephemeralStorageBytesPerReplica === undefined ? '' : `, ${bytes(w.ephemeralStorageBytesPerReplica)} ephemeral-storage`;
    const per = `${gpuDemand(w.gpusPerReplica)}, ${num(w.cpuPerReplica, 3)} cpu, ${bytes(w.memoryBytesPerReplica)}${disk}`;
    const reps = w.replicas ? `replicas ${range(w.replicas)} (${w.replicas.source})` : 'one per node (DaemonSet)';
    const rows: string[][] = [['per replica', `${per} · ${reps}`]];
    if (w.pool) rows.push(['lands on', `${st.bold(w.pool)} as ${w.instanceType} · ${w.attribution}`]);
    else rows.push(['lands on', st.red('nothing: it can never schedule')]);
    const gang = gangLine(w);
    if (gang !== undefined) rows.push(['gang', gang]);
    const spills = spillLine(w);
    if (spills !== undefined) rows.push(['spills', spills]);
    const alsoFits = alsoFitsOf(w, position);
    if (alsoFits.count > 0) rows.push(['also fits', poolList(alsoFits.first, alsoFits.count)]);
    w.rejectedBy.forEach((g, i) => rows.push([i === 0 ? 'not on' : '', lineOf(g)]));
    for (const m of w.problems.filter((p) => !p.startsWith('can never schedule: it fits no NodePool'))) {
      rows.push([st.red('problem'), m]);
    }
    for (const n of w.notes) rows.push([st.yellow('note'), n]);
    out.push(...table(rows, '      '));
  }
  out.push('');

  out.push(st.bold('Pools'));
  const head = ['POOL', 'PRICED AS', 'GPUS REQUESTED', 'NODE GPUS / LIMIT', 'NODES', 'USD/HOUR', 'PRE-PAID USD/HOUR'];
  const rows: string[][] = [head.map((h) => st.dim(h))];
  for (const p of plan.pools) {
    const limit = p.gpuLimit === undefined ? 'no limit' : num(p.gpuLimit);
    const over = p.gpuLimit !== undefined && p.nodeGpus.max > p.gpuLimit;
    const gpuCell = `${range(p.nodeGpus)} / ${limit}`;
    rows.push([
      p.problems.length > 0 ? st.red(p.name) : p.name,
      p.pricedAs,
      range(p.gpus),
      over ? st.red(gpuCell) : gpuCell,
      nodesCell(p),
      range(p.cost.expected, usd),
      p.pricedAs === 'reserved' ? range(p.cost.reserved, usd) : '',
    ]);
  }
  const t = plan.totals;
  rows.push([st.bold('total'), '', range(t.gpus), range(t.nodeGpus), range(t.nodes), st.bold(range(t.cost.expected, usd)),
    t.cost.reserved.max > 0 ? range(t.cost.reserved, usd) : '']);
  out.push(...table(rows, '  '));
  out.push(st.dim('  ranges are min–max replicas; node GPUs are what Karpenter counts against limits.nvidia.com/gpu'));
  out.push('');
  out.push(...renderQueuesText(plan.queues, st));

  out.push(`${st.bold('Hourly cost')}: ${st.bold(usd(t.cost.expected.min))} at minimum, ${st.bold(usd(t.cost.expected.max))} `
    + 'at maximum replicas (each pool priced at its capacity type)');
  if (t.cost.reserved.max > 0) {
    out.push(`  reserved capacity used (pre-paid, valued at on-demand rates, not in the hourly cost): ${range(t.cost.reserved, usd)}`);
  }
  out.push(`  all on-demand: ${range(t.cost.onDemand, usd)} · all spot: ${range(t.cost.spot, usd)} `
    + `(spot assumed ${num(plan.spotDiscount * 100)}% below on-demand; --spot-discount to change)`);
  if (t.unpricedTypes.length > 0) out.push(st.yellow(`  no public price for ${t.unpricedTypes.join(', ')}: those nodes are not in the cost`));
  out.push('');

  if (plan.problems.length > 0) {
    out.push(st.bold('Problems'));
    for (const p of plan.problems) {
      const sev = p.severity === 'error' ? st.red('error  ') : st.yellow('warning');
      out.push(`  ${sev} ${p.subject}: ${p.message}`);
    }
    out.push('');
  }
  out.push(st.dim('Assumptions'));
  for (const a of plan.assumptions) out.push(st.dim(`  - ${a}`));
  out.push('');
  const summary = errors > 0
    ? st.red(`${plural(errors, 'error')}: ${errors === 1 ? 'a workload or scaler maximum' : 'workloads or scaler maxima'} can never be satisfied`)
    : st.green('every GPU workload can schedule and every scaler maximum can be reached');
  out.push(summary);
  writer.flush();
}
