#!/usr/bin/env bash
# Fresh-project check: the package as npm would publish it, installed into a new project the way README.md's
# "Start a new project" says, with every example copied in as a user would copy it, must type-check and synthesise.
#
#   npx projen compile && scripts/pack-check.sh      # needs lib/ (the jsii build)
#
# What it checks:
# 1. `npm pack`: the tarball holds what the runtime reads (lib/, .jsii, crds/ for the schema gate, schemas/ for the DRA
#    schemas, the bundled dependencies, the CLI) and nothing of the repository's own (src/, test/, examples/, scratch
#    files).
# 2. A new project (npm init) with the tarball and the peer dependencies from the registry, TypeScript 5.9 and ts-node
#    (README.md's steps), and each example copied under <project>/<example>/app.ts (examples/eks imports
#    ../llm-serving/app, so the folder layout is kept):
#    - `tsc --noEmit` over all of them, against the installed package's .d.ts (what a user's compiler sees);
#    - each example run with ts-node: cdk8s YAML in <example>/dist/, the aws-cdk-lib apps' CloudFormation in cdk.out/;
#    - `npx cdk8s-gpu lint` and `plan` (the package's bin) over every YAML written: no error, every workload placeable.
# Prints the time it took. Exit 1 on the first failure, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$(date +%s)
fail() { echo "FAIL (pack-check): $*" >&2; exit 1; }

[ -f lib/index.js ] && [ -f .jsii ] || fail "lib/ or .jsii is missing: run 'npx projen compile' first"

work=$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-gpu-pack-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== npm pack"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
[ -f "$tarball" ] || fail "npm pack wrote no tarball"
tar -tzf "$tarball" | sed 's|^package/||' | sort > "$work/files.txt"
echo "$(wc -l < "$work/files.txt") files, $(du -k "$tarball" | cut -f1) KiB"

# Everything the runtime reads must be there...
required=(package.json .jsii README.md LICENSE lib/index.js lib/index.d.ts lib/cli/main.js schemas/resource.k8s.io-v1.json)
for f in crds/*.yaml; do required+=("$f"); done
for dep in $(node -p 'require("./package.json").bundledDependencies.join(" ")'); do required+=("node_modules/$dep/package.json"); done
for f in "${required[@]}"; do
  grep -qxF "$f" "$work/files.txt" || fail "the package lacks $f"
done
# ...and nothing else than the build, the data, the docs and the bundled dependencies.
unexpected=$(grep -vE '^(lib/.*\.(js|d\.ts)|crds/[^/]+\.(yaml|md)|schemas/[^/]+\.json|docs/[^/]+\.md|node_modules/.*|\.jsii|API\.md|README\.md|LICENSE|package\.json)$' "$work/files.txt" || true)
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
[ ${#examples[@]} -gt 0 ] || fail "no examples found"
grep -l "'\.\./\.\./src" ./*/app.ts && fail "an example imports from the repository's src/ (import from 'cdk8s-gpu')"

echo "== tsc --noEmit over ${examples[*]}"
npx tsc --noEmit -p . || fail "the examples do not type-check against the installed package"

for name in "${examples[@]}"; do
  t0=$(date +%s)
  (cd "$name" && npx ts-node --transpile-only app.ts > "$work/$name.log" 2>&1) || { tail -n 30 "$work/$name.log" >&2; fail "examples/$name did not synthesise"; }
  yaml=$(find "$name" -path '*/dist/*.k8s.yaml' | sort)
  templates=$(find "$name" -path '*/cdk.out/*.template.json' | sort)
  [ -n "$yaml$templates" ] || fail "examples/$name wrote no YAML and no CloudFormation template"
  if [ -n "$yaml" ]; then
    # shellcheck disable=SC2086
    npx cdk8s-gpu lint $yaml > "$work/$name.lint" 2>&1 || { cat "$work/$name.lint" >&2; fail "cdk8s-gpu lint found errors in examples/$name's YAML"; }
    # shellcheck disable=SC2086
    npx cdk8s-gpu plan $yaml > "$work/$name.plan" 2>&1 || { cat "$work/$name.plan" >&2; fail "cdk8s-gpu plan: a workload of examples/$name can never schedule"; }
  fi
  echo "✓ $name ($(( $(date +%s) - t0 )) s): $(echo $yaml $templates | wc -w) files"
done
echo "pack-check OK in $(( $(date +%s) - started )) s"
