import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { throttledMessage } from './b2b-caller.js';
import { accountGraphqlErrors, b2bManagementErrorBody, b2bRestErrorBody, graphqlErrorItem, v3ErrorBody } from './error-formats.js';

/**
 * An HTTP-level error in the error format of the API a path belongs to, for the few answers that
 * are made outside an API's own plugin: framework errors (an undecodable URL), a server that is
 * shutting down, and the emulator's fault rules.
 */
/** The APIs Roster serves, by the names the emulator's journal and fault rules use. */
export type ApiName = 'account-graphql' | 'b2b-rest' | 'b2b-graphql' | 'b2b-management' | 'webhooks';
export const apiNames: readonly ApiName[] = ['account-graphql', 'b2b-rest', 'b2b-graphql', 'b2b-management', 'webhooks'];

/** where the B2B Management API v3 is served (b2b-management-rest.md §1) */
export const MANAGEMENT_PREFIX = '/api/v3/io';

export function apiOfPath(path: string): ApiName | 'other' {
  if (path.startsWith('/accounts/')) return 'account-graphql';
  if (path === '/graphql' || path === '/graphql/') return 'b2b-graphql';
  if (path === MANAGEMENT_PREFIX || path.startsWith(`${MANAGEMENT_PREFIX}/`)) return 'b2b-management';
  if (path.startsWith('/stores/')) return 'webhooks';
  if (path.startsWith('/api/')) return 'b2b-rest';
  return 'other';
}

const accountGraphqlCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

export function defaultMessage(status: number): string {
  if (status === 500) return 'Internal server error';
  return STATUS_CODES[status] ?? `HTTP ${status}`;
}

/** The path an error is answered for: without the query string and the fork prefix (/f/{id}). */
export function errorPathOf(url: string): string {
  return (url.split('?')[0] ?? '').replace(/^\/f\/[^/]+/, '');
}

/** Sends `status` with `message` in the API's own shape; `path` as errorPathOf gives it. */
export function sendApiError(reply: FastifyReply, path: string, status: number, message?: string): FastifyReply {
  const api = apiOfPath(path);
  const retry = status === 429 || status === 503;
  reply.code(status).type('application/json; charset=utf-8');
  switch (api) {
    case 'account-graphql':
      if (status === 429) {
        reply.header('x-retry-after', '1').header('retry-after', '1');
        return reply.send({ status: 429, title: message ?? 'Too many requests', type: '/api-docs/getting-started/api-status-codes', errors: {} });
      }
      if (status === 405) reply.header('allow', 'POST');
      if (retry) reply.header('retry-after', '1');
      return reply.send(accountGraphqlErrors(message ?? defaultMessage(status), accountGraphqlCodes[status] ?? `HTTP_${status}`));
    case 'b2b-graphql': {
      if (retry) reply.header('retry-after', '1');
      const text = status === 429 && message === undefined ? throttledMessage(1000) : (message ?? defaultMessage(status));
      // data: null as an executed operation that failed (what a fault rule stands for)
      return reply.send({ data: null, errors: [graphqlErrorItem(text, status === 401 ? 40101 : status)] });
    }
    case 'webhooks': {
      if (retry) reply.header('retry-after', '1');
      return reply.send(v3ErrorBody(status, message ?? defaultMessage(status)));
    }
    case 'b2b-management': {
      if (retry) reply.header('retry-after', '1');
      const text = status === 429 && message === undefined ? throttledMessage(1000) : (message ?? defaultMessage(status));
      return reply.send(b2bManagementErrorBody(status, text));
    }
    case 'b2b-rest': {
      if (retry) reply.header('retry-after', '1');
      const text = status === 429 && message === undefined ? throttledMessage(1000) : (message ?? defaultMessage(status));
      return reply.send(b2bRestErrorBody(path.startsWith('/api/io/auth') ? 'io' : 'v2', status, text));
    }
    default: {
      if (retry) reply.header('retry-after', '1');
      return reply.send(b2bRestErrorBody('v2', status, message ?? defaultMessage(status)));
    }
  }
}
