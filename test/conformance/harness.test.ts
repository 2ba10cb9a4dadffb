import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { CelHarnessError, compileRule, evaluateRule } from './cel';
import { SHARED_CRDS_DIR, crdsAvailable, expectValid, knownKinds, objectId, parseManifests, schemaSource, validateObject } from './schema';
import { collectRules } from './structural';
import { describeWithShared, sharedPath } from '../shared-data';

const REAL_WORLD = sharedPath('reference/real-world');
const SEEDS = sharedPath('seeds');

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** A NodePool that is valid against karpenter.sh_nodepools.yaml (v1.14.1). */
const NODE_POOL = {
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'gpu-a100', labels: { 'app.kubernetes.io/part-of': 'cdk8s-gpu' } },
  spec: {
    template: {
      metadata: { labels: { 'cdk8s-gpu/pool': 'a100' } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' },
        requirements: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p4d.24xlarge'] },
          { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        ],
        taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
      },
    },
    limits: { 'nvidia.com/gpu': 64 },
    disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m', budgets: [{ nodes: '10%' }] },
    weight: 10,
  },
};

function nodePool(mutate: (np: any) => void): any {
  const np = clone(NODE_POOL);
  mutate(np);
  return np;
}

/** A Deployment valid for the API server (cdk8s-plus-30 k8s 1.30 schema + semantic checks). */
const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'llm', namespace: 'inference' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'llm' } },
    template: {
      metadata: { labels: { app: 'llm' } },
      spec: {
        containers: [{
          name: 'vllm',
          image: 'vllm/vllm-openai:v0.6.0',
          ports: [{ name: 'http', containerPort: 8000 }],
          resources: { limits: { 'nvidia.com/gpu': 1, 'memory': '32Gi' }, requests: { cpu: '4', memory: '16Gi' } },
          volumeMounts: [{ name: 'shm', mountPath: '/dev/shm' }],
        }],
        volumes: [{ name: 'shm', emptyDir: { medium: 'Memory' } }],
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        nodeSelector: { 'karpenter.sh/nodepool': 'gpu-a100' },
      },
    },
  },
};

function deployment(mutate: (d: any) => void): any {
  const d = clone(DEPLOYMENT);
  mutate(d);
  return d;
}

/** Every error must start with the JSON path of the offending field. */
function expectError(obj: any, at: string, fragment: string | RegExp): void {
  const errs = validateObject(obj);
  const hit = errs.find((e) => e.startsWith(`${at}: `) || e.startsWith(`${at}.`) || e.startsWith(`${at}[`));
  if (!hit) throw new Error(`expected an error at ${at}, got:\n${errs.join('\n') || '(none)'}`);
  expect(errs.filter((e) => (typeof fragment === 'string' ? e.includes(fragment) : fragment.test(e)))).not.toHaveLength(0);
}

describe('knownKinds', () => {
  test('covers every built-in kind the library emits', () => {
    const kinds = knownKinds();
    for (const k of ['apps/v1/Deployment', 'v1/Service', 'apps/v1/DaemonSet', 'batch/v1/Job', 'batch/v1/CronJob',
      'apps/v1/StatefulSet', 'v1/ConfigMap', 'v1/Secret', 'v1/Namespace', 'v1/ServiceAccount', 'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/RoleBinding', 'rbac.authorization.k8s.io/v1/ClusterRole', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'scheduling.k8s.io/v1/PriorityClass', 'v1/ResourceQuota', 'v1/LimitRange', 'policy/v1/PodDisruptionBudget',
      'autoscaling/v2/HorizontalPodAutoscaler', 'networking.k8s.io/v1/NetworkPolicy', 'v1/PersistentVolumeClaim', 'v1/Pod']) {
      expect(kinds).toContain(k);
    }
    expect(schemaSource('apps', 'Deployment')).toBeUndefined();
    expect(schemaSource('apps/v1', 'Deployment')).toMatch(/cdk8s-plus-30/);
  });

  test('an unknown kind or a missing apiVersion is an error, not a pass', () => {
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })[0]).toMatch(/no schema for example.com\/v1\/Widget/);
    expect(validateObject({ apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'w' } })[0]).toMatch(/known versions of Deployment: apps\/v1/);
    expect(validateObject({ kind: 'Deployment' })[0]).toMatch(/apiVersion and kind/);
  });
});

describeWithShared('CRD kinds', ['reference/crds'], () => {
  test('with ../shared present the harness has its CRDs: custom resources are validated, never skipped', () => {
    expect(crdsAvailable()).toBe(true);
  });

  test('every served CRD version is known', () => {
    expect(knownKinds()).toEqual(expect.arrayContaining([
      'karpenter.sh/v1/NodePool', 'karpenter.sh/v1/NodeClaim', 'karpenter.k8s.aws/v1/EC2NodeClass',
      'keda.sh/v1alpha1/ScaledObject', 'keda.sh/v1alpha1/ScaledJob', 'keda.sh/v1alpha1/TriggerAuthentication',
      'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PodMonitor', 'monitoring.coreos.com/v1/PrometheusRule',
      'nvidia.com/v1/ClusterPolicy', 'nvidia.com/v1alpha1/NVIDIADriver',
      'kueue.x-k8s.io/v1beta2/ClusterQueue', 'kueue.x-k8s.io/v1beta2/LocalQueue', 'kueue.x-k8s.io/v1beta2/ResourceFlavor',
      'kueue.x-k8s.io/v1beta2/WorkloadPriorityClass', 'kueue.x-k8s.io/v1beta2/Cohort',
    ]));
  });

  test('Kueue v1beta2 kinds: schema and CEL rules apply (a borrowing limit needs a cohort)', () => {
    const cq = {
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      kind: 'ClusterQueue',
      metadata: { name: 'team-a' },
      spec: {
        namespaceSelector: {},
        resourceGroups: [{ coveredResources: ['nvidia.com/gpu'], flavors: [{ name: 'h100', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 8, borrowingLimit: 4 }] }] }],
      },
    };
    expect(validateObject({ ...cq, spec: { ...cq.spec, cohortName: 'gpus' } })).toEqual([]);
    expect(validateObject(cq).join('\n')).toMatch(/borrowingLimit must be nil when cohort is empty/);
    const uneven = clone(cq);
    uneven.spec.resourceGroups[0].coveredResources.push('cpu');
    expect(validateObject(uneven).join('\n')).toMatch(/same number of resources as the coveredResources/);
    expect(validateObject({ apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: 'q', namespace: 'a' }, spec: { clusterQueue: 'Team_A' } }).join('\n')).toMatch(/spec.clusterQueue/);
  });

  test('every CEL rule in every CRD is understood by the harness (no unsupported function)', () => {
    let count = 0;
    const failures: string[] = [];
    for (const f of fs.readdirSync(SHARED_CRDS_DIR).filter((x) => x.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(SHARED_CRDS_DIR, f), 'utf8'))) {
        const crd = doc.toJS();
        for (const v of crd?.spec?.versions ?? []) {
          for (const { pointer, rule } of collectRules(v.schema?.openAPIV3Schema)) {
            count++;
            try {
              compileRule(rule);
            } catch (e: any) {
              failures.push(`${f} ${pointer}: ${e.message}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(40); // 43 rules in the v1.14.1/v2.20.2/v26.7.0 CRDs
  });
});

describe('CEL engine', () => {
  test('an unsupported function fails loudly instead of passing', () => {
    expect(() => compileRule({ rule: 'self.quantityFoo() > 1', message: 'x' })).toThrow(CelHarnessError);
    expect(() => compileRule({ rule: 'fnord(self)', message: 'x' })).toThrow(/not supported by the harness/);
  });

  test('Kubernetes extension functions behave like the API server', () => {
    const ok = (rule: string, self: any) => evaluateRule(compileRule({ rule }), self).ok;
    expect(ok("self.find('^([^/]+)') == 'karpenter.sh'", 'karpenter.sh/nodepool')).toBe(true);
    expect(ok("self.find('^[^@]+') == 'al2023'", 'al2023@latest')).toBe(true);
    expect(ok("self.find('x') == ''", 'abc')).toBe(true);
    expect(ok("self.findAll('[0-9]') == ['1', '2']", 'a1b2')).toBe(true);
    expect(ok("self.split('@')[1] == 'latest'", 'al2@latest')).toBe(true);
    expect(ok("self.replace('a', 'b') == 'bbc'", 'abc')).toBe(true);
    expect(ok("self.charAt(1) == 'b'", 'abc')).toBe(true);
    expect(ok('self.isSorted() && self.sum() == 6 && self.min() == 1 && self.max() == 3', [1n, 2n, 3n])).toBe(true);
    expect(ok("self.all(k, k != '' && self[k] != '')", { a: 'b' })).toBe(true);
    expect(ok("self.all(k, k != '' && self[k] != '')", { a: '' })).toBe(false);
  });

  test('a data-dependent evaluation error is a violation; transition rules are skipped', () => {
    const out = evaluateRule(compileRule({ rule: 'int(self) >= 0', message: 'm' }), 'abc');
    expect(out.ok).toBe(false);
    expect(!out.ok && out.message).toMatch(/rule evaluation error/);
    expect(evaluateRule(compileRule({ rule: 'self == oldSelf', message: 'immutable' }), 'x').ok).toBe(true);
  });

  test('messageExpression replaces message when it evaluates', () => {
    const out = evaluateRule(compileRule({ rule: 'self > 1', message: 'static', messageExpression: "'got ' + string(self)" }), 0n);
    expect(!out.ok && out.message).toBe('got 0');
  });
});

describeWithShared('Karpenter NodePool (schema + CEL)', ['reference/crds'], () => {
  test('the base NodePool is valid', () => {
    expect(validateObject(NODE_POOL)).toEqual([]);
  });

  test('defaults are applied before CEL, as the API server does (no disruption block at all)', () => {
    expect(validateObject(nodePool((np) => { delete np.spec.disruption; delete np.spec.weight; }))).toEqual([]);
    // A budget without `nodes` (required, default 10%) is valid only once the default is in.
    expect(validateObject(nodePool((np) => { np.spec.disruption.budgets = [{ schedule: '@daily', duration: '10m' }]; }))).toEqual([]);
    // A CEL rule reading a defaulted field sees the default (a made-up CRD: no upstream rule reads one today).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-'));
    fs.writeFileSync(path.join(dir, 'widgets.yaml'), [
      'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: widgets.example.com}',
      'spec:', '  group: example.com', '  scope: Namespaced', '  names: {kind: Widget, plural: widgets}', '  versions:',
      '    - name: v1', '      served: true', '      schema:', '        openAPIV3Schema:', '          type: object', '          properties:',
      '            spec:', '              type: object', '              properties:', '                mode: {type: string, default: Fast}',
      '                size: {type: integer}',
      '              x-kubernetes-validations:', '                - {rule: "self.mode == \'Fast\' || has(self.size)", message: size is required unless mode is Fast}',
    ].join('\n'));
    const saved = process.env.CONFORMANCE_CRDS_DIR;
    process.env.CONFORMANCE_CRDS_DIR = dir;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const h = require('./schema');
        const widget = (spec: any) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec });
        expect(h.validateObject(widget({}))).toEqual([]);
        expect(h.validateObject(widget({ mode: 'Slow' }))).toEqual(['spec: Invalid value: "object": size is required unless mode is Fast']);
        expect(h.validateObject(widget({ mode: 'Slow', size: 1 }))).toEqual([]);
      });
    } finally {
      if (saved === undefined) delete process.env.CONFORMANCE_CRDS_DIR;
      else process.env.CONFORMANCE_CRDS_DIR = saved;
    }
  });

  test('rejects an unknown field, with its path', () => {
    expectError(nodePool((np) => { np.spec.template.spec.gpus = 8; }), 'spec.template.spec', 'unknown field "gpus"');
    expectError(nodePool((np) => { np.spec.disruption.consolidationPolicyy = 'WhenEmpty'; }), 'spec.disruption', 'unknown field "consolidationPolicyy"');
    expectError(nodePool((np) => { np.metadata.label = { a: 'b' }; }), 'metadata', 'unknown field "label"');
  });

  test('rejects a wrong type', () => {
    expectError(nodePool((np) => { np.spec.weight = '10'; }), 'spec.weight', 'must be of type integer');
    expectError(nodePool((np) => { np.spec.template.spec.requirements[0].values = 'p4d.24xlarge'; }), 'spec.template.spec.requirements[0].values', 'must be of type array');
  });

  test('rejects a bad enum value', () => {
    expectError(nodePool((np) => { np.spec.disruption.consolidationPolicy = 'WhenIdle'; }), 'spec.disruption.consolidationPolicy', 'Unsupported value: "WhenIdle"');
    expectError(nodePool((np) => { np.spec.template.spec.taints[0].effect = 'NoScheduled'; }), 'spec.template.spec.taints[0].effect', 'Unsupported value');
  });

  test('rejects a weight of 0 and above 100 (minimum/maximum)', () => {
    expectError(nodePool((np) => { np.spec.weight = 0; }), 'spec.weight', 'must be >= 1');
    expectError(nodePool((np) => { np.spec.weight = 101; }), 'spec.weight', 'must be <= 100');
  });

  test('CEL: requirement key karpenter.sh/nodepool and kubernetes.io/hostname are restricted', () => {
    expectError(nodePool((np) => { np.spec.template.spec.requirements[0].key = 'karpenter.sh/nodepool'; }),
      'spec.template.spec.requirements[0].key', 'label "karpenter.sh/nodepool" is restricted');
    expectError(nodePool((np) => { np.spec.template.spec.requirements[0].key = 'kubernetes.io/hostname'; }),
      'spec.template.spec.requirements[0].key', 'label "kubernetes.io/hostname" is restricted');
    expectError(nodePool((np) => { np.spec.template.spec.requirements[0].key = 'karpenter.sh/foo'; }),
      'spec.template.spec.requirements[0].key', 'label domain "karpenter.sh" is restricted');
  });

  test('CEL: restricted labels in the node template', () => {
    expectError(nodePool((np) => { np.spec.template.metadata.labels['karpenter.k8s.aws/foo'] = 'x'; }),
      'spec.template.metadata.labels', 'label domain "karpenter.k8s.aws" is restricted');
    expectError(nodePool((np) => { np.spec.template.metadata.labels['kubernetes.io/hostname'] = 'x'; }),
      'spec.template.metadata.labels', 'restricted');
  });

  test('CEL: Gt needs one non-negative integer; In needs values', () => {
    expectError(nodePool((np) => { np.spec.template.spec.requirements[1].values = ['two']; }),
      'spec.template.spec.requirements', 'rule evaluation error');
    expectError(nodePool((np) => { np.spec.template.spec.requirements[1].values = ['1', '2']; }),
      'spec.template.spec.requirements', 'must have a single positive integer value');
    expectError(nodePool((np) => { np.spec.template.spec.requirements[0].values = []; }),
      'spec.template.spec.requirements', "requirements with operator 'In' must have a value defined");
  });

  test('budgets: bad nodes value (pattern) and schedule without duration (CEL)', () => {
    expectError(nodePool((np) => { np.spec.disruption.budgets = [{ nodes: '110%' }]; }), 'spec.disruption.budgets[0].nodes', 'must match pattern');
    expectError(nodePool((np) => { np.spec.disruption.budgets = [{ nodes: 'ten' }]; }), 'spec.disruption.budgets[0].nodes', 'must match pattern');
    expectError(nodePool((np) => { np.spec.disruption.budgets = [{ nodes: '0', schedule: '0 9 * * 1-5' }]; }),
      'spec.disruption.budgets', "'schedule' must be set with 'duration'");
    expect(validateObject(nodePool((np) => { np.spec.disruption.budgets = [{ nodes: '0', schedule: '0 9 * * 1-5', duration: '8h' }]; }))).toEqual([]);
  });

  test('CEL: static NodePools (replicas) take no weight', () => {
    expectError(nodePool((np) => { np.spec.replicas = 2; }), 'spec', "'weight' is not supported on static NodePools");
    expectError(nodePool((np) => { np.spec.replicas = 2; }), 'spec', "only 'limits.nodes' is supported on static NodePools");
    expect(validateObject(nodePool((np) => { np.spec.replicas = 2; delete np.spec.weight; np.spec.limits = { nodes: 3 }; }))).toEqual([]);
  });

  test('metadata: name must be a DNS-1123 subdomain; label values follow Kubernetes rules', () => {
    expectError(nodePool((np) => { np.metadata.name = 'GPU_Pool'; }), 'metadata.name', 'RFC 1123 subdomain');
    expectError(nodePool((np) => { np.metadata.labels.team = 'a b'; }), 'metadata.labels["team"]', 'valid label');
    expectError(nodePool((np) => { np.metadata.labels['-bad/key'] = 'x'; }), 'metadata.labels', 'prefix part');
    expectError(nodePool((np) => { np.metadata.labels.n = 5; }), 'metadata.labels.n', 'must be of type string');
    expectError(nodePool((np) => { np.metadata.namespace = 'karpenter'; }), 'metadata.namespace', 'cluster-scoped');
    expectError(nodePool((np) => { delete np.metadata.name; }), 'metadata.name', 'Required value');
  });

  test('property: any weight 1..100 is accepted, anything else rejected', () => {
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), (w) => {
      const errs = validateObject(nodePool((np) => { np.spec.weight = w; }));
      return (w >= 1 && w <= 100) === (errs.length === 0);
    }), { numRuns: 300 });
  });

  test('speed: 1,000 NodePools', () => {
    validateObject(NODE_POOL); // compile outside the timing
    const pools = Array.from({ length: 1000 }, (_, i) => nodePool((np) => { np.metadata.name = `pool-${i}`; np.spec.weight = 1 + (i % 100); }));
    const t0 = process.hrtime.bigint();
    let errors = 0;
    for (const p of pools) errors += validateObject(p).length;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`[conformance] validated 1,000 NodePools (schema + CEL) in ${ms.toFixed(0)} ms (${(ms / 1000).toFixed(2)} ms each)`);
    expect(errors).toBe(0);
  });
});

describeWithShared('other CRD kinds', ['reference/crds'], () => {
  const nodeClass = {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: 'gpu' },
    spec: {
      role: 'KarpenterNodeRole-demo',
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'demo' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'demo' } }],
    },
  };
  test('EC2NodeClass: valid, then role+instanceProfile, bad alias, empty tag value (CEL)', () => {
    expect(validateObject(nodeClass)).toEqual([]);
    expectError({ ...clone(nodeClass), spec: { ...clone(nodeClass.spec), instanceProfile: 'p' } }, 'spec', "must specify exactly one of ['role', 'instanceProfile']");
    expectError({ ...clone(nodeClass), spec: { ...clone(nodeClass.spec), amiSelectorTerms: [{ alias: 'ubuntu@latest' }] } }, 'spec.amiSelectorTerms[0].alias', 'family is not supported');
    expectError({ ...clone(nodeClass), spec: { ...clone(nodeClass.spec), subnetSelectorTerms: [{ tags: { a: '' } }] } }, 'spec.subnetSelectorTerms[0].tags', "empty tag keys or values aren't supported");
  });

  const scaledObject = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'llm', namespace: 'inference' },
    spec: {
      scaleTargetRef: { name: 'llm' },
      minReplicaCount: 1,
      maxReplicaCount: 4,
      triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://prometheus:9090', query: 'avg(DCGM_FI_DEV_GPU_UTIL)', threshold: '70' } }],
    },
  };
  test('ScaledObject: valid, then min > max (CEL), trigger metadata must be strings, unknown trigger field', () => {
    expect(validateObject(scaledObject)).toEqual([]);
    expectError({ ...clone(scaledObject), spec: { ...clone(scaledObject.spec), minReplicaCount: 5 } }, 'spec', 'minReplicaCount must be less than or equal to maxReplicaCount');
    expectError({ ...clone(scaledObject), spec: { ...clone(scaledObject.spec), triggers: [{ type: 'prometheus', metadata: { threshold: 70 } }] } }, 'spec.triggers[0].metadata.threshold', 'must be of type string');
    expectError({ ...clone(scaledObject), spec: { ...clone(scaledObject.spec), triggers: [{ type: 'prometheus', metricName: 'x', metadata: {} }] } }, 'spec.triggers[0]', 'unknown field "metricName"');
  });

  test('ServiceMonitor: int-or-string port, duration format, list-map keys', () => {
    const sm = (endpoints: any[]) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'dcgm', namespace: 'gpu' },
      spec: { selector: { matchLabels: { app: 'dcgm-exporter' } }, endpoints },
    });
    expect(validateObject(sm([{ port: 'metrics', interval: '15s' }, { targetPort: 9400 }]))).toEqual([]);
    expect(validateObject(sm([{ targetPort: 'metrics' }]))).toEqual([]);
    expectError(sm([{ targetPort: true }]), 'spec.endpoints[0].targetPort', 'must be of type integer or string');
    expectError(sm([{ port: 'metrics', interval: '15 seconds' }]), 'spec.endpoints[0].interval', 'must match pattern');
  });

  test('NVIDIADriver: a default driver must not use nodeSelector (CEL); immutability rules are skipped', () => {
    const d = {
      apiVersion: 'nvidia.com/v1alpha1',
      kind: 'NVIDIADriver',
      metadata: { name: 'default' },
      spec: { default: true, driverType: 'gpu', image: 'driver', nodeSelector: { a: 'b' } },
    };
    expectError(d, 'spec', 'default NVIDIADriver must not use nodeSelector');
  });
});

describe('built-in kinds (cdk8s-plus-30 k8s schema)', () => {
  test('the base Deployment is valid', () => {
    expect(validateObject(DEPLOYMENT)).toEqual([]);
  });

  test('rejects unknown fields, with wire names (hostIPC, not hostIpc)', () => {
    expectError(deployment((d) => { d.spec.template.spec.containers[0].gpu = 1; }), 'spec.template.spec.containers[0]', 'unknown field "gpu"');
    expectError(deployment((d) => { d.spec.template.spec.hostIpc = true; }), 'spec.template.spec', 'unknown field "hostIpc"');
    expect(validateObject(deployment((d) => { d.spec.template.spec.hostIPC = true; }))).toEqual([]);
  });

  test('rejects wrong types and missing required fields', () => {
    expectError(deployment((d) => { d.spec.replicas = '2'; }), 'spec.replicas', 'must be of type integer');
    expectError(deployment((d) => { d.spec.replicas = 2.5; }), 'spec.replicas', 'must be of type integer');
    expectError(deployment((d) => { d.spec.replicas = -3; }), 'spec.replicas', 'must be >= 0');
    expectError(deployment((d) => { delete d.spec.template.spec.containers[0].name; }), 'spec.template.spec.containers[0].name', 'Required value');
    expectError(deployment((d) => { d.spec.template.spec.containers[0].resources.limits.memory = '32GB'; }), 'spec.template.spec.containers[0].resources.limits.memory', 'must match pattern');
  });

  test('API server checks: enums, selector vs labels, volume mounts, image, GPU requests', () => {
    expectError(deployment((d) => { d.spec.template.spec.containers[0].imagePullPolicy = 'always'; }), 'spec.template.spec.containers[0].imagePullPolicy', 'Unsupported value');
    expectError(deployment((d) => { d.spec.template.spec.restartPolicy = 'Never'; }), 'spec.template.spec.restartPolicy', 'Unsupported value');
    expectError(deployment((d) => { d.spec.selector.matchLabels.app = 'other'; }), 'spec.template.metadata.labels', '`selector` does not match template `labels`');
    expectError(deployment((d) => { d.spec.template.spec.volumes = []; }), 'spec.template.spec.containers[0].volumeMounts[0].name', 'Not found');
    expectError(deployment((d) => { delete d.spec.template.spec.containers[0].image; }), 'spec.template.spec.containers[0].image', 'Required value');
    expectError(deployment((d) => { d.spec.template.spec.containers[0].resources.requests['nvidia.com/gpu'] = 2; }), 'spec.template.spec.containers[0].resources.requests', 'must be equal to nvidia.com/gpu limit');
    expectError(deployment((d) => { d.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = '0.5'; }), 'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]', 'must be an integer');
    expectError(deployment((d) => { d.spec.template.spec.tolerations[0].value = 'true'; }), 'spec.template.spec.tolerations[0].operator', 'value must be empty');
  });

  test('Service names are DNS-1035 labels; multi-port services name their ports', () => {
    const svc = (name: string, ports: any[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'a' }, spec: { selector: { app: 'llm' }, ports } });
    expect(validateObject(svc('llm', [{ port: 80, targetPort: 'http' }]))).toEqual([]);
    expectError(svc('1llm', [{ port: 80 }]), 'metadata.name', 'DNS-1035');
    expectError(svc('llm', [{ port: 80 }, { port: 81, name: 'b' }]), 'spec.ports[0].name', 'Required value');
  });

  test('other kinds: ConfigMap, ClusterRole, PriorityClass, PDB, HPA v2', () => {
    expectValid([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' }, data: { 'config.yaml': 'x: 1' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:dcgm' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'gpu-high' }, value: 1000, preemptionPolicy: 'Never' },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: 'a' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'llm' } } } },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'h', namespace: 'a' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' },
          maxReplicas: 4,
          metrics: [{ type: 'Pods', pods: { metric: { name: 'gpu_util' }, target: { type: 'AverageValue', averageValue: '70' } } }],
        },
      },
    ]);
    expectError({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' } }, 'value', 'Required value');
  });
});

describe('expectValid', () => {
  test('passes on valid objects and lists every error of every invalid object by Kind/name', () => {
    expect(() => expectValid([DEPLOYMENT])).not.toThrow();
    const bad1 = deployment((d) => { d.metadata.name = 'Bad'; d.spec.replicas = 'x'; });
    const bad2 = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' }, dat: {} };
    let message = '';
    try {
      expectValid([DEPLOYMENT, bad1, bad2]);
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toMatch(/2 of 3 object\(s\)/);
    expect(message).toContain('Deployment/inference/Bad:');
    expect(message).toContain('metadata.name: Invalid value: "Bad"');
    expect(message).toContain('spec.replicas: Invalid value: "x"');
    expect(message).toContain('ConfigMap/a/c:');
    expect(message).toContain('unknown field "dat"');
  });
});

describe('without shared/', () => {
  test('CRD kinds without a vendored copy are skipped with a printed reason; vendored CRDs and core kinds still validate', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const saved = process.env.CONFORMANCE_CRDS_DIR;
    process.env.CONFORMANCE_CRDS_DIR = path.join(__dirname, 'no-such-dir');
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const h = require('./schema');
        expect(h.crdsAvailable()).toBe(false);
        // crds/ (vendored for cdk8s import) still judges NodePools, weight 0 included …
        expect(h.knownKinds()).toContain('karpenter.sh/v1/NodePool');
        expect(h.validateObject(NODE_POOL)).toEqual([]);
        expect(h.validateObject({ ...NODE_POOL, spec: { ...NODE_POOL.spec, weight: 0 } })).not.toEqual([]);
        // … and the kinds vendored for the lint gate (ScaledJob, PodMonitor, NodeClaim, NVIDIADriver, Topology), while
        // kinds of those groups that neither folder has (Kueue's Workload) are skipped.
        expect(h.knownKinds()).toContain('keda.sh/v1alpha1/ScaledJob');
        expect(h.validateObject({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'x' }, spec: { bogus: 1 } })).not.toEqual([]);
        expect(h.knownKinds()).not.toContain('kueue.x-k8s.io/v1beta2/Workload');
        expect(h.validateObject({ apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'Workload', metadata: { name: 'x' }, spec: { bogus: 1 } })).toEqual([]);
        expect(h.validateObject(deployment((d) => { d.spec.replicas = 'x'; }))).not.toEqual([]);
      });
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/no-such-dir is absent: custom resources .* are NOT validated/);
    } finally {
      if (saved === undefined) delete process.env.CONFORMANCE_CRDS_DIR;
      else process.env.CONFORMANCE_CRDS_DIR = saved;
      warn.mockRestore();
    }
  });
});

describeWithShared('real-world manifests', ['reference/crds', 'reference/real-world'], () => {
  const load = (rel: string) => parseManifests(fs.readFileSync(path.join(REAL_WORLD, rel), 'utf8'));

  test('ai-on-eks karpenter-gpu.rendered.yaml (NodePool + EC2NodeClass) is valid', () => {
    const objs = load('ai-on-eks/karpenter-gpu.rendered.yaml');
    expect(objs.map(objectId)).toEqual(['NodePool/gpu', 'EC2NodeClass/gpu']);
    expectValid(objs);
  });

  test('ai-on-eks ministral-8b-vllm.yaml (Namespace, Deployment, Service) is valid', () => {
    const objs = load('ai-on-eks/ministral-8b-vllm.yaml');
    expect(objs.map((o) => o.kind)).toEqual(['Namespace', 'Deployment', 'Service']);
    expectValid(objs);
  });

  test('data-on-eks nodepool-gpu-g6.yaml: its only schema-level defect is a namespace on a cluster-scoped NodePool', () => {
    const [np] = load('data-on-eks/nodepool-gpu-g6.yaml');
    expect(validateObject(np)).toEqual(['metadata.namespace: Invalid value: "karpenter": NodePool is cluster-scoped and takes no namespace']);
  });
});

describeWithShared('seed documents (```yaml blocks in shared/seeds/*.txt)', ['reference/crds', 'seeds'], () => {
  /** Every object of every yaml block, with its harness verdict. */
  function seedVerdicts(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const f of fs.readdirSync(SEEDS).filter((x) => x.endsWith('.txt')).sort()) {
      const text = fs.readFileSync(path.join(SEEDS, f), 'utf8');
      let block = 0;
      for (const m of text.matchAll(/```ya?ml[^\n]*\n([\s\S]*?)```/g)) {
        block++;
        let objs: any[];
        try {
          objs = parseManifests(m[1]);
        } catch (e: any) {
          out[`${f}#${block}`] = [`YAML error: ${e.message}`];
          continue;
        }
        for (const o of objs) {
          if (!o || typeof o !== 'object' || !o.kind) continue; // comment-only blocks
          out[`${f}#${block} ${objectId(o)}`] = validateObject(o);
        }
      }
    }
    return out;
  }

  test('records which seed objects are invalid and why', () => {
    expect(seedVerdicts()).toEqual({
      '001_e816ecc32d230f73.txt#2 NodePool/gpu-inference-pool': [],
      '001_e816ecc32d230f73.txt#3 EC2NodeClass/gpu-nodeclass': [],
      '001_e816ecc32d230f73.txt#4 DaemonSet/gpu-monitoring/dcgm-exporter': [],
      '001_e816ecc32d230f73.txt#5 ServiceMonitor/gpu-monitoring/dcgm-exporter': [],
      // KEDA deprecated/removed the prometheus trigger's `metricName`; it sits inside `metadata`, a map of
      // strings, so the schema cannot see it: that is a lint rule's job, not the schema's.
      '001_e816ecc32d230f73.txt#6 ScaledObject/inference/model-a-gpu-scaler': [],
      '001_e816ecc32d230f73.txt#7 HorizontalPodAutoscaler/inference/model-a-hpa': [],
      '001_e816ecc32d230f73.txt#8 NodePool/gpu-spot-pool': [],
      // A fragment (graceful-shutdown snippet): no selector, no labels, no image.
      '001_e816ecc32d230f73.txt#9 Deployment/inference/model-serving-spot': [
        'spec.selector: Required value',
        'spec.template.spec.containers[0].image: Required value',
      ],
      // A fragment showing only `spec.disruption`.
      '001_e816ecc32d230f73.txt#10 NodePool/gpu-inference-pool': ['spec.template: Required value'],
      // A fragment (GPU resources snippet): same gaps.
      '001_e816ecc32d230f73.txt#11 Deployment/inference/model-a-serving': [
        'spec.selector: Required value',
        'spec.template.spec.containers[0].image: Required value',
      ],
      '001_e816ecc32d230f73.txt#12 PrometheusRule/monitoring/gpu-alerts': [],
    });
  });
});
