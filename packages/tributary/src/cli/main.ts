import { runCodegen } from './codegen-command.ts'
import { runRegistry } from './registry-command.ts'

const USAGE = `usage: tributary <command> [options]

commands:
  registry [--port 8081] [--host 127.0.0.1] [--data-dir .tributary/registry]
      serve a Confluent-compatible schema registry on an embedded log in DIR
  codegen <file.avsc|file.json|dir>... [--out types.ts]
      write TypeScript types for Avro (.avsc) and JSON Schema (.json) files
`

/** Runs one CLI command; resolves with the exit code (long-running commands resolve on signal). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === 'registry') return await runRegistry(rest)
    if (command === 'codegen') return await runCodegen(rest)
    process.stdout.write(USAGE)
    return command === undefined || command === 'help' || command === '--help' ? 0 : 2
  } catch (err) {
    process.stderr.write(`tributary ${command}: ${(err as Error).message}\n`)
    return 1
  }
}

/** `--name value` and `--name=value` options, and the positional arguments. */
export function parseArgs(argv: readonly string[]): { options: Map<string, string>; positional: string[] } {
  const options = new Map<string, string>()
  const positional: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) positional.push(arg)
    else if (arg.includes('=')) options.set(arg.slice(2, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1))
    else options.set(arg.slice(2), argv[++i] ?? '')
  }
  return { options, positional }
}
