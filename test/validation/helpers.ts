import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Finding, SourcedManifest, validateManifests, ValidateOptions } from '../../src/validation';

/** Parses every YAML document of `text` (empty documents dropped), with its 1-based start line. */
export function parseYaml(text: string, file = '<inline>'): SourcedManifest[] {
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      return { object: doc.toJS(), source: { file, line: lineOf(doc.contents?.range?.[0] ?? 0) } };
    })
    .filter((m) => m.object && typeof m.object === 'object');
}

export function loadYaml(file: string): SourcedManifest[] {
  return parseYaml(fs.readFileSync(file, 'utf8'), file);
}

/** The rules' fixture folder: `<rule id>/pass.yaml` and `fail.yaml` per rule (and other cases beside them). */
export const RULE_FIXTURES = path.join(__dirname, '../fixtures/rules');

/** Every object of every rule's `pass.yaml` and `fail.yaml`, rule ids in order. */
export function ruleFixtureObjects(): SourcedManifest[] {
  const out: SourcedManifest[] = [];
  for (const id of fs.readdirSync(RULE_FIXTURES).sort()) {
    for (const f of ['pass.yaml', 'fail.yaml']) {
      const file = path.join(RULE_FIXTURES, id, f);
      if (fs.existsSync(file)) out.push(...loadYaml(file));
    }
  }
  return out;
}

export function lint(objects: any[], options?: ValidateOptions): Finding[] {
  // Rule tests judge each rule on purpose-built fragments (no image, no EC2NodeClass selectors, …), many of them
  // invalid against the schema on purpose: the schema gate (GPU009, tested in schema-gate.test.ts) is off here
  // unless a test asks for it.
  return validateManifests(objects.map((object) => ({ object })), { schemaGate: false, ...options });
}

/** Findings of one rule. */
export function of(findings: Finding[], ruleId: string): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

export interface PodOpts {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly limits?: Record<string, unknown>;
  readonly requests?: Record<string, unknown>;
  readonly initLimits?: Record<string, unknown>;
  readonly tolerations?: any[];
  readonly nodeSelector?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly podAnnotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
}

const API: Record<string, string> = {
  Pod: 'v1', Deployment: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', ReplicaSet: 'apps/v1', Job: 'batch/v1', CronJob: 'batch/v1',
};

/** A workload of `kind` (default Deployment) with one container. */
export function workload(o: PodOpts = {}): any {
  const kind = o.kind ?? 'Deployment';
  const name = o.name ?? 'app';
  const labels = o.labels ?? { app: name };
  const resources: any = {};
  if (o.limits) resources.limits = o.limits;
  if (o.requests) resources.requests = o.requests;
  const podSpec: any = { containers: [{ name: 'main', image: 'busybox', resources }] };
  if (o.initLimits) podSpec.initContainers = [{ name: 'init', image: 'busybox', resources: { limits: o.initLimits } }];
  if (o.tolerations) podSpec.tolerations = o.tolerations;
  if (o.nodeSelector) podSpec.nodeSelector = o.nodeSelector;
  const metadata: any = { name, namespace: o.namespace ?? 'default', ...(o.annotations ? { annotations: o.annotations } : {}) };
  const template = { metadata: { labels, ...(o.podAnnotations ? { annotations: o.podAnnotations } : {}) }, spec: podSpec };
  switch (kind) {
    case 'Pod': return { apiVersion: 'v1', kind, metadata: { ...metadata, labels }, spec: podSpec };
    case 'Job': return { apiVersion: 'batch/v1', kind, metadata, spec: { template } };
    case 'CronJob': return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } };
    default: return { apiVersion: API[kind], kind, metadata, spec: { selector: { matchLabels: labels }, template } };
  }
}

export interface PoolOpts {
  readonly name?: string;
  readonly requirements?: any[];
  readonly taints?: any[];
  readonly startupTaints?: any[];
  readonly limits?: Record<string, unknown>;
}

/** A Karpenter v1 NodePool (default: g6 family, nvidia.com/gpu:NoSchedule, 16 GPUs). */
export function nodePool(o: PoolOpts = {}): any {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: o.name ?? 'gpu' },
    spec: {
      ...(o.limits === undefined ? { limits: { 'nvidia.com/gpu': 16 } } : Object.keys(o.limits).length ? { limits: o.limits } : {}),
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements: o.requirements ?? [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g6'] }],
          ...(o.taints === undefined ? { taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] } : { taints: o.taints }),
          ...(o.startupTaints ? { startupTaints: o.startupTaints } : {}),
        },
      },
    },
  };
}

/** A NodePool of the test's default shape that allows exactly the instance types `names`. */
export const poolOfTypes = (...names: string[]): any => nodePool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: names }] });

/** The EC2NodeClass `nodePool()` refers to, so GPU106 (nodeClassRef must resolve) stays quiet in focused tests. */
export const DEFAULT_NODE_CLASS = {
  apiVersion: 'karpenter.k8s.aws/v1',
  kind: 'EC2NodeClass',
  metadata: { name: 'default' },
  spec: {
    amiSelectorTerms: [{ alias: 'al2023@latest' }],
    role: 'KarpenterNodeRole-demo',
    subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'demo' } }],
    securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'demo' } }],
  },
};

export const GPU_TOLERATION = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
