/**
 * Issue 15, case 1 (constructs): a workload derives its tolerations from its pools at synth, so a taint added to a pool
 * after the workload was placed on it still reaches the workload (before: the toleration was stale, GPU002 failed).
 */
import * as kplus from 'cdk8s-plus-30';
import { TaintEffect } from '../../src/pools';
import { InferenceDeployment, TrainingJob } from '../../src/workloads';
import { chart, g5, lintAll, one, synth } from '../workloads/helpers';

describe('tolerations follow the pools at synth', () => {
  test('InferenceDeployment: pool.addTaint() after placement reaches the Deployment', () => {
    const c = chart();
    const pool = g5(c);
    const app = new InferenceDeployment(c, 'llm', { pools: [pool], image: 'vllm/vllm-openai:v0.12.0' });
    pool.addTaint({ key: 'team', value: 'search', effect: TaintEffect.NO_SCHEDULE });
    // A toleration the user adds through cdk8s-plus is kept too.
    app.deployment.scheduling.tolerate(kplus.Node.tainted(kplus.NodeTaintQuery.exists('example.com/maintenance', { effect: kplus.TaintEffect.NO_EXECUTE })));
    const objs = synth(c);
    const tolerations = one(objs, 'Deployment').spec.template.spec.tolerations;
    expect(tolerations).toEqual(expect.arrayContaining([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'team', operator: 'Equal', value: 'search', effect: 'NoSchedule' },
      { key: 'example.com/maintenance', operator: 'Exists', effect: 'NoExecute' },
    ]));
    expect(lintAll(objs).filter((f) => f.includes('GPU002'))).toEqual([]);
  });

  test('TrainingJob: the same', () => {
    const c = chart();
    const pool = g5(c);
    new TrainingJob(c, 'train', { pools: [pool], image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime' });
    pool.addTaint({ key: 'dedicated', value: 'training', effect: TaintEffect.NO_SCHEDULE });
    const tolerations = one(synth(c), 'Job').spec.template.spec.tolerations;
    expect(tolerations).toContainEqual({ key: 'dedicated', operator: 'Equal', value: 'training', effect: 'NoSchedule' });
  });
});
