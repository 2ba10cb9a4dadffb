/**
 * docs/guide.md stays true: every ```ts block in it is type-checked and run, and what it synthesises is checked here.
 *
 * How the guide marks its blocks (an HTML comment on the line before each ```ts fence, invisible on GitHub):
 *   <!-- test: NAME -->                    the block belongs to program NAME (blocks of one name run in order)
 *   <!-- test: NAME after BASE -->         program NAME runs BASE's code first (e.g. the walkthrough's steps)
 *   <!-- test: NAME after BASE throws -->  it must throw, and the message must contain the ```text block that follows
 * A ```ts block without a marker fails the test: nothing in the guide is left unrun. Each program has its checks in
 * CHECKS below, and a program without checks (or checks without a program) fails too.
 *
 * The snippets import from 'cdk8s-gpu' as a user's project does (jest's moduleNameMapper maps it to src/; the type
 * check maps it the same way), and synthesise where `cdk8s synth` would make them (CDK8S_OUTDIR).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Cron, Testing } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as ts from 'typescript';
import * as gpu from '../src';
import { expectValid, parseManifests } from './conformance/schema';
import { Severity, validateManifests } from '../src/validation';

const ROOT = path.join(__dirname, '..');
const GUIDE_PATH = path.join(ROOT, 'docs', 'guide.md');
const GUIDE = fs.readFileSync(GUIDE_PATH, 'utf8');

interface GuideProgram {
  readonly name: string;
  readonly after?: string;
  readonly throws: boolean;
  /** The program's own blocks, in guide order. */
  readonly blocks: string[];
  /** The ```text block after the (last) block of a `throws` program. */
  expected?: string;
  /** Line of the first block (1-based), for messages. */
  readonly line: number;
}

const MARKER = /^<!-- test: ([a-z0-9-]+)(?: after ([a-z0-9-]+))?( throws)? -->$/;

/** The guide's programs, and the lines of ```ts blocks that carry no marker. */
function parseGuide(text: string): { programs: Map<string, GuideProgram>; unmarked: number[] } {
  const lines = text.split('\n');
  const programs = new Map<string, GuideProgram>();
  const unmarked: number[] = [];
  let last: GuideProgram | undefined;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)/.exec(lines[i]);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`docs/guide.md:${i + 1}: unclosed code fence`);
    const body = lines.slice(i + 1, end).join('\n');
    if (fence[1] === 'ts') {
      const marker = MARKER.exec(lines[i - 1] ?? '');
      if (!marker) {
        unmarked.push(i + 1);
      } else {
        const [, name, after, throws] = marker;
        let p = programs.get(name);
        if (!p) {
          p = { name, after, throws: !!throws, blocks: [], line: i + 1 };
          programs.set(name, p);
        } else if (p.after !== after || p.throws !== !!throws) {
          throw new Error(`docs/guide.md:${i + 1}: program ${name} is marked differently from its first block (line ${p.line})`);
        }
        p.blocks.push(body);
        last = p;
      }
    } else if (fence[1] === 'text' && last?.throws && last.expected === undefined) {
      last.expected = body;
    }
    i = end;
  }
  return { programs, unmarked };
}

const { programs, unmarked } = parseGuide(GUIDE);

/** The source of a program: its base program's, then its own blocks. */
function sourceOf(name: string, seen: string[] = []): string {
  const p = programs.get(name);
  if (!p) throw new Error(`docs/guide.md: no program ${name} (referenced by ${seen.join(' → ') || 'a test'})`);
  if (seen.includes(name)) throw new Error(`docs/guide.md: program ${name} runs after itself`);
  const base = p.after ? sourceOf(p.after, [...seen, name]) + '\n' : '';
  return base + p.blocks.join('\n');
}

/** What running a program gave: the objects it synthesised (cdk8s), the values it exported, or what it threw. */
interface RunResult {
  readonly objects: any[];
  readonly exported: Record<string, any>;
  readonly error?: Error;
  readonly output: string;
}

/** Transpiles and runs a program as a CommonJS module, synthesising into a fresh CDK8S_OUTDIR. */
function run(name: string, exportNames: string[] = []): RunResult {
  const source = sourceOf(name) + (exportNames.length ? `\nObject.assign(exports, { ${exportNames.join(', ')} });\n` : '');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: `${name}.ts`,
  }).outputText;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `guide-${name}-`));
  const exported: Record<string, any> = {};
  const saved = process.env.CDK8S_OUTDIR;
  const printed: string[] = [];
  const spies = (['log', 'warn', 'error'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation((...args: any[]) => { printed.push(args.join(' ')); }));
  process.env.CDK8S_OUTDIR = outdir;
  let error: Error | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'exports', 'module', js)(require, exported, { exports: exported });
  } catch (e) {
    error = e as Error;
  } finally {
    if (saved === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = saved;
    spies.forEach((s) => s.mockRestore());
  }
  const objects = fs.existsSync(outdir)
    ? fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort()
      .flatMap((f) => parseManifests(fs.readFileSync(path.join(outdir, f), 'utf8')))
    : [];
  return { objects, exported, error, output: printed.join('\n') };
}

const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();
const find = (objs: any[], kind: string, name?: string) => objs.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
const one = (objs: any[], kind: string, name?: string) => {
  const found = find(objs, kind, name);
  expect(found.map((o) => `${o.kind}/${o.metadata?.name}`)).toHaveLength(1);
  return found[0];
};
const findingsOf = (objects: any[]) => validateManifests(objects.map((object) => ({ object })));

/** Checks of each program's result. `throws` programs are checked against their ```text block as well. */
const CHECKS: Record<string, (r: RunResult) => void> = {
  // The walkthrough's steps 1-6 run as the base of every other program; `synth` checks what they write.
  'platform': () => {},

  'synth': ({ objects }) => {
    const kinds = objects.map((o) => o.kind);
    for (const kind of ['NodePool', 'EC2NodeClass', 'PriorityClass', 'Namespace', 'ResourceQuota', 'Deployment', 'Service',
      'PodDisruptionBudget', 'ServiceMonitor', 'DaemonSet', 'PrometheusRule', 'ScaledObject', 'ResourceFlavor', 'ClusterQueue',
      'LocalQueue', 'WorkloadPriorityClass', 'Job']) {
      expect(kinds).toContain(kind);
    }
    // Every object passes its upstream schema, and validation has nothing to report ("validation finds nothing").
    expectValid(objects);
    expect(findingsOf(objects).map((f) => `${f.severity} ${f.ruleId} ${f.object.kind}/${f.object.name}: ${f.message}`)).toEqual([]);

    // Step 2: two pools on one node class, their GPU limits.
    expect(find(objects, 'EC2NodeClass').map((o) => o.metadata.name)).toEqual(['gpu-nodes']);
    const serving = one(objects, 'NodePool', 'l4-serving');
    const training = one(objects, 'NodePool', 'l40s-training');
    expect(serving.spec.limits['nvidia.com/gpu']).toBe(8);
    expect(training.spec.limits['nvidia.com/gpu']).toBe(8); // maxNodes 2 × 4 L40S
    for (const pool of [serving, training]) {
      expect(pool.spec.template.spec.nodeClassRef.name).toBe('gpu-nodes');
      expect(pool.spec.template.spec.taints).toContainEqual({ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' });
    }
    // Step 3: three tiers, two team namespaces with their GPU quota.
    expect(find(objects, 'PriorityClass')).toHaveLength(3);
    for (const [ns, gpus] of [['serving', 12], ['research', 8]] as const) {
      one(objects, 'Namespace', ns);
      expect(find(objects, 'ResourceQuota').find((q) => q.metadata.namespace === ns)?.spec.hard['requests.nvidia.com/gpu']).toBe(gpus);
    }
    // Step 4: the server lands only on the serving pool and tolerates its taint; one GPU, requests = limits.
    const qwen = one(objects, 'Deployment', 'qwen-7b');
    expect(qwen.metadata.namespace).toBe('serving');
    const pod = qwen.spec.template.spec;
    expect(pod.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['l4-serving'] }] },
    ]);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.containers[0].resources.requests['nvidia.com/gpu']).toBe(1);
    expect(pod.priorityClassName).toBe(one(objects, 'PriorityClass', pod.priorityClassName).metadata.name);
    // Step 5: the exporter runs on both pools; the scaler reads the server's own GPU utilisation, max 8 = the pool limit.
    const exporter = one(objects, 'DaemonSet');
    expect(JSON.stringify(exporter.spec.template.spec.affinity)).toContain('"values":["l4-serving","l40s-training"]');
    const scaler = one(objects, 'ScaledObject');
    expect(scaler.spec.scaleTargetRef.name).toBe('qwen-7b');
    expect(scaler.spec.minReplicaCount).toBe(1);
    expect(scaler.spec.maxReplicaCount).toBe(8);
    expect(scaler.spec.triggers[0].metadata.query).toContain('DCGM_FI_DEV_GPU_UTIL');
    expect(qwen.spec.replicas).toBeUndefined(); // KEDA owns the count
    // Step 6: the flavor is the training pool; the job waits in the research queue, suspended, on 4 GPUs.
    expect(one(objects, 'ResourceFlavor').spec.nodeLabels).toEqual({ 'karpenter.sh/nodepool': 'l40s-training' });
    const queue = one(objects, 'LocalQueue');
    expect(queue.metadata.namespace).toBe('research');
    expect(queue.spec.clusterQueue).toBe(one(objects, 'ClusterQueue', 'research').metadata.name);
    const job = one(objects, 'Job', 'finetune-7b');
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe(queue.metadata.name);
    expect(job.spec.suspend).toBe(true);
    expect(job.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(4);
  },

  'spot-burst': ({ objects, error }) => {
    expect(error).toBeUndefined();
    expect(findingsOf(objects).filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    const spot = one(objects, 'NodePool', 'l4-spot');
    expect(spot.spec.template.spec.taints).toContainEqual({ key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' });
    const pod = one(objects, 'Deployment', 'qwen-7b-batch').spec.template.spec;
    expect(pod.tolerations).toEqual(expect.arrayContaining([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' },
    ]));
    expect(pod.terminationGracePeriodSeconds).toBeLessThan(120); // within the two-minute notice
    // The walkthrough's server does not tolerate the spot taint: it never lands there.
    expect(one(objects, 'Deployment', 'qwen-7b').spec.template.spec.tolerations.map((t: any) => t.key)).not.toContain('karpenter.sh/capacity-type');
  },

  'mig': ({ objects, error }) => {
    expect(error).toBeUndefined();
    expect(findingsOf(objects).filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    const pool = one(objects, 'NodePool', 'a100-mig');
    expect(pool.spec.template.metadata.labels['nvidia.com/mig.config']).toBe('seven-slices');
    const overlay = one(objects, 'NodeOverlay');
    expect(overlay.spec.capacity).toEqual({ 'nvidia.com/mig-1g.5gb': '56', 'nvidia.com/gpu': '0' }); // 8 GPUs × 7 slices
    expect(one(objects, 'ClusterPolicy').spec.mig.strategy).toBe('mixed');
    expect(one(objects, 'ConfigMap', 'mig-config').data['config.yaml']).toContain('1g.5gb: 7');
    const container = one(objects, 'Deployment', 'qwen-0-5b').spec.template.spec.containers[0];
    expect(container.resources.limits).toEqual(expect.objectContaining({ 'nvidia.com/mig-1g.5gb': 1 }));
    expect(container.resources.limits['nvidia.com/gpu']).toBeUndefined();
  },

  'replicas-with-scaler': ({ objects, error, output }) => {
    expect(error).toBeUndefined();
    expect(output).toMatch(/warning GPU803 InferenceDeployment platform\/gemma replicas: 3 is ignored: KedaGpuScaler platform\/gemma-scaler owns the replica count/);
    expect(one(objects, 'Deployment', 'gemma-2b').spec.replicas).toBeUndefined();
    expect(one(objects, 'ScaledObject', 'gemma-2b-gpu-scaler').spec.maxReplicaCount).toBe(4);
  },

  'suppress-construction-warning': ({ objects, error, output }) => {
    expect(error).toBeUndefined();
    expect(output).not.toMatch(/GPU803/);
    expect(one(objects, 'Deployment', 'gemma-2b').spec.replicas).toBeUndefined();
  },

  'gpu-limit-below-one-node': () => {},
  'instance-type-typo': () => {},
  'tgi-port': () => {},
  'scaler-above-pool-limit': () => {},
  'gpus-per-pod': () => {},
  'no-cluster': () => {},
  'dcgm-operator-pools': () => {},
  'cache-above-disk': () => {},
  'claim-one-node': () => {},
  'model-above-gpu': ({ objects, error, output }) => {
    expect(error).toBeUndefined();
    expect(output).toMatch(/warning GPU247 apps\/v1 Deployment research\/qwen-14b spec\.template\.spec\.containers\[0\]: container "[^"]+" runs vLLM with "Qwen\/Qwen2\.5-14B-Instruct" on one GPU, which holds at least 26\.1Gi of its weights/);
    expect(output).toContain('but on every instance type it can run on (g6.xlarge, g6.2xlarge) a GPU holds at most 22.4Gi (L4-24GB), of which it may use 20.1Gi');
    expect(findingsOf(objects).filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    // the only warning about the new server is GPU247's
    expect(findingsOf(objects).filter((f) => f.object.name === 'qwen-14b' || f.object.name === 'l4-chat').map((f) => f.ruleId)).toEqual(['GPU247']);
  },
  // (the ```text block holds the error; a parser added, the same server synthesises clean: GPU259's own tests)
  'tools-without-parser': ({ error }) => {
    expect(error?.message).toContain('error GPU259');
  },
  'context-above-kv': ({ objects, error, output }) => {
    expect(error).toBeUndefined();
    expect(output).toMatch(/warning GPU252 apps\/v1 Deployment research\/llama-8b spec\.template\.spec\.containers\[0\]: container "[^"]+" runs vLLM with "meta-llama\/Llama-3\.1-8B-Instruct" and a context of 131072 tokens/);
    expect(output).toContain('at most 42723 tokens fit');
    // the only finding on the new server is GPU252's
    expect(findingsOf(objects).filter((f) => f.object.name === 'llama-8b').map((f) => f.ruleId)).toEqual(['GPU252']);
  },
  'pod-without-toleration': ({ error }) => {
    // A validation finding (not a construction error): synth lists GPU002 with the toleration to add.
    expect(error!.message).toContain('Validation failed');
    expect(error!.message).toContain('Add the toleration(s) {key: nvidia.com/gpu, operator: Equal, value: "true", effect: NoSchedule}');
  },

  'mixed-models': ({ objects, error }) => {
    expect(error).toBeUndefined();
    const gpu006 = findingsOf(objects).filter((f) => f.ruleId === 'GPU006');
    expect(gpu006.map((f) => [f.severity, f.object.name])).toEqual([[Severity.WARNING, 'mistral-7b']]);
    expect(gpu006[0].message).toMatch(/a10g .*l4 /);
  },

  'pin-model': ({ objects, error }) => {
    expect(error).toBeUndefined();
    expect(findingsOf(objects)).toEqual([]);
    const terms = one(objects, 'Deployment', 'mistral-7b').spec.template.spec.affinity.nodeAffinity
      .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    // One term: the pool AND the model (narrower than the pool, never wider).
    expect(terms).toHaveLength(1);
    expect(terms[0].matchExpressions).toEqual(expect.arrayContaining([
      { key: 'karpenter.sh/nodepool', operator: 'In', values: ['a10g-l4'] },
      { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['l4'] },
    ]));
  },

  'suppress': ({ objects, error }) => {
    expect(error).toBeUndefined();
    expect(findingsOf(objects)).toEqual([]);
    const deployment = one(objects, 'Deployment', 'mistral-7b');
    expect(deployment.spec.template.metadata.annotations['cdk8s-gpu.io/suppress.GPU006']).toMatch(/reviewed by the platform team/);
    // The same objects without the annotation: GPU006 again (so the annotation is what silenced it).
    delete deployment.spec.template.metadata.annotations['cdk8s-gpu.io/suppress.GPU006'];
    expect(findingsOf(objects).map((f) => f.ruleId)).toEqual(['GPU006']);
  },

  'eks': ({ exported, error }) => {
    expect(error).toBeUndefined();
    const { stack, chart, cdkApp } = exported;
    // The add-ons the stack installs, as pinned Helm charts.
    const charts = stack.node.findAll().filter((c: any) => c.constructor?.name === 'HelmChart').map((c: any) => c.chart).sort();
    expect(charts).toEqual(expect.arrayContaining(['gpu-operator', 'karpenter', 'keda', 'kube-prometheus-stack', 'kueue']));
    // addChart bound the chart's node class to the stack's cluster and node role.
    const objects = (chart as Chart).toJson();
    const nodeClass = one(objects, 'EC2NodeClass');
    expect(nodeClass.spec.role).toBe(stack.gpuCluster.karpenterNodeRoleName);
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'gpu-demo' } }]);
    // The app synthesised the stack (CloudFormation with the cluster and the charts).
    const template = cdkApp.synth().getStackByName('GpuPlatform').template;
    const types = Object.values(template.Resources).map((r: any) => r.Type);
    expect(types).toContain('AWS::EKS::Cluster');
    expect(types.filter((t: string) => t === 'Custom::AWSCDK-EKS-HelmChart').length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(template)).toContain('qwen-7b');
  },
};

/** Values the programs hand to their checks (appended as `Object.assign(exports, {...})`). */
const EXPORTS: Record<string, string[]> = { eks: ['stack', 'chart', 'cdkApp'] };

describe('docs/guide.md', () => {
  test('every ```ts block is marked for a test, and every program has checks', () => {
    expect(unmarked.map((line) => `docs/guide.md:${line}`)).toEqual([]);
    expect([...programs.keys()].sort()).toEqual(Object.keys(CHECKS).sort());
    for (const p of programs.values()) {
      if (p.after) expect(programs.has(p.after)).toBe(true);
      if (p.throws) expect({ program: p.name, expected: p.expected?.trim() || undefined }).toEqual({ program: p.name, expected: expect.any(String) });
    }
  });

  test('every block type-checks against the library, as a user\'s compiler sees it', () => {
    // Virtual files next to the tests, so node_modules resolves as it does for a project; 'cdk8s-gpu' is src/.
    const files = new Map([...programs.keys()].map((name) => [path.join(ROOT, 'test', '__guide__', `${name}.ts`), sourceOf(name)]));
    const options: ts.CompilerOptions = {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      lib: ['lib.es2022.d.ts'],
      baseUrl: ROOT,
      paths: { 'cdk8s-gpu': ['src/index.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (f, lang, ...rest) => (files.has(f)
      ? ts.createSourceFile(f, files.get(f)!, lang)
      : getSourceFile.call(host, f, lang, ...rest));
    host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
    host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = [...files.keys()].flatMap((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)!)).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${path.basename(d.file?.fileName ?? '?')}:${where ? where.line + 1 : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });

  test('every relative link and anchor resolves (GitHub heading slugs)', () => {
    const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
    const anchorsOf = (file: string) => new Set(fs.readFileSync(file, 'utf8').split('\n')
      .filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, ''))));
    const broken: string[] = [];
    for (const [, target] of GUIDE.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // https://…
      const [file, anchor] = target.split('#');
      const resolved = file ? path.resolve(path.dirname(GUIDE_PATH), file) : GUIDE_PATH;
      if (!fs.existsSync(resolved)) broken.push(`${target}: no such file`);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${target}: no such heading`);
    }
    expect(broken).toEqual([]);
  });

  describe.each([...programs.values()].map((p) => [p.name, p] as const))('program %s', (name, p) => {
    test(p.throws ? 'fails with the message the guide shows' : 'runs and synthesises what the guide says', () => {
      const result = run(name, EXPORTS[name]);
      if (p.throws) {
        expect(result.error).toBeDefined();
        expect(normalise(result.error!.message)).toContain(normalise(p.expected ?? '<no ```text block>'));
      } else if (result.error) {
        throw result.error;
      }
      CHECKS[name]?.(result);
    });
  });
});

/**
 * The table "Which construct for which job": every public construct is in it, and the kinds it says each construct
 * writes are the kinds the construct writes (each built here in the ways the table mentions); the diagram names them.
 */
describe('docs/guide.md: the construct table and the diagram', () => {
  const section = GUIDE.split('## Which construct for which job')[1].split('\n## ')[0];
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Job ') && !l.startsWith('|---'))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()))
    .map(([job, constructs, writes]) => ({
      job,
      constructs: [...constructs.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]),
      kinds: new Set([...writes.matchAll(/`([A-Z][A-Za-z0-9]+)`/g)].map((m) => m[1])),
    }));
  const diagram = /```mermaid\n([\s\S]*?)```/.exec(GUIDE)![1];

  const nodeClassProps = { clusterName: 'demo', role: 'KarpenterNodeRole-demo' };
  /** Instances of a construct, built the ways its row describes; each in a fresh chart with a GPU pool at hand. */
  const BUILD: Record<string, (chart: Chart, pool: gpu.GpuNodePool) => IConstruct[]> = {
    GpuNodePool: (c) => [new gpu.GpuNodePool(c, 'x', { instanceTypes: [gpu.GpuInstanceType.G6_XLARGE], gpuLimit: 2, nodeClassProps })],
    GpuNodeClass: (c) => [new gpu.GpuNodeClass(c, 'x', nodeClassProps)],
    SpotGpuPool: (c) => [new gpu.SpotGpuPool(c, 'x', {
      instanceTypes: [gpu.GpuInstanceType.G6_XLARGE, gpu.GpuInstanceType.G6_2XLARGE, gpu.GpuInstanceType.G6_4XLARGE],
      gpuLimit: 2,
      nodeClassProps,
      onDemandFallback: true,
    })],
    TieredGpuCapacity: (c) => [new gpu.TieredGpuCapacity(c, 'x', {
      base: { instanceTypes: [gpu.GpuInstanceType.P5_48XLARGE], maxNodes: 1, nodeClassProps },
      reservations: [gpu.CapacityReservation.capacityBlock('cr-0123456789abcdef0')],
    })],
    InferenceDeployment: (c, pool) => [new gpu.InferenceDeployment(c, 'x', { pools: [pool], vllm: { model: 'org/model' } })],
    TrainingJob: (c, pool) => [
      new gpu.TrainingJob(c, 'x', { pools: [pool], image: 'img', command: ['python'] }),
      new gpu.TrainingJob(c, 'gang', { pools: [pool], nodes: 2, image: 'img', command: ['torchrun'] }),
      new gpu.TrainingJob(c, 'cron', { pools: [pool], image: 'img', command: ['python'], schedule: Cron.daily() }),
    ],
    TieredPriorities: (c) => [new gpu.TieredPriorities(c, 'x')],
    GpuTeam: (c) => [
      new gpu.TieredPriorities(c, 'p').addTeam('t', { gpuQuota: 2, readableConfigMaps: ['model-config'] }),
    ],
    KedaGpuScaler: (c, pool) => ['bearer', 'keda'].map((id) => new gpu.KedaGpuScaler(c, `scaler-${id}`, {
      target: gpu.GpuScaleTarget.fromInferenceDeployment(new gpu.InferenceDeployment(c, id, { pools: [pool], vllm: { model: 'org/model' } })),
      maxReplicas: 1,
      authentication: id === 'keda' ? gpu.PrometheusAuthentication.bearer('prom', 'token').inKedaNamespace() : gpu.PrometheusAuthentication.bearer('prom', 'token'),
    })),
    DcgmMonitoring: (c, pool) => [
      new gpu.DcgmMonitoring(c, 'x', { pools: [pool], createNamespace: true }),
      new gpu.DcgmMonitoring(c, 'op', { mode: gpu.DcgmExporterMode.GPU_OPERATOR }),
    ],
    MigConfig: (c) => {
      const pool = new gpu.GpuNodePool(c, 'a100', { instanceTypes: [gpu.GpuInstanceType.P4D_24XLARGE], maxNodes: 1, nodeClassProps });
      const mig = new gpu.MigConfig(c, 'x');
      mig.addLayout('seven', gpu.MigLayout.fromCounts(gpu.MigGpu.A100_40GB, { '1g.5gb': 7 }));
      mig.applyTo(pool, 'seven');
      return [mig];
    },
    DevicePluginConfig: (c) => {
      const pool = new gpu.GpuNodePool(c, 't4', { instanceTypes: [gpu.GpuInstanceType.G4DN_XLARGE], maxNodes: 1, nodeClassProps });
      const config = new gpu.DevicePluginConfig(c, 'x');
      config.addTimeSlicing('x4', { replicas: 4 });
      config.applyTo(pool, 'x4');
      return [config];
    },
    GpuOperator: (c) => [new gpu.GpuOperator(c, 'x')],
    GpuResourceFlavor: (c, pool) => [new gpu.GpuResourceFlavor(c, 'x', { pool })],
    GpuClusterQueue: (c, pool) => [new gpu.GpuClusterQueue(c, 'x', { quotas: [{ flavor: new gpu.GpuResourceFlavor(c, 'f', { pool }), gpus: 1 }] })],
    GpuLocalQueue: (c, pool) => {
      const queue = new gpu.GpuClusterQueue(c, 'q', { quotas: [{ flavor: new gpu.GpuResourceFlavor(c, 'f', { pool }), gpus: 1 }] });
      return [new gpu.GpuLocalQueue(c, 'x', { clusterQueue: queue, namespace: 'team' })];
    },
    GpuWorkloadPriorities: (c) => [new gpu.GpuWorkloadPriorities(c, 'x', { priorities: new gpu.TieredPriorities(c, 'p') })],
    GpuAdmissionPolicy: (c) => [new gpu.GpuAdmissionPolicy(c, 'x')],
  };
  /** Constructs of aws-cdk-lib (they write CloudFormation, checked by the eks program and test/eks). */
  const AWS_CDK = ['GpuEksStack', 'GpuEksCluster', 'GpuEfa'];

  test('every public construct has a row', () => {
    const exported = Object.entries(gpu).filter(([name, v]) => !name.startsWith('_') && typeof v === 'function'
      && (v as any).prototype instanceof Construct).map(([name]) => name);
    const inTable = rows.flatMap((r) => r.constructs);
    expect(exported.filter((name) => !inTable.includes(name))).toEqual([]);
    expect(inTable).toContain('GpuValidation');
    expect(Object.keys(BUILD).sort()).toEqual(exported.filter((n) => !AWS_CDK.includes(n)).sort());
  });

  test.each(rows.filter((r) => r.constructs.some((c) => c in BUILD)).map((r) => [r.constructs.join(', '), r] as const))(
    '%s: writes what the table says', (_, row) => {
      const written = new Set<string>();
      for (const name of row.constructs) {
        const chart = new Chart(Testing.app(), 'c');
        const pool = new gpu.GpuNodePool(chart, 'pool', { instanceTypes: [gpu.GpuInstanceType.G6_XLARGE], maxNodes: 2, nodeClassProps });
        for (const c of BUILD[name](chart, pool)) {
          for (const o of c.node.findAll()) if (o instanceof ApiObject) written.add(o.kind);
        }
      }
      expect([...row.kinds].sort()).toEqual([...written].sort());
    });

  test('the diagram names every construct and every kind of the table', () => {
    const words = new Set(diagram.match(/[A-Za-z0-9]+/g));
    const constructs = rows.flatMap((r) => r.constructs).filter((c) => c !== 'GpuValidation' && !AWS_CDK.includes(c));
    expect(constructs.filter((c) => !words.has(c))).toEqual([]);
    expect(rows.flatMap((r) => [...r.kinds]).filter((k) => !words.has(k))).toEqual([]);
  });
});
