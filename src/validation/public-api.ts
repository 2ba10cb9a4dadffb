/**
 * The jsii-friendly part of the validation core, for src/index.ts: the finding model and the cdk8s integration
 * (`GpuValidation.addTo(chartOrApp)`, `GpuValidation.validateManifests(...)`, `GpuValidation.formatFinding(...)`).
 */
export { Severity, ManifestSource, SourcedManifest, ObjectRef, Finding } from './model';
export { GpuValidation, GpuValidationProps } from './cdk8s';
