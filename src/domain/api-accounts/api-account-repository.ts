import type { Database } from '../../db/database.js';
import { runShaped } from '../../db/shaped-query.js';

/** An account-level API account: the holder of an X-Auth-Token. */
export interface ApiAccount {
  id: number;
  accountUuid: string;
  name: string;
  scopes: readonly string[];
}

/** Tokens are stored only as SHA-256 hex digests; look up by the digest. */
export async function findApiAccountByTokenHash(database: Database, tokenHash: string): Promise<ApiAccount | undefined> {
  const [row] = await runShaped(database, 'api-account-by-token', [tokenHash], () =>
    database.kysely.selectFrom('api_accounts').select(['id', 'account_uuid', 'name', 'scopes']).where('token_hash', '=', tokenHash),
  );
  if (!row) return undefined;
  return { id: row.id, accountUuid: row.account_uuid, name: row.name, scopes: JSON.parse(row.scopes) as string[] };
}
