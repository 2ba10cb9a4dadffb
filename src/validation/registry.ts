/**
 * The rule registry: refuses duplicate ids and rules without the fields a user needs (a lesson of kube-linter's
 * check registry and its built-in-checks test, in our own words), so `docs/rules.md` can be generated from it.
 */
import { GpuConfigError } from '../errors';
import { Severity } from './model';
import { Rule } from './rule';
import { BUILTIN_RULES } from './rules';
import { RULE_ID_PATTERN } from './suppression';
import { byCodeUnits } from '../private/order';

/** A set of rules keyed by id. */
export class RuleRegistry {
  /** A registry of the given rules (each checked as by {@link register}). */
  public static of(rules: readonly Rule[]): RuleRegistry {
    const r = new RuleRegistry();
    for (const rule of rules) r.register(rule);
    return r;
  }

  private readonly rules = new Map<string, Rule>();

  /**
   * Adds a rule.
   * @throws GpuConfigError on a duplicate id, an id not matching `GPU` + three digits, a missing title,
   * remediation or kinds, an unknown severity, or a missing `check` function
   */
  public register(rule: Rule): this {
    const id = typeof rule?.id === 'string' ? rule.id : String(rule?.id);
    const where = `RuleRegistry.register(${id})`;
    if (!RULE_ID_PATTERN.test(id)) {
      throw new GpuConfigError(where, 'id', `is ${JSON.stringify(rule?.id)}, not GPU followed by three digits`, 'name the rule like GPU042');
    }
    if (this.rules.has(id)) {
      throw new GpuConfigError(where, 'id', `is already registered (${this.rules.get(id)!.title})`, 'give the rule an unused id; ids are never reused');
    }
    for (const field of ['title', 'remediation'] as const) {
      if (typeof rule[field] !== 'string' || rule[field].trim() === '') {
        throw new GpuConfigError(where, field, 'is missing or empty', `give the rule a ${field}; users read it in every finding`);
      }
    }
    if (!Array.isArray(rule.kinds) || rule.kinds.length === 0 || rule.kinds.some((k) => typeof k !== 'string' || k === '')) {
      throw new GpuConfigError(where, 'kinds', 'is missing or empty', 'list the kinds the rule reads, e.g. [\'Deployment\']');
    }
    if (!Object.values(Severity).includes(rule.severity)) {
      throw new GpuConfigError(where, 'severity', `is ${JSON.stringify(rule.severity)}`, 'use Severity.ERROR or Severity.WARNING');
    }
    if (typeof rule.check !== 'function') {
      throw new GpuConfigError(where, 'check', 'is not a function', 'implement check(ctx) as a generator of findings');
    }
    this.rules.set(id, rule);
    return this;
  }

  /** The rule with `id`, or undefined. */
  public get(id: string): Rule | undefined {
    return this.rules.get(id);
  }

  /** Whether a rule with `id` is registered. */
  public has(id: string): boolean {
    return this.rules.has(id);
  }

  /** Every rule, sorted by id. */
  public all(): Rule[] {
    return [...this.rules.values()].sort((a, b) => byCodeUnits(a.id, b.id));
  }

  /** Every id, sorted. */
  public ids(): string[] {
    return this.all().map((r) => r.id);
  }
}

/** A new registry holding every built-in rule (a fresh one each call, so adding rules to it changes nothing global). */
export function defaultRegistry(): RuleRegistry {
  return RuleRegistry.of(BUILTIN_RULES);
}
