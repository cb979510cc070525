import { TributaryError } from '../errors.ts'

/** Bounds of a suppression buffer. Unbounded by default. */
export interface BufferConfig {
  readonly maxRecords?: number
  /** When the buffer is full: emit its oldest entry early (default) or stop the app with an error. */
  readonly whenFull?: 'emit-early' | 'shut-down'
}

/** What `KTable.suppress` holds back. */
export type Suppressed =
  | { readonly kind: 'until-window-closes'; readonly buffer: BufferConfig; readonly name?: string }
  | {
      readonly kind: 'until-time-limit'
      readonly timeToWaitMs: number
      readonly buffer: BufferConfig
      readonly name?: string
    }

export const Suppressed = {
  /** Only the final result of each window, once stream time passes its end + grace. Windowed tables only. */
  untilWindowCloses(buffer: BufferConfig = {}, name?: string): Suppressed {
    if (buffer.whenFull === 'emit-early') {
      throw new TributaryError(
        'CONFIG',
        `untilWindowCloses cannot emit early (results would not be final); use whenFull: 'shut-down' or no maxRecords`,
      )
    }
    return {
      kind: 'until-window-closes',
      buffer: { ...buffer, whenFull: 'shut-down' },
      ...(name ? { name } : {}),
    }
  },
  /** The latest value of each key once it has waited `timeToWaitMs` of stream time since it was first buffered. */
  untilTimeLimit(timeToWaitMs: number, buffer: BufferConfig = {}, name?: string): Suppressed {
    if (!Number.isSafeInteger(timeToWaitMs) || timeToWaitMs < 0) {
      throw new TributaryError('CONFIG', `timeToWaitMs must be an integer >= 0, got ${timeToWaitMs}`)
    }
    return { kind: 'until-time-limit', timeToWaitMs, buffer, ...(name ? { name } : {}) }
  },
}
