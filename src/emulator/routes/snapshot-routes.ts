import { AppError } from '../../shared/errors.js';
import { type AdminRoute, NAME } from './admin-route.js';

/** Snapshots of the world: take, list, restore, delete. */
export const snapshotRoutes: AdminRoute[] = [
  {
    method: 'GET',
    url: '/snapshots',
    summary: 'List snapshots of this world',
    responses: { 200: 'Snapshots, oldest first' },
    async handler(_request, _reply, ctx) {
      return { snapshots: [...ctx.world.snapshots.values()].map((s) => ({ name: s.name, createdAt: new Date(s.createdAt).toISOString() })) };
    },
  },
  {
    method: 'POST',
    url: '/snapshots',
    summary: 'Snapshot the whole world under a name (replaces a snapshot of the same name)',
    body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: NAME } },
    bodyRequired: true,
    responses: { 201: 'Snapshot taken', 200: 'Snapshot replaced' },
    async handler(request, reply, ctx) {
      const { name } = request.body as { name: string };
      const { snapshot, replaced } = await ctx.controls.worlds.takeSnapshot(ctx.world, name);
      reply.code(replaced ? 200 : 201);
      return { name: snapshot.name, createdAt: new Date(snapshot.createdAt).toISOString(), replaced };
    },
  },
  {
    method: 'GET',
    url: '/snapshots/:name',
    summary: 'One snapshot, with its row count per table',
    responses: { 200: 'The snapshot', 404: 'No such snapshot' },
    async handler(request, _reply, ctx) {
      const { name } = request.params as { name: string };
      const snapshot = ctx.world.snapshots.get(name);
      if (!snapshot) throw new AppError('SNAPSHOT_NOT_FOUND', `No snapshot named "${name}"`);
      return { name, createdAt: new Date(snapshot.createdAt).toISOString(), rows: await ctx.controls.worlds.countRows(snapshot) };
    },
  },
  {
    method: 'POST',
    url: '/snapshots/:name/restore',
    summary: 'Restore a snapshot (one transaction)',
    responses: { 200: 'Restored', 404: 'No such snapshot' },
    async handler(request, _reply, ctx) {
      const { name } = request.params as { name: string };
      await ctx.controls.worlds.restoreSnapshot(ctx.world, name);
      return { world: ctx.world.id, restored: name, dataVersion: ctx.world.changes.version };
    },
  },
  {
    method: 'DELETE',
    url: '/snapshots/:name',
    summary: 'Delete a snapshot',
    responses: { 204: 'Deleted', 404: 'No such snapshot' },
    async handler(request, reply, ctx) {
      const { name } = request.params as { name: string };
      if (!(await ctx.controls.worlds.deleteSnapshot(ctx.world, name))) throw new AppError('SNAPSHOT_NOT_FOUND', `No snapshot named "${name}"`);
      return reply.code(204).send();
    },
  },
];
