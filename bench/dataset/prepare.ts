import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, type DialectName, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { isDatabaseEmpty, loadFixture } from '../../src/fixtures/load-fixture.js';
import { createClock } from '../../src/shared/clock.js';
import { demoFixturePath } from '../lib/paths.js';
import { type GenerateResult, generateDataset } from './generate.js';
import { generateMixedDataset, type MixedDataset } from './mixed.js';

/** A database made for one bench run: its URL (for `roster serve --database`) and how to remove it. */
export interface BenchDatabase {
  dialect: DialectName;
  url: string;
  /** the URL without credentials */
  description: string;
  drop(): Promise<void>;
}

export const DEFAULT_BENCH_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The PostgreSQL server to use: ROSTER_BENCH_POSTGRES_URL, or the default local one when it answers; else undefined. */
export async function findPostgres(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string | undefined; note: string }> {
  const url = env.ROSTER_BENCH_POSTGRES_URL ?? DEFAULT_BENCH_POSTGRES_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { url, note: `PostgreSQL at ${redact(url)}` };
  } catch (error) {
    return { url: undefined, note: `PostgreSQL skipped: ${redact(url)} does not answer (${(error as Error).message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * A fresh, empty database: a SQLite file under `dir`, or a new PostgreSQL schema in the database of
 * `postgresUrl` (each run in its own schema, dropped afterwards).
 */
export async function createBenchDatabase(dialect: DialectName, options: { dir: string; name: string; postgresUrl?: string }): Promise<BenchDatabase> {
  if (dialect === 'sqlite') {
    mkdirSync(options.dir, { recursive: true });
    const file = join(options.dir, `${options.name}.db`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    return {
      dialect,
      url: `sqlite:${file}`,
      description: `sqlite:${file}`,
      async drop() {
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    };
  }
  if (!options.postgresUrl) throw new Error('no PostgreSQL URL');
  // each run in its own schema (`?schema=` is understood by roster serve), dropped afterwards
  const schema = `roster_bench_${options.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const url = new URL(options.postgresUrl);
  url.searchParams.set('schema', schema);
  const postgresUrl = options.postgresUrl;
  return {
    dialect,
    url: url.toString(),
    description: redact(url.toString()),
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

async function withDemoWorld<T>(url: string, write: (database: Database) => Promise<T>): Promise<T> {
  const database: Database = await openDatabase(url, { pgPoolSize: 2 });
  try {
    await migrateToLatest(database);
    if (await isDatabaseEmpty(database.kysely)) {
      await loadFixture(database, JSON.parse(readFileSync(demoFixturePath, 'utf8')), createClock());
    }
    return await write(database);
  } finally {
    await database.close();
  }
}

/** Migrates, loads the demo fixture when the database is empty, then writes `users` generated users. */
export function seedBenchDatabase(url: string, users: number, options: { progress?: boolean; label?: string } = {}): Promise<GenerateResult> {
  return withDemoWorld(url, (database) => generateDataset(database, { users, ...options }));
}

/** Migrates, loads the demo fixture when the database is empty, then writes the mixed scenarios' dataset (dataset/mixed.ts). */
export function seedMixedDatabase(url: string): Promise<MixedDataset> {
  return withDemoWorld(url, (database) => generateMixedDataset(database));
}
