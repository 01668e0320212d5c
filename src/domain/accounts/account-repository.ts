import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, MemberStatus } from '../../db/tables.js';
import type { AccountMember } from '../users/user-types.js';
import { type ExistsCheck, fetchKeysetPage, type Page, type PageRequest } from './keyset-page.js';
import { runShaped } from '../../db/shaped-query.js';
import { joinedKey } from '../../db/dialect.js';

/** An account (the tenant of the Account API). */
export interface Account {
  uuid: string;
  name: string;
  ownerUserId: number;
}

/** Narrows a list of users (account-graphql.md §10 #13). */
export interface MemberFilter {
  userIds?: readonly number[] | undefined;
  /** trimmed lower-case e-mail (exact match) */
  emailKey?: string | undefined;
}

export function isFiltered(filter: MemberFilter | undefined): filter is MemberFilter {
  return filter !== undefined && (filter.userIds !== undefined || filter.emailKey !== undefined);
}

/** True when the filter can match nothing (an empty id list): skip the query. */
export function isEmptyFilter(filter: MemberFilter | undefined): boolean {
  return filter?.userIds !== undefined && filter.userIds.length === 0;
}

export async function findAccount(database: Database, uuid: string): Promise<Account | undefined> {
  const [row] = await runShaped(database, 'account', [uuid], () =>
    database.kysely.selectFrom('accounts').select(['uuid', 'name', 'owner_user_id']).where('uuid', '=', uuid),
  );
  return row ? { uuid: row.uuid, name: row.name, ownerUserId: row.owner_user_id } : undefined;
}

/** The shape of a filter, for query caching: which clauses, how many ids. */
export function filterShape(filter: MemberFilter | undefined): string {
  return filter?.userIds !== undefined ? `ids${filter.userIds.length}` : '';
}

/** The filter's parameters in the order membersQuery() adds them. */
export function filterParameters(filter: MemberFilter | undefined): unknown[] {
  return [...(filter?.userIds ?? [])];
}

interface MemberRow {
  id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
  last_login_at: number | null;
  updated_at: number;
  status: MemberStatus;
}

function toAccountMember(row: MemberRow): AccountMember {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    locale: row.locale,
    status: row.status,
    lastLoginAt: row.last_login_at,
    updatedAt: row.updated_at,
  };
}

function membersQuery(db: Kysely<DB>, uuid: string, filter: MemberFilter | undefined) {
  let query = db
    .selectFrom('account_users as au')
    .innerJoin('users as u', (join) => join.on('u.id', '=', joinedKey(db, 'au.user_id')))
    .where('au.account_uuid', '=', uuid);
  if (filter?.userIds !== undefined) query = query.where('au.user_id', 'in', filter.userIds);
  return query;
}

/**
 * An e-mail filter as the one user id it can match (users.email_key is unique), so a members' query
 * (account or store) walks the id index instead of joining every member to compare e-mails (on
 * SQLite: ~0.2 ms for a page and as much again for its count at 2,000 members). Every listing and
 * count resolves its filter through here first: the queries themselves know only ids.
 */
export async function withoutEmail(database: Database, filter: MemberFilter | undefined): Promise<MemberFilter | undefined> {
  const key = filter?.emailKey;
  if (key === undefined) return filter;
  const [row] = await runShaped(database, 'user-id-by-email-key', [key], () => database.kysely.selectFrom('users').select('id').where('email_key', '=', key));
  const id = row === undefined ? undefined : Number(row.id);
  return { userIds: id === undefined ? [] : (filter?.userIds ?? [id]).filter((userId) => userId === id) };
}

/** Members of an account, by user id ascending (§10 #14, #18: account-level status). */
export async function listAccountMembers(
  database: Database,
  uuid: string,
  request: PageRequest,
  emailOrIds?: MemberFilter,
): Promise<Page<AccountMember>> {
  const db = database.kysely;
  const filter = await withoutEmail(database, emailOrIds);
  const exists: ExistsCheck = async ({ lte, gte }) => {
    let query = membersQuery(db, uuid, filter).select('au.user_id');
    if (lte !== undefined) query = query.where('au.user_id', '<=', lte);
    if (gte !== undefined) query = query.where('au.user_id', '>=', gte);
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  };
  if (isEmptyFilter(filter)) return { items: [], hasNextPage: false, hasPreviousPage: false };
  return fetchKeysetPage(
    request,
    async (bounds) => {
      const key = `account-members:${filterShape(filter)}:${bounds.gt !== undefined ? 'gt' : ''}${bounds.lt !== undefined ? 'lt' : ''}:${bounds.order}`;
      const parameters = [uuid, ...filterParameters(filter), ...(bounds.gt !== undefined ? [bounds.gt] : []), ...(bounds.lt !== undefined ? [bounds.lt] : []), bounds.limit];
      const rows = await runShaped(database, key, parameters, () => {
        let query = membersQuery(db, uuid, filter).select(memberColumns);
        if (bounds.gt !== undefined) query = query.where('au.user_id', '>', bounds.gt);
        if (bounds.lt !== undefined) query = query.where('au.user_id', '<', bounds.lt);
        return query.orderBy('au.user_id', bounds.order).limit(bounds.limit);
      });
      return rows.map(toAccountMember);
    },
    exists,
  );
}

const memberColumns = ['u.id', 'u.email', 'u.first_name', 'u.last_name', 'u.locale', 'u.last_login_at', 'u.updated_at', 'au.status'] as const;

/** Every member of an account by user id ascending, at most `limit` (the Account member views, users/member-views.ts). */
export async function listAllAccountMembers(database: Database, uuid: string, limit: number): Promise<AccountMember[]> {
  const rows = await runShaped(database, 'account-members-all', [uuid, limit], () =>
    membersQuery(database.kysely, uuid, undefined).select(memberColumns).orderBy('au.user_id', 'asc').limit(limit),
  );
  return rows.map(toAccountMember);
}

/** One member of an account, or undefined. */
export async function findAccountMember(database: Database, uuid: string, userId: number): Promise<AccountMember | undefined> {
  const [row] = await runShaped(database, 'account-member', [uuid, userId], () =>
    membersQuery(database.kysely, uuid, undefined).select(memberColumns).where('au.user_id', '=', userId),
  );
  return row ? toAccountMember(row) : undefined;
}

/** Total members: the maintained counter when unfiltered; a bounded COUNT when filtered. */
export async function countAccountMembers(database: Database, uuid: string, emailOrIds?: MemberFilter): Promise<number> {
  const db = database.kysely;
  const filter = await withoutEmail(database, emailOrIds);
  if (!isFiltered(filter)) {
    const [row] = await runShaped(database, 'account-user-count', [uuid], () => db.selectFrom('accounts').select('user_count').where('uuid', '=', uuid));
    return Number(row?.user_count ?? 0);
  }
  if (isEmptyFilter(filter)) return 0;
  const [row] = await runShaped(database, `account-members-count:${filterShape(filter)}`, [uuid, ...filterParameters(filter)], () =>
    membersQuery(db, uuid, filter).select((eb) => eb.fn.countAll<number>().as('n')),
  );
  return Number(row?.n ?? 0);
}
