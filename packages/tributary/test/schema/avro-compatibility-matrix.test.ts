import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import avsc from 'avsc'
import { EmbeddedLog } from '../../src/log/embedded/index.ts'
import { EmbeddedSchemaRegistry } from '../../src/schema/embedded-registry.ts'
import {
  COMPATIBILITY_LEVELS,
  isRegistryError,
  type CompatibilityLevel,
} from '../../src/serde/registry-client.ts'

/**
 * Avro evolution cases in the spirit of Confluent's compatibility tests: each pair (old, new) says
 * whether new can read old (backward) and old can read new (forward). Every case is checked three
 * ways: the registry at every level, avsc's resolver on random data of one schema decoded with the
 * other, and (when incompatible) the rule named in the rejection.
 */
interface Case {
  readonly name: string
  readonly old: avsc.Schema
  readonly new: avsc.Schema
  readonly backward: boolean
  readonly forward: boolean
  /** The rule the registry names when new cannot read old. */
  readonly backwardRule?: string
}

const rec = (fields: unknown[], extra: object = {}): avsc.Schema =>
  ({ type: 'record', name: 'Order', namespace: 'shop', fields, ...extra }) as avsc.Schema
const id = { name: 'id', type: 'string' }
const field = (name: string, type: unknown, more: object = {}) => ({ name, type, ...more })
const enumOf = (symbols: string[], more: object = {}) => ({ type: 'enum', name: 'Status', symbols, ...more })

const cases: Case[] = [
  {
    name: 'add a field with a default',
    old: rec([id]),
    new: rec([id, field('qty', 'int', { default: 1 })]),
    backward: true,
    forward: true,
  },
  {
    name: 'add a field without a default',
    old: rec([id]),
    new: rec([id, field('qty', 'int')]),
    backward: false,
    forward: true,
    backwardRule: 'READER_FIELD_MISSING_DEFAULT_VALUE',
  },
  {
    name: 'add an optional (null-union) field with a null default',
    old: rec([id]),
    new: rec([id, field('note', ['null', 'string'], { default: null })]),
    backward: true,
    forward: true,
  },
  {
    name: 'remove a field that had a default',
    old: rec([id, field('qty', 'int', { default: 1 })]),
    new: rec([id]),
    backward: true,
    forward: true,
  },
  {
    name: 'remove a field without a default',
    old: rec([id, field('qty', 'int')]),
    new: rec([id]),
    backward: true,
    forward: false,
  },
  {
    name: 'rename a field with an alias',
    old: rec([id, field('user', 'string')]),
    new: rec([id, field('customer', 'string', { aliases: ['user'] })]),
    backward: true,
    forward: false,
  },
  {
    name: 'rename a field without an alias',
    old: rec([id, field('user', 'string')]),
    new: rec([id, field('customer', 'string')]),
    backward: false,
    forward: false,
    backwardRule: 'READER_FIELD_MISSING_DEFAULT_VALUE',
  },
  {
    name: 'rename the record with an alias',
    old: rec([id]),
    new: rec([id], { name: 'Purchase', aliases: ['shop.Order'] }),
    backward: true,
    forward: false,
  },
  {
    name: 'rename the record without an alias',
    old: rec([id]),
    new: rec([id], { name: 'Purchase' }),
    backward: false,
    forward: false,
    backwardRule: 'NAME_MISMATCH',
  },
  {
    name: 'widen a union',
    old: rec([id, field('v', ['null', 'string'])]),
    new: rec([id, field('v', ['null', 'string', 'int'])]),
    backward: true,
    forward: false,
  },
  {
    name: 'narrow a union',
    old: rec([id, field('v', ['null', 'string', 'int'])]),
    new: rec([id, field('v', ['null', 'string'])]),
    backward: false,
    forward: true,
    backwardRule: 'MISSING_UNION_BRANCH',
  },
  {
    name: 'make a field nullable',
    old: rec([id, field('v', 'string')]),
    new: rec([id, field('v', ['null', 'string'])]),
    backward: true,
    forward: false,
  },
  {
    name: 'add an enum symbol',
    old: rec([id, field('s', enumOf(['NEW', 'PAID']))]),
    new: rec([id, field('s', enumOf(['NEW', 'PAID', 'SHIPPED']))]),
    backward: true,
    forward: false,
  },
  {
    name: 'add an enum symbol to an enum with a default',
    old: rec([id, field('s', enumOf(['NEW', 'PAID'], { default: 'NEW' }))]),
    new: rec([id, field('s', enumOf(['NEW', 'PAID', 'SHIPPED'], { default: 'NEW' }))]),
    backward: true,
    forward: true,
  },
  {
    name: 'remove an enum symbol',
    old: rec([id, field('s', enumOf(['NEW', 'PAID']))]),
    new: rec([id, field('s', enumOf(['NEW']))]),
    backward: false,
    forward: true,
    backwardRule: 'MISSING_ENUM_SYMBOLS',
  },
  {
    name: 'promote int to long',
    old: rec([field('n', 'int')]),
    new: rec([field('n', 'long')]),
    backward: true,
    forward: false,
  },
  {
    name: 'promote long to float',
    old: rec([field('n', 'long')]),
    new: rec([field('n', 'float')]),
    backward: true,
    forward: false,
  },
  {
    name: 'promote float to double',
    old: rec([field('n', 'float')]),
    new: rec([field('n', 'double')]),
    backward: true,
    forward: false,
  },
  {
    name: 'promote int to double',
    old: rec([field('n', 'int')]),
    new: rec([field('n', 'double')]),
    backward: true,
    forward: false,
  },
  {
    name: 'demote long to int',
    old: rec([field('n', 'long')]),
    new: rec([field('n', 'int')]),
    backward: false,
    forward: true,
    backwardRule: 'TYPE_MISMATCH',
  },
  {
    name: 'demote double to float',
    old: rec([field('n', 'double')]),
    new: rec([field('n', 'float')]),
    backward: false,
    forward: true,
    backwardRule: 'TYPE_MISMATCH',
  },
  {
    name: 'turn string into bytes',
    old: rec([field('b', 'string')]),
    new: rec([field('b', 'bytes')]),
    backward: true,
    forward: true,
  },
  {
    name: 'turn string into int',
    old: rec([field('b', 'string')]),
    new: rec([field('b', 'int')]),
    backward: false,
    forward: false,
    backwardRule: 'TYPE_MISMATCH',
  },
  {
    name: 'promote array items int to long',
    old: rec([field('xs', { type: 'array', items: 'int' })]),
    new: rec([field('xs', { type: 'array', items: 'long' })]),
    backward: true,
    forward: false,
  },
  {
    name: 'demote map values double to int',
    old: rec([field('m', { type: 'map', values: 'double' })]),
    new: rec([field('m', { type: 'map', values: 'int' })]),
    backward: false,
    forward: true,
    backwardRule: 'TYPE_MISMATCH',
  },
  {
    name: 'add a nested field without a default',
    old: rec([field('line', { type: 'record', name: 'Line', fields: [field('sku', 'string')] })]),
    new: rec([
      field('line', { type: 'record', name: 'Line', fields: [field('sku', 'string'), field('qty', 'int')] }),
    ]),
    backward: false,
    forward: true,
    backwardRule: 'READER_FIELD_MISSING_DEFAULT_VALUE at shop.Order.line.qty',
  },
  {
    name: 'change a fixed size',
    old: rec([field('f', { type: 'fixed', name: 'F', size: 4 })]),
    new: rec([field('f', { type: 'fixed', name: 'F', size: 8 })]),
    backward: false,
    forward: false,
    backwardRule: 'FIXED_SIZE_MISMATCH',
  },
]

/** Whether `reader` decodes random data of `writer`; throws if the resolver accepts but decoding fails. */
function decodesRandomData(reader: avsc.Type, writer: avsc.Type): boolean {
  let resolver: avsc.Resolver
  try {
    resolver = reader.createResolver(writer)
  } catch {
    return false
  }
  for (let i = 0; i < 50; i++) {
    const value: unknown = writer.random()
    const decoded: unknown = reader.fromBuffer(writer.toBuffer(value), resolver)
    assert.ok(reader.isValid(decoded), `decoded value fits the reader: ${JSON.stringify(decoded)}`)
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

async function registers(
  level: CompatibilityLevel,
  schemas: avsc.Schema[],
): Promise<{ ok: boolean; message: string }> {
  const log = await EmbeddedLog.open()
  const registry = await EmbeddedSchemaRegistry.open({ log })
  try {
    await registry.setCompatibility(level)
    for (const schema of schemas) await registry.register('s-value', { schema: JSON.stringify(schema) })
    return { ok: true, message: '' }
  } catch (err) {
    if (!isRegistryError(err, 409)) throw err
    return { ok: false, message: (err as Error).message }
  } finally {
    await registry.close()
    await log.close()
  }
}

describe('Avro compatibility matrix', () => {
  for (const c of cases)
    it(`${c.name}: backward ${c.backward ? 'yes' : 'no'}, forward ${c.forward ? 'yes' : 'no'}`, async () => {
      const oldType = avsc.Type.forSchema(c.old)
      const newType = avsc.Type.forSchema(c.new)
      assert.equal(decodesRandomData(newType, oldType), c.backward, 'new schema decoding random old data')
      assert.equal(decodesRandomData(oldType, newType), c.forward, 'old schema decoding random new data')
      for (const level of COMPATIBILITY_LEVELS) {
        const result = await registers(level, [c.old, c.new])
        assert.equal(result.ok, allowed(level, c), `registration at ${level}: ${result.message}`)
        if (!result.ok && level === 'BACKWARD' && c.backwardRule !== undefined)
          assert.ok(result.message.includes(c.backwardRule), `names ${c.backwardRule}: ${result.message}`)
      }
    })
})

describe('transitive levels', () => {
  const v1 = rec([id])
  const v2 = rec([id, field('qty', 'int', { default: 0 })])
  const v3 = rec([id, field('qty', 'int')])

  it('BACKWARD accepts 1~2 and 2~3, BACKWARD_TRANSITIVE rejects 3 because it cannot read 1', async () => {
    const newReads = (r: avsc.Schema, w: avsc.Schema) =>
      decodesRandomData(avsc.Type.forSchema(r), avsc.Type.forSchema(w))
    assert.ok(newReads(v2, v1) && newReads(v3, v2) && !newReads(v3, v1))
    assert.equal((await registers('BACKWARD', [v1, v2, v3])).ok, true)
    const transitive = await registers('BACKWARD_TRANSITIVE', [v1, v2, v3])
    assert.equal(transitive.ok, false)
    assert.match(transitive.message, /READER_FIELD_MISSING_DEFAULT_VALUE at shop\.Order\.qty.*version 1/)
  })

  it('FORWARD accepts a chain whose end the first version cannot read; FORWARD_TRANSITIVE rejects it', async () => {
    const f1 = rec([id, field('qty', 'int')])
    const f2 = rec([id, field('qty', 'int', { default: 0 })])
    const f3 = rec([id])
    const reads = (r: avsc.Schema, w: avsc.Schema) =>
      decodesRandomData(avsc.Type.forSchema(r), avsc.Type.forSchema(w))
    assert.ok(reads(f1, f2) && reads(f2, f3) && !reads(f1, f3))
    assert.equal((await registers('FORWARD', [f1, f2, f3])).ok, true)
    assert.equal((await registers('FORWARD_TRANSITIVE', [f1, f2, f3])).ok, false)
  })

  it('FULL accepts default-carrying steps; FULL_TRANSITIVE catches the removed field', async () => {
    const f1 = rec([id, field('qty', 'int')])
    const f2 = rec([id, field('qty', 'int', { default: 0 })])
    const f3 = rec([id])
    assert.equal((await registers('FULL', [f1, f2, f3])).ok, true)
    assert.equal((await registers('FULL_TRANSITIVE', [f1, f2, f3])).ok, false)
  })

  it('transitive levels ignore soft-deleted versions', async () => {
    const log = await EmbeddedLog.open()
    const registry = await EmbeddedSchemaRegistry.open({ log })
    try {
      await registry.setCompatibility('BACKWARD_TRANSITIVE')
      for (const s of [v1, v2]) await registry.register('s', { schema: JSON.stringify(s) })
      await registry.deleteVersion('s', 1)
      assert.equal(await registry.register('s', { schema: JSON.stringify(v3) }), 3)
    } finally {
      await registry.close()
      await log.close()
    }
  })
})
