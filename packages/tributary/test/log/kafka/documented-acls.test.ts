import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AclOperations, ResourcePatternTypes, ResourceTypes } from '@platformatic/kafka'
import { documentedAcls, parseAclLine } from './documented-acls.ts'

describe('the ACL lines of docs/security.md', () => {
  it('expand to one binding per principal, operation and resource', () => {
    const acls = parseAclLine(
      'acls --allow-principal User:a --operation Read --operation Describe --topic t1 --topic t2 --resource-pattern-type prefixed',
    )
    assert.equal(acls.length, 4)
    assert.ok(acls.every((a) => a.resourcePatternType === ResourcePatternTypes.PREFIXED))
    assert.deepEqual(
      acls.map((a) => [a.operation, a.resourceName]),
      [
        [AclOperations.READ, 't1'],
        [AclOperations.READ, 't2'],
        [AclOperations.DESCRIBE, 't1'],
        [AclOperations.DESCRIBE, 't2'],
      ],
    )
  })

  it('refuse a flag the tests do not understand', () => {
    assert.throws(
      () => parseAclLine('acls --allow-principal User:a --operation Read --topic t --deny-host x'),
      /unknown flag/,
    )
  })

  it('cover every role of the app', () => {
    const byPrincipal = documentedAcls()
    for (const role of ['producer', 'streams', 'sink', 'dashboard'])
      assert.ok(byPrincipal.has(`User:${role}`), `docs/security.md grants User:${role}`)
    assert.ok(
      byPrincipal.get('User:streams')!.some((a) => a.resourceType === ResourceTypes.TRANSACTIONAL_ID),
      'the streams app gets its transactional ids',
    )
  })
})
