import { type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import { escapeLike, ilike, lockedForUpdate } from '../../db/dialect.js';
import { isStorableId, isStorableStoreHash, isStorableText } from '../../db/lookup-guards.js';
import type { CompaniesTable, DB } from '../../db/tables.js';
import { parseExtraFields } from '../company-users/company-user-repository.js';
import type { ExtraField } from '../company-users/company-user-types.js';

/**
 * Storage of Companies for the Management API (b2b-management-rest.md §5, §6): every column the
 * Management API reads and writes, store-wide lists, the hierarchy. Rows never leave this file.
 */
type Db = Kysely<DB>;

export interface ManagedCompany {
  id: number;
  storeHash: string;
  name: string;
  email: string;
  phone: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  state: string;
  country: string;
  zipCode: string;
  status: number;
  customerGroupId: number;
  customerGroupName: string;
  parentId: number | null;
  parentName: string | null;
  uuid: string;
  extraFields: ExtraField[];
  createdAt: number;
  updatedAt: number;
}

type Row = Selectable<CompaniesTable> & { group_name: string | null; parent_name: string | null };

function toManagedCompany(row: Row): ManagedCompany {
  return {
    id: Number(row.id),
    storeHash: row.store_hash,
    name: row.name,
    email: row.email ?? '',
    phone: row.phone ?? '',
    addressLine1: row.address_line1 ?? '',
    addressLine2: row.address_line2 ?? '',
    city: row.city ?? '',
    state: row.state ?? '',
    country: row.country ?? '',
    zipCode: row.zip_code ?? '',
    status: Number(row.status),
    customerGroupId: Number(row.customer_group_id ?? 0),
    customerGroupName: row.group_name ?? '',
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    parentName: row.parent_name,
    uuid: row.uuid ?? '',
    extraFields: parseExtraFields(row.extra_fields ?? '[]'),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function selectCompanies(db: Db) {
  return db
    .selectFrom('companies as c')
    .selectAll('c')
    .select((eb) => [
      eb
        .selectFrom('b2b_customer_groups as g')
        .select('g.name')
        .whereRef('g.store_hash', '=', 'c.store_hash')
        .whereRef('g.id', '=', 'c.customer_group_id')
        .as('group_name'),
      eb.selectFrom('companies as p').select('p.name').whereRef('p.id', '=', 'c.parent_id').as('parent_name'),
    ]);
}

export async function findManagedCompany(db: Db, storeHash: string, id: number): Promise<ManagedCompany | undefined> {
  if (!isStorableId(id) || !isStorableStoreHash(storeHash)) return undefined;
  const row = await selectCompanies(db).where('c.id', '=', id).where('c.store_hash', '=', storeHash).executeTakeFirst();
  return row ? toManagedCompany(row as Row) : undefined;
}

export interface CompanyListFilters {
  /** inclusive, unix seconds */
  minModified?: number;
  maxModified?: number;
  minCreated?: number;
  maxCreated?: number;
  status?: number;
  q?: string;
  customerGroupId?: number;
  /** the Company of the user with this customer id */
  customerId?: number;
  /** orders are not modelled: a well-formed order id matches nothing */
  none?: boolean;
}

export interface CompanyOrder {
  sortBy: 'companyName' | 'updatedAt';
  direction: 'asc' | 'desc';
}

const NOTHING = sql<SqlBool>`1 = 0`;

/** the conditions of `f` on `companies as c` (the list and its count share them) */
function conditions(eb: ExpressionBuilder<DB & { c: DB['companies'] }, 'c'>, db: Db, storeHash: string, f: CompanyListFilters): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [eb('c.store_hash', '=', storeHash)];
  if (f.minModified !== undefined) out.push(eb('c.updated_at', '>=', f.minModified * 1000));
  if (f.maxModified !== undefined) out.push(eb('c.updated_at', '<', (f.maxModified + 1) * 1000));
  if (f.minCreated !== undefined) out.push(eb('c.created_at', '>=', f.minCreated * 1000));
  if (f.maxCreated !== undefined) out.push(eb('c.created_at', '<', (f.maxCreated + 1) * 1000));
  if (f.status !== undefined) out.push(eb('c.status', '=', f.status));
  if (f.customerGroupId !== undefined) out.push(isStorableId(f.customerGroupId) ? eb('c.customer_group_id', '=', f.customerGroupId) : NOTHING);
  if (f.customerId !== undefined) {
    const customerId = f.customerId;
    out.push(isStorableId(customerId) ? eb.exists(eb.selectFrom('company_users as cu').select('cu.id').whereRef('cu.company_id', '=', 'c.id').where('cu.customer_id', '=', customerId)) : NOTHING);
  }
  const text = f.q?.trim();
  if (text) out.push(isStorableText(text) && text.length <= 1000 ? ilike(db, eb.ref('c.name'), `%${escapeLike(text)}%`) : NOTHING);
  return out;
}

/** Every Company of the store matching `f`, in `order` (ties by id in the same direction). */
export async function listManagedCompanies(db: Db, storeHash: string, f: CompanyListFilters, order: CompanyOrder, page?: { limit: number; offset: number }): Promise<ManagedCompany[]> {
  if (!isStorableStoreHash(storeHash) || f.none) return [];
  let q = selectCompanies(db).where((eb) => eb.and(conditions(eb, db, storeHash, f)));
  q = order.sortBy === 'companyName' ? q.orderBy(sql`lower(c.name)`, order.direction) : q.orderBy('c.updated_at', order.direction);
  q = q.orderBy('c.id', order.direction);
  if (page) q = q.limit(page.limit).offset(page.offset);
  return ((await q.execute()) as Row[]).map(toManagedCompany);
}

export async function countManagedCompanies(db: Db, storeHash: string, f: CompanyListFilters): Promise<number> {
  if (!isStorableStoreHash(storeHash) || f.none) return 0;
  const row = await db
    .selectFrom('companies as c')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.and(conditions(eb, db, storeHash, f)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The fields a Management write sets (all of them: the service merges a partial update first). */
export interface CompanyFields {
  name: string;
  email: string;
  phone: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  state: string;
  country: string;
  zipCode: string;
  customerGroupId: number;
  uuid: string;
  extraFields: ExtraField[];
}

const nullIfEmpty = (text: string) => (text === '' ? null : text);

function columnsOf(f: CompanyFields) {
  return {
    name: f.name,
    email: nullIfEmpty(f.email),
    phone: nullIfEmpty(f.phone),
    address_line1: nullIfEmpty(f.addressLine1),
    address_line2: nullIfEmpty(f.addressLine2),
    city: nullIfEmpty(f.city),
    state: nullIfEmpty(f.state),
    country: nullIfEmpty(f.country),
    zip_code: nullIfEmpty(f.zipCode),
    customer_group_id: f.customerGroupId,
    uuid: nullIfEmpty(f.uuid),
    extra_fields: JSON.stringify(f.extraFields),
  };
}

export async function insertManagedCompany(db: Db, c: { id: number; storeHash: string; status: number; fields: CompanyFields; now: number }): Promise<void> {
  await db
    .insertInto('companies')
    .values({ id: c.id, store_hash: c.storeHash, status: c.status, parent_id: null, ...columnsOf(c.fields), user_count: 0, created_at: c.now, updated_at: c.now })
    .execute();
}

export async function updateManagedCompany(db: Db, id: number, fields: CompanyFields, now: number): Promise<void> {
  await db.updateTable('companies').set({ ...columnsOf(fields), updated_at: now }).where('id', '=', id).execute();
}

export async function setCompanyStatus(db: Db, id: number, status: number, now: number): Promise<void> {
  await db.updateTable('companies').set({ status, updated_at: now }).where('id', '=', id).execute();
}

export async function setCompanyParent(db: Db, id: number, parentId: number | null, now: number): Promise<void> {
  await db.updateTable('companies').set({ parent_id: parentId, updated_at: now }).where('id', '=', id).execute();
}

/** Locks the Company row until the transaction ends (PostgreSQL), then reads it again. */
export async function lockManagedCompany(db: Db, storeHash: string, id: number): Promise<ManagedCompany | undefined> {
  const locked = await lockedForUpdate(db, db.selectFrom('companies').select('id').where('id', '=', id).where('store_hash', '=', storeHash)).executeTakeFirst();
  return locked ? findManagedCompany(db, storeHash, id) : undefined;
}

/** Ids of the Company's users (for a delete: their events). */
export async function listCompanyUserIds(db: Db, companyId: number): Promise<number[]> {
  const rows = await db.selectFrom('company_users').select('id').where('company_id', '=', companyId).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

export async function deleteCompanyRows(db: Db, companyId: number): Promise<void> {
  await db.deleteFrom('company_users').where('company_id', '=', companyId).execute();
  await db.updateTable('companies').set({ parent_id: null }).where('parent_id', '=', companyId).execute();
  await db.deleteFrom('companies').where('id', '=', companyId).execute();
}

export interface HierarchyRow {
  id: number;
  name: string;
  status: number;
  parentId: number | null;
}

/** Every Company of a store as (id, name, status, parent): hierarchies are built from it (≤ 500 per tree). */
export async function listHierarchyRows(db: Db, storeHash: string): Promise<HierarchyRow[]> {
  if (!isStorableStoreHash(storeHash)) return [];
  const rows = await db.selectFrom('companies').select(['id', 'name', 'status', 'parent_id']).where('store_hash', '=', storeHash).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, status: Number(r.status), parentId: r.parent_id === null ? null : Number(r.parent_id) }));
}

/** The distinct extra-field names Companies of a store carry (derived configurations, §8). */
export async function listCompanyExtraFieldNames(db: Db, storeHash: string): Promise<string[]> {
  const rows = await db
    .selectFrom('companies')
    .select('extra_fields')
    .distinct()
    .where('store_hash', '=', storeHash)
    .where('extra_fields', '<>', '[]')
    .limit(1000)
    .execute();
  const names = new Set<string>();
  for (const row of rows) for (const f of parseExtraFields(row.extra_fields)) if (f.fieldName.trim() !== '') names.add(f.fieldName);
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Ids of the store's Companies whose extra field `name` holds exactly `value` (unique fields, §8). */
export async function listCompaniesWithExtraValue(db: Db, storeHash: string, name: string, value: string): Promise<number[]> {
  if (!isStorableStoreHash(storeHash) || !isStorableText(value)) return [];
  // narrowed by the JSON text, then checked exactly
  const rows = await db
    .selectFrom('companies')
    .select(['id', 'extra_fields'])
    .where('store_hash', '=', storeHash)
    .where((eb) => ilike(db, eb.ref('extra_fields'), `%${escapeLike(JSON.stringify(value).slice(1, -1))}%`))
    .execute();
  return rows.filter((r) => parseExtraFields(r.extra_fields).some((f) => f.fieldName.toLowerCase() === name.toLowerCase() && f.fieldValue === value)).map((r) => Number(r.id));
}
