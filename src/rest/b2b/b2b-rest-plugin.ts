import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseB2bJsonBody } from '../../http/json-body.js';
import { errorPathOf } from '../../http/api-error-response.js';
import { AppError } from '../../shared/errors.js';
import { registerIoAuthRoutes, registerStorefrontTokenRoute, registerV2LoginRoute } from './auth-routes.js';
import { registerCompanyRoutes } from './companies-routes.js';
import { registerCustomerRoutes } from './customers-routes.js';
import { b2bErrorHandler, type EnvelopeStyle, sendError } from './envelope.js';
import { type B2bRouteDoc, buildOpenApiDocument, type JsonSchema } from './openapi.js';
import { B2B_CORS_HEADERS } from '../../http/b2b-caller.js';
import { applyB2bHeaders } from './request-context.js';
import { registerUserRoutes } from './users-routes.js';

/**
 * The B2B Edition REST storefront API (b2b-users-rest.md): `/api/v2/...` and `/api/io/auth/...`,
 * as two encapsulated plugins with their own envelope, error handler, 404 and 405 answers, body
 * parsers (JSON and form, §14 #15; anything else 415), CORS + rate-limit headers on every response
 * (§14 #13, #16) and OPTIONS 204. Register with `app.register(b2bRestPlugin)`.
 */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

function parseForm(_request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) out[key] = value;
  done(null, out);
}

async function setUpScope(scope: FastifyInstance, style: EnvelopeStyle): Promise<void> {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, parseB2bJsonBody);
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parseForm);
  scope.addHook('onSend', (request, reply, payload, done) => {
    applyB2bHeaders(request, reply);
    done(null, payload);
  });
  scope.setErrorHandler(b2bErrorHandler(style));
  scope.setNotFoundHandler((_request: FastifyRequest, reply: FastifyReply) => {
    sendError(reply, new AppError('NOT_FOUND', 'Not Found'), style);
  });
  scope.options('/*', async (_request, reply) => reply.code(204).send());
}

/** 405 for every method a known path does not serve */
function addMethodNotAllowed(scope: FastifyInstance, docs: readonly B2bRouteDoc[]): void {
  const byPath = new Map<string, Set<string>>();
  for (const doc of docs) {
    const url = doc.url.slice(scope.prefix.length);
    if (!doc.url.startsWith(scope.prefix)) continue;
    (byPath.get(url) ?? byPath.set(url, new Set()).get(url))?.add(doc.method);
  }
  for (const [url, used] of byPath) {
    const missing = METHODS.filter((m) => !used.has(m));
    if (missing.length === 0) continue;
    const allow = [...used, ...(used.has('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    scope.route({
      method: missing,
      url,
      handler: async (_request, reply) => {
        reply.header('allow', allow);
        throw new AppError('B2B_METHOD_NOT_ALLOWED');
      },
    });
  }
}

export async function b2bRestPlugin(app: FastifyInstance): Promise<void> {
  const docs: B2bRouteDoc[] = [];
  let document: JsonSchema | undefined;
  app.decorateRequest('b2bCaller', null);
  app.decorateRequest('answerDependsOn', null);

  await app.register(
    async (io) => {
      await setUpScope(io, 'io');
      const start = docs.length;
      registerIoAuthRoutes(io, docs);
      registerStorefrontTokenRoute(io, docs);
      addMethodNotAllowed(io, docs.slice(start));
    },
    { prefix: '/api/io' },
  );

  await app.register(
    async (v2) => {
      await setUpScope(v2, 'v2');
      const start = docs.length;
      registerV2LoginRoute(v2, docs);
      registerUserRoutes(v2, docs);
      registerCompanyRoutes(v2, docs);
      registerCustomerRoutes(v2, docs);
      addMethodNotAllowed(v2, docs.slice(start));
      v2.get('/openapi.json', async (_request, reply) => {
        document ??= buildOpenApiDocument(docs);
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(document, null, 2));
      });
    },
    { prefix: '/api/v2' },
  );
}

/** The document as the server serves it (for tools and the contract test). */
export function b2bOpenApiDocument(docs: readonly B2bRouteDoc[]): JsonSchema {
  return buildOpenApiDocument(docs);
}

/**
 * Fastify answers a path it cannot percent-decode (`%zz`, `%FF`, a lone `%`) before any route or
 * plugin runs (FST_ERR_BAD_URL). Wired as the root `frameworkErrors` handler: B2B REST paths get
 * the API's own envelope (400, with CORS headers); returns false for every other path so the
 * caller can answer in its own format.
 */
export function answerB2bFrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): boolean {
  const path = errorPathOf(request.raw.url ?? '');
  const style: EnvelopeStyle | undefined = path.startsWith('/api/io/') ? 'io' : path.startsWith('/api/v2/') ? 'v2' : undefined;
  if (style === undefined) return false;
  reply.headers(B2B_CORS_HEADERS);
  const message = (error as { code?: string }).code === 'FST_ERR_BAD_URL' ? 'Malformed URL' : 'Bad request';
  sendError(reply, new AppError('BAD_REQUEST', message), style);
  return true;
}

