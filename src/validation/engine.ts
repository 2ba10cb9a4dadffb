/**
 * The validation engine: index the manifests once, run every rule, drop suppressed findings, sort.
 */
import { GpuConfigError } from '../errors';
import { ManifestIndex, ManifestIndexOptions } from './context';
import { Finding, SourcedManifest } from './model';
import { defaultRegistry, RuleRegistry } from './registry';
import { Rule } from './rule';
import { BUILTIN_RULES, SUPPRESSION_RULE } from './rules';
import { suppressionsOf } from './suppression';

/** Options of {@link validateManifests}. */
export interface ValidateOptions {
  /** The rules to run. @default defaultRegistry() — every built-in rule */
  readonly rules?: RuleRegistry | Rule[];
  /**
   * Rule ids switched off for the whole run. This is the only global switch; an unknown id is an error, so a typo
   * cannot silently leave a rule on. @default - none
   */
  readonly disabledRules?: string[];
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

/**
 * {@link validateManifests} with the run's index returned too (its memo counters, e.g. `placementEvaluations`) and
 * index options (memoisation on/off). For tests and benchmarks.
 * @internal
 */
export function _runValidation(manifests: SourcedManifest[], options: ValidateOptions = {},
  indexOptions: ManifestIndexOptions = {}): { findings: Finding[]; index: ManifestIndex } {
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

  const index = new ManifestIndex(manifests ?? [], indexOptions);
  const objectOf = new Map<Finding, any>();
  const seq = new Map<Finding, number>();
  const collected: Finding[] = [];
  for (const rule of rules) {
    if (disabled.has(rule.id)) continue;
    const ctx = index.contextFor(rule, knownRuleIds, (f, obj) => objectOf.set(f, obj));
    try {
      for (const f of rule.check(ctx)) {
        seq.set(f, collected.length);
        collected.push(f);
      }
    } catch (e) {
      if (e instanceof GpuConfigError) throw e;
      const err = new Error(`rule ${rule.id} (${rule.title}) failed: ${(e as Error)?.message ?? e}`);
      (err as any).cause = e;
      throw err;
    }
  }

  const suppressionCache = new Map<any, ReadonlyMap<string, string>>();
  const suppressedOn = (obj: any): ReadonlyMap<string, string> => {
    if (!suppressionCache.has(obj)) suppressionCache.set(obj, suppressionsOf(obj, knownRuleIds).rules);
    return suppressionCache.get(obj)!;
  };
  const kept = collected.filter((f) => {
    const obj = objectOf.get(f);
    return obj === undefined || f.ruleId === SUPPRESSION_RULE.id || !suppressedOn(obj).has(f.ruleId);
  });

  const pos = (f: Finding) => index.positionOf(objectOf.get(f));
  const findings = kept.sort((a, b) => pos(a) - pos(b)
    || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
    || seq.get(a)! - seq.get(b)!);
  return { findings, index };
}
