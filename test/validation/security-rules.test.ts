/**
 * GPU700 (NVIDIA_VISIBLE_DEVICES without a GPU), GPU701 (Pod Security level of the namespace) and GPU702 (credentials
 * written in the manifest), rule by rule.
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

describe('GPU702 a credential must come from a Secret, not be written in the manifest', () => {
  const TOKEN = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';
  const gpu702 = (objects: any[]) => of(lint(objects), 'GPU702');
  const container = (fields: any) => {
    const w = workload();
    Object.assign(w.spec.template.spec.containers[0], fields);
    return w;
  };

  test('a credential variable given a value; the value is never printed', () => {
    for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_API_TOKEN', 'NGC_API_KEY', 'NGC_CLI_API_KEY', 'WANDB_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'VLLM_API_KEY']) {
      const [f, ...rest] = gpu702([container({ env: [{ name, value: 'secret-value-123' }] })]);
      expect(rest).toEqual([]);
      expect(f.fieldPath).toBe('spec.template.spec.containers[0].env[0].value');
      expect(f.message).toContain(`container "main" sets ${name} to a value written in the manifest: anyone who may read the object`);
      expect(f.message).not.toContain('secret-value-123');
    }
    // a Hugging Face token under any name
    expect(gpu702([container({ env: [{ name: 'TOKEN', value: `Bearer ${TOKEN}` }] })])[0].message).toContain('sets "TOKEN" to a value holding a Hugging Face token (hf_…)');
  });

  test('an init container and a sidecar are named as such', () => {
    const w = workload();
    w.spec.template.spec.initContainers = [
      { name: 'fetch', image: 'busybox', env: [{ name: 'HF_TOKEN', value: 'abc' }] },
      { name: 'proxy', image: 'envoy', restartPolicy: 'Always', args: ['--api-key', 'sk-1'] },
    ];
    expect(gpu702([w]).map((f) => [f.fieldPath, f.message.split(':')[0]])).toEqual([
      ['spec.template.spec.initContainers[0].env[0].value', 'init container "fetch" sets HF_TOKEN to a value written in the manifest'],
      ['spec.template.spec.initContainers[1].args[1]', 'sidecar "proxy" passes --api-key a value written in the manifest'],
    ]);
  });

  test('the command line: a credential flag given a value, a Hugging Face token anywhere', () => {
    expect(gpu702([container({ args: ['m', '--api-key', 'sk-1'] })]).map((f) => f.fieldPath)).toEqual(['spec.template.spec.containers[0].args[2]']);
    expect(gpu702([container({ args: ['m', '--hf-token=abc'] })]).map((f) => f.fieldPath)).toEqual(['spec.template.spec.containers[0].args[1]']);
    expect(gpu702([container({ args: ['-hf', 'org/m-GGUF', '-hft', 'abc'] })])).toHaveLength(1);
    const [f] = gpu702([container({ command: ['/bin/sh', '-c'], args: [`huggingface-cli login --token ${TOKEN} && vllm serve m`] })]);
    expect([f.fieldPath, f.message]).toEqual(['spec.template.spec.containers[0].args[0]', expect.stringContaining('holds a Hugging Face token (hf_…) in its command line')]);
    expect(f.message).not.toContain(TOKEN);
  });

  test('a ConfigMap holding a credential variable or a Hugging Face token', () => {
    const cm = (data: any) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'env', namespace: 'default' }, data });
    expect(gpu702([cm({ HF_TOKEN: 'x' })]).map((f) => f.fieldPath)).toEqual(['data["HF_TOKEN"]']);
    expect(gpu702([cm({ 'config.yaml': `token: ${TOKEN}\n` })])[0].message).toContain('holds a Hugging Face token (hf_…) in key "config.yaml" in a ConfigMap');
    expect(gpu702([cm({ HF_TOKEN: '', MODEL: 'org/m' })])).toEqual([]);
  });

  test('not reported: a Secret reference, a $(VAR) reference, an empty value, a short hf_ word, another variable', () => {
    expect(gpu702([container({ env: [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })])).toEqual([]);
    expect(gpu702([container({ env: [{ name: 'HF_TOKEN', value: '$(TOKEN_FROM_SECRET)' }], args: ['--api-key', '$(VLLM_API_KEY)'] })])).toEqual([]);
    expect(gpu702([container({ env: [{ name: 'HF_TOKEN', value: '' }] })])).toEqual([]);
    expect(gpu702([container({ env: [{ name: 'MODE', value: 'hf_transfer' }], args: ['--api-key'] })])).toEqual([]);
    expect(gpu702([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { HF_TOKEN: TOKEN } }])).toEqual([]);
  });
});
