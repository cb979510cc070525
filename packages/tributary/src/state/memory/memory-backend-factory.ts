import type { BackendFactory, KeyValueBackend } from '../backend.ts'
import { MemoryBackend } from './memory-backend.ts'

/** Opens a fresh, empty memory backend each time: nothing survives a close. */
export const memoryBackendFactory: BackendFactory = {
  persistent: false,
  open: async (): Promise<KeyValueBackend> => new MemoryBackend(),
}
