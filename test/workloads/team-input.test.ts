/**
 * GpuTeam input checks. The security case first: cdk8s-plus drops an empty resourceName, so a Role rule for the
 * ConfigMap/Secret "" (or undefined) would carry no resourceNames at all and grant `get` on EVERY object of that
 * kind in the namespace. Such names must be refused before any Role is made.
 */
import { chart, configError, ofKind, synth } from './helpers';
import { GpuTeam, GpuTeamProps, TieredPriorities } from '../../src/workloads';

/** Adds team `ml` with `props` (typed loosely: these tests pass what TypeScript would refuse). */
function addTeam(props: any): () => GpuTeam {
  return () => new TieredPriorities(chart(), 'p').addTeam('ml', props);
}

describe('GpuTeam: readable ConfigMap/Secret names (a missing name would grant get on every object)', () => {
  test.each<[string, string, any, string]>([
    ['empty Secret name', 'readableSecrets', { readableSecrets: [''] }, 'readableSecrets[0]'],
    ['undefined Secret name', 'readableSecrets', { readableSecrets: ['hf-token', undefined] }, 'readableSecrets[1]'],
    ['null Secret name', 'readableSecrets', { readableSecrets: [null] }, 'readableSecrets[0]'],
    ['empty ConfigMap name', 'readableConfigMaps', { readableConfigMaps: [''] }, 'readableConfigMaps[0]'],
    ['undefined ConfigMap name', 'readableConfigMaps', { readableConfigMaps: [undefined] }, 'readableConfigMaps[0]'],
    ['a string instead of a list', 'readableSecrets', { readableSecrets: 'hf-token' }, 'readableSecrets'],
    ['a repeated name', 'readableSecrets', { readableSecrets: ['s', 's'] }, 'readableSecrets[1]'],
    ['an invalid name', 'readableConfigMaps', { readableConfigMaps: ['Model_Config'] }, 'readableConfigMaps[0]'],
    ['a name over 253 characters', 'readableSecrets', { readableSecrets: ['a'.repeat(254)] }, 'readableSecrets[0]'],
  ])('%s is refused on %s', (_label, _prop, props, property) => {
    const e = configError(addTeam(props));
    expect(e.constructPath).toBe('test/p/team-ml');
    expect(e.property).toBe(property);
    expect(e.message).toMatch(/\. Fix: \S/);
  });

  test('the refusal comes before any Role exists (no half-built team in the tree)', () => {
    const c = chart();
    const p = new TieredPriorities(c, 'p');
    configError(() => p.addTeam('ml', { readableSecrets: [''] }));
    expect(ofKind(synth(c), 'Role')).toEqual([]);
    expect(ofKind(synth(c), 'RoleBinding')).toEqual([]);
  });

  test('valid names: one get-only rule per name, each with exactly that resourceName (dotted and 253-char names too)', () => {
    const c = chart();
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(long).toHaveLength(253);
    new TieredPriorities(c, 'p').addTeam('ml', { readableSecrets: ['hf-token', long], readableConfigMaps: ['model.config'] });
    const [role] = ofKind(synth(c), 'Role');
    expect(role.rules).toHaveLength(3);
    for (const r of role.rules) {
      expect(r.verbs).toEqual(['get']);
      expect(r.resourceNames).toHaveLength(1);
    }
    const names = (res: string) => role.rules.filter((r: any) => r.resources.includes(res)).map((r: any) => r.resourceNames[0]).sort();
    expect(names('secrets')).toEqual(['hf-token', long].sort());
    expect(names('configmaps')).toEqual(['model.config']);
  });
});

describe('GpuTeam: other props', () => {
  test.each<[string, any, string]>([
    ['serviceAccountName ""', { serviceAccountName: '' }, 'serviceAccountName'],
    ['serviceAccountName "Bad_SA"', { serviceAccountName: 'Bad_SA' }, 'serviceAccountName'],
    ['serviceAccountName 5', { serviceAccountName: 5 }, 'serviceAccountName'],
    ['namespace 5', { namespace: 5 }, 'namespace'],
    ['namespace ""', { namespace: '' }, 'namespace'],
    ['migQuotas [undefined]', { migQuotas: [undefined] }, 'migQuotas[0]'],
    ['migQuotas as one entry', { migQuotas: { profile: '1g.10gb', count: 1 } }, 'migQuotas'],
    ['props null', null, 'props'],
    ['props a string', 'ml', 'props'],
  ])('%s is refused', (_label, props, property) => {
    const e = configError(addTeam(props));
    expect(e.constructPath).toBe('test/p/team-ml');
    expect(e.property).toBe(property);
  });

  test('a dotted serviceAccountName is a valid DNS subdomain and is used as given', () => {
    const c = chart();
    const props: GpuTeamProps = { serviceAccountName: 'ml.runner', readableSecrets: ['s'] };
    new TieredPriorities(c, 'p').addTeam('ml', props);
    const objs = synth(c);
    expect(ofKind(objs, 'ServiceAccount').map((s) => s.metadata.name)).toEqual(['ml.runner']);
    expect(ofKind(objs, 'RoleBinding')[0].subjects[0]).toMatchObject({ kind: 'ServiceAccount', name: 'ml.runner', namespace: 'ml' });
  });
});
