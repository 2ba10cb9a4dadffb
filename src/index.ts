// The public API, re-exported by folder (see DESIGN.md "Layout").
export * from './errors';
export * from './validation/model';
