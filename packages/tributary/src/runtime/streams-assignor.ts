import type { TopicPartition } from '../record.ts'
import type { Assignor, GroupMember } from '../log/log.ts'

/**
 * What an instance tells the assignor when it joins (the member's `userData`): the tasks it owned
 * in the previous generation, so they can stay where their state already is. JSON, versioned.
 */
export interface MemberTasks {
  readonly version: 1
  readonly instanceId: string
  readonly previous: readonly string[]
}

export const encodeMemberTasks = (instanceId: string, previous: Iterable<string>): Buffer =>
  Buffer.from(JSON.stringify({ version: 1, instanceId, previous: [...previous].sort() }))

export function decodeMemberTasks(userData: Buffer | undefined): MemberTasks | undefined {
  if (userData === undefined || userData.length === 0) return undefined
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as Partial<MemberTasks>
    if (parsed.version !== 1 || !Array.isArray(parsed.previous)) return undefined
    return { version: 1, instanceId: String(parsed.instanceId ?? ''), previous: parsed.previous.map(String) }
  } catch {
    return undefined // a member of another kind (or a newer version): treated as owning nothing
  }
}

const partitionOf = (taskId: string): number => Number(taskId.slice(taskId.indexOf('_') + 1))
const subOf = (taskId: string): number => Number(taskId.slice(0, taskId.indexOf('_')))

/**
 * The partition assignor of a StreamsApp, run by the group leader. It assigns tasks, not
 * partitions: task `<sub-topology>_<p>` takes partition p of every input topic of its
 * sub-topology, so co-partitioned inputs (the two sides of a join) always land on one instance.
 * Tasks are:
 * - sticky: a task stays with the member that owned it last generation (from the members'
 *   userData, see MemberTasks), as long as that keeps the assignment balanced;
 * - balanced: members' task counts differ by at most one (among members that subscribe to a
 *   task's topics, which for instances of one application is all of them);
 * - spread: new tasks go to the least loaded member, ties broken by how many tasks of the same
 *   sub-topology it has, so one sub-topology's tasks do not pile up on one instance.
 * Deterministic for a given input. Topics not in `subOfTopic` are not assigned.
 */
export function streamsAssignor(subOfTopic: ReadonlyMap<string, number>): Assignor {
  return {
    name: 'tributary-streams',
    assign(members: readonly GroupMember[], partitionsPerTopic: ReadonlyMap<string, number>) {
      const result = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]))
      const taskPartitions = new Map<string, TopicPartition[]>()
      for (const [topic, count] of partitionsPerTopic) {
        const sub = subOfTopic.get(topic)
        if (sub === undefined) continue
        for (let partition = 0; partition < count; partition++) {
          const id = `${sub}_${partition}`
          taskPartitions.set(id, [...(taskPartitions.get(id) ?? []), { topic, partition }])
        }
      }
      const owners = assignTasks(members, taskPartitions)
      for (const [task, member] of owners) result.get(member)!.push(...taskPartitions.get(task)!)
      return result
    },
  }
}

/** Task id -> member id. Exposed for tests through `streamsAssignor`. */
function assignTasks(
  members: readonly GroupMember[],
  taskPartitions: ReadonlyMap<string, readonly TopicPartition[]>,
): Map<string, string> {
  const ids = members.map((m) => m.memberId).sort()
  const topicsOf = new Map(members.map((m) => [m.memberId, new Set(m.topics)]))
  const previousOwner = new Map<string, string>()
  const previousOf = new Map<string, Set<string>>()
  for (const id of ids) {
    const tasks = decodeMemberTasks(members.find((m) => m.memberId === id)!.userData)?.previous ?? []
    previousOf.set(id, new Set(tasks))
    for (const t of tasks) if (!previousOwner.has(t)) previousOwner.set(t, id)
  }
  const tasks = [...taskPartitions.keys()].sort(
    (a, b) => partitionOf(a) - partitionOf(b) || subOf(a) - subOf(b),
  )
  const eligible = new Map<string, string[]>()
  for (const task of tasks) {
    const topics = taskPartitions.get(task)!.map((tp) => tp.topic)
    const all = ids.filter((id) => topics.every((t) => topicsOf.get(id)!.has(t)))
    eligible.set(
      task,
      all.length > 0 ? all : ids.filter((id) => topics.some((t) => topicsOf.get(id)!.has(t))),
    )
  }
  const load = new Map(ids.map((id) => [id, 0]))
  const owner = new Map<string, string>()
  const give = (task: string, id: string): void => {
    const before = owner.get(task)
    if (before !== undefined) load.set(before, load.get(before)! - 1)
    owner.set(task, id)
    load.set(id, load.get(id)! + 1)
  }
  const cap = Math.ceil(tasks.length / Math.max(1, ids.length))

  // 1. Sticky: previous owners keep their tasks up to the balanced capacity.
  for (const task of tasks) {
    const prev = previousOwner.get(task)
    if (prev !== undefined && eligible.get(task)!.includes(prev) && load.get(prev)! < cap) give(task, prev)
  }
  // 2. The rest to the least loaded eligible member, spreading each sub-topology.
  const sameSub = (id: string, task: string): number =>
    [...owner].filter(([t, o]) => o === id && subOf(t) === subOf(task)).length
  for (const task of tasks) {
    if (owner.has(task)) continue
    const candidates = eligible.get(task)!
    if (candidates.length === 0) continue
    const best = [...candidates].sort(
      (a, b) => load.get(a)! - load.get(b)! || sameSub(a, task) - sameSub(b, task) || (a < b ? -1 : 1),
    )[0]!
    give(task, best)
  }
  // 3. Even out: move tasks from the most to the least loaded member (preferring a task the
  //    receiver owned before) until counts differ by at most one.
  for (let moves = 0; moves < tasks.length * ids.length; moves++) {
    const byLoad = [...ids].sort((a, b) => load.get(a)! - load.get(b)! || (a < b ? -1 : 1))
    const min = byLoad[0]!
    const max = byLoad[byLoad.length - 1]!
    if (load.get(max)! - load.get(min)! <= 1) break
    const movable = tasks.filter((t) => owner.get(t) === max && eligible.get(t)!.includes(min))
    if (movable.length === 0) break
    const task = movable.find((t) => previousOf.get(min)!.has(t)) ?? movable[movable.length - 1]!
    give(task, min)
  }
  return owner
}
