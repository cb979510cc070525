import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { windowsPropertiesCases } from './cases/windows-properties.cases.ts'

for (const kind of [topologyTestDriver, embeddedLogDriver]) windowsPropertiesCases(kind)
