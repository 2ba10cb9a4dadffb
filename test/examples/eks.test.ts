/**
 * examples/eks, the aws-cdk-lib app: it synthesises offline, and every Kubernetes object its stack applies through
 * the EKS KubernetesResource (the cdk8s pool and serving charts, and whatever the cluster adds itself) is valid
 * against its upstream schema, tokens (cluster name, role ARNs) replaced by a placeholder.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { expectValid } from '../conformance/schema';
import { embeddedManifests } from '../validate-synth';

test('examples/eks synthesises, and every manifest its stack applies is valid upstream', () => {
  // The module builds the app and exports its stack (it writes cdk.out only when run as a program);
  // Template.fromStack synthesises it into a temporary assembly.
  let template: Record<string, any> = {};
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const example = require('../../examples/eks/app');
    template = Template.fromStack(example.stack).toJSON();
  });
  const objects = embeddedManifests(template);
  const kinds = new Set(objects.map((o) => o.kind));
  for (const k of ['NodePool', 'EC2NodeClass', 'Deployment', 'ScaledObject', 'PrometheusRule']) expect(kinds).toContain(k);
  expectValid(objects);
});
