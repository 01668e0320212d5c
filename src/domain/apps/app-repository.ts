import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/tables.js';
import { type ExistsCheck, fetchKeysetPage, type Page, type PageRequest } from '../accounts/keyset-page.js';
import { runCompiled, runShaped } from '../../db/shaped-query.js';
import type { App } from '../users/user-types.js';

/** Apps of an account, by numeric app id ascending. */
export async function listAccountApps(database: Database, uuid: string, request: PageRequest): Promise<Page<App>> {
  const db = database.kysely;
  const exists: ExistsCheck = async ({ lte, gte }) => {
    let query = db.selectFrom('apps').select('id').where('account_uuid', '=', uuid);
    if (lte !== undefined) query = query.where('id', '<=', lte);
    if (gte !== undefined) query = query.where('id', '>=', gte);
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  };
  return fetchKeysetPage(
    request,
    async (bounds) => {
      const key = `account-apps:${bounds.gt !== undefined ? 'gt' : ''}${bounds.lt !== undefined ? 'lt' : ''}:${bounds.order}`;
      const parameters = [uuid, ...(bounds.gt !== undefined ? [bounds.gt] : []), ...(bounds.lt !== undefined ? [bounds.lt] : []), bounds.limit];
      return runShaped(database, key, parameters, () => {
        let query = db.selectFrom('apps').select(['id', 'name']).where('account_uuid', '=', uuid);
        if (bounds.gt !== undefined) query = query.where('id', '>', bounds.gt);
        if (bounds.lt !== undefined) query = query.where('id', '<', bounds.lt);
        return query.orderBy('id', bounds.order).limit(bounds.limit);
      });
    },
    exists,
  );
}

/** Apps per account are few: a COUNT over the primary-key prefix. */
export async function countAccountApps(database: Database, uuid: string): Promise<number> {
  const [row] = await runShaped(database, 'account-apps-count', [uuid], () =>
    database.kysely
      .selectFrom('apps')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_uuid', '=', uuid),
  );
  return Number(row?.n ?? 0);
}

export function membershipKey(storeId: number, userId: number): string {
  return `${storeId}:${userId}`;
}

/**
 * Explicit per-store app grants of several memberships (account-graphql.md §10 #20), by app id
 * ascending, keyed by membershipKey(). Grants are bounded by the store's installed apps.
 */
export async function listMembershipAppsBatch(
  db: Kysely<DB>,
  memberships: readonly { storeId: number; userId: number }[],
): Promise<Map<string, App[]>> {
  const result = new Map<string, App[]>();
  for (const m of memberships) result.set(membershipKey(m.storeId, m.userId), []);
  if (memberships.length === 0) return result;
  const byStore = new Map<number, number[]>();
  for (const m of memberships) {
    const users = byStore.get(m.storeId);
    if (users) users.push(m.userId);
    else byStore.set(m.storeId, [m.userId]);
  }
  const query = () => membershipAppsQuery(db, byStore);
  const only = memberships.length === 1 ? memberships[0] : undefined;
  // one membership (a removal's event): the SQL built once
  const rows = only ? await runCompiled(db, 'membership-apps-one', [only.storeId, only.userId], query) : await query().execute();
  for (const row of rows) result.get(membershipKey(row.store_id, row.user_id))?.push({ id: row.id, name: row.name });
  return result;
}

function membershipAppsQuery(db: Kysely<DB>, byStore: Map<number, number[]>) {
  return db
    .selectFrom('store_user_apps as g')
    .innerJoin('store_apps as sa', (join) => join.onRef('sa.store_id', '=', 'g.store_id').onRef('sa.app_id', '=', 'g.app_id'))
    .innerJoin('apps as a', (join) => join.onRef('a.account_uuid', '=', 'sa.account_uuid').onRef('a.id', '=', 'sa.app_id'))
    .select(['g.store_id', 'g.user_id', 'a.id', 'a.name'])
    .where((eb) => eb.or([...byStore].map(([storeId, userIds]) => eb.and([eb('g.store_id', '=', storeId), eb('g.user_id', 'in', userIds)]))))
    .orderBy('a.id');
}
