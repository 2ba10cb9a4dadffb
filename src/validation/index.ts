/**
 * The validation core: plain manifests in, findings out. See DESIGN.md ("the data flow") and docs/rules.md.
 *
 * This barrel is for TypeScript users and the CLI. The rule API (`Rule`, `RuleContext` with generator checks, the
 * registry, free functions) is not jsii-compatible: the jsii entry point (src/index.ts) should re-export
 * `./validation/public-api` instead, which holds only the jsii-friendly pieces.
 */
export * from './model';
export * from './rule';
export { RuleRegistry, defaultRegistry } from './registry';
export { validateManifests } from './engine';
export type { ValidateOptions } from './engine';
export { formatFinding, formatSource } from './format';
export { SUPPRESS_ANNOTATION, RULE_ID_PATTERN, suppressionsOf } from './suppression';
export type { Suppressions, SuppressionProblem } from './suppression';
export { ManifestIndex, apiGroupOf, objectRefOf } from './context';
export type { ManifestIndexOptions } from './context';
export { GpuValidation } from './cdk8s';
export type { GpuValidationProps } from './cdk8s';
export { renderRulesDoc } from './docs';
export * from './rules';
