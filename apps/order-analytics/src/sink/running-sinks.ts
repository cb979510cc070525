import type { PostgresSink } from 'tributary/postgres'

/** Sinks running in this process, so the dashboard of `all` can show and export their metrics. */
export const runningSinks = new Set<PostgresSink>()
