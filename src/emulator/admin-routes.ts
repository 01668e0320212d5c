import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { worldEventTypes } from '../domain/domain-events.js';
import type { EventFilter } from './journal/events.js';
import type { FaultRuleInput } from './journal/faults.js';
import { apiNames } from '../http/api-error-response.js';
import type { JournalEntry } from './journal/request-journal.js';
import type { RateLimitSetting } from '../domain/rate-limits/rate-limiter.js';
import { decide } from '../domain/rate-limits/rate-limiter.js';
import { type RateLimitKind, rateLimitKinds } from './worlds/rate-limit-overrides.js';
import { exportFixture } from '../fixtures/export-fixture.js';
import { AppError, isAppError } from '../shared/errors.js';
import { isAdminAuthorized } from './admin-access.js';
import type { AppWorld, Controls } from './controls.js';

/**
 * The emulator's admin API under /_roster: JSON in, JSON out, errors as
 * `{"error": {"code", "message", "path"?}}`. Every route works on the world of the request: the
 * main world at /_roster/..., a fork at /f/{forkId}/_roster/... (the clock is shared by all).
 * Each route is declared once below; the same table validates requests and produces the OpenAPI
 * document served at /_roster/openapi.json.
 */
type Schema = Record<string, unknown>;

interface RouteContext {
  controls: Controls;
  world: AppWorld;
}

interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** relative to /_roster, Fastify syntax */
  url: string;
  summary: string;
  description?: string;
  body?: Schema;
  bodyRequired?: boolean;
  querystring?: Schema;
  responses: Record<number, string>;
  bodyLimit?: number;
  handler(request: FastifyRequest, reply: FastifyReply, ctx: RouteContext): Promise<unknown>;
}

const rateLimitSettingSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    requests: { type: 'integer', minimum: 1 },
    windowMs: { type: 'integer', minimum: 1 },
    off: { type: 'boolean', const: true },
  },
  oneOf: [{ required: ['requests', 'windowMs'] }, { required: ['off'] }],
};

const faultSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['effect'],
  properties: {
    match: {
      type: 'object',
      additionalProperties: false,
      properties: {
        api: { type: 'string', enum: [...apiNames] },
        operation: { type: 'string', minLength: 1, description: 'GraphQL root field, root.child path, child field, operation name, or REST route ("GET /api/v2/users/:userId")' },
        token: { type: 'string', minLength: 1 },
        account: { type: 'string', minLength: 1, description: 'account UUID (Account API) or store hash (B2B)' },
        nth: { type: 'integer', minimum: 1 },
        probability: { type: 'number', minimum: 0, maximum: 1 },
        seed: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      },
    },
    effect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'integer', minimum: 400, maximum: 599 },
        message: { type: 'string' },
        graphqlError: {
          type: 'object',
          additionalProperties: false,
          required: ['code'],
          properties: { code: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, message: { type: 'string' } },
        },
        latencyMs: { type: 'integer', minimum: 0, maximum: 60000 },
        drop: { type: 'boolean' },
      },
    },
    times: { type: 'integer', minimum: 1 },
  },
};

const NAME = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' };
/** the body of a POST or PUT that takes none: absent, or an empty object */
const NO_BODY: Schema = { type: 'object', additionalProperties: false, properties: {} };

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function forkView(request: FastifyRequest, world: AppWorld) {
  const base = `${baseUrl(request)}/f/${world.id}`;
  return {
    id: world.id,
    parent: world.parentId ?? null,
    createdAt: new Date(world.createdAt).toISOString(),
    url: base,
    accountGraphqlUrl: `${base}/accounts/{account_uuid}/graphql`,
    b2bUrl: base,
    b2bGraphqlUrl: `${base}/graphql`,
    inFlight: world.inFlight,
  };
}

function clockView(ctx: RouteContext) {
  const now = ctx.controls.clock.now();
  return { now: new Date(now).toISOString(), epochMs: now, frozen: ctx.controls.clock.isFrozen };
}

function kindParam(value: string): RateLimitKind {
  if (!(rateLimitKinds as readonly string[]).includes(value)) throw new AppError('NOT_FOUND', `Unknown rate-limit kind "${value}" (account or b2b)`);
  return value as RateLimitKind;
}

function settingOf(body: { requests?: number; windowMs?: number; off?: boolean }): RateLimitSetting | null {
  return body.off === true ? null : { requests: body.requests as number, windowMs: body.windowMs as number };
}

async function resolveApiAccounts(world: AppWorld, entries: JournalEntry[]): Promise<JournalEntry[]> {
  if (!entries.some((e) => e.principal.type === 'api-account')) return entries;
  const rows = await world.database.kysely.selectFrom('api_accounts').select(['id', 'name', 'token_hash']).execute();
  // token_hash is sha256(token) hex: its first 12 chars are the fingerprint the journal keeps
  const byFingerprint = new Map(rows.map((r) => [r.token_hash.slice(0, 12), r]));
  for (const entry of entries) {
    const p = entry.principal;
    if (p.type !== 'api-account') continue;
    const row = byFingerprint.get(p.tokenFingerprint);
    if (row) Object.assign(p, { apiAccountId: row.id, name: row.name });
  }
  return entries;
}

export const adminRoutes: AdminRoute[] = [
  {
    method: 'GET',
    url: '/',
    summary: 'What this server is and where its controls are',
    responses: { 200: 'Summary of the world, the forks and the clock' },
    async handler(request, _reply, ctx) {
      return {
        name: 'roster',
        world: ctx.world.id,
        dataVersion: ctx.world.changes.version,
        forks: ctx.controls.worlds.forks().length,
        clock: clockView(ctx),
        adminTokenRequired: ctx.controls.access.token !== undefined,
        openapi: `${baseUrl(request)}/_roster/openapi.json`,
      };
    },
  },
  {
    method: 'GET',
    url: '/state',
    summary: 'Export the whole world in the fixture format',
    description: 'Secrets (token and password hashes, JWT secrets) are left out unless includeSecrets=true. Loading the export gives the same state.',
    querystring: { type: 'object', properties: { includeSecrets: { type: 'boolean' } }, additionalProperties: false },
    responses: { 200: 'The world as a fixture' },
    async handler(request, _reply, ctx) {
      const { includeSecrets } = request.query as { includeSecrets?: boolean };
      return exportFixture(ctx.world.database.kysely, { includeSecrets: includeSecrets === true });
    },
  },
  {
    method: 'POST',
    url: '/reset',
    summary: 'Back to the loaded fixture state',
    description:
      'Restores the rows of the fixture this world was loaded with (a fork: the fixture of the world it was forked from) in one transaction and clears its rate-limit counters. Optionally clears fault rules, the request journal, events and rate-limit overrides too.',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        faults: { type: 'boolean' },
        requests: { type: 'boolean' },
        events: { type: 'boolean' },
        rateLimitOverrides: { type: 'boolean' },
        all: { type: 'boolean', description: 'all of the above' },
      },
    },
    responses: { 200: 'Reset done' },
    async handler(request, _reply, ctx) {
      const body = (request.body ?? {}) as { faults?: boolean; requests?: boolean; events?: boolean; rateLimitOverrides?: boolean; all?: boolean };
      const world = ctx.world;
      await ctx.controls.worlds.reset(world);
      const cleared: string[] = ['data', 'rateLimitCounters'];
      if (body.all || body.faults) {
        world.faults.clear();
        cleared.push('faults');
      }
      if (body.all || body.requests) {
        world.journal.clear();
        cleared.push('requests');
      }
      if (body.all || body.events) {
        await world.events.settled();
        world.events.clear();
        cleared.push('events');
      }
      if (body.all || body.rateLimitOverrides) {
        world.rateLimitOverrides.clearAll();
        cleared.push('rateLimitOverrides');
      }
      return { world: world.id, dataVersion: world.changes.version, cleared };
    },
  },
  {
    method: 'POST',
    url: '/fixtures',
    summary: 'Replace the world with another fixture',
    description:
      'Validated exactly like a fixture at start-up (errors name the JSON path of the first offending value); nothing is written unless the whole fixture loads. It becomes the state /reset returns to.',
    body: { type: 'object' },
    bodyRequired: true,
    bodyLimit: 256 * 1024 * 1024,
    responses: { 200: 'Loaded: rows per table', 400: 'Invalid fixture (error.path)' },
    async handler(request, _reply, ctx) {
      const loaded = await ctx.controls.worlds.loadFixture(ctx.world, request.body);
      return { world: ctx.world.id, dataVersion: ctx.world.changes.version, loaded };
    },
  },
  {
    method: 'GET',
    url: '/snapshots',
    summary: 'List snapshots of this world',
    responses: { 200: 'Snapshots, oldest first' },
    async handler(_request, _reply, ctx) {
      return { snapshots: [...ctx.world.snapshots.values()].map((s) => ({ name: s.name, createdAt: new Date(s.createdAt).toISOString() })) };
    },
  },
  {
    method: 'POST',
    url: '/snapshots',
    summary: 'Snapshot the whole world under a name (replaces a snapshot of the same name)',
    body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: NAME } },
    bodyRequired: true,
    responses: { 201: 'Snapshot taken', 200: 'Snapshot replaced' },
    async handler(request, reply, ctx) {
      const { name } = request.body as { name: string };
      const { snapshot, replaced } = await ctx.controls.worlds.takeSnapshot(ctx.world, name);
      reply.code(replaced ? 200 : 201);
      return { name: snapshot.name, createdAt: new Date(snapshot.createdAt).toISOString(), replaced };
    },
  },
  {
    method: 'GET',
    url: '/snapshots/:name',
    summary: 'One snapshot, with its row count per table',
    responses: { 200: 'The snapshot', 404: 'No such snapshot' },
    async handler(request, _reply, ctx) {
      const { name } = request.params as { name: string };
      const snapshot = ctx.world.snapshots.get(name);
      if (!snapshot) throw new AppError('SNAPSHOT_NOT_FOUND', `No snapshot named "${name}"`);
      return { name, createdAt: new Date(snapshot.createdAt).toISOString(), rows: await ctx.controls.worlds.countRows(snapshot) };
    },
  },
  {
    method: 'POST',
    url: '/snapshots/:name/restore',
    summary: 'Restore a snapshot (one transaction)',
    responses: { 200: 'Restored', 404: 'No such snapshot' },
    async handler(request, _reply, ctx) {
      const { name } = request.params as { name: string };
      await ctx.controls.worlds.restoreSnapshot(ctx.world, name);
      return { world: ctx.world.id, restored: name, dataVersion: ctx.world.changes.version };
    },
  },
  {
    method: 'DELETE',
    url: '/snapshots/:name',
    summary: 'Delete a snapshot',
    responses: { 204: 'Deleted', 404: 'No such snapshot' },
    async handler(request, reply, ctx) {
      const { name } = request.params as { name: string };
      if (!(await ctx.controls.worlds.deleteSnapshot(ctx.world, name))) throw new AppError('SNAPSHOT_NOT_FOUND', `No snapshot named "${name}"`);
      return reply.code(204).send();
    },
  },
  {
    method: 'POST',
    url: '/forks',
    summary: 'Fork this world: an isolated copy served under /f/{id}/...',
    description:
      'Every API is served on the copy at the returned url (e.g. {url}/accounts/{uuid}/graphql, {url}/api/v2/users, {url}/graphql). Nothing written in a fork is visible anywhere else. A fork has its own snapshots, journal, events, faults and rate-limit counters; the clock is shared.',
    responses: { 201: 'The fork', 409: 'Too many forks alive' },
    async handler(request, reply, ctx) {
      const world = await ctx.controls.worlds.fork(ctx.world);
      reply.code(201);
      return forkView(request, world);
    },
  },
  {
    method: 'GET',
    url: '/forks',
    summary: 'List forks',
    responses: { 200: 'Forks alive' },
    async handler(request, _reply, ctx) {
      return { forks: ctx.controls.worlds.forks().map((w) => forkView(request, w)), warmSchemas: ctx.controls.worlds.storage.stats.warmSchemas() };
    },
  },
  {
    method: 'GET',
    url: '/forks/:id',
    summary: 'One fork',
    responses: { 200: 'The fork', 404: 'No such fork' },
    async handler(request, _reply, ctx) {
      const { id } = request.params as { id: string };
      const world = id === 'main' ? undefined : ctx.controls.worlds.get(id);
      if (!world) throw new AppError('FORK_NOT_FOUND', `No fork "${id}"`);
      return forkView(request, world);
    },
  },
  {
    method: 'DELETE',
    url: '/forks/:id',
    summary: 'Delete a fork (after the requests inside it finish)',
    responses: { 204: 'Deleted', 404: 'No such fork' },
    async handler(request, reply, ctx) {
      const { id } = request.params as { id: string };
      if (id === 'main' || !(await ctx.controls.worlds.deleteFork(id))) throw new AppError('FORK_NOT_FOUND', `No fork "${id}"`);
      return reply.code(204).send();
    },
  },
  {
    method: 'GET',
    url: '/clock',
    summary: "The clock every world reads (token expiry, rate-limit windows, timestamps)",
    responses: { 200: 'The clock' },
    async handler(_request, _reply, ctx) {
      return clockView(ctx);
    },
  },
  {
    method: 'POST',
    url: '/clock',
    summary: 'Freeze, move or release the clock',
    description: 'Exactly one of: {"now": ISO instant} freezes there; {"freeze": true} freezes at the current instant; {"advanceMs": n} moves it (frozen or not, n may be negative); {"real": true} returns to real time.',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        now: { type: 'string', minLength: 1 },
        freeze: { type: 'boolean', const: true },
        advanceMs: { type: 'integer' },
        real: { type: 'boolean', const: true },
      },
    },
    bodyRequired: true,
    responses: { 200: 'The clock after the change', 400: 'Not an ISO-8601 instant' },
    async handler(request, _reply, ctx) {
      const body = request.body as { now?: string; freeze?: true; advanceMs?: number; real?: true };
      const clock = ctx.controls.clock;
      if (body.now !== undefined) {
        const at = Date.parse(body.now);
        if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(body.now)) throw new AppError('BAD_REQUEST', `now must be an ISO-8601 instant, got "${body.now}"`);
        clock.freeze(at);
      } else if (body.freeze) clock.freeze(clock.now());
      else if (body.advanceMs !== undefined) clock.advance(body.advanceMs);
      else if (body.real) clock.real();
      return clockView(ctx);
    },
  },
  {
    method: 'GET',
    url: '/rate-limits',
    summary: "Quotas in force and every bucket's used / remaining / reset",
    responses: { 200: 'Quotas, overrides and buckets of this world' },
    async handler(_request, _reply, ctx) {
      const world = ctx.world;
      const now = ctx.controls.clock.now();
      const buckets = (await world.rateLimitStore.list()).map((b) => {
        const m = /^(account|b2b):(.+)$/.exec(b.key);
        const kind = m?.[1] as RateLimitKind | undefined;
        const setting = kind && m ? world.rateLimitOverrides.settingFor(kind, m[2] as string) : null;
        const expired = setting ? now >= b.windowStart + setting.windowMs || now < b.windowStart : false;
        const decision = setting ? decide(setting, expired ? { count: 0, windowStart: now } : b, now) : undefined;
        return {
          key: b.key,
          kind: kind ?? null,
          subject: m?.[2] ?? null,
          used: expired ? 0 : b.count,
          limit: decision?.limit ?? null,
          remaining: decision?.remaining ?? null,
          windowMs: setting?.windowMs ?? null,
          windowStart: new Date(b.windowStart).toISOString(),
          resetMs: decision ? (expired ? 0 : decision.resetMs) : null,
        };
      });
      return {
        world: world.id,
        quotas: Object.fromEntries(rateLimitKinds.map((k) => [k, world.rateLimitOverrides.defaultFor(k)])),
        overrides: world.rateLimitOverrides.list().map((o) => ({ kind: o.kind, key: o.key ?? null, setting: o.setting })),
        buckets,
      };
    },
  },
  {
    method: 'POST',
    url: '/rate-limits/reset',
    summary: 'Forget rate-limit counters (all, a kind, or one account/store)',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { kind: { type: 'string', enum: [...rateLimitKinds] }, key: { type: 'string', minLength: 1 } },
    },
    responses: { 200: 'Counters cleared' },
    async handler(request, _reply, ctx) {
      const body = (request.body ?? {}) as { kind?: RateLimitKind; key?: string };
      if (body.key !== undefined && body.kind === undefined) throw new AppError('BAD_REQUEST', 'key needs kind');
      const prefix = body.kind === undefined ? undefined : body.key === undefined ? `${body.kind}:` : `${body.kind}:${body.key}`;
      const before = (await ctx.world.rateLimitStore.list()).filter((b) => prefix === undefined || b.key.startsWith(prefix)).length;
      await ctx.world.rateLimitStore.reset(prefix);
      return { world: ctx.world.id, reset: before };
    },
  },
  {
    method: 'PUT',
    url: '/rate-limits/:kind',
    summary: 'Change the quota of every account (kind account) or store (kind b2b) in this world',
    body: rateLimitSettingSchema,
    bodyRequired: true,
    responses: { 200: 'Quota changed' },
    async handler(request, _reply, ctx) {
      const kind = kindParam((request.params as { kind: string }).kind);
      ctx.world.rateLimitOverrides.set(kind, undefined, settingOf(request.body as { requests?: number; windowMs?: number; off?: boolean }));
      return { kind, key: null, setting: ctx.world.rateLimitOverrides.defaultFor(kind) };
    },
  },
  {
    method: 'PUT',
    url: '/rate-limits/:kind/:key',
    summary: 'Change the quota of one account (UUID) or store (hash)',
    body: rateLimitSettingSchema,
    bodyRequired: true,
    responses: { 200: 'Quota changed' },
    async handler(request, _reply, ctx) {
      const params = request.params as { kind: string; key: string };
      const kind = kindParam(params.kind);
      const key = kind === 'account' ? params.key.toLowerCase() : params.key;
      ctx.world.rateLimitOverrides.set(kind, key, settingOf(request.body as { requests?: number; windowMs?: number; off?: boolean }));
      return { kind, key, setting: ctx.world.rateLimitOverrides.settingFor(kind, key) };
    },
  },
  {
    method: 'DELETE',
    url: '/rate-limits/:kind',
    summary: 'Back to the start-up quota of a kind',
    responses: { 204: 'Override removed', 404: 'No override' },
    async handler(request, reply, ctx) {
      const kind = kindParam((request.params as { kind: string }).kind);
      if (!ctx.world.rateLimitOverrides.clear(kind, undefined)) throw new AppError('NOT_FOUND', `No quota override for ${kind}`);
      return reply.code(204).send();
    },
  },
  {
    method: 'DELETE',
    url: '/rate-limits/:kind/:key',
    summary: "Back to the kind's quota for one account or store",
    responses: { 204: 'Override removed', 404: 'No override' },
    async handler(request, reply, ctx) {
      const params = request.params as { kind: string; key: string };
      const kind = kindParam(params.kind);
      const key = kind === 'account' ? params.key.toLowerCase() : params.key;
      if (!ctx.world.rateLimitOverrides.clear(kind, key)) throw new AppError('NOT_FOUND', `No quota override for ${kind} ${key}`);
      return reply.code(204).send();
    },
  },
  {
    method: 'GET',
    url: '/faults',
    summary: 'Fault rules of this world, with how often each matched and fired',
    responses: { 200: 'Rules' },
    async handler(_request, _reply, ctx) {
      return { faults: ctx.world.faults.list() };
    },
  },
  {
    method: 'POST',
    url: '/faults',
    summary: 'Add a fault rule',
    description:
      'match: any of api, operation, token, account, plus nth (fire on exactly the nth matching call) or probability with seed (the same seed gives the same sequence). effect: one of status (the API\'s own error body), graphqlError {code, message} (HTTP 200, GraphQL APIs only), drop (connection closed), optionally with latencyMs (alone: delay, then the real answer). times: firings before the rule goes inactive (nth: 1; otherwise until deleted). Responses shaped by a rule carry x-roster-fault: <rule id>.',
    body: faultSchema,
    bodyRequired: true,
    responses: { 201: 'The rule', 400: 'Invalid rule' },
    async handler(request, reply, ctx) {
      const rule = ctx.world.faults.add(request.body as FaultRuleInput);
      reply.code(201);
      return rule;
    },
  },
  {
    method: 'DELETE',
    url: '/faults',
    summary: 'Remove every fault rule of this world',
    responses: { 204: 'Removed' },
    async handler(_request, reply, ctx) {
      ctx.world.faults.clear();
      return reply.code(204).send();
    },
  },
  {
    method: 'GET',
    url: '/faults/:id',
    summary: 'One fault rule',
    responses: { 200: 'The rule', 404: 'No such rule' },
    async handler(request, _reply, ctx) {
      const { id } = request.params as { id: string };
      const rule = ctx.world.faults.list().find((r) => r.id === id);
      if (!rule) throw new AppError('FAULT_NOT_FOUND', `No fault rule "${id}"`);
      return rule;
    },
  },
  {
    method: 'DELETE',
    url: '/faults/:id',
    summary: 'Remove one fault rule',
    responses: { 204: 'Removed', 404: 'No such rule' },
    async handler(request, reply, ctx) {
      const { id } = request.params as { id: string };
      if (!ctx.world.faults.remove(id)) throw new AppError('FAULT_NOT_FOUND', `No fault rule "${id}"`);
      return reply.code(204).send();
    },
  },
  {
    method: 'GET',
    url: '/requests',
    summary: 'The last requests served by this world, secrets redacted',
    description: 'Oldest first. Filters: api, operation (GraphQL root field, root.child path or operation name; REST route), status (404 or 4xx), method, since (sequence number), limit (default 50).',
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        api: { type: 'string', enum: [...apiNames, 'other'] },
        operation: { type: 'string' },
        status: { type: 'string', pattern: '^([1-5]xx|[1-5][0-9][0-9])$' },
        method: { type: 'string' },
        since: { type: 'integer', minimum: 0 },
        limit: { type: 'integer', minimum: 1, maximum: 10000 },
      },
    },
    responses: { 200: 'Requests' },
    async handler(request, _reply, ctx) {
      const q = request.query as { api?: string; operation?: string; status?: string; method?: string; since?: number; limit?: number };
      const entries = ctx.world.journal.list(q);
      return { world: ctx.world.id, capacity: ctx.world.journal.capacity, requests: await resolveApiAccounts(ctx.world, entries) };
    },
  },
  {
    method: 'DELETE',
    url: '/requests',
    summary: 'Empty the request journal of this world',
    responses: { 204: 'Emptied' },
    async handler(_request, reply, ctx) {
      ctx.world.journal.clear();
      return reply.code(204).send();
    },
  },
  {
    method: 'GET',
    url: '/events',
    summary: 'State-change events of this world (account.user.added, company.user.created, ...) with before/after',
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { type: 'string', description: `a type or a prefix (company.user): ${worldEventTypes.join(', ')}` },
        since: { type: 'integer', minimum: 0 },
        limit: { type: 'integer', minimum: 1, maximum: 10000 },
      },
    },
    responses: { 200: 'Events, oldest first' },
    async handler(request, _reply, ctx) {
      await ctx.world.events.settled();
      return { world: ctx.world.id, events: ctx.world.events.list(request.query as EventFilter) };
    },
  },
  {
    method: 'DELETE',
    url: '/events',
    summary: 'Empty the event list of this world',
    responses: { 204: 'Emptied' },
    async handler(_request, reply, ctx) {
      await ctx.world.events.settled();
      ctx.world.events.clear();
      return reply.code(204).send();
    },
  },
];

/** The admin API's OpenAPI 3.1 document, built from the route table. */
export function adminOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' } } } },
  };
  for (const route of [...adminRoutes, { method: 'GET', url: '/openapi.json', summary: 'This document', responses: { 200: 'OpenAPI 3.1' }, handler: async () => undefined } satisfies AdminRoute]) {
    const path = `/_roster${route.url === '/' ? '' : route.url}`.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = route.querystring
      ? Object.entries((route.querystring.properties ?? {}) as Record<string, Schema>).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
      : [];
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(route.responses)) {
      responses[status] = Number(status) >= 400 ? { description, content: { 'application/json': { schema: errorSchema } } } : { description };
    }
    responses['401'] = { description: 'Admin token required (when the server has one)', content: { 'application/json': { schema: errorSchema } } };
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
      ...(route.body ? { requestBody: { required: route.bodyRequired === true, content: { 'application/json': { schema: route.body } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Roster emulator controls',
      version: '1',
      description:
        'Reset, snapshots, forks, clock, rate limits, faults, request journal and events. Every path also exists under /f/{forkId}/_roster/... for a fork. Enabled by default on loopback; elsewhere only with --admin-token (Authorization: Bearer).',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    security: [{}, { adminToken: [] }],
    paths,
  };
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * The first schema violation of a refused admin request, naming what is wrong: its JSON path
 * (`$.match.colour` in the body, `?limit` in the query string) and, for a property the schema
 * does not know, that property.
 */
function validationFailure(error: { validation: ValidationIssue[]; validationContext?: string; message: string }): { message: string; path?: string } {
  // an unknown property is named first, whatever else is wrong (bodies are checked with allErrors)
  const issue = error.validation.find((i) => i.keyword === 'additionalProperties') ?? error.validation[0];
  if (!issue) return { message: error.message };
  const inQuery = error.validationContext === 'querystring';
  const segments = issue.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = issue.keyword === 'additionalProperties' ? String(issue.params.additionalProperty) : undefined;
  if (extra !== undefined) segments.push(extra);
  const path = inQuery ? (segments.length > 0 ? `?${segments.join('.')}` : undefined) : `$${segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('')}`;
  const where = inQuery ? 'query string' : 'body';
  if (extra !== undefined) {
    const owner = segments.length > 1 ? ` at $.${segments.slice(0, -1).join('.')}` : '';
    return { message: `The ${where} has an unknown property "${extra}"${inQuery ? '' : owner}; nothing was changed.`, ...(path !== undefined ? { path } : {}) };
  }
  const subject = segments.length > 0 ? (inQuery ? `?${segments.join('.')}` : path) : `the ${where}`;
  return { message: `Invalid ${where}: ${subject} ${issue.message ?? 'is invalid'}; nothing was changed.`, ...(path !== undefined ? { path } : {}) };
}

function sendError(reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message, ...extra } });
}

/** The admin plugin: register with { prefix: '/_roster' }. */
export async function adminPlugin(app: FastifyInstance, options: { controls: Controls }): Promise<void> {
  const { controls } = options;
  let openapi: Record<string, unknown> | undefined;

  app.addHook('onRequest', async (request, reply) => {
    if (!isAdminAuthorized(controls.access, request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer realm="roster-admin"');
      return sendError(reply, 401, 'ADMIN_UNAUTHORIZED', 'The admin API needs Authorization: Bearer <admin token>');
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown; code?: string }, request, reply) => {
    if (isAppError(error)) {
      const path = typeof error.details?.path === 'string' ? { path: error.details.path } : {};
      return sendError(reply, error.status, error.code, error.message, path);
    }
    if (error.validation) {
      const { message, path } = validationFailure(error as Error & { validation: ValidationIssue[]; validationContext?: string });
      return sendError(reply, 400, 'BAD_REQUEST', message, path !== undefined ? { path } : {});
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
      return sendError(reply, status, code, error.message);
    }
    request.log.error({ err: error }, 'admin API: unexpected error');
    return sendError(reply, 500, 'INTERNAL', 'Internal server error');
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'NOT_FOUND', `No admin route ${request.method} ${request.url.split('?')[0]}`));

  app.get('/openapi.json', async () => (openapi ??= adminOpenApi()));

  for (const route of adminRoutes) {
    app.route({
      method: route.method,
      url: route.url,
      ...(route.bodyLimit !== undefined ? { bodyLimit: route.bodyLimit } : {}),
      // an optional body may be left out entirely
      preValidation: (request, _reply, done) => {
        if (!route.bodyRequired && (request.body === undefined || request.body === null)) request.body = {};
        done();
      },
      schema: {
        // a POST or PUT without a body of its own takes none: any property in one is refused
        ...(route.body ? { body: route.body } : route.method === 'POST' || route.method === 'PUT' ? { body: NO_BODY } : {}),
        ...(route.querystring ? { querystring: route.querystring } : {}),
      },
      handler: async (request, reply) => {
        if (route.bodyRequired && (request.body === undefined || request.body === null)) {
          throw new AppError('BAD_REQUEST', 'A JSON body is required');
        }
        return route.handler(request, reply, { controls, world: controls.worldOf(request) });
      },
    });
  }
}
