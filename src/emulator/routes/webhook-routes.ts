import { AppError } from '../../shared/errors.js';
import type { AdminRoute } from './admin-route.js';

/** Webhook deliveries of a world (webhooks.md §7.2-§7.3): drain for tests, the delivery log, the blocklist. */
export const webhookRoutes: AdminRoute[] = [
  {
    method: 'POST',
    url: '/webhooks/drain',
    summary: 'Run every webhook attempt due at the current clock time, wait until none is due or in flight',
    body: { type: 'object', additionalProperties: false, properties: { timeoutMs: { type: 'integer', minimum: 0, maximum: 600000 } } },
    responses: { 200: '{attempted, succeeded, failed, deferred, pending, nextDueAt, timedOut}' },
    async handler(request, _reply, ctx) {
      const body = (request.body ?? {}) as { timeoutMs?: number };
      return ctx.world.services.webhookDelivery.drain(body.timeoutMs ?? 30_000);
    },
  },
  {
    method: 'GET',
    url: '/webhooks/deliveries',
    summary: 'Webhook deliveries of this world with every attempt, newest first (custom header values are never shown)',
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        webhookId: { type: 'integer', minimum: 0 },
        scope: { type: 'string', maxLength: 200 },
        state: { type: 'string', enum: ['pending', 'succeeded', 'failed', 'cancelled', 'recorded'] },
        limit: { type: 'integer', minimum: 1, maximum: 1000 },
      },
    },
    responses: { 200: '{deliveries: [...]}' },
    async handler(request, _reply, ctx) {
      const q = request.query as { webhookId?: number; scope?: string; state?: string; limit?: number };
      return { world: ctx.world.id, deliveries: await ctx.world.services.webhookDelivery.deliveries(q) };
    },
  },
  {
    method: 'POST',
    url: '/webhooks/deliveries/:id/redeliver',
    summary: 'Send a delivery again: a copy (same hook, payload and event) as a new delivery, pending now, with its own id and retry chain',
    description: 'The original delivery is left as it is. A hook no longer active cancels the copy at its first attempt.',
    responses: { 201: 'The new delivery', 404: 'No such delivery' },
    async handler(request, reply, ctx) {
      const { id } = request.params as { id: string };
      const copy = await ctx.world.services.webhookDelivery.redeliver(id);
      if (!copy) throw new AppError('NOT_FOUND', `No webhook delivery "${id}"`);
      reply.code(201);
      return copy;
    },
  },
  {
    method: 'GET',
    url: '/webhooks/blocklist',
    summary: 'Blocklisted (client_id, host:port) keys of this world and until when (webhooks.md §6.3)',
    responses: { 200: '{blocklist: [...]}' },
    async handler(_request, _reply, ctx) {
      return { world: ctx.world.id, blocklist: ctx.world.services.webhookDelivery.blocklist() };
    },
  },
  {
    method: 'DELETE',
    url: '/webhooks/blocklist',
    summary: 'Clear the blocklist and the success-ratio windows of this world',
    responses: { 204: 'Cleared' },
    async handler(_request, reply, ctx) {
      ctx.world.services.webhookDelivery.clearBlocklist();
      return reply.code(204).send();
    },
  },
];
