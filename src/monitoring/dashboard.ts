/**
 * The Grafana dashboard of DcgmMonitoring, as deterministic JSON (fixed ids, fixed key order, no timestamps), for
 * the Grafana sidecar of kube-prometheus-stack (ConfigMaps labelled `grafana_dashboard: "1"`).
 * Panels: utilisation, memory, power, temperature (per GPU), GPU utilisation and memory per pod, XID errors.
 */

/** Every PromQL query of the dashboard (panels and template variables' metric selectors). @internal */
export function _dashboardQueries(): string[] {
  return [...PANELS.map((p) => p.expr), 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_GPU_UTIL{pod!=""}'];
}

interface PanelSpec {
  readonly title: string;
  readonly expr: string;
  readonly legend: string;
  readonly unit: string;
  readonly max?: number;
}

const GPU_LEGEND = '{{Hostname}} gpu{{gpu}}';

const PANELS: PanelSpec[] = [
  { title: 'GPU utilisation', expr: 'DCGM_FI_DEV_GPU_UTIL{Hostname=~"$node"}', legend: GPU_LEGEND, unit: 'percent', max: 100 },
  {
    title: 'GPU memory used (used / (used + free))',
    expr: 'DCGM_FI_DEV_FB_USED{Hostname=~"$node"} / (DCGM_FI_DEV_FB_USED{Hostname=~"$node"} + DCGM_FI_DEV_FB_FREE{Hostname=~"$node"})',
    legend: GPU_LEGEND,
    unit: 'percentunit',
    max: 1,
  },
  { title: 'Power draw', expr: 'DCGM_FI_DEV_POWER_USAGE{Hostname=~"$node"}', legend: GPU_LEGEND, unit: 'watt' },
  { title: 'GPU temperature', expr: 'DCGM_FI_DEV_GPU_TEMP{Hostname=~"$node"}', legend: GPU_LEGEND, unit: 'celsius' },
  {
    title: 'GPU utilisation per pod',
    expr: 'avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{pod!="", namespace=~"$namespace"})',
    legend: '{{namespace}}/{{pod}}',
    unit: 'percent',
    max: 100,
  },
  {
    title: 'GPU memory per pod',
    expr: 'sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{pod!="", namespace=~"$namespace"})',
    legend: '{{namespace}}/{{pod}}',
    unit: 'decmbytes',
  },
  {
    // The windowed count per XID (err_code), not DCGM_FI_DEV_XID_ERRORS (the last XID, never reset).
    title: 'XID errors in the exporter\'s window, by XID',
    expr: 'DCGM_EXP_XID_ERRORS_COUNT{Hostname=~"$node"} > 0',
    legend: '{{Hostname}} gpu{{gpu}} XID {{err_code}}',
    unit: 'none',
  },
  {
    title: 'Allocated GPUs by utilisation band',
    expr: 'count by (band) (label_replace(DCGM_FI_DEV_GPU_UTIL{pod!=""} < 5, "band", "idle (<5%)", "", "")) or '
      + 'count by (band) (label_replace(DCGM_FI_DEV_GPU_UTIL{pod!=""} >= 5, "band", "busy", "", ""))',
    legend: '{{band}}',
    unit: 'none',
  },
];

function variable(name: string, label: string, query: string): any {
  return {
    name,
    label,
    type: 'query',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    query: { query, refId: `${name}-var` },
    definition: query,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    refresh: 2,
    sort: 1,
  };
}

/**
 * The dashboard JSON (a string: the ConfigMap value). Same input, same bytes.
 * @param title the dashboard title
 * @param uid the dashboard uid (stable, so Grafana updates it in place)
 * @internal
 */
export function _dashboardJson(title: string, uid: string): string {
  const panels = PANELS.map((p, i) => ({
    id: i + 1,
    type: 'timeseries',
    title: p.title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: p.unit, min: 0, ...(p.max !== undefined ? { max: p.max } : {}) }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: [{ refId: 'A', expr: p.expr, legendFormat: p.legend, datasource: { type: 'prometheus', uid: '${datasource}' } }],
  }));
  const dashboard = {
    uid,
    title,
    tags: ['gpu', 'dcgm', 'cdk8s-gpu'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        variable('node', 'Node', 'label_values(DCGM_FI_DEV_GPU_UTIL, Hostname)'),
        variable('namespace', 'Namespace', 'label_values(DCGM_FI_DEV_GPU_UTIL{pod!=""}, namespace)'),
      ],
    },
    panels,
  };
  return JSON.stringify(dashboard, null, 2);
}
