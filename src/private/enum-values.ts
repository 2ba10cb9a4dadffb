/**
 * One place for the "not a valid value" error of every enum-like prop (internal): the message names the bad value,
 * every valid value (as the enum member and the string it stands for, so both TypeScript and YAML-minded users see
 * what to write), a case-insensitive near miss, and the upstream rename when the value is an old name of one.
 */
import { IConstruct } from 'constructs';
import { describeValue } from './describe';
import { GpuConfigError } from '../errors';

/** One valid value of an enum-like prop. */
export interface EnumChoice {
  /** How to write it in code, e.g. `ConsolidationPolicy.WHEN_EMPTY`. */
  readonly code: string;
  /** The string it stands for in the manifest, e.g. `WhenEmpty`. */
  readonly value: string;
}

/** An enum-like prop: its type's name, its valid values, and the old or foreign names users bring from upstream. */
export interface EnumSpec {
  /** The type name shown in the message, e.g. `ConsolidationPolicy`. */
  readonly typeName: string;
  /** The valid values, in the order to list them. */
  readonly choices: readonly EnumChoice[];
  /**
   * Old or foreign names → what they are now, e.g. `WhenUnderutilized` →
   * `Karpenter v1beta1's name for WhenEmptyOrUnderutilized (ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED)`.
   */
  readonly renames?: Readonly<Record<string, string>>;
}

/**
 * The choices of a TypeScript string enum, in declaration order, e.g. `ConsolidationPolicy.WHEN_EMPTY` → `WhenEmpty`.
 * @param typeName the enum's name
 * @param e the enum object
 * @param only the subset of member values that are valid here (default: all)
 */
export function enumSpec(typeName: string, e: Record<string, string>, renames?: Record<string, string>,
  only?: readonly string[]): EnumSpec {
  const choices = Object.entries(e)
    .filter(([, v]) => only === undefined || only.includes(v))
    .map(([k, v]) => ({ code: `${typeName}.${k}`, value: v }));
  return { typeName, choices, renames };
}

/** Whether `value` is one of the spec's valid values. */
export function isEnumValue(spec: EnumSpec, value: unknown): boolean {
  return spec.choices.some((c) => c.value === value);
}

/** The problem and fix for a value that is not valid: names every valid value, a near miss and the upstream rename. */
export function enumProblem(spec: EnumSpec, value: unknown): { problem: string; fix: string } {
  const list = spec.choices.map((c) => `${c.code} ('${c.value}')`);
  const valid = list.length <= 1 ? list.join('') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
  const hints: string[] = [];
  if (typeof value === 'string') {
    const rename = spec.renames && Object.prototype.hasOwnProperty.call(spec.renames, value) ? spec.renames[value] : undefined;
    if (rename) hints.push(`'${value}' is ${rename}`);
    const near = spec.choices.find((c) => c.value.toLowerCase() === value.toLowerCase()
      || c.code.slice(spec.typeName.length + 1).toLowerCase() === value.toLowerCase());
    if (!rename && near) hints.push(`values are case-sensitive: did you mean ${near.code} ('${near.value}')?`);
  }
  return {
    problem: `is ${describeValue(value)}, not a ${spec.typeName} value${hints.length ? ` (${hints.join('; ')})` : ''}`,
    fix: `use ${list.length > 1 ? 'one of ' : ''}${valid}`,
  };
}

/**
 * Throws a {@link GpuConfigError} naming every valid value unless `value` is one of them.
 * @param scope the construct (or function name) whose prop it is
 * @param prop the prop path, e.g. `budgets[0].reasons[1]`
 */
export function checkEnum(scope: IConstruct | string, prop: string, spec: EnumSpec, value: unknown): void {
  if (isEnumValue(spec, value)) return;
  const { problem, fix } = enumProblem(spec, value);
  throw new GpuConfigError(scope, prop, problem, fix);
}

/**
 * Throws a {@link GpuConfigError} unless `value` is one of an enum-like class's instances (`CapacityType.SPOT`,
 * `MigStrategy.MIXED`, …). The message names every valid member with the string it stands for; a string that is one
 * of those (in any case) is answered with the member to pass instead, since the class takes its instances, not
 * their strings.
 * @param specOf the spec, built only when `value` is not valid (the usual case, a member, builds nothing)
 * @param isMember whether `value` is a valid instance
 */
export function checkEnumLike(scope: IConstruct | string, prop: string, specOf: () => EnumSpec, value: unknown,
  isMember: (v: unknown) => boolean): void {
  if (isMember(value)) return;
  const spec = specOf();
  const list = spec.choices.map((c) => `${c.code} ('${c.value}')`);
  const valid = list.length <= 1 ? list.join('') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
  const near = typeof value === 'string'
    ? spec.choices.find((c) => c.value.toLowerCase() === value.toLowerCase()
      || c.code.slice(spec.typeName.length + 1).toLowerCase() === value.toLowerCase())
    : undefined;
  const hint = near ? ` (${spec.typeName} takes its members, not their strings: pass ${near.code} for '${near.value}')` : '';
  throw new GpuConfigError(scope, prop, `is ${describeValue(value)}, not a ${spec.typeName}${hint}`, `use one of ${valid}`);
}
