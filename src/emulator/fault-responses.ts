import type { FastifyReply } from 'fastify';
import type { FaultEffect } from './journal/faults.js';
import { sendApiError } from '../http/api-error-response.js';
import { graphqlErrorItem } from '../http/error-formats.js';
import type { FullFacts } from './request-facts.js';

/**
 * The response a fault rule asks for, in the error format of the API that was called, so a
 * client's own error handling is what gets exercised.
 */
export function sendFault(reply: FastifyReply, facts: FullFacts, effect: FaultEffect, ruleId: string): FastifyReply {
  reply.header('x-roster-fault', ruleId);
  if (effect.graphqlError !== undefined) {
    const message = effect.graphqlError.message ?? effect.message ?? 'Internal server error';
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send({ data: null, errors: [graphqlErrorItem(message, effect.graphqlError.code)] });
  }
  return sendApiError(reply, facts.path, effect.status ?? 500, effect.message);
}
