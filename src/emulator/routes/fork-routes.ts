import type { FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.js';
import type { AppWorld } from '../controls.js';
import { type AdminRoute, baseUrl } from './admin-route.js';

function forkView(request: FastifyRequest, world: AppWorld) {
  const base = `${baseUrl(request)}/f/${world.id}`;
  return {
    id: world.id,
    parent: world.parentId ?? null,
    createdAt: new Date(world.createdAt).toISOString(),
    url: base,
    accountGraphqlUrl: `${base}/accounts/{account_uuid}/graphql`,
    b2bUrl: base,
    b2bGraphqlUrl: `${base}/graphql`,
    inFlight: world.inFlight,
  };
}

/** Forks: isolated copies of the world, each served under /f/{forkId}. */
export const forkRoutes: AdminRoute[] = [
  {
    method: 'POST',
    url: '/forks',
    summary: 'Fork this world: an isolated copy served under /f/{id}/...',
    description:
      'Every API is served on the copy at the returned url (e.g. {url}/accounts/{uuid}/graphql, {url}/api/v2/users, {url}/graphql). Nothing written in a fork is visible anywhere else. A fork has its own snapshots, journal, events, faults and rate-limit counters; the clock is shared.',
    responses: { 201: 'The fork', 409: 'Too many forks alive' },
    async handler(request, reply, ctx) {
      const world = await ctx.controls.worlds.fork(ctx.world);
      reply.code(201);
      return forkView(request, world);
    },
  },
  {
    method: 'GET',
    url: '/forks',
    summary: 'List forks',
    responses: { 200: 'Forks alive' },
    async handler(request, _reply, ctx) {
      return { forks: ctx.controls.worlds.forks().map((w) => forkView(request, w)), warmSchemas: ctx.controls.worlds.storage.stats.warmSchemas() };
    },
  },
  {
    method: 'GET',
    url: '/forks/:id',
    summary: 'One fork',
    responses: { 200: 'The fork', 404: 'No such fork' },
    async handler(request, _reply, ctx) {
      const { id } = request.params as { id: string };
      const world = id === 'main' ? undefined : ctx.controls.worlds.get(id);
      if (!world) throw new AppError('FORK_NOT_FOUND', `No fork "${id}"`);
      return forkView(request, world);
    },
  },
  {
    method: 'DELETE',
    url: '/forks/:id',
    summary: 'Delete a fork (after the requests inside it finish)',
    responses: { 204: 'Deleted', 404: 'No such fork' },
    async handler(request, reply, ctx) {
      const { id } = request.params as { id: string };
      if (id === 'main' || !(await ctx.controls.worlds.deleteFork(id))) throw new AppError('FORK_NOT_FOUND', `No fork "${id}"`);
      return reply.code(204).send();
    },
  },
];
