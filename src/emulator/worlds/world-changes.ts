/**
 * Tells caches that a world's rows were replaced wholesale (reset, snapshot restore, fixture load),
 * so nothing cached before (principals per token, read caches, derived JWT keys) may be served after.
 *
 * Two ways to use it, pick one:
 * - check `services.dataVersion` (a number that only grows) when reading a cache entry and drop
 *   entries stored under another version; or
 * - subscribe once with `services.onWorldChanged(() => cache.clear())`.
 *
 * Ordinary API writes do not bump it on their own; a domain service that keeps a read cache may
 * call `services.notifyWorldChanged()` after its own writes to reuse the same mechanism.
 */
export interface WorldChanges {
  readonly version: number;
  onChanged(listener: (version: number) => void): () => void;
  notify(): void;
}

export function createWorldChanges(): WorldChanges {
  let version = 1;
  const listeners = new Set<(version: number) => void>();
  return {
    get version() {
      return version;
    },
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify() {
      version += 1;
      for (const listener of [...listeners]) {
        try {
          listener(version);
        } catch {
          // a cache that fails to clear must not break a reset; it is checked by version anyway
        }
      }
    },
  };
}
