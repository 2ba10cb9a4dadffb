/**
 * PromQL checked with Prometheus's own grammar: `@prometheus-io/lezer-promql`, the Lezer parser the Prometheus web UI
 * (codemirror-promql) is built on, published from prometheus/prometheus `web/ui/module/lezer-promql`. A query it
 * cannot parse is one Prometheus rejects (a PrometheusRule group fails to load as a whole; a KEDA prometheus trigger
 * errors on every poll). Syntax only: types (e.g. `rate()` of an instant vector) are Prometheus's to judge.
 *
 * Internal helpers, shared by the constructs (DcgmMonitoring, KedaGpuScaler check their queries when built) and the
 * linter rules (GPU314, GPU315, GPU316, GPU318, GPU319).
 */
import { GpuConfigError } from '../errors';
import { lazy } from '../private/lazy';

/** The part of a Lezer syntax tree this file walks (`@lezer/common` Tree / SyntaxNodeRef). */
interface LezerNode {
  readonly from: number;
  readonly to: number;
  readonly name: string;
  readonly type: { readonly isError: boolean };
  readonly node: { readonly parent: { readonly name: string } | null };
}
interface LezerParser {
  parse(input: string): { iterate(spec: { enter(node: LezerNode): false | void }): void };
}
// The package is an ES module with a CommonJS build (`exports.require`); its types are ESM-only, so it is required
// here with the small interface above, on the first query (its parse tables take a while to load, and most `lint`
// runs have no query).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parser = lazy(() => (require('@prometheus-io/lezer-promql') as { parser: LezerParser }).parser);

/** Where a query stops parsing. @internal */
export interface _PromQLSyntaxError {
  /** 0-based character offset. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** `syntax error at line 1, column 5 (near "…")`. */
  readonly message: string;
}

/** What the parser read from a query. @internal */
export interface _PromQLParse {
  /** The first syntax error, when the query does not parse. */
  readonly error?: _PromQLSyntaxError;
  /** Metric names read by vector selectors (`foo{…}`, and `{__name__="foo"}`), in order of appearance, unique. */
  readonly metrics: string[];
}

const cache = new Map<string, _PromQLParse>();

/**
 * Parses `query` (memoised: rules and constructs ask about the same strings, and queries that differ only inside their
 * string literals — the same template for another namespace or pod — share one parse of their shape). @internal
 */
export function _parsePromQL(query: string): _PromQLParse {
  const hit = cache.get(query);
  if (hit) return hit;
  let result: _PromQLParse | undefined;
  // A string literal's content never changes how the query parses (the grammar's StringLiteral token ends at the same
  // closing quote whatever is inside), so when the shape parses cleanly, so does the query, and it reads the same metric
  // names — except a `__name__` matcher, whose metric name is the literal's content (such queries are parsed as they are).
  const shape = query.includes('__name__') ? undefined : _promqlShape(query);
  if (shape !== undefined && shape !== query) {
    const parsed = _parsePromQL(shape);
    if (parsed.error === undefined) result = parsed;
  }
  // With an error, the query itself is parsed for the error's exact place (offsets differ in the shape).
  result = result ?? _parsePromQLUncached(query);
  if (cache.size > 10_000) cache.clear();
  cache.set(query, result);
  return result;
}

/**
 * `query` with the content of each string literal removed (`{pod=~"vllm-.*"}` → `{pod=~""}`), as the grammar's
 * tokens read it (lezer-promql `promql.grammar`: `StringLiteral` is `"…"`, `'…'` with backslash escapes of any
 * character and no raw newline, or a raw `` `…` ``; `LineComment` is `#` to the end of the line, outside literals).
 * Undefined when a literal is not closed (the grammar then reads it to the end of the line: left to the full parse).
 * @internal
 */
export function _promqlShape(query: string): string | undefined {
  let out = '';
  let from = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '#') {
      const nl = query.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
    } else if (c === '"' || c === '\'') {
      let j = i + 1;
      while (j < query.length && query[j] !== c && query[j] !== '\n') j += query[j] === '\\' ? 2 : 1;
      if (j >= query.length || query[j] !== c) return undefined;
      out += query.slice(from, i + 1);
      from = j;
      i = j;
    } else if (c === '`') {
      const j = query.indexOf('`', i + 1);
      if (j < 0) return undefined;
      out += query.slice(from, i + 1);
      from = j;
      i = j;
    }
  }
  return out + query.slice(from);
}

/** Parses `query` with the grammar, no cache (exported for the shape cache's test). @internal */
export function _parsePromQLUncached(query: string): _PromQLParse {
  const metrics: string[] = [];
  if (query.trim() === '') {
    return { metrics, error: { offset: 0, line: 1, column: 1, message: 'is empty' } };
  }
  let errorAt: number | undefined;
  const tree = parser().parse(query);
  tree.iterate({
    enter(n) {
      if (n.type.isError) {
        if (errorAt === undefined || n.from < errorAt) errorAt = n.from;
        return;
      }
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') {
        metrics.push(query.slice(n.from, n.to));
      } else if (n.name === 'UnquotedLabelMatcher' || n.name === 'QuotedLabelMatcher') {
        // {__name__="foo"}: the metric name as a label matcher (equality only).
        const m = /^\s*"?__name__"?\s*=\s*"([^"\\]+)"\s*$/.exec(query.slice(n.from, n.to));
        if (m) metrics.push(m[1]);
      }
    },
  });
  const unique = [...new Set(metrics)];
  if (errorAt === undefined) return { metrics: unique };
  const before = query.slice(0, errorAt);
  const line = before.split('\n').length;
  const column = errorAt - (before.lastIndexOf('\n') + 1) + 1;
  const near = query.slice(errorAt, errorAt + 20);
  const message = `does not parse as PromQL: syntax error at line ${line}, column ${column} `
    + (near.trim() === '' ? '(unexpected end of query)' : `(near ${JSON.stringify(near)})`);
  return { metrics: unique, error: { offset: errorAt, line, column, message } };
}

/** A label matcher of a vector selector (`pod=~"vllm-.*"`). @internal */
export interface _PromQLMatcher {
  /** The label name. */
  readonly label: string;
  /** `=`, `!=`, `=~` or `!~`. */
  readonly op: string;
  /** The string literal's content, unquoted. */
  readonly value: string;
}

/** What a query selects, selector by selector. @internal */
export interface _PromQLSelection {
  /** The label matchers of each vector selector, in order (a metric name written before the braces is not one). */
  readonly selectors: ReadonlyArray<ReadonlyArray<_PromQLMatcher>>;
  /** The metric name written before the braces of each vector selector, in the same order (undefined when none). */
  readonly names: ReadonlyArray<string | undefined>;
  /** The functions it calls (`rate`, `vector`, `absent`, …), unique. */
  readonly functions: readonly string[];
  /** The labels its aggregations group by (`by (namespace, pod)`; not `without`, `on` or `ignoring`), unique. */
  readonly groupedBy: readonly string[];
}

const selectionCache = new Map<string, _PromQLSelection | undefined>();

/**
 * The label matchers and function calls of `query`, read from Prometheus's grammar; undefined when it does not parse.
 * Memoised (rules ask about the same few trigger queries). @internal
 */
export function _promqlSelection(query: string): _PromQLSelection | undefined {
  if (selectionCache.has(query)) return selectionCache.get(query);
  let result: _PromQLSelection | undefined;
  if (query.trim() !== '') {
    const selectors: _PromQLMatcher[][] = [];
    const names: Array<string | undefined> = [];
    const functions = new Set<string>();
    const groupedBy = new Set<string>();
    // Whether the grouping labels being read follow `by` (AggregateModifier: By or Without, then GroupingLabels).
    let inBy = false;
    let failed = false;
    let label: string | undefined;
    let op: string | undefined;
    const onMatcherValue = (value: string) => {
      if (label !== undefined && op !== undefined && selectors.length > 0) selectors[selectors.length - 1].push({ label, op, value });
    };
    parser().parse(query).iterate({
      enter(n) {
        if (n.type.isError) failed = true;
        const text = () => query.slice(n.from, n.to);
        const parent = n.node.parent?.name;
        if (n.name === 'VectorSelector') {
          selectors.push([]);
          names.push(undefined);
        } else if (n.name === 'Identifier' && parent === 'VectorSelector') {
          if (names.length > 0) names[names.length - 1] = text();
        } else if (n.name === 'FunctionIdentifier') {
          functions.add(text());
        } else if (n.name === 'By' || n.name === 'Without' || n.name === 'On' || n.name === 'Ignoring') {
          inBy = n.name === 'By';
        } else if (n.name === 'LabelName' && parent === 'GroupingLabels') {
          if (inBy) groupedBy.add(text());
        } else if (n.name === 'UnquotedLabelMatcher' || n.name === 'QuotedLabelMatcher') {
          label = op = undefined;
        } else if (n.name === 'LabelName' && parent === 'UnquotedLabelMatcher') {
          label = text();
        } else if (n.name === 'StringLiteral' && parent === 'QuotedLabelName') {
          label = unquote(text());
        } else if (n.name === 'MatchOp') {
          op = text();
        } else if (n.name === 'StringLiteral' && (parent === 'UnquotedLabelMatcher' || parent === 'QuotedLabelMatcher')) {
          onMatcherValue(unquote(text()));
        }
      },
    });
    result = failed ? undefined : { selectors, names, functions: [...functions], groupedBy: [...groupedBy] };
  }
  if (selectionCache.size > 1_000) selectionCache.clear();
  selectionCache.set(query, result);
  return result;
}

/** A PromQL string literal's content: raw between backticks; else with its backslash escapes read. */
function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
  return body.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

/** The metric names a query reads (empty for an unparsable query's unread tail). @internal */
export function _promqlMetrics(query: string): string[] {
  return _parsePromQL(query).metrics;
}

/** The DCGM fields (`DCGM_FI_*`, `DCGM_EXP_*`) a query reads. @internal */
export function _dcgmFieldsOf(query: string): string[] {
  return _promqlMetrics(query).filter((m) => /^DCGM_(FI|EXP)_[A-Z0-9_]+$/.test(m));
}

/**
 * Throws GpuConfigError when `query` does not parse (construct-time check of generated and user-supplied PromQL).
 * @internal
 */
export function _checkPromQL(where: any, property: string, query: string): void {
  const e = _parsePromQL(query).error;
  if (e) {
    throw new GpuConfigError(where, property, `${e.message}: ${JSON.stringify(query)}`,
      'fix the query (Prometheus would reject it: a rule group fails to load, a KEDA trigger errors on every poll)');
  }
}
