import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_A as ACCOUNT, compareWithFresh, demoWithScopeTokens, expectData, gql, MEMBERSHIP, NOW, scopeToken, STORE_1, STORE_2 } from './account-support.js';
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
  'users page, names only': { query: 'query ($first: Int) { account { users(first: $first) { edges { node { id email firstName lastName status } } collectionInfo { totalItems } } } }', variables: { first: 3 } },
  'users page': { query: 'query ($first: Int, $after: String) { account { users(first: $first, after: $after) { edges { cursor node { id email firstName status updatedAt } } pageInfo { hasNextPage endCursor } collectionInfo { totalItems } } } }', variables: { first: 2 } },
  'users, all': { query: 'query { account { users(first: 50) { edges { node { id firstName lastName status updatedAt lastLoginAt } } collectionInfo { totalItems } } } }' },
  'one user by id': { query: 'query ($id: ID!) { account { users(filters: { ids: [$id] }) { edges { node { id email updatedAt status } } } } }', variables: { id: 'bc/account/user/1002' } },
  'another user by id': { query: 'query ($id: ID!) { account { users(filters: { ids: [$id] }) { edges { node { id email updatedAt status } } } } }', variables: { id: 'bc/account/user/1003' } },
  'by e-mail': { query: 'query { account { users(first: 25, filters: { email: "fresh.tenant@example.com" }) { edges { node { id email } } collectionInfo { totalItems } } } }' },
  'store users': { query: 'query { account { stores(first: 5) { edges { node { id storeHash users(first: 50) { edges { node { id email permissions status } } collectionInfo { totalItems } } } } } } }' },
};


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
    expectData(await gql(t, MEMBERSHIP.addToStore, { user: { id: 'bc/account/user/1002' }, storeId: `bc/account/store/${STORE_2.id}` }));
    await allAgree('after addUserToStore');

    t.clock.advance(60_000);
    expectData(await gql(t, MEMBERSHIP.removeFromStore, { storeId: `bc/account/store/${STORE_2.id}`, userId: 'bc/account/user/1002' }));
    await allAgree('after removeUserFromStore');

    t.clock.advance(60_000);
    expectData(await gql(t, MEMBERSHIP.addToAccount, { email: 'fresh.tenant@example.com' }));
    await allAgree('after addUserToAccount');

    t.clock.advance(60_000);
    expectData(await gql(t, MEMBERSHIP.addToStore, { user: { email: 'fresh.tenant@example.com' }, storeId: `bc/account/store/${STORE_1.hash}` }));
    await allAgree('after adding the new user to a store');

    t.clock.advance(60_000);
    expectData(await gql(t, MEMBERSHIP.removeFromAccount, { email: 'fresh.tenant@example.com' }));
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

describe.each(dialects)('Account answers without updatedAt on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    const fixture = demoWithScopeTokens([READ_SCOPES]) as { accounts: { apiAccounts: { name: string; token: string; scopes: string[] }[] }[] };
    for (let i = 0; i < 8; i += 1) fixture.accounts[0]?.apiAccounts.push({ name: `fresh ${i}`, token: `fresh-reader-${i}`, scopes: [...READ_SCOPES] });
    t = await createTestApp({ dialect, now: NOW, sqliteFile: true, fixture });
  });
  afterAll(async () => t.close());

  it('are kept through a membership write of their users (which bumps only updatedAt); answers that show updatedAt follow it', async () => {
    const accounts = t.app.services.accounts;
    const listMembers = accounts.listMembers;
    let reads = 0;
    accounts.listMembers = (...args: Parameters<typeof listMembers>) => {
      reads += 1;
      return listMembers(...args);
    };
    const names = QUERIES['users page, names only'] as { query: string; variables: Record<string, unknown> };
    const stamped = QUERIES['users page'] as { query: string; variables: Record<string, unknown> };
    let fresh = 0;
    const ask = compareWithFresh(() => t, dialect, { reader: scopeToken(READ_SCOPES), freshToken: () => `fresh-reader-${fresh++}` }, () => reads);
    const same = (label: string, { query, variables }: { query: string; variables: Record<string, unknown> }, kept: boolean) => ask(label, query, variables, kept);
    const shown = (await same('names: first', names, false)).account.users.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(shown).toContain('bc/account/user/1002');
    await same('updatedAt: first', stamped, false);
    await same('names: again', names, true);

    t.clock.advance(60_000);
    expectData(await gql(t, MEMBERSHIP.addToStore, { user: { id: 'bc/account/user/1002' }, storeId: `bc/account/store/${STORE_2.id}` }));
    await same('names: after a shown user joined a store', names, true);
    await same('updatedAt: after a shown user joined a store', stamped, false);
    expectData(await gql(t, MEMBERSHIP.removeFromStore, { storeId: `bc/account/store/${STORE_2.id}`, userId: 'bc/account/user/1002' }));
  });
});

describe.each(dialects)('Account member read models (domain) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, sqliteFile: true });
  });
  afterAll(async () => t.close());

  it('account and store member lists stay equal to storage through membership and row changes; only the touched members are read again', async () => {
    const { runInRequest } = await import('../src/shared/request-scope.js');
    const { readStorageVersion } = await import('../src/db/storage-version.js');
    const { createAccountService } = await import('../src/domain/users/account-service.js');
    const { createMemberViews } = await import('../src/domain/users/member-views.js');
    const { normalizeEmail } = await import('../src/domain/users/email.js');
    const views = createMemberViews(t.database);
    const withViews = createAccountService({ database: t.database, clock: t.clock, views });
    const storageOnly = createAccountService({ database: t.database, clock: t.clock, views: createMemberViews(t.database, { maxMembers: 0 }) });
    const email = normalizeEmail;
    type Request = Parameters<typeof withViews.listMembers>[1];
    const requests: Request[] = [
      { direction: 'forward', limit: 50, afterId: undefined, beforeId: undefined },
      { direction: 'forward', limit: 2, afterId: 1001, beforeId: undefined },
      { direction: 'backward', limit: 2, afterId: undefined, beforeId: 1004 },
      { direction: 'backward', limit: 50, afterId: undefined, beforeId: undefined },
      { direction: 'forward', limit: 1, afterId: 1000, beforeId: 1004 },
    ];
    const filters = [undefined, { userIds: [1004, 1002, 99999, 1002] }, { emailKey: 'fresh.member@example.com' }, { userIds: [] }];
    const settle = async <P extends { items: unknown[]; hasNextPage: unknown; hasPreviousPage: unknown }>(page: P) => ({
      items: page.items,
      next: typeof page.hasNextPage === 'function' ? await page.hasNextPage() : page.hasNextPage,
      previous: typeof page.hasPreviousPage === 'function' ? await page.hasPreviousPage() : page.hasPreviousPage,
    });
    const same = async (label: string) => {
      let compared = 0;
      for (const request of requests) {
        for (const filter of filters) {
          const at = `${label}: ${JSON.stringify(request)} ${JSON.stringify(filter)}`;
          expect(await settle(await withViews.listMembers(ACCOUNT, request, filter)), at).toEqual(await settle(await storageOnly.listMembers(ACCOUNT, request, filter)));
          expect(await withViews.countMembers(ACCOUNT, filter), at).toBe(await storageOnly.countMembers(ACCOUNT, filter));
          const a = await withViews.listStoreMembersBatch([STORE_1.id, STORE_2.id], request, filter);
          const b = await storageOnly.listStoreMembersBatch([STORE_1.id, STORE_2.id], request, filter);
          for (const id of [STORE_1.id, STORE_2.id]) {
            expect(await settle(a.get(id) as never), `${at} store ${id}`).toEqual(await settle(b.get(id) as never));
            compared += (a.get(id)?.items.length ?? 0) > 0 ? 1 : 0;
          }
        }
      }
      expect(compared, `${label}: some store pages are not empty`).toBeGreaterThan(0);
    };
    // one request with one storage reading (see b2b-tenant-invalidation.test.ts): the ledger sees only this process's writes
    await runInRequest('test', async () => {
      await readStorageVersion(t.database);
      await same('start');
      expect(views.stats.loads).toBe(3); // the account and two stores

      t.clock.advance(60_000);
      await withViews.addUserToStore(ACCOUNT, { id: STORE_2.id }, { userId: 1002 });
      await same('after addUserToStore');
      t.clock.advance(60_000);
      await withViews.removeUserFromStore(ACCOUNT, { id: STORE_2.id }, 1002);
      await same('after removeUserFromStore');
      t.clock.advance(60_000);
      await withViews.addUserToAccount(ACCOUNT, email('Fresh.Member@example.com'));
      await same('after addUserToAccount');
      t.clock.advance(60_000);
      await withViews.addUserToStore(ACCOUNT, { id: STORE_1.id }, { email: email('fresh.member@example.com') });
      await withViews.addUserToStore(ACCOUNT, { id: STORE_1.id }, { email: email('fresh.member@example.com') }); // again: changes nothing
      await same('after adding the new member to a store');
      t.clock.advance(60_000);
      await withViews.removeUserFromAccount(ACCOUNT, email('fresh.member@example.com'));
      await same('after removeUserFromAccount');
      // declared writes were patched in: no list was read whole again
      expect(views.stats.loads).toBe(3);
      expect(views.stats.patches).toBeGreaterThan(4);

      // a write nobody declared: every list is read again
      await t.database.kysely.updateTable('users').set({ first_name: 'Raw' }).where('id', '=', 1003).execute();
      await same('after a raw row change');
      expect(views.stats.loads).toBe(6);
      expect((await withViews.listMembers(ACCOUNT, requests[0] as Request)).items.find((m) => m.id === 1003)?.firstName).toBe('Raw');
    });
  });
});
