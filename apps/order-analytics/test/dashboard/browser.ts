import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

export interface Browser {
  readonly page: Page
  /** Console errors, page errors, failed requests and HTTP errors seen so far. */
  readonly errors: string[]
  close(): Promise<void>
}

/** Debian's Chromium through playwright-core: headless, fresh profile, nothing phoning home. */
export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: run scripts/chromium-install.sh (apt-get install -y chromium) first`,
    )
  const profile = mkdtempSync(join(tmpdir(), 'oa-chromium-'))
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1920, height: 1080 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`))
  page.on('requestfailed', (req) => {
    // The SSE stream is cut when the test closes the page or the server: not a page fault.
    if (!req.url().endsWith('/events'))
      errors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`)
  })
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`)
  })
  return {
    page,
    errors,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
