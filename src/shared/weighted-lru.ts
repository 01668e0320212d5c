/**
 * A recently-used map bounded by its number of entries AND by their weight: an estimate of
 * the bytes each entry keeps alive. Caches keyed by what clients send (GraphQL documents, whole
 * answers) must be bounded by weight: a count alone let 1,000 documents of 20,000 tokens (~9 MB of
 * syntax tree each, no credentials needed) take ~9 GB. An entry heavier than a quarter of the
 * budget is not kept at all, so one large value cannot empty the cache for everyone else.
 *
 * Eviction is "second chance" (CLOCK), an approximation of least recently used that keeps `get`
 * free of writes: a hit only marks the entry; when room is needed, marked entries are moved to
 * the young end (and unmarked), unmarked old ones leave. Moving on every hit (Map delete + set)
 * cost up to ~3% of a write's CPU across the caches a request consults.
 */
export interface WeightedLru<V> {
  /** the value, which is marked as recently used */
  get(key: string): V | undefined;
  /** keeps `value` (unless it is too heavy), then drops entries not used lately beyond the bounds */
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
  const entries = new Map<string, { value: V; weight: number; used: boolean }>();
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
      entry.used = true;
      return entry.value;
    },
    set(key, value, weight) {
      remove(key);
      if (weight > maxEntryWeight) return;
      entries.set(key, { value, weight, used: false });
      total += weight;
      // Map keeps insertion order: the first entries are the oldest; a used one gets a second
      // chance at the young end (each entry at most once per pass, so this ends)
      while (entries.size > limits.maxEntries || total > limits.maxWeight) {
        const [oldest, entry] = entries.entries().next().value as [string, { value: V; weight: number; used: boolean }];
        entries.delete(oldest);
        if (entry.used && oldest !== key) {
          entry.used = false;
          entries.set(oldest, entry);
        } else {
          total -= entry.weight;
        }
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
