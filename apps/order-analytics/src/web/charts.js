/* global document */
// Small SVG charts for the dashboard: a multi-series line chart and a bar chart over minutes.
// Drawn from scratch at the container's pixel size (text stays crisp), redrawn on each update.

const SVG = 'http://www.w3.org/2000/svg'
const MARGIN = { top: 12, right: 18, bottom: 28, left: 72 }

export const PALETTE = [
  '#38bdf8',
  '#f59e0b',
  '#a78bfa',
  '#34d399',
  '#f472b6',
  '#facc15',
  '#fb7185',
  '#60a5fa',
  '#c084fc',
  '#4ade80',
]

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v))
  if (text !== undefined) node.textContent = text
  return node
}

/** 1, 2 or 5 times a power of ten, at least max / count. */
function niceStep(max, count) {
  const raw = max / count
  const power = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power
  return 10 * power
}

export function compact(value) {
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`
  if (abs >= 1e4) return `${(value / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`
  return Math.round(value).toLocaleString('en-US')
}

export function hhmm(ms) {
  const d = new Date(ms)
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
}

/** Prepares the container: an SVG of its size, or an "empty" note. Returns null when empty. */
function frame(container, minutes, maxValue) {
  container.replaceChildren()
  const width = Math.max(200, container.clientWidth)
  const height = Math.max(120, container.clientHeight)
  if (minutes.length === 0) {
    const note = document.createElement('div')
    note.className = 'empty'
    note.textContent = 'waiting for the first window…'
    container.append(note)
    return null
  }
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' })
  container.append(svg)
  const plotW = width - MARGIN.left - MARGIN.right
  const plotH = height - MARGIN.top - MARGIN.bottom
  const step = niceStep(Math.max(maxValue, 1), Math.max(2, Math.min(5, Math.floor(plotH / 45))))
  const top = Math.max(step, Math.ceil(maxValue / step) * step)
  const y = (v) => MARGIN.top + plotH - (v / top) * plotH
  const slot = plotW / minutes.length
  const x = (i) => MARGIN.left + slot * (i + 0.5)
  for (let v = 0; v <= top + step / 2; v += step) {
    svg.append(
      el('line', { class: 'axis-line', x1: MARGIN.left, x2: width - MARGIN.right, y1: y(v), y2: y(v) }),
    )
    svg.append(el('text', { x: MARGIN.left - 8, y: y(v) + 4, 'text-anchor': 'end' }, compact(v)))
  }
  const every = Math.max(1, Math.ceil(70 / slot))
  minutes.forEach((m, i) => {
    if ((minutes.length - 1 - i) % every === 0)
      svg.append(el('text', { x: x(i), y: height - 8, 'text-anchor': 'middle' }, hhmm(m)))
  })
  return { svg, x, y, slot, plotH, width, height }
}

function markOpen(f, index) {
  if (index === null || index === undefined) return
  const left = f.x(index) - f.slot / 2
  f.svg.append(el('rect', { class: 'open-window', x: left, y: MARGIN.top, width: f.slot, height: f.plotH }))
  f.svg.append(
    el('text', { class: 'open-label', x: f.x(index), y: MARGIN.top + 12, 'text-anchor': 'end' }, 'open '),
  )
}

/** series: [{ name, color, values }] aligned with minutes; openIndex: the minute still open. */
export function lineChart(container, { minutes, series, openIndex }) {
  const max = Math.max(0, ...series.flatMap((s) => s.values))
  const f = frame(container, minutes, max)
  if (f === null) return
  markOpen(f, openIndex)
  for (const s of series) {
    const points = s.values.map((v, i) => `${f.x(i).toFixed(1)},${f.y(v).toFixed(1)}`)
    f.svg.append(
      el('polyline', {
        points: points.join(' '),
        fill: 'none',
        stroke: s.color,
        'stroke-width': 3,
        'stroke-linejoin': 'round',
        'stroke-linecap': 'round',
      }),
    )
    const last = s.values.length - 1
    if (last >= 0) {
      const dot = el('circle', { cx: f.x(last), cy: f.y(s.values[last]), r: 4.5, fill: s.color })
      dot.append(el('title', {}, `${s.name}: ${s.values[last].toFixed(2)}`))
      f.svg.append(dot)
    }
  }
}

export function barChart(container, { minutes, values, color, openIndex }) {
  const f = frame(container, minutes, Math.max(0, ...values))
  if (f === null) return
  markOpen(f, openIndex)
  const w = Math.max(2, f.slot * 0.68)
  values.forEach((v, i) => {
    const top = f.y(v)
    const bar = el('rect', {
      x: f.x(i) - w / 2,
      y: top,
      width: w,
      height: Math.max(0, f.y(0) - top),
      rx: 2,
      fill: color,
      opacity: i === openIndex ? 0.55 : 0.9,
    })
    bar.append(el('title', {}, `${hhmm(minutes[i])} UTC: ${v} orders`))
    f.svg.append(bar)
  })
}
