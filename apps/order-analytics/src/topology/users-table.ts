import {
  fieldMasker,
  Serdes,
  type KStream,
  type KTable,
  type StreamsBuilder,
  type TimestampExtractor,
} from 'tributary-streams'
import type { RawValue } from '../contract/parse-json.ts'
import { isObject } from '../contract/parse-json.ts'
import { validateUser, type UserProfile } from '../contract/validate-user.ts'
import { check, type Checked } from './checked.ts'
import { maskRejectedUser } from './mask-users.ts'
import { DEFAULT_MAX_TIME_SKEW_MS, eventTimeProblem, fallbackTime } from './event-time.ts'
import type { ResolvedTopologyOptions } from './options.ts'

export const USERS_STORE = 'users'

/** A user's event time: the envelope timestamp, else payload.created_at, else the partition's time;
 *  a time outside the default window of `eventTimeProblem` is ignored like a missing one. */
export const userTime: TimestampExtractor<string | null, RawValue> = (record, partitionTime) => {
  const env = record.value?.json
  const ts = isObject(env)
    ? typeof env['timestamp'] === 'number'
      ? env['timestamp']
      : isObject(env['payload'])
        ? env['payload']['created_at']
        : undefined
    : undefined
  if (
    typeof ts === 'number' &&
    Number.isFinite(ts) &&
    ts >= 0 &&
    eventTimeProblem(ts, partitionTime, Date.now(), DEFAULT_MAX_TIME_SKEW_MS) === undefined
  )
    return Math.floor(ts)
  return fallbackTime(record.timestamp, partitionTime)
}

/**
 * users-raw as a table keyed by payload.user_id (re-keyed through a repartition topic, so the
 * table is right whatever key the producer used). Returns the table and the rejected records,
 * their personal fields masked (options.userMask).
 */
export function usersTable(
  builder: StreamsBuilder,
  options: ResolvedTopologyOptions,
): { table: KTable<string, UserProfile>; rejected: KStream<string | null, Checked<UserProfile>> } {
  const checked = builder
    .stream<string | null, RawValue>(options.topics.usersRaw, {
      key: Serdes.string(),
      value: options.rawValues.users,
      timestampExtractor: userTime,
      name: 'users-source',
    })
    .mapValues((raw) => check(raw, validateUser), { name: 'users-validate' })
  const branches = checked
    .split({ name: 'users-' })
    .branch((_k, v) => v.ok, { name: 'valid' })
    .defaultBranch({ name: 'rejected' })
  const metrics = options.metrics
  const table = branches['users-valid']!.mapValues((v) => {
    metrics.usersAccepted++
    return (v as Extract<Checked<UserProfile>, { ok: true }>).value
  })
    .selectKey((_k, user) => user.user_id, { name: 'users-by-id' })
    .toTable({
      name: USERS_STORE,
      key: Serdes.string(),
      value: Serdes.json<UserProfile>(),
      persistent: options.persistentStores,
    })
  const rejected = branches['users-rejected']!.mapValues(maskRejectedUser(fieldMasker(options.userMask)), {
    name: 'users-mask',
  })
  return { table, rejected }
}
