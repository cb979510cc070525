import type avsc from 'avsc'

/**
 * Why a reader schema cannot read data written with a writer schema, one line per broken rule,
 * naming the field path. avsc's resolver (`reader.createResolver(writer)`) is the ground truth: a
 * node that resolves has no problem; a node that does not is explored to find the field and rule
 * (Confluent's names: READER_FIELD_MISSING_DEFAULT_VALUE, MISSING_UNION_BRANCH, ...).
 */
export function avroReadProblems(reader: avsc.Type, writer: avsc.Type): string[] {
  return explain(reader, writer, rootPath(reader))
}

const rootPath = (type: avsc.Type): string => type.name ?? type.typeName

const resolves = (reader: avsc.Type, writer: avsc.Type): string | undefined => {
  try {
    reader.createResolver(writer)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

const label = (type: avsc.Type): string => type.name ?? type.typeName

function explain(reader: avsc.Type, writer: avsc.Type, path: string): string[] {
  const failure = resolves(reader, writer)
  if (failure === undefined) return []
  if (isUnion(writer)) {
    // Every branch the writer may have written must be readable.
    return unionTypes(writer).flatMap((branch) =>
      resolves(reader, branch) === undefined
        ? []
        : isUnion(reader)
          ? [
              `MISSING_UNION_BRANCH at ${path}: the reader union has no branch for the writer's ${label(branch)}`,
            ]
          : explain(reader, branch, path),
    )
  }
  if (isUnion(reader))
    return [
      `MISSING_UNION_BRANCH at ${path}: the reader union has no branch for the writer's ${label(writer)}`,
    ]
  const kind = reader.typeName
  if (kind !== writer.typeName && !(kind === 'record' && writer.typeName === 'error'))
    return [
      `TYPE_MISMATCH at ${path}: the reader's ${label(reader)} cannot read the writer's ${label(writer)}`,
    ]
  if (kind === 'record' || kind === 'error')
    return explainRecord(reader as avsc.types.RecordType, writer as avsc.types.RecordType, path)
  if (kind === 'enum') {
    const readerSymbols = new Set((reader as avsc.types.EnumType).symbols)
    const missing = (writer as avsc.types.EnumType).symbols.filter((s) => !readerSymbols.has(s))
    if (missing.length > 0)
      return [
        `MISSING_ENUM_SYMBOLS at ${path}: the reader enum ${label(reader)} lacks the writer's symbol(s) ${missing.join(', ')} and has no default`,
      ]
  }
  if (kind === 'array')
    return explain(
      (reader as avsc.types.ArrayType).itemsType,
      (writer as avsc.types.ArrayType).itemsType,
      `${path}[]`,
    )
  if (kind === 'map')
    return explain(
      (reader as avsc.types.MapType).valuesType,
      (writer as avsc.types.MapType).valuesType,
      `${path}{}`,
    )
  if (kind === 'fixed' && (reader as avsc.types.FixedType).size !== (writer as avsc.types.FixedType).size)
    return [
      `FIXED_SIZE_MISMATCH at ${path}: the reader's size ${(reader as avsc.types.FixedType).size} differs from the writer's`,
    ]
  if ((reader.name ?? '') !== (writer.name ?? ''))
    return [
      `NAME_MISMATCH at ${path}: the reader's name ${label(reader)} is neither the writer's ${label(writer)} nor an alias of it`,
    ]
  return [`TYPE_MISMATCH at ${path}: ${failure}`]
}

function explainRecord(reader: avsc.types.RecordType, writer: avsc.types.RecordType, path: string): string[] {
  const readerNames = [reader.name, ...(reader.aliases ?? [])].map(shortName)
  if (!readerNames.includes(shortName(writer.name)))
    return [
      `NAME_MISMATCH at ${path}: the reader record ${reader.name ?? ''} is neither named ${writer.name ?? ''} nor has it as an alias`,
    ]
  const problems: string[] = []
  for (const field of reader.fields) {
    const names = [field.name, ...field.aliases]
    const source = writer.fields.find((w) => names.includes(w.name))
    const at = `${path}.${field.name}`
    if (source !== undefined) problems.push(...explain(field.type, source.type, at))
    else if (field.defaultValue() === undefined)
      problems.push(
        `READER_FIELD_MISSING_DEFAULT_VALUE at ${at}: the reader's field '${field.name}' is missing in the writer and has no default`,
      )
  }
  return problems
}

const shortName = (name: string | undefined): string => (name ?? '').split('.').pop()!
const isUnion = (type: avsc.Type): boolean => type.typeName.startsWith('union')
const unionTypes = (type: avsc.Type): avsc.Type[] => (type as unknown as { types: avsc.Type[] }).types
