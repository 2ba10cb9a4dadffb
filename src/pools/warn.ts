import { IConstruct } from 'constructs';
import { ConstructWarning, warnConstruct } from '../private/warnings';

/**
 * Record a construction-time warning on a construct (construct metadata `cdk8s-gpu/warning`, visible in the construct
 * tree) and print it in the one finding format (`[cdk8s-gpu] warning GPU8xx <Construct> <path> <property>: <message>
 * Fix: <fix>`), since cdk8s has no Annotations API. Suppressed by the construct context
 * `cdk8s-gpu.io/suppress.<id>` on an enclosing scope. Internal (not exported from the pools index).
 * @returns the formatted line
 * @internal
 */
export function _warn(scope: IConstruct, warning: ConstructWarning, property: string, message: string, fix?: string): string {
  return warnConstruct(scope, warning, property, message, fix);
}
