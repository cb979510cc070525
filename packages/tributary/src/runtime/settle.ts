import type { Admin, Consumer, Isolation } from '../log/log.ts'
import type { GlobalStateManager } from './global-state.ts'
import { readToEnd } from './lag-tracker.ts'
import type { OutputChannel } from './output-channel.ts'
import type { TaskManager } from './task-manager.ts'

/**
 * Pending `StreamsApp.settle()` calls. The loop counts its turns; a request is answered only by a
 * turn that began after it was made, so whatever the caller did before asking (piped records,
 * moved the clock) is seen by that turn.
 */
export class SettleRequests {
  private waiting: Array<{ after: number; resolve: () => void; reject: (err: unknown) => void }> = []
  private turn = 0

  request(): Promise<void> {
    return new Promise((resolve, reject) => this.waiting.push({ after: this.turn, resolve, reject }))
  }

  /** Marks the start of a loop turn. */
  startTurn(): void {
    this.turn++
  }

  /** True when a request made before this turn waits. */
  get due(): boolean {
    return this.waiting.some((w) => w.after < this.turn)
  }

  /** Answers the requests made before this turn. */
  resolveDue(): void {
    const due = this.waiting.filter((w) => w.after < this.turn)
    this.waiting = this.waiting.filter((w) => w.after >= this.turn)
    due.forEach((w) => w.resolve())
  }

  rejectAll(err: unknown): void {
    const all = this.waiting
    this.waiting = []
    all.forEach((w) => w.reject(err))
  }
}

export interface AppParts {
  readonly consumer: Consumer
  readonly tasks: TaskManager
  readonly output: OutputChannel
  readonly globalState: GlobalStateManager
  readonly admin: Admin
  readonly isolation: Isolation
}

/** Nothing buffered, restoring or unsent, and every input partition (global ones too) read to its end. */
export async function caughtUp(app: AppParts): Promise<boolean> {
  const { consumer, tasks } = app
  const assigned = consumer.assignment()
  if (assigned.length === 0 || tasks.restoring !== undefined || app.output.hasWork()) return false
  for (const tp of assigned) if ((tasks.taskFor(tp)?.task.inputs.bufferedIn(tp) ?? 1) > 0) return false
  return (await readToEnd(consumer, app.admin, app.isolation)) && app.globalState.caughtUp(app.admin)
}
