/**
 * The schema gate over a set of manifests: every object of a known kind validated against its schema. One loop for
 * its two callers: the validation engine reports the failures as GPU009 findings, the planner leaves the failed
 * objects out of the plan.
 */
import { fieldLine } from './field-lines';
import { defaultSchemaValidator, prototypePollutedAtAll, SchemaViolation, splitViolation } from './validator';
import { SourcedManifest } from '../validation/model';

/** A violation and, when the object was read from YAML that holds the field, the field's line. */
export interface LocatedViolation extends SchemaViolation {
  /** 1-based line of the violating field in the object's file; absent when the field is not written out (missing). */
  readonly line?: number;
}

/** An object that failed its schema, with every violation. */
export interface GateFailure {
  /** The manifest. */
  readonly manifest: SourcedManifest;
  /** Its violations. */
  readonly violations: LocatedViolation[];
}

/** What {@link gateManifests} returns. */
export interface GateResult {
  /** Objects valid against their schema, and objects of kinds with no known schema, in input order. */
  readonly passed: SourcedManifest[];
  /** Objects that failed their schema, in input order. */
  readonly failed: GateFailure[];
  /** `apiVersion/kind` → number of objects with no known schema. */
  readonly unknownKinds: Map<string, number>;
  /** Objects validated against a schema (passed or failed; not those of unknown kinds). */
  readonly checked: number;
}

/** The first line of an error's message, or the error itself as text. */
function errorMessage(e: unknown): string {
  const m = (e as Error)?.message;
  return typeof m === 'string' && m !== '' ? m.split('\n')[0] : String(e);
}

/** Options of {@link gateManifests}. */
export interface GateOptions {
  /** Remember the objects that passed and skip them next time (validator.ts CheckOptions.rememberPasses). @default false */
  readonly rememberPasses?: boolean;
  /**
   * Which objects the caller vouches are plain JSON data, judged without the walk that finds out (validator.ts
   * CheckOptions.plainJson): `lint` passes the YAML reader's madePlainJson. @default - every object is walked
   */
  readonly plainJson?: (obj: object) => boolean;
}

/** Validates every object of a known kind against its schema; never throws for bad input. */
export function gateManifests(manifests: readonly SourcedManifest[], options: GateOptions = {}): GateResult {
  const validator = defaultSchemaValidator();
  const passed: SourcedManifest[] = [];
  const failed: GateFailure[] = [];
  const unknownKinds = new Map<string, number>();
  let checked = 0;
  const vouched = options.plainJson;
  // (Whether Object.prototype is polluted, found out once for the run: nothing runs between the checks.)
  const checkOptions = {
    rememberPasses: options.rememberPasses, plainJson: false, prototypePolluted: prototypePollutedAtAll(),
  };
  const vouchedOptions = { ...checkOptions, plainJson: true };
  for (const m of manifests) {
    const obj = m?.object;
    if (!obj || typeof obj !== 'object') continue;
    let errors: string[];
    try {
      const verdict = validator.check(obj, vouched?.(obj) ? vouchedOptions : checkOptions);
      if (!verdict.known) {
        const gvk = `${String(obj.apiVersion)}/${String(obj.kind)}`;
        unknownKinds.set(gvk, (unknownKinds.get(gvk) ?? 0) + 1);
        passed.push(m);
        continue;
      }
      checked++;
      errors = verdict.errors;
    } catch (e) {
      errors = [`<root>: cannot be validated against its schema: ${errorMessage(e)}`];
    }
    if (errors.length === 0) {
      passed.push(m);
      continue;
    }
    failed.push({
      manifest: m,
      violations: errors.map((line) => {
        const v = splitViolation(line);
        const at = fieldLine(m.source, v.fieldPath);
        return at === undefined ? v : { ...v, line: at };
      }),
    });
  }
  // After the pass: the cache then holds the validation functions it compiled.
  validator.saveRuntimeCache();
  return { passed, failed, unknownKinds, checked };
}
