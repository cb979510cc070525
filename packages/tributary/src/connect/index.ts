// The public surface of `tributary-streams/connect`: light connectors with no database driver.
export { TopicTail, type TailStart, type TopicTailOptions } from './topic-tail.ts'
