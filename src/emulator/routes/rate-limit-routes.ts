import type { RateLimitSetting } from '../../domain/rate-limits/rate-limiter.js';
import { decide, windowExpired } from '../../domain/rate-limits/rate-limiter.js';
import { type RateLimitKind, rateLimitKinds } from '../worlds/rate-limit-overrides.js';
import { AppError } from '../../shared/errors.js';
import type { AdminRoute, Schema } from './admin-route.js';

const rateLimitSettingSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    requests: { type: 'integer', minimum: 1 },
    windowMs: { type: 'integer', minimum: 1 },
    off: { type: 'boolean', const: true },
  },
  oneOf: [{ required: ['requests', 'windowMs'] }, { required: ['off'] }],
};

function kindParam(value: string): RateLimitKind {
  if (!(rateLimitKinds as readonly string[]).includes(value)) throw new AppError('NOT_FOUND', `Unknown rate-limit kind "${value}" (account or b2b)`);
  return value as RateLimitKind;
}

/** `:kind/:key`: account UUIDs compare case-insensitively (as the Account API's path does), store hashes as written. */
function keyedParams(params: { kind: string; key: string }): { kind: RateLimitKind; key: string } {
  const kind = kindParam(params.kind);
  return { kind, key: kind === 'account' ? params.key.toLowerCase() : params.key };
}

type SettingBody = { requests?: number; windowMs?: number; off?: boolean };

function settingOf(body: SettingBody): RateLimitSetting | null {
  return body.off === true ? null : { requests: body.requests as number, windowMs: body.windowMs as number };
}

/** Rate limits: the quotas in force, their counters, overrides per kind and key. */
export const rateLimitRoutes: AdminRoute[] = [
  {
    method: 'GET',
    url: '/rate-limits',
    summary: "Quotas in force and every bucket's used / remaining / reset",
    responses: { 200: 'Quotas, overrides and buckets of this world' },
    async handler(_request, _reply, ctx) {
      const world = ctx.world;
      const now = ctx.controls.clock.now();
      const buckets = (await world.rateLimitStore.list()).map((b) => {
        const m = /^(account|b2b):(.+)$/.exec(b.key);
        const kind = m?.[1] as RateLimitKind | undefined;
        const setting = kind && m ? world.rateLimitOverrides.settingFor(kind, m[2] as string) : null;
        const expired = setting ? windowExpired(b.windowStart, setting.windowMs, now) : false;
        const decision = setting ? decide(setting, expired ? { count: 0, windowStart: now } : b, now) : undefined;
        return {
          key: b.key,
          kind: kind ?? null,
          subject: m?.[2] ?? null,
          used: expired ? 0 : b.count,
          limit: decision?.limit ?? null,
          remaining: decision?.remaining ?? null,
          windowMs: setting?.windowMs ?? null,
          windowStart: new Date(b.windowStart).toISOString(),
          resetMs: decision ? (expired ? 0 : decision.resetMs) : null,
        };
      });
      return {
        world: world.id,
        quotas: Object.fromEntries(rateLimitKinds.map((k) => [k, world.rateLimitOverrides.defaultFor(k)])),
        overrides: world.rateLimitOverrides.list().map((o) => ({ kind: o.kind, key: o.key ?? null, setting: o.setting })),
        buckets,
      };
    },
  },
  {
    method: 'POST',
    url: '/rate-limits/reset',
    summary: 'Forget rate-limit counters (all, a kind, or one account/store)',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { kind: { type: 'string', enum: [...rateLimitKinds] }, key: { type: 'string', minLength: 1 } },
    },
    responses: { 200: 'Counters cleared' },
    async handler(request, _reply, ctx) {
      const body = (request.body ?? {}) as { kind?: RateLimitKind; key?: string };
      if (body.key !== undefined && body.kind === undefined) throw new AppError('BAD_REQUEST', 'key needs kind');
      const prefix = body.kind === undefined ? undefined : body.key === undefined ? `${body.kind}:` : `${body.kind}:${body.key}`;
      const before = (await ctx.world.rateLimitStore.list()).filter((b) => prefix === undefined || b.key.startsWith(prefix)).length;
      await ctx.world.rateLimitStore.reset(prefix);
      return { world: ctx.world.id, reset: before };
    },
  },
  {
    method: 'PUT',
    url: '/rate-limits/:kind',
    summary: 'Change the quota of every account (kind account) or store (kind b2b) in this world',
    body: rateLimitSettingSchema,
    bodyRequired: true,
    responses: { 200: 'Quota changed' },
    async handler(request, _reply, ctx) {
      const kind = kindParam((request.params as { kind: string }).kind);
      ctx.world.rateLimitOverrides.set(kind, undefined, settingOf(request.body as SettingBody));
      return { kind, key: null, setting: ctx.world.rateLimitOverrides.defaultFor(kind) };
    },
  },
  {
    method: 'PUT',
    url: '/rate-limits/:kind/:key',
    summary: 'Change the quota of one account (UUID) or store (hash)',
    body: rateLimitSettingSchema,
    bodyRequired: true,
    responses: { 200: 'Quota changed' },
    async handler(request, _reply, ctx) {
      const { kind, key } = keyedParams(request.params as { kind: string; key: string });
      ctx.world.rateLimitOverrides.set(kind, key, settingOf(request.body as SettingBody));
      return { kind, key, setting: ctx.world.rateLimitOverrides.settingFor(kind, key) };
    },
  },
  {
    method: 'DELETE',
    url: '/rate-limits/:kind',
    summary: 'Back to the start-up quota of a kind',
    responses: { 204: 'Override removed', 404: 'No override' },
    async handler(request, reply, ctx) {
      const kind = kindParam((request.params as { kind: string }).kind);
      if (!ctx.world.rateLimitOverrides.clear(kind, undefined)) throw new AppError('NOT_FOUND', `No quota override for ${kind}`);
      return reply.code(204).send();
    },
  },
  {
    method: 'DELETE',
    url: '/rate-limits/:kind/:key',
    summary: "Back to the kind's quota for one account or store",
    responses: { 204: 'Override removed', 404: 'No override' },
    async handler(request, reply, ctx) {
      const { kind, key } = keyedParams(request.params as { kind: string; key: string });
      if (!ctx.world.rateLimitOverrides.clear(kind, key)) throw new AppError('NOT_FOUND', `No quota override for ${kind} ${key}`);
      return reply.code(204).send();
    },
  },
];
