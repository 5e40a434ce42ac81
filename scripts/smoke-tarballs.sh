#!/usr/bin/env bash
# Proves the published packages work outside the workspace: pack each package, install the tarballs into a
# fresh project in a temporary folder (npm, no workspace links), then run
#   (a) an Effect program that creates an endpoint against the sandbox server through the public API only, and
#   (b) the CLI bin's --help and a --sandbox create.
# Expects `pnpm build` to have run (pnpm test does).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/effect-heygen-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/packs" "$work/app"

for pkg in core test-utils cli; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$work/packs" >/dev/null)
done

cd "$work/app"
cat > package.json <<'JSON'
{ "name": "smoke", "private": true, "type": "module" }
JSON
# The consumer brings the peers (effect, @effect/platform, ...), at the versions the workspace tests.
npm install --no-audit --no-fund --loglevel=error \
  "$work"/packs/effect-heygen-core-*.tgz "$work"/packs/effect-heygen-test-utils-*.tgz "$work"/packs/effect-heygen-cli-*.tgz \
  effect@3.22.4 @effect/platform@0.97.2 @effect/platform-node@0.108.2 fast-check@3.23.2 >/dev/null

cat > program.mjs <<'JS'
import { NodeHttpClient } from "@effect/platform-node"
import { createWebhookEndpoint, HeyGenClient } from "@effect-heygen/core"
import { FakeHeyGen, FakeServer } from "@effect-heygen/test-utils"
import { Effect, Layer, Redacted } from "effect"

const program = Effect.gen(function*() {
  const { baseUrl, fake } = yield* FakeServer.FakeServer
  const created = yield* createWebhookEndpoint({ url: "https://example.com/smoke", events: ["avatar_video.success"] }).pipe(
    Effect.provide(HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey, baseUrl }).pipe(Layer.provide(NodeHttpClient.layerUndici)))
  )
  const secret = created.endpoint.secret === null ? "" : Redacted.value(created.endpoint.secret)
  if (!created.endpoint.endpoint_id.startsWith("ep_") || !secret.startsWith("whsec_")) throw new Error("unexpected endpoint")
  console.log(`program: created ${created.endpoint.endpoint_id} at ${baseUrl} with key ${created.idempotencyKey}`)
})
await Effect.runPromise(program.pipe(Effect.provide(FakeServer.layer()), Effect.scoped))
JS
node program.mjs

bin=./node_modules/.bin/effect-heygen
# The sandbox keeps its state between commands: give it a file of its own, so runs never meet each other's.
export EFFECT_HEYGEN_SANDBOX_STATE="$work/sandbox.json"
"$bin" --help | grep -q "webhook" || { echo "smoke: --help does not mention webhook" >&2; exit 1; }
echo "cli: --help ok"
out=$("$bin" webhook endpoints create --sandbox --url https://example.com/smoke-cli)
echo "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const o=JSON.parse(s);if(!o.data.endpoint_id.startsWith("ep_")||!o.data.secret.startsWith("whsec_"))process.exit(1);console.log("cli: created "+o.data.endpoint_id)})'
"$bin" webhook endpoints list --sandbox | grep -q "smoke-cli" || { echo "smoke: the sandbox forgot the endpoint" >&2; exit 1; }
echo "cli: listed it in a second process"
echo "smoke: tarballs install and run outside the workspace"
