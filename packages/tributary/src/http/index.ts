// The public surface of `tributary-streams/http`: the safe defaults every HTTP surface shares.
export {
  startHttpServer,
  SAFE_HEADERS,
  type HttpHandler,
  type HttpSecurity,
  type HttpServer,
  type HttpServerOptions,
} from './http-server.ts'
export type { HttpAuth } from './http-auth.ts'
export { HttpError } from './http-error.ts'
export { readBody } from './read-body.ts'
export { serveStatic } from './serve-static.ts'
export { httpSecurityFromEnv } from './http-security-from-env.ts'
