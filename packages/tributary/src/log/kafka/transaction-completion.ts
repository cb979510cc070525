import type { Base } from '@platformatic/kafka'
import { sleep } from './coordinator-retry.ts'
import { callApi, nodeConnection } from './wire.ts'

interface DescribeTransactionsResponse {
  transactionStates: { transactionalId: string; transactionState: string }[]
}

/** States in which the coordinator is still writing the markers of an ended transaction. */
const ENDING = new Set(['PrepareCommit', 'PrepareAbort', 'PrepareEpochFence'])

/**
 * Waits until the coordinator has written the commit or abort markers of the transaction that
 * EndTxn just ended. Kafka acknowledges EndTxn once the decision is logged and writes the markers
 * afterwards, so without this wait a commit's records (last stable offset) and offsets would
 * become visible a moment after `commitTransaction` resolved; with it they are visible when it
 * resolves, as the Log contract says. Gives up quietly after `timeoutMs` (the decision stands).
 */
export async function awaitTransactionEnd(
  client: Base,
  coordinatorId: number,
  transactionalId: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (let pause = 2; Date.now() < deadline; pause = Math.min(pause * 2, 100)) {
    let state: string | undefined
    try {
      const connection = await nodeConnection(client, coordinatorId)
      const response = await callApi<DescribeTransactionsResponse>(
        client,
        'DescribeTransactions',
        connection,
        [transactionalId],
      )
      state = response.transactionStates.find((s) => s.transactionalId === transactionalId)?.transactionState
    } catch {
      return
    }
    if (state === undefined || !ENDING.has(state)) return
    await sleep(pause)
  }
}
