/**
 * Findings as text, one line each, for synth errors and the `cdk8s-gpu lint` command.
 */
import { Finding, ManifestSource } from './model';

const oneLine = (s: string) => String(s ?? '').replace(/\s*\n\s*/g, ' ').trim();

/**
 * One line: `error GPU002 apps/v1 Deployment default/vllm spec.template.spec.tolerations: <message>  Fix: <fix>`.
 * The object is `namespace/name`, or `name` when it has no namespace.
 */
export function formatFinding(f: Finding): string {
  const o = f.object;
  const name = o.namespace ? `${o.namespace}/${o.name}` : o.name;
  return `${f.severity} ${f.ruleId} ${o.apiVersion} ${o.kind} ${name} ${f.fieldPath}: ${oneLine(f.message)}  Fix: ${oneLine(f.remediation)}`;
}

/** Where a finding's object came from: `file:line`, `file`, the construct path, or undefined when unknown. */
export function formatSource(source: ManifestSource | undefined): string | undefined {
  if (!source) return undefined;
  if (source.file) return source.line !== undefined ? `${source.file}:${source.line}` : source.file;
  return source.constructPath || undefined;
}
