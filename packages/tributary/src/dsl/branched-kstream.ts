import { TributaryError } from '../errors.ts'
import type { StreamRecord } from '../record.ts'
import type { ProcessorContext } from '../topology/processor.ts'
import { KStream } from './kstream.ts'
import { stateless } from './processors/stateless.ts'

interface Branch<K, V> {
  readonly name: string
  readonly predicate: (key: K, value: V) => boolean
}

/**
 * Built by `KStream.split()`: each record goes to the first branch whose predicate matches, else to
 * the default branch if there is one, else nowhere. Branch streams are named `<split name><branch name>`.
 */
export class BranchedKStream<K, V> {
  private readonly branches: Array<Branch<K, V>> = []
  private readonly streams: Record<string, KStream<K, V>> = {}
  private done = false

  constructor(
    private readonly parent: KStream<K, V>,
    private readonly name: string,
  ) {
    const branches = this.branches
    parent.ctx.topology.addProcessor(
      name,
      () => {
        let context: ProcessorContext<K, V>
        return {
          init(c: ProcessorContext<K, V>) {
            context = c
          },
          process(record: StreamRecord<K, V>) {
            const hit = branches.find((b) => b.predicate(record.key, record.value))
            if (hit) context.forward(record, hit.name)
          },
        }
      },
      parent.nodeName,
    )
  }

  branch(predicate: (key: K, value: V) => boolean, options: { name?: string } = {}): this {
    const name = `${this.name}${options.name ?? this.branches.length + 1}`
    this.addBranchNode(name)
    this.branches.push({ name, predicate })
    return this
  }

  /** Closes the split with a branch for records no predicate matched; returns all branches by name. */
  defaultBranch(options: { name?: string } = {}): Record<string, KStream<K, V>> {
    const name = `${this.name}${options.name ?? '0'}`
    this.addBranchNode(name)
    this.branches.push({ name, predicate: () => true })
    return this.noDefaultBranch()
  }

  /** Closes the split; records no predicate matched are dropped. */
  noDefaultBranch(): Record<string, KStream<K, V>> {
    this.done = true
    return this.streams
  }

  /** Adds the branch's node; throws before anything changes when the split is closed or the name taken. */
  private addBranchNode(name: string): void {
    if (this.done)
      throw new TributaryError(
        'TOPOLOGY',
        `split ${this.name} is already closed; add every branch before defaultBranch() or noDefaultBranch()`,
      )
    const ctx = this.parent.ctx
    ctx.topology.addProcessor(
      name,
      stateless<K, V, K, V>((record, forward) => forward(record)),
      this.name,
    )
    this.streams[name] = new KStream(ctx, name, this.parent.serdes, this.parent.repartitionRequired)
  }
}
