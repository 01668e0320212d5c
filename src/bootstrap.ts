import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from './app.js';
import { DETERMINISTIC_SEED } from './cli/config.js';
import { type Database, dropPgSchema, type OpenDatabaseOptions, openDatabase } from './db/database.js';
import { migrateDownAll, migrateToLatest } from './db/migrator.js';
import type { RateLimitStore } from './domain/rate-limits/rate-limiter.js';
import { isDatabaseEmpty, type LoadSummary, loadFixture } from './fixtures/load-fixture.js';
import { resolveWorldSettings, type SettingsFlags } from './runtime-settings.js';
import type { Services } from './services.js';
import { type Clock, type ControllableClock, createClock } from './shared/clock.js';
import { AppError } from './shared/errors.js';
import { createIdGenerator } from './shared/ids.js';

/**
 * The one way a Roster server is put together, for the CLI (`roster serve`), `roster/testing`
 * and the test helpers: open the database (optionally in a PostgreSQL schema of its own, dropped
 * at close), migrate, reset or seed the world, resolve the settings (flags over the fixture's over
 * the defaults), and build the app. It never listens: the caller does.
 */
export interface BootstrapOptions {
  databaseUrl: string;
  database?: OpenDatabaseOptions;
  /** PostgreSQL: drop the database's schema at close (a schema made for this server alone) */
  dropSchemaAtClose?: boolean;
  /** wipe the database (every migration down and up again) before seeding */
  reset?: boolean;
  /**
   * The world to load: `fixture` into an empty database (`onlyIfEmpty`: and leave a database that
   * holds data as it is; otherwise a database with data is refused, as `roster serve --seed` does).
   * Absent: the database is served as it is.
   */
  seed?: { fixture: unknown; onlyIfEmpty?: boolean; /** appended to the refusal ("; pass --reset ...") */ refusalHint?: string };
  /** a frozen instant (ms) to start the clock at; otherwise real time */
  clockStart?: number;
  /** seeded ids (with a frozen clock, identical runs give identical bytes); a string is the seed */
  deterministic?: boolean | string;
  flags: SettingsFlags;
  /** shared rate-limit counters (Redis), made once the database is open, closed with the server (a store of the caller's own goes in `app`) */
  rateLimitStore?: (database: Database) => RateLimitStore | Promise<RateLimitStore>;
  /** the rest of buildApp's dependencies (logging, emulator controls, test knobs) */
  app?: Omit<AppDeps, 'database' | 'settings' | 'clock' | 'ids' | 'deterministicSeed' | 'settingsFlags' | 'databaseUrl'>;
}

export interface Booted {
  app: FastifyInstance & { services: Services };
  database: Database;
  clock: ControllableClock;
  /** the store made by `rateLimitStore` */
  rateLimitStore: RateLimitStore | undefined;
  /** closes the app, the rate-limit store and the database (and drops a schema of its own) */
  close(): Promise<void>;
}

export async function bootstrap(options: BootstrapOptions): Promise<Booted> {
  const clock = createClock(options.clockStart !== undefined ? { frozenAt: options.clockStart } : {});
  const database = await openDatabase(options.databaseUrl, options.database ?? {});
  const schema = options.dropSchemaAtClose ? database.pgSchema : undefined;
  let rateLimitStore: RateLimitStore | undefined;
  const release = async () => {
    await rateLimitStore?.close();
    await database.close();
    if (schema !== undefined) await dropPgSchema(options.databaseUrl, schema).catch(() => undefined);
  };
  try {
    await prepareWorld(database, options, clock);
    const settings = await resolveWorldSettings(database, options.flags);
    if (options.rateLimitStore) rateLimitStore = await options.rateLimitStore(database);
    const app = await buildApp({
      ...options.app,
      database,
      settings,
      clock,
      settingsFlags: options.flags,
      ...(rateLimitStore ? { rateLimitStore } : {}),
      ...deterministicIds(options.deterministic),
      // PostgreSQL forks open their own schemas through the URL
      ...(database.dialect === 'postgres' ? { databaseUrl: options.databaseUrl } : {}),
    });
    let closed = false;
    return {
      app,
      database,
      clock,
      rateLimitStore,
      async close() {
        if (closed) return;
        closed = true;
        await app.close();
        await release();
      },
    };
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
}

/**
 * Migrates the database and puts the world in it: wipes it first with `reset`, then loads `seed`
 * into it when it is empty (a database with data is refused, or kept with `onlyIfEmpty`). Undefined
 * when nothing was loaded. Shared with `roster seed`. `flags`: the settings flags the world will be
 * served with (a --webhook-destinations flag decides how fixture hooks are checked).
 */
export async function prepareWorld(
  database: Database,
  options: Pick<BootstrapOptions, 'reset' | 'seed'> & { flags?: SettingsFlags },
  clock: Clock,
): Promise<LoadSummary | undefined> {
  await migrateToLatest(database);
  if (options.reset) {
    await migrateDownAll(database);
    await migrateToLatest(database);
  }
  if (options.seed === undefined) return undefined;
  // fixture hooks' destinations are checked under the destinations rule the server runs with (webhooks.md §8)
  if (await isDatabaseEmpty(database.kysely)) return loadFixture(database, options.seed.fixture, clock, { webhookDestinations: options.flags?.webhooks?.destinations });
  if (options.seed.onlyIfEmpty) return undefined;
  throw new AppError('BAD_REQUEST', `the database ${database.description} already holds data${options.seed.refusalHint ?? ''}`);
}

function deterministicIds(deterministic: boolean | string | undefined): Pick<AppDeps, 'ids' | 'deterministicSeed'> {
  if (deterministic === undefined || deterministic === false) return { ids: createIdGenerator() };
  const seed = deterministic === true ? DETERMINISTIC_SEED : deterministic;
  return { ids: createIdGenerator({ seed }), deterministicSeed: seed };
}
