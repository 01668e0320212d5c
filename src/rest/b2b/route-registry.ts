import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { B2bRouteDoc } from './openapi.js';

/**
 * Registers one documented B2B route: the doc's response schema becomes Fastify's 200 serializer;
 * the doc is collected for the OpenAPI document. No request schemas on purpose: our own validation
 * produces the spec's 422 bodies in the §14 #10 order.
 */
export interface B2bRoute {
  doc: B2bRouteDoc;
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
    handler: route.handler,
  });
}
