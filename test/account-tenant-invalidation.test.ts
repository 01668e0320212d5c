import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoWithScopeTokens, expectData, gql, NOW, scopeToken, STORE_1, STORE_2 } from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Account answers kept per the users they show (issue #16; db/tenant-ledger.ts, http/answer-cache.ts
 * createItemAnswerCache): a store membership change touches one user's row and one store, so the
 * account's user pages without that user stay valid, while every answer that shows the user, the
 * store's users or who is in the account follows at once. The oracle: an API account with the same
 * scopes that never asked before (nothing cached for it) must get the same bytes.
 */
const READ_SCOPES = ['account_read', 'account_stores_read', 'account_users_read'];
const FRESH_TOKENS = 12;

const QUERIES: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  'users page': { query: 'query ($first: Int, $after: String) { account { users(first: $first, after: $after) { edges { cursor node { id email firstName status updatedAt } } pageInfo { hasNextPage endCursor } collectionInfo { totalItems } } } }', variables: { first: 2 } },
  'users, all': { query: 'query { account { users(first: 50) { edges { node { id firstName lastName status updatedAt lastLoginAt } } collectionInfo { totalItems } } } }' },
  'one user by id': { query: 'query ($id: ID!) { account { users(filters: { ids: [$id] }) { edges { node { id email updatedAt status } } } } }', variables: { id: 'bc/account/user/1002' } },
  'another user by id': { query: 'query ($id: ID!) { account { users(filters: { ids: [$id] }) { edges { node { id email updatedAt status } } } } }', variables: { id: 'bc/account/user/1003' } },
  'by e-mail': { query: 'query { account { users(first: 25, filters: { email: "fresh.tenant@example.com" }) { edges { node { id email } } collectionInfo { totalItems } } } }' },
  'store users': { query: 'query { account { stores(first: 5) { edges { node { id storeHash users(first: 50) { edges { node { id email permissions status } } collectionInfo { totalItems } } } } } } }' },
};

const ADD_TO_STORE = 'mutation ($user: UserIdentityInput!, $storeId: ID!) { user { addUserToStore(input: { user: $user, storeId: $storeId }) { storeId } } }';
const REMOVE_FROM_STORE = 'mutation ($storeId: ID!, $userId: ID!) { user { removeUserFromStore(input: { storeId: $storeId, userId: $userId }) { storeId } } }';
const ADD_TO_ACCOUNT = 'mutation ($email: String!) { account { addUserToAccount(input: { email: $email }) { account { id } } } }';
const REMOVE_FROM_ACCOUNT = 'mutation ($email: String!) { account { removeUserFromAccount(input: { email: $email }) { userId } } }';

describe.each(dialects)('Account answers per item on %s', (dialect) => {
  let t: TestApp;
  let freshTokens = 0;
  beforeAll(async () => {
    const fixture = demoWithScopeTokens([READ_SCOPES]) as { accounts: { apiAccounts: { name: string; token: string; scopes: string[] }[] }[] };
    // API accounts with the reader's scopes that have never asked anything
    for (let i = 0; i < FRESH_TOKENS; i += 1) fixture.accounts[0]?.apiAccounts.push({ name: `fresh ${i}`, token: `fresh-reader-${i}`, scopes: [...READ_SCOPES] });
    t = await createTestApp({ dialect, now: NOW, sqliteFile: true, fixture });
  });
  afterAll(async () => t.close());

  const reader = scopeToken(READ_SCOPES);
  /** the answers of the cached reader, each compared with those of a token that never asked */
  const allAgree = async (label: string) => {
    const fresh = `fresh-reader-${freshTokens}`;
    freshTokens += 1;
    for (const [name, { query, variables }] of Object.entries(QUERIES)) {
      const cached = await gql(t, query, variables, { token: reader });
      const truth = await gql(t, query, variables, { token: fresh });
      expectData(truth);
      expect(cached.body, `${label}: ${name}`).toEqual(truth.body);
    }
  };

  it('follows store and account membership changes at once; other answers stay exact', async () => {
    await allAgree('start');
    await allAgree('warm'); // the reader's answers now come from its cache

    t.clock.advance(60_000);
    expectData(await gql(t, ADD_TO_STORE, { user: { id: 'bc/account/user/1002' }, storeId: `bc/account/store/${STORE_2.id}` }));
    await allAgree('after addUserToStore');

    t.clock.advance(60_000);
    expectData(await gql(t, REMOVE_FROM_STORE, { storeId: `bc/account/store/${STORE_2.id}`, userId: 'bc/account/user/1002' }));
    await allAgree('after removeUserFromStore');

    t.clock.advance(60_000);
    expectData(await gql(t, ADD_TO_ACCOUNT, { email: 'fresh.tenant@example.com' }));
    await allAgree('after addUserToAccount');

    t.clock.advance(60_000);
    expectData(await gql(t, ADD_TO_STORE, { user: { email: 'fresh.tenant@example.com' }, storeId: `bc/account/store/${STORE_1.hash}` }));
    await allAgree('after adding the new user to a store');

    t.clock.advance(60_000);
    expectData(await gql(t, REMOVE_FROM_ACCOUNT, { email: 'fresh.tenant@example.com' }));
    await allAgree('after removeUserFromAccount');

    // outside the API: a user's row on the server's connection, then from another connection
    await t.database.kysely.updateTable('users').set({ first_name: 'Inside' }).where('id', '=', 1003).execute();
    await allAgree('after a row changed on the same connection');
    const outside = await t.outside();
    await outside.kysely.updateTable('users').set({ first_name: 'Outside' }).where('id', '=', 1002).execute();
    await allAgree('after a row changed from another connection');
    expect(JSON.stringify((await gql(t, QUERIES['users, all']?.query ?? '', undefined, { token: reader })).body)).toContain('Outside');
  });
});
