import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cdk8s from 'cdk8s';
import { GpuInstanceType } from '../../src/catalog';
import { GpuEksStack, GpuEksStackProps } from '../../src/eks';
import { EFA_DEVICE_PLUGIN_CHART } from '../../src/eks/versions';
import { GpuNodePool, PlacementGroupSelector } from '../../src/pools';
import { configError } from '../config-error';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

function poolsChart(): cdk8s.Chart {
  const chart = new cdk8s.Chart(new cdk8s.App(), 'pools');
  new GpuNodePool(chart, 'p5', {
    name: 'p5',
    instanceTypes: [GpuInstanceType.P5_48XLARGE],
    gpuLimit: 16,
    efa: true,
    nodeClassProps: { placementGroup: PlacementGroupSelector.ofEksStack() },
  });
  return chart;
}

function build(props: Partial<GpuEksStackProps> = {}, viaProp = false) {
  const app = new App();
  const chart = poolsChart();
  const stack = new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, efa: {}, ...(viaProp ? { charts: [chart] } : {}), ...props });
  if (!viaProp) stack.addChart(chart);
  return { stack, template: Template.fromStack(stack) };
}

function manifestText(template: Template): string {
  return JSON.stringify(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
}

describe('GpuEksStack efa', () => {
  test('creates a cluster placement group and binds its name into the chart\'s EC2NodeClass', () => {
    const { template } = build();
    const pgs = template.findResources('AWS::EC2::PlacementGroup');
    expect(Object.values(pgs).map((r: any) => r.Properties.Strategy)).toEqual(['cluster']);
    const [pgId] = Object.keys(pgs);
    const text = manifestText(template);
    expect(text).toContain('placementGroupSelector');
    expect(text).toContain(`{"Fn::GetAtt":["${pgId}","GroupName"]}`);
    expect(text).toContain('efa-only');
  });

  test('charts passed as the charts prop are bound too', () => {
    const { template } = build({}, true);
    const [pgId] = Object.keys(template.findResources('AWS::EC2::PlacementGroup'));
    expect(manifestText(template)).toContain(`{"Fn::GetAtt":["${pgId}","GroupName"]}`);
  });

  test('installs the pinned EFA device plugin chart, tolerating every taint (GPU nodes are tainted)', () => {
    const { template } = build();
    const charts = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter((r: any) => r.Properties.Chart === 'aws-efa-k8s-device-plugin');
    expect(charts).toHaveLength(1);
    const p = (charts[0] as any).Properties;
    expect(p.Version).toBe('v0.5.30');
    expect(p.Version).toBe(EFA_DEVICE_PLUGIN_CHART.version);
    expect(p.Repository).toBe('https://aws.github.io/eks-charts');
    expect(p.Namespace).toBe('kube-system');
    expect(JSON.parse(p.Values).tolerations).toEqual([{ operator: 'Exists' }]);
  });

  test('the GPU Operator\'s device plugin stops mounting /dev/infiniband (MOFED_ENABLED=false), unless you say otherwise', () => {
    const values = (t: Template) => {
      const op = Object.values(t.findResources('Custom::AWSCDK-EKS-HelmChart')).find((r: any) => r.Properties.Chart === 'gpu-operator') as any;
      const v = op.Properties.Values;
      return JSON.parse(typeof v === 'string' ? v : (v['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : '"<token>"')).join(''));
    };
    expect(values(build().template).devicePlugin.env).toEqual([{ name: 'MOFED_ENABLED', value: 'false' }]);
    const mine = build({ gpuOperator: { values: { devicePlugin: { env: [{ name: 'MOFED_ENABLED', value: 'true' }] } } } });
    expect(values(mine.template).devicePlugin.env).toEqual([{ name: 'MOFED_ENABLED', value: 'true' }]);
    const app = new App();
    const plain = new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS });
    expect(values(Template.fromStack(plain)).devicePlugin.env).toBeUndefined();
  });

  test('the node security group talks to itself on all ports, both ways', () => {
    const { template, stack } = build();
    const sgId = stack.resolve(stack.gpuCluster.nodeSecurityGroup.securityGroupId);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r: any) => r.Properties);
    expect(egress).toContainEqual(expect.objectContaining({ GroupId: sgId, DestinationSecurityGroupId: sgId, IpProtocol: '-1' }));
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
    expect(ingress).toContainEqual(expect.objectContaining({ GroupId: sgId, SourceSecurityGroupId: sgId, IpProtocol: '-1' }));
  });

  test('without efa: no placement group, no device plugin, and an ofEksStack node class fails synth', () => {
    const app = new App();
    const stack = new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS });
    expect(() => stack.addChart(poolsChart())).toThrow(/placementGroup is PlacementGroupSelector.ofEksStack\(\)/);
    const t = Template.fromStack(stack);
    expect(Object.keys(t.findResources('AWS::EC2::PlacementGroup'))).toEqual([]);
    expect(Object.values(t.findResources('Custom::AWSCDK-EKS-HelmChart')).map((r: any) => r.Properties.Chart)).not.toContain('aws-efa-k8s-device-plugin');
  });

  test('options: no placement group, no device plugin, another version', () => {
    const app = new App();
    const stack = new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, efa: { placementGroup: false, devicePlugin: false } });
    const t = Template.fromStack(stack);
    expect(Object.keys(t.findResources('AWS::EC2::PlacementGroup'))).toEqual([]);
    expect(Object.values(t.findResources('Custom::AWSCDK-EKS-HelmChart')).map((r: any) => r.Properties.Chart)).not.toContain('aws-efa-k8s-device-plugin');
    expect(stack.efa!.placementGroupName).toBeUndefined();
  });

  test.each([
    ['a floating version', { version: 'latest' }, 'efa.version'],
    ['a string flag', { devicePlugin: 'no' }, 'efa.devicePlugin'],
    ['a bad namespace', { namespace: 'Kube_System' }, 'efa.namespace'],
  ])('%s → GpuConfigError on %s', (_, efa, property) => {
    const app = new App();
    const e = configError(() => new GpuEksStack(app, 'Gpu', { env: ENV, clusterName: 'gpu-test', availabilityZones: AZS, efa: efa as any }));
    expect(e.property).toBe(property);
  });
});

describe('examples/distributed-training on GpuEksStack', () => {
  test('the template holds the placement group, the pinned EFA device-plugin chart and the p5 training chart bound to both', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildStack } = require('../../examples/distributed-training/app');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-efa-'));
    const { stack } = buildStack(dir);
    const template = Template.fromStack(stack);
    const [pgId] = Object.keys(template.findResources('AWS::EC2::PlacementGroup', { Properties: { Strategy: 'cluster' } }));
    expect(pgId).toBeDefined();
    const plugin = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).find((r: any) => r.Properties.Chart === 'aws-efa-k8s-device-plugin') as any;
    expect(plugin.Properties).toMatchObject({ Version: EFA_DEVICE_PLUGIN_CHART.version, Repository: EFA_DEVICE_PLUGIN_CHART.repository });
    const text = manifestText(template);
    expect(text).toContain(`{"Fn::GetAtt":["${pgId}","GroupName"]}`);
    expect(text).toContain('\\"vpc.amazonaws.com/efa\\":32');
    expect(text).toContain('\\"completionMode\\":\\"Indexed\\"');
    expect(text).toContain('cr-0123456789abcdef0');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
