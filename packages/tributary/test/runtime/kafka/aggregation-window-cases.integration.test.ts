import { aggregationPropertiesCases } from '../../dsl/cases/aggregation-properties.cases.ts'
import { aggregationCases } from '../../dsl/cases/aggregation.cases.ts'
import { windowsPropertiesCases } from '../../dsl/cases/windows-properties.cases.ts'
import { windowsSlidingCases } from '../../dsl/cases/windows-sliding.cases.ts'
import { windowsCases } from '../../dsl/cases/windows.cases.ts'
import { kafkaDriverKind } from './kafka-driver-kind.ts'

// The aggregation and window topology cases on Kafka.
const kafka = kafkaDriverKind()
for (const cases of [
  aggregationCases,
  aggregationPropertiesCases,
  windowsCases,
  windowsSlidingCases,
  windowsPropertiesCases,
])
  cases(kafka)
