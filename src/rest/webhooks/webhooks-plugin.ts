import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SCOPE_MODIFY } from '../../auth/b2b-management-auth.js';
import { findB2bApiAccountByTokenHash } from '../../domain/b2b-api-accounts/b2b-api-account-repository.js';
import type { Webhook } from '../../domain/webhooks/webhook-repository.js';
import type { WebhookCaller } from '../../domain/webhooks/webhook-service.js';
import { v3ErrorBody } from '../../http/error-formats.js';
import { AppError, isAppError } from '../../shared/errors.js';
import { hashToken } from '../../shared/secrets.js';

/**
 * The webhooks registration API (webhooks.md §4) at `/stores/{store_hash}/v3/hooks` (forks: the app
 * strips `/f/{id}` first): BigCommerce's v3 envelope `{data, meta}`, its error format `{status,
 * title, type[, errors]}`, store-level API accounts of the path's store only, hooks visible to
 * their `client_id` only. Not rate limited, not counted in the B2B bucket (§10 #24).
 */
const JSON_TYPE = 'application/json';

declare module 'fastify' {
  interface FastifyRequest {
    webhookCaller: WebhookCaller | null;
  }
}

/** §4.2, keys in the order of BigCommerce's example */
export function webhookObject(hook: Webhook): Record<string, unknown> {
  return {
    id: hook.id,
    client_id: hook.clientId,
    store_hash: hook.storeHash,
    created_at: Math.floor(hook.createdAt / 1000),
    updated_at: Math.floor(hook.updatedAt / 1000),
    scope: hook.scope,
    destination: hook.destination,
    is_active: hook.isActive,
    headers: hook.headers,
  };
}

function send(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type(JSON_TYPE).send(JSON.stringify(body));
}

function sendV3Error(reply: FastifyReply, error: AppError): FastifyReply {
  const errors = error.details?.errors as Record<string, string> | undefined;
  return reply.code(error.status).type(JSON_TYPE).send(JSON.stringify(v3ErrorBody(error.status, error.message, errors)));
}

/** §4.1: the X-Auth-Token of a store-level API account of the path's store; anything else 401. */
async function authenticate(request: FastifyRequest): Promise<void> {
  const storeHash = (request.params as { storeHash?: string }).storeHash ?? '';
  const raw = request.headers['x-auth-token'];
  const token = (Array.isArray(raw) ? raw[raw.length - 1] : raw)?.trim();
  if (!token || token.length > 512) throw new AppError('WEBHOOK_UNAUTHORIZED');
  const account = await findB2bApiAccountByTokenHash(request.services.database, hashToken(token));
  if (!account || account.storeHash !== storeHash) throw new AppError('WEBHOOK_UNAUTHORIZED');
  request.webhookCaller = { storeHash, clientId: account.clientId, mayUseB2b: account.scopes.includes(SCOPE_MODIFY) };
}

function callerOf(request: FastifyRequest): WebhookCaller {
  if (!request.webhookCaller) throw new AppError('WEBHOOK_UNAUTHORIZED');
  return request.webhookCaller;
}

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('WEBHOOK_INPUT_INVALID');
  return body as Record<string, unknown>;
}

/** A path id: digits within 2^53-1, else undefined (the 404 names the segment as sent). */
function idOf(request: FastifyRequest): { id: number | undefined; asSent: string } {
  const asSent = (request.params as { webhookId?: string }).webhookId ?? '';
  const id = /^\d+$/.test(asSent) && Number.isSafeInteger(Number(asSent)) ? Number(asSent) : undefined;
  return { id, asSent };
}

function queryValue(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last : undefined;
}

export async function webhooksPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('webhookCaller', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('WEBHOOK_INPUT_INVALID'));
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => done(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type')));
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (isAppError(error)) return sendV3Error(reply, error);
    const fe = error as FastifyError;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) return sendV3Error(reply, new AppError('PAYLOAD_TOO_LARGE', 'Request Entity Too Large'));
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) return sendV3Error(reply, new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'));
    if (fe.statusCode === 400) return sendV3Error(reply, new AppError('WEBHOOK_INPUT_INVALID'));
    request.log.error({ err: error, reqId: request.id }, 'unexpected error in the webhooks API');
    return sendV3Error(reply, new AppError('INTERNAL', 'Internal Server Error'));
  });
  app.setNotFoundHandler((_request, reply) => sendV3Error(reply, new AppError('NOT_FOUND', 'Not Found')));

  // registered under the prefix /stores
  const collection = '/:storeHash/v3/hooks';
  const item = '/:storeHash/v3/hooks/:webhookId';

  app.post(collection, { onRequest: authenticate, config: { operationId: 'createWebhooks' } }, async (request, reply) => {
    const hook = await request.services.webhooks.create(callerOf(request), bodyOf(request));
    return send(reply, { data: webhookObject(hook), meta: {} });
  });

  app.get(collection, { onRequest: authenticate, config: { operationId: 'getWebhooks' } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const pageText = queryValue(query, 'page');
    const limitText = queryValue(query, 'limit');
    const page = pageText !== undefined && /^\d+$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : 1;
    let limit = limitText !== undefined && /^\d+$/.test(limitText) && Number(limitText) >= 1 ? Number(limitText) : 50;
    if (limit > 250) limit = 250;
    const active = queryValue(query, 'is_active');
    const isActive = active === undefined || active === '' ? undefined : active === 'true' || active === '1' ? true : active === 'false' || active === '0' ? false : undefined;
    const scope = queryValue(query, 'scope');
    const destination = queryValue(query, 'destination');
    const all = await request.services.webhooks.list(callerOf(request), {
      ...(isActive !== undefined ? { isActive } : {}),
      ...(scope !== undefined && scope !== '' ? { scope } : {}),
      ...(destination !== undefined && destination !== '' ? { destination } : {}),
    });
    const total = all.length;
    const totalPages = Math.ceil(total / limit);
    const items = all.slice((page - 1) * limit, page * limit);
    const link = (p: number) => `?page=${p}&limit=${limit}`;
    return send(reply, {
      data: items.map(webhookObject),
      meta: {
        pagination: {
          total,
          count: items.length,
          per_page: limit,
          current_page: page,
          total_pages: totalPages,
          links: { ...(page > 1 && page - 1 <= Math.max(totalPages, 1) ? { previous: link(page - 1) } : {}), current: link(page), ...(page < totalPages ? { next: link(page + 1) } : {}) },
        },
      },
    });
  });

  app.get(item, { onRequest: authenticate, config: { operationId: 'getWebhook' } }, async (request, reply) => {
    const { id, asSent } = idOf(request);
    return send(reply, { data: webhookObject(await request.services.webhooks.get(callerOf(request), id, asSent)), meta: {} });
  });

  app.put(item, { onRequest: authenticate, config: { operationId: 'updateWebhook' } }, async (request, reply) => {
    const { id, asSent } = idOf(request);
    const hook = await request.services.webhooks.update(callerOf(request), id, asSent, bodyOf(request));
    return send(reply, { data: webhookObject(hook), meta: {} });
  });

  app.delete(item, { onRequest: authenticate, config: { operationId: 'deleteWebhook' } }, async (request, reply) => {
    const { id, asSent } = idOf(request);
    return send(reply, { data: webhookObject(await request.services.webhooks.delete(callerOf(request), id, asSent)), meta: {} });
  });

  // 405 for the other methods of the two paths (after authentication)
  for (const [url, allow] of [
    [collection, 'GET, POST'],
    [item, 'GET, PUT, DELETE'],
  ] as const) {
    const used = allow.split(', ');
    const missing = (['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const).filter((m) => !used.includes(m));
    app.route({
      method: missing,
      url,
      onRequest: async (request, reply) => {
        await authenticate(request);
        reply.header('allow', allow);
        throw new AppError('B2B_METHOD_NOT_ALLOWED', 'Method Not Allowed');
      },
      handler: async () => {
        throw new AppError('B2B_METHOD_NOT_ALLOWED', 'Method Not Allowed');
      },
    });
  }
}
