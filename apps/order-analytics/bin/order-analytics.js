#!/usr/bin/env node
// Launches the TypeScript CLI (src/cli/main.ts) through tsx's loader, in this process, so that
// `npx order-analytics <command>` works from the repository root after `npm ci`.
import { register } from 'tsx/esm/api'

register()
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href)
process.exitCode = await main(process.argv.slice(2))
