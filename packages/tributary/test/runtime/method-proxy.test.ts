import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { methodProxy } from '../../src/runtime/method-proxy.ts'

class Base {
  #entries = new Map<string, number>()
  readonly name = 'store'
  put(key: string, value: number): void {
    this.#entries.set(key, value)
  }
  get size(): number {
    return this.#entries.size
  }
  *[Symbol.iterator](): IterableIterator<[string, number]> {
    yield* this.#entries
  }
}

class Store extends Base {
  get(key: string): number | undefined {
    return [...this].find(([k]) => k === key)?.[1]
  }
}

describe('methodProxy', () => {
  it('wraps every method, own and inherited, calling it on the target', () => {
    const calls: string[] = []
    const store = new Store()
    const view = methodProxy(store, (name, method) => (...args) => {
      calls.push(name)
      return method(...args)
    })
    view.put('a', 1)
    view.put('b', 2)
    assert.equal(view.get('b'), 2)
    assert.deepEqual(calls, ['put', 'put', 'get'])
    assert.equal(store.get('a'), 1) // the target holds the state
  })

  it('reads accessors, fields and symbol methods of the target', () => {
    const store = new Store()
    const view = methodProxy(store, (_name, method) => method)
    view.put('a', 1)
    assert.equal(view.size, 1) // a getter reading a private field of the target
    assert.equal(view.name, 'store')
    assert.deepEqual([...view], [['a', 1]])
    assert.ok(view instanceof Store)
  })
})
