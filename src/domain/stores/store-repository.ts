import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, MemberStatus } from '../../db/tables.js';
import { filterParameters, filterShape, isEmptyFilter, isFiltered, type MemberFilter, withoutEmail } from '../accounts/account-repository.js';
import { boundsFor, type ExistsCheck, fetchKeysetPage, type Page, type PageRequest, pageFromRows } from '../accounts/keyset-page.js';
import { runCompiled, runShaped } from '../../db/shaped-query.js';
import { joinedKey } from '../../db/dialect.js';
import type { App, StoreMember } from '../users/user-types.js';

export interface Store {
  id: number;
  hash: string;
  accountUuid: string;
  name: string;
  ownerUserId: number | null;
}

/** How an input names a store (account-graphql.md §10 #9): by hash, or by numeric store id. */
export type StoreRef = { hash: string } | { id: number } | { hashOrId: string };

/** a row of stores as the store queries read it (and membership-statements.ts returns it) */
export interface StoreRow {
  id: number;
  store_hash: string;
  account_uuid: string;
  name: string;
  owner_user_id: number | null;
}

/** (not `user_count`: it moves with every membership; counts come from the member lists, and a Store stays valid while only memberships change) */
const storeColumns = ['id', 'store_hash', 'account_uuid', 'name', 'owner_user_id'] as const;

export function toStore(row: StoreRow): Store {
  return {
    id: row.id,
    hash: row.store_hash,
    accountUuid: row.account_uuid,
    name: row.name,
    ownerUserId: row.owner_user_id,
  };
}

/** Stores of an account, by id ascending (creation order). */
export async function listStores(database: Database, uuid: string, request: PageRequest): Promise<Page<Store>> {
  const db = database.kysely;
  const exists: ExistsCheck = async ({ lte, gte }) => {
    let query = db.selectFrom('stores').select('id').where('account_uuid', '=', uuid);
    if (lte !== undefined) query = query.where('id', '<=', lte);
    if (gte !== undefined) query = query.where('id', '>=', gte);
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  };
  return fetchKeysetPage(
    request,
    async (bounds) => {
      const key = `stores:${bounds.gt !== undefined ? 'gt' : ''}${bounds.lt !== undefined ? 'lt' : ''}:${bounds.order}`;
      const parameters = [uuid, ...(bounds.gt !== undefined ? [bounds.gt] : []), ...(bounds.lt !== undefined ? [bounds.lt] : []), bounds.limit];
      const rows = await runShaped(database, key, parameters, () => {
        let query = db.selectFrom('stores').select(storeColumns).where('account_uuid', '=', uuid);
        if (bounds.gt !== undefined) query = query.where('id', '>', bounds.gt);
        if (bounds.lt !== undefined) query = query.where('id', '<', bounds.lt);
        return query.orderBy('id', bounds.order).limit(bounds.limit);
      });
      return rows.map(toStore);
    },
    exists,
  );
}

/** Every store of an account by id ascending, at most `limit` (the Account service keeps them, account-service.ts). */
export async function listAllStores(database: Database, uuid: string, limit: number): Promise<Store[]> {
  const rows = await runShaped(database, 'stores-all', [uuid, limit], () =>
    database.kysely.selectFrom('stores').select(storeColumns).where('account_uuid', '=', uuid).orderBy('id').limit(limit),
  );
  return rows.map(toStore);
}

/** Stores per account are few: an indexed COUNT bounded by the account. */
export async function countStores(database: Database, uuid: string): Promise<number> {
  const [row] = await runShaped(database, 'stores-count', [uuid], () =>
    database.kysely
      .selectFrom('stores')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_uuid', '=', uuid),
  );
  return Number(row?.n ?? 0);
}

/** A store of this account, or undefined (also when it belongs to another account). */
export async function findStore(db: Kysely<DB>, uuid: string, ref: StoreRef): Promise<Store | undefined> {
  const base = () => db.selectFrom('stores').select(storeColumns).where('account_uuid', '=', uuid).orderBy('id').limit(2);
  let rows: StoreRow[];
  if ('hash' in ref) rows = await runCompiled(db, 'store-by-hash', [uuid, ref.hash, 2], () => base().where('store_hash', '=', ref.hash));
  else if ('id' in ref) rows = await runCompiled(db, 'store-by-id', [uuid, ref.id, 2], () => base().where('id', '=', ref.id));
  else {
    const asId = Number(ref.hashOrId);
    rows = await runCompiled(db, 'store-by-hash-or-id', [uuid, ref.hashOrId, asId, 2], () =>
      base().where((eb) => eb.or([eb('store_hash', '=', ref.hashOrId), eb('id', '=', asId)])),
    );
  }
  // a hash that is all digits could also be another store's id: the hash wins
  const match = rows.find((r) => !('hashOrId' in ref) || r.store_hash === ref.hashOrId) ?? rows[0];
  return match ? toStore(match) : undefined;
}

/** a store membership row as the member queries read it (and membership-statements.ts returns it) */
export interface StoreMemberRow {
  store_id: number;
  id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
  status: MemberStatus;
  permissions: string;
  last_login_at: number | null;
  updated_at: number;
  membership_updated_at: number;
}

export function toStoreMember(row: StoreMemberRow): StoreMember {
  return {
    storeId: row.store_id,
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    locale: row.locale,
    status: row.status,
    lastLoginAt: row.last_login_at,
    updatedAt: Math.max(Number(row.updated_at), Number(row.membership_updated_at)),
    permissions: JSON.parse(row.permissions) as string[],
  };
}

function storeMembersQuery(db: Kysely<DB>, storeId: number, filter: MemberFilter | undefined) {
  let query = db
    .selectFrom('store_users as su')
    .innerJoin('users as u', (join) => join.on('u.id', '=', joinedKey(db, 'su.user_id')))
    .where('su.store_id', '=', storeId);
  if (filter?.userIds !== undefined) query = query.where('su.user_id', 'in', filter.userIds);
  return query;
}

const storeMemberColumns = [
  'su.store_id',
  'u.id',
  'u.email',
  'u.first_name',
  'u.last_name',
  'u.locale',
  'su.status',
  'su.permissions',
  'su.last_login_at',
  'u.updated_at',
  'su.updated_at as membership_updated_at',
] as const;

/** One store membership, or undefined (inside a transaction or not: its SQL built once). */
export async function findStoreMember(db: Kysely<DB>, storeId: number, userId: number): Promise<StoreMember | undefined> {
  const [row] = await runCompiled(db, 'store-member-row', [storeId, userId], () =>
    storeMembersQuery(db, storeId, undefined).select(storeMemberColumns).where('su.user_id', '=', userId),
  );
  return row ? toStoreMember(row as StoreMemberRow) : undefined;
}

/** Every member of a store by user id ascending, at most `limit` (the Account member views, users/member-views.ts). */
export async function listAllStoreMembers(database: Database, storeId: number, limit: number): Promise<StoreMember[]> {
  const rows: StoreMemberRow[] = await runShaped(database, 'store-members-all', [storeId, limit], () =>
    storeMembersQuery(database.kysely, storeId, undefined).select(storeMemberColumns).orderBy('su.user_id', 'asc').limit(limit),
  );
  return rows.map(toStoreMember);
}

/**
 * The same page of users for several stores in one query (a UNION ALL of per-store keyset
 * queries, each using the store_users primary key), so a page of stores costs one round trip.
 */
export async function listStoreMembersBatch(
  database: Database,
  storeIds: readonly number[],
  request: PageRequest,
  emailOrIds?: MemberFilter,
): Promise<Map<number, Page<StoreMember>>> {
  const db = database.kysely;
  const filter = await withoutEmail(database, emailOrIds);
  const result = new Map<number, Page<StoreMember>>();
  if (storeIds.length === 0) return result;
  const existsFor =
    (storeId: number): ExistsCheck =>
    async ({ lte, gte }) => {
      let query = storeMembersQuery(db, storeId, filter).select('su.user_id');
      if (lte !== undefined) query = query.where('su.user_id', '<=', lte);
      if (gte !== undefined) query = query.where('su.user_id', '>=', gte);
      return (await query.limit(1).executeTakeFirst()) !== undefined;
    };
  if (isEmptyFilter(filter)) {
    for (const id of storeIds) result.set(id, { items: [], hasNextPage: false, hasPreviousPage: false });
    return result;
  }
  const bounds = boundsFor(request);
  const perStore = (storeId: number) => {
    let query = storeMembersQuery(db, storeId, filter).select(storeMemberColumns);
    if (bounds.gt !== undefined) query = query.where('su.user_id', '>', bounds.gt);
    if (bounds.lt !== undefined) query = query.where('su.user_id', '<', bounds.lt);
    return query.orderBy('su.user_id', bounds.order).limit(bounds.limit);
  };
  const [first, ...rest] = storeIds as [number, ...number[]];
  const key = `store-members:${storeIds.length}:${filterShape(filter)}:${bounds.gt !== undefined ? 'gt' : ''}${bounds.lt !== undefined ? 'lt' : ''}:${bounds.order}`;
  const parameters = storeIds.flatMap((storeId) => [
    storeId,
    ...filterParameters(filter),
    ...(bounds.gt !== undefined ? [bounds.gt] : []),
    ...(bounds.lt !== undefined ? [bounds.lt] : []),
    bounds.limit,
  ]);
  const rows: StoreMemberRow[] = await runShaped(database, key, parameters, () => {
    if (rest.length === 0) return perStore(first);
    let union = db.selectFrom(perStore(first).as('p0')).selectAll();
    rest.forEach((storeId, i) => {
      union = union.unionAll(db.selectFrom(perStore(storeId).as(`p${i + 1}`)).selectAll());
    });
    return union;
  });
  const grouped = new Map<number, StoreMember[]>();
  for (const row of rows) {
    const member = toStoreMember(row);
    const list = grouped.get(member.storeId);
    if (list) list.push(member);
    else grouped.set(member.storeId, [member]);
  }
  for (const storeId of storeIds) {
    // each group is in fetch order already (UNION ALL keeps each operand's order in practice, but sort to be sure)
    const list = (grouped.get(storeId) ?? []).sort((a, b) => (bounds.order === 'asc' ? a.id - b.id : b.id - a.id));
    result.set(storeId, pageFromRows(request, list, existsFor(storeId)));
  }
  return result;
}

/** Total store users: the maintained counter when unfiltered, else a bounded COUNT. */
export async function countStoreMembers(database: Database, store: Store, emailOrIds?: MemberFilter): Promise<number> {
  const db = database.kysely;
  const filter = await withoutEmail(database, emailOrIds);
  if (!isFiltered(filter)) {
    const [row] = await runShaped(database, 'store-user-count', [store.id], () => db.selectFrom('stores').select('user_count').where('id', '=', store.id));
    return Number(row?.user_count ?? 0);
  }
  if (isEmptyFilter(filter)) return 0;
  const [row] = await runShaped(database, `store-members-count:${filterShape(filter)}`, [store.id, ...filterParameters(filter)], () =>
    storeMembersQuery(db, store.id, filter).select((eb) => eb.fn.countAll<number>().as('n')),
  );
  return Number(row?.n ?? 0);
}

/** Installed apps of several stores (a store has few), by app id ascending. */
export async function listStoreAppsBatch(database: Database, storeIds: readonly number[]): Promise<Map<number, App[]>> {
  const result = new Map<number, App[]>();
  for (const id of storeIds) result.set(id, []);
  if (storeIds.length === 0) return result;
  const rows = await runShaped(database, `store-apps:${storeIds.length}`, storeIds, () =>
    database.kysely
      .selectFrom('store_apps as sa')
      .innerJoin('apps as a', (join) => join.onRef('a.account_uuid', '=', 'sa.account_uuid').onRef('a.id', '=', 'sa.app_id'))
      .select(['sa.store_id', 'a.id', 'a.name'])
      .where('sa.store_id', 'in', storeIds)
      .orderBy('sa.store_id')
      .orderBy('a.id'),
  );
  for (const row of rows) result.get(row.store_id)?.push({ id: row.id, name: row.name });
  return result;
}
