import type { FaultRuleInput } from '../journal/faults.js';
import { apiNames } from '../../http/api-error-response.js';
import { AppError } from '../../shared/errors.js';
import type { AdminRoute, Schema } from './admin-route.js';

const faultSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['effect'],
  properties: {
    match: {
      type: 'object',
      additionalProperties: false,
      properties: {
        api: { type: 'string', enum: [...apiNames] },
        operation: { type: 'string', minLength: 1, description: 'GraphQL root field, root.child path, child field, operation name, or REST route ("GET /api/v2/users/:userId")' },
        token: { type: 'string', minLength: 1 },
        account: { type: 'string', minLength: 1, description: 'account UUID (Account API) or store hash (B2B)' },
        nth: { type: 'integer', minimum: 1 },
        probability: { type: 'number', minimum: 0, maximum: 1 },
        seed: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      },
    },
    effect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'integer', minimum: 400, maximum: 599 },
        message: { type: 'string' },
        graphqlError: {
          type: 'object',
          additionalProperties: false,
          required: ['code'],
          properties: { code: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, message: { type: 'string' } },
        },
        latencyMs: { type: 'integer', minimum: 0, maximum: 60000 },
        drop: { type: 'boolean' },
      },
    },
    times: { type: 'integer', minimum: 1 },
  },
};

/** Fault rules: make an API fail the way a test wants. */
export const faultRoutes: AdminRoute[] = [
  {
    method: 'GET',
    url: '/faults',
    summary: 'Fault rules of this world, with how often each matched and fired',
    responses: { 200: 'Rules' },
    async handler(_request, _reply, ctx) {
      return { faults: ctx.world.faults.list() };
    },
  },
  {
    method: 'POST',
    url: '/faults',
    summary: 'Add a fault rule',
    description:
      'match: any of api, operation, token, account, plus nth (fire on exactly the nth matching call) or probability with seed (the same seed gives the same sequence). effect: one of status (the API\'s own error body), graphqlError {code, message} (HTTP 200, GraphQL APIs only), drop (connection closed), optionally with latencyMs (alone: delay, then the real answer). times: firings before the rule goes inactive (nth: 1; otherwise until deleted). Responses shaped by a rule carry x-roster-fault: <rule id>.',
    body: faultSchema,
    bodyRequired: true,
    responses: { 201: 'The rule', 400: 'Invalid rule' },
    async handler(request, reply, ctx) {
      const rule = ctx.world.faults.add(request.body as FaultRuleInput);
      reply.code(201);
      return rule;
    },
  },
  {
    method: 'DELETE',
    url: '/faults',
    summary: 'Remove every fault rule of this world',
    responses: { 204: 'Removed' },
    async handler(_request, reply, ctx) {
      ctx.world.faults.clear();
      return reply.code(204).send();
    },
  },
  {
    method: 'GET',
    url: '/faults/:id',
    summary: 'One fault rule',
    responses: { 200: 'The rule', 404: 'No such rule' },
    async handler(request, _reply, ctx) {
      const { id } = request.params as { id: string };
      const rule = ctx.world.faults.list().find((r) => r.id === id);
      if (!rule) throw new AppError('FAULT_NOT_FOUND', `No fault rule "${id}"`);
      return rule;
    },
  },
  {
    method: 'DELETE',
    url: '/faults/:id',
    summary: 'Remove one fault rule',
    responses: { 204: 'Removed', 404: 'No such rule' },
    async handler(request, reply, ctx) {
      const { id } = request.params as { id: string };
      if (!ctx.world.faults.remove(id)) throw new AppError('FAULT_NOT_FOUND', `No fault rule "${id}"`);
      return reply.code(204).send();
    },
  },
];
