import type { Kysely } from 'kysely';
import type { DB } from '../../db/tables.js';
import type { WebhookSettingsInput } from './webhook-settings.js';

/** Settings that came with the loaded fixture (fixture.md `settings`), as stored. */
export interface StoredSettings {
  b2bJwtSecret?: string;
  storefrontJwtSecrets?: Record<string, string>;
  accountRateLimit?: { requests: number; windowMs: number } | null;
  b2bRateLimit?: { requests: number; windowMs: number } | null;
  /** webhooks.md §7.5, as the fixture gives it (keys it leaves out take the defaults) */
  webhooks?: WebhookSettingsInput;
}

export async function readStoredSettings(db: Kysely<DB>): Promise<StoredSettings> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
  const result: Record<string, unknown> = {};
  for (const row of rows) result[row.key] = JSON.parse(row.value);
  return result as StoredSettings;
}
