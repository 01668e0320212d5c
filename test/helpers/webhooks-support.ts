import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { API_ACCOUNTS, managementFixture, type MgmtResponse, OTHER_STORE, type QueryValue, queryString, STORE, TOKENS } from './management-support.js';
import { freePort } from './processes.js';
import type { TestApp } from './test-app.js';

/**
 * Shared by the webhooks tests (#19, webhooks.md): the acceptance fixture (management-support's, plus
 * a second modify account and a store id for the second store), requests to the registration API
 * (`/stores/{hash}/v3/hooks`, §4) and to the emulator's webhook controls (§7), the expected bytes
 * of a payload (§3) and of its signature (§5.2), the reference verifier (standardwebhooks), and a
 * receiver of our own: a plain node:http server on 127.0.0.1, so these tests never depend only on
 * the receiver roster/testing ships.
 */

type Json = Record<string, any>;

// ------------------------------------------------------------------ the world

/** `b2b.stores[].storeId` of STORE in the demo fixture: the payload's `store_id` (§3.1). */
export const STORE_ID = 1000001;
/** Given to OTHER_STORE by webhookFixture() (management-support gives it none). */
export const OTHER_STORE_ID = 3000001;

/** A second store-level account of STORE with the B2B scope: another `client_id` (visibility, §4.1). */
export const SECOND_ACCOUNT = {
  name: 'wh-second',
  token: 'wh-token-second',
  clientId: 'wh-second-client',
  clientSecret: 'wh-second-secret',
  scopes: ['store_b2b_edition'],
} as const;

/**
 * Every store-level account the webhooks tests act as: token, client id and secret (signing key).
 * `read` has store_b2b_edition_read_only and `none` no scope: both may register only non-B2B scopes (§4.1).
 */
export const ACCOUNTS = {
  modify: API_ACCOUNTS.modify,
  second: SECOND_ACCOUNT,
  read: API_ACCOUNTS.read,
  none: API_ACCOUNTS.none,
  /** OTHER_STORE's account */
  other: API_ACCOUNTS.other,
} as const;

export type AccountName = keyof typeof ACCOUNTS;

/** The management acceptance fixture plus SECOND_ACCOUNT on STORE and OTHER_STORE_ID. A fresh object each call. */
export function webhookFixture(): Json {
  const world = managementFixture() as { b2b: { stores: Json[] } };
  const store = world.b2b.stores.find((s) => s.storeHash === STORE);
  const other = world.b2b.stores.find((s) => s.storeHash === OTHER_STORE);
  if (!store || !other) throw new Error('management fixture lacks its two B2B stores');
  (store.apiAccounts as Json[]).push({ ...SECOND_ACCOUNT, scopes: [...SECOND_ACCOUNT.scopes] });
  other.storeId = OTHER_STORE_ID;
  return world as Json;
}

/** The fixture with `settings.webhooks` (§7.5, §8) set. */
export function withWebhookSettings(fixture: Json, webhooks: Json): Json {
  const settings = (fixture.settings ?? {}) as Json;
  return { ...fixture, settings: { ...settings, webhooks } };
}

/** The fixture with `webhooks` (§8) on one store-level API account (by clientId). */
export function withFixtureHooks(fixture: Json, clientId: string, hooks: Json[]): Json {
  for (const store of (fixture.b2b as { stores: Json[] }).stores) {
    for (const account of (store.apiAccounts ?? []) as Json[]) if (account.clientId === clientId) account.webhooks = hooks;
  }
  return fixture;
}

// ------------------------------------------------------------------ scopes (§1)

/** The seven scopes Roster fires (§1, §2). */
export const FIRING_SCOPES = [
  'store/company/created',
  'store/company/updated',
  'store/company/deleted',
  'store/company/statusUpdated',
  'store/company/user/created',
  'store/company/user/updated',
  'store/company/user/deleted',
] as const;

/** Accepted B2B scopes that never fire (§1). */
export const INERT_B2B_SCOPES = [
  'store/company/superadmin/assignmentUpdated',
  'store/company/address/created',
  'store/company/address/updated',
  'store/company/address/deleted',
  'store/superadmin/created',
  'store/superadmin/updated',
  'store/superadmin/deleted',
  'store/superadmin/assignmentUpdated',
  'store/quote/created',
  'store/quote/updated',
  'store/quote/statusUpdated',
  'store/quote/deleted',
] as const;

/** The wildcards of the B2B namespaces (§1). */
export const B2B_WILDCARDS = ['store/company/*', 'store/company/user/*', 'store/company/address/*', 'store/superadmin/*', 'store/quote/*'] as const;

// ------------------------------------------------------------------ the registration API (§4)

export const HOOKS_PATH = (store: string = STORE) => `/stores/${store}/v3/hooks`;
export const V3_ERROR_TYPE = '/api-docs/getting-started/api-status-codes';

export interface HooksOptions {
  /** X-Auth-Token; default ACCOUNTS.modify's token; null = none */
  token?: string | null;
  /** the path's store; default STORE */
  store?: string;
  /** a world prefix such as `/f/<forkId>` */
  prefix?: string;
  body?: unknown;
  /** sent as is (content-type application/json unless `headers` says otherwise) */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, QueryValue>;
}

/** One registration API request through inject: `path` is under `/stores/{store}/v3/hooks` (e.g. '', '/12'). */
export async function hooks(t: TestApp, method: string, path = '', options: HooksOptions = {}): Promise<MgmtResponse> {
  const token = options.token !== undefined ? options.token : TOKENS.modify;
  const url = `${options.prefix ?? ''}${HOOKS_PATH(options.store)}${path}${queryString(options.query)}`;
  const payload = options.rawBody !== undefined ? options.rawBody : options.body !== undefined ? JSON.stringify(options.body) : undefined;
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(token !== null ? { 'x-auth-token': token } : {}),
    ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(options.headers ?? {}),
  };
  // any: inject's method union is narrower than the methods these tests send (PATCH, made-up methods)
  const res = await t.app.inject({ method: method as any, url, headers, ...(payload !== undefined ? { payload } : {}) });
  return { status: res.statusCode, headers: res.headers, raw: res.body, body: parseJson(res.body) };
}

/** Registers a hook (POST) as `account` and returns the hook object; throws unless 200. */
export async function createHook(t: TestApp, body: Json, options: HooksOptions & { account?: AccountName } = {}): Promise<Json> {
  const token = options.token !== undefined ? options.token : ACCOUNTS[options.account ?? 'modify'].token;
  const store = options.store ?? (options.account === 'other' ? OTHER_STORE : STORE);
  const res = await hooks(t, 'POST', '', { ...options, token, store, body });
  if (res.status !== 200) throw new Error(`POST hooks ${JSON.stringify(body)}: ${res.status} ${res.raw}`);
  return res.body.data as Json;
}

/** The webhook object's keys, in the §4.2 order. */
export const HOOK_KEYS = ['id', 'client_id', 'store_hash', 'created_at', 'updated_at', 'scope', 'destination', 'is_active', 'headers'] as const;

/** A webhook object (§4.2) with its keys in order. */
export function hookObject(h: {
  id: number;
  clientId: string;
  storeHash?: string;
  createdAt: number;
  updatedAt?: number;
  scope: string;
  destination: string;
  isActive?: boolean;
  headers?: Record<string, string> | null;
}): Json {
  return {
    id: h.id,
    client_id: h.clientId,
    store_hash: h.storeHash ?? STORE,
    created_at: h.createdAt,
    updated_at: h.updatedAt ?? h.createdAt,
    scope: h.scope,
    destination: h.destination,
    is_active: h.isActive ?? true,
    headers: h.headers ?? null,
  };
}

/** `{"status","title","type"[,"errors"]}` (§4.4), keys in that order. */
export function v3Error(status: number, title: string, errors?: Record<string, string>): Json {
  return { status, title, type: V3_ERROR_TYPE, ...(errors !== undefined ? { errors } : {}) };
}

export const UNAUTHORIZED = v3Error(401, 'Unauthorized - the v3 Auth client ID or token in the request are not a valid combination for this store.');
export const FORBIDDEN = v3Error(403, 'Unauthorized Access. You do not have permission to make this request.');
export const INPUT_INVALID = v3Error(400, 'Input is invalid.');
export const hookNotFound = (segment: string | number) => v3Error(404, `Webhook with id [${segment}] not found`);
export const invalidFields = (errors: Record<string, string>) => v3Error(422, 'JSON data is missing or invalid', errors);

/**
 * Everything the registration API shows, for "nothing changed" assertions: each account's list
 * (STORE's four, OTHER_STORE's one) and the number of webhook.* events.
 */
export async function hooksDigest(t: TestApp, prefix = ''): Promise<string> {
  const lists: Record<string, string> = {};
  for (const name of Object.keys(ACCOUNTS) as AccountName[]) {
    const account = ACCOUNTS[name];
    const res = await hooks(t, 'GET', '', { token: account.token, store: name === 'other' ? OTHER_STORE : STORE, prefix, query: { limit: 250 } });
    lists[name] = `${res.status} ${res.raw}`;
  }
  const events = await emulator(t, 'GET', `${prefix}/_roster/events?type=webhook&limit=10000`);
  return JSON.stringify({ lists, webhookEvents: (events.body?.events ?? []).length });
}

// ------------------------------------------------------------------ the emulator's controls (§7)

/** A request to /_roster (or any path) through inject, JSON in and out. */
export async function emulator(t: TestApp, method: string, url: string, body?: unknown): Promise<MgmtResponse> {
  // any: inject's method union is narrower than the methods these tests send (PATCH, made-up methods)
  const res = await t.app.inject({ method: method as any, url, ...(body !== undefined ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: res.statusCode, headers: res.headers, raw: res.body, body: parseJson(res.body) };
}

export interface DrainResult {
  attempted: number;
  succeeded: number;
  failed: number;
  deferred: number;
  pending: number;
  nextDueAt: string | null;
  timedOut: boolean;
}

export const DRAIN_KEYS = ['attempted', 'succeeded', 'failed', 'deferred', 'pending', 'nextDueAt', 'timedOut'] as const;

/** `POST /_roster/webhooks/drain` (§7.2); throws unless 200. */
export async function drain(t: TestApp, options: { timeoutMs?: number; prefix?: string } = {}): Promise<DrainResult> {
  const res = await emulator(t, 'POST', `${options.prefix ?? ''}/_roster/webhooks/drain`, { timeoutMs: options.timeoutMs ?? 20_000 });
  if (res.status !== 200) throw new Error(`POST /_roster/webhooks/drain: ${res.status} ${res.raw}`);
  return res.body as DrainResult;
}

export interface DeliveryAttempt {
  n: number;
  dueAt: string;
  sentAt: string | null;
  webhookTimestamp: number;
  signature: string;
  outcome: string;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  responseExcerpt: string | null;
}

export interface Delivery {
  id: string;
  webhookId: number;
  clientId: string;
  storeHash: string;
  scope: string;
  destination: string;
  eventSeq: number;
  requestId: string | null;
  payload: Json;
  state: 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'recorded';
  nextAttemptAt: string | null;
  attempts: DeliveryAttempt[];
}

export const DELIVERY_KEYS = [
  'id', 'webhookId', 'clientId', 'storeHash', 'scope', 'destination', 'eventSeq', 'requestId', 'payload', 'state', 'nextAttemptAt', 'attempts',
] as const;
export const ATTEMPT_KEYS = ['n', 'dueAt', 'sentAt', 'webhookTimestamp', 'signature', 'outcome', 'httpStatus', 'error', 'durationMs', 'responseExcerpt'] as const;

/** `GET /_roster/webhooks/deliveries` (§7.3), newest first; throws unless 200. */
export async function deliveries(
  t: TestApp,
  filter: { webhookId?: number; scope?: string; state?: string; limit?: number } = {},
  prefix = '',
): Promise<Delivery[]> {
  const query: Record<string, QueryValue> = {};
  for (const [k, v] of Object.entries(filter)) if (v !== undefined) query[k] = v;
  const res = await emulator(t, 'GET', `${prefix}/_roster/webhooks/deliveries${queryString(query)}`);
  if (res.status !== 200) throw new Error(`GET /_roster/webhooks/deliveries: ${res.status} ${res.raw}`);
  return res.body.deliveries as Delivery[];
}

/** The one delivery of a hook (throws unless exactly one). */
export async function onlyDelivery(t: TestApp, webhookId: number, prefix = ''): Promise<Delivery> {
  const list = await deliveries(t, { webhookId }, prefix);
  if (list.length !== 1) throw new Error(`hook ${webhookId} has ${list.length} deliveries, expected 1: ${JSON.stringify(list.map((d) => d.state))}`);
  return list[0] as Delivery;
}

/** `POST /_roster/clock` (freeze, move, release: `{advanceMs}`, `{now}`, `{freeze:true}`, `{real:true}`); throws unless 200. */
export async function setClock(t: TestApp, body: { advanceMs: number } | { now: string } | { freeze: true } | { real: true }): Promise<number> {
  const res = await emulator(t, 'POST', '/_roster/clock', body);
  if (res.status !== 200) throw new Error(`POST /_roster/clock: ${res.status} ${res.raw}`);
  return res.body.epochMs as number;
}

/** Moves Roster's clock by `ms` through the admin API (which also wakes the dispatcher, §7.1). */
export const advance = (t: TestApp, ms: number) => setClock(t, { advanceMs: ms });

/** Milliseconds of an ISO instant in an emulator answer (either `...:00Z` or `...:00.000Z`). */
export function ms(iso: string | null | undefined): number {
  if (typeof iso !== 'string') throw new Error(`not an ISO instant: ${String(iso)}`);
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new Error(`not an ISO instant: ${iso}`);
  return at;
}

/** `webhook.*` events of the world (`GET /_roster/events?type=...`), oldest first. */
export async function webhookEvents(t: TestApp, type = 'webhook', prefix = ''): Promise<Json[]> {
  const res = await emulator(t, 'GET', `${prefix}/_roster/events?type=${encodeURIComponent(type)}&limit=10000`);
  if (res.status !== 200) throw new Error(`GET /_roster/events: ${res.status} ${res.raw}`);
  return (res.body.events as Json[]).filter((e) => typeof e.type === 'string' && (e.type === type || e.type.startsWith(`${type}.`)));
}

// ------------------------------------------------------------------ schedule (§6.1)

/** Due times of attempts 1..12, seconds after the first attempt (§6.1). */
export const RETRY_OFFSETS_S = [0, 60, 240, 540, 1140, 2040, 3840, 7440, 14640, 36240, 86640, 173040] as const;

// ------------------------------------------------------------------ payload bytes (§3) and signature (§5.2)

export interface PayloadFacts {
  scope: string;
  data: { company_id: number; user_id?: number };
  createdAt: number;
  storeId?: number;
  storeHash?: string;
}

/** `data` with its keys in the §3.2 order. */
function orderedData(data: PayloadFacts['data']): Json {
  return data.user_id !== undefined ? { company_id: data.company_id, user_id: data.user_id } : { company_id: data.company_id };
}

/** SHA-1 hex of the compact `{scope,store_id,data,created_at,producer}` (§3.3). */
export function payloadHash(p: PayloadFacts): string {
  const text = JSON.stringify({
    scope: p.scope,
    store_id: String(p.storeId ?? STORE_ID),
    data: orderedData(p.data),
    created_at: p.createdAt,
    producer: `stores/${p.storeHash ?? STORE}`,
  });
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** The exact request body (§3.4): compact JSON, keys scope, store_id, data, hash, created_at, producer. */
export function payloadBody(p: PayloadFacts): string {
  return JSON.stringify({
    scope: p.scope,
    store_id: String(p.storeId ?? STORE_ID),
    data: orderedData(p.data),
    hash: payloadHash(p),
    created_at: p.createdAt,
    producer: `stores/${p.storeHash ?? STORE}`,
  });
}

/** `v1,` + base64(HMAC-SHA256(UTF-8 client secret, id.timestamp.body)) (§5.2), computed here with node:crypto. */
export function expectedSignature(clientSecret: string, webhookId: string, timestamp: number | string, body: string | Buffer): string {
  const mac = createHmac('sha256', Buffer.from(clientSecret, 'utf8'));
  mac.update(`${webhookId}.${timestamp}.`, 'utf8');
  mac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * The reference verifier as BigCommerce's samples call it: `new Webhook(base64(clientSecret)).verify(body, headers)`.
 * The library checks `webhook-timestamp` against Date.now() within 5 minutes and takes no instant, so
 * with `atSeconds` Date.now is set to that instant for the (synchronous) call and restored at once;
 * without it the real time is used. Throws WebhookVerificationError when the signature does not match.
 */
export function verifyWithLibrary(clientSecret: string, body: string | Buffer, headers: IncomingHttpHeaders | Record<string, string>, atSeconds?: number): unknown {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') flat[k] = v;
  const wh = new Webhook(Buffer.from(clientSecret, 'utf8').toString('base64'));
  const payload = typeof body === 'string' ? body : new Uint8Array(body);
  if (atSeconds === undefined) return wh.verify(payload, flat);
  const realNow = Date.now;
  Date.now = () => atSeconds * 1000;
  try {
    return wh.verify(payload, flat);
  } finally {
    Date.now = realNow;
  }
}

export const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ------------------------------------------------------------------ a receiver of our own

export interface ReceivedRequest {
  method: string;
  /** path and query as requested */
  path: string;
  headers: IncomingHttpHeaders;
  /** the raw body bytes */
  bytes: Buffer;
  /** the body as UTF-8 text */
  body: string;
  /** the parsed body (undefined when not JSON) */
  json: any;
  /** when the request finished arriving (performance.now()) */
  at: number;
}

export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string;
}

/** What to answer: a status, a full answer, 'hang' (never answer), or a function of the request and its index. */
export type Responder = number | ReceiverAnswer | 'hang' | ((request: ReceivedRequest, index: number) => number | ReceiverAnswer | 'hang');

export interface TestReceiver {
  /** http(s)://127.0.0.1:<port> */
  readonly origin: string;
  readonly port: number;
  /** a destination URL on this receiver (default path /hooks) */
  url(path?: string): string;
  /** every request so far, in arrival order */
  readonly received: ReceivedRequest[];
  /** requests to one path (query ignored) */
  on(path: string): ReceivedRequest[];
  /** forget what was received */
  clear(): void;
  /** how later requests are answered */
  respondWith(responder: Responder): void;
  /** hold every answer (requests are recorded at once) until release() */
  hold(): void;
  /** answer the held requests (and stop holding) */
  release(): void;
  /** answers sent so far */
  readonly answered: number;
  /** resolves with the requests once at least `count` arrived (on `path` when given); rejects after timeoutMs */
  waitFor(count: number, options?: { timeoutMs?: number; path?: string }): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** how to answer (default 200) */
  respond?: Responder;
  /** listen on this port (default a free one) */
  port?: number;
  /** serve HTTPS with a self-signed certificate (TLS tests) */
  tls?: boolean;
}

/**
 * A webhook receiver on 127.0.0.1: records method, path, headers and the exact body bytes of every
 * request, then answers as told. close() drops open connections (hanging answers included).
 */
export async function startReceiver(options: ReceiverOptions = {}): Promise<TestReceiver> {
  const received: ReceivedRequest[] = [];
  let responder: Responder = options.respond ?? 200;
  let holding = false;
  const held: (() => void)[] = [];
  let answered = 0;
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const body = bytes.toString('utf8');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, bytes, body, json, at: performance.now() };
      const index = received.length;
      received.push(request);
      for (const w of [...waiters]) w();
      const decided = typeof responder === 'function' ? responder(request, index) : responder;
      if (decided === 'hang') return;
      const answer: ReceiverAnswer = typeof decided === 'number' ? { status: decided } : decided;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
        answered += 1;
      };
      if (holding) held.push(send);
      else send();
    });
  };

  const server: Server = options.tls ? createHttpsServer({ key: SELF_SIGNED.key, cert: SELF_SIGNED.cert }, handler) : createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const pathOf = (p: string) => p.split('?')[0];

  return {
    origin,
    port,
    url: (path = '/hooks') => `${origin}${path}`,
    received,
    on: (path) => received.filter((r) => pathOf(r.path) === path),
    clear() {
      received.splice(0, received.length);
    },
    respondWith(next) {
      responder = next;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const send of held.splice(0, held.length)) send();
    },
    get answered() {
      return answered;
    },
    waitFor(count, waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 10_000;
      const list = () => (waitOptions.path !== undefined ? received.filter((r) => pathOf(r.path) === waitOptions.path) : received);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (list().length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve([...list()]);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver ${origin}: ${list().length} of ${count} requests${waitOptions.path ? ` on ${waitOptions.path}` : ''} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const send of held.splice(0, held.length)) send();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on 127.0.0.1 where nothing listens (connection refused). */
export async function refusedUrl(path = '/hooks'): Promise<string> {
  return `http://127.0.0.1:${await freePort()}${path}`;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost (P-256, valid until 2126), for the TLS
 * tests only: no client trusts it, which is the point (§5.3 "certificates are verified").
 */
export const SELF_SIGNED = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9PF9imLYa/w2fbhf
StKc1Gs2PP42RbpVr3793vYQZeShRANCAATBk/qAri8ejTTuGsDkiI1E4OtoDMwk
/yRmGDU5+xoRTRpQxGujw+BKYl6e7XBTExHx9o3Kelykf1UmL5Nzl5w0
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUHow/KRNowoN6Hkw0VQuEymh3LdUwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNzA1MzQ0MFoYDzIxMjYxMTEz
MDUzNDQwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATBk/qAri8ejTTuGsDkiI1E4OtoDMwk/yRmGDU5+xoRTRpQxGujw+BK
Yl6e7XBTExHx9o3Kelykf1UmL5Nzl5w0o28wbTAdBgNVHQ4EFgQUVZuvQTAX9aAP
e2T+vogRlUUBY2EwHwYDVR0jBBgwFoAUVZuvQTAX9aAPe2T+vogRlUUBY2EwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIgT3UUy5QwyBGpsA/O7I9T8OWED/6cJuSZxudAgMIYR+0CIQCS
vrE3kxweNS7FB+S8ayM2vi7W4Lfumz3nH7NMI+lc4g==
-----END CERTIFICATE-----
`,
} as const;

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
