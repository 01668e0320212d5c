import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisRateLimitStore, type RedisRateLimitStore } from '../src/domain/rate-limits/redis-rate-limit-store.js';
import { ACCOUNT_A, ACCOUNT_B, accountDemo, NOW, TOKEN_B, TOKEN_FULL } from './account-support.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** account-graphql.md §7, §10 #23-#24, §11 #1, #13: a fixed window per account, counted after auth. */
const LIMIT = { requests: 5, windowMs: 60_000 };
const TOO_MANY = { status: 429, title: 'Too many requests', type: '/api-docs/getting-started/api-status-codes', errors: {} };

async function post(t: TestApp, options: { token?: string; account?: string; contentType?: string; payload?: string } = {}) {
  return t.app.inject({
    method: 'POST',
    url: `/accounts/${options.account ?? ACCOUNT_A}/graphql`,
    headers: { 'x-auth-token': options.token ?? TOKEN_FULL, 'content-type': options.contentType ?? 'application/json' },
    payload: options.payload ?? JSON.stringify({ query: '{ account { id } }' }),
  });
}

function rateHeaders(res: { headers: Record<string, unknown> }) {
  return {
    window: res.headers['x-rate-limit-time-window-ms'],
    reset: res.headers['x-rate-limit-time-reset-ms'],
    quota: res.headers['x-rate-limit-requests-quota'],
    left: res.headers['x-rate-limit-requests-left'],
  };
}

describe.each(dialects)('Account API rate limit on %s', (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ dialect, fixture: accountDemo(), accountRateLimit: LIMIT, now: NOW });
  });
  afterEach(async () => t.close());

  it('allows exactly N per window, refuses N+1 with the REST body and retry headers; the other account is unaffected', async () => {
    for (let i = 1; i <= 5; i += 1) {
      const res = await post(t);
      expect(res.statusCode).toBe(200);
      expect(rateHeaders(res)).toEqual({ window: '60000', reset: String(60_000 - (i - 1) * 1000), quota: '5', left: String(5 - i) });
      expect(res.headers['x-retry-after']).toBeUndefined();
      t.clock.advance(1000);
    }
    const refused = await post(t);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual(TOO_MANY);
    expect(rateHeaders(refused)).toEqual({ window: '60000', reset: '55000', quota: '5', left: '0' });
    expect(refused.headers['x-retry-after']).toBe('55');
    expect(refused.headers['retry-after']).toBe('55');

    const other = await post(t, { token: TOKEN_B, account: ACCOUNT_B });
    expect(other.statusCode).toBe(200);
    expect(rateHeaders(other)).toEqual({ window: '60000', reset: '60000', quota: '5', left: '4' });

    // 429 comes before the content-type and body checks (§11 #1)
    const stillRefused = await post(t, { contentType: 'text/plain', payload: 'x' });
    expect(stillRefused.statusCode).toBe(429);

    t.clock.advance(54_500);
    const almost = await post(t);
    expect(almost.statusCode).toBe(429);
    expect(almost.headers['x-retry-after']).toBe('1'); // ceil(500 ms)
    t.clock.advance(500);
    const fresh = await post(t);
    expect(fresh.statusCode).toBe(200);
    expect(rateHeaders(fresh)).toEqual({ window: '60000', reset: '60000', quota: '5', left: '4' });
  });

  it('401s and cross-account 403s are not counted; 415, 400 and GraphQL errors are (§11 #13)', async () => {
    for (let i = 0; i < 10; i += 1) {
      expect((await post(t, { token: 'wrong' })).statusCode).toBe(401);
      expect((await post(t, { token: TOKEN_B })).statusCode).toBe(403);
      const noToken = await t.app.inject({ method: 'POST', url: `/accounts/${ACCOUNT_A}/graphql`, headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(noToken.statusCode).toBe(401);
      expect(noToken.headers['x-rate-limit-requests-left']).toBeUndefined();
    }
    // 405 and GraphiQL are not counted either
    expect((await t.app.inject({ method: 'PUT', url: `/accounts/${ACCOUNT_A}/graphql` })).statusCode).toBe(405);
    expect((await t.app.inject({ method: 'GET', url: `/accounts/${ACCOUNT_A}/graphql`, headers: { accept: 'text/html' } })).statusCode).toBe(200);

    const unsupported = await post(t, { contentType: 'text/plain' });
    expect(unsupported.statusCode).toBe(415);
    expect(unsupported.headers['x-rate-limit-requests-left']).toBe('4');
    const badBody = await post(t, { payload: '{' });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.headers['x-rate-limit-requests-left']).toBe('3');
    const graphqlError = await post(t, { payload: JSON.stringify({ query: '{ nope }' }) });
    expect(graphqlError.statusCode).toBe(200);
    expect(graphqlError.headers['x-rate-limit-requests-left']).toBe('2');
    const b = await post(t, { token: TOKEN_B, account: ACCOUNT_B });
    expect(b.headers['x-rate-limit-requests-left']).toBe('4');
  });

  it('reads the quota per request from services.rateLimitSettingFor (live overrides take effect at once)', async () => {
    const first = await post(t);
    expect(first.headers['x-rate-limit-requests-quota']).toBe('5');
    const services = t.app.services as { rateLimitSettingFor: (kind: string, key: string) => unknown };
    const original = services.rateLimitSettingFor;
    const asked: [string, string][] = [];
    services.rateLimitSettingFor = (kind, key) => {
      asked.push([kind, key]);
      return { requests: 2, windowMs: 60_000 };
    };
    try {
      const second = await post(t);
      expect(second.headers['x-rate-limit-requests-quota']).toBe('2');
      expect(second.headers['x-rate-limit-requests-left']).toBe('0');
      expect((await post(t)).statusCode).toBe(429);
      expect(asked[0]).toEqual(['account', ACCOUNT_A]);
    } finally {
      services.rateLimitSettingFor = original;
    }
  });
});

describe.each(dialects)('Account API without a rate limit on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: accountDemo(), accountRateLimit: null });
  });
  afterAll(async () => t.close());

  it('sends no rate-limit headers and never refuses', async () => {
    for (let i = 0; i < 8; i += 1) {
      const res = await post(t);
      expect(res.statusCode).toBe(200);
      expect(rateHeaders(res)).toEqual({ window: undefined, reset: undefined, quota: undefined, left: undefined });
    }
  });
});

describe.each(dialects)('Account API rate limit shared through Redis by two instances on %s', (dialect) => {
  const namespace = `roster-test-account-${randomBytes(6).toString('hex')}`;
  const stores: RedisRateLimitStore[] = [];
  const apps: TestApp[] = [];

  async function connectedStore(): Promise<RedisRateLimitStore> {
    const store = createRedisRateLimitStore({ url: process.env.ROSTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', namespace });
    stores.push(store);
    // the first hits may come before the connection is ready (then the store degrades to local counters)
    for (let i = 0; i < 100; i += 1) {
      await store.hit('probe', 1000, NOW);
      if (!store.degraded) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(store.degraded).toBe(false);
    return store;
  }

  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1) {
      const rateLimitStore = await connectedStore();
      apps.push(await createTestApp({ dialect, fixture: accountDemo(), accountRateLimit: LIMIT, now: NOW, rateLimitStore }));
    }
    await stores[0]?.reset();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await stores[0]?.reset();
    for (const store of stores) await store.close();
  });

  it('counts one budget across both instances: exactly N allowed, N+1 refused, headers exact, the other account unaffected', async () => {
    const [one, two] = apps as [TestApp, TestApp];
    for (let i = 1; i <= 5; i += 1) {
      const res = await post(i % 2 === 1 ? one : two);
      expect(res.statusCode).toBe(200);
      expect(rateHeaders(res)).toEqual({ window: '60000', reset: '60000', quota: '5', left: String(5 - i) });
    }
    for (const app of [one, two]) {
      const refused = await post(app);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toEqual(TOO_MANY);
      expect(refused.headers['x-retry-after']).toBe('60');
      expect(refused.headers['x-rate-limit-requests-left']).toBe('0');
    }
    const other = await post(two, { token: TOKEN_B, account: ACCOUNT_B });
    expect(other.statusCode).toBe(200);
    expect(other.headers['x-rate-limit-requests-left']).toBe('4');
    expect((await post(one, { token: 'wrong' })).statusCode).toBe(401);

    for (const app of [one, two]) app.clock.advance(60_000);
    const fresh = await post(two);
    expect(fresh.statusCode).toBe(200);
    expect(rateHeaders(fresh)).toEqual({ window: '60000', reset: '60000', quota: '5', left: '4' });
    expect((await post(one)).headers['x-rate-limit-requests-left']).toBe('3');
  });

  it('counts a request stamped a few ms before the window opened (read its clock first, reached Redis second) in that window', async () => {
    const [one, two] = apps as [TestApp, TestApp];
    // the window of the test above started at NOW + 60 s; move past it, `one` 5 ms ahead of `two`
    one.clock.advance(60_005);
    two.clock.advance(60_000);
    expect((await post(one)).headers['x-rate-limit-requests-left']).toBe('4');
    // restarting the window here let one request past the shared budget (CI, two processes on PostgreSQL)
    expect((await post(two)).headers['x-rate-limit-requests-left']).toBe('3');
    for (let i = 0; i < 3; i += 1) expect((await post(i % 2 === 0 ? two : one)).statusCode).toBe(200);
    expect((await post(two)).statusCode).toBe(429);
    expect((await post(one)).statusCode).toBe(429);
  });
});
