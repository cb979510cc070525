import { createHash } from 'node:crypto'
import { closeSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { TributaryError } from '../../errors.ts'

/** Directories locked by this process through the PID file (platforms without abstract sockets). */
const heldHere = new Set<string>()

/**
 * The single-owner lock of a data directory. On Linux it is a kernel object that dies with the
 * process: a listening Unix socket in the abstract namespace, named after the directory's real
 * path. A second process (or a second log in this process) cannot bind it while the owner lives,
 * whatever happens to files; when the owner dies, by any signal, the kernel frees it, so there is
 * never a stale lock to take over. `LOCK` then only says who holds it (pid and host). Elsewhere
 * `LOCK` itself is the lock: created exclusively, taken over when its process is gone, including
 * when the recorded pid is this process's own (a restarted container where node is PID 1 again)
 * but this process does not hold it.
 */
export class DirLock {
  private constructor(
    private readonly path: string,
    private readonly server: Server | null,
    private readonly key: string,
  ) {}

  /** Fails with code LOG naming the directory while another owner holds it. */
  static acquire(dir: string): DirLock {
    const real = realpathSync(dir)
    const path = join(dir, 'LOCK')
    if (process.platform === 'linux') {
      const server = bindAbstract(
        `\0tributary-log-${createHash('sha256').update(real).digest('hex').slice(0, 48)}`,
      )
      if (server === null) throw locked(dir, path, readOwner(path))
      writeOwner(path, { flag: 'w' })
      return new DirLock(path, server, real)
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!heldHere.has(real) && writeOwner(path, { flag: 'wx' })) {
        heldHere.add(real)
        return new DirLock(path, null, real)
      }
      const owner = readOwner(path)
      const pid = Number.parseInt(owner ?? '', 10)
      const ours = pid === process.pid && !heldHere.has(real)
      if (heldHere.has(real) || (!ours && Number.isInteger(pid) && pid > 0 && isAlive(pid)))
        throw locked(dir, path, owner)
      rmSync(path, { force: true }) // stale: its owner is gone
    }
    throw new TributaryError('LOG', `could not lock data dir ${dir} (lock file ${path})`)
  }

  release(): void {
    rmSync(this.path, { force: true })
    this.server?.close()
    heldHere.delete(this.key)
  }
}

/** A listening server on `name`, or null when another socket holds it (bind fails at once). */
function bindAbstract(name: string): Server | null {
  const server = createServer()
  server.on('error', () => undefined) // EADDRINUSE arrives here after `listening` said false
  server.listen({ path: name, exclusive: true })
  if (!server.listening) return null
  server.unref()
  return server
}

function writeOwner(path: string, options: { flag: 'w' | 'wx' }): boolean {
  let fd: number
  try {
    fd = openSync(path, options.flag)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
  try {
    writeSync(fd, `${process.pid} ${hostname()}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

function readOwner(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
}

function locked(dir: string, path: string, owner: string | undefined): TributaryError {
  const who =
    owner === undefined || owner === '' ? 'another process' : `process ${owner.replace(' ', ' on ')}`
  return new TributaryError(
    'LOG',
    `data dir ${dir} is already open in ${who} (lock file ${path}); close that log first or choose another dataDir`,
  )
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
