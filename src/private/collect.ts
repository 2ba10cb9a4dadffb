/**
 * Every problem of one construct at once (internal): a construct runs each independent check of its props through
 * a {@link PropErrors}, which records a `GpuConfigError` and carries on, skips the checks that depend on a prop that
 * failed, and throws once at the end with every problem (`GpuConfigError.combine`). A single problem is thrown as it
 * is, so its message keeps the one-error format.
 */
import { IConstruct } from 'constructs';
import { GpuConfigError } from '../errors';

/** The top-level prop of a property path: `budgets[0].reasons[1]` → `budgets`, `vllm.model` → `vllm`. */
export function rootProp(property: string): string {
  const m = /^[^.[\s,]*/.exec(property);
  return m && m[0] !== '' ? m[0] : property;
}

/** Collects the prop errors of one construct. */
export class PropErrors {
  private readonly found: GpuConfigError[] = [];
  private readonly failedProps = new Set<string>();

  /**
   * @param scope the construct (or name) whose props are checked: the combined error names it
   * @param prior problems already found (e.g. by a subclass before it could call `super`)
   */
  constructor(private readonly scope: IConstruct | string, prior: readonly GpuConfigError[] = []) {
    for (const e of prior) this.add(e);
  }

  /** Whether no problem was found yet. */
  public get ok(): boolean {
    return this.found.length === 0;
  }

  /** The problems found so far. */
  public get errors(): GpuConfigError[] {
    return [...this.found];
  }

  /** Records a problem (a combined error is flattened). */
  public add(e: GpuConfigError): void {
    for (const one of e.errors) {
      this.found.push(one);
      this.failedProps.add(rootProp(one.property));
    }
  }

  /**
   * Runs one independent check. A GpuConfigError is recorded and `undefined` returned; the check's value otherwise.
   * Anything else thrown (a bug, or a consequence of a problem already recorded) ends the checks: with problems
   * recorded, they are thrown; without, the error itself.
   */
  public run<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (e) {
      if (e instanceof GpuConfigError) {
        this.add(e);
        return undefined;
      }
      this.throwIfAny();
      throw e;
    }
  }

  /** Whether a check failed on one of these top-level props (dependent checks are skipped then). */
  public failed(...props: string[]): boolean {
    return props.some((p) => this.failedProps.has(p));
  }

  /** Throws every problem recorded, as one GpuConfigError; nothing when there is none. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw GpuConfigError.combine(this.scope, this.found);
  }
}

/**
 * Problems a subclass found before it could call `super` (so before `this` exists), handed to the base class's
 * collector through the props object it passes on.
 */
const PRIOR = new WeakMap<object, GpuConfigError[]>();

/** `props` with `errors` attached for the base class's {@link PropErrors} (a copy; the caller's object is untouched). */
export function _withPriorErrors<T extends object>(props: T, errors: readonly GpuConfigError[]): T {
  const copy = { ...props };
  if (errors.length > 0) PRIOR.set(copy, [...errors]);
  return copy;
}

/** The problems attached to `props` by {@link _withPriorErrors}. */
export function _priorErrors(props: object | undefined): GpuConfigError[] {
  return (props && PRIOR.get(props)) ?? [];
}
