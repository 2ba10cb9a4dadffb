import { IConstruct } from 'constructs';

/**
 * Record a warning on a construct (construct metadata `cdk8s-gpu/warning`, visible in the construct tree) and
 * print it, since cdk8s has no Annotations API. Internal (not exported from the pools index).
 * @internal
 */
export function _warn(scope: IConstruct, message: string): void {
  scope.node.addMetadata('cdk8s-gpu/warning', message);
  // eslint-disable-next-line no-console
  console.warn(`[cdk8s-gpu] ${scope.node.path}: ${message}`);
}
