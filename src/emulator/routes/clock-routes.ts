import { AppError } from '../../shared/errors.js';
import type { AdminRoute, RouteContext } from './admin-route.js';

export function clockView(ctx: RouteContext) {
  const now = ctx.controls.clock.now();
  return { now: new Date(now).toISOString(), epochMs: now, frozen: ctx.controls.clock.isFrozen };
}

/** The shared clock: read, freeze, move, release. */
export const clockRoutes: AdminRoute[] = [
  {
    method: 'GET',
    url: '/clock',
    summary: "The clock every world reads (token expiry, rate-limit windows, timestamps)",
    responses: { 200: 'The clock' },
    async handler(_request, _reply, ctx) {
      return clockView(ctx);
    },
  },
  {
    method: 'POST',
    url: '/clock',
    summary: 'Freeze, move or release the clock',
    description: 'Exactly one of: {"now": ISO instant} freezes there; {"freeze": true} freezes at the current instant; {"advanceMs": n} moves it (frozen or not, n may be negative); {"real": true} returns to real time.',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        now: { type: 'string', minLength: 1 },
        freeze: { type: 'boolean', const: true },
        advanceMs: { type: 'integer' },
        real: { type: 'boolean', const: true },
      },
    },
    bodyRequired: true,
    responses: { 200: 'The clock after the change', 400: 'Not an ISO-8601 instant' },
    async handler(request, _reply, ctx) {
      const body = request.body as { now?: string; freeze?: true; advanceMs?: number; real?: true };
      const clock = ctx.controls.clock;
      if (body.now !== undefined) {
        const at = Date.parse(body.now);
        if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(body.now)) throw new AppError('BAD_REQUEST', `now must be an ISO-8601 instant, got "${body.now}"`);
        clock.freeze(at);
      } else if (body.freeze) clock.freeze(clock.now());
      else if (body.advanceMs !== undefined) clock.advance(body.advanceMs);
      else if (body.real) clock.real();
      return clockView(ctx);
    },
  },
];
