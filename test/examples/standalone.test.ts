/**
 * The examples can be copied into a project of their own (README.md "Start a new project"; scripts/pack-check.sh does
 * it with the packed library in CI): they import the library as 'cdk8s-gpu', other code only from the packages such a
 * project installs, and say how to run them there.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES_DIR } from './helpers';

/** What a project started as the README says has: the library, its peers, and Node's own modules. */
const INSTALLED = new Set(['cdk8s-gpu', 'cdk8s', 'cdk8s-plus-30', 'constructs', 'aws-cdk-lib', 'path', 'fs', 'os']);

const examples = fs.readdirSync(EXAMPLES_DIR).filter((name) => fs.existsSync(path.join(EXAMPLES_DIR, name, 'app.ts'))).sort();

describe.each(examples)('examples/%s', (name) => {
  const source = fs.readFileSync(path.join(EXAMPLES_DIR, name, 'app.ts'), 'utf8');
  const imports = [...source.matchAll(/^import [^;]*? from '([^']+)';/gms)].map((m) => m[1]);

  test('imports the library as cdk8s-gpu, and nothing a new project lacks', () => {
    expect(imports).toContain('cdk8s-gpu');
    const outside = imports.filter((i) => !INSTALLED.has(i) && !/^aws-cdk-lib\//.test(i)
      // another example, copied next to this one (examples/eks uses llm-serving's charts)
      && !/^\.\.\/[a-z-]+\/app$/.test(i));
    expect(outside).toEqual([]);
    for (const sibling of imports.filter((i) => i.startsWith('../'))) {
      expect(fs.existsSync(path.join(EXAMPLES_DIR, name, `${sibling}.ts`))).toBe(true);
    }
  });

  test('its README and header say how to run it in a project of its own', () => {
    const readme = fs.readFileSync(path.join(EXAMPLES_DIR, name, 'README.md'), 'utf8');
    expect(readme).toContain(`npx ts-node ${name}/app.ts`);
    expect(source).toContain(`npx ts-node ${name}/app.ts`);
    expect(source).toContain(`npm run synth -- ${name}`);
    for (const sibling of imports.filter((i) => i.startsWith('../'))) {
      expect(readme).toContain(sibling.replace(/^\.\.\//, '').replace(/\/app$/, '/app.ts'));
    }
  });
});
