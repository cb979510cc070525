import { readFile, realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

/**
 * Serves the file under `root` a GET or HEAD request names (`/` and directories: their
 * index.html); resolves false, having written nothing, when there is none to serve. The path is
 * percent-decoded exactly once and refused if it holds a `.`/`..` or hidden segment, a backslash or
 * a NUL; the file's real path (symlinks resolved) must still lie inside the real root. So no
 * spelling of a traversal (plain, encoded, double-encoded, backslash) nor a symlink reaches a file
 * outside `root`.
 */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const file = await resolveInside(root, (req.url ?? '/').split(/[?#]/, 1)[0]!)
  if (file === undefined) return false
  const body = await readFile(file)
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': 'no-cache',
  })
  res.end(req.method === 'HEAD' ? undefined : body)
  return true
}

/** The real path of the regular file `rawPath` names inside `root`, or undefined. */
export async function resolveInside(root: string, rawPath: string): Promise<string | undefined> {
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    return undefined
  }
  if (!path.startsWith('/') || path.includes('\\') || path.includes('\0')) return undefined
  const segments = path.split('/').filter((s) => s !== '')
  if (segments.some((s) => s.startsWith('.'))) return undefined
  const realRoot = await realpath(root)
  const inside = async (candidate: string) => {
    const real = await realpath(candidate).catch(() => undefined)
    return real !== undefined && real.startsWith(realRoot + sep) ? real : undefined
  }
  let file = await inside(join(realRoot, ...(segments.length === 0 ? ['index.html'] : segments)))
  if (file !== undefined && (await stat(file)).isDirectory()) file = await inside(join(file, 'index.html'))
  if (file === undefined || !(await stat(file)).isFile()) return undefined
  return file
}
