/**
 * The HTML view of a plan: one self-contained page (inline CSS, inline SVG; no scripts, fonts, images or links to
 * anything outside the file) with a bar chart of the node GPUs Karpenter launches at min and max replicas against each
 * pool's GPU limit (which counts node GPUs), the requested GPUs marked inside each bar,
 * the pools table, the Kueue queues when there are ClusterQueues, the workloads table (where each lands, as a gang when it
 * is one, where its replicas spill, which other pools it fits and why the rest are excluded: what the text view says),
 * the problems and the assumptions.
 */
import { alsoFitsOf, bytes, ChunkedWriter, collect, gangLine, gpuDemand, num, poolList, range, spillLine, usd } from './format';
import { Plan, RejectionGroup } from './model';
import { QUEUE_COLUMNS, queueRows, QUEUES_LEGEND } from './queues';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  if (!/[&<>"']/.test(s)) return s; // most text has nothing to escape: one scan instead of five replacements
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const e = (s: unknown) => escapeHtml(String(s));

/** A round step for an axis from 0 to `max` with about 5 ticks. */
function niceStep(max: number): number {
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/**
 * The SVG chart: per pool, the GPUs of the nodes launched at min and max replicas as bars, against the pool's GPU
 * limit as a red line: Karpenter counts the launched nodes' GPUs against `limits["nvidia.com/gpu"]`, not the GPUs pods
 * request, so a pool whose nodes reach the limit is full even when its pods request fewer. The requested GPUs are a
 * second, thin mark inside each bar (the gap between them is GPUs launched but not requested).
 */
export function renderGpuChart(plan: Plan): string {
  const labelW = 190;
  const chartW = 520;
  const rightW = 230;
  const rowH = 56;
  const top = 34;
  const W = labelW + chartW + rightW;
  const H = top + Math.max(1, plan.pools.length) * rowH + 30;
  const maxVal = Math.max(1, ...plan.pools.flatMap((p) => [p.gpus.max, p.nodeGpus.max, p.gpuLimit ?? 0]));
  const step = niceStep(maxVal);
  const axisMax = Math.ceil(maxVal / step) * step;
  const x = (v: number) => labelW + (v / axisMax) * chartW;
  const parts: string[] = [];
  parts.push(`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" `
    + 'aria-label="Node GPUs launched at minimum and maximum replicas, and GPUs requested, against each NodePool\'s GPU limit">');
  parts.push('<title>Node GPUs (min/max replicas) vs NodePool GPU limit, requested GPUs marked</title>');
  for (let v = 0; v <= axisMax + 1e-9; v += step) {
    parts.push(`<line x1="${x(v)}" y1="${top - 6}" x2="${x(v)}" y2="${H - 26}" class="grid"/>`);
    parts.push(`<text x="${x(v)}" y="${H - 10}" class="tick" text-anchor="middle">${e(num(v))}</text>`);
  }
  parts.push(`<text x="${labelW}" y="16" class="legend"><tspan class="k-min">■</tspan> node GPUs at min replicas  `
    + '<tspan class="k-max">■</tspan> node GPUs at max replicas  <tspan class="k-req">▬</tspan> requested  '
    + '<tspan class="k-limit">▎</tspan> limits.nvidia.com/gpu</text>');
  if (plan.pools.length === 0) parts.push(`<text x="${labelW}" y="${top + 24}" class="tick">no NodePool in the input</text>`);
  plan.pools.forEach((p, i) => {
    const y = top + i * rowH;
    const over = p.gpuLimit !== undefined && p.nodeGpus.max > p.gpuLimit;
    const overMin = p.gpuLimit !== undefined && p.nodeGpus.min > p.gpuLimit;
    parts.push(`<text x="${labelW - 10}" y="${y + 22}" class="pool" text-anchor="end">${e(p.name)}</text>`);
    parts.push(`<text x="${labelW - 10}" y="${y + 38}" class="sub" text-anchor="end">${e(p.pricedAs)}${p.weight !== undefined ? `, weight ${e(p.weight)}` : ''}</text>`);
    const w = (v: number) => Math.max(v > 0 ? 1 : 0, x(v) - labelW);
    const bar = (nodeGpus: number, requested: number, cls: string, yy: number, at: string) =>
      `<rect x="${labelW}" y="${yy}" width="${w(nodeGpus)}" height="16" class="${cls}">`
      + `<title>${e(p.name)}: ${e(num(nodeGpus))} node GPUs at ${e(at)} replicas (${e(num(requested))} requested)</title></rect>\n`
      + `<rect x="${labelW}" y="${yy + 6}" width="${w(requested)}" height="4" class="req">`
      + `<title>${e(p.name)}: ${e(num(requested))} GPUs requested at ${e(at)} replicas</title></rect>`;
    parts.push(bar(p.nodeGpus.min, p.gpus.min, overMin ? 'min over' : 'min', y + 8, 'min'));
    parts.push(bar(p.nodeGpus.max, p.gpus.max, over ? 'max over' : 'max', y + 26, 'max'));
    if (p.gpuLimit !== undefined) {
      parts.push(`<line x1="${x(p.gpuLimit)}" y1="${y + 2}" x2="${x(p.gpuLimit)}" y2="${y + 48}" class="limit">`
        + `<title>limits.nvidia.com/gpu ${e(num(p.gpuLimit))}</title></line>`);
    }
    const note = `${range(p.gpus)} GPUs · nodes ${range(p.nodeGpus)} / ${p.gpuLimit === undefined ? 'no limit' : `limit ${num(p.gpuLimit)}`}`;
    parts.push(`<text x="${labelW + chartW + 10}" y="${y + 30}" class="${over ? 'sub bad' : 'sub'}">${e(note)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const CSS = `
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bad: #c81e1e; --warn: #b45309; --ok: #1f7a3f; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: #f5f7fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 10px; }
.lead { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 200px; }
.card .v { font-size: 20px; font-weight: 600; }
.card .l { color: var(--muted); font-size: 12px; }
.card.bad .v { color: var(--bad); } .card.ok .v { color: var(--ok); }
section.box { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.num .muted { white-space: normal; font-size: 12px; }
table.workloads { table-layout: fixed; }
table.workloads td { overflow-wrap: anywhere; }
tr.err td:first-child { border-left: 3px solid var(--bad); }
.bad { color: var(--bad); } .warn { color: var(--warn); } .ok { color: var(--ok); } .muted { color: var(--muted); }
ul.reasons { margin: 0; padding-left: 18px; color: var(--muted); }
ul.problems li { margin-bottom: 4px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
svg { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
svg .grid { stroke: #e4e7eb; stroke-width: 1; }
svg .tick { fill: #7b8794; font-size: 11px; }
svg .legend { fill: #3e4c59; font-size: 12px; }
svg .pool { fill: #1f2933; font-size: 13px; font-weight: 600; }
svg .sub { fill: #616e7c; font-size: 11px; }
svg .sub.bad { fill: #c81e1e; }
svg rect.min, svg .k-min { fill: #2563eb; }
svg rect.max, svg .k-max { fill: #93c5fd; }
svg rect.max.over, svg rect.min.over { fill: #f87171; }
svg rect.req, svg .k-req { fill: #1f2933; }
svg .limit { stroke: #c81e1e; stroke-width: 3; }
svg .k-limit { fill: #c81e1e; }
`;

/** Renders `plan` as one self-contained HTML page. */
export function renderPlanHtml(plan: Plan, title: string = 'cdk8s-gpu plan'): string {
  return collect((sink) => writePlanHtml(plan, sink, title));
}

/** {@link renderPlanHtml}'s page handed to `sink` in chunks (about 32K characters each), never as one string. */
export function writePlanHtml(plan: Plan, sink: (chunk: string) => void, title: string = 'cdk8s-gpu plan'): void {
  const writer = new ChunkedWriter(sink);
  const t = plan.totals;
  const errors = plan.problems.filter((p) => p.severity === 'error');
  const warnings = plan.problems.filter((p) => p.severity !== 'error');
  const unschedulable = plan.workloads.filter((w) => !w.schedulable).length;
  const h = { push: (...lines: string[]) => writer.lines(lines) };
  // A rejection group is one object for every workload with the same placement: its list item is made once.
  const reasonItems = new Map<RejectionGroup, string>();
  const reasonItem = (g: RejectionGroup) => {
    let item = reasonItems.get(g);
    if (item === undefined) reasonItems.set(g, item = `<li><b>${e(poolList(g.pools))}</b>: ${e(g.reason)}</li>`);
    return item;
  };
  h.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">', `<title>${e(title)}</title>`,
    `<style>${CSS}</style>`, '</head>', '<body>', '<main>');
  h.push(`<h1>${e(title)}</h1>`);
  h.push(`<p class="lead">${e(plan.workloads.length)} GPU workloads on ${e(plan.pools.length)} NodePools: where each lands, `
    + 'what each pool must launch at minimum and maximum replicas, and the hourly cost.</p>');
  h.push('<div class="cards">');
  h.push(`<div class="card"><div class="v">${e(range(t.cost.expected, usd))}</div><div class="l">per hour, min–max replicas (pools at their capacity type)</div></div>`);
  h.push(`<div class="card"><div class="v">${e(range(t.cost.onDemand, usd))}</div><div class="l">all on-demand</div></div>`);
  if (t.cost.reserved.max > 0) h.push(`<div class="card"><div class="v">${e(range(t.cost.reserved, usd))}</div><div class="l">reserved capacity used (pre-paid, at on-demand rates)</div></div>`);
  h.push(`<div class="card"><div class="v">${e(range(t.cost.spot, usd))}</div><div class="l">all spot (${e(num(plan.spotDiscount * 100))}% below on-demand, assumed)</div></div>`);
  h.push(`<div class="card"><div class="v">${e(range(t.nodes))}</div><div class="l">nodes (${e(range(t.nodeGpus))} GPUs)</div></div>`);
  h.push(`<div class="card ${errors.length ? 'bad' : 'ok'}"><div class="v">${errors.length ? `${e(errors.length)} error${errors.length === 1 ? '' : 's'}` : 'OK'}</div>`
    + `<div class="l">${e(unschedulable)} workload${unschedulable === 1 ? '' : 's'} can never schedule</div></div>`);
  h.push('</div>');

  h.push('<h2>GPU demand vs limit per pool</h2>', `<section class="box">${renderGpuChart(plan)}</section>`);

  h.push('<h2>Pools</h2>', '<section class="box"><table>',
    '<tr><th>Pool</th><th>Priced as</th><th class="num">GPUs requested</th><th class="num">Node GPUs / limit</th><th>Nodes</th><th class="num">USD/hour</th><th>Workloads</th></tr>');
  for (const p of plan.pools) {
    const nodes = p.nodesByType.filter((n) => n.max > 0).map((n) => `${range(n)} × ${n.instanceType}${n.onDemandUsdPerHour === undefined ? ' (no public price)' : ''}`).join(' + ') || '0';
    h.push(`<tr class="${p.problems.length ? 'err' : ''}"><td><b>${e(p.name)}</b>${p.problems.map((m) => `<div class="bad">${e(m)}</div>`).join('')}`
      + `${p.notes.map((m) => `<div class="warn">${e(m)}</div>`).join('')}</td>`
      + `<td class="nowrap">${e(p.pricedAs)}</td><td class="num">${e(range(p.gpus))}</td>`
      + `<td class="num">${e(range(p.nodeGpus))} / ${e(p.gpuLimit === undefined ? 'no limit' : num(p.gpuLimit))}</td>`
      + `<td class="nowrap">${e(nodes)}</td><td class="num">${e(range(p.cost.expected, usd))}</td>`
      + `<td>${p.workloads.map((w) => `<div>${e(w)}${p.onlyHere.includes(w) ? '' : ' <span class="muted">(by weight)</span>'}</div>`).join('')}</td></tr>`);
  }
  h.push(`<tr><td><b>total</b></td><td></td><td class="num">${e(range(t.gpus))}</td><td class="num">${e(range(t.nodeGpus))}</td>`
    + `<td>${e(range(t.nodes))}</td><td class="num"><b>${e(range(t.cost.expected, usd))}</b></td><td></td></tr>`);
  h.push('</table></section>');

  if (plan.queues && plan.queues.length > 0) {
    h.push('<h2>Queues (Kueue)</h2>', '<section class="box"><table>',
      `<tr>${QUEUE_COLUMNS.map((c, i) => `<th${i === 4 ? ' class="num"' : ''}>${e(c)}</th>`).join('')}</tr>`);
    for (const r of queueRows(plan.queues)) {
      h.push(`<tr><td>${r.queue !== '' ? `<b${r.queueHasProblems ? ' class="warn"' : ''}>${e(r.queue)}</b>` : ''}</td><td>${e(r.cohort)}</td>`
        + `<td>${e(r.flavor)} → ${r.pools !== '' ? e(r.pools) : '<b class="bad">no pool</b>'}</td>`
        + `<td${r.quotaOverLimit ? ' class="bad"' : ''}>${e(r.quota)}</td><td class="num">${e(r.poolGpuLimit)}</td>`
        + `<td>${e(r.demand)}</td><td>${e(r.localQueues)}</td></tr>`);
    }
    h.push('</table>');
    const notes = plan.queues.flatMap((q) => q.problems.map((p) => `<div class="warn">${e(q.name)}: ${e(p)}</div>`));
    h.push(...notes, `<p class="muted">${e(QUEUES_LEGEND)}</p>`, '</section>');
  }

  // Each pool's place in the input, to list a workload's other fitting pools in input order.
  const position = new Map(plan.pools.map((p, i) => [p.name, i] as const));
  h.push('<h2>Workloads</h2>', '<section class="box"><table class="workloads">',
    '<colgroup><col style="width:21%"><col style="width:13%"><col style="width:13%"><col style="width:21%"><col style="width:32%"></colgroup>',
    '<tr><th>Workload</th><th>Per replica</th><th class="num">Replicas</th><th>Lands on</th><th>Excluded pools (first failed predicate)</th></tr>');
  for (const w of plan.workloads) {
    const where = w.file ? `<div class="muted"><code>${e(w.file)}${w.line !== undefined ? `:${e(w.line)}` : ''}</code></div>` : '';
    const gang = gangLine(w);
    const spills = spillLine(w);
    const alsoFits = alsoFitsOf(w, position);
    const lands = (w.pool
      ? `<b>${e(w.pool)}</b> as ${e(w.instanceType)}<div class="muted">${e(w.attribution)}</div>`
      : '<b class="bad">nothing — can never schedule</b>')
      + (gang !== undefined ? `<div>gang: ${e(gang)}</div>` : '')
      + (spills !== undefined ? `<div>spills: ${e(spills)}</div>` : '')
      + (alsoFits.count > 0 ? `<div class="muted">also fits ${e(poolList(alsoFits.first, alsoFits.count))}</div>` : '');
    const reasons = w.rejectedBy.map(reasonItem).join('');
    const problems = w.problems.filter((m) => !m.startsWith('can never schedule: it fits no NodePool')).map((m) => `<div class="bad">${e(m)}</div>`).join('');
    const notes = w.notes.map((m) => `<div class="warn">${e(m)}</div>`).join('');
    h.push(`<tr class="${w.schedulable && w.problems.length === 0 ? '' : 'err'}"><td><b>${e(w.label)}</b>${where}${problems}${notes}</td>`
      + `<td>${e(gpuDemand(w.gpusPerReplica))}<div class="muted">${e(num(w.cpuPerReplica, 3))} cpu, ${e(bytes(w.memoryBytesPerReplica))}`
      + `${w.ephemeralStorageBytesPerReplica === undefined ? '' : `, ${e(bytes(w.ephemeralStorageBytesPerReplica))} ephemeral-storage`}</div></td>`
      + `<td class="num">${w.replicas ? `${e(range(w.replicas))}<div class="muted">${e(w.replicas.source)}</div>` : 'per node'}</td>`
      + `<td>${lands}</td><td>${reasons ? `<ul class="reasons">${reasons}</ul>` : '<span class="muted">—</span>'}</td></tr>`);
  }
  h.push('</table></section>');

  if (plan.problems.length > 0) {
    h.push('<h2>Problems</h2>', '<section class="box"><ul class="problems">');
    for (const p of [...errors, ...warnings]) {
      h.push(`<li><b class="${p.severity === 'error' ? 'bad' : 'warn'}">${e(p.severity)}</b> ${e(p.subject)}: ${e(p.message)}</li>`);
    }
    h.push('</ul></section>');
  }
  h.push('<h2>Assumptions</h2>', '<section class="box"><ul>', ...plan.assumptions.map((a) => `<li>${e(a)}</li>`), '</ul></section>');
  h.push('</main>', '</body>', '</html>');
  writer.flush();
}
