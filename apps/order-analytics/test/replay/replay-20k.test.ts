import { it } from 'node:test'
import { checkReplay } from './replay-check.ts'

it('replay of 20k orders with many unknown users, duplicates and late orders equals the independent table', async () => {
  await checkReplay({
    seed: 7,
    users: 500,
    orders: 20_000,
    ordersPerSecond: 5,
    unknownUserRate: 0.1,
    duplicateRate: 0.05,
    lateRate: 0.01,
    invalidRate: 0.03,
    userUpdateRate: 0.1,
  })
})
