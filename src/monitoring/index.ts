// GPU metrics: the DCGM exporter, its ServiceMonitor, GPU alerts and a Grafana dashboard (see DESIGN.md "Layout").
export * from './collectors';
export type { DcgmAlertThresholds } from './alerts';
export * from './dcgm-monitoring';
