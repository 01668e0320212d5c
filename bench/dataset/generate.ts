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
 * SQLite: raw better-sqlite3 prepared multi-row INSERTs. PostgreSQL: one INSERT ... SELECT FROM
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
const SQLITE_ROWS_PER_STATEMENT = 100;

function writeSqlite(database: Database, n: number, ctx: ChunkContext, onProgress: (done: number) => void): void {
  const db = database.sqlite;
  if (!db) throw new Error('no SQLite handle');
  const { target, now } = ctx;
  // bulk-load settings for this connection only; restored below
  const previousSync = db.pragma('synchronous', { simple: true });
  const previousCache = db.pragma('cache_size', { simple: true });
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');

  const multi = (table: string, columns: string[], rows: number) => {
    const one = `(${columns.map(() => '?').join(',')})`;
    return db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${Array.from({ length: rows }, () => one).join(',')}`);
  };
  const tables = {
    users: ['id', 'email', 'email_key', 'first_name', 'last_name', 'locale', 'status', 'last_login_at', 'created_at', 'updated_at'],
    account_users: ['account_uuid', 'user_id', 'status', 'created_at'],
    store_users: ['store_id', 'user_id', 'account_uuid', 'status', 'permissions', 'last_login_at', 'created_at', 'updated_at'],
    customers: [
      'id', 'store_hash', 'email', 'email_key', 'first_name', 'last_name', 'phone', 'password_hash',
      'force_password_reset', 'origin_channel_id', 'created_at', 'updated_at',
    ],
    company_users: [
      'id', 'store_hash', 'company_id', 'customer_id', 'email', 'email_key', 'first_name', 'last_name', 'phone',
      'role', 'company_role_id', 'uuid', 'channel_id', 'extra_fields', 'created_at', 'updated_at',
    ],
  } as const;
  type Table = keyof typeof tables;
  const statements = new Map<string, ReturnType<typeof multi>>();
  const statement = (table: Table, rows: number) => {
    const key = `${table}:${rows}`;
    let s = statements.get(key);
    if (!s) {
      s = multi(table, [...tables[table]], rows);
      statements.set(key, s);
    }
    return s;
  };
  const bumpAccount = db.prepare('UPDATE accounts SET user_count = user_count + ? WHERE uuid = ?');
  const bumpStore = db.prepare('UPDATE stores SET user_count = user_count + ? WHERE id = ?');
  const bumpCompany = db.prepare('UPDATE companies SET user_count = user_count + ?, updated_at = ? WHERE id = ?');

  const rowValues: Record<Table, (i: number) => unknown[]> = {
    users: (i) => {
      const email = `bench.user.${ctx.tag}.${pad(i, ctx.width)}@bench.example`;
      return [ctx.firstUserId + i, email, email, 'Bench', `User ${pad(i, ctx.width)}`, 'en-US', 'ACTIVE', null, now, now];
    },
    account_users: (i) => [target.accountUuid, ctx.firstUserId + i, 'ACTIVE', now],
    store_users: (i) => [target.storeId, ctx.firstUserId + i, target.accountUuid, 'ACTIVE', PERMISSIONS, null, now, now],
    customers: (i) => {
      const email = `bench.buyer.${ctx.tag}.${pad(i, ctx.width)}@bench.example`;
      return [ctx.firstCustomerId + i, target.storeHash, email, email, 'Bench', `Buyer ${pad(i, ctx.width)}`, '', null, 1, target.channelId, now, now];
    },
    company_users: (i) => {
      const email = `bench.buyer.${ctx.tag}.${pad(i, ctx.width)}@bench.example`;
      return [
        ctx.firstCompanyUserId + i, target.storeHash, target.companyId, ctx.firstCustomerId + i, email, email, 'Bench',
        `Buyer ${pad(i, ctx.width)}`, '', roleOf(i), null, null, target.channelId, '[]', now, now,
      ];
    },
  };
  const order: Table[] = target.storeId !== null
    ? ['users', 'account_users', 'store_users', 'customers', 'company_users']
    : ['users', 'account_users', 'customers', 'company_users'];

  const writeRange = (table: Table, from: number, to: number) => {
    const make = rowValues[table];
    let i = from;
    while (i < to) {
      const rows = Math.min(SQLITE_ROWS_PER_STATEMENT, to - i);
      const params: unknown[] = [];
      for (let k = 0; k < rows; k++) {
        const values = make(i + k);
        for (const v of values) params.push(v);
      }
      statement(table, rows).run(params);
      i += rows;
    }
  };

  const chunk = db.transaction((from: number, to: number) => {
    for (const table of order) writeRange(table, from, to);
    const count = to - from;
    bumpAccount.run(count, target.accountUuid);
    if (target.storeId !== null) bumpStore.run(count, target.storeId);
    bumpCompany.run(count, now, target.companyId);
  });
  try {
    for (let from = 0; from < n; from += SQLITE_CHUNK) {
      const to = Math.min(n, from + SQLITE_CHUNK);
      chunk(from, to);
      onProgress(to);
    }
  } finally {
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
