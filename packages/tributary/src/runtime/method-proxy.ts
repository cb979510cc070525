/**
 * `target` with each method replaced by `wrap(name, method)` (a method bound to `target`), built
 * once per method name on first use; other properties pass through unchanged.
 */
export function methodProxy<T extends object>(
  target: T,
  wrap: (name: string, method: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown,
): T {
  const wrappers = new Map<string, unknown>()
  return new Proxy(target, {
    get(t, property, receiver) {
      const value: unknown = Reflect.get(t, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      let wrapper = wrappers.get(property)
      if (wrapper === undefined) {
        const fn = value as (...args: unknown[]) => unknown
        wrapper = wrap(property, (...args) => fn.apply(t, args))
        wrappers.set(property, wrapper)
      }
      return wrapper
    },
  })
}
