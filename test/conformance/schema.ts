/**
 * Schema conformance harness for the tests — thin wrappers over the library's schema gate
 * (src/schema/validator.ts, the same code `lint`, `plan` and GpuValidation run): is this object valid as `kubectl apply` (server-side strict field validation)
 * would judge it?
 *
 * - Custom resources: the upstream CRDs in `<repo>/../shared/reference/crds/*.yaml`, every served version's
 *   `openAPIV3Schema` converted from the Kubernetes structural-schema dialect to ajv (unknown fields
 *   rejected, int-or-string, nullable, formats, list-type set/map uniqueness, defaults applied first), then
 *   the CRDs' CEL `x-kubernetes-validations` evaluated with `@marcbachmann/cel-js`.
 * - Built-in kinds: schemas derived from cdk8s-plus-30's generated `k8s` bindings (see src/schema/core-schema.ts), plus
 *   the API server's hand-written checks we restate (semantic.ts).
 * - `metadata`: ObjectMeta (unknown fields rejected; name, label and annotation syntax).
 *
 * Everything is compiled once per kind and cached, so thousands of objects validate quickly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { SchemaValidator } from '../../src/schema/validator';

/**
 * `<repo>/../shared/reference/crds`: the upstream CRDs this harness validates custom resources against.
 * The environment variable `CONFORMANCE_CRDS_DIR` overrides it (the harness's own tests use it to simulate
 * a checkout without shared/).
 */
export const SHARED_CRDS_DIR: string = process.env.CONFORMANCE_CRDS_DIR
  ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'reference', 'crds');

/** `<repo>/crds`: the CRDs vendored for `cdk8s import` (and shipped as the library's schema gate), used for kinds SHARED_CRDS_DIR does not have. */
export const VENDORED_CRDS_DIR: string = path.resolve(__dirname, '..', '..', 'crds');

/** API groups whose CRDs live in SHARED_CRDS_DIR: objects of these groups are skipped (with a warning) when it is absent. */
export const CRD_GROUPS = ['karpenter.sh', 'karpenter.k8s.aws', 'keda.sh', 'monitoring.coreos.com', 'nvidia.com', 'kueue.x-k8s.io'];

/** True when the shared CRDs are present (custom resources can be validated). */
export function crdsAvailable(): boolean {
  return fs.existsSync(SHARED_CRDS_DIR) && fs.readdirSync(SHARED_CRDS_DIR).some((f) => f.endsWith('.yaml'));
}

const warned = new Set<string>();

function warnOnce(msg: string): void {
  if (warned.has(msg)) return;
  warned.add(msg);
  console.warn(`[conformance] ${msg}`);
}

let validator: SchemaValidator | undefined;

/**
 * The library's schema gate (src/schema) over the shared CRDs first, then the vendored ones (shared/ has kinds the
 * package does not ship, e.g. ScaledJob, PodMonitor). CEL rules the evaluator cannot run throw here (strictCel).
 */
function getValidator(): SchemaValidator {
  if (validator) return validator;
  const available = crdsAvailable();
  if (!available) warnOnce(`${SHARED_CRDS_DIR} is absent: custom resources (${CRD_GROUPS.join(', ')}) are NOT validated`);
  validator = new SchemaValidator({
    crdDirs: available ? [SHARED_CRDS_DIR, VENDORED_CRDS_DIR] : [VENDORED_CRDS_DIR],
    strictCel: true,
    namespaceOnClusterScoped: true,
    extendedResources: true,
    warn: warnOnce,
  });
  return validator;
}

/** Every `apiVersion/kind` the harness can check, sorted. */
export function knownKinds(): string[] {
  return getValidator().knownKinds();
}

/** Where the schema for `apiVersion/kind` came from (a CRD file name or the cdk8s-plus-30 bindings), or undefined. */
export function schemaSource(apiVersion: string, kind: string): string | undefined {
  return getValidator().schemaSource(apiVersion, kind);
}

/**
 * Validate one plain manifest. Returns [] when valid, else human-readable errors, each starting with the
 * JSON path of the offending field (`spec.template.spec.requirements[0].key: ...`).
 * Objects of a CRD group are returned [] (with a printed warning) when the shared CRDs are absent; any other
 * kind the harness has no schema for is an error.
 */
export function validateObject(obj: any): string[] {
  const v = getValidator();
  const verdict = v.check(obj);
  if (verdict.known) return verdict.errors;
  const { apiVersion, kind } = obj;
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (!crdsAvailable() && CRD_GROUPS.includes(group)) {
    warnOnce(`${apiVersion}/${kind} skipped: ${SHARED_CRDS_DIR} is absent`);
    return [];
  }
  const sameKind = v.versionsOf(kind);
  return [`<root>: no schema for ${apiVersion}/${kind}${sameKind.length ? ` (known versions of ${kind}: ${sameKind.join(', ')})` : ''}`];
}

/** `Kind/name` (or `Kind/namespace/name`) for messages. */
export function objectId(obj: any): string {
  const m = obj?.metadata ?? {};
  return `${obj?.kind ?? '<no kind>'}/${m.namespace ? `${m.namespace}/` : ''}${m.name ?? '<no name>'}`;
}

/** Errors of many objects, keyed by `Kind/name` (objects without errors are left out). */
export function validateAll(objs: any[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  objs.forEach((o, i) => {
    const errs = validateObject(o);
    if (errs.length) {
      let id = objectId(o);
      if (out.has(id)) id = `${id} (#${i})`;
      out.set(id, errs);
    }
  });
  return out;
}

/**
 * Jest helper: fails listing every error of every invalid object (by `Kind/name`).
 * Pass synthesised manifests, e.g. `expectValid(Testing.synth(chart))`.
 */
export function expectValid(objs: any[]): void {
  const bad = validateAll(objs);
  if (bad.size === 0) return;
  const lines: string[] = [`${bad.size} of ${objs.length} object(s) are not valid against their upstream schema:`];
  for (const [id, errs] of bad) {
    lines.push(`  ${id}:`);
    for (const e of errs) lines.push(`    - ${e}`);
  }
  throw new Error(lines.join('\n'));
}

/** Parse a multi-document YAML string into plain objects (empty documents dropped); throws on YAML errors. */
export function parseManifests(text: string): any[] {
  const out: any[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`YAML error: ${doc.errors[0].message}`);
    const v = doc.toJS();
    if (v != null) out.push(v);
  }
  return out;
}
