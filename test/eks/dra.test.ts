import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Testing } from 'cdk8s';
import { GpuEksStack, GpuEksStackProps } from '../../src/eks';
import { NVIDIA_DRA_DRIVER_CHART } from '../../src/eks/versions';
import { GpuConfigError } from '../../src/errors';
import { DevicePluginConfig } from '../../src/sharing';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const V134 = eks.KubernetesVersion.V1_34;

function build(props: GpuEksStackProps) {
  const stack = new GpuEksStack(new App(), 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, ...props });
  const charts = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart'));
  const chart = (name: string) => charts.find((c: any) => c.Properties.Chart === name) as any;
  const values = (name: string) => {
    const v = chart(name)?.Properties.Values;
    return v === undefined ? undefined : JSON.parse(typeof v === 'string' ? v : JSON.stringify(v));
  };
  return { stack, chart, values };
}

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof GpuConfigError) return e.message;
    throw e;
  }
  throw new Error('nothing thrown');
};

describe('GpuEksStack draDriver', () => {
  test('installs the pinned NVIDIA DRA driver chart and turns the device plugin off', () => {
    const { chart, values, stack } = build({ kubernetesVersion: V134, draDriver: {} });
    const dra = chart(NVIDIA_DRA_DRIVER_CHART.chart);
    expect(dra.Properties).toMatchObject({ Repository: NVIDIA_DRA_DRIVER_CHART.repository, Version: '25.8.1', Namespace: 'nvidia-dra-driver-gpu' });
    expect(values(NVIDIA_DRA_DRIVER_CHART.chart)).toEqual({
      nvidiaDriverRoot: '/',
      gpuResourcesEnabledOverride: true,
      resources: { gpus: { enabled: true }, computeDomains: { enabled: false } },
      // the GPU Operator's node agents' tolerations: the GPU and the spot taint (its kubelet plugin publishes the GPUs)
      kubeletPlugin: { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'karpenter.sh/capacity-type', operator: 'Exists', effect: 'NoSchedule' }] },
    });
    expect(values('gpu-operator').devicePlugin.enabled).toBe(false);
    // and what gpuOperator.settings.tolerations adds
    const dedicated = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }];
    const own = build({ kubernetesVersion: V134, draDriver: {}, gpuOperator: { settings: { tolerations: dedicated } } });
    expect(own.values(NVIDIA_DRA_DRIVER_CHART.chart).kubeletPlugin.tolerations).toEqual(dedicated);
    expect(stack.gpuCluster.gpuOperatorSettings!.devicePlugin).toBe(false);
    expect(stack.draDriverChart).toBeDefined();
  });

  test('without draDriver nothing changes: no DRA chart, device plugin on', () => {
    const { chart, values, stack } = build({});
    expect(chart(NVIDIA_DRA_DRIVER_CHART.chart)).toBeUndefined();
    expect(values('gpu-operator').devicePlugin.enabled).toBe(true);
    expect(stack.draDriverChart).toBeUndefined();
    expect(build({ draDriver: { enabled: false } }).chart(NVIDIA_DRA_DRIVER_CHART.chart)).toBeUndefined();
  });

  test('computeDomains and extra values reach the chart', () => {
    const { values } = build({ kubernetesVersion: V134, draDriver: { computeDomains: true, values: { logVerbosity: '6' } } });
    expect(values(NVIDIA_DRA_DRIVER_CHART.chart)).toMatchObject({ resources: { computeDomains: { enabled: true } }, logVerbosity: '6' });
  });

  test.each([
    ['Kubernetes 1.33 (the default)', {}, /draDriver needs Kubernetes 1.34 or later.*kubernetesVersion is 1.33/],
    ['Kubernetes 1.33 explicitly', { kubernetesVersion: eks.KubernetesVersion.V1_33 }, /needs Kubernetes 1.34/],
    ['devicePlugin: true', { kubernetesVersion: V134, gpuOperator: { settings: { devicePlugin: true } } }, /devicePlugin is true, but draDriver is set/],
    ['a range as version', { kubernetesVersion: V134, draDriverVersion: '>=25' },
      /draDriver.version is ">=25", not an exact chart version/],
    ['the default namespace', { kubernetesVersion: V134, draDriverNamespace: 'default' }, /draDriver.namespace is default/],
  ])('refuses %s', (_, p: any, re) => {
    const { draDriverVersion, draDriverNamespace, ...props } = p;
    const draDriver = {
      ...(draDriverVersion ? { version: draDriverVersion } : {}),
      ...(draDriverNamespace ? { namespace: draDriverNamespace } : {}),
    };
    expect(message(() => build({ ...props, draDriver }))).toMatch(re);
  });

  test('refuses a device plugin config (time-slicing/MPS would apply nowhere) and a non-object', () => {
    const dp = new DevicePluginConfig(Testing.chart(), 'dp');
    dp.addMps('mps-2', { replicas: 2 });
    expect(message(() => build({ kubernetesVersion: V134, gpuOperator: { settings: { devicePluginConfig: dp } }, draDriver: {} })))
      .toMatch(/devicePluginConfig is set, but draDriver turns the device plugin off/);
    expect(message(() => build({ kubernetesVersion: V134, draDriver: 'yes' as any }))).toMatch(/draDriver is "yes", not an object/);
  });
});
