/**
 * GPU000: the cdk8s-gpu annotations themselves must be well-formed, so a typo never suppresses a rule or changes
 * the scheduling model silently.
 */
import { Severity } from '../model';
import { Rule } from '../rule';
import { SUPPRESS_ANNOTATION, SUPPRESS_ANNOTATION_PREFIX } from '../suppression';

/** GPU000 — malformed `cdk8s-gpu.io/suppress` (no reason, unknown rule) or other unreadable cdk8s-gpu annotations. */
export const SUPPRESSION_RULE: Rule = {
  id: 'GPU000',
  title: 'cdk8s-gpu annotations must be well-formed',
  severity: Severity.ERROR,
  kinds: ['*'],
  remediation: `Write ${SUPPRESS_ANNOTATION} as "GPU003=<reason>,GPU004=<reason>", or one annotation per rule, `
    + `${SUPPRESS_ANNOTATION_PREFIX}GPU003: "<reason>": known rule ids, each with a reason.`,
  description: `A suppression (\`${SUPPRESS_ANNOTATION}: "GPU003=<reason>,…"\`, or one annotation per rule, `
    + `\`${SUPPRESS_ANNOTATION_PREFIX}GPU003: <reason>\`, on an object or its pod template) switches rules off for that `
    + 'object only, and only when every entry names a known rule and gives a reason; anything else suppresses nothing '
    + 'and is reported here, so nothing is suppressed by accident. Also reports NodePools whose '
    + '`cdk8s-gpu.io/advertised-resources-per-gpu` annotation cannot be read (they are left out of the other '
    + 'rules). This rule cannot be suppressed; only `disabledRules` switches it off.',
  *check(ctx) {
    const objects = ctx.objects;
    for (let o = 0; o < objects.length; o++) {
      const obj = objects[o];
      const problems = ctx.suppressions(obj).problems; // (nearly always none: no iterator per object)
      for (let i = 0; i < problems.length; i++) yield ctx.finding(obj, problems[i].fieldPath, problems[i].message);
    }
    for (const p of ctx.readProblems()) {
      yield ctx.finding(p.object, p.fieldPath, p.message, p.remediation);
    }
  },
};
