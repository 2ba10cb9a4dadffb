import * as fs from 'fs';
import * as path from 'path';
import { defaultRegistry, renderRulesDoc } from '../../src/validation';

describe('docs/rules.md', () => {
  test('is generated from the registry and up to date', () => {
    const file = path.join(__dirname, '..', '..', 'docs', 'rules.md');
    const expected = renderRulesDoc(defaultRegistry().all());
    const actual = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '<missing>';
    if (actual !== expected) {
      throw new Error('docs/rules.md is stale. Regenerate it: '
        + 'npx ts-node --transpile-only --project test/tsconfig.json scripts/gen-rules-doc.ts');
    }
  });

  test('lists every rule with its remediation', () => {
    const doc = renderRulesDoc(defaultRegistry().all());
    for (const r of defaultRegistry().all()) {
      expect(doc).toContain(`## ${r.id}`);
      expect(doc).toContain(r.remediation);
    }
  });
});
