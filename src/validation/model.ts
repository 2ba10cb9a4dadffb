/**
 * The plain-manifest model the validation core reads. It never sees construct classes, so it
 * judges foreign YAML exactly as it judges ours (see DESIGN.md, "the data flow").
 */

/** How bad a finding is. */
export enum Severity {
  /** Fails synth and makes `cdk8s-gpu lint` exit 1. */
  ERROR = 'error',
  /** Printed, never fails anything. */
  WARNING = 'warning',
}

/** Where a manifest came from, for messages. */
export interface ManifestSource {
  /** File the object was read from (CLI), when any. @default - none */
  readonly file?: string;
  /**
   * 1-based line in `file`: where the object starts, or for a finding about one field (a schema violation, GPU009),
   * the field's line. @default - none
   */
  readonly line?: number;
  /** For a finding whose `line` is a field's line: the line where the object starts. @default - `line` */
  readonly objectLine?: number;
  /** Construct path of the ApiObject that produced it (synth). @default - none */
  readonly constructPath?: string;
}

/** One Kubernetes object as plain JSON plus where it came from. */
export interface SourcedManifest {
  /** The object exactly as it would be applied (apiVersion, kind, metadata, spec, …). */
  readonly object: any;
  /** Where it came from. @default - unknown */
  readonly source?: ManifestSource;
}

/** A reference to the object a finding is about. */
export interface ObjectRef {
  /** e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** e.g. `Deployment`. */
  readonly kind: string;
  /** Namespace, when the object is namespaced. @default - cluster-scoped or unset */
  readonly namespace?: string;
  /** metadata.name. */
  readonly name: string;
}

/** One problem found by one rule on one object. */
export interface Finding {
  /** Stable rule id, e.g. `GPU001`. */
  readonly ruleId: string;
  /** The rule's title. */
  readonly title: string;
  /** Severity of the rule that produced it. */
  readonly severity: Severity;
  /** The object at fault. */
  readonly object: ObjectRef;
  /** Where the object came from. @default - unknown */
  readonly source?: ManifestSource;
  /** JSON-ish path of the field at fault, e.g. `spec.template.spec.containers[0].resources.limits`. */
  readonly fieldPath: string;
  /** What is wrong, in words a person understands. */
  readonly message: string;
  /** How to fix it. */
  readonly remediation: string;
}
