import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_A, accountDemo, STORE_1, STORE_2, TOKEN_FULL, TOKEN_READ } from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** A real GraphQL client (graphql-request) against a live server performs every operation of §4. */
describe.each(dialects)('Account API through graphql-request against a live server on %s', (dialect) => {
  let t: TestApp;
  let client: GraphQLClient;
  let endpoint: string;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: accountDemo() });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    endpoint = `${address}/accounts/${ACCOUNT_A}/graphql`;
    client = new GraphQLClient(endpoint, { headers: { 'X-Auth-Token': TOKEN_FULL } });
  });
  afterAll(async () => t.close());

  it('queries: account, users, stores with users and apps, apps', async () => {
    const data = await client.request<any>(gql`
      query Everything($first: Int) {
        account {
          id
          accountInfo { name }
          users(first: $first) { edges { node { id email firstName lastName } } collectionInfo { totalItems } }
          stores {
            edges {
              node {
                id name storeHash
                users { collectionInfo { totalItems } edges { node { id email firstName lastName locale lastLoginAt permissions status updatedAt apps { edges { node { id name } } } } } }
                apps { edges { node { id name } } }
              }
            }
          }
          apps { edges { node { id name } } }
        }
      }
    `, { first: 2 });
    expect(data.account.id).toBe(`bc/account/account/${ACCOUNT_A}`);
    expect(data.account.accountInfo.name).toBe('Jane Doe');
    expect(data.account.users.edges.map((e: any) => e.node.email)).toEqual(['jane.doe@example.com', 'john.doe@example.com']);
    expect(data.account.users.collectionInfo.totalItems).toBe(3);
    expect(data.account.stores.edges.map((e: any) => e.node.storeHash)).toEqual([STORE_1.hash, STORE_2.hash]);
    expect(data.account.stores.edges[0].node.users.collectionInfo.totalItems).toBe(3);
    expect(data.account.apps.edges.map((e: any) => e.node.name)).toEqual(['ShipperHQ', 'Mailchimp', 'Buy Buttons']);
  });

  it('mutations: addUserToAccount, addUserToStore (by email and by id), removeUserFromStore, removeUserFromAccount', async () => {
    const added = await client.request<any>(
      gql`mutation ($email: String!) { account { addUserToAccount(input: { email: $email }) { account { accountInfo { name } } } } }`,
      { email: 'client.user@example.com' },
    );
    expect(added).toEqual({ account: { addUserToAccount: { account: { accountInfo: { name: 'Jane Doe' } } } } });

    const byEmail = await client.request<any>(
      gql`mutation ($input: AddUserToStoreInput!) { user { addUserToStore(input: $input) { storeId } } }`,
      { input: { user: { email: 'client.user@example.com' }, storeId: `bc/account/store/${STORE_1.hash}` } },
    );
    expect(byEmail).toEqual({ user: { addUserToStore: { storeId: `bc/account/store/${STORE_1.hash}` } } });

    const found = await client.request<any>(gql`query { account { users(filters: { email: "client.user@example.com" }) { edges { node { id status } } } } }`);
    const userId: string = found.account.users.edges[0].node.id;
    expect(found.account.users.edges[0].node.status).toBe('PENDING');

    const byId = await client.request<any>(
      gql`mutation ($input: AddUserToStoreInput!) { user { addUserToStore(input: $input) { storeId } } }`,
      { input: { user: { id: userId }, storeId: `bc/account/store/${STORE_2.id}` } },
    );
    expect(byId).toEqual({ user: { addUserToStore: { storeId: `bc/account/store/${STORE_2.hash}` } } });

    const removedFromStore = await client.request<any>(
      gql`mutation ($input: RemoveUserFromStoreInput!) { user { removeUserFromStore(input: $input) { storeId user { id email firstName lastName locale } } } }`,
      { input: { storeId: `bc/account/store/${STORE_1.hash}`, userId } },
    );
    expect(removedFromStore).toEqual({
      user: { removeUserFromStore: { storeId: `bc/account/store/${STORE_1.hash}`, user: { id: userId, email: 'client.user@example.com', firstName: null, lastName: null, locale: 'en' } } },
    });

    const removed = await client.request<any>(
      gql`mutation ($input: RemoveUserFromAccountInput!) { account { removeUserFromAccount(input: $input) { accountId userId } } }`,
      { input: { email: 'client.user@example.com' } },
    );
    expect(removed).toEqual({ account: { removeUserFromAccount: { accountId: `bc/account/account/${ACCOUNT_A}`, userId } } });
    const after = await client.request<any>(gql`query { account { users { collectionInfo { totalItems } } } }`);
    expect(after.account.users.collectionInfo.totalItems).toBe(3);
  });

  it('errors reach the client in the GraphQL shape: scope errors, HTTP 401', async () => {
    const readOnly = new GraphQLClient(endpoint, { headers: { 'X-Auth-Token': TOKEN_READ } });
    const error = await readOnly
      .request(gql`mutation { account { removeUserFromAccount(input: { email: "john.doe@example.com" }) { userId } } }`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    const response = (error as ClientError).response;
    expect(response.status).toBe(200);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'INSUFFICIENT_ACCESS_SCOPE', requiredScopes: ['account_users_delete'] });

    const anonymous = new GraphQLClient(endpoint);
    const unauthenticated = await anonymous.request(gql`query { account { id } }`).catch((e: unknown) => e);
    expect(unauthenticated).toBeInstanceOf(ClientError);
    expect((unauthenticated as ClientError).response.status).toBe(401);
    expect((unauthenticated as ClientError).response.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });
});
