// The ACLs docs/security.md tells operators to add, read from its `acls ...` lines (a shorthand for
// `kafka-acls.sh --add`), so the tests grant exactly what the document says, word for word.
// Every flag of those lines must be understood here: an unknown one fails the test.
import { readFileSync } from 'node:fs'
import {
  AclOperations,
  AclPermissionTypes,
  ResourcePatternTypes,
  ResourceTypes,
  type Acl,
} from '@platformatic/kafka'

export const SECURITY_DOC = new URL('../../../../../docs/security.md', import.meta.url)

const OPERATIONS: Record<string, Acl['operation']> = {
  All: AclOperations.ALL,
  Read: AclOperations.READ,
  Write: AclOperations.WRITE,
  Create: AclOperations.CREATE,
  Delete: AclOperations.DELETE,
  Alter: AclOperations.ALTER,
  Describe: AclOperations.DESCRIBE,
  DescribeConfigs: AclOperations.DESCRIBE_CONFIGS,
  AlterConfigs: AclOperations.ALTER_CONFIGS,
  IdempotentWrite: AclOperations.IDEMPOTENT_WRITE,
}

/** The bindings of one `acls` line: every principal × operation × resource it names. */
export function parseAclLine(line: string): Acl[] {
  const words = line.trim().split(/\s+/)
  if (words.shift() !== 'acls') throw new Error(`not an acls line: ${line}`)
  const principals: string[] = []
  const operations: Acl['operation'][] = []
  const resources: { type: Acl['resourceType']; name: string }[] = []
  let pattern: Acl['resourcePatternType'] = ResourcePatternTypes.LITERAL
  const value = (flag: string): string => {
    const v = words.shift()
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value: ${line}`)
    return v
  }
  while (words.length > 0) {
    const flag = words.shift()!
    if (flag === '--allow-principal') principals.push(value(flag))
    else if (flag === '--operation') {
      const op = OPERATIONS[value(flag)]
      if (op === undefined) throw new Error(`unknown operation in: ${line}`)
      operations.push(op)
    } else if (flag === '--topic') resources.push({ type: ResourceTypes.TOPIC, name: value(flag) })
    else if (flag === '--group') resources.push({ type: ResourceTypes.GROUP, name: value(flag) })
    else if (flag === '--transactional-id')
      resources.push({ type: ResourceTypes.TRANSACTIONAL_ID, name: value(flag) })
    else if (flag === '--cluster') resources.push({ type: ResourceTypes.CLUSTER, name: 'kafka-cluster' })
    else if (flag === '--resource-pattern-type') {
      const p = value(flag)
      if (p !== 'prefixed' && p !== 'literal') throw new Error(`unknown pattern type in: ${line}`)
      pattern = p === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL
    } else throw new Error(`unknown flag ${flag} in: ${line}`)
  }
  if (principals.length === 0 || operations.length === 0 || resources.length === 0)
    throw new Error(`an acls line needs a principal, an operation and a resource: ${line}`)
  return principals.flatMap((principal) =>
    operations.flatMap((operation) =>
      resources.map((r) => ({
        principal,
        host: '*',
        operation,
        permissionType: AclPermissionTypes.ALLOW,
        resourceType: r.type,
        resourceName: r.name,
        resourcePatternType: pattern,
      })),
    ),
  )
}

/** Every `acls` line of docs/security.md, by principal (`User:streams`). */
export function documentedAcls(doc: string = readFileSync(SECURITY_DOC, 'utf8')): Map<string, Acl[]> {
  const byPrincipal = new Map<string, Acl[]>()
  for (const line of doc.split('\n').filter((l) => l.startsWith('acls '))) {
    for (const acl of parseAclLine(line)) {
      const list = byPrincipal.get(acl.principal) ?? []
      list.push(acl)
      byPrincipal.set(acl.principal, list)
    }
  }
  return byPrincipal
}
