import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from '../../../src/state/memory/memory-backend-factory.ts'
import { windowStoreContract } from './window-store-contract.ts'

windowStoreContract('memory', memoryBackendFactory)
windowStoreContract('lmdb', lmdbBackendFactory)
