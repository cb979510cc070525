#!/usr/bin/env bash
# The published package, checked as a user meets it: `npm pack` of packages/tributary (prepack
# compiles it), the tarball installed into a fresh project outside the repository, then with
# plain `node` (no tsx): the README's ten-line topology and its embedded StreamsApp snippet,
# the `tributary --help` bin, the one-line CONFIG error of a subpath whose optional peer is not
# installed; then, with the peers installed, every subpath export loads, and `tsc` (strict, no
# allowImportingTsExtensions) compiles a consumer project against the shipped types.
#   scripts/check-package.sh [--keep]   --keep: leave the temp project for a look
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/use-node.sh 24

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tributary-package.XXXXXX")"
[[ "${1:-}" == "--keep" ]] && echo "check-package: keeping $WORK" || trap 'rm -rf "$WORK"' EXIT
fail() {
  echo "check-package: $*" >&2
  exit 1
}
npm_quiet() { npm --no-audit --no-fund --loglevel=error --prefer-offline "$@"; }

echo "== pack"
npm_quiet pack -w tributary-streams --pack-destination "$WORK" >/dev/null
TARBALL="$(ls "$WORK"/tributary-streams-*.tgz)"
files="$(tar tzf "$TARBALL")"
grep -qE '\.test\.|/test/|tsconfig|/src/' <<<"$files" && fail "the tarball ships non-runtime files"
for f in package/LICENSE package/dist/index.js package/dist/index.d.ts package/dist/index.js.map \
  package/dist/bin/tributary.js; do
  grep -qx "$f" <<<"$files" || fail "the tarball lacks $f"
done

echo "== install the tarball into $WORK/app"
APP="$WORK/app"
mkdir -p "$APP"
cd "$APP"
echo '{ "name": "app", "private": true, "type": "module" }' >package.json
npm_quiet install "$TARBALL" >/dev/null

# The README's two snippets (the first ```ts blocks after "## A topology in ten lines"), run as
# they stand; each `expr // result` line prints its value to compare with the comment.
node - "$ROOT/README.md" <<'JS'
const fs = await import('node:fs')
const text = fs.readFileSync(process.argv[2], 'utf8')
const section = text.slice(text.indexOf('## A topology in ten lines'))
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].slice(0, 2).map((m) => m[1])
const printed = blocks[0].replace(/^(\w[^=\n]*?\)) \/\/ .*$/gm, 'console.log($1)')
fs.writeFileSync('topology.mjs', printed)
fs.writeFileSync('streams-app.mjs', `${printed}\n${blocks[1]}
const producer = await log.producer()
await producer.send([{ topic: 'text-lines', key: Buffer.from('l'), value: Buffer.from('Hello world, hello streams') }])
const deadline = Date.now() + 30_000
while ((await app.store('word-counts').get('hello')) !== 2) {
  if (Date.now() > deadline) throw new Error('StreamsApp did not count the words in 30 s')
  await new Promise((r) => setTimeout(r, 100))
}
console.log('streams-app: hello = 2')
await app.close()
await log.close()
`)
JS

echo "== README topology (plain node $(node --version))"
out="$(node topology.mjs)"
echo "$out"
grep -q "'hello' => 2" <<<"$out" && grep -qx 2 <<<"$out" || fail "the README topology printed something else"

echo "== README StreamsApp snippet"
node streams-app.mjs | tail -n 1

echo "== tributary --help"
help="$(npx --no-install tributary --help)"
head -n 3 <<<"$help"

echo "== subpaths without their optional peers"
# /kafka needs its client to load; the others load (a feature that needs a peer fails when used).
node --input-type=module -e "
const subpaths = ['tributary-streams', 'tributary-streams/testing', 'tributary-streams/connect',
  'tributary-streams/postgres', 'tributary-streams/observe', 'tributary-streams/schema']
await Promise.all(subpaths.map((s) => import(s)))
console.log('loaded without peers: ' + subpaths.join(' '))"
node -e "import('tributary-streams/kafka').then(
  () => { console.error('imported without @platformatic/kafka'); process.exit(1) },
  (err) => { console.log(err.code + ': ' + err.message); process.exit(err.code === 'CONFIG' && !err.message.includes('\n') ? 0 : 1) })"

echo "== the optional peers, every subpath export"
npm_quiet install @platformatic/kafka pg @types/pg @electric-sql/pglite avsc ajv "@types/node@22" >/dev/null
node -e "
const subpaths = Object.keys(JSON.parse(require('fs').readFileSync('node_modules/tributary-streams/package.json')).exports)
Promise.all(subpaths.map((s) => import(s === '.' ? 'tributary-streams' : 'tributary-streams' + s.slice(1)))).then(
  () => console.log('loaded: ' + subpaths.join(' ')))"

echo "== tsc, strict, against the shipped types"
cp topology.mjs topology.ts
cat >consumer.ts <<'TS'
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder, TributaryError, type StreamsConfig } from 'tributary-streams'
import { TopologyTestDriver } from 'tributary-streams/testing'
import { KafkaLog, type KafkaLogOptions } from 'tributary-streams/kafka'
import { avro, envelopes } from 'tributary-streams/schema'
import { PostgresSink, pgSqlClient, pgliteSqlClient } from 'tributary-streams/postgres'
import * as observe from 'tributary-streams/observe'
import * as connect from 'tributary-streams/connect'

const builder = new StreamsBuilder()
const words = builder.stream('in', { key: Serdes.string(), value: Serdes.string() })
// @ts-expect-error: values are strings, so the compiler knows toFixed does not exist.
words.mapValues((value) => value.toFixed(2))
const lengths = words.mapValues((value) => value.length)
lengths.to('out', { key: Serdes.string(), value: Serdes.number() })
const options: KafkaLogOptions = { brokers: ['127.0.0.1:9092'] }
const connectLog: (o: KafkaLogOptions) => Promise<KafkaLog> = KafkaLog.connect
const config: Partial<StreamsConfig> = { applicationId: 'typed' }
export const used = [TopologyTestDriver, EmbeddedLog, StreamsApp, TributaryError, avro, envelopes,
  PostgresSink, pgSqlClient, pgliteSqlClient, observe, connect, options, connectLog, config]
TS
cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "skipLibCheck": false,
    "noEmit": true,
    "types": ["node"]
  },
  "files": ["consumer.ts", "topology.ts"]
}
JSON
# skipLibCheck stays off so the shipped .d.ts files are checked too; errors inside other
# packages' own .d.ts files (PGlite's, the Kafka client's) are theirs and not counted.
errors="$(node "$ROOT/node_modules/typescript/bin/tsc" -p tsconfig.json | grep 'error TS' || true)"
ours="$(grep -vE '^node_modules/(@electric-sql|@platformatic|pg|@types)/' <<<"$errors" || true)"
[[ -z "$ours" ]] || fail "tsc: $ours"
[[ -z "$errors" ]] || echo "(not ours: $(wc -l <<<"$errors") errors inside third-party .d.ts files)"
echo "check-package: ok"
