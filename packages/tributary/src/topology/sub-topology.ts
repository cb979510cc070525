import type { TopologyNode } from './nodes.ts'

/** A connected part of the topology: nodes linked by edges or by a shared store. One task runs it per partition. */
export interface SubTopology {
  readonly id: number
  /** Node names in registration order. */
  readonly nodes: readonly string[]
  readonly sourceTopics: readonly string[]
  readonly sinkTopics: readonly string[]
  readonly stores: readonly string[]
}

/** Splits nodes into sub-topologies (union-find), numbered in the order of their first node. */
export function splitSubTopologies(nodes: ReadonlyMap<string, TopologyNode>): SubTopology[] {
  const parent = new Map<string, string>()
  const find = (x: string): string => {
    let root = x
    while (parent.get(root) !== root) root = parent.get(root)!
    parent.set(x, root)
    return root
  }
  const union = (a: string, b: string): void => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent.set(rb, ra)
  }
  for (const name of nodes.keys()) parent.set(name, name)
  const storeOwner = new Map<string, string>()
  for (const node of nodes.values()) {
    if (node.kind !== 'source') node.parents.forEach((p) => union(p, node.name))
    if (node.kind !== 'processor') continue
    for (const store of node.stores) {
      const owner = storeOwner.get(store)
      if (owner === undefined) storeOwner.set(store, node.name)
      else union(owner, node.name)
    }
  }
  const groups = new Map<string, string[]>()
  for (const name of nodes.keys()) {
    const root = find(name)
    groups.set(root, [...(groups.get(root) ?? []), name])
  }
  return [...groups.values()].map((names, id) => {
    const members = names.map((n) => nodes.get(n)!)
    return {
      id,
      nodes: names,
      sourceTopics: members.flatMap((n) => (n.kind === 'source' ? n.topics : [])),
      sinkTopics: members.flatMap((n) => (n.kind === 'sink' && typeof n.topic === 'string' ? [n.topic] : [])),
      stores: [...new Set(members.flatMap((n) => (n.kind === 'processor' ? n.stores : [])))],
    }
  })
}
