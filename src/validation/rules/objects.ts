/**
 * Object identity rules: GPU007, one object per API group/kind/namespace/name in a set of manifests.
 */
import { apiGroupOf } from '../context';
import { formatSource } from '../format';
import { Severity } from '../model';
import { Rule } from '../rule';

/** Top-level fields and their first-level children (`spec.template`, `data.x`), metadata and type fields left out. */
function fieldPaths(obj: any): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const child of Object.keys(v)) out.push(`${k}.${child}`);
    } else {
      out.push(k);
    }
  }
  return out;
}

/** A stable comparison of two plain JSON values, object key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as any)[k], (b as any)[k]));
}

/** GPU007 — two objects with the same identity: `kubectl apply` keeps only the last, it never merges them. */
export const DUPLICATE_OBJECT: Rule = {
  id: 'GPU007',
  title: 'An object (API group, kind, namespace, name) must be defined only once in a set of manifests',
  severity: Severity.ERROR,
  kinds: ['*'],
  remediation: 'Merge the definitions into one object (kubectl apply does not merge documents: the last one replaces '
    + 'the others), or give each its own name.',
  description: 'Two documents with the same API group (the version is ignored: `apps/v1` and `apps/v1beta2` name the '
    + 'same object), kind, namespace and name are one object to the API server: `kubectl apply` applies them in turn, '
    + 'so the last one wins and fields only the earlier ones set are removed (a NodePool repeated with only a '
    + '`disruption` block loses its requirements, taints and limits). The linter still judges each copy on its own, '
    + 'so a later copy can hide or invent findings. Every copy after the first is reported, naming the first and the '
    + 'fields it would drop. Namespaces are compared as written: an object without `metadata.namespace` and one in '
    + '`default` are different here (they collide only when applied in the default namespace). Objects without a '
    + 'name (e.g. `generateName`) are not judged.',
  *check(ctx) {
    // The first object of each identity, found by name first: names are nearly all distinct, so an object costs one
    // lookup by a string it already has, and no key joining group, kind and namespace is built and hashed per object
    // (most of this rule's time on large inputs). Only a name shared by other kinds or namespaces gets such keys.
    const first = new Map<string, FirstOfName>();
    /** Per first object: how many definitions of it so far. */
    const copies = new Map<any, number>();
    const objects = ctx.objects;
    for (let i = 0; i < objects.length; i++) {
      const obj = objects[i];
      const name = obj?.metadata?.name;
      if (typeof obj?.kind !== 'string' || obj.kind === '' || typeof name !== 'string' || name === '') continue;
      const ns = typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : '';
      const named = first.get(name);
      if (named === undefined) {
        first.set(name, { obj, ns });
        continue;
      }
      let original: any;
      if (named.obj.kind === obj.kind && named.ns === ns && sameApiGroup(named.obj.apiVersion, obj.apiVersion)) {
        original = named.obj;
      } else {
        const key = `${apiGroupOf(obj.apiVersion)}\u0000${obj.kind}\u0000${ns}`;
        if (!named.others) named.others = new Map();
        original = named.others.get(key);
        if (original === undefined) {
          named.others.set(key, obj);
          continue;
        }
      }
      const group = apiGroupOf(obj.apiVersion);
      const n = (copies.get(original) ?? 1) + 1;
      copies.set(original, n);
      const where = formatSource(ctx.sourceOf(original));
      const what = `${obj.kind} ${ns ? `${ns}/` : ''}${name}${group ? ` (${group})` : ''}`;
      const mine = new Set(fieldPaths(obj));
      const dropped = fieldPaths(original).filter((p) => !mine.has(p));
      let consequence: string;
      if (sameJson({ ...original, metadata: undefined }, { ...obj, metadata: undefined })) {
        consequence = 'the copies are identical apart from metadata, but the later one still replaces the first';
      } else if (dropped.length > 0) {
        consequence = `kubectl apply keeps only the last one, so ${dropped.join(', ')} of the first would be removed`;
      } else {
        consequence = 'kubectl apply keeps only the last one, so the first\'s values are overwritten';
      }
      yield ctx.finding(obj, 'metadata.name',
        `is the ${ordinal(n)} definition of ${what}, first defined ${where ? `at ${where}` : 'earlier in these manifests'}; ${consequence}`);
    }
  },
};

/** The first object of a name, and the first of each other identity (API group, kind, namespace) with that name. */
interface FirstOfName {
  readonly obj: any;
  readonly ns: string;
  others?: Map<string, any>;
}

/** Whether two `apiVersion`s name the same API group (the version is ignored). */
function sameApiGroup(a: unknown, b: unknown): boolean {
  return a === b || apiGroupOf(a) === apiGroupOf(b);
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${s}`;
}
