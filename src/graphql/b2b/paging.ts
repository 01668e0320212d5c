/**
 * Connection arguments → domain paging (b2b-users-rest.md §14 #23, #33). Lenient like REST:
 * `first`/`last` below 1 → 10, above 250 → 250; a negative `offset` → 0; a cursor that does not
 * decode is ignored (as graphene does), never an error.
 *
 * Users page by keyset: a cursor names a user id (the list is id-descending), so a deep page costs
 * an index seek, not an OFFSET scan. Roles are a short in-memory list: their cursors are positions,
 * in graphene's own `arrayconnection:N` format.
 */
export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 250;

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  offset?: number | null;
  after?: string | null;
  before?: string | null;
}

export function lenientPageSize(value: number | null | undefined): number {
  if (value === null || value === undefined || !Number.isFinite(value) || value < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.floor(value), MAX_PAGE_SIZE);
}

export function lenientOffset(value: number | null | undefined): number {
  if (value === null || value === undefined || !Number.isFinite(value) || value < 0) return 0;
  return Math.floor(value);
}

const USER_CURSOR_PREFIX = 'UserType:';

export function encodeUserCursor(userId: number): string {
  return Buffer.from(`${USER_CURSOR_PREFIX}${userId}`, 'utf8').toString('base64');
}

function decodeCursor(cursor: string | null | undefined, prefix: string): number | undefined {
  if (typeof cursor !== 'string' || cursor === '' || cursor.length > 200) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  if (!text.startsWith(prefix)) return undefined;
  const digits = text.slice(prefix.length);
  if (!/^\d{1,15}$/.test(digits)) return undefined;
  return Number(digits);
}

export function decodeUserCursor(cursor: string | null | undefined): number | undefined {
  return decodeCursor(cursor, USER_CURSOR_PREFIX);
}

export interface UserPagingArgs {
  limit: number;
  offset: number;
  afterId?: number;
  beforeId?: number;
  fromEnd: boolean;
}

/** `first` wins over `last` when both are given; `last` alone takes the end of the window. */
export function toUserPaging(args: ConnectionArgs): UserPagingArgs {
  const hasFirst = args.first !== null && args.first !== undefined;
  const hasLast = !hasFirst && args.last !== null && args.last !== undefined;
  const afterId = decodeUserCursor(args.after);
  const beforeId = decodeUserCursor(args.before);
  return {
    limit: lenientPageSize(hasLast ? args.last : args.first),
    offset: lenientOffset(args.offset),
    ...(afterId !== undefined ? { afterId } : {}),
    ...(beforeId !== undefined ? { beforeId } : {}),
    fromEnd: hasLast,
  };
}

const ARRAY_PREFIX = 'arrayconnection:';

export function encodeOffsetCursor(position: number): string {
  return Buffer.from(`${ARRAY_PREFIX}${position}`, 'utf8').toString('base64');
}

export interface OffsetWindow {
  offset: number;
  limit: number;
}

/**
 * Position paging over a list of `total` items (graphene's semantics): `after`/`before` bound the
 * window, `offset` skips from its start, `first` takes from the start, `last` from the end.
 */
export function toOffsetWindow(args: ConnectionArgs, total: number): OffsetWindow {
  let start = 0;
  let end = total;
  const after = decodeCursor(args.after, ARRAY_PREFIX);
  const before = decodeCursor(args.before, ARRAY_PREFIX);
  if (after !== undefined) start = Math.min(total, after + 1);
  if (before !== undefined) end = Math.max(start, Math.min(end, before));
  start = Math.min(end, start + lenientOffset(args.offset));
  const hasFirst = args.first !== null && args.first !== undefined;
  const hasLast = !hasFirst && args.last !== null && args.last !== undefined;
  if (hasLast) {
    const size = lenientPageSize(args.last);
    return { offset: Math.max(start, end - size), limit: Math.min(size, end - start) };
  }
  const size = lenientPageSize(args.first);
  return { offset: start, limit: Math.min(size, end - start) };
}
