import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateTypes } from '../schema/codegen.ts'
import { parseArgs } from './main.ts'

/** `tributary codegen <files|dirs> [--out file.ts]`: prints the module, or writes it to --out. */
export async function runCodegen(argv: readonly string[]): Promise<number> {
  const { options, positional } = parseArgs(argv)
  if (positional.length === 0)
    throw new Error('name .avsc or JSON Schema (.json) files, or directories holding them')
  const paths = positional.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.avsc') || f.endsWith('.json'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  )
  const code = generateTypes(paths.map((path) => ({ path, text: readFileSync(path, 'utf8') })))
  const out = options.get('out')
  if (out === undefined) process.stdout.write(code)
  else {
    writeFileSync(out, code)
    process.stderr.write(`wrote types for ${paths.length} schema(s) to ${out}\n`)
  }
  return 0
}
