import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../src/db/tables.js';
import { consistencyViolations } from './helpers/consistency.js';
import { cloneDemo, type TestApp } from './helpers/test-app.js';

/** Shared by the test/account-*.test.ts files: the demo world's names and a request helper. */
export const ACCOUNT_A = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
export const ACCOUNT_B = '0b9e5c3e-7d2f-4a51-9c4e-2f8a6b1d3e70';
export const TOKEN_FULL = 'demo-account-token-full';
export const TOKEN_READ = 'demo-account-token-read';
export const TOKEN_B = 'demo-other-account-token';
export const STORE_1 = { id: 1000001, hash: 'f0qyczpkb2' };
export const STORE_2 = { id: 1000002, hash: 'k9d2mq7x1a' };
export const STORE_B = { id: 2000001, hash: 'z7y6x5w4v3' };
/** 2026-01-02T03:04:05Z: a frozen clock makes updatedAt and rate-limit headers exact */
export const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
export const NOW_ISO = '2026-01-02T03:04:05Z';

export const ALL_SCOPES = [
  'account_read',
  'account_stores_read',
  'account_apps_read',
  'account_users_read',
  'account_users_write',
  'account_users_delete',
] as const;

/** The membership mutations with the smallest answers, for tests that write to read what follows. */
export const MEMBERSHIP = {
  addToAccount: 'mutation ($email: String!) { account { addUserToAccount(input: { email: $email }) { account { id } } } }',
  removeFromAccount: 'mutation ($email: String!) { account { removeUserFromAccount(input: { email: $email }) { userId } } }',
  addToStore: 'mutation ($user: UserIdentityInput!, $storeId: ID!) { user { addUserToStore(input: { user: $user, storeId: $storeId }) { storeId } } }',
  removeFromStore: 'mutation ($storeId: ID!, $userId: ID!) { user { removeUserFromStore(input: { storeId: $storeId, userId: $userId }) { storeId } } }',
} as const;

/**
 * Asks as `reader` (whose answers may be kept) and as `freshToken()` (a token that never asked:
 * nothing is kept for it), expects the same body, and, on SQLite (where only the test's own writes
 * reach its database; on PostgreSQL any write in the cluster may move every tenant), whether the
 * reader's answer was kept: `reads()` did not move while it was given. Returns the answer's data.
 */
export function compareWithFresh(app: () => TestApp, dialect: string, tokens: { reader: string; freshToken: () => string }, reads: () => number) {
  return async (label: string, query: string, variables: Record<string, unknown> | undefined, kept: boolean): Promise<any> => {
    const before = reads();
    const cached = await gql(app(), query, variables, { token: tokens.reader });
    const read = reads() - before;
    const truth = await gql(app(), query, variables, { token: tokens.freshToken() });
    expectData(truth);
    expect(cached.body, label).toEqual(truth.body);
    if (dialect === 'sqlite') expect(read, `${label}: ${kept ? 'kept' : 'built again'}`).toBe(kept ? 0 : 1);
    return truth.body.data;
  };
}

export interface GqlResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: {
    data?: any;
    errors?: { message: string; path?: (string | number)[]; locations?: unknown; extensions?: Record<string, any> }[];
    [key: string]: unknown;
  };
}

export async function gql(
  t: TestApp,
  query: string,
  variables?: Record<string, unknown>,
  options: { token?: string; account?: string } = {},
): Promise<GqlResponse> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/accounts/${options.account ?? ACCOUNT_A}/graphql`,
    headers: { 'x-auth-token': options.token ?? TOKEN_FULL, 'content-type': 'application/json' },
    payload: JSON.stringify(variables === undefined ? { query } : { query, variables }),
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}

/** A successful GraphQL response: HTTP 200, data, and no errors key at all. */
export function expectData(res: GqlResponse): any {
  expect(res.status).toBe(200);
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  expect('errors' in res.body).toBe(false);
  return res.body.data;
}

/** Exactly one error with this code (and message, when given). */
export function expectOneError(res: GqlResponse, code: string, message?: string): NonNullable<GqlResponse['body']['errors']>[number] {
  expect(res.status).toBe(200);
  expect(res.body.errors, JSON.stringify(res.body)).toHaveLength(1);
  const error = res.body.errors?.[0];
  expect(error?.extensions?.code).toBe(code);
  if (message !== undefined) expect(error?.message).toBe(message);
  return error as NonNullable<GqlResponse['body']['errors']>[number];
}

/** The demo world without its B2B part (which this API never reads): seeds in a few ms instead of hashing passwords. */
export function accountDemo<T = any>(): T {
  const fixture = cloneDemo<Record<string, unknown>>();
  delete fixture.b2b;
  return fixture as T;
}

/** The demo fixture plus one API account per scope set, token `scopes:<a>,<b>` (empty: `scopes:`). */
export function demoWithScopeTokens(scopeSets: readonly (readonly string[])[]): Record<string, unknown> {
  const fixture = accountDemo<{ accounts: { apiAccounts: { name: string; token: string; scopes: string[] }[] }[] }>();
  const account = fixture.accounts[0];
  if (!account) throw new Error('demo fixture has no account');
  for (const scopes of scopeSets) {
    account.apiAccounts.push({ name: `scopes ${scopes.join(' ')}`, token: scopeToken(scopes), scopes: [...scopes] });
  }
  return fixture as unknown as Record<string, unknown>;
}

export function scopeToken(scopes: readonly string[]): string {
  return `scopes:${[...scopes].sort().join(',')}`;
}

/** user_count columns agree with the membership rows (the invariant every mutation keeps). */
export async function expectCountsConsistent(db: Kysely<DB>): Promise<void> {
  expect(await consistencyViolations(db)).toEqual([]);
}

export async function accountUserCount(db: Kysely<DB>, uuid: string): Promise<number> {
  const row = await db.selectFrom('accounts').select('user_count').where('uuid', '=', uuid).executeTakeFirstOrThrow();
  return Number(row.user_count);
}

export async function storeUserCount(db: Kysely<DB>, storeId: number): Promise<number> {
  const row = await db.selectFrom('stores').select('user_count').where('id', '=', storeId).executeTakeFirstOrThrow();
  return Number(row.user_count);
}

/** A snapshot of every Account API row, to prove a refused request changed nothing. */
export async function accountApiState(db: Kysely<DB>): Promise<unknown> {
  return {
    users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
    accounts: await db.selectFrom('accounts').selectAll().orderBy('uuid').execute(),
    accountUsers: await db.selectFrom('account_users').selectAll().orderBy('account_uuid').orderBy('user_id').execute(),
    stores: await db.selectFrom('stores').selectAll().orderBy('id').execute(),
    storeUsers: await db.selectFrom('store_users').selectAll().orderBy('store_id').orderBy('user_id').execute(),
    storeUserApps: await db.selectFrom('store_user_apps').selectAll().orderBy('store_id').orderBy('user_id').orderBy('app_id').execute(),
  };
}
