/**
 * The validation core: plain manifests in, findings out. See DESIGN.md ("the data flow") and docs/rules.md.
 *
 * jsii note: `GpuValidation`, `GpuValidationProps` and the model (`Severity`, `Finding`, …) are jsii-friendly; the
 * rule API (`Rule`, `RuleContext`, `RuleRegistry`, generator checks) and the free functions are for TypeScript users
 * and the CLI.
 */
export * from './model';
export * from './rule';
export { RuleRegistry, defaultRegistry } from './registry';
export { ValidateOptions, validateManifests } from './engine';
export { formatFinding, formatSource } from './format';
export { SUPPRESS_ANNOTATION, RULE_ID_PATTERN, suppressionsOf, Suppressions, SuppressionProblem } from './suppression';
export { ManifestIndex, apiGroupOf, objectRefOf } from './context';
export { GpuValidation, GpuValidationProps } from './cdk8s';
export * from './rules';
export { renderRulesDoc } from './docs';
