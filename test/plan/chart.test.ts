/**
 * plan's HTML chart draws the node GPUs Karpenter launches against the pool's GPU limit (the limit counts node
 * GPUs), with the requested GPUs as a second mark (issue 21).
 */
import { Plan } from '../../src/plan';
import { renderGpuChart } from '../../src/plan/render-html';

type PoolRow = Plan['pools'][number];
const poolRow = (over: Partial<PoolRow>): PoolRow => ({
  name: 'gpu-pool',
  pricedAs: 'on-demand',
  workloads: [],
  onlyHere: [],
  gpus: { min: 0, max: 0 },
  nodeGpus: { min: 0, max: 0 },
  nodes: { min: 0, max: 0 },
  nodesByType: [],
  ...over,
} as unknown as PoolRow);
const chart = (...pools: PoolRow[]) => renderGpuChart({ pools } as unknown as Plan);

/** x and width of each rect of `cls` (exact class attribute), in document order. */
function rects(svg: string, cls: string): { x: number; width: number; title: string }[] {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="\d+" class="([^"]+)"><title>([^<]*)<\/title>/g)]
    .filter((m) => m[3] === cls)
    .map((m) => ({ x: Number(m[1]), width: Number(m[2]), title: m[4] }));
}
const limitX = (svg: string) => Number(/<line x1="([\d.]+)"[^>]*class="limit"/.exec(svg)![1]);

describe('renderGpuChart', () => {
  // The case: 10 GPUs requested on two 8-GPU nodes (16 node GPUs) under a limit of 16: full, not comfortable.
  const svg = chart(poolRow({ gpus: { min: 10, max: 10 }, nodeGpus: { min: 16, max: 16 }, gpuLimit: 16 }));

  test('the bars are node GPUs and reach the limit line when the pool is full', () => {
    const [min] = rects(svg, 'min');
    const [max] = rects(svg, 'max');
    expect(min.x + min.width).toBeCloseTo(limitX(svg), 6);
    expect(max.x + max.width).toBeCloseTo(limitX(svg), 6);
    expect(max.title).toBe('gpu-pool: 16 node GPUs at max replicas (10 requested)');
  });

  test('requested GPUs are a second, shorter mark inside each bar', () => {
    const req = rects(svg, 'req');
    expect(req).toHaveLength(2);
    const [max] = rects(svg, 'max');
    expect(req[1].width).toBeCloseTo(max.width * 10 / 16, 6);
    expect(req[1].title).toBe('gpu-pool: 10 GPUs requested at max replicas');
    expect(svg).toContain('node GPUs at max replicas');
    expect(svg).toContain('requested');
  });

  test('node GPUs over the limit are drawn red even when the requested GPUs fit', () => {
    const over = chart(poolRow({ gpus: { min: 8, max: 14 }, nodeGpus: { min: 8, max: 24 }, gpuLimit: 16 }));
    expect(rects(over, 'max over')).toHaveLength(1);
    expect(rects(over, 'min')).toHaveLength(1);
    const [req] = rects(over, 'req').slice(1);
    expect(req.x + req.width).toBeLessThan(limitX(over));
  });
});
