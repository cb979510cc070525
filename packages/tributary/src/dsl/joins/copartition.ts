import type { Topology } from '../../topology/topology.ts'

/** The topics read by the sources upstream of `nodeName` (through processors, not through topics). */
export function sourceTopicsOf(topology: Topology, nodeName: string): string[] {
  const topics = new Set<string>()
  const seen = new Set<string>()
  const visit = (name: string): void => {
    if (seen.has(name)) return
    seen.add(name)
    const node = topology.node(name)
    if (node.kind === 'source') node.topics.forEach((t) => topics.add(t))
    else node.parents.forEach(visit)
  }
  visit(nodeName)
  return [...topics]
}

/** Records that the inputs of a join (the nodes named) must be co-partitioned. */
export function requireCopartitioned(topology: Topology, ...nodeNames: string[]): void {
  topology.addCopartitionGroup(nodeNames.flatMap((n) => sourceTopicsOf(topology, n)))
}
