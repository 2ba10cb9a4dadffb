/**
 * Property-based tests of the model-size reading GPU246 and GPU247 share (modelWeightsFloor): any model id gives either
 * nothing or a finite positive size; a name made of a parameter count and quantisation markers gives the size the
 * markers' widths say, whatever else the name holds; and a server's weights that fit one GPU also fit it split over more.
 */
import * as fc from 'fast-check';
import { params, RUNS_HEAVY } from './arbitraries';
import { modelWeightsFloor } from '../../src/validation/rules/serving';
import { GPU_TOLERATION, lint, nodePool, of, workload } from '../validation/helpers';

/** The width each marker says, as the rule documents it (a model of its table, not the table itself). */
const MARKERS: ReadonlyArray<readonly [string, number]> = [
  ['AWQ', 4], ['Int4', 4], ['w4a16', 4], ['bnb-4bit', 4], ['NVFP4', 4], ['MXFP4', 4],
  ['FP8', 8], ['FP8-dynamic', 8], ['Int8', 8], ['w8a8', 8], ['8bit', 8],
];
/** Words of a name that say nothing of its size or width. */
const PLAIN = fc.constantFrom('Instruct', 'Chat', 'Base', 'it', 'v0.3', 'hf', 'Coder', 'Math', '2507', 'Preview');

describe('modelWeightsFloor', () => {
  test('any model id: undefined, or a finite positive size at a width it documents', () => {
    fc.assert(fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
      (org, name, tag) => {
        const w = modelWeightsFloor(`${org}/${name}`, tag);
        if (w === undefined) return;
        expect(Number.isFinite(w.bytes) && w.bytes > 0).toBe(true);
        expect([1, 2, 3, 4, 5, 6, 7, 8, 16, 32]).toContain(w.bits);
        expect(w.bytes).toBeCloseTo(w.billions * 1e9 * w.bits / 8, 0);
        expect(w.shown).not.toMatch(/undefined|NaN|Infinity|\[object/);
      }), params());
  });

  test('a count and markers: the count times the narrowest marker\'s width, 16 bits without one', () => {
    const count = fc.integer({ min: 1, max: 9999 }).map((n) => n / 10);
    const marker = fc.constantFrom(...MARKERS);
    fc.assert(fc.property(fc.constantFrom('Llama-3.1', 'Qwen2.5', 'Mistral', 'gemma-2'), count, fc.array(PLAIN, { maxLength: 3 }),
      fc.array(marker, { maxLength: 2 }), (family, billions, plain, marks) => {
        const name = [family, `${billions}B`, ...plain, ...marks.map(([m]) => m)].join('-');
        const w = modelWeightsFloor(`org/${name}`)!;
        const bits = marks.length === 0 ? 16 : Math.min(...marks.map(([, b]) => b));
        expect([w.billions, w.bits]).toEqual([billions, bits]);
      }), params());
  });
});

describe('GPU247 over random GPU counts', () => {
  test('weights that fit one GPU fit any tensor-parallel split of them; a split never creates a finding', () => {
    const pool = nodePool({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.48xlarge'] }], limits: { 'nvidia.com/gpu': 64 } });
    const findings = (billions: number, gpus: number) => {
      const w = workload({ name: 'llm', namespace: 'inference', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': gpus } });
      Object.assign(w.spec.template.spec.containers[0], { image: 'vllm/vllm-openai:v0.12.0', args: [`org/Model-${billions}B`, '--tensor-parallel-size', String(gpus)] });
      return of(lint([pool, w]), 'GPU247').length;
    };
    fc.assert(fc.property(fc.integer({ min: 1, max: 400 }), fc.constantFrom(2, 4, 8), (billions, gpus) => {
      if (findings(billions, 1) === 0) expect(findings(billions, gpus)).toBe(0);
      // and the split fits exactly when the weights per GPU fit 90% of an L4's 22,888 MiB
      expect(findings(billions, gpus)).toBe(billions * 2e9 / gpus > 0.9 * 22888 * 2 ** 20 ? 1 : 0);
    }), params(RUNS_HEAVY));
  });
});
