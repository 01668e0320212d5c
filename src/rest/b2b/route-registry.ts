import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerKey, createAnswerCache, createItemAnswerCache } from '../../http/answer-cache.js';
import { companyUsersTenant } from '../../domain/domain-events.js';
import type { CompanyUsersShown } from '../../domain/company-users/company-user-types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by a `cacheAnswer` handler whose answer shows only a Company's users: which Company and
     * which users (null: any change in the Company may change it). The answer is then kept per
     * item (http/answer-cache.ts createItemAnswerCache) instead of per data version.
     */
    answerDependsOn: CompanyUsersShown | null;
  }
}
import type { B2bRouteDoc } from './openapi.js';

/**
 * Registers one documented B2B route: the doc's response schema becomes Fastify's 200 serializer;
 * the doc is collected for the OpenAPI document. No request schemas on purpose: our own validation
 * produces the spec's 422 bodies in the §14 #10 order.
 */
export interface B2bRoute {
  doc: B2bRouteDoc;
  /**
   * A read whose answer depends only on the caller and the stored data: its serialized answers are
   * kept in the edges' answer cache (http/answer-cache.ts) per token and URL, for the data version
   * `authenticate` took before it resolved the caller.
   */
  cacheAnswer?: boolean;
  onRequest?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** domain field → wire field for 422 details */
  fieldNames?: Record<string, string>;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export function registerRoute(app: FastifyInstance, docs: B2bRouteDoc[], route: B2bRoute): void {
  docs.push(route.doc);
  app.route({
    method: route.doc.method,
    url: route.doc.url.startsWith(app.prefix) ? route.doc.url.slice(app.prefix.length) : route.doc.url,
    schema: { response: { 200: route.doc.response } },
    config: { fieldNames: route.fieldNames ?? {}, b2bKnownPath: true },
    // the promise's value is ignored by Fastify (an async hook answers only through reply.send)
    ...(route.onRequest ? { onRequest: route.onRequest as (request: FastifyRequest, reply: FastifyReply) => Promise<void> } : {}),
    handler: route.cacheAnswer ? (request, reply) => sendCachedAnswer(request, reply, route.handler) : route.handler,
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';
const answers = createAnswerCache();
const itemAnswers = createItemAnswerCache();

/**
 * Sends the answer this token got for this URL at this data version, or builds it and offers it to
 * the cache. The caller was resolved and counted (onRequest) and its rate-limit headers are added
 * (onSend) on every request; errors are thrown by `build` and never kept.
 */
async function sendCachedAnswer(request: FastifyRequest, reply: FastifyReply, build: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): Promise<FastifyReply> {
  const services = request.services;
  const caller = request.b2bCaller;
  const scope = { database: services.database, version: caller?.version };
  const key = caller?.token !== undefined && caller.principal !== undefined ? answerKey(caller.token, request.url) : undefined;
  if (key !== undefined) {
    const hit = answers.get(scope, key) ?? itemAnswers.get(services.database, key);
    if (hit !== undefined) return reply.type(JSON_TYPE).send(hit);
  }
  const text = reply.serialize(await build(request, reply)) as string;
  if (key !== undefined) {
    const principal = caller?.principal;
    const shows = request.answerDependsOn;
    // per item when the answer shows the caller's own Company only (the caller's own row is one of its items: its role decides)
    if (shows && caller?.mark && principal?.kind === 'companyUser' && shows.companyId === principal.companyId) {
      itemAnswers.keep(services.database, key, text, {
        shows: [{ tenant: companyUsersTenant(shows.companyId), items: shows.items === null ? null : [...shows.items, principal.userId], ...(shows.alsoIf ? { alsoIf: shows.alsoIf } : {}) }],
        mark: caller.mark,
      });
    } else await answers.keep(scope, key, text, () => services.readVersion.take());
  }
  return reply.type(JSON_TYPE).send(text);
}
