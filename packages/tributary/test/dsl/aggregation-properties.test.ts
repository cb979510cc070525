import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { aggregationPropertiesCases } from './cases/aggregation-properties.cases.ts'

for (const kind of [topologyTestDriver, embeddedLogDriver]) aggregationPropertiesCases(kind)
