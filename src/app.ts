import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Database } from './db/database.js';
import { createMemoryRateLimitStore, type RateLimitStore } from './domain/rate-limits/rate-limiter.js';
import { createServices, type RuntimeSettings, type Services } from './services.js';
import type { Clock } from './shared/clock.js';
import { createClock } from './shared/clock.js';
import { createIdGenerator, type IdGenerator } from './shared/ids.js';
import { accountGraphqlRoutes } from './graphql/account/account-graphql-routes.js';
import { b2bGraphqlRoutes } from './graphql/b2b/b2b-graphql-routes.js';
import { registerGraphiqlAssets } from './graphql/graphiql.js';
import { b2bRestPlugin } from './rest/b2b/b2b-rest-plugin.js';
import { redactUrl } from './shared/redact.js';

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
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Pino options shared by the CLI and tests: request id on every line, secrets never logged. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
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
  const clock = deps.clock ?? createClock();
  const ids = deps.ids ?? createIdGenerator();
  const services = createServices({
    database: deps.database,
    clock,
    ids,
    settings: deps.settings,
    rateLimitStore: deps.rateLimitStore ?? createMemoryRateLimitStore(),
  });

  const app = Fastify({
    ...(deps.loggerInstance ? { loggerInstance: deps.loggerInstance } : { logger: deps.logger ?? false }),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : ids.next();
    },
    return503OnClosing: true,
    forceCloseConnections: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });

  app.decorate('services', services);
  // Handlers read services from the request, never from a closure: the emulator's forks
  // (/f/{forkId}/...) swap in the services of an isolated copy of the world per request.
  app.decorateRequest('services', null as unknown as Services);
  app.addHook('onRequest', async (request) => {
    if (request.services === null) request.services = services;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.get('/healthz', async () => {
    if (deps.isRateLimitDegraded?.()) return { status: 'ok', rateLimits: 'degraded: local counters (Redis unreachable)' };
    return { status: 'ok' };
  });

  // APIs register here: each is an encapsulated plugin with its own error format.
  await app.register(b2bRestPlugin);
  registerGraphiqlAssets(app);
  await app.register(accountGraphqlRoutes);
  await app.register(b2bGraphqlRoutes);

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 404, message: 'Not Found', data: { errMsg: `No route for ${request.method} ${redactUrl(request.url).split('?')[0]}` } });
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unexpected error');
    reply.code(status).send({ code: status, message: status === 500 ? 'Internal server error' : error.message, data: {} });
  });

  return app as FastifyInstance & { services: Services };
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
