import type { Topology } from './topology.ts'

/** Renders the topology the way Kafka Streams' TopologyDescription prints. */
export function describeTopology(topology: Topology): string {
  const lines = ['Topologies:']
  for (const sub of topology.subTopologies()) {
    lines.push(`   Sub-topology: ${sub.id}`)
    for (const name of sub.nodes) {
      const node = topology.node(name)
      if (node.kind === 'source') {
        lines.push(`    Source: ${name} (topics: [${node.topics.join(', ')}])`)
        lines.push(`      --> ${node.children.join(', ') || 'none'}`)
      } else if (node.kind === 'processor') {
        lines.push(`    Processor: ${name} (stores: [${node.stores.join(', ')}])`)
        lines.push(`      --> ${node.children.join(', ') || 'none'}`)
        lines.push(`      <-- ${node.parents.join(', ')}`)
      } else {
        const topic = typeof node.topic === 'string' ? `topic: ${node.topic}` : 'topic extractor'
        lines.push(`    Sink: ${name} (${topic})`)
        lines.push(`      <-- ${node.parents.join(', ')}`)
      }
    }
  }
  return lines.join('\n') + '\n'
}
