/**
 * The schema gate's precompiled cache (src/schema/schema-cache.ts) against the runtime compiler: the same verdicts and
 * messages, object for object, over the rule fixtures, every cdk8s example's objects, and wrong-typed variants of them;
 * and the cache is only used for what it was built from (a CRD changed or added after the build is compiled at runtime).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import * as fc from 'fast-check';
import { parseManifests } from './schema';
import { celEnvironment, CHECKED_AT_BUILD, markCheckedRules } from '../../src/schema/cel';
import { openSchemaCache } from '../../src/schema/schema-cache';
import { writeSchemaCache } from '../../src/schema/schema-cache-writer';
import { collectRules } from '../../src/schema/structural';
import { deepClone, isPlainJson, PACKAGED_CRDS_DIR, SchemaValidator, SchemaValidatorOptions } from '../../src/schema/validator';
import { cdk8sExamples } from '../examples/helpers';

jest.setTimeout(600_000);

let tmp: string;
let cacheDir: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-cache-test-'));
  cacheDir = path.join(tmp, 'cache');
  writeSchemaCache(cacheDir);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every object of every YAML fixture. */
function fixtureObjects(): any[] {
  const out: any[] = [];
  const walk = (dir: string) => {
    for (const f of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, f);
      if (fs.statSync(p).isDirectory()) {walk(p);} else if (/\.ya?ml$/.test(f)) {
        try {
          out.push(...parseManifests(fs.readFileSync(p, 'utf8')));
        } catch {
          // a fixture of malformed YAML: not an object to validate
        }
      }
    }
  };
  walk(path.join(__dirname, '..', 'fixtures'));
  return out;
}

/** Every object every cdk8s example synthesises. */
function exampleObjects(): any[] {
  const out: any[] = [];
  for (const ex of cdk8sExamples()) {
    const dir = fs.mkdtempSync(path.join(tmp, `${ex.name}-`));
    for (const chart of ex.build(dir).charts) out.push(...chart.toJson());
  }
  return out;
}

/** Deterministic wrong-typed and out-of-range variants: at up to `perObject` leaf or inner paths, a replacement value. */
function variants(objs: any[], perObject: number): any[] {
  const replacements: any[] = ['x', -3, 2.5, true, null, [null], { fnord: 1 }, [], {}];
  const out: any[] = [];
  objs.forEach((o, n) => {
    const paths: string[][] = [];
    const walk = (v: any, at: string[]) => {
      if (at.length > 0 && at[0] !== 'apiVersion' && at[0] !== 'kind') paths.push(at);
      if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k], [...at, k]);
    };
    walk(o, []);
    const step = Math.max(1, Math.floor(paths.length / perObject));
    for (let i = (n % step); i < paths.length; i += step) {
      const copy = JSON.parse(JSON.stringify(o));
      let cur = copy;
      const p = paths[i];
      for (const k of p.slice(0, -1)) cur = cur[k];
      cur[p[p.length - 1]] = replacements[(i + n) % replacements.length];
      out.push(copy);
    }
    // an unknown field at the root and in spec, as strict field validation reports them
    out.push({ ...JSON.parse(JSON.stringify(o)), fnord: 1 });
    if (o.spec && typeof o.spec === 'object') out.push({ ...o, spec: { ...o.spec, specFnord: 'x' } });
  });
  return out;
}

/** Hand-written invalid objects (each a different kind of violation). */
const INVALID: any[] = [
  // duplicate key of a list-type map
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', namespace: 'm' }, spec: { groups: [{ name: 'a', rules: [] }, { name: 'a', rules: [] }] } },
  // Karpenter v1beta1's policy name, and a CEL rule on requirements
  {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'p' },
    spec: {
      disruption: { consolidationPolicy: 'WhenUnderutilized' },
      template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'c' }, requirements: [{ key: 'a', operator: 'Gt', values: ['x', 'y'] }] } },
    },
  },
  // a misspelt container field
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', resource: { limits: { 'nvidia.com/gpu': 1 } } }] } } },
  },
  // bad names, labels, quantity, negative replicas
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'Bad_Name', namespace: 'n', labels: { 'a/b/c': 'x' } },
    spec: { replicas: -1, selector: {}, template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 'lots' } } }] } } },
  },
  'not an object', [1, 2], { kind: 'Deployment' }, { apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'u' } },
];

function verdict(v: SchemaValidator, o: any): any {
  try {
    return v.check(o);
  } catch (e) {
    return { threw: String((e as Error)?.message ?? e) };
  }
}

describe.each<[string, SchemaValidatorOptions]>([
  ['the gate (lint, plan, GpuValidation)', {}],
  ['the tests\' harness options', { strictCel: true, namespaceOnClusterScoped: true, extendedResources: true }],
])('precompiled and runtime-compiled schemas agree: %s', (_name, options) => {
  test('same verdict and messages for fixtures, example objects, their wrong-typed variants and hand-written invalid objects', () => {
    const fast = new SchemaValidator({ ...options, schemaCacheDir: cacheDir });
    const slow = new SchemaValidator({ ...options, precompiled: false });
    const base = [...fixtureObjects(), ...exampleObjects()];
    const corpus = [...base, ...variants(base, 6), ...INVALID];
    // (a copy made in this realm: structuredClone's objects would have the other realm's prototypes under jest)
    const copy = (v: any): any => (Array.isArray(v) ? v.map(copy) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) : v);
    const before = corpus.map(copy);
    const differ: string[] = [];
    let invalid = 0;
    let known = 0;
    for (const o of corpus) {
      const a = verdict(fast, o);
      const b = verdict(slow, o);
      if (!isDeepStrictEqual(a, b)) differ.push(`${JSON.stringify(o).slice(0, 200)}\n  precompiled: ${JSON.stringify(a)}\n  runtime:     ${JSON.stringify(b)}`);
      if (a.known) known++;
      if (a.threw || a.errors?.length) invalid++;
    }
    expect(differ.slice(0, 5)).toEqual([]);
    // Neither path writes to the objects it checks (ajv's defaults go into a copy).
    expect(corpus.map((o, i) => (isDeepStrictEqual(o, before[i]) ? '' : `${JSON.stringify(before[i]).slice(0, 300)} became ${JSON.stringify(o).slice(0, 300)}`)).filter(Boolean).slice(0, 3)).toEqual([]);
    // The corpus exercises both outcomes over many kinds, and the precompiled validator never compiled anything.
    expect(known).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(500);
    expect(corpus.length - invalid).toBeGreaterThan(200);
    expect((fast as any).ajv).toBeUndefined();
    expect((slow as any).ajv).toBeDefined();
    expect(fast.knownKinds()).toEqual(slow.knownKinds());
    for (const gvk of slow.knownKinds()) {
      const at = gvk.lastIndexOf('/');
      expect(fast.schemaSource(gvk.slice(0, at), gvk.slice(at + 1))).toBe(slow.schemaSource(gvk.slice(0, at), gvk.slice(at + 1)));
    }
  });
});

describe('the cache is used only for what it was built from', () => {
  const nodePool = (policy: string) => ({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'p' },
    spec: { disruption: { consolidationPolicy: policy, consolidateAfter: '1m' }, template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'c' }, requirements: [] } } },
  });

  test('a CRD file changed after the build is compiled at runtime; a CRD added is picked up', () => {
    const crds = path.join(tmp, 'crds-changed');
    fs.cpSync(PACKAGED_CRDS_DIR, crds, { recursive: true });
    const file = path.join(crds, 'karpenter.sh_nodepools.yaml');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('- WhenEmptyOrUnderutilized');
    fs.writeFileSync(file, text.replace(/^ *- WhenEmptyOrUnderutilized\n/m, ''));
    fs.writeFileSync(path.join(crds, 'example.com_widgets.yaml'), [
      'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: widgets.example.com}',
      'spec:', '  group: example.com', '  names: {kind: Widget, plural: widgets}', '  scope: Namespaced', '  versions:',
      '  - name: v1', '    served: true', '    storage: true', '    schema:', '      openAPIV3Schema:', '        type: object',
      '        properties:', '          spec: {type: object, properties: {size: {type: integer, minimum: 1}}}', '',
    ].join('\n'));

    const packaged = new SchemaValidator({ schemaCacheDir: cacheDir });
    const changed = new SchemaValidator({ schemaCacheDir: cacheDir, crdDirs: [crds] });
    expect(packaged.check(nodePool('WhenEmptyOrUnderutilized')).errors).toEqual([]);
    expect(changed.check(nodePool('WhenEmptyOrUnderutilized')).errors).toEqual([
      'spec.disruption.consolidationPolicy: Unsupported value: "WhenEmptyOrUnderutilized": supported values: "WhenEmpty", "Balanced"',
    ]);
    expect(changed.check({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'n' }, spec: { size: 0 } }).errors)
      .toEqual(['spec.size: Invalid value: 0: must be >= 1']);
    // The unchanged files still come from the cache: EC2NodeClass compiles nothing at runtime.
    const unchangedOnly = new SchemaValidator({ schemaCacheDir: cacheDir, crdDirs: [crds], coreKinds: false });
    unchangedOnly.check({ apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name: 'c' }, spec: {} });
    expect((unchangedOnly as any).ajv).toBeUndefined();
    unchangedOnly.check(nodePool('WhenEmpty'));
    expect((unchangedOnly as any).ajv).toBeDefined();
  });

  test('a cache of another format or built from other converter sources or versions is ignored', () => {
    expect(openSchemaCache(cacheDir)).toBeDefined();
    expect(openSchemaCache(path.join(tmp, 'nowhere'))).toBeUndefined();
    const index = JSON.parse(fs.readFileSync(path.join(cacheDir, 'index.json'), 'utf8'));
    const variant = (name: string, edit: (i: any) => void) => {
      const dir = path.join(tmp, name);
      fs.cpSync(cacheDir, dir, { recursive: true });
      const copy = JSON.parse(JSON.stringify(index));
      edit(copy);
      fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(copy));
      return dir;
    };
    expect(openSchemaCache(variant('format', (i) => { i.format = 0; }))).toBeUndefined();
    expect(openSchemaCache(variant('code', (i) => { i.fingerprint.code = 'other'; }))).toBeUndefined();
    expect(openSchemaCache(variant('ajv', (i) => { i.fingerprint.ajv = '0.0.0'; }))).toBeUndefined();
    // Other cdk8s-plus-30 bindings: the core kinds compile at runtime, the CRDs still come from the cache.
    const otherCore = openSchemaCache(variant('core', (i) => { i.fingerprint.cdk8sPlus = '0.0.0'; }))!;
    expect(otherCore.coreEntries()).toBeUndefined();
    const file = 'karpenter.sh_nodepools.yaml';
    expect(otherCore.crdEntries(file, path.join(PACKAGED_CRDS_DIR, file))?.map((e) => e.kind)).toEqual(['NodePool']);
    const changed = path.join(tmp, 'changed-crds', file);
    fs.mkdirSync(path.dirname(changed), { recursive: true });
    fs.writeFileSync(changed, 'changed');
    expect(otherCore.crdEntries(file, changed)).toBeUndefined();
    // Another cel-js: the CRDs' rules were type-checked with the old one, so the CRDs compile at runtime.
    const otherCel = openSchemaCache(variant('cel', (i) => { i.fingerprint.celJs = '0.0.0'; }))!;
    expect(otherCel.coreEntries()).toBeDefined();
    expect(otherCel.crdEntries(file, path.join(PACKAGED_CRDS_DIR, file))).toBeUndefined();
  });

  test('the cached CRD rules carry the build\'s type-check verdict, and only those that pass it', () => {
    const file = 'karpenter.sh_nodepools.yaml';
    const [entry] = openSchemaCache(cacheDir)!.crdEntries(file, path.join(PACKAGED_CRDS_DIR, file))!;
    const rules = collectRules(entry.load!().structural).map((r) => r.rule);
    expect(rules.length).toBeGreaterThan(5);
    const env = celEnvironment();
    for (const r of rules) {
      const passes = !/\boldSelf\b/.test(r.rule) && [r.rule, r.messageExpression].filter(Boolean).every((e: string) => env.check(e).valid);
      expect(r[CHECKED_AT_BUILD] === true).toBe(passes);
    }
    // A rule the check refuses stays unmarked, so the runtime still refuses it (skipped, as without the cache).
    const marked = markCheckedRules({ 'x-kubernetes-validations': [{ rule: '1 + \'a\' == 2' }, { rule: 'self.size() > 0' }] });
    expect(marked['x-kubernetes-validations'].map((r: any) => r[CHECKED_AT_BUILD] === true)).toEqual([false, true]);
  });
});

test('the workload controllers share one validation module, run once for all of them; other kinds have their own', () => {
  const index = JSON.parse(fs.readFileSync(path.join(cacheDir, 'index.json'), 'utf8'));
  const moduleOf = (gvk: string) => index.core.find((k: any) => `${k.apiVersion}/${k.kind}` === gvk)?.module;
  const shared = ['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'batch/v1/Job', 'batch/v1/CronJob'];
  expect(new Set(shared.map(moduleOf))).toEqual(new Set(['core/pod-workloads.js']));
  expect(moduleOf('v1/Pod')).toBe('core/v1_Pod.js');

  const dir = path.join(tmp, 'shared-module');
  fs.cpSync(cacheDir, dir, { recursive: true });
  const entries = openSchemaCache(dir)!.coreEntries()!;
  const load = (kind: string) => entries.find((e) => e.apiVersion.endsWith('v1') && e.kind === kind)!.load!().validate;
  const deployment = load('Deployment');
  fs.rmSync(path.join(dir, 'core', 'pod-workloads.js')); // read once: the other kinds need it no more
  const daemonSet = load('DaemonSet');
  // each export validates its own kind
  const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const spec = { selector: { matchLabels: { app: 'a' } }, template };
  expect(deployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec })).toBe(true);
  expect(daemonSet({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'a' }, spec })).toBe(true);
  expect(daemonSet({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec })).toBe(false);
});

test('the cache is build output: git-ignored, built by compile, shipped in the npm package', () => {
  const root = path.join(__dirname, '..', '..');
  expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n')).toContain('/schema-cache/');
  // npm packs every file .npmignore does not exclude (there is no "files" list)
  expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).files).toBeUndefined();
  // ... except what the gate keeps between processes on one machine (src/schema/runtime-cache.ts)
  expect(fs.readFileSync(path.join(root, '.npmignore'), 'utf8').split('\n').filter((l) => /schema-cache/.test(l))).toEqual(['/schema-cache/runtime/']);
  const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks;
  expect(tasks.compile.steps).toContainEqual({ spawn: 'schema-cache' });
});

describe('the copy each object is validated on', () => {
  const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `${x}` : x)));
  const same = (v: unknown): boolean => {
    let expected: unknown;
    try {
      expected = viaJson(v);
    } catch (e) {
      expect(() => deepClone(v)).toThrow((e as Error).constructor as any);
      return true;
    }
    return isDeepStrictEqual(deepClone(v), expected);
  };

  test('is the JSON round trip\'s copy (non-finite numbers as strings), whatever the value; plain JSON data is copied as it is', () => {
    fc.assert(fc.property(fc.anything({
      key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toJSON', '0', '-1')),
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withSparseArray: true,
      withNullPrototype: true,
      withTypedArray: true,
      withBigInt: true,
      withObjectString: true,
    }).filter((v) => v !== undefined), (v) => same(v) && (!isPlainJson(v) || isDeepStrictEqual(deepClone(v), v))), { numRuns: 2000 });
  });

  test('the cases the fast copy hands back to JSON', () => {
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    for (const v of [
      { n: -0, i: Infinity, m: -Infinity, x: NaN }, [undefined, () => 1, Symbol('s')], sparse, { d: new Date(0) },
      { toJSON: () => 'x' }, { b: 1n }, cyclic, JSON.parse('{"__proto__": {"polluted": 1}}'), { f: () => 1, u: undefined },
    ]) {
      expect(same(v)).toBe(true);
      expect(isPlainJson(v)).toBe(false);
    }
    expect(({} as any).polluted).toBeUndefined();
  });

  test('a toJSON JSON would call is found wherever it is: own and not enumerable, or on a polluted Object.prototype', () => {
    const hidden = { a: 1 };
    Object.defineProperty(hidden, 'toJSON', { value: () => 'hidden', enumerable: false });
    expect(isPlainJson(hidden)).toBe(false);
    expect(deepClone({ x: hidden })).toEqual({ x: 'hidden' });
    expect(isPlainJson({ toJSON: 'a string' })).toBe(true); // not a function: JSON writes it as a field
    const proto = Object.prototype as any;
    proto.toJSON = function () { return 'polluted'; };
    try {
      expect(isPlainJson({ a: 1 })).toBe(false);
      expect(deepClone({ a: 1 })).toBe('polluted');
    } finally {
      delete proto.toJSON;
    }
    expect(isPlainJson({ a: 1 })).toBe(true);
    proto.extra = 1; // an enumerable property every object inherits: JSON leaves it out, the copy must too
    try {
      expect(isPlainJson({ a: 1 })).toBe(false);
      expect(Object.keys(deepClone({ a: { b: 2 } }))).toEqual(['a']);
      expect(deepClone({ a: { b: 2 } })).toEqual({ a: { b: 2 } });
    } finally {
      delete proto.extra;
    }
  });
});
