import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { silentLogger, type Logger } from '../logger.ts'
import { authorized, challenge, type HttpAuth } from './http-auth.ts'
import { HttpError } from './http-error.ts'
import { readBody } from './read-body.ts'

/** What every HTTP surface of the library and its apps shares; see docs/security.md. */
export interface HttpSecurity {
  /** Interface to listen on; default 127.0.0.1 (this machine only). `0.0.0.0` or `::` for all. */
  readonly host?: string
  /** Credentials every request must carry (401 without them); absent: none asked for. */
  readonly auth?: HttpAuth
  /** Largest request body; default 1 MiB. Larger: 413. */
  readonly maxBodyBytes?: number
  /** Largest request line plus headers; default 16 KiB. Larger: 431 (Node's parser refuses it). */
  readonly maxHeaderBytes?: number
}

/** The handler's view of the request body: read on demand, bounded by `maxBodyBytes`. */
export type HttpHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: () => Promise<Buffer>,
) => Promise<void>

export interface HttpServerOptions extends HttpSecurity {
  /** 0 picks a free port. */
  readonly port: number
  /** Names the server in the auth realm and in logs. */
  readonly name: string
  readonly handler: HttpHandler
  /** Where failures are logged in full (the client sees only a status and a short message). */
  readonly logger?: Logger
  /** An error's response body; default `{"error": message}` as JSON. */
  readonly errorBody?: (status: number, message: string) => { contentType: string; body: string }
}

export interface HttpServer {
  /** e.g. http://127.0.0.1:3000 (localhost when bound to all interfaces). */
  readonly url: string
  readonly port: number
  /** Stops listening and drops open connections (SSE streams included). */
  close(): Promise<void>
}

/**
 * Headers on every response: no framing, no sniffing, no referrer, scripts and styles from this
 * origin only. Handlers may override one (the dashboard page sets its own CSP the same way).
 */
export const SAFE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
}

const jsonError = (_status: number, message: string) => ({
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({ error: message }),
})

/**
 * Starts an HTTP server with the safe defaults: bound to 127.0.0.1, SAFE_HEADERS, optional auth
 * (checked before the handler runs), bounded headers and body, and errors that reach the client as
 * a status and a message: an HttpError's own, else 500 `internal error` (the stack goes to the log).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024
  const logger = options.logger ?? silentLogger
  const errorBody = options.errorBody ?? jsonError
  const fail = (
    res: ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ) => {
    if (res.headersSent) return void res.end()
    const { contentType, body } = errorBody(status, message)
    res.writeHead(status, { ...headers, 'content-type': contentType, 'cache-control': 'no-store' }).end(body)
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SAFE_HEADERS)) res.setHeader(name, value)
    if (options.auth !== undefined && !authorized(req, options.auth))
      return fail(res, 401, 'authentication required', {
        'www-authenticate': challenge(options.auth, options.name),
      })
    if (Number(req.headers['content-length'] ?? 0) > maxBody)
      return fail(res, 413, `request body larger than ${maxBody} bytes`, { connection: 'close' })
    try {
      await options.handler(req, res, () => readBody(req, maxBody))
    } catch (err) {
      if (err instanceof HttpError)
        return fail(res, err.status, err.message, err.status === 413 ? { connection: 'close' } : {})
      const { message, stack } = err instanceof Error ? err : { message: String(err), stack: undefined }
      logger.error(
        { server: options.name, method: req.method, url: req.url, error: message, stack },
        'request failed',
      )
      fail(res, 500, 'internal error')
    }
  }

  const server: Server = createServer(
    { maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024, headersTimeout: 20_000, requestTimeout: 60_000 },
    (req, res) => void serve(req, res),
  )
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${displayHost(host)}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}

const displayHost = (host: string): string =>
  host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
