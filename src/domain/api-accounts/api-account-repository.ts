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

/**
 * Every API account by the fingerprint the emulator's journal keeps of a token: the first 12
 * characters of its SHA-256 hex digest (so the journal can name the caller without keeping it).
 */
export async function listApiAccountsByFingerprint(database: Database): Promise<Map<string, { id: number; name: string }>> {
  const rows = await database.kysely.selectFrom('api_accounts').select(['id', 'name', 'token_hash']).execute();
  return new Map(rows.map((r) => [r.token_hash.slice(0, 12), { id: r.id, name: r.name }]));
}
