/**
 * GpuAdmissionPolicy: the ValidatingAdmissionPolicies agree with the rules they restate on every pass/fail fixture of
 * those rules, object by object; the objects are valid admissionregistration.k8s.io/v1; props are checked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { admits, asAdmitted, compileCheck } from './admission-cel';
import { GpuConfigError } from '../../src/errors';
import { POD_TEMPLATE_KINDS } from '../../src/scheduling/workloads';
import { GpuAdmissionPolicy } from '../../src/security';
import { ADMISSION_CHECKS, ADMISSION_VARIABLES } from '../../src/security/admission-checks';
import { Severity, defaultRegistry, validateManifests } from '../../src/validation';
import { expectValid, schemaSource } from '../conformance/schema';
import { loadYaml } from '../validation/helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

function synth(props = {}): any[] {
  const chart = new Chart(Testing.app(), 'admission');
  new GpuAdmissionPolicy(chart, 'policy', props);
  return Testing.synth(chart);
}

const idOf = (o: any) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

describe('GpuAdmissionPolicy', () => {
  const objects = synth();
  const [errors, errorsBinding, warnings, warningsBinding] = objects;

  test('two policies and two bindings, valid against the Kubernetes 1.30 admissionregistration.k8s.io/v1 schema', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy cdk8s-gpu-errors',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding cdk8s-gpu-errors',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy cdk8s-gpu-warnings',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding cdk8s-gpu-warnings',
    ]);
    // The core schemas come from cdk8s-plus-30's k8s bindings, which include admissionregistration v1.
    expect(schemaSource('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy')).toBeDefined();
    expect(schemaSource('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding')).toBeDefined();
    expectValid(objects);
  });

  test('generated from the registry: ERROR rules deny, WARNING rules warn, each message names the rule and its fix', () => {
    const registry = defaultRegistry();
    const ids = (p: any) => p.spec.validations.map((v: any) => v.message.split(':')[0]);
    expect(ids(errors)).toEqual(['GPU001', 'GPU002', 'GPU700', 'GPU702']);
    expect(ids(warnings)).toEqual(['GPU004']);
    for (const p of [errors, warnings]) {
      for (const v of p.spec.validations) {
        const rule = registry.get(v.message.split(':')[0])!;
        expect(v.message).toBe(`${rule.id}: ${rule.title}. Fix: ${rule.remediation}`);
        expect(p === errors ? Severity.ERROR : Severity.WARNING).toBe(rule.severity);
      }
    }
    expect(errorsBinding.spec).toEqual(expect.objectContaining({ policyName: 'cdk8s-gpu-errors', validationActions: ['Deny'] }));
    expect(warningsBinding.spec).toEqual(expect.objectContaining({ policyName: 'cdk8s-gpu-warnings', validationActions: ['Warn'] }));
    expect(errors.spec.failurePolicy).toBe('Fail');
    expect(errorsBinding.spec.matchResources.namespaceSelector.matchExpressions)
      .toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }]);
  });

  test('matches pods on CREATE and every workload kind on CREATE and UPDATE', () => {
    const rules = errors.spec.matchConstraints.resourceRules;
    const resources = rules.flatMap((r: any) => r.resources);
    expect(resources.sort()).toEqual(['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'statefulsets']);
    expect(rules.find((r: any) => r.resources.includes('pods')).operations).toEqual(['CREATE']);
    // Every kind the rules read as a pod template is matched (Pod plus the controllers).
    const kinds = POD_TEMPLATE_KINDS.filter((k) => ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'].includes(k));
    expect(kinds.length).toBe(7);
  });

  test('every variable and validation compiles with the Kubernetes CEL libraries', () => {
    for (const v of ADMISSION_VARIABLES) compileCheck(v.expression);
    for (const c of ADMISSION_CHECKS) compileCheck(c.expression);
  });

  describe.each(ADMISSION_CHECKS.map((c) => [c.ruleId, c] as const))('%s: the policy and the rule agree on its fixtures', (id, check) => {
    test.each(['pass.yaml', 'fail.yaml'])('%s, object by object', (file) => {
      const manifests = loadYaml(path.join(FIXTURES, id, file));
      // (the policy matches workloads: a rule's findings on other kinds, GPU702's ConfigMaps, are outside it)
      const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];
      const flagged = new Set(validateManifests(manifests).filter((f) => f.ruleId === id && WORKLOAD_KINDS.includes(f.object.kind))
        .map((f) => `${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}`));
      const workloads = manifests.map((m) => m.object).filter((o) => WORKLOAD_KINDS.includes(o.kind));
      expect(workloads.length).toBeGreaterThan(0);
      const refused = new Set(workloads.filter((o) => !admits(ADMISSION_VARIABLES, check.expression, asAdmitted(o))).map(idOf));
      expect([...refused].sort()).toEqual([...flagged].sort());
      if (file === 'fail.yaml') expect(refused.size).toBeGreaterThan(0);
    });
  });

  test('every rule the policy restates has fixtures', () => {
    for (const c of ADMISSION_CHECKS) {
      for (const f of ['pass.yaml', 'fail.yaml']) expect(fs.existsSync(path.join(FIXTURES, c.ruleId, f))).toBe(true);
    }
  });

  describe('edge cases the rules and the policy treat alike', () => {
    const pod = (spec: any, extra: any = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team', ...extra }, spec });
    const gpu = (n: any, req?: any) => ({ name: 'c', image: 'x:1', resources: { limits: { 'nvidia.com/gpu': n }, ...(req !== undefined ? { requests: { 'nvidia.com/gpu': req } } : {}) } });
    const tol = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
    const cases: Array<[string, string[], any]> = [
      ['whole GPU, tolerated', [], pod({ containers: [gpu(1)], tolerations: [tol] })],
      ['request equals limit written differently (2 vs 2000m)', [], pod({ containers: [gpu('2', '2000m')], tolerations: [tol] })],
      ['fractional GPU', ['GPU001'], pod({ containers: [gpu('500m')], tolerations: [tol] })],
      ['zero GPUs', ['GPU001', 'GPU004'], pod({ containers: [gpu(0)], tolerations: [tol] })],
      ['request without limit', ['GPU001'], pod({ containers: [{ name: 'c', image: 'x:1', resources: { requests: { 'nvidia.com/gpu': 1 } } }], tolerations: [tol] })],
      ['MIG slice, tolerated by the empty-key Exists wildcard', [], pod({ containers: [{ name: 'c', image: 'x:1', resources: { limits: { 'nvidia.com/mig-1g.10gb': 1 } } }], tolerations: [{ operator: 'Exists' }] })],
      ['GPU, toleration with Equal and a value (does not match the empty-valued taint)', ['GPU002'], pod({ containers: [gpu(1)], tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] })],
      ['GPU, toleration without effect', [], pod({ containers: [gpu(1)], tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] })],
      ['init container with a GPU, untolerated', ['GPU002'], pod({ initContainers: [gpu(1)], containers: [{ name: 'm', image: 'x:1' }] })],
      ['CPU pod, NVIDIA_VISIBLE_DEVICES=all', ['GPU700'], pod({ containers: [{ name: 'c', image: 'x:1', env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }] }] })],
      ['CPU pod, NVIDIA_VISIBLE_DEVICES=none', [], pod({ containers: [{ name: 'c', image: 'x:1', env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'none' }] }] })],
      ['CPU pod, NVIDIA_VISIBLE_DEVICES from a ConfigMap', ['GPU700'], pod({ containers: [{ name: 'c', image: 'x:1', env: [{ name: 'NVIDIA_VISIBLE_DEVICES', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } }] }] })],
      ['CPU pod tolerating the GPU taint', ['GPU004'], pod({ containers: [{ name: 'c', image: 'x:1' }], tolerations: [tol] })],
      ['a credential variable given a value', ['GPU702'], pod({ containers: [{ name: 'c', image: 'x:1', env: [{ name: 'HF_TOKEN', value: 'abc' }] }] })],
      ['a credential variable from a $(VAR) reference, or blank', [], pod({ containers: [{ name: 'c', image: 'x:1', env: [{ name: 'HF_TOKEN', value: '$(T)' }, { name: 'NGC_API_KEY', value: '' }] }] })],
      ['a Hugging Face token on the command line', ['GPU702'], pod({ containers: [{ name: 'c', image: 'x:1', args: ['--token', 'hf_abcdefghijklmnopqrstuvwxyz0123456789'] }] })],
      ['--api-key=value', ['GPU702'], pod({ containers: [{ name: 'c', image: 'x:1', command: ['vllm', 'serve', 'm', '--api-key=sk-1'] }] })],
      ['--api-key=$(KEY)', [], pod({ containers: [{ name: 'c', image: 'x:1', command: ['vllm', 'serve', 'm', '--api-key=$(KEY)'] }] })],
      ['CPU pod tolerating another taint', [], pod({ containers: [{ name: 'c', image: 'x:1' }], tolerations: [{ key: 'dedicated', operator: 'Exists' }] })],
      ['CronJob with an untolerated GPU', ['GPU002'], {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'cj', namespace: 'team' },
        spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [gpu(1)] } } } } },
      }],
    ];
    test.each(cases)('%s: %j', (_name, expected, object) => {
      const findings = validateManifests([{ object }]);
      const ids = new Set(ADMISSION_CHECKS.map((c) => c.ruleId));
      expect([...new Set(findings.filter((f) => ids.has(f.ruleId)).map((f) => f.ruleId))].sort()).toEqual(expected);
      for (const c of ADMISSION_CHECKS) {
        const ruleSays = findings.some((f) => f.ruleId === c.ruleId);
        const policySays = !admits(ADMISSION_VARIABLES, c.expression, asAdmitted(object));
        expect([c.ruleId, policySays]).toEqual([c.ruleId, ruleSays]);
      }
    });

    test('a pod claiming a DaemonSet owner is a node agent only when the DaemonSet controller creates it', () => {
      const object = asAdmitted(pod({ containers: [{ name: 'c', image: 'x:1', env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }] }] },
        { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: '1' }] }));
      const gpu700 = ADMISSION_CHECKS.find((c) => c.ruleId === 'GPU700')!.expression;
      expect(admits(ADMISSION_VARIABLES, gpu700, object)).toBe(false);
      expect(admits(ADMISSION_VARIABLES, gpu700, object,
        { operation: 'CREATE', userInfo: { username: 'system:serviceaccount:kube-system:daemon-set-controller' } })).toBe(true);
    });
  });

  test('options: name, exempt namespaces, denying warnings; bad input is a GpuConfigError', () => {
    const [p, b, , wb] = synth({ name: 'gpu', exemptNamespaces: ['kube-system', 'gpu-operator'], denyWarnings: true });
    expect(p.metadata.name).toBe('gpu-errors');
    expect(b.spec.matchResources.namespaceSelector.matchExpressions[0].values).toEqual(['kube-system', 'gpu-operator']);
    expect(wb.spec.validationActions).toEqual(['Deny']);
    expect(synth({ exemptNamespaces: [] })[1].spec.matchResources).toBeUndefined();
    for (const bad of [{ name: 'Bad_Name' }, { exemptNamespaces: 'kube-system' }, { exemptNamespaces: ['Kube System'] }, { denyWarnings: 'yes' }]) {
      expect(() => synth(bad)).toThrow(GpuConfigError);
    }
  });
});
