import { containersOf, POD_TEMPLATE_KINDS, podTemplateOf, wellFormedPodSpec } from '../../src/scheduling/workloads';

const podSpec = { containers: [{ name: 'app' }], initContainers: [{ name: 'init' }, { name: 'side', restartPolicy: 'Always' }] };
const tpl = { metadata: { labels: { app: 'x' } }, spec: podSpec };

describe('podTemplateOf', () => {
  test.each([
    ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { app: 'x' } }, spec: podSpec }, 'spec', 1],
    ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 3, template: tpl } }, 'spec.template.spec', 3],
    ['Deployment without replicas', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: tpl } }, 'spec.template.spec', 1],
    ['Deployment scaled to 0', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 0, template: tpl } }, 'spec.template.spec', 0],
    ['StatefulSet', { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { replicas: 2, template: tpl } }, 'spec.template.spec', 2],
    ['ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { template: tpl } }, 'spec.template.spec', 1],
    ['ReplicationController', { apiVersion: 'v1', kind: 'ReplicationController', spec: { replicas: 5, template: tpl } }, 'spec.template.spec', 5],
    ['DaemonSet', { apiVersion: 'apps/v1', kind: 'DaemonSet', spec: { template: tpl } }, 'spec.template.spec', undefined],
    ['Job', { apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 4, template: tpl } }, 'spec.template.spec', 4],
    ['Job without parallelism', { apiVersion: 'batch/v1', kind: 'Job', spec: { template: tpl } }, 'spec.template.spec', 1],
    ['CronJob', { apiVersion: 'batch/v1', kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { parallelism: 2, template: tpl } } } }, 'spec.jobTemplate.spec.template.spec', 2],
  ])('%s', (_kind, obj, path, replicas) => {
    const t = podTemplateOf(obj)!;
    expect(t).toBeDefined();
    expect(t.podSpec).toBe(podSpec);
    expect(t.podSpecPath).toBe(path);
    expect(t.podLabels).toEqual({ app: 'x' });
    expect(t.replicas).toBe(replicas);
  });

  test('every listed kind is handled', () => {
    expect(POD_TEMPLATE_KINDS).toEqual(expect.arrayContaining(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']));
  });

  test.each([
    ['a Service', { apiVersion: 'v1', kind: 'Service', spec: {} }],
    ['a CRD kind named Job in another group', { apiVersion: 'example.com/v1', kind: 'Job', spec: { template: tpl } }],
    ['a Deployment without template', { apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }],
    ['null', null],
    ['a string', 'Deployment'],
  ])('%s → undefined', (_why, obj) => {
    expect(podTemplateOf(obj)).toBeUndefined();
  });
});

describe('containersOf', () => {
  test('containers then init containers, with full paths and sidecar flags', () => {
    const t = podTemplateOf({ apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: { spec: { template: tpl } } } })!;
    expect(containersOf(t).map((c) => [c.container.name, c.path, c.init, c.sidecar])).toEqual([
      ['app', 'spec.jobTemplate.spec.template.spec.containers[0]', false, false],
      ['init', 'spec.jobTemplate.spec.template.spec.initContainers[0]', true, false],
      ['side', 'spec.jobTemplate.spec.template.spec.initContainers[1]', true, true],
    ]);
  });
  test('ephemeral containers are ignored', () => {
    const t = podTemplateOf({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a' }], ephemeralContainers: [{ name: 'dbg' }] } })!;
    expect(containersOf(t)).toHaveLength(1);
  });
});

describe('wellFormedPodSpec: container lists', () => {
  test('a hole in a container list is dropped as a non-object item is, never kept', () => {
    const c = { name: 'a', image: 'i', resources: { limits: { 'nvidia.com/gpu': 1 } } };
    const sparse = [c, , c]; // eslint-disable-line no-sparse-arrays
    const fixed = wellFormedPodSpec({ containers: sparse });
    expect(fixed.containers).toEqual([c, c]);
    expect(fixed.containers).toHaveLength(2);
    const whole = { containers: [c, c] };
    expect(wellFormedPodSpec(whole)).toBe(whole); // well formed: the spec itself
  });
});
