/**
 * The schema gate: is this object valid as `kubectl apply` (server-side, strict field validation) would judge it?
 *
 * - Custom resources: every served version of every CRD in the CRD folders (by default the package's own `crds/`,
 *   which ships with the npm package), converted from the Kubernetes structural-schema dialect to ajv (unknown fields
 *   rejected, int-or-string, nullable, formats, list-type set/map uniqueness, defaults applied first), then the CRDs'
 *   CEL `x-kubernetes-validations` evaluated with `@marcbachmann/cel-js`. Any CRD later dropped into `crds/` is
 *   picked up with no code change.
 * - Built-in kinds: schemas derived from cdk8s-plus-30's generated `k8s` bindings (Kubernetes 1.30 OpenAPI, see
 *   core-schema.ts), plus the API server's hand-written checks we restate (semantic.ts); `resource.k8s.io/v1` (DRA)
 *   and the Kubernetes 1.34 pod claim shapes from `<package>/schemas/` (dra-schema.ts).
 * - `metadata`: ObjectMeta (unknown fields rejected; name, label and annotation syntax).
 *
 * Kinds compile lazily, once per process, and are cached. A build precompiles every kind of the package (schema-cache.ts:
 * ajv's standalone code, in `<package>/schema-cache/`), so a process loads only the validation code of the kinds it
 * meets; whatever the cache does not hold (a CRD added to `crds/` later, other folders, no build) is compiled here.
 *
 * Not part of the jsii API (not exported from src/index.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { CLUSTER_SCOPED_CORE, CORE_SCHEMA_ID, loadCoreSchemas } from './core-schema';
import { DRA_SCHEMA_ID, loadDraSchemas } from './dra-schema';
import { objectMetaErrors } from './object-meta';
import { PassedObjects } from './runtime-cache';
import { openSchemaCache, SchemaCache } from './schema-cache';
import { semanticErrors } from './semantic';
import { displayPath, pointerKey, rootSchema, runCel, shortValue } from './structural';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const jsyaml: { loadAll(text: string): unknown[] } = require('js-yaml');

/** The Kubernetes version of the built-in kinds' schemas (cdk8s-plus-30's `k8s` bindings). */
export const CORE_KUBERNETES_VERSION = '1.30';

/**
 * `<package>/crds`: the upstream CRDs vendored with the package (src/schema and lib/schema both sit two levels
 * below the package root, so this holds for the sources and for the published package).
 */
export const PACKAGED_CRDS_DIR: string = path.resolve(__dirname, '..', '..', 'crds');

/** One violation: the field at fault (`spec.replicas`, `<root>`) and what is wrong with it. */
export interface SchemaViolation {
  /** Display path of the field, e.g. `spec.template.spec.containers[0].resources`. */
  readonly fieldPath: string;
  /** kubectl-like message, e.g. `Invalid value: "x": must be of type integer`. */
  readonly message: string;
}

/** Options of one {@link SchemaValidator.check}. */
export interface CheckOptions {
  /**
   * Remember, across processes, that an object of a precompiled kind passed, and skip checking it again while it, the
   * schema cache, the gate's options and its code are unchanged (runtime-cache.ts PassedObjects). It pays where
   * objects are large and checked cold, and the same ones come back: at synth (GpuValidation), where a 100-workload app's
   * gate then costs no instructions instead of 0.3 G. Not for lint: its objects are often small, where hashing one
   * costs about what checking it does (the bench's 10,000 objects: a first lint took 9% longer with it, a repeated one
   * 11% less), and a linter should not write a file for every manifest it reads. @default false
   */
  readonly rememberPasses?: boolean;
  /**
   * The caller vouches that the object is plain JSON data (what {@link isPlainJson} would find: plain objects, arrays,
   * strings, booleans, null and finite numbers but -0, no `__proto__` key), so it is judged as it is without a walk
   * to find out: for objects the YAML reader made and nobody changed since (yaml-input.ts madePlainJson). @default false
   */
  readonly plainJson?: boolean;
  /**
   * Whether `Object.prototype` is polluted ({@link prototypePollutedAtAll}), when the caller found out once for many
   * checks (the gate, per run). @default - found out at each check
   */
  readonly prototypePolluted?: boolean;
}

/** What {@link SchemaValidator.check} returns. */
export interface SchemaVerdict {
  /** Whether a schema for the object's apiVersion/kind is known (unknown kinds are not judged). */
  readonly known: boolean;
  /** Violations, each `<path>: <problem>` as kubectl prints them; empty when valid or unknown. */
  readonly errors: string[];
}

/** Options of a {@link SchemaValidator}. */
export interface SchemaValidatorOptions {
  /** Folders of CRD YAML files; for a kind in several, the first folder wins. @default [PACKAGED_CRDS_DIR] */
  readonly crdDirs?: string[];
  /** Whether core kinds are checked (cdk8s-plus-30 installed). @default true */
  readonly coreKinds?: boolean;
  /** Throw (CelHarnessError) when a CRD's CEL rule cannot be evaluated, instead of skipping that rule. @default false */
  readonly strictCel?: boolean;
  /**
   * Report a namespace on a cluster-scoped object. The API server silently drops it, so the gate (which judges foreign
   * YAML as the cluster would) does not; the tests' conformance harness does, for our own output. @default false
   */
  readonly namespaceOnClusterScoped?: boolean;
  /**
   * Check extended resources (`nvidia.com/gpu`: whole counts, requests = limits) as the API server does. The lint
   * gate leaves them to rule GPU001, which says more; the tests' harness checks them. @default false
   */
  readonly extendedResources?: boolean;
  /**
   * Use the package's precompiled schema cache (schema-cache/, built by `npx projen compile`) when it is there and
   * matches the installed schemas; `false` compiles every schema at runtime (same verdicts, several seconds slower).
   * @default true
   */
  readonly precompiled?: boolean;
  /** Where the precompiled cache is (tests build their own). @default SCHEMA_CACHE_DIR (`<package>/schema-cache`) */
  readonly schemaCacheDir?: string;
  /**
   * Compile the precompiled cache's modules through V8's code cache kept next to them (runtime-cache.ts), when the process
   * can (not under jest, not turned off by `CDK8S_GPU_CACHE=off`). @default true
   */
  readonly codeCache?: boolean;
  /**
   * Allow {@link SchemaValidator.check}'s `rememberPasses` (runtime-cache.ts PassedObjects) when the process can (not
   * under jest, not turned off by `CDK8S_GPU_CACHE=off`). @default true
   */
  readonly passedObjects?: boolean;
  /** Receives one-off notes (a CRD folder missing, cdk8s-plus-30 not installed). @default - dropped */
  readonly warn?: (message: string) => void;
}

/** One known kind: where its schema came from and how to get its validation function. Internal. */
export interface KindEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly source: string;
  /** A CRD's schema (CEL rules run on it) rather than a built-in kind's (the restated API-server checks run). */
  readonly crd: boolean;
  /** Whether the schema has defaults, which ajv writes into the object it validates (then it validates a copy). */
  readonly mutates: boolean;
  /**
   * Precompiled kinds: what identifies the kind's schema in the schema cache (its module, export and structural schema),
   * the scope of its remembered passes (runtime-cache.ts PassedObjects). Absent for kinds compiled at runtime.
   */
  readonly schemaId?: string;
  /** The original structural schema (CRDs only): CEL rules are read from it. Set by `load` for precompiled kinds. */
  structural?: any;
  /** The ajv schema, compiled on first use (runtime path). */
  readonly ajvSchema?: any;
  validate?: ValidateFunction;
  /** Precompiled kinds (schema-cache.ts): loads the generated validation function and the structural schema. */
  readonly load?: () => { validate: ValidateFunction; structural?: any };
}

function lookup(obj: any, pointer: string): any {
  let cur = obj;
  for (const raw of pointer.split('/').slice(1)) {
    if (cur == null || typeof cur !== 'object') return undefined;
    const k = pointerKey(raw);
    cur = Object.prototype.hasOwnProperty.call(cur, k) ? cur[k] : undefined;
  }
  return cur;
}

/**
 * `data` without the object fields at `pointers` that hold null, or undefined when there is none: the API server reads
 * a field written `null` as not set (JSON decoding leaves it unset, and a CRD's structural schema prunes it before it
 * validates), so Helm's `labels: null` or `args: null` is accepted where the schema's type says object or list. A null
 * item of a list is no such field and stays (the API server decodes it as an empty item and judges that).
 */
function withoutNullFields(data: any, pointers: readonly string[]): any | undefined {
  const nulls = pointers.filter((at) => at !== '' && lookup(data, at) === null);
  if (nulls.length === 0) return undefined;
  const copy = deepClone(data);
  for (const at of nulls) {
    const cut = at.lastIndexOf('/');
    const parent = lookup(copy, at.slice(0, cut));
    const key = pointerKey(at.slice(cut + 1));
    if (parent && typeof parent === 'object' && !Array.isArray(parent)) delete parent[key];
  }
  return copy;
}

/** Turn an ajv error into a kubectl-like line: `<path>: <problem>`. */
function formatAjvError(e: ErrorObject, data: any): string {
  const at = e.instancePath;
  const p = displayPath(at);
  const value = lookup(data, at);
  const field = (name: string) => (p === '<root>' ? '' : `${p}.`) + (/^[A-Za-z_$][\w$-]*$/.test(name) ? name : `[${JSON.stringify(name)}]`);
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String((e.params as any).additionalProperty);
      return `${field(name)}: unknown field ${JSON.stringify(name)}`;
    }
    case 'required':
      return `${field(String((e.params as any).missingProperty))}: Required value`;
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

/**
 * A deep copy that keeps only JSON data (ajv applies defaults to it, as the API server does before validating): what
 * `JSON.parse(JSON.stringify(v))` gives, non-finite numbers written as strings. Exported for its test.
 */
export function deepClone<T>(v: T): T {
  if (v === undefined) return v;
  try {
    if (prototypeIsPolluted()) throw NOT_PLAIN;
    return plainClone(v);
  } catch {
    // Anything but plain JSON-like data (a Date, toJSON, a hole or undefined in an array, a BigInt, a cycle): JSON's own
    // rules decide, as they always have.
    return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `${x}` : x)));
  }
}

/** Thrown by {@link plainClone} on data it does not copy the way JSON would. */
const NOT_PLAIN = new Error('not plain JSON data');

/**
 * The copy `JSON.parse(JSON.stringify(v))` (non-finite numbers as strings) makes, for plain objects, arrays and scalars
 * only (several times faster than the round trip); throws {@link NOT_PLAIN} on anything else.
 */
function plainClone(v: any): any {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : `${v}`; // (-0 is written as 0)
    case 'undefined':
      return undefined;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) {
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) throw NOT_PLAIN;
          const x = plainClone(v[i]);
          if (x === undefined) throw NOT_PLAIN; // JSON writes null
          out[i] = x;
        }
        return out;
      }
      const proto = Object.getPrototypeOf(v);
      if ((proto !== Object.prototype && proto !== null) || hasOwnToJson(v)) throw NOT_PLAIN;
      const out: any = {};
      for (const k in v) { // (own keys only: the prototype is Object.prototype, checked clean, or null)
        const x = plainClone(v[k]);
        if (x === undefined) continue; // JSON leaves the key out
        if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
        else out[k] = x;
      }
      return out;
    }
    default:
      throw NOT_PLAIN; // function, symbol, bigint
  }
}

/**
 * Whether {@link deepClone} would return an equal copy of `v` (plain objects, arrays, strings, booleans, finite numbers
 * but -0); false for a cycle or a nesting too deep to walk.
 */
export function isPlainJson(v: any): boolean {
  try {
    return !prototypeIsPolluted() && plainJson(v);
  } catch {
    return false;
  }
}

/**
 * Whether something polluted `Object.prototype` with a `toJSON` (every plain object would have one) or with an
 * enumerable property: then the walkers above and below, which look for an own `toJSON` only and list keys with
 * `for…in` (a lookup through the prototype chain, or an `Object.keys` array, per object costs more than the rest of the
 * walk), hand the value to JSON's own rules.
 */
function prototypeIsPolluted(): boolean {
  if ('toJSON' in Object.prototype) return true;
  for (const _ in Object.prototype) return true;
  return false;
}

/** The own properties of an unpolluted `Object.prototype` (ECMAScript's and Annex B's). */
const STANDARD_PROTOTYPE_KEYS = new Set(['constructor', '__defineGetter__', '__defineSetter__', 'hasOwnProperty', '__lookupGetter__',
  '__lookupSetter__', 'isPrototypeOf', 'propertyIsEnumerable', 'toString', 'valueOf', '__proto__', 'toLocaleString']);

/**
 * Whether `Object.prototype` has any property an object could inherit as a field: an enumerable one (for…in lists it),
 * or any other beyond the standard ones (a property read finds it). Then the gate judges a copy without prototypes.
 */
export function prototypePollutedAtAll(): boolean {
  if (prototypeIsPolluted()) return true;
  for (const k of Object.getOwnPropertyNames(Object.prototype)) if (!STANDARD_PROTOTYPE_KEYS.has(k)) return true;
  return false;
}

/** A copy of JSON data whose objects have no prototype: for…in and property reads then see own keys only. */
export function withoutPrototypes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutPrototypes);
  if (v === null || typeof v !== 'object') return v;
  const out = Object.create(null);
  for (const k of Object.keys(v)) out[k] = withoutPrototypes((v as any)[k]); // (`__proto__` too: an own key here)
  return out;
}

/** Whether JSON would call an own `toJSON` of `v` (enumerable or not). */
function hasOwnToJson(v: object): boolean {
  return Object.prototype.hasOwnProperty.call(v, 'toJSON') && typeof (v as any).toJSON === 'function';
}

function plainJson(v: any): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!(i in v) || !plainJson(v[i])) return false;
        return true;
      }
      // (a null-prototype object is copied into a plain one)
      if (Object.getPrototypeOf(v) !== Object.prototype || hasOwnToJson(v)) return false;
      for (const k in v) if (k === '__proto__' || !plainJson(v[k])) return false; // (own keys only, as above)
      return true;
    }
    default:
      return false; // undefined (JSON drops it), function, symbol, bigint
  }
}

/** `JSON.stringify(v)`, or undefined where it throws (a cycle, a BigInt). */
function jsonOf(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

/** Keys of a JSON schema whose values are data, not schemas. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'required', 'k8sListMapKeys', 'type', 'pattern', 'format']);
/** Keys of a JSON schema whose values map names to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'definitions', '$defs', 'patternProperties', 'dependentSchemas']);

/** Whether a JSON schema (with its definitions) has a `default` anywhere (conservative: unknown keywords count as schemas). */
export function schemaHasDefaults(s: any, seen: Set<object> = new Set()): boolean {
  if (!s || typeof s !== 'object' || seen.has(s)) return false;
  seen.add(s);
  if (Array.isArray(s)) return s.some((x) => schemaHasDefaults(x, seen));
  if (Object.prototype.hasOwnProperty.call(s, 'default')) return true;
  for (const [k, v] of Object.entries(s)) {
    if (DATA_KEYWORDS.has(k) || !v || typeof v !== 'object') continue;
    if (SCHEMA_MAPS.has(k) ? Object.values(v).some((x) => schemaHasDefaults(x, seen)) : schemaHasDefaults(v, seen)) return true;
  }
  return false;
}

/** Splits a `<path>: <problem>` line into its parts. */
export function splitViolation(line: string): SchemaViolation {
  const at = line.indexOf(': ');
  return at < 0 ? { fieldPath: '<root>', message: line } : { fieldPath: line.slice(0, at), message: line.slice(at + 2) };
}

/**
 * Validates plain manifests against the Kubernetes core schemas and the CRDs of its folders. Build it once and reuse
 * it: schemas are read on first use and each kind is compiled once.
 */
export class SchemaValidator {
  private ajv?: Ajv;
  private registry?: Map<string, KindEntry>;
  private byApiVersion?: Map<string, Map<string, KindEntry>>;
  private schemaCache?: SchemaCache;
  /** The remembered passes; null when there are none (resolved on first use). */
  private passed?: PassedObjects | null;
  private readonly options: SchemaValidatorOptions;

  constructor(options: SchemaValidatorOptions = {}) {
    this.options = options;
  }

  /**
   * Keeps what this process learnt about the precompiled cache for the next process (runtime-cache.ts): V8's code cache
   * of the modules this validator ran that had none, the CRD files' hashes and the objects that passed. Cheap when there
   * is nothing new; never throws.
   */
  public saveRuntimeCache(): void {
    this.schemaCache?.saveRuntimeCache();
  }

  /** Every `apiVersion/kind` this validator can check, sorted. */
  public knownKinds(): string[] {
    return Array.from(this.getRegistry().keys()).sort();
  }

  /** Where the schema for `apiVersion/kind` came from (a CRD file name or the cdk8s-plus-30 bindings), or undefined. */
  public schemaSource(apiVersion: string, kind: string): string | undefined {
    return this.getRegistry().get(`${apiVersion}/${kind}`)?.source;
  }

  /** Whether a schema for `apiVersion/kind` is known. */
  public has(apiVersion: unknown, kind: unknown): boolean {
    return typeof apiVersion === 'string' && typeof kind === 'string' && this.getRegistry().has(`${apiVersion}/${kind}`);
  }

  /** The known apiVersions of `kind` (for "no schema for v1beta1 NodePool; known: karpenter.sh/v1"). */
  public versionsOf(kind: string): string[] {
    return Array.from(this.getRegistry().values()).filter((e) => e.kind === kind).map((e) => e.apiVersion);
  }

  /**
   * Validates one plain manifest. An object of a kind with no schema is `known: false` with no errors. Never throws
   * for bad input (unless `strictCel` and a CEL rule cannot be evaluated).
   */
  public check(obj: any, options: CheckOptions = {}): SchemaVerdict {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { known: true, errors: [`<root>: Invalid value: ${shortValue(obj)}: must be an object`] };
    const apiVersion = obj.apiVersion;
    const kind = obj.kind;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
      return { known: true, errors: ['apiVersion/kind: Required value: both apiVersion and kind must be set'] };
    }
    const entry = this.entryOf(apiVersion, kind);
    if (!entry) return { known: false, errors: [] };
    // ajv writes defaults into what it validates, so a schema with defaults gets a copy; so does anything but plain JSON
    // data (the copy is what JSON would make of it). Nothing else in the gate writes to the object.
    // Whether Object.prototype is polluted (then a vouched-for object is still walked, and a copy without prototypes is
    // judged: below).
    const polluted = options.prototypePolluted ?? prototypePollutedAtAll();
    const vouched = options.plainJson === true && !polluted;
    const passed = options.rememberPasses && entry.schemaId !== undefined ? this.passedObjects() : undefined;
    let digest: string | undefined;
    let plain: boolean | undefined;
    let copy: any;
    if (passed) {
      // The digest is of the JSON of what is judged: the object when it is plain JSON data, else its JSON copy. They write
      // the same JSON but for non-finite numbers (JSON writes null, the copy a string), so only JSON with a null needs
      // the walk that tells them apart.
      let json = jsonOf(obj);
      if (json === undefined || json.includes('null')) {
        plain = vouched || isPlainJson(obj);
        if (!plain) json = JSON.stringify(copy = deepClone(obj));
      }
      digest = PassedObjects.digest(entry.schemaId!, json!);
      if (passed.has(digest)) return { known: true, errors: [] };
    }
    plain ??= vouched || isPlainJson(obj);
    let data = entry.mutates || !plain ? copy ?? deepClone(obj) : obj;
    // The generated code lists keys with for…in and reads fields as properties (ajv-setup.ts): on a polluted
    // Object.prototype it would see inherited keys, which JSON (and the API server) never sees. Judge a copy whose
    // objects have no prototype then.
    if (polluted) data = withoutPrototypes(data);
    const validate = this.compiled(entry);
    const errors: string[] = [];
    const schemaErrorPointers: string[] = [];
    let valid = validate(data);
    if (!valid) {
      // Fields written null are not set (withoutNullFields): judged again without them, and so by the checks below.
      const unset = withoutNullFields(data, (validate.errors ?? []).map((e) => e.instancePath));
      if (unset !== undefined) valid = validate(data = polluted ? withoutPrototypes(unset) : unset);
    }
    if (!valid) {
      for (const e of validate.errors ?? []) {
        errors.push(formatAjvError(e, data));
        schemaErrorPointers.push(e.instancePath);
      }
    }
    errors.push(...objectMetaErrors(data, entry.namespaced ? true : this.options.namespaceOnClusterScoped ? false : undefined));
    if (entry.crd) {
      runCel(data, entry.structural, '', schemaErrorPointers, errors, this.options.strictCel ?? false);
    } else {
      try {
        errors.push(...semanticErrors(data, { extendedResources: this.options.extendedResources ?? false }));
      } catch (e) {
        // The restated API-server checks read typed data: on data ajv already rejected they may fail; say nothing more.
        if (errors.length === 0) errors.push(`<root>: Invalid value: "object": cannot be checked (${(e as Error)?.message ?? e})`);
      }
    }
    if (errors.length === 0 && digest !== undefined) passed!.add(digest);
    return { known: true, errors: errors.length > 1 ? Array.from(new Set(errors)) : errors };
  }

  /** The passes remembered for this validator's options (see {@link CheckOptions.rememberPasses}). */
  private passedObjects(): PassedObjects | undefined {
    if (this.passed === undefined) {
      this.getRegistry(); // (opens the schema cache)
      const o = this.options;
      this.passed = (o.passedObjects ?? true) && this.schemaCache
        ? this.schemaCache.passedObjects({
          namespaceOnClusterScoped: o.namespaceOnClusterScoped ?? false,
          extendedResources: o.extendedResources ?? false,
          strictCel: o.strictCel ?? false,
        }) ?? null
        : null;
    }
    return this.passed ?? undefined;
  }

  /**
   * The registry's entry for `apiVersion/kind`. Looked up by apiVersion then kind first: the gate looks up every
   * object, and this spares building and hashing an `apiVersion/kind` string for each. (Only entries that are the
   * registry's own for their `apiVersion/kind` are indexed so; the string lookup answers the rest, e.g. apiVersion
   * `apps` with kind `v1/Deployment`.)
   */
  private entryOf(apiVersion: string, kind: string): KindEntry | undefined {
    if (!this.byApiVersion) {
      this.byApiVersion = new Map();
      for (const e of this.getRegistry().values()) {
        if (this.getRegistry().get(`${e.apiVersion}/${e.kind}`) !== e) continue;
        let kinds = this.byApiVersion.get(e.apiVersion);
        if (!kinds) this.byApiVersion.set(e.apiVersion, kinds = new Map());
        kinds.set(e.kind, e);
      }
    }
    return this.byApiVersion.get(apiVersion)?.get(kind) ?? this.getRegistry().get(`${apiVersion}/${kind}`);
  }

  private compiled(entry: KindEntry): ValidateFunction {
    if (!entry.validate) {
      if (entry.load) {
        const loaded = entry.load();
        entry.structural = loaded.structural;
        entry.validate = loaded.validate;
      } else {
        entry.validate = this.runtimeAjv().compile(entry.ajvSchema);
      }
    }
    return entry.validate;
  }

  /**
   * The ajv that compiles at runtime what the schema cache does not hold (created on first need: ajv's compiler is
   * loaded only then).
   */
  private runtimeAjv(): Ajv {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (!this.ajv) this.ajv = (require('./ajv-setup') as typeof import('./ajv-setup')).makeAjv();
    return this.ajv;
  }

  /**
   * Build the kind registry (cheap: nothing is compiled until first use). Kinds the package's schema cache holds
   * (built by `npx projen compile`, see schema-cache.ts) are read from it and need no conversion; the rest (no cache, a
   * stale one, a CRD file added or changed since, other CRD folders) are converted here and compiled by ajv on first use.
   */
  private getRegistry(): Map<string, KindEntry> {
    if (this.registry) return this.registry;
    const reg = new Map<string, KindEntry>();
    const cache = this.options.precompiled === false ? undefined
      : openSchemaCache(this.options.schemaCacheDir, { codeCache: this.options.codeCache });
    this.schemaCache = cache;
    if (this.options.coreKinds ?? true) {
      const cached = cache?.coreEntries();
      const core = cached ?? runtimeCoreEntries(this.runtimeAjv(), this.options.warn);
      for (const e of core) reg.set(`${e.apiVersion}/${e.kind}`, e);
    }
    for (const dir of this.options.crdDirs ?? [PACKAGED_CRDS_DIR]) {
      if (!fs.existsSync(dir)) {
        this.options.warn?.(`${dir} is absent: its custom resources are not validated`);
        continue;
      }
      for (const file of crdFiles(dir)) {
        // The cache is keyed by file name and content hash: a file the build saw, in any folder, is precompiled.
        const full = path.join(dir, file);
        const entries = cache?.crdEntries(file, full) ?? readCrdFile(fs.readFileSync(full, 'utf8'), file);
        for (const e of entries) {
          // For a kind in several files or folders, the first wins.
          if (!reg.has(`${e.apiVersion}/${e.kind}`)) reg.set(`${e.apiVersion}/${e.kind}`, e);
        }
      }
    }
    this.registry = reg;
    return reg;
  }
}

/**
 * The built-in kinds converted at runtime: `resource.k8s.io/v1` (DRA) and the Kubernetes 1.30 core kinds, their shared
 * definitions registered in `ajv`. Empty (with a warning) when cdk8s-plus-30 is not installed.
 */
export function runtimeCoreEntries(ajv: Ajv, warn?: (message: string) => void): KindEntry[] {
  const out: KindEntry[] = [];
  // resource.k8s.io/v1 (Dynamic Resource Allocation, GA in Kubernetes 1.34): see dra-schema.ts.
  const dra = loadDraSchemas();
  ajv.addSchema({ $id: DRA_SCHEMA_ID, definitions: dra.definitions });
  const draDefaults = schemaHasDefaults({ definitions: dra.definitions });
  for (const [gvk, schema] of dra.kinds) {
    const slash = gvk.lastIndexOf('/');
    const kind = gvk.slice(slash + 1);
    const mutates = draDefaults || schemaHasDefaults(schema);
    const namespaced = !dra.clusterScoped.has(kind);
    out.push({ apiVersion: gvk.slice(0, slash), kind, namespaced, source: dra.source, crd: false, mutates, ajvSchema: schema });
  }
  const core = loadCoreSchemas();
  if (typeof core === 'string') {
    warn?.(core);
    return out;
  }
  Object.assign(core.definitions, dra.coreOverlay); // Kubernetes 1.34 pod claim shapes (DRA)
  ajv.addSchema({ $id: CORE_SCHEMA_ID, definitions: core.definitions });
  const coreDefaults = draDefaults || schemaHasDefaults({ definitions: core.definitions });
  for (const [gvk, schema] of core.kinds) {
    const slash = gvk.lastIndexOf('/');
    const kind = gvk.slice(slash + 1);
    const namespaced = !CLUSTER_SCOPED_CORE.has(kind);
    const mutates = coreDefaults || schemaHasDefaults(schema);
    out.push({ apiVersion: gvk.slice(0, slash), kind, namespaced, source: core.source, crd: false, mutates, ajvSchema: schema });
  }
  return out;
}

/** The CRD files of a folder, in the order they are read (sorted by name). */
export function crdFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
}

/** Every served version of every CRD in one file's text, converted for ajv (in file order, duplicates kept). */
export function readCrdFile(text: string, file: string): KindEntry[] {
  const out: KindEntry[] = [];
  // js-yaml: several times faster than the `yaml` package on these large, plain files (read once per process).
  for (const crd of jsyaml.loadAll(text) as any[]) {
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
    const { group, names, scope, versions } = crd.spec;
    for (const v of versions ?? []) {
      if (!v.served || !v.schema?.openAPIV3Schema) continue;
      const apiVersion = `${group}/${v.name}`;
      const ajvSchema = rootSchema(v.schema.openAPIV3Schema, apiVersion, names.kind);
      out.push({
        apiVersion,
        kind: names.kind,
        namespaced: scope === 'Namespaced',
        source: file,
        crd: true,
        mutates: schemaHasDefaults(ajvSchema),
        structural: v.schema.openAPIV3Schema,
        ajvSchema,
      });
    }
  }
  return out;
}

let shared: SchemaValidator | undefined;

/** The validator of the library's own schemas (core kinds + the packaged `crds/`), shared by every run. */
export function defaultSchemaValidator(): SchemaValidator {
  if (!shared) shared = new SchemaValidator();
  return shared;
}

export { displayPath };
