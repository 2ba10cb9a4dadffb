/**
 * Per-object suppressions: the annotation `cdk8s-gpu.io/suppress: "GPU003=<reason>,GPU004=<reason>"` on an
 * object (its `metadata.annotations`, or its pod template's for workloads) switches those rules off for that object
 * only; so does one annotation per rule, `cdk8s-gpu.io/suppress.GPU003: <reason>`, whose reason may contain anything
 * (commas, `=`, other rule ids). Every entry needs a reason and a known rule id; an entry that has neither
 * suppresses nothing and is reported by rule GPU000, so nothing is suppressed by accident.
 */
import { podSpecPathOf } from '../scheduling/workloads';

/** The annotation that suppresses rules on one object. */
export const SUPPRESS_ANNOTATION = 'cdk8s-gpu.io/suppress';

/**
 * Prefix of the one-rule-per-annotation form: `cdk8s-gpu.io/suppress.GPU006: <reason>`. The reason is the whole
 * annotation value, so it may contain commas.
 */
export const SUPPRESS_ANNOTATION_PREFIX = `${SUPPRESS_ANNOTATION}.`;

/** Rule ids: `GPU` and three digits. */
export const RULE_ID_PATTERN = /^GPU\d{3}$/;

/** A problem with a suppression annotation. */
export interface SuppressionProblem {
  /** Field path of the annotation. */
  readonly fieldPath: string;
  /** What is wrong, starting with the annotation's key. */
  readonly message: string;
}

/** The valid suppressions of one object and the problems found reading them. */
export interface Suppressions {
  /** Rule id → reason, for valid entries only. */
  readonly rules: ReadonlyMap<string, string>;
  /** Entries that suppress nothing, and why. */
  readonly problems: readonly SuppressionProblem[];
}

/** Splits at commas that start a new `ID=` entry, so reasons may contain commas. */
function splitEntries(value: string): string[] {
  return value.split(/,(?=\s*[A-Za-z]+\d+\s*(?:=|,|$))/).map((s) => s.trim()).filter((s) => s !== '');
}

function parseOne(value: unknown, fieldPath: string, knownRuleIds: ReadonlySet<string>,
  rules: Map<string, string>, problems: SuppressionProblem[]): void {
  if (typeof value !== 'string') {
    problems.push({ fieldPath, message: `is ${JSON.stringify(value)}, not a string of ID=reason entries` });
    return;
  }
  const entries = splitEntries(value);
  if (entries.length === 0) problems.push({ fieldPath, message: 'is empty, so it suppresses nothing' });
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const id = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const reason = eq < 0 ? '' : entry.slice(eq + 1).trim();
    addEntry(id, reason, entry, fieldPath, knownRuleIds, rules, problems);
  }
}

function addEntry(id: string, reason: string, entry: string, fieldPath: string, knownRuleIds: ReadonlySet<string>,
  rules: Map<string, string>, problems: SuppressionProblem[]): void {
  if (!RULE_ID_PATTERN.test(id)) {
    problems.push({ fieldPath, message: `entry "${entry}" does not start with a rule id like GPU003, so it suppresses nothing` });
  } else if (!knownRuleIds.has(id)) {
    problems.push({ fieldPath, message: `entry "${entry}" names unknown rule ${id}, so it suppresses nothing` });
  } else if (reason === '') {
    problems.push({ fieldPath, message: `entry "${entry}" gives no reason, so ${id} is not suppressed` });
  } else if (id === 'GPU000') {
    problems.push({ fieldPath, message: 'GPU000 (malformed cdk8s-gpu annotations) cannot be suppressed' });
  } else {
    rules.set(id, reason);
  }
}

/** Reads the one-rule form `cdk8s-gpu.io/suppress.GPU006: <reason>`: the key names the rule, the value is the reason. */
function parsePerRule(key: string, value: unknown, fieldPath: string, knownRuleIds: ReadonlySet<string>,
  rules: Map<string, string>, problems: SuppressionProblem[]): void {
  const id = key.slice(SUPPRESS_ANNOTATION_PREFIX.length);
  if (!RULE_ID_PATTERN.test(id)) {
    problems.push({ fieldPath, message: `names "${id}", not a rule id like GPU003, so it suppresses nothing` });
  } else if (typeof value !== 'string') {
    problems.push({ fieldPath, message: `is ${JSON.stringify(value)}, not a reason string, so ${id} is not suppressed` });
  } else if (!knownRuleIds.has(id)) {
    problems.push({ fieldPath, message: `names unknown rule ${id}, so it suppresses nothing` });
  } else if (value.trim() === '') {
    problems.push({ fieldPath, message: `gives no reason, so ${id} is not suppressed` });
  } else if (id === 'GPU000') {
    problems.push({ fieldPath, message: 'GPU000 (malformed cdk8s-gpu annotations) cannot be suppressed' });
  } else {
    rules.set(id, value.trim());
  }
}

/** Reads both suppression forms from one annotations map found at `path` (e.g. `metadata.annotations`). */
function parseAnnotations(ann: any, path: string, knownRuleIds: ReadonlySet<string>,
  rules: Map<string, string>, problems: SuppressionProblem[]): void {
  if (!ann || typeof ann !== 'object') return;
  for (const key of Object.keys(ann)) {
    const found: SuppressionProblem[] = [];
    if (key === SUPPRESS_ANNOTATION) {
      parseOne(ann[key], `${path}["${key}"]`, knownRuleIds, rules, found);
    } else if (key.startsWith(SUPPRESS_ANNOTATION_PREFIX)) {
      parsePerRule(key, ann[key], `${path}["${key}"]`, knownRuleIds, rules, found);
    }
    problems.push(...found.map((p) => ({ fieldPath: p.fieldPath, message: `${key} ${p.message}` })));
  }
}

/** Whether an annotations value has a key {@link suppressionsOf} reads (both forms start with SUPPRESS_ANNOTATION). */
function hasSuppressionKey(ann: any): boolean {
  if (!ann || typeof ann !== 'object') return false;
  for (const key of Object.keys(ann)) if (key.startsWith(SUPPRESS_ANNOTATION)) return true;
  return false;
}

/**
 * Whether {@link suppressionsOf} may find anything on `obj`: false when neither its annotations nor those of any place
 * a pod template's can be (`spec.template`, `spec.jobTemplate.spec.template`) hold a suppression key, so it would
 * return no rules and no problems. Most objects have none; the engine skips reading them. @internal
 */
export function _mayHaveSuppressions(obj: any): boolean {
  return hasSuppressionKey(obj?.metadata?.annotations)
    || hasSuppressionKey(obj?.spec?.template?.metadata?.annotations)
    || hasSuppressionKey(obj?.spec?.jobTemplate?.spec?.template?.metadata?.annotations);
}

/** Pod spec path → the pod template's metadata path (`spec.template.spec` → `spec.template.metadata`), as met. */
const TEMPLATE_METADATA_PATHS = new Map<string, string>();

/**
 * Reads the suppressions of `obj`: `metadata.annotations` and, for a workload, its pod template's annotations.
 * @param obj a manifest
 * @param knownRuleIds ids a suppression may name
 */
export function suppressionsOf(obj: any, knownRuleIds: ReadonlySet<string>): Suppressions {
  const rules = new Map<string, string>();
  const problems: SuppressionProblem[] = [];
  parseAnnotations(obj?.metadata?.annotations, 'metadata.annotations', knownRuleIds, rules, problems);
  const podSpecPath = podSpecPathOf(obj);
  if (podSpecPath !== undefined && podSpecPath !== 'spec') {
    let metaPath = TEMPLATE_METADATA_PATHS.get(podSpecPath);
    if (metaPath === undefined) TEMPLATE_METADATA_PATHS.set(podSpecPath, metaPath = podSpecPath.replace(/\.spec$/, '.metadata'));
    let meta: any = obj;
    for (const p of metaPath.split('.')) meta = meta && typeof meta === 'object' ? meta[p] : undefined;
    parseAnnotations(meta?.annotations, `${metaPath}.annotations`, knownRuleIds, rules, problems);
  }
  return { rules, problems };
}
