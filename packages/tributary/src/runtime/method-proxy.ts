type Method = (...args: unknown[]) => unknown

/**
 * A view of `target` whose methods (its own and its prototypes', found when the view is made) are
 * `wrap(name, method)`, `method` bound to `target`; symbol-named methods are only bound. Accessors
 * read and write `target`; other properties are read through the prototype chain (the view's
 * prototype is `target`). Unlike a Proxy, a call costs only the wrapper: no trap runs per access
 * (a Proxy's get trap made every store call of a traced app slower, sampled or not).
 */
export function methodProxy<T extends object>(target: T, wrap: (name: string, method: Method) => Method): T {
  const view = Object.create(target) as Record<PropertyKey, unknown>
  const done = new Set<PropertyKey>(['constructor'])
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o))
    for (const key of Reflect.ownKeys(o)) {
      if (done.has(key)) continue
      done.add(key)
      const property = Object.getOwnPropertyDescriptor(o, key)!
      if (property.get !== undefined || property.set !== undefined)
        Object.defineProperty(view, key, {
          get: () => Reflect.get(target, key),
          set: (value: unknown) => Reflect.set(target, key, value),
        })
      else if (typeof property.value === 'function') {
        const method = (property.value as Method).bind(target)
        view[key] = typeof key === 'string' ? wrap(key, method) : method
      }
    }
  return view as T
}
