import type { OneStatementWrite } from '../../db/tenant-ledger.js';
import type { MemberStatus } from '../../db/tables.js';
import type { StoreMemberRow, StoreRef, StoreRow } from '../stores/store-repository.js';

/**
 * The store membership writes of the Account API's mutations, each as one statement (issue #16:
 * on PostgreSQL an add took six to eight round trips, a removal seven, a tenth of the Account mix's
 * requests and most of its statements). The rules are the transactions' of membership-service.ts,
 * which stay for SQLite and for the cases these do not cover: every data-modifying WITH runs only
 * when what it depends on exists (the store, the account membership, the row it inserted or
 * deleted), in the transactions' lock order (the account membership, the store membership, the
 * store, the user), and the SELECT list tells the caller what happened. Parameters carry casts: an
 * INSERT ... SELECT does not give them its columns' types.
 */

/** the store an input names, as findStore picks it (a hash that is all digits could also be another store's id: the hash wins) */
function storeLookup(ref: StoreRef, first: number): { shape: string; sql: () => string; parameters: unknown[] } {
  const select = 'SELECT id, store_hash, account_uuid, name, owner_user_id FROM stores WHERE account_uuid = $1::text AND';
  if ('hash' in ref) return { shape: 'hash', sql: () => `${select} store_hash = $${first}::text ORDER BY id LIMIT 1`, parameters: [ref.hash] };
  if ('id' in ref) return { shape: 'id', sql: () => `${select} id = $${first}::int ORDER BY id LIMIT 1`, parameters: [ref.id] };
  const hash = `$${first}::text`;
  return {
    shape: 'hash-or-id',
    sql: () => `${select} (store_hash = ${hash} OR id = $${first + 1}::int) ORDER BY (store_hash = ${hash}) DESC, id LIMIT 1`,
    parameters: [ref.hashOrId, Number(ref.hashOrId)],
  };
}

export interface AddToStoreRow {
  /** null: no such store in the account (nothing written) */
  store: StoreRow | null;
  /** null: the user is not a member of the account: nothing written */
  user_id: number | null;
  status: MemberStatus | null;
  /** 1: the store membership was added (counted, the user touched); 0: it was there */
  added: number;
  /** the user's e-mail, when added */
  email: string | null;
}

/**
 * addUserToStore for a member of the account (by id; an e-mail is resolved to its user first): the
 * account membership locked (a no-op UPDATE, as the transaction's lockAccountMember), the store
 * membership inserted unless it exists, the store's count and the user's updatedAt moved when it was.
 */
export function addMemberToStoreStatement(uuid: string, ref: StoreRef, userId: number, permissions: string, now: number): OneStatementWrite {
  const store = storeLookup(ref, 5);
  return {
    key: `membership-add-to-store:${store.shape}`,
    build: () => `WITH s AS (${store.sql()}),
m AS (UPDATE account_users SET status = status WHERE account_uuid = $1::text AND user_id = $2::int AND EXISTS (SELECT 1 FROM s) RETURNING user_id, status),
i AS (INSERT INTO store_users (store_id, user_id, account_uuid, status, permissions, last_login_at, created_at, updated_at)
  SELECT s.id, m.user_id, $1::text, m.status, $3::text, NULL::bigint, $4::bigint, $4::bigint FROM s CROSS JOIN m
  ON CONFLICT (store_id, user_id) DO NOTHING RETURNING user_id),
c AS (UPDATE stores SET user_count = user_count + 1 WHERE id = (SELECT id FROM s) AND EXISTS (SELECT 1 FROM i) RETURNING id),
t AS (UPDATE users SET updated_at = $4::bigint WHERE id = (SELECT user_id FROM i) AND EXISTS (SELECT 1 FROM c) RETURNING email)
SELECT (SELECT row_to_json(s) FROM s) AS store, (SELECT user_id FROM m) AS user_id, (SELECT status FROM m) AS status,
  (SELECT count(*) FROM i)::int AS added, (SELECT email FROM t) AS email`,
    parameters: [uuid, userId, permissions, now, ...store.parameters],
  };
}

export interface RemoveFromStoreRow {
  store: StoreRow | null;
  /** the membership as it was (null: none) */
  member: StoreMemberRow | null;
  /** its apps, by id */
  apps: { id: number; name: string }[];
  /** 1: removed (counted, the user touched); 0: nothing written (not a member, the store's owner, or removed meanwhile) */
  removed: number;
}

/** removeUserFromStore: the membership deleted unless the user owns the store, the store's count and the user's updatedAt moved. */
export function removeMemberFromStoreStatement(uuid: string, ref: StoreRef, userId: number, now: number): OneStatementWrite {
  const store = storeLookup(ref, 4);
  return {
    key: `membership-remove-from-store:${store.shape}`,
    build: () => `WITH s AS (${store.sql()}),
m AS (SELECT su.store_id, u.id, u.email, u.first_name, u.last_name, u.locale, su.status, su.permissions, su.last_login_at, u.updated_at, su.updated_at AS membership_updated_at
  FROM store_users su JOIN users u ON u.id = su.user_id WHERE su.store_id = (SELECT id FROM s) AND su.user_id = $2::int),
g AS (SELECT a.id, a.name FROM store_user_apps g JOIN store_apps sa ON sa.store_id = g.store_id AND sa.app_id = g.app_id
  JOIN apps a ON a.account_uuid = sa.account_uuid AND a.id = sa.app_id WHERE g.store_id = (SELECT id FROM s) AND g.user_id = $2::int),
d AS (DELETE FROM store_users WHERE store_id = (SELECT id FROM s) AND user_id = $2::int
  AND EXISTS (SELECT 1 FROM s WHERE owner_user_id IS DISTINCT FROM $2::int) RETURNING user_id),
c AS (UPDATE stores SET user_count = user_count - 1 WHERE id = (SELECT id FROM s) AND EXISTS (SELECT 1 FROM d) RETURNING id),
t AS (UPDATE users SET updated_at = $3::bigint WHERE id = $2::int AND EXISTS (SELECT 1 FROM c) RETURNING id)
SELECT (SELECT row_to_json(s) FROM s) AS store, (SELECT row_to_json(m) FROM m) AS member,
  (SELECT coalesce(json_agg(row_to_json(g) ORDER BY g.id), '[]'::json) FROM g) AS apps,
  (SELECT count(*) FROM d)::int AS removed, (SELECT count(*) FROM t)::int AS touched`,
    parameters: [uuid, userId, now, ...store.parameters],
  };
}
