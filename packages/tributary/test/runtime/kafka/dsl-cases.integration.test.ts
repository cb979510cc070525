import { errorHandlingCases } from '../../dsl/cases/error-handling.cases.ts'
import { repartitionCases } from '../../dsl/cases/repartition.cases.ts'
import { statelessCases } from '../../dsl/cases/stateless.cases.ts'
import { tablesCases } from '../../dsl/cases/tables.cases.ts'
import { wordCountCases } from '../../testing/cases/word-count.cases.ts'
import { processorApiCases } from '../../topology/cases/processor-api.cases.ts'
import { kafkaDriverKind } from './kafka-driver-kind.ts'

// The engine-core topology cases (stateless, tables, repartition, errors, processor API) on Kafka.
const kafka = kafkaDriverKind()
for (const cases of [
  wordCountCases,
  statelessCases,
  tablesCases,
  repartitionCases,
  errorHandlingCases,
  processorApiCases,
])
  cases(kafka)
