import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import type { TestApp } from './helpers/test-app.js';
import {
  ACCOUNT,
  ACCOUNT_TOKEN,
  ADMIN_USER,
  addAccountUser,
  adminB2bToken,
  COMPANY,
  createAdminTestApp,
  createCompanyUser,
  exportState,
  type Inject,
  injector,
  STORE,
} from './admin-support.js';

const accountQuery = (inject: Inject, prefix = '') =>
  inject({
    method: 'POST',
    url: `${prefix}/accounts/${ACCOUNT}/graphql`,
    headers: { 'x-auth-token': ACCOUNT_TOKEN, 'content-type': 'application/json' },
    payload: { query: '{ account { id } }' },
  });

describe('emulator clock, faults, journal and rate limits', () => {
  let t: TestApp;
  let inject: Inject;
  beforeAll(async () => {
    t = await createAdminTestApp('sqlite');
    inject = injector(t);
  });
  afterAll(async () => t.close());

  describe('clock', () => {
    it('freezing and moving the clock changes services.clock.now() in every world', async () => {
      const fork = (await inject({ method: 'POST', url: '/_roster/forks' })).json();
      const forkServices = t.app.controls.worlds.get(fork.id)?.services;
      expect(forkServices).toBeDefined();

      const frozen = await inject({ method: 'POST', url: '/_roster/clock', payload: { now: '2030-01-02T03:04:05Z' } });
      expect(frozen.statusCode).toBe(200);
      expect(frozen.json()).toEqual({ now: '2030-01-02T03:04:05.000Z', epochMs: Date.UTC(2030, 0, 2, 3, 4, 5), frozen: true });
      expect(t.app.services.clock.now()).toBe(Date.UTC(2030, 0, 2, 3, 4, 5));
      expect(forkServices?.clock.now()).toBe(Date.UTC(2030, 0, 2, 3, 4, 5));

      const moved = await inject({ method: 'POST', url: `/f/${fork.id}/_roster/clock`, payload: { advanceMs: 90_000 } });
      expect(moved.json().now).toBe('2030-01-02T03:05:35.000Z');
      expect(t.app.services.clock.now()).toBe(Date.UTC(2030, 0, 2, 3, 5, 35));
      expect(forkServices?.clock.now()).toBe(Date.UTC(2030, 0, 2, 3, 5, 35));
      expect((await inject({ method: 'GET', url: '/_roster/clock' })).json().now).toBe('2030-01-02T03:05:35.000Z');

      const real = await inject({ method: 'POST', url: '/_roster/clock', payload: { real: true } });
      expect(real.json().frozen).toBe(false);
      expect(t.app.services.clock.now()).toBeLessThan(Date.UTC(2030, 0, 1));
      expect((await inject({ method: 'DELETE', url: `/_roster/forks/${fork.id}` })).statusCode).toBe(204);
    });

    it('refuses malformed clock changes', async () => {
      for (const payload of [{ now: 'yesterday' }, {}, { now: '2030-01-01T00:00:00Z', advanceMs: 5 }, { advanceMs: 1.5 }, { real: false }]) {
        const res = await inject({ method: 'POST', url: '/_roster/clock', payload });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.code).toBe('BAD_REQUEST');
      }
      expect((await inject({ method: 'GET', url: '/_roster/clock' })).json().frozen).toBe(false);
    });

    it('moving the clock expires storefront tokens and refills rate-limit windows', async () => {
      await inject({ method: 'POST', url: '/_roster/clock', payload: { now: '2030-06-01T00:00:00Z' } });
      const nowS = Date.UTC(2030, 5, 1) / 1000;
      const signIn = await inject({
        method: 'POST',
        url: '/api/io/auth/customers',
        payload: { storeHash: STORE, email: ADMIN_USER.email, password: ADMIN_USER.password, channelId: 1, name: 'short', endAt: nowS + 60 },
      });
      expect(signIn.statusCode, signIn.body).toBe(200);
      const token = signIn.json().data.token as string;
      const ok = await inject({ method: 'GET', url: '/api/v2/users', headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
      await inject({ method: 'POST', url: '/_roster/clock', payload: { advanceMs: 61_000 } });
      const expired = await inject({ method: 'GET', url: '/api/v2/users', headers: { authorization: `Bearer ${token}` } });
      expect(expired.statusCode).toBe(401);
      expect(expired.json().message).toBe('Signature has expired.');

      // a live quota: 2 per minute for this account only
      const set = await inject({ method: 'PUT', url: `/_roster/rate-limits/account/${ACCOUNT}`, payload: { requests: 2, windowMs: 60_000 } });
      expect(set.json()).toEqual({ kind: 'account', key: ACCOUNT, setting: { requests: 2, windowMs: 60_000 } });
      expect((await accountQuery(inject)).statusCode).toBe(200);
      expect((await accountQuery(inject)).statusCode).toBe(200);
      expect((await accountQuery(inject)).statusCode).toBe(429);
      const limits = (await inject({ method: 'GET', url: '/_roster/rate-limits' })).json();
      expect(limits.overrides).toEqual([{ kind: 'account', key: ACCOUNT, setting: { requests: 2, windowMs: 60_000 } }]);
      expect(limits.buckets).toContainEqual(expect.objectContaining({ key: `account:${ACCOUNT}`, kind: 'account', subject: ACCOUNT, limit: 2, remaining: 0, resetMs: 60_000 }));
      await inject({ method: 'POST', url: '/_roster/clock', payload: { advanceMs: 60_000 } });
      expect((await accountQuery(inject)).statusCode).toBe(200);

      // counters can be forgotten, and the override removed
      const reset = await inject({ method: 'POST', url: '/_roster/rate-limits/reset', payload: { kind: 'account' } });
      expect(reset.json()).toEqual({ world: 'main', reset: 1 });
      expect((await inject({ method: 'GET', url: '/_roster/rate-limits' })).json().buckets).toEqual([]);
      expect((await inject({ method: 'DELETE', url: `/_roster/rate-limits/account/${ACCOUNT}` })).statusCode).toBe(204);
      expect((await inject({ method: 'DELETE', url: `/_roster/rate-limits/account/${ACCOUNT}` })).statusCode).toBe(404);
      for (let i = 0; i < 4; i += 1) expect((await accountQuery(inject)).statusCode).toBe(200);
      // a kind-wide quota, then off again
      await inject({ method: 'PUT', url: '/_roster/rate-limits/account', payload: { requests: 1, windowMs: 1000 } });
      expect(t.app.services.rateLimitSettingFor('account', ACCOUNT)).toEqual({ requests: 1, windowMs: 1000 });
      await inject({ method: 'PUT', url: '/_roster/rate-limits/account', payload: { off: true } });
      expect(t.app.services.rateLimitSettingFor('account', ACCOUNT)).toBeNull();
      expect((await inject({ method: 'DELETE', url: '/_roster/rate-limits/account' })).statusCode).toBe(204);
      expect((await inject({ method: 'PUT', url: '/_roster/rate-limits/other', payload: { off: true } })).statusCode).toBe(404);
      expect((await inject({ method: 'PUT', url: '/_roster/rate-limits/account', payload: { requests: 0, windowMs: 5 } })).statusCode).toBe(400);
      await inject({ method: 'POST', url: '/_roster/clock', payload: { real: true } });
      await inject({ method: 'POST', url: '/_roster/rate-limits/reset' });
    });
  });

  describe('faults', () => {
    const health = async () => inject({ method: 'GET', url: '/healthz' });

    it('a rule on the nth call fires exactly on that call and only there', async () => {
      const added = await inject({ method: 'POST', url: '/_roster/faults', payload: { match: { operation: 'GET /healthz', nth: 3 }, effect: { status: 503 } } });
      expect(added.statusCode).toBe(201);
      const rule = added.json();
      expect(rule).toMatchObject({ match: { operation: 'GET /healthz', nth: 3 }, effect: { status: 503 }, times: 1, matched: 0, fired: 0, active: true });
      const statuses: number[] = [];
      let faulted: Awaited<ReturnType<typeof health>> | undefined;
      for (let i = 1; i <= 6; i += 1) {
        const res = await health();
        statuses.push(res.statusCode);
        if (res.statusCode !== 200) faulted = res;
      }
      expect(statuses).toEqual([200, 200, 503, 200, 200, 200]);
      expect(faulted?.json()).toEqual({ code: 503, message: 'Service Unavailable', data: { errMsg: 'Service Unavailable' } });
      expect(faulted?.headers['x-roster-fault']).toBe(rule.id);
      expect((await inject({ method: 'GET', url: `/_roster/faults/${rule.id}` })).json()).toMatchObject({ matched: 3, fired: 1, active: false });
      const journal = (await inject({ method: 'GET', url: '/_roster/requests?status=5xx' })).json().requests;
      expect(journal.map((r: { fault: string; status: number }) => [r.fault, r.status])).toEqual([[rule.id, 503]]);
      expect((await inject({ method: 'DELETE', url: `/_roster/faults/${rule.id}` })).statusCode).toBe(204);
      expect((await inject({ method: 'DELETE', url: `/_roster/faults/${rule.id}` })).statusCode).toBe(404);
    });

    it('a probability rule with a seed gives the same sequence twice', async () => {
      const run = async (seed: number | string) => {
        const rule = (await inject({ method: 'POST', url: '/_roster/faults', payload: { match: { operation: '/healthz', probability: 0.5, seed }, effect: { status: 500 } } })).json();
        const pattern: number[] = [];
        for (let i = 0; i < 32; i += 1) pattern.push((await health()).statusCode);
        await inject({ method: 'DELETE', url: `/_roster/faults/${rule.id}` });
        return pattern;
      };
      const first = await run(42);
      const second = await run(42);
      expect(second).toEqual(first);
      expect(first).toContain(500);
      expect(first).toContain(200);
      expect(await run('another seed')).not.toEqual(first);
    });

    it('answers in the error format of the API that was called', async () => {
      // Account API: a GraphQL error on one mutation, once; nothing is written
      const before = await exportState(inject);
      await inject({
        method: 'POST',
        url: '/_roster/faults',
        payload: { match: { api: 'account-graphql', operation: 'addUserToAccount' }, effect: { graphqlError: { code: 'INTERNAL_SERVER_ERROR', message: 'boom' } }, times: 1 },
      });
      expect((await accountQuery(inject)).json()).toEqual({ data: { account: { id: `bc/account/account/${ACCOUNT}` } } });
      const failed = await addAccountUser(inject, '', 'faulted@example.com');
      expect(failed.statusCode).toBe(200);
      expect(failed.json()).toEqual({ data: null, errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      expect(await exportState(inject)).toEqual(before);
      expect((await addAccountUser(inject, '', 'faulted@example.com')).json().errors).toBeUndefined();

      // Account API 429 keeps its REST-style body
      await inject({ method: 'POST', url: '/_roster/faults', payload: { match: { account: ACCOUNT }, effect: { status: 429 }, times: 1 } });
      const throttled = await accountQuery(inject);
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json()).toEqual({ status: 429, title: 'Too many requests', type: '/api-docs/getting-started/api-status-codes', errors: {} });

      // B2B REST, only for one token
      const token = await adminB2bToken(inject);
      const other = await adminB2bToken(inject);
      await inject({ method: 'POST', url: '/_roster/faults', payload: { match: { api: 'b2b-rest', token }, effect: { status: 503, message: 'down for maintenance' } } });
      const down = await inject({ method: 'GET', url: '/api/v2/users', headers: { authorization: `Bearer ${token}` } });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ code: 503, message: 'down for maintenance', data: { errMsg: 'down for maintenance' } });
      expect((await inject({ method: 'GET', url: '/api/v2/users', headers: { authorization: `Bearer ${other}` } })).statusCode).toBe(200);

      // B2B GraphQL, by store hash
      await inject({ method: 'POST', url: '/_roster/faults', payload: { match: { api: 'b2b-graphql', account: STORE }, effect: { status: 429 }, times: 1 } });
      const gql = await inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${other}` }, payload: { query: '{ userCompany(userId: 123) { id } }' } });
      expect(gql.statusCode).toBe(429);
      expect(gql.json()).toEqual({ data: null, errors: [{ message: 'Request was throttled. Expected available in 1 seconds.', extensions: { code: 429 } }] });

      const list = (await inject({ method: 'GET', url: '/_roster/faults' })).json().faults;
      expect(list.map((r: { fired: number }) => r.fired)).toEqual([1, 1, 1, 1]);
      expect((await inject({ method: 'DELETE', url: '/_roster/faults' })).statusCode).toBe(204);
      expect((await inject({ method: 'GET', url: '/_roster/faults' })).json()).toEqual({ faults: [] });
      expect((await inject({ method: 'GET', url: '/api/v2/users', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
      await inject({ method: 'POST', url: '/_roster/reset' });
    });

    it('adds latency, drops connections, and keeps rules to their own world', async () => {
      const slow = (await inject({ method: 'POST', url: '/_roster/faults', payload: { match: { operation: 'GET /healthz' }, effect: { latencyMs: 5 }, times: 1 } })).json();
      const res = await health();
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
      expect((await inject({ method: 'GET', url: '/_roster/requests?limit=1' })).json().requests[0]).toMatchObject({ fault: slow.id, status: 200 });

      const fork = (await inject({ method: 'POST', url: '/_roster/forks' })).json();
      await inject({ method: 'POST', url: `/f/${fork.id}/_roster/faults`, payload: { effect: { status: 500 } } });
      expect((await inject({ method: 'GET', url: `/f/${fork.id}/healthz` })).statusCode).toBe(500);
      expect((await health()).statusCode).toBe(200);
      await inject({ method: 'DELETE', url: `/_roster/forks/${fork.id}` });

      await inject({ method: 'POST', url: '/_roster/faults', payload: { match: { operation: 'GET /healthz' }, effect: { drop: true }, times: 1 } });
      const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
      await expect(fetch(`${address}/healthz`)).rejects.toThrow();
      expect((await fetch(`${address}/healthz`)).status).toBe(200);
      await inject({ method: 'DELETE', url: '/_roster/faults' });
    });

    it('refuses rules that cannot work', async () => {
      for (const payload of [
        { effect: {} },
        { match: { nth: 1, probability: 0.5 }, effect: { status: 500 } },
        { effect: { status: 200 } },
        { effect: { status: 500, drop: true } },
        { match: { api: 'b2b-rest' }, effect: { graphqlError: { code: 'X' } } },
        { match: { api: 'soap' }, effect: { status: 500 } },
        { match: { nth: 0 }, effect: { status: 500 } },
      ]) {
        const res = await inject({ method: 'POST', url: '/_roster/faults', payload });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.code).toBe('BAD_REQUEST');
      }
      expect((await inject({ method: 'GET', url: '/_roster/faults' })).json()).toEqual({ faults: [] });
    });
  });

  it('describes itself in an OpenAPI document', async () => {
    const res = await inject({ method: 'GET', url: '/_roster/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/_roster', '/_roster/state', '/_roster/reset', '/_roster/fixtures', '/_roster/snapshots/{name}/restore', '/_roster/forks/{id}', '/_roster/clock', '/_roster/rate-limits/{kind}/{key}', '/_roster/faults', '/_roster/requests', '/_roster/events', '/_roster/openapi.json']),
    );
    expect(doc.paths['/_roster/faults'].post.requestBody.content['application/json'].schema.required).toEqual(['effect']);
    expect(doc.paths['/_roster/forks/{id}'].delete.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    const unknown = await inject({ method: 'GET', url: '/_roster/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
  });

  describe('request journal', () => {
    it('shows every request with its secrets redacted: tokens, passwords, JWTs', async () => {
      await inject({ method: 'DELETE', url: '/_roster/requests' });
      const signIn = await inject({
        method: 'POST',
        url: '/api/io/auth/customers',
        payload: { storeHash: STORE, email: ADMIN_USER.email, password: ADMIN_USER.password, channelId: 1, name: 'journal' },
      });
      const jwt = signIn.json().data.token as string;
      await inject({ method: 'GET', url: '/api/v2/users?limit=1', headers: { authorization: `Bearer ${jwt}` } });
      await inject({ method: 'GET', url: `/api/io/auth/storefront?jwtToken=${jwt}&channelId=1`, headers: { 'x-store-hash': STORE } });
      await inject({
        method: 'POST',
        url: '/graphql',
        payload: { query: `mutation { login(loginData: { storeHash: "${STORE}", email: "${ADMIN_USER.email}", password: "${ADMIN_USER.password}", channelId: 1 }) { result { token } } }` },
      });
      await accountQuery(inject);

      const res = await inject({ method: 'GET', url: '/_roster/requests' });
      expect(res.statusCode).toBe(200);
      const text = res.body;
      expect(text).not.toContain(ADMIN_USER.password);
      expect(text).not.toContain(jwt);
      expect(text).not.toContain(jwt.split('.')[1]);
      expect(text).not.toContain(ACCOUNT_TOKEN);
      const requests = res.json().requests;
      expect(requests.map((r: { api: string; operation: string }) => [r.api, r.operation])).toEqual([
        ['b2b-rest', 'POST /api/io/auth/customers'],
        ['b2b-rest', 'GET /api/v2/users'],
        ['b2b-rest', 'GET /api/io/auth/storefront'],
        ['b2b-graphql', 'login'],
        ['account-graphql', 'account.id'],
      ]);
      const [login, list, , gqlLogin, account] = requests;
      expect(login.request.body).toMatchObject({ email: ADMIN_USER.email, password: '[redacted]' });
      expect(login.response.body).toMatchObject({ code: 200, data: { token: '[redacted]' } });
      expect(login.principal).toEqual({ type: 'credentials', email: ADMIN_USER.email, storeHash: STORE });
      expect(list.request.headers.authorization).toBe('[redacted]');
      expect(list.principal).toMatchObject({ type: 'b2b-user', storeHash: STORE, email: ADMIN_USER.email, bcCustomerId: ADMIN_USER.bcId });
      expect(gqlLogin.request.body.query).toContain('password: "[redacted]"');
      expect(account.request.headers['x-auth-token']).toBe('[redacted]');
      expect(account.principal).toMatchObject({ type: 'api-account', accountUuid: ACCOUNT, name: 'demo-full' });
      expect(account).toMatchObject({ method: 'POST', status: 200, world: 'main', route: '/accounts/:account_uuid/graphql' });
      expect(typeof account.durationMs).toBe('number');

      // filters
      const filtered = (await inject({ method: 'GET', url: '/_roster/requests?api=b2b-rest&status=2xx&limit=2' })).json().requests;
      // (the storefront token request above used a B2B token where a Current Customer JWT belongs: a 401)
      expect(filtered.map((r: { operation: string }) => r.operation)).toEqual(['POST /api/io/auth/customers', 'GET /api/v2/users']);
      expect((await inject({ method: 'GET', url: '/_roster/requests?status=401' })).json().requests.map((r: { url: string }) => r.url)).toEqual([
        '/api/io/auth/storefront?jwtToken=[redacted]&channelId=1',
      ]);
      expect((await inject({ method: 'GET', url: '/_roster/requests?operation=account' })).json().requests).toHaveLength(1);
      expect((await inject({ method: 'GET', url: '/_roster/requests?status=nope' })).statusCode).toBe(400);
    });
  });
});

describe.each(dialects)('emulator events on %s', (dialect) => {
  let t: TestApp;
  let inject: Inject;
  beforeAll(async () => {
    t = await createAdminTestApp(dialect);
    inject = injector(t);
  });
  afterAll(async () => t.close());

  const events = async (type: string) => (await inject({ method: 'GET', url: `/_roster/events?type=${type}` })).json().events;

  it('reports Account API membership changes with before and after', async () => {
    expect((await addAccountUser(inject, '', 'events.member@example.com')).json().errors).toBeUndefined();
    const [added] = await events('account.user');
    expect(added).toMatchObject({
      type: 'account.user.added',
      world: 'main',
      source: 'service',
      subject: { accountUuid: ACCOUNT },
      before: null,
      after: { email: 'events.member@example.com' },
    });
    const removed = await inject({
      method: 'POST',
      url: `/accounts/${ACCOUNT}/graphql`,
      headers: { 'x-auth-token': ACCOUNT_TOKEN, 'content-type': 'application/json' },
      payload: { query: 'mutation { account { removeUserFromAccount(input: { email: "events.member@example.com" }) { userId } } }' },
    });
    expect(removed.json().errors).toBeUndefined();
    const all = await events('account.user');
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ type: 'account.user.removed', before: { email: 'events.member@example.com' }, after: null });
    // a failed mutation reports nothing
    await addAccountUser(inject, '', 'not an email');
    expect(await events('account.user')).toHaveLength(2);
  });

  it('reports company user changes from the B2B service with before and after', async () => {
    const token = await adminB2bToken(inject);
    const created = await createCompanyUser(inject, '', token, 'events.buyer@greatbuys.com');
    expect(created.statusCode).toBe(200);
    const userId = Number(created.json().data.userId);
    const updated = await inject({
      method: 'PUT',
      url: `/api/v2/users/${userId}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { firstName: 'Renamed', lastName: 'User', email: 'events.buyer@greatbuys.com', phoneNumber: '', role: '2' },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await inject({ method: 'DELETE', url: `/api/v2/users/${userId}`, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);

    const list = await events('company.user');
    expect(list.map((e: { type: string }) => e.type)).toEqual(['company.user.created', 'company.user.updated', 'company.user.deleted']);
    const [c, u, d] = list;
    expect(c).toMatchObject({ source: 'service', subject: { storeHash: STORE, companyId: COMPANY, userId }, before: null, after: { id: userId, firstName: 'Test', email: 'events.buyer@greatbuys.com' } });
    expect(u).toMatchObject({ before: { firstName: 'Test' }, after: { firstName: 'Renamed' } });
    expect(d).toMatchObject({ before: { firstName: 'Renamed' }, after: null });

    expect((await inject({ method: 'POST', url: '/_roster/reset' })).statusCode).toBe(200);
    expect((await events('world')).map((e: { type: string }) => e.type)).toEqual(['world.reset']);
    expect((await inject({ method: 'DELETE', url: '/_roster/events' })).statusCode).toBe(204);
    expect(await events('company')).toEqual([]);
  });
});
