import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { expectValid } from './conformance/schema';
import { validateManifests } from '../src/validation';

/** The README's first TypeScript example, compiled and run against src/ (as `cdk8s-gpu` would resolve). */
function runReadmeExample(): any[] {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no ```ts example');
  const source = block[1].replace("from 'cdk8s-gpu'", `from ${JSON.stringify(path.join(__dirname, '..', 'src'))}`)
    .replace('app.synth();', 'exports.objects = app.charts.flatMap((c) => c.toJson());');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const exportsObj: any = {};
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'exports', js)(require, exportsObj);
  return exportsObj.objects;
}

describe('README example', () => {
  test('synthesises a NodePool, EC2NodeClass, Deployment, Service, PDB and ServiceMonitor that are schema-valid and lint clean', () => {
    const objects = runReadmeExample();
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'EC2NodeClass', 'NodePool', 'PodDisruptionBudget', 'Service', 'ServiceMonitor']);
    expectValid(objects);
    expect(validateManifests(objects.map((object) => ({ object })))).toEqual([]);
    const pool = objects.find((o) => o.kind === 'NodePool');
    expect(pool.spec.limits['nvidia.com/gpu']).toBe(16);
    const container = objects.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0];
    expect(container.resources.limits['nvidia.com/gpu']).toBe(container.resources.requests['nvidia.com/gpu']);
  });
});
