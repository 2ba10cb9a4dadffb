import * as fs from 'fs';
import * as path from 'path';
import { loadYaml, of } from './helpers';
import { GpuConfigError } from '../../src/errors';
import { BUILTIN_RULES, defaultRegistry, Finding, Rule, RULE_FAILED, RuleRegistry, SCHEMA_VIOLATION, Severity, validateManifests } from '../../src/validation';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

const rule = (over: Partial<Rule> = {}): Rule => ({
  id: 'GPU900',
  title: 't',
  severity: Severity.ERROR,
  kinds: ['Pod'],
  remediation: 'r',
  *check() { /* nothing */ },
  ...over,
});

/** A finding as a fixture's `# expect:` line: `# expect: <Kind>/[<namespace>/]<name> <field path>`. */
const expectLine = (f: Finding): string =>
  `# expect: ${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name} ${f.fieldPath}`;

/** The `# expect:` lines of a fail fixture, sorted: one per finding its rule must report (object and field). */
function expectedFindings(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.startsWith('# expect: ')).map((l) => l.trimEnd()).sort();
}

/** A rule that fails on objects labelled `fail-on-purpose: "true"` (GPU010's fixture). */
const FAILS_ON_PURPOSE: Rule = {
  id: 'GPU999',
  title: 'fails on purpose',
  severity: Severity.WARNING,
  kinds: ['*'],
  remediation: 'none',
  *check(ctx) {
    for (const o of ctx.objects) if (o.metadata?.labels?.['fail-on-purpose'] === 'true') throw new TypeError('cannot read properties of a string');
  },
};

describe('built-in rules (self-test)', () => {
  const rules = defaultRegistry().all();

  test('there are rules, sorted, one per id', () => {
    expect(rules.map((r) => r.id)).toEqual([...new Set(BUILTIN_RULES.map((r) => r.id))].sort());
    expect(rules.length).toBeGreaterThanOrEqual(7);
  });

  test.each(rules.map((r) => [r.id, r] as const))('%s has an id, title, remediation, kinds and a description', (_, r) => {
    expect(r.id).toMatch(/^GPU\d{3}$/);
    expect(r.title.trim().length).toBeGreaterThan(10);
    expect(r.remediation.trim().length).toBeGreaterThan(10);
    expect(r.kinds.length).toBeGreaterThan(0);
    expect(r.description?.length ?? 0).toBeGreaterThan(20);
    expect([Severity.ERROR, Severity.WARNING]).toContain(r.severity);
  });

  describe.each(rules.map((r) => [r.id] as const))('%s fixtures', (id) => {
    const dir = path.join(FIXTURES, id);
    test('pass.yaml and fail.yaml exist', () => {
      expect(fs.existsSync(path.join(dir, 'pass.yaml'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'fail.yaml'))).toBe(true);
    });
    test('fires on fail.yaml, with its severity and the file it read', () => {
      // Some fail fixtures are also schema violations (GPU009 would report them and keep them from the rules): the
      // rule itself must fire, so the gate is off here except for GPU009's own fixture. GPU010 needs a failing rule.
      const rulesOf = id === RULE_FAILED.id ? [...BUILTIN_RULES, FAILS_ON_PURPOSE] : undefined;
      const findings = of(validateManifests(loadYaml(path.join(dir, 'fail.yaml')), { schemaGate: id === SCHEMA_VIOLATION.id, rules: rulesOf }), id);
      expect(findings.length).toBeGreaterThan(0);
      expect(findings[0].severity).toBe(defaultRegistry().get(id)!.severity);
      expect(findings[0].source?.file).toContain('fail.yaml');
    });
    test('reports exactly the objects and fields fail.yaml\'s `# expect:` lines name', () => {
      const file = path.join(dir, 'fail.yaml');
      // As above: the gate only for GPU009's own fixture, and GPU010 needs a rule that fails.
      const rulesOf = id === RULE_FAILED.id ? [...BUILTIN_RULES, FAILS_ON_PURPOSE] : undefined;
      const actual = of(validateManifests(loadYaml(file), { schemaGate: id === SCHEMA_VIOLATION.id, rules: rulesOf }), id).map(expectLine).sort();
      const expected = expectedFindings(file);
      if (expected.length === 0) {
        throw new Error(`${file} has no '# expect: <Kind>/[<namespace>/]<name> <field path>' lines; `
          + `write one per finding the rule must report (today it reports:\n${actual.join('\n')})`);
      }
      expect(actual).toEqual(expected);
    });
    test('pass.yaml is clean of every rule', () => {
      expect(validateManifests(loadYaml(path.join(dir, 'pass.yaml'))).map((f) => `${f.ruleId} ${f.fieldPath}: ${f.message}`)).toEqual([]);
    });
  });

  test('every fixture folder belongs to a rule (no orphans after a rule is removed)', () => {
    const ids = new Set(rules.map((r) => r.id));
    for (const d of fs.readdirSync(FIXTURES)) expect(ids.has(d) ? d : `orphan fixture ${d}`).toBe(d);
  });
});

describe('RuleRegistry', () => {
  test('refuses a duplicate id', () => {
    const r = new RuleRegistry().register(rule());
    expect(() => r.register(rule({ title: 'other' }))).toThrow(/GPU900.*already registered/);
    expect(() => RuleRegistry.of([...BUILTIN_RULES, BUILTIN_RULES[1]])).toThrow(GpuConfigError);
  });

  test.each([
    ['bad id', { id: 'gpu1' }, /id is "gpu1"/],
    ['four digits', { id: 'GPU0001' }, /id is/],
    ['missing title', { title: '' }, /title is missing/],
    ['missing remediation', { remediation: '  ' }, /remediation is missing/],
    ['no kinds', { kinds: [] }, /kinds is missing/],
    ['bad severity', { severity: 'fatal' as any }, /severity/],
    ['no check', { check: undefined as any }, /check is not a function/],
  ])('refuses a rule with %s', (_, over, msg) => {
    expect(() => new RuleRegistry().register(rule(over as Partial<Rule>))).toThrow(msg);
  });

  test('get, has, ids; defaultRegistry is a fresh copy each time', () => {
    const a = defaultRegistry();
    a.register(rule());
    expect(a.get('GPU900')?.title).toBe('t');
    expect(defaultRegistry().has('GPU900')).toBe(false);
    expect(defaultRegistry().ids()).toContain('GPU003');
    expect(defaultRegistry().get('GPU999')).toBeUndefined();
  });
});
