import { DEFAULT_NODE_CLASS, GPU_TOLERATION, lint, nodePool, of, parseYaml, workload } from './helpers';
import { GpuConfigError } from '../../src/errors';
import {
  Finding, ManifestIndex, Rule, RuleRegistry, Severity, SUPPRESS_ANNOTATION, validateManifests,
} from '../../src/validation';

const ids = (fs: Finding[]) => fs.map((f) => `${f.object.name}:${f.ruleId}`);

describe('validateManifests', () => {
  test('findings are ordered by input position, then rule id, and are deterministic', () => {
    const objects = [
      workload({ name: 'b-squatter', tolerations: [GPU_TOLERATION] }), // GPU004
      nodePool({ name: 'gpu', limits: {} }), // GPU005
      workload({ name: 'a-gpu', limits: { 'nvidia.com/gpu': 2 }, requests: { 'nvidia.com/gpu': 1 } }), // GPU001, GPU002
      nodePool({ name: 'open', taints: [] }), // GPU003
      DEFAULT_NODE_CLASS,
    ];
    const first = lint(objects);
    expect(ids(first)).toEqual(['b-squatter:GPU004', 'gpu:GPU005', 'a-gpu:GPU001', 'open:GPU003']);
    expect(lint(objects)).toEqual(first);
  });

  test('source is carried into findings', () => {
    const [m] = parseYaml('---\n# c\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, resources: {limits: {nvidia.com/gpu: 1}}}]\n', 'pod.yaml');
    const [f] = validateManifests([m]);
    expect(f.source).toEqual({ file: 'pod.yaml', line: 3 });
    expect(f.object).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'p' });
  });

  test('ignores empty and non-object documents; the same object twice is judged once', () => {
    const w = workload({ limits: { 'nvidia.com/gpu': 1 } });
    expect(validateManifests([{ object: null }, { object: 'x' }, { object: w }, { object: w }])).toHaveLength(1);
    expect(validateManifests([])).toEqual([]);
  });

  test('a manifest that is an array keeps its input position and source: its GPU009 finding sits between its neighbours\'', () => {
    const unnamed = (line: number) => ({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, source: { file: 'in.yaml', line } });
    const findings = validateManifests([unnamed(1), { object: ['not', 'an', 'object'], source: { file: 'in.yaml', line: 5 } }, unnamed(9)]);
    expect(findings.map((f) => `${f.ruleId}@${f.source?.line}`)).toEqual(['GPU009@1', 'GPU009@5', 'GPU009@9']);
    expect(findings[1].message).toMatch(/must be an object/);
  });

  test('disabledRules switches rules off globally; an unknown id throws', () => {
    const w = workload({ limits: { 'nvidia.com/gpu': 1 } });
    expect(lint([w], { disabledRules: ['GPU002'] })).toEqual([]);
    expect(() => lint([w], { disabledRules: ['GPU02'] })).toThrow(GpuConfigError);
    expect(() => lint([w], { disabledRules: ['GPU02'] })).toThrow(/disabledRules names unknown rule "GPU02"/);
  });

  test('custom rules (array or registry); GPU000 still runs', () => {
    const custom: Rule = {
      id: 'GPU900',
      title: 'every Pod is reported',
      severity: Severity.WARNING,
      kinds: ['Pod'],
      remediation: 'none',
      *check(ctx) { for (const p of ctx.byKind('Pod')) yield ctx.finding(p, 'metadata', 'a pod'); },
    };
    const pod = workload({ kind: 'Pod', annotations: { [SUPPRESS_ANNOTATION]: 'GPU900' } });
    expect(lint([pod], { rules: [custom] }).map((f) => f.ruleId)).toEqual(['GPU000', 'GPU900']);
    expect(lint([pod], { rules: RuleRegistry.of([custom]) }).map((f) => f.ruleId)).toEqual(['GPU000', 'GPU900']);
  });

  test('a rule may return an array: each finding keeps its object (also out of order), and one that throws is GPU010', () => {
    const pods = ['a', 'b', 'c'].map((name) => workload({ kind: 'Pod', name, ...(name === 'b' ? { annotations: { [`${SUPPRESS_ANNOTATION}.GPU903`]: 'tested elsewhere' } } : {}) }));
    const reversed: Rule = {
      id: 'GPU903',
      title: 'array, built in one order and returned in another',
      severity: Severity.WARNING,
      kinds: ['Pod'],
      remediation: 'none',
      check: (ctx) => ctx.byKind('Pod').map((p) => ctx.finding(p, 'metadata', `saw ${p.metadata.name}`)).reverse(),
    };
    // b's suppression drops b's finding only: each finding is matched to the object it was built for.
    expect(lint(pods, { rules: [reversed] }).filter((f) => f.ruleId === 'GPU903').map((f) => `${f.object.name}:${f.message}`))
      .toEqual(['a:saw a', 'c:saw c']);
    const throwing: Rule = {
      ...reversed,
      id: 'GPU904',
      check: (ctx) => ctx.byKind('Pod').map((p) => {
        if (p.metadata.name === 'b') throw new TypeError('boom');
        return ctx.finding(p, 'metadata', 'seen');
      }),
    };
    const plain = ['a', 'b', 'c'].map((name) => workload({ kind: 'Pod', name }));
    expect(lint(plain, { rules: [throwing] }).map((f) => `${f.object.name}:${f.ruleId}`)).toEqual(['a:GPU904', 'b:GPU010', 'c:GPU904']);
  });

  test('a rule failing on one object is a GPU010 finding naming the rule and the object; its neighbours are still judged', () => {
    const bad: Rule = {
      id: 'GPU901',
      title: 'crashes on odd pods',
      severity: Severity.WARNING,
      kinds: ['Pod'],
      remediation: 'none',
      *check(ctx) {
        for (const p of ctx.byKind('Pod')) {
          if (p.metadata.name === 'odd') throw new TypeError('boom');
          yield ctx.finding(p, 'metadata', 'seen');
        }
      },
    };
    const pods = ['a', 'odd', 'b'].map((name) => workload({ kind: 'Pod', name }));
    const findings = lint(pods, { rules: [bad] });
    expect(findings.map((f) => `${f.object.name}:${f.ruleId}`)).toEqual(['a:GPU901', 'odd:GPU010', 'b:GPU901']);
    expect(of(findings, 'GPU010')[0].message).toBe('rule GPU901 (crashes on odd pods) failed on this object: boom; GPU901 did not judge it');
    // A rule that fails only on the whole set is reported once, on its first object, and the rest of its run dropped.
    const always: Rule = { ...bad, id: 'GPU902', *check(ctx) { if (ctx.objects.length > 1) throw new Error('pairs'); } };
    expect(lint(pods, { rules: [always] }).map((f) => `${f.object.name}:${f.ruleId}:${f.message}`))
      .toEqual(['a:GPU010:rule GPU902 (crashes on odd pods) failed on this object: pairs (on the whole set, no single object); GPU902 did not judge it']);
  });
});

describe('suppression annotation', () => {
  const squatter = (annotations?: Record<string, string>, podAnnotations?: Record<string, string>) =>
    workload({ tolerations: [GPU_TOLERATION], annotations, podAnnotations });

  test('an entry with a reason suppresses that rule on that object only', () => {
    const suppressed = squatter({ [SUPPRESS_ANNOTATION]: 'GPU004=pre-pulls images, reviewed' });
    const other = workload({ name: 'other', tolerations: [GPU_TOLERATION] });
    expect(ids(lint([suppressed, other]))).toEqual(['other:GPU004']);
  });

  test('the pod template annotation works too', () => {
    expect(lint([squatter(undefined, { [SUPPRESS_ANNOTATION]: 'GPU004=warm spare' })])).toEqual([]);
  });

  test('several entries, reasons with commas', () => {
    const pool = nodePool({ taints: [], limits: {} });
    pool.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'GPU003=shared pool, CPU pods welcome, GPU005 = bounded by quota' };
    expect(lint([pool, DEFAULT_NODE_CLASS])).toEqual([]);
  });

  test.each([
    ['no reason', 'GPU004', /gives no reason, so GPU004 is not suppressed/],
    ['empty reason', 'GPU004=  ', /gives no reason/],
    ['unknown rule', 'GPU999=because', /names unknown rule GPU999/],
    ['not an id', 'squat=ok', /does not start with a rule id/],
    ['empty', '', /is empty/],
    ['GPU000 itself', 'GPU000=nope', /cannot be suppressed/],
  ])('%s: suppresses nothing and is an error (GPU000)', (_, value, msg) => {
    const fs = lint([squatter({ [SUPPRESS_ANNOTATION]: value })]);
    const [meta] = of(fs, 'GPU000');
    expect(meta.severity).toBe(Severity.ERROR);
    expect(meta.fieldPath).toBe(`metadata.annotations["${SUPPRESS_ANNOTATION}"]`);
    expect(meta.message).toMatch(msg);
    expect(of(fs, 'GPU004')).toHaveLength(1);
  });

  test('a missing reason for one entry does not stop the valid one', () => {
    const fs = lint([squatter({ [SUPPRESS_ANNOTATION]: 'GPU001,GPU004=ok' })]);
    expect(fs.map((f) => f.ruleId)).toEqual(['GPU000']);
  });

  describe('one annotation per rule (cdk8s-gpu.io/suppress.GPU004: <reason>)', () => {
    const perRule = (id: string) => `${SUPPRESS_ANNOTATION}.${id}`;

    test('suppresses that rule, with any reason: commas, "=", other rule ids', () => {
      const reason = 'warm spare, see GPU003, GPU005=quota; reviewed';
      const suppressed = squatter({ [perRule('GPU004')]: reason });
      const other = workload({ name: 'other', tolerations: [GPU_TOLERATION] });
      expect(ids(lint([suppressed, other]))).toEqual(['other:GPU004']);
    });

    test('on the pod template, and beside the comma-separated form', () => {
      expect(lint([squatter(undefined, { [perRule('GPU004')]: 'warm spare, reviewed' })])).toEqual([]);
      const pool = nodePool({ taints: [], limits: {} });
      pool.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'GPU003=shared pool', [perRule('GPU005')]: 'bounded by quota, per team' };
      expect(lint([pool, DEFAULT_NODE_CLASS])).toEqual([]);
    });

    test('suppresses only the rule it names', () => {
      const pool = nodePool({ taints: [], limits: {} });
      pool.metadata.annotations = { [perRule('GPU003')]: 'shared pool, CPU pods welcome' };
      expect(lint([pool, DEFAULT_NODE_CLASS]).map((f) => f.ruleId)).toEqual(['GPU005']);
    });

    test.each([
      ['no reason', 'GPU004', '', /suppress.GPU004 gives no reason, so GPU004 is not suppressed/],
      ['blank reason', 'GPU004', '   ', /gives no reason/],
      ['unknown rule', 'GPU999', 'because, really', /suppress.GPU999 names unknown rule GPU999/],
      ['not an id', 'gpu004', 'ok', /names "gpu004", not a rule id/],
      ['empty id', '', 'ok', /names "", not a rule id/],
      ['GPU000 itself', 'GPU000', 'nope', /cannot be suppressed/],
    ])('%s: suppresses nothing and is an error (GPU000) at that annotation', (_, id, value, msg) => {
      const fs = lint([squatter({ [perRule(id)]: value })]);
      const [meta, ...rest] = of(fs, 'GPU000');
      expect(rest).toEqual([]);
      expect(meta.severity).toBe(Severity.ERROR);
      expect(meta.fieldPath).toBe(`metadata.annotations["${perRule(id)}"]`);
      expect(meta.message).toMatch(msg);
      expect(of(fs, 'GPU004')).toHaveLength(1);
    });

    test('a non-string value is an error, not a crash', () => {
      const [meta] = of(lint([squatter({ [perRule('GPU004')]: 7 as any })]), 'GPU000');
      expect(meta.message).toMatch(/is 7, not a reason string/);
    });

    test('keys that merely start like it (another annotation) are ignored', () => {
      expect(of(lint([squatter({ 'cdk8s-gpu.io/suppressed': 'x' })]), 'GPU000')).toEqual([]);
    });
  });

  test('a malformed NodePool sharing annotation is reported, not thrown', () => {
    const pool = nodePool();
    pool.metadata.annotations = { 'cdk8s-gpu.io/advertised-resources-per-gpu': '{not json' };
    const [f] = of(lint([pool]), 'GPU000');
    expect(f.message).toMatch(/is not JSON; the NodePool is left out/);
  });
});

describe('ManifestIndex (what rules see)', () => {
  const a = workload({ name: 'a', namespace: 'ns1', labels: { app: 'x', tier: 'web' } });
  const b = workload({ name: 'b', namespace: 'ns2', labels: { app: 'x' } });
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns1', labels: { team: 'ml' } } };
  const pool = nodePool();
  const index = new ManifestIndex([a, b, svc, pool].map((object) => ({ object })));

  test('byKind (with API group), get, byLabel', () => {
    expect(index.byKind('Deployment')).toEqual([a, b]);
    expect(index.byKind('Deployment', 'apps')).toEqual([a, b]);
    expect(index.byKind('Deployment', 'extensions')).toEqual([]);
    expect(index.byKind('Service', '')).toEqual([svc]);
    expect(index.get('Deployment', 'ns2', 'b')).toBe(b);
    expect(index.get('NodePool', undefined, 'gpu')).toBe(pool);
    expect(index.get('Deployment', 'ns1', 'b')).toBeUndefined();
    expect(index.byLabel('team')).toEqual([svc]);
    expect(index.byLabel('team', 'ml')).toEqual([svc]);
    expect(index.byLabel('team', 'web')).toEqual([]);
  });

  test('byLabel: values read as strings, keys holding "=", inherited and non-object labels ignored', () => {
    const n = { kind: 'ConfigMap', metadata: { name: 'n', labels: { gpus: 8, flag: true } } };
    const eq = { kind: 'ConfigMap', metadata: { name: 'eq', labels: { 'a=b': 'c', 'a': 'b=c' } } };
    const inherits = { kind: 'ConfigMap', metadata: { name: 'i', labels: Object.create({ team: 'ml' }) } };
    const odd = { kind: 'ConfigMap', metadata: { name: 'o', labels: 'team=ml' } };
    const i = new ManifestIndex([n, eq, inherits, odd].map((object) => ({ object })));
    expect(i.byLabel('gpus', '8')).toEqual([n]);
    expect(i.byLabel('flag', 'true')).toEqual([n]);
    expect(i.byLabel('gpus')).toEqual([n]);
    // 'a=b' is both the key a=b and the pair a=b=c's prefix: each matching entry counts once.
    expect(i.byLabel('a=b')).toEqual([eq]);
    expect(i.byLabel('a', 'b=c')).toEqual([eq, eq]);
    expect(i.byLabel('a=b', 'c')).toEqual([eq, eq]);
    expect(i.byLabel('team')).toEqual([]);
    expect(i.byLabel('team', 'ml')).toEqual([]);
  });

  test('workloads, workloadsMatching, nodePools (cached)', () => {
    expect(index.workloads().map((w) => w.object)).toEqual([a, b]);
    expect(index.workloadsMatching('ns1', { app: 'x' }).map((w) => w.object)).toEqual([a]);
    expect(index.workloadsMatching(undefined, { app: 'x' }).map((w) => w.object)).toEqual([a, b]);
    expect(index.workloadsMatching(undefined, { app: 'x', tier: 'web' }).map((w) => w.object)).toEqual([a]);
    expect(index.workloadsMatching(undefined, {})).toEqual([]);
    expect(index.nodePools().map((p) => p.name)).toEqual(['gpu']);
    expect(index.nodePools()).toBe(index.nodePools());
  });

  test('pool models are computed once per run, not once per rule', () => {
    const sched = jest.requireActual('../../src/scheduling/nodepool');
    const spy = jest.spyOn(sched, 'poolModelOf');
    try {
      lint([nodePool({ name: 'p1' }), nodePool({ name: 'p2' }), workload({ limits: { 'nvidia.com/gpu': 1 } })]);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});
