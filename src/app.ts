import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Database } from './db/database.js';
import { createMemoryRateLimitStore, type RateLimitStore } from './domain/rate-limits/rate-limiter.js';
import { createServices, type RuntimeSettings, type Services } from './services.js';
import { resolveWorldSettings } from './runtime-settings.js';
import type { Clock } from './shared/clock.js';
import { type ControllableClock, createClock } from './shared/clock.js';
import type { AdminAccess } from './emulator/admin-access.js';
import { adminPlugin } from './emulator/admin-routes.js';
import { type ControlsOptions, createControls } from './emulator/controls.js';
import { createIdGenerator, type IdGenerator } from './shared/ids.js';
import { accountGraphqlRoutes, tolerantAccountPath } from './graphql/account/account-graphql-routes.js';
import { b2bGraphqlRoutes } from './graphql/b2b/b2b-graphql-routes.js';
import { registerGraphiqlAssets } from './graphql/graphiql.js';
import { errorPathOf, sendApiError } from './http/api-error-response.js';
import { lazySerializerCompiler, lazyValidatorCompiler } from './http/lazy-schema-compilers.js';
import { installConnectionLifecycle } from './http/connection-lifecycle.js';
import { decorateJsonText } from './http/json-body.js';
import { answerB2bFrameworkError, b2bRestPlugin } from './rest/b2b/b2b-rest-plugin.js';
import { b2bManagementPlugin } from './rest/b2b-management/management-plugin.js';
import { webhooksPlugin } from './rest/webhooks/webhooks-plugin.js';
import { MANAGEMENT_PREFIX } from './http/api-error-response.js';
import { redactUrl } from './shared/redact.js';
import { runInRequest } from './shared/request-scope.js';

export interface AppDeps {
  database: Database;
  settings: RuntimeSettings;
  clock?: Clock;
  ids?: IdGenerator;
  rateLimitStore?: RateLimitStore;
  /** pino options, a logger instance, or false for silence (tests) */
  logger?: FastifyServerOptions['logger'];
  loggerInstance?: FastifyBaseLogger;
  /** reported by /healthz: true while shared rate-limit counters are unavailable */
  isRateLimitDegraded?: () => boolean;
  // --- emulator controls (src/emulator): reset, snapshots, forks, clock, faults, journal
  /** who may use /_roster (default: on, no token: buildApp never listens, the caller decides; see resolveAdminAccess) */
  admin?: AdminAccess;
  /** PostgreSQL: the connection string, needed to open forks' schemas */
  databaseUrl?: string;
  /** --deterministic: the ids seed (forks get their own seeded generators) */
  deterministicSeed?: string;
  /** the rate-limit flags the settings were resolved with (kept when a reset re-reads the fixture's settings) */
  settingsFlags?: ControlsOptions['settingsFlags'];
  /** requests kept per world by the journal (default 500; 0 keeps none) */
  journalSize?: number;
  /** worlds up to this many rows take their reset baseline at start-up, bigger ones before their first write (default 50,000) */
  eagerBaselineRows?: number;
  /** SQLite: worlds bigger than this many bytes keep their reset baseline and snapshots in files next to the database, not in memory (default 64 MiB) */
  sqliteImageMemoryBytes?: number;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** the whole request (headers and body) must arrive within this time */
export const REQUEST_TIMEOUT_MS = 30_000;
/** an idle socket is closed after this time */
export const CONNECTION_TIMEOUT_MS = 120_000;

/** Pino options shared by the CLI and tests: request id on every line, secrets never logged; `stream`: where the lines go (default stdout). */
export function loggerOptions(level: string, stream?: { write(line: string): void }): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-auth-token"]',
        'req.headers.authtoken',
        'req.headers.cookie',
        'headers.authorization',
        'headers["x-auth-token"]',
        'headers.authtoken',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; ip?: string; id?: string }) {
        return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
      },
    },
  };
}

/**
 * Builds the whole server: every API on one Fastify instance. Never listens (the CLI does),
 * so tests drive it with inject().
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance & { services: Services }> {
  const clock = controllable(deps.clock);
  const ids = deps.ids ?? createIdGenerator();
  const controls = createControls({
    createServices,
    resolveSettings: resolveWorldSettings,
    database: deps.database,
    clock,
    ids,
    settings: deps.settings,
    rateLimitStore: deps.rateLimitStore ?? createMemoryRateLimitStore(),
    access: deps.admin ?? { enabled: true, token: undefined },
    databaseUrl: deps.databaseUrl,
    deterministicSeed: deps.deterministicSeed,
    settingsFlags: deps.settingsFlags,
    journalSize: deps.journalSize,
    eagerBaselineRows: deps.eagerBaselineRows,
    sqliteImageMemoryBytes: deps.sqliteImageMemoryBytes,
  });
  const services = controls.main;

  const app = Fastify({
    ...(deps.loggerInstance ? { loggerInstance: deps.loggerInstance } : { logger: deps.logger ?? false }),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : controls.nextRequestId(req);
    },
    // while closing, requests get a 503 in their API's own format (hook below), not Fastify's body
    return503OnClosing: false,
    // on close: idle keep-alive connections are closed at once, in-flight requests finish
    forceCloseConnections: 'idle',
    // a client that never finishes sending its request is cut off; the socket is freed
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    // a path parameter of any length reaches its route (an account segment of 5,000 characters is an
    // unknown account: 403); the whole request head is bounded by Node's header size limit anyway
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // every validator and response serializer compiles on its first use (lazy-schema-compilers.ts);
    // Fastify's default factories compile at start and load @fastify/ajv-compiler and ajv's JTD build
    // at construction. (Typed for ajv's own compile function; Fastify calls each factory and uses what
    // it returns as the compiler.)
    schemaController: {
      compilersFactory: { buildValidator: (() => lazyValidatorCompiler) as never, buildSerializer: () => lazySerializerCompiler },
    },
    // /f/{forkId}/... serves every API on a fork: the prefix is stripped here, the fork remembered
    // and an Account API path whose account segment does not decode keeps it as text (403, not 400)
    rewriteUrl: (req) => tolerantAccountPath(controls.rewriteUrl(req)),
    // a path Fastify cannot decode (%zz): a 400 in the error format of the API the path belongs to
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id); // no hook runs for these
      if (answerB2bFrameworkError(error, request, reply)) return;
      sendApiError(reply, errorPathOf(request.raw.url ?? ''), 400, (error as { code?: string }).code === 'FST_ERR_BAD_URL' ? 'Malformed URL' : 'Bad request');
    },
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // callback style (no promise per request): the request id header, set before anything can answer
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // the rest of this request runs in its scope: records made for it name it (shared/request-scope.ts)
    if (!closing) return runInRequest(request.id, done);
    reply.header('connection', 'close');
    sendApiError(reply, errorPathOf(request.url), 503, 'Service Unavailable: the server is shutting down');
  });

  // answers while closing end their connection; refused requests whose body is still arriving close
  // lingering, so that the client can read the answer
  installConnectionLifecycle(app, () => closing);

  app.decorate('services', services);
  // Handlers read services from the request, never from a closure: the emulator's forks
  // (/f/{forkId}/...) swap in the services of an isolated copy of the world per request.
  app.decorateRequest('services', null as unknown as Services);
  decorateJsonText(app);
  app.decorate('controls', controls);
  controls.install(app); // sets request.services (main world or fork), faults, request journal
  if (controls.access.enabled) {
    await controls.worlds.init(); // the state /_roster/reset returns to
    await app.register(adminPlugin, { prefix: '/_roster', controls });
  }
  app.addHook('onClose', async () => controls.worlds.close());

  app.get('/healthz', async () => {
    if (deps.isRateLimitDegraded?.()) return { status: 'ok', rateLimits: 'degraded: local counters (Redis unreachable)' };
    return { status: 'ok' };
  });

  // APIs register here: each is an encapsulated plugin with its own error format.
  await app.register(b2bRestPlugin);
  await app.register(b2bManagementPlugin, { prefix: MANAGEMENT_PREFIX });
  await app.register(webhooksPlugin, { prefix: '/stores' });
  registerGraphiqlAssets(app);
  await app.register(accountGraphqlRoutes);
  await app.register(b2bGraphqlRoutes);

  // outside every API's own routes: still in the error format of the API the path belongs to
  app.setNotFoundHandler((request, reply) => {
    sendApiError(reply, errorPathOf(request.url), 404, `No route for ${request.method} ${redactUrl(request.url).split('?')[0]}`);
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unexpected error');
    sendApiError(reply, errorPathOf(request.url), status, status === 500 ? 'Internal server error' : error.message);
  });

  return app as FastifyInstance & { services: Services };
}

/** A plain Clock (tests) still gets the emulator's clock controls, layered on top of it. */
function controllable(clock: Clock | undefined): ControllableClock {
  if (clock === undefined) return createClock();
  if ('freeze' in clock && 'advance' in clock && 'real' in clock) return clock as ControllableClock;
  return createClock({ source: () => clock.now() });
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
  interface FastifyRequest {
    /** the world this request works on: the main one, or a fork's */
    services: Services;
  }
}
