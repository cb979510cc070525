import { constants } from 'node:fs'
import { nodeFs } from '../../../src/log/embedded/storage-fs.ts'
import { PassThroughFs } from './pass-through-fs.ts'

/** 'create' and 'remove' are the creation (open with O_CREAT) and deletion of segment files, log
 *  start marks and compaction checkpoints: a segment roll, retention, deleteRecordsBefore, the end
 *  of a compaction round. */
export type FaultCall = 'write' | 'fsync' | 'read' | 'create' | 'remove'
/** errno faults throw; 'short' writes part of the buffer, then throws ENOSPC; 'corrupt' flips one
 *  bit of what is written or read and reports success. */
export type FaultKind = 'ENOSPC' | 'EIO' | 'EROFS' | 'short' | 'corrupt'

export interface Fault {
  readonly call: FaultCall
  /** 1-based: the fault hits the nth call of that kind (counted from the start). */
  readonly nth: number
  readonly kind: FaultKind
  /** Bit to flip for 'corrupt' (modulo the buffer's bits). */
  readonly bit?: number
  /** Whether later writes keep failing after an errno or 'short' write fault (a disk that stays
   *  full); false: only that write fails (space freed by someone else). Default true. */
  readonly sticky?: boolean
}

const SEGMENT = /(\d{20}\.(log|start)|cleaner\.checkpoint(\.tmp)?)$/

const errno = (code: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: injected fault`), { code })

/**
 * A StorageFs over node:fs that injects one fault. After a sticky errno or 'short' fault on a
 * write every later write fails the same way (a full or read-only disk stays so) until `heal`.
 */
export class FaultyFs extends PassThroughFs {
  readonly calls: Record<FaultCall, number> = { write: 0, fsync: 0, read: 0, create: 0, remove: 0 }
  fired = false
  private broken: FaultKind | null = null

  constructor(private fault: Fault | null = null) {
    super()
  }

  /** Injects `fault` counting from now on. */
  arm(fault: Fault): void {
    this.fault = { ...fault, nth: this.calls[fault.call] + fault.nth }
  }

  heal(): void {
    this.broken = null
    this.fault = null
  }

  private hit(call: FaultCall): Fault | null {
    const n = ++this.calls[call]
    if (this.fault === null || this.fault.call !== call || this.fault.nth !== n) return null
    this.fired = true
    return this.fault
  }

  override writeSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
    if (this.broken !== null) throw errno(this.broken === 'short' ? 'ENOSPC' : this.broken)
    const fault = this.hit('write')
    if (fault === null) return nodeFs.writeSync(fd, buffer, offset, length, position)
    if (fault.kind === 'corrupt') {
      const copy = Buffer.from(buffer.subarray(offset, offset + length))
      const bit = (fault.bit ?? 0) % (copy.length * 8)
      copy[bit >> 3]! ^= 1 << (bit & 7)
      return nodeFs.writeSync(fd, copy, 0, copy.length, position)
    }
    if (fault.sticky !== false) this.broken = fault.kind
    if (fault.kind === 'short' && length > 1) nodeFs.writeSync(fd, buffer, offset, length >> 1, position)
    throw errno(fault.kind === 'short' ? 'ENOSPC' : fault.kind)
  }

  override fdatasyncSync(fd: number): void {
    this.sync(fd)
  }

  override fsyncSync(fd: number): void {
    this.sync(fd)
  }

  /** Counted with the synchronous syncs; a fault fails it on a later turn, as the thread pool's would. */
  override fdatasync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void {
    const fault = this.hit('fsync')
    if (fault !== null && fault.kind !== 'corrupt')
      setImmediate(() => done(errno(fault.kind === 'short' ? 'EIO' : fault.kind)))
    else nodeFs.fdatasync(fd, done)
  }

  private sync(fd: number): void {
    const fault = this.hit('fsync')
    if (fault !== null && fault.kind !== 'corrupt') throw errno(fault.kind === 'short' ? 'EIO' : fault.kind)
    nodeFs.fdatasyncSync(fd)
  }

  override readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
    const fault = this.hit('read')
    if (fault !== null && fault.kind !== 'corrupt' && fault.kind !== 'short') throw errno(fault.kind)
    const got = nodeFs.readSync(
      fd,
      buffer,
      offset,
      fault?.kind === 'short' ? Math.max(1, length >> 1) : length,
      position,
    )
    if (fault?.kind === 'corrupt' && got > 0) {
      const bit = (fault.bit ?? 0) % (got * 8)
      buffer[offset + (bit >> 3)]! ^= 1 << (bit & 7)
    }
    return got
  }

  override openSync(path: string, flags: number | string): number {
    if (typeof flags === 'number' && (flags & constants.O_CREAT) !== 0 && SEGMENT.test(path)) {
      const fault = this.hit('create')
      if (fault !== null)
        throw errno(fault.kind === 'short' || fault.kind === 'corrupt' ? 'ENOSPC' : fault.kind)
    }
    return nodeFs.openSync(path, flags)
  }

  override rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void {
    if (SEGMENT.test(path)) {
      const fault = this.hit('remove')
      if (fault !== null) throw errno(fault.kind === 'EROFS' ? 'EROFS' : 'EIO')
    }
    nodeFs.rmSync(path, options)
  }
}
