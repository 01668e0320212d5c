import type { Database } from './db/database.js';
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
}

export interface Services {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: RuntimeSettings;
  readonly rateLimiter: RateLimiter;
}

export function createServices(deps: ServiceDeps): Services {
  return {
    database: deps.database,
    clock: deps.clock,
    ids: deps.ids,
    settings: deps.settings,
    rateLimiter: createRateLimiter(deps.rateLimitStore, deps.clock),
  };
}
