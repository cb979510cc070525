/**
 * Cases where Tributary still differs from Kafka Streams, by case name, with the reason. They run
 * and are reported as todo (never as passed); an entry is removed once its case matches. Empty:
 * every case matches (deliberate differences are not cases here; the README's Semantics section
 * lists them).
 */
export const knownDifferences: ReadonlyMap<string, string> = new Map<string, string>([])
