/**
 * Names and label values from user input must follow Kubernetes rules and be refused with a clear GpuConfigError.
 *
 * Tests marked `test.failing` document KNOWN GAPS (reported to the lead): the construct does not check that prop
 * yet, so the property fails and jest counts it as expected. When the owner adds the check the test starts to
 * pass, jest reports the `.failing` test as broken, and it should become a plain `test`.
 */
import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { BOUND, RUNS, chart, dnsLabel, expectConfigError, invalidDnsLabel, invalidLabelValue, labelValue, params } from './arbitraries';
import { GpuInstanceType } from '../../src/catalog';
import { NameRule, dnsNameProblem, labelValueProblem, validateDns1123Name, validateLabelValue } from '../../src/naming';
import { GpuNodePool, TaintEffect } from '../../src/pools';
import { InferenceDeployment, TieredPriorities, TrainingJob } from '../../src/workloads';
import { dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors } from '../conformance/object-meta';

const N = Math.round(RUNS / 3);

function basePool(c: Chart): GpuNodePool {
  return new GpuNodePool(c, 'pool', { instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, nodeClassProps: BOUND });
}

describe('src/naming agrees with the conformance harness (the API server\'s rules)', () => {
  const anyString = fc.oneof(fc.string({ maxLength: 70 }), dnsLabel(63), invalidDnsLabel(), labelValue(), invalidLabelValue(),
    fc.array(dnsLabel(20), { minLength: 1, maxLength: 4 }).map((p) => p.join('.')));
  test('DNS-1123 label, DNS-1123 subdomain, DNS-1035 label and label value', () => {
    fc.assert(fc.property(anyString, (s) => {
      expect(dnsNameProblem(s, NameRule.DNS1123_LABEL) === undefined).toBe(dns1123LabelErrors(s).length === 0);
      expect(dnsNameProblem(s, NameRule.DNS1123_SUBDOMAIN) === undefined).toBe(dns1123SubdomainErrors(s).length === 0);
      expect(dnsNameProblem(s, NameRule.DNS1035_LABEL) === undefined).toBe(dns1035LabelErrors(s).length === 0);
      expect(labelValueProblem(s) === undefined).toBe(labelValueErrors(s).length === 0);
    }), params(RUNS * 2));
  });
  test('the validators throw GpuConfigError naming the scope and property', () => {
    fc.assert(fc.property(invalidDnsLabel(), invalidLabelValue(), (name, value) => {
      expectConfigError(() => validateDns1123Name('Thing', 'name', name, NameRule.DNS1123_LABEL), 'Thing', 'name');
      expectConfigError(() => validateLabelValue('Thing', 'labels["x"]', value), 'Thing', 'labels');
    }), params(N));
    expectConfigError(() => validateDns1123Name('Thing', 'name', undefined), 'Thing', 'name');
    expectConfigError(() => validateLabelValue('Thing', 'labels', 5), 'Thing', 'labels');
  });
});

describe('pools', () => {
  test('GpuNodePool.name must be a DNS-1123 name of at most 63 characters', () => {
    fc.assert(fc.property(invalidDnsLabel(), (name) => {
      const c = chart();
      expectConfigError(() => new GpuNodePool(c, 'pool', { instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, nodeClassProps: BOUND, name }),
        `${c.node.path}/pool`, 'name');
    }), params(N));
  });
  test('GpuNodePool.labels values must be label values', () => {
    fc.assert(fc.property(invalidLabelValue(), (v) => {
      const c = chart();
      expectConfigError(() => new GpuNodePool(c, 'pool', { instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, nodeClassProps: BOUND, labels: { 'example.com/x': v } }),
        `${c.node.path}/pool`, 'labels');
    }), params(N));
  });
  test('GpuNodePool.taints values must be label values', () => {
    fc.assert(fc.property(invalidLabelValue(), (value) => {
      const c = chart();
      expectConfigError(() => new GpuNodePool(c, 'pool', {
        instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, nodeClassProps: BOUND, taints: [{ key: 'example.com/t', value, effect: TaintEffect.NO_SCHEDULE }],
      }), `${c.node.path}/pool`, 'taints');
    }), params(N));
  });
  test('GpuNodeClass.name must be a DNS-1123 name short enough for the node label karpenter.k8s.aws/ec2nodeclass', () => {
    fc.assert(fc.property(invalidDnsLabel(), (name) => {
      const c = chart();
      expectConfigError(() => new GpuNodePool(c, 'pool', {
        instanceTypes: [GpuInstanceType.G5_XLARGE], gpuLimit: 4, nodeClassProps: { ...BOUND, name },
      }), new RegExp(`^${c.node.path}/pool`), 'name');
    }), params(N));
  });
});

describe('workloads', () => {
  test('TieredPriorities.addTeam name and namespace must be DNS-1123 labels', () => {
    fc.assert(fc.property(invalidDnsLabel(), (name) => {
      const c = chart();
      expectConfigError(() => new TieredPriorities(c, 'p').addTeam(name), new RegExp(`^${c.node.path}/p`), 'name');
      if (name !== '') expectConfigError(() => new TieredPriorities(chart(), 'p').addTeam('team', { namespace: name }), /\/p\//, 'namespace');
    }), params(N));
  });

  // Formerly KNOWN GAPS, now checked by the constructs.
  test('InferenceDeployment.name must be a DNS-1035 label (it also names the Service)', () => {
    fc.assert(fc.property(fc.oneof(invalidDnsLabel(), fc.constantFrom('1model', '9-lives')), (name) => {
      const c = chart();
      expectConfigError(() => new InferenceDeployment(c, 'model', { pools: [basePool(c)], image: 'x.io/s:1', name }), `${c.node.path}/model`, 'name');
    }), params(N));
  });
  test('InferenceDeployment.namespace must be a DNS-1123 label', () => {
    fc.assert(fc.property(invalidDnsLabel(), (namespace) => {
      const c = chart();
      expectConfigError(() => new InferenceDeployment(c, 'model', { pools: [basePool(c)], image: 'x.io/s:1', namespace }), `${c.node.path}/model`, 'namespace');
    }), params(N));
  });
  test('InferenceDeployment.labels values must be label values', () => {
    fc.assert(fc.property(invalidLabelValue(), (v) => {
      const c = chart();
      expectConfigError(() => new InferenceDeployment(c, 'model', { pools: [basePool(c)], image: 'x.io/s:1', labels: { 'example.com/team': v } }), `${c.node.path}/model`, 'labels');
    }), params(N));
  });
  test('TrainingJob.name must be a DNS-1123 name of at most 63 characters', () => {
    fc.assert(fc.property(invalidDnsLabel(), (name) => {
      const c = chart();
      expectConfigError(() => new TrainingJob(c, 'job', { pools: [basePool(c)], image: 'x.io/t:1', name }), `${c.node.path}/job`, 'name');
    }), params(N));
  });
  test('GpuTeam labels values must be label values', () => {
    fc.assert(fc.property(invalidLabelValue(), (v) => {
      const c = chart();
      expectConfigError(() => new TieredPriorities(c, 'p').addTeam('team', { labels: { 'example.com/x': v } }), new RegExp(`^${c.node.path}/p`), 'labels');
    }), params(N));
  });
  test('fractional durations give GpuConfigError, not cdk8s\'s Error (terminationGracePeriod, activeDeadline)', () => {
    const c = chart();
    expectConfigError(() => new InferenceDeployment(c, 'model', { pools: [basePool(c)], image: 'x.io/s:1', terminationGracePeriod: Duration.seconds(1.5) }),
      `${c.node.path}/model`, 'terminationGracePeriod');
    const c2 = chart(); // a chart of its own: basePool(c) above already made c's 'pool'
    expectConfigError(() => new TrainingJob(c2, 'job', { pools: [basePool(c2)], image: 'x.io/t:1', activeDeadline: Duration.millis(10) }),
      `${c2.node.path}/job`, 'activeDeadline');
  });
});

describe('values that are not strings are described, never a TypeError', () => {
  test.each([
    ['a BigInt', BigInt(7), /is 7n, not a string/],
    ['a cyclic object', (() => { const o: any = {}; o.self = o; return o; })(), /is \[object Object\], not a string/],
    ['a symbol', Symbol('x'), /is Symbol\(x\), not a string/],
    ['undefined', undefined, /is undefined, not a string/],
    ['a number', 5, /is 5, not a string/],
  ])('%s', (_what, value, message) => {
    expect(dnsNameProblem(value)).toMatch(message);
    expect(labelValueProblem(value)).toMatch(message);
  });
});
