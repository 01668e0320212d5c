import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsOneStatement } from '../src/db/tenant-ledger.js';
import { type UserUpdateRow, userUpdateStatement } from '../src/domain/company-users/company-user-repository.js';
import { demo } from './b2b-rest-helpers.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * A B2B user update run as one statement (issue #16; company-user-repository.ts userUpdateStatement,
 * used by the Company user service where the database can): it applies the role the caller gave
 * only by writing nothing when the row no longer has that role (the service then runs its
 * transaction, which changes the role and its Company's row). The race cannot be provoked through
 * the API, so the statement is run here against the row directly. SQLite cannot run it (no writes
 * in WITH): there nothing runs and nothing changes.
 */
const NOW = Date.parse('2026-12-08T02:00:00Z');

describe.each(dialects)('B2B user update as one statement on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect, now: NOW });
  });
  afterAll(async () => t.close());

  const user = demo.senior;
  const row = async () =>
    (
      await sql<{ first_name: string; role: number; updated_at: number }>`SELECT first_name, role, updated_at FROM company_users WHERE id = ${user.id}`.execute(t.database.kysely)
    ).rows.map((r) => ({ firstName: r.first_name, role: Number(r.role), updatedAt: Number(r.updated_at) }))[0];
  const customerName = async () =>
    (await sql<{ first_name: string }>`SELECT first_name FROM customers WHERE id = ${user.bcId}`.execute(t.database.kysely)).rows[0]?.first_name;
  const update = (firstName: string, role: number) =>
    runAsOneStatement<UserUpdateRow>(t.database, userUpdateStatement(user.id, { firstName, role: { role, customRoleId: null } }, NOW + 1000), () => new Map());

  it('writes nothing while the row has another role than the one given, and the user and customer when it has it', async () => {
    const start = await row();
    if (!start) throw new Error('the demo user is missing');
    const other = start.role === 1 ? 2 : 1;
    const refused = await update('Refused', other);
    if (dialect === 'sqlite') {
      expect(refused).toBeUndefined();
      expect(await row()).toEqual(start);
      return;
    }
    expect(refused?.row?.before).toMatchObject({ id: user.id, role: start.role });
    expect(refused?.row?.after).toBeNull();
    expect(await row()).toEqual(start);
    expect(await customerName()).not.toBe('Refused');

    const written = await update('Written', start.role);
    expect(written?.row?.after).toMatchObject({ id: user.id, first_name: 'Written', role: start.role, updated_at: NOW + 1000 });
    expect(await row()).toEqual({ firstName: 'Written', role: start.role, updatedAt: NOW + 1000 });
    expect(await customerName()).toBe('Written');
  });
});
