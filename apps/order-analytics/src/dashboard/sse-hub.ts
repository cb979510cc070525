import type { ServerResponse } from 'node:http'

/**
 * Server-sent events to every connected browser, at most `maxClients` at a time (each holds a
 * socket and a write buffer). A client that is gone is dropped on write.
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>()
  private readonly heartbeat: NodeJS.Timeout

  constructor(
    private readonly maxClients = 100,
    heartbeatMs = 15_000,
  ) {
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), heartbeatMs)
    this.heartbeat.unref()
  }

  get size(): number {
    return this.clients.size
  }

  /**
   * Takes over a response: SSE headers, a reconnect delay, then `first` as the initial event. At
   * the cap it answers 503 with a Retry-After instead and returns false (a browser's EventSource
   * does not retry an HTTP error by itself: the dashboard page, web/app.js, tries again later).
   */
  add(res: ServerResponse, first?: { event: string; data: unknown }): boolean {
    if (this.clients.size >= this.maxClients) {
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '10' })
      res.end(JSON.stringify({ error: `too many event streams (at most ${this.maxClients})` }))
      return false
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    res.write('retry: 2000\n\n')
    if (first !== undefined) res.write(frame(first.event, first.data))
    this.clients.add(res)
    res.on('close', () => this.clients.delete(res))
    return true
  }

  send(event: string, data: unknown): void {
    if (this.clients.size > 0) this.write(frame(event, data))
  }

  close(): void {
    clearInterval(this.heartbeat)
    for (const res of this.clients) res.end()
    this.clients.clear()
  }

  private write(text: string): void {
    for (const res of this.clients) {
      if (res.writableEnded || res.destroyed) this.clients.delete(res)
      else res.write(text)
    }
  }
}

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
