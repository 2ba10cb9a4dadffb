// GPU sharing: MIG layouts and the MIG manager's config, time-slicing, and the GPU Operator's settings.
export * from './strategy';
export * from './mig-layout';
export * from './mig-config';
export * from './time-slicing';
export * from './operator';
export { NODE_OVERLAY_API_VERSION } from './capacity';
