import * as fs from 'node:fs'

/**
 * The file-system calls the embedded log makes: synchronous ones, and `fdatasync`, which runs on
 * the libuv thread pool so the event loop goes on while the disk works (the syncs of a commit).
 * Every byte the log reads or writes goes through one of these, so tests can inject faults
 * (ENOSPC, EIO, short or corrupt writes) at any call; `nodeFs` is the real thing.
 */
export interface StorageFs {
  openSync(path: string, flags: number | string): number
  closeSync(fd: number): void
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number
  writeSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number
  fdatasyncSync(fd: number): void
  /** node:fs's callback form: the descriptor must stay open until `done` is called. */
  fdatasync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void
  fsyncSync(fd: number): void
  ftruncateSync(fd: number, length: number): void
  /** Sets access and modification times, in milliseconds since the epoch. */
  futimesSync(fd: number, atimeMs: number, mtimeMs: number): void
  fstatSync(fd: number): { size: number }
  statSync(path: string): { size: number; mtimeMs: number; isDirectory(): boolean }
  renameSync(from: string, to: string): void
  rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void
  mkdirSync(path: string, options?: { recursive?: boolean }): unknown
  readdirSync(path: string): string[]
  existsSync(path: string): boolean
}

export const nodeFs: StorageFs = {
  openSync: (path, flags) => fs.openSync(path, flags),
  closeSync: (fd) => fs.closeSync(fd),
  readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  fdatasync: (fd, done) => fs.fdatasync(fd, done),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  futimesSync: (fd, atimeMs, mtimeMs) => fs.futimesSync(fd, new Date(atimeMs), new Date(mtimeMs)),
  fstatSync: (fd) => fs.fstatSync(fd),
  statSync: (path) => fs.statSync(path),
  renameSync: (from, to) => fs.renameSync(from, to),
  rmSync: (path, options) => fs.rmSync(path, options),
  mkdirSync: (path, options) => fs.mkdirSync(path, options),
  readdirSync: (path) => fs.readdirSync(path),
  existsSync: (path) => fs.existsSync(path),
}
