import { CommanderError, InvalidArgumentError, type Command } from 'commander'

/** Exit codes of every command: 0 done (or help/version shown), 1 failed at run time, 2 misused. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

/**
 * Parses `argv` with `program` and runs the chosen command's action. Resolves with the exit code:
 * help and `--version` print to stdout and give 0; a usage error (unknown command or option, a
 * bad or missing value) prints one line to stderr, ending with where to read the help, and gives
 * 2; an action that throws prints `<command>: <message>` and gives 1. No stack trace reaches the
 * user: set TRIBUTARY_DEBUG=1 to see one.
 */
export async function runCommandLine(program: Command, argv: readonly string[]): Promise<number> {
  process.stdout.on('error', endOnClosedPipe)
  const failed: { command?: string } = {}
  configure(program, failed)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return EXIT.ok
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    process.stderr.write(`${failed.command ?? program.name()}: ${describeError(err)}\n`)
    if (process.env['TRIBUTARY_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`)
    return EXIT.failed
  }
}

/** The message, with the codes Node adds to file and network errors turned into what to do. */
export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  if (e.code === 'ENOENT' && e.path !== undefined) return `${e.path}: no such file or directory`
  if (e.code === 'EACCES' && e.path !== undefined) return `${e.path}: permission denied`
  if (e.code === 'EADDRINUSE') return `${e.message.replace(/^listen EADDRINUSE: /, '')}: choose a free port`
  return err instanceof Error ? err.message : String(err)
}

/** A commander argument parser: `(text) => value`, with a usage error naming what was expected. */
export function parseWith<T>(expected: string, parse: (text: string) => T | undefined) {
  return (text: string): T => {
    const value = parse(text)
    if (value === undefined) throw new InvalidArgumentError(`expected ${expected}`)
    return value
  }
}

export const portNumber = parseWith('a port number 0-65535', (text) => {
  const n = Number(text)
  return /^\d+$/.test(text) && n <= 65535 ? n : undefined
})

function configure(command: Command, failed: { command?: string }): void {
  const path = commandPath(command)
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      // commander's "error: ...\n(Did you mean ...?)" as one line, with the command and the way out.
      outputError: (text, write) =>
        write(
          `${path}: ${text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim()}` + ` (see '${path} --help')\n`,
        ),
    })
    .hook('preAction', (_self, action) => {
      failed.command = commandPath(action)
    })
  for (const sub of command.commands) configure(sub, failed)
}

function commandPath(command: Command): string {
  const names: string[] = []
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/**
 * A reader that stops early (`... --help | head`) closes stdout: the command has nothing left to
 * say, so it ends with 0 instead of an EPIPE stack trace. Any other stdout error ends it with 1.
 */
function endOnClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0)
  process.stderr.write(`stdout: ${err.message}\n`)
  process.exit(1)
}
