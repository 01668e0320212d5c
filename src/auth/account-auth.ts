import type { Database } from '../db/database.js';
import { findApiAccountByTokenHash } from '../domain/api-accounts/api-account-repository.js';
import { hashToken } from '../shared/secrets.js';

/** Who is calling the Account API: an account-level API account and its scopes (account-graphql.md §1-§2). */
export interface AccountPrincipal {
  apiAccountId: number;
  accountUuid: string;
  scopes: ReadonlySet<string>;
}

/**
 * Resolves an `X-Auth-Token` to its principal, or undefined when it is missing or unknown.
 * Looked up by SHA-256 digest on every request (a one-row index lookup), so a deleted token stops
 * working at once.
 */
export async function authenticateAccountToken(database: Database, token: string | undefined): Promise<AccountPrincipal | undefined> {
  if (token === undefined || token.length === 0 || token.length > 512) return undefined;
  const apiAccount = await findApiAccountByTokenHash(database, hashToken(token));
  if (!apiAccount) return undefined;
  return { apiAccountId: apiAccount.id, accountUuid: apiAccount.accountUuid, scopes: new Set(apiAccount.scopes) };
}
