import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { FaultEffect } from '../domain/journal/faults.js';
import type { FullFacts } from './request-facts.js';

/**
 * The response a fault rule asks for, in the error format of the API that was called, so a
 * client's own error handling is what gets exercised.
 */
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

export function sendFault(reply: FastifyReply, facts: FullFacts, effect: FaultEffect, ruleId: string): FastifyReply {
  reply.header('x-roster-fault', ruleId);
  if (effect.graphqlError !== undefined) {
    const message = effect.graphqlError.message ?? effect.message ?? 'Internal server error';
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send({ data: null, errors: [{ message, extensions: { code: effect.graphqlError.code } }] });
  }
  const status = effect.status ?? 500;
  const message = effect.message ?? defaultMessage(status);
  const retry = status === 429 || status === 503;
  reply.code(status).type('application/json; charset=utf-8');
  switch (facts.api) {
    case 'account-graphql':
      if (status === 429) {
        reply.header('x-retry-after', '1').header('retry-after', '1');
        return reply.send({ status: 429, title: effect.message ?? 'Too many requests', type: '/api-docs/getting-started/api-status-codes', errors: {} });
      }
      if (status === 405) reply.header('allow', 'POST');
      return reply.send({ errors: [{ message, extensions: { code: accountGraphqlCodes[status] ?? `HTTP_${status}` } }] });
    case 'b2b-graphql': {
      if (retry) reply.header('retry-after', '1');
      const text = status === 429 && effect.message === undefined ? 'Request was throttled. Expected available in 1 seconds.' : message;
      return reply.send({ data: null, errors: [{ message: text, extensions: { code: status === 401 ? 40101 : status } }] });
    }
    case 'b2b-rest': {
      if (retry) reply.header('retry-after', '1');
      const text = status === 429 && effect.message === undefined ? 'Request was throttled. Expected available in 1 seconds.' : message;
      if (facts.path.startsWith('/api/io/auth')) return reply.send({ code: status, data: { errMsg: text }, meta: { message: text } });
      return reply.send({ code: status, message: text, data: { errMsg: text } });
    }
    default:
      if (retry) reply.header('retry-after', '1');
      return reply.send({ code: status, message, data: { errMsg: message } });
  }
}
