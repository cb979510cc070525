import { kListApis, type Base } from '@platformatic/kafka'

/**
 * Highest request versions a client may use, below what the broker offers. AddPartitionsToTxn v4
 * and later is the broker-to-broker form (KIP-890): brokers advertise it, but authorize it with
 * ClusterAction on the cluster, which no client principal should hold. @platformatic/kafka picks
 * the highest version offered, so on a broker with ACLs every transaction would fail; Kafka's own
 * clients stop at v3, and so does this.
 */
const CLIENT_MAX_VERSIONS: Readonly<Record<string, number>> = { AddPartitionsToTxn: 3 }

type ApiList = Array<{ name: string; maxVersion: number }>
type ListApis = (callback: (error: Error | null, apis: ApiList) => void) => void

/** Caps `client`'s negotiated API versions at the client-side maxima above. */
export function useClientApiVersions(client: Base): void {
  const target = client as unknown as Record<typeof kListApis, ListApis>
  const list = target[kListApis].bind(client)
  target[kListApis] = (callback) =>
    list((error, apis) =>
      callback(
        error,
        apis?.map((api) => {
          const max = CLIENT_MAX_VERSIONS[api.name]
          return max === undefined || api.maxVersion <= max ? api : { ...api, maxVersion: max }
        }),
      ),
    )
}
