/**
 * The schema gate over a set of manifests, for callers that need the objects that passed (the planner): the
 * validation engine reports the same verdicts as GPU009 findings.
 */
import { defaultSchemaValidator, SchemaViolation, splitViolation } from './validator';
import { SourcedManifest } from '../validation/model';

/** An object that failed its schema, with every violation. */
export interface GateFailure {
  /** The manifest. */
  readonly manifest: SourcedManifest;
  /** Its violations. */
  readonly violations: SchemaViolation[];
}

/** What {@link gateManifests} returns. */
export interface GateResult {
  /** Objects valid against their schema, and objects of kinds with no known schema, in input order. */
  readonly passed: SourcedManifest[];
  /** Objects that failed their schema, in input order. */
  readonly failed: GateFailure[];
  /** `apiVersion/kind` → number of objects with no known schema. */
  readonly unknownKinds: Map<string, number>;
}

/** Validates every object of a known kind against its schema; never throws for bad input. */
export function gateManifests(manifests: readonly SourcedManifest[]): GateResult {
  const validator = defaultSchemaValidator();
  const passed: SourcedManifest[] = [];
  const failed: GateFailure[] = [];
  const unknownKinds = new Map<string, number>();
  for (const m of manifests) {
    const obj = m?.object;
    if (!obj || typeof obj !== 'object') continue;
    let errors: string[];
    try {
      const verdict = validator.check(obj);
      if (!verdict.known) {
        const gvk = `${String(obj.apiVersion)}/${String(obj.kind)}`;
        unknownKinds.set(gvk, (unknownKinds.get(gvk) ?? 0) + 1);
        passed.push(m);
        continue;
      }
      errors = verdict.errors;
    } catch (e) {
      errors = [`<root>: cannot be validated against its schema: ${String((e as Error)?.message ?? e).split('\n')[0]}`];
    }
    if (errors.length === 0) passed.push(m);
    else failed.push({ manifest: m, violations: errors.map(splitViolation) });
  }
  return { passed, failed, unknownKinds };
}
