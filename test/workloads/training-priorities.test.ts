import { Duration } from 'cdk8s';
import { BOUND, chart, configError, g5, g6Spot, lintAll, ofKind, one, synth } from './helpers';
import { GpuNodePool } from '../../src/pools';
import { GpuRequest, PreemptionPolicy, PriorityTier, TieredPriorities, TrainingJob } from '../../src/workloads';
import { expectValid } from '../conformance/schema';

describe('TrainingJob', () => {
  test('Job fields, GPUs (requests = limits), shm, checkpoint PVC, placement, security', () => {
    const c = chart();
    const tiers = new TieredPriorities(c, 'tiers');
    new TrainingJob(c, 'train', {
      pools: [g5(c)],
      image: 'pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime',
      command: ['python', 'train.py'],
      gpus: GpuRequest.whole(4),
      priority: tiers.training,
      backoffLimit: 2,
      activeDeadline: Duration.hours(6),
      checkpoint: { claimName: 'ckpt', mountPath: '/checkpoints' },
      volumes: [{ claimName: 'data', mountPath: '/data', readOnly: true }],
    });
    const job = one(synth(c), 'Job');
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 21600, ttlSecondsAfterFinished: 3600 });
    const spec = job.spec.template.spec;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.priorityClassName).toBe('training-normal');
    const ct = spec.containers[0];
    expect(ct.resources.limits['nvidia.com/gpu']).toBe(4);
    expect(ct.resources.requests).toEqual(ct.resources.limits);
    expect(ct.volumeMounts).toContainEqual({ mountPath: '/checkpoints', name: 'checkpoint', readOnly: false });
    expect(ct.volumeMounts).toContainEqual({ mountPath: '/data', name: 'data', readOnly: true });
    expect(ct.env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/checkpoints' });
    expect(spec.volumes.find((v: any) => v.name === 'shm').emptyDir.medium).toBe('Memory');
    expect(ct.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  });

  test('on spot: grace period 90 s; beyond the notice is refused', () => {
    const c = chart();
    const spot = g6Spot(c);
    const t = new TrainingJob(c, 'train', { pools: [spot], image: 'x' });
    expect(one(synth(c), 'Job').spec.template.spec.terminationGracePeriodSeconds).toBe(90);
    expect(t.terminationGracePeriodSeconds).toBe(90);
    const e = configError(() => new TrainingJob(c, 'train2', { pools: [spot], image: 'x', terminationGracePeriod: Duration.minutes(3) }));
    expect(e.property).toBe('terminationGracePeriod');
  });

  test.each([
    ['no image', { image: '' }, 'image'],
    ['too many GPUs', { gpus: GpuRequest.whole(9) }, 'gpus'],
    ['negative backoffLimit', { backoffLimit: -1 }, 'backoffLimit'],
    ['checkpoint at /tmp', { checkpoint: { claimName: 'c', mountPath: '/tmp' } }, 'checkpoint.mountPath'],
    ['bad claim name', { volumes: [{ claimName: 'Bad_Name', mountPath: '/d' }] }, 'volumes[0].claimName'],
    ['name of 64 characters (also a pod label value)', { name: 'j'.repeat(64) }, 'name'],
    ['name with upper case', { name: 'Train' }, 'name'],
    ['namespace with a dot', { namespace: 'ml.team' }, 'namespace'],
    ['label value with a space', { labels: { run: 'a b' } }, 'labels["run"]'],
    ['activeDeadline under a second', { activeDeadline: Duration.millis(10) }, 'activeDeadline'],
    ['fractional activeDeadline', { activeDeadline: Duration.millis(90500) }, 'activeDeadline'],
    ['fractional ttlAfterFinished', { ttlAfterFinished: Duration.millis(1500) }, 'ttlAfterFinished'],
    ['fractional terminationGracePeriod', { terminationGracePeriod: Duration.millis(2500) }, 'terminationGracePeriod'],
  ])('%s → GpuConfigError on %s', (_, over, property) => {
    const c = chart();
    const e = configError(() => new TrainingJob(c, 'train', { pools: [g5(c)], image: 'x', ...over } as any));
    expect(e.constructPath).toBe('test/train');
    expect(e.property).toBe(property);
  });
});

describe('TrainingJob and Karpenter\'s voluntary disruption (GPU220)', () => {
  const IMAGE = 'pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime';
  const annotations = (objs: any[]) => one(objs, 'Job').spec.template.metadata?.annotations ?? {};

  test('pods carry karpenter.sh/do-not-disrupt by default; doNotDisrupt: false leaves it out', () => {
    const c = chart();
    new TrainingJob(c, 'train', { pools: [g5(c)], image: IMAGE });
    expect(annotations(synth(c))).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
    const c2 = chart();
    new TrainingJob(c2, 'train', { pools: [g5(c2)], image: IMAGE, doNotDisrupt: false });
    expect(annotations(synth(c2))['karpenter.sh/do-not-disrupt']).toBeUndefined();
  });

  test('a value that is not a boolean is a GpuConfigError naming the prop', () => {
    const c = chart();
    expect(configError(() => new TrainingJob(c, 'train', { pools: [g5(c)], image: IMAGE, doNotDisrupt: 'yes' as any })).message)
      .toContain('doNotDisrupt is "yes", not a boolean');
  });
});

describe('seed 004: model-finetuning Job from ~10 lines', () => {
  function build() {
    const c = chart();
    const pool = new GpuNodePool(c, 'training-pool', { name: 'gpu-training', gpuNames: ['h100'], gpuLimit: 32, nodeClassProps: BOUND });
    const tiers = new TieredPriorities(c, 'priorities');
    const research = tiers.addTeam('ml-training', { labels: { env: 'production' }, gpuQuota: 16 });
    new TrainingJob(c, 'finetune', {
      name: 'model-finetuning',
      team: research,
      pools: [pool],
      priority: tiers.training,
      image: 'pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime',
      gpus: GpuRequest.whole(4),
      checkpoint: { claimName: 'finetune-checkpoints', mountPath: '/checkpoints' },
    });
    return synth(c);
  }
  test('schema-valid', () => expectValid(build()));
  test('every validation rule passes', () => expect(lintAll(build())).toEqual([]));
  test('snapshot', () => expect(build().filter((o) => o.kind !== 'EC2NodeClass')).toMatchSnapshot());
});

describe('TieredPriorities', () => {
  test('inference > training > experiments with the preemption policies that make serving never preempted nor preempting', () => {
    const c = chart();
    const t = new TieredPriorities(c, 'tiers');
    const pcs = ofKind(synth(c), 'PriorityClass');
    expect(pcs.map((p) => [p.metadata.name, p.value, p.preemptionPolicy, p.globalDefault])).toEqual([
      ['inference-critical', 1000000, 'Never', false],
      ['training-normal', 500000, 'PreemptLowerPriority', false],
      ['experiment-low', 100000, 'Never', false],
    ]);
    expect(t.inference.preemptionPolicy).toBe(PreemptionPolicy.NEVER);
    expect(t.inference.priorityClass).toBeDefined();
    expectValid(synth(c));
  });

  test('experiments are the global default only when asked', () => {
    const c = chart();
    new TieredPriorities(c, 'tiers', { experimentsGlobalDefault: true });
    expect(ofKind(synth(c), 'PriorityClass').filter((p) => p.globalDefault).map((p) => p.metadata.name)).toEqual(['experiment-low']);
  });

  test('teams: namespace labels, quota on GPUs and MIG, LimitRange cap, SA without token, get-only Role', () => {
    const c = chart();
    const t = new TieredPriorities(c, 'tiers');
    t.addTeam('research', { labels: { env: 'dev' }, gpuQuota: 8, migQuotas: [{ profile: '1g.10gb', count: 14 }], readableSecrets: ['hf-token'], readableConfigMaps: ['model-config'] });
    const objs = synth(c);
    expect(one(objs, 'Namespace').metadata).toEqual({
      name: 'research',
      labels: {
        'env': 'dev',
        'team': 'research',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    });
    expect(one(objs, 'ResourceQuota').spec.hard).toEqual({ 'requests.nvidia.com/gpu': 8, 'requests.nvidia.com/mig-1g.10gb': 14 });
    // `default: 0`: without it the API server would default every container's GPU limit to the max (GPU215).
    expect(one(objs, 'LimitRange').spec.limits).toEqual([{ type: 'Container', max: { 'nvidia.com/gpu': 8 }, default: { 'nvidia.com/gpu': 0 } }]);
    expect(one(objs, 'ServiceAccount')).toMatchObject({ automountServiceAccountToken: false, metadata: { name: 'research-workloads', namespace: 'research' } });
    const rules = one(objs, 'Role').rules;
    expect(rules.every((r: any) => JSON.stringify(r.verbs) === '["get"]' && r.resourceNames.length === 1)).toBe(true);
    expect(one(objs, 'RoleBinding').subjects[0]).toMatchObject({ kind: 'ServiceAccount', name: 'research-workloads' });
    expectValid(objs);
    expect(lintAll(objs)).toEqual([]);
  });

  test('a team without readable objects gets no Role', () => {
    const c = chart();
    new TieredPriorities(c, 'tiers').addTeam('x');
    expect(ofKind(synth(c), 'Role')).toEqual([]);
    expect(ofKind(synth(c), 'ResourceQuota')).toEqual([]);
  });

  test.each([
    ['values not decreasing', { training: { value: 2000000 } }, 'value'],
    ['system- prefix', { inference: { name: 'system-mine' } }, 'inference.name'],
    ['value above 1e9', { inference: { value: 2000000000 } }, 'inference.value'],
    ['duplicate names', { training: { name: 'inference-critical' } }, 'name'],
  ])('%s → GpuConfigError', (_, props, property) => {
    const e = configError(() => new TieredPriorities(chart(), 'tiers', props as any));
    expect(e.property).toBe(property);
  });

  test.each([
    ['bad team name', 'Team_A', {}, 'name'],
    ['maxGpusPerContainer above quota', 'a', { gpuQuota: 2, maxGpusPerContainer: 4 }, 'maxGpusPerContainer'],
    ['bad MIG profile', 'a', { migQuotas: [{ profile: '10gb', count: 1 }] }, 'migQuotas[0].profile'],
    ['label value too long', 'a', { labels: { tier: 'x'.repeat(64) } }, 'labels["tier"]'],
    ['label key with a bad prefix', 'a', { labels: { 'Example.com/x': 'y' } }, 'labels["Example.com/x"]'],
    ['a Pod Security label among the labels', 'a', { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }, 'labels["pod-security.kubernetes.io/enforce"]'],
    ['podSecurity below restricted without a reason', 'a', { podSecurity: { enforce: 'baseline' } }, 'reason'],
    ['podSecurity with an unknown level', 'a', { podSecurity: { enforce: 'strict' } }, 'enforce'],
    ['networkPolicy gateway that is not a namespace name', 'a', { networkPolicy: { gatewayNamespace: 'Ingress NGINX' } }, 'networkPolicy.gatewayNamespace'],
    ['networkPolicy port out of range', 'a', { networkPolicy: { metricsPorts: [70000] } }, 'networkPolicy.metricsPorts[0]'],
    ['networkPolicy serving ports without a gateway', 'a', { networkPolicy: { servingPorts: [8000] } }, 'networkPolicy.servingPorts'],
    ['networkPolicy options while disabled', 'a', { networkPolicy: { enabled: false, gatewayNamespace: 'ingress' } }, 'networkPolicy.gatewayNamespace'],
  ])('team: %s → GpuConfigError', (_, name, props, property) => {
    const e = configError(() => new TieredPriorities(chart(), 'tiers').addTeam(name, props as any));
    expect(e.property).toBe(property);
  });

  test('teams: NetworkPolicies deny ingress from other namespaces, allow monitoring on metrics ports and the gateway on serving ports', () => {
    const c = chart();
    const t = new TieredPriorities(c, 'tiers');
    const team = t.addTeam('serving', { networkPolicy: { gatewayNamespace: 'ingress', servingPorts: [8000, 8001], metricsPorts: [9400] } });
    t.addTeam('quiet', { networkPolicy: { enabled: false } });
    const objs = synth(c);
    const policies = ofKind(objs, 'NetworkPolicy');
    expect(policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      'serving/default-deny-ingress', 'serving/allow-same-namespace', 'serving/allow-monitoring-scrape', 'serving/allow-gateway',
    ]);
    expect(team.networkPolicies).toHaveLength(4);
    const [deny, same, monitoring, gateway] = policies.map((p) => p.spec);
    expect(deny).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(same.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
    expect(monitoring.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 9400 }] }]);
    expect(gateway.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }],
      ports: [{ protocol: 'TCP', port: 8000 }, { protocol: 'TCP', port: 8001 }],
    }]);
    expectValid(objs);
  });

  test('teams: a namespace below restricted carries the reason', () => {
    const c = chart();
    new TieredPriorities(c, 'tiers').addTeam('lab', { podSecurity: { enforce: 'baseline' as any, reason: 'notebooks run as root from upstream images' } });
    const ns = one(synth(c), 'Namespace');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(ns.metadata.labels['pod-security.kubernetes.io/audit']).toBe('restricted');
    expect(ns.metadata.annotations).toEqual({ 'cdk8s-gpu.io/pod-security-reason': 'notebooks run as root from upstream images' });
  });

  test('PriorityTier.fromName and built-ins', () => {
    expect(PriorityTier.fromName('my-class').name).toBe('my-class');
    expect(PriorityTier.SYSTEM_NODE_CRITICAL.value).toBe(2000001000);
    expect(configError(() => PriorityTier.fromName('Bad Name')).property).toBe('name');
  });
});

describe('GpuRequest', () => {
  test('whole and mig', () => {
    expect(GpuRequest.whole(2).resourceName).toBe('nvidia.com/gpu');
    expect(GpuRequest.mig('1g.10gb+me').resourceName).toBe('nvidia.com/mig-1g.10gb.me');
    expect(GpuRequest.mig('nvidia.com/mig-3g.40gb', 2).toString()).toBe('2 × nvidia.com/mig-3g.40gb');
    expect(configError(() => GpuRequest.whole(0)).property).toBe('count');
    expect(configError(() => GpuRequest.whole(1.5)).property).toBe('count');
    expect(configError(() => GpuRequest.mig('big')).property).toBe('profile');
  });
});
