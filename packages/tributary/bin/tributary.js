#!/usr/bin/env node
// The library ships TypeScript sources; tsx runs them. Commands live in src/cli/.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
