/**
 * Keyset pagination over numeric ids (account-graphql.md §6, §10 #14-#16): items are ordered by id
 * ascending; a page is fetched with one extra row to learn whether more exist in the paging
 * direction, never with COUNT. The other direction's flag is a lazy one-row existence check that
 * runs only when a client asks for it.
 */
export type PageDirection = 'forward' | 'backward';

export interface PageRequest {
  direction: PageDirection;
  /** 1..50, validated by the edge */
  limit: number;
  /** only ids strictly greater than this */
  afterId: number | undefined;
  /** only ids strictly less than this */
  beforeId: number | undefined;
}

/** A value, or a function computing it on demand (memoised by the caller's resolver). */
export type Lazy<T> = T | (() => Promise<T>);

export interface Page<T> {
  /** ascending by id */
  items: T[];
  hasNextPage: Lazy<boolean>;
  hasPreviousPage: Lazy<boolean>;
}

export interface KeysetBounds {
  gt: number | undefined;
  lt: number | undefined;
  order: 'asc' | 'desc';
  limit: number;
}

/** Does any item exist with id <= lte (or id >= gte)? */
export type ExistsCheck = (bound: { lte?: number; gte?: number }) => Promise<boolean>;

/** The bounds to fetch for a request: one row more than the page. */
export function boundsFor(request: PageRequest): KeysetBounds {
  return {
    gt: request.afterId,
    lt: request.beforeId,
    order: request.direction === 'forward' ? 'asc' : 'desc',
    limit: request.limit + 1,
  };
}

/** Turns the rows fetched with `boundsFor(request)` (in that order) into a page. */
export function pageFromRows<T>(request: PageRequest, rows: T[], exists: ExistsCheck): Page<T> {
  const hasMore = rows.length > request.limit;
  const items = hasMore ? rows.slice(0, request.limit) : rows;
  if (request.direction === 'forward') {
    const after = request.afterId;
    return {
      items,
      hasNextPage: hasMore,
      hasPreviousPage: after === undefined ? false : () => exists({ lte: after }),
    };
  }
  items.reverse();
  const before = request.beforeId;
  return {
    items,
    hasPreviousPage: hasMore,
    hasNextPage: before === undefined ? false : () => exists({ gte: before }),
  };
}

export async function fetchKeysetPage<T>(
  request: PageRequest,
  run: (bounds: KeysetBounds) => Promise<T[]>,
  exists: ExistsCheck,
): Promise<Page<T>> {
  return pageFromRows(request, await run(boundsFor(request)), exists);
}

/** The same semantics over a list already in memory (sorted ascending by id). */
export function pageInMemory<T>(sorted: readonly T[], idOf: (item: T) => number, request: PageRequest): Page<T> {
  const within = sorted.filter((item) => {
    const id = idOf(item);
    return (request.afterId === undefined || id > request.afterId) && (request.beforeId === undefined || id < request.beforeId);
  });
  const rows = request.direction === 'forward' ? within.slice(0, request.limit + 1) : within.reverse().slice(0, request.limit + 1);
  const exists: ExistsCheck = async ({ lte, gte }) =>
    sorted.some((item) => (lte !== undefined ? idOf(item) <= lte : true) && (gte !== undefined ? idOf(item) >= gte : true));
  return pageFromRows(request, rows, exists);
}

/**
 * `pageInMemory` over a long list sorted ascending by `id` (a member view): the bounds found by
 * binary search, only the page's rows touched.
 */
export function pageOfSorted<T extends { id: number }>(sorted: readonly T[], request: PageRequest): Page<T> {
  /** the first index whose id is > id (or >= id when `inclusive`) */
  const firstAbove = (id: number, inclusive: boolean) => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = (sorted[middle] as T).id;
      if (at > id || (inclusive && at === id)) high = middle;
      else low = middle + 1;
    }
    return low;
  };
  const start = request.afterId === undefined ? 0 : firstAbove(request.afterId, false);
  const end = request.beforeId === undefined ? sorted.length : firstAbove(request.beforeId, true);
  const take = request.limit + 1;
  const rows = request.direction === 'forward' ? sorted.slice(start, Math.min(end, start + take)) : sorted.slice(Math.max(start, end - take), end).reverse();
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  // pageFromRows asks one bound at a time
  const exists: ExistsCheck = async ({ lte, gte }) => first !== undefined && last !== undefined && (lte === undefined || first.id <= lte) && (gte === undefined || last.id >= gte);
  return pageFromRows(request, rows, exists);
}
