/**
 * `gpuModels` pins the GPU model within the pools: it narrows the one required node affinity term (AND), never adds an
 * ORed term, and is refused when the pools cannot honour it (issue 21).
 */
import { Chart } from 'cdk8s';
import { BOUND, chart, configError, lintAll, synth } from './helpers';
import { GpuInstanceType, GpuModel } from '../../src/catalog';
import { GpuNodePool } from '../../src/pools';
import { InferenceDeployment, TrainingJob } from '../../src/workloads';
import { expectValid } from '../conformance/schema';

const VLLM = { model: 'meta-llama/Llama-3-8B-Instruct' };
/** Seed 001's Pool A: A100 40 GB (p4d) and H100 (p5) mixed on purpose. */
const mixed = (c: Chart) => new GpuNodePool(c, 'pool-a', { name: 'pool-a', instanceTypes: [GpuInstanceType.P4D_24XLARGE, GpuInstanceType.P5_48XLARGE], gpuLimit: 64, nodeClassProps: BOUND });
const required = (o: any) => o.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;

describe('gpuModels', () => {
  test('InferenceDeployment: one term, the pool AND the GPU name; GPU006 satisfied', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { name: 'llm', pools: [mixed(c)], vllm: VLLM, gpuModels: [GpuModel.H100_80GB] });
    const objs = synth(c);
    const dep = objs.find((o: any) => o.kind === 'Deployment');
    expect(required(dep)).toEqual({
      nodeSelectorTerms: [{
        matchExpressions: [
          { key: 'karpenter.sh/nodepool', operator: 'In', values: ['pool-a'] },
          { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['h100'] },
        ],
      }],
    });
    expectValid(objs);
    expect(lintAll(objs).filter((f) => f.includes(' GPU006 '))).toEqual([]);
  });

  test('without gpuModels the mixed pool is a GPU006 warning (the control)', () => {
    const c = chart();
    new InferenceDeployment(c, 'llm', { name: 'llm', pools: [mixed(c)], vllm: VLLM });
    const objs = synth(c);
    expect(required(objs.find((o: any) => o.kind === 'Deployment')).nodeSelectorTerms[0].matchExpressions).toHaveLength(1);
    expect(lintAll(objs).filter((f) => f.includes(' GPU006 '))).toHaveLength(1);
  });

  test('TrainingJob: the same narrowing', () => {
    const c = chart();
    new TrainingJob(c, 'train', { name: 'train', pools: [mixed(c)], image: 'trainer:1', gpuModels: [GpuModel.A100_40GB, GpuModel.H100_80GB] });
    const job = synth(c).find((o: any) => o.kind === 'Job');
    const terms = required(job).nodeSelectorTerms;
    expect(terms).toHaveLength(1);
    expect(terms[0].matchExpressions[1]).toEqual({ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['a100', 'h100'] });
  });

  test('a model no pool offers is refused, naming what the pools offer', () => {
    const c = chart();
    const e = configError(() => new InferenceDeployment(c, 'llm', { pools: [mixed(c)], vllm: VLLM, gpuModels: [GpuModel.L4] }));
    expect(e.property).toBe('gpuModels[0]');
    expect(e.problem).toMatch(/is L4-24GB, which no instance type of pools pool-a has \(they offer A100-SXM4-40GB, H100-SXM5-80GB\)/);
  });

  test('a model the GPU-name label cannot tell from another model of the pools is refused', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'a100s', { name: 'a100s', instanceTypes: [GpuInstanceType.P4D_24XLARGE, GpuInstanceType.P4DE_24XLARGE], gpuLimit: 64, nodeClassProps: BOUND });
    const e = configError(() => new InferenceDeployment(c, 'llm', { pools: [pool], vllm: VLLM, gpuModels: [GpuModel.A100_80GB] }));
    expect(e.problem).toMatch(/also offer A100-SXM4-40GB, and both are "a100"/);
  });

  test('empty or not a GpuModel: a GpuConfigError, not a TypeError', () => {
    const c = chart();
    const pool = mixed(c);
    expect(configError(() => new InferenceDeployment(c, 'a', { pools: [pool], vllm: VLLM, gpuModels: [] })).property).toBe('gpuModels');
    expect(configError(() => new InferenceDeployment(c, 'b', { pools: [pool], vllm: VLLM, gpuModels: ['h100' as any] })).property).toBe('gpuModels[0]');
  });

  test('the pin narrows the default sizing to the pinned model\'s instance types', () => {
    const c = chart();
    const pool = mixed(c);
    const pinned = new InferenceDeployment(c, 'h', { pools: [pool], vllm: VLLM, gpuModels: [GpuModel.H100_80GB] });
    const any = new InferenceDeployment(c, 'x', { pools: [pool], vllm: VLLM });
    // p5.48xlarge has 192 vCPU over 8 GPUs, p4d.24xlarge 96: the unpinned default is the smaller share.
    expect(pinned.cpuCores).toBeGreaterThan(any.cpuCores);
  });
});
