import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EmbeddedLog } from '../../src/log/embedded/index.ts'
import { EmbeddedSchemaRegistry } from '../../src/schema/embedded-registry.ts'
import { compileJsonSchema } from '../../src/serde/json-schema-validator.ts'
import { jsonReadProblems } from '../../src/schema/json-schema-compatibility.ts'
import {
  COMPATIBILITY_LEVELS,
  isRegistryError,
  type CompatibilityLevel,
} from '../../src/serde/registry-client.ts'

/**
 * JSON Schema evolution: "new reads old" means every document valid under the old schema is valid
 * under the new one. Each case is checked by the structural rules, by the registry at every level,
 * and on data: random documents of one schema validated by the other, plus a witness document that
 * shows an incompatible direction really rejects data.
 */
interface Case {
  readonly name: string
  readonly old: object
  readonly new: object
  readonly backward: boolean
  readonly forward: boolean
  readonly rule?: string
  /** Valid under one side, invalid under the other, for each incompatible direction. */
  readonly witnessBackward?: unknown
  readonly witnessForward?: unknown
}

const obj = (properties: object, more: object = {}) => ({ type: 'object', properties, ...more })
const str = { type: 'string' }
const int = { type: 'integer' }

const cases: Case[] = [
  {
    name: 'add an optional property',
    old: obj({ id: str }),
    new: obj({ id: str, note: str }),
    backward: true,
    forward: true,
  },
  {
    name: 'add a required property',
    old: obj({ id: str }),
    new: obj({ id: str, qty: int }, { required: ['qty'] }),
    backward: false,
    forward: true,
    rule: 'REQUIRED_PROPERTY_ADDED',
    witnessBackward: { id: 'a' },
  },
  {
    name: 'remove an optional property',
    old: obj({ id: str, note: str }),
    new: obj({ id: str }),
    backward: true,
    forward: true,
  },
  {
    name: 'remove a property from a closed model',
    old: obj({ id: str, note: str }),
    new: obj({ id: str }, { additionalProperties: false }),
    backward: false,
    forward: true,
    rule: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    witnessBackward: { id: 'a', note: 'n' },
  },
  {
    name: 'make a property required',
    old: obj({ id: str, qty: int }),
    new: obj({ id: str, qty: int }, { required: ['qty'] }),
    backward: false,
    forward: true,
    rule: 'REQUIRED_ATTRIBUTE_ADDED',
    witnessBackward: { id: 'a' },
  },
  {
    name: 'widen integer to number',
    old: obj({ n: int }),
    new: obj({ n: { type: 'number' } }),
    backward: true,
    forward: false,
    witnessForward: { n: 1.5 },
  },
  {
    name: 'narrow number to integer',
    old: obj({ n: { type: 'number' } }),
    new: obj({ n: int }),
    backward: false,
    forward: true,
    rule: 'TYPE_NARROWED at #/properties/n',
    witnessBackward: { n: 1.5 },
  },
  {
    name: 'make a property nullable',
    old: obj({ s: str }),
    new: obj({ s: { type: ['string', 'null'] } }),
    backward: true,
    forward: false,
    witnessForward: { s: null },
  },
  {
    name: 'change string to integer',
    old: obj({ s: str }),
    new: obj({ s: int }),
    backward: false,
    forward: false,
    rule: 'TYPE_NARROWED',
    witnessBackward: { s: 'x' },
    witnessForward: { s: 1 },
  },
  {
    name: 'add an enum value',
    old: obj({ s: { enum: ['NEW', 'PAID'] } }),
    new: obj({ s: { enum: ['NEW', 'PAID', 'SHIPPED'] } }),
    backward: true,
    forward: false,
    witnessForward: { s: 'SHIPPED' },
  },
  {
    name: 'remove an enum value',
    old: obj({ s: { enum: ['NEW', 'PAID'] } }),
    new: obj({ s: { enum: ['NEW'] } }),
    backward: false,
    forward: true,
    rule: 'ENUM_NARROWED',
    witnessBackward: { s: 'PAID' },
  },
  {
    name: 'tighten maxLength',
    old: obj({ s: { type: 'string', maxLength: 10 } }),
    new: obj({ s: { type: 'string', maxLength: 5 } }),
    backward: false,
    forward: true,
    rule: 'MAX_LENGTH_NARROWED',
    witnessBackward: { s: 'abcdefgh' },
  },
  {
    name: 'widen array items',
    old: obj({ xs: { type: 'array', items: int } }),
    new: obj({ xs: { type: 'array', items: { type: 'number' } } }),
    backward: true,
    forward: false,
    witnessForward: { xs: [0.5] },
  },
  {
    name: 'widen a oneOf',
    old: obj({ v: { oneOf: [str, int] } }),
    new: obj({ v: { oneOf: [str, int, { type: 'boolean' }] } }),
    backward: true,
    forward: false,
    witnessForward: { v: true },
  },
  {
    name: 'close an open model',
    old: obj({ id: str }),
    new: obj({ id: str }, { additionalProperties: false }),
    backward: false,
    forward: true,
    rule: 'ADDITIONAL_PROPERTIES_REMOVED',
    witnessBackward: { id: 'a', extra: 1 },
  },
]

/** A small random document generator for the schemas above. */
function sample(schema: unknown, rnd: () => number): unknown {
  const s = schema as Record<string, unknown>
  if (Array.isArray(s['enum'])) return s['enum'][Math.floor(rnd() * s['enum'].length)]
  if (Array.isArray(s['oneOf'])) return sample(s['oneOf'][Math.floor(rnd() * s['oneOf'].length)], rnd)
  const types = Array.isArray(s['type']) ? (s['type'] as string[]) : [s['type'] as string]
  const type = types[Math.floor(rnd() * types.length)]
  switch (type) {
    case 'object': {
      const required = new Set((s['required'] as string[] | undefined) ?? [])
      const props = Object.entries((s['properties'] as Record<string, unknown>) ?? {}).filter(
        ([k]) => required.has(k) || rnd() < 0.7,
      )
      return Object.fromEntries(props.map(([k, v]) => [k, sample(v, rnd)]))
    }
    case 'array':
      return Array.from({ length: Math.floor(rnd() * 4) }, () => sample(s['items'], rnd))
    case 'integer':
      return Math.floor(rnd() * 1000) - 500
    case 'number':
      return rnd() < 0.5 ? Math.floor(rnd() * 100) : rnd() * 100
    case 'boolean':
      return rnd() < 0.5
    case 'null':
      return null
    default: {
      const max = typeof s['maxLength'] === 'number' ? s['maxLength'] : 12
      return 'x'.repeat(Math.floor(rnd() * (max + 1)))
    }
  }
}

function acceptsRandomData(reader: object, writer: object): boolean {
  const validWriter = compileJsonSchema(writer)
  const validReader = compileJsonSchema(reader)
  let seed = 42
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  for (let i = 0; i < 200; i++) {
    const doc = sample(writer, rnd)
    assert.ok(validWriter(doc), `generated ${JSON.stringify(doc)} fits its schema`)
    if (!validReader(doc)) return false
  }
  return true
}

const allowed = (level: CompatibilityLevel, c: Case): boolean =>
  level === 'NONE' ||
  (level.startsWith('BACKWARD')
    ? c.backward
    : level.startsWith('FORWARD')
      ? c.forward
      : c.backward && c.forward)

describe('JSON Schema compatibility matrix', () => {
  for (const c of cases)
    it(`${c.name}: backward ${c.backward ? 'yes' : 'no'}, forward ${c.forward ? 'yes' : 'no'}`, async () => {
      assert.equal(
        jsonReadProblems(c.new, c.old).length === 0,
        c.backward,
        jsonReadProblems(c.new, c.old).join('; '),
      )
      assert.equal(
        jsonReadProblems(c.old, c.new).length === 0,
        c.forward,
        jsonReadProblems(c.old, c.new).join('; '),
      )
      if (c.backward) assert.ok(acceptsRandomData(c.new, c.old), 'new accepts random old documents')
      if (c.forward) assert.ok(acceptsRandomData(c.old, c.new), 'old accepts random new documents')
      if (!c.backward) {
        assert.ok(compileJsonSchema(c.old)(c.witnessBackward), 'witness fits the old schema')
        assert.ok(!compileJsonSchema(c.new)(c.witnessBackward), 'witness is rejected by the new schema')
      }
      if (!c.forward) {
        assert.ok(compileJsonSchema(c.new)(c.witnessForward), 'witness fits the new schema')
        assert.ok(!compileJsonSchema(c.old)(c.witnessForward), 'witness is rejected by the old schema')
      }
      const log = await EmbeddedLog.open()
      const registry = await EmbeddedSchemaRegistry.open({ log })
      try {
        for (const level of COMPATIBILITY_LEVELS) {
          const subject = `s-${level}`
          await registry.setCompatibility(level, subject)
          await registry.register(subject, { schema: JSON.stringify(c.old), schemaType: 'JSON' })
          const outcome = await registry
            .register(subject, { schema: JSON.stringify(c.new), schemaType: 'JSON' })
            .then(
              () => '',
              (err: unknown) => {
                if (!isRegistryError(err, 409)) throw err
                return (err as Error).message
              },
            )
          assert.equal(outcome === '', allowed(level, c), `${level}: ${outcome}`)
          if (outcome !== '' && level === 'BACKWARD' && c.rule !== undefined)
            assert.ok(outcome.includes(c.rule), outcome)
        }
      } finally {
        await registry.close()
        await log.close()
      }
    })

  it('treats AVRO and JSON versions of a subject as incompatible', async () => {
    const log = await EmbeddedLog.open()
    const registry = await EmbeddedSchemaRegistry.open({ log })
    try {
      await registry.register('s', { schema: '"string"' })
      await assert.rejects(
        registry.register('s', { schema: '{"type":"string"}', schemaType: 'JSON' }),
        /SCHEMA_TYPE_CHANGED/,
      )
    } finally {
      await registry.close()
      await log.close()
    }
  })
})
