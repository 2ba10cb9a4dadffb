import { IConstruct } from 'constructs';

/**
 * The error every construct in this library throws for bad input.
 *
 * The message always reads `<construct path>: <property> <problem>. Fix: <fix>` so a user sees which
 * construct, which property, what is wrong and how to fix it, e.g.
 * `platform/a100-pool: gpuLimit is 4, below one p4d.24xlarge node (8 GPUs). Fix: raise gpuLimit to at least 8`.
 */
export class GpuConfigError extends Error {
  /** The construct path (or a plain name when there is no construct, e.g. a catalog lookup). */
  public readonly constructPath: string;
  /** The property (or argument) at fault, e.g. `gpuLimit` or `instanceTypes[2]`. */
  public readonly property: string;
  /** What is wrong, without the construct or property name. */
  public readonly problem: string;
  /** How to fix it. */
  public readonly fix: string;

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
}
