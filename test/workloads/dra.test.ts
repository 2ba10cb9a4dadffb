import * as fs from 'fs';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { chart, configError, g5, lintAll, one, synth } from './helpers';
import { planGpuWorkloads } from '../../src/plan';
import { GpuNodePool } from '../../src/pools';
import { GpuValidation } from '../../src/validation';
import { GpuRequest, InferenceDeployment, TrainingJob } from '../../src/workloads';
import { expectValid, parseManifests, validateObject } from '../conformance/schema';

const VLLM = { model: 'meta-llama/Llama-3-8B-Instruct' };

describe('GpuRequest.dra', () => {
  test('defaults: one device of gpu.nvidia.com, no selectors', () => {
    const r = GpuRequest.dra();
    expect([r.isDra, r.isMig, r.deviceClassName, r.count, r.selectors, r.wholeGpus, r.toString()])
      .toEqual([true, false, 'gpu.nvidia.com', 1, [], 1, '1 × gpu.nvidia.com (DRA)']);
  });

  test('productName and minMemory become CEL selectors on the NVIDIA driver\'s attributes', () => {
    const r = GpuRequest.dra({ count: 2, productName: 'H100', minMemory: Size.gibibytes(80), selectors: ['device.attributes[\'gpu.nvidia.com\'].architecture == \'Hopper\''] });
    expect(r.selectors).toEqual([
      'device.attributes[\'gpu.nvidia.com\'].productName.lowerAscii().contains(\'h100\')',
      'device.capacity[\'gpu.nvidia.com\'].memory.compareTo(quantity(\'81920Mi\')) >= 0',
      'device.attributes[\'gpu.nvidia.com\'].architecture == \'Hopper\'',
    ]);
  });

  test('mig.nvidia.com counts no whole GPU', () => {
    expect(GpuRequest.dra({ deviceClassName: 'mig.nvidia.com' }).wholeGpus).toBe(0);
  });

  test.each([
    ['count 0', { count: 0 }, /GpuRequest.dra: count is 0/],
    ['fractional count', { count: 1.5 }, /count is 1.5/],
    ['device plugin resource as class', { deviceClassName: 'nvidia.com/gpu' }, /deviceClassName is "nvidia.com\/gpu", not a DeviceClass name.*device plugin's resource/],
    ['CEL injection in productName', { productName: "h100') || true || ('" }, /productName is/],
    ['empty selector', { selectors: [' '] }, /selectors\[0\] is/],
    ['zero memory', { minMemory: Size.mebibytes(0) }, /minMemory is not a positive Size/],
  ])('refuses %s', (_, opts, re) => {
    expect(configError(() => GpuRequest.dra(opts as any)).message).toMatch(re);
  });
});

describe('a DRA workload', () => {
  const build = () => {
    const c = chart();
    const pool = g5(c);
    new InferenceDeployment(c, 'llm', { pools: [pool], vllm: VLLM, namespace: 'inference', gpus: GpuRequest.dra({ productName: 'A10G' }) });
    return synth(c);
  };

  test('emits a ResourceClaimTemplate and wires the pod and container claims (the fields survive cdk8s-plus-30)', () => {
    const objs = build();
    const tpl = one(objs, 'ResourceClaimTemplate');
    expect(tpl.apiVersion).toBe('resource.k8s.io/v1');
    expect(tpl.metadata.namespace).toBe('inference');
    expect(tpl.spec.spec.devices.requests).toEqual([{
      name: 'gpu',
      exactly: {
        deviceClassName: 'gpu.nvidia.com',
        allocationMode: 'ExactCount',
        count: 1,
        selectors: [{ cel: { expression: 'device.attributes[\'gpu.nvidia.com\'].productName.lowerAscii().contains(\'a10g\')' } }],
      },
    }]);
    const pod = one(objs, 'Deployment').spec.template.spec;
    expect(pod.resourceClaims).toEqual([{ name: 'gpu', resourceClaimTemplateName: tpl.metadata.name }]);
    expect(pod.containers[0].resources.claims).toEqual([{ name: 'gpu' }]);
    // no extended resource: the DRA driver, not the device plugin, serves the GPU
    expect(JSON.stringify(pod.containers[0].resources)).not.toContain('nvidia.com/gpu');
  });

  test('the claims survive an app synth with GpuValidation (its synth session and YAML writer), twice', () => {
    const app = Testing.app();
    const c = new Chart(app, 'serving');
    GpuValidation.addTo(app);
    new InferenceDeployment(c, 'llm', { pools: [g5(c)], vllm: VLLM, gpus: GpuRequest.dra({ count: 2 }) });
    for (let i = 0; i < 2; i++) {
      const docs = parseManifests(app.synthYaml());
      const pod = docs.find((o) => o.kind === 'Deployment').spec.template.spec;
      expect(pod.resourceClaims).toEqual([{ name: 'gpu', resourceClaimTemplateName: docs.find((o) => o.kind === 'ResourceClaimTemplate').metadata.name }]);
      expect(pod.containers[0].resources.claims).toEqual([{ name: 'gpu' }]);
    }
  });

  test('every object validates against the upstream schemas (resource.k8s.io/v1, Kubernetes 1.34 pod claims)', () => {
    expectValid(build());
  });

  test('the schemas can fail: unknown fields, the 1.30 alpha claim shape, a missing deviceClassName, a bad allocationMode', () => {
    const objs = build();
    const tpl = JSON.parse(JSON.stringify(one(objs, 'ResourceClaimTemplate')));
    tpl.spec.spec.devices.requests[0].exactly.allocationMode = 'Some';
    delete tpl.spec.spec.devices.requests[0].exactly.deviceClassName;
    tpl.spec.spec.devices.requests[0].deviceClassName = 'gpu.nvidia.com'; // v1beta1 shape, gone in v1
    expect(validateObject(tpl)).toEqual(expect.arrayContaining([
      'spec.spec.devices.requests[0].deviceClassName: unknown field "deviceClassName"',
      'spec.spec.devices.requests[0].exactly.deviceClassName: Required value',
      'spec.spec.devices.requests[0].exactly.allocationMode: Unsupported value: "Some": supported values: "All", "ExactCount"',
    ]));
    const d = JSON.parse(JSON.stringify(one(objs, 'Deployment')));
    d.spec.template.spec.resourceClaims = [{ name: 'gpu', source: { resourceClaimTemplateName: 'x' } }];
    expect(validateObject(d).join('\n')).toMatch(/resourceClaims\[0\]\.source: unknown field "source"/);
  });

  test('lints without GPU004 (it requests a GPU) and plan counts its GPU', () => {
    const objs = build();
    const findings = lintAll(objs);
    expect(findings.filter((f) => / GPU00[24] | GPU203 | GPU600 | GPU601 /.test(f))).toEqual([]);
    // GpuNodePool is a dynamic pool: Karpenter ignores DRA requests when provisioning
    expect(findings.filter((f) => f.includes('GPU602'))).toHaveLength(1);
    const plan = planGpuWorkloads(objs.map((object) => ({ object })));
    const w = plan.workloads.find((x) => x.name.startsWith('llm') || x.kind === 'Deployment')!;
    expect(w.gpusPerReplica).toEqual({ 'gpu.nvidia.com': 1 });
    expect(w.schedulable).toBe(true);
  });

  test('a claim for more GPUs than any node of the pools has is refused at construction', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'l4', { name: 'l4', families: ['g6'], gpuLimit: 32, nodeClassProps: { role: 'r', clusterName: 'demo' } });
    expect(configError(() => new InferenceDeployment(c, 'llm', { pools: [pool], vllm: VLLM, gpus: GpuRequest.dra({ count: 16 }) })).message)
      .toMatch(/gpus is 16 × gpu.nvidia.com \(DRA\), which no instance type of the pools can serve/);
  });

  test('TrainingJob wires the claim too', () => {
    const c = chart();
    new TrainingJob(c, 'train', { pools: [g5(c)], image: 'trainer:1', gpus: GpuRequest.dra({ count: 4 }) } as any);
    const objs = synth(c);
    expect(one(objs, 'ResourceClaimTemplate').spec.spec.devices.requests[0].exactly.count).toBe(4);
    expect(one(objs, 'Job').spec.template.spec.resourceClaims[0].name).toBe('gpu');
  });
});

describe('DRA fixtures validate against the upstream schemas', () => {
  test.each(['GPU600/pass.yaml', 'GPU601/pass.yaml', 'GPU602/pass.yaml'])('%s', (f) => {
    expectValid(parseManifests(fs.readFileSync(path.join(__dirname, '../fixtures/rules', f), 'utf8')));
  });
});
