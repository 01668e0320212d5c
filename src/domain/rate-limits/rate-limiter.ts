import type { Clock } from '../../shared/clock.js';

/**
 * Fixed-window rate limits (account-graphql.md §10 #23, b2b-users-rest.md §13 #25): a window starts
 * at the first counted request of a key and lasts `windowMs`. The policy is a pure function of the
 * counter the store returns; the store makes the count one atomic operation (in-process or Redis).
 */
export interface RateLimitSetting {
  requests: number;
  windowMs: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** requests left in this window, this request included (never negative) */
  remaining: number;
  windowMs: number;
  /** ms until the window ends */
  resetMs: number;
}

export interface WindowCount {
  count: number;
  windowStart: number;
}

export interface BucketState extends WindowCount {
  key: string;
}

export interface RateLimitStore {
  readonly kind: 'memory' | 'redis';
  /** Count one request against `key` at `now`; a window older than `windowMs` restarts at `now`. */
  hit(key: string, windowMs: number, now: number): Promise<WindowCount>;
  /** Forget every counter (or those whose key starts with `prefix`). */
  reset(prefix?: string): Promise<void>;
  /** The counters this store knows about. */
  list(): Promise<BucketState[]>;
  close(): Promise<void>;
}

/**
 * How far behind a window's start a request's time may be and still count in that window. Two
 * processes sharing Redis read their clocks before their EVALs reach Redis, so a request stamped a
 * few ms earlier can arrive after a later one opened the window; restarting the window then let one
 * request past the shared budget (seen in CI on PostgreSQL). A clock set back further than this (the
 * emulator's time travel) still starts a new window.
 */
export const WINDOW_SKEW_MS = 5000;

/** True when a request at `now` opens a new window instead of counting in the one that started at `windowStart`. */
export function windowExpired(windowStart: number, windowMs: number, now: number): boolean {
  return now >= windowStart + windowMs || now < windowStart - WINDOW_SKEW_MS;
}

export function decide(setting: RateLimitSetting, counted: WindowCount, now: number): RateLimitDecision {
  const resetMs = Math.max(0, counted.windowStart + setting.windowMs - now);
  return {
    allowed: counted.count <= setting.requests,
    limit: setting.requests,
    remaining: Math.max(0, setting.requests - counted.count),
    windowMs: setting.windowMs,
    resetMs,
  };
}

export interface RateLimiter {
  /** Counts the request and decides. `setting === null` means limits are off: always allowed, nothing counted. */
  consume(key: string, setting: RateLimitSetting | null): Promise<RateLimitDecision | null>;
  readonly store: RateLimitStore;
}

export function createRateLimiter(store: RateLimitStore, clock: Clock): RateLimiter {
  return {
    store,
    async consume(key, setting) {
      if (setting === null) return null;
      const now = clock.now();
      const counted = await store.hit(key, setting.windowMs, now);
      return decide(setting, counted, now);
    },
  };
}

export function createMemoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, WindowCount>();
  return {
    kind: 'memory',
    async hit(key, windowMs, now) {
      const current = windows.get(key);
      if (current === undefined || windowExpired(current.windowStart, windowMs, now)) {
        const fresh = { count: 1, windowStart: now };
        windows.set(key, fresh);
        return { ...fresh };
      }
      current.count += 1;
      return { ...current };
    },
    async reset(prefix) {
      if (prefix === undefined) windows.clear();
      else for (const key of [...windows.keys()]) if (key.startsWith(prefix)) windows.delete(key);
    },
    async list() {
      return [...windows.entries()].map(([key, w]) => ({ key, ...w }));
    },
    async close() {},
  };
}
