/**
 * Kubernetes structural schema (CRD `openAPIV3Schema`) → JSON Schema for ajv, and the walk that runs the
 * CRDs' CEL rules. Semantics follow the Kubernetes docs "Extend the Kubernetes API with
 * CustomResourceDefinitions" (structural schemas, pruning, defaulting, int-or-string, nullable,
 * list types, validation rules): https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/
 */
import { CelHarnessError, compileRule, evaluateRule } from './cel';
import { OBJECT_META_SCHEMA } from './object-meta';

/** Formats the API server checks (kube-openapi strfmt) that we can check the same way; others are ignored, as the server ignores unknown formats. */
const KEPT_FORMATS = new Set(['int32', 'int64', 'date-time', 'date', 'duration', 'byte']);

/** Keys copied unchanged into the ajv schema. */
const COPIED = ['enum', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'required', 'default'];

/**
 * Convert one structural-schema node. `inJunctor` is true inside allOf/anyOf/oneOf/not, where structural
 * schemas may only restate value validations: there we neither close objects nor apply defaults.
 */
export function toAjvSchema(s: any, inJunctor = false): any {
  if (s === true || s === false || s == null) return s ?? {};
  const out: any = {};
  for (const k of COPIED) if (s[k] !== undefined) out[k] = s[k];
  if (inJunctor) delete out.default;
  if (s.exclusiveMinimum === true && s.minimum !== undefined) { out.exclusiveMinimum = s.minimum; delete out.minimum; }
  if (s.exclusiveMaximum === true && s.maximum !== undefined) { out.exclusiveMaximum = s.maximum; delete out.maximum; }
  if (s.format && KEPT_FORMATS.has(s.format)) out.format = s.format;

  let types: string[] | undefined = s.type ? [s.type] : undefined;
  if (s['x-kubernetes-int-or-string']) types = ['integer', 'string'];
  if (types && s.nullable) types = [...types, 'null'];
  if (types) out.type = types.length === 1 ? types[0] : types;
  if (s.nullable && out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (s.format === 'int32' || s.format === 'int64') {
    // ajv-formats' int32/int64 are number formats; int-or-string values keep their string form unchecked.
    if (types && types.includes('string')) delete out.format;
  }

  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  let properties = s.properties;
  if (s['x-kubernetes-embedded-resource']) {
    properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true }, ...(properties ?? {}) };
  }
  if (properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(properties)) out.properties[k] = toAjvSchema(v, inJunctor);
  }
  if (s.additionalProperties !== undefined) {
    out.additionalProperties = typeof s.additionalProperties === 'object' ? toAjvSchema(s.additionalProperties, inJunctor) : s.additionalProperties;
  } else if (properties && !preserve && !inJunctor) {
    out.additionalProperties = false;
  } else if (!properties && !preserve && !inJunctor && s.type === 'object') {
    // `type: object` with neither properties nor additionalProperties: the API server prunes every field,
    // which strict field validation reports as unknown.
    out.additionalProperties = false;
  }
  if (s.items) out.items = toAjvSchema(s.items, inJunctor);
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[j])) out[j] = s[j].map((x: any) => toAjvSchema(x, true));
  }
  if (s.not) out.not = toAjvSchema(s.not, true);

  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') out.uniqueItems = true;
  if (listType === 'map' && Array.isArray(s['x-kubernetes-list-map-keys'])) out.k8sListMapKeys = s['x-kubernetes-list-map-keys'];
  return out;
}

/** The root of a CRD version's schema, with apiVersion/kind pinned and metadata validated as ObjectMeta. */
export function rootSchema(openAPIV3Schema: any, apiVersion: string, kind: string): any {
  const root = toAjvSchema(openAPIV3Schema);
  root.type = 'object';
  root.properties = { ...(root.properties ?? {}) };
  root.properties.apiVersion = { const: apiVersion };
  root.properties.kind = { const: kind };
  root.properties.metadata = OBJECT_META_SCHEMA;
  root.required = Array.from(new Set([...(root.required ?? []), 'apiVersion', 'kind', 'metadata']));
  if (openAPIV3Schema['x-kubernetes-preserve-unknown-fields'] !== true) root.additionalProperties = false;
  return root;
}

/** Go `time.ParseDuration` syntax ("1h30m", "300ms", "0"), plus the day/week units kube-openapi's strfmt also accepts. */
export const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+$|^[-+]?0$/;

/** JSON pointer segment → display path segment (`spec.template.metadata.labels["a/b"]`, `requirements[0]`). */
export function displayPath(pointer: string): string {
  if (pointer === '' || pointer === '/') return '<root>';
  const parts = pointer.split('/').slice(1).map(pointerKey);
  let out = '';
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/** A JSON pointer segment's key (`~1` is `/`, `~0` is `~`): {@link escapePointer} undone. */
export function pointerKey(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function escapePointer(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Short rendering of an offending value, as the API server prints it ("object", "array" or the JSON scalar). */
export function shortValue(v: any): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return '"array"';
  if (typeof v === 'object') return '"object"';
  const j = JSON.stringify(v);
  return j.length > 80 ? `${j.slice(0, 77)}..."` : j;
}

/** Whether a structural-schema node or anything below it that {@link runCel} visits has CEL rules (cached per node). */
const hasRules = new WeakMap<object, boolean>();
function subtreeHasRules(s: any): boolean {
  if (s == null || typeof s !== 'object') return false;
  let v = hasRules.get(s);
  if (v !== undefined) return v;
  hasRules.set(s, false); // (structural schemas have no cycles; this only guards against one)
  v = Boolean(s['x-kubernetes-validations'])
    || Object.values(s.properties ?? {}).some(subtreeHasRules)
    || (typeof s.additionalProperties === 'object' && subtreeHasRules(s.additionalProperties))
    || subtreeHasRules(s.items);
  hasRules.set(s, v);
  return v;
}

/**
 * Walk `value` alongside its structural schema, convert it to CEL values (integers → BigInt) and evaluate
 * every `x-kubernetes-validations` rule whose node has no schema error beneath it (the API server reports
 * schema errors first; CEL on ill-typed data would only add noise). Returns the converted value, or the value
 * itself where nothing needs it converted (`needValue` false: no rule above, and none in the subtree).
 */
export function runCel(value: any, s: any, pointer: string, schemaErrorPointers: string[], errors: string[], strict = true, needValue = false): any {
  return new CelWalk(pointer, schemaErrorPointers, errors, strict).walk(value, s, needValue);
}

/**
 * One {@link runCel} walk. The JSON pointer of a node is written out only where a rule needs it (to tell whether a
 * schema error lies beneath, and to name the field): the walk keeps the keys on a stack instead of building a pointer
 * string for every node of the object.
 */
class CelWalk {
  private readonly keys: string[] = [];

  constructor(
    private readonly base: string,
    private readonly schemaErrorPointers: string[],
    private readonly errors: string[],
    private readonly strict: boolean) {}

  public walk(value: any, s: any, needValue: boolean): any {
    if (value === undefined || s == null || typeof s !== 'object') return value;
    if (!needValue && !subtreeHasRules(s)) return value;
    const rules: any[] | undefined = s['x-kubernetes-validations'];
    const childNeeds = needValue || Boolean(rules);
    let cel: any = value;
    if (value === null) {
      cel = null;
    } else if (Array.isArray(value)) {
      const items = s.items ?? {};
      cel = new Array(value.length);
      for (let i = 0; i < value.length; i++) cel[i] = this.child(String(i), value[i], items, childNeeds);
    } else if (typeof value === 'object') {
      cel = {};
      for (const k of Object.keys(value)) {
        const own = s.properties && Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
        const schema = own ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : {});
        const converted = this.child(k, value[k], schema, childNeeds);
        if (k === '__proto__') Object.defineProperty(cel, k, { value: converted, enumerable: true, writable: true, configurable: true });
        else cel[k] = converted;
      }
    } else if (typeof value === 'number') {
      const isInt = s.type === 'integer' || (s.type === undefined && Number.isInteger(value)) || s['x-kubernetes-int-or-string'];
      cel = isInt && Number.isInteger(value) ? BigInt(value) : value;
    }
    if (rules && value !== null) this.evaluate(rules, value, cel);
    return cel;
  }

  private child(key: string, value: any, s: any, needValue: boolean): any {
    this.keys.push(key);
    const cel = this.walk(value, s, needValue);
    this.keys.pop(); // (a throw ends the whole walk: the stack is not used again then)
    return cel;
  }

  /** The JSON pointer of the node being walked. */
  private pointer(): string {
    let p = this.base;
    for (const k of this.keys) p += `/${escapePointer(k)}`;
    return p;
  }

  private evaluate(rules: any[], value: any, cel: any): void {
    const pointer = this.pointer();
    if (this.schemaErrorPointers.some((p) => p === pointer || p.startsWith(`${pointer}/`))) return;
    for (const r of rules) {
      let outcome;
      try {
        outcome = evaluateRule(compileRule(r), cel);
      } catch (e) {
        // A rule this evaluator cannot run (strict: a test wants to know; else the rule is skipped, never a crash).
        if (this.strict || !(e instanceof CelHarnessError)) throw e;
        continue;
      }
      if (!outcome.ok) {
        const where = displayPath(pointer) + (r.fieldPath ? (displayPath(pointer) === '<root>' ? r.fieldPath.replace(/^\./, '') : r.fieldPath) : '');
        this.errors.push(`${where}: Invalid value: ${shortValue(value)}: ${outcome.message}`);
      }
    }
  }
}

/** Every CEL rule in a schema (for the harness's own "can we evaluate all of them" test). */
export function collectRules(s: any, pointer = ''): { pointer: string; rule: any }[] {
  const out: { pointer: string; rule: any }[] = [];
  if (!s || typeof s !== 'object') return out;
  for (const r of s['x-kubernetes-validations'] ?? []) out.push({ pointer, rule: r });
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...collectRules(v, `${pointer}/${k}`));
  if (typeof s.additionalProperties === 'object') out.push(...collectRules(s.additionalProperties, `${pointer}/*`));
  if (s.items) out.push(...collectRules(s.items, `${pointer}/[]`));
  return out;
}
