import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/dialects.js';
import { LINGER_BYTES } from '../../src/http/connection-lifecycle.js';
import { digestDatabase } from '../helpers/reliability-digest.js';
import { type B2bTokens, signInDemoPeople } from '../helpers/reliability-requests-b2b-rest.js';
import { type ManagementRouteClass, managementRoutes, managementUrl } from '../helpers/reliability-requests-b2b-management.js';
import { assertLogsFreeOfSecrets, createLoggedTestApp } from '../helpers/reliability-secrets.js';
import { cloneDemo, createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Resource limits: request bodies over 1 MiB get 413 in each API's own format (and nothing is
 * written); the GraphQL depth, alias and complexity limits hold on both GraphQL APIs; page sizes
 * above the maximum are capped (B2B REST and B2B GraphQL: 250) or refused (Account API: 50), as the
 * specs say. Real HTTP shows that an oversized body is refused without being read to the end.
 */
const ACCOUNT_A = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
const ACCOUNT_URL = `/accounts/${ACCOUNT_A}/graphql`;
const MiB = 1024 * 1024;
/** the demo's store-level token of f0qyczpkb2 (B2B Management API) */
const MANAGEMENT = { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': 'f0qyczpkb2' };
/** b2b-management-rest.md §3.2: the shared layer's 413, byte for byte */
const MANAGEMENT_413 = '{"code":413,"meta":{"message":"Request Entity Too Large"},"data":{"errMsg":"Request Entity Too Large"}}';

/** The demo world plus 296 more Great Buys users and 57 more account members, to see page caps. */
function bigWorld(): unknown {
  const world = cloneDemo<{
    accounts: { users: Record<string, unknown>[] }[];
    b2b: { stores: { companies: { id: number; users: Record<string, unknown>[] }[] }[] };
  }>();
  const greatBuys = world.b2b.stores[0]?.companies.find((c) => c.id === 123456);
  for (let i = 0; i < 296; i++) {
    greatBuys?.users.push({ email: `bulk.${i}@greatbuys.com`, firstName: 'Bulk', lastName: `User ${i}`, phoneNumber: '', role: 2 });
  }
  for (let i = 0; i < 57; i++) world.accounts[0]?.users.push({ email: `member.${i}@example.com`, firstName: 'Member', lastName: String(i) });
  // 260 more Companies, direct subsidiaries of Great Buys, without users: Management API pages past 250
  const companies = world.b2b.stores[0]?.companies as unknown as Record<string, unknown>[];
  for (let i = 0; i < 260; i++) companies.push({ id: 800_000 + i, name: `Subsidiary ${i}`, status: 1, parentId: 123456, users: [] });
  return world;
}

describe.each(dialects)('resource limits on %s', (dialect) => {
  let t: TestApp;
  let tokens: B2bTokens;
  let managementRoutes_: ManagementRouteClass[] = [];
  let managementBodyRoutes: ManagementRouteClass[] = [];
  beforeAll(async () => {
    t = await createLoggedTestApp({ dialect, fixture: bigWorld() });
    tokens = await signInDemoPeople(t.app);
    managementRoutes_ = await managementRoutes(t.app);
    managementBodyRoutes = managementRoutes_.filter((r) => r.body !== undefined);
  });
  afterAll(async () => t.close());

  const account = (query: string, variables?: unknown) =>
    t.app.inject({ method: 'POST', url: ACCOUNT_URL, headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' }, payload: { query, variables } });
  const b2b = (query: string) =>
    t.app.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, payload: { query } });

  it('answers 413 to bodies over 1 MiB on every API, in its own format, writing nothing', async () => {
    const before = await digestDatabase(t.database);
    const pad = 'x'.repeat(MiB + 16);
    const admin = { authorization: `Bearer ${tokens.admin}` };
    const cases = [
      { url: ACCOUNT_URL, method: 'POST' as const, headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' }, payload: JSON.stringify({ query: '{ account { id } }', pad }), format: 'account' },
      { url: ACCOUNT_URL, method: 'POST' as const, headers: { 'content-type': 'text/plain' }, payload: pad, format: 'account' },
      { url: '/api/v2/users', method: 'POST' as const, headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify({ firstName: pad }), format: 'rest' },
      { url: '/api/v2/users', method: 'POST' as const, headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: `firstName=${pad}`, format: 'rest' },
      { url: '/api/v2/users/124', method: 'PUT' as const, headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify({ firstName: pad }), format: 'rest' },
      { url: '/api/v2/login', method: 'POST' as const, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ bcToken: pad }), format: 'rest' },
      { url: '/api/io/auth/customers', method: 'POST' as const, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: pad }), format: 'auth' },
      { url: '/graphql', method: 'POST' as const, headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify({ query: '{ userExtraFields { fieldName } }', pad }), format: 'b2b-graphql' },
      { url: '/graphql', method: 'POST' as const, headers: { 'content-type': 'text/plain' }, payload: pad, format: 'b2b-graphql' },
      // the Management API: every route that reads a body, by the server's own route list (below)
      ...managementBodyRoutes.map((route) => ({
        url: managementUrl(route, { userId: '124', companyId: '123456' }),
        method: route.method as 'POST' | 'PUT',
        headers: { ...MANAGEMENT, 'content-type': 'application/json' },
        payload: route.body === 'array' ? JSON.stringify([{ firstName: pad }]) : JSON.stringify({ firstName: pad }),
        format: route.operationId === 'put-companies-companyId-catalog' ? 'management-405' : 'management',
      })),
      { url: '/api/v3/io/users', method: 'POST' as const, headers: { ...MANAGEMENT, 'content-type': 'text/plain' }, payload: pad, format: 'management' },
      { url: '/api/v3/io/users', method: 'POST' as const, headers: { authtoken: 'demo-legacy-b2b-authtoken' }, payload: pad, format: 'management' },
    ];
    expect(managementBodyRoutes.length).toBeGreaterThanOrEqual(10);
    for (const c of cases) {
      const res = await t.app.inject({ method: c.method, url: c.url, headers: c.headers, payload: c.payload });
      // the catalogs PUT is a fixed 405 that never reads its body (b2b-management-rest.md §1.2, §2.3: 405 before 413)
      if (c.format === 'management-405') {
        expect(res.statusCode, `${c.method} ${c.url}`).toBe(405);
        continue;
      }
      expect(res.statusCode, `${c.method} ${c.url}`).toBe(413);
      const body = res.json();
      if (c.format === 'account') expect(body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      if (c.format === 'rest') expect(body).toEqual({ code: 413, message: 'Request Entity Too Large', data: { errMsg: 'Request Entity Too Large' } });
      if (c.format === 'auth') expect(body).toEqual({ code: 413, data: { errMsg: 'Request Entity Too Large' }, meta: { message: 'Request Entity Too Large' } });
      if (c.format === 'b2b-graphql') expect(body).toEqual({ errors: [{ message: 'Request Entity Too Large', extensions: { code: 413 } }] });
      if (c.format === 'management') expect(res.body).toBe(MANAGEMENT_413);
    }
    expect(await digestDatabase(t.database)).toBe(before);
  });

  it('accepts a body just under 1 MiB', async () => {
    const pad = 'y'.repeat(MiB - 200);
    const a = await t.app.inject({
      method: 'POST',
      url: ACCOUNT_URL,
      headers: { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' },
      payload: JSON.stringify({ query: '{ account { id } }', pad }),
    });
    expect(a.json()).toEqual({ data: { account: { id: `bc/account/account/${ACCOUNT_A}` } } });
    const g = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ query: '{ userExtraFields { fieldName } }', pad }),
    });
    expect(g.statusCode).toBe(200);
    expect(g.json()).not.toHaveProperty('errors');
  });

  /** `{ __type(name) { ofType { ... name } } }` of exactly `depth` levels. */
  const depthDocument = (typeName: string, depth: number) => {
    let inner = 'name';
    for (let i = 0; i < depth - 2; i++) inner = `ofType { ${inner} }`;
    return `{ __type(name: "${typeName}") { ${inner} } }`;
  };
  const aliasDocument = (field: string, count: number) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

  it('Account API: depth 15 and 100 aliases pass, depth 16 and 101 aliases are refused', async () => {
    expect((await account(depthDocument('User', 15))).json()).not.toHaveProperty('errors');
    const deep = (await account(depthDocument('User', 16))).json();
    expect(deep).toEqual({ errors: [{ message: 'The query has a depth of 16; at most 15 is allowed.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    expect((await account(`{ account ${aliasDocument('id', 100)} }`)).json()).not.toHaveProperty('errors');
    const many = (await account(`{ account ${aliasDocument('id', 101)} }`)).json();
    expect(many).toEqual({ errors: [{ message: 'The query uses 101 aliases; at most 100 are allowed.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  });

  it('Account API: complexity over 10,000 is refused with the documented message; the score is reported', async () => {
    // stores(50) x users(50) x 5 fields = 12,500 plus the connection fields
    const heavy = await account('{ account { stores(first: 50) { edges { node { users(first: 50) { edges { node { id email firstName lastName locale } } } } } } } }');
    const body = heavy.json();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].message).toMatch(/^The query is too complex as it has a complexity score of \d+ out of 10000\. Please remove some elements and try again$/);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body).not.toHaveProperty('data.account');
    expect(Number(heavy.headers['x-bc-graphql-complexity'])).toBeGreaterThan(10_000);
    const light = await account('{ account { stores(first: 10) { edges { node { users(first: 10) { edges { node { id email } } } } } } } }');
    expect(light.json()).not.toHaveProperty('errors');
    expect(Number(light.headers['x-bc-graphql-complexity'])).toBeLessThanOrEqual(10_000);
  });

  it('Account API: page sizes above 50 are refused, 50 is served', async () => {
    const over = (await account('{ account { users(first: 51) { edges { node { id } } } } }')).json();
    expect(over.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(over.data.account.users).toBeNull();
    const max = (await account('{ account { users(first: 50) { pageInfo { hasNextPage } edges { node { id } } } } }')).json();
    expect(max.data.account.users.edges).toHaveLength(50);
    expect(max.data.account.users.pageInfo.hasNextPage).toBe(true);
  });

  it('B2B GraphQL: depth, alias and complexity (4,500) limits hold', async () => {
    expect((await b2b(depthDocument('UserType', 15))).json()).not.toHaveProperty('errors');
    expect((await b2b(depthDocument('UserType', 16))).json()).toEqual({ errors: [{ message: 'The query has a depth of 16; at most 15 is allowed.', extensions: { code: 400 } }] });
    expect((await b2b(aliasDocument('userExtraFields { fieldName }', 100))).json()).not.toHaveProperty('errors');
    expect((await b2b(aliasDocument('userExtraFields { fieldName }', 101))).json()).toEqual({
      errors: [{ message: 'The query uses 101 aliases; at most 100 are allowed.', extensions: { code: 400 } }],
    });
    const heavy = (await b2b('{ users(companyId: 123456, first: 250) { edges { node { id email firstName lastName phone role bcId uuid companyRoleId createdAt updatedAt extraFields { fieldName fieldValue } companyInfo { companyId companyName } } } } }')).json();
    expect(heavy.errors).toHaveLength(1);
    expect(heavy.errors[0].message).toMatch(/^The query is too complex as it has a complexity score of \d+ out of 4500\. Please remove some elements and try again$/);
    expect(heavy.errors[0].extensions.code).toBe(400);
  });

  it('B2B GraphQL: first above 250 is capped to 250, below 1 means 10', async () => {
    const capped = (await b2b('{ users(companyId: 123456, first: 1000) { totalCount pageInfo { hasNextPage } edges { node { id } } } }')).json();
    expect(capped.data.users.totalCount).toBe(300);
    expect(capped.data.users.edges).toHaveLength(250);
    expect(capped.data.users.pageInfo.hasNextPage).toBe(true);
    const zero = (await b2b('{ users(companyId: 123456, first: 0) { edges { node { id } } } }')).json();
    expect(zero.data.users.edges).toHaveLength(10);
  });

  it('B2B REST: limit above 250 is capped to 250; bad limit and offset fall back to 10 and 0', async () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens.admin}` } });
    for (const url of ['/api/v2/users?limit=1000', '/api/v2/companies/123456/users?limit=100000', '/api/v2/users?limit=99999999999999999999', `/api/v2/companies/123456/users?limit=${'9'.repeat(400)}`]) {
      const body = (await get(url)).json();
      expect(body.data.list).toHaveLength(250);
      expect(body.data.pagination).toEqual({ totalCount: 300, offset: 0, limit: 250 });
    }
    const lenient = (await get('/api/v2/users?limit=0&offset=-5')).json();
    expect(lenient.data.pagination).toEqual({ totalCount: 300, offset: 0, limit: 10 });
    expect(lenient.data.list).toHaveLength(10);
    const junk = (await get('/api/v2/users?limit=abc&offset=1e3')).json();
    expect(junk.data.pagination).toEqual({ totalCount: 300, offset: 0, limit: 10 });
    // an offset past every row is an empty page, however many digits it has
    const past = (await get('/api/v2/users?limit=5&offset=99999999999999999999')).json();
    expect(past.data).toEqual({ list: [], pagination: { totalCount: 300, offset: Number.MAX_SAFE_INTEGER, limit: 5 } });
  });

  it('Management API: limit above 250 is capped to 250 on every list; bad limit and offset fall back to 10 and 0; hierarchy levels are never cut', async () => {
    const get = (path: string) => t.app.inject({ method: 'GET', url: `/api/v3/io${path}`, headers: MANAGEMENT });
    // lists by the server's own route list: every GET without a path id but the permission catalogue (no paging, §7.3), plus the hierarchy reads
    const lists = managementRoutes_.filter((r) => r.method === 'GET' && (r.params.length === 0 || /subsidiaries|hierarchy/.test(r.template)) && !r.template.endsWith('/permissions'));
    expect(lists.length).toBeGreaterThanOrEqual(7);
    const totals: Record<string, number> = {};
    for (const route of lists) {
      const path = route.template.replace('{companyId}', '123456');
      for (const limit of ['1000', '100000', '99999999999999999999', '9'.repeat(400)]) {
        const res = await get(`${path}?limit=${limit}`);
        expect(res.statusCode, `${path}?limit=${limit}: ${res.body.slice(0, 200)}`).toBe(200);
        const body = res.json();
        expect(body.meta.pagination.limit, path).toBe(250);
        expect(body.meta.pagination.offset, path).toBe(0);
        totals[path] = body.meta.pagination.totalCount;
        const items = path.endsWith('/hierarchy') ? body.data[0].subsidiaries ?? [] : body.data;
        expect(items.length, path).toBeLessThanOrEqual(250);
        expect(items.length, path).toBe(Math.min(250, body.meta.pagination.totalCount));
      }
      const lenient = (await get(`${path}?limit=0&offset=-5`)).json();
      expect(lenient.meta.pagination, path).toMatchObject({ limit: 10, offset: 0 });
      const junk = (await get(`${path}?limit=abc&offset=1e3`)).json();
      expect(junk.meta.pagination, path).toMatchObject({ limit: 10, offset: 0 });
    }
    // the lists that have more than 250 rows show the cap at work
    expect(totals['/users']).toBeGreaterThan(250);
    expect(totals['/companies']).toBeGreaterThan(250);
    expect(totals['/companies/123456/subsidiaries']).toBe(261);
    expect(totals['/companies/123456/hierarchy']).toBe(261);
    // an offset past every row is an empty page, however many digits it has
    const past = (await get('/users?limit=5&offset=99999999999999999999')).json();
    expect(past.data).toEqual([]);
    expect(past.meta.pagination).toEqual({ totalCount: totals['/users'], limit: 5, offset: Number.MAX_SAFE_INTEGER });
  });

  it('logged no secret while doing so', () => {
    assertLogsFreeOfSecrets();
  });
});

describe('oversized bodies over real HTTP', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ dialect: 'sqlite' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => t.close());

  /** Sends `head` (and `then`'s writes), never finishes the body, and returns what the server answered. */
  function stalledRequest(head: string, then?: (write: (text: string) => void) => void): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString();
        const end = answer.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(answer);
        if (end >= 0 && length && answer.length - end - 4 >= Number(length[1])) {
          socket.destroy();
          resolve(answer);
        }
      });
      socket.on('error', reject);
      socket.write(head);
      then?.((text) => socket.write(text));
    });
  }

  /**
   * Sends all of `size` bytes of body (Content-Length or chunked) as a client that keeps sending
   * would, reading whatever comes back meanwhile; resolves with the answer and the socket error, if any.
   */
  function sendWhole(path: string, size: number, chunked: boolean, headers = ''): Promise<{ answer: string; error: string | undefined; written: number }> {
    return new Promise((resolve) => {
      // allowHalfOpen: the client does not stop sending when the server has shut down its side
      const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      let answer = '';
      let error: string | undefined;
      let written = 0;
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString();
      });
      socket.on('error', (e: NodeJS.ErrnoException) => {
        error = e.code ?? e.message;
      });
      socket.on('close', () => resolve({ answer, error, written }));
      const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`;
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}${framing}\r\n\r\n`);
      const piece = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (written < size) {
          written += piece.length;
          const ok = socket.write(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece);
          if (!ok) {
            socket.once('drain', pump);
            return;
          }
        }
        if (chunked) socket.end('0\r\n\r\n');
        else socket.end();
      };
      pump();
    });
  }

  it.each([
    ['/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql', '"code":"PAYLOAD_TOO_LARGE"', 'X-Auth-Token: demo-account-token-full\r\n'],
    ['/graphql', '"code":413', ''],
    ['/api/io/auth/customers', '"code":413', ''],
    ['/api/v2/login', '"code":413', ''],
    ['/_roster/reset', '"code":"PAYLOAD_TOO_LARGE"', ''],
    ['/api/v3/io/users', MANAGEMENT_413, 'X-Auth-Token: demo-store-token-b2b\r\nX-Store-Hash: f0qyczpkb2\r\n'],
    ['/api/v3/io/companies/bulk', MANAGEMENT_413, 'authToken: demo-legacy-b2b-authtoken\r\n'],
  ])('POST %s: a client that sends a whole 8 MiB body (Content-Length or chunked) reads the 413 back, with no reset', async (path, marker, headers) => {
    for (const chunked of [false, true]) {
      const { answer, error, written } = await sendWhole(path, 8 * MiB, chunked, headers);
      expect(error, `${chunked ? 'chunked' : 'Content-Length'}: ${answer.slice(0, 200)}`).toBeUndefined();
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer.toLowerCase()).toContain('connection: close');
      expect(answer).toContain(marker);
      expect(written).toBe(8 * MiB);
    }
  });

  it('a client that never stops sending after its 413 is cut off once 64 MiB more have been discarded', async () => {
    const { answer, written } = await sendWhole('/graphql', 256 * MiB, true);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    // the server stopped reading at its bound: the client could not write the whole 256 MiB
    expect(written).toBeLessThan(256 * MiB);
    expect(written).toBeGreaterThan(LINGER_BYTES);
  });

  it('fetch() posting 8 MiB gets the 413 answer of each API', async () => {
    const body = Buffer.alloc(8 * MiB, 'a');
    for (const [path, code] of [
      ['/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql', 'PAYLOAD_TOO_LARGE'],
      ['/graphql', 413],
      ['/api/io/auth/customers', 413],
    ] as const) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(413);
      expect(JSON.stringify(await res.json())).toContain(JSON.stringify(code));
    }
    // the Management API, every route that reads a body, with a valid credential (without one, 401 comes first: §2.3)
    const routes = (await managementRoutes(t.app)).filter((r) => r.body !== undefined && r.operationId !== 'put-companies-companyId-catalog');
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const route of routes) {
      const res = await fetch(`http://127.0.0.1:${port}${managementUrl(route, { userId: '124', companyId: '123456' })}`, { method: route.method, headers: { ...MANAGEMENT, 'content-type': 'application/json' }, body });
      expect(res.status, `${route.method} ${route.template}`).toBe(413);
      expect(await res.text(), `${route.method} ${route.template}`).toBe(MANAGEMENT_413);
    }
    const anonymous = await fetch(`http://127.0.0.1:${port}/api/v3/io/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ code: 401, meta: { message: 'Invalid token header. No credentials provided.' }, data: { errMsg: 'Invalid token header. No credentials provided.' } });
  });

  it.each([
    ['/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql', '"code":"PAYLOAD_TOO_LARGE"', ''],
    ['/graphql', '"code":413', ''],
    ['/api/io/auth/customers', '"code":413', ''],
    ['/api/v3/io/users/bulk', MANAGEMENT_413, 'X-Auth-Token: demo-store-token-b2b\r\nX-Store-Hash: f0qyczpkb2\r\n'],
    ['/api/v3/io/companies', MANAGEMENT_413, 'authToken: demo-legacy-b2b-authtoken\r\n'],
  ])('POST %s: a declared 10 MiB body or a chunked body past 1 MiB is refused with 413 before the client finishes', async (path, marker, headers) => {
    const declared = await stalledRequest(`POST ${path} HTTP/1.1\r\nHost: x\r\n${headers}Content-Type: application/json\r\nContent-Length: ${10 * MiB}\r\n\r\n`);
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    expect(declared).toContain(marker);
    const chunk = 'a'.repeat(64 * 1024);
    const chunked = await stalledRequest(`POST ${path} HTTP/1.1\r\nHost: x\r\n${headers}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, (write) => {
      for (let i = 0; i < 20; i++) write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(chunked).toContain(marker);
  });
});
