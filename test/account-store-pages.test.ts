import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithFresh, demoWithScopeTokens, expectData, gql, MEMBERSHIP, NOW, scopeToken, STORE_2 } from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Pages of a store's users kept per item (issue #16, graphql/account/store-pages.ts): a member
 * added or removed outside a kept page leaves it served, with `totalItems` and `hasNextPage` as
 * they are now; a change of who is on the page, or of a shown user, builds it again. The oracle: an
 * API account with the same scopes that never asked before (nothing kept for it) gets the same
 * bytes. A hit is an answer given without running the document (no `account.stores` read); hits
 * are asserted on SQLite, where only this file writes to its database.
 */
const READ_SCOPES = ['account_read', 'account_stores_read', 'account_users_read'];
const STORE = `bc/account/store/${STORE_2.hash}`;

const PAGE = `query ($first: Int, $after: String) { account { stores(first: 5) { edges { node { storeHash users(first: $first, after: $after) {
  edges { cursor node { id email firstName status permissions updatedAt } } pageInfo { hasNextPage endCursor } collectionInfo { totalItems } } } } } } }`;
/** the totals before the page info in the text */
const TOTALS_FIRST = `query ($first: Int) { account { stores(first: 5) { edges { node { storeHash users(first: $first) {
  collectionInfo { totalItems } edges { node { id email } } pageInfo { endCursor hasNextPage } } } } } } }`;
const WITH_FRAGMENT = `query { account { users(first: 2) { edges { node { id } } } stores(first: 5) { edges { node { ...Members } } } } }
  fragment Members on Store { storeHash users(first: 50) { edges { node { ...Row } } collectionInfo { totalItems } } }
  fragment Row on User { id email permissions }`;
const WITHOUT_TOTALS = 'query ($first: Int) { account { stores(first: 5) { edges { node { storeHash users(first: $first) { edges { node { id email } } } } } } } }';
/** not kept per item: a filter, and an alias */
const FILTERED = 'query { account { stores(first: 5) { edges { node { users(first: 5, filters: { ids: ["bc/account/user/1001"] }) { edges { node { id } } } } } } } }';
const ALIASED = 'query { account { stores(first: 5) { edges { node { members: users(first: 2) { edges { node { id } } collectionInfo { totalItems } } } } } } }';

const USER_BY_EMAIL = 'query ($email: String!) { account { users(filters: { email: $email }) { edges { node { id } } } } }';
const STORE_MEMBERS = `query { account { stores(first: 5) { edges { node { storeHash users(first: 50) { edges { cursor node { id } } } } } } } }`;

describe.each(dialects)('Store user pages kept per item on %s', (dialect) => {
  let t: TestApp;
  let fresh = 0;
  let storeReads = 0;
  beforeAll(async () => {
    const fixture = demoWithScopeTokens([READ_SCOPES]) as { accounts: { apiAccounts: { name: string; token: string; scopes: string[] }[] }[] };
    for (let i = 0; i < 40; i += 1) fixture.accounts[0]?.apiAccounts.push({ name: `fresh ${i}`, token: `fresh-reader-${i}`, scopes: [...READ_SCOPES] });
    t = await createTestApp({ dialect, now: NOW, sqliteFile: true, fixture });
    const accounts = t.app.services.accounts;
    const listStores = accounts.listStores;
    accounts.listStores = (...args: Parameters<typeof listStores>) => {
      storeReads += 1;
      return listStores(...args);
    };
  });
  afterAll(async () => t.close());

  const reader = scopeToken(READ_SCOPES);
  const userId = async (email: string) => {
    const data = expectData(await gql(t, USER_BY_EMAIL, { email }));
    return Number(String(data.account.users.edges[0].node.id).split('/').pop());
  };
  /** the store's members (id order) and their cursors, as a token that never asked sees them */
  const members = async () => {
    const data = expectData(await gql(t, STORE_MEMBERS, undefined, { token: freshToken() }));
    const store = data.account.stores.edges.find((e: { node: { storeHash: string } }) => e.node.storeHash === STORE_2.hash);
    return store.node.users.edges.map((e: { cursor: string; node: { id: string } }) => ({ id: Number(e.node.id.split('/').pop()), cursor: e.cursor }));
  };
  /** a hit: the answer given without running the document (no `account.stores` read) */
  const freshToken = () => `fresh-reader-${fresh++}`;
  const same = compareWithFresh(() => t, dialect, { reader, freshToken }, () => storeReads);
  const totalOf = (data: any) => data.account.stores.edges.find((e: any) => e.node.storeHash === STORE_2.hash).node.users;

  it('serve pages through member changes outside them with the totals of now, and build them again when their users change', async () => {
    // five more users in the account, three of them members of the store (ids ascending by creation)
    const emails = ['pages.a@example.com', 'pages.b@example.com', 'pages.c@example.com', 'pages.d@example.com', 'pages.e@example.com'];
    for (const email of emails) expectData(await gql(t, MEMBERSHIP.addToAccount, { email }));
    const ids = await Promise.all(emails.map(userId));
    for (const id of ids.slice(0, 3)) expectData(await gql(t, MEMBERSHIP.addToStore, { user: { id: `bc/account/user/${id}` }, storeId: STORE }));
    const start = await members();
    expect(start.length).toBeGreaterThanOrEqual(4);
    const first2 = { first: 2 };
    const middle = { first: 2, after: start[0].cursor };
    const queries: [string, string, Record<string, unknown> | undefined][] = [
      ['first page', PAGE, first2],
      ['a middle page', PAGE, middle],
      ['all, through fragments', WITH_FRAGMENT, undefined],
      ['no totals', WITHOUT_TOTALS, first2],
      ['totals first', TOTALS_FIRST, first2],
    ];
    const all = async (label: string, kept: (name: string) => boolean) => {
      for (const [name, query, variables] of queries) await same(`${label}: ${name}`, query, variables, kept(name));
    };
    await all('first ask', () => false);
    await all('again', () => true);

    // a member added after every page but the one that shows all: the totals move, the users shown do not
    t.clock.advance(60_000);
    expectData(await gql(t, MEMBERSHIP.addToStore, { user: { id: `bc/account/user/${ids[3]}` }, storeId: STORE }));
    const before = totalOf(await same('after an add at the end: first page', PAGE, first2, true)).collectionInfo.totalItems;
    expect(before).toBe(start.length + 1);
    await same('after an add at the end: a middle page', PAGE, middle, true);
    await same('after an add at the end: all', WITH_FRAGMENT, undefined, false);
    await same('after an add at the end: no totals', WITHOUT_TOTALS, first2, true);
    expect(totalOf(await same('after an add at the end: totals first', TOTALS_FIRST, first2, true)).collectionInfo.totalItems).toBe(start.length + 1);

    // the members after the middle page leave one by one: it stays kept, and its hasNextPage turns false
    const now = await members();
    const after = now.slice(3).map((m: { id: number }) => m.id);
    for (const [i, id] of after.entries()) {
      t.clock.advance(60_000);
      expectData(await gql(t, MEMBERSHIP.removeFromStore, { storeId: STORE, userId: `bc/account/user/${id}` }));
      const page = totalOf(await same(`middle page after ${i + 1} removed behind it`, PAGE, middle, true));
      expect(page.pageInfo.hasNextPage).toBe(i < after.length - 1);
      expect(page.collectionInfo.totalItems).toBe(now.length - i - 1);
    }

    // a user joins inside the first page's range: it is built again
    t.clock.advance(60_000);
    const second = now[1].id;
    expectData(await gql(t, MEMBERSHIP.removeFromStore, { storeId: STORE, userId: `bc/account/user/${second}` }));
    await same('a shown user removed: first page', PAGE, first2, false);
    await same('a shown user removed: again', PAGE, first2, true);
    expectData(await gql(t, MEMBERSHIP.addToStore, { user: { id: `bc/account/user/${second}` }, storeId: STORE }));
    await same('a user back inside the first page', PAGE, first2, false);

    // a shown member added again changes nothing: still kept; its row changed outside the API: built again
    t.clock.advance(60_000);
    const shownId = now[0].id;
    expectData(await gql(t, MEMBERSHIP.addToStore, { user: { id: `bc/account/user/${shownId}` }, storeId: STORE }));
    await same('a shown member added again', PAGE, first2, true);
    // another shown user added to another store: its row's updatedAt moves, which the page shows
    t.clock.advance(60_000);
    expectData(await gql(t, MEMBERSHIP.addToStore, { user: { id: `bc/account/user/${second}` }, storeId: 'bc/account/store/1000001' }));
    await same('a shown user in another store', PAGE, first2, false);
    await t.database.kysely.updateTable('users').set({ first_name: 'Renamed' }).where('id', '=', shownId).execute();
    const renamed = await same('a shown user renamed on the same connection', PAGE, first2, false);
    expect(JSON.stringify(renamed)).toContain('Renamed');
    const outside = await t.outside();
    await outside.kysely.updateTable('users').set({ first_name: 'Outside' }).where('id', '=', shownId).execute();
    const seen = await same('a shown user renamed from another connection', PAGE, first2, false);
    expect(JSON.stringify(seen)).toContain('Outside');

    // documents that are not kept per item: every write builds them again
    await same('filtered', FILTERED, undefined, false);
    await same('aliased', ALIASED, undefined, false);
    t.clock.advance(60_000);
    expectData(await gql(t, MEMBERSHIP.addToStore, { user: { id: `bc/account/user/${ids[4]}` }, storeId: STORE }));
    await same('filtered after a write', FILTERED, undefined, false);
    await same('aliased after a write', ALIASED, undefined, false);
  });
});
