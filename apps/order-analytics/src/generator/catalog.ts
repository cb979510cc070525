/** Regions with their share of users. */
export const REGIONS: ReadonlyArray<readonly [string, number]> = [
  ['us-east', 30],
  ['us-west', 20],
  ['eu-west', 20],
  ['eu-central', 12],
  ['apac', 12],
  ['latam', 6],
]

/** Segments with their share of users and how many items their orders hold. */
export const SEGMENTS: ReadonlyArray<readonly [string, number]> = [
  ['consumer', 70],
  ['smb', 22],
  ['enterprise', 8],
]
export const ITEMS_PER_ORDER: Record<string, readonly [number, number]> = {
  consumer: [1, 3],
  smb: [1, 5],
  enterprise: [2, 8],
}
export const QUANTITY: Record<string, readonly [number, number]> = {
  consumer: [1, 2],
  smb: [1, 5],
  enterprise: [1, 20],
}

/** [sku, price in cents] */
export const PRODUCTS: ReadonlyArray<readonly [string, number]> = [
  ['book-paperback', 1299],
  ['book-hardcover', 2499],
  ['coffee-beans-1kg', 1850],
  ['tea-sampler', 1499],
  ['mug-ceramic', 899],
  ['headphones-wired', 3999],
  ['headphones-wireless', 12900],
  ['keyboard-mech', 8900],
  ['mouse-ergonomic', 4599],
  ['monitor-27', 27999],
  ['usb-c-cable', 1199],
  ['charger-65w', 3499],
  ['backpack', 6900],
  ['notebook-a5', 499],
  ['pen-set', 799],
  ['desk-lamp', 3299],
  ['chair-office', 18900],
  ['standing-desk', 44900],
  ['water-bottle', 1999],
  ['sneakers', 8999],
  ['rain-jacket', 11900],
  ['yoga-mat', 2999],
  ['plant-pot', 1599],
  ['board-game', 3499],
]

export const FIRST_NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Linus',
  'Margaret',
  'Ken',
  'Frances',
  'Dennis',
  'Radia',
  'Tim',
  'Hedy',
  'Guido',
  'Karen',
  'Niklaus',
]
export const LAST_NAMES = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Allen',
  'Ritchie',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'van Rossum',
  'Sparck Jones',
  'Wirth',
]
