/**
 * Renders `docs/rules.md` from the rule registry, so the documentation never drifts from the code
 * (scripts/gen-rules-doc.ts writes it; test/validation/docs.test.ts fails when it is stale).
 */
import { Rule } from './rule';
import { SUPPRESS_ANNOTATION } from './suppression';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown of `docs/rules.md` for `rules` (sorted by id). */
export function renderRulesDoc(rules: readonly Rule[]): string {
  const sorted = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out: string[] = [
    '# cdk8s-gpu rules',
    '',
    '<!-- Generated from the rule registry by scripts/gen-rules-doc.ts. Do not edit by hand:',
    '     npx ts-node --transpile-only --project test/tsconfig.json scripts/gen-rules-doc.ts -->',
    '',
    'Every rule reads plain Kubernetes manifests (synthesised by cdk8s or read from YAML) and reports findings with',
    'the object, the field path, what is wrong and how to fix it. Errors fail `cdk8s synth` (with `GpuValidation`) and',
    'make `cdk8s-gpu lint` exit 1; warnings are printed.',
    '',
    '## Suppressing a rule on one object',
    '',
    `Annotate the object (or, for a workload, its pod template) with \`${SUPPRESS_ANNOTATION}\`, one \`ID=reason\``,
    'entry per rule, comma-separated:',
    '',
    '```yaml',
    'metadata:',
    '  annotations:',
    `    ${SUPPRESS_ANNOTATION}: "GPU004=pre-pulls model images on GPU nodes, reviewed by the platform team"`,
    '```',
    '',
    'A reason that could itself read as a new entry (a comma followed by a rule id), or any other text, fits in the',
    'one-rule form: one annotation per rule, whose whole value is the reason. Both forms may be used together:',
    '',
    '```yaml',
    'metadata:',
    '  annotations:',
    `    ${SUPPRESS_ANNOTATION}.GPU006: "model pinned by the image, see GPU006, GPU105; reviewed by the platform team"`,
    '```',
    '',
    'An entry without a reason, or naming an unknown rule, suppresses nothing and is reported as GPU000. Nothing is',
    'suppressed globally unless rules are disabled explicitly (`disabledRules`).',
    '',
    '| Id | Severity | Title | Reads |',
    '|---|---|---|---|',
    ...sorted.map((r) => `| [${r.id}](#${r.id.toLowerCase()}) | ${r.severity} | ${cell(r.title)} | ${cell(r.kinds.join(', '))} |`),
    '',
  ];
  for (const r of sorted) {
    out.push(`## ${r.id}`, '', `**${r.title}** — ${r.severity}`, '');
    if (r.description) out.push(r.description, '');
    out.push(`Reads: ${r.kinds.map((k) => `\`${k}\``).join(', ')}`, '', `Fix: ${r.remediation}`, '');
  }
  return out.join('\n');
}
