/**
 * Which DCGM fields the queries of an app read, and who reads them: KedaGpuScaler registers its triggers' fields here,
 * DcgmMonitoring reads them at synth to write one collectors CSV holding everything the alerts, the dashboard and
 * the scalers read (internal).
 */
import { IConstruct } from 'constructs';

const byRoot = new WeakMap<IConstruct, Map<string, string[]>>();

/** Records that the construct at `reader` reads `fields`. @internal */
export function _registerDcgmReads(reader: IConstruct, fields: readonly string[]): void {
  if (fields.length === 0) return;
  const root = reader.node.root;
  let reads = byRoot.get(root);
  if (!reads) {
    reads = new Map();
    byRoot.set(root, reads);
  }
  for (const field of fields) {
    const who = reads.get(field);
    if (who) who.push(reader.node.path);
    else reads.set(field, [reader.node.path]);
  }
}

/** The DCGM fields read in the app of `scope`, with the paths of their readers. @internal */
export function _dcgmReadsIn(scope: IConstruct): ReadonlyMap<string, readonly string[]> {
  return byRoot.get(scope.node.root) ?? new Map();
}
