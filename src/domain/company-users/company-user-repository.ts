import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { emailKey, escapeLike, ilike, lockedForUpdate } from '../../db/dialect.js';
import type { DB } from '../../db/tables.js';
import { predefinedRoles } from '../company-roles/permission-codes.js';
import type { CompanyUser, ExtraField, ListCompanyUsersQuery } from './company-user-types.js';
import { runCompiled, runCompiledTogether, type WritePlan } from '../../db/shaped-query.js';
import type { OneStatementWrite } from '../../db/tenant-ledger.js';
import { isStorableId, isStorableStoreHash, isStorableText, MAX_STORED_ID } from '../../db/lookup-guards.js';

/**
 * Storage of Company users. Rows never leave this file: every read returns `CompanyUser`.
 * Lists are ordered by id descending and use the `(company_id, id)` / `(company_id, role, id)`
 * indexes; deep offsets are translated to an id position by `company-user-positions.ts`.
 */
type Db = Kysely<DB>;

const USER_COLUMNS = [
  'cu.id',
  'cu.store_hash',
  'cu.company_id',
  'cu.customer_id',
  'cu.email',
  'cu.first_name',
  'cu.last_name',
  'cu.phone',
  'cu.role',
  'cu.company_role_id',
  'cu.uuid',
  'cu.channel_id',
  'cu.extra_fields',
  'cu.created_at',
  'cu.updated_at',
] as const;

const RETURNED_USER_COLUMNS = USER_COLUMNS.map((column) => column.slice('cu.'.length) as StripAlias<typeof column>);
type StripAlias<C> = C extends `cu.${infer Name}` ? Name : never;

export interface UserRow {
  id: number;
  store_hash: string;
  company_id: number;
  customer_id: number;
  email: string;
  first_name: string;
  last_name: string;
  phone: string;
  role: number;
  company_role_id: number | null;
  uuid: string | null;
  channel_id: number | null;
  extra_fields: string;
  created_at: number;
  updated_at: number;
  custom_role_name: string | null;
}

/** The stored JSON of extra fields, tolerant of anything else (an empty list). */
export function parseExtraFields(text: string): ExtraField[] {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value
      .filter((f): f is { fieldName: unknown; fieldValue: unknown } => f !== null && typeof f === 'object')
      .map((f) => ({ fieldName: String(f.fieldName ?? ''), fieldValue: String(f.fieldValue ?? '') }));
  } catch {
    return [];
  }
}

export function toCompanyUser(row: UserRow): CompanyUser {
  const role = Number(row.role);
  const customRoleId = row.company_role_id === null ? null : Number(row.company_role_id);
  const predefined = role >= 0 && role <= 2 ? predefinedRoles[role as 0 | 1 | 2] : undefined;
  return {
    id: Number(row.id),
    storeHash: row.store_hash,
    companyId: Number(row.company_id),
    customerId: Number(row.customer_id),
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    role,
    companyRoleId: customRoleId ?? (predefined ? predefined.id : null),
    companyRoleName: customRoleId !== null ? row.custom_role_name : (predefined?.name ?? null),
    hasCustomRole: customRoleId !== null,
    uuid: row.uuid,
    channelId: row.channel_id === null ? null : Number(row.channel_id),
    extraFields: parseExtraFields(row.extra_fields),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * The custom role's name comes from a correlated subquery, not a LEFT JOIN: SQLite planned the
 * join as a scan of company_roles per user row, which made one user by id cost ~30-47 µs against
 * ~10 µs this way (measured on 40 Companies x 250 users).
 */
function selectUsers(db: Db) {
  return db.selectFrom('company_users as cu').select([...USER_COLUMNS, customRoleName]);
}

const customRoleName = (eb: ExpressionBuilder<DB & { cu: DB['company_users'] }, 'cu'>) =>
  eb
    .selectFrom('company_roles as cr')
    .select('cr.name')
    .whereRef('cr.store_hash', '=', 'cu.store_hash')
    .whereRef('cr.id', '=', 'cu.company_role_id')
    .as('custom_role_name');

export async function findUserById(db: Db, storeHash: string, id: number): Promise<CompanyUser | undefined> {
  if (!isStorableId(id) || !isStorableStoreHash(storeHash)) return undefined;
  const [row] = await runCompiled(db, 'company-user-by-id', [id, storeHash], () => selectUsers(db).where('cu.id', '=', id).where('cu.store_hash', '=', storeHash));
  return row ? toCompanyUser(row as UserRow) : undefined;
}

/** The users of `ids` (any order; missing ids are left out), for a page whose ids were read first. */
export async function findUsersByIds(db: Db, storeHash: string, ids: readonly number[]): Promise<CompanyUser[]> {
  const wanted = ids.filter(isStorableId);
  if (wanted.length === 0 || !isStorableStoreHash(storeHash)) return [];
  const rows = (await selectUsers(db).where('cu.store_hash', '=', storeHash).where('cu.id', 'in', wanted).execute()) as UserRow[];
  return rows.map(toCompanyUser);
}

export async function findUserByCustomerId(db: Db, storeHash: string, customerId: number): Promise<CompanyUser | undefined> {
  if (!isStorableId(customerId) || !isStorableStoreHash(storeHash)) return undefined;
  const [row] = await runCompiled(db, 'company-user-by-customer', [customerId, storeHash], () =>
    selectUsers(db).where('cu.customer_id', '=', customerId).where('cu.store_hash', '=', storeHash),
  );
  return row ? toCompanyUser(row as UserRow) : undefined;
}

export async function findUserByEmail(db: Db, storeHash: string, email: string): Promise<CompanyUser | undefined> {
  if (!isStorableText(email) || !isStorableStoreHash(storeHash)) return undefined;
  const key = emailKey(email);
  const [row] = await runCompiled(db, 'company-user-by-email', [storeHash, key], () => selectUsers(db).where('cu.store_hash', '=', storeHash).where('cu.email_key', '=', key));
  return row ? toCompanyUser(row as UserRow) : undefined;
}

export type UserFilters = Omit<ListCompanyUsersQuery, 'paging' | 'companyId'> & {
  /** level-1 callers: only this user */
  onlyUserId?: number;
};

/** True when a list has no filter, so its total is the Company's maintained `user_count`. */
export function hasNoFilters(filters: UserFilters): boolean {
  return (
    !filters.search &&
    filters.email === undefined &&
    filters.firstName === undefined &&
    filters.lastName === undefined &&
    (filters.roles === undefined || filters.roles.length === 0) &&
    filters.companyRoleId === undefined &&
    filters.createdFrom === undefined &&
    filters.createdTo === undefined &&
    filters.updatedFrom === undefined &&
    filters.updatedTo === undefined &&
    filters.onlyUserId === undefined
  );
}

/** Filters that only narrow by role: positions can still be cached per role set. */
export function isRoleOnlyFilter(filters: UserFilters): boolean {
  return hasNoFilters({ ...filters, roles: undefined });
}

function conditions(
  eb: ExpressionBuilder<DB & { cu: DB['company_users'] }, 'cu'>,
  db: Db,
  companyId: number,
  f: UserFilters,
): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [eb('cu.company_id', '=', isStorableId(companyId) ? companyId : -1)];
  const texts = [f.search, f.email, f.firstName, f.lastName].filter((v): v is string => v !== undefined);
  // text no stored field can hold (NUL, longer than any name or e-mail; SQLite also caps LIKE patterns at 50,000 bytes)
  if (texts.some((v) => !isStorableText(v) || v.length > MAX_FILTER_TEXT)) out.push(NOTHING);
  const safe = (v: string) => (isStorableText(v) && v.length <= MAX_FILTER_TEXT ? v : '');
  if (f.onlyUserId !== undefined) out.push(isStorableId(f.onlyUserId) ? eb('cu.id', '=', f.onlyUserId) : NOTHING);
  const search = f.search === undefined ? undefined : safe(f.search).trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    out.push(
      eb.or([
        ilike(db, eb.ref('cu.first_name'), pattern),
        ilike(db, eb.ref('cu.last_name'), pattern),
        ilike(db, sql<string>`${eb.ref('cu.first_name')} || ' ' || ${eb.ref('cu.last_name')}`, pattern),
        ilike(db, eb.ref('cu.email'), pattern),
      ]),
    );
  }
  if (f.email !== undefined) out.push(eb('cu.email_key', '=', emailKey(safe(f.email))));
  if (f.firstName !== undefined) out.push(eb(eb.fn<string>('lower', [eb.ref('cu.first_name')]), '=', safe(f.firstName).trim().toLowerCase()));
  if (f.lastName !== undefined) out.push(eb(eb.fn<string>('lower', [eb.ref('cu.last_name')]), '=', safe(f.lastName).trim().toLowerCase()));
  if (f.roles !== undefined && f.roles.length > 0) {
    const roles = f.roles.filter((r) => Number.isInteger(r) && r >= 0 && r <= 4);
    out.push(roles.length > 0 ? eb('cu.role', 'in', roles) : NOTHING);
  }
  if (f.companyRoleId !== undefined) {
    if (f.companyRoleId >= 0 && f.companyRoleId <= 2) out.push(eb.and([eb('cu.role', '=', f.companyRoleId), eb('cu.company_role_id', 'is', null)]));
    else out.push(isStorableId(f.companyRoleId) ? eb('cu.company_role_id', '=', f.companyRoleId) : NOTHING);
  }
  if (f.createdFrom !== undefined) out.push(eb('cu.created_at', '>=', f.createdFrom));
  if (f.createdTo !== undefined) out.push(eb('cu.created_at', '<=', f.createdTo));
  if (f.updatedFrom !== undefined) out.push(eb('cu.updated_at', '>=', f.updatedFrom));
  if (f.updatedTo !== undefined) out.push(eb('cu.updated_at', '<=', f.updatedTo));
  return out;
}

const NOTHING = sql<SqlBool>`1 = 0`;
/** longer than any stored name, "first last" or e-mail (150 + 1 + 150): matches nothing */
const MAX_FILTER_TEXT = 1_000;

/** keyset bounds kept inside the 32-bit id column's range: a bound beyond it is no bound, or matches nothing */
function idWindow(eb: ExpressionBuilder<DB & { cu: DB['company_users'] }, 'cu'>, window: { belowId?: number; aboveId?: number }): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (window.belowId !== undefined) {
    if (!(window.belowId > 0)) out.push(NOTHING);
    else if (window.belowId <= MAX_STORED_ID) out.push(eb('cu.id', '<', Math.ceil(window.belowId)));
  }
  if (window.aboveId !== undefined) {
    if (!(window.aboveId < MAX_STORED_ID)) out.push(NOTHING);
    else if (window.aboveId >= 0) out.push(eb('cu.id', '>', Math.floor(window.aboveId)));
  }
  return out;
}

export interface PageWindow {
  /** ids strictly below */
  belowId?: number;
  /** ids strictly above */
  aboveId?: number;
  offset: number;
  limit: number;
  /** take from the low end (ascending), returned newest first */
  fromEnd?: boolean;
}

export async function listUserPage(db: Db, companyId: number, filters: UserFilters, window: PageWindow): Promise<CompanyUser[]> {
  const direction = window.fromEnd ? 'asc' : 'desc';
  const where = (eb: ExpressionBuilder<DB & { cu: DB['company_users'] }, 'cu'>) => {
    const c = conditions(eb, db, companyId, filters);
    c.push(...idWindow(eb, window));
    return eb.and(c);
  };
  let q = selectUsers(db);
  if (window.offset > 0) {
    // the skipped rows are only counted over the ids (the (company_id, id) index alone when no
    // filter reads other columns); the page's rows and role names are read for the page only.
    // Offsetting the whole joined select read every skipped row: 219 µs a page at offsets up to 230.
    const ids = db.selectFrom('company_users as cu').select('cu.id').where(where).orderBy('cu.id', direction).limit(window.limit).offset(window.offset);
    q = q.where('cu.id', 'in', ids);
  } else {
    q = q.where(where).limit(window.limit);
  }
  const rows = (await q.orderBy('cu.id', direction).execute()) as UserRow[];
  const users = rows.map(toCompanyUser);
  return window.fromEnd ? users.reverse() : users;
}

export async function countUsers(db: Db, companyId: number, filters: UserFilters, window?: { belowId?: number; aboveId?: number }): Promise<number> {
  const row = await db
    .selectFrom('company_users as cu')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => {
      const c = conditions(eb, db, companyId, filters);
      if (window) c.push(...idWindow(eb, window));
      return eb.and(c);
    })
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NewCompanyUserRow {
  id: number;
  storeHash: string;
  companyId: number;
  customerId: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  role: number;
  customRoleId: number | null;
  uuid: string | null;
  channelId: number | null;
  extraFields: ExtraField[];
  now: number;
}

export async function insertUser(db: Db, u: NewCompanyUserRow): Promise<void> {
  await db
    .insertInto('company_users')
    .values({
      id: u.id,
      store_hash: u.storeHash,
      company_id: u.companyId,
      customer_id: u.customerId,
      email: u.email.trim(),
      email_key: emailKey(u.email),
      first_name: u.firstName,
      last_name: u.lastName,
      phone: u.phone,
      role: u.role,
      company_role_id: u.customRoleId,
      uuid: u.uuid,
      channel_id: u.channelId,
      extra_fields: JSON.stringify(u.extraFields),
      created_at: u.now,
      updated_at: u.now,
    })
    .execute();
}

/** What an update may change: the user's own fields (not its ids, store, Company or channel). */
export type UserChanges = Pick<NewCompanyUserRow, 'email' | 'firstName' | 'lastName' | 'phone' | 'role' | 'customRoleId' | 'uuid' | 'extraFields'>;

/**
 * Writes the user's changes and another table's write (the user's customer profile) in one
 * statement where the engine allows it (on PostgreSQL one round trip instead of two,
 * db/shaped-query.ts), and answers the user as this write left it (RETURNING: no read-back).
 * The indexed columns (e-mail, role) are only written when they differ from `before` (the row as
 * the write's transaction read it): SQLite rewrites an index entry for every column in the SET
 * list, changed or not, and each index page so touched is one more page in the commit (a user
 * update measured 5 WAL pages with them, the commit and update twice as long as without).
 */
export async function updateUserWith(db: Db, other: WritePlan<unknown>, id: number, c: UserChanges, now: number, before: CompanyUserSnapshot): Promise<CompanyUser | undefined> {
  const [row] = await runCompiledTogether(db, other, userUpdate(id, c, now, before));
  return row ? toCompanyUser(row as UserRow) : undefined;
}

function userUpdate(id: number, c: UserChanges, now: number, before: CompanyUserSnapshot): WritePlan<unknown> {
  const email = c.email.trim();
  const emailChanged = email !== before.email;
  const roleChanged = c.role !== before.role || c.customRoleId !== before.companyRoleId;
  const values = {
    ...(emailChanged ? { email, email_key: emailKey(c.email) } : {}),
    first_name: c.firstName,
    last_name: c.lastName,
    phone: c.phone,
    ...(roleChanged ? { role: c.role, company_role_id: c.customRoleId } : {}),
    uuid: c.uuid,
    extra_fields: JSON.stringify(c.extraFields),
    updated_at: now,
  };
  return {
    key: `company-user-update${emailChanged ? ':email' : ''}${roleChanged ? ':role' : ''}`,
    parameters: [...Object.values(values), id],
    // SQLite's RETURNING does not know a table alias: the table by its name
    build: (creator) =>
      creator
        .updateTable('company_users')
        .set(values)
        .where('id', '=', id)
        .returning([
          ...RETURNED_USER_COLUMNS,
          (eb) =>
            eb
              .selectFrom('company_roles as cr')
              .select('cr.name')
              .whereRef('cr.store_hash', '=', 'company_users.store_hash')
              .whereRef('cr.id', '=', 'company_users.company_role_id')
              .as('custom_role_name'),
        ]),
  };
}

/** What an update gives (undefined: keep the value the row has when the write runs; `role`: the role it keeps, see userUpdateStatement). */
export interface GivenUserChanges {
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  phone?: string | undefined;
  uuid?: string | null | undefined;
  extraFields?: ExtraField[] | undefined;
  role?: { role: number; customRoleId: number | null } | undefined;
}

export interface UserUpdateRow {
  /** the row as the statement locked it (null: no such user, nothing written) */
  before: (Omit<UserRow, 'custom_role_name'> & Record<string, unknown>) | null;
  /** the row as it left it (null: not written: the role was no longer the one given) */
  after: UserRow | null;
}

const USER_UPDATE_AT_ONCE = `WITH b AS (SELECT * FROM company_users WHERE id = $1::int FOR UPDATE),
u AS (UPDATE company_users AS cu SET email = coalesce($2::text, b.email), email_key = coalesce($3::text, b.email_key),
  first_name = coalesce($4::text, b.first_name), last_name = coalesce($5::text, b.last_name), phone = coalesce($6::text, b.phone),
  uuid = CASE WHEN $7::boolean THEN $8::text ELSE b.uuid END, extra_fields = coalesce($9::text, b.extra_fields), updated_at = $10::bigint
  FROM b WHERE cu.id = b.id AND (NOT $11::boolean OR (b.role = $12::int AND b.company_role_id IS NOT DISTINCT FROM $13::int))
  RETURNING ${RETURNED_USER_COLUMNS.map((column) => `cu.${column}`).join(', ')}, (SELECT cr.name FROM company_roles cr WHERE cr.store_hash = cu.store_hash AND cr.id = cu.company_role_id) AS custom_role_name),
c AS (UPDATE customers SET email = CASE WHEN u.email = b.email THEN customers.email ELSE u.email END,
  email_key = CASE WHEN u.email = b.email THEN customers.email_key ELSE $3::text END,
  first_name = u.first_name, last_name = u.last_name, phone = u.phone, updated_at = $10::bigint
  FROM u CROSS JOIN b WHERE customers.id = u.customer_id AND customers.store_hash = u.store_hash RETURNING customers.id)
SELECT (SELECT row_to_json(b) FROM b) AS before, (SELECT row_to_json(u) FROM u) AS after, (SELECT count(*) FROM c)::int AS customers`;

/**
 * An update of a user that changes no role (a role change moves its Company's row too, in the
 * transaction), with the user's customer profile, as one statement (domain-events.ts
 * commitAsOneStatement; PostgreSQL's dialect): the row locked, each field the update gives
 * written and each other one kept as the locked row has it (as the transaction's nextFrom does),
 * the customer's names and phone written and its e-mail only when the user's changed (as
 * customerProfileUpdate does). With a `role`, it writes only while the row still has that role,
 * and answers `after: null` otherwise (nothing written). Lock order as the transaction's: the
 * user's row, then the customer.
 */
export function userUpdateStatement(id: number, given: GivenUserChanges, now: number): OneStatementWrite {
  const email = given.email?.trim();
  return {
    key: 'company-user-update-at-once',
    build: () => USER_UPDATE_AT_ONCE,
    parameters: [
      id,
      email ?? null,
      given.email === undefined ? null : emailKey(given.email),
      given.firstName ?? null,
      given.lastName ?? null,
      given.phone ?? null,
      given.uuid !== undefined,
      given.uuid ?? null,
      given.extraFields === undefined ? null : JSON.stringify(given.extraFields),
      now,
      given.role !== undefined,
      given.role?.role ?? null,
      given.role?.customRoleId ?? null,
    ],
  };
}

/**
 * A Company user as its events report it (`before` / `after` of company.user.*): the stored row in
 * wire-neutral names. Read inside the write's transaction; with `lock`, the row stays locked until
 * the transaction ends (PostgreSQL `FOR UPDATE`), so concurrent writes of one user queue up and
 * each sees the state the previous one left.
 */
export type CompanyUserSnapshot = Omit<CompanyUser, 'customerId' | 'companyRoleName' | 'hasCustomRole'> & {
  /** the BigCommerce customer id, as the wire calls it */
  bcId: number;
};

/** The event shape of a user as `toCompanyUser` gives it (`companyRoleId`: the custom role only). */
export function snapshotOf(user: CompanyUser): CompanyUserSnapshot {
  const { customerId, companyRoleName: _name, hasCustomRole, companyRoleId, ...rest } = user;
  return { ...rest, bcId: customerId, companyRoleId: hasCustomRole ? companyRoleId : null };
}

/** Does applying `next` change any stored value of the user (time aside)? No-op writes fire no webhook (webhooks.md §2). */
export function changesUser(next: UserChanges, before: CompanyUserSnapshot): boolean {
  return (
    next.email !== before.email ||
    next.firstName !== before.firstName ||
    next.lastName !== before.lastName ||
    next.phone !== before.phone ||
    next.role !== before.role ||
    next.customRoleId !== before.companyRoleId ||
    next.uuid !== before.uuid ||
    JSON.stringify(next.extraFields) !== JSON.stringify(before.extraFields)
  );
}

/** The user's own row (no join: nothing else is locked with it), locked with `lock` until the transaction ends. */
export async function readUserSnapshot(db: Db, id: number, options: { lock?: boolean } = {}): Promise<CompanyUserSnapshot | undefined> {
  const [row] = await runCompiled(db, options.lock ? 'company-user-row-locked' : 'company-user-row', [id], () => {
    const query = db.selectFrom('company_users').selectAll().where('id', '=', id);
    return options.lock ? lockedForUpdate(db, query) : query;
  });
  return row ? snapshotOfRow(row) : undefined;
}

/** The event snapshot of a stored row (as selected with `*`, or as a statement's JSON gives it): the role's name is not part of it. */
export function snapshotOfRow(row: Omit<UserRow, 'custom_role_name'>): CompanyUserSnapshot {
  return snapshotOf(toCompanyUser({ ...row, custom_role_name: null }));
}

export async function deleteUserRow(db: Db, id: number): Promise<number> {
  const result = await db.deleteFrom('company_users').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** For principals: the user's role columns and the status of its Company, one indexed read. */
export async function findPrincipalRecord(
  db: Db,
  storeHash: string,
  userId: number,
): Promise<{ userId: number; customerId: number; companyId: number; role: number; customRoleId: number | null; email: string; companyStatus: number } | undefined> {
  if (!isStorableId(userId) || !isStorableStoreHash(storeHash)) return undefined;
  const [row] = await runCompiled(db, 'company-user-principal', [userId, storeHash], () =>
    db
      .selectFrom('company_users as cu')
      .innerJoin('companies as c', 'c.id', 'cu.company_id')
      .select(['cu.id', 'cu.customer_id', 'cu.company_id', 'cu.role', 'cu.company_role_id', 'cu.email', 'c.status'])
      .where('cu.id', '=', userId)
      .where('cu.store_hash', '=', storeHash),
  );
  if (!row) return undefined;
  return {
    userId: Number(row.id),
    customerId: Number(row.customer_id),
    companyId: Number(row.company_id),
    role: Number(row.role),
    customRoleId: row.company_role_id === null ? null : Number(row.company_role_id),
    email: row.email,
    companyStatus: Number(row.status),
  };
}
