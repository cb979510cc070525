import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Command } from 'commander'
import { generateTypes } from '../schema/codegen.ts'

/** `tributary codegen <files|dirs...> [--out file.ts]`: prints the module, or writes it to --out. */
export function codegenCommand(): Command {
  return new Command('codegen')
    .description('write TypeScript types for Avro (.avsc) and JSON Schema (.json) files')
    .argument('<paths...>', '.avsc or .json files, or directories holding them')
    .option('-o, --out <file.ts>', 'write the module to this file (its folder is created) instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ tributary codegen schemas/order-placed.avsc
  $ tributary codegen schemas/ --out src/generated/types.ts`,
    )
    .action((paths: string[], options: { out?: string }) => generate(paths, options.out))
}

function generate(paths: readonly string[], out: string | undefined): void {
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.avsc') || f.endsWith('.json'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  )
  if (files.length === 0) throw new Error(`no .avsc or .json files in ${paths.join(', ')}`)
  const code = generateTypes(files.map((path) => ({ path, text: readFileSync(path, 'utf8') })))
  if (out === undefined) {
    process.stdout.write(code)
    return
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, code)
  process.stderr.write(`wrote types for ${files.length} schema(s) to ${out}\n`)
}
