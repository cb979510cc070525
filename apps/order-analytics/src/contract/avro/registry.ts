import { TributaryError, type Log } from 'tributary-streams'
import {
  avro,
  EmbeddedSchemaRegistry,
  RestSchemaRegistry,
  type RegistrySerde,
  type SchemaRegistryClient,
  type SubjectVersion,
} from 'tributary-streams/schema'
import type { AvroSettings, TopicNames } from '../../context.ts'
import {
  AVRO_SCHEMAS,
  avroSubjects,
  ORDER_PLACED_VERSIONS,
  type AvroOrderPlaced,
  type AvroUserCreated,
  type OrderPlacedVersion,
} from './schemas.ts'

/** A registry client and how to let go of it (the embedded one reads the log). */
export interface OpenRegistry {
  readonly registry: SchemaRegistryClient
  close(): Promise<void>
}

/** SCHEMA_REGISTRY_URL's registry (REST) when set, else the embedded registry on the app's log. */
export async function openSchemaRegistry(
  log: Log,
  settings: Pick<AvroSettings, 'registryUrl'>,
): Promise<OpenRegistry> {
  if (settings.registryUrl !== undefined)
    return { registry: new RestSchemaRegistry({ url: settings.registryUrl }), close: async () => {} }
  const registry = await EmbeddedSchemaRegistry.open({ log })
  return { registry, close: () => registry.close() }
}

const input = (schema: object) => ({ schema: JSON.stringify(schema), schemaType: 'AVRO' as const })

/**
 * Registers the app's schemas (what `init` does with ORDERS_FORMAT=avro): OrderPlaced v1 then v2
 * under `<orders-raw>-value`, UserCreated under `<users-raw>-value`. Idempotent: a schema a subject
 * already has keeps its id and version. Fails (409) if the subject's compatibility level refuses one.
 */
export async function registerAppSchemas(
  registry: SchemaRegistryClient,
  topics: TopicNames,
): Promise<SubjectVersion[]> {
  const subjects = avroSubjects(topics)
  const schemas: Array<[string, object]> = [
    ...ORDER_PLACED_VERSIONS.map((v): [string, object] => [subjects.orders, AVRO_SCHEMAS.orderPlaced[v]]),
    [subjects.users, AVRO_SCHEMAS.userCreated],
  ]
  const registered: SubjectVersion[] = []
  for (const [subject, schema] of schemas) {
    await registry.register(subject, input(schema))
    const found = await registry.lookup(subject, input(schema))
    if (found === undefined)
      throw new TributaryError('SERDE', `registered a schema under ${subject} but cannot find it`)
    registered.push(found)
  }
  return registered
}

/** The serdes of the raw topics with ORDERS_FORMAT=avro. */
export interface AppAvroSerdes {
  /** OrderPlaced of the configured version: written with it, every registered version read into it. */
  readonly orders: RegistrySerde<AvroOrderPlaced>
  readonly users: RegistrySerde<AvroUserCreated>
}

/**
 * Builds and prepares the serdes of users-raw and orders-raw. They do not register (that is
 * `init`'s job, so a producer cannot slip a schema past the app's evolution): a schema missing
 * from its subject fails here, naming the command to run. `prepare` caches the ids and the
 * subjects' registered versions, so records of any of them decode.
 */
export async function appAvroSerdes(
  registry: SchemaRegistryClient,
  topics: TopicNames,
  orderPlacedVersion: OrderPlacedVersion,
): Promise<AppAvroSerdes> {
  const subjects = avroSubjects(topics)
  const orderSchema = AVRO_SCHEMAS.orderPlaced[orderPlacedVersion]
  const wanted: Array<[string, object, string]> = [
    [subjects.orders, orderSchema, `OrderPlaced v${orderPlacedVersion}`],
    [subjects.users, AVRO_SCHEMAS.userCreated, 'UserCreated'],
  ]
  for (const [subject, schema, name] of wanted)
    if ((await registry.lookup(subject, input(schema))) === undefined)
      throw new TributaryError(
        'CONFIG',
        `the Avro schema ${name} is not registered under subject '${subject}': run \`order-analytics init\` with ORDERS_FORMAT=avro first`,
      )
  const orders = avro<AvroOrderPlaced>({ registry, schema: orderSchema, autoRegister: false })
  const users = avro<AvroUserCreated>({ registry, schema: AVRO_SCHEMAS.userCreated, autoRegister: false })
  await orders.prepare([topics.ordersRaw])
  await users.prepare([topics.usersRaw])
  return { orders, users }
}
