import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { ledgerMark } from '../src/db/tenant-ledger.js';
import { runInTransaction } from '../src/db/transaction.js';
import { createTestDatabase } from './helpers/test-app.js';

/**
 * SQLite: while a write's transaction is open on the one connection, the tenant ledger cannot tell
 * what is stored, so every kept answer and read model checked meanwhile misses and reads through
 * the connection's queue. The statements run in process and a transaction's steps resolve at once,
 * but other requests' promise chains released in the same turn (requests that waited for one shared
 * storage reading) ran between its steps: in the Account mix the connection was in a transaction at
 * a third of all cache checks and writes queued up behind each other. A transaction now starts in a
 * turn of the event loop of its own (db/transaction.ts) and ends before any other request's code runs.
 */
describe('SQLite write transactions run apart from other requests', () => {
  let database: Database & { drop(): Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => database.drop());

  it('no other chain of the same turn sees the transaction open, and each can tell the ledger', async () => {
    const handle = database.sqlite;
    if (!handle) throw new Error('not SQLite');
    const seen: { open: boolean; ledger: boolean }[] = [];
    // many requests continue in one turn (as after a shared reading): a write among them
    let release: (() => void) | undefined;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reader = async () => {
      await turn;
      for (let step = 0; step < 10; step += 1) {
        seen.push({ open: handle.inTransaction, ledger: ledgerMark(database) !== undefined });
        await Promise.resolve();
      }
    };
    const writer = async () => {
      await turn;
      await runInTransaction(database, async (trx) => {
        for (let step = 0; step < 5; step += 1) await sql`INSERT INTO settings (key, value) VALUES (${`isolation-${step}`}, 'x')`.execute(trx);
      });
    };
    const all = Promise.all([reader(), writer(), reader(), reader()]);
    release?.();
    await all;
    expect(seen).toHaveLength(30);
    expect(seen.filter((s) => s.open)).toEqual([]);
    expect(seen.every((s) => s.ledger)).toBe(true);
    const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM settings WHERE key LIKE 'isolation-%'`.execute(database.kysely);
    expect(Number(rows.rows[0]?.n)).toBe(5);
  });
});
