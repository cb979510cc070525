/**
 * Wakes long-polling consumers. Waiters register under keys (topic names, `group:<id>`); `notify`
 * resolves every waiter of a key. Wake-ups may be spurious: waiters re-check their condition.
 */
export class Signal {
  private readonly waiters = new Map<string, Set<() => void>>()

  /** Resolves on the first notify of any key, after `timeoutMs`, or on `notifyAll`. */
  wait(keys: readonly string[], timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false
      const finish = (): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        for (const key of keys) this.waiters.get(key)?.delete(finish)
        resolve()
      }
      const timer = setTimeout(finish, Math.max(0, timeoutMs))
      for (const key of keys) {
        let set = this.waiters.get(key)
        if (set === undefined) this.waiters.set(key, (set = new Set()))
        set.add(finish)
      }
    })
  }

  notify(key: string): void {
    const set = this.waiters.get(key)
    if (set === undefined || set.size === 0) return
    for (const finish of [...set]) finish()
  }

  notifyAll(): void {
    for (const key of [...this.waiters.keys()]) this.notify(key)
  }
}
