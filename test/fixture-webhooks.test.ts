import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { exportFixture } from '../src/fixtures/export-fixture.js';
import { isDatabaseEmpty, loadFixture, type LoadFixtureOptions } from '../src/fixtures/load-fixture.js';
import { createClock } from '../src/shared/clock.js';
import { isAppError } from '../src/shared/errors.js';
import { dialects } from './helpers/dialects.js';
import { API_ACCOUNTS, managementFixture, NOW, NOW_S, OTHER_STORE, STORE, TOKENS, unix } from './helpers/management-support.js';
import { createTestApp, createTestDatabase, type TestApp } from './helpers/test-app.js';

/**
 * Hooks declared in a fixture (webhooks.md §8): `b2b.stores[].apiAccounts[].webhooks[]` load into the
 * registered hooks of that account (its clientId), with ids from the `webhooks` counter, the §4.4
 * rules applied at their JSON paths (nothing written when one fails), no event fired and nothing
 * queued; the state export writes them back (header values only with secrets) and loads back to the
 * same bytes. Runs on every dialect.
 */
type Json = Record<string, any>; // fixture trees are loosely typed in tests

const D1 = 'https://hooks.example.com/b2b';
const D2 = 'http://127.0.0.1:9000/hooks';
/** paths of managementFixture(): STORE is b2b.stores[0] (accounts modify, read, none), OTHER_STORE b2b.stores[1] */
const MODIFY = '$.b2b.stores[0].apiAccounts[0]';
const READ = '$.b2b.stores[0].apiAccounts[1]';
const NONE = '$.b2b.stores[0].apiAccounts[2]';

/** managementFixture() with hooks on accounts: [storeIndex, accountIndex, hooks] */
function withHooks(...entries: [number, number, Json[]][]): Json {
  const fixture = managementFixture() as Json;
  for (const [store, account, hooks] of entries) fixture.b2b.stores[store].apiAccounts[account].webhooks = hooks;
  return fixture;
}

const hooksUrl = (store = STORE) => `/stores/${store}/v3/hooks`;

async function listHooks(t: TestApp, token: string, store = STORE): Promise<Json[]> {
  const res = await t.app.inject({ method: 'GET', url: `${hooksUrl(store)}?limit=250`, headers: { 'x-auth-token': token } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data as Json[];
}

function hookObject(h: { id: number; clientId: string; store?: string; createdAt: number; updatedAt?: number; scope: string; destination: string; isActive?: boolean; headers?: Record<string, string> | null }): Json {
  return {
    id: h.id,
    client_id: h.clientId,
    store_hash: h.store ?? STORE,
    created_at: h.createdAt,
    updated_at: h.updatedAt ?? h.createdAt,
    scope: h.scope,
    destination: h.destination,
    is_active: h.isActive ?? true,
    headers: h.headers ?? null,
  };
}

describe.each(dialects)('fixture webhooks (webhooks.md §8) on %s', (dialect) => {
  const apps: TestApp[] = [];
  const opened: (Database & { drop(): Promise<void> })[] = [];
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()?.close();
    while (opened.length > 0) await opened.pop()?.drop();
  });
  const app = async (fixture: unknown, options: { now?: number } = {}) => {
    const t = await createTestApp({ dialect, fixture, now: options.now ?? NOW });
    apps.push(t);
    return t;
  };
  const fresh = async () => {
    const db = await createTestDatabase(dialect);
    opened.push(db);
    return db;
  };
  const clock = createClock({ frozenAt: NOW });

  it('loads each hook for its API account: ids kept, missing ids assigned above all given ones in file order, defaults; fires and queues nothing', async () => {
    const t = await app(
      withHooks(
        [
          0,
          0,
          [
            { id: 41, scope: 'store/company/user/created', destination: D1, isActive: true, headers: { 'X-Demo-Secret': 's3cret' }, createdAt: '2025-01-01T00:00:00Z' },
            { scope: 'store/company/*', destination: D2, isActive: false },
            { scope: 'store/order/created', destination: D1, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-02-01T00:00:00Z' },
          ],
        ],
        [0, 2, [{ id: 7, scope: 'store/order/created', destination: D1, headers: null }]],
        [1, 0, [{ scope: 'store/company/created', destination: D2 }]],
      ),
    );
    expect(await listHooks(t, TOKENS.modify)).toEqual([
      hookObject({ id: 41, clientId: API_ACCOUNTS.modify.clientId, createdAt: unix('2025-01-01T00:00:00Z'), scope: 'store/company/user/created', destination: D1, headers: { 'X-Demo-Secret': 's3cret' } }),
      hookObject({ id: 42, clientId: API_ACCOUNTS.modify.clientId, createdAt: NOW_S, scope: 'store/company/*', destination: D2, isActive: false }),
      hookObject({ id: 43, clientId: API_ACCOUNTS.modify.clientId, createdAt: unix('2025-01-01T00:00:00Z'), updatedAt: unix('2025-02-01T00:00:00Z'), scope: 'store/order/created', destination: D1 }),
    ]);
    expect(await listHooks(t, TOKENS.none)).toEqual([hookObject({ id: 7, clientId: API_ACCOUNTS.none.clientId, createdAt: NOW_S, scope: 'store/order/created', destination: D1 })]);
    expect(await listHooks(t, TOKENS.read)).toEqual([]);
    expect(await listHooks(t, TOKENS.other, OTHER_STORE)).toEqual([
      hookObject({ id: 44, clientId: API_ACCOUNTS.other.clientId, store: OTHER_STORE, createdAt: NOW_S, scope: 'store/company/created', destination: D2 }),
    ]);

    // loading fired no event and queued no delivery
    const events = await t.app.inject({ method: 'GET', url: '/_roster/events' });
    expect(events.json().events.filter((e: Json) => String(e.type).startsWith('webhook'))).toEqual([]);
    expect(await t.database.kysely.selectFrom('webhook_deliveries').selectAll().execute()).toEqual([]);
    const deliveries = await t.app.inject({ method: 'GET', url: '/_roster/webhooks/deliveries' });
    expect(deliveries.json().deliveries).toEqual([]);

    // the registration API continues the counter and counts fixture hooks in its uniqueness rule
    const created = await t.app.inject({ method: 'POST', url: hooksUrl(), headers: { 'x-auth-token': TOKENS.modify }, payload: { scope: 'store/company/updated', destination: D1 } });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().data.id).toBe(45);
    const dup = await t.app.inject({ method: 'POST', url: hooksUrl(), headers: { 'x-auth-token': TOKENS.modify }, payload: { scope: 'store/company/*', destination: D2 } });
    expect(dup.statusCode).toBe(422);
    expect(dup.json().errors).toEqual({ destination: 'A webhook for this scope and destination already exists.' });
  });

  it('accepts what §4.4 allows: the same scope and destination on two accounts, ten hooks per scope, non-B2B scopes on an account without store_b2b_edition, B2B scopes on one without scopes given', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ scope: 'store/company/created', destination: `${D1}/${i}` }));
    const db = await fresh();
    const fixture = withHooks(
      [0, 0, [...ten, { scope: 'store/company/updated', destination: `${D1}/0` }]],
      [0, 1, [{ scope: 'store/order/created', destination: D1 }]],
      [0, 2, [{ scope: 'store/cart/*', destination: D1 }]],
    );
    delete fixture.b2b.stores[1].apiAccounts[0].scopes; // default scopes: store_b2b_edition
    fixture.b2b.stores[1].apiAccounts[0].webhooks = [{ scope: 'store/company/created', destination: `${D1}/0` }];
    const summary = await loadFixture(db, fixture, clock);
    expect(summary.webhooks).toBe(14);
    const rows = await db.kysely.selectFrom('webhooks').select(['id', 'client_id', 'store_hash']).orderBy('id').execute();
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
  });

  const hook = (extra: Json = {}): Json => ({ scope: 'store/company/created', destination: D1, ...extra });
  const many = (n: number, extra: (i: number) => Json = () => ({})) => Array.from({ length: n }, (_, i) => hook({ destination: `${D1}/${i}`, ...extra(i) }));
  const invalid: [string, () => Json, string][] = [
    ['an unknown hook key', () => withHooks([0, 0, [hook({ secret: 'x' })]]), `${MODIFY}.webhooks[0].secret`],
    ['a hook that is not an object', () => withHooks([0, 0, [hook(), 'store/company/created' as unknown as Json]]), `${MODIFY}.webhooks[1]`],
    ['an id that is not an id', () => withHooks([0, 0, [hook({ id: 0 })]]), `${MODIFY}.webhooks[0].id`],
    ['one id on two hooks of two accounts', () => withHooks([0, 0, [hook({ id: 3 })]], [0, 2, [hook({ id: 3, scope: 'store/order/created' })]]), `${NONE}.webhooks[0].id`],
    ['one id on hooks of two stores', () => withHooks([0, 0, [hook({ id: 3 })]], [1, 0, [hook({ id: 3 })]]), '$.b2b.stores[1].apiAccounts[0].webhooks[0].id'],
    ['no scope', () => withHooks([0, 0, [{ destination: D1 }]]), `${MODIFY}.webhooks[0].scope`],
    ['a scope that is not a string', () => withHooks([0, 0, [hook({ scope: ['store/company/created'] })]]), `${MODIFY}.webhooks[0].scope`],
    ['a scope not of the form store/<segment>(/<segment>)*[/*]', () => withHooks([0, 0, [hook({ scope: 'orders' })]]), `${MODIFY}.webhooks[0].scope`],
    ['a scope with an empty segment', () => withHooks([0, 0, [hook({ scope: 'store//created' })]]), `${MODIFY}.webhooks[0].scope`],
    ['a B2B-namespace scope not in §1', () => withHooks([0, 0, [hook({ scope: 'store/company/user/create' })]]), `${MODIFY}.webhooks[0].scope`],
    ['a B2B scope on a read-only account', () => withHooks([0, 1, [hook({ scope: 'store/company/*' })]]), `${READ}.webhooks[0].scope`],
    ['a B2B scope on an account without scopes', () => withHooks([0, 2, [hook({ scope: 'store/quote/created' })]]), `${NONE}.webhooks[0].scope`],
    ['no destination', () => withHooks([0, 0, [{ scope: 'store/company/created' }]]), `${MODIFY}.webhooks[0].destination`],
    ['a destination that is not a string', () => withHooks([0, 0, [hook({ destination: 443 })]]), `${MODIFY}.webhooks[0].destination`],
    ['a destination that is not http(s)', () => withHooks([0, 0, [hook({ destination: 'ftp://x.example/y' })]]), `${MODIFY}.webhooks[0].destination`],
    ['a relative destination', () => withHooks([0, 0, [hook({ destination: '/hooks' })]]), `${MODIFY}.webhooks[0].destination`],
    ['a destination with user info', () => withHooks([0, 0, [hook({ destination: 'https://user:pw@hooks.example.com/x' })]]), `${MODIFY}.webhooks[0].destination`],
    ['a destination over 2,048 characters', () => withHooks([0, 0, [hook({ destination: `https://hooks.example.com/${'x'.repeat(2030)}` })]]), `${MODIFY}.webhooks[0].destination`],
    ['an http destination under settings.webhooks.destinations strict', () => ({ ...withHooks([0, 0, [hook({ destination: D2 })]]), settings: { webhooks: { destinations: 'strict' } } }), `${MODIFY}.webhooks[0].destination`],
    ['an https destination on port 8443 under strict', () => ({ ...withHooks([0, 0, [hook({ destination: 'https://hooks.example.com:8443/x' })]]), settings: { webhooks: { destinations: 'strict' } } }), `${MODIFY}.webhooks[0].destination`],
    ['isActive that is not a boolean', () => withHooks([0, 0, [hook({ isActive: 'yes' })]]), `${MODIFY}.webhooks[0].isActive`],
    ['headers that are not an object', () => withHooks([0, 0, [hook({ headers: ['X-A: b'] })]]), `${MODIFY}.webhooks[0].headers`],
    ['a header name that is not an HTTP token', () => withHooks([0, 0, [hook({ headers: { 'X-Ok': 'a', 'Bad Name': 'x' } })]]), `${MODIFY}.webhooks[0].headers.Bad Name`],
    ['a header value with a line break', () => withHooks([0, 0, [hook({ headers: { 'X-Split': 'a\r\nX-Injected: b' } })]]), `${MODIFY}.webhooks[0].headers.X-Split`],
    ['a header value that is not a string', () => withHooks([0, 0, [hook({ headers: { 'X-Number': 7 } })]]), `${MODIFY}.webhooks[0].headers.X-Number`],
    ['a createdAt that is not ISO-8601', () => withHooks([0, 0, [hook({ createdAt: 'yesterday' })]]), `${MODIFY}.webhooks[0].createdAt`],
    ['an updatedAt that is not ISO-8601', () => withHooks([0, 0, [hook({ updatedAt: 1735689600 })]]), `${MODIFY}.webhooks[0].updatedAt`],
    ['two hooks of one account for one scope and destination', () => withHooks([0, 0, [hook(), hook({ isActive: false })]]), `${MODIFY}.webhooks[1].destination`],
    ['an 11th hook of one account for one scope', () => withHooks([0, 0, many(11)]), `${MODIFY}.webhooks[10].scope`],
    ['a format problem after the 10th hook is reported before the limit', () => withHooks([0, 0, many(11, (i) => (i === 10 ? { isActive: 1 } : {}))]), `${MODIFY}.webhooks[10].isActive`],
    ['settings.webhooks that is not an object', () => ({ ...managementFixture(), settings: { webhooks: 'record' } }), '$.settings.webhooks'],
    ['an unknown settings.webhooks key', () => ({ ...managementFixture(), settings: { webhooks: { retries: 3 } } }), '$.settings.webhooks.retries'],
    ['a mode other than send, record or off', () => ({ ...managementFixture(), settings: { webhooks: { mode: 'loud' } } }), '$.settings.webhooks.mode'],
    ['destinations other than lenient or strict', () => ({ ...managementFixture(), settings: { webhooks: { destinations: 'https' } } }), '$.settings.webhooks.destinations'],
    ['a timeoutMs of 0', () => ({ ...managementFixture(), settings: { webhooks: { timeoutMs: 0 } } }), '$.settings.webhooks.timeoutMs'],
    ['a timeoutMs that is not a whole number', () => ({ ...managementFixture(), settings: { webhooks: { timeoutMs: '500' } } }), '$.settings.webhooks.timeoutMs'],
    ['insecureTls that is not a boolean', () => ({ ...managementFixture(), settings: { webhooks: { insecureTls: 'true' } } }), '$.settings.webhooks.insecureTls'],
    ['a timestamp other than clock or real', () => ({ ...managementFixture(), settings: { webhooks: { timestamp: 'server' } } }), '$.settings.webhooks.timestamp'],
    ['a concurrency of 1.5', () => ({ ...managementFixture(), settings: { webhooks: { concurrency: 1.5 } } }), '$.settings.webhooks.concurrency'],
    ['a concurrency above 1000', () => ({ ...managementFixture(), settings: { webhooks: { concurrency: 1001 } } }), '$.settings.webhooks.concurrency'],
  ];

  it.each(invalid)('rejects %s at its JSON path and writes nothing', async (_name, make, path) => {
    const db = await fresh();
    const error = await loadFixture(db, make(), clock).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAppError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe('FIXTURE_INVALID');
    expect((error as { details: { path: string } }).details.path).toBe(path);
    expect((error as Error).message).toContain(path);
    expect(await isDatabaseEmpty(db.kysely)).toBe(true);
    expect(await db.kysely.selectFrom('webhooks').selectAll().execute()).toEqual([]);
  });

  it('checks destinations under the loading settings: a --webhook-destinations flag wins over the fixture\'s settings.webhooks', async () => {
    const httpHook = () => withHooks([0, 0, [hook({ destination: D2 })]]);
    const strict: LoadFixtureOptions = { webhookDestinations: 'strict' };
    const refused = await loadFixture(await fresh(), httpHook(), clock, strict).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((refused as { details: { path: string } }).details.path).toBe(`${MODIFY}.webhooks[0].destination`);
    expect((refused as Error).message).toMatch(/HTTPS URL served on port 443/);
    // strict in the fixture, lenient by flag: loads
    const lenientByFlag = await loadFixture(await fresh(), { ...httpHook(), settings: { webhooks: { destinations: 'strict' } } }, clock, { webhookDestinations: 'lenient' });
    expect(lenientByFlag.webhooks).toBe(1);
    // https on 443 passes strict
    expect((await loadFixture(await fresh(), withHooks([0, 0, [hook({ destination: 'https://hooks.example.com:443/x' })]]), clock, strict)).webhooks).toBe(1);

    // the same through the server's flags (createTestApp passes them as the CLI does), at start-up and on POST /_roster/fixtures
    await expect(createTestApp({ dialect, fixture: httpHook(), now: NOW, webhooks: { destinations: 'strict' } })).rejects.toThrow(/\$\.b2b\.stores\[0\]\.apiAccounts\[0\]\.webhooks\[0\]\.destination/);
    const t = await createTestApp({ dialect, fixture: managementFixture(), now: NOW, webhooks: { destinations: 'strict' } });
    apps.push(t);
    const load = await t.app.inject({ method: 'POST', url: '/_roster/fixtures', payload: httpHook() });
    expect(load.statusCode).toBe(400);
    expect(load.body).toContain(`${MODIFY}.webhooks[0].destination`);
    expect(await listHooks(t, TOKENS.modify)).toEqual([]);
    const strictOk = await t.app.inject({ method: 'POST', url: '/_roster/fixtures', payload: withHooks([0, 0, [hook()]]) });
    expect(strictOk.statusCode, strictOk.body).toBe(200);
    expect((await listHooks(t, TOKENS.modify)).map((h) => h.destination)).toEqual([D1]);
  });

  it('exports hooks under their API account (every key; header values "***" unless secrets are requested); accounts without hooks have no webhooks key', async () => {
    const t = await app(
      withHooks([0, 0, [{ id: 5, scope: 'store/company/user/created', destination: D1, headers: { 'X-Demo-Secret': 's3cret-value', Authorization: 'Basic abc' }, createdAt: '2025-01-01T00:00:00Z' }]], [0, 2, [{ scope: 'store/order/created', destination: D2, isActive: false }]]),
    );
    const plain = await exportFixture(t.database.kysely);
    const secret = await exportFixture(t.database.kysely, { includeSecrets: true });
    const accounts = (f: Json) => f.b2b.stores.find((s: Json) => s.storeHash === STORE).apiAccounts as Json[];
    const expected = (headers: Record<string, string>) => [
      { id: 5, scope: 'store/company/user/created', destination: D1, isActive: true, headers, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' },
    ];
    const loadTime = new Date(NOW).toISOString();
    expect(accounts(secret)[0]?.webhooks).toEqual(expected({ 'X-Demo-Secret': 's3cret-value', Authorization: 'Basic abc' }));
    expect(JSON.stringify(accounts(secret)[0]?.webhooks[0])).toBe(JSON.stringify(expected({ 'X-Demo-Secret': 's3cret-value', Authorization: 'Basic abc' })[0]));
    expect(accounts(plain)[0]?.webhooks).toEqual(expected({ 'X-Demo-Secret': '***', Authorization: '***' }));
    expect(JSON.stringify(plain)).not.toContain('s3cret-value');
    expect(JSON.stringify(plain)).not.toContain('Basic abc');
    expect(accounts(secret)[2]?.webhooks).toEqual([{ id: 6, scope: 'store/order/created', destination: D2, isActive: false, headers: null, createdAt: loadTime, updatedAt: loadTime }]);
    expect(accounts(secret)[1]).not.toHaveProperty('webhooks');
    // the admin API's export is the same
    const state = await t.app.inject({ method: 'GET', url: '/_roster/state' });
    expect(state.body).not.toContain('s3cret-value');
    expect(accounts(state.json())[0]?.webhooks[0].headers).toEqual({ 'X-Demo-Secret': '***', Authorization: '***' });
  });

  it('round trip: hooks from the fixture and the API, updated later, export -> load -> export byte-identical; the loaded world lists the same hooks', async () => {
    const fixture = withHooks(
      [0, 0, [{ id: 3, scope: 'store/company/*', destination: D1, headers: { 'X-Demo-Secret': 's3cret' }, createdAt: '2025-01-01T00:00:00.250Z' }]],
      [1, 0, [{ scope: 'store/company/user/deleted', destination: D2 }]],
    );
    fixture.settings = { ...fixture.settings, webhooks: { mode: 'record', timeoutMs: 2500 } };
    const first = await app(fixture);
    // a hook registered through the API, and the fixture's hook updated three days later
    const created = await first.app.inject({ method: 'POST', url: hooksUrl(), headers: { 'x-auth-token': TOKENS.none }, payload: { scope: 'store/order/created', destination: D2, headers: { 'X-Key': 'v' } } });
    expect(created.statusCode, created.body).toBe(200);
    first.clock.advance(3 * 86_400_000 + 1234);
    const updated = await first.app.inject({ method: 'PUT', url: `${hooksUrl()}/3`, headers: { 'x-auth-token': TOKENS.modify }, payload: { is_active: false } });
    expect(updated.statusCode, updated.body).toBe(200);
    const before = { modify: await listHooks(first, TOKENS.modify), none: await listHooks(first, TOKENS.none), other: await listHooks(first, TOKENS.other, OTHER_STORE) };
    expect(before.modify[0]?.updated_at).toBe(NOW_S + 3 * 86_400 + 1);

    const exported = await first.app.inject({ method: 'GET', url: '/_roster/state?includeSecrets=true' });
    expect(exported.statusCode).toBe(200);
    const state = exported.json();
    expect(state.settings.webhooks).toEqual({ mode: 'record', timeoutMs: 2500 });
    const second = await app(state, { now: Date.UTC(2027, 6, 1) });
    expect({ modify: await listHooks(second, TOKENS.modify), none: await listHooks(second, TOKENS.none), other: await listHooks(second, TOKENS.other, OTHER_STORE) }).toEqual(before);
    expect(second.app.services.settings.webhooks).toMatchObject({ mode: 'record', timeoutMs: 2500 });
    const again = await second.app.inject({ method: 'GET', url: '/_roster/state?includeSecrets=true' });
    expect(again.body).toBe(exported.body);
    // ids continue above the loaded ones
    const next = await second.app.inject({ method: 'POST', url: hooksUrl(), headers: { 'x-auth-token': TOKENS.modify }, payload: { scope: 'store/company/created', destination: D2 } });
    expect(next.json().data.id).toBeGreaterThan(Math.max(...[...before.modify, ...before.none, ...before.other].map((h) => h.id as number)));
  });
});
