/**
 * Binary keys as JavaScript strings, for Map lookups and fast sorting.
 *
 * Latin-1 maps each byte to the code unit of the same value, so the mapping is a bijection and
 * comparing two ids with `<` gives exactly the unsigned byte order of `Buffer.compare`
 * (a proper prefix sorts first in both).
 */
export type KeyId = string

export const keyId = (key: Buffer): KeyId => key.toString('latin1')

export const keyOfId = (id: KeyId): Buffer => Buffer.from(id, 'latin1')

/** Half-open description of a key range in id space; an absent bound is open, bounds inclusive. */
export interface IdBounds {
  readonly from: KeyId | undefined
  readonly to: KeyId | undefined
}

export const idBounds = (from?: Buffer, to?: Buffer): IdBounds => ({
  from: from === undefined ? undefined : keyId(from),
  to: to === undefined ? undefined : keyId(to),
})
