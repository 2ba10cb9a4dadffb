import { validateManifests } from '../src/validation';
import { planGpuWorkloads, renderPlanJson, renderPlanText, renderPlanHtml, PLAIN_STYLE } from '../src/plan';
const pool = (spec: any = {}) => ({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'gpu' }, spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'd' }, requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g5.xlarge'] }], taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }], ...spec.tspec } }, limits: { 'nvidia.com/gpu': 8 }, ...spec.spec } });
const dep = (pspec: any = {}, extra: any = {}) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { 'nvidia.com/gpu': 1 } } }], tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }], ...pspec } }, ...extra } });
const cases: Record<string, any[]> = {
  tolStr: [pool(), dep({ tolerations: 'x' })],
  tolMap: [pool(), dep({ tolerations: { a: 1 } })],
  meMap: [pool(), dep({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: { a: 1 } }] } } } })],
  meNull: [pool(), dep({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [null] }] } } } })],
  meValStr: [pool(), dep({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: 'x' }] }] } } } })],
  poolReqMap: [pool({ tspec: { requirements: { a: 1 } } }), dep()],
  poolReqNull: [pool({ tspec: { requirements: [null] } }), dep()],
  poolReqValStr: [pool({ tspec: { requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: 'g5.xlarge' }] } }), dep()],
  poolTaintStr: [pool({ tspec: { taints: 'x' } }), dep()],
  containersMap: [pool(), dep({ containers: { a: { name: 'c' } } })],
  containersNull: [pool(), dep({ containers: [null] })],
  svcPortsMap: [pool(), dep(), { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { selector: { app: 'w' }, ports: { a: 1 } } }],
  rqCtor: [pool(), dep(), { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard: JSON.parse('{"constructor": "1", "toString": "2", "__proto__": "3", "requests.nvidia.com/gpu": "4"}') } }],
  limitsCtor: [pool({ spec: { limits: JSON.parse('{"constructor": 4, "__proto__": 5}') } }), dep()],
  reqKeyProto: [pool({ tspec: { requirements: [{ key: '__proto__', operator: 'In', values: ['x'] }, { key: 'constructor', operator: 'Exists' }] } }), dep({ nodeSelector: JSON.parse('{"__proto__": "x", "toString": "y"}') })],
  replicasNeg: [pool(), dep({}, { replicas: -3 })],
  replicasFrac: [pool(), dep({}, { replicas: 2.5 })],
  replicasStr: [pool(), dep({}, { replicas: '3' })],
  replicasInf: [pool(), dep({}, { replicas: Infinity })],
  kedaInf: [pool(), dep(), { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'k', namespace: 'default' }, spec: { scaleTargetRef: { name: 'w' }, maxReplicaCount: Infinity, minReplicaCount: -2, triggers: [{ type: 'cpu', metadata: { value: '50' } }] } }],
  gpuStr: [pool(), dep({ containers: [{ name: 'c', image: 'i', resources: { limits: { 'nvidia.com/gpu': { a: 1 } } } }] })],
  labelsMap: [pool(), dep({}, {})].map((o: any) => ({ ...o, metadata: { ...o.metadata, labels: 'x' } })),
};
for (const gate of [true, false]) for (const [name, objs] of Object.entries(cases)) {
  const ms = objs.map((object: any) => ({ object, source: { file: 'f.yaml', line: 1 } }));
  let out = '';
  try {
    const f = validateManifests(ms, { schemaGate: gate });
    out += f.filter((x) => x.ruleId === 'GPU010' || /undefined|NaN|\[object Object\]|Infinity/.test(x.message)).map((x) => `${x.ruleId}: ${x.message}`).join(' | ');
  } catch (e) { out += `LINT THROWS ${(e as Error).message}`; }
  try {
    const p = planGpuWorkloads(ms, { schemaGate: gate });
    for (const [fmt, txt] of [['json', renderPlanJson(p)], ['text', renderPlanText(p, PLAIN_STYLE)], ['html', renderPlanHtml(p)]]) {
      const m = /undefined|NaN|\[object Object\]|Infinity|-\d/.exec(txt.replace(/\d{4}-\d\d-\d\d|[a-z]-\d|--+|"-"/g, ''));
      if (m) out += ` PLAN ${fmt} prints ${m[0]} near ${JSON.stringify(txt.slice(Math.max(0, m.index - 60), m.index + 20))}`;
    }
  } catch (e) { out += ` PLAN THROWS ${(e as Error).message}`; }
  if (out.trim()) console.log(`gate=${gate} ${name}: ${out}`);
}
