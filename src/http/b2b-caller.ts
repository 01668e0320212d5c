import type { FastifyRequest } from 'fastify';
import type { RateLimitDecision } from '../domain/rate-limits/rate-limiter.js';
import type { Services } from '../services.js';
import { AppError } from '../shared/errors.js';

/**
 * What the two B2B edges (REST under /api, GraphQL at /graphql) share about their caller, written
 * once: the bearer token, the store quota, its headers, the throttle answer and CORS
 * (b2b-users-rest.md §1, §9, §13 #25, §14 #1, #13, #14, #16, #29).
 */

/**
 * The caller's token: `Authorization: Bearer <t>` (any case, one or more spaces: Postman sends one,
 * the Buyer Portal two), or the legacy `authToken: <t>` header. A bare `Bearer`, an empty header or
 * another scheme is no token (§14 #29).
 */
export function tokenFromHeaders(headers: FastifyRequest['headers']): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^\s*bearer(?:\s+(.*))?$/i.exec(authorization);
    const token = match?.[1]?.trim();
    if (token) return token;
  }
  const legacy = headers.authtoken;
  if (typeof legacy === 'string' && legacy.trim() !== '') return legacy.trim();
  return undefined;
}

/** Counts one request against the store's B2B quota (its live setting; null: limits off). */
export function consumeB2bQuota(services: Services, storeHash: string): Promise<RateLimitDecision | null> {
  return services.rateLimiter.consume(`b2b:${storeHash}`, services.rateLimitSettingFor('b2b', storeHash));
}

/** The throttle text of both edges (§8), for a quota that frees up in `resetMs`. */
export function throttledMessage(resetMs: number): string {
  return `Request was throttled. Expected available in ${Math.max(1, Math.ceil(resetMs / 1000))} seconds.`;
}

export function throttledError(decision: RateLimitDecision): AppError {
  return new AppError('RATE_LIMITED', throttledMessage(decision.resetMs));
}

/** The X-Requests-* headers of a counted request (§14 #13), and Retry-After once it is refused. */
export function quotaHeaders(decision: RateLimitDecision | null): Record<string, string> {
  if (!decision) return {};
  const headers: Record<string, string> = {
    'x-requests-allocated': `${decision.limit} times/${Math.round(decision.windowMs / 1000)} s`,
    'x-requests-window-length': `${decision.limit} times`,
    'x-requests-remaining': `${decision.remaining} times`,
    'x-request-window-resets-after': `${(decision.resetMs / 1000).toFixed(3)} s`,
  };
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(decision.resetMs / 1000)));
  return headers;
}

/** CORS of every B2B answer (§1, §14 #16): authToken and Content-Type as documented, Authorization so browsers can send the bearer token. */
export const B2B_CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authToken, Content-Type, Authorization',
  'access-control-allow-methods': 'GET, POST, PUT, OPTIONS, DELETE, PATCH',
  'access-control-max-age': '1728000',
};
