import type { IncomingMessage, ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { serveStatic } from 'tributary-streams/http'

/** The page's files: everything under src/web, and nothing outside it (see serveStatic). */
export const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url))

/** `/favicon.ico` is the SVG icon; every other path is looked up under WEB_DIR. */
export function servePage(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.url === '/favicon.ico') req.url = '/favicon.svg'
  return serveStatic(WEB_DIR, req, res)
}
