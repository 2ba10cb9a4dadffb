/**
 * ObjectMeta validation as the API server does it (k8s.io/apimachinery/pkg/api/validation/objectmeta.go and
 * k8s.io/apimachinery/pkg/util/validation/validation.go): names, label keys and values, annotation keys.
 * The rules are restated from the Kubernetes documentation
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ and .../labels/).
 */
import { hasOwn } from '../private/keys';

/** JSON schema of metadata (ObjectMeta) with unknown fields rejected; field list from the k8s API reference. */
export const OBJECT_META_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    selfLink: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: ['string', 'null'] },
    deletionTimestamp: { type: ['string', 'null'] },
    deletionGracePeriodSeconds: { type: 'integer' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    managedFields: { type: 'array', items: { type: 'object' } },
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['apiVersion', 'kind', 'name', 'uid'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          name: { type: 'string' },
          uid: { type: 'string' },
          controller: { type: 'boolean' },
          blockOwnerDeletion: { type: 'boolean' },
        },
      },
    },
  },
};

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * What the checks below (and semantic.ts's) return for a valid value (the common case: every object of a run has
 * names, labels and keys to check, so no array is made for them). Frozen: callers only read the answers.
 */
export const NO_ERRORS = Object.freeze([]) as unknown as string[];

/** DNS-1123 label (RFC 1123): at most 63 lowercase alphanumerics or '-', alphanumeric at both ends. */
export function dns1123LabelErrors(v: string): string[] {
  if (v.length <= 63 && DNS1123_LABEL.test(v)) return NO_ERRORS;
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(v)) errs.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  return errs;
}

/** DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels. */
export function dns1123SubdomainErrors(v: string): string[] {
  if (v.length <= 253 && DNS1123_SUBDOMAIN.test(v)) return NO_ERRORS;
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(v)) errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  return errs;
}

/** DNS-1035 label (Service names): like a DNS-1123 label but must start with a letter. */
export function dns1035LabelErrors(v: string): string[] {
  if (v.length <= 63 && DNS1035_LABEL.test(v)) return NO_ERRORS;
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(v)) errs.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character");
  return errs;
}

/** Path segment names (RBAC kinds): anything but '.', '..' or a name containing '/' or '%'. */
export function pathSegmentNameErrors(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  if (/[/%]/.test(v)) return ["may not contain '/' or '%'"];
  return [];
}

/** Qualified name (label and annotation keys): `[prefix/]name`, prefix a DNS-1123 subdomain, name ≤ 63. */
export function qualifiedNameErrors(key: string): string[] {
  const slash = typeof key === 'string' ? key.indexOf('/') : -2;
  if (slash === -1 ? validNamePart(key)
    : slash > 0 && key.indexOf('/', slash + 1) < 0 && slash <= 253 && DNS1123_SUBDOMAIN.test(key.slice(0, slash))
      && validNamePart(key.slice(slash + 1))) return NO_ERRORS;
  const parts = key.split('/');
  let name = key;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123SubdomainErrors(prefix).map((e) => `prefix part ${e}`));
  } else if (parts.length > 2) {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'"];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) {
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return errs;
}

/** The name part of a qualified name is valid: 1 to 63 characters of {@link QUALIFIED_NAME_PART}. */
function validNamePart(name: string): boolean {
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** Label value: empty, or ≤ 63 alphanumerics, '-', '_', '.', alphanumeric at both ends. */
export function labelValueErrors(v: string): string[] {
  if (v.length <= 63 && LABEL_VALUE.test(v)) return NO_ERRORS;
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(v)) errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  return errs;
}

/** How a kind's `metadata.name` is validated (from each kind's ValidateXName in k8s.io/kubernetes/pkg/apis/.../validation). */
export function nameValidatorFor(apiVersion: string, kind: string): (v: string) => string[] {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  if (group === '' && kind === 'Service') return dns1035LabelErrors;
  if (group === '' && kind === 'Namespace') return dns1123LabelErrors;
  // (`ValidateStatefulSetName`: its pods' hostnames are `<name>-<ordinal>`, which must be DNS labels)
  if (group === 'apps' && kind === 'StatefulSet') return dns1123LabelErrors;
  if (group === 'rbac.authorization.k8s.io') return pathSegmentNameErrors;
  if (group === 'batch' && kind === 'CronJob') {
    // CronJob names become Job name prefixes plus an 11-character suffix: at most 52 characters.
    return (v) => [...dns1123SubdomainErrors(v), ...(v.length > 52 ? ['must be no more than 52 characters'] : [])];
  }
  return dns1123SubdomainErrors;
}

/** Appends `prefix` + each of `found` to `errs` (callers test `found.length` first, so a valid value builds no prefix). */
export function pushPrefixed(errs: string[], found: readonly string[], prefix: string): void {
  for (let i = 0; i < found.length; i++) errs.push(prefix + found[i]);
}

/** Appends every error of `found` to `errs` (nothing is made for {@link NO_ERRORS}). */
export function pushAll(errs: string[], found: readonly string[]): void {
  for (let i = 0; i < found.length; i++) errs.push(found[i]);
}

/** `errs` to append to: a new list in place of the shared, frozen {@link NO_ERRORS}. */
const growable = (errs: string[]): string[] => (errs === NO_ERRORS ? [] : errs);

/**
 * The errors of the label map at `<path>.<field>` (labels, a nodeSelector, a selector's matchLabels): each key a
 * qualified name, each string value a label value (`<path>.<field>: Invalid value: "<key>": …`,
 * `<path>.<field>["<key>"]: Invalid value: "<value>": …`). {@link NO_ERRORS} when valid (no path is built then).
 */
export function labelMapErrors(map: unknown, path: string, field: string): string[] {
  if (!map || typeof map !== 'object') return NO_ERRORS;
  let errs = NO_ERRORS;
  for (const k in map) {
    if (!hasOwn(map, k)) continue;
    const v = (map as any)[k];
    const ke = qualifiedNameErrors(k);
    if (ke.length > 0) pushPrefixed(errs = growable(errs), ke, `${path}.${field}: Invalid value: ${JSON.stringify(k)}: `);
    if (typeof v === 'string') {
      const ve = labelValueErrors(v);
      if (ve.length > 0) pushPrefixed(errs = growable(errs), ve, `${path}.${field}[${JSON.stringify(k)}]: Invalid value: ${JSON.stringify(v)}: `);
    }
  }
  return errs;
}

/** Validate label/annotation maps at `path` (e.g. `metadata` or `spec.template.metadata`). */
export function labelsAndAnnotationsErrors(meta: any, path: string): string[] {
  if (!meta || typeof meta !== 'object') return NO_ERRORS;
  let errs = labelMapErrors(meta.labels, path, 'labels');
  const annotations = meta.annotations;
  if (annotations && typeof annotations === 'object') {
    let total = 0;
    for (const k in annotations) {
      if (!hasOwn(annotations, k)) continue;
      const v = annotations[k];
      const ke = qualifiedNameErrors(k.toLowerCase());
      if (ke.length > 0) pushPrefixed(errs = growable(errs), ke, `${path}.annotations: Invalid value: ${JSON.stringify(k)}: `);
      total += k.length + (typeof v === 'string' ? v.length : 0);
    }
    if (total > 256 * 1024) (errs = growable(errs)).push(`${path}.annotations: Too long: may not be more than 262144 bytes`);
  }
  return errs;
}

/** Validate the top-level ObjectMeta of an object of the given kind (name required: kubectl apply needs it). */
export function objectMetaErrors(obj: any, namespaced: boolean | undefined): string[] {
  const meta = obj.metadata;
  if (!meta || typeof meta !== 'object') return ['metadata.name: Required value: name is required'];
  const errs: string[] = [];
  if (typeof meta.name !== 'string' || meta.name === '') {
    errs.push('metadata.name: Required value: name is required (kubectl apply does not support generateName)');
  } else {
    const nameCheck = nameValidatorFor(String(obj.apiVersion ?? ''), String(obj.kind ?? ''));
    const ne = nameCheck(meta.name);
    if (ne.length > 0) pushPrefixed(errs, ne, `metadata.name: Invalid value: ${JSON.stringify(meta.name)}: `);
  }
  if (typeof meta.namespace === 'string' && meta.namespace !== '') {
    if (namespaced === false) {
      // The API server silently drops it; for generated manifests it is a mistake worth failing on.
      errs.push(`metadata.namespace: Invalid value: ${JSON.stringify(meta.namespace)}: ${obj.kind} is cluster-scoped and takes no namespace`);
    } else {
      const nse = dns1123LabelErrors(meta.namespace);
      if (nse.length > 0) pushPrefixed(errs, nse, `metadata.namespace: Invalid value: ${JSON.stringify(meta.namespace)}: `);
    }
  }
  pushAll(errs, labelsAndAnnotationsErrors(meta, 'metadata'));
  return errs;
}
