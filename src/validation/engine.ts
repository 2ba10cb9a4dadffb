/**
 * The validation engine: index the manifests once, run every rule, drop suppressed findings, sort.
 */
import { GpuConfigError } from '../errors';
import { ManifestIndex, ManifestIndexOptions, objectRefOf } from './context';
import { Finding, SourcedManifest } from './model';
import { defaultRegistry, RuleRegistry } from './registry';
import { Rule } from './rule';
import { BUILTIN_RULES, RULE_FAILED, SCHEMA_VIOLATION, SUPPRESSION_RULE } from './rules';
import { byCodeUnits } from '../private/order';
import { GateOptions, gateManifests } from '../schema/gate';

/** Options of {@link validateManifests}. */
export interface ValidateOptions {
  /** The rules to run. @default defaultRegistry() — every built-in rule */
  readonly rules?: RuleRegistry | Rule[];
  /**
   * Rule ids switched off for the whole run. This is the only global switch; an unknown id is an error, so a typo
   * cannot silently leave a rule on. @default - none
   */
  readonly disabledRules?: string[];
  /**
   * Validate every object of a known kind against its schema (Kubernetes 1.30 core kinds, the package's CRDs) before
   * the rules: violations are GPU009 findings and the rules judge only objects that passed. The gate is rule GPU009:
   * a rule set without it, or GPU009 in `disabledRules`, also switches it off. @default true
   */
  readonly schemaGate?: boolean;
}

/**
 * Runs the rules over `manifests` and returns every finding not suppressed by an object's
 * `cdk8s-gpu.io/suppress` annotation, sorted by the object's input position, then rule id, then the order the
 * rule reported them (stable and deterministic).
 *
 * Rule GPU000 (malformed cdk8s-gpu annotations, e.g. a suppression without a reason) always runs, even with a
 * custom rule set, unless disabled explicitly.
 *
 * @throws GpuConfigError when `disabledRules` names an unknown rule, or a custom rule set holds a malformed rule
 */
export function validateManifests(manifests: SourcedManifest[], options: ValidateOptions = {}): Finding[] {
  return _runValidation(manifests, options).findings;
}

/** What one validation run found, beyond its findings. */
export interface ValidationRunInfo {
  /** Whether objects were validated against their schemas before the rules. */
  readonly schemaGate: boolean;
  /** Objects validated against a schema. */
  readonly schemaChecked: number;
  /** Objects that failed their schema (and were left out of the rules, unless GPU009 is suppressed on them). */
  readonly schemaFailed: number;
  /** `apiVersion/kind` → number of objects of that kind with no known schema (not judged by the gate). */
  readonly unknownKinds: ReadonlyMap<string, number>;
}

/**
 * {@link validateManifests} with the run's index returned too (its memo counters, e.g. `placementEvaluations`), the
 * schema gate's counts, index options (memoisation on/off) and the gate's (remembered passes, for GpuValidation). For the
 * CLI, GpuValidation, tests and benchmarks.
 * @internal
 */
export function _runValidation(manifests: SourcedManifest[], options: ValidateOptions = {},
  indexOptions: ManifestIndexOptions = {}, gateOptions: GateOptions = {}): { findings: Finding[]; index: ManifestIndex; info: ValidationRunInfo } {
  const registry = options.rules === undefined ? defaultRegistry()
    : options.rules instanceof RuleRegistry ? options.rules : RuleRegistry.of(options.rules);
  let rules = registry.all();
  if (!registry.has(SUPPRESSION_RULE.id)) rules = [SUPPRESSION_RULE, ...rules];

  const knownRuleIds = new Set<string>([...rules.map((r) => r.id), ...BUILTIN_RULES.map((r) => r.id)]);
  const disabled = new Set<string>();
  for (const id of options.disabledRules ?? []) {
    if (!knownRuleIds.has(id)) {
      throw new GpuConfigError('validateManifests', 'disabledRules',
        `names unknown rule ${JSON.stringify(id)}`, `use one of ${[...knownRuleIds].sort().join(', ')}`);
    }
    disabled.add(id);
  }

  // The run's index: the rules' view, and the suppressions of each object read once (rule GPU000 reads them too).
  const all = manifests ?? [];
  const index = new ManifestIndex(all, indexOptions);

  // Input positions and sources of every object (also those the schema gate keeps from the rules): the index's,
  // unless a manifest is an array (the gate reports it, the index leaves it out), which needs a count of its own.
  let positionOf = (obj: any): number | undefined => index.positionOf(obj);
  let sourceOf = (obj: any): SourcedManifest['source'] => index.sourceOf(obj);
  if (all.some((m) => Array.isArray(m?.object))) {
    const position = new Map<any, number>();
    const sources: Array<SourcedManifest['source']> = [];
    for (let i = 0; i < all.length; i++) {
      const obj = all[i]?.object;
      if (!obj || typeof obj !== 'object' || position.has(obj)) continue;
      position.set(obj, sources.length);
      sources.push(all[i].source);
    }
    positionOf = (obj) => position.get(obj);
    sourceOf = (obj) => {
      const at = position.get(obj);
      return at === undefined ? undefined : sources[at];
    };
  }

  // Every finding with its object, in the order recorded.
  const collected: Array<{ readonly finding: Finding; readonly obj: any }> = [];
  const record = (finding: Finding, obj: any) => {
    collected.push({ finding, obj });
  };
  const recordAll = (found: ReadonlyArray<[Finding, any]>) => {
    for (let i = 0; i < found.length; i++) record(found[i][0], found[i][1]);
  };
  const engineFinding = (rule: Rule, obj: any, fieldPath: string, message: string): Finding => {
    const source = sourceOf(obj);
    return {
      ruleId: rule.id,
      title: rule.title,
      severity: rule.severity,
      object: objectRefOf(obj),
      ...(source ? { source } : {}),
      fieldPath,
      message,
      remediation: rule.remediation,
    };
  };

  const unreadable = new Map<any, ReadonlyMap<string, string>>();
  const suppressedOn = (obj: any): ReadonlyMap<string, string> => {
    let s = unreadable.get(obj);
    if (s) return s;
    try {
      return index.suppressions(obj, knownRuleIds).rules;
    } catch {
      unreadable.set(obj, s = new Map());
      return s;
    }
  };

  // The schema gate: objects that fail their schema get GPU009 findings and are not judged by the rules.
  // The gate is rule GPU009: it runs when GPU009 is in the rule set (the default) and neither disabled nor switched off.
  const gateOn = options.schemaGate !== false && rules.some((r) => r.id === SCHEMA_VIOLATION.id) && !disabled.has(SCHEMA_VIOLATION.id);
  let unknownKinds = new Map<string, number>();
  let schemaChecked = 0;
  let schemaFailed = 0;
  // Objects that failed their schema stay in the index (cross-object rules still find them, so a neighbour's findings
  // do not change), but no finding about them is kept but GPU009's, and a rule failing on them is not reported.
  const failedSchema = new Set<any>();
  if (gateOn) {
    const gate = gateManifests(all, gateOptions);
    ({ unknownKinds, checked: schemaChecked } = gate);
    schemaFailed = gate.failed.length;
    for (const { manifest, violations } of gate.failed) {
      const obj = manifest.object;
      for (const v of violations) {
        const f = engineFinding(SCHEMA_VIOLATION, obj, v.fieldPath, v.message);
        // The violating field's line when the source holds it; the object's line stays as `objectLine`.
        record(v.line === undefined || f.source === undefined ? f
          : { ...f, source: { ...f.source, line: v.line, ...(f.source.line !== undefined ? { objectLine: f.source.line } : {}) } }, obj);
      }
      // A suppressed GPU009 means "judge it anyway": the rules judge it (and GPU010 guards them).
      if (!suppressedOn(obj).has(SCHEMA_VIOLATION.id)) failedSchema.add(obj);
    }
  }

  for (const rule of rules) {
    if (disabled.has(rule.id)) continue;
    const found = runRule(rule, index, knownRuleIds);
    if (found.ok) {
      recordAll(found.findings);
      continue;
    }
    // The rule failed. First without the objects that failed their schema (GPU009 already explains them) …
    if (failedSchema.size > 0) {
      const valid = runRule(rule, new ManifestIndex(all.filter((m) => !failedSchema.has(m?.object)), indexOptions), knownRuleIds);
      if (valid.ok) {
        recordAll(valid.findings);
        continue;
      }
    }
    // … then find the objects it fails on: alone, else (small sets) those whose removal lets it run; report each
    // (GPU010) and run the rule on the others.
    const alone = (o: any) => new ManifestIndex([{ object: o, source: index.sourceOf(o) }], indexOptions);
    const without = (drop: ReadonlySet<any>) => new ManifestIndex(all.filter((m) => !drop.has(m?.object)), indexOptions);
    let culprits = index.objects.filter((o) => !runRule(rule, alone(o), knownRuleIds).ok);
    if (culprits.length === 0 && index.objects.length <= LEAVE_ONE_OUT_LIMIT) {
      culprits = index.objects.filter((o) => runRule(rule, without(new Set([...failedSchema, o])), knownRuleIds).ok);
    }
    const failure = (o: any, why: string) => record(engineFinding(RULE_FAILED, o, '<root>',
      `rule ${rule.id} (${rule.title}) failed on this object: ${why}; ${rule.id} did not judge it`), o);
    if (culprits.length === 0) {
      // No object to blame: report it on the rule's first object, and keep nothing of the rule's run.
      const first = index.objects.find((o) => !failedSchema.has(o)) ?? index.objects[0];
      if (first !== undefined) failure(first, `${found.error} (on the whole set, no single object)`);
      continue;
    }
    for (const o of culprits) if (!failedSchema.has(o)) failure(o, found.error);
    const again = runRule(rule, without(new Set([...failedSchema, ...culprits])), knownRuleIds);
    if (again.ok) recordAll(again.findings);
  }

  const kept: Array<{ readonly finding: Finding; readonly pos: number; readonly seq: number }> = [];
  for (let seq = 0; seq < collected.length; seq++) {
    const { finding: f, obj } = collected[seq];
    if (obj !== undefined) {
      if (failedSchema.has(obj) && f.ruleId !== SCHEMA_VIOLATION.id && f.ruleId !== RULE_FAILED.id) continue;
      if (f.ruleId !== SUPPRESSION_RULE.id && suppressedOn(obj).has(f.ruleId)) continue;
    }
    kept.push({ finding: f, pos: positionOf(obj) ?? Number.POSITIVE_INFINITY, seq });
  }

  const findings = kept.sort((a, b) => a.pos - b.pos
    || byCodeUnits(a.finding.ruleId, b.finding.ruleId)
    || a.seq - b.seq).map((k) => k.finding);
  return { findings, index, info: { schemaGate: gateOn, schemaChecked, schemaFailed, unknownKinds } };
}

/** Up to this many objects, a failing rule is re-run once per object left out, to find the object it fails on. */
const LEAVE_ONE_OUT_LIMIT = 500;

function errorMessage(e: unknown): string {
  const m = (e as Error)?.message;
  return typeof m === 'string' && m !== '' ? m.split('\n')[0] : String(e);
}

/** Runs one rule over an index: its findings (with their objects), or why it failed. */
function runRule(rule: Rule, index: ManifestIndex, knownRuleIds: ReadonlySet<string>):
{ ok: true; findings: Array<[Finding, any]> } | { ok: false; error: string } {
  // The findings the rule builds (ctx.finding), with their objects, in the order built. A rule nearly always yields
  // each one as it builds it, so the next one built is the one yielded; any other (one yielded later, or not built by
  // ctx.finding) is looked up in a map of them all, made on the first such finding and kept up to date after.
  const built: Array<[Finding, any]> = [];
  let byFinding: Map<Finding, any> | undefined;
  const ctx = index.contextFor(rule, knownRuleIds, (f, obj) => {
    built.push([f, obj]);
    byFinding?.set(f, obj);
  });
  const findings: Array<[Finding, any]> = [];
  let next = 0;
  const take = (f: Finding) => {
    if (next < built.length && built[next][0] === f) {
      findings.push(built[next++]);
    } else {
      if (!byFinding) byFinding = new Map(built);
      findings.push([f, byFinding.get(f)]);
    }
  };
  try {
    const found = rule.check(ctx);
    // (a rule that returns an array is read by index: no iterator protocol per finding)
    if (Array.isArray(found)) for (let i = 0; i < found.length; i++) take(found[i]);
    else for (const f of found) take(f);
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
  return { ok: true, findings };
}
