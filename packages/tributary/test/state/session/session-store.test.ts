import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from '../../../src/state/memory/memory-backend-factory.ts'
import { sessionStoreContract } from './session-store-contract.ts'

sessionStoreContract('memory', memoryBackendFactory)
sessionStoreContract('lmdb', lmdbBackendFactory)
