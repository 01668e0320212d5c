import { listApiAccountsByFingerprint } from '../../domain/api-accounts/api-account-repository.js';
import { worldEventTypes } from '../../domain/domain-events.js';
import type { EventFilter } from '../journal/events.js';
import { apiNames } from '../../http/api-error-response.js';
import type { JournalEntry } from '../journal/request-journal.js';
import type { AppWorld } from '../controls.js';
import type { AdminRoute } from './admin-route.js';

async function resolveApiAccounts(world: AppWorld, entries: JournalEntry[]): Promise<JournalEntry[]> {
  if (!entries.some((e) => e.principal.type === 'api-account')) return entries;
  const byFingerprint = await listApiAccountsByFingerprint(world.database);
  for (const entry of entries) {
    const p = entry.principal;
    if (p.type !== 'api-account') continue;
    const row = byFingerprint.get(p.tokenFingerprint);
    if (row) Object.assign(p, { apiAccountId: row.id, name: row.name });
  }
  return entries;
}

/** What the world saw: the request journal and the state-change events. */
export const journalRoutes: AdminRoute[] = [
  {
    method: 'GET',
    url: '/requests',
    summary: 'The last requests served by this world, secrets redacted',
    description: 'Oldest first. Filters: api, operation (GraphQL root field, root.child path or operation name; REST route), status (404 or 4xx), method, since (sequence number), limit (default 50).',
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        api: { type: 'string', enum: [...apiNames, 'other'] },
        operation: { type: 'string' },
        status: { type: 'string', pattern: '^([1-5]xx|[1-5][0-9][0-9])$' },
        method: { type: 'string' },
        since: { type: 'integer', minimum: 0 },
        limit: { type: 'integer', minimum: 1, maximum: 10000 },
      },
    },
    responses: { 200: 'Requests' },
    async handler(request, _reply, ctx) {
      const q = request.query as { api?: string; operation?: string; status?: string; method?: string; since?: number; limit?: number };
      const entries = ctx.world.journal.list(q);
      return { world: ctx.world.id, capacity: ctx.world.journal.capacity, requests: await resolveApiAccounts(ctx.world, entries) };
    },
  },
  {
    method: 'DELETE',
    url: '/requests',
    summary: 'Empty the request journal of this world',
    responses: { 204: 'Emptied' },
    async handler(_request, reply, ctx) {
      ctx.world.journal.clear();
      return reply.code(204).send();
    },
  },
  {
    method: 'GET',
    url: '/events',
    summary: 'State-change events of this world (account.user.added, company.user.created, ...) with before/after',
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { type: 'string', description: `a type or a prefix (company.user): ${worldEventTypes.join(', ')}` },
        since: { type: 'integer', minimum: 0 },
        limit: { type: 'integer', minimum: 1, maximum: 10000 },
      },
    },
    responses: { 200: 'Events, oldest first' },
    async handler(request, _reply, ctx) {
      await ctx.world.events.settled();
      return { world: ctx.world.id, events: ctx.world.events.list(request.query as EventFilter) };
    },
  },
  {
    method: 'DELETE',
    url: '/events',
    summary: 'Empty the event list of this world',
    responses: { 204: 'Emptied' },
    async handler(_request, reply, ctx) {
      await ctx.world.events.settled();
      ctx.world.events.clear();
      return reply.code(204).send();
    },
  },
];
