import type { Database } from '../db/database.js';
import { findApiAccountByTokenHash } from '../domain/api-accounts/api-account-repository.js';
import { createVersionedCache } from '../db/storage-version.js';
import { hashToken } from '../shared/secrets.js';
import { keptUntilUndeclaredWrite } from '../domain/ledger-views.js';

/** Who is calling the Account API: an account-level API account and its scopes (account-graphql.md §1-§2). */
export interface AccountPrincipal {
  apiAccountId: number;
  accountUuid: string;
  scopes: ReadonlySet<string>;
}

/** principals by token digest, valid for one storage version (so a deleted token stops working at once) */
const principals = createVersionedCache<AccountPrincipal>(1000);
/**
 * Where the tenant ledger can tell (db/tenant-ledger.ts): principals by database and token digest,
 * valid until a write the ledger cannot explain (API accounts and tokens are only ever written so),
 * not until any write at all.
 */
const principalsByLedger = new WeakMap<Database, (digest: string) => Promise<{ value: AccountPrincipal | undefined } | undefined>>();

async function readPrincipal(database: Database, digest: string): Promise<AccountPrincipal | undefined> {
  const apiAccount = await findApiAccountByTokenHash(database, digest);
  return apiAccount ? { apiAccountId: apiAccount.id, accountUuid: apiAccount.accountUuid, scopes: new Set(apiAccount.scopes) } : undefined;
}

/**
 * Resolves an `X-Auth-Token` to its principal, or undefined when it is missing or unknown.
 * Looked up by SHA-256 digest; with a data version (services.readVersion) the principal is
 * reused until anything in the database changes, so a deleted token stops working at once.
 */
export async function authenticateAccountToken(
  database: Database,
  token: string | undefined,
  version?: string,
): Promise<AccountPrincipal | undefined> {
  if (token === undefined || token.length === 0 || token.length > 512) return undefined;
  const digest = hashToken(token);
  let kept = principalsByLedger.get(database);
  if (!kept) {
    kept = keptUntilUndeclaredWrite(database, (key) => readPrincipal(database, key));
    principalsByLedger.set(database, kept);
  }
  const known = await kept(digest);
  if (known !== undefined) return known.value;
  // the ledger cannot tell now: per storage version
  const cached = principals.get(database, version, digest);
  if (cached) return cached;
  const principal = await readPrincipal(database, digest);
  if (principal) principals.set(database, version, digest, principal);
  return principal;
}
