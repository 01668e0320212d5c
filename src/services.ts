import { type B2bTokenService, createB2bTokenService } from './auth/b2b-tokens.js';
import type { Database } from './db/database.js';
import { type AccountService, createAccountService } from './domain/users/account-service.js';
import { type CompanyRoleService, createCompanyRoleService } from './domain/company-roles/company-role-service.js';
import { type CompanyManagement, createCompanyManagement } from './domain/company-management/company-management.js';
import { type CompanyUserService, createCompanyUserService } from './domain/company-users/company-user-service.js';
import type { CompanyUserEventSink } from './domain/company-users/company-user-types.js';
import { type DataVersion, createDataVersion } from './db/data-version.js';
import type { EventSink, EventSlot } from './domain/domain-events.js';
import { createWebhookOutbox } from './domain/webhooks/webhook-outbox.js';
import { createWebhookService, type WebhookService } from './domain/webhooks/webhook-service.js';
import { createWebhookDispatcher, DEFAULT_WEBHOOK_SETTINGS, type WebhookDispatcher, type WebhookSettings } from './webhooks/webhook-dispatcher.js';
import { createRateLimiter, type RateLimiter, type RateLimitSetting, type RateLimitStore } from './domain/rate-limits/rate-limiter.js';
import { createRateLimitOverrides, type RateLimitKind, type RateLimitOverrides } from './emulator/worlds/rate-limit-overrides.js';
import { createWorldChanges, type WorldChanges } from './emulator/worlds/world-changes.js';
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
  /** webhooks.md §7.5, resolved by resolveRuntimeSettings (default: send, lenient destinations, 10 s, verified TLS, clock timestamps, 8 at once) */
  webhooks: WebhookSettings;
}

export interface ServiceDeps {
  database: Database;
  clock: Clock;
  ids: IdGenerator;
  settings: RuntimeSettings;
  rateLimitStore: RateLimitStore;
  /** optional observer of B2B user events (webhooks, welcome e-mails); nothing is sent by default */
  b2bEvents?: CompanyUserEventSink;
  // --- emulator worlds (src/emulator/worlds): buildApp passes these; defaults suit a lone world
  worldId?: string;
  events?: EventSink;
  worldChanges?: WorldChanges;
  rateLimitOverrides?: RateLimitOverrides;
}

export interface Services {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: RuntimeSettings;
  readonly rateLimiter: RateLimiter;
  /** B2B storefront authTokens: issue, verify → principal, sign-in */
  readonly b2bTokens: B2bTokenService;
  /** the one version every read cache (answers, principals, both APIs) is valid for (undefined: do not cache; see db/data-version.ts) */
  readonly readVersion: DataVersion;
  /** the Account API: members, stores, apps and the membership mutations */
  readonly accounts: AccountService;
  readonly companyUsers: CompanyUserService;
  readonly companyRoles: CompanyRoleService;
  /** Companies and their hierarchy for the Management API (store-level callers) */
  readonly companies: CompanyManagement;
  /** the webhooks registration API's rules (webhooks.md §4) */
  readonly webhooks: WebhookService;
  /** sends this world's webhook outbox (webhooks.md §5-§7) */
  readonly webhookDelivery: WebhookDispatcher;
  /** stops what runs in the background for this world (webhook deliveries) */
  close(): Promise<void>;
  /** the world these services work on: 'main', or a fork's id (/f/{forkId}/...) */
  readonly worldId: string;
  /** typed state-change events (GET /_roster/events): emit after the transaction commits */
  readonly events: EventSink;
  /**
   * Grows each time this world's rows are replaced wholesale (reset, snapshot restore, fixture
   * load). A cache (principals per token, read caches) must drop entries stored under another
   * version, or subscribe with onWorldChanged.
   */
  readonly dataVersion: number;
  onWorldChanged(listener: () => void): () => void;
  /** the quota of an account (uuid) or a B2B store (hash); live-adjustable at /_roster/rate-limits */
  rateLimitSettingFor(kind: RateLimitKind, key: string): RateLimitSetting | null;
}

export function createServices(deps: ServiceDeps): Services {
  const changes = deps.worldChanges ?? createWorldChanges();
  const journal: EventSink = deps.events ?? { emit: () => undefined };
  // every domain write goes through this sink: its events are journalled after the commit, and turned
  // into webhook deliveries inside its transaction (the outbox); a commit that enqueued wakes the sender
  const webhookSettings = () => deps.settings.webhooks ?? DEFAULT_WEBHOOK_SETTINGS;
  const outbox = createWebhookOutbox({ clock: deps.clock, ids: deps.ids, enabled: () => webhookSettings().mode !== 'off', database: deps.database });
  let webhookDelivery: WebhookDispatcher | undefined;
  const wake = () => {
    if (outbox.takeEnqueued()) webhookDelivery?.kick();
  };
  const events: EventSink = {
    emit(event) {
      journal.emit(event);
      wake();
    },
    ...(journal.reserve
      ? {
          reserve(): EventSlot {
            const slot = (journal.reserve as () => EventSlot)();
            return {
              emit(event) {
                slot.emit(event);
                wake();
              },
              cancel: () => slot.cancel(),
            };
          },
        }
      : {}),
    persist: (trx, written) => outbox.persist(trx, written),
    persistsFor: (type, storeHash) => outbox.persistsFor(type, storeHash),
  };
  webhookDelivery = createWebhookDispatcher({ database: deps.database, clock: deps.clock, events: journal, settings: webhookSettings });
  const overrides =
    deps.rateLimitOverrides ?? createRateLimitOverrides(() => ({ account: deps.settings.accountRateLimit, b2b: deps.settings.b2bRateLimit }));
  // read caches are valid for one data version: principals and whole answers on both engines and
  // both APIs, the Company of each B2B request's authorization on SQLite only (see db/data-version.ts)
  const readVersion = createDataVersion(deps.database, () => changes.version);
  const companyUsers = createCompanyUserService({ database: deps.database, clock: deps.clock, events, ...(deps.b2bEvents ? { onEvent: deps.b2bEvents } : {}), version: readVersion });
  return {
    database: deps.database,
    clock: deps.clock,
    ids: deps.ids,
    settings: deps.settings,
    rateLimiter: createRateLimiter(deps.rateLimitStore, deps.clock),
    b2bTokens: createB2bTokenService({ ...deps, version: readVersion }),
    readVersion,
    accounts: createAccountService({ database: deps.database, clock: deps.clock, events }),
    companyUsers,
    companyRoles: createCompanyRoleService({ database: deps.database }),
    companies: createCompanyManagement(companyUsers.managementParts),
    webhooks: createWebhookService({ database: deps.database, clock: deps.clock, events, rule: () => ({ destinations: webhookSettings().destinations }) }),
    webhookDelivery,
    close: () => webhookDelivery.close(),
    worldId: deps.worldId ?? 'main',
    events,
    get dataVersion() {
      return changes.version;
    },
    onWorldChanged: (listener) => changes.onChanged(() => listener()),
    rateLimitSettingFor: (kind, key) => overrides.settingFor(kind, key),
  };
}
