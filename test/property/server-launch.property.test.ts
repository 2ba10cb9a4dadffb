/**
 * Property-based tests of the checks a model server makes of its own flags before it serves (GPU254, GPU255): whatever
 * limits are written, a finding comes exactly for each bound the server's launcher would refuse, and never otherwise.
 */
import * as fc from 'fast-check';
import { params } from './arbitraries';
import { GPU_TOLERATION, lint, of, workload } from '../validation/helpers';

/** A Deployment of one container of `image` running `args` with `env`, on one GPU. */
function server(image: string, args: string[], env: Array<{ name: string; value: string }> = []): any {
  const w = workload({ name: 'llm', namespace: 'inference', tolerations: [GPU_TOLERATION], limits: { 'nvidia.com/gpu': 1 } });
  Object.assign(w.spec.template.spec.containers[0], { image, args, ...(env.length > 0 ? { env } : {}) });
  return w;
}

/** TGI's four token limits, each its flag and variable. */
const TGI_LIMITS = {
  input: ['--max-input-tokens', 'MAX_INPUT_TOKENS'],
  total: ['--max-total-tokens', 'MAX_TOTAL_TOKENS'],
  prefill: ['--max-batch-prefill-tokens', 'MAX_BATCH_PREFILL_TOKENS'],
  batchTotal: ['--max-batch-total-tokens', 'MAX_BATCH_TOTAL_TOKENS'],
} as const;
type Limit = keyof typeof TGI_LIMITS;

describe('GPU255 TGI\'s token limits', () => {
  test('a finding for each bound the launcher refuses among the limits written (flag or variable), none otherwise', () => {
    // (multiples of 1,024 from a short range: equal limits, the launcher's strict bound, come often)
    const tokens = fc.option(fc.integer({ min: 1, max: 8 }).map((n) => n * 1024), { nil: undefined });
    const via = fc.constantFrom('flag' as const, 'env' as const);
    fc.assert(fc.property(fc.record({ input: tokens, total: tokens, prefill: tokens, batchTotal: tokens }),
      fc.record({ input: via, total: via, prefill: via, batchTotal: via }), (limits, where) => {
        const args = ['--model-id', 'Qwen/Qwen2.5-7B-Instruct'];
        const env: Array<{ name: string; value: string }> = [];
        for (const k of Object.keys(TGI_LIMITS) as Limit[]) {
          const n = limits[k];
          if (n === undefined) continue;
          if (where[k] === 'flag') args.push(TGI_LIMITS[k][0], String(n));
          else env.push({ name: TGI_LIMITS[k][1], value: String(n) });
        }
        const { input, total, prefill, batchTotal } = limits;
        const refused = [
          input !== undefined && total !== undefined && input >= total,
          input !== undefined && prefill !== undefined && input > prefill,
          prefill !== undefined && batchTotal !== undefined && prefill > batchTotal,
          total !== undefined && batchTotal !== undefined && total > batchTotal,
        ].filter(Boolean).length;
        const found = of(lint([server('ghcr.io/huggingface/text-generation-inference:3.0.1', args, env)]), 'GPU255');
        expect(found).toHaveLength(refused);
        for (const f of found) expect(f.message).not.toMatch(/undefined|NaN|\[object/);
      }), params());
  });
});

describe('GPU254 a context beyond the model\'s positions', () => {
  /** Models whose positions their names tell exactly, with those positions. */
  const MODELS: ReadonlyArray<readonly [string, number]> = [['Qwen/Qwen2.5-7B-Instruct', 32768], ['meta-llama/Meta-Llama-3-8B-Instruct', 8192],
    ['Qwen/Qwen3-8B', 40960], ['deepseek-ai/DeepSeek-R1-Distill-Qwen-14B', 131072]];

  test('vLLM and SGLang: a finding exactly when the context written is above the positions and not allowed', () => {
    // (any length, or one at the positions or next to them)
    const length = fc.oneof(fc.integer({ min: 1, max: 300000 }).map((n) => () => n),
      fc.integer({ min: -1, max: 1 }).map((d) => (p: number) => p + d));
    fc.assert(fc.property(fc.constantFrom(...MODELS), length, fc.boolean(), fc.constantFrom('0', '1', 'true', 'no'),
      fc.boolean(), ([model, positions], lengthOf, sglang, allow, setAllow) => {
        const tokens = lengthOf(positions);
        const w = sglang
          ? server('lmsysorg/sglang:v0.5.5', ['--model-path', model, '--host', '0.0.0.0', '--context-length', String(tokens)],
            setAllow ? [{ name: 'SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN', value: allow }] : [])
          : server('vllm/vllm-openai:v0.12.0', [model, '--max-model-len', String(tokens)], setAllow ? [{ name: 'VLLM_ALLOW_LONG_MAX_MODEL_LEN', value: allow }] : []);
        if (sglang) w.spec.template.spec.containers[0].command = ['python3', '-m', 'sglang.launch_server'];
        const allowed = setAllow && (allow === '1' || allow === 'true');
        const found = of(lint([w]), 'GPU254');
        expect(found).toHaveLength(tokens > positions && !allowed ? 1 : 0);
        if (found.length > 0) expect(found[0].message).toContain(`${tokens} tokens, more than the ${positions} positions`);
      }), params());
  });
});
