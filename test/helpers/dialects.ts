import type { DialectName } from '../../src/db/database.js';

/**
 * Every storage test runs on each dialect: SQLite in memory always, PostgreSQL when
 * ROSTER_TEST_POSTGRES_URL is set (CI sets it). vitest's globalSetup prints when the PostgreSQL half is skipped.
 */
export const postgresUrl = process.env.ROSTER_TEST_POSTGRES_URL;

export const dialects: DialectName[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/** Drops a PostgreSQL schema made for one test (and everything in it). */
export async function dropPgSchema(schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
