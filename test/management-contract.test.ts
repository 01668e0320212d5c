import { readFileSync, writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHs256 } from '../src/auth/b2b-jwt.js';
import { dialects } from './helpers/dialects.js';
import { mgmt, managementFixture, MGMT_BASE, NOW, OTHER_STORE, STORE, TOKENS, USERS, WALK_IN, stateDigest, storefront } from './helpers/management-support.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The Management API's edges that are Roster's own: the OpenAPI document (committed, diffed), route D
 * (b2b-management-rest.md §10.3: a storefront token for a customer, asked with server-to-server
 * credentials), the emulator's journal and fault rules naming the API and its operationIds, and forks.
 */
const OPENAPI_FILE = new URL('../openapi/b2b-management.json', import.meta.url);
const ROUTE_D = '/api/io/auth/customers/storefront';

describe.each(dialects)('Management API contract on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: managementFixture(), now: NOW });
  });
  afterAll(async () => t.close());

  it('serves its OpenAPI document, the committed one, with every route of §1.1 by operationId', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${MGMT_BASE}/openapi.json` });
    expect(res.statusCode).toBe(200);
    if (process.env.UPDATE_B2B_OPENAPI === '1') writeFileSync(OPENAPI_FILE, `${res.body}\n`);
    expect(`${res.body}\n`).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
    const doc = res.json() as { paths: Record<string, Record<string, { operationId: string }>> };
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((m) => m.operationId));
    expect(operations.sort()).toEqual(
      [
        'companies_users_list',
        'companies_users_create',
        'companies_users_bulk_create_create',
        'companies_user_by_id',
        'companies_user_update',
        'companies_user_delete',
        'companies_user_read',
        'get_users_extra_fields',
        'get-companies',
        'post-companies',
        'get-companies-companyId',
        'put-companies-companyId',
        'delete-companies-companyId',
        'put-companies-companyId-status',
        'post-companies-bulk',
        'put-companies',
        'get-companies-extra-fields',
        'get-companies-companyId-subsidiaries',
        'delete-companies-companyId-subsidiary',
        'post-companies-companyId-parents',
        'get-companies-companyId-hierarchy',
        'get-stores-companies-roles',
        'get-stores-companies-roles-int:roleId',
        'get-stores-companies-permissions',
        'put-companies-companyId-catalog',
      ].sort(),
    );
  });

  it('route D gives a storefront token (in an array) for a customer of the token\'s store, which the storefront API accepts', async () => {
    const admin = USERS.admin;
    const res = await t.app.inject({
      method: 'POST',
      url: ROUTE_D,
      headers: { 'x-auth-token': TOKENS.modify, 'x-store-hash': STORE, 'content-type': 'application/json' },
      payload: { customerId: admin.bcId, channelId: 1, customerAccessToken: { value: 'ignored', expires_at: 1 } },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { code: number; data: { token: string[] }; meta: { message: string } };
    expect(Object.keys(body)).toEqual(['code', 'data', 'meta']);
    expect(body.code).toBe(200);
    expect(body.meta).toEqual({ message: 'SUCCESS' });
    expect(body.data.token).toHaveLength(1);
    const token = body.data.token[0] as string;
    const claims = decodeHs256(token, t.app.services.settings.b2bJwtSecret);
    expect(claims.ok && claims.claims).toMatchObject({ store_hash: STORE, bc_customer_id: admin.bcId, b2b_user_id: admin.id });
    const list = await storefront(t, token, 'GET', '/api/v2/users?limit=1');
    expect(list.status).toBe(200);

    // a B2C customer too (legacy authToken); the token names no B2B user
    const legacy = await t.app.inject({ method: 'POST', url: ROUTE_D, headers: { authtoken: TOKENS.legacy }, payload: { customerId: WALK_IN.bcId } });
    expect(legacy.statusCode).toBe(200);
    const b2c = decodeHs256((legacy.json() as { data: { token: string[] } }).data.token[0] as string, t.app.services.settings.b2bJwtSecret);
    expect(b2c.ok && b2c.claims.b2b_user_id).toBeUndefined();
  });

  it('route D refuses: another store\'s customer (404 as missing), no credentials, read-only token, bad body; and changes nothing', async () => {
    const before = await stateDigest(t);
    const headers = { 'x-auth-token': TOKENS.other, 'x-store-hash': OTHER_STORE };
    const missing = await t.app.inject({ method: 'POST', url: ROUTE_D, headers, payload: { customerId: USERS.admin.bcId } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 404, data: { errMsg: 'Customer does not exist.' }, meta: { message: 'Not Found Error' } });
    const unknown = await t.app.inject({ method: 'POST', url: ROUTE_D, headers: { 'x-auth-token': TOKENS.modify, 'x-store-hash': STORE }, payload: { customerId: 999999 } });
    expect(unknown.json()).toEqual(missing.json());
    const none = await t.app.inject({ method: 'POST', url: ROUTE_D, payload: { customerId: USERS.admin.bcId } });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ code: 401, data: { errMsg: 'Invalid token header. No credentials provided.' }, meta: { message: 'Invalid token header. No credentials provided.' } });
    const storefrontJwt = await t.app.inject({ method: 'POST', url: ROUTE_D, headers: { 'x-auth-token': 'not-a-token', 'x-store-hash': STORE }, payload: { customerId: USERS.admin.bcId } });
    expect(storefrontJwt.statusCode).toBe(401);
    const readOnly = await t.app.inject({ method: 'POST', url: ROUTE_D, headers: { 'x-auth-token': TOKENS.read, 'x-store-hash': STORE }, payload: { customerId: USERS.admin.bcId } });
    expect(readOnly.statusCode).toBe(403);
    const bad = await t.app.inject({ method: 'POST', url: ROUTE_D, headers: { 'x-auth-token': TOKENS.modify, 'x-store-hash': STORE }, payload: { customerId: 'x' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ code: 422, data: { errMsg: { customerId: ['A valid integer is required.'] } }, meta: { message: 'Parameter Error' } });
    expect(await stateDigest(t)).toBe(before);
  });

  it('the journal names the API b2b-management and its operationIds; a fault rule can match an operationId', async () => {
    await t.app.inject({ method: 'DELETE', url: '/_roster/requests' });
    await mgmt(t, 'GET', '/users', { query: { limit: 1 } });
    const journal = (await t.app.inject({ method: 'GET', url: '/_roster/requests?operation=companies_users_list' })).json() as { requests: { api: string; status: number }[] };
    expect(journal.requests.length).toBeGreaterThan(0);
    expect(journal.requests.every((r) => r.api === 'b2b-management' && r.status === 200)).toBe(true);

    const rule = await t.app.inject({ method: 'POST', url: '/_roster/faults', payload: { match: { api: 'b2b-management', operation: 'companies_users_create', nth: 1 }, effect: { status: 503 } } });
    expect(rule.statusCode).toBe(201);
    const before = await stateDigest(t);
    const refused = await mgmt(t, 'POST', '/users', { body: { firstName: 'F', lastName: 'L', email: 'fault@x.com', companyId: USERS.admin.companyId, role: 2, channelIds: [1] } });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ code: 503, meta: { message: 'Service Unavailable' }, data: { errMsg: 'Service Unavailable' } });
    expect(await stateDigest(t)).toBe(before);
    // other operations of the API are untouched, and the rule fired once
    expect((await mgmt(t, 'GET', '/users', { query: { limit: 1 } })).status).toBe(200);
    const created = await mgmt(t, 'POST', '/users', { body: { firstName: 'F', lastName: 'L', email: 'fault@x.com', companyId: USERS.admin.companyId, role: 2, channelIds: [1] } });
    expect(created.status).toBe(200);
    await t.app.inject({ method: 'DELETE', url: '/_roster/faults' });
  });

  it('reads are answered from the answer cache only while nothing changed: storefront writes, Management writes and outside writes are seen at once', async () => {
    const t2 = await createTestApp({ dialect, fixture: managementFixture(), now: NOW, sqliteFile: true });
    try {
      const first = async () => ((await mgmt(t2, 'GET', `/users/${USERS.admin.id}`)).body as { data: { firstName: string } }).data.firstName;
      expect(await first()).toBe(USERS.admin.firstName);
      expect(await first()).toBe(USERS.admin.firstName); // a repeat (cached)
      const token = await t2.app.services.b2bTokens.issue({ storeHash: STORE, customerId: USERS.admin.bcId, userId: USERS.admin.id, email: USERS.admin.email, channelId: 1 }).token;
      const put = await storefront(t2, token, 'PUT', `/api/v2/users/${USERS.admin.id}`, { firstName: 'ViaStorefront', lastName: 'L', email: USERS.admin.email, phoneNumber: '', role: 0 });
      expect(put.status).toBe(200);
      expect(await first()).toBe('ViaStorefront');
      expect((await mgmt(t2, 'PUT', `/users/${USERS.admin.id}`, { body: { firstName: 'ViaManagement' } })).status).toBe(200);
      expect(await first()).toBe('ViaManagement');
      const outside = await t2.outside();
      await sql`UPDATE company_users SET first_name = 'Elsewhere' WHERE id = ${USERS.admin.id}`.execute(outside.kysely);
      expect(await first()).toBe('Elsewhere');
      // another credential of the same store does not get this credential's answer (and reads the same data)
      expect(((await mgmt(t2, 'GET', `/users/${USERS.admin.id}`, { token: TOKENS.read })).body as { data: { firstName: string } }).data.firstName).toBe('Elsewhere');
      expect((await mgmt(t2, 'GET', `/users/${USERS.admin.id}`, { token: TOKENS.other })).status).toBe(404);
    } finally {
      await t2.close();
    }
  });

  it('a fork serves the API on its own copy: writes there are not seen by the main world, and the other way round', async () => {
    const fork = (await t.app.inject({ method: 'POST', url: '/_roster/forks' })).json() as { id: string };
    const body = { firstName: 'Forked', lastName: 'User', email: 'forked@x.com', companyId: USERS.admin.companyId, role: 1, channelIds: [1] };
    // mgmt() prefixes the API base; a fork needs the fork prefix first, so inject directly
    const created = await t.app.inject({
      method: 'POST',
      url: `/f/${fork.id}${MGMT_BASE}/users`,
      headers: { 'x-auth-token': TOKENS.modify, 'x-store-hash': STORE, 'content-type': 'application/json' },
      payload: body,
    });
    expect(created.statusCode).toBe(200);
    const { userId } = (created.json() as { data: { userId: number } }).data;
    const seenInFork = await t.app.inject({ method: 'GET', url: `/f/${fork.id}${MGMT_BASE}/users/${userId}`, headers: { 'x-auth-token': TOKENS.modify, 'x-store-hash': STORE } });
    expect(seenInFork.statusCode).toBe(200);
    expect((await mgmt(t, 'GET', `/users/${userId}`)).status).toBe(404);
    expect((await mgmt(t, 'GET', '/users', { query: { email: 'forked@x.com' } })).body).toMatchObject({ data: [] });
    await t.app.inject({ method: 'DELETE', url: `/_roster/forks/${fork.id}` });
  });
});
