import * as fs from 'fs';
import { readInputs } from '../src/cli/yaml-input';
(async () => {
  const small = Array.from({ length: 200000 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join('---\n');
  fs.writeFileSync('/tmp/w14-small.yaml', small);
  fs.writeFileSync('/tmp/w14-empty.yaml', '---\n'.repeat(1000000));
  for (const f of ['/tmp/w14-small.yaml', '/tmp/w14-empty.yaml', '/dev/zero']) {
    const t0 = Date.now();
    const r = await readInputs([f]);
    console.log(f, `${Date.now() - t0} ms`, r.manifests.length, r.problems.length, r.problems[r.problems.length - 1]?.message, `${Math.round(process.memoryUsage().rss / 1e6)} MB rss`);
  }
  const merged = await readInputs(['-'], { stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: i\n    resources:\n      limits:\n        <<: {nvidia.com/gpu: 2}\n' });
  console.log(JSON.stringify(merged.manifests[0].object.spec.containers[0].resources));
})();
