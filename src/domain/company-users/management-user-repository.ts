import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { emailKey, escapeLike, ilike } from '../../db/dialect.js';
import { isStorableId, isStorableStoreHash, isStorableText } from '../../db/lookup-guards.js';
import type { DB } from '../../db/tables.js';
import { findUsersByIds } from './company-user-repository.js';
import type { CompanyUser } from './company-user-types.js';

/**
 * Storage for the Management API's view of Company users (b2b-management-rest.md §4): every user
 * of a store (not one Company), newest first, with the store-wide filters of §4.2, and each user's
 * channel SET (`company_user_channels`; a user without rows there has the one channel it signed up
 * on, else the store's first). Rows never leave this file.
 */
type Db = Kysely<DB>;

export const DEFAULT_CHANNEL_ICON = 'https://s3.amazonaws.com/bc-channel-platform/channel-icons/bigcommerce.svg';

export interface StoreChannel {
  id: number;
  name: string;
  iconUrl: string;
}

/** A store's channels in id order, with the default names and icon of §12 where none is stored. */
export async function listStoreChannels(db: Db, storeHash: string): Promise<StoreChannel[]> {
  if (!isStorableStoreHash(storeHash)) return [];
  const rows = await db.selectFrom('b2b_channels').select(['channel_id', 'name', 'icon_url']).where('store_hash', '=', storeHash).orderBy('channel_id').execute();
  return rows.map((r) => {
    const id = Number(r.channel_id);
    return { id, name: r.name ?? (id === 1 ? 'Default Storefront' : `Channel ${id}`), iconUrl: r.icon_url ?? DEFAULT_CHANNEL_ICON };
  });
}

/** Store-wide filters (§4.2), already checked and converted by the caller. Times in epoch ms. */
export interface ManagementUserFilters {
  companyId?: number;
  /** 0-2; 2 includes custom-role users (they are stored as role 2) */
  roles?: readonly number[];
  /** updatedAt later than (strict), in unix seconds as the wire gives them */
  minModified?: number;
  maxModified?: number;
  minCreated?: number;
  maxCreated?: number;
  email?: string;
  channelId?: number;
  /** case-insensitive substring of the Company's name, e-mail, first, last and "first last" names */
  q?: string;
}

const NOTHING = sql<SqlBool>`1 = 0`;
const MAX_FILTER_TEXT = 1_000;
const SUPER_ADMIN = 3;

type Eb = ExpressionBuilder<DB & { cu: DB['company_users'] }, 'cu'>;

function conditions(eb: Eb, db: Db, storeHash: string, f: ManagementUserFilters, firstChannel: number | null): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [eb('cu.store_hash', '=', storeHash), eb('cu.role', '<>', SUPER_ADMIN)];
  if (f.companyId !== undefined) out.push(isStorableId(f.companyId) ? eb('cu.company_id', '=', f.companyId) : NOTHING);
  if (f.roles !== undefined && f.roles.length > 0) out.push(eb('cu.role', 'in', [...f.roles]));
  // unix seconds: updatedAt (ms) is "later than" s when its second is > s, i.e. ms >= (s + 1) * 1000
  if (f.minModified !== undefined) out.push(eb('cu.updated_at', '>=', (f.minModified + 1) * 1000));
  if (f.maxModified !== undefined) out.push(eb('cu.updated_at', '<', f.maxModified * 1000));
  if (f.minCreated !== undefined) out.push(eb('cu.created_at', '>=', (f.minCreated + 1) * 1000));
  if (f.maxCreated !== undefined) out.push(eb('cu.created_at', '<', f.maxCreated * 1000));
  if (f.email !== undefined) out.push(isStorableText(f.email) && f.email.length <= MAX_FILTER_TEXT ? eb('cu.email_key', '=', emailKey(f.email)) : NOTHING);
  if (f.channelId !== undefined) {
    const channel = f.channelId;
    if (!isStorableId(channel)) out.push(NOTHING);
    else {
      const inSet = eb.exists(eb.selectFrom('company_user_channels as ch').select('ch.channel_id').whereRef('ch.user_id', '=', 'cu.id').where('ch.channel_id', '=', channel));
      const noSet = eb.not(eb.exists(eb.selectFrom('company_user_channels as ch').select('ch.channel_id').whereRef('ch.user_id', '=', 'cu.id')));
      const signUp = firstChannel === null ? eb('cu.channel_id', '=', channel) : eb(eb.fn.coalesce('cu.channel_id', sql.lit(firstChannel)), '=', channel);
      out.push(eb.or([inSet, eb.and([noSet, signUp])]));
    }
  }
  const q = f.q?.trim();
  if (q) {
    if (!isStorableText(q) || q.length > MAX_FILTER_TEXT) out.push(NOTHING);
    else {
      const pattern = `%${escapeLike(q)}%`;
      out.push(
        eb.or([
          ilike(db, eb.ref('cu.first_name'), pattern),
          ilike(db, eb.ref('cu.last_name'), pattern),
          ilike(db, sql<string>`${eb.ref('cu.first_name')} || ' ' || ${eb.ref('cu.last_name')}`, pattern),
          ilike(db, eb.ref('cu.email'), pattern),
          eb.exists(
            eb
              .selectFrom('companies as co')
              .select('co.id')
              .whereRef('co.id', '=', 'cu.company_id')
              .where(() => ilike(db, sql.ref('co.name'), pattern)),
          ),
        ]),
      );
    }
  }
  return out;
}

function onlyCompanyFilter(f: ManagementUserFilters): boolean {
  return (
    (f.roles === undefined || f.roles.length === 0) &&
    f.minModified === undefined &&
    f.maxModified === undefined &&
    f.minCreated === undefined &&
    f.maxCreated === undefined &&
    f.email === undefined &&
    f.channelId === undefined &&
    !f.q?.trim()
  );
}

/**
 * The number of users a filter matches. Unfiltered and Company-only lists add up the maintained
 * `companies.user_count` (less the store's Super Admins, found through the (company_id, role)
 * index): no scan of the users (§14 #36). Other filters count the matching rows.
 */
export async function countManagementUsers(db: Db, storeHash: string, f: ManagementUserFilters, firstChannel: number | null): Promise<number> {
  if (!isStorableStoreHash(storeHash)) return 0;
  if (onlyCompanyFilter(f)) {
    if (f.companyId !== undefined && !isStorableId(f.companyId)) return 0;
    const totals = await db
      .selectFrom('companies as c')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('c.user_count'), sql.lit(0)).as('users'),
        eb
          .selectFrom('company_users as cu')
          .innerJoin('companies as c2', 'c2.id', 'cu.company_id')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('c2.store_hash', '=', storeHash)
          .where('cu.role', '=', SUPER_ADMIN)
          .$if(f.companyId !== undefined, (q) => q.where('c2.id', '=', f.companyId as number))
          .as('superAdmins'),
      ])
      .where('c.store_hash', '=', storeHash)
      .$if(f.companyId !== undefined, (q) => q.where('c.id', '=', f.companyId as number))
      .executeTakeFirstOrThrow();
    return Number(totals.users ?? 0) - Number(totals.superAdmins ?? 0);
  }
  const row = await db
    .selectFrom('company_users as cu')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.and(conditions(eb, db, storeHash, f, firstChannel)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of ids, newest first, then the users themselves (the page's rows only). */
export async function listManagementUsers(
  db: Db,
  storeHash: string,
  f: ManagementUserFilters,
  page: { limit: number; offset: number },
  firstChannel: number | null,
): Promise<CompanyUser[]> {
  if (!isStorableStoreHash(storeHash)) return [];
  const rows = await db
    .selectFrom('company_users as cu')
    .select('cu.id')
    .where((eb) => eb.and(conditions(eb, db, storeHash, f, firstChannel)))
    .orderBy('cu.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const byId = new Map((await findUsersByIds(db, storeHash, rows.map((r) => Number(r.id)))).map((u) => [u.id, u]));
  return rows.map((r) => byId.get(Number(r.id))).filter((u): u is CompanyUser => u !== undefined);
}

/** The channel sets of `userIds` (only users that have rows; see the file comment). */
export async function listUserChannelIds(db: Db, userIds: readonly number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('company_user_channels')
    .select(['user_id', 'channel_id'])
    .where('user_id', 'in', [...userIds])
    .orderBy('user_id')
    .orderBy('channel_id')
    .execute();
  for (const r of rows) {
    const id = Number(r.user_id);
    const list = out.get(id) ?? [];
    list.push(Number(r.channel_id));
    out.set(id, list);
  }
  return out;
}

/** Replaces a user's channel set (inside the write's transaction). */
export async function replaceUserChannels(db: Db, storeHash: string, userId: number, channelIds: readonly number[]): Promise<void> {
  await db.deleteFrom('company_user_channels').where('user_id', '=', userId).execute();
  if (channelIds.length === 0) return;
  await db
    .insertInto('company_user_channels')
    .values([...new Set(channelIds)].map((channel_id) => ({ user_id: userId, store_hash: storeHash, channel_id })))
    .execute();
}

/** Sets a customer's origin channel (Management `originChannelId`; 0 unsets it). */
export async function setCustomerOriginChannel(db: Db, storeHash: string, customerId: number, channelId: number | null): Promise<void> {
  await db.updateTable('customers').set({ origin_channel_id: channelId }).where('id', '=', customerId).where('store_hash', '=', storeHash).execute();
}
