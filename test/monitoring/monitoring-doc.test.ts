/**
 * docs/monitoring.md stays true: its one ```ts block (GPU_OPERATOR mode on GpuEksStack) is run as written, with the
 * imports and the `app` it leaves out, and does what the page says: the operator's exporter reads the collectors
 * ConfigMap DcgmMonitoring writes in the operator's namespace, and DcgmMonitoring writes no exporter of its own.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as ts from 'typescript';
import * as gpu from '../../src';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'monitoring.md'), 'utf8');

test('docs/monitoring.md: the GPU_OPERATOR snippet runs and wires the operator\'s exporter to the collectors', () => {
  const blocks = [...DOC.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  const js = ts.transpileModule(`${blocks[0]}\nObject.assign(exports, { stack, chart });`, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const exported: any = {};
  const app = new App();
  const scope = {
    ...gpu,
    cdk8s,
    app,
    GpuEksStack: class extends gpu.GpuEksStack {
      constructor(s: any, id: string, props: gpu.GpuEksStackProps) {
        super(s, id, { env: { account: '111111111111', region: 'us-east-1' }, availabilityZones: ['us-east-1a', 'us-east-1b'], ...props });
      }
    },
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('exports', ...Object.keys(scope), js)(exported, ...Object.values(scope));
  const objects: any[] = exported.chart.toJson();
  const kinds = objects.map((o) => o.kind);
  expect(kinds).not.toContain('DaemonSet');
  expect(kinds).not.toContain('ServiceMonitor');
  const csv = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'dcgm-exporter-collectors');
  expect(csv?.metadata.namespace).toBe('gpu-operator');
  expect(Object.keys(csv.data)).toEqual(['dcgm-metrics.csv']);
  const settings = (exported.stack as gpu.GpuEksStack).gpuCluster.gpuOperatorSettings!;
  expect(settings.toHelmValues().dcgmExporter.config.name).toBe('dcgm-exporter-collectors');
});
