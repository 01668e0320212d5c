import type { Kysely } from 'kysely';

/**
 * Frozen: takes Kysely<any>, imports no app code, never edited after it lands.
 * Webhooks (webhooks.md): the hooks an API account registered (world state, copied by snapshots
 * and forks) and the delivery outbox (written in the same transaction as the change that fires it;
 * not world state: reset, restore and forks empty it, see the emulator). `next_due_at` is on
 * Roster's clock (ms); `lease_until` on real time (ms), so one instance claims each attempt.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('store_hash', 'text', (c) => c.notNull().references('b2b_stores.store_hash').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull())
    /** JSON object of custom headers, null when none */
    .addColumn('headers', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_unique_destination').on('webhooks').columns(['store_hash', 'client_id', 'scope', 'destination']).unique().execute();
  await db.schema.createIndex('webhooks_store_active_idx').on('webhooks').columns(['store_hash', 'is_active']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_id', 'integer', (c) => c.notNull())
    .addColumn('store_hash', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    /** the exact body bytes (UTF-8 JSON text) every attempt sends */
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('event_seq', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'text')
    /** pending, succeeded, failed, cancelled, recorded */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull())
    .addColumn('first_due_at', 'bigint', (c) => c.notNull())
    .addColumn('next_due_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    /** JSON array of attempt records (the delivery log) */
    .addColumn('attempts', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['state', 'next_due_at']).execute();
  await db.schema.createIndex('webhook_deliveries_hook_idx').on('webhook_deliveries').columns(['webhook_id', 'state']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('webhooks').ifExists().execute();
}
