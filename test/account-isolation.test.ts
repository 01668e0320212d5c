import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  accountApiState,
  accountDemo,
  expectData,
  expectOneError,
  gql,
  STORE_1,
  STORE_B,
  TOKEN_B,
  TOKEN_FULL,
} from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Two accounts side by side (the demo has two): no read or write crosses between them, by token or by id. */
describe.each(dialects)('Account API isolation between accounts on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: accountDemo() });
  });
  afterAll(async () => t.close());

  const everything = `query { account { id accountInfo { name }
    users { edges { node { id email } } collectionInfo { totalItems } }
    stores { edges { node { id storeHash users { edges { node { id } } collectionInfo { totalItems } } apps { edges { node { id } } } } } collectionInfo { totalItems } }
    apps { edges { node { id } } collectionInfo { totalItems } } } }`;

  it("each token sees only its own account's users, stores and apps", async () => {
    const a = expectData(await gql(t, everything)).account;
    const b = expectData(await gql(t, everything, undefined, { token: TOKEN_B, account: ACCOUNT_B })).account;
    expect(a.id).toBe(`bc/account/account/${ACCOUNT_A}`);
    expect(b).toEqual({
      id: `bc/account/account/${ACCOUNT_B}`,
      accountInfo: { name: 'Other Merchant' },
      users: { edges: [{ node: { id: 'bc/account/user/2001', email: 'owner@other.example' } }], collectionInfo: { totalItems: 1 } },
      stores: {
        edges: [
          {
            node: {
              id: `bc/account/store/${STORE_B.hash}`,
              storeHash: STORE_B.hash,
              users: { edges: [{ node: { id: 'bc/account/user/2001' } }], collectionInfo: { totalItems: 1 } },
              apps: { edges: [] },
            },
          },
        ],
        collectionInfo: { totalItems: 1 },
      },
      apps: { edges: [], collectionInfo: { totalItems: 0 } },
    });
    const aIds = JSON.stringify(a);
    expect(aIds).not.toContain('2001');
    expect(aIds).not.toContain(STORE_B.hash);
    expect(a.users.collectionInfo.totalItems).toBe(3);
  });

  it("a token cannot reach another account's URL (403, same for an unknown account)", async () => {
    for (const [token, account] of [
      [TOKEN_FULL, ACCOUNT_B],
      [TOKEN_B, ACCOUNT_A],
      [TOKEN_FULL, '11111111-2222-4333-8444-555555555555'],
    ] as const) {
      const res = await gql(t, everything, undefined, { token, account });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ errors: [{ message: 'You do not have permission to do this operation.', extensions: { code: 'FORBIDDEN' } }] });
    }
  });

  it("ids of the other account's users match nothing in filters", async () => {
    const res = await gql(t, 'query { account { users(filters: { ids: ["bc/account/user/2001"] }) { edges { node { id } } collectionInfo { totalItems } } } }');
    expect(expectData(res).account.users).toEqual({ edges: [], collectionInfo: { totalItems: 0 } });
    const byEmail = await gql(t, 'query { account { users(filters: { email: "owner@other.example" }) { edges { node { id } } } } }');
    expect(expectData(byEmail).account.users.edges).toEqual([]);
  });

  it("no mutation crosses: the other account's stores and users are not found, and nothing changes", async () => {
    const before = await accountApiState(t.database.kysely);
    const attempts: [string, Record<string, unknown>, string][] = [
      [
        'mutation ($s: ID!) { user { addUserToStore(input: { user: { id: "bc/account/user/1002" }, storeId: $s }) { storeId } } }',
        { s: `bc/account/store/${STORE_B.hash}` },
        'Store not found',
      ],
      [
        'mutation ($s: ID!) { user { addUserToStore(input: { user: { id: "bc/account/user/1002" }, storeId: $s }) { storeId } } }',
        { s: `bc/account/store/${STORE_B.id}` },
        'Store not found',
      ],
      [
        'mutation ($s: ID!) { user { addUserToStore(input: { user: { id: "bc/account/user/2001" }, storeId: $s }) { storeId } } }',
        { s: `bc/account/store/${STORE_1.hash}` },
        'User not found',
      ],
      [
        'mutation ($s: ID!) { user { removeUserFromStore(input: { userId: "bc/account/user/2001", storeId: $s }) { storeId } } }',
        { s: `bc/account/store/${STORE_B.hash}` },
        'Store not found',
      ],
      ['mutation { account { removeUserFromAccount(input: { email: "owner@other.example" }) { userId } } }', {}, 'User not found'],
    ];
    for (const [query, variables, message] of attempts) {
      expectOneError(await gql(t, query, variables), 'NOT_FOUND', message);
    }
    // and the other way round
    expectOneError(
      await gql(t, 'mutation { user { removeUserFromStore(input: { userId: "bc/account/user/1002", storeId: "bc/account/store/f0qyczpkb2" }) { storeId } } }', undefined, {
        token: TOKEN_B,
        account: ACCOUNT_B,
      }),
      'NOT_FOUND',
      'Store not found',
    );
    expectOneError(
      await gql(t, 'mutation { account { removeUserFromAccount(input: { email: "john.doe@example.com" }) { userId } } }', undefined, { token: TOKEN_B, account: ACCOUNT_B }),
      'NOT_FOUND',
      'User not found',
    );
    expect(await accountApiState(t.database.kysely)).toEqual(before);
  });

  it('a person in both accounts: adding and removing in one leaves the other untouched', async () => {
    expectData(await gql(t, 'mutation { account { addUserToAccount(input: { email: "john.doe@example.com" }) { account { id } } } }', undefined, { token: TOKEN_B, account: ACCOUNT_B }));
    const bUsers = expectData(await gql(t, 'query { account { users { edges { node { id status } } collectionInfo { totalItems } } } }', undefined, { token: TOKEN_B, account: ACCOUNT_B }));
    expect(bUsers.account.users).toEqual({
      edges: [{ node: { id: 'bc/account/user/1002', status: 'ACTIVE' } }, { node: { id: 'bc/account/user/2001', status: 'ACTIVE' } }],
      collectionInfo: { totalItems: 2 },
    });
    expectData(await gql(t, 'mutation { account { removeUserFromAccount(input: { email: "john.doe@example.com" }) { userId } } }', undefined, { token: TOKEN_B, account: ACCOUNT_B }));
    const aUsers = expectData(await gql(t, 'query { account { users { collectionInfo { totalItems } } stores(first: 1) { edges { node { users { collectionInfo { totalItems } } } } } } }'));
    expect(aUsers.account.users.collectionInfo.totalItems).toBe(3);
    expect(aUsers.account.stores.edges[0].node.users.collectionInfo.totalItems).toBe(3);
  });
});
