/**
 * The JSON view of a plan: the {@link Plan} itself with numbers rounded to 6 decimals, plus a format version and
 * the exit code, keys in a fixed order. Consumers should read `schemaVersion` before anything else.
 */
import { roundNumbers } from './format';
import { Plan, planHasErrors } from './model';

/** Bumped when a field is removed or changes meaning (adding fields does not bump it). */
export const PLAN_JSON_SCHEMA_VERSION = 1;

/** The JSON document `cdk8s-gpu plan --format json` prints. */
export interface PlanJson {
  readonly schemaVersion: number;
  readonly plan: Plan;
  /** Input problems (unreadable files, bad YAML), as the CLI reports them. */
  readonly inputErrors: ReadonlyArray<{ file: string; line?: number; column?: number; severity: string; message: string }>;
  /** Counts and the exit code. */
  readonly summary: {
    readonly workloads: number;
    readonly unschedulable: number;
    readonly pools: number;
    readonly errors: number;
    readonly warnings: number;
    readonly exitCode: number;
  };
}

/** The JSON document of `plan` (exit code: 2 when `inputErrors` has an error, 1 when the plan has errors, else 0). */
export function planToJson(plan: Plan, inputErrors: PlanJson['inputErrors'] = []): PlanJson {
  const errors = plan.problems.filter((p) => p.severity === 'error').length;
  const exitCode = inputErrors.some((p) => p.severity === 'error') ? 2 : planHasErrors(plan) ? 1 : 0;
  return {
    schemaVersion: PLAN_JSON_SCHEMA_VERSION,
    plan: roundNumbers(plan),
    inputErrors,
    summary: {
      workloads: plan.workloads.length,
      unschedulable: plan.workloads.filter((w) => !w.schedulable).length,
      pools: plan.pools.length,
      errors,
      warnings: plan.problems.length - errors,
      exitCode,
    },
  };
}

/** `planToJson` as indented text with a final newline. */
export function renderPlanJson(plan: Plan, inputErrors: PlanJson['inputErrors'] = []): string {
  return `${JSON.stringify(planToJson(plan, inputErrors), null, 2)}\n`;
}
