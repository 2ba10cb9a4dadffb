#!/usr/bin/env bash
# Fresh-project check: the package as npm would publish it, installed into a new project the way README.md's
# "Start a new project" says, with every example copied in as a user would copy it, must type-check and synthesise.
#
#   npx projen compile && scripts/pack-check.sh      # needs lib/ (the jsii build)
#
# What it checks:
# 1. `npm pack`: the tarball holds what the runtime reads (lib/, .jsii, crds/ for the schema gate and schema-cache/, its
#    precompiled validators, schemas/ for the DRA schemas, the bundled dependencies, the CLI) and nothing of the repository's own (src/, test/, examples/, scratch
#    files).
# 2. A new project (npm init) with the tarball and the peer dependencies from the registry, TypeScript 5.9 and ts-node
#    (README.md's steps), and each example copied under <project>/<example>/app.ts (examples/eks imports
#    ../llm-serving/app, so the folder layout is kept):
#    - `tsc --noEmit` over all of them, against the installed package's .d.ts (what a user's compiler sees);
#    - each example run with ts-node: cdk8s YAML in <example>/dist/, the aws-cdk-lib apps' CloudFormation in cdk.out/;
#    - the same for README.md's first TypeScript block (readme/main.ts) and docs/guide.md's walkthrough (guide/main.ts);
#    - `npx cdk8s-gpu lint` (the package's bin) over every YAML written: no error; `plan` on it: no error (exit 0).
# Prints the time it took. Exit 1 on the first failure, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$(date +%s)
fail() { echo "FAIL (pack-check): $*" >&2; exit 1; }

[ -f lib/index.js ] && [ -f .jsii ] && [ -f schema-cache/index.json ] || fail "lib/, .jsii or schema-cache/ is missing: run 'npx projen compile' first"

work=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-gpu-pack-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== npm pack"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
[ -f "$tarball" ] || fail "npm pack wrote no tarball"
tar -tzf "$tarball" | sed 's|^package/||' | sort > "$work/files.txt"
echo "$(wc -l < "$work/files.txt") files, $(du -k "$tarball" | cut -f1) KiB"

# Everything the runtime reads must be there...
required=(package.json .jsii README.md LICENSE lib/index.js lib/index.d.ts lib/cli/main.js schemas/resource.k8s.io-v1.json
  schema-cache/index.json)
for f in crds/*.yaml; do required+=("$f"); done
for dep in $(node -p 'require("./package.json").bundledDependencies.join(" ")'); do required+=("node_modules/$dep/package.json"); done
for f in "${required[@]}"; do
  grep -qxF "$f" "$work/files.txt" || fail "the package lacks $f"
done
# ...and nothing else than the build, the data, the docs and the bundled dependencies.
unexpected=$(grep -vE '^(lib/.*\.(js|d\.ts)|crds/[^/]+\.(yaml|md)|schemas/[^/]+\.json|schema-cache/.*\.(js|json)|docs/[^/]+\.md|node_modules/.*|\.jsii|API\.md|README\.md|LICENSE|package\.json)$' "$work/files.txt" || true)
[ -z "$unexpected" ] || fail "the package holds files users must not get:
$unexpected"
grep -qE '(^|/)[^/]*\.test\.(js|ts)$' <(grep -v '^node_modules/' "$work/files.txt") && fail "the package holds test files"

echo "== a new project with the tarball and the peer dependencies (README.md: Start a new project)"
proj="$work/project"
mkdir -p "$proj"
cd "$proj"
npm init -y > /dev/null
install() { npm install --no-audit --no-fund --prefer-offline "$@" > "$work/install.log" 2>&1 || { tail -n 20 "$work/install.log" >&2; fail "npm install $*"; }; }
# The README installs `cdk8s-gpu` by name; here the tarball stands for it. npm installs the other peers itself.
install "$tarball" cdk8s cdk8s-plus-30 constructs
install --save-dev typescript@5.9.3 ts-node@10.9.2 @types/node@20
cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "commonjs",
    "lib": ["es2022"],
    "strict": true,
    "esModuleInterop": true,
    "skipLibCheck": true,
    "types": ["node"]
  }
}
EOF

examples=()
for dir in "$root"/examples/*/; do
  name=$(basename "$dir")
  [ -f "$dir/app.ts" ] || continue
  examples+=("$name")
  mkdir -p "$name"
  cp "$dir/app.ts" "$name/app.ts"
done
app_of() { if [ -f "$1/app.ts" ]; then echo app.ts; else echo main.ts; fi; }
[ ${#examples[@]} -gt 0 ] || fail "no examples found"
# The README's 20-line app and the guide's walkthrough (docs/guide.md, the blocks marked `test: platform` and
# `test: synth`), as a user pastes them into a main.ts.
mkdir -p readme guide
node -e '
  const fs = require("fs");
  const readme = fs.readFileSync(process.argv[1], "utf8");
  fs.writeFileSync("readme/main.ts", /```ts\n([\s\S]*?)```/.exec(readme)[1]);
  const lines = fs.readFileSync(process.argv[2], "utf8").split("\n");
  const blocks = [];
  lines.forEach((l, i) => {
    if (/^<!-- test: (platform|synth after platform) -->$/.test(l) && lines[i + 1] === "```ts") {
      blocks.push(lines.slice(i + 2, lines.indexOf("```", i + 2)).join("\n"));
    }
  });
  if (blocks.length < 2) throw new Error("docs/guide.md: no walkthrough blocks found");
  fs.writeFileSync("guide/main.ts", blocks.join("\n"));
' "$root/README.md" "$root/docs/guide.md"
examples+=(readme guide)
grep -l "'\.\./\.\./src" ./*/app.ts && fail "an example imports from the repository's src/ (import from 'cdk8s-gpu')"

echo "== tsc --noEmit over ${examples[*]}"
npx tsc --noEmit -p . || fail "the examples do not type-check against the installed package"

# One app: run it as a user would, lint and plan its YAML; prints its report, returns 1 on failure.
check_app() {
  local name=$1 t0 app yaml templates plan_rc=0
  t0=$(date +%s)
  app=$(app_of "$name")
  (cd "$name" && npx ts-node --transpile-only "$app" > "$work/$name.log" 2>&1) || { tail -n 30 "$work/$name.log"; echo "FAIL: $name did not synthesise"; return 1; }
  yaml=$(find "$name" -path '*/dist/*.k8s.yaml' | sort)
  templates=$(find "$name" -path '*/cdk.out/*.template.json' | sort)
  [ -n "$yaml$templates" ] || { echo "FAIL: $name wrote no YAML and no CloudFormation template"; return 1; }
  if [ -n "$yaml" ]; then
    # shellcheck disable=SC2086
    npx cdk8s-gpu lint $yaml > "$work/$name.lint" 2>&1 || { cat "$work/$name.lint"; echo "FAIL: cdk8s-gpu lint found errors in $name/dist"; return 1; }
    # plan runs from the package and finds nothing that can never schedule (exit 0; warnings are fine, e.g.
    # examples/distributed-training's weekly CronJob, whose runs wait while the fine-tuning Job holds the Capacity Block).
    # shellcheck disable=SC2086
    npx cdk8s-gpu plan $yaml > "$work/$name.plan" 2>&1 || plan_rc=$?
    if [ "$plan_rc" -ne 0 ] || ! grep -q '^GPU plan:' "$work/$name.plan"; then cat "$work/$name.plan"; echo "FAIL: cdk8s-gpu plan on $name/dist exited $plan_rc"; return 1; fi
  fi
  echo "✓ $name ($(( $(date +%s) - t0 )) s): $(echo $yaml $templates | wc -w) files"
}

# As many apps at once as there are cores; reports in order.
parallel=$(nproc 2>/dev/null || echo 2)
echo "== run ${examples[*]} ($parallel at a time)"
for name in "${examples[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do sleep 1; done
  { if check_app "$name" > "$work/$name.report" 2>&1; then echo 0 > "$work/$name.rc"; else echo 1 > "$work/$name.rc"; fi; } &
done
wait
failed=()
for name in "${examples[@]}"; do
  cat "$work/$name.report"
  [ "$(cat "$work/$name.rc" 2>/dev/null)" = 0 ] || failed+=("$name")
done
[ ${#failed[@]} -eq 0 ] || fail "${failed[*]}"
echo "pack-check OK in $(( $(date +%s) - started )) s"
