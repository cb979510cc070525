import { CommanderError, InvalidArgumentError, type Command } from 'commander'

/**
 * Parses `argv` with `program` and runs the chosen action. Resolves with the exit code: 0 when
 * done or when help/--version was printed; 2 for a usage error (unknown command or option, bad or
 * missing value), printed as one line naming the command and its help; 1 when the action threw,
 * printed as `order-analytics <command>: <message>` (set TRIBUTARY_DEBUG=1 for the stack).
 * Long-running commands resolve once started; they end the process themselves (see serve.ts).
 */
export async function runCommandLine(program: Command, argv: readonly string[]): Promise<number> {
  process.stdout.on('error', endOnClosedPipe)
  let running = program.name()
  const configure = (command: Command): void => {
    const path = commandPath(command)
    command
      .exitOverride()
      .configureOutput({
        outputError: (text, write) =>
          write(
            `${path}: ${text
              .replace(/^error: /, '')
              .replace(/\s*\n\s*/g, ' ')
              .trim()} (see '${path} --help')\n`,
          ),
      })
      .hook('preAction', (_self, action) => {
        running = commandPath(action)
      })
    command.commands.forEach(configure)
  }
  configure(program)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError)
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? 0
        : 2
    process.stderr.write(`${running}: ${errorLine(err)}\n`)
    if (process.env['TRIBUTARY_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`)
    return 1
  }
}

/** One line for the user: configuration errors already name the variable and what it must be. */
export function errorLine(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number }
  if (e.code === 'EADDRINUSE') return `port ${e.port ?? ''} is already in use: set PORT to a free port`
  if (e.code === 'ENOENT' && e.path !== undefined) return `${e.path}: no such file or directory`
  return err instanceof Error ? err.message : String(err)
}

/** A commander value parser for an integer of at least `min`. */
export function integerAtLeast(min: number): (text: string) => number {
  return numberWhere(`an integer >= ${min}`, (n) => Number.isSafeInteger(n) && n >= min)
}

/** A commander value parser for a number above zero. */
export const positiveNumber = numberWhere('a number > 0', (n) => Number.isFinite(n) && n > 0)

function numberWhere(expected: string, valid: (n: number) => boolean): (text: string) => number {
  return (text) => {
    const n = Number(text)
    if (text.trim() === '' || !valid(n)) throw new InvalidArgumentError(`expected ${expected}`)
    return n
  }
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
