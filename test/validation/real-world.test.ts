import * as path from 'path';
import { loadYaml, of } from './helpers';
import { formatFinding, Severity, SourcedManifest, validateManifests } from '../../src/validation';
import { describeWithShared, sharedPath } from '../shared-data';

// Real manifests from public repositories (see shared/reference/real-world/README.md): a linter that errors on
// the ai-on-eks ones is wrong, not the manifests; data-on-eks' g6 NodePool is a real GPU003 defect.
const DIR = sharedPath('reference/real-world');

describeWithShared('real-world manifests', ['reference/real-world/ai-on-eks/karpenter-gpu.rendered.yaml', 'reference/real-world/ai-on-eks/ministral-8b-vllm.yaml', 'reference/real-world/data-on-eks/nodepool-gpu-g6.yaml'], () => {
  // Only the rendered template is YAML; karpenter-gpu.tftpl.yaml has Terraform placeholders and is skipped.
  const clean = ['ai-on-eks/karpenter-gpu.rendered.yaml', 'ai-on-eks/ministral-8b-vllm.yaml'].map((f) => path.join(DIR, f));
  const load = (files: string[]): SourcedManifest[] => files.flatMap((f) => loadYaml(f));

  test.each(clean.map((f) => [path.basename(f), f]))('%s lints clean of errors on its own', (_, file) => {
    const findings = validateManifests(load([file]));
    expect(findings.filter((f) => f.severity === Severity.ERROR).map(formatFinding)).toEqual([]);
  });

  test('ai-on-eks together: no errors; the expected warnings only', () => {
    const findings = validateManifests(load(clean));
    expect(findings.filter((f) => f.severity === Severity.ERROR).map(formatFinding)).toEqual([]);
    // The warnings we accept, and why:
    // - GPU005: the gpu NodePool sets no limits at all, so nothing bounds its GPUs.
    // - GPU006: the pool allows every g family of generation > 4 (A10G, L4, L40S) and the vLLM Deployment pins none.
    // - GPU205: the pool buys spot as well as on-demand, and the Deployment has no PodDisruptionBudget, so a
    //   consolidation or a spot reclaim may take its only replica.
    // - GPU232: the vLLM server has a liveness probe and no startup probe; it is killed 270 s after it starts, before
    //   its model has loaded if the load (a cold node downloads the weights) takes longer.
    expect(findings.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}`)).toEqual([
      'GPU005 NodePool/gpu',
      'GPU006 Deployment/ministral-8b',
      'GPU205 Deployment/ministral-8b',
      'GPU232 Deployment/ministral-8b',
    ]);
    expect(of(findings, 'GPU006')[0].message).toMatch(/a10g .* l4 .* l40s/);
  });

  test('the vLLM Deployment alone: the conventional taint is assumed and tolerated (no GPU002); its probe is short', () => {
    const findings = validateManifests(load([path.join(DIR, 'ai-on-eks/ministral-8b-vllm.yaml')]));
    expect(findings.map((f) => `${f.ruleId} ${f.fieldPath}`)).toEqual(['GPU232 spec.template.spec.containers[0].livenessProbe']);
  });

  test('data-on-eks nodepool-gpu-g6.yaml: the untainted GPU pool is flagged by GPU003', () => {
    const file = path.join(DIR, 'data-on-eks/nodepool-gpu-g6.yaml');
    const findings = validateManifests(load([file]));
    const [f, ...rest] = of(findings, 'GPU003');
    expect(rest).toEqual([]);
    expect(f.severity).toBe(Severity.ERROR);
    expect(f.object).toMatchObject({ kind: 'NodePool', name: 'gpu' });
    expect(f.source?.file).toBe(file);
    expect(f.fieldPath).toBe('spec.template.spec.taints');
    expect(f.message).toMatch(/instance-category In \[g\].*no NoSchedule\/NoExecute taint/);
    // It does limit nvidia.com/gpu (8), so no GPU005.
    expect(of(findings, 'GPU005')).toEqual([]);
  });
});
