/**
 * Small PromQL helpers shared by DcgmMonitoring and KedaGpuScaler (internal: not part of the public API).
 */
import { Duration } from 'cdk8s';

/** A Prometheus duration (`90s`, `5m`, `1h`) for a whole number of seconds. @internal */
export function _promDuration(d: Duration): string {
  const s = d.toSeconds();
  if (s > 0 && s % 3600 === 0) return `${s / 3600}h`;
  if (s > 0 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** A PromQL double-quoted string literal (backslash and quote escaped). @internal */
export function _promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Escapes RE2 metacharacters so `value` matches literally inside a regex matcher. @internal */
export function _regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A number as PromQL/KEDA prints it (no exponent for usual values, no trailing zeros). @internal */
export function _num(n: number): string {
  return `${+n.toFixed(6)}`;
}

/** Seconds of a Duration, fractional allowed (cdk8s' `toSeconds()` throws on fractions). @internal */
export function _seconds(d: Duration): number {
  return d.toMilliseconds() / 1000;
}
