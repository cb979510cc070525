import type { IncomingMessage } from 'node:http'
import { HttpError } from './http-error.ts'

/**
 * The request body, at most `maxBytes`: a declared `content-length` above it is refused before a
 * byte is read, a streamed body as soon as it passes it (HttpError 413 either way).
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw tooLarge(maxBytes)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

const tooLarge = (maxBytes: number) => new HttpError(413, `request body larger than ${maxBytes} bytes`)
