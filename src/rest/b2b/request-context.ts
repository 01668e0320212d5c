import type { FastifyReply, FastifyRequest } from 'fastify';
import type { B2bPrincipal } from '../../domain/company-roles/b2b-principal.js';
import { B2B_CORS_HEADERS, type B2bCaller, countNamedStore, quotaHeaders, resolveB2bCaller, throttledError, unknownCaller } from '../../http/b2b-caller.js';
import { AppError } from '../../shared/errors.js';

/**
 * Per-request B2B state: the caller (from `Authorization: Bearer <t>` or the legacy `authToken`
 * header) and the store's rate-limit decision (§9, §13 #25, §14 #13-14). Services always come from
 * `request.services`.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** who is calling, once worked out (http/b2b-caller.ts); null before */
    b2bCaller: B2bCaller | null;
  }
}

/** Counts a token endpoint against the store its body names (when it exists), once; throws 429 when over. */
export async function countNamedStoreRequest(request: FastifyRequest, storeHash: string): Promise<void> {
  request.b2bCaller ??= unknownCaller();
  const decision = await countNamedStore(request.services, request.b2bCaller, storeHash);
  if (decision && !decision.allowed) throw throttledError(decision);
}

/** 401 without a usable token (not counted: no store known); counted once the signature is valid. */
export async function authenticate(request: FastifyRequest): Promise<B2bPrincipal> {
  const caller = await resolveB2bCaller(request.services, request.headers);
  request.b2bCaller = caller;
  if (caller.decision && !caller.decision.allowed) throw throttledError(caller.decision);
  if (caller.failure) throw caller.failure;
  if (!caller.principal) throw new AppError('B2B_NO_CREDENTIALS');
  return caller.principal;
}

export function principalOf(request: FastifyRequest): B2bPrincipal {
  const principal = request.b2bCaller?.principal;
  if (!principal) throw new AppError('B2B_NO_CREDENTIALS');
  return principal;
}

/** CORS and, on a counted request, the quota headers: on every B2B REST answer. */
export function applyB2bHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(B2B_CORS_HEADERS);
  reply.headers(quotaHeaders(request.b2bCaller?.decision ?? null));
}
