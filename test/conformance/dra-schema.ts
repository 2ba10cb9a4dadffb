/**
 * JSON schemas for Dynamic Resource Allocation (`resource.k8s.io/v1`: ResourceClaimTemplate, ResourceClaim,
 * DeviceClass, ResourceSlice; GA in Kubernetes 1.34), plus the Kubernetes 1.34 shapes of the two core/v1 structs a
 * DRA pod uses that cdk8s-plus-30 (Kubernetes 1.30) has in their alpha form: `PodResourceClaim` (`name`,
 * `resourceClaimName`, `resourceClaimTemplateName`; 1.30 had `source`) and the container's `ResourceClaim` (`name`,
 * `request`).
 *
 * Source: `data/resource.k8s.io-v1.json`, extracted by `scripts/extract-dra-schemas.py` from the type declarations
 * of npm `kubernetes-models@5.1.0` (MIT; generated from the Kubernetes OpenAPI). Unknown fields are rejected; numbers
 * are not split into integer/double; the API server's hand-written validation (name formats, CEL compilation, count
 * limits) is not reproduced.
 *
 * An isolated schema source: {@link loadDraSchemas} returns definitions, kind schemas and the core overlay, for any
 * ajv-based gate to register (test/conformance/schema.ts does).
 */
import * as fs from 'fs';
import * as path from 'path';

/** ajv `$id` of the DRA definitions. */
export const DRA_SCHEMA_ID = 'k8s-resource-v1';

/** What {@link loadDraSchemas} returns. */
export interface DraSchemas {
  /** Definitions to register as `{ $id: DRA_SCHEMA_ID, definitions }`. */
  readonly definitions: Record<string, any>;
  /** `resource.k8s.io/v1/<Kind>` → root schema (metadata free-form: objectMeta checks run apart). */
  readonly kinds: Map<string, any>;
  /** Cluster-scoped kinds. */
  readonly clusterScoped: ReadonlySet<string>;
  /** core/v1 definitions (by cdk8s-plus-30 jsii name) to replace with their Kubernetes 1.34 shape. */
  readonly coreOverlay: Record<string, any>;
  /** Where the schemas came from. */
  readonly source: string;
}

const DATA = path.join(__dirname, 'data', 'resource.k8s.io-v1.json');

/** Rewrites local `#/definitions/X` refs to `${id}#/definitions/X`. */
function rebase(schema: any, id: string): any {
  if (Array.isArray(schema)) return schema.map((s) => rebase(s, id));
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${id}${v}` : rebase(v, id);
  }
  return out;
}

/** Loads the vendored schemas. */
export function loadDraSchemas(): DraSchemas {
  const data = JSON.parse(fs.readFileSync(DATA, 'utf8'));
  const definitions = rebase(data.definitions, DRA_SCHEMA_ID);
  const kinds = new Map<string, any>();
  for (const kind of data.kinds as string[]) kinds.set(`resource.k8s.io/v1/${kind}`, definitions[kind]);
  return {
    definitions,
    kinds,
    clusterScoped: new Set(data.clusterScoped as string[]),
    coreOverlay: data.coreV1Overlay,
    source: 'kubernetes-models@5.1.0 (.d.ts, extracted to test/conformance/data/resource.k8s.io-v1.json)',
  };
}
