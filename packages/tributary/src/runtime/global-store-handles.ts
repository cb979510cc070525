/**
 * Store handles of global stores. Any processor may read a global store by name (as in Kafka
 * Streams), without being connected to it: connecting would tie the sub-topologies of every
 * processor reading it together and give each task a shard of it.
 */
const handles = new WeakSet<object>()

export const markGlobalStore = (store: object): void => {
  handles.add(store)
}

export const isGlobalStore = (store: unknown): boolean =>
  typeof store === 'object' && store !== null && handles.has(store)
