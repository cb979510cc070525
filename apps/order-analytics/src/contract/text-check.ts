/** C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F) and UTF-16 surrogates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/

const hex = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`

/**
 * Why `text` cannot travel through the pipeline, or undefined when it can: a control character
 * (PostgreSQL refuses U+0000 in text; the others are never meant in a name or an id) or a lone
 * surrogate (it has no UTF-8 encoding: it would reach the table as U+FFFD, a different string).
 */
export function textProblem(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return `control character ${hex(code)} at index ${i}`
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
      return `lone surrogate ${hex(code)} at index ${i}`
    }
    if (code >= 0xdc00 && code <= 0xdfff) return `lone surrogate ${hex(code)} at index ${i}`
  }
  return undefined
}
