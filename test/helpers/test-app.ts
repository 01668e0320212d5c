import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../src/app.js';
import { type Booted, bootstrap } from '../../src/bootstrap.js';
import type { RateLimitFlag } from '../../src/cli/config.js';
import { type Database, type DialectName, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import type { RateLimitStore } from '../../src/domain/rate-limits/rate-limiter.js';
import type { Services } from '../../src/services.js';
import type { WebhookSettings } from '../../src/webhooks/webhook-dispatcher.js';
import type { ControllableClock } from '../../src/shared/clock.js';
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
  /** webhook settings as flags (override the fixture's `settings.webhooks`), e.g. `{ mode: 'record' }` or `{ timeoutMs: 500 }` */
  webhooks?: Partial<WebhookSettings>;
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

/** The one way tests build the server: bootstrap() (as the CLI and roster/testing) on a fresh database of its own. */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  let dir: string | undefined;
  let databaseUrl: string;
  let pgSchema: string | undefined;
  if (options.dialect === 'sqlite') {
    dir = options.sqliteFile ? mkdtempSync(join(tmpdir(), 'roster-test-')) : undefined;
    databaseUrl = dir !== undefined ? `sqlite:${join(dir, 'roster.db')}` : 'sqlite::memory:';
  } else {
    if (!postgresUrl) throw new Error('ROSTER_TEST_POSTGRES_URL is not set');
    databaseUrl = postgresUrl;
    pgSchema = `t_${randomBytes(6).toString('hex')}`;
  }
  const others: Database[] = [];
  const removeDir = () => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  };
  let booted: Booted;
  try {
    booted = await bootstrap({
      databaseUrl,
      ...(pgSchema !== undefined ? { database: { pgSchema, pgPoolSize: 5 }, dropSchemaAtClose: true } : {}),
      ...(options.fixture !== null ? { seed: { fixture: options.fixture ?? demoFixture } } : {}),
      ...(options.now !== undefined ? { clockStart: options.now } : {}),
      ...(options.deterministicSeed !== undefined ? { deterministic: options.deterministicSeed } : {}),
      // tests do not want the 70/hour quota unless they ask for it
      flags: {
        accountRateLimit: options.accountRateLimit !== undefined ? options.accountRateLimit : null,
        b2bRateLimit: options.b2bRateLimit !== undefined ? options.b2bRateLimit : null,
        production: false,
        ...(options.webhooks !== undefined ? { webhooks: options.webhooks } : {}),
      },
      app: {
        logger: options.logger ?? false,
        ...(options.rateLimitStore ? { rateLimitStore: options.rateLimitStore } : {}),
        ...(options.eagerBaselineRows !== undefined ? { eagerBaselineRows: options.eagerBaselineRows } : {}),
        ...(options.sqliteImageMemoryBytes !== undefined ? { sqliteImageMemoryBytes: options.sqliteImageMemoryBytes } : {}),
        ...(options.admin ? { admin: options.admin } : {}),
      },
    });
  } catch (error) {
    removeDir();
    throw error;
  }
  await booted.app.ready();
  const { app, database, clock } = booted;
  return {
    app,
    database: Object.assign(database, dir !== undefined ? { sqlitePath: join(dir, 'roster.db') } : {}),
    clock,
    async outside() {
      let other: Database;
      if (dir !== undefined) other = await openDatabase(`sqlite:${join(dir, 'roster.db')}`);
      else if (pgSchema !== undefined && postgresUrl) other = await openDatabase(postgresUrl, { pgSchema, pgPoolSize: 1 });
      else throw new Error('outside() needs sqliteFile: true on SQLite');
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others) await other.close();
      await booted.close();
      removeDir();
    },
  };
}
