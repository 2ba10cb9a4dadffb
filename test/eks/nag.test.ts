/**
 * cdk-nag (AwsSolutions pack, cdk-nag 3: a CDK policy-validation plugin) on the EKS example: every finding is either
 * fixed or acknowledged in code with a reason (src/eks/nag.ts); none is left unacknowledged.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

test('examples/eks: AwsSolutions finds nothing unacknowledged, and every acknowledgment has a reason', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-nag-'));
  process.env.CDK_OUTDIR = outdir;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { app } = require('../../examples/eks/app') as { app: App };
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let failure: unknown;
  try {
    app.synth();
  } catch (e) {
    failure = e;
  }
  // On failure the error lists each finding with its construct path and the id to acknowledge it with.
  expect(String(failure ?? 'no unacknowledged findings')).toBe('no unacknowledged findings');
  // Acknowledgments are recorded as construct metadata { <id>: <reason> } (aws-cdk-lib Validations.acknowledge).
  const acks = app.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))))
    .filter((a) => a.id.startsWith('AwsSolutions::'));
  // The managed policies EKS and Karpenter require, Karpenter's tag-scoped wildcards, the queue's DLQ, aws-eks-v2's handler.
  expect(new Set(acks.map((a) => a.id.replace(/\[.*$/, '')))).toEqual(new Set([
    'AwsSolutions::AwsSolutions-IAM4', 'AwsSolutions::AwsSolutions-IAM5', 'AwsSolutions::AwsSolutions-SQS3', 'AwsSolutions::AwsSolutions-L1',
  ]));
  for (const a of acks) expect([a.path, a.id, a.reason.length > 40]).toEqual([a.path, a.id, true]);
});
