/**
 * "Every problem of one construct at once" (issue 21), as a property: k independent faults injected into valid
 * props make the construct throw one GpuConfigError that names all k properties (each with its fix), never a
 * TypeError; one fault keeps the one-error message format.
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { params } from './arbitraries';
import { GpuConfigError } from '../../src/errors';
import { rootProp } from '../../src/private/collect';

/** One fault: the top-level prop it breaks and how. */
export interface Fault<P> {
  /** The prop the error must name (its top-level name: `volume` for `volume.iops`). */
  readonly prop: string;
  /** Props with the fault (a copy; never mutate the input). */
  readonly apply: (p: P) => P;
}

/** What the construct threw, or a failure naming what happened instead (a TypeError above all). */
function thrownBy(fn: () => unknown): GpuConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GpuConfigError) return e;
    throw new Error(`expected GpuConfigError, got ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
  }
  throw new Error('expected GpuConfigError, nothing was thrown');
}

/**
 * Asserts the property for `make` over every non-empty subset (in random order) of `faults`.
 * @param make builds the construct in a fresh chart
 * @param valid props that build without error
 * @param propOf the prop a fault names, from an error's property (default: its top-level name)
 */
export function expectEveryFault<P>(make: (c: Chart, props: P) => unknown, valid: P, faults: readonly Fault<P>[], numRuns = 60,
  propOf: (property: string) => string = rootProp): void {
  // The valid props really are valid (else the property proves nothing).
  make(Testing.chart(), valid);
  const props = faults.map((f) => f.prop);
  if (new Set(props).size !== props.length) throw new Error(`faults must break distinct props: ${props.join(', ')}`);
  fc.assert(fc.property(fc.shuffledSubarray([...faults], { minLength: 1 }), (chosen) => {
    let p = valid;
    for (const f of chosen) p = f.apply(p);
    const e = thrownBy(() => make(Testing.chart(), p));
    const named = new Set(e.errors.map((x) => propOf(x.property)));
    const missing = chosen.filter((f) => !named.has(f.prop)).map((f) => f.prop);
    if (missing.length > 0) {
      throw new Error(`faults in ${chosen.map((f) => f.prop).join(', ')}: the error does not name ${missing.join(', ')}:\n${e.message}`);
    }
    for (const x of e.errors) {
      if (!(x instanceof GpuConfigError) || x.errors.length !== 1) throw new Error(`errors holds a combined or foreign error: ${x}`);
      if (!e.message.includes(`${x.property} ${x.problem}. Fix: ${x.fix}`)) throw new Error(`the message lacks ${x.property}:\n${e.message}`);
    }
    if (e.errors.length === 1) {
      if (e.errors[0] !== e || e.message !== `${e.constructPath}: ${e.property} ${e.problem}. Fix: ${e.fix}`) {
        throw new Error(`one problem must keep the one-error format: ${e.message}`);
      }
    } else if (!e.message.startsWith(`${e.constructPath}: ${e.errors.length} problems:\n  - `)) {
      throw new Error(`several problems must be listed one per line: ${e.message}`);
    }
  }), params(numRuns));
}
