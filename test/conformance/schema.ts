/**
 * Schema conformance harness: is this object valid as `kubectl apply` (server-side strict field validation)
 * would judge it?
 *
 * - Custom resources: the upstream CRDs in `<repo>/../shared/reference/crds/*.yaml`, every served version's
 *   `openAPIV3Schema` converted from the Kubernetes structural-schema dialect to ajv (unknown fields
 *   rejected, int-or-string, nullable, formats, list-type set/map uniqueness, defaults applied first), then
 *   the CRDs' CEL `x-kubernetes-validations` evaluated with `@marcbachmann/cel-js`.
 * - Built-in kinds: schemas derived from cdk8s-plus-30's generated `k8s` bindings (see core-schema.ts), plus
 *   the API server's hand-written checks we restate (semantic.ts).
 * - `metadata`: ObjectMeta (unknown fields rejected; name, label and annotation syntax).
 *
 * Everything is compiled once per kind and cached, so thousands of objects validate quickly.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { CLUSTER_SCOPED_CORE, CORE_SCHEMA_ID, loadCoreSchemas } from './core-schema';
import { DRA_SCHEMA_ID, loadDraSchemas } from './dra-schema';
import { objectMetaErrors } from './object-meta';
import { re2 } from './re2';
import { semanticErrors } from './semantic';
import { GO_DURATION, displayPath, rootSchema, runCel, shortValue } from './structural';

/**
 * `<repo>/../shared/reference/crds`: the upstream CRDs this harness validates custom resources against.
 * The environment variable `CONFORMANCE_CRDS_DIR` overrides it (the harness's own tests use it to simulate
 * a checkout without shared/).
 */
export const SHARED_CRDS_DIR: string = process.env.CONFORMANCE_CRDS_DIR
  ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'reference', 'crds');

/** `<repo>/crds`: the CRDs vendored for `cdk8s import`, used for kinds SHARED_CRDS_DIR does not have. */
export const VENDORED_CRDS_DIR: string = path.resolve(__dirname, '..', '..', 'crds');

/** Registers every served version of every CRD in `dir` whose kind is not registered yet. */
function loadCrds(dir: string, reg: Map<string, KindEntry>): void {
  if (!fs.existsSync(dir)) return;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const { group, names, scope, versions } = crd.spec;
      for (const v of versions ?? []) {
        if (!v.served || !v.schema?.openAPIV3Schema) continue;
        const apiVersion = `${group}/${v.name}`;
        if (reg.has(`${apiVersion}/${names.kind}`)) continue;
        reg.set(`${apiVersion}/${names.kind}`, {
          apiVersion,
          kind: names.kind,
          namespaced: scope === 'Namespaced',
          source: file,
          structural: v.schema.openAPIV3Schema,
          ajvSchema: rootSchema(v.schema.openAPIV3Schema, apiVersion, names.kind),
        });
      }
    }
  }
}

/** API groups whose CRDs live in SHARED_CRDS_DIR: objects of these groups are skipped (with a warning) when it is absent. */
export const CRD_GROUPS = ['karpenter.sh', 'karpenter.k8s.aws', 'keda.sh', 'monitoring.coreos.com', 'nvidia.com'];

/** True when the shared CRDs are present (custom resources can be validated). */
export function crdsAvailable(): boolean {
  return fs.existsSync(SHARED_CRDS_DIR) && fs.readdirSync(SHARED_CRDS_DIR).some((f) => f.endsWith('.yaml'));
}

interface KindEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly source: string;
  /** The original structural schema (CRDs only): CEL rules are read from it. */
  readonly structural?: any;
  readonly ajvSchema: any;
  validate?: ValidateFunction;
}

let ajv: Ajv | undefined;
let registry: Map<string, KindEntry> | undefined;
const warned = new Set<string>();

function warnOnce(msg: string): void {
  if (warned.has(msg)) return;
  warned.add(msg);
  console.warn(`[conformance] ${msg}`);
}

function makeAjv(): Ajv {
  const a = new Ajv({ allErrors: true, strict: false, useDefaults: true, validateFormats: true, ownProperties: true, code: { regExp: re2 as any } });
  addFormats(a, ['int32', 'int64', 'date-time', 'date', 'byte']);
  a.addFormat('duration', GO_DURATION);
  a.addKeyword({
    keyword: 'k8sListMapKeys',
    type: 'array',
    schemaType: 'array',
    errors: true,
    validate: function listMapKeys(keys: string[], data: any[]): boolean {
      const seen = new Map<string, number>();
      const errs: Partial<ErrorObject>[] = [];
      data.forEach((item, i) => {
        if (!item || typeof item !== 'object') return;
        const id = JSON.stringify(keys.map((k) => item[k] ?? null));
        if (seen.has(id)) {
          errs.push({ keyword: 'k8sListMapKeys', instancePath: '', params: { index: i, keys }, message: `Duplicate value: item ${i} repeats keys ${keys.join(', ')} of item ${seen.get(id)}` });
        } else {seen.set(id, i);}
      });
      (listMapKeys as any).errors = errs;
      return errs.length === 0;
    },
  });
  return a;
}

/** Build the kind registry (cheap: schemas are converted but not compiled until first use). */
function getRegistry(): Map<string, KindEntry> {
  if (registry) return registry;
  ajv = makeAjv();
  const reg = new Map<string, KindEntry>();
  const core = loadCoreSchemas();
  const dra = loadDraSchemas();
  if (typeof core === 'string') {
    warnOnce(core);
  } else {
    Object.assign(core.definitions, dra.coreOverlay); // Kubernetes 1.34 pod claim shapes (DRA)
    ajv.addSchema({ $id: CORE_SCHEMA_ID, definitions: core.definitions });
    for (const [gvk, schema] of core.kinds) {
      const kind = gvk.slice(gvk.lastIndexOf('/') + 1);
      reg.set(gvk, { apiVersion: gvk.slice(0, gvk.lastIndexOf('/')), kind, namespaced: !CLUSTER_SCOPED_CORE.has(kind), source: core.source, ajvSchema: schema });
    }
  }
  ajv.addSchema({ $id: DRA_SCHEMA_ID, definitions: dra.definitions });
  for (const [gvk, schema] of dra.kinds) {
    const kind = gvk.slice(gvk.lastIndexOf('/') + 1);
    reg.set(gvk, { apiVersion: gvk.slice(0, gvk.lastIndexOf('/')), kind, namespaced: !dra.clusterScoped.has(kind), source: dra.source, ajvSchema: schema });
  }
  if (crdsAvailable()) {
    loadCrds(SHARED_CRDS_DIR, reg);
  } else {
    warnOnce(`${SHARED_CRDS_DIR} is absent: custom resources (${CRD_GROUPS.join(', ')}) are NOT validated`);
  }
  // The repository's own vendored CRDs (crds/, same upstream tags) fill in kinds shared/ lacks, e.g. Karpenter's
  // NodeOverlay; they never replace a shared/ schema.
  loadCrds(VENDORED_CRDS_DIR, reg);
  registry = reg;
  return reg;
}

/** Every `apiVersion/kind` the harness can check, sorted. */
export function knownKinds(): string[] {
  return Array.from(getRegistry().keys()).sort();
}

/** Where the schema for `apiVersion/kind` came from (a CRD file name or the cdk8s-plus-30 bindings), or undefined. */
export function schemaSource(apiVersion: string, kind: string): string | undefined {
  return getRegistry().get(`${apiVersion}/${kind}`)?.source;
}

function compiled(entry: KindEntry): ValidateFunction {
  if (!entry.validate) entry.validate = ajv!.compile(entry.ajvSchema);
  return entry.validate;
}

function lookup(obj: any, pointer: string): any {
  let cur = obj;
  for (const raw of pointer.split('/').slice(1)) {
    if (cur == null) return undefined;
    cur = cur[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** Turn an ajv error into a kubectl-like line: `<path>: <problem>`. */
function formatAjvError(e: ErrorObject, data: any): string {
  const at = e.instancePath;
  const p = displayPath(at);
  const value = lookup(data, at);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as any).additionalProperty;
      return `${p === '<root>' ? '' : `${p}.`}${field}: unknown field ${JSON.stringify(field)}`;
    }
    case 'required': {
      const field = (e.params as any).missingProperty;
      return `${p === '<root>' ? '' : `${p}.`}${field}: Required value`;
    }
    case 'enum':
      return `${p}: Unsupported value: ${shortValue(value)}: supported values: ${((e.params as any).allowedValues as any[]).map((x) => JSON.stringify(x)).join(', ')}`;
    case 'const':
      return `${p}: Invalid value: ${shortValue(value)}: must be ${JSON.stringify((e.params as any).allowedValue)}`;
    case 'type':
      return `${p}: Invalid value: ${shortValue(value)}: must be of type ${[].concat((e.params as any).type).join(' or ')}`;
    case 'k8sListMapKeys':
      return `${p}[${(e.params as any).index}]: ${e.message}`;
    default:
      return `${p}: Invalid value: ${shortValue(value)}: ${e.message}`;
  }
}

function deepClone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/**
 * Validate one plain manifest. Returns [] when valid, else human-readable errors, each starting with the
 * JSON path of the offending field (`spec.template.spec.requirements[0].key: ...`).
 * Objects of a CRD group are returned [] (with a printed warning) when the shared CRDs are absent; any other
 * kind the harness has no schema for is an error.
 */
export function validateObject(obj: any): string[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [`<root>: Invalid value: ${shortValue(obj)}: must be an object`];
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
    return ['apiVersion/kind: Required value: both apiVersion and kind must be set'];
  }
  const reg = getRegistry();
  const entry = reg.get(`${apiVersion}/${kind}`);
  if (!entry) {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (!crdsAvailable() && CRD_GROUPS.includes(group)) {
      warnOnce(`${apiVersion}/${kind} skipped: ${SHARED_CRDS_DIR} is absent`);
      return [];
    }
    const sameKind = Array.from(reg.values()).filter((e) => e.kind === kind).map((e) => e.apiVersion);
    return [`<root>: no schema for ${apiVersion}/${kind}${sameKind.length ? ` (known versions of ${kind}: ${sameKind.join(', ')})` : ''}`];
  }
  const data = deepClone(obj); // ajv applies the schema's defaults, as the API server does before validating
  const validate = compiled(entry);
  const errors: string[] = [];
  const schemaErrorPointers: string[] = [];
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      // anyOf/oneOf report their branches too; keep the summary line only when branches say nothing new.
      errors.push(formatAjvError(e, data));
      schemaErrorPointers.push(e.instancePath);
    }
  }
  errors.push(...objectMetaErrors(data, entry.namespaced));
  if (entry.structural) runCel(data, entry.structural, '', schemaErrorPointers, errors);
  else errors.push(...semanticErrors(data));
  return Array.from(new Set(errors));
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
