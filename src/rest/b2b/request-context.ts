import type { FastifyReply, FastifyRequest } from 'fastify';
import type { B2bPrincipal } from '../../domain/company-roles/b2b-principal.js';
import type { RateLimitDecision } from '../../domain/rate-limits/rate-limiter.js';
import { B2B_CORS_HEADERS, consumeB2bQuota, quotaHeaders, throttledError, tokenFromHeaders } from '../../http/b2b-caller.js';
import { AppError } from '../../shared/errors.js';

/**
 * Per-request B2B state: the caller (from `Authorization: Bearer <t>` or the legacy `authToken`
 * header) and the store's rate-limit decision (§9, §13 #25, §14 #13-14). Services always come from
 * `request.services`.
 */
declare module 'fastify' {
  interface FastifyRequest {
    b2bPrincipal: B2bPrincipal | null;
    b2bRateLimit: RateLimitDecision | null;
    b2bCounted: boolean;
    /** the B2B data version taken before the caller was resolved (whole-answer cache), undefined: none */
    b2bVersion: string | undefined;
    /** the token text the caller was resolved from */
    b2bToken: string | undefined;
  }
}

/** Counts this request against the store's B2B quota once; throws 429 when over. */
export async function countRequest(request: FastifyRequest, storeHash: string): Promise<void> {
  if (request.b2bCounted) return;
  request.b2bCounted = true;
  // the live quota of this store (fixture/flags, adjustable per store at /_roster/rate-limits)
  const decision = await consumeB2bQuota(request.services, storeHash);
  request.b2bRateLimit = decision;
  if (decision && !decision.allowed) throw throttledError(decision);
}

/** 401 without a usable token (not counted: no store known); counted once the signature is valid. */
export async function authenticate(request: FastifyRequest): Promise<B2bPrincipal> {
  const tokens = request.services.b2bTokens;
  // taken before the principal is read: an answer is cached only if nothing changed since
  const version = await request.services.b2bVersion.take();
  const decoded = tokens.decode(tokenFromHeaders(request.headers));
  await countRequest(request, decoded.storeHash);
  const principal = await tokens.resolve(decoded, version);
  request.b2bVersion = version;
  request.b2bToken = decoded.token;
  request.b2bPrincipal = principal;
  return principal;
}

export function principalOf(request: FastifyRequest): B2bPrincipal {
  if (!request.b2bPrincipal) throw new AppError('B2B_NO_CREDENTIALS');
  return request.b2bPrincipal;
}

/** CORS and, on a counted request, the quota headers: on every B2B REST answer. */
export function applyB2bHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(B2B_CORS_HEADERS);
  reply.headers(quotaHeaders(request.b2bRateLimit));
}
