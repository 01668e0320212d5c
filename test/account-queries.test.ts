import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storePermissionCatalogue } from '../src/domain/stores/permission-catalogue.js';
import { ACCOUNT_A, accountDemo, expectData, expectOneError, gql, NOW, NOW_ISO, STORE_1, STORE_2 } from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Every query of account-graphql.md §4.1-§4.4 with its documented selection, against the demo fixture. */
describe.each(dialects)('Account API queries on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, fixture: accountDemo() });
  });
  afterAll(async () => t.close());

  it('§4.1 account { id accountInfo { name } }', async () => {
    const res = await gql(t, 'query { account { id accountInfo { name } } }');
    expect(expectData(res)).toEqual({
      account: { id: `bc/account/account/${ACCOUNT_A}`, accountInfo: { name: 'Jane Doe' } },
    });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-bc-graphql-complexity']).toBe('4'); // account, id, accountInfo, name
  });

  it('§4.2 account { users { edges { node { id email firstName lastName } } } }', async () => {
    const res = await gql(t, 'query { account { users { edges { node { id email firstName lastName } } } } }');
    expect(expectData(res)).toEqual({
      account: {
        users: {
          edges: [
            { node: { id: 'bc/account/user/1001', email: 'jane.doe@example.com', firstName: 'Jane', lastName: 'Doe' } },
            { node: { id: 'bc/account/user/1002', email: 'john.doe@example.com', firstName: 'John', lastName: 'Doe' } },
            { node: { id: 'bc/account/user/1003', email: 'john.citizen@example.com', firstName: 'John', lastName: 'Citizen' } },
          ],
        },
      },
    });
  });

  it('§10 #18: under Account.users the membership is account-level (permissions null, no apps, last sign-in anywhere)', async () => {
    const res = await gql(
      t,
      `query { account { users { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } collectionInfo { totalItems }
        edges { cursor node { id locale lastLoginAt permissions status updatedAt apps { edges { node { id } } collectionInfo { totalItems } } } } } } }`,
    );
    const users = expectData(res).account.users;
    expect(users.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: 'WzEwMDFd', endCursor: 'WzEwMDNd' });
    expect(users.collectionInfo).toEqual({ totalItems: 3 });
    expect(users.edges.map((e: any) => e.cursor)).toEqual(['WzEwMDFd', 'WzEwMDJd', 'WzEwMDNd']);
    expect(Buffer.from(users.edges[0].cursor, 'base64').toString()).toBe('[1001]');
    const empty = { edges: [], collectionInfo: { totalItems: 0 } };
    expect(users.edges.map((e: any) => e.node)).toEqual([
      { id: 'bc/account/user/1001', locale: 'en-US', lastLoginAt: '2023-04-12T15:17:25Z', permissions: null, status: 'ACTIVE', updatedAt: NOW_ISO, apps: empty },
      { id: 'bc/account/user/1002', locale: 'en-US', lastLoginAt: '2023-04-08T21:58:03Z', permissions: null, status: 'ACTIVE', updatedAt: NOW_ISO, apps: empty },
      { id: 'bc/account/user/1003', locale: 'en-US', lastLoginAt: null, permissions: null, status: 'ACTIVE', updatedAt: NOW_ISO, apps: empty },
    ]);
  });

  it('§4.3 account { stores { ... users {...} apps {...} } } with the documented store-user selection', async () => {
    const res = await gql(
      t,
      `query {
        account {
          stores {
            collectionInfo { totalItems }
            edges {
              node {
                id name storeHash
                users {
                  collectionInfo { totalItems }
                  edges { node { id email firstName lastName locale lastLoginAt permissions status updatedAt apps { edges { node { id name } } } } }
                }
                apps { edges { node { id name } } }
              }
            }
          }
        }
      }`,
    );
    const stores = expectData(res).account.stores;
    expect(stores.collectionInfo).toEqual({ totalItems: 2 });
    expect(stores.edges).toHaveLength(2);
    const [plant, wholesale] = stores.edges.map((e: any) => e.node);
    expect(plant.id).toBe(`bc/account/store/${STORE_1.hash}`);
    expect(plant.name).toBe('Plant Market');
    expect(plant.storeHash).toBe(STORE_1.hash);
    expect(plant.users.collectionInfo).toEqual({ totalItems: 3 });
    expect(plant.users.edges.map((e: any) => e.node)).toEqual([
      {
        id: 'bc/account/user/1001',
        email: 'jane.doe@example.com',
        firstName: 'Jane',
        lastName: 'Doe',
        locale: 'en-US',
        lastLoginAt: null,
        permissions: storePermissionCatalogue,
        status: 'ACTIVE',
        updatedAt: NOW_ISO,
        apps: { edges: [{ node: { id: 'bc/account/app/4869', name: 'ShipperHQ' } }, { node: { id: 'bc/account/app/6824', name: 'Mailchimp' } }] },
      },
      {
        id: 'bc/account/user/1002',
        email: 'john.doe@example.com',
        firstName: 'John',
        lastName: 'Doe',
        locale: 'en-US',
        lastLoginAt: null,
        permissions: ['Manage_Orders', 'Edit_Orders', 'Add_Orders', 'Read_Channels', 'No_Permission_Required'],
        status: 'ACTIVE',
        updatedAt: NOW_ISO,
        apps: { edges: [] },
      },
      {
        id: 'bc/account/user/1003',
        email: 'john.citizen@example.com',
        firstName: 'John',
        lastName: 'Citizen',
        locale: 'en-US',
        lastLoginAt: null,
        permissions: ['No_Permission_Required'],
        status: 'ACTIVE',
        updatedAt: NOW_ISO,
        apps: { edges: [] },
      },
    ]);
    expect(storePermissionCatalogue).toHaveLength(131);
    expect(plant.apps.edges.map((e: any) => e.node)).toEqual([
      { id: 'bc/account/app/4869', name: 'ShipperHQ' },
      { id: 'bc/account/app/6824', name: 'Mailchimp' },
      { id: 'bc/account/app/7488', name: 'Buy Buttons' },
    ]);
    expect(wholesale).toMatchObject({ id: `bc/account/store/${STORE_2.hash}`, name: 'Plant Market Wholesale', storeHash: STORE_2.hash });
    expect(wholesale.users.collectionInfo).toEqual({ totalItems: 1 });
    expect(wholesale.users.edges.map((e: any) => e.node.id)).toEqual(['bc/account/user/1001']);
    expect(wholesale.apps.edges).toEqual([]);
  });

  it('§4.4 account { apps { edges { node { id name } } } }', async () => {
    const res = await gql(t, 'query { account { apps { edges { node { id name } } collectionInfo { totalItems } } } }');
    expect(expectData(res)).toEqual({
      account: {
        apps: {
          edges: [
            { node: { id: 'bc/account/app/4869', name: 'ShipperHQ' } },
            { node: { id: 'bc/account/app/6824', name: 'Mailchimp' } },
            { node: { id: 'bc/account/app/7488', name: 'Buy Buttons' } },
          ],
          collectionInfo: { totalItems: 3 },
        },
      },
    });
  });

  it('Store and User app connections page like the others', async () => {
    const res = await gql(
      t,
      `query { account { stores(first: 1) { edges { node {
        apps(first: 2) { pageInfo { hasNextPage hasPreviousPage } edges { node { id } } collectionInfo { totalItems } }
        later: apps(first: 2, after: "WzY4MjRd") { pageInfo { hasNextPage hasPreviousPage } edges { node { id } } }
        users(first: 1) { edges { node { apps(last: 1) { pageInfo { hasNextPage hasPreviousPage } edges { node { id } } collectionInfo { totalItems } } } } }
      } } } } }`,
    );
    const store = expectData(res).account.stores.edges[0].node;
    expect(store.apps).toEqual({
      pageInfo: { hasNextPage: true, hasPreviousPage: false },
      edges: [{ node: { id: 'bc/account/app/4869' } }, { node: { id: 'bc/account/app/6824' } }],
      collectionInfo: { totalItems: 3 },
    });
    expect(store.later).toEqual({ pageInfo: { hasNextPage: false, hasPreviousPage: true }, edges: [{ node: { id: 'bc/account/app/7488' } }] });
    expect(store.users.edges[0].node.apps).toEqual({
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
      edges: [{ node: { id: 'bc/account/app/6824' } }],
      collectionInfo: { totalItems: 2 },
    });
  });

  it('§10 #13: users(filters: { ids, email }) narrows the set and collectionInfo counts the filtered set', async () => {
    const byIds = await gql(
      t,
      'query { account { users(filters: { ids: ["bc/account/user/1003", "bc/account/user/1001", "bc/account/user/2001"] }) { edges { node { id } } collectionInfo { totalItems } } } }',
    );
    expect(expectData(byIds).account.users).toEqual({
      edges: [{ node: { id: 'bc/account/user/1001' } }, { node: { id: 'bc/account/user/1003' } }],
      collectionInfo: { totalItems: 2 },
    });
    const byEmail = await gql(t, 'query ($e: String) { account { users(filters: { email: $e }) { edges { node { id email } } collectionInfo { totalItems } } } }', {
      e: '  John.DOE@example.com ',
    });
    expect(expectData(byEmail).account.users).toEqual({
      edges: [{ node: { id: 'bc/account/user/1002', email: 'john.doe@example.com' } }],
      collectionInfo: { totalItems: 1 },
    });
    // a user of another account only: nothing here; with ids too, both must hold
    const byFilters = async (filters: Record<string, unknown>) =>
      expectData(await gql(t, 'query ($f: AccountUsersFiltersInput) { account { users(filters: $f) { edges { node { id } } collectionInfo { totalItems } } } }', { f: filters })).account.users;
    expect(await byFilters({ email: 'owner@other.example' })).toEqual({ edges: [], collectionInfo: { totalItems: 0 } });
    expect(await byFilters({ email: 'nobody@example.com' })).toEqual({ edges: [], collectionInfo: { totalItems: 0 } });
    expect(await byFilters({ email: 'john.doe@example.com', ids: ['bc/account/user/1001', 'bc/account/user/1002'] })).toEqual({
      edges: [{ node: { id: 'bc/account/user/1002' } }],
      collectionInfo: { totalItems: 1 },
    });
    expect(await byFilters({ email: 'john.doe@example.com', ids: ['bc/account/user/1001'] })).toEqual({ edges: [], collectionInfo: { totalItems: 0 } });
    const nul = await gql(t, 'query ($e: String) { account { users(filters: { email: $e }) { edges { node { id } } collectionInfo { totalItems } } } }', { e: 'jane.doe@example.com\u0000' });
    expect(expectData(nul).account.users).toEqual({ edges: [], collectionInfo: { totalItems: 0 } });
    const none = await gql(t, 'query { account { users(filters: { ids: [] }) { edges { node { id } } pageInfo { hasNextPage hasPreviousPage } collectionInfo { totalItems } } } }');
    expect(expectData(none).account.users).toEqual({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false }, collectionInfo: { totalItems: 0 } });
    const storeFiltered = await gql(
      t,
      'query { account { stores(first: 1) { edges { node { users(filters: { email: "jane.doe@example.com" }) { edges { node { id permissions } } collectionInfo { totalItems } } } } } } }',
    );
    const storeUsers = expectData(storeFiltered).account.stores.edges[0].node.users;
    expect(storeUsers.collectionInfo).toEqual({ totalItems: 1 });
    expect(storeUsers.edges[0].node.id).toBe('bc/account/user/1001');
    expect(storeUsers.edges[0].node.permissions).toHaveLength(131);
  });

  it('§11 #11: a malformed id in filters.ids is BAD_USER_INPUT "Invalid id"; unknown filter keys fail validation', async () => {
    const bad = await gql(t, 'query { account { id users(filters: { ids: ["1001"] }) { edges { node { id } } } } }');
    const error = expectOneError(bad, 'BAD_USER_INPUT', 'Invalid id');
    expect(error.path).toEqual(['account', 'users']);
    expect(bad.body.data).toEqual({ account: { id: `bc/account/account/${ACCOUNT_A}`, users: null } });
    const unknown = await gql(t, 'query { account { users(filters: { name: "x" }) { edges { node { id } } } } }');
    expectOneError(unknown, 'GRAPHQL_VALIDATION_FAILED');
    expect(unknown.body.data).toBeUndefined();
  });

  it('§4.9, §10 #30: createUserWithPassword is not in the schema', async () => {
    const res = await gql(t, 'mutation { user { createUserWithPassword(input: { email: "a@b.c" }) { user { id } } } }');
    const error = expectOneError(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toContain('createUserWithPassword');
  });

  it('§10 #26: introspection is allowed and scores 0', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const res = await gql(t, getIntrospectionQuery());
    const data = expectData(res);
    expect(data.__schema.queryType.name).toBe('Query');
    expect(data.__schema.mutationType.name).toBe('Mutation');
    expect(res.headers['x-bc-graphql-complexity']).toBe('0');
  });
});
