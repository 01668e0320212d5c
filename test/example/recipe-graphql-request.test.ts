import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
// In your project: import { startRoster, type Roster, type RosterFork } from 'roster/testing';
import { type Roster, type RosterFork, startRoster } from '../../src/testing.js';

/**
 * Recipe: graphql-request (v7) against both GraphQL APIs over real HTTP. Only the endpoint and
 * the credentials differ from production: `world.accountGraphqlUrl(uuid)` for
 * `https://api.bigcommerce.com/accounts/{uuid}/graphql`, `world.b2bGraphqlUrl` for
 * `https://api-b2b.bigcommerce.com/graphql`. The tests run concurrently, each in its own fork.
 */
const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const STORE = 'f0qyczpkb2';
const GREAT_BUYS = 123456;

const ACCOUNT_USERS = gql`
  query AccountUsers($email: String) {
    account {
      users(first: 50, filters: { email: $email }) {
        collectionInfo { totalItems }
        edges { node { id email status } }
      }
    }
  }
`;
const ADD_USER_TO_ACCOUNT = gql`
  mutation AddUserToAccount($email: String!) {
    account { addUserToAccount(input: { email: $email }) { account { id } } }
  }
`;
const LOGIN = gql`
  mutation Login($loginData: UserLoginType!) {
    login(loginData: $loginData) { result { token user { id bcId email } } }
  }
`;
const COMPANY_USERS = gql`
  query CompanyUsers($companyId: Int!, $search: String) {
    users(companyId: $companyId, search: $search, first: 50) {
      totalCount
      edges { node { id email role companyRoleName } }
    }
  }
`;
const CREATE_USER = gql`
  mutation CreateUser($userData: UserInputType!) {
    userCreate(userData: $userData) { user { id bcId email companyRoleName } }
  }
`;

interface AccountUsers {
  account: { users: { collectionInfo: { totalItems: number }; edges: { node: { id: string; email: string; status: string } }[] } };
}
interface CompanyUsers {
  users: { totalCount: number; edges: { node: { id: string; email: string; role: number; companyRoleName: string } }[] };
}

describe.concurrent('graphql-request against Roster', () => {
  let roster: Roster;

  beforeAll(async () => {
    roster = await startRoster(); // the demo world, in-memory SQLite, a free port
  });
  afterAll(async () => roster.close());

  /** one fork per test, closed when the test ends: concurrent tests never see each other's writes */
  async function fork({ onTestFinished }: TestContext): Promise<RosterFork> {
    const world = await roster.fork();
    onTestFinished(() => world.close());
    return world;
  }

  it('Account API: addUserToAccount, then the user is listed as PENDING', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const client = new GraphQLClient(world.accountGraphqlUrl(ACCOUNT), { headers: { 'X-Auth-Token': roster.tokens['demo-full'] as string } });

    const before = await client.request<AccountUsers>(ACCOUNT_USERS);
    expect(before.account.users.collectionInfo.totalItems).toBe(3);

    const added = await client.request<{ account: { addUserToAccount: { account: { id: string } } } }>(ADD_USER_TO_ACCOUNT, { email: 'new.colleague@example.com' });
    expect(added.account.addUserToAccount.account.id).toBe(`bc/account/account/${ACCOUNT}`);

    const after = await client.request<AccountUsers>(ACCOUNT_USERS);
    expect(after.account.users.collectionInfo.totalItems).toBe(4);
    const [invited] = (await client.request<AccountUsers>(ACCOUNT_USERS, { email: 'new.colleague@example.com' })).account.users.edges;
    expect(invited?.node).toMatchObject({ email: 'new.colleague@example.com', status: 'PENDING' });

    // the same fact outside the API: the world's state, and the event the write recorded
    const state = await world.state();
    expect(state.accounts?.find((a) => a.uuid === ACCOUNT)?.users?.map((u) => u.email)).toContain('new.colleague@example.com');
    expect((await world.events({ type: 'account.user.added' })).map((e) => (e.after as { email?: string } | null)?.email)).toEqual(['new.colleague@example.com']);
  });

  it('Account API: a read-only token gets the GraphQL error graphql-request throws as ClientError', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const client = new GraphQLClient(world.accountGraphqlUrl(ACCOUNT), { headers: { 'X-Auth-Token': roster.tokens['demo-read-only'] as string } });

    const error = await client.request(ADD_USER_TO_ACCOUNT, { email: 'not.allowed@example.com' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    const [first] = (error as ClientError).response.errors ?? [];
    expect(first?.extensions).toMatchObject({ code: 'INSUFFICIENT_ACCESS_SCOPE', requiredScopes: ['account_users_write'] });
    // nothing was written
    const users = await client.request<AccountUsers>(ACCOUNT_USERS);
    expect(users.account.users.edges.map((e) => e.node.email)).not.toContain('not.allowed@example.com');
  });

  it('B2B GraphQL: login, list the Company, userCreate; the Management API sees the new buyer', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const anonymous = new GraphQLClient(world.b2bGraphqlUrl);
    const login = await anonymous.request<{ login: { result: { token: string; user: { id: string; email: string } } } }>(LOGIN, {
      loginData: { storeHash: STORE, email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1 },
    });
    expect(login.login.result.user).toMatchObject({ id: '123', email: 'm.curie@greatbuys.com' });

    const client = new GraphQLClient(world.b2bGraphqlUrl, { headers: { Authorization: `Bearer ${login.login.result.token}` } });
    const before = await client.request<CompanyUsers>(COMPANY_USERS, { companyId: GREAT_BUYS });
    expect(before.users.totalCount).toBe(4);
    expect(before.users.edges.map((e) => e.node.email)).toEqual(['e.curie@greatbuys.com', 'i.joliot@greatbuys.com', 'p.curie@greatbuys.com', 'm.curie@greatbuys.com']);

    const created = await client.request<{ userCreate: { user: { id: string; bcId: number; email: string; companyRoleName: string } } }>(CREATE_USER, {
      userData: { companyId: GREAT_BUYS, email: 'ada@greatbuys.com', firstName: 'Ada', lastName: 'Byrne', phone: '555-0100', companyRoleId: 2 },
    });
    expect(created.userCreate.user).toMatchObject({ email: 'ada@greatbuys.com', companyRoleName: 'Junior Buyer' });

    const search = await client.request<CompanyUsers>(COMPANY_USERS, { companyId: GREAT_BUYS, search: 'ada@' });
    expect(search.users.edges.map((e) => e.node)).toEqual([{ id: created.userCreate.user.id, email: 'ada@greatbuys.com', role: 2, companyRoleName: 'Junior Buyer' }]);

    // another API, another credential, the same row: the server-to-server Management API
    const management = await fetch(`${world.managementUrl}/users/${created.userCreate.user.id}`, {
      headers: { 'X-Auth-Token': roster.tokens['demo-b2b-read-only'] as string, 'X-Store-Hash': STORE },
    });
    expect(management.status).toBe(200);
    expect(((await management.json()) as { data: unknown }).data).toMatchObject({
      id: Number(created.userCreate.user.id),
      customerId: created.userCreate.user.bcId,
      companyId: GREAT_BUYS,
      firstName: 'Ada',
      phoneNumber: '555-0100',
      companyRoleName: 'Junior Buyer',
    });
  });

  it('B2B GraphQL: an expired session (a fault rule) reaches the code as a ClientError with code 40101', async (context) => {
    const { expect } = context;
    const world = await fork(context);
    const token = await world.b2bToken({ email: 'm.curie@greatbuys.com' });
    const client = new GraphQLClient(world.b2bGraphqlUrl, { headers: { Authorization: `Bearer ${token}` } });
    // graphql-request sends the document's operation name: the journal and fault rules match on it
    const rule = await world.faults.add({
      match: { api: 'b2b-graphql', operation: 'CompanyUsers', nth: 1 },
      effect: { graphqlError: { code: 40101, message: 'Signature has expired.' } },
    });

    const error = await client.request(COMPANY_USERS, { companyId: GREAT_BUYS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).response.errors?.[0]).toMatchObject({ message: 'Signature has expired.', extensions: { code: 40101 } });

    const users = await client.request<CompanyUsers>(COMPANY_USERS, { companyId: GREAT_BUYS });
    expect(users.users.totalCount).toBe(4); // this fork never saw the other tests' userCreate
    const calls = await world.requests({ api: 'b2b-graphql', operation: 'CompanyUsers' });
    expect(calls.map((c) => [c.status, c.fault])).toEqual([
      [200, rule.id],
      [200, null],
    ]);
  });
});
