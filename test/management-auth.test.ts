import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import {
  b2bGraphql,
  FORBIDDEN,
  INVALID_TOKEN,
  MGMT_BASE,
  type MgmtResponse,
  managementFixture,
  METHOD_NOT_ALLOWED,
  mgmt,
  mgmtError,
  NO_CREDENTIALS,
  NOW,
  notImplemented,
  OTHER_STORE,
  OTHER_USERS,
  parameterError,
  STORE,
  stateDigest,
  storefront,
  storefrontToken,
  TOKENS,
  USER_NOT_FOUND,
  USERS,
} from './helpers/management-support.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * B2B Management API v3 (b2b-management-rest.md): authentication and authorization (§2), routing
 * answers that come before or around them (§1.2 501, 405, HEAD, OPTIONS/CORS, trailing slash), the
 * shared transport errors (§3.2) and the store's shared rate-limit bucket (§9), on every dialect.
 */

const ALLOW_HEADERS = 'authToken, Content-Type, Authorization, X-Auth-Token, X-Store-Hash';

/** A storefront B2B JWT of Great Buys' Admin, as a client might wrongly send it here. */
const storefrontJwt = (t: TestApp) => storefrontToken(t, USERS.admin);

function expectBody(res: MgmtResponse, status: number, body: unknown, label = '') {
  expect(res.status, `${label} ${res.raw}`).toBe(status);
  // exact text: key order included (§14 #33)
  expect(res.raw, label).toBe(JSON.stringify(body));
}

/**
 * §1.2: `Roster does not implement <METHOD> <path>.` The spec does not say whether <path> is the path
 * under /api/v3/io or the whole request path: both readings are accepted, everything else is exact.
 */
function expectNotImplemented(res: MgmtResponse, method: string, path: string) {
  expect(res.status, `${method} ${path}: ${res.raw}`).toBe(501);
  const readings = [notImplemented(method, path), notImplemented(method, `${MGMT_BASE}${path}`)].map((b) => JSON.stringify(b));
  expect(readings, `${method} ${path}`).toContain(res.raw);
}

function allowOf(res: MgmtResponse): string[] {
  return String(res.headers.allow ?? '')
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter((m) => m !== '');
}

describe.each(dialects)('Management API authentication on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: managementFixture(), now: NOW });
  });
  afterAll(async () => t?.close());

  const ids = (res: MgmtResponse) => (res.body?.data as { id: number }[] | undefined)?.map((u) => u.id);
  const F0_IDS = [710, 701, 700, 300, 200, 127, 126, 125, 124, 123];

  describe('§2.3 row 1: no X-Auth-Token and no authToken', () => {
    it('absent, empty or only spaces → 401 "Invalid token header. No credentials provided."', async () => {
      const variants: { label: string; headers: Record<string, string> }[] = [
        { label: 'nothing', headers: {} },
        { label: 'X-Store-Hash only', headers: { 'x-store-hash': STORE } },
        { label: 'empty X-Auth-Token', headers: { 'x-auth-token': '', 'x-store-hash': STORE } },
        { label: 'spaces X-Auth-Token', headers: { 'x-auth-token': '   ', 'x-store-hash': STORE } },
        { label: 'empty authToken', headers: { authtoken: '' } },
        { label: 'spaces authToken', headers: { authtoken: '  ', 'x-store-hash': STORE } },
        { label: 'both empty', headers: { 'x-auth-token': ' ', authtoken: ' ' } },
        // a bare "Bearer" is no header at all (b2b-users-rest.md §14 #29); X-Auth-Client is ignored (§2.1)
        { label: 'bare Bearer', headers: { authorization: 'Bearer', 'x-store-hash': STORE } },
        { label: 'Bearer and spaces', headers: { authorization: 'Bearer   ', 'x-store-hash': STORE } },
        { label: 'X-Auth-Client only', headers: { 'x-auth-client': 'mgmt-modify-client', 'x-store-hash': STORE } },
      ];
      for (const { label, headers } of variants) {
        const res = await mgmt(t, 'GET', '/users', { token: null, storeHash: null, headers });
        expect(res.status, label).toBe(401);
        expect(res.raw, label).toBe(JSON.stringify(NO_CREDENTIALS));
      }
    });
  });

  describe('§2.3 row 2: X-Auth-Token present, X-Store-Hash absent or empty', () => {
    it('→ 401 no credentials, also for an unknown token (the first matching row wins)', async () => {
      const cases: { label: string; token: string; storeHash: string | null }[] = [
        { label: 'modify, no hash', token: TOKENS.modify, storeHash: null },
        { label: 'modify, empty hash', token: TOKENS.modify, storeHash: '' },
        // §14 #2 compares after trimming: a hash of spaces is empty
        { label: 'modify, spaces hash', token: TOKENS.modify, storeHash: '   ' },
        { label: 'unknown token, no hash', token: 'no-such-token', storeHash: null },
        { label: 'read, no hash', token: TOKENS.read, storeHash: null },
      ];
      for (const { label, token, storeHash } of cases) {
        expectBody(await mgmt(t, 'GET', '/users', { token, storeHash }), 401, NO_CREDENTIALS, label);
      }
    });

    it('X-Auth-Token decides even when a valid legacy authToken is also sent', async () => {
      expectBody(await mgmt(t, 'GET', '/users', { token: TOKENS.modify, storeHash: null, legacy: TOKENS.legacy }), 401, NO_CREDENTIALS);
    });
  });

  describe('§2.3 row 3: unknown token or a token of another kind', () => {
    it('unknown X-Auth-Token or authToken → 401 "Invalid token."', async () => {
      expectBody(await mgmt(t, 'GET', '/users', { token: 'no-such-token', storeHash: STORE }), 401, INVALID_TOKEN);
      expectBody(await mgmt(t, 'GET', '/users', { legacy: 'no-such-legacy-token' }), 401, INVALID_TOKEN);
      expectBody(await mgmt(t, 'GET', '/users', { legacy: 'no-such-legacy-token', storeHash: STORE }), 401, INVALID_TOKEN);
      // tokens are compared exactly: another case or extra characters is another token
      expectBody(await mgmt(t, 'GET', '/users', { token: TOKENS.modify.toUpperCase(), storeHash: STORE }), 401, INVALID_TOKEN);
      expectBody(await mgmt(t, 'GET', '/users', { token: `${TOKENS.modify}x`, storeHash: STORE }), 401, INVALID_TOKEN);
      expectBody(await mgmt(t, 'GET', '/users', { legacy: TOKENS.legacy.toUpperCase() }), 401, INVALID_TOKEN);
    });

    it('account-level API tokens (accounts[].apiAccounts) never open this API', async () => {
      for (const token of [TOKENS.account, TOKENS.accountRead]) {
        expectBody(await mgmt(t, 'GET', '/users', { token, storeHash: STORE }), 401, INVALID_TOKEN);
        expectBody(await mgmt(t, 'GET', '/users', { legacy: token }), 401, INVALID_TOKEN);
      }
    });

    it('a storefront B2B JWT as X-Auth-Token, authToken or Bearer → 401 "Invalid token."', async () => {
      const jwt = storefrontJwt(t);
      expectBody(await mgmt(t, 'GET', '/users', { token: jwt, storeHash: STORE }), 401, INVALID_TOKEN);
      expectBody(await mgmt(t, 'GET', '/users', { legacy: jwt }), 401, INVALID_TOKEN);
      expectBody(await mgmt(t, 'GET', '/users', { token: jwt, storeHash: STORE, headers: { authorization: `Bearer ${jwt}` } }), 401, INVALID_TOKEN);
      // §2.1: "Authorization: Bearer ... of any kind → 401 Invalid token." (a credential of another kind, §2.3 row 3),
      // even carrying a valid Management token
      for (const bearer of [jwt, TOKENS.modify, TOKENS.legacy]) {
        expectBody(await mgmt(t, 'GET', '/users', { token: null, storeHash: STORE, headers: { authorization: `Bearer ${bearer}` } }), 401, INVALID_TOKEN, bearer);
        expectBody(await mgmt(t, 'GET', '/users', { token: null, storeHash: null, headers: { authorization: `Bearer ${bearer}` } }), 401, INVALID_TOKEN, bearer);
      }
    });

    it('a storefront-only credential does not make Management tokens valid on the storefront either', async () => {
      const res = await storefront(t, TOKENS.modify, 'GET', '/api/v2/users');
      expect(res.status).toBe(401);
    });

    it('both headers: X-Auth-Token decides, authToken is ignored', async () => {
      const ok = await mgmt(t, 'GET', '/users', { token: TOKENS.modify, storeHash: STORE, legacy: 'no-such-legacy-token' });
      expect(ok.status, ok.raw).toBe(200);
      expect(ids(ok)).toEqual(F0_IDS);
      expectBody(await mgmt(t, 'GET', '/users', { token: 'no-such-token', storeHash: STORE, legacy: TOKENS.legacy }), 401, INVALID_TOKEN);
      // the read-only X-Auth-Token decides, although the legacy token would allow the write
      const before = await stateDigest(t);
      expectBody(await mgmt(t, 'DELETE', `/users/${USERS.junior.id}`, { token: TOKENS.read, storeHash: STORE, legacy: TOKENS.legacy }), 403, FORBIDDEN);
      expect(await stateDigest(t)).toBe(before);
    });
  });

  describe('§2.3 row 4: X-Store-Hash not the token\'s store', () => {
    it('another store, an unknown store or another case → 401 "Invalid token."; surrounding spaces are trimmed', async () => {
      for (const storeHash of [OTHER_STORE, 'k9d2mq7x1a', 'nosuchstore', STORE.toUpperCase(), 'F0qyczpkb2', `${STORE}x`]) {
        expectBody(await mgmt(t, 'GET', '/users', { token: TOKENS.modify, storeHash }), 401, INVALID_TOKEN);
      }
      expectBody(await mgmt(t, 'GET', '/users', { token: TOKENS.other, storeHash: STORE }), 401, INVALID_TOKEN);
      expectBody(await mgmt(t, 'GET', '/users', { token: TOKENS.read, storeHash: OTHER_STORE }), 401, INVALID_TOKEN);
      // a valid token for another store cannot be told apart from an unknown one
      const unknown = await mgmt(t, 'GET', '/users', { token: 'no-such-token', storeHash: OTHER_STORE });
      const mismatched = await mgmt(t, 'GET', '/users', { token: TOKENS.modify, storeHash: OTHER_STORE });
      expect(mismatched.raw).toBe(unknown.raw);
      const padded = await mgmt(t, 'GET', '/users', { token: TOKENS.modify, storeHash: `  ${STORE} ` });
      expect(padded.status, padded.raw).toBe(200);
      expect(ids(padded)).toEqual(F0_IDS);
    });

    it('legacy authToken: no X-Store-Hash needed; a matching one is allowed; another → 401', async () => {
      for (const storeHash of [undefined, STORE]) {
        const res = await mgmt(t, 'GET', '/users', { legacy: TOKENS.legacy, ...(storeHash !== undefined ? { storeHash } : {}) });
        expect(res.status, res.raw).toBe(200);
        expect(ids(res)).toEqual(F0_IDS);
      }
      for (const storeHash of [OTHER_STORE, STORE.toUpperCase(), 'nosuchstore']) {
        expectBody(await mgmt(t, 'GET', '/users', { legacy: TOKENS.legacy, storeHash }), 401, INVALID_TOKEN);
      }
    });
  });

  describe('§2.3 row 5: scopes', () => {
    it('a token without either B2B scope → 403 on every method, before 404 and 405', async () => {
      const before = await stateDigest(t);
      const requests: [Parameters<typeof mgmt>[1], string, unknown?][] = [
        ['GET', '/users'],
        ['GET', `/users/${USERS.admin.id}`],
        ['GET', '/users/99999999'],
        ['GET', '/users/extra-fields'],
        ['GET', `/users/customer/${USERS.admin.bcId}`],
        ['HEAD', '/users'],
        ['POST', '/users', { firstName: 'No', lastName: 'Scope', email: 'no.scope@example.org', companyId: 123456, role: 2, channelIds: [1] }],
        ['POST', '/users/bulk', []],
        ['PUT', `/users/${USERS.junior.id}`, { firstName: 'X' }],
        ['DELETE', `/users/${USERS.junior.id}`],
        ['PATCH', '/users', {}],
      ];
      for (const [method, path, body] of requests) {
        const res = await mgmt(t, method, path, { token: TOKENS.none, ...(body !== undefined ? { body } : {}) });
        expect(res.status, `${method} ${path}`).toBe(403);
        if (method !== 'HEAD') expect(res.raw, `${method} ${path}`).toBe(JSON.stringify(FORBIDDEN));
      }
      expect(await stateDigest(t)).toBe(before);
    });

    it('read-only token: GET and HEAD served; POST, PUT, DELETE → 403 and nothing changes', async () => {
      const list = await mgmt(t, 'GET', '/users', { token: TOKENS.read });
      expect(list.status, list.raw).toBe(200);
      expect(ids(list)).toEqual(F0_IDS);
      const one = await mgmt(t, 'GET', `/users/${USERS.admin.id}`, { token: TOKENS.read });
      expect(one.status).toBe(200);
      expect(one.body.data.email).toBe(USERS.admin.email);
      const head = await mgmt(t, 'HEAD', '/users', { token: TOKENS.read });
      expect(head.status).toBe(200);
      expect(head.raw).toBe('');
      const before = await stateDigest(t);
      const writes: [Parameters<typeof mgmt>[1], string, unknown?][] = [
        ['POST', '/users', { firstName: 'Read', lastName: 'Only', email: 'read.only@example.org', companyId: 123456, role: 2, channelIds: [1] }],
        ['POST', '/users/bulk', [{ firstName: 'Read', lastName: 'Only', email: 'read.only2@example.org', companyId: 123456, role: 2, channelIds: [1] }]],
        ['PUT', `/users/${USERS.junior.id}`, { firstName: 'Changed' }],
        ['PUT', '/users/99999999', { firstName: 'Changed' }],
        ['DELETE', `/users/${USERS.junior.id}`],
        ['PUT', `/companies/${USERS.admin.companyId}/catalogs`, {}],
      ];
      for (const [method, path, body] of writes) {
        expectBody(await mgmt(t, method, path, { token: TOKENS.read, ...(body !== undefined ? { body } : {}) }), 403, FORBIDDEN);
      }
      expect(await stateDigest(t)).toBe(before);
      const still = await mgmt(t, 'GET', `/users/${USERS.junior.id}`);
      expect(still.body.data.firstName).toBe(USERS.junior.firstName);
    });

    it('the modify token and the legacy token may write', async () => {
      const put = await mgmt(t, 'PUT', `/users/${USERS.rejectedViewer.id}`, { body: { uuid: 'set-by-modify' } });
      expect(put.status, put.raw).toBe(200);
      expect(put.body.data.uuid).toBe('set-by-modify');
      const legacy = await mgmt(t, 'PUT', `/users/${USERS.rejectedViewer.id}`, { legacy: TOKENS.legacy, body: { uuid: 'set-by-legacy' } });
      expect(legacy.status, legacy.raw).toBe(200);
      expect((await mgmt(t, 'GET', `/users/${USERS.rejectedViewer.id}`, { token: TOKENS.read })).body.data.uuid).toBe('set-by-legacy');
      const back = await mgmt(t, 'PUT', `/users/${USERS.rejectedViewer.id}`, { body: { uuid: '' } });
      expect(back.status, back.raw).toBe(200);
    });
  });

  describe('isolation between B2B stores', () => {
    it('the other store\'s token lists only its own users', async () => {
      const res = await mgmt(t, 'GET', '/users', { token: TOKENS.other });
      expect(res.status, res.raw).toBe(200);
      expect(ids(res)).toEqual([OTHER_USERS.sameEmail.id, OTHER_USERS.admin.id]);
      expect(res.body.meta.pagination).toEqual({ totalCount: 2, limit: 10, offset: 0 });
      const sameEmail = await mgmt(t, 'GET', '/users', { query: { email: USERS.admin.email } });
      expect(ids(sameEmail)).toEqual([USERS.admin.id]);
      const otherSameEmail = await mgmt(t, 'GET', '/users', { token: TOKENS.other, query: { email: USERS.admin.email } });
      expect(ids(otherSameEmail)).toEqual([OTHER_USERS.sameEmail.id]);
      // filters naming the other store's rows find nothing (never 404)
      expect(ids(await mgmt(t, 'GET', '/users', { query: { companyId: OTHER_USERS.admin.companyId } }))).toEqual([]);
      expect(ids(await mgmt(t, 'GET', '/users', { token: TOKENS.other, query: { companyId: USERS.admin.companyId } }))).toEqual([]);
    });

    it('f0qyczpkb2 users are "does not exist" to the other store, for every method, and nothing changes', async () => {
      const before = await stateDigest(t);
      const missing = await mgmt(t, 'GET', '/users/99999999', { token: TOKENS.other });
      expectBody(missing, 404, USER_NOT_FOUND);
      const attempts: [Parameters<typeof mgmt>[1], string, unknown?][] = [
        ['GET', `/users/${USERS.admin.id}`],
        ['GET', `/users/customer/${USERS.admin.bcId}`],
        ['PUT', `/users/${USERS.junior.id}`, { firstName: 'Hijacked' }],
        ['DELETE', `/users/${USERS.junior.id}`],
        ['DELETE', `/users/${USERS.westAdmin.id}`],
      ];
      for (const [method, path, body] of attempts) {
        const res = await mgmt(t, method, path, { token: TOKENS.other, ...(body !== undefined ? { body } : {}) });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.raw, `${method} ${path}`).toBe(missing.raw);
      }
      // and the other way round
      expectBody(await mgmt(t, 'GET', `/users/${OTHER_USERS.admin.id}`), 404, USER_NOT_FOUND);
      expectBody(await mgmt(t, 'GET', `/users/customer/${OTHER_USERS.admin.bcId}`, { legacy: TOKENS.legacy }), 404, USER_NOT_FOUND);
      expectBody(await mgmt(t, 'DELETE', `/users/${OTHER_USERS.admin.id}`), 404, USER_NOT_FOUND);
      expect(await stateDigest(t)).toBe(before);
    });

    it('creating a user in a Company of another store: the Company does not exist', async () => {
      const before = await stateDigest(t);
      const res = await mgmt(t, 'POST', '/users', {
        token: TOKENS.other,
        body: { firstName: 'Cross', lastName: 'Store', email: 'cross.store@example.org', companyId: USERS.admin.companyId, role: 2, channelIds: [1] },
      });
      expectBody(res, 422, parameterError({ companyId: [`Invalid pk "${USERS.admin.companyId}" - object does not exist.`] }));
      expect(await stateDigest(t)).toBe(before);
    });

    it('the other store may use an e-mail that f0qyczpkb2 already has (§14 #10)', async () => {
      const res = await mgmt(t, 'POST', '/users', {
        token: TOKENS.other,
        body: { firstName: 'Pierre', lastName: 'Elsewhere', email: USERS.senior.email, companyId: OTHER_USERS.admin.companyId, role: 2, channelIds: [1] },
      });
      expect(res.status, res.raw).toBe(200);
      const userId = res.body.data.userId as number;
      expect((await mgmt(t, 'GET', `/users/${userId}`, { token: TOKENS.other })).body.data.companyId).toBe(OTHER_USERS.admin.companyId);
      expectBody(await mgmt(t, 'GET', `/users/${userId}`), 404, USER_NOT_FOUND);
      expect(ids(await mgmt(t, 'GET', '/users', { query: { email: USERS.senior.email } }))).toEqual([USERS.senior.id]);
    });
  });

  describe('§1.2 out-of-scope paths: 501 before authentication', () => {
    const outOfScope: [Parameters<typeof mgmt>[1], string][] = [
      ['GET', '/orders'],
      ['POST', '/companies/roles'],
      ['PUT', '/companies/roles/5'],
      ['DELETE', '/companies/roles/5'],
      ['POST', '/companies/permissions'],
      ['DELETE', '/companies/permissions/3'],
      ['POST', '/customer-groups/4/companies'],
      ['POST', '/auth/backend'],
      ['GET', '/backend/tokens'],
      ['GET', '/addresses'],
      ['GET', '/quotes'],
      ['GET', '/invoices'],
      ['GET', '/payments'],
      ['GET', '/sales-staffs'],
      ['GET', '/shopping-list'],
      ['GET', '/super-admins'],
      ['GET', '/channels'],
      ['GET', '/no/such/thing'],
    ];

    it('exact body, whatever the credentials (none, unknown, read-only, modify)', async () => {
      // every mismatch is listed at once
      const wrong: string[] = [];
      for (const [method, path] of outOfScope) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        const readings = [notImplemented(method, path), notImplemented(method, `${MGMT_BASE}${path}`)].map((b) => JSON.stringify(b));
        for (const credentials of [{ token: null, storeHash: null }, { token: 'no-such-token', storeHash: STORE }, { token: TOKENS.read }, { token: TOKENS.modify }]) {
          const res = await mgmt(t, method, path, { ...credentials, ...(body !== undefined ? { body } : {}) });
          if (res.status !== 501 || !readings.includes(res.raw)) wrong.push(`${method} ${path} (${credentials.token}): ${res.status} ${res.raw}`);
          expect(res.headers['x-request-id']).toBeTruthy();
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('methods and routes', () => {
    it('405 with an Allow header for other methods on known paths, after authentication', async () => {
      const cases: { method: Parameters<typeof mgmt>[1]; path: string; allowed: string[]; refused: string[] }[] = [
        { method: 'PATCH', path: '/users', allowed: ['GET', 'POST'], refused: ['PUT', 'DELETE', 'PATCH'] },
        { method: 'DELETE', path: '/users', allowed: ['GET', 'POST'], refused: ['PUT', 'DELETE', 'PATCH'] },
        { method: 'POST', path: `/users/${USERS.admin.id}`, allowed: ['GET', 'PUT', 'DELETE'], refused: ['POST', 'PATCH'] },
        { method: 'PATCH', path: `/users/${USERS.admin.id}`, allowed: ['GET', 'PUT', 'DELETE'], refused: ['POST', 'PATCH'] },
        // literal segments are never read as ids (§1.1)
        { method: 'GET', path: '/users/bulk', allowed: ['POST'], refused: ['GET', 'PUT', 'DELETE', 'PATCH'] },
        { method: 'DELETE', path: '/users/extra-fields', allowed: ['GET'], refused: ['POST', 'PUT', 'DELETE', 'PATCH'] },
        { method: 'PUT', path: `/users/customer/${USERS.admin.bcId}`, allowed: ['GET'], refused: ['POST', 'PUT', 'DELETE', 'PATCH'] },
      ];
      const before = await stateDigest(t);
      for (const { method, path, allowed, refused } of cases) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        const res = await mgmt(t, method, path, body !== undefined ? { body } : {});
        expectBody(res, 405, METHOD_NOT_ALLOWED);
        const allow = allowOf(res);
        for (const m of allowed) expect(allow, `${method} ${path} Allow`).toContain(m);
        for (const m of refused) expect(allow, `${method} ${path} Allow`).not.toContain(m);
        // authentication comes first
        expectBody(await mgmt(t, method, path, { token: null, storeHash: null, ...(body !== undefined ? { body } : {}) }), 401, NO_CREDENTIALS);
      }
      expect(await stateDigest(t)).toBe(before);
    });

    it('PUT /companies/{id}/catalogs: the fixed 405 body after authentication', async () => {
      const path = `/companies/${USERS.admin.companyId}/catalogs`;
      const body = { code: 405, meta: { message: 'Method not allowed' }, data: { errMsg: 'Method not allowed' } };
      expectBody(await mgmt(t, 'PUT', path, { body: { catalogId: 1 } }), 405, body);
      expectBody(await mgmt(t, 'PUT', path, { legacy: TOKENS.legacy, body: {} }), 405, body);
      expectBody(await mgmt(t, 'PUT', path, { token: null, storeHash: null, body: {} }), 401, NO_CREDENTIALS);
      expectBody(await mgmt(t, 'PUT', path, { token: 'no-such-token', storeHash: STORE, body: {} }), 401, INVALID_TOKEN);
      expectBody(await mgmt(t, 'PUT', path, { token: TOKENS.none, body: {} }), 403, FORBIDDEN);
    });

    it('HEAD is served for every GET route, without a body', async () => {
      for (const path of ['/users', `/users/${USERS.admin.id}`, `/users/customer/${USERS.admin.bcId}`, '/users/extra-fields']) {
        const get = await mgmt(t, 'GET', path);
        const head = await mgmt(t, 'HEAD', path);
        expect(head.status, path).toBe(get.status);
        expect(head.status, path).toBe(200);
        expect(head.raw, path).toBe('');
        expect(String(head.headers['content-type']), path).toContain('application/json');
      }
      const missing = await mgmt(t, 'HEAD', '/users/99999999');
      expect(missing.status).toBe(404);
      expect(missing.raw).toBe('');
      const anonymous = await mgmt(t, 'HEAD', '/users', { token: null, storeHash: null });
      expect(anonymous.status).toBe(401);
      expect(anonymous.raw).toBe('');
    });

    it('OPTIONS preflight: 204, no body, no credentials needed, the CORS headers of §14 #34', async () => {
      for (const path of ['/users', `/users/${USERS.admin.id}`, '/users/bulk']) {
        const res = await mgmt(t, 'OPTIONS', path, {
          token: null,
          storeHash: null,
          headers: { origin: 'https://erp.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-auth-token, x-store-hash, content-type' },
        });
        expect(res.status, path).toBe(204);
        expect(res.raw).toBe('');
        expect(res.headers['access-control-allow-origin']).toBe('*');
        expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, OPTIONS, DELETE, PATCH');
        expect(res.headers['access-control-allow-headers']).toBe(ALLOW_HEADERS);
        expect(res.headers['access-control-max-age']).toBe('1728000');
        expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]+$/);
      }
    });

    it('CORS headers, X-Request-Id and compact JSON on every answer (200, 401, 403, 404, 405, 501)', async () => {
      const answers = [
        await mgmt(t, 'GET', '/users'),
        await mgmt(t, 'GET', '/users', { token: null, storeHash: null }),
        await mgmt(t, 'GET', '/users', { token: TOKENS.none }),
        await mgmt(t, 'GET', '/users/99999999'),
        await mgmt(t, 'PATCH', '/users', { body: {} }),
        await mgmt(t, 'GET', '/orders'),
      ];
      const requestIds = new Set<string>();
      for (const res of answers) {
        expect(res.headers['access-control-allow-origin'], res.raw).toBe('*');
        expect(res.headers['access-control-allow-headers']).toBe(ALLOW_HEADERS);
        expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, OPTIONS, DELETE, PATCH');
        expect(res.headers['access-control-max-age']).toBe('1728000');
        const requestId = String(res.headers['x-request-id'] ?? '');
        expect(requestId).toMatch(/^[A-Za-z0-9._-]+$/);
        requestIds.add(requestId);
        expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
        expect(res.raw).toBe(JSON.stringify(JSON.parse(res.raw)));
        expect(res.body.code).toBe(res.status);
      }
      expect(requestIds.size).toBe(answers.length);
    });

    it('a trailing slash is ignored', async () => {
      const pairs: [string, string][] = [
        ['/users', '/users/'],
        [`/users/${USERS.admin.id}`, `/users/${USERS.admin.id}/`],
        [`/users/customer/${USERS.admin.bcId}`, `/users/customer/${USERS.admin.bcId}/`],
        ['/users/extra-fields', '/users/extra-fields/'],
        ['/users/99999999', '/users/99999999/'],
      ];
      for (const [plain, slashed] of pairs) {
        const a = await mgmt(t, 'GET', plain);
        const b = await mgmt(t, 'GET', slashed);
        expect(b.status, slashed).toBe(a.status);
        expect(b.raw, slashed).toBe(a.raw);
      }
      expect((await mgmt(t, 'GET', '/users/', { query: { limit: 2 } })).body.data.map((u: { id: number }) => u.id)).toEqual([710, 701]);
      const created = await mgmt(t, 'POST', '/users/', {
        body: { firstName: 'Trail', lastName: 'Slash', email: 'trail.slash@example.org', companyId: USERS.rivalAdmin.companyId, role: 2, channelIds: [1] },
      });
      expect(created.status, created.raw).toBe(200);
      expect((await mgmt(t, 'DELETE', `/users/${created.body.data.userId}/`)).status).toBe(200);
    });
  });

  describe('transport errors (§3.2), in the §2.3 order', () => {
    it('400 JSON parse error, 415 unsupported media type, 413 over 1 MiB; nothing written', async () => {
      const before = await stateDigest(t);
      expectBody(await mgmt(t, 'POST', '/users', { rawBody: '{"firstName": ', headers: { 'content-type': 'application/json' } }), 400, mgmtError(400, 'JSON parse error'));
      expectBody(await mgmt(t, 'PUT', `/users/${USERS.junior.id}`, { rawBody: '{bad', headers: { 'content-type': 'application/json' } }), 400, mgmtError(400, 'JSON parse error'));
      expectBody(
        await mgmt(t, 'POST', '/users', { rawBody: 'firstName=A', headers: { 'content-type': 'text/plain' } }),
        415,
        mgmtError(415, 'Unsupported media type'),
      );
      const huge = JSON.stringify({ firstName: 'a'.repeat(1024 * 1024 + 10) });
      expectBody(await mgmt(t, 'POST', '/users', { rawBody: huge, headers: { 'content-type': 'application/json' } }), 413, mgmtError(413, 'Request Entity Too Large'));
      // 415 before 400; 401 before any of them
      expectBody(await mgmt(t, 'POST', '/users', { rawBody: '{bad', headers: { 'content-type': 'text/plain' } }), 415, mgmtError(415, 'Unsupported media type'));
      expectBody(await mgmt(t, 'POST', '/users', { token: null, storeHash: null, rawBody: '{bad', headers: { 'content-type': 'application/json' } }), 401, NO_CREDENTIALS);
      // 400 before the path id is looked up (404)
      expectBody(await mgmt(t, 'PUT', '/users/99999999', { rawBody: '{bad', headers: { 'content-type': 'application/json' } }), 400, mgmtError(400, 'JSON parse error'));
      expect(await stateDigest(t)).toBe(before);
    });

    it('a charset on application/json is fine; a missing Content-Type is read as JSON', async () => {
      const withCharset = await mgmt(t, 'PUT', `/users/${USERS.rejectedViewer.id}`, {
        rawBody: JSON.stringify({ uuid: 'charset' }),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(withCharset.status, withCharset.raw).toBe(200);
      const bare = await mgmt(t, 'PUT', `/users/${USERS.rejectedViewer.id}`, { rawBody: JSON.stringify({ uuid: '' }) });
      expect(bare.status, bare.raw).toBe(200);
      expect(bare.body.data.uuid).toBe('');
    });
  });
});

describe.each(dialects)('Management API rate limit (§9) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: managementFixture(), now: NOW, b2bRateLimit: { requests: 8, windowMs: 60_000 } });
  });
  afterAll(async () => t?.close());

  const remaining = (res: MgmtResponse) => res.headers['x-requests-remaining'];

  it('storefront, GraphQL and Management requests of one store drain one bucket; 401 and 501 are not counted', async () => {
    const admin = storefrontToken(t, USERS.admin);
    // not counted: 501 (before auth) and 401
    const notImplementedAnswer = await mgmt(t, 'GET', '/orders');
    expect(notImplementedAnswer.status).toBe(501);
    expect(remaining(notImplementedAnswer)).toBeUndefined();
    for (const options of [{ token: null, storeHash: null }, { token: 'no-such-token', storeHash: STORE }, { token: TOKENS.modify, storeHash: OTHER_STORE }]) {
      const res = await mgmt(t, 'GET', '/users', options);
      expect(res.status).toBe(401);
      expect(remaining(res)).toBeUndefined();
    }

    const first = await mgmt(t, 'GET', '/users');
    expect(first.status).toBe(200);
    expect(first.headers['x-requests-allocated']).toBe('8 times/60 s');
    expect(first.headers['x-requests-window-length']).toBe('8 times');
    expect(remaining(first)).toBe('7 times');
    expect(first.headers['x-request-window-resets-after']).toBe('60.000 s');

    const fromStorefront = await storefront(t, admin, 'GET', '/api/v2/users');
    expect(fromStorefront.status).toBe(200);
    expect(remaining(fromStorefront)).toBe('6 times');

    // 403s count (the store is known from a valid credential)
    const noScope = await mgmt(t, 'GET', '/users', { token: TOKENS.none });
    expect(noScope.status).toBe(403);
    expect(remaining(noScope)).toBe('5 times');
    const readWrite = await mgmt(t, 'POST', '/users', { token: TOKENS.read, body: {} });
    expect(readWrite.status).toBe(403);
    expect(remaining(readWrite)).toBe('4 times');

    t.clock.advance(10_500);
    const graphql = await b2bGraphql(t, admin, 'query ($companyId: Int!) { users(companyId: $companyId, first: 1) { totalCount } }', { companyId: USERS.admin.companyId });
    expect(graphql.status).toBe(200);

    const notAllowed = await mgmt(t, 'PATCH', '/users', { body: {} });
    expect(notAllowed.status).toBe(405);
    expect(remaining(notAllowed)).toBe('2 times');
    expect(notAllowed.headers['x-request-window-resets-after']).toBe('49.500 s');

    const legacyMissing = await mgmt(t, 'GET', '/users/99999999', { legacy: TOKENS.legacy });
    expect(legacyMissing.status).toBe(404);
    expect(remaining(legacyMissing)).toBe('1 times');

    const last = await mgmt(t, 'GET', `/users/${USERS.admin.id}`, { token: TOKENS.read });
    expect(last.status).toBe(200);
    expect(remaining(last)).toBe('0 times');

    // over: 429 with Retry-After, nothing written
    const before = await stateDigest(t);
    const throttled = await mgmt(t, 'DELETE', `/users/${USERS.junior.id}`);
    expect(throttled.status).toBe(429);
    expect(throttled.raw).toBe(JSON.stringify(mgmtError(429, 'Request was throttled. Expected available in 50 seconds.')));
    expect(throttled.headers['retry-after']).toBe('50');
    expect(remaining(throttled)).toBe('0 times');
    expect(throttled.headers['x-requests-allocated']).toBe('8 times/60 s');
    const throttledLegacy = await mgmt(t, 'GET', '/users', { legacy: TOKENS.legacy });
    expect(throttledLegacy.status).toBe(429);
    const storefrontThrottled = await storefront(t, admin, 'GET', '/api/v2/users');
    expect(storefrontThrottled.status).toBe(429);
    expect(storefrontThrottled.headers['retry-after']).toBe('50');
    expect(await stateDigest(t)).toBe(before);

    // still not counted, and answered before the limit: 501 and 401
    const stillNotImplemented = await mgmt(t, 'GET', '/quotes');
    expectNotImplemented(stillNotImplemented, 'GET', '/quotes');
    expect(remaining(stillNotImplemented)).toBeUndefined();
    expectBody(await mgmt(t, 'GET', '/users', { token: 'no-such-token', storeHash: STORE }), 401, INVALID_TOKEN);

    // another store has its own bucket
    const other = await mgmt(t, 'GET', '/users', { token: TOKENS.other });
    expect(other.status).toBe(200);
    expect(remaining(other)).toBe('7 times');

    t.clock.advance(50_000);
    const again = await mgmt(t, 'GET', `/users/${USERS.junior.id}`);
    expect(again.status).toBe(200);
    expect(remaining(again)).toBe('7 times');
  });
});
