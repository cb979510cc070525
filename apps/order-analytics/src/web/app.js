/* global document, window, EventSource, fetch, getComputedStyle */
// The live page: renders /api/summary, then every `summary` pushed over /events (SSE).
import { MinuteChart, PALETTE } from './charts.js'
import { compactCount, compactMoney, count, duration, hhmm, money } from './format.js'

const $ = (id) => document.getElementById(id)
const colors = new Map()
let renders = 0

const charts = {
  region: new MinuteChart($('chart-region'), {
    kind: 'line',
    yLabel: 'revenue per minute (USD)',
    format: money,
    axisFormat: compactMoney,
  }),
  segment: new MinuteChart($('chart-segment'), {
    kind: 'line',
    yLabel: 'revenue per minute (USD)',
    format: money,
    axisFormat: compactMoney,
  }),
  orders: new MinuteChart($('chart-orders'), {
    kind: 'bars',
    yLabel: 'orders per minute',
    format: count,
    axisFormat: compactCount,
  }),
}

/** Stable colour per series name across updates, each chart drawing from the whole palette. */
function colorOf(chart, name) {
  let names = colors.get(chart)
  if (names === undefined) colors.set(chart, (names = new Map()))
  if (!names.has(name)) names.set(name, PALETTE[names.size % PALETTE.length])
  return names.get(name)
}

/** Shrinks a headline number's font until it fits its box (the CSS size is the largest). */
function fit(node) {
  node.style.fontSize = ''
  if (node.scrollWidth <= node.clientWidth) return
  const size = parseFloat(getComputedStyle(node).fontSize)
  node.style.fontSize = `${Math.floor((size * node.clientWidth) / node.scrollWidth)}px`
}
const fitHeadlines = () => document.querySelectorAll('.kpi strong').forEach(fit)

function setText(id, text) {
  const node = $(id)
  if (node.textContent !== text) {
    node.textContent = text
    if (node.tagName === 'STRONG') {
      fit(node)
      node.classList.remove('flash')
      void node.offsetWidth // restart the animation
      node.classList.add('flash')
    }
  }
}

function pill(id, text, kind) {
  const node = $(id)
  node.textContent = text
  node.className = `pill pill-${kind}`
}

const utc = (ms) => `${hhmm(ms)} UTC`
const na = (v, format = count) => (v === null || v === undefined ? 'n/a' : format(v))
const latestKnown = (values) => values.findLast((v) => v !== null)

function legend(id, chart, names, series) {
  $(id).replaceChildren(
    ...names.map((name) => {
      const li = document.createElement('li')
      const swatch = document.createElement('span')
      swatch.className = 'swatch'
      swatch.style.background = colorOf(chart, name)
      const label = document.createElement('span')
      label.textContent = name
      const value = document.createElement('strong')
      const last = latestKnown(series[name])
      value.textContent = last === undefined ? '—' : compactMoney(last)
      li.append(swatch, label, value)
      return li
    }),
  )
}

function renderCharts(s) {
  const openIndex = s.currentWindow && !s.currentWindow.final ? s.minutes.length - 1 : null
  const lines = (chart, names, series) =>
    names.map((name) => ({ name, color: colorOf(chart, name), values: series[name] }))
  charts.region.update({
    minutes: s.minutes,
    series: lines('region', s.regions, s.revenueByRegion),
    openIndex,
  })
  charts.segment.update({
    minutes: s.minutes,
    series: lines('segment', s.segments, s.revenueBySegment),
    openIndex,
  })
  charts.orders.update({
    minutes: s.minutes,
    series: [{ name: 'orders', color: '#38bdf8', values: s.ordersPerMinute }],
    openIndex,
  })
  legend('legend-region', 'region', s.regions, s.revenueByRegion)
  legend('legend-segment', 'segment', s.segments, s.revenueBySegment)
}

function renderLeaders(w) {
  const body = $('leaders-body')
  $('leaders-window').textContent = w ? `${utc(w.windowStart)} · ${w.final ? 'final' : 'open'}` : '—'
  if (!w || w.leaders.length === 0) {
    const tr = document.createElement('tr')
    tr.className = 'empty-row'
    const td = document.createElement('td')
    td.colSpan = 5
    td.textContent = 'no orders in this window yet'
    tr.append(td)
    body.replaceChildren(tr)
    return
  }
  body.replaceChildren(
    ...w.leaders.map((l, i) => {
      const tr = document.createElement('tr')
      if (i === 0) tr.className = 'first'
      tr.dataset.region = l.region
      tr.dataset.segment = l.segment
      tr.dataset.orders = String(l.orders)
      tr.dataset.revenue = l.revenue
      const cells = [String(i + 1), l.region, l.segment, count(l.orders), money(l.revenue)]
      const classes = ['rank', '', '', 'num', 'num']
      tr.append(
        ...cells.map((text, k) => {
          const td = document.createElement('td')
          td.textContent = text
          if (classes[k]) td.className = classes[k]
          return td
        }),
      )
      return tr
    }),
  )
}

function renderAlerts(alerts) {
  $('alerts-count').textContent = String(alerts.length)
  const list = $('alerts')
  if (alerts.length === 0) {
    const li = document.createElement('li')
    li.className = 'none'
    li.textContent = 'no anomalies — revenue within its usual range'
    list.replaceChildren(li)
    return
  }
  const now = Date.now()
  list.replaceChildren(
    ...alerts.slice(0, 6).map((a) => {
      const li = document.createElement('li')
      if (now - a.at < 120_000) li.className = 'fresh'
      const when = document.createElement('span')
      when.className = 'when'
      when.textContent = hhmm(a.windowStart)
      const what = document.createElement('span')
      what.className = 'what'
      what.textContent = `${a.region} · ${a.segment}`
      const ratio = document.createElement('span')
      ratio.className = 'ratio'
      ratio.textContent = `×${a.ratio.toFixed(1)}`
      const detail = document.createElement('span')
      detail.className = 'detail'
      detail.textContent = `revenue ${money(a.revenue)} vs trailing average ${money(a.trailingAverage)}`
      li.append(when, what, ratio, detail)
      return li
    }),
  )
}

function healthCell(id, text, kind) {
  const node = $(id)
  node.textContent = text
  node.className = text === 'n/a' ? 'na' : (kind ?? '')
}

/** Late records per (processor, window), newest window first; hidden while there are none. */
function renderLate(h) {
  const rows = h.lateWindows ?? []
  $('late').hidden = rows.length === 0
  $('late-processors').textContent = (h.lateByProcessor ?? [])
    .map((p) => `${p.processor}: ${count(p.records)}`)
    .join(' · ')
  $('late-body').replaceChildren(
    ...rows.map((w) => {
      const tr = document.createElement('tr')
      tr.dataset.processor = w.processor
      tr.dataset.windowStart = w.windowStart === null ? '' : String(w.windowStart)
      tr.dataset.records = String(w.records)
      tr.dataset.maxLatenessMs = String(w.maxLatenessMs)
      const where = document.createElement('td')
      const when = document.createElement('span')
      when.className = 'when'
      when.textContent = w.windowStart === null ? '—' : `${hhmm(w.windowStart)}–${hhmm(w.windowEnd)}`
      const processor = document.createElement('span')
      processor.className = 'processor'
      processor.textContent = w.processor
      where.append(when, processor)
      const records = document.createElement('td')
      records.className = 'num'
      records.textContent = count(w.records)
      const lateness = document.createElement('td')
      lateness.className = 'num'
      lateness.textContent = duration(w.maxLatenessMs)
      tr.append(where, records, lateness)
      return tr
    }),
  )
}

function renderHealth(h) {
  const lag = h.streamsLag === null && h.sinkLag === null ? null : (h.streamsLag ?? 0) + (h.sinkLag ?? 0)
  setText('kpi-lag', na(lag))
  $('kpi-lag-detail').textContent = `streams ${na(h.streamsLag)} · sink ${na(h.sinkLag)}`
  setText(
    'kpi-rate',
    na(h.recordsPerSecond, (v) => count(Math.round(v))),
  )
  $('kpi-rate-label').textContent =
    h.recordsPerSecondSource === 'orders-raw' ? 'Orders in / s' : 'Records / s'
  healthCell('h-dlq', na(h.dlqCount), h.dlqCount > 0 ? 'warn' : 'good')
  healthCell('h-late', na(h.lateRecords), h.lateRecords > 0 ? 'warn' : 'good')
  healthCell('h-dup', na(h.duplicates), 'good')
  healthCell('h-sink-lag', na(h.sinkLag), h.sinkLag > 1000 ? 'warn' : 'good')
  healthCell('h-streams', h.streams ?? 'n/a', h.streams === 'running' ? 'good' : 'bad')
  healthCell('h-sink', h.sink ?? 'n/a', h.sink === 'running' ? 'good' : 'bad')
  healthCell('h-log', h.log, h.log === 'ok' ? 'good' : 'bad')
  healthCell('h-db', h.database, h.database === 'ok' ? 'good' : 'bad')
  renderLate(h)
  $('problems').textContent = h.problems.join(' · ')
  const kind = h.status === 'ok' ? 'ok' : h.status === 'degraded' ? 'warn' : 'bad'
  pill('pipeline', `pipeline ${h.status}`, kind)
}

function render(s) {
  const w = s.currentWindow
  $('latest-window').textContent = w ? utc(w.windowStart) : '—'
  $('kpi-window-label').textContent = w
    ? `Revenue · ${hhmm(w.windowStart)}${w.final ? '' : ' (open)'}`
    : 'Revenue · current minute'
  setText('kpi-window-revenue', w ? money(w.revenue) : '—')
  setText('kpi-window-orders', w ? count(w.orders) : '—')
  $('kpi-total-label').textContent = `Revenue · last ${s.minutes.length || 30} min`
  $('kpi-orders-label').textContent = `Orders · last ${s.minutes.length || 30} min`
  setText('kpi-total-revenue', money(s.totals.revenue))
  setText('kpi-total-orders', count(s.totals.orders))
  $('kpi-total-revenue').dataset.value = s.totals.revenue
  $('kpi-total-orders').dataset.value = String(s.totals.orders)
  renderCharts(s)
  renderLeaders(w)
  renderAlerts(s.alerts)
  renderHealth(s.health)
  document.body.dataset.renders = String(++renders)
  document.body.dataset.generatedAt = String(s.generatedAt)
}

let toastTimer
function toast(text) {
  const node = $('toast')
  node.textContent = text
  node.classList.add('show')
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => node.classList.remove('show'), 6000)
}

/** Renders /api/summary (`first`: only if nothing was rendered yet); never rejects. */
function loadSummary(first) {
  return fetch('/api/summary')
    .then((r) => (r.ok ? r.json() : null))
    .then((s) => s && (!first || renders === 0) && render(s))
    .catch(() => {})
}

// EventSource reconnects by itself after a dropped stream, but an HTTP error (503 when the server
// has all the event streams it allows, 401, a proxy's 502) closes it for good. Then: try again
// after a growing delay (2 s doubling to 30 s), refreshing the figures from /api/summary each
// time, so the page keeps showing current figures and goes live again once a stream is free.
const RETRY_MIN_MS = 2000
const RETRY_MAX_MS = 30000
let retryMs = RETRY_MIN_MS

function connect() {
  const events = new EventSource('/events')
  events.addEventListener('open', () => {
    retryMs = RETRY_MIN_MS
    pill('feed', 'live', 'ok')
  })
  events.addEventListener('error', () => {
    if (events.readyState !== EventSource.CLOSED) return pill('feed', 'reconnecting…', 'warn')
    events.close()
    pill('feed', `retrying in ${Math.round(retryMs / 1000)} s`, 'warn')
    setTimeout(() => loadSummary(false).finally(connect), retryMs)
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS)
  })
  events.addEventListener('summary', (e) => render(JSON.parse(e.data)))
  events.addEventListener('alert', (e) => {
    const a = JSON.parse(e.data)
    toast(
      `Anomaly: ${a.region} · ${a.segment} at ${hhmm(a.window_start)} UTC — ${money(a.revenue)} (×${Number(a.ratio).toFixed(1)} its trailing average)`,
    )
  })
}

function tick() {
  $('clock').textContent = new Date().toISOString().slice(11, 19) + ' UTC'
}

tick()
setInterval(tick, 1000)
window.addEventListener('resize', fitHeadlines)
loadSummary(true).finally(connect)
