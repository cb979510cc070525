import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { joinsStreamStreamCases } from './cases/joins-stream-stream.cases.ts'

for (const kind of [topologyTestDriver, embeddedLogDriver]) joinsStreamStreamCases(kind)
