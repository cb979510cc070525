import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { kListApis, type Base } from '@platformatic/kafka'
import { useClientApiVersions } from '../../../src/log/kafka/client-api-versions.ts'

type Api = { name: string; minVersion: number; maxVersion: number }

/** A stand-in for a client whose broker offers `apis`. */
const clientOffering = (apis: Api[]) =>
  ({
    [kListApis]: (callback: (error: Error | null, apis: Api[]) => void) => callback(null, apis),
  }) as unknown as Base

const listed = (client: Base) =>
  new Promise<Api[]>((resolve, reject) =>
    (client as unknown as Record<symbol, (cb: (e: Error | null, a: Api[]) => void) => void>)[kListApis](
      (e, a) => (e ? reject(e) : resolve(a)),
    ),
  )

describe('useClientApiVersions', () => {
  it('keeps AddPartitionsToTxn at v3 (v4+ is the broker-to-broker form that needs ClusterAction)', async () => {
    const client = clientOffering([
      { name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 5 },
      { name: 'Produce', minVersion: 3, maxVersion: 12 },
    ])
    useClientApiVersions(client)
    assert.deepEqual(await listed(client), [
      { name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 3 },
      { name: 'Produce', minVersion: 3, maxVersion: 12 },
    ])
  })

  it('leaves a broker that offers less alone', async () => {
    const client = clientOffering([{ name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 2 }])
    useClientApiVersions(client)
    assert.deepEqual(await listed(client), [{ name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 2 }])
  })
})
