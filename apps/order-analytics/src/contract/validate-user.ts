import { isObject, type RawValue } from './parse-json.ts'
import { textProblem } from './text-check.ts'
import type { Validation } from './validate-order.ts'

/** What the pipeline keeps of a user: the users table's value. */
export interface UserProfile {
  readonly user_id: string
  readonly region: string
  readonly segment: string
}

/** Region or segment of a user whose record lacks one, and of an order whose user is not known. */
export const UNKNOWN = 'unknown'

const label = (x: unknown): string => (typeof x === 'string' && x.length > 0 ? x : UNKNOWN)

/**
 * The contract's rule for users-raw: a record that is not valid JSON or has no string
 * `payload.user_id` is dead-lettered (reasons `invalid-json`, `missing-field`, `wrong-type`), and
 * so is one whose user_id, region or segment has a control character or a lone surrogate
 * (`invalid-string`). Any
 * other user is accepted; a missing or empty region or segment reads as `unknown`.
 */
export function validateUser(raw: RawValue): Validation<UserProfile> {
  if (!raw.parsed)
    return {
      ok: false,
      reason: `invalid-json: ${raw.text === null ? 'null value' : 'value is not valid JSON'}`,
    }
  const payload = isObject(raw.json) ? raw.json['payload'] : undefined
  const userId = isObject(payload) ? payload['user_id'] : undefined
  if (userId === undefined || userId === null) return { ok: false, reason: 'missing-field: payload.user_id' }
  if (typeof userId !== 'string')
    return { ok: false, reason: `wrong-type: payload.user_id is ${typeof userId}, expected string` }
  const p = payload as Record<string, unknown>
  for (const [field, value] of [
    ['user_id', userId],
    ['region', p['region']],
    ['segment', p['segment']],
  ] as const) {
    const problem = typeof value === 'string' ? textProblem(value) : undefined
    if (problem !== undefined)
      return { ok: false, reason: `invalid-string: payload.${field} has a ${problem}` }
  }
  return { ok: true, value: { user_id: userId, region: label(p['region']), segment: label(p['segment']) } }
}
