import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { parseB2bJsonBody } from '../../http/json-body.js';
import { mayUse, type ManagementCredential, resolveManagementCredential } from '../../auth/b2b-management-auth.js';
import { answerKey, createAnswerCache } from '../../http/answer-cache.js';
import { consumeB2bQuota, quotaHeaders, throttledError } from '../../http/b2b-caller.js';
import type { RateLimitDecision } from '../../domain/rate-limits/rate-limiter.js';
import { AppError } from '../../shared/errors.js';
import { JSON_TYPE, type ManagementFamily, managementErrorHandler, sendManagementError } from './management-envelope.js';
import { registerManagementCompanyRoutes } from './companies-routes.js';
import { buildManagementOpenApi } from './management-openapi.js';
import { MANAGEMENT_PREFIX } from '../../http/api-error-response.js';
import { registerManagementUserRoutes } from './users-routes.js';

/**
 * The B2B Edition REST Management API v3 (b2b-management-rest.md) under `/api/v3/io` (forks: the
 * app strips `/f/{id}` first). One encapsulated plugin with its own envelope, JSON-only body parser,
 * CORS and rate-limit headers on every answer, OPTIONS 204, 405 with `Allow` on known paths and 501
 * for everything outside the served set (§1.2), before authentication and uncounted.
 *
 * Order of checks (§2.3, §14 #4): route (501) → credentials (401) → scope (403) → rate limit (429)
 * → method (405) → body size (413) → Content-Type (415) → JSON (400) → path ids (404) → bulk size
 * (413) → fields (422) → rules (422/409). The first four run in `onRequest`, before the body is read.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** the Management API caller, once authenticated; null before */
    managementCaller: { credential: ManagementCredential; decision: RateLimitDecision | null; version: string | undefined } | null;
  }
}

export const MANAGEMENT_CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authToken, Content-Type, Authorization, X-Auth-Token, X-Store-Hash',
  'access-control-allow-methods': 'GET, POST, PUT, OPTIONS, DELETE, PATCH',
  'access-control-max-age': '1728000',
};

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ManagementRoute {
  method: Method;
  /** under the prefix, Fastify syntax (`/users/:userId`) */
  url: string;
  /** BigCommerce's operationId (§1.1): the journal and fault rules can name it */
  operationId: string;
  summary: string;
  family: ManagementFamily;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** refused with this error right after authentication, before the body is read (fixed answers, §1.2) */
  refuse?: () => AppError;
}

/** The authenticated caller of a request (after `onRequest`). */
export function callerOf(request: FastifyRequest): ManagementCredential {
  const caller = request.managementCaller;
  if (!caller) throw new AppError('B2B_NO_CREDENTIALS');
  return caller.credential;
}

/** 401 → 403 → 429 (§2.3): the store is counted once the credential is valid (§9), whatever follows. */
async function authenticate(request: FastifyRequest): Promise<void> {
  const services = request.services;
  const version = await services.readVersion.take();
  const credential = await resolveManagementCredential(services.database, request.headers, version);
  const decision = await consumeB2bQuota(services, credential.storeHash);
  request.managementCaller = { credential, decision, version };
  if (!mayUse(credential, request.method)) throw new AppError('B2B_FORBIDDEN');
  if (decision && !decision.allowed) throw throttledError(decision);
}

/** `POST/PUT/DELETE /companies/roles...` and `/companies/permissions...` (§1.2) */
const NOT_IMPLEMENTED_WRITES = /^\/companies\/(roles|permissions)(\/|$)/;

/** 501 in the envelope, for what Roster does not serve (§1.2): the request's method and path */
function notImplemented(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = (request.url.split('?')[0] ?? '').replace(/^\/f\/[^/]+/, '');
  return sendManagementError(reply, new AppError('MANAGEMENT_NOT_IMPLEMENTED', `Roster does not implement ${request.method} ${path}.`), 'users');
}

/** authenticates, then refuses before the body is read (405 comes before 413/415/400, §2.3) */
function refusing(error: () => AppError, allow?: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await authenticate(request);
    if (allow !== undefined) reply.header('allow', allow);
    throw error();
  };
}

const answers = createAnswerCache();

/** A read's answer: from the cache when this credential asked for this URL at this data version. */
async function sendCached(request: FastifyRequest, reply: FastifyReply, route: ManagementRoute): Promise<FastifyReply> {
  const services = request.services;
  const caller = request.managementCaller;
  const scope = { database: services.database, version: caller?.version };
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  const key = caller ? answerKey(header('x-auth-token'), header('authtoken'), header('x-store-hash'), request.url) : undefined;
  if (key !== undefined) {
    const hit = answers.get(scope, key);
    if (hit !== undefined) return reply.type(JSON_TYPE).send(hit);
  }
  const text = JSON.stringify(await route.handler(request, reply));
  if (key !== undefined && reply.statusCode === 200) await answers.keep(scope, key, text, () => services.readVersion.take());
  return reply.type(JSON_TYPE).send(text);
}

/** Serialized as written (key order of §14 #33), compact. */
function send(reply: FastifyReply, body: unknown): FastifyReply {
  if (body === undefined) return reply.send();
  return reply.type(JSON_TYPE).send(JSON.stringify(body));
}

export async function b2bManagementPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('managementCaller', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseB2bJsonBody);
  // §3.2: any other media type is 415; a body without Content-Type is read as JSON
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (request.headers['content-type'] === undefined) parseB2bJsonBody(request, body, done);
    else done(new AppError('UNSUPPORTED_MEDIA_TYPE'));
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(MANAGEMENT_CORS_HEADERS);
    reply.headers(quotaHeaders(request.managementCaller?.decision ?? null));
    if (request.managementRetryAfter !== undefined) reply.header('retry-after', request.managementRetryAfter);
    done(null, payload);
  });
  app.setErrorHandler(managementErrorHandler);
  // §1.2: every other path under the prefix is not implemented (before authentication, not counted)
  app.setNotFoundHandler(notImplemented);
  app.options('/*', async (_request, reply) => reply.code(204).send());

  const routes: ManagementRoute[] = [];
  const add = (route: ManagementRoute) => routes.push(route);
  registerManagementUserRoutes(add);
  registerManagementCompanyRoutes(add);
  // §1.2: a documented route Roster answers with a fixed 405, after authentication
  add({
    method: 'PUT',
    url: '/companies/:companyId/catalogs',
    operationId: 'put-companies-companyId-catalog',
    summary: 'Not allowed with Independent Companies behaviour (fixed 405)',
    family: 'companies',
    refuse: () => new AppError('B2B_METHOD_NOT_ALLOWED'),
    async handler() {
      throw new AppError('B2B_METHOD_NOT_ALLOWED');
    },
  });

  // not a BigCommerce route: Roster's description of this API (no credentials needed)
  let document: string | undefined;
  app.get('/openapi.json', async (_request, reply) => {
    document ??= JSON.stringify(buildManagementOpenApi(routes, MANAGEMENT_PREFIX), null, 2);
    return reply.type('application/json; charset=utf-8').send(document);
  });

  for (const route of routes) {
    // reads answer from the edges' answer cache (http/answer-cache.ts) per credential and URL, for the
    // data version taken before the caller was resolved; the hierarchy counts its own bucket per call
    const cached = route.method === 'GET' && route.family !== 'hierarchy';
    app.route({
      method: route.method,
      url: route.url,
      config: { family: route.family, operationId: route.operationId },
      onRequest: route.refuse ? refusing(route.refuse) : authenticate,
      handler: (cached
        ? async (request, reply) => sendCached(request, reply, route)
        : async (request, reply) => send(reply, await route.handler(request, reply))) as RouteHandlerMethod,
    });
  }
  // 405 with Allow for the other methods of a known path (after authentication, §2.3)
  const byPath = new Map<string, { family: ManagementFamily; methods: Set<string> }>();
  for (const route of routes) {
    const entry = byPath.get(route.url) ?? { family: route.family, methods: new Set<string>() };
    entry.methods.add(route.method);
    byPath.set(route.url, entry);
  }
  for (const [url, { family, methods }] of byPath) {
    const missing = METHODS.filter((method) => !methods.has(method));
    if (missing.length === 0) continue;
    // §1.2: writing roles and permissions is not implemented (501 before authentication), not "not allowed"
    if (NOT_IMPLEMENTED_WRITES.test(url)) {
      app.route({
        method: missing,
        url,
        // answered before the body is read
        onRequest: async (request, reply) => notImplemented(request, reply),
        handler: async (request, reply) => notImplemented(request, reply),
      });
      continue;
    }
    const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    app.route({
      method: missing,
      url,
      config: { family },
      onRequest: refusing(() => new AppError('B2B_METHOD_NOT_ALLOWED'), allow),
      handler: async () => {
        throw new AppError('B2B_METHOD_NOT_ALLOWED');
      },
    });
  }
}
