import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHs256 } from '../src/auth/b2b-jwt.js';
import { auth, b2bDigest, currentCustomerJwt, demo, STORE, tokenFor, walkIn } from './b2b-rest-helpers.js';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, createTestApp, type TestApp } from './helpers/test-app.js';

/** Every error row of b2b-users-rest.md §8 (body `code` = HTTP status), token lifetimes, transport rules, rate limits. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = NOW / 1000;

const v2 = (code: number, message: string, errMsg: unknown = message) => ({ code, message, data: { errMsg } });
const io = (code: number, message: string, errMsg: unknown = message) => ({ code, data: { errMsg }, meta: { message } });

const NO_CREDENTIALS = v2(401, 'Invalid token header. No credentials provided.');
const BAD_SIGNATURE = v2(401, 'Error decoding signature.');
const EXPIRED = v2(401, 'Signature has expired.');
const INVALID = v2(401, 'Invalid token.');
const FORBIDDEN = v2(403, 'You do not have permission to perform this action.');
const USER_NOT_FOUND = v2(404, 'User matching query does not exist.');
const COMPANY_NOT_FOUND = v2(404, 'Company matching query does not exist.');
const logic = (errMsg: string) => v2(422, 'Processing data contains logical errors', errMsg);
const parameter = (errMsg: Record<string, string[]>) => v2(422, 'Parameter Error', errMsg);

function levelThreeFixture(): unknown {
  const fixture = cloneDemo<{ b2b: { stores: { roles: unknown[]; companies: { id: number; users: unknown[] }[] }[] } }>();
  const store = fixture.b2b.stores[0];
  if (!store) throw new Error('no store');
  store.roles.push({ id: 6, name: 'Group Manager', permissions: ['get_users', 'delete_user'].map((code) => ({ code, permissionLevel: 3 })) });
  store.companies.find((c) => c.id === 123456)?.users.push({ id: 129, bcId: 341, email: 'group.manager@greatbuys.com', firstName: 'Grace', lastName: 'Manager', phoneNumber: '', role: 2, companyRoleId: 6 });
  return fixture;
}

describe.each(dialects)('B2B REST errors on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, fixture: levelThreeFixture() });
    admin = tokenFor(t, demo.admin);
  });
  afterAll(async () => t.close());

  const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS', url: string, headers: Record<string, string> = auth(admin), payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as string } : {}) });

  async function expectError(res: { statusCode: number; json(): unknown }, status: number, body: unknown) {
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual(body);
  }

  describe('401', () => {
    it('no header, a bare Bearer, another scheme → no credentials (not counted)', async () => {
      const variants: Record<string, string>[] = [{}, { authorization: 'Bearer' }, { authorization: 'Bearer    ' }, { authorization: 'Basic YTpi' }, { authtoken: '' }];
      for (const headers of variants) {
        const res = await inject('GET', '/api/v2/users', headers);
        await expectError(res, 401, NO_CREDENTIALS);
        expect(res.headers['x-requests-remaining']).toBeUndefined();
      }
    });

    it('accepts Bearer with several spaces and the legacy authToken header', async () => {
      expect((await inject('GET', '/api/v2/users', { authorization: `Bearer  ${admin}` })).statusCode).toBe(200);
      expect((await inject('GET', '/api/v2/users', { authorization: `bearer ${admin}` })).statusCode).toBe(200);
      expect((await inject('GET', '/api/v2/users', { authtoken: admin })).statusCode).toBe(200);
    });

    it('not a JWT, or a bad signature → Error decoding signature.', async () => {
      const forged = signHs256({ email: demo.admin.email, bc_customer_id: 322, b2b_user_id: 123, store_hash: STORE, exp: NOW_S + 999 }, 'another-secret');
      const tampered = `${admin.slice(0, -3)}${admin.endsWith('AAA') ? 'BBB' : 'AAA'}`;
      for (const token of ['abc', 'a.b.c', forged, tampered, `${admin}.x`]) await expectError(await inject('GET', '/api/v2/users', auth(token)), 401, BAD_SIGNATURE);
    });

    it('expired (clock moved past exp), not yet valid (beginAt ahead), custom endAt → Signature has expired.', async () => {
      const token = tokenFor(t, demo.admin);
      const shortLived = tokenFor(t, demo.admin, { endAt: NOW_S + 60 });
      const future = tokenFor(t, demo.admin, { beginAt: NOW_S + 3600, endAt: NOW_S + 7200 });
      await expectError(await inject('GET', '/api/v2/users', auth(future)), 401, EXPIRED);
      expect((await inject('GET', '/api/v2/users', auth(shortLived))).statusCode).toBe(200);
      try {
        t.clock.advance(61_000);
        await expectError(await inject('GET', '/api/v2/users', auth(shortLived)), 401, EXPIRED);
        expect((await inject('GET', '/api/v2/users', auth(token))).statusCode).toBe(200);
        t.clock.advance(3600_000);
        expect((await inject('GET', '/api/v2/users', auth(future))).statusCode).toBe(200);
        t.clock.freeze(NOW + 86_400_000 - 1000);
        expect((await inject('GET', '/api/v2/users', auth(token))).statusCode).toBe(200);
        t.clock.freeze(NOW + 86_400_000);
        await expectError(await inject('GET', '/api/v2/users', auth(token)), 401, EXPIRED);
      } finally {
        t.clock.freeze(NOW);
      }
    });

    it('a token whose user or store is gone → Invalid token.', async () => {
      const ghost = tokenFor(t, { id: 999_999, bcId: 322, email: demo.admin.email });
      await expectError(await inject('GET', '/api/v2/users', auth(ghost)), 401, INVALID);
      const otherStore = t.app.services.b2bTokens.issue({ storeHash: 'nostore', customerId: 322, userId: 123, email: demo.admin.email, channelId: 1 }).token;
      await expectError(await inject('GET', '/api/v2/users', auth(otherStore)), 401, INVALID);
      const wrongCustomer = tokenFor(t, { id: 123, bcId: 323, email: demo.admin.email });
      await expectError(await inject('GET', '/api/v2/users', auth(wrongCustomer)), 401, INVALID);
    });
  });

  describe('403', () => {
    it('B2C customer, pending Company, missing permission code, companyId outside the scope', async () => {
      const before = await b2bDigest(t);
      await expectError(await inject('GET', '/api/v2/users', auth(tokenFor(t, { id: null, ...walkIn }))), 403, FORBIDDEN);
      await expectError(await inject('GET', '/api/v2/users', auth(tokenFor(t, demo.pending))), 403, FORBIDDEN);
      await expectError(await inject('GET', '/api/v2/users', auth(tokenFor(t, demo.senior))), 403, FORBIDDEN);
      await expectError(await inject('GET', '/api/v2/users/124', auth(tokenFor(t, demo.junior))), 403, FORBIDDEN);
      await expectError(await inject('GET', '/api/v2/users/125', auth(tokenFor(t, demo.junior))), 403, FORBIDDEN); // §14 #18: own record too
      await expectError(
        await inject('POST', '/api/v2/users', auth(admin), { companyId: '223344', firstName: 'A', lastName: 'B', email: 'a.b@example.com', phoneNumber: '', role: '2' }),
        403,
        FORBIDDEN,
      );
      await expectError(await inject('POST', '/api/v2/users', auth(admin), { companyId: 'abc', firstName: 'A' }), 403, FORBIDDEN);
      // 403 comes before 404 and 422 (§14 #10)
      await expectError(await inject('DELETE', '/api/v2/users/999999', auth(tokenFor(t, demo.custom))), 403, FORBIDDEN);
      await expectError(await inject('GET', '/api/v2/users?role=9', auth(tokenFor(t, demo.senior))), 403, FORBIDDEN);
      expect(await b2bDigest(t)).toBe(before);
    });
  });

  describe('404', () => {
    it('missing or out-of-scope users and Companies, malformed ids', async () => {
      await expectError(await inject('GET', '/api/v2/users/999999'), 404, USER_NOT_FOUND);
      await expectError(await inject('GET', '/api/v2/users/200'), 404, USER_NOT_FOUND);
      await expectError(await inject('GET', '/api/v2/users/400?isBcId=1'), 404, USER_NOT_FOUND);
      await expectError(await inject('GET', '/api/v2/users/123?isBcId=1'), 404, USER_NOT_FOUND); // 123 is a user id, not a bcId: never guessed
      for (const id of ['4201abc', '-1', '1e3', '0x7b', '123.0', '12345678901234567890']) {
        await expectError(await inject('GET', `/api/v2/users/${id}`), 404, USER_NOT_FOUND);
        await expectError(await inject('PUT', `/api/v2/users/${id}`, auth(admin), { firstName: 'A' }), 404, USER_NOT_FOUND);
        await expectError(await inject('DELETE', `/api/v2/users/${id}`), 404, USER_NOT_FOUND);
        await expectError(await inject('GET', `/api/v2/companies/${id}/users`), 404, COMPANY_NOT_FOUND);
        await expectError(await inject('GET', `/api/v2/customers/${id}/companies`), 404, USER_NOT_FOUND);
      }
      await expectError(await inject('GET', '/api/v2/companies/223344/users'), 404, COMPANY_NOT_FOUND);
      await expectError(await inject('GET', '/api/v2/companies/987654/users'), 404, COMPANY_NOT_FOUND);
      await expectError(await inject('GET', '/api/v2/customers/200/companies'), 404, USER_NOT_FOUND);
      // 404 before 422 (§14 #10)
      await expectError(await inject('PUT', '/api/v2/users/200', auth(admin), {}), 404, USER_NOT_FOUND);
      await expectError(await inject('GET', '/api/v2/companies/223344/users?role=9'), 404, COMPANY_NOT_FOUND);
    });
  });

  describe('422', () => {
    it('missing, null, blank, too long and malformed fields on POST and PUT', async () => {
      const before = await b2bDigest(t);
      await expectError(
        await inject('POST', '/api/v2/users', auth(admin), { companyId: '123456' }),
        422,
        parameter({
          email: ['This field is required.'],
          firstName: ['This field is required.'],
          lastName: ['This field is required.'],
          phoneNumber: ['This field is required.'],
          role: ['This field is required.'],
        }),
      );
      await expectError(
        await inject('POST', '/api/v2/users', auth(admin), { firstName: 'A', lastName: 'B', email: 'a@example.com', phoneNumber: '', role: '1' }),
        422,
        parameter({ companyId: ['This field is required.'] }),
      );
      await expectError(
        await inject('POST', '/api/v2/users', auth(admin), {
          companyId: 123456,
          firstName: '   ',
          lastName: null,
          email: 'not-an-email',
          phoneNumber: 'x'.repeat(151),
          role: '5',
        }),
        422,
        parameter({
          email: ['Enter a valid email address.'],
          firstName: ['This field may not be blank.'],
          lastName: ['This field may not be null.'],
          phoneNumber: ['Ensure this field has no more than 150 characters.'],
          role: ['The value "5" is not a valid role.'],
        }),
      );
      await expectError(
        await inject('POST', '/api/v2/users', auth(admin), { companyId: '123456', firstName: 'A', lastName: 'B', email: 'ok@example.com', phoneNumber: '', role: '1', companyRoleId: '77' }),
        422,
        parameter({ companyRoleId: ['Invalid pk "77" - object does not exist.'] }),
      );
      await expectError(
        await inject('PUT', '/api/v2/users/124', auth(admin), { firstName: 'P', lastName: 'C', email: `${'x'.repeat(140)}@example.com`, phoneNumber: '1' }),
        422,
        parameter({ email: ['Ensure this field has no more than 150 characters.'], role: ['This field is required.'] }),
      );
      expect(await b2bDigest(t)).toBe(before);
    });

    it('role query values outside 0-4', async () => {
      await expectError(await inject('GET', '/api/v2/users?role=9'), 422, parameter({ role: ['"9" is not a valid choice.'] }));
      await expectError(await inject('GET', '/api/v2/companies/123456/users?role[]=1&role[]=x'), 422, parameter({ role: ['"x" is not a valid choice.'] }));
      await expectError(
        await inject('GET', `/api/v2/companies/validations/frontend/user-emails/a@example.com?storeHash=${STORE}&role=7`),
        422,
        parameter({ role: ['"7" is not a valid choice.'] }),
      );
      await expectError(
        await inject('GET', '/api/v2/companies/validations/frontend/user-emails/a@example.com'),
        422,
        parameter({ storeHash: ['This field is required.'], role: ['This field is required.'] }),
      );
    });

    it('e-mail already used by a B2B user or (on PUT) by an unlinked customer', async () => {
      const before = await b2bDigest(t);
      await expectError(
        await inject('POST', '/api/v2/users', auth(admin), { companyId: '123456', firstName: 'A', lastName: 'B', email: ' P.Curie@GreatBuys.com', phoneNumber: '', role: '2' }),
        422,
        logic("Email already exists. ['P.Curie@GreatBuys.com']"),
      );
      await expectError(
        await inject('POST', '/api/v2/users', auth(admin), { companyId: '123456', firstName: 'A', lastName: 'B', email: demo.rival.email, phoneNumber: '', role: '2' }),
        422,
        logic(`Email already exists. ['${demo.rival.email}']`),
      );
      await expectError(
        await inject('PUT', '/api/v2/users/124', auth(admin), { firstName: 'P', lastName: 'C', email: 'I.Joliot@greatbuys.com', phoneNumber: '', role: '1' }),
        422,
        logic("Email already exists. ['I.Joliot@greatbuys.com']"),
      );
      await expectError(
        await inject('PUT', '/api/v2/users/124', auth(admin), { firstName: 'P', lastName: 'C', email: walkIn.email, phoneNumber: '', role: '1' }),
        422,
        logic(`Email already exists. ['${walkIn.email}']`),
      );
      expect(await b2bDigest(t)).toBe(before);
    });

    it('deleting yourself wins over the last-user rule; the last user of a Company cannot be deleted', async () => {
      const before = await b2bDigest(t);
      await expectError(await inject('DELETE', '/api/v2/users/123'), 422, logic('You can not delete yourself.'));
      await expectError(await inject('DELETE', '/api/v2/users/127', auth(tokenFor(t, demo.westAdmin))), 422, logic('You can not delete yourself.'));
      const groupManager = tokenFor(t, { id: 129, bcId: 341, email: 'group.manager@greatbuys.com' });
      await expectError(await inject('DELETE', '/api/v2/users/127', auth(groupManager)), 422, logic('The last user in company can not be deleted.'));
      expect(await b2bDigest(t)).toBe(before);
    });
  });

  describe('transport', () => {
    it('400 JSON parse error, 415 media type, 405 method, 413 size; nothing written', async () => {
      const before = await b2bDigest(t);
      const bad = await t.app.inject({ method: 'POST', url: '/api/v2/users', headers: { ...auth(admin), 'content-type': 'application/json' }, payload: '{"companyId": ' });
      await expectError(bad, 400, v2(400, 'JSON parse error'));
      const text = await t.app.inject({ method: 'POST', url: '/api/v2/users', headers: { ...auth(admin), 'content-type': 'text/plain' }, payload: 'hello' });
      await expectError(text, 415, v2(415, 'Unsupported media type'));
      const putXml = await t.app.inject({ method: 'PUT', url: '/api/v2/users/124', headers: { ...auth(admin), 'content-type': 'application/xml' }, payload: '<a/>' });
      await expectError(putXml, 415, v2(415, 'Unsupported media type'));
      for (const [method, url] of [
        ['PATCH', '/api/v2/users'],
        ['DELETE', '/api/v2/users'],
        ['POST', '/api/v2/users/124'],
        ['PATCH', '/api/v2/users/124'],
        ['POST', '/api/v2/companies/123456/users'],
        ['GET', '/api/v2/login'],
        ['GET', '/api/io/auth/customers'],
      ] as const) {
        const res = await t.app.inject({ method, url, headers: auth(admin) });
        expect(res.statusCode, `${method} ${url}`).toBe(405);
        expect(res.json().code).toBe(405);
        expect(res.json().data.errMsg ?? res.json().data).toBeDefined();
      }
      const big = await t.app.inject({
        method: 'POST',
        url: '/api/v2/users',
        headers: { ...auth(admin), 'content-type': 'application/json' },
        payload: JSON.stringify({ companyId: '123456', firstName: 'x'.repeat(1024 * 1024 + 10) }),
      });
      await expectError(big, 413, v2(413, 'Request Entity Too Large'));
      const bigIo = await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }) });
      await expectError(bigIo, 413, io(413, 'Request Entity Too Large'));
      expect(await b2bDigest(t)).toBe(before);
    });

    it('a path that cannot be percent-decoded answers 400 in the API\'s own envelope', async () => {
      for (const url of ['/api/v2/users/%zz', '/api/v2/companies/validations/frontend/user-emails/a%FF', '/api/v2/users?q=%']) {
        const res = await t.app.inject({ method: 'GET', url, headers: auth(admin) });
        if (url.includes('?')) {
          expect(res.statusCode, url).toBe(200); // a bad query string is lenient: the parameter is ignored or literal
          continue;
        }
        await expectError(res, 400, v2(400, 'Malformed URL'));
        expect(res.headers['access-control-allow-origin']).toBe('*');
      }
      await expectError(await t.app.inject({ method: 'POST', url: '/api/io/auth/%' }), 400, io(400, 'Malformed URL'));
      const elsewhere = await t.app.inject({ method: 'GET', url: '/nothing/%zz' });
      expect(elsewhere.statusCode).toBe(400);
      expect(elsewhere.json()).toEqual({ code: 400, message: 'Malformed URL', data: { errMsg: 'Malformed URL' } });
    });

    it('form-encoded bodies are accepted like JSON', async () => {
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v2/users/124',
        headers: { ...auth(admin), 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'firstName=Pierre&lastName=Curie&email=p.curie%40greatbuys.com&phoneNumber=8001234568&role=1',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ code: 200, message: 'SUCCESS', data: {} });
    });

    it('CORS headers and X-Request-Id on every B2B answer; OPTIONS preflight 204', async () => {
      for (const res of [await inject('GET', '/api/v2/users'), await inject('GET', '/api/v2/users', {}), await inject('GET', '/api/v2/nothing-here')]) {
        expect(res.headers['access-control-allow-origin']).toBe('*');
        expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, OPTIONS, DELETE, PATCH');
        expect(String(res.headers['access-control-allow-headers'])).toContain('authToken, Content-Type');
        expect(res.headers['access-control-max-age']).toBe('1728000');
        expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]+$/);
      }
      const preflight = await t.app.inject({ method: 'OPTIONS', url: '/api/v2/users/123', headers: { origin: 'https://shop.example', 'access-control-request-method': 'DELETE' } });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.body).toBe('');
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      const unknown = await inject('GET', '/api/v2/nothing-here');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe(404);
    });
  });

  describe('input that cannot exist in storage', () => {
    it('huge ids, NUL characters and prototype keys never reach the database as errors', async () => {
      const before = await b2bDigest(t);
      const big = '99999999999999';
      await expectError(await inject('GET', `/api/v2/users/${big}`), 404, USER_NOT_FOUND);
      await expectError(await inject('GET', `/api/v2/users/${big}?isBcId=1`), 404, USER_NOT_FOUND);
      await expectError(await inject('GET', `/api/v2/companies/${big}/users`), 404, COMPANY_NOT_FOUND);
      await expectError(await inject('GET', `/api/v2/customers/${big}/companies`), 404, USER_NOT_FOUND);
      await expectError(await inject('POST', '/api/v2/users', auth(admin), { companyId: Number(big), firstName: 'A' }), 403, FORBIDDEN);
      await expectError(
        await inject('POST', '/api/v2/users', auth(admin), { companyId: '123456', firstName: 'A\u0000', lastName: 'B', email: 'nul\u0000@example.com', phoneNumber: '', role: '1', companyRoleId: big }),
        422,
        parameter({
          email: ['Null characters are not allowed.'],
          firstName: ['Null characters are not allowed.'],
          companyRoleId: [`Invalid pk "${big}" - object does not exist.`],
        }),
      );
      expect((await inject('GET', '/api/v2/users?q=a%00b')).json().data.list).toEqual([]);
      await expectError(await inject('GET', `/api/v2/users/validations/existence?storeHash=${STORE}&email=a%00@example.com`), 404, USER_NOT_FOUND);
      await expectError(
        await inject('GET', `/api/v2/companies/validations/frontend/user-emails/a%00b@example.com?storeHash=${STORE}&role=1`),
        422,
        parameter({ email: ['Null characters are not allowed.'] }),
      );
      const sign = await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', payload: { storeHash: 'f0q\u0000', email: 'a\u0000@x.com', password: 'p\u0000', channelId: 1, name: 'n' } });
      await expectError(sign, 400, io(400, 'Calling BC API failed', 'Customer auth failed'));
      for (const storeHash of ['__proto__', 'constructor', 'toString']) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v2/login', payload: { bcToken: currentCustomerJwt(322, { iat: NOW_S, storeHash }), storeHash } });
        await expectError(res, 401, INVALID);
      }
      const hugeCustomer = await t.app.inject({ method: 'POST', url: '/api/v2/login', payload: { bcToken: currentCustomerJwt(2 ** 40, { iat: NOW_S }) } });
      await expectError(hugeCustomer, 401, INVALID);
      expect(await b2bDigest(t)).toBe(before);
    });
  });

  describe('token endpoints', () => {
    it('POST /api/io/auth/customers: wrong credentials 400, missing fields and bad windows 422', async () => {
      const failed = io(400, 'Calling BC API failed', 'Customer auth failed');
      const sign = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/io/auth/customers', payload: payload as string });
      const base = { storeHash: STORE, email: demo.admin.email, password: 'Passw0rd!', channelId: 1, name: 'n' };
      await expectError(await sign({ ...base, password: 'wrong' }), 400, failed);
      await expectError(await sign({ ...base, email: 'nobody@example.com' }), 400, failed);
      await expectError(await sign({ ...base, storeHash: 'nostore' }), 400, failed);
      await expectError(await sign({ ...base, channelId: 42 }), 400, failed);
      const { name: _name, ...withoutName } = base;
      await expectError(await sign(withoutName), 422, io(422, 'Parameter Error', { name: ['This field is required.'] }));
      await expectError(await sign({ ...base, name: '' }), 422, io(422, 'Parameter Error', { name: ['This field may not be blank.'] }));
      await expectError(await sign({}), 422, io(422, 'Parameter Error', {
        storeHash: ['This field is required.'],
        email: ['This field is required.'],
        password: ['This field is required.'],
        channelId: ['This field is required.'],
        name: ['This field is required.'],
      }));
      await expectError(await sign({ ...base, endAt: NOW_S - 1 }), 422, io(422, 'Parameter Error', { endAt: ['endAt must be in the future.'] }));
      await expectError(await sign({ ...base, beginAt: NOW_S + 100, endAt: NOW_S + 50 }), 422, io(422, 'Parameter Error', { endAt: ['endAt must be after beginAt.'] }));
      const bad = await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', headers: { 'content-type': 'application/json' }, payload: '{' });
      await expectError(bad, 400, io(400, 'JSON parse error'));
    });

    it('a pending Company\'s user gets a token, then 403 on user endpoints (§14 #5)', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', payload: { storeHash: STORE, email: demo.pending.email, password: 'Passw0rd!', channelId: 1, name: 'n' } });
      expect(res.statusCode).toBe(200);
      await expectError(await inject('GET', '/api/v2/users', auth(res.json().data.token)), 403, FORBIDDEN);
    });

    it('POST /api/v2/login: missing bcToken 422; bad signature, expired, unknown or different customer 401', async () => {
      const login = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/v2/login', payload: payload as string });
      await expectError(await login({ storeHash: STORE }), 422, parameter({ bcToken: ['This field is required.'] }));
      await expectError(await login({ bcToken: currentCustomerJwt(322, { iat: NOW_S, secret: 'wrong' }) }), 401, BAD_SIGNATURE);
      await expectError(await login({ bcToken: 'garbage' }), 401, BAD_SIGNATURE);
      await expectError(await login({ bcToken: currentCustomerJwt(322, { iat: NOW_S - 2000, exp: NOW_S - 1000 }) }), 401, EXPIRED);
      await expectError(await login({ bcToken: currentCustomerJwt(9999, { iat: NOW_S }) }), 401, INVALID);
      await expectError(await login({ bcToken: currentCustomerJwt(322, { iat: NOW_S }), customerId: 323 }), 401, INVALID);
      await expectError(await login({ bcToken: currentCustomerJwt(322, { iat: NOW_S }), storeHash: 'otherstore' }), 401, INVALID);
      const ok = await login({ bcToken: currentCustomerJwt(322, { iat: NOW_S }), customerId: 322, storeHash: STORE, channelId: 1 });
      expect(ok.statusCode).toBe(200);
    });

    it('GET /api/io/auth/storefront without jwtToken answers the documented 401', async () => {
      await expectError(
        await t.app.inject({ method: 'GET', url: '/api/io/auth/storefront', headers: { 'x-store-hash': STORE } }),
        401,
        io(401, 'Invalid token header. No credentials provided.'),
      );
      await expectError(
        await t.app.inject({ method: 'GET', url: `/api/io/auth/storefront?jwtToken=${currentCustomerJwt(322, { iat: NOW_S, secret: 'nope' })}`, headers: { 'x-store-hash': STORE } }),
        401,
        io(401, 'Error decoding signature.'),
      );
    });
  });
});

describe.each(dialects)('B2B REST rate limits and deleted users on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW, b2bRateLimit: { requests: 4, windowMs: 60_000 } });
  });
  afterAll(async () => t.close());

  it('counts every request of a known store, headers on each, 429 with Retry-After when over', async () => {
    const admin = tokenFor(t, demo.admin);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v2/users' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['x-requests-remaining']).toBeUndefined();
    const first = await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(admin) });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-requests-allocated']).toBe('4 times/60 s');
    expect(first.headers['x-requests-window-length']).toBe('4 times');
    expect(first.headers['x-requests-remaining']).toBe('3 times');
    expect(first.headers['x-request-window-resets-after']).toBe('60.000 s');
    const forbidden = await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(tokenFor(t, demo.senior)) });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['x-requests-remaining']).toBe('2 times');
    t.clock.advance(10_500);
    const signIn = await t.app.inject({ method: 'POST', url: '/api/io/auth/customers', payload: { storeHash: STORE, email: demo.admin.email, password: 'wrong', channelId: 1, name: 'n' } });
    expect(signIn.statusCode).toBe(400);
    expect(signIn.headers['x-requests-remaining']).toBe('1 times');
    expect(signIn.headers['x-request-window-resets-after']).toBe('49.500 s');
    const expired = tokenFor(t, demo.admin, { endAt: NOW_S + 5 });
    const last = await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(expired) });
    expect(last.statusCode).toBe(401); // counted: the store is known from a valid signature
    expect(last.headers['x-requests-remaining']).toBe('0 times');
    const before = await b2bDigest(t);
    const throttled = await t.app.inject({ method: 'DELETE', url: '/api/v2/users/125', headers: auth(admin) });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json()).toEqual(v2(429, 'Request was throttled. Expected available in 50 seconds.'));
    expect(throttled.headers['retry-after']).toBe('50');
    expect(throttled.headers['x-requests-remaining']).toBe('0 times');
    expect(await b2bDigest(t)).toBe(before);
    t.clock.advance(50_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/users', headers: auth(admin) })).statusCode).toBe(200);
  });

  it('a deleted user\'s token stops working at once (401 Invalid token.)', async () => {
    await t.app.services.rateLimiter.store.reset();
    const junior = tokenFor(t, demo.junior);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/customers/125/companies', headers: auth(junior) })).statusCode).toBe(200);
    const del = await t.app.inject({ method: 'DELETE', url: '/api/v2/users/125', headers: auth(tokenFor(t, demo.admin)) });
    expect(del.statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/api/v2/customers/125/companies', headers: auth(junior) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(INVALID);
  });
});
