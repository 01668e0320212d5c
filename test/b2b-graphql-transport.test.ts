import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GREAT_BUYS,
  LOGIN,
  PASSWORD,
  STORE,
  currentCustomerJwt,
  people,
  portal,
  postGraphql,
  postman,
  signIn,
} from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The `/graphql` edge: authentication failures as 40101 (a number), the transport rules of
 * b2b-users-rest.md §14 #32 and #30, the cost limits of §14 #28, the B2B quota (§14 #14, #13), CORS
 * (§14 #16) and GraphiQL.
 */
const USERS = 'query ($companyId: Int!) { users(companyId: $companyId, first: 2) { totalCount } }';
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authToken, Content-Type, Authorization',
  'access-control-allow-methods': 'GET, POST, PUT, OPTIONS, DELETE, PATCH',
  'access-control-max-age': '1728000',
};

function expectCors(headers: Record<string, unknown>) {
  for (const [name, value] of Object.entries(CORS)) expect(headers[name]).toBe(value);
}

function signature(token: string, replacement: string): string {
  const [h, p] = token.split('.');
  return `${h}.${p}.${replacement}`;
}

describe.each(dialects)('B2B GraphQL transport and limits on %s', (dialect) => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ dialect });
    token = await signIn(t.app, people.admin.email);
  });
  afterAll(async () => t.close());

  describe('authentication failures: HTTP 200, data null, extensions.code 40101 as a number', () => {
    const cases: [string, () => Record<string, string>, string][] = [
      ['no Authorization header', () => ({}), 'Invalid token header. No credentials provided.'],
      ['a bare "Bearer" (the portal signed out)', () => ({ authorization: 'Bearer' }), 'Invalid token header. No credentials provided.'],
      ['"Bearer  " with only spaces', () => ({ authorization: 'Bearer   ' }), 'Invalid token header. No credentials provided.'],
      ['another scheme', () => ({ authorization: `Basic ${token}` }), 'Invalid token header. No credentials provided.'],
      ['not a JWT', () => ({ authorization: 'Bearer not-a-jwt' }), 'Error decoding signature.'],
      ['a forged signature', () => ({ authorization: `Bearer ${signature(token, 'AAAA')}` }), 'Error decoding signature.'],
    ];
    it.each(cases)('%s', async (_label, headers, message) => {
      const res = await postGraphql(t.app, { query: USERS, variables: { companyId: GREAT_BUYS } }, { 'content-type': 'application/json', ...headers() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ errors: [{ message, locations: [{ line: 1, column: 28 }], path: ['users'], extensions: { code: 40101 } }], data: { users: null } });
      expect(res.raw).toContain('"code":40101');
      expectCors(res.headers);
    });

    it('a token whose user was deleted since: "Invalid token." (every request re-reads the user)', async () => {
      const created = await postman(t.app, token, 'mutation { userCreate(userData: {companyId: 123456, email: "soon.gone@greatbuys.com", firstName: "Soon", lastName: "Gone", role: 2}) { user { id bcId } } }');
      const { id, bcId } = created.body.data.userCreate.user;
      const auth = await portal(t.app, undefined, 'mutation ($a: UserAuthType!) { authorization(authData: $a) { result { token user { id } } } }', {
        a: { bcToken: currentCustomerJwt(bcId, t.clock.now()), channelId: 1 },
      });
      expect(auth.body.data.authorization.result.user).toEqual({ id });
      const theirToken = auth.body.data.authorization.result.token;
      expect((await portal(t.app, theirToken, 'query { userExtraFields { fieldName } }')).body).toEqual({ data: { userExtraFields: [] } });

      const deleted = await postman(t.app, token, `mutation { userDelete(companyId: 123456, userId: ${id}) { message } }`);
      expect(deleted.body).toEqual({ data: { userDelete: { message: 'Success' } } });
      const after = await portal(t.app, theirToken, 'query { userExtraFields { fieldName } }');
      expect(after.body.errors).toEqual([expect.objectContaining({ message: 'Invalid token.', extensions: { code: 40101 } })]);
    });

    it('login and authorization need no token, and ignore a bad one', async () => {
      for (const authorization of [undefined, 'Bearer', 'Bearer garbage.token.here']) {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
        const login = await postGraphql(t.app, { query: LOGIN, variables: { loginData: { email: people.senior.email, password: PASSWORD, storeHash: STORE } } }, headers);
        expect(login.status).toBe(200);
        expect(login.body).not.toHaveProperty('errors');
        expect(typeof login.body.data.login.result.token).toBe('string');
        const auth = await postGraphql(
          t.app,
          { query: 'mutation ($t: String!) { authorization(authData: {bcToken: $t}) { result { token loginType } } }', variables: { t: currentCustomerJwt(people.senior.bcId, t.clock.now()) } },
          headers,
        );
        expect(auth.body).not.toHaveProperty('errors');
        expect(auth.body.data.authorization.result.loginType).toBe(2);
      }
    });

    it('wrong credentials are REST\'s 400 "Customer auth failed"; a bad Current Customer JWT is 40101', async () => {
      const login = await portal(t.app, undefined, LOGIN, { loginData: { email: people.admin.email, password: 'wrong', storeHash: STORE, channelId: 1 } });
      expect(login.body).toEqual({ errors: [expect.objectContaining({ message: 'Customer auth failed', path: ['login'], extensions: { code: 400 } })], data: { login: null } });
      const auth = await portal(t.app, undefined, 'mutation ($t: String!) { authorization(authData: {bcToken: $t}) { result { token } } }', {
        t: currentCustomerJwt(people.admin.bcId, t.clock.now(), { secret: 'not-the-store-secret' }),
      });
      expect(auth.body.errors).toEqual([expect.objectContaining({ message: 'Error decoding signature.', extensions: { code: 40101 } })]);
      expect(auth.body.data).toEqual({ authorization: null });
    });

    it('token types on the wire: a B2C customer may sign in but gets no Company user and no permissions', async () => {
      const res = await portal(t.app, undefined, 'mutation ($d: UserLoginType!) { login(loginData: $d) { result { token user { id } permissions { code } } } }', {
        d: { email: people.b2cCustomer.email, password: PASSWORD, storeHash: STORE },
      });
      expect(res.body.data.login.result).toMatchObject({ user: null, permissions: [] });
      const b2cToken = res.body.data.login.result.token;
      const users = await portal(t.app, b2cToken, USERS, { companyId: GREAT_BUYS });
      expect(users.body.errors[0]).toMatchObject({ message: 'You do not have permission to perform this action.', extensions: { code: 403 } });
    });
  });

  describe('request errors: HTTP 200 with errors[] code 400 and no data', () => {
    const cases: [string, string, Record<string, unknown> | undefined, RegExp][] = [
      ['a syntax error', '{ users(companyId: ', undefined, /^Syntax Error: /],
      ['an unknown field', '{ nope }', undefined, /^Cannot query field "nope" on type "Query"\.$/],
      ['a missing required argument', '{ users { totalCount } }', undefined, /argument "companyId" of type "Int!" is required/],
      ['a variable of the wrong type', 'query ($first: Int!) { users(companyId: 123456, first: $first) { totalCount } }', { first: 'twelve' }, /^Variable "\$first" got invalid value "twelve"; Int cannot represent non-integer value: "twelve"$/],
      ['a missing required variable', 'query ($first: Int!) { users(companyId: 123456, first: $first) { totalCount } }', {}, /^Variable "\$first" of required type "Int!" was not provided\.$/],
      ['a Decimal that is not a number', 'query ($r: Decimal) { users(companyId: 123456, role: $r) { totalCount } }', { r: 'junior' }, /^Variable "\$r" got invalid value "junior"; Decimal cannot represent value: "junior"$/],
      ['several operations without operationName', 'query A { userExtraFields { fieldName } } query B { userExtraFields { labelName } }', undefined, /^Must provide operation name/],
      ['a subscription', 'subscription { users }', undefined, /Schema is not configured|subscription/i],
    ];
    it.each(cases)('%s', async (_label, query, variables, message) => {
      const res = await postman(t.app, token, query, variables);
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('data');
      expect(res.body.errors.length).toBeGreaterThanOrEqual(1);
      expect(res.body.errors[0].message).toMatch(message);
      for (const error of res.body.errors) expect(error.extensions).toEqual({ code: 400 });
    });

    it('a compiled document words bad variables as on its first runs (graphql-jit coerces; graphql-js words its refusals)', async () => {
      const firstDoc = 'query ($first: Int!) { users(companyId: 123456, first: $first) { totalCount } }';
      const roleDoc = 'query ($r: Decimal) { users(companyId: 123456, role: $r) { totalCount } }';
      const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
        [firstDoc, { first: 'twelve' }, { first: 5 }],
        [firstDoc, { first: 3.5 }, { first: 5 }],
        [firstDoc, { first: 2 ** 40 }, { first: 5 }],
        [firstDoc, { first: true }, { first: 5 }],
        [firstDoc, {}, { first: 5 }],
        [firstDoc, { first: null }, { first: 5 }],
        [roleDoc, { r: 'junior' }, { r: 1 }],
        [roleDoc, { r: [1] }, { r: 1 }],
      ];
      for (const [i, [doc, bad, good]] of cases.entries()) {
        const query = `${doc} # case ${i}`;
        const first = await postman(t.app, token, query, bad);
        expect(first.body, query).not.toHaveProperty('data');
        for (let run = 0; run < 3; run += 1) expect((await postman(t.app, token, query, good)).body, query).toEqual({ data: { users: { totalCount: expect.any(Number) } } });
        const compiled = await postman(t.app, token, query, bad);
        expect(compiled.body, `${query} ${JSON.stringify(bad)}`).toEqual(first.body);
      }
    });

    it('variables the document does not declare are ignored', async () => {
      const res = await postman(t.app, token, USERS, { companyId: GREAT_BUYS, search: 'x', createdBy: '', email: '', whatever: { deep: [1] } });
      expect(res.body).toEqual({ data: { users: { totalCount: 4 } } });
    });

    it('a named operation is picked by operationName; an unknown name is a request error', async () => {
      const two = 'query A { userExtraFields { fieldName } } query B { users(companyId: 123456) { totalCount } }';
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
      expect((await postGraphql(t.app, { query: two, operationName: 'B' } as never, headers)).body).toEqual({ data: { users: { totalCount: 4 } } });
      const unknown = await postGraphql(t.app, { query: two, operationName: 'C' } as never, headers);
      expect(unknown.body).toEqual({ errors: [{ message: 'Unknown operation named "C".', extensions: { code: 400 } }] });
    });
  });

  describe('transport', () => {
    const post = (payload: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/graphql', payload, headers });

    it.each([
      ['not JSON', '{"query": '],
      ['a batched array', JSON.stringify([{ query: '{ userExtraFields { fieldName } }' }])],
      ['a JSON string', JSON.stringify('{ userExtraFields { fieldName } }')],
      ['no query', JSON.stringify({ variables: {} })],
      ['variables that are not an object', JSON.stringify({ query: '{ userExtraFields { fieldName } }', variables: [1] })],
      ['an empty body', ''],
    ])('%s: HTTP 400 with errors[] code 400', async (_label, payload) => {
      const res = await post(payload, { 'content-type': 'application/json', authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['errors']);
      expect(body.errors[0].extensions).toEqual({ code: 400 });
      expectCors(res.headers);
    });

    it.each([['text/plain'], ['application/graphql'], ['application/x-www-form-urlencoded'], ['multipart/form-data; boundary=x']])('content type %s: 415', async (type) => {
      const res = await post(JSON.stringify({ query: '{ userExtraFields { fieldName } }' }), { 'content-type': type, authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual({ errors: [{ message: 'Unsupported media type', extensions: { code: 415 } }] });
    });

    it('no content type: 415; "application/json; charset=UTF-8": served', async () => {
      const none = await t.app.inject({ method: 'POST', url: '/graphql', payload: Buffer.from(JSON.stringify({ query: '{ __typename }' })), headers: { authorization: `Bearer ${token}` } });
      expect(none.statusCode).toBe(415);
      const withCharset = await post(JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'application/json; charset=UTF-8' });
      expect(withCharset.statusCode).toBe(200);
      expect(withCharset.json()).toEqual({ data: { __typename: 'Query' } });
    });

    it.each([['PUT'], ['DELETE'], ['PATCH']] as const)('%s: 405 with Allow', async (method) => {
      const res = await t.app.inject({ method, url: '/graphql', payload: JSON.stringify({ query: '{ __typename }' }), headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('GET, POST, OPTIONS');
      expect(res.json()).toEqual({ errors: [{ message: 'Method not allowed', extensions: { code: 405 } }] });
      expectCors(res.headers);
    });

    it('GET: GraphiQL for Accept text/html, 405 otherwise', async () => {
      const page = await t.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('GraphiQL');
      expect(page.body).toContain('"endpoint":"/graphql"');
      expect(page.body).toContain('/_assets/graphiql/graphiql.min.js');
      const asset = await t.app.inject({ method: 'GET', url: '/_assets/graphiql/graphiql.min.js' });
      expect(asset.statusCode).toBe(200);
      const json = await t.app.inject({ method: 'GET', url: '/graphql?query=%7B__typename%7D', headers: { accept: 'application/json' } });
      expect(json.statusCode).toBe(405);
      expect(json.headers.allow).toBe('GET, POST, OPTIONS');
    });

    it('OPTIONS: 204 preflight with the CORS headers', async () => {
      const res = await t.app.inject({ method: 'OPTIONS', url: '/graphql', headers: { origin: 'https://store.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expectCors(res.headers);
    });

    it('a body over 1 MiB: 413 in the API\'s format, nothing written', async () => {
      const query = 'mutation ($pad: String) { userCreate(userData: {companyId: 123456, email: "too.big@greatbuys.com", firstName: "Too", lastName: "Big", role: 2}) { user { id } } }';
      const res = await post(JSON.stringify({ query, variables: { pad: 'x'.repeat(1024 * 1024) } }), { 'content-type': 'application/json', authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ errors: [{ message: 'Request Entity Too Large', extensions: { code: 413 } }] });
      expectCors(res.headers);
      const check = await postman(t.app, token, 'query { userEmailCheck(email: "too.big@greatbuys.com") { userType } }');
      expect(check.body).toEqual({ data: { userEmailCheck: { userType: 1 } } });
    });

    it('accept */* and Accept text/html on POST are answered with JSON; success has no errors key', async () => {
      for (const accept of ['*/*', 'text/html', 'application/json', 'application/graphql-response+json']) {
        const res = await post(JSON.stringify({ query: '{ userExtraFields { fieldName } }' }), { 'content-type': 'application/json', accept, authorization: `Bearer  ${token}` });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(res.body).toBe('{"data":{"userExtraFields":[]}}');
        expect(res.headers['x-request-id']).toBeTruthy();
      }
    });

    it('introspection is allowed', async () => {
      const res = await postman(t.app, undefined, '{ __schema { queryType { name } mutationType { name } } __type(name: "UserType") { fields { name } } }');
      expect(res.body.data.__schema).toEqual({ queryType: { name: 'Query' }, mutationType: { name: 'Mutation' } });
      expect(res.body.data.__type.fields.map((f: { name: string }) => f.name)).toContain('companyRoleName');
    });

    it('ids that cannot exist are not found, never parsed by prefix', async () => {
      const res = await postman(t.app, token, '{ user(companyId: 123456, userId: -1) { id } }');
      expect(res.body.errors[0]).toMatchObject({ message: 'User matching query does not exist.', extensions: { code: 404 } });
      const company = await postman(t.app, token, '{ users(companyId: 999999) { totalCount } }');
      expect(company.body).toEqual({
        errors: [{ message: 'Company matching query does not exist.', locations: [{ line: 1, column: 3 }], path: ['users'], extensions: { code: 404 } }],
        data: { users: null },
      });
    });
  });

  describe('cost limits (§14 #28)', () => {
    const wideNode = 'id createdAt updatedAt firstName lastName email phone bcId role masqueradingCompanyId uuid companyRoleId companyRoleName companyInfo { companyId companyName }';

    it('complexity above 4,500 is refused with the Account API\'s text and 4500', async () => {
      // users 1 + 250 × (edges 1 + node 1 + 13 fields + companyInfo 1 + its 2) = 4501
      const res = await postman(t.app, token, `{ users(companyId: 123456, first: 250) { edges { node { ${wideNode} } } } }`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        errors: [{ message: 'The query is too complex as it has a complexity score of 4501 out of 4500. Please remove some elements and try again', extensions: { code: 400 } }],
      });
    });

    it('page sizes above 250 score as 250; variables count; no first/last scores 10', async () => {
      const capped = await postman(t.app, token, 'query ($n: Int) { users(companyId: 123456, first: $n) { edges { node { id } } } }', { n: 100000 });
      expect(capped.body).not.toHaveProperty('errors');
      expect(capped.body.data.users.edges).toHaveLength(4);
      const viaVariable = await postman(t.app, token, `query ($n: Int) { users(companyId: 123456, first: $n) { edges { node { ${wideNode} } } } }`, { n: 250 });
      expect(viaVariable.body.errors[0].message).toContain('complexity score of 4501 out of 4500');
      const defaulted = await postman(t.app, token, `{ users(companyId: 123456) { edges { node { ${wideNode} } } } }`);
      expect(defaulted.body).not.toHaveProperty('errors');
      const many = Array.from({ length: 30 }, (_, i) => `u${i}: users(companyId: 123456, first: 10) { edges { node { ${wideNode} } } }`).join(' ');
      const sum = await postman(t.app, token, `{ ${many} }`);
      expect(sum.body.errors[0].message).toContain('complexity score of 5430 out of 4500');
    });

    it('a depth above 15 is refused', async () => {
      let inner = 'name';
      // __type 1 + 13 × ofType + name = 15
      for (let i = 0; i < 13; i += 1) inner = `ofType { ${inner} }`;
      const ok = await postman(t.app, undefined, `{ __type(name: "UserType") { ${inner} } }`);
      expect(ok.body).not.toHaveProperty('errors');
      const tooDeep = await postman(t.app, undefined, `{ __type(name: "UserType") { ofType { ${inner} } } }`);
      expect(tooDeep.status).toBe(200);
      expect(tooDeep.body).toEqual({ errors: [{ message: 'The query has a depth of 16; at most 15 is allowed.', extensions: { code: 400 } }] });
    });

    it('more than 100 aliases are refused', async () => {
      const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
      expect((await postman(t.app, undefined, aliases(100))).body).not.toHaveProperty('errors');
      const tooMany = await postman(t.app, undefined, aliases(101));
      expect(tooMany.body).toEqual({ errors: [{ message: 'The query uses 101 aliases; at most 100 are allowed.', extensions: { code: 400 } }] });
    });

    it('paging values are lenient (§14 #33): first < 1 → 10, negative offset → 0, bad cursors ignored', async () => {
      const res = await postman(t.app, token, '{ users(companyId: 123456, first: 0, offset: -5, after: "bm90IGEgY3Vyc29y") { totalCount edges { node { id } } pageInfo { hasPreviousPage } } }');
      expect(res.body).toEqual({
        data: { users: { totalCount: 4, edges: [{ node: { id: '126' } }, { node: { id: '125' } }, { node: { id: '124' } }, { node: { id: '123' } }], pageInfo: { hasPreviousPage: false } } },
      });
      const roles = await postman(t.app, token, '{ companyRoles(first: -1, offset: -2) { totalCount edges { node { name } } } }');
      expect(roles.body.data.companyRoles.edges).toHaveLength(4);
      const bad = await postman(t.app, token, '{ users(companyId: 123456, role: 9) { totalCount } }');
      expect(bad.body.errors[0]).toMatchObject({ message: 'role: "9" is not a valid choice.', extensions: { code: 422 } });
    });
  });
});

describe.each(dialects)('B2B GraphQL quota on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ dialect, b2bRateLimit: { requests: 3, windowMs: 60_000 }, now: Date.UTC(2026, 10, 29, 12) });
  });
  afterAll(async () => t.close());

  it('counts per store (login by its storeHash, others by the token), answers 429 over quota, and resets with the window', async () => {
    // requests whose store is unknown are not counted
    for (let i = 0; i < 5; i += 1) {
      const res = await postman(t.app, 'not-a-token', USERS, { companyId: GREAT_BUYS });
      expect(res.body.errors[0].extensions.code).toBe(40101);
      expect(res.headers['x-requests-remaining']).toBeUndefined();
    }

    // nor are requests naming a store that does not exist
    for (const storeHash of ['nostore1', 'nostore2', 'nostore3', 'nostore4']) {
      const res = await postman(t.app, undefined, 'query ($s: String!) { customerEmailCheck(email: "a@b.co", storeHash: $s) { userType } }', { s: storeHash });
      expect(res.body).toEqual({ data: { customerEmailCheck: { userType: 1 } } });
      expect(res.headers['x-requests-remaining']).toBeUndefined();
    }

    const login = await portal(t.app, undefined, LOGIN, { loginData: { email: people.admin.email, password: PASSWORD, storeHash: STORE, channelId: 1 } });
    expect(login.status).toBe(200);
    expect(login.headers['x-requests-allocated']).toBe('3 times/60 s');
    expect(login.headers['x-requests-window-length']).toBe('3 times');
    expect(login.headers['x-requests-remaining']).toBe('2 times');
    expect(login.headers['x-request-window-resets-after']).toBe('60.000 s');
    const token = login.body.data.login.result.token;

    // a request error still counts once the store is known
    const bad = await postman(t.app, token, '{ nope }');
    expect(bad.headers['x-requests-remaining']).toBe('1 times');
    const third = await postman(t.app, token, USERS, { companyId: GREAT_BUYS });
    expect(third.status).toBe(200);
    expect(third.headers['x-requests-remaining']).toBe('0 times');

    t.clock.advance(15_000);
    const over = await postman(t.app, token, USERS, { companyId: GREAT_BUYS });
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('45');
    expect(over.headers['x-request-window-resets-after']).toBe('45.000 s');
    expect(over.body).toEqual({ errors: [{ message: 'Request was throttled. Expected available in 45 seconds.', extensions: { code: 429 } }] });
    expectCors(over.headers);

    const loginOver = await portal(t.app, undefined, LOGIN, { loginData: { email: people.admin.email, password: PASSWORD, storeHash: STORE, channelId: 1 } });
    expect(loginOver.status).toBe(429);
    expect(loginOver.body).toEqual({ errors: [{ message: 'Request was throttled. Expected available in 45 seconds.', extensions: { code: 429 } }] });
    const authOver = await portal(t.app, undefined, 'mutation ($t: String!) { authorization(authData: {bcToken: $t}) { result { token } } }', {
      t: currentCustomerJwt(people.admin.bcId, t.clock.now()),
    });
    expect(authOver.status).toBe(429);
    const registrationOver = await postman(t.app, undefined, 'query { customerEmailCheck(email: "a@b.co", storeHash: "f0qyczpkb2") { userType } }');
    expect(registrationOver.status).toBe(429);

    t.clock.advance(45_000);
    const again = await postman(t.app, token, USERS, { companyId: GREAT_BUYS });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ data: { users: { totalCount: 4 } } });
    expect(again.headers['x-requests-remaining']).toBe('2 times');
  });
});

describe.each(dialects)('B2B GraphQL unexpected failures on %s', (dialect) => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ dialect });
    token = await signIn(t.app, people.admin.email);
  });
  afterAll(async () => t.close());

  it('a failing resolver is masked as "Internal server error" (code 500); the other fields still answer', async () => {
    // fault injection: the shared service throws something that is not an AppError
    const users = t.app.services.companyUsers as { list: (...args: unknown[]) => Promise<unknown> };
    const original = users.list;
    users.list = async () => {
      throw new Error('connection to db-secret-host:5432 refused');
    };
    try {
      const res = await postman(t.app, token, '{ users(companyId: 123456) { totalCount } userExtraFields { fieldName } }');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        errors: [{ message: 'Internal server error', locations: [{ line: 1, column: 3 }], path: ['users'], extensions: { code: 500 } }],
        data: { users: null, userExtraFields: [] },
      });
      expect(res.raw).not.toContain('db-secret-host');
    } finally {
      users.list = original;
    }
  });

  it('a failure before execution is a 500 in the API\'s format, without details', async () => {
    const tokens = t.app.services.b2bTokens as { decode: (...args: unknown[]) => unknown };
    const original = tokens.decode;
    tokens.decode = () => {
      throw new Error('secret=abc123');
    };
    try {
      const res = await postman(t.app, token, '{ userExtraFields { fieldName } }');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ errors: [{ message: 'Internal server error', extensions: { code: 500 } }] });
      expect(res.raw).not.toContain('abc123');
      expectCors(res.headers);
    } finally {
      tokens.decode = original;
    }
  });
});

describe.each(dialects)('B2B GraphQL over real HTTP on %s', (dialect) => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp({ dialect });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `${address}/graphql`;
  });
  afterAll(async () => t.close());

  it('the portal\'s fetch (signed-out "Bearer  " trimmed by fetch, then "Bearer  <token>") and a generic client (graphql-request)', async () => {
    const portalFetch = async (token: string, query: string, variables?: Record<string, unknown>) => {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer  ${token}` }, body: JSON.stringify({ query, variables }) });
      return { status: res.status, body: (await res.json()) as { data?: { login?: { result: { token: string } } }; errors?: unknown[] } };
    };
    const login = await portalFetch('', LOGIN, { loginData: { email: people.admin.email, password: PASSWORD, storeHash: STORE, channelId: 1 } });
    expect(login.status).toBe(200);
    expect(login.body).not.toHaveProperty('errors');
    const token = login.body.data?.login?.result.token as string;
    const users = await portalFetch(token, USERS, { companyId: GREAT_BUYS });
    expect(users.body).toEqual({ data: { users: { totalCount: 4 } } });

    const { GraphQLClient } = await import('graphql-request');
    const client = new GraphQLClient(url, { headers: { authorization: `Bearer ${token}` } });
    const data = await client.request<{ companyRoles: { edges: { node: { id: string; name: string } }[] } }>('query ($c: Int) { companyRoles(companyId: $c) { edges { node { id name } } } }', { c: GREAT_BUYS });
    expect(data.companyRoles.edges.map((e) => e.node)).toContainEqual({ id: '2', name: 'Junior Buyer' });
    await expect(new GraphQLClient(url).request('{ users(companyId: 123456) { totalCount } }')).rejects.toThrow(/Invalid token header/);
  });
});
