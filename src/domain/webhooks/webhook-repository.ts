import { runCompiled } from '../../db/shaped-query.js';
import type { Kysely } from 'kysely';
import { isStorableId, isStorableStoreHash } from '../../db/lookup-guards.js';
import type { DB } from '../../db/tables.js';

/** Storage of registered webhooks (webhooks.md §4.2) and their outbox rows. Rows never leave this file. */
type Db = Kysely<DB>;

export interface Webhook {
  id: number;
  clientId: string;
  storeHash: string;
  /** epoch ms */
  createdAt: number;
  updatedAt: number;
  scope: string;
  destination: string;
  isActive: boolean;
  headers: Record<string, string> | null;
}

function parseHeaders(text: string | null): Record<string, string> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return null;
  }
}

type Row = DB['webhooks'];

function toWebhook(row: Row): Webhook {
  return {
    id: Number(row.id),
    clientId: row.client_id,
    storeHash: row.store_hash,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    scope: row.scope,
    destination: row.destination,
    isActive: Number(row.is_active) === 1,
    headers: parseHeaders(row.headers),
  };
}

export async function findWebhook(db: Db, storeHash: string, clientId: string, id: number): Promise<Webhook | undefined> {
  if (!isStorableId(id) || !isStorableStoreHash(storeHash)) return undefined;
  const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).where('store_hash', '=', storeHash).where('client_id', '=', clientId).executeTakeFirst();
  return row ? toWebhook(row) : undefined;
}

export async function findWebhookById(db: Db, id: number): Promise<Webhook | undefined> {
  const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toWebhook(row) : undefined;
}

export interface WebhookFilters {
  isActive?: boolean;
  scope?: string;
  destination?: string;
}

export async function listWebhooks(db: Db, storeHash: string, clientId: string, f: WebhookFilters): Promise<Webhook[]> {
  if (!isStorableStoreHash(storeHash)) return [];
  let q = db.selectFrom('webhooks').selectAll().where('store_hash', '=', storeHash).where('client_id', '=', clientId);
  if (f.isActive !== undefined) q = q.where('is_active', '=', f.isActive ? 1 : 0);
  if (f.scope !== undefined) q = q.where('scope', '=', f.scope);
  if (f.destination !== undefined) q = q.where('destination', '=', f.destination);
  return (await q.orderBy('id').execute()).map(toWebhook);
}

/** Active hooks of a store registered for any of `scopes` (a concrete scope and its wildcards), id order. */
export async function listActiveWebhooksFor(db: Db, storeHash: string, scopes: readonly string[]): Promise<Webhook[]> {
  // on every write that may fire a hook: compiled once per number of scopes (db/shaped-query.ts)
  const rows = await runCompiled(db, `webhooks-active-for-${scopes.length}`, [storeHash, 1, ...scopes], () =>
    db.selectFrom('webhooks').selectAll().where('store_hash', '=', storeHash).where('is_active', '=', 1).where('scope', 'in', [...scopes]).orderBy('id'),
  );
  return rows.map(toWebhook);
}

/** Every active hook of a store, by id (the outbox keeps them per store, webhook-outbox.ts). */
export async function listActiveWebhooksOfStore(db: Db, storeHash: string): Promise<Webhook[]> {
  const rows = await runCompiled(db, 'webhooks-active-of-store', [storeHash, 1], () =>
    db.selectFrom('webhooks').selectAll().where('store_hash', '=', storeHash).where('is_active', '=', 1).orderBy('id'),
  );
  return rows.map(toWebhook);
}

export async function countWebhooks(db: Db, storeHash: string, clientId: string, scope: string): Promise<number> {
  const row = await db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('store_hash', '=', storeHash)
    .where('client_id', '=', clientId)
    .where('scope', '=', scope)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface WebhookValues {
  scope: string;
  destination: string;
  isActive: boolean;
  headers: Record<string, string> | null;
}

export async function insertWebhook(db: Db, w: { id: number; storeHash: string; clientId: string; values: WebhookValues; now: number }): Promise<void> {
  await db
    .insertInto('webhooks')
    .values({
      id: w.id,
      store_hash: w.storeHash,
      client_id: w.clientId,
      scope: w.values.scope,
      destination: w.values.destination,
      is_active: w.values.isActive ? 1 : 0,
      headers: w.values.headers === null ? null : JSON.stringify(w.values.headers),
      created_at: w.now,
      updated_at: w.now,
    })
    .execute();
}

export async function updateWebhook(db: Db, id: number, values: WebhookValues, now: number): Promise<void> {
  await db
    .updateTable('webhooks')
    .set({
      scope: values.scope,
      destination: values.destination,
      is_active: values.isActive ? 1 : 0,
      headers: values.headers === null ? null : JSON.stringify(values.headers),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteWebhookRow(db: Db, id: number): Promise<void> {
  await db.deleteFrom('webhooks').where('id', '=', id).execute();
}

/** Cancels a hook's pending deliveries (hook deleted or deactivated). */
export async function cancelPendingDeliveries(db: Db, webhookId: number, now: number): Promise<number> {
  const result = await db.updateTable('webhook_deliveries').set({ state: 'cancelled', lease_until: null, updated_at: now }).where('webhook_id', '=', webhookId).where('state', '=', 'pending').executeTakeFirst();
  return Number(result.numUpdatedRows);
}
