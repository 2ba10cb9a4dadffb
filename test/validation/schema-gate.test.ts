/**
 * The schema gate (GPU009) and rule-failure isolation (GPU010): what the engine, the planner and GpuValidation do with
 * objects the API server would refuse, and with shapes no rule expects.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, ApiObject } from 'cdk8s';
import { loadYaml, of } from './helpers';
import { parseManifests } from '../../src/cli/yaml-input';
import { planGpuWorkloads, PLAIN_STYLE, renderPlanHtml, renderPlanJson, renderPlanText } from '../../src/plan';
import { CORE_KUBERNETES_VERSION, PACKAGED_CRDS_DIR, SchemaValidator } from '../../src/schema/validator';
import { GpuValidation, SourcedManifest, SUPPRESS_ANNOTATION, validateManifests } from '../../src/validation';
import { _runValidation } from '../../src/validation/engine';
import { allowInvalidSynth } from '../validate-synth';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'rules', 'GPU009');

const pool = (over: { tspec?: any; spec?: any } = {}) => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'gpu' },
  spec: {
    template: {
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge', 'g5.12xlarge'] }],
        taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
        ...over.tspec,
      },
    },
    limits: { 'nvidia.com/gpu': 8 },
    ...over.spec,
  },
});
const nodeClass = () => ({
  apiVersion: 'karpenter.k8s.aws/v1',
  kind: 'EC2NodeClass',
  metadata: { name: 'default' },
  spec: {
    amiSelectorTerms: [{ alias: 'al2023@latest' }],
    subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'demo' } }],
    securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'demo' } }],
    role: 'KarpenterNodeRole-demo',
  },
});
const deployment = (name: string, podSpec: any = {}, spec: any = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: 'c', image: 'vllm/vllm-openai:v0.6.0', resources: { limits: { 'nvidia.com/gpu': 1 } } }],
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        ...podSpec,
      },
    },
    ...spec,
  },
});
const sourced = (objects: any[]): SourcedManifest[] => objects.map((object, i) => ({ object, source: { file: 'in.yaml', line: 1 + 10 * i } }));
const nodeAffinity = (matchExpressions: unknown) => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } },
});
const quota = (hard: string) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard: JSON.parse(hard) } });

describe('GPU009: the schema gate', () => {
  test('the WhenUnderutilized NodePool without consolidateAfter and a misspelt `resource:` are errors with file, line and field path', () => {
    // Read as `lint` reads it: each violation carries its field's line; a missing field keeps the object's line.
    const file = path.join(FIXTURE, 'fail.yaml');
    const findings = validateManifests(parseManifests(fs.readFileSync(file, 'utf8'), file).manifests);
    const gpu009 = of(findings, 'GPU009').map((f) => `${f.object.kind}@${f.source?.objectLine ?? '-'}:${f.source?.line} ${f.fieldPath}: ${f.message}`);
    expect(gpu009).toEqual(expect.arrayContaining([
      expect.stringMatching(/^NodePool@6:18 spec\.disruption\.consolidationPolicy: Unsupported value: "WhenUnderutilized": supported values: "WhenEmpty", "WhenEmptyOrUnderutilized"/),
      'NodePool@-:6 spec.disruption.consolidateAfter: Required value',
      'Deployment@22:34 spec.template.spec.containers[0].resource: unknown field "resource"',
    ]));
    expect(findings.every((f) => f.source?.file === file)).toBe(true);
    // Without source positions (objects not read by the CLI reader) every finding keeps the object's line.
    expect(of(validateManifests(loadYaml(file)), 'GPU009').map((f) => `${f.object.kind}@${f.source?.line}`).sort())
      .toEqual(['Deployment@22', 'NodePool@6', 'NodePool@6']);
    // consolidateAfter is still missing once the policy is right (karpenter.sh/v1 requires it).
    const fixed = loadYaml(path.join(FIXTURE, 'fail.yaml'));
    fixed[0].object.spec.disruption.consolidationPolicy = 'WhenEmptyOrUnderutilized';
    expect(of(validateManifests([fixed[0]]), 'GPU009').map((f) => `${f.fieldPath}: ${f.message}`)).toEqual(['spec.disruption.consolidateAfter: Required value']);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
    // No other rule judges the invalid objects (the Deployment's GPU limit is gone: GPU002/GPU006 would be noise).
    expect(findings.filter((f) => f.ruleId !== 'GPU009')).toEqual([]);
  });

  test('rules judge only objects that passed; a suppressed GPU009 lets them judge it anyway', () => {
    const bad = deployment('bad', { tolerations: [] }, { replicas: '2' }); // GPU002 (no toleration) and a string count
    const base = [pool(), nodeClass(), bad];
    expect(validateManifests(sourced(base)).map((f) => `${f.object.name}:${f.ruleId}`)).toEqual(['bad:GPU009']);
    const suppressed = { ...bad, metadata: { ...bad.metadata, annotations: { [SUPPRESS_ANNOTATION]: 'GPU009=our cluster runs a mutating webhook that fixes it' } } };
    expect(validateManifests(sourced([pool(), nodeClass(), suppressed])).map((f) => `${f.object.name}:${f.ruleId}`)).toEqual(['bad:GPU002']);
  });

  test('off with schemaGate: false, with GPU009 disabled, or with a rule set without GPU009', () => {
    const objs = sourced([pool(), nodeClass(), deployment('bad', { tolerations: [] }, { replicas: '2' })]);
    for (const opts of [{ schemaGate: false }, { disabledRules: ['GPU009'] }]) {
      const r = _runValidation(objs, opts);
      expect(r.info.schemaGate).toBe(false);
      expect(r.findings.map((f) => f.ruleId)).toEqual(['GPU002']);
    }
  });

  test('unknown kinds are counted, not judged; known kinds counted as checked', () => {
    const cm = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { anything: [1] } };
    const r = _runValidation(sourced([pool(), nodeClass(), cm, { ...cm, metadata: { name: 'w2' } }, deployment('ok')]));
    expect(r.info).toEqual({ schemaGate: true, schemaChecked: 3, schemaFailed: 0, unknownKinds: new Map([['example.com/v1/Widget', 2]]) });
  });

  test('core kinds are Kubernetes 1.30, from cdk8s-plus-30; counts are whole and non-negative', () => {
    expect(CORE_KUBERNETES_VERSION).toBe('1.30');
    const v = new SchemaValidator();
    expect(v.schemaSource('apps/v1', 'Deployment')).toMatch(/^cdk8s-plus-30@/);
    for (const [replicas, msg] of [[-3, 'must be >= 0'], [2.5, 'must be of type integer'], ['3', 'must be of type integer'], [Infinity, 'must be of type integer']] as const) {
      expect(v.check(deployment('d', {}, { replicas })).errors).toEqual([expect.stringMatching(new RegExp(`^spec\\.replicas: Invalid value: .*${msg}`))]);
    }
    const so = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 's', namespace: 'default' }, spec: { scaleTargetRef: { name: 'd' }, maxReplicaCount: Infinity, triggers: [{ type: 'cpu', metadata: { value: '50' } }] } };
    expect(v.check(so).errors).toEqual([expect.stringMatching(/^spec\.maxReplicaCount: Invalid value: "Infinity": must be of type integer/)]);
  });

  test('the schemas ship with the package: crds/ is in the npm package and every CRD there is loaded, whatever its group', () => {
    expect(PACKAGED_CRDS_DIR).toBe(path.resolve(__dirname, '..', '..', 'crds'));
    // lib/schema/validator.js sits at the same depth as src/schema/validator.ts, so the packaged lib finds crds/ too.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const files: string[] = packed[0].files.map((f: any) => f.path);
    for (const crd of fs.readdirSync(PACKAGED_CRDS_DIR).filter((f) => f.endsWith('.yaml'))) expect(files).toContain(`crds/${crd}`);
    const v = new SchemaValidator();
    expect(v.knownKinds()).toEqual(expect.arrayContaining(['karpenter.sh/v1/NodePool', 'karpenter.k8s.aws/v1/EC2NodeClass',
      'karpenter.sh/v1alpha1/NodeOverlay', 'keda.sh/v1alpha1/ScaledObject', 'monitoring.coreos.com/v1/ServiceMonitor', 'nvidia.com/v1/ClusterPolicy']));
    // A CRD dropped into a CRD folder (Kueue, as issue 18 will vendor) is picked up with no code change.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-crds-'));
    try {
      fs.writeFileSync(path.join(dir, 'example.com_widgets.yaml'), `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer, minimum: 1}
              x-kubernetes-validations:
                - {rule: "self.size <= 8", message: "size must be at most 8"}
`);
      const w = new SchemaValidator({ crdDirs: [dir], coreKinds: false });
      const widget = (size: unknown) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'a' }, spec: { size } });
      expect(w.check(widget(2))).toEqual({ known: true, errors: [] });
      expect(w.check(widget(9)).errors).toEqual(['spec: Invalid value: "object": size must be at most 8']);
      expect(w.check(widget(0)).errors).toEqual([expect.stringMatching(/^spec\.size: .*must be >= 1/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('at synth: GpuValidation fails on an object the API server would refuse; schemaGate: false keeps the old behaviour', () => {
    allowInvalidSynth('the ConfigMap is invalid on purpose: the gate must refuse it at synth');
    const build = (schemaGate?: boolean) => {
      const app = new App();
      const chart = new Chart(app, 'c');
      new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 1 as any } });
      GpuValidation.addTo(chart, schemaGate === undefined ? {} : { schemaGate });
      return app;
    };
    expect(() => build().synthYaml()).toThrow(/GPU009 v1 ConfigMap settings.*data\.a: Invalid value: 1: must be of type string/);
    expect(() => build(false).synthYaml()).not.toThrow();
  });

  test('the gate remembers passes at synth only (GpuValidation), never for lint or plan (validator.ts CheckOptions)', () => {
    const check = jest.spyOn(SchemaValidator.prototype, 'check');
    try {
      const app = new App();
      const chart = new Chart(app, 'c');
      new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } });
      GpuValidation.addTo(chart);
      app.synthYaml();
      expect(check.mock.calls.length).toBeGreaterThan(0);
      expect(check.mock.calls.every(([, o]) => o?.rememberPasses === true)).toBe(true);
      check.mockClear();
      const objects = [{ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } } }];
      validateManifests(objects);
      _runValidation(objects);
      planGpuWorkloads(objects);
      expect(check.mock.calls.length).toBe(3);
      expect(check.mock.calls.every(([, o]) => !o?.rememberPasses)).toBe(true);
    } finally {
      check.mockRestore();
    }
  });
});

/** Shapes that made rules or the planner fail before (issue 14), each beside a well-formed neighbour. */
const CRASH_TRIGGERS: Record<string, any[]> = {
  'tolerations as a string': [deployment('odd', { tolerations: 'nvidia.com/gpu' })],
  'tolerations as a map': [deployment('odd', { tolerations: { key: 'nvidia.com/gpu' } })],
  'matchExpressions as a map': [deployment('odd', nodeAffinity({ key: 'a', operator: 'In', values: ['b'] }))],
  'matchExpressions [null]': [deployment('odd', nodeAffinity([null]))],
  'values as a string': [deployment('odd', nodeAffinity([{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: 'a10g' }]))],
  'containers as a map': [deployment('odd', { containers: { c: { name: 'c', image: 'i' } } })],
  'Service ports as a map': [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'odd', namespace: 'default' }, spec: { selector: { app: 'ok' }, ports: { http: 80 } } }],
  'ResourceQuota hard constructor/toString/__proto__': [quota('{"constructor": "1", "toString": "2", "__proto__": "3", "requests.nvidia.com/gpu": "4"}')],
  'NodePool limits.constructor': [pool({ spec: { limits: JSON.parse('{"constructor": 4, "__proto__": 5, "nvidia.com/gpu": 8}') } })],
  'requirement key __proto__': [{ ...pool({ tspec: { requirements: [{ key: '__proto__', operator: 'In', values: ['x'] }, { key: 'constructor', operator: 'Exists' }] } }), metadata: { name: 'odd' } }],
  'negative replicas': [deployment('odd', {}, { replicas: -3 })],
  'fractional replicas': [deployment('odd', {}, { replicas: 2.5 })],
  'string replicas': [deployment('odd', {}, { replicas: '3' })],
  'infinite maxReplicaCount': [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'odd', namespace: 'default' }, spec: { scaleTargetRef: { name: 'ok' }, maxReplicaCount: Infinity, minReplicaCount: -2, triggers: [{ type: 'cpu', metadata: { value: '50' } }] } }],
};
const BAD_TEXT = /undefined|NaN|\[object Object\]/;

describe('GPU010 and crash triggers: no input fails a rule or the planner', () => {
  const neighbours = () => [pool(), nodeClass(), deployment('ok')];
  const baseline = validateManifests(sourced(neighbours())).map((f) => `${f.object.name}:${f.ruleId}:${f.fieldPath}`);

  describe.each(Object.entries(CRASH_TRIGGERS))('%s', (_, odd) => {
    test.each([true, false])('schema gate %s: no GPU010, no undefined/NaN/[object Object]; neighbours unchanged (gate on, no pool added)', (schemaGate) => {
      const findings = validateManifests(sourced([...neighbours(), ...odd]), { schemaGate });
      expect(of(findings, 'GPU010')).toEqual([]);
      for (const f of findings) expect(`${f.fieldPath}: ${f.message}`).not.toMatch(BAD_TEXT);
      if (schemaGate && odd[0].kind !== 'NodePool') { // a second pool changes where the neighbours can land
        expect(findings.filter((f) => f.object.name !== 'odd' && f.object.name !== 'q' && f.object.kind !== 'NodePool').map((f) => `${f.object.name}:${f.ruleId}:${f.fieldPath}`))
          .toEqual(baseline.filter((b) => !b.startsWith('gpu:')));
      }
    });

    test.each([true, false])('plan (schema gate %s): every format renders, no negative or non-finite figure', (schemaGate) => {
      const plan = planGpuWorkloads(sourced([...neighbours(), ...odd]), { schemaGate });
      for (const w of plan.workloads) {
        for (const n of [w.replicas?.min, w.replicas?.max]) if (n !== undefined) expect(Number.isInteger(n) && n >= 0).toBe(true);
      }
      for (const p of plan.pools) for (const n of [p.gpus.min, p.gpus.max, p.nodes.min, p.nodes.max]) expect(Number.isFinite(n) && n >= 0).toBe(true);
      const json = renderPlanJson(plan);
      expect(() => JSON.parse(json)).not.toThrow();
      const figures = (s: string) => s.replace(/GPU009 [^\n]*/g, ''); // the gate's own messages quote the bad value
      for (const text of [json, renderPlanText(plan, PLAIN_STYLE), renderPlanHtml(plan)]) expect(figures(text)).not.toMatch(/undefined|NaN|\[object Object\]|Infinity/);
      if (schemaGate && ['negative replicas', 'fractional replicas', 'string replicas', 'infinite maxReplicaCount'].includes(_)) {
        expect(plan.problems.some((p) => p.severity === 'error' && p.message.startsWith('GPU009 '))).toBe(true);
      }
    });
  });
});

describe('GPU009 on a polluted Object.prototype: inherited properties are never read as fields', () => {
  // The generated validators list keys with for…in (ajv-setup.ts); the gate judges a copy without prototypes then.
  const minimal = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
  };
  const wrong = { ...minimal, spec: { ...minimal.spec, replicas: 'three', fnord: 1 } };
  // (One validator, its schemas loaded before the pollution: ajv's own compiler does not survive one.)
  const validator = new SchemaValidator();
  const verdicts = () => [minimal, wrong, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }]
    .map((o) => validator.check(o).errors);
  const gate = () => validateManifests([minimal, wrong].map((object) => ({ object })))
    .filter((f) => f.ruleId === 'GPU009').map((f) => `${f.fieldPath}: ${f.message}`);

  test.each([
    ['an enumerable property', () => { (Object.prototype as any).extra = 1; }, () => { delete (Object.prototype as any).extra; }],
    ['a hidden property named like a field', () => { Object.defineProperty(Object.prototype, 'replicas', { value: 'three', configurable: true }); },
      () => { delete (Object.prototype as any).replicas; }],
  ])('%s: the same verdicts as without it', (_what, pollute, clean) => {
    const clean1 = verdicts();
    const cleanGate = gate();
    expect(clean1[0]).toEqual([]);
    expect(clean1[1].length).toBeGreaterThanOrEqual(2);
    pollute();
    let polluted: string[][];
    let pollutedGate: string[];
    try {
      polluted = verdicts();
      pollutedGate = gate();
    } finally {
      clean();
    }
    expect(polluted).toEqual(clean1);
    expect(pollutedGate).toEqual(cleanGate);
  });
});

describe('GPU009: a field written null is not set, as the API server reads it', () => {
  const validator = new SchemaValidator();
  test('Helm-style nulls (labels: null, args: null, replicas: null) are accepted in core kinds and CRDs', () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ml', labels: null, annotations: null },
      spec: {
        replicas: null,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { nodeSelector: null, containers: [{ name: 'c', image: 'i', args: null, resources: null }] } },
      },
    };
    expect(validator.check(d).errors).toEqual([]);
    const nodePool = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'gpu' },
      spec: {
        limits: null,
        template: { metadata: null, spec: { taints: null, nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'd' }, requirements: [] } },
      },
    };
    expect(validator.check(nodePool).errors).toEqual([]);
  });

  test('a required field written null is missing; an unknown field is unknown whatever its value; a null list item is judged', () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ml' },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i', resource: null }, null] } },
        strategy: null,
      },
    };
    expect(validator.check(d).errors).toEqual([
      'spec.template.spec.containers[0].resource: unknown field "resource"',
      'spec.template.spec.containers[1]: Invalid value: null: must be of type object',
    ]);
    const noContainers = { ...d, spec: { ...d.spec, template: { metadata: { labels: { app: 'd' } }, spec: { containers: null } } } };
    expect(validator.check(noContainers).errors).toEqual(['spec.template.spec.containers: Required value']);
  });
});

describe('GPU009: label maps (labels, selectors, nodeSelector) as the API server words them', () => {
  test('a bad key or value names the map and the key, in the API server\'s words', () => {
    const NAME_PART = 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character';
    const VALUE = 'a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character';
    const validator = new SchemaValidator();
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', labels: { 'bad key!': 'x', 'ok': 'bad value!' } },
      spec: {
        selector: { matchLabels: { 'app': 'd', '-x': 'y' } },
        template: {
          metadata: { labels: { 'app': 'd', '-x': 'y' } },
          spec: { nodeSelector: { 'a/b/c': 'v', 'k': 'v v' }, containers: [{ name: 'c', image: 'i' }] },
        },
      },
    };
    expect(validator.check(d).errors).toEqual([
      `metadata.labels: Invalid value: "bad key!": ${NAME_PART}`,
      `metadata.labels["ok"]: Invalid value: "bad value!": ${VALUE}`,
      `spec.template.metadata.labels: Invalid value: "-x": ${NAME_PART}`,
      `spec.selector.matchLabels: Invalid value: "-x": ${NAME_PART}`,
      'spec.template.spec.nodeSelector: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, \'-\', \'_\' or \'.\', with an optional DNS subdomain prefix and \'/\'',
      `spec.template.spec.nodeSelector["k"]: Invalid value: "v v": ${VALUE}`,
    ]);
    const s = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'bad value!', _k: 'v' }, ports: [{ port: 80 }] } };
    expect(validator.check(s).errors).toEqual([
      `spec.selector["app"]: Invalid value: "bad value!": ${VALUE}`,
      `spec.selector: Invalid value: "_k": ${NAME_PART}`,
    ]);
  });

  test('a selector requirement (ValidateLabelSelectorRequirement): a known operator, a label key, label values', () => {
    const NAME_PART = 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character';
    const VALUE = 'a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character';
    const pdb = (matchExpressions: any[]) => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'llm', namespace: 'ml' },
      spec: { maxUnavailable: 1, selector: { matchExpressions } },
    });
    const validator = new SchemaValidator();
    expect(validator.check(pdb([{ key: 'app.kubernetes.io/name', operator: 'In', values: ['vllm', 'sglang'] }])).errors).toEqual([]);
    expect(validator.check(pdb([
      { key: 'app', operator: 'in', values: ['vllm'] },
      { key: 'bad key!', operator: 'NotIn', values: ['vllm 0.6', ''] },
    ])).errors).toEqual([
      'spec.selector.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator',
      `spec.selector.matchExpressions[1].key: Invalid value: "bad key!": ${NAME_PART}`,
      `spec.selector.matchExpressions[1].values[0]: Invalid value: "vllm 0.6": ${VALUE}`,
    ]);
  });
});

/**
 * A pod-owning workload `ml/d` (a Deployment unless `kind` says otherwise) with `podSpec` as its pod template's spec
 * and `spec` beside it (the API-server-check tests below).
 */
const workloadOf = (podSpec: any, spec: any = {}, kind = 'Deployment') => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'd', namespace: 'ml' },
  spec: { selector: { matchLabels: { app: 'd' } }, ...spec, template: { metadata: { labels: { app: 'd' } }, spec: podSpec } },
});

describe('GPU009: container resource names and huge pages, as the API server judges them', () => {
  // k8s.io/kubernetes pkg/apis/core/validation: validateContainerResourceName and ValidateResourceRequirements.
  const validator = new SchemaValidator();
  const withResources = (resources: any) => workloadOf({ containers: [{ name: 'c', image: 'i', resources }] });
  const R = 'spec.template.spec.containers[0].resources';

  test('a container may ask for cpu, memory, ephemeral-storage, huge pages and prefixed resources', () => {
    expect(validator.check(withResources({
      requests: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '10Gi', 'hugepages-2Mi': '512Mi', 'example.kubernetes.io/foo': 1 },
      limits: { 'memory': '1Gi', 'hugepages-2Mi': '512Mi', 'hugepages-1Gi': '2Gi', 'nvidia.com/gpu': 1, 'vpc.amazonaws.com/efa': 4, 'example.kubernetes.io/foo': 2 },
    })).errors).toEqual([]);
  });

  test('any other unprefixed name, or a prefixed one that is not an extended resource name, is refused', () => {
    expect(validator.check(withResources({ limits: { 'gpu': 1, 'storage': '1Gi', 'example.com/Bad_name!': 1, 'requests.example.com/x': 1 } })).errors).toEqual([
      `${R}.limits["gpu"]: Invalid value: "gpu": must be a standard resource for containers`,
      `${R}.limits["storage"]: Invalid value: "storage": must be a standard resource for containers`,
      `${R}.limits["example.com/Bad_name!"]: Invalid value: "example.com/Bad_name!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      `${R}.limits["example.com/Bad_name!"]: Invalid value: "example.com/Bad_name!": doesn't follow extended resource name standard`,
      `${R}.limits["requests.example.com/x"]: Invalid value: "requests.example.com/x": doesn't follow extended resource name standard`,
    ]);
    // (requests are judged the same way)
    expect(validator.check(withResources({ requests: { gpu: 1 } })).errors).toEqual([`${R}.requests["gpu"]: Invalid value: "gpu": must be a standard resource for containers`]);
  });

  test('huge pages are not overcommitable, come in whole pages, and need cpu or memory beside them', () => {
    expect(validator.check(withResources({ requests: { 'memory': '1Gi', 'hugepages-2Mi': '512Mi' }, limits: { 'memory': '1Gi', 'hugepages-2Mi': '1Gi' } })).errors)
      .toEqual([`${R}.requests: Invalid value: "512Mi": must be equal to hugepages-2Mi limit of "1Gi"`]);
    expect(validator.check(withResources({ requests: { 'memory': '1Gi', 'hugepages-2Mi': '512Mi' } })).errors)
      .toEqual([`${R}.limits: Required value: Limit must be set for non overcommitable resources (hugepages-2Mi)`]);
    expect(validator.check(withResources({ limits: { 'memory': '1Gi', 'hugepages-2Mi': '3Mi' } })).errors)
      .toEqual([`${R}.limits["hugepages-2Mi"]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi`]);
    expect(validator.check(withResources({ limits: { 'hugepages-2Mi': '4Mi' } })).errors).toEqual([`${R}: Forbidden: HugePages require cpu or memory`]);
  });

  test('a native resource may be overcommitted: its request is only bounded by its limit', () => {
    expect(validator.check(withResources({ requests: { 'example.kubernetes.io/foo': 3 }, limits: { 'example.kubernetes.io/foo': 2 } })).errors)
      .toEqual([`${R}.requests: Invalid value: 3: must be less than or equal to example.kubernetes.io/foo limit of 2`]);
  });

  test('in a lint, `limits: {gpu: 1}` is a GPU009 error at the key, which GPU001 does not judge', () => {
    const findings = validateManifests([{ object: withResources({ limits: { gpu: 1 } }) }]);
    expect(of(findings, 'GPU009').map((f) => [f.fieldPath, f.message])).toEqual([
      [`${R}.limits["gpu"]`, 'Invalid value: "gpu": must be a standard resource for containers'],
    ]);
  });
});

describe('GPU009: probes, lifecycle hooks and container ports, as the API server judges them', () => {
  // k8s.io/kubernetes pkg/apis/core/validation: validateProbe, validateHandler, validateContainerPorts,
  // validateInitContainers. Paths below are under the pod spec.
  const validator = new SchemaValidator();
  const pod = (spec: any) => workloadOf(spec);
  const P = 'spec.template.spec';
  const errorsOf = (container: any, initContainers?: any[]) =>
    validator.check(pod({ ...(initContainers ? { initContainers } : {}), containers: [{ name: 'c', image: 'i', ...container }] })).errors;

  test('valid probes and hooks of every handler type pass', () => {
    expect(errorsOf({
      ports: [{ containerPort: 8000, name: 'http' }, { containerPort: 9000, name: 'metrics' }],
      readinessProbe: { httpGet: { path: '/ready', port: 'http', scheme: 'HTTPS' }, successThreshold: 3 },
      livenessProbe: { tcpSocket: { port: 8000 }, successThreshold: 1, failureThreshold: 0 },
      startupProbe: { grpc: { port: 9000 } },
      lifecycle: { preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] } } },
    }, [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always', readinessProbe: { httpGet: { port: 9901 } } }])).toEqual([]);
  });

  test('a probe needs exactly one handler, valid ports and scheme, and an exec command', () => {
    expect(errorsOf({
      readinessProbe: { periodSeconds: 5 },
      livenessProbe: { httpGet: { port: 70000, scheme: 'http' } },
      startupProbe: { httpGet: { port: '8000' }, tcpSocket: { port: 'http' } },
      lifecycle: { preStop: { exec: { command: [] } } },
    })).toEqual([
      `${P}.containers[0].lifecycle.preStop.exec.command: Required value`,
      `${P}.containers[0].livenessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive`,
      `${P}.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "http": supported values: "HTTP", "HTTPS"`,
      `${P}.containers[0].readinessProbe: Required value: must specify a handler type`,
      // (a quoted number is a string to the API server, judged as a port name)
      `${P}.containers[0].startupProbe.httpGet.port: Invalid value: "8000": must be an IANA_SVC_NAME (at most 15 characters, lowercase alphanumerics and '-', with at least one letter)`,
      `${P}.containers[0].startupProbe.tcpSocket: Forbidden: may not specify more than 1 handler type`,
    ]);
  });

  test('counts are not negative; a liveness or startup probe succeeds once', () => {
    expect(errorsOf({
      livenessProbe: { exec: { command: ['true'] }, successThreshold: 2, periodSeconds: -1 },
      startupProbe: { exec: { command: ['true'] }, successThreshold: 3, terminationGracePeriodSeconds: 0 },
    })).toEqual([
      `${P}.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0`,
      `${P}.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1`,
      `${P}.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1`,
      `${P}.containers[0].startupProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0`,
    ]);
  });

  test('an init container that is not a sidecar may have no probe and no hook', () => {
    expect(errorsOf({}, [{ name: 'fetch', image: 'busybox', startupProbe: { exec: { command: ['true'] } }, lifecycle: { preStop: { sleep: { seconds: 1 } } } }])).toEqual([
      `${P}.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always`,
      `${P}.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always`,
    ]);
  });

  test('port names are unique within a container; an empty name is not judged', () => {
    expect(errorsOf({ ports: [{ containerPort: 8000, name: 'http' }, { containerPort: 8001, name: 'http' }, { containerPort: 8002, name: '' }] }))
      .toEqual([`${P}.containers[0].ports[1].name: Duplicate value: "http"`]);
  });
});

describe('GPU009: node affinity, topology spread, volumes, env and rollouts, as the API server judges them', () => {
  // k8s.io/kubernetes pkg/apis/core/validation (ValidateNodeSelectorRequirement, ValidateNodeSelector,
  // validatePreferredSchedulingTerms, validateTopologySpreadConstraints, validateVolumeSource, validateEnvVarValueFrom,
  // ValidateVolumeMounts) and pkg/apis/apps/validation (ValidateDeploymentStrategy, ValidateRollingUpdateDeployment).
  const validator = new SchemaValidator();
  const P = 'spec.template.spec';
  const NA = `${P}.affinity.nodeAffinity`;
  const withPodSpec = (podSpec: any, spec: any = {}) => workloadOf({ containers: [{ name: 'c', image: 'i' }], ...podSpec }, spec);
  const errorsOf = (podSpec: any, spec: any = {}) => validator.check(withPodSpec(podSpec, spec)).errors;
  const required = (...matchExpressions: any[]) => {
    const nodeSelectorTerms = matchExpressions.map((e) => ({ matchExpressions: [e] }));
    return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } } };
  };

  test('node affinity: operators are case-sensitive, and each takes the values it needs', () => {
    expect(errorsOf(required(
      { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['a100'] },
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['1'] },
      { key: 'karpenter.sh/capacity-type', operator: 'DoesNotExist' },
    ))).toEqual([]);
    expect(errorsOf(required(
      { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'in', values: ['a100'] },
      { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'NotIn', values: [] },
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Lt', values: ['1', '2'] },
      { key: 'karpenter.sh/capacity-type', operator: 'Exists', values: ['spot'] },
      { key: 'bad key', operator: 'Exists' },
    ))).toEqual([
      `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "in": not a valid selector operator`,
      `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[2].matchExpressions[0].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
      `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[3].matchExpressions[0].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
      `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[4].matchExpressions[0].key: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    ]);
  });

  test('node affinity: a required selector has a term; preferred weights are 1-100; field selectors name metadata.name once', () => {
    expect(errorsOf({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 0, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } },
            { weight: 50, preference: { matchFields: [{ key: 'metadata.labels', operator: 'In', values: ['x', 'y'] }] } },
          ],
        },
      },
    })).toEqual([
      `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term`,
      `${NA}.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100`,
      `${NA}.preferredDuringSchedulingIgnoredDuringExecution[1].preference.matchFields[0].values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
      `${NA}.preferredDuringSchedulingIgnoredDuringExecution[1].preference.matchFields[0].key: Invalid value: "metadata.labels": not a valid field selector key`,
    ]);
  });

  test('pod (anti-)affinity: label selectors as the API server reads them, a topology key, preferred weights 1-100', () => {
    const term = (over: any) => ({ labelSelector: { matchLabels: { app: 'llm' } }, topologyKey: 'kubernetes.io/hostname', ...over });
    expect(errorsOf({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({})] } } })).toEqual([]);
    const PA = `${P}.affinity.podAntiAffinity`;
    expect(errorsOf({
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            term({ topologyKey: '' }),
            term({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'in', values: ['llm'] }] } }),
          ],
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, podAffinityTerm: term({ topologyKey: 'bad key' }) }],
        },
      },
    })).toEqual([
      `${PA}.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty`,
      `${PA}.requiredDuringSchedulingIgnoredDuringExecution[1].labelSelector.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator`,
      `${PA}.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be in the range 1-100`,
      `${PA}.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    ]);
  });

  test('topology spread: maxSkew above 0, a known action, minDomains only with DoNotSchedule, no repeated key and action', () => {
    const c = (over: any) => ({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1, labelSelector: { matchLabels: { app: 'd' } }, ...over });
    expect(errorsOf({ topologySpreadConstraints: [c({ minDomains: 2 }), c({ whenUnsatisfiable: 'ScheduleAnyway' })] })).toEqual([]);
    expect(errorsOf({
      topologySpreadConstraints: [c({ maxSkew: 0 }), c({ whenUnsatisfiable: 'Never' }), c({ whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 }), c({})],
    })).toEqual([
      `${P}.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero`,
      `${P}.topologySpreadConstraints[1].whenUnsatisfiable: Unsupported value: "Never": supported values: "DoNotSchedule", "ScheduleAnyway"`,
      `${P}.topologySpreadConstraints[2].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
      `${P}.topologySpreadConstraints[3]: Duplicate value: "{topology.kubernetes.io/zone, DoNotSchedule}"`,
    ]);
  });

  test('volumes have one source (none is an emptyDir); env has one value source; mount paths are unique', () => {
    expect(errorsOf({
      volumes: [{ name: 'shm', emptyDir: { medium: 'Memory' }, hostPath: { path: '/dev/shm' } }, { name: 'scratch' }],
      containers: [{
        name: 'c',
        image: 'i',
        env: [
          { name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'B', valueFrom: {} },
          { name: 'C', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } },
          { name: 'D', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
        volumeMounts: [{ name: 'shm', mountPath: '/dev/shm' }, { name: 'scratch', mountPath: '/dev/shm' }],
      }],
    })).toEqual([
      `${P}.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type`,
      `${P}.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when \`value\` is not empty`,
      `${P}.containers[0].env[1].valueFrom: Invalid value: "": must specify one of: \`fieldRef\`, \`resourceFieldRef\`, \`configMapKeyRef\` or \`secretKeyRef\``,
      `${P}.containers[0].env[2].valueFrom: Invalid value: "": may not have more than one field specified at a time`,
      `${P}.containers[0].volumeMounts[1].mountPath: Invalid value: "/dev/shm": must be unique`,
    ]);
  });

  test('a DaemonSet rollout: exactly one of maxSurge and maxUnavailable non-zero, after defaulting (1 and 0)', () => {
    const ds = (updateStrategy: any) => workloadOf({ containers: [{ name: 'c', image: 'i' }] }, { updateStrategy }, 'DaemonSet');
    const dsErrors = (updateStrategy: any) => validator.check(ds(updateStrategy)).errors;
    expect(dsErrors({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } })).toEqual([]);
    expect(dsErrors({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } })).toEqual([]);
    expect(dsErrors({ type: 'OnDelete' })).toEqual([]);
    // (maxUnavailable is defaulted to 1: a surge alone is refused)
    expect(dsErrors({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } })).toEqual([
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
    ]);
    expect(dsErrors({ rollingUpdate: { maxUnavailable: 0 } })).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ]);
    expect(dsErrors({ type: 'Rolling', rollingUpdate: { maxUnavailable: '200%' } })).toEqual([
      'spec.updateStrategy.type: Unsupported value: "Rolling": supported values: "RollingUpdate", "OnDelete"',
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "200%": must not be greater than 100%',
    ]);
  });

  test('a rollout: maxSurge and maxUnavailable not both 0, integers or percentages, no rollingUpdate with Recreate', () => {
    const strategy = (rollingUpdate: any, type = 'RollingUpdate') => ({ strategy: { type, rollingUpdate } });
    expect(errorsOf({}, strategy({ maxSurge: 0, maxUnavailable: 1 }))).toEqual([]);
    expect(errorsOf({}, strategy({ maxSurge: 0 }))).toEqual([]); // (maxUnavailable is defaulted to 25%)
    expect(errorsOf({}, strategy({ maxSurge: 0, maxUnavailable: '0%' }))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
    ]);
    expect(errorsOf({}, strategy({ maxSurge: 'one', maxUnavailable: '150%' }))).toEqual([
      'spec.strategy.rollingUpdate.maxSurge: Invalid value: "one": a valid percent string must be a numeric string followed by an ending \'%\'',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    ]);
    expect(errorsOf({}, strategy({ maxSurge: 1 }, 'Recreate'))).toEqual([
      'spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is \'Recreate\'',
    ]);
  });
});

describe('GPU009: security contexts, as the API server judges them', () => {
  // k8s.io/kubernetes pkg/apis/core/validation: ValidateSecurityContext, ValidatePodSecurityContext,
  // validateSeccompProfileField.
  const validator = new SchemaValidator();
  const P = 'spec.template.spec';
  const daemonSet = (podSc: any, sc: any) => workloadOf(
    { ...(podSc ? { securityContext: podSc } : {}), containers: [{ name: 'exporter', image: 'dcgm-exporter', securityContext: sc }] }, {}, 'DaemonSet');
  const errorsOf = (podSc: any, sc: any) => validator.check(daemonSet(podSc, sc)).errors;

  test('a DCGM exporter with SYS_ADMIN, or privileged with escalation allowed, is accepted', () => {
    expect(errorsOf({ runAsUser: 0, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
      { allowPrivilegeEscalation: false, capabilities: { add: ['SYS_ADMIN'] }, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } })).toEqual([]);
    expect(errorsOf(undefined, { privileged: true })).toEqual([]);
  });

  test('no allowPrivilegeEscalation: false beside privileged: true or an added CAP_SYS_ADMIN', () => {
    expect(errorsOf(undefined, { allowPrivilegeEscalation: false, privileged: true, capabilities: { add: ['CAP_SYS_ADMIN'] } })).toEqual([
      `${P}.containers[0].securityContext: Invalid value: "object": cannot set \`allowPrivilegeEscalation\` to false and \`privileged\` to true`,
      `${P}.containers[0].securityContext: Invalid value: "object": cannot set \`allowPrivilegeEscalation\` to false and \`capabilities.Add\` CAP_SYS_ADMIN`,
    ]);
  });

  test('ids are 0-2147483647; a seccomp localhostProfile is set exactly for type Localhost', () => {
    expect(errorsOf({ runAsUser: -1, fsGroup: 2147483648, supplementalGroups: [1, -2], seccompProfile: { type: 'Localhost' } },
      { runAsGroup: -5, seccompProfile: { type: 'RuntimeDefault', localhostProfile: 'p.json' } })).toEqual([
      `${P}.containers[0].securityContext.runAsGroup: Invalid value: -5: must be between 0 and 2147483647, inclusive`,
      `${P}.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "object": can only be set when seccomp type is Localhost`,
      `${P}.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive`,
      `${P}.securityContext.fsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive`,
      `${P}.securityContext.supplementalGroups[1]: Invalid value: -2: must be between 0 and 2147483647, inclusive`,
      `${P}.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost`,
    ]);
    expect(errorsOf(undefined, { seccompProfile: { type: 'runtime/default' } })).toEqual([
      `${P}.containers[0].securityContext.seccompProfile.type: Unsupported value: "runtime/default": supported values: "Localhost", "RuntimeDefault", "Unconfined"`,
    ]);
  });
});

describe('GPU009: Jobs and PriorityClasses, as the API server judges them', () => {
  // k8s.io/kubernetes pkg/apis/batch/validation validateJobSpec, validatePodFailurePolicy; pkg/apis/scheduling/validation
  // ValidatePriorityClass; defaulting in pkg/apis/batch/v1/defaults.go SetDefaults_Job.
  const validator = new SchemaValidator();
  const job = (spec: any, podSpec: any = { restartPolicy: 'Never' }) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'train', namespace: 'ml' },
    spec: { ...spec, template: { spec: { containers: [{ name: 'trainer', image: 'pytorch' }], ...podSpec } } },
  });
  const errorsOf = (spec: any, podSpec?: any) => validator.check(job(spec, podSpec)).errors;

  test('an Indexed training Job with per-index backoff and the docs\' pod failure policy passes (status is defaulted)', () => {
    expect(errorsOf({
      completionMode: 'Indexed',
      completions: 8,
      parallelism: 8,
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 2,
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [42] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
          { action: 'FailIndex', onExitCodes: { operator: 'NotIn', values: [0, 1] } },
        ],
      },
    })).toEqual([]);
  });

  test('a Job\'s pod template must say OnFailure or Never: an absent restartPolicy is defaulted to Always', () => {
    expect(errorsOf({}, {})).toEqual(['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  });

  test('Indexed needs completions; per-index backoff needs Indexed; maxFailedIndexes needs backoffLimitPerIndex', () => {
    expect(errorsOf({ completionMode: 'Indexed', parallelism: 4, maxFailedIndexes: 1 })).toEqual([
      'spec.completions: Required value: when completion mode is Indexed',
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
    ]);
    expect(errorsOf({ completionMode: 'Indexed', completions: 2, backoffLimitPerIndex: 1, maxFailedIndexes: 3 })).toEqual([
      'spec.maxFailedIndexes: Invalid value: 3: must be less than or equal to completions',
    ]);
    expect(errorsOf({ backoffLimitPerIndex: 1 })).toEqual(['spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode']);
    expect(errorsOf({ completionMode: 'indexed', completions: 2 })).toEqual([
      'spec.completionMode: Unsupported value: "indexed": supported values: "NonIndexed", "Indexed"',
    ]);
  });

  test('a pod failure policy needs restartPolicy Never, known actions, one matcher, and well-formed exit codes', () => {
    expect(errorsOf({
      podFailurePolicy: {
        rules: [
          { action: 'FailIndex', onExitCodes: { containerName: 'trainr', operator: 'In', values: [3, 0, 1] } },
          { action: 'Retry', onPodConditions: [{ type: 'DisruptionTarget' }], onExitCodes: { operator: 'NotIn', values: [1, 1] } },
          { action: 'Ignore' },
        ],
      },
    }, { restartPolicy: 'OnFailure' })).toEqual([
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
      'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "trainr": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [3,0,1]: must be ordered',
      'spec.podFailurePolicy.rules[1].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[1].onExitCodes.values[1]: Duplicate value: 1',
      'spec.podFailurePolicy.rules[1]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported',
      'spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
    ]);
  });

  test('a CronJob\'s job template is judged as a Job', () => {
    const jobSpec: any = job({}).spec;
    delete jobSpec.template.spec.restartPolicy;
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'eval', namespace: 'ml' }, spec: { schedule: '0 * * * *', jobTemplate: { spec: jobSpec } } };
    expect(validator.check(cron).errors).toEqual(['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  });

  test('a user-defined PriorityClass is at most 1000000000, and system- names are the system\'s', () => {
    const pc = (name: string, value: number) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value });
    expect(validator.check(pc('gpu-critical', 1_000_000_000)).errors).toEqual([]);
    expect(validator.check(pc('system-node-critical', 2_000_001_000)).errors).toEqual([]);
    expect(validator.check(pc('gpu-critical', 2_000_000_000)).errors).toEqual(['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
    expect(validator.check(pc('system-gpu', 10)).errors).toEqual([
      'metadata.name: Forbidden: priority class names with \'system-\' prefix are reserved for system use only. error: name system-gpu is not a known system priority class',
    ]);
  });
});

describe('GPU009: HorizontalPodAutoscalers, as the API server judges them', () => {
  // k8s.io/kubernetes pkg/apis/autoscaling/validation: validateHorizontalPodAutoscalerSpec, validateMetricSpec,
  // validateMetricTarget, validateScalingRules (the alpha HPAScaleToZero gate off, as by default).
  const validator = new SchemaValidator();
  const hpa = (spec: any) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'llm', namespace: 'ml' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' }, minReplicas: 1, maxReplicas: 4, ...spec },
  });
  const errorsOf = (spec: any) => validator.check(hpa(spec)).errors;
  const gpuUtil = { type: 'Pods', pods: { metric: { name: 'DCGM_FI_DEV_GPU_UTIL' }, target: { type: 'AverageValue', averageValue: '70' } } };

  test('a GPU-metric HPA with behavior passes', () => {
    expect(errorsOf({
      metrics: [gpuUtil, { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] } },
    })).toEqual([]);
  });

  test('minReplicas 0 is refused (scale to zero needs the alpha HPAScaleToZero gate); maxReplicas at least minReplicas', () => {
    expect(errorsOf({ minReplicas: 0, metrics: [gpuUtil] })).toEqual(['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1']);
    expect(errorsOf({ minReplicas: 5, maxReplicas: 2 })).toEqual(['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
  });

  test('each metric has exactly its own source and a target it can use', () => {
    expect(errorsOf({
      metrics: [
        { type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0, averageValue: '2' } } },
        { type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'Value', value: '-1' } } },
        { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Average', value: '1', averageValue: '1' } } },
        { type: 'GPU', pods: gpuUtil.pods },
      ],
    })).toEqual([
      'spec.metrics[0].pods: Required value: must populate information for the given metric source',
      'spec.metrics[1].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      'spec.metrics[1].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization',
      'spec.metrics[2].pods.target.value: Invalid value: "-1": must be positive',
      'spec.metrics[2].pods.target.averageValue: Required value: must specify a positive target averageValue',
      'spec.metrics[3].external.target.type: Invalid value: "Average": must be either Utilization, Value, or AverageValue',
      'spec.metrics[3].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target',
      'spec.metrics[4].type: Unsupported value: "GPU": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ]);
  });

  test('scaling rules: a written policy list is not empty; policies of a known type with positive values and periods', () => {
    expect(errorsOf({
      behavior: {
        scaleUp: { policies: [] },
        scaleDown: { stabilizationWindowSeconds: 7200, selectPolicy: 'Fastest', policies: [{ type: 'Nodes', value: 0, periodSeconds: 3600 }] },
      },
    })).toEqual([
      'spec.behavior.scaleUp.policies: Required value: must specify at least one Policy',
      'spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 7200: must be less than or equal to 3600',
      'spec.behavior.scaleDown.selectPolicy: Unsupported value: "Fastest": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleDown.policies[0].type: Unsupported value: "Nodes": supported values: "Percent", "Pods"',
      'spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 3600: must be less than or equal to 1800',
    ]);
  });
});

describe('GPU009: StatefulSets, pod-owning rollouts, Services, disruption budgets, quotas and volume claims, as the API server judges them', () => {
  // k8s.io/kubernetes pkg/apis/apps/validation (ValidateStatefulSetSpec, ValidateStatefulSetName, ValidateDeploymentSpec,
  // ValidateDaemonSetSpec, ValidatePodTemplateSpecForReplicaSet) and pkg/apis/core/validation
  // (ValidatePersistentVolumeClaimSpec, ValidateService, validateServicePort, ValidateResourceQuotaSpec) and
  // pkg/apis/policy/validation (ValidatePodDisruptionBudgetSpec).
  const validator = new SchemaValidator();
  const vllm = { containers: [{ name: 'vllm', image: 'vllm/vllm-openai', resources: { limits: { 'nvidia.com/gpu': 1 } } }] };
  const cache = (spec: any) => ({ metadata: { name: 'cache' }, spec });
  const statefulSet = (spec: any, podSpec: any = vllm) => workloadOf(podSpec, { serviceName: 'llm', ...spec }, 'StatefulSet');
  const errorsOf = (obj: any) => validator.check(obj).errors;

  test('a vLLM StatefulSet with a model cache claim, Parallel pods and OnDelete updates passes', () => {
    expect(errorsOf(statefulSet({
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'OnDelete' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      ordinals: { start: 1 },
      volumeClaimTemplates: [cache({ accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '200Gi' } } })],
    }))).toEqual([]);
    // (empty policies and strategy types are defaulted: OrderedReady, RollingUpdate with partition 0, Retain)
    expect(errorsOf(statefulSet({
      podManagementPolicy: '', updateStrategy: { rollingUpdate: { partition: 1 } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: '', whenScaled: null },
    }))).toEqual([]);
  });

  test('a StatefulSet: known policies, rollingUpdate only with RollingUpdate, nothing negative, claims that can be made', () => {
    expect(errorsOf(statefulSet({
      podManagementPolicy: 'parallel',
      updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Remove' },
      ordinals: { start: -1 },
      volumeClaimTemplates: [cache({ resources: { requests: {} } }), cache({ accessModes: ['ReadWriteOnce', 'ReadWriteOncePod', 'RWO'], resources: { requests: { storage: '0Gi' } } })],
    }))).toEqual([
      'spec.podManagementPolicy: Invalid value: "parallel": must be \'OrderedReady\' or \'Parallel\'',
      'spec.updateStrategy.rollingUpdate: Invalid value: "object": only allowed for updateStrategy \'RollingUpdate\'',
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Remove": supported values: "Retain", "Delete"',
      'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
      'spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required',
      'spec.volumeClaimTemplates[0].spec.resources[storage]: Required value',
      'spec.volumeClaimTemplates[1].spec.accessModes: Unsupported value: "RWO": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.volumeClaimTemplates[1].spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
      'spec.volumeClaimTemplates[1].spec.resources[storage]: Invalid value: "0Gi": must be greater than zero',
    ]);
    expect(errorsOf(statefulSet({ updateStrategy: { type: 'Rolling' } }))).toEqual([
      'spec.updateStrategy: Invalid value: "object": must be \'RollingUpdate\' or \'OnDelete\'',
    ]);
    expect(errorsOf(statefulSet({ updateStrategy: { rollingUpdate: { partition: -1 } } }))).toEqual([
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  test('a StatefulSet\'s name is a DNS label (its pods\' hostnames are <name>-<ordinal>); a Deployment\'s may have dots', () => {
    const named = (obj: any, name: string) => ({ ...obj, metadata: { ...obj.metadata, name } });
    expect(errorsOf(named(statefulSet({}), 'llm.serving'))).toEqual([
      expect.stringMatching(/^metadata\.name: Invalid value: "llm\.serving": a lowercase RFC 1123 label must consist of/),
    ]);
    expect(errorsOf(named(workloadOf(vllm), 'llm.serving'))).toEqual([]);
  });

  test('an empty selector is refused in each controller\'s words', () => {
    const empty = (kind: string) => {
      const obj = kind === 'StatefulSet' ? statefulSet({}) : workloadOf(vllm, {}, kind);
      return { ...obj, spec: { ...obj.spec, selector: {} } };
    };
    expect(['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'].map((k) => errorsOf(empty(k)))).toEqual([
      ['spec.selector: Invalid value: "object": empty selector is invalid for deployment'],
      ['spec.selector: Invalid value: "object": empty selector is invalid for deployment'],
      ['spec.selector: Invalid value: "object": empty selector is invalid for daemonset'],
      ['spec.selector: Invalid value: "object": empty selector is invalid for statefulset'],
    ]);
  });

  test('activeDeadlineSeconds belongs to Jobs: a Deployment, ReplicaSet, DaemonSet or StatefulSet template with one is refused', () => {
    const podSpec = { ...vllm, activeDeadlineSeconds: 3600 };
    expect([
      workloadOf(podSpec), workloadOf(podSpec, {}, 'ReplicaSet'), workloadOf(podSpec, {}, 'DaemonSet'), statefulSet({}, podSpec),
    ].map(errorsOf)).toEqual(['ReplicaSet', 'ReplicaSet', 'DaemonSet', 'StatefulSet'].map((owner) => [
      `spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ${owner} is not Supported`,
    ]));
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ml' }, spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } };
    expect(errorsOf(job)).toEqual([]);
  });

  test('a pod\'s activeDeadlineSeconds is 1 to 2147483647 (0 is not "none"); a Job\'s ttlSecondsAfterFinished is not negative', () => {
    const job = (spec: any, podSpec: any) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'train', namespace: 'ml' },
      spec: { ...spec, template: { spec: { ...vllm, restartPolicy: 'Never', ...podSpec } } },
    });
    expect(errorsOf(job({ ttlSecondsAfterFinished: 0 }, { activeDeadlineSeconds: 86400 }))).toEqual([]);
    expect(errorsOf(job({}, { activeDeadlineSeconds: 0 }))).toEqual([
      'spec.template.spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
    ]);
    expect(errorsOf(job({ ttlSecondsAfterFinished: -1 }, {}))).toEqual([
      'spec.ttlSecondsAfterFinished: Invalid value: -1: must be >= 0',
    ]);
  });

  test('a Deployment\'s progress deadline (600 s when absent) must exceed minReadySeconds: a slow model load needs both set', () => {
    expect(errorsOf(workloadOf(vllm, { minReadySeconds: 599 }))).toEqual([]);
    expect(errorsOf(workloadOf(vllm, { minReadySeconds: 900, progressDeadlineSeconds: 1800 }))).toEqual([]);
    expect(errorsOf(workloadOf(vllm, { minReadySeconds: 600 }))).toEqual([
      'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds (absent: defaulted to 600)',
    ]);
    expect(errorsOf(workloadOf(vllm, { minReadySeconds: 900, progressDeadlineSeconds: 900 }))).toEqual([
      'spec.progressDeadlineSeconds: Invalid value: 900: must be greater than minReadySeconds',
    ]);
    expect(errorsOf(workloadOf(vllm, { progressDeadlineSeconds: -1 }))).toEqual([
      'spec.progressDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.progressDeadlineSeconds: Invalid value: -1: must be greater than minReadySeconds',
    ]);
  });

  test('a Service: targetPort a port number or IANA name, nodePort only off ClusterIP, each port and protocol once', () => {
    const svc = (spec: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'llm', namespace: 'ml' }, spec: { selector: { app: 'llm' }, ...spec } });
    // (targetPort 0 or "" is defaulted to the port; protocol to TCP)
    expect(errorsOf(svc({ ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 8000, targetPort: 0 }] }))).toEqual([]);
    expect(errorsOf(svc({ type: 'NodePort', ports: [{ port: 80, targetPort: 8000, nodePort: 30080 }] }))).toEqual([]);
    expect(errorsOf(svc({
      ports: [
        { name: 'http', port: 80, targetPort: 'vllm-http-server', nodePort: 30080 },
        { name: 'grpc', port: 80, protocol: 'TCP', targetPort: 70000 },
        { name: 'dns', port: 80, protocol: 'UDP' },
      ],
    }))).toEqual([
      'spec.ports[0].targetPort: Invalid value: "vllm-http-server": must be an IANA_SVC_NAME (at most 15 characters, lowercase alphanumerics and \'-\', with at least one letter)',
      'spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'ClusterIP\'',
      'spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ports[1]: Duplicate value: "object"',
    ]);
  });

  test('a PodDisruptionBudget: one of minAvailable and maxUnavailable, each an integer or a percentage up to 100%', () => {
    const pdb = (spec: any) => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'llm', namespace: 'ml' },
      spec: { selector: { matchLabels: { app: 'llm' } }, ...spec },
    });
    expect(errorsOf(pdb({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' }))).toEqual([]);
    expect(errorsOf(pdb({ minAvailable: '50%' }))).toEqual([]);
    // (a quoted "1" is a string to the API server, so it must be a percentage)
    expect(errorsOf(pdb({ maxUnavailable: '1', unhealthyPodEvictionPolicy: 'Always' }))).toEqual([
      'spec.maxUnavailable: Invalid value: "1": a valid percent string must be a numeric string followed by an ending \'%\'',
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Always": supported values: "AlwaysAllow", "IfHealthyBudget"',
    ]);
    expect(errorsOf(pdb({ minAvailable: '150%', maxUnavailable: -1 }))).toEqual([
      'spec: Invalid value: "object": minAvailable and maxUnavailable cannot be both set',
      'spec.minAvailable: Invalid value: "150%": must not be greater than 100%',
      'spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  test('a ResourceQuota\'s hard limits are not negative', () => {
    const hardOf = (hard: any) => quota(JSON.stringify(hard));
    expect(errorsOf(hardOf({ 'requests.nvidia.com/gpu': 8, 'limits.memory': '512Gi', 'pods': '0' }))).toEqual([]);
    expect(errorsOf(hardOf({ 'requests.nvidia.com/gpu': -1, 'requests.memory': '-1Gi' }))).toEqual([
      'spec.hard[requests.nvidia.com/gpu]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.hard[requests.memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ]);
  });

  test('a LimitRange, as stored (a Container item\'s max is its default, the default its default request): bounds in order, GPUs not overcommitted', () => {
    // ValidateLimitRange after SetDefaults_LimitRangeItem
    const lr = (limits: any[]) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'gpu', namespace: 'ml' }, spec: { limits } });
    expect(errorsOf(lr([
      { type: 'Container', max: { 'nvidia.com/gpu': 8, 'memory': '64Gi' }, default: { 'nvidia.com/gpu': 0, 'memory': '4Gi' }, defaultRequest: { memory: '2Gi' }, min: { memory: '1Gi' } },
      { type: 'Pod', max: { 'nvidia.com/gpu': 8 } },
      { type: 'PersistentVolumeClaim', max: { storage: '1Ti' } },
      { type: 'example.com/custom', max: { cpu: '1' } },
    ]))).toEqual([]);
    expect(errorsOf(lr([
      { type: 'Container', max: { 'nvidia.com/gpu': 8 }, defaultRequest: { 'nvidia.com/gpu': 0 } },
      { type: 'Container', min: { cpu: '2' }, max: { cpu: '1', gpu: 1 }, maxLimitRequestRatio: { cpu: '4' } },
      { type: 'Pod', default: { cpu: '1' }, defaultRequest: {}, maxLimitRequestRatio: { memory: '0.5' } },
      { type: 'PersistentVolumeClaim', max: { cpu: '1' } },
      { type: 'Node' },
    ]))).toEqual([
      'spec.limits[0].defaultRequest[nvidia.com/gpu]: Invalid value: "0": default value 8 must equal to defaultRequest value 0 in nvidia.com/gpu',
      'spec.limits[1].type: Duplicate value: "Container"',
      'spec.limits[1].max["gpu"]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.limits[1].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      'spec.limits[1].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
      'spec.limits[1].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
      'spec.limits[1].maxLimitRequestRatio[cpu]: Invalid value: "4": ratio 4 is greater than max/min = 0.500000',
      'spec.limits[2].default: Forbidden: may not be specified when `type` is \'Pod\'',
      'spec.limits[2].maxLimitRequestRatio[memory]: Invalid value: "0.5": ratio 0.5 is less than 1',
      'spec.limits[3].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
      'spec.limits[4].type: Invalid value: "Node": must be a standard limit type or fully qualified',
    ]);
  });

  test('a PersistentVolumeClaim, and a pod\'s ephemeral volume claim, need an access mode and a storage request above zero', () => {
    const pvc = (spec: any) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'weights', namespace: 'ml' }, spec });
    expect(errorsOf(pvc({ accessModes: ['ReadOnlyMany'], resources: { requests: { storage: '500Gi' } }, storageClassName: 'efs' }))).toEqual([]);
    expect(errorsOf(pvc({ accessModes: [], resources: { requests: { storage: 0 } } }))).toEqual([
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    ]);
    const scratch = (spec: any) => workloadOf({ ...vllm, volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec } } }] });
    expect(errorsOf(scratch({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } } }))).toEqual([]);
    expect(errorsOf(scratch({ accessModes: ['ReadWriteOnce'] }))).toEqual([
      'spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Required value',
    ]);
  });
});
