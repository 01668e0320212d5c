import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/db/tables.js';

/**
 * Every maintained counter and cross-table rule that writes must keep, as SQL that returns no row on
 * a consistent database (both engines). One list for every suite that checks it (the crash and
 * concurrency suites, the Account API's mutation tests).
 */
export const counterQueries: Record<string, string> = {
  'accounts.user_count differs from the members': `select a.uuid from accounts a where a.user_count <> (select count(*) from account_users m where m.account_uuid = a.uuid)`,
  'stores.user_count differs from the members': `select s.id from stores s where s.user_count <> (select count(*) from store_users m where m.store_id = s.id)`,
  'companies.user_count differs from the users': `select c.id from companies c where c.user_count <> (select count(*) from company_users u where u.company_id = c.id)`,
  'a store member that is not an account member': `select su.user_id from store_users su where not exists (select 1 from account_users au where au.account_uuid = su.account_uuid and au.user_id = su.user_id)`,
};

/** What is wrong: one line per rule broken, naming the rows; empty when all hold. */
export async function consistencyViolations(db: Kysely<DB>, queries: Record<string, string> = counterQueries): Promise<string[]> {
  const out: string[] = [];
  for (const [rule, query] of Object.entries(queries)) {
    const rows = (await sql.raw(query).execute(db)).rows as Record<string, unknown>[];
    if (rows.length > 0) out.push(`${rule}: ${JSON.stringify(rows.slice(0, 5))}`);
  }
  return out;
}
