import { lockedForUpdate } from '../../db/dialect.js';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { CompaniesTable, DB } from '../../db/tables.js';
import { isStorableId, isStorableStoreHash } from '../../db/lookup-guards.js';
import type { Company } from './company-types.js';
import { runCompiled } from '../../db/shaped-query.js';

/**
 * Storage of Companies. Rows never leave this file. `adjustUserCount` keeps the maintained
 * `user_count` (and bumps `updated_at`, which list caches use as part of their version key);
 * call it inside the transaction that inserts or deletes the user.
 */
export function toCompany(row: Selectable<CompaniesTable>): Company {
  return {
    id: Number(row.id),
    storeHash: row.store_hash,
    name: row.name,
    status: Number(row.status),
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    email: row.email,
    phone: row.phone,
    addressLine1: row.address_line1,
    addressLine2: row.address_line2,
    city: row.city,
    state: row.state,
    zipCode: row.zip_code,
    country: row.country,
    userCount: Number(row.user_count),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export async function findCompany(db: Kysely<DB>, storeHash: string, id: number): Promise<Company | undefined> {
  if (!isStorableId(id) || !isStorableStoreHash(storeHash)) return undefined;
  const [row] = await runCompiled(db, 'company-by-id', [id, storeHash], () => db.selectFrom('companies').selectAll().where('id', '=', id).where('store_hash', '=', storeHash));
  return row ? toCompany(row) : undefined;
}

/** Every Company below `companyId` (children, grandchildren, ...), in one recursive query. */
export async function listDescendantIds(db: Kysely<DB>, storeHash: string, companyId: number): Promise<number[]> {
  const result = await sql<{ id: number }>`
    WITH RECURSIVE tree(id) AS (
      SELECT id FROM companies WHERE parent_id = ${companyId} AND store_hash = ${storeHash}
      UNION
      SELECT c.id FROM companies c JOIN tree t ON c.parent_id = t.id
    )
    SELECT id FROM tree`.execute(db);
  return result.rows.map((r) => Number(r.id));
}

/** Identifies one state of a Company's user list: changes on every insert, delete and role change. */
export interface UserListStamp {
  before: string;
  after: string;
}

export function stampOf(company: { userCount: number; updatedAt: number }): string {
  return `${company.userCount}:${company.updatedAt}`;
}

/**
 * Adds `delta` to the Company's user counter and moves its `updated_at` strictly forward (the
 * list-position cache's version). Locks the row first (PostgreSQL `FOR UPDATE`), so the returned
 * before/after stamps are exact. With `keepAtLeast`, nothing changes (and undefined is returned)
 * when the counter would drop below it: that is the atomic "last user" rule.
 */
export async function adjustUserCount(
  db: Kysely<DB>,
  companyId: number,
  delta: number,
  now: number,
  options: { keepAtLeast?: number } = {},
): Promise<UserListStamp | undefined> {
  const before = await lockedForUpdate(db, db.selectFrom('companies').select(['user_count', 'updated_at']).where('id', '=', companyId)).executeTakeFirst();
  if (!before) return undefined;
  const count = Number(before.user_count);
  if (options.keepAtLeast !== undefined && count + delta < options.keepAtLeast) return undefined;
  const updatedAt = Math.max(now, Number(before.updated_at) + 1);
  await db.updateTable('companies').set({ user_count: count + delta, updated_at: updatedAt }).where('id', '=', companyId).execute();
  return { before: stampOf({ userCount: count, updatedAt: Number(before.updated_at) }), after: stampOf({ userCount: count + delta, updatedAt }) };
}

/** The channels of a B2B store, or undefined when the store does not exist. */
export async function findStoreChannels(db: Kysely<DB>, storeHash: string): Promise<number[] | undefined> {
  if (!isStorableStoreHash(storeHash)) return undefined;
  const store = await db.selectFrom('b2b_stores').select('store_hash').where('store_hash', '=', storeHash).executeTakeFirst();
  if (!store) return undefined;
  const rows = await db.selectFrom('b2b_channels').select('channel_id').where('store_hash', '=', storeHash).execute();
  return rows.map((r) => Number(r.channel_id));
}
