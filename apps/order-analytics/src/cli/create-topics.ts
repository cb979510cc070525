import type { AppContext } from '../context.ts'

/** Creates the pipeline's topics with `ctx.partitions` partitions; existing ones are left as they are. */
export async function createTopics(ctx: Pick<AppContext, 'log' | 'topics' | 'partitions'>): Promise<void> {
  await ctx.log.admin.createTopics(
    Object.values(ctx.topics).map((name) => ({ name, partitions: ctx.partitions })),
  )
}
