/* global document, ResizeObserver */
// Charts over minutes, drawn by uPlot (vendored from npm, served from /vendor/): labelled axes in
// their unit, a tooltip with every series' value under the pointer, gaps where a minute has no
// data (null), and the still-open minute shaded (its results may still grow).
import uPlot from '/vendor/uplot/uPlot.esm.js'
import { hhmm } from './format.js'

const MINUTE = 60_000
const AXIS = {
  stroke: '#94a3b8',
  font: '13px system-ui, sans-serif',
  labelFont: '13px system-ui, sans-serif',
}
const GRID = { stroke: '#1e293b', width: 1 }

export const PALETTE = [
  '#38bdf8',
  '#f59e0b',
  '#a78bfa',
  '#34d399',
  '#f472b6',
  '#facc15',
  '#fb7185',
  '#60a5fa',
]

/**
 * One chart in `container` (sized by CSS; the chart follows it). `kind` 'line' or 'bars';
 * `yLabel` names the unit; `format` writes a value in full (tooltip), `axisFormat` compactly.
 */
export class MinuteChart {
  constructor(container, { kind, yLabel, format, axisFormat }) {
    this.container = container
    this.options = { kind, yLabel, format, axisFormat }
    this.plot = null
    this.names = ''
    this.openMinute = null
    container.minuteChart = this // for the browser test and the console: the uPlot is .plot
    new ResizeObserver(() => this.resize()).observe(container)
  }

  /** series: [{ name, color, values }] aligned with minutes (ms); openIndex: the minute still open. */
  update({ minutes, series, openIndex }) {
    this.openMinute = openIndex === null || openIndex === undefined ? null : minutes[openIndex]
    const names = series.map((s) => `${s.name}:${s.color}`).join('|')
    if (minutes.length === 0) {
      this.destroy()
      this.container.dataset.state = 'empty'
      return
    }
    const data = [minutes, ...series.map((s) => s.values)]
    if (this.plot === null || names !== this.names) {
      this.destroy()
      this.names = names
      this.plot = new uPlot(this.plotOptions(series), data, this.container)
    } else this.plot.setData(data)
    this.container.dataset.state = 'drawn'
  }

  resize() {
    if (this.plot === null) return
    const { width, height } = size(this.container)
    if (width !== this.plot.width || height !== this.plot.height) this.plot.setSize({ width, height })
  }

  destroy() {
    this.plot?.destroy()
    this.plot = null
  }

  plotOptions(series) {
    const { kind, yLabel, format, axisFormat } = this.options
    const bars = kind === 'bars' ? uPlot.paths.bars({ size: [0.7, 48], gap: 2 }) : null
    return {
      ...size(this.container),
      ms: 1,
      tzDate: (ms) => uPlot.tzDate(new Date(ms), 'Etc/UTC'),
      legend: { show: false },
      cursor: { points: { size: 8 }, drag: { x: false, y: false } },
      scales: {
        // Half a minute either side, so the first and last bars are whole.
        x: { time: true, range: (_u, min, max) => [min - MINUTE / 2, max + MINUTE / 2] },
        y: { range: (_u, _min, max) => [0, max > 0 ? uPlot.rangeNum(0, max, 0.1, true)[1] : 1] },
      },
      axes: [
        {
          ...AXIS,
          grid: GRID,
          ticks: GRID,
          space: 64,
          label: 'minute (UTC)',
          labelSize: 18,
          labelGap: 0,
          size: 30,
          values: (_u, ts) => ts.map(hhmm),
        },
        {
          ...AXIS,
          grid: GRID,
          ticks: GRID,
          label: yLabel,
          labelSize: 22,
          size: 58,
          values: (_u, vs) => vs.map(axisFormat),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.name,
          stroke: s.color,
          width: kind === 'bars' ? 1 : 2.5,
          ...(bars
            ? { paths: bars, fill: `${s.color}cc`, points: { show: false } }
            : { points: { show: false, filter: lonePoints } }),
          value: (_u, v) => (v === null || v === undefined ? 'no data' : format(v)),
        })),
      ],
      hooks: { drawAxes: [(u) => shadeOpen(u, this.openMinute)] },
      plugins: [
        tooltip(
          format,
          series.map((s) => s.color),
          () => this.openMinute,
        ),
      ],
    }
  }
}

function size(container) {
  return { width: Math.max(160, container.clientWidth), height: Math.max(120, container.clientHeight) }
}

/** Dots where a line cannot be seen: values with no neighbour (between gaps), and the latest value. */
function lonePoints(u, seriesIndex) {
  const values = u.data[seriesIndex]
  const known = (i) => values[i] !== null && values[i] !== undefined
  const idxs = []
  for (let i = 0; i < values.length; i++)
    if (known(i) && (i === values.length - 1 || (!known(i - 1) && !known(i + 1)))) idxs.push(i)
  return idxs
}

function shadeOpen(u, minute) {
  if (minute === null) return
  const left = u.valToPos(minute - MINUTE / 2, 'x', true)
  const right = u.valToPos(minute + MINUTE / 2, 'x', true)
  const { top, height } = u.bbox
  u.ctx.save()
  u.ctx.fillStyle = 'rgba(56, 189, 248, 0.08)'
  u.ctx.fillRect(left, top, right - left, height)
  u.ctx.restore()
}

/** A box over the plot with the minute (and whether it is still open) and every series' value at the pointer. */
function tooltip(format, colors, openMinute) {
  const box = document.createElement('div')
  box.className = 'chart-tooltip'
  box.hidden = true
  return {
    hooks: {
      init: (u) => u.over.append(box),
      setCursor: (u) => {
        const i = u.cursor.idx
        if (i === null || i === undefined || u.cursor.left < 0) {
          box.hidden = true
          return
        }
        const title = document.createElement('div')
        title.className = 'when'
        title.textContent = `${hhmm(u.data[0][i])} UTC${u.data[0][i] === openMinute() ? ' · still open' : ''}`
        const rows = u.series.slice(1).map((s, k) => {
          const row = document.createElement('div')
          const swatch = document.createElement('span')
          swatch.className = 'swatch'
          swatch.style.background = colors[k]
          const name = document.createElement('span')
          name.textContent = s.label
          const value = document.createElement('strong')
          const v = u.data[k + 1][i]
          value.textContent = v === null || v === undefined ? 'no data' : format(v)
          row.append(swatch, name, value)
          return row
        })
        box.replaceChildren(title, ...rows)
        box.hidden = false
        // Beside the pointer, on the side with room, inside the plot.
        const overW = u.over.clientWidth
        const overH = u.over.clientHeight
        const left =
          u.cursor.left + 14 + box.offsetWidth <= overW
            ? u.cursor.left + 14
            : u.cursor.left - 14 - box.offsetWidth
        box.style.left = `${Math.max(0, left)}px`
        box.style.top = `${Math.max(0, Math.min(u.cursor.top - box.offsetHeight / 2, overH - box.offsetHeight))}px`
      },
    },
  }
}
