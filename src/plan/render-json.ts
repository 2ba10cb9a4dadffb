/**
 * The JSON view of a plan: the {@link Plan} itself with numbers rounded to 6 decimals, plus a format version and
 * the exit code, keys in a fixed order. Consumers should read `schemaVersion` before anything else.
 */
import { ChunkedWriter, collect, roundNumbers, writeJson } from './format';
import { Plan, planHasErrors } from './model';

/**
 * Bumped when a field is removed or changes meaning (adding fields does not bump it).
 * - 2: a workload's `verdicts` (one per NodePool) and `fitsPools` are replaced by `fits` (the pools it fits, grouped
 *   by the instance types one pod fits there) and `rejectedBy` (the others, grouped by failed predicate and reason):
 *   every pool is named once per workload, in exactly one group. `attribution` and the `can never schedule: it fits
 *   no NodePool (…)` problem name the first few pools of a list and count the rest.
 */
export const PLAN_JSON_SCHEMA_VERSION = 2;

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
  return jsonDocument(plan, inputErrors, roundNumbers(plan));
}

/** The document with `plan` as given (rounded or not). */
function jsonDocument(plan: Plan, inputErrors: PlanJson['inputErrors'], shown: Plan): PlanJson {
  const errors = plan.problems.filter((p) => p.severity === 'error').length;
  const exitCode = inputErrors.some((p) => p.severity === 'error') ? 2 : planHasErrors(plan) ? 1 : 0;
  return {
    schemaVersion: PLAN_JSON_SCHEMA_VERSION,
    plan: shown,
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
  return collect((sink) => writePlanJson(plan, inputErrors, sink));
}

/**
 * {@link renderPlanJson}'s text handed to `sink` in chunks (about 32K characters each), numbers rounded on the way: a plan
 * of a thousand workloads on a thousand pools is never copied or held as one string.
 */
export function writePlanJson(plan: Plan, inputErrors: PlanJson['inputErrors'], sink: (chunk: string) => void): void {
  const w = new ChunkedWriter(sink);
  const doc = jsonDocument(plan, inputErrors, plan);
  // The document's members in planToJson's order; only the plan's numbers are rounded.
  Object.keys(doc).forEach((k, i) => {
    w.text(`${i === 0 ? '{' : ','}\n  ${JSON.stringify(k)}: `);
    writeJson(w, (doc as unknown as Record<string, unknown>)[k], 1, k === 'plan' ? PLAN_JSON_DIGITS : undefined);
  });
  w.text('\n}\n');
  w.flush();
}

/** Decimals kept of the plan's numbers in JSON. */
const PLAN_JSON_DIGITS = 6;
