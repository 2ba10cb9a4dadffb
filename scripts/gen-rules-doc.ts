/**
 * Writes docs/rules.md from the built-in rule registry.
 * Run: npx ts-node --transpile-only --project test/tsconfig.json scripts/gen-rules-doc.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultRegistry } from '../src/validation/registry';
import { renderRulesDoc } from '../src/validation/docs';

const target = path.join(__dirname, '..', 'docs', 'rules.md');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, renderRulesDoc(defaultRegistry().all()));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
