import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/tables.js';
import { stampOf, type UserListStamp } from '../companies/company-repository.js';
import type { Company } from '../companies/company-types.js';

/**
 * Deep offsets without deep OFFSET scans. The B2B APIs page by offset over a list ordered by id
 * descending; `OFFSET n` walks n index entries (≈45 ns each on SQLite, worse on PostgreSQL), so a
 * page at offset 999,990 of a 1M-user Company would cost ~45 ms.
 *
 * This cache keeps, per (Company, role set), a checkpoint every `stride` positions: position → id.
 * An offset is answered from the nearest checkpoint at or before it (`id <= checkpoint` + a short
 * OFFSET of less than a few strides). Checkpoints are built with one window-function pass and are
 * tagged with the Company's list stamp (`user_count` + `updated_at`, which every insert, delete and
 * role change moves forward under a row lock). Our own writes shift the checkpoints in place when
 * the cache was at exactly the state before the write; any other mismatch drops or rebuilds the
 * entry, so a stale position is never used. Memory: `maxEntries` entries of size/stride ids.
 */
export interface PageStart {
  /** only ids strictly below this */
  belowId?: number;
  offset: number;
}

export interface UserPositionCache {
  readonly stride: number;
  /** diagnostics: checkpoint builds and answers served from checkpoints */
  readonly stats: { builds: number; hits: number };
  locate(db: Kysely<DB>, company: Company, roles: readonly number[] | undefined, offset: number): Promise<PageStart>;
  onInsert(companyId: number, userId: number, role: number, stamp: UserListStamp | undefined): void;
  onDelete(companyId: number, userId: number, role: number, stamp: UserListStamp | undefined): void;
  onRoleChange(companyId: number, userId: number, oldRole: number, newRole: number, stamp: UserListStamp | undefined): void;
}

interface Entry {
  companyId: number;
  roles: ReadonlySet<number> | null;
  stamp: string;
  /** checkpoint ids, descending */
  ids: number[];
  /** their positions, ascending */
  positions: number[];
}

export function createUserPositionCache(options: { stride?: number; maxEntries?: number } = {}): UserPositionCache {
  const stride = options.stride ?? 1000;
  const maxEntries = options.maxEntries ?? 64;
  const entries = new Map<string, Entry>();
  const stats = { builds: 0, hits: 0 };
  const keyOf = (companyId: number, roles: readonly number[] | undefined) => `${companyId}|${roles && roles.length > 0 ? roles.join(',') : '*'}`;

  function tooSparse(entry: Entry): boolean {
    // gaps grow when our own writes shift positions; more than 4 strides → rebuild on the next deep read
    let previous = 0;
    for (const p of entry.positions) {
      if (p - previous > 4 * stride) return true;
      previous = p;
    }
    return false;
  }

  async function build(db: Kysely<DB>, company: Company, roles: readonly number[] | undefined): Promise<Entry | undefined> {
    stats.builds += 1;
    return db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('companies').select(['user_count', 'updated_at']).where('id', '=', company.id).executeTakeFirst();
      if (!row) return undefined;
      const roleFilter = roles && roles.length > 0 ? sql`AND role IN (${sql.join(roles.map((r) => sql`${r}`))})` : sql``;
      const result = await sql<{ id: number; rn: number }>`
        SELECT id, rn FROM (
          SELECT id, ROW_NUMBER() OVER (ORDER BY id DESC) - 1 AS rn
          FROM company_users WHERE company_id = ${company.id} ${roleFilter}
        ) t WHERE rn % ${stride} = 0 ORDER BY rn`.execute(trx);
      return {
        companyId: company.id,
        roles: roles && roles.length > 0 ? new Set(roles) : null,
        stamp: stampOf({ userCount: Number(row.user_count), updatedAt: Number(row.updated_at) }),
        ids: result.rows.map((r) => Number(r.id)),
        positions: result.rows.map((r) => Number(r.rn)),
      };
    });
  }

  /** every checkpoint below `userId` moves by `delta`; a deleted checkpoint is removed */
  function shift(entry: Entry, userId: number, delta: number): void {
    for (let i = 0; i < entry.ids.length; i += 1) {
      if ((entry.ids[i] as number) < userId) entry.positions[i] = (entry.positions[i] as number) + delta;
    }
    if (delta < 0) {
      const at = entry.ids.indexOf(userId);
      if (at >= 0) {
        entry.ids.splice(at, 1);
        entry.positions.splice(at, 1);
      }
    }
  }

  function apply(companyId: number, stamp: UserListStamp | undefined, change: (entry: Entry) => void): void {
    for (const [key, entry] of entries) {
      if (entry.companyId !== companyId) continue;
      if (!stamp || entry.stamp !== stamp.before) {
        entries.delete(key);
        continue;
      }
      change(entry);
      entry.stamp = stamp.after;
    }
  }

  const has = (entry: Entry, role: number) => entry.roles === null || entry.roles.has(role);

  return {
    stride,
    stats,
    async locate(db, company, roles, offset) {
      const key = keyOf(company.id, roles);
      let entry = entries.get(key);
      const current = stampOf(company);
      if (!entry || entry.stamp !== current || tooSparse(entry)) {
        entries.delete(key);
        const built = await build(db, company, roles);
        if (!built || built.stamp !== current) return { offset }; // changed meanwhile: plain OFFSET this time
        entry = built;
        if (entries.size >= maxEntries) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
        entries.set(key, entry);
      }
      // the last checkpoint at or before `offset`
      let lo = 0;
      let hi = entry.positions.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if ((entry.positions[mid] as number) <= offset) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return { offset };
      stats.hits += 1;
      return { belowId: (entry.ids[found] as number) + 1, offset: offset - (entry.positions[found] as number) };
    },
    onInsert(companyId, userId, role, stamp) {
      apply(companyId, stamp, (entry) => {
        if (has(entry, role)) shift(entry, userId, 1);
      });
    },
    onDelete(companyId, userId, role, stamp) {
      apply(companyId, stamp, (entry) => {
        if (has(entry, role)) shift(entry, userId, -1);
      });
    },
    onRoleChange(companyId, userId, oldRole, newRole, stamp) {
      apply(companyId, stamp, (entry) => {
        const before = has(entry, oldRole);
        const after = has(entry, newRole);
        if (before && !after) shift(entry, userId, -1);
        else if (!before && after) shift(entry, userId, 1);
      });
    },
  };
}
