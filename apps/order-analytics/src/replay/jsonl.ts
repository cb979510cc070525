import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'

/** The lines of a JSONL file, without line ends; blank lines are skipped. */
export async function* readLines(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
  for await (const line of lines) if (line.trim() !== '') yield line
}
