/** Every value on the pipeline's topics is one of these (timestamp: ms since epoch). */
export interface Envelope<T extends string = string, P = unknown> {
  readonly event_id: string
  readonly timestamp: number
  readonly source: string
  readonly type: T
  readonly payload: P
}

export interface UserCreatedPayload {
  readonly user_id: string
  readonly name: string
  readonly email: string
  readonly region: string
  readonly segment: string
  readonly created_at: number
}

export interface OrderItem {
  readonly sku: string
  readonly quantity: number
  readonly price: number
}

export interface OrderPlacedPayload {
  readonly order_id: string
  readonly user_id: string
  readonly items: readonly OrderItem[]
  readonly total: number
  readonly timestamp: number
}

export type UserCreated = Envelope<'UserCreated', UserCreatedPayload>
export type OrderPlaced = Envelope<'OrderPlaced', OrderPlacedPayload>

/** The source name this app writes into the envelopes it emits. */
export const APP_SOURCE = 'order-analytics'
