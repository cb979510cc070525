/**
 * Why documents valid under a writer JSON Schema may be rejected by a reader JSON Schema: our own
 * structural rules (the schemas are compared, not sampled). A reader must accept every writer
 * document, so the reader may widen (more types, more enum values, fewer required properties,
 * looser bounds) and may not narrow. Properties the writer does not declare are assumed absent when
 * the writer is closed (`additionalProperties: false`) and, leniently, also when it is open: adding
 * an optional property is compatible, as adding an Avro field with a default is. `$ref`s are compared
 * by their text only. Rule names follow Confluent's where one exists.
 */
export function jsonReadProblems(reader: unknown, writer: unknown): string[] {
  return explain(reader, writer, '#')
}

type Schema = Record<string, unknown>

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The JSON types a schema allows; undefined = any. `integer` is a subset of `number`. */
function typesOf(schema: Schema): Set<string> | undefined {
  const t = schema['type']
  if (typeof t === 'string') return new Set([t])
  if (Array.isArray(t)) return new Set(t as string[])
  if (Array.isArray(schema['enum'])) return new Set((schema['enum'] as unknown[]).map(jsonTypeOf))
  if ('const' in schema) return new Set([jsonTypeOf(schema['const'])])
  return undefined
}

const jsonTypeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v

const allows = (types: Set<string> | undefined, type: string): boolean =>
  types === undefined || types.has(type) || (type === 'integer' && types.has('number'))

function explain(reader: unknown, writer: unknown, path: string): string[] {
  if (reader === true || (isObject(reader) && Object.keys(reader).length === 0)) return []
  if (writer === false) return []
  if (reader === false) return [`TYPE_NARROWED at ${path}: the reader accepts nothing`]
  if (!isObject(reader)) return []
  const w: Schema = isObject(writer) ? writer : {}
  if (same(reader, w)) return []
  const combined = explainCombined(reader, w, path)
  if (combined !== undefined) return combined
  if (typeof reader['$ref'] === 'string' || typeof w['$ref'] === 'string')
    return reader['$ref'] === w['$ref']
      ? []
      : [`REF_CHANGED at ${path}: $ref ${String(w['$ref'])} became ${String(reader['$ref'])}`]

  const problems: string[] = []
  const rt = typesOf(reader)
  const wt = typesOf(w)
  if (rt !== undefined) {
    if (wt === undefined)
      problems.push(
        `TYPE_NARROWED at ${path}: the writer allows any type, the reader only ${[...rt].join(', ')}`,
      )
    else
      for (const t of wt)
        if (!allows(rt, t))
          problems.push(
            `TYPE_NARROWED at ${path}: the writer allows ${t}, the reader only ${[...rt].join(', ')}`,
          )
  }
  problems.push(...explainValues(reader, w, path))
  if (allows(wt, 'object') && allows(rt, 'object')) problems.push(...explainObject(reader, w, path))
  if (allows(wt, 'array') && allows(rt, 'array')) problems.push(...explainArray(reader, w, path))
  return problems
}

/** anyOf/oneOf: every writer branch must be accepted by some reader branch. */
function explainCombined(reader: Schema, writer: Schema, path: string): string[] | undefined {
  const branches = (s: Schema): unknown[] | undefined =>
    (Array.isArray(s['anyOf']) ? s['anyOf'] : Array.isArray(s['oneOf']) ? s['oneOf'] : undefined) as
      unknown[] | undefined
  const rb = branches(reader)
  const wb = branches(writer)
  if (rb === undefined && wb === undefined) return undefined
  const problems: string[] = []
  for (const [i, branch] of (wb ?? [writer]).entries()) {
    const candidates = rb ?? [reader]
    const fits = candidates.some((r) => explain(r, branch, path).length === 0)
    if (!fits)
      problems.push(
        candidates.length === 1
          ? `COMBINED_TYPE_NARROWED at ${path}: ${explain(candidates[0], branch, path).join('; ')}`
          : `COMBINED_TYPE_NARROWED at ${path}: no reader branch accepts writer branch ${i}`,
      )
  }
  return problems
}

function explainValues(reader: Schema, w: Schema, path: string): string[] {
  const problems: string[] = []
  if (Array.isArray(reader['enum'])) {
    const allowed = (reader['enum'] as unknown[]).map((v) => JSON.stringify(v))
    const written = Array.isArray(w['enum'])
      ? (w['enum'] as unknown[])
      : 'const' in w
        ? [w['const']]
        : undefined
    if (written === undefined)
      problems.push(`ENUM_ADDED at ${path}: the reader restricts values to an enum the writer does not have`)
    else {
      const missing = written.filter((v) => !allowed.includes(JSON.stringify(v)))
      if (missing.length > 0)
        problems.push(
          `ENUM_NARROWED at ${path}: the reader's enum lacks the writer's ${missing.map((v) => JSON.stringify(v)).join(', ')}`,
        )
    }
  }
  if ('const' in reader && !same(reader['const'], w['const']))
    problems.push(`CONST_CHANGED at ${path}: the reader requires ${JSON.stringify(reader['const'])}`)
  const upper = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties']
  const lower = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties']
  for (const key of upper) {
    const r = reader[key]
    if (typeof r === 'number' && !(typeof w[key] === 'number' && (w[key] as number) <= r))
      problems.push(
        `${snake(key)}_NARROWED at ${path}: the reader's ${key} ${r} is below the writer's ${String(w[key] ?? 'none')}`,
      )
  }
  for (const key of lower) {
    const r = reader[key]
    if (typeof r === 'number' && !(typeof w[key] === 'number' && (w[key] as number) >= r))
      problems.push(
        `${snake(key)}_NARROWED at ${path}: the reader's ${key} ${r} is above the writer's ${String(w[key] ?? 'none')}`,
      )
  }
  for (const key of ['pattern', 'format', 'multipleOf'])
    if (reader[key] !== undefined && !same(reader[key], w[key]))
      problems.push(
        `${snake(key)}_CHANGED at ${path}: the reader's ${key} ${JSON.stringify(reader[key])} differs from the writer's`,
      )
  return problems
}

function explainObject(reader: Schema, w: Schema, path: string): string[] {
  const problems: string[] = []
  const rp = (isObject(reader['properties']) ? reader['properties'] : {}) as Schema
  const wp = (isObject(w['properties']) ? w['properties'] : {}) as Schema
  const rAdditional = reader['additionalProperties']
  const wAdditional = w['additionalProperties']
  const wRequired = new Set(Array.isArray(w['required']) ? (w['required'] as string[]) : [])
  for (const name of Object.keys(rp)) {
    const at = `${path}/properties/${name}`
    if (name in wp) problems.push(...explain(rp[name], wp[name], at))
    else if (isObject(wAdditional)) problems.push(...explain(rp[name], wAdditional, at))
  }
  for (const name of Object.keys(wp)) {
    if (name in rp) continue
    const at = `${path}/properties/${name}`
    if (rAdditional === false)
      problems.push(
        `PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at ${at}: the writer has '${name}', the closed reader rejects it`,
      )
    else if (isObject(rAdditional)) problems.push(...explain(rAdditional, wp[name], at))
  }
  for (const name of Array.isArray(reader['required']) ? (reader['required'] as string[]) : [])
    if (!wRequired.has(name))
      problems.push(
        name in wp
          ? `REQUIRED_ATTRIBUTE_ADDED at ${path}/properties/${name}: '${name}' is optional for the writer, required by the reader`
          : `REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL at ${path}/properties/${name}: the reader requires '${name}', which the writer does not have`,
      )
  if (rAdditional === false && wAdditional !== false)
    problems.push(
      `ADDITIONAL_PROPERTIES_REMOVED at ${path}: the reader is closed (additionalProperties: false), the writer is open`,
    )
  else if (isObject(rAdditional) && !isObject(wAdditional) && wAdditional !== false)
    problems.push(
      `ADDITIONAL_PROPERTIES_NARROWED at ${path}: the reader constrains additional properties, the writer does not`,
    )
  else if (isObject(rAdditional) && isObject(wAdditional))
    problems.push(...explain(rAdditional, wAdditional, `${path}/additionalProperties`))
  return problems
}

function explainArray(reader: Schema, w: Schema, path: string): string[] {
  const ri = reader['items']
  const wi = w['items']
  if (ri === undefined) return []
  if (Array.isArray(ri) || Array.isArray(wi))
    return same(ri, wi) ? [] : [`ITEMS_CHANGED at ${path}/items: tuple items differ`]
  return explain(ri, wi ?? {}, `${path}/items`)
}

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()
