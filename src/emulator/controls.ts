import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import type { RateLimitStore } from '../domain/rate-limits/rate-limiter.js';
import { createWorlds, type World, type Worlds } from './worlds/worlds.js';
import type { ServiceDeps, RuntimeSettings, Services } from '../services.js';
import type { SettingsFlags } from '../runtime-settings.js';
import type { ControllableClock } from '../shared/clock.js';
import { createIdGenerator, type IdGenerator } from '../shared/ids.js';
import type { AdminAccess } from './admin-access.js';
import { sendFault } from './fault-responses.js';
import { factsOf, type FullFacts, graphqlOperationOf, partsOf, principalOf, type RequestParts } from './request-facts.js';
import type { RequestDescription } from './journal/request-journal.js';

/**
 * The emulator controls' wiring into the server: the worlds (main + forks), fork routing
 * (/f/{forkId}/... → that fork's services), and the per-request hooks that apply fault rules,
 * take a big world's reset baseline before its first write and keep the request journal.
 * buildApp() creates it; the admin API (admin-routes.ts) drives it.
 */
export interface ControlsOptions {
  /**
   * The composition root's own factories (the emulator plugs into the app, it does not build it):
   * the services of one world, and the settings from a world's stored rows and the flags.
   */
  createServices: (deps: ServiceDeps) => Services;
  resolveSettings: (database: Database, flags: SettingsFlags) => Promise<RuntimeSettings>;
  database: Database;
  clock: ControllableClock;
  ids: IdGenerator;
  settings: RuntimeSettings;
  rateLimitStore: RateLimitStore;
  access: AdminAccess;
  /** PostgreSQL forks open their schemas through this connection string */
  databaseUrl?: string | undefined;
  /** seeded ids: each fork gets its own seeded generator, so parallel tests do not shift each other's ids */
  deterministicSeed?: string | undefined;
  /** the flags the settings were resolved with; without them, rate limits and webhook settings stay as they are when rows are replaced */
  settingsFlags?: SettingsFlags | undefined;
  journalSize?: number | undefined;
  /** see WorldsOptions.eagerBaselineRows */
  eagerBaselineRows?: number | undefined;
  /** see WorldsOptions.sqliteImageMemoryBytes */
  sqliteImageMemoryBytes?: number | undefined;
}

export type AppWorld = World<Services>;

export interface Controls {
  readonly access: AdminAccess;
  readonly clock: ControllableClock;
  readonly worlds: Worlds<Services>;
  readonly main: Services;
  /** Fastify `rewriteUrl`: strips /f/{forkId} and remembers the fork on the raw request */
  rewriteUrl(req: IncomingMessage): string;
  /** a request id from the ids of the world the request is for (deterministic per fork with --deterministic) */
  nextRequestId(req: IncomingMessage): string;
  /** root-level hooks; call before the APIs register */
  install(app: FastifyInstance): void;
  worldOf(request: FastifyRequest): AppWorld;
}

const FORK_ID = Symbol('roster.forkId');
const FORK_PREFIX = /^\/f\/([A-Za-z0-9_-]{1,64})(?=[/?]|$)/;

interface RequestState {
  world: AppWorld;
  admin: boolean;
  facts: FullFacts | undefined;
  payload: unknown;
  fault: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    rosterState: RequestState | null;
  }
  interface FastifyInstance {
    /** the emulator controls (worlds, clock, access) */
    controls: Controls;
  }
}

/** marks an in-process answer whose connection a `drop` fault rule cut (roster/msw: a network error) */
export const DROPPED_HEADER = 'x-roster-dropped';

export function createControls(options: ControlsOptions): Controls {
  let forkCounter = 0;
  /**
   * Request ids come from a stream of their own per world (seeded under --deterministic), never
   * from the generator of token ids: a health probe or an admin call must not change later tokens.
   */
  const requestIds = new Map<string, IdGenerator>();
  const requestIdsOf = (worldId: string): IdGenerator => {
    if (options.deterministicSeed === undefined) return options.ids;
    let generator = requestIds.get(worldId);
    if (!generator) {
      generator = createIdGenerator({ seed: worldId === 'main' ? options.deterministicSeed : `${options.deterministicSeed}${worldId}`, stream: 'r' });
      requestIds.set(worldId, generator);
    }
    return generator;
  };
  const worlds: Worlds<Services> = createWorlds<Services>({
    database: options.database,
    clock: options.clock,
    rateLimitStore: options.rateLimitStore,
    databaseUrl: options.databaseUrl,
    journalSize: options.journalSize ?? 500,
    ...(options.eagerBaselineRows !== undefined ? { eagerBaselineRows: options.eagerBaselineRows } : {}),
    sqliteImageMemoryBytes: options.sqliteImageMemoryBytes,
    startupRateLimits: (services) => ({ account: services.settings.accountRateLimit, b2b: services.settings.b2bRateLimit }),
    nextForkId: () => {
      forkCounter += 1;
      return options.deterministicSeed !== undefined ? `f${forkCounter}` : `f${forkCounter}-${createIdGenerator().next().slice(0, 8)}`;
    },
    makeServices: (parts) =>
      options.createServices({
        database: parts.database,
        clock: options.clock,
        ids: parts.id === 'main' || options.deterministicSeed === undefined ? options.ids : createIdGenerator({ seed: `${options.deterministicSeed}${parts.id}` }),
        settings: parts.id === 'main' ? options.settings : { ...options.settings },
        rateLimitStore: parts.rateLimitStore,
        worldId: parts.id,
        events: parts.events,
        worldChanges: parts.changes,
        rateLimitOverrides: parts.rateLimitOverrides,
      }),
    afterRowsReplaced: (world) => refreshSettings(world),
    fixtureLoadOptions: () => ({ webhookDestinations: options.settingsFlags?.webhooks?.destinations }),
  });

  /** Settings live in the world's rows (the fixture's `settings`): re-read them after a wholesale change. */
  async function refreshSettings(world: AppWorld): Promise<void> {
    const current = world.services.settings;
    const flags = options.settingsFlags ?? { accountRateLimit: current.accountRateLimit, b2bRateLimit: current.b2bRateLimit, webhooks: current.webhooks, production: false };
    const resolved = await options.resolveSettings(world.database, { ...flags, production: false });
    Object.assign(current, resolved);
    // the rows were replaced (reset, restore, fixture load; a new fork): what was pending is not
    // delivered (webhooks.md §7.4), and that holds before the control answers
    await world.services.webhookDelivery.cancelAll();
  }

  const worldOf = (request: FastifyRequest): AppWorld => request.rosterState?.world ?? worlds.get(request.services.worldId) ?? worlds.main;

  function install(app: FastifyInstance): void {
    app.decorateRequest('rosterState', null);
    const enabled = options.access.enabled;

    app.addHook('onRequest', (request, reply, done) => {
      const forkId = (request.raw as IncomingMessage & { [FORK_ID]?: string })[FORK_ID];
      let world = worlds.main;
      if (forkId !== undefined) {
        const found = worlds.get(forkId);
        if (!found) {
          reply.code(404).send({ error: { code: 'FORK_NOT_FOUND', message: `No fork "${forkId}" (deleted, or never created on this server)` } });
          return;
        }
        world = found;
      }
      request.services = world.services;
      if (!enabled) return done();
      const admin = request.url.startsWith('/_roster');
      if (!admin) world.inFlight += 1;
      request.rosterState = { world, admin, facts: undefined, payload: undefined, fault: undefined };
      done();
    });

    if (!enabled) return;

    // callback style, with a synchronous fast path: most requests meet no rule and need no read
    app.addHook('preHandler', (request, reply, done) => {
      const state = request.rosterState;
      if (!state || state.admin) return done();
      const proceed = () => {
        if (state.world.faults.size === 0) return done();
        applyFaults(request, reply, state).then(
          (answered) => {
            if (!answered) done();
          },
          (error: Error) => done(error),
        );
      };
      if (worlds.isBaselinePending(state.world) && mayWrite(request)) {
        // a big world takes its reset baseline just before its first write (see Worlds.init)
        worlds.ensureBaseline(state.world).then(proceed, (error: Error) => done(error));
        return;
      }
      proceed();
    });

    app.addHook('onSend', (request, _reply, payload, done) => {
      const state = request.rosterState;
      if (state && !state.admin) state.payload = payload;
      done(null, payload);
    });

    app.addHook('onResponse', (request, reply, done) => {
      const state = request.rosterState;
      if (!state || state.admin) return done();
      const world = state.world;
      world.inFlight -= 1;
      if (world.journal.capacity === 0) return done();
      // references only: parsing, redaction and the principal are worked out when the journal is read
      const { body, describe } = journalBodyOf(request, state.facts);
      // the headers object itself (names are already lower case), not a closure over reply.raw: an
      // entry holding the ServerResponse kept its whole object graph alive for 500 requests
      // (~5 MB of RSS and ~7% of throughput under load)
      const responseHeaders = reply.raw.getHeaders();
      world.journal.record({
        requestId: request.id,
        at: options.clock.now(),
        world: world.id,
        method: request.method,
        url: request.url,
        describe,
        status: reply.statusCode,
        durationMs: reply.elapsedTime,
        requestHeaders: request.headers,
        requestBody: body,
        responseHeaders: () => responseHeaders,
        responseBody: payloadForJournal(state.payload),
        fault: state.fault,
      });
      done();
    });
  }

  /** The world's fault rules (true: a rule answered the request). */
  async function applyFaults(request: FastifyRequest, reply: FastifyReply, state: RequestState): Promise<boolean> {
    const facts = (state.facts ??= factsOf(partsOf(request)));
    const rule = state.world.faults.decide(facts);
    if (!rule) return false;
    state.fault = rule.id;
    const effect = rule.effect;
    if (effect.latencyMs !== undefined && effect.latencyMs > 0) await new Promise((r) => setTimeout(r, effect.latencyMs));
    if (effect.drop === true) {
      // in process (Fastify inject, roster/msw) there is no socket to cut: the answer is marked as
      // dropped instead, and roster/msw turns it into a network error for the client
      if (!(request.raw.socket instanceof Socket)) {
        reply.code(502).header(DROPPED_HEADER, '1').send();
        return true;
      }
      reply.hijack();
      request.raw.socket.destroy();
      request.raw.destroy();
      return true;
    }
    if (effect.status !== undefined || effect.graphqlError !== undefined) {
      sendFault(reply, facts, effect, rule.id);
      return true;
    }
    return false;
  }

  /**
   * Whether a request may change stored rows: a REST write method other than a token request, or a
   * GraphQL mutation other than sign-in (`login`, `authorization`), or a body we cannot read.
   */
  function mayWrite(request: FastifyRequest): boolean {
    const method = request.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/io/auth/') || path === '/api/v2/login') return false;
    if (path !== '/graphql' && !path.startsWith('/accounts/')) return true;
    // not factsOf(): on a big world this runs for every GraphQL read until the first write, and facts
    // kept on the request (and by the journal) were allocated old-space-first and doubled peak RSS growth
    const shape = graphqlOperationOf(request.body);
    if (shape?.operationType === 'query') return false;
    const roots = shape?.operationType === 'mutation' && path === '/graphql' ? (shape.label?.split(',') ?? []) : [];
    return !(roots.length > 0 && roots.every((f) => f === 'login' || f === 'authorization'));
  }

  return {
    access: options.access,
    clock: options.clock,
    worlds,
    main: worlds.main.services,
    rewriteUrl(req) {
      const url = req.url ?? '/';
      if (!options.access.enabled || !url.startsWith('/f/')) return url;
      const m = FORK_PREFIX.exec(url);
      if (!m) return url;
      (req as IncomingMessage & { [FORK_ID]?: string })[FORK_ID] = m[1];
      const rest = url.slice(m[0].length);
      return rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
    },
    install,
    worldOf,
    nextRequestId(req) {
      const forkId = (req as IncomingMessage & { [FORK_ID]?: string })[FORK_ID];
      const worldId = forkId !== undefined && worlds.get(forkId) !== undefined ? forkId : 'main';
      return requestIdsOf(worldId).next();
    },
  };
}

const MAX_JOURNAL_BODY_BYTES = 64 * 1024;

/**
 * What the journal keeps of a request's body, and how it describes the request. It keeps the body's
 * JSON text where the edge kept one (a parsed body can be ~28 times its size: http/json-body.ts), the
 * bytes or the (flat, form) value otherwise, and describes the request from that when it is read. A
 * body over 64 KiB is not kept: its request is described at once, from the whole body, which can
 * then go.
 */
function journalBodyOf(request: FastifyRequest, known: FullFacts | undefined): { body: unknown; describe: () => RequestDescription } {
  const parts = partsOf(request);
  const kept = request.jsonText ?? parts.body;
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  const size = Number.isFinite(declared) ? declared : typeof kept === 'string' || Buffer.isBuffer(kept) ? kept.length : 0;
  if (size > MAX_JOURNAL_BODY_BYTES) return notKept(size, describeRequest(known ?? factsOf(parts), parts.body));
  return keptAs({ ...parts, body: kept });
}

// the closures are made in functions of their own: a closure holds its whole scope, and one made
// beside `kept` would keep the body it was meant to let go
function notKept(size: number, description: RequestDescription): { body: unknown; describe: () => RequestDescription } {
  return { body: `[body of ${size} bytes not kept]`, describe: () => description };
}

function keptAs(parts: RequestParts): { body: unknown; describe: () => RequestDescription } {
  return { body: parts.body, describe: () => describeRequest(factsOf(parts), parts.body) };
}

function describeRequest(facts: FullFacts, body: unknown): RequestDescription {
  return { api: facts.api, route: facts.route, operation: facts.operation, fields: facts.fields, principal: principalOf(facts, body) };
}

const MAX_JOURNAL_PAYLOAD_CHARS = 64 * 1024;

/** The response as sent; a very large one is cut here (a real copy, so the original can be freed). */
function payloadForJournal(payload: unknown): unknown {
  if (payload === undefined || payload === null) return undefined;
  if (Buffer.isBuffer(payload)) payload = payload.subarray(0, MAX_JOURNAL_PAYLOAD_CHARS + 1).toString('utf8');
  if (typeof payload !== 'string') return '[stream]';
  if (payload.length <= MAX_JOURNAL_PAYLOAD_CHARS) return payload;
  return `${Buffer.from(payload.slice(0, MAX_JOURNAL_PAYLOAD_CHARS), 'utf8').toString('utf8')}…[truncated ${payload.length - MAX_JOURNAL_PAYLOAD_CHARS} chars]`;
}
