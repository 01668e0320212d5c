import type { FastifyInstance, FastifyReply } from 'fastify';
import { registerConsole } from '../console/console-assets.js';
import { AppError, isAppError } from '../shared/errors.js';
import { isAdminAuthorized } from './admin-access.js';
import type { Controls } from './controls.js';
import { type AdminRoute, NO_BODY, type Schema } from './routes/admin-route.js';
import { clockRoutes } from './routes/clock-routes.js';
import { faultRoutes } from './routes/fault-routes.js';
import { forkRoutes } from './routes/fork-routes.js';
import { journalRoutes } from './routes/journal-routes.js';
import { rateLimitRoutes } from './routes/rate-limit-routes.js';
import { snapshotRoutes } from './routes/snapshot-routes.js';
import { tenantRoutes } from './routes/tenant-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';
import { worldRoutes } from './routes/world-routes.js';

/**
 * The emulator's admin API under /_roster: JSON in, JSON out, errors as
 * `{"error": {"code", "message", "path"?}}`. Every route works on the world of the request: the
 * main world at /_roster/..., a fork at /f/{forkId}/_roster/... (the clock is shared by all).
 * Each resource declares its routes in routes/; the same table validates requests and produces
 * the OpenAPI document served at /_roster/openapi.json.
 */
export const adminRoutes: AdminRoute[] = [...worldRoutes, ...snapshotRoutes, ...forkRoutes, ...clockRoutes, ...rateLimitRoutes, ...faultRoutes, ...journalRoutes, ...webhookRoutes, ...tenantRoutes];

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
    // the console's shell and script hold no data: served without the token (see console-assets.ts)
    if ((request.routeOptions.config as { consoleAsset?: boolean } | undefined)?.consoleAsset === true) return;
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
  registerConsole(app, { enabled: () => controls.access.enabled });

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

