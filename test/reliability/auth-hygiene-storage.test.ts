import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tablesInDependencyOrder } from '../../src/db/tables.js';
import { hashToken, verifyPassword } from '../../src/shared/secrets.js';
import { dialects } from '../helpers/dialects.js';
import { tableRows } from '../helpers/reliability-digest.js';
import { fixtureSecrets } from '../helpers/reliability-secrets.js';
import { createTestApp, demoFixture, type TestApp } from '../helpers/test-app.js';

/**
 * Secrets at rest: API tokens only as hashes, passwords only with a slow salted hash, and the JWT
 * signing secrets nowhere but the settings table (they must be readable to sign).
 */
interface Demo {
  accounts: { apiAccounts: { token: string }[] }[];
  b2b: { stores: { apiAccounts?: { token: string; clientSecret?: string }[]; legacyAuthTokens?: { token: string }[] }[] };
}

const tokens = (demoFixture as Demo).accounts.flatMap((a) => a.apiAccounts.map((x) => x.token));
/** the B2B Management API's store-level tokens and legacy authTokens (b2b-management-rest.md §12: stored hashed) */
const storeTokens = (demoFixture as Demo).b2b.stores.flatMap((s) => [...(s.apiAccounts ?? []).map((a) => a.token), ...(s.legacyAuthTokens ?? []).map((l) => l.token)]);
/** their client secrets: stored retrievably (webhooks are signed with them), in b2b_api_accounts only */
const clientSecrets = (demoFixture as Demo).b2b.stores.flatMap((s) => (s.apiAccounts ?? []).map((a) => a.clientSecret).filter((c): c is string => c !== undefined));
const passwordSecrets = fixtureSecrets().filter((s) => s.label.startsWith('password'));
const jwtSecrets = fixtureSecrets().filter((s) => /JWT secret|b2bJwtSecret/.test(s.label));

/** Encodings a careless implementation might store instead of a slow hash. */
function weakForms(value: string): string[] {
  return [
    value,
    createHash('sha256').update(value).digest('hex'),
    createHash('sha1').update(value).digest('hex'),
    createHash('md5').update(value).digest('hex'),
    Buffer.from(value).toString('base64').replace(/=+$/, ''),
    Buffer.from(value).toString('hex'),
  ];
}

describe.each(dialects)('secrets at rest on %s', (dialect) => {
  let t: TestApp;
  const rows: Record<string, string[]> = {};
  beforeAll(async () => {
    t = await createTestApp({ dialect });
    for (const table of tablesInDependencyOrder) rows[table] = await tableRows(t.database, table);
  });
  afterAll(async () => t.close());

  it('no table holds an API token in plaintext; api_accounts holds each one as its SHA-256', () => {
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    for (const table of tablesInDependencyOrder) {
      for (const token of tokens) expect(rows[table]?.some((r) => r.includes(token)), `${token} in ${table}`).toBe(false);
    }
    for (const token of tokens) expect(rows.api_accounts?.filter((r) => r.includes(hashToken(token)))).toHaveLength(1);
  });

  it('no table holds a B2B Management token in plaintext; b2b_api_accounts and b2b_legacy_tokens hold each one as its SHA-256', () => {
    expect(storeTokens.length).toBeGreaterThanOrEqual(3);
    for (const table of tablesInDependencyOrder) {
      for (const token of storeTokens) for (const form of weakForms(token).filter((f) => f !== createHash('sha256').update(token).digest('hex'))) {
        expect(rows[table]?.some((r) => r.includes(form)), `${token} (${form}) in ${table}`).toBe(false);
      }
    }
    for (const token of storeTokens) {
      const held = [...(rows.b2b_api_accounts ?? []), ...(rows.b2b_legacy_tokens ?? [])].filter((r) => r.includes(hashToken(token)));
      expect(held, token).toHaveLength(1);
    }
  });

  it('the Management API accounts\' client secrets live in b2b_api_accounts and nowhere else', () => {
    expect(clientSecrets.length).toBeGreaterThanOrEqual(2);
    for (const table of tablesInDependencyOrder) {
      for (const secret of clientSecrets) expect(rows[table]?.some((r) => r.includes(secret)), `${secret} in ${table}`).toBe(table === 'b2b_api_accounts');
    }
  });

  it('no table holds a password in plaintext or in a fast or reversible encoding', () => {
    expect(passwordSecrets.length).toBeGreaterThanOrEqual(1);
    for (const table of tablesInDependencyOrder) {
      for (const s of passwordSecrets) {
        for (const form of weakForms(s.value)) expect(rows[table]?.some((r) => r.includes(form)), `${s.label} (${form}) in ${table}`).toBe(false);
      }
    }
  });

  it('passwords are salted scrypt hashes of at least N = 2^12 that verify', async () => {
    const hashes = await t.database.kysely.selectFrom('customers').select(['email', 'password_hash']).where('password_hash', 'is not', null).execute();
    // nine demo people have the same password: every hash differs (salted)
    expect(hashes.length).toBeGreaterThanOrEqual(8);
    expect(new Set(hashes.map((h) => h.password_hash)).size).toBe(hashes.length);
    for (const h of hashes) {
      const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{32,}$/.exec(h.password_hash ?? '');
      expect(match, h.email).not.toBeNull();
      expect(Number(match?.[1])).toBeGreaterThanOrEqual(12);
      expect(Number(match?.[2])).toBeGreaterThanOrEqual(8);
    }
    const first = hashes[0];
    expect(await verifyPassword('Passw0rd!', first?.password_hash ?? '')).toBe(true);
    expect(await verifyPassword('Passw0rd?', first?.password_hash ?? '')).toBe(false);
  });

  it('the JWT signing secrets live in the settings table and nowhere else', () => {
    expect(jwtSecrets.length).toBeGreaterThanOrEqual(2);
    for (const table of tablesInDependencyOrder) {
      if (table === 'settings') continue;
      for (const s of jwtSecrets) expect(rows[table]?.some((r) => r.includes(s.value)), `${s.label} in ${table}`).toBe(false);
    }
  });
});
