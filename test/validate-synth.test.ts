/**
 * The setup hook that validates every synthesised object (test/validate-synth.ts): it sees what tests synthesise,
 * replaces CDK tokens, reads EKS stack manifests (plain and Fn::Join), and lets a test opt out only by saying why.
 */
import { ApiObject, Testing } from 'cdk8s';
import { allowInvalidSynth, conformanceErrors, embeddedManifests, TOKEN_PLACEHOLDER } from './validate-synth';

const badConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' }, data: { a: 'b' } };

test('an invalid synthesised object is found (this test opts out, so the suite stays green)', () => {
  const c = Testing.chart();
  new ApiObject(c, 'bad', badConfigMap);
  const [obj] = Testing.synth(c);
  expect(conformanceErrors(JSON.stringify(obj))[0]).toMatch(/^metadata.name: Invalid value: "Bad_Name"/);
  allowInvalidSynth('self-test of the hook: the object is invalid on purpose');
});

test('allowInvalidSynth needs a reason', () => {
  expect(() => allowInvalidSynth('')).toThrow(/give the reason/);
});

test('EKS manifests: a plain JSON string and a Fn::Join with Ref/GetAtt tokens both parse, tokens replaced', () => {
  const template = {
    Resources: {
      Plain: { Type: 'Custom::AWSCDK-EKS-KubernetesResource', Properties: { Manifest: JSON.stringify([badConfigMap]) } },
      Joined: {
        Type: 'Custom::AWSCDK-EKS-KubernetesResource',
        Properties: {
          Manifest: { 'Fn::Join': ['', ['[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"', { Ref: 'ClusterName' }, '"},"data":{"role":"', { 'Fn::GetAtt': ['Role', 'Arn'] }, '"}}]']] },
        },
      },
      Other: { Type: 'AWS::IAM::Role', Properties: {} },
    },
  };
  const objs = embeddedManifests(template);
  expect(objs).toEqual([badConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: TOKEN_PLACEHOLDER }, data: { role: TOKEN_PLACEHOLDER } }]);
  expect(conformanceErrors(JSON.stringify(objs[1]))).toEqual([]);
});
