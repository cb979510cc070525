import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { aggregationCases } from './cases/aggregation.cases.ts'

for (const kind of [topologyTestDriver, embeddedLogDriver]) aggregationCases(kind)
