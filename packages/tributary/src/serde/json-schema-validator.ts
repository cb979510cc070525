import type AjvModule from 'ajv'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { optionalPeer } from '../optional-peer.ts'

// ajv is an optional peer dependency, needed once a JSON Schema is compiled. It is CommonJS;
// under NodeNext its default export is the module object.
const ajvClasses = await optionalPeer('ajv', 'JSON Schemas', async () => ({
  Ajv: (await import('ajv')).default.default,
  Ajv2020: (await import('ajv/dist/2020.js')).default.default,
}))
type AjvInstance = InstanceType<typeof AjvModule.default>

// A few common formats without pulling in ajv-formats (whose peer resolution breaks in workspaces).
const FORMATS: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  uri: /^[a-z][a-z0-9+.-]*:[^\s]*$/i,
}

/** Drafts 4 to 7 go to Ajv's default class, 2019-09 and 2020-12 to its 2020 class. */
function ajvFor(schema: unknown): AjvInstance {
  const { Ajv, Ajv2020 } = ajvClasses()
  const draft =
    typeof schema === 'object' && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined
  const modern = typeof draft === 'string' && /2019-09|2020-12/.test(draft)
  const ajv = modern
    ? new Ajv2020({ strict: false, allErrors: true })
    : new Ajv({ strict: false, allErrors: true })
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern)
  return ajv as AjvInstance
}

/** Compiles a JSON Schema; throws (with Ajv's reason) when the schema itself is invalid. */
export function compileJsonSchema(schema: unknown): ValidateFunction {
  return ajvFor(schema).compile(schema as object)
}

/** One line per error: "/items/0/price must be number". */
export const describeJsonErrors = (errors: readonly ErrorObject[] | null | undefined): string =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ')
