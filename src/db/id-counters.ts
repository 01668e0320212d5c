import { type Kysely, sql } from 'kysely';
import type { DB } from './tables.js';

/**
 * Numeric ids come from counters stored in the database, so they are deterministic, survive
 * restarts, and are copied with the rest of the state by reset, snapshots and forks.
 * `b2b` is shared by customers and company users so that a user's id never equals its bcId.
 */
export type IdSpace = 'users' | 'stores' | 'api_accounts' | 'b2b' | 'companies' | 'company_roles' | 'webhooks' | 'webhook_events';

export const idSpaceStarts: Record<IdSpace, number> = {
  users: 1,
  stores: 1000001,
  api_accounts: 1,
  b2b: 1,
  companies: 1,
  company_roles: 10,
  webhooks: 1,
  webhook_events: 1,
};

/** Reserve `count` consecutive ids; returns the first. Run it inside the caller's transaction. */
export async function allocateIds(db: Kysely<DB>, space: IdSpace, count = 1): Promise<number> {
  const start = idSpaceStarts[space];
  const row = await db
    .insertInto('id_counters')
    .values({ name: space, next_value: start + count })
    .onConflict((oc) => oc.column('name').doUpdateSet({ next_value: sql`id_counters.next_value + ${count}` }))
    .returning('next_value')
    .executeTakeFirstOrThrow();
  return Number(row.next_value) - count;
}

/** Make sure the next id handed out in `space` is above `maxUsed`. */
export async function bumpIdCounter(db: Kysely<DB>, space: IdSpace, maxUsed: number): Promise<void> {
  const next = Math.max(maxUsed + 1, idSpaceStarts[space]);
  await db
    .insertInto('id_counters')
    .values({ name: space, next_value: next })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        next_value: sql`CASE WHEN id_counters.next_value > ${next} THEN id_counters.next_value ELSE ${next} END`,
      }),
    )
    .execute();
}
