import type { Database } from '../db/database.js';
import { createVersionedCache } from '../db/storage-version.js';
import { findB2bApiAccountByTokenHash, findB2bLegacyTokenByHash } from '../domain/b2b-api-accounts/b2b-api-account-repository.js';
import { AppError } from '../shared/errors.js';
import { hashToken } from '../shared/secrets.js';

/**
 * Who calls the B2B Management API v3 (b2b-management-rest.md §2, §14 #1-#3): a store-level API
 * account (`X-Auth-Token` + the matching `X-Store-Hash`) or a legacy B2B `authToken`. Nothing else
 * opens it: account-level tokens, storefront tokens and `Authorization: Bearer` are unknown tokens.
 *
 * `resolveManagementCredential` answers the 401 rows of §2.3 (thrown as AppErrors); the 403 row
 * (scopes) is the caller's, after it has counted the request against the store (§9: a request
 * whose store is known from a valid credential counts, whatever its outcome).
 */
export const SCOPE_MODIFY = 'store_b2b_edition';
export const SCOPE_READ_ONLY = 'store_b2b_edition_read_only';

export interface ManagementCredential {
  storeHash: string;
  /** what the scopes allow: every method, GET/HEAD only, or nothing (403 on every route) */
  access: 'modify' | 'read' | 'none';
  kind: 'apiAccount' | 'legacy';
  /** the API account's id (webhooks: which account registered a hook); undefined for legacy tokens */
  apiAccountId?: number;
  clientId?: string;
}

type Headers = Record<string, string | string[] | undefined>;

const MAX_TOKEN_LENGTH = 512;

/** credentials by token digest, valid for one data version (a deleted token stops working at once) */
const credentials = createVersionedCache<ManagementCredential | null>(1000);

function headerText(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  const text = (Array.isArray(value) ? value[value.length - 1] : value)?.trim();
  return text === undefined || text === '' ? undefined : text;
}

export async function resolveManagementCredential(database: Database, headers: Headers, version: string | undefined): Promise<ManagementCredential> {
  const xAuthToken = headerText(headers, 'x-auth-token');
  const legacy = headerText(headers, 'authtoken');
  const storeHashHeader = headerText(headers, 'x-store-hash');
  if (xAuthToken !== undefined) {
    if (storeHashHeader === undefined) throw new AppError('B2B_NO_CREDENTIALS');
    const found = await lookUp(database, 'account', xAuthToken, version);
    if (!found || found.storeHash !== storeHashHeader) throw new AppError('B2B_INVALID_TOKEN');
    return found;
  }
  if (legacy !== undefined) {
    const found = await lookUp(database, 'legacy', legacy, version);
    if (!found || (storeHashHeader !== undefined && storeHashHeader !== found.storeHash)) throw new AppError('B2B_INVALID_TOKEN');
    return found;
  }
  // a credential of another kind (`Authorization: Bearer ...`) is an unknown token; a bare scheme is
  // no credential at all (as on the storefront, b2b-users-rest.md §14 #29)
  const authorization = headerText(headers, 'authorization');
  if (authorization !== undefined && !/^bearer$/i.test(authorization)) throw new AppError('B2B_INVALID_TOKEN');
  throw new AppError('B2B_NO_CREDENTIALS');
}

async function lookUp(database: Database, kind: 'account' | 'legacy', token: string, version: string | undefined): Promise<ManagementCredential | undefined> {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const digest = hashToken(token);
  const key = `${kind}:${digest}`;
  const cached = credentials.get(database, version, key);
  if (cached !== undefined) return cached ?? undefined;
  let found: ManagementCredential | undefined;
  if (kind === 'account') {
    const account = await findB2bApiAccountByTokenHash(database, digest);
    if (account) {
      const access = account.scopes.includes(SCOPE_MODIFY) ? 'modify' : account.scopes.includes(SCOPE_READ_ONLY) ? 'read' : 'none';
      found = { storeHash: account.storeHash, access, kind: 'apiAccount', apiAccountId: account.id, clientId: account.clientId };
    }
  } else {
    const legacyToken = await findB2bLegacyTokenByHash(database, digest);
    if (legacyToken) found = { storeHash: legacyToken.storeHash, access: 'modify', kind: 'legacy' };
  }
  credentials.set(database, version, key, found ?? null);
  return found;
}

/** May this credential use `method`? (the 403 row of §2.3) */
export function mayUse(credential: ManagementCredential, method: string): boolean {
  if (credential.access === 'modify') return true;
  return credential.access === 'read' && (method === 'GET' || method === 'HEAD');
}
