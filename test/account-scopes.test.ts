import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_A,
  ALL_SCOPES,
  accountApiState,
  demoWithScopeTokens,
  expectData,
  expectOneError,
  gql,
  scopeToken,
  STORE_1,
  STORE_2,
} from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The scope table of account-graphql.md §2, row by row, allowed and denied (§10 #21-#22, §11 #6-#7):
 * a field without its scope is null with INSUFFICIENT_ACCESS_SCOPE naming only the missing scopes;
 * a mutation without its scope changes nothing.
 */
type Scope = (typeof ALL_SCOPES)[number];
const allBut = (...missing: Scope[]) => ALL_SCOPES.filter((s) => !missing.includes(s));

interface Row {
  name: string;
  query: string;
  /** scopes that suffice */
  allowedWith: Scope[];
  /** path of the guarded field */
  path: (string | number)[];
  /** one denied case per required scope: the token lacks just that one */
  required: Scope[];
}

const rows: Row[] = [
  { name: 'account { id }', query: 'query { account { id } }', allowedWith: [], path: [], required: [] },
  { name: 'Account.accountInfo', query: 'query { account { id accountInfo { name } } }', allowedWith: ['account_read'], path: ['account', 'accountInfo'], required: ['account_read'] },
  {
    name: 'Account.users',
    query: 'query { account { id users { edges { node { id } } } } }',
    allowedWith: ['account_users_read'],
    path: ['account', 'users'],
    required: ['account_users_read'],
  },
  {
    name: 'Account.stores',
    query: 'query { account { id stores { edges { node { id } } } } }',
    allowedWith: ['account_stores_read'],
    path: ['account', 'stores'],
    required: ['account_stores_read'],
  },
  {
    name: 'Store.users',
    query: 'query { account { stores(first: 1) { edges { node { id users { edges { node { id } } } } } } } }',
    allowedWith: ['account_stores_read', 'account_users_read'],
    path: ['account', 'stores', 'edges', 0, 'node', 'users'],
    required: ['account_users_read'],
  },
  { name: 'Account.apps', query: 'query { account { id apps { edges { node { id } } } } }', allowedWith: ['account_apps_read'], path: ['account', 'apps'], required: ['account_apps_read'] },
  {
    name: 'Store.apps',
    query: 'query { account { stores(first: 1) { edges { node { id apps { edges { node { id } } } } } } } }',
    allowedWith: ['account_stores_read', 'account_apps_read'],
    path: ['account', 'stores', 'edges', 0, 'node', 'apps'],
    required: ['account_apps_read'],
  },
  {
    name: 'User.apps',
    query: 'query { account { stores(first: 1) { edges { node { users(first: 1) { edges { node { id apps { edges { node { id } } } } } } } } } } }',
    allowedWith: ['account_stores_read', 'account_users_read', 'account_apps_read'],
    path: ['account', 'stores', 'edges', 0, 'node', 'users', 'edges', 0, 'node', 'apps'],
    required: ['account_apps_read'],
  },
];

const tokenSets: (readonly string[])[] = [[]];
for (const row of rows) {
  tokenSets.push(row.allowedWith);
  for (const scope of row.required) tokenSets.push(allBut(scope));
}
tokenSets.push(['account_users_write'], ['account_users_delete'], ['account_users_write', 'account_users_delete'], ['account_read', 'account_users_write']);
tokenSets.push(['account_users_delete', 'account_users_read'], ['account_stores_read'], allBut('account_users_write'), allBut('account_users_delete'));
const uniqueSets = [...new Map(tokenSets.map((s) => [scopeToken(s), s])).values()];

function getPath(data: any, path: (string | number)[]): unknown {
  return path.reduce((value, key) => (value === null || value === undefined ? value : value[key]), data);
}

describe.each(dialects)('Account API scopes on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: demoWithScopeTokens(uniqueSets) });
  });
  afterAll(async () => t.close());

  describe.each(rows)('$name', (row) => {
    it(`allowed with ${row.allowedWith.join(' + ') || 'any valid token'}`, async () => {
      const res = await gql(t, row.query, undefined, { token: scopeToken(row.allowedWith) });
      const data = expectData(res);
      expect(getPath(data, row.path)).not.toBeNull();
      expect(getPath(data, row.path)).toBeDefined();
    });

    it.each(row.required)('denied without %s: null, INSUFFICIENT_ACCESS_SCOPE, requiredScopes only the missing one, path set', async (scope) => {
      const res = await gql(t, row.query, undefined, { token: scopeToken(allBut(scope)) });
      const error = expectOneError(res, 'INSUFFICIENT_ACCESS_SCOPE', 'You do not have permission to do this operation.');
      expect(error.extensions?.requiredScopes).toEqual([scope]);
      expect(error.path).toEqual(row.path);
      expect(getPath(res.body.data, row.path)).toBeNull();
      // the rest of the response still resolves
      expect(res.body.data.account).not.toBeNull();
    });
  });

  it('requiredScopes lists only the scopes the token lacks; every guarded field fails on its own', async () => {
    const res = await gql(t, 'query { account { stores(first: 1) { edges { node { users { edges { node { id } } } } } } } }', undefined, {
      token: scopeToken(['account_stores_read']),
    });
    expect(expectOneError(res, 'INSUFFICIENT_ACCESS_SCOPE').extensions?.requiredScopes).toEqual(['account_users_read']);
    const none = await gql(t, 'query { account { id accountInfo { name } users { edges { node { id } } } stores { edges { node { id } } } apps { edges { node { id } } } } }', undefined, {
      token: scopeToken([]),
    });
    expect(none.status).toBe(200);
    expect(none.body.data).toEqual({ account: { id: `bc/account/account/${ACCOUNT_A}`, accountInfo: null, users: null, stores: null, apps: null } });
    expect(none.body.errors?.map((e) => [e.path, e.extensions?.requiredScopes])).toEqual([
      [['account', 'accountInfo'], ['account_read']],
      [['account', 'users'], ['account_users_read']],
      [['account', 'stores'], ['account_stores_read']],
      [['account', 'apps'], ['account_apps_read']],
    ]);
  });

  it('§10 #21: write and delete do not imply read', async () => {
    const res = await gql(t, 'query { account { users { edges { node { id } } } } }', undefined, { token: scopeToken(['account_users_write', 'account_users_delete']) });
    expect(expectOneError(res, 'INSUFFICIENT_ACCESS_SCOPE').extensions?.requiredScopes).toEqual(['account_users_read']);
  });

  describe('mutations', () => {
    const mutations = [
      {
        name: 'addUserToAccount',
        scope: 'account_users_write' as Scope,
        query: 'mutation { account { addUserToAccount(input: { email: "scoped.add@example.com" }) { account { id } } } }',
        path: ['account', 'addUserToAccount'],
        payloadPath: ['account', 'addUserToAccount', 'account', 'id'],
      },
      {
        name: 'addUserToStore',
        scope: 'account_users_write' as Scope,
        query: `mutation { user { addUserToStore(input: { user: { id: "bc/account/user/1003" }, storeId: "bc/account/store/${STORE_2.hash}" }) { storeId } } }`,
        path: ['user', 'addUserToStore'],
        payloadPath: ['user', 'addUserToStore', 'storeId'],
      },
      {
        name: 'removeUserFromStore',
        scope: 'account_users_delete' as Scope,
        query: `mutation { user { removeUserFromStore(input: { userId: "bc/account/user/1002", storeId: "bc/account/store/${STORE_1.hash}" }) { storeId } } }`,
        path: ['user', 'removeUserFromStore'],
        payloadPath: ['user', 'removeUserFromStore', 'storeId'],
      },
      {
        name: 'removeUserFromAccount',
        scope: 'account_users_delete' as Scope,
        query: 'mutation { account { removeUserFromAccount(input: { email: "john.citizen@example.com" }) { accountId userId } } }',
        path: ['account', 'removeUserFromAccount'],
        payloadPath: ['account', 'removeUserFromAccount', 'userId'],
      },
    ];

    it.each(mutations)('$name is denied without $scope and changes nothing', async ({ scope, query, path }) => {
      const before = await accountApiState(t.database.kysely);
      const other: Scope = scope === 'account_users_write' ? 'account_users_delete' : 'account_users_write';
      for (const token of [scopeToken(allBut(scope)), scopeToken([]), scopeToken([other])]) {
        const res = await gql(t, query, undefined, { token });
        const error = expectOneError(res, 'INSUFFICIENT_ACCESS_SCOPE', 'You do not have permission to do this operation.');
        expect(error.extensions?.requiredScopes).toEqual([scope]);
        expect(error.path).toEqual(path);
        expect(getPath(res.body.data, path)).toBeNull();
      }
      expect(await accountApiState(t.database.kysely)).toEqual(before);
    });

    // run in this order: the removals need the rows the additions do not touch
    it.each(mutations)('$name is allowed with $scope alone', async ({ scope, query, payloadPath }) => {
      const res = await gql(t, query, undefined, { token: scopeToken([scope]) });
      const data = expectData(res);
      expect(getPath(data, payloadPath)).toEqual(expect.any(String));
    });

    it('§10 #21 / §11 #6: a payload field the token may not read is null with its own error; the mutation still runs', async () => {
      const add = await gql(t, 'mutation { account { addUserToAccount(input: { email: "payload.check@example.com" }) { account { id accountInfo { name } } } } }', undefined, {
        token: scopeToken(['account_users_write']),
      });
      expect(add.body.data).toEqual({ account: { addUserToAccount: { account: { id: `bc/account/account/${ACCOUNT_A}`, accountInfo: null } } } });
      const error = expectOneError(add, 'INSUFFICIENT_ACCESS_SCOPE');
      expect(error.path).toEqual(['account', 'addUserToAccount', 'account', 'accountInfo']);
      expect(error.extensions?.requiredScopes).toEqual(['account_read']);
      const member = await t.database.kysely.selectFrom('users').select('id').where('email_key', '=', 'payload.check@example.com').executeTakeFirst();
      expect(member).toBeDefined();

      const withRead = await gql(t, 'mutation { account { addUserToAccount(input: { email: "payload.check@example.com" }) { account { accountInfo { name } } } } }', undefined, {
        token: scopeToken(['account_read', 'account_users_write']),
      });
      expect(expectData(withRead)).toEqual({ account: { addUserToAccount: { account: { accountInfo: { name: 'Jane Doe' } } } } });

      const remove = await gql(
        t,
        `mutation { user { removeUserFromStore(input: { userId: "bc/account/user/1001", storeId: "bc/account/store/${STORE_2.hash}" }) { storeId user { id } } } }`,
        undefined,
        { token: scopeToken(['account_users_delete']) },
      );
      // the owner cannot be removed: a domain error, not a scope error, comes first for the mutation itself
      expectOneError(remove, 'FORBIDDEN', 'The store owner cannot be removed');

      const added = await gql(t, `mutation { user { addUserToStore(input: { user: { email: "payload.check@example.com" }, storeId: "bc/account/store/${STORE_1.hash}" }) { storeId } } }`, undefined, {
        token: scopeToken(['account_users_write']),
      });
      expectData(added);
      const userId = Number(member?.id);
      const removeOk = await gql(
        t,
        `mutation { user { removeUserFromStore(input: { userId: "bc/account/user/${userId}", storeId: "bc/account/store/${STORE_1.hash}" }) { storeId user { id } } } }`,
        undefined,
        { token: scopeToken(['account_users_delete']) },
      );
      expect(removeOk.body.data).toEqual({ user: { removeUserFromStore: { storeId: `bc/account/store/${STORE_1.hash}`, user: null } } });
      const userError = expectOneError(removeOk, 'INSUFFICIENT_ACCESS_SCOPE');
      expect(userError.path).toEqual(['user', 'removeUserFromStore', 'user']);
      expect(userError.extensions?.requiredScopes).toEqual(['account_users_read']);
      const gone = await t.database.kysely.selectFrom('store_users').select('user_id').where('store_id', '=', STORE_1.id).where('user_id', '=', userId).executeTakeFirst();
      expect(gone).toBeUndefined();
    });
  });
});
