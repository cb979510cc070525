export { TopologyTestDriver, type TestDriverConfig } from './topology-test-driver.ts'
export { TestInputTopic, type TestInputTopicOptions } from './test-input-topic.ts'
export { TestOutputTopic } from './test-output-topic.ts'
export type { TestRecord } from './test-record.ts'
