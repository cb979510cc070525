import type { FieldMask } from 'tributary-streams'
import type { RawValue } from '../contract/parse-json.ts'
import type { UserProfile } from '../contract/validate-user.ts'
import type { Checked } from './checked.ts'

/** The personal data of a UserCreated event: never in the clear on a topic after users-raw. */
export const USER_PERSONAL_FIELDS = ['payload.email', 'payload.name'] as const

/** Without a key (tests, TopologyTestDriver): redacted. The streams job passes a keyed HMAC. */
export const DEFAULT_USER_MASK: FieldMask = { redact: USER_PERSONAL_FIELDS }

/**
 * A rejected user as it may go to orders-dlq. The users table keeps no personal data (UserProfile
 * is user_id, region, segment); the raw value of a rejected record is the one path by which it
 * would leave. A readable value (JSON, or Avro decoded) keeps its content with the personal fields
 * masked (as JSON text: masked Avro would no longer match its schema id); an unreadable one may
 * hold them anywhere, so it is withheld and only its reason and origin remain.
 */
export const maskRejectedUser =
  (mask: <T>(value: T) => T) =>
  (checked: Checked<UserProfile>): Checked<UserProfile> => {
    if (checked.ok) return checked
    const raw = checked.raw
    const masked: RawValue =
      raw.parsed && raw.text !== null
        ? { text: JSON.stringify(mask(raw.json)), parsed: true, json: mask(raw.json) }
        : { text: null, parsed: false, json: undefined, ...(raw.text === null ? {} : { withheld: true }) }
    return { ...checked, raw: masked }
  }
