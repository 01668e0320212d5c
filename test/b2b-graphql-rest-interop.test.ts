import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GREAT_BUYS, PASSWORD, STORE, people, postman, signIn } from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * GraphQL and REST share one domain and one store: what one API writes, the other reads at once,
 * and a token from either works on both (b2b-users-rest.md §10: "GraphQL equivalent").
 */
const GET_USER = 'query ($c: Int!, $u: Int!) { user(companyId: $c, userId: $u) { id bcId firstName lastName email phone role companyRoleId companyRoleName } }';

describe.each(dialects)('B2B GraphQL and REST read each other\'s writes on %s', (dialect) => {
  let t: TestApp;
  let gqlToken: string;
  let restToken: string;

  const rest = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, body?: unknown) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });

  beforeAll(async () => {
    t = await createTestApp({ dialect });
    gqlToken = await signIn(t.app, people.admin.email);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/io/auth/customers',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ storeHash: STORE, email: people.admin.email, password: PASSWORD, channelId: 1, name: 'interop' }),
    });
    expect(res.statusCode).toBe(200);
    restToken = res.json().data.token;
  });
  afterAll(async () => t.close());

  it('a token from either API works on the other', async () => {
    const viaRest = await postman(t.app, restToken, '{ users(companyId: 123456) { totalCount } }');
    expect(viaRest.body).toEqual({ data: { users: { totalCount: 4 } } });
    const viaGraphql = await rest('GET', '/api/v2/users', gqlToken);
    expect(viaGraphql.statusCode).toBe(200);
    expect(viaGraphql.json().data.pagination.totalCount).toBe(4);
  });

  it('userCreate → REST GET /api/v2/users/{id} and /api/v2/users/{bcId}?isBcId=1', async () => {
    const created = await postman(
      t.app,
      gqlToken,
      'mutation { userCreate(userData: { companyId: 123456, email: "from.graphql@greatbuys.com", firstName: "From", lastName: "Graphql", phone: "555-0101", companyRoleId: 5 }) { user { id bcId } } }',
    );
    expect(created.body).not.toHaveProperty('errors');
    const { id, bcId } = created.body.data.userCreate.user;

    for (const url of [`/api/v2/users/${id}`, `/api/v2/users/${bcId}?isBcId=1`]) {
      const res = await rest('GET', url, restToken);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        code: 200,
        message: 'SUCCESS',
        data: {
          roleId: '2',
          userId: id,
          firstName: 'From',
          lastName: 'Graphql',
          phoneNumber: '555-0101',
          email: 'from.graphql@greatbuys.com',
          companyRoleId: '5',
          companyRoleName: 'User Manager',
        },
      });
    }
    const list = await rest('GET', '/api/v2/users?limit=1', restToken);
    expect(list.json().data.list[0]).toMatchObject({ id, email: 'from.graphql@greatbuys.com', role: '2' });
    expect(list.json().data.pagination.totalCount).toBe(5);
  });

  it('REST POST and PUT → GraphQL user and users', async () => {
    const created = await rest('POST', '/api/v2/users', restToken, {
      companyId: String(GREAT_BUYS),
      firstName: 'From',
      lastName: 'Rest',
      email: 'from.rest@greatbuys.com',
      phoneNumber: '555-0202',
      role: '1',
    });
    expect(created.statusCode).toBe(200);
    const { userId, bcId } = created.json().data;

    const read = await postman(t.app, gqlToken, GET_USER, { c: GREAT_BUYS, u: Number(userId) });
    expect(read.body).toEqual({
      data: {
        user: {
          id: userId,
          bcId: Number(bcId),
          firstName: 'From',
          lastName: 'Rest',
          email: 'from.rest@greatbuys.com',
          phone: '555-0202',
          role: 1,
          companyRoleId: 1,
          companyRoleName: 'Senior Buyer',
        },
      },
    });

    const put = await rest('PUT', `/api/v2/users/${userId}`, restToken, {
      firstName: 'Changed',
      lastName: 'ByRest',
      email: 'changed.by.rest@greatbuys.com',
      phoneNumber: '',
      role: '0',
    });
    expect(put.statusCode).toBe(200);
    const after = await postman(t.app, gqlToken, GET_USER, { c: GREAT_BUYS, u: Number(userId) });
    expect(after.body.data.user).toMatchObject({ firstName: 'Changed', lastName: 'ByRest', email: 'changed.by.rest@greatbuys.com', phone: '', role: 0, companyRoleName: 'Admin' });
    const list = await postman(t.app, gqlToken, '{ users(companyId: 123456, first: 1) { totalCount edges { node { id } } } }');
    expect(list.body.data.users).toEqual({ totalCount: 6, edges: [{ node: { id: userId } }] });
  });

  it('userUpdate → REST; REST DELETE → GraphQL 404; userDelete → REST 404', async () => {
    const list = await postman(t.app, gqlToken, '{ users(companyId: 123456, first: 2) { edges { node { id email } } } }');
    const [newest, second] = list.body.data.users.edges.map((e: { node: { id: string; email: string } }) => e.node);

    const updated = await postman(t.app, gqlToken, `mutation { userUpdate(userData: { companyId: 123456, userId: ${newest.id}, lastName: "ByGraphql", companyRoleId: 2 }) { user { id } } }`);
    expect(updated.body).not.toHaveProperty('errors');
    const viaRest = await rest('GET', `/api/v2/users/${newest.id}`, restToken);
    expect(viaRest.json().data).toMatchObject({ firstName: 'Changed', lastName: 'ByGraphql', roleId: '2', companyRoleId: '2', companyRoleName: 'Junior Buyer' });

    const deleted = await rest('DELETE', `/api/v2/users/${newest.id}`, restToken);
    expect(deleted.statusCode).toBe(200);
    const gone = await postman(t.app, gqlToken, GET_USER, { c: GREAT_BUYS, u: Number(newest.id) });
    expect(gone.body.errors[0]).toMatchObject({ message: 'User matching query does not exist.', extensions: { code: 404 } });

    const graphqlDelete = await postman(t.app, gqlToken, `mutation { userDelete(companyId: 123456, userId: ${second.id}) { message } }`);
    expect(graphqlDelete.body).toEqual({ data: { userDelete: { message: 'Success' } } });
    const restGone = await rest('GET', `/api/v2/users/${second.id}`, restToken);
    expect(restGone.statusCode).toBe(404);
    expect(restGone.json().data.errMsg).toBe('User matching query does not exist.');

    const counts = await rest('GET', '/api/v2/users', restToken);
    expect(counts.json().data.pagination.totalCount).toBe(4);
    const gqlCount = await postman(t.app, gqlToken, '{ users(companyId: 123456) { totalCount } }');
    expect(gqlCount.body.data.users.totalCount).toBe(4);
  });

  it('the quota is one per store across both APIs', async () => {
    const limited = await createTestApp({ dialect, b2bRateLimit: { requests: 2, windowMs: 60_000 } });
    try {
      const token = await signIn(limited.app, people.admin.email); // 1: GraphQL login
      const restCall = await limited.app.inject({ method: 'GET', url: '/api/v2/users', headers: { authorization: `Bearer ${token}` } }); // 2: REST
      expect(restCall.statusCode).toBe(200);
      expect(restCall.headers['x-requests-remaining']).toBe('0 times');
      const over = await postman(limited.app, token, '{ users(companyId: 123456) { totalCount } }'); // 3: GraphQL
      expect(over.status).toBe(429);
      expect(over.body.errors[0].extensions).toEqual({ code: 429 });
    } finally {
      await limited.close();
    }
  });
});
