/**
 * examples/eks, the aws-cdk-lib app: it synthesises offline, and every Kubernetes object its stack applies through
 * the EKS KubernetesResource (the cdk8s pool and serving charts, and whatever the cluster adds itself) is valid
 * against its upstream schema, tokens (cluster name, role ARNs) replaced by a placeholder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectValid } from '../conformance/schema';
import { embeddedManifests } from '../validate-synth';

test('examples/eks synthesises, and every manifest its stack applies is valid upstream', () => {
  // The app synthesises when loaded, into examples/eks/cdk.out relative to the working directory: run it from a
  // temporary one (removed with the test file's tmpdir, test/setup-tmpdir.ts).
  const cwd = process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-example-'));
  process.chdir(dir);
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../examples/eks/app');
    });
  } finally {
    process.chdir(cwd);
  }
  const template = JSON.parse(fs.readFileSync(path.join(dir, 'examples/eks/cdk.out/GpuEksExample.template.json'), 'utf8'));
  const objects = embeddedManifests(template);
  const kinds = new Set(objects.map((o) => o.kind));
  for (const k of ['NodePool', 'EC2NodeClass', 'Deployment', 'ScaledObject', 'PrometheusRule']) expect(kinds).toContain(k);
  expectValid(objects);
});
