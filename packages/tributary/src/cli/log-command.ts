import { existsSync } from 'node:fs'
import { Command } from 'commander'
import { checkDataDir } from '../log/embedded/data-dir-check.ts'
import { repairDataDir } from '../log/embedded/data-dir-repair.ts'

/** `tributary log check|repair --data-dir DIR`: the embedded log's damage report and repair. */
export function logCommand(): Command {
  const dataDir = (command: Command): Command =>
    command.requiredOption('-d, --data-dir <dir>', 'the data directory of the embedded log')
  return new Command('log')
    .description('check or repair the data directory of an embedded log (stop the app using it first)')
    .addCommand(
      dataDir(new Command('check'))
        .description('list every damaged file, missing file and offset beyond its end; changes nothing')
        .addHelpText(
          'after',
          `\nExit code 0: no damage; 1: damage found (see the list); 2: usage error.\n\nExample:\n  $ tributary log check --data-dir .data/log`,
        )
        .action((options: { dataDir: string }) => runCheck(options.dataDir)),
    )
    .addCommand(
      dataDir(new Command('repair'))
        .description('set damaged files aside in quarantine/, keep every intact record, report what was lost')
        .addHelpText(
          'after',
          `\nA damaged file is copied whole to <dir>/quarantine/ first, then rewritten with its intact records\n(records after a damaged one are kept wherever framing allows). Run check first to see what repair will do.\n\nExample:\n  $ tributary log repair --data-dir .data/log`,
        )
        .action((options: { dataDir: string }) => runRepair(options.dataDir)),
    )
}

function requireDir(dir: string): void {
  if (!existsSync(dir)) throw new Error(`${dir}: no such data directory`)
}

function runCheck(dir: string): void {
  requireDir(dir)
  const { findings, notes } = checkDataDir(dir)
  for (const n of notes) process.stdout.write(`note: ${n.path}: ${n.problem}\n`)
  if (findings.length === 0) {
    process.stdout.write(`${dir}: no damage found\n`)
    return
  }
  for (const f of findings) process.stdout.write(`${f.path}: ${f.problem}\n`)
  throw new Error(
    `${findings.length} problem(s) found; \`tributary log repair --data-dir ${dir}\` repairs them`,
  )
}

function runRepair(dir: string): void {
  requireDir(dir)
  const { actions, lost } = repairDataDir(dir)
  if (actions.length === 0) {
    process.stdout.write(`${dir}: nothing to repair\n`)
    return
  }
  for (const a of actions) process.stdout.write(`repaired: ${a}\n`)
  for (const l of lost) process.stdout.write(`lost: ${l}\n`)
  if (lost.length === 0) process.stdout.write('nothing was lost\n')
}
