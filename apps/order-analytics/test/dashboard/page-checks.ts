import type { Page } from 'playwright-core'

/**
 * What does not fit the viewport: the page scrolling sideways, any visible element reaching past
 * the left or right edge, and any element whose own text is wider than its box (cut off, or an
 * ellipsis). Returns one line per problem; [] when the page fits.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const problems: string[] = []
    if (document.documentElement.scrollWidth > width)
      problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px > ${width} px`)
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      const style = getComputedStyle(el)
      if (style.visibility === 'hidden' || style.opacity === '0') continue
      const box = el.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) continue
      // No named helper functions in here: the test's TypeScript loader would wrap them in a
      // helper the page does not have.
      const what = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${Array.from(el.classList).join('.')} "${(el.textContent ?? '').trim().slice(0, 30)}"`
      if (box.left < -0.5 || box.right > width + 0.5)
        problems.push(`${what} spans x ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`)
      const ownText = Array.from(el.childNodes).some(
        (n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim(),
      )
      if (ownText && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
        problems.push(`${what} cuts its text: ${el.scrollWidth} px in ${el.clientWidth} px`)
    }
    return problems
  })
}

/** Minutes (window starts, ms) at which a chart's plot has no coloured pixel, of those asked. */
export function emptyColumns(page: Page, chartId: string, minutes: readonly number[]): Promise<number[]> {
  return page.evaluate(
    ([id, at]) => {
      const u = (document.getElementById(id) as HTMLElement & { minuteChart: { plot: UPlotLike } })
        .minuteChart.plot
      const { top, height } = u.bbox
      return at.filter((minute) => {
        const x = Math.round(u.valToPos(minute, 'x', true))
        const pixels = u.ctx.getImageData(x, top, 1, height).data
        // Series are bright and opaque; the grid (#1e293b) and the open-minute shade are not.
        for (let i = 0; i < pixels.length; i += 4)
          if (pixels[i + 3]! > 128 && Math.max(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!) > 120) return false
        return true
      })
    },
    [chartId, minutes] as const,
  )
}

/** The part of uPlot's instance the checks read. */
export interface UPlotLike {
  readonly bbox: { top: number; height: number }
  readonly ctx: CanvasRenderingContext2D
  readonly series: ReadonlyArray<{ label?: string }>
  readonly axes: ReadonlyArray<{ label?: string }>
  valToPos(value: number, scale: string, canvasPixels: boolean): number
}
