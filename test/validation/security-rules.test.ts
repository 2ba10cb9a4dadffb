/**
 * GPU700 (NVIDIA_VISIBLE_DEVICES without a GPU) and GPU701 (Pod Security level of the namespace), rule by rule.
 */
import { lint, of, workload } from './helpers';

const ns = (name: string, level?: string) => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(level ? { labels: { 'pod-security.kubernetes.io/enforce': level } } : {}) },
});
const withEnv = (o: any, env: any[], init = false) => {
  const spec = o.kind === 'Pod' ? o.spec : o.spec.template.spec;
  (init ? (spec.initContainers ??= [{ name: 'init', image: 'busybox' }]) : spec.containers)[0].env = env;
  return o;
};
const restrictedSc = (o: any) => {
  const spec = o.spec.template.spec;
  spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  for (const c of spec.containers) c.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  return o;
};

describe('GPU700 NVIDIA_VISIBLE_DEVICES without a GPU', () => {
  test.each([
    ['all on a CPU Deployment', withEnv(workload(), [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }]), 1],
    ['a device list in an init container of a Job', withEnv(workload({ kind: 'Job' }), [{ name: 'NVIDIA_VISIBLE_DEVICES', value: '0,1' }], true), 1],
    ['valueFrom (unreadable here)', withEnv(workload({ kind: 'Pod' }), [{ name: 'NVIDIA_VISIBLE_DEVICES', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]), 1],
    ['void', withEnv(workload(), [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'void' }]), 0],
    ['none', withEnv(workload(), [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'none' }]), 0],
    ['another variable', withEnv(workload(), [{ name: 'CUDA_VISIBLE_DEVICES', value: '0' }]), 0],
    ['all, but the pod requests a GPU', withEnv(workload({ limits: { 'nvidia.com/gpu': 1 }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] }),
      [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }]), 0],
    ['all in a DaemonSet (node agent)', withEnv(workload({ kind: 'DaemonSet' }), [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }]), 0],
  ])('%s', (_name, object, count) => {
    const found = of(lint([object]), 'GPU700');
    expect(found).toHaveLength(count as number);
    if (count) expect(found[0].fieldPath).toMatch(/\.env\[0\]$/);
  });
});

describe('GPU701 Pod Security level of the namespace', () => {
  test('restricted: a default container breaks four checks, each reported at its field', () => {
    const found = of(lint([ns('team', 'restricted'), workload({ namespace: 'team' })]), 'GPU701');
    expect(found.map((f) => f.fieldPath.replace(/^spec\.template\.spec\.containers\[0\]\.securityContext\./, ''))).toEqual([
      'allowPrivilegeEscalation', 'runAsNonRoot', 'seccompProfile', 'capabilities.drop',
    ]);
    expect(found[0].message).toContain('Namespace team enforces the restricted Pod Security Standard');
  });

  test('restricted: a hardened workload passes; UID 0 or an added capability does not', () => {
    expect(of(lint([ns('team', 'restricted'), restrictedSc(workload({ namespace: 'team' }))]), 'GPU701')).toEqual([]);
    const root = restrictedSc(workload({ namespace: 'team' }));
    root.spec.template.spec.securityContext.runAsUser = 0;
    expect(of(lint([ns('team', 'restricted'), root]), 'GPU701').map((f) => f.message)).toEqual([expect.stringContaining('runs as UID 0')]);
    const admin = restrictedSc(workload({ namespace: 'team' }));
    admin.spec.template.spec.containers[0].securityContext.capabilities.add = ['SYS_ADMIN'];
    expect(of(lint([ns('team', 'restricted'), admin]), 'GPU701').map((f) => f.message)).toEqual([expect.stringContaining('adds SYS_ADMIN')]);
  });

  test('baseline: host paths, host network and privileged are refused; root and default capabilities are not', () => {
    const agent = workload({ kind: 'DaemonSet', namespace: 'agents' });
    agent.spec.template.spec.hostNetwork = true;
    agent.spec.template.spec.volumes = [{ name: 'h', hostPath: { path: '/var/lib/kubelet' } }];
    agent.spec.template.spec.containers[0].securityContext = { privileged: true, runAsUser: 0, capabilities: { add: ['CHOWN'] } };
    expect(of(lint([ns('agents', 'baseline'), agent]), 'GPU701').map((f) => f.message.split(',')[0])).toEqual([
      'hostNetwork is true', 'volume "h" is a hostPath', 'container "main" is privileged',
    ]);
  });

  test('privileged namespaces, unlabelled namespaces and namespaces not in the manifests are not judged', () => {
    const agent = workload({ kind: 'DaemonSet', namespace: 'agents' });
    agent.spec.template.spec.hostPID = true;
    expect(of(lint([ns('agents', 'privileged'), agent]), 'GPU701')).toEqual([]);
    expect(of(lint([ns('agents'), agent]), 'GPU701')).toEqual([]);
    expect(of(lint([agent]), 'GPU701')).toEqual([]);
  });
});
