import type { BucketState, RateLimitSetting, RateLimitStore, WindowCount } from '../../domain/rate-limits/rate-limiter.js';

/**
 * Which quota applies to an account (Account API) or a store (B2B). Start-up settings are the
 * default; the emulator's admin API can change the default of a kind or one key's quota live.
 * API plugins must read quotas here (`services.rateLimitSettingFor(kind, key)`), never from
 * `settings` directly, so live changes take effect on the next request.
 */
export type RateLimitKind = 'account' | 'b2b';

export const rateLimitKinds: readonly RateLimitKind[] = ['account', 'b2b'];

export interface RateLimitOverrideEntry {
  kind: RateLimitKind;
  /** undefined: the kind's default */
  key: string | undefined;
  setting: RateLimitSetting | null;
}

export interface RateLimitOverrides {
  settingFor(kind: RateLimitKind, key: string): RateLimitSetting | null;
  /** the kind's current default (start-up setting unless changed) */
  defaultFor(kind: RateLimitKind): RateLimitSetting | null;
  set(kind: RateLimitKind, key: string | undefined, setting: RateLimitSetting | null): void;
  /** Forget an override; returns false when there was none. */
  clear(kind: RateLimitKind, key: string | undefined): boolean;
  clearAll(): void;
  list(): RateLimitOverrideEntry[];
}

export function createRateLimitOverrides(startup: () => { account: RateLimitSetting | null; b2b: RateLimitSetting | null }): RateLimitOverrides {
  const defaults = new Map<RateLimitKind, RateLimitSetting | null>();
  const perKey = { account: new Map<string, RateLimitSetting | null>(), b2b: new Map<string, RateLimitSetting | null>() };
  const defaultFor = (kind: RateLimitKind) => (defaults.has(kind) ? (defaults.get(kind) ?? null) : startup()[kind]);
  return {
    settingFor(kind, key) {
      const map = perKey[kind];
      if (map.size > 0 && map.has(key)) return map.get(key) ?? null;
      return defaultFor(kind);
    },
    defaultFor,
    set(kind, key, setting) {
      if (key === undefined) defaults.set(kind, setting);
      else perKey[kind].set(key, setting);
    },
    clear(kind, key) {
      return key === undefined ? defaults.delete(kind) : perKey[kind].delete(key);
    },
    clearAll() {
      defaults.clear();
      perKey.account.clear();
      perKey.b2b.clear();
    },
    list() {
      const out: RateLimitOverrideEntry[] = [];
      for (const [kind, setting] of defaults) out.push({ kind, key: undefined, setting });
      for (const kind of rateLimitKinds) for (const [key, setting] of perKey[kind]) out.push({ kind, key, setting });
      return out;
    },
  };
}

/** A view of a shared counter store under a key prefix: each fork counts in its own namespace. */
export function prefixRateLimitStore(inner: RateLimitStore, prefix: string): RateLimitStore {
  return {
    kind: inner.kind,
    hit: (key: string, windowMs: number, now: number): Promise<WindowCount> => inner.hit(prefix + key, windowMs, now),
    reset: (p?: string) => inner.reset(prefix + (p ?? '')),
    async list(): Promise<BucketState[]> {
      return (await inner.list()).filter((b) => b.key.startsWith(prefix)).map((b) => ({ ...b, key: b.key.slice(prefix.length) }));
    },
    async close() {},
  };
}

export const FORK_RATE_LIMIT_PREFIX = 'fork:';

/**
 * The main world's view of the shared store: keys are left as the APIs write them (so counters
 * shared through Redis with other processes keep their names), and forks' counters are hidden.
 */
export function mainRateLimitStore(inner: RateLimitStore): RateLimitStore {
  return {
    kind: inner.kind,
    hit: (key, windowMs, now) => inner.hit(key, windowMs, now),
    async reset(prefix) {
      if (prefix !== undefined) return prefix.startsWith(FORK_RATE_LIMIT_PREFIX) ? undefined : inner.reset(prefix);
      for (const bucket of await inner.list()) {
        if (!bucket.key.startsWith(FORK_RATE_LIMIT_PREFIX)) await inner.reset(bucket.key);
      }
    },
    async list() {
      return (await inner.list()).filter((b) => !b.key.startsWith(FORK_RATE_LIMIT_PREFIX));
    },
    async close() {},
  };
}
