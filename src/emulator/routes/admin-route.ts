import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppWorld, Controls } from '../controls.js';

/**
 * One route of the emulator's admin API (/_roster): declared once, the same declaration validates
 * requests (Fastify schemas, strict bodies) and produces the OpenAPI document. Resources keep their
 * routes in files of their own beside this one; admin-routes.ts puts them together.
 */
export type Schema = Record<string, unknown>;

export interface RouteContext {
  controls: Controls;
  world: AppWorld;
}

export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** relative to /_roster, Fastify syntax */
  url: string;
  summary: string;
  description?: string;
  body?: Schema;
  bodyRequired?: boolean;
  querystring?: Schema;
  responses: Record<number, string>;
  bodyLimit?: number;
  handler(request: FastifyRequest, reply: FastifyReply, ctx: RouteContext): Promise<unknown>;
}

export const NAME = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' };
/** the body of a POST or PUT that takes none: absent, or an empty object */
export const NO_BODY: Schema = { type: 'object', additionalProperties: false, properties: {} };

export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
