// A topic with 50,000 partitions on a durable embedded log, in a process allowed far fewer open
// files (ulimit -n 1536): creating it, writing to it, closing and reopening must not run out of
// descriptors (EMFILE), since partition files are opened on use and pooled (FileHandles).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { it } from 'node:test'
import { tempDir } from './helpers.ts'

const child = fileURLToPath(new URL('./fixtures/many-partitions-child.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('../../../', import.meta.url))
const PARTITIONS = 50_000
const STRIDE = 17
const OPEN_FILES = 1536

it('creates, writes and reopens a topic of 50,000 partitions with 1,536 open files allowed', async () => {
  const tmp = tempDir()
  try {
    const { stdout } = await promisify(execFile)(
      'bash',
      [
        '-c',
        `ulimit -n ${OPEN_FILES} && exec "$0" --import tsx "$@"`,
        process.execPath,
        child,
        tmp.dir,
        String(PARTITIONS),
        String(STRIDE),
      ],
      { cwd: packageDir, maxBuffer: 16 << 20 },
    )
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
      partitions: number
      written: number[]
      nonEmpty: number[]
      values: string[]
    }
    assert.equal(result.partitions, PARTITIONS)
    assert.ok(result.written.length > 500 && result.written.includes(PARTITIONS - 1))
    assert.deepEqual(result.nonEmpty, result.written, 'exactly the written partitions hold a record')
    assert.deepEqual(
      result.values.sort(),
      result.written.map((p) => `${p}:p${p}`).sort(),
      'every record is read back from its partition',
    )
  } finally {
    tmp.remove()
  }
})
