import type { FastifyRequest } from 'fastify';
import { ledgerMark } from '../db/tenant-ledger.js';
import type { B2bPrincipal } from '../domain/company-roles/b2b-principal.js';
import type { RateLimitDecision } from '../domain/rate-limits/rate-limiter.js';
import type { Services } from '../services.js';
import { AppError, isAppError } from '../shared/errors.js';

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

/**
 * The caller of a B2B request, worked out the same way for REST and GraphQL: the data version is
 * taken first (an answer is cached only if nothing changed since), then the token is decoded (its
 * signature names the store), the store's quota is counted (§14 #14: whatever the outcome, once
 * the store is known), and the principal is resolved from storage (expiry, the user, role and
 * Company as they are now). The answer cache keys on `token`; the edges read the rest.
 */
export interface B2bCaller {
  version: string | undefined;
  token: string | undefined;
  /** the store the token's signature names (undefined: no token, or not one of ours) */
  storeHash: string | undefined;
  /** the authenticated caller; undefined with `failure`, or when the quota refused the request */
  principal: B2bPrincipal | undefined;
  /** why the token does not authenticate (an AppError of status 401 or the one resolving raised) */
  failure: AppError | undefined;
  /** the store's quota decision once counted (null: limits off) */
  decision: RateLimitDecision | null;
  counted: boolean;
  /** SQLite: the tenant ledger's position taken with `version`, before the caller was resolved (http/answer-cache.ts ItemDependency) */
  mark: { ledger: number; seq: number } | undefined;
}

export async function resolveB2bCaller(services: Services, headers: FastifyRequest['headers']): Promise<B2bCaller> {
  const version = await services.readVersion.take();
  const token = tokenFromHeaders(headers);
  const caller: B2bCaller = { ...unknownCaller(), version, token, mark: ledgerMark(services.database) };
  let decoded: ReturnType<Services['b2bTokens']['decode']>;
  try {
    decoded = services.b2bTokens.decode(token);
  } catch (error) {
    if (!isAppError(error)) throw error;
    caller.failure = error;
    return caller;
  }
  caller.storeHash = decoded.storeHash;
  await countB2bRequest(services, caller, decoded.storeHash);
  if (caller.decision && !caller.decision.allowed) return caller;
  try {
    caller.principal = await services.b2bTokens.resolve(decoded, version);
  } catch (error) {
    if (!isAppError(error)) throw error;
    caller.failure = error;
  }
  return caller;
}

/** A caller nothing is known of yet (a token endpoint names its store in the body). */
export function unknownCaller(): B2bCaller {
  return { version: undefined, token: undefined, storeHash: undefined, principal: undefined, failure: undefined, decision: null, counted: false, mark: undefined };
}

/**
 * Counts a request that names its store itself (token endpoints, GraphQL `login`): only a store
 * that exists is counted (no quota bucket per made-up hash), and only once per request. Undefined:
 * not counted.
 */
export async function countNamedStore(services: Services, caller: Pick<B2bCaller, 'decision' | 'counted'>, storeHash: string): Promise<RateLimitDecision | null | undefined> {
  if (caller.counted) return caller.decision;
  if (!(await services.b2bTokens.isKnownStore(storeHash))) return undefined;
  return countB2bRequest(services, caller, storeHash);
}

/** Counts the request against `storeHash`'s quota, once per request (a later call keeps the first decision). */
export async function countB2bRequest(services: Services, caller: Pick<B2bCaller, 'decision' | 'counted'>, storeHash: string): Promise<RateLimitDecision | null> {
  if (caller.counted) return caller.decision;
  caller.counted = true;
  caller.decision = await consumeB2bQuota(services, storeHash);
  return caller.decision;
}
