import { DEFAULT_ACCOUNT_RATE_LIMIT, DEFAULT_B2B_RATE_LIMIT, DEMO_B2B_JWT_SECRET, type RateLimitFlag } from './cli/config.js';
import type { Database } from './db/database.js';
import { readStoredSettings, type StoredSettings } from './domain/settings/settings-repository.js';
import type { WebhookSettingsInput } from './domain/settings/webhook-settings.js';
import type { RuntimeSettings } from './services.js';
import { AppError } from './shared/errors.js';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from './webhooks/webhook-dispatcher.js';

/** What the command line (or a test) says about the settings; undefined: not said. */
export interface SettingsFlags {
  accountRateLimit: RateLimitFlag;
  b2bRateLimit: RateLimitFlag;
  production: boolean;
  /** webhooks.md §7.5: only the keys given (--webhooks, --webhook-timeout-ms, ...) */
  webhooks?: WebhookSettingsInput;
}

/** Each webhook setting from the flags, else the fixture, else the default (undefined keys say nothing). */
function resolveWebhookSettings(stored: WebhookSettingsInput | undefined, flags: WebhookSettingsInput | undefined): WebhookSettings {
  const choose = <K extends keyof WebhookSettings & keyof WebhookSettingsInput>(key: K): WebhookSettings[K] =>
    (flags?.[key] ?? stored?.[key] ?? DEFAULT_WEBHOOK_SETTINGS[key]) as WebhookSettings[K];
  return {
    mode: choose('mode'),
    destinations: choose('destinations'),
    timeoutMs: choose('timeoutMs'),
    insecureTls: choose('insecureTls'),
    timestamp: choose('timestamp'),
    concurrency: choose('concurrency'),
  };
}

/** Flags override the fixture's stored settings, which override the defaults. */
export function resolveRuntimeSettings(stored: StoredSettings, flags: SettingsFlags): RuntimeSettings {
  const pick = (flag: RateLimitFlag, fromFixture: StoredSettings['accountRateLimit'], fallback: RuntimeSettings['accountRateLimit']) =>
    flag !== undefined ? flag : fromFixture !== undefined ? fromFixture : fallback;
  const settings: RuntimeSettings = {
    b2bJwtSecret: stored.b2bJwtSecret ?? DEMO_B2B_JWT_SECRET,
    storefrontJwtSecrets: stored.storefrontJwtSecrets ?? {},
    accountRateLimit: pick(flags.accountRateLimit, stored.accountRateLimit, DEFAULT_ACCOUNT_RATE_LIMIT),
    b2bRateLimit: pick(flags.b2bRateLimit, stored.b2bRateLimit, DEFAULT_B2B_RATE_LIMIT),
    webhooks: resolveWebhookSettings(stored.webhooks, flags.webhooks),
  };
  if (flags.production && (settings.b2bJwtSecret === DEMO_B2B_JWT_SECRET || settings.b2bJwtSecret.startsWith('demo-'))) {
    throw new AppError('BAD_REQUEST', 'Refusing to start in production (NODE_ENV=production) with the demo B2B JWT secret; set settings.b2bJwtSecret in your fixture');
  }
  return settings;
}

/** The settings of a world: its stored rows (the fixture's `settings`) under the flags. */
export async function resolveWorldSettings(database: Database, flags: SettingsFlags): Promise<RuntimeSettings> {
  return resolveRuntimeSettings(await readStoredSettings(database.kysely), flags);
}
