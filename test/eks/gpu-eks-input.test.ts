/**
 * GpuEksStack / GpuEksCluster input checking: wrong types, out-of-range numbers and bad names give GpuConfigError
 * naming the construct and the property (never a TypeError, an aws-cdk-lib error or a silent default), while the
 * valid neighbours of each bad input still synthesise as documented.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { GpuEksCluster, GpuEksStack } from '../../src/eks';
import { gpuOperatorProps } from '../../src/eks/private/helm-values';
import { GpuConfigError } from '../../src/errors';
import { GpuOperatorSettings } from '../../src/sharing';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

function stack(props: any = {}): GpuEksStack {
  return new GpuEksStack(new App(), 'Gpu', { env: ENV, clusterName: 'gpu', availabilityZones: AZS, ...props });
}

/** Runs `fn` and returns the GpuConfigError it throws, checking construct path, property and the message layout. */
function configError(fn: () => unknown, property: string, path = 'Gpu/GpuCluster'): GpuConfigError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(GpuConfigError);
  const e = thrown as GpuConfigError;
  expect({ path: e.constructPath, property: e.property }).toEqual({ path, property });
  expect(e.message).toMatch(new RegExp(`^${path}: ${property.replace(/[.[\]]/g, '\\$&')} .+\\. Fix: \\S`));
  return e;
}

describe('props objects', () => {
  test('GpuEksCluster props null → props', () => {
    const s = new Stack(new App(), 'S', { env: ENV });
    expect(configError(() => new GpuEksCluster(s, 'C', null as any), 'props', 'S/C').problem).toBe('is null, not an object');
  });

  test('GpuEksStack props null → props on the stack path (before aws-cdk Stack reads it)', () => {
    const app = new App();
    expect(configError(() => new GpuEksStack(app, 'Gpu', null as any), 'props', 'Gpu').problem).toBe('is null, not an object');
  });

  test.each([
    ['systemNodeGroup', { systemNodeGroup: null }],
    ['karpenter', { karpenter: 'kube-system' }],
    ['keda', { keda: false }],
    ['prometheus', { prometheus: [] }],
    ['gpuOperator', { gpuOperator: null }],
    ['gpuOperator.settings', { gpuOperator: { settings: 'mixed' } }],
  ])('%s not an object → GpuConfigError', (prop, props) => {
    expect(configError(() => stack(props), prop).problem).toMatch(/, not an object$/);
  });
});

describe('clusterName and kubernetesVersion', () => {
  test('a number as clusterName says what it got', () => {
    expect(configError(() => stack({ clusterName: 5 }), 'clusterName').problem).toBe('is 5, not a string');
  });

  test('a string as kubernetesVersion says what it got and how to wrap it', () => {
    const e = configError(() => stack({ kubernetesVersion: '1.33' }), 'kubernetesVersion');
    expect(e.problem).toBe('is "1.33", not an eks.KubernetesVersion');
    expect(e.fix).toContain('eks.KubernetesVersion.of("1.33")');
  });
});

describe('network', () => {
  const natCount = (s: Stack) => Object.keys(Template.fromStack(s).findResources('AWS::EC2::NatGateway')).length;

  test.each([0, -1, NaN, 1.5, 4, '2'])('natGateways %p is refused (1..3 with three zones)', (n) => {
    expect(configError(() => stack({ natGateways: n }), 'natGateways').fix).toMatch(/^use 1 .* up to 3/);
  });

  test('natGateways 1..zones is kept as given', () => {
    expect(natCount(stack())).toBe(1);
    expect(natCount(stack({ natGateways: 3 }))).toBe(3);
    expect(natCount(stack({ availabilityZones: AZS.slice(0, 2), natGateways: 2 }))).toBe(2);
  });

  test('natGateways above the zones the region turns out to have is a warning, not a silent cap', () => {
    // An environment-agnostic stack gets two zones whatever maxAzs says.
    const s = new GpuEksStack(new App(), 'Gpu', { clusterName: 'gpu', maxAzs: 3, natGateways: 3 });
    expect(natCount(s)).toBe(2);
    Annotations.fromStack(s).hasWarning('/Gpu/GpuCluster', Match.stringLikeRegexp('^warning GPU810 \\S+ Gpu/GpuCluster natGateways: is 3, but the VPC has 2 Availability Zones.*  Fix: set natGateways to at most 2'));
  });

  test('natGateways is not checked against a VPC you bring', () => {
    const s = new Stack(new App(), 'S', { env: ENV });
    const vpc = new ec2.Vpc(s, 'Vpc', { availabilityZones: AZS.slice(0, 2) });
    expect(() => new GpuEksCluster(s, 'C', { vpc, natGateways: 0, clusterName: 'byo' })).not.toThrow();
  });

  test.each<[string, any]>([
    ['availabilityZones', 'us-east-1a'],
    ['availabilityZones[1]', ['us-east-1a', 5]],
    ['availabilityZones[1]', ['us-east-1a', '']],
    ['availabilityZones[1]', ['us-east-1a', 'us-east-1a', 'us-east-1b']],
  ])('availabilityZones %p → GpuConfigError', (prop, azs) => {
    configError(() => stack({ availabilityZones: azs }), prop);
  });

  test('endpointAccess: the documented values pass, anything else is refused', () => {
    const priv = Template.fromStack(stack({ endpointAccess: eks.EndpointAccess.PRIVATE }));
    priv.hasResourceProperties('AWS::EKS::Cluster', { ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false, EndpointPrivateAccess: true }) });
    const limited = Template.fromStack(stack({ endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('203.0.113.0/24') }));
    limited.hasResourceProperties('AWS::EKS::Cluster', { ResourcesVpcConfig: Match.objectLike({ PublicAccessCidrs: ['203.0.113.0/24'] }) });
    for (const bad of ['public', { publicAccess: true }, 1]) {
      expect(configError(() => stack({ endpointAccess: bad }), 'endpointAccess').fix).toContain('eks.EndpointAccess.PRIVATE');
    }
  });

  test('clusterLogging: ClusterLoggingTypes values only', () => {
    Template.fromStack(stack({ clusterLogging: [eks.ClusterLoggingTypes.AUDIT] }))
      .hasResourceProperties('AWS::EKS::Cluster', { Logging: { ClusterLogging: { EnabledTypes: [{ Type: 'audit' }] } } });
    configError(() => stack({ clusterLogging: 'audit' }), 'clusterLogging');
    configError(() => stack({ clusterLogging: ['audit', 'kubelet'] }), 'clusterLogging[1]');
  });
});

describe('system node group', () => {
  test('desiredSize within [minSize, maxSize] is written as given', () => {
    Template.fromStack(stack({ systemNodeGroup: { minSize: 2, maxSize: 4, desiredSize: 3 } }))
      .hasResourceProperties('AWS::EKS::Nodegroup', { ScalingConfig: { MinSize: 2, MaxSize: 4, DesiredSize: 3 } });
  });

  test.each([0, 1, 4, NaN, 2.5, '3'])('desiredSize %p outside [2, 3] or not a whole number → GpuConfigError', (desiredSize) => {
    expect(configError(() => stack({ systemNodeGroup: { desiredSize } }), 'systemNodeGroup.desiredSize').fix).toContain('2 <= desiredSize <= 3');
  });

  test('instanceTypes: x86_64 CPU types pass', () => {
    Template.fromStack(stack({ systemNodeGroup: { instanceTypes: [new ec2.InstanceType('m7i.large'), new ec2.InstanceType('c6a.xlarge')] } }))
      .hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['m7i.large', 'c6a.xlarge'] });
  });

  test.each<[string, any, RegExp]>([
    ['systemNodeGroup.instanceTypes', [], /not a non-empty array/],
    ['systemNodeGroup.instanceTypes', new ec2.InstanceType('m6i.large'), /not a non-empty array/],
    ['systemNodeGroup.instanceTypes[0]', [undefined], /^is undefined, not an ec2.InstanceType$/],
    ['systemNodeGroup.instanceTypes[1]', [new ec2.InstanceType('m6i.large'), 'm6i.large'], /^is "m6i.large", not an ec2.InstanceType$/],
    ['systemNodeGroup.instanceTypes[0]', [new ec2.InstanceType('m7g.large')], /arm64 instance type, but the system node group runs the AL2023 x86_64 AMI/],
    ['systemNodeGroup.instanceTypes[0]', [new ec2.InstanceType('large')], /not an instance type name/],
    ['systemNodeGroup.instanceTypes[0]', [new ec2.InstanceType('g5.xlarge')], /an accelerated instance type/],
  ])('%s = %p → GpuConfigError', (prop, instanceTypes, problem) => {
    expect(configError(() => stack({ systemNodeGroup: { instanceTypes } }), prop).problem).toMatch(problem);
  });

  test('a string instance type gets the constructor call as its fix', () => {
    expect(configError(() => stack({ systemNodeGroup: { instanceTypes: ['m6i.large'] } }), 'systemNodeGroup.instanceTypes[0]').fix)
      .toBe('pass new ec2.InstanceType("m6i.large")');
  });
});

describe('add-ons', () => {
  const releases = (s: Stack) => Object.fromEntries(Object.values(Template.fromStack(s).findResources('Custom::AWSCDK-EKS-HelmChart'))
    .map((r) => [r.Properties.Release, r.Properties]));

  test('valid namespaces are used for the releases', () => {
    const s = stack({
      karpenter: { namespace: 'karpenter' },
      keda: { namespace: 'autoscaling' },
      prometheus: { namespace: 'observability' },
      gpuOperator: { settings: { namespace: 'nvidia' } },
    });
    const r = releases(s);
    expect(r.karpenter).toEqual(expect.objectContaining({ Namespace: 'karpenter', CreateNamespace: true }));
    expect(r.keda.Namespace).toBe('autoscaling');
    expect(r['kube-prometheus-stack'].Namespace).toBe('observability');
    expect(r['gpu-operator'].Namespace).toBe('nvidia');
    expect(s.gpuCluster.prometheusEndpoint).toBe('http://kube-prometheus-stack-prometheus.observability.svc.cluster.local:9090');
    Template.fromStack(s).hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'karpenter' });
  });

  test.each<[string, any]>([
    ['karpenter.namespace', { karpenter: { namespace: '' } }],
    ['karpenter.namespace', { karpenter: { namespace: 'kube.system' } }],
    ['keda.namespace', { keda: { namespace: 'KEDA' } }],
    ['prometheus.namespace', { prometheus: { namespace: 'x'.repeat(64) } }],
    ['gpuOperator.settings.namespace', { gpuOperator: { settings: { namespace: '-gpu' } } }],
    ['gpuOperator.settings.namespace', { gpuOperator: { settings: { namespace: 7 } } }],
  ])('%s not a DNS-1123 label → GpuConfigError', (prop, props) => {
    configError(() => stack(props), prop);
  });

  test.each<[string, any]>([
    ['keda.enabled', { keda: { enabled: 'false' } }],
    ['gpuOperator.enabled', { gpuOperator: { enabled: 0 } }],
    ['prometheus.grafana', { prometheus: { grafana: 'yes' } }],
    ['karpenter.values', { karpenter: { values: 'replicas: 1' } }],
    ['keda.values', { keda: { values: [1] } }],
    ['gpuOperator.values', { gpuOperator: { values: null } }],
    ['prometheus.values', { prometheus: { values: 3 } }],
    ['prometheus.endpoint', { prometheus: { endpoint: 9090 } }],
    ['keda.version', { keda: { version: 2 } }],
  ])('%s of the wrong type → GpuConfigError', (prop, props) => {
    configError(() => stack(props), prop);
  });

  test('each add-on option is read once: the values checked up front are the ones installed', () => {
    // A props object whose add-on options are getters (e.g. computed from config): each must be read exactly once, so
    // what was checked is what is built.
    const reads: Record<string, number> = {};
    const counted = (name: string, value: unknown) => ({ get [name]() { reads[name] = (reads[name] ?? 0) + 1; return value; } });
    const r = releases(stack({
      keda: { ...counted('version', '2.18.1'), ...counted('values', { resources: { operator: { limits: { cpu: '2' } } } }) },
      kueue: counted('namespace', 'queues'),
      prometheus: counted('grafana', false),
    }));
    expect(reads).toEqual({ version: 1, values: 1, namespace: 1, grafana: 1 });
    expect(r.keda.Version).toBe('2.18.1');
    expect(JSON.parse(r.keda.Values).resources.operator.limits.cpu).toBe('2');
    expect(r.kueue.Namespace).toBe('queues');
  });

  test('disabled add-ons are not installed', () => {
    const r = releases(stack({ keda: { enabled: false }, gpuOperator: { enabled: false }, kueue: { enabled: false } }));
    expect(Object.keys(r).sort()).toEqual(['karpenter', 'kube-prometheus-stack']);
  });
});

describe('capacityReservationIds and charts', () => {
  test.each<[string, any]>([
    ['capacityReservationIds', 'cr-0123456789abcdef0'],
    ['capacityReservationIds[0]', [5]],
    ['capacityReservationIds[1]', ['cr-0123456789abcdef0', null]],
  ])('capacityReservationIds → %s', (prop, ids) => {
    configError(() => stack({ capacityReservationIds: ids }), prop);
  });

  test('a single id string gets the list as its fix', () => {
    expect(configError(() => stack({ capacityReservationIds: 'cr-0123456789abcdef0' }), 'capacityReservationIds').fix)
      .toBe('pass a list: ["cr-0123456789abcdef0"]');
  });

  test('charts must be an array of cdk8s charts; addChart checks its argument', () => {
    const one = new cdk8s.Chart(new cdk8s.App(), 'one');
    expect(configError(() => stack({ charts: one }), 'charts').problem).toBe('is the Chart one, not an array');
    configError(() => stack({ charts: [one, {}] }), 'charts[1]');
    configError(() => stack({ charts: [one, undefined] }), 'charts[1]');
    const s = stack();
    configError(() => s.addChart(undefined as any), 'chart');
    configError(() => s.addChart({ toJson: () => [] } as any), 'chart');
    expect(s.addChart(one)).toBeDefined();
  });
});

describe('gpuOperator.settings.serviceMonitorLabels that is not a map', () => {
  test('an array is refused by name, not spread into { "0": … }', () => {
    const props = gpuOperatorProps({ serviceMonitorLabels: ['kube-prometheus-stack'] as any }, true);
    expect(props.serviceMonitorLabels).toEqual(['kube-prometheus-stack']); // passed on as given, for the settings check
    expect(gpuOperatorProps({ serviceMonitorLabels: { team: 'ml' } }, true).serviceMonitorLabels).toEqual({ release: 'kube-prometheus-stack', team: 'ml' });
    expect(() => GpuOperatorSettings.of(props)).toThrow(/serviceMonitorLabels/);
  });
});
