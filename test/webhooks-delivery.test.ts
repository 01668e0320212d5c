import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { payloadBody as srcPayloadBody, payloadHash as srcPayloadHash, signWebhook } from '../src/domain/webhooks/webhook-payload.js';
import * as testing from '../src/testing.js';
import { dialects, postgresUrl } from './helpers/dialects.js';
import {
  b2bGraphql,
  mgmt,
  type MgmtResponse,
  NOW,
  NOW_S,
  OTHER_STORE,
  PASSWORD,
  signInStorefront,
  storefront,
  storefrontToken,
  TOKENS,
  USERS,
} from './helpers/management-support.js';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers/test-app.js';
import {
  ACCOUNTS,
  type AccountName,
  ATTEMPT_KEYS,
  advance,
  createHook,
  DELIVERY_KEYS,
  type Delivery,
  deliveries,
  DRAIN_KEYS,
  drain,
  emulator,
  expectedSignature,
  FIRING_SCOPES,
  hooks,
  INERT_B2B_SCOPES,
  ms,
  OTHER_STORE_ID,
  onlyDelivery,
  payloadBody,
  payloadHash,
  type ReceivedRequest,
  type ReceiverOptions,
  refusedUrl,
  RETRY_OFFSETS_S,
  setClock,
  startReceiver,
  type TestReceiver,
  UUID_LOWER,
  verifyWithLibrary,
  webhookEvents,
  webhookFixture,
  withFixtureHooks,
  withWebhookSettings,
} from './helpers/webhooks-support.js';

/**
 * Acceptance tests of webhook delivery (#19, webhooks.md §2, §3, §5, §6, §7): which writes fire which
 * scopes through each API, the exact payload bytes and headers, the Standard Webhooks signature
 * (checked with the reference library BigCommerce's samples use), what counts as received, the retry
 * schedule on Roster's clock, deactivation, blocklisting, the delivery log and drain, isolation between
 * stores and worlds, the settings of §7.5 through the fixture, and roster/testing's receiver. Every
 * delivery goes over real HTTP to a receiver of our own (webhooks-support.ts). The clock is frozen at
 * NOW unless a test says otherwise, so `created_at` and `webhook-timestamp` are known in advance.
 */

type Json = Record<string, any>;

const USER_CREATED = 'store/company/user/created';
const GREAT_BUYS = 123456;
const RIVAL = 223344;
const iso = (at: number) => new Date(at).toISOString();

interface World {
  t: TestApp;
  rx: TestReceiver;
}

interface WorldOptions {
  /** the fixture, made once the receiver listens (its URL may go into fixture hooks) */
  fixture?: (rx: TestReceiver) => Json;
  app?: Partial<TestAppOptions>;
  receiver?: ReceiverOptions;
}

/** A Management API request in a world (`prefix` '' or `/f/<id>`), as mgmt() with the modify token of STORE. */
async function mgmtAt(t: TestApp, prefix: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, token: string = TOKENS.modify, storeHash = 'f0qyczpkb2'): Promise<MgmtResponse> {
  const res = await t.app.inject({
    method,
    url: `${prefix}/api/v3/io${path}`,
    headers: { 'x-auth-token': token, 'x-store-hash': storeHash, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  let parsed: any;
  try {
    parsed = res.body === '' ? undefined : JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, headers: res.headers, raw: res.body, body: parsed };
}

/** Creates a Company user through the Management API (one store/company/user/created); returns its B2B user id. */
async function createUser(t: TestApp, n: number | string, options: { companyId?: number; prefix?: string } = {}): Promise<number> {
  const res = await mgmtAt(t, options.prefix ?? '', 'POST', '/users', {
    firstName: 'Hook',
    lastName: `User${n}`,
    email: `hook.user.${n}@example.org`,
    companyId: options.companyId ?? GREAT_BUYS,
    role: 2,
    channelIds: [1],
  });
  if (res.status !== 200) throw new Error(`POST /users: ${res.status} ${res.raw}`);
  return res.body.data.userId as number;
}

/** Up to 10 users at once (POST /users/bulk): one user/created each, in body order. */
async function bulkCreateUsers(t: TestApp, tag: string, count: number, companyId = RIVAL): Promise<number[]> {
  const res = await mgmt(t, 'POST', '/users/bulk', {
    body: Array.from({ length: count }, (_, i) => ({ firstName: 'Bulk', lastName: `${tag}${i}`, email: `bulk.${tag}.${i}@example.org`, companyId, role: 2, channelIds: [1] })),
  });
  if (res.status !== 200) throw new Error(`POST /users/bulk: ${res.status} ${res.raw}`);
  return (res.body.data as { userId: number }[]).map((d) => d.userId);
}

const header = (r: ReceivedRequest, name: string) => {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** A hook's deliveries as (webhook-id → how many requests carried it) on the receiver. */
function countByWebhookId(requests: ReceivedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(String(header(r, 'webhook-id')), (counts.get(String(header(r, 'webhook-id'))) ?? 0) + 1);
  return counts;
}

const realAttempts = (d: Delivery) => d.attempts.filter((a) => a.outcome === 'succeeded' || a.outcome === 'failed');

// ------------------------------------------------------------------ §5.2 test vector (no server)

describe('§5.2 signature test vector', () => {
  const VECTOR_BODY =
    '{"scope":"store/company/user/created","store_id":"1000001","data":{"company_id":123456,"user_id":130},"hash":"99bbd9c4a53255db8fe34c042f610fef8b6d9e02","created_at":1735689600,"producer":"stores/f0qyczpkb2"}';
  const VECTOR_ID = '0b4f2c9e-7a51-4d3e-9c2a-1f6e8d7b5a40';
  const VECTOR_TS = 1735689600;
  const VECTOR_SIG = 'v1,pLpsSMk3KBnc+Pl1p+yHDhrlxQW+SWya4erpdFZFNPI=';
  const SECRET = 'demo-b2b-client-secret';

  it('the §3.4 example body, its §3.3 hash and the §5.2 signature, computed with node:crypto', () => {
    const facts = { scope: USER_CREATED, data: { company_id: 123456, user_id: 130 }, createdAt: VECTOR_TS, storeId: 1000001, storeHash: 'f0qyczpkb2' };
    expect(payloadBody(facts)).toBe(VECTOR_BODY);
    expect(payloadHash(facts)).toBe('99bbd9c4a53255db8fe34c042f610fef8b6d9e02');
    expect(Buffer.from(SECRET).toString('base64')).toBe('ZGVtby1iMmItY2xpZW50LXNlY3JldA==');
    expect(expectedSignature(SECRET, VECTOR_ID, VECTOR_TS, VECTOR_BODY)).toBe(VECTOR_SIG);
  });

  it('Roster\'s own payload and signing functions (src/domain/webhooks/webhook-payload.ts) reproduce the vector', () => {
    const event = { scope: USER_CREATED, storeId: '1000001', storeHash: 'f0qyczpkb2', data: { company_id: 123456, user_id: 130 }, createdAt: VECTOR_TS };
    expect(srcPayloadBody(event)).toBe(VECTOR_BODY);
    expect(srcPayloadHash(event)).toBe('99bbd9c4a53255db8fe34c042f610fef8b6d9e02');
    expect(signWebhook(SECRET, VECTOR_ID, VECTOR_TS, VECTOR_BODY)).toBe(VECTOR_SIG);
    // a non-ASCII secret is taken as its UTF-8 bytes, as the library's base64 of Buffer.from(secret) implies
    const wide = 'sécret-ü-\u{1F511}';
    expect(signWebhook(wide, VECTOR_ID, VECTOR_TS, VECTOR_BODY)).toBe(expectedSignature(wide, VECTOR_ID, VECTOR_TS, VECTOR_BODY));
    expect(verifyWithLibrary(wide, VECTOR_BODY, { 'webhook-id': VECTOR_ID, 'webhook-timestamp': String(VECTOR_TS), 'webhook-signature': signWebhook(wide, VECTOR_ID, VECTOR_TS, VECTOR_BODY) }, VECTOR_TS)).toEqual(
      JSON.parse(VECTOR_BODY),
    );
  });

  it('the reference library signs the same and verifies it within its 5-minute tolerance of the timestamp, not outside; a changed byte fails', () => {
    const wh = new Webhook(Buffer.from(SECRET).toString('base64'));
    expect(wh.sign(VECTOR_ID, new Date(VECTOR_TS * 1000), VECTOR_BODY)).toBe(VECTOR_SIG);
    const headers = { 'webhook-id': VECTOR_ID, 'webhook-timestamp': String(VECTOR_TS), 'webhook-signature': VECTOR_SIG };
    expect(verifyWithLibrary(SECRET, VECTOR_BODY, headers, VECTOR_TS)).toEqual(JSON.parse(VECTOR_BODY));
    expect(verifyWithLibrary(SECRET, VECTOR_BODY, headers, VECTOR_TS + 300)).toEqual(JSON.parse(VECTOR_BODY));
    expect(() => verifyWithLibrary(SECRET, VECTOR_BODY, headers, VECTOR_TS + 301)).toThrow(/too old/);
    expect(() => verifyWithLibrary(SECRET, VECTOR_BODY, headers, VECTOR_TS - 301)).toThrow(/too new/);
    expect(() => verifyWithLibrary(SECRET, VECTOR_BODY.replace('"user_id":130', '"user_id":131'), headers, VECTOR_TS)).toThrow(/signature/);
    expect(() => verifyWithLibrary('another-secret', VECTOR_BODY, headers, VECTOR_TS)).toThrow(/signature/);
    expect(() => verifyWithLibrary(SECRET, VECTOR_BODY, { ...headers, 'webhook-id': VECTOR_ID.replace('0b4f', '0b4e') }, VECTOR_TS)).toThrow(/signature/);
  });
});

// ------------------------------------------------------------------ every dialect

describe.each(dialects)('webhook delivery on %s', (dialect) => {
  async function withWorld<T>(fn: (w: World) => Promise<T>, options: WorldOptions = {}): Promise<T> {
    const rx = await startReceiver(options.receiver);
    let t: TestApp | undefined;
    try {
      t = await createTestApp({ dialect, fixture: options.fixture ? options.fixture(rx) : webhookFixture(), now: NOW, ...options.app });
      return await fn({ t, rx });
    } finally {
      await t?.close();
      await rx.close();
    }
  }

  const hookFor = (t: TestApp, scope: string, destination: string, account: AccountName = 'modify', extra: Json = {}) => createHook(t, { scope, destination, ...extra }, { account });

  // ---------------------------------------------------------------- §3, §5.1, §5.2: the request
  describe('the request (§3, §5.1, §5.2)', () => {
    it('a user created through the Management API: one POST with the exact body bytes, headers and signature; logged as succeeded', async () => {
      await withWorld(async ({ t, rx }) => {
        const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
        const write = await mgmtAt(t, '', 'POST', '/users', { firstName: 'Nia', lastName: 'New', email: 'nia.new@example.org', companyId: GREAT_BUYS, role: 1, channelIds: [1] });
        expect(write.status, write.raw).toBe(200);
        const userId = write.body.data.userId as number;
        const drained = await drain(t);
        expect(Object.keys(drained).sort()).toEqual([...DRAIN_KEYS].sort());
        expect(drained).toMatchObject({ pending: 0, nextDueAt: null, timedOut: false });
        expect(drained.attempted).toBe(drained.succeeded + drained.failed);

        expect(rx.received).toHaveLength(1);
        const got = rx.received[0] as ReceivedRequest;
        const body = payloadBody({ scope: USER_CREATED, data: { company_id: GREAT_BUYS, user_id: userId }, createdAt: NOW_S });
        expect(got.method).toBe('POST');
        expect(got.path).toBe('/hooks');
        expect(got.body).toBe(body);
        expect(got.json).toEqual({
          scope: USER_CREATED,
          store_id: '1000001',
          data: { company_id: GREAT_BUYS, user_id: userId },
          hash: payloadHash({ scope: USER_CREATED, data: { company_id: GREAT_BUYS, user_id: userId }, createdAt: NOW_S }),
          created_at: NOW_S,
          producer: 'stores/f0qyczpkb2',
        });
        expect(header(got, 'content-type')).toBe('application/json');
        expect(header(got, 'content-length')).toBe(String(Buffer.byteLength(body)));
        expect(header(got, 'user-agent')).toBe('Roster-Webhooks/1');
        const webhookId = String(header(got, 'webhook-id'));
        expect(webhookId).toMatch(UUID_LOWER);
        expect(header(got, 'webhook-timestamp')).toBe(String(NOW_S));
        expect(header(got, 'webhook-signature')).toBe(expectedSignature(ACCOUNTS.modify.clientSecret, webhookId, NOW_S, got.bytes));
        expect(header(got, 'webhook-signature')).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
        // the reference verifier, at the world's instant
        expect(verifyWithLibrary(ACCOUNTS.modify.clientSecret, got.bytes, got.headers, NOW_S)).toEqual(got.json);
        expect(() => verifyWithLibrary(ACCOUNTS.modify.clientSecret, body.replace(`"user_id":${userId}`, `"user_id":${userId + 1}`), got.headers, NOW_S)).toThrow();
        expect(() => verifyWithLibrary(ACCOUNTS.second.clientSecret, got.bytes, got.headers, NOW_S)).toThrow();
        expect(() => verifyWithLibrary(ACCOUNTS.modify.clientSecret, got.bytes, { ...got.headers, 'webhook-timestamp': String(NOW_S + 1) }, NOW_S)).toThrow();

        // the delivery log (§7.3)
        const log = await deliveries(t);
        expect(log).toHaveLength(1);
        const d = log[0] as Delivery;
        expect(Object.keys(d).sort()).toEqual([...DELIVERY_KEYS].sort());
        expect(d).toMatchObject({
          id: webhookId,
          webhookId: hook.id,
          clientId: ACCOUNTS.modify.clientId,
          storeHash: 'f0qyczpkb2',
          scope: USER_CREATED,
          destination: rx.url('/hooks'),
          requestId: write.headers['x-request-id'],
          state: 'succeeded',
          nextAttemptAt: null,
        });
        expect(Number.isInteger(d.eventSeq)).toBe(true);
        expect(JSON.stringify(d.payload)).toBe(body);
        expect(d.attempts).toHaveLength(1);
        const a = d.attempts[0] as Delivery['attempts'][number];
        expect(Object.keys(a).sort()).toEqual([...ATTEMPT_KEYS].sort());
        expect(a).toMatchObject({ n: 1, webhookTimestamp: NOW_S, signature: header(got, 'webhook-signature'), outcome: 'succeeded', httpStatus: 200, error: null });
        expect(ms(a.dueAt)).toBe(NOW);
        expect(ms(a.sentAt)).toBe(NOW);
        expect(Number.isInteger(a.durationMs) && a.durationMs >= 0).toBe(true);

        const events = await webhookEvents(t, 'webhook.delivery');
        expect(events.map((e) => e.type)).toEqual(['webhook.delivery.succeeded']);
      });
    });

    it('with the clock in real time the unmodified reference library verifies every delivery (its 5-minute tolerance against real time)', async () => {
      await withWorld(
        async ({ t, rx }) => {
          await hookFor(t, 'store/company/*', rx.url('/all'));
          await hookFor(t, USER_CREATED, rx.url('/second'), 'second');
          const res = await mgmt(t, 'POST', '/companies', {
            body: { companyName: 'Realtime Labs', companyPhone: '555-0199', companyEmail: 'info@realtime.example', country: 'FR', adminFirstName: 'Ada', adminLastName: 'Real', adminEmail: 'ada@realtime.example' },
          });
          expect(res.status, res.raw).toBe(200);
          await drain(t);
          expect(rx.on('/all')).toHaveLength(2);
          expect(rx.on('/second')).toHaveLength(1);
          for (const r of rx.on('/all')) expect(new Webhook(Buffer.from(ACCOUNTS.modify.clientSecret).toString('base64')).verify(r.body, r.headers as Record<string, string>)).toEqual(r.json);
          const second = rx.on('/second')[0] as ReceivedRequest;
          expect(new Webhook(Buffer.from(ACCOUNTS.second.clientSecret).toString('base64')).verify(second.body, second.headers as Record<string, string>)).toEqual(second.json);
          expect(() => new Webhook(Buffer.from(ACCOUNTS.modify.clientSecret).toString('base64')).verify(second.body, second.headers as Record<string, string>)).toThrow();
          // created_at is the commit time on the (real) clock; both events of the request share it
          const [created, admin] = rx.on('/all').map((r) => r.json);
          expect(created.created_at).toBe(admin.created_at);
          expect(Math.abs(created.created_at - Number(header(rx.on('/all')[0] as ReceivedRequest, 'webhook-timestamp')))).toBeLessThanOrEqual(300);
        },
        { app: { now: undefined } },
      );
    });

    it('settings.webhooks.timestamp "real": webhook-timestamp is real time while the world\'s clock is frozen; created_at stays on the clock', async () => {
      await withWorld(
        async ({ t, rx }) => {
          await hookFor(t, USER_CREATED, rx.url('/hooks'));
          const userId = await createUser(t, 1);
          await drain(t);
          const got = rx.received[0] as ReceivedRequest;
          expect(got.body).toBe(payloadBody({ scope: USER_CREATED, data: { company_id: GREAT_BUYS, user_id: userId }, createdAt: NOW_S }));
          expect(Number(header(got, 'webhook-timestamp'))).not.toBe(NOW_S);
          expect(new Webhook(Buffer.from(ACCOUNTS.modify.clientSecret).toString('base64')).verify(got.body, got.headers as Record<string, string>)).toEqual(got.json);
        },
        { fixture: () => withWebhookSettings(webhookFixture(), { timestamp: 'real' }) },
      );
    });

    it('one event, several hooks: the same body bytes and hash everywhere, one webhook-id per delivery, each signed with its own client\'s secret', async () => {
      await withWorld(async ({ t, rx }) => {
        await hookFor(t, USER_CREATED, rx.url('/a'));
        await hookFor(t, 'store/company/user/*', rx.url('/b'));
        await hookFor(t, 'store/company/*', rx.url('/c'));
        await hookFor(t, USER_CREATED, rx.url('/a'), 'second'); // same destination, another client
        await createUser(t, 1);
        await drain(t);
        expect(rx.received).toHaveLength(4);
        const bodies = new Set(rx.received.map((r) => r.body));
        expect(bodies.size).toBe(1);
        expect(new Set(rx.received.map((r) => header(r, 'webhook-id'))).size).toBe(4);
        const secondary = rx.on('/a').filter((r) => {
          try {
            verifyWithLibrary(ACCOUNTS.second.clientSecret, r.bytes, r.headers, NOW_S);
            return true;
          } catch {
            return false;
          }
        });
        expect(secondary).toHaveLength(1);
        for (const r of rx.received.filter((x) => x !== secondary[0])) verifyWithLibrary(ACCOUNTS.modify.clientSecret, r.bytes, r.headers, NOW_S);
        expect((await deliveries(t)).map((d) => d.payload.hash)).toEqual(Array(4).fill(rx.received[0]?.json.hash));
      });
    });

    it('custom headers are sent as registered; reserved names are ignored (Roster\'s values win); values never appear in the delivery log or the events', async () => {
      await withWorld(async ({ t, rx }) => {
        const headers = {
          'X-Demo-Secret': 's3cret-header-value',
          Authorization: 'Basic dXNlcjpwYXNzd29yZA==',
          'Content-Type': 'text/plain',
          'Content-Length': '1',
          'User-Agent': 'forged-agent',
          'webhook-id': 'forged-id',
          'Webhook-Signature': 'v1,forged',
          'WEBHOOK-TIMESTAMP': '1',
          Host: 'evil.example',
          'Transfer-Encoding': 'chunked',
          Connection: 'forged-connection',
        };
        await hookFor(t, USER_CREATED, rx.url('/hooks'), 'modify', { headers });
        await createUser(t, 1);
        await drain(t);
        expect(rx.received).toHaveLength(1);
        const got = rx.received[0] as ReceivedRequest;
        expect(header(got, 'x-demo-secret')).toBe('s3cret-header-value');
        expect(header(got, 'authorization')).toBe('Basic dXNlcjpwYXNzd29yZA==');
        expect(header(got, 'content-type')).toBe('application/json');
        expect(header(got, 'content-length')).toBe(String(got.bytes.length));
        expect(header(got, 'user-agent')).toBe('Roster-Webhooks/1');
        expect(header(got, 'webhook-id')).toMatch(UUID_LOWER);
        expect(header(got, 'webhook-timestamp')).toBe(String(NOW_S));
        expect(header(got, 'host')).toBe(`127.0.0.1:${rx.port}`);
        expect(got.headers['transfer-encoding']).toBeUndefined();
        expect(header(got, 'connection')).not.toBe('forged-connection');
        verifyWithLibrary(ACCOUNTS.modify.clientSecret, got.bytes, got.headers, NOW_S);
        const log = await emulator(t, 'GET', '/_roster/webhooks/deliveries');
        expect(log.raw).not.toContain('s3cret-header-value');
        expect(log.raw).not.toContain('dXNlcjpwYXNzd29yZA==');
        const events = await emulator(t, 'GET', '/_roster/events?limit=10000');
        expect(events.raw).not.toContain('s3cret-header-value');
      });
    });
  });

  // ---------------------------------------------------------------- §1, §2: which writes fire which scopes
  describe('scopes fire exactly per §2, through every API', () => {
    type Fired = [string, Json];

    /**
     * Registers the observers: `store/company/*` at /all (one hook: its deliveries arrive in event
     * order, §7.1), `store/company/user/*` at /users, one hook per firing scope at /s/<scope>, every
     * never-firing B2B scope and wildcard at /inert/<n>, and a non-B2B scope at /order.
     */
    async function observe(t: TestApp, rx: TestReceiver): Promise<{ order: Json }> {
      await hookFor(t, 'store/company/*', rx.url('/all'));
      await hookFor(t, 'store/company/user/*', rx.url('/users'));
      for (const scope of FIRING_SCOPES) await hookFor(t, scope, rx.url(`/s/${scope}`));
      const inert = [...INERT_B2B_SCOPES, 'store/company/address/*', 'store/superadmin/*', 'store/quote/*'];
      for (const [i, scope] of inert.entries()) await hookFor(t, scope, rx.url(`/inert/${i}`));
      const order = await hookFor(t, 'store/order/created', rx.url('/order'));
      return { order };
    }

    /** After draining: every observer got exactly `expected` (in order), each body byte-exact; then forgets them. */
    async function expectFired(t: TestApp, rx: TestReceiver, expected: Fired[], label: string): Promise<void> {
      const d = await drain(t);
      expect(d.timedOut, label).toBe(false);
      const seen = (path: string) => rx.on(path).map((r) => [r.json?.scope, r.json?.data] as Fired);
      expect(seen('/all'), `${label}: store/company/*`).toEqual(expected);
      expect(seen('/users'), `${label}: store/company/user/*`).toEqual(expected.filter(([s]) => s.startsWith('store/company/user/')));
      for (const scope of FIRING_SCOPES) expect(seen(`/s/${scope}`), `${label}: ${scope}`).toEqual(expected.filter(([s]) => s === scope));
      const others = rx.received.filter((r) => r.path.startsWith('/inert/') || r.path === '/order');
      expect(others.map((r) => r.path), `${label}: never-firing scopes`).toEqual([]);
      for (const r of rx.received) {
        expect(r.body, `${label}: bytes`).toBe(payloadBody({ scope: r.json.scope, data: r.json.data, createdAt: NOW_S }));
        verifyWithLibrary(ACCOUNTS.modify.clientSecret, r.bytes, r.headers, NOW_S);
      }
      rx.clear();
    }

    it('Management Companies: create (company then its admin), bulk create (nothing), update, no-op and failed updates, bulk update, status', async () => {
      await withWorld(async ({ t, rx }) => {
        const { order } = await observe(t, rx);
        const created = await mgmt(t, 'POST', '/companies', {
          body: { companyName: 'Curie Labs', companyPhone: '555-0199', companyEmail: 'info@curielabs.example', country: 'FR', adminFirstName: 'Ada', adminLastName: 'Byron', adminEmail: 'ada@curielabs.example' },
        });
        expect(created.status, created.raw).toBe(200);
        const companyId = created.body.data.companyId as number;
        const adminId = (await mgmt(t, 'GET', '/users', { query: { companyId } })).body.data[0].id as number;
        await expectFired(t, rx, [['store/company/created', { company_id: companyId }], [USER_CREATED, { company_id: companyId, user_id: adminId }]], 'POST /companies');

        const bulk = await mgmt(t, 'POST', '/companies/bulk', {
          body: [1, 2].map((n) => ({ companyName: `Bulk Co ${n}`, companyPhone: '555', companyEmail: `b${n}@bulk.example`, country: 'US', adminFirstName: 'B', adminLastName: `U${n}`, adminEmail: `admin${n}@bulk.example` })),
        });
        expect(bulk.status, bulk.raw).toBe(200);
        await expectFired(t, rx, [], 'POST /companies/bulk');

        expect((await mgmt(t, 'PUT', `/companies/${RIVAL}`, { body: { city: 'Lyon' } })).status).toBe(200);
        await expectFired(t, rx, [['store/company/updated', { company_id: RIVAL }]], 'PUT /companies/{id}');
        expect((await mgmt(t, 'PUT', `/companies/${RIVAL}`, { body: { city: 'Lyon', companyName: 'Rival Supplies' } })).status).toBe(200);
        await expectFired(t, rx, [], 'PUT /companies/{id} with the same values');
        expect((await mgmt(t, 'PUT', `/companies/${RIVAL}`, { body: { companyName: '' } })).status).toBe(422);
        expect((await mgmt(t, 'PUT', '/companies/999999', { body: { city: 'Nowhere' } })).status).toBe(404);
        expect((await mgmt(t, 'PUT', `/companies/${RIVAL}`, { token: TOKENS.read, body: { city: 'Paris' } })).status).toBe(403);
        await expectFired(t, rx, [], 'failed updates');

        const bulkPut = await mgmt(t, 'PUT', '/companies/bulk', {
          body: [
            { companyId: GREAT_BUYS, companyPhone: '555-2000' },
            { companyId: 334455 }, // nothing to change
            { companyId: RIVAL, city: 'Paris' },
          ],
        });
        expect(bulkPut.status, bulkPut.raw).toBe(200);
        await expectFired(t, rx, [['store/company/updated', { company_id: GREAT_BUYS }], ['store/company/updated', { company_id: RIVAL }]], 'PUT /companies/bulk');

        expect((await mgmt(t, 'PUT', '/companies/334455/status', { body: { companyStatus: 1 } })).status).toBe(200);
        await expectFired(t, rx, [['store/company/updated', { company_id: 334455 }], ['store/company/statusUpdated', { company_id: 334455 }]], 'status change');
        expect((await mgmt(t, 'PUT', '/companies/334455/status', { body: { companyStatus: 1 } })).status).toBe(200);
        await expectFired(t, rx, [], 'the same status');
        expect((await mgmt(t, 'PUT', '/companies/334455/status', { body: { companyStatus: 9 } })).status).toBe(422);
        await expectFired(t, rx, [], 'an invalid status');

        // reads fire nothing; the non-B2B hook never appears in the log
        for (const path of ['/companies', `/companies/${GREAT_BUYS}`, '/users', `/companies/${GREAT_BUYS}/subsidiaries`]) expect((await mgmt(t, 'GET', path)).status).toBe(200);
        await expectFired(t, rx, [], 'reads');
        expect(await deliveries(t, { webhookId: order.id as number })).toEqual([]);
        expect((await deliveries(t)).every((d) => d.webhookId !== order.id)).toBe(true);
      });
    });

    it('Management hierarchy and delete: parent attach and subsidiary detach fire updated for the child; deleting a Company fires deleted then updated per detached child, and no user deleted', async () => {
      await withWorld(async ({ t, rx }) => {
        await observe(t, rx);
        const attach = await mgmt(t, 'POST', `/companies/${RIVAL}/parent`, { body: { parentCompanyId: GREAT_BUYS } });
        expect(attach.status, attach.raw).toBe(201);
        await expectFired(t, rx, [['store/company/updated', { company_id: RIVAL }]], 'attach parent');
        const detach = await mgmt(t, 'DELETE', `/companies/${GREAT_BUYS}/subsidiaries/123457`);
        expect(detach.status, detach.raw).toBe(204);
        await expectFired(t, rx, [['store/company/updated', { company_id: 123457 }]], 'detach subsidiary');
        // Great Buys now has one child (Rival) and four users plus a Super Admin
        const del = await mgmt(t, 'DELETE', `/companies/${GREAT_BUYS}`);
        expect(del.status, del.raw).toBe(200);
        await expectFired(t, rx, [['store/company/deleted', { company_id: GREAT_BUYS }], ['store/company/updated', { company_id: RIVAL }]], 'DELETE /companies/{id}');
        expect((await mgmt(t, 'DELETE', `/companies/${GREAT_BUYS}`)).status).toBe(404);
        await expectFired(t, rx, [], 'deleting again');
      });
    });

    it('Management Users: create, bulk (one per user, body order), update (incl. a role change), no-op and failed updates, delete', async () => {
      await withWorld(async ({ t, rx }) => {
        await observe(t, rx);
        const userId = await createUser(t, 1);
        await expectFired(t, rx, [[USER_CREATED, { company_id: GREAT_BUYS, user_id: userId }]], 'POST /users');
        const bulk = await bulkCreateUsers(t, 'b', 3, RIVAL);
        await expectFired(t, rx, bulk.map((id) => [USER_CREATED, { company_id: RIVAL, user_id: id }] as Fired), 'POST /users/bulk');

        expect((await mgmt(t, 'PUT', `/users/${USERS.senior.id}`, { body: { phoneNumber: '999' } })).status).toBe(200);
        await expectFired(t, rx, [['store/company/user/updated', { company_id: GREAT_BUYS, user_id: USERS.senior.id }]], 'PUT /users/{id}');
        expect((await mgmt(t, 'PUT', `/users/${USERS.senior.id}`, { body: { phoneNumber: '999', firstName: USERS.senior.firstName } })).status).toBe(200);
        await expectFired(t, rx, [], 'PUT /users/{id} with the same values');
        expect((await mgmt(t, 'PUT', `/users/${USERS.junior.id}`, { body: { role: 1 } })).status).toBe(200);
        await expectFired(t, rx, [['store/company/user/updated', { company_id: GREAT_BUYS, user_id: USERS.junior.id }]], 'role change');
        expect((await mgmt(t, 'PUT', `/users/${USERS.junior.id}`, { body: { email: 'not an e-mail' } })).status).toBe(422);
        expect((await mgmt(t, 'PUT', '/users/999999', { body: { firstName: 'X' } })).status).toBe(404);
        expect((await mgmt(t, 'POST', '/users', { body: { firstName: 'Dup', lastName: 'Licate', email: USERS.admin.email, companyId: GREAT_BUYS, role: 2, channelIds: [1] } })).status).toBe(422);
        await expectFired(t, rx, [], 'failed writes');

        expect((await mgmt(t, 'DELETE', `/users/${USERS.userManager.id}`)).status).toBe(200);
        await expectFired(t, rx, [['store/company/user/deleted', { company_id: GREAT_BUYS, user_id: USERS.userManager.id }]], 'DELETE /users/{id}');
        expect((await mgmt(t, 'DELETE', `/users/${USERS.userManager.id}`)).status).toBe(404);
        await expectFired(t, rx, [], 'DELETE again');
      });
    });

    it('storefront REST /api/v2/users: create, update, no-op update, delete; failed writes, sign-in and reads fire nothing', async () => {
      await withWorld(async ({ t, rx }) => {
        await observe(t, rx);
        const token = storefrontToken(t, USERS.admin);
        const created = await storefront(t, token, 'POST', '/api/v2/users', { companyId: String(GREAT_BUYS), firstName: 'From', lastName: 'Rest', email: 'from.rest@greatbuys.com', phoneNumber: '555-0202', role: '2' });
        expect(created.status, created.raw).toBe(200);
        const userId = Number(created.body.data.userId);
        await expectFired(t, rx, [[USER_CREATED, { company_id: GREAT_BUYS, user_id: userId }]], 'POST /api/v2/users');

        const same = { firstName: USERS.junior.firstName, lastName: USERS.junior.lastName, email: USERS.junior.email, phoneNumber: USERS.junior.phoneNumber, role: '2' };
        expect((await storefront(t, token, 'PUT', `/api/v2/users/${USERS.junior.id}`, same)).status).toBe(200);
        await expectFired(t, rx, [], 'PUT with the same values');
        expect((await storefront(t, token, 'PUT', `/api/v2/users/${USERS.junior.id}`, { ...same, lastName: 'Joliot-Curie' })).status).toBe(200);
        await expectFired(t, rx, [['store/company/user/updated', { company_id: GREAT_BUYS, user_id: USERS.junior.id }]], 'PUT /api/v2/users/{id}');

        expect((await storefront(t, token, 'DELETE', `/api/v2/users/${userId}`)).status).toBe(200);
        await expectFired(t, rx, [['store/company/user/deleted', { company_id: GREAT_BUYS, user_id: userId }]], 'DELETE /api/v2/users/{id}');

        const failed = await storefront(t, token, 'POST', '/api/v2/users', { companyId: String(GREAT_BUYS), firstName: 'No' });
        expect(failed.status).toBeGreaterThanOrEqual(400);
        const junior = storefrontToken(t, USERS.junior);
        expect((await storefront(t, junior, 'DELETE', `/api/v2/users/${USERS.senior.id}`)).status).toBeGreaterThanOrEqual(400);
        expect((await signInStorefront(t, USERS.admin.email, PASSWORD)).status).toBe(200);
        expect((await storefront(t, token, 'GET', '/api/v2/users')).status).toBe(200);
        expect((await storefront(t, token, 'GET', `/api/v2/users/${USERS.senior.id}`)).status).toBe(200);
        await expectFired(t, rx, [], 'failed writes, sign-in, reads');
      });
    });

    it('B2B GraphQL: userCreate, userUpdate (changed only), userDelete; errors and queries fire nothing', async () => {
      await withWorld(async ({ t, rx }) => {
        await observe(t, rx);
        const token = storefrontToken(t, USERS.admin);
        const created = await b2bGraphql(
          t,
          token,
          'mutation { userCreate(userData: { companyId: 123456, email: "from.graphql@greatbuys.com", firstName: "From", lastName: "Graphql", phone: "", companyRoleId: 2 }) { user { id } } }',
        );
        expect(created.body?.errors, created.raw).toBeUndefined();
        const userId = Number(created.body.data.userCreate.user.id);
        await expectFired(t, rx, [[USER_CREATED, { company_id: GREAT_BUYS, user_id: userId }]], 'userCreate');

        const same = await b2bGraphql(t, token, `mutation { userUpdate(userData: { companyId: 123456, userId: ${USERS.senior.id}, firstName: "${USERS.senior.firstName}" }) { user { id } } }`);
        expect(same.body?.errors, same.raw).toBeUndefined();
        await expectFired(t, rx, [], 'userUpdate with the same values');
        const changed = await b2bGraphql(t, token, `mutation { userUpdate(userData: { companyId: 123456, userId: ${USERS.senior.id}, lastName: "Curie-Sklodowski" }) { user { id } } }`);
        expect(changed.body?.errors, changed.raw).toBeUndefined();
        await expectFired(t, rx, [['store/company/user/updated', { company_id: GREAT_BUYS, user_id: USERS.senior.id }]], 'userUpdate');

        const deleted = await b2bGraphql(t, token, `mutation { userDelete(companyId: 123456, userId: ${userId}) { message } }`);
        expect(deleted.body, deleted.raw).toEqual({ data: { userDelete: { message: 'Success' } } });
        await expectFired(t, rx, [['store/company/user/deleted', { company_id: GREAT_BUYS, user_id: userId }]], 'userDelete');

        const dup = await b2bGraphql(
          t,
          token,
          `mutation { userCreate(userData: { companyId: 123456, email: "${USERS.senior.email}", firstName: "Dup", lastName: "Licate", phone: "", companyRoleId: 2 }) { user { id } } }`,
        );
        expect(dup.body?.errors?.length, dup.raw).toBeGreaterThan(0);
        const gone = await b2bGraphql(t, token, 'mutation { userDelete(companyId: 123456, userId: 999999) { message } }');
        expect(gone.body?.errors?.length, gone.raw).toBeGreaterThan(0);
        expect((await b2bGraphql(t, token, '{ users(companyId: 123456) { totalCount } }')).body?.errors).toBeUndefined();
        await expectFired(t, rx, [], 'errors and queries');
      });
    });

    it('the payload names the concrete scope whatever the hook\'s scope; an inactive hook receives nothing', async () => {
      await withWorld(async ({ t, rx }) => {
        await hookFor(t, 'store/company/*', rx.url('/all'));
        const off = await hookFor(t, USER_CREATED, rx.url('/off'), 'modify', { is_active: false });
        await createUser(t, 1);
        await drain(t);
        expect(rx.on('/all').map((r) => r.json.scope)).toEqual([USER_CREATED]);
        expect(rx.on('/off')).toEqual([]);
        expect(await deliveries(t, { webhookId: off.id as number })).toEqual([]);
      });
    });
  });

  // ---------------------------------------------------------------- §5.3 what counts as received
  describe('what counts as received (§5.3)', () => {
    it('any 2xx succeeds; every other status fails (3xx not followed); logged with the status, counted in events', async () => {
      await withWorld(async ({ t, rx }) => {
        const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
        const ok = [200, 201, 202, 204, 299];
        const bad = [300, 301, 302, 303, 304, 307, 308, 400, 401, 404, 410, 429, 500, 502, 503];
        let n = 0;
        for (const status of [...ok, ...bad]) {
          n += 1;
          rx.respondWith(status >= 300 && status < 400 ? { status, headers: { location: rx.url('/moved') } } : status);
          await createUser(t, n);
          await drain(t);
          const [newest] = await deliveries(t, { webhookId: hook.id as number, limit: 1 });
          expect(newest?.attempts, `status ${status}`).toHaveLength(1);
          expect(newest?.attempts[0], `status ${status}`).toMatchObject({ outcome: ok.includes(status) ? 'succeeded' : 'failed', httpStatus: status, error: null });
          expect(newest?.state, `status ${status}`).toBe(ok.includes(status) ? 'succeeded' : 'pending');
        }
        expect(rx.on('/hooks')).toHaveLength(n);
        expect(rx.on('/moved')).toEqual([]);
        expect(await webhookEvents(t, 'webhook.delivery.succeeded')).toHaveLength(ok.length);
        expect(await webhookEvents(t, 'webhook.delivery.failed')).toHaveLength(bad.length);
        const d = await drain(t);
        expect(d.pending).toBe(bad.length);
        expect(ms(d.nextDueAt)).toBe(NOW + 60_000);
      });
    });

    it('the response body is kept up to 1 KiB in the log', async () => {
      await withWorld(async ({ t, rx }) => {
        const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
        rx.respondWith({ status: 500, body: 'x'.repeat(5000) });
        await createUser(t, 1);
        await drain(t);
        const excerpt = (await onlyDelivery(t, hook.id as number)).attempts[0]?.responseExcerpt ?? '';
        expect(excerpt.length).toBeGreaterThan(0);
        expect(excerpt.length).toBeLessThanOrEqual(1024);
        expect(excerpt).toMatch(/^x+$/);
      });
    });

    it('connection refused and DNS failure are failures (error "connection" / "dns", no status)', async () => {
      await withWorld(async ({ t }) => {
        const refused = await hookFor(t, USER_CREATED, await refusedUrl());
        const dns = await hookFor(t, USER_CREATED, 'http://roster-webhooks-test.invalid/hooks');
        await createUser(t, 1);
        const d = await drain(t);
        expect(d.pending).toBe(2);
        expect((await onlyDelivery(t, refused.id as number)).attempts[0]).toMatchObject({ n: 1, outcome: 'failed', httpStatus: null, error: 'connection' });
        expect((await onlyDelivery(t, dns.id as number)).attempts[0]).toMatchObject({ n: 1, outcome: 'failed', httpStatus: null, error: 'dns' });
        expect(await webhookEvents(t, 'webhook.delivery.failed')).toHaveLength(2);
      });
    });

    it('a receiver that never answers fails with "timeout" after settings.webhooks.timeoutMs (real time)', async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          await createUser(t, 1);
          const d = await drain(t);
          expect(d.timedOut).toBe(false);
          expect(rx.received).toHaveLength(1);
          const delivery = await onlyDelivery(t, hook.id as number);
          expect(delivery.state).toBe('pending');
          expect(delivery.attempts[0]).toMatchObject({ outcome: 'failed', httpStatus: null, error: 'timeout' });
        },
        { receiver: { respond: 'hang' }, fixture: () => withWebhookSettings(webhookFixture(), { timeoutMs: 300 }) },
      );
    });

    it('a 2xx breaking the response-header limits (name > 64 bytes, value > 8 KB, more than 64 headers) fails with "response-headers"', async () => {
      await withWorld(async ({ t, rx }) => {
        const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
        const many: Record<string, string> = {};
        for (let i = 0; i < 70; i += 1) many[`x-h-${i}`] = 'v';
        const cases: [string, Record<string, string>, string][] = [
          ['a 64-byte name and an 8,000-byte value', { [`x-${'a'.repeat(62)}`]: 'v'.repeat(8000) }, 'succeeded'],
          ['a 65-byte name', { [`x-${'a'.repeat(63)}`]: 'v' }, 'failed'],
          ['an 8,193-byte value', { 'x-big': 'v'.repeat(8193) }, 'failed'],
          ['70 headers', many, 'failed'],
        ];
        let n = 0;
        for (const [label, headers, outcome] of cases) {
          n += 1;
          rx.respondWith({ status: 200, headers });
          await createUser(t, n);
          await drain(t);
          const [newest] = await deliveries(t, { webhookId: hook.id as number, limit: 1 });
          expect(newest?.attempts[0], label).toMatchObject(outcome === 'succeeded' ? { outcome, error: null } : { outcome, error: 'response-headers' });
        }
      });
    });

    it('TLS: a self-signed certificate fails ("tls"); settings.webhooks.insecureTls accepts it', async () => {
      const tlsRx = await startReceiver({ tls: true });
      try {
        await withWorld(async ({ t }) => {
          const hook = await hookFor(t, USER_CREATED, tlsRx.url('/hooks'));
          await createUser(t, 1);
          await drain(t);
          expect((await onlyDelivery(t, hook.id as number)).attempts[0]).toMatchObject({ outcome: 'failed', httpStatus: null, error: 'tls' });
          expect(tlsRx.received).toEqual([]);
        });
        await withWorld(
          async ({ t }) => {
            const hook = await hookFor(t, USER_CREATED, tlsRx.url('/hooks'));
            await createUser(t, 2);
            await drain(t);
            expect((await onlyDelivery(t, hook.id as number)).attempts[0]).toMatchObject({ outcome: 'succeeded', httpStatus: 200 });
            expect(tlsRx.received).toHaveLength(1);
            verifyWithLibrary(ACCOUNTS.modify.clientSecret, (tlsRx.received[0] as ReceivedRequest).bytes, (tlsRx.received[0] as ReceivedRequest).headers, NOW_S);
          },
          { fixture: () => withWebhookSettings(webhookFixture(), { insecureTls: true }) },
        );
      } finally {
        await tlsRx.close();
      }
    });
  });

  // ---------------------------------------------------------------- §6.1, §6.2 retries and deactivation
  describe('retries on Roster\'s clock (§6.1, §7.1) and deactivation (§6.2)', () => {
    it('the exact schedule: attempt n at t0 + 0, 60, 240, ... 173,040 s, nothing a second earlier; same webhook-id and bytes; after attempt 12 the hook is deactivated', { timeout: 60_000 }, async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          await createUser(t, 1);
          const first = await drain(t);
          expect(first.pending).toBe(1);
          expect(ms(first.nextDueAt)).toBe(NOW + 60_000);
          expect(rx.received).toHaveLength(1);
          const webhookId = String(header(rx.received[0] as ReceivedRequest, 'webhook-id'));
          const body = (rx.received[0] as ReceivedRequest).body;
          expect(header(rx.received[0] as ReceivedRequest, 'webhook-timestamp')).toBe(String(NOW_S));

          for (let n = 2; n <= 12; n += 1) {
            const due = NOW + (RETRY_OFFSETS_S[n - 1] as number) * 1000;
            await setClock(t, { now: iso(due - 1000) });
            await drain(t);
            expect(rx.received, `attempt ${n} a second early`).toHaveLength(n - 1);
            await setClock(t, { now: iso(due) });
            const d = await drain(t);
            expect(rx.received, `attempt ${n}`).toHaveLength(n);
            const got = rx.received[n - 1] as ReceivedRequest;
            expect(header(got, 'webhook-id'), `attempt ${n}`).toBe(webhookId);
            expect(header(got, 'webhook-timestamp'), `attempt ${n}`).toBe(String(due / 1000));
            expect(got.body, `attempt ${n}`).toBe(body);
            verifyWithLibrary(ACCOUNTS.modify.clientSecret, got.bytes, got.headers, due / 1000);
            if (n < 12) {
              expect(d.pending, `after attempt ${n}`).toBe(1);
              expect(ms(d.nextDueAt), `after attempt ${n}`).toBe(NOW + (RETRY_OFFSETS_S[n] as number) * 1000);
              expect(ms((await onlyDelivery(t, hook.id as number)).nextAttemptAt)).toBe(NOW + (RETRY_OFFSETS_S[n] as number) * 1000);
              expect((await hooks(t, 'GET', `/${hook.id}`)).body.data.is_active).toBe(true);
            } else {
              expect(d).toMatchObject({ pending: 0, nextDueAt: null });
            }
          }
          const delivery = await onlyDelivery(t, hook.id as number);
          expect(delivery).toMatchObject({ id: webhookId, state: 'failed', nextAttemptAt: null });
          expect(delivery.attempts.map((a) => a.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
          expect(delivery.attempts.map((a) => ms(a.dueAt))).toEqual(RETRY_OFFSETS_S.map((s) => NOW + s * 1000));
          expect(delivery.attempts.map((a) => a.webhookTimestamp)).toEqual(RETRY_OFFSETS_S.map((s) => NOW_S + s));
          expect(delivery.attempts.every((a) => a.outcome === 'failed' && a.httpStatus === 500)).toBe(true);
          expect(JSON.stringify(delivery.payload)).toBe(body);

          const deactivated = (await hooks(t, 'GET', `/${hook.id}`)).body.data;
          expect(deactivated).toMatchObject({ is_active: false, created_at: NOW_S, updated_at: NOW_S + 173_040 });
          expect(await webhookEvents(t, 'webhook.delivery.failed')).toHaveLength(12);
          expect(await webhookEvents(t, 'webhook.deactivated')).toHaveLength(1);
          // nothing more, ever; and events while inactive are not delivered
          await advance(t, 7 * 86_400_000);
          await createUser(t, 2);
          expect(await drain(t)).toMatchObject({ pending: 0, nextDueAt: null });
          expect(rx.received).toHaveLength(12);
        },
        { receiver: { respond: 500 } },
      );
    });

    it('a hook the dispatcher deactivated gets nothing from the very next write (the outbox keeps each store\'s hooks per the tenant ledger)', { timeout: 60_000 }, async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          await createUser(t, 'a');
          await drain(t);
          await advance(t, 173_040_000); // a's 12th attempt is due
          await createUser(t, 'b'); // the outbox reads the store's hooks: this one is still active
          await drain(t); // a's last attempt fails: the hook is deactivated, b's delivery cancelled
          expect((await hooks(t, 'GET', `/${hook.id}`)).body.data.is_active).toBe(false);
          const received = rx.received.length;
          await createUser(t, 'c');
          expect(await deliveries(t, { webhookId: hook.id as number, state: 'pending' })).toHaveLength(0);
          await drain(t);
          expect(rx.received).toHaveLength(received);
        },
        { receiver: { respond: 500 } },
      );
    });

    it('one jump of 173,040 s replays the chain; deactivation cancels the hook\'s other pending deliveries; a reactivated hook gets only new events', { timeout: 60_000 }, async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          const spare = await hookFor(t, 'store/company/user/*', rx.url('/spare')); // another hook: untouched by this one's deactivation
          await createUser(t, 'a');
          await drain(t);
          await advance(t, 1000);
          await createUser(t, 'b');
          await drain(t);
          const [b, a] = await deliveries(t, { webhookId: hook.id as number });
          expect(a?.payload.data.user_id).toBeLessThan(b?.payload.data.user_id);
          await advance(t, 173_039_000); // now = t0 + 173,040 s: a's 12th attempt is due, b's is a second away
          const d = await drain(t);
          expect(d.timedOut).toBe(false);

          const count = countByWebhookId(rx.on('/hooks'));
          expect(count.get(String(a?.id))).toBe(12);
          expect(count.get(String(b?.id))).toBe(11);
          const last = NOW_S + 173_040;
          // the replayed attempts are stamped with the clock at sending
          const aRequests = rx.on('/hooks').filter((r) => header(r, 'webhook-id') === a?.id);
          expect(aRequests.map((r) => Number(header(r, 'webhook-timestamp')))).toEqual([NOW_S, ...Array(11).fill(last)]);
          const aLog = (await deliveries(t, { webhookId: hook.id as number })).find((x) => x.id === a?.id) as Delivery;
          expect(aLog.state).toBe('failed');
          expect(aLog.attempts.map((x) => ms(x.dueAt))).toEqual(RETRY_OFFSETS_S.map((s) => NOW + s * 1000));
          const bLog = (await deliveries(t, { webhookId: hook.id as number })).find((x) => x.id === b?.id) as Delivery;
          expect(bLog.state).toBe('cancelled');
          expect(realAttempts(bLog)).toHaveLength(11);
          expect(await deliveries(t, { webhookId: hook.id as number, state: 'cancelled' })).toHaveLength(1);
          expect((await hooks(t, 'GET', `/${hook.id}`)).body.data).toMatchObject({ is_active: false, updated_at: last });
          expect((await hooks(t, 'GET', `/${spare.id}`)).body.data.is_active).toBe(true);
          expect(await webhookEvents(t, 'webhook.deactivated')).toHaveLength(1);

          // the cancelled delivery never comes back, not even after reactivation
          rx.respondWith(200);
          const reactivated = await hooks(t, 'PUT', `/${hook.id}`, { body: { is_active: true } });
          expect(reactivated.body.data).toMatchObject({ is_active: true });
          await advance(t, 86_400_000);
          await drain(t);
          expect(countByWebhookId(rx.on('/hooks')).get(String(b?.id))).toBe(11);
          expect(countByWebhookId(rx.on('/hooks')).get(String(a?.id))).toBe(12);
          const c = await createUser(t, 'c');
          await drain(t);
          const fresh = rx.on('/hooks').slice(23);
          expect(fresh).toHaveLength(1);
          expect(fresh[0]?.json.data).toEqual({ company_id: GREAT_BUYS, user_id: c });
          expect((await deliveries(t, { webhookId: hook.id as number, state: 'succeeded' })).map((x) => x.payload.data.user_id)).toEqual([c]);
        },
        { receiver: { respond: (r: ReceivedRequest) => (r.path === '/spare' ? 200 : 500) } },
      );
    });

    it('a receiver that recovers gets the rest: the retries due next succeed, in event order, and nothing more is sent', async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          const ids = [await createUser(t, 1), await createUser(t, 2), await createUser(t, 3)];
          expect(await drain(t)).toMatchObject({ pending: 3 });
          rx.respondWith(200);
          await advance(t, 59_000);
          await drain(t);
          expect(rx.received).toHaveLength(3);
          await advance(t, 1000);
          expect(await drain(t)).toMatchObject({ pending: 0, nextDueAt: null });
          expect(rx.received.slice(3).map((r) => r.json.data.user_id)).toEqual(ids);
          for (const r of rx.received.slice(3)) {
            expect(header(r, 'webhook-timestamp')).toBe(String(NOW_S + 60));
            verifyWithLibrary(ACCOUNTS.modify.clientSecret, r.bytes, r.headers, NOW_S + 60);
          }
          for (const d of await deliveries(t, { webhookId: hook.id as number })) {
            expect(d.state).toBe('succeeded');
            expect(d.attempts.map((a) => [a.n, a.outcome])).toEqual([
              [1, 'failed'],
              [2, 'succeeded'],
            ]);
          }
          await advance(t, 3 * 86_400_000);
          await drain(t);
          expect(rx.received).toHaveLength(6);
          expect(await webhookEvents(t, 'webhook.delivery.succeeded')).toHaveLength(3);
          expect(await webhookEvents(t, 'webhook.delivery.failed')).toHaveLength(3);
        },
        { receiver: { respond: 500 } },
      );
    });

    it('a hanging receiver does not hold up the API; one request in flight per hook; drain reports timedOut while it hangs; the rest follow in event order', async () => {
      await withWorld(async ({ t, rx }) => {
        const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
        rx.hold();
        const ids: number[] = [];
        for (let n = 1; n <= 3; n += 1) ids.push(await createUser(t, n)); // each write answered while the receiver holds
        expect(rx.answered).toBe(0);
        await rx.waitFor(1);
        const waiting = await drain(t, { timeoutMs: 300 });
        expect(waiting.timedOut).toBe(true);
        expect(rx.received).toHaveLength(1); // the others wait behind the one in flight
        rx.release();
        const done = await drain(t);
        expect(done).toMatchObject({ timedOut: false, pending: 0 });
        expect(rx.received.map((r) => r.json.data.user_id)).toEqual(ids);
        // the writes never waited for the receiver: each delivery succeeded at its first attempt
        for (const d of await deliveries(t, { webhookId: hook.id as number })) {
          expect(d.state).toBe('succeeded');
          expect(d.attempts).toHaveLength(1);
        }
      });
    });

    it('DELETE of a hook cancels its pending deliveries (state cancelled); nothing is retried', async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          await createUser(t, 1);
          expect(await drain(t)).toMatchObject({ pending: 1 });
          expect((await hooks(t, 'DELETE', `/${hook.id}`)).status).toBe(200);
          expect(await drain(t)).toMatchObject({ pending: 0, nextDueAt: null });
          expect((await onlyDelivery(t, hook.id as number)).state).toBe('cancelled');
          await advance(t, 86_400_000);
          await drain(t);
          expect(rx.received).toHaveLength(1);
        },
        { receiver: { respond: 500 } },
      );
    });
  });

  // ---------------------------------------------------------------- §6.3 blocklisting
  describe('blocklisting (§6.3)', () => {
    it('100 outcomes within 120 s under 90 % success blocklist (client, host:port) for 180 s: first attempts wait until max(end, now + 60 s), retries until the end; another client is not affected', { timeout: 90_000 }, async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/h1'));
          for (let i = 0; i < 10; i += 1) await bulkCreateUsers(t, `x${i}`, 10);
          await drain(t, { timeoutMs: 60_000 });
          expect(rx.on('/h1')).toHaveLength(100);
          expect(await webhookEvents(t, 'webhook.domain.blocklisted')).toHaveLength(1);
          const listed = await emulator(t, 'GET', '/_roster/webhooks/blocklist');
          expect(listed.status, listed.raw).toBe(200);
          // §7.3 names the entries' fields, not the envelope: {"blocklist":[...]} like the other lists of /_roster (or a bare array)
          const entries = (Array.isArray(listed.body) ? listed.body : listed.body.blocklist) as Json[];
          expect(entries).toHaveLength(1);
          expect(entries[0]).toMatchObject({ clientId: ACCOUNTS.modify.clientId, host: `127.0.0.1:${rx.port}`, successRatio: 0 });
          expect(ms(entries[0]?.until)).toBe(NOW + 180_000);

          // the second client's hook on the same host:port is not blocklisted
          await hookFor(t, USER_CREATED, rx.url('/h2'), 'second');
          const next = await createUser(t, 'after');
          const d = await drain(t);
          expect(d.timedOut).toBe(false);
          expect(rx.on('/h1')).toHaveLength(100);
          expect(rx.on('/h2').map((r) => r.json.data.user_id)).toEqual([next]);
          const deferred = (await deliveries(t, { webhookId: hook.id as number, limit: 1 }))[0] as Delivery;
          expect(deferred.payload.data.user_id).toBe(next);
          expect(deferred.state).toBe('pending');
          expect(realAttempts(deferred)).toEqual([]);
          expect(ms(deferred.nextAttemptAt)).toBe(NOW + 180_000);

          // at t0 + 60 s the retries are due but deferred to the end of the blocklist
          rx.respondWith(200);
          await advance(t, 60_000);
          await drain(t);
          expect(rx.on('/h1')).toHaveLength(100);
          const retry = (await deliveries(t, { webhookId: hook.id as number, state: 'pending' })).find((x) => x.id !== deferred.id) as Delivery;
          expect(realAttempts(retry)).toHaveLength(1);
          expect(ms(retry.nextAttemptAt)).toBe(NOW + 180_000);

          // at the end everything goes out: 100 second attempts and the deferred first one
          await advance(t, 119_000);
          await drain(t);
          expect(rx.on('/h1')).toHaveLength(100);
          await advance(t, 1000);
          expect(await drain(t, { timeoutMs: 60_000 })).toMatchObject({ pending: 0, timedOut: false });
          expect(rx.on('/h1')).toHaveLength(201);
          for (const r of rx.on('/h1').slice(100)) expect(header(r, 'webhook-timestamp')).toBe(String(NOW_S + 180));
          const log = await deliveries(t, { webhookId: hook.id as number, limit: 1000 });
          expect(log).toHaveLength(101);
          expect(log.every((x) => x.state === 'succeeded')).toBe(true);
          expect(realAttempts(log.find((x) => x.id === deferred.id) as Delivery)).toHaveLength(1);
          expect(log.filter((x) => realAttempts(x).length === 2)).toHaveLength(100);
        },
        { receiver: { respond: (r: ReceivedRequest) => (r.path === '/h1' ? 500 : 200) } },
      );
    });

    it('exactly 90 % success over 100 outcomes is not blocklisted; the blocklist can be cleared', { timeout: 90_000 }, async () => {
      await withWorld(async ({ t, rx }) => {
        let h1 = 0;
        rx.respondWith((r) => {
          if (r.path !== '/h1') return 200;
          h1 += 1;
          return h1 <= 10 ? 500 : 200;
        });
        await hookFor(t, USER_CREATED, rx.url('/h1'));
        for (let i = 0; i < 10; i += 1) await bulkCreateUsers(t, `y${i}`, 10);
        await drain(t, { timeoutMs: 60_000 });
        expect(rx.on('/h1')).toHaveLength(100);
        await createUser(t, 'next');
        await drain(t);
        expect(rx.on('/h1')).toHaveLength(101);
        expect(await webhookEvents(t, 'webhook.domain.blocklisted')).toEqual([]);

        // now fail everything until blocklisted, then clear it: the next event goes out at once
        rx.respondWith((r) => (r.path === '/h1' ? 500 : 200));
        await advance(t, 121_000); // the earlier outcomes leave the window
        for (let i = 0; i < 10; i += 1) await bulkCreateUsers(t, `z${i}`, 10);
        await drain(t, { timeoutMs: 60_000 });
        expect(await webhookEvents(t, 'webhook.domain.blocklisted')).toHaveLength(1);
        const before = rx.on('/h1').length;
        await createUser(t, 'deferred');
        await drain(t);
        expect(rx.on('/h1')).toHaveLength(before);
        const cleared = await emulator(t, 'DELETE', '/_roster/webhooks/blocklist');
        expect(cleared.status, cleared.raw).toBeGreaterThanOrEqual(200);
        expect(cleared.status).toBeLessThan(300);
        rx.respondWith(200);
        const clearedUser = await createUser(t, 'cleared');
        await drain(t);
        expect(rx.on('/h1').slice(before).map((r) => r.json.data.user_id)).toContain(clearedUser);
      });
    });
  });

  // ---------------------------------------------------------------- §7.2, §7.3 drain and the log
  describe('drain and the delivery log (§7.2, §7.3)', () => {
    it('the log is newest first and filters by webhookId, scope, state and limit', async () => {
      await withWorld(
        async ({ t, rx }) => {
          const users = await hookFor(t, USER_CREATED, rx.url('/ok'));
          const all = await hookFor(t, 'store/company/*', rx.url('/fail'));
          const u1 = await createUser(t, 1);
          expect((await mgmt(t, 'PUT', `/companies/${RIVAL}`, { body: { city: 'Lyon' } })).status).toBe(200);
          const u2 = await createUser(t, 2);
          await drain(t);
          const log = await deliveries(t);
          expect(log).toHaveLength(5);
          const seqs = log.map((d) => d.eventSeq);
          expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
          expect(log[0]?.payload.data.user_id).toBe(u2);
          expect((await deliveries(t, { webhookId: users.id as number })).map((d) => d.payload.data.user_id)).toEqual([u2, u1]);
          expect((await deliveries(t, { webhookId: all.id as number })).map((d) => d.scope)).toEqual([USER_CREATED, 'store/company/updated', USER_CREATED]);
          expect((await deliveries(t, { scope: 'store/company/updated' })).map((d) => d.webhookId)).toEqual([all.id]);
          expect((await deliveries(t, { state: 'succeeded' })).map((d) => d.webhookId)).toEqual([users.id, users.id]);
          expect((await deliveries(t, { state: 'pending' })).map((d) => d.webhookId)).toEqual([all.id, all.id, all.id]);
          expect(await deliveries(t, { state: 'cancelled' })).toEqual([]);
          expect((await deliveries(t, { limit: 2 })).map((d) => d.id)).toEqual(log.slice(0, 2).map((d) => d.id));
          expect((await deliveries(t, { webhookId: all.id as number, state: 'pending', limit: 1 }))[0]?.payload.data.user_id).toBe(u2);
          for (const d of log) expect(d.payload.hash).toBe(payloadHash({ scope: d.scope, data: d.payload.data, createdAt: NOW_S }));
        },
        { receiver: { respond: (r: ReceivedRequest) => (r.path === '/ok' ? 204 : 500) } },
      );
    });
  });

  // ---------------------------------------------------------------- isolation and worlds (§7.4)
  describe('isolation and worlds (§7.4)', () => {
    it('a store\'s hooks never receive another store\'s events; each store\'s payload names itself', async () => {
      await withWorld(async ({ t, rx }) => {
        await hookFor(t, 'store/company/*', rx.url('/mine'));
        await hookFor(t, 'store/company/*', rx.url('/theirs'), 'other');
        const mine = await createUser(t, 1);
        const theirs = await mgmtAt(t, '', 'POST', '/users', { firstName: 'O', lastName: 'Ther', email: 'o.ther@other.example', companyId: 778899, role: 2, channelIds: [1] }, TOKENS.other, OTHER_STORE);
        expect(theirs.status, theirs.raw).toBe(200);
        await drain(t);
        expect(rx.on('/mine').map((r) => r.json.data)).toEqual([{ company_id: GREAT_BUYS, user_id: mine }]);
        const got = rx.on('/theirs');
        expect(got).toHaveLength(1);
        expect((got[0] as ReceivedRequest).body).toBe(
          payloadBody({ scope: USER_CREATED, data: { company_id: 778899, user_id: theirs.body.data.userId }, createdAt: NOW_S, storeId: OTHER_STORE_ID, storeHash: OTHER_STORE }),
        );
        verifyWithLibrary(ACCOUNTS.other.clientSecret, (got[0] as ReceivedRequest).bytes, (got[0] as ReceivedRequest).headers, NOW_S);
      });
    });

    it('forks: a fork starts with its source\'s hooks and an empty queue, delivers its own events only, and its queue goes with it', async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          await createUser(t, 'main');
          expect(await drain(t)).toMatchObject({ pending: 1 });
          const mainId = String(header(rx.received[0] as ReceivedRequest, 'webhook-id'));

          const fork = (await emulator(t, 'POST', '/_roster/forks')).body;
          const prefix = `/f/${fork.id}`;
          expect(await deliveries(t, {}, prefix)).toEqual([]);
          expect(await drain(t, { prefix })).toMatchObject({ pending: 0, nextDueAt: null });
          expect((await hooks(t, 'GET', `/${hook.id}`, { prefix })).status).toBe(200);

          const forkUser = await createUser(t, 'fork', { prefix });
          await drain(t, { prefix });
          expect(rx.received).toHaveLength(2);
          const forkReq = rx.received[1] as ReceivedRequest;
          expect(forkReq.json.data).toEqual({ company_id: GREAT_BUYS, user_id: forkUser });
          const forkId = String(header(forkReq, 'webhook-id'));
          expect(forkId).not.toBe(mainId);
          expect((await deliveries(t, {}, prefix)).map((d) => d.id)).toEqual([forkId]);
          expect((await deliveries(t)).map((d) => d.id)).toEqual([mainId]);

          // the shared clock moves both queues, each once
          await advance(t, 60_000);
          await drain(t);
          await drain(t, { prefix });
          let counts = countByWebhookId(rx.received);
          expect(counts.get(mainId)).toBe(2);
          expect(counts.get(forkId)).toBe(2);

          // a deleted fork's queue is cancelled
          expect((await emulator(t, 'DELETE', `/_roster/forks/${fork.id}`)).status).toBe(204);
          await advance(t, 180_000);
          await drain(t);
          counts = countByWebhookId(rx.received);
          expect(counts.get(mainId)).toBe(3);
          expect(counts.get(forkId)).toBe(2);
        },
        { receiver: { respond: 500 } },
      );
    });

    it('fixture-declared hooks deliver (custom headers included); reset, snapshot restore and fixture load cancel pending deliveries and fire nothing', async () => {
      await withWorld(
        async ({ t, rx }) => {
          await createUser(t, 1);
          expect(await drain(t)).toMatchObject({ pending: 1 });
          const first = rx.received[0] as ReceivedRequest;
          expect(header(first, 'x-demo-secret')).toBe('s3cret');
          expect(first.path).toBe('/fx');
          verifyWithLibrary(ACCOUNTS.modify.clientSecret, first.bytes, first.headers, NOW_S);
          expect((await deliveries(t, { webhookId: 41 })).length).toBe(1);

          // reset: the pending delivery is cancelled; the fixture hook stays and works
          expect((await emulator(t, 'POST', '/_roster/reset')).status).toBe(200);
          expect(await drain(t)).toMatchObject({ pending: 0, nextDueAt: null });
          expect(await deliveries(t, { webhookId: 41, state: 'pending' })).toEqual([]);
          await advance(t, 60_000);
          await drain(t);
          expect(rx.received).toHaveLength(1);
          await createUser(t, 2);
          expect(await drain(t)).toMatchObject({ pending: 1 });
          expect(rx.received).toHaveLength(2);

          // snapshot restore
          expect((await emulator(t, 'POST', '/_roster/snapshots', { name: 's1' })).status).toBe(201);
          await createUser(t, 3);
          expect(await drain(t)).toMatchObject({ pending: 2 });
          expect((await emulator(t, 'POST', '/_roster/snapshots/s1/restore')).status).toBe(200);
          expect(await drain(t)).toMatchObject({ pending: 0, nextDueAt: null });
          await advance(t, 600_000);
          await drain(t);
          expect(rx.received).toHaveLength(3);

          // fixture load
          await createUser(t, 4);
          expect(await drain(t)).toMatchObject({ pending: 1 });
          const loaded = await emulator(t, 'POST', '/_roster/fixtures', fixtureWithHook(rx));
          expect(loaded.status, loaded.raw).toBe(200);
          expect(await drain(t)).toMatchObject({ pending: 0, nextDueAt: null });
          await advance(t, 600_000);
          await drain(t);
          expect(rx.received).toHaveLength(4);
        },
        { receiver: { respond: 500 }, fixture: (rx) => fixtureWithHook(rx) },
      );
    });
  });

  function fixtureWithHook(rx: TestReceiver): Json {
    return withFixtureHooks(webhookFixture(), ACCOUNTS.modify.clientId, [
      { id: 41, scope: USER_CREATED, destination: rx.url('/fx'), headers: { 'X-Demo-Secret': 's3cret' }, createdAt: '2025-01-01T00:00:00Z' },
      { id: 42, scope: 'store/company/*', destination: rx.url('/fx-off'), isActive: false },
    ]);
  }

  // ---------------------------------------------------------------- §7.5 settings through the fixture
  describe('settings.webhooks.mode (§7.5, through the fixture\'s settings)', () => {
    it('record: deliveries are built, signed and logged (state recorded) but never sent, and never retried', async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          const userId = await createUser(t, 1);
          expect(await drain(t)).toMatchObject({ pending: 0, nextDueAt: null, timedOut: false });
          expect(rx.received).toEqual([]);
          const d = await onlyDelivery(t, hook.id as number);
          expect(d.state).toBe('recorded');
          const body = payloadBody({ scope: USER_CREATED, data: { company_id: GREAT_BUYS, user_id: userId }, createdAt: NOW_S });
          expect(JSON.stringify(d.payload)).toBe(body);
          expect(d.id).toMatch(UUID_LOWER);
          expect(d.attempts).toHaveLength(1);
          const a = d.attempts[0] as Delivery['attempts'][number];
          expect(a.webhookTimestamp).toBe(NOW_S);
          expect(a.signature).toBe(expectedSignature(ACCOUNTS.modify.clientSecret, d.id, a.webhookTimestamp, body));
          verifyWithLibrary(ACCOUNTS.modify.clientSecret, body, { 'webhook-id': d.id, 'webhook-timestamp': String(a.webhookTimestamp), 'webhook-signature': a.signature }, NOW_S);
          await advance(t, 3 * 86_400_000);
          await drain(t);
          expect(rx.received).toEqual([]);
          expect((await hooks(t, 'GET', `/${hook.id}`)).body.data.is_active).toBe(true);
        },
        { fixture: () => withWebhookSettings(webhookFixture(), { mode: 'record' }) },
      );
    });

    it('off: the registration API works, and nothing is built, logged or sent', async () => {
      await withWorld(
        async ({ t, rx }) => {
          const hook = await hookFor(t, USER_CREATED, rx.url('/hooks'));
          expect((await hooks(t, 'GET', `/${hook.id}`)).status).toBe(200);
          await createUser(t, 1);
          expect(await drain(t)).toMatchObject({ pending: 0, nextDueAt: null, timedOut: false });
          expect(rx.received).toEqual([]);
          expect(await deliveries(t)).toEqual([]);
          expect(await webhookEvents(t, 'webhook.delivery')).toEqual([]);
        },
        { fixture: () => withWebhookSettings(webhookFixture(), { mode: 'off' }) },
      );
    });
  });
});

// ------------------------------------------------------------------ roster/testing (src/testing.ts)

describe.each(dialects)('roster/testing webhooks helpers on %s', (dialect) => {
  it('startWebhookReceiver() receives a signed delivery over real HTTP; world.webhooks.drain() and deliveries(); respondWith() changes the answer', async () => {
    const roster = await testing.startRoster(dialect === 'postgres' ? { database: postgresUrl } : {});
    const receiver = await testing.startWebhookReceiver();
    try {
      expect(new URL(receiver.url).hostname).toBe('127.0.0.1');
      const token = roster.tokens['demo-b2b-modify'] as string;
      const registered = await fetch(`${roster.url}/stores/f0qyczpkb2/v3/hooks`, {
        method: 'POST',
        headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ scope: 'store/company/user/*', destination: receiver.url }),
      });
      expect(registered.status).toBe(200);
      const hook = ((await registered.json()) as { data: { id: number } }).data;
      const create = (n: number) =>
        fetch(`${roster.managementUrl}/users`, {
          method: 'POST',
          headers: { 'X-Auth-Token': token, 'X-Store-Hash': 'f0qyczpkb2', 'Content-Type': 'application/json' },
          body: JSON.stringify({ firstName: 'Test', lastName: `Ing${n}`, email: `testing.${n}@example.org`, companyId: GREAT_BUYS, role: 2, channelIds: [1] }),
        });
      const made = await create(1);
      expect(made.status).toBe(200);
      const userId = ((await made.json()) as { data: { userId: number } }).data.userId;
      await receiver.waitFor(1, 10_000);
      expect(receiver.received).toHaveLength(1);
      const got = receiver.received[0] as testing.ReceivedWebhook;
      expect(got.json).toMatchObject({ scope: USER_CREATED, store_id: '1000001', data: { company_id: GREAT_BUYS, user_id: userId }, producer: 'stores/f0qyczpkb2' });
      // the demo's signing secret, verified by the unmodified library against real time (startRoster's clock is real)
      expect(new Webhook(Buffer.from('demo-b2b-client-secret').toString('base64')).verify(got.body, got.headers)).toEqual(got.json);

      const drained = await roster.webhooks.drain();
      expect(drained).toMatchObject({ pending: 0, timedOut: false });
      const log = await roster.webhooks.deliveries({ webhookId: hook.id });
      expect(log.map((d) => d.state)).toEqual(['succeeded']);

      receiver.respondWith(500);
      expect((await create(2)).status).toBe(200);
      await receiver.waitFor(2, 10_000);
      await roster.webhooks.drain();
      const [newest] = await roster.webhooks.deliveries({ webhookId: hook.id, limit: 1 });
      expect(newest?.state).toBe('pending');
      expect(newest?.attempts[0]).toMatchObject({ outcome: 'failed', httpStatus: 500 });

      // a fork has the same controls and an empty queue
      const fork = await roster.fork();
      try {
        expect(await fork.webhooks.deliveries()).toEqual([]);
        expect(await fork.webhooks.drain()).toMatchObject({ pending: 0, nextDueAt: null });
      } finally {
        await fork.close();
      }
    } finally {
      await receiver.close();
      await roster.close();
    }
  });

  it('startWebhookReceiver({ status }) answers with that status; respondWith() changes it', async () => {
    const receiver = await testing.startWebhookReceiver({ status: 503 });
    try {
      const res = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(res.status).toBe(503);
      await receiver.waitFor(1, 5_000);
      expect(receiver.received[0]).toMatchObject({ body: '{"a":1}', json: { a: 1 } });
      receiver.respondWith(204);
      expect((await fetch(receiver.url, { method: 'POST', body: '{}' })).status).toBe(204);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});
