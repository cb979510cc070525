import { TributaryError } from '../errors.ts'
import type { StreamRecord } from '../record.ts'
import type { ProcessorNode } from '../topology/nodes.ts'
import { isGlobalStore } from './global-store-handles.ts'
import type {
  Cancellable,
  LateRecordDetails,
  NullDropReason,
  ProcessorContext,
  PunctuationType,
  RecordOrigin,
} from '../topology/processor.ts'

/** What every node of one task shares. */
export interface TaskScope {
  readonly applicationId: string
  readonly taskId: string
  readonly stores: ReadonlyMap<string, unknown>
  origin(): RecordOrigin | undefined
  streamTime(): number
  now(): number
  requestCommit(): void
  /** A record arrived too late for `processor` (the node's name). */
  recordLate(processor: string, details: LateRecordDetails | undefined): void
  /** `processor` skipped a record for a null key or value. */
  recordDropped(processor: string, reason: NullDropReason): void
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable
}

/** The ProcessorContext of one processor node in one task. */
export class NodeContext implements ProcessorContext {
  private readonly childList: Array<(record: StreamRecord<unknown, unknown>) => void>

  constructor(
    private readonly node: ProcessorNode,
    private readonly scope: TaskScope,
    private readonly children: ReadonlyMap<string, (record: StreamRecord<unknown, unknown>) => void>,
  ) {
    this.childList = [...children.values()]
  }

  get applicationId(): string {
    return this.scope.applicationId
  }

  get taskId(): string {
    return this.scope.taskId
  }

  forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
    if (childName === undefined) {
      for (const child of this.childList) child(record)
      return
    }
    const child = this.children.get(childName)
    if (child === undefined)
      throw new TributaryError('TOPOLOGY', `${this.node.name} has no child named ${childName}`)
    child(record)
  }

  getStateStore<S>(name: string): S {
    if (!this.node.stores.includes(name) && !isGlobalStore(this.scope.stores.get(name))) {
      throw new TributaryError(
        'STATE',
        `processor ${this.node.name} is not connected to store ${name}; connect it when building the topology`,
      )
    }
    return this.scope.stores.get(name) as S
  }

  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    return this.scope.schedule(intervalMs, type, callback)
  }

  commit(): void {
    this.scope.requestCommit()
  }

  recordLate(details?: LateRecordDetails): void {
    this.scope.recordLate(this.node.name, details)
  }

  recordDropped(reason: NullDropReason): void {
    this.scope.recordDropped(this.node.name, reason)
  }

  recordOrigin(): RecordOrigin | undefined {
    return this.scope.origin()
  }

  currentStreamTimeMs(): number {
    return this.scope.streamTime()
  }

  currentSystemTimeMs(): number {
    return this.scope.now()
  }
}
