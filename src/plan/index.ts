/**
 * `cdk8s-gpu plan`: placement, capacity and cost of GPU workloads before anything is deployed, from the one
 * scheduling model (src/scheduling) over plain manifests.
 *
 * - model.ts        the plan's data shape, options and defaults (spot discount, KEDA/HPA defaults)
 * - planner.ts      `planGpuWorkloads(manifests, options)`: placement, attribution, replicas, packing, limits, cost
 * - replicas.ts     min/max replicas from ScaledObjects, HPAs, replicas/parallelism (a CronJob: 0 to its parallelism)
 * - packing.ts      first-fit (and first-fit-decreasing) packing of identical replicas into nodes (grouped, exact)
 * - render-*.ts     text (terminal), JSON (stable, versioned) and self-contained HTML (inline SVG chart)
 *
 * Internal: not exported from src/index.ts (records, unions and plain JSON inputs are not jsii-friendly); TypeScript
 * users and the CLI import it from here.
 */
export * from './model';
export { planGpuWorkloads } from './planner';
export { planQueues } from './queues';
export type { QueueFlavorPlan, QueuePlan } from './queues';
export { packFirstFitDecreasing } from './packing';
export type { PackGroup } from './packing';
export { ScalerIndex } from './replicas';
export { renderPlanText, writePlanText, PLAIN_STYLE } from './render-text';
export type { PlanStyle } from './render-text';
export { renderPlanJson, writePlanJson, planToJson, PLAN_JSON_SCHEMA_VERSION } from './render-json';
export type { PlanJson } from './render-json';
export { renderPlanHtml, writePlanHtml, renderGpuChart, escapeHtml } from './render-html';
