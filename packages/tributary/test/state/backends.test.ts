import { lmdbBackendFactory } from '../../src/state/lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from '../../src/state/memory/memory-backend-factory.ts'
import { backendContract } from './backend-contract.ts'

backendContract('memory', memoryBackendFactory)
backendContract('lmdb', lmdbBackendFactory)
