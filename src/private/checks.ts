/**
 * Prop checks shared by the constructs (internal), each throwing `GpuConfigError` naming the construct and the
 * property, whatever type the value has.
 */
import { IConstruct } from 'constructs';
import { GpuConfigError } from '../errors';
import { describeValue } from './describe';

/**
 * `value` as a boolean, or undefined when it is undefined; GpuConfigError for anything else (the string "false"
 * would read as true). Callers that take null for "the default" pass `value ?? undefined`.
 * @param fix how to fix it, e.g. `pass true or false, or omit it (default true)`
 */
export function optionalBoolean(scope: IConstruct | string, prop: string, value: unknown, fix: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new GpuConfigError(scope, prop, `is ${describeValue(value)}, not a boolean`, fix);
  return value;
}
