/**
 * Fuzz-ish robustness: whatever bytes arrive, runLint returns an exit code (0, 1 or 2) and never throws, and the
 * rules never crash on odd object shapes (a crash would surface as "internal error").
 */
import { Readable } from 'stream';
import * as fc from 'fast-check';
import { runLint } from '../../src/cli/lint';
import { params } from '../property/arbitraries';

async function lintStdin(input: string | Buffer, args: string[] = []) {
  let out = '';
  let err = '';
  const code = await runLint([...args, '-'], {
    stdout: { write: (s: string) => { out += s; return true; } },
    stderr: { write: (s: string) => { err += s; return true; } },
    stdin: typeof input === 'string' ? input : Readable.from([input]),
    env: {},
  });
  return { code, out, err };
}

const SAMPLE = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: gpu
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
        - key: node.kubernetes.io/instance-type
          operator: In
          values: ["p4d.24xlarge", "g5.xlarge"]
      taints:
        - {key: nvidia.com/gpu, value: "true", effect: NoSchedule}
  limits:
    nvidia.com/gpu: 16
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: vllm, namespace: ai, labels: {app: vllm}}
spec:
  replicas: 2
  selector: {matchLabels: {app: vllm}}
  template:
    metadata: {labels: {app: vllm}}
    spec:
      nodeSelector: {karpenter.k8s.aws/instance-gpu-name: a100}
      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.0
          resources:
            limits: {nvidia.com/gpu: "1", memory: 64Gi}
`;

/** Runs per property, with the suite's fixed seed (FC_SEED=<n> explores others; a failure prints its seed). */
const RUNS = 200;

function expectSane(r: { code: number; err: string }) {
  expect([0, 1, 2]).toContain(r.code);
  expect(r.err).not.toMatch(/internal error/);
}

describe('runLint never throws', () => {
  test('the sample itself is clean', async () => {
    const r = await lintStdin(SAMPLE);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  test('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
      expectSane(await lintStdin(Buffer.from(bytes)));
    }), params(RUNS));
    // Without NUL bytes, so the YAML parser sees them (invalid UTF-8 included).
    await fc.assert(fc.asyncProperty(fc.uint8Array({ min: 1, maxLength: 2048 }), async (bytes) => {
      expectSane(await lintStdin(Buffer.from(bytes)));
    }), params(RUNS));
  });

  test('truncated and spliced YAML', async () => {
    await fc.assert(fc.asyncProperty(
      fc.nat(SAMPLE.length), fc.nat(SAMPLE.length), fc.string({ maxLength: 8 }),
      async (cut, at, junk) => {
        const truncated = SAMPLE.slice(0, cut);
        const r = await lintStdin(truncated);
        expectSane(r);
        expectSane(await lintStdin(SAMPLE.slice(0, at) + junk + SAMPLE.slice(at)));
      }), params(RUNS));
  });

  test('YAML-ish token soup', async () => {
    const token = fc.constantFrom('apiVersion: v1\n', 'kind: Pod\n', 'kind: List\n', 'items:\n', '- ', '  ', ': ', '---\n',
      '{', '}', '[', ']', ',', '&a ', '*a ', '!!str ', '"', "'", '#', '|\n', '>\n', 'nvidia.com/gpu: ', '1', '-1', '0.5', 'null',
      'metadata: {name: x}\n', 'spec:\n', 'containers:\n', 'resources: {limits: ', '\t', '\n', '? ', '%YAML 1.2\n', '...\n');
    await fc.assert(fc.asyncProperty(fc.array(token, { maxLength: 60 }), async (tokens) => {
      expectSane(await lintStdin(tokens.join('')));
    }), params(RUNS));
  });

  test('Kubernetes-shaped objects with arbitrary field values do not crash a rule', async () => {
    const kinds = fc.constantFrom('Deployment', 'Pod', 'StatefulSet', 'Job', 'CronJob', 'DaemonSet', 'NodePool',
      'EC2NodeClass', 'ScaledObject', 'Service', 'ConfigMap', 'List');
    const apiVersions = fc.constantFrom('v1', 'apps/v1', 'batch/v1', 'karpenter.sh/v1', 'karpenter.k8s.aws/v1', 'keda.sh/v1alpha1');
    const json = fc.jsonValue({ maxDepth: 4 });
    const resources = fc.oneof(json, fc.record({ limits: json, requests: json }));
    const podSpec = fc.record({
      containers: fc.oneof(json, fc.array(fc.record({ name: json, resources }), { maxLength: 3 })),
      tolerations: json,
      nodeSelector: json,
      affinity: json,
    }, { requiredKeys: [] });
    const obj = fc.record({
      apiVersion: apiVersions,
      kind: kinds,
      metadata: fc.oneof(json, fc.record({ name: fc.string(), namespace: json, labels: json, annotations: json }, { requiredKeys: [] })),
      spec: fc.oneof(json, fc.record({
        template: fc.oneof(json, fc.record({ spec: fc.oneof(json, podSpec), metadata: json }, { requiredKeys: [] })),
        limits: json,
        requirements: json,
        items: json,
      }, { requiredKeys: [] })),
      items: json,
    }, { requiredKeys: ['apiVersion', 'kind'] });
    await fc.assert(fc.asyncProperty(fc.array(obj, { minLength: 1, maxLength: 4 }), async (objs) => {
      // JSON is YAML: one document per object.
      expectSane(await lintStdin(objs.map((o) => JSON.stringify(o)).join('\n---\n')));
    }), params(RUNS));
  });

  test('deeply nested documents', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 20000 }), fc.boolean(), async (depth, flow) => {
      const doc = flow
        ? `apiVersion: v1\nkind: ConfigMap\ndata: ${'['.repeat(depth)}${']'.repeat(depth)}\n`
        : `apiVersion: v1\nkind: ConfigMap\ndata:\n${Array.from({ length: Math.min(depth, 2000) }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`;
      expectSane(await lintStdin(doc));
    }), params(30));
  });
});
