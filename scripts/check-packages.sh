#!/usr/bin/env bash
# Every package must be fit to publish: publint (strict) and are-the-types-wrong find nothing.
# attw runs with the esm-only profile: the packages are ESM only, which CommonJS consumers on our minimum
# Node (20.19, where require(esm) is on by default) can still require.
set -euo pipefail
cd "$(dirname "$0")/.."
packs=$(mktemp -d "${TMPDIR:-/tmp}/effect-heygen-packs.XXXXXX")
trap 'rm -rf "$packs"' EXIT
for pkg in core test-utils cli; do
  (cd "packages/$pkg" && pnpm exec publint --strict --pack pnpm)
  (cd "packages/$pkg" && pnpm pack --pack-destination "$packs" >/dev/null)
done
for tgz in "$packs"/*.tgz; do
  pnpm exec attw "$tgz" --profile esm-only --format table-flipped
done
echo "check-packages: publint and attw report nothing"
