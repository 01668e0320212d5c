import type { Database } from '../../db/database.js';
import { emailKey } from '../../db/dialect.js';

/**
 * Read-only, paged views of a world's tenants for the console (GET /_roster/tenants/...): accounts →
 * stores → users, B2B stores → companies → company users. Every list is keyset-paged on an indexed
 * key (the `after` cursor is the last key of the previous page) and bounded by `limit`, so a world
 * of a million users is never loaded whole; per-row counts come from the maintained `user_count`
 * columns or from an index range of one tenant.
 */
export interface Page<T> {
  items: T[];
  /** the cursor of the next page, or null on the last one */
  next: string | null;
}

export const MAX_PAGE = 200;

function page<T>(rows: T[], limit: number, key: (row: T) => string | number): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, next: more && last !== undefined ? String(key(last)) : null };
}

/** Whole-world totals. count(*) walks the smallest index of each table: fine for the console's overview, not for a request path. */
export async function countTenants(database: Database): Promise<Record<string, number>> {
  const db = database.kysely;
  const count = async (table: 'accounts' | 'stores' | 'users' | 'b2b_stores' | 'companies' | 'company_users') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const [accounts, stores, users, b2bStores, companies, companyUsers] = await Promise.all([count('accounts'), count('stores'), count('users'), count('b2b_stores'), count('companies'), count('company_users')]);
  return { accounts, stores, users, b2bStores, companies, companyUsers };
}

export interface AccountSummary {
  uuid: string;
  name: string;
  userCount: number;
  storeCount: number;
}

export async function listAccounts(database: Database, options: { after?: string | undefined; limit: number }): Promise<Page<AccountSummary>> {
  const db = database.kysely;
  let q = db
    .selectFrom('accounts as a')
    .select((eb) => ['a.uuid', 'a.name', 'a.user_count', eb.selectFrom('stores as s').whereRef('s.account_uuid', '=', 'a.uuid').select((e) => e.fn.countAll().as('n')).as('store_count')])
    .orderBy('a.uuid')
    .limit(options.limit + 1);
  if (options.after !== undefined) q = q.where('a.uuid', '>', options.after);
  const rows = await q.execute();
  return page(rows.map((r) => ({ uuid: r.uuid, name: r.name, userCount: Number(r.user_count), storeCount: Number(r.store_count) })), options.limit, (r) => r.uuid);
}

export interface StoreSummary {
  id: number;
  storeHash: string;
  name: string;
  userCount: number;
}

export async function listAccountStores(database: Database, accountUuid: string, options: { after?: number | undefined; limit: number }): Promise<Page<StoreSummary>> {
  let q = database.kysely.selectFrom('stores').select(['id', 'store_hash', 'name', 'user_count']).where('account_uuid', '=', accountUuid).orderBy('id').limit(options.limit + 1);
  if (options.after !== undefined) q = q.where('id', '>', options.after);
  const rows = await q.execute();
  return page(rows.map((r) => ({ id: r.id, storeHash: r.store_hash, name: r.name, userCount: Number(r.user_count) })), options.limit, (r) => r.id);
}

export interface MemberSummary {
  id: number;
  email: string;
  status: string;
}

export async function listAccountUsers(database: Database, accountUuid: string, options: { after?: number | undefined; limit: number }): Promise<Page<MemberSummary>> {
  let q = database.kysely
    .selectFrom('account_users as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'm.status'])
    .where('m.account_uuid', '=', accountUuid)
    .orderBy('m.user_id')
    .limit(options.limit + 1);
  if (options.after !== undefined) q = q.where('m.user_id', '>', options.after);
  const rows = await q.execute();
  return page(rows.map((r) => ({ id: r.id, email: r.email, status: r.status })), options.limit, (r) => r.id);
}

export interface StoreMemberSummary extends MemberSummary {
  permissions: string[];
  apps: number[];
}

async function appsOf(database: Database, storeId: number, userIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (userIds.length === 0) return out;
  const rows = await database.kysely.selectFrom('store_user_apps').select(['user_id', 'app_id']).where('store_id', '=', storeId).where('user_id', 'in', userIds).orderBy('app_id').execute();
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.app_id]);
  return out;
}

export async function listStoreUsers(database: Database, storeId: number, options: { after?: number | undefined; limit: number }): Promise<Page<StoreMemberSummary>> {
  let q = database.kysely
    .selectFrom('store_users as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'm.status', 'm.permissions'])
    .where('m.store_id', '=', storeId)
    .orderBy('m.user_id')
    .limit(options.limit + 1);
  if (options.after !== undefined) q = q.where('m.user_id', '>', options.after);
  const result = page(await q.execute(), options.limit, (r) => r.id);
  const apps = await appsOf(database, storeId, result.items.map((r) => r.id));
  return { next: result.next, items: result.items.map((r) => ({ id: r.id, email: r.email, status: r.status, permissions: JSON.parse(r.permissions) as string[], apps: apps.get(r.id) ?? [] })) };
}

export interface UserDetail {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  status: string;
  memberships: { accountUuid: string; status: string }[];
  stores: { storeId: number; status: string; permissions: string[]; apps: number[] }[];
}

export async function findUserDetail(database: Database, userId: number): Promise<UserDetail | undefined> {
  const db = database.kysely;
  const user = await db.selectFrom('users').select(['id', 'email', 'first_name', 'last_name', 'status']).where('id', '=', userId).executeTakeFirst();
  if (!user) return undefined;
  // a user's memberships: bounded by what one person belongs to (indexed on user_id)
  const memberships = await db.selectFrom('account_users').select(['account_uuid', 'status']).where('user_id', '=', userId).orderBy('account_uuid').limit(MAX_PAGE).execute();
  const stores = await db.selectFrom('store_users').select(['store_id', 'status', 'permissions']).where('user_id', '=', userId).orderBy('store_id').limit(MAX_PAGE).execute();
  const apps = await db.selectFrom('store_user_apps').select(['store_id', 'app_id']).where('user_id', '=', userId).orderBy('app_id').limit(MAX_PAGE * 10).execute();
  return {
    id: user.id,
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
    status: user.status,
    memberships: memberships.map((m) => ({ accountUuid: m.account_uuid, status: m.status })),
    stores: stores.map((s) => ({ storeId: s.store_id, status: s.status, permissions: JSON.parse(s.permissions) as string[], apps: apps.filter((a) => a.store_id === s.store_id).map((a) => a.app_id) })),
  };
}

export interface B2bStoreSummary {
  storeHash: string;
  companyCount: number;
  userCount: number;
}

export async function listB2bStores(database: Database, options: { after?: string | undefined; limit: number }): Promise<Page<B2bStoreSummary>> {
  let q = database.kysely
    .selectFrom('b2b_stores as b')
    .select((eb) => [
      'b.store_hash',
      eb.selectFrom('companies as c').whereRef('c.store_hash', '=', 'b.store_hash').select((e) => e.fn.countAll().as('n')).as('company_count'),
      eb.selectFrom('companies as c').whereRef('c.store_hash', '=', 'b.store_hash').select((e) => e.fn.sum<number>('c.user_count').as('n')).as('user_count'),
    ])
    .orderBy('b.store_hash')
    .limit(options.limit + 1);
  if (options.after !== undefined) q = q.where('b.store_hash', '>', options.after);
  const rows = await q.execute();
  return page(rows.map((r) => ({ storeHash: r.store_hash, companyCount: Number(r.company_count ?? 0), userCount: Number(r.user_count ?? 0) })), options.limit, (r) => r.storeHash);
}

export interface CompanySummary {
  id: number;
  name: string;
  parentId: number | null;
  userCount: number;
}

export async function listCompanies(database: Database, storeHash: string, options: { after?: number | undefined; limit: number }): Promise<Page<CompanySummary>> {
  let q = database.kysely.selectFrom('companies').select(['id', 'name', 'parent_id', 'user_count']).where('store_hash', '=', storeHash).orderBy('id').limit(options.limit + 1);
  if (options.after !== undefined) q = q.where('id', '>', options.after);
  const rows = await q.execute();
  return page(rows.map((r) => ({ id: r.id, name: r.name, parentId: r.parent_id, userCount: Number(r.user_count) })), options.limit, (r) => r.id);
}

const BUILT_IN_ROLES = ['Admin', 'Senior Buyer', 'Junior Buyer', 'Super Admin', 'Unknown'];

export interface CompanyUserSummary {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  role: string;
}

export async function listCompanyUsers(database: Database, storeHash: string, companyId: number, options: { after?: number | undefined; limit: number }): Promise<Page<CompanyUserSummary>> {
  let q = database.kysely
    .selectFrom('company_users as u')
    .leftJoin('company_roles as r', (j) => j.onRef('r.store_hash', '=', 'u.store_hash').onRef('r.id', '=', 'u.company_role_id'))
    .select(['u.id', 'u.email', 'u.first_name', 'u.last_name', 'u.role', 'r.name as role_name'])
    .where('u.company_id', '=', companyId)
    .where('u.store_hash', '=', storeHash)
    .orderBy('u.id')
    .limit(options.limit + 1);
  if (options.after !== undefined) q = q.where('u.id', '>', options.after);
  const rows = await q.execute();
  return page(
    rows.map((r) => ({ id: r.id, email: r.email, firstName: r.first_name, lastName: r.last_name, role: r.role_name ?? BUILT_IN_ROLES[r.role] ?? String(r.role) })),
    options.limit,
    (r) => r.id,
  );
}

export interface CompanyUserDetail extends CompanyUserSummary {
  storeHash: string;
  companyId: number;
  companyName: string;
  customerId: number;
  channelId: number | null;
}

/** One company user (B2B) with the company it belongs to; by primary key. */
export async function findCompanyUserDetail(database: Database, storeHash: string, userId: number): Promise<CompanyUserDetail | undefined> {
  const r = await database.kysely
    .selectFrom('company_users as u')
    .innerJoin('companies as c', (j) => j.onRef('c.id', '=', 'u.company_id').onRef('c.store_hash', '=', 'u.store_hash'))
    .leftJoin('company_roles as r', (j) => j.onRef('r.store_hash', '=', 'u.store_hash').onRef('r.id', '=', 'u.company_role_id'))
    .select(['u.id', 'u.email', 'u.first_name', 'u.last_name', 'u.role', 'u.company_id', 'u.customer_id', 'u.channel_id', 'c.name as company_name', 'r.name as role_name'])
    .where('u.id', '=', userId)
    .where('u.store_hash', '=', storeHash)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    role: r.role_name ?? BUILT_IN_ROLES[r.role] ?? String(r.role),
    storeHash,
    companyId: r.company_id,
    companyName: r.company_name,
    customerId: r.customer_id,
    channelId: r.channel_id,
  };
}

export interface SearchResult {
  users: { id: number; email: string; firstName: string | null; lastName: string | null; status: string }[];
  customers: { id: number; storeHash: string; email: string; firstName: string; lastName: string }[];
  companyUsers: { id: number; storeHash: string; companyId: number; email: string }[];
  accounts: { uuid: string; name: string }[];
  stores: { id: number; storeHash: string; name: string }[];
}

/** Exact matches only (each on an index): an e-mail, a user, customer or company-user id, an account UUID, a store hash. */
export async function searchTenants(database: Database, text: string): Promise<SearchResult> {
  const db = database.kysely;
  const q = text.trim();
  const result: SearchResult = { users: [], customers: [], companyUsers: [], accounts: [], stores: [] };
  const companyUserCols = ['id', 'store_hash', 'company_id', 'email'] as const;
  if (q === '') return result;
  const userCols = ['id', 'email', 'first_name', 'last_name', 'status'] as const;
  const customerCols = ['id', 'store_hash', 'email', 'first_name', 'last_name'] as const;
  const users = [];
  const customers = [];
  const companyUsers = [];
  if (q.includes('@')) {
    const key = emailKey(q);
    users.push(...(await db.selectFrom('users').select(userCols).where('email_key', '=', key).execute()));
    // (store_hash, email_key) is unique: one probe per B2B store
    customers.push(...(await db.selectFrom('customers').select(customerCols).where('store_hash', 'in', db.selectFrom('b2b_stores').select('store_hash')).where('email_key', '=', key).limit(MAX_PAGE).execute()));
    companyUsers.push(...(await db.selectFrom('company_users').select(companyUserCols).where('store_hash', 'in', db.selectFrom('b2b_stores').select('store_hash')).where('email_key', '=', key).limit(MAX_PAGE).execute()));
  } else if (/^\d{1,15}$/.test(q)) {
    users.push(...(await db.selectFrom('users').select(userCols).where('id', '=', Number(q)).execute()));
    customers.push(...(await db.selectFrom('customers').select(customerCols).where('id', '=', Number(q)).execute()));
    companyUsers.push(...(await db.selectFrom('company_users').select(companyUserCols).where('id', '=', Number(q)).execute()));
    result.stores.push(...(await db.selectFrom('stores').select(['id', 'store_hash', 'name']).where('id', '=', Number(q)).execute()).map((s) => ({ id: s.id, storeHash: s.store_hash, name: s.name })));
  } else {
    result.accounts.push(...(await db.selectFrom('accounts').select(['uuid', 'name']).where('uuid', '=', q.toLowerCase()).execute()));
    result.stores.push(...(await db.selectFrom('stores').select(['id', 'store_hash', 'name']).where('store_hash', '=', q).execute()).map((s) => ({ id: s.id, storeHash: s.store_hash, name: s.name })));
  }
  result.users = users.map((u) => ({ id: u.id, email: u.email, firstName: u.first_name, lastName: u.last_name, status: u.status }));
  result.companyUsers = companyUsers.map((u) => ({ id: u.id, storeHash: u.store_hash, companyId: u.company_id, email: u.email }));
  result.customers = customers.map((c) => ({ id: c.id, storeHash: c.store_hash, email: c.email, firstName: c.first_name, lastName: c.last_name }));
  return result;
}
