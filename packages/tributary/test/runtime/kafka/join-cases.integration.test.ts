import { joinsForeignKeyCases } from '../../dsl/cases/joins-foreign-key.cases.ts'
import { joinsGlobalTableCases } from '../../dsl/cases/joins-global-table.cases.ts'
import { joinsStreamStreamCases } from '../../dsl/cases/joins-stream-stream.cases.ts'
import { joinsStreamTableCases } from '../../dsl/cases/joins-stream-table.cases.ts'
import { joinsTableTableCases } from '../../dsl/cases/joins-table-table.cases.ts'
import { kafkaDriverKind } from './kafka-driver-kind.ts'

// The join topology cases on Kafka.
const kafka = kafkaDriverKind()
for (const cases of [
  joinsStreamTableCases,
  joinsStreamStreamCases,
  joinsTableTableCases,
  joinsForeignKeyCases,
  joinsGlobalTableCases,
])
  cases(kafka)
