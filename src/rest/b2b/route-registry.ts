import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';
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
    serializerCompiler: lazySerializer,
    config: { fieldNames: route.fieldNames ?? {}, b2bKnownPath: true },
    // the promise's value is ignored by Fastify (an async hook answers only through reply.send)
    ...(route.onRequest ? { onRequest: route.onRequest as (request: FastifyRequest, reply: FastifyReply) => Promise<void> } : {}),
    handler: route.handler,
  });
}

/**
 * Fastify's own response serializer (fast-json-stringify, same options), compiled on a route's
 * first answer instead of at start: compiling the B2B routes' schemas was about a fifth of
 * buildApp + ready, and most apps (test files, CLI runs) never answer most routes.
 */
function lazySerializer({ schema }: { schema: unknown }): (data: unknown) => string {
  let compiled: ((data: unknown) => string) | undefined;
  return (data) => {
    compiled ??= fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]) as (data: unknown) => string;
    return compiled(data);
  };
}
