import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/shared/secrets.js';
import { ACCOUNT_A, accountDemo, demoWithScopeTokens, expectData, expectOneError, gql, scopeToken, STORE_1, TOKEN_FULL } from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Reads reflect the stored state at once, whatever changed it: the API's own mutations, or rows
 * changed straight in the database (on SQLite the server reuses principals and query answers until
 * anything stored changes; these tests pin that down).
 */
describe.each(dialects)('Account API reads stay exact on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      dialect,
      sqliteFile: true,
      fixture: demoWithScopeTokens([['account_read'], ['account_read', 'account_users_read'], ['account_apps_read']]),
    });
  });
  afterAll(async () => t.close());

  const USERS = 'query { account { users { edges { node { id firstName } } collectionInfo { totalItems } } } }';

  it('a token deleted in the database stops working on the next request', async () => {
    const token = scopeToken(['account_read']);
    expectData(await gql(t, 'query { account { accountInfo { name } } }', undefined, { token }));
    expectData(await gql(t, 'query { account { accountInfo { name } } }', undefined, { token }));
    await t.database.kysely.deleteFrom('api_accounts').where('token_hash', '=', hashToken(token)).execute();
    const res = await gql(t, 'query { account { accountInfo { name } } }', undefined, { token });
    expect(res.status).toBe(401);
  });

  it("rows changed outside the API, on the server's connection or another one, are seen by the very next identical query", async () => {
    const before = expectData(await gql(t, USERS));
    expect(before.account.users.edges[1].node.firstName).toBe('John');
    expectData(await gql(t, USERS));
    await t.database.kysely.updateTable('users').set({ first_name: 'Jonathan' }).where('id', '=', 1002).execute();
    const after = expectData(await gql(t, USERS));
    expect(after.account.users.edges[1].node.firstName).toBe('Jonathan');
    // another connection (another process, a SQL shell): on SQLite only PRAGMA data_version moves
    const outside = await t.outside();
    await outside.kysely.updateTable('users').set({ first_name: 'Johnny' }).where('id', '=', 1002).execute();
    expect(expectData(await gql(t, USERS)).account.users.edges[1].node.firstName).toBe('Johnny');
    await outside.kysely.updateTable('accounts').set({ name: 'Renamed' }).where('uuid', '=', ACCOUNT_A).execute();
    expect(expectData(await gql(t, 'query { account { accountInfo { name } } }')).account.accountInfo.name).toBe('Renamed');
    // stores (kept by the Account service until a write it cannot explain) as well
    const STORES = 'query { account { stores(first: 5) { edges { node { id name } } collectionInfo { totalItems } } } }';
    const stores = expectData(await gql(t, STORES)).account.stores;
    await outside.kysely.updateTable('stores').set({ name: 'Moved shop' }).where('id', '=', STORE_1.id).execute();
    const renamed = expectData(await gql(t, STORES)).account.stores;
    expect(renamed.edges.map((e: { node: { name: string } }) => e.node.name)).toContain('Moved shop');
    expect(renamed.collectionInfo.totalItems).toBe(stores.collectionInfo.totalItems);
  });

  it("mutations are seen by the next query; identical bodies under different tokens keep their own scopes", async () => {
    const first = expectData(await gql(t, USERS));
    expectData(await gql(t, 'mutation { account { addUserToAccount(input: { email: "fresh.read@example.com" }) { account { id } } } }'));
    const second = expectData(await gql(t, USERS));
    expect(second.account.users.collectionInfo.totalItems).toBe(first.account.users.collectionInfo.totalItems + 1);

    const denied = await gql(t, USERS, undefined, { token: scopeToken(['account_apps_read']) });
    expectOneError(denied, 'INSUFFICIENT_ACCESS_SCOPE');
    const allowed = await gql(t, USERS, undefined, { token: scopeToken(['account_read', 'account_users_read']) });
    expect(expectData(allowed)).toEqual(second);
    expectOneError(await gql(t, USERS, undefined, { token: scopeToken(['account_apps_read']) }), 'INSUFFICIENT_ACCESS_SCOPE');
  });

  it('a scope removed in the database applies on the next request', async () => {
    const token = scopeToken(['account_read', 'account_users_read']);
    expectData(await gql(t, USERS, undefined, { token }));
    await t.database.kysely
      .updateTable('api_accounts')
      .set({ scopes: JSON.stringify(['account_read']) })
      .where('token_hash', '=', hashToken(token))
      .execute();
    expectOneError(await gql(t, USERS, undefined, { token }), 'INSUFFICIENT_ACCESS_SCOPE');
  });

  it('a schema change made on another connection is noticed too (a query that now fails is not answered from before)', async () => {
    // (the only DDL on the server's own connection is its migrations, before anything is served)
    const query = 'query { account { apps { edges { node { id } } } } }';
    expectData(await gql(t, query));
    const outside = await t.outside();
    await sql`ALTER TABLE apps RENAME TO apps_elsewhere`.execute(outside.kysely);
    try {
      expectOneError(await gql(t, query), 'INTERNAL_SERVER_ERROR');
    } finally {
      await sql`ALTER TABLE apps_elsewhere RENAME TO apps`.execute(outside.kysely);
    }
    expectData(await gql(t, query, undefined, { token: TOKEN_FULL }));
  });
});

describe('the demo world is unchanged by reads (a cached answer is never a stale one)', () => {
  it('two apps on their own databases answer from their own rows', async () => {
    const one = await createTestApp({ dialect: 'sqlite', fixture: accountDemo() });
    const two = await createTestApp({ dialect: 'sqlite', fixture: accountDemo() });
    try {
      const query = 'query { account { users { collectionInfo { totalItems } } } }';
      expectData(await gql(one, query));
      expectData(await gql(two, query));
      expectData(await gql(one, 'mutation { account { addUserToAccount(input: { email: "only.one@example.com" }) { account { id } } } }'));
      expect(expectData(await gql(one, query)).account.users.collectionInfo.totalItems).toBe(4);
      expect(expectData(await gql(two, query)).account.users.collectionInfo.totalItems).toBe(3);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
