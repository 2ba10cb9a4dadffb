// The public API, re-exported by folder (see DESIGN.md "Layout").
// GpuConfigError (src/errors.ts) is thrown by every construct; jsii cannot export a subclass of Error,
// so TypeScript users import it from 'cdk8s-gpu/lib/errors' and other languages match on its name.
export * from './validation/public-api';

export * from './catalog';
export * from './eks';
export * from './monitoring';
export * from './pools';
export * from './queues';
export * from './scaling';
export * from './security';
export * from './sharing';
export * from './workloads';

// src/imports/ (typed CRD bindings from `cdk8s import`) stays internal: constructs expose their objects as
// cdk8s ApiObjects (escape hatches), so the public API does not pin users to one CRD version's generated types.
