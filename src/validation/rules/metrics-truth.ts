/**
 * Metrics rules (GPU308, GPU314-GPU319, GPU321, GPU323-GPU325): the PromQL of alerts and KEDA triggers, and whether the series they read
 * are exported, collected and scraped — once.
 *
 * Facts:
 * - PromQL syntax: Prometheus's own grammar as the Lezer parser of its web UI (`@prometheus-io/lezer-promql`,
 *   prometheus/prometheus `web/ui/module/lezer-promql`). Prometheus refuses a rule file whose expression does not
 *   parse (the whole group is not loaded; prometheus-operator's admission webhook rejects the PrometheusRule); KEDA's
 *   prometheus scaler gets an HTTP 400 on every poll (kedacore/keda `pkg/scalers/prometheus_scaler.go`).
 * - dcgm-exporter collects only the fields enabled in its collectors CSV (`-f` / `DCGM_EXPORTER_COLLECTORS`, default
 *   `/etc/dcgm-exporter/default-counters.csv`); the GPU Operator's exporter reads `dcp-metrics-included.csv` unless
 *   `dcgmExporter.config.name` names a ConfigMap (key `dcgm-metrics.csv`). Both defaults enable the same 26 fields at
 *   4.5.3-4.8.2 (../shared/reference/dcgm-fields.md); `DCGM_FI_DEV_*_VIOLATION` and `DCGM_EXP_XID_ERRORS_COUNT` are not
 *   among them.
 * - `DCGM_FI_DEV_XID_ERRORS` is a gauge holding the value of the last XID and is never reset; the windowed count is
 *   `DCGM_EXP_XID_ERRORS_COUNT` (labels `err_code`, `err_msg`; window `DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE`).
 * - prometheus-operator: a ServiceMonitor scrapes the endpoints of the Services it selects, a PodMonitor the pods it
 *   selects; two of them on the same target scrape it twice (two series per metric differing in `job`/`endpoint`
 *   labels), so `sum` doubles and every alert fires twice. kube-prometheus-stack does not honour
 *   `prometheus.io/scrape` annotations.
 */
import { monitorLooksIn, scrapeTargets, selectedServices, stringLabels } from './monitor-targets';
import {
  flagText, METRICS_SWITCH, metricsSwitchWords, ModelServer, ModelServerName, modelServerOf, soleModelServer, vllmImageVersion,
} from './serving';
import { pinnedPoolNames } from './workloads';
import { _UPSTREAM_DEFAULT_FIELDS } from '../../monitoring/collectors';
import { _dcgmFieldsOf, _parsePromQL, _promqlMetrics, _promqlSelection } from '../../monitoring/promql-parse';
import { parseGoBool } from '../../private/go-bool';
import { listedFirst, NAMED_IN_LIST } from '../../private/lists';
import { memoPerRun } from '../../private/memo';
import { nameOf, nsOf } from '../../private/meta';
import { versionAtLeast } from '../../private/version';
import { _VLLM_KV_CACHE_RENAME } from '../../scaling/triggers';
import { matchesLabelSelector } from '../../scheduling/labels';
import { formatTaint, untoleratedTaints } from '../../scheduling/taints';
import { containerLabel, containersOf, podTemplateOf } from '../../scheduling/workloads';
import { re2 } from '../../schema/re2';
import { Severity } from '../model';
import { Rule, RuleContext } from '../rule';

/** `x` when it is an array, else `[]` (foreign YAML may hold anything anywhere). */
const arr = (x: unknown): any[] => (Array.isArray(x) ? x : []);
const isDcgmImage = (c: any): boolean => typeof c?.image === 'string' && /dcgm-exporter/.test(c.image);

/** A PromQL string of the manifests: where it is and whether it is an alert. */
interface Query {
  readonly object: any;
  readonly fieldPath: string;
  readonly query: string;
  readonly alert: boolean;
}

/** Every PrometheusRule `expr` (alerting and recording rules). */
function ruleQueries(ctx: RuleContext): Query[] {
  const out: Query[] = [];
  for (const pr of ctx.byKind('PrometheusRule', 'monitoring.coreos.com')) {
    arr(pr?.spec?.groups).forEach((g: any, i: number) => arr(g?.rules).forEach((r: any, j: number) => {
      if (typeof r?.expr === 'string' || typeof r?.expr === 'number') {
        out.push({ object: pr, fieldPath: `spec.groups[${i}].rules[${j}].expr`, query: String(r.expr), alert: typeof r?.alert === 'string' });
      }
    }));
  }
  return out;
}

/** Every KEDA `prometheus` trigger query (ScaledObject and ScaledJob). */
function triggerQueries(ctx: RuleContext): Query[] {
  const out: Query[] = [];
  for (const so of [...ctx.byKind('ScaledObject', 'keda.sh'), ...ctx.byKind('ScaledJob', 'keda.sh')]) {
    arr(so?.spec?.triggers).forEach((t: any, i: number) => {
      if (t?.type === 'prometheus' && typeof t?.metadata?.query === 'string') {
        out.push({ object: so, fieldPath: `spec.triggers[${i}].metadata.query`, query: t.metadata.query, alert: false });
      }
    });
  }
  return out;
}

/** GPU314 — PrometheusRule expressions must parse. */
export const PROMETHEUS_RULE_PARSES: Rule = {
  id: 'GPU314',
  title: 'A PrometheusRule expression must parse as PromQL',
  severity: Severity.ERROR,
  kinds: ['PrometheusRule'],
  remediation: 'Fix the expression at the position given (try it in the Prometheus UI\'s query editor, which uses the same parser).',
  description: 'Every `spec.groups[].rules[].expr` is parsed with Prometheus\'s own grammar (`@prometheus-io/lezer-promql`, the '
    + 'parser of the Prometheus web UI). Prometheus refuses a rule file with an expression it cannot parse: the whole '
    + 'group — every other alert in it too — is never evaluated (prometheus-operator\'s admission webhook rejects the '
    + 'object when it runs). Syntax only: type errors (e.g. `rate()` of an instant vector) are not judged.',
  *check(ctx) {
    for (const q of ruleQueries(ctx)) {
      const e = _parsePromQL(q.query).error;
      if (e) yield ctx.finding(q.object, q.fieldPath, `${e.message}: ${JSON.stringify(q.query)}; Prometheus refuses the whole rule group`);
    }
  },
};

/** GPU315 — KEDA prometheus trigger queries must parse. */
export const KEDA_QUERY_PARSES: Rule = {
  id: 'GPU315',
  title: 'A KEDA prometheus trigger\'s query must parse as PromQL',
  severity: Severity.ERROR,
  kinds: ['ScaledObject', 'ScaledJob'],
  remediation: 'Fix the query at the position given (try it in the Prometheus UI\'s query editor, which uses the same parser).',
  description: 'Every `prometheus` trigger\'s `metadata.query` is parsed with Prometheus\'s own grammar '
    + '(`@prometheus-io/lezer-promql`). Prometheus answers an unparsable query with HTTP 400, so KEDA\'s scaler errors on '
    + 'every poll: the ScaledObject falls back (when `fallback` is set) or stops scaling on that trigger.',
  *check(ctx) {
    for (const q of triggerQueries(ctx)) {
      const e = _parsePromQL(q.query).error;
      if (e) yield ctx.finding(q.object, q.fieldPath, `${e.message}: ${JSON.stringify(q.query)}; Prometheus answers HTTP 400 on every poll`);
    }
  },
};

/** A DCGM exporter of the manifests: the object running it and the fields it collects (undefined: unknown CSV). */
interface Exporter {
  readonly object: any;
  readonly describe: string;
  readonly fields?: ReadonlySet<string>;
  /** Node constraints: label key → allowed values, when definite. `undefined`: every GPU node. */
  readonly nodes?: ReadonlyMap<string, ReadonlySet<string>>;
  readonly scrapedByOperator: boolean;
  /** The dcgm-exporter container of an exporter workload (not for the GPU Operator's). */
  readonly container?: any;
}

const csvFields = (csv: unknown): Set<string> | undefined => (typeof csv !== 'string' ? undefined : new Set(csv.split('\n')
  .map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(',')[0].trim())));

/** The fields a DaemonSet's dcgm-exporter container collects, from its collectors path and mounted ConfigMaps. */
function daemonSetFields(ctx: RuleContext, obj: any, podSpec: any, container: any): Set<string> | undefined {
  const env = arr(container?.env).find((e: any) => e?.name === 'DCGM_EXPORTER_COLLECTORS');
  const args: string[] = [...arr(container?.command), ...arr(container?.args)].map(String);
  let path: string | undefined = typeof env?.value === 'string' ? env.value : undefined;
  args.forEach((a, i) => {
    const m = /^(?:-f|--collectors)(?:=(.+))?$/.exec(a);
    if (m) path = m[1] ?? args[i + 1];
  });
  if (env && path === undefined) return undefined; // valueFrom: unknown
  if (path === undefined || path === '/etc/dcgm-exporter/default-counters.csv') return new Set(_UPSTREAM_DEFAULT_FIELDS);
  for (const vm of arr(container?.volumeMounts)) {
    const mount = typeof vm?.mountPath === 'string' ? vm.mountPath.replace(/\/$/, '') : undefined;
    if (!mount || !path.startsWith(`${mount}/`)) continue;
    const volume = arr(podSpec?.volumes).find((v: any) => v?.name === vm.name);
    const cmName = volume?.configMap?.name;
    if (typeof cmName !== 'string') return undefined;
    const rel = typeof vm.subPath === 'string' && vm.subPath ? vm.subPath : path.slice(mount.length + 1);
    const item = arr(volume.configMap.items).find((it: any) => it?.path === rel);
    const cm = ctx.get('ConfigMap', nsOf(obj), cmName);
    return cm ? csvFields(cm?.data?.[item?.key ?? rel]) : undefined;
  }
  return new Set(_UPSTREAM_DEFAULT_FIELDS); // a file of the image: the upstream CSVs share one field set
}

/** Node label constraints of a pod spec that are definite (nodeSelector, one required node-affinity term's `In`). */
function nodeConstraints(podSpec: any): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const narrow = (key: string, values: string[]) => {
    const prev = out.get(key);
    out.set(key, new Set(prev ? values.filter((v) => prev.has(v)) : values));
  };
  const selector = podSpec?.nodeSelector;
  if (selector && typeof selector === 'object' && !Array.isArray(selector)) for (const [k, v] of Object.entries(selector)) narrow(k, [String(v)]);
  const terms = podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (Array.isArray(terms) && terms.length === 1) {
    for (const e of arr(terms[0]?.matchExpressions)) {
      if (e?.operator === 'In' && typeof e?.key === 'string' && Array.isArray(e.values)) narrow(e.key, e.values.map(String));
    }
  }
  return out;
}

function overlap(a: Exporter, b: Exporter): boolean {
  if (!a.nodes || !b.nodes) return true;
  for (const [key, values] of a.nodes) {
    const other = b.nodes.get(key);
    if (other && ![...values].some((v) => other.has(v))) return false;
  }
  return true;
}

/**
 * Every DCGM exporter in the manifests: workloads running a dcgm-exporter image, and GPU Operator ClusterPolicies;
 * once per run (GPU308, GPU316, GPU317 and GPU323 all ask).
 */
const exportersOf: (ctx: RuleContext) => readonly Exporter[] = memoPerRun((ctx) => findExporters(ctx));

function findExporters(ctx: RuleContext): Exporter[] {
  const out: Exporter[] = [];
  for (const w of ctx.workloads()) {
    const podSpec = w.template.podSpec;
    const container = arr(podSpec?.containers).find(isDcgmImage);
    if (!container) continue;
    out.push({
      object: w.object,
      describe: `${w.kind} ${nsOf(w.object) ? `${nsOf(w.object)}/` : ''}${nameOf(w.object)}`,
      fields: daemonSetFields(ctx, w.object, podSpec, container),
      nodes: nodeConstraints(podSpec),
      scrapedByOperator: false,
      container,
    });
  }
  for (const cp of ctx.byKind('ClusterPolicy', 'nvidia.com')) {
    const de = cp?.spec?.dcgmExporter;
    if (de?.enabled === false) continue;
    const cmName = de?.config?.name;
    let fields: Set<string> | undefined = new Set(_UPSTREAM_DEFAULT_FIELDS);
    if (typeof cmName === 'string' && cmName !== '') {
      const cm = ctx.byKind('ConfigMap', '').find((c) => nameOf(c) === cmName);
      fields = cm ? csvFields(cm?.data?.['dcgm-metrics.csv']) : undefined;
    }
    out.push({
      object: cp,
      describe: `the GPU Operator's exporter (ClusterPolicy ${nameOf(cp)})`,
      fields,
      scrapedByOperator: de?.serviceMonitor?.enabled === true,
    });
  }
  return out;
}

/** GPU316 — what alerts and triggers read must be collected. */
export const DCGM_FIELD_COLLECTED: Rule = {
  id: 'GPU316',
  title: 'A DCGM field read by an alert or a trigger must be in the collectors CSV of the exporter',
  severity: Severity.ERROR,
  kinds: ['PrometheusRule', 'ScaledObject', 'ScaledJob', 'DaemonSet', 'ClusterPolicy', 'ConfigMap'],
  remediation: 'Add the field to the exporter\'s collectors CSV (DcgmMonitoring adds every field its alerts, dashboard and scalers read; '
    + 'with the GPU Operator set dcgmExporter.config.name to that ConfigMap), or stop reading it.',
  description: 'dcgm-exporter only exports the fields enabled in its collectors CSV. The CSV of each exporter in the manifests '
    + 'is read from the ConfigMap it mounts (`DCGM_EXPORTER_COLLECTORS` / `-f`) or, for the GPU Operator, from '
    + '`spec.dcgmExporter.config.name` (key `dcgm-metrics.csv`); without one, the upstream default set (26 fields, '
    + 'identical in `default-counters.csv` and the operator\'s `dcp-metrics-included.csv`), which lacks e.g. '
    + '`DCGM_FI_DEV_THERMAL_VIOLATION` and `DCGM_EXP_XID_ERRORS_COUNT`. An alert on a field nobody collects never fires; a '
    + 'trigger on one never gets data. Not judged when no exporter is in the manifests (see GPU306) or its CSV is not.',
  *check(ctx) {
    const exporters = exportersOf(ctx).filter((e) => e.fields !== undefined);
    if (exporters.length === 0) return;
    for (const q of [...ruleQueries(ctx), ...triggerQueries(ctx)]) {
      for (const field of _dcgmFieldsOf(q.query)) {
        const missing = exporters.filter((e) => !e.fields!.has(field));
        if (missing.length === 0) continue;
        yield ctx.finding(q.object, q.fieldPath,
          `reads ${field}, which ${missing.map((e) => e.describe).join(' and ')} does not collect (not in its collectors CSV): `
          + `the ${q.alert ? 'alert never fires' : q.object.kind === 'PrometheusRule' ? 'rule has no data' : 'trigger gets no data'}`);
      }
    }
  },
};

/** GPU317 — one exporter per GPU node. */
export const ONE_DCGM_EXPORTER_PER_NODE: Rule = {
  id: 'GPU317',
  title: 'At most one DCGM exporter may run on a GPU node',
  severity: Severity.ERROR,
  kinds: ['DaemonSet', 'ClusterPolicy'],
  remediation: 'Keep one exporter: DcgmMonitoring\'s own (GPU Operator `dcgmExporter.enabled: false`) or the operator\'s '
    + '(DcgmMonitoring `mode: DcgmExporterMode.GPU_OPERATOR`), or confine them to disjoint node pools.',
  description: 'Two DCGM exporters on one node run two DCGM host engines against the same GPUs and export every GPU series '
    + 'twice: alerts fire twice, `sum()` doubles (KEDA scales to twice the replicas). The GPU Operator\'s exporter (a '
    + 'ClusterPolicy with `dcgmExporter` not disabled) runs on every GPU node; a workload running a `dcgm-exporter` image '
    + 'runs where its nodeSelector / required node affinity allow. Two exporters are judged disjoint only when those '
    + 'constraints provably exclude each other (the same label key with no common value).',
  *check(ctx) {
    const exporters = exportersOf(ctx);
    for (let i = 1; i < exporters.length; i++) {
      const first = exporters.slice(0, i).find((e) => overlap(e, exporters[i]));
      if (!first) continue;
      const e = exporters[i];
      yield ctx.finding(e.object, e.object.kind === 'ClusterPolicy' ? 'spec.dcgmExporter.enabled' : 'spec.template.spec',
        `runs a DCGM exporter on the same GPU nodes as ${first.describe}: two host engines per node and every GPU series exported twice`);
    }
  },
};

/** Workload objects a ScaledObject's target names (kind, namespace, name), when in the manifests. */
function targetOf(ctx: RuleContext, so: any): any | undefined {
  const ref = so?.spec?.scaleTargetRef;
  if (typeof ref?.name !== 'string') return undefined;
  return ctx.get(typeof ref.kind === 'string' && ref.kind ? ref.kind : 'Deployment', nsOf(so), ref.name);
}

/** Whether a ServiceMonitor or PodMonitor in the manifests scrapes the pods of `workload`. */
function scraped(ctx: RuleContext, workload: any): boolean {
  const ns = nsOf(workload);
  const podLabels = stringLabels(workload?.spec?.template?.metadata?.labels);
  for (const pm of ctx.byKind('PodMonitor', 'monitoring.coreos.com')) {
    if (monitorLooksIn(pm, ns) && matchesLabelSelector(pm?.spec?.selector, podLabels)) return true;
  }
  for (const sm of ctx.byKind('ServiceMonitor', 'monitoring.coreos.com')) {
    for (const svc of selectedServices(ctx, sm)) {
      if (nsOf(svc) !== ns) continue;
      const sel = stringLabels(svc?.spec?.selector);
      if (Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => podLabels[k] === v)) return true;
    }
  }
  return false;
}

/**
 * The metric names each model server exports (their documentation's "Metrics" pages: vLLM `vllm:*`, SGLang `sglang:*`,
 * TGI `tgi_*`, Triton `nv_inference_*`).
 */
const SERVER_METRICS: ReadonlyArray<{ readonly server: ModelServerName; readonly prefix: string }> = [
  { server: 'vLLM', prefix: 'vllm:' },
  { server: 'SGLang', prefix: 'sglang:' },
  { server: 'TGI', prefix: 'tgi_' },
  { server: 'Triton', prefix: 'nv_inference_' },
  { server: 'llama.cpp', prefix: 'llamacpp:' },
];

/** GPU318 — triggers on a model server's metrics need their target scraped. */
export const SERVER_TRIGGER_TARGET_SCRAPED: Rule = {
  id: 'GPU318',
  title: 'A trigger reading a model server\'s metrics (vLLM, SGLang, TGI, Triton, llama.cpp) needs its target\'s pods scraped',
  severity: Severity.WARNING,
  kinds: ['ScaledObject', 'Deployment', 'StatefulSet', 'Service', 'ServiceMonitor', 'PodMonitor'],
  remediation: 'Scrape the model server: a ServiceMonitor on its Service (InferenceDeployment makes one by default with vllm) or a PodMonitor on its pods.',
  description: 'The model servers serve their metrics over HTTP, on their pods (vLLM `vllm:*`, SGLang `sglang:*` and TGI '
    + '`tgi_*` at `/metrics` of their API port, llama.cpp `llamacpp:*` there too when told to, Triton `nv_inference_*` on '
    + 'its metrics port); Prometheus only has them when a ServiceMonitor '
    + '(through a Service selecting the pods) or a PodMonitor scrapes the pods (kube-prometheus-stack ignores '
    + '`prometheus.io/scrape` annotations). Otherwise the trigger never gets data: KEDA falls back and stops scaling on it. '
    + 'A warning: a scrape configuration may live outside the manifests (e.g. Prometheus `additionalScrapeConfigs`).',
  *check(ctx) {
    for (const q of triggerQueries(ctx)) {
      const read = _promqlMetrics(q.query).filter((m) => SERVER_METRICS.some((x) => m.startsWith(x.prefix)));
      if (read.length === 0) continue;
      const target = targetOf(ctx, q.object);
      if (!target || scraped(ctx, target)) continue;
      yield ctx.finding(q.object, q.fieldPath,
        `reads ${read.join(', ')}, but no ServiceMonitor or PodMonitor in these manifests scrapes the pods of ${target.kind} ${nsOf(target) ? `${nsOf(target)}/` : ''}${nameOf(target)}: the trigger gets no data`);
    }
  },
};

/** vLLM metrics renamed, as the scaler knows them ({@link _VLLM_KV_CACHE_RENAME}). */
const VLLM_RENAMED_METRICS = [_VLLM_KV_CACHE_RENAME];

/** `0.12.0`, or `latest`. */
const versionWords = (v: readonly number[]): string => (v[0] === Infinity ? 'latest' : v.join('.'));

/**
 * Why a vLLM server of `version` (its image's) with command line `argv` does not export `metric`, when one of
 * {@link VLLM_RENAMED_METRICS} says so; undefined when it does, or the version is not known.
 */
function vllmMetricMissing(metric: string, version: readonly number[] | undefined, argv: readonly string[]): string | undefined {
  if (version === undefined) return undefined;
  for (const r of VLLM_RENAMED_METRICS) {
    if (metric === r.old && versionAtLeast(version, r.removedIn)) {
      return `vLLM ${versionWords(version)} no longer exports ${metric} (renamed ${r.renamed} in ${r.since.join('.')}, removed in ${r.removedIn.slice(0, 2).join('.')})`;
    }
    if (metric === r.old && versionAtLeast(version, r.hiddenFrom) && flagText(argv, ['--show-hidden-metrics-for-version']) === undefined) {
      return `vLLM ${versionWords(version)} hides ${metric} (renamed ${r.renamed} in ${r.since.join('.')}; deprecated in ${r.deprecatedIn}, `
        + `it is shown only with --show-hidden-metrics-for-version=${r.deprecatedIn})`;
    }
    if (metric === r.renamed && !versionAtLeast(version, r.since)) {
      return `vLLM ${versionWords(version)} does not export ${metric} yet (from ${r.since.join('.')}; before, ${r.old})`;
    }
  }
  return undefined;
}

/**
 * The `model_name` label of a vLLM server's series: its first `--served-model-name`, else its model as written (vLLM
 * `get_served_model_name`, the label of its Prometheus stat logger); undefined when read from a variable.
 */
function vllmServedName(server: ModelServer): string | undefined {
  const flag = flagText(server.argv, ['--served-model-name']);
  if (flag !== undefined) return flag === '' || flag.startsWith('-') || /[$`]/.test(flag) ? undefined : flag;
  return server.model;
}

/** Whether a label matcher selects `value`: true or false; undefined for a regular expression that cannot be read. */
function matchesLabel(m: { readonly op: string; readonly value: string }, value: string): boolean | undefined {
  if (m.op === '=') return value === m.value;
  if (m.op === '!=') return value !== m.value;
  let re: RegExp;
  try {
    re = re2(`^(?:${m.value})$`);
  } catch {
    return undefined;
  }
  return m.op === '=~' ? re.test(value) : !re.test(value);
}

/** GPU324 — a trigger reading one model server's metrics must target pods that run that server. */
export const TRIGGER_READS_ITS_SERVER: Rule = {
  id: 'GPU324',
  title: 'A trigger reading a model server\'s metrics should target pods that run that server, with its metrics on',
  severity: Severity.WARNING,
  kinds: ['ScaledObject', 'Deployment', 'StatefulSet'],
  remediation: 'Read the metrics of the server the target runs (vLLM vllm:*, SGLang sglang:*, TGI tgi_*, Triton nv_inference_*, '
    + 'llama.cpp llamacpp:*), e.g. after moving a model from vLLM to SGLang, sglang:num_queue_reqs instead of '
    + 'vllm:num_requests_waiting; start SGLang with --enable-metrics and llama-server with --metrics.',
  description: 'Each model server exports its own metric names: vLLM `vllm:*`, SGLang `sglang:*`, TGI `tgi_*`, Triton '
    + '`nv_inference_*`, llama.cpp `llamacpp:*`. SGLang serves them only when started with `--enable-metrics` (SGLang '
    + '"Production Metrics"), llama.cpp only with `--metrics` or `LLAMA_ARG_ENDPOINT_METRICS` (otherwise its `/metrics` '
    + 'answers 501 "This server does not support metrics endpoint": llama.cpp server README). A KEDA Prometheus trigger whose query reads one server\'s metrics, on a ScaledObject whose '
    + 'target\'s pods run another server (as the serving rules read them: vLLM, TGI, SGLang, Triton, llama.cpp), or the same '
    + 'server with its metrics off, gets no series '
    + 'from its own pods; KEDA reads an empty result as 0 (`ignoreNullValues`, true by default; KEDA "Prometheus" '
    + 'scaler), or with `ignoreNullValues: false` fails the trigger and falls back, so the trigger never scales the target '
    + 'on its load. The usual case is a model moved from vLLM to another server '
    + 'with its scaler left as it was. The same holds for a vLLM metric the target\'s vLLM version (its image\'s tag, '
    + '`vllm/vllm-openai:vX.Y.Z`) does not export: `vllm:kv_cache_usage_perc` replaced `vllm:gpu_cache_usage_perc` in '
    + '0.9.2, which 0.11 hides (unless `--show-hidden-metrics-for-version=0.10`) and 0.12 removed (vLLM "Production '
    + 'Metrics", PRs #18354, #24245, #29330): a scaler written for an older vLLM silently stops scaling after an image '
    + 'upgrade. And for a selector on a `model_name` vLLM does not label its series with: its first '
    + '`--served-model-name`, else its model as written (vLLM `get_served_model_name`, the label of its Prometheus stat '
    + 'logger), as after renaming the served model. A warning: the query may mean another workload\'s series on purpose. Targets '
    + 'whose server is not recognised are not judged.',
  *check(ctx) {
    for (const q of triggerQueries(ctx)) {
      const metrics = _promqlMetrics(q.query);
      const read = SERVER_METRICS.filter((m) => metrics.some((x) => x.startsWith(m.prefix)));
      if (read.length === 0 || q.object?.kind !== 'ScaledObject') continue;
      const target = targetOf(ctx, q.object);
      const template = target ? podTemplateOf(target) : undefined;
      if (!template) continue;
      const running = new Set<ModelServerName>();
      // (servers that serve their metrics only when told to, and are not told: llama.cpp without --metrics)
      const silent = new Set<ModelServerName>();
      // (the vLLM servers' versions, from their images, and command lines)
      const vllms: Array<{ version?: readonly number[]; argv: readonly string[]; served?: string }> = [];
      for (const c of containersOf(template)) {
        const server = c.init && !c.sidecar ? undefined : modelServerOf(c.container);
        if (server) running.add(server.name);
        if (server?.metricsEnabled === false) silent.add(server.name);
        if (server?.name === 'vLLM') {
          vllms.push({ version: vllmImageVersion(typeof c.container?.image === 'string' ? c.container.image : ''), argv: server.argv, served: vllmServedName(server) });
        }
      }
      if (running.size === 0) continue;
      const targetWords = `${target.kind} ${nsOf(target) ? `${nsOf(target)}/` : ''}${nameOf(target)}`;
      // vLLM metrics its version does not export (every vLLM container of the pod agreeing)
      for (const name of vllms.length > 0 ? metrics.filter((x) => x.startsWith('vllm:')) : []) {
        const why = vllms.map((v) => vllmMetricMissing(name, v.version, v.argv));
        if (why.some((w) => w === undefined)) continue;
        yield ctx.finding(q.object, q.fieldPath,
          `reads ${name}, but the pods of ${targetWords} run ${why[0]}: no series `
          + 'exist, so the trigger gets no data (KEDA reads the empty result as 0, or with ignoreNullValues false fails the trigger and '
          + 'falls back) and never scales it on its load');
      }
      // vLLM selectors on a model_name its servers do not label their series with
      const selection = vllms.length > 0 ? _promqlSelection(q.query) : undefined;
      const served = vllms.map((v) => v.served);
      if (selection && served.every((x): x is string => x !== undefined)) {
        for (let i = 0; i < selection.names.length; i++) {
          const name = selection.names[i];
          if (name === undefined || !name.startsWith('vllm:')) continue;
          const matcher = selection.selectors[i].find((x) => x.label === 'model_name' && !served.some((sv) => matchesLabel(x, sv) !== false));
          if (!matcher) continue;
          yield ctx.finding(q.object, q.fieldPath,
            `selects ${name}{model_name${matcher.op}${JSON.stringify(matcher.value)}}, but the vLLM server of ${targetWords} `
            + `labels its series model_name=${JSON.stringify(served[0])} (its `
            + `${flagText(vllms[0].argv, ['--served-model-name']) !== undefined ? 'first --served-model-name' : 'model, with no --served-model-name'}): `
            + 'no series match, so the trigger gets no data (KEDA reads the empty result as 0, or with ignoreNullValues false fails the '
            + 'trigger and falls back) and never scales it on its load');
          break;
        }
      }
      for (const m of read) {
        const off = METRICS_SWITCH[m.server];
        if (running.has(m.server) && silent.has(m.server) && off) {
          yield ctx.finding(q.object, q.fieldPath,
            `reads ${metrics.filter((x) => x.startsWith(m.prefix)).join(', ')}, which ${m.server} exports, but the ${m.server} server of `
            + `${targetWords} is not started with ${metricsSwitchWords(off)}: ${off.answer} `
            + 'and no series exist, so the trigger gets no data (KEDA reads the empty result as 0, or with ignoreNullValues false '
            + 'fails the trigger and falls back) and never scales it on its load');
          continue;
        }
        if (running.has(m.server)) continue;
        const names = metrics.filter((x) => x.startsWith(m.prefix));
        const theirs = [...running].map((r) => `${r} (${SERVER_METRICS.find((x) => x.server === r)!.prefix}*)`).join(', ');
        yield ctx.finding(q.object, q.fieldPath,
          `reads ${names.join(', ')}, which ${m.server} exports, but the pods of ${targetWords} `
          + `run ${theirs}: its own pods never report these series, so the trigger gets no data (KEDA reads the empty result as 0, `
          + 'or with ignoreNullValues false fails the trigger and falls back) and never scales it on its load (unless the query '
          + 'means another workload\'s series)');
      }
    }
  },
};

/** GPU325 — a monitor scraping a model server's port must find its metrics there. */
export const MONITOR_SCRAPES_SERVER_METRICS: Rule = {
  id: 'GPU325',
  title: 'A ServiceMonitor or PodMonitor scraping a model server\'s port must find its metrics there',
  severity: Severity.ERROR,
  kinds: ['ServiceMonitor', 'PodMonitor', 'Service', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Pod'],
  remediation: 'Start the server with its metrics on (SGLang --enable-metrics; llama-server --metrics or LLAMA_ARG_ENDPOINT_METRICS=1); '
    + 'for Triton, scrape its metrics port (--metrics-port, 8002) instead of its HTTP port; for vLLM serving HTTPS, set the '
    + 'endpoint\'s scheme: https (with tlsConfig).',
  description: 'prometheus-operator scrapes each endpoint of a ServiceMonitor on the pods behind the Services it selects '
    + '(the Service port named by `port`, forwarded to its `targetPort`), and each `podMetricsEndpoints` entry of a '
    + 'PodMonitor on the container port it names, at `path` (`/metrics` by default). vLLM and TGI serve their metrics '
    + 'at `/metrics` of their HTTP port, but SGLang only when started with `--enable-metrics` (SGLang "Production '
    + 'Metrics"; without it there is no such route: 404), llama.cpp\'s `llama-server` only with `--metrics` or '
    + '`LLAMA_ARG_ENDPOINT_METRICS` (otherwise 501, "This server does not support metrics endpoint": its server '
    + 'README), and Triton on its own metrics port (`--metrics-port`, 8002; its HTTP port serves the KServe v2 protocol '
    + 'only: 404); vLLM given `--ssl-keyfile` and `--ssl-certfile` serves HTTPS only, which a scrape with the default '
    + '`scheme` (http) cannot read. Such a scrape fails every time: Prometheus marks the target down (`up` 0), keeps none of the '
    + 'server\'s series, and every alert, dashboard and KEDA trigger on them has no data. Judged for the `/metrics` path, on '
    + 'pods whose only running container is the server, run as itself (as GPU238), with the serving rules\' reading of '
    + 'its command line (a `--config` file or a variable leaves it unknown).',
  *check(ctx) {
    for (const t of scrapeTargets(ctx)) {
      const path = t.endpoint?.path;
      if (t.port.number === undefined || t.port.protocol !== 'TCP' || (path !== undefined && path !== '/metrics')) continue;
      const sole = soleModelServer(ctx, t.workload);
      if (!sole || t.port.number !== sole.server.port) continue;
      const { c, server } = sole;
      const off = server.metricsEnabled === false ? METRICS_SWITCH[server.name] : undefined;
      // (a plain HTTP scrape of a port that serves HTTPS only fails its TLS handshake; prometheus-operator's scheme is http by default)
      const plain = server.https !== undefined && String(t.endpoint?.scheme ?? 'http').toLowerCase() !== 'https';
      const why = off ? `runs ${server.name} without ${metricsSwitchWords(off)}: ${off.answer}`
        : server.name === 'Triton' ? `runs Triton, whose HTTP port serves the KServe v2 protocol only (404 for /metrics): its metrics are on --metrics-port (${server.otherPorts?.[1] ?? 8002})`
          : plain ? `runs ${server.name} serving HTTPS only on that port (${server.https}), but the endpoint scrapes plain HTTP (no scheme: https): the TLS handshake fails`
            : undefined;
      if (!why) continue;
      const w = t.workload;
      yield ctx.finding(t.monitor, t.endpointPath, `scrapes /metrics on port ${t.port.number} of the pods of ${w.kind} `
        + `${nsOf(w.object) ? `${nsOf(w.object)}/` : ''}${nameOf(w.object)}, whose ${containerLabel(c)} ${why}; every scrape fails, `
        + 'Prometheus marks the target down and keeps none of its series');
    }
  },
};

/** GPU319 — the last-XID gauge is not an alert. */
export const XID_GAUGE_ALERT: Rule = {
  id: 'GPU319',
  title: 'Do not alert on DCGM_FI_DEV_XID_ERRORS compared with a value',
  severity: Severity.WARNING,
  kinds: ['PrometheusRule'],
  remediation: 'Count XIDs over a window: enable DCGM_EXP_XID_ERRORS_COUNT in the collectors CSV (window: DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE, '
    + 'default 5 min) and alert on `DCGM_EXP_XID_ERRORS_COUNT{err_code=~"48|63|64|74|79|92|94|95"} > 0` (node-fatal, critical) '
    + 'apart from `{err_code=~"13|31|43"}` (application faults, warning). DcgmMonitoring does this.',
  description: '`DCGM_FI_DEV_XID_ERRORS` is a gauge holding the value of the last XID the GPU reported; it is never reset. '
    + 'An alert like `DCGM_FI_DEV_XID_ERRORS > 0` therefore fires from the first XID until the exporter restarts — one '
    + 'application XID (13, 31, 43: a user\'s CUDA bug) raises it for days — and it cannot tell node-fatal XIDs (48, 63, 64, '
    + '74, 79, 92, 94, 95 in NVIDIA\'s XID catalogue) from the rest.',
  *check(ctx) {
    for (const q of ruleQueries(ctx)) {
      if (!q.alert || !_promqlMetrics(q.query).includes('DCGM_FI_DEV_XID_ERRORS')) continue;
      if (!/[<>]|!=|==/.test(q.query)) continue;
      yield ctx.finding(q.object, q.fieldPath, `compares DCGM_FI_DEV_XID_ERRORS (the last XID, never reset): ${JSON.stringify(q.query)} fires until the exporter restarts`);
    }
  },
};

/** GPU308 — a DCGM exporter is scraped once. */
export const DCGM_SCRAPED_ONCE: Rule = {
  id: 'GPU308',
  title: 'A DCGM exporter must be scraped by exactly one ServiceMonitor',
  severity: Severity.ERROR,
  kinds: ['ServiceMonitor', 'Service', 'DaemonSet', 'ClusterPolicy'],
  remediation: 'Keep one scrape configuration: with the GPU Operator\'s ServiceMonitor (dcgmExporter.serviceMonitor.enabled) drop your own '
    + '(DcgmMonitoring in GPU_OPERATOR mode makes none), or disable the operator\'s.',
  description: 'Two ServiceMonitors selecting the same exporter Service make Prometheus scrape every GPU series twice (the copies '
    + 'differ in `job`/`endpoint`): sums double, KEDA scales to twice the replicas, alerts fire twice. Judged for our '
    + 'exporters\' Services and for the GPU Operator\'s `nvidia-dcgm-exporter` Service (label `app: nvidia-dcgm-exporter`) '
    + 'when a ClusterPolicy in the manifests enables its ServiceMonitor.',
  *check(ctx) {
    const operator = exportersOf(ctx).find((e) => e.object.kind === 'ClusterPolicy' && e.scrapedByOperator);
    const byTarget = new Map<string, any[]>();
    const add = (key: string, sm: any) => byTarget.set(key, [...(byTarget.get(key) ?? []), sm]);
    for (const sm of ctx.byKind('ServiceMonitor', 'monitoring.coreos.com')) {
      const ml = stringLabels(sm?.spec?.selector?.matchLabels);
      if (operator && ml.app === 'nvidia-dcgm-exporter') add('operator', sm);
      for (const svc of selectedServices(ctx, sm)) {
        const sel = stringLabels(svc?.spec?.selector);
        if (Object.keys(sel).length === 0) continue;
        const dcgm = ctx.workloadsMatching(nsOf(svc), sel).some((w) => arr(w.template.podSpec?.containers).some(isDcgmImage));
        if (dcgm) add(`svc ${nsOf(svc)}/${nameOf(svc)}`, sm);
      }
    }
    for (const [key, monitors] of byTarget) {
      const others = key === 'operator' ? 1 : 0; // the operator's own ServiceMonitor is not in the manifests
      for (const sm of monitors.slice(1 - others)) {
        const what = key === 'operator' ? 'the GPU Operator\'s exporter, which its own ServiceMonitor already scrapes'
          : `exporter Service ${key.slice(4)}, also scraped by ServiceMonitor ${monitors.filter((m) => m !== sm).map(nameOf).join(', ')}`;
        yield ctx.finding(sm, 'spec.selector', `selects ${what}: every GPU series is scraped twice`);
      }
    }
  },
};

/** GPU321 — the exporter must be able to run on the GPU nodes it serves. */
export const DCGM_EXPORTER_TOLERATES_POOLS: Rule = {
  id: 'GPU321',
  title: 'A DCGM exporter DaemonSet must tolerate the taints of the GPU NodePools it serves',
  severity: Severity.WARNING,
  kinds: ['DaemonSet', 'NodePool'],
  remediation: 'Tolerate the pools\' taints in the exporter DaemonSet (DcgmMonitoring tolerates those of its `pools`; the dcgm-exporter '
    + 'Helm chart: `tolerations`, empty by default), or drop the taint.',
  description: 'A DaemonSet pod lands on a tainted node only when it tolerates the taint (the DaemonSet controller adds '
    + 'tolerations for node conditions only: Kubernetes docs, "DaemonSet"). An exporter that does not tolerate a GPU '
    + 'NodePool\'s taints never runs on its nodes: their GPUs have no metrics, so the dashboards and alerts are blind to '
    + 'them and a KEDA scaler on DCGM metrics sees only the other nodes. The dcgm-exporter Helm chart tolerates nothing by '
    + 'default, and every GPU NodePool should be tainted (GPU003). The pools judged are those the DaemonSet pins through '
    + '`karpenter.sh/nodepool`, else every GPU NodePool (a selection on labels GPU feature discovery sets at run time, such '
    + 'as `nvidia.com/gpu.present`, cannot be judged from a NodePool). A warning: an exporter may be meant for some pools '
    + 'only; the GPU Operator\'s exporter is judged with its device plugin (GPU107).',
  *check(ctx) {
    const gpuPools = ctx.nodePools().filter((p) => p.offersGpu);
    if (gpuPools.length === 0) return;
    for (const w of ctx.workloads()) {
      if (w.kind !== 'DaemonSet' || !arr(w.template.podSpec?.containers).some(isDcgmImage)) continue;
      const pinned = pinnedPoolNames(w.template.podSpec);
      const pools = pinned === undefined ? gpuPools : gpuPools.filter((p) => pinned.includes(p.name));
      const missed = pools.map((p) => ({ p, taints: untoleratedTaints(w.template.podSpec?.tolerations, p.taints) }))
        .filter((m) => m.taints.length > 0);
      if (missed.length === 0) continue;
      yield ctx.finding(w.object, `${w.template.podSpecPath}.tolerations`,
        `does not tolerate ${listedFirst(missed, (m) => `NodePool ${m.p.name}'s ${m.taints.map(formatTaint).join(', ')}`, NAMED_IN_LIST, '; ')}: the `
        + 'exporter never runs on those nodes, so their GPUs have no metrics (dashboards, alerts and DCGM-driven scalers see nothing of them)');
    }
  },
};

/** The pod labels dcgm-exporter adds when it maps GPUs to pods (kubernetes.go: `pod`, `namespace`, `container`). */
const POD_LABELS = new Set(['pod', 'namespace', 'container']);

/**
 * Why a dcgm-exporter container does not map GPUs to pods, or undefined when it does or cannot be told: the mapping is
 * off by default (`-k` / `DCGM_EXPORTER_KUBERNETES`, default false), and without the kubelet's pod-resources socket
 * the exporter logs "No Kubelet socket, ignoring" and exports the series without pod labels (`PodMapper.Process`).
 */
function podMappingMissing(container: any): string | undefined {
  const args = [...arr(container?.command), ...arr(container?.args)].filter((a): a is string => typeof a === 'string');
  const env = arr(container?.env).find((e: any) => e?.name === 'DCGM_EXPORTER_KUBERNETES');
  const flag = args.find((a) => /^--?(k|kubernetes)(=.*)?$/.test(a));
  if (args.some((a) => /\s/.test(a)) || (env !== undefined && typeof env.value !== 'string')) return undefined; // a script, a variable
  // dcgm-exporter reads the flag and the variable with Go's strconv.ParseBool (urfave/cli).
  const on = flag !== undefined ? !flag.includes('=') || parseGoBool(flag.slice(flag.indexOf('=') + 1)) === true : parseGoBool(env?.value) === true;
  if (!on) return env !== undefined ? `DCGM_EXPORTER_KUBERNETES is ${JSON.stringify(env.value)}` : 'DCGM_EXPORTER_KUBERNETES is not set (default false)';
  // A socket elsewhere (--pod-resources-kubelet-socket or its variable) is not judged.
  if ([...args, ...arr(container?.env).map((e: any) => String(e?.value ?? ''))].some((a) => a.includes('kubelet.sock'))) return undefined;
  const mounted = arr(container?.volumeMounts).some((m: any) => typeof m?.mountPath === 'string'
    && '/var/lib/kubelet/pod-resources/'.startsWith(`${m.mountPath.replace(/\/+$/, '')}/`));
  return mounted ? undefined : '/var/lib/kubelet/pod-resources (the kubelet\'s socket) is not mounted';
}

/** The pod labels a query filters or groups by (`{pod=~…}`, `by (namespace, pod)`). */
function podLabelsRead(query: string): string[] {
  const selection = _promqlSelection(query);
  const read = new Set<string>();
  for (const sel of selection?.selectors ?? []) for (const m of sel) if (POD_LABELS.has(m.label)) read.add(m.label);
  for (const l of selection?.groupedBy ?? []) if (POD_LABELS.has(l)) read.add(l);
  return [...read].sort();
}

/** GPU323 — what alerts and triggers read per pod must come from an exporter that maps GPUs to pods. */
export const DCGM_MAPS_PODS: Rule = {
  id: 'GPU323',
  title: 'A DCGM query by pod, namespace or container needs an exporter that maps GPUs to pods',
  severity: Severity.ERROR,
  kinds: ['PrometheusRule', 'ScaledObject', 'ScaledJob', 'DaemonSet'],
  remediation: 'Set DCGM_EXPORTER_KUBERNETES=true on the exporter and mount the host path /var/lib/kubelet/pod-resources '
    + 'read-only at the same path (DcgmMonitoring and the GPU Operator do both).',
  description: 'dcgm-exporter labels a GPU\'s series with the `pod`, `namespace` and `container` using it only when its '
    + 'Kubernetes mapping is on (`-k` / `DCGM_EXPORTER_KUBERNETES`, default false) and it can reach the kubelet\'s '
    + 'pod-resources socket; without the socket it logs "No Kubelet socket, ignoring" and exports the series without '
    + 'them (dcgm-exporter `PodMapper.Process`, `pkg/cli` flags). Prometheus then gives the series the scrape target\'s '
    + 'own `pod` and `namespace`, the exporter\'s, so a KEDA trigger filtering on a workload\'s pods gets no data and '
    + 'an alert by pod never fires or names the exporter. Judged for exporter workloads in the manifests (the GPU '
    + 'Operator\'s maps pods), when a query reads a DCGM field and filters or groups by those labels.',
  *check(ctx) {
    const unmapped: Array<{ describe: string; why: string }> = [];
    for (const e of exportersOf(ctx)) {
      const why = e.container ? podMappingMissing(e.container) : undefined;
      if (why) unmapped.push({ describe: e.describe, why });
    }
    if (unmapped.length === 0) return;
    for (const q of [...ruleQueries(ctx), ...triggerQueries(ctx)]) {
      const fields = _dcgmFieldsOf(q.query);
      const labels = fields.length > 0 ? podLabelsRead(q.query) : [];
      if (labels.length === 0) continue;
      yield ctx.finding(q.object, q.fieldPath,
        `reads ${fields.join(', ')} by ${labels.join(', ')}, but ${unmapped.map((u) => `${u.describe} (${u.why})`).join(' and ')} `
        + 'does not map GPUs to pods: its series carry only the exporter\'s own pod and namespace, so the '
        + `${q.alert ? 'alert never fires for a workload' : q.object.kind === 'PrometheusRule' ? 'rule has no data per workload' : 'trigger gets no data'}`);
    }
  },
};

/** The metrics rules, sorted by id. */
export const METRICS_TRUTH_RULES: Rule[] = [
  DCGM_SCRAPED_ONCE,
  PROMETHEUS_RULE_PARSES,
  KEDA_QUERY_PARSES,
  DCGM_FIELD_COLLECTED,
  ONE_DCGM_EXPORTER_PER_NODE,
  SERVER_TRIGGER_TARGET_SCRAPED,
  XID_GAUGE_ALERT,
  TRIGGER_READS_ITS_SERVER,
  MONITOR_SCRAPES_SERVER_METRICS,
  DCGM_EXPORTER_TOLERATES_POOLS,
  DCGM_MAPS_PODS,
];
