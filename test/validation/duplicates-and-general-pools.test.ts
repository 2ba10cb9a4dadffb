import * as fc from 'fast-check';
import { DEFAULT_NODE_CLASS, GPU_TOLERATION, lint, nodePool, of, parseYaml, workload } from './helpers';
import { readInputs } from '../../src/cli/yaml-input';
import { Severity, validateManifests } from '../../src/validation';
import { params } from '../property/arbitraries';
import { describeWithShared, sharedPath } from '../shared-data';

describe('GPU007 an object is defined only once', () => {
  const cm = (name: string, namespace?: string, data: Record<string, string> = { a: '1' }, apiVersion = 'v1') =>
    ({ apiVersion, kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data });

  test('a repeated NodePool is an error on the later copy, naming the first and the fields it would drop', () => {
    const yaml = [
      'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: gpu}\nspec:\n  limits: {nvidia.com/gpu: 8}\n  template:\n    spec:\n'
        + '      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}\n'
        + '      taints: [{key: nvidia.com/gpu, effect: NoSchedule}]\n',
      'apiVersion: karpenter.sh/v1beta1\nkind: NodePool\nmetadata: {name: gpu}\nspec:\n  disruption: {consolidateAfter: 30s}\n',
    ].join('---\n');
    const manifests = parseYaml(yaml, 'pools.yaml');
    const [f, ...rest] = of(validateManifests(manifests), 'GPU007');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.object).toMatchObject({ kind: 'NodePool', name: 'gpu', apiVersion: 'karpenter.sh/v1beta1' });
    expect(f.source).toEqual({ file: 'pools.yaml', line: 11 });
    expect(f.fieldPath).toBe('metadata.name');
    expect(f.message).toBe('is the 2nd definition of NodePool gpu (karpenter.sh), first defined at pools.yaml:1; '
      + 'kubectl apply keeps only the last one, so spec.limits, spec.template of the first would be removed');
  });

  test('every later copy is reported once, with its ordinal; identical copies are still reported', () => {
    const fs3 = of(lint([cm('x', 'a'), cm('x', 'a', { a: '2' }), cm('x', 'a')]), 'GPU007');
    expect(fs3.map((f) => f.message.slice(0, 30))).toEqual(['is the 2nd definition of Confi', 'is the 3rd definition of Confi']);
    expect(fs3[0].message).toContain('the first\'s values are overwritten');
    expect(fs3[1].message).toContain('identical apart from metadata');
    expect(fs3[0].message).toContain('first defined earlier in these manifests'); // no source known
  });

  test('different namespace, kind, group or name are different objects; the version is not part of the identity', () => {
    expect(of(lint([cm('x', 'a'), cm('x', 'b'), cm('y', 'a'), { ...cm('x', 'a'), kind: 'Secret' }]), 'GPU007')).toEqual([]);
    expect(of(lint([cm('x', 'a'), cm('x', 'a', { a: '1' }, 'example.com/v1')]), 'GPU007')).toEqual([]);
    const dep = (v: string) => ({ ...workload({ name: 'web' }), apiVersion: v });
    expect(of(lint([dep('apps/v1'), dep('apps/v1beta2')]), 'GPU007')).toHaveLength(1);
    // missing namespace and "default" are compared as written
    expect(of(lint([cm('x'), cm('x', 'default')]), 'GPU007')).toEqual([]);
    expect(of(lint([cm('x'), cm('x')]), 'GPU007')).toHaveLength(1);
  });

  test('unnamed objects and the same object passed twice are not duplicates', () => {
    const gen = { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'run-' }, spec: {} };
    const same = cm('x', 'a');
    expect(of(lint([gen, { ...gen }, same, same]), 'GPU007')).toEqual([]);
  });

  test('the finding can be suppressed on the later copy only', () => {
    const later = cm('x', 'a', { a: '2' });
    (later.metadata as any).annotations = { 'cdk8s-gpu.io/suppress': 'GPU007=kustomize overlay merges it' };
    expect(of(lint([cm('x', 'a'), later]), 'GPU007')).toEqual([]);
  });

  test('over objects sharing names across kinds, groups and namespaces, each later copy of an identity is reported with its ordinal', () => {
    // A small domain, so names are shared by several identities (the rule's slower path) and identities repeat.
    const object = fc.record({
      name: fc.constantFrom('x', 'y'),
      namespace: fc.constantFrom(undefined, 'a', 'b'),
      kind: fc.constantFrom('ConfigMap', 'Secret'),
      apiVersion: fc.constantFrom('v1', 'example.com/v1', 'example.com/v2'),
    });
    fc.assert(fc.property(fc.array(object, { maxLength: 24 }), (specs) => {
      const objects = specs.map((o, i) => ({ ...cm(o.name, o.namespace, { i: String(i) }, o.apiVersion), kind: o.kind }));
      // The oracle: the identity is (API group, kind, namespace as written, name); the n-th copy of one is reported.
      const seen = new Map<string, number>();
      const expected: string[] = [];
      for (const o of specs) {
        const id = JSON.stringify([o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '', o.kind, o.namespace ?? '', o.name]);
        const n = (seen.get(id) ?? 0) + 1;
        seen.set(id, n);
        if (n > 1) expected.push(`${o.kind} ${o.namespace ?? ''}/${o.name} #${n}`);
      }
      const found = of(lint(objects), 'GPU007')
        .map((f) => `${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name} #${/the (\d+)\w\w definition/.exec(f.message)![1]}`);
      expect(found).toEqual(expected);
    }), params(300));
  });
});

describe('GPU008 a general pool that admits GPU types must exclude them or be tainted', () => {
  const gpu008 = (o: Parameters<typeof nodePool>[0]) => of(lint([nodePool({ limits: {}, ...o }), DEFAULT_NODE_CLASS]), 'GPU008');

  test.each([
    ['no requirements', []],
    ['arch only', [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]],
    ['category NotIn [t]', [{ key: 'karpenter.k8s.aws/instance-category', operator: 'NotIn', values: ['t'] }]],
    ['generation > 4', [{ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] }]],
  ])('an untainted pool with %s warns at its requirements, with the fix', (_, requirements) => {
    const [f, ...rest] = gpu008({ requirements, taints: [] });
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.WARNING);
    expect(f.fieldPath).toBe('spec.template.spec.requirements');
    expect(f.message).toMatch(/may launch any of \d+ GPU instance types .*\$\d+\.\d\d\/h on demand.*no NoSchedule\/NoExecute taint/);
    expect(f.remediation).toContain('karpenter.k8s.aws/instance-gpu-count, operator: DoesNotExist');
    expect(f.remediation).toContain('instance-category NotIn [g, p]');
  });

  test.each([
    ['excludes GPU types by gpu-count DoesNotExist', { requirements: [{ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'DoesNotExist' }], taints: [] }],
    ['excludes categories g and p', { requirements: [{ key: 'karpenter.k8s.aws/instance-category', operator: 'NotIn', values: ['g', 'p'] }], taints: [] }],
    ['selects CPU categories', { requirements: [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] }], taints: [] }],
    ['is tainted (NoSchedule)', { requirements: [], taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] }],
    ['is tainted (NoExecute)', { requirements: [], taints: [{ key: 'nvidia.com/gpu', effect: 'NoExecute' }] }],
  ])('silent when the pool %s', (_, o) => {
    expect(gpu008(o)).toEqual([]);
  });

  test('PreferNoSchedule or startupTaints do not protect the pool', () => {
    expect(gpu008({ requirements: [], taints: [{ key: 'nvidia.com/gpu', effect: 'PreferNoSchedule' }] })).toHaveLength(1);
    expect(gpu008({ requirements: [], taints: [], startupTaints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] })).toHaveLength(1);
  });

  test('GPU003 and GPU008 never both fire, and together cover every untainted pool that offers GPUs', () => {
    const variants: any[][] = [
      [],
      [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }],
      [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g6'] }],
      [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'g'] }],
      [{ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] }],
      [{ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] }],
      [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c'] }],
      [{ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'DoesNotExist' }],
    ];
    for (const requirements of variants) {
      const findings = lint([nodePool({ requirements, taints: [] }), DEFAULT_NODE_CLASS]);
      const fired = ['GPU003', 'GPU008'].filter((id) => of(findings, id).length > 0);
      // a GPU pod tolerating nothing is placed by GPU002 on any untainted pool offering GPUs: the same notion of "offers"
      const gpuPodPlaced = of(lint([nodePool({ requirements, taints: [] }), workload({ limits: { 'nvidia.com/gpu': 1 } })]), 'GPU002').length === 0;
      expect({ requirements, fired: fired.length }).toEqual({ requirements, fired: gpuPodPlaced ? 1 : 0 });
    }
  });

  test('GPU pods still tolerate such a pool (GPU002 counts it as offering GPUs), and the warning explains the risk', () => {
    const general = nodePool({ name: 'default', requirements: [], taints: [] });
    const findings = lint([general, workload({ limits: { 'nvidia.com/gpu': 1 }, tolerations: [GPU_TOLERATION] })]);
    expect(of(findings, 'GPU002')).toEqual([]);
    expect(of(findings, 'GPU008')[0].message).toMatch(/CPU pods can fill a GPU node it launches for a GPU pod/);
  });
});

describeWithShared('seed 001 ("Consolidation" sample reuses NodePool gpu-inference-pool)', ['seeds/001_e816ecc32d230f73.txt'], () => {
  test('GPU007 reports the second gpu-inference-pool; GPU008 warns that the copy admits GPU types untainted', async () => {
    const input = await readInputs([sharedPath('seeds/001_e816ecc32d230f73.txt')]);
    // With the schema gate on, the copy (a disruption block only) is refused by the CRD: GPU009, and no other rule.
    const gated = validateManifests(input.manifests);
    expect(of(gated, 'GPU009').map((f) => `${f.object.name} ${f.fieldPath}: ${f.message}`)).toContain('gpu-inference-pool spec.template: Required value');
    expect(of(gated, 'GPU007')).toEqual([]);
    const findings = validateManifests(input.manifests, { schemaGate: false });
    const dup = of(findings, 'GPU007');
    expect(dup).toHaveLength(1);
    expect(dup[0].object.name).toBe('gpu-inference-pool');
    expect(dup[0].message).toMatch(/2nd definition of NodePool gpu-inference-pool .*first defined at .*001_e816ecc32d230f73\.txt:\d+; .*spec\.template/);
    const general = of(findings, 'GPU008');
    expect(general.map((f) => f.object.name)).toContain('gpu-inference-pool');
    expect(general.find((f) => f.object.name === 'gpu-inference-pool')!.source!.line).toBe(dup[0].source!.line);
  });
});
