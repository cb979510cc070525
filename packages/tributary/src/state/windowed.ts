export type { TimeWindow, Windowed } from '../windowed.ts'
