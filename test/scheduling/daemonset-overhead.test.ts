/**
 * The DaemonSets of the manifests take room on the nodes they land on: placement (GPU203), the planner's packing and
 * the pod bounds read a pool's room after them where they ask for more than the system reserve's allowance.
 */
import * as fc from 'fast-check';
import { GpuInstanceType } from '../../src/catalog';
import { planGpuWorkloads } from '../../src/plan';
import { poolModelOf, podDiskRoom, withDaemonSets } from '../../src/scheduling/nodepool';
import { allocatableOf, daemonSetOverheadOn, PlacementMemo, placeOnPool, podRoomOf } from '../../src/scheduling/placement';
import { podCpuMemoryRequests } from '../../src/scheduling/resources';
import { podTemplateOf } from '../../src/scheduling/workloads';
import { DEFAULT_NODE_CLASS, GPU_TOLERATION, lint, nodePool, of, workload } from '../validation/helpers';

const GiB = 1024 ** 3;
const g6 = GpuInstanceType.of('g6.xlarge');
const g612 = GpuInstanceType.of('g6.12xlarge');

/** A DaemonSet requesting `requests`, tolerating `tolerations` (everything by default), selecting `nodeSelector`. */
function daemonSet(name: string, requests: Record<string, string>, extra: { tolerations?: any[]; nodeSelector?: Record<string, string> } = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          tolerations: extra.tolerations ?? [{ operator: 'Exists' }],
          ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}),
          containers: [{ name: 'agent', image: 'example.com/agent:1', resources: { requests } }],
        },
      },
    },
  };
}

/** A GPU Deployment of one GPU per pod asking for `cpu` cores. */
const app = (cpu: string, replicas = 1) => {
  const w = workload({ name: 'llm', namespace: 'serving', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1, 'memory': '8Gi' }, requests: { cpu } });
  w.spec.replicas = replicas;
  return w;
};
const g6xlarge = nodePool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge'] }] });
const gpu203 = (objects: any[]) => of(lint([DEFAULT_NODE_CLASS, ...objects]), 'GPU203');

describe('podRoomOf and daemonSetOverheadOn', () => {
  const pool = poolModelOf(g6xlarge);
  const ds = (name: string, requests: Record<string, string>, extra?: any) => {
    const o = daemonSet(name, requests, extra);
    const t = podTemplateOf(o)!;
    return { name: `kube-system/${name}`, template: t, requests: podCpuMemoryRequests(t) };
  };

  test('the larger of the allowance (500m, 1 GiB) and the DaemonSets\' requests is taken, never their sum', () => {
    const base = allocatableOf(g6);
    expect(podRoomOf(pool, g6)).toEqual(base);
    const small = withDaemonSets(pool, daemonSetOverheadOn(pool, [ds('a', { cpu: '300m', memory: '512Mi' })]));
    expect(podRoomOf(small, g6)).toEqual(base);
    const large = withDaemonSets(pool, daemonSetOverheadOn(pool, [ds('a', { cpu: '1', memory: '2Gi' }), ds('b', { cpu: '500m' })]));
    expect(podRoomOf(large, g6).cpu).toBeCloseTo(base.cpu - 1, 9);
    expect(podRoomOf(large, g6).memoryBytes).toBe(base.memoryBytes - GiB);
    // a reserve with its own allowance
    expect(podRoomOf(large, g6, { daemonSetCpu: 2, daemonSetMemoryBytes: 0 })).toEqual({
      cpu: allocatableOf(g6, { daemonSetCpu: 2, daemonSetMemoryBytes: 0 }).cpu,
      memoryBytes: allocatableOf(g6, { daemonSetCpu: 2, daemonSetMemoryBytes: 0 }).memoryBytes - 2 * GiB,
    });
  });

  test('only DaemonSets that tolerate the pool\'s taints and whose node selection admits the type land there', () => {
    const overhead = daemonSetOverheadOn(poolModelOf(nodePool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge', 'g6.12xlarge'] }] })), [
      ds('everywhere', { cpu: '1' }),
      ds('untainted-only', { cpu: '4' }, { tolerations: [] }),
      ds('big-nodes', { 'cpu': '2', 'ephemeral-storage': '5Gi' }, { nodeSelector: { 'node.kubernetes.io/instance-type': 'g6.12xlarge' } }),
    ]);
    expect(overhead.get(g6)).toEqual({ cpu: 1, memoryBytes: 0, ephemeralStorageBytes: 0, daemonSets: ['kube-system/everywhere'] });
    expect(overhead.get(g612)).toEqual({ cpu: 3, memoryBytes: 0, ephemeralStorageBytes: 5 * GiB, daemonSets: ['kube-system/everywhere', 'kube-system/big-nodes'] });
  });

  test('their ephemeral storage comes off the disk, where the disk is known', () => {
    const known = poolModelOf(g6xlarge, undefined, undefined, [DEFAULT_NODE_CLASS]);
    const withDs = withDaemonSets(known, daemonSetOverheadOn(known, [ds('cache', { 'ephemeral-storage': '5Gi' })]));
    expect(podDiskRoom(known, g6)).toBe(17 * GiB);
    expect(podDiskRoom(withDs, g6)).toBe(12 * GiB);
    expect(podDiskRoom(withDaemonSets(pool, daemonSetOverheadOn(pool, [ds('cache', { 'ephemeral-storage': '5Gi' })])), g6)).toBe(Infinity);
  });

  test('PlacementMemo gives placeOnPool\'s verdicts for pools whose DaemonSets differ', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 8 })), { minLength: 1, maxLength: 6 }),
      fc.array(fc.tuple(fc.constantFrom('1', '2.5', '3', '3.4', '3.5', '40'), fc.constantFrom('1Gi', '8Gi', '12Gi', '14Gi')), { minLength: 1, maxLength: 8 }),
      (poolSpecs, templateSpecs) => {
        const pools = poolSpecs.map(([cpu, mem]) => withDaemonSets(pool, daemonSetOverheadOn(pool, cpu + mem === 0 ? [] : [ds('d', { cpu: String(cpu / 2), memory: `${mem}Gi` })])));
        const memo = new PlacementMemo(pools);
        for (const [cpu, memory] of templateSpecs) {
          const w = workload({ name: 'w', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1, memory }, requests: { cpu } });
          const t = podTemplateOf(w)!;
          expect(memo.verdicts(t)).toEqual(pools.map((p) => placeOnPool(t, p)));
        }
      },
    ));
  });
});

describe('GPU203 and plan read the room the manifests\' DaemonSets leave', () => {
  test('a pod that fits the allowance but not a DaemonSet of 1 cpu: GPU203 names the DaemonSet', () => {
    expect(gpu203([g6xlarge, app('3')])).toEqual([]);
    const [f, ...rest] = gpu203([g6xlarge, app('3'), daemonSet('log-agent', { cpu: '1', memory: '2Gi' })]);
    expect(rest).toEqual([]);
    expect(f.message).toBe('can never be scheduled: NodePool gpu: needs 3 cpu per pod; the largest allowed type g6.xlarge leaves 2.92 cpu '
      + 'for pods (after DaemonSet kube-system/log-agent: 1 cpu)');
    // memory, and several DaemonSets
    const mem = workload({ name: 'llm', namespace: 'serving', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1, 'memory': '11Gi' }, requests: { cpu: '1' } });
    expect(gpu203([g6xlarge, mem])).toEqual([]);
    expect(gpu203([g6xlarge, mem, daemonSet('a', { memory: '2Gi' }), daemonSet('b', { memory: '1Gi' })])[0].message)
      .toMatch(/needs 11Gi memory per pod; the largest allowed type g6\.xlarge leaves .* for pods \(after DaemonSets kube-system\/a, kube-system\/b: 3Gi\)$/);
  });

  test('no room is taken by a DaemonSet that does not land on the pool, asks for a GPU, or asks less than the allowance', () => {
    expect(gpu203([g6xlarge, app('3'), daemonSet('cpu-only-nodes', { cpu: '1' }, { tolerations: [] })])).toEqual([]);
    expect(gpu203([g6xlarge, app('3'), daemonSet('elsewhere', { cpu: '1' }, { nodeSelector: { 'node.kubernetes.io/instance-type': 'm5.large' } })])).toEqual([]);
    expect(gpu203([g6xlarge, app('3'), daemonSet('small', { cpu: '400m' })])).toEqual([]);
    const gpuDs = daemonSet('gpu-ds', { cpu: '1' });
    gpuDs.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': 1 };
    expect(gpu203([g6xlarge, app('3'), gpuDs])).toEqual([]);
  });

  test('their ephemeral storage leaves less disk: GPU203 names them beside the volume', () => {
    const disky = workload({ name: 'llm', namespace: 'serving', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1, 'memory': '8Gi' }, requests: { 'cpu': '1', 'ephemeral-storage': '15Gi' } });
    expect(gpu203([g6xlarge, disky])).toEqual([]);
    expect(gpu203([g6xlarge, disky, daemonSet('cache', { 'ephemeral-storage': '5Gi' })])[0].message).toBe('can never be scheduled: NodePool gpu: needs '
      + '15Gi ephemeral-storage per pod; the allowed types give pods at most 12Gi (g6.xlarge: a 20Gi /dev/xvda (Karpenter\'s default for AL2023: '
      + 'the EC2NodeClass gives it no size), less 1Gi kube-reserved, 2Gi eviction threshold (nodefs.available 10%, the default), and DaemonSet '
      + 'kube-system/cache 5Gi)');
  });

  test('GPU219 bounds the replicas by the room they leave: four 11-cpu replicas fit one 4-GPU node of a 4-GPU limit, not after 4 cpu of DaemonSets', () => {
    const pool = nodePool({ limits: { 'nvidia.com/gpu': 4 }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.12xlarge'] }] });
    const gpu219 = (extra: any[]) => of(lint([DEFAULT_NODE_CLASS, pool, app('11', 4), ...extra]), 'GPU219');
    expect(gpu219([])).toEqual([]);
    expect(gpu219([daemonSet('agent', { cpu: '4' })])).toHaveLength(1);
  });

  test('plan packs against the room they leave: four 11-cpu replicas share one 4-GPU node, three after a DaemonSet of 4 cpu', () => {
    const pool = nodePool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.12xlarge'] }] });
    const nodes = (extra: any[]) => planGpuWorkloads([pool, DEFAULT_NODE_CLASS, app('11', 4), ...extra].map((object) => ({ object }))).pools[0].nodes;
    expect(nodes([])).toMatchObject({ min: 1, max: 1 });
    expect(nodes([daemonSet('agent', { cpu: '4' })])).toMatchObject({ min: 2, max: 2 });
  });
});
