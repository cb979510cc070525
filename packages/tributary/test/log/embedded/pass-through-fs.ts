import { nodeFs, type StorageFs } from '../../../src/log/embedded/storage-fs.ts'

/** node:fs as a class: test file systems extend it and override only the calls they change. */
export class PassThroughFs implements StorageFs {
  openSync(path: string, flags: number | string): number {
    return nodeFs.openSync(path, flags)
  }
  closeSync(fd: number): void {
    nodeFs.closeSync(fd)
  }
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
    return nodeFs.readSync(fd, buffer, offset, length, position)
  }
  writeSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
    return nodeFs.writeSync(fd, buffer, offset, length, position)
  }
  fdatasyncSync(fd: number): void {
    nodeFs.fdatasyncSync(fd)
  }
  fdatasync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void {
    nodeFs.fdatasync(fd, done)
  }
  fsyncSync(fd: number): void {
    nodeFs.fsyncSync(fd)
  }
  ftruncateSync(fd: number, length: number): void {
    nodeFs.ftruncateSync(fd, length)
  }
  futimesSync(fd: number, atimeMs: number, mtimeMs: number): void {
    nodeFs.futimesSync(fd, atimeMs, mtimeMs)
  }
  fstatSync(fd: number): { size: number } {
    return nodeFs.fstatSync(fd)
  }
  statSync(path: string): { size: number; mtimeMs: number; isDirectory(): boolean } {
    return nodeFs.statSync(path)
  }
  renameSync(from: string, to: string): void {
    nodeFs.renameSync(from, to)
  }
  rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void {
    nodeFs.rmSync(path, options)
  }
  mkdirSync(path: string, options?: { recursive?: boolean }): unknown {
    return nodeFs.mkdirSync(path, options)
  }
  readdirSync(path: string): string[] {
    return nodeFs.readdirSync(path)
  }
  existsSync(path: string): boolean {
    return nodeFs.existsSync(path)
  }
}
