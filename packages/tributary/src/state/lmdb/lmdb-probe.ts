import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/**
 * The probe, run by a child Node process: opens each environment read-only and reads every entry
 * of its databases (every branch, leaf and overflow page they reach). Lines on stdout: `begin i`,
 * `progress i` (every 100,000 entries), `ok i` or `bad i <message as JSON>`.
 */
const PROBE = `
const { open } = await import(process.argv[1])
const dirs = JSON.parse(process.argv[2])
for (let i = 0; i < dirs.length; i++) {
  console.log('begin ' + i)
  try {
    const env = open({ path: dirs[i], noSubdir: false, maxDbs: 2, readOnly: true })
    let entries = 0
    for (const name of ['data', 'meta']) {
      const db = env.openDB(name, { keyEncoding: 'binary', encoding: 'binary' })
      if (db === undefined) continue
      for (const { key, value } of db.getRange({})) {
        if (!(key instanceof Uint8Array) || !(value instanceof Uint8Array)) throw new Error('entry of the wrong type in ' + name)
        if (++entries % 100000 === 0) console.log('progress ' + i)
      }
    }
    await env.close()
    console.log('ok ' + i)
  } catch (err) {
    console.log('bad ' + i + ' ' + JSON.stringify(String(err && err.message || err)))
  }
}
`

/** A probe that shows no sign of life for this long is killed; its current store counts as damaged. */
const SILENCE_MS = 120_000

interface ProbeRun {
  /** Verdicts of the stores the child finished, in order (undefined: readable). */
  readonly verdicts: (string | undefined)[]
  /** The store the child had begun and not finished when it died. */
  readonly reading: number | undefined
  /** How the child died, if it did. */
  readonly died: string | undefined
}

/** Runs one probe child over `dirs`. */
function runProbe(dirs: readonly string[]): Promise<ProbeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', PROBE, import.meta.resolve('lmdb'), JSON.stringify(dirs)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    )
    const verdicts: (string | undefined)[] = []
    let reading: number | undefined
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    const alive = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => child.kill('SIGKILL'), SILENCE_MS)
    }
    alive()
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)))
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      alive()
      const [word, index, ...rest] = line.split(' ')
      if (word === 'begin') reading = Number(index)
      else if (word === 'ok' || word === 'bad') {
        verdicts.push(word === 'ok' ? undefined : (JSON.parse(rest.join(' ')) as string))
        reading = undefined
      }
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) return resolve({ verdicts, reading: undefined, died: undefined })
      const last = stderr.trim().split('\n').filter(Boolean).pop()
      const how = signal !== null ? `killed by ${signal}` : `exit code ${code}`
      resolve({ verdicts, reading, died: last === undefined ? how : `${how}: ${last}` })
    })
  })
}

/**
 * Reads lmdb environments in child processes, where a damaged one can only kill the child: a
 * corrupt B-tree makes lmdb read through a bad pointer (SIGBUS, SIGSEGV), corrupt the heap (abort)
 * or throw. Resolves with each directory's damage (undefined: readable). When a child dies, the
 * store it was reading is the damaged one and a new child goes on with the rest. Rejects when the
 * probe cannot run at all.
 */
export async function probeEnvironments(dirs: readonly string[]): Promise<Map<string, string | undefined>> {
  const result = new Map<string, string | undefined>()
  let rest = [...dirs]
  while (rest.length > 0) {
    const { verdicts, reading, died } = await runProbe(rest)
    verdicts.forEach((verdict, i) => result.set(rest[i]!, verdict))
    if (reading !== undefined) result.set(rest[reading]!, `the probe died reading it (${died})`)
    const done = verdicts.length + (reading === undefined ? 0 : 1)
    if (done === 0 || (died === undefined && done < rest.length))
      throw new Error(`the store probe failed${died === undefined ? '' : `: ${died}`}`)
    rest = rest.slice(done)
  }
  return result
}
