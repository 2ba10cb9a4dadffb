/**
 * Lints the project's founding documents (/work/shared/seeds/*.txt: Korean Markdown with YAML samples that contain
 * mistakes on purpose) and checks what the linter finds there, object by object.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LintReport, runLint } from '../../src/cli/lint';
import { readInputs } from '../../src/cli/yaml-input';
import { validateManifests } from '../../src/validation';
import { describeWithShared, sharedPath } from '../shared-data';

const SEEDS = sharedPath('seeds');

// The one seed with YAML samples: a guide to dynamic GPU resource management (Karpenter, DCGM, KEDA, Spot).
const GUIDE = path.join(SEEDS, '001_e816ecc32d230f73.txt');

describeWithShared('the seed documents', ['seeds/001_e816ecc32d230f73.txt'], () => {
  const seedFiles = () => fs.readdirSync(SEEDS).filter((f) => f.endsWith('.txt')).sort().map((f) => path.join(SEEDS, f));

  test('every ```yaml sample is read with the line of its apiVersion in the document', async () => {
    const r = await readInputs([GUIDE]);
    expect(r.problems).toEqual([]);
    const text = fs.readFileSync(GUIDE, 'utf8').split('\n');
    expect(r.manifests.length).toBeGreaterThanOrEqual(11);
    for (const m of r.manifests) {
      expect(text[m.source!.line! - 1]).toBe(`apiVersion: ${m.object.apiVersion}`);
    }
    expect(r.manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`)).toEqual(expect.arrayContaining([
      'NodePool/gpu-inference-pool', 'EC2NodeClass/gpu-nodeclass', 'DaemonSet/dcgm-exporter', 'ServiceMonitor/dcgm-exporter',
      'ScaledObject/model-a-gpu-scaler', 'HorizontalPodAutoscaler/model-a-hpa', 'NodePool/gpu-spot-pool',
      'Deployment/model-serving-spot', 'Deployment/model-a-serving', 'PrometheusRule/gpu-alerts',
    ]));
  });

  test('the schema gate: the guide\'s Deployments are fragments (no selector, no image) and the "Consolidation" NodePool has no template', async () => {
    let out = '';
    const code = await runLint(['--format', 'json', GUIDE], { stdout: { write: (s: string) => { out += s; return true; } }, stderr: { write: () => true }, env: {} });
    const gated: LintReport = JSON.parse(out);
    expect(code).toBe(1);
    expect(gated.findings.filter((f) => f.ruleId === 'GPU009').map((f) => `${f.object.name}@${f.line} ${f.fieldPath}: ${f.message}`)).toEqual([
      'model-serving-spot@573 spec.selector: Required value',
      'model-serving-spot@573 spec.template.spec.containers[0].image: Required value',
      'gpu-inference-pool@607 spec.template: Required value',
      'model-a-serving@647 spec.selector: Required value',
      'model-a-serving@647 spec.template.spec.containers[0].image: Required value',
    ]);
    // …and no other rule judges those objects.
    expect(gated.findings.filter((f) => [573, 607, 647].includes(f.line!) && f.ruleId !== 'GPU009')).toEqual([]);
  });

  describe('linting every seed (schema gate off: the samples are fragments, the GPU rules are what is checked here)', () => {
    let report: LintReport;
    let code: number;
    beforeAll(async () => {
      let out = '';
      code = await runLint(['--format', 'json', '--no-schema', ...seedFiles()], {
        stdout: { write: (s: string) => { out += s; return true; } },
        stderr: { write: () => true },
        env: {},
      });
      report = JSON.parse(out);
    });
    const findingsOf = (kind: string, name: string) => report.findings.filter((f) => f.object.kind === kind && f.object.name === name);

    test('reads every seed without an input error', () => {
      expect(report.inputErrors.filter((p) => p.severity === 'error')).toEqual([]);
      expect(report.summary.files).toBe(seedFiles().length);
      expect(code).not.toBe(2);
      expect(code).toBe(report.summary.errors > 0 ? 1 : 0);
    });

    test('model-a-serving requests a GPU but pins no GPU model among the many its pools offer (GPU006)', () => {
      const f = findingsOf('Deployment', 'model-a-serving').find((x) => x.ruleId === 'GPU006');
      expect(f).toMatchObject({ severity: 'warning', file: GUIDE, line: 647, fieldPath: 'spec.template.spec.nodeSelector' });
      expect(f!.message).toMatch(/a100/);
      expect(f!.message).toMatch(/h100/);
    });

    test('no GPU001 on model-a-serving: its GPU request equals its limit (1), only cpu/memory differ, which is legal', () => {
      expect(report.findings.filter((f) => f.ruleId === 'GPU001')).toEqual([]);
    });

    test('the two complete GPU pools are tainted and GPU-limited: no GPU003/GPU005 on them', () => {
      for (const line of [217, 526]) {
        const onPool = report.findings.filter((f) => f.object.kind === 'NodePool' && f.line === line);
        expect(onPool.map((f) => f.ruleId)).not.toContain('GPU003');
        expect(onPool.map((f) => f.ruleId)).not.toContain('GPU005');
      }
    });

    test('model-serving-spot requests no GPU and does not tolerate the GPU taint: no GPU004', () => {
      expect(findingsOf('Deployment', 'model-serving-spot').map((f) => f.ruleId)).not.toContain('GPU004');
    });
  });

  test('model-a-serving lacks the nvidia.com/gpu toleration that both real GPU pools of the guide demand (GPU002)', async () => {
    // The guide's "Consolidation" sample repeats the name gpu-inference-pool with only a disruption block; read as
    // its own NodePool it is untainted and unconstrained and masks the mistake. Without it, the mistake shows.
    const r = await readInputs([GUIDE]);
    const manifests = r.manifests.filter((m) => !(m.object.kind === 'NodePool' && m.object.spec?.template === undefined));
    expect(manifests.length).toBe(r.manifests.length - 1);
    const gpu002 = validateManifests(manifests, { schemaGate: false }).filter((f) => f.ruleId === 'GPU002');
    expect(gpu002.map((f) => `${f.object.namespace}/${f.object.name}@${f.source?.line}`)).toEqual(['inference/model-a-serving@647']);
    expect(gpu002[0].severity).toBe('error');
    expect(gpu002[0].message).toContain('gpu-inference-pool');
    expect(gpu002[0].message).toContain('gpu-spot-pool');
  });
});
