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
      if (current === undefined || now >= current.windowStart + windowMs || now < current.windowStart) {
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
