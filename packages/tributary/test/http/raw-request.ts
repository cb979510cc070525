import { request } from 'node:http'

export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/**
 * One HTTP request with `path` sent exactly as given (fetch and URL would normalize `..`, `%2e`
 * and backslashes away before they reach the server, which is not what an attacker's client does).
 */
export function rawRequest(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Spellings of `../<name>` (and the like) that must never reach a file outside the root. */
export const traversals = (name: string): string[] => [
  `/../${name}`,
  `/../../${name}`,
  `/sub/../../${name}`,
  `/%2e%2e/${name}`,
  `/%2E%2E/${name}`,
  `/..%2f${name}`,
  `/%2e%2e%2f${name}`,
  `/%252e%252e/${name}`,
  `/%252e%252e%252f${name}`,
  `/..\\${name}`,
  `/%5c..%5c${name}`,
  `/sub\\..\\..\\${name}`,
  `/..%5c${name}`,
  `/%c0%ae%c0%ae/${name}`,
  `/.%2e/${name}`,
  `/index.html%00/../../${name}`,
  `//${name}`,
]
