import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serveStatic } from 'tributary-streams/http'

/** The page's files: everything under src/web, and nothing outside it (see serveStatic). */
export const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url))

/** The charting library's browser files, served from its npm package (no CDN) under /vendor/uplot/. */
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'))
const UPLOT_PREFIX = '/vendor/uplot/'

/** `/favicon.ico` is the SVG icon; /vendor/uplot/* is uPlot's dist folder; every other path is looked up under WEB_DIR. */
export function servePage(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.url === '/favicon.ico') req.url = '/favicon.svg'
  if (req.url?.startsWith(UPLOT_PREFIX)) {
    req.url = req.url.slice(UPLOT_PREFIX.length - 1)
    return serveStatic(UPLOT_DIR, req, res)
  }
  return serveStatic(WEB_DIR, req, res)
}
