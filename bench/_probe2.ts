import { BUILTIN_RULES, ManifestIndex } from '../src/validation';
const src = require('fs').readFileSync(__dirname + '/_probe.ts', 'utf8');
const casesSrc = src.slice(src.indexOf('const pool ='), src.indexOf('for (const gate'));
// eslint-disable-next-line no-eval
const cases = eval(`(() => { ${casesSrc.replace(/: any\b|: Record<string, any\[\]>/g, '').replace(/\(o\)/g, '(o)')}; return cases; })()`);
const seen = new Set<string>();
for (const [name, objs] of Object.entries<any[]>(cases)) {
  const index = new ManifestIndex(objs.map((object: any) => ({ object })));
  for (const rule of BUILTIN_RULES) {
    try { for (const _ of rule.check(index.contextFor(rule, new Set()))) { /* */ } } catch (e) {
      const frame = String((e as Error).stack).split('\n').slice(1, 3).map((l) => l.trim().replace(/\(\/work\/w14\//, '(')).join(' < ');
      const key = `${(e as Error).message} ${frame}`;
      if (!seen.has(key)) { seen.add(key); console.log(`${name} ${rule.id}: ${(e as Error).message} @ ${frame}`); }
    }
  }
}
