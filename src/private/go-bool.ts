/**
 * A boolean as Go's `strconv.ParseBool` reads it (KEDA's trigger metadata, dcgm-exporter's flags and variables through
 * urfave/cli): `1 t T TRUE true True` and `0 f F FALSE false False`; undefined for anything else. @internal
 */
export function parseGoBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}
