import type { DialectName } from '../../src/db/database.js';

/**
 * Every storage test runs on each dialect: SQLite in memory always, PostgreSQL when
 * ROSTER_TEST_POSTGRES_URL is set (CI sets it). vitest's globalSetup prints when the PostgreSQL half is skipped.
 */
export const postgresUrl = process.env.ROSTER_TEST_POSTGRES_URL;

export const dialects: DialectName[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
