import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { windowsSlidingCases } from './cases/windows-sliding.cases.ts'

for (const kind of [topologyTestDriver, embeddedLogDriver]) windowsSlidingCases(kind)
