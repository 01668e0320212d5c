import { ApolloClient, ApolloError, from, gql, HttpLink, InMemoryCache, type NormalizedCacheObject, type ServerError } from '@apollo/client/core';
import { setContext } from '@apollo/client/link/context';
import { RetryLink } from '@apollo/client/link/retry';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// In your project: import { startRoster, type Roster, type RosterFork } from 'roster/testing';
import { type Roster, type RosterFork, startRoster } from '../../src/testing.js';

/**
 * Recipe: Apollo Client (`@apollo/client/core`, no React) against both GraphQL APIs over real
 * HTTP, with the link chain an integration would ship: a RetryLink for transient failures (429,
 * 5xx) in front of the HttpLink. Fault rules make Roster answer 503 exactly when the test wants,
 * so the retry path runs; the request journal shows what Apollo sent. One fork per test.
 */
const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const STORE = 'f0qyczpkb2';
const GREAT_BUYS = 123456;

const ACCOUNT_USERS = gql`
  query AccountUsers {
    account { id users(first: 50) { collectionInfo { totalItems } edges { node { id email status } } } }
  }
`;
const ADD_USER_TO_ACCOUNT = gql`
  mutation AddUserToAccount($email: String!) {
    account { addUserToAccount(input: { email: $email }) { account { id } } }
  }
`;
const LOGIN = gql`
  mutation Login($loginData: UserLoginType!) {
    login(loginData: $loginData) { result { token } }
  }
`;
const COMPANY_USERS = gql`
  query CompanyUsers($companyId: Int!) {
    users(companyId: $companyId, first: 50) { totalCount edges { node { id email companyRoleName } } }
  }
`;
const CREATE_USER = gql`
  mutation CreateUser($userData: UserInputType!) {
    userCreate(userData: $userData) { user { id email } }
  }
`;

interface AccountUsers {
  account: { id: string; users: { collectionInfo: { totalItems: number }; edges: { node: { id: string; email: string; status: string } }[] } };
}
interface CompanyUsers {
  users: { totalCount: number; edges: { node: { id: string; email: string; companyRoleName: string } }[] };
}

/** 429 and 5xx are worth another try; a GraphQL error (HTTP 200) is an answer, not a transient failure */
const isTransient = (error: unknown) => {
  const status = (error as Partial<ServerError> | undefined)?.statusCode;
  return status === 429 || (status !== undefined && status >= 500);
};

/** What your app builds once: retry → http. `getToken` feeds the B2B bearer; the Account API takes X-Auth-Token. */
function createClient(uri: string, headers: () => Record<string, string>): ApolloClient<NormalizedCacheObject> {
  const retry = new RetryLink({ delay: { initial: 10, max: 100, jitter: false }, attempts: { max: 3, retryIf: isTransient } });
  const auth = setContext((_operation, context) => ({ headers: { ...(context.headers as Record<string, string> | undefined), ...headers() } }));
  // `fetch` looked up per call, so an MSW server started later would see these requests too
  const http = new HttpLink({ uri, fetch: (input, init) => fetch(input, init) });
  return new ApolloClient({ link: from([retry, auth, http]), cache: new InMemoryCache() });
}

describe('Apollo Client against Roster', () => {
  let roster: Roster;
  let world: RosterFork;

  beforeAll(async () => {
    roster = await startRoster(); // the demo world, in-memory SQLite, a free port
  });
  afterAll(async () => roster.close());
  beforeEach(async () => {
    world = await roster.fork();
  });
  afterEach(async () => world.close());

  const accountClient = () => createClient(world.accountGraphqlUrl(ACCOUNT), () => ({ 'X-Auth-Token': roster.tokens['demo-full'] as string }));

  it('Account API: the RetryLink rides out one 503 and the user is added exactly once', async () => {
    const client = accountClient();
    const before = await client.query<AccountUsers>({ query: ACCOUNT_USERS });
    expect(before.data.account.users.collectionInfo.totalItems).toBe(3);

    const rule = await world.faults.add({ match: { api: 'account-graphql', operation: 'addUserToAccount', nth: 1 }, effect: { status: 503 } });
    const result = await client.mutate({ mutation: ADD_USER_TO_ACCOUNT, variables: { email: 'after.retry@example.com' } });
    expect(result.errors).toBeUndefined();

    const calls = await world.requests({ api: 'account-graphql', operation: 'addUserToAccount' });
    expect(calls.map((c) => c.status)).toEqual([503, 200]);
    expect(calls[0]?.fault).toBe(rule.id);
    // Apollo sends the operation name, and the token never shows in the journal
    expect(calls[1]?.request.body).toMatchObject({ operationName: 'AddUserToAccount', variables: { email: 'after.retry@example.com' } });
    expect(calls[1]?.request.headers['x-auth-token']).toBe('[redacted]');

    // the cache still holds the old list: ask the server again
    const after = await client.query<AccountUsers>({ query: ACCOUNT_USERS, fetchPolicy: 'network-only' });
    expect(after.data.account.users.collectionInfo.totalItems).toBe(4);
    expect(after.data.account.users.edges.filter((e) => e.node.email === 'after.retry@example.com').map((e) => e.node.status)).toEqual(['PENDING']);
  });

  it('Account API: after three 503s Apollo reports a ServerError, and nothing was written', async () => {
    const client = accountClient();
    await world.faults.add({ match: { api: 'account-graphql', operation: 'addUserToAccount' }, effect: { status: 503 } });

    const error = await client.mutate({ mutation: ADD_USER_TO_ACCOUNT, variables: { email: 'never@example.com' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApolloError);
    expect(((error as ApolloError).networkError as ServerError | null)?.statusCode).toBe(503);
    expect((await world.requests({ operation: 'addUserToAccount' })).map((c) => c.status)).toEqual([503, 503, 503]);

    await world.faults.clear();
    const users = await client.query<AccountUsers>({ query: ACCOUNT_USERS });
    expect(users.data.account.users.edges.map((e) => e.node.email)).not.toContain('never@example.com');
  });

  it('B2B GraphQL: login, a retried 503 on the list, userCreate; REST reads the new buyer', async () => {
    let token = '';
    const client = createClient(world.b2bGraphqlUrl, (): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {}));
    const login = await client.mutate<{ login: { result: { token: string } } }>({
      mutation: LOGIN,
      variables: { loginData: { storeHash: STORE, email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1 } },
    });
    token = login.data?.login.result.token ?? '';
    expect(token.split('.')).toHaveLength(3);

    await world.faults.add({ match: { api: 'b2b-graphql', operation: 'CompanyUsers', nth: 1 }, effect: { status: 503 } });
    const before = await client.query<CompanyUsers>({ query: COMPANY_USERS, variables: { companyId: GREAT_BUYS } });
    expect(before.data.users.totalCount).toBe(4);
    expect((await world.requests({ operation: 'CompanyUsers' })).map((c) => c.status)).toEqual([503, 200]);

    const created = await client.mutate<{ userCreate: { user: { id: string; email: string } } }>({
      mutation: CREATE_USER,
      variables: { userData: { companyId: GREAT_BUYS, email: 'ben@greatbuys.com', firstName: 'Ben', lastName: 'Cole', phone: '', companyRoleId: 1 } },
      refetchQueries: [{ query: COMPANY_USERS, variables: { companyId: GREAT_BUYS } }],
      awaitRefetchQueries: true,
    });
    const id = created.data?.userCreate.user.id;
    // the refetched list is in Apollo's cache now
    const cached = client.readQuery<CompanyUsers>({ query: COMPANY_USERS, variables: { companyId: GREAT_BUYS } });
    expect(cached?.users.totalCount).toBe(5);
    expect(cached?.users.edges[0]?.node).toMatchObject({ id, email: 'ben@greatbuys.com', companyRoleName: 'Senior Buyer' });

    // the storefront REST API reads the same user with the same token
    const rest = await fetch(`${world.b2bUrl}/api/v2/users/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ code: 200, data: { userId: id, email: 'ben@greatbuys.com', firstName: 'Ben', roleId: '1', companyRoleName: 'Senior Buyer' } });
  });
});
