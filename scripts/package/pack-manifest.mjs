// `npm pack` / `npm publish` of packages/tributary: `prepack` compiles src/ to dist/ and swaps
// in the published package.json; `postpack` puts the repository's back.
//
// Why a swap: in the repository, the exports point at src/*.ts so every workspace, test and bin
// runs the TypeScript directly through tsx, with no build step and no custom resolve condition to
// pass to each `node` (child processes included). The published package is compiled JavaScript
// with .d.ts types: its exports have `types` and `default` conditions into dist/, its bin runs
// on plain node, and it carries no scripts or devDependencies. npm reads the package.json on
// disk after prepack (the same mechanism `pinst` relies on), so the tarball holds the published
// one. A pack that died halfway leaves package.json.repo behind; the next prepack restores it.
//
//   node scripts/package/pack-manifest.mjs prepack|postpack   (cwd: packages/tributary)
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'

const MANIFEST = 'package.json'
const SAVED = 'package.json.repo'

function restore() {
  if (existsSync(SAVED)) renameSync(SAVED, MANIFEST)
}

/** `./src/x/index.ts` → `{ types: './dist/x/index.d.ts', default: './dist/x/index.js' }` */
function compiled(target) {
  if (!/^\.\/src\/.+\.ts$/.test(target))
    throw new Error(`pack-manifest: export target ${target} is not ./src/*.ts`)
  const base = target.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '')
  return { types: `${base}.d.ts`, default: `${base}.js` }
}

function prepack() {
  restore()
  const repo = JSON.parse(readFileSync(MANIFEST, 'utf8'))
  rmSync('dist', { recursive: true, force: true })
  execFileSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
  // The bin: the CLI's main() from the compiled sources.
  mkdirSync('dist/bin', { recursive: true })
  writeFileSync(
    'dist/bin/tributary.js',
    "#!/usr/bin/env node\nimport { main } from '../cli/main.js'\n\nprocess.exitCode = await main(process.argv.slice(2))\n",
    { mode: 0o755 },
  )
  const { scripts: _scripts, devDependencies: _dev, exports, bin, ...kept } = repo
  const published = {
    ...kept,
    exports: Object.fromEntries(Object.entries(exports).map(([path, target]) => [path, compiled(target)])),
    types: './dist/index.d.ts',
    bin: Object.fromEntries(Object.keys(bin).map((name) => [name, './dist/bin/tributary.js'])),
  }
  copyFileSync(MANIFEST, SAVED)
  writeFileSync(MANIFEST, `${JSON.stringify(published, null, 2)}\n`)
}

const step = process.argv[2]
if (step === 'prepack') prepack()
else if (step === 'postpack') restore()
else throw new Error('usage: pack-manifest.mjs prepack|postpack')
