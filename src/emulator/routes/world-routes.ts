import { exportFixture } from '../../fixtures/export-fixture.js';
import { type AdminRoute, baseUrl } from './admin-route.js';
import { clockView } from './clock-routes.js';

/** The world as a whole: what it holds, reset, load a fixture. */
export const worldRoutes: AdminRoute[] = [
  {
    method: 'GET',
    url: '/',
    summary: 'What this server is and where its controls are',
    responses: { 200: 'Summary of the world, the forks and the clock' },
    async handler(request, _reply, ctx) {
      return {
        name: 'roster',
        world: ctx.world.id,
        dataVersion: ctx.world.changes.version,
        forks: ctx.controls.worlds.forks().length,
        clock: clockView(ctx),
        adminTokenRequired: ctx.controls.access.token !== undefined,
        openapi: `${baseUrl(request)}/_roster/openapi.json`,
      };
    },
  },
  {
    method: 'GET',
    url: '/state',
    summary: 'Export the whole world in the fixture format',
    description: 'Secrets (token and password hashes, JWT secrets) are left out unless includeSecrets=true. Loading the export gives the same state.',
    querystring: { type: 'object', properties: { includeSecrets: { type: 'boolean' } }, additionalProperties: false },
    responses: { 200: 'The world as a fixture' },
    async handler(request, _reply, ctx) {
      const { includeSecrets } = request.query as { includeSecrets?: boolean };
      return exportFixture(ctx.world.database.kysely, { includeSecrets: includeSecrets === true });
    },
  },
  {
    method: 'POST',
    url: '/reset',
    summary: 'Back to the loaded fixture state',
    description:
      'Restores the rows of the fixture this world was loaded with (a fork: the fixture of the world it was forked from) in one transaction and clears its rate-limit counters. Optionally clears fault rules, the request journal, events and rate-limit overrides too.',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        faults: { type: 'boolean' },
        requests: { type: 'boolean' },
        events: { type: 'boolean' },
        rateLimitOverrides: { type: 'boolean' },
        all: { type: 'boolean', description: 'all of the above' },
      },
    },
    responses: { 200: 'Reset done' },
    async handler(request, _reply, ctx) {
      const body = (request.body ?? {}) as { faults?: boolean; requests?: boolean; events?: boolean; rateLimitOverrides?: boolean; all?: boolean };
      const world = ctx.world;
      await ctx.controls.worlds.reset(world);
      const cleared: string[] = ['data', 'rateLimitCounters'];
      if (body.all || body.faults) {
        world.faults.clear();
        cleared.push('faults');
      }
      if (body.all || body.requests) {
        world.journal.clear();
        cleared.push('requests');
      }
      if (body.all || body.events) {
        await world.events.settled();
        world.events.clear();
        cleared.push('events');
      }
      if (body.all || body.rateLimitOverrides) {
        world.rateLimitOverrides.clearAll();
        cleared.push('rateLimitOverrides');
      }
      return { world: world.id, dataVersion: world.changes.version, cleared };
    },
  },
  {
    method: 'POST',
    url: '/fixtures',
    summary: 'Replace the world with another fixture',
    description:
      'Validated exactly like a fixture at start-up (errors name the JSON path of the first offending value); nothing is written unless the whole fixture loads. It becomes the state /reset returns to.',
    body: { type: 'object' },
    bodyRequired: true,
    bodyLimit: 256 * 1024 * 1024,
    responses: { 200: 'Loaded: rows per table', 400: 'Invalid fixture (error.path)' },
    async handler(request, _reply, ctx) {
      const loaded = await ctx.controls.worlds.loadFixture(ctx.world, request.body);
      return { world: ctx.world.id, dataVersion: ctx.world.changes.version, loaded };
    },
  },
];
