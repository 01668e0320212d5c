import type { FastifyBaseLogger } from 'fastify';
import type { Company } from '../../domain/companies/company-types.js';
import type { CompanyUsersShown } from '../../domain/company-users/company-user-types.js';
import type { B2bPrincipal } from '../../domain/company-roles/b2b-principal.js';
import type { Services } from '../../services.js';
import { type B2bCaller, countNamedStore, throttledError } from '../../http/b2b-caller.js';
import { AppError } from '../../shared/errors.js';

/**
 * Per-request GraphQL context. Services come from the request (forks swap them per request), never
 * from a closure captured when the schema was built.
 */
export interface B2bContext {
  readonly services: Services;
  readonly log: FastifyBaseLogger;
  /**
   * The caller, re-read from storage for this request. Throws the 401 AppError (→ 40101) when the
   * request carries no token or a bad one. `login`, `authorization` and `customerEmailCheck` never call it.
   */
  principal(): Promise<B2bPrincipal>;
  /**
   * Counts this request against a store's B2B quota, once per request (§14 #14); operations that
   * learn the store from their arguments (login, authorization, customerEmailCheck) call it. A store
   * that does not exist is not counted. Throws RATE_LIMITED.
   */
  countRequest(storeHash: string): Promise<void>;
  /** A Company of the store (for `UserType.companyInfo` on every node of a page): read once, then cached per data version. */
  company(storeHash: string, companyId: number): Company | undefined | Promise<Company | undefined>;
  /**
   * Called by a resolver whose answer depends on more than the caller and the stored data (the
   * clock, a cache with a time to live, a quota counted in the resolver): the request's answer is
   * then never kept by the answer cache. Mutations are never kept anyway.
   */
  notCacheable(): void;
  /** false once a resolver called notCacheable() */
  readonly cacheable: boolean;
  /**
   * What the Company-user reads of this request showed (`users`: its page's dependsOn; `user`: that
   * user), for the per-item answer cache (http/answer-cache.ts).
   */
  showed(shown: CompanyUsersShown): void;
  readonly shown: readonly CompanyUsersShown[];
}

export type TokenState =
  | { kind: 'none' }
  | { kind: 'valid'; principal: B2bPrincipal }
  | { kind: 'invalid'; error: AppError };

/** the request's quota count (the caller's: a resolver that counts a store it names updates it) */
export type RateLimitState = Pick<B2bCaller, 'decision' | 'counted'>;

export function createB2bContext(options: {
  services: Services;
  log: FastifyBaseLogger;
  token: TokenState;
  rateLimit: RateLimitState;
}): B2bContext {
  const { services, token, rateLimit } = options;
  // per request: a page names the same Company on every node; each service lookup takes a storage
  // version reading (two pragmas on SQLite), so it is asked once per Company, hit or miss
  const companies = new Map<string, Company | undefined | Promise<Company | undefined>>();
  let cacheable = true;
  const shown: CompanyUsersShown[] = [];
  return {
    services,
    log: options.log,
    shown,
    showed(what) {
      shown.push(what);
    },
    notCacheable() {
      cacheable = false;
    },
    get cacheable() {
      return cacheable;
    },
    async principal() {
      if (token.kind === 'valid') return token.principal;
      if (token.kind === 'invalid') throw token.error;
      throw new AppError('B2B_NO_CREDENTIALS');
    },
    async countRequest(storeHash) {
      const countedBefore = rateLimit.counted;
      const decision = await countNamedStore(services, rateLimit, storeHash);
      // counted here, by the resolver: a kept answer would skip the count
      if (!countedBefore && rateLimit.counted) cacheable = false;
      if (decision && !decision.allowed) throw throttledError(decision);
    },
    // the company-user service's cache (per data version), asked once per request however many
    // users of a page name that Company
    company(storeHash, companyId) {
      const key = `${storeHash}|${companyId}`;
      if (companies.has(key)) return companies.get(key);
      const found = services.companyUsers.findCompany(storeHash, companyId, token.kind === 'valid' ? token.principal.readVersion : undefined);
      companies.set(key, found);
      return found;
    },
  };
}
