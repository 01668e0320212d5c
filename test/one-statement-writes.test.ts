import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { runAsOneStatement } from '../src/db/tenant-ledger.js';
import { commitAsOneStatement, type WorldEventInput } from '../src/domain/domain-events.js';
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

/**
 * Two one-statement writes of one entity (domain-events.ts commitAsOneStatement): PostgreSQL may
 * run two statements sent together in either order and their answers may arrive in either, so the
 * second is sent only once the first has answered and emitted its events; writes of other entities
 * go together. Against a database whose answers come back in the reverse order of the questions.
 */
describe('one-statement writes of one entity keep their order', () => {
  const reversing = () => {
    const sent: string[] = [];
    const waiting: (() => void)[] = [];
    const database = {
      dialect: 'postgres',
      kysely: {
        executeQuery(query: { parameters: readonly unknown[] }) {
          const name = String(query.parameters[0]);
          sent.push(name);
          return new Promise((resolve) => {
            waiting.unshift(() => resolve({ rows: [{ name }] }));
            // answer everything sent so far, newest first, once the senders have had a turn
            setImmediate(() => {
              for (const answer of waiting.splice(0)) answer();
            });
          });
        },
      },
    } as unknown as Database;
    return { database, sent };
  };
  const write = (name: string) => ({ key: 'order-test', build: () => 'SELECT 1', parameters: [name] });

  it('sends a write of an entity after the one before it answered, and emits their events in that order', async () => {
    const { database, sent } = reversing();
    const emitted: string[] = [];
    const sink = { emit: (event: WorldEventInput) => emitted.push(String(event.subject?.name)) };
    const run = (entity: string, name: string) =>
      commitAsOneStatement<{ name: string }>(database, sink, [{ type: 'company.user.updated' }], entity, write(name), (row) => [
        { type: 'company.user.updated', subject: { name: row?.name } },
      ]);
    await Promise.all([run('user:1', 'a1'), run('user:1', 'a2'), run('user:2', 'b1'), run('user:1', 'a3')]);
    expect(emitted.filter((name) => name.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    // the other user's write went with the first one, not after the others
    expect(sent.slice(0, 2).sort()).toEqual(['a1', 'b1']);
  });
});
