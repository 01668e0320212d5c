import type { Database } from '../../db/database.js';
import { runShaped } from '../../db/shaped-query.js';

/**
 * Store-level credentials of a B2B store (b2b-management-rest.md §2): BigCommerce API accounts
 * (`X-Auth-Token` + `X-Store-Hash`, with scopes) and the deprecated B2B `authToken` values. Tokens
 * are stored only as SHA-256 hex digests; look up by the digest.
 */
export interface B2bApiAccount {
  id: number;
  storeHash: string;
  name: string;
  clientId: string;
  scopes: readonly string[];
}

export interface B2bLegacyToken {
  storeHash: string;
  name: string;
}

export async function findB2bApiAccountByTokenHash(database: Database, tokenHash: string): Promise<B2bApiAccount | undefined> {
  const [row] = await runShaped(database, 'b2b-api-account-by-token', [tokenHash], () =>
    database.kysely.selectFrom('b2b_api_accounts').select(['id', 'store_hash', 'name', 'client_id', 'scopes']).where('token_hash', '=', tokenHash),
  );
  if (!row) return undefined;
  return { id: Number(row.id), storeHash: row.store_hash, name: row.name, clientId: row.client_id, scopes: parseScopes(row.scopes) };
}

export async function findB2bLegacyTokenByHash(database: Database, tokenHash: string): Promise<B2bLegacyToken | undefined> {
  const [row] = await runShaped(database, 'b2b-legacy-token-by-hash', [tokenHash], () =>
    database.kysely.selectFrom('b2b_legacy_tokens').select(['store_hash', 'name']).where('token_hash', '=', tokenHash),
  );
  return row ? { storeHash: row.store_hash, name: row.name } : undefined;
}

function parseScopes(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}
