import type { SpanContext } from '@opentelemetry/api'

/**
 * Which spans built each state entry, for span links: a bounded map from (store, entry) to the
 * contexts of the latest spans that wrote it, most recent first. A record that reads an entry links
 * its span to them; when it writes an entry, the entry's builders become its own span and what it
 * read (so a window's aggregate carries the spans of its latest `maxLinks` records). Entries beyond
 * `maxEntries` are forgotten least recently written first; nothing survives a restart.
 */
export class SpanLineage {
  private readonly builders = new Map<string, readonly SpanContext[]>()

  constructor(
    readonly maxLinks: number,
    private readonly maxEntries: number,
  ) {}

  read(store: string, entry: string): readonly SpanContext[] {
    return this.builders.get(`${store}\u0000${entry}`) ?? []
  }

  written(store: string, entry: string, builders: readonly SpanContext[]): void {
    const id = `${store}\u0000${entry}`
    this.builders.delete(id)
    this.builders.set(id, builders.slice(0, this.maxLinks))
    if (this.builders.size > this.maxEntries) this.builders.delete(this.builders.keys().next().value!)
  }
}
