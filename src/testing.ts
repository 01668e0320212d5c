import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolveAdminAccess } from './emulator/admin-access.js';
import { bootstrap } from './bootstrap.js';
import { DETERMINISTIC_START, readFixtureFile } from './cli/config.js';
import { parseDatabaseUrl } from './db/database.js';
import type { WorldEventType } from './domain/domain-events.js';
import type { WorldEvent } from './emulator/journal/events.js';
import type { FaultEffect, FaultMatch, FaultRule, FaultRuleInput } from './emulator/journal/faults.js';
import type { JournalEntry } from './emulator/journal/request-journal.js';
import type { ApiName } from './http/api-error-response.js';
import type { RateLimitSetting } from './domain/rate-limits/rate-limiter.js';
import type { Fixture } from './fixtures/fixture-types.js';
import type { DeliveryView, DrainResult, WebhookSettings } from './webhooks/webhook-dispatcher.js';

/**
 * `roster/testing`: Roster inside your own test process.
 *
 *   import { startRoster } from 'roster/testing';
 *   const roster = await startRoster();                 // demo world, random port, in-memory SQLite
 *   const client = new MyBigCommerceClient({ baseUrl: roster.accountGraphqlUrl(uuid), token: roster.tokens['demo-full'] });
 *   ...
 *   await roster.reset();                               // between tests
 *   await roster.close();                               // after all
 *
 * Works with Vitest, Jest and node:test (plain promises, no globals). `connectRoster({ url })`
 * gives the same controls for a server you started yourself (`roster serve`, Docker).
 */

export type { DeliveryView, DrainResult, WebhookSettings };
export { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './webhooks/webhook-receiver.js';
export type { ApiName, FaultEffect, FaultMatch, FaultRule, FaultRuleInput, Fixture, JournalEntry, RateLimitSetting, WorldEvent, WorldEventType };

export interface StartRosterOptions {
  /** a fixture object, a path to a fixture file, or 'demo' (default) */
  fixture?: unknown;
  /** 'sqlite::memory:' (default), 'sqlite:PATH', or a postgres:// URL (a fresh schema is made and dropped on close) */
  database?: string;
  /** freeze the clock at this instant */
  clock?: string | number | Date;
  /** seeded ids and (unless `clock`) a clock frozen at 2025-01-01T00:00:00Z: the same test gives the same bytes */
  deterministic?: boolean;
  /** Account API quota per account; default off (null) so a test suite is not throttled */
  accountRateLimit?: RateLimitSetting | null;
  /** B2B quota per store; default off (null) */
  b2bRateLimit?: RateLimitSetting | null;
  /**
   * webhook settings (webhooks.md §7.5), over the fixture's `settings.webhooks`, as the CLI flags:
   * `mode` 'send' (default) | 'record' (signed and logged as `recorded`, never sent) | 'off';
   * `destinations` 'lenient' (default) | 'strict' (https on 443); `timeoutMs` per attempt (10000);
   * `insecureTls` (false); `timestamp` 'clock' (default) | 'real'; `concurrency` (8)
   */
  webhooks?: Partial<WebhookSettings>;
  /** require this admin token for the controls (not needed on loopback) */
  adminToken?: string;
  /** default 0: a free port */
  port?: number;
  /**
   * false: no socket at all; only the in-process ways in work (this handle's controls and
   * roster/msw's handlers); `url` then names no reachable server. Default true.
   */
  listen?: boolean;
  /** default 127.0.0.1 */
  host?: string;
  /** log requests to stdout (default false) */
  logger?: boolean;
}

export interface ApiAccountToken {
  accountUuid: string;
  name: string;
  token: string;
  scopes: string[];
}

export interface B2bLoginOptions {
  email: string;
  /** default: the password the fixture gives this user */
  password?: string;
  /** default: the store of that user in the fixture */
  storeHash?: string;
  channelId?: number;
  name?: string;
}

export interface RateLimitView {
  world: string;
  quotas: Record<'account' | 'b2b', RateLimitSetting | null>;
  overrides: { kind: 'account' | 'b2b'; key: string | null; setting: RateLimitSetting | null }[];
  buckets: { key: string; kind: string | null; subject: string | null; used: number; limit: number | null; remaining: number | null; resetMs: number | null }[];
}

export interface ClockControl {
  now(): Promise<Date>;
  /** freeze at an instant (default: now) */
  freeze(at?: string | number | Date): Promise<Date>;
  advance(ms: number): Promise<Date>;
  real(): Promise<Date>;
}

export interface FaultControl {
  add(rule: FaultRuleInput): Promise<FaultRule>;
  list(): Promise<FaultRule[]>;
  remove(id: string): Promise<void>;
  clear(): Promise<void>;
}

export interface RequestFilter {
  api?: ApiName | 'other';
  operation?: string;
  status?: number | string;
  method?: string;
  since?: number;
  limit?: number;
}

/** What you can do to one world: the main one, or a fork. */
export interface RosterWorld {
  /** how roster/msw reaches this world */
  readonly [ROSTER_TRANSPORT]: WorldTransport;
  /** base URL of this world: every API lives under it */
  readonly url: string;
  accountGraphqlUrl(accountUuid: string): string;
  /** base of the B2B REST API (/api/v2/..., /api/io/...) */
  readonly b2bUrl: string;
  readonly b2bGraphqlUrl: string;
  /** base of the B2B Management API v3 (`${url}/api/v3/io`: /users, /companies, ...) */
  readonly managementUrl: string;
  /** back to the fixture state; `all: true` also clears faults, journal, events and quota overrides */
  reset(options?: { all?: boolean }): Promise<void>;
  snapshot(name: string): Promise<void>;
  restore(name: string): Promise<void>;
  /** the world in the fixture format */
  state(options?: { includeSecrets?: boolean }): Promise<Fixture>;
  /** load another fixture into this world (it becomes what reset() returns to) */
  load(fixture: unknown): Promise<void>;
  readonly faults: FaultControl;
  requests(filter?: RequestFilter): Promise<JournalEntry[]>;
  events(filter?: { type?: WorldEventType | string; since?: number; limit?: number }): Promise<WorldEvent[]>;
  rateLimits: {
    get(): Promise<RateLimitView>;
    reset(): Promise<void>;
    /** change a quota live: for every account/store of a kind, or one (`key`: account UUID or store hash) */
    set(kind: 'account' | 'b2b', setting: RateLimitSetting | null, key?: string): Promise<void>;
  };
  /** a B2B storefront authToken for a fixture user (POST /api/io/auth/customers) */
  b2bToken(options: B2bLoginOptions): Promise<string>;
  /** this world's webhook deliveries (webhooks.md §7.2-§7.3) */
  readonly webhooks: {
    /** run every attempt due at the current clock time; resolves when none is due or in flight */
    drain(options?: { timeoutMs?: number }): Promise<DrainResult>;
    /** the delivery log, newest first */
    deliveries(filter?: { webhookId?: number; scope?: string; state?: DeliveryView['state']; limit?: number }): Promise<DeliveryView[]>;
  };
}

export interface RosterFork extends RosterWorld {
  readonly id: string;
  /** delete the fork */
  close(): Promise<void>;
}

export interface Roster extends RosterWorld {
  /**
   * API tokens of the fixture by API account name: account-level (e.g. tokens['demo-full']) and the
   * B2B stores' store-level ones (Management API `X-Auth-Token`, e.g. tokens['demo-b2b-modify'])
   */
  readonly tokens: Record<string, string>;
  readonly apiAccounts: ApiAccountToken[];
  /** an isolated copy of the current world (one per test runs tests in parallel safely) */
  fork(): Promise<RosterFork>;
  readonly clock: ClockControl;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/** One request to a Roster in this process, without the network (Fastify's inject). */
export interface InProcessRequest {
  method: string;
  /** path and query, fork prefix included */
  url: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface InProcessResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

export type InProcessTransport = (request: InProcessRequest) => Promise<InProcessResponse>;

/** What roster/msw needs from a world handle: where it lives, and (in process) how to reach it without a socket. */
export const ROSTER_TRANSPORT: unique symbol = Symbol.for('roster.transport');

export interface WorldTransport {
  /** the server's base URL (no fork prefix) */
  base: string;
  /** `/f/{forkId}` or '' */
  prefix: string;
  /** present when the Roster runs in this process (startRoster) */
  inject?: InProcessTransport;
}

class AdminClient {
  constructor(
    readonly base: string,
    private readonly adminToken: string | undefined,
    readonly inject?: InProcessTransport,
  ) {}

  async call<T>(method: string, worldPrefix: string, path: string, body?: unknown): Promise<T> {
    const url = `${worldPrefix}/_roster${path}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(this.adminToken !== undefined ? { authorization: `Bearer ${this.adminToken}` } : {}),
    };
    // in process: no socket (so an MSW server with onUnhandledRequest: 'error' never sees these calls)
    const response = this.inject
      ? await this.inject({ method, url, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }).then((r) => ({ ok: r.status >= 200 && r.status < 300, status: r.status, text: async () => r.body.toString('utf8') }))
      : await fetch(`${this.base}${url}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    if (!response.ok) {
      const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? text;
      throw new Error(`roster: ${method} ${worldPrefix}/_roster${path} answered ${response.status}: ${message}`);
    }
    return parsed as T;
  }
}

/** Plaintext credentials the fixture gives (tokens, B2B passwords), for the helpers above. */
interface FixtureSecrets {
  apiAccounts: ApiAccountToken[];
  /** store-level API accounts of B2B stores (Management API `X-Auth-Token`), by name */
  storeTokens: Record<string, string>;
  b2bUsers: Map<string, { storeHash: string; password: string | undefined; channelId: number }>;
}

function secretsOf(fixture: unknown): FixtureSecrets {
  const f = (fixture ?? {}) as Fixture;
  const apiAccounts: ApiAccountToken[] = [];
  for (const account of f.accounts ?? []) {
    for (const k of account.apiAccounts ?? []) {
      if (typeof k.token === 'string') apiAccounts.push({ accountUuid: account.uuid, name: k.name ?? k.token, token: k.token, scopes: [...k.scopes] });
    }
  }
  const b2bUsers = new Map<string, { storeHash: string; password: string | undefined; channelId: number }>();
  const storeTokens: Record<string, string> = {};
  for (const store of f.b2b?.stores ?? []) {
    for (const k of store.apiAccounts ?? []) if (typeof k.token === 'string' && k.name !== undefined && !(k.name in storeTokens)) storeTokens[k.name] = k.token;
    const first = store.channels?.[0];
    const channelId = first === undefined ? 1 : typeof first === 'number' ? first : first.id;
    for (const c of store.customers ?? []) b2bUsers.set(c.email.trim().toLowerCase(), { storeHash: store.storeHash, password: c.password, channelId });
    for (const company of store.companies ?? []) {
      for (const u of company.users ?? []) b2bUsers.set(u.email.trim().toLowerCase(), { storeHash: store.storeHash, password: u.password, channelId });
    }
  }
  return { apiAccounts, storeTokens, b2bUsers };
}

function worldHandle(client: AdminClient, prefix: string, secrets: FixtureSecrets): RosterWorld {
  const url = `${client.base}${prefix}`;
  const call = <T>(method: string, path: string, body?: unknown) => client.call<T>(method, prefix, path, body);
  const transport: WorldTransport = { base: client.base, prefix, ...(client.inject ? { inject: client.inject } : {}) };
  return {
    [ROSTER_TRANSPORT]: transport,
    url,
    accountGraphqlUrl: (uuid) => `${url}/accounts/${uuid}/graphql`,
    b2bUrl: url,
    b2bGraphqlUrl: `${url}/graphql`,
    managementUrl: `${url}/api/v3/io`,
    async reset(options = {}) {
      await call('POST', '/reset', options.all ? { all: true } : {});
    },
    async snapshot(name) {
      await call('POST', '/snapshots', { name });
    },
    async restore(name) {
      await call('POST', `/snapshots/${encodeURIComponent(name)}/restore`);
    },
    state: (options = {}) => call<Fixture>('GET', `/state${options.includeSecrets ? '?includeSecrets=true' : ''}`),
    async load(fixture) {
      const loaded = typeof fixture === 'string' && fixture !== 'demo' ? readFixtureFile(fixture) : fixture === 'demo' ? demoFixture() : fixture;
      await call('POST', '/fixtures', loaded);
      const next = secretsOf(loaded);
      secrets.apiAccounts.splice(0, secrets.apiAccounts.length, ...next.apiAccounts);
      secrets.b2bUsers.clear();
      for (const [k, v] of next.b2bUsers) secrets.b2bUsers.set(k, v);
    },
    webhooks: {
      drain: (options = {}) => call<DrainResult>('POST', '/webhooks/drain', options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      async deliveries(filter = {}) {
        const query = new URLSearchParams(Object.entries(filter).map(([k, v]): [string, string] => [k, String(v)])).toString();
        return (await call<{ deliveries: DeliveryView[] }>('GET', `/webhooks/deliveries${query ? `?${query}` : ''}`)).deliveries;
      },
    },
    faults: {
      add: (rule) => call<FaultRule>('POST', '/faults', rule),
      list: async () => (await call<{ faults: FaultRule[] }>('GET', '/faults')).faults,
      async remove(id) {
        await call('DELETE', `/faults/${encodeURIComponent(id)}`);
      },
      async clear() {
        await call('DELETE', '/faults');
      },
    },
    async requests(filter = {}) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
      const qs = q.toString();
      return (await call<{ requests: JournalEntry[] }>('GET', `/requests${qs ? `?${qs}` : ''}`)).requests;
    },
    async events(filter = {}) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
      const qs = q.toString();
      return (await call<{ events: WorldEvent[] }>('GET', `/events${qs ? `?${qs}` : ''}`)).events;
    },
    rateLimits: {
      get: () => call<RateLimitView>('GET', '/rate-limits'),
      async reset() {
        await call('POST', '/rate-limits/reset', {});
      },
      async set(kind, setting, key) {
        await call('PUT', `/rate-limits/${kind}${key !== undefined ? `/${encodeURIComponent(key)}` : ''}`, setting === null ? { off: true } : setting);
      },
    },
    async b2bToken(options) {
      const known = secrets.b2bUsers.get(options.email.trim().toLowerCase());
      const storeHash = options.storeHash ?? known?.storeHash;
      const password = options.password ?? known?.password;
      if (storeHash === undefined || password === undefined) throw new Error(`roster: no store hash or password known for ${options.email}; pass them`);
      const payload = JSON.stringify({ storeHash, email: options.email, password, channelId: options.channelId ?? known?.channelId ?? 1, name: options.name ?? 'roster-testing' });
      // in process without a socket (so an MSW server never sees it), else over HTTP
      const response = client.inject
        ? await client.inject({ method: 'POST', url: `${prefix}/api/io/auth/customers`, headers: { 'content-type': 'application/json' }, body: payload }).then((r) => ({ ok: r.status >= 200 && r.status < 300, status: r.status, json: async () => JSON.parse(r.body.toString('utf8')) as unknown }))
        : await fetch(`${url}/api/io/auth/customers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
      const body = (await response.json()) as { code?: number; data?: { token?: string; errMsg?: string } };
      if (!response.ok || typeof body.data?.token !== 'string') throw new Error(`roster: sign-in of ${options.email} failed: ${response.status} ${body.data?.errMsg ?? ''}`);
      return body.data.token;
    },
  };
}

function clockHandle(client: AdminClient): ClockControl {
  const set = async (body?: Json) => {
    const view = await client.call<{ now: string }>(body === undefined ? 'GET' : 'POST', '', '/clock', body);
    return new Date(view.now);
  };
  const instant = (at: string | number | Date) => (at instanceof Date ? at.toISOString() : typeof at === 'number' ? new Date(at).toISOString() : at);
  return {
    now: () => set(),
    freeze: (at) => set(at === undefined ? { freeze: true } : { now: instant(at) }),
    advance: (ms) => set({ advanceMs: ms }),
    real: () => set({ real: true }),
  };
}

function rosterHandle(client: AdminClient, secrets: FixtureSecrets, close: () => Promise<void>): Roster {
  const main = worldHandle(client, '', secrets);
  const tokens: Record<string, string> = {};
  for (const k of secrets.apiAccounts) if (!(k.name in tokens)) tokens[k.name] = k.token;
  for (const [name, token] of Object.entries(secrets.storeTokens)) if (!(name in tokens)) tokens[name] = token;
  return {
    ...main,
    tokens,
    apiAccounts: secrets.apiAccounts,
    clock: clockHandle(client),
    async fork() {
      const created = await client.call<{ id: string }>('POST', '', '/forks');
      const prefix = `/f/${created.id}`;
      return {
        ...worldHandle(client, prefix, secrets),
        id: created.id,
        async close() {
          await client.call('DELETE', '', `/forks/${encodeURIComponent(created.id)}`).catch((error: Error) => {
            if (!/answered 404/.test(error.message)) throw error;
          });
        },
      };
    },
    close,
  };
}

const DEMO_FIXTURE = new URL('../fixtures/demo.json', import.meta.url);

function demoFixture(): unknown {
  return JSON.parse(readFileSync(DEMO_FIXTURE, 'utf8'));
}

function toMs(at: string | number | Date): number {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(ms)) throw new Error(`roster: clock must be an ISO-8601 instant, got "${String(at)}"`);
  return ms;
}

/** Starts Roster in this process on a free port. Close it when done. */
export async function startRoster(options: StartRosterOptions = {}): Promise<Roster> {
  const fixture =
    options.fixture === undefined || options.fixture === 'demo'
      ? demoFixture()
      : typeof options.fixture === 'string'
        ? readFixtureFile(options.fixture)
        : options.fixture;
  const clockStart = options.clock !== undefined ? toMs(options.clock) : options.deterministic ? Date.parse(DETERMINISTIC_START) : undefined;
  const url = options.database ?? 'sqlite::memory:';
  // PostgreSQL: a schema of its own, dropped at close, so parallel test files never meet
  const schema = parseDatabaseUrl(url).dialect === 'postgres' ? `roster_t_${randomBytes(6).toString('hex')}` : undefined;
  const host = options.host ?? '127.0.0.1';
  const booted = await bootstrap({
    databaseUrl: url,
    ...(schema !== undefined ? { database: { pgSchema: schema, pgPoolSize: 5 }, dropSchemaAtClose: true } : {}),
    seed: { fixture },
    ...(clockStart !== undefined ? { clockStart } : {}),
    deterministic: options.deterministic === true,
    flags: {
      accountRateLimit: options.accountRateLimit !== undefined ? options.accountRateLimit : null,
      b2bRateLimit: options.b2bRateLimit !== undefined ? options.b2bRateLimit : null,
      production: false,
      ...(options.webhooks !== undefined ? { webhooks: options.webhooks } : {}),
    },
    app: { logger: options.logger === true ? { level: 'info' } : false, admin: resolveAdminAccess({ host, adminToken: options.adminToken }) },
  });
  const listen = options.listen !== false;
  if (listen) {
    try {
      await booted.app.listen({ host, port: options.port ?? 0 });
    } catch (error) {
      await booted.close().catch(() => undefined);
      throw error;
    }
  }
  const base = listen ? `http://${host.includes(':') ? `[${host}]` : host}:${(booted.app.server.address() as AddressInfo).port}` : 'http://roster.invalid';
  const app = booted.app;
  // the controls reach this process's Roster without a socket (and so does roster/msw)
  const inject: InProcessTransport = async (request) => {
    const response = await app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, ...(request.body !== undefined ? { payload: request.body } : {}) });
    return { status: response.statusCode, headers: response.headers, body: response.rawPayload };
  };
  return rosterHandle(new AdminClient(base, options.adminToken, inject), secretsOf(fixture), () => booted.close());
}

/** The same controls for a Roster server started elsewhere (`roster serve`, Docker). close() does not stop it. */
export function connectRoster(options: { url: string; adminToken?: string; fixture?: unknown }): Roster {
  const fixture = options.fixture === undefined || options.fixture === 'demo' ? demoFixture() : typeof options.fixture === 'string' ? readFixtureFile(options.fixture) : options.fixture;
  return rosterHandle(new AdminClient(options.url.replace(/\/+$/, ''), options.adminToken), secretsOf(fixture), async () => undefined);
}
