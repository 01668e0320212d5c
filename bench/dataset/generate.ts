import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { allocateIds } from '../../src/db/id-counters.js';
import { progressBar } from '../lib/progress.js';

/**
 * Writes N users into one account (and one of its stores) and N B2B company users (each with
 * its customer record) into one company, through the storage layer: chunks of rows, each chunk
 * one transaction that also moves the `user_count` columns, so the counters are right at every
 * commit. Ids come from the id counters like every other write.
 *
 * SQLite: one INSERT ... SELECT over a recursive counter per table and chunk. PostgreSQL: one INSERT ... SELECT FROM
 * unnest(arrays) per table and chunk (a COPY-like batch in a single round trip).
 */
export interface DatasetTarget {
  /** Account API: the account that gets the users */
  accountUuid: string;
  /** Account API: a store of that account whose members they also become (null: none) */
  storeId: number | null;
  /** B2B: store hash and company of the company users */
  storeHash: string;
  companyId: number;
  channelId: number;
}

/** The demo fixture's account (token demo-account-token-full) and company (m.curie's, Great Buys). */
export const demoTarget: DatasetTarget = {
  accountUuid: '61db983a-cd07-4d6b-8b59-a5ffe285ca6a',
  storeId: 1000001,
  storeHash: 'f0qyczpkb2',
  companyId: 123456,
  channelId: 1,
};

export interface GenerateOptions {
  users: number;
  target?: DatasetTarget;
  /** epoch ms used for created_at/updated_at */
  now?: number;
  /** progress bar on stderr (default true) */
  progress?: boolean;
  label?: string;
}

export interface GenerateResult {
  users: number;
  ms: number;
  /** CPU time of this process (user + system) */
  cpuMs: number;
  rowsWritten: number;
  /** the first and last B2B company-user ids written */
  firstCompanyUserId: number;
  lastCompanyUserId: number;
  firstUserId: number;
}

const PERMISSIONS = JSON.stringify(['No_Permission_Required']);

export async function generateDataset(database: Database, options: GenerateOptions): Promise<GenerateResult> {
  const n = options.users;
  const target = options.target ?? demoTarget;
  const now = options.now ?? Date.UTC(2026, 0, 1);
  if (!Number.isInteger(n) || n < 0) throw new Error(`users must be a whole number, got ${n}`);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  // one id block per space, reserved up front (the generator is the only writer meanwhile)
  const firstUserId = await database.kysely.transaction().execute((trx) => allocateIds(trx, 'users', Math.max(n, 1)));
  // customers and company users share the b2b id space: customers first, then company users
  const firstB2bId = await database.kysely.transaction().execute((trx) => allocateIds(trx, 'b2b', Math.max(2 * n, 1)));
  const firstCustomerId = firstB2bId;
  const firstCompanyUserId = firstB2bId + n;
  const tag = `${firstUserId}`; // keeps e-mails unique if the generator runs twice on one database
  const width = String(n).length;
  const rowsPerUser = target.storeId !== null ? 5 : 4;
  const bar = options.progress === false ? undefined : progressBar(options.label ?? `generating ${n.toLocaleString('en-US')} users`, n);
  const ctx: ChunkContext = { target, now, tag, width, firstUserId, firstCustomerId, firstCompanyUserId };
  if (database.dialect === 'sqlite') writeSqlite(database, n, ctx, (done) => bar?.update(done));
  else await writePostgres(database, n, ctx, (done) => bar?.update(done));
  bar?.done();
  return {
    users: n,
    ms: performance.now() - started,
    cpuMs: cpuMsSince(cpuStarted),
    rowsWritten: n * rowsPerUser,
    firstCompanyUserId,
    lastCompanyUserId: firstCompanyUserId + n - 1,
    firstUserId,
  };
}

interface ChunkContext {
  target: DatasetTarget;
  now: number;
  tag: string;
  width: number;
  firstUserId: number;
  firstCustomerId: number;
  firstCompanyUserId: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function pad(i: number, width: number): string {
  return String(i).padStart(width, '0');
}

/** Role mix of the company users: one Senior Buyer in ten, the rest Junior Buyers. */
function roleOf(i: number): number {
  return i % 10 === 0 ? 1 : 2;
}

// ------------------------------------------------------------------------------------ SQLite

const SQLITE_CHUNK = 50_000;

/**
 * Each table's rows of one chunk come from one `INSERT … SELECT` over a recursive counter inside
 * SQLite (i = from … to-1): no values cross from JavaScript, which was most of the load when rows
 * were bound 100 at a time. The values are the same as on PostgreSQL (see writePostgres).
 */
function writeSqlite(database: Database, n: number, ctx: ChunkContext, onProgress: (done: number) => void): void {
  const db = database.sqlite;
  if (!db) throw new Error('no SQLite handle');
  const { target, now } = ctx;
  // bulk-load settings for this connection only; restored below
  const previousSync = db.pragma('synchronous', { simple: true });
  const previousCache = db.pragma('cache_size', { simple: true });
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');

  const padded = `printf('%0${ctx.width}d', i)`;
  const userEmail = `'bench.user.${ctx.tag}.' || ${padded} || '@bench.example'`;
  const buyerEmail = `'bench.buyer.${ctx.tag}.' || ${padded} || '@bench.example'`;
  const counter = 'WITH RECURSIVE seq(i) AS (SELECT :from UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :to)';
  const inserts: { table: string; statement: ReturnType<typeof db.prepare> }[] = [
    {
      table: 'users',
      statement: db.prepare(`${counter}
        INSERT INTO users (id, email, email_key, first_name, last_name, locale, status, last_login_at, created_at, updated_at)
        SELECT :firstUserId + i, ${userEmail}, ${userEmail}, 'Bench', 'User ' || ${padded}, 'en-US', 'ACTIVE', NULL, :now, :now FROM seq`),
    },
    {
      table: 'account_users',
      statement: db.prepare(`${counter}
        INSERT INTO account_users (account_uuid, user_id, status, created_at) SELECT :accountUuid, :firstUserId + i, 'ACTIVE', :now FROM seq`),
    },
    ...(target.storeId !== null
      ? [
          {
            table: 'store_users',
            statement: db.prepare(`${counter}
              INSERT INTO store_users (store_id, user_id, account_uuid, status, permissions, last_login_at, created_at, updated_at)
              SELECT :storeId, :firstUserId + i, :accountUuid, 'ACTIVE', :permissions, NULL, :now, :now FROM seq`),
          },
        ]
      : []),
    {
      table: 'customers',
      statement: db.prepare(`${counter}
        INSERT INTO customers (id, store_hash, email, email_key, first_name, last_name, phone, password_hash, force_password_reset, origin_channel_id, created_at, updated_at)
        SELECT :firstCustomerId + i, :storeHash, ${buyerEmail}, ${buyerEmail}, 'Bench', 'Buyer ' || ${padded}, '', NULL, 1, :channelId, :now, :now FROM seq`),
    },
    {
      table: 'company_users',
      statement: db.prepare(`${counter}
        INSERT INTO company_users (id, store_hash, company_id, customer_id, email, email_key, first_name, last_name, phone, role, company_role_id, uuid, channel_id, extra_fields, created_at, updated_at)
        SELECT :firstCompanyUserId + i, :storeHash, :companyId, :firstCustomerId + i, ${buyerEmail}, ${buyerEmail}, 'Bench', 'Buyer ' || ${padded}, '',
               CASE WHEN i % 10 = 0 THEN 1 ELSE 2 END, NULL, NULL, :channelId, '[]', :now, :now FROM seq`),
    },
  ];
  const parameters = {
    now,
    firstUserId: ctx.firstUserId,
    firstCustomerId: ctx.firstCustomerId,
    firstCompanyUserId: ctx.firstCompanyUserId,
    accountUuid: target.accountUuid,
    storeId: target.storeId,
    permissions: PERMISSIONS,
    storeHash: target.storeHash,
    companyId: target.companyId,
    channelId: target.channelId,
  };
  const bumpAccount = db.prepare('UPDATE accounts SET user_count = user_count + ? WHERE uuid = ?');
  const bumpStore = db.prepare('UPDATE stores SET user_count = user_count + ? WHERE id = ?');
  const bumpCompany = db.prepare('UPDATE companies SET user_count = user_count + ?, updated_at = ? WHERE id = ?');

  const chunk = db.transaction((from: number, to: number) => {
    for (const { statement } of inserts) {
      // each statement binds only the parameters it names
      const names = new Set(statement.source.match(/:[A-Za-z]+/g)?.map((m) => m.slice(1)));
      const bound: Record<string, unknown> = { from, to };
      for (const [key, value] of Object.entries(parameters)) if (names.has(key)) bound[key] = value;
      statement.run(bound);
    }
    const count = to - from;
    bumpAccount.run(count, target.accountUuid);
    if (target.storeId !== null) bumpStore.run(count, target.storeId);
    bumpCompany.run(count, now, target.companyId);
  });

  // the non-unique indexes of the five tables are dropped for the load and created again from their
  // own definitions (sqlite_master) afterwards: one sorted build per index instead of an insert into
  // each per row; the schema ends identical. Unique indexes stay: they check the rows, and
  // foreign keys need them on their parent keys.
  const tables = inserts.map((i) => i.table);
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (${tables.map(() => '?').join(',')})`)
    .all(...tables) as { name: string; sql: string }[];
  db.transaction(() => {
    for (const index of indexes) db.exec(`DROP INDEX "${index.name.replace(/"/g, '""')}"`);
  })();
  try {
    for (let from = 0; from < n; from += SQLITE_CHUNK) {
      const to = Math.min(n, from + SQLITE_CHUNK);
      chunk(from, to);
      onProgress(to);
    }
  } finally {
    db.transaction(() => {
      for (const index of indexes) db.exec(index.sql);
    })();
    db.pragma(`synchronous = ${previousSync}`);
    db.pragma(`cache_size = ${previousCache}`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  // planner statistics, as a long-lived database would have them (PostgreSQL's autovacuum does the same)
  db.exec('ANALYZE');
}

// ------------------------------------------------------------------------------------ PostgreSQL

const PG_CHUNK = 25_000;

async function writePostgres(database: Database, n: number, ctx: ChunkContext, onProgress: (done: number) => void): Promise<void> {
  const { target, now } = ctx;
  for (let from = 0; from < n; from += PG_CHUNK) {
    const to = Math.min(n, from + PG_CHUNK);
    const count = to - from;
    const idx = Array.from({ length: count }, (_, k) => from + k);
    const userIds = idx.map((i) => ctx.firstUserId + i);
    const userEmails = idx.map((i) => `bench.user.${ctx.tag}.${pad(i, ctx.width)}@bench.example`);
    const userLast = idx.map((i) => `User ${pad(i, ctx.width)}`);
    const customerIds = idx.map((i) => ctx.firstCustomerId + i);
    const companyUserIds = idx.map((i) => ctx.firstCompanyUserId + i);
    const buyerEmails = idx.map((i) => `bench.buyer.${ctx.tag}.${pad(i, ctx.width)}@bench.example`);
    const buyerLast = idx.map((i) => `Buyer ${pad(i, ctx.width)}`);
    const roles = idx.map(roleOf);
    await database.kysely.transaction().execute(async (trx) => {
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      await sql`INSERT INTO users (id, email, email_key, first_name, last_name, locale, status, last_login_at, created_at, updated_at)
        SELECT u.id, u.email, u.email, 'Bench', u.last, 'en-US', 'ACTIVE', NULL, ${now}, ${now}
        FROM unnest(${userIds}::integer[], ${userEmails}::text[], ${userLast}::text[]) AS u(id, email, last)`.execute(trx);
      await sql`INSERT INTO account_users (account_uuid, user_id, status, created_at)
        SELECT ${target.accountUuid}, u.id, 'ACTIVE', ${now} FROM unnest(${userIds}::integer[]) AS u(id)`.execute(trx);
      if (target.storeId !== null) {
        await sql`INSERT INTO store_users (store_id, user_id, account_uuid, status, permissions, last_login_at, created_at, updated_at)
          SELECT ${target.storeId}, u.id, ${target.accountUuid}, 'ACTIVE', ${PERMISSIONS}, NULL, ${now}, ${now}
          FROM unnest(${userIds}::integer[]) AS u(id)`.execute(trx);
      }
      await sql`INSERT INTO customers (id, store_hash, email, email_key, first_name, last_name, phone, password_hash,
          force_password_reset, origin_channel_id, created_at, updated_at)
        SELECT c.id, ${target.storeHash}, c.email, c.email, 'Bench', c.last, '', NULL, 1, ${target.channelId}, ${now}, ${now}
        FROM unnest(${customerIds}::integer[], ${buyerEmails}::text[], ${buyerLast}::text[]) AS c(id, email, last)`.execute(trx);
      await sql`INSERT INTO company_users (id, store_hash, company_id, customer_id, email, email_key, first_name, last_name,
          phone, role, company_role_id, uuid, channel_id, extra_fields, created_at, updated_at)
        SELECT c.id, ${target.storeHash}, ${target.companyId}, c.customer_id, c.email, c.email, 'Bench', c.last, '', c.role,
          NULL, NULL, ${target.channelId}, '[]', ${now}, ${now}
        FROM unnest(${companyUserIds}::integer[], ${customerIds}::integer[], ${buyerEmails}::text[], ${buyerLast}::text[],
          ${roles}::integer[]) AS c(id, customer_id, email, last, role)`.execute(trx);
      await sql`UPDATE accounts SET user_count = user_count + ${count} WHERE uuid = ${target.accountUuid}`.execute(trx);
      if (target.storeId !== null) {
        await sql`UPDATE stores SET user_count = user_count + ${count} WHERE id = ${target.storeId}`.execute(trx);
      }
      await sql`UPDATE companies SET user_count = user_count + ${count}, updated_at = ${now} WHERE id = ${target.companyId}`.execute(trx);
    });
    onProgress(to);
  }
  await sql`ANALYZE`.execute(database.kysely);
}
