/**
 * The PromQL parse cache by shape (src/monitoring/promql-parse.ts): queries that differ only inside string literals
 * share one parse. The cached answer must be exactly the grammar's answer for the query itself — error (with its
 * place) or not, and the metric names read — for any literal content: quotes, escapes, `#`, newlines, backticks.
 */
import * as fc from 'fast-check';
import { _parsePromQL, _parsePromQLUncached, _promqlSelection, _promqlShape } from '../../src/monitoring/promql-parse';
import { params } from '../property/arbitraries';

describe('PromQL shape', () => {
  test('empties each closed literal, keeps comments and the rest', () => {
    expect(_promqlShape('sum(rate(x{pod=~"vllm-.*", ns=\'a\'}[5m])) # "not a literal\n+ y{a=`b"c`}'))
      .toBe('sum(rate(x{pod=~"", ns=\'\'}[5m])) # "not a literal\n+ y{a=``}');
    expect(_promqlShape('x{a="\\"#"}')).toBe('x{a=""}');
    expect(_promqlShape('x{a="open}')).toBeUndefined();
    expect(_promqlShape('x{a=`open}')).toBeUndefined();
    expect(_promqlShape('x{a="line\nbreak"}')).toBeUndefined(); // a raw newline ends an unclosed literal
  });

  test('a query and its shape-cached parse agree with the grammar, whatever the literals hold', () => {
    const content = fc.array(fc.constantFrom('a', '-', '.*', '"', '\'', '`', '\\', '\\"', '#', '\n', '}', ')', ' ', '__name__'), { maxLength: 8 })
      .map((xs) => xs.join(''));
    const quote = fc.constantFrom('"', '\'', '`');
    const literal = fc.tuple(quote, content).map(([q, c]) => `${q}${c}${q}`);
    const templates = [
      (a: string, b: string) => `sum(DCGM_FI_DEV_GPU_UTIL{namespace=${a}, pod=~${b}}) / 100`,
      (a: string, b: string) => `avg(vllm:num_requests_waiting{model_name=${a}}) # ${b}\n`,
      (a: string, b: string) => `label_replace(up, "x", ${a}, "y", ${b})`,
      (a: string, b: string) => `{${a}=${b}}`,
      (a: string, b: string) => `count(x{a=${a}} offset 5m) > ${b}`,
    ];
    fc.assert(fc.property(fc.integer({ min: 0, max: templates.length - 1 }), literal, literal, literal, literal, (t, a, b, c, d) => {
      // Two queries of one shape: the second is answered from the first's parse when the shape parses cleanly.
      for (const q of [templates[t](a, b), templates[t](c, d)]) {
        expect(_parsePromQL(q)).toEqual(_parsePromQLUncached(q));
      }
    }), params(400));
  });

  test('queries of one template share the parse (the cache is used)', () => {
    const a = _parsePromQL('sum(DCGM_FI_DEV_GPU_UTIL{namespace="team-a", pod=~"m-1-.*"})');
    const b = _parsePromQL('sum(DCGM_FI_DEV_GPU_UTIL{namespace="team-b", pod=~"m-2-.*"})');
    expect(b).toBe(a);
    expect(b.metrics).toEqual(['DCGM_FI_DEV_GPU_UTIL']);
    // A __name__ matcher reads its metric from the literal: never shared.
    expect(_parsePromQL('{__name__="a"}').metrics).toEqual(['a']);
    expect(_parsePromQL('{__name__="b"}').metrics).toEqual(['b']);
  });
});

describe('PromQL selection', () => {
  test('matchers per selector, functions, and the labels aggregations group by (not without, on or ignoring)', () => {
    const s = _promqlSelection('avg by (namespace, pod) (rate(x{pod!=""}[5m])) / on(gpu) group_left sum without (container) (y)');
    expect(s?.selectors).toEqual([[{ label: 'pod', op: '!=', value: '' }], []]);
    expect(s?.functions).toEqual(['rate']);
    expect(s?.groupedBy).toEqual(['namespace', 'pod']);
    expect(_promqlSelection('sum(x) by (Hostname)')?.groupedBy).toEqual(['Hostname']);
    expect(_promqlSelection('x{a="by (pod)"}')?.groupedBy).toEqual([]);
  });
});
