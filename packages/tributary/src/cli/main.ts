import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { codegenCommand } from './codegen-command.ts'
import { logCommand } from './log-command.ts'
import { registryCommand } from './registry-command.ts'
import { runCommandLine } from './run-command-line.ts'

/** The same path from src/cli and from a compiled cli folder beside it. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url)

/** The `tributary` command and its subcommands; nothing runs until it is parsed. */
export function tributaryProgram(): Command {
  const { version } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }
  return new Command('tributary')
    .description('Operator tools of Tributary (tributary-streams)')
    .version(version, '-V, --version', 'print the version')
    .addCommand(registryCommand())
    .addCommand(codegenCommand())
    .addCommand(logCommand())
    .addHelpText('after', `\nRun 'tributary <command> --help' for a command's options and examples.`)
}

/** Runs one command line; resolves with the exit code (long-running commands resolve on signal). */
export function main(argv: readonly string[]): Promise<number> {
  return runCommandLine(tributaryProgram(), argv)
}
