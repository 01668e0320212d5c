import type { Database } from '../db/database.js';
import { findApiAccountByTokenHash } from '../domain/api-accounts/api-account-repository.js';
import { createVersionedCache } from '../db/storage-version.js';
import { hashToken } from '../shared/secrets.js';
import { type LedgerMark, UNDECLARED_WRITES_ONLY, validSince } from '../db/tenant-ledger.js';

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
const principalsByLedger = new WeakMap<Database, Map<string, { principal: AccountPrincipal | null; since: LedgerMark }>>();

/**
 * Resolves an `X-Auth-Token` to its principal, or undefined when it is missing or unknown.
 * Looked up by SHA-256 digest; with a data version (services.readVersion) the principal is
 * reused until anything in the database changes, so a deleted token stops working at once.
 */
export async function authenticateAccountToken(
  database: Database,
  token: string | undefined,
  version?: string,
  mark?: LedgerMark,
): Promise<AccountPrincipal | undefined> {
  if (token === undefined || token.length === 0 || token.length > 512) return undefined;
  const digest = hashToken(token);
  if (mark !== undefined) {
    let known = principalsByLedger.get(database);
    if (!known) {
      known = new Map();
      principalsByLedger.set(database, known);
    }
    const entry = known.get(digest);
    const since = entry && validSince(database, UNDECLARED_WRITES_ONLY, entry.since, null);
    if (entry && since) return entry.principal ?? undefined;
    const apiAccount = await findApiAccountByTokenHash(database, digest);
    const principal = apiAccount ? { apiAccountId: apiAccount.id, accountUuid: apiAccount.accountUuid, scopes: new Set(apiAccount.scopes) } : null;
    if (known.size >= 1000) known.clear();
    known.set(digest, { principal, since: mark });
    return principal ?? undefined;
  }
  const cached = principals.get(database, version, digest);
  if (cached) return cached;
  const apiAccount = await findApiAccountByTokenHash(database, digest);
  if (!apiAccount) return undefined;
  const principal: AccountPrincipal = { apiAccountId: apiAccount.id, accountUuid: apiAccount.accountUuid, scopes: new Set(apiAccount.scopes) };
  principals.set(database, version, digest, principal);
  return principal;
}
