/**
 * The jsii-friendly part of the validation core, for src/index.ts: the finding model and the cdk8s integration
 * (`GpuValidation.addTo(chartOrApp)`, `GpuValidation.validateManifests(...)`, `GpuValidation.formatFinding(...)`).
 */
export { Severity, type ManifestSource, type SourcedManifest, type ObjectRef, type Finding } from './model';
export { GpuValidation, type GpuValidationProps } from './cdk8s';
