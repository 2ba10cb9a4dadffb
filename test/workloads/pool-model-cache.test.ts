/**
 * Workloads reuse the scheduling model of a pool while the pool is unchanged (workloads/gpu-pod.ts POOL_MODELS, keyed
 * by GpuNodePool._modelFingerprint), and get a fresh one after any change to what the NodePool's JSON is made of.
 */
import { ApiObject, JsonPatch, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { BOUND, chart } from './helpers';
import { GpuInstanceType } from '../../src/catalog';
import { GpuNodePool } from '../../src/pools';
import { GpuRequest, InferenceDeployment } from '../../src/workloads';
import { configError } from '../config-error';

const TYPES = [GpuInstanceType.G5_XLARGE, GpuInstanceType.G5_12XLARGE];

function setup() {
  const c = chart();
  const pool = new GpuNodePool(c, 'pool', { name: 'g5', instanceTypes: TYPES, maxNodes: 4, nodeClassProps: BOUND });
  let n = 0;
  const place = (gpus: number) => new InferenceDeployment(c, `m${n++}`, { image: 'vllm/vllm-openai:v0.12.0', gpus: GpuRequest.whole(gpus), pools: [pool] });
  /** A JSON patch leaving only g5.xlarge (1 GPU) in the pool's instance-type requirement. */
  const onlyXlarge = (value: unknown = ['g5.xlarge']) => {
    const reqs: any[] = ApiObject.of(pool).toJson().spec.template.spec.requirements;
    const i = reqs.findIndex((r) => r.key === 'node.kubernetes.io/instance-type');
    ApiObject.of(pool).addJsonPatch(JsonPatch.replace(`/spec/template/spec/requirements/${i}/values`, value));
  };
  return { pool, place, onlyXlarge };
}

describe('the pool model cache', () => {
  test('the fingerprint is stable while nothing changes and differs after a taint, a label, an annotation or a patch', () => {
    const { pool } = setup();
    const seen = new Set<string>();
    const fp = () => {
      const f = pool._modelFingerprint();
      expect(typeof f).toBe('string');
      return f!;
    };
    seen.add(fp());
    expect(fp()).toBe([...seen][0]);
    pool.addTaint({ key: 'example.com/dedicated', value: 'llm', effect: 'NoSchedule' as any });
    seen.add(fp());
    pool.addLabel('example.com/team', 'search');
    seen.add(fp());
    ApiObject.of(pool).metadata.addAnnotation('example.com/note', 'x');
    seen.add(fp());
    ApiObject.of(pool).addJsonPatch(JsonPatch.add('/spec/weight', 7));
    seen.add(fp());
    // every other change to the metadata (the fingerprint writes it as held, unresolved)
    const metadata = ApiObject.of(pool).metadata;
    metadata.addLabel('example.com/owner', 'ml');
    seen.add(fp());
    metadata.addFinalizers('example.com/keep');
    seen.add(fp());
    metadata.addOwnerReference({ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: '1' });
    seen.add(fp());
    metadata.add('generateName', 'g5-');
    seen.add(fp());
    metadata.addAnnotation('example.com/note', 'y');
    seen.add(fp());
    expect(seen.size).toBe(10);
    expect(fp()).not.toContain('"kind":"NodePool"'); // the metadata's back-reference to its object is left out
  });

  test('verdicts are kept per placement input: another GPU count or a cpu/memory override on the same pool is judged afresh', () => {
    const { pool, place } = setup();
    place(1);
    place(4);
    expect(configError(() => place(8)).message).toMatch(/gpus is 8 × nvidia.com\/gpu, which no instance type of the pools can serve/);
    let n = 0;
    const sized = (props: object) => new InferenceDeployment(pool.node.scope!, `sized${n++}`, {
      image: 'vllm/vllm-openai:v0.12.0', gpus: GpuRequest.whole(1), pools: [pool], ...props,
    });
    sized({ cpu: kplus.Cpu.units(2) });
    expect(configError(() => sized({ cpu: kplus.Cpu.units(500) })).message).toMatch(/cpu does not fit any pool/);
    expect(configError(() => sized({ memory: Size.gibibytes(4096) })).message).toMatch(/memory does not fit any pool/);
    sized({ cpu: kplus.Cpu.units(2) }); // the first override's verdict still holds
  });

  test('a JSON patch after a workload was placed is seen by the next workload', () => {
    const { place, onlyXlarge } = setup();
    place(4); // fits g5.12xlarge
    onlyXlarge();
    expect(configError(() => place(4)).message).toMatch(/gpus is 4 × nvidia.com\/gpu, which no instance type of the pools can serve \(g5: needs 4 nvidia.com\/gpu per pod; the largest allowed type g5.xlarge has 1\)/);
    place(1); // g5.xlarge still serves one GPU
  });

  test('a lazy value among the inputs gives no fingerprint', () => {
    const { pool, onlyXlarge } = setup();
    expect(pool._modelFingerprint()).toEqual(expect.any(String));
    onlyXlarge(Lazy.any({ produce: () => ['g5.xlarge'] }));
    expect(pool._modelFingerprint()).toBeUndefined();
  });

  test('a lazy value in the metadata gives no fingerprint (the rendered JSON is compared then)', () => {
    const { pool } = setup();
    ApiObject.of(pool).metadata.addAnnotation('example.com/lazy', Lazy.any({ produce: () => 'x' }) as any);
    expect(pool._modelFingerprint()).toBeUndefined();
  });

  test('without a fingerprint the rendered JSON is compared, and changes are still seen', () => {
    const { pool, place, onlyXlarge } = setup();
    const fingerprint = jest.spyOn(pool, '_modelFingerprint').mockReturnValue(undefined);
    place(4);
    place(4); // same JSON: the cached model
    onlyXlarge();
    expect(configError(() => place(4)).message).toMatch(/which no instance type of the pools can serve/);
    expect(fingerprint).toHaveBeenCalled();
  });
});
