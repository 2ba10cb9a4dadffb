import { IConstruct } from 'constructs';

/**
 * The error every construct in this library throws for bad input.
 *
 * The message always reads `<construct path>: <property> <problem>. Fix: <fix>` so a user sees which
 * construct, which property, what is wrong and how to fix it, e.g.
 * `platform/a100-pool: gpuLimit is 4, below one p4d.24xlarge node (8 GPUs). Fix: raise gpuLimit to at least 8`.
 *
 * A construct with several independent bad props reports them all at once (see {@link GpuConfigError.combine}):
 * `platform/a100-pool: 2 problems:` followed by one line per problem, `  - <property> <problem>. Fix: <fix>`;
 * `errors` holds each problem as a GpuConfigError of its own.
 */
export class GpuConfigError extends Error {
  /**
   * One error for every problem of one construct: a construct checks its independent props, collects what is wrong,
   * and throws once. The message lists each problem on its own line with its property and fix
   * (`<path>: 2 problems:` then `  - gpuLimit is 0. Fix: …`; a problem of another construct, e.g. a child, keeps its
   * own path); `property` lists the properties, `errors` holds the individual errors. One error is returned as it is,
   * so its message keeps the single-error format.
   * @param scope the construct whose props are wrong, or a plain name
   * @param errors the problems, each a GpuConfigError (combined ones are flattened); at least one
   */
  public static combine(scope: IConstruct | string, errors: GpuConfigError[]): GpuConfigError {
    const all = (errors ?? []).flatMap((e) => e.errors);
    if (all.length === 0) throw new Error('GpuConfigError.combine needs at least one error');
    if (all.length === 1) return all[0];
    const properties = [...new Set(all.map((e) => e.property))];
    const combined = new GpuConfigError(scope, properties.join(', '), `have ${all.length} problems`, 'fix each problem listed');
    const path = combined.constructPath;
    const lines = all.map((e) => `  - ${e.constructPath === path ? `${e.property} ${e.problem}. Fix: ${e.fix}` : e.message}`);
    combined.message = `${path}: ${all.length} problems:\n${lines.join('\n')}`;
    combined._errors = all;
    return combined;
  }

  /** The construct path (or a plain name when there is no construct, e.g. a catalog lookup). */
  public readonly constructPath: string;
  /** The property (or argument) at fault, e.g. `gpuLimit` or `instanceTypes[2]`. */
  public readonly property: string;
  /** What is wrong, without the construct or property name. */
  public readonly problem: string;
  /** How to fix it. */
  public readonly fix: string;

  /** The problems of a combined error. @internal */
  private _errors?: GpuConfigError[];

  /**
   * @param scope the construct whose props are wrong, or a plain name (e.g. `GpuInstanceType.of`)
   * @param property the property at fault
   * @param problem what is wrong with it
   * @param fix how to fix it
   */
  constructor(scope: IConstruct | string, property: string, problem: string, fix: string) {
    const path = typeof scope === 'string' ? scope : (scope.node.path || scope.node.id || '<root>');
    super(`${path}: ${property} ${problem}. Fix: ${fix}`);
    this.name = 'GpuConfigError';
    this.constructPath = path;
    this.property = property;
    this.problem = problem;
    this.fix = fix;
    Object.setPrototypeOf(this, GpuConfigError.prototype);
  }

  /**
   * Every problem this error reports, each a `GpuConfigError` of its own: this error alone, or, for an error made by
   * {@link GpuConfigError.combine}, each of the problems it lists (in the order they were found).
   */
  public get errors(): GpuConfigError[] {
    return this._errors ? [...this._errors] : [this];
  }
}
