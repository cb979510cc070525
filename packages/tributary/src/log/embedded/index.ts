export { EmbeddedLog, type EmbeddedLogOptions } from './embedded-log.ts'
export type { EmbeddedProducer } from './embedded-producer.ts'
export type { FsyncMode } from './fsync-policy.ts'
export { rangeAssignor } from './range-assignor.ts'
