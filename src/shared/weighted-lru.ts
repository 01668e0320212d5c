/**
 * A least-recently-used map bounded by its number of entries AND by their weight: an estimate of
 * the bytes each entry keeps alive. Caches keyed by what clients send (GraphQL documents, whole
 * answers) must be bounded by weight: a count alone let 1,000 documents of 20,000 tokens (~9 MB of
 * syntax tree each, no credentials needed) take ~9 GB. An entry heavier than a quarter of the
 * budget is not kept at all, so one large value cannot empty the cache for everyone else.
 */
export interface WeightedLru<V> {
  /** the value, which becomes the most recently used */
  get(key: string): V | undefined;
  /** keeps `value` (unless it is too heavy), then drops the least recently used beyond the bounds */
  set(key: string, value: V, weight: number): void;
  delete(key: string): boolean;
  clear(): void;
  readonly size: number;
  readonly weight: number;
}

export interface WeightedLruLimits {
  maxEntries: number;
  /** the total weight kept (bytes, estimated) */
  maxWeight: number;
}

export function createWeightedLru<V>(limits: WeightedLruLimits): WeightedLru<V> {
  const entries = new Map<string, { value: V; weight: number }>();
  const maxEntryWeight = limits.maxWeight / 4;
  let total = 0;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return false;
    entries.delete(key);
    total -= entry.weight;
    return true;
  };
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      // Map keeps insertion order: moving the entry to the end makes it the most recently used
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, weight) {
      remove(key);
      if (weight > maxEntryWeight) return;
      entries.set(key, { value, weight });
      total += weight;
      for (const oldest of entries.keys()) {
        if (entries.size <= limits.maxEntries && total <= limits.maxWeight) break;
        remove(oldest);
      }
    },
    delete: remove,
    clear() {
      entries.clear();
      total = 0;
    },
    get size() {
      return entries.size;
    },
    get weight() {
      return total;
    },
  };
}

/** The weight of a string kept as a key or value: two bytes a character at most (V8 keeps Latin-1 in one). */
export function textWeight(text: string): number {
  return 2 * text.length;
}
