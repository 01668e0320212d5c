import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { runCompiled } from '../src/db/shaped-query.js';
import { loadFixture } from '../src/fixtures/load-fixture.js';
import { createClock } from '../src/shared/clock.js';
import { dialects } from './helpers/dialects.js';
import { cloneDemo, createTestDatabase } from './helpers/test-app.js';

/**
 * A bound LIMIT on SQLite is written `limit (? + 0)` (db/sqlite-statements.ts: a plain `limit ?`
 * makes SQLite re-prepare the statement at every run). The rows are those a plain LIMIT gives, on
 * every engine, through Kysely and through the kept statements of runCompiled, with OFFSET too.
 */
describe.each(dialects)('bound LIMIT on %s', (dialect) => {
  let db: (Database & { drop(): Promise<void> }) | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('gives the rows of a plain LIMIT, with and without OFFSET, for every value bound to one statement', async () => {
    db = await createTestDatabase(dialect);
    await loadFixture(db, cloneDemo(), createClock({ frozenAt: Date.UTC(2025, 0, 1) }));
    const all = (await db.kysely.selectFrom('users').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const kysely = db.kysely;
    for (const limit of [0, 1, 2, all.length, all.length + 5]) {
      for (const offset of [0, 1, 3]) {
        const expected = all.slice(offset, offset + limit);
        const built = kysely.selectFrom('users').select('id').orderBy('id').limit(limit).offset(offset);
        expect((await built.execute()).map((r) => r.id)).toEqual(expected);
        // the same statement, kept and bound again with each value
        const kept = await runCompiled(kysely, 'test-bound-limit', [limit, offset], () => kysely.selectFrom('users').select('id').orderBy('id').limit(limit).offset(offset));
        expect(kept.map((r) => r.id)).toEqual(expected);
      }
    }
    const compiled = kysely.selectFrom('users').select('id').limit(3).compile();
    expect(compiled.parameters).toEqual([3]);
    if (dialect === 'sqlite') expect(compiled.sql).toMatch(/limit \(\? \+ 0\)$/);
  });
});
