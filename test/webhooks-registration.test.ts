import { describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import { mgmt, type MgmtResponse, NOW, NOW_S, OTHER_STORE, STORE, storefrontToken, TOKENS, USERS, unix } from './helpers/management-support.js';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers/test-app.js';
import {
  ACCOUNTS,
  B2B_WILDCARDS,
  createHook,
  emulator,
  FIRING_SCOPES,
  FORBIDDEN,
  HOOK_KEYS,
  hookNotFound,
  hookObject,
  hooks,
  hooksDigest,
  INERT_B2B_SCOPES,
  INPUT_INVALID,
  invalidFields,
  SECOND_ACCOUNT,
  UNAUTHORIZED,
  v3Error,
  V3_ERROR_TYPE,
  webhookEvents,
  webhookFixture,
  withFixtureHooks,
  withWebhookSettings,
} from './helpers/webhooks-support.js';

/**
 * Acceptance tests of the webhooks registration API (#19, webhooks.md §4, §7.4, §8): every endpoint's
 * body (compared as text, so key order counts), every §4.4 error row, authentication and visibility
 * (§4.1), the per-scope limits, paging, PUT and DELETE, hooks in forks, snapshots and exports, and
 * fixture-declared hooks, on every dialect. Refused requests must change nothing (hooksDigest).
 * Delivery is in webhooks-delivery.test.ts.
 */

type Json = Record<string, any>;

const DEST = 'https://hooks.example.com/b2b';
const DEST2 = 'https://hooks.example.com/other';

function expectBody(res: MgmtResponse, status: number, body: unknown, label = '') {
  expect(res.status, `${label} ${res.raw}`).toBe(status);
  expect(res.raw, label).toBe(JSON.stringify(body));
}

function expectJsonType(res: MgmtResponse) {
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
}

const pagination = (p: { total: number; count: number; perPage: number; page: number; totalPages: number }) => {
  const links: Json = {};
  if (p.page > 1 && p.page - 1 <= p.totalPages) links.previous = `?page=${p.page - 1}&limit=${p.perPage}`;
  links.current = `?page=${p.page}&limit=${p.perPage}`;
  if (p.page < p.totalPages) links.next = `?page=${p.page + 1}&limit=${p.perPage}`;
  return { total: p.total, count: p.count, per_page: p.perPage, current_page: p.page, total_pages: p.totalPages, links };
};

describe.each(dialects)('webhooks registration API on %s', (dialect) => {
  async function withApp<T>(fn: (t: TestApp) => Promise<T>, options: Partial<TestAppOptions> = {}): Promise<T> {
    const t = await createTestApp({ dialect, fixture: webhookFixture(), now: NOW, ...options });
    try {
      return await fn(t);
    } finally {
      await t.close();
    }
  }

  /** Asserts that a batch of refused requests changed nothing the API or the event journal shows. */
  async function unchanged(t: TestApp, refusals: () => Promise<void>): Promise<void> {
    const before = await hooksDigest(t);
    await refusals();
    expect(await hooksDigest(t)).toBe(before);
  }

  // ---------------------------------------------------------------- POST /hooks
  describe('POST /hooks (§4.3)', () => {
    it('creates a hook: 200 {"data":<webhook>,"meta":{}} with the §4.2 keys in order, headers null by default; no X-Store-Hash needed', async () => {
      await withApp(async (t) => {
        const res = await hooks(t, 'POST', '', { body: { scope: 'store/company/user/created', destination: DEST } });
        expect(res.status, res.raw).toBe(200);
        expectJsonType(res);
        const id = res.body?.data?.id;
        expect(Number.isInteger(id) && id > 0, `id ${id}`).toBe(true);
        expect(Object.keys(res.body.data)).toEqual([...HOOK_KEYS]);
        const expected = hookObject({ id, clientId: ACCOUNTS.modify.clientId, createdAt: NOW_S, scope: 'store/company/user/created', destination: DEST });
        expectBody(res, 200, { data: expected, meta: {} });
        // read back
        expectBody(await hooks(t, 'GET', `/${id}`), 200, { data: expected, meta: {} });
        const events = await webhookEvents(t, 'webhook.created');
        expect(events).toHaveLength(1);
      });
    });

    it('is_active and headers as given; ids increase; the hook is effective at once (no activation delay)', async () => {
      await withApp(async (t) => {
        const first = await createHook(t, { scope: 'store/company/created', destination: DEST });
        await emulator(t, 'POST', '/_roster/clock', { advanceMs: 5_000 });
        const headers = { 'X-Demo-Secret': 's3cret', Authorization: 'Basic dXNlcjpwYXNz' };
        const res = await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination: DEST2, is_active: false, headers } });
        const id = res.body?.data?.id;
        expect(id).toBeGreaterThan(first.id);
        expectBody(res, 200, {
          data: hookObject({ id, clientId: ACCOUNTS.modify.clientId, createdAt: NOW_S + 5, scope: 'store/company/created', destination: DEST2, isActive: false, headers }),
          meta: {},
        });
        // explicit null headers and is_active true
        const third = await hooks(t, 'POST', '', { body: { scope: 'store/company/deleted', destination: DEST, is_active: true, headers: null } });
        expect(third.status, third.raw).toBe(200);
        expect(third.body.data).toMatchObject({ is_active: true, headers: null });
        expect(await webhookEvents(t, 'webhook.created')).toHaveLength(3);
      });
    });

    it('every scope of §1 is accepted (fired, never-fired, the B2B wildcards) and so are non-B2B scopes, stored as sent', async () => {
      await withApp(async (t) => {
        const scopes = [...FIRING_SCOPES, ...INERT_B2B_SCOPES, ...B2B_WILDCARDS, 'store/order/created', 'store/cart/*', 'store/customer/updated', 'store/cart/lineItem/added'];
        for (const scope of scopes) {
          const res = await hooks(t, 'POST', '', { body: { scope, destination: DEST } });
          expect(res.status, `${scope}: ${res.raw}`).toBe(200);
          expect(res.body.data.scope).toBe(scope);
        }
        const list = await hooks(t, 'GET', '', { query: { limit: 250 } });
        expect(list.body.data.map((h: Json) => h.scope)).toEqual(scopes);
        expect(list.body.meta.pagination.total).toBe(scopes.length);
      });
    });

    it('unknown body keys are ignored; a destination of exactly 2,048 characters is accepted', async () => {
      await withApp(async (t) => {
        const long = `https://hooks.example.com/${'a'.repeat(2048 - 'https://hooks.example.com/'.length)}`;
        expect(long).toHaveLength(2048);
        const res = await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination: long, colour: 'red' } });
        expect(res.status, res.raw).toBe(200);
        expect(res.body.data.destination).toBe(long);
        expect(Object.keys(res.body.data)).toEqual([...HOOK_KEYS]);
      });
    });
  });

  // ---------------------------------------------------------------- GET /hooks
  describe('GET /hooks (§4.3 details)', () => {
    it('an empty list: data [] and total 0 / total_pages 0', async () => {
      await withApp(async (t) => {
        const res = await hooks(t, 'GET');
        expectJsonType(res);
        expectBody(res, 200, { data: [], meta: { pagination: pagination({ total: 0, count: 0, perPage: 50, page: 1, totalPages: 0 }) } });
      });
    });

    it('id ascending; page and limit with links (previous/next only when such a page exists); defaults 1 and 50', async () => {
      await withApp(async (t) => {
        const made: Json[] = [];
        for (let i = 0; i < 5; i += 1) made.push(await createHook(t, { scope: 'store/company/user/created', destination: `${DEST}/${i}` }));
        const all = await hooks(t, 'GET');
        expectBody(all, 200, { data: made, meta: { pagination: pagination({ total: 5, count: 5, perPage: 50, page: 1, totalPages: 1 }) } });
        const page = async (p: number) => hooks(t, 'GET', '', { query: { page: p, limit: 2 } });
        expectBody(await page(1), 200, { data: made.slice(0, 2), meta: { pagination: pagination({ total: 5, count: 2, perPage: 2, page: 1, totalPages: 3 }) } });
        expectBody(await page(2), 200, { data: made.slice(2, 4), meta: { pagination: pagination({ total: 5, count: 2, perPage: 2, page: 2, totalPages: 3 }) } });
        expectBody(await page(3), 200, { data: made.slice(4), meta: { pagination: pagination({ total: 5, count: 1, perPage: 2, page: 3, totalPages: 3 }) } });
        const beyond = await page(4);
        expect(beyond.status).toBe(200);
        expect(beyond.body.data).toEqual([]);
        expect(beyond.body.meta.pagination).toMatchObject({ total: 5, count: 0, per_page: 2, current_page: 4, total_pages: 3 });
        expect(beyond.body.meta.pagination.links).not.toHaveProperty('next');
        expect(beyond.body.meta.pagination.links.current).toBe('?page=4&limit=2');
      });
    });

    it('limit and page are lenient: > 250 → 250, < 1 or not an integer → the default', async () => {
      await withApp(async (t) => {
        await createHook(t, { scope: 'store/company/created', destination: DEST });
        const cases: [Record<string, string | number>, number, number][] = [
          [{ limit: 500 }, 250, 1],
          [{ limit: 0 }, 50, 1],
          [{ limit: -3 }, 50, 1],
          [{ limit: 'abc' }, 50, 1],
          [{ limit: '2.5' }, 50, 1],
          [{ page: 0 }, 50, 1],
          [{ page: 'x' }, 50, 1],
        ];
        for (const [query, perPage, currentPage] of cases) {
          const res = await hooks(t, 'GET', '', { query });
          expect(res.status, `${JSON.stringify(query)} ${res.raw}`).toBe(200);
          expect(res.body.meta.pagination, JSON.stringify(query)).toMatchObject({ per_page: perPage, current_page: currentPage, total: 1 });
          expect(res.body.data).toHaveLength(1);
        }
      });
    });

    it('filters is_active (true/false/1/0), scope and destination: exact matches', async () => {
      await withApp(async (t) => {
        const a = await createHook(t, { scope: 'store/company/created', destination: DEST });
        const b = await createHook(t, { scope: 'store/company/created', destination: DEST2, is_active: false });
        const c = await createHook(t, { scope: 'store/company/user/created', destination: DEST });
        const ids = async (query: Record<string, string>) => {
          const res = await hooks(t, 'GET', '', { query });
          expect(res.status, res.raw).toBe(200);
          expect(res.body.meta.pagination.total).toBe(res.body.data.length);
          return res.body.data.map((h: Json) => h.id);
        };
        expect(await ids({ is_active: 'true' })).toEqual([a.id, c.id]);
        expect(await ids({ is_active: '1' })).toEqual([a.id, c.id]);
        expect(await ids({ is_active: 'false' })).toEqual([b.id]);
        expect(await ids({ is_active: '0' })).toEqual([b.id]);
        expect(await ids({ scope: 'store/company/created' })).toEqual([a.id, b.id]);
        expect(await ids({ scope: 'store/company/*' })).toEqual([]); // exact, not a pattern
        expect(await ids({ scope: 'store/company' })).toEqual([]);
        expect(await ids({ destination: DEST })).toEqual([a.id, c.id]);
        expect(await ids({ destination: `${DEST}/` })).toEqual([]);
        expect(await ids({ destination: DEST, scope: 'store/company/user/created', is_active: 'true' })).toEqual([c.id]);
        // links keep the documented form with filters
        const filtered = await hooks(t, 'GET', '', { query: { scope: 'store/company/created', limit: 1 } });
        expect(filtered.body.meta.pagination).toEqual(pagination({ total: 2, count: 1, perPage: 1, page: 1, totalPages: 2 }));
      });
    });
  });

  // ---------------------------------------------------------------- PUT /hooks/{id}
  describe('PUT /hooks/{id} (§4.3 details)', () => {
    it('partial: only the fields sent change; updated_at moves only when something changed; headers null removes them', async () => {
      await withApp(async (t) => {
        const headers = { 'X-Demo-Secret': 's3cret' };
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST, headers });
        const base = { id: hook.id, clientId: ACCOUNTS.modify.clientId, createdAt: NOW_S, scope: 'store/company/created', destination: DEST, headers };
        await emulator(t, 'POST', '/_roster/clock', { advanceMs: 10_000 });
        expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { destination: DEST2 } }), 200, {
          data: hookObject({ ...base, destination: DEST2, updatedAt: NOW_S + 10 }),
          meta: {},
        });
        await emulator(t, 'POST', '/_roster/clock', { advanceMs: 10_000 });
        // the same values: nothing changes, updated_at stays
        expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { destination: DEST2, scope: 'store/company/created', is_active: true, headers } }), 200, {
          data: hookObject({ ...base, destination: DEST2, updatedAt: NOW_S + 10 }),
          meta: {},
        });
        expect(await webhookEvents(t, 'webhook.updated')).toHaveLength(1);
        // scope, then headers removed, then deactivated and reactivated
        expect((await hooks(t, 'PUT', `/${hook.id}`, { body: { scope: 'store/company/*' } })).body.data).toMatchObject({ scope: 'store/company/*', updated_at: NOW_S + 20 });
        expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { headers: null } }), 200, {
          data: hookObject({ ...base, scope: 'store/company/*', destination: DEST2, headers: null, updatedAt: NOW_S + 20 }),
          meta: {},
        });
        expect((await hooks(t, 'PUT', `/${hook.id}`, { body: { is_active: false } })).body.data).toMatchObject({ is_active: false });
        expect((await hooks(t, 'GET', `/${hook.id}`)).body.data.is_active).toBe(false);
        expect((await hooks(t, 'PUT', `/${hook.id}`, { body: { is_active: true } })).body.data).toMatchObject({ is_active: true });
        expect((await hooks(t, 'GET', `/${hook.id}`)).body.data).toMatchObject({ is_active: true, created_at: NOW_S, scope: 'store/company/*', destination: DEST2, headers: null });
        expect(await webhookEvents(t, 'webhook.updated')).toHaveLength(5);
      });
    });

    it('none of the four fields → 422 {"body":"At least one field is required."}; nothing changes', async () => {
      await withApp(async (t) => {
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST });
        await unchanged(t, async () => {
          for (const body of [{}, { colour: 'red' }, { id: 99, client_id: 'x', created_at: 1 }]) {
            expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body }), 422, invalidFields({ body: 'At least one field is required.' }), JSON.stringify(body));
          }
        });
      });
    });
  });

  // ---------------------------------------------------------------- DELETE /hooks/{id}
  describe('DELETE /hooks/{id}', () => {
    it('200 with the deleted hook; then 404 everywhere; webhook.deleted', async () => {
      await withApp(async (t) => {
        const keep = await createHook(t, { scope: 'store/company/created', destination: DEST });
        const hook = await createHook(t, { scope: 'store/company/updated', destination: DEST, headers: { 'X-Key': 'v' } });
        expectBody(await hooks(t, 'DELETE', `/${hook.id}`), 200, { data: hook, meta: {} });
        expectBody(await hooks(t, 'GET', `/${hook.id}`), 404, hookNotFound(hook.id));
        expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { is_active: true } }), 404, hookNotFound(hook.id));
        expectBody(await hooks(t, 'DELETE', `/${hook.id}`), 404, hookNotFound(hook.id));
        expect((await hooks(t, 'GET')).body.data).toEqual([keep]);
        expect(await webhookEvents(t, 'webhook.deleted')).toHaveLength(1);
        // its scope + destination can be registered again
        expect((await hooks(t, 'POST', '', { body: { scope: 'store/company/updated', destination: DEST } })).status).toBe(200);
      });
    });
  });

  // ---------------------------------------------------------------- §4.1 authentication
  describe('authentication (§4.1)', () => {
    const requests = (id: number) =>
      [
        ['GET', ''],
        ['POST', ''],
        ['GET', `/${id}`],
        ['PUT', `/${id}`],
        ['DELETE', `/${id}`],
      ] as const;
    const body = { scope: 'store/company/user/created', destination: DEST2 };

    it('401 for no token, an unknown token, another store\'s token, a legacy authToken, account-level and storefront tokens, or an unknown store', async () => {
      await withApp(async (t) => {
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST });
        const sfToken = storefrontToken(t, USERS.admin);
        const variants: { label: string; token: string | null; headers?: Record<string, string>; store?: string }[] = [
          { label: 'no token', token: null },
          { label: 'empty token', token: '' },
          { label: 'unknown token', token: 'no-such-token' },
          { label: "OTHER_STORE's token on STORE", token: TOKENS.other },
          { label: 'legacy authToken header', token: null, headers: { authtoken: TOKENS.legacy } },
          { label: 'legacy authToken as X-Auth-Token', token: TOKENS.legacy },
          { label: 'legacy authToken with X-Store-Hash', token: null, headers: { authtoken: TOKENS.legacy, 'x-store-hash': STORE } },
          { label: 'account-level token', token: TOKENS.account },
          { label: 'account-level read token', token: TOKENS.accountRead },
          { label: 'storefront JWT as Bearer', token: null, headers: { authorization: `Bearer ${sfToken}` } },
          { label: 'storefront JWT as X-Auth-Token', token: sfToken },
          { label: 'store token as Bearer', token: null, headers: { authorization: `Bearer ${TOKENS.modify}` } },
          { label: 'a client id as token', token: ACCOUNTS.modify.clientId },
          { label: 'a client secret as token', token: ACCOUNTS.modify.clientSecret },
          { label: 'STORE token on an unknown store', token: TOKENS.modify, store: 'nosuchstore' },
          { label: 'STORE token on OTHER_STORE', token: TOKENS.modify, store: OTHER_STORE },
        ];
        await unchanged(t, async () => {
          for (const v of variants) {
            for (const [method, path] of requests(hook.id)) {
              const res = await hooks(t, method, path, {
                token: v.token,
                ...(v.headers ? { headers: v.headers } : {}),
                ...(v.store ? { store: v.store } : {}),
                ...(method === 'POST' || method === 'PUT' ? { body } : {}),
              });
              expectBody(res, 401, UNAUTHORIZED, `${v.label}: ${method} ${path}`);
            }
          }
          // 401 comes before the body is read
          expectBody(await hooks(t, 'POST', '', { token: 'no-such-token', rawBody: '{not json' }), 401, UNAUTHORIZED, 'bad body');
          expectBody(await hooks(t, 'POST', '', { token: null, body: {} }), 401, UNAUTHORIZED, 'empty body');
        });
      });
    });

    it('403 for a B2B-namespace scope without store_b2b_edition (read-only and scope-less accounts), on create and on update to one; other scopes are fine', async () => {
      await withApp(async (t) => {
        const mine: Record<string, Json> = {};
        for (const name of ['read', 'none'] as const) {
          const token = ACCOUNTS[name].token;
          // the default scope: lists and non-B2B scopes work
          expectBody(await hooks(t, 'GET', '', { token }), 200, { data: [], meta: { pagination: pagination({ total: 0, count: 0, perPage: 50, page: 1, totalPages: 0 }) } });
          const ok = await hooks(t, 'POST', '', { token, body: { scope: 'store/order/created', destination: DEST } });
          expect(ok.status, ok.raw).toBe(200);
          expect(ok.body.data.client_id).toBe(ACCOUNTS[name].clientId);
          mine[name] = ok.body.data;
        }
        await unchanged(t, async () => {
          for (const name of ['read', 'none'] as const) {
            const token = ACCOUNTS[name].token;
            for (const scope of [...FIRING_SCOPES, ...INERT_B2B_SCOPES, ...B2B_WILDCARDS]) {
              expectBody(await hooks(t, 'POST', '', { token, body: { scope, destination: DEST2 } }), 403, FORBIDDEN, `${name} POST ${scope}`);
            }
            const id = mine[name]?.id as number;
            expectBody(await hooks(t, 'PUT', `/${id}`, { token, body: { scope: 'store/company/user/created' } }), 403, FORBIDDEN, `${name} PUT to a B2B scope`);
            expectBody(await hooks(t, 'PUT', `/${id}`, { token, body: { scope: 'store/quote/*', destination: DEST2 } }), 403, FORBIDDEN, `${name} PUT to a B2B wildcard`);
          }
        });
        // updating their non-B2B hook otherwise works
        const put = await hooks(t, 'PUT', `/${mine.none?.id}`, { token: ACCOUNTS.none.token, body: { destination: DEST2, scope: 'store/order/updated' } });
        expect(put.status, put.raw).toBe(200);
        expect(put.body.data).toMatchObject({ destination: DEST2, scope: 'store/order/updated' });
        // the modify account may register B2B scopes
        expect((await hooks(t, 'POST', '', { body: { scope: 'store/quote/*', destination: DEST } })).status).toBe(200);
      });
    });

    it('visibility by client_id: another client\'s hook is not listed and answers 404 "Webhook with id [N] not found"; so does one of another store', async () => {
      await withApp(async (t) => {
        const mine = await createHook(t, { scope: 'store/company/created', destination: DEST });
        const second = await createHook(t, { scope: 'store/company/created', destination: DEST }, { account: 'second' }); // same scope + destination: another client
        const other = await createHook(t, { scope: 'store/company/created', destination: DEST }, { account: 'other' });
        expect(second.client_id).toBe(SECOND_ACCOUNT.clientId);
        expect(other).toMatchObject({ client_id: ACCOUNTS.other.clientId, store_hash: OTHER_STORE });
        expect(new Set([mine.id, second.id, other.id]).size).toBe(3);
        expect((await hooks(t, 'GET')).body.data).toEqual([mine]);
        expect((await hooks(t, 'GET', '', { token: SECOND_ACCOUNT.token })).body.data).toEqual([second]);
        expect((await hooks(t, 'GET', '', { token: TOKENS.other, store: OTHER_STORE })).body.data).toEqual([other]);
        await unchanged(t, async () => {
          for (const foreign of [second, other]) {
            expectBody(await hooks(t, 'GET', `/${foreign.id}`), 404, hookNotFound(foreign.id));
            expectBody(await hooks(t, 'PUT', `/${foreign.id}`, { body: { is_active: false } }), 404, hookNotFound(foreign.id));
            expectBody(await hooks(t, 'DELETE', `/${foreign.id}`), 404, hookNotFound(foreign.id));
          }
          expectBody(await hooks(t, 'GET', `/${mine.id}`, { token: SECOND_ACCOUNT.token }), 404, hookNotFound(mine.id));
          expectBody(await hooks(t, 'DELETE', `/${mine.id}`, { token: TOKENS.read }), 404, hookNotFound(mine.id));
          expectBody(await hooks(t, 'GET', `/${mine.id}`, { token: TOKENS.other, store: OTHER_STORE }), 404, hookNotFound(mine.id));
        });
      });
    });

    it('not rate limited and not counted in the store\'s B2B bucket', async () => {
      await withApp(
        async (t) => {
          for (let i = 0; i < 6; i += 1) {
            const res = await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination: `${DEST}/${i}` } });
            expect(res.status, res.raw).toBe(200);
            expect((await hooks(t, 'GET')).status).toBe(200);
          }
          // the Management API still has its whole quota of 2
          expect((await mgmt(t, 'GET', '/users')).status).toBe(200);
          expect((await mgmt(t, 'GET', '/users')).status).toBe(200);
          expect((await mgmt(t, 'GET', '/users')).status).toBe(429);
          // and the hooks API still answers
          expect((await hooks(t, 'GET')).status).toBe(200);
        },
        { b2bRateLimit: { requests: 2, windowMs: 60_000 } },
      );
    });
  });

  // ---------------------------------------------------------------- §4.4 errors
  describe('validation and errors (§4.4)', () => {
    it('a body that is not JSON → 400 "Input is invalid."', async () => {
      await withApp(async (t) => {
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST });
        await unchanged(t, async () => {
          for (const rawBody of ['{"scope":', 'not json', '{"scope":"store/company/created",}']) {
            expectBody(await hooks(t, 'POST', '', { rawBody }), 400, INPUT_INVALID, `POST ${rawBody}`);
            expectBody(await hooks(t, 'PUT', `/${hook.id}`, { rawBody }), 400, INPUT_INVALID, `PUT ${rawBody}`);
          }
        });
      });
    });

    it('missing fields and wrong JSON types: one errors entry per failing field, all together', async () => {
      await withApp(async (t) => {
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST });
        await unchanged(t, async () => {
          const cases: [unknown, Record<string, string>][] = [
            [{}, { scope: 'error.path.missing.', destination: 'error.path.missing.' }],
            [{ scope: 'store/company/created' }, { destination: 'error.path.missing.' }],
            [{ destination: DEST2 }, { scope: 'error.path.missing.' }],
            [{ is_active: true, headers: null }, { scope: 'error.path.missing.', destination: 'error.path.missing.' }],
            [
              { scope: 5, destination: ['x'], is_active: 'yes', headers: 'x' },
              { scope: 'error.expected.jsstring.', destination: 'error.expected.jsstring.', is_active: 'error.expected.jsboolean.', headers: 'error.expected.jsobject.' },
            ],
            [{ scope: null, destination: {} }, { scope: 'error.expected.jsstring.', destination: 'error.expected.jsstring.' }],
            [{ scope: 'store/company/created', destination: DEST2, is_active: 1 }, { is_active: 'error.expected.jsboolean.' }],
            [{ scope: 'store/company/created', destination: DEST2, headers: [] }, { headers: 'error.expected.jsobject.' }],
            [{ scope: 'store/company/created', destination: DEST2, headers: 7 }, { headers: 'error.expected.jsobject.' }],
            [{ destination: 'nope' }, { scope: 'error.path.missing.', destination: 'Invalid destination URL.' }],
          ];
          for (const [body, errors] of cases) {
            const res = await hooks(t, 'POST', '', { body });
            expect(res.status, `${JSON.stringify(body)} ${res.raw}`).toBe(422);
            expect(res.body, JSON.stringify(body)).toEqual(invalidFields(errors));
            expect(Object.keys(res.body)).toEqual(['status', 'title', 'type', 'errors']);
          }
          // the same type checks on PUT (fields optional there)
          const put = await hooks(t, 'PUT', `/${hook.id}`, { body: { scope: 5, is_active: 'no' } });
          expect(put.status, put.raw).toBe(422);
          expect(put.body).toEqual(invalidFields({ scope: 'error.expected.jsstring.', is_active: 'error.expected.jsboolean.' }));
          // a JSON array is JSON but no object: §4.4 names neither row, so either refusal is read as right (nothing changes either way)
          const arrayBody = await hooks(t, 'POST', '', { body: [{ scope: 'store/company/created', destination: DEST2 }] });
          expect([400, 422], arrayBody.raw).toContain(arrayBody.status);
          expect(arrayBody.body).toMatchObject({ status: arrayBody.status, type: V3_ERROR_TYPE });
        });
      });
    });

    it('scope: not of the form store/<segment>(/<segment>)*[/*] → "Invalid scope."; a B2B-namespace scope not in §1 → "Unknown B2B Edition scope."', async () => {
      await withApp(async (t) => {
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST });
        await unchanged(t, async () => {
          const invalid = ['', 'orders/created', 'store', 'store/', 'store/*', 'store//created', 'store/order/created/', 'store/order-x/created', 'Store/order/created', ' store/order/created', 'store/order/**', 'store/*/created', 'store/order/cre ated'];
          for (const scope of invalid) {
            expectBody(await hooks(t, 'POST', '', { body: { scope, destination: DEST2 } }), 422, invalidFields({ scope: 'Invalid scope.' }), `POST ${JSON.stringify(scope)}`);
            expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { scope } }), 422, invalidFields({ scope: 'Invalid scope.' }), `PUT ${JSON.stringify(scope)}`);
          }
          const unknown = ['store/company/user/create', 'store/company/createdd', 'store/company/user/created/x', 'store/quote/approved', 'store/superadmin/removed', 'store/superadmin/user/created'];
          for (const scope of unknown) {
            expectBody(await hooks(t, 'POST', '', { body: { scope, destination: DEST2 } }), 422, invalidFields({ scope: 'Unknown B2B Edition scope.' }), `POST ${scope}`);
            expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { scope } }), 422, invalidFields({ scope: 'Unknown B2B Edition scope.' }), `PUT ${scope}`);
          }
        });
      });
    });

    it('destination: not an absolute http(s) URL with a host, over 2,048 characters, or with user info → "Invalid destination URL."', async () => {
      await withApp(async (t) => {
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST });
        await unchanged(t, async () => {
          const invalid = [
            '',
            'hooks',
            '/hooks',
            '//hooks.example.com/x',
            'ftp://hooks.example.com/x',
            'mailto:someone@example.com',
            'javascript:alert(1)',
            'http://',
            'https://',
            'https://user:pass@hooks.example.com/x',
            'https://user@hooks.example.com/x',
            `https://hooks.example.com/${'a'.repeat(2049 - 'https://hooks.example.com/'.length)}`,
          ];
          for (const destination of invalid) {
            expectBody(await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination } }), 422, invalidFields({ destination: 'Invalid destination URL.' }), `POST ${destination.slice(0, 60)}`);
            expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { destination } }), 422, invalidFields({ destination: 'Invalid destination URL.' }), `PUT ${destination.slice(0, 60)}`);
          }
        });
        // lenient by default: http, any port, loopback
        for (const destination of ['http://127.0.0.1:9000/hooks', 'http://localhost/x', 'https://hooks.example.com:8443/x', 'http://10.0.0.5/hooks']) {
          const res = await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination } });
          expect(res.status, `${destination}: ${res.raw}`).toBe(200);
        }
      });
    });

    it('destinations "strict" (settings.webhooks): only HTTPS on port 443', async () => {
      await withApp(
        async (t) => {
          const hook = await createHook(t, { scope: 'store/company/created', destination: 'https://hooks.example.com/ok' });
          const strict = invalidFields({ destination: 'Destination must be an HTTPS URL served on port 443.' });
          await unchanged(t, async () => {
            for (const destination of ['http://hooks.example.com/x', 'http://127.0.0.1:9000/hooks', 'https://hooks.example.com:8443/x', 'http://hooks.example.com:443/x']) {
              expectBody(await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination } }), 422, strict, `POST ${destination}`);
              expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { destination } }), 422, strict, `PUT ${destination}`);
            }
          });
          expect((await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination: 'https://hooks.example.com:443/explicit' } })).status).toBe(200);
        },
        { fixture: withWebhookSettings(webhookFixture(), { destinations: 'strict' }) },
      );
    });

    it('headers: a value not a string, or a name/value not valid in HTTP → "Invalid header name or value."', async () => {
      await withApp(async (t) => {
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST });
        await unchanged(t, async () => {
          const invalid: unknown[] = [
            { 'Bad Name': 'x' },
            { '': 'x' },
            { 'X-Colon:': 'x' },
            { 'X-Ok': 5 },
            { 'X-Ok': null },
            { 'X-Ok': ['a'] },
            { 'X-Ok': { v: 'a' } },
            { 'X-Ok': 'a\r\nX-Injected: 1' },
            { 'X-Ok': 'a\nb' },
            { 'X-Ok': 'a\rb' },
            { 'X-Ok': 'fine', 'X-Bad\n': 'x' },
          ];
          for (const headers of invalid) {
            expectBody(await hooks(t, 'POST', '', { body: { scope: 'store/company/updated', destination: DEST2, headers } }), 422, invalidFields({ headers: 'Invalid header name or value.' }), `POST ${JSON.stringify(headers)}`);
            expectBody(await hooks(t, 'PUT', `/${hook.id}`, { body: { headers } }), 422, invalidFields({ headers: 'Invalid header name or value.' }), `PUT ${JSON.stringify(headers)}`);
          }
        });
        // reserved names are accepted (Roster's values win when sending, §5.1)
        const reserved = { 'Content-Type': 'text/plain', 'webhook-id': 'forged', 'User-Agent': 'mine', 'X-Fine_Name.1': 'v a l u e' };
        const res = await hooks(t, 'PUT', `/${hook.id}`, { body: { headers: reserved } });
        expect(res.status, res.raw).toBe(200);
        expect(res.body.data.headers).toEqual(reserved);
      });
    });

    it('one hook per store + client + scope + destination; type errors are reported before it', async () => {
      await withApp(async (t) => {
        const a = await createHook(t, { scope: 'store/company/created', destination: DEST });
        const b = await createHook(t, { scope: 'store/company/created', destination: DEST2 });
        const duplicate = invalidFields({ destination: 'A webhook for this scope and destination already exists.' });
        await unchanged(t, async () => {
          expectBody(await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination: DEST } }), 422, duplicate, 'POST same');
          expectBody(await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination: DEST, is_active: false, headers: { 'X-A': 'b' } } }), 422, duplicate, 'POST same, other fields');
          expectBody(await hooks(t, 'PUT', `/${b.id}`, { body: { destination: DEST } }), 422, duplicate, 'PUT b onto a');
          // format errors first: no uniqueness error alongside
          expectBody(await hooks(t, 'POST', '', { body: { scope: 'store/company/created', destination: DEST, is_active: 'x' } }), 422, invalidFields({ is_active: 'error.expected.jsboolean.' }), 'type first');
        });
        // PUT a hook onto its own values is no conflict
        expect((await hooks(t, 'PUT', `/${a.id}`, { body: { scope: 'store/company/created', destination: DEST } })).status).toBe(200);
        // another scope, or another client, may use the destination
        expect((await hooks(t, 'POST', '', { body: { scope: 'store/company/updated', destination: DEST } })).status).toBe(200);
        expect((await hooks(t, 'POST', '', { token: SECOND_ACCOUNT.token, body: { scope: 'store/company/created', destination: DEST } })).status).toBe(200);
        // a PUT to another scope that collides
        const c = await createHook(t, { scope: 'store/company/deleted', destination: DEST });
        expectBody(await hooks(t, 'PUT', `/${c.id}`, { body: { scope: 'store/company/created' } }), 422, duplicate, 'PUT scope onto a');
      });
    });

    it('at most 10 hooks per store + client + scope; the 11th → "A maximum of 10 webhooks per scope is allowed."', async () => {
      await withApp(async (t) => {
        const made: Json[] = [];
        for (let i = 0; i < 10; i += 1) made.push(await createHook(t, { scope: 'store/company/user/created', destination: `${DEST}/${i}` }));
        const limit = invalidFields({ scope: 'A maximum of 10 webhooks per scope is allowed.' });
        const elsewhere = await createHook(t, { scope: 'store/company/user/updated', destination: `${DEST}/x` });
        await unchanged(t, async () => {
          expectBody(await hooks(t, 'POST', '', { body: { scope: 'store/company/user/created', destination: `${DEST}/10` } }), 422, limit, '11th');
          expectBody(await hooks(t, 'PUT', `/${elsewhere.id}`, { body: { scope: 'store/company/user/created' } }), 422, limit, 'PUT into the full scope');
        });
        // inactive hooks count too; other scopes, the wildcard and other clients are separate
        expect((await hooks(t, 'PUT', `/${made[0]?.id}`, { body: { is_active: false } })).status).toBe(200);
        expectBody(await hooks(t, 'POST', '', { body: { scope: 'store/company/user/created', destination: `${DEST}/10` } }), 422, limit, '11th with one inactive');
        expect((await hooks(t, 'POST', '', { body: { scope: 'store/company/user/*', destination: `${DEST}/10` } })).status).toBe(200);
        expect((await hooks(t, 'POST', '', { token: SECOND_ACCOUNT.token, body: { scope: 'store/company/user/created', destination: `${DEST}/10` } })).status).toBe(200);
        // a PUT within the scope is fine when full
        expect((await hooks(t, 'PUT', `/${made[1]?.id}`, { body: { destination: `${DEST}/1b` } })).status).toBe(200);
        // after a delete there is room again
        expect((await hooks(t, 'DELETE', `/${made[2]?.id}`)).status).toBe(200);
        expect((await hooks(t, 'POST', '', { body: { scope: 'store/company/user/created', destination: `${DEST}/10` } })).status).toBe(200);
      });
    });

    it('unknown ids, another client\'s and non-numeric ids → 404 "Webhook with id [<segment as sent>] not found"', async () => {
      await withApp(async (t) => {
        await createHook(t, { scope: 'store/company/created', destination: DEST });
        await unchanged(t, async () => {
          for (const segment of ['999999', 'abc', '1.5', '-1', '1e3', '9007199254740993']) {
            expectBody(await hooks(t, 'GET', `/${segment}`), 404, hookNotFound(segment), `GET ${segment}`);
            expectBody(await hooks(t, 'PUT', `/${segment}`, { body: { is_active: false } }), 404, hookNotFound(segment), `PUT ${segment}`);
            expectBody(await hooks(t, 'DELETE', `/${segment}`), 404, hookNotFound(segment), `DELETE ${segment}`);
          }
        });
      });
    });

    it('405 for a method not served, 415 for a body that is not JSON by content type', async () => {
      await withApp(async (t) => {
        const hook = await createHook(t, { scope: 'store/company/created', destination: DEST });
        await unchanged(t, async () => {
          for (const [method, path] of [
            ['PATCH', ''],
            ['DELETE', ''],
            ['PUT', ''],
            ['POST', `/${hook.id}`],
            ['PATCH', `/${hook.id}`],
          ] as const) {
            const res = await hooks(t, method, path, { body: { is_active: false } });
            expect(res.status, `${method} ${path}: ${res.raw}`).toBe(405);
            expect(res.body, `${method} ${path}`).toEqual(v3Error(405, 'Method Not Allowed'));
          }
          for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
            const body = contentType === 'text/plain' ? JSON.stringify({ scope: 'store/company/updated', destination: DEST }) : 'scope=store%2Fcompany%2Fupdated';
            const post = await hooks(t, 'POST', '', { rawBody: body, headers: { 'content-type': contentType } });
            expect(post.status, post.raw).toBe(415);
            expect(post.body).toEqual(v3Error(415, 'Unsupported Media Type'));
            const put = await hooks(t, 'PUT', `/${hook.id}`, { rawBody: body, headers: { 'content-type': contentType } });
            expect(put.status, put.raw).toBe(415);
          }
        });
        // application/json with a charset is JSON
        const charset = await hooks(t, 'POST', '', { rawBody: JSON.stringify({ scope: 'store/company/updated', destination: DEST }), headers: { 'content-type': 'application/json; charset=utf-8' } });
        expect(charset.status, charset.raw).toBe(200);
      });
    });

    it('not served: /hooks/admin, the v2 hooks API and other /stores/{hash}/ paths → 404 in the v3 error format', async () => {
      await withApp(async (t) => {
        await unchanged(t, async () => {
          for (const [method, url] of [
            ['GET', `/stores/${STORE}/v3/hooks/admin`],
            ['PUT', `/stores/${STORE}/v3/hooks/admin`],
            ['GET', `/stores/${STORE}/v2/hooks`],
            ['POST', `/stores/${STORE}/v2/hooks`],
            ['GET', `/stores/${STORE}/v3/catalog/products`],
            ['GET', `/stores/${STORE}/v3`],
          ] as const) {
            const res = await t.app.inject({
              method,
              url,
              headers: { 'x-auth-token': TOKENS.modify, 'content-type': 'application/json' },
              ...(method !== 'GET' ? { payload: JSON.stringify({ scope: 'store/company/created', destination: DEST }) } : {}),
            });
            expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
            expect(res.json(), `${method} ${url}`).toMatchObject({ status: 404, type: V3_ERROR_TYPE });
            expect(typeof res.json().title).toBe('string');
          }
        });
      });
    });
  });

  // ---------------------------------------------------------------- worlds (§7.4) and fixtures (§8)
  describe('worlds and fixtures', () => {
    it('forks: the same API under /f/{forkId}; a fork starts with its source\'s hooks, and after that neither sees the other\'s', async () => {
      await withApp(async (t) => {
        const before = await createHook(t, { scope: 'store/company/created', destination: DEST });
        const fork = (await emulator(t, 'POST', '/_roster/forks')).body;
        const prefix = `/f/${fork.id}`;
        expect((await hooks(t, 'GET', '', { prefix })).body.data).toEqual([before]);
        expectBody(await hooks(t, 'GET', `/${before.id}`, { prefix }), 200, { data: before, meta: {} });
        const inFork = await createHook(t, { scope: 'store/company/updated', destination: DEST }, { prefix });
        const inMain = await createHook(t, { scope: 'store/company/deleted', destination: DEST });
        expect((await hooks(t, 'GET', '', { prefix })).body.data.map((h: Json) => h.scope)).toEqual(['store/company/created', 'store/company/updated']);
        expect((await hooks(t, 'GET')).body.data.map((h: Json) => h.scope)).toEqual(['store/company/created', 'store/company/deleted']);
        // a change in the fork leaves main's copy alone
        expect((await hooks(t, 'PUT', `/${before.id}`, { prefix, body: { is_active: false } })).status).toBe(200);
        expect((await hooks(t, 'GET', `/${before.id}`)).body.data.is_active).toBe(true);
        expect((await hooks(t, 'DELETE', `/${before.id}`, { prefix })).status).toBe(200);
        expect((await hooks(t, 'GET', `/${before.id}`)).status).toBe(200);
        // auth, visibility and errors are the same in a fork
        expectBody(await hooks(t, 'GET', '', { prefix, token: null }), 401, UNAUTHORIZED);
        expect((await hooks(t, 'GET', `/${inFork.id}`, { prefix, token: SECOND_ACCOUNT.token })).status).toBe(404);
        expect(inMain.id).not.toBe(before.id);
        expect((await emulator(t, 'DELETE', `/_roster/forks/${fork.id}`)).status).toBe(204);
      });
    });

    it('hooks are world state: reset returns to the fixture\'s (none), a snapshot restores them, the export lists them (header values only with secrets) and loads back', async () => {
      await withApp(async (t) => {
        const headers = { 'X-Demo-Secret': 's3cret-value-1' };
        const a = await createHook(t, { scope: 'store/company/user/created', destination: DEST, headers });
        const b = await createHook(t, { scope: 'store/order/created', destination: DEST2, is_active: false }, { account: 'none' });
        expect((await emulator(t, 'POST', '/_roster/snapshots', { name: 'with-hooks' })).status).toBe(201);

        const plain = await emulator(t, 'GET', '/_roster/state');
        expect(plain.status).toBe(200);
        expect(plain.raw).not.toContain('s3cret-value-1');
        const secret = await emulator(t, 'GET', '/_roster/state?includeSecrets=true');
        const store = (secret.body.b2b.stores as Json[]).find((s) => s.storeHash === STORE) as Json;
        const byClient = (clientId: string) => (store.apiAccounts as Json[]).find((k) => k.clientId === clientId)?.webhooks;
        expect(byClient(ACCOUNTS.modify.clientId)).toEqual([expect.objectContaining({ id: a.id, scope: a.scope, destination: DEST, isActive: true, headers })]);
        expect(byClient(ACCOUNTS.none.clientId)).toEqual([expect.objectContaining({ id: b.id, scope: 'store/order/created', destination: DEST2, isActive: false })]);

        expect((await emulator(t, 'POST', '/_roster/reset')).status).toBe(200);
        expect((await hooks(t, 'GET')).body.data).toEqual([]);
        expect((await hooks(t, 'GET', '', { token: TOKENS.none })).body.data).toEqual([]);
        expect((await emulator(t, 'POST', '/_roster/snapshots/with-hooks/restore')).status).toBe(200);
        expect((await hooks(t, 'GET')).body.data).toEqual([a]);
        expect((await hooks(t, 'GET', '', { token: TOKENS.none })).body.data).toEqual([b]);

        // the export loads into another world with the same hooks
        const copy = await createTestApp({ dialect, fixture: secret.body, now: NOW });
        try {
          expect((await hooks(copy, 'GET')).body.data).toEqual([a]);
          expect((await hooks(copy, 'GET', '', { token: TOKENS.none })).body.data).toEqual([b]);
          const next = await createHook(copy, { scope: 'store/company/created', destination: DEST });
          expect(next.id).toBeGreaterThan(Math.max(a.id, b.id));
        } finally {
          await copy.close();
        }
      });
    });

    it('fixture-declared hooks (§8): listed for their account with their ids, defaults and headers; new ids continue above them; loading fires nothing', async () => {
      const fixture = withFixtureHooks(webhookFixture(), ACCOUNTS.modify.clientId, [
        { id: 41, scope: 'store/company/user/created', destination: DEST, isActive: true, headers: { 'X-Demo-Secret': 's3cret' }, createdAt: '2025-01-01T00:00:00Z' },
        { scope: 'store/company/*', destination: DEST2, isActive: false },
        { id: 7, scope: 'store/company/updated', destination: DEST },
      ]);
      withFixtureHooks(fixture, ACCOUNTS.none.clientId, [{ id: 50, scope: 'store/order/created', destination: DEST, headers: null }]);
      await withApp(
        async (t) => {
          const list = await hooks(t, 'GET');
          expect(list.status, list.raw).toBe(200);
          const data = list.body.data as Json[];
          expect(data.map((h) => h.scope)).toEqual(expect.arrayContaining(['store/company/user/created', 'store/company/*', 'store/company/updated']));
          expect(data).toHaveLength(3);
          const byScope = (scope: string) => data.find((h) => h.scope === scope) as Json;
          expect(byScope('store/company/user/created')).toMatchObject({
            id: 41, client_id: ACCOUNTS.modify.clientId, store_hash: STORE, created_at: unix('2025-01-01T00:00:00Z'), destination: DEST, is_active: true, headers: { 'X-Demo-Secret': 's3cret' },
          });
          expect(byScope('store/company/*')).toMatchObject({ destination: DEST2, is_active: false, headers: null, created_at: NOW_S });
          expect(byScope('store/company/updated')).toMatchObject({ id: 7, is_active: true, headers: null, created_at: NOW_S });
          expect(Number.isInteger(byScope('store/company/*').id)).toBe(true);
          expect([41, 7, 50]).not.toContain(byScope('store/company/*').id);
          expect(data.map((h) => h.id)).toEqual([...data.map((h) => h.id)].sort((x, y) => x - y));
          expect((await hooks(t, 'GET', '', { token: TOKENS.none })).body.data).toEqual([
            hookObject({ id: 50, clientId: ACCOUNTS.none.clientId, createdAt: NOW_S, scope: 'store/order/created', destination: DEST }),
          ]);
          // loading created no webhook events and queued nothing
          expect(await webhookEvents(t, 'webhook')).toEqual([]);
          const queued = await emulator(t, 'GET', '/_roster/webhooks/deliveries');
          expect(queued.status, queued.raw).toBe(200);
          expect(queued.body.deliveries).toEqual([]);
          // limits and uniqueness count fixture hooks
          const dup = await hooks(t, 'POST', '', { body: { scope: 'store/company/user/created', destination: DEST } });
          expectBody(dup, 422, invalidFields({ destination: 'A webhook for this scope and destination already exists.' }));
          const next = await createHook(t, { scope: 'store/company/created', destination: DEST });
          expect(next.id).toBeGreaterThan(50);
        },
        { fixture },
      );
    });

    it('fixture hooks are validated as §4.4: a B2B scope on an account without store_b2b_edition, a bad scope or destination refuses the fixture', async () => {
      const bad: [string, Json][] = [
        [ACCOUNTS.none.clientId, { scope: 'store/company/created', destination: DEST }],
        [ACCOUNTS.read.clientId, { scope: 'store/company/*', destination: DEST }],
        [ACCOUNTS.modify.clientId, { scope: 'store/company/user/create', destination: DEST }],
        [ACCOUNTS.modify.clientId, { scope: 'orders', destination: DEST }],
        [ACCOUNTS.modify.clientId, { scope: 'store/company/created', destination: 'ftp://x.example/y' }],
        [ACCOUNTS.modify.clientId, { scope: 'store/company/created', destination: DEST, headers: { 'Bad Name': 'x' } }],
      ];
      for (const [clientId, hook] of bad) {
        await expect(createTestApp({ dialect, fixture: withFixtureHooks(webhookFixture(), clientId, [hook]), now: NOW }), JSON.stringify(hook)).rejects.toThrow();
      }
      // two hooks with one id
      const twice = withFixtureHooks(webhookFixture(), ACCOUNTS.modify.clientId, [
        { id: 3, scope: 'store/company/created', destination: DEST },
        { id: 3, scope: 'store/company/updated', destination: DEST },
      ]);
      await expect(createTestApp({ dialect, fixture: twice, now: NOW })).rejects.toThrow();
    });
  });
});
