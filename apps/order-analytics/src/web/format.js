// How the page writes numbers and times. Amounts are in CURRENCY: the generator's prices are
// dollars (the catalog lists them in cents), and the pipeline sums them without conversion.

export const CURRENCY = 'USD'

const moneyFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: CURRENCY })
const compactMoneyFormat = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: CURRENCY,
  notation: 'compact',
  maximumSignificantDigits: 3,
})
const countFormat = new Intl.NumberFormat('en-US')
const compactCountFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

/** '$1,234.50'; takes a number or a decimal string ('1234.5'). */
export const money = (value) => moneyFormat.format(Number(value))
/** '$1.23K', '$894', for axes and legends. */
export const compactMoney = (value) => compactMoneyFormat.format(value)
export const count = (value) => countFormat.format(value)
export const compactCount = (value) => compactCountFormat.format(value)

/** 'HH:MM' of a timestamp (ms) in UTC: windows are UTC minutes. */
export function hhmm(ms) {
  const d = new Date(ms)
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
}

/** A lateness for people: '850 ms', '45 s', '1 min 9 s', '2 h 5 min'. */
export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`
  const m = Math.round(s / 60)
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`
}
