import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, expectOneError, gql } from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Keyset pagination (account-graphql.md §6, §10 #14-#17, §11 #5, #11), forward and backward over
 * 0, 1, 10, 11, 50, 51 and 1,000 items, on Account.users, Store.users, Account.stores and Account.apps.
 */
const SIZES = [1, 10, 11, 50, 51, 1000];
const STORE_SIZES = [0, 1, 10, 11, 50, 51, 1000];
const uuidFor = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const tokenFor = (n: number) => `paging-token-${n}`;
const BIG = 1000;
const hashFor = (n: number) => `pg${String(n).padStart(4, '0')}`;

function pagingFixture() {
  return {
    accounts: SIZES.map((n) => ({
      uuid: uuidFor(n),
      name: `Account with ${n} users`,
      ownerEmail: `a${n}-u1@paging.example`,
      users: Array.from({ length: n }, (_, i) => ({ email: `a${n}-u${i + 1}@paging.example`, firstName: `U${i + 1}` })),
      // the 51-user account also has 51 apps; the others none
      apps: n === 51 ? Array.from({ length: 51 }, (_, i) => ({ id: 100 + i * 3, name: `App ${i}` })) : [],
      stores:
        n === BIG
          ? STORE_SIZES.map((size) => ({
              storeHash: hashFor(size),
              name: `Store with ${size} users`,
              users: Array.from({ length: size }, (_, i) => ({ email: `a${n}-u${i + 1}@paging.example` })),
            }))
          : [],
      apiAccounts: [{ name: 'paging', token: tokenFor(n), scopes: ['account_read', 'account_users_read', 'account_stores_read', 'account_apps_read'] }],
    })),
  };
}

interface Connection {
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: { id: string } }[];
  collectionInfo: { totalItems: number };
}

type PageArgs = { first?: number; after?: string; last?: number; before?: string };

const SELECTION = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } collectionInfo { totalItems }';
const VARS = '($first: Int, $after: String, $last: Int, $before: String)';
const ARGS = '(first: $first, after: $after, last: $last, before: $before)';

interface Target {
  name: string;
  fetch(t: TestApp, args: PageArgs): Promise<Connection>;
  /** every id in order, as the API writes them */
  expected: string[];
}

describe.each(dialects)('Account API pagination on %s', (dialect) => {
  let t: TestApp;
  let ids: Map<string, number[]>;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: pagingFixture() });
    ids = new Map();
    for (const n of SIZES) {
      const rows = await t.database.kysely.selectFrom('account_users').select('user_id').where('account_uuid', '=', uuidFor(n)).orderBy('user_id').execute();
      ids.set(uuidFor(n), rows.map((r) => r.user_id));
    }
  }, 120_000);
  afterAll(async () => t.close());

  const accountUsers = (n: number): Target => ({
    name: `Account.users with ${n}`,
    async fetch(app, args) {
      const res = await gql(app, `query ${VARS} { account { users${ARGS} { ${SELECTION} } } }`, args, { token: tokenFor(n), account: uuidFor(n) });
      return expectData(res).account.users;
    },
    get expected() {
      return (ids.get(uuidFor(n)) ?? []).map((id) => `bc/account/user/${id}`);
    },
  });

  const storeUsers = (size: number): Target => ({
    name: `Store.users with ${size}`,
    async fetch(app, args) {
      // every store on one page, each with the same page arguments: the batched path
      const res = await gql(app, `query ${VARS} { account { stores(first: 7) { edges { node { storeHash users${ARGS} { ${SELECTION} } } } } } }`, args, {
        token: tokenFor(BIG),
        account: uuidFor(BIG),
      });
      const store = expectData(res).account.stores.edges.find((e: any) => e.node.storeHash === hashFor(size));
      return store.node.users;
    },
    get expected() {
      return (ids.get(uuidFor(BIG)) ?? []).slice(0, size).map((id) => `bc/account/user/${id}`);
    },
  });

  async function walkForward(target: Target, size: number | undefined) {
    const expected = target.expected;
    const pageSize = size ?? 10;
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; ; page += 1) {
      const connection = await target.fetch(t, { ...(size !== undefined ? { first: size } : {}), ...(after !== undefined ? { after } : {}) });
      const pageIds = connection.edges.map((e) => e.node.id);
      expect(pageIds).toEqual(expected.slice(page * pageSize, (page + 1) * pageSize));
      expect(connection.collectionInfo.totalItems).toBe(expected.length);
      expect(connection.pageInfo.hasPreviousPage).toBe(page > 0);
      expect(connection.pageInfo.hasNextPage).toBe((page + 1) * pageSize < expected.length);
      expect(connection.pageInfo.startCursor).toBe(connection.edges[0]?.cursor ?? null);
      expect(connection.pageInfo.endCursor).toBe(connection.edges[connection.edges.length - 1]?.cursor ?? null);
      seen.push(...pageIds);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor as string;
    }
    expect(seen).toEqual(expected);
  }

  async function walkBackward(target: Target, size: number) {
    const expected = target.expected;
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; ; page += 1) {
      const connection = await target.fetch(t, { last: size, ...(before !== undefined ? { before } : {}) });
      const pageIds = connection.edges.map((e) => e.node.id);
      const end = expected.length - page * size;
      expect(pageIds).toEqual(expected.slice(Math.max(0, end - size), Math.max(0, end)));
      expect(connection.collectionInfo.totalItems).toBe(expected.length);
      expect(connection.pageInfo.hasNextPage).toBe(page > 0);
      expect(connection.pageInfo.hasPreviousPage).toBe(end - size > 0);
      seen.unshift(...pageIds);
      if (!connection.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor as string;
    }
    expect(seen).toEqual(expected);
  }

  describe.each(SIZES)('Account.users over %i users', (n) => {
    it('forward with first: 10, first: 50 and the default page size', async () => {
      await walkForward(accountUsers(n), 10);
      await walkForward(accountUsers(n), 50);
      if (n <= 51) await walkForward(accountUsers(n), undefined);
    });
    it('backward with last: 10 and last: 50', async () => {
      if (n <= 51) await walkBackward(accountUsers(n), 10);
      await walkBackward(accountUsers(n), 50);
    });
  });

  describe.each(STORE_SIZES)('Store.users over %i users', (size) => {
    it('forward and backward', async () => {
      await walkForward(storeUsers(size), 50);
      await walkBackward(storeUsers(size), 50);
      if (size <= 51) {
        await walkForward(storeUsers(size), 10);
        await walkBackward(storeUsers(size), 7);
      }
    });
  });

  it('Account.stores and Account.apps page the same way', async () => {
    const stores: Target = {
      name: 'stores',
      async fetch(app, args) {
        return expectData(await gql(app, `query ${VARS} { account { stores${ARGS} { ${SELECTION} } } }`, args, { token: tokenFor(BIG), account: uuidFor(BIG) })).account.stores;
      },
      expected: [],
    };
    const storeRows = await t.database.kysely.selectFrom('stores').select('store_hash').where('account_uuid', '=', uuidFor(BIG)).orderBy('id').execute();
    stores.expected = storeRows.map((r) => `bc/account/store/${r.store_hash}`);
    expect(stores.expected).toHaveLength(7);
    await walkForward(stores, 3);
    await walkBackward(stores, 2);
    const apps: Target = {
      name: 'apps',
      async fetch(app, args) {
        return expectData(await gql(app, `query ${VARS} { account { apps${ARGS} { ${SELECTION} } } }`, args, { token: tokenFor(51), account: uuidFor(51) })).account.apps;
      },
      expected: Array.from({ length: 51 }, (_, i) => `bc/account/app/${100 + i * 3}`),
    };
    await walkForward(apps, 10);
    await walkForward(apps, 50);
    await walkBackward(apps, 50);
    const none: Target = {
      name: 'no apps',
      async fetch(app, args) {
        return expectData(await gql(app, `query ${VARS} { account { apps${ARGS} { ${SELECTION} } } }`, args, { token: tokenFor(10), account: uuidFor(10) })).account.apps;
      },
      expected: [],
    };
    await walkForward(none, 10);
    await walkBackward(none, 10);
  });

  it('after and before together bound the page from both sides', async () => {
    const all = accountUsers(51).expected;
    const cursorOf = (globalId: string) => Buffer.from(`[${globalId.split('/').pop()}]`).toString('base64');
    const forward = await accountUsers(51).fetch(t, { first: 50, after: cursorOf(all[4] as string), before: cursorOf(all[10] as string) });
    expect(forward.edges.map((e) => e.node.id)).toEqual(all.slice(5, 10));
    expect(forward.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const backward = await accountUsers(51).fetch(t, { last: 2, after: cursorOf(all[4] as string), before: cursorOf(all[10] as string) });
    expect(backward.edges.map((e) => e.node.id)).toEqual(all.slice(8, 10));
    expect(backward.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    // before alone pages backward with the default size
    const beforeOnly = await accountUsers(51).fetch(t, { before: cursorOf(all[30] as string) });
    expect(beforeOnly.edges.map((e) => e.node.id)).toEqual(all.slice(20, 30));
  });

  it('a cursor stays valid when its item is deleted (keyset, not offset)', async () => {
    const target = storeUsers(11);
    const firstPage = await target.fetch(t, { first: 5 });
    const last = firstPage.edges[4]?.node.id as string;
    await t.database.kysely
      .deleteFrom('store_users')
      .where('user_id', '=', Number(last.split('/').pop()))
      .where('store_id', '=', (await t.database.kysely.selectFrom('stores').select('id').where('store_hash', '=', hashFor(11)).executeTakeFirstOrThrow()).id)
      .execute();
    const next = await target.fetch(t, { first: 5, after: firstPage.pageInfo.endCursor as string });
    expect(next.edges.map((e) => e.node.id)).toEqual(target.expected.slice(5, 10));
  });

  describe('bad page arguments are BAD_USER_INPUT (§10 #15-#16, §11 #5, #11)', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const badCursors = ['', 'not a cursor', '!!!!', b64('[]'), b64('["1001"]'), b64('[1,2]'), b64('[-1]'), b64('[1.5]'), b64('[99999999999]'), b64('{"id":1}'), b64('arrayconnection:3'), 'WzEwMDFd=====', 'x'.repeat(100)];
    const connections = [
      ['Account.users', (args: string) => `query { account { id users${args} { edges { node { id } } } } }`, ['account', 'users']],
      ['Account.stores', (args: string) => `query { account { id stores${args} { edges { node { id } } } } }`, ['account', 'stores']],
      ['Account.apps', (args: string) => `query { account { id apps${args} { edges { node { id } } } } }`, ['account', 'apps']],
      ['Store.users', (args: string) => `query { account { id stores(first: 1) { edges { node { users${args} { edges { node { id } } } } } } } }`, ['account', 'stores', 'edges', 0, 'node', 'users']],
      ['Store.apps', (args: string) => `query { account { id stores(first: 1) { edges { node { apps${args} { edges { node { id } } } } } } } }`, ['account', 'stores', 'edges', 0, 'node', 'apps']],
      [
        'User.apps',
        (args: string) => `query { account { id stores(last: 1) { edges { node { users(first: 1) { edges { node { apps${args} { edges { node { id } } } } } } } } } } }`,
        ['account', 'stores', 'edges', 0, 'node', 'users', 'edges', 0, 'node', 'apps'],
      ],
    ] as const;

    it.each(connections)('%s: bad cursors → "Invalid cursor"', async (_name, build, path) => {
      for (const cursor of badCursors) {
        for (const arg of ['after', 'before']) {
          const res = await gql(t, build(`(${arg}: ${JSON.stringify(cursor)})`), undefined, { token: tokenFor(BIG), account: uuidFor(BIG) });
          const error = expectOneError(res, 'BAD_USER_INPUT', 'Invalid cursor');
          expect(error.path).toEqual(path);
          expect(res.body.data.account.id).toBe(`bc/account/account/${uuidFor(BIG)}`);
        }
      }
    });

    it.each(connections)('%s: page sizes outside 1..50 and first with last', async (_name, build, path) => {
      for (const [args, message] of [
        ['(first: 0)', 'Page size must be between 1 and 50'],
        ['(first: -1)', 'Page size must be between 1 and 50'],
        ['(first: 51)', 'Page size must be between 1 and 50'],
        ['(last: 0)', 'Page size must be between 1 and 50'],
        ['(last: 1000)', 'Page size must be between 1 and 50'],
        ['(first: 1, last: 1)', 'Provide first or last, not both'],
      ] as const) {
        const res = await gql(t, build(args), undefined, { token: tokenFor(BIG), account: uuidFor(BIG) });
        const error = expectOneError(res, 'BAD_USER_INPUT', message);
        expect(error.path).toEqual(path);
      }
    });

    it('page sizes are checked before complexity (§11 #5)', async () => {
      const res = await gql(
        t,
        'query { account { stores(first: 500) { edges { node { users(first: 500) { edges { node { apps(first: 500) { edges { node { id } } } } } } } } } } }',
        undefined,
        { token: tokenFor(BIG), account: uuidFor(BIG) },
      );
      expectOneError(res, 'BAD_USER_INPUT', 'Page size must be between 1 and 50');
      const viaVariables = await gql(t, 'query ($n: Int) { account { stores(first: $n) { edges { node { users(first: $n) { edges { node { id } } } } } } } }', { n: 51 }, {
        token: tokenFor(BIG),
        account: uuidFor(BIG),
      });
      expectOneError(viaVariables, 'BAD_USER_INPUT', 'Page size must be between 1 and 50');
    });
  });
});
