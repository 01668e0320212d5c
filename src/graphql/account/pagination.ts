import type { Page, PageRequest } from '../../domain/accounts/keyset-page.js';
import { AppError } from '../../shared/errors.js';
import { MAX_ID } from './global-ids.js';
import { relayPage } from '../engine/relay.js';

/** Connection arguments and cursors (account-graphql.md §6, §10 #15-#17, §11 #5, #11). */
export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 50;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Opaque keyset cursor: base64 of the JSON `[id]`. */
export function encodeCursor(id: number): string {
  return Buffer.from(`[${id}]`, 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function decodeCursor(cursor: string): number {
  if (cursor.length === 0 || cursor.length > 64 || !BASE64.test(cursor)) throw new AppError('INVALID_CURSOR');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
  } catch {
    throw new AppError('INVALID_CURSOR');
  }
  if (!Array.isArray(parsed) || parsed.length !== 1) throw new AppError('INVALID_CURSOR');
  const id = parsed[0];
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) throw new AppError('INVALID_CURSOR');
  return id;
}

function isGiven<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

function checkSize(size: number): number {
  if (size < 1 || size > MAX_PAGE_SIZE) throw new AppError('INVALID_PAGE_SIZE');
  return size;
}

/** Validates first/last/after/before into a keyset request. `before` alone pages backward. */
export function toPageRequest(args: ConnectionArgs): PageRequest {
  if (isGiven(args.first) && isGiven(args.last)) throw new AppError('FIRST_AND_LAST');
  const afterId = isGiven(args.after) ? decodeCursor(args.after) : undefined;
  const beforeId = isGiven(args.before) ? decodeCursor(args.before) : undefined;
  if (isGiven(args.first)) return { direction: 'forward', limit: checkSize(args.first), afterId, beforeId };
  if (isGiven(args.last)) return { direction: 'backward', limit: checkSize(args.last), afterId, beforeId };
  return { direction: beforeId !== undefined && afterId === undefined ? 'backward' : 'forward', limit: DEFAULT_PAGE_SIZE, afterId, beforeId };
}

/** Is this page-size argument pair acceptable? (for the complexity pre-check, §11 #5) */
export function isAcceptablePageSize(first: unknown, last: unknown): boolean {
  const given = (v: unknown) => v !== undefined && v !== null;
  if (given(first) && given(last)) return false;
  const size = given(first) ? first : last;
  if (!given(size)) return true;
  return typeof size === 'number' && Number.isInteger(size) && size >= 1 && size <= MAX_PAGE_SIZE;
}

export interface PageInfoSource {
  hasNextPage: Page<unknown>['hasNextPage'];
  hasPreviousPage: Page<unknown>['hasPreviousPage'];
  startCursor: string | null;
  endCursor: string | null;
}

export interface ConnectionSource<N> {
  edges: { cursor: string; node: N }[];
  pageInfo: PageInfoSource;
  /** computed only when collectionInfo is selected */
  totalItems: () => Promise<number> | number;
}

export function toConnection<T, N>(
  page: Page<T>,
  idOf: (item: T) => number,
  toNode: (item: T) => N,
  totalItems: () => Promise<number> | number,
): ConnectionSource<N> {
  return { ...relayPage(page, (item) => encodeCursor(idOf(item)), toNode), totalItems };
}
