import { it } from 'node:test'
import { checkReplay } from './replay-check.ts'

it('replay of 200k generated orders through streams and sink equals the independently computed table', async () => {
  await checkReplay({ seed: 42, users: 10_000, orders: 200_000 })
})
