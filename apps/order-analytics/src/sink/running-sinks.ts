import type { PostgresSink } from 'tributary-streams/postgres'

/** Sinks running in this process, so the dashboard of `all` can show and export their metrics. */
export const runningSinks = new Set<PostgresSink>()
