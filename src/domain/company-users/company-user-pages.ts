import type { Kysely } from 'kysely';
import type { DB } from '../../db/tables.js';
import type { Company } from '../companies/company-types.js';
import type { UserPositionCache } from './company-user-positions.js';
import { countUsers, hasNoFilters, isRoleOnlyFilter, listUserPage, type UserFilters } from './company-user-repository.js';
import type { CompanyUserPage } from './company-user-types.js';

/** one page from storage: totals from the maintained counter when unfiltered, deep offsets via the position cache */
export async function readPage(
  db: Kysely<DB>,
  positions: UserPositionCache,
  company: Company,
  filters: UserFilters,
  paging: { limit: number; offset: number; afterId: number | undefined; beforeId: number | undefined; fromEnd: boolean | undefined },
): Promise<CompanyUserPage> {
  const companyId = company.id;
  const { limit, offset, afterId, beforeId, fromEnd } = paging;
  const totalCount = hasNoFilters(filters) ? company.userCount : await countUsers(db, companyId, filters);
  const hasCursor = afterId !== undefined || beforeId !== undefined;

  if (!hasCursor && !fromEnd) {
    // plain offset paging: translate a deep offset into an indexed id position when the filter allows
    let start: { belowId?: number; offset: number } = { offset };
    if (offset >= positions.stride && isRoleOnlyFilter(filters)) {
      start = await positions.locate(db, company, filters.roles, offset);
    }
    const items = offset >= totalCount ? [] : await listUserPage(db, companyId, filters, { ...start, limit });
    return { items, totalCount, hasNextPage: offset + items.length < totalCount, hasPreviousPage: offset > 0, offset, limit };
  }

  const window = {
    ...(afterId !== undefined ? { belowId: afterId } : {}),
    ...(beforeId !== undefined ? { aboveId: beforeId } : {}),
  };
  const rows = await listUserPage(db, companyId, filters, { ...window, offset, limit: limit + 1, ...(fromEnd ? { fromEnd: true } : {}) });
  const more = rows.length > limit;
  const items = fromEnd ? rows.slice(rows.length - Math.min(rows.length, limit)) : rows.slice(0, limit);
  return fromEnd
    ? { items, totalCount, hasNextPage: beforeId !== undefined, hasPreviousPage: more, offset, limit }
    : { items, totalCount, hasNextPage: more, hasPreviousPage: offset > 0 || afterId !== undefined, offset, limit };
}

