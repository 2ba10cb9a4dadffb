/**
 * Renders `docs/rules.md` from the rule registry, so the documentation never drifts from the code
 * (scripts/gen-rules-doc.ts writes it; test/validation/docs.test.ts fails when it is stale).
 */
import { Rule } from './rule';
import { SUPPRESS_ANNOTATION } from './suppression';
import { byCodeUnits } from '../private/order';
import { CONSTRUCT_WARNINGS, ConstructWarning } from '../private/warnings';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The Markdown of `docs/rules.md` for `rules` (sorted by id) and the construction-time warnings (GPU800–GPU819).
 * @param warnings the construction-time warnings to document (default: every one)
 */
export function renderRulesDoc(rules: readonly Rule[], warnings: readonly ConstructWarning[] = CONSTRUCT_WARNINGS): string {
  const sorted = [...rules].sort((a, b) => byCodeUnits(a.id, b.id));
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
  if (warnings.length > 0) out.push(...renderWarnings(warnings));
  return out.join('\n');
}

/** The section on construction-time warnings: format, suppression, then one entry per warning. */
function renderWarnings(warnings: readonly ConstructWarning[]): string[] {
  const sorted = [...warnings].sort((a, b) => byCodeUnits(a.id, b.id));
  const out: string[] = [
    '# Construction-time warnings',
    '',
    'Some problems can only be seen while a construct is built (the manifests alone cannot tell, or the construct',
    'drops what would show it). The constructs warn about them as they are built, with a rule id of their own',
    '(GPU800–GPU819), in the same one-line format as the findings `GpuValidation` prints at synth:',
    '',
    '```text',
    '[cdk8s-gpu] warning GPU004 apps/v1 DaemonSet default/agent spec.template.spec.tolerations: <message>  Fix: <fix> (at serving/agent/Resource)',
    '[cdk8s-gpu] warning GPU800 SpotGpuPool serving/spot instanceTypes: <message>  Fix: <fix>',
    '```',
    '',
    'A finding names the object (`apiVersion Kind namespace/name`) and its field; a construction-time warning names',
    'the construct (`Class path`) and its property. Each warning is also recorded on its construct as metadata',
    '`cdk8s-gpu/warning` (the same line). They are warnings, never errors: the construct is built as asked.',
    '',
    '## Suppressing a construction-time warning',
    '',
    'A warning fires while the construct is built, before an annotation can be put on what it emits, so the',
    `annotation \`${SUPPRESS_ANNOTATION}.GPU800\` cannot reach it. The same key, with a reason, set as construct`,
    'context on a scope above the construct, suppresses it there. A scope takes context only while it has no children',
    '(`constructs` refuses `setContext` after that), so set it on a fresh chart, or give the construct a scope of its own:',
    '',
    '```ts',
    'const spotScope = new Construct(chart, \'spot-test\');',
    `spotScope.node.setContext('${SUPPRESS_ANNOTATION}.GPU800', 'one spot type on purpose: a test cluster with on-demand fallback elsewhere');`,
    'new SpotGpuPool(spotScope, \'spot\', { /* … */ });',
    '```',
    '',
    'A suppressed warning is not printed; it is still recorded on the construct with its reason. `disabledRules` of',
    '`GpuValidation` does not apply (the warnings are raised before any validation runs). The warnings of',
    '`GpuEksStack` are aws-cdk annotations (printed by `cdk synth`, failing it under `--strict`) and are acknowledged',
    'the aws-cdk way, as each entry says.',
    '',
    '| Id | Severity | Title | Raised by |',
    '|---|---|---|---|',
    ...sorted.map((w) => `| [${w.id}](#${w.id.toLowerCase()}) | warning | ${cell(w.title)} | ${cell(w.constructs.join(', '))} |`),
    '',
  ];
  for (const w of sorted) {
    out.push(`## ${w.id}`, '', `**${w.title}** — warning, raised while the construct is built`, '', w.description, '',
      `Raised by: ${w.constructs.map((c) => `\`${c}\``).join(', ')}`, '', `Fix: ${w.remediation}`, '',
      `Suppress: ${w.suppression ?? `construct context \`${SUPPRESS_ANNOTATION}.${w.id}\`: \`<reason>\` on an enclosing scope`}`, '');
  }
  return out;
}
