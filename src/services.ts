import { type B2bTokenService, createB2bTokenService } from './auth/b2b-tokens.js';
import type { Database } from './db/database.js';
import { type CompanyRoleService, createCompanyRoleService } from './domain/company-roles/company-role-service.js';
import { type CompanyUserService, createCompanyUserService } from './domain/company-users/company-user-service.js';
import type { CompanyUserEventSink } from './domain/company-users/company-user-types.js';
import { createRateLimiter, type RateLimiter, type RateLimitSetting, type RateLimitStore } from './domain/rate-limits/rate-limiter.js';
import type { Clock } from './shared/clock.js';
import type { IdGenerator } from './shared/ids.js';

/**
 * Composition root: repositories -> services. Edges (GraphQL, REST, CLI) get their services from
 * here and never open the database themselves.
 */
export interface RuntimeSettings {
  /** signs and verifies B2B storefront authTokens (HS256) */
  b2bJwtSecret: string;
  /** per store hash: verifies Current Customer JWTs (bcToken / jwtToken) */
  storefrontJwtSecrets: Record<string, string>;
  /** null: off */
  accountRateLimit: RateLimitSetting | null;
  /** null: off */
  b2bRateLimit: RateLimitSetting | null;
}

export interface ServiceDeps {
  database: Database;
  clock: Clock;
  ids: IdGenerator;
  settings: RuntimeSettings;
  rateLimitStore: RateLimitStore;
  /** optional observer of B2B user events (webhooks, welcome e-mails); nothing is sent by default */
  b2bEvents?: CompanyUserEventSink;
}

export interface Services {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: RuntimeSettings;
  readonly rateLimiter: RateLimiter;
  /** B2B storefront authTokens: issue, verify → principal, sign-in */
  readonly b2bTokens: B2bTokenService;
  readonly companyUsers: CompanyUserService;
  readonly companyRoles: CompanyRoleService;
}

export function createServices(deps: ServiceDeps): Services {
  return {
    database: deps.database,
    clock: deps.clock,
    ids: deps.ids,
    settings: deps.settings,
    rateLimiter: createRateLimiter(deps.rateLimitStore, deps.clock),
    b2bTokens: createB2bTokenService(deps),
    companyUsers: createCompanyUserService({ database: deps.database, clock: deps.clock, ...(deps.b2bEvents ? { onEvent: deps.b2bEvents } : {}) }),
    companyRoles: createCompanyRoleService({ database: deps.database }),
  };
}
