import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from '../../src/app.js';
import { resolveRuntimeSettings } from '../../src/cli/runtime-settings.js';
import type { RateLimitFlag } from '../../src/config.js';
import { type Database, type DialectName, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import type { RateLimitStore } from '../../src/domain/rate-limits/rate-limiter.js';
import { readStoredSettings } from '../../src/domain/settings/settings-repository.js';
import { loadFixture } from '../../src/fixtures/load-fixture.js';
import type { Services } from '../../src/services.js';
import { type ControllableClock, createClock } from '../../src/shared/clock.js';
import { createIdGenerator } from '../../src/shared/ids.js';
import { dropPgSchema, postgresUrl } from './dialects.js';

export const demoFixture: unknown = JSON.parse(readFileSync(new URL('../../fixtures/demo.json', import.meta.url), 'utf8'));

export function cloneDemo<T = Record<string, unknown>>(): T {
  return structuredClone(demoFixture) as T;
}

/**
 * A fresh, migrated, empty database of the dialect: in-memory SQLite (or, with `sqliteFile`, a file
 * in a temporary folder, which other connections can open), or a new PostgreSQL schema.
 */
export async function createTestDatabase(
  dialect: DialectName,
  options: { sqliteFile?: boolean } = {},
): Promise<Database & { drop(): Promise<void>; sqlitePath?: string }> {
  if (dialect === 'sqlite') {
    const dir = options.sqliteFile ? mkdtempSync(join(tmpdir(), 'roster-test-')) : undefined;
    const path = dir !== undefined ? join(dir, 'roster.db') : undefined;
    const database = await openDatabase(path !== undefined ? `sqlite:${path}` : 'sqlite::memory:');
    await migrateToLatest(database);
    return Object.assign(database, {
      ...(path !== undefined ? { sqlitePath: path } : {}),
      async drop() {
        await database.close();
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      },
    });
  }
  if (!postgresUrl) throw new Error('ROSTER_TEST_POSTGRES_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase(postgresUrl, { pgSchema: schema, pgPoolSize: 5 });
  await migrateToLatest(database);
  return Object.assign(database, {
    async drop() {
      await database.close();
      await dropPgSchema(schema);
    },
  });
}

export interface TestApp {
  app: FastifyInstance & { services: Services };
  database: Database;
  clock: ControllableClock;
  /**
   * A second connection to the same database, as another process (or a person with a SQL shell)
   * would have: its own SQLite connection to the file (needs `sqliteFile`), or on PostgreSQL a new
   * pool on the same schema. Closed with the app.
   */
  outside(): Promise<Database>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  dialect: DialectName;
  /** a fixture object; default the demo fixture; null for an empty world */
  fixture?: unknown;
  accountRateLimit?: RateLimitFlag;
  b2bRateLimit?: RateLimitFlag;
  /** freeze the clock at this instant (ms) */
  now?: number;
  rateLimitStore?: RateLimitStore;
  logger?: AppDeps['logger'];
  eagerBaselineRows?: number;
  /** SQLite: image worlds bigger than this to files (0: always files) */
  sqliteImageMemoryBytes?: number;
  /** who may use /_roster (default: everyone, as on loopback) */
  admin?: AppDeps['admin'];
  /** seeded ids (as --deterministic) */
  deterministicSeed?: string;
  /** SQLite in a temporary file instead of in memory (for `outside()` connections) */
  sqliteFile?: boolean;
}

/** The one way tests build the server: a fresh database per app, seeded, and buildApp() on top. */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  const clock = createClock(options.now !== undefined ? { frozenAt: options.now } : {});
  const database = await createTestDatabase(options.dialect, { sqliteFile: options.sqliteFile ?? false });
  const others: Database[] = [];
  try {
    if (options.fixture !== null) await loadFixture(database, options.fixture ?? demoFixture, clock);
    const flags = {
      // tests do not want the 70/hour quota unless they ask for it
      accountRateLimit: options.accountRateLimit !== undefined ? options.accountRateLimit : null,
      b2bRateLimit: options.b2bRateLimit !== undefined ? options.b2bRateLimit : null,
      production: false,
    };
    const settings = resolveRuntimeSettings(await readStoredSettings(database.kysely), flags);
    const seed = options.deterministicSeed;
    const app = await buildApp({
      database,
      settings,
      clock,
      ids: createIdGenerator(seed !== undefined ? { seed } : {}),
      logger: options.logger ?? false,
      settingsFlags: flags,
      ...(options.rateLimitStore ? { rateLimitStore: options.rateLimitStore } : {}),
      ...(options.eagerBaselineRows !== undefined ? { eagerBaselineRows: options.eagerBaselineRows } : {}),
      ...(options.sqliteImageMemoryBytes !== undefined ? { sqliteImageMemoryBytes: options.sqliteImageMemoryBytes } : {}),
      ...(options.admin ? { admin: options.admin } : {}),
      ...(seed !== undefined ? { deterministicSeed: seed } : {}),
      // PostgreSQL forks open their own schemas through the URL
      ...(options.dialect === 'postgres' && postgresUrl ? { databaseUrl: postgresUrl } : {}),
    });
    await app.ready();
    return {
      app,
      database,
      clock,
      async outside() {
        let other: Database;
        if (database.sqlitePath !== undefined) other = await openDatabase(`sqlite:${database.sqlitePath}`);
        else if (options.dialect === 'postgres' && postgresUrl && database.pgSchema !== undefined) {
          other = await openDatabase(postgresUrl, { pgSchema: database.pgSchema, pgPoolSize: 1 });
        } else throw new Error('outside() needs sqliteFile: true on SQLite');
        others.push(other);
        return other;
      },
      async close() {
        for (const other of others) await other.close();
        await app.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
