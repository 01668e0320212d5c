import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { isStorableStoreHash } from '../../db/lookup-guards.js';

/**
 * User extra-field configurations of a store (B2B GraphQL `userExtraFields`). Roster's fixture has
 * no configuration of its own, so the store's configuration is what its data shows: every distinct
 * `fieldName` its Company users carry, as an optional text field labelled with its name (sorted by
 * name; empty when no user has extra fields). This keeps the Buyer Portal's add/edit form showing
 * (and sending back) the values users already have, instead of clearing them. Added by the GraphQL
 * helper: the company-users service has no extra-field configuration.
 *
 * Cost: one pass over the store's users (`DISTINCT` on the JSON text of non-empty sets, at most
 * 1,000 sets read): about 200 ms at 1M users on SQLite. So the answer is kept per database and store
 * for `ttlMs` (default 60 s) and for one data version (a reset or fixture load drops it); a field
 * name first written within that window appears when it expires.
 */
export interface ExtraFieldConfig {
  fieldName: string;
  /** 0 text, 1 textarea, 2 number, 3 dropdown */
  fieldType: 0;
  isRequired: boolean;
  defaultValue: string;
  maximumLength: string;
  numberOfRows: string | null;
  maximumValue: string | null;
  listOfValue: string[];
  visibleToEnduser: boolean;
  labelName: string;
}

const MAX_DISTINCT_SETS = 1000;
const MAX_FIELD_LENGTH = '150';

export interface Freshness {
  /** ms, from the injected Clock */
  now: number;
  /** the world's data version (services.dataVersion) */
  version: number;
  ttlMs?: number;
}

interface Cached {
  expiresAt: number;
  version: number;
  configs: Promise<ExtraFieldConfig[]>;
}

const cache = new WeakMap<Database, Map<string, Cached>>();

export async function listExtraFieldConfigs(database: Database, storeHash: string, freshness: Freshness): Promise<ExtraFieldConfig[]> {
  if (!isStorableStoreHash(storeHash)) return [];
  let perStore = cache.get(database);
  if (!perStore) {
    perStore = new Map();
    cache.set(database, perStore);
  }
  const hit = perStore.get(storeHash);
  if (hit && hit.version === freshness.version && hit.expiresAt > freshness.now) return hit.configs;
  const configs = readExtraFieldConfigs(database, storeHash);
  perStore.set(storeHash, { expiresAt: freshness.now + (freshness.ttlMs ?? 60_000), version: freshness.version, configs });
  try {
    return await configs;
  } catch (error) {
    perStore.delete(storeHash);
    throw error;
  }
}

/** What the data shows, read now (no cache): the Management API lists it per request under its answer cache. */
export async function readExtraFieldConfigs(database: Database, storeHash: string): Promise<ExtraFieldConfig[]> {
  const result = await sql<{ extra_fields: string }>`
    SELECT DISTINCT extra_fields FROM company_users
    WHERE store_hash = ${storeHash} AND extra_fields <> '[]' AND extra_fields <> ''
    LIMIT ${MAX_DISTINCT_SETS}`.execute(database.kysely);
  const names = new Set<string>();
  for (const row of result.rows) {
    let value: unknown;
    try {
      value = JSON.parse(row.extra_fields);
    } catch {
      continue;
    }
    if (!Array.isArray(value)) continue;
    for (const field of value) {
      const name = field !== null && typeof field === 'object' ? (field as { fieldName?: unknown }).fieldName : undefined;
      if (typeof name === 'string' && name.trim() !== '') names.add(name);
    }
  }
  return [...names]
    .sort((a, b) => a.localeCompare(b))
    .map((fieldName) => ({
      fieldName,
      fieldType: 0,
      isRequired: false,
      defaultValue: '',
      maximumLength: MAX_FIELD_LENGTH,
      numberOfRows: null,
      maximumValue: null,
      listOfValue: [],
      visibleToEnduser: true,
      labelName: fieldName,
    }));
}
