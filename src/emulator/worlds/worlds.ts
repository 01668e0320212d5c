import { type Database, openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrator.js';
import { type LoadFixtureOptions, loadFixture } from '../../fixtures/load-fixture.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { EventSink } from '../../domain/domain-events.js';
import { createEventJournal, type EventJournal } from '../journal/events.js';
import { createFaultRegistry, type FaultRegistry } from '../journal/faults.js';
import { createRequestJournal, type RequestJournal } from '../journal/request-journal.js';
import type { RateLimitSetting, RateLimitStore } from '../../domain/rate-limits/rate-limiter.js';
import {
  createRateLimitOverrides,
  FORK_RATE_LIMIT_PREFIX,
  mainRateLimitStore,
  prefixRateLimitStore,
  type RateLimitOverrides,
} from './rate-limit-overrides.js';
import { createWorldChanges, type WorldChanges } from './world-changes.js';
import { copyWorldRows } from '../../db/images/world-rows.js';
import { createWorldStorage, type WorldImage, type WorldStorage } from '../../db/images/world-storage.js';

/**
 * Worlds: the main one, and forks (isolated copies made for one test each). A world is one
 * database plus the services built over it, and the emulator's per-world state: its snapshots, its
 * request journal, its events, its fault rules and its rate-limit counters and overrides.
 * The clock is shared by every world.
 */
export interface WorldParts {
  id: string;
  database: Database;
  changes: WorldChanges;
  events: EventSink;
  rateLimitStore: RateLimitStore;
  rateLimitOverrides: RateLimitOverrides;
}

export interface Snapshot {
  name: string;
  /** clock ms */
  createdAt: number;
  image: WorldImage;
}

export interface World<S> {
  readonly id: string;
  readonly parentId: string | undefined;
  /** clock ms */
  readonly createdAt: number;
  readonly database: Database;
  readonly services: S;
  readonly changes: WorldChanges;
  readonly rateLimitStore: RateLimitStore;
  readonly rateLimitOverrides: RateLimitOverrides;
  readonly journal: RequestJournal;
  readonly events: EventJournal;
  readonly faults: FaultRegistry;
  readonly snapshots: Map<string, Snapshot>;
  /** requests being served right now (a fork is closed only once they are done) */
  inFlight: number;
}

export interface WorldsOptions<S> {
  database: Database;
  clock: Clock;
  rateLimitStore: RateLimitStore;
  /** the start-up quotas (the overrides' defaults) of a world */
  startupRateLimits: (services: S) => { account: RateLimitSetting | null; b2b: RateLimitSetting | null };
  makeServices(parts: WorldParts): S;
  /** called after a world's rows were replaced wholesale (re-read settings stored with the rows) */
  afterRowsReplaced?(world: World<S>): Promise<void>;
  /** how fixtures loaded at run time are validated (the server's --webhook-destinations flag) */
  fixtureLoadOptions?(): LoadFixtureOptions;
  /** PostgreSQL forks need the connection string */
  databaseUrl?: string | undefined;
  nextForkId(): string;
  journalSize?: number;
  eventsSize?: number;
  maxForks?: number;
  maxSnapshots?: number;
  /** PostgreSQL: migrated schemas kept ready for the next forks */
  warmForks?: number;
  /** worlds up to this many rows take their reset baseline at start-up; bigger ones before their first write */
  eagerBaselineRows?: number;
  /** SQLite: worlds bigger than this (bytes) keep their baseline and snapshots in files, not in memory */
  sqliteImageMemoryBytes?: number | undefined;
}

export interface Worlds<S> {
  readonly main: World<S>;
  readonly storage: WorldStorage;
  get(id: string): World<S> | undefined;
  forks(): World<S>[];
  /**
   * Takes the reset baseline of the main world (call once, before serving). A big world (more than
   * EAGER_BASELINE_ROWS rows) defers it until just before its first write (`ensureBaseline`), so
   * serving a large read-only dataset costs neither start-up time nor a second copy in memory.
   */
  init(): Promise<void>;
  /** true while the world's baseline is deferred: a request that may write must await ensureBaseline first */
  isBaselinePending(world: World<S>): boolean;
  ensureBaseline(world: World<S>): Promise<void>;
  fork(from: World<S>): Promise<World<S>>;
  deleteFork(id: string): Promise<boolean>;
  reset(world: World<S>): Promise<void>;
  takeSnapshot(world: World<S>, name: string): Promise<{ snapshot: Snapshot; replaced: boolean }>;
  restoreSnapshot(world: World<S>, name: string): Promise<Snapshot>;
  deleteSnapshot(world: World<S>, name: string): Promise<boolean>;
  countRows(snapshot: Snapshot): Promise<Record<string, number>>;
  loadFixture(world: World<S>, input: unknown): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Worlds up to this many rows (the biggest tables) take their reset baseline at start-up. */
export const EAGER_BASELINE_ROWS = 50_000;

async function estimateRows(database: Database, limit: number): Promise<number> {
  let total = 0;
  for (const table of ['users', 'account_users', 'store_users', 'customers', 'company_users'] as const) {
    const row = await database.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    total += Number(row?.n ?? 0);
    if (total > limit) break;
  }
  return total;
}

export function createWorlds<S>(options: WorldsOptions<S>): Worlds<S> {
  const storage = createWorldStorage(options.database, {
    databaseUrl: options.databaseUrl,
    warmForks: options.warmForks ?? 2,
    sqliteImageMemoryBytes: options.sqliteImageMemoryBytes,
  });
  const forks = new Map<string, World<S>>();
  // the state each world resets to: a fork shares its parent's (reference-counted images)
  const baselines = new Map<string, WorldImage>();
  const imageRefs = new Map<WorldImage, number>();
  const locks = new Map<string, Promise<unknown>>();
  const maxForks = options.maxForks ?? 1000;
  const maxSnapshots = options.maxSnapshots ?? 100;
  let faultCounter = 0;
  let closed = false;
  /** worlds whose baseline is deferred until their first write, and the capture under way */
  const pendingBaselines = new Set<string>();
  const capturing = new Map<string, Promise<void>>();

  function ensureBaseline(world: World<S>): Promise<void> {
    if (!pendingBaselines.has(world.id)) return Promise.resolve();
    let running = capturing.get(world.id);
    if (!running) {
      running = (async () => {
        const image = await storage.capture(world.database);
        if (pendingBaselines.delete(world.id)) holdBaseline(world.id, image);
        else await storage.discard(image);
      })().finally(() => capturing.delete(world.id));
      capturing.set(world.id, running);
    }
    return running;
  }

  /** one whole-world operation at a time per world */
  function exclusive<T>(world: World<S>, task: () => Promise<T>): Promise<T> {
    const previous = locks.get(world.id) ?? Promise.resolve();
    const next = previous.then(task, task);
    locks.set(
      world.id,
      next.catch(() => undefined),
    );
    return next;
  }

  function build(id: string, parentId: string | undefined, database: Database, store: RateLimitStore): World<S> {
    const changes = createWorldChanges();
    const events = createEventJournal({ world: id, capacity: options.eventsSize ?? 1000, now: () => options.clock.now() });
    let servicesRef: S | undefined;
    const overrides = createRateLimitOverrides(() => options.startupRateLimits(servicesRef as S));
    const services = options.makeServices({ id, database, changes, events: events.sink, rateLimitStore: store, rateLimitOverrides: overrides });
    servicesRef = services;
    return {
      id,
      parentId,
      createdAt: options.clock.now(),
      database,
      services,
      changes,
      rateLimitStore: store,
      rateLimitOverrides: overrides,
      journal: createRequestJournal(options.journalSize ?? 500),
      events,
      faults: createFaultRegistry(() => {
        faultCounter += 1;
        return `fault-${faultCounter}`;
      }),
      snapshots: new Map(),
      inFlight: 0,
    };
  }

  const main = build('main', undefined, options.database, mainRateLimitStore(options.rateLimitStore));

  function holdBaseline(worldId: string, image: WorldImage): void {
    baselines.set(worldId, image);
    imageRefs.set(image, (imageRefs.get(image) ?? 0) + 1);
  }

  async function releaseBaseline(worldId: string): Promise<void> {
    const image = baselines.get(worldId);
    if (!image) return;
    baselines.delete(worldId);
    const refs = (imageRefs.get(image) ?? 1) - 1;
    if (refs > 0) imageRefs.set(image, refs);
    else {
      imageRefs.delete(image);
      await storage.discard(image).catch(() => undefined);
    }
  }

  async function afterReplace(world: World<S>): Promise<void> {
    await options.afterRowsReplaced?.(world);
    world.changes.notify();
  }

  async function closeWorld(world: World<S>): Promise<void> {
    await (world.services as { close?: () => Promise<void> }).close?.().catch(() => undefined);
    for (const snapshot of world.snapshots.values()) await storage.discard(snapshot.image).catch(() => undefined);
    world.snapshots.clear();
    await releaseBaseline(world.id);
    await world.rateLimitStore.reset().catch(() => undefined);
    await storage.release(world.database);
  }

  return {
    main,
    storage,
    get(id) {
      return id === 'main' ? main : forks.get(id);
    },
    forks: () => [...forks.values()],
    async init() {
      if (baselines.has('main') || pendingBaselines.has('main')) return;
      const limit = options.eagerBaselineRows ?? EAGER_BASELINE_ROWS;
      if ((await estimateRows(options.database, limit)) > limit) pendingBaselines.add('main');
      else holdBaseline('main', await storage.capture(options.database));
    },
    isBaselinePending: (world) => pendingBaselines.has(world.id),
    ensureBaseline,
    async fork(from) {
      if (closed) throw new AppError('CONFLICT', 'The server is shutting down');
      if (forks.size >= maxForks) throw new AppError('TOO_MANY_FORKS', `At most ${maxForks} forks may be alive at once; delete some first`);
      await ensureBaseline(from);
      const id = options.nextForkId();
      const database = await exclusive(from, () => storage.fork(from.database));
      const world = build(id, from.id, database, prefixRateLimitStore(options.rateLimitStore, `${FORK_RATE_LIMIT_PREFIX}${id}:`));
      const baseline = baselines.get(from.id);
      if (baseline) holdBaseline(id, baseline);
      // the fork's settings come from its own rows (the parent may have loaded another fixture)
      try {
        await options.afterRowsReplaced?.(world);
      } catch (error) {
        await closeWorld(world).catch(() => undefined);
        throw error;
      }
      forks.set(id, world);
      return world;
    },
    async deleteFork(id) {
      const world = forks.get(id);
      if (!world) return false;
      forks.delete(id);
      // let requests already inside this world finish (bounded: a stuck client must not pin it)
      for (let waited = 0; world.inFlight > 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      await exclusive(world, () => closeWorld(world));
      return true;
    },
    async reset(world) {
      await ensureBaseline(world);
      return exclusive(world, async () => {
        const image = baselines.get(world.id);
        if (!image) throw new AppError('CONFLICT', 'No baseline to reset to');
        await storage.restore(world.database, image);
        await world.rateLimitStore.reset();
        await afterReplace(world);
        world.events.record({ type: 'world.reset' }, 'emulator');
      });
    },
    takeSnapshot(world, name) {
      return exclusive(world, async () => {
        const existing = world.snapshots.get(name);
        if (!existing && world.snapshots.size >= maxSnapshots) {
          throw new AppError('CONFLICT', `At most ${maxSnapshots} snapshots per world; delete some first`);
        }
        const snapshot: Snapshot = { name, createdAt: options.clock.now(), image: await storage.capture(world.database) };
        world.snapshots.set(name, snapshot);
        if (existing) await storage.discard(existing.image);
        return { snapshot, replaced: existing !== undefined };
      });
    },
    restoreSnapshot(world, name) {
      return exclusive(world, async () => {
        const snapshot = world.snapshots.get(name);
        if (!snapshot) throw new AppError('SNAPSHOT_NOT_FOUND', `No snapshot named "${name}"`);
        await storage.restore(world.database, snapshot.image);
        await afterReplace(world);
        world.events.record({ type: 'world.snapshot.restored', subject: { name } }, 'emulator');
        return snapshot;
      });
    },
    deleteSnapshot(world, name) {
      return exclusive(world, async () => {
        const snapshot = world.snapshots.get(name);
        if (!snapshot) return false;
        world.snapshots.delete(name);
        await storage.discard(snapshot.image);
        return true;
      });
    },
    countRows: (snapshot) => storage.countRows(snapshot.image),
    async loadFixture(world, input) {
      // Load into a scratch database first: the same validation and loader as start-up, and
      // nothing touches the world unless the whole fixture loaded.
      const scratch = await openDatabase('sqlite::memory:');
      try {
        await migrateToLatest(scratch);
        await loadFixture(scratch, input, options.clock, options.fixtureLoadOptions?.() ?? {});
      } catch (error) {
        await scratch.close();
        throw error;
      }
      return exclusive(world, async () => {
        let counts: Record<string, number>;
        try {
          counts = await copyWorldRows(scratch, world.database);
        } finally {
          await scratch.close();
        }
        const image = await storage.capture(world.database);
        await releaseBaseline(world.id);
        pendingBaselines.delete(world.id);
        holdBaseline(world.id, image);
        await world.rateLimitStore.reset();
        await afterReplace(world);
        world.events.record({ type: 'world.fixture.loaded' }, 'emulator');
        return counts;
      });
    },
    async close() {
      closed = true;
      for (const world of [...forks.values()]) {
        forks.delete(world.id);
        await closeWorld(world).catch(() => undefined);
      }
      // the main world's background work (webhook deliveries in flight, bounded by their timeout) ends too
      await (main.services as { close?: () => Promise<void> }).close?.().catch(() => undefined);
      for (const snapshot of main.snapshots.values()) await storage.discard(snapshot.image).catch(() => undefined);
      main.snapshots.clear();
      await releaseBaseline('main');
      await storage.close();
    },
  };
}
